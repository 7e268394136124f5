//! The audit page `assetrail report --html` writes: one self-contained HTML
//! file (styles, script and thumbnails inline; nothing fetched), a card per
//! asset, filters by route, kind, credit, state and findings, lineage links
//! between cards, and spend per credit source. Every value is escaped by the
//! template engine; the script only shows and hides cards.

use std::collections::BTreeSet;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::asset_state::State;
use crate::check::Finding;
use crate::commands::cost::CostReport;
use crate::finding::Severity;
use crate::manifest::ManifestEntry;
use crate::recorded::Credit;

const STYLE: &str = include_str!("page.css");
/// References listed on a card; the rest are counted.
const PLACES_LISTED: usize = 5;
const SCRIPT: &str = include_str!("page.js");

/// Where an asset is used.
#[derive(Debug, Clone)]
pub struct Place {
    /// The referencing file (repo-relative).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// Matched by a glob or template rather than named.
    pub pattern: bool,
}

/// One end of a lineage link: a parent of the asset, or a child made from it.
#[derive(Debug, Clone)]
pub struct Lineage {
    /// Its path.
    pub path: String,
    /// The entry id of a recorded asset on the page (the link target).
    pub id: Option<String>,
    /// How the two are related (`edit-input`, `replaced`, …).
    pub role: String,
    /// Its sha256.
    pub sha256: String,
}

/// One asset's card.
#[derive(Debug, Clone)]
pub struct Card {
    /// Its manifest entry.
    pub entry: ManifestEntry,
    /// A `data:` URL of a small JPEG, when the file could be read.
    pub thumbnail: Option<String>,
    /// The file's state against its record.
    pub state: State,
    /// Where it is referenced.
    pub places: Vec<Place>,
    /// What `check` says about it.
    pub findings: Vec<Finding>,
    /// What it was made from.
    pub parents: Vec<Lineage>,
    /// What was made from it.
    pub children: Vec<Lineage>,
}

/// Everything on the page.
#[derive(Debug)]
pub struct Page {
    /// The repository's name.
    pub title: String,
    /// When the page was made.
    pub generated_at: String,
    /// HEAD when it was made.
    pub head: Option<String>,
    /// Spend per credit source.
    pub cost: CostReport,
    /// Content files `check` could not parse.
    pub problems: usize,
    /// The assets.
    pub cards: Vec<Card>,
}

/// The page as HTML.
pub fn render(page: &Page) -> String {
    let with_findings = page.cards.iter().filter(|c| !c.findings.is_empty()).count();
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("assetrail ", env!("CARGO_PKG_VERSION")));
                title { "Assets of " (page.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "Assets of " (page.title) }
                    p.meta {
                        (page.cards.len()) " assets · " (with_findings) " with findings · made "
                        (page.generated_at)
                        @if let Some(head) = &page.head { " at " code { (short(head)) } }
                        @if page.problems > 0 { " · " (page.problems) " content files could not be read" }
                    }
                    (spend(&page.cost))
                }
                nav {
                    (filters(&page.cards))
                    p #shown aria-live="polite" { (page.cards.len()) " of " (page.cards.len()) " shown" }
                }
                main #cards {
                    @for card in &page.cards { (card_markup(card)) }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    markup.into_string()
}

/// Spend per credit source, never summed across sources.
fn spend(cost: &CostReport) -> Markup {
    html! {
        section.spend aria-label="Spend per credit source" {
            h2 { "Spend per credit source" }
            table {
                thead { tr { th { "credit" } th { "assets" } th { "estimate" } th { "unpriced" } } }
                tbody {
                    @for group in &cost.groups {
                        tr data-credit=(group.credit.to_string()) {
                            td { (group.credit.to_string()) }
                            td { (group.assets) }
                            td { (money(group.cost_estimate_usd, &group.credit)) }
                            td { (group.unpriced) }
                        }
                    }
                }
            }
            @if !cost.price_tables.is_empty() {
                p.meta {
                    "Prices: "
                    @for (i, table) in cost.price_tables.iter().enumerate() {
                        @if i > 0 { "; " }
                        (table.name) " (" (table.source.as_deref().unwrap_or("no source recorded")) ")"
                    }
                }
            }
        }
    }
}

/// An estimate in its own unit: USD, or what the source bills in.
fn money(usd: Option<f64>, credit: &Credit) -> String {
    match (usd, credit) {
        (Some(usd), _) => format!("${usd:.4}"),
        (None, Credit::CodexCredits) => "Codex credits (not priced in USD)".to_owned(),
        (None, Credit::None) => "no charge".to_owned(),
        (None, _) => "not estimated".to_owned(),
    }
}

/// One `<select>` per facet, offering the values present on the page.
fn filters(cards: &[Card]) -> Markup {
    let facet =
        |value: fn(&Card) -> String| -> BTreeSet<String> { cards.iter().map(value).collect() };
    let facets: [(&str, &str, BTreeSet<String>); 5] = [
        ("route", "Route", facet(route_of)),
        ("kind", "Kind", facet(kind_of)),
        ("credit", "Credit", facet(|c| c.entry.credit.to_string())),
        ("state", "State", facet(|c| c.state.as_str().to_owned())),
        ("findings", "Findings", facet(findings_of)),
    ];
    html! {
        form.filters aria-label="Filters" {
            @for (name, label, values) in &facets {
                label {
                    (label) " "
                    select name=(name) data-filter=(name) {
                        option value="" { "all" }
                        @for value in values { option value=(value) { (value) } }
                    }
                }
            }
        }
    }
}

fn route_of(card: &Card) -> String {
    card.entry.route.to_string()
}

fn kind_of(card: &Card) -> String {
    card.entry
        .kind
        .map_or_else(|| "none".to_owned(), |k| k.to_string())
}

fn findings_of(card: &Card) -> String {
    if card.findings.is_empty() {
        "none"
    } else {
        "some"
    }
    .to_owned()
}

fn card_markup(card: &Card) -> Markup {
    let e = &card.entry;
    let classes = if card.findings.iter().any(|f| f.severity == Severity::Error) {
        "card has-findings has-errors"
    } else if card.findings.is_empty() {
        "card"
    } else {
        "card has-findings"
    };
    html! {
        article class=(classes) id=(anchor(&e.id))
            data-path=(e.path) data-route=(route_of(card)) data-kind=(kind_of(card))
            data-credit=(e.credit.to_string()) data-state=(card.state.as_str())
            data-findings=(findings_of(card)) {
            div.thumb {
                @if let Some(src) = &card.thumbnail {
                    img src=(src) alt=(e.alt.as_deref().unwrap_or(&e.path)) loading="lazy" decoding="async";
                } @else {
                    span.nothumb { "no preview (" (card.state.as_str()) ")" }
                }
            }
            div.body {
                h2.path { code { (e.path) } }
                p.badges {
                    span.badge.route { (e.route.to_string()) @if let Some(name) = &e.route_name { " · " (name) } }
                    span.badge.credit { (e.credit.to_string()) }
                    @if let Some(kind) = e.kind { span.badge.kind { (kind.to_string()) } }
                    span class=(format!("badge state state-{}", card.state.as_str())) { (card.state.as_str()) }
                    @if e.placeholder { span.badge.placeholder { "placeholder" } }
                }
                @if let Some(prompt) = &e.prompt { p.prompt { (prompt) } }
                @if let Some(revised) = &e.revised_prompt {
                    details { summary { "revised prompt" } p.prompt { (revised) } }
                }
                dl {
                    @if let Some(model) = &e.model {
                        dt { "model" } dd { (model) @if let Some(text) = &e.text_model { " (text: " (text) ")" } }
                    }
                    @if let Some(size) = &e.size { dt { "size" } dd { (size) } }
                    @if let Some(quality) = &e.quality { dt { "quality" } dd { (quality) } }
                    dt { "cost" } dd.cost { (money(e.cost_estimate_usd, &e.credit)) }
                    @if let Some(commit) = &e.base_commit { dt { "base commit" } dd { code { (short(commit)) } } }
                    @if let Some(request) = &e.request_id { dt { "request id" } dd { code { (request) } } }
                    dt { "sha256" } dd { code { (short(&e.sha256)) } }
                    dt { "recorded" } dd { (e.created_at) }
                }
                @if !card.parents.is_empty() || !card.children.is_empty() {
                    div.lineage {
                        @for parent in &card.parents { (link(parent, "made from", "lineage-parent", "←")) }
                        @for child in &card.children { (link(child, "used by", "lineage-child", "→")) }
                    }
                }
                div.places {
                    @if card.places.is_empty() {
                        p.unreferenced { "not referenced" }
                    } @else {
                        p { "referenced " (card.places.len()) @if card.places.len() == 1 { " time" } @else { " times" } }
                        ul {
                            @for place in card.places.iter().take(PLACES_LISTED) {
                                li { code { (place.file) ":" (place.line) } @if place.pattern { " (pattern)" } }
                            }
                            @if card.places.len() > PLACES_LISTED {
                                li.more { "and " (card.places.len() - PLACES_LISTED) " more (`assetrail refs` lists them all)" }
                            }
                        }
                    }
                }
                @if !card.findings.is_empty() {
                    ul.findings {
                        @for f in &card.findings {
                            li class=(format!("finding {}", f.severity)) {
                                strong { (f.code.to_string()) " " (f.name) } " " (f.message)
                                @if let Some(line) = f.line { " (" code { (f.path) ":" (line) } ")" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A lineage link: an arrow and the other end's path, pointing at its card
/// when it is on the page.
fn link(other: &Lineage, label: &str, class: &str, arrow: &str) -> Markup {
    html! {
        p class=(class) {
            (label) " (" (other.role) ") "
            @if let Some(id) = &other.id {
                a.arrow href=(format!("#{}", anchor(id))) title=(other.path) { (arrow) " " code { (other.path) } }
            } @else {
                span.arrow { (arrow) " " code { (other.path) } " @ " code { (short(&other.sha256)) } }
            }
        }
    }
}

fn anchor(id: &str) -> String {
    format!("asset-{id}")
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

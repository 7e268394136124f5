//! Markdown and MDX: frontmatter here, then either the CommonMark fast path
//! (`commonmark.rs`, for `.md` and for MDX that uses no MDX syntax) or
//! markdown-rs in MDX mode: images, definitions, links, and the ESM,
//! expressions and JSX attributes, whose JavaScript goes to the JS extractor.
//! Code blocks and inline code are not references; paths found only there are
//! reported with `in_code`.

use markdown::mdast::{AttributeContent, AttributeValue, Node};
use markdown::{Constructs, MdxSignal, ParseOptions};

use super::image_path::{looks_like_image, strength_in_code_context};
use super::{
    ExtractOptions, Extraction, ParseProblem, RawReference, RefKind, frontmatter, html, js, nesting,
};

/// How a Markdown file is compiled by its site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// CommonMark with GFM.
    CommonMark,
    /// CommonMark with GFM and Hugo shortcodes.
    Hugo,
    /// MDX 3, as remark-mdx reads it.
    Mdx,
    /// MDX with Docusaurus' `mdx1Compat.comments`: `<!-- -->` is a comment.
    DocusaurusMdx,
}

/// Extracts references from a Markdown or MDX document.
pub fn extract(text: &str, dialect: Dialect, options: &ExtractOptions, out: &mut Extraction) {
    let mdx = !matches!(dialect, Dialect::CommonMark | Dialect::Hugo);
    let unwrapped;
    let text = match dialect {
        Dialect::DocusaurusMdx if text.contains(MDX_CODE_BLOCK) => {
            unwrapped = unwrap_mdx_code_blocks(text);
            unwrapped.as_str()
        }
        _ => text,
    };
    extract_frontmatter(text, out);
    if dialect == Dialect::Hugo {
        super::shortcode::extract(text, &mut out.references);
    }
    if !mdx || super::commonmark::is_plain(text) {
        super::commonmark::extract(text, &mut out.references);
        return;
    }
    extract_mdx(text, dialect, options, out);
}

/// The info string of a Docusaurus fence whose content is MDX, not code.
const MDX_CODE_BLOCK: &str = "mdx-code-block";

/// `text` with the fence lines of each ```` ```mdx-code-block ```` block
/// blanked, as Docusaurus unwraps them before compiling (its
/// `unwrapMdxCodeBlocks`): the content between is read as MDX, at the
/// offsets it has in the file. As Docusaurus does, a block opens with a line
/// of exactly three (then, in a second pass, four) backticks before
/// `mdx-code-block` and closes at the next line of exactly as many.
pub fn unwrap_mdx_code_blocks(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for ticks in [3, 4] {
        let mut open: Option<std::ops::Range<usize>> = None;
        let mut at = 0;
        while at < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            let line = &bytes[at..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            let rest = &line[indent..];
            let fence = rest.len() >= ticks
                && rest[..ticks].iter().all(|&b| b == b'`')
                && rest.get(ticks) != Some(&b'`');
            match &open {
                None if fence && rest[ticks..].trim_ascii_start() == MDX_CODE_BLOCK.as_bytes() => {
                    open = Some(at..end);
                }
                Some(opening) if fence && rest.len() == ticks => {
                    bytes[opening.clone()].fill(b' ');
                    bytes[at..end].fill(b' ');
                    open = None;
                }
                _ => {}
            }
            at = end + 1;
        }
    }
    // Only whole lines of ASCII were replaced, by spaces.
    String::from_utf8(bytes).expect("blanking keeps UTF-8")
}

/// Reads a document with the MDX parser even where the CommonMark fast path
/// would be taken, so tests can hold the two paths against each other.
pub fn extract_with_mdx_parser(text: &str, options: &ExtractOptions) -> Extraction {
    let mut out = Extraction::default();
    extract_frontmatter(text, &mut out);
    extract_mdx(text, Dialect::Mdx, options, &mut out);
    out.references.sort_by_key(|r| (r.start, r.end));
    out.references
        .dedup_by(|a, b| a.start == b.start && a.end == b.end);
    out
}

fn extract_frontmatter(text: &str, out: &mut Extraction) {
    for marker in ["---", "+++"] {
        if let Some((start, end, _)) = frontmatter::fence(text, marker) {
            frontmatter::extract(&text[start..end], start, &mut out.references);
            break;
        }
    }
}

/// The MDX path: markdown-rs, within the limits that keep it linear.
fn extract_mdx(text: &str, dialect: Dialect, options: &ExtractOptions, out: &mut Extraction) {
    if let Some(at) = nesting::too_deep(text, nesting::MAX_DEPTH, nesting::Nesting::Markup) {
        out.problems.push(nesting::problem(at));
        super::commonmark::extract(text, &mut out.references);
        return;
    }
    let markers = inline_markers(text);
    if markers > MAX_INLINE_MARKERS {
        out.problems.push(ParseProblem::new(
            0,
            format!(
                "{markers} lines and inline constructs, more than the MDX parser reads in linear time ({MAX_INLINE_MARKERS}); read as plain Markdown instead"
            ),
        ));
        super::commonmark::extract(text, &mut out.references);
        return;
    }
    let rewritten;
    let text = if dialect == Dialect::DocusaurusMdx && text.contains("<!--") {
        rewritten = html_comments_as_mdx(text);
        rewritten.as_str()
    } else {
        text
    };
    PARSE_BUDGET.set(text.len().saturating_mul(BUDGET_FACTOR) + BUDGET_FLOOR);
    // markdown-rs asserts its own invariants; on input that breaks one, the
    // file is read on the CommonMark path like any file that does not parse.
    let parsed = super::guarded(|| markdown::to_mdast(text, &mdx_options())).unwrap_or_else(|| {
        Err(markdown::message::Message {
            place: None,
            reason: "the MDX parser stopped on this file (an internal error)".into(),
            rule_id: Box::new("internal".into()),
            source: Box::new("assetrail".into()),
        })
    });
    match parsed {
        Ok(tree) => Walker { text, options, out }.node(&tree),
        Err(message) => {
            // Fall back to CommonMark so one bad construct does not hide the rest.
            out.problems.push(ParseProblem::new(
                message_offset(&message),
                format!("{} (read as plain Markdown instead)", message.reason),
            ));
            super::commonmark::extract(text, &mut out.references);
        }
    }
}

/// markdown-rs spends time quadratic in the number of events of a document
/// (each is an edit in one shared map): past this many lines and inline
/// constructs, an MDX file goes to the CommonMark path. Real pages stay far
/// below it; at the limit the MDX parse takes about a quarter of a second.
const MAX_INLINE_MARKERS: usize = 8_000;

/// An upper estimate of a document's events: its lines and the bytes that
/// can open an inline construct.
fn inline_markers(text: &str) -> usize {
    text.bytes()
        .filter(|b| matches!(b, b'\n' | b'[' | b'{' | b'<' | b'*' | b'_' | b'`' | b'&'))
        .count()
}

/// `<!-- x -->` → `{/* x */}`, byte for byte the same length, as Docusaurus
/// does before compiling (`markdown.mdx1Compat.comments`), so offsets still
/// point into the original text.
fn html_comments_as_mdx(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("<!--") {
        let Some(close) = rest[open + 4..].find("-->") else {
            break;
        };
        let body = &rest[open + 4..open + 4 + close];
        out.push_str(&rest[..open]);
        if body.contains("*/") {
            // Would end the JS comment early: leave it for the parser to report.
            out.push_str(&rest[open..open + 4 + close + 3]);
        } else {
            out.push_str("{/* ");
            out.push_str(body);
            out.push_str("*/}");
        }
        rest = &rest[open + 4 + close + 3..];
    }
    out.push_str(rest);
    out
}

fn message_offset(message: &markdown::message::Message) -> usize {
    match message.place.as_deref() {
        Some(markdown::message::Place::Point(point)) => point.offset,
        Some(markdown::message::Place::Position(position)) => position.start.offset,
        None => 0,
    }
}

fn constructs_with_extensions(mut constructs: Constructs) -> Constructs {
    constructs.frontmatter = true;
    constructs.gfm_table = true;
    constructs.gfm_strikethrough = true;
    constructs.gfm_task_list_item = true;
    constructs.gfm_footnote_definition = true;
    constructs.gfm_label_start_footnote = true;
    constructs
}

fn mdx_options() -> ParseOptions {
    let mut options = ParseOptions::mdx();
    options.constructs = constructs_with_extensions(options.constructs);
    options.mdx_esm_parse = Some(Box::new(esm_signal));
    options.mdx_expression_parse = Some(Box::new(expression_signal));
    options
}

thread_local! {
    /// Bytes the ESM and expression callbacks may still parse for the current
    /// document. markdown-rs asks again each time an ESM block grows by a line
    /// and at every `}` of an expression, so a hostile file could make the
    /// re-parsing quadratic; past the budget the MDX parse stops.
    static PARSE_BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The callbacks may parse this many times the document's size…
const BUDGET_FACTOR: usize = 8;
/// …plus this much, so small documents are never cut short.
const BUDGET_FLOOR: usize = 1 << 20;

/// Takes `len` bytes from the budget; false when it is spent.
fn spend(len: usize) -> bool {
    PARSE_BUDGET.with(|budget| {
        let left = budget.get();
        budget.set(left.saturating_sub(len));
        left >= len
    })
}

/// Past the budget the MDX parse stops, and the file is read on the
/// CommonMark path (linear), with a problem that says why.
fn over_budget() -> MdxSignal {
    MdxSignal::Error(
        "an ESM block or expression too large to parse as MDX in linear time".into(),
        0,
        Box::new("assetrail".into()),
        Box::new("budget".into()),
    )
}

/// Tells markdown-rs whether an expression is complete at a `}`. With this
/// callback markdown-rs does not count braces: every `}` is a candidate end,
/// and a JS parse decides, as remark-mdx does with acorn — so a `}` inside a
/// string, template, object or block does not end the expression early.
fn expression_signal(value: &str, kind: &markdown::MdxExpressionKind) -> MdxSignal {
    let source = || Box::new("assetrail".to_owned());
    let rule = || Box::new("expression".to_owned());
    if !spend(value.len() * 2) {
        return over_budget();
    }
    if matches!(kind, markdown::MdxExpressionKind::AttributeExpression) {
        // `{...props}`: a spread, checked as one.
        return match js::check_expression(&format!("{{{value}}}")) {
            js::ExpressionCheck::CutShort(message) => MdxSignal::Eof(message, source(), rule()),
            _ => MdxSignal::Ok,
        };
    }
    match js::check_expression(value) {
        js::ExpressionCheck::Complete => MdxSignal::Ok,
        js::ExpressionCheck::CutShort(message) => MdxSignal::Eof(message, source(), rule()),
        js::ExpressionCheck::Invalid(message, offset) => {
            MdxSignal::Error(message, offset, source(), rule())
        }
    }
}

/// Tells markdown-rs whether an ESM block is complete, broken, or needs more lines.
fn esm_signal(value: &str) -> MdxSignal {
    if !spend(value.len()) {
        return over_budget();
    }
    match js::program_error(value) {
        None => MdxSignal::Ok,
        Some((message, _, true)) => MdxSignal::Eof(
            message,
            Box::new("assetrail".into()),
            Box::new("esm".into()),
        ),
        Some((message, offset, false)) => MdxSignal::Error(
            message,
            offset,
            Box::new("assetrail".into()),
            Box::new("esm".into()),
        ),
    }
}

struct Walker<'t, 'o, 'x> {
    text: &'t str,
    options: &'o ExtractOptions,
    out: &'x mut Extraction,
}

impl Walker<'_, '_, '_> {
    fn span(node: &Node) -> (usize, usize) {
        node.position()
            .map_or((0, 0), |p| (p.start.offset, p.end.offset))
    }

    /// The offset of `needle` inside the node's source slice (exact when the
    /// value is written verbatim), else the node's start.
    fn locate(&self, node_start: usize, node_end: usize, needle: &str, from: usize) -> usize {
        let slice = self.text.get(node_start..node_end).unwrap_or("");
        slice
            .get(from.min(slice.len())..)
            .and_then(|rest| rest.find(needle))
            .map_or(node_start, |i| node_start + from.min(slice.len()) + i)
    }

    fn push(&mut self, start: usize, raw: &str, kind: RefKind, weak_bare: bool) {
        if !looks_like_image(raw) {
            return;
        }
        let mut reference = RawReference::new(start, raw, kind);
        if weak_bare {
            reference.strength = strength_in_code_context(raw);
        }
        if self.text.get(start..start + raw.len()) != Some(raw) {
            // Escaped or entity-encoded in the source: keep the node start, no exact range.
            reference.end = start;
        }
        self.out.references.push(reference);
    }

    fn node(&mut self, node: &Node) {
        let (start, end) = Self::span(node);
        match node {
            Node::Image(image) => {
                let at = self.locate(start, end, &image.url, 0);
                self.push(at, &image.url, RefKind::MdImage, false);
            }
            Node::Link(link) => {
                // A link to an image file keeps it alive just like an image does.
                // Its destination follows its text, which may hold an image.
                let slice = self.text.get(start..end).unwrap_or("");
                let at = slice.rfind(link.url.as_str()).map_or(start, |i| start + i);
                self.push(at, &link.url, RefKind::MdImage, false);
            }
            Node::Definition(definition) => {
                let at = self.locate(start, end, &definition.url, 0);
                self.push(at, &definition.url, RefKind::MdDefinition, false);
            }
            Node::Html(html) => html::extract(&html.value, start, &mut self.out.references),
            Node::MdxjsEsm(esm) => {
                let mut sub = Extraction::default();
                js::extract_program(
                    &esm.value,
                    oxc_span::SourceType::mjs().with_jsx(true),
                    start,
                    self.options,
                    &mut sub,
                );
                self.out.references.append(&mut sub.references);
            }
            Node::MdxFlowExpression(expression) => {
                js::extract_expression(
                    &expression.value,
                    start + 1,
                    self.options,
                    &mut self.out.references,
                );
            }
            Node::MdxTextExpression(expression) => {
                js::extract_expression(
                    &expression.value,
                    start + 1,
                    self.options,
                    &mut self.out.references,
                );
            }
            Node::MdxJsxFlowElement(element) => {
                self.jsx_attributes(&element.attributes, start, end)
            }
            Node::MdxJsxTextElement(element) => {
                self.jsx_attributes(&element.attributes, start, end)
            }
            Node::Code(code) => self.code(&code.value, start, end),
            Node::InlineCode(code) => self.code(&code.value, start, end),
            _ => {}
        }
        if let Some(children) = node.children() {
            for child in children {
                self.node(child);
            }
        }
    }

    fn jsx_attributes(&mut self, attributes: &[AttributeContent], start: usize, end: usize) {
        // Attributes carry no positions: find each value in the opening tag.
        let tag_end = self
            .text
            .get(start..end)
            .and_then(|s| s.find('>'))
            .map_or(end, |i| start + i + 1);
        let mut cursor = 0;
        for attribute in attributes {
            let AttributeContent::Property(property) = attribute else {
                continue;
            };
            match &property.value {
                Some(AttributeValue::Literal(value)) => {
                    let is_key = matches!(
                        property.name.as_str(),
                        "src" | "srcSet" | "srcset" | "poster" | "href"
                    ) || self.options.image_keys.contains(&property.name);
                    let at = self.locate(start, tag_end, value, cursor);
                    cursor = at.saturating_sub(start) + value.len();
                    if property.name.eq_ignore_ascii_case("srcset") {
                        for (offset, url) in super::image_path::srcset_candidates(value) {
                            self.push(at + offset, url, RefKind::JsxAttr, true);
                        }
                    } else if is_key
                        // Any other attribute counts only when its whole value is one
                        // path: prose and shell commands (`code="npm run x /a/b.png"`) do not.
                        || (looks_like_image(value) && !value.contains(char::is_whitespace))
                    {
                        self.push(at, value, RefKind::JsxAttr, true);
                    }
                }
                Some(AttributeValue::Expression(expression)) => {
                    let at = self.locate(start, tag_end, &expression.value, cursor);
                    cursor = at.saturating_sub(start) + expression.value.len();
                    let mut found = Vec::new();
                    js::extract_expression(&expression.value, at, self.options, &mut found);
                    for mut reference in found {
                        // `useBaseUrl('/x')` keeps its kind: the base path is added.
                        if reference.kind != RefKind::BaseUrl {
                            reference.kind = RefKind::JsxAttr;
                        }
                        self.out.references.push(reference);
                    }
                }
                None => {}
            }
        }
    }

    /// Paths mentioned in code, reported with `in_code`.
    fn code(&mut self, value: &str, start: usize, end: usize) {
        let source = self.text.get(start..end).unwrap_or("");
        super::code_tokens(source, start, value, &mut self.out.references);
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn mdx_code_blocks_are_unwrapped_in_place() {
        let text = "a\n```mdx-code-block\n<Img src=\"/x.png\" />\n```\n```jsx\n<Img src=\"/y.png\" />\n```\n````mdx-code-block\n```js\ncode\n```\n````\n```mdx-code-block\nnever closed\n";
        let unwrapped = unwrap_mdx_code_blocks(text);
        assert_eq!(unwrapped.len(), text.len());
        let lines: Vec<&str> = unwrapped.lines().collect();
        assert_eq!(lines[1].trim(), "");
        assert_eq!(lines[2], "<Img src=\"/x.png\" />");
        assert_eq!(lines[3].trim(), "");
        // Another language stays a fence; a four-backtick block keeps the
        // fence inside it; an unclosed block stays as written.
        assert_eq!(lines[4], "```jsx");
        assert_eq!(lines[7].trim(), "");
        assert_eq!(lines[8], "```js");
        assert_eq!(lines[11].trim(), "");
        assert_eq!(lines[12], "```mdx-code-block");
    }
    use super::*;
    use crate::scan::Strength;

    fn refs(text: &str, mdx: bool) -> Extraction {
        let dialect = if mdx {
            Dialect::Mdx
        } else {
            Dialect::CommonMark
        };
        dialect_refs(text, dialect)
    }

    fn dialect_refs(text: &str, dialect: Dialect) -> Extraction {
        let mut out = Extraction::default();
        extract(text, dialect, &ExtractOptions::default(), &mut out);
        for r in &out.references {
            if r.end > r.start && r.strength != Strength::Pattern {
                assert_eq!(&text[r.start..r.end], r.raw, "{r:?}");
            }
        }
        out
    }

    fn summary(out: &Extraction) -> Vec<(&str, RefKind, bool)> {
        out.references
            .iter()
            .map(|r| (r.raw.as_str(), r.kind, r.in_code))
            .collect()
    }

    #[test]
    fn mdx_document() {
        let text = r#"---
title: Post
cover: /images/covers/post.png
---

import hero from './hero.png'
import { Card } from '@/components/Card'

# Title

![Diagram](/images/diagram.webp "a title")

[![banner](./assets/banner.png)](./assets/x.pdf)

<Card thumbnail="pls.cli.rs.png" title="x" />

<Image src="/images/b.png" width={300} />

<Figure image={require('./fig.jpg').default} />

{/* a comment */}

Inline `/images/inline-code.png` and:

```md
![alt](/images/in-fence.png)
```

![ref image][logo]

[logo]: /images/logo.svg
"#;
        let out = refs(text, true);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            summary(&out),
            [
                ("/images/covers/post.png", RefKind::Frontmatter, false),
                ("./hero.png", RefKind::EsmImport, false),
                ("/images/diagram.webp", RefKind::MdImage, false),
                ("./assets/banner.png", RefKind::MdImage, false),
                ("pls.cli.rs.png", RefKind::JsxAttr, false),
                ("/images/b.png", RefKind::JsxAttr, false),
                ("./fig.jpg", RefKind::JsxAttr, false),
                ("/images/inline-code.png", RefKind::MdImage, true),
                ("/images/in-fence.png", RefKind::MdImage, true),
                ("/images/logo.svg", RefKind::MdDefinition, false),
            ]
        );
        assert_eq!(out.references[4].strength, Strength::WeakBasename);
    }

    #[test]
    fn markdown_with_raw_html() {
        let text = "# Hi\n\n<img src=\"/img/logos/twitter.png\" title=\"Twitter\"/>\n\n![x](img/rel.png)\n";
        let out = refs(text, false);
        assert_eq!(
            summary(&out),
            [
                ("/img/logos/twitter.png", RefKind::HtmlAttr, false),
                ("img/rel.png", RefKind::MdImage, false)
            ]
        );
    }

    #[test]
    fn broken_mdx_falls_back_and_reports() {
        let text = "Some prose with versions <= 25.x and ![x](/a.png)\n";
        let out = refs(text, true);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(out.problems[0].message.contains("read as plain Markdown"));
        assert_eq!(summary(&out), [("/a.png", RefKind::MdImage, false)]);
    }

    #[test]
    fn docusaurus_md_is_mdx_with_html_comments() {
        let text = "# Post\n\nIntro.\n\n<!--truncate-->\n\n<img src={require('./a.png').default} />\n\n<img src=\"/img/b.png\" />\n";
        let out = dialect_refs(text, Dialect::DocusaurusMdx);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            summary(&out),
            [
                ("./a.png", RefKind::JsxAttr, false),
                ("/img/b.png", RefKind::JsxAttr, false)
            ]
        );
        assert_eq!(html_comments_as_mdx("a<!--x-->b").len(), "a<!--x-->b".len());
    }

    #[test]
    fn braces_inside_expressions_do_not_end_them() {
        let text = "<Code code={`function x() { return \"}\" }`} />\n\n<div style={{display: 'flex'}}>\n  <img src=\"/a.png\" />\n</div>\n\n{/* a comment */}\n\n{props.x > 1 && <span>hi</span>}\n\n<A {...props} b={{c: {d: 1}}} />\n\n![x](/b.png)\n";
        let out = refs(text, true);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            summary(&out),
            [
                ("/a.png", RefKind::JsxAttr, false),
                ("/b.png", RefKind::MdImage, false)
            ]
        );
        let bad = refs("{a b c}\n\n![x](/b.png)\n", true);
        assert_eq!(bad.problems.len(), 1, "an invalid expression is reported");
    }

    #[test]
    fn multi_line_esm_needs_more_lines() {
        let text = "export const x = `\nline one\n\nline two ${'/images/t.png'}\n`\n\n# After\n";
        let out = refs(text, true);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
    }
}

//! Finding image references in a site's sources: one extractor per syntax,
//! each a function from text to a flat list of [`RawReference`]s that remember
//! where they came from; [`resolve`] then maps each one to a file.

pub mod cache;
pub mod commonmark;
pub mod css;
pub mod data;
pub mod frontmatter;
pub mod html;
pub mod image_path;
pub mod js;
pub mod markdown;
pub mod nesting;
pub mod resolve;
pub mod shortcode;
pub mod site;
pub mod site_config;
pub mod stamp;
pub mod svelte;
pub mod template;
pub mod tree;
pub mod walk;
mod walk_cache;

use serde::{Deserialize, Serialize};

use crate::choice_enum;

choice_enum! {
    /// Where a reference came from.
    pub enum RefKind: "reference kind" {
        MdImage = "md-image",
        MdDefinition = "md-definition",
        HtmlAttr = "html-attr",
        JsxAttr = "jsx-attr",
        EsmImport = "esm-import",
        Require = "require",
        NewUrl = "new-url",
        Glob = "glob",
        BaseUrl = "base-url",
        CssUrl = "css-url",
        Frontmatter = "frontmatter",
        Config = "config",
        Data = "data",
        Manifest = "manifest",
        Shortcode = "shortcode",
        Template = "template",
    }
}

choice_enum! {
    /// How much a reference says about its target.
    pub enum Strength: "strength" {
        /// A path that names one file.
        Strong = "strong",
        /// A bare file name (`x.png`) handed to code that decides the folder.
        WeakBasename = "weak-basename",
        /// A glob or a template with dynamic parts: names any matching file.
        Pattern = "pattern",
    }
}

choice_enum! {
    /// How a path is anchored.
    pub enum Base: "base" {
        /// Relative paths start at the referencing file's folder (Markdown,
        /// imports, `new URL(x, import.meta.url)`).
        File = "file",
        /// Root-absolute paths start at the site's static folder, and relative
        /// ones at the static folder too (site config keys like Docusaurus `favicon`).
        Static = "static",
        /// Relative paths start at the site root (Gatsby `icon`, tsconfig `baseUrl`).
        Site = "site",
        /// Relative paths start at the site's asset folder (Hugo `assets/`,
        /// what `resources.Get` reads).
        Assets = "assets",
    }
}

/// A reference as written in a source file, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RawReference {
    /// 1-based line of `start` (filled in by [`extract`]).
    #[serde(default)]
    pub line: u32,
    /// 1-based column of `start`, in characters (filled in by [`extract`]).
    #[serde(default)]
    pub column: u32,
    /// Byte offset of the referenced text in the file.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// The text as written (for patterns: the pattern).
    pub raw: String,
    /// Where it came from.
    pub kind: RefKind,
    /// How specific it is.
    pub strength: Strength,
    /// How a relative path is anchored.
    pub base: Base,
    /// It appears only inside a code block or inline code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_code: bool,
}

impl RawReference {
    /// A strong, file-relative reference.
    pub fn new(start: usize, raw: &str, kind: RefKind) -> Self {
        RawReference {
            line: 0,
            column: 0,
            start,
            end: start + raw.len(),
            raw: raw.to_owned(),
            kind,
            strength: image_path::strength_of(raw),
            base: Base::File,
            in_code: false,
        }
    }

    /// The same reference anchored at `base`.
    pub fn with_base(mut self, base: Base) -> Self {
        self.base = base;
        self
    }

    /// The same reference moved by `offset` bytes (for text embedded in a larger file).
    pub fn shifted(mut self, offset: usize) -> Self {
        self.start += offset;
        self.end += offset;
        self
    }
}

/// A file that could not be parsed: it is reported and skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ParseProblem {
    /// Byte offset of the problem.
    pub offset: usize,
    /// 1-based line of `offset` (filled in by [`extract`]).
    #[serde(default)]
    pub line: u32,
    /// 1-based column of `offset`, in characters (filled in by [`extract`]).
    #[serde(default)]
    pub column: u32,
    /// The parser's message.
    pub message: String,
}

impl ParseProblem {
    /// A problem at `offset`; [`extract`] fills in its line and column.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        ParseProblem {
            offset,
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

/// What one file yielded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Extraction {
    /// References, in file order.
    pub references: Vec<RawReference>,
    /// Problems met (the file was skipped or partly read).
    pub problems: Vec<ParseProblem>,
}

/// The syntaxes assetrail reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `.mdx`: MDX with frontmatter and GFM.
    Mdx,
    /// `.md` and `.mdx` as Docusaurus 3 compiles them: MDX, HTML comments allowed.
    DocusaurusMdx,
    /// `.md`, `.markdown`: CommonMark with frontmatter and GFM.
    Markdown,
    /// `.js .jsx .ts .tsx .mjs .cjs .mts .cts`.
    Script,
    /// `.astro`: frontmatter script plus an HTML-like template.
    Astro,
    /// `.vue`: a single-file component (template, `<script>`, `<style>`).
    Vue,
    /// `.html`, `.htm`.
    Html,
    /// `.css`, `.scss`, `.sass`, `.less`.
    Css,
    /// `.json`, `.webmanifest`.
    Json,
    /// `browserconfig.xml`.
    BrowserConfig,
    /// `.svelte`: a Svelte component (markup with braces, `<script>`, `<style>`).
    Svelte,
    /// `.md` in a Jekyll site: CommonMark with Liquid tags.
    JekyllMarkdown,
    /// `.html` in a Jekyll site: HTML with Liquid tags (layouts, includes).
    JekyllHtml,
    /// `.md` in a Hugo site: CommonMark with shortcodes (`{{< figure >}}`).
    HugoMarkdown,
    /// `.html` in a Hugo site: HTML with Go template actions (layouts).
    HugoHtml,
}

impl Syntax {
    /// Every syntax, in a fixed order (the cache stores the index).
    pub const ALL: &'static [Syntax] = &[
        Syntax::Mdx,
        Syntax::DocusaurusMdx,
        Syntax::Markdown,
        Syntax::Script,
        Syntax::Astro,
        Syntax::Vue,
        Syntax::Html,
        Syntax::Css,
        Syntax::Json,
        Syntax::BrowserConfig,
        Syntax::HugoMarkdown,
        Syntax::HugoHtml,
        Syntax::Svelte,
        Syntax::JekyllMarkdown,
        Syntax::JekyllHtml,
    ];

    /// The syntax of a file, by name.
    pub fn of(path: &str) -> Option<Syntax> {
        let name = crate::repo_path::file_name(path);
        if name.eq_ignore_ascii_case("browserconfig.xml") {
            return Some(Syntax::BrowserConfig);
        }
        Some(match crate::repo_path::extension(path)?.as_str() {
            "mdx" => Syntax::Mdx,
            "md" | "markdown" => Syntax::Markdown,
            "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "mts" | "cts" => Syntax::Script,
            "astro" => Syntax::Astro,
            "vue" => Syntax::Vue,
            "svelte" => Syntax::Svelte,
            "html" | "htm" => Syntax::Html,
            "css" | "scss" | "sass" | "less" => Syntax::Css,
            "json" | "webmanifest" => Syntax::Json,
            _ => return None,
        })
    }
}

/// Options that shape extraction.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Object keys and JSX attributes whose string values are image references.
    pub image_keys: Vec<String>,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            image_keys: DEFAULT_IMAGE_KEYS.iter().map(|k| (*k).to_owned()).collect(),
        }
    }
}

impl ExtractOptions {
    /// Whether an object key or attribute names an image (`src`, `srcSet`,
    /// `poster`, `href`, or one of [`ExtractOptions::image_keys`]), ignoring
    /// letter case (HTML lowercases attribute names).
    pub fn is_image_key(&self, name: &str) -> bool {
        ["src", "srcset", "poster", "href"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(name))
            || self.image_keys.iter().any(|k| k.eq_ignore_ascii_case(name))
    }
}

/// Paths mentioned in code (`value`, written inside `source`, which starts at
/// `offset` in its file): each token with a folder that names an image becomes
/// an `in_code` reference, so an asset named only in a code sample is neither
/// silently alive nor silently orphaned.
pub fn code_tokens(source: &str, offset: usize, value: &str, out: &mut Vec<RawReference>) {
    let mut cursor = 0;
    for token in value.split(|c: char| c.is_whitespace() || "()[]{}<>\"'`=,;".contains(c)) {
        if token.contains('/')
            && image_path::looks_like_image(token)
            && !image_path::is_external(token)
        {
            let found = source.get(cursor..).and_then(|rest| rest.find(token));
            let at = found.map_or(0, |i| cursor + i);
            if found.is_some() {
                cursor = at + token.len();
            }
            let mut reference = RawReference::new(offset + at, token, RefKind::MdImage);
            if found.is_none() {
                reference.end = reference.start;
            }
            reference.in_code = true;
            out.push(reference);
        }
    }
}

/// Keys whose values name images, besides `src`, `srcSet`, `poster` and `href`.
pub const DEFAULT_IMAGE_KEYS: &[&str] = &[
    "image",
    "images",
    "img",
    "src",
    "logo",
    "icon",
    "icons",
    "cover",
    "thumbnail",
    "avatar",
    "ogImage",
    "og_image",
    "banner",
    "hero",
    "poster",
    "background",
    "backgroundImage",
    "favicon",
    "picture",
    "photo",
    "screenshot",
    "preview",
    "previews",
    "light",
    "dark",
    "srcDark",
];

/// Stack size of the threads that extract: room for [`nesting::MAX_DEPTH`]
/// levels of recursion in the parsers, with a wide margin.
const EXTRACT_STACK_BYTES: usize = 64 << 20;

/// Gives rayon's global pool, where extraction runs, stacks of a known size.
/// Call before anything else uses rayon; later calls change nothing.
pub fn configure_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(EXTRACT_STACK_BYTES)
        .build_global();
}

thread_local! {
    /// Whether this thread is inside [`guarded`] (its panics are expected).
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a parser on input that may be hostile. A panic inside it — an
/// assertion in a dependency, or a bug of ours — becomes `None` instead of
/// ending the whole scan, and prints nothing.
pub fn guarded<T>(parse: impl FnOnce() -> T) -> Option<T> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                default(info);
            }
        }));
    });
    let outer = GUARDED.replace(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
    GUARDED.set(outer);
    result.ok()
}

/// Extracts the references in a file's bytes: text that is not UTF-8 is read
/// with replacement characters and reported.
pub fn extract_bytes(
    path: &str,
    bytes: &[u8],
    syntax: Syntax,
    options: &ExtractOptions,
) -> Extraction {
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => return extract(path, text, syntax, options),
        Err(error) => error,
    };
    let text = String::from_utf8_lossy(bytes);
    let mut extraction = extract(path, &text, syntax, options);
    let (line, column) = LineIndex::new(&text).line_column(&text, error.valid_up_to());
    extraction.problems.push(ParseProblem {
        offset: error.valid_up_to(),
        line,
        column,
        message: "not valid UTF-8 (read with replacement characters)".into(),
    });
    extraction
}

/// Extracts the references in `text`, a file of `syntax` at `path`.
pub fn extract(path: &str, text: &str, syntax: Syntax, options: &ExtractOptions) -> Extraction {
    if !image_path::may_contain_reference(text) {
        return Extraction::default();
    }
    let mut out = guarded(|| extract_unguarded(path, text, syntax, options)).unwrap_or_else(|| {
        let mut out = Extraction::default();
        out.problems.push(ParseProblem::new(
            0,
            "the parser stopped on this file (an internal error); read by the fallback scan instead",
        ));
        nesting::fallback(text, 0, &mut out.references);
        out
    });
    out.references.sort_by_key(|r| (r.start, r.end));
    out.references
        .dedup_by(|a, b| a.start == b.start && a.end == b.end);
    // References come in order: their lines are counted on from one to the
    // next, never past the last.
    let mut lines = LineCounter::new(text);
    for reference in &mut out.references {
        (reference.line, reference.column) = lines.at(reference.start);
    }
    if !out.problems.is_empty() {
        let lines = LineIndex::new(text);
        for problem in &mut out.problems {
            (problem.line, problem.column) = lines.line_column(text, problem.offset);
        }
    }
    out
}

/// One syntax's extractor, without the guard.
fn extract_unguarded(
    path: &str,
    text: &str,
    syntax: Syntax,
    options: &ExtractOptions,
) -> Extraction {
    let mut out = Extraction::default();
    match syntax {
        Syntax::Mdx => markdown::extract(text, markdown::Dialect::Mdx, options, &mut out),
        Syntax::DocusaurusMdx => {
            markdown::extract(text, markdown::Dialect::DocusaurusMdx, options, &mut out)
        }
        Syntax::Markdown => {
            markdown::extract(text, markdown::Dialect::CommonMark, options, &mut out)
        }
        Syntax::HugoMarkdown => markdown::extract(text, markdown::Dialect::Hugo, options, &mut out),
        Syntax::Vue => {
            html::extract_component(text, html::Markup::Component, options, &mut out.references)
        }
        Syntax::Svelte => svelte::extract(text, options, &mut out.references),
        Syntax::Script => js::extract_program_in(
            text,
            js::source_type_for(path),
            0,
            options,
            Some(path),
            &mut out,
        ),
        Syntax::Astro => extract_astro(text, options, &mut out),
        Syntax::Html => html::extract(text, 0, &mut out.references),
        Syntax::HugoHtml => {
            html::extract(text, 0, &mut out.references);
            template::extract(text, template::Dialect::Go, &mut out.references);
        }
        Syntax::JekyllMarkdown => {
            markdown::extract(text, markdown::Dialect::CommonMark, options, &mut out);
            // Jekyll renders Liquid before Markdown, in code blocks too.
            template::extract(text, template::Dialect::Liquid, &mut out.references);
        }
        Syntax::JekyllHtml => {
            html::extract(text, 0, &mut out.references);
            template::extract(text, template::Dialect::Liquid, &mut out.references);
        }
        Syntax::Css => css::extract(text, 0, &mut out.references),
        Syntax::Json => data::extract_json(path, text, &mut out),
        Syntax::BrowserConfig => data::extract_browserconfig(text, &mut out.references),
    }
    out
}

/// Byte offset → 1-based line and character column, for offsets asked in
/// increasing order: each is counted on from the one before, so a file costs
/// time linear in the text up to its last offset, however many share a line.
pub struct LineCounter<'t> {
    text: &'t str,
    /// The last offset asked, its 0-based line, where that line starts, and
    /// its 0-based character column.
    offset: usize,
    line: usize,
    line_start: usize,
    column: u32,
}

impl<'t> LineCounter<'t> {
    /// A counter at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 0,
            line_start: 0,
            column: 0,
        }
    }

    /// The line and column of `offset` (an offset before the last one asked
    /// is counted again from the start).
    pub fn at(&mut self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            *self = LineCounter::new(self.text);
        }
        let bytes = &self.text.as_bytes()[self.offset..offset];
        let (from, column) = match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count();
                self.line_start = self.offset + last + 1;
                (self.line_start, 0)
            }
            None => (self.offset, self.column),
        };
        let chars = self
            .text
            .get(from..offset)
            .map_or(offset - from, |s| s.chars().count());
        self.column = column + chars as u32;
        self.offset = offset;
        (self.line as u32 + 1, self.column + 1)
    }
}

/// Byte offset → 1-based line and character column, for offsets in any order.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The line and column of `offset` in `text` (the same text given to `new`).
    pub fn line_column(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|s| *s <= offset) - 1;
        let from = self.starts[line];
        let column = text
            .get(from..offset)
            .map_or(offset - from, |s| s.chars().count()) as u32;
        (line as u32 + 1, column + 1)
    }
}

/// `.astro`: the `---` fenced frontmatter is TypeScript; the rest is an
/// HTML-like template.
fn extract_astro(text: &str, options: &ExtractOptions, out: &mut Extraction) {
    let (script, template_start) = match frontmatter::fence(text, "---") {
        Some((body_start, body_end, after)) => {
            (Some((body_start, &text[body_start..body_end])), after)
        }
        None => (None, 0),
    };
    if let Some((offset, script)) = script {
        js::extract_program(script, oxc_span::SourceType::ts(), offset, options, out);
    }
    html::extract(&text[template_start..], template_start, &mut out.references);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_lines_match_indexed_lines() {
        let text = "é one\n\n  ![a](x.png) ![b](y.png)\r\nlast ✓ line ![c](z.png)";
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len(), text.len() + 5])
            .collect();
        let mut counter = LineCounter::new(text);
        for &offset in &offsets {
            assert_eq!(
                counter.at(offset),
                index.line_column(text, offset),
                "{offset}"
            );
            assert_eq!(
                counter.at(offset),
                index.line_column(text, offset),
                "again {offset}"
            );
        }
        // An earlier offset is counted again from the start.
        assert_eq!(counter.at(2), (1, 2));
        assert_eq!(counter.at(9), index.line_column(text, 9));
    }
}

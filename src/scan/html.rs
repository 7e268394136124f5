//! HTML (files, raw HTML in Markdown, Astro templates, Vue single-file
//! and Svelte components) through html5gum, a WHATWG tokenizer: `img src`, any `srcset`,
//! `poster`, `link`/`a` `href`, SVG `use`/`image` `href` (a sprite sheet's
//! `/icons.svg#name`), `meta` image `content`, `url(…)` in `style`
//! attributes and `<style>` blocks, and bound attributes (`:src="'/x.png'"`,
//! `src={"/x.png"}`). Comments are skipped; paths in `<pre>`/`<code>` text
//! are code-only. What a `<script>` holds depends on the [`Markup`].

use html5gum::{DefaultEmitter, Span, Token, Tokenizer};

use super::image_path::{looks_like_image, srcset_candidates, strength_in_code_context};
use super::{ExtractOptions, RawReference, RefKind, code_tokens, css, js};

/// The kind of markup: what `<script>` holds and what braces mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// A page: its inline scripts are code, not markup, and skipped.
    Page,
    /// A Vue component: `<script>` is read with the JS extractor.
    Component,
    /// A Svelte component: as [`Markup::Component`], and an attribute in
    /// braces is an expression, braces in a quoted value make a pattern.
    Svelte,
}

/// Appends the references in `text` (which starts at `offset` in its file).
pub fn extract(text: &str, offset: usize, out: &mut Vec<RawReference>) {
    extract_markup(
        text,
        text,
        offset,
        Markup::Page,
        &ExtractOptions::default(),
        out,
    );
}

/// Appends the references in `text`, a component of `markup`.
pub fn extract_component(
    text: &str,
    markup: Markup,
    options: &ExtractOptions,
    out: &mut Vec<RawReference>,
) {
    extract_markup(text, text, 0, markup, options, out);
}

/// Like [`extract`] for `markup`, tokenizing `tokens` — `text` itself, or a
/// copy of the same length whose expressions are masked — and reading every
/// value from `text`.
pub fn extract_markup(
    text: &str,
    tokens: &str,
    offset: usize,
    markup: Markup,
    options: &ExtractOptions,
    out: &mut Vec<RawReference>,
) {
    debug_assert_eq!(text.len(), tokens.len());
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    // Switch to RAWTEXT/script-data states after <style>/<script>, as a browser does.
    emitter.naively_switch_states(true);
    let mut open_raw: Option<RawElement> = None;
    let mut code_depth = 0usize;
    for token in Tokenizer::new_with_emitter(tokens, emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                open_raw = match name.as_str() {
                    "style" if !tag.self_closing => Some(RawElement::Style),
                    "script" if !tag.self_closing => Some(RawElement::Script),
                    _ => None,
                };
                if matches!(name.as_str(), "pre" | "code") && !tag.self_closing {
                    code_depth += 1;
                }
                let is_component = text
                    .get(tag.span.start + 1..)
                    .and_then(|s| s.chars().next())
                    .is_some_and(|c| c.is_ascii_uppercase());
                let attributes: Vec<Attribute<'_>> = tag
                    .attributes
                    .iter()
                    .filter_map(|(name, value)| Attribute::locate(text, name, value.span))
                    .collect();
                let tag = Tag {
                    name: &name,
                    is_component,
                    markup,
                };
                tag_references(&tag, &attributes, offset, options, out);
            }
            Token::EndTag(tag) => {
                if matches!(&tag.name[..], b"pre" | b"code") {
                    code_depth = code_depth.saturating_sub(1);
                }
                open_raw = None;
            }
            Token::String(string) => {
                let span = string.span;
                let Some(body) = text.get(span.start..span.end) else {
                    continue;
                };
                match open_raw {
                    Some(RawElement::Style) => css::extract(body, offset + span.start, out),
                    Some(RawElement::Script) if markup != Markup::Page => {
                        let mut found = super::Extraction::default();
                        js::extract_program(
                            body,
                            oxc_span::SourceType::ts().with_jsx(true),
                            offset + span.start,
                            options,
                            &mut found,
                        );
                        out.append(&mut found.references);
                    }
                    Some(RawElement::Script) => {}
                    None if code_depth > 0 => code_tokens(body, offset + span.start, body, out),
                    None => {}
                }
            }
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
}

#[derive(Clone, Copy)]
enum RawElement {
    Style,
    Script,
}

/// One attribute as written: lowercase name, the value's source text (without
/// quotes) and where that text starts.
struct Attribute<'a> {
    name: String,
    value: &'a str,
    offset: usize,
}

impl<'a> Attribute<'a> {
    /// Finds the value inside the attribute's span (`name="value"`); the source
    /// text is kept as written, so offsets are exact.
    fn locate(text: &'a str, name: &[u8], span: Span<usize>) -> Option<Attribute<'a>> {
        let source = text.get(span.start..span.end.min(text.len()))?;
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let Some(eq) = source.find('=') else {
            return Some(Attribute {
                name,
                value: "",
                offset: span.start,
            });
        };
        let after = &source[eq + 1..];
        let lead = after.len() - after.trim_start().len();
        let rest = &after[lead..];
        let mut start = span.start + eq + 1 + lead;
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => {
                start += 1;
                let inner = &rest[1..];
                inner.find(q).map_or(inner, |end| &inner[..end])
            }
            // An expression the tokenizer read whole (Svelte's, masked).
            Some('{') if rest.trim_end().ends_with('}') => rest.trim_end(),
            _ => rest
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .map_or(rest, |end| &rest[..end]),
        };
        Some(Attribute {
            name,
            value,
            offset: start,
        })
    }
}

/// The string inside a bound value: `{"/x.png"}` (JSX, Astro) or `'/x.png'`
/// (Vue `:src`), with its offset inside the value; `None` for other expressions.
fn quoted_literal(value: &str) -> Option<(usize, &str)> {
    let (inner, shift) = match value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
        Some(inner) => (inner, 1),
        None => (value, 0),
    };
    let trimmed = inner.trim();
    let lead = inner.len() - inner.trim_start().len();
    let first = trimmed.chars().next()?;
    if !matches!(first, '"' | '\'' | '`') || trimmed.len() < 2 || !trimmed.ends_with(first) {
        return None;
    }
    let body = &trimmed[1..trimmed.len() - 1];
    if body.contains(first) || (first == '`' && body.contains("${")) {
        return None;
    }
    Some((shift + lead + 1, body))
}

/// A start tag: its lowercase name, whether it is a component (`<Card>`),
/// and the markup it is in.
struct Tag<'n> {
    name: &'n str,
    is_component: bool,
    markup: Markup,
}

fn tag_references(
    tag: &Tag<'_>,
    attributes: &[Attribute<'_>],
    offset: usize,
    options: &ExtractOptions,
    out: &mut Vec<RawReference>,
) {
    let Tag {
        name: tag,
        is_component,
        markup,
    } = *tag;
    let get = |name: &str| attributes.iter().find(|a| a.name == name);
    for attribute in attributes {
        let (name, bound) = match attribute
            .name
            .strip_prefix("v-bind:")
            .or_else(|| attribute.name.strip_prefix(':'))
        {
            Some(name) if markup != Markup::Svelte => (name, true),
            _ => (attribute.name.as_str(), false),
        };
        if markup == Markup::Svelte
            && let Some(found) = svelte_value(attribute, offset, options)
        {
            out.extend(found.into_iter().map(|mut r| {
                if r.kind != RefKind::BaseUrl {
                    r.kind = if is_component {
                        RefKind::JsxAttr
                    } else {
                        RefKind::HtmlAttr
                    };
                }
                r
            }));
            continue;
        }
        let is_key = matches!(
            name,
            "src" | "srcset" | "poster" | "data-src" | "data-srcset"
        ) || (matches!(name, "href" | "xlink:href")
            && matches!(tag, "link" | "a" | "image" | "use"))
            || (is_component && options.is_image_key(name));
        // A bound or braced value is an expression: only a plain string literal names a path.
        let (value, at) = if bound || attribute.value.starts_with('{') {
            match quoted_literal(attribute.value) {
                Some((shift, literal)) => (literal, attribute.offset + shift),
                None => {
                    if bound {
                        let mut found = Vec::new();
                        js::extract_expression(
                            attribute.value,
                            offset + attribute.offset,
                            options,
                            &mut found,
                        );
                        out.extend(found.into_iter().map(|mut r| {
                            if r.kind != RefKind::BaseUrl {
                                r.kind = RefKind::HtmlAttr;
                            }
                            r
                        }));
                    }
                    continue;
                }
            }
        } else {
            (attribute.value, attribute.offset)
        };
        let push = |out: &mut Vec<RawReference>, at: usize, value: &str, kind: RefKind| {
            if looks_like_image(value) {
                let mut reference = RawReference::new(offset + at, value, kind);
                if is_component {
                    reference.strength = strength_in_code_context(value);
                }
                out.push(reference);
            }
        };
        let kind = if is_component {
            RefKind::JsxAttr
        } else {
            RefKind::HtmlAttr
        };
        match name {
            "srcset" | "data-srcset" => {
                for (shift, url) in srcset_candidates(value) {
                    push(out, at + shift, url, kind);
                }
            }
            "content" if tag == "meta" => {
                let property = get("property")
                    .or_else(|| get("name"))
                    .or_else(|| get("itemprop"))
                    .map(|a| a.value.to_ascii_lowercase());
                if property.is_some_and(|p| p.contains("image") || p.contains("icon")) {
                    push(out, at, value, kind);
                }
            }
            "style" => {
                let mut found = Vec::new();
                css::extract(value, offset + at, &mut found);
                out.extend(found.into_iter().map(|mut r| {
                    r.kind = kind;
                    r
                }));
            }
            _ if is_key => push(out, at, value, kind),
            // Any other attribute of a component counts only when its whole value
            // is one path: prose and shell commands (`"npm run x /a/icon.png"`) do not.
            _ if is_component && !value.contains(char::is_whitespace) => push(out, at, value, kind),
            _ => {}
        }
    }
}

/// A Svelte attribute whose value is an expression (`{…}`, read as
/// JavaScript) or holds one (`"/team/{name}.png"`, a pattern); `None` for a
/// plain value, read as in HTML.
fn svelte_value(
    attribute: &Attribute<'_>,
    offset: usize,
    options: &ExtractOptions,
) -> Option<Vec<RawReference>> {
    let value = attribute.value;
    let mut found = Vec::new();
    let whole_expression = value.starts_with('{')
        && super::svelte::closing_brace(value.as_bytes(), 0) == Some(value.len() - 1);
    if whole_expression {
        let inner = &value[1..value.len() - 1];
        if !attribute.name.starts_with('{') && !inner.trim_start().starts_with("...") {
            js::extract_expression(inner, offset + attribute.offset + 1, options, &mut found);
        }
        return Some(found);
    }
    // `{base}/images/x.png`: the base path SvelteKit's `$app/paths` gives.
    let rest = super::svelte::after_base_path(value);
    let at = offset + attribute.offset + (value.len() - rest.len());
    match super::svelte::interpolation_pattern(rest) {
        Some(pattern) if looks_like_image(&pattern) => {
            let mut reference = RawReference::new(at, &pattern, RefKind::HtmlAttr);
            reference.end = at + rest.len();
            reference.strength = super::Strength::Pattern;
            found.push(reference);
        }
        Some(_) => {}
        None if rest.len() == value.len() => return None,
        None if looks_like_image(rest) => {
            found.push(RawReference::new(at, rest, RefKind::HtmlAttr))
        }
        None => {}
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raws(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        extract(text, 0, &mut out);
        for r in &out {
            assert_eq!(&text[r.start..r.end], r.raw, "offsets point at the text");
        }
        out.into_iter().map(|r| r.raw).collect()
    }

    #[test]
    fn finds_image_attributes() {
        let html = r##"<link rel="icon" href="/favicon.ico"><meta property="og:image" content="https://x.test/og.png">
<meta name="description" content="a.png is not an image here">
<picture><source srcset="/a.webp 1x, /a@2x.webp 2x"><img src='/a.png' alt="x"></picture>
<video poster=/poster.jpg></video><div style="background:url(/bg.jpg)"></div>
<!-- <img src="/commented.png"> --><a href="/page">x</a>
<svg><use href="/icons.svg#github"></use><use xlink:href="/sprite.svg#x"/><use href="#local"/><image href="/i.png"/></svg>"##;
        assert_eq!(
            raws(html),
            [
                "/favicon.ico",
                "https://x.test/og.png",
                "/a.webp",
                "/a@2x.webp",
                "/a.png",
                "/poster.jpg",
                "/bg.jpg",
                "/icons.svg#github",
                "/sprite.svg#x",
                "/i.png"
            ]
        );
    }

    #[test]
    fn reads_jsx_like_tags() {
        assert_eq!(
            raws(r#"<Image src={"/x.png"} width={300} {...rest} />"#),
            ["/x.png"]
        );
        assert_eq!(raws(r#"<img src={hero} />"#), Vec::<String>::new());
    }

    #[test]
    fn style_blocks_scripts_and_code() {
        let html = "<style>.a{background:url(/s.png)}</style>\n<script>const x = '/in-script.png'</script>\n<pre><code>![x](/code/sample.png)</code></pre>";
        let mut out = Vec::new();
        extract(html, 0, &mut out);
        let found: Vec<(&str, bool)> = out.iter().map(|r| (r.raw.as_str(), r.in_code)).collect();
        assert_eq!(found, [("/s.png", false), ("/code/sample.png", true)]);
    }

    #[test]
    fn vue_bound_attributes() {
        let mut out = Vec::new();
        extract_component(
            r#"<img :src="'/bound.png'"><img v-bind:src="dark ? '/d.png' : '/l.png'"><script setup>import a from './a.png'</script>"#,
            Markup::Component,
            &ExtractOptions::default(),
            &mut out,
        );
        let raws: Vec<&str> = out.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(raws, ["/bound.png", "/d.png", "/l.png", "./a.png"]);
    }

    #[test]
    fn prose_in_component_attributes_is_not_a_reference() {
        assert_eq!(
            raws(r#"<Code code="npm run app icon /path/to/icon.png" thumb="/t.png" />"#),
            ["/t.png"]
        );
    }

    #[test]
    fn hostile_bytes_do_not_panic() {
        for text in [
            "<c={png\u{e9}",
            "<a src=\"\u{e9}",
            "<img src='/x.png",
            "<",
            "<a =",
            "<a b=c\u{1F600}",
        ] {
            let mut out = Vec::new();
            extract(text, 0, &mut out);
        }
    }
}

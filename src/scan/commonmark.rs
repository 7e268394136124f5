//! The fast path for Markdown that uses no MDX syntax: pulldown-cmark, some
//! thirty times faster than a full MDX parse. It is taken only when the
//! outcome is the same — see [`is_plain`] — so skipping the MDX parser is exact.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use super::image_path::looks_like_image;
use super::{RawReference, RefKind, html};

/// Whether an MDX document reads the same as CommonMark: no JSX or HTML (`<`),
/// no expressions (`{`), no ESM (`import`/`export` lines), and no indented
/// code (MDX has none, CommonMark does).
pub fn is_plain(text: &str) -> bool {
    memchr::memchr2(b'<', b'{', text.as_bytes()).is_none()
        && !text.lines().any(|line| {
            line.starts_with("import ")
                || line.starts_with("export ")
                || line.starts_with("    ")
                || line.starts_with('\t')
        })
}

/// Appends the references in `text` (frontmatter is handled by the caller).
pub fn extract(text: &str, out: &mut Vec<RawReference>) {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS);
    options.insert(Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS);
    let parser = Parser::new_ext(text, options);
    let mut definitions: Vec<(usize, String)> = parser
        .reference_definitions()
        .iter()
        .map(|(_, def)| {
            (
                locate(text, def.span.clone(), &def.dest, false),
                def.dest.to_string(),
            )
        })
        .collect();
    definitions.sort();
    for (at, dest) in definitions {
        push(text, out, at, &dest, RefKind::MdDefinition, false);
    }
    let mut in_code_block = false;
    let mut html: Option<std::ops::Range<usize>> = None;
    let flush_html = |html: &mut Option<std::ops::Range<usize>>, out: &mut Vec<RawReference>| {
        if let Some(range) = html.take() {
            html::extract(&text[range.clone()], range.start, out);
        }
    };
    for (event, range) in parser.into_offset_iter() {
        match &event {
            Event::Html(_) | Event::InlineHtml(_) => {
                html = match html.take() {
                    Some(open) if open.end >= range.start => {
                        Some(open.start..range.end.max(open.end))
                    }
                    Some(open) => {
                        html::extract(&text[open.clone()], open.start, out);
                        Some(range.clone())
                    }
                    None => Some(range.clone()),
                };
                continue;
            }
            _ => flush_html(&mut html, out),
        }
        match event {
            // `![alt][id]` names its definition, which is reported where the
            // URL is written (as the MDX path does).
            Event::Start(Tag::Image {
                dest_url,
                link_type,
                ..
            }) if !is_reference_style(link_type) => {
                let at = locate(text, range, &dest_url, false);
                push(text, out, at, &dest_url, RefKind::MdImage, false);
            }
            Event::Start(Tag::Link {
                dest_url,
                link_type,
                ..
            }) if !is_reference_style(link_type) => {
                let at = locate(text, range, &dest_url, true);
                push(text, out, at, &dest_url, RefKind::MdImage, false);
            }
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(code) if in_code_block => code_tokens(text, out, range, &code),
            Event::Code(code) => code_tokens(text, out, range, &code),
            _ => {}
        }
    }
    flush_html(&mut html, out);
}

fn is_reference_style(link_type: LinkType) -> bool {
    matches!(
        link_type,
        LinkType::Reference
            | LinkType::ReferenceUnknown
            | LinkType::Collapsed
            | LinkType::CollapsedUnknown
            | LinkType::Shortcut
            | LinkType::ShortcutUnknown
    )
}

/// Where `needle` is written inside `range` (the last occurrence for links,
/// whose destination follows their text), else the range start.
fn locate(text: &str, range: std::ops::Range<usize>, needle: &str, last: bool) -> usize {
    let slice = text.get(range.clone()).unwrap_or("");
    let found = if last {
        slice.rfind(needle)
    } else {
        slice.find(needle)
    };
    found.map_or(range.start, |i| range.start + i)
}

fn push(
    text: &str,
    out: &mut Vec<RawReference>,
    at: usize,
    raw: &str,
    kind: RefKind,
    in_code: bool,
) {
    if !looks_like_image(raw) {
        return;
    }
    let mut reference = RawReference::new(at, raw, kind);
    reference.in_code = in_code;
    if text.get(at..at + raw.len()) != Some(raw) {
        reference.end = at;
    }
    out.push(reference);
}

/// Paths mentioned in code, reported with `in_code` (as the MDX path does).
fn code_tokens(text: &str, out: &mut Vec<RawReference>, range: std::ops::Range<usize>, code: &str) {
    let source = text.get(range.clone()).unwrap_or("");
    super::code_tokens(source, range.start, code, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_detection() {
        assert!(is_plain("---\ncover: /a.png\n---\n# T\n\n![x](/b.png)\n"));
        assert!(!is_plain("import A from './a'\n"));
        assert!(!is_plain("<Card />\n"));
        assert!(!is_plain("{props.x}\n"));
        assert!(!is_plain("text\n\n    indented\n"));
    }
}

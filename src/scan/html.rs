//! HTML (files, raw HTML in Markdown, Astro templates): image attributes found
//! by a small tag scanner. `img src`, `source srcset`, any `srcset`, `poster`,
//! `link rel=icon href`, `meta property=og:image content`, and `url(…)` in
//! `style` attributes.

use super::image_path::{looks_like_image, srcset_candidates};
use super::{RawReference, RefKind, css};

/// One attribute of a tag: name (lowercase), value, value's byte offset.
struct Attribute<'a> {
    name: String,
    value: &'a str,
    offset: usize,
}

/// Appends the references in `text` (which starts at `offset` in its file).
pub fn extract(text: &str, offset: usize, out: &mut Vec<RawReference>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(lt) = memchr(b'<', &bytes[i..]) {
        let start = i + lt + 1;
        if text[start..].starts_with("!--") {
            i = text[start..]
                .find("-->")
                .map_or(bytes.len(), |e| start + e + 3);
            continue;
        }
        let name_end = start
            + bytes[start..]
                .iter()
                .position(|b| {
                    !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b':' || *b == b'.')
                })
                .unwrap_or(bytes.len() - start);
        if name_end == start {
            i = start;
            continue;
        }
        let raw_tag = &text[start..name_end];
        let is_component = raw_tag.starts_with(|c: char| c.is_ascii_uppercase());
        let tag = raw_tag.to_ascii_lowercase();
        let (attributes, end) = attributes(text, name_end);
        tag_references(&tag, is_component, &attributes, offset, out);
        i = end.max(start);
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|b| *b == needle)
}

/// Parses attributes from `from` to the closing `>`; returns them and the index after `>`.
fn attributes(text: &str, from: usize) -> (Vec<Attribute<'_>>, usize) {
    let bytes = text.as_bytes();
    let mut attrs = Vec::new();
    let mut i = from;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' || bytes[i] == b'<' {
            return (attrs, (i + 1).min(bytes.len()));
        }
        if bytes[i] == b'{' {
            // JSX-style expression attribute: skip balanced braces.
            i = skip_braces(bytes, i);
            continue;
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = text[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let (value, offset, next) = match bytes.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let end = memchr(q, &bytes[i + 1..]).map_or(bytes.len(), |e| i + 1 + e);
                    (&text[i + 1..end], i + 1, (end + 1).min(bytes.len()))
                }
                Some(b'{') => {
                    let end = skip_braces(bytes, i);
                    let inner = &text[i + 1..end.saturating_sub(1).max(i + 1)];
                    let trimmed = inner.trim();
                    let quoted = trimmed.len() >= 2
                        && matches!(trimmed.as_bytes()[0], b'"' | b'\'' | b'`')
                        && trimmed.as_bytes()[0] == trimmed.as_bytes()[trimmed.len() - 1];
                    if quoted {
                        let at = i + 1 + inner.find(trimmed).unwrap_or(0) + 1;
                        (&trimmed[1..trimmed.len() - 1], at, end)
                    } else {
                        ("", i, end)
                    }
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    (&text[start..i], start, i)
                }
            };
            attrs.push(Attribute {
                name,
                value,
                offset,
            });
            i = next;
        } else if !name.is_empty() {
            attrs.push(Attribute {
                name,
                value: "",
                offset: i,
            });
        }
    }
}

fn skip_braces(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

fn tag_references(
    tag: &str,
    is_component: bool,
    attrs: &[Attribute<'_>],
    offset: usize,
    out: &mut Vec<RawReference>,
) {
    let get = |name: &str| attrs.iter().find(|a| a.name == name);
    let push = |out: &mut Vec<RawReference>, at: usize, value: &str| {
        if looks_like_image(value) {
            out.push(RawReference::new(offset + at, value, RefKind::HtmlAttr));
        }
    };
    for attr in attrs {
        match attr.name.as_str() {
            "src" | "poster" | "data-src" => push(out, attr.offset, attr.value),
            "srcset" | "data-srcset" => {
                for (at, url) in srcset_candidates(attr.value) {
                    push(out, attr.offset + at, url);
                }
            }
            "href" if tag == "link" || tag == "a" || tag == "image" => {
                push(out, attr.offset, attr.value)
            }
            "content" if tag == "meta" => {
                let property = get("property")
                    .or_else(|| get("name"))
                    .map(|a| a.value.to_ascii_lowercase());
                if property.is_some_and(|p| p.contains("image") || p.contains("icon")) {
                    push(out, attr.offset, attr.value);
                }
            }
            // A component (`<ShowcaseCard thumbnail="x.png" />` in Astro or MDX)
            // hands the value to code that picks the folder: weak when bare.
            _ if is_component && looks_like_image(attr.value) => {
                let mut reference =
                    RawReference::new(offset + attr.offset, attr.value, RefKind::JsxAttr);
                reference.strength = super::image_path::strength_in_code_context(attr.value);
                out.push(reference);
            }
            "style" => {
                let mut found = Vec::new();
                css::extract(attr.value, offset + attr.offset, &mut found);
                out.extend(found.into_iter().map(|mut r| {
                    r.kind = RefKind::HtmlAttr;
                    r
                }));
            }
            _ => {}
        }
    }
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
        let html = r#"<link rel="icon" href="/favicon.ico"><meta property="og:image" content="https://x.test/og.png">
<meta name="description" content="a.png is not an image here">
<picture><source srcset="/a.webp 1x, /a@2x.webp 2x"><img src='/a.png' alt="x"></picture>
<video poster=/poster.jpg></video><div style="background:url(/bg.jpg)"></div>
<!-- <img src="/commented.png"> --><a href="/page">x</a>"#;
        assert_eq!(
            raws(html),
            [
                "/favicon.ico",
                "https://x.test/og.png",
                "/a.webp",
                "/a@2x.webp",
                "/a.png",
                "/poster.jpg",
                "/bg.jpg"
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
}

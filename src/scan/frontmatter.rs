//! Frontmatter (`---` YAML, `+++` TOML): any scalar that names an image,
//! whatever its key — `cover:`, `hero.image.file:`, `images: [...]`.

use super::image_path::{looks_like_image, strength_in_code_context};
use super::{RawReference, RefKind};

/// Finds a frontmatter block fenced by `marker` lines at the very start of
/// `text`: (body start, body end, index after the closing fence).
pub fn fence(text: &str, marker: &str) -> Option<(usize, usize, usize)> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[bom..];
    let first_line_end = rest.find('\n')?;
    if rest[..first_line_end].trim_end() != marker {
        return None;
    }
    let body_start = bom + first_line_end + 1;
    let mut at = body_start;
    for line in text[body_start..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == marker || (marker == "---" && trimmed == "...") {
            return Some((body_start, at, at + line.len()));
        }
        at += line.len();
    }
    None
}

/// Appends references from a YAML or TOML frontmatter `body` starting at `offset`.
pub fn extract(body: &str, offset: usize, out: &mut Vec<RawReference>) {
    let mut at = offset;
    for line in body.split_inclusive('\n') {
        for (start, value) in scalars(line) {
            if looks_like_image(value) {
                let mut reference = RawReference::new(at + start, value, RefKind::Frontmatter);
                reference.strength = strength_in_code_context(value);
                out.push(reference);
            }
        }
        at += line.len();
    }
}

/// The scalar values on one YAML or TOML line, with their offsets: quoted
/// strings anywhere, and the unquoted value after `key:`, `key =` or `- `,
/// split on commas inside `[…]`.
fn scalars(line: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut quoted_any = false;
    let mut comment = line.len();
    while i < bytes.len() {
        match bytes[i] {
            b'#' if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                comment = i;
                break;
            }
            q @ (b'"' | b'\'') => {
                let end = bytes[i + 1..]
                    .iter()
                    .position(|b| *b == q)
                    .map(|e| i + 1 + e);
                let Some(end) = end else { break };
                found.push((i + 1, &line[i + 1..end]));
                quoted_any = true;
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    if quoted_any {
        return found;
    }
    let content = line[..comment].trim_end();
    let indent = content.len() - content.trim_start().len();
    let mut value_start = indent;
    let body = &content[indent..];
    if let Some(rest) = body.strip_prefix("- ") {
        value_start += body.len() - rest.len();
    }
    let body = &content[value_start..];
    if let Some(colon) = body
        .find(": ")
        .or_else(|| body.strip_suffix(':').map(|b| b.len()))
    {
        value_start += colon + 1;
    } else if let Some(eq) = body.find(" = ") {
        value_start += eq + 2;
    }
    let value = &content[value_start..];
    let value_start = value_start + (value.len() - value.trim_start().len());
    let value = value.trim();
    let (value, value_start) = match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        Some(inner) => (inner, value_start + 1),
        None => (value, value_start),
    };
    let mut at = value_start;
    for item in value.split(',') {
        let trimmed = item.trim();
        if !trimmed.is_empty() {
            found.push((at + (item.len() - item.trim_start().len()), trimmed));
        }
        at += item.len() + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Strength;

    #[test]
    fn finds_values_under_any_key() {
        let text = "---\ntitle: Hello\ncover: /images/covers/a.png\nhero:\n  image:\n    file: ~/assets/hero.webp\nimages: ['/img/1.jpg', \"/img/2.jpg\"]\nthumb: b.png # comment\nlist:\n  - /img/3.png\n  - https://x.test/og.png\nnote: not.an.image.txt\n---\n# Body ![x](/not/frontmatter.png)\n";
        let (start, end, after) = fence(text, "---").unwrap();
        assert!(text[after..].starts_with("# Body"));
        let mut out = Vec::new();
        extract(&text[start..end], start, &mut out);
        let raws: Vec<&str> = out.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(
            raws,
            [
                "/images/covers/a.png",
                "~/assets/hero.webp",
                "/img/1.jpg",
                "/img/2.jpg",
                "b.png",
                "/img/3.png",
                "https://x.test/og.png"
            ]
        );
        for r in &out {
            assert_eq!(&text[r.start..r.end], r.raw);
        }
        assert_eq!(out[4].strength, Strength::WeakBasename);
        assert_eq!(out[0].strength, Strength::Strong);
    }

    #[test]
    fn toml_frontmatter() {
        let text = "+++\ntitle = \"x\"\nfeatureImage = \"/img/feature.png\"\nimages = [\"a/b.jpg\"]\n+++\n";
        let (start, end, _) = fence(text, "+++").unwrap();
        let mut out = Vec::new();
        extract(&text[start..end], start, &mut out);
        let raws: Vec<&str> = out.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(raws, ["/img/feature.png", "a/b.jpg"]);
    }

    #[test]
    fn no_fence_no_frontmatter() {
        assert_eq!(fence("# Title\n---\n", "---"), None);
        assert_eq!(fence("---\nunclosed: x.png\n", "---"), None);
    }
}

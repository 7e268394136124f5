//! Go template actions in a Hugo site's HTML layouts: `{{ "images/logo.png"
//! | relURL }}` names a file of the static folder, `{{ with resources.Get
//! "images/logo.png" }}` one of the asset folder (`assets/`, what Hugo's
//! pipes read), and a path written right after `{{ .Site.BaseURL }}` one of
//! the static folder. The HTML around the actions is read by the HTML
//! extractor.

use memchr::memmem;

use super::image_path::looks_like_image;
use super::{Base, RawReference, RefKind};

/// Appends the image paths written as string literals in the actions of `text`.
pub fn extract(text: &str, out: &mut Vec<RawReference>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = memmem::find(&bytes[at..], b"{{") {
        let start = at + found + 2;
        // Each action is read once, up to its closer: linear in the text.
        let Some(length) = memmem::find(&bytes[start..], b"}}") else {
            break;
        };
        at = start + length + 2;
        let body = &text[start..start + length];
        action(body, start, out);
        if is_base_url(body) {
            after_base_url(text, at, out);
        }
    }
}

/// Whether an action prints the site's base URL (which ends with `/`).
fn is_base_url(body: &str) -> bool {
    let body = body.trim_matches(|c: char| c == '-' || c.is_whitespace());
    [".Site.BaseURL", "site.BaseURL", "$.Site.BaseURL"].contains(&body)
}

/// The path written right after a base-URL action, at `at`
/// (`{{ .Site.BaseURL }}images/logo.png`): a file of the static folder.
fn after_base_url(text: &str, at: usize, out: &mut Vec<RawReference>) {
    let rest = &text[at..];
    // Up to the next action too: a path with an action in it is not one
    // file, and no byte is looked at twice.
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | '{'))
        .unwrap_or(rest.len());
    let path = &rest[..end];
    if !rest[end..].starts_with('{') && looks_like_image(path) {
        out.push(RawReference::new(at, path, RefKind::Template).with_base(Base::Static));
    }
}

/// The image paths among the string literals of one action (`body`, at
/// byte `offset` of the file).
fn action(body: &str, offset: usize, out: &mut Vec<RawReference>) {
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(found) = memchr::memchr2(b'"', b'`', &bytes[i..]) {
        let open = i + found;
        let (from, to) = (open + 1, literal_end(bytes, open));
        i = (to + 1).min(bytes.len());
        let Some(raw) = body.get(from..to) else {
            continue;
        };
        if raw.contains('\\') || !looks_like_image(raw) {
            continue;
        }
        let before = body[..open].trim_end();
        // Global resources (not a page's `.Resources`) come from the asset folder.
        let base = if ["resources.Get", "resources.GetMatch", "resources.Match"]
            .iter()
            .any(|call| {
                before.ends_with(call) && !before[..before.len() - call.len()].ends_with('.')
            }) {
            Base::Assets
        } else if before.ends_with(".Resources.Get") || before.ends_with(".Resources.GetMatch") {
            // A page's own resources: which page is not known here.
            continue;
        } else {
            Base::Static
        };
        out.push(RawReference::new(offset + from, raw, RefKind::Template).with_base(base));
    }
}

/// Where the Go string literal opening at `open` (a `"` or a backquote)
/// ends: its closing quote, or the end of `bytes`. A raw string (backquotes)
/// has no escapes. Hugo's shortcode parameters are quoted the same way.
pub(super) fn literal_end(bytes: &[u8], open: usize) -> usize {
    let quote = bytes[open];
    let mut j = open + 1;
    while j < bytes.len() && bytes[j] != quote {
        j += if bytes[j] == b'\\' && quote == b'"' {
            2
        } else {
            1
        };
    }
    j.min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, Base)> {
        let mut out = Vec::new();
        extract(text, &mut out);
        for r in &out {
            assert_eq!(&text[r.start..r.end], r.raw, "offsets point at the value");
        }
        out.into_iter().map(|r| (r.raw, r.base)).collect()
    }

    #[test]
    fn template_strings_name_static_and_asset_files() {
        let text = r#"<img src="{{ "images/banner.png" | relURL }}">
{{ with resources.Get "images/logo.png" }}<img src="{{ .RelPermalink }}">{{ end }}
{{ $m := resources.GetMatch `img/*.svg` }}
{{ with .Resources.Get "cover.jpg" }}{{ end }}
<link rel="icon" href="{{ "favicon.ico" | absURL }}">
<img src="{{ .Site.BaseURL }}images/base.png"><img src="{{- site.BaseURL -}}img/{{ .File }}.png">
<div style="background: url({{ .Site.BaseURL }}bg/hero.jpg)"></div>
{{ .Title }} {{ "not an image" }}"#;
        assert_eq!(
            found(text),
            [
                ("images/banner.png".to_owned(), Base::Static),
                ("images/logo.png".to_owned(), Base::Assets),
                ("img/*.svg".to_owned(), Base::Assets),
                ("favicon.ico".to_owned(), Base::Static),
                ("images/base.png".to_owned(), Base::Static),
                ("bg/hero.jpg".to_owned(), Base::Static),
            ]
        );
    }

    #[test]
    fn unfinished_actions_and_strings_end_the_scan() {
        for text in [
            "{{ \"a.png",
            "{{ \"a.png\" ",
            "{{",
            "}} {{ `x.png",
            "{{ \"a\\\"b.png\" }}",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
        let many = "{{ \"".repeat(100_000);
        assert!(found(&many).is_empty());
        let bases = "{{.Site.BaseURL}}".repeat(100_000);
        let started = std::time::Instant::now();
        assert!(found(&bases).is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

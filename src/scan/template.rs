//! Template tags in a site's pages and layouts, for the two template
//! languages static sites are written in:
//!
//! - Hugo's Go templates: `{{ "images/logo.png" | relURL }}` names a file of
//!   the static folder, `{{ with resources.Get "images/logo.png" }}` one of
//!   the asset folder (`assets/`, what Hugo's pipes read);
//! - Jekyll's Liquid: `{{ '/assets/logo.png' | relative_url }}` and the
//!   string parameters of `{% include figure.html image="/assets/x.png" %}`
//!   name files of the site (Jekyll serves its root); `{% raw %}` is skipped.
//!
//! In both, a path written right after the base-URL output
//! (`{{ .Site.BaseURL }}images/x.png`, `{{ site.baseurl }}/assets/x.png`) is
//! a file of the static folder. The HTML or Markdown around the tags is read
//! by its own extractor.

use memchr::memmem;

use super::image_path::looks_like_image;
use super::{Base, RawReference, RefKind};

/// The template language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Go templates (Hugo): `"…"` with escapes and `` `…` `` strings.
    Go,
    /// Liquid (Jekyll): `'…'` and `"…"` strings, `{% %}` tags too.
    Liquid,
}

/// Appends the image paths written as string literals in the tags of `text`.
pub fn extract(text: &str, dialect: Dialect, out: &mut Vec<RawReference>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = next_tag(bytes, at, dialect) {
        let (open, close): (&[u8], &[u8]) = match &bytes[found..found + 2] {
            b"{%" => (b"{%", b"%}"),
            _ => (b"{{", b"}}"),
        };
        let start = found + open.len();
        // Each tag is read once, up to its closer: linear in the text.
        let Some(length) = memmem::find(&bytes[start..], close) else {
            break;
        };
        at = start + length + close.len();
        let body = &text[start..start + length];
        if dialect == Dialect::Liquid && open == b"{%" && tag_name(body) == "raw" {
            // Liquid prints what `{% raw %}` holds as written.
            match memmem::find(&bytes[at..], b"endraw") {
                Some(end) => at += end,
                None => break,
            }
            continue;
        }
        action(body, start, dialect, out);
        if open == b"{{" && is_base_url(body, dialect) {
            after_base_url(text, at, out);
        }
    }
}

/// Where the next tag of `dialect` opens at or after `from`.
fn next_tag(bytes: &[u8], from: usize, dialect: Dialect) -> Option<usize> {
    let rest = bytes.get(from..)?;
    match dialect {
        Dialect::Go => memmem::find(rest, b"{{").map(|i| from + i),
        Dialect::Liquid => {
            let mut i = 0;
            loop {
                let brace = memchr::memchr(b'{', &rest[i..])? + i;
                if matches!(rest.get(brace + 1), Some(b'{' | b'%')) {
                    return Some(from + brace);
                }
                i = brace + 1;
            }
        }
    }
}

/// A Liquid tag's name (`raw` in `{%- raw -%}`).
fn tag_name(body: &str) -> &str {
    body.trim_matches(|c: char| c == '-' || c.is_whitespace())
        .split(char::is_whitespace)
        .next()
        .unwrap_or("")
}

/// Whether an output prints the site's base URL: Hugo's ends with `/`,
/// Jekyll's does not (`{{ site.baseurl }}/x.png`).
fn is_base_url(body: &str, dialect: Dialect) -> bool {
    let body = body.trim_matches(|c: char| c == '-' || c.is_whitespace());
    match dialect {
        Dialect::Go => [".Site.BaseURL", "site.BaseURL", "$.Site.BaseURL"].contains(&body),
        Dialect::Liquid => ["site.baseurl", "site.url", "site.github.url"].contains(&body),
    }
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
fn action(body: &str, offset: usize, dialect: Dialect, out: &mut Vec<RawReference>) {
    let bytes = body.as_bytes();
    let second_quote = match dialect {
        Dialect::Go => b'`',
        Dialect::Liquid => b'\'',
    };
    let mut i = 0;
    while let Some(found) = memchr::memchr2(b'"', second_quote, &bytes[i..]) {
        let open = i + found;
        let to = match dialect {
            Dialect::Go => literal_end(bytes, open),
            // Liquid strings have no escapes.
            Dialect::Liquid => memchr::memchr(bytes[open], &bytes[open + 1..])
                .map_or(bytes.len(), |end| open + 1 + end),
        };
        let from = open + 1;
        i = (to + 1).min(bytes.len());
        let Some(raw) = body.get(from..to) else {
            continue;
        };
        if raw.contains('\\') || !looks_like_image(raw) {
            continue;
        }
        if dialect == Dialect::Liquid {
            out.push(
                RawReference::new(offset + from, raw, RefKind::Template).with_base(Base::Static),
            );
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
        found_in(text, Dialect::Go)
    }

    fn found_in(text: &str, dialect: Dialect) -> Vec<(String, Base)> {
        let mut out = Vec::new();
        extract(text, dialect, &mut out);
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
    fn liquid_outputs_tags_and_the_base_url() {
        let text = r#"<img src="{{ '/assets/img/logo.png' | relative_url }}">
![Diagram]({{ site.baseurl }}/assets/img/diagram.svg)
<link rel="icon" href="{{ site.url }}{{ site.baseurl }}/favicon.png">
{% include figure.html image="/assets/img/fig.jpg" caption='A "quoted" png' %}
{% raw %}{{ '/assets/img/escaped.png' | relative_url }}{% endraw %}
{{ "/assets/img/after-raw.webp" | absolute_url }} {{ site.baseurl }}/posts/{{ page.slug }}.png"#;
        let got: Vec<String> = found_in(text, Dialect::Liquid)
            .into_iter()
            .map(|(raw, base)| {
                assert_eq!(base, Base::Static);
                raw
            })
            .collect();
        assert_eq!(
            got,
            [
                "/assets/img/logo.png",
                "/assets/img/diagram.svg",
                "/favicon.png",
                "/assets/img/fig.jpg",
                "/assets/img/after-raw.webp",
            ]
        );
        // Liquid's apostrophes are strings; Go's are not.
        assert!(found("{{ '/assets/x.png' }}").is_empty());
        let unclosed = "{% raw %}".repeat(1000) + &"{{ '/x.png' }}".repeat(1000);
        assert!(found_in(&unclosed, Dialect::Liquid).is_empty());
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

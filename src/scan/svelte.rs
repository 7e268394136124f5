//! Svelte components (`.svelte`): markup, `<script>` and `<style>` as in a
//! Vue component, plus Svelte's braces. An attribute's `{expression}` is read
//! as JavaScript (`src={dark ? '/d.png' : '/l.png'}`), a quoted value with
//! braces inside is a pattern (`src="/team/{name}.png"` → `/team/*.png`), and
//! text in braces (`{#if a < b}`) is not taken for markup.
//!
//! The HTML tokenizer knows nothing of braces, so it reads a masked copy of
//! the file: inside each brace pair of the markup, the bytes that would end an
//! attribute or open a tag are replaced by `_`. Offsets are unchanged, so
//! every value is then read from the file as written.

use super::html::{self, Markup};
use super::image_path::find_ascii_ci;
use super::{ExtractOptions, RawReference};

/// Appends the references in a Svelte component.
pub fn extract(text: &str, options: &ExtractOptions, out: &mut Vec<RawReference>) {
    let masked = mask(text);
    html::extract_markup(text, &masked, 0, Markup::Svelte, options, out);
}

/// `text` with the inside of every brace pair in its markup masked (see the
/// module notes); `<script>`, `<style>` and comments are left as written.
/// One pass: each byte is looked at once.
pub fn mask(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut masked = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                i = match raw_element_end(bytes, i) {
                    Some(end) => end,
                    None => break,
                };
            }
            b'{' => match closing_brace(bytes, i) {
                Some(close) => {
                    for byte in &mut masked[i + 1..close] {
                        if byte.is_ascii_whitespace()
                            || matches!(*byte, b'<' | b'>' | b'"' | b'\'' | b'`' | b'=')
                        {
                            *byte = b'_';
                        }
                    }
                    i = close + 1;
                }
                // An unclosed brace: the rest is read as written.
                None => break,
            },
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced, by ASCII.
    String::from_utf8(masked).expect("masking keeps UTF-8")
}

/// At a `<`: where scanning resumes — after a comment or a whole
/// `<script>`/`<style>` element, else just past the `<`; `None` when such
/// an element or comment never ends (nothing after it is markup).
fn raw_element_end(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = &bytes[at..];
    if rest.starts_with(b"<!--") {
        return memchr::memmem::find(&rest[4..], b"-->").map(|end| at + 4 + end + 3);
    }
    for name in [&b"script"[..], b"style"] {
        let after = 1 + name.len();
        let opens = rest.len() > after
            && rest[1..after].eq_ignore_ascii_case(name)
            && matches!(rest[after], b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r');
        if opens {
            let closer = [b"</", name].concat();
            return find_ascii_ci(&rest[after..], &closer)
                .map(|end| at + after + end + closer.len());
        }
    }
    Some(at + 1)
}

/// The `}` that closes the `{` at `open`: nested braces counted, strings,
/// template literals and comments of the expression skipped.
pub fn closing_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            quote @ (b'"' | b'\'' | b'`') => i = string_end(bytes, i + 1, quote)?,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i += memchr::memchr(b'\n', &bytes[i..])?;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2 + memchr::memmem::find(&bytes[i + 2..], b"*/")? + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The closing `quote` of a string whose text starts at `from` (escapes
/// skipped); a quote or apostrophe string also ends at a line break, as it
/// must in JavaScript (an apostrophe in prose stays harmless).
fn string_end(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' if quote != b'`' => return Some(i),
            byte if byte == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `value` without a leading `{…}` directly before `/` (`{base}/x.png` →
/// `/x.png`): a base path, as in a template literal.
pub fn after_base_path(value: &str) -> &str {
    if !value.starts_with('{') {
        return value;
    }
    match closing_brace(value.as_bytes(), 0) {
        Some(close) if value[close + 1..].starts_with('/') => &value[close + 1..],
        _ => value,
    }
}

/// A quoted attribute value with braces inside (`/team/{name}.png`) as a
/// pattern (`/team/*.png`); `None` when it has none or one never closes.
pub fn interpolation_pattern(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut pattern = String::new();
    let mut from = 0;
    while let Some(open) = memchr::memchr(b'{', &bytes[from..]).map(|at| from + at) {
        let close = closing_brace(bytes, open)?;
        pattern.push_str(&value[from..open]);
        pattern.push('*');
        from = close + 1;
    }
    if from == 0 {
        return None;
    }
    pattern.push_str(&value[from..]);
    Some(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Strength;

    fn refs(text: &str) -> Vec<(String, Strength)> {
        let mut out = Vec::new();
        extract(text, &ExtractOptions::default(), &mut out);
        for r in &out {
            if r.strength != Strength::Pattern {
                assert_eq!(&text[r.start..r.end], r.raw, "offsets of {r:?}");
            }
        }
        out.into_iter().map(|r| (r.raw, r.strength)).collect()
    }

    #[test]
    fn reads_a_component() {
        let text = r#"<script lang="ts">
	import welcome from '$lib/images/svelte-welcome.webp';
	let { dark = false, name } = $props();
</script>

<svelte:head><link rel="icon" href="/favicon.png" /></svelte:head>
{#if count > 1 && a < b}
	<img src={dark ? '/logo-dark.svg' : '/logo.svg'} alt="logo {name}" />
{:else}
	<img src="/team/{name}.png" alt="" /> <img {src} /> <img src={welcome} />
	<img src="{base}/images/based.png" alt="" /> <img src="{base}/shots/{n}.png" alt="" />
{/if}
<Card image="/cards/one.jpg" on:click={() => go('/x')} />
<!-- <img src="/commented.png"> -->
<svg><use href="/icons.svg#github" /></svg>
<style>
	.hero { background: url(/hero-bg.jpg); }
</style>
"#;
        let found = refs(text);
        let raws: Vec<&str> = found.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            raws,
            [
                "$lib/images/svelte-welcome.webp",
                "/favicon.png",
                "/logo-dark.svg",
                "/logo.svg",
                "/team/*.png",
                "/images/based.png",
                "/shots/*.png",
                "/cards/one.jpg",
                "/icons.svg#github",
                "/hero-bg.jpg",
            ]
        );
        assert_eq!(found[4].1, Strength::Pattern);
        assert_eq!(found[5].1, Strength::Strong);
        assert_eq!(found[6].1, Strength::Pattern);
    }

    #[test]
    fn masking_keeps_length_and_stops_at_an_unclosed_brace() {
        for text in [
            "<p>{a > b ? \"x\" : 'y'}</p>",
            "{ '}' + `}${1}` /* } */ }",
            "<p>{unclosed <img src=\"/x.png\">",
            "<script>{</script>{ é }",
            "<style",
            "{\"é",
        ] {
            assert_eq!(mask(text).len(), text.len(), "{text}");
        }
        assert_eq!(mask("{a > b}<i>"), "{a___b}<i>");
        assert_eq!(
            interpolation_pattern("/a/{x}-{y}.png").as_deref(),
            Some("/a/*-*.png")
        );
        assert_eq!(interpolation_pattern("/a/x.png"), None);
        assert_eq!(interpolation_pattern("/a/{x.png"), None);
    }

    #[test]
    fn many_unclosed_braces_are_read_once() {
        let text = "{".repeat(100_000);
        let started = std::time::Instant::now();
        let _ = mask(&text);
        let _ = refs(&format!("<img src=\"/x.png\">{text}"));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

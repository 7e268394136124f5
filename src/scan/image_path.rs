//! What counts as an image reference in a string, and the small scanners every
//! syntax shares: `url(…)` in CSS, `srcset` candidates, query and loader
//! prefixes.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::Strength;

/// File extensions of images, lowercase.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "tif", "tiff", "apng", "jxl",
];

static PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(IMAGE_EXTENSIONS.iter().chain(&["url("]))
        .expect("the prefilter patterns are valid")
});

/// Whether `text` could hold any image reference. Every extractor only reports
/// strings naming an image extension (or a CSS `url(`), so a file without one
/// of those words has none: skipping its parse is exact.
pub fn may_contain_reference(text: &str) -> bool {
    PREFILTER.is_match(text)
}

/// The part of a reference that names a file: loader prefixes
/// (`!file-loader!./x.png`), `pathname://`, query and fragment removed.
pub fn path_part(raw: &str) -> &str {
    let raw = raw.trim();
    let raw = raw.rsplit_once('!').map_or(raw, |(_, rest)| rest);
    let raw = raw.strip_prefix("pathname://").unwrap_or(raw);
    let end = raw.find(['?', '#']).unwrap_or(raw.len());
    &raw[..end]
}

/// Whether the string is an absolute URL or otherwise not a file path.
pub fn is_external(raw: &str) -> bool {
    let lower = raw
        .trim_start()
        .get(..12)
        .unwrap_or(raw)
        .to_ascii_lowercase();
    [
        "http://", "https://", "//", "data:", "mailto:", "blob:", "ftp://",
    ]
    .iter()
    .any(|scheme| lower.starts_with(scheme))
}

/// The lowercase image extension a path ends with, if any; needs a non-empty
/// stem, so `.png` alone (an extension list entry) is not a reference.
pub fn image_extension(path: &str) -> Option<&'static str> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || stem == "*" {
        return None;
    }
    IMAGE_EXTENSIONS
        .iter()
        .find(|e| e.eq_ignore_ascii_case(ext))
        .copied()
}

/// Whether a string written in a source file names an image (a path, URL or
/// pattern ending in an image extension, possibly with a query).
pub fn looks_like_image(raw: &str) -> bool {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 2048 || raw.contains(['\n', '<', '>', '"', '\'', '`']) {
        return false;
    }
    if raw.starts_with("data:") {
        return false;
    }
    let path = path_part(raw);
    if path.contains(char::is_whitespace) && !path.contains('/') {
        return false;
    }
    image_extension(path).is_some() || is_glob_for_images(path)
}

/// A glob whose extension part names image types: `*.{png,jpg}`, `**/*.png`.
pub fn is_glob_for_images(path: &str) -> bool {
    if !path.contains(['*', '{']) {
        return false;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let ext = ext.trim_start_matches('{').trim_end_matches('}');
    ext.split(',').any(|e| {
        IMAGE_EXTENSIONS
            .iter()
            .any(|i| i.eq_ignore_ascii_case(e.trim().trim_start_matches('.')))
    })
}

/// Strength of a path written in a context where a bare name is file-relative.
pub fn strength_of(raw: &str) -> Strength {
    if path_part(raw).contains(['*', '{']) {
        Strength::Pattern
    } else {
        Strength::Strong
    }
}

/// Strength where a bare file name (no folder) is handed to code that picks
/// the folder, as in `<Card thumbnail="x.png" />`.
pub fn strength_in_code_context(raw: &str) -> Strength {
    match strength_of(raw) {
        Strength::Strong if !path_part(raw).contains('/') && !is_external(raw) => {
            Strength::WeakBasename
        }
        other => other,
    }
}

/// Every `url(…)` in `text`: (byte offset of the value, value without quotes).
pub fn css_urls(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = find_ascii_ci(&bytes[from..], b"url(") {
        let mut i = from + pos + 4;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = bytes.get(i).copied().filter(|b| *b == b'"' || *b == b'\'');
        if quote.is_some() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() {
            let b = bytes[i];
            let done = match quote {
                Some(q) => b == q,
                None => b == b')' || b.is_ascii_whitespace(),
            };
            if done || b == b'\n' {
                break;
            }
            i += 1;
        }
        if i > start {
            found.push((start, &text[start..i]));
        }
        from = i.max(from + pos + 4);
    }
    found
}

/// The first match of `needle` (lowercase ASCII) in `haystack`, ignoring case.
pub(super) fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The URLs of a `srcset` value with their offsets, descriptors dropped.
pub fn srcset_candidates(value: &str) -> Vec<(usize, &str)> {
    let bytes = value.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut end = i;
        // A URL directly followed by a comma has no descriptor.
        while end > start && bytes[end - 1] == b',' {
            end -= 1;
        }
        if end > start {
            found.push((start, &value[start..end]));
        }
        if end == i {
            while i < bytes.len() && bytes[i] != b',' {
                i += 1;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_image_strings() {
        for yes in [
            "/images/a.png",
            "./a.JPG",
            "a.webp?w=300",
            "/x.svg#frag",
            "https://example.com/a.png",
            "../assets/*.{png,jpg}",
            "!file-loader!./x.png",
            "@site/static/img/x.svg",
        ] {
            assert!(looks_like_image(yes), "{yes}");
        }
        for no in [
            ".png",
            "*.png is the pattern",
            "a.pdf",
            "",
            "data:image/png;base64,AAAA",
            "const x = 'a.png'",
            "png",
        ] {
            assert!(!looks_like_image(no), "{no}");
        }
    }

    #[test]
    fn strips_queries_loaders_and_schemes() {
        assert_eq!(path_part("./vercel.svg?svgr"), "./vercel.svg");
        assert_eq!(path_part("!file-loader!./x.png"), "./x.png");
        assert_eq!(path_part("pathname:///img/x.svg"), "/img/x.svg");
        assert_eq!(path_part("/a.png#x"), "/a.png");
        assert!(is_external("https://x.test/a.png"));
        assert!(is_external("//cdn.test/a.png"));
        assert!(!is_external("/a.png"));
    }

    #[test]
    fn css_urls_with_and_without_quotes() {
        let text = "a{background:url(/a.png), URL( \"b c.png\" ) url('/c.jpg')}";
        let urls: Vec<&str> = css_urls(text).into_iter().map(|(_, u)| u).collect();
        assert_eq!(urls, ["/a.png", "b c.png", "/c.jpg"]);
        let (offset, url) = css_urls(text)[0];
        assert_eq!(&text[offset..offset + url.len()], "/a.png");
    }

    #[test]
    fn srcset_keeps_urls_and_drops_descriptors() {
        let urls: Vec<&str> = srcset_candidates("a.png 1x, a@2x.png 2x,b.png,  c.png 300w")
            .into_iter()
            .map(|(_, u)| u)
            .collect();
        assert_eq!(urls, ["a.png", "a@2x.png", "b.png", "c.png"]);
    }

    #[test]
    fn prefilter_is_case_insensitive() {
        assert!(may_contain_reference("x.PNG"));
        assert!(may_contain_reference("background: url(x)"));
        assert!(!may_contain_reference("export const a = 1"));
    }
}

//! Hugo shortcodes in Markdown content: `{{< figure src="photo.png" >}}` and
//! `{{% … %}}`. Hugo runs them before it renders the Markdown (inside code
//! blocks too, unless written `{{</* … */>}}`), so they are read from the
//! raw text. Every parameter value that names an image is a reference:
//! `figure` resolves `src` as a page resource of the page's bundle, else as
//! a URL, as a Markdown image resolves.

use memchr::memmem;

use super::image_path::looks_like_image;
use super::{RawReference, RefKind};

/// Appends the image paths that shortcode calls in `text` pass.
pub fn extract(text: &str, out: &mut Vec<RawReference>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = memmem::find(&bytes[at..], b"{{") {
        let open = at + found;
        let closer: &[u8] = match bytes.get(open + 2) {
            Some(b'<') => b">}}",
            Some(b'%') => b"%}}",
            _ => {
                at = open + 2;
                continue;
            }
        };
        let start = open + 3;
        // Each call is read once, up to its closer: linear in the text.
        let Some(length) = memmem::find(&bytes[start..], closer) else {
            break;
        };
        at = start + length + closer.len();
        call(&text[start..start + length], start, out);
    }
}

/// The image paths among the parameters of one call (`body` is what stands
/// between the delimiters, at byte `offset` of the file).
fn call(body: &str, offset: usize, out: &mut Vec<RawReference>) {
    let bytes = body.as_bytes();
    let skip_space = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut i = skip_space(0);
    // `{{</* … */>}}` shows a shortcode without running it; `{{< /x >}}` closes one.
    if body[i..].starts_with('/') {
        return;
    }
    // The shortcode's name.
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    loop {
        i = skip_space(i);
        if i >= bytes.len() {
            return;
        }
        // A named parameter: its value follows the `=`.
        let word_end = bytes[i..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
            .map_or(bytes.len(), |e| i + e);
        if word_end > i && bytes.get(word_end) == Some(&b'=') {
            i = word_end + 1;
        }
        let (value, end) = match bytes.get(i) {
            Some(b'"' | b'`') => {
                let to = super::template::literal_end(bytes, i);
                ((i + 1, to), to + 1)
            }
            _ => {
                let to = bytes[i..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .map_or(bytes.len(), |e| i + e);
                ((i, to), to)
            }
        };
        if let Some(raw) = body.get(value.0..value.1)
            && !raw.contains('\\')
            && looks_like_image(raw)
        {
            out.push(RawReference::new(offset + value.0, raw, RefKind::Shortcode));
        }
        i = end.max(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raws(text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        extract(text, &mut out);
        for r in &out {
            assert_eq!(&text[r.start..r.end], r.raw, "offsets point at the value");
        }
        out.into_iter().map(|r| (r.start, r.raw)).collect()
    }

    #[test]
    fn figure_and_other_calls_name_their_images() {
        let text = concat!(
            "{{< figure src=\"photo.png\" alt=\"A > B\" caption=\"x\" >}}\n",
            "{{% figure src=/images/a.jpg link=`big-one.png` %}}\n",
            "{{< figure\n  src=\"multi.webp\"\n  title=\"t\"\n>}}\n",
            "{{< gallery \"one.png\" two.gif >}}\n",
        );
        let found: Vec<String> = raws(text).into_iter().map(|(_, raw)| raw).collect();
        assert_eq!(
            found,
            [
                "photo.png",
                "/images/a.jpg",
                "big-one.png",
                "multi.webp",
                "one.png",
                "two.gif"
            ]
        );
    }

    #[test]
    fn escaped_closing_and_unfinished_calls_name_nothing() {
        for text in [
            "{{</* figure src=\"shown.png\" */>}}",
            "{{< /figure >}}",
            "{{< figure src=\"never-closed.png\"",
            "{{ .Site.Title }} {{ \"x.png\" }}",
            "{{< figure src=\"a\\\"b.png\" >}}",
            "{{<",
            "{{%",
        ] {
            assert!(raws(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn many_openers_are_read_once() {
        // Unclosed openers stop the scan; each call is passed once.
        let text = "{{< a ".repeat(100_000);
        assert!(raws(&text).is_empty());
        let text = "{{< figure src=x.png >}}".repeat(10_000);
        assert_eq!(raws(&text).len(), 10_000);
    }
}

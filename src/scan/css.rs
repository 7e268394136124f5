//! CSS, SCSS and Less: every `url(…)` naming an image.

use super::image_path::{css_urls, looks_like_image};
use super::{RawReference, RefKind};

/// Appends the `url(…)` references in `text` (which starts at `offset` in its file).
pub fn extract(text: &str, offset: usize, out: &mut Vec<RawReference>) {
    for (at, url) in css_urls(text) {
        if looks_like_image(url) {
            out.push(RawReference::new(offset + at, url, RefKind::CssUrl));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_urls_but_not_fonts() {
        let css = ".hero { background: url(/img/hero.png) }\n@font-face { src: url(/f.woff2) }\n.x{background-image:url(\"@site/static/img/card.svg\")}";
        let mut out = Vec::new();
        extract(css, 10, &mut out);
        let raws: Vec<&str> = out.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(raws, ["/img/hero.png", "@site/static/img/card.svg"]);
        assert_eq!(&css[out[0].start - 10..out[0].end - 10], "/img/hero.png");
    }
}

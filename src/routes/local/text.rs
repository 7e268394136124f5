//! Text for the offline renderer: Inter (embedded; SIL Open Font License,
//! `assets/fonts/OFL.txt`), shaped with rustybuzz (kerning, ligatures,
//! any script the font covers) and drawn with ab_glyph's antialiased
//! outlines.

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, GlyphId, PxScale, point};

static BOLD: &[u8] = include_bytes!("../../../assets/fonts/Inter-Bold.otf");
static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/Inter-Regular.otf");

/// One embedded font: its shaping tables and its outlines.
pub struct Typeface {
    shaper: rustybuzz::Face<'static>,
    outlines: FontRef<'static>,
    units_per_em: f32,
}

fn load(bytes: &'static [u8]) -> Typeface {
    let shaper = rustybuzz::Face::from_slice(bytes, 0).expect("the embedded font parses");
    let outlines = FontRef::try_from_slice(bytes).expect("the embedded font parses");
    let units_per_em = outlines.units_per_em().unwrap_or(2048.0);
    Typeface {
        shaper,
        outlines,
        units_per_em,
    }
}

/// Inter Bold, for titles and monograms.
pub fn bold() -> &'static Typeface {
    static FACE: OnceLock<Typeface> = OnceLock::new();
    FACE.get_or_init(|| load(BOLD))
}

/// Inter Regular, for subtitles.
pub fn regular() -> &'static Typeface {
    static FACE: OnceLock<Typeface> = OnceLock::new();
    FACE.get_or_init(|| load(REGULAR))
}

/// A shaped run of text at one size: glyphs with their pen positions, in
/// pixels from the start of the baseline.
pub struct Line {
    /// The text shaped.
    pub text: String,
    glyphs: Vec<(GlyphId, f32, f32)>,
    /// Advance width in pixels.
    pub width: f32,
    px: f32,
}

impl Typeface {
    /// Shapes `text` at an em size of `px` pixels.
    pub fn shape(&self, text: &str, px: f32) -> Line {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let shaped = rustybuzz::shape(&self.shaper, &[], buffer);
        let scale = px / self.units_per_em;
        let mut pen = 0.0;
        let mut glyphs = Vec::with_capacity(shaped.len());
        for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
            let id = GlyphId(u16::try_from(info.glyph_id).unwrap_or(0));
            glyphs.push((
                id,
                pen + pos.x_offset as f32 * scale,
                -(pos.y_offset as f32) * scale,
            ));
            pen += pos.x_advance as f32 * scale;
        }
        Line {
            text: text.to_owned(),
            glyphs,
            width: pen,
            px,
        }
    }

    /// `text` broken at spaces into lines no wider than `width` (a word
    /// wider than that gets a line of its own).
    pub fn wrap(&self, text: &str, px: f32, width: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if !current.is_empty() && self.shape(&candidate, px).width > width {
                lines.push(self.shape(&current, px));
                current = word.to_owned();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            lines.push(self.shape(&current, px));
        }
        lines
    }

    /// Height above the baseline of capital letters, in pixels at `px`.
    pub fn cap_height(&self, px: f32) -> f32 {
        self.shaper
            .capital_height()
            .map_or(0.7 * px, |h| f32::from(h) * px / self.units_per_em)
    }

    /// Distance between baselines, in pixels at `px`.
    pub fn line_height(&self, px: f32) -> f32 {
        let unscaled = self.outlines.height_unscaled() + self.outlines.line_gap_unscaled();
        unscaled * px / self.units_per_em
    }

    /// Draws `line` with its baseline starting at (`x`, `y`), calling `plot`
    /// with each covered pixel and its coverage (0–1).
    pub fn draw(&self, line: &Line, x: f32, y: f32, mut plot: impl FnMut(i64, i64, f32)) {
        // ab_glyph's scale is the font's ascent-to-descent height in pixels.
        let scale = PxScale::from(line.px * self.outlines.height_unscaled() / self.units_per_em);
        for &(id, gx, gy) in &line.glyphs {
            let glyph = id.with_scale_and_position(scale, point(x + gx, y + gy));
            if let Some(outlined) = self.outlines.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
                outlined.draw(|px, py, coverage| {
                    plot(left + i64::from(px), top + i64::from(py), coverage);
                });
            }
        }
    }

    /// The inked box of `line` drawn at the origin: (left, top, right, bottom).
    pub fn ink(&self, line: &Line) -> (f32, f32, f32, f32) {
        let scale = PxScale::from(line.px * self.outlines.height_unscaled() / self.units_per_em);
        let mut ink = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &(id, gx, gy) in &line.glyphs {
            let glyph = id.with_scale_and_position(scale, point(gx, gy));
            if let Some(outlined) = self.outlines.outline_glyph(glyph) {
                let b = outlined.px_bounds();
                ink = (
                    ink.0.min(b.min.x),
                    ink.1.min(b.min.y),
                    ink.2.max(b.max.x),
                    ink.3.max(b.max.y),
                );
            }
        }
        if ink.0 > ink.2 {
            (0.0, 0.0, 0.0, 0.0)
        } else {
            ink
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shaping_kerns_and_wraps() {
        let face = bold();
        // "AV" is kerned tighter than its two letters' advances.
        let pair = face.shape("AV", 100.0).width;
        let apart = face.shape("A", 100.0).width + face.shape("V", 100.0).width;
        assert!(pair < apart, "{pair} !< {apart}");
        let lines = face.wrap("one two three four five six", 100.0, 500.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 500.0));
        assert_eq!(
            lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            "one two three four five six"
        );
    }
}

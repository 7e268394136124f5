//! What the offline renderer draws for a kind: title cards for `cover`,
//! `article` and `social` (the title in a real typeface, wrapped and fitted,
//! an optional subtitle and the site's name), icons for `ui` (a monogram on a
//! rounded tile, transparent around it), and a `PLACEHOLDER` badge on request.
//! Colours and composition come from the prompt's seed: same inputs, same
//! bytes. Flat colours and row-constant gradients keep the files small.

use super::text::{self, Line, Typeface};
use super::{Canvas, hsl, seed};

/// The words on a title card.
pub struct CardText<'a> {
    /// The title (given, or derived from the prompt).
    pub title: &'a str,
    /// A line under the title.
    pub subtitle: Option<&'a str>,
    /// The site's name, in the footer.
    pub site: Option<&'a str>,
}

/// Colours of one composition.
struct Scheme {
    top: [f32; 3],
    bottom: [f32; 3],
    accent: [f32; 3],
    ink: [f32; 3],
    muted: [f32; 3],
}

fn scheme(prompt: &str, n_index: u32) -> Scheme {
    let mut rng = seed(prompt, n_index);
    let hue = rng.unit();
    let accent_turn = [0.08, 0.5, 0.42, 0.92][(rng.next() % 4) as usize];
    if rng.next().is_multiple_of(3) {
        // Light: dark ink on a pale gradient.
        Scheme {
            top: hsl(hue, 0.45, 0.95),
            bottom: hsl(hue + 0.03, 0.5, 0.87),
            accent: hsl(hue + accent_turn, 0.7, 0.5),
            ink: hsl(hue, 0.45, 0.12),
            muted: hsl(hue, 0.25, 0.32),
        }
    } else {
        Scheme {
            top: hsl(hue, 0.55, 0.2),
            bottom: hsl(hue + 0.05, 0.6, 0.11),
            accent: hsl(hue + accent_turn, 0.75, 0.62),
            ink: [0.98, 0.98, 0.98],
            muted: hsl(hue, 0.2, 0.78),
        }
    }
}

/// A canvas filled with a top-to-bottom gradient (every row one colour).
fn gradient(width: usize, height: usize, top: [f32; 3], bottom: [f32; 3]) -> Canvas<'static> {
    Canvas::new(width, height, move |y, row| {
        let t = y as f32 / height.saturating_sub(1).max(1) as f32;
        let c = [0, 1, 2].map(|i| top[i] + (bottom[i] - top[i]) * t);
        // Quantised once per row, so the encoder sees whole rows repeat.
        let c = c.map(|v| (v * 255.0).round() / 255.0);
        row.fill([c[0], c[1], c[2], 1.0]);
    })
}

/// Draws a shaped line with its baseline at (`x`, `y`).
fn draw(canvas: &mut Canvas, face: &Typeface, line: &Line, x: f32, y: f32, colour: [f32; 3]) {
    let mut points = Vec::new();
    face.draw(line, x, y, |px, py, coverage| {
        // Coverage in sixteenths: edges stay smooth, and the few distinct
        // edge colours keep lossless files small.
        points.push((px, py, (coverage.min(1.0) * 16.0).round() / 16.0));
    });
    canvas.plot(colour, points);
}

/// The title a prompt implies: its first sentence or clause, at most about
/// 90 characters (cut at a word), starting with a capital.
pub fn derive_title(prompt: &str) -> String {
    let prompt = prompt.trim();
    let end = [". ", "; ", ": ", "? ", "! ", "\n"]
        .iter()
        .filter_map(|stop| {
            prompt
                .find(stop)
                .map(|at| at + usize::from(stop.starts_with(['?', '!'])))
        })
        .min()
        .unwrap_or(prompt.len());
    let first = prompt[..end].trim().trim_end_matches('.');
    let mut title = String::new();
    for word in first.split_whitespace() {
        if !title.is_empty() && title.chars().count() + word.chars().count() > 90 {
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    let mut chars = title.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Untitled".to_owned(),
    }
}

/// A title card at `width`×`height`.
pub fn title_card(
    prompt: &str,
    n_index: u32,
    width: u32,
    height: u32,
    words: &CardText,
) -> Canvas<'static> {
    let colours = scheme(prompt, n_index);
    let mut rng = seed(prompt, n_index.wrapping_add(0x5eed));
    let (w, h) = (width as f32, height as f32);
    let mut canvas = gradient(width as usize, height as usize, colours.top, colours.bottom);

    // Decoration: a large soft disc leaning in from one edge.
    let short = w.min(h);
    let right = rng.next().is_multiple_of(2);
    let cx = if right {
        w * rng.range(0.88, 1.05)
    } else {
        w * rng.range(-0.05, 0.12)
    };
    let cy = h * rng.range(-0.1, 0.35);
    canvas.disc(cx, cy, short * rng.range(0.35, 0.55), colours.accent, 0.22);
    canvas.disc(cx, cy, short * rng.range(0.12, 0.22), colours.accent, 0.28);

    let (margin_x, margin_y) = (w * 0.075, h * 0.09);
    let bold = text::bold();
    let regular = text::regular();
    let footer_px = (h * 0.036).max(12.0);
    let footer = words.site.map(|site| bold.shape(site, footer_px));
    let area_top = margin_y;
    let area_bottom = h
        - margin_y
        - if footer.is_some() {
            footer_px * 2.4
        } else {
            0.0
        };
    let max_width = w - 2.0 * margin_x;

    // The largest size at which the title fits in four lines and the area.
    let mut px = h * 0.13;
    let (mut lines, mut sub_lines, mut sub_px);
    loop {
        lines = bold.wrap(words.title, px, max_width);
        sub_px = (px * 0.42).max(h * 0.03);
        sub_lines = words
            .subtitle
            .map(|s| regular.wrap(s, sub_px, max_width))
            .unwrap_or_default();
        sub_lines.truncate(2);
        let block = block_height(bold, regular, &lines, px, &sub_lines, sub_px);
        let fits = lines.len() <= 4 && block <= area_bottom - area_top;
        if fits || px <= h * 0.04 {
            break;
        }
        px *= 0.92;
    }
    if lines.len() > 4 {
        lines.truncate(4);
        let last = format!("{}…", lines[3].text.trim_end_matches('…'));
        lines[3] = bold.shape(&last, px);
    }
    let block = block_height(bold, regular, &lines, px, &sub_lines, sub_px);
    let lead = bold.line_height(px) * 0.92;
    let mut top = area_top + ((area_bottom - area_top) - block).max(0.0) * 0.45;

    // An accent rule above the title.
    let rule_h = (h * 0.008).max(3.0);
    canvas.rect(margin_x, top, w * 0.06, rule_h, colours.accent, 1.0);
    top += rule_h * 4.0;

    let mut baseline = top + bold.cap_height(px);
    for line in &lines {
        draw(&mut canvas, bold, line, margin_x, baseline, colours.ink);
        baseline += lead;
    }
    if !sub_lines.is_empty() {
        baseline += regular.line_height(sub_px) * 0.7 - lead + regular.cap_height(sub_px) * 1.2;
        for line in &sub_lines {
            draw(
                &mut canvas,
                regular,
                line,
                margin_x,
                baseline,
                colours.muted,
            );
            baseline += regular.line_height(sub_px);
        }
    }
    if let Some(site) = &footer {
        let base = h - margin_y;
        let dot = footer_px * 0.55;
        canvas.rect(
            margin_x,
            base - bold.cap_height(footer_px),
            dot,
            bold.cap_height(footer_px),
            colours.accent,
            1.0,
        );
        draw(
            &mut canvas,
            bold,
            site,
            margin_x + dot * 2.0,
            base,
            colours.muted,
        );
    }
    canvas
}

fn block_height(
    bold: &Typeface,
    regular: &Typeface,
    lines: &[Line],
    px: f32,
    sub_lines: &[Line],
    sub_px: f32,
) -> f32 {
    let title =
        bold.cap_height(px) + bold.line_height(px) * 0.92 * lines.len().saturating_sub(1) as f32;
    let sub = if sub_lines.is_empty() {
        0.0
    } else {
        regular.line_height(sub_px) * (sub_lines.len() as f32 + 0.5)
    };
    title + sub + px * 0.3
}

/// The letters of a monogram: the initials of the prompt's first two words
/// that say something (not "a", "icon", …).
pub fn initials(prompt: &str) -> String {
    const FILLER: &[&str] = &[
        "a", "an", "the", "of", "for", "and", "with", "to", "in", "on", "icon", "logo", "symbol",
        "simple", "flat", "minimal",
    ];
    let letters: String = prompt
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !FILLER.contains(&w.to_lowercase().as_str()))
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() {
        "?".to_owned()
    } else {
        letters
    }
}

/// An icon: a monogram on a rounded tile, on a transparent (or, for an
/// opaque request, pale) background.
pub fn icon(
    prompt: &str,
    n_index: u32,
    width: u32,
    height: u32,
    transparent: bool,
) -> Canvas<'static> {
    let colours = scheme(prompt, n_index);
    let (w, h) = (width as usize, height as usize);
    let mut canvas = if transparent {
        Canvas::clear(w, h)
    } else {
        gradient(w, h, [0.97; 3], [0.97; 3])
    };
    let side = width.min(height) as f32 * 0.84;
    let (x0, y0) = ((width as f32 - side) / 2.0, (height as f32 - side) / 2.0);
    let tile = if colours.ink[0] > 0.5 {
        colours.top
    } else {
        colours.accent
    };
    canvas.rounded_rect(x0, y0, side, side, side * 0.22, tile);
    let letters = initials(prompt);
    let face = text::bold();
    let px = side
        * if letters.chars().count() > 1 {
            0.46
        } else {
            0.6
        };
    let line = face.shape(&letters, px);
    let (left, top, right, bottom) = face.ink(&line);
    let x = width as f32 / 2.0 - (left + right) / 2.0;
    let y = height as f32 / 2.0 - (top + bottom) / 2.0;
    let ink = if colours.ink[0] > 0.5 {
        colours.ink
    } else {
        [0.99; 3]
    };
    draw(&mut canvas, face, &line, x, y, ink);
    canvas
}

/// A `PLACEHOLDER` label in the top right corner.
pub fn badge(canvas: &mut Canvas) {
    let (w, h) = (canvas.width as f32, canvas.height as f32);
    let face = text::bold();
    let px = (w.min(h) * 0.035).max(11.0);
    let line = face.shape("PLACEHOLDER", px);
    let pad = px * 0.6;
    let (bw, bh) = (line.width + 2.0 * pad, face.cap_height(px) + 2.0 * pad);
    let (x, y) = (w - bw - px, px);
    canvas.rounded_rect(x, y, bw, bh, bh / 2.0, [0.96, 0.62, 0.04]);
    let baseline = y + pad + face.cap_height(px);
    draw(canvas, face, &line, x + pad, baseline, [0.1, 0.07, 0.0]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_initials_from_prompts() {
        assert_eq!(
            derive_title("a lighthouse at dusk. Moody, teal"),
            "A lighthouse at dusk"
        );
        assert_eq!(derive_title("Announcing v1.0"), "Announcing v1.0");
        assert_eq!(derive_title("Why ship? Because."), "Why ship?");
        assert_eq!(initials("Settings gear icon"), "SG");
        assert_eq!(initials("an icon of a rocket"), "R");
        assert_eq!(initials("!!!"), "?");
    }
}

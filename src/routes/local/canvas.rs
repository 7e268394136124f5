//! The offline renderer's canvas: a background and layers (shapes, plotted
//! glyph coverage), drawn row by row straight into 8-bit pixels. No full-size
//! float buffer is ever held: each band of rows is composed in one small float
//! row, bands in parallel, the layers in the order they were added, so every
//! pixel sees exactly the blends it would on a whole-image canvas.

use rayon::prelude::*;

/// A colour, RGB in 0..1.
pub type Rgb = [f32; 3];

/// One pixel, straight-alpha RGBA in 0..1.
pub type Pixel = [f32; 4];

/// Rows composed together by one task.
const BAND_ROWS: usize = 8;

/// Pixel box `x0..x1` × `y0..y1`.
#[derive(Clone, Copy)]
struct Bounds {
    x0: usize,
    x1: usize,
    y0: usize,
    y1: usize,
}

type Fill<'a> = Box<dyn Fn(usize, &mut [Pixel]) + Sync + 'a>;
type Cover<'a> = Box<dyn Fn(usize, usize) -> f32 + Sync + 'a>;
type Span<'a> = Box<dyn Fn(usize) -> RowSpan + Sync + 'a>;

/// The columns of one row a shape can touch: coverage may be above zero only
/// in `outer`, and is exactly the shape's opacity throughout `solid` (which
/// lies inside `outer` and may be empty). Both are conservative: a pixel of
/// margin on the safe side.
#[derive(Clone, Copy)]
struct RowSpan {
    outer: (f32, f32),
    solid: (f32, f32),
}

/// A plotted pixel: position and coverage.
struct Point {
    x: u32,
    y: u32,
    coverage: f32,
}

enum Layer<'a> {
    /// A shape: `cover(x, y)` inside `bounds`; on each row only the columns
    /// `span(y)` allows are visited, and its solid run is blended at
    /// `opacity` without calling `cover`.
    Shape {
        bounds: Bounds,
        colour: Rgb,
        cover: Cover<'a>,
        span: Option<(Span<'a>, f32)>,
    },
    /// Plotted points, sorted by row and in plotting order within a row.
    Points { colour: Rgb, points: Vec<Point> },
}

/// A picture to be drawn: its size, background and layers.
pub struct Canvas<'a> {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    background: Fill<'a>,
    layers: Vec<Layer<'a>>,
}

impl<'a> Canvas<'a> {
    /// A canvas whose row `y` starts as `fill(y, row)` leaves it.
    pub fn new(
        width: usize,
        height: usize,
        fill: impl Fn(usize, &mut [Pixel]) + Sync + 'a,
    ) -> Self {
        Canvas {
            width,
            height,
            background: Box::new(fill),
            layers: Vec::new(),
        }
    }

    /// A fully transparent canvas.
    pub fn clear(width: usize, height: usize) -> Self {
        Canvas::new(width, height, |_, row| row.fill([0.0; 4]))
    }

    /// Blends `colour` over the box with the coverage `cover(x, y)` gives
    /// each pixel (visiting, on each row, only the columns `span` allows).
    fn paint(
        &mut self,
        bounds: Bounds,
        colour: Rgb,
        cover: impl Fn(usize, usize) -> f32 + Sync + 'a,
        span: Option<(Span<'a>, f32)>,
    ) {
        if bounds.x0 < bounds.x1 && bounds.y0 < bounds.y1 {
            self.layers.push(Layer::Shape {
                bounds,
                colour,
                cover: Box::new(cover),
                span,
            });
        }
    }

    /// Blends `colour` at each point's coverage, in the order given; points
    /// off the canvas or without coverage are dropped.
    pub fn plot(&mut self, colour: Rgb, points: impl IntoIterator<Item = (i64, i64, f32)>) {
        let (w, h) = (self.width as i64, self.height as i64);
        let mut points: Vec<Point> = points
            .into_iter()
            .filter(|&(x, y, coverage)| {
                (0..w).contains(&x) && (0..h).contains(&y) && coverage > 0.0
            })
            .map(|(x, y, coverage)| Point {
                x: x as u32,
                y: y as u32,
                coverage,
            })
            .collect();
        // Stable: two plots of one pixel keep their order.
        points.sort_by_key(|p| p.y);
        if !points.is_empty() {
            self.layers.push(Layer::Points { colour, points });
        }
    }

    fn bounds(&self, cx: f32, cy: f32, reach: f32) -> Bounds {
        let clamp = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
        Bounds {
            x0: clamp(cx - reach, self.width),
            x1: clamp(cx + reach + 1.0, self.width),
            y0: clamp(cy - reach, self.height),
            y1: clamp(cy + reach + 1.0, self.height),
        }
    }

    /// The pixels a `w`×`h` box at (`x`, `y`) touches, clipped to the canvas.
    fn covering(&self, x: f32, y: f32, w: f32, h: f32) -> Bounds {
        let clamp = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
        Bounds {
            x0: clamp(x, self.width),
            x1: clamp((x + w).ceil(), self.width),
            y0: clamp(y, self.height),
            y1: clamp((y + h).ceil(), self.height),
        }
    }

    /// A disc with a one-pixel soft edge.
    pub fn disc(&mut self, cx: f32, cy: f32, radius: f32, colour: Rgb, opacity: f32) {
        let bounds = self.bounds(cx, cy, radius + 1.0);
        // Coverage is zero from radius + 0.5 out and full within radius - 0.5.
        let half = move |y: usize, reach: f32| {
            let dy = y as f32 - cy;
            (reach * reach - dy * dy).max(0.0).sqrt()
        };
        let span = move |y: usize| {
            let outer = half(y, radius + 1.5);
            let solid = half(y, (radius - 1.5).max(0.0));
            RowSpan {
                outer: (cx - outer - 1.0, cx + outer + 2.0),
                solid: (cx - solid + 1.0, cx + solid - 1.0),
            }
        };
        self.paint(
            bounds,
            colour,
            move |x, y| {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                opacity * (radius - d + 0.5).clamp(0.0, 1.0)
            },
            Some((Box::new(span), opacity)),
        );
    }

    /// An axis-aligned rectangle, its edges antialiased.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Rgb, opacity: f32) {
        let overlap = |lo: f32, hi: f32, p: usize| {
            let p = p as f32;
            (hi.min(p + 1.0) - lo.max(p)).clamp(0.0, 1.0)
        };
        let bounds = self.covering(x, y, w, h);
        self.paint(
            bounds,
            colour,
            move |px, py| opacity * overlap(y, y + h, py) * overlap(x, x + w, px),
            None,
        );
    }

    /// A rectangle with rounded corners of `radius`, its edge antialiased.
    pub fn rounded_rect(&mut self, x: f32, y: f32, w: f32, h: f32, radius: f32, colour: Rgb) {
        let (cx, cy) = (x + w / 2.0, y + h / 2.0);
        let (hx, hy) = (w / 2.0 - radius, h / 2.0 - radius);
        let bounds = self.covering(x, y, w, h);
        self.paint(
            bounds,
            colour,
            move |px, py| {
                // Signed distance from the pixel centre to the rounded edge.
                let dx = ((px as f32 + 0.5 - cx).abs() - hx).max(0.0);
                let dy = ((py as f32 + 0.5 - cy).abs() - hy).max(0.0);
                (0.5 - (dx.hypot(dy) - radius)).clamp(0.0, 1.0)
            },
            None,
        );
    }

    /// A rectangle of half-extents `half_w`×`half_h` about (`cx`, `cy`),
    /// turned by `turn` radians, with a one-pixel soft edge.
    #[allow(clippy::too_many_arguments)]
    pub fn band(
        &mut self,
        cx: f32,
        cy: f32,
        half_w: f32,
        half_h: f32,
        turn: f32,
        colour: Rgb,
        opacity: f32,
    ) {
        let (sin, cos) = turn.sin_cos();
        let bounds = self.bounds(cx, cy, half_w.hypot(half_h) + 1.0);
        // Coverage is zero where |u| ≥ half_w + 0.5 or |v| ≥ half_h + 0.5,
        // and full where |u| ≤ half_w - 0.5 and |v| ≤ half_h - 0.5; on a row
        // each bound is a slab of columns.
        let slabs = move |y: usize, grow: f32| {
            let py = y as f32 - cy;
            let slab = |slope: f32, offset: f32, reach: f32| {
                if reach <= 0.0 {
                    (0.0, 0.0)
                } else if slope.abs() < 1e-6 {
                    if offset.abs() < reach {
                        (f32::MIN, f32::MAX)
                    } else {
                        (0.0, 0.0)
                    }
                } else {
                    let (a, b) = ((-reach - offset) / slope, (reach - offset) / slope);
                    (a.min(b), a.max(b))
                }
            };
            let (u0, u1) = slab(cos, py * sin, half_w + grow);
            let (v0, v1) = slab(-sin, py * cos, half_h + grow);
            (cx + u0.max(v0), cx + u1.min(v1))
        };
        let span = move |y: usize| {
            let (o0, o1) = slabs(y, 1.5);
            let (s0, s1) = slabs(y, -1.5);
            RowSpan {
                outer: (o0 - 1.0, o1 + 2.0),
                solid: (s0 + 1.0, s1 - 1.0),
            }
        };
        self.paint(
            bounds,
            colour,
            move |x, y| {
                let (px, py) = (x as f32 - cx, y as f32 - cy);
                let u = (px * cos + py * sin).abs();
                let v = (-px * sin + py * cos).abs();
                opacity * (half_w - u + 0.5).clamp(0.0, 1.0) * (half_h - v + 0.5).clamp(0.0, 1.0)
            },
            Some((Box::new(span), opacity)),
        );
    }

    /// Composes row `y` into `row`.
    fn compose_row(&self, y: usize, row: &mut [Pixel]) {
        (self.background)(y, row);
        for layer in &self.layers {
            match layer {
                Layer::Shape {
                    bounds,
                    colour,
                    cover,
                    span,
                } => {
                    if !(bounds.y0..bounds.y1).contains(&y) {
                        continue;
                    }
                    let (x0, x1) = (bounds.x0, bounds.x1);
                    let covered = |row: &mut [Pixel], from: usize, to: usize| {
                        for (x, px) in row.iter_mut().enumerate().take(to).skip(from) {
                            let coverage = cover(x, y);
                            if coverage > 0.0 {
                                blend(px, *colour, coverage);
                            }
                        }
                    };
                    let Some((span, opacity)) = span else {
                        covered(row, x0, x1);
                        continue;
                    };
                    // Saturating casts: NaN and negatives become 0.
                    let column = |v: f32, round: fn(f32) -> f32| (round(v) as usize).clamp(x0, x1);
                    let RowSpan { outer, solid } = span(y);
                    let o0 = column(outer.0, f32::floor);
                    let o1 = column(outer.1, f32::ceil).max(o0);
                    let s0 = column(solid.0, f32::ceil).max(o0).min(o1);
                    let s1 = column(solid.1, f32::floor).max(s0).min(o1);
                    covered(row, o0, s0);
                    if *opacity > 0.0 {
                        blend_run(&mut row[s0..s1], *colour, *opacity);
                    }
                    covered(row, s1, o1);
                }
                Layer::Points { colour, points } => {
                    let y = y as u32;
                    let start = points.partition_point(|p| p.y < y);
                    for p in points[start..].iter().take_while(|p| p.y == y) {
                        blend(&mut row[p.x as usize], *colour, p.coverage);
                    }
                }
            }
        }
    }

    /// The picture as 8-bit RGB (`channels` 3) or RGBA (4), row-major.
    pub fn pixels(&self, channels: usize) -> Vec<u8> {
        let row_bytes = (self.width * channels).max(1);
        let mut out = vec![0u8; self.width * channels * self.height];
        out.par_chunks_mut(row_bytes * BAND_ROWS)
            .enumerate()
            .for_each(|(band, chunk)| {
                let mut row = vec![[0.0f32; 4]; self.width];
                for (i, out_row) in chunk.chunks_mut(row_bytes).enumerate() {
                    self.compose_row(band * BAND_ROWS + i, &mut row);
                    for (o, p) in out_row.chunks_exact_mut(channels).zip(&row) {
                        for (c, v) in o.iter_mut().enumerate() {
                            *v = to_u8(p[c]);
                        }
                    }
                }
            });
        out
    }
}

/// `colour` at `alpha` over `px` (straight alpha).
fn blend(px: &mut Pixel, colour: Rgb, alpha: f32) {
    let out_alpha = alpha + px[3] * (1.0 - alpha);
    if out_alpha <= 0.0 {
        return;
    }
    for c in 0..3 {
        px[c] = (colour[c] * alpha + px[c] * px[3] * (1.0 - alpha)) / out_alpha;
    }
    px[3] = out_alpha;
}

/// [`blend`] over a run of pixels at one `alpha`: the same arithmetic, with
/// what an opaque pixel makes constant worked out once.
fn blend_run(run: &mut [Pixel], colour: Rgb, alpha: f32) {
    let keep = 1.0 - alpha;
    let opaque_alpha = alpha + keep;
    let ink = colour.map(|c| c * alpha);
    for px in run {
        if px[3] == 1.0 {
            for c in 0..3 {
                px[c] = (ink[c] + px[c] * keep) / opaque_alpha;
            }
            px[3] = opaque_alpha;
        } else {
            blend(px, colour, alpha);
        }
    }
}

fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many discs and turned bands of every size, partly off the canvas.
    fn shapes(background: [f32; 4]) -> Canvas<'static> {
        let mut canvas = Canvas::new(301, 203, move |_, row| row.fill(background));
        let mut state = 0x9e37_79b9u32;
        let mut next = move |lo: f32, hi: f32| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            lo + (hi - lo) * (state as f32 / u32::MAX as f32)
        };
        for i in 0..60 {
            let (cx, cy) = (next(-40.0, 340.0), next(-40.0, 240.0));
            let colour = [next(0.0, 1.0), next(0.0, 1.0), next(0.0, 1.0)];
            let opacity = if i % 7 == 0 { 1.0 } else { next(0.1, 0.9) };
            if i % 2 == 0 {
                canvas.disc(cx, cy, next(0.0, 120.0), colour, opacity);
            } else {
                let turn = [0.0, std::f32::consts::FRAC_PI_2, next(0.0, 3.2)][i % 3];
                let (w, h) = (next(0.0, 150.0), next(0.0, 30.0));
                canvas.band(cx, cy, w, h, turn, colour, opacity);
            }
        }
        canvas
    }

    #[test]
    fn row_spans_change_no_pixel() {
        for background in [[0.2, 0.4, 0.6, 1.0], [0.0; 4]] {
            let fast = shapes(background);
            let mut slow = shapes(background);
            for layer in &mut slow.layers {
                if let Layer::Shape { span, .. } = layer {
                    *span = None;
                }
            }
            assert!(
                fast.pixels(4) == slow.pixels(4),
                "background {background:?}"
            );
        }
    }
}

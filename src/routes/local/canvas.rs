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
type Span<'a> = Box<dyn Fn(usize) -> (f32, f32) + Sync + 'a>;

/// A plotted pixel: position and coverage.
struct Point {
    x: u32,
    y: u32,
    coverage: f32,
}

enum Layer<'a> {
    /// A shape: `cover(x, y)` inside `bounds`; on each row only the columns
    /// `span(y)` (a conservative superset of where coverage is above zero)
    /// are visited.
    Shape {
        bounds: Bounds,
        colour: Rgb,
        cover: Cover<'a>,
        span: Option<Span<'a>>,
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
        span: Option<Span<'a>>,
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
        // Coverage is zero from radius + 0.5 out; a pixel of margin more.
        let reach = radius + 1.5;
        let span = move |y: usize| {
            let dy = y as f32 - cy;
            let half = (reach * reach - dy * dy).max(0.0).sqrt();
            (cx - half - 1.0, cx + half + 2.0)
        };
        self.paint(
            bounds,
            colour,
            move |x, y| {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                opacity * (radius - d + 0.5).clamp(0.0, 1.0)
            },
            Some(Box::new(span)),
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
        // Coverage is zero where |u| ≥ half_w + 0.5 or |v| ≥ half_h + 0.5;
        // on a row each is a slab of columns (a pixel of margin more).
        let span = move |y: usize| {
            let py = y as f32 - cy;
            let slab = |slope: f32, offset: f32, reach: f32| {
                if slope.abs() < 1e-6 {
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
            let (u0, u1) = slab(cos, py * sin, half_w + 1.5);
            let (v0, v1) = slab(-sin, py * cos, half_h + 1.5);
            (cx + u0.max(v0) - 1.0, cx + u1.min(v1) + 2.0)
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
            Some(Box::new(span)),
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
                    let (mut x0, mut x1) = (bounds.x0, bounds.x1);
                    if let Some(span) = span {
                        let (lo, hi) = span(y);
                        // Saturating casts: NaN and negatives become 0.
                        x0 = x0.max(lo.floor() as usize);
                        x1 = x1.min(hi.ceil() as usize);
                    }
                    for (x, px) in row.iter_mut().enumerate().take(x1).skip(x0) {
                        let coverage = cover(x, y);
                        if coverage > 0.0 {
                            blend(px, *colour, coverage);
                        }
                    }
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

fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

//! The offline renderer: a deterministic abstract composition seeded by the
//! prompt. Same prompt, size, options and index give identical bytes; different
//! prompts give visibly different images. No key, no network, credit `none`.

use std::io::Cursor;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

mod cards;
mod text;

use super::{
    EditInputs, GenerateRequest, GeneratedImage, ImageRoute, PartialSink, base_provenance,
};
use crate::config::{AssetKind, RouteConfig};
use crate::error::{Error, Result};
use crate::image_options::{Background, Dimensions, OutputFormat, Quality};

/// Name and version recorded in `renderer`; bump the version whenever the
/// output for the same input changes.
pub const RENDERER: &str = "assetrail-local/2";

/// The built-in offline route.
pub struct LocalRoute<'a> {
    /// The route's configuration (name, credit).
    pub config: &'a RouteConfig,
    /// The site's name, for title cards' footers.
    pub site_name: Option<&'a str>,
}

impl ImageRoute for LocalRoute<'_> {
    fn validate(&self, request: &GenerateRequest, edit: Option<&EditInputs>) -> Result<()> {
        if edit.is_some() {
            return Err(Error::refused(
                "the local route cannot edit images",
                "edit on an API route: --route images (needs OPENAI_API_KEY)",
            ));
        }
        if request.partial_images > 0 || request.model.is_some() || request.compression.is_some() {
            return Err(Error::refused(
                "--partial-images, --model and --output-compression apply to API routes only",
                "drop them, or pass --route images",
            ));
        }
        Ok(())
    }

    fn generate(
        &self,
        request: &GenerateRequest,
        _edit: Option<&EditInputs>,
        _partials: &mut PartialSink<'_>,
    ) -> Result<Vec<GeneratedImage>> {
        let size = request.size.resolve();
        (0..request.n)
            .map(|n_index| {
                let bytes = render(request, size, n_index, self.site_name)?;
                let mut provenance = base_provenance(self.config, request, n_index);
                provenance.renderer = Some(RENDERER.to_owned());
                provenance.placeholder = true;
                Ok(GeneratedImage { bytes, provenance })
            })
            .collect()
    }
}

/// Renders and encodes one image: a title card for the cover, article and
/// social kinds, an icon for ui, an abstract composition otherwise.
pub fn render(
    request: &GenerateRequest,
    size: Dimensions,
    n_index: u32,
    site_name: Option<&str>,
) -> Result<Vec<u8>> {
    let transparent = request.background == Background::Transparent;
    let prompt = request.prompt.as_str();
    let (width, height) = (size.width, size.height);
    let mut canvas = match request.kind {
        Some(AssetKind::Cover | AssetKind::Article | AssetKind::Social) => {
            let title = request
                .title
                .clone()
                .unwrap_or_else(|| cards::derive_title(prompt));
            let words = cards::CardText {
                title: &title,
                subtitle: request.subtitle.as_deref(),
                site: site_name,
            };
            cards::title_card(prompt, n_index, width, height, &words)
        }
        Some(AssetKind::Ui) => cards::icon(prompt, n_index, width, height, transparent),
        None => compose(prompt, n_index, size, request.quality, transparent),
    };
    if request.badge {
        cards::badge(&mut canvas);
    }
    encode(&canvas, size, request.format, transparent)
}

/// A small, fast, seedable generator (SplitMix64): the renderer must not depend
/// on a library's random stream staying the same across versions.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
}

fn seed(prompt: &str, n_index: u32) -> SplitMix {
    let digest = Sha256::new()
        .chain_update(RENDERER.as_bytes())
        .chain_update([0])
        .chain_update(prompt.as_bytes())
        .chain_update([0])
        .chain_update(n_index.to_le_bytes())
        .finalize();
    SplitMix(u64::from_le_bytes(
        digest[..8]
            .try_into()
            .expect("a sha256 digest has 32 bytes"),
    ))
}

/// HSL (h in turns, s and l in 0..1) to linear-ish RGB in 0..1.
fn hsl(h: f32, s: f32, l: f32) -> [f32; 3] {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(1.0)) * 6.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [r + m, g + m, b + m]
}

/// RGBA in 0..1, row-major.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<[f32; 4]>,
}

fn compose(
    prompt: &str,
    n_index: u32,
    size: Dimensions,
    quality: Quality,
    transparent: bool,
) -> Canvas {
    let mut rng = seed(prompt, n_index);
    let (width, height) = (size.width as usize, size.height as usize);
    let base_hue = rng.unit();
    let scheme = [0.0, 0.08, 0.5, 0.58, 0.33][(rng.next() % 5) as usize];
    let palette: Vec<[f32; 3]> = (0..5)
        .map(|i| {
            let hue = base_hue + if i % 2 == 0 { 0.0 } else { scheme } + rng.range(-0.04, 0.04);
            hsl(hue, rng.range(0.45, 0.85), rng.range(0.25, 0.75))
        })
        .collect();

    // Background: a linear gradient between two palette colours at a seeded angle.
    let angle = rng.range(0.0, std::f32::consts::TAU);
    let (dx, dy) = (angle.cos(), angle.sin());
    let (from, to) = (palette[0], palette[1]);
    let span = (width as f32 * dx.abs() + height as f32 * dy.abs()).max(1.0);
    let offset = (if dx < 0.0 { width as f32 * -dx } else { 0.0 })
        + (if dy < 0.0 { height as f32 * -dy } else { 0.0 });
    let alpha = if transparent { 0.0 } else { 1.0 };
    let mut pixels = vec![[0.0f32; 4]; width * height];
    pixels
        .par_chunks_mut(width.max(1))
        .enumerate()
        .for_each(|(y, row)| {
            for (x, px) in row.iter_mut().enumerate() {
                let t = ((x as f32 * dx + y as f32 * dy + offset) / span).clamp(0.0, 1.0);
                *px = [
                    from[0] + (to[0] - from[0]) * t,
                    from[1] + (to[1] - from[1]) * t,
                    from[2] + (to[2] - from[2]) * t,
                    alpha,
                ];
            }
        });
    let mut canvas = Canvas {
        width,
        height,
        pixels,
    };

    let shapes = match quality {
        Quality::Low => 5,
        Quality::Medium | Quality::Auto => 9,
        Quality::High | Quality::XHigh | Quality::Max => 14,
    };
    let short = width.min(height) as f32;
    for i in 0..shapes {
        let colour = palette[2 + i % 3];
        let opacity = rng.range(0.35, 0.85);
        let cx = rng.range(-0.1, 1.1) * width as f32;
        let cy = rng.range(-0.1, 1.1) * height as f32;
        if rng.next().is_multiple_of(3) {
            let half_w = rng.range(0.1, 0.6) * short;
            let half_h = rng.range(0.02, 0.12) * short;
            let turn = rng.range(0.0, std::f32::consts::PI);
            canvas.band(cx, cy, half_w, half_h, turn, colour, opacity);
        } else {
            let radius = rng.range(0.05, 0.35) * short;
            canvas.disc(cx, cy, radius, colour, opacity);
        }
    }
    canvas
}

impl Canvas {
    fn blend(&mut self, x: usize, y: usize, colour: [f32; 3], alpha: f32) {
        blend(&mut self.pixels[y * self.width + x], colour, alpha);
    }

    /// Blends `colour` over the box `x0..x1` × `y0..y1` with the coverage
    /// `cover(x, y)` gives each pixel, rows in parallel.
    fn paint(
        &mut self,
        (x0, x1, y0, y1): (usize, usize, usize, usize),
        colour: [f32; 3],
        cover: impl Fn(usize, usize) -> f32 + Sync,
    ) {
        let width = self.width;
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        self.pixels[y0 * width..y1 * width]
            .par_chunks_mut(width)
            .enumerate()
            .for_each(|(i, row)| {
                let y = y0 + i;
                for (x, px) in row[x0..x1].iter_mut().enumerate() {
                    let coverage = cover(x0 + x, y);
                    if coverage > 0.0 {
                        blend(px, colour, coverage);
                    }
                }
            });
    }

    fn bounds(&self, cx: f32, cy: f32, reach: f32) -> (usize, usize, usize, usize) {
        let clamp = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
        (
            clamp(cx - reach, self.width),
            clamp(cx + reach + 1.0, self.width),
            clamp(cy - reach, self.height),
            clamp(cy + reach + 1.0, self.height),
        )
    }

    /// A disc with a one-pixel soft edge.
    fn disc(&mut self, cx: f32, cy: f32, radius: f32, colour: [f32; 3], opacity: f32) {
        let bounds = self.bounds(cx, cy, radius + 1.0);
        self.paint(bounds, colour, |x, y| {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            opacity * (radius - d + 0.5).clamp(0.0, 1.0)
        });
    }

    /// The pixels a `w`×`h` box at (`x`, `y`) touches, clipped to the canvas.
    fn covering(&self, x: f32, y: f32, w: f32, h: f32) -> (usize, usize, usize, usize) {
        let clamp = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
        (
            clamp(x, self.width),
            clamp((x + w).ceil(), self.width),
            clamp(y, self.height),
            clamp((y + h).ceil(), self.height),
        )
    }

    /// An axis-aligned rectangle, its edges antialiased.
    #[allow(clippy::too_many_arguments)]
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: [f32; 3], opacity: f32) {
        let overlap = |lo: f32, hi: f32, p: usize| {
            let p = p as f32;
            (hi.min(p + 1.0) - lo.max(p)).clamp(0.0, 1.0)
        };
        let bounds = self.covering(x, y, w, h);
        self.paint(bounds, colour, |px, py| {
            opacity * overlap(y, y + h, py) * overlap(x, x + w, px)
        });
    }

    /// A rectangle with rounded corners of `radius`, its edge antialiased.
    #[allow(clippy::too_many_arguments)]
    fn rounded_rect(&mut self, x: f32, y: f32, w: f32, h: f32, radius: f32, colour: [f32; 3]) {
        let (cx, cy) = (x + w / 2.0, y + h / 2.0);
        let (hx, hy) = (w / 2.0 - radius, h / 2.0 - radius);
        let bounds = self.covering(x, y, w, h);
        self.paint(bounds, colour, |px, py| {
            // Signed distance from the pixel centre to the rounded edge.
            let dx = ((px as f32 + 0.5 - cx).abs() - hx).max(0.0);
            let dy = ((py as f32 + 0.5 - cy).abs() - hy).max(0.0);
            (0.5 - (dx.hypot(dy) - radius)).clamp(0.0, 1.0)
        });
    }

    /// A rotated rectangle with a one-pixel soft edge.
    #[allow(clippy::too_many_arguments)]
    fn band(
        &mut self,
        cx: f32,
        cy: f32,
        half_w: f32,
        half_h: f32,
        turn: f32,
        colour: [f32; 3],
        opacity: f32,
    ) {
        let (sin, cos) = turn.sin_cos();
        let bounds = self.bounds(cx, cy, half_w.hypot(half_h) + 1.0);
        self.paint(bounds, colour, |x, y| {
            let (px, py) = (x as f32 - cx, y as f32 - cy);
            let u = (px * cos + py * sin).abs();
            let v = (-px * sin + py * cos).abs();
            opacity * (half_w - u + 0.5).clamp(0.0, 1.0) * (half_h - v + 0.5).clamp(0.0, 1.0)
        });
    }
}

/// `colour` at `alpha` over `px` (straight alpha).
fn blend(px: &mut [f32; 4], colour: [f32; 3], alpha: f32) {
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

fn encode(
    canvas: &Canvas,
    size: Dimensions,
    format: OutputFormat,
    transparent: bool,
) -> Result<Vec<u8>> {
    let channels = if transparent { 4 } else { 3 };
    let mut bytes = vec![0u8; canvas.pixels.len() * channels];
    const CHUNK: usize = 1 << 14;
    bytes
        .par_chunks_mut(CHUNK * channels)
        .zip(canvas.pixels.par_chunks(CHUNK))
        .for_each(|(out, pixels)| {
            for (o, p) in out.chunks_exact_mut(channels).zip(pixels) {
                for (c, v) in o.iter_mut().enumerate() {
                    *v = to_u8(p[c]);
                }
            }
        });
    let colour = if transparent {
        ExtendedColorType::Rgba8
    } else {
        ExtendedColorType::Rgb8
    };
    debug_assert_eq!(canvas.height, size.height as usize);
    let mut out = Cursor::new(Vec::new());
    let (w, h) = (size.width, size.height);
    let result = match format {
        OutputFormat::Png => {
            PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
                .write_image(&bytes, w, h, colour)
                .map_err(|e| e.to_string())
        }
        OutputFormat::Jpeg => {
            // jpeg-encoder: the same baseline JPEG as image's encoder, about
            // twice as fast on a 3840x2160 canvas.
            let kind = if transparent {
                jpeg_encoder::ColorType::Rgba
            } else {
                jpeg_encoder::ColorType::Rgb
            };
            match (u16::try_from(w), u16::try_from(h)) {
                (Ok(w), Ok(h)) => jpeg_encoder::Encoder::new(out.get_mut(), 88)
                    .encode(&bytes, w, h, kind)
                    .map_err(|e| e.to_string()),
                _ => Err(format!("{w}x{h} is too large for JPEG")),
            }
        }
        OutputFormat::Webp => {
            // libwebp's lossless encoder (backward references, colour cache):
            // a third of the size the pure-Rust one writes for title cards.
            let encoder = match colour {
                ExtendedColorType::Rgba8 => webp::Encoder::from_rgba(&bytes, w, h),
                _ => webp::Encoder::from_rgb(&bytes, w, h),
            };
            let config = webp::WebPConfig::new().map(|mut config| {
                config.lossless = 1;
                config.quality = 25.0;
                config.method = 1;
                config
            });
            match config.map(|config| encoder.encode_advanced(&config)) {
                Ok(Ok(memory)) => {
                    out.get_mut().extend_from_slice(&memory);
                    Ok(())
                }
                _ => WebPEncoder::new_lossless(&mut out)
                    .write_image(&bytes, w, h, colour)
                    .map_err(|e| e.to_string()),
            }
        }
    };
    result.map_err(|e| Error::Refused {
        message: format!("the local renderer could not encode {format}: {e}"),
        hint: Some("try --output-format png".into()),
    })?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_options::ImageSize;

    fn request(prompt: &str, format: OutputFormat) -> GenerateRequest {
        let size = ImageSize::Exact(Dimensions {
            width: 256,
            height: 128,
        });
        let mut request = GenerateRequest::simple(prompt, size, format);
        request.quality = Quality::Medium;
        request
    }

    fn decode(bytes: &[u8]) -> image::RgbaImage {
        image::load_from_memory(bytes).unwrap().to_rgba8()
    }

    #[test]
    fn same_input_same_bytes_in_every_format() {
        for format in OutputFormat::ALL {
            let req = request("a lighthouse at dusk", *format);
            let size = req.size.resolve();
            assert_eq!(
                render(&req, size, 0, None).unwrap(),
                render(&req, size, 0, None).unwrap(),
                "{format}"
            );
            let img = decode(&render(&req, size, 0, None).unwrap());
            assert_eq!((img.width(), img.height()), (256, 128));
        }
    }

    #[test]
    fn different_prompts_look_different_and_are_not_flat() {
        let size = Dimensions {
            width: 256,
            height: 128,
        };
        let a = decode(
            &render(
                &request("a lighthouse at dusk", OutputFormat::Png),
                size,
                0,
                None,
            )
            .unwrap(),
        );
        let b = decode(
            &render(
                &request("a bowl of ramen", OutputFormat::Png),
                size,
                0,
                None,
            )
            .unwrap(),
        );
        let diff: u64 = a
            .pixels()
            .zip(b.pixels())
            .map(|(p, q)| {
                p.0.iter()
                    .zip(q.0)
                    .map(|(x, y)| u64::from(x.abs_diff(y)))
                    .sum::<u64>()
            })
            .sum();
        let mean_diff = diff as f64 / (256.0 * 128.0 * 3.0);
        assert!(
            mean_diff > 20.0,
            "images too similar: mean channel difference {mean_diff}"
        );
        let distinct: std::collections::HashSet<_> = a.pixels().map(|p| p.0).collect();
        assert!(
            distinct.len() > 100,
            "only {} distinct colours",
            distinct.len()
        );
    }

    #[test]
    fn n_index_varies_the_image() {
        let req = request("same prompt", OutputFormat::Png);
        let size = req.size.resolve();
        assert_ne!(
            render(&req, size, 0, None).unwrap(),
            render(&req, size, 1, None).unwrap()
        );
    }

    #[test]
    fn transparent_background_has_clear_pixels() {
        let mut req = request("an icon", OutputFormat::Png);
        req.background = Background::Transparent;
        let img = decode(&render(&req, req.size.resolve(), 0, None).unwrap());
        assert!(img.pixels().any(|p| p.0[3] == 0));
        assert!(img.pixels().any(|p| p.0[3] > 0));
    }
}

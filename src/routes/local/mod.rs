//! The offline renderer: a deterministic abstract composition seeded by the
//! prompt. Same prompt, size, options and index give identical bytes; different
//! prompts give visibly different images. No key, no network, credit `none`.

use sha2::{Digest, Sha256};

mod canvas;
mod cards;
mod encode;
mod text;

use canvas::Canvas;

use super::{
    EditInputs, GenerateRequest, GeneratedImage, ImageRoute, PartialSink, base_provenance,
};
use crate::config::{AssetKind, RouteConfig};
use crate::error::{Error, Result};
use crate::image_options::{Background, Dimensions, Quality};

/// Name and version recorded in `renderer`; bump the version whenever the
/// output for the same input changes.
pub const RENDERER: &str = "assetrail-local/3";

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
    encode::encode(&canvas, request.format, transparent)
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

fn compose(
    prompt: &str,
    n_index: u32,
    size: Dimensions,
    quality: Quality,
    transparent: bool,
) -> Canvas<'static> {
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
    let mut canvas = Canvas::new(width, height, move |y, row| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_options::{ImageSize, OutputFormat};

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

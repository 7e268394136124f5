//! Encoding a drawn canvas as PNG, JPEG or WebP. JPEG is encoded in
//! horizontal strips in parallel and joined with restart markers: the bytes
//! are exactly those one encoder writes for the whole image with that
//! restart interval.

use std::io::Cursor;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use rayon::prelude::*;

use super::canvas::Canvas;
use crate::error::{Error, Result};
use crate::image_options::OutputFormat;

/// JPEG quality of the local renderer.
const JPEG_QUALITY: u8 = 88;

/// Encodes `canvas` as `format`, with an alpha channel when `transparent`.
pub fn encode(canvas: &Canvas<'_>, format: OutputFormat, transparent: bool) -> Result<Vec<u8>> {
    let channels = if transparent { 4 } else { 3 };
    let bytes = canvas.pixels(channels);
    let colour = if transparent {
        ExtendedColorType::Rgba8
    } else {
        ExtendedColorType::Rgb8
    };
    let mut out = Cursor::new(Vec::new());
    let (w, h) = (canvas.width as u32, canvas.height as u32);
    let result = match format {
        OutputFormat::Png => {
            PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
                .write_image(&bytes, w, h, colour)
                .map_err(|e| e.to_string())
        }
        OutputFormat::Jpeg => match (u16::try_from(w), u16::try_from(h)) {
            (Ok(w), Ok(h)) => jpeg_in_strips(&bytes, w, h, channels, strip_mcu_rows(w, h))
                .map(|jpeg| *out.get_mut() = jpeg),
            _ => Err(format!("{w}x{h} is too large for JPEG")),
        },
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

/// Edge of a 4:2:0 MCU, in pixels.
const MCU: usize = 16;

/// MCU rows per strip: about 16 strips, each strip's MCU count within the
/// 16-bit restart interval.
fn strip_mcu_rows(width: u16, height: u16) -> usize {
    let per_row = usize::from(width).div_ceil(MCU).max(1);
    let rows = usize::from(height).div_ceil(MCU);
    rows.div_ceil(16)
        .clamp(1, (usize::from(u16::MAX) / per_row).max(1))
}

/// A baseline 4:2:0 encoder with the renderer's settings.
fn encoder(out: &mut Vec<u8>, restart_interval: u16) -> Encoder<&mut Vec<u8>> {
    let mut encoder = Encoder::new(out, JPEG_QUALITY);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder.set_restart_interval(restart_interval);
    encoder
}

/// Encodes `pixels` (RGB, or RGBA when `channels` is 4) as strips of
/// `mcu_rows` MCU rows, in parallel, and joins them into one JPEG whose
/// restart interval is one strip.
fn jpeg_in_strips(
    pixels: &[u8],
    width: u16,
    height: u16,
    channels: usize,
    mcu_rows: usize,
) -> std::result::Result<Vec<u8>, String> {
    let kind = if channels == 4 {
        ColorType::Rgba
    } else {
        ColorType::Rgb
    };
    let interval = usize::from(width).div_ceil(MCU) * mcu_rows;
    let interval = u16::try_from(interval).map_err(|_| format!("{width} is too wide"))?;
    let row_bytes = usize::from(width) * channels;
    let strip_rows = mcu_rows * MCU;
    let strips: Vec<Vec<u8>> = pixels
        .par_chunks(row_bytes.max(1) * strip_rows)
        .map(|strip| {
            let rows = (strip.len() / row_bytes.max(1)) as u16;
            let mut out = Vec::new();
            encoder(&mut out, interval)
                .encode(strip, width, rows, kind)
                .map(|()| out)
                .map_err(|e| e.to_string())
        })
        .collect::<std::result::Result<_, _>>()?;
    let Some(first) = strips.first() else {
        // No rows: the encoder's own refusal.
        let mut out = Vec::new();
        return encoder(&mut out, interval)
            .encode(pixels, width, height, kind)
            .map(|()| out)
            .map_err(|e| e.to_string());
    };
    let (header_len, height_at) = header(first)?;
    let mut jpeg = Vec::with_capacity(strips.iter().map(Vec::len).sum());
    jpeg.extend_from_slice(&first[..header_len]);
    jpeg[height_at..height_at + 2].copy_from_slice(&height.to_be_bytes());
    for (i, strip) in strips.iter().enumerate() {
        let (start, _) = header(strip)?;
        jpeg.extend_from_slice(&strip[start..strip.len() - 2]);
        if i + 1 < strips.len() {
            jpeg.extend_from_slice(&[0xFF, 0xD0 + (i % 8) as u8]);
        }
    }
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    Ok(jpeg)
}

/// In a JPEG from the encoder: where the scan's entropy-coded data starts
/// (after the SOS segment), and where the frame header's height is.
fn header(jpeg: &[u8]) -> std::result::Result<(usize, usize), String> {
    let malformed = || "the JPEG encoder wrote an unexpected stream".to_owned();
    if !jpeg.ends_with(&[0xFF, 0xD9]) {
        return Err(malformed());
    }
    let mut at = 2;
    let mut height_at = None;
    while let [0xFF, marker, hi, lo, ..] = jpeg[at.min(jpeg.len())..] {
        let end = at + 2 + usize::from(u16::from_be_bytes([hi, lo]));
        match marker {
            // SOF0: length, precision, then the height.
            0xC0 => height_at = Some(at + 5),
            0xDA => {
                return match height_at {
                    Some(h) if end <= jpeg.len() - 2 => Ok((end, h)),
                    _ => Err(malformed()),
                };
            }
            _ => {}
        }
        at = end;
    }
    Err(malformed())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(width: usize, height: usize, channels: usize) -> Vec<u8> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..width * height * channels)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Smooth structure plus noise, like a picture.
                ((i % 251) as u64 / 2 + (state % 64)) as u8
            })
            .collect()
    }

    #[test]
    fn strips_join_into_the_bytes_one_encoder_writes() {
        for (width, height, channels, mcu_rows) in [
            (100u16, 77u16, 3, 1),
            (130, 200, 4, 2),
            (64, 16, 3, 1),
            (33, 250, 3, 3),
            (48, 300, 3, 40),
        ] {
            let kind = if channels == 4 {
                ColorType::Rgba
            } else {
                ColorType::Rgb
            };
            let pixels = noise(usize::from(width), usize::from(height), channels);
            let interval = u16::try_from(usize::from(width).div_ceil(MCU) * mcu_rows).unwrap();
            let mut whole = Vec::new();
            encoder(&mut whole, interval)
                .encode(&pixels, width, height, kind)
                .unwrap();
            let joined = jpeg_in_strips(&pixels, width, height, channels, mcu_rows).unwrap();
            assert!(joined == whole, "{width}x{height} in strips of {mcu_rows}");
            image::load_from_memory(&joined).unwrap();
        }
    }

    #[test]
    fn strips_stay_within_the_restart_interval() {
        assert_eq!(strip_mcu_rows(3840, 2160), 9);
        assert_eq!(strip_mcu_rows(16, 16), 1);
        let widest = strip_mcu_rows(u16::MAX, 16_000);
        assert!(usize::from(u16::MAX).div_ceil(MCU) * widest <= usize::from(u16::MAX));
    }
}

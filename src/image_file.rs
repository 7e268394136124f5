//! What an image file is: its format from the magic bytes, its dimensions from
//! the header, its hashes, and whether it carries Content Credentials (C2PA).
//! Nothing here re-encodes: bytes are inspected, never changed.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::manifest::C2paSummary;
use crate::recorded::ImageFormat;

/// How hard to look at an image before accepting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Magic bytes and header dimensions only.
    Header,
    /// Decode every pixel: truncated or corrupt files are refused.
    Full,
}

/// What was learned about one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// png, jpeg, webp, gif, ico or svg.
    pub format: ImageFormat,
    /// Pixels across (absent for svg).
    pub width: Option<u32>,
    /// Pixels down (absent for svg).
    pub height: Option<u32>,
    /// lowercase hex sha256 of the bytes.
    pub sha256: String,
    /// Git blob id of the bytes.
    pub git_blob: String,
    /// File size.
    pub bytes: u64,
    /// Embedded Content Credentials, if any.
    pub c2pa: Option<C2paSummary>,
}

/// The format named by the magic bytes at the start of a file.
pub fn sniff_format(head: &[u8]) -> Option<ImageFormat> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if head.starts_with(b"\xff\xd8\xff") {
        Some(ImageFormat::Jpeg)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(ImageFormat::Webp)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if head.starts_with(b"\0\0\x01\0") {
        Some(ImageFormat::Ico)
    } else if head.len() >= 12
        && &head[4..8] == b"ftyp"
        && (&head[8..12] == b"avif" || &head[8..12] == b"avis")
    {
        Some(ImageFormat::Avif)
    } else if looks_like_svg(head) {
        Some(ImageFormat::Svg)
    } else {
        None
    }
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(1024)]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with('<')) && text.contains("<svg")
}

/// The format a file extension claims (`jpg` → `jpeg`).
pub fn format_of_extension(ext: &str) -> Option<ImageFormat> {
    match ext {
        "jpg" => Some(ImageFormat::Jpeg),
        other => other.parse().ok(),
    }
}

/// Inspects bytes held in memory, checking they are an image of `claimed` format.
pub fn inspect_bytes(
    bytes: &[u8],
    claimed: ImageFormat,
    verify: Verify,
) -> Result<ImageInfo, String> {
    let format = check_format(bytes, claimed)?;
    let (width, height) = dimensions(Cursor::new(bytes), format, verify)?;
    Ok(ImageInfo {
        format,
        width,
        height,
        sha256: crate::git::hex(&Sha256::digest(bytes)),
        git_blob: crate::git::blob_id_hex(bytes),
        bytes: bytes.len() as u64,
        c2pa: find_c2pa(&mut Cursor::new(bytes), format),
    })
}

/// Files up to this size are read once into memory and inspected there;
/// larger ones are streamed (never held whole).
const READ_WHOLE: u64 = 32 << 20;

/// Inspects a file and checks it is an image of `claimed` format. The
/// error string says what is wrong.
pub fn inspect_file(path: &Path, claimed: ImageFormat, verify: Verify) -> Result<ImageInfo> {
    let refuse = |why: String| {
        Error::refused(
            format!("{}: {why}", path.display()),
            "only png, jpeg, webp, gif, ico and svg images can be recorded; a file must match its extension",
        )
    };
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len <= READ_WHOLE {
        // One open, one read: the format, size, hashes and credentials from memory.
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1);
        // Through `take`: the length is known, no second stat of the file.
        Read::read_to_end(&mut (&mut file).take(READ_WHOLE + 1), &mut bytes)
            .map_err(|e| Error::io(path, e))?;
        return inspect_bytes(&bytes, claimed, verify).map_err(refuse);
    }
    let mut head = [0u8; 1024];
    let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io(path, e))?;
    let format = check_format(&head[..n], claimed).map_err(refuse)?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io(path, e))?;
    let (width, height) = dimensions(BufReader::new(&mut file), format, verify).map_err(refuse)?;
    let (sha256, git_blob, bytes) = hash_file(path)?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io(path, e))?;
    Ok(ImageInfo {
        format,
        width,
        height,
        sha256,
        git_blob,
        bytes,
        c2pa: find_c2pa(&mut BufReader::new(&mut file), format),
    })
}

/// Streams a file once for its sha256, its git blob id and its size.
pub fn hash_file(path: &Path) -> Result<(String, String, u64)> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut sha256 = Sha256::new();
    let mut blob = crate::git::BlobHasher::new(len);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        sha256.update(&buf[..n]);
        blob.update(&buf[..n]);
        total += n as u64;
    }
    if total != len {
        return Err(Error::io(
            path,
            std::io::Error::other("the file changed size while it was being read"),
        ));
    }
    Ok((format!("{:x}", sha256.finalize()), blob.finish_hex(), total))
}

/// sha256 of a file: the length its stat gives, read in one call when it
/// is small, else streamed (assets are mostly small, and most are hashed
/// only by a cold check).
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut sha256 = Sha256::new();
    let mut buf = vec![0u8; usize::try_from(len.min(64 << 10)).unwrap_or(64 << 10)];
    let mut remaining = len;
    while remaining > 0 {
        let want = usize::try_from(remaining).map_or(buf.len(), |r| r.min(buf.len()));
        let n = read_up_to(&mut file, &mut buf[..want]).map_err(|e| Error::io(path, e))?;
        if n < want {
            return Err(Error::io(
                path,
                std::io::Error::other("the file changed size while it was being read"),
            ));
        }
        sha256.update(&buf[..n]);
        remaining -= n as u64;
    }
    Ok(format!("{:x}", sha256.finalize()))
}

/// Fills as much of `buf` as `reader` holds: short only at its end.
pub(crate) fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn check_format(head: &[u8], claimed: ImageFormat) -> Result<ImageFormat, String> {
    let Some(actual) = sniff_format(head) else {
        return Err(format!(
            "not an image (the bytes are not {claimed} or any known image format)"
        ));
    };
    if actual != claimed {
        return Err(format!(
            "the bytes are {actual}, but the name says {claimed}; give the file a .{} name",
            actual.extension()
        ));
    }
    Ok(actual)
}

type Dims = (Option<u32>, Option<u32>);

fn dimensions(
    reader: impl std::io::BufRead + Seek,
    format: ImageFormat,
    verify: Verify,
) -> Result<Dims, String> {
    let image_format = match format {
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Webp => image::ImageFormat::WebP,
        ImageFormat::Gif => image::ImageFormat::Gif,
        ImageFormat::Ico => image::ImageFormat::Ico,
        // No decoder for these in this build: the magic bytes are all we check.
        ImageFormat::Avif | ImageFormat::Svg => return Ok((None, None)),
    };
    let reader = image::ImageReader::with_format(reader, image_format);
    match verify {
        Verify::Header => reader
            .into_dimensions()
            .map(|(w, h)| (Some(w), Some(h)))
            .map_err(|e| format!("does not decode as {format}: {e}")),
        Verify::Full => {
            let mut reader = reader;
            reader.no_limits();
            reader
                .decode()
                .map(|img| (Some(img.width()), Some(img.height())))
                .map_err(|e| format!("does not decode as {format}: {e}"))
        }
    }
}

/// Looks for an embedded C2PA manifest store without reading pixel data and,
/// when there is one, reads what it says ([`crate::credentials`]).
fn find_c2pa(reader: &mut (impl Read + Seek + Send), format: ImageFormat) -> Option<C2paSummary> {
    let mut summary = find_c2pa_store(reader, format)?;
    crate::credentials::read_into(&mut summary, format, reader);
    Some(summary)
}

/// Where an embedded C2PA manifest store sits, and its size.
fn find_c2pa_store(reader: &mut (impl Read + Seek), format: ImageFormat) -> Option<C2paSummary> {
    let found = match format {
        ImageFormat::Png => png_chunk(reader, b"caBX").map(|len| ("png:caBX", len)),
        ImageFormat::Jpeg => jpeg_app11_jumbf(reader).map(|len| ("jpeg:APP11", len)),
        ImageFormat::Webp => riff_chunk(reader, b"C2PA").map(|len| ("webp:C2PA", len)),
        _ => None,
    };
    found.map(|(container, bytes)| C2paSummary {
        container: container.to_owned(),
        bytes,
        ..C2paSummary::default()
    })
}

fn png_chunk(reader: &mut (impl Read + Seek), wanted: &[u8; 4]) -> Option<u64> {
    reader.seek(SeekFrom::Start(8)).ok()?;
    let mut header = [0u8; 8];
    loop {
        reader.read_exact(&mut header).ok()?;
        let len = u32::from_be_bytes(header[..4].try_into().ok()?);
        if &header[4..] == wanted {
            return Some(u64::from(len));
        }
        if &header[4..] == b"IEND" {
            return None;
        }
        reader.seek(SeekFrom::Current(i64::from(len) + 4)).ok()?;
    }
}

fn jpeg_app11_jumbf(reader: &mut (impl Read + Seek)) -> Option<u64> {
    reader.seek(SeekFrom::Start(2)).ok()?;
    let mut total = 0u64;
    let mut marker = [0u8; 4];
    loop {
        if reader.read_exact(&mut marker).is_err() {
            break;
        }
        if marker[0] != 0xff || marker[1] == 0xda || marker[1] == 0xd9 {
            break;
        }
        let len = u16::from_be_bytes([marker[2], marker[3]]);
        let body = u64::from(len.saturating_sub(2));
        if marker[1] == 0xeb {
            let mut tag = [0u8; 2];
            reader.read_exact(&mut tag).ok()?;
            if &tag == b"JP" {
                total += body;
            }
            reader.seek(SeekFrom::Current(body as i64 - 2)).ok()?;
        } else {
            reader.seek(SeekFrom::Current(body as i64)).ok()?;
        }
    }
    (total > 0).then_some(total)
}

fn riff_chunk(reader: &mut (impl Read + Seek), wanted: &[u8; 4]) -> Option<u64> {
    reader.seek(SeekFrom::Start(12)).ok()?;
    let mut header = [0u8; 8];
    loop {
        reader.read_exact(&mut header).ok()?;
        let len = u32::from_le_bytes(header[4..].try_into().ok()?);
        if &header[..4] == wanted {
            return Some(u64::from(len));
        }
        reader
            .seek(SeekFrom::Current(i64::from(len) + i64::from(len & 1)))
            .ok()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([10, 20, 30]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn reads_format_dimensions_and_hashes() {
        let bytes = png(32, 16);
        let info = inspect_bytes(&bytes, ImageFormat::Png, Verify::Full).unwrap();
        assert_eq!(
            (info.format, info.width, info.height),
            (ImageFormat::Png, Some(32), Some(16))
        );
        assert_eq!(info.sha256, format!("{:x}", Sha256::digest(&bytes)));
        assert_eq!(info.git_blob.len(), 40);
        assert_eq!(info.c2pa, None);
    }

    #[test]
    fn refuses_mismatched_and_garbage_bytes() {
        let bytes = png(16, 16);
        let err = inspect_bytes(&bytes, ImageFormat::Webp, Verify::Header).unwrap_err();
        assert!(err.contains("the bytes are png"), "{err}");
        let err = inspect_bytes(b"hello world", ImageFormat::Png, Verify::Header).unwrap_err();
        assert!(err.contains("not an image"), "{err}");
        let truncated = &bytes[..bytes.len() - 20];
        assert!(inspect_bytes(truncated, ImageFormat::Png, Verify::Full).is_err());
    }

    #[test]
    fn finds_a_png_c2pa_chunk() {
        let bytes = png(16, 16);
        // Insert a caBX chunk right after IHDR (8 sig + 25 IHDR).
        let mut with = bytes[..33].to_vec();
        with.extend_from_slice(&5u32.to_be_bytes());
        with.extend_from_slice(b"caBX");
        with.extend_from_slice(b"jumbf");
        with.extend_from_slice(&[0, 0, 0, 0]);
        with.extend_from_slice(&bytes[33..]);
        let info = inspect_bytes(&with, ImageFormat::Png, Verify::Header).unwrap();
        assert_eq!(
            info.c2pa,
            Some(C2paSummary {
                container: "png:caBX".into(),
                bytes: 5,
                ..C2paSummary::default()
            })
        );
    }

    #[test]
    fn streamed_hashes_match_in_memory_ones() {
        let bytes = png(64, 64);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        std::fs::write(&path, &bytes).unwrap();
        let from_file = inspect_file(&path, ImageFormat::Png, Verify::Full).unwrap();
        let from_memory = inspect_bytes(&bytes, ImageFormat::Png, Verify::Full).unwrap();
        assert_eq!(from_file, from_memory);
    }
}

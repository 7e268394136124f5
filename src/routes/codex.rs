//! Finding images made by Codex's built-in image tool. Codex saves them under
//! `$CODEX_HOME/generated_images/<thread_id>/`; headless runs sometimes leave
//! them only as base64 inside `$CODEX_HOME/sessions/**/rollout-*.jsonl`, so
//! that is searched when no file is found.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::Engine;
use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::image_file::sniff_format;

/// An image found in Codex's home, ready to be copied byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodexImage {
    /// The bytes as Codex saved them.
    pub bytes: Vec<u8>,
    /// Where they came from, written with `$CODEX_HOME/` when inside it (so no
    /// home directory ends up in the manifest).
    pub source: String,
    /// The Codex thread the image belongs to, when known.
    pub thread_id: Option<String>,
}

/// Which Codex image to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodexSelector {
    /// The newest image Codex made (in one thread, when named).
    Latest {
        /// Only this thread's images.
        thread: Option<String>,
    },
    /// A given file.
    File(PathBuf),
}

/// `$CODEX_HOME`, defaulting to `~/.codex`.
pub fn codex_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("CODEX_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(".codex"))
        .ok_or_else(|| {
            Error::usage(
                "cannot locate Codex's home: neither CODEX_HOME nor HOME is set",
                "set CODEX_HOME to the folder Codex uses (usually ~/.codex) or pass the image file",
            )
        })
}

/// Finds the image `selector` names.
pub fn find(home: &Path, selector: &CodexSelector) -> Result<CodexImage> {
    match selector {
        CodexSelector::File(path) => from_file(home, path),
        CodexSelector::Latest { thread } => {
            if let Some(path) = newest_generated_image(home, thread.as_deref()) {
                return from_file(home, &path);
            }
            newest_rollout_image(home, thread.as_deref())?.ok_or_else(|| {
                let place = match thread {
                    Some(t) => home.join("generated_images").join(t),
                    None => home.join("generated_images"),
                };
                Error::refused(
                    format!(
                        "no Codex image found in {}{} or in its sessions",
                        place.display(),
                        thread.as_deref().map(|t| format!(" (thread {t})")).unwrap_or_default()
                    ),
                    "make the image in Codex first, set CODEX_HOME if Codex uses another folder, or pass the file: assetrail import --codex FILE --out PATH --prompt P",
                )
            })
        }
    }
}

/// The most an imported image may weigh: more is not an image Codex made.
const MAX_IMPORT: u64 = 64 << 20;

fn from_file(home: &Path, path: &Path) -> Result<CodexImage> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::refused(
            format!("{} is not a regular file", path.display()),
            "name the image file Codex wrote (devices, FIFOs and folders are never read)",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_IMPORT + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_IMPORT {
        return Err(Error::refused(
            format!("{} is larger than {} MiB", path.display(), MAX_IMPORT >> 20),
            "import the image file Codex wrote, not another file",
        ));
    }
    let generated = home.join("generated_images");
    let (source, thread_id) = match path.strip_prefix(&generated) {
        Ok(rel) => {
            let thread = rel
                .components()
                .next()
                .filter(|_| rel.components().count() > 1)
                .map(|c| c.as_os_str().to_string_lossy().into_owned());
            (
                format!("$CODEX_HOME/generated_images/{}", rel.to_string_lossy()),
                thread,
            )
        }
        Err(_) => (path.to_string_lossy().into_owned(), None),
    };
    Ok(CodexImage {
        bytes,
        source,
        thread_id,
    })
}

fn is_image_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "png" | "jpg" | "jpeg" | "webp"
        )
    })
}

fn modified(path: &Path) -> SystemTime {
    path.metadata()
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

fn newest_generated_image(home: &Path, thread: Option<&str>) -> Option<PathBuf> {
    let (folder, depth) = match thread {
        Some(thread) => (home.join("generated_images").join(thread), 1),
        None => (home.join("generated_images"), 2),
    };
    WalkDir::new(folder)
        .max_depth(depth)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && is_image_name(e.path()))
        .map(|e| e.into_path())
        .max_by(|a, b| modified(a).cmp(&modified(b)).then_with(|| a.cmp(b)))
}

fn newest_rollout_image(home: &Path, thread: Option<&str>) -> Result<Option<CodexImage>> {
    let mut rollouts: Vec<PathBuf> = WalkDir::new(home.join("sessions"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_type().is_file() && {
                let name = e.file_name().to_string_lossy();
                name.starts_with("rollout-") && name.ends_with(".jsonl")
            }
        })
        .map(|e| e.into_path())
        .filter(|path| thread.is_none_or(|t| thread_id_of_rollout(path).as_deref() == Some(t)))
        .collect();
    rollouts.sort_by(|a, b| modified(b).cmp(&modified(a)).then_with(|| b.cmp(a)));
    for rollout in rollouts {
        let text = std::fs::read_to_string(&rollout).map_err(|e| Error::io(&rollout, e))?;
        let lines: Vec<&str> = text.lines().collect();
        let found = lines.iter().enumerate().rev().find_map(|(index, line)| {
            let value: serde_json::Value = serde_json::from_str(line).ok()?;
            Some((index + 1, last_embedded_image(&value)?))
        });
        if let Some((line, bytes)) = found {
            let rel = rollout.strip_prefix(home).unwrap_or(&rollout);
            return Ok(Some(CodexImage {
                bytes,
                source: format!("$CODEX_HOME/{}#L{line}", rel.to_string_lossy()),
                thread_id: thread_id_of_rollout(&rollout),
            }));
        }
    }
    Ok(None)
}

/// The last base64 image (a data URL or a bare base64 string) inside a JSON value.
fn last_embedded_image(value: &serde_json::Value) -> Option<Vec<u8>> {
    match value {
        serde_json::Value::String(s) => decode_image_string(s),
        serde_json::Value::Array(items) => items.iter().rev().find_map(last_embedded_image),
        serde_json::Value::Object(map) => map.values().rev().find_map(last_embedded_image),
        _ => None,
    }
}

fn decode_image_string(s: &str) -> Option<Vec<u8>> {
    let payload = match s.strip_prefix("data:image/") {
        Some(rest) => rest.split_once(";base64,")?.1,
        None if s.len() >= 64 => s,
        None => return None,
    };
    // Cheap test on a prefix before decoding megabytes.
    let head = base64::engine::general_purpose::STANDARD
        .decode(payload.get(..16)?)
        .ok()?;
    sniff_format(&head).and_then(|f| f.as_output())?;
    base64::engine::general_purpose::STANDARD
        .decode(payload)
        .ok()
}

/// `rollout-2026-06-01T10-00-00-<uuid>.jsonl` → `<uuid>`.
fn thread_id_of_rollout(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let id = stem.get(stem.len().checked_sub(36)?..)?;
    let looks_like_uuid = id.len() == 36
        && id.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    looks_like_uuid.then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_HEAD: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn decodes_data_urls_and_bare_base64() {
        let b64 = base64::engine::general_purpose::STANDARD.encode([PNG_HEAD, &[0u8; 64]].concat());
        assert!(decode_image_string(&format!("data:image/png;base64,{b64}")).is_some());
        assert!(decode_image_string(&b64).is_some());
        assert!(decode_image_string("hello").is_none());
        let text = base64::engine::general_purpose::STANDARD
            .encode([b"not an image at all".as_slice(); 5].concat());
        assert!(decode_image_string(&text).is_none());
    }

    #[test]
    fn thread_ids_come_from_rollout_names() {
        let path =
            Path::new("rollout-2026-06-01T10-00-00-0190c7a2-1234-7abc-8def-0123456789ab.jsonl");
        assert_eq!(
            thread_id_of_rollout(path).as_deref(),
            Some("0190c7a2-1234-7abc-8def-0123456789ab")
        );
        assert_eq!(thread_id_of_rollout(Path::new("rollout-x.jsonl")), None);
    }
}

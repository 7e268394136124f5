//! Turning bytes or files into manifest entries: the one place that writes
//! assets and records them, under the manifest lock, so every route records the
//! same fields the same way and a failure leaves neither new files nor a
//! half-written manifest behind.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::image_file::{self, ImageInfo, Verify};
use crate::manifest::{ManifestEntry, ManifestSnapshot, Parent};
use crate::recorded::{ImageFormat, ParentRole};
use crate::repo_path;
use crate::store;
use crate::workspace::Workspace;

/// Where a new asset's bytes come from.
#[derive(Debug, Clone)]
pub enum Content {
    /// Bytes to write at the path (generated or imported), exactly as given.
    Bytes(Vec<u8>),
    /// The file is already at the path; record it as it is.
    InPlace,
    /// The file is already at the path and was inspected ([`inspect_at`]).
    Inspected(Box<ImageInfo>),
}

/// An asset to store and record.
#[derive(Debug, Clone)]
pub struct NewAsset {
    /// Normalized repo-relative path.
    pub path: String,
    /// Its bytes, or `InPlace`.
    pub content: Content,
    /// How thoroughly to check the image.
    pub verify: Verify,
    /// Route-specific provenance; path, hashes, dimensions and timestamps are filled in here.
    pub provenance: ManifestEntry,
    /// When the path is taken, use the next free sibling (`hero-2.png`) instead
    /// of refusing: for names assetrail derived, never for names the user chose.
    pub rename_if_taken: bool,
}

/// Writes and records `assets` in one manifest transaction. With `force`,
/// existing files and entries are replaced and the replaced bytes become a
/// `replaced` parent. On any error, files this call created are removed and the
/// manifest is left as it was.
/// `snapshot` is a manifest the caller already read; it is reused when the file
/// has not changed since.
pub fn commit(
    ws: &Workspace,
    assets: Vec<NewAsset>,
    force: bool,
    snapshot: Option<ManifestSnapshot>,
) -> Result<Vec<ManifestEntry>> {
    let mut txn = ws.begin_manifest(snapshot)?;
    let base_commit = ws.git.head_commit()?;
    let created_at = now();
    let mut created: Vec<PathBuf> = Vec::new();
    let mut recorded = Vec::with_capacity(assets.len());

    let outcome = (|| -> Result<()> {
        let mut claimed: HashSet<String> = HashSet::new();
        for mut asset in assets {
            crate::interrupt::check()?;
            if asset.rename_if_taken {
                let taken = |p: &str| {
                    claimed.contains(p)
                        || txn.lock.contains(p)
                        || ws.abs(p).symlink_metadata().is_ok()
                };
                if taken(&asset.path) {
                    asset.path = store::free_sibling(ws.root(), &asset.path, &taken);
                }
            }
            store::check_managed(&ws.config, &asset.path)?;
            let previous = txn.lock.get(&asset.path)?;
            let claimed_format = claimed_format(&asset.path)?;
            let (info, replaced_sha) = match &asset.content {
                Content::Bytes(bytes) => {
                    let info = image_file::inspect_bytes(bytes, claimed_format, asset.verify)
                        .map_err(|why| {
                            Error::refused(
                                format!("{}: {why}", asset.path),
                                "a format conversion is a new asset: write it under a name with the right extension",
                            )
                        })?;
                    let in_manifest = |p: &str| claimed.contains(p) || txn.lock.contains(p);
                    let target = store::check_target(
                        ws.root(),
                        &ws.config,
                        &asset.path,
                        force,
                        &in_manifest,
                    )?;
                    let replaced_sha = if target.exists {
                        Some(image_file::sha256_file(&ws.abs(&asset.path))?)
                    } else {
                        previous.as_ref().map(|p| p.sha256.clone())
                    };
                    store::write_file(ws.root(), &asset.path, bytes, force)?;
                    if !target.exists {
                        created.push(ws.abs(&asset.path));
                    }
                    (info, replaced_sha)
                }
                Content::InPlace | Content::Inspected(_) => {
                    let info = match &asset.content {
                        Content::Inspected(info) => (**info).clone(),
                        _ => inspect_at(ws.root(), &asset.path, asset.verify)?,
                    };
                    if let Some(previous) = &previous
                        && !force
                    {
                        return Err(Error::refused(
                            format!(
                                "{} is already recorded (route {}, {})",
                                asset.path, previous.route, previous.created_at
                            ),
                            format!(
                                "pass --force to record it again, or see it with `assetrail show {}`",
                                asset.path
                            ),
                        ));
                    }
                    let replaced_sha = previous
                        .as_ref()
                        .map(|p| p.sha256.clone())
                        .filter(|sha| *sha != info.sha256);
                    (info, replaced_sha)
                }
            };
            claimed.insert(asset.path.clone());
            let mut entry = asset.provenance;
            fill(&mut entry, &asset.path, &info);
            entry.base_commit = base_commit.clone();
            entry.created_at = created_at.clone();
            if let Some(sha256) = replaced_sha {
                entry.parents.push(Parent {
                    path: asset.path.clone(),
                    sha256,
                    role: ParentRole::Replaced,
                    id: previous.as_ref().map(|p| p.id.clone()),
                    input_fidelity: None,
                });
            }
            txn.lock.upsert(entry.clone());
            recorded.push(entry);
        }
        Ok(())
    })();

    // A cancellation that came while the files were written still wins:
    // they are removed and the manifest is left as it was.
    let outcome = outcome
        .and_then(|()| crate::interrupt::check())
        .and_then(|()| txn.commit());
    if let Err(e) = outcome {
        for path in created {
            let _ = std::fs::remove_file(path);
        }
        return Err(e);
    }
    Ok(recorded)
}

/// The format the file name promises, refusing names that are not images.
fn claimed_format(path: &str) -> Result<ImageFormat> {
    repo_path::extension(path)
        .and_then(|ext| image_file::format_of_extension(&ext))
        .ok_or_else(|| {
            Error::refused(
                format!("{path}: not an image file name"),
                "use a .png, .jpg, .webp, .gif, .ico or .svg name",
            )
        })
}

/// Whether an existing file can be recorded as it is: an image whose bytes
/// match its name (the error says what it really is).
pub fn check_recordable(ws: &Workspace, path: &str, verify: Verify) -> Result<()> {
    inspect_at(ws.root(), path, verify).map(drop)
}

/// Checks an existing file for recording: no links,
/// a regular file, and an image matching its name.
/// Inspects the image at `path` in the work tree at `root` for recording
/// (safe to call from many threads at once).
pub fn inspect_at(root: &Path, path: &str, verify: Verify) -> Result<ImageInfo> {
    let claimed = claimed_format(path)?;
    let abs = root.join(path);
    match store::no_symlinks(root, path)? {
        Some(meta) if meta.is_file() => {}
        Some(_) => {
            return Err(Error::refused(
                format!("{path} is not a regular file"),
                "name an image file",
            ));
        }
        None => {
            return Err(Error::refused(
                format!("{path} does not exist"),
                "record only files already in the repository; to make one, use `assetrail generate`",
            ));
        }
    }
    image_file::inspect_file(&abs, claimed, verify)
}

fn fill(entry: &mut ManifestEntry, path: &str, info: &ImageInfo) {
    entry.path = path.to_owned();
    entry.id = uuid::Uuid::now_v7().to_string();
    entry.sha256 = info.sha256.clone();
    entry.bytes = info.bytes;
    entry.format = info.format;
    entry.width = info.width;
    entry.height = info.height;
    entry.git_blob = Some(info.git_blob.clone());
    entry.c2pa = info.c2pa.clone().map(Box::new);
    entry.tool_version = env!("CARGO_PKG_VERSION").to_owned();
}

/// The current time, UTC, to the second, RFC 3339.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

//! One judgement of a recorded asset's state (ok, modified, missing, a Git LFS
//! pointer) and one lister of the images in managed folders that have no entry.
//! `status`, `check` and every other command that asks call these.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::GitRepo;
use crate::lfs::{self, LfsPointer};
use crate::manifest::{Manifest, ManifestEntry};
use crate::scan::tree::Tree;
use crate::stat_cache::StatCache;

/// What the file of a recorded asset holds, against its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// The bytes match the recorded sha256.
    Ok,
    /// A Git LFS pointer whose oid is the recorded sha256 (verified by oid).
    LfsPointer,
    /// The bytes differ from the recorded sha256.
    Modified,
    /// A Git LFS pointer to other content than the recorded one.
    LfsMismatch,
    /// Starts like a Git LFS pointer but has no valid oid.
    BadPointer,
    /// The file is gone.
    Missing,
}

impl State {
    /// Every state, in the order reports list them.
    pub const ALL: [State; 6] = [
        State::Ok,
        State::LfsPointer,
        State::Modified,
        State::LfsMismatch,
        State::BadPointer,
        State::Missing,
    ];

    /// The word `status` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::LfsPointer => "lfs-pointer",
            State::Modified => "modified",
            State::LfsMismatch => "lfs-mismatch",
            State::BadPointer => "bad-pointer",
            State::Missing => "missing",
        }
    }

    /// Whether the recorded content is what is there (bytes or LFS oid).
    pub fn is_ok(self) -> bool {
        matches!(self, State::Ok | State::LfsPointer)
    }

    /// Whether a file is present at the path.
    pub fn is_present(self) -> bool {
        self != State::Missing
    }
}

/// A recorded asset's state and, when it differs, what is there instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The state.
    pub state: State,
    /// The sha256 found instead of the recorded one (the file's, or an LFS
    /// pointer's oid) when they differ.
    pub actual_sha256: Option<String>,
}

impl Judgement {
    fn of(state: State) -> Judgement {
        Judgement {
            state,
            actual_sha256: None,
        }
    }

    fn content(entry: &ManifestEntry, sha256: String) -> Judgement {
        if sha256 == entry.sha256 {
            Judgement::of(State::Ok)
        } else {
            Judgement {
                state: State::Modified,
                actual_sha256: Some(sha256),
            }
        }
    }

    fn pointer(entry: &ManifestEntry, pointer: Option<LfsPointer>) -> Judgement {
        match pointer {
            None => Judgement::of(State::BadPointer),
            Some(p) if p.sha256 == entry.sha256 => Judgement::of(State::LfsPointer),
            Some(p) => Judgement {
                state: State::LfsMismatch,
                actual_sha256: Some(p.sha256),
            },
        }
    }
}

/// Where judging a file stands after its stat.
enum Step<'t> {
    Judged(Judgement),
    /// A work-tree file (under `root`) the stat cache does not know.
    Unknown {
        root: &'t std::path::Path,
        meta: std::fs::Metadata,
    },
}

/// More unknown files than this, and git's index is read to vouch for them
/// instead of hashing each.
const VOUCH_AFTER: usize = 64;

/// The state of `entry`'s file in `tree`, as far as it is known without
/// hashing the file. In the index, a staged blob whose id the entry
/// recorded is not read at all.
fn judge_known<'t>(
    entry: &ManifestEntry,
    tree: &'t Tree,
    stat_cache: &StatCache,
) -> Result<Step<'t>> {
    let path = entry.path.as_str();
    match tree {
        Tree::Work { root } => {
            let abs = root.join(path);
            let Ok(meta) = abs.metadata() else {
                return Ok(Step::Judged(Judgement::of(State::Missing)));
            };
            if !meta.is_file() {
                return Ok(Step::Judged(Judgement::of(State::Missing)));
            }
            if lfs::may_be_pointer(meta.len()) {
                let bytes = std::fs::read(&abs).map_err(|e| Error::io(&abs, e))?;
                return Ok(Step::Judged(judge_bytes(entry, &bytes)));
            }
            Ok(match stat_cache.known(path, &meta) {
                Some((sha256, _)) => Step::Judged(Judgement::content(entry, sha256)),
                None => Step::Unknown { root, meta },
            })
        }
        Tree::Index(_) => Ok(Step::Judged(match tree.staged(path) {
            None => Judgement::of(State::Missing),
            Some(staged) if entry.git_blob.as_deref() == Some(staged.oid.to_string().as_str()) => {
                Judgement::of(State::Ok)
            }
            Some(_) => tree.read(path).map_or_else(
                || Judgement::of(State::Missing),
                |bytes| judge_bytes(entry, &bytes),
            ),
        })),
    }
}

/// The state of each of `assets`, in order, judged on all cores. In the
/// work tree, unchanged files are not hashed again (`stat_cache`), nor are
/// many that git vouches for: a file whose stat git's index still holds,
/// and whose blob id there is the one the entry recorded, is what was
/// recorded.
pub fn judge_all(
    assets: &[ManifestEntry],
    tree: &Tree,
    stat_cache: &StatCache,
) -> Result<Vec<Judgement>> {
    use rayon::prelude::*;
    let steps: Vec<Step> = assets
        .par_iter()
        .map(|entry| judge_known(entry, tree, stat_cache))
        .collect::<Result<_>>()?;
    let unknown = steps
        .iter()
        .filter(|s| matches!(s, Step::Unknown { .. }))
        .count();
    let index = (unknown > VOUCH_AFTER)
        .then(|| stat_cache.git_index())
        .flatten();
    steps
        .into_par_iter()
        .zip(assets)
        .map(|(step, entry)| match step {
            Step::Judged(judgement) => Ok(judgement),
            Step::Unknown { root, meta } => {
                let path = entry.path.as_str();
                let vouched = index.as_ref().and_then(|index| index.vouch(path, &meta));
                if let (Some(oid), Some(recorded)) = (vouched, entry.git_blob.as_deref())
                    && oid.to_string() == recorded
                {
                    // The bytes recorded with that blob id: their sha256 is the entry's.
                    stat_cache.remember(path, &meta, &entry.sha256);
                    return Ok(Judgement::of(State::Ok));
                }
                let (sha256, _) = stat_cache.hash(root, path, &meta)?;
                Ok(Judgement::content(entry, sha256))
            }
        })
        .collect()
}

/// The state of `entry` given the bytes at its path.
pub fn judge_bytes(entry: &ManifestEntry, bytes: &[u8]) -> Judgement {
    if lfs::starts_like_pointer(bytes) {
        return Judgement::pointer(entry, lfs::parse_pointer(bytes));
    }
    Judgement::content(entry, format!("{:x}", Sha256::digest(bytes)))
}

/// The sha256 of the content `bytes` stand for: a Git LFS pointer's oid,
/// else the sha256 of the bytes themselves.
pub fn content_sha256(bytes: &[u8]) -> String {
    lfs::parse_pointer(bytes).map_or_else(|| format!("{:x}", Sha256::digest(bytes)), |p| p.sha256)
}

/// Images in managed folders (from `images`, every image the tree holds) that
/// have no entry in `manifest` and are not allow-listed. In the work tree an
/// image `.gitignore` hides is generated output nobody commits, and is left
/// out unless git tracks it anyway.
pub fn untracked(
    config: &Config,
    git: &GitRepo,
    manifest: &Manifest,
    images: &[String],
    tree: &Tree,
) -> Vec<String> {
    let candidates = images.iter().filter(|image| {
        config.managed_folder_of(image).is_some()
            && config.is_image_path(image)
            && manifest.get(image).is_none()
            && !config.is_allowed(image)
    });
    if tree.is_index() {
        return candidates.cloned().collect();
    }
    let mut tracked: Option<Tree> = None;
    candidates
        .filter(|image| {
            !git.is_ignored(image) || {
                let index = tracked.get_or_insert_with(|| {
                    Tree::index(git.git_dir(), git.index_file())
                        .unwrap_or_else(|_| Tree::work(git.root()))
                });
                index.is_index() && index.is_file(image)
            }
        })
        .cloned()
        .collect()
}

/// Every file below the managed folders of the work tree at `root`,
/// repo-relative and sorted (gitignored ones included: [`untracked`] decides
/// about those). Symbolic links are not followed.
pub fn managed_files(root: &std::path::Path, config: &Config) -> Vec<String> {
    let mut found = Vec::new();
    for folder in &config.folders {
        for entry in walkdir::WalkDir::new(root.join(folder))
            .into_iter()
            .flatten()
        {
            if entry.file_type().is_file()
                && let Ok(rel) = entry.path().strip_prefix(root)
            {
                found.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

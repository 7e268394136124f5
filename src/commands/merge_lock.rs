//! `assetrail merge-lock BASE OURS THEIRS`: git's merge driver for
//! `assets.lock` (three ways by asset; the result is written over OURS, exit 1
//! on conflicts). `assetrail merge-lock --resolve` settles the lock in the
//! work tree after a merge, rebase or cherry-pick stopped on it.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::asset_state;
use crate::atomic::{self, Existing};
use crate::cli::MergeLockArgs;
use crate::error::{Error, Result};
use crate::lock_merge::{self, Conflict, Merged, Side};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::output::{Report, Style};
use crate::workspace::Workspace;

/// One conflict as reported.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ConflictReport {
    /// The asset.
    pub path: String,
    /// Line of its markers in the lock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// What each side holds.
    pub sides: String,
}

impl From<&Conflict> for ConflictReport {
    fn from(c: &Conflict) -> Self {
        ConflictReport {
            path: c.path.clone(),
            line: c.line,
            sides: c.describe(),
        }
    }
}

/// What `merge-lock` did.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct MergeLockReport {
    /// The file written.
    #[serde(rename = "path")]
    pub file: String,
    /// Entries in the result (conflicts excluded).
    pub entries: usize,
    /// Conflicts settled (with `--resolve`).
    pub settled: usize,
    /// Conflicts left, entry by entry.
    pub conflicts: Vec<ConflictReport>,
}

impl MergeLockReport {
    /// Whether conflicts remain (exit 1: git marks the file conflicted).
    pub fn failed(&self) -> bool {
        !self.conflicts.is_empty()
    }
}

impl Report for MergeLockReport {
    fn write_text(&self, out: &mut dyn Write, _style: &Style) -> io::Result<()> {
        if self.conflicts.is_empty() {
            write!(
                out,
                "{}: merged by asset, {} entries",
                self.file, self.entries
            )?;
            if self.settled > 0 {
                write!(
                    out,
                    ", {} conflict(s) settled; stage it: git add {MANIFEST_FILE}",
                    self.settled
                )?;
            }
            return writeln!(out);
        }
        writeln!(
            out,
            "{}: {} asset(s) changed differently on both sides:",
            self.file,
            self.conflicts.len()
        )?;
        for c in &self.conflicts {
            let at = c
                .line
                .map(|l| format!("{}:{l}: ", self.file))
                .unwrap_or_default();
            writeln!(out, "  {at}{}", c.sides)?;
        }
        writeln!(out, "{}", lock_merge::resolve_hint())
    }
}

/// Runs `merge-lock`.
pub fn run(repo_arg: Option<&Path>, args: &MergeLockArgs) -> Result<MergeLockReport> {
    if args.resolve {
        return resolve(&Workspace::open(repo_arg)?, args.take);
    }
    let [base, ours, theirs] = [&args.base, &args.ours, &args.theirs].map(|p| {
        p.as_deref().ok_or_else(|| {
            Error::usage(
                "merge-lock needs BASE OURS THEIRS (git passes %O %A %B), or --resolve",
                "set it up as git's merge driver with `assetrail hook install`",
            )
        })
    });
    let (base, ours, theirs) = (base?, ours?, theirs?);
    let texts = [base, ours, theirs].map(read_text);
    let [b, o, t] = texts;
    let (b, o, t) = (b?, o?, t?);
    // Tables compared as text, only theirs parsed; a conflict or an unusual
    // layout takes the whole parse, which names each conflict.
    if let Some(merged) = lock_merge::merge_texts(&b, &o, &t)? {
        atomic::write(ours, merged.as_bytes(), Existing::Replace)?;
        return Ok(MergeLockReport {
            file: ours.display().to_string(),
            entries: merged.matches("\n[[asset]]\n").count(),
            settled: 0,
            conflicts: Vec::new(),
        });
    }
    let (b, (o, t)) = rayon::join(
        || parse_side(&b, "base"),
        || rayon::join(|| parse_side(&o, "ours"), || parse_side(&t, "theirs")),
    );
    let merged = lock_merge::merge(&b?, &o?, &t?);
    write(ours, &merged, 0)
}

/// A side of the merge as text; an empty or missing file (an add/add merge
/// has no base) is an empty lock.
fn read_text(path: &Path) -> Result<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(path, e)),
    };
    Ok(if text.trim().is_empty() {
        Manifest::new().to_text()
    } else {
        text
    })
}

fn parse_side(text: &str, which: &str) -> Result<Manifest> {
    Manifest::parse(text, &format!("{MANIFEST_FILE} ({which})"))
}

fn write(path: &Path, merged: &Merged, settled: usize) -> Result<MergeLockReport> {
    atomic::write(path, merged.to_text().as_bytes(), Existing::Replace)?;
    Ok(MergeLockReport {
        file: path.display().to_string(),
        entries: merged.clean.assets.len(),
        settled,
        conflicts: merged.conflicts.iter().map(ConflictReport::from).collect(),
    })
}

/// Settles the work tree's `assets.lock`: merged again from git's three
/// stages when git stopped on it, else read from its conflict markers; each
/// conflict then takes `take`, or else the side whose sha256 is the file's.
fn resolve(ws: &Workspace, take: Option<Side>) -> Result<MergeLockReport> {
    let path = ws.manifest_path();
    let mut merged = if let Some([base, ours, theirs]) = ws.git.unmerged(MANIFEST_FILE) {
        let side = |bytes: Option<Vec<u8>>, which: &str| -> Result<Manifest> {
            let text =
                String::from_utf8(bytes.unwrap_or_default()).map_err(|_| Error::Manifest {
                    message: format!("{MANIFEST_FILE} ({which}) is not UTF-8"),
                    hint: None,
                })?;
            if text.trim().is_empty() {
                return Ok(Manifest::new());
            }
            Manifest::parse(&text, &format!("{MANIFEST_FILE} ({which})"))
        };
        lock_merge::merge(
            &side(base, "base")?,
            &side(ours, "ours")?,
            &side(theirs, "theirs")?,
        )
    } else {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        if !lock_merge::has_markers(&text) {
            return Ok(MergeLockReport {
                file: MANIFEST_FILE.into(),
                entries: Manifest::parse(&text, MANIFEST_FILE)?.assets.len(),
                settled: 0,
                conflicts: Vec::new(),
            });
        }
        lock_merge::read_conflicted(&text, MANIFEST_FILE)?
    };
    let before = merged.conflicts.len();
    let remaining = lock_merge::settle(&mut merged, take, |asset| {
        let bytes = std::fs::read(ws.abs(asset)).ok()?;
        Some(asset_state::content_sha256(&bytes))
    });
    let mut report = write(&path, &merged, before - remaining)?;
    report.file = MANIFEST_FILE.into();
    Ok(report)
}

//! `assetrail status` / `ls`: every manifest entry with its state, and every
//! image in a managed folder that has no entry.

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;

use crate::commands::adopt::images_below;
use crate::error::Result;
use crate::image_file;
use crate::output::{Paint, Report, Style};
use crate::workspace::Workspace;

/// The state of a recorded asset's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetState {
    /// Bytes match the recorded sha256.
    Ok,
    /// Bytes differ from the recorded sha256.
    Modified,
    /// The file is gone.
    Missing,
}

/// One recorded asset.
#[derive(Debug, Serialize)]
pub struct AssetStatus {
    /// Repo-relative path.
    pub path: String,
    /// State of the file.
    pub state: AssetState,
    /// Route.
    pub route: String,
    /// Credit source.
    pub credit: String,
    /// Kind, if recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::config::AssetKind>,
    /// Recorded sha256.
    pub sha256: String,
    /// sha256 of the file now, when modified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_sha256: Option<String>,
}

/// Counts per state.
#[derive(Debug, Default, Serialize)]
pub struct StatusSummary {
    /// Unchanged.
    pub ok: usize,
    /// Changed bytes.
    pub modified: usize,
    /// Gone.
    pub missing: usize,
    /// Images with no entry (allow-listed ones excluded).
    pub untracked: usize,
}

/// What `status` found.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    /// Recorded assets, by path.
    pub assets: Vec<AssetStatus>,
    /// Images in managed folders with no entry and not allow-listed.
    pub untracked: Vec<String>,
    /// Counts.
    pub summary: StatusSummary,
}

impl Report for StatusReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        for asset in &self.assets {
            let (label, paint) = match asset.state {
                AssetState::Ok => ("ok", Paint::Green),
                AssetState::Modified => ("modified", Paint::Yellow),
                AssetState::Missing => ("missing", Paint::Red),
            };
            writeln!(
                out,
                "{}  {}  {}",
                style.paint(paint, &format!("{label:<9}")),
                asset.path,
                style.paint(Paint::Dim, &format!("{} ({})", asset.route, asset.credit))
            )?;
        }
        for path in &self.untracked {
            writeln!(
                out,
                "{}  {path}",
                style.paint(Paint::Red, &format!("{:<9}", "untracked"))
            )?;
        }
        let s = &self.summary;
        writeln!(
            out,
            "{} ok, {} modified, {} missing, {} untracked",
            s.ok, s.modified, s.missing, s.untracked
        )
    }
}

/// Runs `status`.
pub fn run(ws: &Workspace) -> Result<StatusReport> {
    let manifest = ws.load_manifest()?;
    let mut summary = StatusSummary::default();
    let mut assets = Vec::with_capacity(manifest.assets.len());
    for entry in &manifest.assets {
        let abs = ws.abs(&entry.path);
        let (state, actual_sha256) = match abs.metadata() {
            Err(_) => (AssetState::Missing, None),
            Ok(meta) if meta.len() != entry.bytes => {
                (AssetState::Modified, Some(image_file::sha256_file(&abs)?))
            }
            Ok(_) => {
                let sha = image_file::sha256_file(&abs)?;
                if sha == entry.sha256 {
                    (AssetState::Ok, None)
                } else {
                    (AssetState::Modified, Some(sha))
                }
            }
        };
        match state {
            AssetState::Ok => summary.ok += 1,
            AssetState::Modified => summary.modified += 1,
            AssetState::Missing => summary.missing += 1,
        }
        assets.push(AssetStatus {
            path: entry.path.clone(),
            state,
            route: entry.route.clone(),
            credit: entry.credit.clone(),
            kind: entry.kind,
            sha256: entry.sha256.clone(),
            actual_sha256,
        });
    }
    let recorded: HashSet<&str> = manifest.assets.iter().map(|e| e.path.as_str()).collect();
    let mut untracked: Vec<String> = Vec::new();
    for folder in &ws.config.folders {
        if ws.abs(folder).is_dir() {
            untracked.extend(
                images_below(ws, folder)
                    .into_iter()
                    .filter(|p| !recorded.contains(p.as_str()) && !ws.config.is_allowed(p)),
            );
        }
    }
    untracked.sort();
    untracked.dedup();
    summary.untracked = untracked.len();
    Ok(StatusReport {
        assets,
        untracked,
        summary,
    })
}

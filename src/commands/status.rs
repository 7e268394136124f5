//! `assetrail status` / `ls`: every manifest entry with its state, and every
//! image in a managed folder that has no entry.

use std::io::{self, Write};

use serde::Serialize;

use crate::asset_state::{self, State};
use crate::atomic::{self, Debris};
use crate::error::Result;
use crate::output::{Paint, Report, Style};
use crate::scan::tree::Tree;
use crate::stat_cache::StatCache;
use crate::workspace::Workspace;

/// One recorded asset.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AssetStatus {
    /// Repo-relative path.
    pub path: String,
    /// State of the file.
    pub state: State,
    /// Route.
    pub route: String,
    /// Credit source.
    pub credit: String,
    /// Kind, if recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::config::AssetKind>,
    /// Recorded sha256.
    pub sha256: String,
    /// sha256 of the file now (or an LFS pointer's oid), when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_sha256: Option<String>,
}

/// Counts per state.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct StatusSummary {
    /// Unchanged bytes.
    pub ok: usize,
    /// Git LFS pointers to the recorded content.
    pub lfs_pointer: usize,
    /// Changed bytes.
    pub modified: usize,
    /// LFS pointers to other content, or invalid ones.
    pub lfs_mismatch: usize,
    /// Gone.
    pub missing: usize,
    /// Images with no entry (allow-listed and gitignored ones excluded).
    pub untracked: usize,
}

impl StatusSummary {
    fn count(&mut self, state: State) {
        *match state {
            State::Ok => &mut self.ok,
            State::LfsPointer => &mut self.lfs_pointer,
            State::Modified => &mut self.modified,
            State::LfsMismatch | State::BadPointer => &mut self.lfs_mismatch,
            State::Missing => &mut self.missing,
        } += 1;
    }
}

/// What `status` found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StatusReport {
    /// Recorded assets, by path.
    pub assets: Vec<AssetStatus>,
    /// Images in managed folders with no entry and not allow-listed.
    pub untracked: Vec<String>,
    /// Temporary files a killed run left (stale ones were removed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub temp_files: Vec<Debris>,
    /// Counts.
    pub summary: StatusSummary,
}

impl Report for StatusReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        for asset in &self.assets {
            let paint = match asset.state {
                State::Ok | State::LfsPointer => Paint::Green,
                State::Modified => Paint::Yellow,
                State::LfsMismatch | State::BadPointer | State::Missing => Paint::Red,
            };
            writeln!(
                out,
                "{}  {}  {}",
                style.paint(paint, &format!("{:<12}", asset.state.as_str())),
                asset.path,
                style.paint(Paint::Dim, &format!("{} ({})", asset.route, asset.credit))
            )?;
        }
        for path in &self.untracked {
            writeln!(
                out,
                "{}  {path}",
                style.paint(Paint::Red, &format!("{:<12}", "untracked"))
            )?;
        }
        for debris in &self.temp_files {
            let what = if debris.removed {
                "removed (left by a killed run)"
            } else {
                "in use by a running assetrail, or left by a killed one"
            };
            writeln!(
                out,
                "{}  {}  {}",
                style.paint(Paint::Dim, &format!("{:<12}", "temp file")),
                debris.path,
                style.paint(Paint::Dim, what)
            )?;
        }
        let s = &self.summary;
        write!(out, "{} ok, ", s.ok)?;
        if s.lfs_pointer > 0 {
            write!(out, "{} LFS pointers, ", s.lfs_pointer)?;
        }
        write!(out, "{} modified, ", s.modified)?;
        if s.lfs_mismatch > 0 {
            write!(out, "{} LFS mismatches, ", s.lfs_mismatch)?;
        }
        writeln!(out, "{} missing, {} untracked", s.missing, s.untracked)
    }
}

/// Runs `status`: the work tree judged by [`asset_state`], as `check` judges it.
pub fn run(ws: &Workspace) -> Result<StatusReport> {
    let manifest = ws.load_manifest()?;
    let tree = Tree::work(ws.root());
    let mut stat_cache = StatCache::load(&ws.git.cache_dir()).beside_index(ws.git.index_file());
    let judgements = asset_state::judge_all(&manifest.assets, &tree, &stat_cache)?;
    let mut summary = StatusSummary::default();
    let mut assets = Vec::with_capacity(manifest.assets.len());
    for (entry, judgement) in manifest.assets.iter().zip(judgements) {
        summary.count(judgement.state);
        assets.push(AssetStatus {
            path: entry.path.clone(),
            state: judgement.state,
            route: entry.route.to_string(),
            credit: entry.credit.to_string(),
            kind: entry.kind,
            sha256: entry.sha256.clone(),
            actual_sha256: judgement.actual_sha256,
        });
    }
    stat_cache.save();
    let files = asset_state::managed_files(ws.root(), &ws.config);
    let untracked = asset_state::untracked(&ws.config, &ws.git, &manifest, &files, &tree);
    summary.untracked = untracked.len();
    let mut temp_files = atomic::sweep_dir(ws.root(), "");
    temp_files.extend(atomic::sweep(ws.root(), files.iter().map(String::as_str)));
    Ok(StatusReport {
        assets,
        untracked,
        temp_files,
        summary,
    })
}

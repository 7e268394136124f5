//! One file per subcommand: thin orchestration over the library that returns a
//! report for `main` to print.

pub mod adopt;
pub mod check;
pub mod explain;
pub mod generate;
pub mod hook;
pub mod import;
pub mod init;
pub mod record;
pub mod refs;
pub mod show;
pub mod status;

use std::io::{self, Write};

use serde::Serialize;

use crate::manifest::ManifestEntry;
use crate::output::{Paint, Report, Style};

/// Assets a command wrote or recorded: the same entries `show` prints.
#[derive(Debug, Serialize)]
pub struct AssetsReport {
    /// True when nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// The manifest entries added (or, for a dry run, that would be added).
    pub assets: Vec<ManifestEntry>,
    /// Paths left alone, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
}

/// A path a command did not touch.
#[derive(Debug, Serialize)]
pub struct Skipped {
    /// Repo-relative path.
    pub path: String,
    /// Why.
    pub reason: String,
}

impl Report for AssetsReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        for asset in &self.assets {
            if self.dry_run {
                writeln!(
                    out,
                    "{} {}",
                    style.paint(Paint::Dim, "would write"),
                    asset.path
                )?;
            } else {
                writeln!(out, "{}", asset.path)?;
            }
        }
        for skipped in &self.skipped {
            writeln!(
                out,
                "{} {} ({})",
                style.paint(Paint::Dim, "skipped"),
                skipped.path,
                skipped.reason
            )?;
        }
        Ok(())
    }
}

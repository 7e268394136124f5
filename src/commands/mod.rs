//! One file per subcommand: thin orchestration over the library that returns a
//! report for `main` to print.

pub mod adopt;
pub mod check;
pub mod cost;
pub mod explain;
pub mod generate;
pub mod hook;
pub mod import;
pub mod init;
pub mod merge_lock;
pub mod mv;
pub mod record;
pub mod refs;
pub mod rm;
pub mod show;
pub mod sites;
pub mod status;

use std::io::{self, Write};

use serde::Serialize;

use crate::manifest::ManifestEntry;
use crate::output::{Paint, Report, Style};

/// Assets a command wrote or recorded: the same entries `show` prints.
#[derive(Debug, Default, Serialize)]
pub struct AssetsReport {
    /// True when nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// The manifest entries added (or, for a dry run, that would be added).
    pub assets: Vec<ManifestEntry>,
    /// Paths left alone, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// For a dry run on an API route: the exact requests, key redacted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<serde_json::Value>,
    /// Batch jobs that failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<generate::BatchFailure>,
    /// What was adjusted and why (e.g. a kind's transparent default on a
    /// model that takes no transparency).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Generations that returned fewer images than asked for (exit 1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shortfalls: Vec<generate::Shortfall>,
    /// Ctrl-C stopped the batch (exit 130).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// Batch jobs not started because of the interrupt.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_run: Vec<generate::NotRun>,
    /// Files found in a folder that could not be recorded, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedPath>,
}

impl AssetsReport {
    /// Whether any batch job failed, any file was refused, or a route
    /// returned fewer images than asked for (exit 1).
    pub fn failed(&self) -> bool {
        !self.failures.is_empty() || !self.refused.is_empty() || !self.shortfalls.is_empty()
    }
}

/// A file a command would not record, and how to fix it.
#[derive(Debug, Serialize)]
pub struct RefusedPath {
    /// Repo-relative path.
    pub path: String,
    /// What is wrong with it.
    pub error: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
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
        for request in &self.requests {
            let pretty = serde_json::to_string_pretty(request).map_err(io::Error::other)?;
            writeln!(out, "{} {pretty}", style.paint(Paint::Dim, "would send"))?;
        }
        for failure in &self.failures {
            writeln!(
                out,
                "{} job {} ({}): {}",
                style.paint(Paint::Red, "failed"),
                failure.job,
                failure.prompt,
                failure.error.message
            )?;
            if let Some(hint) = &failure.error.hint {
                writeln!(out, "  {} {hint}", style.paint(Paint::Dim, "hint:"))?;
            }
        }
        for refused in &self.refused {
            writeln!(
                out,
                "{} {}",
                style.paint(Paint::Red, "refused"),
                refused.error
            )?;
            if let Some(hint) = &refused.hint {
                writeln!(out, "  {} {hint}", style.paint(Paint::Dim, "hint:"))?;
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
        for note in &self.notes {
            writeln!(out, "{} {note}", style.paint(Paint::Dim, "note:"))?;
        }
        for short in &self.shortfalls {
            writeln!(
                out,
                "{} asked for {} images ({}), the route returned {}: those are recorded",
                style.paint(Paint::Yellow, "partial result:"),
                short.asked,
                short.prompt,
                short.received
            )?;
        }
        for job in &self.not_run {
            writeln!(
                out,
                "{} job {} ({})",
                style.paint(Paint::Yellow, "not run"),
                job.job,
                job.prompt
            )?;
        }
        if self.interrupted {
            writeln!(
                out,
                "interrupted: {} recorded, {} not run; run the batch again to do the rest",
                self.assets.len(),
                self.not_run.len()
            )?;
        }
        Ok(())
    }
}

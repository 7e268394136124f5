//! `assetrail refs`: every image reference in the site's sources and what it
//! resolves to.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::RefsArgs;
use crate::error::Result;
use crate::output::{Paint, Report, Style};
use crate::scan::resolve::{RefStatus, Reference};
use crate::scan::site::Site;
use crate::scan::walk::{self, FileProblem, ScanStats};
use crate::workspace::Workspace;

/// Counts per status.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct RefsSummary {
    /// References printed.
    pub references: usize,
    /// Resolved to an existing file.
    pub ok: usize,
    /// Missing targets.
    pub missing: usize,
    /// Targets that differ in letter case.
    pub case_mismatch: usize,
    /// Paths that lack the site's base path.
    pub outside_base: usize,
    /// External URLs.
    pub external: usize,
    /// Mentioned only in code.
    pub code_only: usize,
    /// Globs and dynamic templates.
    pub pattern: usize,
    /// Files that could not be parsed.
    pub problems: usize,
}

/// What `refs` found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RefsReport {
    /// The references (all, or only broken ones with `--unresolved`).
    #[serde(serialize_with = "crate::output::one_item_per_line")]
    pub references: Vec<Reference>,
    /// Files that could not be parsed.
    pub problems: Vec<FileProblem>,
    /// Sites found and how they map paths.
    pub sites: Vec<Site>,
    /// Counts.
    pub summary: RefsSummary,
    /// Scan counters.
    pub stats: ScanStats,
}

impl RefsReport {
    /// Whether `--unresolved` found something (exit 1).
    pub fn has_broken(&self) -> bool {
        self.references.iter().any(|r| r.status.is_broken())
    }
}

impl Report for RefsReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        for r in &self.references {
            let paint = match r.status {
                RefStatus::Ok => Paint::Green,
                RefStatus::Missing | RefStatus::CaseMismatch | RefStatus::OutsideBase => Paint::Red,
                RefStatus::CodeOnly => Paint::Yellow,
                RefStatus::External | RefStatus::Pattern => Paint::Dim,
            };
            let resolved = match r.status {
                RefStatus::Pattern => format!(
                    "{} ({} file{})",
                    r.pattern.as_deref().unwrap_or("?"),
                    r.matches.len(),
                    if r.matches.len() == 1 { "" } else { "s" }
                ),
                RefStatus::CaseMismatch => format!(
                    "{} (on disk: {})",
                    r.target.as_deref().unwrap_or("?"),
                    r.actual.as_deref().unwrap_or("?")
                ),
                _ => r.target.clone().unwrap_or_else(|| "-".into()),
            };
            writeln!(
                out,
                "{}:{}:{}: {} {} {} -> {}",
                r.file,
                r.line,
                r.column,
                style.paint(paint, r.status.as_str()),
                style.paint(Paint::Dim, r.kind.as_str()),
                r.raw,
                resolved
            )?;
        }
        for p in &self.problems {
            writeln!(
                out,
                "{}:{}:{}: {} {}",
                p.file,
                p.line,
                p.column,
                style.paint(Paint::Yellow, "unparsed"),
                p.message
            )?;
        }
        let s = &self.summary;
        writeln!(
            out,
            "{} references: {} ok, {} missing, {} case-mismatch, {} outside-base, {} external, {} code-only, {} pattern; {} files could not be parsed",
            s.references,
            s.ok,
            s.missing,
            s.case_mismatch,
            s.outside_base,
            s.external,
            s.code_only,
            s.pattern,
            s.problems
        )
    }
}

/// Runs `refs`.
pub fn run(ws: &Workspace, args: &RefsArgs) -> Result<RefsReport> {
    let only = args
        .paths
        .iter()
        .map(|p| ws.user_scope(p))
        .collect::<Result<Vec<_>>>()?;
    if let Some(unmatched) = only.iter().find(|p| !ws.abs(p).exists()) {
        return Err(ws.no_match(unmatched));
    }
    let scan = walk::scan(ws, &only)?;
    let references: Vec<Reference> = scan
        .references
        .into_iter()
        .filter(|r| !args.unresolved || r.status.is_broken())
        .collect();
    let mut summary = RefsSummary {
        references: references.len(),
        problems: scan.problems.len(),
        ..RefsSummary::default()
    };
    for r in &references {
        match r.status {
            RefStatus::Ok => summary.ok += 1,
            RefStatus::Missing => summary.missing += 1,
            RefStatus::CaseMismatch => summary.case_mismatch += 1,
            RefStatus::OutsideBase => summary.outside_base += 1,
            RefStatus::External => summary.external += 1,
            RefStatus::CodeOnly => summary.code_only += 1,
            RefStatus::Pattern => summary.pattern += 1,
        }
    }
    Ok(RefsReport {
        references,
        problems: scan.problems,
        sites: scan.sites,
        summary,
        stats: scan.stats,
    })
}

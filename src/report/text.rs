//! `path:line:col: AR005 broken-reference: …` lines grouped by file, each
//! followed by its hint, then a summary line.

use std::io::{self, Write};

use crate::check::CheckOutcome;
use crate::finding::Severity;
use crate::output::{Paint, Style};

/// Writes the text report.
pub fn write(outcome: &CheckOutcome, out: &mut dyn Write, style: &Style) -> io::Result<()> {
    let mut current: Option<&str> = None;
    for f in &outcome.findings {
        if current.is_some() && current != Some(f.path.as_str()) {
            writeln!(out)?;
        }
        current = Some(&f.path);
        let location = match (f.line, f.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", f.path),
            _ => f.path.clone(),
        };
        let paint = if f.severity == Severity::Error {
            Paint::Red
        } else {
            Paint::Yellow
        };
        writeln!(
            out,
            "{}: {} {}: {}",
            style.paint(Paint::Bold, &location),
            style.paint(paint, f.code.as_str()),
            f.name,
            f.message
        )?;
        writeln!(out, "  {} {}", style.paint(Paint::Dim, "hint:"), f.hint)?;
    }
    for p in &outcome.problems {
        writeln!(
            out,
            "{}:{}:{}: {} could not be parsed: {}",
            p.file,
            p.line,
            p.column,
            style.paint(Paint::Yellow, "warning"),
            p.message
        )?;
    }
    if !outcome.findings.is_empty() || !outcome.problems.is_empty() {
        writeln!(out)?;
    }
    let s = &outcome.summary;
    let verdict = if s.errors > 0 {
        style.paint(Paint::Red, "failed")
    } else {
        style.paint(Paint::Green, "passed")
    };
    writeln!(
        out,
        "check {verdict} ({}): {} error{}, {} warning{}; {} assets, {} references in {} files",
        outcome.mode,
        s.errors,
        if s.errors == 1 { "" } else { "s" },
        s.warnings,
        if s.warnings == 1 { "" } else { "s" },
        s.assets,
        s.references,
        s.files
    )
}

//! `assetrail check`: the gate. Findings in text, JSON, SARIF or GitHub
//! annotation form; exit 1 when any finding is at error severity.

use std::io::{self, Write};

use serde::Serialize;

use crate::check::{CheckOptions, CheckOutcome, check};
use crate::cli::CheckArgs;
use crate::error::Result;
use crate::finding::{FindingCode, Severity};
use crate::output::{OtherFormat, Report, Style};
use crate::report;
use crate::workspace::Workspace;

/// The outcome, with the severities needed to render SARIF rules.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CheckReport {
    /// What check found.
    #[serde(flatten)]
    pub outcome: CheckOutcome,
    #[serde(skip)]
    severities: Vec<(FindingCode, Severity)>,
}

impl CheckReport {
    /// Whether the gate fails (exit 1).
    pub fn failed(&self) -> bool {
        self.outcome.failed()
    }

    /// Writes SARIF 2.1.0.
    pub fn write_sarif(&self, out: &mut dyn Write) -> io::Result<()> {
        let severity_of = |code: FindingCode| {
            self.severities
                .iter()
                .find(|(c, _)| *c == code)
                .map_or(code.default_severity(), |(_, s)| *s)
        };
        let log = report::sarif::log(&self.outcome, severity_of);
        serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
        writeln!(out)
    }

    /// Writes GitHub workflow annotations.
    pub fn write_github(&self, out: &mut dyn Write) -> io::Result<()> {
        report::github::write(&self.outcome, out)
    }
}

impl Report for CheckReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        report::text::write(&self.outcome, out, style)
    }

    fn write_other(&self, format: OtherFormat, out: &mut dyn Write) -> Option<io::Result<()>> {
        Some(match format {
            OtherFormat::Sarif => self.write_sarif(out),
            OtherFormat::Github => self.write_github(out),
        })
    }
}

/// Runs `check`.
pub fn run(ws: &Workspace, args: &CheckArgs) -> Result<CheckReport> {
    let paths = args
        .paths
        .iter()
        .map(|p| ws.user_scope(p))
        .collect::<Result<Vec<_>>>()?;
    let outcome = check(
        ws,
        &CheckOptions {
            staged: args.staged,
            paths,
        },
    )?;
    let severities = FindingCode::ALL
        .iter()
        .map(|c| (*c, ws.config.severity_of(*c)))
        .collect();
    Ok(CheckReport {
        outcome,
        severities,
    })
}

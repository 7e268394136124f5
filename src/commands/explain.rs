//! `assetrail explain CODE`: what a rule finds, why it matters, how to fix it.

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::FindingCode;
use crate::output::{Paint, Report, Style};

/// One rule's documentation.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RuleDoc {
    /// Code, e.g. `AR004`.
    pub code: FindingCode,
    /// Name, e.g. `orphan-asset`.
    pub name: &'static str,
    /// Default severity.
    pub default_severity: crate::finding::Severity,
    /// What it finds.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// The documentation of one rule, or of all.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ExplainReport {
    /// The rules explained.
    pub rules: Vec<RuleDoc>,
}

impl Report for ExplainReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        for (i, rule) in self.rules.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(
                out,
                "{} {} (default: {})",
                style.paint(Paint::Bold, rule.code.as_str()),
                style.paint(Paint::Bold, rule.name),
                rule.default_severity
            )?;
            writeln!(out, "\nWhat it finds\n  {}", rule.what)?;
            writeln!(out, "\nWhy it matters\n  {}", rule.why)?;
            writeln!(out, "\nHow to fix it\n  {}", rule.fix)?;
        }
        Ok(())
    }
}

/// Runs `explain`; without a code, every rule.
pub fn run(code: Option<FindingCode>) -> ExplainReport {
    let codes: Vec<FindingCode> = match code {
        Some(code) => vec![code],
        None => FindingCode::ALL.to_vec(),
    };
    ExplainReport {
        rules: codes
            .into_iter()
            .map(|code| {
                let (what, why, fix) = code.explanation();
                RuleDoc {
                    code,
                    name: code.name(),
                    default_severity: code.default_severity(),
                    what,
                    why,
                    fix,
                }
            })
            .collect(),
    }
}

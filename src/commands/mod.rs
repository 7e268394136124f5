//! One file per subcommand: thin orchestration over the library that returns a
//! report for `main` to print.

pub mod adopt;
pub mod agents;
pub mod batch;
pub mod check;
pub mod cost;
pub mod explain;
pub mod export;
pub mod generate;
pub mod hook;
pub mod import;
pub mod init;
pub mod log;
pub mod merge_lock;
pub mod mv;
pub mod record;
pub mod refs;
pub mod regenerate;
pub mod report;
pub mod rm;
pub mod show;
pub mod sites;
pub mod status;

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::{Cli, Command, FormatArg, HookAction};
use crate::error::{Error, Result};
use crate::output::Output;
use crate::workspace::Workspace;

use crate::manifest::ManifestEntry;
use crate::output::{Paint, Report, Style};

/// What a command produced: its report, and the exit code it asks for.
pub struct Executed {
    /// The report, printable in any format.
    pub report: Box<dyn Output>,
    /// 0 on success, 1 when the command reports a failure (a failed gate,
    /// a refused file, a batch job that failed), 130 when interrupted.
    pub exit_code: u8,
}

impl Executed {
    fn new(report: impl Output + 'static, failed: bool) -> Self {
        Executed {
            report: Box::new(report),
            exit_code: u8::from(failed),
        }
    }

    /// Images made by jobs: exit 130 when interrupted, 1 when a job failed
    /// or came back short.
    fn of_jobs(report: AssetsReport) -> Self {
        let exit_code = if report.interrupted {
            crate::interrupt::EXIT_CODE
        } else {
            u8::from(report.failed())
        };
        Executed {
            report: Box::new(report),
            exit_code,
        }
    }
}

/// Runs a parsed command line: the one dispatch the CLI and the MCP server
/// share. `completions` and `man` print rather than report, so they are the
/// caller's (an error here names them).
pub fn execute(cli: &Cli) -> Result<Executed> {
    let repo = cli.repo.as_deref();
    let image_format = match cli.format {
        FormatArg::Image(format) if matches!(cli.command, Command::Generate(_)) => Some(format),
        FormatArg::Image(format) => {
            return Err(Error::usage(
                format!("--format {format} is an image format; this command prints text or json"),
                "use --format text or --format json",
            ));
        }
        FormatArg::Sarif | FormatArg::Github if !matches!(cli.command, Command::Check(_)) => {
            return Err(Error::usage(
                "--format sarif and --format github are for `assetrail check`",
                "use --format text or --format json",
            ));
        }
        _ => None,
    };
    let ws = || Workspace::open(repo);
    Ok(match &cli.command {
        Command::Init(args) => Executed::new(init::run(repo, args)?, false),
        Command::Generate(args) => {
            let ws = ws()?;
            Executed::of_jobs(generate::run(&ws, args, image_format)?.placed(&ws))
        }
        Command::Regenerate(args) => {
            let ws = ws()?;
            Executed::of_jobs(regenerate::run(&ws, args)?.placed(&ws))
        }
        Command::Edit(args) => {
            let ws = ws()?;
            Executed::new(generate::run_edit(&ws, args)?.placed(&ws), false)
        }
        Command::Import(args) => {
            let ws = ws()?;
            Executed::new(import::run(&ws, args)?.placed(&ws), false)
        }
        Command::Record(args) => Executed::new(record::run(&ws()?, args)?, false),
        Command::Adopt(args) => {
            let report = adopt::run(&ws()?, args)?;
            let failed = report.failed();
            Executed::new(report, failed)
        }
        Command::Status => Executed::new(status::run(&ws()?)?, false),
        Command::Show(args) => Executed::new(show::run(&ws()?, args)?, false),
        Command::Sites => Executed::new(sites::run(repo)?, false),
        Command::Refs(args) => {
            let report = refs::run(&ws()?, args)?;
            let failed = args.unresolved && report.has_broken();
            Executed::new(report, failed)
        }
        Command::Check(args) => {
            let report = check::run(&ws()?, args)?;
            let failed = report.failed();
            Executed::new(report, failed)
        }
        Command::Export { paths, .. } => Executed::new(export::run(&ws()?, paths)?, false),
        Command::Log { path } => Executed::new(log::run(&ws()?, path)?, false),
        Command::Report { html } => Executed::new(report::run(&ws()?, html)?, false),
        Command::Explain(args) => Executed::new(explain::run(args.code), false),
        Command::Cost { by, since } => {
            Executed::new(cost::run(&ws()?, *by, since.as_deref())?, false)
        }
        Command::Mv(args) => Executed::new(mv::run(&ws()?, args)?, false),
        Command::Rm(args) => Executed::new(rm::run(&ws()?, args)?, false),
        Command::MergeLock(args) => {
            let report = merge_lock::run(repo, args)?;
            let failed = report.failed();
            Executed::new(report, failed)
        }
        Command::Hook {
            action: HookAction::Install(args),
        } => Executed::new(hook::install(repo, args)?, false),
        Command::Completions { .. } | Command::Man | Command::Mcp | Command::Schema { .. } => {
            return Err(Error::usage(
                "completions, man, mcp and schema write to standard output directly",
                "run them from the command line",
            ));
        }
    })
}

/// Assets a command wrote or recorded: the same entries `show` prints.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
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
    pub failures: Vec<batch::BatchFailure>,
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
    pub not_run: Vec<batch::NotRun>,
    /// Files found in a folder that could not be recorded, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedPath>,
    /// Where each written image is served and how a page uses it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placements: Vec<crate::placement::Placement>,
}

impl AssetsReport {
    /// Adds the placements of the images written (not for a dry run).
    pub fn placed(mut self, ws: &Workspace) -> Self {
        if !self.dry_run {
            let images: Vec<(String, String)> = self
                .assets
                .iter()
                .map(|e| {
                    let alt = e.alt.clone().unwrap_or_else(|| {
                        crate::placement::alt_text(e.prompt.as_deref().unwrap_or_default())
                    });
                    (e.path.clone(), alt)
                })
                .collect();
            self.placements = crate::placement::placements(ws, &images);
        }
        self
    }
}

impl AssetsReport {
    /// Whether any batch job failed, any file was refused, or a route
    /// returned fewer images than asked for (exit 1).
    pub fn failed(&self) -> bool {
        !self.failures.is_empty() || !self.refused.is_empty() || !self.shortfalls.is_empty()
    }
}

/// A file a command would not record, and how to fix it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Serialize, schemars::JsonSchema)]
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

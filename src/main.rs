//! The `assetrail` binary: parse, dispatch, print, and map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use assetrail::cli::{Cli, Command, FormatArg};
use assetrail::commands;
use assetrail::error::{Error, Result};
use assetrail::output::{self, Paint, Report, Style};
use assetrail::workspace::Workspace;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.format == FormatArg::Json;
    match run(&cli) {
        Ok(code) => code,
        Err(error) => {
            report_error(&error, json);
            ExitCode::from(error.exit_code())
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode> {
    let repo = cli.repo.as_deref();
    let image_format = match cli.format {
        FormatArg::Image(format) => match cli.command {
            Command::Generate(_) => Some(format),
            _ => {
                return Err(Error::usage(
                    format!(
                        "--format {format} is an image format; this command prints text or json"
                    ),
                    "use --format text or --format json",
                ));
            }
        },
        FormatArg::Text | FormatArg::Json => None,
    };
    match &cli.command {
        Command::Init(args) => emit(cli, &commands::init::run(repo, args)?),
        Command::Generate(args) => {
            let ws = Workspace::open(repo)?;
            emit(cli, &commands::generate::run(&ws, args, image_format)?)
        }
        Command::Import(args) => emit(cli, &commands::import::run(&Workspace::open(repo)?, args)?),
        Command::Record(args) => emit(cli, &commands::record::run(&Workspace::open(repo)?, args)?),
        Command::Adopt(args) => emit(cli, &commands::adopt::run(&Workspace::open(repo)?, args)?),
        Command::Status => emit(cli, &commands::status::run(&Workspace::open(repo)?)?),
        Command::Show(args) => emit(cli, &commands::show::run(&Workspace::open(repo)?, args)?),
        Command::Refs(args) => {
            let report = commands::refs::run(&Workspace::open(repo)?, args)?;
            emit(cli, &report)?;
            Ok(if args.unresolved && report.has_broken() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn emit(cli: &Cli, report: &impl Report) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match cli.format {
        FormatArg::Json => output::write_json(&mut out, report),
        FormatArg::Text | FormatArg::Image(_) => report.write_text(&mut out, &Style::stdout()),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A closed pipe (`assetrail status | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Error::io("<stdout>", e)),
    }
}

fn report_error(error: &Error, json: bool) {
    let style = Style::stderr();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{} {error}", style.paint(Paint::Red, "error:"));
    if let Some(hint) = error.hint() {
        let _ = writeln!(err, "  {} {hint}", style.paint(Paint::Bold, "hint:"));
    }
    if json {
        let body = serde_json::json!({
            "error": { "code": error.code(), "message": error.to_string(), "hint": error.hint() }
        });
        let _ = output::write_json(&mut std::io::stdout().lock(), &body);
    }
}

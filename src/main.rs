//! The `assetrail` binary: parse, dispatch, print, and map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use assetrail::cli::{Cli, Command, FormatArg, HookAction};
use assetrail::commands;
use assetrail::error::{Error, ErrorBody, Result};
use assetrail::output::{self, Paint, Report, Style};
use assetrail::workspace::Workspace;

fn main() -> ExitCode {
    assetrail::scan::configure_threads();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return argument_error(error),
    };
    let json = matches!(cli.format, FormatArg::Json | FormatArg::Sarif);
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
    match &cli.command {
        Command::Init(args) => emit(cli, &commands::init::run(repo, args)?),
        Command::Generate(args) => {
            let ws = Workspace::open(repo)?;
            let report = commands::generate::run(&ws, args, image_format)?;
            emit(cli, &report)?;
            if report.interrupted {
                return Ok(ExitCode::from(assetrail::interrupt::EXIT_CODE));
            }
            Ok(exit_for(report.failed()))
        }
        Command::Edit(args) => emit(
            cli,
            &commands::generate::run_edit(&Workspace::open(repo)?, args)?,
        ),
        Command::Import(args) => emit(cli, &commands::import::run(&Workspace::open(repo)?, args)?),
        Command::Record(args) => emit(cli, &commands::record::run(&Workspace::open(repo)?, args)?),
        Command::Adopt(args) => {
            let report = commands::adopt::run(&Workspace::open(repo)?, args)?;
            emit(cli, &report)?;
            Ok(exit_for(report.failed()))
        }
        Command::Status => emit(cli, &commands::status::run(&Workspace::open(repo)?)?),
        Command::Show(args) => emit(cli, &commands::show::run(&Workspace::open(repo)?, args)?),
        Command::Sites => emit(cli, &commands::sites::run(repo)?),
        Command::Refs(args) => {
            let report = commands::refs::run(&Workspace::open(repo)?, args)?;
            emit(cli, &report)?;
            Ok(exit_for(args.unresolved && report.has_broken()))
        }
        Command::Check(args) => {
            let report = commands::check::run(&Workspace::open(repo)?, args)?;
            let mut out = buffered_stdout();
            let written = match cli.format {
                FormatArg::Sarif => report.write_sarif(&mut out),
                FormatArg::Github => report.write_github(&mut out),
                FormatArg::Json => output::write_json(&mut out, &report),
                FormatArg::Text | FormatArg::Image(_) => {
                    report.write_text(&mut out, &Style::stdout())
                }
            };
            finish_output(written.and_then(|()| out.flush()))?;
            Ok(exit_for(report.failed()))
        }
        Command::Explain(args) => emit(cli, &commands::explain::run(args.code)),
        Command::Cost { by } => emit(cli, &commands::cost::run(&Workspace::open(repo)?, *by)?),
        Command::Mv(args) => emit(cli, &commands::mv::run(&Workspace::open(repo)?, args)?),
        Command::Rm(args) => emit(cli, &commands::rm::run(&Workspace::open(repo)?, args)?),
        Command::MergeLock(args) => {
            let report = commands::merge_lock::run(repo, args)?;
            emit(cli, &report)?;
            Ok(exit_for(report.failed()))
        }
        Command::Completions { shell } => {
            let mut out = buffered_stdout();
            clap_complete::generate(*shell, &mut Cli::command(), "assetrail", &mut out);
            finish_output(out.flush())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = buffered_stdout();
            let written = clap_mangen::Man::new(Cli::command()).render(&mut out);
            finish_output(written.and_then(|()| out.flush()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Hook {
            action: HookAction::Install(args),
        } => emit(cli, &commands::hook::install(repo, args)?),
    }
}

/// Standard output in one buffer: a report of thousands of lines is written
/// in a few system calls, not one per line.
fn buffered_stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

fn emit(cli: &Cli, report: &impl Report) -> Result<ExitCode> {
    let mut out = buffered_stdout();
    let written = match cli.format {
        FormatArg::Json | FormatArg::Sarif => output::write_json(&mut out, report),
        FormatArg::Text | FormatArg::Github | FormatArg::Image(_) => {
            report.write_text(&mut out, &Style::stdout())
        }
    };
    finish_output(written.and_then(|()| out.flush()))?;
    Ok(ExitCode::SUCCESS)
}

fn finish_output(written: std::io::Result<()>) -> Result<()> {
    match written {
        Ok(()) => Ok(()),
        // A closed pipe (`assetrail status | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", e)),
    }
}

/// A command line clap rejected. Under `--format json` the error is also
/// printed as JSON on stdout, in the shape of every other error, so a program
/// driving assetrail reads one contract; help and version print as usual.
fn argument_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let wants_json = json_requested(std::env::args().skip(1));
    if !wants_json
        || matches!(
            error.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        )
    {
        error.exit();
    }
    let _ = error.print();
    let rendered = error.render().to_string();
    let mut lines = rendered.lines().filter(|l| !l.trim().is_empty());
    let message = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_owned();
    let hint = lines
        .map(str::trim)
        .find(|l| l.starts_with("tip:") || l.starts_with("For more information"))
        .map(|l| l.trim_start_matches("tip: ").to_owned());
    let error = Error::Usage { message, hint };
    let body = serde_json::json!({ "error": ErrorBody::from(&error) });
    let _ = output::write_json(&mut std::io::stdout().lock(), &body);
    ExitCode::from(error.exit_code())
}

/// Whether raw arguments ask for JSON output (`--format json`, `--format=json`, sarif).
fn json_requested(args: impl Iterator<Item = String>) -> bool {
    let mut previous_was_flag = false;
    for arg in args {
        if arg == "--" {
            break;
        }
        let value = if previous_was_flag {
            Some(arg.as_str())
        } else {
            arg.strip_prefix("--format=")
        };
        if let Some(value) = value
            && matches!(value, "json" | "sarif")
        {
            return true;
        }
        previous_was_flag = arg == "--format";
    }
    false
}

fn exit_for(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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
        let body = serde_json::json!({ "error": ErrorBody::from(error) });
        let _ = output::write_json(&mut std::io::stdout().lock(), &body);
    }
}

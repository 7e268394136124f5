//! The `assetrail` binary: parse, dispatch, print, and map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use assetrail::cli::{Cli, Command, FormatArg};
use assetrail::commands;
use assetrail::error::{Error, ErrorBody, Result};
use assetrail::output::{self, OtherFormat, OutputKind, Paint, Style};

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
    match &cli.command {
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
        Command::Schema { command } => {
            let schema = match command {
                Some(name) => assetrail::schema::for_command(name).ok_or_else(|| {
                    let known: Vec<&str> = assetrail::schema::COMMANDS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect();
                    Error::usage(
                        format!("no JSON output schema for {name:?}"),
                        format!("name one of: {}", known.join(", ")),
                    )
                })?,
                None => serde_json::Value::Object(
                    assetrail::schema::COMMANDS
                        .iter()
                        .filter_map(|(n, _)| {
                            Some(((*n).to_owned(), assetrail::schema::for_command(n)?))
                        })
                        .collect(),
                ),
            };
            let mut out = buffered_stdout();
            let written = serde_json::to_writer_pretty(&mut out, &schema)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
                .and_then(|()| out.flush());
            finish_output(written)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Mcp => {
            assetrail::mcp::serve_stdio(cli.repo.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            let executed = commands::execute(cli)?;
            let kind = match cli.format {
                FormatArg::Json => OutputKind::Json,
                FormatArg::Sarif => OutputKind::Other(OtherFormat::Sarif),
                FormatArg::Github => OutputKind::Other(OtherFormat::Github),
                FormatArg::Text | FormatArg::Image(_) => OutputKind::Text,
            };
            let mut out = buffered_stdout();
            let written = executed.report.write_as(kind, &mut out, &Style::stdout());
            finish_output(written.and_then(|()| out.flush()))?;
            Ok(ExitCode::from(executed.exit_code))
        }
    }
}

/// Standard output in one buffer: a report of thousands of lines is written
/// in a few system calls, not one per line.
fn buffered_stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
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

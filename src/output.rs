//! Rendering command results: text for people (colour only on a terminal and
//! never with `NO_COLOR`), JSON with a `schema_version` for programs.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

/// Version of every JSON document assetrail prints.
pub const SCHEMA_VERSION: u32 = 2;

/// Whether to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

/// ANSI colours used in text output.
#[derive(Debug, Clone, Copy)]
pub enum Paint {
    /// Good state.
    Green,
    /// Needs attention.
    Yellow,
    /// Broken.
    Red,
    /// De-emphasized.
    Dim,
    /// Emphasized.
    Bold,
}

impl Style {
    /// Colour when `stream` is a terminal and `NO_COLOR` is unset or empty.
    pub fn for_stream(is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: is_terminal && !no_color,
        }
    }

    /// The style for stdout.
    pub fn stdout() -> Style {
        Style::for_stream(io::stdout().is_terminal())
    }

    /// The style for stderr.
    pub fn stderr() -> Style {
        Style::for_stream(io::stderr().is_terminal())
    }

    /// `text` in `paint`, or plain.
    pub fn paint(&self, paint: Paint, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match paint {
            Paint::Green => "32",
            Paint::Yellow => "33",
            Paint::Red => "31",
            Paint::Dim => "2",
            Paint::Bold => "1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// A command's result, printable as text or JSON.
pub trait Report: Serialize {
    /// Writes the report for people.
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()>;

    /// Writes the report in a format other than text and JSON (SARIF,
    /// GitHub annotations), when the report has one; `None` otherwise.
    fn write_other(&self, _format: OtherFormat, _out: &mut dyn Write) -> Option<io::Result<()>> {
        None
    }
}

/// Formats only some reports have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherFormat {
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

/// A report of any command, ready to print in any format or to hand over as
/// JSON (to an MCP client): what [`crate::commands::execute`] returns.
pub trait Output {
    /// Writes the report as `format` asks; JSON for formats it lacks.
    fn write_as(&self, format: OutputKind, out: &mut dyn Write, style: &Style) -> io::Result<()>;
    /// The report as `--format json` prints it.
    fn to_json(&self) -> serde_json::Value;
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// For people.
    Text,
    /// For programs.
    Json,
    /// SARIF or GitHub annotations, where the report has them.
    Other(OtherFormat),
}

impl<T: Report> Output for T {
    fn write_as(&self, format: OutputKind, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        match format {
            OutputKind::Text => self.write_text(out, style),
            OutputKind::Json => write_json(out, self),
            OutputKind::Other(other) => self
                .write_other(other, out)
                .unwrap_or_else(|| write_json(out, self)),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(Envelope {
            schema_version: SCHEMA_VERSION,
            body: self,
        })
        .unwrap_or_else(
            |e| serde_json::json!({ "schema_version": SCHEMA_VERSION, "error": e.to_string() }),
        )
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct Envelope<'a, T: Serialize> {
    schema_version: u32,
    #[serde(flatten)]
    body: &'a T,
}

/// Writes `report` as pretty JSON with `schema_version` first.
pub fn write_json<T: Serialize>(out: &mut dyn Write, report: &T) -> io::Result<()> {
    let envelope = Envelope {
        schema_version: SCHEMA_VERSION,
        body: report,
    };
    // An I/O error keeps its kind (a closed pipe is not a failure).
    serde_json::to_writer_pretty(&mut *out, &envelope).map_err(io::Error::from)?;
    writeln!(out)
}

/// Serializes a long list (`#[serde(serialize_with = "…")]`) with each item
/// as one line of compact JSON, the items rendered on all cores: `refs` lists
/// tens of thousands of references, and one per line stays easy to read and
/// to grep.
pub fn one_item_per_line<T, S>(items: &[T], serializer: S) -> Result<S::Ok, S::Error>
where
    T: Serialize + Sync,
    S: serde::Serializer,
{
    use rayon::prelude::*;
    use serde::ser::Error;
    let rendered = items
        .par_iter()
        .map(serde_json::value::to_raw_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(S::Error::custom)?;
    serializer.collect_seq(rendered)
}

/// Flattens a JSON value into `key: value` lines (`parents[0].sha256: …`),
/// keeping field order — the text form of a manifest entry.
pub fn write_fields(
    out: &mut dyn Write,
    prefix: &str,
    value: &serde_json::Value,
    style: &Style,
) -> io::Result<()> {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                write_fields(out, &name, value, style)?;
            }
            Ok(())
        }
        serde_json::Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                write_fields(out, &format!("{prefix}[{i}]"), value, style)?;
            }
            Ok(())
        }
        serde_json::Value::String(s) => {
            writeln!(
                out,
                "{}: {}",
                style.paint(Paint::Bold, prefix),
                s.replace('\n', "\n  ")
            )
        }
        other => writeln!(out, "{}: {other}", style.paint(Paint::Bold, prefix)),
    }
}

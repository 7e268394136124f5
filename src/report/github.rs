//! GitHub Actions workflow commands: one `::error` / `::warning` line per
//! finding, which the runner turns into annotations on the diff.

use std::io::{self, Write};

use crate::check::CheckOutcome;
use crate::finding::Severity;

/// Escapes a workflow command's data part.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes one annotation per finding.
pub fn write(outcome: &CheckOutcome, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        let level = if f.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        let mut properties = format!("file={}", escape_property(&f.path));
        if let (Some(line), Some(column)) = (f.line, f.column) {
            properties.push_str(&format!(",line={line},col={column}"));
        }
        properties.push_str(&format!(
            ",title={}",
            escape_property(&format!("{} {}", f.code, f.name))
        ));
        writeln!(
            out,
            "::{level} {properties}::{}",
            escape_data(&format!("{} ({})", f.message, f.hint))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
    }
}

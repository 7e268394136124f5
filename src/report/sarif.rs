//! SARIF 2.1.0, as GitHub code scanning accepts it: rules with descriptions
//! and help, results with a level, a message, a repo-relative location and a
//! partial fingerprint that stays put when unrelated lines move.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::check::CheckOutcome;
use crate::finding::{FindingCode, Severity};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Off => "none",
    }
}

/// The SARIF log for a check outcome.
pub fn log(outcome: &CheckOutcome, severity_of: impl Fn(FindingCode) -> Severity) -> Value {
    let rules: Vec<Value> = FindingCode::ALL
        .iter()
        .map(|code| {
            let (what, why, fix) = code.explanation();
            json!({
                "id": code.as_str(),
                "name": code.name(),
                "shortDescription": { "text": what },
                "fullDescription": { "text": format!("{what} {why}") },
                "help": {
                    "text": format!("{what}\n\nWhy it matters: {why}\n\nHow to fix: {fix}"),
                    "markdown": format!("**{}** ({})\n\n{what}\n\n**Why it matters:** {why}\n\n**How to fix:** {fix}", code.as_str(), code.name()),
                },
                "defaultConfiguration": { "level": level(severity_of(*code)) },
                "properties": { "tags": ["provenance", "assets"] },
            })
        })
        .collect();
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&f.path), "uriBaseId": "%SRCROOT%" },
                }
            });
            if let (Some(line), Some(column)) = (f.line, f.column) {
                location["physicalLocation"]["region"] = json!({ "startLine": line.max(1), "startColumn": column.max(1) });
            }
            let fingerprint = Sha256::digest(format!("{}\0{}\0{}", f.code, f.path, f.asset.as_deref().unwrap_or("")).as_bytes());
            json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": FindingCode::ALL.iter().position(|c| *c == f.code).unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": format!("{} Hint: {}", f.message, f.hint) },
                "locations": [location],
                "partialFingerprints": { "assetrailFinding/v1": format!("{:x}", fingerprint)[..32].to_owned() },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "assetrail",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/assetrail/assetrail",
                    "rules": rules,
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository root." } } },
            "results": results,
            "columnKind": "unicodeCodePoints",
        }]
    })
}

/// A repo-relative path as a URI reference (spaces and `%` percent-encoded).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(
            uri("public/img/data flow.png"),
            "public/img/data%20flow.png"
        );
    }
}

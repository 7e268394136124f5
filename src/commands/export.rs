//! `assetrail export --in-toto [PATH…]`: each recorded asset as an in-toto
//! Statement v1 — subject = path and sha256, predicate = its provenance
//! record — one per line (JSON Lines), ready for `actions/attest`-style
//! signing. The record holds no secrets: keys are never recorded.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use crate::error::Result;
use crate::output::{Report, Style};
use crate::repo_path;
use crate::workspace::Workspace;

/// The in-toto Statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// assetrail's predicate: an image-generation provenance record (the
/// `assets.lock` entry), versioned with the manifest format.
pub const PREDICATE_TYPE: &str = "https://assetrail.dev/predicate/image-generation/v1";

/// The statements, one per asset.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ExportReport {
    /// in-toto Statements v1.
    pub statements: Vec<Value>,
}

impl Report for ExportReport {
    /// JSON Lines: one compact statement per line.
    fn write_text(&self, out: &mut dyn Write, _style: &Style) -> io::Result<()> {
        for statement in &self.statements {
            serde_json::to_writer(&mut *out, statement).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        Ok(())
    }
}

/// Runs `export --in-toto`: every asset, or those at or below `paths`.
pub fn run(ws: &Workspace, paths: &[String]) -> Result<ExportReport> {
    let scopes = paths
        .iter()
        .map(|p| ws.user_scope(p))
        .collect::<Result<Vec<_>>>()?;
    let manifest = ws.load_manifest()?;
    let selected: Vec<_> = manifest
        .assets
        .iter()
        .filter(|e| {
            scopes.is_empty()
                || scopes
                    .iter()
                    .any(|s| s.is_empty() || repo_path::is_within(&e.path, s))
        })
        .collect();
    if let Some(unmatched) = scopes
        .iter()
        .find(|s| !s.is_empty() && !selected.iter().any(|e| repo_path::is_within(&e.path, s)))
    {
        return Err(ws.no_match(unmatched));
    }
    let statements = selected
        .into_iter()
        .map(|entry| {
            let mut predicate = serde_json::to_value(entry).unwrap_or_else(|_| json!({}));
            if let Some(record) = predicate.as_object_mut() {
                record.remove("path");
            }
            let mut digest = json!({ "sha256": entry.sha256 });
            if let Some(blob) = &entry.git_blob {
                digest["gitBlob"] = json!(blob);
            }
            json!({
                "_type": STATEMENT_TYPE,
                "subject": [{ "name": entry.path, "digest": digest }],
                "predicateType": PREDICATE_TYPE,
                "predicate": predicate,
            })
        })
        .collect();
    Ok(ExportReport { statements })
}

//! `assetrail show PATH`: one manifest entry in full.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::ShowArgs;
use crate::error::{Error, Result};
use crate::manifest::ManifestEntry;
use crate::output::{Report, Style, write_fields};
use crate::workspace::Workspace;

/// One asset's entry.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ShowReport {
    /// The manifest entry, as `generate --format json` prints it.
    pub asset: ManifestEntry,
}

impl Report for ShowReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        let value = serde_json::to_value(&self.asset).map_err(io::Error::other)?;
        write_fields(out, "", &value, style)
    }
}

/// Runs `show`.
pub fn run(ws: &Workspace, args: &ShowArgs) -> Result<ShowReport> {
    let path = ws.user_path(&args.path)?;
    let manifest = ws.load_manifest()?;
    let asset = manifest.get(&path).cloned().ok_or_else(|| {
        let hint = if ws.abs(&path).is_file() {
            format!("{path} is not recorded; record it with `assetrail adopt {path}` or `assetrail record {path} --route R --prompt P`")
        } else {
            "list recorded assets with `assetrail status`".to_owned()
        };
        Error::refused(format!("no manifest entry for {path}"), hint)
    })?;
    Ok(ShowReport { asset })
}

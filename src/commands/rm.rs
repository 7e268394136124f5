//! `assetrail rm PATH…`: remove assets, file and entry together (`--keep-file`
//! keeps the file), and name the references that still use them.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::RmArgs;
use crate::error::{Error, Result};
use crate::manifest::{MANIFEST_FILE, ManifestEntry};
use crate::output::{Report, Style};
use crate::repo_path;
use crate::rewrite::Left;
use crate::scan::resolve::RefStatus;
use crate::scan::walk;
use crate::workspace::Workspace;

/// What `rm` did.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RmReport {
    /// Entries removed from `assets.lock`.
    pub removed: Vec<ManifestEntry>,
    /// Files deleted.
    pub deleted: Vec<String>,
    /// References that still name a removed asset (now broken).
    pub still_referenced: Vec<Left>,
}

impl Report for RmReport {
    fn write_text(&self, out: &mut dyn Write, _style: &Style) -> io::Result<()> {
        for entry in &self.removed {
            let file = if self.deleted.contains(&entry.path) {
                "file and entry"
            } else {
                "entry"
            };
            writeln!(out, "removed {} ({file})", entry.path)?;
        }
        for r in &self.still_referenced {
            writeln!(
                out,
                "still referenced: {}:{}:{}: {} (fix or remove the reference)",
                r.file, r.line, r.column, r.raw
            )?;
        }
        Ok(())
    }
}

/// Runs `rm`.
pub fn run(ws: &Workspace, args: &RmArgs) -> Result<RmReport> {
    let scopes = args
        .paths
        .iter()
        .map(|p| ws.user_scope(p))
        .collect::<Result<Vec<_>>>()?;
    let mut txn = ws.begin_manifest(None)?;
    let mut chosen: Vec<String> = Vec::new();
    for (raw, scope) in args.paths.iter().zip(&scopes) {
        let before = chosen.len();
        chosen.extend(
            txn.lock
                .paths()?
                .into_iter()
                .filter(|p| repo_path::is_within(p, scope)),
        );
        if chosen.len() == before {
            return Err(Error::refused(
                format!("{raw}: no asset recorded in {MANIFEST_FILE} there"),
                "`assetrail status` lists recorded assets; a file without an entry is removed with plain `git rm`",
            ));
        }
    }
    chosen.sort();
    chosen.dedup();
    let mut removed: Vec<ManifestEntry> = Vec::with_capacity(chosen.len());
    for path in &chosen {
        removed.extend(txn.lock.remove(path)?);
    }
    txn.commit()?;
    let mut deleted = Vec::new();
    if !args.keep_file {
        for path in &chosen {
            let abs = ws.abs(path);
            match std::fs::remove_file(&abs) {
                Ok(()) => deleted.push(path.clone()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(abs, e)),
            }
        }
    }
    let scan = walk::scan(ws, &[])?;
    let still_referenced = scan
        .references
        .iter()
        .filter(|r| {
            r.status != RefStatus::External && r.target.as_ref().is_some_and(|t| chosen.contains(t))
        })
        .map(|r| Left {
            file: r.file.clone(),
            line: r.line,
            column: r.column,
            raw: r.raw.clone(),
            reason: "names a removed asset".into(),
        })
        .collect();
    Ok(RmReport {
        removed,
        deleted,
        still_referenced,
    })
}

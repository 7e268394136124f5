//! `assetrail mv OLD NEW`: move an asset inside the managed folders. The
//! entry keeps its provenance and records where it moved from; every strong
//! reference to it is rewritten in place, byte-exactly; patterns and bare
//! file names are named and left. Also records a move already made with
//! `git mv` or `mv` (the same bytes at the new path).

use std::io::{self, Write};

use serde::Serialize;

use crate::atomic::{self, Existing};
use crate::cli::MvArgs;
use crate::error::{Error, Result};
use crate::image_file;
use crate::manifest::{MANIFEST_FILE, ManifestEntry, Move};
use crate::output::{Report, Style};
use crate::provenance;
use crate::rewrite::{self, Edit, Left};
use crate::scan::walk;
use crate::store;
use crate::workspace::Workspace;

/// What `mv` did (or, with `--dry-run`, would do).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct MvReport {
    /// Nothing was written.
    pub dry_run: bool,
    /// The old path.
    pub from: String,
    /// The new path.
    pub to: String,
    /// The file had already been moved (git mv): only the records changed.
    pub already_moved: bool,
    /// The entry as it is now.
    pub asset: ManifestEntry,
    /// References rewritten.
    pub rewritten: Vec<Edit>,
    /// References left for the user, with the reason.
    pub left: Vec<Left>,
    /// With `--dry-run`: the diff of every source file that would change.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
}

impl Report for MvReport {
    fn write_text(&self, out: &mut dyn Write, _style: &Style) -> io::Result<()> {
        if self.dry_run {
            write!(out, "{}", self.diff)?;
        }
        let verb = if self.dry_run { "would move" } else { "moved" };
        let how = if self.already_moved {
            " (file already moved; entry updated)"
        } else {
            ""
        };
        writeln!(out, "{verb} {} -> {}{how}", self.from, self.to)?;
        let files: std::collections::BTreeSet<&str> =
            self.rewritten.iter().map(|e| e.file.as_str()).collect();
        writeln!(
            out,
            "{} reference(s) rewritten in {} file(s)",
            self.rewritten.len(),
            files.len()
        )?;
        for l in &self.left {
            writeln!(
                out,
                "left as is: {}:{}:{}: {} ({})",
                l.file, l.line, l.column, l.raw, l.reason
            )?;
        }
        Ok(())
    }
}

/// Runs `mv`.
pub fn run(ws: &Workspace, args: &MvArgs) -> Result<MvReport> {
    let old = ws.user_path(&args.old)?;
    let new = ws.user_path(&args.new)?;
    let mut txn = ws.begin_manifest(None)?;
    let Some(entry) = txn.lock.get(&old)? else {
        return Err(Error::refused(
            format!("{old} is not recorded in {MANIFEST_FILE}"),
            "move files without an entry with `git mv`; record one first with `assetrail adopt` or `assetrail record`",
        ));
    };
    if txn.lock.contains(&new) {
        return Err(Error::refused(
            format!("{new} is already recorded in {MANIFEST_FILE}"),
            format!("choose a free path, or remove that asset first: assetrail rm {new}"),
        ));
    }
    let (old_abs, new_abs) = (ws.abs(&old), ws.abs(&new));
    let already_moved = !old_abs.exists();
    if already_moved {
        let moved_here = new_abs.is_file()
            && image_file::sha256_file(&new_abs).is_ok_and(|sha| sha == entry.sha256);
        if !moved_here {
            return Err(Error::refused(
                format!("{old} is gone and {new} does not hold its recorded bytes"),
                format!(
                    "restore it (git checkout -- {old}), or remove its entry: assetrail rm {old}"
                ),
            ));
        }
        store::check_managed(&ws.config, &new)?;
        store::check_no_symlinks(ws.root(), &new)?;
    } else {
        store::check_target(ws.root(), &ws.config, &new, false, &|p| {
            txn.lock.contains(p)
        })?;
    }

    // References resolve against the files as they are now: before the move.
    let scan = walk::scan(ws, &[])?;
    let plan = rewrite::plan(&scan.references, &old, &new);
    let read = |file: &str| std::fs::read_to_string(ws.abs(file)).ok();
    let (texts, stale) = rewrite::apply(&plan.edits, read);
    let mut left = plan.left;
    left.extend(stale.iter().map(|e| Left {
        file: e.file.clone(),
        line: e.line,
        column: e.column,
        raw: e.old.clone(),
        reason: "the text at that place is not the path as written (escaped or changed): edit it by hand".into(),
    }));
    let rewritten: Vec<Edit> = plan
        .edits
        .iter()
        .filter(|e| !stale.iter().any(|s| std::ptr::eq(*s, *e)))
        .cloned()
        .collect();

    let mut moved = entry.clone();
    moved.path = new.clone();
    moved.moved_from.push(Move {
        path: old.clone(),
        moved_at: provenance::now(),
        base_commit: ws.git.head_commit()?,
    });
    let diff = if args.dry_run {
        texts
            .iter()
            .map(|(file, text)| rewrite::diff(file, &read(file).unwrap_or_default(), text))
            .collect()
    } else {
        String::new()
    };
    if !args.dry_run {
        if !already_moved {
            if let Some(dir) = new_abs.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            std::fs::rename(&old_abs, &new_abs).map_err(|e| Error::io(&old_abs, e))?;
        }
        for (file, text) in &texts {
            atomic::write(&ws.abs(file), text.as_bytes(), Existing::Replace)?;
        }
        txn.lock.remove(&old)?;
        txn.lock.upsert(moved.clone());
        txn.commit()?;
    }
    Ok(MvReport {
        dry_run: args.dry_run,
        from: old,
        to: new,
        already_moved,
        asset: moved,
        rewritten,
        left,
        diff,
    })
}

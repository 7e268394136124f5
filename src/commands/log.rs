//! `assetrail log PATH`: an asset's lineage for a reviewer — its entry, its
//! parents recursively (edit inputs and masks, replaced files, format
//! conversions, moves), every commit that added or changed the file
//! (following moves recorded in `moved_from`), and how its manifest entry
//! changed across those commits, field by field. Works on an asset since
//! removed, from history.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::git::CommitInfo;
use crate::manifest::{MANIFEST_FILE, Manifest, ManifestEntry};
use crate::output::{Paint, Report, Style};
use crate::workspace::Workspace;

/// What `log` found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LogReport {
    /// The asset, repo-relative.
    pub path: String,
    /// Whether the asset is still recorded (false: read from history).
    pub recorded: bool,
    /// Its entry: the current one, or the last one history holds.
    pub entry: ManifestEntry,
    /// Its ancestors, nearest first.
    pub lineage: Vec<Ancestor>,
    /// Commits that changed the file or its entry, newest first.
    pub commits: Vec<LogCommit>,
}

/// One ancestor in an asset's lineage.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Ancestor {
    /// Generations back (1: a direct parent).
    pub depth: usize,
    /// The path it had.
    pub path: String,
    /// Its sha256 (for a move, the asset's own).
    pub sha256: String,
    /// What it was to its child: input, mask, replaced, converted, or moved.
    pub role: String,
    /// Route it was made on, when its entry is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Its prompt, when its entry is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
}

/// A commit in an asset's history.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LogCommit {
    /// The commit.
    #[serde(flatten)]
    pub commit: CommitInfo,
    /// The asset's path in this commit.
    pub path: String,
    /// `added`, `changed`, `moved` or `removed` (the file), or `recorded`
    /// when only its entry changed.
    pub change: String,
    /// Fields of its entry that changed in this commit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// One field of an entry, before and after a commit.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FieldChange {
    /// The field.
    pub field: String,
    /// Its value before (absent: not set).
    pub before: Option<Value>,
    /// Its value after (absent: not set).
    pub after: Option<Value>,
}

impl Report for LogReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        let e = &self.entry;
        writeln!(
            out,
            "{} {}{}",
            style.paint(Paint::Bold, &self.path),
            e.route,
            if self.recorded {
                ""
            } else {
                " (removed; from history)"
            }
        )?;
        if let Some(prompt) = &e.prompt {
            writeln!(out, "  prompt: {prompt}")?;
        }
        writeln!(out, "  sha256: {}  created: {}", e.sha256, e.created_at)?;
        if !self.lineage.is_empty() {
            writeln!(out, "{}", style.paint(Paint::Bold, "lineage"))?;
            for a in &self.lineage {
                writeln!(
                    out,
                    "  {}← {} {} ({}){}",
                    "  ".repeat(a.depth - 1),
                    a.role,
                    a.path,
                    &a.sha256[..a.sha256.len().min(12)],
                    a.prompt
                        .as_deref()
                        .map(|p| format!(": {p}"))
                        .unwrap_or_default()
                )?;
            }
        }
        writeln!(out, "{}", style.paint(Paint::Bold, "history"))?;
        for c in &self.commits {
            writeln!(
                out,
                "  {} {} {} {} ({})",
                style.paint(Paint::Yellow, &c.commit.id[..12]),
                c.commit.time,
                c.change,
                c.path,
                c.commit.summary
            )?;
            for f in &c.fields {
                let show = |v: &Option<Value>| v.as_ref().map_or("-".to_owned(), Value::to_string);
                writeln!(
                    out,
                    "      {}: {} → {}",
                    f.field,
                    show(&f.before),
                    show(&f.after)
                )?;
            }
        }
        if self.commits.is_empty() {
            writeln!(out, "  (not committed yet)")?;
        }
        Ok(())
    }
}

/// Runs `log`.
pub fn run(ws: &Workspace, raw: &str) -> Result<LogReport> {
    let path = ws.user_scope(raw)?;
    let current = ws.load_manifest()?;
    let history = ws.git.history()?;
    // Every entry each version of assets.lock held, by the commit, and all
    // entries ever recorded by sha256 (to find parents since removed).
    let mut locks: HashMap<String, Manifest> = HashMap::new();
    let mut by_sha: HashMap<String, ManifestEntry> = HashMap::new();
    let lock_at = |rev: &str, locks: &mut HashMap<String, Manifest>| -> Option<Manifest> {
        if let Some(found) = locks.get(rev) {
            return Some(found.clone());
        }
        let bytes = ws.git.blob_at(rev, MANIFEST_FILE)?;
        let manifest =
            Manifest::parse_text(&String::from_utf8_lossy(&bytes), MANIFEST_FILE).ok()?;
        locks.insert(rev.to_owned(), manifest.clone());
        Some(manifest)
    };
    for entry in &current.assets {
        by_sha
            .entry(entry.sha256.clone())
            .or_insert_with(|| entry.clone());
    }

    let recorded = current.assets.iter().find(|e| e.path == path).cloned();
    let mut entry = recorded.clone();
    let mut commits = Vec::new();
    // The path the asset has at the commit being looked at (moves followed back).
    let mut at_path = path.clone();
    let mut lock_blob_ids: HashMap<String, Option<String>> = HashMap::new();
    let mut lock_blob = |rev: &str| {
        lock_blob_ids
            .entry(rev.to_owned())
            .or_insert_with(|| ws.git.blob_id_at(rev, MANIFEST_FILE))
            .clone()
    };
    for commit in &history {
        let parent = commit.parent.as_deref();
        let lock_changed = lock_blob(&commit.id) != parent.and_then(&mut lock_blob);
        let after = if lock_changed {
            lock_at(&commit.id, &mut locks)
        } else {
            None
        };
        if let Some(after) = &after {
            for e in &after.assets {
                by_sha.entry(e.sha256.clone()).or_insert_with(|| e.clone());
            }
        }
        let entry_after = after
            .as_ref()
            .and_then(|m| m.assets.iter().find(|e| e.path == at_path).cloned());
        if entry.is_none() {
            entry = entry_after.clone();
        }
        let file_now = ws.git.blob_id_at(&commit.id, &at_path);
        // A move recorded in this commit: older commits knew the old path.
        let moved_from = entry_after
            .as_ref()
            .and_then(|e| e.moved_from.last().map(|m| m.path.clone()));
        let before_path = match (&moved_from, parent) {
            (Some(old), Some(p))
                if ws.git.blob_id_at(p, &at_path).is_none()
                    && ws.git.blob_id_at(p, old).is_some() =>
            {
                old.clone()
            }
            _ => at_path.clone(),
        };
        let file_before = parent.and_then(|p| ws.git.blob_id_at(p, &before_path));
        let entry_before = if lock_changed {
            parent
                .and_then(|p| lock_at(p, &mut locks))
                .and_then(|m| m.assets.into_iter().find(|e| e.path == before_path))
        } else {
            None
        };
        let change = match (&file_before, &file_now) {
            (None, Some(_)) => Some("added"),
            (Some(_), None) => Some("removed"),
            (Some(a), Some(b)) if before_path != at_path && a == b => Some("moved"),
            (Some(a), Some(b)) if a != b => Some("changed"),
            _ => None,
        };
        let fields = if lock_changed {
            diff(entry_before.as_ref(), entry_after.as_ref())
        } else {
            Vec::new()
        };
        if change.is_some() || !fields.is_empty() {
            commits.push(LogCommit {
                commit: commit.clone(),
                path: at_path.clone(),
                change: change.unwrap_or("recorded").to_owned(),
                fields,
            });
        }
        at_path = before_path;
    }
    let Some(entry) = entry else {
        return Err(Error::refused(
            format!("{path} has no manifest entry, now or in history"),
            "list recorded assets with `assetrail status`",
        ));
    };
    let lineage = lineage(&entry, &by_sha);
    Ok(LogReport {
        path,
        recorded: recorded.is_some(),
        entry,
        lineage,
        commits,
    })
}

/// Ancestors of `entry`, nearest first; each parent's own parents follow it.
fn lineage(entry: &ManifestEntry, by_sha: &HashMap<String, ManifestEntry>) -> Vec<Ancestor> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(usize, &ManifestEntry)> = vec![(0, entry)];
    while let Some((depth, child)) = stack.pop() {
        if !seen.insert((child.path.clone(), child.sha256.clone())) || depth > 64 {
            continue;
        }
        for moved in child.moved_from.iter().rev() {
            out.push(Ancestor {
                depth: depth + 1,
                path: moved.path.clone(),
                sha256: child.sha256.clone(),
                role: "moved".into(),
                route: None,
                prompt: None,
            });
        }
        for parent in &child.parents {
            let known = by_sha.get(&parent.sha256);
            out.push(Ancestor {
                depth: depth + 1,
                path: parent.path.clone(),
                sha256: parent.sha256.clone(),
                role: parent.role.to_string(),
                route: known.map(|e| e.route.to_string()),
                prompt: known.and_then(|e| e.prompt.clone()),
            });
            if let Some(known) = known {
                stack.push((depth + 1, known));
            }
        }
    }
    out
}

/// The fields that differ between two versions of an entry.
fn diff(before: Option<&ManifestEntry>, after: Option<&ManifestEntry>) -> Vec<FieldChange> {
    let fields = |e: Option<&ManifestEntry>| -> BTreeMap<String, Value> {
        e.and_then(|e| serde_json::to_value(e).ok())
            .and_then(|v| v.as_object().cloned())
            .map(|o| o.into_iter().collect())
            .unwrap_or_default()
    };
    let (a, b) = (fields(before), fields(after));
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter(|name| a.get(*name) != b.get(*name))
        .map(|name| FieldChange {
            field: name.clone(),
            before: a.get(name).cloned(),
            after: b.get(name).cloned(),
        })
        .collect()
}

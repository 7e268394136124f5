//! Rewriting references when an asset moves: each strong reference to the old
//! path gets the new one, written the way the reference was (the same URL
//! root, alias or relative prefix), byte-exactly in place; nothing else in the
//! file changes. What cannot be rewritten that way (patterns, bare file names,
//! a prefix that does not cover the new folder) is named and left to the user.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::scan::Strength;
use crate::scan::resolve::{RefStatus, Reference};

/// One reference rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Edit {
    /// Source file.
    #[serde(rename = "path")]
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Byte range of the old text.
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    end: usize,
    /// The text as it was.
    pub old: String,
    /// The text it becomes.
    pub new: String,
}

/// A reference left for the user, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Left {
    /// Source file.
    #[serde(rename = "path")]
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The text as written.
    pub raw: String,
    /// Why it was not rewritten.
    pub reason: String,
}

/// What moving `old` to `new` does to the references.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Plan {
    /// Strong references rewritten.
    pub edits: Vec<Edit>,
    /// References that name the asset but are left as they are.
    pub left: Vec<Left>,
}

/// Plans the rewrite of every reference to `old` for a move to `new`.
pub fn plan(references: &[Reference], old: &str, new: &str) -> Plan {
    let mut plan = Plan::default();
    for r in references {
        let names_old = r.target.as_deref() == Some(old)
            || (r.status == RefStatus::Pattern && r.matches.iter().any(|m| m == old));
        if !names_old {
            continue;
        }
        let left = |reason: &str| Left {
            file: r.file.clone(),
            line: r.line,
            column: r.column,
            raw: r.raw.clone(),
            reason: reason.to_owned(),
        };
        match (r.strength, r.status) {
            (Strength::Strong, RefStatus::Ok | RefStatus::CodeOnly | RefStatus::Missing) => {
                match rewritten(&r.raw, old, new) {
                    Some(text) => plan.edits.push(Edit {
                        file: r.file.clone(),
                        line: r.line,
                        column: r.column,
                        start: r.start,
                        end: r.end,
                        old: r.raw.clone(),
                        new: text,
                    }),
                    None => plan.left.push(left(
                        "its prefix stands for a folder the new path is not in: write the new path by hand",
                    )),
                }
            }
            (_, RefStatus::Pattern) => plan.left.push(left(
                "a pattern: it may no longer match the new path; check it by hand",
            )),
            _ => plan.left.push(left(
                "a bare file name handed to code: update it by hand if the code builds the folder",
            )),
        }
    }
    plan
}

/// `raw` (which names `old`) rewritten to name `new`: the part of `raw` that
/// spells a tail of `old` is replaced by the matching tail of `new`, provided
/// the folder the rest of `raw` stands for also holds `new`. Query strings and
/// fragments stay.
pub fn rewritten(raw: &str, old: &str, new: &str) -> Option<String> {
    let cut = raw.find(['?', '#']).unwrap_or(raw.len());
    let (path, suffix) = raw.split_at(cut);
    if path.contains('%') || path.contains('\\') {
        return None;
    }
    let raw_parts: Vec<&str> = path.split('/').collect();
    let old_parts: Vec<&str> = old.split('/').collect();
    // How many trailing components `raw` and `old` share.
    let shared = raw_parts
        .iter()
        .rev()
        .zip(old_parts.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    if shared == 0 {
        return None;
    }
    // Use as few shared components as possible: the deepest folder of `old`
    // that the prefix of `raw` stands for and that also holds `new`.
    (1..=shared).find_map(|tail| {
        let folder = old_parts[..old_parts.len() - tail].join("/");
        let rest = if folder.is_empty() {
            new
        } else {
            new.strip_prefix(&folder)?.strip_prefix('/')?
        };
        let prefix = raw_parts[..raw_parts.len() - tail].join("/");
        let joined = if raw_parts.len() == tail {
            rest.to_owned()
        } else {
            format!("{prefix}/{rest}")
        };
        Some(format!("{joined}{suffix}"))
    })
}

/// Applies `edits` to the text of each file: returns file → new text. Each
/// edit's byte range must still hold its old text (else the file changed
/// since it was scanned, and is left out).
pub fn apply(
    edits: &[Edit],
    read: impl Fn(&str) -> Option<String>,
) -> (BTreeMap<String, String>, Vec<&Edit>) {
    let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for edit in edits {
        by_file.entry(edit.file.as_str()).or_default().push(edit);
    }
    let mut out = BTreeMap::new();
    let mut stale = Vec::new();
    for (file, mut edits) in by_file {
        let Some(text) = read(file) else {
            stale.extend(edits);
            continue;
        };
        edits.sort_by_key(|e| e.start);
        // Where each old text sits: inside its reference's byte range.
        let places: Option<Vec<(usize, &Edit)>> = edits
            .iter()
            .map(|e| {
                let offset = text.get(e.start..e.end)?.find(&e.old)?;
                Some((e.start + offset, *e))
            })
            .collect();
        let Some(mut places) = places else {
            stale.extend(edits);
            continue;
        };
        places.sort_by_key(|(at, _)| *at);
        // One place named twice is one edit; places that overlap otherwise
        // cannot both be rewritten, so the file is left to the user.
        places.dedup_by(|b, a| a.0 == b.0 && a.1.old == b.1.old && a.1.new == b.1.new);
        if places
            .windows(2)
            .any(|w| w[0].0 + w[0].1.old.len() > w[1].0)
        {
            stale.extend(edits);
            continue;
        }
        let mut new = String::with_capacity(text.len() + 64);
        let mut at = 0;
        for (place, e) in places {
            new.push_str(&text[at..place]);
            new.push_str(&e.new);
            at = place + e.old.len();
        }
        new.push_str(&text[at..]);
        out.insert(file.to_owned(), new);
    }
    (out, stale)
}

/// A unified diff of the lines that change, per file (for `--dry-run`).
pub fn diff(file: &str, old: &str, new: &str) -> String {
    let mut out = format!("--- a/{file}\n+++ b/{file}\n");
    let (old_lines, new_lines): (Vec<&str>, Vec<&str>) =
        (old.split('\n').collect(), new.split('\n').collect());
    // A rewrite changes text within lines, never the number of lines.
    for (n, (a, b)) in old_lines.iter().zip(&new_lines).enumerate() {
        if a != b {
            out.push_str(&format!("@@ -{0} +{0} @@\n-{a}\n+{b}\n", n + 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rewritten;

    #[test]
    fn overlapping_edits_never_panic() {
        let edit = |start, end, old: &str, new: &str| super::Edit {
            file: "a.md".into(),
            line: 1,
            column: 1,
            start,
            end,
            old: old.into(),
            new: new.into(),
        };
        let text = "![a](/images/a.png)\n".to_owned();
        // The same place twice: one edit.
        let twice = [
            edit(4, 18, "/images/a.png", "/b.png"),
            edit(0, 19, "/images/a.png", "/b.png"),
        ];
        let (out, stale) = super::apply(&twice, |_| Some(text.clone()));
        assert_eq!(out["a.md"], "![a](/b.png)\n");
        assert!(stale.is_empty());
        // Overlapping places with different rewrites: left to the user.
        let clash = [
            edit(4, 18, "/images/a.png", "/b.png"),
            edit(5, 18, "images/a.png", "c.png"),
        ];
        let (out, stale) = super::apply(&clash, |_| Some(text.clone()));
        assert!(out.is_empty());
        assert_eq!(stale.len(), 2);
    }

    #[test]
    fn the_prefix_is_kept_and_the_tail_follows_the_move() {
        let old = "public/images/a.png";
        // A URL root (`/` → public).
        assert_eq!(
            rewritten("/images/a.png", old, "public/img/b.png").as_deref(),
            Some("/img/b.png")
        );
        // Relative from content/a.md.
        assert_eq!(
            rewritten("../public/images/a.png", old, "public/x/y.png").as_deref(),
            Some("../public/x/y.png")
        );
        // An alias, and a query string kept.
        assert_eq!(
            rewritten("@/public/images/a.png?w=2", old, "public/images/b.png").as_deref(),
            Some("@/public/images/b.png?w=2")
        );
        // Same folder: only the name changes, whatever the prefix.
        assert_eq!(
            rewritten("./a.png", "content/posts/a.png", "content/posts/b.png").as_deref(),
            Some("./b.png")
        );
        // The URL root cannot reach outside the folder it stands for.
        assert_eq!(rewritten("/images/a.png", old, "static/a.png"), None);
        assert_eq!(
            rewritten(
                "/images/a%20b.png",
                "public/images/a b.png",
                "public/images/c.png"
            ),
            None
        );
    }
}

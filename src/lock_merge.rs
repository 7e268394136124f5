//! `assets.lock` merges like data, not text: three ways by asset path. Two
//! branches that add, change or remove different assets merge cleanly; the
//! same asset changed differently on both sides is a conflict, written entry
//! by entry between git's markers so that `check` can name each one and
//! `merge-lock --resolve` can settle it. A lock that git merged as text (no
//! driver configured) is read the same way.

use std::collections::BTreeSet;

use crate::error::{Error, Result};
use crate::lock_file::LockFile;
use crate::manifest::{MANIFEST_FILE, Manifest, ManifestEntry};

const OURS: &str = "<<<<<<<";
const BASE: &str = "|||||||";
const SPLIT: &str = "=======";
const THEIRS: &str = ">>>>>>>";

/// One asset both sides changed differently.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The asset path.
    pub path: String,
    /// Our entry (`None`: we removed it).
    pub ours: Option<ManifestEntry>,
    /// Their entry (`None`: they removed it).
    pub theirs: Option<ManifestEntry>,
    /// 1-based line of the conflict's `<<<<<<<` marker in the lock, when read from one.
    pub line: Option<usize>,
}

impl Conflict {
    /// One line saying what each side holds.
    pub fn describe(&self) -> String {
        let side = |entry: &Option<ManifestEntry>| match entry {
            None => "removed".to_owned(),
            Some(e) => format!(
                "sha256 {} ({})",
                &e.sha256[..e.sha256.len().min(12)],
                e.route
            ),
        };
        format!(
            "{}: ours {}, theirs {}",
            self.path,
            side(&self.ours),
            side(&self.theirs)
        )
    }
}

/// The result of a merge: the entries both sides agree on, and the conflicts.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// Settled entries, sorted by path.
    pub clean: Manifest,
    /// Unsettled ones, sorted by path.
    pub conflicts: Vec<Conflict>,
}

impl Merged {
    /// The lock text: the plain manifest when nothing conflicts, else each
    /// conflict between git's markers at its place in path order.
    pub fn to_text(&self) -> String {
        if self.conflicts.is_empty() {
            return self.clean.to_text();
        }
        let mut header = Manifest::new();
        header.version = self.clean.version;
        let mut text = header.to_text();
        let (mut clean, mut conflicts) = (
            self.clean.assets.iter().peekable(),
            self.conflicts.iter().peekable(),
        );
        loop {
            let take_clean = match (clean.peek(), conflicts.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(e), Some(c)) => e.path < c.path,
            };
            text.push('\n');
            if take_clean {
                text.push_str(&crate::lock_file::table(clean.next().expect("peeked")));
            } else {
                let c = conflicts.next().expect("peeked");
                text.push_str(&format!("{OURS} ours\n"));
                text.push_str(
                    &c.ours
                        .as_ref()
                        .map(crate::lock_file::table)
                        .unwrap_or_default(),
                );
                text.push_str(&format!("{SPLIT}\n"));
                text.push_str(
                    &c.theirs
                        .as_ref()
                        .map(crate::lock_file::table)
                        .unwrap_or_default(),
                );
                text.push_str(&format!("{THEIRS} theirs\n"));
            }
        }
        text
    }
}

/// The three-way merge of three lock texts done on their tables as text:
/// only the tables taken from their side are parsed, and our text is kept
/// but for them. `None` when a side's layout is not the one assetrail writes
/// or when an asset conflicts: [`merge`] on the parsed sides then says which.
pub fn merge_texts(base: &str, ours: &str, theirs: &str) -> Result<Option<String>> {
    let read = |text: &str| LockFile::read(text.to_owned(), MANIFEST_FILE, true);
    let (base, mut ours, theirs) = (read(base)?, read(ours)?, read(theirs)?);
    if !(base.is_indexed() && ours.is_indexed() && theirs.is_indexed()) {
        return Ok(None);
    }
    let mut paths = base.paths()?;
    paths.extend(ours.paths()?);
    paths.extend(theirs.paths()?);
    paths.sort_unstable();
    paths.dedup();
    for path in &paths {
        let (b, o, t) = (base.raw(path), ours.raw(path), theirs.raw(path));
        if o == t || t == b {
            continue;
        }
        if o != b {
            return Ok(None);
        }
        match theirs.get(path)? {
            Some(entry) => ours.upsert(entry),
            None => {
                ours.remove(path)?;
            }
        }
    }
    Ok(Some(ours.to_text()?))
}

/// Three-way merge by path. A missing base (both sides added the file) is empty.
pub fn merge(base: &Manifest, ours: &Manifest, theirs: &Manifest) -> Merged {
    let paths: BTreeSet<&str> = [base, ours, theirs]
        .iter()
        .flat_map(|m| m.assets.iter().map(|e| e.path.as_str()))
        .collect();
    let mut merged = Merged {
        clean: Manifest {
            version: ours.version.max(theirs.version),
            assets: Vec::with_capacity(ours.assets.len().max(theirs.assets.len())),
        },
        conflicts: Vec::new(),
    };
    for path in paths {
        let (b, o, t) = (base.get(path), ours.get(path), theirs.get(path));
        let settled = if o == t || t == b {
            Ok(o)
        } else if o == b {
            Ok(t)
        } else {
            Err(Conflict {
                path: path.to_owned(),
                ours: o.cloned(),
                theirs: t.cloned(),
                line: None,
            })
        };
        match settled {
            Ok(Some(entry)) => merged.clean.assets.push(entry.clone()),
            Ok(None) => {}
            Err(conflict) => merged.conflicts.push(conflict),
        }
    }
    merged
}

/// Whether `text` holds git conflict markers (a line starting with one).
pub fn has_markers(text: &str) -> bool {
    text.lines().any(|l| l.starts_with(OURS))
}

/// The sides of a lock with conflict markers, each as whole manifest text.
struct Sides {
    ours: String,
    theirs: String,
    /// Present when git wrote the base too (`merge.conflictStyle = diff3`).
    base: Option<String>,
    /// Line of each `<<<<<<<` marker.
    marker_lines: Vec<usize>,
}

fn split_sides(text: &str) -> Sides {
    #[derive(PartialEq)]
    enum In {
        Common,
        Ours,
        Base,
        Theirs,
    }
    let mut sides = Sides {
        ours: String::with_capacity(text.len()),
        theirs: String::with_capacity(text.len()),
        base: None,
        marker_lines: Vec::new(),
    };
    let mut base = String::new();
    let mut state = In::Common;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if line.starts_with(OURS) {
            state = In::Ours;
            sides.marker_lines.push(n + 1);
            continue;
        }
        if state == In::Ours && line.starts_with(BASE) {
            state = In::Base;
            sides.base.get_or_insert_with(String::new);
            continue;
        }
        if (state == In::Ours || state == In::Base) && line.starts_with(SPLIT) {
            state = In::Theirs;
            continue;
        }
        if state == In::Theirs && line.starts_with(THEIRS) {
            state = In::Common;
            continue;
        }
        match state {
            In::Common => {
                sides.ours.push_str(line);
                sides.theirs.push_str(line);
                base.push_str(line);
            }
            In::Ours => sides.ours.push_str(line),
            In::Base => base.push_str(line),
            In::Theirs => sides.theirs.push_str(line),
        }
    }
    if sides.base.is_some() {
        sides.base = Some(base);
    }
    sides
}

/// A lock with conflict markers read as a merge: the entries both sides
/// agree on and the ones they do not. With git's base section (diff3) the
/// merge is three-way; without it an entry only one side has is kept.
pub fn read_conflicted(text: &str, file: &str) -> Result<Merged> {
    let sides = split_sides(text);
    let parse = |side: &str, which: &str| {
        Manifest::parse_text(side, &format!("{file} ({which} side of the conflict)")).map_err(|e| {
            Error::Manifest {
                message: format!(
                    "{file} has merge conflicts that break its {which} side: {}",
                    e
                ),
                hint: Some(resolve_hint()),
            }
        })
    };
    let ours = parse(&sides.ours, "our")?;
    let theirs = parse(&sides.theirs, "their")?;
    let base = match &sides.base {
        Some(base) => parse(base, "base")?,
        // Without a base, an entry on one side only counts as an addition.
        None => {
            let mut base = Manifest::new();
            base.assets = ours
                .assets
                .iter()
                .filter(|e| theirs.get(&e.path) == Some(e))
                .cloned()
                .collect();
            base
        }
    };
    let mut merged = merge(&base, &ours, &theirs);
    // Point each conflict at the marker nearest above its entry.
    for conflict in &mut merged.conflicts {
        let needle = format!("path = {:?}", conflict.path);
        if let Some(at) = text.find(&needle) {
            let line = text[..at].matches('\n').count() + 1;
            conflict.line = sides
                .marker_lines
                .iter()
                .rev()
                .find(|&&m| m <= line)
                .copied();
        }
    }
    Ok(merged)
}

/// How a conflicted lock is settled.
pub fn resolve_hint() -> String {
    format!(
        "keep the image you want (git checkout --ours|--theirs PATH), then run `assetrail merge-lock --resolve` to settle {MANIFEST_FILE} by asset; `--take ours|theirs` picks one side for every conflict"
    )
}

/// Which side settles a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Side {
    /// Ours (`HEAD` during a merge).
    Ours,
    /// Theirs (the branch being merged).
    Theirs,
}

/// Settles each conflict with `take`, or else by the file at its path:
/// `file_sha256(path)` is the sha256 of the image in the work tree (`None`
/// when it is gone). Returns the conflicts that remain.
pub fn settle(
    merged: &mut Merged,
    take: Option<Side>,
    file_sha256: impl Fn(&str) -> Option<String>,
) -> usize {
    let mut remaining = Vec::new();
    for conflict in std::mem::take(&mut merged.conflicts) {
        let side = take.or_else(|| {
            let on_disk = file_sha256(&conflict.path);
            let matches = |entry: &Option<ManifestEntry>| match (entry, &on_disk) {
                (Some(e), Some(sha)) => e.sha256 == *sha,
                (None, None) => true,
                _ => false,
            };
            match (matches(&conflict.ours), matches(&conflict.theirs)) {
                (true, false) => Some(Side::Ours),
                (false, true) => Some(Side::Theirs),
                // Same bytes, different records (or neither matches): a person decides.
                _ => None,
            }
        });
        let chosen = match side {
            Some(Side::Ours) => conflict.ours.clone(),
            Some(Side::Theirs) => conflict.theirs.clone(),
            None => {
                remaining.push(conflict);
                continue;
            }
        };
        if let Some(entry) = chosen {
            merged.clean.upsert(entry);
        }
    }
    let count = remaining.len();
    merged.conflicts = remaining;
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, sha: &str) -> ManifestEntry {
        ManifestEntry {
            path: path.into(),
            sha256: sha.repeat(64 / sha.len()),
            route: "local".into(),
            credit: "none".into(),
            ..ManifestEntry::default()
        }
    }

    fn lock(entries: &[ManifestEntry]) -> Manifest {
        let mut m = Manifest::new();
        for e in entries {
            m.upsert(e.clone());
        }
        m
    }

    #[test]
    fn independent_changes_merge() {
        let base = lock(&[entry("a", "1"), entry("b", "2"), entry("c", "3")]);
        let ours = lock(&[entry("a", "1"), entry("b", "9"), entry("d", "4")]);
        let theirs = lock(&[entry("b", "2"), entry("c", "3"), entry("e", "5")]);
        let merged = merge(&base, &ours, &theirs);
        assert!(merged.conflicts.is_empty());
        let paths: Vec<(&str, &str)> = merged
            .clean
            .assets
            .iter()
            .map(|e| (e.path.as_str(), &e.sha256[..1]))
            .collect();
        // a removed by them, b changed by us, c removed by us, d and e added.
        assert_eq!(paths, [("b", "9"), ("d", "4"), ("e", "5")]);
        assert_eq!(merged.to_text(), merged.clean.to_text());
        // The same merge done on the texts' tables gives the same bytes.
        let by_text = merge_texts(&base.to_text(), &ours.to_text(), &theirs.to_text()).unwrap();
        assert_eq!(by_text.as_deref(), Some(merged.to_text().as_str()));
    }

    #[test]
    fn conflicts_round_trip_through_markers_and_settle() {
        let base = lock(&[entry("a", "1"), entry("z", "7")]);
        let ours = lock(&[entry("a", "2"), entry("m", "5"), entry("z", "7")]);
        let theirs = lock(&[entry("a", "3"), entry("z", "8")]);
        let mut merged = merge(&base, &ours, &theirs);
        assert_eq!(merged.conflicts.len(), 1);
        assert_eq!(
            merge_texts(&base.to_text(), &ours.to_text(), &theirs.to_text()).unwrap(),
            None,
            "a conflict goes to the whole parse"
        );
        let text = merged.to_text();
        assert!(has_markers(&text));
        assert!(Manifest::parse_text(&text, "assets.lock").is_err());
        let read = read_conflicted(&text, "assets.lock").unwrap();
        assert_eq!(read.conflicts.len(), 1);
        assert_eq!(read.conflicts[0].path, "a");
        assert_eq!(read.conflicts[0].line, Some(4));
        assert_eq!(read.clean, merged.clean);

        let theirs_sha = entry("a", "3").sha256;
        assert_eq!(
            settle(&mut merged, None, |p| (p == "a")
                .then(|| theirs_sha.clone())),
            0
        );
        assert_eq!(merged.clean.get("a").unwrap().sha256, theirs_sha);
        assert!(!has_markers(&merged.to_text()));
    }

    #[test]
    fn git_text_conflicts_with_a_base_merge_three_ways() {
        let text = "version = 1\n\n[[asset]]\npath = \"a\"\nsha256 = \"1\"\nroute = \"local\"\ncredit = \"none\"\n\n<<<<<<< HEAD\n[[asset]]\npath = \"b\"\nsha256 = \"2\"\nroute = \"local\"\ncredit = \"none\"\n||||||| base\n=======\n[[asset]]\npath = \"c\"\nsha256 = \"3\"\nroute = \"local\"\ncredit = \"none\"\n>>>>>>> other\n";
        let merged = read_conflicted(text, "assets.lock").unwrap();
        assert!(merged.conflicts.is_empty(), "{:?}", merged.conflicts);
        let paths: Vec<&str> = merged
            .clean
            .assets
            .iter()
            .map(|e| e.path.as_str())
            .collect();
        assert_eq!(paths, ["a", "b", "c"]);
    }
}

//! `assets.lock` as text indexed by entry, for the commands that write one or
//! a few entries: the file is split at its `[[asset]]` tables (one pass, no
//! TOML parse), an entry is parsed only when asked for, and a save splices the
//! changed tables into the text. Writing one asset into a lock of 10,000 costs
//! about as much as into an empty one, and the file stays exactly the sorted
//! TOML `Manifest::to_text` writes.
//!
//! A lock whose layout is not the one assetrail writes (hand-edited spacing,
//! multi-line strings) is parsed whole instead, as before.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;

use crate::error::{Error, Location, Result};
use crate::manifest::{MANIFEST_VERSION, Manifest, ManifestEntry};

const TABLE: &str = "[[asset]]\n";

/// One entry's table: its path and the byte range of its body in the text.
#[derive(Debug, Clone)]
struct Block {
    path: String,
    body: Range<usize>,
}

/// A lock read for writing.
#[derive(Debug, Clone)]
pub struct LockFile {
    form: Form,
    /// Entries added, replaced (`Some`) or removed (`None`) since reading.
    changes: BTreeMap<String, Option<ManifestEntry>>,
    file: String,
}

#[derive(Debug, Clone)]
enum Form {
    /// The text, its header and its tables in path order.
    Indexed {
        text: String,
        header: Range<usize>,
        blocks: Vec<Block>,
    },
    /// Parsed whole (a layout the index does not trust).
    Parsed(Manifest),
}

#[derive(Deserialize)]
struct OneTable {
    asset: Vec<ManifestEntry>,
}

#[derive(Deserialize)]
struct PathOnly {
    path: String,
}

impl LockFile {
    /// An empty lock (no file yet).
    pub fn empty(file: &str) -> LockFile {
        LockFile {
            form: Form::Parsed(Manifest::new()),
            changes: BTreeMap::new(),
            file: file.to_owned(),
        }
    }

    /// Reads `text`. With `verified` (the text is one assetrail wrote or
    /// already parsed whole) the entries are not parsed until asked for;
    /// otherwise the whole text is parsed once, so a malformed lock is refused
    /// here, with its line and column, and never written over.
    pub fn read(text: String, file: &str, verified: bool) -> Result<LockFile> {
        if !verified {
            Manifest::parse(&text, file)?;
        }
        let form = match index(&text) {
            Some((header, blocks)) => Form::Indexed {
                text,
                header,
                blocks,
            },
            None => Form::Parsed(Manifest::parse(&text, file)?),
        };
        Ok(LockFile {
            form,
            changes: BTreeMap::new(),
            file: file.to_owned(),
        })
    }

    /// Whether an entry for `path` exists.
    pub fn contains(&self, path: &str) -> bool {
        match self.changes.get(path) {
            Some(change) => change.is_some(),
            None => match &self.form {
                Form::Indexed { blocks, .. } => find(blocks, path).is_ok(),
                Form::Parsed(manifest) => manifest.get(path).is_some(),
            },
        }
    }

    /// The entry for `path`, parsed from its table.
    pub fn get(&self, path: &str) -> Result<Option<ManifestEntry>> {
        if let Some(change) = self.changes.get(path) {
            return Ok(change.clone());
        }
        match &self.form {
            Form::Indexed { text, blocks, .. } => match find(blocks, path) {
                Ok(i) => self.parse_block(text, &blocks[i]).map(Some),
                Err(_) => Ok(None),
            },
            Form::Parsed(manifest) => Ok(manifest.get(path).cloned()),
        }
    }

    /// The text of `path`'s table as read (`None` when it has none, was
    /// changed, or the lock was parsed whole): equal texts are equal entries.
    pub fn raw(&self, path: &str) -> Option<&str> {
        if self.changes.contains_key(path) {
            return None;
        }
        match &self.form {
            Form::Indexed { text, blocks, .. } => find(blocks, path)
                .ok()
                .map(|i| &text[blocks[i].body.clone()]),
            Form::Parsed(_) => None,
        }
    }

    /// Whether the lock was split by table (not parsed whole).
    pub fn is_indexed(&self) -> bool {
        matches!(self.form, Form::Indexed { .. })
    }

    /// Every entry path, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = match &self.form {
            Form::Indexed { blocks, .. } => blocks.iter().map(|b| b.path.clone()).collect(),
            Form::Parsed(manifest) => manifest.assets.iter().map(|e| e.path.clone()).collect(),
        };
        for (path, change) in &self.changes {
            match (change, paths.binary_search(path)) {
                (Some(_), Err(at)) => paths.insert(at, path.clone()),
                (None, Ok(at)) => {
                    paths.remove(at);
                }
                _ => {}
            }
        }
        paths
    }

    /// Adds or replaces the entry for its path.
    pub fn upsert(&mut self, entry: ManifestEntry) {
        self.changes.insert(entry.path.clone(), Some(entry));
    }

    /// Removes the entry for `path`, returning it.
    pub fn remove(&mut self, path: &str) -> Result<Option<ManifestEntry>> {
        let old = self.get(path)?;
        self.changes.insert(path.to_owned(), None);
        Ok(old)
    }

    /// The lock's text with the changes: unchanged tables as they were,
    /// changed ones written anew, all in path order.
    pub fn to_text(&self) -> String {
        match &self.form {
            Form::Parsed(manifest) => {
                let mut manifest = manifest.clone();
                for (path, change) in &self.changes {
                    match change {
                        Some(entry) => {
                            manifest.upsert(entry.clone());
                        }
                        None => {
                            manifest.remove(path);
                        }
                    }
                }
                manifest.to_text()
            }
            Form::Indexed {
                text,
                header,
                blocks,
            } => {
                let mut out = String::with_capacity(text.len() + 2048);
                out.push_str(&text[header.clone()]);
                let mut push_table = |body: &str| {
                    out.push('\n');
                    out.push_str(TABLE);
                    out.push_str(body);
                };
                let mut changes = self.changes.iter().peekable();
                for block in blocks {
                    while let Some((path, change)) =
                        changes.next_if(|(path, _)| path.as_str() < block.path.as_str())
                    {
                        if let Some(entry) = change {
                            debug_assert!(path < &block.path);
                            push_table(&table_body(entry));
                        }
                    }
                    match changes.next_if(|(path, _)| **path == block.path) {
                        Some((_, Some(entry))) => push_table(&table_body(entry)),
                        Some((_, None)) => {}
                        None => push_table(&text[block.body.clone()]),
                    }
                }
                for (_, change) in changes {
                    if let Some(entry) = change {
                        push_table(&table_body(entry));
                    }
                }
                out
            }
        }
    }

    fn parse_block(&self, text: &str, block: &Block) -> Result<ManifestEntry> {
        parse_block(text, block, &self.file)
    }
}

/// Parses one `[[asset]]` table of `text`; errors point into `text`.
fn parse_block(text: &str, block: &Block, file: &str) -> Result<ManifestEntry> {
    let table = format!("{TABLE}{}", &text[block.body.clone()]);
    let parsed: OneTable = toml::from_str(&table).map_err(|e| {
        let offset = block.body.start + e.span().map_or(0, |s| s.start.saturating_sub(TABLE.len()));
        Error::Manifest {
            message: format!(
                "{}: {}",
                Location::from_offset(file, text, offset),
                e.message().trim_end()
            ),
            hint: Some(format!(
                "{file} is written by assetrail; restore it from git (`git checkout -- {file}`) or fix the line by hand"
            )),
        }
    })?;
    let mut tables = parsed.asset.into_iter();
    match (tables.next(), tables.next()) {
        (Some(entry), None) if entry.path == block.path => Ok(entry),
        _ => Err(Error::Manifest {
            message: format!(
                "{}: the [[asset]] table for {:?} does not read as one entry",
                Location::from_offset(file, text, block.body.start),
                block.path
            ),
            hint: Some(format!(
                "restore {file} from git (`git checkout -- {file}`)"
            )),
        }),
    }
}

/// The header of a lock: `version` and nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    version: u32,
}

/// Parses a lock in the layout assetrail writes table by table (in
/// parallel), or `None` when its layout is another (the caller parses it
/// whole). The first error in file order is the one reported.
pub fn parse_by_table(text: &str, file: &str) -> Option<Result<Manifest>> {
    use rayon::prelude::*;
    let (header, blocks) = index(text)?;
    let version = toml::from_str::<Header>(&text[header]).ok()?.version;
    let parsed: Vec<Result<ManifestEntry>> = blocks
        .par_iter()
        .map(|block| parse_block(text, block, file))
        .collect();
    let assets = parsed.into_iter().collect::<Result<Vec<_>>>();
    Some(assets.map(|assets| Manifest { version, assets }))
}

/// One entry as the lock writes it: its `[[asset]]` table, without the
/// `[[asset]]` line.
fn table_body(entry: &ManifestEntry) -> String {
    let text = table(entry);
    text.strip_prefix(TABLE).unwrap_or(&text).to_owned()
}

/// One entry as the lock writes it: its `[[asset]]` table.
pub fn table(entry: &ManifestEntry) -> String {
    let one = Manifest {
        version: MANIFEST_VERSION,
        assets: vec![entry.clone()],
    };
    let text = one.to_text();
    let at = text.find(TABLE).unwrap_or(text.len());
    text[at..].to_owned()
}

fn find(blocks: &[Block], path: &str) -> std::result::Result<usize, usize> {
    blocks.binary_search_by(|b| b.path.as_str().cmp(path))
}

/// Splits `text` at its `[[asset]]` lines when it has exactly the layout
/// `Manifest::to_text` writes (a blank line before each table, a `path`
/// first, paths strictly sorted, no multi-line strings that could hide a
/// table line); `None` otherwise.
fn index(text: &str) -> Option<(Range<usize>, Vec<Block>)> {
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"\"\"\"").is_some()
        || memchr::memmem::find(bytes, b"'''").is_some()
    {
        return None;
    }
    let starts: Vec<usize> = memchr::memmem::find_iter(bytes, b"\n[[asset]]\n")
        .map(|at| at + 1)
        .collect();
    if text.starts_with(TABLE) {
        return None;
    }
    let header_end = match starts.first() {
        Some(&first) => {
            // A blank line before each table.
            if !text[..first].ends_with("\n\n") {
                return None;
            }
            first - 1
        }
        None => text.len(),
    };
    let mut blocks = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let body_start = start + TABLE.len();
        let body_end = match starts.get(i + 1) {
            Some(&next) => {
                if !text[..next].ends_with("\n\n") {
                    return None;
                }
                next - 1
            }
            None => text.len(),
        };
        let body = &text[body_start..body_end];
        let first_line = body.split('\n').next()?;
        let path = path_of(first_line)?;
        if blocks
            .last()
            .is_some_and(|prev: &Block| prev.path.as_str() >= path.as_str())
        {
            return None;
        }
        blocks.push(Block {
            path,
            body: body_start..body_end,
        });
    }
    Some((0..header_end, blocks))
}

/// The value of a `path = …` line (a basic or literal TOML string).
fn path_of(line: &str) -> Option<String> {
    let plain = line
        .strip_prefix("path = \"")
        .and_then(|v| v.strip_suffix('"'))
        .filter(|v| !v.contains(['\\', '"']));
    if let Some(value) = plain {
        return Some(value.to_owned());
    }
    if !line.starts_with("path = ") {
        return None;
    }
    toml::from_str::<PathOnly>(line).ok().map(|p| p.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, prompt: &str) -> ManifestEntry {
        ManifestEntry {
            path: path.into(),
            id: format!("id-{path}"),
            sha256: "ab".repeat(32),
            route: "local".into(),
            credit: "none".into(),
            prompt: Some(prompt.into()),
            parents: vec![crate::manifest::Parent {
                path: "x.png".into(),
                sha256: "cd".repeat(32),
                role: crate::recorded::ParentRole::Input,
                ..Default::default()
            }],
            ..ManifestEntry::default()
        }
    }

    fn manifest(paths: &[&str]) -> Manifest {
        let mut m = Manifest::new();
        for p in paths {
            m.upsert(entry(p, "a prompt"));
        }
        m
    }

    #[test]
    fn splices_are_the_text_a_whole_rewrite_gives() {
        let mut whole = manifest(&["b.png", "d \"quoted\".png", "f.png"]);
        let text = whole.to_text();
        let mut lock = LockFile::read(text.clone(), "assets.lock", false).unwrap();
        assert!(matches!(lock.form, Form::Indexed { .. }));
        assert_eq!(lock.to_text(), text, "unchanged, byte for byte");
        assert_eq!(
            lock.get("d \"quoted\".png").unwrap(),
            whole.get("d \"quoted\".png").cloned()
        );

        for (path, prompt) in [
            ("a.png", "first"),
            ("c.png", "middle"),
            ("z.png", "last"),
            ("f.png", "replaced"),
        ] {
            lock.upsert(entry(path, prompt));
            whole.upsert(entry(path, prompt));
        }
        lock.remove("b.png").unwrap();
        whole.remove("b.png");
        assert_eq!(lock.to_text(), whole.to_text());
        assert_eq!(
            lock.paths(),
            ["a.png", "c.png", "d \"quoted\".png", "f.png", "z.png"]
        );

        let empty = Manifest::new().to_text();
        let mut lock = LockFile::read(empty, "assets.lock", true).unwrap();
        lock.upsert(entry("a.png", "a prompt"));
        assert_eq!(lock.to_text(), manifest(&["a.png"]).to_text());
    }

    #[test]
    fn table_by_table_reads_what_the_whole_parse_reads() {
        let mut m = manifest(&["a.png", "b.png", "c.png"]);
        m.assets[1].usage = Some(Box::new(crate::manifest::Usage {
            output_tokens: Some(7),
            ..Default::default()
        }));
        let text = m.to_text();
        let whole: Manifest = toml::from_str(&text).unwrap();
        let by_table = parse_by_table(&text, "assets.lock").unwrap().unwrap();
        assert_eq!(by_table, whole);
        assert_eq!(by_table, m);
        // An error names the line of the bad value in the whole file.
        let line = text.lines().position(|l| l == "route = \"local\"").unwrap() + 1;
        let broken = text.replacen("route = \"local\"", "route = local", 1);
        let err = parse_by_table(&broken, "assets.lock").unwrap().unwrap_err();
        assert!(
            err.to_string().contains(&format!("assets.lock:{line}:")),
            "{err}"
        );
    }

    #[test]
    fn layouts_it_does_not_trust_are_parsed_whole() {
        let mut m = manifest(&["a.png"]);
        m.upsert(entry(
            "b.png",
            "two\n\n[[asset]]\npath = \"fake.png\"\nlines",
        ));
        let text = m.to_text();
        let lock = LockFile::read(text.clone(), "assets.lock", false).unwrap();
        assert_eq!(lock.paths(), ["a.png", "b.png"]);
        assert_eq!(lock.to_text(), text);
        // A malformed lock is refused when not known to be valid.
        let broken = text.replace("route = \"local\"", "route = local");
        assert!(LockFile::read(broken, "assets.lock", false).is_err());
    }
}

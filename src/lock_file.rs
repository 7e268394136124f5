//! `assets.lock` as text indexed by entry, for the commands that write one or
//! a few entries: the file is split at its `[[asset]]` tables (one pass, no
//! TOML parse), an entry is parsed only when asked for, and a save splices the
//! changed tables into the text. Writing one asset into a lock of 10,000 costs
//! about as much as into an empty one, and the file stays exactly the sorted
//! TOML `Manifest::to_text` writes.
//!
//! A lock whose stamp is recorded as one assetrail wrote in this layout is not
//! even read: [`sorted`] searches the file where it lies.
//!
//! A lock whose layout is not the one assetrail writes (hand-edited spacing,
//! multi-line strings) is parsed whole instead, as before.

mod sorted;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::ops::Range;

use serde::Deserialize;

use crate::error::{Error, Location, Result};
use crate::manifest::{MANIFEST_VERSION, Manifest, ManifestEntry};
use sorted::Sorted;

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
    /// The text and its tables in path order.
    Indexed { text: String, blocks: Vec<Block> },
    /// Parsed whole (a layout the index does not trust).
    Parsed(Manifest),
    /// Not read: the file, in the indexed layout, searched where it lies.
    OnDisk(Sorted),
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

    /// The lock in `file`, `len` bytes long, known to be in the layout
    /// `Manifest::to_text` writes and valid (its stamp was recorded so when
    /// assetrail wrote or parsed it): nothing is read until asked for.
    pub fn on_disk(file: File, len: u64, name: &str) -> LockFile {
        LockFile {
            form: Form::OnDisk(Sorted::new(file, len)),
            changes: BTreeMap::new(),
            file: name.to_owned(),
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
            Some((_, blocks)) => Form::Indexed { text, blocks },
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
                // A read error answers "no": the save, which finds the entry
                // again, reports it.
                Form::OnDisk(sorted) => sorted
                    .lower_bound(path)
                    .is_ok_and(|t| t.is_some_and(|t| t.path == path)),
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
            Form::OnDisk(sorted) => match sorted.body(path).map_err(|e| self.io_error(e))? {
                Some((body, start)) => parse_body(&body, path).map(Some).map_err(|(at, why)| {
                    let text = sorted.read_all().unwrap_or_default();
                    table_error(&self.file, &text, start as usize + at, why)
                }),
                None => Ok(None),
            },
        }
    }

    /// The text of `path`'s table as read (`None` when it has none, was
    /// changed, or the lock was not held split by table): equal texts are
    /// equal entries.
    pub fn raw(&self, path: &str) -> Option<&str> {
        if self.changes.contains_key(path) {
            return None;
        }
        match &self.form {
            Form::Indexed { text, blocks, .. } => find(blocks, path)
                .ok()
                .map(|i| &text[blocks[i].body.clone()]),
            Form::Parsed(_) | Form::OnDisk(_) => None,
        }
    }

    /// Whether the lock is held as text split by table.
    pub fn is_indexed(&self) -> bool {
        matches!(self.form, Form::Indexed { .. })
    }

    /// Every entry path, sorted.
    pub fn paths(&self) -> Result<Vec<String>> {
        let mut paths: Vec<String> = match &self.form {
            Form::Indexed { blocks, .. } => blocks.iter().map(|b| b.path.clone()).collect(),
            Form::Parsed(manifest) => manifest.assets.iter().map(|e| e.path.clone()).collect(),
            Form::OnDisk(sorted) => {
                let text = sorted.read_all().map_err(|e| self.io_error(e))?;
                index(&text)
                    .ok_or_else(|| self.io_error(sorted::layout_changed()))?
                    .1
                    .into_iter()
                    .map(|b| b.path)
                    .collect()
            }
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
        Ok(paths)
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
    pub fn to_text(&self) -> Result<String> {
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
                Ok(manifest.to_text())
            }
            Form::Indexed { text, .. } => Ok(splice(text, self.edits()?)),
            Form::OnDisk(sorted) => {
                let text = sorted.read_all().map_err(|e| self.io_error(e))?;
                Ok(splice(&text, self.edits()?))
            }
        }
    }

    /// Writes the lock with the changes to `out` (a lock searched on disk
    /// is copied range by range, file to file). Returns whether what was
    /// written is in the layout the index trusts.
    pub fn save(&self, out: &mut File) -> Result<bool> {
        if let Form::Parsed(_) = self.form {
            let text = self.to_text()?;
            out.write_all(text.as_bytes())
                .map_err(|e| self.io_error(e))?;
            return Ok(index(&text).is_some());
        }
        let edits = self.edits()?;
        let indexable = edits.iter().all(|(_, bytes)| !has_multiline_strings(bytes));
        match &self.form {
            Form::OnDisk(sorted) => sorted
                .write_spliced(out, edits)
                .map_err(|e| self.io_error(e))?,
            Form::Indexed { text, .. } => out
                .write_all(splice(text, edits).as_bytes())
                .map_err(|e| self.io_error(e))?,
            Form::Parsed(_) => unreachable!("written above"),
        }
        Ok(indexable)
    }

    /// The changes as byte edits of the text as read, in file order: each
    /// entry's range (its table with the blank line before it, or the empty
    /// range where it would go) and the bytes that replace it.
    fn edits(&self) -> Result<Vec<(Range<u64>, Vec<u8>)>> {
        self.changes
            .iter()
            .map(|(path, change)| {
                let range = match &self.form {
                    Form::Indexed { text, blocks, .. } => {
                        let table_start = |b: &Block| (b.body.start - TABLE.len()) as u64;
                        match find(blocks, path) {
                            Ok(i) => table_start(&blocks[i]) - 1..blocks[i].body.end as u64,
                            Err(i) => {
                                let at = blocks
                                    .get(i)
                                    .map_or(text.len() as u64, |b| table_start(b) - 1);
                                at..at
                            }
                        }
                    }
                    Form::OnDisk(sorted) => sorted.range_of(path).map_err(|e| self.io_error(e))?,
                    Form::Parsed(_) => unreachable!("a parsed lock is written whole"),
                };
                let bytes = change
                    .as_ref()
                    .map(|entry| format!("\n{}", table(entry)).into_bytes())
                    .unwrap_or_default();
                Ok((range, bytes))
            })
            .collect()
    }

    fn parse_block(&self, text: &str, block: &Block) -> Result<ManifestEntry> {
        parse_block(text, block, &self.file)
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        Error::io(&self.file, e)
    }
}

/// `text` with each range of `edits` (in order, not overlapping) replaced.
fn splice(text: &str, edits: Vec<(Range<u64>, Vec<u8>)>) -> String {
    let mut out = Vec::with_capacity(text.len() + 2048);
    let mut at = 0;
    for (range, bytes) in edits {
        out.extend_from_slice(&text.as_bytes()[at..range.start as usize]);
        out.extend_from_slice(&bytes);
        at = range.end as usize;
    }
    out.extend_from_slice(&text.as_bytes()[at..]);
    String::from_utf8(out).expect("edits fall on table boundaries")
}

/// Parses one `[[asset]]` table of `text`; errors point into `text`.
fn parse_block(text: &str, block: &Block, file: &str) -> Result<ManifestEntry> {
    parse_body(&text[block.body.clone()], &block.path)
        .map_err(|(at, why)| table_error(file, text, block.body.start + at, why))
}

/// Parses a table's body (the text after its `[[asset]]` line), which must be
/// the entry for `path`; an error says where in the body, and what.
fn parse_body(body: &str, path: &str) -> std::result::Result<ManifestEntry, (usize, String)> {
    let table = format!("{TABLE}{body}");
    let parsed: OneTable = toml::from_str(&table).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start.saturating_sub(TABLE.len()));
        (at, e.message().trim_end().to_owned())
    })?;
    let mut tables = parsed.asset.into_iter();
    match (tables.next(), tables.next()) {
        (Some(entry), None) if entry.path == path => Ok(entry),
        _ => Err((
            0,
            format!("the [[asset]] table for {path:?} does not read as one entry"),
        )),
    }
}

/// A table that does not parse, located in the whole `text` of `file`.
fn table_error(file: &str, text: &str, offset: usize, why: String) -> Error {
    Error::Manifest {
        message: format!("{}: {why}", Location::from_offset(file, text, offset)),
        hint: Some(format!(
            "{file} is written by assetrail; restore it from git (`git checkout -- {file}`) or fix the line by hand"
        )),
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
    if has_multiline_strings(bytes) {
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

/// Whether `bytes` may hold a multi-line string, which could hide a line
/// that looks like a table's.
fn has_multiline_strings(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"\"\"\"").is_some()
        || memchr::memmem::find(bytes, b"'''").is_some()
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
        assert_eq!(lock.to_text().unwrap(), text, "unchanged, byte for byte");
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
        assert_eq!(lock.to_text().unwrap(), whole.to_text());
        assert_eq!(
            lock.paths().unwrap(),
            ["a.png", "c.png", "d \"quoted\".png", "f.png", "z.png"]
        );

        let empty = Manifest::new().to_text();
        let mut lock = LockFile::read(empty, "assets.lock", true).unwrap();
        lock.upsert(entry("a.png", "a prompt"));
        assert_eq!(lock.to_text().unwrap(), manifest(&["a.png"]).to_text());
    }

    #[test]
    fn a_lock_searched_on_disk_reads_and_writes_what_the_text_does() {
        let long = "a long prompt ".repeat(400);
        let mut whole = manifest(&["b.png", "d \"quoted\".png", "f.png", "h.png"]);
        whole.upsert(entry("e.png", &long));
        let text = whole.to_text();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("assets.lock");
        std::fs::write(&path, &text).unwrap();
        let open = || {
            let file = File::open(&path).unwrap();
            LockFile::on_disk(file, text.len() as u64, "assets.lock")
        };
        let save = |lock: &LockFile| {
            let out_path = dir.path().join("out.lock");
            let mut out = File::create(&out_path).unwrap();
            let indexed = lock.save(&mut out).unwrap();
            (std::fs::read_to_string(&out_path).unwrap(), indexed)
        };

        let mut lock = open();
        for path in [
            "a.png",
            "b.png",
            "c.png",
            "d \"quoted\".png",
            "e.png",
            "g.png",
            "h.png",
            "z.png",
        ] {
            assert_eq!(lock.contains(path), whole.get(path).is_some(), "{path}");
            assert_eq!(lock.get(path).unwrap(), whole.get(path).cloned(), "{path}");
        }
        assert_eq!(
            save(&lock),
            (text.clone(), true),
            "unchanged, byte for byte"
        );

        for (path, prompt) in [
            ("a.png", "first"),
            ("c.png", "middle"),
            ("c2.png", "beside it"),
            ("z.png", "last"),
            ("f.png", "replaced"),
        ] {
            lock.upsert(entry(path, prompt));
            whole.upsert(entry(path, prompt));
        }
        lock.remove("e.png").unwrap();
        whole.remove("e.png");
        lock.remove("never.png").unwrap();
        assert_eq!(save(&lock), (whole.to_text(), true));
        assert_eq!(lock.to_text().unwrap(), whole.to_text());
        assert_eq!(
            lock.paths().unwrap(),
            whole
                .assets
                .iter()
                .map(|e| e.path.clone())
                .collect::<Vec<_>>()
        );

        // A new table the index would not trust makes the record say so.
        let mut lock = open();
        lock.upsert(entry("m.png", "two\nlines"));
        assert!(!save(&lock).1);
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
        assert_eq!(lock.paths().unwrap(), ["a.png", "b.png"]);
        assert_eq!(lock.to_text().unwrap(), text);
        // A malformed lock is refused when not known to be valid.
        let broken = text.replace("route = \"local\"", "route = local");
        assert!(LockFile::read(broken, "assets.lock", false).is_err());
    }
}

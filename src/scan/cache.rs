//! The per-file reference cache under `.git/assetrail/refs-cache`: each
//! content file's extraction, keyed by its git blob id (the content) and its
//! stat (so an unchanged work-tree file is not even read). A compact binary
//! format: a repository of 100,000 files loads it in milliseconds. Local to one
//! clone, never committed, safe to delete.

use std::path::Path;

use super::stamp::Stamp;
use super::{Base, Extraction, ParseProblem, RawReference, RefKind, Strength, Syntax};
use crate::atomic;

const MAGIC: &[u8; 4] = b"ARRC";
const VERSION: u32 = 5;

/// One file's cached extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedFile {
    /// Size when extracted.
    pub len: u64,
    /// Modification time (ns since the epoch) when extracted; 0 when unknown.
    pub mtime_ns: u64,
    /// Inode when extracted; 0 when unknown.
    pub inode: u64,
    /// Git blob id of the content the extraction came from.
    pub oid: [u8; 20],
    /// The syntax it was read as (a site's settings can change it).
    pub syntax: Syntax,
    /// What was extracted; `None` when nothing was (most files: a cache of
    /// 400,000 entries stays small).
    extraction: Option<Box<Extraction>>,
}

/// The extraction of a file with no references and no problems.
static NOTHING: Extraction = Extraction {
    references: Vec::new(),
    problems: Vec::new(),
};

impl CachedFile {
    /// The entry for a file with this stamp and blob id, read as `syntax`.
    pub fn new(stamp: Stamp, oid: [u8; 20], syntax: Syntax, extraction: Extraction) -> CachedFile {
        let found = !(extraction.references.is_empty() && extraction.problems.is_empty());
        CachedFile {
            len: stamp.len,
            mtime_ns: stamp.mtime_ns,
            inode: stamp.inode,
            oid,
            syntax,
            extraction: found.then(|| Box::new(extraction)),
        }
    }

    /// What was extracted.
    pub fn extraction(&self) -> &Extraction {
        self.extraction.as_deref().unwrap_or(&NOTHING)
    }
}

/// All cached files, for one build of assetrail and one set of options (`salt`).
///
/// Entries are kept sorted by path, their paths end to end in one buffer: a
/// cache of 400,000 files loads with no allocation per path and no hashing,
/// and a scan, whose files come sorted too, finds them all in one merge.
#[derive(Debug, Default)]
pub struct Cache {
    /// Build and options the entries were made with.
    pub salt: String,
    /// Every entry's path, one after another.
    paths: String,
    /// Where each entry's path ends in `paths`, and the entry; sorted by path.
    entries: Vec<(u32, CachedFile)>,
}

impl Cache {
    /// An empty cache for `salt`.
    pub fn new(salt: &str) -> Cache {
        Cache {
            salt: salt.to_owned(),
            ..Cache::default()
        }
    }

    /// Loads the cache at `path`; a missing, corrupt or stale one is empty.
    pub fn load(path: &Path, salt: &str) -> Cache {
        std::fs::File::open(path)
            .ok()
            .and_then(|file| {
                let len = file.metadata().ok()?.len();
                decode(file, len)
            })
            .filter(|cache| cache.salt == salt)
            .unwrap_or_else(|| Cache::new(salt))
    }

    /// How many files it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no file.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn path(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.entries[i - 1].0 };
        &self.paths[start as usize..self.entries[i].0 as usize]
    }

    /// Every entry with its path, sorted by path.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &CachedFile)> {
        (0..self.entries.len()).map(|i| (self.path(i), &self.entries[i].1))
    }

    /// Adds an entry after all others (`path` must sort after them).
    fn push(&mut self, path: &str, file: CachedFile) {
        self.paths.push_str(path);
        self.entries.push((self.paths.len() as u32, file));
    }

    /// The entry of each of `paths`, in order. Sorted paths are found by
    /// walking both lists once; a path out of order is searched for.
    pub fn lookup<'c>(&'c self, paths: &[&str]) -> Vec<Option<&'c CachedFile>> {
        let mut at = 0;
        let mut previous = "";
        let mut found = Vec::with_capacity(paths.len());
        for &path in paths {
            if path < previous {
                found.push(self.find(path));
                continue;
            }
            previous = path;
            while at < self.len() && self.path(at) < path {
                at += 1;
            }
            found.push((at < self.len() && self.path(at) == path).then(|| &self.entries[at].1));
        }
        found
    }

    /// The same entries, sorted by path.
    fn sorted(mut self) -> Cache {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| self.path(a).cmp(self.path(b)));
        let ends: Vec<u32> = self.entries.iter().map(|(end, _)| *end).collect();
        let mut files: Vec<Option<CachedFile>> =
            self.entries.drain(..).map(|(_, file)| Some(file)).collect();
        let mut sorted = Cache::new(&self.salt);
        for i in order {
            let start = if i == 0 { 0 } else { ends[i - 1] as usize };
            let path = &self.paths[start..ends[i] as usize];
            if let Some(file) = files[i].take() {
                sorted.push(path, file);
            }
        }
        sorted
    }

    /// The entry of `path`, by binary search.
    fn find(&self, path: &str) -> Option<&CachedFile> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            if self.path(mid) < path {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        (low < self.len() && self.path(low) == path).then(|| &self.entries[low].1)
    }
}

/// Writes a cache of `entries` made with `salt` to `path` (best effort: a
/// cache that cannot be written only costs time).
pub fn save<'a>(
    path: &Path,
    salt: &str,
    entries: impl ExactSizeIterator<Item = (&'a str, &'a CachedFile)>,
) {
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        // Sorted by path, as a loaded cache is kept.
        let mut entries: Vec<_> = entries.collect();
        if !entries.is_sorted_by(|a, b| a.0 <= b.0) {
            entries.sort_by(|a, b| a.0.cmp(b.0));
        }
        let _ = atomic::write_cache(path, &encode(salt, entries.into_iter()));
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn index_of<T: PartialEq>(all: &[T], value: &T) -> u8 {
    all.iter().position(|v| v == value).unwrap_or(0) as u8
}

/// Serializes a cache of `entries` made with `salt`.
pub fn encode<'a>(
    salt: &str,
    entries: impl ExactSizeIterator<Item = (&'a str, &'a CachedFile)>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + entries.len() * 96);
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, VERSION);
    put_str(&mut out, salt);
    put_u32(&mut out, entries.len() as u32);
    for (path, file) in entries {
        put_str(&mut out, path);
        put_u64(&mut out, file.len);
        put_u64(&mut out, file.mtime_ns);
        put_u64(&mut out, file.inode);
        out.extend_from_slice(&file.oid);
        out.push(index_of(Syntax::ALL, &file.syntax));
        let extraction = file.extraction();
        put_u32(&mut out, extraction.references.len() as u32);
        for r in &extraction.references {
            put_u32(&mut out, r.line);
            put_u32(&mut out, r.column);
            put_u64(&mut out, r.start as u64);
            put_u64(&mut out, r.end as u64);
            put_str(&mut out, &r.raw);
            out.push(index_of(RefKind::ALL, &r.kind));
            out.push(index_of(Strength::ALL, &r.strength));
            out.push(index_of(Base::ALL, &r.base));
            out.push(u8::from(r.in_code));
        }
        put_u32(&mut out, extraction.problems.len() as u32);
        for p in &extraction.problems {
            put_u64(&mut out, p.offset as u64);
            put_u32(&mut out, p.line);
            put_u32(&mut out, p.column);
            put_str(&mut out, &p.message);
        }
    }
    out
}

/// Reads a cache a chunk at a time: a cache of 400,000 files is never held
/// whole in memory beside what is decoded from it.
struct Reader<R> {
    source: R,
    /// Bytes the source has not given yet.
    unread: u64,
    buf: Vec<u8>,
    at: usize,
    end: usize,
}

impl<R: std::io::Read> Reader<R> {
    const CHUNK: usize = 1 << 20;

    fn new(source: R, len: u64) -> Self {
        Reader {
            source,
            unread: len,
            buf: Vec::new(),
            at: 0,
            end: 0,
        }
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.end - self.at < n {
            self.refill(n)?;
        }
        let slice = &self.buf[self.at..self.at + n];
        self.at += n;
        Some(slice)
    }

    /// Makes at least `n` bytes ready; `None` when the source has fewer.
    fn refill(&mut self, n: usize) -> Option<()> {
        let ready = self.end - self.at;
        let wanted = u64::try_from(n - ready).ok()?;
        if wanted > self.unread {
            return None;
        }
        self.buf.copy_within(self.at..self.end, 0);
        let fill = (n.max(Self::CHUNK) as u64).min(ready as u64 + self.unread) as usize;
        self.buf.resize(fill, 0);
        self.source.read_exact(&mut self.buf[ready..fill]).ok()?;
        self.unread -= (fill - ready) as u64;
        (self.at, self.end) = (0, fill);
        Some(())
    }

    /// Whether every byte was read.
    fn finished(&self) -> bool {
        self.at == self.end && self.unread == 0
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<String> {
        self.borrowed_str().map(str::to_owned)
    }

    fn borrowed_str(&mut self) -> Option<&str> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?).ok()
    }

    fn choice<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        all.get(usize::from(self.u8()?)).copied()
    }
}

/// Deserializes a cache of `total` bytes; `None` when they are not a cache of
/// this version.
pub fn decode(source: impl std::io::Read, total: u64) -> Option<Cache> {
    let mut r = Reader::new(source, total);
    // At most one entry (or reference) per this many bytes: a corrupt count
    // reserves no more than the file could hold.
    let at_most = |count: usize, bytes_each: u64| {
        count.min(usize::try_from(total / bytes_each).unwrap_or(usize::MAX))
    };
    if r.take(4)? != MAGIC || r.u32()? != VERSION {
        return None;
    }
    let salt = r.str()?;
    let count = r.u32()? as usize;
    let mut cache = Cache::new(&salt);
    cache.entries.reserve_exact(at_most(count, 57));
    let mut sorted = true;
    for _ in 0..count {
        let path = r.borrowed_str()?;
        sorted = sorted && (cache.is_empty() || cache.path(cache.len() - 1) <= path);
        cache.paths.push_str(path);
        // Path ends are kept as u32: a cache with more text than that is not one of ours.
        let end = u32::try_from(cache.paths.len()).ok()?;
        let len = r.u64()?;
        let mtime_ns = r.u64()?;
        let inode = r.u64()?;
        let oid: [u8; 20] = r.take(20)?.try_into().ok()?;
        let syntax = r.choice(Syntax::ALL)?;
        let count = r.u32()? as usize;
        // Sized exactly (not grown by doubling): 400,000 files' lists stay small.
        let mut references = Vec::with_capacity(at_most(count, 32));
        for _ in 0..count {
            references.push(RawReference {
                line: r.u32()?,
                column: r.u32()?,
                start: r.u64()? as usize,
                end: r.u64()? as usize,
                raw: r.str()?,
                kind: r.choice(RefKind::ALL)?,
                strength: r.choice(Strength::ALL)?,
                base: r.choice(Base::ALL)?,
                in_code: r.u8()? != 0,
            });
        }
        let problems = (0..r.u32()?)
            .map(|_| {
                Some(ParseProblem {
                    offset: r.u64()? as usize,
                    line: r.u32()?,
                    column: r.u32()?,
                    message: r.str()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        cache.entries.push((
            end,
            CachedFile::new(
                Stamp {
                    len,
                    mtime_ns,
                    inode,
                },
                oid,
                syntax,
                Extraction {
                    references,
                    problems,
                },
            ),
        ));
    }
    if !r.finished() {
        return None;
    }
    // Saved sorted; one written otherwise is sorted here.
    Some(if sorted { cache } else { cache.sorted() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_finds_by_merge_and_rejects_garbage() {
        let mut reference = RawReference::new(10, "/a.png", RefKind::Frontmatter);
        reference.line = 2;
        reference.column = 3;
        reference.strength = Strength::WeakBasename;
        reference.base = Base::Static;
        reference.in_code = true;
        let page = CachedFile::new(
            Stamp {
                len: 42,
                mtime_ns: 1_700_000_000_123_456_789,
                inode: 7,
            },
            [9; 20],
            Syntax::Mdx,
            Extraction {
                references: vec![reference],
                problems: vec![ParseProblem {
                    offset: 5,
                    line: 1,
                    column: 6,
                    message: "bad".into(),
                }],
            },
        );
        let empty = CachedFile::new(
            Stamp {
                len: 1,
                mtime_ns: 0,
                inode: 0,
            },
            [1; 20],
            Syntax::Script,
            Extraction::default(),
        );
        // Written out of order: read back sorted.
        let written = [("src/empty.ts", &empty), ("content/a.mdx", &page)];
        let bytes = encode("0.1.0|x", written.into_iter());
        let back = decode(&bytes[..], bytes.len() as u64).unwrap();
        assert_eq!(back.salt, "0.1.0|x");
        let read: Vec<_> = back.iter().collect();
        assert_eq!(read, [("content/a.mdx", &page), ("src/empty.ts", &empty)]);
        // Sorted paths by merge, one out of order by search.
        let found = back.lookup(&[
            "a",
            "content/a.mdx",
            "content/b.mdx",
            "src/empty.ts",
            "content/a.mdx",
            "z",
        ]);
        assert_eq!(
            found,
            [None, Some(&page), None, Some(&empty), Some(&page), None]
        );
        let short = &bytes[..bytes.len() - 1];
        assert!(decode(short, short.len() as u64).is_none());
        assert!(decode(&b"{\"json\": true}"[..], 14).is_none());
    }
}

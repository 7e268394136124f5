//! A lock searched where it lies. For a file known to be in the layout
//! `Manifest::to_text` writes (tables sorted by path, one `[[asset]]` line
//! each), an entry is found by binary search over the file's bytes — a few
//! small reads — and a save copies the unchanged byte ranges file to file
//! (inside the kernel where the platform can). Writing one asset into a lock
//! of 10,000 entries reads and parses none of the other 9,999.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use super::{TABLE, path_of};

/// `"\n[[asset]]\n"`: the blank line's end, then a table line.
const TABLE_START: &[u8] = b"\n[[asset]]\n";

/// A lock file open for searching. Its content must not change while it is
/// held: the caller opens it under a stamp recorded as valid, and a writer
/// replaces the file by renaming a new one over it, which leaves this handle
/// on the old content. Each read seeks the one handle, so the handle is
/// taken for the seek and the read together (clones share it).
#[derive(Debug, Clone)]
pub(super) struct Sorted {
    file: Arc<Mutex<File>>,
    len: u64,
}

/// A table found in the file.
pub(super) struct Table {
    /// Offset of its `[[asset]]` line.
    pub start: u64,
    /// Its `path` value.
    pub path: String,
}

impl Sorted {
    pub fn new(file: File, len: u64) -> Sorted {
        Sorted {
            file: Arc::new(Mutex::new(file)),
            len,
        }
    }

    /// The first table whose path is `path` or sorts after it.
    pub fn lower_bound(&self, path: &str) -> io::Result<Option<Table>> {
        // Invariant: tables starting before `lo` sort before `path`; tables
        // starting at `hi` or later do not.
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.table_from(mid)? {
                Some(table) if table.path.as_str() < path => lo = table.start + 1,
                _ => hi = mid,
            }
        }
        self.table_from(lo)
    }

    /// The bytes `path`'s table occupies, with the blank line before it —
    /// the range a save replaces — or the empty range where it would go.
    pub fn range_of(&self, path: &str) -> io::Result<Range<u64>> {
        Ok(match self.lower_bound(path)? {
            Some(table) if table.path == path => table.start - 1..self.end_of(&table)?,
            Some(table) => table.start - 1..table.start - 1,
            None => self.len..self.len,
        })
    }

    /// The body of `path`'s table (the text after its `[[asset]]` line) and
    /// the offset it starts at.
    pub fn body(&self, path: &str) -> io::Result<Option<(String, u64)>> {
        let Some(table) = self.lower_bound(path)?.filter(|t| t.path == path) else {
            return Ok(None);
        };
        let start = table.start + TABLE.len() as u64;
        let bytes = self.read_range(start..self.end_of(&table)?)?;
        let body = String::from_utf8(bytes).map_err(|_| invalid("a table is not UTF-8"))?;
        Ok(Some((body, start)))
    }

    /// The whole file.
    pub fn read_all(&self) -> io::Result<String> {
        let bytes = self.read_range(0..self.len)?;
        String::from_utf8(bytes).map_err(|_| invalid("the file is not UTF-8"))
    }

    /// Writes the file to `out` with each range of `edits` (in file order,
    /// not overlapping) replaced by its bytes; unchanged ranges are copied
    /// file to file.
    pub fn write_spliced(
        &self,
        out: &mut File,
        edits: impl IntoIterator<Item = (Range<u64>, Vec<u8>)>,
    ) -> io::Result<()> {
        let mut at = 0;
        for (range, bytes) in edits {
            self.copy_to(at..range.start, out)?;
            out.write_all(&bytes)?;
            at = range.end;
        }
        self.copy_to(at..self.len, out)
    }

    /// Where `table` ends: before the blank line of the next one, or at the
    /// end of the file.
    fn end_of(&self, table: &Table) -> io::Result<u64> {
        Ok(self
            .table_from(table.start + 1)?
            .map_or(self.len, |next| next.start - 1))
    }

    /// The first table whose `[[asset]]` line starts at `from` or later.
    fn table_from(&self, from: u64) -> io::Result<Option<Table>> {
        // A table line follows a newline, so the search starts one byte back.
        let mut base = from.saturating_sub(1);
        let mut window = 1024;
        loop {
            let buf = self.read_range(base..(base + window).min(self.len))?;
            let at_end = base + buf.len() as u64 >= self.len;
            let Some(found) = memchr::memmem::find(&buf, TABLE_START) else {
                if at_end {
                    return Ok(None);
                }
                // Keep the bytes a match could straddle.
                base += (buf.len() - (TABLE_START.len() - 1)) as u64;
                continue;
            };
            let line_start = found + TABLE_START.len();
            match memchr::memchr(b'\n', &buf[line_start..]) {
                Some(len) => {
                    let line = std::str::from_utf8(&buf[line_start..line_start + len])
                        .map_err(|_| invalid("a path line is not UTF-8"))?;
                    let path = path_of(line).ok_or_else(|| invalid("a table has no path first"))?;
                    return Ok(Some(Table {
                        start: base + found as u64 + 1,
                        path,
                    }));
                }
                None if at_end => return Err(invalid("the last table has no path line")),
                // The path line runs past the window: read a longer one.
                None => window *= 2,
            }
        }
    }

    fn read_range(&self, range: Range<u64>) -> io::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity((range.end - range.start) as usize);
        let file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let mut reader = &*file;
        reader.seek(SeekFrom::Start(range.start))?;
        reader.take(range.end - range.start).read_to_end(&mut buf)?;
        if buf.len() as u64 != range.end - range.start {
            return Err(invalid("the file is shorter than when it was opened"));
        }
        Ok(buf)
    }

    fn copy_to(&self, range: Range<u64>, out: &mut File) -> io::Result<()> {
        let file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let mut reader = &*file;
        reader.seek(SeekFrom::Start(range.start))?;
        let want = range.end - range.start;
        if io::copy(&mut reader.take(want), out)? != want {
            return Err(invalid("the file is shorter than when it was opened"));
        }
        Ok(())
    }
}

/// The error for a file that is no longer in the layout it was opened in.
pub(super) fn layout_changed() -> io::Error {
    invalid("the layout is not the one assetrail writes")
}

fn invalid(why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{why} (the lock changed on disk while it was being read?)"),
    )
}

//! Git LFS pointer files: a small text file standing in for the real content,
//! whose `oid sha256:` is the sha256 of that content. A pointer is verified by
//! its oid; it is never hashed as if it were the image.

/// A parsed pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LfsPointer {
    /// sha256 of the real content, lowercase hex.
    pub sha256: String,
    /// Size of the real content.
    pub size: u64,
}

const VERSION_LINE: &[u8] = b"version https://git-lfs.github.com/spec/v1\n";

/// Parses `bytes` as an LFS pointer (they are under 1 KB and start with the
/// version line).
pub fn parse_pointer(bytes: &[u8]) -> Option<LfsPointer> {
    if !starts_like_pointer(bytes) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut sha256 = None;
    let mut size = None;
    for line in text.lines() {
        if let Some(oid) = line.strip_prefix("oid sha256:") {
            let oid = oid.trim();
            if oid.len() == 64 && oid.bytes().all(|b| b.is_ascii_hexdigit()) {
                sha256 = Some(oid.to_ascii_lowercase());
            }
        } else if let Some(n) = line.strip_prefix("size ") {
            size = n.trim().parse().ok();
        }
    }
    Some(LfsPointer {
        sha256: sha256?,
        size: size?,
    })
}

/// Whether a file of `len` bytes may be a pointer (they are under 1 KB).
pub fn may_be_pointer(len: u64) -> bool {
    len <= 1024
}

/// Whether `bytes` start like a pointer (parse them to know if it is a valid one).
pub fn starts_like_pointer(bytes: &[u8]) -> bool {
    may_be_pointer(bytes.len() as u64) && bytes.starts_with(VERSION_LINE)
}

/// Whether a file at `path` starts like a pointer (cheap check before reading it all).
pub fn looks_like_pointer(path: &std::path::Path) -> bool {
    use std::io::Read;
    let Ok(meta) = path.metadata() else {
        return false;
    };
    if !may_be_pointer(meta.len()) {
        return false;
    }
    let mut head = [0u8; VERSION_LINE.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == VERSION_LINE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_pointer() {
        let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        let text =
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12345\n");
        assert_eq!(
            parse_pointer(text.as_bytes()),
            Some(LfsPointer {
                sha256: oid.into(),
                size: 12345
            })
        );
        assert_eq!(parse_pointer(b"\x89PNG\r\n"), None);
        assert_eq!(
            parse_pointer(b"version https://git-lfs.github.com/spec/v1\noid sha256:zz\nsize 1\n"),
            None
        );
    }
}

//! Repo-relative paths as plain `/`-separated strings, the form they take in
//! `assets.toml`, `assets.lock` and every report.

/// Normalizes a repo-relative path: `\` and repeated `/` collapse, `.` parts drop,
/// a trailing `/` goes. Refuses absolute paths, `..`, and empty paths, with the reason.
///
/// ```
/// use assetrail::repo_path::normalize;
/// assert_eq!(normalize("./public//images/").unwrap(), "public/images");
/// assert!(normalize("../outside.png").is_err());
/// assert!(normalize("/etc/passwd").is_err());
/// ```
pub fn normalize(raw: &str) -> Result<String, String> {
    if is_absolute(raw) {
        return Err(
            "absolute paths are refused; give a path relative to the repository root".into(),
        );
    }
    let mut parts = Vec::new();
    for part in raw.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                return Err("`..` is refused; paths must stay inside the repository".into());
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Err("the path is empty".into());
    }
    Ok(parts.join("/"))
}

/// Whether `raw` is an absolute path (`/x`, `\\x` or a drive letter, `C:x`).
pub fn is_absolute(raw: &str) -> bool {
    raw.starts_with(['/', '\\']) || has_drive_prefix(raw)
}

fn has_drive_prefix(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// `from` + `rel` normalized; `None` when it leaves the repository.
pub fn resolve(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if from.is_empty() {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` is `folder` or lies below it (component-wise: `public2/x` is not in `public`).
pub fn is_within(path: &str, folder: &str) -> bool {
    path == folder
        || (path.len() > folder.len()
            && path.starts_with(folder)
            && path.as_bytes()[folder.len()] == b'/')
}

/// The lowercase extension of the last component, if any.
pub fn extension(path: &str) -> Option<String> {
    let name = file_name(path);
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// The last component.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Everything before the last component (`""` at the top level).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// `parent/name`, or `name` when the parent is the root.
pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_refuses() {
        assert_eq!(normalize("./public//img/").unwrap(), "public/img");
        assert_eq!(normalize("public\\img\\a.png").unwrap(), "public/img/a.png");
        assert!(normalize("../x.png").unwrap_err().contains(".."));
        assert!(normalize("public/../../x").is_err());
        assert!(normalize("/etc/x.png").unwrap_err().contains("absolute"));
        assert!(normalize("C:/x.png").unwrap_err().contains("absolute"));
        assert!(normalize("./").is_err());
    }

    #[test]
    fn within_is_component_wise() {
        assert!(is_within("public/a.png", "public"));
        assert!(is_within("public", "public"));
        assert!(!is_within("public2/a.png", "public"));
        assert!(!is_within("pub", "public"));
    }

    #[test]
    fn extensions_and_names() {
        assert_eq!(extension("public/A.PNG").as_deref(), Some("png"));
        assert_eq!(extension("public/.hidden"), None);
        assert_eq!(file_name("a/b/c.png"), "c.png");
        assert_eq!(parent("a/b/c.png"), "a/b");
        assert_eq!(parent("c.png"), "");
        assert_eq!(join("", "c.png"), "c.png");
    }
}

//! Where assetrail may write, and how: one path policy for every file it
//! creates (inside a managed folder, no symlinks on the way, no silent
//! overwrite) and atomic writes that leave the old file or the new one, never
//! a mix.

use std::path::Path;

use crate::atomic::{self, Existing};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::repo_path;

/// A repo-relative path that passed the policy, and whether a file is there now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Normalized repo-relative path.
    pub path: String,
    /// A file exists at the path (only possible with `overwrite`).
    pub exists: bool,
}

/// Checks that `path` (already normalized) may be written: inside a managed
/// folder, no symlinked folder or file on the way, and free unless `overwrite`.
/// `taken` reports paths claimed otherwise (manifest entries, earlier files of
/// the same request) so the suggested sibling is truly free.
pub fn check_target(
    root: &Path,
    config: &Config,
    path: &str,
    overwrite: bool,
    taken: &dyn Fn(&str) -> bool,
) -> Result<Target> {
    check_managed(config, path)?;
    check_no_symlinks(root, path)?;
    let abs = root.join(path);
    let exists = match abs.symlink_metadata() {
        Ok(meta) if meta.is_dir() => {
            return Err(Error::refused(
                format!("{path} is a folder"),
                "name a file inside it, for example hero.png",
            ));
        }
        Ok(_) => true,
        Err(_) => false,
    };
    if (exists || taken(path)) && !overwrite {
        let free = free_sibling(root, path, taken);
        return Err(Error::refused(
            format!("{path} already exists"),
            format!(
                "choose a free name such as {free}, or pass --force to replace it (the old sha256 is kept as a parent)"
            ),
        ));
    }
    Ok(Target {
        path: path.to_owned(),
        exists,
    })
}

/// Checks that `path` names a file inside one of the managed folders (not
/// the folder itself).
pub fn check_managed(config: &Config, path: &str) -> Result<()> {
    if config
        .managed_folder_of(path)
        .is_some_and(|folder| folder != path)
    {
        return Ok(());
    }
    let suggestion = repo_path::join(&config.default_folder, repo_path::file_name(path));
    Err(Error::refused(
        format!(
            "{path} is outside the managed folders ({})",
            config.folders.join(", ")
        ),
        format!(
            "write under a managed folder, e.g. {suggestion}, or add the folder to [assets] folders in assets.toml"
        ),
    ))
}

/// Refuses a path any of whose existing components is a symbolic link.
pub fn check_no_symlinks(root: &Path, path: &str) -> Result<()> {
    no_symlinks(root, path).map(drop)
}

/// [`check_no_symlinks`], returning the metadata of the file itself when it
/// exists (read without following a link).
pub fn no_symlinks(root: &Path, path: &str) -> Result<Option<std::fs::Metadata>> {
    // Many files of one folder in a row (adopt, batches): when its folders
    // were checked a moment ago on this thread, only the file is looked at.
    type Checked = Option<(std::path::PathBuf, std::time::Instant)>;
    thread_local! {
        static CHECKED: std::cell::RefCell<Checked> = const { std::cell::RefCell::new(None) };
    }
    let parent = root.join(repo_path::parent(path));
    let skip = CHECKED.with(|c| {
        c.borrow().as_ref().is_some_and(|(dir, at)| {
            *dir == parent && at.elapsed() < std::time::Duration::from_secs(1)
        })
    });
    let mut current = root.to_path_buf();
    let mut shown = String::new();
    let parts: Vec<&str> = path.split('/').collect();
    let start = if skip { parts.len() - 1 } else { 0 };
    let mut last = None;
    for (i, part) in parts.iter().enumerate() {
        current.push(part);
        shown = repo_path::join(&shown, part);
        if i < start {
            continue;
        }
        match current.symlink_metadata() {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::refused(
                    format!(
                        "{shown} is a symbolic link; assetrail does not write or record through links"
                    ),
                    "use the real path the link points to, or replace the link with a folder",
                ));
            }
            Ok(meta) => last = Some(meta),
            Err(_) => return Ok(None),
        }
    }
    CHECKED.with(|c| *c.borrow_mut() = Some((parent, std::time::Instant::now())));
    Ok(last)
}

/// The first free `stem-N.ext` next to `path` (N from 2). The stem is kept
/// whole: a name that ends in a number (`step-5`, from the prompt "step 5")
/// is not mistaken for a counter.
pub fn free_sibling(root: &Path, path: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let parent = repo_path::parent(path);
    let name = repo_path::file_name(path);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|n| repo_path::join(parent, &format!("{stem}-{n}{ext}")))
        .find(|candidate| !taken(candidate) && root.join(candidate).symlink_metadata().is_err())
        .expect("an unbounded counter always finds a free name")
}

/// Writes `bytes` at `path` atomically: temp file in the same folder, fsync,
/// then rename (replacing only when `overwrite`, otherwise failing if a file
/// appeared meanwhile). Creates missing folders below the managed folder.
pub fn write_file(root: &Path, path: &str, bytes: &[u8], overwrite: bool) -> Result<()> {
    let abs = root.join(path);
    let dir = abs
        .parent()
        .expect("a repo-relative file path has a parent");
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    check_no_symlinks(root, path)?;
    atomic::sweep_dir(root, repo_path::parent(path));
    let existing = if overwrite {
        Existing::Replace
    } else {
        Existing::Keep
    };
    atomic::write(&abs, bytes, existing).map_err(|e| match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => {
            Error::refused(
                format!("{path} appeared while assetrail was writing it"),
                "run the command again with another --out, or with --force",
            )
        }
        other => other,
    })?;
    Ok(())
}

/// A readable file name from a prompt: lowercase words joined by `-`, at most
/// six words and 48 characters, `image` when nothing is left.
pub fn slug(prompt: &str) -> String {
    let mut slug = String::new();
    for word in prompt
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
    {
        let word: String = word
            .chars()
            .flat_map(char::to_lowercase)
            .filter_map(fold_latin)
            .collect();
        if word.is_empty() {
            continue;
        }
        if !slug.is_empty() && slug.len() + 1 + word.len() > 48 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word[..word.len().min(48)]);
    }
    if slug.is_empty() {
        slug.push_str("image");
    }
    slug
}

/// Folds common Latin accents to ASCII (`é` → `e`); other characters drop.
fn fold_latin(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c);
    }
    let folded = match c {
        'à'..='å' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        _ => return None,
    };
    Some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_and_readable() {
        assert_eq!(
            slug("A red fox in snow, watercolor"),
            "a-red-fox-in-snow-watercolor"
        );
        assert_eq!(slug("Café — déjà vu!!"), "cafe-deja-vu");
        assert_eq!(slug("   "), "image");
        assert_eq!(slug("日本語"), "image");
        assert!(slug(&"word ".repeat(40)).len() <= 48);
    }

    #[test]
    fn sibling_names_count_up_from_the_whole_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("public")).unwrap();
        std::fs::write(dir.path().join("public/hero.png"), b"x").unwrap();
        std::fs::write(dir.path().join("public/hero-2.png"), b"x").unwrap();
        let none = |_: &str| false;
        assert_eq!(
            free_sibling(dir.path(), "public/hero.png", &none),
            "public/hero-3.png"
        );
        // A name ending in a number keeps it: "step 5" is not a counter.
        assert_eq!(
            free_sibling(dir.path(), "public/hero-2.png", &none),
            "public/hero-2-2.png"
        );
        let taken = |p: &str| p == "public/hero-3.png";
        assert_eq!(
            free_sibling(dir.path(), "public/hero.png", &taken),
            "public/hero-4.png"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("public")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("public/link")).unwrap();
        let err = check_no_symlinks(dir.path(), "public/link/x.png").unwrap_err();
        assert!(
            err.to_string().contains("public/link is a symbolic link"),
            "{err}"
        );
        assert!(check_no_symlinks(dir.path(), "public/new/x.png").is_ok());
    }

    #[test]
    fn overwrite_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        write_file(dir.path(), "public/a.png", b"one", false).unwrap();
        let err = write_file(dir.path(), "public/a.png", b"two", false).unwrap_err();
        assert!(err.to_string().contains("appeared"), "{err}");
        write_file(dir.path(), "public/a.png", b"two", true).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("public/a.png")).unwrap(),
            b"two"
        );
        let leftovers = std::fs::read_dir(dir.path().join("public"))
            .unwrap()
            .count();
        assert_eq!(leftovers, 1, "no temp files are left behind");
    }
}

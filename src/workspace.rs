//! The repository a command works on: its root, configuration, manifest and
//! how command-line paths map to repo-relative ones.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::{GitEnv, GitRepo};
use crate::manifest::{MANIFEST_FILE, Manifest, ManifestSnapshot, ManifestTransaction};
use crate::repo_path;

/// A repository with its loaded `assets.toml`.
pub struct Workspace {
    /// The git repository.
    pub git: GitRepo,
    /// The validated configuration.
    pub config: Config,
    /// The cwd relative to the root, when the cwd is below the root.
    cwd_prefix: String,
}

impl Workspace {
    /// Finds the repository (from `--repo` or the cwd) and loads its configuration.
    pub fn open(repo_arg: Option<&Path>) -> Result<Workspace> {
        let (git, cwd_prefix) = locate(repo_arg)?;
        let config = Config::load(git.root())?;
        Ok(Workspace {
            git,
            config,
            cwd_prefix,
        })
    }

    /// The work tree root.
    pub fn root(&self) -> &Path {
        self.git.root()
    }

    /// Absolute path of a repo-relative path.
    pub fn abs(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// `assets.lock`'s path.
    pub fn manifest_path(&self) -> PathBuf {
        self.root().join(MANIFEST_FILE)
    }

    /// Reads the manifest without locking (for commands that only read).
    pub fn load_manifest(&self) -> Result<Manifest> {
        Manifest::load(&self.manifest_path())
    }

    /// Reads the manifest without locking, keeping the file's stamp so a later
    /// [`Workspace::begin_manifest`] can skip parsing it again.
    pub fn snapshot_manifest(&self) -> Result<ManifestSnapshot> {
        ManifestSnapshot::load(&self.manifest_path(), &self.git.cache_dir())
    }

    /// Locks the manifest and loads it (or reuses `snapshot` when the file is
    /// unchanged), for a load → modify → save cycle.
    pub fn begin_manifest(
        &self,
        snapshot: Option<ManifestSnapshot>,
    ) -> Result<ManifestTransaction> {
        // A killed writer may have left its temp file beside assets.lock.
        crate::atomic::sweep_dir(self.root(), "");
        ManifestTransaction::begin(&self.manifest_path(), &self.git.cache_dir(), snapshot)
    }

    /// Like [`Workspace::user_path`], for a file or folder to read that may be
    /// the repository root itself (`.` at the root, or `:/`, gives `""`).
    pub fn user_scope(&self, raw: &str) -> Result<String> {
        let (base, rest) = self.base_of(raw);
        if repo_path::is_absolute(rest) {
            return self.user_path(raw);
        }
        repo_path::resolve(base, &rest.replace('\\', "/")).ok_or_else(|| {
            Error::usage(
                format!("{raw}: leaves the repository"),
                "name a file or folder inside the repository (`:/PATH` is taken from the repository root)",
            )
        })
    }

    /// Turns a path from the command line into a normalized repo-relative path,
    /// as git takes paths: relative to the cwd when it lies inside the
    /// repository (`..` may climb, never above the root), or from the root when
    /// written `:/PATH`. Absolute paths and paths that leave the repository are
    /// refused.
    pub fn user_path(&self, raw: &str) -> Result<String> {
        let refuse = |why: &str| {
            Error::refused(
                format!("{raw}: {why}"),
                format!(
                    "name a file inside a managed folder ({}), for example {}/hero.png (from a subfolder, :/{}/hero.png)",
                    self.config.folders.join(", "),
                    self.config.default_folder,
                    self.config.default_folder
                ),
            )
        };
        let (base, rest) = self.base_of(raw);
        if repo_path::is_absolute(rest) {
            return Err(refuse(
                "absolute paths are refused; give a path relative to the repository root",
            ));
        }
        let joined = repo_path::resolve(base, &rest.replace('\\', "/"))
            .ok_or_else(|| refuse("the path leaves the repository"))?;
        repo_path::normalize(&joined).map_err(|why| refuse(&why))
    }

    /// The error for a path from the command line that matches nothing, as
    /// git refuses a pathspec that matches no file (exit 2).
    pub fn no_match(&self, path: &str) -> Error {
        Error::usage(
            format!("{path}: matches no file or folder in the repository"),
            format!(
                "check the spelling; paths are taken from the current folder{}, or from the repository root when written :/PATH",
                if self.cwd_prefix.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", self.cwd_prefix)
                }
            ),
        )
    }

    /// The folder `raw` is relative to, and the rest of it: `:/PATH` is from
    /// the repository root (as in git), anything else from the cwd.
    fn base_of<'r>(&self, raw: &'r str) -> (&str, &'r str) {
        match raw.strip_prefix(":/") {
            Some(rest) => ("", rest),
            None => (&self.cwd_prefix, raw),
        }
    }
}

/// Finds the repository and the cwd's position inside it.
pub fn locate(repo_arg: Option<&Path>) -> Result<(GitRepo, String)> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    if let Some(dir) = repo_arg
        && !dir.is_dir()
    {
        return Err(Error::usage(
            format!("--repo {}: no such directory", dir.display()),
            "pass the folder of a git checkout",
        ));
    }
    let git = GitRepo::locate(repo_arg, &cwd, &GitEnv::from_process())?;
    let cwd_prefix = cwd
        .canonicalize()
        .ok()
        .and_then(|cwd| {
            cwd.strip_prefix(git.root())
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .unwrap_or_default();
    Ok((git, cwd_prefix))
}

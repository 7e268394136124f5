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
        ManifestSnapshot::load(&self.manifest_path())
    }

    /// Locks the manifest and loads it (or reuses `snapshot` when the file is
    /// unchanged), for a load → modify → save cycle.
    pub fn begin_manifest(
        &self,
        snapshot: Option<ManifestSnapshot>,
    ) -> Result<ManifestTransaction> {
        ManifestTransaction::begin(
            &self.manifest_path(),
            &self.git.cache_dir().join("manifest.lock"),
            snapshot,
        )
    }

    /// Like [`Workspace::user_path`], for a folder that may be the repository
    /// root itself (`.` at the root gives `""`).
    pub fn user_scope(&self, raw: &str) -> Result<String> {
        if raw.starts_with('/') {
            return self.user_path(raw);
        }
        // Reading, unlike writing, may walk up with `..`, as git allows, but
        // never above the repository root.
        crate::scan::site::resolve_dir(&self.cwd_prefix, &raw.replace('\\', "/")).ok_or_else(|| {
            Error::usage(
                format!("{raw}: leaves the repository"),
                "name a file or folder inside the repository",
            )
        })
    }

    /// Turns a path from the command line into a normalized repo-relative path.
    /// Relative paths are taken from the cwd when it lies inside the repository
    /// (as git does); absolute paths and `..` are refused.
    pub fn user_path(&self, raw: &str) -> Result<String> {
        let joined = repo_path::join(&self.cwd_prefix, raw);
        let candidate = if raw.starts_with('/') { raw } else { &joined };
        repo_path::normalize(candidate).map_err(|why| {
            Error::refused(
                format!("{raw}: {why}"),
                format!(
                    "name a file inside a managed folder ({}), for example {}/hero.png",
                    self.config.folders.join(", "),
                    self.config.default_folder
                ),
            )
        })
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

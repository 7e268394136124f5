//! The git repository assetrail works in: its root, its git directory and HEAD.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One commit, as `log` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct CommitInfo {
    /// Full sha.
    pub id: String,
    /// First parent, absent for a root commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Commit time, UTC.
    pub time: String,
    /// Author name.
    pub author: String,
    /// First line of the message.
    pub summary: String,
}

/// An opened repository with a work tree.
pub struct GitRepo {
    repo: git2::Repository,
    root: PathBuf,
    index_file: PathBuf,
}

/// The variables git sets for hooks and that a user may set by hand. Read once,
/// here: what they say decides which repository and which index are judged.
#[derive(Debug, Clone, Default)]
pub struct GitEnv {
    /// `GIT_DIR`.
    pub git_dir: Option<PathBuf>,
    /// `GIT_WORK_TREE`.
    pub work_tree: Option<PathBuf>,
    /// `GIT_INDEX_FILE`: `git commit -a`, `commit PATH` and `commit --only`
    /// run the hook against a temporary index named here.
    pub index_file: Option<PathBuf>,
}

impl GitEnv {
    /// The process environment (empty values count as unset, as in git).
    pub fn from_process() -> GitEnv {
        let var = |name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        GitEnv {
            git_dir: var("GIT_DIR"),
            work_tree: var("GIT_WORK_TREE"),
            index_file: var("GIT_INDEX_FILE"),
        }
    }
}

impl GitRepo {
    /// Opens the repository a command works on, the way git itself would:
    /// with `--repo DIR`, the repository containing DIR; otherwise the one
    /// `GIT_DIR` (and `GIT_WORK_TREE`) name, else the one containing `cwd`.
    /// `GIT_INDEX_FILE` names the index, relative to `cwd`; with `--repo` it
    /// is honoured only when it lies inside that repository's git directory.
    pub fn locate(repo_arg: Option<&Path>, cwd: &Path, env: &GitEnv) -> Result<GitRepo> {
        let mut git = match (repo_arg, &env.git_dir) {
            (Some(dir), _) => GitRepo::discover(dir)?,
            (None, Some(git_dir)) => GitRepo::open_env(&cwd.join(git_dir), cwd, env)?,
            (None, None) => GitRepo::discover(cwd)?,
        };
        if let Some(index) = &env.index_file {
            let index = cwd.join(index);
            let inside = |dir: &Path| {
                dir.canonicalize()
                    .ok()
                    .zip(index.parent().and_then(|p| p.canonicalize().ok()))
                    .is_some_and(|(dir, parent)| parent.starts_with(dir))
            };
            if repo_arg.is_none() || inside(git.repo.path()) || inside(git.repo.commondir()) {
                git.index_file = index;
            }
        }
        Ok(git)
    }

    /// The repository `GIT_DIR` names. Its work tree is `GIT_WORK_TREE`, else
    /// the one the git directory knows (`core.worktree`, a linked worktree's
    /// `gitdir`), else the current folder, as git decides.
    fn open_env(git_dir: &Path, cwd: &Path, env: &GitEnv) -> Result<GitRepo> {
        let repo = git2::Repository::open(git_dir).map_err(|e| Error::Usage {
            message: format!(
                "GIT_DIR={} is not a git repository ({})",
                git_dir.display(),
                e.message()
            ),
            hint: Some("unset GIT_DIR, or point it at a repository's .git folder".into()),
        })?;
        let work_tree = match (&env.work_tree, repo.workdir()) {
            (Some(dir), _) => cwd.join(dir),
            (None, Some(dir)) => dir.to_path_buf(),
            (None, None) => cwd.to_path_buf(),
        };
        let root = work_tree
            .canonicalize()
            .map_err(|e| Error::io(&work_tree, e))?;
        repo.set_workdir(&root, false)?;
        let index_file = repo.path().join("index");
        Ok(GitRepo {
            repo,
            root,
            index_file,
        })
    }

    /// Finds the repository containing `start` (walking up like git does).
    pub fn discover(start: &Path) -> Result<GitRepo> {
        let repo = git2::Repository::discover(start).map_err(|_| Error::Usage {
            message: format!(
                "not inside a git repository (searched from {} upward)",
                start.display()
            ),
            hint: Some(
                "run assetrail inside your project, pass --repo DIR, or run `git init` first"
                    .into(),
            ),
        })?;
        let root = repo
            .workdir()
            .ok_or_else(|| {
                Error::usage(
                    format!("{} is a bare repository", repo.path().display()),
                    "assetrail needs a work tree: run it inside a checkout",
                )
            })?
            .to_path_buf();
        let root = root.canonicalize().map_err(|e| Error::io(&root, e))?;
        let index_file = repo.path().join("index");
        Ok(GitRepo {
            repo,
            root,
            index_file,
        })
    }

    /// The index `git commit` is about to record: `GIT_INDEX_FILE` when git
    /// set it for a hook, else the repository's own.
    pub fn index_file(&self) -> &Path {
        &self.index_file
    }

    /// The main repository's git directory (shared by linked worktrees).
    pub fn common_dir(&self) -> &Path {
        self.repo.commondir()
    }

    /// assetrail's local caches and lock (`<git dir>/assetrail/`): never
    /// committed, safe to delete.
    pub fn cache_dir(&self) -> PathBuf {
        cache_dir_of(self.repo.path())
    }

    /// The work tree root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The git directory (`.git`, or the worktree's own folder).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// HEAD's commit id, or `None` on an unborn branch (no commit yet).
    pub fn head_commit(&self) -> Result<Option<String>> {
        match self.repo.head() {
            Ok(head) => Ok(head.peel_to_commit().ok().map(|c| c.id().to_string())),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `sha` names a commit in this repository.
    pub fn has_commit(&self, sha: &str) -> bool {
        git2::Oid::from_str(sha).is_ok_and(|oid| self.repo.find_commit(oid).is_ok())
    }

    /// The bytes of `path` as of commit `rev` (a sha or `HEAD`), if it was there.
    pub fn blob_at(&self, rev: &str, path: &str) -> Option<Vec<u8>> {
        let commit = self.repo.revparse_single(rev).ok()?.peel_to_commit().ok()?;
        let entry = commit.tree().ok()?.get_path(Path::new(path)).ok()?;
        let blob = self.repo.find_blob(entry.id()).ok()?;
        Some(blob.content().to_vec())
    }

    /// The commits reachable from HEAD, newest first (by commit time), each
    /// with its first parent. Empty on an unborn branch.
    pub fn history(&self) -> Result<Vec<CommitInfo>> {
        let mut walk = self.repo.revwalk()?;
        if walk.push_head().is_err() {
            return Ok(Vec::new());
        }
        walk.set_sorting(git2::Sort::TIME | git2::Sort::TOPOLOGICAL)?;
        let mut commits = Vec::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let time = commit.time();
            let at = jiff::Timestamp::from_second(time.seconds())
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            commits.push(CommitInfo {
                id: commit.id().to_string(),
                parent: commit.parent_id(0).ok().map(|p| p.to_string()),
                time: at,
                author: commit.author().name().unwrap_or_default().to_owned(),
                summary: commit.summary().unwrap_or_default().to_owned(),
            });
        }
        Ok(commits)
    }

    /// The git blob id of `path` in commit `rev`, if the file was there.
    pub fn blob_id_at(&self, rev: &str, path: &str) -> Option<String> {
        let commit = self.repo.revparse_single(rev).ok()?.peel_to_commit().ok()?;
        let entry = commit.tree().ok()?.get_path(Path::new(path)).ok()?;
        Some(entry.id().to_string())
    }

    /// Whether `.gitignore` rules exclude `path`.
    pub fn is_ignored(&self, path: &str) -> bool {
        self.repo.is_path_ignored(Path::new(path)).unwrap_or(false)
    }

    /// A string from the repository's git config (all levels).
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo.config().ok()?.get_string(key).ok()
    }

    /// Sets `key` in this clone's own git config (`.git/config`).
    pub fn set_local_config(&self, key: &str, value: &str) -> Result<()> {
        let config = self.repo.config()?;
        let mut local = config.open_level(git2::ConfigLevel::Local)?;
        local.set_str(key, value)?;
        Ok(())
    }

    /// The three sides of an unmerged `path` in the index (base, ours,
    /// theirs), while a merge, rebase or cherry-pick stops on it.
    pub fn unmerged(&self, path: &str) -> Option<[Option<Vec<u8>>; 3]> {
        let index = git2::Index::open(&self.index_file).ok()?;
        let conflict = index.conflicts().ok()?.flatten().find(|c| {
            [&c.ancestor, &c.our, &c.their]
                .into_iter()
                .flatten()
                .any(|e| e.path == path.as_bytes())
        })?;
        let blob = |entry: Option<git2::IndexEntry>| {
            entry.and_then(|e| self.repo.find_blob(e.id).ok().map(|b| b.content().to_vec()))
        };
        Some([
            blob(conflict.ancestor),
            blob(conflict.our),
            blob(conflict.their),
        ])
    }

    /// Where hooks live: `core.hooksPath` when set, else `<git dir>/hooks`.
    pub fn hooks_dir(&self) -> PathBuf {
        let configured = self
            .repo
            .config()
            .ok()
            .and_then(|c| c.get_path("core.hooksPath").ok());
        match configured {
            Some(path) if path.is_absolute() => path,
            Some(path) => self.root.join(path),
            // Linked worktrees share the main repository's hooks.
            None => self.common_dir().join("hooks"),
        }
    }
}

/// The name of assetrail's merge driver for `assets.lock` (`merge=assetrail`
/// in `.gitattributes`, `merge.assetrail.*` in the git config).
pub const MERGE_DRIVER: &str = "assetrail";

/// Whether a root `.gitattributes` text gives `file` (a root-level file)
/// assetrail's merge driver: a line `file merge=assetrail` (or `/file`), the
/// last such line winning as in git. Read as text rather than through
/// libgit2's attribute lookup, which loads and hashes the whole index.
pub fn names_merge_driver(gitattributes: &str, file: &str) -> bool {
    let mut named = false;
    for line in gitattributes.lines() {
        let mut words = line.split_whitespace();
        let Some(pattern) = words.next() else {
            continue;
        };
        if pattern.trim_start_matches('/') != file {
            continue;
        }
        for attr in words {
            if let Some(driver) = attr.strip_prefix("merge=") {
                named = driver == MERGE_DRIVER;
            } else if attr == "-merge" || attr == "!merge" || attr == "merge" {
                named = false;
            }
        }
    }
    named
}

/// Git's blob id of some bytes: the SHA-1 of `blob <len>\0` and the content.
/// Computed here (RustCrypto's SHA-1, with the CPU's SHA instructions where
/// it has them) rather than by libgit2's collision-detecting SHA-1, which is
/// several times slower: every content file of a cold scan is hashed.
pub fn blob_id(bytes: &[u8]) -> [u8; 20] {
    let mut hasher = BlobHasher::new(bytes.len() as u64);
    hasher.update(bytes);
    hasher.finish()
}

/// [`blob_id`] as git prints it.
pub fn blob_id_hex(bytes: &[u8]) -> String {
    hex(&blob_id(bytes))
}

/// [`blob_id`] of content fed in pieces (its length known up front).
pub struct BlobHasher(sha1::Sha1);

impl BlobHasher {
    /// A hasher for content of `len` bytes.
    pub fn new(len: u64) -> BlobHasher {
        use sha1::Digest;
        let mut hasher = sha1::Sha1::new();
        hasher.update(format!("blob {len}\0").as_bytes());
        BlobHasher(hasher)
    }

    /// Adds the next piece.
    pub fn update(&mut self, piece: &[u8]) {
        sha1::Digest::update(&mut self.0, piece);
    }

    /// The blob id.
    pub fn finish(self) -> [u8; 20] {
        sha1::Digest::finalize(self.0).into()
    }

    /// The blob id as git prints it.
    pub fn finish_hex(self) -> String {
        hex(&self.finish())
    }
}

/// Lowercase hex of `bytes` (hashes as git and `sha256sum` print them).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// assetrail's cache folder inside the git directory `git_dir`.
pub fn cache_dir_of(git_dir: &Path) -> PathBuf {
    git_dir.join("assetrail")
}

#[cfg(test)]
mod tests {
    #[test]
    fn merge_driver_lines() {
        use super::names_merge_driver as named;
        assert!(named(
            "*.png binary\nassets.lock merge=assetrail\n",
            "assets.lock"
        ));
        assert!(named("/assets.lock -diff merge=assetrail", "assets.lock"));
        assert!(!named(
            "assets.lock merge=assetrail\nassets.lock -merge\n",
            "assets.lock"
        ));
        assert!(!named("assets.lock merge=union\n", "assets.lock"));
        assert!(!named("other.lock merge=assetrail\n", "assets.lock"));
    }

    #[test]
    fn blob_ids_are_gits() {
        for bytes in [&b""[..], b"hello\n", &[0u8, 255, 10, 13][..]] {
            let git = git2::Oid::hash_object(git2::ObjectType::Blob, bytes).unwrap();
            assert_eq!(super::blob_id(bytes), git.as_bytes());
            assert_eq!(super::blob_id_hex(bytes), git.to_string());
        }
    }
}

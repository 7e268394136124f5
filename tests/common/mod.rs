//! Test support: temp git repositories (empty or holding the example site) and
//! a runner for the real `assetrail` binary.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The example site checked in under `fixtures/site`.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/site")
}

/// A temp git repository.
pub struct Repo {
    pub dir: TempDir,
    /// A private `$CODEX_HOME` (and `$HOME`), so tests never see the real one.
    pub home: TempDir,
}

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Drops the variables git sets for hooks, so a suite run from inside a hook
/// (or a shell that exported them) still works on its own temp repositories.
pub fn clear_git_env(cmd: &mut Command) -> &mut Command {
    for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"] {
        cmd.env_remove(var);
    }
    cmd
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = clear_git_env(&mut Command::new("git"))
        .args([
            "-c",
            "user.name=assetrail tests",
            "-c",
            "user.email=tests@assetrail.invalid",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

impl Repo {
    /// An empty repository with no commits.
    pub fn empty() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q"]);
        repo
    }

    /// A repository holding `fixtures/NAME` (one of the example sites), not committed.
    pub fn fixture(name: &str) -> Repo {
        let repo = Repo::empty();
        copy_tree(&fixture_dir().parent().unwrap().join(name), repo.path());
        repo
    }

    /// A repository holding the example site, committed.
    pub fn site() -> Repo {
        let repo = Repo::empty();
        copy_tree(&fixture_dir(), repo.path());
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-qm", "example site"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    /// The binary, run in the repository with a clean environment.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_assetrail"));
        cmd.current_dir(self.path())
            .env("HOME", self.home.path())
            .env("CODEX_HOME", self.home.path().join(".codex"))
            .env_remove("NO_COLOR")
            .env_remove("OPENAI_API_KEY");
        clear_git_env(&mut cmd);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command()
            .args(args)
            .output()
            .expect("assetrail runs")
            .into()
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Sets the file's modification time `secs` into the past, as a file
    /// last written then would have (caches trust only settled times).
    pub fn backdate(&self, rel: &str, secs: u64) {
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
        self.set_modified(rel, then);
    }

    /// Sets the file's modification time to `time`.
    pub fn set_modified(&self, rel: &str, time: std::time::SystemTime) {
        let file = std::fs::File::options()
            .write(true)
            .open(self.path().join(rel))
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        file.set_modified(time).unwrap();
    }

    /// Every file outside `.git` with its bytes, to prove a command changed nothing.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(self.path())
            .into_iter()
            .filter_entry(|e| e.file_name() != ".git")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file() || e.file_type().is_symlink())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(self.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let bytes = std::fs::read(e.path()).unwrap_or_default();
                (rel, bytes)
            })
            .collect()
    }

    /// The manifest, parsed as plain TOML.
    pub fn manifest(&self) -> toml::Table {
        let text = String::from_utf8(self.read("assets.lock")).unwrap();
        toml::from_str(&text).unwrap_or_else(|e| panic!("assets.lock does not parse: {e}\n{text}"))
    }

    /// The manifest's `[[asset]]` entries.
    pub fn entries(&self) -> Vec<toml::Table> {
        self.manifest()
            .get("asset")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().map(|e| e.as_table().unwrap().clone()).collect())
            .unwrap_or_default()
    }

    pub fn entry(&self, path: &str) -> toml::Table {
        self.entries()
            .into_iter()
            .find(|e| e["path"].as_str() == Some(path))
            .unwrap_or_else(|| panic!("no entry for {path}"))
    }
}

/// lowercase hex sha256.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

// A repository with one generated image and one page, and how to read `check`'s verdict.

/// A small real 24×16 PNG.
pub fn png(seed: u8) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([seed, x as u8 * 9, y as u8 * 13]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub const ASSET: &str = "public/images/a.png";
pub const PAGE: &str = "content/a.md";

/// A repository with one generated image and one page using it, nothing committed.
pub fn uncommitted_repo() -> Repo {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    repo.run(&[
        "generate",
        "--prompt",
        "a clean image",
        "--size",
        "1024x1024",
        "--quality",
        "low",
        "--out",
        ASSET,
    ])
    .success();
    repo.write(PAGE, "# A page\n\nSome text.\n\n![a](/images/a.png)\n");
    repo
}

/// A committed repository whose check is clean.
pub fn clean_repo() -> Repo {
    let repo = uncommitted_repo();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "clean"]);
    repo
}

pub fn findings(repo: &Repo, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    assert!(
        run.code == 0 || run.code == 1,
        "{all:?}: exit {}\n{}",
        run.code,
        run.stderr
    );
    let json = run.json();
    assert_eq!(json["schema_version"], 2);
    (run.code, json["findings"].as_array().unwrap().clone())
}

pub fn codes(findings: &[serde_json::Value]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

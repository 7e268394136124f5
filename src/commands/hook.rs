//! `assetrail hook install`: run `assetrail check --staged` before each commit,
//! through plain git hooks or the hook manager the project already uses.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::atomic::{self, Existing};
use crate::choice_enum;
use crate::cli::HookInstallArgs;
use crate::error::{Error, Result};
use crate::git::{GitRepo, MERGE_DRIVER};
use crate::manifest::MANIFEST_FILE;
use crate::output::{Report, Style};
use crate::workspace;

choice_enum! {
    /// Hook managers assetrail can install into.
    pub enum HookFramework: "hook framework" {
        Git = "git",
        PreCommit = "pre-commit",
        Lefthook = "lefthook",
        Husky = "husky",
    }
}

/// The command every hook runs.
pub const HOOK_COMMAND: &str = "assetrail check --staged";

/// The line that marks a git hook as written by assetrail (and so safe to update).
const GIT_HOOK_MARK: &str = "# Installed by `assetrail hook install`";

/// The plain git hook. It runs the binary that installed it (GUI git clients
/// and fresh shells often have another `PATH`), falls back to `PATH`, and when
/// neither exists says so and how to fix it instead of `not found`.
fn git_hook(binary: Option<&Path>) -> String {
    let recorded = binary.map_or_else(String::new, |b| shell_quote(&b.to_string_lossy()));
    format!(
        r#"#!/bin/sh
{GIT_HOOK_MARK}: refuse commits whose images lack provenance.
# Runs `{HOOK_COMMAND}` with the binary that installed it, else the one on PATH.
assetrail={recorded}
if [ -n "$assetrail" ] && [ -x "$assetrail" ]; then
  exec "$assetrail" check --staged
fi
if command -v assetrail >/dev/null 2>&1; then
  exec assetrail check --staged
fi
echo "assetrail pre-commit hook: cannot run assetrail: ${{assetrail:-no recorded path}} is gone and assetrail is not on PATH ($PATH)." >&2
echo "  fix: reinstall assetrail, then run 'assetrail hook install --force' from the repository to record its path" >&2
echo "  (to commit once without the provenance check: git commit --no-verify)" >&2
exit 1
"#
    )
}

/// Sets a clone up for `assets.lock`, once per clone and idempotent: the
/// merge driver (`assets.lock merge=assetrail` in `.gitattributes`, committed;
/// `merge.assetrail.*` in the local git config, which no clone inherits) and
/// temp files excluded from `git status` (`.git/info/exclude`). Returns what
/// changed.
pub fn setup_clone(git: &GitRepo) -> Result<Vec<String>> {
    let mut changed = Vec::new();
    let attributes = git.root().join(".gitattributes");
    let line = format!("{MANIFEST_FILE} merge={MERGE_DRIVER}");
    let text = std::fs::read_to_string(&attributes).unwrap_or_default();
    if !text
        .lines()
        .any(|l| l.split_whitespace().eq(line.split_whitespace()))
    {
        let separator = if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        write_text(&attributes, &format!("{text}{separator}{line}\n"))?;
        changed.push(".gitattributes".to_owned());
    }
    let binary = std::env::current_exe().ok();
    let driver = format!("{} merge-lock %O %A %B", run_assetrail(binary.as_deref()));
    let name_key = format!("merge.{MERGE_DRIVER}.name");
    let driver_key = format!("merge.{MERGE_DRIVER}.driver");
    if git.config_string(&driver_key).as_deref() != Some(driver.as_str()) {
        git.set_local_config(&name_key, "assetrail: merge assets.lock by asset")?;
        git.set_local_config(&driver_key, &driver)?;
        changed.push(format!("git config {driver_key}"));
    }
    let exclude = git.common_dir().join("info").join("exclude");
    let text = std::fs::read_to_string(&exclude).unwrap_or_default();
    if !text.lines().any(|l| l.trim() == atomic::TEMP_PATTERN) {
        if let Some(dir) = exclude.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let separator = if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        write_text(
            &exclude,
            &format!(
                "{text}{separator}# assetrail's temporary files (a killed run may leave one)\n{}\n",
                atomic::TEMP_PATTERN
            ),
        )?;
        changed.push(".git/info/exclude".to_owned());
    }
    Ok(changed)
}

/// A shell command that runs the assetrail at `binary` when it is there,
/// else the one on `PATH` (a merge driver runs in whatever shell git has).
fn run_assetrail(binary: Option<&Path>) -> String {
    match binary {
        Some(b) => format!(
            "a={}; [ -x \"$a\" ] || a=assetrail; \"$a\"",
            shell_quote(&b.to_string_lossy())
        ),
        None => "assetrail".to_owned(),
    }
}

/// `text` as one POSIX shell word.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

const PRE_COMMIT_ENTRY: &str = "  - repo: local\n    hooks:\n      - id: assetrail-check\n        name: assetrail check --staged\n        entry: assetrail check --staged\n        language: system\n        pass_filenames: false\n        always_run: true\n";

const LEFTHOOK: &str =
    "pre-commit:\n  commands:\n    assetrail:\n      run: assetrail check --staged\n";

/// What `hook install` did.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct HookReport {
    /// The framework.
    pub framework: HookFramework,
    /// What was done.
    pub action: InstallAction,
    /// The file written or inspected, repo-relative when inside the repository.
    pub path: String,
    /// For `printed`: the snippet to add by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// What was set up for `assets.lock` in this clone (merge driver, excludes).
    pub set_up: Vec<String>,
}

impl Report for HookReport {
    fn write_text(&self, out: &mut dyn Write, _style: &Style) -> io::Result<()> {
        for what in &self.set_up {
            writeln!(out, "set up {what} (assets.lock merges by asset)")?;
        }
        match self.action {
            InstallAction::Printed => {
                writeln!(
                    out,
                    "add this to {} (it could not be merged safely):\n",
                    self.path
                )?;
                write!(out, "{}", self.snippet.as_deref().unwrap_or(""))
            }
            action => writeln!(
                out,
                "{} {} ({})",
                action.as_str().replace('-', " "),
                self.path,
                self.framework
            ),
        }
    }
}

choice_enum! {
    /// What `hook install` did.
    pub enum InstallAction: "hook install action" {
        /// Wrote a new hook file.
        Wrote = "wrote",
        /// Added assetrail to an existing hook file.
        Updated = "updated",
        /// The hook already runs assetrail.
        AlreadyInstalled = "already-installed",
        /// Could not merge safely: printed the snippet to add by hand.
        Printed = "printed",
    }
}

/// Runs `hook install`.
pub fn install(repo_arg: Option<&Path>, args: &HookInstallArgs) -> Result<HookReport> {
    let (git, _) = workspace::locate(repo_arg)?;
    let root = git.root();
    let show = |path: &Path| {
        path.strip_prefix(root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| path.display().to_string())
    };
    let set_up = setup_clone(&git)?;
    let report = |action, path: &Path, snippet: Option<String>| HookReport {
        framework: args.framework,
        action,
        path: show(path),
        snippet,
        set_up: set_up.clone(),
    };
    match args.framework {
        HookFramework::Git => {
            let path = git.hooks_dir().join("pre-commit");
            let existing = std::fs::read_to_string(&path).ok();
            let binary = std::env::current_exe().ok();
            let hook = git_hook(binary.as_deref());
            if let Some(existing) = &existing {
                if *existing == hook {
                    return Ok(report(InstallAction::AlreadyInstalled, &path, None));
                }
                // Ours, from another binary or an older version: bring it up to date.
                let ours = existing.contains(GIT_HOOK_MARK);
                if existing.contains(HOOK_COMMAND) && !ours && !args.force {
                    return Ok(report(InstallAction::AlreadyInstalled, &path, None));
                }
                if !ours && !args.force {
                    return Err(Error::refused(
                        format!("{} already exists and is not assetrail's", show(&path)),
                        format!(
                            "add `{HOOK_COMMAND}` to it by hand, or pass --force to replace it"
                        ),
                    ));
                }
            }
            write_executable(&path, &hook)?;
            Ok(report(
                if existing.is_some() {
                    InstallAction::Updated
                } else {
                    InstallAction::Wrote
                },
                &path,
                None,
            ))
        }
        HookFramework::PreCommit => {
            let path = root.join(".pre-commit-config.yaml");
            match std::fs::read_to_string(&path) {
                Err(_) => {
                    write_text(&path, &format!("repos:\n{PRE_COMMIT_ENTRY}"))?;
                    Ok(report(InstallAction::Wrote, &path, None))
                }
                Ok(text) if text.contains(HOOK_COMMAND) => {
                    Ok(report(InstallAction::AlreadyInstalled, &path, None))
                }
                Ok(text) if last_top_level_key(&text) == Some("repos") => {
                    let mut merged = text.clone();
                    if !merged.ends_with('\n') {
                        merged.push('\n');
                    }
                    merged.push_str(PRE_COMMIT_ENTRY);
                    write_text(&path, &merged)?;
                    Ok(report(InstallAction::Updated, &path, None))
                }
                Ok(_) => Ok(report(
                    InstallAction::Printed,
                    &path,
                    Some(format!("repos:\n{PRE_COMMIT_ENTRY}")),
                )),
            }
        }
        HookFramework::Lefthook => {
            let path = root.join("lefthook.yml");
            match std::fs::read_to_string(&path) {
                Err(_) => {
                    write_text(&path, LEFTHOOK)?;
                    Ok(report(InstallAction::Wrote, &path, None))
                }
                Ok(text) if text.contains(HOOK_COMMAND) => Ok(report(InstallAction::AlreadyInstalled, &path, None)),
                Ok(text) if !text.lines().any(|l| l.starts_with("pre-commit:")) => {
                    let separator = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
                    write_text(&path, &format!("{text}{separator}{LEFTHOOK}"))?;
                    Ok(report(InstallAction::Updated, &path, None))
                }
                Ok(_) => Ok(report(
                    InstallAction::Printed,
                    &path,
                    Some("pre-commit:\n  commands:\n    assetrail:\n      run: assetrail check --staged\n".into()),
                )),
            }
        }
        HookFramework::Husky => {
            let path = root.join(".husky").join("pre-commit");
            match std::fs::read_to_string(&path) {
                Err(_) => {
                    std::fs::create_dir_all(root.join(".husky"))
                        .map_err(|e| Error::io(root.join(".husky"), e))?;
                    write_executable(&path, &format!("{HOOK_COMMAND}\n"))?;
                    Ok(report(InstallAction::Wrote, &path, None))
                }
                Ok(text) if text.contains(HOOK_COMMAND) => {
                    Ok(report(InstallAction::AlreadyInstalled, &path, None))
                }
                Ok(text) => {
                    let separator = if text.is_empty() || text.ends_with('\n') {
                        ""
                    } else {
                        "\n"
                    };
                    write_executable(&path, &format!("{text}{separator}{HOOK_COMMAND}\n"))?;
                    Ok(report(InstallAction::Updated, &path, None))
                }
            }
        }
    }
}

/// The last key at column 0 of a YAML file (comments and blank lines skipped).
fn last_top_level_key(text: &str) -> Option<&str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with([' ', '\t', '#', '-']))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
        .next_back()
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    atomic::write(path, text.as_bytes(), Existing::Replace)
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    atomic::write(path, text.as_bytes(), Existing::Replace)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys() {
        assert_eq!(
            last_top_level_key("default_stages: [commit]\nrepos:\n  - repo: x\n"),
            Some("repos")
        );
        assert_eq!(
            last_top_level_key("repos:\n  - repo: x\nci:\n  skip: []\n"),
            Some("ci")
        );
    }
}

//! Findings from manifest × files × references × git: the provenance gate.
//! Judges the work tree, or with `staged` exactly what `git commit` would
//! record (manifest, assets and content read from the index).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::asset_state::{self, Judgement, State};
use crate::config::{OrphanPolicy, RouteType};
use crate::error::{Error, Result};
use crate::finding::{FindingCode, Severity};
use crate::lock_merge;
use crate::manifest::{self, FileStamp, MANIFEST_FILE, Manifest, ManifestEntry, ParsedManifest};
use crate::repo_path;
use crate::scan::resolve::{RefStatus, Reference};
use crate::scan::site::Sites;
use crate::scan::tree::Tree;
use crate::scan::walk::{self, FileProblem};
use crate::stat_cache::StatCache;
use crate::workspace::Workspace;

/// One problem `check` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// Stable code, e.g. `AR005`.
    pub code: FindingCode,
    /// Rule name, e.g. `broken-reference`.
    pub name: &'static str,
    /// Configured severity.
    pub severity: Severity,
    /// The file the finding is about: the asset, or for AR005 the referencing file.
    pub path: String,
    /// 1-based line in `path`, when a source file is involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column in `path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// The asset concerned when `path` is a source file (AR005).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CheckSummary {
    /// Findings at error severity.
    pub errors: usize,
    /// Findings at warning severity.
    pub warnings: usize,
    /// Manifest entries judged.
    pub assets: usize,
    /// References found.
    pub references: usize,
    /// Content files scanned.
    pub files: usize,
    /// Assets hashed this run (the rest came from the stat cache or blob ids).
    pub hashed: usize,
}

/// Everything `check` found.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CheckOutcome {
    /// `staged` or `worktree`.
    pub mode: &'static str,
    /// Findings, sorted by path, line, column, code.
    pub findings: Vec<Finding>,
    /// Content files that could not be parsed (reported, not fatal).
    pub problems: Vec<FileProblem>,
    /// Counts.
    pub summary: CheckSummary,
}

impl CheckOutcome {
    /// Whether any finding is at error severity.
    pub fn failed(&self) -> bool {
        self.summary.errors > 0
    }
}

/// What to judge.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Judge the index instead of the work tree.
    pub staged: bool,
    /// Only report findings about these repo-relative paths (files or folders).
    pub paths: Vec<String>,
}

/// Runs the checks.
pub fn check(ws: &Workspace, options: &CheckOptions) -> Result<CheckOutcome> {
    // Reading the index, the reference cache and the cached manifest parse are
    // independent: do them at once.
    let (git_dir, root, config) = (ws.git.git_dir(), ws.root(), &ws.config);
    let (index_file, cache_dir) = (ws.git.index_file(), ws.git.cache_dir());
    let manifest_cache = ws.git.cache_dir().join("manifest-cache.json");
    let (tree, (refs_cache, parsed)) = rayon::join(
        || {
            if options.staged {
                Tree::index(git_dir, index_file)
            } else {
                Ok(Tree::work(root))
            }
        },
        || {
            (
                walk::load_cache(config, &cache_dir),
                manifest::load_parsed(&manifest_cache),
            )
        },
    );
    let tree = tree?;
    let (manifest, conflicts) = match load_manifest(ws, &tree, parsed) {
        Ok(manifest) => (manifest, Vec::new()),
        // A lock with merge conflicts is judged, not refused: each conflict is
        // a finding, and our side of it stands in for the entry meanwhile.
        Err(refused) => match conflicted_lock(ws, &tree) {
            Some(merged) => {
                let mut merged = merged?;
                let conflicts = std::mem::take(&mut merged.conflicts);
                for c in &conflicts {
                    if let Some(ours) = &c.ours {
                        merged.clean.upsert(ours.clone());
                    }
                }
                (merged.clean, conflicts)
            }
            None => return Err(refused),
        },
    };
    let matches = |p: &str| {
        tree.is_file(p)
            || tree.is_dir(p)
            || ws.abs(p).exists()
            || manifest
                .assets
                .iter()
                .any(|e| repo_path::is_within(&e.path, p))
    };
    if let Some(unmatched) = options.paths.iter().find(|p| !matches(p)) {
        return Err(ws.no_match(unmatched));
    }
    // The assets are judged while the references are found.
    let (scan, (mut stat_cache, judgements)) = std::thread::scope(|threads| {
        let judged = threads.spawn(|| {
            // With --staged, assets are judged by blob id: the stat cache is not needed.
            let stat_cache = if options.staged {
                StatCache::empty(&cache_dir)
            } else {
                StatCache::load(&cache_dir).beside_index(index_file)
            };
            let judgements = asset_state::judge_all(&manifest.assets, &tree, &stat_cache);
            (stat_cache, judgements)
        });
        let scan = walk::scan_tree_with(ws, &[], &tree, Some(refs_cache));
        let judged = judged
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (scan, judged)
    });
    let (scan, judgements) = (scan?, judgements?);
    let mut collector = Collector {
        ws,
        findings: Vec::new(),
        staged: options.staged.then(|| StagedView {
            ws,
            manifest: std::cell::OnceCell::new(),
        }),
    };

    let present = collector.asset_states(&manifest, judgements, &tree);
    stat_cache.save();
    collector.untracked(&manifest, &scan.images, &tree);
    let sites = Sites::from_list(scan.sites.clone());
    collector.orphans(&manifest, &scan.references, &present, &sites);
    collector.broken_references(&scan.references, &sites);
    collector.records(&manifest);
    collector.moves(&manifest, &tree);
    collector.lock_conflicts(&conflicts);
    collector.merge_driver();

    let mut findings: Vec<Finding> = collector
        .findings
        .into_iter()
        .filter(|f| f.severity != Severity::Off)
        .filter(|f| {
            options.paths.is_empty()
                || options.paths.iter().any(|p| {
                    p.is_empty()
                        || repo_path::is_within(&f.path, p)
                        || f.asset
                            .as_deref()
                            .is_some_and(|a| repo_path::is_within(a, p))
                })
        })
        .collect();
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code).cmp(&(&b.path, b.line, b.column, b.code))
    });
    findings.dedup();
    let summary = CheckSummary {
        errors: findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        warnings: findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count(),
        assets: manifest.assets.len(),
        references: scan.references.len(),
        files: scan.stats.files,
        hashed: stat_cache.hashed(),
    };
    let problems = scan.problems;
    crate::drop_later((tree, manifest, scan.references, scan.images));
    Ok(CheckOutcome {
        mode: if options.staged { "staged" } else { "worktree" },
        findings,
        problems,
        summary,
    })
}

/// The lock as the tree has it, read as a merge when it holds conflict
/// markers (`None` when it does not).
fn conflicted_lock(ws: &Workspace, tree: &Tree) -> Option<Result<lock_merge::Merged>> {
    let text = if tree.is_index() {
        String::from_utf8(tree.read(MANIFEST_FILE)?).ok()?
    } else {
        std::fs::read_to_string(ws.manifest_path()).ok()?
    };
    lock_merge::has_markers(&text).then(|| lock_merge::read_conflicted(&text, MANIFEST_FILE))
}

/// The manifest as the tree has it: the staged `assets.lock`, or the file.
/// Parses are cached by content (blob id or file stamp) under `.git/assetrail/`.
fn load_manifest(ws: &Workspace, tree: &Tree, parsed: Option<ParsedManifest>) -> Result<Manifest> {
    let cache = ws.git.cache_dir().join("manifest-cache.json");
    if !tree.is_index() {
        let path = ws.manifest_path();
        let Some(stamp) = FileStamp::of(&path) else {
            return Ok(Manifest::new());
        };
        return manifest::parse_cached(&stamp.key(), &cache, parsed, MANIFEST_FILE, || {
            std::fs::read_to_string(&path)
                .map(Some)
                .map_err(|e| Error::io(&path, e))
        });
    }
    if tree.is_unmerged(MANIFEST_FILE) {
        return Err(Error::Manifest {
            message: format!("{MANIFEST_FILE} is not merged yet: git stopped on a conflict in it"),
            hint: Some(lock_merge::resolve_hint()),
        });
    }
    let Some(staged) = tree.staged(MANIFEST_FILE) else {
        return Ok(Manifest::new());
    };
    let file = format!("{MANIFEST_FILE} (staged)");
    manifest::parse_cached(
        &format!("blob:{}", staged.oid),
        &cache,
        parsed,
        &file,
        || {
            let bytes = tree.read(MANIFEST_FILE).unwrap_or_default();
            String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| Error::Manifest {
                    message: format!("{file} is not valid UTF-8"),
                    hint: Some(format!("restore it: git checkout -- {MANIFEST_FILE}")),
                })
        },
    )
}

struct Collector<'w> {
    ws: &'w Workspace,
    findings: Vec<Finding>,
    /// In `--staged` mode, the work tree beside the index, for hints.
    staged: Option<StagedView<'w>>,
}

/// What the work tree holds beside the index: a staged finding is often fixed
/// by `git add`, and the hint should say so. Read only when a hint needs it.
struct StagedView<'w> {
    ws: &'w Workspace,
    manifest: std::cell::OnceCell<Option<Manifest>>,
}

impl StagedView<'_> {
    /// The work tree's `assets.lock`, if it reads.
    fn manifest(&self) -> Option<&Manifest> {
        self.manifest
            .get_or_init(|| self.ws.load_manifest().ok())
            .as_ref()
    }
}

impl Collector<'_> {
    fn push(&mut self, code: FindingCode, path: &str, message: String, hint: String) {
        self.findings.push(Finding {
            code,
            name: code.name(),
            severity: self.ws.config.severity_of(code),
            path: path.to_owned(),
            line: None,
            column: None,
            message,
            hint,
            asset: None,
        });
    }

    /// AR002, AR003, AR010; returns the paths whose file is present.
    fn asset_states(
        &mut self,
        manifest: &Manifest,
        judgements: Vec<Judgement>,
        tree: &Tree,
    ) -> HashSet<String> {
        let mut present = HashSet::new();
        for (entry, judgement) in manifest.assets.iter().zip(judgements) {
            let path = entry.path.as_str();
            if judgement.state.is_present() {
                present.insert(path.to_owned());
            }
            let actual = judgement.actual_sha256.as_deref().unwrap_or("");
            match judgement.state {
                State::Ok | State::LfsPointer => {}
                State::Missing => {
                    let hint = if self.staged.is_some() && self.in_work_tree(path) {
                        format!("the file is in the work tree but not staged: git add {path}")
                    } else {
                        format!("restore it (git checkout -- {path}), or remove its entry: assetrail rm {path}")
                    };
                    self.push(
                        FindingCode::MissingAsset,
                        path,
                        format!(
                            "{path} is recorded in {MANIFEST_FILE} but the file is gone{}",
                            if tree.is_index() { " from the index" } else { "" }
                        ),
                        hint,
                    );
                }
                State::Modified => {
                    let hint = self.staged_modified_hint(entry, actual).unwrap_or_else(|| {
                        format!("restore the recorded bytes (git checkout -- {path}), or record the new ones: assetrail record {path} --route ROUTE --prompt P --force")
                    });
                    self.push(
                        FindingCode::ModifiedAsset,
                        path,
                        format!("{path} changed since it was recorded (recorded sha256 {}, now {})", short(&entry.sha256), short(actual)),
                        hint,
                    );
                    self.credentials(entry, tree);
                }
                State::LfsMismatch => self.push(
                    FindingCode::LfsMismatch,
                    path,
                    format!(
                        "{path} is a Git LFS pointer to sha256 {}, but {MANIFEST_FILE} records {}",
                        short(actual),
                        short(&entry.sha256)
                    ),
                    "the LFS object is not the recorded image: fetch the right object (git lfs pull) or record the new one with --force".into(),
                ),
                State::BadPointer => self.push(
                    FindingCode::LfsMismatch,
                    path,
                    format!("{path} looks like a Git LFS pointer but has no valid `oid sha256:` line"),
                    format!("restore the pointer (git checkout -- {path}) or re-add the file with git lfs"),
                ),
            }
        }
        present
    }

    /// AR014: a changed asset recorded with Content Credentials that lost them.
    fn credentials(&mut self, entry: &ManifestEntry, tree: &Tree) {
        let Some(recorded) = &entry.c2pa else { return };
        let path = entry.path.as_str();
        let Some(bytes) = tree.read(path) else { return };
        let Ok(now) = crate::image_file::inspect_bytes(
            &bytes,
            entry.format,
            crate::image_file::Verify::Header,
        ) else {
            return;
        };
        if let Some(what) = crate::credentials::lost(recorded, now.c2pa.as_ref()) {
            self.push(
                FindingCode::CredentialsLost,
                path,
                format!("{path}: {what}"),
                format!("restore the recorded file (git checkout -- {path}) and keep C2PA data when optimising, or record the new bytes: assetrail record {path} --route ROUTE --prompt P --force"),
            );
        }
    }

    /// In `--staged` mode, the fix for staged bytes that differ from the
    /// staged record when the work tree already holds the fix.
    fn staged_modified_hint(&self, entry: &ManifestEntry, staged_sha: &str) -> Option<String> {
        let work = self.staged.as_ref()?;
        let path = entry.path.as_str();
        let cache = StatCache::empty(&self.ws.git.cache_dir());
        let work_sha = cache
            .sha256(self.ws.root(), path)
            .ok()
            .flatten()
            .map(|(s, _)| s);
        if work_sha.as_deref() == Some(entry.sha256.as_str()) {
            return Some(format!(
                "the work tree holds the recorded bytes but an older version is staged: git add {path}"
            ));
        }
        let recorded = work
            .manifest()
            .and_then(|m| m.get(path))
            .map(|e| e.sha256.as_str());
        (recorded == Some(staged_sha)).then(|| {
            format!("{MANIFEST_FILE} in the work tree records these bytes, but it is not staged: git add {MANIFEST_FILE}")
        })
    }

    /// Whether `path` is a file in the work tree.
    fn in_work_tree(&self, path: &str) -> bool {
        self.ws.abs(path).is_file()
    }

    /// AR001: images in managed folders with no entry, not allow-listed, not ignored.
    fn untracked(&mut self, manifest: &Manifest, images: &[String], tree: &Tree) {
        for image in asset_state::untracked(&self.ws.config, &self.ws.git, manifest, images, tree) {
            let staged_record = self
                .staged
                .as_ref()
                .and_then(StagedView::manifest)
                .is_some_and(|m| m.get(&image).is_some());
            let hint = if staged_record {
                format!(
                    "its entry is in {MANIFEST_FILE} in the work tree but not staged: git add {MANIFEST_FILE}"
                )
            } else {
                format!(
                    "record it: assetrail adopt {image} (hand-made) or assetrail record {image} --route ROUTE --prompt P; or allow-list it under [check] allow"
                )
            };
            self.push(
                FindingCode::UntrackedAsset,
                &image,
                format!("{image} is in a managed folder but has no provenance entry"),
                hint,
            );
        }
    }

    /// AR004: generated assets nothing references.
    fn orphans(
        &mut self,
        manifest: &Manifest,
        references: &[Reference],
        present: &HashSet<String>,
        sites: &Sites,
    ) {
        let mut used: HashSet<&str> = HashSet::new();
        let mut in_code: HashMap<&str, &Reference> = HashMap::new();
        for r in references {
            match r.status {
                RefStatus::Ok => {
                    if let Some(target) = &r.target {
                        used.insert(target);
                    }
                }
                RefStatus::Pattern => used.extend(r.matches.iter().map(String::as_str)),
                RefStatus::CodeOnly => {
                    if let Some(target) = &r.target {
                        in_code.entry(target).or_insert(r);
                    }
                }
                _ => {}
            }
        }
        for entry in &manifest.assets {
            let path = entry.path.as_str();
            let config = &self.ws.config;
            if (entry.route == RouteType::Manual && config.orphans == OrphanPolicy::Generated)
                || !present.contains(path)
                || used.contains(path)
                || sites.serves_by_convention(path)
                || config.is_allowed(path)
                || config.is_kept(path)
            {
                continue;
            }
            let (message, hint) = match in_code.get(path) {
                Some(r) => (
                    format!("{path} is referenced only inside a code sample ({}:{}:{})", r.file, r.line, r.column),
                    "a path in a code block does not use the image: reference it outside code, or delete the asset and its entry".to_owned(),
                ),
                None => (
                    format!("{path} is not referenced by any scanned file"),
                    "reference it from a page, or delete it and its entry; if a framework uses it by convention, allow-list it under [check] allow".to_owned(),
                ),
            };
            self.push(FindingCode::OrphanAsset, path, message, hint);
        }
    }

    /// AR005: references to files that do not exist (or differ in letter case).
    fn broken_references(&mut self, references: &[Reference], sites: &Sites) {
        for r in references.iter().filter(|r| r.status.is_broken()) {
            let target = r.target.clone().unwrap_or_else(|| r.raw.clone());
            let (message, hint) = match (&r.status, &r.actual) {
                (RefStatus::OutsideBase, Some(with_base)) => (
                    format!(
                        "{} lacks the site's base path: the file is {target}, but the framework does not add the base path to this attribute, so the page loads it from outside the site",
                        r.raw
                    ),
                    format!(
                        "write {with_base}, or wrap the path: {}",
                        sites.site_of(&r.file).with_base_call(&r.raw)
                    ),
                ),
                (RefStatus::CaseMismatch, Some(actual)) => (
                    format!(
                        "{} names {target}, but the file is {actual} (letter case differs; this breaks on Linux)",
                        r.raw
                    ),
                    format!("write the path exactly as the file is named: {actual}"),
                ),
                _ if self.staged.is_some() && self.in_work_tree(&target) => (
                    format!("{} is not staged (looked for {target} in the index)", r.raw),
                    format!("the image is in the work tree: stage it with git add {target}"),
                ),
                _ => (
                    format!("{} does not exist (looked for {target})", r.raw),
                    format!(
                        "fix the path, or create the image: assetrail generate --out {target} --prompt \"...\""
                    ),
                ),
            };
            let code = FindingCode::BrokenReference;
            self.findings.push(Finding {
                code,
                name: code.name(),
                severity: self.ws.config.severity_of(code),
                path: r.file.clone(),
                line: Some(r.line),
                column: Some(r.column),
                message,
                hint,
                asset: Some(target),
            });
        }
    }

    /// AR006, AR007, AR008, AR009, AR013: what the records themselves say.
    fn records(&mut self, manifest: &Manifest) {
        let shas: HashSet<&str> = manifest.assets.iter().map(|e| e.sha256.as_str()).collect();
        let ids: HashSet<&str> = manifest.assets.iter().map(|e| e.id.as_str()).collect();
        for entry in &manifest.assets {
            let path = entry.path.as_str();
            if entry.placeholder {
                self.push(
                    FindingCode::PlaceholderAsset,
                    path,
                    format!(
                        "{path} is a placeholder from the offline renderer ({})",
                        entry.prompt.as_deref().unwrap_or("no prompt")
                    ),
                    format!("replace it with a real generation: assetrail regenerate {path} --route images"),
                );
            }
            if let Some(commit) = &entry.base_commit
                && !self.ws.git.has_commit(commit)
            {
                self.push(
                    FindingCode::UnknownCommit,
                    path,
                    format!("{path} was recorded on commit {}, which is not in this repository's history", short(commit)),
                    "fetch the branch it was made on, or record the asset again on this history (--force)".into(),
                );
            }
            for parent in &entry.parents {
                let known = shas.contains(parent.sha256.as_str())
                    || parent.id.as_deref().is_some_and(|id| ids.contains(id))
                    || self.in_history(entry, &parent.path, &parent.sha256);
                if !known {
                    self.push(
                        FindingCode::DanglingParent,
                        path,
                        format!(
                            "{path} names {} parent {} (sha256 {}), which is neither in {MANIFEST_FILE} nor in history",
                            parent.role,
                            parent.path,
                            short(&parent.sha256)
                        ),
                        "commit the parent image, or record it (assetrail adopt / record) so the lineage can be followed".into(),
                    );
                }
            }
            for missing in missing_fields(entry) {
                self.push(
                    FindingCode::IncompleteRecord,
                    path,
                    format!("{path} (route {}) has no `{}`", display_route(entry), missing.field),
                    format!(
                        "record it again with {}: assetrail record {path} --route {} --prompt P ... --force",
                        missing.source,
                        entry.route_name.clone().unwrap_or_else(|| display_route(entry)),
                    ),
                );
            }
            if let Some(expected) = entry.route.credit()
                && entry.credit != expected
            {
                self.push(
                    FindingCode::CreditMismatch,
                    path,
                    format!(
                        "{path} is on route {} but billed to \"{}\"; that route bills \"{expected}\"",
                        entry.route, entry.credit
                    ),
                    format!("fix `credit` to \"{expected}\" (credit sources are never mixed), or correct the route"),
                );
            }
        }
    }

    /// A move or rename made with plain git (`git mv`, `mv`): a missing asset
    /// (AR003) whose bytes sit at an unrecorded path (AR001). Both findings
    /// then name the one command that records the move with its provenance.
    fn moves(&mut self, manifest: &Manifest, tree: &Tree) {
        let missing: Vec<&ManifestEntry> = self
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::MissingAsset)
            .filter_map(|f| manifest.get(&f.path))
            .collect();
        if missing.is_empty() {
            return;
        }
        let mut moved: Vec<(String, String)> = Vec::new();
        for f in self
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::UntrackedAsset)
        {
            let bytes = match tree {
                Tree::Work { root } => std::fs::read(root.join(&f.path)).ok(),
                Tree::Index(_) => tree.read(&f.path),
            };
            let Some(sha) = bytes.map(|b| asset_state::content_sha256(&b)) else {
                continue;
            };
            if let Some(entry) = missing.iter().find(|e| e.sha256 == sha) {
                moved.push((entry.path.clone(), f.path.clone()));
            }
        }
        for (old, new) in moved {
            let hint = format!(
                "{old} was moved to {new} (same bytes): record the move with its provenance: assetrail mv {old} {new}"
            );
            for f in &mut self.findings {
                let about = match f.code {
                    FindingCode::MissingAsset => f.path == old,
                    FindingCode::UntrackedAsset => f.path == new,
                    _ => false,
                };
                if about {
                    f.hint.clone_from(&hint);
                }
            }
        }
    }

    /// AR011: each asset the two sides of a merge recorded differently.
    fn lock_conflicts(&mut self, conflicts: &[lock_merge::Conflict]) {
        let code = FindingCode::LockConflict;
        for conflict in conflicts {
            self.findings.push(Finding {
                code,
                name: code.name(),
                severity: self.ws.config.severity_of(code),
                path: MANIFEST_FILE.to_owned(),
                line: conflict.line.map(|l| u32::try_from(l).unwrap_or(u32::MAX)),
                column: conflict.line.map(|_| 1),
                message: format!(
                    "both sides of a merge recorded {} differently ({})",
                    conflict.path,
                    conflict.describe()
                ),
                hint: lock_merge::resolve_hint(),
                asset: Some(conflict.path.clone()),
            });
        }
    }

    /// AR012: `.gitattributes` names assetrail's merge driver for the lock,
    /// but this clone's git config does not define it.
    fn merge_driver(&mut self) {
        let git = &self.ws.git;
        let attributes = std::fs::read_to_string(self.ws.abs(".gitattributes")).unwrap_or_default();
        if crate::git::names_merge_driver(&attributes, MANIFEST_FILE)
            && git
                .config_string(&format!("merge.{}.driver", crate::git::MERGE_DRIVER))
                .is_none()
        {
            self.push(
                FindingCode::MergeDriverMissing,
                ".gitattributes",
                format!("{MANIFEST_FILE} is merged by the `{}` driver, which this clone does not define: git will merge it as text", crate::git::MERGE_DRIVER),
                "run `assetrail hook install` once in this clone to set the driver up".into(),
            );
        }
    }

    /// Whether `sha256` is the content of `path` at the entry's base commit or HEAD.
    fn in_history(&self, entry: &ManifestEntry, path: &str, sha256: &str) -> bool {
        entry
            .base_commit
            .as_deref()
            .into_iter()
            .chain(["HEAD"])
            .filter_map(|rev| self.ws.git.blob_at(rev, path))
            .any(|bytes| asset_state::content_sha256(&bytes) == sha256)
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

fn display_route(entry: &ManifestEntry) -> String {
    if entry.route.is_missing() {
        "?".to_owned()
    } else {
        entry.route.to_string()
    }
}

/// A field an entry's route requires, and how `record` supplies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequiredField {
    /// The field in `assets.lock`.
    pub field: &'static str,
    /// What supplies it on `assetrail record`.
    pub source: &'static str,
}

const fn required(field: &'static str, source: &'static str) -> RequiredField {
    RequiredField { field, source }
}

/// Fields the entry's route requires that it lacks (AR008).
pub fn missing_fields(entry: &ManifestEntry) -> Vec<RequiredField> {
    let mut missing = Vec::new();
    if entry.sha256.is_empty() {
        missing.push(required("sha256", "the file's bytes"));
    }
    if entry.credit.is_missing() {
        missing.push(required("credit", "the route's `credit`"));
    }
    missing.extend(missing_route_fields(entry));
    missing
}

/// The fields [`missing_fields`] requires because of the entry's route (what
/// `record` must be given before it writes an entry).
pub fn missing_route_fields(entry: &ManifestEntry) -> Vec<RequiredField> {
    let mut missing = Vec::new();
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    match entry.route.route_type() {
        None => missing.push(required("route", "--route")),
        Some(RouteType::Images | RouteType::Responses | RouteType::Gateway) => {
            if blank(&entry.request_id) {
                missing.push(required("request_id", "--request-id"));
            }
            if blank(&entry.model) {
                missing.push(required("model", "--model"));
            }
            if blank(&entry.prompt) {
                missing.push(required("prompt", "--prompt"));
            }
            if entry.route.is(RouteType::Gateway) && blank(&entry.provider) {
                missing.push(required(
                    "provider",
                    "`provider` in the route's table in assets.toml",
                ));
            }
        }
        Some(RouteType::Codex) => {
            if blank(&entry.source_path) && blank(&entry.thread_id) {
                missing.push(required(
                    "source_path or thread_id",
                    "--source or --thread-id",
                ));
            }
        }
        Some(RouteType::Local | RouteType::Manual) => {}
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_per_route() {
        let mut entry = ManifestEntry {
            route: "images".into(),
            credit: "openai-api".into(),
            sha256: "ab".into(),
            prompt: Some("p".into()),
            ..ManifestEntry::default()
        };
        let fields = |entry: &ManifestEntry| {
            missing_fields(entry)
                .into_iter()
                .map(|m| m.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(&entry), ["request_id", "model"]);
        assert_eq!(missing_fields(&entry)[0].source, "--request-id");
        entry.route = "gateway.acme".into();
        assert_eq!(fields(&entry), ["request_id", "model", "provider"]);
        entry.route = "codex".into();
        assert_eq!(fields(&entry), ["source_path or thread_id"]);
        entry.route = "local".into();
        assert!(missing_fields(&entry).is_empty());
        entry.route = "bogus".into();
        assert_eq!(fields(&entry), ["route"]);
    }
}

//! The gate in everyday git: every form of `git commit` through a real
//! installed hook, linked worktrees, `core.hooksPath`, a hook whose binary is
//! gone, hints that name `git add` when the fix is staging, and `status` and
//! `check` agreeing on every state an asset can be in.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ASSET, PAGE, Repo, Run, clean_repo, codes, findings, png, sha256};

/// A `PATH` with git and the shell but not the folder of the assetrail under
/// test: what a GUI git client or a fresh login shell often has.
fn minimal_path() -> String {
    let git_dir = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|dir| dir.join("git").is_file()))
        .expect("git is on PATH");
    format!("{}:/usr/bin:/bin", git_dir.display())
}

/// `git ARGS` in `dir` with the minimal `PATH`, as a user's commit runs.
fn git_commit(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new("git");
    common::clear_git_env(&mut cmd);
    cmd.args([
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t.invalid",
        "-c",
        "commit.gpgsign=false",
    ])
    .args(args)
    .current_dir(dir)
    .env("PATH", minimal_path());
    cmd.output().expect("git runs").into()
}

fn head(dir: &Path) -> String {
    common::git_in(dir, &["rev-parse", "HEAD"])
}

/// Asserts that `args` is refused by the hook with `code`, and that HEAD did not move.
#[track_caller]
fn refused(dir: &Path, args: &[&str], code: &str) {
    let before = head(dir);
    let run = git_commit(dir, args);
    assert_ne!(
        run.code, 0,
        "git {args:?}: the hook let a tampered image through\n{}{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(code) || run.stdout.contains(code),
        "git {args:?} should report {code}:\n{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(head(dir), before, "git {args:?} moved HEAD");
}

#[track_caller]
fn accepted(dir: &Path, args: &[&str]) {
    let run = git_commit(dir, args);
    assert_eq!(
        run.code, 0,
        "git {args:?} should pass the hook:\n{}{}",
        run.stdout, run.stderr
    );
}

#[test]
fn every_commit_form_is_judged_by_the_hook() {
    let repo = clean_repo();
    repo.run(&["hook", "install"]).success();
    let dir = repo.path();

    // Content-only changes pass, whichever way they are committed.
    repo.write(PAGE, "# A page\n\n![a](/images/a.png)\n\nMore.\n");
    accepted(dir, &["commit", "-qam", "text"]);

    // A tampered image, unstaged: each form that stages it on the way must refuse.
    repo.write(ASSET, png(99));
    refused(dir, &["commit", "-qam", "tampered"], "AR002");
    refused(dir, &["commit", "-qm", "tampered", ASSET], "AR002");
    refused(
        dir,
        &["commit", "-qm", "tampered", "--only", ASSET],
        "AR002",
    );
    refused(
        dir,
        &["commit", "-q", "--amend", "-a", "--no-edit"],
        "AR002",
    );
    // A form that does not stage it commits only what is staged (nothing of it).
    repo.write(PAGE, "# A page\n\n![a](/images/a.png)\n\nEven more.\n");
    common::git_in(dir, &["add", PAGE]);
    accepted(dir, &["commit", "-qm", "page only"]);
    // Staged by hand, then a plain commit.
    common::git_in(dir, &["add", ASSET]);
    refused(dir, &["commit", "-qm", "tampered"], "AR002");
    common::git_in(dir, &["reset", "-q", "--hard"]);

    // `commit PATH` judges the temporary index, not `.git/index`: a page staged
    // in `.git/index` with a broken reference is not part of `commit ASSET`.
    repo.write(PAGE, "![gone](/images/gone.png)\n");
    common::git_in(dir, &["add", PAGE]);
    refused(dir, &["commit", "-qm", "broken"], "AR005");
    repo.write("content/other.md", "no images\n");
    common::git_in(dir, &["add", "content/other.md"]);
    repo.write("content/other.md", "still no images\n");
    accepted(
        dir,
        &["commit", "-qm", "other only", "--only", "content/other.md"],
    );
}

#[test]
fn linked_worktrees_and_hooks_path_are_honoured() {
    let repo = clean_repo();
    let dir = repo.path();

    // core.hooksPath: the hook goes where git will look, and runs.
    common::git_in(dir, &["config", "core.hooksPath", ".githooks"]);
    let run = repo.run(&["hook", "install"]);
    run.success();
    assert!(
        run.stdout.contains(".githooks/pre-commit"),
        "{}",
        run.stdout
    );
    repo.write(ASSET, png(98));
    refused(dir, &["commit", "-qam", "tampered"], "AR002");
    common::git_in(dir, &["reset", "-q", "--hard"]);
    common::git_in(dir, &["config", "--unset", "core.hooksPath"]);
    repo.run(&["hook", "install"]).success();

    // A linked worktree: git runs the main repository's hook with GIT_DIR set
    // to the worktree's own git folder and its own index.
    let linked = tempfile::tempdir().unwrap();
    let wt = linked.path().join("wt");
    common::git_in(
        dir,
        &["worktree", "add", "-q", wt.to_str().unwrap(), "-b", "side"],
    );
    std::fs::write(wt.join(ASSET), png(97)).unwrap();
    refused(&wt, &["commit", "-qam", "tampered in a worktree"], "AR002");
    std::fs::write(wt.join(PAGE), "# A page\n\n![a](/images/a.png)\n\nwt\n").unwrap();
    common::git_in(&wt, &["checkout", "-q", "--", ASSET]);
    accepted(&wt, &["commit", "-qam", "text in a worktree"]);
}

#[test]
fn the_hook_finds_its_binary_or_says_how_to_fix_it() {
    let repo = clean_repo();
    repo.run(&["hook", "install"]).success();
    let hook_path = repo.path().join(".git/hooks/pre-commit");
    let hook = std::fs::read_to_string(&hook_path).unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_assetrail"));
    assert!(
        hook.contains(&*binary.to_string_lossy()),
        "the hook records the binary that installed it:\n{hook}"
    );
    // The minimal PATH lacks the binary: the recorded path is what runs.
    repo.write(ASSET, png(96));
    refused(repo.path(), &["commit", "-qam", "tampered"], "AR002");
    common::git_in(repo.path(), &["checkout", "-q", "--", ASSET]);

    // The recorded binary is gone and none is on PATH: the hook says so.
    std::fs::write(
        &hook_path,
        hook.replace(&*binary.to_string_lossy(), "/nonexistent/assetrail"),
    )
    .unwrap();
    repo.write(PAGE, "# A page\n\n![a](/images/a.png)\n\nmore\n");
    let run = git_commit(repo.path(), &["commit", "-qam", "text"]);
    assert_ne!(run.code, 0, "a hook that cannot run must not pass");
    assert!(
        run.stderr.contains("/nonexistent/assetrail")
            && run.stderr.contains("assetrail hook install --force")
            && run.stderr.contains("--no-verify"),
        "says what happened and how to fix it:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not found\n"), "{}", run.stderr);

    // Installing again records the current binary: the stale hook is updated.
    let run = repo.run(&["hook", "install"]);
    run.success();
    assert!(run.stdout.contains("updated"), "{}", run.stdout);
    accepted(repo.path(), &["commit", "-qam", "text"]);
}

#[test]
fn staged_mode_reads_the_staged_lock_not_the_work_tree_one() {
    let repo = clean_repo();
    let committed_lock = repo.read("assets.lock");
    repo.run(&[
        "generate",
        "--prompt",
        "a second image",
        "--size",
        "1024x1024",
        "--quality",
        "low",
        "--out",
        "public/images/b.png",
    ])
    .success();
    repo.write(PAGE, "![a](/images/a.png)\n![b](/images/b.png)\n");
    let new_lock = repo.read("assets.lock");

    // Everything staged, then the work-tree lock put back to the old one:
    // the commit records the new lock, and the verdict must follow it.
    repo.git(&["add", "-A"]);
    repo.write("assets.lock", &committed_lock);
    let (code, found) = findings(&repo, &["--staged"]);
    assert_eq!((code, codes(&found)), (0, vec![]), "{found:#?}");
    let (_, worktree) = findings(&repo, &[]);
    assert_eq!(
        codes(&worktree),
        [("AR001".to_owned(), "public/images/b.png".to_owned())]
    );

    // The reverse: the work-tree lock has the entry, the staged one does not.
    repo.git(&["add", "assets.lock"]);
    repo.write("assets.lock", &new_lock);
    let (code, found) = findings(&repo, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&found),
        [("AR001".to_owned(), "public/images/b.png".to_owned())]
    );
    assert_eq!(
        found[0]["hint"].as_str().unwrap(),
        "its entry is in assets.lock in the work tree but not staged: git add assets.lock"
    );
    assert!(findings(&repo, &[]).1.is_empty());
}

#[test]
fn staged_hints_name_git_add() {
    let repo = clean_repo();
    // A page staged without the new image it uses.
    repo.run(&[
        "generate",
        "--prompt",
        "new",
        "--size",
        "1024x1024",
        "--quality",
        "low",
        "--out",
        "public/images/new.png",
    ])
    .success();
    repo.write(PAGE, "![a](/images/a.png)\n![n](/images/new.png)\n");
    repo.git(&["add", PAGE, "assets.lock"]);
    let (_, found) = findings(&repo, &["--staged"]);
    let broken = found
        .iter()
        .find(|f| f["code"] == "AR005")
        .expect("the unstaged image is a broken reference in the commit");
    assert_eq!(
        broken["hint"].as_str().unwrap(),
        "the image is in the work tree: stage it with git add public/images/new.png"
    );
    let missing = found
        .iter()
        .find(|f| f["code"] == "AR003")
        .expect("its staged entry has no staged file");
    assert!(
        missing["hint"]
            .as_str()
            .unwrap()
            .contains("git add public/images/new.png"),
        "{missing}"
    );

    // Restaged bytes that the work tree already fixed.
    repo.git(&["add", "public/images/new.png"]);
    let good = repo.read(ASSET);
    repo.write(ASSET, png(3));
    repo.git(&["add", ASSET]);
    repo.write(ASSET, &good);
    let (_, found) = findings(&repo, &["--staged"]);
    assert_eq!(codes(&found), [("AR002".to_owned(), ASSET.to_owned())]);
    assert_eq!(
        found[0]["hint"].as_str().unwrap(),
        format!(
            "the work tree holds the recorded bytes but an older version is staged: git add {ASSET}"
        )
    );
    // Outside --staged the hints stay the work tree's own.
    std::fs::remove_file(repo.path().join("public/images/new.png")).unwrap();
    let (_, found) = findings(&repo, &[]);
    let missing = found.iter().find(|f| f["code"] == "AR003").unwrap();
    assert!(
        !missing["hint"].as_str().unwrap().contains("git add"),
        "{missing}"
    );
}

fn lfs_pointer(sha: &str, size: usize) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {size}\n")
}

#[test]
fn status_and_check_agree_on_every_state() {
    // (what to do to a committed one-asset repository, status's state for the
    // asset or "untracked" for public/images/extra.png, check's finding codes)
    type Setup = fn(&Repo);
    let cases: [(&str, Setup, &str, &[&str]); 9] = [
        ("unchanged", |_| {}, "ok", &[]),
        (
            "bytes changed",
            |r| r.write(ASSET, png(50)),
            "modified",
            &["AR002"],
        ),
        (
            "file deleted",
            |r| std::fs::remove_file(r.path().join(ASSET)).unwrap(),
            "missing",
            &["AR003", "AR005"],
        ),
        (
            "replaced by its LFS pointer",
            |r| {
                let bytes = r.read(ASSET);
                r.write(ASSET, lfs_pointer(&sha256(&bytes), bytes.len()));
            },
            "lfs-pointer",
            &[],
        ),
        (
            "an LFS pointer to other content",
            |r| r.write(ASSET, lfs_pointer(&"ab".repeat(32), 10)),
            "lfs-mismatch",
            &["AR010"],
        ),
        (
            "a broken LFS pointer",
            |r| {
                r.write(
                    ASSET,
                    "version https://git-lfs.github.com/spec/v1\nsize 3\n",
                )
            },
            "bad-pointer",
            &["AR010"],
        ),
        (
            "an unrecorded image",
            |r| r.write("public/images/extra.png", png(51)),
            "untracked",
            &["AR001"],
        ),
        (
            "an unrecorded image .gitignore hides",
            |r| {
                r.write(".gitignore", "public/images/extra.png\n");
                r.write("public/images/extra.png", png(52));
            },
            "",
            &[],
        ),
        (
            "an unrecorded image .gitignore hides but git tracks",
            |r| {
                r.write("public/images/extra.png", png(53));
                r.git(&["add", "public/images/extra.png"]);
                r.write(".gitignore", "public/images/extra.png\n");
            },
            "untracked",
            &["AR001"],
        ),
    ];
    for (name, setup, state, expected) in cases {
        let repo = clean_repo();
        setup(&repo);
        let status = repo.run(&["status", "--format", "json"]);
        status.success();
        let status = status.json();
        let untracked: Vec<&str> = status["untracked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let seen = if untracked.contains(&"public/images/extra.png") {
            "untracked"
        } else if state.is_empty() {
            ""
        } else {
            status["assets"][0]["state"].as_str().unwrap()
        };
        assert_eq!(seen, state, "{name}: status says {status:#}");
        let (_, found) = findings(&repo, &[]);
        let mut got: Vec<String> = codes(&found).into_iter().map(|(c, _)| c).collect();
        got.sort();
        assert_eq!(got, expected, "{name}: check found {found:#?}");
        let ok = state.is_empty() || state == "ok" || state == "lfs-pointer";
        assert_eq!(
            ok,
            expected.is_empty(),
            "{name}: status and check must agree on whether it is fine"
        );
    }
}

#[test]
fn paths_are_taken_as_git_takes_them() {
    let repo = clean_repo();
    let in_content = |args: &[&str]| -> Run {
        repo.command()
            .current_dir(repo.path().join("content"))
            .args(args)
            .output()
            .unwrap()
            .into()
    };
    // From a subfolder: `..` within the repository, and `:/` from its root.
    for path in [
        "../public/images/a.png",
        ":/public/images/a.png",
        ":/public",
    ] {
        in_content(&["check", path]).success();
    }
    for path in ["../public/images/a.png", ":/public/images/a.png"] {
        let shown = in_content(&["show", path, "--format", "json"]);
        shown.success();
        assert_eq!(shown.json()["asset"]["path"], ASSET);
    }
    in_content(&["refs", ":/content", "--format", "json"]).success();
    in_content(&[
        "generate",
        "--prompt",
        "from a subfolder",
        "--size",
        "1024x1024",
        "--out",
        "../public/images/c.png",
    ])
    .success();
    assert!(repo.path().join("public/images/c.png").is_file());

    // Leaving the repository is refused; a path naming nothing is exit 2, named.
    let out = in_content(&["generate", "--prompt", "x", "--out", "../../c.png"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("leaves the repository"),
        "{}",
        out.stderr
    );
    for args in [&["check", "typo/path"][..], &["refs", "typo/path"]] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("typo/path: matches no file or folder"),
            "{}",
            run.stderr
        );
    }
    // A recorded asset whose file is gone can still be named.
    std::fs::remove_file(repo.path().join(ASSET)).unwrap();
    let (code, found) = findings(&repo, &[ASSET]);
    assert_eq!(code, 1);
    assert!(codes(&found).contains(&("AR003".to_owned(), ASSET.to_owned())));
}

#[test]
fn incomplete_records_name_the_flag_that_completes_them() {
    let repo = clean_repo();
    let text = String::from_utf8(repo.read("assets.lock")).unwrap();
    repo.write(
        "assets.lock",
        text.replacen("route = \"local\"", "route = \"images\"", 1)
            .replacen("credit = \"none\"", "credit = \"openai-api\"", 1),
    );
    let (_, found) = findings(&repo, &[]);
    let hints: Vec<&str> = found
        .iter()
        .filter(|f| f["code"] == "AR008")
        .map(|f| f["hint"].as_str().unwrap())
        .collect();
    assert!(
        hints
            .iter()
            .any(|h| h.starts_with("record it again with --request-id:")),
        "{hints:?}"
    );
    assert!(
        hints
            .iter()
            .any(|h| h.starts_with("record it again with --model:")),
        "{hints:?}"
    );
}

#[test]
fn mv_moves_file_entry_and_references_byte_exactly() {
    let repo = clean_repo();
    let page = "# A page\n\nSome text.\n\n![a](/images/a.png)\n";
    assert_eq!(repo.read(PAGE), page.as_bytes());
    let mdx =
        "import x from 'y'\n\n<img src=\"../public/images/a.png?v=2\" alt=\"a\" />  trailing  \n";
    repo.write("content/b.mdx", mdx);
    repo.write(
        "src/gallery.tsx",
        "const all = import.meta.glob('/public/images/*.png');\nexport default all;\n",
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "more pages"]);
    let before = repo.entry(ASSET);

    // --dry-run: the diff, and nothing written.
    let snapshot = repo.snapshot();
    let dry = repo.run(&["mv", "--dry-run", ASSET, "public/images/sub/b.png"]);
    dry.success();
    assert!(
        dry.stdout
            .contains("-![a](/images/a.png)\n+![a](/images/sub/b.png)"),
        "{}",
        dry.stdout
    );
    assert_eq!(repo.snapshot(), snapshot, "--dry-run wrote something");

    let run = repo.run(&["mv", ASSET, "public/images/sub/b.png", "--format", "json"]);
    run.success();
    let json = run.json();
    assert_eq!(json["rewritten"].as_array().unwrap().len(), 2, "{json:#}");
    let left = json["left"].as_array().unwrap();
    assert_eq!(left.len(), 1, "the glob is named and left: {json:#}");
    assert_eq!(left[0]["path"], "src/gallery.tsx");

    assert!(!repo.path().join(ASSET).exists());
    assert_eq!(
        repo.read(PAGE),
        page.replace("/images/a.png", "/images/sub/b.png")
            .as_bytes()
    );
    assert_eq!(
        repo.read("content/b.mdx"),
        mdx.replace("../public/images/a.png", "../public/images/sub/b.png")
            .as_bytes(),
        "only the path changes, query string and spacing kept"
    );
    let after = repo.entry("public/images/sub/b.png");
    for field in ["id", "sha256", "prompt", "route", "credit", "created_at"] {
        assert_eq!(after[field], before[field], "{field} kept");
    }
    assert_eq!(after["moved_from"][0]["path"].as_str(), Some(ASSET));
    assert!(findings(&repo, &[]).1.is_empty());
}

#[test]
fn a_plain_git_mv_is_recognised_and_recorded() {
    let repo = clean_repo();
    repo.git(&["mv", ASSET, "public/images/c.png"]);
    let (_, found) = findings(&repo, &[]);
    let hint = format!("assetrail mv {ASSET} public/images/c.png");
    for code in ["AR003", "AR001"] {
        let f = found.iter().find(|f| f["code"] == code).unwrap();
        assert!(f["hint"].as_str().unwrap().ends_with(&hint), "{f}");
    }
    // Staged, the same.
    let (_, staged) = findings(&repo, &["--staged"]);
    assert!(
        staged
            .iter()
            .any(|f| f["code"] == "AR001" && f["hint"].as_str().unwrap().ends_with(&hint))
    );

    let run = repo.run(&["mv", ASSET, "public/images/c.png", "--format", "json"]);
    run.success();
    assert_eq!(run.json()["already_moved"], true);
    assert_eq!(
        String::from_utf8(repo.read(PAGE)).unwrap(),
        "# A page\n\nSome text.\n\n![a](/images/c.png)\n"
    );
    assert!(findings(&repo, &[]).1.is_empty());
}

#[test]
fn rm_removes_file_and_entry_and_names_what_still_uses_it() {
    let repo = clean_repo();
    let run = repo.run(&["rm", ASSET, "--format", "json"]);
    run.success();
    let json = run.json();
    assert_eq!(json["deleted"][0], ASSET);
    assert_eq!(json["still_referenced"][0]["path"], PAGE);
    assert_eq!(json["still_referenced"][0]["line"], 5);
    assert!(!repo.path().join(ASSET).exists());
    assert!(repo.entries().is_empty());
    let (_, found) = findings(&repo, &[]);
    assert_eq!(codes(&found), [("AR005".to_owned(), PAGE.to_owned())]);

    // --keep-file leaves the file; a path with no entry is refused.
    let repo = clean_repo();
    repo.run(&["rm", "--keep-file", ASSET]).success();
    assert!(repo.path().join(ASSET).is_file());
    assert!(repo.entries().is_empty());
    let again = repo.run(&["rm", ASSET]);
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("no asset recorded"),
        "{}",
        again.stderr
    );

    // A file deleted by hand: the hint is the command that drops its entry.
    let repo = clean_repo();
    std::fs::remove_file(repo.path().join(ASSET)).unwrap();
    let (_, found) = findings(&repo, &[]);
    let missing = found.iter().find(|f| f["code"] == "AR003").unwrap();
    assert!(
        missing["hint"]
            .as_str()
            .unwrap()
            .contains(&format!("assetrail rm {ASSET}")),
        "{missing}"
    );
    repo.run(&["rm", ASSET]).success();
    let (_, found) = findings(&repo, &[]);
    assert_eq!(codes(&found), [("AR005".to_owned(), PAGE.to_owned())]);
}

#[test]
fn temp_files_of_a_killed_run_are_hidden_reported_and_swept() {
    let repo = clean_repo();
    let stale = "public/images/.assetrail-killed.tmp";
    let fresh = "public/images/.assetrail-running.tmp";
    repo.write(stale, "half an image");
    repo.write(fresh, "a write in progress");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(repo.path().join(stale))
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    // git does not show them (init listed the pattern in .git/info/exclude).
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    let status = repo.run(&["status", "--format", "json"]);
    status.success();
    let json = status.json();
    let temp: Vec<(&str, bool)> = json["temp_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["path"].as_str().unwrap(), t["removed"].as_bool().unwrap()))
        .collect();
    assert_eq!(temp, [(stale, true), (fresh, false)]);
    assert!(!repo.path().join(stale).exists(), "the stale one is swept");
    assert!(
        repo.path().join(fresh).exists(),
        "a live write is left alone"
    );
}

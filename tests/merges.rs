//! `assets.lock` merges like data: git's merge, rebase and cherry-pick run the
//! real `assetrail merge-lock` driver that `init` sets up; a true conflict is
//! named entry by entry and settled with `merge-lock --resolve`; a lock git
//! merged as text is recognised too.

mod common;

use common::{Repo, Run, codes, findings, png};

/// A committed repository set up by `init` (merge driver included) on `main`.
fn repo() -> Repo {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    repo.write("content/index.md", "# Home\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "init"]);
    repo
}

/// On a new branch from `from`: `count` hand-made images under
/// `public/images/NAME/`, adopted and committed.
fn branch_with_assets(repo: &Repo, from: &str, name: &str, count: u8, seed: u8) {
    repo.git(&["checkout", "-q", "-b", name, from]);
    for i in 0..count {
        repo.write(
            &format!("public/images/{name}/{i}.png"),
            png(seed.wrapping_add(i)),
        );
    }
    repo.run(&["adopt", &format!("public/images/{name}")])
        .success();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", name]);
}

fn entry_paths(repo: &Repo) -> Vec<String> {
    repo.entries()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect()
}

fn git_may_fail(repo: &Repo, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new("git");
    common::clear_git_env(&mut cmd);
    cmd.args(["-c", "user.name=t", "-c", "user.email=t@t.invalid"])
        .args(args)
        .current_dir(repo.path())
        .output()
        .unwrap()
        .into()
}

#[test]
fn init_sets_up_the_driver_and_a_clone_without_it_is_told() {
    let repo = repo();
    assert!(
        String::from_utf8(repo.read(".gitattributes"))
            .unwrap()
            .contains("assets.lock merge=assetrail")
    );
    let driver = repo.git(&["config", "merge.assetrail.driver"]);
    assert!(driver.contains("merge-lock %O %A %B"), "{driver}");
    assert!(
        String::from_utf8(repo.read(".git/info/exclude"))
            .unwrap()
            .contains(".assetrail-*.tmp")
    );
    assert!(findings(&repo, &[]).1.is_empty());

    // A fresh clone has the attributes but not the local config.
    repo.git(&["config", "--remove-section", "merge.assetrail"]);
    let (code, found) = findings(&repo, &[]);
    assert_eq!(code, 0, "a missing driver warns, it does not fail the gate");
    assert_eq!(
        codes(&found),
        [("AR012".to_owned(), ".gitattributes".to_owned())]
    );
    assert!(
        found[0]["hint"]
            .as_str()
            .unwrap()
            .contains("assetrail hook install")
    );
    repo.run(&["hook", "install"]).success();
    assert!(findings(&repo, &[]).1.is_empty());
}

#[test]
fn fifty_assets_per_branch_merge_rebase_and_cherry_pick_cleanly() {
    let repo = repo();
    branch_with_assets(&repo, "main", "left", 50, 0);
    branch_with_assets(&repo, "main", "right", 50, 100);

    // Merge.
    repo.git(&["checkout", "-q", "left"]);
    repo.git(&["checkout", "-q", "-b", "merged"]);
    let merge = git_may_fail(&repo, &["merge", "-q", "--no-edit", "right"]);
    assert_eq!(merge.code, 0, "{}{}", merge.stdout, merge.stderr);
    let paths = entry_paths(&repo);
    assert_eq!(paths.len(), 100);
    assert!(paths.windows(2).all(|w| w[0] < w[1]), "sorted by path");
    let (code, found) = findings(&repo, &[]);
    assert_eq!((code, codes(&found)), (0, vec![]));

    // Rebase.
    repo.git(&["checkout", "-q", "-b", "rebased", "right"]);
    let rebase = git_may_fail(&repo, &["rebase", "-q", "left"]);
    assert_eq!(rebase.code, 0, "{}{}", rebase.stdout, rebase.stderr);
    assert_eq!(entry_paths(&repo).len(), 100);
    assert!(findings(&repo, &[]).1.is_empty());

    // Cherry-pick.
    repo.git(&["checkout", "-q", "-b", "picked", "left"]);
    let pick = git_may_fail(&repo, &["cherry-pick", "right"]);
    assert_eq!(pick.code, 0, "{}{}", pick.stdout, pick.stderr);
    assert_eq!(entry_paths(&repo).len(), 100);
    assert!(findings(&repo, &[]).1.is_empty());

    // A removal on one side and an addition on the other both survive.
    repo.git(&["checkout", "-q", "-b", "removal", "merged"]);
    repo.run(&["rm", "public/images/left/0.png"]).success();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "remove one"]);
    branch_with_assets(&repo, "merged", "more", 1, 200);
    repo.git(&["checkout", "-q", "removal"]);
    let merge = git_may_fail(&repo, &["merge", "-q", "--no-edit", "more"]);
    assert_eq!(merge.code, 0, "{}{}", merge.stdout, merge.stderr);
    let paths = entry_paths(&repo);
    assert_eq!(paths.len(), 100);
    assert!(!paths.contains(&"public/images/left/0.png".to_owned()));
    assert!(paths.contains(&"public/images/more/0.png".to_owned()));
}

#[test]
fn a_true_conflict_is_named_entry_by_entry_and_settled() {
    let repo = repo();
    // Both branches add the same path with different bytes.
    branch_with_assets(&repo, "main", "a", 1, 10);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "b"]);
    repo.write("public/images/a/0.png", png(77));
    repo.write("public/images/b.png", png(78));
    repo.run(&["adopt", "public/images"]).success();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "b"]);

    let merge = git_may_fail(&repo, &["merge", "-q", "--no-edit", "a"]);
    assert_ne!(merge.code, 0, "the image itself conflicts");
    let lock = String::from_utf8(repo.read("assets.lock")).unwrap();
    assert!(lock.contains("<<<<<<< ours"), "{lock}");
    assert_eq!(
        lock.matches("<<<<<<<").count(),
        1,
        "one conflict, one entry:\n{lock}"
    );

    // check names it, at the marker's line; other commands refuse, naming it.
    let (code, found) = findings(&repo, &[]);
    assert_eq!(code, 1);
    let conflict = found.iter().find(|f| f["code"] == "AR011").expect("AR011");
    assert_eq!(conflict["path"], "assets.lock");
    assert_eq!(conflict["asset"], "public/images/a/0.png");
    let marker_line = lock.lines().position(|l| l.starts_with("<<<<<<<")).unwrap() + 1;
    assert_eq!(conflict["line"], marker_line);
    assert!(
        conflict["hint"]
            .as_str()
            .unwrap()
            .contains("assetrail merge-lock --resolve")
    );
    let status = repo.run(&["status"]);
    assert_eq!(status.code, 2);
    assert!(
        status.stderr.contains("public/images/a/0.png")
            && status
                .stderr
                .contains(&format!("assets.lock:{marker_line}")),
        "{}",
        status.stderr
    );

    // Keep their image; --resolve takes the entry that matches it.
    repo.git(&["checkout", "--theirs", "public/images/a/0.png"]);
    let settled = repo.run(&["merge-lock", "--resolve"]);
    settled.success();
    assert!(
        settled.stdout.contains("git add assets.lock"),
        "{}",
        settled.stdout
    );
    assert!(findings(&repo, &[]).1.is_empty());
    assert_eq!(
        repo.entry("public/images/a/0.png")["sha256"]
            .as_str()
            .unwrap(),
        common::sha256(&repo.read("public/images/a/0.png"))
    );
    assert_eq!(entry_paths(&repo).len(), 2);
}

#[test]
fn a_lock_git_merged_as_text_is_recognised_and_settled() {
    let repo = repo();
    branch_with_assets(&repo, "main", "left", 3, 0);
    branch_with_assets(&repo, "main", "right", 3, 50);
    // No driver: git merges assets.lock as text and conflicts.
    repo.git(&["config", "--remove-section", "merge.assetrail"]);
    repo.git(&["checkout", "-q", "left"]);
    let merge = git_may_fail(&repo, &["merge", "-q", "--no-edit", "right"]);
    assert_ne!(merge.code, 0);
    assert!(
        String::from_utf8(repo.read("assets.lock"))
            .unwrap()
            .contains("<<<<<<<")
    );

    let status = repo.run(&["status"]);
    assert_eq!(status.code, 2);
    assert!(
        status.stderr.contains("merge conflicts")
            && status.stderr.contains("assetrail merge-lock --resolve"),
        "{}",
        status.stderr
    );
    // --resolve merges git's three stages by asset: nothing really conflicts.
    repo.run(&["merge-lock", "--resolve"]).success();
    assert_eq!(entry_paths(&repo).len(), 6);
    repo.git(&["add", "assets.lock"]);
    repo.git(&["commit", "-qm", "merged"]);
    let (code, found) = findings(&repo, &[]);
    assert_eq!(
        (code, codes(&found)),
        (0, vec![("AR012".to_owned(), ".gitattributes".to_owned())])
    );
}

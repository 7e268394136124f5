//! `assetrail check`: one real repository per finding code, the work tree and
//! the index, every output format, and the hooks that run it.

mod common;

use common::{ASSET, PAGE, Repo, clean_repo, codes, findings, png, sha256, uncommitted_repo};

fn edit_lock(repo: &Repo, from: &str, to: &str) {
    let text = String::from_utf8(repo.read("assets.lock")).unwrap();
    assert!(text.contains(from), "assets.lock has no {from:?}");
    repo.write("assets.lock", text.replacen(from, to, 1));
}

fn lfs_pointer(sha: &str, size: usize) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {size}\n")
}

#[test]
fn a_clean_repository_passes() {
    let repo = clean_repo();
    let (code, found) = findings(&repo, &[]);
    assert_eq!((code, found.len()), (0, 0), "{found:?}");
    let (code, found) = findings(&repo, &["--staged"]);
    assert_eq!((code, found.len()), (0, 0), "{found:?}");
    let text = repo.run(&["check"]);
    assert_eq!(text.code, 0);
    assert!(
        text.stdout
            .starts_with("check passed (worktree): 0 errors, 0 warnings; 1 assets"),
        "{}",
        text.stdout
    );
}

type Setup = fn(&Repo);

/// Name, setup, expected code, its path, its line (when a source file is
/// involved), and the exit status.
type Case = (
    &'static str,
    Setup,
    &'static str,
    &'static str,
    Option<u32>,
    i32,
);

#[test]
fn each_finding_code_in_its_own_repository() {
    let cases: &[Case] = &[
        (
            "AR001",
            |r| r.write("public/images/extra.png", png(1)),
            "AR001",
            "public/images/extra.png",
            None,
            1,
        ),
        ("AR002", |r| r.write(ASSET, png(2)), "AR002", ASSET, None, 1),
        (
            "AR003",
            |r| std::fs::remove_file(r.path().join(ASSET)).unwrap(),
            "AR003",
            ASSET,
            None,
            1,
        ),
        (
            "AR004",
            |r| r.write(PAGE, "# A page\n\nNo image any more.\n"),
            "AR004",
            ASSET,
            None,
            0,
        ),
        (
            "AR005",
            |r| r.write("content/b.md", "# B\n\n![gone](/images/gone.png)\n"),
            "AR005",
            "content/b.md",
            Some(3),
            1,
        ),
        (
            "AR006",
            |r| {
                edit_lock(
                    r,
                    "git_blob = ",
                    "base_commit = \"0000000000000000000000000000000000000001\"\ngit_blob = ",
                )
            },
            "AR006",
            ASSET,
            None,
            0,
        ),
        (
            "AR007",
            |r| {
                let text = String::from_utf8(r.read("assets.lock")).unwrap();
                let extra = format!(
                    "\n[[asset.parents]]\npath = \"public/images/source.png\"\nsha256 = \"{}\"\nrole = \"input\"\n",
                    "ab".repeat(32)
                );
                r.write("assets.lock", text + &extra);
            },
            "AR007",
            ASSET,
            None,
            0,
        ),
        (
            "AR008",
            |r| {
                r.write("public/images/api.png", png(3));
                let record = [
                    "record",
                    "public/images/api.png",
                    "--route",
                    "images",
                    "--prompt",
                    "made on the API",
                ];
                // `record` refuses to write what check would reject, naming the flag…
                let refused = r.run(&record);
                assert_eq!(refused.code, 1);
                assert!(
                    refused.stderr.contains("--request-id"),
                    "{}",
                    refused.stderr
                );
                // …so the incomplete entry is one edited by hand.
                let mut complete = record.to_vec();
                complete.extend(["--request-id", "req_hand_edited"]);
                r.run(&complete).success();
                edit_lock(r, "request_id = \"req_hand_edited\"\n", "");
                r.write("content/api.md", "![api](/images/api.png)\n");
            },
            "AR008",
            "public/images/api.png",
            None,
            1,
        ),
        (
            "AR009",
            |r| edit_lock(r, "credit = \"none\"", "credit = \"openai-api\""),
            "AR009",
            ASSET,
            None,
            1,
        ),
        (
            "AR010",
            |r| r.write(ASSET, lfs_pointer(&"cd".repeat(32), 1234)),
            "AR010",
            ASSET,
            None,
            1,
        ),
    ];
    for (name, setup, code, path, line, exit) in cases {
        let repo = clean_repo();
        setup(&repo);
        let (status, found) = findings(&repo, &[]);
        let hit = found
            .iter()
            .find(|f| f["code"] == *code && f["path"] == *path)
            .unwrap_or_else(|| panic!("{name}: no {code} for {path} in {:?}", codes(&found)));
        assert_eq!(
            status,
            *exit,
            "{name}: exit status with {:?}",
            codes(&found)
        );
        if let Some(line) = line {
            assert_eq!(hit["line"].as_u64(), Some(u64::from(*line)), "{name}");
            assert!(hit["column"].as_u64().unwrap() >= 1);
        }
        assert!(
            !hit["message"].as_str().unwrap().is_empty()
                && !hit["hint"].as_str().unwrap().is_empty()
        );
        let others: Vec<_> = codes(&found)
            .into_iter()
            .filter(|(c, _)| c != code)
            .collect();
        let allowed_extra = *name == "AR003"; // the page's reference to the deleted file breaks too
        assert!(
            others.is_empty() || allowed_extra,
            "{name}: unexpected {others:?}"
        );
    }
}

#[test]
fn orphans_named_only_in_code_samples_say_so() {
    let repo = clean_repo();
    repo.write(PAGE, "# A page\n\n```md\n![a](/images/a.png)\n```\n");
    let (_, found) = findings(&repo, &[]);
    assert_eq!(codes(&found), [("AR004".to_owned(), ASSET.to_owned())]);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("only inside a code sample (content/a.md:4:")
    );
}

#[test]
fn a_case_mismatch_is_a_broken_reference() {
    let repo = clean_repo();
    repo.write(PAGE, "![a](/images/A.png)\n");
    let (_, found) = findings(&repo, &[]);
    let broken = found.iter().find(|f| f["code"] == "AR005").expect("AR005");
    assert!(
        broken["message"]
            .as_str()
            .unwrap()
            .contains("letter case differs"),
        "{broken}"
    );
}

#[test]
fn a_matching_lfs_pointer_is_verified_by_its_oid() {
    let repo = clean_repo();
    let bytes = repo.read(ASSET);
    repo.write(ASSET, lfs_pointer(&sha256(&bytes), bytes.len()));
    let (code, found) = findings(&repo, &[]);
    assert_eq!((code, found.len()), (0, 0), "{:?}", codes(&found));
}

#[test]
fn severities_come_from_the_config() {
    let repo = clean_repo();
    repo.write("public/images/extra.png", png(1));
    let config = String::from_utf8(repo.read("assets.toml")).unwrap();
    repo.write(
        "assets.toml",
        config.replace("AR001 = \"error\"", "AR001 = \"warning\""),
    );
    let (code, found) = findings(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(found[0]["severity"], "warning");
    let config = String::from_utf8(repo.read("assets.toml")).unwrap();
    repo.write(
        "assets.toml",
        config.replace("AR001 = \"warning\"", "AR001 = \"off\""),
    );
    assert!(findings(&repo, &[]).1.is_empty());
}

#[test]
fn paths_limit_the_findings() {
    let repo = clean_repo();
    repo.write("public/images/extra.png", png(1));
    repo.write("content/b.md", "![gone](/images/gone.png)\n");
    let (_, found) = findings(&repo, &["content"]);
    assert_eq!(
        codes(&found),
        [("AR005".to_owned(), "content/b.md".to_owned())]
    );
    let (_, found) = findings(&repo, &["public/images/extra.png"]);
    assert_eq!(
        codes(&found),
        [("AR001".to_owned(), "public/images/extra.png".to_owned())]
    );
}

#[test]
fn staged_judges_the_index_not_the_work_tree() {
    let repo = clean_repo();
    // An unstaged edit is invisible to --staged.
    repo.write(ASSET, png(4));
    assert_eq!(codes(&findings(&repo, &["--staged"]).1), []);
    assert_eq!(
        codes(&findings(&repo, &[]).1),
        [("AR002".to_owned(), ASSET.to_owned())]
    );
    // Staged, it is seen.
    repo.git(&["add", ASSET]);
    assert_eq!(
        codes(&findings(&repo, &["--staged"]).1),
        [("AR002".to_owned(), ASSET.to_owned())]
    );
    repo.git(&["checkout", "HEAD", "--", ASSET]);

    // A staged deletion, with the file still on disk.
    repo.git(&["rm", "-q", "--cached", ASSET]);
    let (code, found) = findings(&repo, &["--staged"]);
    assert_eq!(code, 1);
    assert!(
        codes(&found).contains(&("AR003".to_owned(), ASSET.to_owned())),
        "{:?}",
        codes(&found)
    );
    assert!(codes(&found).iter().any(|(c, p)| c == "AR005" && p == PAGE));
    repo.git(&["add", ASSET]);

    // A staged page edit that breaks a reference, then fixed in the work tree only.
    repo.write(PAGE, "![x](/images/nope.png)\n");
    repo.git(&["add", PAGE]);
    repo.write(PAGE, "![a](/images/a.png)\n");
    let staged = codes(&findings(&repo, &["--staged"]).1);
    assert!(
        staged.contains(&("AR005".to_owned(), PAGE.to_owned())),
        "{staged:?}"
    );
    assert!(findings(&repo, &[]).1.is_empty());
}

#[test]
fn staged_renames_and_manifest_edits_are_honoured() {
    let repo = clean_repo();
    repo.git(&["mv", ASSET, "public/images/b.png"]);
    let found = codes(&findings(&repo, &["--staged"]).1);
    assert!(
        found.contains(&("AR003".to_owned(), ASSET.to_owned())),
        "{found:?}"
    );
    assert!(
        found.contains(&("AR001".to_owned(), "public/images/b.png".to_owned())),
        "{found:?}"
    );
}

#[test]
fn staged_lfs_pointers_are_checked_by_oid() {
    let repo = clean_repo();
    let bytes = repo.read(ASSET);
    // Stage a pointer as git-lfs's clean filter would, keep the image in the work tree.
    repo.write(ASSET, lfs_pointer(&sha256(&bytes), bytes.len()));
    repo.git(&["add", ASSET]);
    repo.write(ASSET, &bytes);
    assert_eq!(codes(&findings(&repo, &["--staged"]).1), []);

    repo.write(ASSET, lfs_pointer(&"ef".repeat(32), 10));
    repo.git(&["add", ASSET]);
    repo.write(ASSET, &bytes);
    assert_eq!(
        codes(&findings(&repo, &["--staged"]).1),
        [("AR010".to_owned(), ASSET.to_owned())]
    );
}

#[test]
fn the_first_commit_can_be_checked() {
    let repo = uncommitted_repo();
    repo.git(&["add", "-A"]);
    let (code, found) = findings(&repo, &["--staged"]);
    assert_eq!((code, codes(&found)), (0, vec![]));
}

#[test]
fn text_output_groups_by_file_with_hints_and_a_summary() {
    let repo = clean_repo();
    repo.write("content/b.md", "# B\n\n![gone](/images/gone.png)\n");
    repo.write("public/images/extra.png", png(1));
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with(
            "content/b.md:3:9: AR005 broken-reference: /images/gone.png does not exist"
        ),
        "{}",
        run.stdout
    );
    assert!(lines[1].starts_with("  hint: "));
    assert!(
        run.stdout
            .contains("\npublic/images/extra.png: AR001 untracked-asset: ")
    );
    assert!(
        run.stdout.trim_end().ends_with(
            "check failed (worktree): 2 errors, 0 warnings; 1 assets, 2 references in 2 files"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\x1b'));
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let repo = clean_repo();
    repo.write("content/b.md", "# B\n\n![gone](/images/gone.png)\n");
    repo.write("public/images/extra.png", png(1));
    let run = repo.run(&["check", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-2.1.0-rtm.5.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    let run0 = &log["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "assetrail");
    assert_eq!(
        run0["tool"]["driver"]["rules"].as_array().unwrap().len(),
        assetrail::finding::RULES.len()
    );
    let results = run0["results"].as_array().unwrap();
    let broken = results.iter().find(|r| r["ruleId"] == "AR005").unwrap();
    assert_eq!(broken["level"], "error");
    let location = &broken["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "content/b.md");
    assert_eq!(location["region"]["startLine"], 3);
    assert_eq!(location["region"]["startColumn"], 9);
    assert!(broken["partialFingerprints"].as_object().unwrap().len() == 1);
}

#[test]
fn github_annotations() {
    let repo = clean_repo();
    repo.write("content/b.md", "# B\n\n![gone](/images/gone.png)\n");
    let run = repo.run(&["check", "--format", "github"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("::error file=content/b.md,line=3,col=9,title=AR005 broken-reference::"),
        "{}",
        run.stdout
    );
}

#[test]
fn explain_says_what_why_and_how() {
    let repo = Repo::empty();
    let run = repo.run(&["explain", "AR004"]);
    run.success();
    assert!(
        run.stdout
            .starts_with("AR004 orphan-asset (default: warning)")
    );
    for section in ["What it finds", "Why it matters", "How to fix it"] {
        assert!(run.stdout.contains(section), "{}", run.stdout);
    }
    assert!(
        repo.run(&["explain", "broken-reference"])
            .stdout
            .starts_with("AR005")
    );
    let all = repo.run(&["explain", "--format", "json"]);
    assert_eq!(
        all.json()["rules"].as_array().unwrap().len(),
        assetrail::finding::RULES.len()
    );
    let bad = repo.run(&["explain", "AR999"]);
    assert_eq!(bad.code, 2);
    let last = assetrail::finding::RULES.last().unwrap().code;
    assert!(
        bad.stderr.contains(&format!("AR001 to {last}")),
        "{}",
        bad.stderr
    );
}

#[test]
fn bad_input_is_reported_and_never_hangs() {
    let repo = clean_repo();
    // Not UTF-8, and not parseable: reported, the scan goes on.
    repo.write("content/latin1.md", b"caf\xe9 ![x](/images/a.png)\n");
    repo.write(
        "content/broken.tsx",
        "export const A = () => <img src=\"/images/a.png\" \n\nconst = ;\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink("../images", repo.path().join("public/images/loop")).unwrap();
    // A 50 MB file that is an image to the scanner.
    let mut big = png(9);
    big.resize(50 * 1024 * 1024, 0);
    repo.write("public/images/big.png", &big);
    repo.run(&["adopt", "public/images/big.png"]).success();
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let problems: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(problems, ["content/broken.tsx", "content/latin1.md"]);

    repo.write(
        "assets.toml",
        "version = 1\n[assets]\nfolders = [\"public\"\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("assets.toml:3:"), "{}", run.stderr);
}

#[test]
fn a_garbled_manifest_stops_the_check() {
    let repo = clean_repo();
    repo.write(
        "assets.lock",
        "version = 1\n[[asset]]\npath = \"x\"\nbytes = \"many\"\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("assets.lock:4:9"), "{}", run.stderr);
}

#[test]
fn a_bare_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    common::git_in(dir.path(), &["init", "-q", "--bare"]);
    let run: common::Run = std::process::Command::new(env!("CARGO_BIN_EXE_assetrail"))
        .current_dir(dir.path())
        .arg("check")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bare repository"), "{}", run.stderr);
}

#[test]
fn the_stat_cache_avoids_rehashing() {
    let repo = clean_repo();
    repo.backdate(ASSET, 60);
    let first = repo.run(&["check", "--format", "json"]).json();
    assert_eq!(first["summary"]["hashed"], 1);
    let second = repo.run(&["check", "--format", "json"]).json();
    assert_eq!(second["summary"]["hashed"], 0);
    let staged = repo.run(&["check", "--staged", "--format", "json"]).json();
    assert_eq!(staged["summary"]["hashed"], 0);
}

#[test]
fn files_git_hashed_and_left_unchanged_are_not_hashed_again() {
    let repo = clean_repo();
    let images: Vec<String> = (0..80)
        .map(|i| format!("public/images/set/{i}.png"))
        .collect();
    // Noise, so each is larger than a Git LFS pointer could be (those are read, not hashed).
    let noisy = |seed: u32| {
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        let img = image::RgbImage::from_fn(32, 32, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            image::Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    for (i, image) in images.iter().enumerate() {
        repo.write(image, noisy(i as u32));
    }
    repo.run(&["adopt", "public/images/set"]).success();
    for image in images.iter().map(String::as_str).chain([ASSET]) {
        repo.backdate(image, 60);
    }
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "a set of images"]);
    let cold = |repo: &Repo| {
        std::fs::remove_dir_all(repo.path().join(".git/assetrail")).unwrap();
        repo.run(&["check", "--format", "json"]).json()
    };
    // Git hashed them and saw no change since: its word is taken.
    let report = cold(&repo);
    assert_eq!(report["summary"]["errors"], 0, "{report}");
    assert_eq!(report["summary"]["hashed"], 0, "{report}");
    // And remembered: a warm check neither hashes nor asks git again.
    let warm = repo.run(&["check", "--format", "json"]).json();
    assert_eq!(warm["summary"]["hashed"], 0, "{warm}");
    // A file changed since git hashed it is hashed, and found modified.
    repo.write(&images[7], noisy(200));
    repo.backdate(&images[7], 60);
    let (code, found) = {
        std::fs::remove_dir_all(repo.path().join(".git/assetrail")).unwrap();
        findings(&repo, &[])
    };
    assert_eq!(code, 1);
    assert_eq!(
        codes(&found),
        [("AR002".to_owned(), images[7].clone())],
        "{found:?}"
    );
}

#[test]
fn hook_install_for_git_runs_the_check_on_commit() {
    let repo = clean_repo();
    let run = repo.run(&["hook", "install"]);
    run.success();
    assert!(
        run.stdout.contains("wrote .git/hooks/pre-commit"),
        "{}",
        run.stdout
    );
    let hook = repo.path().join(".git/hooks/pre-commit");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(hook.metadata().unwrap().permissions().mode() & 0o111, 0o111);
    }
    assert!(
        repo.run(&["hook", "install"])
            .stdout
            .contains("already installed")
    );

    // The hook blocks a commit that breaks a reference.
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_assetrail"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    repo.write("content/b.md", "![gone](/images/gone.png)\n");
    repo.git(&["add", "-A"]);
    let commit = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t.invalid",
            "commit",
            "-qm",
            "broken",
        ])
        .current_dir(repo.path())
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        !commit.status.success(),
        "the hook let a broken commit through"
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&commit.stdout),
        String::from_utf8_lossy(&commit.stderr)
    );
    assert!(said.contains("AR005"), "{said}");

    // A foreign hook is not clobbered.
    std::fs::write(&hook, "#!/bin/sh\nmake lint\n").unwrap();
    let run = repo.run(&["hook", "install"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\nmake lint\n"
    );
    repo.run(&["hook", "install", "--force"]).success();
}

#[test]
fn init_can_install_the_hook() {
    let repo = Repo::empty();
    let run = repo.run(&["init", "--hook"]);
    run.success();
    assert!(
        run.stdout.contains("wrote .git/hooks/pre-commit"),
        "{}",
        run.stdout
    );
    assert!(
        std::fs::read_to_string(repo.path().join(".git/hooks/pre-commit"))
            .unwrap()
            .contains("assetrail check --staged")
    );
}

#[test]
fn hook_install_for_hook_managers() {
    let repo = clean_repo();
    repo.run(&["hook", "install", "--framework", "pre-commit"])
        .success();
    let config = String::from_utf8(repo.read(".pre-commit-config.yaml")).unwrap();
    assert!(
        config.starts_with("repos:\n  - repo: local\n")
            && config.contains("entry: assetrail check --staged")
    );

    let other = clean_repo();
    other.write(".pre-commit-config.yaml", "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: trailing-whitespace\n");
    other
        .run(&["hook", "install", "--framework", "pre-commit"])
        .success();
    let merged = String::from_utf8(other.read(".pre-commit-config.yaml")).unwrap();
    assert!(
        merged.contains("trailing-whitespace") && merged.contains("id: assetrail-check"),
        "{merged}"
    );

    repo.run(&["hook", "install", "--framework", "husky"])
        .success();
    assert_eq!(
        String::from_utf8(repo.read(".husky/pre-commit")).unwrap(),
        "assetrail check --staged\n"
    );
    repo.run(&["hook", "install", "--framework", "lefthook"])
        .success();
    assert!(
        String::from_utf8(repo.read("lefthook.yml"))
            .unwrap()
            .contains("run: assetrail check --staged")
    );
}

/// The paths of one finding code in `check --format json`.
fn finding_paths(repo: &Repo, code: &str) -> Vec<String> {
    let run = repo.run(&["check", "--format", "json"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let mut paths: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    paths
}

#[test]
fn orphans_spare_only_what_the_framework_serves_by_convention() {
    // orphans = "all" in this fixture: hand-adopted images are judged too.
    let repo = Repo::fixture("next-app");
    repo.run(&["adopt", "public", "app"]).success();
    assert_eq!(
        finding_paths(&repo, "AR004"),
        // Not app/favicon.ico, app/apple-icon.png, app/blog/opengraph-image.png
        // (App Router conventions) nor public/apple-touch-icon.png (browsers
        // ask for it); a favicon-style name elsewhere is judged like any image.
        ["public/android-chrome-192x192.png", "public/unused.png"]
    );
    assert_eq!(finding_paths(&repo, "AR005"), ["README.md"]);
}

#[test]
fn orphan_policy_and_keep_globs() {
    let repo = Repo::fixture("starlight");
    repo.run(&["adopt", "public", "src/assets", "src/content/docs"])
        .success();
    // By default hand-adopted images are not orphan-checked.
    assert_eq!(finding_paths(&repo, "AR004"), Vec::<String>::new());
    let config = String::from_utf8(repo.read("assets.toml")).unwrap();
    repo.write(
        "assets.toml",
        config.replace("[check]\n", "[check]\norphans = \"all\"\n"),
    );
    // The build plugin's output is kept by its glob; everything else is used.
    assert_eq!(finding_paths(&repo, "AR004"), Vec::<String>::new());
    repo.write(
        "assets.toml",
        config
            .replace("[check]\n", "[check]\norphans = \"all\"\n")
            .replace("keep = [\"public/diagrams/*.svg\"]", ""),
    );
    assert_eq!(
        finding_paths(&repo, "AR004"),
        ["public/diagrams/flow-1a2b.svg"]
    );
}

#[test]
fn staged_checks_read_the_staged_framework_config() {
    let repo = Repo::fixture("docusaurus-versioned");
    repo.git(&["add", "-A"]);
    // Unstaged: the base path removed from the config in the work tree only.
    let config = String::from_utf8(repo.read("website/docusaurus.config.ts")).unwrap();
    repo.write(
        "website/docusaurus.config.ts",
        config.replace("baseUrl: '/docs/'", "baseUrl: '/'"),
    );
    let outside_base = |args: &[&str]| {
        let run = repo.run(args);
        assert!(run.code <= 1, "{}", run.stderr);
        run.json()["findings"].as_array().unwrap().iter().any(|f| {
            f["code"] == "AR005" && f["path"] == "website/docs/intro.md" && f["line"] == 12
        })
    };
    assert!(outside_base(&["check", "--staged", "--format", "json"]));
    assert!(!outside_base(&["check", "--format", "json"]));
}

#[test]
fn placeholders_are_marked_and_a_release_branch_can_refuse_them() {
    let repo = clean_repo();
    assert_eq!(repo.entry(ASSET)["placeholder"].as_bool(), Some(true));
    // Off by default: the gate passes.
    let (code, found) = findings(&repo, &[]);
    assert_eq!((code, codes(&found)), (0, vec![]));
    let config = String::from_utf8(repo.read("assets.toml")).unwrap();
    let with = |level: &str| {
        repo.write(
            "assets.toml",
            config.replace(
                "placeholders = \"off\"",
                &format!("placeholders = \"{level}\""),
            ),
        );
    };
    with("warn");
    let (code, found) = findings(&repo, &[]);
    assert_eq!(code, 0, "a warning does not fail the gate");
    assert_eq!(codes(&found), [("AR013".to_owned(), ASSET.to_owned())]);
    assert_eq!(found[0]["severity"], "warning");
    with("error");
    let (code, found) = findings(&repo, &[]);
    assert_eq!(code, 1);
    assert!(
        found[0]["hint"]
            .as_str()
            .unwrap()
            .contains("--route images"),
        "{}",
        found[0]
    );
    let explained = repo.run(&["explain", "AR013"]);
    assert!(
        explained.stdout.contains("placeholder"),
        "{}",
        explained.stdout
    );
}

//! `generate` on the offline route, end to end through the binary.

mod common;

use common::{Repo, sha256};

#[test]
fn generate_writes_records_and_prints_the_entry() {
    let repo = Repo::site();
    let run = repo.run(&[
        "generate",
        "--kind",
        "cover",
        "--prompt",
        "A paper boat on a pond",
        "--format",
        "json",
    ]);
    run.success();
    let json = run.json();
    assert_eq!(json["schema_version"], 2);
    let asset = &json["assets"][0];
    let path = asset["path"].as_str().unwrap();
    assert_eq!(path, "public/images/covers/a-paper-boat-on-a-pond.png");
    let bytes = repo.read(path);
    assert_eq!(asset["sha256"], sha256(&bytes));
    assert_eq!(asset["bytes"], bytes.len());
    assert_eq!(
        (asset["width"].as_u64(), asset["height"].as_u64()),
        (Some(1536), Some(1024))
    );
    assert_eq!(asset["route"], "local");
    assert_eq!(asset["credit"], "none");
    assert_eq!(asset["kind"], "cover");
    assert_eq!(asset["prompt"], "A paper boat on a pond");
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert_eq!(asset["base_commit"], head.trim());
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (1536, 1024));

    // The entry in assets.lock is the one printed, and `show` prints the same structure.
    let entry = repo.entry(path);
    assert_eq!(entry["sha256"].as_str(), asset["sha256"].as_str());
    assert_eq!(entry["id"].as_str(), asset["id"].as_str());
    let shown = repo.run(&["show", path, "--format", "json"]);
    shown.success();
    assert_eq!(shown.json()["asset"], *asset);
}

#[test]
fn text_output_is_the_written_paths_without_colour() {
    let repo = Repo::site();
    let run = repo.run(&[
        "generate",
        "--prompt",
        "three small icons",
        "--kind",
        "ui",
        "-n",
        "3",
    ]);
    run.success();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "public/images/ui/three-small-icons.png",
            "public/images/ui/three-small-icons-2.png",
            "public/images/ui/three-small-icons-3.png"
        ]
    );
    let hashes: std::collections::HashSet<_> =
        lines.iter().map(|p| sha256(&repo.read(p))).collect();
    assert_eq!(hashes.len(), 3, "the three images differ");
    let indexes: Vec<_> = lines
        .iter()
        .map(|p| repo.entry(p)["n_index"].as_integer().unwrap())
        .collect();
    assert_eq!(indexes, [0, 1, 2]);
    assert!(!run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'));
}

#[test]
fn the_local_route_is_deterministic_across_repositories() {
    let args = [
        "generate",
        "--prompt",
        "a lighthouse",
        "--size",
        "1024x1024",
        "--output-format",
        "webp",
        "--out",
        "public/x.webp",
    ];
    let a = Repo::site();
    let b = Repo::empty();
    b.run(&["init"]).success();
    a.run(&args).success();
    b.run(&args).success();
    assert_eq!(a.read("public/x.webp"), b.read("public/x.webp"));
    let other = Repo::empty();
    other.run(&["init"]).success();
    other
        .run(&[
            "generate",
            "--prompt",
            "a teapot",
            "--size",
            "1024x1024",
            "--output-format",
            "webp",
            "--out",
            "public/x.webp",
        ])
        .success();
    assert_ne!(a.read("public/x.webp"), other.read("public/x.webp"));
}

#[test]
fn formats_follow_flags_names_and_kinds() {
    let repo = Repo::site();
    repo.run(&[
        "generate",
        "--prompt",
        "jpeg by name",
        "--out",
        "public/a.jpg",
    ])
    .success();
    assert_eq!(repo.entry("public/a.jpg")["format"].as_str(), Some("jpeg"));
    repo.run(&["generate", "--prompt", "webp by flag", "--format", "webp"])
        .success();
    assert_eq!(
        repo.entry("public/images/webp-by-flag.webp")["format"].as_str(),
        Some("webp")
    );
    repo.run(&[
        "generate",
        "--prompt",
        "article default",
        "--kind",
        "article",
    ])
    .success();
    assert_eq!(
        repo.entry("public/images/articles/article-default.webp")["format"].as_str(),
        Some("webp")
    );
    // The ui kind is transparent by default: the PNG carries alpha.
    repo.run(&["generate", "--prompt", "a badge", "--kind", "ui"])
        .success();
    let img = image::load_from_memory(&repo.read("public/images/ui/a-badge.png")).unwrap();
    assert!(img.color().has_alpha());
}

#[test]
fn dry_run_writes_nothing() {
    let repo = Repo::site();
    let before = repo.snapshot();
    let run = repo.run(&[
        "generate",
        "--prompt",
        "nothing yet",
        "--dry-run",
        "--format",
        "json",
    ]);
    run.success();
    assert_eq!(run.json()["dry_run"], true);
    assert_eq!(
        run.json()["assets"][0]["path"],
        "public/images/nothing-yet.png"
    );
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn an_existing_folder_as_out_gets_a_name_from_the_prompt() {
    let repo = Repo::site();
    let run = repo.run(&[
        "generate",
        "--prompt",
        "into the folder",
        "--out",
        "public/images/articles",
    ]);
    run.success();
    assert_eq!(
        run.stdout.trim(),
        "public/images/articles/into-the-folder.png"
    );
}

#[test]
fn derived_names_never_collide() {
    let repo = Repo::site();
    repo.run(&["generate", "--prompt", "same words"]).success();
    let run = repo.run(&["generate", "--prompt", "same words"]);
    run.success();
    assert_eq!(run.stdout.trim(), "public/images/same-words-2.png");
}

#[test]
fn force_replaces_and_keeps_the_old_sha_as_parent() {
    let repo = Repo::site();
    let path = "public/images/covers/hello-world.png";
    let old = sha256(&repo.read(path));
    let old_id = repo.entry(path)["id"].as_str().unwrap().to_owned();
    repo.run(&[
        "generate",
        "--prompt",
        "a new cover",
        "--kind",
        "cover",
        "--out",
        path,
        "--force",
    ])
    .success();
    let entry = repo.entry(path);
    let parent = &entry["parents"].as_array().unwrap()[0];
    assert_eq!(parent["role"].as_str(), Some("replaced"));
    assert_eq!(parent["sha256"].as_str(), Some(old.as_str()));
    assert_eq!(parent["id"].as_str(), Some(old_id.as_str()));
    assert_ne!(entry["sha256"].as_str(), Some(old.as_str()));
}

#[test]
fn paths_are_taken_from_a_subfolder_like_git_does() {
    let repo = Repo::site();
    let mut cmd = repo.command();
    cmd.current_dir(repo.path().join("public/images")).args([
        "generate",
        "--prompt",
        "from below",
        "--out",
        "below.png",
    ]);
    let run: common::Run = cmd.output().unwrap().into();
    run.success();
    assert_eq!(run.stdout.trim(), "public/images/below.png");
    // --repo works from anywhere, with repo-relative paths.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut cmd = repo.command();
    cmd.current_dir(elsewhere.path())
        .arg("--repo")
        .arg(repo.path())
        .args(["show", "public/images/below.png"]);
    let run: common::Run = cmd.output().unwrap().into();
    run.success();
    assert!(run.stdout.contains("prompt: from below"));
}

#[test]
fn an_unborn_head_is_recorded_as_absent() {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    repo.run(&["generate", "--prompt", "first"]).success();
    assert!(
        !repo
            .entry("public/images/first.png")
            .contains_key("base_commit")
    );
}

#[test]
fn secrets_never_reach_the_manifest_or_output() {
    let repo = Repo::site();
    let secret = "sk-test-abcdefghijklmnopqrstuvwxyz0123456789";
    let run: common::Run = repo
        .command()
        .env("OPENAI_API_KEY", secret)
        .args(["generate", "--prompt", "key check", "--format", "json"])
        .output()
        .unwrap()
        .into();
    run.success();
    assert!(!String::from_utf8_lossy(&repo.read("assets.lock")).contains(secret));
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
}

#[test]
fn a_number_at_the_end_of_the_prompt_is_not_a_counter() {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    let run = repo.run(&[
        "generate",
        "--prompt",
        "step 5",
        "-n",
        "2",
        "--size",
        "1024x1024",
    ]);
    run.success();
    let paths: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        paths,
        ["public/images/step-5.png", "public/images/step-5-2.png"]
    );
    let again = repo.run(&["generate", "--prompt", "step 5", "--size", "1024x1024"]);
    again.success();
    assert_eq!(again.stdout.trim(), "public/images/step-5-3.png");
}

#[test]
fn written_images_come_with_their_site_url_and_snippets_that_check_accepts() {
    let repo = Repo::fixture("docusaurus");
    let config = String::from_utf8(repo.read("docusaurus.config.js")).unwrap();
    repo.write(
        "docusaurus.config.js",
        config.replace("baseUrl: '/'", "baseUrl: '/docs/'"),
    );
    let run = repo.run(&[
        "generate",
        "--prompt",
        "a lighthouse at dusk. Oil on canvas",
        "--out",
        "static/img/lighthouse.png",
        "--format",
        "json",
    ]);
    run.success();
    let json = run.json();
    assert_eq!(json["assets"][0]["alt"], "A lighthouse at dusk");
    let placement = &json["placements"][0];
    assert_eq!(placement["url"], "/docs/img/lighthouse.png");
    assert_eq!(
        placement["markdown"],
        "![A lighthouse at dusk](/img/lighthouse.png)"
    );
    assert_eq!(
        placement["jsx"],
        "<img src=\"/docs/img/lighthouse.png\" alt=\"A lighthouse at dusk\" />"
    );
    // Pasted into pages, both snippets are references check accepts.
    repo.write(
        "docs/lighthouse.mdx",
        format!(
            "# Lighthouse\n\n{}\n\n{}\n",
            placement["markdown"].as_str().unwrap(),
            placement["jsx"].as_str().unwrap()
        ),
    );
    let refs = repo
        .run(&["refs", "docs/lighthouse.mdx", "--format", "json"])
        .json();
    let statuses: Vec<&str> = refs["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ok", "ok"], "{refs}");
}

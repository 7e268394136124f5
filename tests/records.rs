//! Recording images made elsewhere: `import --codex`, `record`, `adopt`, and
//! inspecting them with `status` and `show`.

mod common;

use base64::Engine;
use common::{Repo, sha256};

/// A small real PNG made by the `image` crate.
fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([seed, x as u8 * 3, y as u8 * 5]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn set_mtime(path: &std::path::Path, secs_ago: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(secs_ago);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[test]
fn import_codex_copies_the_newest_image_byte_for_byte() {
    let repo = Repo::site();
    let generated = repo.home.path().join(".codex/generated_images");
    let (old, new) = (png(1), png(2));
    std::fs::create_dir_all(generated.join("thread-old")).unwrap();
    std::fs::create_dir_all(generated.join("thread-new")).unwrap();
    std::fs::write(generated.join("thread-old/ig_1.png"), &old).unwrap();
    std::fs::write(generated.join("thread-new/ig_2.png"), &new).unwrap();
    set_mtime(&generated.join("thread-old/ig_1.png"), 3600);

    let run = repo.run(&[
        "import",
        "--codex",
        "--latest",
        "--out",
        "public/images/covers/boat.png",
        "--prompt",
        "a paper boat",
        "--format",
        "json",
    ]);
    run.success();
    assert_eq!(repo.read("public/images/covers/boat.png"), new);
    let entry = repo.entry("public/images/covers/boat.png");
    assert_eq!(entry["route"].as_str(), Some("codex"));
    assert_eq!(entry["credit"].as_str(), Some("codex-credits"));
    assert_eq!(entry["thread_id"].as_str(), Some("thread-new"));
    assert_eq!(
        entry["source_path"].as_str(),
        Some("$CODEX_HOME/generated_images/thread-new/ig_2.png")
    );
    assert_eq!(entry["sha256"].as_str(), Some(sha256(&new).as_str()));
    assert_eq!(entry["prompt"].as_str(), Some("a paper boat"));
    assert_eq!(
        run.json()["assets"][0]["path"],
        "public/images/covers/boat.png"
    );

    // --latest --thread-id picks from that thread only, though it is older.
    repo.run(&[
        "import",
        "--codex",
        "--latest",
        "--thread-id",
        "thread-old",
        "--out",
        "public/images/from-old-thread.png",
        "--prompt",
        "p",
    ])
    .success();
    assert_eq!(repo.read("public/images/from-old-thread.png"), old);
    let none = repo.run(&[
        "import",
        "--codex",
        "--latest",
        "--thread-id",
        "no-such-thread",
        "--out",
        "public/images/none.png",
        "--prompt",
        "p",
    ]);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("no-such-thread"), "{}", none.stderr);
    // A source that is not a regular file is refused, never read.
    let folder = repo.run(&[
        "import",
        "--codex",
        generated.to_str().unwrap(),
        "--out",
        "public/images/dir.png",
        "--prompt",
        "p",
    ]);
    assert_eq!(folder.code, 1);
    assert!(
        folder.stderr.contains("not a regular file"),
        "{}",
        folder.stderr
    );

    // An explicit file wins over the newest one.
    let file = generated.join("thread-old/ig_1.png");
    repo.run(&[
        "import",
        "--codex",
        file.to_str().unwrap(),
        "--out",
        "public/images/old.png",
        "--prompt",
        "p",
    ])
    .success();
    assert_eq!(repo.read("public/images/old.png"), old);
    assert_eq!(
        repo.entry("public/images/old.png")["thread_id"].as_str(),
        Some("thread-old")
    );
}

#[test]
fn import_codex_falls_back_to_the_rollout_log() {
    let repo = Repo::site();
    let bytes = png(9);
    let thread = "0190c7a2-1234-7abc-8def-0123456789ab";
    let day = repo.home.path().join(".codex/sessions/2026/11/24");
    std::fs::create_dir_all(&day).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let lines = [
        serde_json::json!({"type": "session_meta", "payload": {"id": thread}}),
        serde_json::json!({"type": "response_item", "payload": {"type": "image_generation_call", "result": b64}}),
        serde_json::json!({"type": "event_msg", "payload": {"type": "token_count"}}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(
        day.join(format!("rollout-2026-11-24T10-00-00-{thread}.jsonl")),
        text,
    )
    .unwrap();

    repo.run(&[
        "import",
        "--codex",
        "--out",
        "public/images/from-log.png",
        "--prompt",
        "p",
    ])
    .success();
    assert_eq!(repo.read("public/images/from-log.png"), bytes);
    let entry = repo.entry("public/images/from-log.png");
    assert_eq!(entry["thread_id"].as_str(), Some(thread));
    assert!(
        entry["source_path"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{thread}.jsonl#L2"))
    );
}

#[test]
fn import_refuses_a_name_that_changes_the_format() {
    let repo = Repo::site();
    let file = repo.home.path().join("x.png");
    std::fs::write(&file, png(3)).unwrap();
    let run = repo.run(&[
        "import",
        "--codex",
        file.to_str().unwrap(),
        "--out",
        "public/x.webp",
        "--prompt",
        "p",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("the bytes are png"), "{}", run.stderr);
    assert!(!repo.path().join("public/x.webp").exists());
}

#[test]
fn record_registers_an_image_made_on_an_api_route() {
    let repo = Repo::site();
    repo.write("public/images/api.png", png(4));
    repo.run(&[
        "record",
        "public/images/api.png",
        "--route",
        "openai",
        "--prompt",
        "made elsewhere",
        "--request-id",
        "req_123",
        "--quality",
        "high",
    ])
    .success();
    let entry = repo.entry("public/images/api.png");
    assert_eq!(entry["route"].as_str(), Some("images"));
    assert_eq!(entry["route_name"].as_str(), Some("openai"));
    assert_eq!(entry["credit"].as_str(), Some("openai-api"));
    assert_eq!(entry["model"].as_str(), Some("gpt-image-2"));
    assert_eq!(entry["request_id"].as_str(), Some("req_123"));
    assert_eq!(
        (entry["width"].as_integer(), entry["height"].as_integer()),
        (Some(64), Some(48))
    );
}

#[test]
fn record_force_replaces_an_entry_and_links_the_old_bytes() {
    let repo = Repo::site();
    let path = "public/images/ui/logo.png";
    let recorded = repo.entry(path)["sha256"].as_str().unwrap().to_owned();
    repo.write(path, png(5));
    repo.run(&[
        "record",
        path,
        "--route",
        "codex",
        "--prompt",
        "new logo",
        "--thread-id",
        "thr_1",
        "--force",
    ])
    .success();
    let entry = repo.entry(path);
    assert_eq!(entry["route"].as_str(), Some("codex"));
    assert_eq!(
        entry["parents"][0]["sha256"].as_str(),
        Some(recorded.as_str())
    );
}

#[test]
fn adopt_records_files_and_folders_as_manual() {
    let repo = Repo::site();
    repo.write("public/handmade/a.png", png(6));
    repo.write("public/handmade/nested/b.png", png(7));
    repo.write("public/handmade/readme.txt", "not an image");
    let run = repo.run(&[
        "adopt",
        "public/images/team.jpg",
        "public/handmade",
        "--reason",
        "stock photo",
    ]);
    run.success();
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    for path in [
        "public/images/team.jpg",
        "public/handmade/a.png",
        "public/handmade/nested/b.png",
    ] {
        let entry = repo.entry(path);
        assert_eq!(entry["route"].as_str(), Some("manual"), "{path}");
        assert_eq!(entry["credit"].as_str(), Some("none"));
        assert_eq!(entry["reason"].as_str(), Some("stock photo"));
    }
    // Adopting the folder again skips what is recorded.
    let again = repo.run(&["adopt", "public/handmade", "--format", "json"]);
    again.success();
    assert_eq!(again.json()["assets"].as_array().unwrap().len(), 0);
    assert_eq!(again.json()["skipped"].as_array().unwrap().len(), 2);
}

#[test]
fn adopt_of_a_folder_records_the_good_files_and_reports_each_bad_one() {
    let repo = Repo::site();
    repo.write("public/handmade/good.png", png(6));
    repo.write("public/handmade/really-png.webp", png(7));
    repo.write("public/handmade/text.jpg", "not an image at all");
    let run = repo.run(&["adopt", "public/handmade", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let adopted: Vec<&str> = json["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(adopted, ["public/handmade/good.png"]);
    let refused = json["refused"].as_array().unwrap();
    let refused_paths: Vec<&str> = refused
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        refused_paths,
        [
            "public/handmade/really-png.webp",
            "public/handmade/text.jpg"
        ]
    );
    assert!(
        refused[0]["error"].as_str().unwrap().contains("png"),
        "says what the file really is: {}",
        refused[0]
    );
    assert_eq!(
        repo.entry("public/handmade/good.png")["route"].as_str(),
        Some("manual")
    );
}

#[test]
fn status_reports_every_state() {
    let repo = Repo::site();
    let run = repo.run(&["status", "--format", "json"]);
    run.success();
    let json = run.json();
    assert_eq!(
        json["summary"],
        serde_json::json!({"ok": 3, "lfs_pointer": 0, "modified": 0, "lfs_mismatch": 0, "missing": 0, "untracked": 1})
    );
    assert_eq!(
        json["untracked"],
        serde_json::json!(["public/images/team.jpg"])
    );

    repo.write("public/images/ui/logo.png", png(8));
    std::fs::remove_file(repo.path().join("public/images/articles/diagram.webp")).unwrap();
    let run = repo.run(&["ls", "--format", "json"]);
    run.success();
    let json = run.json();
    assert_eq!(
        json["summary"],
        serde_json::json!({"ok": 1, "lfs_pointer": 0, "modified": 1, "lfs_mismatch": 0, "missing": 1, "untracked": 1})
    );
    let states: Vec<(&str, &str)> = json["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["path"].as_str().unwrap(), a["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("public/images/articles/diagram.webp", "missing"),
            ("public/images/covers/hello-world.png", "ok"),
            ("public/images/ui/logo.png", "modified"),
        ]
    );
    assert_eq!(json["assets"][2]["actual_sha256"], sha256(&png(8)));

    let text = repo.run(&["status"]);
    text.success();
    let line = |state: &str, path: &str| {
        text.stdout.lines().any(|l| {
            let mut words = l.split_whitespace();
            words.next() == Some(state) && words.next() == Some(path)
        })
    };
    assert!(
        line("missing", "public/images/articles/diagram.webp"),
        "{}",
        text.stdout
    );
    assert!(
        line("untracked", "public/images/team.jpg"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .ends_with("1 ok, 1 modified, 1 missing, 1 untracked\n")
    );
}

#[test]
fn show_prints_every_field_and_refuses_unknown_paths() {
    let repo = Repo::site();
    let run = repo.run(&["show", "public/images/ui/logo.png"]);
    run.success();
    assert!(run.stdout.contains("route: manual\n"));
    assert!(run.stdout.contains("reason: drawn by hand in Figma\n"));
    let run = repo.run(&["show", "public/images/team.jpg"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("assetrail adopt public/images/team.jpg"),
        "{}",
        run.stderr
    );
}

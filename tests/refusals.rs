//! Bad input gets a clear error, the right exit code, and changes nothing.

mod common;

use common::Repo;

/// Runs `args` in `repo`, expecting exit `code`, stderr containing every one of
/// `says`, and not a byte changed in the work tree.
#[track_caller]
fn refused(repo: &Repo, args: &[&str], code: i32, says: &[&str]) {
    let before = repo.snapshot();
    let run = repo.run(args);
    assert_eq!(
        run.code, code,
        "{args:?}\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    for needle in says {
        assert!(
            run.stderr.contains(needle),
            "{args:?}: stderr lacks {needle:?}:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stdout.is_empty(),
        "{args:?}: refusals print nothing on stdout: {}",
        run.stdout
    );
    assert_eq!(repo.snapshot(), before, "{args:?} changed the work tree");
}

#[test]
fn generate_refuses_paths_outside_the_policy() {
    let repo = Repo::site();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--out", "../x.png"], &["leaves the repository", "hint:"]),
        (&["--out", "/etc/x.png"], &["absolute paths are refused"]),
        (
            &["--out", "content/x.png"],
            &[
                "outside the managed folders (public)",
                "public/images/x.png",
            ],
        ),
        (
            &["--out", "public/images/covers/hello-world.png"],
            &[
                "already exists",
                "public/images/covers/hello-world-2.png",
                "--force",
            ],
        ),
        (
            &["--out", "public/x.gif"],
            &[".gif images cannot be generated"],
        ),
        (
            &["--out", "public/x.png", "--output-format", "webp"],
            &["the format is webp but --out names a .png file"],
        ),
        (
            &["--output-format", "jpeg", "--background", "transparent"],
            &["transparent background needs png or webp"],
        ),
        (
            &["--route", "openai"],
            &[
                "needs an API key in the environment variable OPENAI_API_KEY",
                "env_vars",
            ],
        ),
        (&["--route", "codex"], &["assetrail import --codex"]),
        (&["--route", "manual"], &["assetrail adopt"]),
    ];
    for (extra, says) in cases {
        let mut args = vec!["generate", "--prompt", "x"];
        args.extend_from_slice(extra);
        refused(&repo, &args, 1, says);
    }
}

#[test]
fn generate_refuses_sizes_and_formats_the_models_refuse() {
    let repo = Repo::site();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--size", "1000x1000"], &["multiples of 16", "1008x1008"]),
        (
            &["--size", "4000x1000"],
            &["longest edge may be at most 3840"],
        ),
        (&["--size", "3072x960"], &["aspect ratio"]),
        (&["--size", "huge"], &["WIDTHxHEIGHT"]),
        (
            &["--format", "gif"],
            &["unknown format \"gif\"", "png, webp, jpeg"],
        ),
        (
            &["--output-format", "gif"],
            &["possible values: png, webp, jpeg"],
        ),
        (&["--route", "nope"], &["unknown route \"nope\"", "local"]),
        (&["-n", "0"], &["0 is not in 1..=10"]),
    ];
    for (extra, says) in cases {
        let mut args = vec!["generate", "--prompt", "x"];
        args.extend_from_slice(extra);
        refused(&repo, &args, 2, says);
    }
    refused(
        &repo,
        &["generate", "--prompt", " "],
        2,
        &["--prompt is empty"],
    );
}

#[cfg(unix)]
#[test]
fn symlinked_folders_and_files_are_refused() {
    let repo = Repo::site();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("public/linked")).unwrap();
    refused(
        &repo,
        &["generate", "--prompt", "x", "--out", "public/linked/x.png"],
        1,
        &["public/linked is a symbolic link"],
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    std::os::unix::fs::symlink(
        repo.path().join("public/images/team.jpg"),
        repo.path().join("public/alias.jpg"),
    )
    .unwrap();
    refused(
        &repo,
        &["adopt", "public/alias.jpg"],
        1,
        &["public/alias.jpg is a symbolic link"],
    );
}

#[test]
fn config_problems_name_the_file_line_and_column() {
    let repo = Repo::site();
    std::fs::remove_file(repo.path().join("assets.toml")).unwrap();
    refused(
        &repo,
        &["generate", "--prompt", "x"],
        2,
        &["assets.toml not found", "assetrail init"],
    );
    refused(&repo, &["status"], 2, &["assets.toml not found"]);

    repo.write(
        "assets.toml",
        "version = 1\n[routes.x]\ntype = \"imagess\"\n",
    );
    refused(
        &repo,
        &["generate", "--prompt", "x"],
        2,
        &[
            "assets.toml:3:8: unknown route type \"imagess\" (expected one of: local, codex, manual, images, responses, gateway)",
        ],
    );
    repo.write("assets.toml", "version = 1\n[assets\nfolders = []\n");
    refused(&repo, &["status"], 2, &["assets.toml:2:"]);
    repo.write("assets.toml", "[scan]\nincludes = []\n");
    refused(
        &repo,
        &["status"],
        2,
        &["assets.toml:2:1: unknown field `includes`"],
    );
}

#[test]
fn a_garbled_or_future_manifest_is_refused_and_kept() {
    let repo = Repo::site();
    let lock = String::from_utf8(repo.read("assets.lock")).unwrap();
    let garbled = lock.replacen("bytes = ", "bytes = = ", 1);
    repo.write("assets.lock", &garbled);
    let line = garbled
        .lines()
        .position(|l| l.starts_with("bytes = ="))
        .unwrap()
        + 1;
    refused(
        &repo,
        &["generate", "--prompt", "x"],
        2,
        &[
            &format!("assets.lock:{line}:"),
            "git checkout -- assets.lock",
        ],
    );
    refused(
        &repo,
        &["adopt", "public/images/team.jpg"],
        2,
        &[&format!("assets.lock:{line}:")],
    );

    repo.write(
        "assets.lock",
        lock.replacen("version = 1", "version = 2", 1),
    );
    refused(
        &repo,
        &["generate", "--prompt", "x"],
        2,
        &[
            "assets.lock:2:11: manifest version 2 is newer",
            "upgrade assetrail",
        ],
    );
    refused(&repo, &["status"], 2, &["manifest version 2"]);
}

#[test]
fn init_refuses_to_overwrite() {
    let repo = Repo::site();
    refused(
        &repo,
        &["init"],
        1,
        &["assets.toml and assets.lock already exist", "--force"],
    );
}

#[test]
fn outside_a_git_repository() {
    let dir = tempfile::tempdir().unwrap();
    let run: common::Run = std::process::Command::new(env!("CARGO_BIN_EXE_assetrail"))
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .args(["generate", "--prompt", "x"])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--repo DIR"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn import_with_no_codex_image_is_refused() {
    let repo = Repo::site();
    refused(
        &repo,
        &[
            "import",
            "--codex",
            "--out",
            "public/images/x.png",
            "--prompt",
            "p",
        ],
        1,
        &[
            "no Codex image found",
            "generated_images",
            "import --codex FILE",
        ],
    );
}

#[test]
fn record_refuses_files_that_are_not_images() {
    let repo = Repo::site();
    repo.write("public/notes.png", "this is text, not a picture");
    repo.write(
        "public/real.webp",
        repo.read("public/images/covers/hello-world.png"),
    );
    let cases: &[(&str, &[&str])] = &[
        ("public/notes.png", &["not an image"]),
        (
            "public/real.webp",
            &["the bytes are png, but the name says webp", ".png"],
        ),
        ("public/missing.png", &["does not exist"]),
        ("package.json", &["outside the managed folders"]),
    ];
    for (path, says) in cases {
        refused(
            &repo,
            &[
                "record",
                path,
                "--route",
                "codex",
                "--prompt",
                "p",
                "--thread-id",
                "t",
            ],
            1,
            says,
        );
    }
    refused(
        &repo,
        &[
            "record",
            "public/images/covers/hello-world.png",
            "--route",
            "local",
            "--prompt",
            "p",
        ],
        1,
        &["already recorded", "--force"],
    );
}

#[test]
fn json_mode_reports_errors_as_json_too() {
    let repo = Repo::site();
    let run = repo.run(&[
        "generate", "--prompt", "x", "--out", "../x.png", "--format", "json",
    ]);
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["schema_version"], 2);
    assert_eq!(json["error"]["code"], "refused");
    assert!(
        json["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("managed folder")
    );
}

#[test]
fn json_mode_reports_argument_errors_as_json() {
    let repo = Repo::site();
    for args in [
        &["generate", "--format", "json", "--bogus"][..],
        &["--format=json", "generate", "--n", "many"][..],
        &["--format", "json", "no-such-command"][..],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        let json = run.json();
        assert_eq!(json["error"]["code"], "usage", "{args:?}");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(
            !message.is_empty() && !message.starts_with("error:"),
            "{message}"
        );
        assert!(run.stderr.contains("error:"), "people still read stderr");
    }
    // Without --format json, stdout stays empty.
    let run = repo.run(&["generate", "--bogus"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
}

#[test]
fn manifest_paths_outside_the_repository_are_refused_with_their_line() {
    let repo = Repo::site();
    let text = String::from_utf8(repo.read("assets.lock")).unwrap();
    let first = "path = \"public/images/articles/diagram.webp\"";
    assert!(text.contains(first));
    let line = text.lines().position(|l| l == first).unwrap() + 1;
    for bad in ["../../etc/passwd", "/dev/zero", "public//images/x.png"] {
        repo.write(
            "assets.lock",
            text.replacen(first, &format!("path = {bad:?}"), 1),
        );
        for args in [&["check"][..], &["status"]] {
            refused(
                &repo,
                args,
                2,
                &[
                    &format!("assets.lock:{line}:"),
                    "not a path inside the repository",
                ],
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn edit_inputs_do_not_follow_links_out_of_the_repository() {
    let repo = Repo::site();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("public/linked")).unwrap();
    refused(
        &repo,
        &[
            "edit",
            "--input",
            "public/linked/secret.png",
            "--prompt",
            "x",
            "--out",
            "public/images/x.png",
            "--route",
            "openai",
        ],
        1,
        &["symbolic link"],
    );
}

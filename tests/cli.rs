//! The command line itself: shell completions that a shell accepts, the
//! man page, and output into a pipe that closes early.

mod common;

use common::Repo;

#[test]
fn completions_load_in_bash_and_name_every_command() {
    let repo = Repo::empty();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = repo.run(&["completions", shell]);
        run.success();
        for command in ["generate", "check", "merge-lock", "mv", "rm"] {
            assert!(run.stdout.contains(command), "{shell} lacks {command}");
        }
    }
    let script = repo.path().join("assetrail.bash");
    std::fs::write(&script, repo.run(&["completions", "bash"]).stdout).unwrap();
    let loaded = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p assetrail",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let bad = repo.run(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn the_man_page_is_roff_for_section_1() {
    let repo = Repo::empty();
    let run = repo.run(&["man"]);
    run.success();
    assert!(run.stdout.contains(".TH assetrail 1"), "{}", run.stdout);
    assert!(run.stdout.contains(".SH SUBCOMMANDS") || run.stdout.contains("merge\\-lock"));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `assetrail refs --format json | head`: the pipe closes before the
    // report is written, which is what the reader wanted, not a failure.
    let repo = Repo::fixture("site");
    // More than a pipe's buffer of report, so writing it meets the closed pipe.
    let page: String = (0..3000)
        .map(|i| format!("![figure {i}](/images/figure-{i}.png)\n\n"))
        .collect();
    repo.write("content/posts/figures.md", page);
    for format in ["json", "text"] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = repo
            .command()
            .args(["refs", "--format", format])
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{format}: {stderr}"
        );
        assert!(stderr.is_empty(), "{format}: {stderr}");
    }
}

//! Many processes writing the manifest at once lose nothing.

mod common;

use common::Repo;

#[test]
fn sixteen_concurrent_writers_leave_sixteen_entries() {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    let children: Vec<_> = (0..16)
        .map(|i| {
            repo.command()
                .args([
                    "generate",
                    "--prompt",
                    &format!("image number {i}"),
                    "--size",
                    "1024x1024",
                    "--quality",
                    "low",
                ])
                .args(["--out", &format!("public/images/concurrent-{i:02}.png")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let entries = repo.entries();
    let paths: Vec<&str> = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..16)
        .map(|i| format!("public/images/concurrent-{i:02}.png"))
        .collect();
    assert_eq!(paths, expected);
    for entry in &entries {
        let bytes = repo.read(entry["path"].as_str().unwrap());
        assert_eq!(entry["sha256"].as_str().unwrap(), common::sha256(&bytes));
    }
    // No temp files are left next to the manifest or the images.
    let stray = walkdir::WalkDir::new(repo.path())
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(stray, 0);
}

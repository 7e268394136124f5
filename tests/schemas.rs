//! Every command's `--format json` output is valid against the schema
//! `assetrail schema COMMAND` publishes (and the MCP tools announce), on
//! success and on refusal.

mod common;

use common::Repo;
use serde_json::Value;

fn validate(repo: &Repo, command: &str, output: &Value) {
    let schema: Value = repo.run(&["schema", command]).json();
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{command}: bad schema: {e}"));
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(output)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{command}: {errors:#?}\n{output:#}");
}

fn json_of(repo: &Repo, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    repo.run(&args).json()
}

#[test]
fn every_commands_json_output_matches_its_published_schema() {
    let fresh = Repo::empty();
    validate(
        &fresh,
        "init",
        &json_of(&fresh, &["init", "--agents", "claude"]),
    );

    let repo = Repo::site();
    let generated = json_of(
        &repo,
        &["generate", "--prompt", "a paper boat", "--kind", "cover"],
    );
    validate(&repo, "generate", &generated);
    let path = generated["assets"][0]["path"].as_str().unwrap().to_owned();
    let codex = repo.home.path().join(".codex/generated_images/thread-1");
    std::fs::create_dir_all(&codex).unwrap();
    std::fs::write(codex.join("ig_1.png"), common::png(3)).unwrap();
    let lock = repo.read("assets.lock");
    for side in ["base.lock", "ours.lock", "theirs.lock"] {
        repo.write(side, &lock);
    }
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("adopt", vec!["adopt", "public/images/team.jpg"]),
        (
            "import",
            vec![
                "import",
                "--codex",
                "--latest",
                "--out",
                "public/images/covers/imported.png",
                "--prompt",
                "p",
            ],
        ),
        (
            "merge-lock",
            vec!["merge-lock", "base.lock", "ours.lock", "theirs.lock"],
        ),
        ("status", vec!["status"]),
        ("show", vec!["show", &path]),
        ("log", vec!["log", &path]),
        ("sites", vec!["sites"]),
        ("refs", vec!["refs"]),
        ("check", vec!["check"]),
        ("explain", vec!["explain"]),
        ("explain", vec!["explain", "AR004"]),
        ("cost", vec!["cost", "--by", "route"]),
        ("mv", vec!["mv", &path, "public/images/covers/boat.png"]),
        ("rm", vec!["rm", "public/images/covers/boat.png"]),
        ("hook", vec!["hook", "install"]),
        // Refusals print the error object, in the same schema.
        ("show", vec!["show", "public/images/none.png"]),
        (
            "generate",
            vec!["generate", "--prompt", "x", "--out", "../x.png"],
        ),
        (
            "record",
            vec![
                "record",
                "public/images/none.png",
                "--route",
                "manual",
                "--prompt",
                "p",
            ],
        ),
    ];
    for (i, (command, args)) in cases.into_iter().enumerate() {
        let output = json_of(&repo, &args);
        validate(&repo, command, &output);
        // The last three are refusals; the others must have succeeded.
        assert_eq!(output.get("error").is_some(), i >= 15, "{args:?}: {output}");
    }
}

#[test]
fn in_toto_export_is_one_valid_statement_per_asset() {
    let repo = Repo::site();
    for prompt in ["a paper boat", "a kite"] {
        repo.run(&["generate", "--prompt", prompt, "--kind", "cover"])
            .success();
    }
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/in-toto-statement-v1.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let run = repo.run(&["export", "--in-toto"]);
    run.success();
    let statuses = repo.run(&["status", "--format", "json"]).json();
    let assets = statuses["assets"].as_array().unwrap();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), assets.len(), "one statement per asset");
    for line in lines {
        let statement: Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&statement)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{statement:#}");
        let name = statement["subject"][0]["name"].as_str().unwrap();
        let file = repo.read(name);
        assert_eq!(
            statement["subject"][0]["digest"]["sha256"],
            common::sha256(&file)
        );
        assert!(statement["predicate"]["route"].is_string());
    }
    // One folder, and the JSON form.
    let covers = repo
        .run(&[
            "export",
            "--in-toto",
            "public/images/covers",
            "--format",
            "json",
        ])
        .json();
    let in_covers = assets
        .iter()
        .filter(|a| {
            a["path"]
                .as_str()
                .unwrap()
                .starts_with("public/images/covers/")
        })
        .count();
    assert!(in_covers >= 2);
    assert_eq!(covers["statements"].as_array().unwrap().len(), in_covers);
    validate(&repo, "export", &covers);
    let none = repo.run(&["export", "--in-toto", "public/nothing-here"]);
    assert_eq!(none.code, 2);
}

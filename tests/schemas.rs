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
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("adopt", vec!["adopt", "public/images/team.jpg"]),
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
    for (command, args) in cases {
        let output = json_of(&repo, &args);
        validate(&repo, command, &output);
    }
}

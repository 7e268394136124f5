//! The JSON Schema (2020-12) of what each command prints with `--format
//! json`: its report inside the `schema_version` envelope, or the error
//! object. `assetrail schema [COMMAND]` prints them; the MCP server gives
//! them as its tools' `outputSchema`; the tests validate every command's
//! output against them.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Value, json};

use crate::commands::{
    AssetsReport, check::CheckReport, cost::CostReport, explain::ExplainReport,
    export::ExportReport, hook::HookReport, init::InitReport, log::LogReport,
    merge_lock::MergeLockReport, mv::MvReport, refs::RefsReport, report::AuditReport, rm::RmReport,
    show::ShowReport, sites::SitesReport, status::StatusReport,
};
use crate::error::ErrorBody;

/// Makes a report type's schema.
pub type SchemaOf = fn(&mut SchemaGenerator) -> Schema;

/// Each command that prints a report, with its report's schema.
pub const COMMANDS: &[(&str, SchemaOf)] = &[
    ("init", InitReport::json_schema),
    ("generate", AssetsReport::json_schema),
    ("edit", AssetsReport::json_schema),
    ("regenerate", AssetsReport::json_schema),
    ("import", AssetsReport::json_schema),
    ("record", AssetsReport::json_schema),
    ("adopt", AssetsReport::json_schema),
    ("status", StatusReport::json_schema),
    ("show", ShowReport::json_schema),
    ("log", LogReport::json_schema),
    ("export", ExportReport::json_schema),
    ("report", AuditReport::json_schema),
    ("sites", SitesReport::json_schema),
    ("refs", RefsReport::json_schema),
    ("check", CheckReport::json_schema),
    ("explain", ExplainReport::json_schema),
    ("cost", CostReport::json_schema),
    ("mv", MvReport::json_schema),
    ("rm", RmReport::json_schema),
    ("merge-lock", MergeLockReport::json_schema),
    ("hook", HookReport::json_schema),
];

/// The schema of `command`'s `--format json` output (report or error), or
/// `None` for a command that prints no report.
pub fn for_command(command: &str) -> Option<Value> {
    let (_, report) = COMMANDS.iter().find(|(name, _)| *name == command)?;
    // The schema of what is printed (serialize contract): a field skipped
    // when empty is optional.
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut report = serde_json::to_value(report(&mut generator)).ok()?;
    let error = serde_json::to_value(ErrorBody::json_schema(&mut generator)).ok()?;
    let defs = serde_json::to_value(generator.definitions()).ok()?;
    let version = json!({ "type": "integer", "const": crate::output::SCHEMA_VERSION });
    if let Some(properties) = report["properties"].as_object_mut() {
        properties.insert("schema_version".into(), version.clone());
    }
    if let Some(required) = report["required"].as_array_mut() {
        required.push(json!("schema_version"));
    } else {
        report["required"] = json!(["schema_version"]);
    }
    let failed = json!({
        "type": "object",
        "properties": { "schema_version": version, "error": error },
        "required": ["schema_version", "error"],
        "additionalProperties": false,
    });
    Some(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("assetrail {command} --format json"),
        "type": "object",
        "anyOf": [report, failed],
        "$defs": defs,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_schema() {
        for (name, _) in COMMANDS {
            let schema = for_command(name).unwrap();
            assert_eq!(schema["type"], "object", "{name}");
            assert!(
                schema["anyOf"][0]["properties"]["schema_version"].is_object(),
                "{name}"
            );
        }
        assert!(for_command("completions").is_none());
    }
}

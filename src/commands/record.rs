//! `assetrail record PATH --route R --prompt P`: register an image that is
//! already in the repository and was produced elsewhere.

use crate::check;
use crate::cli::RecordArgs;
use crate::commands::AssetsReport;
use crate::error::{Error, Result};
use crate::image_file::Verify;
use crate::manifest::ManifestEntry;
use crate::provenance::{self, Content, NewAsset};
use crate::workspace::Workspace;

/// Runs `record`.
pub fn run(ws: &Workspace, args: &RecordArgs) -> Result<AssetsReport> {
    let path = ws.user_path(&args.path)?;
    let route = ws.config.route(&args.route)?;
    let manifest_route = route.manifest_route();
    let provenance = ManifestEntry {
        route_name: route.recorded_name(),
        route: manifest_route,
        credit: route.credit.clone(),
        kind: args.kind,
        model: args.model.clone().or_else(|| route.model.clone()),
        text_model: args.text_model.clone().or_else(|| route.text_model.clone()),
        provider: route.provider.clone(),
        channel: route.channel.clone(),
        prompt: Some(args.prompt.clone()),
        alt: Some(crate::placement::alt_text(&args.prompt)),
        revised_prompt: args.revised_prompt.clone(),
        size: args.size.clone(),
        quality: args.quality.clone(),
        background: args.background.clone(),
        request_id: args.request_id.clone(),
        response_id: args.response_id.clone(),
        source_path: args.source.clone(),
        thread_id: args.thread_id.clone(),
        ..ManifestEntry::default()
    };
    // Refuse what `check` would reject (AR008), naming what to add.
    let missing = check::missing_route_fields(&provenance);
    if !missing.is_empty() {
        let fields: Vec<String> = missing.iter().map(|m| format!("`{}`", m.field)).collect();
        let sources: Vec<&str> = missing.iter().map(|m| m.source).collect();
        return Err(Error::refused(
            format!(
                "route {} requires {} in the record, and none was given",
                args.route,
                fields.join(", ")
            ),
            format!(
                "add {} (check reports entries without them as AR008 incomplete-record)",
                sources.join(" and ")
            ),
        ));
    }
    let assets = provenance::commit(
        ws,
        vec![NewAsset {
            path,
            content: Content::InPlace,
            verify: Verify::Full,
            provenance,
            rename_if_taken: false,
        }],
        args.force,
        None,
    )?;
    Ok(AssetsReport {
        assets,
        ..AssetsReport::default()
    })
}

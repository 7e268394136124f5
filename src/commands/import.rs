//! `assetrail import --codex`: copy an image made by Codex's built-in image
//! tool into the repository byte for byte and record it (route `codex`,
//! credit `codex-credits`).

use crate::cli::ImportArgs;
use crate::commands::AssetsReport;
use crate::error::Result;
use crate::image_file::Verify;
use crate::manifest::ManifestEntry;
use crate::provenance::{self, Content, NewAsset};
use crate::routes::codex::{self, CodexSelector};
use crate::workspace::Workspace;

/// Runs `import`.
pub fn run(ws: &Workspace, args: &ImportArgs) -> Result<AssetsReport> {
    let out = ws.user_path(&args.out)?;
    let route = ws.config.route("codex")?;
    let selector = match &args.file {
        Some(file) => CodexSelector::File(file.clone()),
        None => CodexSelector::Latest {
            thread: args.thread_id.clone(),
        },
    };
    let image = codex::find(&codex::codex_home()?, &selector)?;
    let manifest_route = route.manifest_route();
    let provenance = ManifestEntry {
        route_name: route.recorded_name(),
        route: manifest_route,
        credit: route.credit.clone(),
        kind: args.kind,
        prompt: Some(args.prompt.clone()),
        alt: Some(crate::placement::alt_text(&args.prompt)),
        revised_prompt: args.revised_prompt.clone(),
        source_path: Some(image.source),
        thread_id: args.thread_id.clone().or(image.thread_id),
        ..ManifestEntry::default()
    };
    let assets = provenance::commit(
        ws,
        vec![NewAsset {
            path: out,
            content: Content::Bytes(image.bytes),
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

//! `assetrail adopt PATH…`: record hand-made images (route `manual`, credit
//! `none`). A folder adopts every unrecorded image below it.

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::cli::AdoptArgs;
use crate::commands::{AssetsReport, RefusedPath, Skipped};
use crate::error::{Error, Result};
use crate::image_file::{ImageInfo, Verify};
use crate::manifest::ManifestEntry;
use crate::provenance::{self, Content, NewAsset};
use crate::store;
use crate::workspace::Workspace;

/// Runs `adopt`.
pub fn run(ws: &Workspace, args: &AdoptArgs) -> Result<AssetsReport> {
    let route = ws.config.route("manual")?;
    let snapshot = ws.snapshot_manifest()?;
    let lock = &snapshot.lock;
    let mut ready: Vec<(String, Content)> = Vec::new();
    let mut skipped = Vec::new();
    let mut refused = Vec::new();
    for raw in &args.paths {
        let path = ws.user_path(raw)?;
        let abs = ws.abs(&path);
        if abs.is_dir() && !abs.is_symlink() {
            store::check_no_symlinks(ws.root(), &path)?;
            let mut fresh = Vec::new();
            for found in images_below(ws, &path) {
                if lock.contains(&found) && !args.force {
                    skipped.push(Skipped {
                        path: found,
                        reason: "already recorded".into(),
                    });
                } else {
                    fresh.push(found);
                }
            }
            // Inspected (read, checked, hashed) on every core, once: the
            // record reuses what was learned. One bad file in a folder is
            // reported; the others are still recorded.
            let root = ws.root();
            let inspected: Vec<(String, Result<ImageInfo>)> = fresh
                .into_par_iter()
                .map(|found| {
                    let info = provenance::inspect_at(root, &found, Verify::Header);
                    (found, info)
                })
                .collect();
            for (found, info) in inspected {
                match info {
                    Ok(info) => ready.push((found, Content::Inspected(Box::new(info)))),
                    Err(e) => refused.push(RefusedPath {
                        path: found,
                        error: e.to_string(),
                        hint: e.hint().map(str::to_owned),
                    }),
                }
            }
        } else {
            ready.push((path, Content::InPlace));
        }
    }
    ready.sort_by(|a, b| a.0.cmp(&b.0));
    ready.dedup_by(|a, b| a.0 == b.0);
    if ready.is_empty() && skipped.is_empty() && refused.is_empty() {
        return Err(Error::refused(
            format!("no images found in {}", args.paths.join(", ")),
            format!(
                "adopt files with one of the extensions {}",
                ws.config.extensions.join(", ")
            ),
        ));
    }
    let manifest_route = route.manifest_route();
    let assets: Vec<NewAsset> = ready
        .into_iter()
        .map(|(path, content)| NewAsset {
            path,
            content,
            verify: Verify::Header,
            provenance: ManifestEntry {
                route_name: route.recorded_name(),
                route: manifest_route.clone(),
                credit: route.credit.clone(),
                kind: args.kind,
                reason: args.reason.clone(),
                ..ManifestEntry::default()
            },
            rename_if_taken: false,
        })
        .collect();
    let assets = if assets.is_empty() {
        Vec::new()
    } else {
        provenance::commit(ws, assets, args.force, Some(snapshot))?
    };
    Ok(AssetsReport {
        assets,
        skipped,
        refused,
        ..AssetsReport::default()
    })
}

/// Image files below a folder, repo-relative, not following links.
pub fn images_below(ws: &Workspace, folder: &str) -> Vec<String> {
    let mut found: Vec<String> = WalkDir::new(ws.abs(folder))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(ws.root()).ok()?;
            let rel = rel.to_string_lossy().replace('\\', "/");
            ws.config.is_image_path(&rel).then_some(rel)
        })
        .collect();
    found.sort();
    found
}

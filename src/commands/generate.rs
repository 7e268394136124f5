//! `assetrail generate`: make images on a route, write them into a managed
//! folder and record them.

use crate::cli::GenerateArgs;
use crate::commands::AssetsReport;
use crate::config::{KindDefaults, RouteConfig, RouteType};
use crate::error::{Error, Result};
use crate::image_file::Verify;
use crate::image_options::{Background, ImageSize, OutputFormat, Quality};
use crate::manifest::Manifest;
use crate::provenance::{self, Content, NewAsset};
use crate::repo_path;
use crate::routes::local::LocalRoute;
use crate::routes::{GenerateRequest, ImageRoute, base_provenance};
use crate::store;
use crate::workspace::Workspace;

/// Runs `generate`. `format_flag` is an image format given as `--format`.
pub fn run(
    ws: &Workspace,
    args: &GenerateArgs,
    format_flag: Option<OutputFormat>,
) -> Result<AssetsReport> {
    let kind = args.kind.map(|k| &ws.config.kinds[&k]);
    let route_name = args
        .route
        .as_deref()
        .or(kind.and_then(|k| k.route.as_deref()))
        .unwrap_or(&ws.config.default_route);
    let route = ws.config.route(route_name)?;
    let out = args.out.as_deref().map(|o| ws.user_path(o)).transpose()?;
    let request = build_request(args, kind, out.as_deref(), format_flag)?;
    let generator = generator_for(route)?;
    let snapshot = ws.snapshot_manifest()?;
    let planned = plan_paths(
        ws,
        &snapshot.manifest,
        &request,
        kind,
        out.as_deref(),
        args.force,
    )?;

    if args.dry_run {
        let assets = planned
            .into_iter()
            .enumerate()
            .map(|(i, path)| {
                let mut entry = base_provenance(route, &request, i as u32);
                entry.path = path;
                entry
            })
            .collect();
        return Ok(AssetsReport {
            dry_run: true,
            assets,
            skipped: Vec::new(),
        });
    }

    let derived_names = out.as_deref().is_none_or(|o| ws.abs(o).is_dir());
    let images = generator.generate(&request)?;
    let assets = images
        .into_iter()
        .zip(planned)
        .map(|(image, path)| NewAsset {
            path,
            content: Content::Bytes(image.bytes),
            verify: Verify::Header,
            provenance: image.provenance,
            rename_if_taken: derived_names,
        })
        .collect();
    let assets = provenance::commit(ws, assets, args.force, Some(snapshot))?;
    Ok(AssetsReport {
        dry_run: false,
        assets,
        skipped: Vec::new(),
    })
}

/// The route implementation for a configured route, or why it cannot generate.
fn generator_for(route: &RouteConfig) -> Result<Box<dyn ImageRoute + '_>> {
    match route.route_type {
        RouteType::Local => Ok(Box::new(LocalRoute { config: route })),
        RouteType::Codex => Err(Error::refused(
            format!(
                "route {:?} (type codex) cannot generate: images on this route are made by Codex's own image tool",
                route.name
            ),
            "make the image in Codex, then bring it in with `assetrail import --codex --out PATH --prompt P`",
        )),
        RouteType::Manual => Err(Error::refused(
            format!(
                "route {:?} (type manual) cannot generate: it is for hand-made files",
                route.name
            ),
            "record a hand-made file with `assetrail adopt PATH`",
        )),
        RouteType::Images | RouteType::Responses | RouteType::Gateway => Err(Error::refused(
            format!(
                "route {:?} (type {}) is not available in this build",
                route.name, route.route_type
            ),
            "use --route local for an offline image, or record an image made elsewhere with `assetrail record PATH --route ROUTE --prompt P`",
        )),
    }
}

/// Applies kind defaults and flags, and refuses combinations that cannot succeed.
fn build_request(
    args: &GenerateArgs,
    kind: Option<&KindDefaults>,
    out: Option<&str>,
    format_flag: Option<OutputFormat>,
) -> Result<GenerateRequest> {
    let prompt = args.prompt.trim();
    if prompt.is_empty() {
        return Err(Error::usage(
            "--prompt is empty",
            "describe the image to make",
        ));
    }
    let out_format = match out.and_then(repo_path::extension) {
        None => None,
        Some(ext) => Some(ext.parse::<OutputFormat>().map_err(|_| {
            Error::refused(
                format!(
                    "--out {}: .{ext} images cannot be generated",
                    out.unwrap_or_default()
                ),
                "name the file .png, .webp or .jpg",
            )
        })?),
    };
    let explicit = match (args.output_format, format_flag) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::usage(
                format!("--output-format {a} and --format {b} disagree"),
                "give the image format once",
            ));
        }
        (a, b) => a.or(b),
    };
    if let (Some(explicit), Some(from_name)) = (explicit, out_format)
        && explicit != from_name
    {
        return Err(Error::refused(
            format!(
                "the format is {explicit} but --out names a .{} file",
                from_name.extension()
            ),
            format!(
                "name the file .{} or drop the format option",
                explicit.extension()
            ),
        ));
    }
    let format = explicit
        .or(out_format)
        .or(kind.map(|k| k.format))
        .unwrap_or(OutputFormat::Png);
    let background = args
        .background
        .or(kind.map(|k| k.background))
        .unwrap_or(Background::Auto);
    let background = match background {
        // A kind's transparent default yields to an explicitly opaque-only format.
        Background::Transparent if !format.supports_transparency() && args.background.is_none() => {
            Background::Opaque
        }
        Background::Transparent if !format.supports_transparency() => {
            return Err(Error::refused(
                format!("a transparent background needs png or webp, not {format}"),
                "pass --output-format png (or webp), or --background opaque",
            ));
        }
        other => other,
    };
    Ok(GenerateRequest {
        prompt: prompt.to_owned(),
        size: args
            .size
            .map(|s| s.0)
            .or(kind.map(|k| k.size))
            .unwrap_or(ImageSize::Auto),
        quality: args
            .quality
            .or(kind.map(|k| k.quality))
            .unwrap_or(Quality::Auto),
        background,
        format,
        n: args.n,
        kind: args.kind,
    })
}

/// The path of each of the `n` images, checked against the path policy before
/// any work is done. Names derived from the prompt move to a free sibling when
/// taken; names the user gave are refused when taken (unless `force`).
fn plan_paths(
    ws: &Workspace,
    manifest: &Manifest,
    request: &GenerateRequest,
    kind: Option<&KindDefaults>,
    out: Option<&str>,
    force: bool,
) -> Result<Vec<String>> {
    let ext = request.format.extension();
    // An existing folder as --out means "in there, with a name from the prompt".
    let out_folder = out.filter(|o| ws.abs(o).is_dir() && !ws.abs(o).is_symlink());
    let out = out.filter(|_| out_folder.is_none());
    let Some(out) = out else {
        let folder = out_folder.unwrap_or_else(|| {
            kind.map_or(ws.config.default_folder.as_str(), |k| k.folder.as_str())
        });
        let base = repo_path::join(folder, &format!("{}.{ext}", store::slug(&request.prompt)));
        store::check_managed(&ws.config, &base)?;
        store::check_no_symlinks(ws.root(), &base)?;
        let mut paths: Vec<String> = Vec::new();
        for _ in 0..request.n {
            let taken = |p: &str| {
                paths.iter().any(|q| q == p)
                    || manifest.get(p).is_some()
                    || ws.abs(p).symlink_metadata().is_ok()
            };
            let path = if taken(&base) {
                store::free_sibling(ws.root(), &base, &taken)
            } else {
                base.clone()
            };
            paths.push(path);
        }
        return Ok(paths);
    };
    let out = if repo_path::extension(out).is_none() {
        format!("{out}.{ext}")
    } else {
        out.to_owned()
    };
    let mut paths: Vec<String> = vec![out.clone()];
    for n in 2..=request.n {
        let parent = repo_path::parent(&out);
        let name = repo_path::file_name(&out);
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ext));
        paths.push(repo_path::join(parent, &format!("{stem}-{n}.{ext}")));
    }
    for (i, path) in paths.iter().enumerate() {
        let taken = |p: &str| paths[..i].iter().any(|q| q == p) || manifest.get(p).is_some();
        store::check_target(ws.root(), &ws.config, path, force, &taken)?;
    }
    Ok(paths)
}

//! `assetrail generate` and `assetrail edit`: make images on a route, write
//! them into a managed folder and record them (`--batch` is in [`super::batch`]).

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::atomic::{self, Existing};
use crate::cli::{EditArgs, GenerateArgs};
use crate::commands::AssetsReport;
use crate::config::{Config, KindDefaults, RouteConfig, RouteType};
use crate::error::{Error, Result};
use crate::image_file::{self, Verify};
use crate::image_options::{
    Background, Dimensions, ImageOptions, ImageSize, MAX_IMAGES, OutputFormat, Quality,
};
use crate::lock_file::LockFile;
use crate::provenance::{self, Content, NewAsset};
use crate::recorded::ImageFormat;
use crate::repo_path;
use crate::routes::gateway::gateway_route;
use crate::routes::images::ImagesRoute;
use crate::routes::local::LocalRoute;
use crate::routes::responses::ResponsesRoute;
use crate::routes::{
    EditInputs, GenerateRequest, GeneratedImage, ImageRoute, InputImage, base_provenance,
};
use crate::store;
use crate::workspace::Workspace;

/// One generation or edit: its prompt, the images an edit starts from, and
/// its [`ImageOptions`] — from the command line, or a batch file's `[[job]]`.
#[derive(Debug, Clone, Default)]
pub struct Job {
    /// What to draw or change.
    pub prompt: String,
    /// Edit inputs (repo-relative).
    pub inputs: Vec<String>,
    /// Edit mask.
    pub mask: Option<String>,
    /// Edit input fidelity.
    pub input_fidelity: Option<String>,
    /// Everything else the job asks for.
    pub options: ImageOptions,
}

impl Job {
    /// A job from the command line, where the image format may also be given
    /// as `--format`.
    pub(crate) fn from_cli(
        prompt: String,
        image: &ImageOptions,
        format_flag: Option<OutputFormat>,
    ) -> Result<Job> {
        let output_format = match (image.output_format, format_flag) {
            (Some(a), Some(b)) if a != b => {
                return Err(Error::usage(
                    format!("--output-format {a} and --format {b} disagree"),
                    "give the image format once",
                ));
            }
            (a, b) => a.or(b),
        };
        Ok(Job {
            prompt,
            options: ImageOptions {
                output_format,
                ..image.clone()
            },
            ..Job::default()
        })
    }
}

/// Runs `generate`. `format_flag` is an image format given as `--format`.
pub fn run(
    ws: &Workspace,
    args: &GenerateArgs,
    format_flag: Option<OutputFormat>,
) -> Result<AssetsReport> {
    if let Some(batch) = &args.batch {
        return super::batch::run(ws, batch, args.jobs as usize, &args.image, format_flag);
    }
    let prompt = args.prompt.clone().unwrap_or_default();
    run_job(ws, &Job::from_cli(prompt, &args.image, format_flag)?)
}

/// Runs `edit`.
pub fn run_edit(ws: &Workspace, args: &EditArgs) -> Result<AssetsReport> {
    let mut job = Job::from_cli(args.prompt.clone(), &args.image, None)?;
    job.inputs = args.inputs.clone();
    job.mask = args.mask.clone();
    job.input_fidelity = args.input_fidelity.clone();
    job.options.route.get_or_insert_with(|| "images".to_owned());
    run_job(ws, &job)
}

/// Runs one job to the end: validate, send, write, record.
pub fn run_job(ws: &Workspace, job: &Job) -> Result<AssetsReport> {
    let kind = job.options.kind.map(|k| &ws.config.kinds[&k]);
    let route_name = job
        .options
        .route
        .as_deref()
        .or(kind.and_then(|k| k.route.as_deref()))
        .unwrap_or(&ws.config.default_route);
    let route = ws.config.route(route_name)?;
    if let Some(text) = &job.options.text_model
        && route.route_type != RouteType::Responses
    {
        return Err(Error::refused(
            format!(
                "--text-model {text} applies to responses routes, and {:?} is a {} route",
                route.name, route.route_type
            ),
            "drop --text-model, or pick a responses route (type = \"responses\") with --route",
        ));
    }
    let out = job
        .options
        .out
        .as_deref()
        .map(|o| ws.user_path(o))
        .transpose()?;
    let (request, note) = resolve_request(&ws.config, route, job, kind, out.as_deref())?;
    let mut notes: Vec<String> = note.into_iter().collect();
    let edit = read_edit_inputs(ws, job)?;
    let generator = generator_for(&ws.config, route)?;
    generator.validate(&request, edit.as_ref())?;
    let snapshot = ws.snapshot_manifest()?;
    let planned = plan_paths(
        ws,
        &snapshot.lock,
        &request,
        kind,
        out.as_deref(),
        job.options.force,
    )?;

    if job.options.dry_run {
        let assets = planned
            .into_iter()
            .enumerate()
            .map(|(i, path)| {
                let mut entry = base_provenance(route, &request, i as u32);
                entry.path = path;
                entry.model = request.model.clone().or_else(|| route.model.clone());
                if let Some(edit) = &edit {
                    entry.parents = edit.parents();
                }
                entry
            })
            .collect();
        return Ok(AssetsReport {
            dry_run: true,
            assets,
            requests: generator
                .plan(&request, edit.as_ref())?
                .into_iter()
                .collect(),
            ..AssetsReport::default()
        });
    }

    let first = planned.first().cloned().unwrap_or_default();
    // Partials land only once the final image is recorded, under the same
    // rules as every write; where they go is checked before anything is sent.
    let partial_paths = partial_paths(ws, job, &first, request.partial_images)?;
    let mut received: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut partials = |index: u32, bytes: &[u8]| {
        show_partial(index, bytes);
        if !partial_paths.is_empty() {
            received.push((index, bytes.to_vec()));
        }
    };
    let images = generator.generate(&request, edit.as_ref(), &mut partials)?;
    // Fewer images than asked for: what came back is recorded, and the run
    // says so and exits 1 rather than passing for a full success.
    let shortfall = (images.len() < request.n as usize).then(|| Shortfall {
        prompt: job.prompt.clone(),
        asked: request.n,
        received: u32::try_from(images.len()).unwrap_or(u32::MAX),
    });
    let derived_names = out.as_deref().is_none_or(|o| ws.abs(o).is_dir());
    let mut assets = Vec::new();
    for (image, path) in images.into_iter().zip(planned) {
        if let Some(target) = request.crop_to {
            assets.extend(cropped(
                ws,
                &snapshot.lock,
                image,
                &path,
                target,
                request.format,
            )?);
            continue;
        }
        assets.push(NewAsset {
            path,
            content: Content::Bytes(image.bytes),
            verify: Verify::Header,
            provenance: image.provenance,
            rename_if_taken: derived_names,
        });
    }
    let assets = provenance::commit(ws, assets, job.options.force, Some(snapshot))?;
    notes.extend(
        assets
            .iter()
            .filter(|a| a.transparent_pixels == Some(false))
            .map(|a| {
                format!(
                    "{}: a transparent background was asked for, but every pixel is opaque (recorded as transparent_pixels = false); the model or gateway may not support transparency",
                    a.path
                )
            }),
    );
    for (index, bytes) in received {
        if let Some(path) = partial_paths.get(index as usize) {
            let existing = if job.options.force {
                Existing::Replace
            } else {
                Existing::Keep
            };
            if let Err(e) = atomic::write(&ws.abs(path), &bytes, existing) {
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: partial image {path} not saved: {e}"
                );
            }
        }
    }
    Ok(AssetsReport {
        assets,
        notes,
        shortfalls: shortfall.into_iter().collect(),
        ..AssetsReport::default()
    })
}

/// A generated image at the nearest size the model takes, and its crop to the
/// kind's exact size: the original is recorded beside the planned path
/// (`NAME-WxH.EXT`), the crop at the planned path with the original as its
/// `cropped` parent. The bill is the original's; the crop records no cost.
fn cropped(
    ws: &Workspace,
    lock: &LockFile,
    image: GeneratedImage,
    path: &str,
    target: Dimensions,
    format: OutputFormat,
) -> Result<Vec<NewAsset>> {
    use sha2::Digest as _;
    let decoded = image::load_from_memory(&image.bytes).map_err(|e| {
        Error::refused(
            format!("the generated image for {path} could not be decoded to crop it: {e}"),
            "generate it without --kind social, or at an explicit --size",
        )
    })?;
    let (width, height) = (decoded.width(), decoded.height());
    let (w, h) = (target.width.min(width), target.height.min(height));
    let crop = decoded.crop_imm((width - w) / 2, (height - h) / 2, w, h);
    let mut bytes = std::io::Cursor::new(Vec::new());
    let encoded = match format {
        OutputFormat::Jpeg => crop
            .to_rgb8()
            .write_to(&mut bytes, image::ImageFormat::Jpeg),
        OutputFormat::Webp => crop
            .to_rgba8()
            .write_to(&mut bytes, image::ImageFormat::WebP),
        OutputFormat::Png => crop.write_to(&mut bytes, image::ImageFormat::Png),
    };
    encoded.map_err(|e| {
        Error::refused(
            format!("the crop of {path} could not be encoded: {e}"),
            "try --output-format png",
        )
    })?;
    let name = repo_path::file_name(path);
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, format.extension()));
    let original = repo_path::join(
        repo_path::parent(path),
        &format!("{stem}-{width}x{height}.{ext}"),
    );
    let taken = |p: &str| p == path || lock.contains(p) || ws.abs(p).symlink_metadata().is_ok();
    let original = if taken(&original) {
        store::free_sibling(ws.root(), &original, &taken)
    } else {
        original
    };
    let mut derived = image.provenance.clone();
    derived.size = Some(format!("{w}x{h}"));
    derived.cost_estimate_usd = None;
    derived.price_table = None;
    derived.price_source = None;
    derived.usage = None;
    derived.cost_note = Some(format!("a crop of {original}; the image is billed there"));
    derived.parents.push(crate::manifest::Parent {
        path: original.clone(),
        sha256: crate::git::hex(&sha2::Sha256::digest(&image.bytes)),
        role: crate::recorded::ParentRole::Cropped,
        ..crate::manifest::Parent::default()
    });
    Ok(vec![
        NewAsset {
            path: original,
            content: Content::Bytes(image.bytes),
            verify: Verify::Header,
            provenance: image.provenance,
            rename_if_taken: true,
        },
        NewAsset {
            path: path.to_owned(),
            content: Content::Bytes(bytes.into_inner()),
            verify: Verify::Header,
            provenance: derived,
            rename_if_taken: false,
        },
    ])
}

/// A generation that returned fewer images than it asked for.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Shortfall {
    /// The job's prompt.
    pub prompt: String,
    /// Images asked for (`n`).
    pub asked: u32,
    /// Images the route returned (all of them recorded).
    pub received: u32,
}

/// Shows a streamed preview's arrival on a terminal.
fn show_partial(index: u32, bytes: &[u8]) {
    let mut stderr = std::io::stderr();
    if stderr.is_terminal() {
        let _ = writeln!(
            stderr,
            "partial image {} received ({} bytes)",
            index + 1,
            bytes.len()
        );
    }
}

/// Where `--save-partials` puts each of `count` partial previews of the image
/// planned at `first`: `STEM.partial-N.EXT` in the folder, taken like `--out`
/// (inside the repository, no link on the way, no overwrite without
/// `--force`). Named after the planned image, so two jobs never share one.
fn partial_paths(ws: &Workspace, job: &Job, first: &str, count: u32) -> Result<Vec<String>> {
    let Some(dir) = &job.options.save_partials else {
        return Ok(Vec::new());
    };
    let raw = dir.to_string_lossy();
    let dir = ws.user_path(&raw)?;
    let name = repo_path::file_name(first);
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "png"));
    let paths: Vec<String> = (0..count)
        .map(|i| repo_path::join(&dir, &format!("{stem}.partial-{i}.{ext}")))
        .collect();
    for path in &paths {
        if store::no_symlinks(ws.root(), path)?.is_some() && !job.options.force {
            return Err(Error::refused(
                format!("{path} already exists"),
                "save the partials elsewhere, or pass --force to replace them",
            ));
        }
    }
    if let Some(abs) = paths.first().map(|p| ws.abs(p))
        && let Some(parent) = abs.parent()
    {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    Ok(paths)
}

/// The route implementation for a configured route, or why it cannot generate.
fn generator_for<'a>(
    config: &'a Config,
    route: &'a RouteConfig,
) -> Result<Box<dyn ImageRoute + 'a>> {
    match route.route_type {
        RouteType::Local => Ok(Box::new(LocalRoute {
            config: route,
            site_name: config.site_name.as_deref(),
        })),
        RouteType::Images => Ok(Box::new(ImagesRoute { config, route })),
        RouteType::Responses => Ok(Box::new(ResponsesRoute { config, route })),
        RouteType::Gateway => Ok(Box::new(gateway_route(config, route))),
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
    }
}

/// Reads and checks an edit's inputs and mask.
fn read_edit_inputs(ws: &Workspace, job: &Job) -> Result<Option<EditInputs>> {
    if job.inputs.is_empty() {
        if job.mask.is_some() || job.input_fidelity.is_some() {
            return Err(Error::usage(
                "--mask and --input-fidelity need --input",
                "pass the image to edit with --input PATH",
            ));
        }
        return Ok(None);
    }
    let read = |raw: &str| -> Result<InputImage> {
        let path = ws.user_path(raw)?;
        let abs = ws.abs(&path);
        // Inputs are read through the same rules as every write: no link on
        // the way, so an input cannot reach outside the repository.
        match store::no_symlinks(ws.root(), &path)? {
            Some(meta) if meta.is_file() => {}
            _ => {
                return Err(Error::refused(
                    format!("{path} is not an image file in the repository"),
                    "pass an image inside the repository with --input",
                ));
            }
        }
        let claimed = repo_path::extension(&path)
            .and_then(|e| image_file::format_of_extension(&e))
            .unwrap_or(ImageFormat::Png);
        let info = image_file::inspect_file(&abs, claimed, Verify::Header)?;
        let bytes = std::fs::read(&abs).map_err(|e| Error::io(&abs, e))?;
        Ok(InputImage {
            path,
            bytes,
            sha256: info.sha256,
            format: info.format,
            width: info.width.unwrap_or(0),
            height: info.height.unwrap_or(0),
        })
    };
    Ok(Some(EditInputs {
        images: job.inputs.iter().map(|i| read(i)).collect::<Result<_>>()?,
        mask: job.mask.as_deref().map(read).transpose()?,
        input_fidelity: job.input_fidelity.clone(),
    }))
}

/// The route request for a job: its options merged with the kind's defaults
/// and settled against the route's model in one step, with combinations that
/// cannot succeed refused; also any note on a default that had to yield.
fn resolve_request(
    config: &Config,
    route: &RouteConfig,
    job: &Job,
    kind: Option<&KindDefaults>,
    out: Option<&str>,
) -> Result<(GenerateRequest, Option<String>)> {
    let prompt = job.prompt.trim();
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
    if let (Some(explicit), Some(from_name)) = (job.options.output_format, out_format)
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
    let format = job
        .options
        .output_format
        .or(out_format)
        .or(kind.map(|k| k.format))
        .unwrap_or(OutputFormat::Png);
    let background = job
        .options
        .background
        .or(kind.map(|k| k.background))
        .unwrap_or(Background::Auto);
    let background = match background {
        // A kind's transparent default yields to an explicitly opaque-only format.
        Background::Transparent
            if !format.supports_transparency() && job.options.background.is_none() =>
        {
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
    let size = job
        .options
        .size
        .or(kind.map(|k| k.size))
        .unwrap_or(ImageSize::Auto);
    let n = job.options.n.unwrap_or(1);
    if !(1..=MAX_IMAGES).contains(&n) {
        return Err(Error::refused(
            format!("n = {n} is out of range"),
            format!("ask for 1 to {MAX_IMAGES} images"),
        ));
    }
    let mut request = GenerateRequest {
        prompt: prompt.to_owned(),
        background_from_kind: job.options.background.is_none(),
        size,
        quality: job
            .options
            .quality
            .or(kind.map(|k| k.quality))
            .unwrap_or(Quality::Auto),
        background,
        format,
        n,
        kind: job.options.kind,
        model: job.options.model.clone(),
        text_model: job.options.text_model.clone(),
        compression: job.options.output_compression,
        partial_images: job.options.partial_images.unwrap_or(0),
        allow_preview: job.options.allow_preview,
        title: job.options.title.clone(),
        subtitle: job.options.subtitle.clone(),
        badge: job.options.badge,
        crop_to: None,
    };
    let mut note = crate::routes::validate::settle_kind_background(config, route, &mut request);
    // A kind's size the models do not take (the 1200x630 social card) is
    // asked for at the nearest size they do.
    if route.route_type.is_api()
        && job.options.size.is_none()
        && let ImageSize::Exact(wanted) = request.size
        && crate::image_options::check_model_size_rules(wanted).is_err()
    {
        let nearest = crate::image_options::nearest_model_size(wanted);
        request.size = ImageSize::Exact(nearest);
        request.crop_to = Some(wanted);
        note.get_or_insert(format!(
            "the kind's size {wanted} is not one the image models take: generated at {nearest}, the nearest, and cropped to {wanted} (the original is kept as the crop's parent)"
        ));
    }
    Ok((request, note))
}

/// The path of each of the `n` images, checked against the path policy before
/// any work is done. Names derived from the prompt move to a free sibling when
/// taken; names the user gave are refused when taken (unless `force`).
fn plan_paths(
    ws: &Workspace,
    manifest: &LockFile,
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
                    || manifest.contains(p)
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
        let taken = |p: &str| paths[..i].iter().any(|q| q == p) || manifest.contains(p);
        store::check_target(ws.root(), &ws.config, path, force, &taken)?;
    }
    Ok(paths)
}

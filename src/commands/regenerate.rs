//! `assetrail regenerate PATH… | --where KEY=VALUE --route R`: make recorded
//! assets again on another route from their own prompt, kind, size, quality
//! and format — a placeholder from the offline route replaced by
//! a real generation. Each image is written back at its own path, so every
//! reference to it stays valid, and the file it replaces is kept as the new
//! entry's parent.

use super::AssetsReport;
use super::batch;
use super::generate::Job;
use crate::cli::RegenerateArgs;
use crate::error::{Error, Result};
use crate::image_options::ImageOptions;
use crate::manifest::ManifestEntry;
use crate::workspace::Workspace;

/// The record fields `--where` can select on.
const KEYS: &str = "route, kind, credit, model, placeholder";

/// One `--where KEY=VALUE`.
struct Filter {
    key: String,
    value: String,
}

impl Filter {
    fn parse(raw: &str) -> Result<Filter> {
        let usage = || {
            Error::usage(
                format!("--where {raw:?} is not KEY=VALUE with a known key"),
                format!("select by one of {KEYS}, e.g. --where route=local"),
            )
        };
        let (key, value) = raw.split_once('=').ok_or_else(usage)?;
        if !KEYS.split(", ").any(|k| k == key) {
            return Err(usage());
        }
        Ok(Filter {
            key: key.to_owned(),
            value: value.to_owned(),
        })
    }

    fn matches(&self, entry: &ManifestEntry) -> bool {
        let actual = match self.key.as_str() {
            "route" => entry.route.to_string(),
            "kind" => entry.kind.map(|k| k.to_string()).unwrap_or_default(),
            "credit" => entry.credit.to_string(),
            "model" => entry.model.clone().unwrap_or_default(),
            _ => entry.placeholder.to_string(),
        };
        actual == self.value
    }
}

/// Runs `regenerate`.
pub fn run(ws: &Workspace, args: &RegenerateArgs) -> Result<AssetsReport> {
    let scopes = args
        .paths
        .iter()
        .map(|p| ws.user_scope(p))
        .collect::<Result<Vec<_>>>()?;
    let filters = args
        .filters
        .iter()
        .map(|f| Filter::parse(f))
        .collect::<Result<Vec<_>>>()?;
    if scopes.is_empty() && filters.is_empty() {
        return Err(Error::usage(
            "name the assets to regenerate",
            "pass paths or folders, or a selection such as --where route=local",
        ));
    }
    if args.image.route.is_none() {
        return Err(Error::usage(
            "regenerate needs the route to make the images on",
            "pass --route, e.g. --route images",
        ));
    }
    if args.image.out.is_some() {
        return Err(Error::usage(
            "regenerate writes each asset back at its own path",
            "drop --out; to make a new asset elsewhere use `assetrail generate --out PATH`",
        ));
    }
    let manifest = ws.load_manifest()?;
    let selected: Vec<&ManifestEntry> = manifest
        .assets
        .iter()
        .filter(|e| {
            scopes.is_empty()
                || scopes.iter().any(|s| {
                    s.is_empty()
                        || e.path == *s
                        || e.path
                            .strip_prefix(s.as_str())
                            .is_some_and(|r| r.starts_with('/'))
                })
        })
        .filter(|e| filters.iter().all(|f| f.matches(e)))
        .collect();
    if selected.is_empty() {
        return Err(Error::refused(
            "no recorded asset matches",
            "list the recorded assets with `assetrail status`",
        ));
    }
    let jobs = selected
        .iter()
        .map(|entry| job_for(entry, &args.image))
        .collect::<Result<Vec<_>>>()?;
    batch::run_jobs(ws, &jobs, args.jobs as usize, args.image.dry_run)
}

/// The job that makes `entry` again: its own prompt, kind, size, quality and
/// format, under the options given on the command line, written over itself.
/// The background is left to the kind, so it is settled for the new route.
fn job_for(entry: &ManifestEntry, given: &ImageOptions) -> Result<Job> {
    let prompt = entry.prompt.clone().ok_or_else(|| {
        Error::refused(
            format!("{} records no prompt to make it from", entry.path),
            format!(
                "record its prompt first: assetrail record {} --route R --prompt P --force",
                entry.path
            ),
        )
    })?;
    let recorded = ImageOptions {
        kind: entry.kind,
        out: Some(entry.path.clone()),
        size: entry.size.as_deref().and_then(|s| s.parse().ok()),
        quality: entry.quality.as_deref().and_then(|q| q.parse().ok()),
        output_format: entry.format.as_output(),
        force: true,
        ..ImageOptions::default()
    };
    Ok(Job {
        prompt,
        options: given.clone().or(&recorded),
        ..Job::default()
    })
}

//! `assetrail generate --batch FILE`: the jobs of a TOML file, each a
//! `[[job]]` table, run a few at a time; one job's failure never stops the
//! others, and a mistake in the file stops the run before anything is sent.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::generate::{Job, run_job};
use crate::commands::AssetsReport;
use crate::error::{Error, ErrorBody, Location, Result};
use crate::image_options::{ImageOptions, OutputFormat};
use crate::interrupt;
use crate::workspace::Workspace;

/// A batch job that was not started (the run was interrupted).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NotRun {
    /// 1-based position of the job in the file.
    pub job: usize,
    /// Its prompt.
    pub prompt: String,
}

/// A batch job that failed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BatchFailure {
    /// 1-based position of the job in the file.
    pub job: usize,
    /// Its prompt.
    pub prompt: String,
    /// What went wrong and how to fix it, as a top-level error prints it.
    pub error: ErrorBody,
}

/// One `[[job]]` table, each key and value with where it was written.
type JobTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchFile {
    #[serde(rename = "job", default)]
    jobs: Vec<Spanned<JobTable>>,
}

/// The keys of a job that are its own rather than [`ImageOptions`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JobOwn {
    prompt: Option<String>,
    #[serde(default)]
    inputs: Vec<String>,
    mask: Option<String>,
    input_fidelity: Option<String>,
}

const OWN_KEYS: [&str; 4] = ["prompt", "inputs", "mask", "input_fidelity"];

/// Reads a batch file into its jobs, or says which key of which job is wrong
/// and where (`FILE:LINE:COL`).
pub fn parse(file: &Path) -> Result<Vec<Job>> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let shown = file.display().to_string();
    let hint = || {
        format!(
            "each [[job]] takes prompt, and optionally inputs, mask, input_fidelity, {}",
            ImageOptions::batch_keys().join(", ")
        )
    };
    let refuse = |at: usize, message: &str| Error::Usage {
        message: format!(
            "{}: {}",
            Location::from_offset(&shown, &text, at),
            message.trim_end()
        ),
        hint: Some(hint()),
    };
    let batch: BatchFile =
        toml::from_str(&text).map_err(|e| refuse(e.span().map_or(0, |s| s.start), e.message()))?;
    if batch.jobs.is_empty() {
        return Err(Error::usage(
            format!("{shown} has no [[job]] tables"),
            "add [[job]] tables with at least a prompt",
        ));
    }
    batch
        .jobs
        .into_iter()
        .map(|table| {
            let at = table.span().start;
            let (own, options): (JobTable, JobTable) = table
                .into_inner()
                .into_iter()
                .partition(|(key, _)| OWN_KEYS.contains(&key.get_ref().as_str()));
            let own: JobOwn = read_table(own)
                .map_err(|(span, why)| refuse(span.map_or(at, |s| s.start), &why))?;
            let options: ImageOptions = read_table(options)
                .map_err(|(span, why)| refuse(span.map_or(at, |s| s.start), &why))?;
            let Some(prompt) = own.prompt else {
                return Err(refuse(at, "this job has no prompt"));
            };
            Ok(Job {
                prompt,
                inputs: own.inputs,
                mask: own.mask,
                input_fidelity: own.input_fidelity,
                options,
            })
        })
        .collect()
}

/// Reads a table into `T`; on failure, names the key that is wrong and the
/// span to point at (the value's, or for an unknown key the key's own).
fn read_table<T: DeserializeOwned>(
    table: JobTable,
) -> std::result::Result<T, (Option<Range<usize>>, String)> {
    let plain = |entries: &mut dyn Iterator<Item = (&Spanned<String>, &Spanned<toml::Value>)>| {
        toml::Value::Table(
            entries
                .map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone()))
                .collect(),
        )
    };
    let error = match plain(&mut table.iter()).try_into::<T>() {
        Ok(read) => return Ok(read),
        Err(error) => error,
    };
    // Try each key alone: the first that fails on its own is the culprit.
    for (key, value) in &table {
        if let Err(alone) = plain(&mut std::iter::once((key, value))).try_into::<T>() {
            let message = alone.message().trim_end().to_owned();
            return Err(if message.starts_with("unknown field") {
                (Some(key.span()), message)
            } else if message.starts_with(key.get_ref().as_str()) {
                (Some(value.span()), message)
            } else {
                (Some(value.span()), format!("{}: {message}", key.get_ref()))
            });
        }
    }
    Err((None, error.message().trim_end().to_owned()))
}

/// Runs every job of a batch file, `workers` at a time; each success is
/// recorded as it lands, each failure reported.
pub fn run(
    ws: &Workspace,
    file: &Path,
    workers: usize,
    defaults: &ImageOptions,
    format_flag: Option<OutputFormat>,
) -> Result<AssetsReport> {
    let jobs = parse(file)?;
    let base = Job::from_cli(String::new(), defaults, format_flag)?;
    if let Some(out) = &base.options.out
        && !ws.abs(&ws.user_path(out)?).is_dir()
    {
        return Err(Error::usage(
            format!("with --batch, --out names a folder, and {out} is not one"),
            "create the folder first, or give each [[job]] its own out",
        ));
    }
    let jobs: Vec<Job> = jobs
        .into_iter()
        .map(|job| Job {
            options: job.options.or(&base.options),
            ..job
        })
        .collect();
    run_jobs(ws, &jobs, workers, base.options.dry_run)
}

/// Runs `jobs`, `workers` at a time; each success is recorded as it lands,
/// each failure reported, and Ctrl-C stops starting new ones.
pub fn run_jobs(
    ws: &Workspace,
    jobs: &[Job],
    workers: usize,
    dry_run: bool,
) -> Result<AssetsReport> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<AssetsReport>)>> = Mutex::new(Vec::new());
    let show_progress = std::io::stderr().is_terminal();
    let total = jobs.len();
    let root = ws.root().to_path_buf();
    interrupt::watch();
    std::thread::scope(|scope| {
        for _ in 0..workers.min(total) {
            scope.spawn(|| {
                // git2 handles are per thread: each worker opens the repository.
                let worker_ws = Workspace::open(Some(&root));
                while !interrupt::requested() {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(index) else { break };
                    let outcome = match &worker_ws {
                        Ok(ws) => run_job(ws, job),
                        Err(e) => Err(Error::refused(
                            e.to_string(),
                            "fix the repository setup and run again",
                        )),
                    };
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((index, outcome));
                    let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if show_progress {
                        let _ = write!(std::io::stderr(), "\r[{finished}/{total}] jobs done");
                    }
                }
            });
        }
    });
    if show_progress {
        let _ = writeln!(std::io::stderr());
    }
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(index, _)| *index);
    let mut report = AssetsReport {
        dry_run,
        interrupted: interrupt::requested(),
        ..AssetsReport::default()
    };
    let ran: Vec<usize> = results.iter().map(|(index, _)| *index).collect();
    report.not_run = (0..total)
        .filter(|i| !ran.contains(i))
        .map(|i| NotRun {
            job: i + 1,
            prompt: jobs[i].prompt.clone(),
        })
        .collect();
    for (index, outcome) in results {
        match outcome {
            Ok(mut done) => {
                report.assets.append(&mut done.assets);
                report.requests.append(&mut done.requests);
                report.shortfalls.append(&mut done.shortfalls);
                report.notes.append(&mut done.notes);
            }
            Err(e) => report.failures.push(BatchFailure {
                job: index + 1,
                prompt: jobs[index].prompt.clone(),
                error: ErrorBody::from(&e),
            }),
        }
    }
    Ok(report)
}

//! Command-line definitions (clap derive). Parsing only: no behaviour here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::AssetKind;
use crate::finding::FindingCode;
use crate::image_options::{ImageOptions, OutputFormat};

/// assetrail: generate, record and check the provenance of a site's images.
#[derive(Debug, Parser)]
#[command(name = "assetrail", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// Repository to work in (default: the git repository around the current folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub repo: Option<PathBuf>,

    /// Output: text for people, json for programs. `generate` and `import` also
    /// take png, webp or jpeg here as the image format.
    #[arg(long, global = true, value_name = "FORMAT", default_value = "text", value_parser = parse_format)]
    pub format: FormatArg,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The value of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    /// Human-readable text.
    Text,
    /// JSON with a `schema_version`.
    Json,
    /// SARIF 2.1.0 (`check` only).
    Sarif,
    /// GitHub Actions annotations (`check` only).
    Github,
    /// Image format, for commands that write images.
    Image(OutputFormat),
}

fn parse_format(value: &str) -> Result<FormatArg, String> {
    match value {
        "text" => Ok(FormatArg::Text),
        "json" => Ok(FormatArg::Json),
        "sarif" => Ok(FormatArg::Sarif),
        "github" => Ok(FormatArg::Github),
        other => other.parse::<OutputFormat>().map(FormatArg::Image).map_err(|_| {
            format!("unknown format {other:?} (expected text or json; check also takes sarif and github, generate the image formats png, webp, jpeg)")
        }),
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write assets.toml (from the documented example) and an empty assets.lock.
    Init(InitArgs),
    /// Generate images on a route and record them.
    Generate(GenerateArgs),
    /// Edit images on an API route; the inputs and mask are recorded as parents.
    Edit(EditArgs),
    /// Make recorded assets again on another route from their own prompt and
    /// options (a placeholder replaced by a real generation), each at its own
    /// path, the replaced file kept as its parent.
    Regenerate(RegenerateArgs),
    /// Copy an image made elsewhere (Codex's image tool) into the repo and record it.
    Import(ImportArgs),
    /// Record an image already in the repo that was produced elsewhere.
    Record(RecordArgs),
    /// Record hand-made images (route manual).
    Adopt(AdoptArgs),
    /// List recorded assets with their state, and untracked images.
    #[command(visible_alias = "ls")]
    Status,
    /// Show one asset's manifest entry in full.
    Show(ShowArgs),
    /// List every image reference in the site's sources and what it resolves to.
    Refs(RefsArgs),
    /// Show each site found: framework, static folders, base path, origins,
    /// aliases, and where each setting came from.
    Sites,
    /// Check that every asset is recorded, unchanged and referenced, and every reference resolves.
    Check(CheckArgs),
    /// Explain a finding code: what it finds, why it matters, how to fix it.
    Explain(ExplainArgs),
    /// Estimated spend per credit source (never summed across sources).
    Cost {
        /// Break each credit source down by credit, route, model, kind or month.
        #[arg(long, value_enum, default_value = "credit")]
        by: crate::commands::cost::CostBy,
        /// Only assets recorded on or after this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// Move an asset: the file, its entry (provenance kept) and every strong
    /// reference to it. Also records a move already made with git mv.
    Mv(MvArgs),
    /// Remove assets: file and entry (--keep-file keeps the file).
    Rm(RmArgs),
    /// Merge assets.lock by asset (git's merge driver: BASE OURS THEIRS), or
    /// settle a conflicted one with --resolve.
    MergeLock(MergeLockArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `assetrail man > assetrail.1`.
    Man,
    /// An asset's lineage: its entry, its parents recursively, the commits
    /// that changed it (following moves) and how its entry changed in each.
    Log {
        /// The asset (repo-relative); it may have been removed since.
        path: String,
    },
    /// Write the audit page: one self-contained HTML file with a card per
    /// asset (thumbnail, prompt, route, credit, cost, references, findings,
    /// lineage), filters, and spend per credit source.
    Report {
        /// Where to write the page (e.g. assets-report.html).
        #[arg(long, value_name = "OUT", required = true)]
        html: PathBuf,
    },
    /// Export provenance for signing: `--in-toto` prints one in-toto
    /// Statement v1 per asset (JSON Lines; `--format json` wraps them).
    Export {
        /// in-toto Statements v1 (the only export format).
        #[arg(long, required = true)]
        in_toto: bool,
        /// Assets or folders (default: every asset).
        paths: Vec<String>,
    },
    /// Print the JSON Schema of a command's `--format json` output (all
    /// commands, keyed by name, without one).
    Schema {
        /// The command, e.g. `check`.
        command: Option<String>,
    },
    /// Serve the Model Context Protocol on stdio, for coding agents (both
    /// the 2026-07-28 and the legacy `initialize` protocol eras).
    Mcp,
    /// Install the pre-commit hook.
    Hook {
        /// What to do.
        #[command(subcommand)]
        action: HookAction,
    },
}

/// `hook` subcommands.
#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Run `assetrail check --staged` before each commit.
    Install(HookInstallArgs),
}

/// `hook install`.
#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// Where to install: a plain git hook, or the project's hook manager.
    #[arg(long, value_enum, default_value = "git")]
    pub framework: crate::commands::hook::HookFramework,
    /// Replace an existing hook that is not assetrail's.
    #[arg(long)]
    pub force: bool,
}

/// `mv`.
#[derive(Debug, Args)]
pub struct MvArgs {
    /// The asset's path now.
    pub old: String,
    /// Where it goes (inside a managed folder).
    pub new: String,
    /// Print the diff of the sources and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Assets, or folders of assets, to remove.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Remove the entry only; leave the file.
    #[arg(long)]
    pub keep_file: bool,
}

/// `merge-lock`.
#[derive(Debug, Args)]
pub struct MergeLockArgs {
    /// The common ancestor's assets.lock (git's %O; empty when both sides added it).
    #[arg(required_unless_present = "resolve")]
    pub base: Option<PathBuf>,
    /// Our assets.lock (git's %A); the merge is written over it.
    #[arg(required_unless_present = "resolve")]
    pub ours: Option<PathBuf>,
    /// Their assets.lock (git's %B).
    #[arg(required_unless_present = "resolve")]
    pub theirs: Option<PathBuf>,
    /// Settle the work tree's assets.lock after a merge, rebase or cherry-pick
    /// stopped on it: each conflict takes the entry whose sha256 is the file's.
    #[arg(long, conflicts_with_all = ["base", "ours", "theirs"])]
    pub resolve: bool,
    /// With --resolve: take this side for every conflict.
    #[arg(long, value_enum, requires = "resolve")]
    pub take: Option<crate::lock_merge::Side>,
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Judge what is staged (the index) instead of the work tree.
    #[arg(long)]
    pub staged: bool,
    /// Only report findings about these files or folders (orphans are still judged on the whole repository).
    pub paths: Vec<String>,
}

/// `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A finding code (AR004) or name (orphan-asset); all rules when omitted.
    #[arg(value_parser = parse_code)]
    pub code: Option<FindingCode>,
}

fn parse_code(value: &str) -> Result<FindingCode, String> {
    let upper = value.to_ascii_uppercase();
    FindingCode::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == upper || c.name() == value)
        .ok_or_else(|| {
            let all = crate::finding::FindingCode::ALL;
            format!(
                "unknown finding code {value:?} (expected {} to {}, or a rule name such as orphan-asset)",
                all[0],
                all[all.len() - 1]
            )
        })
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace existing assets.toml and assets.lock.
    #[arg(long)]
    pub force: bool,
    /// Also install the pre-commit hook (`assetrail hook install`).
    #[arg(long)]
    pub hook: bool,
    /// Set up coding agents for `assetrail mcp` (comma-separated: codex,
    /// claude, cursor, gemini), with an AGENTS.md section and the assetrail
    /// skill. In a repository already set up, only the agents are.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "AGENTS")]
    pub agents: Vec<crate::commands::agents::Agent>,
}

/// `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// What to draw.
    #[arg(long, short = 'p', required_unless_present = "batch")]
    pub prompt: Option<String>,
    /// Run the jobs of a TOML file (`[[job]]` tables with prompt, out, kind, route, size, ...).
    #[arg(long, value_name = "FILE", conflicts_with = "prompt")]
    pub batch: Option<PathBuf>,
    /// Jobs run at once with --batch.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,
    /// Image options.
    #[command(flatten)]
    pub image: ImageOptions,
}

/// `regenerate`.
#[derive(Debug, Args)]
pub struct RegenerateArgs {
    /// Assets or folders (repo-relative) to make again.
    pub paths: Vec<String>,
    /// Only assets whose record has KEY=VALUE (route, kind, credit, model,
    /// placeholder), e.g. `--where route=local`; repeat to narrow.
    #[arg(long = "where", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Images made at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,
    /// Options over the recorded ones (`--route` is required).
    #[command(flatten)]
    pub image: ImageOptions,
}

/// `edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// Input image (repo-relative); repeat for several (up to 16).
    #[arg(long = "input", short = 'i', required = true, value_name = "PATH")]
    pub inputs: Vec<String>,
    /// PNG mask the size of the first input (alpha 0 marks where to edit).
    #[arg(long)]
    pub mask: Option<String>,
    /// What to change.
    #[arg(long, short = 'p')]
    pub prompt: String,
    /// high or low, for models that take it.
    #[arg(long)]
    pub input_fidelity: Option<String>,
    /// Image options (the route defaults to `images`).
    #[command(flatten)]
    pub image: ImageOptions,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Import an image made by Codex's built-in image tool.
    #[arg(long, required = true)]
    pub codex: bool,
    /// Take the newest Codex image (the default without FILE).
    #[arg(long, conflicts_with = "file")]
    pub latest: bool,
    /// A specific image file to import.
    pub file: Option<PathBuf>,
    /// Where to put it (repo-relative, inside a managed folder).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: String,
    /// The prompt Codex was given.
    #[arg(long, short = 'p')]
    pub prompt: String,
    /// The prompt as Codex rewrote it, if known.
    #[arg(long)]
    pub revised_prompt: Option<String>,
    /// Asset kind.
    #[arg(long, short = 'k', value_enum)]
    pub kind: Option<AssetKind>,
    /// Codex thread id (default: from the source folder or rollout name).
    #[arg(long)]
    pub thread_id: Option<String>,
    /// Replace an existing file (its sha256 is kept as a parent).
    #[arg(long)]
    pub force: bool,
}

/// `record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The image (repo-relative, inside a managed folder).
    pub path: String,
    /// The route that made it (a name under [routes]).
    #[arg(long, short = 'r')]
    pub route: String,
    /// The prompt it was made from.
    #[arg(long, short = 'p')]
    pub prompt: String,
    /// Image model.
    #[arg(long)]
    pub model: Option<String>,
    /// Text model (responses route).
    #[arg(long)]
    pub text_model: Option<String>,
    /// The prompt as the model rewrote it.
    #[arg(long)]
    pub revised_prompt: Option<String>,
    /// API request id (x-request-id).
    #[arg(long)]
    pub request_id: Option<String>,
    /// API response id.
    #[arg(long)]
    pub response_id: Option<String>,
    /// Size requested.
    #[arg(long)]
    pub size: Option<String>,
    /// Quality requested.
    #[arg(long)]
    pub quality: Option<String>,
    /// Background requested.
    #[arg(long)]
    pub background: Option<String>,
    /// Codex thread id.
    #[arg(long)]
    pub thread_id: Option<String>,
    /// Where the file came from.
    #[arg(long)]
    pub source: Option<String>,
    /// Asset kind.
    #[arg(long, short = 'k', value_enum)]
    pub kind: Option<AssetKind>,
    /// Replace an existing manifest entry for this path.
    #[arg(long)]
    pub force: bool,
}

/// `adopt`.
#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// Images or folders of images (repo-relative).
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Why these files need no generation record.
    #[arg(long)]
    pub reason: Option<String>,
    /// Asset kind.
    #[arg(long, short = 'k', value_enum)]
    pub kind: Option<AssetKind>,
    /// Replace existing manifest entries.
    #[arg(long)]
    pub force: bool,
}

/// `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The asset (repo-relative).
    pub path: String,
}

/// `refs`.
#[derive(Debug, Args)]
pub struct RefsArgs {
    /// Only scan these files or folders (repo-relative).
    pub paths: Vec<String>,
    /// Only print broken references (missing, case-mismatch); exit 1 if any.
    #[arg(long)]
    pub unresolved: bool,
}

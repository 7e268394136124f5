//! `assetrail sites`: each site in the repository as assetrail sees it —
//! framework, static folders, base path, own origins, aliases, how Markdown
//! is read — and where each setting came from. What a user reads when a
//! reference resolves wrongly. Works before `init` (built-in defaults).

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::config::{CONFIG_FILE, Config};
use crate::error::Result;
use crate::output::{Paint, Report, Style};
use crate::scan::site::{Framework, MarkdownMode, Site, display_root};
use crate::scan::walk;
use crate::workspace;

/// The sites found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SitesReport {
    /// Deepest root first, as files are matched to them.
    pub sites: Vec<Site>,
    /// The globs of files scanned for references.
    pub content: ContentGlobs,
}

/// Which files are read for references.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ContentGlobs {
    /// Globs included.
    pub include: Vec<String>,
    /// Globs excluded.
    pub exclude: Vec<String>,
    /// `assets.toml` or `default`.
    pub from: String,
}

/// Runs `sites`.
pub fn run(repo_arg: Option<&Path>) -> Result<SitesReport> {
    let (git, _) = workspace::locate(repo_arg)?;
    let root = git.root();
    let has_config = root.join(CONFIG_FILE).is_file();
    let config = if has_config {
        Config::load(root)?
    } else {
        Config::parse("", CONFIG_FILE)?
    };
    let sites = walk::discover_sites(root, git.git_dir(), &config)?;
    Ok(SitesReport {
        sites: sites.all().to_vec(),
        content: ContentGlobs {
            include: config.scan_include.clone(),
            exclude: config.scan_exclude.clone(),
            from: if has_config { CONFIG_FILE } else { "default" }.to_owned(),
        },
    })
}

impl Report for SitesReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        for site in &self.sites {
            let root = display_root(&site.root);
            let framework = site.framework.as_str();
            write!(out, "{} {}", style.paint(Paint::Green, root), framework)?;
            match &site.config {
                Some(config) => writeln!(out, " ({config})")?,
                None => writeln!(out)?,
            }
            let row = |out: &mut dyn Write, label: &str, value: &str, from: &str| {
                writeln!(
                    out,
                    "  {label:<14} {value:<40} {}",
                    style.paint(Paint::Dim, from)
                )
            };
            for dir in &site.static_dirs {
                row(out, "static folder", display_root(&dir.value), &dir.from)?;
            }
            if site.serves_root {
                let default = site
                    .static_dirs
                    .first()
                    .map_or("public", |d| d.value.as_str());
                let missing = format!("{} is missing", display_root(default));
                row(out, "static folder", display_root(&site.root), &missing)?;
            }
            row(
                out,
                "base path",
                &site.base_path.value,
                &site.base_path.from,
            )?;
            if let Some(src) = &site.src_dir {
                row(out, "source folder", display_root(&src.value), &src.from)?;
            }
            for origin in &site.origins {
                row(out, "own origin", &origin.value, &origin.from)?;
            }
            for alias in &site.aliases {
                let dir = display_root(&alias.dir);
                let value = format!("{} -> {dir}", alias.prefix);
                row(out, "alias", &value, &alias.from)?;
            }
            if let Some(app) = &site.app_dir {
                row(out, "app router", app, "convention")?;
            }
            let markdown = match (site.markdown, site.framework) {
                (MarkdownMode::Mdx, _) => ".md read as MDX",
                (MarkdownMode::CommonMark, Framework::Hugo) => {
                    ".md read as CommonMark with shortcodes"
                }
                (MarkdownMode::CommonMark, _) => ".md read as CommonMark",
            };
            row(out, "markdown", markdown, "framework")?;
        }
        writeln!(
            out,
            "content: {} ({})",
            self.content.include.join(", "),
            self.content.from
        )
    }
}

//! `assetrail init`: detect the site(s) in the repository, write
//! `assets.toml` from the documented example with managed and kind folders
//! that fit the framework found, and an empty `assets.lock`. Site settings
//! stay detected (`assetrail sites`); the file holds only what detection
//! cannot know, overrides as commented examples.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::agents::AgentFile;
use crate::atomic::{self, Existing};
use crate::cli::InitArgs;
use crate::config::{CONFIG_FILE, Config, EXAMPLE};
use crate::error::{Error, Result};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::output::{Paint, Report, Style};
use crate::repo_path;
use crate::scan::site::{Framework, Site, display_root};
use crate::scan::walk;
use crate::workspace;

/// What `init` found and wrote.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct InitReport {
    /// Files written, repo-relative.
    pub written: Vec<String>,
    /// The sites detected (what `assetrail sites` shows in full).
    pub detected: Vec<Detected>,
    /// The managed folders written to assets.toml.
    pub folders: Vec<String>,
    /// Agent configuration files written or inspected (`--agents`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub agents: Vec<AgentFile>,
}

/// One detected site, in short.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Detected {
    /// Repo-relative root (`""` for the repository root).
    pub root: String,
    /// Its framework.
    pub framework: Framework,
    /// The config file it was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// Its static folders.
    pub static_dirs: Vec<String>,
    /// Its base path.
    pub base_path: String,
}

impl Report for InitReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        for site in &self.detected {
            let root = display_root(&site.root);
            let framework = site.framework.as_str();
            writeln!(
                out,
                "{} {framework} site at {root}{}: static {}, base path {}",
                style.paint(Paint::Green, "detected"),
                site.config
                    .as_deref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default(),
                site.static_dirs.join(", "),
                site.base_path
            )?;
        }
        if !self.folders.is_empty() {
            writeln!(
                out,
                "{} {}",
                style.paint(Paint::Dim, "managed folders:"),
                self.folders.join(", ")
            )?;
        }
        for path in &self.written {
            writeln!(out, "wrote {path}")?;
        }
        for file in &self.agents {
            match &file.snippet {
                Some(snippet) => writeln!(
                    out,
                    "{} {} could not be merged safely; add this by hand:\n{snippet}",
                    style.paint(Paint::Yellow, "note:"),
                    file.path
                )?,
                None => writeln!(
                    out,
                    "{} {}",
                    file.action.as_str().replace('-', " "),
                    file.path
                )?,
            }
        }
        writeln!(
            out,
            "{}",
            style.paint(
                Paint::Dim,
                "`assetrail sites` shows every detected setting and where it came from"
            )
        )
    }
}

/// Where a site's images live and where each kind goes.
struct Layout {
    folders: Vec<String>,
    /// The folder for `generate` without a kind.
    default_folder: String,
    /// article, ui, cover, social.
    kinds: [String; 3],
}

/// The layout that fits a site's framework: Docusaurus `static/img/…`,
/// VitePress `<srcDir>/public/…`, Astro `src/assets/…` (processed by
/// astro:assets) beside `public/`, Next.js and the rest `public/images/…`.
fn layout_for(site: &Site) -> Layout {
    let statics: Vec<String> = site.static_dirs().map(str::to_owned).collect();
    let first_static = statics.first().cloned().unwrap_or_else(|| "public".into());
    let under = |dir: &str, rel: &str| {
        if dir.is_empty() {
            rel.to_owned()
        } else {
            repo_path::join(dir, rel)
        }
    };
    let (images, mut folders) = match site.framework {
        Framework::Docusaurus => (under(&first_static, "img"), statics.clone()),
        Framework::Astro => {
            let src = site
                .src_dir
                .as_ref()
                .map_or_else(|| under(&site.root, "src"), |s| s.value.clone());
            let assets = under(&src, "assets");
            let mut folders = vec![assets.clone()];
            folders.extend(statics.iter().cloned());
            (assets, folders)
        }
        _ => (under(&first_static, "images"), statics.clone()),
    };
    folders.retain(|f| !f.is_empty());
    if folders.is_empty() {
        folders.push(images.clone());
    }
    Layout {
        folders,
        kinds: [
            under(&images, "articles"),
            under(&images, "ui"),
            under(&images, "covers"),
        ],
        default_folder: images,
    }
}

/// The example with the detected layout in place of its folder lines.
fn config_text(layout: &Layout, sites: &[Site]) -> String {
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::with_capacity(EXAMPLE.len() + 512);
    let mut section = String::new();
    for line in EXAMPLE.lines() {
        if line.starts_with('[') {
            section = line.trim().to_owned();
        }
        let replaced = match section.as_str() {
            "[assets]" if line.starts_with("folders = ") => {
                Some(format!("folders = [{}]", quoted(&layout.folders)))
            }
            "[defaults]" if line.starts_with("folder = ") => {
                Some(format!("folder = {:?}", layout.default_folder))
            }
            "[kinds.article]" if line.starts_with("folder = ") => {
                Some(format!("folder = {:?}", layout.kinds[0]))
            }
            "[kinds.ui]" if line.starts_with("folder = ") => {
                Some(format!("folder = {:?}", layout.kinds[1]))
            }
            "[kinds.cover]" if line.starts_with("folder = ") => {
                Some(format!("folder = {:?}", layout.kinds[2]))
            }
            _ => None,
        };
        out.push_str(replaced.as_deref().unwrap_or(line));
        out.push('\n');
        if line.starts_with("version = ") {
            out.push_str("\n# Detected by `assetrail init` (see `assetrail sites`):\n");
            for site in sites {
                let root = display_root(&site.root);
                out.push_str(&format!(
                    "#   {root}: {} site, static {}, base path {}\n",
                    site.framework.as_str(),
                    site.static_dirs().collect::<Vec<_>>().join(", "),
                    site.base_path.value
                ));
            }
        }
    }
    out
}

/// Runs `init`.
pub fn run(repo_arg: Option<&Path>, args: &InitArgs) -> Result<InitReport> {
    let (git, _) = workspace::locate(repo_arg)?;
    let root = git.root();
    let existing: Vec<&str> = [CONFIG_FILE, MANIFEST_FILE]
        .into_iter()
        .filter(|name| root.join(name).exists())
        .collect();
    if !existing.is_empty() && !args.force && !args.agents.is_empty() {
        // Already set up: only the agents are added.
        return Ok(InitReport {
            written: Vec::new(),
            detected: Vec::new(),
            folders: Vec::new(),
            agents: super::agents::set_up(root, &args.agents, false)?,
        });
    }
    if !existing.is_empty() && !args.force {
        return Err(Error::refused(
            format!(
                "{} already {} in {}",
                existing.join(" and "),
                if existing.len() == 1 {
                    "exists"
                } else {
                    "exist"
                },
                root.display()
            ),
            "nothing was changed; pass --force to replace (a replaced assets.lock loses its entries unless committed)",
        ));
    }
    let defaults = Config::parse("", CONFIG_FILE)?;
    let sites = walk::discover_sites(root, git.git_dir(), &defaults)?;
    let sites: Vec<Site> = sites.all().to_vec();
    // The main site: the shallowest with a known framework, else the root.
    let main = sites
        .iter()
        .filter(|s| s.framework != Framework::Unknown)
        .min_by_key(|s| s.root.matches('/').count() + usize::from(!s.root.is_empty()))
        .or_else(|| sites.iter().find(|s| s.root.is_empty()))
        .expect("the repository root is always a site");
    let mut layout = layout_for(main);
    for site in sites.iter().filter(|s| s.framework != Framework::Unknown) {
        for folder in layout_for(site).folders {
            if !layout.folders.contains(&folder) {
                layout.folders.push(folder);
            }
        }
    }
    let text = config_text(&layout, &sites);
    // What is written must load: a bug here must not leave a broken file.
    Config::parse(&text, CONFIG_FILE)?;
    atomic::write(&root.join(CONFIG_FILE), text.as_bytes(), Existing::Replace)?;
    let empty = Manifest::new().to_text();
    atomic::write(
        &root.join(MANIFEST_FILE),
        empty.as_bytes(),
        Existing::Replace,
    )?;
    let mut written = vec![CONFIG_FILE.to_owned(), MANIFEST_FILE.to_owned()];
    written.extend(crate::commands::hook::setup_clone(&git)?);
    if args.hook {
        let hook = crate::commands::hook::install(
            repo_arg,
            &crate::cli::HookInstallArgs {
                framework: crate::commands::hook::HookFramework::Git,
                force: false,
            },
        )?;
        if hook.action != super::hook::InstallAction::AlreadyInstalled {
            written.push(hook.path);
        }
    }
    let detected = sites
        .iter()
        .filter(|s| s.framework != Framework::Unknown || sites.len() == 1)
        .map(|s| Detected {
            root: s.root.clone(),
            framework: s.framework,
            config: s.config.clone(),
            static_dirs: s.static_dirs().map(str::to_owned).collect(),
            base_path: s.base_path.value.clone(),
        })
        .collect();
    Ok(InitReport {
        written,
        detected,
        folders: layout.folders,
        agents: super::agents::set_up(root, &args.agents, args.force)?,
    })
}

//! `assetrail init`: write `assets.toml` from the documented example and an
//! empty `assets.lock`.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::atomic::{self, Existing};
use crate::cli::InitArgs;
use crate::config::{CONFIG_FILE, EXAMPLE};
use crate::error::{Error, Result};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::output::{Report, Style};
use crate::workspace;

/// What `init` wrote.
#[derive(Debug, Serialize)]
pub struct InitReport {
    /// Files written, repo-relative.
    pub written: Vec<String>,
}

impl Report for InitReport {
    fn write_text(&self, out: &mut dyn Write, _style: &Style) -> io::Result<()> {
        for path in &self.written {
            writeln!(out, "wrote {path}")?;
        }
        Ok(())
    }
}

/// Runs `init`.
pub fn run(repo_arg: Option<&Path>, args: &InitArgs) -> Result<InitReport> {
    let (git, _) = workspace::locate(repo_arg)?;
    let root = git.root();
    let existing: Vec<&str> = [CONFIG_FILE, MANIFEST_FILE]
        .into_iter()
        .filter(|name| root.join(name).exists())
        .collect();
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
    atomic::write(
        &root.join(CONFIG_FILE),
        EXAMPLE.as_bytes(),
        Existing::Replace,
    )?;
    let empty = Manifest::new().to_text();
    atomic::write(
        &root.join(MANIFEST_FILE),
        empty.as_bytes(),
        Existing::Replace,
    )?;
    let mut written = vec![CONFIG_FILE.to_owned(), MANIFEST_FILE.to_owned()];
    if args.hook {
        let hook = crate::commands::hook::install(
            repo_arg,
            &crate::cli::HookInstallArgs {
                framework: crate::commands::hook::HookFramework::Git,
                force: false,
            },
        )?;
        if hook.action != "already-installed" {
            written.push(hook.path);
        }
    }
    Ok(InitReport { written })
}

//! `assetrail init --agents codex,claude,cursor,gemini`: each coding agent's
//! project configuration for `assetrail mcp`, an `AGENTS.md` section, and an
//! agent skill (agentskills.io format) where Codex and Claude Code load
//! project skills. Existing files are merged when that is safe (a JSON or
//! TOML file that parses) and otherwise left alone with the snippet printed.

use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use crate::atomic::{self, Existing};
use crate::choice_enum;
use crate::error::{Error, Result};

choice_enum! {
    /// A coding agent `init --agents` sets up.
    pub enum Agent: "agent" {
        Codex = "codex",
        Claude = "claude",
        Cursor = "cursor",
        Gemini = "gemini",
    }
}

choice_enum! {
    /// What happened to one agent file.
    pub enum FileAction: "file action" {
        /// Written new.
        Wrote = "wrote",
        /// assetrail added to an existing file.
        Updated = "updated",
        /// The file already sets assetrail up.
        AlreadyPresent = "already-present",
        /// Could not be merged safely: the snippet to add by hand.
        Printed = "printed",
    }
}

/// One file `init --agents` wrote or inspected.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AgentFile {
    /// Repo-relative path.
    pub path: String,
    /// What was done.
    pub action: FileAction,
    /// For `printed`: what to add.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

/// The environment an API route needs, passed through by the agent.
const ENV: &[&str] = &[
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
];

/// How long a generation may take before the agent gives up, seconds.
const TOOL_TIMEOUT_SECS: u64 = 300;

const SKILL_DIRS: &[&str] = &[".agents/skills/assetrail", ".claude/skills/assetrail"];

const MARK: &str = "<!-- assetrail -->";

/// The agent skill: how to make, place and reference images here.
pub const SKILL: &str = r#"---
name: assetrail
description: Make, place and reference images (article figures, covers, UI icons, social cards) in this repository with assetrail, keeping a provenance record for each; use whenever a task needs a new or edited image, or before committing images.
---

# Images in this repository

This repository manages its images with assetrail. Every image in the managed
folders (see `assets.toml`, `[assets] folders`) has an entry in `assets.lock`
recording how it was made. Do not write images there by other means.

## Make an image

- MCP: call `generate_image` with `prompt`, and `kind` (`article`, `cover` or `ui`)
  or `out` (a repo-relative path inside a managed folder).
- Shell: `assetrail generate --kind cover --prompt "..." --format json`.

The default route is offline and free. Use `--route images` (or `route: "images"`)
only when the user asked for a real generation; it is billed. Never overwrite an
existing image unless asked (`overwrite: true` / `--force`).

To change an image, edit it (`edit_image` / `assetrail edit --input PATH --prompt ...`)
so the original is recorded as its parent. An image made by your own image tool:
`assetrail import --codex --latest --out PATH --prompt "..."`.

## Use it

Reference the image from the page that needs it, by its site URL (the file under
the static folder, without that folder): for `public/images/covers/x.png`, write
`![what it shows](/images/covers/x.png)` in Markdown/MDX or
`<img src="/images/covers/x.png" alt="what it shows" />` in JSX.
An image nothing references fails the check.

## Before committing

Run `assetrail check --staged` (MCP: `check_assets`). Fix every error it reports;
`assetrail explain CODE` says what a finding means. `git add` the image and
`assets.lock` together.
"#;

/// Sets up each agent in `root`; `force` replaces skill files that differ.
pub fn set_up(root: &Path, agents: &[Agent], force: bool) -> Result<Vec<AgentFile>> {
    let mut files = Vec::new();
    for agent in agents {
        files.push(match agent {
            Agent::Codex => codex(root)?,
            Agent::Claude => json_servers(root, ".mcp.json", claude_server())?,
            Agent::Cursor => json_servers(root, ".cursor/mcp.json", cursor_server())?,
            Agent::Gemini => json_servers(root, ".gemini/settings.json", gemini_server())?,
        });
    }
    if !agents.is_empty() {
        files.push(agents_md(root)?);
        for dir in SKILL_DIRS {
            files.push(skill(root, dir, force)?);
        }
    }
    Ok(files)
}

fn codex(root: &Path) -> Result<AgentFile> {
    let path = ".codex/config.toml";
    let env: Vec<String> = ENV.iter().map(|v| format!("\"{v}\"")).collect();
    let table = format!(
        "[mcp_servers.assetrail]\ncommand = \"assetrail\"\nargs = [\"mcp\"]\nenv_vars = [{}]\nstartup_timeout_sec = 20\ntool_timeout_sec = {TOOL_TIMEOUT_SECS}\n",
        env.join(", ")
    );
    let abs = root.join(path);
    let Some(text) = read(&abs)? else {
        put(&abs, table.as_bytes(), Existing::Keep)?;
        return Ok(file(path, FileAction::Wrote));
    };
    match text.parse::<toml::Table>() {
        Ok(parsed)
            if parsed
                .get("mcp_servers")
                .and_then(|s| s.get("assetrail"))
                .is_some() =>
        {
            Ok(file(path, FileAction::AlreadyPresent))
        }
        Ok(_) => {
            let separator = if text.is_empty() || text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            let merged = format!("{text}{separator}{table}");
            merged.parse::<toml::Table>().map_err(|e| {
                Error::refused(
                    format!("{path}: could not add assetrail: {e}"),
                    "add the table by hand",
                )
            })?;
            put(&abs, merged.as_bytes(), Existing::Replace)?;
            Ok(file(path, FileAction::Updated))
        }
        Err(_) => Ok(printed(path, table)),
    }
}

fn claude_server() -> Value {
    let env: serde_json::Map<String, Value> = ENV
        .iter()
        .map(|v| ((*v).to_owned(), json!(format!("${{{v}:-}}"))))
        .collect();
    json!({ "type": "stdio", "command": "assetrail", "args": ["mcp"], "env": env })
}

fn cursor_server() -> Value {
    let env: serde_json::Map<String, Value> = ENV
        .iter()
        .map(|v| ((*v).to_owned(), json!(format!("${{env:{v}}}"))))
        .collect();
    json!({ "command": "assetrail", "args": ["mcp"], "env": env })
}

fn gemini_server() -> Value {
    let env: serde_json::Map<String, Value> = ENV
        .iter()
        .map(|v| ((*v).to_owned(), json!(format!("${{{v}}}"))))
        .collect();
    json!({ "command": "assetrail", "args": ["mcp"], "env": env, "timeout": TOOL_TIMEOUT_SECS * 1000 })
}

/// A JSON file with an `mcpServers` object (Claude Code, Cursor, Gemini CLI).
fn json_servers(root: &Path, path: &str, server: Value) -> Result<AgentFile> {
    let abs = root.join(path);
    let Some(text) = read(&abs)? else {
        let body = json!({ "mcpServers": { "assetrail": server } });
        write_json(&abs, &body, Existing::Keep)?;
        return Ok(file(path, FileAction::Wrote));
    };
    let snippet = || {
        serde_json::to_string_pretty(&json!({ "mcpServers": { "assetrail": server } }))
            .unwrap_or_default()
    };
    let Ok(mut body) = serde_json::from_str::<Value>(&text) else {
        return Ok(printed(path, snippet()));
    };
    let Some(object) = body.as_object_mut() else {
        return Ok(printed(path, snippet()));
    };
    let servers = object.entry("mcpServers").or_insert_with(|| json!({}));
    let Some(servers) = servers.as_object_mut() else {
        return Ok(printed(path, snippet()));
    };
    if servers.contains_key("assetrail") {
        return Ok(file(path, FileAction::AlreadyPresent));
    }
    servers.insert("assetrail".into(), server.clone());
    write_json(&abs, &body, Existing::Replace)?;
    Ok(file(path, FileAction::Updated))
}

fn agents_md(root: &Path) -> Result<AgentFile> {
    let path = "AGENTS.md";
    let section = format!(
        "{MARK}\n## Images\n\nImages in this repository are made and recorded with assetrail (MCP server `assetrail mcp`, or the `assetrail` command). Follow the `assetrail` skill: generate or edit images with it, reference each one from the page that uses it, and run `assetrail check --staged` before committing.\n"
    );
    let abs = root.join(path);
    match read(&abs)? {
        None => {
            put(
                &abs,
                format!("# Agent notes\n\n{section}").as_bytes(),
                Existing::Keep,
            )?;
            Ok(file(path, FileAction::Wrote))
        }
        Some(text) if text.contains(MARK) => Ok(file(path, FileAction::AlreadyPresent)),
        Some(text) => {
            let separator = if text.ends_with('\n') { "\n" } else { "\n\n" };
            put(
                &abs,
                format!("{text}{separator}{section}").as_bytes(),
                Existing::Replace,
            )?;
            Ok(file(path, FileAction::Updated))
        }
    }
}

fn skill(root: &Path, dir: &str, force: bool) -> Result<AgentFile> {
    let path = format!("{dir}/SKILL.md");
    let abs = root.join(&path);
    match read(&abs)? {
        None => {
            put(&abs, SKILL.as_bytes(), Existing::Keep)?;
            Ok(file(&path, FileAction::Wrote))
        }
        Some(text) if text == SKILL => Ok(file(&path, FileAction::AlreadyPresent)),
        Some(_) if force => {
            put(&abs, SKILL.as_bytes(), Existing::Replace)?;
            Ok(file(&path, FileAction::Updated))
        }
        // A skill someone changed is theirs: shown, not replaced.
        Some(_) => Ok(printed(&path, SKILL.to_owned())),
    }
}

fn read(abs: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(abs) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(abs, e)),
    }
}

fn write_json(abs: &Path, body: &Value, existing: Existing) -> Result<()> {
    let mut text = serde_json::to_string_pretty(body).unwrap_or_default();
    text.push('\n');
    put(abs, text.as_bytes(), existing)
}

/// Writes a file atomically, making its folder first.
fn put(abs: &Path, bytes: &[u8], existing: Existing) -> Result<()> {
    if let Some(parent) = abs.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    atomic::write(abs, bytes, existing)
}

fn file(path: &str, action: FileAction) -> AgentFile {
    AgentFile {
        path: path.to_owned(),
        action,
        snippet: None,
    }
}

fn printed(path: &str, snippet: String) -> AgentFile {
    AgentFile {
        path: path.to_owned(),
        action: FileAction::Printed,
        snippet: Some(snippet),
    }
}

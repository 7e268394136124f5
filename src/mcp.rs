//! `assetrail mcp`: a Model Context Protocol server on stdio, for coding
//! agents. Written by hand over `serde_json` rather than on an SDK: it must
//! answer both protocol eras on one connection — legacy clients that start
//! with `initialize` (2024-11-05 … 2025-11-25) and 2026-07-28 clients that
//! send `server/discover` and carry the version in each request's `_meta` —
//! and the whole protocol surface it needs is a few hundred lines.
//!
//! Each tool is a CLI subcommand: its arguments are turned into that
//! subcommand's command line, parsed by the same clap definitions, run by
//! [`crate::commands::execute`], and its `structuredContent` is exactly the
//! JSON `--format json` prints. The input schemas are derived from the clap
//! definitions, so a new flag is a new tool argument with no second edit.

use std::any::TypeId;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{CommandFactory, Parser};
use serde_json::{Map, Value, json};

use crate::cli::Cli;
use crate::error::{Error, ErrorBody, Result};
use crate::manifest::MANIFEST_FILE;
use crate::workspace::Workspace;

/// The newest protocol revision, served statelessly.
pub const MODERN: &str = "2026-07-28";
/// Every revision served, newest first.
pub const SUPPORTED: &[&str] = &[
    MODERN,
    "2025-11-25",
    "2025-06-18",
    "2025-03-26",
    "2024-11-05",
];

const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// How often a long tool call reports progress, when the client asked.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// One tool: which subcommand it runs and how it is described.
struct Tool {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    /// The subcommand, then arguments always passed.
    command: &'static [&'static str],
    /// Flags of the subcommand not offered as tool arguments.
    hidden: &'static [&'static str],
    read_only: bool,
    /// Whether the tool may change or remove what exists (with `overwrite`).
    destructive: bool,
    /// Whether the tool calls a network API (depends on the route).
    open_world: bool,
}

const TOOLS: &[Tool] = &[
    Tool {
        name: "generate_image",
        title: "Generate an image",
        description: "Generate an image into the repository's asset folders and record its provenance in assets.lock. The default route is the offline renderer (no key, no network). Returns the written path and its manifest entry; never image data unless preview is true.",
        command: &["generate"],
        hidden: &["batch", "jobs", "save_partials"],
        read_only: false,
        destructive: false,
        open_world: true,
    },
    Tool {
        name: "edit_image",
        title: "Edit an image",
        description: "Edit one or more repository images (with an optional PNG mask) into a new asset; the inputs are recorded as its parents.",
        command: &["edit"],
        hidden: &["save_partials"],
        read_only: false,
        destructive: false,
        open_world: true,
    },
    Tool {
        name: "import_codex_image",
        title: "Import a Codex image",
        description: "Copy an image made by Codex's own image tool into the repository and record it (billed as Codex credits). Give file, or latest: true (optionally with thread_id).",
        command: &["import", "--codex"],
        hidden: &["codex"],
        read_only: false,
        destructive: false,
        open_world: false,
    },
    Tool {
        name: "record_asset",
        title: "Record an existing image",
        description: "Record provenance for an image already in the repository, made on the given route.",
        command: &["record"],
        hidden: &[],
        read_only: false,
        destructive: false,
        open_world: false,
    },
    Tool {
        name: "check_assets",
        title: "Check assets",
        description: "The pre-commit gate: every recorded asset unchanged and referenced, every reference resolving, every record complete. Returns findings with file:line and a hint each.",
        command: &["check"],
        hidden: &[],
        read_only: true,
        destructive: false,
        open_world: false,
    },
    Tool {
        name: "list_assets",
        title: "List assets",
        description: "Every recorded asset with its state (ok, modified, missing, ...), route, credit source and kind.",
        command: &["status"],
        hidden: &[],
        read_only: true,
        destructive: false,
        open_world: false,
    },
    Tool {
        name: "show_asset",
        title: "Show an asset's record",
        description: "The manifest entry of one asset: prompt, route, model, credit, sha256, commit, request ids, cost, parents.",
        command: &["show"],
        hidden: &[],
        read_only: true,
        destructive: false,
        open_world: false,
    },
    Tool {
        name: "asset_refs",
        title: "Where assets are used",
        description: "The image references in the site's pages and code, each resolved to a file (or reported broken), optionally limited to paths.",
        command: &["refs"],
        hidden: &[],
        read_only: true,
        destructive: false,
        open_world: false,
    },
    Tool {
        name: "explain_finding",
        title: "Explain a finding",
        description: "What a check finding code (AR001 …) means and how to fix it; without a code, every rule.",
        command: &["explain"],
        hidden: &[],
        read_only: true,
        destructive: false,
        open_world: false,
    },
    Tool {
        name: "cost",
        title: "Estimated spend",
        description: "Estimated spend from assets.lock per credit source (never summed across sources), broken down by credit, route, model or kind.",
        command: &["cost"],
        hidden: &[],
        read_only: true,
        destructive: false,
        open_world: false,
    },
];

/// Serves MCP on this process's stdin and stdout until stdin closes.
pub fn serve_stdio(repo: Option<&Path>) -> Result<()> {
    let stdin = std::io::stdin();
    serve(repo, stdin.lock(), std::io::stdout())
}

/// Serves MCP: one JSON-RPC message per line in, one per line out. Tool
/// calls run on their own threads, so a long generation does not block
/// `tools/list` or a cancellation.
pub fn serve(repo: Option<&Path>, input: impl BufRead, output: impl Write + Send) -> Result<()> {
    let server = Server {
        root: Workspace::open(repo).ok().map(|ws| ws.root().to_path_buf()),
        out: Mutex::new(Box::new(output)),
        cancelled: Mutex::new(HashSet::new()),
        running: Mutex::new(HashMap::new()),
    };
    std::thread::scope(|scope| {
        for line in input.lines() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                continue;
            }
            let message: Value = match serde_json::from_str(&line) {
                Ok(message) => message,
                Err(e) => {
                    server.send(&error_reply(
                        Value::Null,
                        -32700,
                        &format!("parse error: {e}"),
                        None,
                    ));
                    continue;
                }
            };
            let server = &server;
            if message["method"] == "tools/call" && message.get("id").is_some() {
                scope.spawn(move || server.handle(&message));
            } else {
                server.handle(&message);
            }
        }
    });
    Ok(())
}

struct Server<'w> {
    /// The repository served; `None` outside one (tools then say so).
    root: Option<PathBuf>,
    out: Mutex<Box<dyn Write + Send + 'w>>,
    /// Request ids the client cancelled: their results are not sent.
    cancelled: Mutex<HashSet<String>>,
    /// The cancellation flag of each tool call running, by request id.
    running: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl Server<'_> {
    fn send(&self, message: &Value) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        // Compact JSON never holds a raw newline: one message per line.
        let _ = serde_json::to_writer(&mut *out, message);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    }

    fn handle(&self, message: &Value) {
        let method = message["method"].as_str().unwrap_or_default();
        let Some(id) = message.get("id").cloned() else {
            // A notification: nothing is answered.
            if method == "notifications/cancelled"
                && let Some(id) = message["params"].get("requestId")
            {
                let key = id.to_string();
                if let Some(flag) = self
                    .running
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&key)
                {
                    flag.store(true, Ordering::SeqCst);
                }
                self.cancelled
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key);
            }
            return;
        };
        if message.get("jsonrpc") != Some(&json!("2.0")) || method.is_empty() {
            return self.send(&error_reply(
                id,
                -32600,
                "invalid request: expected JSON-RPC 2.0 with a method",
                None,
            ));
        }
        let params = message.get("params").cloned().unwrap_or_else(|| json!({}));
        let era = match self.era(method, &params) {
            Ok(era) => era,
            Err((code, text, data)) => return self.send(&error_reply(id, code, &text, data)),
        };
        let reply = match method {
            "initialize" => Ok(self.initialize(&params)),
            "server/discover" => Ok(discover()),
            "ping" => Ok(json!({})),
            "tools/list" => Ok(json!({ "tools": TOOLS.iter().map(describe).collect::<Vec<_>>() })),
            "tools/call" => self.call(&id, &params),
            "resources/list" => Ok(self.resources()),
            "resources/templates/list" => Ok(json!({ "resourceTemplates": [{
                "uriTemplate": "assetrail://asset/{path}",
                "name": "asset record",
                "description": "The assets.lock entry of one asset, as show_asset returns it",
                "mimeType": "application/json"
            }]})),
            "resources/read" => self.read_resource(&params),
            other => Err((-32601, format!("method not found: {other}"), None)),
        };
        if self
            .cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id.to_string())
        {
            return;
        }
        match reply {
            Ok(result) => self
                .send(&json!({ "jsonrpc": "2.0", "id": id, "result": era.finish(method, result) })),
            Err((code, text, data)) => self.send(&error_reply(id, code, &text, data)),
        }
    }

    /// Which protocol era a request belongs to: a 2026-07-28 request carries
    /// its version in `_meta`; anything else is legacy.
    fn era(&self, method: &str, params: &Value) -> std::result::Result<Era, RpcError> {
        let meta = &params["_meta"];
        match meta.get(META_VERSION) {
            Some(Value::String(version)) if version == MODERN => {
                if method != "server/discover"
                    && !meta.get(META_CAPABILITIES).is_some_and(Value::is_object)
                {
                    return Err((
                        -32602,
                        format!("request _meta is missing {META_CAPABILITIES}"),
                        None,
                    ));
                }
                Ok(Era::Modern)
            }
            Some(other) => Err((
                -32022,
                "Unsupported protocol version".into(),
                Some(json!({ "supported": [MODERN], "requested": other })),
            )),
            None if method == "server/discover" => Ok(Era::Modern),
            None => Ok(Era::Legacy),
        }
    }

    fn initialize(&self, params: &Value) -> Value {
        let asked = params["protocolVersion"].as_str().unwrap_or_default();
        let version = SUPPORTED[1..]
            .iter()
            .find(|v| **v == asked)
            .copied()
            .unwrap_or(SUPPORTED[1]);
        json!({
            "protocolVersion": version,
            "capabilities": capabilities(),
            "serverInfo": server_info(),
            "instructions": INSTRUCTIONS,
        })
    }

    fn call(&self, id: &Value, params: &Value) -> std::result::Result<Value, RpcError> {
        let name = params["name"].as_str().unwrap_or_default();
        let Some(tool) = TOOLS.iter().find(|t| t.name == name) else {
            return Err((-32602, format!("Unknown tool: {name}"), None));
        };
        let arguments = params
            .get("arguments")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let progress = params["_meta"].get("progressToken").cloned();
        let done = Arc::new(AtomicBool::new(false));
        let cancel = Arc::new(AtomicBool::new(false));
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), Arc::clone(&cancel));
        std::thread::scope(|scope| {
            if let Some(token) = &progress {
                let done = Arc::clone(&done);
                scope.spawn(move || {
                    let mut ticks = 0u64;
                    while !wait_or_done(&done, PROGRESS_EVERY) {
                        ticks += 1;
                        if self.cancelled.lock().unwrap_or_else(|p| p.into_inner()).contains(&id.to_string()) {
                            break;
                        }
                        self.send(&json!({
                            "jsonrpc": "2.0",
                            "method": "notifications/progress",
                            "params": {
                                "progressToken": token,
                                "progress": ticks,
                                "message": format!("{} running for {} s", tool.name, ticks * PROGRESS_EVERY.as_secs())
                            }
                        }));
                    }
                });
            }
            let result = crate::interrupt::with_cancel(cancel, || self.run_tool(tool, &arguments));
            done.store(true, Ordering::SeqCst);
            self.running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id.to_string());
            Ok(result)
        })
    }

    /// Runs a tool to its `CallToolResult`; a refusal is a result with
    /// `isError`, carrying the CLI's explanation.
    fn run_tool(&self, tool: &Tool, arguments: &Value) -> Value {
        let outcome = self
            .root
            .as_deref()
            .ok_or_else(|| {
                Error::usage(
                    "assetrail mcp is not running inside a git repository",
                    "start it from the project's folder, or pass --repo PATH",
                )
            })
            .and_then(|root| command_line(tool, arguments, root))
            .and_then(|argv| {
                let cli = Cli::try_parse_from(&argv).map_err(|e| {
                    let rendered = e.render().to_string();
                    Error::usage(
                        rendered
                            .lines()
                            .next()
                            .unwrap_or("invalid arguments")
                            .trim_start_matches("error: ")
                            .to_owned(),
                        format!("see the {} tool's inputSchema", tool.name),
                    )
                })?;
                crate::commands::execute(&cli)
            });
        match outcome {
            Ok(executed) => {
                let structured = executed.report.to_json();
                let mut content = vec![json!({ "type": "text", "text": structured.to_string() })];
                content.extend(self.links(&structured));
                if arguments["preview"] == json!(true) {
                    content.extend(self.previews(&structured));
                }
                json!({
                    "content": content,
                    "structuredContent": structured,
                    "isError": executed.exit_code != 0,
                })
            }
            Err(error) => {
                let body = json!({ "schema_version": crate::output::SCHEMA_VERSION, "error": ErrorBody::from(&error) });
                json!({
                    "content": [{ "type": "text", "text": body.to_string() }],
                    "structuredContent": body,
                    "isError": true,
                })
            }
        }
    }

    /// `resource_link`s to each file a result names, and to its record.
    fn links(&self, structured: &Value) -> Vec<Value> {
        let Some(root) = &self.root else {
            return Vec::new();
        };
        let mut links = Vec::new();
        for asset in structured["assets"].as_array().into_iter().flatten() {
            let Some(path) = asset["path"].as_str() else {
                continue;
            };
            let mime = asset["format"]
                .as_str()
                .and_then(|f| f.parse::<crate::recorded::ImageFormat>().ok())
                .map_or("application/octet-stream", |f| f.mime_type());
            links.push(json!({
                "type": "resource_link",
                "uri": file_uri(&root.join(path)),
                "name": crate::repo_path::file_name(path),
                "description": format!("the image at {path}"),
                "mimeType": mime,
            }));
            links.push(json!({
                "type": "resource_link",
                "uri": format!("assetrail://asset/{path}"),
                "name": format!("record of {path}"),
                "mimeType": "application/json",
            }));
        }
        links
    }

    /// Downscaled copies (at most 512 px) of the images a result wrote.
    fn previews(&self, structured: &Value) -> Vec<Value> {
        let Some(root) = &self.root else {
            return Vec::new();
        };
        structured["assets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|asset| {
                let path = root.join(asset["path"].as_str()?);
                let image = image::open(&path).ok()?.thumbnail(512, 512);
                let mut png = std::io::Cursor::new(Vec::new());
                image.write_to(&mut png, image::ImageFormat::Png).ok()?;
                use base64::Engine;
                Some(json!({
                    "type": "image",
                    "data": base64::engine::general_purpose::STANDARD.encode(png.into_inner()),
                    "mimeType": "image/png",
                    "annotations": { "audience": ["user"] },
                }))
            })
            .collect()
    }

    fn resources(&self) -> Value {
        let Some(root) = &self.root else {
            return json!({ "resources": [] });
        };
        let mut resources = vec![json!({
            "uri": format!("assetrail://{MANIFEST_FILE}"),
            "name": MANIFEST_FILE,
            "description": "The provenance manifest: one entry per recorded asset",
            "mimeType": "application/toml",
        })];
        if let Ok(ws) = Workspace::open(Some(root))
            && let Ok(manifest) = ws.load_manifest()
        {
            resources.extend(manifest.assets.iter().map(|entry| {
                json!({
                    "uri": format!("assetrail://asset/{}", entry.path),
                    "name": entry.path,
                    "mimeType": "application/json",
                })
            }));
        }
        json!({ "resources": resources })
    }

    fn read_resource(&self, params: &Value) -> std::result::Result<Value, RpcError> {
        let uri = params["uri"].as_str().unwrap_or_default();
        let not_found = || {
            (
                -32602,
                format!("resource not found: {uri}"),
                Some(json!({ "uri": uri })),
            )
        };
        let root = self.root.as_deref().ok_or_else(not_found)?;
        let ws = Workspace::open(Some(root)).map_err(|_| not_found())?;
        if uri == format!("assetrail://{MANIFEST_FILE}") {
            let text = std::fs::read_to_string(ws.manifest_path()).map_err(|_| not_found())?;
            return Ok(
                json!({ "contents": [{ "uri": uri, "mimeType": "application/toml", "text": text }] }),
            );
        }
        let path = uri
            .strip_prefix("assetrail://asset/")
            .ok_or_else(not_found)?;
        let manifest = ws.load_manifest().map_err(|_| not_found())?;
        let entry = manifest
            .assets
            .iter()
            .find(|e| e.path == path)
            .ok_or_else(not_found)?;
        let text = serde_json::to_string_pretty(entry).unwrap_or_default();
        Ok(json!({ "contents": [{ "uri": uri, "mimeType": "application/json", "text": text }] }))
    }
}

type RpcError = (i64, String, Option<Value>);

#[derive(Clone, Copy)]
enum Era {
    Legacy,
    Modern,
}

impl Era {
    /// Adds what a 2026-07-28 result carries: `resultType`, the server's
    /// identity, and cache hints on lists.
    fn finish(self, method: &str, mut result: Value) -> Value {
        if let (Era::Modern, Some(object)) = (self, result.as_object_mut()) {
            object.insert("resultType".into(), json!("complete"));
            let meta = object.entry("_meta").or_insert_with(|| json!({}));
            meta[META_SERVER_INFO] = server_info();
            if method.ends_with("/list") {
                object.insert("ttlMs".into(), json!(300_000));
                object.insert("cacheScope".into(), json!("public"));
            }
        }
        result
    }
}

const INSTRUCTIONS: &str = "assetrail keeps the repository's images and their provenance. Generate or edit images with generate_image / edit_image (paths are repo-relative, inside the managed asset folders; nothing is overwritten unless overwrite is true). Before finishing, run check_assets: every generated image must be referenced from the site and unchanged since it was recorded.";

fn server_info() -> Value {
    json!({ "name": "assetrail", "title": "assetrail", "version": env!("CARGO_PKG_VERSION") })
}

fn capabilities() -> Value {
    json!({ "tools": {}, "resources": {} })
}

fn discover() -> Value {
    json!({
        "supportedVersions": SUPPORTED,
        "capabilities": capabilities(),
        "instructions": INSTRUCTIONS,
        "ttlMs": 3_600_000,
        "cacheScope": "public",
    })
}

fn error_reply(id: Value, code: i64, message: &str, data: Option<Value>) -> Value {
    let mut error = json!({ "code": code, "message": message });
    if let Some(data) = data {
        error["data"] = data;
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": error })
}

fn wait_or_done(done: &AtomicBool, period: Duration) -> bool {
    let step = Duration::from_millis(50);
    let mut waited = Duration::ZERO;
    while waited < period {
        if done.load(Ordering::SeqCst) {
            return true;
        }
        std::thread::sleep(step);
        waited += step;
    }
    done.load(Ordering::SeqCst)
}

fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let encoded = percent_encoding::utf8_percent_encode(&text, URI_PATH);
    if text.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A tool argument's name for a clap argument (`output-format` → `output_format`,
/// `force` → `overwrite`).
fn argument_name(arg: &clap::Arg) -> String {
    let name = arg
        .get_long()
        .map_or_else(|| arg.get_id().to_string(), str::to_owned)
        .replace('-', "_");
    if name == "force" {
        "overwrite".into()
    } else {
        name
    }
}

/// The clap arguments a tool offers.
fn offered(tool: &Tool) -> Vec<clap::Arg> {
    let command = Cli::command();
    let Some(sub) = command.find_subcommand(tool.command[0]) else {
        return Vec::new();
    };
    sub.get_arguments()
        .filter(|arg| !arg.is_global_set() && !arg.is_hide_set())
        .filter(|arg| !matches!(arg.get_id().as_str(), "help" | "version"))
        .filter(|arg| !tool.hidden.contains(&argument_name(arg).as_str()))
        .cloned()
        .collect()
}

fn takes_many(arg: &clap::Arg) -> bool {
    matches!(arg.get_action(), clap::ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1)
}

fn is_integer(arg: &clap::Arg) -> bool {
    let id = arg.get_value_parser().type_id();
    [
        TypeId::of::<u32>(),
        TypeId::of::<u8>(),
        TypeId::of::<u64>(),
        TypeId::of::<usize>(),
    ]
    .iter()
    .any(|t| id == *t)
}

/// A tool's `inputSchema`, derived from its subcommand's clap arguments.
fn input_schema(tool: &Tool) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for arg in offered(tool) {
        let name = argument_name(&arg);
        let mut schema = if !arg.get_action().takes_values() {
            json!({ "type": "boolean" })
        } else {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_owned())
                .collect();
            let one = if !values.is_empty() {
                json!({ "type": "string", "enum": values })
            } else if is_integer(&arg) {
                json!({ "type": "integer" })
            } else {
                json!({ "type": "string" })
            };
            if takes_many(&arg) {
                json!({ "type": "array", "items": one })
            } else {
                one
            }
        };
        if let Some(help) = arg.get_help() {
            schema["description"] = json!(help.to_string());
        }
        if let Some(default) = arg.get_default_values().first() {
            let text = default.to_string_lossy();
            schema["default"] = text
                .parse::<i64>()
                .map_or_else(|_| json!(text), |n| json!(n));
        }
        if arg.is_required_set() {
            required.push(name.clone());
        }
        properties.insert(name, schema);
    }
    if matches!(tool.name, "generate_image" | "edit_image") {
        properties.insert(
            "preview".into(),
            json!({ "type": "boolean", "description": "Also return a downscaled copy (at most 512 px) of each written image", "default": false }),
        );
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// A tool's `outputSchema`: the schema of its command's `--format json`
/// output, the same `assetrail schema COMMAND` prints.
fn output_schema(tool: &Tool) -> Value {
    crate::schema::for_command(tool.command[0]).unwrap_or_else(|| json!({ "type": "object" }))
}

fn describe(tool: &Tool) -> Value {
    json!({
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "inputSchema": input_schema(tool),
        "outputSchema": output_schema(tool),
        "annotations": {
            "title": tool.title,
            "readOnlyHint": tool.read_only,
            "destructiveHint": tool.destructive,
            "idempotentHint": tool.read_only,
            "openWorldHint": tool.open_world,
        },
    })
}

/// The command line a tool call stands for, checked against the tool's
/// arguments: unknown names and wrong types are refused with what is expected.
fn command_line(tool: &Tool, arguments: &Value, root: &Path) -> Result<Vec<String>> {
    let wrong =
        |what: String| Error::usage(what, format!("see the {} tool's inputSchema", tool.name));
    let Some(given) = arguments.as_object() else {
        return Err(wrong("arguments must be an object".into()));
    };
    let offered = offered(tool);
    let mut argv: Vec<String> = vec![
        "assetrail".into(),
        "--format".into(),
        "json".into(),
        "--repo".into(),
    ];
    argv.push(root.to_string_lossy().into_owned());
    argv.extend(tool.command.iter().map(|s| (*s).to_owned()));
    let mut positional = Vec::new();
    for (name, value) in given {
        if name == "preview" && matches!(tool.name, "generate_image" | "edit_image") {
            continue;
        }
        let Some(arg) = offered.iter().find(|a| argument_name(a) == *name) else {
            let known: Vec<String> = offered.iter().map(argument_name).collect();
            return Err(wrong(format!(
                "unknown argument `{name}` (known: {})",
                known.join(", ")
            )));
        };
        let flag = arg.get_long().map(|l| format!("--{l}"));
        let values: Vec<String> = match value {
            Value::Bool(true) if !arg.get_action().takes_values() => {
                argv.extend(flag);
                continue;
            }
            Value::Bool(false) | Value::Null => continue,
            Value::String(s) => vec![s.clone()],
            Value::Number(n) => vec![n.to_string()],
            Value::Array(items) if takes_many(arg) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect(),
            other => return Err(wrong(format!("`{name}` cannot be {other}"))),
        };
        match flag {
            Some(flag) => {
                for value in values {
                    argv.push(format!("{flag}={value}"));
                }
            }
            None => positional.extend(values),
        }
    }
    if !positional.is_empty() {
        argv.push("--".into());
        argv.extend(positional);
    }
    Ok(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_come_from_the_command_line_definitions() {
        let generate = TOOLS.iter().find(|t| t.name == "generate_image").unwrap();
        let schema = input_schema(generate);
        let props = &schema["properties"];
        assert_eq!(props["output_format"]["type"], "string");
        assert!(
            props["quality"]["enum"]
                .as_array()
                .unwrap()
                .contains(&json!("high"))
        );
        assert_eq!(props["n"]["type"], "integer");
        assert_eq!(props["overwrite"]["type"], "boolean");
        assert!(props.get("batch").is_none() && props.get("format").is_none());
        let edit = TOOLS.iter().find(|t| t.name == "edit_image").unwrap();
        assert_eq!(input_schema(edit)["properties"]["input"]["type"], "array");
        for tool in TOOLS {
            assert!(
                !offered(tool).is_empty() || matches!(tool.name, "list_assets"),
                "{}",
                tool.name
            );
            assert!(
                tool.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
        }
    }
}

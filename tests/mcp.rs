//! `assetrail mcp` spoken to as clients speak to it: the real binary on
//! pipes, one JSON-RPC message per line, in both protocol eras.

mod common;
#[path = "common/openai_server.rs"]
mod openai_server;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::Duration;

use common::Repo;
use openai_server::{Reply, Server};
use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

const MODERN_META: &str = r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"}}"#;

impl Client {
    fn start(repo: &Repo) -> Client {
        Client::start_with(repo, None)
    }

    /// With `server`, the image API routes go to that loopback server.
    fn start_with(repo: &Repo, server: Option<&Server>) -> Client {
        let mut command = repo.command();
        if let Some(server) = server {
            command.env("OPENAI_BASE_URL", &server.url).env(
                "OPENAI_API_KEY",
                "sk-test-0123456789abcdefghijklmnopqrstuvwxyz",
            );
        }
        let mut child = command
            .arg("mcp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Client {
            child,
            stdin,
            stdout,
            next_id: 0,
        }
    }

    fn send(&mut self, message: &Value) {
        let line = serde_json::to_string(message).unwrap();
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert!(line.ends_with('\n'), "one message per line: {line:?}");
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout holds only JSON-RPC: {e}: {line}"))
    }

    /// Sends a request and returns its reply (notifications before it are kept apart).
    fn request(&mut self, method: &str, params: Value) -> (Value, Vec<Value>) {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let mut notifications = Vec::new();
        loop {
            let message = self.read();
            if message["id"] == json!(id) {
                return (message, notifications);
            }
            notifications.push(message);
        }
    }

    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let (reply, _) = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        reply["result"].clone()
    }
}

fn legacy(repo: &Repo) -> Client {
    legacy_with(repo, None)
}

fn legacy_with(repo: &Repo, server: Option<&Server>) -> Client {
    let mut client = Client::start_with(repo, server);
    let (reply, _) = client.request(
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    );
    assert_eq!(reply["result"]["protocolVersion"], "2025-11-25");
    assert!(reply["result"]["capabilities"]["tools"].is_object());
    client.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    client
}

#[test]
fn legacy_clients_list_tools_with_schemas_and_annotations() {
    let repo = Repo::site();
    let mut client = legacy(&repo);
    let (reply, _) = client.request("tools/list", json!({}));
    let tools = reply["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for wanted in [
        "generate_image",
        "edit_image",
        "import_codex_image",
        "record_asset",
        "check_assets",
        "list_assets",
        "show_asset",
        "asset_refs",
        "explain_finding",
        "cost",
    ] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    for tool in tools {
        for schema in [&tool["inputSchema"], &tool["outputSchema"]] {
            jsonschema::meta::validate(schema)
                .unwrap_or_else(|e| panic!("{}: not JSON Schema 2020-12: {e}", tool["name"]));
        }
        assert_eq!(tool["inputSchema"]["type"], "object", "{}", tool["name"]);
        assert_eq!(tool["outputSchema"]["type"], "object", "{}", tool["name"]);
        assert!(tool["annotations"]["readOnlyHint"].is_boolean());
    }
    let by_name = |n: &str| tools.iter().find(|t| t["name"] == n).unwrap();
    assert_eq!(by_name("check_assets")["annotations"]["readOnlyHint"], true);
    assert_eq!(
        by_name("generate_image")["annotations"]["readOnlyHint"],
        false
    );
    assert_eq!(
        by_name("show_asset")["inputSchema"]["required"],
        json!(["path"])
    );
    // Legacy results carry no 2026-07-28 keys.
    assert!(reply["result"].get("resultType").is_none());
    drop(client.stdin.take());
    assert!(client.child.wait().unwrap().success(), "exits on EOF");
}

#[test]
fn generate_writes_into_the_repository_and_returns_links_not_pixels() {
    let repo = Repo::site();
    let mut client = legacy(&repo);
    let result = client.call(
        "generate_image",
        json!({"prompt": "a lighthouse at dusk", "kind": "article", "out": "public/images/lighthouse.png"}),
    );
    assert_eq!(result["isError"], false, "{result}");
    let structured = &result["structuredContent"];
    let entry = &structured["assets"][0];
    assert_eq!(entry["path"], "public/images/lighthouse.png");
    let (listed, _) = client.request("tools/list", json!({}));
    let output_schema = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "generate_image")
        .unwrap()["outputSchema"]
        .clone();
    assert!(
        jsonschema::is_valid(&output_schema, structured),
        "valid against its outputSchema"
    );
    assert!(repo.path().join("public/images/lighthouse.png").is_file());
    // The structured result is exactly what the CLI prints for the same entry.
    let shown = repo
        .run(&["show", "public/images/lighthouse.png", "--format", "json"])
        .json();
    assert_eq!(structured["assets"][0], shown["asset"]);
    // The text block mirrors it for older clients; links point at the file and its record.
    let content = result["content"].as_array().unwrap();
    let text: Value = serde_json::from_str(content[0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(&text, structured);
    let links: Vec<&str> = content
        .iter()
        .filter(|c| c["type"] == "resource_link")
        .map(|c| c["uri"].as_str().unwrap())
        .collect();
    assert!(
        links
            .iter()
            .any(|u| u.starts_with("file://") && u.ends_with("public/images/lighthouse.png")),
        "{links:?}"
    );
    assert!(links.contains(&"assetrail://asset/public/images/lighthouse.png"));
    assert!(
        !result.to_string().contains("iVBOR"),
        "no base64 without preview"
    );

    // No overwrite without `overwrite: true`; the refusal names a free path.
    let again = client.call(
        "generate_image",
        json!({"prompt": "again", "out": "public/images/lighthouse.png"}),
    );
    assert_eq!(again["isError"], true);
    let error = &again["structuredContent"]["error"];
    assert_eq!(error["code"], "refused");
    assert!(
        error["hint"].as_str().unwrap().contains("lighthouse-2.png"),
        "{error}"
    );

    // A preview, when asked: at most 512 px.
    let previewed = client.call(
        "generate_image",
        json!({"prompt": "a harbour", "kind": "cover", "preview": true}),
    );
    let image = previewed["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "image")
        .expect("an image block");
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(image["data"].as_str().unwrap())
        .unwrap();
    let decoded = image::load_from_memory(&png).unwrap();
    assert!(decoded.width() <= 512 && decoded.height() <= 512);

    // Paths are confined as on the CLI.
    let outside = client.call(
        "generate_image",
        json!({"prompt": "x", "out": "../escape.png"}),
    );
    assert_eq!(outside["isError"], true);
    let unmanaged = client.call("generate_image", json!({"prompt": "x", "out": "src/x.png"}));
    assert_eq!(unmanaged["isError"], true);
    assert!(
        unmanaged["structuredContent"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("outside the managed folders"),
        "{unmanaged}"
    );
    assert!(!repo.path().join("src/x.png").exists());
    // A wrong argument is a tool error naming what is accepted.
    let wrong = client.call("generate_image", json!({"prompt": "x", "colour": "red"}));
    assert_eq!(wrong["isError"], true);
    assert!(
        wrong["structuredContent"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown argument `colour`")
    );

    // The record is readable as a resource.
    let (read, _) = client.request(
        "resources/read",
        json!({"uri": "assetrail://asset/public/images/lighthouse.png"}),
    );
    let record: Value =
        serde_json::from_str(read["result"]["contents"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(record["prompt"], "a lighthouse at dusk");
}

#[test]
fn check_results_match_the_cli_and_errors_are_protocol_errors() {
    let repo = Repo::site();
    let mut client = legacy(&repo);
    let checked = client.call("check_assets", json!({}));
    let cli = repo.run(&["check", "--format", "json"]);
    // Identical but for how many files this run had to hash (the first run warms a cache).
    let without_hashed = |mut v: Value| {
        v["summary"].as_object_mut().unwrap().remove("hashed");
        v
    };
    assert_eq!(
        without_hashed(checked["structuredContent"].clone()),
        without_hashed(cli.json())
    );
    assert_eq!(checked["isError"], json!(cli.code != 0));
    let explained = client.call("explain_finding", json!({"code": "AR001"}));
    assert_eq!(
        explained["structuredContent"],
        repo.run(&["explain", "AR001", "--format", "json"]).json()
    );

    let (unknown_tool, _) = client.request("tools/call", json!({"name": "paint", "arguments": {}}));
    assert_eq!(unknown_tool["error"]["code"], -32602);
    let (unknown_method, _) = client.request("prompts/get", json!({}));
    assert_eq!(unknown_method["error"]["code"], -32601);
}

#[test]
fn modern_clients_discover_and_carry_the_version_in_each_request() {
    let repo = Repo::site();
    let mut client = Client::start(&repo);
    let meta: Value = serde_json::from_str(MODERN_META).unwrap();
    let (discovered, _) = client.request("server/discover", json!({"_meta": meta}));
    let result = &discovered["result"];
    assert_eq!(result["resultType"], "complete");
    assert!(
        result["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-07-28"))
    );
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "assetrail"
    );

    let (listed, _) = client.request("tools/list", json!({"_meta": meta}));
    assert_eq!(listed["result"]["resultType"], "complete");
    assert!(listed["result"]["ttlMs"].is_number());
    assert_eq!(listed["result"]["cacheScope"], "public");

    let (called, _) = client.request(
        "tools/call",
        json!({"_meta": meta, "name": "list_assets", "arguments": {}}),
    );
    assert_eq!(called["result"]["resultType"], "complete");
    assert_eq!(
        called["result"]["structuredContent"],
        repo.run(&["status", "--format", "json"]).json()
    );

    let mut future = meta.clone();
    future["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let (refused, _) = client.request("tools/list", json!({"_meta": future}));
    assert_eq!(refused["error"]["code"], -32022);
    assert!(
        refused["error"]["data"]["supported"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-07-28"))
    );

    let mut missing = meta.clone();
    missing
        .as_object_mut()
        .unwrap()
        .remove("io.modelcontextprotocol/clientCapabilities");
    let (invalid, _) = client.request("tools/list", json!({"_meta": missing}));
    assert_eq!(invalid["error"]["code"], -32602);
}

#[test]
fn long_calls_report_progress_when_asked() {
    let server = Server::start();
    // A slow API: the answer comes after 6 s, past one progress period.
    server.script([Reply::Delayed(
        Duration::from_millis(6000),
        Box::new(Reply::Ok),
    )]);
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    let mut client = legacy_with(&repo, Some(&server));
    client.next_id += 1;
    let id = client.next_id;
    client.send(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": "generate_image", "_meta": {"progressToken": "p1"},
        "arguments": {"prompt": "a slow one", "route": "images", "out": "public/images/slow.png"}}}));
    let (listed, _) = client.request("tools/list", json!({}));
    assert!(
        listed["result"]["tools"].is_array(),
        "answered while the call runs"
    );
    let mut progress = Vec::new();
    loop {
        let message = client.read();
        if message["id"] == json!(id) {
            assert_eq!(message["result"]["isError"], false, "{message}");
            break;
        }
        assert_eq!(message["method"], "notifications/progress");
        assert_eq!(message["params"]["progressToken"], "p1");
        progress.push(message["params"]["progress"].as_f64().unwrap());
    }
    assert!(!progress.is_empty(), "a call over 5 s reports progress");
    assert!(
        progress.windows(2).all(|w| w[0] < w[1]),
        "progress grows: {progress:?}"
    );
    // Without a token, no progress notifications.
    server.script([Reply::Delayed(
        Duration::from_millis(5500),
        Box::new(Reply::Ok),
    )]);
    client.next_id += 1;
    let id = client.next_id;
    client.send(
        &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": "generate_image",
        "arguments": {"prompt": "quiet", "route": "images", "out": "public/images/quiet.png"}}}),
    );
    let reply = client.read();
    assert_eq!(reply["id"], json!(id), "only the result: {reply}");
}

#[test]
fn a_cancelled_generation_leaves_nothing_behind() {
    let server = Server::start();
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    let before = repo.snapshot();
    // The API answers after 1.5 s; the client cancels after 0.3 s.
    server.script([Reply::Delayed(
        Duration::from_millis(1500),
        Box::new(Reply::Ok),
    )]);
    let mut client = legacy_with(&repo, Some(&server));
    client.next_id += 1;
    let id = client.next_id;
    client.send(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": "generate_image",
        "arguments": {"prompt": "cancel me", "route": "images", "out": "public/images/cancelled.png"}}}));
    std::thread::sleep(Duration::from_millis(300));
    client.send(
        &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": id, "reason": "user pressed stop"}}),
    );
    // The cancelled call gets no answer; the next request does.
    std::thread::sleep(Duration::from_millis(2000));
    let (listed, earlier) = client.request("tools/list", json!({}));
    assert!(listed["result"]["tools"].is_array());
    assert!(
        earlier.iter().all(|m| m["id"] != json!(id)),
        "no reply to a cancelled call: {earlier:?}"
    );
    assert_eq!(server.requests().len(), 1, "the request had gone out");
    assert_eq!(
        repo.snapshot(),
        before,
        "nothing written, manifest unchanged"
    );

    // Uncancelled, the same call writes the image.
    server.script([Reply::Delayed(
        Duration::from_millis(200),
        Box::new(Reply::Ok),
    )]);
    let done = client.call(
        "generate_image",
        json!({"prompt": "keep me", "route": "images", "out": "public/images/kept.png"}),
    );
    assert_eq!(done["isError"], false, "{done}");
    assert!(repo.path().join("public/images/kept.png").is_file());
}

#[test]
fn init_agents_writes_each_clients_config_the_agents_md_section_and_the_skill() {
    let repo = Repo::empty();
    repo.write(
        ".mcp.json",
        r#"{"mcpServers": {"other": {"command": "x"}}}"#,
    );
    repo.write(".gemini/settings.json", "{ not json");
    let run = repo.run(&[
        "init",
        "--agents",
        "codex,claude,cursor,gemini",
        "--format",
        "json",
    ]);
    run.success();
    let actions: Vec<(String, String)> = run.json()["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let action = |path: &str| {
        actions
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, a)| a.as_str())
    };

    let codex: toml::Table = String::from_utf8(repo.read(".codex/config.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let server = &codex["mcp_servers"]["assetrail"];
    assert_eq!(server["command"].as_str(), Some("assetrail"));
    assert_eq!(server["args"].as_array().unwrap()[0].as_str(), Some("mcp"));
    assert!(
        server["env_vars"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str() == Some("OPENAI_API_KEY"))
    );
    assert!(server["tool_timeout_sec"].as_integer().unwrap() >= 120);

    let claude: Value = serde_json::from_slice(&repo.read(".mcp.json")).unwrap();
    assert_eq!(
        claude["mcpServers"]["other"]["command"], "x",
        "existing servers kept"
    );
    assert_eq!(claude["mcpServers"]["assetrail"]["args"], json!(["mcp"]));
    assert_eq!(action(".mcp.json"), Some("updated"));
    let cursor: Value = serde_json::from_slice(&repo.read(".cursor/mcp.json")).unwrap();
    assert_eq!(cursor["mcpServers"]["assetrail"]["command"], "assetrail");
    // A file that does not parse is left alone and the snippet printed.
    assert_eq!(repo.read(".gemini/settings.json"), b"{ not json");
    assert_eq!(action(".gemini/settings.json"), Some("printed"));

    assert!(
        String::from_utf8(repo.read("AGENTS.md"))
            .unwrap()
            .contains("assetrail check --staged")
    );
    for skill in [
        ".agents/skills/assetrail/SKILL.md",
        ".claude/skills/assetrail/SKILL.md",
    ] {
        let text = String::from_utf8(repo.read(skill)).unwrap();
        let front = text
            .strip_prefix("---\n")
            .unwrap()
            .split("\n---\n")
            .next()
            .unwrap();
        let fields: std::collections::HashMap<&str, &str> =
            front.lines().filter_map(|l| l.split_once(": ")).collect();
        assert_eq!(fields.get("name"), Some(&"assetrail"));
        assert!(fields.get("description").is_some_and(|d| d.len() > 40));
    }

    // Again, in a repository already set up: only the agents, nothing duplicated.
    let again = repo.run(&["init", "--agents", "codex,claude", "--format", "json"]);
    again.success();
    assert!(
        again.json()["agents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["action"] == "already-present"),
        "{}",
        again.stdout
    );
}

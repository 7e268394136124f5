//! The API routes against a real HTTP server on loopback that speaks the
//! OpenAI wire format. Every request assetrail sends is validated against
//! OpenAI's published schemas; the key never appears in any output.

mod common;
#[path = "common/openai_server.rs"]
mod openai_server;

use common::{Repo, Run, sha256};
use openai_server::{Reply, Server, b64, image_bytes};
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789abcdefghijklmnopqrstuvwxyz";

/// A repository from `assetrail init`, pointed at `server`.
fn api_repo(server: &Server, extra_config: &str) -> Repo {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    if !extra_config.is_empty() {
        let config = String::from_utf8(repo.read("assets.toml")).unwrap();
        repo.write(
            "assets.toml",
            format!("{config}\n{extra_config}\n").replace("{URL}", &server.url),
        );
    }
    repo
}

/// The binary in `repo` with the server as OPENAI_BASE_URL and the test keys set.
fn api_command(repo: &Repo, server: &Server, args: &[&str]) -> std::process::Command {
    let mut cmd = repo.command();
    cmd.env("OPENAI_BASE_URL", &server.url)
        .env("OPENAI_API_KEY", KEY)
        .env("ACME_KEY", "acme-secret-key-000")
        .env("OPENAI_ORG_ID", "org-test")
        .env_remove("OPENAI_PROJECT_ID")
        .args(args);
    cmd
}

/// Runs assetrail against the server ([`api_command`]) and checks the key
/// appears nowhere it must not.
fn api(repo: &Repo, server: &Server, args: &[&str]) -> Run {
    let run: Run = api_command(repo, server, args).output().unwrap().into();
    for secret in [KEY, "acme-secret-key-000"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a key leaked into the output"
        );
        if repo.path().join("assets.lock").exists() {
            assert!(
                !String::from_utf8_lossy(&repo.read("assets.lock")).contains(secret),
                "a key leaked into assets.lock"
            );
        }
    }
    run
}

fn assert_schema_valid(server: &Server) {
    for request in server.requests() {
        assert!(
            request.schema_errors.is_empty(),
            "{} violates OpenAI's schema: {:#?}",
            request.path,
            request.schema_errors
        );
    }
}

#[test]
fn images_generations_send_the_right_request_and_record_everything() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "A red fox in snow",
            "--size",
            "1536x1024",
            "--quality",
            "medium",
            "--output-format",
            "webp",
            "--output-compression",
            "80",
            "--out",
            "public/images/fox.webp",
            "--format",
            "json",
        ],
    );
    run.success();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/images/generations")
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(request.header("openai-organization"), Some("org-test"));
    assert_eq!(
        request.json.clone().unwrap(),
        json!({"model": "gpt-image-2", "prompt": "A red fox in snow", "n": 1, "size": "1536x1024", "quality": "medium",
               "background": "auto", "output_format": "webp", "output_compression": 80})
    );
    assert_schema_valid(&server);

    // Bytes exactly as sent, never re-encoded.
    assert_eq!(repo.read("public/images/fox.webp"), server.sent()[0]);
    let entry = repo.entry("public/images/fox.webp");
    let text = |k: &str| entry.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    assert_eq!(text("route").as_deref(), Some("images"));
    assert_eq!(text("credit").as_deref(), Some("openai-api"));
    assert_eq!(text("model").as_deref(), Some("gpt-image-2"));
    assert_eq!(text("request_id").as_deref(), Some("req_test_1"));
    assert_eq!(entry["processing_ms"].as_integer(), Some(1234));
    assert_eq!(
        text("api_host"),
        Some(
            server
                .url
                .trim_start_matches("http://")
                .trim_end_matches("/v1")
                .to_owned()
        )
    );
    assert_eq!(entry["output_compression"].as_integer(), Some(80));
    assert_eq!(entry["usage"]["output_tokens"].as_integer(), Some(4160));
    // 10×$5 + 40×$8 + 4160×$30 per million tokens.
    assert_eq!(entry["cost_estimate_usd"].as_float(), Some(0.12517));
    assert_eq!(text("price_table").as_deref(), Some("gpt-image-2"));
    assert!(text("price_source").unwrap().contains("2026-11"));
    assert_eq!(entry["returned"]["quality"].as_str(), Some("medium"));
    assert_eq!(run.json()["assets"][0]["sha256"], sha256(&server.sent()[0]));
}

#[test]
fn responses_put_the_text_model_on_top_and_the_image_model_in_the_tool() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "responses",
            "--prompt",
            "A gray tabby cat hugging an otter",
            "--size",
            "1024x1536",
            "--quality",
            "high",
        ],
    )
    .success();
    let request = &server.requests()[0];
    assert_eq!(request.path, "/v1/responses");
    let body = request.json.clone().unwrap();
    assert_eq!(body["model"], "gpt-5.5");
    assert_eq!(body["input"], "A gray tabby cat hugging an otter");
    assert_eq!(body["tools"][0]["type"], "image_generation");
    assert_eq!(body["tools"][0]["model"], "gpt-image-2");
    assert_eq!(body["tools"][0]["size"], "1024x1536");
    assert_eq!(body["tool_choice"], json!({"type": "image_generation"}));
    assert_schema_valid(&server);
    let entry = repo.entry("public/images/a-gray-tabby-cat-hugging-an.png");
    assert_eq!(entry["route"].as_str(), Some("responses"));
    assert_eq!(entry["text_model"].as_str(), Some("gpt-5.5"));
    assert_eq!(entry["model"].as_str(), Some("gpt-image-2"));
    assert_eq!(entry["response_id"].as_str(), Some("resp_test_1"));
    assert_eq!(entry["revised_prompt"].as_str(), Some("a revised prompt"));
    assert_eq!(entry["credit"].as_str(), Some("openai-api"));
    // The image at gpt-image-2's per-image price for high at the size the
    // API reports (1024x1024); the text model has no table here, and the
    // record says so.
    assert_eq!(entry["cost_estimate_usd"].as_float(), Some(0.211));
    assert_eq!(entry["price_table"].as_str(), Some("gpt-image-2"));
    assert!(
        entry["cost_note"].as_str().unwrap().contains("gpt-5.5"),
        "{entry:?}"
    );

    // --text-model overrides the route's text model; an image model there is
    // refused whatever its letter case; other routes refuse the flag.
    let args = |text: &str, route: &str| {
        [
            "generate",
            "--route",
            route,
            "--prompt",
            "an otter",
            "--size",
            "1024x1024",
            "--text-model",
            text,
            "--out",
            "public/images/otter.png",
        ]
        .map(str::to_owned)
    };
    let run = |a: [String; 11]| {
        api(
            &repo,
            &server,
            &a.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    run(args("gpt-5.5-mini", "responses")).success();
    assert_eq!(
        server.requests()[1].json.clone().unwrap()["model"],
        "gpt-5.5-mini"
    );
    assert_eq!(
        repo.entry("public/images/otter.png")["text_model"].as_str(),
        Some("gpt-5.5-mini")
    );
    for (text, route, says) in [
        ("GPT-IMAGE-2", "responses", "is an image model"),
        ("gpt-5.5", "images", "applies to responses routes"),
        ("gpt-5.5", "local", "applies to responses routes"),
    ] {
        let refused = run(args(text, route));
        assert_eq!(refused.code, 1, "{text} on {route}: {}", refused.stderr);
        assert!(refused.stderr.contains(says), "{}", refused.stderr);
    }
    assert_eq!(server.requests().len(), 2, "refusals send nothing");
}

const GATEWAY: &str = r#"
[routes.acme]
type = "gateway"
provider = "acme"
channel = "eu-fast"
base_url = "{URL}"
api_key_env = "ACME_KEY"
model = "gpt-image-2"
pricing = "acme-gpt-image-2"
headers = { "X-Title" = "example-site" }
"#;

#[test]
fn responses_price_the_image_and_the_text_tokens_at_their_own_rates() {
    let server = Server::start();
    let repo = api_repo(
        &server,
        "[pricing.\"gpt-5.5\"]\nsource = \"test\"\ntext_input = 2.0\ntext_output = 10.0\n",
    );
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "responses",
            "--prompt",
            "a fox",
            "--size",
            "1536x1024",
            "--quality",
            "high",
            "--out",
            "public/images/fox.png",
        ],
    )
    .success();
    let entry = repo.entry("public/images/fox.png");
    // Image: $0.211 (high, at the 1024x1024 the API reports); text: 1200 × $2
    // + 80 × $10 per million = $0.0032.
    assert_eq!(entry["cost_estimate_usd"].as_float(), Some(0.2142));
    assert_eq!(entry["price_table"].as_str(), Some("gpt-image-2 + gpt-5.5"));
    assert!(entry.get("cost_note").is_none());
}

#[test]
fn keys_with_control_characters_and_urls_with_credentials_are_refused() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let args = [
        "generate",
        "--route",
        "images",
        "--prompt",
        "x",
        "--size",
        "1024x1024",
    ];
    let run: Run = repo
        .command()
        .env("OPENAI_BASE_URL", &server.url)
        .env("OPENAI_API_KEY", format!("{KEY}\n"))
        .args(args)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("OPENAI_API_KEY") && run.stderr.contains("control character"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(KEY), "the key is never printed");
    let with_credentials = server.url.replace("http://", "http://user:hunter2@");
    let run: Run = repo
        .command()
        .env("OPENAI_BASE_URL", &with_credentials)
        .env("OPENAI_API_KEY", KEY)
        .args(args)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("user name or password"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    let dry: Run = repo
        .command()
        .env("OPENAI_BASE_URL", &with_credentials)
        .args(args)
        .args(["--dry-run", "--format", "json"])
        .output()
        .unwrap()
        .into();
    assert!(!dry.stdout.contains("hunter2"), "{}", dry.stdout);
    assert_eq!(server.requests().len(), 0);
}

#[test]
fn the_ui_kind_works_out_of_the_box_on_the_api_routes() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    // The kind's transparent default on gpt-image-2 (no transparency):
    // generated with background auto, and the run says so.
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--kind",
            "ui",
            "--prompt",
            "a gear icon",
            "--format",
            "json",
        ],
    );
    run.success();
    assert_eq!(
        server.requests()[0].json.clone().unwrap()["background"],
        "auto"
    );
    assert!(
        run.json()["notes"][0]
            .as_str()
            .unwrap()
            .contains("transparent"),
        "{}",
        run.stdout
    );
    // A model that takes transparency gets it.
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--kind",
            "ui",
            "--prompt",
            "a cog icon",
            "--model",
            "gpt-image-2.6-sunburst",
        ],
    )
    .success();
    assert_eq!(
        server.requests()[1].json.clone().unwrap()["background"],
        "transparent"
    );
    // The returned image's alpha is checked, not taken on trust.
    let cog = repo
        .entries()
        .into_iter()
        .find(|e| e["prompt"].as_str() == Some("a cog icon"))
        .unwrap();
    assert_eq!(cog["transparent_pixels"].as_bool(), Some(true), "{cog}");

    // A server that ignores the ask and sends an opaque image: recorded, and said.
    server.script([Reply::Json(
        200,
        vec![],
        json!({"created": 1, "data": [{"b64_json": b64(&image_bytes("png", 7))}]}),
    )]);
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--kind",
            "ui",
            "--prompt",
            "a flat icon",
            "--model",
            "gpt-image-2.6-sunburst",
            "--format",
            "json",
        ],
    );
    run.success();
    assert_eq!(run.json()["assets"][0]["transparent_pixels"], false);
    assert!(
        run.json()["notes"][0]
            .as_str()
            .unwrap()
            .contains("every pixel is opaque"),
        "{}",
        run.stdout
    );
}

#[test]
fn xhigh_and_max_need_a_model_that_takes_them() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "x",
            "--quality",
            "xhigh",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("gpt-image-2 does not take quality xhigh"),
        "{}",
        run.stderr
    );
    let dry = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "x",
            "--quality",
            "max",
            "--model",
            "gpt-image-2.6-sunburst",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    dry.success();
    assert_eq!(dry.json()["requests"][0]["body"]["quality"], "max");
    assert!(server.requests().is_empty());
}

#[test]
fn fewer_images_than_asked_for_are_recorded_and_reported() {
    let server = Server::start();
    server.script([Reply::Json(
        200,
        vec![],
        json!({"created": 1, "data": [{"b64_json": b64(&image_bytes("png", 3))}],
               "size": "1024x1024", "quality": "low", "output_format": "png", "background": "opaque"}),
    )]);
    let repo = api_repo(&server, "");
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "two boats",
            "-n",
            "2",
            "--size",
            "1024x1024",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        run.code, 1,
        "a partial result is not a success: {}",
        run.stderr
    );
    let json = run.json();
    assert_eq!(json["assets"].as_array().unwrap().len(), 1);
    assert_eq!(json["shortfalls"][0]["asked"], 2);
    assert_eq!(json["shortfalls"][0]["received"], 1);
    assert_eq!(repo.entries().len(), 1, "what came back is recorded");
    let text = repo.run(&["status"]);
    assert!(text.stdout.contains("1 ok"), "{}", text.stdout);
}

#[test]
fn a_gateway_without_its_own_prices_records_no_estimate() {
    let server = Server::start();
    let repo = api_repo(
        &server,
        &GATEWAY.replace("pricing = \"acme-gpt-image-2\"\n", ""),
    );
    let run: Run = repo
        .command()
        .env("ACME_KEY", "acme-secret-key-000")
        .args([
            "generate",
            "--route",
            "acme",
            "--prompt",
            "a lighthouse",
            "--size",
            "1024x1024",
            "--quality",
            "high",
            "--out",
            "public/images/l.png",
        ])
        .output()
        .unwrap()
        .into();
    run.success();
    let entry = repo.entry("public/images/l.png");
    assert!(entry.get("cost_estimate_usd").is_none(), "{entry:?}");
    assert!(entry.get("price_table").is_none());
    assert!(
        entry["cost_note"]
            .as_str()
            .unwrap()
            .contains("no `pricing` table"),
        "{entry:?}"
    );
}

#[test]
fn gateways_use_their_own_url_key_headers_and_prices() {
    let server = Server::start();
    let repo = api_repo(&server, GATEWAY);
    // OPENAI_BASE_URL points elsewhere: a gateway ignores it.
    let run: Run = repo
        .command()
        .env("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        .env("ACME_KEY", "acme-secret-key-000")
        .args([
            "generate",
            "--route",
            "acme",
            "--prompt",
            "a lighthouse",
            "--size",
            "1024x1024",
            "--quality",
            "high",
        ])
        .output()
        .unwrap()
        .into();
    run.success();
    let request = &server.requests()[0];
    assert_eq!(
        request.header("authorization"),
        Some("Bearer acme-secret-key-000")
    );
    assert_eq!(request.header("x-title"), Some("example-site"));
    assert_eq!(request.header("openai-organization"), None);
    let entry = repo.entry("public/images/a-lighthouse.png");
    assert_eq!(entry["route"].as_str(), Some("gateway.acme"));
    assert_eq!(entry["route_name"].as_str(), Some("acme"));
    assert_eq!(entry["credit"].as_str(), Some("provider:acme"));
    assert_eq!(entry["provider"].as_str(), Some("acme"));
    assert_eq!(entry["channel"].as_str(), Some("eu-fast"));
    assert_eq!(entry["price_table"].as_str(), Some("acme-gpt-image-2"));
    // Only output tokens are priced in acme's table: 4160 × $27 per million.
    assert_eq!(entry["cost_estimate_usd"].as_float(), Some(0.11232));
}

#[test]
fn edits_send_multipart_inputs_and_record_parents() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let (a, b) = (image_bytes("png", 1), image_bytes("png", 2));
    repo.write("public/images/a.png", &a);
    repo.write("public/images/b.png", &b);
    let mask = image::RgbaImage::from_pixel(64, 64, image::Rgba([0, 0, 0, 0]));
    let mut mask_bytes = std::io::Cursor::new(Vec::new());
    mask.write_to(&mut mask_bytes, image::ImageFormat::Png)
        .unwrap();
    repo.write("public/images/mask.png", mask_bytes.get_ref());
    api(
        &repo,
        &server,
        &[
            "edit",
            "--input",
            "public/images/a.png",
            "--input",
            "public/images/b.png",
            "--mask",
            "public/images/mask.png",
            "--prompt",
            "Put both items in a gift basket",
            "--out",
            "public/images/basket.png",
            "--size",
            "1024x1024",
        ],
    )
    .success();
    let request = &server.requests()[0];
    assert_eq!(request.path, "/v1/images/edits");
    assert!(
        request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data")
    );
    let files: Vec<(&str, &str)> = request
        .parts
        .iter()
        .filter_map(|(name, file, _, _)| file.as_deref().map(|f| (name.as_str(), f)))
        .collect();
    assert_eq!(
        files,
        [
            ("image[]", "a.png"),
            ("image[]", "b.png"),
            ("mask", "mask.png")
        ]
    );
    let image_parts: Vec<&Vec<u8>> = request
        .parts
        .iter()
        .filter(|p| p.0 == "image[]")
        .map(|p| &p.3)
        .collect();
    assert_eq!(image_parts, [&a, &b]);
    assert_eq!(
        request.field("prompt").as_deref(),
        Some("Put both items in a gift basket")
    );
    assert_eq!(request.field("model").as_deref(), Some("gpt-image-2"));
    assert_schema_valid(&server);

    let entry = repo.entry("public/images/basket.png");
    let parents = entry["parents"].as_array().unwrap();
    let summary: Vec<(&str, &str, String)> = parents
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap(),
                p["role"].as_str().unwrap(),
                p["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("public/images/a.png", "input", sha256(&a)),
            ("public/images/b.png", "input", sha256(&b)),
            (
                "public/images/mask.png",
                "mask",
                sha256(mask_bytes.get_ref())
            ),
        ]
    );

    // A mask without an alpha channel marks nothing: refused before sending.
    let opaque = image::RgbImage::from_pixel(64, 64, image::Rgb([0, 0, 0]));
    let mut opaque_bytes = std::io::Cursor::new(Vec::new());
    opaque
        .write_to(&mut opaque_bytes, image::ImageFormat::Png)
        .unwrap();
    repo.write("public/images/opaque-mask.png", opaque_bytes.get_ref());
    let sent = server.requests().len();
    let run = api(
        &repo,
        &server,
        &[
            "edit",
            "--input",
            "public/images/a.png",
            "--mask",
            "public/images/opaque-mask.png",
            "--prompt",
            "x",
            "--out",
            "public/images/x.png",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no alpha channel"), "{}", run.stderr);
    assert_eq!(server.requests().len(), sent, "nothing sent");
}

fn sse_image_events(prefix: &str, partials: usize, complete: bool) -> Vec<(String, Value)> {
    let mut events: Vec<(String, Value)> = (0..partials)
        .map(|i| {
            let kind = format!("{prefix}.partial_image");
            (kind.clone(), json!({"type": kind, "b64_json": b64(&image_bytes("png", 100 + i as u8)), "created_at": 1, "size": "1024x1024",
                    "quality": "high", "background": "opaque", "output_format": "png", "partial_image_index": i}))
        })
        .collect();
    if complete {
        let kind = format!("{prefix}.completed");
        events.push((kind.clone(), json!({"type": kind, "b64_json": b64(&image_bytes("png", 200)), "created_at": 2, "size": "1024x1024",
            "quality": "high", "background": "opaque", "output_format": "png",
            "usage": {"total_tokens": 100, "input_tokens": 50, "output_tokens": 50, "input_tokens_details": {"text_tokens": 10, "image_tokens": 40}}})));
    }
    events
}

#[test]
fn streams_record_partials_and_fail_without_a_final_image() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let partial_dir = repo.path().join("drafts");
    // Outside the repository is refused before anything is sent.
    let outside = repo.home.path().join("partials");
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "streamed",
            "--partial-images",
            "2",
            "--save-partials",
            outside.to_str().unwrap(),
            "--out",
            "public/images/streamed.png",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("absolute paths are refused"),
        "{}",
        run.stderr
    );
    assert!(server.requests().is_empty());
    server.script([Reply::Sse(sse_image_events("image_generation", 2, true))]);
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "streamed",
            "--size",
            "1024x1024",
            "--partial-images",
            "2",
            "--save-partials",
            "drafts",
            "--out",
            "public/images/streamed.png",
        ],
    )
    .success();
    let body = server.requests()[0].json.clone().unwrap();
    assert_eq!(
        (body["stream"].clone(), body["partial_images"].clone()),
        (json!(true), json!(2))
    );
    assert_schema_valid(&server);
    assert_eq!(
        repo.read("public/images/streamed.png"),
        image_bytes("png", 200)
    );
    let entry = repo.entry("public/images/streamed.png");
    assert_eq!(entry["partial_images"]["requested"].as_integer(), Some(2));
    assert_eq!(entry["partial_images"]["received"].as_integer(), Some(2));
    let mut saved: Vec<String> = std::fs::read_dir(&partial_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    saved.sort();
    assert_eq!(saved, ["streamed.partial-0.png", "streamed.partial-1.png"]);

    // A stream that ends without a completed image is an error; nothing is written.
    let before = repo.snapshot();
    server.script([Reply::Sse(sse_image_events("image_generation", 1, false))]);
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "cut short",
            "--partial-images",
            "1",
            "--out",
            "public/images/cut.png",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("ended without a completed image"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn responses_failures_are_explained_and_change_nothing() {
    let server = Server::start();
    let repo = api_repo(
        &server,
        "[routes.resp]\ntype = \"responses\"\nmodel = \"gpt-image-2\"\ntext_model = \"gpt-5.5\"\nmax_retries = 0\n",
    );
    let call = |result: Value| {
        json!({"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-5.5",
               "output": [{"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": result}],
               "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}})
    };
    let text_only = json!({"id": "resp_2", "object": "response", "status": "completed", "model": "gpt-5.5",
        "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "I cannot draw that."}]}]});
    let cases: Vec<(Reply, &[&str], bool)> = vec![
        (
            Reply::Json(200, vec![], text_only.clone()),
            &["no image_generation_call", "I cannot draw that."],
            false,
        ),
        (
            Reply::Json(200, vec![], call(json!("@@not base64@@"))),
            &["not valid base64"],
            false,
        ),
        (
            Reply::Json(200, vec![], call(json!(b64(b"plain text, no image")))),
            &["not an image"],
            false,
        ),
        (Reply::Truncated, &["cut off"], false),
        (
            Reply::Sse(vec![(
                "response.failed".into(),
                json!({"type": "response.failed", "response": {"id": "resp_3", "status": "failed",
                       "error": {"code": "server_error", "message": "the tool failed"}}}),
            )]),
            &["the tool failed"],
            true,
        ),
        (
            Reply::Sse(vec![(
                "response.completed".into(),
                json!({"type": "response.completed", "response": text_only}),
            )]),
            &["no image_generation_call", "I cannot draw that."],
            true,
        ),
    ];
    for (reply, says, stream) in cases {
        let before = repo.snapshot();
        server.script([reply]);
        let mut args = vec![
            "generate",
            "--route",
            "resp",
            "--prompt",
            "p",
            "--out",
            "public/images/r.png",
        ];
        if stream {
            args.extend(["--partial-images", "1"]);
        }
        let run = api(&repo, &server, &args);
        assert_eq!(run.code, 1, "{says:?}: {}", run.stderr);
        for needle in says {
            assert!(
                run.stderr.contains(needle),
                "stderr lacks {needle:?}:\n{}",
                run.stderr
            );
        }
        assert_eq!(repo.snapshot(), before, "{says:?}");
    }
    // WebP and JPEG come back as asked, and are recorded as such.
    for (format, out) in [
        ("webp", "public/images/r.webp"),
        ("jpeg", "public/images/r.jpg"),
    ] {
        api(
            &repo,
            &server,
            &[
                "generate", "--route", "resp", "--prompt", format, "--out", out,
            ],
        )
        .success();
        assert_eq!(repo.entry(out)["format"].as_str(), Some(format));
        let body = server.requests().last().unwrap().json.clone().unwrap();
        assert_eq!(body["tools"][0]["output_format"], format);
    }
    assert_schema_valid(&server);
}

#[test]
fn responses_streams_take_the_final_image_from_the_output_item() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let final_image = image_bytes("png", 77);
    server.script([Reply::Sse(vec![
        ("response.image_generation_call.partial_image".into(), json!({"type": "response.image_generation_call.partial_image", "output_index": 0, "item_id": "ig_1", "sequence_number": 3, "partial_image_index": 0, "partial_image_b64": b64(&image_bytes("png", 5))})),
        ("response.output_item.done".into(), json!({"type": "response.output_item.done", "item": {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": b64(&final_image)}})),
        ("response.completed".into(), json!({"type": "response.completed", "response": {"id": "resp_streamed", "status": "completed", "output": [{"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": b64(&final_image)}]}})),
    ])]);
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "responses",
            "--prompt",
            "streamed",
            "--partial-images",
            "1",
            "--out",
            "public/images/r.png",
        ],
    )
    .success();
    assert_eq!(repo.read("public/images/r.png"), final_image);
    let entry = repo.entry("public/images/r.png");
    assert_eq!(entry["response_id"].as_str(), Some("resp_streamed"));
    assert_eq!(entry["partial_images"]["received"].as_integer(), Some(1));
}

#[test]
fn requests_that_cannot_succeed_are_refused_before_sending() {
    let server = Server::start();
    let repo = api_repo(
        &server,
        "[routes.upside]\ntype = \"responses\"\ntext_model = \"gpt-image-2\"\nmodel = \"gpt-image-2\"\n\n[routes.textimg]\ntype = \"images\"\nmodel = \"gpt-5.5\"\n\n[routes.old]\ntype = \"images\"\nmodel = \"gpt-image-1\"\n\n[routes.fidelity]\ntype = \"images\"\nmodel = \"gpt-image-fixed\"\n\n[models.\"gpt-image-fixed\"]\nkind = \"image\"\ncustom_sizes = false\n",
    );
    repo.write("public/images/in.png", image_bytes("png", 1));
    let small = image::RgbaImage::from_pixel(32, 32, image::Rgba([0, 0, 0, 0]));
    let mut small_bytes = std::io::Cursor::new(Vec::new());
    small
        .write_to(&mut small_bytes, image::ImageFormat::Png)
        .unwrap();
    repo.write("public/images/small-mask.png", small_bytes.get_ref());
    repo.write("public/images/mask.jpg", image_bytes("jpeg", 1));
    let long_prompt = "x".repeat(32_001);
    let many: Vec<String> = (0..17)
        .flat_map(|_| ["--input".to_owned(), "public/images/in.png".to_owned()])
        .collect();
    let mut too_many: Vec<&str> = vec!["edit", "--prompt", "p", "--out", "public/images/o.png"];
    too_many.extend(many.iter().map(String::as_str));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["generate", "--route", "upside", "--prompt", "p"],
            "gpt-image-2 is an image model, but the Responses API wants a text model",
        ),
        (
            vec!["generate", "--route", "textimg", "--prompt", "p"],
            "gpt-5.5 is not an image model",
        ),
        (
            vec!["generate", "--route", "old", "--prompt", "p"],
            "gpt-image-1 was shut down on 2026-10-23",
        ),
        (
            vec![
                "generate",
                "--route",
                "images",
                "--prompt",
                "p",
                "--background",
                "transparent",
            ],
            "gpt-image-2 does not support transparent backgrounds",
        ),
        (
            vec![
                "generate",
                "--route",
                "images",
                "--prompt",
                "p",
                "--background",
                "transparent",
                "--output-format",
                "jpeg",
            ],
            "needs png or webp",
        ),
        (
            vec![
                "generate",
                "--route",
                "images",
                "--prompt",
                "p",
                "--output-compression",
                "101",
                "--output-format",
                "webp",
            ],
            "between 0 and 100",
        ),
        (
            vec![
                "generate",
                "--route",
                "images",
                "--prompt",
                "p",
                "--output-compression",
                "50",
            ],
            "jpeg and webp only",
        ),
        (
            vec!["generate", "--route", "images", "--prompt", &long_prompt],
            "takes at most 32000",
        ),
        (
            vec![
                "generate",
                "--route",
                "fidelity",
                "--prompt",
                "p",
                "--size",
                "2048x2048",
            ],
            "takes only 1024x1024",
        ),
        (
            vec![
                "edit",
                "--input",
                "public/images/in.png",
                "--prompt",
                "p",
                "--input-fidelity",
                "high",
                "--out",
                "public/images/o.png",
            ],
            "does not take input_fidelity",
        ),
        (
            vec![
                "edit",
                "--input",
                "public/images/in.png",
                "--mask",
                "public/images/small-mask.png",
                "--prompt",
                "p",
                "--out",
                "public/images/o.png",
            ],
            "the mask public/images/small-mask.png is 32x32",
        ),
        (
            vec![
                "edit",
                "--input",
                "public/images/in.png",
                "--mask",
                "public/images/mask.jpg",
                "--prompt",
                "p",
                "--out",
                "public/images/o.png",
            ],
            "a mask must be a PNG",
        ),
        (too_many, "takes 1 to 16 input images in an edit, not 17"),
        (
            vec![
                "edit",
                "--input",
                "public/images/in.png",
                "--prompt",
                "p",
                "--route",
                "local",
                "--out",
                "public/images/o.png",
            ],
            "cannot edit",
        ),
    ];
    for (args, says) in cases {
        let before = repo.snapshot();
        let run = api(&repo, &server, &args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(says),
            "{args:?}: stderr lacks {says:?}:\n{}",
            run.stderr
        );
        assert_eq!(repo.snapshot(), before, "{args:?} changed files");
    }
    // A missing key is refused too, naming the variable.
    let run: Run = repo
        .command()
        .env_remove("OPENAI_API_KEY")
        .env("OPENAI_BASE_URL", &server.url)
        .args(["generate", "--route", "images", "--prompt", "p"])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("OPENAI_API_KEY") && run.stderr.contains("env_vars"),
        "{}",
        run.stderr
    );
    assert_eq!(server.requests().len(), 0, "nothing may be sent");
}

fn error_body(message: &str, kind: &str, param: Option<&str>, code: Option<&str>) -> Value {
    json!({"error": {"message": message, "type": kind, "param": param, "code": code}})
}

#[test]
fn api_errors_are_explained_and_change_nothing() {
    let server = Server::start();
    let repo = api_repo(
        &server,
        "[routes.quick]\ntype = \"images\"\nmodel = \"gpt-image-2\"\nmax_retries = 0\ntimeout_secs = 1\n",
    );
    let verify = "Your organization must be verified to use the model `gpt-image-2`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.";
    let mut moderation = error_body(
        "Your request was rejected by the safety system. safety_violations=[sexual].",
        "image_generation_user_error",
        None,
        Some("moderation_blocked"),
    );
    moderation["error"]["moderation_details"] =
        json!({"moderation_stage": "output", "categories": ["sexual"]});
    let not_an_image =
        json!({"created": 1, "data": [{"b64_json": b64(b"this is not an image at all")}]});
    let cases: Vec<(Reply, &[&str])> = vec![
        (
            Reply::Json(
                403,
                vec![("x-request-id".into(), "req_verify".into())],
                error_body(verify, "invalid_request_error", None, None),
            ),
            &[
                "HTTP 403",
                "must be verified",
                "req_verify",
                "account-readiness step",
                "15 minutes",
            ],
        ),
        (
            Reply::Json(
                400,
                vec![],
                error_body(
                    "Transparent background is not supported for this model.",
                    "invalid_request_error",
                    Some("background"),
                    Some("invalid_value"),
                ),
            ),
            &[
                "`background`",
                "HTTP 400",
                "Transparent background is not supported",
            ],
        ),
        (
            Reply::Json(
                401,
                vec![],
                // A server that echoes the key: `api` checks it is never printed.
                error_body(
                    &format!("Incorrect API key provided: {KEY}."),
                    "invalid_request_error",
                    None,
                    Some("invalid_api_key"),
                ),
            ),
            &["HTTP 401", "OPENAI_API_KEY", "[redacted key]"],
        ),
        (
            Reply::Json(
                404,
                vec![],
                error_body(
                    "The model `gpt-image-2` does not exist.",
                    "invalid_request_error",
                    Some("model"),
                    Some("model_not_found"),
                ),
            ),
            &["HTTP 404", "model id"],
        ),
        (
            Reply::Json(400, vec![], moderation),
            &["output stage", "sexual", "moderation"],
        ),
        (
            Reply::Raw(200, vec![], b"{\"created\": 1, \"data\": [".to_vec()),
            &["not valid JSON"],
        ),
        (Reply::Truncated, &["cut off"]),
        (Reply::Json(200, vec![], not_an_image), &["not an image"]),
        (
            Reply::Json(200, vec![], json!({"created": 1, "data": []})),
            &["holds no image"],
        ),
        (
            Reply::Json(
                500,
                vec![],
                error_body("The server had an error.", "server_error", None, None),
            ),
            &["HTTP 500", "failed on its side"],
        ),
        (
            Reply::Stall,
            &["timed out", "may have received the request and billed it"],
        ),
    ];
    for (reply, says) in cases {
        let before = repo.snapshot();
        server.script([reply]);
        let run = api(
            &repo,
            &server,
            &[
                "generate",
                "--route",
                "quick",
                "--prompt",
                "p",
                "--out",
                "public/images/e.png",
            ],
        );
        assert_eq!(run.code, 1, "{says:?}: {}", run.stderr);
        for needle in says {
            assert!(
                run.stderr.contains(needle),
                "stderr lacks {needle:?}:\n{}",
                run.stderr
            );
        }
        assert!(
            run.stderr.contains("Nothing was written")
                || run.stderr.contains("nothing was written"),
            "{}",
            run.stderr
        );
        assert_eq!(repo.snapshot(), before);
    }
}

#[test]
fn api_refusals_are_typed_in_json_output() {
    let server = Server::start();
    let repo = api_repo(
        &server,
        "[routes.quick]\ntype = \"images\"\nmodel = \"gpt-image-2\"\nmax_retries = 0\ntimeout_secs = 1\n",
    );
    let generate = |extra: &[&str]| {
        let mut args = vec![
            "generate",
            "--route",
            "quick",
            "--prompt",
            "p",
            "--out",
            "public/images/e.png",
        ];
        args.extend_from_slice(extra);
        api(&repo, &server, &args)
    };
    server.script([Reply::Json(
        400,
        vec![("x-request-id".into(), "req_typed".into())],
        error_body(
            "Invalid value for quality.",
            "invalid_request_error",
            Some("quality"),
            Some("invalid_value"),
        ),
    )]);
    let run = generate(&["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "api");
    assert_eq!(error["status"], 400);
    assert_eq!(error["api_code"], "invalid_value");
    assert_eq!(error["param"], "quality");
    assert_eq!(error["request_id"], "req_typed");
    assert_eq!(error["attempts"], 1);
    assert_eq!(error["may_be_billed"], false);
    assert!(error["hint"].as_str().unwrap().contains("`quality`"));

    // No answer at all: no status, and the bill is uncertain.
    server.script([Reply::Stall]);
    let run = generate(&["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "api");
    assert!(error["status"].is_null());
    assert_eq!(error["may_be_billed"], true);

    // A batch job's failure carries the same fields.
    repo.write(
        "jobs.toml",
        "[[job]]\nprompt = \"one\"\nout = \"public/images/one.png\"\n",
    );
    server.script([Reply::Json(
        429,
        vec![("x-request-id".into(), "req_batch".into())],
        error_body(
            "Quota exceeded.",
            "insufficient_quota",
            None,
            Some("insufficient_quota"),
        ),
    )]);
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--batch",
            "jobs.toml",
            "--route",
            "quick",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let failure = &run.json()["failures"][0]["error"];
    assert_eq!(failure["code"], "api");
    assert_eq!(failure["status"], 429);
    assert_eq!(failure["request_id"], "req_batch");
}

#[test]
fn transient_failures_are_retried_and_recorded() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    server.script([
        Reply::Json(
            429,
            vec![("retry-after-ms".into(), "20".into())],
            error_body(
                "Rate limit reached.",
                "requests",
                None,
                Some("rate_limit_exceeded"),
            ),
        ),
        Reply::Json(
            500,
            vec![("retry-after-ms".into(), "10".into())],
            error_body("oops", "server_error", None, None),
        ),
    ]);
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "retried",
            "--out",
            "public/images/r.png",
        ],
    )
    .success();
    assert_eq!(server.requests().len(), 3);
    let entry = repo.entry("public/images/r.png");
    let retries = entry["retries"].as_array().unwrap();
    let summary: Vec<(i64, &str, i64)> = retries
        .iter()
        .map(|r| {
            (
                r["attempt"].as_integer().unwrap(),
                r["reason"].as_str().unwrap(),
                r["wait_ms"].as_integer().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [(1, "429 rate_limit_exceeded", 20), (2, "500", 10)]
    );

    // x-should-retry: false wins over the status; and a 500 that never ends gives up.
    server.script([Reply::Json(
        503,
        vec![("x-should-retry".into(), "false".into())],
        error_body("down", "server_error", None, None),
    )]);
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "no retry",
            "--out",
            "public/images/n.png",
        ],
    );
    assert_eq!(run.code, 1);
    assert_eq!(server.requests().len(), 4);
    let fail = |_: usize| {
        Reply::Json(
            500,
            vec![("retry-after-ms".into(), "5".into())],
            error_body("still down", "server_error", None, None),
        )
    };
    server.script((0..3).map(fail));
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "never",
            "--out",
            "public/images/never.png",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("after 3 attempts"), "{}", run.stderr);
    assert_eq!(server.requests().len(), 7);
}

#[test]
fn cost_is_kept_per_credit_source() {
    let server = Server::start();
    // A second gateway route of the same provider.
    let second = GATEWAY
        .replace("[routes.acme]", "[routes.acme-us]")
        .replace("eu-fast", "us");
    let repo = api_repo(&server, &format!("{GATEWAY}\n{second}"));
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "one",
            "--size",
            "1024x1024",
        ],
    )
    .success();
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "acme",
            "--prompt",
            "two",
            "--size",
            "1024x1024",
        ],
    )
    .success();
    api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "acme-us",
            "--prompt",
            "four",
            "--size",
            "1024x1024",
        ],
    )
    .success();
    api(&repo, &server, &["generate", "--prompt", "three offline"]).success();
    let run = api(
        &repo,
        &server,
        &["cost", "--by", "route", "--format", "json"],
    );
    run.success();
    let json = run.json();
    assert_eq!(
        json["per_credit"],
        json!({"openai-api": 0.12517, "provider:acme": 0.22464})
    );
    let groups: Vec<(&str, &str)> = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["credit"].as_str().unwrap(), g["group"].as_str().unwrap()))
        .collect();
    assert_eq!(
        groups,
        [
            ("none", "local"),
            ("openai-api", "images"),
            ("provider:acme", "acme"),
            ("provider:acme", "acme-us")
        ]
    );
    // Nothing priced in USD is shown as such, never as 0.0000.
    assert_eq!(json["groups"][0]["cost_estimate_usd"], Value::Null);
    let text = api(&repo, &server, &["cost"]);
    assert!(
        text.stdout.contains("total openai-api: 0.1252 USD"),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("total none"));
    assert!(text.stdout.contains("not in USD"), "{}", text.stdout);
    assert!(!text.stdout.contains("0.0000"), "{}", text.stdout);
    // No total across credit sources, anywhere.
    let across = format!("{:.4}", 0.12517 + 0.22464);
    assert!(!text.stdout.contains(&across) && !run.stdout.contains("0.34981"));
    assert!(
        text.stdout.contains("prices:"),
        "the price tables are named: {}",
        text.stdout
    );
    let tables = json["price_tables"].as_array().unwrap();
    assert!(!tables.is_empty() && tables.iter().all(|t| t["assets"].as_u64() >= Some(1)));

    // By month, and since a date: an entry backdated to last year drops out.
    let month = jiff::Timestamp::now().strftime("%Y-%m").to_string();
    let by_month = api(
        &repo,
        &server,
        &["cost", "--by", "month", "--format", "json"],
    )
    .json();
    assert!(
        by_month["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["group"] == month.as_str())
    );
    let lock = String::from_utf8(repo.read("assets.lock")).unwrap();
    let first = lock.find("created_at = \"").unwrap() + "created_at = \"".len();
    let mut backdated = lock.clone();
    backdated.replace_range(first..first + 4, "2020");
    repo.write("assets.lock", backdated);
    let since = api(
        &repo,
        &server,
        &[
            "cost",
            "--by",
            "month",
            "--since",
            "2021-01-01",
            "--format",
            "json",
        ],
    )
    .json();
    let counted: u64 = since["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["assets"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 3, "{since}");
    let bad = api(&repo, &server, &["cost", "--since", "last week"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("YYYY-MM-DD"));
}

#[test]
fn dry_run_prints_the_request_with_the_key_redacted_and_sends_nothing() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let before = repo.snapshot();
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "a plan",
            "--size",
            "1024x1024",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    run.success();
    let json = run.json();
    let request = &json["requests"][0];
    assert_eq!(request["url"], format!("{}/images/generations", server.url));
    assert_eq!(
        request["headers"]["Authorization"],
        "Bearer [redacted: $OPENAI_API_KEY]"
    );
    assert_eq!(request["body"]["prompt"], "a plan");
    assert_eq!(json["assets"][0]["path"], "public/images/a-plan.png");
    assert_eq!(server.requests().len(), 0);
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn batch_jobs_take_every_option_from_the_command_line() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    repo.write(
        "jobs.toml",
        "[[job]]\nprompt = \"one\"\nout = \"public/images/one.webp\"\n\n[[job]]\nprompt = \"two\"\nout = \"public/images/two.webp\"\nquality = \"high\"\n",
    );
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--batch",
            "jobs.toml",
            "--route",
            "images",
            "--model",
            "gpt-image-2.5-sunburst",
            "--size",
            "1024x1536",
            "--quality",
            "low",
            "--background",
            "opaque",
            "--output-format",
            "webp",
            "--output-compression",
            "70",
            "--kind",
            "article",
            "--format",
            "json",
        ],
    );
    run.success();
    assert_schema_valid(&server);
    let mut bodies: Vec<Value> = server
        .requests()
        .into_iter()
        .map(|r| r.json.unwrap())
        .collect();
    bodies.sort_by_key(|b| b["prompt"].as_str().unwrap().to_owned());
    for (body, quality) in bodies.iter().zip(["low", "high"]) {
        for (key, want) in [
            ("model", json!("gpt-image-2.5-sunburst")),
            ("size", json!("1024x1536")),
            ("quality", json!(quality)),
            ("background", json!("opaque")),
            ("output_format", json!("webp")),
            ("output_compression", json!(70)),
        ] {
            assert_eq!(body[key], want, "{key} in {body}");
        }
    }
    for (path, quality) in [
        ("public/images/one.webp", "low"),
        ("public/images/two.webp", "high"),
    ] {
        let entry = repo.entry(path);
        assert_eq!(entry["model"].as_str(), Some("gpt-image-2.5-sunburst"));
        assert_eq!(entry["size"].as_str(), Some("1024x1536"));
        assert_eq!(entry["quality"].as_str(), Some(quality));
        assert_eq!(entry["background"].as_str(), Some("opaque"));
        assert_eq!(entry["output_compression"].as_integer(), Some(70));
        assert_eq!(entry["kind"].as_str(), Some("article"));
    }
}

#[test]
fn a_batch_takes_count_folder_and_replacement_from_the_command_line() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    std::fs::create_dir_all(repo.path().join("public/images/batch")).unwrap();
    repo.write("public/images/batch/kept.png", common::png(7));
    repo.write(
        "jobs.toml",
        "[[job]]\nprompt = \"one\"\n\n[[job]]\nprompt = \"two\"\nn = 1\nout = \"public/images/batch/kept.png\"\n",
    );
    let args = [
        "generate",
        "--batch",
        "jobs.toml",
        "--route",
        "images",
        "-n",
        "2",
        "--out",
        "public/images/batch",
        "--force",
        "--format",
        "json",
    ];
    let run = api(&repo, &server, &args);
    run.success();
    let mut counts: Vec<(String, Value)> = server
        .requests()
        .into_iter()
        .map(|r| r.json.unwrap())
        .map(|b| (b["prompt"].as_str().unwrap().to_owned(), b["n"].clone()))
        .collect();
    counts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        counts,
        [("one".to_owned(), json!(2)), ("two".to_owned(), json!(1))]
    );
    for path in [
        "public/images/batch/one.png",
        "public/images/batch/one-2.png",
        "public/images/batch/kept.png",
    ] {
        assert_eq!(repo.entry(path)["route"].as_str(), Some("images"), "{path}");
    }

    // --out with --batch is a folder for every job, never one file for all.
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--batch",
            "jobs.toml",
            "--out",
            "public/images/x.png",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--out names a folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn regenerate_replaces_placeholders_in_place_and_keeps_them_as_parents() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let made = |args: &[&str]| {
        let run = repo.run(args);
        run.success();
        run.json()["assets"][0].clone()
    };
    let cover = made(&[
        "generate",
        "--kind",
        "cover",
        "--prompt",
        "A harbour at dawn",
        "--format",
        "json",
    ]);
    let icon = made(&[
        "generate",
        "--kind",
        "ui",
        "--prompt",
        "Settings gear",
        "--format",
        "json",
    ]);
    let kept = made(&[
        "generate",
        "--prompt",
        "Left alone",
        "--route",
        "local",
        "--out",
        "public/images/kept.png",
        "--format",
        "json",
    ]);
    let cover_path = cover["path"].as_str().unwrap().to_owned();
    repo.write(
        "content/post.md",
        format!(
            "# Post\n\n![Harbour](/{})\n",
            cover_path.trim_start_matches("public/")
        ),
    );

    let run = api(
        &repo,
        &server,
        &[
            "regenerate",
            "public/images/covers",
            "public/images/ui",
            "--where",
            "route=local",
            "--route",
            "images",
            "--format",
            "json",
        ],
    );
    run.success();
    assert_schema_valid(&server);
    let mut prompts: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            r.json.as_ref().unwrap()["prompt"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    prompts.sort();
    assert_eq!(prompts, ["A harbour at dawn", "Settings gear"]);
    for old in [&cover, &icon] {
        let path = old["path"].as_str().unwrap();
        let entry = repo.entry(path);
        assert_eq!(entry["route"].as_str(), Some("images"), "{path}");
        assert_eq!(entry["prompt"], toml_str(&old["prompt"]), "{path}");
        assert_eq!(entry["kind"], toml_str(&old["kind"]), "{path}");
        assert!(
            entry
                .get("placeholder")
                .is_none_or(|p| p.as_bool() == Some(false)),
            "{path}"
        );
        let parents = entry["parents"].as_array().unwrap();
        assert!(
            parents
                .iter()
                .any(|p| p["sha256"].as_str() == old["sha256"].as_str()
                    && p["path"].as_str() == Some(path)),
            "{path}: the placeholder is not a parent: {parents:?}"
        );
        assert_ne!(entry["sha256"].as_str(), old["sha256"].as_str());
    }
    assert_eq!(repo.entry(&cover_path)["size"].as_str(), Some("1536x1024"));
    // Outside the selection: untouched.
    assert_eq!(
        repo.entry("public/images/kept.png")["sha256"].as_str(),
        kept["sha256"].as_str()
    );
    // The page still finds its image.
    let check = repo.run(&["check", "--format", "json"]);
    assert!(!check.stdout.contains("AR005"), "{}", check.stdout);

    let run = repo.run(&["regenerate", "--where", "route=local"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--route"), "{}", run.stderr);
    let run = repo.run(&["regenerate", "--where", "colour=red", "--route", "images"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("route, kind, credit, model, placeholder"),
        "{}",
        run.stderr
    );
}

fn toml_str(value: &Value) -> toml::Value {
    toml::Value::String(value.as_str().unwrap().to_owned())
}

#[test]
fn a_social_card_on_an_api_route_is_cropped_with_the_original_as_parent() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let original = {
        let img = image::RgbImage::from_fn(1200, 640, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    server.script([Reply::Json(
        200,
        vec![("x-request-id".into(), "req_social".into())],
        json!({"created": 1, "data": [{"b64_json": b64(&original)}]}),
    )]);
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--route",
            "images",
            "--kind",
            "social",
            "--prompt",
            "Launch day",
            "--format",
            "json",
        ],
    );
    run.success();
    assert_schema_valid(&server);
    let sent = server.requests();
    assert_eq!(sent[0].json.as_ref().unwrap()["size"], "1200x640");
    assert!(run.stdout.contains("cropped to 1200x630"), "{}", run.stdout);

    let card = "public/images/social/launch-day.png";
    let kept = "public/images/social/launch-day-1200x640.png";
    let img = image::load_from_memory(&repo.read(card)).unwrap();
    assert_eq!((img.width(), img.height()), (1200, 630));
    assert_eq!(repo.read(kept), original);
    let entry = repo.entry(card);
    assert_eq!(entry["size"].as_str(), Some("1200x630"));
    assert!(
        entry.get("cost_estimate_usd").is_none(),
        "the bill is the original's"
    );
    let parent = &entry["parents"][0];
    assert_eq!(parent["role"].as_str(), Some("cropped"));
    assert_eq!(parent["path"].as_str(), Some(kept));
    assert_eq!(parent["sha256"].as_str(), Some(sha256(&original).as_str()));
    assert!(
        entry["cost_note"].as_str().unwrap().contains(kept),
        "{entry}"
    );
    let source = repo.entry(kept);
    assert_eq!(source["request_id"].as_str(), Some("req_social"));
    assert_eq!(source["size"].as_str(), Some("1200x640"));
}

#[test]
fn ctrl_c_during_a_batch_keeps_what_finished_and_exits_130() {
    let server = Server::start();
    server.script(vec![
        Reply::Delayed(
            std::time::Duration::from_millis(400),
            Box::new(Reply::Ok)
        );
        12
    ]);
    let repo = api_repo(&server, "");
    let jobs: String = (0..12)
        .map(|i| format!("[[job]]\nprompt = \"job {i}\"\nout = \"public/images/j{i}.png\"\n\n"))
        .collect();
    repo.write("jobs.toml", jobs);
    let batch = [
        "generate",
        "--batch",
        "jobs.toml",
        "--jobs",
        "2",
        "--route",
        "images",
        "--format",
        "json",
    ];
    let child = api_command(&repo, &server, &batch)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once a few jobs have landed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.requests().len() < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let run: Run = child.wait_with_output().unwrap().into();
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["interrupted"], true);
    let recorded = json["assets"].as_array().unwrap().len();
    let not_run = json["not_run"].as_array().unwrap().len();
    assert!(recorded >= 2 && not_run >= 1, "{json:#}");
    assert_eq!(
        recorded + not_run,
        12,
        "every job is accounted for: {json:#}"
    );
    // What finished is recorded and on disk; nothing is half-written.
    assert_eq!(repo.entries().len(), recorded);
    for entry in repo.entries() {
        assert!(repo.path().join(entry["path"].as_str().unwrap()).is_file());
    }
    let stray: Vec<_> = walkdir::WalkDir::new(repo.path().join("public"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn batches_run_concurrently_and_report_failures() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    repo.write(
        "jobs.toml",
        "[[job]]\nprompt = \"one\"\nout = \"public/images/one.png\"\n\n[[job]]\nprompt = \"two\"\nout = \"public/images/two.png\"\n\n[[job]]\nprompt = \"three\"\nout = \"src/three.png\"\n\n[[job]]\nprompt = \"four\"\nkind = \"cover\"\n",
    );
    let run = api(
        &repo,
        &server,
        &[
            "generate",
            "--batch",
            "jobs.toml",
            "--jobs",
            "2",
            "--route",
            "images",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        run.code, 1,
        "one job writes outside the managed folders: {}",
        run.stderr
    );
    let json = run.json();
    assert_eq!(json["assets"].as_array().unwrap().len(), 3);
    assert_eq!(json["failures"][0]["job"], 3);
    assert!(
        json["failures"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("src/three.png")
    );
    assert_eq!(server.requests().len(), 3);
    assert_eq!(repo.entries().len(), 3);
    assert!(repo.path().join("public/images/covers/four.png").exists());

    // A job the file itself gets wrong stops the batch before anything is
    // sent, and says where.
    for (text, at, says) in [
        (
            "[[job]]\nprompt = \"x\"\nsize = 5\n",
            "bad.toml:3:8",
            "size: invalid type: integer `5`, expected a string",
        ),
        (
            "[[job]]\nout = \"x.png\"\n",
            "bad.toml:1:1",
            "this job has no prompt",
        ),
        (
            "[[job]]\nprompt = \"x\"\n\n[[job]]\nprompt = \"y\"\nsize = \"1000x1000\"\n",
            "bad.toml:6:8",
            "size 1000x1000: both edges must be multiples of 16 (try 1008x1008)",
        ),
        (
            "[[job]]\nprompt = \"x\"\nsise = \"1024x1024\"\n",
            "bad.toml:3:1",
            "unknown field `sise`",
        ),
    ] {
        repo.write("bad.toml", text);
        let sent = server.requests().len();
        let run = api(&repo, &server, &["generate", "--batch", "bad.toml"]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(run.stderr.contains(at), "{text}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{text}: {}", run.stderr);
        assert_eq!(server.requests().len(), sent);
    }
}

#[test]
fn log_follows_an_edit_chain_a_move_and_a_removal_through_history() {
    let server = Server::start();
    let repo = api_repo(&server, "");
    let commit = |message: &str| {
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-qm", message]);
    };
    commit("set up");
    let step = |args: &[&str], message: &str| {
        api(&repo, &server, args).success();
        commit(message);
    };
    step(
        &[
            "generate",
            "--route",
            "images",
            "--prompt",
            "a red kite",
            "--out",
            "public/images/kite.png",
            "--size",
            "1024x1024",
        ],
        "first generation",
    );
    step(
        &[
            "edit",
            "--input",
            "public/images/kite.png",
            "--prompt",
            "add a blue tail",
            "--out",
            "public/images/kite-tail.png",
            "--size",
            "1024x1024",
        ],
        "second generation",
    );
    step(
        &[
            "edit",
            "--input",
            "public/images/kite-tail.png",
            "--prompt",
            "at sunset",
            "--out",
            "public/images/kite-sunset.png",
            "--size",
            "1024x1024",
        ],
        "third generation",
    );
    step(
        &[
            "mv",
            "public/images/kite-sunset.png",
            "public/images/hero.png",
        ],
        "move",
    );
    step(&["rm", "public/images/kite.png"], "remove the first");

    let log = repo
        .run(&["log", "public/images/hero.png", "--format", "json"])
        .json();
    assert_eq!(log["recorded"], true);
    let lineage: Vec<(u64, &str, &str)> = log["lineage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["depth"].as_u64().unwrap(),
                a["role"].as_str().unwrap(),
                a["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lineage,
        [
            (1, "moved", "public/images/kite-sunset.png"),
            (1, "input", "public/images/kite-tail.png"),
            (2, "input", "public/images/kite.png"),
        ],
        "{log:#}"
    );
    // The removed grandparent's prompt is found in history.
    assert_eq!(log["lineage"][2]["prompt"], "a red kite");
    let changes: Vec<(&str, &str)> = log["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["summary"].as_str().unwrap(),
                c["change"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [("move", "moved"), ("third generation", "added")],
        "{log:#}"
    );
    let moved_fields: Vec<&str> = log["commits"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        moved_fields.contains(&"path") && moved_fields.contains(&"moved_from"),
        "{moved_fields:?}"
    );

    // A removed asset is read from history.
    let removed = repo
        .run(&["log", "public/images/kite.png", "--format", "json"])
        .json();
    assert_eq!(removed["recorded"], false);
    assert_eq!(removed["entry"]["prompt"], "a red kite");
    let summaries: Vec<&str> = removed["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, ["removed", "added"]);
    let text = repo.run(&["log", "public/images/hero.png"]);
    assert!(
        text.stdout.contains("← input public/images/kite-tail.png"),
        "{}",
        text.stdout
    );
}

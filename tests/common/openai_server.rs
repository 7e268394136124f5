//! A real HTTP/1.1 server on loopback that speaks the OpenAI image wire
//! format: JSON and multipart requests (parsed, recorded and validated against
//! OpenAI's published JSON Schemas), JSON and SSE replies carrying real image
//! bytes, and scripted failures. Started by the tests themselves.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// A multipart part: (name, filename, content type, bytes).
pub type Part = (String, Option<String>, Option<String>, Vec<u8>);

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub json: Option<Value>,
    /// Multipart parts: (name, filename, content type, bytes).
    pub parts: Vec<Part>,
    /// Violations of OpenAI's schema for this endpoint.
    pub schema_errors: Vec<String>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn field(&self, name: &str) -> Option<String> {
        self.parts
            .iter()
            .find(|(n, f, _, _)| n == name && f.is_none())
            .map(|(_, _, _, b)| String::from_utf8_lossy(b).into_owned())
    }
}

/// A scripted reply.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The normal successful reply for the endpoint (real image bytes).
    Ok,
    /// A JSON body with a status and extra headers.
    Json(u16, Vec<(String, String)>, Value),
    /// Raw bytes with a status.
    Raw(u16, Vec<(String, String)>, Vec<u8>),
    /// An SSE stream: (event name, data) pairs.
    Sse(Vec<(String, Value)>),
    /// Announces `claimed` bytes of a valid body, sends half, closes.
    Truncated,
    /// Accepts the request and never answers.
    Stall,
    /// Waits, then replies.
    Delayed(Duration, Box<Reply>),
}

/// The running server.
pub struct Server {
    /// Base URL including `/v1`.
    pub url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
    /// The images the server sent, in order (final images only).
    pub sent_images: Arc<Mutex<Vec<Vec<u8>>>>,
}

fn schemas() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/openai-image-schemas.json"
    );
    let mut schemas: Value =
        serde_json::from_slice(&std::fs::read(path).expect("tests/data/openai-image-schemas.json"))
            .unwrap();
    // OpenAPI 3.1 kept one draft 2019-09 recursion (`$recursiveAnchor` /
    // `$recursiveRef`) that 2020-12 validators reject: point it at its definition.
    if let Some(filter) = schemas["$defs"].get_mut("CompoundFilter") {
        if let Some(object) = filter.as_object_mut() {
            object.remove("$recursiveAnchor");
        }
        let text = filter.to_string().replace(
            r##""$recursiveRef":"#""##,
            r##""$ref":"#/$defs/CompoundFilter""##,
        );
        *filter = serde_json::from_str(&text).unwrap();
    }
    schemas
}

fn validate(schemas: &Value, def: &str, instance: &Value) -> Vec<String> {
    let mut schema = schemas.clone();
    schema["$ref"] = json!(format!("#/$defs/{def}"));
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(false)
        .build(&schema)
    {
        Ok(validator) => validator,
        Err(e) => return vec![format!("the schema for {def} does not compile: {e}")],
    };
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Edge of the square images in normal replies (benchmarks raise it).
pub static IMAGE_EDGE: AtomicU32 = AtomicU32::new(64);
/// Latency before each normal reply, in ms (benchmarks set it).
pub static REPLY_DELAY_MS: AtomicU64 = AtomicU64::new(0);

/// A small real image in `format`, different for each `seed`.
pub fn image_bytes(format: &str, seed: u8) -> Vec<u8> {
    image_of_edge(format, seed, 64)
}

/// A real image `edge` pixels square.
pub fn image_of_edge(format: &str, seed: u8, edge: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(edge, edge, |x, y| {
        image::Rgb([seed, (x * 4) as u8, (y * 4) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let format = match format {
        "webp" => image::ImageFormat::WebP,
        "jpeg" | "jpg" => image::ImageFormat::Jpeg,
        _ => image::ImageFormat::Png,
    };
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

thread_local! {
    /// Whether the request being answered on this thread asked for a transparent background.
    static ASKED_TRANSPARENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A real image with transparent corners (PNG or WebP; JPEG has no alpha).
pub fn transparent_image(format: &str, seed: u8, edge: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(edge, edge, |x, y| {
        let corner = x.min(edge - 1 - x) + y.min(edge - 1 - y) < edge / 4;
        image::Rgba([
            seed,
            (x * 4) as u8,
            (y * 4) as u8,
            if corner { 0 } else { 255 },
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let format = match format {
        "webp" => image::ImageFormat::WebP,
        "jpeg" | "jpg" => return image_of_edge(format, seed, edge),
        _ => image::ImageFormat::Png,
    };
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let server = Server {
            url,
            requests: Arc::default(),
            script: Arc::default(),
            sent_images: Arc::default(),
        };
        let (requests, script, sent) = (
            server.requests.clone(),
            server.script.clone(),
            server.sent_images.clone(),
        );
        let schemas = Arc::new(schemas());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (requests, script, sent, schemas) = (
                    requests.clone(),
                    script.clone(),
                    sent.clone(),
                    schemas.clone(),
                );
                std::thread::spawn(move || {
                    let _ = handle(stream, &requests, &script, &sent, &schemas);
                });
            }
        });
        server
    }

    /// Queues replies for the next requests (then the normal reply).
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.script.lock().unwrap().extend(replies);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    pub fn sent(&self) -> Vec<Vec<u8>> {
        self.sent_images.lock().unwrap().clone()
    }
}

fn handle(
    stream: TcpStream,
    requests: &Mutex<Vec<Recorded>>,
    script: &Mutex<VecDeque<Reply>>,
    sent: &Mutex<Vec<Vec<u8>>>,
    schemas: &Value,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or_default().to_owned();
    let path = words.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            if size == 0 {
                reader.read_line(&mut line)?;
                break;
            }
            let mut chunk = vec![0; size];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
            line.clear();
            reader.read_line(&mut line)?;
        }
    }
    let content_type = header("content-type").unwrap_or_default();
    let mut recorded = Recorded {
        method,
        path: path.clone(),
        headers: headers.clone(),
        body: body.clone(),
        json: None,
        parts: Vec::new(),
        schema_errors: Vec::new(),
    };
    if content_type.starts_with("application/json") {
        let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let def = if path.ends_with("/responses") {
            "CreateResponse"
        } else {
            "CreateImageRequest"
        };
        recorded.schema_errors = validate(schemas, def, &value);
        recorded.json = Some(value);
    } else if let Some(boundary) = content_type.split("boundary=").nth(1) {
        recorded.parts = parse_multipart(&body, boundary.trim_matches('"'));
        let mut object = serde_json::Map::new();
        let mut images = Vec::new();
        for (name, filename, _, bytes) in &recorded.parts {
            match (name.as_str(), filename) {
                ("image[]" | "image", Some(_)) => images.push(json!("<binary>")),
                (_, Some(_)) => {
                    object.insert(name.clone(), json!("<binary>"));
                }
                (_, None) => {
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    let value = match name.as_str() {
                        "n" | "partial_images" | "output_compression" => {
                            text.parse::<i64>().map(Value::from).unwrap_or(json!(text))
                        }
                        "stream" => json!(text == "true"),
                        _ => json!(text),
                    };
                    object.insert(name.clone(), value);
                }
            }
        }
        object.insert("image".into(), json!(images));
        recorded.schema_errors =
            validate(schemas, "CreateImageEditRequest", &Value::Object(object));
    }
    let request_json = recorded.json.clone();
    let fields: Vec<(String, String)> = recorded
        .parts
        .iter()
        .filter(|(_, f, _, _)| f.is_none())
        .map(|(n, _, _, b)| (n.clone(), String::from_utf8_lossy(b).into_owned()))
        .collect();
    requests.lock().unwrap().push(recorded);
    let delay = Duration::from_millis(REPLY_DELAY_MS.load(Ordering::Relaxed));
    let reply = script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(if delay.is_zero() {
            Reply::Ok
        } else {
            Reply::Delayed(delay, Box::new(Reply::Ok))
        });
    let param = |name: &str| -> Option<String> {
        request_json
            .as_ref()
            .and_then(|j| {
                j.get(name)
                    .or_else(|| j["tools"][0].get(name))
                    .map(|v| v.as_str().map_or(v.to_string(), str::to_owned))
            })
            .or_else(|| {
                fields
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            })
    };
    let format = param("output_format").unwrap_or_else(|| "png".into());
    ASKED_TRANSPARENT.set(param("background").as_deref() == Some("transparent"));
    let n: usize = param("n").and_then(|n| n.parse().ok()).unwrap_or(1);
    let request_number = requests.lock().unwrap().len();
    respond(stream, reply, &path, &format, n, request_number, sent)
}

fn parse_multipart(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let positions: Vec<usize> = body
        .windows(delimiter.len())
        .enumerate()
        .filter(|(_, w)| *w == delimiter.as_slice())
        .map(|(i, _)| i)
        .collect();
    for pair in positions.windows(2) {
        let chunk = &body[pair[0] + delimiter.len()..pair[1]];
        let chunk = chunk.strip_prefix(b"\r\n").unwrap_or(chunk);
        let Some(split) = chunk.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&chunk[..split]).into_owned();
        let mut data = chunk[split + 4..].to_vec();
        if data.ends_with(b"\r\n") {
            data.truncate(data.len() - 2);
        }
        let mut name = String::new();
        let mut filename = None;
        let mut content_type = None;
        for line in head.lines() {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition") {
                for item in line.split(';') {
                    let item = item.trim();
                    if let Some(v) = item.strip_prefix("name=") {
                        name = v.trim_matches('"').to_owned();
                    } else if let Some(v) = item.strip_prefix("filename=") {
                        filename = Some(v.trim_matches('"').to_owned());
                    }
                }
            } else if lower.starts_with("content-type") {
                content_type = line.split_once(':').map(|(_, v)| v.trim().to_owned());
            }
        }
        parts.push((name, filename, content_type, data));
    }
    parts
}

fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    request_number: usize,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        head.push_str("Content-Type: application/json\r\n");
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("x-request-id"))
    {
        head.push_str(&format!("x-request-id: req_test_{request_number}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

fn ok_body(
    path: &str,
    format: &str,
    n: usize,
    request_number: usize,
    sent: &Mutex<Vec<Vec<u8>>>,
) -> Value {
    let edge = IMAGE_EDGE.load(Ordering::Relaxed);
    // Asked for a transparent background, the server answers with real alpha.
    let transparent = ASKED_TRANSPARENT.get();
    let images: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let seed = (request_number * 10 + i) as u8;
            if transparent {
                transparent_image(format, seed, edge)
            } else {
                image_of_edge(format, seed, edge)
            }
        })
        .collect();
    sent.lock().unwrap().extend(images.iter().cloned());
    if path.ends_with("/responses") {
        json!({
            "id": format!("resp_test_{request_number}"), "object": "response", "created_at": 1763980000, "status": "completed",
            "model": "gpt-5.5",
            "output": [
                {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": b64(&images[0]),
                 "revised_prompt": "a revised prompt", "size": "1024x1024", "quality": "high", "background": "opaque", "output_format": format},
                {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Here it is."}]}
            ],
            "usage": {"input_tokens": 1200, "output_tokens": 80, "total_tokens": 1280}
        })
    } else {
        json!({
            "created": 1713833628,
            "data": images.iter().map(|i| json!({"b64_json": b64(i)})).collect::<Vec<_>>(),
            "background": "opaque", "output_format": format, "quality": "medium", "size": "1024x1024",
            "usage": {"input_tokens": 50, "input_tokens_details": {"text_tokens": 10, "image_tokens": 40},
                      "output_tokens": 4160, "total_tokens": 4210}
        })
    }
}

fn respond(
    mut stream: TcpStream,
    reply: Reply,
    path: &str,
    format: &str,
    n: usize,
    request_number: usize,
    sent: &Mutex<Vec<Vec<u8>>>,
) -> std::io::Result<()> {
    match reply {
        Reply::Ok => {
            let body = ok_body(path, format, n, request_number, sent);
            let headers = vec![("openai-processing-ms".to_owned(), "1234".to_owned())];
            write_response(
                &mut stream,
                200,
                &headers,
                body.to_string().as_bytes(),
                request_number,
            )
        }
        Reply::Json(status, headers, body) => write_response(
            &mut stream,
            status,
            &headers,
            body.to_string().as_bytes(),
            request_number,
        ),
        Reply::Raw(status, headers, body) => {
            write_response(&mut stream, status, &headers, &body, request_number)
        }
        Reply::Sse(events) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nx-request-id: req_stream_{request_number}\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(head.as_bytes())?;
            for (event, data) in events {
                if let Some(b) = data["b64_json"]
                    .as_str()
                    .filter(|_| event.ends_with("completed"))
                {
                    use base64::Engine;
                    sent.lock()
                        .unwrap()
                        .push(base64::engine::general_purpose::STANDARD.decode(b).unwrap());
                }
                stream.write_all(format!("event: {event}\ndata: {data}\n\n").as_bytes())?;
                stream.flush()?;
            }
            Ok(())
        }
        Reply::Truncated => {
            let body =
                ok_body(path, format, n, request_number, &Mutex::new(Vec::new())).to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nx-request-id: req_cut\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes())?;
            stream.write_all(&body.as_bytes()[..body.len() / 2])?;
            stream.flush()?;
            stream.shutdown(std::net::Shutdown::Both)
        }
        Reply::Stall => {
            std::thread::sleep(Duration::from_secs(30));
            Ok(())
        }
        Reply::Delayed(wait, reply) => {
            std::thread::sleep(wait);
            respond(stream, *reply, path, format, n, request_number, sent)
        }
    }
}

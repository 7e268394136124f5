//! A real headless Chromium, driven through ChromeDriver's W3C WebDriver
//! protocol (plain HTTP and JSON), for tests that look at a page as a person
//! would: what is visible, what a click does, whether images decode.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A browser session; closed (and the driver stopped) on drop.
pub struct Browser {
    driver: Child,
    base: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

/// Starts Chromium, or returns `None` (with a message saying why the test is
/// skipped) when Chromium or ChromeDriver is missing outside CI. On CI
/// (`CI` set) a missing browser fails the test.
pub fn start() -> Option<Browser> {
    let driver = which("chromedriver");
    let missing = match (&driver, Path::new(CHROMIUM).exists()) {
        (Some(_), true) => None,
        (None, _) => Some("chromedriver"),
        (_, false) => Some(CHROMIUM),
    };
    if let Some(what) = missing {
        assert!(
            std::env::var_os("CI").is_none(),
            "{what} is missing on CI: install Debian's chromium and chromium-driver packages"
        );
        eprintln!(
            "skipped: {what} not found (install Debian's chromium and chromium-driver to run the browser tests)"
        );
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let driver = Command::new(driver.unwrap())
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let root = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while http.get(format!("{root}/status")).send().is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let session: Value = http
        .post(format!("{root}/session"))
        .json(&json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--disable-quic",
                        format!("--user-data-dir={}", profile.path().display()),
                    ],
                },
            }},
        }))
        .send()
        .and_then(|r| r.json())
        .expect("create a browser session");
    let id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"))
        .to_owned();
    Some(Browser {
        driver,
        base: format!("{root}/session/{id}"),
        http,
        _profile: profile,
    })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

impl Browser {
    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().and_then(|r| r.json()).unwrap();
        if let Some(error) = reply["value"].get("error") {
            panic!("WebDriver {path}: {error}: {}", reply["value"]["message"]);
        }
        reply["value"].clone()
    }

    /// Opens a file in the browser.
    pub fn open(&self, file: &Path) {
        let url = format!("file://{}", file.display());
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })));
    }

    /// Sets the window's outer size.
    pub fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub fn eval(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs `script` until it returns something other than `false` or `null`.
    pub fn wait_for(&self, script: &str, args: Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.eval(script, args.clone());
            if !value.is_null() && value != json!(false) {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {script}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the first element matching `css`, as a person would.
    pub fn click(&self, css: &str) {
        let found = self.call(
            reqwest::Method::POST,
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        let id = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned();
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        );
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.base).send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

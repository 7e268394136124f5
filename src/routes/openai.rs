//! The OpenAI wire protocol shared by the `images`, `responses` and `gateway`
//! routes: where to send (base URL, key and organisation from the environment
//! as the official SDKs read them, overridable per route), retries with
//! backoff that honour the server's hints, SSE streams, and errors explained
//! with the HTTP status, the API's message and the request id.
//!
//! The key lives only in this module's `Connection` and in the Authorization
//! header it builds; it is never formatted into an error, a record or a log.

use std::io::{BufRead, BufReader, Read};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value;

use crate::config::{RouteConfig, RouteType};
use crate::error::{ApiDetails, Error, Result};
use crate::manifest::Retry;

/// Default API base.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
const DEFAULT_TIMEOUT_SECS: u64 = 600;
const DEFAULT_MAX_RETRIES: u32 = 2;
/// Longest server-requested wait assetrail honours; beyond it, it gives up.
const MAX_SERVER_WAIT: Duration = Duration::from_secs(60);
/// Longest total time spent retrying one request.
const MAX_RETRY_TIME: Duration = Duration::from_secs(180);

/// How to reach one route's API.
pub struct Connection {
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// The environment variable the key came from.
    pub key_env: String,
    key: String,
    organization: Option<String>,
    project: Option<String>,
    headers: Vec<(String, String)>,
    max_retries: u32,
    client: Client,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("base_url", &self.base_url)
            .field("key_env", &self.key_env)
            .finish_non_exhaustive()
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A description of how to reach a route, before any key is read (for `--dry-run`).
pub fn describe(route: &RouteConfig) -> (String, String) {
    let key_env = route
        .api_key_env
        .clone()
        .unwrap_or_else(|| "OPENAI_API_KEY".to_owned());
    (base_url_for(route), key_env)
}

/// The request a route would send to `path` with `body`, every secret redacted
/// (what `--dry-run` prints).
pub fn planned_request(route: &RouteConfig, path: &str, body: Value) -> Value {
    let (base_url, key_env) = describe(route);
    let (organization, project) = organization_and_project(route);
    let extra: Vec<(String, String)> = route
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut headers = serde_json::Map::new();
    for (name, value) in redacted_headers(organization.as_deref(), project.as_deref(), &extra) {
        let value = if name == "Authorization" {
            format!("Bearer [redacted: ${key_env}]")
        } else {
            value
        };
        headers.insert(name, Value::String(value));
    }
    serde_json::json!({
        "method": "POST",
        "url": format!("{}{path}", redact_url(&base_url)),
        "headers": headers,
        "body": body,
    })
}

/// Organisation and project ids: the route's, else (for OpenAI routes, not
/// gateways) `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`.
fn organization_and_project(route: &RouteConfig) -> (Option<String>, Option<String>) {
    let openai = route.route_type != RouteType::Gateway;
    let from_env = |name: &str| openai.then(|| env_nonempty(name)).flatten();
    (
        route
            .organization
            .clone()
            .or_else(|| from_env("OPENAI_ORG_ID")),
        route
            .project
            .clone()
            .or_else(|| from_env("OPENAI_PROJECT_ID")),
    )
}

fn base_url_for(route: &RouteConfig) -> String {
    let base = match route.route_type {
        // A gateway names its own base; OPENAI_BASE_URL is OpenAI's.
        RouteType::Gateway => route.base_url.clone(),
        _ => env_nonempty("OPENAI_BASE_URL").or_else(|| route.base_url.clone()),
    };
    base.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned())
        .trim_end_matches('/')
        .to_owned()
}

impl Connection {
    /// Settings for `route`, with the key read from its environment variable.
    /// A missing key is refused here, before anything is sent.
    pub fn for_route(route: &RouteConfig) -> Result<Connection> {
        let (base_url, key_env) = describe(route);
        if route.route_type == RouteType::Gateway && route.base_url.is_none() {
            return Err(Error::refused(
                format!("gateway route {:?} has no base_url", route.name),
                format!(
                    "add base_url = \"https://…/v1\" under [routes.\"{}\"] in assets.toml",
                    route.name
                ),
            ));
        }
        let key = env_nonempty(&key_env).ok_or_else(|| {
            Error::refused(
                format!("route {:?} needs an API key in the environment variable {key_env}, which is not set", route.name),
                format!(
                    "export {key_env}=… (keys are read from the environment only, never from assets.toml); agents: Codex passes only the variables listed in the MCP server's env_vars, so add {key_env} there"
                ),
            )
        })?;
        if key.chars().any(char::is_control) {
            return Err(Error::refused(
                format!("the API key in {key_env} contains a newline or another control character"),
                format!(
                    "set {key_env} to the key alone (a key read from a file often keeps its trailing newline: export {key_env}=\"$(tr -d '\\n' < FILE)\")"
                ),
            ));
        }
        if has_userinfo(&base_url) {
            return Err(Error::refused(
                format!(
                    "the base URL of route {:?} carries a user name or password ({})",
                    route.name,
                    redact_url(&base_url)
                ),
                format!(
                    "remove `user:password@` from the URL; the key goes in the environment variable {key_env}, which assetrail never records"
                ),
            ));
        }
        let (organization, project) = organization_and_project(route);
        let timeout = Duration::from_secs(route.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS));
        let client = Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .user_agent(concat!("assetrail/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                Error::refused(
                    format!("could not set up the HTTP client: {e}"),
                    "check the system's TLS setup",
                )
            })?;
        Ok(Connection {
            base_url,
            key_env,
            key,
            organization,
            project,
            headers: route
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            max_retries: route.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            client,
        })
    }

    /// The API host, as recorded (`api.openai.com`).
    pub fn host(&self) -> String {
        host_of(&self.base_url)
    }

    fn request(&self, path: &str) -> RequestBuilder {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(&self.key);
        if let Some(org) = &self.organization {
            request = request.header("OpenAI-Organization", org);
        }
        if let Some(project) = &self.project {
            request = request.header("OpenAI-Project", project);
        }
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request
    }

    /// Sends `build(request)` with retries. With `stream`, the body is read as
    /// server-sent events and each event's JSON is handed to `on_event` as it arrives.
    pub fn send(
        &self,
        path: &str,
        stream: bool,
        build: &dyn Fn(RequestBuilder) -> RequestBuilder,
        on_event: &mut dyn FnMut(&Value),
    ) -> Result<ApiResponse> {
        let started = Instant::now();
        let mut retries = Vec::new();
        let mut attempt = 1u32;
        loop {
            // A cancelled call sends nothing more (a retry included).
            crate::interrupt::check()?;
            let outcome = build(self.request(path)).send();
            let failure = match outcome {
                Ok(response) if response.status().is_success() => {
                    let request_id = header(&response, "x-request-id");
                    let processing_ms =
                        header(&response, "openai-processing-ms").and_then(|v| v.parse().ok());
                    let body = if stream {
                        Body::Events(read_events(response, request_id.as_deref(), on_event)?)
                    } else {
                        Body::Json(read_json(response, request_id.as_deref())?)
                    };
                    return Ok(ApiResponse {
                        body,
                        request_id,
                        processing_ms,
                        retries,
                    });
                }
                Ok(response) => Failure::Status(ApiError::from_response(response)),
                Err(e) => Failure::Transport(describe_transport(&e), e.is_timeout()),
            };
            let (retryable, server_wait, reason) = match &failure {
                Failure::Status(api) => (
                    api.should_retry
                        .unwrap_or(matches!(api.status, 408 | 409 | 429) || api.status >= 500),
                    api.retry_after,
                    format!(
                        "{}{}",
                        api.status,
                        api.code
                            .as_deref()
                            .map(|c| format!(" {c}"))
                            .unwrap_or_default()
                    ),
                ),
                Failure::Transport(message, _) => (true, None, message.clone()),
            };
            // The server's wait, clamped to the longest assetrail waits.
            let wait = server_wait
                .map(|w| w.min(MAX_SERVER_WAIT))
                .unwrap_or_else(|| backoff(attempt));
            let give_up = !retryable
                || attempt > self.max_retries
                || started.elapsed() + wait > MAX_RETRY_TIME;
            if give_up {
                return Err(match failure {
                    Failure::Status(mut api) => {
                        // A server that echoes the key never gets it printed.
                        if self.key.len() >= 8 {
                            api.message = api.message.replace(&self.key, "[redacted key]");
                        }
                        api.into_error(attempt, &self.key_env)
                    }
                    // A request that timed out reached the server and may
                    // have been billed; one that never connected did not.
                    Failure::Transport(message, true) => Error::Api {
                        message: format!(
                            "no answer from {} after {attempt} attempt{} ({message}): the server may have received the request and billed it",
                            self.host(),
                            plural(attempt)
                        ),
                        hint: Some("check the route's usage before retrying; raise timeout_secs for slow gateways. Nothing was written".into()),
                        details: Box::new(ApiDetails {
                            attempts: attempt,
                            may_be_billed: true,
                            ..ApiDetails::default()
                        }),
                    },
                    Failure::Transport(message, false) => Error::Api {
                        message: format!(
                            "could not reach {} after {attempt} attempt{}: {message}",
                            self.host(),
                            plural(attempt)
                        ),
                        hint: Some(
                            "check the network and the route's base_url. Nothing was written"
                                .into(),
                        ),
                        details: Box::new(ApiDetails {
                            attempts: attempt,
                            ..ApiDetails::default()
                        }),
                    },
                });
            }
            retries.push(Retry {
                attempt,
                reason,
                wait_ms: wait.as_millis() as u64,
            });
            std::thread::sleep(wait);
            attempt += 1;
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `min(0.5 s × 2^(attempt-1), 8 s)` × jitter in (0.75, 1], as the official SDK.
fn backoff(attempt: u32) -> Duration {
    let base = (0.5 * f64::from(1u32 << (attempt - 1).min(5))).min(8.0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = 1.0 - 0.25 * f64::from(nanos % 1000) / 1000.0;
    Duration::from_secs_f64(base * jitter)
}

/// The host of a URL.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    // Never a `user:password@` part: the host alone.
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

/// Whether `url` names a user or password before its host.
fn has_userinfo(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .is_some_and(|a| a.contains('@'))
}

/// `url` with any `user:password@` replaced, for printing.
fn redact_url(url: &str) -> String {
    if !has_userinfo(url) {
        return url.to_owned();
    }
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = host_of(url);
    let prefix = if scheme.is_empty() {
        String::new()
    } else {
        format!("{scheme}://")
    };
    format!("{prefix}[redacted]@{host}{}", &rest[cut..])
}

fn redacted_headers(
    org: Option<&str>,
    project: Option<&str>,
    extra: &[(String, String)],
) -> Vec<(String, String)> {
    let mut headers = vec![("Authorization".to_owned(), "Bearer [redacted]".to_owned())];
    if let Some(org) = org {
        headers.push(("OpenAI-Organization".into(), org.into()));
    }
    if let Some(project) = project {
        headers.push(("OpenAI-Project".into(), project.into()));
    }
    headers.extend(extra.iter().cloned());
    headers
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn describe_transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "the connection failed".into()
    } else {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            message = format!("{message}: {inner}");
            source = inner.source();
        }
        message
    }
}

enum Failure {
    Status(ApiError),
    /// What went wrong, and whether it was a timeout (the request may have arrived).
    Transport(String, bool),
}

/// What a successful call returned.
#[derive(Debug)]
pub struct ApiResponse {
    /// The body.
    pub body: Body,
    /// `x-request-id`.
    pub request_id: Option<String>,
    /// `openai-processing-ms`.
    pub processing_ms: Option<u64>,
    /// Attempts that failed before this one.
    pub retries: Vec<Retry>,
}

/// A response body.
#[derive(Debug)]
pub enum Body {
    /// A JSON document.
    Json(Value),
    /// The data of each server-sent event, in order.
    Events(Vec<Value>),
}

fn with_request_id(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (request {id})"))
        .unwrap_or_default()
}

fn read_json(response: Response, request_id: Option<&str>) -> Result<Value> {
    let mut bytes = Vec::new();
    let mut reader = response;
    reader.read_to_end(&mut bytes).map_err(|e| {
        Error::refused(
            format!(
                "the API's response was cut off{}: {e}",
                with_request_id(request_id)
            ),
            "nothing was written; run the command again",
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::refused(
            format!(
                "the API returned a body that is not valid JSON{} ({} bytes): {e}",
                with_request_id(request_id),
                bytes.len()
            ),
            "nothing was written; if this is a gateway, check that its base_url points at an OpenAI-compatible API",
        )
    })
}

/// Reads `event:`/`data:` blocks until the stream ends.
/// The longest single server-sent event assetrail accepts (a final image of
/// the largest size, base64-encoded, fits well inside it).
const MAX_EVENT_BYTES: u64 = 128 << 20;

fn read_events(
    response: Response,
    request_id: Option<&str>,
    on_event: &mut dyn FnMut(&Value),
) -> Result<Vec<Value>> {
    parse_event_stream(BufReader::new(response), request_id, on_event)
}

/// Reads a `text/event-stream` body: `data:` lines joined per event, events
/// separated by blank lines, `[DONE]` ignored; each event must be JSON. An
/// event longer than [`MAX_EVENT_BYTES`] is refused instead of buffered.
pub fn parse_event_stream(
    mut reader: impl BufRead,
    request_id: Option<&str>,
    on_event: &mut dyn FnMut(&Value),
) -> Result<Vec<Value>> {
    let mut events = Vec::new();
    let mut data = String::new();
    let mut line = String::new();
    let broke_off = |what: String| {
        Error::refused(
            format!("the image stream {what}{}", with_request_id(request_id)),
            "nothing was written; run the command again",
        )
    };
    loop {
        line.clear();
        let limit = MAX_EVENT_BYTES.saturating_sub(data.len() as u64) + 1;
        let n = (&mut reader)
            .take(limit)
            .read_line(&mut line)
            .map_err(|e| broke_off(format!("broke off: {e}")))?;
        if n as u64 >= limit {
            return Err(broke_off(format!(
                "sent an event longer than {} MiB",
                MAX_EVENT_BYTES >> 20
            )));
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if n == 0 || trimmed.is_empty() {
            if !data.is_empty() && data != "[DONE]" {
                let value: Value = serde_json::from_str(&data)
                    .map_err(|e| broke_off(format!("sent an event that is not JSON: {e}")))?;
                on_event(&value);
                events.push(value);
            }
            data.clear();
            if n == 0 {
                return Ok(events);
            }
        } else if let Some(rest) = trimmed.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
}

/// An error status from the API, with what it said.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `error.message`.
    pub message: String,
    /// `error.code`.
    pub code: Option<String>,
    /// `error.param`.
    pub param: Option<String>,
    /// `error.type`.
    pub kind: Option<String>,
    /// `x-request-id`.
    pub request_id: Option<String>,
    /// Moderation stage and categories, when blocked.
    pub moderation: Option<(String, Vec<String>)>,
    /// `retry-after-ms` / `retry-after`.
    pub retry_after: Option<Duration>,
    /// `x-should-retry`.
    pub should_retry: Option<bool>,
}

/// How long a server asks to wait, read as OpenAI's SDKs read it:
/// `retry-after-ms` in milliseconds, else `retry-after` in seconds or as an
/// HTTP date. Negative, NaN, infinite or unreadable values are no answer; a
/// huge one is kept (saturating), for the caller to clamp. Never panics.
pub fn server_wait(
    ms: Option<&str>,
    retry_after: Option<&str>,
    now: jiff::Timestamp,
) -> Option<Duration> {
    let seconds = |text: &str, scale: f64| {
        let value = text.trim().parse::<f64>().ok()? / scale;
        (value.is_finite() && value > 0.0)
            .then(|| Duration::try_from_secs_f64(value).unwrap_or(Duration::MAX))
    };
    ms.and_then(|v| seconds(v, 1000.0)).or_else(|| {
        let value = retry_after?;
        seconds(value, 1.0).or_else(|| {
            let at = jiff::fmt::rfc2822::parse(value.trim()).ok()?.timestamp();
            let wait = now.until(at).ok()?.total(jiff::Unit::Second).ok()?;
            (wait > 0.0).then(|| Duration::try_from_secs_f64(wait).unwrap_or(Duration::MAX))
        })
    })
}

impl ApiError {
    fn from_response(response: Response) -> ApiError {
        let status = response.status().as_u16();
        let request_id = header(&response, "x-request-id");
        let retry_after = server_wait(
            header(&response, "retry-after-ms").as_deref(),
            header(&response, "retry-after").as_deref(),
            jiff::Timestamp::now(),
        );
        let should_retry = header(&response, "x-should-retry").and_then(|v| match v.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        });
        let text = response.text().unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let error = &body["error"];
        let string = |v: &Value| v.as_str().map(str::to_owned);
        let moderation = error.get("moderation_details").map(|d| {
            (
                d["moderation_stage"]
                    .as_str()
                    .unwrap_or("unknown")
                    .to_owned(),
                d["categories"]
                    .as_array()
                    .map(|c| {
                        c.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        });
        ApiError {
            status,
            message: string(&error["message"]).unwrap_or_else(|| {
                let snippet: String = text.chars().take(200).collect();
                if snippet.is_empty() {
                    "(empty body)".into()
                } else {
                    snippet
                }
            }),
            code: string(&error["code"]),
            param: string(&error["param"]),
            kind: string(&error["type"]),
            request_id,
            moderation,
            retry_after,
            should_retry,
        }
    }

    /// The error the user sees: status, the API's words, the request id, and a fix.
    pub fn into_error(self, attempts: u32, key_env: &str) -> Error {
        let id = with_request_id(self.request_id.as_deref());
        let after = if attempts > 1 {
            format!(" after {attempts} attempts")
        } else {
            String::new()
        };
        let said = format!("HTTP {}{after}: {}{id}", self.status, self.message);
        let (message, hint) = if self.code.as_deref() == Some("moderation_blocked")
            || self.moderation.is_some()
        {
            let (stage, categories) = self
                .moderation
                .clone()
                .unwrap_or_else(|| ("unknown".into(), Vec::new()));
            (
                format!(
                    "the safety system blocked the request (moderation_blocked) at the {stage} stage (categories: {}); {said}",
                    if categories.is_empty() { "none given".into() } else { categories.join(", ") }
                ),
                "rephrase the prompt; if you believe this is a mistake, contact OpenAI support with the request id".to_owned(),
            )
        } else if self.status == 401 {
            (
                format!("the API rejected the key from {key_env}; {said}"),
                format!("check that {key_env} holds a valid, active key for this route's base URL"),
            )
        } else if self.status == 403 && self.message.contains("must be verified") {
            (
                format!("the organization is not verified for this model; {said}"),
                "this is an account-readiness step, not a wrong endpoint: verify the organization at https://platform.openai.com/settings/organization/general (Verify Organization); access can take up to 15 minutes to propagate".to_owned(),
            )
        } else if self.status == 400 && self.code.as_deref() == Some("invalid_value") {
            let param = self.param.clone().unwrap_or_else(|| "a parameter".into());
            (
                format!("the API refused the value of `{param}`; {said}"),
                format!(
                    "change or drop `{param}` (see the model's capabilities in assets.toml [models])"
                ),
            )
        } else if self.status == 404 {
            (
                format!("the API does not know this model or endpoint; {said}"),
                "check the model id (it may be shut down or misspelt) and the route's base_url"
                    .to_owned(),
            )
        } else if self.status == 429 {
            (
                format!("rate limited or out of quota; {said}"),
                "wait and retry, lower --jobs, or check the account's billing and limits"
                    .to_owned(),
            )
        } else if self.status >= 500 {
            (
                format!("the API failed on its side; {said}"),
                "retry later; if it persists, report the request id to the provider".to_owned(),
            )
        } else {
            (
                format!("the API refused the request; {said}"),
                "fix the request as the message says".to_owned(),
            )
        };
        Error::Api {
            message,
            hint: Some(format!("{hint}. Nothing was written")),
            details: Box::new(ApiDetails {
                status: Some(self.status),
                api_code: self.code,
                param: self.param,
                request_id: self.request_id,
                attempts,
                // The server answered: a refusal is not billed.
                may_be_billed: false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(
            backoff(1) <= Duration::from_millis(500) && backoff(1) > Duration::from_millis(370)
        );
        assert!(backoff(10) <= Duration::from_secs(8));
    }

    #[test]
    fn server_waits_never_panic_and_read_http_dates() {
        let now: jiff::Timestamp = "2026-11-30T12:00:00Z".parse().unwrap();
        let wait = |ms: Option<&str>, s: Option<&str>| server_wait(ms, s, now);
        assert_eq!(
            wait(Some("1500"), Some("9")),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(wait(None, Some("2")), Some(Duration::from_secs(2)));
        for nonsense in ["NaN", "-3", "inf", "-inf", "0", "", "soon", "1e999"] {
            assert_eq!(wait(Some(nonsense), None), None, "{nonsense}");
        }
        assert_eq!(wait(Some("1e30"), None), Some(Duration::MAX));
        assert_eq!(wait(None, Some("1e30")), Some(Duration::MAX));
        assert_eq!(
            wait(None, Some("Mon, 30 Nov 2026 12:00:30 GMT")),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            wait(None, Some("Mon, 30 Nov 2026 11:00:00 GMT")),
            None,
            "in the past"
        );
        assert_eq!(
            wait(Some("garbage"), Some("4")),
            Some(Duration::from_secs(4))
        );
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://api.openai.com/v1"), "api.openai.com");
        assert_eq!(host_of("http://127.0.0.1:8080/v1"), "127.0.0.1:8080");
        assert_eq!(host_of("https://user:secret@gw.example/v1"), "gw.example");
        assert_eq!(
            redact_url("https://user:secret@gw.example/v1"),
            "https://[redacted]@gw.example/v1"
        );
        assert!(!has_userinfo("https://gw.example/v1?a=b@c"));
    }

    #[test]
    fn redacted() {
        let headers = redacted_headers(Some("org-1"), None, &[("X-Title".into(), "site".into())]);
        assert_eq!(headers[0].1, "Bearer [redacted]");
        assert_eq!(headers.len(), 3);
    }
}

//! The OpenAI Images API: `POST {base}/images/generations` (JSON) and
//! `POST {base}/images/edits` (multipart, `image[]` parts and a PNG mask),
//! streamed as server-sent events when partial images are asked for. Gateways
//! speak the same protocol under their own base URL (see `gateway.rs`).
//! `b64_json` is decoded and kept exactly as received, never re-encoded.

use reqwest::blocking::multipart::{Form, Part};
use serde_json::{Map, Value, json};

use super::openai::{ApiResponse, Body, Connection};
use super::validate::{self, Models};
use super::{EditInputs, GenerateRequest, GeneratedImage, ImageRoute, PartialSink};
use crate::config::{Config, RouteConfig};
use crate::error::Result;
use crate::manifest::{Returned, Usage};
use crate::routes::api_image::{ApiImage, ApiRecord, decode_image, record};

/// The Images API route (type `images`, and `gateway` through `gateway.rs`).
pub struct ImagesRoute<'a> {
    /// The configuration (model table, price tables).
    pub config: &'a Config,
    /// The route.
    pub route: &'a RouteConfig,
}

impl ImagesRoute<'_> {
    fn models(&self, request: &GenerateRequest, edit: Option<&EditInputs>) -> Result<Models> {
        validate::validate(
            self.config,
            self.route,
            request,
            edit,
            &super::api_image::today(),
        )
    }

    /// The body fields shared by generations and edits.
    fn fields(
        &self,
        request: &GenerateRequest,
        model: &str,
        edit: Option<&EditInputs>,
    ) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert("model".into(), json!(model));
        body.insert("prompt".into(), json!(request.prompt));
        body.insert("n".into(), json!(request.n));
        body.insert("size".into(), json!(request.size.to_string()));
        body.insert("quality".into(), json!(request.quality.as_str()));
        body.insert("background".into(), json!(request.background.as_str()));
        body.insert("output_format".into(), json!(request.format.as_str()));
        if let Some(compression) = request.compression {
            body.insert("output_compression".into(), json!(compression));
        }
        if let Some(fidelity) = edit.and_then(|e| e.input_fidelity.as_deref()) {
            body.insert("input_fidelity".into(), json!(fidelity));
        }
        if request.partial_images > 0 {
            body.insert("stream".into(), json!(true));
            body.insert("partial_images".into(), json!(request.partial_images));
        }
        body
    }

    fn form(fields: &Map<String, Value>, edit: &EditInputs) -> Form {
        let mut form = Form::new();
        for (name, value) in fields {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            form = form.text(name.clone(), text);
        }
        let file_part = |input: &super::InputImage| {
            let mime = input.format.mime_type();
            Part::bytes(input.bytes.clone())
                .file_name(crate::repo_path::file_name(&input.path).to_owned())
                .mime_str(mime)
                .expect("image MIME types are valid")
        };
        for input in &edit.images {
            form = form.part("image[]", file_part(input));
        }
        if let Some(mask) = &edit.mask {
            form = form.part("mask", file_part(mask));
        }
        form
    }
}

impl ImageRoute for ImagesRoute<'_> {
    fn validate(&self, request: &GenerateRequest, edit: Option<&EditInputs>) -> Result<()> {
        self.models(request, edit).map(drop)
    }

    fn plan(&self, request: &GenerateRequest, edit: Option<&EditInputs>) -> Result<Option<Value>> {
        let models = self.models(request, edit)?;
        let fields = self.fields(request, &models.image, edit);
        let (path, body) = match edit {
            None => ("/images/generations", Value::Object(fields)),
            Some(edit) => {
                let mut parts = fields;
                parts.insert(
                    "image[]".into(),
                    json!(
                        edit.images
                            .iter()
                            .map(|i| format!("@{} ({} bytes)", i.path, i.bytes.len()))
                            .collect::<Vec<_>>()
                    ),
                );
                if let Some(mask) = &edit.mask {
                    parts.insert(
                        "mask".into(),
                        json!(format!("@{} ({} bytes)", mask.path, mask.bytes.len())),
                    );
                }
                ("/images/edits", json!({ "multipart/form-data": parts }))
            }
        };
        Ok(Some(super::openai::planned_request(self.route, path, body)))
    }

    fn generate(
        &self,
        request: &GenerateRequest,
        edit: Option<&EditInputs>,
        partials: &mut PartialSink<'_>,
    ) -> Result<Vec<GeneratedImage>> {
        let models = self.models(request, edit)?;
        let connection = Connection::for_route(self.route)?;
        let fields = self.fields(request, &models.image, edit);
        let stream = request.partial_images > 0;
        let mut received = 0u32;
        let mut on_event = |event: &Value| {
            if event["type"]
                .as_str()
                .is_some_and(|t| t.ends_with(".partial_image"))
                && let Some(bytes) = event["b64_json"]
                    .as_str()
                    .and_then(|b| super::api_image::decode_base64(b).ok())
            {
                received += 1;
                partials(
                    event["partial_image_index"].as_u64().unwrap_or(0) as u32,
                    &bytes,
                );
            }
        };
        let response = match edit {
            None => {
                let body = Value::Object(fields);
                connection.send(
                    "/images/generations",
                    stream,
                    &|r| r.json(&body),
                    &mut on_event,
                )?
            }
            Some(edit) => connection.send(
                "/images/edits",
                stream,
                &|r| r.multipart(Self::form(&fields, edit)),
                &mut on_event,
            )?,
        };
        let images = parse(&response, request)?;
        let api = ApiRecord {
            connection: &connection,
            route: self.route,
            config: self.config,
            models: &models,
            request_id: response.request_id.clone(),
            processing_ms: response.processing_ms,
            retries: response.retries.clone(),
            partial_images: stream.then_some((request.partial_images, received)),
        };
        images
            .into_iter()
            .enumerate()
            .map(|(i, image)| record(&api, request, edit, i as u32, image))
            .collect()
    }
}

fn returned_of(value: &Value) -> Returned {
    let field = |name: &str| value[name].as_str().map(str::to_owned);
    Returned {
        size: field("size"),
        quality: field("quality"),
        background: field("background"),
        output_format: field("output_format"),
    }
}

/// `usage` of an Images API response or completed event.
pub fn usage_of(value: &Value) -> Option<Usage> {
    let usage = value.get("usage")?;
    let n = |v: &Value| v.as_u64();
    Some(Usage {
        input_tokens: n(&usage["input_tokens"]),
        input_text_tokens: n(&usage["input_tokens_details"]["text_tokens"]),
        input_image_tokens: n(&usage["input_tokens_details"]["image_tokens"]),
        output_tokens: n(&usage["output_tokens"]),
        total_tokens: n(&usage["total_tokens"]),
    })
}

/// The images of a JSON response or of a stream's completed events.
fn parse(response: &ApiResponse, request: &GenerateRequest) -> Result<Vec<ApiImage>> {
    let id = response.request_id.as_deref();
    let mut images = Vec::new();
    match &response.body {
        Body::Json(value) => {
            let returned = returned_of(value);
            let usage = usage_of(value);
            let data = value["data"].as_array().cloned().unwrap_or_default();
            let count = data.len().max(1) as u64;
            for item in data {
                let b64 = item["b64_json"].as_str().unwrap_or_default();
                images.push(ApiImage {
                    bytes: decode_image(b64, request.format, id)?,
                    revised_prompt: item["revised_prompt"].as_str().map(str::to_owned),
                    response_id: None,
                    returned: Some(returned.clone()),
                    usage: usage.clone().map(|u| split_usage(u, count)),
                });
            }
        }
        Body::Events(events) => {
            for event in events {
                let kind = event["type"].as_str().unwrap_or_default();
                if kind == "error" || kind.ends_with(".failed") {
                    return Err(super::api_image::stream_error(event, id));
                }
                if kind.ends_with(".completed") {
                    let b64 = event["b64_json"].as_str().unwrap_or_default();
                    images.push(ApiImage {
                        bytes: decode_image(b64, request.format, id)?,
                        revised_prompt: event["revised_prompt"].as_str().map(str::to_owned),
                        response_id: None,
                        returned: Some(returned_of(event)),
                        usage: usage_of(event),
                    });
                }
            }
            if images.is_empty() {
                return Err(super::api_image::no_image(
                    "the stream ended without a completed image",
                    id,
                ));
            }
        }
    }
    if images.is_empty() {
        return Err(super::api_image::no_image(
            "the response holds no image",
            id,
        ));
    }
    Ok(images)
}

/// One request's usage spread over its `count` images.
fn split_usage(usage: Usage, count: u64) -> Usage {
    if count <= 1 {
        return usage;
    }
    let share = |v: Option<u64>| v.map(|t| t / count);
    Usage {
        input_tokens: share(usage.input_tokens),
        input_text_tokens: share(usage.input_text_tokens),
        input_image_tokens: share(usage.input_image_tokens),
        output_tokens: share(usage.output_tokens),
        total_tokens: share(usage.total_tokens),
    }
}

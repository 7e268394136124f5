//! The OpenAI Responses API with the hosted `image_generation` tool: a text
//! model on top, the image model inside the tool, `tool_choice` forcing the
//! tool. The image comes from the `image_generation_call` output item; its
//! `revised_prompt` and the response `id` are kept.

use serde_json::{Value, json};

use super::api_image::{
    ApiImage, ApiRecord, decode_base64, decode_image, no_image, record, stream_error,
};
use super::openai::{Body, Connection};
use super::validate::{self, Models};
use super::{EditInputs, GenerateRequest, GeneratedImage, ImageRoute, PartialSink};
use crate::config::{Config, RouteConfig};
use crate::error::{Error, Result};
use crate::manifest::{Returned, Usage};

/// The Responses route.
pub struct ResponsesRoute<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The route.
    pub route: &'a RouteConfig,
}

impl ResponsesRoute<'_> {
    fn models(&self, request: &GenerateRequest, edit: Option<&EditInputs>) -> Result<Models> {
        if edit.is_some() {
            return Err(Error::refused(
                "edits go through the Images API in this build",
                "pass --route images for assetrail edit",
            ));
        }
        validate::validate(
            self.config,
            self.route,
            request,
            None,
            &super::api_image::today(),
        )
    }

    fn body(request: &GenerateRequest, models: &Models) -> Value {
        let mut tool = json!({
            "type": "image_generation",
            "model": models.image,
            "size": request.size.to_string(),
            "quality": request.quality.as_str(),
            "background": request.background.as_str(),
            "output_format": request.format.as_str(),
        });
        if let Some(compression) = request.compression {
            tool["output_compression"] = json!(compression);
        }
        if request.partial_images > 0 {
            tool["partial_images"] = json!(request.partial_images);
        }
        let mut body = json!({
            "model": models.text,
            "input": request.prompt,
            "tools": [tool],
            "tool_choice": { "type": "image_generation" },
        });
        if request.partial_images > 0 {
            body["stream"] = json!(true);
        }
        body
    }
}

impl ImageRoute for ResponsesRoute<'_> {
    fn validate(&self, request: &GenerateRequest, edit: Option<&EditInputs>) -> Result<()> {
        self.models(request, edit).map(drop)
    }

    fn plan(&self, request: &GenerateRequest, edit: Option<&EditInputs>) -> Result<Option<Value>> {
        let models = self.models(request, edit)?;
        let mut planned =
            super::openai::planned_request(self.route, "/responses", Self::body(request, &models));
        // The tool makes one image per call.
        planned["calls"] = json!(request.n);
        Ok(Some(planned))
    }

    fn generate(
        &self,
        request: &GenerateRequest,
        edit: Option<&EditInputs>,
        partials: &mut PartialSink<'_>,
    ) -> Result<Vec<GeneratedImage>> {
        let models = self.models(request, edit)?;
        let connection = Connection::for_route(self.route)?;
        let body = Self::body(request, &models);
        let stream = request.partial_images > 0;
        // The tool makes one image per call: n images are n calls.
        let mut images = Vec::new();
        for n_index in 0..request.n {
            let mut received = 0u32;
            let mut on_event = |event: &Value| {
                if event["type"] == "response.image_generation_call.partial_image"
                    && let Some(bytes) = event["partial_image_b64"]
                        .as_str()
                        .and_then(|b| decode_base64(b).ok())
                {
                    received += 1;
                    partials(
                        event["partial_image_index"].as_u64().unwrap_or(0) as u32,
                        &bytes,
                    );
                }
            };
            let response =
                connection.send("/responses", stream, &|r| r.json(&body), &mut on_event)?;
            let id = response.request_id.as_deref();
            let response_object = match &response.body {
                Body::Json(value) => value.clone(),
                Body::Events(events) => final_response(events, id)?,
            };
            let image = image_of(&response_object, request, id)?;
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
            images.push(record(&api, request, None, n_index, image)?);
        }
        Ok(images)
    }
}

/// The finished response from a stream: `response.completed`, or the last
/// `image_generation_call` item when the stream ends without one.
fn final_response(events: &[Value], request_id: Option<&str>) -> Result<Value> {
    let mut item = None;
    for event in events {
        match event["type"].as_str().unwrap_or_default() {
            "error" | "response.failed" => return Err(stream_error(event, request_id)),
            "response.completed" => return Ok(event["response"].clone()),
            "response.output_item.done" if event["item"]["type"] == "image_generation_call" => {
                item = Some(event["item"].clone());
            }
            _ => {}
        }
    }
    match item {
        Some(item) => Ok(json!({ "output": [item] })),
        None => Err(no_image(
            "the stream ended without a completed image",
            request_id,
        )),
    }
}

fn image_of(
    response: &Value,
    request: &GenerateRequest,
    request_id: Option<&str>,
) -> Result<ApiImage> {
    if response["status"] == "failed" || response["error"].is_object() {
        return Err(stream_error(response, request_id));
    }
    let call = response["output"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["type"] == "image_generation_call"))
        .ok_or_else(|| {
            // The text model often says why it made no image: pass that on.
            let said: String = response["output"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|i| i["type"] == "message")
                .flat_map(|m| m["content"].as_array().into_iter().flatten())
                .filter_map(|c| c["text"].as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let said: String = said.chars().take(300).collect();
            let what = if said.is_empty() {
                "the response has no image_generation_call output".to_owned()
            } else {
                format!("the response has no image_generation_call output; the text model said: {said:?}")
            };
            no_image(&what, request_id)
        })?;
    let b64 = call["result"].as_str().unwrap_or_default();
    let field = |name: &str| call[name].as_str().map(str::to_owned);
    let usage = response.get("usage").map(|u| Usage {
        input_tokens: u["input_tokens"].as_u64(),
        output_tokens: u["output_tokens"].as_u64(),
        total_tokens: u["total_tokens"].as_u64(),
        ..Usage::default()
    });
    Ok(ApiImage {
        bytes: decode_image(b64, request.format, request_id)?,
        revised_prompt: field("revised_prompt"),
        response_id: response["id"].as_str().map(str::to_owned),
        returned: Some(Returned {
            size: field("size"),
            quality: field("quality"),
            background: field("background"),
            output_format: field("output_format"),
        }),
        // Responses usage counts the text model's tokens, not the image's:
        // the estimate uses the per-image table.
        usage: usage.map(|u| Usage {
            input_text_tokens: None,
            input_image_tokens: None,
            ..u
        }),
    })
}

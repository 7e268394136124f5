//! What every API route does with an image it received: check the base64
//! decodes to the format asked for, and build the provenance record — route,
//! credit, models, provider, host, request ids, usage, cost, retries, partial
//! images and edit parents. Never the key.

use base64::Engine;
use serde_json::Value;

use super::openai::Connection;
use super::validate::Models;
use super::{EditInputs, GenerateRequest, GeneratedImage, base_provenance};
use crate::config::{Config, RouteConfig, RouteType};
use crate::cost::Priced;
use crate::error::{Error, Result};
use crate::image_file::sniff_format;
use crate::image_options::{Background, OutputFormat};
use crate::manifest::{PartialImages, Retry, Returned, Usage};

/// One image as an API returned it.
#[derive(Debug, Clone)]
pub struct ApiImage {
    /// Decoded bytes, exactly as sent.
    pub bytes: Vec<u8>,
    /// The prompt as the model rewrote it.
    pub revised_prompt: Option<String>,
    /// Response id (Responses API).
    pub response_id: Option<String>,
    /// Options as reported back.
    pub returned: Option<Returned>,
    /// Token usage attributed to this image.
    pub usage: Option<Usage>,
}

/// What one API call contributes to each of its images' records.
pub struct ApiRecord<'a> {
    /// Where it went.
    pub connection: &'a Connection,
    /// The route.
    pub route: &'a RouteConfig,
    /// Price tables.
    pub config: &'a Config,
    /// Models used.
    pub models: &'a Models,
    /// `x-request-id`.
    pub request_id: Option<String>,
    /// `openai-processing-ms`.
    pub processing_ms: Option<u64>,
    /// Failed attempts before success.
    pub retries: Vec<Retry>,
    /// Partial images requested and received, when streamed.
    pub partial_images: Option<(u32, u32)>,
}

/// Today, UTC, `YYYY-MM-DD` (for shutdown dates).
pub fn today() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

/// Standard base64 (padding optional).
pub fn decode_base64(b64: &str) -> std::result::Result<Vec<u8>, base64::DecodeError> {
    let trimmed = b64.trim();
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed.trim_end_matches('='))
        })
}

fn with_id(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (request {id})"))
        .unwrap_or_default()
}

/// Decodes `b64` and checks it is an image of `format`.
pub fn decode_image(b64: &str, format: OutputFormat, request_id: Option<&str>) -> Result<Vec<u8>> {
    if b64.is_empty() {
        return Err(no_image("the response holds an empty image", request_id));
    }
    let bytes = decode_base64(b64).map_err(|e| {
        Error::refused(
            format!(
                "the API returned image data that is not valid base64{}: {e}",
                with_id(request_id)
            ),
            "nothing was written; run the command again, and report the request id if it repeats",
        )
    })?;
    let actual = sniff_format(&bytes[..bytes.len().min(1024)]);
    if actual != Some(format.into()) {
        return Err(Error::refused(
            format!(
                "the API returned {} where a {format} image was asked for{}",
                actual.map_or("bytes that are not an image".to_owned(), |f| format!(
                    "a {f} image"
                )),
                with_id(request_id)
            ),
            "nothing was written; if this is a gateway, it may ignore output_format: ask for the format it returns",
        ));
    }
    Ok(bytes)
}

/// Whether an image decodes with an alpha channel and at least one pixel
/// that is not fully opaque: what a transparent background really means.
pub fn has_transparent_pixels(bytes: &[u8]) -> bool {
    let Ok(image) = image::load_from_memory(bytes) else {
        return false;
    };
    image.color().has_alpha() && image.to_rgba8().pixels().any(|p| p.0[3] < u8::MAX)
}

/// The error for a response that carries no image.
pub fn no_image(what: &str, request_id: Option<&str>) -> Error {
    Error::refused(
        format!("{what}{}", with_id(request_id)),
        "nothing was written; run the command again, and report the request id if it repeats",
    )
}

/// The error for an `error` or `*.failed` stream event.
pub fn stream_error(event: &Value, request_id: Option<&str>) -> Error {
    let error = if event["error"].is_object() {
        &event["error"]
    } else if event["response"]["error"].is_object() {
        &event["response"]["error"]
    } else {
        event
    };
    let message = error["message"].as_str().unwrap_or("no message");
    let code = error["code"]
        .as_str()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    Error::refused(
        format!(
            "the image stream failed{code}: {message}{}",
            with_id(request_id)
        ),
        "nothing was written; adjust the request as the message says and run it again",
    )
}

/// The estimate for one image of a call, kept to the route's own bill:
/// - a gateway prices only with its own `pricing` table, never OpenAI's;
/// - the images route with the image model's table (the route's `pricing`
///   overrides), from the usage tokens, else the per-image table;
/// - the responses route prices the image from the image model's per-image
///   table (Responses reports only the text model's tokens) and the text
///   model's tokens at the text model's rates, when it has a table.
fn price(api: &ApiRecord<'_>, usage: Option<&Usage>, quality: &str, size: &str) -> Priced {
    let tables = &api.config.pricing;
    let image_table = match (&api.route.pricing, api.route.route_type) {
        (Some(name), _) => Some(name.clone()),
        (None, RouteType::Gateway) => {
            return Priced {
                usd: None,
                table: None,
                source: None,
                note: Some(format!(
                    "no estimate: gateway route {} has no `pricing` table (its prices are not OpenAI's)",
                    api.route.name
                )),
            };
        }
        (None, _) => Some(api.models.image.clone()),
    };
    let image_table = image_table.and_then(|name| tables.get(&name).map(|t| (name, t)));
    let Some((image_name, table)) = image_table else {
        return Priced {
            usd: None,
            table: None,
            source: None,
            note: Some(format!(
                "no estimate: no price table for {}",
                api.models.image
            )),
        };
    };
    if api.route.route_type != RouteType::Responses {
        let usd = crate::cost::estimate(table, usage, quality, size);
        return Priced {
            note: usd.is_none().then(|| {
                format!(
                    "no estimate: {image_name} prices neither these tokens nor {quality} {size}"
                )
            }),
            table: usd.map(|_| image_name),
            source: usd.and(table.source.clone()),
            usd,
        };
    }
    let image_usd = crate::cost::estimate(table, None, quality, size);
    let text_model = api.models.text.clone().unwrap_or_default();
    let text = tables
        .get(&text_model)
        .and_then(|t| Some((t, crate::cost::text_tokens(t, usage?)?)));
    let Some(image_usd) = image_usd else {
        return Priced {
            usd: None,
            table: None,
            source: None,
            note: Some(format!(
                "no estimate: {image_name} has no per-image price for {quality} {size}"
            )),
        };
    };
    match text {
        Some((text_table, text_usd)) => Priced {
            usd: Some(((image_usd + text_usd) * 1_000_000.0).round() / 1_000_000.0),
            table: Some(format!("{image_name} + {text_model}")),
            source: table.source.clone().or_else(|| text_table.source.clone()),
            note: None,
        },
        None => Priced {
            usd: Some(image_usd),
            table: Some(image_name),
            source: table.source.clone(),
            note: Some(format!(
                "the image only: the text model {text_model}'s tokens are not priced (no [pricing.\"{text_model}\"] table)"
            )),
        },
    }
}

/// The record for image `n_index` of a call.
pub fn record(
    api: &ApiRecord<'_>,
    request: &GenerateRequest,
    edit: Option<&EditInputs>,
    n_index: u32,
    image: ApiImage,
) -> Result<GeneratedImage> {
    let mut entry = base_provenance(api.route, request, n_index);
    entry.model = Some(api.models.image.clone());
    entry.text_model = api.models.text.clone();
    entry.provider = api.route.provider.clone();
    entry.channel = api.route.channel.clone();
    entry.api_host = Some(api.connection.host());
    entry.output_compression = request.compression;
    entry.revised_prompt = image.revised_prompt;
    entry.response_id = image.response_id;
    entry.request_id = api.request_id.clone();
    entry.processing_ms = api.processing_ms;
    entry.retries = api.retries.clone();
    entry.partial_images = api
        .partial_images
        .map(|(requested, received)| PartialImages {
            requested,
            received,
        });
    if let Some(edit) = edit {
        entry.parents = edit.parents();
    }
    let returned = image.returned.clone().unwrap_or_default();
    let quality = returned
        .quality
        .clone()
        .unwrap_or_else(|| request.quality.to_string());
    let size = returned
        .size
        .clone()
        .unwrap_or_else(|| request.size.resolve().to_string());
    let priced = price(api, image.usage.as_ref(), &quality, &size);
    entry.cost_estimate_usd = priced.usd;
    entry.price_table = priced.table;
    entry.price_source = priced.source;
    entry.cost_note = priced.note;
    entry.usage = image.usage.map(Box::new);
    entry.returned = image
        .returned
        .filter(|r| *r != Returned::default())
        .map(Box::new);
    if request.background == Background::Transparent {
        entry.transparent_pixels = Some(has_transparent_pixels(&image.bytes));
    }
    Ok(GeneratedImage {
        bytes: image.bytes,
        provenance: entry,
    })
}

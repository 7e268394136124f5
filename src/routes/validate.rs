//! Requests that cannot succeed are refused before anything is sent, with the
//! reason and the fix. Capabilities come from the model table, never from a
//! hard-coded list.

use super::{EditInputs, GenerateRequest};
use crate::config::{Config, RouteConfig, RouteType};
use crate::error::{Error, Result};
use crate::image_options::{Background, ImageSize, OutputFormat, Quality};
use crate::models::{ModelKind, Support};
use crate::recorded::ImageFormat;

/// Largest input image, bytes.
pub const MAX_INPUT_BYTES: u64 = 50 * 1024 * 1024;
/// Largest mask, bytes.
pub const MAX_MASK_BYTES: u64 = 4 * 1024 * 1024;

/// The models a request will use, once validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Models {
    /// The image model.
    pub image: String,
    /// The text model (responses route).
    pub text: Option<String>,
}

fn refuse(message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::refused(message, hint)
}

/// A kind's transparent default (the `ui` kind's) on an API route whose image
/// model takes no transparency becomes `auto`, so the kind works out of the
/// box on every route; returns the note saying so. A transparent background
/// asked for on the command line is left for [`validate`] to refuse.
pub fn settle_kind_background(
    config: &Config,
    route: &RouteConfig,
    request: &mut GenerateRequest,
) -> Option<String> {
    if request.background != Background::Transparent
        || !request.background_from_kind
        || !route.route_type.is_api()
    {
        return None;
    }
    let image = request.model.clone().or_else(|| route.model.clone())?;
    let takes_it = match config.models.get(&image).transparent {
        Support::Yes => true,
        Support::Preview => request.allow_preview,
        Support::No => false,
    };
    if takes_it {
        return None;
    }
    request.background = Background::Auto;
    Some(format!(
        "the kind's transparent background is not supported by {image}: generated with background auto (pass --model with a model that supports it, e.g. gpt-image-2.6-sunburst, for real transparency)"
    ))
}

/// Checks a request for an API route; `today` is `YYYY-MM-DD`.
pub fn validate(
    config: &Config,
    route: &RouteConfig,
    request: &GenerateRequest,
    edit: Option<&EditInputs>,
    today: &str,
) -> Result<Models> {
    if request.title.is_some() || request.subtitle.is_some() || request.badge {
        return Err(refuse(
            "--title, --subtitle and --badge are drawn by the offline renderer, not sent to an API",
            "drop them (put the title in the prompt), or use --route local",
        ));
    }
    let image = request
        .model
        .clone()
        .or_else(|| route.model.clone())
        .ok_or_else(|| {
            refuse(
                format!("route {:?} names no image model", route.name),
                format!(
                    "set model = \"gpt-image-2\" under [routes.{}] in assets.toml, or pass --model",
                    route.name
                ),
            )
        })?;
    let info = config.models.get(&image);
    let text = match route.route_type {
        RouteType::Responses => {
            let text = request.text_model.clone().or_else(|| route.text_model.clone()).ok_or_else(|| {
                refuse(
                    format!("responses route {:?} names no text model", route.name),
                    format!("set text_model = \"gpt-5.5\" under [routes.{}]; the image model goes in `model`", route.name),
                )
            })?;
            if config.models.get(&text).kind == ModelKind::Image {
                return Err(refuse(
                    format!(
                        "{text} is an image model, but the Responses API wants a text model on top"
                    ),
                    format!(
                        "put {text} in the image_generation tool (`model` of the route) and use a text model such as gpt-5.5 as text_model"
                    ),
                ));
            }
            Some(text)
        }
        _ => None,
    };
    if info.kind != ModelKind::Image {
        let fix = match route.route_type {
            RouteType::Responses => {
                "the tool's `model` must be an image model such as gpt-image-2; the text model goes in text_model"
            }
            _ => {
                "the Images API makes images with an image model such as gpt-image-2; for a text model on top use a responses route"
            }
        };
        return Err(refuse(format!("{image} is not an image model"), fix));
    }
    if matches!(request.quality, Quality::XHigh | Quality::Max) && !info.top_qualities {
        return Err(refuse(
            format!("{image} does not take quality {}", request.quality),
            format!(
                "use low, medium, high or auto with {image}; xhigh and max need gpt-image-2.5 or later (--model gpt-image-2.6-sunburst), or set top_qualities = true under [models.\"{image}\"]"
            ),
        ));
    }
    if let Some(shutdown) = &info.shutdown
        && shutdown.as_str() <= today
    {
        return Err(refuse(
            format!("{image} was shut down on {shutdown}"),
            format!(
                "use {} instead (set `model` on the route or pass --model)",
                info.replacement
                    .as_deref()
                    .unwrap_or("a current model such as gpt-image-2")
            ),
        ));
    }
    let prompt_chars = request.prompt.chars().count();
    if prompt_chars > info.max_prompt {
        return Err(refuse(
            format!(
                "the prompt is {prompt_chars} characters; {image} takes at most {}",
                info.max_prompt
            ),
            "shorten the prompt",
        ));
    }
    if let ImageSize::Exact(d) = request.size
        && !info.custom_sizes
        && !matches!(
            (d.width, d.height),
            (1024, 1024) | (1536, 1024) | (1024, 1536)
        )
    {
        return Err(refuse(
            format!("{image} takes only 1024x1024, 1536x1024, 1024x1536 or auto, not {d}"),
            "pick one of those sizes, or a model with custom sizes such as gpt-image-2",
        ));
    }
    if request.partial_images > 3 {
        return Err(refuse(
            "--partial-images must be between 0 and 3",
            "ask for 0 to 3 partial images",
        ));
    }
    if let Some(compression) = request.compression {
        if compression > 100 {
            return Err(refuse(
                "--output-compression must be between 0 and 100",
                "pass a percentage, e.g. 85",
            ));
        }
        if request.format == OutputFormat::Png {
            return Err(refuse(
                "output compression applies to jpeg and webp only",
                "drop --output-compression, or ask for --output-format webp or jpeg",
            ));
        }
    }
    if request.background == Background::Transparent {
        if !request.format.supports_transparency() {
            return Err(refuse(
                "a transparent background needs png or webp, not jpeg",
                "pass --output-format png (or webp), or --background opaque",
            ));
        }
        match info.transparent {
            Support::Yes => {}
            Support::Preview if request.allow_preview => {}
            Support::Preview => {
                return Err(refuse(
                    format!(
                        "transparent backgrounds are in preview on {image} and may be refused (HTTP 400)"
                    ),
                    "pass --allow-preview to send it anyway, use --background opaque, or a model with full support",
                ));
            }
            Support::No => {
                return Err(refuse(
                    format!("{image} does not support transparent backgrounds"),
                    "use --background opaque or auto, or a model that supports transparency",
                ));
            }
        }
    }
    if let Some(edit) = edit {
        let most = info.max_edit_inputs;
        if edit.images.is_empty() || edit.images.len() > most {
            return Err(refuse(
                format!(
                    "{image} takes 1 to {most} input images in an edit, not {}",
                    edit.images.len()
                ),
                format!(
                    "pass between 1 and {most} --input files (or set max_edit_inputs under [models.\"{image}\"])"
                ),
            ));
        }
        for input in &edit.images {
            if input.format.as_output().is_none() || input.bytes.len() as u64 >= MAX_INPUT_BYTES {
                return Err(refuse(
                    format!(
                        "{}: edit inputs must be png, webp or jpeg under 50 MB ({} is {}, {} bytes)",
                        input.path,
                        input.path,
                        input.format,
                        input.bytes.len()
                    ),
                    "convert or shrink the input (a conversion is a new asset)",
                ));
            }
        }
        if let Some(mask) = &edit.mask {
            let first = &edit.images[0];
            if mask.format != ImageFormat::Png || mask.bytes.len() as u64 >= MAX_MASK_BYTES {
                return Err(refuse(
                    format!(
                        "{}: a mask must be a PNG under 4 MB, not {}",
                        mask.path, mask.format
                    ),
                    "save the mask as PNG with alpha 0 where the image should change",
                ));
            }
            let has_alpha =
                image::load_from_memory_with_format(&mask.bytes, image::ImageFormat::Png)
                    .is_ok_and(|decoded| decoded.color().has_alpha());
            if !has_alpha {
                return Err(refuse(
                    format!(
                        "{}: the mask has no alpha channel, so it marks nothing to edit",
                        mask.path
                    ),
                    "save the mask as a PNG with an alpha channel (RGBA): alpha 0 where the image should change, opaque elsewhere",
                ));
            }
            if (mask.width, mask.height) != (first.width, first.height) {
                return Err(refuse(
                    format!(
                        "the mask {} is {}x{}, but the first input {} is {}x{}",
                        mask.path, mask.width, mask.height, first.path, first.width, first.height
                    ),
                    "make the mask exactly the size of the first input image",
                ));
            }
        }
        if edit.input_fidelity.is_some() && !info.input_fidelity {
            return Err(refuse(
                format!("{image} does not take input_fidelity"),
                format!(
                    "drop --input-fidelity, or set input_fidelity = true under [models.\"{image}\"] in assets.toml if this model takes it"
                ),
            ));
        }
    }
    Ok(Models { image, text })
}

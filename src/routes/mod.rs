//! Routes: the ways an image comes to exist. Each route turns a validated
//! request into image bytes plus the provenance fields only it knows.

pub mod api_image;
pub mod codex;
pub mod gateway;
pub mod images;
pub mod local;
pub mod openai;
pub mod responses;
pub mod validate;

use crate::config::{AssetKind, RouteConfig};
use crate::error::Result;
use crate::image_options::{Background, Dimensions, ImageSize, OutputFormat, Quality};
use crate::manifest::ManifestEntry;
use crate::recorded::{ImageFormat, ParentRole};

/// A generation request after defaults and validation.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateRequest {
    /// The prompt.
    pub prompt: String,
    /// Requested size (`auto` stays `auto` in the record).
    pub size: ImageSize,
    /// Quality.
    pub quality: Quality,
    /// Background.
    pub background: Background,
    /// The background is the kind's default, not asked for on the command line.
    pub background_from_kind: bool,
    /// File format.
    pub format: OutputFormat,
    /// How many images.
    pub n: u32,
    /// Asset kind, when given.
    pub kind: Option<AssetKind>,
    /// Image model, overriding the route's.
    pub model: Option<String>,
    /// Text model, overriding a responses route's.
    pub text_model: Option<String>,
    /// `output_compression` for jpeg and webp.
    pub compression: Option<u8>,
    /// Partial images to stream (0 = no streaming).
    pub partial_images: u32,
    /// Send options the model table marks as preview.
    pub allow_preview: bool,
    /// A title card's title (local route).
    pub title: Option<String>,
    /// A title card's subtitle (local route).
    pub subtitle: Option<String>,
    /// Draw a placeholder badge (local route).
    pub badge: bool,
    /// The kind's exact size when the route was asked for the nearest size
    /// its models take: each image is then also cropped to it.
    pub crop_to: Option<Dimensions>,
}

impl GenerateRequest {
    /// A request with no API-only options.
    pub fn simple(prompt: &str, size: ImageSize, format: OutputFormat) -> Self {
        GenerateRequest {
            prompt: prompt.to_owned(),
            size,
            quality: Quality::Auto,
            background: Background::Auto,
            background_from_kind: false,
            format,
            n: 1,
            kind: None,
            model: None,
            text_model: None,
            compression: None,
            partial_images: 0,
            allow_preview: false,
            title: None,
            subtitle: None,
            badge: false,
            crop_to: None,
        }
    }
}

/// One input image of an edit, read and checked.
#[derive(Debug, Clone)]
pub struct InputImage {
    /// Repo-relative path.
    pub path: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// sha256, lowercase hex.
    pub sha256: String,
    /// png, jpeg or webp.
    pub format: ImageFormat,
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
}

/// What an edit starts from.
#[derive(Debug, Clone, Default)]
pub struct EditInputs {
    /// Input images (the mask applies to the first).
    pub images: Vec<InputImage>,
    /// PNG mask: alpha 0 marks where to edit.
    pub mask: Option<InputImage>,
    /// `input_fidelity`, where the model takes it.
    pub input_fidelity: Option<String>,
}

impl EditInputs {
    /// The parents to record: each input and the mask, with path and sha256.
    pub fn parents(&self) -> Vec<crate::manifest::Parent> {
        let parent = |input: &InputImage, role: ParentRole, fidelity: Option<String>| {
            crate::manifest::Parent {
                path: input.path.clone(),
                sha256: input.sha256.clone(),
                role,
                id: None,
                input_fidelity: fidelity,
            }
        };
        let mut parents: Vec<_> = self
            .images
            .iter()
            .map(|i| parent(i, ParentRole::Input, self.input_fidelity.clone()))
            .collect();
        if let Some(mask) = &self.mask {
            parents.push(parent(mask, ParentRole::Mask, None));
        }
        parents
    }
}

/// One image a route produced, with the provenance fields the route knows
/// (model, request ids, usage, …). Path, hashes and timestamps are filled in
/// when the bytes are stored.
#[derive(Debug, Clone)]
pub struct GeneratedImage {
    /// The bytes exactly as produced or received.
    pub bytes: Vec<u8>,
    /// Route-specific provenance.
    pub provenance: ManifestEntry,
}

/// Called with each partial image a stream delivers (index, bytes).
pub type PartialSink<'a> = dyn FnMut(u32, &[u8]) + 'a;

/// A route that can make images.
pub trait ImageRoute {
    /// Refuses, before anything is sent, a request that cannot succeed.
    fn validate(&self, _request: &GenerateRequest, _edit: Option<&EditInputs>) -> Result<()> {
        Ok(())
    }

    /// The exact request(s) that would be sent, the key redacted (`--dry-run`).
    fn plan(
        &self,
        _request: &GenerateRequest,
        _edit: Option<&EditInputs>,
    ) -> Result<Option<serde_json::Value>> {
        Ok(None)
    }

    /// Produces `request.n` images (edits of `edit` when given).
    fn generate(
        &self,
        request: &GenerateRequest,
        edit: Option<&EditInputs>,
        partials: &mut PartialSink<'_>,
    ) -> Result<Vec<GeneratedImage>>;
}

/// The provenance every route shares: route, credit and the request's options.
pub fn base_provenance(
    route: &RouteConfig,
    request: &GenerateRequest,
    n_index: u32,
) -> ManifestEntry {
    ManifestEntry {
        route_name: route.recorded_name(),
        route: route.manifest_route(),
        credit: route.credit.clone(),
        kind: request.kind,
        prompt: Some(request.prompt.clone()),
        alt: Some(crate::placement::alt_text(&request.prompt)),
        size: Some(request.size.to_string()),
        quality: Some(request.quality.to_string()),
        background: Some(request.background.to_string()),
        output_format: Some(request.format.to_string()),
        n_index: Some(n_index),
        ..ManifestEntry::default()
    }
}

//! Routes: the ways an image comes to exist. Each route turns a validated
//! request into image bytes plus the provenance fields only it knows.

pub mod codex;
pub mod local;

use crate::config::{AssetKind, RouteConfig};
use crate::error::Result;
use crate::image_options::{Background, ImageSize, OutputFormat, Quality};
use crate::manifest::ManifestEntry;

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
    /// File format.
    pub format: OutputFormat,
    /// How many images.
    pub n: u32,
    /// Asset kind, when given.
    pub kind: Option<AssetKind>,
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

/// A route that can make images.
pub trait ImageRoute {
    /// Produces `request.n` images.
    fn generate(&self, request: &GenerateRequest) -> Result<Vec<GeneratedImage>>;
}

/// The provenance every route shares: route, credit and the request's options.
pub fn base_provenance(
    route: &RouteConfig,
    request: &GenerateRequest,
    n_index: u32,
) -> ManifestEntry {
    let manifest_route = route.manifest_route();
    ManifestEntry {
        route_name: (route.name != manifest_route).then(|| route.name.clone()),
        route: manifest_route,
        credit: route.credit.clone(),
        kind: request.kind,
        prompt: Some(request.prompt.clone()),
        size: Some(request.size.to_string()),
        quality: Some(request.quality.to_string()),
        background: Some(request.background.to_string()),
        output_format: Some(request.format.to_string()),
        n_index: Some(n_index),
        ..ManifestEntry::default()
    }
}

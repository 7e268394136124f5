//! Content Credentials (C2PA) embedded in an image: the claim generator, the
//! signer, the actions (`c2pa.created` with `trainedAlgorithmicMedia` marks a
//! generated image) and whether the manifest still validates. Read with the
//! `c2pa` crate when assetrail is built with the `c2pa` feature; without it,
//! only the manifest store's presence is detected (see [`crate::image_file`]).

use std::io::{Read, Seek};

use crate::manifest::C2paSummary;
use crate::recorded::ImageFormat;

/// Fills `summary` (a manifest store found in the file) with what the
/// credentials say, read from `stream`. Without the `c2pa` feature nothing is
/// added.
pub fn read_into(
    summary: &mut C2paSummary,
    format: ImageFormat,
    stream: &mut (impl Read + Seek + Send),
) {
    #[cfg(feature = "c2pa")]
    read_with_c2pa(summary, format, stream);
    #[cfg(not(feature = "c2pa"))]
    let _ = (summary, format, stream);
}

/// What has become of the credentials recorded for an asset whose bytes
/// changed: `None` while they are still there (and, when they validated,
/// still validate); otherwise what was lost, for a finding.
pub fn lost(recorded: &C2paSummary, now: Option<&C2paSummary>) -> Option<String> {
    let Some(now) = now else {
        return Some(format!(
            "it was recorded with Content Credentials ({}, {} bytes) and no longer carries them",
            recorded.container, recorded.bytes
        ));
    };
    let validated =
        |s: &C2paSummary| matches!(s.validation_state.as_deref(), Some("valid" | "trusted"));
    if validated(recorded) && !validated(now) && now.validation_state.is_some() {
        return Some(format!(
            "its Content Credentials validated when recorded and are now {}{}",
            now.validation_state.as_deref().unwrap_or("invalid"),
            if now.validation_codes.is_empty() {
                String::new()
            } else {
                format!(" ({})", now.validation_codes.join(", "))
            }
        ));
    }
    None
}

/// Whether this build reads credentials (the `c2pa` feature).
pub const READS_CREDENTIALS: bool = cfg!(feature = "c2pa");

#[cfg(feature = "c2pa")]
fn read_with_c2pa(
    summary: &mut C2paSummary,
    format: ImageFormat,
    stream: &mut (impl Read + Seek + Send),
) {
    use c2pa::assertions::Actions;

    let mime = match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Webp => "image/webp",
        _ => return,
    };
    if stream.rewind().is_err() {
        return;
    }
    let reader = match c2pa::Reader::from_context(c2pa::Context::new())
        .with_stream(mime, &mut *stream)
        .map_err(|e| e.to_string())
    {
        Ok(reader) => reader,
        Err(why) => {
            summary.validation_state = Some("unreadable".to_owned());
            summary.validation_codes = vec![why];
            return;
        }
    };
    summary.validation_state = Some(
        match reader.validation_state() {
            c2pa::ValidationState::Invalid => "invalid",
            c2pa::ValidationState::Valid => "valid",
            c2pa::ValidationState::Trusted => "trusted",
        }
        .to_owned(),
    );
    summary.validation_codes = reader
        .validation_status()
        .unwrap_or_default()
        .iter()
        .map(|status| status.code().to_owned())
        .collect();
    let Some(manifest) = reader.active_manifest() else {
        return;
    };
    summary.claim_generator = manifest.claim_generator().map(str::to_owned).or_else(|| {
        manifest.claim_generator_info.as_ref().and_then(|info| {
            info.first().map(|g| match &g.version {
                Some(version) => format!("{} {version}", g.name),
                None => g.name.clone(),
            })
        })
    });
    if let Some(signature) = manifest.signature_info() {
        summary.signer = signature.common_name.clone();
        summary.issuer = signature.issuer.clone();
    }
    let actions = manifest
        .find_assertion::<Actions>("c2pa.actions.v2")
        .or_else(|_| manifest.find_assertion::<Actions>("c2pa.actions"));
    if let Ok(actions) = actions {
        for action in actions.actions() {
            summary.actions.push(action.action().to_owned());
            if summary.digital_source_type.is_none()
                && let Some(source) = action.source_type()
                && let Ok(serde_json::Value::String(uri)) = serde_json::to_value(source)
            {
                summary.digital_source_type = Some(uri);
            }
        }
    }
}

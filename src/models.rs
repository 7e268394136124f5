//! What each model accepts, as data: shipped defaults, overridable under
//! `[models."ID"]` in `assets.toml`. Model ids change every few months, so
//! nothing here is an enum; an unknown model gets conservative defaults from
//! its family.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Whether a model makes images or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// An image model (`gpt-image-*`): the Images route, or inside the Responses tool.
    Image,
    /// A text model (`gpt-5.5`): the top of a Responses request.
    Text,
}

/// Support for a transparent background.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Support {
    /// Works.
    Yes,
    /// Documented as preview: sent only with `--allow-preview`.
    Preview,
    /// Refused by the API.
    No,
}

/// One model's capabilities.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    /// Image or text.
    pub kind: ModelKind,
    /// Transparent backgrounds.
    #[serde(default = "default_transparent")]
    pub transparent: Support,
    /// Accepts `input_fidelity` on edits.
    #[serde(default)]
    pub input_fidelity: bool,
    /// Accepts any valid `WxH` (otherwise only 1024x1024, 1536x1024, 1024x1536, auto).
    #[serde(default)]
    pub custom_sizes: bool,
    /// Takes the `xhigh` and `max` qualities (gpt-image-2.5 and later).
    #[serde(default)]
    pub top_qualities: bool,
    /// Most input images one edit takes.
    #[serde(default = "default_max_edit_inputs")]
    pub max_edit_inputs: usize,
    /// Longest prompt, in characters.
    #[serde(default = "default_max_prompt")]
    pub max_prompt: usize,
    /// Shutdown date (`YYYY-MM-DD`), after which requests are refused.
    #[serde(default)]
    pub shutdown: Option<String>,
    /// Suggested replacement when shut down.
    #[serde(default)]
    pub replacement: Option<String>,
}

fn default_transparent() -> Support {
    Support::Yes
}

fn default_max_edit_inputs() -> usize {
    16
}

fn default_max_prompt() -> usize {
    32_000
}

/// The shipped table (2026-11).
fn shipped() -> BTreeMap<String, ModelInfo> {
    let image = |transparent,
                 input_fidelity,
                 custom_sizes,
                 shutdown: Option<&str>,
                 replacement: Option<&str>| ModelInfo {
        kind: ModelKind::Image,
        transparent,
        input_fidelity,
        custom_sizes,
        top_qualities: false,
        max_edit_inputs: default_max_edit_inputs(),
        max_prompt: 32_000,
        shutdown: shutdown.map(str::to_owned),
        replacement: replacement.map(str::to_owned),
    };
    let mut table = BTreeMap::new();
    // OpenAI's tool-option guidance: gpt-image-2 takes no transparent
    // background (overridable under [models."gpt-image-2"]).
    for id in ["gpt-image-2", "gpt-image-2-2026-04-21"] {
        table.insert(id.to_owned(), image(Support::No, false, true, None, None));
    }
    for id in [
        "gpt-image-2.5-flare",
        "gpt-image-2.5-sunburst",
        "gpt-image-2.5-flare-2026-09-08",
        "gpt-image-2.5-sunburst-2026-09-08",
        "gpt-image-2.6-flare",
        "gpt-image-2.6-sunburst",
    ] {
        let mut info = image(Support::Yes, false, true, None, None);
        info.top_qualities = true;
        table.insert(id.to_owned(), info);
    }
    for id in [
        "gpt-image-1.5",
        "gpt-image-1.5-2025-12-16",
        "chatgpt-image-latest",
    ] {
        table.insert(
            id.to_owned(),
            image(
                Support::Yes,
                true,
                false,
                Some("2026-12-01"),
                Some("gpt-image-2.6-sunburst"),
            ),
        );
    }
    table.insert(
        "gpt-image-1-mini".to_owned(),
        image(
            Support::Yes,
            false,
            false,
            Some("2026-12-01"),
            Some("gpt-image-2.6-flare"),
        ),
    );
    table.insert(
        "gpt-image-1".to_owned(),
        image(
            Support::Yes,
            true,
            false,
            Some("2026-10-23"),
            Some("gpt-image-2"),
        ),
    );
    for id in ["dall-e-2", "dall-e-3"] {
        table.insert(
            id.to_owned(),
            image(
                Support::No,
                false,
                false,
                Some("2026-05-12"),
                Some("gpt-image-2"),
            ),
        );
    }
    // DALL·E 2 edited one image at a time.
    if let Some(info) = table.get_mut("dall-e-2") {
        info.max_edit_inputs = 1;
    }
    table
}

/// The model table in force: shipped defaults with `assets.toml` overrides.
#[derive(Debug, Clone)]
pub struct Models {
    table: BTreeMap<String, ModelInfo>,
}

impl Default for Models {
    fn default() -> Self {
        Models { table: shipped() }
    }
}

impl Models {
    /// Shipped defaults, then `overrides` on top.
    pub fn with_overrides(overrides: BTreeMap<String, ModelInfo>) -> Models {
        let mut table = shipped();
        table.extend(overrides);
        Models { table }
    }

    /// What is known of `id`: its entry, or defaults by family
    /// (`gpt-image-*`, `dall-e-*`, `chatgpt-image-*` are image models; anything
    /// else is taken to be a text model).
    pub fn get(&self, id: &str) -> ModelInfo {
        if let Some(info) = self.table.get(id) {
            return info.clone();
        }
        // Model names are matched as OpenAI matches them: without regard to case.
        let lower = id.to_ascii_lowercase();
        if let Some(info) = self.table.get(&lower) {
            return info.clone();
        }
        let image_family = ["gpt-image", "dall-e", "chatgpt-image"]
            .iter()
            .any(|p| lower.starts_with(p));
        ModelInfo {
            kind: if image_family {
                ModelKind::Image
            } else {
                ModelKind::Text
            },
            transparent: if image_family {
                Support::Preview
            } else {
                Support::No
            },
            input_fidelity: false,
            custom_sizes: image_family,
            top_qualities: false,
            max_edit_inputs: default_max_edit_inputs(),
            max_prompt: 32_000,
            shutdown: None,
            replacement: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_overrides() {
        let models = Models::default();
        assert_eq!(models.get("gpt-image-2").transparent, Support::No);
        assert_eq!(models.get("gpt-image-9-future").kind, ModelKind::Image);
        assert_eq!(models.get("gpt-5.5").kind, ModelKind::Text);
        assert_eq!(
            models.get("gpt-image-1").shutdown.as_deref(),
            Some("2026-10-23")
        );
        let overridden = Models::with_overrides(BTreeMap::from([(
            "gpt-image-2".to_owned(),
            ModelInfo {
                kind: ModelKind::Image,
                transparent: Support::Yes,
                input_fidelity: false,
                custom_sizes: true,
                top_qualities: false,
                max_edit_inputs: default_max_edit_inputs(),
                max_prompt: 32_000,
                shutdown: None,
                replacement: None,
            },
        )]));
        assert_eq!(overridden.get("gpt-image-2").transparent, Support::Yes);
    }
}

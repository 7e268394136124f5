//! Asset kinds (`article`, `ui`, `cover`): the built-in defaults of each and
//! the `[kinds.NAME]` tables that change them.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::Validator;
use super::route::RouteConfig;
use crate::choice_enum;
use crate::error::Result;
use crate::image_options::{Background, ImageSize, OutputFormat, Quality};

choice_enum! {
    /// What an asset is for; each kind has its own folder and defaults.
    pub enum AssetKind: "asset kind" {
        Article = "article",
        Ui = "ui",
        Cover = "cover",
        /// A social sharing card (Open Graph / X), 1200×630.
        Social = "social",
    }
}

/// Defaults for one asset kind.
#[derive(Debug, Clone, PartialEq)]
pub struct KindDefaults {
    /// Repo-relative folder new assets of this kind go to.
    pub folder: String,
    /// Default size.
    pub size: ImageSize,
    /// Default quality.
    pub quality: Quality,
    /// Default file format.
    pub format: OutputFormat,
    /// Default background.
    pub background: Background,
    /// Route used for this kind when `--route` is not given.
    pub route: Option<String>,
}

/// `[kinds.NAME]` tables, by kind (an unknown name is refused with the list).
pub(super) type RawKinds = std::collections::BTreeMap<AssetKind, RawKind>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKind {
    pub(super) folder: Option<Spanned<String>>,
    size: Option<Spanned<String>>,
    quality: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    background: Option<Spanned<String>>,
    route: Option<Spanned<String>>,
}

impl Validator<'_> {
    pub(super) fn kind(
        &self,
        kind: AssetKind,
        raw: Option<&RawKind>,
        routes: &BTreeMap<String, RouteConfig>,
    ) -> Result<KindDefaults> {
        let mut defaults = builtin_kind(kind);
        let Some(raw) = raw else {
            return Ok(defaults);
        };
        if let Some(folder) = &raw.folder {
            defaults.folder = self.folder(folder)?;
        }
        if let Some(size) = &raw.size {
            defaults.size = self.choice(size)?;
        }
        if let Some(quality) = &raw.quality {
            defaults.quality = self.choice(quality)?;
        }
        if let Some(format) = &raw.format {
            defaults.format = self.choice(format)?;
        }
        if let Some(background) = &raw.background {
            defaults.background = self.choice(background)?;
            if defaults.background == Background::Transparent
                && !defaults.format.supports_transparency()
            {
                return Err(self.error(
                    background,
                    format!(
                        "kind {kind}: a transparent background needs png or webp, not {}",
                        defaults.format
                    ),
                ));
            }
        }
        if let Some(route) = &raw.route {
            self.known_route(route, routes)?;
            defaults.route = Some(route.get_ref().clone());
        }
        Ok(defaults)
    }
}

pub(super) fn builtin_kind(kind: AssetKind) -> KindDefaults {
    let (folder, size, quality, format, background) = match kind {
        AssetKind::Article => (
            "public/images/articles",
            (1536, 1024),
            Quality::Medium,
            OutputFormat::Webp,
            Background::Auto,
        ),
        AssetKind::Ui => (
            "public/images/ui",
            (1024, 1024),
            Quality::Medium,
            OutputFormat::Png,
            Background::Transparent,
        ),
        AssetKind::Cover => (
            "public/images/covers",
            (1536, 1024),
            Quality::High,
            OutputFormat::Png,
            Background::Opaque,
        ),
        // The size social sites expect; the local route renders it exactly.
        AssetKind::Social => (
            "public/images/social",
            (1200, 630),
            Quality::High,
            OutputFormat::Png,
            Background::Opaque,
        ),
    };
    KindDefaults {
        folder: folder.to_owned(),
        size: ImageSize::Exact(crate::image_options::Dimensions {
            width: size.0,
            height: size.1,
        }),
        quality,
        format,
        background,
        route: None,
    }
}

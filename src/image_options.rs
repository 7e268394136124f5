//! The vocabulary of an image request — size, format, quality, background — and
//! the rules the current OpenAI image models place on it, which the offline
//! renderer honours too so a request that works locally also works on the API.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::Deserialize;

use crate::choice_enum;
use crate::config::AssetKind;

/// Everything a generation or edit may ask for besides its prompt and inputs,
/// as given: on the command line (`generate`, `edit`, and the MCP tools that
/// run them), and in each `[[job]]` of a batch file. Unset means "the kind's,
/// else the route's, else the default"; [`ImageOptions::or`] fills a batch
/// job's gaps from the command line, and the generate command resolves the
/// rest in one step into the route request.
#[derive(Debug, Clone, Default, PartialEq, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageOptions {
    /// Asset kind: its folder and defaults apply.
    #[arg(long, short = 'k', value_enum)]
    pub kind: Option<AssetKind>,
    /// Where to write (repo-relative). Default: the kind's folder and a name from the prompt. With --batch, a folder for the jobs that name none.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: Option<String>,
    /// Route (a name under [routes] in assets.toml).
    #[arg(long, short = 'r')]
    pub route: Option<String>,
    /// Image model, overriding the route's (API routes).
    #[arg(long)]
    pub model: Option<String>,
    /// Text model on top, overriding the route's (responses routes).
    #[arg(long)]
    pub text_model: Option<String>,
    /// WIDTHxHEIGHT (multiples of 16, aspect 1:3 to 3:1, long edge ≤ 3840) or auto.
    #[arg(long, value_parser = clap::value_parser!(ImageSize))]
    pub size: Option<ImageSize>,
    /// low, medium, high or auto; xhigh and max on gpt-image-2.5 and later.
    #[arg(long, value_enum)]
    pub quality: Option<Quality>,
    /// auto, opaque or transparent.
    #[arg(long, value_enum)]
    pub background: Option<Background>,
    /// Image file format: png, webp or jpeg (default: the kind's, else from --out, else png).
    #[arg(long, value_enum, value_name = "FORMAT")]
    #[serde(alias = "format")]
    pub output_format: Option<OutputFormat>,
    /// Compression for jpeg and webp, 0-100 (API routes).
    #[arg(long, value_name = "PERCENT")]
    pub output_compression: Option<u8>,
    /// Number of images, 1-10 (default 1).
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..=MAX_IMAGES as i64))]
    pub n: Option<u32>,
    /// Stream with 0-3 partial previews (API routes; default 0).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=MAX_PARTIAL_IMAGES as i64))]
    pub partial_images: Option<u32>,
    /// Save streamed partial previews into this folder (repo-relative).
    #[arg(long, value_name = "DIR")]
    pub save_partials: Option<PathBuf>,
    /// Title on a title card (cover, article, social kinds on the local route; default: from the prompt).
    #[arg(long)]
    pub title: Option<String>,
    /// A line under the title (local route).
    #[arg(long)]
    pub subtitle: Option<String>,
    /// Mark the image visibly as a placeholder (local route).
    #[arg(long)]
    #[serde(default)]
    pub badge: bool,
    /// Send options the model table marks as preview (`transparent = "preview"` under [models]).
    #[arg(long)]
    #[serde(default)]
    pub allow_preview: bool,
    /// Validate and show what would be written (and the exact API request), without sending or writing.
    #[arg(long)]
    #[serde(skip)]
    pub dry_run: bool,
    /// Replace an existing file (its sha256 is kept as a parent).
    #[arg(long)]
    #[serde(default)]
    pub force: bool,
}

/// Most images one request asks for (`n`).
pub const MAX_IMAGES: u32 = 10;
/// Most partial previews one streamed request asks for.
pub const MAX_PARTIAL_IMAGES: u32 = 3;

impl ImageOptions {
    /// The keys a batch file's `[[job]]` takes for these options.
    pub fn batch_keys() -> Vec<String> {
        use clap::Args;
        ImageOptions::augment_args(clap::Command::new("job"))
            .get_arguments()
            .map(|arg| arg.get_id().to_string())
            .filter(|id| id != "dry_run")
            .collect()
    }

    /// These options with every one left unset taken from `base` (a batch
    /// job's gaps filled from the command line). Every field is named, so a
    /// new option cannot be left out of the merge: it does not compile.
    pub fn or(self, base: &ImageOptions) -> ImageOptions {
        let ImageOptions {
            kind,
            out,
            route,
            model,
            text_model,
            size,
            quality,
            background,
            output_format,
            output_compression,
            n,
            partial_images,
            save_partials,
            title,
            subtitle,
            badge,
            allow_preview,
            dry_run,
            force,
        } = self;
        ImageOptions {
            kind: kind.or(base.kind),
            out: out.or_else(|| base.out.clone()),
            route: route.or_else(|| base.route.clone()),
            model: model.or_else(|| base.model.clone()),
            text_model: text_model.or_else(|| base.text_model.clone()),
            size: size.or(base.size),
            quality: quality.or(base.quality),
            background: background.or(base.background),
            output_format: output_format.or(base.output_format),
            output_compression: output_compression.or(base.output_compression),
            n: n.or(base.n),
            partial_images: partial_images.or(base.partial_images),
            save_partials: save_partials.or_else(|| base.save_partials.clone()),
            title: title.or_else(|| base.title.clone()),
            subtitle: subtitle.or_else(|| base.subtitle.clone()),
            badge: badge || base.badge,
            allow_preview: allow_preview || base.allow_preview,
            dry_run: dry_run || base.dry_run,
            force: force || base.force,
        }
    }
}

choice_enum! {
    /// File format of a generated image (`output_format` on the API).
    pub enum OutputFormat: "image format" {
        Png = "png",
        Webp = "webp",
        Jpeg = "jpeg" | "jpg",
    }
}

impl OutputFormat {
    /// The file extension assetrail writes for this format.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// Whether the format can carry an alpha channel.
    pub fn supports_transparency(self) -> bool {
        !matches!(self, OutputFormat::Jpeg)
    }
}

choice_enum! {
    /// Rendering quality.
    pub enum Quality: "quality" {
        Low = "low",
        Medium = "medium",
        High = "high",
        /// gpt-image-2.5 and later (the model table's `top_qualities`).
        XHigh = "xhigh",
        /// gpt-image-2.5 and later (the model table's `top_qualities`).
        Max = "max",
        Auto = "auto",
    }
}

choice_enum! {
    /// Background treatment.
    pub enum Background: "background" {
        Auto = "auto",
        Opaque = "opaque",
        Transparent = "transparent",
    }
}

/// Longest edge the current image models accept.
pub const MAX_EDGE: u32 = 3840;
/// Pixel budget of the current image models (3840×2160).
pub const MAX_PIXELS: u64 = 8_294_400;
/// Smallest pixel budget the current image models accept.
pub const MIN_PIXELS: u64 = 655_360;
/// Size used when a request says `auto` and nothing else decides.
pub const DEFAULT_SIZE: Dimensions = Dimensions {
    width: 1024,
    height: 1024,
};

/// Width and height in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dimensions {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
}

impl fmt::Display for Dimensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// A requested size: explicit dimensions or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSize {
    /// Let the route decide.
    Auto,
    /// Exactly these dimensions.
    Exact(Dimensions),
}

impl ImageSize {
    /// The dimensions to render, with `auto` meaning [`DEFAULT_SIZE`].
    pub fn resolve(self) -> Dimensions {
        match self {
            ImageSize::Auto => DEFAULT_SIZE,
            ImageSize::Exact(d) => d,
        }
    }
}

impl fmt::Display for ImageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageSize::Auto => f.write_str("auto"),
            ImageSize::Exact(d) => d.fmt(f),
        }
    }
}

impl<'de> Deserialize<'de> for ImageSize {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for ImageSize {
    type Err = String;

    /// Parses `auto` or `WIDTHxHEIGHT` and checks it against the model rules.
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "auto" {
            return Ok(ImageSize::Auto);
        }
        let parsed = s.split_once(['x', 'X']).and_then(|(w, h)| {
            Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?))
        });
        let Some((width, height)) = parsed else {
            return Err(format!(
                "size {s:?} is not WIDTHxHEIGHT or auto (for example 1536x1024)"
            ));
        };
        let dims = Dimensions { width, height };
        check_model_size_rules(dims)?;
        Ok(ImageSize::Exact(dims))
    }
}

/// Checks the size rules of the current OpenAI image models: both edges multiples
/// of 16, aspect ratio within 1:3–3:1, long edge at most 3840, and a pixel count
/// between 655,360 and 8,294,400. The error says what to ask for instead.
///
/// ```
/// use assetrail::image_options::ImageSize;
/// assert!("1536x1024".parse::<ImageSize>().is_ok());
/// let err = "1000x1000".parse::<ImageSize>().unwrap_err();
/// assert!(err.contains("multiples of 16 (try 1008x1008)"));
/// ```
pub fn check_model_size_rules(d: Dimensions) -> Result<(), String> {
    let Dimensions { width, height } = d;
    if width == 0 || height == 0 {
        return Err(format!("size {d}: edges must be greater than zero"));
    }
    let (long, short) = (width.max(height), width.min(height));
    if long > MAX_EDGE {
        return Err(format!(
            "size {d}: the longest edge may be at most {MAX_EDGE} pixels (largest sizes: 3840x2160, 2160x3840)"
        ));
    }
    if long > short * 3 {
        return Err(format!(
            "size {d}: aspect ratio must be between 1:3 and 3:1 (for a banner try 3072x1024)"
        ));
    }
    if width % 16 != 0 || height % 16 != 0 {
        let fix = Dimensions {
            width: round16(width),
            height: round16(height),
        };
        return Err(format!(
            "size {d}: both edges must be multiples of 16 (try {fix})"
        ));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(format!(
            "size {d}: {pixels} pixels exceeds the {MAX_PIXELS}-pixel budget (3840x2160)"
        ));
    }
    if pixels < MIN_PIXELS {
        return Err(format!(
            "size {d}: {pixels} pixels is below the {MIN_PIXELS}-pixel minimum (smallest square: 816x816; common: 1024x1024)"
        ));
    }
    Ok(())
}

/// The smallest size at least `d` in each edge that the models take (edges
/// rounded up to multiples of 16), e.g. 1200x640 for the 1200x630 social card.
pub fn nearest_model_size(d: Dimensions) -> Dimensions {
    Dimensions {
        width: round16(d.width),
        height: round16(d.height),
    }
}

fn round16(v: u32) -> u32 {
    (v.div_ceil(16) * 16).max(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_standard_and_custom_sizes() {
        for ok in [
            "1024x1024",
            "1536x1024",
            "1024x1536",
            "3840x2160",
            "2048x2048",
            "auto",
        ] {
            assert!(ok.parse::<ImageSize>().is_ok(), "{ok} should be valid");
        }
    }

    #[test]
    fn refuses_sizes_the_models_refuse_and_says_why() {
        let cases = [
            ("1000x1000", "multiples of 16 (try 1008x1008)"),
            ("4000x1000", "longest edge"),
            ("3072x960", "aspect ratio"),
            ("512x512", "below"),
            ("2880x2896", "budget"),
            ("big", "WIDTHxHEIGHT"),
        ];
        for (size, why) in cases {
            let err = size.parse::<ImageSize>().unwrap_err();
            assert!(err.contains(why), "{size}: {err}");
        }
    }

    #[test]
    fn format_names_and_aliases() {
        assert_eq!("jpg".parse::<OutputFormat>(), Ok(OutputFormat::Jpeg));
        let err = "gif".parse::<OutputFormat>().unwrap_err();
        assert_eq!(
            err,
            "unknown image format \"gif\" (expected one of: png, webp, jpeg)"
        );
    }
}

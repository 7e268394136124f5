//! The values `assets.lock` records about where an image came from — its
//! route, the credit source it billed, its file format and each parent's
//! role — as types with one string form each. Every comparison, grouping and
//! message goes through these; no other file spells `gateway.` or `provider:`.

use std::fmt;
use std::str::FromStr;

use crate::choice_enum;
use crate::config::RouteType;
use crate::image_options::OutputFormat;

/// The route an entry records: its route type, with the provider for gateways
/// (`gateway.NAME`). A value this version does not know is kept as written,
/// so `check` can report it instead of the whole manifest being refused.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Route {
    /// Any route type but a gateway.
    Of(RouteType),
    /// An OpenAI-compatible gateway, by provider.
    Gateway(String),
    /// Not a route this version knows.
    Unknown(String),
}

const GATEWAY_PREFIX: &str = "gateway.";

impl Route {
    /// The route a `[routes]` entry of `route_type` records; `provider` names a gateway.
    pub fn new(route_type: RouteType, provider: &str) -> Route {
        match route_type {
            RouteType::Gateway => Route::Gateway(provider.to_owned()),
            other => Route::Of(other),
        }
    }

    /// The route type, when known.
    pub fn route_type(&self) -> Option<RouteType> {
        match self {
            Route::Of(route_type) => Some(*route_type),
            Route::Gateway(_) => Some(RouteType::Gateway),
            Route::Unknown(_) => None,
        }
    }

    /// Whether the entry recorded no route.
    pub fn is_missing(&self) -> bool {
        matches!(self, Route::Unknown(text) if text.is_empty())
    }

    /// Whether this is the given (non-gateway) route type.
    pub fn is(&self, route_type: RouteType) -> bool {
        self.route_type() == Some(route_type)
    }

    /// The credit source this route bills, when the route is known.
    pub fn credit(&self) -> Option<Credit> {
        Some(match self {
            Route::Of(RouteType::Local | RouteType::Manual) => Credit::None,
            Route::Of(RouteType::Codex) => Credit::CodexCredits,
            Route::Of(RouteType::Images | RouteType::Responses) => Credit::OpenaiApi,
            Route::Of(RouteType::Gateway) => Credit::Provider("?".into()),
            Route::Gateway(provider) => Credit::Provider(provider.clone()),
            Route::Unknown(_) => return None,
        })
    }
}

/// An entry that records no route at all (which `check` reports).
impl Default for Route {
    fn default() -> Self {
        Route::Unknown(String::new())
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Of(route_type) => f.write_str(route_type.as_str()),
            Route::Gateway(provider) => write!(f, "{GATEWAY_PREFIX}{provider}"),
            Route::Unknown(text) => f.write_str(text),
        }
    }
}

impl FromStr for Route {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.strip_prefix(GATEWAY_PREFIX) {
            Some(provider) if !provider.is_empty() => Route::Gateway(provider.to_owned()),
            _ => match s.parse::<RouteType>() {
                Ok(RouteType::Gateway) | Err(_) => Route::Unknown(s.to_owned()),
                Ok(route_type) => Route::Of(route_type),
            },
        })
    }
}

impl PartialEq<RouteType> for Route {
    fn eq(&self, other: &RouteType) -> bool {
        *self == Route::Of(*other)
    }
}

/// Who pays for an image: nobody, Codex credits, the OpenAI API account, or a
/// gateway provider (`provider:NAME`). Amounts in different credit sources
/// are never added together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Credit {
    /// Made offline or by hand.
    None,
    /// Codex's own image tool, billed as Codex credits.
    CodexCredits,
    /// The OpenAI API account, in USD.
    OpenaiApi,
    /// A gateway provider's account.
    Provider(String),
    /// Not a credit source this version knows.
    Unknown(String),
}

const PROVIDER_PREFIX: &str = "provider:";

impl Credit {
    /// Whether the entry recorded no credit source.
    pub fn is_missing(&self) -> bool {
        matches!(self, Credit::Unknown(text) if text.is_empty())
    }

    /// Whether amounts in this credit source are US dollars at OpenAI's or a
    /// configured price table (Codex credits are not).
    pub fn is_priced_in_usd(&self) -> bool {
        matches!(self, Credit::OpenaiApi | Credit::Provider(_))
    }
}

/// An entry that records no credit source at all (which `check` reports).
impl Default for Credit {
    fn default() -> Self {
        Credit::Unknown(String::new())
    }
}

impl fmt::Display for Credit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credit::None => f.write_str("none"),
            Credit::CodexCredits => f.write_str("codex-credits"),
            Credit::OpenaiApi => f.write_str("openai-api"),
            Credit::Provider(name) => write!(f, "{PROVIDER_PREFIX}{name}"),
            Credit::Unknown(text) => f.write_str(text),
        }
    }
}

impl FromStr for Credit {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "none" => Credit::None,
            "codex-credits" => Credit::CodexCredits,
            "openai-api" => Credit::OpenaiApi,
            _ => match s.strip_prefix(PROVIDER_PREFIX) {
                Some(name) if !name.is_empty() => Credit::Provider(name.to_owned()),
                _ => Credit::Unknown(s.to_owned()),
            },
        })
    }
}

/// The one string form of an open set: serde, `From<&str>` and the JSON
/// Schema all go through `Display` and `FromStr`.
macro_rules! string_form {
    ($($ty:ident: $description:literal),+ $(,)?) => {$(
        impl From<&str> for $ty {
            fn from(text: &str) -> Self {
                match text.parse() {
                    Ok(value) => value,
                    Err(never) => match never {},
                }
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(<$ty>::from(s.as_ref()))
            }
        }
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "description": $description })
            }
        }
    )+};
}
string_form!(
    Route: "local, codex, manual, images, responses or gateway.PROVIDER",
    Credit: "none, codex-credits, openai-api or provider:NAME",
);

choice_enum! {
    /// What a parent image was to its child.
    #[derive(Default)]
    pub enum ParentRole: "parent role" {
        /// An input image of an edit.
        #[default]
        Input = "input",
        /// The mask of an edit.
        Mask = "mask",
        /// The file an overwrite replaced.
        Replaced = "replaced",
        /// The original a format conversion was made from.
        Converted = "converted",
        /// The generated original a crop to the kind's exact size was cut from.
        Cropped = "cropped",
    }
}

choice_enum! {
    /// An image file format, as its magic bytes name it.
    #[derive(Default)]
    pub enum ImageFormat: "image format" {
        #[default]
        Png = "png",
        Jpeg = "jpeg",
        Webp = "webp",
        Gif = "gif",
        Ico = "ico",
        Avif = "avif",
        Svg = "svg",
    }
}

impl From<OutputFormat> for ImageFormat {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Png => ImageFormat::Png,
            OutputFormat::Webp => ImageFormat::Webp,
            OutputFormat::Jpeg => ImageFormat::Jpeg,
        }
    }
}

impl ImageFormat {
    /// The format as the image APIs name it, when they can produce or take it.
    pub fn as_output(self) -> Option<OutputFormat> {
        match self {
            ImageFormat::Png => Some(OutputFormat::Png),
            ImageFormat::Webp => Some(OutputFormat::Webp),
            ImageFormat::Jpeg => Some(OutputFormat::Jpeg),
            _ => None,
        }
    }

    /// The media type (`image/png`).
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Ico => "image/vnd.microsoft.icon",
            ImageFormat::Avif => "image/avif",
            ImageFormat::Svg => "image/svg+xml",
        }
    }

    /// The usual file extension (`jpg` for JPEG).
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            other => other.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_credits_round_trip_through_their_one_string_form() {
        for text in [
            "local",
            "codex",
            "manual",
            "images",
            "responses",
            "gateway.acme",
            "gateway",
            "gateway.",
            "weird",
        ] {
            let route: Route = text.parse().unwrap();
            assert_eq!(route.to_string(), text);
            let json = serde_json::to_string(&route).unwrap();
            assert_eq!(serde_json::from_str::<Route>(&json).unwrap(), route);
        }
        for text in [
            "none",
            "codex-credits",
            "openai-api",
            "provider:acme",
            "provider:",
            "cash",
        ] {
            let credit: Credit = text.parse().unwrap();
            assert_eq!(credit.to_string(), text);
        }
        assert_eq!(
            "gateway".parse::<Route>().unwrap(),
            Route::Unknown("gateway".into())
        );
        assert_eq!("weird".parse::<Route>().unwrap().credit(), None);
    }

    #[test]
    fn each_route_bills_its_own_credit_source() {
        let credit = |s: &str| s.parse::<Route>().unwrap().credit().unwrap().to_string();
        assert_eq!(credit("codex"), "codex-credits");
        assert_eq!(credit("images"), "openai-api");
        assert_eq!(credit("responses"), "openai-api");
        assert_eq!(credit("gateway.acme"), "provider:acme");
        assert_eq!(credit("manual"), "none");
        assert_eq!(credit("local"), "none");
        assert!(!Credit::CodexCredits.is_priced_in_usd());
        assert!(Credit::Provider("acme".into()).is_priced_in_usd());
    }
}

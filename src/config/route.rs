//! Routes: `[routes.NAME]` tables, the built-in routes, and how each is
//! validated (a gateway's provider, the credit source it must bill, its price
//! table). A route option is declared once, in [`route_tables!`]: the raw
//! table, the loaded route and the copy between them follow from it.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{RawConfig, Validator};
use crate::choice_enum;
use crate::error::Result;
use crate::recorded::{Credit, Route};

choice_enum! {
    /// How a route makes (or obtains) an image.
    pub enum RouteType: "route type" {
        Local = "local",
        Codex = "codex",
        Manual = "manual",
        Images = "images",
        Responses = "responses",
        Gateway = "gateway",
    }
}

impl RouteType {
    /// Whether the route calls a paid network API.
    pub fn is_api(self) -> bool {
        matches!(
            self,
            RouteType::Images | RouteType::Responses | RouteType::Gateway
        )
    }
}

/// Declares the options a `[routes.NAME]` table passes through unchanged:
/// each becomes a field of the table as read and of [`RouteConfig`].
macro_rules! route_tables {
    ($( $(#[doc = $doc:literal])* $field:ident: $ty:ty ),* $(,)?) => {
        /// One named route from `[routes.NAME]`.
        #[derive(Debug, Clone, PartialEq)]
        pub struct RouteConfig {
            /// The key under `[routes]`, e.g. `openai` or `gateway.acme`.
            pub name: String,
            /// What kind of route it is.
            pub route_type: RouteType,
            /// The credit source it bills.
            pub credit: Credit,
            /// Name of the price table in `[pricing]`.
            pub pricing: Option<String>,
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        /// A `[routes.NAME]` table as written.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct RawRoute {
            #[serde(rename = "type")]
            route_type: Spanned<String>,
            credit: Option<Spanned<String>>,
            pricing: Option<Spanned<String>>,
            $( #[serde(default)] $field: $ty, )*
        }

        impl RouteConfig {
            fn from_raw(name: &str, route_type: RouteType, credit: Credit, raw: &RawRoute) -> Self {
                RouteConfig {
                    name: name.to_owned(),
                    route_type,
                    credit,
                    pricing: raw.pricing.as_ref().map(|p| p.get_ref().clone()),
                    $( $field: raw.$field.clone(), )*
                }
            }

            fn builtin(name: &str, route_type: RouteType) -> Self {
                RouteConfig {
                    name: name.to_owned(),
                    route_type,
                    credit: Route::new(route_type, name).credit().unwrap_or_default(),
                    pricing: None,
                    $( $field: Default::default(), )*
                }
            }
        }
    };
}

route_tables! {
    /// Image model.
    model: Option<String>,
    /// Text model (responses route).
    text_model: Option<String>,
    /// API base URL.
    base_url: Option<String>,
    /// Environment variable that holds the API key.
    api_key_env: Option<String>,
    /// Gateway provider name (for gateways, settled from the route name
    /// `gateway.NAME` when not given).
    provider: Option<String>,
    /// Gateway channel or deployment.
    channel: Option<String>,
    /// OpenAI organization id (else `OPENAI_ORG_ID`).
    organization: Option<String>,
    /// OpenAI project id (else `OPENAI_PROJECT_ID`).
    project: Option<String>,
    /// Extra headers sent on every request of this route.
    headers: BTreeMap<String, String>,
    /// Retries after the first attempt (default 2).
    max_retries: Option<u32>,
    /// Per-request timeout in seconds (default 600).
    timeout_secs: Option<u64>,
}

impl RouteConfig {
    /// The route's own name, recorded as `route_name` when it differs from
    /// the route it records (two gateways of one provider stay apart).
    pub fn recorded_name(&self) -> Option<String> {
        (self.name != self.manifest_route().to_string()).then(|| self.name.clone())
    }

    /// The route as recorded in `assets.lock`: the route type, or
    /// `gateway.<provider>` for gateways.
    pub fn manifest_route(&self) -> Route {
        Route::new(
            self.route_type,
            self.provider.as_deref().unwrap_or(&self.name),
        )
    }
}

impl Validator<'_> {
    pub(super) fn known_route(
        &self,
        name: &Spanned<String>,
        routes: &BTreeMap<String, RouteConfig>,
    ) -> Result<()> {
        if routes.contains_key(name.get_ref()) {
            return Ok(());
        }
        let known = routes.keys().cloned().collect::<Vec<_>>().join(", ");
        Err(self.error(
            name,
            format!("unknown route {:?} (known: {known})", name.get_ref()),
        ))
    }

    pub(super) fn routes(&self, raw: &RawConfig) -> Result<BTreeMap<String, RouteConfig>> {
        let mut routes = BTreeMap::new();
        for (name, route_type) in [
            ("local", RouteType::Local),
            ("codex", RouteType::Codex),
            ("manual", RouteType::Manual),
        ] {
            routes.insert(name.to_owned(), RouteConfig::builtin(name, route_type));
        }
        for (name, spanned) in &raw.routes {
            let route = spanned.get_ref();
            let route_type: RouteType = self.choice(&route.route_type)?;
            let provider = match route_type {
                RouteType::Gateway => Some(
                    route
                        .provider
                        .clone()
                        .or_else(|| match Route::from(name.as_str()) {
                            Route::Gateway(provider) => Some(provider),
                            _ => None,
                        })
                        .ok_or_else(|| {
                            self.error(
                                spanned,
                                format!(
                                    "gateway route {name:?} needs a provider: add provider = \"NAME\" or name the route \"gateway.NAME\""
                                ),
                            )
                        })?,
                ),
                _ => route.provider.clone(),
            };
            let expected = Route::new(route_type, provider.as_deref().unwrap_or("?"))
                .credit()
                .unwrap_or_default();
            let credit = match &route.credit {
                Some(credit) if *credit.get_ref() != expected.to_string() => {
                    return Err(self.error(
                        credit,
                        format!(
                            "route {name:?} of type {route_type} bills \"{expected}\", not {:?} (credit sources are never mixed)",
                            credit.get_ref()
                        ),
                    ));
                }
                _ => expected,
            };
            if let Some(table) = &route.pricing
                && !raw.pricing.contains_key(table.get_ref())
            {
                let known = raw.pricing.keys().cloned().collect::<Vec<_>>().join(", ");
                return Err(self.error(
                    table,
                    format!(
                        "unknown price table {:?} (known: {known}); add [pricing.\"{}\"]",
                        table.get_ref(),
                        table.get_ref()
                    ),
                ));
            }
            let mut config = RouteConfig::from_raw(name, route_type, credit, route);
            config.provider = provider;
            routes.insert(name.clone(), config);
        }
        Ok(routes)
    }
}

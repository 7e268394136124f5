//! Price tables (`[pricing.NAME]`): USD rates a route's estimates use.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::Validator;
use crate::error::Result;

/// A price table, USD. Token rates are per one million tokens.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    /// Where the prices come from (recorded beside every estimate).
    pub source: Option<String>,
    /// Text input tokens.
    pub text_input: Option<f64>,
    /// Cached text input tokens.
    pub text_input_cached: Option<f64>,
    /// Image input tokens.
    pub image_input: Option<f64>,
    /// Cached image input tokens.
    pub image_input_cached: Option<f64>,
    /// Image output tokens.
    pub image_output: Option<f64>,
    /// Text output tokens (a text model's table, for the responses route).
    pub text_output: Option<f64>,
    /// Per-image estimates: quality → size → USD.
    #[serde(default)]
    pub per_image: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Validator<'_> {
    pub(super) fn price_table(&self, table: &Spanned<PriceTable>) -> Result<PriceTable> {
        let t = table.get_ref();
        let rates = [
            t.text_input,
            t.text_input_cached,
            t.image_input,
            t.image_input_cached,
            t.image_output,
            t.text_output,
        ];
        let per_image = t
            .per_image
            .values()
            .flat_map(|sizes| sizes.values().copied());
        if rates
            .into_iter()
            .flatten()
            .chain(per_image)
            .any(|price| !price.is_finite() || price < 0.0)
        {
            return Err(self.error(table, "prices must be finite and not negative"));
        }
        Ok(t.clone())
    }
}

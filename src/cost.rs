//! Cost estimates, kept per credit source: usage tokens × the route's per-token
//! prices when the API reports usage, else the per-image table by quality and
//! size. Every estimate names the table it came from.

use crate::config::PriceTable;
use crate::manifest::Usage;

/// What a record's estimate is, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    /// USD, rounded to a millionth of a dollar.
    pub usd: Option<f64>,
    /// The tables used (`gpt-image-2`, `gpt-image-2 + gpt-5.5`).
    pub table: Option<String>,
    /// Where their prices come from.
    pub source: Option<String>,
    /// Why there is no estimate, or what it leaves out.
    pub note: Option<String>,
}

/// The text model's tokens of a Responses call at its own rates: input at
/// `text_input`, output at `text_output`.
pub fn text_tokens(table: &PriceTable, usage: &Usage) -> Option<f64> {
    let input = usage.input_tokens? as f64 * table.text_input? / 1_000_000.0;
    let output = usage.output_tokens? as f64 * table.text_output? / 1_000_000.0;
    Some(round(input + output))
}

fn round(usd: f64) -> f64 {
    (usd * 1_000_000.0).round() / 1_000_000.0
}

/// USD for one image, rounded to a millionth of a dollar.
pub fn estimate(
    table: &PriceTable,
    usage: Option<&Usage>,
    quality: &str,
    size: &str,
) -> Option<f64> {
    let per_million = |tokens: Option<u64>, price: Option<f64>| -> Option<f64> {
        Some(tokens? as f64 * price? / 1_000_000.0)
    };
    let from_tokens = usage.and_then(|u| {
        let output = per_million(u.output_tokens, table.image_output)?;
        let input = match (u.input_text_tokens, u.input_image_tokens) {
            (None, None) => per_million(u.input_tokens, table.text_input).unwrap_or(0.0),
            (text, image) => {
                per_million(text, table.text_input).unwrap_or(0.0)
                    + per_million(image, table.image_input).unwrap_or(0.0)
            }
        };
        Some(input + output)
    });
    let from_table = || {
        table
            .per_image
            .get(quality)
            .and_then(|sizes| sizes.get(size))
            .copied()
    };
    from_tokens.or_else(from_table).map(round)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn table() -> PriceTable {
        PriceTable {
            source: Some("test".into()),
            text_input: Some(5.0),
            text_input_cached: None,
            image_input: Some(8.0),
            image_input_cached: None,
            image_output: Some(30.0),
            text_output: None,
            per_image: BTreeMap::from([(
                "high".into(),
                BTreeMap::from([("1024x1024".into(), 0.211)]),
            )]),
        }
    }

    #[test]
    fn tokens_first_then_the_per_image_table() {
        let usage = Usage {
            input_tokens: Some(50),
            input_text_tokens: Some(10),
            input_image_tokens: Some(40),
            output_tokens: Some(7024),
            total_tokens: Some(7074),
        };
        // 10×5 + 40×8 + 7024×30 per million.
        assert_eq!(
            estimate(&table(), Some(&usage), "high", "1024x1024"),
            Some(0.21109)
        );
        assert_eq!(estimate(&table(), None, "high", "1024x1024"), Some(0.211));
        assert_eq!(estimate(&table(), None, "low", "1024x1024"), None);
    }
}

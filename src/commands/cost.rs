//! `assetrail cost`: estimated spend from `assets.lock`, per credit source.
//! Totals are kept per source and never summed across them: Codex plan
//! credits, OpenAI API dollars and a gateway's prices are different bills.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::choice_enum;
use crate::error::{Error, Result};
use crate::output::{Paint, Report, Style};
use crate::recorded::Credit;
use crate::workspace::Workspace;

choice_enum! {
    /// What to break each credit source down by.
    pub enum CostBy: "grouping" {
        Credit = "credit",
        Route = "route",
        Model = "model",
        Kind = "kind",
        /// The month the asset was recorded (`2026-11`).
        Month = "month",
    }
}

/// A price table the estimates used.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PriceTableUse {
    /// The table's name (`[pricing.NAME]` or the shipped table).
    pub name: String,
    /// Where its prices come from, and when.
    pub source: Option<String>,
    /// Assets priced with it.
    pub assets: usize,
}

/// One line of the report.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CostGroup {
    /// Credit source.
    pub credit: Credit,
    /// The value grouped by (equal to `credit` with `--by credit`).
    pub group: String,
    /// Assets in the group.
    pub assets: usize,
    /// Sum of the estimates, USD; `null` when none of the group's assets is
    /// priced in USD (Codex credits, hand-made files, unpriced gateways).
    pub cost_estimate_usd: Option<f64>,
    /// Assets without an estimate (no usage and no price table, or not billed in USD).
    pub unpriced: usize,
}

/// Spend per credit source.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CostReport {
    /// The grouping.
    pub by: CostBy,
    /// Groups, by credit source then group.
    pub groups: Vec<CostGroup>,
    /// Totals per credit source (never across sources).
    pub per_credit: BTreeMap<Credit, f64>,
    /// Only assets recorded on or after this date (`--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// The price tables behind the estimates.
    pub price_tables: Vec<PriceTableUse>,
}

impl Report for CostReport {
    fn write_text(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        let header = format!(
            "{:<20} {:<24} {:>7} {:>14} {:>9}",
            "credit",
            self.by.as_str(),
            "assets",
            "estimate USD",
            "unpriced"
        );
        writeln!(out, "{}", style.paint(Paint::Bold, &header))?;
        for g in &self.groups {
            let usd = g
                .cost_estimate_usd
                .map_or_else(|| "not in USD".to_owned(), |usd| format!("{usd:.4}"));
            writeln!(
                out,
                "{:<20} {:<24} {:>7} {:>14} {:>9}",
                g.credit, g.group, g.assets, usd, g.unpriced
            )?;
        }
        for (credit, total) in &self.per_credit {
            writeln!(out, "total {credit}: {total:.4} USD (estimated)")?;
        }
        for table in &self.price_tables {
            writeln!(
                out,
                "{} {} ({}), {} asset{}",
                style.paint(Paint::Dim, "prices:"),
                table.name,
                table.source.as_deref().unwrap_or("no source recorded"),
                table.assets,
                if table.assets == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

/// Runs `cost`: every entry, or those recorded on or after `since` (`YYYY-MM-DD`).
pub fn run(ws: &Workspace, by: CostBy, since: Option<&str>) -> Result<CostReport> {
    if let Some(date) = since
        && date.parse::<jiff::civil::Date>().is_err()
    {
        return Err(Error::usage(
            format!("--since {date:?} is not a date"),
            "give it as YYYY-MM-DD, e.g. --since 2026-11-01",
        ));
    }
    let manifest = ws.load_manifest()?;
    let mut tables: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
    let mut groups: BTreeMap<(Credit, String), CostGroup> = BTreeMap::new();
    let mut per_credit: BTreeMap<Credit, f64> = BTreeMap::new();
    // created_at is RFC 3339 UTC: its date prefix compares as text.
    let entries = manifest
        .assets
        .iter()
        .filter(|e| since.is_none_or(|date| e.created_at.get(..10).unwrap_or("") >= date));
    for entry in entries {
        if let Some(table) = &entry.price_table {
            *tables
                .entry((table.clone(), entry.price_source.clone()))
                .or_default() += 1;
        }
        let group = match by {
            CostBy::Credit => entry.credit.to_string(),
            // The route's own name: two gateways of one provider stay apart.
            CostBy::Route => entry
                .route_name
                .clone()
                .unwrap_or_else(|| entry.route.to_string()),
            CostBy::Model => entry.model.clone().unwrap_or_else(|| "-".into()),
            CostBy::Kind => entry.kind.map_or_else(|| "-".into(), |k| k.to_string()),
            CostBy::Month => entry.created_at.get(..7).unwrap_or("-").to_owned(),
        };
        let line = groups
            .entry((entry.credit.clone(), group.clone()))
            .or_insert_with(|| CostGroup {
                credit: entry.credit.clone(),
                group,
                assets: 0,
                cost_estimate_usd: None,
                unpriced: 0,
            });
        line.assets += 1;
        match entry.cost_estimate_usd {
            Some(usd) => {
                *line.cost_estimate_usd.get_or_insert(0.0) += usd;
                *per_credit.entry(entry.credit.clone()).or_default() += usd;
            }
            None if entry.credit != Credit::None => line.unpriced += 1,
            None => {}
        }
    }
    let round = |v: f64| (v * 1_000_000.0).round() / 1_000_000.0;
    let groups = groups
        .into_values()
        .map(|mut g| {
            g.cost_estimate_usd = g.cost_estimate_usd.map(round);
            g
        })
        .collect();
    Ok(CostReport {
        by,
        groups,
        per_credit: per_credit.into_iter().map(|(k, v)| (k, round(v))).collect(),
        since: since.map(str::to_owned),
        price_tables: tables
            .into_iter()
            .map(|((name, source), assets)| PriceTableUse {
                name,
                source,
                assets,
            })
            .collect(),
    })
}

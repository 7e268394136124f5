//! `assetrail cost`: estimated spend from `assets.lock`, per credit source.
//! Totals are kept per source and never summed across them: Codex plan
//! credits, OpenAI API dollars and a gateway's prices are different bills.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::choice_enum;
use crate::error::Result;
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
    }
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
        Ok(())
    }
}

/// Runs `cost`.
pub fn run(ws: &Workspace, by: CostBy) -> Result<CostReport> {
    let manifest = ws.load_manifest()?;
    let mut groups: BTreeMap<(Credit, String), CostGroup> = BTreeMap::new();
    let mut per_credit: BTreeMap<Credit, f64> = BTreeMap::new();
    for entry in &manifest.assets {
        let group = match by {
            CostBy::Credit => entry.credit.to_string(),
            // The route's own name: two gateways of one provider stay apart.
            CostBy::Route => entry
                .route_name
                .clone()
                .unwrap_or_else(|| entry.route.to_string()),
            CostBy::Model => entry.model.clone().unwrap_or_else(|| "-".into()),
            CostBy::Kind => entry.kind.map_or_else(|| "-".into(), |k| k.to_string()),
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
    })
}

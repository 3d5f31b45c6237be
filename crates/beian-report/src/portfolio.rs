//! The portfolio overview: sites, domain expiries and findings across the inventory, and the
//! aggregates the HTML charts and the XLSX summary show.

use std::collections::BTreeMap;

use beian_core::finding::Severity;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use crate::findings::FindingRow;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioReport {
    pub title: String,
    pub generated_at: DateTime<Utc>,
    /// Beijing date the expiry months count from.
    pub today: NaiveDate,
    pub sites: Vec<PortfolioSite>,
    pub domains: Vec<PortfolioDomain>,
    /// The findings to show and count (the CLI passes the unresolved ones).
    pub findings: Vec<FindingRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioSite {
    pub name: String,
    pub home_url: String,
    pub subject: String,
    /// `运行中` / `已关闭`.
    pub status: String,
    pub filings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioDomain {
    /// Unicode form for display.
    pub name: String,
    /// The site it serves, by name.
    pub site: String,
    pub expires_on: Option<NaiveDate>,
}

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub label: String,
    pub value: usize,
}

impl PortfolioReport {
    /// Domains expiring in each of the 12 months starting with `today`'s month (the first
    /// bar counts from today, so already-expired names are not in it; see [`Self::expired`]).
    pub fn expiries_by_month(&self) -> Vec<Count> {
        let mut months: Vec<(i32, u32)> = Vec::with_capacity(12);
        let (mut year, mut month) = (self.today.year(), self.today.month());
        for _ in 0..12 {
            months.push((year, month));
            (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
        }
        months
            .iter()
            .map(|(year, month)| Count {
                label: format!("{year}-{month:02}"),
                value: self
                    .domains
                    .iter()
                    .filter_map(|d| d.expires_on)
                    .filter(|day| {
                        *day >= self.today && day.year() == *year && day.month() == *month
                    })
                    .count(),
            })
            .collect()
    }

    /// Domains whose recorded expiry date has passed.
    pub fn expired(&self) -> Vec<&PortfolioDomain> {
        self.domains
            .iter()
            .filter(|d| d.expires_on.is_some_and(|day| day < self.today))
            .collect()
    }

    /// Domains expiring within `days` from today (expired ones excluded), soonest first.
    pub fn expiring_within(&self, days: i64) -> Vec<&PortfolioDomain> {
        let mut list: Vec<&PortfolioDomain> = self
            .domains
            .iter()
            .filter(|d| {
                d.expires_on.is_some_and(|day| {
                    let left = (day - self.today).num_days();
                    (0..=days).contains(&left)
                })
            })
            .collect();
        list.sort_by_key(|d| d.expires_on);
        list
    }

    /// Findings per severity, most severe first; every severity appears.
    pub fn findings_by_severity(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .rev()
            .map(|severity| {
                (
                    *severity,
                    self.findings
                        .iter()
                        .filter(|f| f.severity == *severity)
                        .count(),
                )
            })
            .collect()
    }

    /// Findings per rule id, most frequent first, then by id.
    pub fn findings_by_rule(&self) -> Vec<Count> {
        findings_by_rule(&self.findings)
    }
}

/// Findings per rule id, most frequent first, then by id.
pub fn findings_by_rule(findings: &[FindingRow]) -> Vec<Count> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        *counts.entry(finding.rule_id.as_str()).or_default() += 1;
    }
    let mut list: Vec<Count> = counts
        .into_iter()
        .map(|(label, value)| Count {
            label: label.to_owned(),
            value,
        })
        .collect();
    list.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
    list
}

//! Findings: what the rules conclude about a site, as drafts (one judgement) and as stored
//! records (with first seen / last seen, resolution and suppression).
//!
//! A finding is identified by `(site_id, rule_id, key)`: the key tells apart several findings
//! of one rule on one site (one per domain, one per filing number). Judging the same
//! evidence twice gives the same drafts, which is what makes a rerun of an interrupted scan
//! produce the same findings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::RecordId;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Low => "低",
            Severity::Medium => "中",
            Severity::High => "高",
            Severity::Critical => "严重",
        }
    }

    /// English or Chinese names, any case.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "info" | "提示" => Some(Severity::Info),
            "low" | "低" => Some(Severity::Low),
            "medium" | "中" => Some(Severity::Medium),
            "high" | "高" => Some(Severity::High),
            "critical" | "严重" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One judgement of one rule on one site: what the rules return, before the store merges it
/// with what it already holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingDraft {
    /// The rule's id in the catalogue, e.g. `domain.expired_filing_active`.
    pub rule_id: String,
    pub site_id: RecordId,
    /// Tells apart several findings of one rule on one site: the domain name, the filing
    /// number, or `""` when the rule can fire once per site.
    pub key: String,
    /// After configuration overrides.
    pub severity: Severity,
    /// The explanation built from the evidence, in both languages.
    pub explanation_zh: String,
    pub explanation_en: String,
    /// The facts the explanation rests on (snippets, dates, numbers), as JSON.
    pub evidence: serde_json::Value,
}

impl FindingDraft {
    /// The identity the store deduplicates on.
    pub fn identity(&self) -> (RecordId, &str, &str) {
        (self.site_id, &self.rule_id, &self.key)
    }
}

/// Where a stored finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    /// The condition held at the last scan.
    Open,
    /// A person has seen it; still open.
    Acknowledged,
    /// Hidden until `suppressed_until`, with a reason; still evaluated.
    Suppressed,
    /// The condition cleared at a later scan.
    Resolved,
}

impl FindingState {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::Open => "open",
            FindingState::Acknowledged => "acknowledged",
            FindingState::Suppressed => "suppressed",
            FindingState::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<FindingState> {
        match text.trim() {
            "open" => Some(FindingState::Open),
            "acknowledged" => Some(FindingState::Acknowledged),
            "suppressed" => Some(FindingState::Suppressed),
            "resolved" => Some(FindingState::Resolved),
            _ => None,
        }
    }
}

/// A stored finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: RecordId,
    pub rule_id: String,
    pub site_id: RecordId,
    pub key: String,
    pub severity: Severity,
    pub state: FindingState,
    pub explanation_zh: String,
    pub explanation_en: String,
    pub evidence: serde_json::Value,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub suppression: Option<Suppression>,
}

impl Finding {
    /// The draft a rule would write for this finding as it stands: how a scan keeps a
    /// finding it did not look at (a check that did not run, evidence that is unknown).
    pub fn as_draft(&self) -> FindingDraft {
        FindingDraft {
            rule_id: self.rule_id.clone(),
            site_id: self.site_id,
            key: self.key.clone(),
            severity: self.severity,
            explanation_zh: self.explanation_zh.clone(),
            explanation_en: self.explanation_en.clone(),
            evidence: self.evidence.clone(),
        }
    }
}

/// Why and until when a finding is hidden. A suppression without both is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub reason: String,
    pub until: DateTime<Utc>,
    pub by: String,
    pub at: DateTime<Utc>,
}

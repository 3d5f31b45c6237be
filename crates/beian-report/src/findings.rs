//! A finding as the documents show it: the stored finding plus the names a reader needs
//! (the site, the rule's title), shared by the evidence report, the XLSX sheet and the
//! HTML portfolio report.

use beian_core::finding::{Finding, FindingState, Severity};
use beian_core::model::RecordId;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRow {
    pub id: RecordId,
    pub site_id: RecordId,
    /// The site's name or home URL.
    pub site: String,
    pub rule_id: String,
    /// The rule's Chinese title, or the rule id when the catalogue does not know it.
    pub title: String,
    pub severity: Severity,
    pub state: FindingState,
    /// The domain, host or number the finding is about (`""` for site-wide rules).
    pub key: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub explanation: String,
    /// Why and until when it is suppressed, as one line.
    pub suppression: Option<String>,
}

impl FindingRow {
    pub fn new(finding: &Finding, site: impl Into<String>, title: Option<&str>) -> FindingRow {
        FindingRow {
            id: finding.id,
            site_id: finding.site_id,
            site: site.into(),
            rule_id: finding.rule_id.clone(),
            title: title.map_or_else(|| finding.rule_id.clone(), str::to_owned),
            severity: finding.severity,
            state: finding.state,
            key: finding.key.clone(),
            first_seen: finding.first_seen,
            last_seen: finding.last_seen,
            resolved_at: finding.resolved_at,
            explanation: finding.explanation_zh.clone(),
            suppression: finding.suppression.as_ref().map(|s| {
                format!(
                    "{}（至 {}，{}）",
                    s.reason,
                    s.until.format("%Y-%m-%d"),
                    s.by
                )
            }),
        }
    }

    /// Still needs attention: not resolved.
    pub fn is_unresolved(&self) -> bool {
        self.state != FindingState::Resolved
    }
}

/// `未处理`, `已确认`, `已屏蔽`, `已解决`.
pub fn state_label_zh(state: FindingState) -> &'static str {
    match state {
        FindingState::Open => "未处理",
        FindingState::Acknowledged => "已确认",
        FindingState::Suppressed => "已屏蔽",
        FindingState::Resolved => "已解决",
    }
}

/// Severity as `严重 critical`.
pub fn severity_label(severity: Severity) -> String {
    format!("{} {}", severity.label_zh(), severity.as_str())
}

/// Colours for charts and badges, from calm to alarming.
pub fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "#6b7280",
        Severity::Low => "#2563eb",
        Severity::Medium => "#d97706",
        Severity::High => "#dc2626",
        Severity::Critical => "#7f1d1d",
    }
}

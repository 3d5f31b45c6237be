//! What happened, as the notification layer sees it: one event per finding transition,
//! carrying every fact a message needs so this crate never reads the store.

use std::sync::atomic::{AtomicI64, Ordering};

use beian_core::finding::Severity;
use beian_core::model::RecordId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why an event was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The finding is open (new, or still open: callers may re-send the state of every
    /// open finding after each scan; the sent log makes that idempotent).
    Opened,
    /// The finding is still open but something the owner should hear about changed
    /// (usually its severity).
    Changed,
    /// The condition cleared.
    Resolved,
    /// An expiry rule (`domain.expiring`, `tls.expiring`): `days_left` until the date, zero
    /// on the day, negative after it. Each channel maps it onto its own thresholds.
    Threshold { days_left: i64 },
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Changed => "changed",
            EventKind::Resolved => "resolved",
            EventKind::Threshold { .. } => "threshold",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            EventKind::Opened => "新问题",
            EventKind::Changed => "问题变化",
            EventKind::Resolved => "已恢复",
            EventKind::Threshold { .. } => "到期提醒",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            EventKind::Opened => "New finding",
            EventKind::Changed => "Finding changed",
            EventKind::Resolved => "Resolved",
            EventKind::Threshold { .. } => "Expiry reminder",
        }
    }
}

/// One finding transition with the facts every message names: site, domain, filing
/// number, rule, severity and a link to the finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationEvent {
    pub kind: EventKind,
    pub site_name: String,
    pub site_url: String,
    /// Groups / tags of the site (an agency's client, a department); routing matches them.
    pub groups: Vec<String>,
    pub domain: String,
    /// The filing number in its canonical form; empty when the site has none on record.
    pub filing_number: String,
    pub rule_id: String,
    pub rule_title_zh: String,
    pub rule_title_en: String,
    pub severity: Severity,
    /// Built from evidence: may quote attacker-controlled text (page titles, redirect
    /// targets), so every renderer treats it as untrusted.
    pub explanation_zh: String,
    pub finding_id: RecordId,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// Where "now" comes from: signatures carry a timestamp, and tests pin it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it was told (tests, replaying a day).
#[derive(Debug)]
pub struct FixedClock {
    millis: AtomicI64,
}

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> FixedClock {
        FixedClock {
            millis: AtomicI64::new(at.timestamp_millis()),
        }
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.millis.store(at.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.millis.load(Ordering::SeqCst))
            .unwrap_or(DateTime::UNIX_EPOCH)
    }
}

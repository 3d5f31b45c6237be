//! What the scheduler and its scans tell a metrics registry. The engine does not know
//! where the figures go: `beian serve` hands it the web server's registry (beian-web sits
//! left of the engine and may not depend on it), a bare worker hands it nothing.

use chrono::{DateTime, Utc};

use crate::checks::ScheduledCheck;

/// How a scheduled scan round ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanOutcome {
    /// Every claimed site was recorded.
    Completed,
    /// The round broke off (store or setup failure); its sites were given back.
    Failed,
}

impl ScanOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanOutcome::Completed => "completed",
            ScanOutcome::Failed => "failed",
        }
    }
}

/// Receives the scheduler's figures. Calls come from the scheduler's task.
pub trait ScanMetrics: Send + Sync {
    /// One probe of a site took `elapsed_ms`.
    fn probe_latency(&self, check: ScheduledCheck, elapsed_ms: u64);
    /// A scheduled scan ran to `outcome`.
    fn scan_finished(&self, outcome: ScanOutcome);
    /// A scheduler round ended at `at`.
    fn tick(&self, at: DateTime<Utc>);
}

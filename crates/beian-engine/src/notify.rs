//! Notifications after a scan: the scanned sites' findings become
//! [`NotificationEvent`]s, are routed by [`beian_notify::Router`] against the store's
//! notification log, sent by [`beian_notify::Sender`], and the plan is committed back to
//! the store together with one `notify.send` audit entry per delivery.
//!
//! Every unresolved finding of a scanned site is passed after each scan, not only the new
//! ones: the router dedupes against what each channel was last told, so this is idempotent,
//! a severity change is announced as a change, and a delivery that failed last time is tried
//! again. Findings resolved by this scan are passed as resolutions (the router drops those a
//! channel never heard of). Suppressed findings are not announced.

use std::collections::HashMap;
use std::sync::Arc;

use beian_core::finding::{Finding, FindingState};
use beian_core::identifier::{ValidationContext, validate_domain};
use beian_core::model::{RecordId, Website};
use beian_core::rules::RuleCatalogue;
use beian_notify::{
    DeliveryOutcome, DeliveryStatus, EventKind, LogEntry, MemorySentLog, Message,
    NotificationEvent, NotifySettings, NotifySetupError, Router, Sender, SentLog, SentMark,
    SystemClock,
};
use beian_store::{FindingQuery, NotifyAudit, NotifyMark, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::error::EngineError;
use crate::portfolio::Portfolio;
use crate::scan::{ScanResult, SiteReport};

/// How the notifications of one scan went.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NotifyReport {
    pub delivered: usize,
    pub failed: usize,
    /// One line per failed delivery: the channel and the notifier's (scrubbed) reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
}

impl NotifyReport {
    /// Tallies one delivery's outcome.
    fn count(&mut self, delivery: &beian_notify::Delivery, outcome: &DeliveryOutcome) {
        match &outcome.status {
            DeliveryStatus::Delivered => self.delivered += 1,
            DeliveryStatus::Failed { failure } => {
                self.failed += 1;
                self.failures
                    .push(format!("{}: {failure}", delivery.channel));
            }
        }
    }
}

/// Routes and sends the notifications of scans over one configuration.
#[derive(Debug, Clone)]
pub struct Notifier {
    router: Router,
    sender: Sender,
    validation: ValidationContext,
    /// Whether any enabled channel takes the daily digest.
    digest: bool,
}

impl Notifier {
    pub fn new(
        settings: Arc<NotifySettings>,
        validation: ValidationContext,
    ) -> Result<Notifier, NotifySetupError> {
        let digest = settings
            .channels
            .iter()
            .any(|channel| channel.enabled && channel.routing.mode.digest());
        Ok(Notifier {
            digest,
            router: Router::new(Arc::clone(&settings)),
            sender: Sender::new(settings, Arc::new(SystemClock))?,
            validation,
        })
    }

    /// Announces what `result` found, dedupes through the store's log, and records what was
    /// delivered (and audits every delivery) in one transaction.
    pub async fn after_scan<S: Store>(
        &self,
        store: &S,
        actor: &str,
        result: &ScanResult,
    ) -> Result<NotifyReport, EngineError> {
        // Only the scanned sites' records: a scheduler batch costs the same at any size.
        let ids: Vec<RecordId> = result.sites.iter().map(|report| report.site_id).collect();
        let portfolio = Portfolio::load_sites(store, &ids).await?;
        let mut events = Vec::new();
        for report in result.sites.iter().filter(|report| report.failed.is_none()) {
            let Some(site) = portfolio.website(report.site_id) else {
                continue;
            };
            events.extend(self.site_events(store, &portfolio, site, report).await?);
        }
        if events.is_empty() {
            return Ok(NotifyReport::default());
        }
        let ids: Vec<RecordId> = events.iter().map(|event| event.finding_id).collect();
        let log = StoreSentLog::load(store, &ids).await?;
        let plan = self.router.route(&events, &log);
        self.deliver(store, actor, plan, log).await
    }

    /// Whether any enabled channel takes the daily digest (else there is nothing to claim).
    pub fn takes_digest(&self) -> bool {
        self.digest
    }

    /// The daily digest of `day`: the findings opened or resolved since `since`, to every
    /// channel that takes the digest. The caller makes sure it is sent once (the
    /// scheduler claims the day in the store).
    pub async fn digest<S: Store>(
        &self,
        store: &S,
        day: NaiveDate,
        since: DateTime<Utc>,
    ) -> Result<NotifyReport, EngineError> {
        let findings = store.findings_changed_since(since).await?;
        let mut site_ids: Vec<RecordId> = findings.iter().map(|f| f.site_id).collect();
        site_ids.sort_unstable();
        site_ids.dedup();
        let portfolio = Portfolio::load_sites(store, &site_ids).await?;
        let mut events = Vec::new();
        for finding in &findings {
            let kind = match finding.state {
                FindingState::Open | FindingState::Acknowledged => EventKind::Opened,
                FindingState::Resolved => EventKind::Resolved,
                FindingState::Suppressed => continue,
            };
            if let Some(site) = portfolio.website(finding.site_id) {
                events.push(self.event(&portfolio, site, finding, kind));
            }
        }
        let log = MemorySentLog::new();
        let plan = self.router.digest(day, &events, &log);
        let outcomes = self.sender.send(&plan.deliveries).await;
        let mut report = NotifyReport::default();
        for (delivery, outcome) in plan.deliveries.iter().zip(&outcomes) {
            report.count(delivery, outcome);
        }
        Ok(report)
    }

    /// Sends a routed plan, records what went out in the sent log and audits every
    /// delivery, in one store transaction.
    async fn deliver<S: Store>(
        &self,
        store: &S,
        actor: &str,
        plan: beian_notify::Plan,
        mut log: StoreSentLog,
    ) -> Result<NotifyReport, EngineError> {
        let outcomes = self.sender.send(&plan.deliveries).await;
        plan.commit(&outcomes, &mut log);
        let mut report = NotifyReport::default();
        let mut audits = Vec::new();
        for (delivery, outcome) in plan.deliveries.iter().zip(&outcomes) {
            report.count(delivery, outcome);
            if let Some(audit) = audit_of(&delivery.message, outcome) {
                audits.push(audit);
            }
        }
        store
            .record_notifications(actor, &log.into_marks(), &audits)
            .await?;
        Ok(report)
    }

    /// The events of one scanned site: its unresolved findings, and those this scan
    /// resolved.
    async fn site_events<S: Store>(
        &self,
        store: &S,
        portfolio: &Portfolio,
        site: &Website,
        report: &SiteReport,
    ) -> Result<Vec<NotificationEvent>, EngineError> {
        let findings = store
            .list_findings(&FindingQuery {
                site_id: Some(site.id),
                include_resolved: !report.resolved.is_empty(),
                limit: 0,
                ..FindingQuery::default()
            })
            .await?
            .items;
        let mut events = Vec::new();
        for finding in &findings {
            let kind = match finding.state {
                FindingState::Open | FindingState::Acknowledged => EventKind::Opened,
                FindingState::Suppressed => continue,
                FindingState::Resolved => {
                    let resolved_now = report
                        .resolved
                        .iter()
                        .any(|r| r.rule_id == finding.rule_id && r.key == finding.key);
                    // A key resolved several times over the years: only its latest finding.
                    let latest = !findings.iter().any(|other| {
                        other.rule_id == finding.rule_id
                            && other.key == finding.key
                            && other.id > finding.id
                    });
                    if !(resolved_now && latest) {
                        continue;
                    }
                    EventKind::Resolved
                }
            };
            events.push(self.event(portfolio, site, finding, kind));
        }
        Ok(events)
    }

    fn event(
        &self,
        portfolio: &Portfolio,
        site: &Website,
        finding: &Finding,
        kind: EventKind,
    ) -> NotificationEvent {
        let domains = portfolio.domains(site.id);
        let key_is_domain = domains
            .iter()
            .any(|domain| domain.name.eq_ignore_ascii_case(&finding.key))
            || validate_domain(&finding.key, &self.validation).is_valid();
        let domain = if key_is_domain {
            finding.key.clone()
        } else {
            domains
                .first()
                .map(|domain| domain.name.clone())
                .unwrap_or_default()
        };
        let (filing_number, _) = portfolio.expected_footer(site.id);
        let rule = RuleCatalogue::bundled().get(&finding.rule_id);
        NotificationEvent {
            kind,
            site_name: site.name.clone(),
            site_url: site.home_url.clone(),
            // The subject (an agency's client, a department) is the group routing matches.
            groups: portfolio
                .subject(site.subject_id)
                .map(|subject| vec![subject.name.clone()])
                .unwrap_or_default(),
            domain,
            filing_number: filing_number.unwrap_or_default(),
            rule_id: finding.rule_id.clone(),
            rule_title_zh: rule.map_or_else(|| finding.rule_id.clone(), |r| r.title_zh.clone()),
            rule_title_en: rule.map_or_else(|| finding.rule_id.clone(), |r| r.title_en.clone()),
            severity: finding.severity,
            explanation_zh: finding.explanation_zh.clone(),
            finding_id: finding.id,
            first_seen: finding.first_seen,
            last_seen: finding.last_seen,
        }
    }
}

/// The `notify.send` audit entry of one delivery: channel, outcome and the notifier's
/// failure (already scrubbed of the channel's secrets); never the URL or the body.
fn audit_of(message: &Message, outcome: &DeliveryOutcome) -> Option<NotifyAudit> {
    let Message::Event(event) = message else {
        // Digests are not sent after scans.
        return None;
    };
    let status = match &outcome.status {
        DeliveryStatus::Delivered => serde_json::json!({ "status": "delivered" }),
        DeliveryStatus::Failed { failure } => serde_json::json!({
            "status": "failed",
            "failure": failure,
        }),
    };
    let detail = serde_json::json!({
        "channel": outcome.channel,
        "kind": event.kind.as_str(),
        "severity": event.event.severity,
        "attempts": outcome.attempts,
        "outcome": status,
    });
    Some(NotifyAudit {
        finding_id: event.event.finding_id,
        detail: detail.to_string(),
    })
}

/// The store's log for the findings of one batch, held in memory while routing; what the
/// commit records is kept apart to be written back.
struct StoreSentLog {
    memory: MemorySentLog,
    written: Vec<LogEntry>,
}

impl StoreSentLog {
    async fn load<S: Store>(store: &S, finding_ids: &[RecordId]) -> Result<Self, EngineError> {
        let mut memory = MemorySentLog::new();
        for row in store.notify_marks(finding_ids).await? {
            match serde_json::from_str::<SentMark>(&row.mark) {
                Ok(mark) => memory.record_sent(&row.channel, row.finding_id, mark),
                // A mark from another version: treat it as never sent (at worst one repeat).
                Err(error) => tracing::warn!(
                    channel = %row.channel,
                    finding = row.finding_id,
                    %error,
                    "unreadable notification log entry ignored"
                ),
            }
        }
        Ok(StoreSentLog {
            memory,
            written: Vec::new(),
        })
    }

    fn into_marks(self) -> Vec<NotifyMark> {
        let now = Utc::now();
        // The last write per (channel, finding) wins, as in the table.
        let mut latest: HashMap<(String, RecordId), SentMark> = HashMap::new();
        for entry in self.written {
            if let LogEntry::Finding {
                channel,
                finding_id,
                mark,
            } = entry
            {
                latest.insert((channel, finding_id), mark);
            }
        }
        let mut marks: Vec<NotifyMark> = latest
            .into_iter()
            .map(|((channel, finding_id), mark)| NotifyMark {
                channel,
                finding_id,
                mark: serde_json::to_string(&mark)
                    .expect("a sent mark is plain data and always serialises"),
                sent_at: now,
            })
            .collect();
        marks.sort_by(|a, b| (a.finding_id, &a.channel).cmp(&(b.finding_id, &b.channel)));
        marks
    }
}

impl SentLog for StoreSentLog {
    fn last_sent(&self, channel: &str, finding_id: RecordId) -> Option<SentMark> {
        self.memory.last_sent(channel, finding_id)
    }

    fn record_sent(&mut self, channel: &str, finding_id: RecordId, mark: SentMark) {
        self.memory.record_sent(channel, finding_id, mark);
        self.written.push(LogEntry::Finding {
            channel: channel.to_owned(),
            finding_id,
            mark,
        });
    }

    fn digest_sent(&self, channel: &str, date: NaiveDate) -> bool {
        self.memory.digest_sent(channel, date)
    }

    fn record_digest(&mut self, channel: &str, date: NaiveDate) {
        // Digests are not sent after scans; kept in memory for the batch only.
        self.memory.record_digest(channel, date);
    }
}

//! Who hears what: the pure routing step between events and deliveries.
//!
//! For each event and channel the [`Router`] applies the channel's rules (severities,
//! groups, expiry thresholds, recovery on/off, immediate or digest) and dedupes against the
//! [`SentLog`]: a channel is told about a finding once per (severity, state) — open, past a
//! threshold, resolved — until that changes. The router only reads the log; after sending,
//! [`Plan::commit`] records what was delivered, so a failed delivery is tried again the
//! next time the caller passes the event (callers may pass the current state of every
//! finding after each scan; dedupe makes that idempotent).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use beian_core::finding::Severity;
use beian_core::model::RecordId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::{ChannelSettings, NotifySettings};
use crate::event::{EventKind, NotificationEvent};
use crate::message::{DigestMessage, EventMessage, Message};
use crate::send::DeliveryOutcome;

/// The state a channel was last told a finding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SentState {
    Open,
    /// An expiry reminder for this threshold (days).
    Threshold {
        days: u32,
    },
    Resolved,
}

/// What a channel was last told about a finding: the dedupe key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SentMark {
    pub severity: Severity,
    pub state: SentState,
}

/// What each channel has been told. The in-memory one serves tests and single runs; a
/// store-backed one keeps it across restarts.
pub trait SentLog {
    fn last_sent(&self, channel: &str, finding_id: RecordId) -> Option<SentMark>;
    fn record_sent(&mut self, channel: &str, finding_id: RecordId, mark: SentMark);
    fn digest_sent(&self, channel: &str, date: NaiveDate) -> bool;
    fn record_digest(&mut self, channel: &str, date: NaiveDate);
}

#[derive(Debug, Clone, Default)]
pub struct MemorySentLog {
    findings: HashMap<(String, RecordId), SentMark>,
    digests: HashSet<(String, NaiveDate)>,
}

impl MemorySentLog {
    pub fn new() -> MemorySentLog {
        MemorySentLog::default()
    }
}

impl SentLog for MemorySentLog {
    fn last_sent(&self, channel: &str, finding_id: RecordId) -> Option<SentMark> {
        self.findings
            .get(&(channel.to_owned(), finding_id))
            .copied()
    }

    fn record_sent(&mut self, channel: &str, finding_id: RecordId, mark: SentMark) {
        self.findings.insert((channel.to_owned(), finding_id), mark);
    }

    fn digest_sent(&self, channel: &str, date: NaiveDate) -> bool {
        self.digests.contains(&(channel.to_owned(), date))
    }

    fn record_digest(&mut self, channel: &str, date: NaiveDate) {
        self.digests.insert((channel.to_owned(), date));
    }
}

/// A line to write to the sent log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    Finding {
        channel: String,
        finding_id: RecordId,
        mark: SentMark,
    },
    Digest {
        channel: String,
        date: NaiveDate,
    },
}

impl LogEntry {
    fn write(&self, log: &mut dyn SentLog) {
        match self {
            LogEntry::Finding {
                channel,
                finding_id,
                mark,
            } => log.record_sent(channel, *finding_id, *mark),
            LogEntry::Digest { channel, date } => log.record_digest(channel, *date),
        }
    }
}

/// One message for one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub channel: String,
    pub message: Message,
    /// Written to the sent log once the message is delivered.
    pub log: Vec<LogEntry>,
}

/// What became of one (event, channel) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A delivery was planned.
    Send,
    /// The channel only takes the daily digest.
    LeftForDigest,
    /// The channel was already told this (severity, state).
    Duplicate,
    SeverityFiltered,
    GroupFiltered,
    /// An expiry event not yet past any of the channel's thresholds.
    BeforeThresholds,
    /// Recovery messages are off: the log records the resolution silently.
    RecoveryOff,
    /// A resolution of something the channel was never told about.
    NeverNotified,
    ChannelDisabled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub channel: String,
    pub finding_id: RecordId,
    pub verdict: Verdict,
}

/// What to send, and why everything else is not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub deliveries: Vec<Delivery>,
    pub decisions: Vec<Decision>,
    /// Written to the sent log whatever happens (state a channel need not hear about).
    pub silent: Vec<LogEntry>,
}

impl Plan {
    /// Records the delivered messages (outcomes are matched by position, as
    /// [`crate::Sender::send`] returns them) and the silent entries.
    pub fn commit(&self, outcomes: &[DeliveryOutcome], log: &mut dyn SentLog) {
        for (delivery, outcome) in self.deliveries.iter().zip(outcomes) {
            if outcome.delivered() {
                for entry in &delivery.log {
                    entry.write(log);
                }
            }
        }
        for entry in &self.silent {
            entry.write(log);
        }
    }
}

/// The routing rules of every channel, applied to events.
#[derive(Debug, Clone)]
pub struct Router {
    settings: Arc<NotifySettings>,
}

impl Router {
    pub fn new(settings: Arc<NotifySettings>) -> Router {
        Router { settings }
    }

    /// Immediate messages for `events`, in order. Later events about the same finding in
    /// the same batch are judged against the earlier ones.
    pub fn route(&self, events: &[NotificationEvent], log: &dyn SentLog) -> Plan {
        let mut plan = Plan::default();
        // What this batch has already planned, on top of the log.
        let mut pending: HashMap<(String, RecordId), SentMark> = HashMap::new();
        for event in events {
            for channel in &self.settings.channels {
                let key = (channel.name.clone(), event.finding_id);
                let last = pending
                    .get(&key)
                    .copied()
                    .or_else(|| log.last_sent(&channel.name, event.finding_id));
                let (verdict, outcome) = self.judge(channel, event, last);
                plan.decisions.push(Decision {
                    channel: channel.name.clone(),
                    finding_id: event.finding_id,
                    verdict,
                });
                let Some((mark, message)) = outcome else {
                    continue;
                };
                pending.insert(key, mark);
                let entry = LogEntry::Finding {
                    channel: channel.name.clone(),
                    finding_id: event.finding_id,
                    mark,
                };
                match message {
                    Some(message) => plan.deliveries.push(Delivery {
                        channel: channel.name.clone(),
                        message: Message::Event(message),
                        log: vec![entry],
                    }),
                    None => plan.silent.push(entry),
                }
            }
        }
        plan
    }

    /// The verdict, and the mark to record with the message to send (no message: record
    /// silently).
    fn judge(
        &self,
        channel: &ChannelSettings,
        event: &NotificationEvent,
        last: Option<SentMark>,
    ) -> (Verdict, Option<(SentMark, Option<EventMessage>)>) {
        let rules = &channel.routing;
        if !channel.enabled {
            return (Verdict::ChannelDisabled, None);
        }
        if !rules.matches_groups(&event.groups) {
            return (Verdict::GroupFiltered, None);
        }
        if !rules.mode.immediate() {
            return (Verdict::LeftForDigest, None);
        }
        let (state, threshold) = match event.kind {
            EventKind::Resolved => {
                return match last {
                    None
                    | Some(SentMark {
                        state: SentState::Resolved,
                        ..
                    }) => (Verdict::NeverNotified, None),
                    Some(_) => {
                        let mark = SentMark {
                            severity: event.severity,
                            state: SentState::Resolved,
                        };
                        if rules.recovery {
                            let message = self.message(event, EventKind::Resolved, None, None);
                            (Verdict::Send, Some((mark, Some(message))))
                        } else {
                            (Verdict::RecoveryOff, Some((mark, None)))
                        }
                    }
                };
            }
            EventKind::Threshold { days_left } => match rules.crossed_threshold(days_left) {
                Some(days) => (SentState::Threshold { days }, Some(days)),
                None => return (Verdict::BeforeThresholds, None),
            },
            EventKind::Opened | EventKind::Changed => (SentState::Open, None),
        };
        if !rules.severities.contains(&event.severity) {
            return (Verdict::SeverityFiltered, None);
        }
        let mark = SentMark {
            severity: event.severity,
            state,
        };
        if last == Some(mark) {
            return (Verdict::Duplicate, None);
        }
        // Tell the channel what changed relative to what it heard, not what the caller
        // thinks changed: a channel that heard nothing gets "opened".
        let (kind, previous) = match (event.kind, last) {
            (EventKind::Threshold { .. }, _) => (event.kind, None),
            (_, Some(previous)) if previous.state != SentState::Resolved => (
                EventKind::Changed,
                (previous.severity != event.severity).then_some(previous.severity),
            ),
            _ => (EventKind::Opened, None),
        };
        let message = self.message(event, kind, previous, threshold);
        (Verdict::Send, Some((mark, Some(message))))
    }

    fn message(
        &self,
        event: &NotificationEvent,
        kind: EventKind,
        previous_severity: Option<Severity>,
        threshold: Option<u32>,
    ) -> EventMessage {
        EventMessage {
            kind,
            event: NotificationEvent {
                kind,
                ..event.clone()
            },
            previous_severity,
            threshold,
            finding_url: self.settings.finding_url(event.finding_id),
        }
    }

    /// The daily digest of `date` for every digest channel: `events` are that day's events
    /// (what the caller's store says happened), filtered by each channel's rules, the last
    /// event per finding kept. Channels with nothing to say, or already sent that day's
    /// digest, get nothing.
    pub fn digest(&self, date: NaiveDate, events: &[NotificationEvent], log: &dyn SentLog) -> Plan {
        let mut plan = Plan::default();
        for channel in &self.settings.channels {
            let rules = &channel.routing;
            if !channel.enabled || !rules.mode.digest() || log.digest_sent(&channel.name, date) {
                continue;
            }
            let mut latest: HashMap<RecordId, EventMessage> = HashMap::new();
            for event in events {
                if !rules.matches_groups(&event.groups) {
                    continue;
                }
                let threshold = match event.kind {
                    EventKind::Threshold { days_left } => {
                        match rules.crossed_threshold(days_left) {
                            Some(days) => Some(days),
                            None => continue,
                        }
                    }
                    _ => None,
                };
                let wanted = match event.kind {
                    EventKind::Resolved => {
                        rules.recovery && rules.severities.contains(&event.severity)
                    }
                    _ => rules.severities.contains(&event.severity),
                };
                if wanted {
                    latest.insert(
                        event.finding_id,
                        self.message(event, event.kind, None, threshold),
                    );
                } else {
                    latest.remove(&event.finding_id);
                }
            }
            if latest.is_empty() {
                continue;
            }
            let mut entries: Vec<EventMessage> = latest.into_values().collect();
            entries.sort_by(|a, b| {
                b.event
                    .severity
                    .cmp(&a.event.severity)
                    .then(kind_order(a.kind).cmp(&kind_order(b.kind)))
                    .then(a.event.site_name.cmp(&b.event.site_name))
                    .then(a.event.finding_id.cmp(&b.event.finding_id))
            });
            plan.deliveries.push(Delivery {
                channel: channel.name.clone(),
                message: Message::Digest(DigestMessage {
                    date,
                    entries,
                    findings_url: self
                        .settings
                        .base_url
                        .join("findings")
                        .map(String::from)
                        .unwrap_or_default(),
                }),
                log: vec![LogEntry::Digest {
                    channel: channel.name.clone(),
                    date,
                }],
            });
        }
        plan
    }
}

fn kind_order(kind: EventKind) -> u8 {
    match kind {
        EventKind::Opened => 0,
        EventKind::Changed => 1,
        EventKind::Threshold { .. } => 2,
        EventKind::Resolved => 3,
    }
}

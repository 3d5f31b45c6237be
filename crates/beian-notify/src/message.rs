//! What a channel is told: one event, or a day's digest — laid out once as a [`Document`]
//! (Chinese first, then one English line) that each channel renders in its own format.
//!
//! Every message names the site, the domain, the filing number, the rule, the severity and
//! links to the finding. Values that came from evidence or the inventory are untrusted (a
//! hijacked page's title ends up in the explanation): they are made single-line, stripped of
//! invisible direction marks and capped here; markdown renderers also neutralise them.

use beian_core::case::deadlines::to_beijing;
use beian_core::finding::Severity;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::event::{EventKind, NotificationEvent};

/// One event as one channel hears it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMessage {
    /// What the channel is told: a channel that never heard of a finding gets `Opened` even
    /// for a `Changed` event, and `Changed` when only the severity it last heard differs.
    pub kind: EventKind,
    pub event: NotificationEvent,
    /// The severity this channel was last told, when it changed.
    pub previous_severity: Option<Severity>,
    /// The channel threshold an expiry event crossed.
    pub threshold: Option<u32>,
    pub finding_url: String,
}

/// A day's events for one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestMessage {
    /// The Beijing calendar day summarised.
    pub date: NaiveDate,
    /// Most severe first.
    pub entries: Vec<EventMessage>,
    /// Where the full list is (`{base_url}findings`), named when a robot's size limit cuts
    /// the digest short.
    pub findings_url: String,
}

impl DigestMessage {
    /// Entries per kind, in message order: opened, changed, threshold, resolved.
    pub fn counts(&self) -> [(EventKind, usize); 4] {
        let count = |wanted: &str| {
            self.entries
                .iter()
                .filter(|entry| entry.kind.as_str() == wanted)
                .count()
        };
        [
            (EventKind::Opened, count("opened")),
            (EventKind::Changed, count("changed")),
            (EventKind::Threshold { days_left: 0 }, count("threshold")),
            (EventKind::Resolved, count("resolved")),
        ]
    }
}

/// A message for one channel. (Events outnumber digests and are short-lived: boxing the
/// larger variant would buy nothing.)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Message {
    Event(EventMessage),
    Digest(DigestMessage),
}

impl Message {
    /// `opened`, `changed`, `resolved`, `threshold` or `digest`.
    pub fn kind_str(&self) -> &'static str {
        match self {
            Message::Event(message) => message.kind.as_str(),
            Message::Digest(_) => "digest",
        }
    }

    pub fn title(&self) -> String {
        match self {
            Message::Event(message) => event_title(message),
            Message::Digest(digest) => digest_title(digest),
        }
    }

    /// The layout every renderer works from.
    pub fn document(&self) -> Document {
        match self {
            Message::Event(message) => Document {
                title: event_title(message),
                sections: vec![event_section(message, false)],
                note_en: event_note_en(message),
                more_url: None,
            },
            Message::Digest(digest) => Document {
                title: digest_title(digest),
                sections: digest
                    .entries
                    .iter()
                    .map(|entry| event_section(entry, true))
                    .collect(),
                note_en: digest_note_en(digest),
                more_url: Some(digest.findings_url.clone()),
            },
        }
    }
}

/// A message laid out, before a channel renders it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub sections: Vec<Section>,
    /// One English line after the Chinese.
    pub note_en: String,
    /// Where the rest is, when a renderer has to leave sections out.
    pub more_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Digest entries carry their own heading; a single event's is the document title.
    pub heading: Option<String>,
    pub fields: Vec<Field>,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    /// Text we wrote ourselves (labels of severities, dates, rule titles from the catalogue),
    /// as opposed to text from the inventory or from evidence.
    pub trusted: bool,
}

/// The label of the link to a finding.
pub const LINK_LABEL_ZH: &str = "查看详情";

const PRODUCT_ZH: &str = "【备案卫士】";
/// Caps in characters; evidence can be long and robots have size limits.
const MAX_EXPLANATION: usize = 300;
const MAX_VALUE: usize = 160;

fn untrusted(label: &'static str, value: &str, max: usize) -> Field {
    Field {
        label,
        value: clean(value, max),
        trusted: false,
    }
}

fn trusted(label: &'static str, value: String) -> Field {
    Field {
        label,
        value,
        trusted: true,
    }
}

/// One line, no control or invisible direction characters, at most `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut last_space = true;
    let mut count = 0;
    for ch in text.chars() {
        let ch = if ch.is_control() || ch.is_whitespace() {
            ' '
        } else {
            ch
        };
        if is_invisible(ch) {
            continue;
        }
        if ch == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        if count == max {
            out.push('…');
            break;
        }
        out.push(ch);
        count += 1;
    }
    out.trim_end().to_owned()
}

/// Zero-width and bidirectional-override characters: they can make a casino's address
/// read like the company's own.
fn is_invisible(ch: char) -> bool {
    matches!(ch,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

fn time_zh(at: DateTime<Utc>) -> String {
    format!("{}（北京时间）", to_beijing(at).format("%Y-%m-%d %H:%M"))
}

fn severity_zh(severity: Severity) -> String {
    format!("{}（{}）", severity.label_zh(), severity.as_str())
}

fn or_none(text: &str, none: &str) -> String {
    if text.trim().is_empty() {
        none.to_owned()
    } else {
        text.to_owned()
    }
}

/// "还有 25 天到期（30 天提醒）", "今天到期", "已过期 3 天".
pub fn expiry_zh(days_left: i64, threshold: Option<u32>) -> String {
    let when = match days_left {
        days if days > 0 => format!("还有 {days} 天到期"),
        0 => "今天到期".to_owned(),
        days => format!("已过期 {} 天", days.unsigned_abs()),
    };
    match threshold {
        Some(threshold) => format!("{when}（{threshold} 天提醒）"),
        None => when,
    }
}

fn expiry_en(days_left: i64) -> String {
    match days_left {
        days if days > 0 => format!("expires in {days} days"),
        0 => "expires today".to_owned(),
        days => format!("expired {} days ago", days.unsigned_abs()),
    }
}

fn event_title(message: &EventMessage) -> String {
    let event = &message.event;
    let site = clean(&event.site_name, MAX_VALUE);
    let domain = clean(&event.domain, MAX_VALUE);
    let place = if domain.is_empty() {
        site
    } else {
        format!("{site}（{domain}）")
    };
    format!(
        "{PRODUCT_ZH}{}·{}：{} — {place}",
        message.kind.label_zh(),
        event.severity.label_zh(),
        clean(&event.rule_title_zh, MAX_VALUE),
    )
}

fn event_section(message: &EventMessage, in_digest: bool) -> Section {
    let event = &message.event;
    let mut fields = Vec::with_capacity(10);
    let severity = match message.previous_severity {
        Some(previous) if previous != event.severity => format!(
            "{}，此前为 {}",
            severity_zh(event.severity),
            severity_zh(previous)
        ),
        _ => severity_zh(event.severity),
    };
    if !in_digest {
        fields.push(trusted("严重程度", severity));
    }
    let site = clean(&event.site_name, MAX_VALUE);
    let site_url = clean(&event.site_url, MAX_VALUE);
    let site = if site_url.is_empty() {
        site
    } else {
        format!("{site}（{site_url}）")
    };
    fields.push(Field {
        label: "网站",
        value: site,
        trusted: false,
    });
    fields.push(untrusted(
        "域名",
        &or_none(&event.domain, "（无）"),
        MAX_VALUE,
    ));
    fields.push(untrusted(
        "备案号",
        &or_none(&event.filing_number, "（未登记）"),
        MAX_VALUE,
    ));
    if let EventKind::Threshold { days_left } = message.kind {
        fields.push(trusted("到期", expiry_zh(days_left, message.threshold)));
    }
    if !in_digest {
        fields.push(trusted(
            "规则",
            format!(
                "{} / {}（{}）",
                clean(&event.rule_title_zh, MAX_VALUE),
                clean(&event.rule_title_en, MAX_VALUE),
                event.rule_id
            ),
        ));
        fields.push(untrusted("说明", &event.explanation_zh, MAX_EXPLANATION));
        fields.push(trusted("首次发现", time_zh(event.first_seen)));
        let last_label = if message.kind == EventKind::Resolved {
            "恢复时间"
        } else {
            "最近发现"
        };
        fields.push(trusted(last_label, time_zh(event.last_seen)));
    }
    Section {
        heading: in_digest.then(|| {
            format!(
                "{}·{}：{}",
                message.kind.label_zh(),
                event.severity.label_zh(),
                clean(&event.rule_title_zh, MAX_VALUE)
            )
        }),
        fields,
        link: message.finding_url.clone(),
    }
}

fn event_note_en(message: &EventMessage) -> String {
    let event = &message.event;
    let expiry = match message.kind {
        EventKind::Threshold { days_left } => format!(", {}", expiry_en(days_left)),
        _ => String::new(),
    };
    format!(
        "{}: {} — site {}, domain {}, filing {}, severity {}{expiry}.",
        message.kind.label_en(),
        clean(&event.rule_title_en, MAX_VALUE),
        clean(&event.site_name, MAX_VALUE),
        clean(&or_none(&event.domain, "none"), MAX_VALUE),
        clean(&or_none(&event.filing_number, "none on record"), MAX_VALUE),
        event.severity.as_str(),
    )
}

fn digest_title(digest: &DigestMessage) -> String {
    let counts: Vec<String> = digest
        .counts()
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(kind, count)| format!("{} {count}", kind.label_zh()))
        .collect();
    format!(
        "{PRODUCT_ZH}每日汇总 {}：{}",
        digest.date.format("%Y-%m-%d"),
        counts.join(" · ")
    )
}

fn digest_note_en(digest: &DigestMessage) -> String {
    let [opened, changed, threshold, resolved] = digest.counts().map(|(_, count)| count);
    format!(
        "Daily digest for {}: {opened} new, {changed} changed, {threshold} expiry reminders, {resolved} resolved.",
        digest.date.format("%Y-%m-%d")
    )
}

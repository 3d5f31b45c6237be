//! Sample messages of every kind: a template is tried on them when it is loaded (so its
//! errors show before a real event), and the settings page can preview a channel with them.
//! The texts carry quotes, a newline and markup, as hostile evidence would.

use beian_core::finding::Severity;
use chrono::{NaiveDate, TimeZone, Utc};

use crate::event::{EventKind, NotificationEvent};
use crate::message::{DigestMessage, EventMessage, Message};

/// A sample event of `kind`.
pub fn event(kind: EventKind) -> NotificationEvent {
    let at = |day: u32| {
        Utc.with_ymd_and_hms(2025, 1, day, 0, 0, 0)
            .single()
            .unwrap_or_default()
    };
    NotificationEvent {
        kind,
        site_name: "示例公司官网".to_owned(),
        site_url: "https://www.example.cn/".to_owned(),
        groups: vec!["示例客户".to_owned()],
        domain: "example.cn".to_owned(),
        filing_number: "京ICP备12345678号-1".to_owned(),
        rule_id: "content.hijack".to_owned(),
        rule_title_zh: "页面被植入赌博内容".to_owned(),
        rule_title_en: "Page hijacked with gambling content".to_owned(),
        severity: Severity::Critical,
        explanation_zh: "标题被替换为 \"<script>alert(1)</script> 澳门赌场\"\n并跳转".to_owned(),
        finding_id: 42,
        first_seen: at(2),
        last_seen: at(3),
    }
}

fn event_message(kind: EventKind) -> EventMessage {
    EventMessage {
        kind,
        event: event(kind),
        previous_severity: matches!(kind, EventKind::Changed).then_some(Severity::High),
        threshold: matches!(kind, EventKind::Threshold { .. }).then_some(30),
        finding_url: "http://127.0.0.1:8080/findings/42".to_owned(),
    }
}

/// One message of each kind, the digest last.
pub fn messages() -> Vec<Message> {
    let kinds = [
        EventKind::Opened,
        EventKind::Changed,
        EventKind::Resolved,
        EventKind::Threshold { days_left: 25 },
    ];
    let mut messages: Vec<Message> = kinds
        .into_iter()
        .map(|kind| Message::Event(event_message(kind)))
        .collect();
    messages.push(Message::Digest(DigestMessage {
        date: NaiveDate::from_ymd_opt(2025, 1, 3).unwrap_or_default(),
        entries: kinds.into_iter().map(event_message).collect(),
        findings_url: "http://127.0.0.1:8080/findings".to_owned(),
    }));
    messages
}

//! The router: dedupe per (finding, severity, state), severities, groups, expiry thresholds,
//! recovery on/off, the daily digest — pure, no network.

use std::sync::Arc;

use beian_core::finding::Severity;
use beian_notify::render::{MarkdownFlavour, markdown, plain_text};
use beian_notify::{
    DeliveryOutcome, DeliveryStatus, EventKind, Failure, MemorySentLog, Message, NotificationEvent,
    Plan, Router, SentLog, SentMark, SentState, Verdict,
};
use chrono::NaiveDate;

use crate::support::{event, settings};

const ONE_CHANNEL: &str = r#"
base_url = "https://beian.example.com/"
[[channels]]
name = "ops"
kind = "wecom"
url = "http://127.0.0.1:9/send?key=k-123456789"
"#;

fn router(text: &str) -> Router {
    Router::new(Arc::new(settings(text)))
}

fn channel_with(options: &str) -> String {
    format!("{ONE_CHANNEL}{options}\n")
}

/// Pretends every delivery of `plan` succeeded and records it.
fn deliver_all(plan: &Plan, log: &mut MemorySentLog) {
    let outcomes: Vec<DeliveryOutcome> = plan
        .deliveries
        .iter()
        .map(|delivery| DeliveryOutcome {
            channel: delivery.channel.clone(),
            status: DeliveryStatus::Delivered,
            attempts: 1,
            earlier_failures: Vec::new(),
            elapsed: std::time::Duration::ZERO,
        })
        .collect();
    plan.commit(&outcomes, log);
}

fn verdicts(plan: &Plan) -> Vec<Verdict> {
    plan.decisions
        .iter()
        .map(|decision| decision.verdict)
        .collect()
}

fn event_message(plan: &Plan, index: usize) -> &beian_notify::EventMessage {
    match &plan.deliveries[index].message {
        Message::Event(message) => message,
        Message::Digest(_) => panic!("expected an event message"),
    }
}

fn threshold(days_left: i64) -> NotificationEvent {
    let mut expiring = event(EventKind::Threshold { days_left });
    expiring.rule_id = "domain.expiring".to_owned();
    expiring.rule_title_zh = "域名即将到期".to_owned();
    expiring.rule_title_en = "Domain expiring".to_owned();
    expiring.severity = Severity::Medium;
    expiring.finding_id = 7;
    expiring
}

#[test]
fn one_problem_sends_one_message_until_it_changes() {
    let router = router(ONE_CHANNEL);
    let mut log = MemorySentLog::new();
    let first = router.route(&[event(EventKind::Opened)], &log);
    assert_eq!(verdicts(&first), vec![Verdict::Send]);
    assert_eq!(event_message(&first, 0).kind, EventKind::Opened);
    deliver_all(&first, &mut log);

    // The same state again (a rescan), even announced as "changed": nothing new to say.
    let again = router.route(&[event(EventKind::Opened), event(EventKind::Changed)], &log);
    assert!(again.deliveries.is_empty());
    assert_eq!(
        verdicts(&again),
        vec![Verdict::Duplicate, Verdict::Duplicate]
    );

    // The severity changes: one "changed" message naming the previous severity.
    let mut escalated = event(EventKind::Opened);
    escalated.severity = Severity::High;
    let changed = router.route(&[escalated], &log);
    assert_eq!(changed.deliveries.len(), 1);
    let message = event_message(&changed, 0);
    assert_eq!(message.kind, EventKind::Changed);
    assert_eq!(message.previous_severity, Some(Severity::Critical));
    let text = plain_text(&changed.deliveries[0].message.document(), None);
    assert!(
        text.contains("严重程度：高（high），此前为 严重（critical）"),
        "{text}"
    );
    assert_eq!(
        log.last_sent("ops", 42),
        Some(SentMark {
            severity: Severity::Critical,
            state: SentState::Open
        }),
        "the router only reads the log"
    );
}

#[test]
fn a_failed_delivery_is_planned_again() {
    let router = router(ONE_CHANNEL);
    let mut log = MemorySentLog::new();
    let plan = router.route(&[event(EventKind::Opened)], &log);
    let failed = vec![DeliveryOutcome {
        channel: "ops".to_owned(),
        status: DeliveryStatus::Failed {
            failure: Failure::Timeout { after_ms: 10 },
        },
        attempts: 3,
        earlier_failures: Vec::new(),
        elapsed: std::time::Duration::ZERO,
    }];
    plan.commit(&failed, &mut log);
    assert_eq!(log.last_sent("ops", 42), None);
    assert_eq!(
        router
            .route(&[event(EventKind::Opened)], &log)
            .deliveries
            .len(),
        1
    );
}

#[test]
fn a_channel_that_never_heard_gets_opened() {
    let plan = router(ONE_CHANNEL).route(&[event(EventKind::Changed)], &MemorySentLog::new());
    assert_eq!(event_message(&plan, 0).kind, EventKind::Opened);
    assert_eq!(event_message(&plan, 0).previous_severity, None);
}

#[test]
fn recovery_messages() {
    let router = router(ONE_CHANNEL);
    let mut log = MemorySentLog::new();
    // Never told: no recovery message.
    let unknown = router.route(&[event(EventKind::Resolved)], &log);
    assert_eq!(verdicts(&unknown), vec![Verdict::NeverNotified]);

    // Opened then resolved within one batch: both go out, in order.
    let plan = router.route(
        &[event(EventKind::Opened), event(EventKind::Resolved)],
        &log,
    );
    assert_eq!(plan.deliveries.len(), 2);
    assert_eq!(event_message(&plan, 1).kind, EventKind::Resolved);
    let text = plain_text(&plan.deliveries[1].message.document(), None);
    assert!(
        text.starts_with(
            "【备案卫士】已恢复·严重：页面被植入赌博内容 — 示例公司官网（example.cn）"
        ),
        "{text}"
    );
    assert!(
        text.contains("恢复时间：2025-01-03 08:00（北京时间）"),
        "{text}"
    );
    deliver_all(&plan, &mut log);
    assert_eq!(
        verdicts(&router.route(&[event(EventKind::Resolved)], &log)),
        vec![Verdict::NeverNotified]
    );
    // Reopened: told again.
    assert_eq!(
        router
            .route(&[event(EventKind::Opened)], &log)
            .deliveries
            .len(),
        1
    );
}

#[test]
fn recovery_off_resolves_silently_so_a_reopen_is_told() {
    let router = router(&channel_with("recovery = false"));
    let mut log = MemorySentLog::new();
    deliver_all(&router.route(&[event(EventKind::Opened)], &log), &mut log);
    let resolved = router.route(&[event(EventKind::Resolved)], &log);
    assert!(resolved.deliveries.is_empty());
    assert_eq!(verdicts(&resolved), vec![Verdict::RecoveryOff]);
    assert_eq!(resolved.silent.len(), 1);
    resolved.commit(&[], &mut log);
    assert_eq!(
        log.last_sent("ops", 42).map(|mark| mark.state),
        Some(SentState::Resolved)
    );
    let reopened = router.route(&[event(EventKind::Opened)], &log);
    assert_eq!(reopened.deliveries.len(), 1);
    assert_eq!(event_message(&reopened, 0).kind, EventKind::Opened);
}

#[test]
fn severities_groups_and_disabled_channels() {
    let router = router(&format!(
        "{ONE_CHANNEL}severities = [\"high\", \"严重\"]\ngroups = [\"客户B\"]\n\
[[channels]]\nname = \"off\"\nkind = \"wecom\"\nenabled = false\nurl = \"http://127.0.0.1:9/send?key=k-123456789\"\n"
    ));
    let log = MemorySentLog::new();
    let mut low = event(EventKind::Opened);
    low.severity = Severity::Low;
    low.groups = vec!["客户B".to_owned()];
    let mut other_client = event(EventKind::Opened);
    other_client.groups = vec!["客户A".to_owned()];
    let mut wanted = event(EventKind::Opened);
    wanted.groups = vec!["客户A".to_owned(), "客户B".to_owned()];
    let plan = router.route(&[low, other_client, wanted], &log);
    assert_eq!(
        verdicts(&plan),
        vec![
            Verdict::SeverityFiltered,
            Verdict::ChannelDisabled,
            Verdict::GroupFiltered,
            Verdict::ChannelDisabled,
            Verdict::Send,
            Verdict::ChannelDisabled,
        ]
    );
    assert_eq!(plan.deliveries.len(), 1);
}

#[test]
fn expiry_thresholds_each_fire_once() {
    let router = router(ONE_CHANNEL);
    let mut log = MemorySentLog::new();
    let mut sent = Vec::new();
    for days_left in [120, 91, 90, 60, 31, 30, 8, 7, 6, 1, 0, -3] {
        let plan = router.route(&[threshold(days_left)], &log);
        if let Some(delivery) = plan.deliveries.first() {
            let Message::Event(message) = &delivery.message else {
                panic!("an event message");
            };
            sent.push((days_left, message.threshold));
        }
        deliver_all(&plan, &mut log);
    }
    assert_eq!(
        sent,
        vec![(90, Some(90)), (30, Some(30)), (7, Some(7)), (0, Some(0))]
    );
}

#[test]
fn thresholds_per_channel_and_their_wording() {
    let router = router(&channel_with("thresholds = [14, 3]"));
    let log = MemorySentLog::new();
    assert_eq!(
        verdicts(&router.route(&[threshold(20)], &log)),
        vec![Verdict::BeforeThresholds]
    );
    let plan = router.route(&[threshold(12)], &log);
    let text = plain_text(&plan.deliveries[0].message.document(), None);
    assert!(
        text.starts_with("【备案卫士】到期提醒·中：域名即将到期 — 示例公司官网（example.cn）"),
        "{text}"
    );
    assert!(text.contains("到期：还有 12 天到期（14 天提醒）"), "{text}");
    assert!(text.contains("Expiry reminder: Domain expiring"), "{text}");
    assert!(text.contains("expires in 12 days."), "{text}");
    let today = router.route(&[threshold(0)], &log);
    let text = plain_text(&today.deliveries[0].message.document(), None);
    assert!(text.contains("到期：今天到期（3 天提醒）"), "{text}");
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 3).expect("a date")
}

#[test]
fn daily_digest_summarises_a_day_per_channel() {
    let router = router(&format!(
        "{}mode = \"digest\"\n\
[[channels]]\nname = \"both\"\nkind = \"wecom\"\nmode = \"both\"\nrecovery = false\n\
url = \"http://127.0.0.1:9/send?key=k-123456789\"\n",
        ONE_CHANNEL
    ));
    let mut log = MemorySentLog::new();
    // Immediate routing leaves digest-only channels alone.
    let immediate = router.route(&[event(EventKind::Opened)], &log);
    assert_eq!(
        verdicts(&immediate),
        vec![Verdict::LeftForDigest, Verdict::Send]
    );
    let mut low = event(EventKind::Opened);
    low.severity = Severity::Low;
    low.finding_id = 5;
    low.site_name = "乙网站".to_owned();
    let mut resolved = event(EventKind::Resolved);
    resolved.finding_id = 9;
    resolved.severity = Severity::High;
    let events = vec![
        low,
        event(EventKind::Opened),
        threshold(25),
        threshold(200), // before any threshold: not in the digest
        resolved,
    ];
    let plan = router.digest(day(), &events, &log);
    assert_eq!(plan.deliveries.len(), 2);
    let Message::Digest(digest) = &plan.deliveries[0].message else {
        panic!("a digest");
    };
    assert_eq!(plan.deliveries[0].channel, "ops");
    let order: Vec<(i64, &str)> = digest
        .entries
        .iter()
        .map(|entry| (entry.event.finding_id, entry.kind.as_str()))
        .collect();
    assert_eq!(
        order,
        vec![
            (42, "opened"),
            (9, "resolved"),
            (7, "threshold"),
            (5, "opened")
        ]
    );
    let content = markdown(
        &plan.deliveries[0].message.document(),
        MarkdownFlavour::WeCom,
        Some(4000),
    );
    let expected = "### 【备案卫士】每日汇总 2025-01-03：新问题 2 · 到期提醒 1 · 已恢复 1\n\
**新问题·严重：页面被植入赌博内容**\n\
**网站**：示例公司官网（https:／／www.example.cn/）\n\
**域名**：example.cn\n\
**备案号**：京ICP备12345678号-1\n\
[查看详情](https://beian.example.com/findings/42)\n\
**已恢复·高：页面被植入赌博内容**\n\
**网站**：示例公司官网（https:／／www.example.cn/）\n\
**域名**：example.cn\n\
**备案号**：京ICP备12345678号-1\n\
[查看详情](https://beian.example.com/findings/9)\n\
**到期提醒·中：域名即将到期**\n\
**网站**：示例公司官网（https:／／www.example.cn/）\n\
**域名**：example.cn\n\
**备案号**：京ICP备12345678号-1\n\
**到期**：还有 25 天到期（30 天提醒）\n\
[查看详情](https://beian.example.com/findings/7)\n\
**新问题·低：页面被植入赌博内容**\n\
**网站**：乙网站（https:／／www.example.cn/）\n\
**域名**：example.cn\n\
**备案号**：京ICP备12345678号-1\n\
[查看详情](https://beian.example.com/findings/5)\n\
> Daily digest for 2025-01-03: 2 new, 0 changed, 1 expiry reminders, 1 resolved.";
    assert_eq!(content, expected);
    // The "both" channel has recovery off: no resolved entry.
    let Message::Digest(both) = &plan.deliveries[1].message else {
        panic!("a digest");
    };
    assert_eq!(both.entries.len(), 3);

    deliver_all(&plan, &mut log);
    assert!(router.digest(day(), &events, &log).deliveries.is_empty());
    let next_day = day().succ_opt().expect("a next day");
    assert!(router.digest(next_day, &[], &log).deliveries.is_empty());
    assert_eq!(router.digest(next_day, &events, &log).deliveries.len(), 2);
}

#[test]
fn a_big_digest_fits_the_robot_limit() {
    let router = router(&channel_with("mode = \"digest\""));
    let events: Vec<NotificationEvent> = (0..300)
        .map(|index| {
            let mut opened = event(EventKind::Opened);
            opened.finding_id = index;
            opened
        })
        .collect();
    let plan = router.digest(day(), &events, &MemorySentLog::new());
    let document = plan.deliveries[0].message.document();
    let content = markdown(&document, MarkdownFlavour::WeCom, Some(4000));
    assert!(content.len() <= 4000, "{} bytes", content.len());
    assert!(content.starts_with("### 【备案卫士】每日汇总 2025-01-03：新问题 300"));
    assert!(
        content.contains("条未列出 / ")
            && content
                .contains("more not listed：[查看全部](https://beian.example.com/findings)\n"),
        "{content}"
    );
    assert!(content.ends_with("300 new, 0 changed, 0 expiry reminders, 0 resolved."));
    // Email has no limit: every entry is listed.
    let text = plain_text(&document, None);
    assert_eq!(text.matches("查看详情：").count(), 300);
}

//! What the settings page shows of the server's configuration: the notification channels
//! (with every secret as `***`), their routing rules and thresholds, and the scan
//! schedule. Built once from the validated settings by whoever starts the server
//! (`beian serve`), and read-only here: the configuration file stays the one place they
//! are changed.

use beian_engine::scheduler::ScheduleSettings;
use beian_notify::{ChannelSettings, DeliveryMode, NotifySettings, Transport};

/// The configuration as the settings page shows it.
#[derive(Debug, Clone)]
pub struct SettingsView {
    /// `None` when `[notify]` is absent: nothing is sent.
    pub notify: Option<NotifyView>,
    pub schedule: Vec<ScheduleLine>,
}

impl Default for SettingsView {
    /// No notifications and the default schedule (a server started without a
    /// configuration runs with these).
    fn default() -> SettingsView {
        SettingsView::new(None, &ScheduleSettings::default())
    }
}

#[derive(Debug, Clone)]
pub struct NotifyView {
    pub base_url: String,
    pub attempts: u32,
    pub timeout_seconds: u64,
    /// The proxy, redacted.
    pub proxy: Option<String>,
    pub channels: Vec<ChannelView>,
}

/// One channel: where it sends (secrets redacted) and which events it hears.
#[derive(Debug, Clone)]
pub struct ChannelView {
    pub name: String,
    pub kind: &'static str,
    pub enabled: bool,
    /// Host and recipients for email; `scheme://host/***` for robots and webhooks.
    pub target: String,
    /// Whether a signing secret, password or secret headers are configured (shown `***`).
    pub has_secret: bool,
    pub severities: String,
    /// Empty: every site.
    pub groups: String,
    pub thresholds: String,
    pub recovery: bool,
    pub mode: &'static str,
}

/// One schedule setting: its name in both languages and its value.
#[derive(Debug, Clone)]
pub struct ScheduleLine {
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub value: String,
}

fn channel(settings: &ChannelSettings) -> ChannelView {
    let (target, has_secret) = match &settings.transport {
        Transport::Email(email) => (
            format!(
                "{}:{} → {}",
                email.host,
                email.port,
                email
                    .to
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            email.password.is_some(),
        ),
        Transport::Webhook(webhook) => (webhook.url.redacted(), !webhook.headers.is_empty()),
        Transport::DingTalk(robot) | Transport::WeCom(robot) | Transport::Feishu(robot) => {
            (robot.url.redacted(), robot.secret.is_some())
        }
    };
    let rules = &settings.routing;
    ChannelView {
        name: settings.name.clone(),
        kind: settings.kind().as_str(),
        enabled: settings.enabled,
        target,
        has_secret,
        severities: rules
            .severities
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        groups: rules.groups.join(", "),
        thresholds: rules
            .thresholds
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" / "),
        recovery: rules.recovery,
        mode: match rules.mode {
            DeliveryMode::Immediate => "immediate",
            DeliveryMode::Digest => "digest",
            DeliveryMode::Both => "immediate + digest",
        },
    }
}

/// `1d`, `15m`, `1h30m`: a duration as the configuration file writes it.
fn duration_text(duration: chrono::Duration) -> String {
    let minutes = duration.num_minutes();
    if minutes <= 0 {
        return format!("{}s", duration.num_seconds());
    }
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut text = String::new();
    for (value, unit) in [(days, "d"), (hours, "h"), (minutes, "m")] {
        if value > 0 {
            text.push_str(&format!("{value}{unit}"));
        }
    }
    text
}

impl SettingsView {
    pub fn new(notify: Option<&NotifySettings>, schedule: &ScheduleSettings) -> SettingsView {
        let line = |label_zh, label_en, value: String| ScheduleLine {
            label_zh,
            label_en,
            value,
        };
        SettingsView {
            notify: notify.map(|notify| NotifyView {
                base_url: notify.base_url.to_string(),
                attempts: notify.attempts,
                timeout_seconds: notify.timeout.as_secs(),
                proxy: notify.proxy.as_ref().map(|proxy| proxy.redacted()),
                channels: notify.channels.iter().map(channel).collect(),
            }),
            schedule: vec![
                line(
                    "注册信息（RDAP/WHOIS）",
                    "registration (RDAP/WHOIS)",
                    duration_text(schedule.registration_interval),
                ),
                line(
                    "注册信息（临近到期）",
                    "registration near expiry",
                    duration_text(schedule.registration_near_expiry_interval),
                ),
                line("DNS", "DNS", duration_text(schedule.dns_interval)),
                line(
                    "HTTP 页面",
                    "HTTP pages",
                    duration_text(schedule.http_interval),
                ),
                line(
                    "TLS 证书",
                    "TLS certificates",
                    duration_text(schedule.tls_interval),
                ),
                line("每批网站数", "sites per batch", schedule.batch.to_string()),
                line(
                    "每日摘要（北京时间）",
                    "daily digest (Beijing time)",
                    schedule.digest_at.format("%H:%M").to_string(),
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_in_the_config_file() {
        assert_eq!(duration_text(chrono::Duration::minutes(15)), "15m");
        assert_eq!(duration_text(chrono::Duration::days(1)), "1d");
        assert_eq!(duration_text(chrono::Duration::minutes(90)), "1h30m");
        assert_eq!(duration_text(chrono::Duration::seconds(30)), "30s");
    }

    #[test]
    fn robot_secrets_are_never_shown() {
        let notify = NotifySettings::from_toml(
            r#"
            [[channels]]
            name = "ops"
            kind = "dingtalk"
            url = "https://oapi.dingtalk.com/robot/send?access_token=tok-123456"
            secret = "SECabcdef"
            "#,
        )
        .expect("valid notify settings");
        let view = SettingsView::new(Some(&notify), &ScheduleSettings::default());
        let text = format!("{view:?}");
        assert!(
            !text.contains("tok-123456") && !text.contains("SECabcdef"),
            "{text}"
        );
        let channel = &view.notify.as_ref().expect("notify").channels[0];
        assert_eq!(channel.target, "https://oapi.dingtalk.com/***");
        assert!(channel.has_secret);
    }
}

//! The `[notify]` table of `beian.toml`, as validated settings.
//!
//! ```toml
//! [notify]
//! base_url = "https://beian.example.com/"   # links to findings: {base_url}findings/{id}
//! timeout_ms = 10000                        # per attempt
//! attempts = 3                              # tries per message
//! backoff_ms = 1000                         # doubles after each failed try
//!
//! [[notify.channels]]
//! name = "运维钉钉群"
//! kind = "dingtalk"                         # email | webhook | dingtalk | wecom | feishu
//! url = { env = "DINGTALK_URL" }            # secrets: inline or { env = "NAME" }
//! secret = { env = "DINGTALK_SECRET" }
//! severities = ["high", "critical"]         # default: all
//! groups = ["客户A"]                         # default: every site
//! thresholds = [90, 30, 7, 0]               # expiry reminders, days before
//! recovery = true                           # tell when a finding resolves
//! mode = "immediate"                        # immediate | digest | both
//! ```
//!
//! Parsing goes through the raw shapes in [`crate::config_toml`]; deserialising
//! [`NotifySettings`] validates too, so the binary can embed it in its config file.

use std::collections::BTreeSet;
use std::time::Duration;

use beian_core::finding::Severity;
use lettre::message::Mailbox;
use serde::Deserialize;
use url::Url;

use crate::config_toml::NotifyToml;
use crate::error::NotifyConfigError;
use crate::secret::{Secret, SecretUrl};
use crate::template::WebhookTemplate;

/// Validated `[notify]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "NotifyToml")]
pub struct NotifySettings {
    /// Where the dashboard is reached; finding links are `{base_url}findings/{id}`.
    pub base_url: Url,
    /// Bound on one attempt (connect, TLS, request, response; or the whole SMTP dialogue).
    pub timeout: Duration,
    /// Tries per message, at least one.
    pub attempts: u32,
    /// Wait after the first failed try; doubles after each further one.
    pub backoff: Duration,
    /// Messages in flight at once.
    pub concurrency: usize,
    /// Outgoing HTTP proxy for the robots and webhooks; none by default (not even the
    /// `HTTPS_PROXY` variable, so where messages go does not depend on the environment).
    pub proxy: Option<SecretUrl>,
    pub channels: Vec<ChannelSettings>,
}

impl Default for NotifySettings {
    fn default() -> NotifySettings {
        NotifySettings {
            base_url: Url::parse(DEFAULT_BASE_URL).expect("the default base URL is valid"),
            timeout: Duration::from_secs(10),
            attempts: 3,
            backoff: Duration::from_secs(1),
            concurrency: 8,
            proxy: None,
            channels: Vec::new(),
        }
    }
}

/// What `beian demo` and `beian serve` bind by default.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080/";
/// Expiry reminder thresholds when a channel names none (days before; 0 = the day itself).
pub const DEFAULT_THRESHOLDS: [u32; 4] = [90, 30, 7, 0];

impl NotifySettings {
    /// Parses the contents of the `[notify]` table (without the header), reading
    /// `{ env = "NAME" }` secrets from the process environment.
    pub fn from_toml(text: &str) -> Result<NotifySettings, NotifyConfigError> {
        NotifySettings::from_toml_with_env(text, &|name| std::env::var(name).ok())
    }

    /// As [`NotifySettings::from_toml`], with `env` answering for environment variables.
    pub fn from_toml_with_env(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<NotifySettings, NotifyConfigError> {
        let raw: NotifyToml = toml::from_str(text).map_err(|error: toml::de::Error| {
            // The parser's Display quotes the offending source line, which may be a
            // password; keep only its message and the line number.
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            NotifyConfigError::Parse {
                line,
                message: error.message().trim().to_owned(),
            }
        })?;
        raw.validate(env)
    }

    /// The channel called `name`.
    pub fn channel(&self, name: &str) -> Option<&ChannelSettings> {
        self.channels.iter().find(|channel| channel.name == name)
    }

    /// The dashboard link of a finding.
    pub fn finding_url(&self, finding_id: i64) -> String {
        self.base_url
            .join(&format!("findings/{finding_id}"))
            .map(String::from)
            .unwrap_or_else(|_| format!("{}findings/{finding_id}", self.base_url))
    }
}

/// One destination with its routing rules.
#[derive(Debug, Clone)]
pub struct ChannelSettings {
    /// Unique; the sent log is kept per channel name.
    pub name: String,
    pub enabled: bool,
    pub routing: RoutingRules,
    pub transport: Transport,
}

impl ChannelSettings {
    pub fn kind(&self) -> ChannelKind {
        self.transport.kind()
    }
}

/// Which events a channel hears, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRules {
    pub severities: BTreeSet<Severity>,
    /// Empty: every site. Otherwise a site must carry at least one of these groups.
    pub groups: Vec<String>,
    /// Expiry reminder thresholds in days, decreasing.
    pub thresholds: Vec<u32>,
    /// Whether to say so when a finding resolves.
    pub recovery: bool,
    pub mode: DeliveryMode,
}

impl Default for RoutingRules {
    fn default() -> RoutingRules {
        RoutingRules {
            severities: Severity::ALL.into_iter().collect(),
            groups: Vec::new(),
            thresholds: DEFAULT_THRESHOLDS.to_vec(),
            recovery: true,
            mode: DeliveryMode::Immediate,
        }
    }
}

impl RoutingRules {
    /// Whether a site with `groups` is this channel's business.
    pub fn matches_groups(&self, groups: &[String]) -> bool {
        self.groups.is_empty() || groups.iter().any(|group| self.groups.contains(group))
    }

    /// The threshold `days_left` has crossed (the smallest one at or above it), if any.
    pub fn crossed_threshold(&self, days_left: i64) -> Option<u32> {
        self.thresholds
            .iter()
            .copied()
            .filter(|threshold| days_left <= i64::from(*threshold))
            .min()
    }
}

/// When a channel's messages go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryMode {
    /// One message per event, as it happens.
    Immediate,
    /// Only the daily digest.
    Digest,
    /// Both.
    Both,
}

impl DeliveryMode {
    pub fn immediate(self) -> bool {
        matches!(self, DeliveryMode::Immediate | DeliveryMode::Both)
    }

    pub fn digest(self) -> bool {
        matches!(self, DeliveryMode::Digest | DeliveryMode::Both)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Email,
    Webhook,
    DingTalk,
    WeCom,
    Feishu,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 5] = [
        ChannelKind::Email,
        ChannelKind::Webhook,
        ChannelKind::DingTalk,
        ChannelKind::WeCom,
        ChannelKind::Feishu,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Webhook => "webhook",
            ChannelKind::DingTalk => "dingtalk",
            ChannelKind::WeCom => "wecom",
            ChannelKind::Feishu => "feishu",
        }
    }

    pub fn parse(text: &str) -> Option<ChannelKind> {
        ChannelKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
    }
}

/// How a channel's messages travel.
#[derive(Debug, Clone)]
pub enum Transport {
    Email(EmailSettings),
    Webhook(WebhookSettings),
    DingTalk(RobotSettings),
    WeCom(RobotSettings),
    Feishu(RobotSettings),
}

impl Transport {
    pub fn kind(&self) -> ChannelKind {
        match self {
            Transport::Email(_) => ChannelKind::Email,
            Transport::Webhook(_) => ChannelKind::Webhook,
            Transport::DingTalk(_) => ChannelKind::DingTalk,
            Transport::WeCom(_) => ChannelKind::WeCom,
            Transport::Feishu(_) => ChannelKind::Feishu,
        }
    }

    /// Every secret value of the transport, to scrub from text that came from elsewhere.
    pub(crate) fn secret_values(&self) -> Vec<&str> {
        match self {
            Transport::Email(email) => email
                .password
                .iter()
                .map(|password| password.expose())
                .collect(),
            Transport::Webhook(webhook) => std::iter::once(webhook.url.expose().as_str())
                .chain(webhook.headers.iter().map(|(_, value)| value.expose()))
                .collect(),
            Transport::DingTalk(robot) | Transport::WeCom(robot) | Transport::Feishu(robot) => {
                std::iter::once(robot.url.expose().as_str())
                    .chain(robot.secret.iter().map(|secret| secret.expose()))
                    .collect()
            }
        }
    }
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a local relay.
    Plain,
}

impl SmtpSecurity {
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::Plain => 25,
        }
    }
}

#[derive(Debug, Clone)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    /// Extra trusted roots (PEM) for an internal mail server's CA; webpki roots always apply.
    pub extra_roots_pem: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub url: SecretUrl,
    pub template: WebhookTemplate,
    /// Extra request headers (e.g. `Authorization`); values are secrets.
    pub headers: Vec<(String, Secret)>,
}

/// A DingTalk, WeCom or Feishu group robot.
#[derive(Debug, Clone)]
pub struct RobotSettings {
    /// The webhook address with its token (`access_token=`, `key=`, `/hook/…`).
    pub url: SecretUrl,
    /// The signing secret (DingTalk 加签 `SEC…`, Feishu 签名校验); WeCom has none.
    pub secret: Option<Secret>,
}

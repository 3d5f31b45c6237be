//! The `[notify]` table as written — every key optional, unknown keys refused by name —
//! and its validation into [`NotifySettings`]. Keys that belong to another channel kind are
//! refused too (`smtp_host` on a DingTalk channel is a mistake worth saying).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use beian_core::finding::Severity;
use lettre::message::Mailbox;
use serde::Deserialize;
use url::Url;

use crate::config::{
    ChannelKind, ChannelSettings, DEFAULT_THRESHOLDS, DeliveryMode, EmailSettings, NotifySettings,
    RobotSettings, RoutingRules, SmtpSecurity, Transport, WebhookSettings,
};
use crate::error::NotifyConfigError;
use crate::secret::{Secret, SecretSource, SecretUrl};
use crate::template::WebhookTemplate;

/// `[notify]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyToml {
    pub base_url: Option<String>,
    pub timeout_ms: Option<u64>,
    pub attempts: Option<u64>,
    pub backoff_ms: Option<u64>,
    pub concurrency: Option<u64>,
    pub proxy: Option<SecretSource>,
    /// Default thresholds for channels that name none.
    pub thresholds: Option<Vec<i64>>,
    pub channels: Vec<ChannelToml>,
}

/// `[[notify.channels]]` as written: the union of every kind's keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChannelToml {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub enabled: Option<bool>,
    pub severities: Option<Vec<String>>,
    pub groups: Vec<String>,
    pub thresholds: Option<Vec<i64>>,
    pub recovery: Option<bool>,
    pub mode: Option<String>,
    // webhook and robots
    pub url: Option<SecretSource>,
    pub secret: Option<SecretSource>,
    pub template: Option<String>,
    pub headers: BTreeMap<String, SecretSource>,
    // email
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u64>,
    pub security: Option<String>,
    pub username: Option<String>,
    pub password: Option<SecretSource>,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub extra_roots_pem: Vec<String>,
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

impl TryFrom<NotifyToml> for NotifySettings {
    type Error = NotifyConfigError;

    fn try_from(raw: NotifyToml) -> Result<NotifySettings, NotifyConfigError> {
        raw.validate(&|name| std::env::var(name).ok())
    }
}

impl NotifyToml {
    /// Checks every key and resolves `{ env = "NAME" }` secrets through `env`.
    pub fn validate(self, env: Env<'_>) -> Result<NotifySettings, NotifyConfigError> {
        let defaults = NotifySettings::default();
        let base_url = match &self.base_url {
            None => defaults.base_url,
            Some(text) => {
                let mut url = http_url("notify.base_url", text)?;
                // `join` replaces the last segment unless the path ends in '/'.
                if !url.path().ends_with('/') {
                    url.set_path(&format!("{}/", url.path()));
                }
                url
            }
        };
        let ms = |key: &str, value: Option<u64>, default: Duration, min: u64, max: u64| {
            bounded(key, value, default.as_millis() as u64, min, max).map(Duration::from_millis)
        };
        let thresholds = match self.thresholds {
            None => DEFAULT_THRESHOLDS.to_vec(),
            Some(days) => thresholds("notify.thresholds", &days)?,
        };
        let proxy = match self.proxy {
            None => None,
            Some(source) => {
                let secret = resolve("notify.proxy", source, env)?;
                Some(SecretUrl::new(http_url("notify.proxy", secret.expose())?))
            }
        };
        let mut channels: Vec<ChannelSettings> = Vec::with_capacity(self.channels.len());
        for (index, raw) in self.channels.into_iter().enumerate() {
            let channel = raw.validate(index, &thresholds, env)?;
            if channels.iter().any(|known| known.name == channel.name) {
                return Err(NotifyConfigError::DuplicateName {
                    name: channel.name,
                    index,
                });
            }
            channels.push(channel);
        }
        Ok(NotifySettings {
            base_url,
            timeout: ms(
                "notify.timeout_ms",
                self.timeout_ms,
                defaults.timeout,
                100,
                120_000,
            )?,
            attempts: bounded("notify.attempts", self.attempts, 3, 1, 10)? as u32,
            backoff: ms(
                "notify.backoff_ms",
                self.backoff_ms,
                defaults.backoff,
                0,
                60_000,
            )?,
            concurrency: bounded("notify.concurrency", self.concurrency, 8, 1, 64)? as usize,
            proxy,
            channels,
        })
    }
}

impl ChannelToml {
    fn validate(
        self,
        index: usize,
        default_thresholds: &[u32],
        env: Env<'_>,
    ) -> Result<ChannelSettings, NotifyConfigError> {
        let key = |field: &str| format!("notify.channels[{index}].{field}");
        let name = match self.name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => name.to_owned(),
            _ => {
                return Err(NotifyConfigError::Missing {
                    key: key("name"),
                    example: "name = \"运维钉钉群\"",
                });
            }
        };
        let kind_text = self
            .kind
            .clone()
            .ok_or_else(|| NotifyConfigError::Missing {
                key: key("kind"),
                example: "kind = \"dingtalk\"",
            })?;
        let kind =
            ChannelKind::parse(&kind_text).ok_or_else(|| NotifyConfigError::UnknownValue {
                key: key("kind"),
                value: kind_text.clone(),
                allowed: "email, webhook, dingtalk, wecom, feishu",
            })?;
        self.refuse_foreign_keys(kind, &key)?;
        let severities = match &self.severities {
            None => Severity::ALL.into_iter().collect(),
            Some(list) => list
                .iter()
                .map(|text| {
                    Severity::parse(text).ok_or_else(|| NotifyConfigError::UnknownValue {
                        key: key("severities"),
                        value: text.clone(),
                        allowed: "info, low, medium, high, critical（提示、低、中、高、严重）",
                    })
                })
                .collect::<Result<BTreeSet<Severity>, _>>()?,
        };
        if severities.is_empty() {
            return Err(NotifyConfigError::Missing {
                key: key("severities"),
                example: "severities = [\"high\", \"critical\"]",
            });
        }
        let mode = match self.mode.as_deref().map(str::trim) {
            None | Some("immediate") => DeliveryMode::Immediate,
            Some("digest") => DeliveryMode::Digest,
            Some("both") => DeliveryMode::Both,
            Some(other) => {
                return Err(NotifyConfigError::UnknownValue {
                    key: key("mode"),
                    value: other.to_owned(),
                    allowed: "immediate, digest, both",
                });
            }
        };
        let routing = RoutingRules {
            severities,
            groups: self
                .groups
                .iter()
                .map(|group| group.trim().to_owned())
                .filter(|group| !group.is_empty())
                .collect(),
            thresholds: match &self.thresholds {
                None => default_thresholds.to_vec(),
                Some(days) => thresholds(&key("thresholds"), days)?,
            },
            recovery: self.recovery.unwrap_or(true),
            mode,
        };
        let enabled = self.enabled.unwrap_or(true);
        let transport = match kind {
            ChannelKind::Email => Transport::Email(self.email(&key, env)?),
            ChannelKind::Webhook => Transport::Webhook(self.webhook(&key, env)?),
            ChannelKind::DingTalk => Transport::DingTalk(self.robot(kind, &key, env)?),
            ChannelKind::WeCom => Transport::WeCom(self.robot(kind, &key, env)?),
            ChannelKind::Feishu => Transport::Feishu(self.robot(kind, &key, env)?),
        };
        Ok(ChannelSettings {
            name,
            enabled,
            routing,
            transport,
        })
    }

    /// Keys present that the kind does not use.
    fn refuse_foreign_keys(
        &self,
        kind: ChannelKind,
        key: &dyn Fn(&str) -> String,
    ) -> Result<(), NotifyConfigError> {
        let email = kind == ChannelKind::Email;
        let present: [(&str, bool, bool); 12] = [
            // (key, present, allowed for this kind)
            ("url", self.url.is_some(), !email),
            (
                "secret",
                self.secret.is_some(),
                matches!(kind, ChannelKind::DingTalk | ChannelKind::Feishu),
            ),
            (
                "template",
                self.template.is_some(),
                kind == ChannelKind::Webhook,
            ),
            (
                "headers",
                !self.headers.is_empty(),
                kind == ChannelKind::Webhook,
            ),
            ("smtp_host", self.smtp_host.is_some(), email),
            ("smtp_port", self.smtp_port.is_some(), email),
            ("security", self.security.is_some(), email),
            ("username", self.username.is_some(), email),
            ("password", self.password.is_some(), email),
            ("from", self.from.is_some(), email),
            ("to", !self.to.is_empty(), email),
            ("extra_roots_pem", !self.extra_roots_pem.is_empty(), email),
        ];
        match present
            .iter()
            .find(|(_, present, allowed)| *present && !allowed)
        {
            Some((field, _, _)) => Err(NotifyConfigError::NotForKind {
                key: key(field),
                kind: kind.as_str(),
            }),
            None => Ok(()),
        }
    }

    fn robot(
        &self,
        kind: ChannelKind,
        key: &dyn Fn(&str) -> String,
        env: Env<'_>,
    ) -> Result<RobotSettings, NotifyConfigError> {
        let example = match kind {
            ChannelKind::DingTalk => {
                "url = \"https://oapi.dingtalk.com/robot/send?access_token=…\""
            }
            ChannelKind::WeCom => {
                "url = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…\""
            }
            _ => "url = \"https://open.feishu.cn/open-apis/bot/v2/hook/…\"",
        };
        let url = self.url_secret(key, example, env)?;
        let required = match kind {
            ChannelKind::DingTalk => Some("access_token"),
            ChannelKind::WeCom => Some("key"),
            _ => None,
        };
        if let Some(parameter) = required
            && !url
                .expose()
                .query_pairs()
                .any(|(name, value)| name == parameter && !value.is_empty())
        {
            return Err(NotifyConfigError::UrlLacksParameter {
                key: key("url"),
                parameter,
            });
        }
        let secret = match self.secret.clone() {
            None => None,
            Some(source) => Some(resolve(&key("secret"), source, env)?),
        };
        Ok(RobotSettings { url, secret })
    }

    fn webhook(
        &self,
        key: &dyn Fn(&str) -> String,
        env: Env<'_>,
    ) -> Result<WebhookSettings, NotifyConfigError> {
        let url = self.url_secret(key, "url = \"https://hooks.example.com/beian\"", env)?;
        let template = match &self.template {
            None => WebhookTemplate::default_template(),
            Some(source) => WebhookTemplate::compile(source),
        }
        .map_err(|source| NotifyConfigError::Template {
            key: key("template"),
            source,
        })?;
        let mut headers = Vec::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
            if !valid {
                return Err(NotifyConfigError::BadHeaderName {
                    key: key("headers"),
                    name: name.clone(),
                });
            }
            let value = resolve(&key(&format!("headers.{name}")), value.clone(), env)?;
            headers.push((name.clone(), value));
        }
        Ok(WebhookSettings {
            url,
            template,
            headers,
        })
    }

    fn email(
        &self,
        key: &dyn Fn(&str) -> String,
        env: Env<'_>,
    ) -> Result<EmailSettings, NotifyConfigError> {
        let host = match self.smtp_host.as_deref().map(str::trim) {
            Some(host) if !host.is_empty() => host.to_owned(),
            _ => {
                return Err(NotifyConfigError::Missing {
                    key: key("smtp_host"),
                    example: "smtp_host = \"smtp.exmail.qq.com\"",
                });
            }
        };
        let security = match self.security.as_deref().map(str::trim) {
            None | Some("starttls") => SmtpSecurity::StartTls,
            Some("tls") => SmtpSecurity::Tls,
            Some("plain") => SmtpSecurity::Plain,
            Some(other) => {
                return Err(NotifyConfigError::UnknownValue {
                    key: key("security"),
                    value: other.to_owned(),
                    allowed: "starttls, tls, plain",
                });
            }
        };
        let port = match self.smtp_port {
            None => security.default_port(),
            Some(port) => u16::try_from(port)
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| NotifyConfigError::OutOfRange {
                    key: key("smtp_port"),
                    min: 1,
                    max: 65535,
                })?,
        };
        let username = self
            .username
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        let password = match self.password.clone() {
            None => None,
            Some(source) => Some(resolve(&key("password"), source, env)?),
        };
        if username.is_some() != password.is_some() {
            return Err(NotifyConfigError::HalfCredentials {
                key: key("username"),
            });
        }
        let local = matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1" | "[::1]");
        if security == SmtpSecurity::Plain && password.is_some() && !local {
            return Err(NotifyConfigError::PlainAuthentication {
                key: key("security"),
            });
        }
        let from_text = self
            .from
            .as_deref()
            .ok_or_else(|| NotifyConfigError::Missing {
                key: key("from"),
                example: "from = \"备案卫士 <beian@example.com>\"",
            })?;
        let from = mailbox(&key("from"), from_text)?;
        if self.to.is_empty() {
            return Err(NotifyConfigError::Missing {
                key: key("to"),
                example: "to = [\"ops@example.com\"]",
            });
        }
        let to = self
            .to
            .iter()
            .map(|text| mailbox(&key("to"), text))
            .collect::<Result<Vec<_>, _>>()?;
        for (index, pem) in self.extra_roots_pem.iter().enumerate() {
            let usable = lettre::transport::smtp::client::Certificate::from_pem(pem.as_bytes())
                .is_ok()
                && pem.contains("-----BEGIN CERTIFICATE-----");
            if !usable {
                return Err(NotifyConfigError::BadCertificate {
                    key: key("extra_roots_pem"),
                    index,
                });
            }
        }
        Ok(EmailSettings {
            host,
            port,
            security,
            username,
            password,
            from,
            to,
            extra_roots_pem: self.extra_roots_pem.clone(),
        })
    }

    fn url_secret(
        &self,
        key: &dyn Fn(&str) -> String,
        example: &'static str,
        env: Env<'_>,
    ) -> Result<SecretUrl, NotifyConfigError> {
        let source = self.url.clone().ok_or_else(|| NotifyConfigError::Missing {
            key: key("url"),
            example,
        })?;
        let secret = resolve(&key("url"), source, env)?;
        Ok(SecretUrl::new(http_url(&key("url"), secret.expose())?))
    }
}

fn resolve(key: &str, source: SecretSource, env: Env<'_>) -> Result<Secret, NotifyConfigError> {
    let secret = match source {
        SecretSource::Literal(secret) => secret,
        SecretSource::Env(variable) => match env(&variable) {
            Some(value) if !value.trim().is_empty() => Secret::new(value),
            _ => {
                return Err(NotifyConfigError::EnvMissing {
                    key: key.to_owned(),
                    variable,
                });
            }
        },
    };
    if secret.is_empty() {
        return Err(NotifyConfigError::EmptySecret {
            key: key.to_owned(),
        });
    }
    Ok(secret)
}

/// An http(s) URL; the problem named in the error never quotes the text (it may be a token).
fn http_url(key: &str, text: &str) -> Result<Url, NotifyConfigError> {
    let url = Url::parse(text.trim()).map_err(|error| NotifyConfigError::BadUrl {
        key: key.to_owned(),
        problem: error.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(NotifyConfigError::BadUrl {
            key: key.to_owned(),
            problem: "须以 http:// 或 https:// 开头 / must start with http:// or https://".into(),
        });
    }
    Ok(url)
}

fn mailbox(key: &str, text: &str) -> Result<Mailbox, NotifyConfigError> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|error| NotifyConfigError::BadAddress {
            key: key.to_owned(),
            value: text.to_owned(),
            problem: error.to_string(),
        })
}

fn thresholds(key: &str, days: &[i64]) -> Result<Vec<u32>, NotifyConfigError> {
    let bad = || NotifyConfigError::BadThresholds {
        key: key.to_owned(),
    };
    let mut parsed = days
        .iter()
        .map(|day| u32::try_from(*day).ok().filter(|day| *day <= 3650))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(bad)?;
    parsed.sort_unstable_by(|a, b| b.cmp(a));
    let before = parsed.len();
    parsed.dedup();
    if parsed.is_empty() || parsed.len() != before {
        return Err(bad());
    }
    Ok(parsed)
}

fn bounded(
    key: &str,
    value: Option<u64>,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, NotifyConfigError> {
    match value {
        None => Ok(default),
        Some(value) if (min..=max).contains(&value) => Ok(value),
        Some(_) => Err(NotifyConfigError::OutOfRange {
            key: key.to_owned(),
            min,
            max,
        }),
    }
}

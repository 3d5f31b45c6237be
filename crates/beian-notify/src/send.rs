//! Delivering planned messages: each attempt bounded by `notify.timeout`, failed attempts
//! that may succeed later retried with doubling backoff up to `notify.attempts`, and every
//! result returned as data — a hanging or failing endpoint costs bounded time and never
//! stops the other deliveries. Failure texts from servers and libraries are scrubbed of the
//! channel's secrets before they are kept.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::channel::{
    HttpRequest, ReplyCheck, dingtalk_request, feishu_request, webhook_request, wecom_request,
};
use crate::config::{ChannelSettings, NotifySettings, Transport};
use crate::email::send_email;
use crate::error::NotifySetupError;
use crate::event::Clock;
use crate::route::Delivery;
use crate::secret::scrub;

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Failure {
    Timeout {
        after_ms: u64,
    },
    /// Could not connect or the connection broke.
    Connect {
        detail: String,
    },
    /// A non-2xx answer; `body` is the start of the reply.
    Status {
        status: u16,
        body: String,
    },
    /// A 2xx answer whose `errcode` / `code` says no (a bad signature, a rate limit).
    Rejected {
        code: i64,
        message: String,
    },
    Smtp {
        detail: String,
        retryable: bool,
    },
    Template {
        detail: String,
    },
    /// The message could not be built (e.g. an address lettre refuses).
    Build {
        detail: String,
    },
    UnknownChannel {
        name: String,
    },
    Internal {
        detail: String,
    },
}

/// Robot error codes that mean "too fast, try later": DingTalk 130101, WeCom 45009,
/// Feishu 9499 and 11232.
const RATE_LIMIT_CODES: [i64; 4] = [130_101, 45_009, 9499, 11_232];

impl Failure {
    /// Whether another attempt may succeed.
    pub fn retryable(&self) -> bool {
        match self {
            Failure::Timeout { .. } | Failure::Connect { .. } => true,
            Failure::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            Failure::Rejected { code, .. } => RATE_LIMIT_CODES.contains(code),
            Failure::Smtp { retryable, .. } => *retryable,
            Failure::Template { .. }
            | Failure::Build { .. }
            | Failure::UnknownChannel { .. }
            | Failure::Internal { .. } => false,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Timeout { after_ms } => write!(
                f,
                "{after_ms} 毫秒内无应答；检查网络或调大 notify.timeout_ms / no answer within {after_ms} ms; check the network or raise notify.timeout_ms"
            ),
            Failure::Connect { detail } => write!(
                f,
                "无法连接（{detail}）；检查地址与网络 / cannot connect ({detail}); check the address and the network"
            ),
            Failure::Status { status, body } => write!(
                f,
                "服务返回 HTTP {status}（{body}）；检查地址与令牌 / the service answered HTTP {status} ({body}); check the address and its token"
            ),
            Failure::Rejected { code, message } => write!(
                f,
                "机器人拒绝了消息（错误码 {code}：{message}）；检查签名密钥、关键词与频率限制 / the robot refused the message (code {code}: {message}); check the signing secret, keywords and rate limits"
            ),
            Failure::Smtp { detail, .. } => write!(
                f,
                "SMTP 发送失败（{detail}）；检查 smtp_host、端口、security 与账号 / SMTP delivery failed ({detail}); check smtp_host, the port, security and the account"
            ),
            Failure::Template { detail } => write!(
                f,
                "Webhook 模板无法渲染：{detail} / the webhook template failed: {detail}"
            ),
            Failure::Build { detail } => write!(
                f,
                "消息无法生成（{detail}）；检查渠道设置 / the message could not be built ({detail}); check the channel settings"
            ),
            Failure::UnknownChannel { name } => write!(
                f,
                "没有名为 \"{name}\" 的通知渠道；检查 notify.channels / no notification channel named \"{name}\"; check notify.channels"
            ),
            Failure::Internal { detail } => write!(
                f,
                "内部错误（{detail}）；请报告此问题 / internal error ({detail}); please report it"
            ),
        }
    }
}

/// How a delivery ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DeliveryStatus {
    Delivered,
    Failed { failure: Failure },
}

/// The result of one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryOutcome {
    pub channel: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// Why each attempt before the last failed, in order.
    pub earlier_failures: Vec<Failure>,
    pub elapsed: Duration,
}

impl DeliveryOutcome {
    pub fn delivered(&self) -> bool {
        self.status == DeliveryStatus::Delivered
    }
}

/// Replies are read up to this many bytes (robots answer a few dozen).
const MAX_REPLY_BYTES: usize = 64 * 1024;
/// How much of a reply a failure keeps.
const REPLY_EXCERPT_CHARS: usize = 200;
/// Backoff never grows past this.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Delivers planned messages over the configured channels.
#[derive(Clone)]
pub struct Sender {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Arc<NotifySettings>,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("channels", &self.inner.settings.channels.len())
            .finish()
    }
}

impl Sender {
    pub fn new(
        settings: Arc<NotifySettings>,
        clock: Arc<dyn Clock>,
    ) -> Result<Sender, NotifySetupError> {
        let http_error = |error: &dyn fmt::Display| NotifySetupError::HttpClient {
            detail: error.to_string(),
        };
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        // ring, as everywhere in the workspace (no aws-lc-rs C build, no OpenSSL).
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| http_error(&error))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            // A redirect would resend the body (and its signature) somewhere unconfigured.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.timeout)
            .timeout(settings.timeout)
            .user_agent(concat!(
                "beian-guard/",
                env!("CARGO_PKG_VERSION"),
                " (notify)"
            ))
            .no_proxy();
        if let Some(proxy) = &settings.proxy {
            // The proxy's own error would quote the URL (with its password): say nothing of it.
            let proxy = reqwest::Proxy::all(proxy.expose().as_str())
                .map_err(|_| http_error(&"notify.proxy"))?;
            builder = builder.proxy(proxy);
        }
        let http = builder
            .build()
            .map_err(|error| http_error(&error.without_url()))?;
        Ok(Sender {
            inner: Arc::new(Inner {
                settings,
                http,
                clock,
            }),
        })
    }

    /// Delivers every message, `notify.concurrency` at a time; outcomes in input order.
    pub async fn send(&self, deliveries: &[Delivery]) -> Vec<DeliveryOutcome> {
        let limit = Arc::new(Semaphore::new(self.inner.settings.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for (index, delivery) in deliveries.iter().cloned().enumerate() {
            let sender = self.clone();
            let limit = Arc::clone(&limit);
            tasks.spawn(async move {
                // The semaphore is never closed, so acquiring cannot fail; hold the permit
                // (or nothing) for the delivery's duration.
                let _permit = limit.acquire_owned().await.ok();
                (index, sender.send_one(&delivery).await)
            });
        }
        let mut outcomes: Vec<Option<DeliveryOutcome>> = vec![None; deliveries.len()];
        while let Some(joined) = tasks.join_next().await {
            if let Ok((index, outcome)) = joined
                && let Some(slot) = outcomes.get_mut(index)
            {
                *slot = Some(outcome);
            }
        }
        outcomes
            .into_iter()
            .zip(deliveries)
            .map(|(outcome, delivery)| {
                outcome.unwrap_or_else(|| DeliveryOutcome {
                    channel: delivery.channel.clone(),
                    status: DeliveryStatus::Failed {
                        failure: Failure::Internal {
                            detail: "delivery task ended abnormally".to_owned(),
                        },
                    },
                    attempts: 0,
                    earlier_failures: Vec::new(),
                    elapsed: Duration::ZERO,
                })
            })
            .collect()
    }

    /// Delivers one message with retries; never longer than
    /// `attempts × timeout + the backoff between them`.
    pub async fn send_one(&self, delivery: &Delivery) -> DeliveryOutcome {
        let started = Instant::now();
        let settings = &self.inner.settings;
        let outcome = |status, attempts, earlier_failures| DeliveryOutcome {
            channel: delivery.channel.clone(),
            status,
            attempts,
            earlier_failures,
            elapsed: started.elapsed(),
        };
        let Some(channel) = settings.channel(&delivery.channel) else {
            let failure = Failure::UnknownChannel {
                name: delivery.channel.clone(),
            };
            return outcome(DeliveryStatus::Failed { failure }, 0, Vec::new());
        };
        let mut failures = Vec::new();
        let mut backoff = settings.backoff;
        for attempt in 1..=settings.attempts.max(1) {
            let result = tokio::time::timeout(settings.timeout, self.attempt(channel, delivery))
                .await
                .unwrap_or_else(|_| {
                    Err(Failure::Timeout {
                        after_ms: settings.timeout.as_millis() as u64,
                    })
                });
            match result {
                Ok(()) => return outcome(DeliveryStatus::Delivered, attempt, failures),
                Err(failure) if failure.retryable() && attempt < settings.attempts => {
                    failures.push(failure);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(failure) => {
                    return outcome(DeliveryStatus::Failed { failure }, attempt, failures);
                }
            }
        }
        // Unreachable in practice: the loop returns on its last attempt.
        let failure = failures.pop().unwrap_or(Failure::Internal {
            detail: "no attempt was made".to_owned(),
        });
        outcome(
            DeliveryStatus::Failed { failure },
            settings.attempts,
            failures,
        )
    }

    async fn attempt(&self, channel: &ChannelSettings, delivery: &Delivery) -> Result<(), Failure> {
        let now = self.inner.clock.now();
        let secrets = channel.transport.secret_values();
        let request = match &channel.transport {
            Transport::Email(email) => {
                return send_email(email, &delivery.message, now, self.inner.settings.timeout)
                    .await;
            }
            Transport::Webhook(webhook) => {
                webhook_request(webhook, &delivery.message).map_err(|error| Failure::Template {
                    detail: error.to_string(),
                })?
            }
            Transport::DingTalk(robot) => dingtalk_request(robot, &delivery.message, now),
            Transport::WeCom(robot) => wecom_request(robot, &delivery.message),
            Transport::Feishu(robot) => feishu_request(robot, &delivery.message, now),
        };
        self.post(&request, &secrets).await
    }

    async fn post(&self, request: &HttpRequest, secrets: &[&str]) -> Result<(), Failure> {
        let mut builder = self
            .inner
            .http
            .post(request.url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.expose());
        }
        let timeout = self.inner.settings.timeout;
        let mut response = builder
            .send()
            .await
            .map_err(|error| http_failure(error, timeout, secrets))?;
        let status = response.status();
        let mut reply = Vec::new();
        while reply.len() < MAX_REPLY_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => reply.extend_from_slice(&chunk),
                Ok(None) => break,
                // The status is what counts; a reply cut short is read as far as it came.
                Err(_) => break,
            }
        }
        let text = scrub(&String::from_utf8_lossy(&reply), secrets);
        if !status.is_success() {
            return Err(Failure::Status {
                status: status.as_u16(),
                body: excerpt(&text),
            });
        }
        check_reply(request.reply, &text)
    }
}

fn excerpt(text: &str) -> String {
    crate::message::clean(text, REPLY_EXCERPT_CHARS)
}

/// Reads a robot's `errcode` / `code`; a reply that is not JSON counts as accepted when
/// the status was 2xx (some proxies answer with an empty body).
fn check_reply(check: ReplyCheck, text: &str) -> Result<(), Failure> {
    let keys: &[&str] = match check {
        ReplyCheck::Status => return Ok(()),
        ReplyCheck::ErrCode => &["errcode"],
        ReplyCheck::Code => &["code", "StatusCode"],
    };
    let Ok(reply) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(());
    };
    let code = keys
        .iter()
        .find_map(|key| reply.get(*key).and_then(serde_json::Value::as_i64));
    match code {
        None | Some(0) => Ok(()),
        Some(code) => {
            let message = ["errmsg", "msg", "StatusMessage"]
                .iter()
                .find_map(|key| reply.get(*key).and_then(serde_json::Value::as_str))
                .unwrap_or_default();
            Err(Failure::Rejected {
                code,
                message: excerpt(message),
            })
        }
    }
}

/// A reqwest error without its URL (which carries the token), scrubbed all the same.
fn http_failure(error: reqwest::Error, timeout: Duration, secrets: &[&str]) -> Failure {
    let timed_out = error.is_timeout();
    let error = error.without_url();
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    if timed_out {
        return Failure::Timeout {
            after_ms: timeout.as_millis() as u64,
        };
    }
    Failure::Connect {
        detail: scrub(&detail, secrets),
    }
}

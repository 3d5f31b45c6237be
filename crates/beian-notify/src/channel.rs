//! The HTTP channels' requests — DingTalk, WeCom and Feishu robots and the generic webhook —
//! built as plain data (URL, headers, JSON body, how to read the reply) from a message and
//! the time, so tests can assert exact bodies and signatures with a pinned clock.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use url::Url;

use crate::config::{RobotSettings, WebhookSettings};
use crate::message::Message;
use crate::render::{MarkdownFlavour, feishu_post, markdown, plain_text};
use crate::secret::{Secret, SecretUrl};
use crate::template::TemplateError;

/// WeCom refuses markdown content over 4096 bytes.
pub const WECOM_MAX_BYTES: usize = 4000;
/// DingTalk's documented limit is 20,000 bytes of text; stay clear of it.
pub const DINGTALK_MAX_BYTES: usize = 18_000;
/// Feishu refuses request bodies over 20 KB (JSON escaping adds to the text).
pub const FEISHU_MAX_BYTES: usize = 15_000;

/// How to tell success from the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyCheck {
    /// Any 2xx.
    Status,
    /// 2xx and `errcode` absent or 0 (DingTalk, WeCom).
    ErrCode,
    /// 2xx and `code` (or the older `StatusCode`) absent or 0 (Feishu).
    Code,
}

/// One POST with a JSON body. The URL and header values may carry tokens, so `Debug`
/// shows neither.
#[derive(Clone)]
pub struct HttpRequest {
    pub url: Url,
    pub headers: Vec<(String, Secret)>,
    pub body: String,
    pub reply: ReplyCheck,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("url", &SecretUrl::new(self.url.clone()))
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("reply", &self.reply)
            .finish()
    }
}

fn hmac_sha256_base64(key: &[u8], data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(data);
    BASE64.encode(mac.finalize().into_bytes())
}

/// DingTalk 加签: base64(HMAC-SHA256(key = secret, message = "{timestamp_ms}\n{secret}")).
/// Not yet URL-encoded.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    hmac_sha256_base64(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    )
}

/// Feishu 签名校验: base64(HMAC-SHA256(key = "{timestamp_s}\n{secret}", message = "")).
pub fn feishu_sign(secret: &str, timestamp_s: i64) -> String {
    hmac_sha256_base64(format!("{timestamp_s}\n{secret}").as_bytes(), b"")
}

/// DingTalk robot: markdown, with `timestamp` (ms) and the URL-encoded `sign` appended to
/// the webhook address when a signing secret is set.
pub fn dingtalk_request(
    robot: &RobotSettings,
    message: &Message,
    now: DateTime<Utc>,
) -> HttpRequest {
    let mut url = robot.url.expose().clone();
    if let Some(secret) = &robot.secret {
        let timestamp = now.timestamp_millis();
        // form_urlencoded escapes '+', '/' and '=' as the docs' urlEncode does.
        url.query_pairs_mut()
            .append_pair("timestamp", &timestamp.to_string())
            .append_pair("sign", &dingtalk_sign(secret.expose(), timestamp));
    }
    let document = message.document();
    let body = json!({
        "msgtype": "markdown",
        "markdown": {
            "title": document.title,
            "text": markdown(&document, MarkdownFlavour::DingTalk, Some(DINGTALK_MAX_BYTES)),
        },
    });
    HttpRequest {
        url,
        headers: Vec::new(),
        body: body.to_string(),
        reply: ReplyCheck::ErrCode,
    }
}

/// WeCom (企业微信) group robot: markdown to the `…/webhook/send?key=…` address.
pub fn wecom_request(robot: &RobotSettings, message: &Message) -> HttpRequest {
    let document = message.document();
    let body = json!({
        "msgtype": "markdown",
        "markdown": {
            "content": markdown(&document, MarkdownFlavour::WeCom, Some(WECOM_MAX_BYTES)),
        },
    });
    HttpRequest {
        url: robot.url.expose().clone(),
        headers: Vec::new(),
        body: body.to_string(),
        reply: ReplyCheck::ErrCode,
    }
}

/// Feishu (飞书) custom robot: a `post` message; signed with `timestamp` (s) and `sign` in
/// the body when a secret is set.
pub fn feishu_request(robot: &RobotSettings, message: &Message, now: DateTime<Utc>) -> HttpRequest {
    let document = message.document();
    let mut body = json!({
        "msg_type": "post",
        "content": { "post": feishu_post(&document, Some(FEISHU_MAX_BYTES)) },
    });
    if let (Some(secret), Some(object)) = (&robot.secret, body.as_object_mut()) {
        let timestamp = now.timestamp();
        object.insert("timestamp".into(), json!(timestamp.to_string()));
        object.insert(
            "sign".into(),
            json!(feishu_sign(secret.expose(), timestamp)),
        );
    }
    HttpRequest {
        url: robot.url.expose().clone(),
        headers: Vec::new(),
        body: body.to_string(),
        reply: ReplyCheck::Code,
    }
}

/// Generic webhook: the channel's template rendered to JSON.
pub fn webhook_request(
    webhook: &WebhookSettings,
    message: &Message,
) -> Result<HttpRequest, TemplateError> {
    Ok(HttpRequest {
        url: webhook.url.expose().clone(),
        headers: webhook.headers.clone(),
        body: webhook.template.render(message)?,
        reply: ReplyCheck::Status,
    })
}

/// The plain-text rendering (email bodies).
pub fn text_body(message: &Message) -> String {
    plain_text(&message.document(), None)
}

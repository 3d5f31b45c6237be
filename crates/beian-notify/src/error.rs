//! Why a notification configuration or sender could not be set up. Every message names the
//! key (`notify.channels[1].url`) and the fix, Chinese first — and never a secret's value:
//! the variants carry key names, kinds and library messages that do not quote input.

use crate::template::TemplateError;

/// A refused `[notify]` configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyConfigError {
    /// The TOML did not parse; the message is the parser's, without the source line (which
    /// could hold a secret).
    #[error(
        "[notify] 第 {line} 行无法解析：{message}；请改正该行 / line {line} of [notify] does not parse: {message}; fix that line"
    )]
    Parse { line: usize, message: String },
    #[error("{key} 未设置，请添加，例如 {example} / {key} is not set; add it, e.g. {example}")]
    Missing { key: String, example: &'static str },
    #[error(
        "{key} 不适用于 kind = \"{kind}\"，请删除该键 / {key} does not apply to kind = \"{kind}\"; remove the key"
    )]
    NotForKind { key: String, kind: &'static str },
    #[error(
        "{key} = \"{value}\" 无效，可用：{allowed} / {key} = \"{value}\" is not valid; use one of: {allowed}"
    )]
    UnknownValue {
        key: String,
        value: String,
        allowed: &'static str,
    },
    #[error(
        "{key} 须在 {min} 到 {max} 之间，请改正 / {key} must be between {min} and {max}; fix the value"
    )]
    OutOfRange { key: String, min: u64, max: u64 },
    /// The URL itself is not repeated: it may carry a token.
    #[error(
        "{key} 不是有效的 http(s) 地址（{problem}）；请从机器人或服务设置中复制完整地址 / {key} is not a valid http(s) URL ({problem}); copy the whole address from the robot's or service's settings"
    )]
    BadUrl { key: String, problem: String },
    #[error(
        "{key} 缺少 {parameter} 参数；请从机器人设置中复制完整的 Webhook 地址 / {key} lacks the {parameter} parameter; copy the whole webhook address from the robot's settings"
    )]
    UrlLacksParameter {
        key: String,
        parameter: &'static str,
    },
    #[error(
        "{key} 须为 0 到 3650 之间、互不相同的天数，如 [90, 30, 7, 0] / {key} must be distinct day counts between 0 and 3650, e.g. [90, 30, 7, 0]"
    )]
    BadThresholds { key: String },
    #[error(
        "通知渠道名称 \"{name}\" 重复（notify.channels[{index}]）；每个渠道须有唯一的 name / channel name \"{name}\" is used twice (notify.channels[{index}]); give every channel a unique name"
    )]
    DuplicateName { name: String, index: usize },
    #[error(
        "{key} 中的邮件地址 \"{value}\" 无效（{problem}）；请写成 ops@example.com 或 \"运维 <ops@example.com>\" / the address \"{value}\" in {key} is not valid ({problem}); write ops@example.com or \"Ops <ops@example.com>\""
    )]
    BadAddress {
        key: String,
        value: String,
        problem: String,
    },
    #[error(
        "{key} 引用的环境变量 {variable} 未设置或为空；请设置该变量，或直接写入值 / the environment variable {variable} named by {key} is not set or empty; set it, or write the value inline"
    )]
    EnvMissing { key: String, variable: String },
    #[error("{key} 为空；请填写值，或删除该键 / {key} is empty; give a value or remove the key")]
    EmptySecret { key: String },
    #[error(
        "{key}：\"{name}\" 不是有效的 HTTP 头名称；只用字母、数字和 - / {key}: \"{name}\" is not a valid HTTP header name; use letters, digits and -"
    )]
    BadHeaderName { key: String, name: String },
    #[error(
        "{key}：security = \"plain\" 时密码会以明文发送，只允许本机中继（127.0.0.1、localhost）；请改用 security = \"starttls\" 或 \"tls\" / {key}: with security = \"plain\" the password travels in clear text, which is allowed only to a local relay (127.0.0.1, localhost); use security = \"starttls\" or \"tls\""
    )]
    PlainAuthentication { key: String },
    #[error(
        "{key}：设置了 username 就须设置 password（反之亦然） / {key}: username and password go together; set both or neither"
    )]
    HalfCredentials { key: String },
    #[error(
        "{key}[{index}] 不是可用的 PEM 证书；请给出以 -----BEGIN CERTIFICATE----- 开头的文本 / {key}[{index}] is not a usable PEM certificate; give text starting with -----BEGIN CERTIFICATE-----"
    )]
    BadCertificate { key: String, index: usize },
    #[error("{key}：{source}")]
    Template {
        key: String,
        #[source]
        source: TemplateError,
    },
}

/// Why the sender could not be built (local setup, not a remote failure).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifySetupError {
    #[error(
        "通知用的 HTTP 客户端无法创建（{detail}）；请检查 notify.proxy 与证书设置 / cannot build the HTTP client for notifications ({detail}); check notify.proxy and the certificate settings"
    )]
    HttpClient { detail: String },
}

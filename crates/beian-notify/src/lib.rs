//! Beian Guard notifications (DESIGN §3.7): email over SMTP, a templated generic webhook,
//! and the DingTalk, WeCom and Feishu group robots.
//!
//! The flow is three steps, each testable on its own:
//! 1. [`Router::route`] / [`Router::digest`] — pure: events and the [`SentLog`] in, a
//!    [`Plan`] out (the deliveries to make, and a verdict for everything not sent).
//! 2. [`Sender::send`] — delivers with per-attempt timeouts and retries with backoff, and
//!    returns every outcome as data ([`DeliveryOutcome`]); it never panics on a remote.
//! 3. [`Plan::commit`] — records what was delivered, so the same problem is not announced
//!    twice and a failed delivery is tried again next time.
//!
//! Messages are Chinese first (one English line closes them) and always name the site, the
//! domain, the filing number, the rule, the severity and the finding's link. Secrets live
//! in [`Secret`] / [`SecretUrl`], which print as `***` everywhere.

pub mod channel;
pub mod config;
mod config_toml;
pub mod email;
pub mod error;
pub mod event;
pub mod message;
pub mod render;
pub mod route;
pub mod sample;
pub mod secret;
pub mod send;
pub mod template;

pub use config::{
    ChannelKind, ChannelSettings, DeliveryMode, EmailSettings, NotifySettings, RobotSettings,
    RoutingRules, SmtpSecurity, Transport, WebhookSettings,
};
pub use config_toml::{ChannelToml, NotifyToml};
pub use error::{NotifyConfigError, NotifySetupError};
pub use event::{Clock, EventKind, FixedClock, NotificationEvent, SystemClock};
pub use message::{DigestMessage, EventMessage, Message};
pub use route::{
    Decision, Delivery, LogEntry, MemorySentLog, Plan, Router, SentLog, SentMark, SentState,
    Verdict,
};
pub use secret::{Secret, SecretSource, SecretUrl};
pub use send::{DeliveryOutcome, DeliveryStatus, Failure, Sender};
pub use template::{DEFAULT_WEBHOOK_TEMPLATE, TemplateError, WebhookTemplate};

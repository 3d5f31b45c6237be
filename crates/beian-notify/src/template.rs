//! The generic webhook's body: a user-editable minijinja template that must render JSON.
//!
//! Every `{{ value }}` is written as JSON (auto-escaping in JSON mode), so
//! `{"text": {{ text }}}` is already valid and attacker-controlled text cannot break out of
//! its string. Undefined names are errors, templates run on a fuel budget (a runaway loop
//! cannot hang the sender), and a template is tried on sample messages when the
//! configuration is loaded, so mistakes surface with their line number before any event.

use std::fmt;
use std::sync::Arc;

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use serde::Serialize;

use crate::message::{EventMessage, Message};
use crate::render::plain_text;

/// The template used when a webhook channel names none; also a starting point to copy.
pub const DEFAULT_WEBHOOK_TEMPLATE: &str = r#"{
  "source": "beian-guard",
  "kind": {{ kind }},
  "title": {{ title }},
  "text": {{ text }},
  "date": {{ date }},
  "events": {{ events }}
}"#;

/// The names a template may use (spelled once: error messages quote it).
macro_rules! template_fields {
    () => {
        "kind, kind_zh, title, text, date, event, events; each event: kind, kind_zh, \
site_name, site_url, groups, domain, filing_number, rule_id, rule_title_zh, rule_title_en, \
severity, severity_zh, previous_severity, days_left, threshold, explanation_zh, finding_id, \
finding_url, first_seen, last_seen"
    };
}

/// The names a template may use.
pub const TEMPLATE_FIELDS: &str = template_fields!();

const NAME: &str = "webhook";
/// Instructions one render may spend; generous for any sane template over a big digest.
const FUEL: u64 = 2_000_000;

/// A compiled webhook template.
#[derive(Clone)]
pub struct WebhookTemplate {
    env: Arc<Environment<'static>>,
    source_lines: usize,
}

impl fmt::Debug for WebhookTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookTemplate({} lines)", self.source_lines)
    }
}

/// Why a template was refused or failed to render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "模板第 {line} 行{problem_zh}（{detail}）；{fix_zh} / template line {line}: {problem_en} ({detail}); {fix_en}"
    )]
    Template {
        line: usize,
        problem_zh: &'static str,
        problem_en: &'static str,
        detail: String,
        fix_zh: &'static str,
        fix_en: &'static str,
    },
    /// The template rendered, but not to JSON; `line` is in the rendered body.
    #[error(
        "模板渲染结果不是 JSON（第 {line} 行第 {column} 列：{detail}）；值已自动写成 JSON，不要再给 {{{{ x }}}} 加引号 / the template does not render JSON (line {line}, column {column}: {detail}); values are written as JSON already, so do not wrap {{{{ x }}}} in quotes"
    )]
    NotJson {
        line: usize,
        column: usize,
        detail: String,
    },
}

impl WebhookTemplate {
    pub fn default_template() -> Result<WebhookTemplate, TemplateError> {
        WebhookTemplate::compile(DEFAULT_WEBHOOK_TEMPLATE)
    }

    /// Compiles `source` and renders it for a sample event and a sample digest.
    pub fn compile(source: &str) -> Result<WebhookTemplate, TemplateError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Json);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(64);
        env.add_template_owned(NAME, source.to_owned())
            .map_err(|error| template_error(&error))?;
        let template = WebhookTemplate {
            env: Arc::new(env),
            source_lines: source.lines().count(),
        };
        for sample in crate::sample::messages() {
            template.render(&sample)?;
        }
        Ok(template)
    }

    /// The JSON body for `message`.
    pub fn render(&self, message: &Message) -> Result<String, TemplateError> {
        let template = self
            .env
            .get_template(NAME)
            .map_err(|error| template_error(&error))?;
        let body = template
            .render(Value::from(Serde(context(message))))
            .map_err(|error| template_error(&error))?;
        if let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(&body) {
            return Err(TemplateError::NotJson {
                line: error.line(),
                column: error.column(),
                detail: error.to_string(),
            });
        }
        Ok(body)
    }
}

fn template_error(error: &minijinja::Error) -> TemplateError {
    let (problem_zh, problem_en, fix_zh, fix_en) = match error.kind() {
        ErrorKind::SyntaxError | ErrorKind::BadEscape => (
            "语法错误",
            "syntax error",
            "检查 {{ }} 与 {% %} 是否成对、{% if %}/{% for %} 是否有对应的 end",
            "check that {{ }} and {% %} pair up and every {% if %}/{% for %} has its end tag",
        ),
        ErrorKind::UndefinedError => (
            "使用了未定义的名称",
            "uses an undefined name",
            concat!(
                "可用的名称：",
                template_fields!(),
                "；每日汇总中 event 为 null，请用 {% if event %} 判断"
            ),
            concat!(
                "the names available are ",
                template_fields!(),
                "; in a digest `event` is null, so guard it with {% if event %}"
            ),
        ),
        ErrorKind::UnknownFilter | ErrorKind::UnknownFunction | ErrorKind::UnknownTest => (
            "使用了未知的过滤器或函数",
            "uses an unknown filter or function",
            "只可用 minijinja 内置的过滤器，如 length、join、upper",
            "use minijinja's built-in filters only, e.g. length, join, upper",
        ),
        _ => (
            "无法渲染",
            "cannot be rendered",
            "简化该行的表达式（每日汇总中 event 为 null，请用 {% if event %} 判断），或从默认模板重新开始",
            "simplify the expression on that line (in a digest `event` is null: guard it with {% if event %}), or start again from the default template",
        ),
    };
    TemplateError::Template {
        line: error.line().unwrap_or(1),
        problem_zh,
        problem_en,
        detail: error
            .detail()
            .map(str::to_owned)
            .unwrap_or_else(|| error.kind().to_string()),
        fix_zh,
        fix_en,
    }
}

#[derive(Serialize)]
struct Context<'a> {
    kind: &'static str,
    kind_zh: &'static str,
    title: String,
    text: String,
    /// The digest's day, `null` for single events.
    date: Option<String>,
    /// The single event, `null` in a digest.
    event: Option<EventContext<'a>>,
    /// The digest's entries, or the single event as a one-element list.
    events: Vec<EventContext<'a>>,
}

#[derive(Serialize)]
struct EventContext<'a> {
    kind: &'static str,
    kind_zh: &'static str,
    site_name: &'a str,
    site_url: &'a str,
    groups: &'a [String],
    domain: &'a str,
    filing_number: &'a str,
    rule_id: &'a str,
    rule_title_zh: &'a str,
    rule_title_en: &'a str,
    severity: &'static str,
    severity_zh: &'static str,
    previous_severity: Option<&'static str>,
    days_left: Option<i64>,
    threshold: Option<u32>,
    explanation_zh: &'a str,
    finding_id: i64,
    finding_url: &'a str,
    first_seen: String,
    last_seen: String,
}

fn event_context(message: &EventMessage) -> EventContext<'_> {
    let event = &message.event;
    EventContext {
        kind: message.kind.as_str(),
        kind_zh: message.kind.label_zh(),
        site_name: &event.site_name,
        site_url: &event.site_url,
        groups: &event.groups,
        domain: &event.domain,
        filing_number: &event.filing_number,
        rule_id: &event.rule_id,
        rule_title_zh: &event.rule_title_zh,
        rule_title_en: &event.rule_title_en,
        severity: event.severity.as_str(),
        severity_zh: event.severity.label_zh(),
        previous_severity: message.previous_severity.map(|severity| severity.as_str()),
        days_left: match message.kind {
            crate::event::EventKind::Threshold { days_left } => Some(days_left),
            _ => None,
        },
        threshold: message.threshold,
        explanation_zh: &event.explanation_zh,
        finding_id: event.finding_id,
        finding_url: &message.finding_url,
        first_seen: event.first_seen.to_rfc3339(),
        last_seen: event.last_seen.to_rfc3339(),
    }
}

fn context(message: &Message) -> Context<'_> {
    let document = message.document();
    let text = plain_text(&document, None);
    match message {
        Message::Event(event) => Context {
            kind: event.kind.as_str(),
            kind_zh: event.kind.label_zh(),
            title: document.title,
            text,
            date: None,
            event: Some(event_context(event)),
            events: vec![event_context(event)],
        },
        Message::Digest(digest) => Context {
            kind: "digest",
            kind_zh: "每日汇总",
            title: document.title,
            text,
            date: Some(digest.date.format("%Y-%m-%d").to_string()),
            event: None,
            events: digest.entries.iter().map(event_context).collect(),
        },
    }
}

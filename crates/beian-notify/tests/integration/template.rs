//! Webhook templates: errors name the line and the fix; output is JSON whatever the data;
//! a runaway template is stopped.

use std::time::{Duration, Instant};

use beian_notify::sample;
use beian_notify::{TemplateError, WebhookTemplate};

fn refuse(source: &str) -> TemplateError {
    WebhookTemplate::compile(source).expect_err("must be refused")
}

#[test]
fn a_syntax_error_names_its_line_and_the_fix() {
    let error = refuse("{\n  \"title\": {{ title }},\n  \"text\": {{ text }\n}");
    let shown = error.to_string();
    assert!(
        matches!(error, TemplateError::Template { line: 3, .. }),
        "{error:?}"
    );
    assert!(shown.starts_with("模板第 3 行语法错误"), "{shown}");
    assert!(shown.contains("template line 3: syntax error"), "{shown}");
    assert!(
        shown.contains("check that {{ }} and {% %} pair up"),
        "{shown}"
    );
}

#[test]
fn an_undefined_name_lists_the_names_available() {
    let error = refuse("{\"title\": {{ titel }}}");
    let shown = error.to_string();
    assert!(
        matches!(error, TemplateError::Template { line: 1, .. }),
        "{error:?}"
    );
    assert!(shown.contains("uses an undefined name"), "{shown}");
    assert!(
        shown.contains("kind, kind_zh, title, text, date, event, events"),
        "{shown}"
    );
}

#[test]
fn quoting_a_value_again_is_explained() {
    let error = refuse("{\"title\": \"{{ title }}\"}");
    assert!(
        matches!(error, TemplateError::NotJson { line: 1, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("do not wrap {{ x }} in quotes"),
        "{error}"
    );
}

#[test]
fn a_template_that_breaks_on_digests_is_refused_at_load() {
    let error = refuse("{\"site\": {{ event.site_name }}}");
    let shown = error.to_string();
    assert!(shown.contains("{% if event %}"), "{shown}");
    // Guarded, it is fine.
    let template = WebhookTemplate::compile(
        "{\"site\": {% if event %}{{ event.site_name }}{% else %}{{ events | length }}{% endif %}}",
    )
    .expect("a guarded template compiles");
    for message in sample::messages() {
        let body = template.render(&message).expect("renders");
        serde_json::from_str::<serde_json::Value>(&body).expect("JSON");
    }
}

#[test]
fn a_runaway_template_is_stopped() {
    let started = Instant::now();
    let error = refuse(
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}{}",
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(error, TemplateError::Template { .. }), "{error:?}");
}

#[test]
fn the_default_template_renders_every_sample_as_json() {
    let template = WebhookTemplate::default_template().expect("the default compiles");
    for message in sample::messages() {
        let body = template.render(&message).expect("renders");
        let value: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(value["kind"], message.kind_str());
        let events = value["events"].as_array().expect("a list");
        assert!(!events.is_empty());
        // Hostile evidence text survives as data.
        assert_eq!(
            events[0]["explanation_zh"],
            "标题被替换为 \"<script>alert(1)</script> 澳门赌场\"\n并跳转"
        );
    }
}

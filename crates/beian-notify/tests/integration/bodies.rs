//! The exact request each HTTP channel makes, received by a local endpoint, and the robot
//! signatures checked against values computed independently (Python's hmac/base64 with the
//! DingTalk and Feishu documentation's recipes) for the pinned clock.

use std::sync::Arc;

use beian_notify::channel::{dingtalk_sign, feishu_sign};
use beian_notify::{
    DeliveryOutcome, EventKind, FixedClock, MemorySentLog, NotificationEvent, Router, Sender,
};
use serde_json::json;

use crate::support::{Endpoint, NOW_MS, event, now, settings};

pub const TITLE: &str = "【备案卫士】新问题·严重：页面被植入赌博内容 — 示例公司官网（example.cn）";
pub const NOTE_EN: &str = "New finding: Page hijacked with gambling content — site 示例公司官网, domain example.cn, filing 京ICP备12345678号-1, severity critical.";

/// The plain text of the opened hijack event (email body, webhook `text`).
pub const TEXT: &str = "【备案卫士】新问题·严重：页面被植入赌博内容 — 示例公司官网（example.cn）

严重程度：严重（critical）
网站：示例公司官网（https://www.example.cn/）
域名：example.cn
备案号：京ICP备12345678号-1
规则：页面被植入赌博内容 / Page hijacked with gambling content（content.hijack）
说明：百度来源访问跳转到博彩站
首次发现：2025-01-02 08:00（北京时间）
最近发现：2025-01-03 08:00（北京时间）
查看详情：https://beian.example.com/findings/42

---
New finding: Page hijacked with gambling content — site 示例公司官网, domain example.cn, filing 京ICP备12345678号-1, severity critical.
";

/// Routes `events` through a one-channel configuration and sends what it plans.
pub async fn deliver(channel_toml: &str, events: &[NotificationEvent]) -> Vec<DeliveryOutcome> {
    let text = format!(
        "base_url = \"https://beian.example.com\"\nbackoff_ms = 10\ntimeout_ms = 5000\n{channel_toml}"
    );
    let settings = Arc::new(settings(&text));
    let plan = Router::new(Arc::clone(&settings)).route(events, &MemorySentLog::new());
    let sender = Sender::new(settings, Arc::new(FixedClock::new(now()))).expect("a sender");
    sender.send(&plan.deliveries).await
}

fn assert_delivered(outcomes: &[DeliveryOutcome]) {
    assert_eq!(outcomes.len(), 1, "{outcomes:#?}");
    assert!(outcomes[0].delivered(), "{outcomes:#?}");
    assert_eq!(outcomes[0].attempts, 1);
}

#[test]
fn signatures_match_the_documented_recipes() {
    // python: base64(hmac(secret, f"{ts}\n{secret}", sha256))
    assert_eq!(
        dingtalk_sign("SEC0123456789abcdef", NOW_MS),
        "HBnUAtoAES85k7PprkH57izZsu71A+6EKunPHy3tA1A="
    );
    // python: base64(hmac(f"{ts}\n{secret}", b"", sha256))
    assert_eq!(
        feishu_sign("feishu-secret-xyz", NOW_MS / 1000),
        "3m4g7Iv5HfTaqayvgTVtMKdnIeqY34Thic5ktX4mgu4="
    );
    assert_ne!(
        dingtalk_sign("SEC0123456789abcdef", NOW_MS + 1),
        dingtalk_sign("SEC0123456789abcdef", NOW_MS)
    );
}

#[tokio::test]
async fn dingtalk_signed_markdown() {
    let endpoint = Endpoint::ok().await;
    let channel = format!(
        "[[channels]]\nname = \"钉钉\"\nkind = \"dingtalk\"\nurl = \"{}\"\nsecret = \"SECtest0\"\n",
        endpoint.url("/robot/send?access_token=tok123456789")
    );
    assert_delivered(&deliver(&channel, &[event(EventKind::Opened)]).await);
    let request = endpoint.only_request();
    // The signature has '+', '/' and '=': all three must arrive URL-encoded.
    assert_eq!(
        request.target,
        "/robot/send?access_token=tok123456789&timestamp=1735862400000&sign=8FwABaZfjdu9cgIJ6uvAzVrXhNj%2BtRxE9X9T%2FreR1dI%3D"
    );
    let query = request.query();
    assert_eq!(
        query.get("sign").map(String::as_str),
        Some("8FwABaZfjdu9cgIJ6uvAzVrXhNj+tRxE9X9T/reR1dI=")
    );
    assert_eq!(
        query.get("timestamp").map(String::as_str),
        Some(NOW_MS.to_string().as_str())
    );
    assert_eq!(
        request.headers.get("content-type").map(String::as_str),
        Some("application/json; charset=utf-8")
    );
    let text = "### 【备案卫士】新问题·严重：页面被植入赌博内容 — 示例公司官网（example.cn）\n\n\
**严重程度**：严重（critical）\n\n\
**网站**：示例公司官网（https:／／www.example.cn/）\n\n\
**域名**：example.cn\n\n\
**备案号**：京ICP备12345678号-1\n\n\
**规则**：页面被植入赌博内容 / Page hijacked with gambling content（content.hijack）\n\n\
**说明**：百度来源访问跳转到博彩站\n\n\
**首次发现**：2025-01-02 08:00（北京时间）\n\n\
**最近发现**：2025-01-03 08:00（北京时间）\n\n\
[查看详情](https://beian.example.com/findings/42)\n\n\
> New finding: Page hijacked with gambling content — site 示例公司官网, domain example.cn, filing 京ICP备12345678号-1, severity critical.";
    assert_eq!(
        request.json(),
        json!({ "msgtype": "markdown", "markdown": { "title": TITLE, "text": text } })
    );
}

#[tokio::test]
async fn dingtalk_without_secret_is_not_signed() {
    let endpoint = Endpoint::ok().await;
    let channel = format!(
        "[[channels]]\nname = \"钉钉\"\nkind = \"dingtalk\"\nurl = \"{}\"\n",
        endpoint.url("/robot/send?access_token=tok123456789")
    );
    assert_delivered(&deliver(&channel, &[event(EventKind::Opened)]).await);
    assert_eq!(
        endpoint.only_request().target,
        "/robot/send?access_token=tok123456789"
    );
}

#[tokio::test]
async fn wecom_markdown() {
    let endpoint = Endpoint::ok().await;
    let channel = format!(
        "[[channels]]\nname = \"企业微信\"\nkind = \"wecom\"\nurl = \"{}\"\n",
        endpoint.url("/cgi-bin/webhook/send?key=k-123456789")
    );
    assert_delivered(&deliver(&channel, &[event(EventKind::Opened)]).await);
    let request = endpoint.only_request();
    assert_eq!(request.target, "/cgi-bin/webhook/send?key=k-123456789");
    let content = "### 【备案卫士】新问题·严重：页面被植入赌博内容 — 示例公司官网（example.cn）\n\
**严重程度**：严重（critical）\n\
**网站**：示例公司官网（https:／／www.example.cn/）\n\
**域名**：example.cn\n\
**备案号**：京ICP备12345678号-1\n\
**规则**：页面被植入赌博内容 / Page hijacked with gambling content（content.hijack）\n\
**说明**：百度来源访问跳转到博彩站\n\
**首次发现**：2025-01-02 08:00（北京时间）\n\
**最近发现**：2025-01-03 08:00（北京时间）\n\
[查看详情](https://beian.example.com/findings/42)\n\
> New finding: Page hijacked with gambling content — site 示例公司官网, domain example.cn, filing 京ICP备12345678号-1, severity critical.";
    assert_eq!(
        request.json(),
        json!({ "msgtype": "markdown", "markdown": { "content": content } })
    );
}

#[tokio::test]
async fn feishu_signed_post() {
    let endpoint = Endpoint::ok().await;
    let channel = format!(
        "[[channels]]\nname = \"飞书\"\nkind = \"feishu\"\nurl = \"{}\"\nsecret = \"feishu-secret-xyz\"\n",
        endpoint.url("/open-apis/bot/v2/hook/abcdefabcdefabcdef")
    );
    assert_delivered(&deliver(&channel, &[event(EventKind::Opened)]).await);
    let request = endpoint.only_request();
    assert_eq!(request.target, "/open-apis/bot/v2/hook/abcdefabcdefabcdef");
    let line = |text: &str| json!([{ "tag": "text", "text": text }]);
    assert_eq!(
        request.json(),
        json!({
            "timestamp": "1735862400",
            "sign": "3m4g7Iv5HfTaqayvgTVtMKdnIeqY34Thic5ktX4mgu4=",
            "msg_type": "post",
            "content": { "post": { "zh_cn": {
                "title": TITLE,
                "content": [
                    line("严重程度：严重（critical）"),
                    line("网站：示例公司官网（https://www.example.cn/）"),
                    line("域名：example.cn"),
                    line("备案号：京ICP备12345678号-1"),
                    line("规则：页面被植入赌博内容 / Page hijacked with gambling content（content.hijack）"),
                    line("说明：百度来源访问跳转到博彩站"),
                    line("首次发现：2025-01-02 08:00（北京时间）"),
                    line("最近发现：2025-01-03 08:00（北京时间）"),
                    json!([{ "tag": "a", "text": "查看详情", "href": "https://beian.example.com/findings/42" }]),
                    line(NOTE_EN),
                ],
            } } },
        })
    );
}

#[tokio::test]
async fn webhook_default_template() {
    let endpoint = Endpoint::start(vec![crate::support::Answer::Reply(204, "")]).await;
    let channel = format!(
        "[[channels]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\nheaders = {{ Authorization = \"Bearer hook-token-123456\" }}\n",
        endpoint.url("/beian?token=t-1234567890")
    );
    assert_delivered(&deliver(&channel, &[event(EventKind::Opened)]).await);
    let request = endpoint.only_request();
    assert_eq!(request.target, "/beian?token=t-1234567890");
    assert_eq!(
        request.headers.get("authorization").map(String::as_str),
        Some("Bearer hook-token-123456")
    );
    let event = json!({
        "kind": "opened", "kind_zh": "新问题",
        "site_name": "示例公司官网", "site_url": "https://www.example.cn/", "groups": ["客户A"],
        "domain": "example.cn", "filing_number": "京ICP备12345678号-1",
        "rule_id": "content.hijack", "rule_title_zh": "页面被植入赌博内容",
        "rule_title_en": "Page hijacked with gambling content",
        "severity": "critical", "severity_zh": "严重", "previous_severity": null,
        "days_left": null, "threshold": null,
        "explanation_zh": "百度来源访问跳转到博彩站",
        "finding_id": 42, "finding_url": "https://beian.example.com/findings/42",
        "first_seen": "2025-01-02T00:00:00+00:00", "last_seen": "2025-01-03T00:00:00+00:00",
    });
    assert_eq!(
        request.json(),
        json!({
            "source": "beian-guard", "kind": "opened", "title": TITLE, "text": TEXT,
            "date": null, "events": [event],
        })
    );
}

#[tokio::test]
async fn webhook_custom_template_escapes_hostile_text() {
    let endpoint = Endpoint::ok().await;
    let template = r#"{"msg": {{ event.explanation_zh if event else title }}, "site": {{ events[0].site_name }}, "n": {{ events | length }}}"#;
    let channel = format!(
        "[[channels]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\ntemplate = '''{template}'''\n",
        endpoint.url("/hook")
    );
    let mut hostile = event(EventKind::Opened);
    hostile.explanation_zh = "\"}, \"pwned\": true, \"x\": {\"</script>\n\\".to_owned();
    hostile.site_name = "站点\u{202E}名".to_owned();
    assert_delivered(&deliver(&channel, &[hostile.clone()]).await);
    assert_eq!(
        endpoint.only_request().json(),
        json!({ "msg": hostile.explanation_zh, "site": hostile.site_name, "n": 1 })
    );
}

#[tokio::test]
async fn markdown_neutralises_hostile_text() {
    let endpoint = Endpoint::ok().await;
    let channel = format!(
        "[[channels]]\nname = \"企业微信\"\nkind = \"wecom\"\nurl = \"{}\"\n",
        endpoint.url("/cgi-bin/webhook/send?key=k-123456789")
    );
    let mut hostile = event(EventKind::Opened);
    hostile.explanation_zh =
        "标题被替换为 [点我领奖](http://casino.example/x) <font color=\"red\">\n### 假标题 \u{202E}moc.elpmaxe"
            .to_owned();
    assert_delivered(&deliver(&channel, &[hostile]).await);
    let body = endpoint.only_request().json();
    let content = body
        .pointer("/markdown/content")
        .and_then(|value| value.as_str())
        .expect("markdown content");
    let explanation = content
        .lines()
        .find(|line| line.starts_with("**说明**"))
        .expect("an explanation line");
    assert_eq!(
        explanation,
        "**说明**：标题被替换为 ［点我领奖］（http:／／casino.example/x） ＜font color=＂red＂＞ ＃＃＃ 假标题 moc.elpmaxe"
    );
    // The only link is ours; the only heading is ours.
    assert_eq!(content.matches("](").count(), 1, "{content}");
    assert_eq!(content.matches("###").count(), 1, "{content}");
}

//! `[notify]` validation: unknown keys, keys of another kind, missing and bad values, each
//! refused with the key and the fix — and secrets never shown back, in the settings' Debug,
//! in any error, or in a request's Debug.

use beian_notify::channel::dingtalk_request;
use beian_notify::{
    DeliveryMode, EventKind, Message, NotifyConfigError, NotifySettings, SmtpSecurity, Transport,
};
use serde::Deserialize;

use crate::support::{event, now, settings_with_env};

const SECRETS: [&str; 7] = [
    "smtp-pass-5f3a9c",
    "SECding-7d1e2b",
    "ding-token-8c4f6a",
    "wecom-key-3b9e1d",
    "feishu-hook-2a7c5e",
    "hook-bearer-9e2d4f",
    "proxy-pass-6b8a3c",
];

const FULL: &str = r#"
base_url = "https://beian.example.com/app"
proxy = "http://user:proxy-pass-6b8a3c@127.0.0.1:3128"
thresholds = [60, 14, 0]

[[channels]]
name = "mail"
kind = "email"
smtp_host = "smtp.example.com"
username = "beian@example.com"
password = { env = "SMTP_PASSWORD" }
from = "备案卫士 <beian@example.com>"
to = ["ops@example.com"]
severities = ["high", "critical"]

[[channels]]
name = "ding"
kind = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=ding-token-8c4f6a"
secret = "SECding-7d1e2b"
groups = ["客户A"]
mode = "both"

[[channels]]
name = "wecom"
kind = "wecom"
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-3b9e1d"
recovery = false
thresholds = [7]

[[channels]]
name = "feishu"
kind = "feishu"
url = "https://open.feishu.cn/open-apis/bot/v2/hook/feishu-hook-2a7c5e"

[[channels]]
name = "hook"
kind = "webhook"
url = "https://hooks.example.com/beian"
headers = { Authorization = "Bearer hook-bearer-9e2d4f" }
"#;

fn full() -> NotifySettings {
    settings_with_env(FULL, &[("SMTP_PASSWORD", "smtp-pass-5f3a9c")])
}

fn refuse(text: &str) -> NotifyConfigError {
    NotifySettings::from_toml_with_env(text, &|_| None).expect_err("must be refused")
}

fn assert_no_secret(shown: &str) {
    for secret in SECRETS {
        assert!(!shown.contains(secret), "{secret} shown in: {shown}");
    }
}

#[test]
fn a_full_configuration_parses() {
    let settings = full();
    assert_eq!(settings.base_url.as_str(), "https://beian.example.com/app/");
    assert_eq!(
        settings.finding_url(42),
        "https://beian.example.com/app/findings/42"
    );
    assert_eq!(settings.channels.len(), 5);
    let mail = settings.channel("mail").expect("mail");
    let Transport::Email(email) = &mail.transport else {
        panic!("an email channel");
    };
    assert_eq!(email.security, SmtpSecurity::StartTls);
    assert_eq!(email.port, 587);
    assert_eq!(
        email.password.as_ref().map(|p| p.expose()),
        Some("smtp-pass-5f3a9c")
    );
    assert_eq!(
        mail.routing.thresholds,
        vec![60, 14, 0],
        "the [notify] default"
    );
    let ding = settings.channel("ding").expect("ding");
    assert_eq!(ding.routing.mode, DeliveryMode::Both);
    assert_eq!(ding.routing.groups, vec!["客户A".to_owned()]);
    let wecom = settings.channel("wecom").expect("wecom");
    assert!(!wecom.routing.recovery);
    assert_eq!(wecom.routing.thresholds, vec![7]);
}

#[test]
fn secrets_are_not_in_the_settings_debug_or_requests() {
    let settings = full();
    let shown = format!("{settings:?} {settings:#?}");
    assert_no_secret(&shown);
    assert!(shown.contains("***"));
    assert!(
        shown.contains("oapi.dingtalk.com"),
        "the host may show: {shown}"
    );
    let Transport::DingTalk(robot) = &settings.channel("ding").expect("ding").transport else {
        panic!("a DingTalk channel");
    };
    let request = dingtalk_request(robot, &Message::Event(sample_message()), now());
    assert_no_secret(&format!("{request:?}"));
    assert_no_secret(&serde_json::to_string(&robot.url).expect("serialises"));
}

fn sample_message() -> beian_notify::EventMessage {
    beian_notify::EventMessage {
        kind: EventKind::Opened,
        event: event(EventKind::Opened),
        previous_severity: None,
        threshold: None,
        finding_url: "https://beian.example.com/findings/42".to_owned(),
    }
}

/// Broken configurations, each holding secrets; no error may show one.
const BROKEN: [&str; 13] = [
    // a syntax error on the password's own line
    "[[channels]]\nname = \"m\"\nkind = \"email\"\npassword = \"smtp-pass-5f3a9c\" oops\n",
    // a password that is not a string
    "[[channels]]\nname = \"m\"\nkind = \"email\"\npassword = 5",
    // an unknown key next to secrets
    "[[channels]]\nname = \"d\"\nkind = \"dingtalk\"\nsecret = \"SECding-7d1e2b\"\nurl = \"https://x/robot/send?access_token=ding-token-8c4f6a\"\nsecrt = \"SECding-7d1e2b\"\n",
    // a key of another kind
    "[[channels]]\nname = \"d\"\nkind = \"dingtalk\"\nurl = \"https://x/robot/send?access_token=ding-token-8c4f6a\"\npassword = \"smtp-pass-5f3a9c\"\n",
    // a URL that is not http(s)
    "[[channels]]\nname = \"w\"\nkind = \"wecom\"\nurl = \"ftp://x/send?key=wecom-key-3b9e1d\"\n",
    // a URL that does not parse
    "[[channels]]\nname = \"f\"\nkind = \"feishu\"\nurl = \"feishu-hook-2a7c5e\"\n",
    // a DingTalk URL without its token parameter
    "[[channels]]\nname = \"d\"\nkind = \"dingtalk\"\nurl = \"https://x/robot/send?token=ding-token-8c4f6a\"\n",
    // a password over plain SMTP to a remote host
    "[[channels]]\nname = \"m\"\nkind = \"email\"\nsmtp_host = \"mail.example.com\"\nsecurity = \"plain\"\nusername = \"u\"\npassword = \"smtp-pass-5f3a9c\"\nfrom = \"a@example.com\"\nto = [\"b@example.com\"]\n",
    // a bad header name next to a secret value
    "[[channels]]\nname = \"h\"\nkind = \"webhook\"\nurl = \"https://x/\"\nheaders = { \"Bad Header\" = \"hook-bearer-9e2d4f\" }\n",
    // a template error
    "[[channels]]\nname = \"h\"\nkind = \"webhook\"\nurl = \"https://x/?t=hook-bearer-9e2d4f\"\ntemplate = \"{{ nope }}\"\n",
    // a missing environment variable
    "[[channels]]\nname = \"m\"\nkind = \"feishu\"\nurl = \"https://x/hook/feishu-hook-2a7c5e\"\nsecret = { env = \"NOT_SET_ANYWHERE\" }\n",
    // duplicate names
    "[[channels]]\nname = \"d\"\nkind = \"wecom\"\nurl = \"https://x/?key=wecom-key-3b9e1d\"\n[[channels]]\nname = \"d\"\nkind = \"wecom\"\nurl = \"https://x/?key=wecom-key-3b9e1d\"\n",
    // a bad proxy
    "proxy = \"socks9://user:proxy-pass-6b8a3c@\"\n",
];

#[test]
fn no_error_shows_a_secret() {
    for text in BROKEN {
        let error = refuse(text);
        let shown = format!("{error} {error:?}");
        assert_no_secret(&shown);
        assert!(shown.contains(" / "), "Chinese then English: {shown}");
    }
}

#[test]
fn errors_name_the_key_and_the_fix() {
    let cases: [(&str, &str); 12] = [
        (
            "[[channels]]\nname = \"d\"\nkind = \"dingtalk\"\nurl = \"https://x/s?access_token=t\"\nsmtp_hots = \"x\"\n",
            "unknown field `smtp_hots`",
        ),
        (
            "[[channels]]\nname = \"d\"\nkind = \"dingtalk\"\nurl = \"https://x/s?access_token=t\"\nsmtp_host = \"x\"\n",
            "notify.channels[0].smtp_host does not apply to kind = \"dingtalk\"; remove the key",
        ),
        (
            "[[channels]]\nname = \"d\"\nkind = \"dingding\"\n",
            "notify.channels[0].kind = \"dingding\" is not valid; use one of: email, webhook, dingtalk, wecom, feishu",
        ),
        (
            "[[channels]]\nkind = \"wecom\"\n",
            "notify.channels[0].name is not set; add it, e.g. name = \"运维钉钉群\"",
        ),
        (
            "[[channels]]\nname = \"w\"\nkind = \"wecom\"\n",
            "notify.channels[0].url is not set; add it, e.g. url = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…\"",
        ),
        (
            "[[channels]]\nname = \"w\"\nkind = \"wecom\"\nurl = \"https://x/send\"\n",
            "notify.channels[0].url lacks the key parameter; copy the whole webhook address",
        ),
        (
            "[[channels]]\nname = \"w\"\nkind = \"wecom\"\nurl = \"https://x/s?key=k\"\nseverities = [\"urgent\"]\n",
            "notify.channels[0].severities = \"urgent\" is not valid",
        ),
        (
            "[[channels]]\nname = \"w\"\nkind = \"wecom\"\nurl = \"https://x/s?key=k\"\nthresholds = [30, 30]\n",
            "notify.channels[0].thresholds must be distinct day counts between 0 and 3650",
        ),
        (
            "[[channels]]\nname = \"w\"\nkind = \"wecom\"\nurl = \"https://x/s?key=k\"\nmode = \"weekly\"\n",
            "use one of: immediate, digest, both",
        ),
        ("attempts = 0\n", "notify.attempts must be between 1 and 10"),
        (
            "[[channels]]\nname = \"m\"\nkind = \"email\"\nsmtp_host = \"h\"\nfrom = \"not an address\"\nto = [\"a@example.com\"]\n",
            "the address \"not an address\" in notify.channels[0].from is not valid",
        ),
        (
            "[[channels]]\nname = \"m\"\nkind = \"email\"\nsmtp_host = \"h\"\nusername = \"u\"\nfrom = \"a@example.com\"\nto = [\"a@example.com\"]\n",
            "username and password go together",
        ),
    ];
    for (text, expected) in cases {
        let shown = refuse(text).to_string();
        assert!(
            shown.contains(expected),
            "expected {expected:?} in: {shown}"
        );
    }
    let parse = refuse("[[channels]]\nname = \"m\"\nkind = \"email\"\npassword = \"p\" oops\n");
    assert!(
        matches!(parse, NotifyConfigError::Parse { line: 4, .. }),
        "{parse:?}"
    );
    let env = refuse(
        "[[channels]]\nname = \"m\"\nkind = \"feishu\"\nurl = \"https://x/\"\nsecret = { env = \"FEISHU_SECRET\" }\n",
    );
    assert!(
        env.to_string().contains(
            "the environment variable FEISHU_SECRET named by notify.channels[0].secret is not set"
        ),
        "{env}"
    );
}

#[test]
fn plain_smtp_with_a_password_is_allowed_only_locally() {
    let local = "[[channels]]\nname = \"m\"\nkind = \"email\"\nsmtp_host = \"127.0.0.1\"\nsecurity = \"plain\"\nusername = \"u\"\npassword = \"p\"\nfrom = \"a@example.com\"\nto = [\"b@example.com\"]\n";
    let settings = settings_with_env(local, &[]);
    let Transport::Email(email) = &settings.channels[0].transport else {
        panic!("email");
    };
    assert_eq!(email.port, 25);
    assert_eq!(email.security, SmtpSecurity::Plain);
}

#[test]
fn embeds_in_a_bigger_config_file_and_validates_there() {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ConfigFile {
        #[serde(default)]
        notify: NotifySettings,
    }
    let parsed: ConfigFile = toml::from_str(
        "[notify]\nbase_url = \"https://b.example.com/\"\n[[notify.channels]]\nname = \"w\"\nkind = \"wecom\"\nurl = \"https://x/s?key=k\"\n",
    )
    .expect("parses");
    assert_eq!(parsed.notify.channels.len(), 1);
    let empty: ConfigFile = toml::from_str("").expect("an absent table is fine");
    assert!(empty.notify.channels.is_empty());
    let error = toml::from_str::<ConfigFile>(
        "[notify]\n[[notify.channels]]\nname = \"w\"\nkind = \"wecom\"\nurl = \"https://x/s\"\n",
    )
    .err()
    .expect("validation runs while parsing");
    assert!(
        error
            .message()
            .contains("notify.channels[0].url lacks the key parameter"),
        "{error}"
    );
}

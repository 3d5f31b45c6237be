//! Email against the in-test SMTP server: plain (local relay), STARTTLS and TLS, with the
//! exact subject, body, headers and envelope.

use beian_notify::{DeliveryStatus, EventKind, Failure};

use crate::bodies::{TEXT, TITLE, deliver};
use crate::support::{SmtpMode, SmtpServer, TestTls, decode_body, decode_header, event};

fn email_channel(port: u16, security: &str, extra: &str) -> String {
    format!(
        "[[channels]]\nname = \"邮件\"\nkind = \"email\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\n\
security = \"{security}\"\nfrom = \"备案卫士 <beian@example.com>\"\n\
to = [\"ops@example.com\", \"Boss <boss@example.com>\"]\n{extra}"
    )
}

#[tokio::test]
async fn plain_relay_gets_the_exact_mail() {
    let server = SmtpServer::start(SmtpMode::Plain).await;
    let channel = email_channel(server.addr.port(), "plain", "");
    let outcomes = deliver(&channel, &[event(EventKind::Opened)]).await;
    assert!(outcomes[0].delivered(), "{outcomes:#?}");
    let mails = server.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(!mail.tls);
    assert_eq!(mail.auth, None);
    assert_eq!(mail.mail_from, "<beian@example.com>");
    assert_eq!(
        mail.rcpt_to,
        vec![
            "<ops@example.com>".to_owned(),
            "<boss@example.com>".to_owned()
        ]
    );
    assert_eq!(
        decode_header(&mail.header("Subject").expect("a subject")),
        TITLE
    );
    assert_eq!(decode_body(mail), TEXT.replace('\n', "\r\n"));
    assert_eq!(
        mail.header("Date").as_deref(),
        Some("Fri, 03 Jan 2025 00:00:00 +0000")
    );
    assert_eq!(
        mail.header("Message-ID").as_deref(),
        Some("<beian.opened.42.1735862400000@example.com>")
    );
    assert_eq!(
        mail.header("Content-Type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        mail.header("Content-Transfer-Encoding").as_deref(),
        Some("base64")
    );
    let to = mail.header("To").expect("a To header");
    assert!(
        to.contains("ops@example.com") && to.contains("boss@example.com"),
        "{to}"
    );
}

#[tokio::test]
async fn starttls_with_credentials() {
    let tls = TestTls::new();
    let server = SmtpServer::start(SmtpMode::StartTls(tls.acceptor.clone())).await;
    let extra = format!(
        "username = \"beian@example.com\"\npassword = \"smtp-pass-987654\"\nextra_roots_pem = ['''{}''']\n",
        tls.ca_pem
    );
    let channel = email_channel(server.addr.port(), "starttls", &extra);
    let outcomes = deliver(&channel, &[event(EventKind::Opened)]).await;
    assert!(outcomes[0].delivered(), "{outcomes:#?}");
    let mails = server.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].tls, "the mail travelled after STARTTLS");
    assert_eq!(
        mails[0].auth.as_deref(),
        Some("beian@example.com\0smtp-pass-987654")
    );
    assert_eq!(decode_body(&mails[0]), TEXT.replace('\n', "\r\n"));
}

#[tokio::test]
async fn implicit_tls() {
    let tls = TestTls::new();
    let server = SmtpServer::start(SmtpMode::Tls(tls.acceptor.clone())).await;
    let extra = format!("extra_roots_pem = ['''{}''']\n", tls.ca_pem);
    let channel = email_channel(server.addr.port(), "tls", &extra);
    let outcomes = deliver(&channel, &[event(EventKind::Opened)]).await;
    assert!(outcomes[0].delivered(), "{outcomes:#?}");
    let mails = server.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].tls);
}

#[tokio::test]
async fn starttls_is_required_not_opportunistic() {
    // The server offers no STARTTLS: the password must not go out in clear text.
    let server = SmtpServer::start(SmtpMode::Plain).await;
    let extra = "username = \"beian@example.com\"\npassword = \"smtp-pass-987654\"\n";
    let channel = email_channel(server.addr.port(), "starttls", extra);
    let outcomes = deliver(&channel, &[event(EventKind::Opened)]).await;
    let DeliveryStatus::Failed { failure } = &outcomes[0].status else {
        panic!("must fail: {outcomes:#?}");
    };
    assert!(matches!(failure, Failure::Smtp { .. }), "{failure:?}");
    assert!(server.mails().iter().all(|mail| mail.auth.is_none()));
    assert!(!failure.to_string().contains("smtp-pass-987654"));
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    // A server certificate from a CA the channel does not trust.
    let tls = TestTls::new();
    let server = SmtpServer::start(SmtpMode::Tls(tls.acceptor.clone())).await;
    let channel = email_channel(server.addr.port(), "tls", "");
    let outcomes = deliver(&channel, &[event(EventKind::Opened)]).await;
    assert!(!outcomes[0].delivered(), "{outcomes:#?}");
    assert!(server.mails().is_empty());
}

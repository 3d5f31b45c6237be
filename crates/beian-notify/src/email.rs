//! Email over SMTP (lettre on rustls): a plain-text UTF-8 message, base64 transfer
//! encoding (so every mail server passes the Chinese text unchanged), Date and Message-ID
//! from the injected clock.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Message as Email, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::channel::text_body;
use crate::config::{EmailSettings, SmtpSecurity};
use crate::message::Message;
use crate::secret::scrub;
use crate::send::Failure;

/// The email for `message`.
pub fn build_email(
    settings: &EmailSettings,
    message: &Message,
    now: DateTime<Utc>,
) -> Result<Email, Failure> {
    let mut builder = Email::builder()
        .from(settings.from.clone())
        .subject(message.title())
        .date(SystemTime::from(now))
        .message_id(Some(message_id(settings, message, now)));
    for to in &settings.to {
        builder = builder.to(to.clone());
    }
    let part = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .header(ContentTransferEncoding::Base64)
        .body(text_body(message));
    builder.singlepart(part).map_err(|error| Failure::Build {
        detail: error.to_string(),
    })
}

/// `<beian.{kind}.{finding or date}.{millis}@{sender's domain}>`: unique per send, and
/// says what it is about to whoever reads the headers.
fn message_id(settings: &EmailSettings, message: &Message, now: DateTime<Utc>) -> String {
    let subject = match message {
        Message::Event(event) => event.event.finding_id.to_string(),
        Message::Digest(digest) => digest.date.format("%Y%m%d").to_string(),
    };
    format!(
        "<beian.{}.{subject}.{}@{}>",
        message.kind_str(),
        now.timestamp_millis(),
        settings.from.email.domain()
    )
}

/// Sends `message` with one SMTP dialogue, bounded by `timeout` per network step (the
/// caller bounds the whole attempt too).
pub async fn send_email(
    settings: &EmailSettings,
    message: &Message,
    now: DateTime<Utc>,
    timeout: Duration,
) -> Result<(), Failure> {
    let email = build_email(settings, message, now)?;
    let secrets: Vec<&str> = settings
        .password
        .iter()
        .map(|password| password.expose())
        .collect();
    let smtp_failure = |error: lettre::transport::smtp::Error| Failure::Smtp {
        detail: scrub(&error.to_string(), &secrets),
        retryable: !error.is_permanent() && !error.is_tls(),
    };
    let tls = match settings.security {
        SmtpSecurity::Plain => Tls::None,
        SmtpSecurity::StartTls => Tls::Required(tls_parameters(settings)?),
        SmtpSecurity::Tls => Tls::Wrapper(tls_parameters(settings)?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        .port(settings.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
        builder = builder.credentials(Credentials::new(
            username.clone(),
            password.expose().to_owned(),
        ));
    }
    let transport = builder.build();
    transport.send(email).await.map_err(smtp_failure)?;
    Ok(())
}

fn tls_parameters(settings: &EmailSettings) -> Result<TlsParameters, Failure> {
    let build = |error: lettre::transport::smtp::Error| Failure::Build {
        detail: format!("SMTP TLS: {error}"),
    };
    let mut builder = TlsParameters::builder(settings.host.clone());
    for pem in &settings.extra_roots_pem {
        builder =
            builder.add_root_certificate(Certificate::from_pem(pem.as_bytes()).map_err(build)?);
    }
    builder.build_rustls().map_err(build)
}

//! Secrets (SMTP passwords, robot signing secrets, webhook URLs that carry tokens): a newtype
//! that never prints its value (DESIGN §5: "secrets never shown back or logged").
//!
//! `Debug`, `Display` and `Serialize` all give `***`, so a secret inside any config struct,
//! error or log line is hidden without each caller remembering to. Deserialising refuses
//! anything but a string *without* echoing the value, because serde's stock "invalid type:
//! integer `123456`" message would print a mistyped password back to the terminal.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a secret prints as, everywhere.
pub const REDACTED: &str = "***";

/// A value that must never be shown back or logged. Read it with [`Secret::expose`] at the
/// one place it is sent.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the request that needs it. Never format the result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        deserializer
            .deserialize_any(SecretVisitor { allow_env: false })?
            .into_literal()
            .ok_or_else(|| de::Error::custom(NOT_A_STRING))
    }
}

/// A secret as written in `beian.toml`: the value itself, or `{ env = "NAME" }` to read it
/// from an environment variable when the configuration is validated (so the file can be
/// committed without it).
#[derive(Clone, PartialEq, Eq)]
pub enum SecretSource {
    Literal(Secret),
    Env(String),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Literal(_) => f.write_str(REDACTED),
            // The variable's name is not secret; saying which one helps fix a missing value.
            SecretSource::Env(name) => write!(f, "env:{name}"),
        }
    }
}

impl SecretSource {
    fn into_literal(self) -> Option<Secret> {
        match self {
            SecretSource::Literal(secret) => Some(secret),
            SecretSource::Env(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for SecretSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SecretSource, D::Error> {
        deserializer.deserialize_any(SecretVisitor { allow_env: true })
    }
}

const NOT_A_STRING: &str = "须为字符串（值已隐藏）/ expected a string (value hidden)";
const NOT_A_SECRET: &str = "须为字符串或 { env = \"变量名\" }（值已隐藏）/ expected a string or { env = \"VARIABLE\" } (value hidden)";

struct SecretVisitor {
    allow_env: bool,
}

impl SecretVisitor {
    fn refuse<E: de::Error>(&self) -> Result<SecretSource, E> {
        Err(E::custom(if self.allow_env {
            NOT_A_SECRET
        } else {
            NOT_A_STRING
        }))
    }
}

// Every non-string callback is overridden: the defaults would quote the value in the error.
impl<'de> Visitor<'de> for SecretVisitor {
    type Value = SecretSource;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.allow_env {
            NOT_A_SECRET
        } else {
            NOT_A_STRING
        })
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<SecretSource, E> {
        Ok(SecretSource::Literal(Secret::new(value)))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<SecretSource, E> {
        Ok(SecretSource::Literal(Secret(value)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_none<E: de::Error>(self) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_unit<E: de::Error>(self) -> Result<SecretSource, E> {
        self.refuse()
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<SecretSource, A::Error> {
        self.refuse()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretSource, A::Error> {
        if !self.allow_env {
            return self.refuse();
        }
        let mut name = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "env" {
                return Err(de::Error::custom(format!(
                    "未知键 '{key}'，只可写 {{ env = \"变量名\" }} / unknown key '{key}'; write {{ env = \"VARIABLE\" }}"
                )));
            }
            // The variable name is not secret, but read it through the same hiding visitor
            // so a mistyped value there is not echoed either.
            let value: Secret = map.next_value()?;
            name = Some(value.0);
        }
        match name {
            Some(name) if !name.trim().is_empty() => Ok(SecretSource::Env(name.trim().to_owned())),
            _ => self.refuse(),
        }
    }
}

/// Replaces every occurrence of the given secret values (as written, and as a URL would
/// print them) in `text` with `***`. Used on text that came from elsewhere — a server's
/// reply, a library's error — where a secret could have been echoed despite our own care.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        for form in forms(secret) {
            if !form.is_empty() && out.contains(&form) {
                out = out.replace(&form, REDACTED);
            }
        }
    }
    out
}

/// The raw value, its form-encoded form, and for URLs the normalised serialisation and each
/// query value (the token is usually one of them).
fn forms(value: &str) -> Vec<String> {
    let mut forms = vec![value.to_owned()];
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    forms.push(encoded);
    if let Ok(url) = url::Url::parse(value) {
        forms.push(url.as_str().to_owned());
        for (_, token) in url.query_pairs() {
            // Short values (`msgtype=text`) are not tokens; hiding them would garble text.
            if token.len() >= 8 {
                forms.push(token.into_owned());
            }
        }
        if let Some(last) = url
            .path_segments()
            .and_then(|mut segments| segments.next_back())
            && last.len() >= 16
        {
            forms.push(last.to_owned());
        }
    }
    // Longest first, so a URL is replaced whole before its token is.
    forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    forms.dedup();
    forms
}

/// A URL whose path or query carries a token (robot and webhook addresses). Prints as
/// `scheme://host:port/***`: enough to tell which service, nothing to abuse.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(url::Url);

impl SecretUrl {
    pub fn new(url: url::Url) -> SecretUrl {
        SecretUrl(url)
    }

    /// The full URL, for the request that needs it. Never format the result.
    pub fn expose(&self) -> &url::Url {
        &self.0
    }

    /// What may be shown: scheme, host and port.
    pub fn redacted(&self) -> String {
        let host = self.0.host_str().unwrap_or("?");
        match self.0.port() {
            Some(port) => format!("{}://{host}:{port}/{REDACTED}", self.0.scheme()),
            None => format!("{}://{host}/{REDACTED}", self.0.scheme()),
        }
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for SecretUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_stars_everywhere() {
        let secret = Secret::new("hunter2-password");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(
            serde_json::to_string(&secret).expect("serialises"),
            "\"***\""
        );
    }

    #[test]
    fn refuses_non_strings_without_echoing_them() {
        let error = toml::from_str::<std::collections::BTreeMap<String, Secret>>("p = 98765432")
            .expect_err("an integer is not a secret");
        // toml's Display quotes the source line (the config loader drops it); the message
        // itself, which is ours, must not repeat the value.
        assert!(!error.message().contains("98765432"), "{error}");
        assert!(error.message().contains("value hidden"), "{error}");
        let source: std::collections::BTreeMap<String, SecretSource> =
            toml::from_str("p = { env = \"SMTP_PASSWORD\" }").expect("env form parses");
        assert_eq!(
            source.get("p"),
            Some(&SecretSource::Env("SMTP_PASSWORD".to_owned()))
        );
    }

    #[test]
    fn scrubs_urls_and_tokens() {
        let url = "https://robot.example/send?access_token=abcdef0123456789";
        let text =
            "failed: https://robot.example/send?access_token=abcdef0123456789 and abcdef0123456789";
        let scrubbed = scrub(text, &[url]);
        assert!(!scrubbed.contains("abcdef0123456789"), "{scrubbed}");
    }
}

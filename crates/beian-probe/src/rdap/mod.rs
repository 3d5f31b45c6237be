//! RDAP domain answers (RFC 9083) and the IANA bootstrap registry (RFC 9224).
//!
//! [`parse_rdap_domain`] reads only the domain object's own top-level `events`
//! (registration, expiration, last changed): entities and name servers carry events of their
//! own, and those may come first in the file. Statuses are RFC 8056 strings, mapped to EPP names
//! ([`crate::registration::normalise_status`]).

mod bootstrap;
pub mod client;

pub use bootstrap::{RdapBootstrap, RdapBootstrapError};

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::registration::{
    RecordSource, RegistrationRecord, is_placeholder, normalise_nameserver, normalise_status,
    push_unique,
};

/// Most statuses and name servers kept from one answer.
const MAX_LIST: usize = 32;
/// Most warnings kept from one answer.
const MAX_WARNINGS: usize = 8;

/// Why an RDAP answer could not be read as a domain.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RdapParseError {
    #[error(
        "RDAP 答复不是合法 JSON / the RDAP answer is not valid JSON ({detail}); save the raw HTTP body, not a rendered page"
    )]
    NotJson { detail: String },
    #[error(
        "RDAP 答复不是 JSON 对象 / the RDAP answer is not a JSON object; expected a domain object (RFC 9083 §5.3)"
    )]
    NotAnObject,
    #[error(
        "RDAP 答复是错误对象 / the RDAP answer is an error response (errorCode {code}: {title}); a 404 means the domain is not registered"
    )]
    ErrorResponse { code: i64, title: String },
    #[error(
        "RDAP 答复不是域名对象 / the RDAP answer is a `{class}` object, not a domain; query the /domain/<name> path"
    )]
    NotADomain { class: String },
}

/// Reads an RDAP domain answer into a [`RegistrationRecord`] (`registered` is always true: a
/// domain object exists only for registered names; a 404 is the "not registered" answer).
pub fn parse_rdap_domain(json: &[u8]) -> Result<RegistrationRecord, RdapParseError> {
    let value: Value = serde_json::from_slice(json).map_err(|error| RdapParseError::NotJson {
        detail: error.to_string(),
    })?;
    let object = value.as_object().ok_or(RdapParseError::NotAnObject)?;
    if let Some(code) = object.get("errorCode").and_then(Value::as_i64) {
        let title = object
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(RdapParseError::ErrorResponse {
            code,
            title: title.chars().take(200).collect(),
        });
    }
    match object.get("objectClassName").and_then(Value::as_str) {
        Some("domain") | None => {}
        Some(other) => {
            return Err(RdapParseError::NotADomain {
                class: other.chars().take(64).collect(),
            });
        }
    }

    let mut record = RegistrationRecord::empty(RecordSource::Rdap);
    record.registered = true;
    record.domain = object
        .get("ldhName")
        .or_else(|| object.get("unicodeName"))
        .and_then(Value::as_str)
        .map(|name| name.trim_end_matches('.').to_lowercase());

    for event in array(object.get("events")) {
        let action = event
            .get("eventAction")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(raw_date) = event.get("eventDate").and_then(Value::as_str) else {
            continue;
        };
        let slot = match action {
            "registration" => &mut record.created_at,
            "expiration" => &mut record.expires_at,
            "last changed" => &mut record.updated_at,
            _ => continue,
        };
        match DateTime::<FixedOffset>::parse_from_rfc3339(raw_date.trim()) {
            Ok(instant) => {
                if slot.is_none() {
                    *slot = Some(instant);
                }
            }
            Err(_) => {
                if record.warnings.len() < MAX_WARNINGS {
                    let shown: String = raw_date.chars().take(64).collect();
                    record.warnings.push(format!(
                        "无法识别的 RDAP 事件日期 / unreadable RDAP `{action}` date: {shown}"
                    ));
                }
            }
        }
    }

    for status in array(object.get("status")).iter().filter_map(Value::as_str) {
        if let Some(status) = normalise_status(status) {
            push_unique(&mut record.statuses, status, MAX_LIST);
        }
    }
    for nameserver in array(object.get("nameservers")) {
        let name = nameserver
            .get("ldhName")
            .or_else(|| nameserver.get("unicodeName"))
            .and_then(Value::as_str)
            .and_then(normalise_nameserver);
        if let Some(name) = name {
            push_unique(&mut record.nameservers, name, MAX_LIST);
        }
    }

    let entities = array(object.get("entities"));
    record.registrar = entities
        .iter()
        .filter(|entity| has_role(entity, "registrar"))
        .find_map(|entity| vcard_text(entity, "fn").or_else(|| vcard_text(entity, "org")));
    record.registrant = entities
        .iter()
        .filter(|entity| has_role(entity, "registrant"))
        .find_map(|entity| vcard_text(entity, "org").or_else(|| vcard_text(entity, "fn")));
    Ok(record)
}

fn array(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn has_role(entity: &Value, role: &str) -> bool {
    array(entity.get("roles"))
        .iter()
        .any(|value| value.as_str() == Some(role))
}

/// The text of a jCard property (RFC 7095): `["fn", {}, "text", "Example Inc."]`. The `org`
/// value may be a list of units; its first non-empty part is the organisation. Placeholders
/// ("REDACTED FOR PRIVACY") and empty strings count as absent.
fn vcard_text(entity: &Value, property: &str) -> Option<String> {
    let card = entity.get("vcardArray")?.as_array()?;
    let properties = card.get(1)?.as_array()?;
    properties.iter().find_map(|item| {
        let item = item.as_array()?;
        if item.first()?.as_str()? != property {
            return None;
        }
        let text = match item.get(3)? {
            Value::String(text) => text.trim().to_owned(),
            Value::Array(parts) => parts
                .iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .find(|part| !part.is_empty())?
                .to_owned(),
            _ => return None,
        };
        (!text.is_empty() && !is_placeholder(&text)).then_some(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_top_level_events_count() {
        let json = br#"{"objectClassName":"domain","ldhName":"X.EXAMPLE",
            "entities":[{"roles":["registrar"],"events":[{"eventAction":"expiration","eventDate":"1999-01-01T00:00:00Z"}],
              "vcardArray":["vcard",[["version",{},"text","4.0"],["fn",{},"text","Reg Inc."]]]}],
            "events":[{"eventAction":"expiration","eventDate":"2030-05-06T07:08:09+08:00"}],
            "status":["client hold","pending delete","redemption period","server hold","active"]}"#;
        let record = parse_rdap_domain(json).expect("a valid domain object");
        assert_eq!(
            record.expires_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2030-05-06T07:08:09+08:00")
        );
        assert_eq!(record.registrar.as_deref(), Some("Reg Inc."));
        assert_eq!(
            record.statuses,
            [
                "clientHold",
                "pendingDelete",
                "redemptionPeriod",
                "serverHold",
                "ok"
            ]
        );
        assert_eq!(record.domain.as_deref(), Some("x.example"));
    }

    #[test]
    fn errors_are_typed() {
        assert!(matches!(
            parse_rdap_domain(b"<html>"),
            Err(RdapParseError::NotJson { .. })
        ));
        assert_eq!(parse_rdap_domain(b"[1]"), Err(RdapParseError::NotAnObject));
        assert!(matches!(
            parse_rdap_domain(br#"{"errorCode":404,"title":"Not Found"}"#),
            Err(RdapParseError::ErrorResponse { code: 404, .. })
        ));
        assert!(matches!(
            parse_rdap_domain(br#"{"objectClassName":"entity"}"#),
            Err(RdapParseError::NotADomain { .. })
        ));
    }
}

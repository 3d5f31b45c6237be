//! An RDAP server (RFC 9082/9083) for the gTLDs the lab registers: `/rdap/domain/<name>`.
//! 200 with the domain object, 404 for names not registered, 429 + Retry-After when the
//! scenario rate-limits.

use std::sync::Arc;

use chrono::NaiveDate;
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::http::{LabBody, serve_connection};
use crate::net::{ShutdownSignal, spawn_accept_loop};
use crate::scenario::{Registration, RegistryBehaviour, offset_date};
use crate::world::{RegistryEntry, World, to_ascii};

/// The TLDs the lab's RDAP server answers for.
pub(crate) const RDAP_TLDS: [&str; 2] = ["com", "net"];

fn rdap_time(today: NaiveDate, days: i64) -> String {
    format!("{}T02:00:00Z", offset_date(today, days).format("%Y-%m-%d"))
}

/// RFC 8056: EPP `clientHold` → RDAP `client hold`, `ok` → `active`.
pub(crate) fn rdap_status(epp: &str) -> String {
    if epp.eq_ignore_ascii_case("ok") {
        return "active".to_owned();
    }
    let mut out = String::with_capacity(epp.len() + 4);
    for c in epp.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn vcard(full_name: &str, organisation: Option<&str>) -> Value {
    let mut properties = vec![
        json!(["version", {}, "text", "4.0"]),
        json!(["fn", {}, "text", full_name]),
    ];
    if let Some(org) = organisation {
        properties.push(json!(["org", {}, "text", org]));
    }
    json!(["vcard", properties])
}

pub(crate) fn domain_object(
    today: NaiveDate,
    entry: &RegistryEntry,
    registration: &Registration,
    base: &str,
) -> Value {
    let domain = &entry.domain_ascii;
    let registrar = &registration.registrar;
    json!({
        "objectClassName": "domain",
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_1", "icann_rdap_technical_implementation_guide_1"],
        "handle": format!("LAB-{}", domain.to_uppercase()),
        "ldhName": domain.to_uppercase(),
        "unicodeName": entry.domain_unicode,
        "links": [{
            "value": format!("{base}domain/{domain}"),
            "rel": "self",
            "href": format!("{base}domain/{domain}"),
            "type": "application/rdap+json"
        }],
        "status": registration.statuses.iter().map(|s| rdap_status(s)).collect::<Vec<_>>(),
        "entities": [
            {
                "objectClassName": "entity",
                "handle": registrar.iana_id.to_string(),
                "roles": ["registrar"],
                "publicIds": [{"type": "IANA Registrar ID", "identifier": registrar.iana_id.to_string()}],
                "vcardArray": vcard(&registrar.name, None),
                // A nested event older than the domain: parsers must read only top-level events.
                "events": [{"eventAction": "registration", "eventDate": "1999-01-01T00:00:00Z"}]
            },
            {
                "objectClassName": "entity",
                "handle": format!("LAB-REG-{}", domain.len()),
                "roles": ["registrant"],
                "vcardArray": vcard(&registration.registrant, Some(&registration.registrant))
            }
        ],
        "events": [
            {"eventAction": "registration", "eventDate": rdap_time(today, registration.created_days)},
            {"eventAction": "expiration", "eventDate": rdap_time(today, registration.expires_days)},
            {"eventAction": "last changed", "eventDate": rdap_time(today, registration.updated_days)},
            {"eventAction": "last update of RDAP database", "eventDate": rdap_time(today, 0)}
        ],
        "secureDNS": {"delegationSigned": false},
        "nameservers": registration.nameservers.iter().map(|ns| json!({
            "objectClassName": "nameserver",
            "ldhName": ns.to_uppercase()
        })).collect::<Vec<_>>(),
        "notices": [{
            "title": "Lab data",
            "description": ["Beian Guard lab registry: simulated data. 备案卫士实验室：模拟数据。"]
        }]
    })
}

fn json_response(
    status: StatusCode,
    value: &Value,
    extra: Option<(&'static str, String)>,
) -> Response<LabBody> {
    let body = serde_json::to_vec_pretty(value).unwrap_or_default();
    let mut response = Response::new(LabBody::whole(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/rdap+json"),
    );
    headers.insert(
        hyper::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    if let Some((name, value)) = extra
        && let Ok(value) = HeaderValue::try_from(value)
    {
        headers.insert(name, value);
    }
    response
}

fn error(status: StatusCode, title: &str, description: &str) -> Response<LabBody> {
    let value = json!({
        "rdapConformance": ["rdap_level_0"],
        "errorCode": status.as_u16(),
        "title": title,
        "description": [description]
    });
    json_response(status, &value, None)
}

pub(crate) fn answer_path(world: &World, path: &str, base: &str) -> Response<LabBody> {
    let Some(raw) = path.strip_prefix("/rdap/domain/") else {
        if path == "/rdap/help" {
            return json_response(
                StatusCode::OK,
                &json!({"rdapConformance": ["rdap_level_0"], "notices": [{"title": "Help", "description": ["GET /rdap/domain/<name>"]}]}),
                None,
            );
        }
        return error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "lab RDAP: only /rdap/domain/<name> is served",
        );
    };
    let Some(name) = percent_decode(raw).and_then(|name| to_ascii(&name)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "lab RDAP: not a domain name",
        );
    };
    let tld = name.rsplit('.').next().unwrap_or_default();
    if !RDAP_TLDS.contains(&tld) {
        return error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "lab RDAP: not authoritative for this TLD",
        );
    }
    let Some(entry) = world.registry_entry(&name) else {
        return error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "The domain is not registered.",
        );
    };
    if let RegistryBehaviour::RateLimited { retry_after_secs } = entry.behaviour {
        let value = json!({"errorCode": 429, "title": "Too Many Requests", "description": ["Query rate limit exceeded."]});
        return json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &value,
            Some(("retry-after", retry_after_secs.to_string())),
        );
    }
    match &entry.registration {
        Some(registration) => json_response(
            StatusCode::OK,
            &domain_object(world.today, entry, registration, base),
            None,
        ),
        None => error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "The domain is not registered.",
        ),
    }
}

pub(crate) fn spawn(
    listener: TcpListener,
    world: Arc<World>,
    base: Arc<str>,
    shutdown: ShutdownSignal,
) -> JoinHandle<()> {
    spawn_accept_loop(listener, shutdown, move |stream, _peer| {
        let world = Arc::clone(&world);
        let base = Arc::clone(&base);
        serve_connection(stream, move |request: Request<Incoming>| {
            let response = answer_path(&world, request.uri().path(), &base);
            async move { response }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_rfc_8056() {
        assert_eq!(rdap_status("clientHold"), "client hold");
        assert_eq!(rdap_status("redemptionPeriod"), "redemption period");
        assert_eq!(rdap_status("ok"), "active");
        assert_eq!(
            rdap_status("clientTransferProhibited"),
            "client transfer prohibited"
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%2Eb").as_deref(), Some("a.b"));
        assert_eq!(percent_decode("%E4%B8%AD").as_deref(), Some("中"));
        assert_eq!(percent_decode("%zz"), None);
    }
}

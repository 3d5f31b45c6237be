//! Port-43 style WHOIS servers: a thin gTLD registry (Verisign-like, with a referral), the
//! registrar it refers to, and CNNIC for .cn / .中国 (Beijing time without a zone, Chinese
//! registrar names, GBK for some answers). Hostile answers: 10 MB, rate-limited.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::NaiveDate;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::net::{ShutdownSignal, spawn_accept_loop};
use crate::scenario::{Registration, RegistryBehaviour, offset_date};
use crate::world::{RegistryEntry, World, to_ascii};

/// About 10 MB, the size of the oversized answer.
pub(crate) const OVERSIZED_ANSWER_BYTES: usize = 10 * 1024 * 1024;
const MAX_QUERY_BYTES: usize = 1024;
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhoisStyle {
    /// gTLD registry: thin record plus `Registrar WHOIS Server` referral.
    Registry,
    /// The registrar's own (thick) record.
    Registrar,
    /// CNNIC for .cn and .中国.
    Cnnic,
}

/// What one query gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WhoisAnswer {
    Text(String),
    Gbk(String),
    /// The text followed by filler up to [`OVERSIZED_ANSWER_BYTES`].
    Oversized(String),
}

fn gtld_time(today: NaiveDate, days: i64) -> String {
    format!("{}T02:00:00Z", offset_date(today, days).format("%Y-%m-%d"))
}

/// CNNIC prints Beijing wall-clock time without a zone (FACTS §4.4); 10:00 there is 02:00 UTC,
/// so the date is the same whichever way a parser reads it.
fn cnnic_time(today: NaiveDate, days: i64) -> String {
    format!("{} 10:00:00", offset_date(today, days).format("%Y-%m-%d"))
}

fn registry_id(domain: &str) -> u64 {
    domain.bytes().fold(2_400_000_000, |id, byte| {
        id.wrapping_mul(31).wrapping_add(u64::from(byte)) % 9_000_000_000 + 1_000_000_000
    })
}

/// The query text: the last word, without Verisign's `=` / `domain` prefixes.
pub(crate) fn query_domain(raw: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(raw) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(raw).0.into_owned(),
    };
    let word = text.split_whitespace().last()?.trim_start_matches('=');
    Some(word.trim_end_matches('.').to_lowercase())
}

pub(crate) fn answer(
    world: &World,
    style: WhoisStyle,
    query: &str,
    registrar_referral: &str,
) -> WhoisAnswer {
    let entry = world.registry_entry(query);
    let registered = entry.and_then(|entry| entry.registration.as_ref().map(|r| (entry, r)));
    let behaviour = entry.map_or(RegistryBehaviour::Normal, |entry| entry.behaviour);
    if let RegistryBehaviour::RateLimited { .. } = behaviour {
        let text = match style {
            WhoisStyle::Cnnic => "查询过于频繁，请稍后再试。 query rate limit exceeded\r\n",
            _ => {
                "WHOIS LIMIT EXCEEDED - query rate limit exceeded, please slow down and try again later.\r\n"
            }
        };
        return WhoisAnswer::Text(text.to_owned());
    }
    let text = match (style, registered) {
        (WhoisStyle::Cnnic, Some((entry, registration))) => cnnic(world.today, entry, registration),
        (WhoisStyle::Cnnic, None) => "no matching record.\r\n".to_owned(),
        (WhoisStyle::Registry, Some((entry, registration))) => {
            registry(world.today, entry, registration, registrar_referral)
        }
        (WhoisStyle::Registrar, Some((entry, registration))) => {
            registrar(world.today, entry, registration)
        }
        (WhoisStyle::Registry | WhoisStyle::Registrar, None) => {
            let shown = to_ascii(query).unwrap_or_else(|| query.to_owned());
            format!(
                "No match for \"{}\".\r\n>>> Last update of whois database: {} <<<\r\n",
                shown.to_uppercase(),
                gtld_time(world.today, 0)
            )
        }
    };
    match behaviour {
        RegistryBehaviour::GbkWhois if style == WhoisStyle::Cnnic => WhoisAnswer::Gbk(text),
        RegistryBehaviour::OversizedWhois => WhoisAnswer::Oversized(text),
        _ => WhoisAnswer::Text(text),
    }
}

fn epp_line(status: &str) -> String {
    format!("Domain Status: {status} https://icann.org/epp#{status}\r\n")
}

fn registry(
    today: NaiveDate,
    entry: &RegistryEntry,
    registration: &Registration,
    registrar_referral: &str,
) -> String {
    let domain = &entry.domain_ascii;
    let tld = domain.rsplit('.').next().unwrap_or("com").to_uppercase();
    let mut text = format!(
        "   Domain Name: {upper}\r\n   Registry Domain ID: {id}_DOMAIN_{tld}-VRSN\r\n   \
         Registrar WHOIS Server: {registrar_referral}\r\n   Registrar URL: {url}\r\n   \
         Updated Date: {updated}\r\n   Creation Date: {created}\r\n   Registry Expiry Date: {expires}\r\n   \
         Registrar: {registrar}\r\n   Registrar IANA ID: {iana}\r\n   \
         Registrar Abuse Contact Email: abuse@lab-registrar.net\r\n   \
         Registrar Abuse Contact Phone: +86.4001234567\r\n",
        upper = domain.to_uppercase(),
        id = registry_id(domain),
        url = registration.registrar.url,
        updated = gtld_time(today, registration.updated_days),
        created = gtld_time(today, registration.created_days),
        expires = gtld_time(today, registration.expires_days),
        registrar = registration.registrar.name,
        iana = registration.registrar.iana_id,
    );
    for status in &registration.statuses {
        text.push_str("   ");
        text.push_str(&epp_line(status));
    }
    for ns in &registration.nameservers {
        text.push_str(&format!("   Name Server: {}\r\n", ns.to_uppercase()));
    }
    text.push_str(&format!(
        "   DNSSEC: unsigned\r\n   URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/\r\n\
         >>> Last update of whois database: {} <<<\r\n\r\n\
         NOTICE: This is the Beian Guard lab registry. Its data is simulated.\r\n",
        gtld_time(today, 0)
    ));
    text
}

fn registrar(today: NaiveDate, entry: &RegistryEntry, registration: &Registration) -> String {
    let mut text = format!(
        "Domain Name: {domain}\r\nRegistry Domain ID: {id}_DOMAIN-LAB\r\nRegistrar URL: {url}\r\n\
         Updated Date: {updated}\r\nCreation Date: {created}\r\n\
         Registrar Registration Expiration Date: {expires}\r\nRegistrar: {registrar}\r\n\
         Registrar IANA ID: {iana}\r\n",
        domain = entry.domain_ascii,
        id = registry_id(&entry.domain_ascii),
        url = registration.registrar.url,
        updated = gtld_time(today, registration.updated_days),
        created = gtld_time(today, registration.created_days),
        expires = gtld_time(today, registration.expires_days),
        registrar = registration.registrar.name,
        iana = registration.registrar.iana_id,
    );
    for status in &registration.statuses {
        text.push_str(&epp_line(status));
    }
    text.push_str(&format!(
        "Registrant Organization: {}\r\nRegistrant Country: CN\r\n",
        registration.registrant
    ));
    for ns in &registration.nameservers {
        text.push_str(&format!("Name Server: {ns}\r\n"));
    }
    text.push_str("DNSSEC: unsigned\r\n");
    text
}

fn cnnic(today: NaiveDate, entry: &RegistryEntry, registration: &Registration) -> String {
    let mut text = format!(
        "Domain Name: {domain}\r\nROID: {roid}s10001s{id}-cn\r\n",
        domain = entry.domain_unicode,
        roid = offset_date(today, registration.created_days).format("%Y%m%d"),
        id = registry_id(&entry.domain_ascii) % 100_000_000,
    );
    for status in &registration.statuses {
        text.push_str(&format!("Domain Status: {status}\r\n"));
    }
    text.push_str(&format!(
        "Registrant: {registrant}\r\nRegistrant Contact Email: hostmaster@{domain}\r\n\
         Sponsoring Registrar: {registrar}\r\n",
        registrant = registration.registrant,
        domain = entry.domain_ascii,
        registrar = registration.registrar.name_zh,
    ));
    for ns in &registration.nameservers {
        text.push_str(&format!("Name Server: {ns}\r\n"));
    }
    text.push_str(&format!(
        "Registration Time: {}\r\nExpiration Time: {}\r\nDNSSEC: unsigned\r\n",
        cnnic_time(today, registration.created_days),
        cnnic_time(today, registration.expires_days),
    ));
    text
}

/// One 64 KiB block of comment lines, built once and written again and again.
fn filler_block() -> &'static [u8] {
    static BLOCK: OnceLock<Vec<u8>> = OnceLock::new();
    BLOCK.get_or_init(|| {
        let line =
            b"% lab filler: this registry pads its answers to waste the client's memory.\r\n";
        line.iter().copied().cycle().take(64 * 1024).collect()
    })
}

pub(crate) fn spawn(
    listener: TcpListener,
    world: Arc<World>,
    style: WhoisStyle,
    registrar_referral: Arc<str>,
    shutdown: ShutdownSignal,
) -> JoinHandle<()> {
    spawn_accept_loop(listener, shutdown, move |stream, _peer| {
        serve(
            stream,
            Arc::clone(&world),
            style,
            Arc::clone(&registrar_referral),
        )
    })
}

async fn read_query(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut query = Vec::with_capacity(128);
    let mut chunk = [0_u8; 256];
    loop {
        let read = tokio::time::timeout(QUERY_TIMEOUT, stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        let bytes = chunk.get(..read)?;
        query.extend_from_slice(bytes);
        if read == 0 || bytes.contains(&b'\n') || query.len() > MAX_QUERY_BYTES {
            return Some(query);
        }
    }
}

async fn serve(mut stream: TcpStream, world: Arc<World>, style: WhoisStyle, referral: Arc<str>) {
    let Some(raw) = read_query(&mut stream).await else {
        return;
    };
    let Some(query) = query_domain(&raw) else {
        let _ = stream.write_all(b"% empty query\r\n").await;
        return;
    };
    let written = match answer(&world, style, &query, &referral) {
        WhoisAnswer::Text(text) => stream.write_all(text.as_bytes()).await,
        WhoisAnswer::Gbk(text) => {
            let (bytes, _, _) = encoding_rs::GBK.encode(&text);
            stream.write_all(&bytes).await
        }
        WhoisAnswer::Oversized(text) => write_oversized(&mut stream, &text).await,
    };
    if written.is_ok() {
        let _ = stream.shutdown().await;
    }
}

async fn write_oversized(stream: &mut TcpStream, text: &str) -> std::io::Result<()> {
    stream.write_all(text.as_bytes()).await?;
    let block = filler_block();
    let mut sent = text.len();
    while sent < OVERSIZED_ANSWER_BYTES {
        let take = block.len().min(OVERSIZED_ANSWER_BYTES - sent);
        stream.write_all(&block[..take]).await?;
        sent += take;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_lose_prefixes_and_case() {
        assert_eq!(
            query_domain(b"=Healthy-Shop.COM\r\n").as_deref(),
            Some("healthy-shop.com")
        );
        assert_eq!(query_domain(b"domain a.cn\r\n").as_deref(), Some("a.cn"));
        assert_eq!(query_domain(b"\r\n"), None);
        let (gbk, _, _) = encoding_rs::GBK.encode("国货老店.中国\r\n");
        assert_eq!(query_domain(&gbk).as_deref(), Some("国货老店.中国"));
    }

    #[test]
    fn times_keep_the_date_in_both_zones() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("valid date");
        assert_eq!(gtld_time(today, 5), "2026-03-06T02:00:00Z");
        assert_eq!(cnnic_time(today, -1), "2026-02-28 10:00:00");
    }
}

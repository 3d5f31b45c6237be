//! A small authoritative DNS responder over UDP and TCP (hickory-proto for the wire format).
//!
//! It answers for the TLDs the lab claims (`com`, `net`, `cn`, `中国`): names in the table get
//! their records (CNAME chains followed inside the table), other names under those TLDs get
//! NXDOMAIN with an SOA, names elsewhere get REFUSED. Hostile zones answer garbage or nothing.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, SOA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinHandle;

use crate::net::{ShutdownSignal, spawn_accept_loop};

/// The TLDs the lab is authoritative for (A-labels).
pub(crate) const AUTHORITATIVE_TLDS: [&str; 4] = ["com", "net", "cn", "xn--fiqs8s"];

const TTL: u32 = 300;
const MAX_CNAME_HOPS: usize = 8;
/// How long an idle TCP client may keep its connection.
const TCP_IDLE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoredRecord {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(String),
    Ns(String),
    Mx(u16, String),
    Txt(String),
}

impl StoredRecord {
    fn record_type(&self) -> RecordType {
        match self {
            StoredRecord::A(_) => RecordType::A,
            StoredRecord::Aaaa(_) => RecordType::AAAA,
            StoredRecord::Cname(_) => RecordType::CNAME,
            StoredRecord::Ns(_) => RecordType::NS,
            StoredRecord::Mx(..) => RecordType::MX,
            StoredRecord::Txt(_) => RecordType::TXT,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ZoneMode {
    Normal,
    /// The registry has no delegation: NXDOMAIN for the apex and below.
    NxDomain,
    Malformed,
    Silent,
}

/// What the responder does with one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolution {
    Answer {
        code: ResponseCode,
        answers: Vec<(String, StoredRecord)>,
        /// The zone whose SOA goes in the authority section (NXDOMAIN, NODATA).
        soa_zone: Option<String>,
    },
    Refused,
    Malformed,
    Silent,
}

#[derive(Debug, Default)]
pub(crate) struct DnsTable {
    names: HashMap<String, Vec<StoredRecord>>,
    zones: HashMap<String, ZoneMode>,
}

/// `a.b.c` → `a.b.c`, `b.c`, `c`.
fn suffixes(name: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(name), |rest| {
        rest.split_once('.').map(|(_, tail)| tail)
    })
}

impl DnsTable {
    pub(crate) fn new() -> DnsTable {
        DnsTable::default()
    }

    pub(crate) fn insert(&mut self, owner: &str, record: StoredRecord) {
        self.names.entry(owner.to_owned()).or_default().push(record);
    }

    pub(crate) fn add_zone(&mut self, apex: &str, mode: ZoneMode) {
        self.zones.insert(apex.to_owned(), mode);
    }

    fn zone_of<'n>(&self, name: &'n str) -> Option<(&'n str, ZoneMode)> {
        suffixes(name).find_map(|suffix| self.zones.get(suffix).map(|mode| (suffix, *mode)))
    }

    fn tld_of(name: &str) -> Option<&'static str> {
        let tld = name.rsplit('.').next()?;
        AUTHORITATIVE_TLDS.into_iter().find(|known| *known == tld)
    }

    /// Answers `qname`/`qtype` (qname lower-case, no trailing dot).
    pub(crate) fn resolve(&self, qname: &str, qtype: RecordType) -> Resolution {
        let Some(tld) = DnsTable::tld_of(qname) else {
            return Resolution::Refused;
        };
        let zone = self.zone_of(qname);
        match zone.map(|(_, mode)| mode) {
            Some(ZoneMode::Malformed) => return Resolution::Malformed,
            Some(ZoneMode::Silent) => return Resolution::Silent,
            Some(ZoneMode::NxDomain) => {
                return Resolution::Answer {
                    code: ResponseCode::NXDomain,
                    answers: Vec::new(),
                    soa_zone: Some(tld.to_owned()),
                };
            }
            Some(ZoneMode::Normal) | None => {}
        }
        let mut answers = Vec::new();
        let mut current = qname.to_owned();
        for _ in 0..MAX_CNAME_HOPS {
            let soa_zone = self
                .zone_of(&current)
                .map_or_else(|| tld.to_owned(), |(apex, _)| apex.to_owned());
            let Some(records) = self.names.get(&current) else {
                let code = if current == qname && self.is_empty_non_terminal(qname) {
                    ResponseCode::NoError
                } else {
                    ResponseCode::NXDomain
                };
                return Resolution::Answer {
                    code,
                    answers,
                    soa_zone: Some(soa_zone),
                };
            };
            let wanted: Vec<_> = records
                .iter()
                .filter(|record| qtype == RecordType::ANY || record.record_type() == qtype)
                .cloned()
                .collect();
            if !wanted.is_empty() {
                answers.extend(wanted.into_iter().map(|record| (current.clone(), record)));
                return Resolution::Answer {
                    code: ResponseCode::NoError,
                    answers,
                    soa_zone: None,
                };
            }
            let cname = records.iter().find_map(|record| match record {
                StoredRecord::Cname(target) => Some(target.clone()),
                _ => None,
            });
            match cname {
                Some(target) => {
                    answers.push((current.clone(), StoredRecord::Cname(target.clone())));
                    current = target;
                }
                None => {
                    return Resolution::Answer {
                        code: ResponseCode::NoError,
                        answers,
                        soa_zone: Some(soa_zone),
                    };
                }
            }
        }
        // A CNAME chain longer than any client follows: hand back what we have.
        Resolution::Answer {
            code: ResponseCode::NoError,
            answers,
            soa_zone: None,
        }
    }

    /// `com.cn` has names below it but no records: NODATA, not NXDOMAIN.
    fn is_empty_non_terminal(&self, name: &str) -> bool {
        self.zones.keys().any(|zone| {
            zone.len() > name.len()
                && zone.ends_with(name)
                && zone.as_bytes()[zone.len() - name.len() - 1] == b'.'
        })
    }

    fn soa(&self, zone: &str) -> Option<Record> {
        let primary = self
            .names
            .get(zone)
            .and_then(|records| {
                records.iter().find_map(|record| match record {
                    StoredRecord::Ns(ns) => Some(ns.clone()),
                    _ => None,
                })
            })
            .unwrap_or_else(|| format!("ns1.lab-registry.{zone}"));
        let soa = SOA::new(
            fqdn(&primary)?,
            fqdn(&format!("hostmaster.{zone}"))?,
            2_026_010_101,
            7200,
            900,
            1_209_600,
            TTL,
        );
        Some(Record::from_rdata(fqdn(zone)?, TTL, RData::SOA(soa)))
    }

    /// The wire answer to a wire query; `None` means stay silent.
    pub(crate) fn respond(&self, query_bytes: &[u8]) -> Option<Vec<u8>> {
        let request = Message::from_vec(query_bytes).ok()?;
        let id = request.metadata.id;
        let mut response = Message::response(id, request.metadata.op_code);
        response.metadata.recursion_desired = request.metadata.recursion_desired;
        let Some(query) = request.queries.first().cloned() else {
            response.metadata.response_code = ResponseCode::FormErr;
            return response.to_vec().ok();
        };
        response.add_query(query.clone());
        let qname = query
            .name()
            .to_ascii()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        match self.resolve(&qname, query.query_type()) {
            Resolution::Silent => None,
            Resolution::Malformed => Some(malformed_answer(id)),
            Resolution::Refused => {
                response.metadata.response_code = ResponseCode::Refused;
                response.to_vec().ok()
            }
            Resolution::Answer {
                code,
                answers,
                soa_zone,
            } => {
                response.metadata.authoritative = true;
                response.metadata.response_code = code;
                for (owner, record) in answers {
                    if let Some(record) = wire_record(&owner, record) {
                        response.add_answer(record);
                    }
                }
                if let Some(soa) = soa_zone.and_then(|zone| self.soa(&zone)) {
                    response.add_authority(soa);
                }
                response.to_vec().ok()
            }
        }
    }
}

fn fqdn(name: &str) -> Option<Name> {
    Name::from_ascii(format!("{name}.")).ok()
}

fn wire_record(owner: &str, record: StoredRecord) -> Option<Record> {
    let data = match record {
        StoredRecord::A(ip) => RData::A(A(ip)),
        StoredRecord::Aaaa(ip) => RData::AAAA(AAAA(ip)),
        StoredRecord::Cname(target) => RData::CNAME(CNAME(fqdn(&target)?)),
        StoredRecord::Ns(target) => RData::NS(NS(fqdn(&target)?)),
        StoredRecord::Mx(preference, exchange) => RData::MX(MX::new(preference, fqdn(&exchange)?)),
        StoredRecord::Txt(text) => RData::TXT(TXT::new(vec![text])),
    };
    Some(Record::from_rdata(fqdn(owner)?, TTL, data))
}

/// A header promising three answers, followed by a label that runs past the end.
fn malformed_answer(id: u16) -> Vec<u8> {
    let [high, low] = id.to_be_bytes();
    vec![
        high, low, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x3f, b'g', b'a',
        b'r', 0xc0, 0xff,
    ]
}

pub(crate) fn spawn_udp(
    socket: UdpSocket,
    table: Arc<crate::world::World>,
    shutdown: ShutdownSignal,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut buffer = vec![0_u8; 4096];
        loop {
            let received = tokio::select! {
                () = shutdown.clone().wait() => break,
                received = socket.recv_from(&mut buffer) => received,
            };
            let Ok((length, peer)) = received else {
                continue;
            };
            let Some(query) = buffer.get(..length) else {
                continue;
            };
            if let Some(answer) = table.dns.respond(query) {
                let _ = socket.send_to(&answer, peer).await;
            }
        }
    })
}

pub(crate) fn spawn_tcp(
    listener: TcpListener,
    world: Arc<crate::world::World>,
    shutdown: ShutdownSignal,
) -> JoinHandle<()> {
    spawn_accept_loop(listener, shutdown, move |stream, _peer: SocketAddr| {
        serve_tcp(stream, Arc::clone(&world))
    })
}

async fn serve_tcp(mut stream: TcpStream, world: Arc<crate::world::World>) {
    loop {
        let mut length = [0_u8; 2];
        match tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut length)).await {
            Ok(Ok(_)) => {}
            _ => return,
        }
        let mut query = vec![0_u8; usize::from(u16::from_be_bytes(length))];
        match tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut query)).await {
            Ok(Ok(_)) => {}
            _ => return,
        }
        let Some(answer) = world.dns.respond(&query) else {
            // Silent zone: keep the connection open and say nothing.
            continue;
        };
        let Ok(length) = u16::try_from(answer.len()) else {
            return;
        };
        let mut framed = Vec::with_capacity(answer.len() + 2);
        framed.extend_from_slice(&length.to_be_bytes());
        framed.extend_from_slice(&answer);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> DnsTable {
        let mut table = DnsTable::new();
        table.add_zone("site.com", ZoneMode::Normal);
        table.insert("site.com", StoredRecord::A(Ipv4Addr::new(127, 0, 0, 2)));
        table.insert(
            "www.site.com",
            StoredRecord::Cname("cdn.site.com".to_owned()),
        );
        table.insert("cdn.site.com", StoredRecord::Cname("site.com".to_owned()));
        table.insert(
            "loop.site.com",
            StoredRecord::Cname("loop.site.com".to_owned()),
        );
        table.add_zone("bad.com", ZoneMode::Malformed);
        table.add_zone("x.com.cn", ZoneMode::Normal);
        table
    }

    #[test]
    fn cname_chains_are_followed_inside_the_table() {
        let Resolution::Answer { code, answers, .. } =
            table().resolve("www.site.com", RecordType::A)
        else {
            panic!("expected an answer");
        };
        assert_eq!(code, ResponseCode::NoError);
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[2].1, StoredRecord::A(Ipv4Addr::new(127, 0, 0, 2)));
    }

    #[test]
    fn unknown_names_refused_or_nxdomain() {
        let table = table();
        assert_eq!(
            table.resolve("example.org", RecordType::A),
            Resolution::Refused
        );
        assert!(matches!(
            table.resolve("nothing.com", RecordType::A),
            Resolution::Answer {
                code: ResponseCode::NXDomain,
                ..
            }
        ));
        assert!(matches!(
            table.resolve("com.cn", RecordType::A),
            Resolution::Answer {
                code: ResponseCode::NoError,
                ..
            }
        ));
        assert_eq!(
            table.resolve("a.bad.com", RecordType::A),
            Resolution::Malformed
        );
    }

    #[test]
    fn cname_loops_end() {
        assert!(matches!(
            table().resolve("loop.site.com", RecordType::A),
            Resolution::Answer { .. }
        ));
    }

    #[test]
    fn malformed_answers_do_not_parse() {
        assert!(Message::from_vec(&malformed_answer(7)).is_err());
    }
}

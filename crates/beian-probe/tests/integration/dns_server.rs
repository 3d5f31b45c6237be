//! A tiny authoritative DNS responder over UDP on 127.0.0.1:0, for the DNS and WHOIS client
//! tests. It answers from a static table, chases CNAMEs inside it like an authoritative
//! server, and can misbehave on purpose (SERVFAIL, silence, garbage).

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, SOA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::net::UdpSocket;

/// How the responder behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsMode {
    Authoritative,
    ServFail,
    Silent,
    /// Answers with the right ID followed by bytes that are not a DNS message.
    Garbage,
}

/// Zone data: (owner name, record data).
pub type ZoneData = Vec<(&'static str, RData)>;

pub fn name(text: &str) -> Name {
    Name::from_str(text).expect("test names are valid")
}

/// The zone used by most tests (`example.test`, plus a CDN and a dangling target).
pub fn test_zone() -> ZoneData {
    vec![
        ("example.test.", RData::A(A::new(192, 0, 2, 1))),
        (
            "example.test.",
            RData::AAAA(AAAA::from_str("2001:db8::1").expect("literal")),
        ),
        ("example.test.", RData::NS(NS(name("ns1.example.test.")))),
        ("example.test.", RData::SOA(zone_soa())),
        (
            "example.test.",
            RData::MX(MX::new(10, name("mail.example.test."))),
        ),
        (
            "example.test.",
            RData::TXT(TXT::new(vec!["v=spf1 -all".to_owned()])),
        ),
        (
            "www.example.test.",
            RData::CNAME(CNAME(name("web.example.test."))),
        ),
        (
            "web.example.test.",
            RData::CNAME(CNAME(name("edge.cdn.test."))),
        ),
        ("edge.cdn.test.", RData::A(A::new(192, 0, 2, 80))),
        (
            "static.example.test.",
            RData::CNAME(CNAME(name("bucket.oss-cn-hangzhou.aliyuncs.test."))),
        ),
        (
            "loop1.example.test.",
            RData::CNAME(CNAME(name("loop2.example.test."))),
        ),
        (
            "loop2.example.test.",
            RData::CNAME(CNAME(name("loop1.example.test."))),
        ),
        ("whois.registry.test.", RData::A(A::new(127, 0, 0, 1))),
        ("whois.registrar.test.", RData::A(A::new(127, 0, 0, 1))),
    ]
}

fn zone_soa() -> SOA {
    SOA::new(
        name("ns1.example.test."),
        name("hostmaster.example.test."),
        2026010101,
        3600,
        600,
        86_400,
        300,
    )
}

/// Starts the responder; it runs until the test's runtime ends.
pub async fn start_dns(mode: DnsMode, zone: ZoneData) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind a UDP test port");
    let address = socket.local_addr().expect("bound socket has an address");
    let zone = Arc::new(zone);
    tokio::spawn(async move {
        let mut buffer = vec![0_u8; 4096];
        while let Ok((length, peer)) = socket.recv_from(&mut buffer).await {
            let Some(reply) = reply_to(&buffer[..length], mode, &zone) else {
                continue;
            };
            let _ = socket.send_to(&reply, peer).await;
        }
    });
    address
}

fn reply_to(packet: &[u8], mode: DnsMode, zone: &ZoneData) -> Option<Vec<u8>> {
    let request = Message::from_vec(packet).ok()?;
    let id = request.metadata.id;
    let mut response = Message::new(id, MessageType::Response, request.metadata.op_code);
    response.metadata.authoritative = true;
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.add_queries(request.queries.clone());
    match mode {
        DnsMode::Silent => return None,
        DnsMode::Garbage => {
            let mut garbage = id.to_be_bytes().to_vec();
            garbage.extend_from_slice(&[0x81, 0x80, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x07]);
            return Some(garbage);
        }
        DnsMode::ServFail => {
            response.metadata.response_code = ResponseCode::ServFail;
            return response.to_vec().ok();
        }
        DnsMode::Authoritative => {}
    }
    let query = request.queries.first()?;
    let wanted = query.query_type();
    let mut owner = query.name().clone();
    let mut exists = false;
    for _ in 0..10 {
        let records = records_at(zone, &owner);
        exists = !records.is_empty();
        let cname = records.iter().find_map(|data| match data {
            RData::CNAME(target) if wanted != RecordType::CNAME => Some(target.0.clone()),
            _ => None,
        });
        if let Some(target) = cname {
            response.add_answer(Record::from_rdata(
                owner.clone(),
                60,
                RData::CNAME(CNAME(target.clone())),
            ));
            owner = target;
            continue;
        }
        for data in records
            .into_iter()
            .filter(|data| data.record_type() == wanted)
        {
            response.add_answer(Record::from_rdata(owner.clone(), 60, data));
        }
        break;
    }
    if response
        .answers
        .iter()
        .all(|record| record.record_type() == RecordType::CNAME)
        && !response
            .answers
            .iter()
            .any(|record| record.record_type() == wanted)
    {
        response.metadata.response_code = if exists {
            ResponseCode::NoError
        } else {
            ResponseCode::NXDomain
        };
        response.add_authority(Record::from_rdata(
            name("example.test."),
            60,
            RData::SOA(zone_soa()),
        ));
    }
    response.to_vec().ok()
}

fn records_at(zone: &ZoneData, owner: &Name) -> Vec<RData> {
    zone.iter()
        .filter(|(text, _)| name(text).eq_case(owner) || name(text) == *owner)
        .map(|(_, data)| data.clone())
        .collect()
}

/// The settings tests use: one test server, short timeout, one try.
pub fn dns_settings(server: SocketAddr) -> beian_probe::settings::DnsSettings {
    beian_probe::settings::DnsSettings {
        nameservers: vec![server],
        timeout: std::time::Duration::from_secs(1),
        attempts: 1,
    }
}

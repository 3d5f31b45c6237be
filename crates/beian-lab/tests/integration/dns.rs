//! The authoritative DNS: answers per scenario, chains, NXDOMAIN, REFUSED, hostile zones.

use std::time::Duration;

use beian_lab::{DnsHint, ScenarioKind};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{dns_udp, host, site, start_lab};

const WAIT: Duration = Duration::from_secs(2);

fn addresses(message: &Message) -> Vec<std::net::Ipv4Addr> {
    message
        .answers
        .iter()
        .filter_map(|record| match &record.data {
            RData::A(a) => Some(a.0),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn every_scenario_gets_its_expected_rcode() {
    let lab = start_lab().await;
    let server = lab.endpoints().dns;
    for site in lab.sites() {
        let name = host(site);
        let wait = if site.expected.dns == DnsHint::NoAnswer {
            Duration::from_millis(500)
        } else {
            WAIT
        };
        let answer = dns_udp(server, &name, RecordType::A, wait).await;
        match site.expected.dns {
            DnsHint::NoError => {
                let message = answer
                    .and_then(Result::ok)
                    .unwrap_or_else(|| panic!("{name}: an answer"));
                assert_eq!(
                    message.metadata.response_code,
                    ResponseCode::NoError,
                    "{name}"
                );
                assert!(
                    !addresses(&message).is_empty(),
                    "{name}: an A record at the end of the chain"
                );
                assert!(message.metadata.authoritative, "{name}: authoritative");
            }
            DnsHint::NxDomain => {
                let message = answer
                    .and_then(Result::ok)
                    .unwrap_or_else(|| panic!("{name}: an answer"));
                assert_eq!(
                    message.metadata.response_code,
                    ResponseCode::NXDomain,
                    "{name}"
                );
                assert!(
                    !message.authorities.is_empty(),
                    "{name}: an SOA with the NXDOMAIN"
                );
            }
            DnsHint::Malformed => assert!(
                matches!(answer, Some(Err(_))),
                "{name}: garbage expected, got {answer:?}"
            ),
            DnsHint::NoAnswer => assert!(answer.is_none(), "{name}: silence expected"),
        }
    }
}

#[tokio::test]
async fn healthy_site_record_types_and_chains() {
    let lab = start_lab().await;
    let server = lab.endpoints().dns;
    let healthy = site(&lab, ScenarioKind::Healthy);
    let ask = |name: &'static str, qtype| async move {
        dns_udp(server, name, qtype, WAIT)
            .await
            .and_then(Result::ok)
            .expect("an answer")
    };
    let a = ask("healthy-shop.com", RecordType::A).await;
    assert_eq!(addresses(&a), vec![healthy.address]);
    let chain = ask("assets.healthy-shop.com", RecordType::A).await;
    let kinds: Vec<_> = chain.answers.iter().map(|r| r.record_type()).collect();
    assert_eq!(kinds, [RecordType::CNAME, RecordType::CNAME, RecordType::A]);
    let www = ask("www.healthy-shop.com", RecordType::CNAME).await;
    assert_eq!(www.answers.len(), 1);
    assert_eq!(
        ask("ipv6.healthy-shop.com", RecordType::AAAA)
            .await
            .answers
            .len(),
        1
    );
    assert_eq!(
        ask("healthy-shop.com", RecordType::NS).await.answers.len(),
        2
    );
    assert_eq!(
        ask("healthy-shop.com", RecordType::MX).await.answers.len(),
        1
    );
    assert_eq!(
        ask("healthy-shop.com", RecordType::TXT).await.answers.len(),
        1
    );
    let nodata = ask("healthy-shop.com", RecordType::SOA).await;
    assert_eq!(nodata.metadata.response_code, ResponseCode::NoError);
    let outside = ask("example.org", RecordType::A).await;
    assert_eq!(outside.metadata.response_code, ResponseCode::Refused);
    let unknown = ask("nobody-registered-this.com", RecordType::A).await;
    assert_eq!(unknown.metadata.response_code, ResponseCode::NXDomain);
}

#[tokio::test]
async fn parking_and_dangling_cnames() {
    let lab = start_lab().await;
    let server = lab.endpoints().dns;
    for kind in [
        ScenarioKind::ExpiredFilingActive,
        ScenarioKind::DanglingOssCname,
    ] {
        let site = site(&lab, kind);
        let target = site
            .expected
            .cname_target
            .clone()
            .expect("a CNAME scenario");
        let message = dns_udp(server, &host(site), RecordType::A, WAIT)
            .await
            .and_then(Result::ok)
            .expect("an answer");
        let cname = message
            .answers
            .iter()
            .find_map(|record| match &record.data {
                RData::CNAME(name) => Some(name.0.to_ascii()),
                _ => None,
            });
        assert_eq!(cname.as_deref(), Some(target.as_str()), "{kind:?}");
        assert!(
            !addresses(&message).is_empty(),
            "{kind:?}: the target resolves in the lab"
        );
    }
}

#[tokio::test]
async fn idn_names_and_tcp() {
    let lab = start_lab().await;
    let gbk = site(&lab, ScenarioKind::GbkPage);
    assert!(
        gbk.domain_ascii.ends_with(".xn--fiqs8s"),
        "{}",
        gbk.domain_ascii
    );
    let message = dns_udp(lab.endpoints().dns, &gbk.domain_ascii, RecordType::A, WAIT)
        .await
        .and_then(Result::ok)
        .expect("an answer");
    assert_eq!(addresses(&message), vec![gbk.address]);

    // The same question over TCP (length-prefixed).
    let mut query = Message::query();
    query.add_query(hickory_proto::op::Query::query(
        hickory_proto::rr::Name::from_ascii("healthy-shop.com.").expect("a name"),
        RecordType::A,
    ));
    let bytes = query.to_vec().expect("encodes");
    let mut stream = tokio::net::TcpStream::connect(lab.endpoints().dns)
        .await
        .expect("TCP DNS accepts");
    let length = u16::try_from(bytes.len()).expect("a short query");
    stream.write_all(&length.to_be_bytes()).await.expect("sent");
    stream.write_all(&bytes).await.expect("sent");
    let mut prefix = [0_u8; 2];
    stream.read_exact(&mut prefix).await.expect("a length");
    let mut answer = vec![0_u8; usize::from(u16::from_be_bytes(prefix))];
    stream.read_exact(&mut answer).await.expect("an answer");
    let message = Message::from_vec(&answer).expect("parses");
    assert_eq!(message.metadata.response_code, ResponseCode::NoError);
    assert_eq!(addresses(&message).len(), 1);
}

#[tokio::test]
async fn silent_zone_stays_silent_over_tcp() {
    let lab = start_lab().await;
    let mut query = Message::query();
    query.add_query(hickory_proto::op::Query::query(
        hickory_proto::rr::Name::from_ascii("silent-dns.net.").expect("a name"),
        RecordType::A,
    ));
    let bytes = query.to_vec().expect("encodes");
    let mut stream = tokio::net::TcpStream::connect(lab.endpoints().dns)
        .await
        .expect("TCP DNS accepts");
    let length = u16::try_from(bytes.len()).expect("a short query");
    stream.write_all(&length.to_be_bytes()).await.expect("sent");
    stream.write_all(&bytes).await.expect("sent");
    let mut prefix = [0_u8; 2];
    let read =
        tokio::time::timeout(Duration::from_millis(800), stream.read_exact(&mut prefix)).await;
    assert!(read.is_err(), "the silent zone answered over TCP");
}

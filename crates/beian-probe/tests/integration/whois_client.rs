//! The WHOIS client against local port-43 servers: IANA → registry → registrar referrals,
//! a GBK-encoded CNNIC answer, the cache, rate limits (ours and the server's), and hostile
//! servers (hanging, 10 MB answers, refusing).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use beian_probe::dns::DnsProbe;
use beian_probe::politeness::ServerRateLimits;
use beian_probe::settings::WhoisSettings;
use beian_probe::whois::client::{WhoisClient, WhoisEvidence};
use beian_probe::{Outcome, ProbeFailure, WhoisOutcome};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::dns_server::{DnsMode, dns_settings, start_dns, test_zone};

/// What a test WHOIS server does after reading the query line.
#[derive(Clone)]
enum Behaviour {
    Reply(Vec<u8>),
    Hang,
    /// `head`, then filler lines until `total` bytes.
    Flood {
        head: Vec<u8>,
        total: usize,
    },
}

struct WhoisServer {
    address: SocketAddr,
    connections: Arc<AtomicUsize>,
    queries: Arc<Mutex<Vec<String>>>,
}

impl WhoisServer {
    fn key(&self) -> String {
        self.address.to_string()
    }

    fn queries(&self) -> Vec<String> {
        self.queries
            .lock()
            .expect("no test thread panicked")
            .clone()
    }
}

async fn start_whois(behaviour: Behaviour) -> WhoisServer {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test port");
    let address = listener.local_addr().expect("bound socket has an address");
    let connections = Arc::new(AtomicUsize::new(0));
    let queries = Arc::new(Mutex::new(Vec::new()));
    let (count, log) = (Arc::clone(&connections), Arc::clone(&queries));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let (behaviour, log) = (behaviour.clone(), Arc::clone(&log));
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                let mut line = String::new();
                if stream.read_line(&mut line).await.is_err() {
                    return;
                }
                log.lock()
                    .expect("no test thread panicked")
                    .push(line.trim_end().to_owned());
                match behaviour {
                    Behaviour::Reply(bytes) => {
                        let _ = stream.get_mut().write_all(&bytes).await;
                    }
                    Behaviour::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
                    Behaviour::Flood { head, total } => {
                        let _ = stream.get_mut().write_all(&head).await;
                        let filler = "% filler line to make the answer very large\n".repeat(200);
                        let mut sent = head.len();
                        while sent < total {
                            if stream.get_mut().write_all(filler.as_bytes()).await.is_err() {
                                return;
                            }
                            sent += filler.len();
                        }
                    }
                }
            });
        }
    });
    WhoisServer {
        address,
        connections,
        queries,
    }
}

fn settings(servers: &[(&str, String)], iana: &str) -> WhoisSettings {
    WhoisSettings {
        servers: servers
            .iter()
            .map(|(tld, server)| ((*tld).to_owned(), server.clone()))
            .collect::<BTreeMap<_, _>>(),
        iana_server: iana.to_owned(),
        timeout: Duration::from_secs(1),
        max_answer_bytes: 64 * 1024,
        follow_referrals: true,
        per_server_per_minute: 0,
        cache_ttl: Duration::from_secs(60),
    }
}

fn evidence(outcome: Outcome<WhoisEvidence>) -> WhoisEvidence {
    match outcome {
        Outcome::Ok(evidence) => evidence,
        Outcome::Failed(failure) => panic!("expected evidence, got {failure:?}"),
    }
}

const CNNIC: &str = "Domain Name: example.cn\nROID: 20030311s10001s00033735-cn\n\
    Domain Status: clientDeleteProhibited\nRegistrant: 北京某某科技有限公司\n\
    Sponsoring Registrar: 厦门易名科技股份有限公司\nName Server: NS1.Example.CN.\n\
    Registration Time: 2003-03-17 12:20:05\nExpiration Time: 2021-03-17 12:48:36\n";

#[tokio::test]
async fn iana_registry_registrar_chain_is_followed_and_merged() {
    let registrar = start_whois(Behaviour::Reply(
        "Domain Name: EXAMPLE.TEST\nRegistrar: Test Registrar Inc.\n\
         Registrar Registration Expiration Date: 2030-02-04T00:00:00Z\n\
         Registrant Organization: 示例科技有限公司\n"
            .as_bytes()
            .to_vec(),
    ))
    .await;
    let registry = start_whois(Behaviour::Reply(
        format!(
            "Domain Name: EXAMPLE.TEST\nRegistrar WHOIS Server: whois.registrar.test:{}\n\
             Registrar: Test Registrar Inc.\nCreation Date: 2001-02-03T04:05:06Z\n\
             Registry Expiry Date: 2030-02-03T04:05:06Z\n\
             Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\n\
             Name Server: NS1.EXAMPLE.TEST\n",
            registrar.address.port()
        )
        .into_bytes(),
    ))
    .await;
    let iana = start_whois(Behaviour::Reply(
        format!(
            "% IANA WHOIS server\ndomain:       TEST\nrefer:        whois.registry.test:{}\n\
             created:      1985-01-01\n",
            registry.address.port()
        )
        .into_bytes(),
    ))
    .await;
    let dns = start_dns(DnsMode::Authoritative, test_zone()).await;
    let resolver = Arc::new(DnsProbe::new(&dns_settings(dns)).expect("resolver builds"));
    let client = WhoisClient::new(&settings(&[], &iana.key())).with_resolver(resolver);

    let found = evidence(client.lookup("Example.Test").await.outcome);
    assert_eq!(found.hops.len(), 3, "{:#?}", found.hops);
    assert_eq!(found.outcome, WhoisOutcome::Registered);
    let record = &found.parse;
    assert!(record.registered);
    assert_eq!(
        record.expires_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2030-02-03T04:05:06+00:00"),
        "the registry's expiry is authoritative"
    );
    assert_eq!(
        record
            .registrar_expires_at
            .map(|t| t.to_rfc3339())
            .as_deref(),
        Some("2030-02-04T00:00:00+00:00")
    );
    assert_eq!(record.registrant.as_deref(), Some("示例科技有限公司"));
    assert_eq!(record.statuses, vec!["clientTransferProhibited"]);
    assert!(found.raw.contains("Registry Expiry Date"));
    assert_eq!(registry.queries(), vec!["example.test"]);
}

#[tokio::test]
async fn gbk_cnnic_answer_is_decoded_and_cached() {
    let (gbk, _, _) = encoding_rs::GBK.encode(CNNIC);
    let cnnic = start_whois(Behaviour::Reply(gbk.into_owned())).await;
    let client = WhoisClient::new(&settings(&[("cn", cnnic.key())], "127.0.0.1:9"));
    let found = evidence(client.lookup("example.cn").await.outcome);
    assert_eq!(
        found.parse.expires_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2021-03-17T12:48:36+08:00")
    );
    assert_eq!(
        found.parse.registrar.as_deref(),
        Some("厦门易名科技股份有限公司")
    );
    assert!(!found.from_cache);
    let again = evidence(client.lookup("EXAMPLE.cn.").await.outcome);
    assert!(again.from_cache);
    assert_eq!(again.parse, found.parse);
    assert_eq!(cnnic.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn idn_names_are_sent_as_punycode() {
    let cnnic = start_whois(Behaviour::Reply(b"No matching record.\n".to_vec())).await;
    let client = WhoisClient::new(&settings(&[("xn--fiqs8s", cnnic.key())], "127.0.0.1:9"));
    let found = evidence(client.lookup("例子.中国").await.outcome);
    assert_eq!(found.outcome, WhoisOutcome::NotRegistered);
    assert!(!found.parse.registered);
    assert_eq!(cnnic.queries(), vec!["xn--fsqu00a.xn--fiqs8s"]);
}

#[tokio::test]
async fn server_rate_limit_message_is_rate_limited() {
    let server = start_whois(Behaviour::Reply(
        b"Query rate limit exceeded. Try later.\n".to_vec(),
    ))
    .await;
    let client = WhoisClient::new(&settings(&[("test", server.key())], "127.0.0.1:9"));
    let timed = client.lookup("example.test").await;
    assert!(
        matches!(
            timed.outcome,
            Outcome::Failed(ProbeFailure::RateLimited { .. })
        ),
        "{:?}",
        timed.outcome
    );
    // Not cached: the next lookup asks again.
    let _ = client.lookup("example.test").await;
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn our_rate_limit_spaces_queries_to_one_server() {
    let server = start_whois(Behaviour::Reply(b"No matching record.\n".to_vec())).await;
    let client = WhoisClient::new(&settings(&[("cn", server.key())], "127.0.0.1:9"))
        .with_rate_limits(ServerRateLimits::with_window(1, Duration::from_millis(300)));
    let clock = Instant::now();
    let _ = client.lookup("a.cn").await;
    let _ = client.lookup("b.cn").await;
    assert!(
        clock.elapsed() >= Duration::from_millis(250),
        "{:?}",
        clock.elapsed()
    );
}

#[tokio::test]
async fn hanging_server_times_out_in_bounded_time() {
    let server = start_whois(Behaviour::Hang).await;
    let client = WhoisClient::new(&settings(&[("test", server.key())], "127.0.0.1:9"));
    let clock = Instant::now();
    let timed = client.lookup("example.test").await;
    assert!(
        clock.elapsed() < Duration::from_millis(1800),
        "{:?}",
        clock.elapsed()
    );
    assert!(matches!(
        timed.outcome,
        Outcome::Failed(ProbeFailure::Timeout { .. })
    ));
}

#[tokio::test]
async fn ten_megabyte_answer_is_cut_at_the_limit() {
    let head = CNNIC.as_bytes().to_vec();
    let server = start_whois(Behaviour::Flood {
        head,
        total: 10 * 1024 * 1024,
    })
    .await;
    let client = WhoisClient::new(&settings(&[("cn", server.key())], "127.0.0.1:9"));
    let found = evidence(client.lookup("example.cn").await.outcome);
    let hop = &found.hops[0];
    assert_eq!(hop.bytes, 64 * 1024);
    assert_eq!(
        hop.failure,
        Some(ProbeFailure::TooLarge {
            limit_bytes: 64 * 1024
        })
    );
    assert_eq!(
        found.outcome,
        WhoisOutcome::Registered,
        "the prefix still says something"
    );
    assert!(found.raw.len() <= 64 * 1024);

    let junk = start_whois(Behaviour::Flood {
        head: Vec::new(),
        total: 10 * 1024 * 1024,
    })
    .await;
    let client = WhoisClient::new(&settings(&[("cn", junk.key())], "127.0.0.1:9"));
    let timed = client.lookup("example.cn").await;
    assert!(
        matches!(
            timed.outcome,
            Outcome::Failed(ProbeFailure::TooLarge { .. })
        ),
        "{:?}",
        timed.outcome
    );
}

#[tokio::test]
async fn unknown_tld_and_refused_connection_are_typed() {
    let iana = start_whois(Behaviour::Reply(
        b"% This query returned 0 objects.\n".to_vec(),
    ))
    .await;
    let client = WhoisClient::new(&settings(&[], &iana.key()));
    let timed = client.lookup("example.nosuchtld").await;
    assert!(
        matches!(
            timed.outcome,
            Outcome::Failed(ProbeFailure::NoServer { .. })
        ),
        "{:?}",
        timed.outcome
    );

    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test port");
    let dead = closed
        .local_addr()
        .expect("bound socket has an address")
        .to_string();
    drop(closed);
    let client = WhoisClient::new(&settings(&[("test", dead)], "127.0.0.1:9"));
    let timed = client.lookup("example.test").await;
    assert!(
        matches!(timed.outcome, Outcome::Failed(ProbeFailure::Refused { .. })),
        "{:?}",
        timed.outcome
    );
}

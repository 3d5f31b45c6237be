//! The HTTP persona fetcher against in-test servers: redirect chains, personas, charsets, the
//! private-address policy, `http.resolve` and the port mapping.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use beian_probe::http::{CharsetSource, HttpEvidence, persona};
use beian_probe::settings::{Persona, PersonaKind};
use beian_probe::{Outcome, ProbeFailure, Timed};
use url::Url;

use crate::support::{Handler, http_probe, http_settings, respond, serve_http, static_resolver};

const DESKTOP: Persona = Persona {
    kind: PersonaKind::DesktopBrowser,
    baidu_referer: false,
};

fn url(text: &str) -> Url {
    Url::parse(text).expect("test URLs are valid")
}

fn evidence(timed: &Timed<HttpEvidence>) -> &HttpEvidence {
    match &timed.outcome {
        Outcome::Ok(evidence) => evidence,
        Outcome::Failed(failure) => panic!("expected evidence, got {failure:?}"),
    }
}

/// A site with a 301 → 302 → meta refresh → 200 chain, a loop and an endless chain.
fn redirecting_site() -> Handler {
    Arc::new(|request| {
        let path = request.uri().path().to_owned();
        let host = request
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        match path.as_str() {
            "/start" => respond(301, &[("location", "/moved")], ""),
            "/moved" => respond(302, &[("location", &format!("http://{host}/refresh"))], ""),
            "/refresh" => respond(
                200,
                &[("content-type", "text/html; charset=utf-8")],
                "<html><head><meta http-equiv=\"refresh\" content=\"0;url=/final\"></head></html>",
            ),
            "/final" => respond(
                200,
                &[
                    ("content-type", "text/html; charset=utf-8"),
                    ("server", "lab"),
                ],
                "<title>到达</title>",
            ),
            "/loop-a" => respond(302, &[("location", "/loop-b")], ""),
            "/loop-b" => respond(302, &[("location", "/loop-a")], ""),
            other => match other
                .strip_prefix("/chain/")
                .and_then(|n| n.parse::<u32>().ok())
            {
                Some(n) => respond(302, &[("location", &format!("/chain/{}", n + 1))], ""),
                None => respond(404, &[], "not found"),
            },
        }
    })
}

#[tokio::test]
async fn every_hop_of_a_redirect_chain_is_recorded() {
    let addr = serve_http("127.0.0.1", redirecting_site()).await;
    let probe = http_probe(&http_settings(), true, static_resolver(&[]));
    let timed = probe
        .fetch(&url(&format!("http://{addr}/start")), DESKTOP)
        .await;
    let page = evidence(&timed);
    let statuses: Vec<u16> = page.hops.iter().map(|hop| hop.status).collect();
    assert_eq!(statuses, [301, 302, 200, 200]);
    assert_eq!(page.hops[0].location.as_deref(), Some("/moved"));
    assert_eq!(
        page.hops[1].location,
        Some(format!("http://{addr}/refresh"))
    );
    assert_eq!(page.hops[2].meta_refresh.as_deref(), Some("/final"));
    assert!(page.hops.iter().all(|hop| hop.remote_addr == Some(addr)));
    assert_eq!(page.final_url.path(), "/final");
    assert_eq!(page.status, 200);
    assert_eq!(page.body, "<title>到达</title>");
    assert_eq!(page.headers.get("server").map(String::as_str), Some("lab"));
    assert_eq!(page.error, None);
    assert!(!page.truncated);
}

#[tokio::test]
async fn a_redirect_loop_stops_early() {
    let addr = serve_http("127.0.0.1", redirecting_site()).await;
    let probe = http_probe(&http_settings(), true, static_resolver(&[]));
    let started = Instant::now();
    let timed = probe
        .fetch(&url(&format!("http://{addr}/loop-a")), DESKTOP)
        .await;
    assert!(
        started.elapsed().as_millis() < 1000,
        "loop detection is quick"
    );
    let page = evidence(&timed);
    assert_eq!(page.hops.len(), 2, "a → b, then b → a is the repeat");
    assert_eq!(
        page.error,
        Some(ProbeFailure::TooManyRedirects { limit: 10 })
    );
    assert_eq!(page.failed_url.as_ref().map(Url::path), Some("/loop-a"));
}

#[tokio::test]
async fn a_chain_longer_than_the_limit_stops_at_the_limit() {
    let addr = serve_http("127.0.0.1", redirecting_site()).await;
    let mut settings = http_settings();
    settings.max_redirects = 3;
    let probe = http_probe(&settings, true, static_resolver(&[]));
    let timed = probe
        .fetch(&url(&format!("http://{addr}/chain/0")), DESKTOP)
        .await;
    let page = evidence(&timed);
    assert_eq!(page.hops.len(), 4, "the first request and three redirects");
    assert_eq!(
        page.error,
        Some(ProbeFailure::TooManyRedirects { limit: 3 })
    );
    assert_eq!(page.final_url.path(), "/chain/3");
}

/// User-Agent, Referer and Accept-Language of one request.
type SeenRequest = (String, Option<String>, String);

#[tokio::test]
async fn persona_headers_reach_the_server() {
    let seen: Arc<Mutex<Vec<SeenRequest>>> = Arc::default();
    let log = Arc::clone(&seen);
    let handler: Handler = Arc::new(move |request| {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        log.lock().expect("test lock").push((
            header("user-agent").unwrap_or_default(),
            header("referer"),
            header("accept-language").unwrap_or_default(),
        ));
        respond(200, &[("content-type", "text/html")], "ok")
    });
    let addr = serve_http("127.0.0.1", handler).await;
    let mut settings = http_settings();
    settings.resolve.insert("site.example".to_owned(), addr);
    let probe = http_probe(&settings, true, static_resolver(&[]));
    let results = probe.fetch_personas(&url("http://site.example/")).await;
    assert_eq!(results.len(), settings.personas.len());
    for (timed, expected) in results.iter().zip(&settings.personas) {
        assert_eq!(evidence(timed).persona, *expected);
    }
    let seen = seen.lock().expect("test lock").clone();
    assert_eq!(seen.len(), settings.personas.len());
    for persona in &settings.personas {
        let agent = persona::user_agent(persona.kind);
        let matching: Vec<_> = seen
            .iter()
            .filter(|(ua, referer, _)| ua == agent && referer.is_some() == persona.baidu_referer)
            .collect();
        assert_eq!(matching.len(), 1, "{persona:?} seen once");
        let (_, referer, language) = matching[0];
        assert!(language.starts_with("zh-CN"));
        if let Some(referer) = referer {
            assert!(
                referer.starts_with("https://www.baidu.com/link?url="),
                "{referer}"
            );
            assert!(referer.contains("&wd=site.example"), "{referer}");
        }
    }
    assert!(seen.iter().any(|(ua, _, _)| ua.contains("MicroMessenger")));
    assert!(seen.iter().any(|(ua, _, _)| ua.contains("Baiduspider/2.0")));
}

const CHINESE_PAGE: &str = "北京某某科技有限公司 版权所有 京ICP备12345678号-1 京公网安备11010502030143号 \
    欢迎光临本公司网站，我们提供专业的软件开发、网站建设与信息技术咨询服务。联系电话：010-12345678。";

#[tokio::test]
async fn chinese_charsets_decode_right() {
    let handler: Handler = Arc::new(|request| {
        let html = |head: &str| {
            format!(
                "<html><head>{head}<title>公司首页</title></head><body>{CHINESE_PAGE}</body></html>"
            )
        };
        match request.uri().path() {
            "/gbk-header" => respond(
                200,
                &[("content-type", "text/html; charset=GBK")],
                encoding_rs::GBK.encode(&html("")).0.into_owned(),
            ),
            "/gb18030-meta" => respond(
                200,
                &[("content-type", "text/html")],
                encoding_rs::GB18030
                    .encode(&html("<meta charset=\"gb18030\">"))
                    .0
                    .into_owned(),
            ),
            _ => respond(
                200,
                &[("content-type", "text/html")],
                encoding_rs::GBK.encode(&html("")).0.into_owned(),
            ),
        }
    });
    let addr = serve_http("127.0.0.1", handler).await;
    let probe = http_probe(&http_settings(), true, static_resolver(&[]));
    for (path, source, charset) in [
        ("/gbk-header", CharsetSource::Header, "GBK"),
        ("/gb18030-meta", CharsetSource::Meta, "gb18030"),
        ("/undeclared", CharsetSource::Detected, "GBK"),
    ] {
        let timed = probe
            .fetch(&url(&format!("http://{addr}{path}")), DESKTOP)
            .await;
        let page = evidence(&timed);
        assert_eq!(page.charset_source, source, "{path}");
        assert_eq!(page.charset, charset, "{path}");
        assert!(page.body.contains(CHINESE_PAGE), "{path}: {}", page.body);
        assert!(page.body.contains("<title>公司首页</title>"), "{path}");
    }
}

#[tokio::test]
async fn private_addresses_are_refused_at_every_hop() {
    let handler: Handler = Arc::new(|request| match request.uri().path() {
        "/to-name" => respond(302, &[("location", "http://evil.example/admin")], ""),
        "/to-literal" => respond(302, &[("location", "http://127.0.0.1:8080/")], ""),
        _ => respond(200, &[], "internal"),
    });
    let addr = serve_http("127.0.0.2", handler).await;
    let mut settings = http_settings();
    // An operator's override is trusted configuration; what the site redirects to is not.
    settings.resolve.insert("public.example".to_owned(), addr);
    let resolver = static_resolver(&[
        ("local.example", "127.0.0.1"),
        ("evil.example", "127.0.0.1"),
    ]);
    let probe = http_probe(&settings, false, resolver);

    let direct = probe.fetch(&url("http://local.example/"), DESKTOP).await;
    match &direct.outcome {
        Outcome::Failed(ProbeFailure::Forbidden { detail }) => {
            assert!(
                detail.contains("127.0.0.1") && detail.contains("local.example"),
                "{detail}"
            );
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }

    let via_name = probe
        .fetch(&url("http://public.example/to-name"), DESKTOP)
        .await;
    let page = evidence(&via_name);
    assert_eq!(page.hops.len(), 1);
    assert_eq!(page.hops[0].status, 302);
    assert!(
        matches!(&page.error, Some(ProbeFailure::Forbidden { detail }) if detail.contains("127.0.0.1"))
    );
    assert_eq!(page.failed_url, Some(url("http://evil.example/admin")));

    let via_literal = probe
        .fetch(&url("http://public.example/to-literal"), DESKTOP)
        .await;
    let page = evidence(&via_literal);
    assert!(
        matches!(&page.error, Some(ProbeFailure::Forbidden { detail }) if detail.contains("127.0.0.1"))
    );
    let literal = probe.fetch(&url("http://[::1]/"), DESKTOP).await;
    assert!(matches!(
        literal.outcome,
        Outcome::Failed(ProbeFailure::Forbidden { .. })
    ));
}

#[tokio::test]
async fn overrides_and_port_mapping_are_honoured() {
    let hosts: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&hosts);
    let handler: Handler = Arc::new(move |request| {
        let host = request
            .headers()
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        log.lock().expect("test lock").push(host.clone());
        respond(200, &[], host)
    });
    let mapped = serve_http("127.0.0.3", Arc::clone(&handler)).await;
    let overridden = serve_http("127.0.0.4", handler).await;
    let mut settings = http_settings();
    settings.http_port = mapped.port();
    settings
        .resolve
        .insert("override.example".to_owned(), overridden);
    let resolver = static_resolver(&[
        ("mapped.example", "127.0.0.3"),
        ("override.example", "127.0.0.9"),
    ]);
    let probe = http_probe(&settings, true, resolver);

    let page = probe.fetch(&url("http://mapped.example/"), DESKTOP).await;
    let page = evidence(&page);
    assert_eq!(
        page.body, "mapped.example",
        "Host carries no port; the mapped port was used"
    );
    assert_eq!(page.hops[0].remote_addr, Some(mapped));

    let page = probe.fetch(&url("http://override.example/"), DESKTOP).await;
    let page = evidence(&page);
    assert_eq!(
        page.hops[0].remote_addr,
        Some(overridden),
        "the override wins over DNS"
    );

    let page = probe.fetch(&url("http://127.0.0.3/"), DESKTOP).await;
    assert_eq!(
        evidence(&page).hops[0].remote_addr,
        Some(mapped),
        "literals are mapped too"
    );

    let unknown = probe.fetch(&url("http://nowhere.example/"), DESKTOP).await;
    assert!(matches!(
        unknown.outcome,
        Outcome::Failed(ProbeFailure::NxDomain { .. })
    ));
}

#[tokio::test]
async fn politeness_bounds_requests_per_host() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::AsyncWriteExt;

    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (now, peak) = (Arc::clone(&in_flight), Arc::clone(&most));
    let addr = crate::support::raw_server(move |mut stream| {
        let (now, peak) = (Arc::clone(&now), Arc::clone(&peak));
        async move {
            let current = now.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(current, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                .await;
        }
    })
    .await;
    let mut settings = http_settings();
    settings.resolve.insert("polite.example".to_owned(), addr);
    let limits = beian_probe::settings::Limits {
        per_host_concurrency: 1,
        ..beian_probe::ProbeSettings::default().limits
    };
    let probe = beian_probe::http::HttpProbe::new(
        &settings,
        &crate::support::network(true),
        static_resolver(&[]),
        Some(beian_probe::politeness::Politeness::new(&limits)),
    )
    .expect("test settings build a probe");
    let results = probe.fetch_personas(&url("http://polite.example/")).await;
    assert!(results.iter().all(|timed| evidence(timed).body == "ok"));
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "one request at a time per host"
    );
}

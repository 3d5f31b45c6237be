//! The site page shows the latest evidence per persona with its redirect chain, every
//! hop's URL escaped (they come from the remote site).

use axum::http::StatusCode;
use beian_core::facts::{SiteObservation, WebFacts};
use beian_engine::ObservationRecord;
use beian_engine::personas::{HopFact, PersonaFetch};
use beian_store::Store;
use chrono::Utc;

use crate::pages::{cookie_of, get};
use crate::support::App;

#[tokio::test]
async fn each_persona_shows_its_redirect_chain_escaped() {
    let app = App::new().await;
    let hostile = "https://evil.example/\"><script>alert(3)</script>";
    let record = ObservationRecord {
        observation: SiteObservation {
            observed_at: Utc::now(),
            domains: Vec::new(),
            web: Some(WebFacts {
                url: "https://www.example.cn/".to_owned(),
                verdict: "hijacked".to_owned(),
                reachable: true,
                title: None,
                signals: Vec::new(),
                footer: Vec::new(),
                tls: None,
            }),
        },
        home_fingerprint: None,
        personas: vec![
            PersonaFetch {
                persona: Some("desktop_browser".to_owned()),
                baidu_referer: false,
                hops: vec![HopFact {
                    status: 200,
                    url: "https://www.example.cn/".to_owned(),
                    to: None,
                }],
                final_url: Some("https://www.example.cn/".to_owned()),
                status: Some(200),
                error: None,
            },
            PersonaFetch {
                persona: Some("mobile_browser".to_owned()),
                baidu_referer: true,
                hops: vec![
                    HopFact {
                        status: 302,
                        url: "https://www.example.cn/".to_owned(),
                        to: Some(hostile.to_owned()),
                    },
                    HopFact {
                        status: 200,
                        url: hostile.to_owned(),
                        to: None,
                    },
                ],
                final_url: Some(hostile.to_owned()),
                status: Some(200),
                error: None,
            },
            PersonaFetch {
                persona: None,
                baidu_referer: false,
                hops: Vec::new(),
                final_url: None,
                status: None,
                error: Some("timed out after 10000 ms".to_owned()),
            },
        ],
    };
    let store = app.state.store();
    let scan = store.begin_scan("test", "all").await.expect("scan");
    store
        .record_site_judgement(
            "test",
            scan.id,
            app.seed.site,
            Some(&serde_json::to_string(&record).expect("json")),
            &[],
            Utc::now(),
        )
        .await
        .expect("judge");

    let viewer = app.login("viewer").await;
    let (session, _) = cookie_of(&viewer);
    let page = get(&app, &format!("/sites/{}", app.seed.site), session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<table class=\"personas\">"),
        "{}",
        page.body
    );
    assert!(page.body.contains("mobile_browser +baidu_referer"));
    assert!(
        page.body
            .contains("<li>302 <code>https://www.example.cn/</code> → <code>")
    );
    assert!(page.body.contains("timed out after 10000 ms"));
    assert!(
        !page.body.contains("<script>alert(3)"),
        "hop URLs are escaped"
    );
    let escaped = page.body.matches("&#60;script&#62;alert(3)").count()
        + page.body.matches("&lt;script&gt;alert(3)").count();
    assert_eq!(escaped, 3, "the Location, the hop and the final URL");
}

//! The pipeline end to end on two lab sites: findings recorded, the cancellation case opened
//! once, the observation stored in the core's shape, a rerun idempotent.

use beian_core::case::{CaseKind, CaseState};
use beian_core::facts::SiteObservation;
use beian_core::finding::Severity;
use beian_core::model::RecordStatus;
use beian_engine::{ObservationRecord, ScanScope};
use beian_lab::{Catalogue, ScenarioKind};
use beian_store::{CaseQuery, FindingQuery, Store};

use crate::support::{ACTOR, SiteSpec, add_site, lab, scan, store};

fn scenarios(kinds: &[ScenarioKind]) -> Vec<beian_lab::Scenario> {
    Catalogue::standard()
        .into_iter()
        .filter(|scenario| kinds.contains(&scenario.kind))
        .collect()
}

#[tokio::test]
async fn scan_records_findings_opens_the_case_once_and_reruns_idempotently() {
    let today = chrono::Utc::now().date_naive();
    let lab = lab(
        scenarios(&[ScenarioKind::Healthy, ScenarioKind::ExpiredFilingActive]),
        today,
    )
    .await;
    let (_dir, store) = store().await;
    let healthy = add_site(
        &store,
        0,
        &SiteSpec {
            company: "北京青禾网络科技有限公司",
            home_url: "https://healthy-shop.com/",
            domain: "healthy-shop.com",
            icp: "京ICP备2024031876号-1",
            status: RecordStatus::Active,
        },
    )
    .await;
    let expired = add_site(
        &store,
        1,
        &SiteSpec {
            company: "北京远山教育咨询有限公司",
            home_url: "http://expired-filing.com/",
            domain: "expired-filing.com",
            icp: "京ICP备2019034521号-1",
            status: RecordStatus::Active,
        },
    )
    .await;

    let first = scan(&store, &lab, &ScanScope::All).await;
    assert_eq!(first.summary.sites, 2);
    assert_eq!(first.summary.scope, "all");
    let lapsed = first
        .sites
        .iter()
        .find(|site| site.site_id == expired)
        .expect("the expired site's report");
    let rules: Vec<&str> = lapsed.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert!(rules.contains(&"domain.lapsed_filing_active"), "{rules:?}");
    assert_eq!(lapsed.cases_opened.len(), 1, "{:?}", lapsed.cases_opened);
    assert_eq!(lapsed.cases_opened[0].kind, CaseKind::IcpCancelWebsite);
    assert_eq!(
        first.summary.open_by_severity.get(&Severity::Critical),
        Some(&1)
    );
    let fine = first
        .sites
        .iter()
        .find(|site| site.site_id == healthy)
        .expect("the healthy site's report");
    assert_eq!(fine.verdict.as_deref(), Some("clean"));

    // The stored body is a SiteObservation (plus the home page's fingerprint).
    let stored = store
        .latest_observations(healthy, 5)
        .await
        .expect("observations");
    assert_eq!(stored.len(), 1);
    let observation: SiteObservation =
        serde_json::from_str(&stored[0].body).expect("a SiteObservation");
    let web = observation.web.as_ref().expect("pages were fetched");
    assert!(web.reachable);
    assert!(
        web.footer
            .iter()
            .any(|f| f.number == "京ICP备2024031876号-1" && f.link_ok),
        "{:?}",
        web.footer
    );
    let record: ObservationRecord = serde_json::from_str(&stored[0].body).expect("a record");
    assert!(record.home_fingerprint.is_some());
    let domain = observation
        .domain("healthy-shop.com")
        .expect("the domain was observed");
    assert!(
        domain
            .dns
            .as_ref()
            .is_some_and(|dns| dns.rcode == "no_error")
    );

    // Withdrawing the case does not make the next scan open another for the same finding.
    let case = store
        .find_open_case(CaseKind::IcpCancelWebsite, expired)
        .await
        .expect("query")
        .expect("the case is open");
    let mut withdrawn = case.clone();
    withdrawn.state = CaseState::Withdrawn;
    store
        .update_case(ACTOR, &withdrawn, case.state, "withdraw", "test")
        .await
        .expect("withdraw the case");

    let second = scan(&store, &lab, &ScanScope::Sites(vec![expired])).await;
    assert_eq!(second.summary.scope, format!("site:{expired}"));
    assert_eq!(second.summary.findings_opened, 0, "{:?}", second.summary);
    assert_eq!(second.summary.findings_resolved, 0, "{:?}", second.summary);
    assert_eq!(second.summary.cases_opened, 0, "{:?}", second.summary);
    let all_cases = store
        .list_cases(&CaseQuery {
            site_id: Some(expired),
            include_terminal: true,
            ..CaseQuery::default()
        })
        .await
        .expect("cases");
    assert_eq!(all_cases.len(), 1, "{all_cases:?}");
    let findings = store
        .list_findings(&FindingQuery {
            site_id: Some(expired),
            limit: 0,
            ..FindingQuery::default()
        })
        .await
        .expect("findings");
    assert_eq!(findings.total as usize, lapsed.findings.len());
    lab.shutdown().await;
}

#[tokio::test]
async fn an_uncheckable_home_url_is_judged_on_the_inventory_alone() {
    let today = chrono::Utc::now().date_naive();
    let lab = lab(scenarios(&[ScenarioKind::Healthy]), today).await;
    let (_dir, store) = store().await;
    let closed = add_site(
        &store,
        0,
        &SiteSpec {
            company: "北京青禾网络科技有限公司",
            home_url: "http://127.0.0.9/",
            domain: "healthy-shop.com",
            icp: "京ICP备2024031876号-1",
            status: RecordStatus::Closed,
        },
    )
    .await;
    let result = scan(&store, &lab, &ScanScope::All).await;
    let site = &result.sites[0];
    assert_eq!(site.site_id, closed);
    assert!(site.unchecked.is_some(), "{site:?}");
    let rules: Vec<&str> = site.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(rules, ["site.closed_filings_active"]);
    assert_eq!(site.cases_opened.len(), 1);
    assert_eq!(result.summary.unchecked, 1);
    lab.shutdown().await;
}

//! The baseline: the oldest clean home page kept is what later scans compare with. A title
//! replaced with gambling terms is caught against it, and the findings resolve themselves
//! when the page is restored.

use beian_core::model::RecordStatus;
use beian_engine::ScanScope;
use beian_lab::{Catalogue, Scenario, ScenarioKind, Web};

use crate::support::{SiteSpec, add_site, lab, scan, store};

const FOOTER: &str = "<footer><p>Copyright © 北京青禾网络科技有限公司</p>\
    <a href=\"https://beian.miit.gov.cn/\">京ICP备2024031876号-1</a></footer>";

fn page(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>青禾网络</h1><p>我们专注于企业信息化服务，欢迎咨询合作。</p>{FOOTER}</body></html>"
    )
}

/// The healthy scenario serving `html` at `/`.
fn healthy_with(html: String) -> Vec<Scenario> {
    let mut scenario = Catalogue::standard()
        .into_iter()
        .find(|scenario| scenario.kind == ScenarioKind::Healthy)
        .expect("the catalogue has a healthy site");
    scenario.web = Some(Web::home(html));
    vec![scenario]
}

fn rules(
    result: &beian_engine::ScanResult,
    field: fn(&beian_engine::SiteReport) -> &Vec<beian_engine::FindingRef>,
) -> Vec<String> {
    result
        .sites
        .iter()
        .flat_map(|site| field(site).iter().map(|f| f.rule_id.clone()))
        .collect()
}

#[tokio::test]
async fn replaced_title_is_caught_against_the_baseline_and_resolves() {
    let today = chrono::Utc::now().date_naive();
    let (_dir, store) = store().await;
    add_site(
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

    let original = lab(healthy_with(page("青禾网络 - 企业信息化服务")), today).await;
    let first = scan(&store, &original, &ScanScope::All).await;
    assert_eq!(
        first.sites[0].verdict.as_deref(),
        Some("clean"),
        "{first:?}"
    );
    assert!(first.sites[0].findings.is_empty(), "{first:?}");
    original.shutdown().await;

    let hijacked = lab(
        healthy_with(page("澳门新葡京-真人视讯-体育投注_青禾网络")),
        today,
    )
    .await;
    let second = scan(&store, &hijacked, &ScanScope::All).await;
    let opened = rules(&second, |site| &site.opened);
    assert!(
        opened.contains(&"content.title_replaced".to_owned()),
        "{opened:?}"
    );
    hijacked.shutdown().await;

    // Restored: every finding of the hijack resolves.
    let restored = lab(healthy_with(page("青禾网络 - 企业信息化服务")), today).await;
    let third = scan(&store, &restored, &ScanScope::All).await;
    assert!(third.sites[0].findings.is_empty(), "{third:?}");
    let mut resolved = rules(&third, |site| &site.resolved);
    resolved.sort();
    let mut expected = opened.clone();
    expected.sort();
    assert_eq!(resolved, expected);
    restored.shutdown().await;
}

//! The finding count tables (kept by triggers) against the findings themselves: after
//! opening, re-grading, resolving, acknowledging, suppressing, moving a site to another
//! organisation and deleting a site, every count equals a count of the rows; the trend
//! records what the counts said; the site filter by severity uses them.

use std::collections::HashMap;

use beian_core::finding::{FindingDraft, Severity};
use beian_core::model::{Change, RecordId, RecordKind};
use beian_store::{CountScope, FindingQuery, ListQuery, SeverityCounts, Store};
use chrono::NaiveDate;

use crate::support::{TestDb, draft, hour, seed_sites};

on_every_backend!(counts_follow_every_finding_change);

/// Counts the unresolved findings row by row: per site, and per organisation in `scope`.
async fn counted_by_hand(
    db: &TestDb,
    organisations: Option<&[i64]>,
) -> (SeverityCounts, HashMap<RecordId, SeverityCounts>) {
    let all = db
        .store
        .list_findings(&FindingQuery {
            limit: 0,
            ..FindingQuery::default()
        })
        .await
        .expect("list findings");
    assert_eq!(
        all.total,
        all.items.len() as u64,
        "listing total from the count tables"
    );
    assert!(all.total_exact);
    let site_ids: Vec<RecordId> = all.items.iter().map(|f| f.site_id).collect();
    let owners = db
        .store
        .site_organisations(&site_ids)
        .await
        .expect("site organisations");
    let mut in_scope = Vec::new();
    let mut per_site: HashMap<RecordId, Vec<Severity>> = HashMap::new();
    for finding in &all.items {
        per_site
            .entry(finding.site_id)
            .or_default()
            .push(finding.severity);
        let owner = owners.get(&finding.site_id).copied();
        if organisations.is_none_or(|orgs| owner.is_some_and(|o| orgs.contains(&o))) {
            in_scope.push(finding.severity);
        }
    }
    let tally = |severities: &[Severity]| {
        let mut expected = Vec::new();
        for severity in Severity::ALL {
            expected.push(severities.iter().filter(|&&s| s == severity).count() as u64);
        }
        expected
    };
    let as_vec = |counts: &SeverityCounts| -> Vec<u64> {
        Severity::ALL.into_iter().map(|s| counts.of(s)).collect()
    };
    let scope = match organisations {
        Some(orgs) => CountScope::Organisations(orgs),
        None => CountScope::All,
    };
    let counts = db
        .store
        .finding_counts(scope)
        .await
        .expect("finding counts");
    assert_eq!(
        as_vec(&counts),
        tally(&in_scope),
        "organisations {organisations:?}"
    );
    let sites: Vec<RecordId> = per_site.keys().copied().collect();
    let site_counts = db
        .store
        .site_finding_counts(&sites)
        .await
        .expect("site counts");
    for (site, severities) in &per_site {
        let stored = site_counts.get(site).copied().unwrap_or_default();
        assert_eq!(as_vec(&stored), tally(severities), "site {site}");
    }
    (counts, site_counts)
}

async fn check_all(db: &TestDb, other: i64) {
    counted_by_hand(db, None).await;
    counted_by_hand(db, Some(&[1])).await;
    counted_by_hand(db, Some(&[other])).await;
    counted_by_hand(db, Some(&[1, other])).await;
    for organisations in [&[1][..], &[other], &[1, other]] {
        sites_counted_by_hand(db, organisations).await;
    }
}

/// The sites of `organisations` by status, from the count table (migration 0009) and from
/// the rows; the unfiltered listing's total (taken from the table) matches its rows.
pub(crate) async fn sites_counted_by_hand(db: &TestDb, organisations: &[i64]) {
    let listed = db
        .store
        .list_sites_in(
            organisations,
            &ListQuery {
                limit: 0,
                ..ListQuery::of(RecordKind::Website)
            },
        )
        .await
        .expect("list sites");
    assert_eq!(listed.total, listed.items.len() as u64, "{organisations:?}");
    let mut by_hand: std::collections::BTreeMap<String, u64> = Default::default();
    for item in &listed.items {
        if let beian_core::model::Record::Website(site) = item {
            *by_hand.entry(site.status.as_str().to_owned()).or_default() += 1;
        }
    }
    let counted = db
        .store
        .site_status_counts(CountScope::Organisations(organisations))
        .await
        .expect("site status counts");
    let counted: std::collections::BTreeMap<String, u64> =
        counted.into_iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(counted, by_hand, "{organisations:?}");
}

async fn judge(db: &TestDb, scan: i64, site: RecordId, drafts: &[FindingDraft], at: i64) {
    db.store
        .record_site_judgement("scheduler", scan, site, None, drafts, hour(at))
        .await
        .expect("judgement");
}

async fn counts_follow_every_finding_change(db: &TestDb) {
    let store = &db.store;
    let sites = seed_sites(store, 3).await;
    let other = store
        .create_organisation("admin", "客户乙 / Client B", &[])
        .await
        .expect("organisation")
        .id;
    let scan = store.begin_scan("scheduler", "all").await.expect("scan").id;
    let psb = draft(sites[0], "psb.missing", "", Severity::High);
    let expiring = draft(sites[0], "domain.expiring", "a.cn", Severity::Low);
    let hijack = draft(sites[0], "content.hijack", "", Severity::Critical);
    judge(
        db,
        scan,
        sites[0],
        &[psb.clone(), expiring.clone(), hijack.clone()],
        1,
    )
    .await;
    judge(
        db,
        scan,
        sites[1],
        &[
            draft(sites[1], "content.hijack", "", Severity::Critical),
            draft(sites[1], "tls.expiring", "b.cn", Severity::Medium),
        ],
        1,
    )
    .await;
    judge(
        db,
        scan,
        sites[2],
        &[draft(sites[2], "psb.missing", "", Severity::High)],
        1,
    )
    .await;
    check_all(db, other).await;
    let counts = store.finding_counts(CountScope::All).await.expect("counts");
    assert_eq!(counts.total(), 6);
    assert_eq!(counts.at_least(Severity::High), 4);
    assert_eq!(counts.worst(), Some(Severity::Critical));

    // Re-graded and resolved: psb becomes critical, the expiring domain clears.
    let regraded = FindingDraft {
        severity: Severity::Critical,
        ..psb.clone()
    };
    judge(db, scan, sites[0], &[regraded, hijack.clone()], 2).await;
    check_all(db, other).await;

    // Acknowledged and suppressed findings are still unresolved: counts unchanged.
    let listed = store
        .list_findings(&FindingQuery {
            site_id: Some(sites[1]),
            limit: 0,
            ..FindingQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(listed.total, 2);
    store
        .acknowledge_finding("alice", listed.items[0].id)
        .await
        .expect("acknowledge");
    store
        .suppress_finding(
            "alice",
            listed.items[1].id,
            "维护中 / maintenance",
            hour(48),
            hour(2),
        )
        .await
        .expect("suppress");
    check_all(db, other).await;

    // A site moves to another organisation with its counts.
    store
        .set_site_organisation("admin", sites[1], other)
        .await
        .expect("move");
    check_all(db, other).await;
    let theirs = store
        .finding_counts(CountScope::Organisations(&[other]))
        .await
        .expect("counts");
    assert_eq!(theirs.total(), 2);

    // The severity filter on sites uses the counts.
    let critical_sites = store
        .list(&ListQuery {
            min_finding_severity: Some(Severity::Critical),
            limit: 0,
            ..ListQuery::of(RecordKind::Website)
        })
        .await
        .expect("list sites");
    let ids: Vec<RecordId> = critical_sites.items.iter().map(|r| r.id()).collect();
    assert_eq!(ids, vec![sites[0], sites[1]]);

    // The trend records the counts of the day, per organisation.
    let day = NaiveDate::from_ymd_opt(2030, 1, 2).expect("date");
    store
        .record_finding_trend(day, hour(3))
        .await
        .expect("trend");
    let trend = store
        .finding_trend(CountScope::Organisations(&[1]), day)
        .await
        .expect("read trend");
    let ours = store
        .finding_counts(CountScope::Organisations(&[1]))
        .await
        .expect("counts");
    assert_eq!(trend, vec![(day, ours)]);
    assert_eq!(
        store
            .finding_trend_recorded_at(day)
            .await
            .expect("recorded at"),
        Some(hour(3))
    );

    // A deleted site takes its findings and its counts with it.
    store
        .apply(
            "admin",
            &[Change::Delete {
                kind: RecordKind::Website,
                id: sites[2],
            }],
        )
        .await
        .expect("delete site");
    check_all(db, other).await;
    let after = store.finding_counts(CountScope::All).await.expect("counts");
    assert_eq!(after.total(), 4);
    assert!(
        store
            .site_finding_counts(&[sites[2]])
            .await
            .expect("counts")
            .is_empty()
    );
}

on_every_backend!(findings_of_a_large_organisation_list_the_same);

/// Past `SMALL_SCOPE_SITES` sites a findings listing keeps to the user's organisations
/// with `EXISTS` per row instead of `IN (their sites)`: both forms list the same findings
/// in the same order, and nothing of another organisation.
async fn findings_of_a_large_organisation_list_the_same(db: &TestDb) {
    let store = &db.store;
    let sites = seed_sites(store, 2_050).await;
    let other = store
        .create_organisation("admin", "客户乙 / Client B", &[])
        .await
        .expect("organisation")
        .id;
    store
        .set_site_organisation("admin", sites[1], other)
        .await
        .expect("move");
    let scan = store.begin_scan("scheduler", "all").await.expect("scan").id;
    for (n, site) in sites.iter().take(40).enumerate() {
        let severity = Severity::ALL[n % Severity::ALL.len()];
        judge(
            db,
            scan,
            *site,
            &[draft(*site, "psb.missing", "", severity)],
            1,
        )
        .await;
    }
    let query = FindingQuery {
        limit: 15,
        offset: 5,
        ..FindingQuery::default()
    };
    let everything = FindingQuery {
        limit: 0,
        ..FindingQuery::default()
    };
    let all = store.list_findings(&everything).await.expect("all");
    let ours_in_order: Vec<_> = all
        .items
        .iter()
        .filter(|f| f.site_id != sites[1])
        .map(|f| f.id)
        .collect();
    assert_eq!(ours_in_order.len(), 39);
    let full = store
        .list_findings_in(&[1], &everything)
        .await
        .expect("full");
    let listed: Vec<_> = full.items.iter().map(|f| f.id).collect();
    assert_eq!(listed, ours_in_order);
    let page = store.list_findings_in(&[1], &query).await.expect("page");
    let paged: Vec<_> = page.items.iter().map(|f| f.id).collect();
    assert_eq!(paged, ours_in_order[5..20].to_vec());
    assert_eq!(page.total, 39);
    let theirs = store
        .list_findings_in(&[other], &query)
        .await
        .expect("theirs");
    assert_eq!(theirs.total, 1);
}

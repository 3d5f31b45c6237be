//! Findings through their life: opened, seen again, re-graded, resolved, back as a new
//! row; listed in order with filters; suppressed and acknowledged; never duplicated by
//! concurrent judgements; every change on an intact audit chain.

use std::sync::Arc;

use beian_core::audit::{ChainBreak, ChainVerdict};
use beian_core::finding::{Finding, FindingState, Severity};
use beian_store::{AuditQuery, Entity, FindingQuery, Store, StoreError};
use chrono::{Duration, Utc};

use crate::support::{
    TestDb, assert_chain_intact, audit_actions, audit_count, draft, hour, seed_sites,
};

on_every_backend!(
    finding_lifecycle,
    listing_order_filters_and_pages,
    concurrent_judgements_never_duplicate,
    suppression_and_acknowledgement,
    tampered_finding_entry_is_named,
);

async fn get(db: &TestDb, id: i64) -> Finding {
    db.store
        .get_finding(id)
        .await
        .expect("read finding")
        .expect("finding exists")
}

async fn finding_lifecycle(db: &TestDb) {
    let store = &db.store;
    let site = seed_sites(store, 1).await[0];
    let scan = store.begin_scan("scheduler", "all").await.expect("scan");
    let psb = draft(site, "psb.missing", "", Severity::High);
    let expiring = draft(site, "domain.expiring", "example.cn", Severity::Low);

    // Opened.
    let first = store
        .record_site_judgement(
            "scheduler",
            scan.id,
            site,
            None,
            &[expiring.clone(), psb.clone()],
            hour(1),
        )
        .await
        .expect("first judgement");
    assert_eq!(first.opened.len(), 2);
    assert!(first.still_open.is_empty() && first.resolved.is_empty());
    let expiring_id = first.opened[0].id;
    let psb_id = first.opened[1].id;
    let stored = get(db, expiring_id).await;
    assert_eq!(stored, first.opened[0], "returned as stored");
    assert_eq!(stored.state, FindingState::Open);
    assert_eq!((stored.first_seen, stored.last_seen), (hour(1), hour(1)));
    assert_eq!(stored.evidence, expiring.evidence);
    assert_eq!(stored.key, "example.cn");

    // Seen again with the same drafts: only last_seen moves, and nothing is audited.
    let entries_before = audit_actions(store).await.len();
    let psb_before = get(db, psb_id).await;
    let again = store
        .record_site_judgement(
            "scheduler",
            scan.id,
            site,
            None,
            &[expiring.clone(), psb.clone()],
            hour(2),
        )
        .await
        .expect("second judgement");
    assert!(again.opened.is_empty() && again.resolved.is_empty());
    assert!(again.severity_changes.is_empty());
    assert_eq!(again.still_open.len(), 2);
    let psb_after = get(db, psb_id).await;
    assert_eq!(
        psb_after,
        Finding {
            last_seen: hour(2),
            ..psb_before
        }
    );
    assert_eq!(audit_actions(store).await.len(), entries_before);

    // Re-graded and cleared: the expiry got closer, the PSB filing was made.
    let closer = draft(site, "domain.expiring", "example.cn", Severity::Medium);
    let third = store
        .record_site_judgement("scheduler", scan.id, site, None, &[closer], hour(3))
        .await
        .expect("third judgement");
    assert_eq!(third.severity_changes.len(), 1);
    assert_eq!(third.severity_changes[0].finding_id, expiring_id);
    assert_eq!(
        (third.severity_changes[0].from, third.severity_changes[0].to),
        (Severity::Low, Severity::Medium)
    );
    assert_eq!(third.resolved.len(), 1);
    let resolved = get(db, psb_id).await;
    assert_eq!(resolved.state, FindingState::Resolved);
    assert_eq!(resolved.resolved_at, Some(hour(3)));
    assert_eq!(resolved, third.resolved[0]);
    assert_eq!(get(db, expiring_id).await.severity, Severity::Medium);

    // Back again: a new row with a new first_seen; the resolved one stays history.
    let fourth = store
        .record_site_judgement(
            "scheduler",
            scan.id,
            site,
            None,
            &[
                draft(site, "domain.expiring", "example.cn", Severity::Medium),
                psb.clone(),
            ],
            hour(4),
        )
        .await
        .expect("fourth judgement");
    assert_eq!(fourth.opened.len(), 1);
    let reopened = &fourth.opened[0];
    assert_ne!(reopened.id, psb_id);
    assert_eq!(reopened.first_seen, hour(4));
    assert_eq!(reopened.rule_id, "psb.missing");
    assert_eq!(get(db, psb_id).await.state, FindingState::Resolved);

    let unresolved = store
        .list_findings(&FindingQuery::default())
        .await
        .expect("list");
    assert_eq!(unresolved.total, 2);
    let everything = store
        .list_findings(&FindingQuery {
            include_resolved: true,
            ..FindingQuery::default()
        })
        .await
        .expect("list all");
    assert_eq!(everything.total, 3);

    assert_eq!(audit_count(store, "finding.open").await, 3);
    assert_eq!(audit_count(store, "finding.severity").await, 1);
    assert_eq!(audit_count(store, "finding.resolve").await, 1);
    let resolve_entries = store
        .audit_entries(&AuditQuery {
            entity: Some("finding".into()),
            entity_id: Some(psb_id),
            limit: 0,
            ..AuditQuery::default()
        })
        .await
        .expect("entries of the PSB finding");
    let actions: Vec<&str> = resolve_entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["finding.open", "finding.resolve"]);
    assert_chain_intact(store).await;
}

async fn listing_order_filters_and_pages(db: &TestDb) {
    let store = &db.store;
    let sites = seed_sites(store, 2).await;
    let scan = store.begin_scan("scheduler", "all").await.expect("scan");
    let judge = |site, drafts: Vec<_>, at| {
        let store = &db.store;
        async move {
            store
                .record_site_judgement("scheduler", scan.id, site, None, &drafts, at)
                .await
                .expect("judge")
        }
    };
    judge(
        sites[0],
        vec![
            draft(sites[0], "dns.a_changed", "www", Severity::Medium),
            draft(sites[0], "content.hijack", "", Severity::Critical),
            draft(sites[0], "tls.expiring", "www", Severity::Low),
        ],
        hour(2),
    )
    .await;
    judge(
        sites[1],
        vec![
            draft(sites[1], "dns.a_changed", "www", Severity::Medium),
            draft(sites[1], "content.hijack", "", Severity::Critical),
        ],
        hour(1),
    )
    .await;
    let list = |query: FindingQuery| async move {
        store.list_findings(&query).await.expect("list findings")
    };
    let describe = |page: &beian_store::FindingPage| -> Vec<(i64, String)> {
        page.items
            .iter()
            .map(|f| (f.site_id, f.rule_id.clone()))
            .collect()
    };

    // Severity first, then the older first_seen, then id.
    let all = list(FindingQuery::default()).await;
    assert_eq!(all.total, 5);
    assert_eq!(
        describe(&all),
        vec![
            (sites[1], "content.hijack".to_owned()),
            (sites[0], "content.hijack".to_owned()),
            (sites[1], "dns.a_changed".to_owned()),
            (sites[0], "dns.a_changed".to_owned()),
            (sites[0], "tls.expiring".to_owned()),
        ]
    );
    let page = list(FindingQuery {
        offset: 1,
        limit: 2,
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(page.total, 5);
    assert_eq!(describe(&page), describe(&all)[1..3].to_vec());

    let of_site = list(FindingQuery {
        site_id: Some(sites[0]),
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(of_site.total, 3);
    let of_rule = list(FindingQuery {
        rule_id: Some("dns.a_changed".into()),
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(of_rule.total, 2);
    let severe = list(FindingQuery {
        min_severity: Some(Severity::Medium),
        site_id: Some(sites[0]),
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(severe.total, 2);
    assert!(severe.items.iter().all(|f| f.severity >= Severity::Medium));

    // States: acknowledge one, resolve one (site 1 judged clean).
    let hijack_id = all.items[1].id;
    store
        .acknowledge_finding("cli:alice", hijack_id)
        .await
        .expect("acknowledge");
    judge(sites[1], vec![], hour(3)).await;
    let acknowledged = list(FindingQuery {
        states: vec![FindingState::Acknowledged],
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(acknowledged.total, 1);
    assert_eq!(acknowledged.items[0].id, hijack_id);
    let open = list(FindingQuery {
        states: vec![FindingState::Open],
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(open.total, 2);
    let resolved = list(FindingQuery {
        states: vec![FindingState::Resolved],
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(resolved.total, 2);
    assert!(
        resolved
            .items
            .iter()
            .all(|f| f.site_id == sites[1] && f.resolved_at == Some(hour(3)))
    );
    let open_or_resolved = list(FindingQuery {
        states: vec![FindingState::Open],
        include_resolved: true,
        ..FindingQuery::default()
    })
    .await;
    assert_eq!(open_or_resolved.total, 4);
    let everything = list(FindingQuery {
        include_resolved: true,
        limit: 0,
        ..FindingQuery::default()
    })
    .await;
    assert_eq!((everything.total, everything.items.len()), (5, 5));
}

async fn concurrent_judgements_never_duplicate(db: &TestDb) {
    let site = seed_sites(&db.store, 1).await[0];
    let scan = db.store.begin_scan("scheduler", "all").await.expect("scan");
    let drafts = vec![
        draft(site, "content.hijack", "", Severity::Critical),
        draft(
            site,
            "dns.takeover_risk",
            "cdn.example.cn",
            Severity::Critical,
        ),
        draft(site, "footer.icp_missing", "", Severity::High),
    ];
    let writers = [
        Arc::new(db.open_again().await),
        Arc::new(db.open_again().await),
    ];
    let mut tasks = Vec::new();
    for (n, store) in writers.iter().enumerate() {
        let store = Arc::clone(store);
        let drafts = drafts.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..10 {
                store
                    .record_site_judgement(
                        &format!("worker:{n}"),
                        scan.id,
                        site,
                        Some("{}"),
                        &drafts,
                        hour(round),
                    )
                    .await
                    .expect("concurrent judgement");
                tokio::task::yield_now().await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer task");
    }
    for store in &writers {
        store.close().await;
    }
    let page = db
        .store
        .list_findings(&FindingQuery {
            include_resolved: true,
            limit: 0,
            ..FindingQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(page.total, 3, "{:#?}", page.items);
    assert!(page.items.iter().all(|f| f.state == FindingState::Open));
    assert!(page.items.iter().all(|f| f.last_seen == hour(9)));
    assert_eq!(audit_count(&db.store, "finding.open").await, 3);
    assert_eq!(
        db.store.scan_sites_done(scan.id).await.expect("done"),
        vec![site]
    );
    assert_chain_intact(&db.store).await;
}

async fn suppression_and_acknowledgement(db: &TestDb) {
    let store = &db.store;
    let site = seed_sites(store, 1).await[0];
    let scan = store.begin_scan("scheduler", "all").await.expect("scan");
    let drafts = vec![
        draft(site, "content.parked", "", Severity::High),
        draft(site, "tls.expiring", "www.example.cn", Severity::Low),
    ];
    let opened = store
        .record_site_judgement("scheduler", scan.id, site, None, &drafts, hour(1))
        .await
        .expect("judge")
        .opened;
    let (parked, tls) = (opened[0].id, opened[1].id);
    let now = Utc::now();

    for reason in ["", "   "] {
        let refused = store
            .suppress_finding("cli:alice", parked, reason, now + Duration::days(1), now)
            .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Invalid {
                    field: "reason",
                    ..
                })
            ),
            "{refused:?}"
        );
    }
    for until in [now, now - Duration::days(1)] {
        let refused = store
            .suppress_finding("cli:alice", parked, "迁移中", until, now)
            .await;
        let Err(error @ StoreError::Invalid { field: "until", .. }) = refused else {
            panic!("{refused:?}");
        };
        assert!(error.to_string().contains("future"), "{error}");
    }
    let missing = store
        .suppress_finding("cli:alice", 9_999, "迁移中", now + Duration::days(1), now)
        .await;
    assert!(
        matches!(
            missing,
            Err(StoreError::Missing {
                entity: Entity::Finding,
                id: 9_999
            })
        ),
        "{missing:?}"
    );
    assert_eq!(audit_count(store, "finding.suppress").await, 0);

    // Suppressed until tomorrow: hidden from "open", listed as suppressed, still judged.
    let until = now + Duration::days(1);
    let suppressed = store
        .suppress_finding("cli:alice", parked, "  停放页为计划内迁移  ", until, now)
        .await
        .expect("suppress");
    assert_eq!(suppressed.state, FindingState::Suppressed);
    let suppression = suppressed.suppression.clone().expect("suppression kept");
    assert_eq!(suppression.reason, "停放页为计划内迁移");
    assert_eq!(suppression.by, "cli:alice");
    assert_eq!(get(db, parked).await, suppressed);
    let states = |states: Vec<FindingState>| FindingQuery {
        states,
        ..FindingQuery::default()
    };
    let listed = store
        .list_findings(&states(vec![FindingState::Suppressed]))
        .await
        .expect("list suppressed");
    assert_eq!(listed.items, vec![suppressed.clone()]);
    let open = store
        .list_findings(&states(vec![FindingState::Open]))
        .await
        .expect("list open");
    assert_eq!(
        open.items.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![tls]
    );
    store
        .record_site_judgement("scheduler", scan.id, site, None, &drafts, hour(2))
        .await
        .expect("judge again");
    assert_eq!(get(db, parked).await.state, FindingState::Suppressed);

    // A suppression that ran out reads as open again, without anything rewriting it.
    let long_ago = hour(-24 * 365 * 20);
    let expired = store
        .suppress_finding(
            "cli:bob",
            tls,
            "证书续期中",
            long_ago + Duration::days(7),
            long_ago,
        )
        .await
        .expect("suppress in the past");
    assert_eq!(expired.state, FindingState::Open);
    assert!(expired.suppression.is_some(), "kept as history");
    let open = store
        .list_findings(&states(vec![FindingState::Open]))
        .await
        .expect("list open");
    assert_eq!(
        open.items.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![tls]
    );
    let suppressed_now = store
        .list_findings(&states(vec![FindingState::Suppressed]))
        .await
        .expect("list suppressed");
    assert_eq!(suppressed_now.total, 1);

    // Acknowledging lifts the suppression; twice changes nothing more.
    let acknowledged = store
        .acknowledge_finding("cli:alice", parked)
        .await
        .expect("acknowledge");
    assert_eq!(acknowledged.state, FindingState::Acknowledged);
    assert_eq!(acknowledged.suppression, None);
    assert_eq!(get(db, parked).await, acknowledged);
    assert_eq!(
        store
            .acknowledge_finding("cli:alice", parked)
            .await
            .expect("again"),
        acknowledged
    );

    // Resolved findings take neither.
    store
        .record_site_judgement("scheduler", scan.id, site, None, &[], hour(3))
        .await
        .expect("all clear");
    let refused = store.acknowledge_finding("cli:alice", tls).await;
    let Err(error @ StoreError::StateConflict { .. }) = refused else {
        panic!("{refused:?}");
    };
    assert!(
        error
            .to_string()
            .contains(&format!("finding {tls} is resolved")),
        "{error}"
    );
    assert!(matches!(
        store
            .suppress_finding("cli:alice", tls, "x", until, now)
            .await,
        Err(StoreError::StateConflict { .. })
    ));

    assert_eq!(audit_count(store, "finding.suppress").await, 2);
    assert_eq!(audit_count(store, "finding.acknowledge").await, 1);
    assert_eq!(audit_count(store, "finding.resolve").await, 2);
    assert_chain_intact(store).await;
}

async fn tampered_finding_entry_is_named(db: &TestDb) {
    let store = &db.store;
    let site = seed_sites(store, 1).await[0];
    let scan = store.begin_scan("scheduler", "all").await.expect("scan");
    store
        .record_site_judgement(
            "scheduler",
            scan.id,
            site,
            None,
            &[draft(site, "content.hijack", "", Severity::Critical)],
            hour(1),
        )
        .await
        .expect("judge");
    store
        .finish_scan("scheduler", scan.id, "{}")
        .await
        .expect("finish");
    assert_chain_intact(store).await;
    let entries = store
        .audit_entries(&AuditQuery {
            limit: 0,
            ..AuditQuery::default()
        })
        .await
        .expect("entries");
    let open = entries
        .iter()
        .find(|e| e.action == "finding.open")
        .expect("finding.open entry");
    let disable_guard = if db.is_postgres() {
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"
    } else {
        "DROP TRIGGER audit_log_no_update"
    };
    db.raw_execute(disable_guard).await.expect("drop the guard");
    // Someone downgrades the recorded severity to hide how bad it was.
    let edit = format!(
        r#"UPDATE audit_log SET "after" = replace("after", '"critical"', '"low"') WHERE seq = {}"#,
        open.seq
    );
    assert_eq!(db.raw_execute(&edit).await.expect("edit"), 1);
    assert_eq!(
        store.verify_audit_chain().await.expect("verify"),
        ChainVerdict::Broken {
            entries_checked: open.seq as u64 - 1,
            seq: open.seq,
            reason: ChainBreak::HashMismatch
        }
    );
}

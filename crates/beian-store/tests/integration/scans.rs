//! Scan runs and observations: what a rerun may skip, what the rules compare against,
//! and the audit entries of starting and finishing.

use beian_core::finding::Severity;
use beian_core::model::RecordKind;
use beian_store::{Entity, Store, StoreError};

use crate::support::{TestDb, assert_chain_intact, audit_count, draft, hour, seed_sites};

on_every_backend!(scan_runs_and_observations, scan_misuse_is_refused);

async fn scan_runs_and_observations(db: &TestDb) {
    let store = &db.store;
    let sites = seed_sites(store, 3).await;
    let (a, b, c) = (sites[0], sites[1], sites[2]);

    let first = store
        .begin_scan("scheduler", "all")
        .await
        .expect("begin scan");
    assert_eq!(first.scope, "all");
    assert_eq!(first.actor, "scheduler");
    assert_eq!(first.finished_at, None);
    assert_eq!(
        store.scan_sites_done(first.id).await.expect("none yet"),
        Vec::<i64>::new()
    );

    let body = |n: u32| format!(r#"{{"observed_at":"2030-01-01T00:00:00Z","n":{n}}}"#);
    for site in [b, a] {
        store
            .record_site_judgement("scheduler", first.id, site, Some(&body(1)), &[], hour(1))
            .await
            .expect("judge");
    }
    // Judged without fresh evidence: done, but nothing to compare against later.
    store
        .record_site_judgement("scheduler", first.id, c, None, &[], hour(1))
        .await
        .expect("judge without evidence");
    // A rerun of the same site in the same scan replaces its observation.
    store
        .record_site_judgement("scheduler", first.id, a, Some(&body(2)), &[], hour(2))
        .await
        .expect("rerun");
    assert_eq!(
        store.scan_sites_done(first.id).await.expect("done"),
        vec![a, b, c]
    );
    let seen = store.latest_observations(a, 0).await.expect("observations");
    assert_eq!(seen.len(), 1, "one per scan and site: {seen:?}");
    assert_eq!(seen[0].body, body(2));
    assert_eq!(seen[0].observed_at, hour(2));
    assert!(store.latest_observations(c, 0).await.expect("c").is_empty());

    let finished = store
        .finish_scan("scheduler", first.id, r#"{"sites":3,"findings":0}"#)
        .await
        .expect("finish");
    assert!(finished.finished_at.is_some());
    assert_eq!(
        finished.summary_json.as_deref(),
        Some(r#"{"sites":3,"findings":0}"#)
    );

    let second = store
        .begin_scan("cli:alice", "site:1")
        .await
        .expect("scan 2");
    assert!(second.id > first.id);
    store
        .record_site_judgement("cli:alice", second.id, a, Some(&body(3)), &[], hour(3))
        .await
        .expect("judge in scan 2");
    let newest_first = store.latest_observations(a, 0).await.expect("observations");
    let bodies: Vec<&str> = newest_first.iter().map(|o| o.body.as_str()).collect();
    assert_eq!(bodies, vec![body(3), body(2)]);
    assert_eq!(newest_first[0].scan_id, second.id);
    assert_eq!(newest_first[0].site_id, a);
    let latest = store.latest_observations(a, 1).await.expect("limit 1");
    assert_eq!(latest, newest_first[..1].to_vec());

    assert_eq!(audit_count(store, "scan.start").await, 2);
    assert_eq!(audit_count(store, "scan.finish").await, 1);
    assert_chain_intact(store).await;
}

async fn scan_misuse_is_refused(db: &TestDb) {
    let store = &db.store;
    let sites = seed_sites(store, 1).await;
    let scan = store.begin_scan("scheduler", "all").await.expect("begin");

    let missing = store.scan_sites_done(scan.id + 100).await;
    assert!(
        matches!(missing, Err(StoreError::Missing { entity: Entity::Scan, id }) if id == scan.id + 100),
        "{missing:?}"
    );
    let unknown_site = store
        .record_site_judgement("scheduler", scan.id, 9_999, None, &[], hour(1))
        .await;
    assert!(
        matches!(
            unknown_site,
            Err(StoreError::NotFound {
                kind: RecordKind::Website,
                id: 9_999
            })
        ),
        "{unknown_site:?}"
    );
    let not_json = store
        .record_site_judgement("scheduler", scan.id, sites[0], Some("{oops"), &[], hour(1))
        .await;
    assert!(
        matches!(
            not_json,
            Err(StoreError::Invalid {
                field: "observation_json",
                ..
            })
        ),
        "{not_json:?}"
    );
    let other_site = store
        .record_site_judgement(
            "scheduler",
            scan.id,
            sites[0],
            None,
            &[draft(sites[0] + 1, "psb.missing", "", Severity::High)],
            hour(1),
        )
        .await;
    assert!(
        matches!(
            other_site,
            Err(StoreError::Invalid {
                field: "drafts",
                ..
            })
        ),
        "{other_site:?}"
    );
    assert!(matches!(
        store.finish_scan("scheduler", scan.id, "not json").await,
        Err(StoreError::Invalid {
            field: "summary_json",
            ..
        })
    ));
    // Nothing of the refused calls was kept.
    assert!(
        store
            .scan_sites_done(scan.id)
            .await
            .expect("done")
            .is_empty()
    );

    store
        .finish_scan("scheduler", scan.id, "{}")
        .await
        .expect("finish");
    let again = store.finish_scan("scheduler", scan.id, "{}").await;
    let Err(error @ StoreError::StateConflict { .. }) = again else {
        panic!("finishing twice: {again:?}");
    };
    let message = error.to_string();
    assert!(
        message.contains(&format!("scan {}", scan.id)) && message.contains("finished"),
        "{message}"
    );
    let late = store
        .record_site_judgement("scheduler", scan.id, sites[0], None, &[], hour(2))
        .await;
    assert!(
        matches!(
            late,
            Err(StoreError::StateConflict {
                entity: Entity::Scan,
                ..
            })
        ),
        "{late:?}"
    );
    assert_eq!(audit_count(store, "scan.finish").await, 1);
    assert_chain_intact(store).await;
}

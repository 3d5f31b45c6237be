//! Filing cases: opened once per site and kind, updated only from the state they were
//! read in, every step an event and an audit entry.

use beian_core::case::{Case, CaseDraft, CaseKind, CaseState, ChecklistItem, Deadline};
use beian_core::finding::Severity;
use beian_core::model::{Change, RecordKind};
use beian_store::{AuditQuery, CaseQuery, Entity, Store, StoreError};
use chrono::{Duration, Utc};

use crate::support::{TestDb, assert_chain_intact, audit_count, date, draft, hour, seed_sites};

on_every_backend!(case_story, case_misuse_is_refused);

fn cancel_draft(site_id: i64, finding_id: Option<i64>) -> CaseDraft {
    CaseDraft {
        kind: CaseKind::IcpCancelWebsite,
        subject_id: None,
        site_id: Some(site_id),
        filing_id: None,
        finding_id,
        title: "注销网站备案：站点0".to_owned(),
        checklist: vec![ChecklistItem {
            id: "cancel_application".to_owned(),
            label_zh: "注销申请".to_owned(),
            label_en: "Cancellation application".to_owned(),
            done: false,
        }],
        deadlines: vec![Deadline {
            id: "authority_review".to_owned(),
            label_zh: "管局审核".to_owned(),
            label_en: "Authority review".to_owned(),
            due: hour(24 * 28),
            basis: "20 个工作日".to_owned(),
        }],
        reference_date: Some(date("2030-01-01")),
    }
}

async fn case_story(db: &TestDb) {
    let store = &db.store;
    let sites = seed_sites(store, 2).await;
    let site = sites[0];
    let scan = store.begin_scan("scheduler", "all").await.expect("scan");
    let finding = store
        .record_site_judgement(
            "scheduler",
            scan.id,
            site,
            None,
            &[draft(
                site,
                "site.closed_filings_active",
                "",
                Severity::High,
            )],
            hour(1),
        )
        .await
        .expect("judge")
        .opened[0]
        .clone();

    // Opened by the rule, once.
    assert_eq!(
        store
            .find_open_case(CaseKind::IcpCancelWebsite, site)
            .await
            .expect("find"),
        None
    );
    let opened = store
        .open_case("scheduler", &cancel_draft(site, Some(finding.id)))
        .await
        .expect("open");
    assert_eq!(opened.state, CaseState::Draft);
    assert_eq!(opened.finding_id, Some(finding.id));
    assert_eq!(opened.opened_by, "scheduler");
    assert_eq!(opened.state_since, opened.opened_at);
    assert_eq!(
        store.get_case(opened.id).await.expect("get"),
        Some(opened.clone())
    );
    assert_eq!(
        store
            .find_open_case(CaseKind::IcpCancelWebsite, site)
            .await
            .expect("find"),
        Some(opened.clone())
    );
    let twice = store
        .open_case("scheduler", &cancel_draft(site, None))
        .await;
    let Err(error @ StoreError::CaseAlreadyOpen { .. }) = twice else {
        panic!("second open case of the kind: {twice:?}");
    };
    assert!(
        error
            .to_string()
            .contains(&format!("site {site} already has case {}", opened.id)),
        "{error}"
    );
    let same_finding = store
        .open_case("scheduler", &cancel_draft(sites[1], Some(finding.id)))
        .await;
    assert!(
        matches!(same_finding, Err(StoreError::CaseAlreadyOpen { existing, .. }) if existing == opened.id),
        "{same_finding:?}"
    );
    // Another kind for the same site is fine.
    let psb = store
        .open_case(
            "cli:alice",
            &CaseDraft {
                kind: CaseKind::PsbCancel,
                finding_id: None,
                ..cancel_draft(site, None)
            },
        )
        .await
        .expect("open a PSB case");

    // Advance, with the checklist ticked.
    let mut next = opened.clone();
    next.state = CaseState::Preparing;
    next.state_since = Utc::now();
    next.checklist[0].done = true;
    let advanced = store
        .update_case(
            "cli:alice",
            &next,
            CaseState::Draft,
            "advance",
            "材料已备齐",
        )
        .await
        .expect("advance");
    assert_eq!(advanced.state, CaseState::Preparing);
    assert!(advanced.checklist[0].done);
    assert_eq!(advanced.opened_at, opened.opened_at);
    assert!(advanced.updated_at >= opened.updated_at);
    assert_eq!(
        store.get_case(opened.id).await.expect("get"),
        Some(advanced.clone())
    );

    // A second person acting on what they read before that step is refused.
    let mut stale = opened.clone();
    stale.state = CaseState::Withdrawn;
    let conflict = store
        .update_case("cli:bob", &stale, CaseState::Draft, "close", "不需要了")
        .await;
    let Err(error @ StoreError::StateConflict { .. }) = conflict else {
        panic!("stale update: {conflict:?}");
    };
    let message = error.to_string();
    for part in [
        format!("case {}", opened.id),
        "preparing".to_owned(),
        "draft".to_owned(),
    ] {
        assert!(message.contains(&part), "{message} lacks {part}");
    }
    assert_eq!(
        store.get_case(opened.id).await.expect("get"),
        Some(advanced.clone())
    );

    // A note keeps the state; closing frees the site for a new case of the kind.
    let noted = store
        .update_case(
            "cli:bob",
            &advanced,
            CaseState::Preparing,
            "note",
            "已联系接入商",
        )
        .await
        .expect("note");
    let mut closing = noted.clone();
    closing.state = CaseState::Closed;
    let closed = store
        .update_case("cli:bob", &closing, CaseState::Preparing, "close", "已注销")
        .await
        .expect("close");
    assert_eq!(
        store
            .find_open_case(CaseKind::IcpCancelWebsite, site)
            .await
            .expect("find"),
        None
    );

    let events = store.case_events(opened.id).await.expect("events");
    let steps: Vec<(&str, Option<CaseState>, Option<CaseState>, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.from_state, e.to_state, e.note.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("open", None, Some(CaseState::Draft), ""),
            (
                "advance",
                Some(CaseState::Draft),
                Some(CaseState::Preparing),
                "材料已备齐"
            ),
            (
                "note",
                Some(CaseState::Preparing),
                Some(CaseState::Preparing),
                "已联系接入商"
            ),
            (
                "close",
                Some(CaseState::Preparing),
                Some(CaseState::Closed),
                "已注销"
            ),
        ]
    );
    assert!(events.iter().all(|e| e.case_id == opened.id));
    assert_eq!(events[1].actor, "cli:alice");

    // Listing: unfinished by default, terminal on request, filters.
    let ids = |cases: Vec<Case>| cases.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let list = |query: CaseQuery| async move { store.list_cases(&query).await.expect("list") };
    assert_eq!(ids(list(CaseQuery::default()).await), vec![psb.id]);
    assert_eq!(
        ids(list(CaseQuery {
            include_terminal: true,
            ..CaseQuery::default()
        })
        .await),
        vec![opened.id, psb.id]
    );
    assert_eq!(
        ids(list(CaseQuery {
            states: vec![CaseState::Closed],
            ..CaseQuery::default()
        })
        .await),
        vec![closed.id]
    );
    assert_eq!(
        ids(list(CaseQuery {
            kind: Some(CaseKind::PsbCancel),
            site_id: Some(site),
            ..CaseQuery::default()
        })
        .await),
        vec![psb.id]
    );
    assert!(
        list(CaseQuery {
            site_id: Some(sites[1]),
            include_terminal: true,
            ..CaseQuery::default()
        })
        .await
        .is_empty()
    );

    // A new case of the kind may open now; reopening the closed one would make two.
    let renewed = store
        .open_case("cli:alice", &cancel_draft(site, None))
        .await
        .expect("open again after closing");
    let mut reopen = closed.clone();
    reopen.state = CaseState::Preparing;
    let clash = store
        .update_case("cli:alice", &reopen, CaseState::Closed, "reopen", "")
        .await;
    assert!(
        matches!(clash, Err(StoreError::CaseAlreadyOpen { existing, .. }) if existing == renewed.id),
        "{clash:?}"
    );

    // Audited: every step, its note in the entry, the chain intact.
    assert_eq!(audit_count(store, "case.open").await, 3);
    assert_eq!(audit_count(store, "case.advance").await, 1);
    assert_eq!(audit_count(store, "case.note").await, 1);
    assert_eq!(audit_count(store, "case.close").await, 1);
    let entries = store
        .audit_entries(&AuditQuery {
            entity: Some("case".into()),
            entity_id: Some(opened.id),
            limit: 0,
            ..AuditQuery::default()
        })
        .await
        .expect("case entries");
    assert_eq!(entries.len(), 4);
    assert!(
        entries[1]
            .after
            .as_deref()
            .is_some_and(|after| after.contains("材料已备齐")),
        "{:?}",
        entries[1].after
    );
    assert_chain_intact(store).await;

    // Deleting the website takes its findings along; the cases stay, unlinked.
    store
        .apply(
            "cli:alice",
            &[Change::Delete {
                kind: RecordKind::Website,
                id: site,
            }],
        )
        .await
        .expect("delete the website");
    assert_eq!(store.get_finding(finding.id).await.expect("get"), None);
    let kept = store
        .get_case(opened.id)
        .await
        .expect("get")
        .expect("case kept");
    assert_eq!((kept.site_id, kept.finding_id), (None, None));
    assert_chain_intact(store).await;
}

async fn case_misuse_is_refused(db: &TestDb) {
    let store = &db.store;
    let site = seed_sites(store, 1).await[0];
    let blank = store
        .open_case(
            "cli:alice",
            &CaseDraft {
                title: "  ".to_owned(),
                ..cancel_draft(site, None)
            },
        )
        .await;
    assert!(
        matches!(blank, Err(StoreError::Invalid { field: "title", .. })),
        "{blank:?}"
    );
    let no_site = store
        .open_case("cli:alice", &cancel_draft(9_999, None))
        .await;
    assert!(
        matches!(
            no_site,
            Err(StoreError::NotFound {
                kind: RecordKind::Website,
                id: 9_999
            })
        ),
        "{no_site:?}"
    );
    let no_finding = store
        .open_case("cli:alice", &cancel_draft(site, Some(9_999)))
        .await;
    assert!(
        matches!(
            no_finding,
            Err(StoreError::Missing {
                entity: Entity::Finding,
                id: 9_999
            })
        ),
        "{no_finding:?}"
    );

    let case = store
        .open_case("cli:alice", &cancel_draft(site, None))
        .await
        .expect("open");
    for action in ["", "Advance", "case.advance"] {
        let refused = store
            .update_case("cli:alice", &case, CaseState::Draft, action, "")
            .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Invalid {
                    field: "action",
                    ..
                })
            ),
            "{action:?}: {refused:?}"
        );
    }
    let other_kind = Case {
        kind: CaseKind::IcpNew,
        ..case.clone()
    };
    assert!(matches!(
        store
            .update_case("cli:alice", &other_kind, CaseState::Draft, "advance", "")
            .await,
        Err(StoreError::Invalid { field: "kind", .. })
    ));
    let unknown = Case {
        id: 9_999,
        ..case.clone()
    };
    assert!(matches!(
        store
            .update_case("cli:alice", &unknown, CaseState::Draft, "advance", "")
            .await,
        Err(StoreError::Missing {
            entity: Entity::Case,
            id: 9_999
        })
    ));
    assert!(matches!(
        store.case_events(9_999).await,
        Err(StoreError::Missing {
            entity: Entity::Case,
            ..
        })
    ));
    assert_eq!(store.get_case(9_999).await.expect("get"), None);

    // Nothing refused left a trace.
    assert_eq!(store.case_events(case.id).await.expect("events").len(), 1);
    assert_eq!(audit_count(store, "case.open").await, 1);
    assert_eq!(
        store.get_case(case.id).await.expect("get"),
        Some(case.clone())
    );
    let later = Case {
        state_since: Utc::now() + Duration::seconds(1),
        ..case
    };
    store
        .update_case("cli:alice", &later, CaseState::Draft, "tick", "")
        .await
        .expect("an ordinary step still works");
    assert_chain_intact(store).await;
}

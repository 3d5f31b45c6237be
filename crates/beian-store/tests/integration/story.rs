//! The story of one subject's websites, from filing to closing, on every backend.

use beian_core::audit::ChainVerdict;
use beian_core::model::{Change, FilingKind, Links, Record, RecordKind, RecordRef, RecordStatus};
use beian_store::{AuditQuery, ListQuery, Store, StoreError};

use crate::support::{TestDb, date, domain, filing, subject, website};

on_every_backend!(story);

fn insert(record: Record, links: Links) -> Change {
    Change::Insert { record, links }
}

fn new(index: usize) -> Option<RecordRef> {
    Some(RecordRef::New(index))
}

async fn story(db: &TestDb) {
    let store = &db.store;
    let actor = "cli:alice";

    // Create: a subject with a website, its domain, the subject filing, the website
    // filing under it and a PSB filing — one transaction, links into the same batch.
    let created = store
        .apply(
            actor,
            &[
                insert(
                    subject("示例科技有限公司", "91110108MA01ABCD2X"),
                    Links::default(),
                ),
                insert(
                    website("示例官网", "https://www.example.cn/"),
                    Links {
                        subject: new(0),
                        ..Links::default()
                    },
                ),
                insert(
                    domain("example.cn", Some("2026-01-31")),
                    Links {
                        website: new(1),
                        ..Links::default()
                    },
                ),
                insert(
                    filing(FilingKind::IcpSubject, "京ICP备12345678号"),
                    Links {
                        subject: new(0),
                        ..Links::default()
                    },
                ),
                insert(
                    filing(FilingKind::IcpWebsite, "京ICP备12345678号-1"),
                    Links {
                        subject: new(0),
                        website: new(1),
                        parent: new(3),
                    },
                ),
                insert(
                    filing(FilingKind::Psb, "京公网安备11010502030143号"),
                    Links {
                        subject: new(0),
                        website: new(1),
                        ..Links::default()
                    },
                ),
            ],
        )
        .await
        .expect("create the portfolio");
    assert_eq!(created.len(), 6);
    let [
        Record::Subject(s),
        Record::Website(w),
        Record::Domain(d),
        Record::Filing(subject_filing),
        Record::Filing(site_filing),
        Record::Filing(psb),
    ] = created.as_slice()
    else {
        panic!("records come back in the order of the changes: {created:?}");
    };
    assert!(s.id > 0 && w.id > 0 && d.id > 0);
    assert_eq!(w.subject_id, s.id);
    assert_eq!(d.website_id, Some(w.id));
    assert_eq!(site_filing.parent_id, Some(subject_filing.id));
    assert_eq!(
        (site_filing.subject_id, site_filing.website_id),
        (s.id, Some(w.id))
    );
    assert_eq!(psb.website_id, Some(w.id));
    assert!(
        w.created_at > crate::support::at(),
        "the store stamps the time"
    );

    // Read back: by id and by natural key, identical to what apply returned.
    for record in &created {
        let by_id = store.get(record.kind(), record.id()).await.expect("get");
        assert_eq!(by_id.as_ref(), Some(record));
        let by_key = store
            .find(record.kind(), record.natural_key())
            .await
            .expect("find");
        assert_eq!(by_key.as_ref(), Some(record));
    }
    assert_eq!(
        store
            .find(RecordKind::Person, "张三")
            .await
            .expect("find person"),
        None
    );
    assert_eq!(
        store
            .get(RecordKind::Website, 999_999)
            .await
            .expect("get missing"),
        None
    );

    // Update: rename the site; created_at stays, updated_at moves.
    let mut renamed = w.clone();
    renamed.name = "示例科技官网".to_owned();
    let updated = store
        .apply(
            actor,
            &[Change::Update {
                record: Record::Website(renamed),
            }],
        )
        .await
        .expect("rename");
    let Record::Website(renamed) = &updated[0] else {
        panic!("website back")
    };
    assert_eq!(renamed.created_at, w.created_at);
    assert!(renamed.updated_at >= w.updated_at);
    assert_eq!(
        store
            .get(RecordKind::Website, w.id)
            .await
            .expect("get")
            .as_ref(),
        Some(&updated[0])
    );

    // More websites, one under another subject, to list with filters and pages.
    let mut more = vec![insert(
        subject("另一家公司", "91310000MA1FL0000X"),
        Links::default(),
    )];
    for n in 2..=5 {
        more.push(insert(
            website(
                &format!("Shop {n}"),
                &format!("https://shop{n}.example.cn/"),
            ),
            Links {
                subject: Some(RecordRef::Stored(s.id)),
                ..Links::default()
            },
        ));
    }
    more.push(insert(
        website("Other SHOP", "https://other.example.com/"),
        Links {
            subject: new(0),
            ..Links::default()
        },
    ));
    more.push(insert(
        domain("other.example.com", Some("2030-06-30")),
        Links {
            website: new(5),
            ..Links::default()
        },
    ));
    store.apply(actor, &more).await.expect("add more");

    let of_s = ListQuery {
        subject_id: Some(s.id),
        limit: 2,
        ..ListQuery::of(RecordKind::Website)
    };
    let first = store.list(&of_s).await.expect("page 1");
    assert_eq!((first.total, first.items.len()), (5, 2));
    assert_eq!(first.items[0].id(), w.id, "listed in id order");
    let last = store
        .list(&ListQuery {
            offset: 4,
            ..of_s.clone()
        })
        .await
        .expect("page 3");
    assert_eq!((last.total, last.items.len()), (5, 1));
    let everything = store
        .list(&ListQuery {
            limit: 0,
            ..of_s.clone()
        })
        .await
        .expect("no limit");
    assert_eq!(everything.items.len(), 5);

    let shops = store
        .list(&ListQuery {
            search: Some("shop".into()),
            ..ListQuery::of(RecordKind::Website)
        })
        .await
        .expect("search");
    assert_eq!(
        shops.total, 5,
        "search ignores case and spans subjects: {:?}",
        shops.items
    );
    let by_url = store
        .list(&ListQuery {
            search: Some("SHOP3.example".into()),
            ..ListQuery::of(RecordKind::Website)
        })
        .await
        .expect("search url");
    assert_eq!(by_url.total, 1);
    let literal = store
        .list(&ListQuery {
            search: Some("shop_".into()),
            ..ListQuery::of(RecordKind::Website)
        })
        .await
        .expect("search with a wildcard character");
    assert_eq!(
        literal.total, 0,
        "_ is a literal underscore, not a wildcard"
    );

    let psb_filings = store
        .list(&ListQuery {
            filing_kind: Some(FilingKind::Psb),
            ..ListQuery::of(RecordKind::Filing)
        })
        .await
        .expect("filings by kind");
    assert_eq!(psb_filings.items, vec![Record::Filing(psb.clone())]);
    let site_filings = store
        .list(&ListQuery {
            website_id: Some(w.id),
            ..ListQuery::of(RecordKind::Filing)
        })
        .await
        .expect("filings of a site");
    assert_eq!(site_filings.total, 2);
    let expiring = store
        .list(&ListQuery {
            expiring_before: Some(date("2027-01-01")),
            ..ListQuery::of(RecordKind::Domain)
        })
        .await
        .expect("expiring domains");
    assert_eq!(expiring.items, vec![Record::Domain(d.clone())]);
    let domains_of_s = store
        .list(&ListQuery {
            subject_id: Some(s.id),
            ..ListQuery::of(RecordKind::Domain)
        })
        .await
        .expect("domains of a subject");
    assert_eq!(domains_of_s.total, 1);

    // Close: the site is closed, not deleted; the status filter finds it.
    let Some(Record::Website(mut closing)) =
        store.get(RecordKind::Website, w.id).await.expect("get")
    else {
        panic!("website is there");
    };
    closing.status = RecordStatus::Closed;
    closing.closed_on = Some(date("2025-06-30"));
    store
        .apply(
            actor,
            &[Change::Update {
                record: Record::Website(closing.clone()),
            }],
        )
        .await
        .expect("close");
    for status in ["closed", "已关闭"] {
        let closed = store
            .list(&ListQuery {
                status: Some(status.into()),
                ..ListQuery::of(RecordKind::Website)
            })
            .await
            .expect("closed sites");
        assert_eq!(
            closed.items.iter().map(Record::id).collect::<Vec<_>>(),
            vec![w.id],
            "{status}"
        );
    }
    let active = store
        .list(&ListQuery {
            status: Some("active".into()),
            ..ListQuery::of(RecordKind::Website)
        })
        .await
        .expect("active sites");
    assert_eq!(active.total, 5);

    // Delete: refused while the domain and filings refer to the site, then allowed.
    let refused = store
        .apply(
            actor,
            &[Change::Delete {
                kind: RecordKind::Website,
                id: w.id,
            }],
        )
        .await
        .expect_err("a referenced website cannot be deleted");
    let StoreError::StillReferenced {
        kind: RecordKind::Website,
        referenced_by,
        count,
        ..
    } = &refused
    else {
        panic!("expected StillReferenced, got {refused:?}");
    };
    assert_eq!((*referenced_by, *count), (RecordKind::Domain, 1));
    assert!(
        refused.to_string().contains("https://www.example.cn/"),
        "{refused}"
    );
    let deleted = store
        .apply(
            actor,
            &[
                Change::Delete {
                    kind: RecordKind::Domain,
                    id: d.id,
                },
                Change::Delete {
                    kind: RecordKind::Filing,
                    id: psb.id,
                },
                Change::Delete {
                    kind: RecordKind::Filing,
                    id: site_filing.id,
                },
                Change::Delete {
                    kind: RecordKind::Website,
                    id: w.id,
                },
            ],
        )
        .await
        .expect("delete the site and what hangs on it");
    assert_eq!(
        deleted[3].id(),
        w.id,
        "a delete returns the record as it was"
    );
    assert_eq!(
        store.get(RecordKind::Website, w.id).await.expect("get"),
        None
    );
    let missing = store
        .apply(
            actor,
            &[Change::Delete {
                kind: RecordKind::Website,
                id: w.id,
            }],
        )
        .await
        .expect_err("deleting twice");
    assert!(
        matches!(
            missing,
            StoreError::NotFound {
                kind: RecordKind::Website,
                ..
            }
        ),
        "{missing:?}"
    );

    // Audit: who did what to the site, with before and after.
    let history = store
        .audit_entries(&AuditQuery {
            entity: Some("website".into()),
            entity_id: Some(w.id),
            ..AuditQuery::default()
        })
        .await
        .expect("audit entries");
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["insert", "update", "update", "delete"]);
    assert!(history.iter().all(|e| e.actor == actor));
    assert!(history.windows(2).all(|pair| pair[0].seq < pair[1].seq));
    let parse = |json: &Option<String>| -> Option<Record> {
        json.as_deref()
            .map(|text| serde_json::from_str(text).expect("audit JSON is a Record"))
    };
    assert_eq!(parse(&history[0].before), None);
    assert_eq!(parse(&history[0].after), Some(Record::Website(w.clone())));
    assert_eq!(parse(&history[1].before), Some(Record::Website(w.clone())));
    assert_eq!(parse(&history[1].after), Some(updated[0].clone()));
    let Some(Record::Website(after_close)) = parse(&history[2].after) else {
        panic!("close entry")
    };
    assert_eq!(
        (after_close.status, after_close.closed_on),
        (RecordStatus::Closed, Some(date("2025-06-30")))
    );
    assert_eq!(parse(&history[3].after), None);
    assert_eq!(parse(&history[3].before), Some(deleted[3].clone()));

    let all = store
        .audit_entries(&AuditQuery {
            limit: 0,
            ..AuditQuery::default()
        })
        .await
        .expect("all");
    // 6 created + 1 rename + 7 more + 1 close + 4 deleted.
    assert_eq!(all.len(), 19);
    let tail = store
        .audit_entries(&AuditQuery {
            after_seq: Some(17),
            ..AuditQuery::default()
        })
        .await
        .expect("tail");
    assert_eq!(tail.iter().map(|e| e.seq).collect::<Vec<_>>(), [18, 19]);

    let note = store
        .append_audit(
            "import:portfolio.xlsx",
            "import",
            "import",
            None,
            None,
            Some("{\"rows\":8}".into()),
        )
        .await
        .expect("non-inventory audit entry");
    assert_eq!(note.seq, 20);
    match store.verify_audit_chain().await.expect("verify") {
        ChainVerdict::Intact { entries, last_hash } => {
            assert_eq!(entries, 20);
            assert_eq!(last_hash, note.hash);
        }
        broken => panic!("the chain is intact after normal use: {broken:?}"),
    }
}

on_every_backend!(ids_are_never_reused);

/// Audit entries name records by id, so an id must never come to mean another record,
/// whether it was assigned one row at a time or reserved for a multi-row insert.
async fn ids_are_never_reused(db: &TestDb) {
    let store = &db.store;
    let three: Vec<Change> = (1..=3)
        .map(|n| {
            insert(
                subject(&format!("公司{n}"), &format!("ID-{n}")),
                Links::default(),
            )
        })
        .collect();
    let first = store.apply("t", &three).await.expect("insert three");
    let last_id = first[2].id();
    assert!(first[0].id() < first[1].id() && first[1].id() < last_id);
    store
        .apply(
            "t",
            &[Change::Delete {
                kind: RecordKind::Subject,
                id: last_id,
            }],
        )
        .await
        .expect("delete the newest");
    let again = store
        .apply("t", &[insert(subject("公司4", "ID-4"), Links::default())])
        .await
        .expect("insert");
    assert!(
        again[0].id() > last_id,
        "id {} reused after deleting {last_id}",
        again[0].id()
    );
    // A failed batch consumes nothing that a later batch could collide with.
    let duplicate = [
        insert(subject("公司5", "ID-5"), Links::default()),
        insert(subject("公司1", "ID-1"), Links::default()),
    ];
    store.apply("t", &duplicate).await.expect_err("duplicate");
    let after = store
        .apply("t", &[insert(subject("公司5", "ID-5"), Links::default())])
        .await
        .expect("insert");
    assert!(after[0].id() > again[0].id());
    assert_eq!(
        store
            .get(RecordKind::Subject, after[0].id())
            .await
            .expect("get")
            .as_ref(),
        Some(&after[0])
    );
}

//! A batch the size of a small import: every change audited, the chain intact.

use beian_core::audit::ChainVerdict;
use beian_core::model::{Change, FilingKind, Links, RecordKind, RecordRef};
use beian_store::{AuditQuery, ListQuery, Store};

use crate::support::{TestDb, domain, filing, subject, website};

on_every_backend!(two_thousand_changes_in_one_batch);

async fn two_thousand_changes_in_one_batch(db: &TestDb) {
    let mut changes = Vec::with_capacity(2_000);
    for n in 0..500 {
        let base = changes.len();
        changes.push(Change::Insert {
            record: subject(&format!("公司{n}"), &format!("ID{n:06}")),
            links: Links::default(),
        });
        changes.push(Change::Insert {
            record: website(&format!("站点{n}"), &format!("https://s{n}.example.cn/")),
            links: Links {
                subject: Some(RecordRef::New(base)),
                ..Links::default()
            },
        });
        changes.push(Change::Insert {
            record: domain(&format!("s{n}.example.cn"), Some("2027-12-31")),
            links: Links {
                website: Some(RecordRef::New(base + 1)),
                ..Links::default()
            },
        });
        changes.push(Change::Insert {
            record: filing(
                FilingKind::IcpSubject,
                &format!("京ICP备{:08}号", 10_000_000 + n),
            ),
            links: Links {
                subject: Some(RecordRef::New(base)),
                ..Links::default()
            },
        });
    }
    let stored = db
        .store
        .apply("import:large.xlsx", &changes)
        .await
        .expect("large batch");
    assert_eq!(stored.len(), 2_000);
    let domains = db
        .store
        .list(&ListQuery::of(RecordKind::Domain))
        .await
        .expect("list");
    assert_eq!(domains.total, 500);
    let entries = db
        .store
        .audit_entries(&AuditQuery {
            limit: 0,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    assert_eq!(entries.len(), 2_000);
    assert!(matches!(
        db.store.verify_audit_chain().await.expect("verify"),
        ChainVerdict::Intact { entries: 2_000, .. }
    ));
}

//! A batch that fails anywhere leaves the database exactly as it was.

use beian_core::audit::ChainVerdict;
use beian_core::model::{Change, FilingKind, Links, RecordKind, RecordRef, RelationError};
use beian_store::{Store, StoreError};

use crate::support::{TestDb, counts, filing, subject, website};

on_every_backend!(failed_batches_change_nothing);

async fn failed_batches_change_nothing(db: &TestDb) {
    let store = &db.store;
    let stored = store
        .apply(
            "cli:alice",
            &[
                Change::Insert {
                    record: subject("甲公司", "91110000000000001X"),
                    links: Links::default(),
                },
                Change::Insert {
                    record: website("甲官网", "https://a.example.cn/"),
                    links: Links {
                        subject: Some(RecordRef::New(0)),
                        ..Links::default()
                    },
                },
            ],
        )
        .await
        .expect("seed");
    let subject_id = stored[0].id();
    let counts_before = counts(store).await;
    let chain_before = store.verify_audit_chain().await.expect("verify");
    assert!(matches!(
        chain_before,
        ChainVerdict::Intact { entries: 2, .. }
    ));

    let under_new_subject = Links {
        subject: Some(RecordRef::New(0)),
        ..Links::default()
    };
    let failing_batches: Vec<(&str, Vec<Change>)> = vec![
        (
            "duplicate home URL in the 3rd change",
            vec![
                Change::Insert {
                    record: subject("乙公司", "91110000000000002X"),
                    links: Links::default(),
                },
                Change::Insert {
                    record: website("乙官网", "https://b.example.cn/"),
                    links: under_new_subject,
                },
                Change::Insert {
                    record: website("冒名", "https://a.example.cn/"),
                    links: under_new_subject,
                },
            ],
        ),
        (
            "duplicate subject inside the batch in the 3rd change",
            vec![
                Change::Insert {
                    record: subject("乙公司", "91110000000000002X"),
                    links: Links::default(),
                },
                Change::Insert {
                    record: website("乙官网", "https://b.example.cn/"),
                    links: under_new_subject,
                },
                Change::Insert {
                    record: subject("乙公司（重复行）", "91110000000000002X"),
                    links: Links::default(),
                },
            ],
        ),
        (
            "website filing without its subject filing in the 3rd change",
            vec![
                Change::Insert {
                    record: subject("乙公司", "91110000000000002X"),
                    links: Links::default(),
                },
                Change::Insert {
                    record: website("乙官网", "https://b.example.cn/"),
                    links: under_new_subject,
                },
                Change::Insert {
                    record: filing(FilingKind::IcpWebsite, "京ICP备22222222号-1"),
                    links: Links {
                        subject: Some(RecordRef::New(0)),
                        website: Some(RecordRef::New(1)),
                        parent: None,
                    },
                },
            ],
        ),
        (
            "link to a later change in the 3rd change",
            vec![
                Change::Insert {
                    record: subject("乙公司", "91110000000000002X"),
                    links: Links::default(),
                },
                Change::Insert {
                    record: website("乙官网", "https://b.example.cn/"),
                    links: under_new_subject,
                },
                Change::Insert {
                    record: website("丙官网", "https://c.example.cn/"),
                    links: Links {
                        subject: Some(RecordRef::New(5)),
                        ..Links::default()
                    },
                },
            ],
        ),
        (
            "link to a subject that does not exist in the 3rd change",
            vec![
                Change::Insert {
                    record: subject("乙公司", "91110000000000002X"),
                    links: Links::default(),
                },
                Change::Insert {
                    record: website("乙官网", "https://b.example.cn/"),
                    links: under_new_subject,
                },
                Change::Insert {
                    record: website("丙官网", "https://c.example.cn/"),
                    links: Links {
                        subject: Some(RecordRef::Stored(subject_id + 1000)),
                        ..Links::default()
                    },
                },
            ],
        ),
    ];
    for (what, batch) in failing_batches {
        let error = store
            .apply("import:bad.xlsx", &batch)
            .await
            .expect_err(what);
        match (what, &error) {
            (
                w,
                StoreError::Duplicate {
                    kind: RecordKind::Website,
                    key,
                },
            ) if w.starts_with("duplicate home") => {
                assert_eq!(key, "https://a.example.cn/");
            }
            (
                w,
                StoreError::Duplicate {
                    kind: RecordKind::Subject,
                    key,
                },
            ) if w.starts_with("duplicate subject") => {
                assert_eq!(key, "91110000000000002X");
            }
            (w, StoreError::Relation(RelationError::MissingParent { .. }))
                if w.starts_with("website filing") => {}
            (w, StoreError::InvalidChange { index: 2, .. }) if w.starts_with("link") => {}
            _ => panic!("{what}: unexpected error {error:?}"),
        }
        assert!(
            error.to_string().contains(" / "),
            "message is bilingual: {error}"
        );
        assert_eq!(
            counts(store).await,
            counts_before,
            "{what}: records unchanged"
        );
        assert_eq!(
            store.verify_audit_chain().await.expect("verify"),
            chain_before,
            "{what}: chain unchanged"
        );
    }

    // The same batch, corrected, goes through and continues the chain.
    store
        .apply(
            "import:good.xlsx",
            &[
                Change::Insert {
                    record: subject("乙公司", "91110000000000002X"),
                    links: Links::default(),
                },
                Change::Insert {
                    record: website("乙官网", "https://b.example.cn/"),
                    links: under_new_subject,
                },
            ],
        )
        .await
        .expect("corrected batch");
    assert!(matches!(
        store.verify_audit_chain().await.expect("verify"),
        ChainVerdict::Intact { entries: 4, .. }
    ));
}

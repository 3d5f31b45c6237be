//! Two handles writing at once (as two `beian` processes would) never fork the chain.

use std::sync::Arc;

use beian_core::audit::ChainVerdict;
use beian_core::model::{Change, Links, RecordRef};
use beian_store::Store;

use crate::support::{TestDb, subject, website};

on_every_backend!(concurrent_writers_keep_one_chain);

const BATCHES_PER_WRITER: usize = 25;

async fn concurrent_writers_keep_one_chain(db: &TestDb) {
    let writers = [
        Arc::new(db.open_again().await),
        Arc::new(db.open_again().await),
    ];
    let mut tasks = Vec::new();
    for (writer_no, store) in writers.iter().enumerate() {
        let store = Arc::clone(store);
        tasks.push(tokio::spawn(async move {
            for batch in 0..BATCHES_PER_WRITER {
                let key = format!("{writer_no}-{batch}");
                let changes = [
                    Change::Insert {
                        record: subject(&format!("公司{key}"), &format!("ID{key}")),
                        links: Links::default(),
                    },
                    Change::Insert {
                        record: website(
                            &format!("站点{key}"),
                            &format!("https://{key}.example.cn/"),
                        ),
                        links: Links {
                            subject: Some(RecordRef::New(0)),
                            ..Links::default()
                        },
                    },
                ];
                store
                    .apply(&format!("writer:{writer_no}"), &changes)
                    .await
                    .expect("concurrent apply");
                tokio::task::yield_now().await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer task");
    }
    for store in writers.iter() {
        store.close().await;
    }
    let expected = (2 * BATCHES_PER_WRITER * 2) as u64;
    assert!(matches!(
        db.store.verify_audit_chain().await.expect("verify"),
        ChainVerdict::Intact { entries, .. } if entries == expected
    ));
}

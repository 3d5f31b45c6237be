//! Site tags: stored with the site, filtered through the trigger-kept `website_tags`, and
//! counted per organisation in `organisation_tag_counts` — after insert, retag, a move to
//! another organisation and a delete, the listing and the counts agree with the sites'
//! own tags. And a person's "check now" makes a scheduled site's checks due, audited.

use beian_core::model::{Change, Links, Record, RecordId, RecordKind, RecordRef, Website};
use beian_store::{CountScope, ListQuery, ScheduledCheck, Store};

use crate::support::{TestDb, audit_count, date, domain, hour, seed_sites};

on_every_backend!(
    tags_filter_and_count,
    check_now_makes_checks_due,
    expiring_domains_keep_to_the_organisations
);

/// Reads the site, lets `change` edit it, and stores it.
async fn update_site(db: &TestDb, site: RecordId, change: impl FnOnce(&mut Website)) {
    let Some(Record::Website(mut record)) = db
        .store
        .get(RecordKind::Website, site)
        .await
        .expect("get site")
    else {
        panic!("site {site} is stored");
    };
    change(&mut record);
    db.store
        .apply(
            "test",
            &[Change::Update {
                record: Record::Website(record),
            }],
        )
        .await
        .expect("update site");
}

async fn retag(db: &TestDb, site: RecordId, tags: &[&str]) {
    update_site(db, site, |record| {
        record.tags = tags.iter().map(|t| (*t).to_owned()).collect();
    })
    .await;
}

/// A second organisation holding `site`; its id.
async fn second_organisation_with(db: &TestDb, site: RecordId) -> i64 {
    let other = db
        .store
        .create_organisation("admin", "客户乙 / Client B", &[])
        .await
        .expect("organisation")
        .id;
    db.store
        .set_site_organisation("admin", site, other)
        .await
        .expect("move");
    other
}

async fn tagged(db: &TestDb, tag: &str) -> Vec<RecordId> {
    let page = db
        .store
        .list(&ListQuery {
            tag: Some(tag.to_owned()),
            limit: 0,
            ..ListQuery::of(RecordKind::Website)
        })
        .await
        .expect("list by tag");
    assert_eq!(page.total, page.items.len() as u64, "total of tag {tag}");
    page.items.iter().map(Record::id).collect()
}

async fn tag_counts(db: &TestDb, scope: CountScope<'_>) -> Vec<(String, u64)> {
    db.store.site_tags(scope, 100).await.expect("site tags")
}

async fn tags_filter_and_count(db: &TestDb) {
    let sites = seed_sites(&db.store, 3).await;
    retag(db, sites[0], &["客户A", "官网"]).await;
    retag(db, sites[1], &["客户A"]).await;
    assert_eq!(tagged(db, "客户A").await, vec![sites[0], sites[1]]);
    assert_eq!(tagged(db, "官网").await, vec![sites[0]]);
    assert!(tagged(db, "客户").await.is_empty(), "a tag matches whole");
    assert_eq!(
        tag_counts(db, CountScope::All).await,
        vec![("官网".to_owned(), 1), ("客户A".to_owned(), 2)]
    );

    // Retagging moves the site between tags; a stored record reads back with its tags.
    retag(db, sites[0], &["客户B"]).await;
    assert_eq!(tagged(db, "客户A").await, vec![sites[1]]);
    assert_eq!(tagged(db, "客户B").await, vec![sites[0]]);
    assert!(tagged(db, "官网").await.is_empty());
    let Some(Record::Website(read)) = db
        .store
        .get(RecordKind::Website, sites[0])
        .await
        .expect("get")
    else {
        panic!("site stored");
    };
    assert_eq!(read.tags, vec!["客户B".to_owned()]);

    // A move to another organisation takes the site's tags along.
    let other = second_organisation_with(db, sites[1]).await;
    assert_eq!(
        tag_counts(db, CountScope::Organisations(&[other])).await,
        vec![("客户A".to_owned(), 1)]
    );
    assert_eq!(
        tag_counts(db, CountScope::Organisations(&[1])).await,
        vec![("客户B".to_owned(), 1)],
        "the default organisation no longer counts the moved site's tag"
    );

    // Closing a site moves it between the status counts.
    update_site(db, sites[2], |record| {
        record.status = beian_core::model::RecordStatus::Closed;
    })
    .await;
    crate::counts::sites_counted_by_hand(db, &[1]).await;
    crate::counts::sites_counted_by_hand(db, &[1, other]).await;

    // Deleting a site drops its tags.
    db.store
        .apply(
            "test",
            &[Change::Delete {
                kind: RecordKind::Website,
                id: sites[0],
            }],
        )
        .await
        .expect("delete");
    crate::counts::sites_counted_by_hand(db, &[1, other]).await;
    assert!(tagged(db, "客户B").await.is_empty());
    assert_eq!(
        tag_counts(db, CountScope::All).await,
        vec![("客户A".to_owned(), 1)]
    );
}

async fn check_now_makes_checks_due(db: &TestDb) {
    let sites = seed_sites(&db.store, 2).await;
    let later = hour(48);
    for site in &sites {
        let runs: Vec<_> = ScheduledCheck::ALL.iter().map(|c| (*c, later)).collect();
        assert!(
            db.store
                .schedule_site_checks(*site, &runs)
                .await
                .expect("schedule")
        );
    }
    let now = hour(1);
    assert!(
        db.store.due_sites(now, 0).await.expect("due").is_empty(),
        "nothing is due before the person asks"
    );
    let moved = db
        .store
        .check_sites_now("operator", &[sites[0]], now)
        .await
        .expect("check now");
    assert_eq!(moved, 1);
    let due: Vec<RecordId> = db
        .store
        .due_sites(now, 0)
        .await
        .expect("due")
        .iter()
        .map(|d| d.site_id)
        .collect();
    assert_eq!(due, vec![sites[0]]);
    let schedule = db
        .store
        .site_check_schedule(sites[0])
        .await
        .expect("schedule");
    assert!(schedule.values().all(|at| *at <= now), "{schedule:?}");
    assert_eq!(audit_count(&db.store, "site.check_now").await, 1);
}

/// The overview's expiring domains: only those of the user's organisations' sites (and,
/// for the default organisation, domains of no site), soonest first, within the horizon.
async fn expiring_domains_keep_to_the_organisations(db: &TestDb) {
    let sites = seed_sites(&db.store, 2).await;
    let other = second_organisation_with(db, sites[1]).await;
    let linked = |site: RecordId| Links {
        website: Some(RecordRef::Stored(site)),
        ..Links::default()
    };
    db.store
        .apply(
            "test",
            &[
                Change::Insert {
                    record: domain("ours-late.cn", Some("2027-03-01")),
                    links: linked(sites[0]),
                },
                Change::Insert {
                    record: domain("ours-soon.cn", Some("2027-01-10")),
                    links: linked(sites[0]),
                },
                Change::Insert {
                    record: domain("theirs.cn", Some("2027-01-05")),
                    links: linked(sites[1]),
                },
                Change::Insert {
                    record: domain("nobodys.cn", Some("2027-01-20")),
                    links: Links::default(),
                },
                Change::Insert {
                    record: domain("far-off.cn", Some("2029-01-01")),
                    links: linked(sites[0]),
                },
            ],
        )
        .await
        .expect("domains");
    let names = |domains: Vec<beian_core::model::Domain>| -> Vec<String> {
        domains.into_iter().map(|d| d.name).collect()
    };
    let before = date("2027-06-01");
    // The site count only picks the query's form (IN their sites, or EXISTS per domain):
    // both forms give the same answers.
    for sites in [1, 1_000_000] {
        let ours = db
            .store
            .expiring_domains_in(&[1], sites, before, 10)
            .await
            .expect("ours");
        assert_eq!(names(ours), ["ours-soon.cn", "nobodys.cn", "ours-late.cn"]);
        let theirs = db
            .store
            .expiring_domains_in(&[other], sites, before, 10)
            .await
            .expect("theirs");
        assert_eq!(names(theirs), ["theirs.cn"]);
        let first = db
            .store
            .expiring_domains_in(&[1, other], sites, before, 2)
            .await
            .expect("both");
        assert_eq!(names(first), ["theirs.cn", "ours-soon.cn"]);
    }
}

//! Organisations, users, sessions and API tokens: created, found, scoped and audited;
//! secrets never stored or audited in a usable form.

use beian_core::finding::Severity;
use beian_core::model::RecordKind;
use beian_store::{
    AuditQuery, CaseQuery, DEFAULT_ORGANISATION, FindingQuery, ListQuery, NewApiToken, NewUser,
    Role, Store, StoreError, hash_token,
};
use chrono::{Duration, Utc};

use crate::support::{TestDb, assert_chain_intact, audit_count, draft, hour, seed_sites};

on_every_backend!(
    users_and_organisations,
    sessions_live_until_they_expire,
    api_tokens_are_scoped_and_revocable,
    listings_are_scoped_to_organisations,
);

/// Not a real argon2 hash: the store only checks the scheme, hashing is the caller's job.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

async fn user(db: &TestDb, name: &str, role: Role, organisations: &[i64]) -> beian_store::User {
    db.store
        .create_user(
            "test:admin",
            &NewUser {
                name,
                password_hash: HASH,
                role,
                organisations,
            },
        )
        .await
        .expect("create user")
}

async fn users_and_organisations(db: &TestDb) {
    let store = &db.store;
    let default = store.list_organisations().await.expect("organisations");
    assert_eq!(default.len(), 1);
    assert_eq!(default[0].id, DEFAULT_ORGANISATION);

    let agency = store
        .create_organisation("test:admin", "客户甲", &[])
        .await
        .expect("create organisation");
    assert_ne!(agency.id, DEFAULT_ORGANISATION, "the identity moved past 1");
    assert!(matches!(
        store.create_organisation("test:admin", "客户甲", &[]).await,
        Err(StoreError::Invalid { field: "name", .. })
    ));

    let alice = user(
        db,
        "alice",
        Role::Operator,
        &[agency.id, DEFAULT_ORGANISATION, agency.id],
    )
    .await;
    assert_eq!(alice.organisations, vec![DEFAULT_ORGANISATION, agency.id]);
    assert_eq!(
        store.get_user(alice.id).await.expect("get"),
        Some(alice.clone())
    );
    let credentials = store
        .user_credentials(" alice ")
        .await
        .expect("credentials")
        .expect("alice exists");
    assert_eq!(credentials.password_hash, HASH);
    assert!(
        !format!("{credentials:?}").contains("argon2id"),
        "hash not in Debug"
    );

    for (name, hash, organisations, field) in [
        ("alice", HASH, &[1][..], "name"),
        ("", HASH, &[1][..], "name"),
        ("bob", "plain-password", &[1][..], "password_hash"),
        ("bob", HASH, &[][..], "organisations"),
        ("bob", HASH, &[999][..], "organisation_id"),
    ] {
        let refused = store
            .create_user(
                "test:admin",
                &NewUser {
                    name,
                    password_hash: hash,
                    role: Role::Viewer,
                    organisations,
                },
            )
            .await;
        assert!(
            matches!(refused, Err(StoreError::Invalid { field: f, .. }) if f == field),
            "{name:?} {hash:?} {organisations:?}: {refused:?}"
        );
    }
    assert_eq!(store.list_users().await.expect("users").len(), 1);

    // Members join a new organisation in the same write; an unknown member undoes it.
    let team = store
        .create_organisation("test:admin", "团队", &[alice.id])
        .await
        .expect("organisation with a member");
    let alice_now = store.get_user(alice.id).await.expect("get").expect("alice");
    assert_eq!(
        alice_now.organisations,
        vec![DEFAULT_ORGANISATION, agency.id, team.id]
    );
    let ghost = store
        .create_organisation("test:admin", "幽灵", &[999])
        .await;
    assert!(
        matches!(
            ghost,
            Err(StoreError::Invalid {
                field: "user_id",
                ..
            })
        ),
        "{ghost:?}"
    );
    assert_eq!(
        store
            .list_organisations()
            .await
            .expect("organisations")
            .len(),
        3
    );

    store
        .set_password("test:admin", alice.id, "$argon2id$v=19$other")
        .await
        .expect("set password");
    assert!(store.set_password("test:admin", 999, HASH).await.is_err());

    // Audited, never with the hash.
    assert_eq!(audit_count(store, "user.create").await, 1);
    assert_eq!(audit_count(store, "organisation.create").await, 2);
    assert_eq!(audit_count(store, "user.password").await, 1);
    let entries = store
        .audit_entries(&AuditQuery {
            limit: 0,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    for entry in &entries {
        let text = format!("{:?} {:?}", entry.before, entry.after);
        assert!(!text.contains("argon2id"), "{}: {text}", entry.action);
    }
    assert_chain_intact(store).await;
}

async fn sessions_live_until_they_expire(db: &TestDb) {
    let store = &db.store;
    let alice = user(db, "alice", Role::Viewer, &[DEFAULT_ORGANISATION]).await;
    let now = Utc::now();
    let token = "a".repeat(64);
    let session = store
        .create_session(alice.id, &token, "csrf-1", now + Duration::hours(1))
        .await
        .expect("session");
    assert_eq!(session.csrf_token, "csrf-1");
    let (found, who) = store
        .session(&token, now)
        .await
        .expect("look up")
        .expect("live session");
    assert_eq!((found.id, who.id), (session.id, alice.id));
    assert_eq!(
        store
            .session("b".repeat(64).as_str(), now)
            .await
            .expect("look up"),
        None
    );
    assert_eq!(
        store
            .session(&token, now + Duration::hours(2))
            .await
            .expect("look up"),
        None,
        "expired"
    );
    // Only the hash is kept.
    for (key, rows) in [(hash_token(&token), 1), (token.clone(), 0)] {
        let touched = db
            .raw_execute(&format!(
                "UPDATE sessions SET csrf_token = csrf_token WHERE token_hash = '{key}'"
            ))
            .await
            .expect("raw query");
        assert_eq!(touched, rows, "{key}");
    }
    assert!(store.end_session(&token).await.expect("end"));
    assert!(!store.end_session(&token).await.expect("end again"));
    assert_eq!(store.session(&token, now).await.expect("look up"), None);

    // A new password ends every session of the user.
    let other = "c".repeat(64);
    store
        .create_session(alice.id, &other, "csrf-2", now + Duration::hours(1))
        .await
        .expect("session");
    store
        .set_password("test:admin", alice.id, HASH)
        .await
        .expect("set password");
    assert_eq!(store.session(&other, now).await.expect("look up"), None);
    assert!(
        store
            .create_session(999, &other, "csrf-3", now + Duration::hours(1))
            .await
            .is_err()
    );
}

async fn api_tokens_are_scoped_and_revocable(db: &TestDb) {
    let store = &db.store;
    let viewer = user(db, "viewer", Role::Viewer, &[DEFAULT_ORGANISATION]).await;
    let admin = user(db, "root", Role::Admin, &[DEFAULT_ORGANISATION]).await;
    let secret = "t".repeat(64);
    let (other, ghost) = ("u".repeat(64), "v".repeat(64));
    let new = |user_id, name, role, token| NewApiToken {
        user_id,
        name,
        role,
        token,
    };
    let token = store
        .create_api_token("user:root", &new(admin.id, "ci", Role::Operator, &secret))
        .await
        .expect("create token");
    assert_eq!((token.role, token.revoked_at), (Role::Operator, None));
    let (found, owner) = store
        .api_token(&secret)
        .await
        .expect("look up")
        .expect("live token");
    assert_eq!((found, owner.id), (token.clone(), admin.id));

    for (attempt, field) in [
        (new(viewer.id, "up", Role::Admin, &secret), "role"),
        (new(admin.id, "ci", Role::Viewer, &other), "name"),
        (new(admin.id, "short", Role::Viewer, "abc"), "token"),
        (new(999, "ghost", Role::Viewer, &ghost), "user_id"),
    ] {
        let refused = store.create_api_token("user:root", &attempt).await;
        assert!(
            matches!(refused, Err(StoreError::Invalid { field: f, .. }) if f == field),
            "{attempt:?}: {refused:?}"
        );
    }

    let revoked = store
        .revoke_api_token("user:root", token.id)
        .await
        .expect("revoke");
    assert!(revoked.revoked_at.is_some());
    assert_eq!(store.api_token(&secret).await.expect("look up"), None);
    let again = store
        .revoke_api_token("user:root", token.id)
        .await
        .expect("revoke again");
    assert_eq!(again, revoked);
    assert!(store.revoke_api_token("user:root", 999).await.is_err());
    // The name is free again once revoked.
    store
        .create_api_token(
            "user:root",
            &new(admin.id, "ci", Role::Viewer, &"w".repeat(64)),
        )
        .await
        .expect("reuse name");
    assert_eq!(
        store
            .list_api_tokens(Some(admin.id))
            .await
            .expect("list")
            .len(),
        2
    );
    assert_eq!(
        store
            .list_api_tokens(Some(viewer.id))
            .await
            .expect("list")
            .len(),
        0
    );

    assert_eq!(audit_count(store, "token.create").await, 2);
    assert_eq!(audit_count(store, "token.revoke").await, 1);
    let entries = store
        .audit_entries(&AuditQuery {
            entity: Some("api_token".to_owned()),
            limit: 0,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    for entry in &entries {
        let text = format!("{:?} {:?}", entry.before, entry.after);
        assert!(
            !text.contains("tttt") && !text.contains(&hash_token(&secret)),
            "{text}"
        );
    }
    assert_chain_intact(store).await;
}

async fn listings_are_scoped_to_organisations(db: &TestDb) {
    let store = &db.store;
    let sites = seed_sites(store, 3).await;
    let client = store
        .create_organisation("test:admin", "客户乙", &[])
        .await
        .expect("organisation");
    store
        .set_site_organisation("test:admin", sites[2], client.id)
        .await
        .expect("move site");
    assert!(
        store
            .set_site_organisation("test:admin", sites[2], 999)
            .await
            .is_err()
    );
    assert!(matches!(
        store
            .set_site_organisation("test:admin", 999_999, client.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let owners = store.site_organisations(&sites).await.expect("owners");
    assert_eq!(owners[&sites[0]], DEFAULT_ORGANISATION);
    assert_eq!(owners[&sites[2]], client.id);

    let query = ListQuery::of(RecordKind::Website);
    let default_sites = store
        .list_sites_in(&[DEFAULT_ORGANISATION], &query)
        .await
        .expect("list");
    assert_eq!(default_sites.total, 2);
    let client_sites = store
        .list_sites_in(&[client.id], &query)
        .await
        .expect("list");
    assert_eq!(client_sites.total, 1);
    assert_eq!(client_sites.items[0].id(), sites[2]);
    assert_eq!(
        store.list_sites_in(&[], &query).await.expect("list").total,
        0
    );
    let searched = store
        .list_sites_in(
            &[DEFAULT_ORGANISATION, client.id],
            &ListQuery {
                search: Some("s1.example".to_owned()),
                ..query.clone()
            },
        )
        .await
        .expect("search");
    assert_eq!(searched.total, 1);
    assert!(
        store
            .list_sites_in(&[1], &ListQuery::of(RecordKind::Domain))
            .await
            .is_err()
    );

    let scan = store.begin_scan("test", "all").await.expect("scan");
    for site in &sites {
        store
            .record_site_judgement(
                "test",
                scan.id,
                *site,
                None,
                &[draft(*site, "psb.missing", "", Severity::High)],
                hour(1),
            )
            .await
            .expect("judge");
    }
    let findings = store
        .list_findings_in(&[client.id], &FindingQuery::default())
        .await
        .expect("findings");
    assert_eq!(findings.total, 1);
    assert_eq!(findings.items[0].site_id, sites[2]);
    assert_eq!(
        store
            .list_findings_in(&[DEFAULT_ORGANISATION], &FindingQuery::default())
            .await
            .expect("findings")
            .total,
        2
    );
    let cases = store
        .list_cases_in(&[client.id], &CaseQuery::default())
        .await
        .expect("cases");
    assert!(cases.is_empty());
    assert_eq!(audit_count(store, "site.organisation").await, 1);
    assert_chain_intact(store).await;
}

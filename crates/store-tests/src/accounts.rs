//! Stories of accounts, sessions, failed logins and the audit log ([`store::AccountStore`]).

use chrono::{DateTime, TimeDelta, Utc};
use domain::{Account, Email, Role};
use serde_json::json;
use store::accounts::LOGIN_FAILURE_RETENTION;
use store::{AuditEntry, NewAccount, Session, Store, StoreError};

use crate::fixtures::at;

/// An account to create, with a stand-in hash (the store keeps it as given).
pub fn new_account(email: &str, role: Role) -> NewAccount {
    NewAccount {
        email: Email::parse(email).expect("a valid e-mail"),
        role,
        communes: Vec::new(),
        institutions: Vec::new(),
        platforms: Vec::new(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$hash-of-{email}"),
    }
}

async fn create(store: &dyn Store, new: &NewAccount, now: DateTime<Utc>) -> i64 {
    store
        .create_account(new, now)
        .await
        .unwrap_or_else(|e| panic!("creating {}: {e}", new.email))
}

fn session(account_id: i64, csrf: &str, created: DateTime<Utc>, expires: DateTime<Utc>) -> Session {
    Session {
        account_id,
        csrf_token: csrf.to_string(),
        created_at: created,
        expires_at: expires,
    }
}

/// Whether the session `token_hash` is valid at `now`, through `store`.
async fn valid(store: &dyn Store, token_hash: &str, now: DateTime<Utc>) -> bool {
    store
        .session(token_hash, now)
        .await
        .expect("reading a session")
        .is_some()
}

fn expected(id: i64, new: &NewAccount, created_at: DateTime<Utc>) -> Account {
    Account {
        id,
        email: new.email.clone(),
        role: new.role,
        communes: new.communes.clone(),
        institutions: new.institutions.clone(),
        platforms: new.platforms.clone(),
        disabled: false,
        created_at,
    }
}

/// Accounts read back as written, in id order, by id and by e-mail (with the hash, which is
/// nowhere else).
pub async fn story_accounts_round_trip(store: &dyn Store) {
    assert_eq!(store.accounts().await.unwrap(), Vec::new());
    let admin = new_account(" Ana@Commune.LU ", Role::Admin);
    let mut contributor = new_account("jos@strassen.lu", Role::Contributor);
    contributor.communes = vec!["Strassen".into(), "Bertrange".into()];
    contributor.institutions = vec!["Office social de Strassen".into()];
    let mut facilitator = new_account("marie@blegny.be", Role::Facilitator);
    facilitator.platforms = vec!["Blégny".into()];

    let a = create(store, &admin, at(9)).await;
    let c = create(store, &contributor, at(10)).await;
    let f = create(store, &facilitator, at(11)).await;
    assert!(a < c && c < f, "ids grow: {a}, {c}, {f}");

    let all = store.accounts().await.unwrap();
    assert_eq!(
        all,
        vec![
            expected(a, &admin, at(9)),
            expected(c, &contributor, at(10)),
            expected(f, &facilitator, at(11)),
        ]
    );
    assert_eq!(all[0].email.as_str(), "ana@commune.lu");
    assert_eq!(
        store.account(c).await.unwrap(),
        Some(expected(c, &contributor, at(10)))
    );
    assert_eq!(store.account(f + 1000).await.unwrap(), None);

    let (found, hash) = store
        .account_by_email(&Email::parse("ANA@commune.lu").unwrap())
        .await
        .unwrap()
        .expect("the admin, by e-mail in any case");
    assert_eq!(found, expected(a, &admin, at(9)));
    assert_eq!(hash, admin.password_hash);
    assert_eq!(
        store
            .account_by_email(&Email::parse("nobody@commune.lu").unwrap())
            .await
            .unwrap(),
        None
    );
}

/// A second account with the same e-mail (in any case) is a conflict naming it, and changes
/// nothing.
pub async fn story_duplicate_email_conflicts(store: &dyn Store) {
    let first = new_account("ana@commune.lu", Role::Contributor);
    let id = create(store, &first, at(9)).await;
    let again = new_account("ANA@Commune.lu", Role::Admin);
    let err = store.create_account(&again, at(10)).await;
    assert!(
        matches!(&err, Err(StoreError::Conflict(m)) if m.contains("ana@commune.lu")),
        "{err:?}"
    );
    assert_eq!(
        store.accounts().await.unwrap(),
        vec![expected(id, &first, at(9))]
    );
    // Another e-mail still goes in.
    create(store, &new_account("jos@commune.lu", Role::Admin), at(10)).await;
    assert_eq!(store.accounts().await.unwrap().len(), 2);
}

/// Role, bindings, password and the disabled flag change; an unknown id is NotFound.
pub async fn story_account_changes(store: &dyn Store) {
    let new = new_account("ana@commune.lu", Role::Contributor);
    let id = create(store, &new, at(9)).await;
    let other = create(store, &new_account("jos@commune.lu", Role::Editor), at(9)).await;

    store
        .set_account_role(
            id,
            Role::Facilitator,
            &[],
            &[],
            &["Blégny".to_string(), "Mons".to_string()],
            at(10),
        )
        .await
        .unwrap();
    let changed = store.account(id).await.unwrap().unwrap();
    assert_eq!(
        (changed.role, changed.communes.len(), changed.platforms),
        (Role::Facilitator, 0, vec!["Blégny".into(), "Mons".into()])
    );
    assert_eq!(changed.created_at, at(9), "created_at stays");

    // A new password logs the account out everywhere, and no one else.
    store
        .create_session("ana-1", &session(id, "c1", at(10), at(20)))
        .await
        .unwrap();
    store
        .create_session("jos-1", &session(other, "c2", at(10), at(20)))
        .await
        .unwrap();
    store
        .set_password_hash(id, "$argon2id$new", at(11))
        .await
        .unwrap();
    let (_, hash) = store
        .account_by_email(&new.email)
        .await
        .unwrap()
        .expect("the account");
    assert_eq!(hash, "$argon2id$new");
    assert!(!valid(store, "ana-1", at(12)).await);
    assert!(valid(store, "jos-1", at(12)).await);

    store.set_account_disabled(id, true, at(12)).await.unwrap();
    assert!(store.account(id).await.unwrap().unwrap().disabled);
    assert!(!store.account(other).await.unwrap().unwrap().disabled);
    store.set_account_disabled(id, false, at(13)).await.unwrap();
    assert!(!store.account(id).await.unwrap().unwrap().disabled);

    let unknown = other + 1000;
    for result in [
        store.set_account_disabled(unknown, true, at(14)).await,
        store
            .set_account_role(unknown, Role::Admin, &[], &[], &[], at(14))
            .await,
        store.set_password_hash(unknown, "x", at(14)).await,
    ] {
        assert!(
            matches!(&result, Err(StoreError::NotFound(m)) if m.contains(&unknown.to_string())),
            "{result:?}"
        );
    }
}

/// A session is valid until it expires, is deleted, or its account is disabled (which deletes
/// all of that account's sessions); pruning deletes the expired ones.
pub async fn story_sessions(store: &dyn Store) {
    let ana = create(store, &new_account("ana@commune.lu", Role::Editor), at(8)).await;
    let jos = create(store, &new_account("jos@commune.lu", Role::Admin), at(8)).await;
    let opened = session(ana, "csrf-ana-1", at(10), at(12));
    store.create_session("hash-1", &opened).await.unwrap();

    let (found, account) = store
        .session("hash-1", at(11))
        .await
        .unwrap()
        .expect("a valid session");
    assert_eq!(found, opened);
    assert_eq!(
        (account.id, account.email.as_str(), account.role),
        (ana, "ana@commune.lu", Role::Editor)
    );
    assert!(valid(store, "hash-1", at(12) - TimeDelta::seconds(1)).await);
    assert!(
        !valid(store, "hash-1", at(12)).await,
        "expired at its expiry"
    );
    assert!(!valid(store, "hash-unknown", at(11)).await);

    store.delete_session("hash-1").await.unwrap();
    assert!(!valid(store, "hash-1", at(11)).await);
    store.delete_session("hash-1").await.unwrap();

    // Disabling logs out everywhere: the sessions are gone, not merely hidden.
    for (hash, id) in [("hash-2", ana), ("hash-3", ana), ("hash-4", jos)] {
        store
            .create_session(hash, &session(id, hash, at(10), at(20)))
            .await
            .unwrap();
    }
    store.set_account_disabled(ana, true, at(11)).await.unwrap();
    assert!(!valid(store, "hash-2", at(11)).await);
    let refused = store
        .create_session("hash-5", &session(ana, "c", at(11), at(20)))
        .await;
    assert!(
        matches!(&refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    let unknown = store
        .create_session("hash-6", &session(jos + 1000, "c", at(11), at(20)))
        .await;
    assert!(
        matches!(&unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    store
        .set_account_disabled(ana, false, at(12))
        .await
        .unwrap();
    assert!(!valid(store, "hash-2", at(12)).await);
    assert!(!valid(store, "hash-3", at(12)).await);
    assert!(valid(store, "hash-4", at(12)).await, "other accounts stay");

    // Pruning: what expired by then goes, the rest stays.
    store
        .create_session("hash-7", &session(ana, "c7", at(12), at(14)))
        .await
        .unwrap();
    store
        .create_session("hash-8", &session(ana, "c8", at(12), at(22)))
        .await
        .unwrap();
    assert_eq!(store.prune_sessions(at(13)).await.unwrap(), 0);
    assert_eq!(
        store.prune_sessions(at(20)).await.unwrap(),
        2,
        "hash-4 (expiring at 20) and hash-7"
    );
    assert_eq!(store.prune_sessions(at(20)).await.unwrap(), 0);
    assert!(valid(store, "hash-8", at(21)).await);
    // A pruned session stays gone even when asked about at an earlier instant.
    assert!(!valid(store, "hash-7", at(13)).await);
}

/// Two handles on one database, as two nodes: a session opened through one is valid through
/// the other, a logout or a disabling through one holds on the other, and failed logins add up.
pub async fn story_sessions_shared_between_nodes(a: &dyn Store, b: &dyn Store) {
    let ana = create(a, &new_account("ana@commune.lu", Role::Editor), at(8)).await;
    a.create_session("node-a-1", &session(ana, "csrf-1", at(10), at(12)))
        .await
        .unwrap();
    let (found, account) = b
        .session("node-a-1", at(11))
        .await
        .unwrap()
        .expect("the session opened on node A, on node B");
    assert_eq!((found.csrf_token.as_str(), account.id), ("csrf-1", ana));
    b.delete_session("node-a-1").await.unwrap();
    assert!(!valid(a, "node-a-1", at(11)).await, "logged out on B");

    a.create_session("node-a-2", &session(ana, "csrf-2", at(10), at(12)))
        .await
        .unwrap();
    b.set_account_disabled(ana, true, at(11)).await.unwrap();
    assert!(!valid(a, "node-a-2", at(11)).await, "disabled on B");
    assert!(a.account(ana).await.unwrap().unwrap().disabled);

    a.record_login_failure("ip:192.0.2.7", at(10))
        .await
        .unwrap();
    b.record_login_failure("ip:192.0.2.7", at(10))
        .await
        .unwrap();
    assert_eq!(
        a.login_failures_since("ip:192.0.2.7", at(9)).await.unwrap(),
        2
    );
    b.clear_login_failures("ip:192.0.2.7").await.unwrap();
    assert_eq!(
        a.login_failures_since("ip:192.0.2.7", at(9)).await.unwrap(),
        0
    );
}

/// Failed logins count per key within a window (its start included), clear per key, and go
/// when older than the retention.
pub async fn story_login_failures(store: &dyn Store) {
    let ip = "ip:127.0.0.1";
    let email = "email:ana@commune.lu";
    let minute = |m: i64| at(10) + TimeDelta::minutes(m);
    for m in [0, 5, 10] {
        store.record_login_failure(ip, minute(m)).await.unwrap();
    }
    store.record_login_failure(email, minute(7)).await.unwrap();

    let since = |key: &'static str, t: DateTime<Utc>| store.login_failures_since(key, t);
    assert_eq!(since(ip, minute(0)).await.unwrap(), 3);
    assert_eq!(since(ip, minute(5)).await.unwrap(), 2, "the start counts");
    assert_eq!(since(ip, minute(6)).await.unwrap(), 1);
    assert_eq!(since(ip, minute(11)).await.unwrap(), 0);
    assert_eq!(since(email, minute(0)).await.unwrap(), 1);
    assert_eq!(since("ip:10.0.0.1", minute(0)).await.unwrap(), 0);

    store.clear_login_failures(ip).await.unwrap();
    assert_eq!(since(ip, minute(0)).await.unwrap(), 0);
    assert_eq!(since(email, minute(0)).await.unwrap(), 1, "other keys stay");

    // Failures older than the retention go with the expired sessions.
    let long_ago = minute(7) - LOGIN_FAILURE_RETENTION - TimeDelta::hours(1);
    store.record_login_failure(email, long_ago).await.unwrap();
    assert_eq!(since(email, long_ago).await.unwrap(), 2);
    assert_eq!(store.prune_sessions(minute(8)).await.unwrap(), 0);
    assert_eq!(since(email, long_ago).await.unwrap(), 1);
}

/// The audit log reads back newest first (by instant, then by order of writing), with every
/// field as written.
pub async fn story_audit_log(store: &dyn Store) {
    assert_eq!(store.audit_log(10).await.unwrap(), Vec::new());
    let ana = create(store, &new_account("ana@commune.lu", Role::Admin), at(9)).await;

    let mut created = AuditEntry::new("account_create", at(9));
    created.target = Some(format!("account:{ana}"));
    created.detail = json!({"email": "ana@commune.lu", "role": "admin", "via": "cli"});
    let mut login = AuditEntry::new("login", at(10));
    login.actor = Some(ana);
    login.actor_email = Some("ana@commune.lu".into());
    let mut failed = AuditEntry::new("login_failed", at(10));
    failed.detail = json!({"email": "jos@commune.lu", "ip": "192.0.2.7"});
    let mut published = AuditEntry::new("publish", at(11));
    published.actor = Some(ana);
    published.actor_email = Some("ana@commune.lu".into());
    published.target = Some("practice:7".into());
    published.detail = json!({"title": "Wok fir Inklusioun — Déifferdeng", "from": "submitted"});

    let mut ids = Vec::new();
    for entry in [&created, &login, &failed, &published] {
        ids.push(store.append_audit(entry).await.unwrap());
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let with_id = |e: &AuditEntry, id: i64| AuditEntry {
        id: Some(id),
        ..e.clone()
    };
    assert_eq!(
        store.audit_log(10).await.unwrap(),
        vec![
            with_id(&published, ids[3]),
            with_id(&failed, ids[2]),
            with_id(&login, ids[1]),
            with_id(&created, ids[0]),
        ]
    );
    assert_eq!(
        store.audit_log(2).await.unwrap(),
        vec![with_id(&published, ids[3]), with_id(&failed, ids[2])]
    );

    // Written late but dated earlier: it sorts by its instant. A given id is ignored.
    let mut late = AuditEntry::new("logout", at(8));
    late.id = Some(1);
    let late_id = store.append_audit(&late).await.unwrap();
    assert!(late_id > ids[3]);
    let log = store.audit_log(100).await.unwrap();
    assert_eq!(log.len(), 5);
    assert_eq!(
        log.last(),
        Some(&AuditEntry {
            id: Some(late_id),
            ..late
        })
    );
}

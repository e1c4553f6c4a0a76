//! The audit log: one event per state change, chained by the sealer, refused updates and
//! deletes, and verification that names a tampered row.

use chrono::Duration;
use redprop::db::{audit, Backend};
use serde_json::json;

use crate::both;
use crate::fixtures::open_vote_with_one_owner;
use crate::support::{As, TestApp};

async fn state_changes_are_audited_and_chained(app: TestApp) {
    let admin = app.admin_token().await;
    let created = app
        .client
        .post("/api/v1/users")
        .header("authorization", format!("Bearer {admin}"))
        .header("x-request-id", "req-create-clerk")
        .body_json(&json!({ "username": "clerk", "display_name": "Clerk", "password": "clerk-password-01" }))
        .send()
        .await;
    created.assert_status(poem::http::StatusCode::CREATED);
    let k = app.county(&admin).await;
    let c1 = app.create_company(&admin, 0, &k.county).await;
    app.post(
        "/api/v1/api-keys",
        As::Bearer(&admin),
        json!({ "company_id": c1, "name": "k" }),
    )
    .await
    .expect(201);
    // A refused request writes nothing.
    app.post("/api/v1/api-keys", As::Nobody, json!({ "company_id": c1, "name": "k" }))
        .await
        .problem(401);

    let events = app
        .get("/api/v1/audit/events?action=user.create", As::Bearer(&admin))
        .await
        .expect(200);
    let items = events.body["items"].as_array().unwrap();
    // The test's own administrator (created by the system) and the clerk.
    assert_eq!(items.len(), 2);
    // The client's id is kept verbatim beside the server's own.
    assert_eq!(items[0]["client_request_id"], "req-create-clerk");
    assert_ne!(items[0]["request_id"], "req-create-clerk");
    assert_eq!(items[0]["request_id"].as_str().unwrap().len(), 36);
    assert_eq!(items[0]["actor_role"], "admin");
    assert_eq!(items[0]["actor_type"], "user");
    // No personal data in the log: the change is only a digest.
    assert!(!events.body.to_string().contains("clerk-password"));
    assert_eq!(items[0]["change_digest"].as_str().unwrap().len(), 64);

    let pending = app.get("/api/v1/audit/verify", As::Bearer(&admin)).await.expect(200);
    assert!(pending.body["pending"].as_i64().unwrap() > 0);
    app.seal();
    let v = app.get("/api/v1/audit/verify", As::Bearer(&admin)).await.expect(200);
    assert_eq!(v.body["ok"], true);
    assert_eq!(v.body["pending"], 0);
    let total = v.body["sealed"].as_i64().unwrap();
    // admin create, login, user create, the county's six organisations, company, key.
    assert_eq!(total, 11);
    let all = app.get("/api/v1/audit/events", As::Bearer(&admin)).await.expect(200);
    let positions: Vec<i64> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["chain_pos"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (1..=11).rev().collect::<Vec<i64>>());
    // Paging walks backwards through the log.
    let p1 = app
        .get("/api/v1/audit/events?limit=3", As::Bearer(&admin))
        .await
        .expect(200);
    let c = p1.s("next_cursor");
    let p2 = app
        .get(&format!("/api/v1/audit/events?limit=3&cursor={c}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(p2.body["items"].as_array().unwrap().len(), 3);
}
both!(state_changes_are_audited_and_chained);

async fn the_database_refuses_to_rewrite_history(app: TestApp) {
    app.admin_token().await;
    app.seal();
    let mut c = app.state.db.raw_connection().unwrap();
    let update = audit::try_raw(
        &mut c,
        "UPDATE audit_events SET actor_id = 'mallory' WHERE chain_pos = 1",
    );
    assert!(update.is_err(), "update of a sealed row must fail");
    let reseal = audit::try_raw(&mut c, "UPDATE audit_events SET hash = 'x' WHERE chain_pos = 1");
    assert!(reseal.is_err(), "re-sealing must fail");
    let delete = audit::try_raw(&mut c, "DELETE FROM audit_events");
    assert!(delete.is_err(), "delete must fail");
    if app.state.db.backend() == Backend::Postgres {
        assert!(
            audit::try_raw(&mut c, "TRUNCATE audit_events").is_err(),
            "truncate must fail"
        );
    }
    drop(c);
    let admin = app.admin_token().await;
    app.seal();
    assert_eq!(
        app.get("/api/v1/audit/verify", As::Bearer(&admin)).await.body["ok"],
        true
    );
}
both!(the_database_refuses_to_rewrite_history);

async fn verification_names_the_tampered_row(app: TestApp) {
    let admin = app.admin_token().await;
    for i in 0..3 {
        app.create_user(&admin, &format!("user-{i}"), "user-password-001", &[])
            .await;
    }
    app.seal();
    let events = app
        .get("/api/v1/audit/events?action=user.create", As::Bearer(&admin))
        .await
        .expect(200);
    let victim = events.body["items"][1]["seq"].as_i64().unwrap();
    let victim_pos = events.body["items"][1]["chain_pos"].as_i64().unwrap();

    // Tamper past the trigger, as someone with raw database access could.
    let mut c = app.state.db.raw_connection().unwrap();
    let (off, on) = match app.state.db.backend() {
        Backend::Sqlite => ("DROP TRIGGER audit_events_seal_once", None),
        Backend::Postgres => (
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_guard_rows",
            Some("ALTER TABLE audit_events ENABLE TRIGGER audit_events_guard_rows"),
        ),
    };
    audit::try_raw(&mut c, off).unwrap();
    audit::try_raw(
        &mut c,
        &format!("UPDATE audit_events SET actor_id = 'mallory' WHERE seq = {victim}"),
    )
    .unwrap();
    if let Some(on) = on {
        audit::try_raw(&mut c, on).unwrap();
    }
    drop(c);

    let v = app.get("/api/v1/audit/verify", As::Bearer(&admin)).await.expect(200);
    assert_eq!(v.body["ok"], false);
    assert_eq!(v.body["first_break"]["seq"], victim);
    assert_eq!(v.body["first_break"]["chain_pos"], victim_pos);
    assert_eq!(v.body["first_break"]["reason"], "content does not match its hash");
}
both!(verification_names_the_tampered_row);

/// Every filter of the audit list reads an index that gives its rows in the order it pages (no
/// scan of the log, no sort), so a page costs the same however long the log grows. SQLite plans
/// without statistics, the same every time; PostgreSQL's plans depend on its statistics and
/// are shown by `cargo bench --bench lists` instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_audit_filter_reads_an_index_in_page_order() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Plan {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    let app = TestApp::sqlite();
    let mut conn = app.state.db.raw_connection().unwrap();
    let redprop::db::AnyConnection::Sqlite(c) = &mut conn else {
        unreachable!("an SQLite app")
    };
    let filters: [&[&str]; 9] = [
        &["action"],
        &["target_id"],
        &["target_type"],
        &["actor_id"],
        &["action", "target_id"],
        &["action", "target_type", "target_id"],
        &["target_type", "target_id"],
        &["actor_id", "action"],
        &["action", "target_type"],
    ];
    for f in filters {
        // As `db::audit::page` writes them: a kind beside a target id or an action is no index's
        // to walk.
        let wheres: Vec<String> = f
            .iter()
            .map(|c| match *c {
                "target_type" if f.contains(&"target_id") || f.contains(&"action") => {
                    "target_type || '' = 'x'".to_string()
                }
                c => format!("{c} = 'x'"),
            })
            .collect();
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT * FROM audit_events WHERE seq < 1000000 AND {} ORDER BY seq DESC LIMIT 51",
            wheres.join(" AND ")
        );
        let plan: Vec<String> = diesel::sql_query(&sql)
            .load::<Plan>(c)
            .unwrap()
            .into_iter()
            .map(|p| p.detail)
            .collect();
        let text = plan.join(" | ");
        assert!(
            text.contains("USING INDEX") && !text.contains("TEMP B-TREE") && !text.starts_with("SCAN"),
            "{f:?}: {text}"
        );
        // The index leads with the most selective filter given: a target, then an actor.
        let want = if f.contains(&"target_id") {
            "(target_id="
        } else if f.contains(&"actor_id") {
            "(actor_id="
        } else if f.contains(&"action") {
            "(action="
        } else {
            "(target_type="
        };
        assert!(text.contains(want), "{f:?}: {text}");
    }
}

/// Lets raw SQL change sealed audit rows, as someone with the database's password could.
fn guard_off(c: &mut redprop::db::AnyConnection, backend: Backend) {
    let off = match backend {
        Backend::Sqlite => "DROP TRIGGER audit_events_seal_once; DROP TRIGGER audit_events_no_delete",
        Backend::Postgres => "ALTER TABLE audit_events DISABLE TRIGGER audit_events_guard_rows",
    };
    audit::try_raw(c, off).unwrap();
}

async fn verify(app: &TestApp, admin: &str) -> serde_json::Value {
    app.get("/api/v1/audit/verify", As::Bearer(admin))
        .await
        .expect(200)
        .body
}

/// The chain's head is anchored outside the log: cutting its newest sealed events off is a
/// break, and so is an anchor rewritten without the installation's key, or removed.
async fn a_chain_cut_short_of_its_anchor_is_named(app: TestApp) {
    let admin = app.admin_token().await;
    for i in 0..3 {
        app.create_user(&admin, &format!("cut-{i}"), "user-password-001", &[])
            .await;
    }
    app.seal();
    let whole = verify(&app, &admin).await;
    assert_eq!(whole["ok"], true, "{whole}");
    let sealed = whole["sealed"].as_i64().unwrap();

    let mut c = app.state.db.raw_connection().unwrap();
    guard_off(&mut c, app.state.db.backend());
    audit::try_raw(
        &mut c,
        &format!("DELETE FROM audit_events WHERE chain_pos > {}", sealed - 2),
    )
    .unwrap();
    drop(c);
    let cut = verify(&app, &admin).await;
    assert_eq!(cut["ok"], false);
    assert_eq!(cut["first_break"]["chain_pos"], sealed, "{cut}");
    assert!(
        cut["first_break"]["reason"].as_str().unwrap().contains("removed"),
        "{cut}"
    );

    // The anchor moved back to the new end by hand: its MAC is not the installation's.
    let (pos, hash): (i64, String) = {
        let head = app
            .get("/api/v1/audit/events?limit=1", As::Bearer(&admin))
            .await
            .expect(200)
            .body;
        // Reads are not audited: the newest event is still the newest one left.
        (
            head["items"][0]["chain_pos"].as_i64().unwrap(),
            head["items"][0]["hash"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(pos, sealed - 2);
    let mut c = app.state.db.raw_connection().unwrap();
    audit::try_raw(
        &mut c,
        &format!("UPDATE audit_anchor SET chain_pos = {pos}, hash = '{hash}' WHERE id = 'head'"),
    )
    .unwrap();
    drop(c);
    let forged = verify(&app, &admin).await;
    assert_eq!(forged["ok"], false);
    assert!(
        forged["first_break"]["reason"]
            .as_str()
            .unwrap()
            .contains("not authenticated"),
        "{forged}"
    );
    let mut c = app.state.db.raw_connection().unwrap();
    audit::try_raw(&mut c, "DELETE FROM audit_anchor").unwrap();
    drop(c);
    let gone = verify(&app, &admin).await;
    assert!(
        gone["first_break"]["reason"].as_str().unwrap().contains("missing"),
        "{gone}"
    );
}
both!(a_chain_cut_short_of_its_anchor_is_named);

/// Verification also checks the stored ballots against their audit events: a choice changed in
/// the history or in the count, or a history row deleted, is named with its vote and voter.
async fn verification_names_a_changed_or_deleted_ballot(app: TestApp) {
    let (admin, vid, token) = open_vote_with_one_owner(&app, "核票", Duration::hours(1)).await;
    for choice in ["yes", "no", "yes"] {
        app.post(
            &format!("/api/v1/votes/{vid}/ballots"),
            As::Bearer(&token),
            json!({ "choice": choice }),
        )
        .await
        .expect(201);
    }
    app.seal();
    let fine = verify(&app, &admin).await;
    assert_eq!(fine["ok"], true, "{fine}");
    assert_eq!(fine["ballots_checked"], 3);
    let raw = |sql: String| {
        let mut c = app.state.db.raw_connection().unwrap();
        audit::try_raw(&mut c, &sql).unwrap();
    };
    let vote = format!("vote_id = '{vid}'");

    // The counted ballot's choice changed: it is not the ballot recorded.
    raw(format!("UPDATE current_ballots SET choice = 'no' WHERE {vote}"));
    let counted = verify(&app, &admin).await;
    assert_eq!(counted["ok"], false);
    assert_eq!(counted["ballot_mismatch"]["vote_id"], vid.as_str());
    assert!(counted["ballot_mismatch"]["reason"]
        .as_str()
        .unwrap()
        .contains("counted ballot"));
    raw(format!("UPDATE current_ballots SET choice = 'yes' WHERE {vote}"));
    assert_eq!(verify(&app, &admin).await["ok"], true);

    // A history row's choice changed: its content no longer gives its receipt.
    raw(format!(
        "UPDATE ballot_history SET choice = 'abstain' WHERE {vote} AND choice = 'no'"
    ));
    let changed = verify(&app, &admin).await;
    assert_eq!(changed["ok"], false);
    assert!(changed["ballot_mismatch"]["voter_id"].is_string(), "{changed}");
    assert!(changed["ballot_mismatch"]["reason"]
        .as_str()
        .unwrap()
        .contains("receipt"));

    // The changed row deleted: its audit event names a ballot missing from the history.
    raw(format!(
        "DELETE FROM ballot_history WHERE {vote} AND choice = 'abstain'"
    ));
    let deleted = verify(&app, &admin).await;
    assert_eq!(deleted["ok"], false);
    assert!(deleted["ballot_mismatch"]["audit_seq"].is_i64(), "{deleted}");
    assert!(deleted["ballot_mismatch"]["reason"]
        .as_str()
        .unwrap()
        .contains("deleted"));
    // The chain itself is whole: only the ballots disagree.
    assert!(deleted.get("first_break").is_none(), "{deleted}");
}
both!(verification_names_a_changed_or_deleted_ballot);

//! Holes found by outside testing (issue 9): a county's reach over companies, keys and contracts;
//! departments and other counties' owners; grants that point nowhere; characters no field may
//! hold; errors that reach the client outside JSON; server keys that change under a database;
//! file modes of the data folder; YAML that YAML 1.1 parsers misread.

use redprop::config::Config;
use redprop::AppState;
use serde_json::json;

use crate::both;
use crate::support::{As, County, TestApp};

/// A county with a bureau account, an estate, and a company registered there with a contract
/// for that estate.
struct Side {
    k: County,
    bureau: String,
    estate: String,
    company: String,
}

async fn side(app: &TestApp, admin: &str, tag: &str, company: usize) -> Side {
    let k = app.county(admin).await;
    let user = format!("bureau-{tag}");
    app.create_user(admin, &user, "bureau-password-1", &[("bureau", Some(&k.county))])
        .await;
    let bureau = app.login(&user, "bureau-password-1").await;
    let estate = app.estate(admin, &format!("小区{tag}"), &k.comm_a).await;
    let company = app.create_company(&bureau, company, &k.county).await;
    app.post(
        &format!("/api/v1/companies/{company}/contracts"),
        As::Bearer(&bureau),
        json!({ "estate_id": estate, "kind": "service", "starts_on": "2024-01-01" }),
    )
    .await
    .expect(201);
    Side {
        k,
        bureau,
        estate,
        company,
    }
}

async fn a_bureau_reaches_only_the_companies_of_its_county(app: TestApp) {
    let admin = app.admin_token().await;
    let a = side(&app, &admin, "a", 0).await;
    let b = side(&app, &admin, "b", 1).await;
    let cb = &b.company;

    // B's bureau issues a key for its company; A's bureau can neither issue, list, read nor
    // revoke one: to A the company is not there.
    let kb = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&b.bureau),
            json!({ "company_id": cb, "name": "erp" }),
        )
        .await
        .expect(201);
    let (kb_id, kb_key) = (kb.s("id"), kb.s("key"));
    let refused = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&a.bureau),
            json!({ "company_id": cb, "name": "x" }),
        )
        .await;
    assert_eq!(refused.problem(422), "validation_failed");
    assert_eq!(refused.body["errors"][0]["field"], "company_id");
    let missing = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&a.bureau),
            json!({ "company_id": "no-such", "name": "x" }),
        )
        .await;
    assert_eq!(
        missing.body, refused.body,
        "the same answer as for a company that does not exist"
    );
    for path in [
        format!("/api/v1/api-keys?company_id={cb}"),
        format!("/api/v1/api-keys/{kb_id}"),
        format!("/api/v1/companies/{cb}"),
        format!("/api/v1/companies/{cb}/contracts"),
    ] {
        app.get(&path, As::Bearer(&a.bureau)).await.problem(404);
    }
    app.delete(&format!("/api/v1/api-keys/{kb_id}"), As::Bearer(&a.bureau))
        .await
        .problem(404);
    let listed = app.get("/api/v1/companies", As::Bearer(&a.bureau)).await.expect(200);
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.company.as_str()]);
    // The key still works, and acts only where its company works.
    app.get(&format!("/api/v1/estates/{}", b.estate), As::Key(&kb_key))
        .await
        .expect(200);
    app.get(&format!("/api/v1/estates/{}", a.estate), As::Key(&kb_key))
        .await
        .problem(404);

    // A contract in county A makes A one of the company's counties: A's bureau now sees the
    // company and its contract in A, but not its contracts elsewhere, nor its keys.
    let a2 = app.estate(&admin, "小区a2", &a.k.comm_b).await;
    app.post(
        &format!("/api/v1/companies/{cb}/contracts"),
        As::Bearer(&a.bureau),
        json!({ "estate_id": a2, "kind": "entrusted", "starts_on": "2025-01-01" }),
    )
    .await
    .expect(201);
    let seen = app
        .get(&format!("/api/v1/companies/{cb}"), As::Bearer(&a.bureau))
        .await
        .expect(200);
    assert_eq!(seen.body["county_id"], json!(b.k.county));
    let contracts = app
        .get(&format!("/api/v1/companies/{cb}/contracts"), As::Bearer(&a.bureau))
        .await
        .expect(200);
    let estates: Vec<&str> = contracts.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["estate_id"].as_str().unwrap())
        .collect();
    assert_eq!(estates, [a2.as_str()]);
    let all = app
        .get(&format!("/api/v1/companies/{cb}/contracts"), As::Bearer(&b.bureau))
        .await
        .expect(200);
    assert_eq!(
        all.body["items"].as_array().unwrap().len(),
        1,
        "B sees its own county's contract only"
    );
    let mine = app
        .get(&format!("/api/v1/companies/{cb}/contracts"), As::Key(&kb_key))
        .await
        .expect(200);
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        2,
        "the company sees all of its contracts"
    );
    app.get(&format!("/api/v1/api-keys?company_id={cb}"), As::Bearer(&a.bureau))
        .await
        .problem(403);
    app.post(
        "/api/v1/api-keys",
        As::Bearer(&a.bureau),
        json!({ "company_id": cb, "name": "x" }),
    )
    .await
    .problem(403);
    app.delete(&format!("/api/v1/api-keys/{kb_id}"), As::Bearer(&a.bureau))
        .await
        .problem(404);
    // A bureau registers companies only in its own county.
    let elsewhere = app
        .post(
            "/api/v1/companies",
            As::Bearer(&a.bureau),
            json!({ "name": "x", "credit_code": redprop_code(2), "party_coverage": "none", "county_id": b.k.county }),
        )
        .await;
    elsewhere.problem(403);

    // The company looks after its own keys through a company account; a key cannot mint keys.
    app.create_user(&admin, "company-b", "company-password", &[("company", Some(cb))])
        .await;
    let company = app.login("company-b", "company-password").await;
    let own = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&company),
            json!({ "company_id": cb, "name": "own" }),
        )
        .await
        .expect(201);
    let listed = app
        .get(&format!("/api/v1/api-keys?company_id={cb}"), As::Bearer(&company))
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    app.post(
        "/api/v1/api-keys",
        As::Key(&kb_key),
        json!({ "company_id": cb, "name": "more" }),
    )
    .await
    .problem(403);
    app.delete(&format!("/api/v1/api-keys/{}", own.s("id")), As::Bearer(&company))
        .await
        .expect(204);
    app.post(
        "/api/v1/api-keys",
        As::Bearer(&company),
        json!({ "company_id": a.company, "name": "x" }),
    )
    .await
    .problem(422);
}
both!(a_bureau_reaches_only_the_companies_of_its_county);

/// The credit code of the i-th sample company.
fn redprop_code(i: usize) -> &'static str {
    crate::support::COMPANIES[i].1
}

async fn departments_act_only_on_their_county_owners(app: TestApp) {
    let admin = app.admin_token().await;
    let a = app.county(&admin).await;
    let b = app.county(&admin).await;
    let owner_a = app.lone_owner(&admin, &a).await;
    let owner_b = app.lone_owner(&admin, &b).await;
    let (_, police_a) = app.department(&admin, &a.county, "police").await;
    let record = |owner: &str| json!({ "owner_id": owner, "item_code": "N3", "evidence_ref": "案号(2024)17", "effective_from": "2024-03-01" });

    app.post("/api/v1/negative-records", As::Bearer(&police_a), record(&owner_a))
        .await
        .expect(201);
    let other = app
        .post("/api/v1/negative-records", As::Bearer(&police_a), record(&owner_b))
        .await;
    let missing = app
        .post(
            "/api/v1/negative-records",
            As::Bearer(&police_a),
            record("no-such-owner"),
        )
        .await;
    assert_eq!(other.problem(404), "not_found");
    assert_eq!(
        other.body, missing.body,
        "another county's owner is as absent as a missing one"
    );
    app.get(
        &format!("/api/v1/owners/{owner_b}/negative-records"),
        As::Bearer(&police_a),
    )
    .await
    .problem(404);
    let own = app
        .get(
            &format!("/api/v1/owners/{owner_a}/negative-records"),
            As::Bearer(&police_a),
        )
        .await
        .expect(200);
    assert_eq!(own.body["items"].as_array().unwrap().len(), 1);
    // Nothing was recorded about B's owner.
    let admin_view = app
        .get(
            &format!("/api/v1/owners/{owner_b}/negative-records"),
            As::Bearer(&admin),
        )
        .await
        .expect(200);
    assert!(admin_view.body["items"].as_array().unwrap().is_empty());
}
both!(departments_act_only_on_their_county_owners);

async fn grants_point_at_the_right_kind_of_record(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "和园", &k.comm_a).await;
    let id = app.create_user(&admin, "clerk", "clerk-password-01", &[]).await;
    let grant = |role: &str, scope: &str| json!({ "role": role, "scope_id": scope });
    for (role, scope, code) in [
        ("bureau", "no-such-county", "not_found"),
        ("committee", k.county.as_str(), "not_found"),
        ("bureau", k.comm_a.as_str(), "wrong_kind"),
        ("party_org", k.county.as_str(), "wrong_kind"),
        ("party_org", k.bureau.as_str(), "wrong_kind"),
        ("department", k.town.as_str(), "wrong_kind"),
        ("company", estate.as_str(), "not_found"),
        ("owner", estate.as_str(), "not_found"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/users/{id}/grants"),
                As::Bearer(&admin),
                grant(role, scope),
            )
            .await;
        assert_eq!(r.problem(422), "validation_failed", "{role} on {scope}");
        assert_eq!(r.body["errors"][0]["field"], "body.scope_id");
        assert_eq!(r.body["errors"][0]["code"], code, "{role} on {scope}: {}", r.body);
    }
    for (role, scope) in [("bureau", &k.county), ("party_org", &k.comm_a), ("committee", &estate)] {
        app.post(
            &format!("/api/v1/users/{id}/grants"),
            As::Bearer(&admin),
            grant(role, scope),
        )
        .await
        .expect(201);
    }
    // The same check when an account is created with its grants; nothing is created.
    let r = app
        .post(
            "/api/v1/users",
            As::Bearer(&admin),
            json!({ "username": "x-user", "display_name": "x", "password": "x-password-0001",
                    "grants": [{ "role": "committee", "scope_id": k.county }] }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "grants[0].scope_id");
    app.login_res("x-user", "x-password-0001").await.problem(401);

    // The last enabled administrator keeps the role.
    let me = app.get("/api/v1/auth/me", As::Bearer(&admin)).await.expect(200);
    let admin_id = me.s("id");
    let user = app
        .get(&format!("/api/v1/users/{admin_id}"), As::Bearer(&admin))
        .await
        .expect(200);
    let admin_grant = user.body["grants"][0]["id"].as_str().unwrap().to_string();
    let r = app
        .delete(
            &format!("/api/v1/users/{admin_id}/grants/{admin_grant}"),
            As::Bearer(&admin),
        )
        .await;
    assert_eq!(r.problem(409), "last_admin");
    // With a second administrator it may go; the second cannot then be disabled or lose it.
    let second = app
        .post(
            "/api/v1/users",
            As::Bearer(&admin),
            json!({ "username": "admin-2", "display_name": "x", "password": "admin-2-password",
                    "grants": [{ "role": "admin" }] }),
        )
        .await
        .expect(201);
    let second_id = second.s("id");
    let second_grant = second.body["grants"][0]["id"].as_str().unwrap().to_string();
    app.delete(
        &format!("/api/v1/users/{admin_id}/grants/{admin_grant}"),
        As::Bearer(&admin),
    )
    .await
    .expect(204);
    let admin2 = app.login("admin-2", "admin-2-password").await;
    app.delete(
        &format!("/api/v1/users/{second_id}/grants/{second_grant}"),
        As::Bearer(&admin2),
    )
    .await
    .problem(409);
    app.post(
        &format!("/api/v1/users/{second_id}/disable"),
        As::Bearer(&admin2),
        json!({}),
    )
    .await
    .problem(409);
}
both!(grants_point_at_the_right_kind_of_record);

async fn control_characters_are_refused_everywhere(app: TestApp) {
    // Unauthenticated: a NUL in a login was a 500 on PostgreSQL.
    let r = app
        .post(
            "/api/v1/auth/login",
            As::Nobody,
            json!({ "username": "adm\u{0}in", "password": "x" }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "username");
    assert_eq!(r.body["errors"][0]["code"], "control_character");
    assert!(!r.body.to_string().contains("adm"), "the text is not echoed");

    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    // Every offending field at once, with its path; line breaks only in free text.
    let r = app
        .post(
            "/api/v1/estates",
            As::Bearer(&admin),
            json!({ "name": "和\u{1}园", "kind": "commercial", "community_id": k.comm_a, "address": "a\nb" }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["address", "name"]);
    let r = app
        .post(
            "/api/v1/users",
            As::Bearer(&admin),
            json!({ "username": "ok-user", "display_name": "x", "password": "x-password-0001",
                    "grants": [{ "role": "bureau", "scope_id": "a\u{0}b" }] }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "grants[0].scope_id");

    // Path and query parameters, named.
    let r = app.get("/api/v1/estates/a%00b", As::Bearer(&admin)).await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "id");
    let r = app.get("/api/v1/estates/a%00b/units", As::Nobody).await;
    assert_eq!(
        r.problem(422),
        "validation_failed",
        "before authentication: nothing reaches the database"
    );
    let r = app.get("/api/v1/estates?cursor=x%00y", As::Bearer(&admin)).await;
    assert_eq!(r.body["errors"][0]["field"], "cursor");
    let r = app.get("/api/v1/audit/events?action=a%0Ab", As::Bearer(&admin)).await;
    assert_eq!(r.body["errors"][0]["field"], "action");

    // Spreadsheet cells: the row and column are named; nothing is imported.
    let estate = app.estate(&admin, "和园", &k.comm_a).await;
    let csv = "楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,销售状态\n1号楼,101,90,实测,文兰,140425198301063491,已交付\n1号楼,102,90,实测,蔡\u{0}敏,140425197802218020,已交付\n";
    let r = app.import(&admin, &estate, csv.as_bytes().to_vec()).await;
    assert_eq!(r.problem(422), "import_rejected");
    assert_eq!(r.body["errors"][0]["row"], 3);
    assert_eq!(r.body["errors"][0]["field"], "业主姓名");
    let units = app
        .get(&format!("/api/v1/estates/{estate}/units"), As::Bearer(&admin))
        .await
        .expect(200);
    assert!(units.body["items"].as_array().unwrap().is_empty());
}
both!(control_characters_are_refused_everywhere);

async fn errors_before_routing_are_problems_too(app: TestApp) {
    let server = app.listen().await;
    // Too many header lines.
    let mut req = String::from("GET /healthz HTTP/1.1\r\nhost: x\r\n");
    for i in 0..150 {
        req.push_str(&format!("x-h{i}: v\r\n"));
    }
    req.push_str("\r\n");
    assert_eq!(server.raw(req.as_bytes()).await.problem(431), "headers_too_large");
    // Headers too long altogether.
    let big = format!(
        "GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(100_000)
    );
    assert_eq!(server.raw(big.as_bytes()).await.problem(431), "headers_too_large");
    // A long URL: longer than the server serves, and longer than the parser's buffer.
    for len in [9_000, 100_000] {
        let req = format!(
            "GET /api/v1/estates?cursor={} HTTP/1.1\r\nhost: x\r\n\r\n",
            "a".repeat(len)
        );
        assert_eq!(server.raw(req.as_bytes()).await.problem(414), "uri_too_long", "{len}");
    }
    // Not HTTP at all.
    let r = server.raw(b"GARBAGE\r\n\r\n").await;
    assert_eq!(r.problem(400), "malformed_request");
    assert!(r.header("x-request-id").is_some());
    // And the server still serves.
    let ok = server
        .raw(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await;
    assert_eq!(ok.status, 200);
}
both!(errors_before_routing_are_problems_too);

/// A second process on the same database with another data folder, and so other keys.
fn another_process(app: &TestApp, tune: impl FnOnce(&mut Config)) -> anyhow::Result<AppState> {
    let mut config = Config {
        data_dir: crate::support::temp_dir(),
        database_url: Some(app.state.config.effective_database_url()),
        ..Config::default()
    };
    tune(&mut config);
    AppState::init(config)
}

async fn a_database_keeps_its_keys(app: TestApp) {
    // Another data folder means newly generated keys: refused, with the variable to set.
    let err = another_process(&app, |_| {}).err().expect("refused").to_string();
    assert!(
        err.contains("REDPROP_JWT_SECRET") || err.contains("REDPROP_ID_HASH_KEY"),
        "{err}"
    );
    // The same keys from the environment: accepted.
    let read = |f: &str| std::fs::read_to_string(app.state.config.data_dir.join(f)).unwrap();
    let (jwt, id) = (read("jwt.secret"), read("id-hash.key"));
    another_process(&app, |c| {
        c.jwt_secret = Some(jwt.clone());
        c.id_hash_key = Some(id.clone());
    })
    .expect("the same keys are accepted");
    // Only the ID-hashing key differs: refused, naming it.
    let other = "Zq3v9L0pXe7TbN2kRw5HyU8mJc4Ds6GaQ1".to_string();
    let err = another_process(&app, |c| {
        c.jwt_secret = Some(jwt.clone());
        c.id_hash_key = Some(other.clone());
    })
    .err()
    .expect("refused")
    .to_string();
    assert!(err.contains("REDPROP_ID_HASH_KEY"), "{err}");
}
both!(a_database_keeps_its_keys);

#[test]
fn weak_or_short_secrets_are_refused_before_the_database_is_touched() {
    for (secret, says) in [
        ("0".repeat(32), "too weak"),
        ("x".repeat(31), "at least 32"),
        ("0123456789abcdef".repeat(2), "too weak"),
    ] {
        let dir = crate::support::temp_dir();
        let db = dir.join("fresh.sqlite3");
        let config = Config {
            data_dir: dir.clone(),
            database_url: Some(db.display().to_string()),
            jwt_secret: Some(secret),
            ..Config::default()
        };
        let err = AppState::init(config).err().expect("refused").to_string();
        assert!(err.contains(says), "{err}");
        assert!(!db.exists(), "no database file is created");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = crate::support::temp_dir();
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = parent.join("data");
    let state = AppState::init(Config {
        data_dir: dir.clone(),
        ..Config::default()
    })
    .unwrap();
    // Something written, so the WAL and shared-memory files exist.
    let admin = redprop::db::audit::Actor::system("test");
    state
        .db
        .write(move |c| redprop::db::audit::append(c, &admin, "test.write", "test", "x", &json!({})))
        .await
        .unwrap();
    let mode = |f: &std::path::Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for f in [
        "redprop.sqlite3",
        "redprop.sqlite3-wal",
        "redprop.sqlite3-shm",
        "jwt.secret",
        "id-hash.key",
    ] {
        let path = dir.join(f);
        assert!(path.exists(), "{f}");
        assert_eq!(mode(&path), 0o600, "{f}");
    }
    // An existing folder of ours that others could read is tightened at the next start.
    drop(state);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("redprop.sqlite3"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let _again = AppState::init(Config {
        data_dir: dir.clone(),
        ..Config::default()
    })
    .unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("redprop.sqlite3")), 0o600);
    std::fs::remove_dir_all(parent).unwrap();
}

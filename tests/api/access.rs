//! Who may call what: 401 without credentials, 403 for the wrong role, and API keys that see
//! only their own company.

use serde_json::json;

use crate::both;
use crate::support::{As, TestApp};

/// Every admin-only operation, as (method, path, body).
fn admin_only() -> Vec<(&'static str, String, Option<serde_json::Value>)> {
    vec![
        (
            "POST",
            "/api/v1/users".into(),
            Some(json!({ "username": "x-user", "display_name": "x", "password": "x-password-0001" })),
        ),
        ("GET", "/api/v1/users".into(), None),
        ("GET", "/api/v1/users/some-id".into(), None),
        (
            "POST",
            "/api/v1/users/some-id/grants".into(),
            Some(json!({ "role": "owner", "scope_id": "o1" })),
        ),
        ("DELETE", "/api/v1/users/some-id/grants/g".into(), None),
        ("POST", "/api/v1/users/some-id/disable".into(), None),
        ("POST", "/api/v1/users/some-id/enable".into(), None),
        ("GET", "/api/v1/audit/events".into(), None),
        ("GET", "/api/v1/audit/verify".into(), None),
    ]
}

async fn call(
    app: &TestApp,
    m: &str,
    path: &str,
    auth: As<'_>,
    body: Option<serde_json::Value>,
) -> crate::support::Res {
    let method = m.parse().unwrap();
    let body = body.or_else(|| (m == "POST").then(|| json!({})));
    app.call(method, path, auth, body).await
}

async fn admin_operations_need_login_and_the_admin_role(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let o = app.lone_owner(&admin, &k).await;
    app.create_user(
        &admin,
        "bureau-clerk",
        "bureau-password-1",
        &[("bureau", Some(&k.county))],
    )
    .await;
    app.create_user(&admin, "owner-1", "owner-password-01", &[("owner", Some(&o))])
        .await;
    let bureau = app.login("bureau-clerk", "bureau-password-1").await;
    let owner = app.login("owner-1", "owner-password-01").await;
    for (m, path, body) in admin_only() {
        let r = call(&app, m, &path, As::Nobody, body.clone()).await;
        assert_eq!(r.problem(401), "unauthenticated", "{m} {path}");
        for who in [&bureau, &owner] {
            let r = call(&app, m, &path, As::Bearer(who), body.clone()).await;
            assert_eq!(r.problem(403), "forbidden", "{m} {path}");
        }
    }
}
both!(admin_operations_need_login_and_the_admin_role);

async fn grants_are_checked_and_take_effect_at_next_login(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let id = app.create_user(&admin, "clerk", "clerk-password-01", &[]).await;
    let bad = app
        .post(
            &format!("/api/v1/users/{id}/grants"),
            As::Bearer(&admin),
            json!({ "role": "bureau" }),
        )
        .await;
    assert_eq!(bad.problem(422), "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "body.scope_id");
    let bad = app
        .post(
            &format!("/api/v1/users/{id}/grants"),
            As::Bearer(&admin),
            json!({ "role": "admin", "scope_id": "x" }),
        )
        .await;
    assert_eq!(bad.problem(422), "validation_failed");
    let bad = app
        .post(
            &format!("/api/v1/users/{id}/grants"),
            As::Bearer(&admin),
            json!({ "role": "emperor", "scope_id": "x" }),
        )
        .await;
    assert_eq!(bad.problem(422), "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "role");

    let before = app.login("clerk", "clerk-password-01").await;
    let g = app
        .post(
            &format!("/api/v1/users/{id}/grants"),
            As::Bearer(&admin),
            json!({ "role": "bureau", "scope_id": k.county }),
        )
        .await
        .expect(201);
    let dup = app
        .post(
            &format!("/api/v1/users/{id}/grants"),
            As::Bearer(&admin),
            json!({ "role": "bureau", "scope_id": k.county }),
        )
        .await;
    assert_eq!(dup.problem(409), "already_granted");
    // The old session ended with the change; a new login carries the role.
    app.get("/api/v1/auth/me", As::Bearer(&before)).await.problem(401);
    let after = app.login("clerk", "clerk-password-01").await;
    let me = app.get("/api/v1/auth/me", As::Bearer(&after)).await.expect(200);
    assert_eq!(me.body["roles"], json!([format!("bureau:{}", k.county)]));
    let gid = g.s("id");
    app.delete(&format!("/api/v1/users/{id}/grants/{gid}"), As::Bearer(&admin))
        .await
        .expect(204);
    app.delete(&format!("/api/v1/users/{id}/grants/{gid}"), As::Bearer(&admin))
        .await
        .problem(404);
    let again = app.login("clerk", "clerk-password-01").await;
    assert_eq!(
        app.get("/api/v1/auth/me", As::Bearer(&again)).await.body["roles"],
        json!([])
    );
}
both!(grants_are_checked_and_take_effect_at_next_login);

async fn accounts_list_and_read(app: TestApp) {
    let admin = app.admin_token().await;
    let taken = app
        .post(
            "/api/v1/users",
            As::Bearer(&admin),
            json!({ "username": "Admin", "display_name": "x", "password": "x-password-0001" }),
        )
        .await;
    assert_eq!(taken.problem(409), "username_taken");
    let k = app.county(&admin).await;
    let o = app.lone_owner(&admin, &k).await;
    for i in 0..3 {
        app.create_user(
            &admin,
            &format!("user-{i}"),
            "user-password-001",
            &[("owner", Some(&o))],
        )
        .await;
    }
    let p1 = app.get("/api/v1/users?limit=2", As::Bearer(&admin)).await.expect(200);
    assert_eq!(p1.body["items"].as_array().unwrap().len(), 2);
    let cursor = p1.s("next_cursor");
    let p2 = app
        .get(&format!("/api/v1/users?limit=2&cursor={cursor}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(p2.body["items"].as_array().unwrap().len(), 2);
    assert!(p2.body.get("next_cursor").is_none());
    let all: Vec<String> = [&p1, &p2]
        .iter()
        .flat_map(|p| {
            p.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(all, ["admin", "user-0", "user-1", "user-2"]);
    // No password hash ever leaves the server.
    assert!(!p1.body.to_string().contains("argon2"));
    let id = p2.body["items"][1]["id"].as_str().unwrap().to_string();
    let one = app
        .get(&format!("/api/v1/users/{id}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(one.body["grants"][0]["role"], "owner");
    app.get("/api/v1/users/does-not-exist", As::Bearer(&admin))
        .await
        .problem(404);
    assert_eq!(
        app.get("/api/v1/users?cursor=%%%", As::Bearer(&admin))
            .await
            .problem(400),
        "invalid_parameter"
    );
    assert_eq!(
        app.get("/api/v1/users?limit=201", As::Bearer(&admin))
            .await
            .problem(400),
        "invalid_parameter"
    );
    assert_eq!(
        app.get("/api/v1/users?limit=0", As::Bearer(&admin)).await.problem(400),
        "invalid_parameter"
    );
}
both!(accounts_list_and_read);

async fn api_key_lifecycle(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let c1 = &app.create_company(&admin, 0, &k.county).await;
    let c2 = &app.create_company(&admin, 1, &k.county).await;
    let o = app.lone_owner(&admin, &k).await;
    let unknown = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&admin),
            json!({ "company_id": "no-such-company", "name": "n" }),
        )
        .await;
    assert_eq!(unknown.body["errors"][0]["field"], "company_id");
    app.create_user(
        &admin,
        "bureau-clerk",
        "bureau-password-1",
        &[("bureau", Some(&k.county))],
    )
    .await;
    app.create_user(&admin, "owner-1", "owner-password-01", &[("owner", Some(&o))])
        .await;
    let bureau = app.login("bureau-clerk", "bureau-password-1").await;
    let owner = app.login("owner-1", "owner-password-01").await;

    // Only admin, the home county's bureau and the company issue keys; to an owner who does
    // not work with the company, it is not there.
    assert_eq!(
        app.post("/api/v1/api-keys", As::Nobody, json!({ "company_id": c1, "name": "n" }))
            .await
            .problem(401),
        "unauthenticated"
    );
    app.post(
        "/api/v1/api-keys",
        As::Bearer(&owner),
        json!({ "company_id": c1, "name": "n" }),
    )
    .await
    .problem(422);
    let k1 = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&bureau),
            json!({ "company_id": c1, "name": "work orders" }),
        )
        .await
        .expect(201);
    let k2 = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&admin),
            json!({ "company_id": c2, "name": "other" }),
        )
        .await
        .expect(201);
    let key1 = k1.s("key");
    let key2 = k2.s("key");
    assert!(key1.starts_with(&k1.s("prefix")));
    let (id1, id2) = (k1.s("id"), k2.s("id"));

    // The key authenticates as its company.
    let me = app.get("/api/v1/auth/me", As::Key(&key1)).await.expect(200);
    assert_eq!(me.body["actor_type"], "api_key");
    assert_eq!(me.body["roles"], json!([format!("company:{c1}")]));

    // It sees its own company's keys, never the secrets, and never another company's.
    let list = app
        .get(&format!("/api/v1/api-keys?company_id={c1}"), As::Key(&key1))
        .await
        .expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert!(list.body["items"][0].get("key").is_none());
    assert!(list.body["items"][0]["last_used_at"].is_string());
    assert!(!list.body.to_string().contains(&key1));
    app.get(&format!("/api/v1/api-keys?company_id={c2}"), As::Key(&key1))
        .await
        .problem(404);
    app.get(&format!("/api/v1/api-keys/{id2}"), As::Key(&key1))
        .await
        .problem(404);
    app.delete(&format!("/api/v1/api-keys/{id2}"), As::Key(&key1))
        .await
        .problem(404);
    app.get(&format!("/api/v1/api-keys/{id1}"), As::Key(&key1))
        .await
        .expect(200);
    app.get(&format!("/api/v1/api-keys?company_id={c1}"), As::Bearer(&owner))
        .await
        .problem(404);
    // A key cannot issue keys, even for its own company.
    app.post(
        "/api/v1/api-keys",
        As::Key(&key1),
        json!({ "company_id": c1, "name": "n" }),
    )
    .await
    .problem(403);

    // Revoked: calls with it fail; revoking again is harmless; the row stays visible.
    app.delete(&format!("/api/v1/api-keys/{id1}"), As::Bearer(&bureau))
        .await
        .expect(204);
    assert_eq!(
        app.get("/api/v1/auth/me", As::Key(&key1)).await.problem(401),
        "unauthenticated"
    );
    app.delete(&format!("/api/v1/api-keys/{id1}"), As::Bearer(&bureau))
        .await
        .expect(204);
    let shown = app
        .get(&format!("/api/v1/api-keys/{id1}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert!(shown.body["revoked_at"].is_string());
    app.get("/api/v1/auth/me", As::Key(&key2)).await.expect(200);
    app.get("/api/v1/auth/me", As::Key("rpk_nothing_real"))
        .await
        .problem(401);
}
both!(api_key_lifecycle);

//! Login, tokens, refresh, logout, password change, throttling.

use serde_json::json;

use crate::both;
use crate::support::{As, TestApp, ADMIN, ADMIN_PASSWORD};

async fn login_gives_a_bearer_token(app: TestApp) {
    let r = app.login_res(ADMIN, ADMIN_PASSWORD).await.expect(200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], app.state.config.access_token_ttl_secs);
    let token = r.s("access_token");
    let me = app.get("/api/v1/auth/me", As::Bearer(&token)).await.expect(200);
    assert_eq!(me.body["actor_type"], "user");
    assert_eq!(me.body["roles"], json!(["admin"]));
    // Usernames are case-insensitive.
    app.login_res("ADMIN", ADMIN_PASSWORD).await.expect(200);
}
both!(login_gives_a_bearer_token);

async fn wrong_password_and_unknown_user_look_the_same(app: TestApp) {
    let wrong = app.login_res(ADMIN, "not-the-password").await;
    assert_eq!(wrong.problem(401), "invalid_credentials");
    let unknown = app.login_res("nobody-here", "not-the-password").await;
    assert_eq!(unknown.problem(401), "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
}
both!(wrong_password_and_unknown_user_look_the_same);

async fn failures_are_slowed_then_refused(app: TestApp) {
    // Four failures: the fifth attempt is still heard, and the right password works.
    for _ in 0..4 {
        app.login_res(ADMIN, "wrong-password-xx").await.problem(401);
    }
    app.login_res(ADMIN, ADMIN_PASSWORD).await.expect(200);
    // Success reset the count: five failures in a row now lock the username.
    for _ in 0..5 {
        app.login_res(ADMIN, "wrong-password-xx").await.problem(401);
    }
    let locked = app.login_res(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(locked.problem(429), "too_many_requests");
    let retry: u64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 800 && retry <= 900, "retry-after {retry}");
    // The same happens to a username that does not exist: no hint either way.
    for _ in 0..5 {
        app.login_res("ghost", "wrong-password-xx").await.problem(401);
    }
    assert_eq!(
        app.login_res("ghost", "wrong-password-xx").await.problem(429),
        "too_many_requests"
    );
}
both!(failures_are_slowed_then_refused);

async fn tokens_expire(app: TestApp) {
    let token = app.admin_token().await;
    app.get("/api/v1/auth/me", As::Bearer(&token)).await.expect(200);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(
        app.get("/api/v1/auth/me", As::Bearer(&token)).await.problem(401),
        "invalid_token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_sqlite() {
    // Expiry is in whole seconds: a 1-second token issued at x.999 lasts a millisecond, and a
    // loaded machine may take longer than that between the login and the first call.
    tokens_expire(TestApp::sqlite_with(|c| c.access_token_ttl_secs = 3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_postgres() {
    if let Some(app) = TestApp::postgres_with(|c| c.access_token_ttl_secs = 3) {
        tokens_expire(app).await;
    }
}

async fn garbage_and_forged_tokens_are_refused(app: TestApp) {
    assert_eq!(
        app.get("/api/v1/auth/me", As::Bearer("not-a-jwt")).await.problem(401),
        "invalid_token"
    );
    assert_eq!(
        app.get("/api/v1/auth/me", As::Nobody).await.problem(401),
        "unauthenticated"
    );
    let token = app.admin_token().await;
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    app.get("/api/v1/auth/me", As::Bearer(&forged)).await.problem(401);
}
both!(garbage_and_forged_tokens_are_refused);

async fn refresh_rotates_and_reuse_ends_the_family(app: TestApp) {
    // No grace window here: the replaced token coming back at once counts as a copy.
    let app = app.with_config(|c| c.refresh_grace_secs = 0);
    let first = app.login_res(ADMIN, ADMIN_PASSWORD).await.expect(200);
    let r1 = first.s("refresh_token");
    let second = app
        .post("/api/v1/auth/refresh", As::Nobody, json!({ "refresh_token": r1 }))
        .await
        .expect(200);
    let r2 = second.s("refresh_token");
    assert_ne!(r1, r2);
    let access2 = second.s("access_token");
    app.get("/api/v1/auth/me", As::Bearer(&access2)).await.expect(200);
    // The first refresh token comes back: someone copied it. The whole family ends.
    let reuse = app
        .post("/api/v1/auth/refresh", As::Nobody, json!({ "refresh_token": r1 }))
        .await;
    assert_eq!(reuse.problem(401), "invalid_refresh_token");
    assert_eq!(
        app.post("/api/v1/auth/refresh", As::Nobody, json!({ "refresh_token": r2 }))
            .await
            .problem(401),
        "invalid_refresh_token"
    );
    assert_eq!(
        app.get("/api/v1/auth/me", As::Bearer(&access2)).await.problem(401),
        "session_revoked"
    );
    // Nonsense tokens are simply invalid.
    app.post("/api/v1/auth/refresh", As::Nobody, json!({ "refresh_token": "x.y.z" }))
        .await
        .problem(401);
}
both!(refresh_rotates_and_reuse_ends_the_family);

async fn logout_ends_only_that_session(app: TestApp) {
    let a = app.admin_token().await;
    let b = app.admin_token().await;
    app.post("/api/v1/auth/logout", As::Bearer(&a), json!({}))
        .await
        .expect(204);
    assert_eq!(
        app.get("/api/v1/auth/me", As::Bearer(&a)).await.problem(401),
        "session_revoked"
    );
    app.get("/api/v1/auth/me", As::Bearer(&b)).await.expect(200);
}
both!(logout_ends_only_that_session);

async fn password_change(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    app.create_user(&admin, "clerk", "clerk-password-01", &[("bureau", Some(&k.county))])
        .await;
    let s1 = app.login("clerk", "clerk-password-01").await;
    let s2 = app.login("clerk", "clerk-password-01").await;
    let wrong = app
        .post(
            "/api/v1/auth/password",
            As::Bearer(&s1),
            json!({ "current_password": "nope-nope-nope", "new_password": "clerk-password-02" }),
        )
        .await;
    assert_eq!(wrong.problem(422), "validation_failed");
    assert_eq!(wrong.body["errors"][0]["field"], "current_password");
    let short = app
        .post(
            "/api/v1/auth/password",
            As::Bearer(&s1),
            json!({ "current_password": "clerk-password-01", "new_password": "short" }),
        )
        .await;
    assert_eq!(short.body["errors"][0]["field"], "new_password");
    app.post(
        "/api/v1/auth/password",
        As::Bearer(&s1),
        json!({ "current_password": "clerk-password-01", "new_password": "clerk-password-02" }),
    )
    .await
    .expect(204);
    // The session that changed it goes on; the other ends; the old password is dead.
    app.get("/api/v1/auth/me", As::Bearer(&s1)).await.expect(200);
    app.get("/api/v1/auth/me", As::Bearer(&s2)).await.problem(401);
    app.login_res("clerk", "clerk-password-01").await.problem(401);
    app.login("clerk", "clerk-password-02").await;
}
both!(password_change);

async fn disabled_accounts_cannot_log_in(app: TestApp) {
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "leaver", "leaver-password-1", &[]).await;
    let token = app.login("leaver", "leaver-password-1").await;
    app.post(&format!("/api/v1/users/{id}/disable"), As::Bearer(&admin), json!({}))
        .await
        .expect(200);
    app.get("/api/v1/auth/me", As::Bearer(&token)).await.problem(401);
    assert_eq!(
        app.login_res("leaver", "leaver-password-1").await.problem(401),
        "invalid_credentials"
    );
    app.post(&format!("/api/v1/users/{id}/enable"), As::Bearer(&admin), json!({}))
        .await
        .expect(200);
    app.login("leaver", "leaver-password-1").await;
}
both!(disabled_accounts_cannot_log_in);

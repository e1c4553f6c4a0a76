//! Authentication under attack (issue 10): throttles that cannot be overshot or turned against
//! a person, refresh tokens that a session id alone cannot end, two tabs refreshing at once,
//! activation codes that neither cost a hash when wrong nor multiply accounts, headers, password
//! rules, ambiguous credentials, and slow or idle connections.

use std::time::Duration;

use poem::http::Method;
use serde_json::json;

use crate::both;
use crate::support::{futures_join, As, TestApp, ADMIN, ADMIN_PASSWORD};

/// (logged in, attempts counted: checked and refused, or left unchecked because the hashing
/// workers were busy, throttled, checked and refused: a 401, each audited; a 503 was never
/// checked).
async fn statuses(results: Vec<crate::support::Res>) -> (usize, usize, usize, usize) {
    let count = |s: u16| results.iter().filter(|r| r.status.as_u16() == s).count();
    (count(200), count(401) + count(503), count(429), count(401))
}

async fn guesses_are_counted_before_they_are_checked(app: TestApp) {
    let app = app.with_sources();
    // 32 simultaneous wrong passwords for one username from one address: 5 are checked.
    let guesses: Vec<String> = (0..32).map(|i| format!("wrong-password-{i:04}")).collect();
    let burst = guesses.iter().map(|g| app.login_from("10.0.0.1", ADMIN, g));
    let (ok, wrong, throttled, refused_a) = statuses(futures_join(burst).await).await;
    assert_eq!((ok, wrong, throttled), (0, 5, 27));
    // The right password from that address is refused too, for a while...
    app.login_from("10.0.0.1", ADMIN, ADMIN_PASSWORD).await.problem(429);
    // ...but not from another address: nobody can lock the administrator out.
    app.login_from("10.0.0.2", ADMIN, ADMIN_PASSWORD).await.expect(200);

    // 81 simultaneous wrong logins from one address, all different usernames: at most 50.
    let names: Vec<String> = (0..81).map(|i| format!("nobody-{i}")).collect();
    let burst = names
        .iter()
        .map(|n| app.login_from("10.0.0.3", n, "wrong-password-0000"));
    let (ok, wrong, throttled, refused_b) = statuses(futures_join(burst).await).await;
    assert_eq!((ok, wrong, throttled), (0, 50, 31));

    // Failed logins and the lockouts are in the audit log, with the source.
    let admin = app
        .login_from("10.0.0.2", ADMIN, ADMIN_PASSWORD)
        .await
        .s("access_token");
    let failed = app
        .get(
            "/api/v1/audit/events?action=auth.login_failed&limit=200",
            As::Bearer(&admin),
        )
        .await
        .expect(200);
    let items = failed.body["items"].as_array().unwrap();
    // Every attempt that was checked and refused; on a loaded machine a few may have found the
    // hashing workers busy (503), unchecked and so not a failed login.
    assert_eq!(items.len(), refused_a + refused_b);
    assert!(refused_a + refused_b >= 40, "most attempts were checked");
    assert!(items.iter().all(|e| e["actor_type"] == "source"));
    assert!(items
        .iter()
        .any(|e| e["actor_id"] == "10.0.0.1" && e["target_type"] == "user"));
    // An unknown username is recorded as a keyed hash, never as typed.
    let unknown = items.iter().find(|e| e["target_type"] == "username").unwrap();
    assert!(!unknown["target_id"].as_str().unwrap().contains("nobody"));
    let locks = app
        .get("/api/v1/audit/events?action=auth.lockout", As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(
        locks.body["items"].as_array().unwrap().len(),
        2,
        "one per lock, not per refusal"
    );
}
both!(guesses_are_counted_before_they_are_checked);

async fn a_session_id_alone_cannot_end_a_session(app: TestApp) {
    let login = app.login_res(ADMIN, ADMIN_PASSWORD).await.expect(200);
    let refresh = login.s("refresh_token");
    let access = login.s("access_token");
    let sid = refresh.split('.').next().unwrap().to_string();
    for forged in [format!("{sid}.0.x"), format!("{sid}.1.AAAA"), format!("{sid}.7.x")] {
        app.post("/api/v1/auth/refresh", As::Nobody, json!({ "refresh_token": forged }))
            .await
            .problem(401);
    }
    // The session lives on, and nobody was blamed for a reuse.
    app.get("/api/v1/auth/me", As::Bearer(&access)).await.expect(200);
    app.post("/api/v1/auth/refresh", As::Nobody, json!({ "refresh_token": refresh }))
        .await
        .expect(200);
    let reuse = app
        .get("/api/v1/audit/events?action=auth.refresh_reuse", As::Bearer(&access))
        .await
        .expect(200);
    assert!(reuse.body["items"].as_array().unwrap().is_empty());
}
both!(a_session_id_alone_cannot_end_a_session);

async fn two_tabs_refreshing_at_once_stay_logged_in(app: TestApp) {
    for _ in 0..6 {
        let r = app
            .login_res(ADMIN, ADMIN_PASSWORD)
            .await
            .expect(200)
            .s("refresh_token");
        let body = json!({ "refresh_token": r });
        let (a, b) = tokio::join!(
            app.post("/api/v1/auth/refresh", As::Nobody, body.clone()),
            app.post("/api/v1/auth/refresh", As::Nobody, body.clone()),
        );
        let (a, b) = (a.expect(200), b.expect(200));
        // Both tabs hold the same new refresh token, and it works.
        assert_eq!(a.s("refresh_token"), b.s("refresh_token"));
        for access in [a.s("access_token"), b.s("access_token")] {
            app.get("/api/v1/auth/me", As::Bearer(&access)).await.expect(200);
        }
        app.post(
            "/api/v1/auth/refresh",
            As::Nobody,
            json!({ "refresh_token": a.s("refresh_token") }),
        )
        .await
        .expect(200);
    }
}
both!(two_tabs_refreshing_at_once_stay_logged_in);

async fn activation_codes_are_one_account_per_owner(app: TestApp) {
    let app = app.with_sources();
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let owner = app.lone_owner(&admin, &k).await;
    let codes = format!("/api/v1/owners/{owner}/activation-codes");
    let first = app.post(&codes, As::Bearer(&admin), json!({})).await.expect(201);
    let second = app.post(&codes, As::Bearer(&admin), json!({})).await.expect(201);
    // A new code replaces the outstanding one.
    let listed = app.get(&codes, As::Bearer(&admin)).await.expect(200);
    let states: Vec<(&str, &str)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            (second.s("id").as_str(), "outstanding"),
            (first.s("id").as_str(), "revoked")
        ]
    );
    assert!(
        !listed.body.to_string().contains(&second.s("code")),
        "codes are shown once"
    );
    let activate = |code: String, username: &str, password: &str| json!({ "code": code, "username": username, "password": password });
    app.call_with(
        Method::POST,
        "/api/v1/owners/activate",
        &[("x-real-ip", "10.1.0.1")],
        Some(activate(first.s("code"), "wenlan", "owner-password-1")),
    )
    .await
    .problem(422);
    app.call_with(
        Method::POST,
        "/api/v1/owners/activate",
        &[("x-real-ip", "10.1.0.1")],
        Some(activate(second.s("code"), "wenlan", "owner-password-1")),
    )
    .await
    .expect(201);
    let session = app.login("wenlan", "owner-password-1").await;
    // A code for an owner with an account sets a new password (with the account's username),
    // ends its sessions, and opens no second account.
    let third = app.post(&codes, As::Bearer(&admin), json!({})).await.expect(201);
    let other_name = app
        .call_with(
            Method::POST,
            "/api/v1/owners/activate",
            &[("x-real-ip", "10.1.0.1")],
            Some(activate(third.s("code"), "second-account", "owner-password-2")),
        )
        .await;
    assert_eq!(other_name.body["errors"][0]["code"], "owner_has_account");
    let reset = app
        .call_with(
            Method::POST,
            "/api/v1/owners/activate",
            &[("x-real-ip", "10.1.0.1")],
            Some(activate(third.s("code"), "wenlan", "owner-password-2")),
        )
        .await
        .expect(201);
    assert_eq!(reset.body["username"], "wenlan");
    app.get("/api/v1/auth/me", As::Bearer(&session)).await.problem(401);
    app.login_res("wenlan", "owner-password-1").await.problem(401);
    app.login("wenlan", "owner-password-2").await;
    app.login_res("second-account", "owner-password-2").await.problem(401);

    // A revoked code does not work; revoking twice is harmless.
    let fourth = app.post(&codes, As::Bearer(&admin), json!({})).await.expect(201);
    let one = format!("{codes}/{}", fourth.s("id"));
    app.delete(&one, As::Bearer(&admin)).await.expect(204);
    app.delete(&one, As::Bearer(&admin)).await.expect(204);
    let r = app
        .call_with(
            Method::POST,
            "/api/v1/owners/activate",
            &[("x-real-ip", "10.1.0.1")],
            Some(activate(fourth.s("code"), "wenlan", "owner-password-3")),
        )
        .await;
    assert_eq!(r.problem(422), "invalid_activation_code");
    // Another county's bureau sees nothing of them.
    let other = app.county(&admin).await;
    app.create_user(
        &admin,
        "other-bureau",
        "bureau-password-1",
        &[("bureau", Some(&other.county))],
    )
    .await;
    let other_bureau = app.login("other-bureau", "bureau-password-1").await;
    app.get(&codes, As::Bearer(&other_bureau)).await.problem(404);
    app.delete(&one, As::Bearer(&other_bureau)).await.problem(404);
}
both!(activation_codes_are_one_account_per_owner);

async fn wrong_activation_codes_are_throttled_by_source(app: TestApp) {
    let app = &app.with_sources();
    let attempt = |source: &'static str, i: usize| {
        // A weak password too: the code is checked first, so the answer is about the code.
        let body = json!({ "code": format!("WRONG{i:05}"), "username": "someone", "password": "abababababab" });
        async move {
            app.call_with(
                Method::POST,
                "/api/v1/owners/activate",
                &[("x-real-ip", source)],
                Some(body),
            )
            .await
        }
    };
    let burst = futures_join((0..30).map(|i| attempt("10.2.0.1", i))).await;
    let invalid = burst.iter().filter(|r| r.status.as_u16() == 422).count();
    let throttled = burst.iter().filter(|r| r.status.as_u16() == 429).count();
    assert_eq!((invalid, throttled), (20, 10));
    assert!(burst
        .iter()
        .filter(|r| r.status.as_u16() == 422)
        .all(|r| r.body["code"] == "invalid_activation_code"));
    assert!(burst
        .iter()
        .filter(|r| r.status.as_u16() == 429)
        .all(|r| r.headers.contains_key("retry-after")));
    // Another address is unaffected.
    assert_eq!(attempt("10.2.0.2", 99).await.problem(422), "invalid_activation_code");
}
both!(wrong_activation_codes_are_throttled_by_source);

async fn passwords_are_compared_in_normal_form_and_weak_ones_refused(app: TestApp) {
    let admin = app.admin_token().await;
    // Set with a composed "é", logged in with a decomposed one.
    app.create_user(&admin, "jose", "jos\u{e9}-password-1", &[]).await;
    app.login("jose", "jose\u{301}-password-1").await;
    for (password, why) in [
        ("password1234", "common"),
        ("Qwerty123456", "common"),
        ("Clerk.Zhang.01", "the username"),
        ("abababababab", "too few characters"),
    ] {
        let r = app
            .post(
                "/api/v1/users",
                As::Bearer(&admin),
                json!({ "username": "clerk.zhang.01", "display_name": "x", "password": password }),
            )
            .await;
        assert_eq!(r.problem(422), "validation_failed", "{why}");
        assert_eq!(r.body["errors"][0]["field"], "password", "{why}");
    }
    let same_as_name = app
        .post(
            "/api/v1/users",
            As::Bearer(&admin),
            json!({ "username": "zhang.xiaoming", "display_name": "x", "password": "Zhang.Xiaoming" }),
        )
        .await;
    assert_eq!(same_as_name.body["errors"][0]["code"], "weak");
}
both!(passwords_are_compared_in_normal_form_and_weak_ones_refused);

async fn headers_protect_tokens_and_pages(app: TestApp) {
    let login = app.login_res(ADMIN, ADMIN_PASSWORD).await.expect(200);
    assert_eq!(login.headers["cache-control"], "no-store");
    assert_eq!(login.headers["pragma"], "no-cache");
    for path in ["/docs", "/api/v1/auth/me", "/healthz", "/openapi.json"] {
        let r = app.get(path, As::Nobody).await;
        for h in [
            "content-security-policy",
            "x-frame-options",
            "x-content-type-options",
            "referrer-policy",
        ] {
            assert!(r.headers.contains_key(h), "{h} on {path}");
        }
        assert!(r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
    }
    // Two identities in one request: refused, not guessed.
    let token = login.s("access_token");
    let r = app
        .call_with(
            Method::GET,
            "/api/v1/auth/me",
            &[
                ("authorization", &format!("Bearer {token}")),
                ("x-api-key", "rpk_anything"),
            ],
            None,
        )
        .await;
    assert_eq!(r.problem(400), "ambiguous_credentials");

    // `*` means any origin, without credentials.
    let any = app.with_config(|c| c.cors_origins = vec!["*".into()]);
    let r = any
        .call_with(Method::GET, "/healthz", &[("origin", "https://anywhere.example")], None)
        .await;
    let allowed = r
        .headers
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string());
    assert!(
        matches!(allowed.as_deref(), Some("*") | Some("https://anywhere.example")),
        "{allowed:?}"
    );
    assert!(r
        .headers
        .get("access-control-allow-credentials")
        .is_none_or(|v| v != "true"));

    // An HTTP/1.1 request without a Host, or with two, is malformed.
    let server = any.listen().await;
    assert_eq!(
        server.raw(b"GET /healthz HTTP/1.1\r\n\r\n").await.problem(400),
        "bad_host"
    );
    assert_eq!(
        server
            .raw(b"GET /healthz HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n")
            .await
            .problem(400),
        "bad_host"
    );
    assert_eq!(
        server
            .raw(b"GET /healthz HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n")
            .await
            .status,
        200
    );
}
both!(headers_protect_tokens_and_pages);

async fn slow_and_idle_connections_are_bounded(app: TestApp) {
    use tokio::io::AsyncWriteExt;
    let app = app.with_config(|c| c.header_read_timeout_secs = 1);
    let server = app.listen().await;
    // A slowloris: one header line at a time, never finishing. Cut off after the timeout.
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nhost: a\r\n").await.unwrap();
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
    }
    // Meanwhile the server answers others.
    let ok = server
        .raw(b"GET /healthz HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n")
        .await;
    assert_eq!(ok.status, 200);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let _ = slow.write_all(b"x-more: 1\r\n").await;
    closed_soon(&mut slow).await;
    for mut c in idle.drain(..10) {
        closed_soon(&mut c).await;
    }
}

/// The server closes the connection within a few seconds (perhaps after a 408 problem).
async fn closed_soon(c: &mut tokio::net::TcpStream) {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    match tokio::time::timeout(Duration::from_secs(5), c.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => {}
        Ok(Ok(n)) => {
            let text = String::from_utf8_lossy(&buf[..n]);
            assert!(
                text.starts_with("HTTP/1.1 408") && text.contains("problem+json"),
                "{text}"
            );
        }
        Err(_) => panic!("the connection was not closed"),
    }
}
both!(slow_and_idle_connections_are_bounded);

async fn a_connection_over_the_limit_is_told_to_retry(app: TestApp) {
    let app = app.with_config(|c| c.max_connections = 300);
    let server = app.listen().await;
    let mut held = Vec::new();
    for _ in 0..300 {
        held.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = server.raw(b"GET /healthz HTTP/1.1\r\nhost: a\r\n\r\n").await;
    assert_eq!(r.problem(503), "too_many_connections");
    assert!(r.header("retry-after").is_some());
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        server
            .raw(b"GET /healthz HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n")
            .await
            .status,
        200
    );
}
both!(a_connection_over_the_limit_is_told_to_retry);

/// A community issues codes for a whole estate to print as slips: only owners without an
/// account get one, each with their units; the estate's list shows who has an account and each
/// code's state and expiry; another estate's officials see nothing of it.
async fn an_estate_s_codes_are_issued_listed_and_kept_to_its_officials(app: TestApp) {
    let p = app.estate_with_parties("slips").await;
    let other = app.estate_with_parties("slipsb").await;
    let codes = format!("/api/v1/estates/{}/activation-codes", p.estate.id);
    let issued = app.post(&codes, As::Bearer(&p.party), json!({})).await.expect(201);
    let slips = issued.body["items"].as_array().unwrap();
    // Nine adults and a minor; three have accounts.
    assert_eq!(slips.len(), p.estate.owners.len() - crate::fixtures::OWNER_ACCOUNTS);
    let first = &slips[0];
    assert_eq!(
        first["owner_id"],
        p.estate.owners[crate::fixtures::OWNER_ACCOUNTS].as_str()
    );
    assert_eq!(first["units"][0]["building_name"], "1号楼");
    assert_eq!(first["units"][0]["number"], "104");
    assert_eq!(first["code"].as_str().unwrap().len(), 10);
    // The list names each unit's owner, their account, their code's state (never the code).
    let listed = app
        .get(&format!("{codes}?limit=4"), As::Bearer(&p.committee_token))
        .await
        .expect(200);
    let rows = listed.body["items"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["has_account"], true);
    assert!(rows[0].get("code").is_none() || rows[0]["code"]["status"] != "outstanding");
    assert_eq!(rows[3]["has_account"], false);
    assert_eq!(rows[3]["code"]["status"], "outstanding");
    assert!(!listed.body.to_string().contains(first["code"].as_str().unwrap()));
    let rest = app
        .get(
            &format!("{codes}?limit=200&cursor={}", listed.s("next_cursor")),
            As::Bearer(&p.party),
        )
        .await
        .expect(200);
    assert_eq!(rest.body["items"].as_array().unwrap().len(), p.estate.owners.len() - 4);
    // One owner again: the new code replaces the old, which is revoked.
    let again = app
        .post(
            &codes,
            As::Bearer(&p.party),
            json!({ "owner_ids": [first["owner_id"]] }),
        )
        .await
        .expect(201);
    assert_eq!(again.body["items"].as_array().unwrap().len(), 1);
    let theirs = app
        .get(
            &format!(
                "/api/v1/owners/{}/activation-codes",
                first["owner_id"].as_str().unwrap()
            ),
            As::Bearer(&p.party),
        )
        .await
        .expect(200);
    assert_eq!(theirs.body["items"][0]["status"], "outstanding");
    assert_eq!(theirs.body["items"][1]["status"], "revoked");
    // An owner of another estate is refused by name, and nothing is issued.
    let refused = app
        .post(
            &codes,
            As::Bearer(&p.party),
            json!({ "owner_ids": [other.estate.owners[5]] }),
        )
        .await;
    refused.problem(422);
    assert_eq!(refused.body["errors"][0]["field"], "owner_ids[0]");
    // Everyone asked for has an account: nothing to issue.
    let none = app
        .post(
            &codes,
            As::Bearer(&p.party),
            json!({ "owner_ids": [p.estate.owners[0]] }),
        )
        .await
        .expect(201);
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
    // Another estate's officials, the company and owners are kept out.
    for who in [&other.party, &other.committee_token, &other.bureau] {
        app.get(&codes, As::Bearer(who)).await.problem(404);
        app.post(&codes, As::Bearer(who), json!({})).await.problem(404);
    }
    for who in [&p.company_token, &p.owner_tokens[0]] {
        let r = app.post(&codes, As::Bearer(who), json!({})).await;
        assert!(r.status == 403 || r.status == 404, "{}", r.status);
        let r = app.get(&codes, As::Bearer(who)).await;
        assert!(r.status == 403 || r.status == 404, "{}", r.status);
    }
    app.post(&codes, As::Nobody, json!({})).await.problem(401);
}
both!(an_estate_s_codes_are_issued_listed_and_kept_to_its_officials);

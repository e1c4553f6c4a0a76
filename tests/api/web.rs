//! What the web pages stand on (issue 16): the shell and its assets (content-hashed, cached,
//! compressed, under a strict CSP), web sessions whose refresh token is an HttpOnly cookie, and
//! the public notice board. The pages themselves are driven in Chromium by tests/web/run.py.

use crate::both;
use crate::fixtures::open_vote_with_one_owner;
use crate::support::{As, TestApp};
use chrono::Duration;
use poem::http::Method;
use serde_json::{json, Value};

fn header<'a>(r: &'a crate::support::Res, name: &str) -> &'a str {
    r.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The shell names every asset by its content hash; assets are cached for a year and sent
/// compressed to a client that asks; the shell is revalidated by its ETag; the policy allows
/// no inline script but the import map (by its hash) and never `eval`.
async fn the_shell_and_its_assets(app: TestApp) {
    let root = app.call_with(Method::GET, "/", &[], None).await;
    assert_eq!(root.status, 303);
    assert_eq!(header(&root, "location"), "/web/");

    for path in ["/web/", "/web/owner/votes/123", "/web/login"] {
        let page = app.call_with(Method::GET, path, &[], None).await.expect(200);
        assert!(header(&page, "content-type").starts_with("text/html"), "{path}");
        let csp = header(&page, "content-security-policy");
        assert!(csp.contains("script-src 'self' 'sha256-"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(header(&page, "cache-control"), "no-cache");
    }
    let page = app.call_with(Method::GET, "/web/", &[], None).await.expect(200);
    let html = page.body.as_str().unwrap().to_string();
    assert!(html.contains("lang=\"zh-CN\""));
    // Revalidation: the same shell is not sent twice.
    let etag = header(&page, "etag").to_string();
    let again = app
        .call_with(Method::GET, "/web/", &[("if-none-match", &etag)], None)
        .await;
    assert_eq!(again.status, 304);

    // Every URL of the import map answers, with a year's immutable cache.
    let start = html.find("<script type=\"importmap\">").unwrap() + "<script type=\"importmap\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let map: Value = serde_json::from_str(&html[start..end]).unwrap();
    let urls: Vec<String> = map["imports"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(urls.len() >= 8, "{map}");
    for url in &urls {
        let name = url.rsplit('/').next().unwrap();
        assert!(
            name.split('.').rev().nth(1).is_some_and(|h| h.len() == 10),
            "{url} is not content-hashed"
        );
        let plain = app.call_with(Method::GET, url, &[], None).await.expect(200);
        assert_eq!(header(&plain, "cache-control"), "public, max-age=31536000, immutable");
        assert!(header(&plain, "content-type").starts_with("text/javascript"), "{url}");
        assert_eq!(header(&plain, "content-encoding"), "");
    }
    let big = urls.iter().find(|u| u.contains("preact.")).unwrap();
    let zipped = app
        .call_with(Method::GET, big, &[("accept-encoding", "gzip")], None)
        .await
        .expect(200);
    assert_eq!(header(&zipped, "content-encoding"), "gzip");
    assert_eq!(header(&zipped, "vary"), "Accept-Encoding");
    let br = app
        .call_with(Method::GET, big, &[("accept-encoding", "gzip, br")], None)
        .await
        .expect(200);
    assert_eq!(header(&br, "content-encoding"), "br");
    // A name that was never issued, or an old hash: 404, not the shell.
    let missing = app
        .call_with(Method::GET, "/web/assets/pages/main.0000000000.mjs", &[], None)
        .await;
    assert_eq!(missing.status, 404);
}
both!(the_shell_and_its_assets);

/// The public estate page is one self-contained document rendered from the notice board: its
/// style inline, no script allowed at all, cacheable for a minute; an unknown estate is a 404
/// page, not the shell.
async fn the_public_estate_page_is_one_document(app: TestApp) {
    let p = app.estate_with_parties("PP").await;
    let page = app
        .call_with(Method::GET, &format!("/web/estates/{}", p.estate.id), &[], None)
        .await
        .expect(200);
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert_eq!(header(&page, "cache-control"), "public, max-age=60");
    let csp = header(&page, "content-security-policy");
    assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"), "{csp}");
    assert!(!csp.contains("script-src") && !csp.contains("unsafe"), "{csp}");
    let html = page.body.as_str().unwrap();
    assert!(html.contains("PP苑 · 公示栏"), "{html}");
    assert!(!html.contains("<script"), "a script on the public page");
    assert!(
        !html.contains("<link rel=\"stylesheet\""),
        "a render-blocking stylesheet"
    );
    assert!(html.contains("业主委员会") && html.contains("主任"), "the roster");
    for owner in &p.estate.owners {
        assert!(!html.contains(owner.as_str()), "an owner id on the public page");
    }
    let missing = app.call_with(Method::GET, "/web/estates/nope", &[], None).await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.as_str().unwrap().contains("未找到该小区"));
    let long = format!("/web/estates/{}", "x".repeat(300));
    assert_eq!(app.call_with(Method::GET, &long, &[], None).await.status, 404);
}
both!(the_public_estate_page_is_one_document);

fn refresh_cookie(r: &crate::support::Res) -> String {
    let set = header(r, "set-cookie");
    assert!(set.starts_with("redprop_refresh="), "{set}");
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(set.contains(attr), "{attr} missing: {set}");
    }
    set.split(';').next().unwrap().to_string()
}

/// A web session: the refresh token travels only in an HttpOnly cookie (never in a body a
/// script reads), is renewed and rotated through the cookie, and logging out clears it.
async fn web_sessions_keep_the_refresh_token_in_a_cookie(app: TestApp) {
    let admin = app.admin_token().await;
    app.create_user(&admin, "web-user", "web-password-123", &[("admin", None)])
        .await;
    let login = app
        .call_with(
            Method::POST,
            "/api/v1/auth/login",
            &[],
            Some(json!({ "username": "web-user", "password": "web-password-123", "refresh_delivery": "cookie" })),
        )
        .await
        .expect(200);
    assert!(login.body.get("refresh_token").is_none(), "{}", login.body);
    let first = refresh_cookie(&login);

    // Renewed from the cookie alone; the cookie is replaced.
    let renewed = app
        .call_with(
            Method::POST,
            "/api/v1/auth/refresh",
            &[("cookie", &first)],
            Some(json!({})),
        )
        .await
        .expect(200);
    assert!(renewed.body.get("refresh_token").is_none());
    let second = refresh_cookie(&renewed);
    assert_ne!(first, second);
    let token = renewed.s("access_token");
    app.get("/api/v1/auth/me", As::Bearer(&token)).await.expect(200);

    // No cookie and no token: 401, stating what is missing.
    let none = app
        .call_with(Method::POST, "/api/v1/auth/refresh", &[], Some(json!({})))
        .await;
    assert_eq!(none.problem(401), "invalid_refresh_token");

    // Logging out clears the cookie, and the session's cookie no longer renews anything.
    let out = app
        .call_with(
            Method::POST,
            "/api/v1/auth/logout",
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(out.status, 204);
    assert!(header(&out, "set-cookie").contains("Max-Age=0"), "{:?}", out.headers);
    let after = app
        .call_with(
            Method::POST,
            "/api/v1/auth/refresh",
            &[("cookie", &second)],
            Some(json!({})),
        )
        .await;
    assert_eq!(after.problem(401), "invalid_refresh_token");

    // API clients are unchanged: the refresh token comes in the body, and no cookie is set.
    let api = app
        .call_with(
            Method::POST,
            "/api/v1/auth/login",
            &[],
            Some(json!({ "username": "web-user", "password": "web-password-123" })),
        )
        .await
        .expect(200);
    assert!(api.body["refresh_token"].is_string());
    assert_eq!(header(&api, "set-cookie"), "");
    let bad = app
        .call_with(
            Method::POST,
            "/api/v1/auth/login",
            &[],
            Some(json!({ "username": "web-user", "password": "web-password-123", "refresh_delivery": "jar" })),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
}
both!(web_sessions_keep_the_refresh_token_in_a_cookie);

/// The notice board: anyone may read it, a public cache may keep it a minute, and it carries
/// what the law publishes (roster names, roll totals and fingerprint, the result with the
/// shares it was measured against) and nothing personal.
async fn the_notice_board_is_public_and_has_nothing_personal(app: TestApp) {
    let p = app.estate_with_parties("NB").await;
    let e = &p.estate.id;
    let board = app
        .get(&format!("/api/v1/estates/{e}/notice-board"), As::Nobody)
        .await
        .expect(200);
    assert_eq!(header(&board, "cache-control"), "public, max-age=60");
    assert_eq!(board.body["estate_id"], json!(e));
    let committee = &board.body["committees"][0];
    assert_eq!(committee["status"], "active");
    assert_eq!(committee["members"].as_array().unwrap().len(), 5);
    assert_eq!(committee["members"][0]["role"], "chair");
    assert!(committee["members"][0]["name"].is_string());
    assert_eq!(board.body["company"]["id"], json!(p.company));
    // The fixture's election published its list: it is on the board, names only.
    let list = &board.body["candidate_lists"][0];
    assert!(list["published_at"].is_string(), "{}", board.body);
    assert!(list["candidates"][0]["name"].is_string());
    let text = board.body.to_string();
    for owner in &p.estate.owners {
        assert!(!text.contains(owner.as_str()), "an owner id on the public board");
    }
    for personal in ["owner_id", "phone", "id_last4", "voter_id", "unit_id", "reviewer_id"] {
        assert!(!text.contains(personal), "{personal} on the public board");
    }
    let missing = app.get("/api/v1/estates/no-such-estate/notice-board", As::Nobody).await;
    assert_eq!(missing.problem(404), "not_found");
}
both!(the_notice_board_is_public_and_has_nothing_personal);

/// A closed vote on the board: its roll totals, fingerprint and result, with the shares the
/// rules require (2/3 participation; more than half approval for category 2).
async fn a_closed_vote_on_the_board(app: TestApp) {
    let (admin, vid, owner) = open_vote_with_one_owner(&app, "公示苑", Duration::days(2)).await;
    app.post(
        &format!("/api/v1/votes/{vid}/ballots"),
        As::Bearer(&owner),
        json!({ "choice": "yes" }),
    )
    .await
    .expect(201);
    let estate = app
        .get(&format!("/api/v1/votes/{vid}"), As::Bearer(&admin))
        .await
        .s("estate_id");
    let open = app
        .get(&format!("/api/v1/estates/{estate}/notice-board"), As::Nobody)
        .await
        .expect(200);
    assert_eq!(open.body["votes"][0]["status"], "open");
    assert!(open.body["votes"][0]["roll_fingerprint"].is_string());
    assert_eq!(open.body["results"], json!([]), "no result before the close");
    app.advance(Duration::days(3));
    let closed = app
        .get(&format!("/api/v1/estates/{estate}/notice-board"), As::Nobody)
        .await
        .expect(200);
    let result = &closed.body["results"][0];
    assert_eq!(result["vote_id"], json!(vid));
    assert_eq!(result["turnout"]["voted_heads"], 1);
    assert_eq!(result["turnout"]["total_heads"], 2);
    assert_eq!(result["outcome"], "failed_quorum");
    assert_eq!(
        result["participation_required"],
        json!({ "numerator": 2, "denominator": 3, "strictly_more": false })
    );
    assert_eq!(
        result["approval_required"],
        json!({ "numerator": 1, "denominator": 2, "strictly_more": true })
    );
    // The same figures as the signed-in result.
    let signed_in = app
        .get(&format!("/api/v1/votes/{vid}/result"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(&signed_in.body, result);
}
both!(a_closed_vote_on_the_board);

/// An owner's list of units says where each is and its area, for their own page.
async fn an_owner_sees_where_their_units_are(app: TestApp) {
    let p = app.estate_with_parties("OU").await;
    let owner = &p.estate.owners[0];
    let list = app
        .get(
            &format!("/api/v1/owners/{owner}/ownerships"),
            As::Bearer(&p.owner_tokens[0]),
        )
        .await
        .expect(200);
    let unit = &list.body["items"][0]["unit"];
    assert_eq!(unit["estate_id"], json!(p.estate.id));
    assert!(unit["estate_name"].as_str().unwrap().contains("OU"));
    assert!(unit["building_name"].is_string() && unit["number"].is_string());
    assert!(unit["area_centi_m2"].as_i64().unwrap() > 0);
    // Another owner's list stays closed to this owner.
    let other = &p.estate.owners[1];
    let refused = app
        .get(
            &format!("/api/v1/owners/{other}/ownerships"),
            As::Bearer(&p.owner_tokens[0]),
        )
        .await;
    assert!(matches!(refused.status.as_u16(), 403 | 404), "{}", refused.status);
}
both!(an_owner_sees_where_their_units_are);

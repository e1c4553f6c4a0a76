//! Idempotency-Key (issue 17): a POST repeated with the same key and request gets the first
//! answer and does nothing twice; another request under the key is refused; keys are per
//! caller and kept 24 hours.

use crate::both;
use crate::support::{futures_join, As, TestApp};
use chrono::Duration;
use poem::http::Method;
use serde_json::json;

async fn estates_named(app: &TestApp, admin: &str, community: &str, name: &str) -> usize {
    let _ = community;
    let r = app
        .get("/api/v1/estates?limit=200", As::Bearer(admin))
        .await
        .expect(200);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == name)
        .count()
}

async fn a_repeat_gets_the_first_answer_and_creates_nothing(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let body = json!({ "name": "幂等苑", "kind": "commercial", "community_id": k.comm_a });
    let send = |key: &str, body: serde_json::Value| {
        let (admin, key) = (admin.clone(), key.to_string());
        let app = &app;
        async move {
            app.call_with(
                Method::POST,
                "/api/v1/estates",
                &[("authorization", &format!("Bearer {admin}")), ("idempotency-key", &key)],
                Some(body),
            )
            .await
        }
    };
    let first = send("k-1", body.clone()).await.expect(201);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = send("k-1", body.clone()).await.expect(201);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body, first.body);
    assert_eq!(estates_named(&app, &admin, &k.comm_a, "幂等苑").await, 1);

    // The same key with another body: refused, nothing done.
    let other = send(
        "k-1",
        json!({ "name": "另一苑", "kind": "commercial", "community_id": k.comm_a }),
    )
    .await;
    assert_eq!(other.problem(422), "idempotency_key_reused");
    assert_eq!(estates_named(&app, &admin, &k.comm_a, "另一苑").await, 0);

    // A refusal is an answer too: repeated as it was.
    let bad = json!({ "name": "", "kind": "commercial", "community_id": k.comm_a });
    let r1 = send("k-2", bad.clone()).await;
    let r2 = send("k-2", bad).await;
    assert_eq!((r1.status.as_u16(), r2.status.as_u16()), (422, 422));
    assert_eq!(r1.body, r2.body);

    // Keys are the caller's own: another account's "k-1" is another key.
    let bureau = app.account(&admin, "bureau", k.county.clone(), "IDEM").await;
    let theirs = app
        .call_with(
            Method::POST,
            "/api/v1/estates",
            &[
                ("authorization", &format!("Bearer {bureau}")),
                ("idempotency-key", "k-1"),
            ],
            Some(json!({ "name": "幂等二苑", "kind": "commercial", "community_id": k.comm_a })),
        )
        .await
        .expect(201);
    assert!(theirs.headers.get("idempotent-replayed").is_none());

    // A day later the key is forgotten: the request runs again.
    app.advance(Duration::hours(25));
    let later = send("k-1", body.clone()).await.expect(201);
    assert!(later.headers.get("idempotent-replayed").is_none());
    assert_ne!(later.body["id"], first.body["id"]);

    // Keys that are not keys.
    for key in ["", &"x".repeat(256), "有空 格"] {
        let r = app
            .call_with(
                Method::POST,
                "/api/v1/estates",
                &[("authorization", &format!("Bearer {admin}")), ("idempotency-key", key)],
                Some(body.clone()),
            )
            .await;
        if key.is_ascii() {
            assert_eq!(r.problem(400), "invalid_idempotency_key", "{key:?}");
        } else {
            assert_eq!(r.status, 400, "{key:?}");
        }
    }
}
both!(a_repeat_gets_the_first_answer_and_creates_nothing);

async fn concurrent_repeats_make_one_record(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let body = json!({ "name": "并发苑", "kind": "commercial", "community_id": k.comm_a });
    let auth = format!("Bearer {admin}");
    let headers = [("authorization", auth.as_str()), ("idempotency-key", "same")];
    let answers =
        futures_join((0..6).map(|_| app.call_with(Method::POST, "/api/v1/estates", &headers, Some(body.clone()))))
            .await;
    for r in &answers {
        assert!(
            r.status == 201 || (r.status == 409 && r.body["code"] == "idempotency_in_progress"),
            "{} {}",
            r.status,
            r.body
        );
    }
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| r.body["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(estates_named(&app, &admin, &k.comm_a, "并发苑").await, 1);
}
both!(concurrent_repeats_make_one_record);

async fn an_api_key_repeat_replays_status_body_and_location(app: TestApp) {
    let p = app.estate_with_parties("IDK").await;
    let body = json!({ "company_id": p.company, "url": "https://hooks.example.com/x", "event_types": ["vote.opened"] });
    let headers = [("x-api-key", p.key.as_str()), ("idempotency-key", "hook-1")];
    let send = || app.call_with(Method::POST, "/api/v1/webhooks", &headers, Some(body.clone()));
    let first = send().await.expect(201);
    let again = send().await.expect(201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.headers["location"], first.headers["location"]);
    let list = app
        .get(&format!("/api/v1/webhooks?company_id={}", p.company), As::Key(&p.key))
        .await
        .expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}
both!(an_api_key_repeat_replays_status_body_and_location);

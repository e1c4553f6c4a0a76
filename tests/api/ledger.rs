//! The problem ledger (issue 14): the whole cycle from report to confirmation, every illegal
//! step refused with a problem naming the state, service levels and the confirmation window
//! from the server's clock, who sees and does what (a company sees only what is dispatched to
//! it, and not a reporter who hid their name), and the attachment store.

use chrono::Duration;
use poem::http::Method;
use serde_json::{json, Value};

use crate::both;
use crate::fixtures::{multipart, png, upload, Parties};
use crate::support::{As, Res, TestApp};

async fn report(app: &TestApp, p: &Parties, who: As<'_>, body: Value) -> Res {
    app.post(&format!("/api/v1/estates/{}/ledger-items", p.estate.id), who, body)
        .await
}

fn step(item: &str, what: &str) -> String {
    format!("/api/v1/ledger-items/{item}/{what}")
}

async fn full_cycle_with_the_company(app: TestApp) {
    let p = app.estate_with_parties("L").await;
    let reporter = &p.owner_tokens[2];
    let photo = upload(&app, As::Bearer(reporter), &png("leak"), "漏水.png")
        .await
        .expect(201)
        .s("id");
    let item = report(
        &app,
        &p,
        As::Bearer(reporter),
        json!({ "category": "repairs", "title": "3号楼顶层漏水", "description": "雨后楼道漏水", "attachment_ids": [photo] }),
    )
    .await
    .expect(201);
    assert_eq!(item.body["status"], "reported");
    assert_eq!(item.body["reporter"]["role"], "owner");
    assert_eq!(item.body["show_reporter_to_company"], false);
    let id = item.s("id");

    // The company does not see an item not dispatched to it.
    app.get(&format!("/api/v1/ledger-items/{id}"), As::Key(&p.key))
        .await
        .expect(404);
    // Only the community dispatches: not the committee, not the company, not the reporter.
    let to_company = json!({ "assignee_kind": "company", "assignee_id": p.company });
    for who in [
        As::Bearer(&p.committee_token),
        As::Bearer(&p.company_token),
        As::Bearer(reporter),
    ] {
        let r = app.post(&step(&id, "dispatch"), who, to_company.clone()).await;
        assert!(r.status == 403 || r.status == 404, "{}", r.status);
    }
    // Accepting before the dispatch names the state.
    let r = app.post(&step(&id, "accept"), As::Bearer(&p.party), json!({})).await;
    assert_eq!(r.status, 403, "the party organisation is not the assignee");
    let d = app
        .post(&step(&id, "dispatch"), As::Bearer(&p.party), to_company.clone())
        .await
        .expect(200);
    assert_eq!(d.body["status"], "dispatched");
    assert_eq!(d.body["overdue"], false);

    // The company's key sees it, without the reporter.
    let mine = app
        .get("/api/v1/ledger-items/assigned", As::Key(&p.key))
        .await
        .expect(200);
    let listed = &mine.body["items"].as_array().unwrap()[0];
    assert_eq!(listed["id"], id.as_str());
    assert!(listed["reporter"].is_null(), "{listed}");
    let detail = app
        .get(&format!("/api/v1/ledger-items/{id}"), As::Key(&p.key))
        .await
        .expect(200);
    assert!(detail.body["item"]["reporter"].is_null());
    assert!(
        detail.body["steps"][0]["actor_id"].is_null(),
        "the report's author is withheld too"
    );
    // ... and may read the photo of an item it can see.
    let got = app
        .get(&format!("/api/v1/attachments/{photo}"), As::Key(&p.key))
        .await
        .expect(200);
    let header = |name: &str| {
        got.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "image/png");
    assert!(
        header("content-disposition").contains("UTF-8''%E6%BC%8F"),
        "{}",
        header("content-disposition")
    );

    app.post(&step(&id, "accept"), As::Key(&p.key), json!({}))
        .await
        .expect(200);
    let again = app.post(&step(&id, "accept"), As::Key(&p.key), json!({})).await;
    assert_eq!(again.problem(409), "item_not_dispatched");
    assert!(
        again.body["detail"].as_str().unwrap().contains("in_progress"),
        "{}",
        again.body
    );
    app.post(
        &step(&id, "progress"),
        As::Key(&p.key),
        json!({ "note": "已联系防水班组" }),
    )
    .await
    .expect(200);
    // Done needs evidence, and only files the company uploaded itself.
    let r = app
        .post(
            &step(&id, "done"),
            As::Key(&p.key),
            json!({ "note": "已修复", "attachment_ids": [] }),
        )
        .await;
    r.problem(422);
    let r = app
        .post(
            &step(&id, "done"),
            As::Key(&p.key),
            json!({ "note": "已修复", "attachment_ids": [photo] }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    let evidence = upload(&app, As::Key(&p.key), &png("fixed"), "修复后.png")
        .await
        .expect(201)
        .s("id");
    let done = app
        .post(
            &step(&id, "done"),
            As::Key(&p.key),
            json!({ "note": "已修复", "attachment_ids": [evidence] }),
        )
        .await
        .expect(200);
    assert_eq!(done.body["status"], "resolved");

    // Only the reporter confirms; a rating is 1–5.
    let other = &p.owner_tokens[1];
    let r = app
        .post(&step(&id, "confirm"), As::Bearer(other), json!({ "rating": 5 }))
        .await;
    assert_eq!(r.status, 404, "another owner does not even see the item");
    let r = app
        .post(&step(&id, "confirm"), As::Key(&p.key), json!({ "rating": 5 }))
        .await;
    assert_eq!(r.status, 403);
    app.post(&step(&id, "confirm"), As::Bearer(reporter), json!({ "rating": 6 }))
        .await
        .problem(422);
    let c = app
        .post(
            &step(&id, "confirm"),
            As::Bearer(reporter),
            json!({ "rating": 4, "comment": "及时" }),
        )
        .await
        .expect(200);
    assert_eq!(c.body["status"], "confirmed");
    assert_eq!(c.body["rating"], 4);
    assert_eq!(c.body["confirmed_by_default"], false);
    let r = app
        .post(
            &step(&id, "reopen"),
            As::Bearer(reporter),
            json!({ "reason": "又漏了" }),
        )
        .await;
    assert_eq!(r.problem(409), "item_not_resolved");

    // Every step is stored with who and when.
    let detail = app
        .get(&format!("/api/v1/ledger-items/{id}"), As::Bearer(&p.party))
        .await
        .expect(200);
    let steps: Vec<&str> = detail.body["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["report", "dispatch", "accept", "progress", "done", "confirm"]);
    assert_eq!(detail.body["item"]["reporter"]["role"], "owner");
    assert!(detail.body["steps"][0]["actor_id"].is_string());
    let mine = app
        .get("/api/v1/ledger-items/reported", As::Bearer(reporter))
        .await
        .expect(200);
    assert_eq!(mine.body["items"][0]["id"], id.as_str());
    let theirs = app
        .get("/api/v1/ledger-items/reported", As::Bearer(other))
        .await
        .expect(200);
    assert!(theirs.body["items"].as_array().unwrap().is_empty());
}
both!(full_cycle_with_the_company);

async fn party_members_teams_decline_and_reopen(app: TestApp) {
    let p = app.estate_with_parties("M").await;
    let reporter = &p.owner_tokens[2];
    let id = report(
        &app,
        &p,
        As::Bearer(&p.committee_token),
        json!({ "category": "neighbours", "title": "噪音扰民", "description": "夜间装修", "show_reporter_to_company": true }),
    )
    .await
    .expect(201)
    .s("id");
    // Owner 3 is no party member (the fixture's first three are).
    let r = app
        .post(
            &step(&id, "dispatch"),
            As::Bearer(&p.party),
            json!({ "assignee_kind": "party_member", "assignee_id": p.estate.owners[3] }),
        )
        .await;
    assert_eq!(r.problem(422), "not_a_party_member");
    let member = p.estate.owners[0].clone();
    app.post(
        &step(&id, "dispatch"),
        As::Bearer(&p.party),
        json!({ "assignee_kind": "party_member", "assignee_id": member }),
    )
    .await
    .expect(200);
    // Someone else cannot take it; the party member declines with a reason.
    let r = app
        .post(&step(&id, "accept"), As::Bearer(&p.owner_tokens[1]), json!({}))
        .await;
    assert_eq!(r.status, 404);
    app.post(&step(&id, "decline"), As::Bearer(&p.owner_tokens[0]), json!({}))
        .await
        .problem(422);
    let back = app
        .post(
            &step(&id, "decline"),
            As::Bearer(&p.owner_tokens[0]),
            json!({ "reason": "不在本地" }),
        )
        .await
        .expect(200);
    assert_eq!(back.body["status"], "reported");
    assert!(back.body["assignee_id"].is_null());

    // A team of the community takes it.
    let team = app
        .post(
            &format!("/api/v1/orgs/{}/volunteer-teams", p.k.comm_a),
            As::Bearer(&p.party),
            json!({ "name": "红管家志愿队", "member_owner_ids": [p.estate.owners[1]] }),
        )
        .await
        .expect(201)
        .s("id");
    let r = app
        .post(
            &format!("/api/v1/orgs/{}/volunteer-teams", p.k.comm_a),
            As::Bearer(&p.committee_token),
            json!({ "name": "另一队" }),
        )
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    // Members are replaced as a whole, owners of the community only, by the community's side only.
    let members = format!("/api/v1/volunteer-teams/{team}/members");
    let r = app
        .call(
            Method::PUT,
            &members,
            As::Bearer(&p.committee_token),
            Some(json!({ "member_owner_ids": [] })),
        )
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    app.call(
        Method::PUT,
        &members,
        As::Bearer(&p.party),
        Some(json!({ "member_owner_ids": ["nobody"] })),
    )
    .await
    .problem(422);
    let set = app
        .call(
            Method::PUT,
            &members,
            As::Bearer(&p.party),
            Some(json!({ "member_owner_ids": [p.estate.owners[1]] })),
        )
        .await
        .expect(200);
    assert_eq!(set.body["member_owner_ids"], json!([p.estate.owners[1]]));
    app.post(
        &step(&id, "dispatch"),
        As::Bearer(&p.party),
        json!({ "assignee_kind": "volunteer_team", "assignee_id": team }),
    )
    .await
    .expect(200);
    let r = app
        .post(&step(&id, "accept"), As::Bearer(&p.owner_tokens[0]), json!({}))
        .await;
    assert!(r.status == 403 || r.status == 404, "not in the team: {}", r.status);
    app.post(&step(&id, "accept"), As::Bearer(&p.owner_tokens[1]), json!({}))
        .await
        .expect(200);
    // Accepted: no longer dispatched again.
    let r = app
        .post(
            &step(&id, "dispatch"),
            As::Bearer(&p.party),
            json!({ "assignee_kind": "company", "assignee_id": p.company }),
        )
        .await;
    assert_eq!(r.problem(409), "item_not_open_for_dispatch");
    let ev = upload(&app, As::Bearer(&p.owner_tokens[1]), &png("quiet"), "a.png")
        .await
        .expect(201)
        .s("id");
    app.post(
        &step(&id, "done"),
        As::Bearer(&p.owner_tokens[1]),
        json!({ "note": "已调解", "attachment_ids": [ev] }),
    )
    .await
    .expect(200);
    // The committee reported it: the committee confirms or reopens, an owner does not.
    app.post(&step(&id, "reopen"), As::Bearer(reporter), json!({ "reason": "x" }))
        .await
        .expect(404);
    // Reopened with a photo of what is still wrong; only the reopener's own upload is taken.
    let still = upload(&app, As::Bearer(&p.committee_token), &png("still-noisy"), "b.png")
        .await
        .expect(201)
        .s("id");
    let r = app
        .post(
            &step(&id, "reopen"),
            As::Bearer(&p.committee_token),
            json!({ "reason": "仍有噪音", "attachment_ids": [ev] }),
        )
        .await;
    r.problem(422);
    let r = app
        .post(
            &step(&id, "reopen"),
            As::Bearer(&p.committee_token),
            json!({ "reason": "仍有噪音", "attachment_ids": [still] }),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "in_progress");
    // The history names who took it: the party member, then the volunteer team.
    let detail = app
        .get(&format!("/api/v1/ledger-items/{id}"), As::Bearer(&p.committee_token))
        .await
        .expect(200);
    let steps = detail.body["steps"].as_array().unwrap();
    let taken: Vec<&str> = steps
        .iter()
        .filter(|s| s["step"] == "dispatch")
        .map(|s| s["assignee_name"].as_str().unwrap())
        .collect();
    assert_eq!(taken.len(), 2);
    assert_eq!(taken[0], p.estate.names[0].as_str());
    assert_eq!(detail.body["item"]["assignee_name"], taken[1]);
    assert_eq!(steps.last().unwrap()["attachment_ids"], json!([still]));
}
both!(party_members_teams_decline_and_reopen);

async fn service_levels_and_the_confirmation_window(app: TestApp) {
    let p = app.estate_with_parties("S").await;
    let settings = format!("/api/v1/orgs/{}/ledger-settings", p.k.county);
    let defaults = app.get(&settings, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(defaults.body["confirm_days"], 7);
    let ours =
        json!({ "confirm_days": 3, "service_levels": [{ "category": "elevator", "accept_hours": 2, "done_days": 1 }] });
    let r = app
        .call(Method::PUT, &settings, As::Bearer(&p.party), Some(ours.clone()))
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    app.call(Method::PUT, &settings, As::Key(&p.key), Some(ours.clone()))
        .await
        .expect(401);
    let bad = json!({ "confirm_days": 0, "service_levels": [] });
    app.call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(bad))
        .await
        .problem(422);
    app.call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(ours))
        .await
        .expect(200);

    let id = report(
        &app,
        &p,
        As::Bearer(&p.owner_tokens[2]),
        json!({ "category": "elevator", "title": "电梯困人", "description": "2单元电梯停运" }),
    )
    .await
    .expect(201)
    .s("id");
    let d = app
        .post(
            &step(&id, "dispatch"),
            As::Bearer(&p.party),
            json!({ "assignee_kind": "company", "assignee_id": p.company }),
        )
        .await
        .expect(200);
    let dispatched = chrono::DateTime::parse_from_rfc3339(d.body["dispatched_at"].as_str().unwrap()).unwrap();
    let accept_due = chrono::DateTime::parse_from_rfc3339(d.body["accept_due_at"].as_str().unwrap()).unwrap();
    assert_eq!(accept_due - dispatched, Duration::hours(2));
    let list = format!("/api/v1/estates/{}/ledger-items", p.estate.id);
    let overdue = |v: &Value| v["items"].as_array().unwrap().len();
    assert_eq!(
        overdue(
            &app.get(&format!("{list}?overdue=true"), As::Bearer(&p.party))
                .await
                .expect(200)
                .body
        ),
        0
    );
    app.advance(Duration::hours(2));
    let late = app
        .get(&format!("{list}?overdue=true"), As::Bearer(&p.party))
        .await
        .expect(200);
    assert_eq!(overdue(&late.body), 1);
    assert_eq!(late.body["items"][0]["overdue"], true);
    assert_eq!(
        overdue(
            &app.get(&format!("{list}?overdue=false"), As::Bearer(&p.party))
                .await
                .expect(200)
                .body
        ),
        0
    );
    // The company's list filters the same way.
    let mine = app
        .get("/api/v1/ledger-items/assigned?overdue=true", As::Key(&p.key))
        .await
        .expect(200);
    assert_eq!(overdue(&mine.body), 1);

    app.post(&step(&id, "accept"), As::Key(&p.key), json!({}))
        .await
        .expect(200);
    let ev = upload(&app, As::Key(&p.key), &png("lift"), "lift.png")
        .await
        .expect(201)
        .s("id");
    let done = app
        .post(
            &step(&id, "done"),
            As::Key(&p.key),
            json!({ "note": "已恢复运行", "attachment_ids": [ev] }),
        )
        .await
        .expect(200);
    assert_eq!(done.body["status"], "resolved");
    // Three days from the day after; then confirmed by default.
    let by = chrono::DateTime::parse_from_rfc3339(done.body["confirm_by"].as_str().unwrap()).unwrap();
    let now = app.now();
    app.advance(by.with_timezone(&chrono::Utc) - now - Duration::seconds(1));
    let still = app
        .get(&format!("/api/v1/ledger-items/{id}"), As::Bearer(&p.owner_tokens[2]))
        .await
        .expect(200);
    assert_eq!(still.body["item"]["status"], "resolved");
    // (The instant itself is tested in domain::ledger; the test clock moves in whole steps.)
    app.advance(Duration::seconds(2));
    let closed = app
        .get(&format!("/api/v1/ledger-items/{id}"), As::Bearer(&p.owner_tokens[2]))
        .await
        .expect(200);
    assert_eq!(closed.body["item"]["status"], "confirmed");
    assert_eq!(closed.body["item"]["confirmed_by_default"], true);
    let r = app
        .post(
            &step(&id, "confirm"),
            As::Bearer(&p.owner_tokens[2]),
            json!({ "rating": 5 }),
        )
        .await;
    assert_eq!(r.problem(409), "item_not_resolved");
    let confirmed = app
        .get(&format!("{list}?status=confirmed"), As::Bearer(&p.party))
        .await
        .expect(200);
    assert_eq!(overdue(&confirmed.body), 1);
    let resolved = app
        .get(&format!("{list}?status=resolved"), As::Bearer(&p.party))
        .await
        .expect(200);
    assert_eq!(overdue(&resolved.body), 0);
}
both!(service_levels_and_the_confirmation_window);

async fn another_county_sees_nothing(app: TestApp) {
    let a = app.estate_with_parties("A").await;
    let b = app.estate_with_parties("B").await;
    let id = report(
        &app,
        &a,
        As::Key(&a.key),
        json!({ "category": "security", "title": "门禁损坏", "description": "东门门禁" }),
    )
    .await
    .expect(201)
    .s("id");
    // A company reports only where it serves.
    report(
        &app,
        &a,
        As::Key(&b.key),
        json!({ "category": "other", "title": "x", "description": "y" }),
    )
    .await
    .expect(404);
    for who in [
        As::Bearer(&b.party),
        As::Bearer(&b.bureau),
        As::Key(&b.key),
        As::Bearer(&b.committee_token),
        As::Bearer(&b.owner_tokens[0]),
    ] {
        let r = app.get(&format!("/api/v1/ledger-items/{id}"), who).await;
        assert_eq!(r.status, 404);
    }
    let r = app
        .post(
            &step(&id, "dispatch"),
            As::Bearer(&b.party),
            json!({ "assignee_kind": "company", "assignee_id": b.company }),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .get(
            &format!("/api/v1/estates/{}/ledger-items", a.estate.id),
            As::Bearer(&b.bureau),
        )
        .await;
    assert_eq!(r.status, 404);
    // The other county's company is not the one under contract here.
    let r = app
        .post(
            &step(&id, "dispatch"),
            As::Bearer(&a.party),
            json!({ "assignee_kind": "company", "assignee_id": b.company }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    // Nor is the other county's department.
    let r = app
        .post(
            &step(&id, "dispatch"),
            As::Bearer(&a.party),
            json!({ "assignee_kind": "department", "assignee_id": b.department.0 }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    app.post(
        &step(&id, "dispatch"),
        As::Bearer(&a.party),
        json!({ "assignee_kind": "department", "assignee_id": a.department.0 }),
    )
    .await
    .expect(200);
    // The department takes it; a company's key reported it, so the company confirms.
    app.post(&step(&id, "accept"), As::Bearer(&b.department.1), json!({}))
        .await
        .expect(404);
    app.post(&step(&id, "accept"), As::Bearer(&a.department.1), json!({}))
        .await
        .expect(200);
    let listed = app
        .get("/api/v1/ledger-items/reported", As::Bearer(&a.company_token))
        .await
        .expect(200);
    assert_eq!(listed.body["items"][0]["id"], id.as_str());
    let b_list = app
        .get("/api/v1/ledger-items/reported", As::Key(&b.key))
        .await
        .expect(200);
    assert!(b_list.body["items"].as_array().unwrap().is_empty());
    // Anonymous callers get 401.
    app.get(&format!("/api/v1/ledger-items/{id}"), As::Nobody)
        .await
        .expect(401);
    app.get("/api/v1/ledger-items/assigned", As::Nobody).await.expect(401);
}
both!(another_county_sees_nothing);

async fn attachments_are_sniffed_limited_stored_once_and_follow_the_record(app: TestApp) {
    let app = app.with_config(|c| c.max_attachment_bytes = 4096);
    let p = app.estate_with_parties("F").await;
    let owner = &p.owner_tokens[0];
    let first = upload(&app, As::Bearer(owner), &png("same"), "a.png").await.expect(201);
    assert_eq!(first.body["content_type"], "image/png");
    let id = first.s("id");
    assert_eq!(id.len(), 64);
    // The same bytes again, from anyone: the same id, not stored twice.
    let again = upload(&app, As::Bearer(&p.owner_tokens[1]), &png("same"), "b.png")
        .await
        .expect(200);
    assert_eq!(again.s("id"), id);
    assert_eq!(again.body["file_name"], "b.png");
    // A PDF and a JPEG by their bytes; a text, or HTML named .png, is refused.
    upload(&app, As::Bearer(owner), b"%PDF-1.4\n%...", "minutes.pdf")
        .await
        .expect(201);
    upload(&app, As::Bearer(owner), b"\xFF\xD8\xFF\xE0jfif", "photo.jpg")
        .await
        .expect(201);
    assert_eq!(
        upload(&app, As::Bearer(owner), b"<html>hi</html>", "x.png")
            .await
            .problem(415),
        "unsupported_media_type"
    );
    // Over the limit: 413.
    let mut big = png("big");
    big.resize(5000, 0);
    assert_eq!(
        upload(&app, As::Bearer(owner), &big, "big.png").await.problem(413),
        "payload_too_large"
    );
    // No file part: 422; not multipart: 415; nobody: 401.
    app.raw(
        Method::POST,
        "/api/v1/attachments",
        As::Bearer(owner),
        Some("multipart/form-data; boundary=x"),
        b"--x--\r\n".to_vec(),
    )
    .await
    .problem(422);
    app.raw(
        Method::POST,
        "/api/v1/attachments",
        As::Bearer(owner),
        Some("image/png"),
        png("raw"),
    )
    .await
    .problem(415);
    let (ct, body) = multipart(&png("anon"), "a.png");
    app.raw(Method::POST, "/api/v1/attachments", As::Nobody, Some(&ct), body)
        .await
        .expect(401);

    // Reading follows the uploader, then the record.
    app.get(&format!("/api/v1/attachments/{id}"), As::Bearer(owner))
        .await
        .expect(200);
    app.get(&format!("/api/v1/attachments/{id}"), As::Bearer(&p.owner_tokens[2]))
        .await
        .expect(404);
    app.get(&format!("/api/v1/attachments/{id}"), As::Bearer(&p.party))
        .await
        .expect(404);
    app.get("/api/v1/attachments/..%2F..%2Fetc", As::Bearer(owner))
        .await
        .expect(404);
    report(
        &app,
        &p,
        As::Bearer(owner),
        json!({ "category": "greening", "title": "树木倒伏", "description": "台风后", "attachment_ids": [id] }),
    )
    .await
    .expect(201);
    app.get(&format!("/api/v1/attachments/{id}"), As::Bearer(&p.party))
        .await
        .expect(200);
    app.get(&format!("/api/v1/attachments/{id}"), As::Bearer(&p.owner_tokens[2]))
        .await
        .expect(404);
    // A file one did not upload cannot be attached (and so opened to others).
    let r = report(
        &app,
        &p,
        As::Bearer(&p.owner_tokens[2]),
        json!({ "category": "greening", "title": "t", "description": "d", "attachment_ids": [id] }),
    )
    .await;
    assert_eq!(r.problem(422), "validation_failed");
}
both!(attachments_are_sniffed_limited_stored_once_and_follow_the_record);

/// Two steps on one item at once run one after the other: of an acceptance and a decline sent
/// together, exactly one happens, and the other is refused from the state the first left.
async fn concurrent_steps_on_one_item_take_turns(app: TestApp) {
    let p = app.estate_with_parties("LC").await;
    for round in 0..5 {
        let id = report(
            &app,
            &p,
            As::Bearer(&p.owner_tokens[2]),
            json!({ "category": "repairs", "title": format!("问题{round}"), "description": "x" }),
        )
        .await
        .expect(201)
        .s("id");
        app.post(
            &step(&id, "dispatch"),
            As::Bearer(&p.party),
            json!({ "assignee_kind": "company", "assignee_id": p.company }),
        )
        .await
        .expect(200);
        let accept = step(&id, "accept");
        let decline = step(&id, "decline");
        let (a, d) = tokio::join!(
            app.post(&accept, As::Key(&p.key), json!({})),
            app.post(&decline, As::Key(&p.key), json!({ "reason": "不归我们" })),
        );
        // The later one finds the item accepted (409, naming the state) or declined — and so no
        // longer the company's to see (404).
        let later = match (a.status.as_u16(), d.status.as_u16()) {
            (200, s) if s == 409 => s,
            (s, 200) if s == 404 || s == 409 => s,
            _ => panic!("round {round}: {} {} / {} {}", a.status, a.body, d.status, d.body),
        };
        assert!(later == 404 || later == 409);
        let item = app
            .get(&format!("/api/v1/ledger-items/{id}"), As::Bearer(&p.party))
            .await
            .expect(200);
        let steps: Vec<&str> = item.body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(steps.len(), 3, "round {round}: {steps:?}");
    }
}
both!(concurrent_steps_on_one_item_take_turns);

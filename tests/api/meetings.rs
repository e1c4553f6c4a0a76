//! Joint meetings, minutes and action items (issue 14): the convenor's steps and the parties'
//! answers, publication only when every attending party confirmed, frozen minutes corrected by
//! new versions, action items followed to done, and the ledger item they follow closing only then.

use chrono::Duration;
use poem::http::Method;
use serde_json::{json, Value};

use crate::both;
use crate::fixtures::{png, upload, Parties};
use crate::support::{As, TestApp};

fn parties_of(m: &Value) -> Vec<(String, String)> {
    m["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub(crate) fn party(m: &Value, kind: &str) -> String {
    parties_of(m).into_iter().find(|(k, _)| k == kind).unwrap().1
}

/// A monthly joint meeting of the estate: the community, the committee, the company, a grid
/// worker; its agenda tables `item`.
async fn joint_meeting(app: &TestApp, p: &Parties, item: &str) -> Value {
    app.post(
        "/api/v1/meetings",
        As::Bearer(&p.party),
        json!({
            "kind": "joint_monthly",
            "convenor_org_id": p.k.comm_a,
            "estate_id": p.estate.id,
            "title": "十一月联席会议",
            // Begun half an hour ago: attendance and minutes come after a meeting's start.
            "starts_at": app.at(Duration::minutes(-30)),
            "place": "社区党群服务中心",
            "parties": [
                { "kind": "party_org", "party_id": p.k.comm_a },
                { "kind": "committee", "party_id": p.committee },
                { "kind": "company", "party_id": p.company },
                { "kind": "person", "name": "网格员张三" }
            ],
            "agenda": [
                { "title": "电梯维修", "ledger_item_id": item },
                { "title": "停车秩序" }
            ]
        }),
    )
    .await
    .expect(201)
    .body
}

async fn the_monthly_cycle(app: TestApp) {
    let p = app.estate_with_parties("J").await;
    let item = app
        .post(
            &format!("/api/v1/estates/{}/ledger-items", p.estate.id),
            As::Bearer(&p.owner_tokens[2]),
            json!({ "category": "elevator", "title": "电梯异响", "description": "1号楼电梯" }),
        )
        .await
        .expect(201)
        .s("id");
    // Only a party organisation over the community convenes.
    let r = app
        .post(
            "/api/v1/meetings",
            As::Bearer(&p.committee_token),
            json!({
                "kind": "ad_hoc", "convenor_org_id": p.k.comm_a, "estate_id": p.estate.id, "title": "x",
                "starts_at": app.at(Duration::days(1)), "place": "y",
                "parties": [{ "kind": "person", "name": "z" }], "agenda": [{ "title": "t" }]
            }),
        )
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    let m = joint_meeting(&app, &p, &item).await;
    let id = m["id"].as_str().unwrap().to_string();
    assert_eq!(m["quorum"], false);
    let (community, committee, company) = (party(&m, "party_org"), party(&m, "committee"), party(&m, "company"));
    let person = party(&m, "person");

    // Draft; sending needs attendance.
    let content = json!({
        "discussion": [{ "agenda_seq": 1, "text": "物业公司说明电梯维保情况" }],
        "decisions": [
            { "text": "物业公司两周内完成电梯维修", "responsible_party_id": company, "due_on": app.day(14), "ledger_item_ids": [item] },
            { "text": "停车问题下月再议" }
        ]
    });
    let bad = json!({ "discussion": [{ "agenda_seq": 9, "text": "x" }], "decisions": [] });
    app.post(&format!("/api/v1/meetings/{id}/minutes"), As::Bearer(&p.party), bad)
        .await
        .problem(422);
    let v1 = app
        .post(
            &format!("/api/v1/meetings/{id}/minutes"),
            As::Bearer(&p.party),
            content.clone(),
        )
        .await
        .expect(201);
    let v1_id = v1.s("id");
    assert_eq!(v1.body["status"], "draft");
    app.post(
        &format!("/api/v1/meetings/{id}/minutes"),
        As::Bearer(&p.party),
        content.clone(),
    )
    .await
    .problem(409);
    let r = app
        .post(
            &format!("/api/v1/minutes/{v1_id}/send"),
            As::Bearer(&p.party),
            json!({}),
        )
        .await;
    assert_eq!(r.problem(422), "attendance_not_recorded");
    let att = app
        .call(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            As::Bearer(&p.party),
            Some(json!({ "parties": [
                { "party_id": community, "attendance": "present" },
                { "party_id": committee, "attendance": "represented", "represented_by": "业委会委员李四" },
                { "party_id": company, "attendance": "present" },
                { "party_id": person, "attendance": "absent" }
            ]})),
        )
        .await
        .expect(200);
    assert_eq!(att.body["quorum"], true);
    // Owners do not see drafts.
    let owner = &p.owner_tokens[1];
    let r = app.get(&format!("/api/v1/minutes/{v1_id}"), As::Bearer(owner)).await;
    assert_eq!(r.status, 404);

    app.post(
        &format!("/api/v1/minutes/{v1_id}/send"),
        As::Bearer(&p.party),
        json!({}),
    )
    .await
    .expect(200);
    // Sent: no more edits; no publication before every attending party confirmed.
    app.put_matching(
        &format!("/api/v1/minutes/{v1_id}"),
        &format!("/api/v1/minutes/{v1_id}"),
        As::Bearer(&p.party),
        content.clone(),
    )
    .await
    .problem(409);
    let r = app
        .post(
            &format!("/api/v1/minutes/{v1_id}/publish"),
            As::Bearer(&p.party),
            json!({}),
        )
        .await;
    assert_eq!(r.problem(409), "minutes_not_confirmed");
    // Each party answers for itself only.
    let r = app
        .post(
            &format!("/api/v1/minutes/{v1_id}/answers"),
            As::Key(&p.key),
            json!({ "party_id": committee, "correction": false }),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(
            &format!("/api/v1/minutes/{v1_id}/answers"),
            As::Bearer(&p.party),
            json!({ "party_id": person, "correction": false }),
        )
        .await;
    assert!(r.status == 403 || r.status == 422, "{}", r.status);
    // The company asks for a correction: back to draft; confirmations start again.
    app.post(
        &format!("/api/v1/minutes/{v1_id}/answers"),
        As::Bearer(&p.party),
        json!({ "party_id": community, "correction": false }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/minutes/{v1_id}/answers"),
        As::Key(&p.key),
        json!({ "party_id": company, "correction": true }),
    )
    .await
    .problem(422);
    let back = app
        .post(
            &format!("/api/v1/minutes/{v1_id}/answers"),
            As::Key(&p.key),
            json!({ "party_id": company, "correction": true, "comment": "维修期限应为三周" }),
        )
        .await
        .expect(200);
    assert_eq!(back.body["status"], "draft");
    let mut content = content;
    content["decisions"][0]["due_on"] = json!(app.day(21));
    app.put_matching(
        &format!("/api/v1/minutes/{v1_id}"),
        &format!("/api/v1/minutes/{v1_id}"),
        As::Bearer(&p.party),
        content.clone(),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/minutes/{v1_id}/send"),
        As::Bearer(&p.party),
        json!({}),
    )
    .await
    .expect(200);
    for (who, party_id) in [
        (As::Bearer(&p.party), &community),
        (As::Bearer(&p.committee_token), &committee),
    ] {
        app.post(
            &format!("/api/v1/minutes/{v1_id}/answers"),
            who,
            json!({ "party_id": party_id, "correction": false }),
        )
        .await
        .expect(200);
    }
    let waiting = app
        .get(&format!("/api/v1/minutes/{v1_id}"), As::Bearer(&p.party))
        .await
        .expect(200);
    assert_eq!(waiting.body["waiting_for"], json!([company]));
    app.post(
        &format!("/api/v1/minutes/{v1_id}/publish"),
        As::Bearer(&p.party),
        json!({}),
    )
    .await
    .problem(409);
    app.post(
        &format!("/api/v1/minutes/{v1_id}/answers"),
        As::Key(&p.key),
        json!({ "party_id": company, "correction": false }),
    )
    .await
    .expect(200);
    let published = app
        .post(
            &format!("/api/v1/minutes/{v1_id}/publish"),
            As::Bearer(&p.party),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(published.body["status"], "published");
    assert_eq!(published.body["fingerprint"].as_str().unwrap().len(), 64);
    // Printed, it is an A4 document with page numbers and a line for each attending party to sign.
    let printed = app
        .get(&format!("/api/v1/minutes/{v1_id}/print"), As::Bearer(&p.party))
        .await
        .expect(200);
    let page = printed.body.as_str().unwrap();
    assert!(page.contains("size:A4") && page.contains("counter(page)"), "{page}");
    let signing = page.split("参会方签字").nth(1).expect("a signature block");
    assert!(signing.matches("<tr><td>").count() >= 2, "{signing}");
    // Frozen: no edit, no second publication; owners read it now.
    app.put_matching(
        &format!("/api/v1/minutes/{v1_id}"),
        &format!("/api/v1/minutes/{v1_id}"),
        As::Bearer(&p.party),
        content.clone(),
    )
    .await
    .problem(409);
    app.call(
        Method::PUT,
        &format!("/api/v1/meetings/{id}/attendance"),
        As::Bearer(&p.party),
        Some(json!({ "parties": [{ "party_id": person, "attendance": "present" }] })),
    )
    .await
    .problem(409);
    app.get(&format!("/api/v1/minutes/{v1_id}"), As::Bearer(owner))
        .await
        .expect(200);

    // The decision with a responsible party became an action item following the ledger item.
    let actions = app
        .get(&format!("/api/v1/meetings/{id}/action-items"), As::Bearer(&p.party))
        .await
        .expect(200);
    let actions = actions.body["items"].as_array().unwrap().clone();
    assert_eq!(actions.len(), 1);
    let action = actions[0]["id"].as_str().unwrap().to_string();
    assert_eq!(actions[0]["ledger_item_ids"], json!([item]));
    assert_eq!(actions[0]["due_on"], json!(app.day(21)));
    // Listed for the responsible company, for the estate and for the community; overdue after the day.
    let mine = app.get("/api/v1/action-items/mine", As::Key(&p.key)).await.expect(200);
    assert_eq!(mine.body["items"][0]["id"], action.as_str());
    let theirs = app
        .get("/api/v1/action-items/mine", As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    assert!(theirs.body["items"].as_array().unwrap().is_empty());
    let of_estate = format!("/api/v1/estates/{}/action-items", p.estate.id);
    let r = app.get(&of_estate, As::Bearer(owner)).await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    let late = |v: &Value| v["items"].as_array().unwrap().len();
    assert_eq!(
        late(
            &app.get(&format!("{of_estate}?overdue=true"), As::Bearer(&p.committee_token))
                .await
                .expect(200)
                .body
        ),
        0
    );
    app.advance(Duration::days(22));
    let overdue = app
        .get(&format!("{of_estate}?overdue=true"), As::Bearer(&p.committee_token))
        .await
        .expect(200);
    assert_eq!(late(&overdue.body), 1);
    assert_eq!(overdue.body["items"][0]["overdue"], true);
    let in_community = app
        .get(
            &format!("/api/v1/orgs/{}/action-items?overdue=true", p.k.comm_a),
            As::Bearer(&p.party),
        )
        .await
        .expect(200);
    assert_eq!(late(&in_community.body), 1);
    // The ledger item cannot be closed while its action item is open.
    app.post(
        &format!("/api/v1/ledger-items/{item}/dispatch"),
        As::Bearer(&p.party),
        json!({ "assignee_kind": "company", "assignee_id": p.company }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/ledger-items/{item}/accept"),
        As::Key(&p.key),
        json!({}),
    )
    .await
    .expect(200);
    let ev = upload(&app, As::Key(&p.key), &png("lift-fixed"), "e.png")
        .await
        .expect(201)
        .s("id");
    let done = json!({ "note": "已更换曳引机", "attachment_ids": [ev] });
    let r = app
        .post(
            &format!("/api/v1/ledger-items/{item}/done"),
            As::Key(&p.key),
            done.clone(),
        )
        .await;
    assert_eq!(r.problem(409), "item_has_open_actions");
    // The company works the action item; only the convenor accepts it.
    app.post(
        &format!("/api/v1/action-items/{action}/done"),
        As::Bearer(&p.committee_token),
        json!({ "note": "x" }),
    )
    .await
    .expect(403);
    app.post(
        &format!("/api/v1/action-items/{action}/progress"),
        As::Key(&p.key),
        json!({ "note": "配件已到" }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/action-items/{action}/done"),
        As::Key(&p.key),
        json!({ "note": "已完成" }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/action-items/{action}/review"),
        As::Key(&p.key),
        json!({ "accept": true }),
    )
    .await
    .expect(401);
    app.post(
        &format!("/api/v1/action-items/{action}/review"),
        As::Bearer(&p.party),
        json!({ "accept": false }),
    )
    .await
    .problem(422);
    let back = app
        .post(
            &format!("/api/v1/action-items/{action}/review"),
            As::Bearer(&p.party),
            json!({ "accept": false, "comment": "缺少验收报告" }),
        )
        .await
        .expect(200);
    assert_eq!(back.body["status"], "open");
    app.post(
        &format!("/api/v1/action-items/{action}/review"),
        As::Bearer(&p.party),
        json!({ "accept": true }),
    )
    .await
    .problem(409);
    // Done again, with the acceptance report as evidence: only a file the caller uploaded.
    let report = upload(&app, As::Key(&p.key), &png("acceptance"), "验收报告.png")
        .await
        .expect(201)
        .s("id");
    let theirs = upload(&app, As::Bearer(&p.party), &png("not-theirs"), "x.png")
        .await
        .expect(201)
        .s("id");
    let r = app
        .post(
            &format!("/api/v1/action-items/{action}/done"),
            As::Key(&p.key),
            json!({ "note": "验收报告已附", "attachment_ids": [theirs] }),
        )
        .await;
    r.problem(422);
    assert_eq!(r.body["errors"][0]["field"], "attachment_ids");
    let reported = app
        .post(
            &format!("/api/v1/action-items/{action}/done"),
            As::Key(&p.key),
            json!({ "note": "验收报告已附", "attachment_ids": [report] }),
        )
        .await
        .expect(200);
    let last = reported.body["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["attachment_ids"], json!([report]));
    // The board names who is responsible and where it was decided.
    assert_eq!(reported.body["responsible_kind"], "company");
    assert_eq!(reported.body["responsible_org_id"], p.company.as_str());
    assert!(!reported.body["responsible_name"].as_str().unwrap().is_empty());
    assert_eq!(reported.body["estate_id"], p.estate.id.as_str());
    // The convenor reads the evidence; an official of another county does not.
    app.get(&format!("/api/v1/attachments/{report}"), As::Bearer(&p.party))
        .await
        .expect(200);
    let elsewhere = app.estate_with_parties("actev").await;
    app.get(&format!("/api/v1/attachments/{report}"), As::Bearer(&elsewhere.party))
        .await
        .problem(404);
    let ok = app
        .post(
            &format!("/api/v1/action-items/{action}/review"),
            As::Bearer(&p.party),
            json!({ "accept": true }),
        )
        .await
        .expect(200);
    assert_eq!(ok.body["status"], "done");
    assert_eq!(ok.body["steps"].as_array().unwrap().len(), 5);
    app.post(&format!("/api/v1/ledger-items/{item}/done"), As::Key(&p.key), done)
        .await
        .expect(200);
    app.post(
        &format!("/api/v1/ledger-items/{item}/confirm"),
        As::Bearer(&p.owner_tokens[2]),
        json!({ "rating": 5 }),
    )
    .await
    .expect(200);

    // A correction is a new version; the old one stays readable and is superseded on publication.
    let r = app
        .post(
            &format!("/api/v1/minutes/{v1_id}/corrections"),
            As::Bearer(&p.party),
            content.clone(),
        )
        .await;
    let v2 = r.expect(201);
    let v2_id = v2.s("id");
    assert_eq!(v2.body["version"], 2);
    assert_eq!(v2.body["previous_id"], v1_id.as_str());
    app.post(
        &format!("/api/v1/minutes/{v1_id}/corrections"),
        As::Bearer(&p.party),
        content.clone(),
    )
    .await
    .problem(409);
    app.post(
        &format!("/api/v1/minutes/{v2_id}/send"),
        As::Bearer(&p.party),
        json!({}),
    )
    .await
    .expect(200);
    for (who, party_id) in [
        (As::Bearer(&p.party), &community),
        (As::Bearer(&p.committee_token), &committee),
        (As::Key(&p.key), &company),
    ] {
        app.post(
            &format!("/api/v1/minutes/{v2_id}/answers"),
            who,
            json!({ "party_id": party_id, "correction": false }),
        )
        .await
        .expect(200);
    }
    app.post(
        &format!("/api/v1/minutes/{v2_id}/publish"),
        As::Bearer(&p.party),
        json!({}),
    )
    .await
    .expect(200);
    let versions = app
        .get(&format!("/api/v1/meetings/{id}/minutes"), As::Bearer(owner))
        .await
        .expect(200);
    let statuses: Vec<&str> = versions.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["superseded", "published"]);
    // The same decisions do not create their action item twice.
    let actions = app
        .get(&format!("/api/v1/meetings/{id}/action-items"), As::Bearer(&p.party))
        .await
        .expect(200);
    assert_eq!(actions.body["items"].as_array().unwrap().len(), 1);
    let listed = app
        .get(
            &format!("/api/v1/estates/{}/meetings", p.estate.id),
            As::Bearer(&p.committee_token),
        )
        .await
        .expect(200);
    assert_eq!(listed.body["items"][0]["id"], id.as_str());
}
both!(the_monthly_cycle);

async fn another_county_sees_no_meeting(app: TestApp) {
    let a = app.estate_with_parties("MA").await;
    let b = app.estate_with_parties("MB").await;
    let m = app
        .post(
            "/api/v1/meetings",
            As::Bearer(&a.party),
            json!({
                "kind": "ad_hoc", "convenor_org_id": a.k.comm_a, "estate_id": a.estate.id, "title": "一事一商",
                "starts_at": app.at(Duration::days(2)), "place": "会议室",
                "parties": [{ "kind": "company", "party_id": a.company }], "agenda": [{ "title": "垃圾分类" }]
            }),
        )
        .await
        .expect(201);
    let id = m.s("id");
    for who in [
        As::Bearer(&b.party),
        As::Bearer(&b.bureau),
        As::Key(&b.key),
        As::Bearer(&b.committee_token),
        As::Bearer(&b.owner_tokens[0]),
    ] {
        assert_eq!(app.get(&format!("/api/v1/meetings/{id}"), who).await.status, 404);
        assert_eq!(
            app.get(&format!("/api/v1/meetings/{id}/minutes"), who).await.status,
            404
        );
    }
    // The invited company sees it; another county's party cannot convene for this estate, nor invite across counties.
    app.get(&format!("/api/v1/meetings/{id}"), As::Key(&a.key))
        .await
        .expect(200);
    let r = app
        .post(
            "/api/v1/meetings",
            As::Bearer(&b.party),
            json!({
                "kind": "ad_hoc", "convenor_org_id": b.k.comm_a, "estate_id": a.estate.id, "title": "x",
                "starts_at": app.at(Duration::days(2)), "place": "y",
                "parties": [{ "kind": "person", "name": "z" }], "agenda": [{ "title": "t" }]
            }),
        )
        .await;
    assert!(r.status == 404 || r.status == 422, "{}", r.status);
    let r = app
        .post(
            "/api/v1/meetings",
            As::Bearer(&a.party),
            json!({
                "kind": "council", "convenor_org_id": a.k.comm_a, "estate_id": a.estate.id, "title": "议事会",
                "starts_at": app.at(Duration::days(2)), "place": "y",
                "parties": [{ "kind": "department", "party_id": b.department.0 }], "agenda": [{ "title": "t" }]
            }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    app.get(&format!("/api/v1/meetings/{id}"), As::Nobody).await.expect(401);
}
both!(another_county_sees_no_meeting);

/// Takes a meeting's minutes to publication: every party present, a draft, sent, confirmed by
/// each party (a company by its API key), published.
async fn publish_minutes_of(app: &TestApp, p: &Parties, meeting: &str) {
    publish_minutes_with(app, p, meeting, json!([])).await
}

/// `publish_minutes_of`, with these decisions in the minutes.
pub(crate) async fn publish_minutes_with(app: &TestApp, p: &Parties, meeting: &str, decisions: Value) {
    let m = app
        .get(&format!("/api/v1/meetings/{meeting}"), As::Bearer(&p.party))
        .await
        .expect(200)
        .body;
    let parties = parties_of(&m);
    let present: Vec<Value> = parties
        .iter()
        .map(|(_, id)| json!({ "party_id": id, "attendance": "present" }))
        .collect();
    app.call(
        Method::PUT,
        &format!("/api/v1/meetings/{meeting}/attendance"),
        As::Bearer(&p.party),
        Some(json!({ "parties": present })),
    )
    .await
    .expect(200);
    let minutes = app
        .post(
            &format!("/api/v1/meetings/{meeting}/minutes"),
            As::Bearer(&p.party),
            json!({ "discussion": [{ "agenda_seq": 1, "text": "议定" }], "decisions": decisions }),
        )
        .await
        .expect(201)
        .s("id");
    app.post(
        &format!("/api/v1/minutes/{minutes}/send"),
        As::Bearer(&p.party),
        json!({}),
    )
    .await
    .expect(200);
    for (kind, id) in parties.iter().filter(|(k, _)| k != "person") {
        let by = if kind == "company" {
            As::Key(&p.key)
        } else {
            As::Bearer(&p.party)
        };
        app.post(
            &format!("/api/v1/minutes/{minutes}/answers"),
            by,
            json!({ "party_id": id, "correction": false }),
        )
        .await
        .expect(200);
    }
    app.post(
        &format!("/api/v1/minutes/{minutes}/publish"),
        As::Bearer(&p.party),
        json!({}),
    )
    .await
    .expect(200);
}

/// The estate's monthly joint meeting with its company, starting `starts` from now; its id.
pub(crate) async fn company_meeting(app: &TestApp, p: &Parties, title: &str, starts: Duration) -> String {
    app.post(
        "/api/v1/meetings",
        As::Bearer(&p.party),
        json!({
            "kind": "joint_monthly", "convenor_org_id": p.k.comm_a, "estate_id": p.estate.id, "title": title,
            "starts_at": app.at(starts), "place": "社区",
            "parties": [{ "kind": "company", "party_id": p.company }], "agenda": [{ "title": "物业服务" }]
        }),
    )
    .await
    .expect(201)
    .s("id")
}

/// A meeting convened for later takes no attendance and no minutes until it has started.
async fn nothing_is_recorded_before_a_meeting_starts(app: TestApp) {
    let p = app.estate_with_parties("NS").await;
    let id = company_meeting(&app, &p, "今晚联席会议", Duration::hours(2)).await;
    let m = app
        .get(&format!("/api/v1/meetings/{id}"), As::Bearer(&p.party))
        .await
        .expect(200)
        .body;
    let company = party(&m, "company");
    let attendance = json!({ "parties": [{ "party_id": company, "attendance": "present" }] });
    let minutes = json!({ "discussion": [{ "agenda_seq": 1, "text": "x" }], "decisions": [] });
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            As::Bearer(&p.party),
            Some(attendance.clone()),
        )
        .await;
    assert_eq!(r.problem(422), "meeting_not_started");
    let r = app
        .post(
            &format!("/api/v1/meetings/{id}/minutes"),
            As::Bearer(&p.party),
            minutes.clone(),
        )
        .await;
    assert_eq!(r.problem(422), "meeting_not_started");
    // A second before its start: still refused; at its start: taken.
    app.advance(Duration::hours(2) - Duration::seconds(2));
    let r = app
        .post(
            &format!("/api/v1/meetings/{id}/minutes"),
            As::Bearer(&p.party),
            minutes.clone(),
        )
        .await;
    assert_eq!(r.problem(422), "meeting_not_started");
    app.advance(Duration::seconds(2));
    app.call(
        Method::PUT,
        &format!("/api/v1/meetings/{id}/attendance"),
        As::Bearer(&p.party),
        Some(attendance),
    )
    .await
    .expect(200);
    app.post(&format!("/api/v1/meetings/{id}/minutes"), As::Bearer(&p.party), minutes)
        .await
        .expect(201);
    // Convened, with minutes drafted, it still does not meet the month's deadline.
    let deadlines = app
        .get(
            &format!("/api/v1/deadlines?org_id={}", p.k.comm_a),
            As::Bearer(&p.party),
        )
        .await
        .expect(200);
    assert!(deadlines.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "joint_meeting")
        .all(|d| d["done_on"].is_null()));
}
both!(nothing_is_recorded_before_a_meeting_starts);

/// An estate's action items: the overdue ones first, then the rest, each by due day, on every
/// page; filtered by state.
async fn overdue_action_items_come_first(app: TestApp) {
    let p = app.estate_with_parties("AO").await;
    let meeting = company_meeting(&app, &p, "督办", Duration::minutes(-30)).await;
    let m = app
        .get(&format!("/api/v1/meetings/{meeting}"), As::Bearer(&p.party))
        .await
        .expect(200)
        .body;
    let company = party(&m, "company");
    let days = [20, 2, 10, 5];
    let decisions: Vec<Value> = days
        .iter()
        .map(|d| json!({ "text": format!("{d}日内完成"), "responsible_party_id": company, "due_on": app.day(*d) }))
        .collect();
    publish_minutes_with(&app, &p, &meeting, json!(decisions)).await;
    let made = app
        .get(
            &format!("/api/v1/meetings/{meeting}/action-items"),
            As::Bearer(&p.party),
        )
        .await
        .expect(200)
        .body;
    let due = |day: i64| {
        made["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["due_on"] == json!(app.day(day)))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (a2, a5, a10, a20) = (due(2), due(5), due(10), due(20));
    // The one due in two days is done and accepted in time; a week later the one due in five is overdue.
    app.post(
        &format!("/api/v1/action-items/{a2}/done"),
        As::Key(&p.key),
        json!({ "note": "已完成" }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/action-items/{a2}/review"),
        As::Bearer(&p.party),
        json!({ "accept": true }),
    )
    .await
    .expect(200);
    app.advance(Duration::days(7));
    let of_estate = format!("/api/v1/estates/{}/action-items", p.estate.id);
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |q: &str| {
        let url = format!("{of_estate}{q}");
        let app = &app;
        let token = p.committee_token.clone();
        async move { ids(&app.get(&url, As::Bearer(&token)).await.expect(200).body) }
    };
    assert_eq!(list("").await, [&a5, &a2, &a10, &a20].map(String::as_str));
    // Page by page, the same order, across the turn from the overdue part to the rest.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("?limit=1&cursor={c}"),
            None => "?limit=1".into(),
        };
        let page = app
            .get(&format!("{of_estate}{q}"), As::Bearer(&p.committee_token))
            .await
            .expect(200)
            .body;
        walked.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(walked.len() <= 4, "{walked:?}");
    }
    assert_eq!(walked, [&a5, &a2, &a10, &a20].map(String::as_str));
    assert_eq!(list("?status=done").await, [&a2].map(String::as_str));
    assert_eq!(list("?status=open").await, [&a5, &a10, &a20].map(String::as_str));
    assert_eq!(list("?overdue=false").await, [&a2, &a10, &a20].map(String::as_str));
    assert_eq!(list("?overdue=true&status=open").await, [&a5].map(String::as_str));
    assert!(list("?overdue=true&status=done").await.is_empty());
    let mine = app
        .get("/api/v1/action-items/mine?limit=2", As::Key(&p.key))
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&mine), [&a5, &a2].map(String::as_str));
    app.get(&format!("{of_estate}?status=late"), As::Bearer(&p.committee_token))
        .await
        .problem(400);
}
both!(overdue_action_items_come_first);

async fn meetings_owed_show_in_the_deadlines(app: TestApp) {
    let p = app.estate_with_parties("MD").await;
    let deadlines = format!("/api/v1/deadlines?org_id={}", p.k.comm_a);
    let owed = |v: &Value, kind: &str| -> Vec<Value> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == kind)
            .cloned()
            .collect()
    };
    // Two months on, the estate has existed for the whole of last month and this one: both are
    // owed, last month's overdue (and listed first), as is the community's party-building meeting.
    app.advance(Duration::days(62));
    let now = app.get(&deadlines, As::Bearer(&p.party)).await.expect(200);
    let joint = owed(&now.body, "joint_meeting");
    assert_eq!(joint.len(), 2, "{}", now.body);
    assert!(joint
        .iter()
        .all(|j| j["estate_id"] == p.estate.id.as_str() && j["committee_id"].is_null()));
    assert_eq!(joint.iter().filter(|j| j["overdue"] == true).count(), 1);
    assert_eq!(now.body["items"][0]["overdue"], true);
    assert!(owed(&now.body, "party_building_meeting")
        .iter()
        .all(|q| q["community_id"] == p.k.comm_a.as_str()));
    // A joint meeting held this month (begun an hour ago) settles this month.
    let held = company_meeting(&app, &p, "本月联席会议", Duration::hours(-1)).await;
    let later = app
        .get(&format!("{deadlines}&overdue=true"), As::Bearer(&p.party))
        .await
        .expect(200);
    let joint = owed(&later.body, "joint_meeting");
    assert_eq!(joint.len(), 1, "{}", later.body);
    assert_eq!(joint[0]["overdue"], true);
    // Convened is not held: this month is settled only when the meeting's minutes are published.
    let all = app.get(&deadlines, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(owed(&all.body, "joint_meeting").len(), 2, "{}", all.body);
    assert!(owed(&all.body, "joint_meeting").iter().all(|j| j["done_on"].is_null()));
    publish_minutes_of(&app, &p, &held).await;
    let all = app.get(&deadlines, As::Bearer(&p.party)).await.expect(200);
    let joint = owed(&all.body, "joint_meeting");
    assert_eq!(joint.len(), 2, "{}", all.body);
    // The month met stays listed, with the day of the meeting that met it (China Standard Time).
    let met: Vec<&Value> = joint.iter().filter(|j| !j["done_on"].is_null()).collect();
    assert_eq!(met.len(), 1, "{}", all.body);
    assert_eq!(met[0]["done_on"], app.local_day_of(Duration::hours(-1)).as_str());
    assert_eq!(met[0]["overdue"], false);
    // Another county's party organisation sees none of it.
    let b = app.estate_with_parties("MDB").await;
    let r = app.get(&deadlines, As::Bearer(&b.party)).await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
}
both!(meetings_owed_show_in_the_deadlines);

async fn figures_of_the_cycle(app: TestApp) {
    let p = app.estate_with_parties("FG").await;
    let owner = &p.owner_tokens[2];
    let mut items = Vec::new();
    for category in ["repairs", "parking"] {
        let id = app
            .post(
                &format!("/api/v1/estates/{}/ledger-items", p.estate.id),
                As::Bearer(owner),
                json!({ "category": category, "title": "问题", "description": "说明" }),
            )
            .await
            .expect(201)
            .s("id");
        items.push(id);
    }
    app.post(
        &format!("/api/v1/ledger-items/{}/dispatch", items[0]),
        As::Bearer(&p.party),
        json!({ "assignee_kind": "company", "assignee_id": p.company }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/ledger-items/{}/dispatch", items[1]),
        As::Bearer(&p.party),
        json!({ "assignee_kind": "party_member", "assignee_id": p.estate.owners[0] }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/ledger-items/{}/accept", items[0]),
        As::Key(&p.key),
        json!({}),
    )
    .await
    .expect(200);
    let ev = upload(&app, As::Key(&p.key), &png("figures"), "e.png")
        .await
        .expect(201)
        .s("id");
    app.post(
        &format!("/api/v1/ledger-items/{}/done", items[0]),
        As::Key(&p.key),
        json!({ "note": "好了", "attachment_ids": [ev] }),
    )
    .await
    .expect(200);
    let m = app
        .post("/api/v1/meetings", As::Bearer(&p.party), json!({
            "kind": "joint_monthly", "convenor_org_id": p.k.comm_a, "estate_id": p.estate.id, "title": "联席会议",
            "starts_at": app.at(Duration::minutes(-30)), "place": "社区",
            "parties": [{ "kind": "party_org", "party_id": p.k.comm_a }, { "kind": "company", "party_id": p.company }],
            "agenda": [{ "title": "物业服务" }]
        }))
        .await
        .expect(201);
    let (org_party, company_party) = (party(&m.body, "party_org"), party(&m.body, "company"));
    app.call(
        Method::PUT,
        &format!("/api/v1/meetings/{}/attendance", m.s("id")),
        As::Bearer(&p.party),
        Some(json!({ "parties": [
            { "party_id": org_party, "attendance": "present" },
            { "party_id": company_party, "attendance": "absent" }
        ]})),
    )
    .await
    .expect(200);

    let period = format!("from={}&until={}", app.day(-1), app.day(0));
    let f = app
        .get(
            &format!("/api/v1/orgs/{}/figures?{period}", p.k.comm_a),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200)
        .body;
    let l = &f["ledger"];
    assert_eq!(
        (l["received"].as_i64(), l["dispatched"].as_i64(), l["resolved"].as_i64()),
        (Some(2), Some(2), Some(1)),
        "{f}"
    );
    assert_eq!(l["resolved_by_party_members"], 0);
    assert!(l["median_accept_hours"].is_i64());
    let repairs = l["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "repairs")
        .unwrap()
        .clone();
    assert_eq!(
        (repairs["received"].as_i64(), repairs["resolved"].as_i64()),
        (Some(1), Some(1))
    );
    let held = f["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "joint_monthly")
        .unwrap()["held"]
        .clone();
    assert_eq!(held, 1);
    let att = |kind: &str| {
        let a = f["attendance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["party_kind"] == kind)
            .unwrap()
            .clone();
        (a["invited"].as_i64().unwrap(), a["attended"].as_i64().unwrap())
    };
    assert_eq!((att("party_org"), att("company")), ((1, 1), (1, 0)));
    // One company: its items and its meetings.
    let c = app
        .get(
            &format!("/api/v1/orgs/{}/figures?{period}&company_id={}", p.k.county, p.company),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        (c["ledger"]["received"].as_i64(), c["ledger"]["resolved"].as_i64()),
        (Some(1), Some(1)),
        "{c}"
    );
    // Refusals: a reversed or too long period, an estate elsewhere, a caller without the right.
    let org = format!("/api/v1/orgs/{}/figures", p.k.comm_a);
    app.get(
        &format!("{org}?from={}&until={}", app.day(0), app.day(-1)),
        As::Bearer(&p.bureau),
    )
    .await
    .problem(422);
    app.get(
        &format!("{org}?from={}&until={}", app.day(-500), app.day(0)),
        As::Bearer(&p.bureau),
    )
    .await
    .problem(422);
    app.get(&format!("{org}?{period}&estate_id=nope"), As::Bearer(&p.bureau))
        .await
        .problem(422);
    let r = app.get(&format!("{org}?{period}"), As::Bearer(owner)).await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    app.get(&format!("{org}?{period}"), As::Key(&p.key)).await.expect(401);
}
both!(figures_of_the_cycle);

async fn a_county_sets_the_joint_meeting_quorum(app: TestApp) {
    let p = app.estate_with_parties("MQ").await;
    let settings = format!("/api/v1/orgs/{}/ledger-settings", p.k.county);
    let defaults = app.get(&settings, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(
        defaults.body["joint_meeting_quorum"],
        json!(["party_org", "committee", "company"])
    );
    let m = app
        .post(
            "/api/v1/meetings",
            As::Bearer(&p.party),
            json!({
                "kind": "joint_monthly", "convenor_org_id": p.k.comm_a, "estate_id": p.estate.id,
                "title": "联席会议", "starts_at": app.at(Duration::minutes(-30)), "place": "会议室",
                "parties": [
                    { "kind": "party_org", "party_id": p.k.comm_a },
                    { "kind": "committee", "party_id": p.committee },
                    { "kind": "company", "party_id": p.company }
                ],
                "agenda": [{ "title": "电梯" }]
            }),
        )
        .await
        .expect(201)
        .body;
    let id = m["id"].as_str().unwrap().to_string();
    let att = app
        .call(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            As::Bearer(&p.party),
            Some(json!({ "parties": [
                { "party_id": party(&m, "party_org"), "attendance": "present" },
                { "party_id": party(&m, "committee"), "attendance": "present" },
                { "party_id": party(&m, "company"), "attendance": "absent" }
            ]})),
        )
        .await
        .expect(200);
    // Without the company, the default quorum is not met…
    assert_eq!(att.body["quorum"], false);
    // …a person cannot be required…
    let person = json!({ "confirm_days": 7, "service_levels": [], "joint_meeting_quorum": ["party_org", "person"] });
    let r = app
        .call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(person))
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    // …and a county that asks only for the party organisation and the committee has it met.
    let ours = json!({ "confirm_days": 7, "service_levels": [], "joint_meeting_quorum": ["party_org", "committee"] });
    app.call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(ours))
        .await
        .expect(200);
    let m = app
        .get(&format!("/api/v1/meetings/{id}"), As::Bearer(&p.party))
        .await
        .expect(200);
    assert_eq!(m.body["quorum"], true);
    let list = app
        .get(
            &format!("/api/v1/estates/{}/meetings", p.estate.id),
            As::Bearer(&p.party),
        )
        .await
        .expect(200);
    assert_eq!(list.body["items"][0]["quorum"], true);
    // Settings stored before the quorum was configurable read as the default.
    let old = json!({ "confirm_days": 5, "service_levels": [] });
    app.call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(old))
        .await
        .expect(200);
    let m = app
        .get(&format!("/api/v1/meetings/{id}"), As::Bearer(&p.party))
        .await
        .expect(200);
    assert_eq!(m.body["quorum"], false);
}
both!(a_county_sets_the_joint_meeting_quorum);

/// A "done" step's body with evidence uploaded by `by`.
async fn done(app: &TestApp, by: As<'_>, name: &str) -> Value {
    let file = upload(app, by, &png(name), "e.png").await.expect(201).s("id");
    json!({ "note": "好了", "attachment_ids": [file] })
}

/// A county's figures come from its running tallies; an estate's are added up from its items.
/// Through a life of dispatches, a decline, a reopening and days passing, the county of one
/// estate with items shows exactly what that estate shows, for every period.
async fn a_countys_tallies_agree_with_its_items(app: TestApp) {
    let p = app.estate_with_parties("MT").await;
    let owner = &p.owner_tokens[2];
    let mut items = Vec::new();
    for (category, title) in [("repairs", "漏水"), ("elevator", "电梯"), ("parking", "停车")] {
        let id = app
            .post(
                &format!("/api/v1/estates/{}/ledger-items", p.estate.id),
                As::Bearer(owner),
                json!({ "category": category, "title": title, "description": "请处理" }),
            )
            .await
            .expect(201)
            .s("id");
        items.push(id);
    }
    let go = |id: &str, what: &str| format!("/api/v1/ledger-items/{id}/{what}");
    let dispatch = |kind: &str, to: &str| json!({ "assignee_kind": kind, "assignee_id": to });
    // Day 0: all three go out; the company takes the first and the party member the second.
    app.post(
        &go(&items[0], "dispatch"),
        As::Bearer(&p.party),
        dispatch("company", &p.company),
    )
    .await
    .expect(200);
    app.post(
        &go(&items[1], "dispatch"),
        As::Bearer(&p.party),
        dispatch("party_member", &p.estate.owners[0]),
    )
    .await
    .expect(200);
    app.post(
        &go(&items[2], "dispatch"),
        As::Bearer(&p.party),
        dispatch("company", &p.company),
    )
    .await
    .expect(200);
    app.advance(Duration::hours(5));
    app.post(&go(&items[0], "accept"), As::Key(&p.key), json!({}))
        .await
        .expect(200);
    app.post(&go(&items[1], "accept"), As::Bearer(&p.owner_tokens[0]), json!({}))
        .await
        .expect(200);
    // Day 1: the first is done, then reopened by its reporter; the company declines the third,
    // which goes to another party member.
    app.advance(Duration::days(1));
    let body = done(&app, As::Key(&p.key), "first").await;
    app.post(&go(&items[0], "done"), As::Key(&p.key), body)
        .await
        .expect(200);
    app.post(
        &go(&items[0], "reopen"),
        As::Bearer(owner),
        json!({ "reason": "又漏了" }),
    )
    .await
    .expect(200);
    app.post(
        &go(&items[2], "decline"),
        As::Key(&p.key),
        json!({ "reason": "不归我们" }),
    )
    .await
    .expect(200);
    app.post(
        &go(&items[2], "dispatch"),
        As::Bearer(&p.party),
        dispatch("party_member", &p.estate.owners[1]),
    )
    .await
    .expect(200);
    // Day 3: both first items are done; the reporter confirms one.
    app.advance(Duration::days(2));
    let body = done(&app, As::Key(&p.key), "again").await;
    app.post(&go(&items[0], "done"), As::Key(&p.key), body)
        .await
        .expect(200);
    let body = done(&app, As::Bearer(&p.owner_tokens[0]), "member").await;
    app.post(&go(&items[1], "done"), As::Bearer(&p.owner_tokens[0]), body)
        .await
        .expect(200);
    app.post(&go(&items[0], "confirm"), As::Bearer(owner), json!({ "rating": 4 }))
        .await
        .expect(200);

    let figures = |from: i64, until: i64, estate: bool| {
        let org = p.k.county.clone();
        let estate = if estate {
            format!("&estate_id={}", p.estate.id)
        } else {
            String::new()
        };
        let url = format!(
            "/api/v1/orgs/{org}/figures?from={}&until={}{estate}",
            app.day(from),
            app.day(until)
        );
        let app = &app;
        let bureau = p.bureau.clone();
        async move { app.get(&url, As::Bearer(&bureau)).await.expect(200).body["ledger"].clone() }
    };
    // From four days back: the reports were made 3 days and 5 hours ago, which is 4 calendar
    // days (CST) back when the test runs between 19:00 and 24:00 CST.
    let all = figures(-4, 0, false).await;
    assert_eq!(
        (
            all["received"].as_i64(),
            all["dispatched"].as_i64(),
            all["resolved"].as_i64()
        ),
        (Some(3), Some(3), Some(2)),
        "{all}"
    );
    assert_eq!(all["resolved_by_party_members"], 1);
    assert_eq!(all["median_accept_hours"], 5);
    assert_eq!(all, figures(-4, 0, true).await);
    for (from, until) in [(-3, -3), (-3, -2), (-2, 0), (-1, 0), (0, 0), (1, 5)] {
        assert_eq!(
            figures(from, until, false).await,
            figures(from, until, true).await,
            "days {from}..{until}"
        );
    }
    // Filled again from the items (as when the tallies' migration applies), they say the same.
    app.state
        .db
        .write_blocking(redprop::db::ledger::rebuild_tallies)
        .unwrap();
    assert_eq!(all, figures(-4, 0, false).await);
}
both!(a_countys_tallies_agree_with_its_items);

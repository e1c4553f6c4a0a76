//! Optimistic concurrency (issue 17): reads of records several people edit carry an ETag; a
//! change made against an older version is refused (412) and changes nothing; a whole-document
//! replace (minutes' draft, a campaign's configuration) needs If-Match (428).

use chrono::Duration;
use poem::http::Method;
use serde_json::json;

use crate::both;
use crate::support::{As, Res, TestApp};

fn tag(r: &Res) -> String {
    r.headers["etag"].to_str().unwrap().to_string()
}

async fn put_if(app: &TestApp, path: &str, who: &str, if_match: Option<&str>, body: serde_json::Value) -> Res {
    let auth = format!("Bearer {who}");
    let mut headers = vec![("authorization", auth.as_str())];
    if let Some(t) = if_match {
        headers.push(("if-match", t));
    }
    app.call_with(Method::PUT, path, &headers, Some(body)).await
}

async fn the_minutes_draft_is_never_overwritten_unseen(app: TestApp) {
    let p = app.estate_with_parties("ETM").await;
    let m = app
        .post(
            "/api/v1/meetings",
            As::Bearer(&p.party),
            json!({
                "kind": "ad_hoc", "convenor_org_id": p.k.comm_a, "estate_id": p.estate.id, "title": "停车",
                "starts_at": app.at(Duration::minutes(-30)), "place": "社区",
                "parties": [{ "kind": "company", "party_id": p.company }], "agenda": [{ "title": "停车秩序" }]
            }),
        )
        .await
        .expect(201);
    let meeting = m.s("id");
    // What was just made carries the version its read carries: a meeting, minutes.
    let read = app
        .get(&format!("/api/v1/meetings/{meeting}"), As::Bearer(&p.party))
        .await;
    assert_eq!(tag(&m), tag(&read.expect(200)));
    let text = |t: &str| json!({ "discussion": [{ "agenda_seq": 1, "text": t }], "decisions": [] });
    let made = app
        .post(
            &format!("/api/v1/meetings/{meeting}/minutes"),
            As::Bearer(&p.party),
            text("初稿"),
        )
        .await
        .expect(201);
    let id = made.s("id");
    let path = format!("/api/v1/minutes/{id}");
    let read = app.get(&path, As::Bearer(&p.party)).await.expect(200);
    let first = tag(&read);
    assert_eq!(tag(&made), first);
    assert!(first.starts_with('"') && first.ends_with('"'), "{first}");
    // Reading again gives the same version; another reader sees the same tag.
    assert_eq!(tag(&app.get(&path, As::Bearer(&p.party)).await), first);
    assert_eq!(tag(&app.get(&path, As::Bearer(&p.admin)).await), first);

    // Without If-Match: 428, nothing changed.
    let r = put_if(&app, &path, &p.party, None, text("无版本")).await;
    assert_eq!(r.problem(428), "precondition_required");
    // Against the version read: saved, with the new version's tag.
    let saved = put_if(&app, &path, &p.party, Some(&first), text("甲的修改"))
        .await
        .expect(200);
    let second = tag(&saved);
    assert_ne!(second, first);
    // A second editor who read the first version: 412, and the first editor's text stays.
    let r = put_if(&app, &path, &p.party, Some(&first), text("乙的修改")).await;
    assert_eq!(r.problem(412), "precondition_failed");
    let now = app.get(&path, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(now.body["content"]["discussion"][0]["text"], "甲的修改");
    assert_eq!(tag(&now), second);
    // A weak tag never matches; `*` and a list naming the current one do.
    let r = put_if(&app, &path, &p.party, Some(&format!("W/{second}")), text("弱")).await;
    assert_eq!(r.problem(412), "precondition_failed");
    put_if(&app, &path, &p.party, Some(&format!("\"old\", {second}")), text("列表"))
        .await
        .expect(200);
    put_if(&app, &path, &p.party, Some("*"), text("任意")).await.expect(200);

    // Attendance: optional If-Match, but a stale one is refused.
    let mpath = format!("/api/v1/meetings/{meeting}");
    let before = tag(&app.get(&mpath, As::Bearer(&p.party)).await.expect(200));
    let party = app.get(&mpath, As::Bearer(&p.party)).await.body["parties"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let att = json!({ "parties": [{ "party_id": party, "attendance": "present" }] });
    let done = put_if(
        &app,
        &format!("{mpath}/attendance"),
        &p.party,
        Some(&before),
        att.clone(),
    )
    .await
    .expect(200);
    assert_ne!(tag(&done), before);
    assert_eq!(tag(&app.get(&mpath, As::Bearer(&p.party)).await), tag(&done));
    let r = put_if(
        &app,
        &format!("{mpath}/attendance"),
        &p.party,
        Some(&before),
        att.clone(),
    )
    .await;
    assert_eq!(r.problem(412), "precondition_failed");
    put_if(&app, &format!("{mpath}/attendance"), &p.party, None, att)
        .await
        .expect(200);
}
both!(the_minutes_draft_is_never_overwritten_unseen);

async fn a_campaign_configuration_and_a_unit_are_changed_against_their_version(app: TestApp) {
    let p = app.estate_with_parties("ETC").await;
    let c = app
        .post(
            &format!("/api/v1/orgs/{}/rating-campaigns", p.k.county),
            As::Bearer(&p.bureau),
            json!({ "name": "2025年度星级评定", "period_from": "2025-01-01", "period_until": "2025-12-31" }),
        )
        .await
        .expect(201);
    let base = format!("/api/v1/rating-campaigns/{}", c.s("id"));
    let read = app.get(&base, As::Bearer(&p.bureau)).await.expect(200);
    let (v1, mut config) = (tag(&read), read.body["config"].clone());
    assert_eq!(tag(&c), v1, "a campaign's creation carries its version");
    put_if(&app, &format!("{base}/config"), &p.bureau, None, config.clone())
        .await
        .problem(428);
    config["notice_days"] = json!(10);
    let saved = put_if(&app, &format!("{base}/config"), &p.bureau, Some(&v1), config.clone())
        .await
        .expect(200);
    assert_eq!(tag(&saved), tag(&app.get(&base, As::Bearer(&p.bureau)).await));
    config["notice_days"] = json!(5);
    let r = put_if(&app, &format!("{base}/config"), &p.admin, Some(&v1), config).await;
    assert_eq!(r.problem(412), "precondition_failed");
    assert_eq!(
        app.get(&base, As::Bearer(&p.bureau)).await.body["config"]["notice_days"],
        10
    );

    // A unit: GET gives its tag; a PATCH against an older one is refused.
    let units = app
        .get(
            &format!("/api/v1/estates/{}/units?limit=1", p.estate.id),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200);
    let unit = units.body["items"][0]["id"].as_str().unwrap().to_string();
    let upath = format!("/api/v1/units/{unit}");
    let u1 = tag(&app.get(&upath, As::Bearer(&p.bureau)).await.expect(200));
    app.get(&upath, As::Bearer(&p.owner_tokens[0])).await.problem(403);
    let patch = |area: i64, t: Option<String>| {
        let auth = format!("Bearer {}", p.bureau);
        let app = &app;
        let upath = upath.clone();
        async move {
            let mut h = vec![("authorization".to_string(), auth)];
            if let Some(t) = t {
                h.push(("if-match".to_string(), t));
            }
            let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.call_with(
                Method::PATCH,
                &upath,
                &h,
                Some(json!({ "area_registry_centi_m2": area })),
            )
            .await
        }
    };
    let r = patch(9_001, Some(u1.clone())).await.expect(200);
    let u2 = tag(&r);
    assert_ne!(u2, u1);
    assert_eq!(patch(9_002, Some(u1)).await.problem(412), "precondition_failed");
    assert_eq!(
        app.get(&upath, As::Bearer(&p.bureau)).await.body["area_registry_centi_m2"],
        9_001
    );
    patch(9_003, None).await.expect(200);

    // A committee's read carries its version too.
    let com = app
        .get(&format!("/api/v1/committees/{}", p.committee), As::Bearer(&p.bureau))
        .await
        .expect(200);
    assert!(com.headers.contains_key("etag"));
}
both!(a_campaign_configuration_and_a_unit_are_changed_against_their_version);

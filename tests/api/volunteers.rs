//! Party members and volunteers at home (issue 31, RULES.md §11): report-ins and placement with
//! household links seen only by the community and the member; hours only after a confirmation
//! by someone else; activities with a cap, a waiting list that moves up, check-in on the day;
//! selections with a shortlist's objections at the window's last minute; who sees what.

use chrono::Duration;
use poem::http::Method;
use serde_json::json;

use crate::both;
use crate::fixtures::{png, upload};
use crate::support::{As, TestApp};

async fn members_report_in_and_are_placed(app: TestApp) {
    let p = app.estate_with_parties("sva").await;
    let other = app.estate_with_parties("svb").await;
    let reports = format!("/api/v1/communities/{}/member-reports", p.k.comm_a);
    let body = json!({ "own_org_name": "县财政局机关党支部", "skills": ["水电维修"], "availability": "周末上午" });
    let mine = app
        .post(&reports, As::Bearer(&p.owner_tokens[0]), body.clone())
        .await
        .expect(201);
    assert_eq!(mine.body["status"], "reported");
    let id = mine.s("id");
    assert_eq!(
        app.post(&reports, As::Bearer(&p.owner_tokens[0]), body.clone())
            .await
            .problem(409),
        "already_reported"
    );
    // Another county's owner sees no such community; a committee does not report in.
    assert_eq!(
        app.post(&reports, As::Bearer(&other.owner_tokens[0]), body.clone())
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(&reports, As::Bearer(&p.committee_token), body.clone())
            .await
            .status,
        403
    );
    // A skill of more than 30 characters is refused, nothing written.
    let long = json!({ "own_org_name": "x", "skills": ["长".repeat(31)], "availability": "" });
    app.post(&reports, As::Bearer(&p.owner_tokens[1]), long)
        .await
        .problem(422);

    // The community places the member in an estate party branch, as unit head.
    let grid = app
        .org(&p.admin, "grid_party_branch", "一网格党支部", Some(&p.k.comm_a))
        .await;
    let place = format!("/api/v1/member-reports/{id}/place");
    let r = app
        .post(
            &place,
            As::Bearer(&p.owner_tokens[0]),
            json!({ "placement_org_id": grid }),
        )
        .await;
    assert_eq!(r.status, 403);
    let placed = app
        .post(
            &place,
            As::Bearer(&p.party),
            json!({ "placement_org_id": grid, "estate_id": p.estate.id, "post": "unit_leader" }),
        )
        .await
        .expect(200);
    assert_eq!(placed.body["status"], "placed");
    assert_eq!(placed.body["placement_org_name"], "一网格党支部");

    // Households: units of the community, at most 2 unless the county sets more.
    let units = app
        .get(
            &format!("/api/v1/estates/{}/units?limit=10", p.estate.id),
            As::Bearer(&p.admin),
        )
        .await
        .expect(200);
    let unit = |i: usize| units.body["items"][i]["id"].as_str().unwrap().to_string();
    let links = format!("/api/v1/member-reports/{id}/households");
    let r = app
        .call(
            Method::PUT,
            &links,
            As::Bearer(&p.party),
            Some(json!({ "unit_ids": [unit(0), unit(1), unit(2)] })),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    app.call(
        Method::PUT,
        &links,
        As::Bearer(&p.party),
        Some(json!({ "unit_ids": [unit(0), unit(1)] })),
    )
    .await
    .expect(200);

    // The member and the community see the households; the bureau the count; others nothing.
    let path = format!("/api/v1/member-reports/{id}");
    let seen = app.get(&path, As::Bearer(&p.owner_tokens[0])).await.expect(200);
    assert_eq!(seen.body["households"].as_array().unwrap().len(), 2);
    let seen = app.get(&path, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(seen.body["households"].as_array().unwrap().len(), 2);
    let bureau = app.get(&path, As::Bearer(&p.bureau)).await.expect(200);
    assert!(bureau.body.get("households").is_none());
    assert_eq!(bureau.body["household_count"], 2);
    for who in [
        As::Bearer(&p.owner_tokens[1]),
        As::Bearer(&p.committee_token),
        As::Bearer(&other.bureau),
        As::Bearer(&other.party),
    ] {
        assert_eq!(app.get(&path, who).await.status, 404);
    }
    // An integration's key is not a person's session.
    assert_eq!(app.get(&path, As::Key(&p.key)).await.status, 401);
    // The chain names the member and the post, never a household.
    let chain = app
        .get(
            &format!("/api/v1/communities/{}/placement-chain", p.k.comm_a),
            As::Bearer(&p.owner_tokens[1]),
        )
        .await
        .expect(200);
    let text = chain.body.to_string();
    assert!(text.contains("unit_leader") && !text.contains(&unit(0)), "{text}");
    assert_eq!(
        app.get(
            &format!("/api/v1/communities/{}/placement-chain", p.k.comm_a),
            As::Bearer(&other.owner_tokens[0])
        )
        .await
        .status,
        404
    );
    // Lists are the officials'.
    assert_eq!(app.get(&reports, As::Bearer(&p.owner_tokens[1])).await.status, 403);
    let listed = app.get(&reports, As::Bearer(&p.bureau)).await.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    // An organisation reports in with its members; it reads their year, nobody else's.
    let (dept, dept_token) = &p.department;
    let org = app
        .post(
            &format!("/api/v1/communities/{}/org-reports", p.k.comm_a),
            As::Bearer(dept_token),
            json!({ "org_id": dept, "members": [{ "name": "张三", "skills": [], "availability": "周六" }] }),
        )
        .await
        .expect(201);
    assert_eq!(org.body["members"][0]["status"], "reported");
    let year = app
        .get(&format!("/api/v1/orgs/{dept}/members-service"), As::Bearer(dept_token))
        .await
        .expect(200);
    assert_eq!(year.body["members"]["items"][0]["name"], "张三");
    let r = app
        .post(
            &format!("/api/v1/communities/{}/org-reports", p.k.comm_a),
            As::Bearer(&other.department.1),
            json!({ "org_id": dept, "members": [{ "name": "李四", "skills": [], "availability": "" }] }),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        app.get(
            &format!("/api/v1/orgs/{dept}/members-service"),
            As::Bearer(&other.department.1)
        )
        .await
        .status,
        404
    );
}
both!(members_report_in_and_are_placed);

async fn hours_only_after_the_resident_confirms(app: TestApp) {
    let p = app.estate_with_parties("svh").await;
    let items = format!("/api/v1/estates/{}/ledger-items", p.estate.id);
    let step = |id: &str, s: &str| format!("/api/v1/ledger-items/{id}/{s}");
    // Owner 2 asks; party member owner 0 takes it and reports 90 minutes.
    let order = |who: usize| {
        let app = &app;
        let p = &p;
        let items = items.clone();
        async move {
            let id = app
                .post(
                    &items,
                    As::Bearer(&p.owner_tokens[who]),
                    json!({ "category": "repairs", "title": "换灯泡", "description": "楼道灯坏了" }),
                )
                .await
                .expect(201)
                .s("id");
            app.post(
                &step(&id, "dispatch"),
                As::Bearer(&p.party),
                json!({ "assignee_kind": "party_member", "assignee_id": p.estate.owners[0] }),
            )
            .await
            .expect(200);
            app.post(&step(&id, "accept"), As::Bearer(&p.owner_tokens[0]), json!({}))
                .await
                .expect(200);
            let photo = upload(app, As::Bearer(&p.owner_tokens[0]), &png(&id), "换好了.png")
                .await
                .expect(201)
                .s("id");
            app.post(
                &step(&id, "done"),
                As::Bearer(&p.owner_tokens[0]),
                json!({ "note": "已更换", "attachment_ids": [photo], "service_minutes": 90 }),
            )
            .await
            .expect(200);
            id
        }
    };
    let id = order(2).await;
    let minutes = |b: &serde_json::Value| b["year"]["minutes"].as_i64().unwrap();
    let me = app
        .get("/api/v1/me/service", As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    assert_eq!(minutes(&me.body), 0, "no hours before the confirmation");
    app.post(
        &step(&id, "confirm"),
        As::Bearer(&p.owner_tokens[2]),
        json!({ "rating": 5 }),
    )
    .await
    .expect(200);
    let me = app
        .get("/api/v1/me/service", As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    assert_eq!(minutes(&me.body), 90);
    assert_eq!(me.body["year"]["points"], 1);
    assert_eq!(me.body["year"]["hours"], "1.5");
    // The member asking for their own service and confirming it records nothing.
    let own = order(0).await;
    app.post(
        &step(&own, "confirm"),
        As::Bearer(&p.owner_tokens[0]),
        json!({ "rating": 5 }),
    )
    .await
    .expect(200);
    let me = app
        .get("/api/v1/me/service", As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    assert_eq!(minutes(&me.body), 90);
    // An order left to confirm itself by default records nothing either.
    let lapsed = order(1).await;
    app.advance(Duration::days(9));
    let item = app
        .get(&format!("/api/v1/ledger-items/{lapsed}"), As::Bearer(&p.party))
        .await
        .expect(200);
    assert_eq!(item.body["item"]["confirmed_by_default"], true);
    let me = app
        .get("/api/v1/me/service", As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    assert_eq!(minutes(&me.body), 90);
    // A company's work is not volunteer service.
    let id = app
        .post(
            &items,
            As::Bearer(&p.owner_tokens[2]),
            json!({ "category": "repairs", "title": "电梯", "description": "异响" }),
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
    app.post(&step(&id, "accept"), As::Key(&p.key), json!({}))
        .await
        .expect(200);
    let photo = upload(&app, As::Key(&p.key), &png("lift"), "电梯.png")
        .await
        .expect(201)
        .s("id");
    let r = app
        .post(
            &step(&id, "done"),
            As::Key(&p.key),
            json!({ "note": "已修", "attachment_ids": [photo], "service_minutes": 60 }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
}
both!(hours_only_after_the_resident_confirms);

async fn activities_fill_to_the_cap_and_check_in_on_the_day(app: TestApp) {
    let p = app.estate_with_parties("svc").await;
    let other = app.estate_with_parties("svd").await;
    let create = format!("/api/v1/communities/{}/activities", p.k.comm_a);
    let body = |start: Duration| json!({ "title": "义诊进小区", "description": "量血压", "place": "党群服务站", "starts_at": app.at(start), "ends_at": app.at(start + Duration::hours(2)), "cap": 2 });
    // Announced ahead only.
    assert_eq!(
        app.post(&create, As::Bearer(&p.party), body(Duration::seconds(-60)))
            .await
            .problem(422),
        "validation_failed"
    );
    assert_eq!(
        app.post(&create, As::Bearer(&p.owner_tokens[0]), body(Duration::days(2)))
            .await
            .status,
        403
    );
    let a = app
        .post(&create, As::Bearer(&p.party), body(Duration::days(2)))
        .await
        .expect(201);
    let id = a.s("id");
    let signups = format!("/api/v1/activities/{id}/signups");
    let s0 = app
        .post(&signups, As::Bearer(&p.owner_tokens[0]), json!({}))
        .await
        .expect(201);
    let s1 = app
        .post(&signups, As::Bearer(&p.owner_tokens[1]), json!({}))
        .await
        .expect(201);
    let s2 = app
        .post(&signups, As::Bearer(&p.owner_tokens[2]), json!({}))
        .await
        .expect(201);
    assert_eq!(s0.body["status"], "admitted");
    assert_eq!(s1.body["status"], "admitted");
    assert_eq!(s2.body["status"], "waiting");
    assert_eq!(s2.body["waiting_position"], 1);
    assert_eq!(
        app.post(&signups, As::Bearer(&p.owner_tokens[2]), json!({}))
            .await
            .problem(409),
        "already_signed_up"
    );
    assert_eq!(
        app.post(&signups, As::Bearer(&p.company_token), json!({})).await.status,
        403
    );
    assert_eq!(
        app.post(&signups, As::Bearer(&other.owner_tokens[0]), json!({}))
            .await
            .status,
        404
    );
    // The board shows it.
    let board = app
        .get(&format!("/api/v1/estates/{}/notice-board", p.estate.id), As::Nobody)
        .await
        .expect(200);
    assert_eq!(board.body["activities"][0]["admitted"], 2);

    // Owner 0 cancels: owner 2 moves up.
    app.post(
        &format!("/api/v1/activity-signups/{}/cancel", s0.s("id")),
        As::Bearer(&p.owner_tokens[0]),
        json!({}),
    )
    .await
    .expect(200);
    let moved = app
        .get(
            &format!("/api/v1/activity-signups/{}", s2.s("id")),
            As::Bearer(&p.owner_tokens[2]),
        )
        .await
        .expect(200);
    assert_eq!(moved.body["status"], "admitted");
    let seen = app
        .get(&format!("/api/v1/activities/{id}"), As::Bearer(&p.owner_tokens[2]))
        .await
        .expect(200);
    assert_eq!(
        (seen.body["admitted"].as_i64(), seen.body["waiting"].as_i64()),
        (Some(2), Some(0))
    );
    // Someone else's sign-up is not theirs to cancel.
    assert_eq!(
        app.post(
            &format!("/api/v1/activity-signups/{}/cancel", s1.s("id")),
            As::Bearer(&p.owner_tokens[2]),
            json!({})
        )
        .await
        .status,
        404
    );

    // Check-in on the day only.
    let check = format!("/api/v1/activity-signups/{}/check-in", s1.s("id"));
    assert_eq!(
        app.post(&check, As::Bearer(&p.party), json!({})).await.problem(422),
        "not_the_activity_day"
    );
    app.advance(Duration::days(2) + Duration::minutes(1));
    assert_eq!(
        app.post(&signups, As::Bearer(&p.owner_tokens[0]), json!({}))
            .await
            .problem(409),
        "activity_closed"
    );
    assert_eq!(
        app.post(&check, As::Bearer(&p.owner_tokens[1]), json!({})).await.status,
        403
    );
    let c = app.post(&check, As::Bearer(&p.party), json!({})).await.expect(200);
    assert_eq!(c.body["status"], "checked_in");

    // Who served: recorded by the community after the end, once.
    let team = app
        .post(
            &format!("/api/v1/orgs/{}/volunteer-teams", p.k.comm_a),
            As::Bearer(&p.party),
            json!({ "name": "红管家志愿队", "member_owner_ids": [p.estate.owners[1]] }),
        )
        .await
        .expect(201)
        .s("id");
    let service = format!("/api/v1/activities/{id}/service");
    let servers = json!({ "servers": [{ "team_id": team, "minutes": 120 }] });
    assert_eq!(
        app.post(&service, As::Bearer(&p.party), servers.clone())
            .await
            .problem(422),
        "activity_not_over"
    );
    app.advance(Duration::hours(2));
    let done = app
        .post(&service, As::Bearer(&p.party), servers.clone())
        .await
        .expect(200);
    assert_eq!(done.body["points"], 2);
    assert_eq!(
        app.post(&service, As::Bearer(&p.party), servers).await.problem(409),
        "service_recorded"
    );
    let year = app
        .get(
            &format!("/api/v1/volunteer-teams/{team}/service"),
            As::Bearer(&p.owner_tokens[1]),
        )
        .await
        .expect(200);
    assert_eq!(year.body["minutes"], 120);
    assert_eq!(
        app.get(
            &format!("/api/v1/volunteer-teams/{team}/service"),
            As::Bearer(&p.owner_tokens[0])
        )
        .await
        .status,
        404
    );

    // The figures count them; another county's bureau sees nothing.
    let figures = app
        .get(
            &format!("/api/v1/orgs/{}/service-figures", p.k.county),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200);
    assert_eq!(figures.body["activities"], 1);
    assert_eq!(figures.body["people_served"], 1);
    assert_eq!(figures.body["minutes"], 120);
    assert_eq!(
        app.get(
            &format!("/api/v1/orgs/{}/service-figures", p.k.county),
            As::Bearer(&other.bureau)
        )
        .await
        .status,
        404
    );
}
both!(activities_fill_to_the_cap_and_check_in_on_the_day);

async fn stations_meet_the_standard_item_by_item(app: TestApp) {
    let p = app.estate_with_parties("svs").await;
    let create = format!("/api/v1/communities/{}/stations", p.k.comm_a);
    let body = json!({ "code": "HG-001", "name": "幸福里党群服务站", "address": "幸福里3号楼底商", "opening_hours": "周一至周五 9:00-17:00" });
    let s = app.post(&create, As::Bearer(&p.party), body.clone()).await.expect(201);
    assert_eq!(s.body["items"].as_array().unwrap().len(), 8);
    assert_eq!(s.body["meets_standard"], false);
    assert_eq!(
        app.post(&create, As::Bearer(&p.party), body).await.problem(409),
        "already_exists"
    );
    let id = s.s("id");
    let photo = upload(&app, As::Bearer(&p.party), &png("sign"), "标识.png")
        .await
        .expect(201)
        .s("id");
    let items = ["code", "sign", "facilities", "rules", "team", "activities", "services"];
    for item in items {
        app.call(
            Method::PUT,
            &format!("/api/v1/stations/{id}/evidence/{item}"),
            As::Bearer(&p.party),
            Some(json!({ "note": "已落实", "attachment_ids": [photo] })),
        )
        .await
        .expect(200);
    }
    let figures = format!("/api/v1/orgs/{}/service-figures", p.k.comm_a);
    let f = app.get(&figures, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(
        (
            f.body["stations"].as_i64(),
            f.body["stations_meeting_standard"].as_i64()
        ),
        (Some(1), Some(0))
    );
    let last = app
        .call(
            Method::PUT,
            &format!("/api/v1/stations/{id}/evidence/support"),
            As::Bearer(&p.party),
            Some(json!({ "note": "", "attachment_ids": [] })),
        )
        .await;
    assert_eq!(last.problem(422), "validation_failed");
    let s = app
        .call(
            Method::PUT,
            &format!("/api/v1/stations/{id}/evidence/support"),
            As::Bearer(&p.party),
            Some(json!({ "note": "经费列入社区预算", "attachment_ids": [] })),
        )
        .await
        .expect(200);
    assert_eq!(s.body["meets_standard"], true);
    let f = app.get(&figures, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(f.body["stations_meeting_standard"], 1);
    // An owner sees the station and which items are met, not the evidence.
    let seen = app
        .get(&format!("/api/v1/stations/{id}"), As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    assert!(seen.body["items"][0].get("note").is_none());
    assert_eq!(app.get(&figures, As::Bearer(&p.owner_tokens[0])).await.status, 403);
    assert_eq!(
        app.call(
            Method::PUT,
            &format!("/api/v1/stations/{id}/evidence/code"),
            As::Bearer(&p.committee_token),
            Some(json!({ "note": "x", "attachment_ids": [] }))
        )
        .await
        .status,
        403
    );
}
both!(stations_meet_the_standard_item_by_item);

async fn selection_objections_run_through_the_last_day(app: TestApp) {
    let p = app.estate_with_parties("sve").await;
    let other = app.estate_with_parties("svf").await;
    let s = app
        .post(
            &format!("/api/v1/orgs/{}/selections", p.k.county),
            As::Bearer(&p.bureau),
            json!({ "kind": "best_service_worker", "title": "2026年度最美物业人", "description": "", "year": 2026 }),
        )
        .await
        .expect(201);
    let id = s.s("id");
    let nominate = format!("/api/v1/selections/{id}/nominations");
    let staff = app
        .post(
            &nominate,
            As::Key(&p.key),
            json!({ "nominee_name": "王师傅", "reason": "二十年如一日", "estate_id": p.estate.id }),
        )
        .await
        .expect(201);
    assert_eq!(staff.body["company_id"].as_str(), Some(p.company.as_str()));
    assert_eq!(staff.body["nominator_kind"], "company");
    assert_eq!(
        app.post(
            &nominate,
            As::Key(&p.key),
            json!({ "nominee_name": "别家", "reason": "x", "company_id": other.company })
        )
        .await
        .problem(422),
        "validation_failed"
    );
    let resident = app
        .post(
            &nominate,
            As::Bearer(&p.owner_tokens[0]),
            json!({ "nominee_name": "李阿姨", "reason": "楼道长" }),
        )
        .await
        .expect(201);
    let committee = app
        .post(
            &nominate,
            As::Bearer(&p.committee_token),
            json!({ "nominee_name": "赵保安", "reason": "见义勇为", "company_id": p.company }),
        )
        .await
        .expect(201);
    assert_eq!(committee.body["nominator_kind"], "committee");
    // The company's key sees its own staff's nominations only; an owner only theirs.
    let listed = app.get(&nominate, As::Key(&p.key)).await.expect(200);
    let names: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["nominee_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["王师傅", "赵保安"]);
    let listed = app.get(&nominate, As::Bearer(&p.owner_tokens[0])).await.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&format!("/api/v1/selections/{id}"), As::Key(&other.key))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(
            &nominate,
            As::Bearer(&other.owner_tokens[0]),
            json!({ "nominee_name": "x", "reason": "x" })
        )
        .await
        .status,
        404
    );

    // The shortlist is published; the decision waits for the window.
    let short = app
        .post(
            &format!("/api/v1/selections/{id}/shortlist"),
            As::Bearer(&p.bureau),
            json!({ "nomination_ids": [staff.s("id"), resident.s("id")] }),
        )
        .await
        .expect(200);
    assert_eq!(short.body["status"], "publicity");
    assert_eq!(
        app.post(
            &nominate,
            As::Key(&p.key),
            json!({ "nominee_name": "迟到", "reason": "x" })
        )
        .await
        .problem(409),
        "selection_not_nominating"
    );
    let decide = format!("/api/v1/selections/{id}/decide");
    let verdict = json!({ "winner_ids": [staff.s("id")], "decision": "经评审委员会研究决定" });
    assert_eq!(
        app.post(&decide, As::Bearer(&p.bureau), verdict.clone())
            .await
            .problem(422),
        "publicity_not_over"
    );
    let ends = chrono::DateTime::parse_from_rfc3339(&short.s("publicity_ends_at"))
        .unwrap()
        .with_timezone(&chrono::Utc);
    // The last minute of the 7th day: taken. A minute later: refused.
    // 23:59:30 of the last day (whole seconds of the clock: within the last minute).
    app.advance(ends - app.now() - Duration::seconds(30));
    let objections = format!("/api/v1/selections/{id}/objections");
    let objection = json!({ "nomination_id": resident.s("id"), "text": "该同志并非本小区楼道长", "signature": "孙某" });
    assert_eq!(
        app.post(&objections, As::Bearer(&p.company_token), objection.clone())
            .await
            .status,
        403
    );
    let o = app
        .post(&objections, As::Bearer(&p.owner_tokens[1]), objection.clone())
        .await
        .expect(201);
    app.advance(Duration::seconds(60));
    assert_eq!(
        app.post(&objections, As::Bearer(&p.owner_tokens[2]), objection)
            .await
            .problem(422),
        "objection_window_closed"
    );
    // Every objection answered first; an upheld one disqualifies.
    assert_eq!(
        app.post(&decide, As::Bearer(&p.bureau), verdict.clone())
            .await
            .problem(422),
        "objections_unanswered"
    );
    let answer = format!("/api/v1/selection-objections/{}/answer", o.s("id"));
    assert_eq!(
        app.post(
            &answer,
            As::Bearer(&p.party),
            json!({ "upheld": true, "answer": "经核实属实" })
        )
        .await
        .status,
        403
    );
    app.post(
        &answer,
        As::Bearer(&p.bureau),
        json!({ "upheld": true, "answer": "经核实属实" }),
    )
    .await
    .expect(200);
    let bad = json!({ "winner_ids": [resident.s("id")], "decision": "x" });
    assert_eq!(
        app.post(&decide, As::Bearer(&p.bureau), bad).await.problem(422),
        "not_on_shortlist"
    );
    let decided = app.post(&decide, As::Bearer(&p.bureau), verdict).await.expect(200);
    assert_eq!(decided.body["status"], "decided");
    // The board publishes the winner; the signature stays with the organiser.
    let board = app
        .get(&format!("/api/v1/estates/{}/notice-board", p.estate.id), As::Nobody)
        .await
        .expect(200);
    let text = board.body["selections"].to_string();
    assert!(text.contains("王师傅") && !text.contains("孙某"), "{text}");
    let public = app
        .get(&format!("/api/v1/selections/{id}"), As::Bearer(&p.owner_tokens[2]))
        .await
        .expect(200);
    assert!(public.body["objections"][0].get("signature").is_none());
    // A community runs its own; an area's list holds those organised in it or below.
    let local = app
        .post(
            &format!("/api/v1/orgs/{}/selections", p.k.comm_a),
            As::Bearer(&p.party),
            json!({ "kind": "other", "title": "优秀楼道长", "description": "", "year": 2026 }),
        )
        .await
        .expect(201)
        .s("id");
    let listed = app
        .get(
            &format!("/api/v1/orgs/{}/selections", p.k.comm_a),
            As::Bearer(&p.owner_tokens[0]),
        )
        .await
        .expect(200);
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [local.as_str()]);
    let listed = app
        .get(
            &format!("/api/v1/orgs/{}/selections", p.k.county),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
}
both!(selection_objections_run_through_the_last_day);

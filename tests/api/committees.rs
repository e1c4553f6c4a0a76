//! Committees and candidate vetting (RULES.md §3–4), at their boundaries.

use chrono::Duration;
use serde_json::{json, Value};

use crate::both;
use crate::fixtures::{committee, estate, final_list, nominate, record};
use crate::support::{As, County, Res, TestApp};

fn owner(id: &str) -> Value {
    json!({ "affiliation": "owner", "owner_id": id })
}

async fn elect(
    app: &TestApp,
    token: &str,
    committee: &str,
    election: &str,
    on: &str,
    members: &[&String],
    alternates: &[(&String, i64)],
) -> Res {
    let members: Vec<Value> = members.iter().map(|m| owner(m)).collect();
    let alternates: Vec<Value> = alternates
        .iter()
        .map(|(m, v)| json!({ "affiliation": "owner", "owner_id": m, "votes": v }))
        .collect();
    app.post(
        &format!("/api/v1/committees/{committee}/election-result"),
        As::Bearer(token),
        json!({ "election_id": election, "elected_on": on, "members": members, "alternates": alternates }),
    )
    .await
}

async fn owners_committee_composition_and_lifecycle(app: TestApp) {
    let admin = app.admin_token().await;
    let k: County = app.county(&admin).await;
    let e = estate(&app, &admin, &k.comm_a, "和园", 14, 1).await;
    let o = &e.owners;

    // Terms: 3–5 years.
    for (years, ok) in [(2, false), (3, true), (5, true), (6, false)] {
        let r = committee(
            &app,
            &admin,
            &e.id,
            json!({ "kind": "owners_committee", "term_years": years }),
        )
        .await;
        if ok {
            r.expect(201);
            // Only one at a time: end it again before the next try.
            let id = app
                .get(&format!("/api/v1/estates/{}/committees", e.id), As::Bearer(&admin))
                .await
                .body["items"][0]["id"]
                .as_str()
                .unwrap()
                .to_string();
            app.post(
                &format!("/api/v1/committees/{id}/dissolution"),
                As::Bearer(&admin),
                json!({ "date": app.day(0), "reason": "test" }),
            )
            .await
            .expect(200);
        } else {
            assert_eq!(r.problem(422), "validation_failed", "{years} years");
        }
    }

    // Preparatory group: odd, led by the street office, owners at least half.
    let street = json!({ "affiliation": "street_office", "name": "街道代表", "leader": true });
    let party = json!({ "affiliation": "community_party", "name": "社区党委代表" });
    let even = committee(&app, &admin, &e.id, json!({ "kind": "owners_committee", "term_years": 5, "preparatory_group": [street, party, owner(&o[0]), owner(&o[1])] })).await;
    assert_eq!(even.body["errors"][0]["field"], "preparatory_group");
    let too_few_owners = committee(&app, &admin, &e.id, json!({ "kind": "owners_committee", "term_years": 5, "preparatory_group": [street, party, json!({ "affiliation": "police", "name": "民警" }), owner(&o[0]), owner(&o[1])] })).await;
    assert_eq!(too_few_owners.problem(422), "validation_failed");
    let unled = committee(&app, &admin, &e.id, json!({ "kind": "owners_committee", "term_years": 5, "preparatory_group": [party, owner(&o[0]), owner(&o[1])] })).await;
    assert_eq!(unled.problem(422), "validation_failed");
    let c = committee(&app, &admin, &e.id, json!({ "kind": "owners_committee", "term_years": 5, "preparatory_group": [street, party, owner(&o[0]), owner(&o[1]), owner(&o[2])] })).await.expect(201);
    let cid = c.s("id");
    assert_eq!(c.body["status"], "preparing");
    // What was just made carries the version its read carries.
    let read = app
        .get(&format!("/api/v1/committees/{cid}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(c.headers["etag"], read.headers["etag"]);
    assert_eq!(c.body["members"].as_array().unwrap().len(), 5);
    let again = committee(
        &app,
        &admin,
        &e.id,
        json!({ "kind": "owners_committee", "term_years": 5 }),
    )
    .await;
    assert_eq!(again.problem(409), "committee_exists");
    // Members come from the final list of the committee's election (RULES.md §4).
    let eid = final_list(&app, &admin, &k.county, &cid, &o[..14]).await;

    // Size: 15 households is a small estate (<= 100): 3 allowed; even sizes never; 13 too many.
    let elected_on = app.day(-30);
    let members = |n: usize| o.iter().take(n).collect::<Vec<_>>();
    for n in [2usize, 4, 12, 13] {
        let r = elect(&app, &admin, &cid, &eid, &elected_on, &members(n), &[]).await;
        assert_eq!(r.body["errors"][0]["field"], "members", "{n} members");
    }
    // A non-owner of this estate cannot be a member.
    let other = estate(&app, &admin, &k.comm_a, "别处", 3, 2).await;
    let outsider = elect(
        &app,
        &admin,
        &cid,
        &eid,
        &elected_on,
        &[&o[0], &o[1], &other.owners[0]],
        &[],
    )
    .await;
    assert_eq!(outsider.body["errors"][0]["code"], "not_on_final_list");
    // Nor the minor, who was never on it.
    let minor = elect(
        &app,
        &admin,
        &cid,
        &eid,
        &elected_on,
        &[&o[0], &o[1], o.last().unwrap()],
        &[],
    )
    .await;
    assert_eq!(minor.body["errors"][0]["code"], "not_on_final_list");
    // With the small-estate rule lowered to 10 households, 3 is too few for 15 households.
    let mut rules = app
        .get(
            &format!("/api/v1/orgs/{}/committee-rules", k.county),
            As::Bearer(&admin),
        )
        .await
        .expect(200)
        .body;
    rules["small_estate_households"] = json!(10);
    app.call(
        poem::http::Method::PUT,
        &format!("/api/v1/orgs/{}/committee-rules", k.county),
        As::Bearer(&admin),
        Some(rules.clone()),
    )
    .await
    .expect(200);
    assert_eq!(
        elect(&app, &admin, &cid, &eid, &elected_on, &members(3), &[])
            .await
            .body["errors"][0]["field"],
        "members"
    );
    rules["oc_min"] = json!(4);
    assert_eq!(
        app.call(
            poem::http::Method::PUT,
            &format!("/api/v1/orgs/{}/committee-rules", k.county),
            As::Bearer(&admin),
            Some(rules)
        )
        .await
        .body["errors"][0]["field"],
        "oc_min"
    );

    // Five members and two alternates, elected 30 days ago: filing due today (not overdue),
    // first meeting due 23 days ago (overdue).
    let c = elect(
        &app,
        &admin,
        &cid,
        &eid,
        &elected_on,
        &members(5),
        &[(&o[5], 40), (&o[6], 55)],
    )
    .await
    .expect(200);
    assert_eq!(c.body["status"], "elected");
    let deadline = |c: &Value, kind: &str| {
        c["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["kind"] == kind)
            .unwrap()
            .clone()
    };
    assert_eq!(deadline(&c.body, "filing")["due_on"], json!(app.day(0)));
    assert_eq!(deadline(&c.body, "filing")["overdue"], false);
    assert_eq!(deadline(&c.body, "first_meeting")["overdue"], true);
    assert_eq!(c.body["party_building"]["party_members"], 3);
    assert_eq!(c.body["party_building"]["party_group"], true);
    assert_eq!(
        c.body["party_building"]["meets_target"], true,
        "3 of 5 is 60%, over the 50% target"
    );
    let alternates: Vec<(i64, String)> = c.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "alternate")
        .map(|m| {
            (
                m["alternate_rank"].as_i64().unwrap(),
                m["owner_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(alternates, [(1, o[6].clone()), (2, o[5].clone())], "ranked by votes");
    let overdue = app
        .get(
            &format!("/api/v1/deadlines?org_id={}&overdue=true", k.county),
            As::Bearer(&admin),
        )
        .await
        .expect(200);
    let kinds: Vec<&str> = overdue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["first_meeting"]);

    // Filing with both authorities, then the first meeting: active.
    let member_id = |c: &Value, owner: &str| {
        c["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["owner_id"] == owner && m["ended_on"].is_null())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let early = app
        .post(
            &format!("/api/v1/committees/{cid}/filings"),
            As::Bearer(&admin),
            json!({ "authority": "housing_bureau", "filed_on": app.day(-31) }),
        )
        .await;
    assert_eq!(early.body["errors"][0]["field"], "filed_on");
    let c = app
        .post(
            &format!("/api/v1/committees/{cid}/filings"),
            As::Bearer(&admin),
            json!({ "authority": "housing_bureau", "filed_on": app.day(-5) }),
        )
        .await
        .expect(200);
    assert_eq!(c.body["status"], "elected");
    let c = app
        .post(
            &format!("/api/v1/committees/{cid}/filings"),
            As::Bearer(&admin),
            json!({ "authority": "street_office", "filed_on": app.day(-4) }),
        )
        .await
        .expect(200);
    assert_eq!(c.body["status"], "filed");
    assert!(deadline(&c.body, "filing")["done_on"].is_string());
    let alt = member_id(&c.body, &o[6]);
    let bad_chair = app
        .post(
            &format!("/api/v1/committees/{cid}/first-meeting"),
            As::Bearer(&admin),
            json!({ "held_on": app.day(-3), "chair_member_id": alt }),
        )
        .await;
    assert_eq!(
        bad_chair.body["errors"][0]["field"], "chair_member_id",
        "an alternate cannot chair"
    );
    let chair = member_id(&c.body, &o[0]);
    let vice = member_id(&c.body, &o[1]);
    let c = app
        .post(
            &format!("/api/v1/committees/{cid}/first-meeting"),
            As::Bearer(&admin),
            json!({ "held_on": app.day(-3), "chair_member_id": chair, "vice_chair_member_ids": [vice] }),
        )
        .await
        .expect(200);
    assert_eq!(c.body["status"], "active");
    assert_eq!(c.body["members"][0]["role"], "chair");
    assert_eq!(c.body["members"][1]["role"], "vice_chair");
    let overdue = app
        .get(
            &format!("/api/v1/deadlines?org_id={}&overdue=true", k.county),
            As::Bearer(&admin),
        )
        .await
        .expect(200);
    assert!(overdue.body["items"].as_array().unwrap().is_empty());

    // Vacancies: alternates fill seats in vote order; a third vacancy leaves 4 of 5: by-election.
    let vacate = |owner: &str, c: &Value| json!({ "member_id": member_id(c, owner), "date": app.day(-1), "reason": "moved away" });
    let c = app
        .post(
            &format!("/api/v1/committees/{cid}/vacancies"),
            As::Bearer(&admin),
            vacate(&o[4], &c.body),
        )
        .await
        .expect(200);
    let seated: Vec<String> = c.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "member")
        .map(|m| m["owner_id"].as_str().unwrap().to_string())
        .collect();
    assert!(seated.contains(&o[6]), "the 55-vote alternate took the seat");
    assert_eq!(c.body["by_election_required"], false);
    let c = app
        .post(
            &format!("/api/v1/committees/{cid}/vacancies"),
            As::Bearer(&admin),
            vacate(&o[3], &c.body),
        )
        .await
        .expect(200);
    assert_eq!(c.body["by_election_required"], false, "5 serving again");
    let c = app
        .post(
            &format!("/api/v1/committees/{cid}/vacancies"),
            As::Bearer(&admin),
            vacate(&o[2], &c.body),
        )
        .await
        .expect(200);
    assert_eq!(c.body["by_election_required"], true, "4 of 5 is below the minimum");
    assert_eq!(
        c.body["former_members"].as_array().unwrap().len(),
        3 + 2 + 5,
        "history kept (leavers, alternates, preparatory group)"
    );
    assert_eq!(
        c.body["term_ends_on"],
        json!((app.today() - Duration::days(30) + chrono::Months::new(60) - Duration::days(1)).to_string())
    );

    // The roster is public to the estate's owners' circle; changes are not.
    app.create_user(&admin, "party-b", "party-b-password", &[("party_org", Some(&k.comm_b))])
        .await;
    let party_b = app.login("party-b", "party-b-password").await;
    app.get(&format!("/api/v1/committees/{cid}"), As::Bearer(&party_b))
        .await
        .problem(404);
    app.post(
        &format!("/api/v1/committees/{cid}/vacancies"),
        As::Bearer(&party_b),
        vacate(&o[1], &c.body),
    )
    .await
    .problem(404);
    app.create_user(
        &admin,
        "committee-1",
        "committee-password",
        &[("committee", Some(&e.id))],
    )
    .await;
    let committee_user = app.login("committee-1", "committee-password").await;
    app.get(&format!("/api/v1/committees/{cid}"), As::Bearer(&committee_user))
        .await
        .expect(200);
    app.post(
        &format!("/api/v1/committees/{cid}/vacancies"),
        As::Bearer(&committee_user),
        vacate(&o[1], &c.body),
    )
    .await
    .problem(403);
    app.get(&format!("/api/v1/deadlines?org_id={}", k.county), As::Bearer(&party_b))
        .await
        .problem(404);
}
both!(owners_committee_composition_and_lifecycle);

async fn property_management_committee_hands_over(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let e = estate(&app, &admin, &k.comm_a, "物管会小区", 12, 3).await;
    let o = &e.owners;
    let pmc = committee(
        &app,
        &admin,
        &e.id,
        json!({ "kind": "property_management_committee", "term_years": 3 }),
    )
    .await
    .expect(201)
    .s("id");
    let street = json!({ "affiliation": "street_office", "name": "街道主任" });
    let rest = |n: usize| -> Vec<Value> {
        let mut v = vec![
            json!({ "affiliation": "residents_committee", "name": "居委会" }),
            json!({ "affiliation": "housing_bureau", "name": "住建局" }),
            json!({ "affiliation": "property_company", "name": "物业" }),
        ];
        v.extend(o.iter().take(n).map(|x| owner(x)));
        v
    };
    let path = format!("/api/v1/committees/{pmc}/appointment");
    let appoint = |members: Vec<Value>| {
        app.post(
            &path,
            As::Bearer(&admin),
            json!({ "appointed_on": app.day(-100), "members": members }),
        )
    };
    // 8 members: too few. 10: even. The chair must come from the street office.
    let mut eight = vec![street.clone()];
    eight.extend(rest(4));
    assert_eq!(appoint(eight).await.body["errors"][0]["field"], "members");
    let mut ten = vec![street.clone()];
    ten.extend(rest(6));
    assert_eq!(appoint(ten).await.body["errors"][0]["field"], "members");
    let mut wrong_chair = rest(6);
    wrong_chair.truncate(9);
    assert_eq!(
        appoint(wrong_chair).await.body["errors"][0]["field"],
        "members[0].affiliation"
    );
    let mut nine = vec![street];
    nine.extend(rest(5));
    let c = appoint(nine).await.expect(200);
    assert_eq!(c.body["status"], "active");
    assert_eq!(c.body["members"][0]["role"], "chair");
    let cov = app
        .get(&format!("/api/v1/coverage?org_id={}", k.county), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(cov.body["committees"]["property_management_committees"], 1);
    assert_eq!(cov.body["committees"]["coverage_bp"], 10000);

    // An owners' committee is elected: the property management committee stands down and hands
    // over within 10 days.
    let oc = committee(
        &app,
        &admin,
        &e.id,
        json!({ "kind": "owners_committee", "term_years": 5 }),
    )
    .await
    .expect(201)
    .s("id");
    let again = committee(
        &app,
        &admin,
        &e.id,
        json!({ "kind": "property_management_committee", "term_years": 3 }),
    )
    .await;
    assert_eq!(again.problem(409), "committee_exists");
    let eid = final_list(&app, &admin, &k.county, &oc, &o[..5]).await;
    elect(
        &app,
        &admin,
        &oc,
        &eid,
        &app.day(-11),
        &o.iter().take(5).collect::<Vec<_>>(),
        &[],
    )
    .await
    .expect(200);
    let p = app
        .get(&format!("/api/v1/committees/{pmc}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(p.body["status"], "dissolving");
    let handover = p.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "handover")
        .unwrap()
        .clone();
    assert_eq!(handover["due_on"], json!(app.day(-1)));
    assert_eq!(handover["overdue"], true);
    let done = app
        .post(
            &format!("/api/v1/committees/{pmc}/handover"),
            As::Bearer(&admin),
            json!({ "date": app.day(0) }),
        )
        .await
        .expect(200);
    assert_eq!(done.body["status"], "dissolved");
    app.post(
        &format!("/api/v1/committees/{pmc}/handover"),
        As::Bearer(&admin),
        json!({ "date": app.day(0) }),
    )
    .await
    .problem(409);
    // No property management committee while an owners' committee is in office.
    let pmc2 = committee(
        &app,
        &admin,
        &e.id,
        json!({ "kind": "property_management_committee", "term_years": 3 }),
    )
    .await;
    assert_eq!(pmc2.problem(409), "owners_committee_exists");
}
both!(property_management_committee_hands_over);

async fn object(app: &TestApp, token: &str, cand: &str, signature: &str) -> Res {
    let body = json!({ "statement": "该候选人承租小区商铺", "signature": signature });
    app.post(
        &format!("/api/v1/candidates/{cand}/objections"),
        As::Bearer(token),
        body,
    )
    .await
}

async fn vetting_from_nomination_to_final_list(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let e = estate(&app, &admin, &k.comm_a, "和园", 8, 4).await;
    let o = &e.owners;
    let (_, police) = app.department(&admin, &k.county, "police").await;
    let (_, housing) = app.department(&admin, &k.county, "housing").await;
    let mut rules = app
        .get(
            &format!("/api/v1/orgs/{}/committee-rules", k.county),
            As::Bearer(&admin),
        )
        .await
        .expect(200)
        .body;
    rules["required_departments"] = json!(["police", "housing"]);
    app.call(
        poem::http::Method::PUT,
        &format!("/api/v1/orgs/{}/committee-rules", k.county),
        As::Bearer(&admin),
        Some(rules),
    )
    .await
    .expect(200);
    // The catalogue: RULES.md's nine items, N9 off by default.
    let list = app
        .get(&format!("/api/v1/orgs/{}/negative-list", k.county), As::Bearer(&admin))
        .await
        .expect(200);
    let off: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["enabled"] == false)
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(off, ["N9"]);

    let cid = committee(
        &app,
        &admin,
        &e.id,
        json!({ "kind": "owners_committee", "term_years": 5 }),
    )
    .await
    .expect(201)
    .s("id");
    let eid = app
        .post(
            &format!("/api/v1/committees/{cid}/elections"),
            As::Bearer(&admin),
            json!({ "seats": 5 }),
        )
        .await
        .expect(201)
        .s("id");
    // Candidates A–D by the party organisation; E by self-nomination; F jointly by 5 owners.
    let mut cand = Vec::new();
    for owner_id in o.iter().take(4) {
        cand.push(
            nominate(&app, &eid, &admin, owner_id, "party_org", vec![])
                .await
                .expect(201)
                .s("id"),
        );
    }
    let minor = nominate(&app, &eid, &admin, o.last().unwrap(), "party_org", vec![]).await;
    assert_eq!(minor.problem(422), "not_adult");
    let other = estate(&app, &admin, &k.comm_b, "别处", 2, 5).await;
    assert_eq!(
        nominate(&app, &eid, &admin, &other.owners[0], "party_org", vec![])
            .await
            .body["errors"][0]["code"],
        "not_an_owner_here"
    );
    assert_eq!(
        nominate(&app, &eid, &admin, &o[0], "party_org", vec![])
            .await
            .problem(409),
        "already_nominated"
    );
    let owner_e = app.owner_account(&admin, &o[4], "owner-e").await;
    let owner_f = app.owner_account(&admin, &o[5], "owner-f").await;
    nominate(&app, &eid, &owner_e, &o[5], "self_nomination", vec![])
        .await
        .problem(403);
    cand.push(
        nominate(&app, &eid, &owner_e, &o[4], "self_nomination", vec![])
            .await
            .expect(201)
            .s("id"),
    );
    let too_few = nominate(&app, &eid, &owner_f, &o[5], "owners_jointly", vec![&o[6], &o[7], &o[0]]).await;
    assert_eq!(too_few.body["errors"][0]["code"], "too_few", "4 owners with the caller");
    cand.push(
        nominate(
            &app,
            &eid,
            &owner_f,
            &o[5],
            "owners_jointly",
            vec![&o[6], &o[7], &o[0], &o[1]],
        )
        .await
        .expect(201)
        .s("id"),
    );
    nominate(&app, &eid, &owner_f, &o[6], "party_org", vec![])
        .await
        .problem(403);

    // Records: A's expired yesterday (no block); B's expires tomorrow (blocks); C's is under N9,
    // which is off (no block); D's item is switched off before the review (no block); E's starts
    // tomorrow (no block).
    record(&app, &police, &o[0], "N3", app.day(-400), Some(app.day(-1)))
        .await
        .expect(201);
    let b_record = record(&app, &police, &o[1], "N3", app.day(-400), Some(app.day(1)))
        .await
        .expect(201);
    assert_eq!(b_record.body["in_force_today"], true);
    record(&app, &housing, &o[2], "N9", app.day(-10), None)
        .await
        .expect(201);
    record(&app, &housing, &o[3], "N8", app.day(-10), None)
        .await
        .expect(201);
    record(&app, &housing, &o[4], "N2", app.day(1), None).await.expect(201);
    let n3 = record(&app, &housing, &o[0], "N3", app.day(-1100), None)
        .await
        .expect(201);
    assert_eq!(
        n3.body["expires_on"],
        json!((app.today() - Duration::days(1100) + chrono::Months::new(36)).to_string()),
        "three years by default, the anniversary included"
    );
    app.post(
        &format!("/api/v1/negative-records/{}/end", n3.s("id")),
        As::Bearer(&housing),
        json!({ "date": app.day(-2) }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/negative-records/{}/end", n3.s("id")),
        As::Bearer(&police),
        json!({ "date": app.day(-2) }),
    )
    .await
    .problem(404);
    assert_eq!(
        record(&app, &police, &o[0], "N99", app.day(-1), None).await.body["errors"][0]["field"],
        "item_code"
    );
    record(&app, &owner_e, &o[0], "N3", app.day(-1), None)
        .await
        .problem(403);
    app.call(
        poem::http::Method::PATCH,
        &format!("/api/v1/orgs/{}/negative-list/N8", k.county),
        As::Bearer(&admin),
        Some(json!({ "enabled": false })),
    )
    .await
    .expect(200);

    // Screening finds B only; reviews: everyone passes police; housing passes all but D (no review).
    let screened = app
        .post(
            &format!("/api/v1/elections/{eid}/screening"),
            As::Bearer(&admin),
            json!({ "date": app.day(0) }),
        )
        .await
        .expect(200);
    let hits: Vec<Value> = screened.body["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["screening_hits"].clone())
        .collect();
    assert_eq!(
        hits,
        [json!([]), json!(["N3"]), json!([]), json!([]), json!([]), json!([])]
    );
    nominate(&app, &eid, &admin, &o[6], "party_org", vec![])
        .await
        .problem(409);
    for c in &cand {
        app.post(
            &format!("/api/v1/candidates/{c}/reviews"),
            As::Bearer(&police),
            json!({ "passed": true, "reason": "无违法记录" }),
        )
        .await
        .expect(201);
        if *c != cand[3] {
            app.post(
                &format!("/api/v1/candidates/{c}/reviews"),
                As::Bearer(&housing),
                json!({ "passed": true, "reason": "无" }),
            )
            .await
            .expect(201);
        }
    }
    assert_eq!(
        app.post(
            &format!("/api/v1/candidates/{}/reviews", cand[0]),
            As::Bearer(&police),
            json!({ "passed": false, "reason": "again" })
        )
        .await
        .problem(409),
        "already_reviewed"
    );
    // Nobody else speaks for a department: not an administrator, not another county's department.
    app.post(
        &format!("/api/v1/candidates/{}/reviews", cand[3]),
        As::Bearer(&admin),
        json!({ "passed": true, "reason": "x" }),
    )
    .await
    .problem(404);
    let county2 = app.org(&admin, "county", "另一县", None).await;
    let (_, foreign) = app.department(&admin, &county2, "housing").await;
    app.post(
        &format!("/api/v1/candidates/{}/reviews", cand[3]),
        As::Bearer(&foreign),
        json!({ "passed": true, "reason": "x" }),
    )
    .await
    .problem(404);

    let published = app
        .post(
            &format!("/api/v1/elections/{eid}/publication"),
            As::Bearer(&admin),
            json!({ "date": app.day(0) }),
        )
        .await
        .expect(200);
    let statuses: Vec<&str> = published.body["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "qualified",
            "not_qualified",
            "qualified",
            "not_qualified",
            "qualified",
            "qualified"
        ]
    );
    assert_eq!(
        published.body["publicity_ends_on"],
        json!(app.day(7)),
        "7 days, the day of publication not counted"
    );
    let b = app
        .get(&format!("/api/v1/candidates/{}", cand[1]), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(b.body["reasons"], json!(["negative-list record in force: N3"]));
    let d = app
        .get(&format!("/api/v1/candidates/{}", cand[3]), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(d.body["reasons"], json!(["no review yet by housing"]));
    // The candidate sees why; another owner does not.
    let e_view = app
        .get(&format!("/api/v1/candidates/{}", cand[4]), As::Bearer(&owner_e))
        .await
        .expect(200);
    assert_eq!(e_view.body["status"], "qualified");
    app.get(&format!("/api/v1/candidates/{}", cand[1]), As::Bearer(&owner_e))
        .await
        .problem(403);
    // Owners see the published list only: the qualified.
    let public = app
        .get(&format!("/api/v1/elections/{eid}"), As::Bearer(&owner_f))
        .await
        .expect(200);
    assert_eq!(public.body["candidates"].as_array().unwrap().len(), 4);
    assert!(public.body["candidates"][0]["reviews"].as_array().unwrap().is_empty());
    // A person sees the records about them; others (without a role) see none.
    let own = app
        .get(
            &format!("/api/v1/owners/{}/negative-records", o[4]),
            As::Bearer(&owner_e),
        )
        .await
        .expect(200);
    assert_eq!(own.body["items"].as_array().unwrap().len(), 1);
    // Another owner's records are not there for an owner (the same 404 as a missing owner).
    app.get(
        &format!("/api/v1/owners/{}/negative-records", o[1]),
        As::Bearer(&owner_e),
    )
    .await
    .problem(404);

    // Objections: signed, by an owner, against a listed candidate, in the window; answered;
    // an upheld one disqualifies.
    assert_eq!(
        object(&app, &owner_e, &cand[2], "别人").await.body["errors"][0]["field"],
        "signature"
    );
    assert_eq!(
        object(&app, &owner_e, &cand[1], &e.names[4]).await.problem(422),
        "not_on_the_list"
    );
    let objection = object(&app, &owner_e, &cand[2], &e.names[4]).await.expect(201);
    assert_eq!(objection.body["answer_due_on"], json!(app.day(7)));
    object(&app, &admin, &cand[2], "x").await.problem(403);
    assert_eq!(
        app.post(
            &format!("/api/v1/elections/{eid}/finalization"),
            As::Bearer(&admin),
            json!({})
        )
        .await
        .problem(422),
        "publicity_not_over"
    );
    app.post(
        &format!("/api/v1/objections/{}/answer", objection.s("id")),
        As::Bearer(&owner_f),
        json!({ "upheld": true, "answer": "x" }),
    )
    .await
    .problem(403);
    app.post(
        &format!("/api/v1/objections/{}/answer", objection.s("id")),
        As::Bearer(&admin),
        json!({ "upheld": true, "answer": "经核实属实" }),
    )
    .await
    .expect(200);
    let c = app
        .get(&format!("/api/v1/candidates/{}", cand[2]), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(c.body["status"], "disqualified");
    assert_eq!(c.body["reasons"], json!(["objection upheld: 经核实属实"]));

    let figures = app
        .get(&format!("/api/v1/elections/{eid}/figures"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(figures.body["candidates"], 6);
    assert_eq!(figures.body["flagged_by_item"], json!({ "N3": 1 }));
    assert_eq!(figures.body["qualified"], 3);
    assert_eq!(figures.body["disqualified_by_objection"], 1);
    assert_eq!(figures.body["party_members"], 3);
    assert_eq!(figures.body["party_share_percent"], 50);
    app.get(&format!("/api/v1/elections/{eid}/figures"), As::Bearer(&owner_f))
        .await
        .problem(403);
}
both!(vetting_from_nomination_to_final_list);

async fn the_objection_window_and_the_final_list(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let (_, housing) = app.department(&admin, &k.county, "housing").await;
    let rules_path = format!("/api/v1/orgs/{}/committee-rules", k.county);
    let mut rules = app.get(&rules_path, As::Bearer(&admin)).await.expect(200).body;
    rules["required_departments"] = json!(["housing"]);
    app.call(poem::http::Method::PUT, &rules_path, As::Bearer(&admin), Some(rules))
        .await
        .expect(200);
    let e = estate(&app, &admin, &k.comm_a, "小区", 3, 10).await;
    let cid = committee(
        &app,
        &admin,
        &e.id,
        json!({ "kind": "owners_committee", "term_years": 5 }),
    )
    .await
    .expect(201)
    .s("id");
    let eid = app
        .post(
            &format!("/api/v1/committees/{cid}/elections"),
            As::Bearer(&admin),
            json!({ "seats": 3 }),
        )
        .await
        .expect(201)
        .s("id");
    let cand = nominate(&app, &eid, &admin, &e.owners[0], "party_org", vec![])
        .await
        .expect(201)
        .s("id");
    // A date typed for screening or publication is information only.
    app.post(
        &format!("/api/v1/elections/{eid}/screening"),
        As::Bearer(&admin),
        json!({ "date": app.day(-12) }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/candidates/{cand}/reviews"),
        As::Bearer(&housing),
        json!({ "passed": true, "reason": "无" }),
    )
    .await
    .expect(201);
    let future = app
        .post(
            &format!("/api/v1/elections/{eid}/publication"),
            As::Bearer(&admin),
            json!({ "date": app.day(1) }),
        )
        .await;
    assert_eq!(future.body["errors"][0]["field"], "date");
    // Published "12 days ago" by the date typed: the window still runs from now (RULES.md §7).
    let published = app
        .post(
            &format!("/api/v1/elections/{eid}/publication"),
            As::Bearer(&admin),
            json!({ "date": app.day(-12) }),
        )
        .await
        .expect(200);
    assert_eq!(published.body["published_on"], json!(app.day(-12)));
    assert_eq!(published.body["publicity_ends_on"], json!(app.day(7)));
    let token = app.owner_account(&admin, &e.owners[1], "objector").await;
    let objector_name = e.names[1].clone();
    // The window ends at 24:00 (China Standard Time) of its last day: the last minute is inside,
    // the first minute of the next day outside.
    let published_at: chrono::DateTime<chrono::Utc> = published.body["published_at"].as_str().unwrap().parse().unwrap();
    let last_day =
        chrono::NaiveDate::parse_from_str(published.body["publicity_ends_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let end = (last_day + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap().and_utc() - Duration::hours(8);
    assert!(published_at < end);
    app.advance(end - app.now() - Duration::seconds(60));
    object(&app, &token, &cand, &objector_name).await.expect(201);
    assert_eq!(
        app.post(
            &format!("/api/v1/elections/{eid}/finalization"),
            As::Bearer(&admin),
            json!({})
        )
        .await
        .problem(422),
        "publicity_not_over"
    );
    app.advance(Duration::seconds(61));
    assert_eq!(
        object(&app, &token, &cand, &objector_name).await.problem(422),
        "objection_window_closed"
    );
    // Over, but one objection is unanswered: not final yet.
    assert_eq!(
        app.post(
            &format!("/api/v1/elections/{eid}/finalization"),
            As::Bearer(&admin),
            json!({})
        )
        .await
        .problem(422),
        "objections_unanswered"
    );
    let objection = app
        .get(&format!("/api/v1/candidates/{cand}"), As::Bearer(&admin))
        .await
        .expect(200)
        .body["objections"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/api/v1/objections/{objection}/answer"),
        As::Bearer(&admin),
        json!({ "upheld": false, "answer": "经核实不属实" }),
    )
    .await
    .expect(200);
    let f = app
        .post(
            &format!("/api/v1/elections/{eid}/finalization"),
            As::Bearer(&admin),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(f.body["status"], "final");
    assert_eq!(f.body["candidates"][0]["status"], "qualified");
    app.post(
        &format!("/api/v1/elections/{eid}/finalization"),
        As::Bearer(&admin),
        json!({}),
    )
    .await
    .problem(409);
}
both!(the_objection_window_and_the_final_list);

/// A department's review queue: the county's elections under joint review that need this
/// department, with what it has still to decide; nothing of another county; empty for others.
async fn a_department_sees_its_review_queue(app: TestApp) {
    let p = app.estate_with_parties("RQA").await;
    let q = app.estate_with_parties("RQB").await;
    let rules_path = format!("/api/v1/orgs/{}/committee-rules", p.k.county);
    let mut rules = app.get(&rules_path, As::Bearer(&p.admin)).await.expect(200).body;
    rules["required_departments"] = json!(["civil_affairs"]);
    app.call(poem::http::Method::PUT, &rules_path, As::Bearer(&p.admin), Some(rules))
        .await
        .expect(200);
    let (_, dept) = &p.department;
    let empty = app.get("/api/v1/review-queue", As::Bearer(dept)).await.expect(200);
    assert_eq!(empty.body["elections"], json!([]), "no election under review yet");

    let eid = app
        .post(
            &format!("/api/v1/committees/{}/elections", p.committee),
            As::Bearer(&p.admin),
            json!({ "seats": 5 }),
        )
        .await
        .expect(201)
        .s("id");
    let mut cands = Vec::new();
    for o in &p.estate.owners[5..7] {
        cands.push(
            nominate(&app, &eid, &p.admin, o, "party_org", vec![])
                .await
                .expect(201)
                .s("id"),
        );
    }
    app.post(
        &format!("/api/v1/elections/{eid}/screening"),
        As::Bearer(&p.admin),
        json!({}),
    )
    .await
    .expect(200);

    let queue = app.get("/api/v1/review-queue", As::Bearer(dept)).await.expect(200);
    let e = &queue.body["elections"][0];
    assert_eq!(e["election_id"], json!(eid));
    assert_eq!(e["estate_id"], json!(p.estate.id));
    assert_eq!(e["department_code"], "civil_affairs");
    assert_eq!(e["awaiting"], 2);
    assert_eq!(e["candidates"].as_array().unwrap().len(), 2);
    app.post(
        &format!("/api/v1/candidates/{}/reviews", cands[0]),
        As::Bearer(dept),
        json!({ "passed": false, "reason": "有负面记录" }),
    )
    .await
    .expect(201);
    let after = app.get("/api/v1/review-queue", As::Bearer(dept)).await.expect(200);
    assert_eq!(after.body["elections"][0]["awaiting"], 1);

    // Another county's department, an owner, the bureau: nothing of this county.
    for who in [&q.department.1, &p.owner_tokens[0], &q.bureau] {
        let other = app.get("/api/v1/review-queue", As::Bearer(who)).await.expect(200);
        assert_eq!(other.body["elections"], json!([]));
    }
    app.get("/api/v1/review-queue", As::Nobody).await.problem(401);
}
both!(a_department_sees_its_review_queue);

/// A committee's elections: organisers see every candidate; an owner sees the published list
/// only; another county does not see the committee at all.
async fn a_committees_elections_are_listed_for_whoever_sees_the_estate(app: TestApp) {
    let p = app.estate_with_parties("LEA").await;
    let q = app.estate_with_parties("LEB").await;
    let path = format!("/api/v1/committees/{}/elections", p.committee);
    let all = app.get(&path, As::Bearer(&p.party)).await.expect(200);
    let first = &all.body["items"][0];
    assert_eq!(first["status"], "final");
    assert_eq!(first["candidates"].as_array().unwrap().len(), 5);
    // A new election in nomination: organisers see its candidate, owners see no list yet.
    let eid = app
        .post(
            &format!("/api/v1/committees/{}/elections", p.committee),
            As::Bearer(&p.admin),
            json!({ "seats": 5 }),
        )
        .await
        .expect(201)
        .s("id");
    nominate(&app, &eid, &p.admin, &p.estate.owners[6], "party_org", vec![])
        .await
        .expect(201);
    let organiser = app.get(&path, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(organiser.body["items"][1]["candidates"].as_array().unwrap().len(), 1);
    let owner = app.get(&path, As::Bearer(&p.owner_tokens[0])).await.expect(200);
    assert_eq!(owner.body["items"][1]["candidates"], json!([]));
    assert!(owner.body["items"][1]["candidates"][0]["reviews"].is_null());
    app.get(&path, As::Bearer(&q.bureau)).await.problem(404);
    app.get(&path, As::Nobody).await.problem(401);
}
both!(a_committees_elections_are_listed_for_whoever_sees_the_estate);

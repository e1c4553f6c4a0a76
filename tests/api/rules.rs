//! Rule holes found by a held-out check (issue 11): an owner who casts two buyers' ballots, areas
//! per source, ties at the last seat resolved by the county's rule and carried into the
//! committee, eligibility of everyone in a committee's formation, county settings inside the
//! legal ranges, negative-list records through their anniversary, and the test clock.

use chrono::Duration;
use poem::http::Method;
use serde_json::{json, Value};

use crate::both;
use crate::fixtures::{committee, estate, final_list_for_seats, record};
use crate::support::{As, TestApp};

/// An owner who holds a unit alone and is the designated voter of another held with a
/// co-owner: legally two buyers, so two ballots, both reachable online.
async fn a_designated_voter_of_two_buyers_casts_both(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "两户", &k.comm_a).await;
    let csv = "楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,共有人,销售状态\n\
               1号楼,101,100,实测,文兰,140425198301063491,,已交付\n\
               1号楼,102,60,实测,文兰,140425198301063491,廖刚珍,已交付\n\
               1号楼,103,80,实测,蔡敏,140425197802218020,,已交付\n";
    app.import(&admin, &estate, csv.as_bytes().to_vec()).await.expect(201);
    let owners = app
        .get(&format!("/api/v1/estates/{estate}/owners"), As::Bearer(&admin))
        .await
        .expect(200);
    let id_of = |name: &str| {
        owners.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let wen = app.owner_account(&admin, &id_of("文兰"), "wenlan").await;
    let cai = app.owner_account(&admin, &id_of("蔡敏"), "caimin").await;
    let vid = app
        .post(
            &format!("/api/v1/estates/{estate}/votes"),
            As::Bearer(&admin),
            json!({ "category": 2, "title": "规约", "question": "q", "kind": "question", "convenor": "street_office",
                    "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(17)) }),
        )
        .await
        .expect(201)
        .s("id");
    app.advance(Duration::days(16));
    let opened = app
        .post(&format!("/api/v1/votes/{vid}/opening"), As::Bearer(&admin), json!({}))
        .await
        .expect(200);
    // 文兰 alone (101), 文兰 with 廖刚珍 (102), 蔡敏 (103): three buyers.
    assert_eq!(opened.body["total_heads"], 3);
    let ballots = format!("/api/v1/votes/{vid}/ballots");
    let ambiguous = app.post(&ballots, As::Bearer(&wen), json!({ "choice": "yes" })).await;
    assert_eq!(ambiguous.problem(422), "ambiguous_voter");
    assert_eq!(
        ambiguous.body["errors"].as_array().unwrap().len(),
        2,
        "both of her voters are listed"
    );
    let mine = app
        .get(&format!("/api/v1/votes/{vid}/my-ballot"), As::Bearer(&wen))
        .await
        .expect(200);
    let entries: Vec<(String, i64)> = mine.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["voter_id"].as_str().unwrap().to_string(),
                e["area_centi_m2"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(entries.len(), 2);
    let mut areas: Vec<i64> = entries.iter().map(|e| e.1).collect();
    areas.sort();
    assert_eq!(areas, [6000, 10000]);
    for (voter, _) in &entries {
        let r = app
            .post(
                &ballots,
                As::Bearer(&wen),
                json!({ "voter_id": voter, "choice": "yes" }),
            )
            .await
            .expect(201);
        assert_eq!(&r.s("voter_id"), voter, "the receipt names the voter");
    }
    // Another's voter is not hers to cast.
    let cai_voter = app
        .get(&format!("/api/v1/votes/{vid}/my-ballot"), As::Bearer(&cai))
        .await
        .body["entries"][0]["voter_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            &ballots,
            As::Bearer(&wen),
            json!({ "voter_id": cai_voter, "choice": "no" }),
        )
        .await;
    assert_eq!(r.problem(422), "not_your_voter");
    app.post(&ballots, As::Bearer(&cai), json!({ "choice": "no" }))
        .await
        .expect(201);
    let mine = app
        .get(&format!("/api/v1/votes/{vid}/my-ballot"), As::Bearer(&wen))
        .await
        .expect(200);
    assert!(mine.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["current"]["receipt"].is_string()));
    app.advance(Duration::days(1));
    let result = app
        .get(&format!("/api/v1/votes/{vid}/result"), As::Bearer(&admin))
        .await
        .expect(200);
    // Both of her buyers count: 2 of 3 heads yes, 16,000 of 24,000 area: passes.
    assert_eq!(result.body["tally"]["yes_heads"], 2);
    assert_eq!(result.body["tally"]["yes_area_centi_m2"], 16000);
    assert_eq!(result.body["outcome"], "passed");
}
both!(a_designated_voter_of_two_buyers_casts_both);

/// A unit keeps an area per source; the register's arrives later, by the API or by re-import,
/// with history. An open vote keeps its frozen roll; the next one counts the new area.
async fn areas_per_source_with_history(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "面积", &k.comm_a).await;
    let head = "楼栋,房号,合同面积,业主姓名,身份证号,销售状态\n";
    app.import(
        &admin,
        &estate,
        format!("{head}1号楼,101,100,文兰,140425198301063491,已交付\n1号楼,102,80,蔡敏,140425197802218020,已交付\n")
            .into_bytes(),
    )
    .await
    .expect(201);
    let units = app
        .get(&format!("/api/v1/estates/{estate}/units"), As::Bearer(&admin))
        .await
        .expect(200);
    let unit = |number: &str| -> Value {
        units.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["number"] == number)
            .unwrap()
            .clone()
    };
    let u101 = unit("101")["id"].as_str().unwrap().to_string();
    assert_eq!(unit("101")["area_source"], "contract");
    let vid = app
        .post(
            &format!("/api/v1/estates/{estate}/votes"),
            As::Bearer(&admin),
            json!({ "category": 2, "title": "t", "question": "q", "kind": "question", "convenor": "street_office",
                    "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(17)) }),
        )
        .await
        .expect(201)
        .s("id");
    app.advance(Duration::days(16));
    let opened = app
        .post(&format!("/api/v1/votes/{vid}/opening"), As::Bearer(&admin), json!({}))
        .await
        .expect(200);
    assert_eq!(opened.body["total_area_centi_m2"], 18000);

    // The register's area arrives for 101 (by the API), and for 102 (by a re-import).
    let patched = app
        .call(
            Method::PATCH,
            &format!("/api/v1/units/{u101}"),
            As::Bearer(&admin),
            Some(json!({ "area_registry_centi_m2": 9850 })),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            patched.body["area_centi_m2"].as_i64(),
            patched.body["area_source"].as_str()
        ),
        (Some(9850), Some("registry"))
    );
    assert_eq!(patched.body["area_contract_centi_m2"], 10000);
    // The same areas again change nothing, and that is no error (found by the fuzzer: a 500).
    app.call(
        Method::PATCH,
        &format!("/api/v1/units/{u101}"),
        As::Bearer(&admin),
        Some(json!({ "area_registry_centi_m2": 9850, "area_contract_centi_m2": 10000 })),
    )
    .await
    .expect(200);
    let reimport = app
        .import(
            &admin,
            &estate,
            "楼栋,房号,登记面积,业主姓名,身份证号,销售状态\n1号楼,102,79.5,蔡敏,140425197802218020,已交付\n"
                .as_bytes()
                .to_vec(),
        )
        .await
        .expect(201);
    assert_eq!(
        (reimport.body["units"].as_i64(), reimport.body["units_updated"].as_i64()),
        (Some(0), Some(1))
    );
    let history = app
        .get(&format!("/api/v1/units/{u101}/area-changes"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(history.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(history.body["items"][0]["source"], "registry");
    assert_eq!(history.body["items"][0]["new_area_centi_m2"], 9850);
    assert!(history.body["items"][0].get("old_area_centi_m2").is_none());
    // A party organisation of another community sees none of it.
    app.create_user(&admin, "party-b", "party-b-password", &[("party_org", Some(&k.comm_b))])
        .await;
    let party_b = app.login("party-b", "party-b-password").await;
    app.get(&format!("/api/v1/units/{u101}/area-changes"), As::Bearer(&party_b))
        .await
        .problem(404);
    app.call(
        Method::PATCH,
        &format!("/api/v1/units/{u101}"),
        As::Bearer(&party_b),
        Some(json!({ "area_survey_centi_m2": 1 })),
    )
    .await
    .problem(404);
    // The open vote keeps its frozen roll; the headcount (and so the next vote) counts the new areas.
    let v = app
        .get(&format!("/api/v1/votes/{vid}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(v.body["total_area_centi_m2"], 18000);
    let h = app
        .get(&format!("/api/v1/estates/{estate}/headcount"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(h.body["total_area_centi_m2"], 9850 + 7950);
    let events = app
        .get("/api/v1/audit/events?action=unit.areas", As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(events.body["items"].as_array().unwrap().len(), 1);
}
both!(areas_per_source_with_history);

/// An estate with 7 adult owners (and a minor), owners' accounts for the first six, a county
/// resolving ties by `tie_rule`, an owners' committee with a final list of four candidates, and
/// a closed election for 3 seats in which the 3rd seat is tied: (committee, vote, candidates
/// A, B, X, Y as option ids, owners' tokens, admin).
struct TiedElection {
    committee: String,
    vote: String,
    cands: Vec<String>,
    tokens: Vec<String>,
    admin: String,
    estate: String,
}

async fn tied_election(app: &TestApp, tie_rule: &str) -> TiedElection {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let e = estate(app, &admin, &k.comm_a, "平票", 7, 30).await;
    let cid = committee(
        app,
        &admin,
        &e.id,
        json!({ "kind": "owners_committee", "term_years": 5 }),
    )
    .await
    .expect(201)
    .s("id");
    let eid = final_list_for_seats(app, &admin, &k.county, &cid, &e.owners[..4], 3).await;
    let rules_path = format!("/api/v1/orgs/{}/committee-rules", k.county);
    let mut rules = app.get(&rules_path, As::Bearer(&admin)).await.expect(200).body;
    assert_eq!(rules["tie_rule"], "runoff", "the default");
    rules["tie_rule"] = json!(tie_rule);
    app.call(Method::PUT, &rules_path, As::Bearer(&admin), Some(rules))
        .await
        .expect(200);
    let mut tokens = Vec::new();
    for (i, o) in e.owners.iter().take(6).enumerate() {
        tokens.push(app.owner_account(&admin, o, &format!("voter-{i}")).await);
    }
    let vote = app
        .post(
            &format!("/api/v1/estates/{}/votes", e.id),
            As::Bearer(&admin),
            json!({ "category": 3, "title": "选举业委会", "question": "选三名", "kind": "election", "election_id": eid,
                    "convenor": "street_office", "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(17)) }),
        )
        .await
        .expect(201);
    let vid = vote.s("id");
    let cands: Vec<String> = vote.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["option_id"].as_str().unwrap().to_string())
        .collect();
    app.advance(Duration::days(16));
    app.post(&format!("/api/v1/votes/{vid}/opening"), As::Bearer(&admin), json!({}))
        .await
        .expect(200);
    // A and B 5 each; X and Y 4 each (more than half of 6 voters, and of their area): the third
    // seat is tied exactly.
    let (a, b, x, y) = (&cands[0], &cands[1], &cands[2], &cands[3]);
    let choices = [[a, b, x], [a, b, y], [a, b, x], [a, b, y], [a, x, y], [b, x, y]];
    for (token, chosen) in tokens.iter().zip(choices) {
        app.post(
            &format!("/api/v1/votes/{vid}/ballots"),
            As::Bearer(token),
            json!({ "selections": chosen }),
        )
        .await
        .expect(201);
    }
    app.advance(Duration::days(1));
    TiedElection {
        committee: cid,
        vote: vid,
        cands,
        tokens,
        admin,
        estate: e.id,
    }
}

fn results(r: &Value) -> Vec<(String, String)> {
    r["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["option_id"].as_str().unwrap().to_string(),
                c["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn a_tie_for_the_last_seat_goes_to_a_runoff(app: TestApp) {
    let t = tied_election(&app, "runoff").await;
    let admin = &t.admin;
    let (a, b, x, y) = (&t.cands[0], &t.cands[1], &t.cands[2], &t.cands[3]);
    let result = app
        .get(&format!("/api/v1/votes/{}/result", t.vote), As::Bearer(admin))
        .await
        .expect(200);
    let r = &result.body;
    // Turnout and support per candidate; no yes/no/abstain figures for an election.
    assert!(r.get("tally").is_none());
    assert_eq!(r["turnout"]["voted_heads"], 6);
    assert_eq!(r["decided"], false);
    let mut pair = vec![x.clone(), y.clone()];
    pair.sort();
    assert_eq!(r["ties"], json!([{ "place": "seat", "candidates": pair, "places": 1 }]));
    let mut expected = vec![
        (a.clone(), "elected".to_string()),
        (b.clone(), "elected".into()),
        (x.clone(), "tied_for_seat".into()),
        (y.clone(), "tied_for_seat".into()),
    ];
    expected.sort();
    let mut got = results(r);
    got.sort();
    assert_eq!(got, expected);
    // Nothing goes to the committee while the seat is undecided.
    let carry = format!("/api/v1/committees/{}/election-result/from-vote", t.committee);
    assert_eq!(
        app.post(&carry, As::Bearer(admin), json!({ "vote_id": t.vote }))
            .await
            .problem(422),
        "tie_unresolved"
    );
    // Lots are not this county's rule.
    let lots = json!({ "place": "seat", "method": "lots", "order": [x, y], "drawn_by": "主持人", "witness": "见证人" });
    assert_eq!(
        app.post(
            &format!("/api/v1/votes/{}/tie-resolutions", t.vote),
            As::Bearer(admin),
            lots
        )
        .await
        .body["errors"][0]["code"],
        "not_the_county_rule"
    );
    // The run-off: the tied two, one seat, with its own notice.
    let runoff = app
        .post(
            &format!("/api/v1/estates/{}/votes", t.estate),
            As::Bearer(admin),
            json!({ "category": 3, "title": "第三席重新投票", "question": "选一名", "kind": "election", "runoff_of": t.vote, "runoff_place": "seat",
                    "convenor": "street_office", "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(17)) }),
        )
        .await
        .expect(201);
    assert_eq!(runoff.body["seats"], 1);
    let mut on_ballot: Vec<String> = runoff.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["option_id"].as_str().unwrap().to_string())
        .collect();
    on_ballot.sort();
    let mut tied = vec![x.clone(), y.clone()];
    tied.sort();
    assert_eq!(on_ballot, tied);
    let rid = runoff.s("id");
    let resolve = json!({ "place": "seat", "method": "runoff", "runoff_vote_id": rid });
    assert_eq!(
        app.post(
            &format!("/api/v1/votes/{}/tie-resolutions", t.vote),
            As::Bearer(admin),
            resolve.clone()
        )
        .await
        .problem(409),
        "runoff_not_closed"
    );
    app.advance(Duration::days(16));
    app.post(&format!("/api/v1/votes/{rid}/opening"), As::Bearer(admin), json!({}))
        .await
        .expect(200);
    for (i, token) in t.tokens.iter().enumerate() {
        let chosen = if i < 4 { x } else { y };
        app.post(
            &format!("/api/v1/votes/{rid}/ballots"),
            As::Bearer(token),
            json!({ "selections": [chosen] }),
        )
        .await
        .expect(201);
    }
    app.advance(Duration::days(1));
    let decided = app
        .post(
            &format!("/api/v1/votes/{}/tie-resolutions", t.vote),
            As::Bearer(admin),
            resolve.clone(),
        )
        .await
        .expect(200);
    assert_eq!(decided.body["decided"], true);
    assert_eq!(decided.body["ties"], json!([]));
    let mut got = results(&decided.body);
    got.sort();
    let mut expected = vec![
        (a.clone(), "elected".to_string()),
        (b.clone(), "elected".into()),
        (x.clone(), "elected".into()),
        (y.clone(), "alternate".into()),
    ];
    expected.sort();
    assert_eq!(got, expected);
    app.post(
        &format!("/api/v1/votes/{}/tie-resolutions", t.vote),
        As::Bearer(admin),
        resolve,
    )
    .await
    .problem(409);
    // One step carries the result into the committee.
    let c = app
        .post(&carry, As::Bearer(admin), json!({ "vote_id": t.vote }))
        .await
        .expect(200);
    assert_eq!(c.body["status"], "elected");
    let members = c.body["members"].as_array().unwrap();
    assert_eq!(members.iter().filter(|m| m["role"] == "member").count(), 3);
    let alternates: Vec<&Value> = members.iter().filter(|m| m["role"] == "alternate").collect();
    assert_eq!(alternates.len(), 1);
    assert_eq!(alternates[0]["alternate_rank"], 1);
    app.post(&carry, As::Bearer(admin), json!({ "vote_id": t.vote }))
        .await
        .problem(409);
}
both!(a_tie_for_the_last_seat_goes_to_a_runoff);

async fn a_tie_resolved_by_lots_needs_a_witness(app: TestApp) {
    let t = tied_election(&app, "lots").await;
    let admin = &t.admin;
    let (x, y) = (&t.cands[2], &t.cands[3]);
    let path = format!("/api/v1/votes/{}/tie-resolutions", t.vote);
    // A run-off is not this county's rule.
    let runoff = app
        .post(
            &format!("/api/v1/estates/{}/votes", t.estate),
            As::Bearer(admin),
            json!({ "category": 3, "title": "x", "question": "x", "kind": "election", "runoff_of": t.vote, "runoff_place": "seat",
                    "convenor": "street_office", "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(17)) }),
        )
        .await;
    assert_eq!(runoff.problem(422), "ties_by_lots");
    for (body, field) in [
        (
            json!({ "place": "seat", "method": "lots", "order": [x, y], "drawn_by": "主持人" }),
            "witness",
        ),
        (
            json!({ "place": "seat", "method": "lots", "order": [x, y], "drawn_by": "张三", "witness": "张三" }),
            "witness",
        ),
        (
            json!({ "place": "seat", "method": "lots", "order": [x, t.cands[0]], "drawn_by": "张三", "witness": "李四" }),
            "order",
        ),
    ] {
        assert_eq!(
            app.post(&path, As::Bearer(admin), body).await.body["errors"][0]["field"],
            field
        );
    }
    assert_eq!(
        app.post(
            &path,
            As::Bearer(admin),
            json!({ "place": "alternate:1", "method": "lots", "order": [x], "drawn_by": "a", "witness": "b" })
        )
        .await
        .problem(409),
        "seat_tie_first"
    );
    // Owners cannot record it.
    app.post(
        &path,
        As::Bearer(&t.tokens[0]),
        json!({ "place": "seat", "method": "lots", "order": [y, x], "drawn_by": "张三", "witness": "李四" }),
    )
    .await
    .problem(403);
    let r = app
        .post(
            &path,
            As::Bearer(admin),
            json!({ "place": "seat", "method": "lots", "order": [y, x], "drawn_by": "张三", "witness": "李四" }),
        )
        .await
        .expect(200);
    assert_eq!(r.body["decided"], true);
    let won: Vec<(String, String)> = results(&r.body)
        .into_iter()
        .filter(|(id, _)| id == x || id == y)
        .collect();
    assert!(
        won.contains(&(y.clone(), "elected".into())) && won.contains(&(x.clone(), "alternate".into())),
        "{won:?}"
    );
    let events = app
        .get("/api/v1/audit/events?action=vote.tie_resolved", As::Bearer(admin))
        .await
        .expect(200);
    assert_eq!(events.body["items"].as_array().unwrap().len(), 1);
}
both!(a_tie_resolved_by_lots_needs_a_witness);

/// Everyone in a committee's formation is an adult owner with no negative-list record in force.
async fn minors_and_listed_people_hold_no_role(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let e = estate(&app, &admin, &k.comm_a, "资格", 5, 40).await;
    let (_, police) = app.department(&admin, &k.county, "police").await;
    let street = json!({ "affiliation": "street_office", "name": "街道代表", "leader": true });
    let party = json!({ "affiliation": "community_party", "name": "社区党委" });
    let owner = |id: &String| json!({ "affiliation": "owner", "owner_id": id });
    let minor = e.owners.last().unwrap();
    let group = |third: &String| json!({ "kind": "owners_committee", "term_years": 5, "preparatory_group": [street, party, owner(&e.owners[0]), owner(&e.owners[1]), owner(third)] });
    let r = committee(&app, &admin, &e.id, group(minor)).await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["code"], "not_adult");
    assert_eq!(r.body["errors"][0]["field"], "preparatory_group[4].owner_id");
    // A record in force (effective today, three years): refused too; its end lifts it.
    let rec = record(&app, &police, &e.owners[2], "N3", app.day(0), None)
        .await
        .expect(201);
    let r = committee(&app, &admin, &e.id, group(&e.owners[2])).await;
    assert_eq!(r.body["errors"][0]["code"], "negative_list");
    app.post(
        &format!("/api/v1/negative-records/{}/end", rec.s("id")),
        As::Bearer(&police),
        json!({ "date": app.day(0) }),
    )
    .await
    .expect(200);
    // In force through its last day, the day included: tomorrow it no longer blocks.
    assert_eq!(
        committee(&app, &admin, &e.id, group(&e.owners[2])).await.body["errors"][0]["code"],
        "negative_list"
    );
    app.advance(Duration::days(1));
    committee(&app, &admin, &e.id, group(&e.owners[2])).await.expect(201);

    // "Within 3 years" includes the anniversary; a missing day becomes the month's last.
    for (from, until) in [
        ("2023-02-28", "2026-02-28"),
        ("2024-02-29", "2027-02-28"),
        ("2023-11-27", "2026-11-27"),
    ] {
        let r = record(&app, &police, &e.owners[3], "N3", from.into(), None)
            .await
            .expect(201);
        assert_eq!(r.body["expires_on"], until, "{from}");
    }
}
both!(minors_and_listed_people_hold_no_role);

async fn county_settings_stay_inside_the_legal_ranges(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let path = format!("/api/v1/orgs/{}/committee-rules", k.county);
    let rules = app.get(&path, As::Bearer(&admin)).await.expect(200).body;
    for (setting, value, ok) in [
        ("term_min_years", json!(2), false),
        ("term_min_years", json!(3), true),
        ("term_max_years", json!(6), false),
        ("oc_max", json!(13), false),
        ("oc_max", json!(11), true),
        ("oc_min", json!(3), false),
        ("pmc_min", json!(7), false),
        ("pmc_min", json!(9), true),
        ("objection_answer_days", json!(8), false),
        ("objection_answer_days", json!(7), true),
        ("publicity_days", json!(11), false),
        ("publicity_days", json!(10), true),
        ("vote_notice_days", json!(14), false),
        ("tie_rule", json!("lots"), true),
    ] {
        let mut body = rules.clone();
        body[setting] = value.clone();
        let r = app.call(Method::PUT, &path, As::Bearer(&admin), Some(body)).await;
        if ok {
            r.expect(200);
        } else {
            assert_eq!(r.problem(422), "validation_failed", "{setting} = {value}");
            assert_eq!(r.body["errors"][0]["field"], setting);
            assert_eq!(r.body["errors"][0]["code"], "out_of_range");
        }
    }
    // Nothing refused was stored.
    let now = app.get(&path, As::Bearer(&admin)).await.expect(200).body;
    assert_eq!(now["term_min_years"], 3);
    assert_eq!(now["oc_max"], 11);
}
both!(county_settings_stay_inside_the_legal_ranges);

async fn the_test_clock_is_only_there_when_asked_for(app: TestApp) {
    let admin = app.admin_token().await;
    // Off by default: no such route, nothing in the spec, no header.
    let r = app.get("/api/v1/test-clock", As::Nobody).await;
    assert_eq!(r.problem(404), "not_found");
    assert!(r.headers.get("x-test-clock").is_none());
    app.post(
        "/api/v1/test-clock/advance",
        As::Bearer(&admin),
        json!({ "seconds": 60 }),
    )
    .await
    .problem(404);
    let spec = app.get("/openapi.json", As::Nobody).await.expect(200);
    assert!(!spec.body.to_string().contains("test-clock"));

    let app = app.with_config(|c| c.test_clock = true);
    let admin = app.admin_token().await;
    let before = app.get("/api/v1/test-clock", As::Nobody).await.expect(200);
    assert_eq!(before.headers["x-test-clock"], "on");
    assert_eq!(before.body["offset_seconds"], 0);
    app.post("/api/v1/test-clock/advance", As::Nobody, json!({ "seconds": 60 }))
        .await
        .problem(401);
    app.create_user(&admin, "clerk", "clerk-password-01", &[]).await;
    let clerk = app.login("clerk", "clerk-password-01").await;
    app.post(
        "/api/v1/test-clock/advance",
        As::Bearer(&clerk),
        json!({ "seconds": 60 }),
    )
    .await
    .problem(403);
    for bad in [
        json!({ "seconds": -60 }),
        json!({ "seconds": 0 }),
        json!({ "seconds": "x" }),
    ] {
        app.post("/api/v1/test-clock/advance", As::Bearer(&admin), bad)
            .await
            .problem(422);
    }
    let moved = app
        .post(
            "/api/v1/test-clock/advance",
            As::Bearer(&admin),
            json!({ "seconds": 15 * 86_400 }),
        )
        .await
        .expect(200);
    assert_eq!(moved.body["offset_seconds"], 15 * 86_400);
    assert_eq!(moved.body["today"], json!(app.day(0)));
    assert_eq!(
        app.today(),
        (chrono::Utc::now() + Duration::hours(8) + Duration::days(15)).date_naive()
    );
    let events = app
        .get("/api/v1/audit/events?action=test_clock.advance", As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(events.body["items"].as_array().unwrap().len(), 1);
}
both!(the_test_clock_is_only_there_when_asked_for);

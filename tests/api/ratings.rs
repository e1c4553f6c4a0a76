//! Star ratings of property companies (issue 15): a campaign from its draft to published,
//! appealed and final results, scored exactly from the inputs; who may give which input; the
//! survey's one response per owner; the appeal window from the publication and the reviewer who
//! did not score; versions kept; the public star list.

use chrono::Duration;
use poem::http::Method;
use serde_json::{json, Value};

use crate::both;
use crate::fixtures::{png, upload, Parties};
use crate::support::{As, Res, TestApp};

async fn put(app: &TestApp, path: &str, who: As<'_>, body: Value) -> Res {
    app.call(Method::PUT, path, who, Some(body)).await
}

/// A campaign over 2025 (the fixture's contract runs from 2024), with the default catalogue.
async fn campaign(app: &TestApp, p: &Parties) -> String {
    app.post(
        &format!("/api/v1/orgs/{}/rating-campaigns", p.k.county),
        As::Bearer(&p.bureau),
        json!({ "name": "2025年度五好红色物业评价", "period_from": "2025-01-01", "period_until": "2025-12-31" }),
    )
    .await
    .expect(201)
    .s("id")
}

fn survey_path(c: &str, estate: &str) -> String {
    format!("/api/v1/rating-campaigns/{c}/survey/{estate}")
}

fn all_answers(v: i64) -> Value {
    json!({ "answers": [
        { "question": "service_overall", "value": v },
        { "question": "repairs", "value": v },
        { "question": "cleanliness", "value": v },
        { "question": "image", "value": v },
    ] })
}

/// The points of `key` in a result's `indicators` (or `dimensions`).
fn points<'a>(result: &'a Value, list: &str, key: &str) -> &'a str {
    result[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {result}"))["points"]
        .as_str()
        .unwrap()
}

fn centi(s: &str) -> i64 {
    let (i, f) = s.split_once('.').unwrap();
    i.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap()
}

/// Everything of one campaign: inputs, closing, scoring (twice, the same), publishing.
async fn a_campaign_scores_exactly_from_its_inputs(app: TestApp) {
    let p = app.estate_with_parties("R").await;
    let default = app
        .get("/api/v1/rating-catalogue/default", As::Key(&p.key))
        .await
        .expect(200);
    assert_eq!(default.body["stars"], json!(["90", "80", "70", "65", "60"]));
    // Only the county's bureau opens a campaign.
    for who in [&p.party, &p.committee_token, &p.company_token, &p.owner_tokens[0]] {
        let r = app
            .post(
                &format!("/api/v1/orgs/{}/rating-campaigns", p.k.county),
                As::Bearer(who),
                json!({ "name": "x", "period_from": "2025-01-01", "period_until": "2025-12-31" }),
            )
            .await;
        assert!(r.status == 403 || r.status == 404, "{}", r.status);
    }
    // Weights that add up to 99.99 are refused, naming the problem.
    let mut bad = default.body.clone();
    bad["indicators"][0]["weight"] = json!("9.99");
    let r = app
        .post(
            &format!("/api/v1/orgs/{}/rating-campaigns", p.k.county),
            As::Bearer(&p.bureau),
            json!({ "name": "x", "period_from": "2025-01-01", "period_until": "2025-12-31", "config": bad }),
        )
        .await;
    assert_eq!(r.problem(422), "campaign_inconsistent");
    assert!(r.body["detail"].as_str().unwrap().contains("99.99"), "{}", r.body);

    let c = campaign(&app, &p).await;
    let base = format!("/api/v1/rating-campaigns/{c}");
    // Nothing is collected from a draft.
    let r = put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[0]),
        all_answers(5),
    )
    .await;
    assert_eq!(r.problem(409), "campaign_not_open");
    app.put_matching(
        &format!("{base}/config"),
        &base,
        As::Bearer(&p.bureau),
        default.body.clone(),
    )
    .await
    .expect(200);
    app.post(&format!("{base}/open"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(200);
    let r = app
        .put_matching(
            &format!("{base}/config"),
            &base,
            As::Bearer(&p.bureau),
            default.body.clone(),
        )
        .await;
    assert_eq!(r.problem(409), "campaign_frozen");

    // Owner 0 answers 5s, then changes to 4s: one response, replaced. Owner 1 answers 4s.
    put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[0]),
        all_answers(5),
    )
    .await
    .expect(201);
    let again = put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[0]),
        all_answers(4),
    )
    .await
    .expect(200);
    assert_eq!(again.body["answers"][0]["value"], 4);
    put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[1]),
        all_answers(4),
    )
    .await
    .expect(201);
    // Incomplete, repeated or out-of-range answers are refused.
    let r = put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[2]),
        json!({ "answers": [{ "question": "service_overall", "value": 4 }] }),
    )
    .await;
    assert_eq!(r.problem(422), "validation_failed");
    let mut six = all_answers(4);
    six["answers"][0]["value"] = json!(6);
    let r = put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[2]),
        six,
    )
    .await;
    assert!(r.status == 400 || r.status == 422, "{}", r.status);
    // Only owners answer; the company never reads a response.
    for who in [
        As::Bearer(&p.committee_token),
        As::Bearer(&p.company_token),
        As::Key(&p.key),
    ] {
        // (A key gets 401: the survey takes only a person's token.)
        let r = put(&app, &survey_path(&c, &p.estate.id), who, all_answers(1)).await;
        assert!([401, 403, 404].contains(&r.status.as_u16()), "{}", r.status);
        let r = app.get(&survey_path(&c, &p.estate.id), who).await;
        assert!([401, 403, 404].contains(&r.status.as_u16()), "{}", r.status);
    }
    let mine = app
        .get(&survey_path(&c, &p.estate.id), As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    assert_eq!(mine.body["answers"][3]["value"], 4);

    // The committee evaluates (twice: the second replaces the first); the bureau and the party
    // organisation inspect (averaged); the bureau awards a bonus.
    let eval = |v: &str| json!({ "scores": [{ "indicator": "party_member_role", "value": v }, { "indicator": "committee_view", "value": "60" }] });
    put(
        &app,
        &format!("{base}/estates/{}/evaluation", p.estate.id),
        As::Bearer(&p.committee_token),
        eval("50"),
    )
    .await
    .expect(200);
    put(
        &app,
        &format!("{base}/estates/{}/evaluation", p.estate.id),
        As::Bearer(&p.committee_token),
        eval("80"),
    )
    .await
    .expect(200);
    let r = put(
        &app,
        &format!("{base}/estates/{}/evaluation", p.estate.id),
        As::Bearer(&p.bureau),
        eval("1"),
    )
    .await;
    assert_eq!(r.status, 403);
    // A committee's indicator is not the bureau's to score.
    let r = app
        .post(
            &format!("{base}/estates/{}/inspections", p.estate.id),
            As::Bearer(&p.bureau),
            json!({ "scores": [{ "indicator": "party_member_role", "value": "100" }] }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    app.post(
        &format!("{base}/estates/{}/inspections", p.estate.id),
        As::Bearer(&p.bureau),
        json!({ "scores": [{ "indicator": "org_inspection", "value": "90" }, { "indicator": "operation_inspection", "value": "70" }], "note": "现场检查" }),
    )
    .await
    .expect(201);
    app.post(
        &format!("{base}/estates/{}/inspections", p.estate.id),
        As::Bearer(&p.party),
        json!({ "scores": [{ "indicator": "org_inspection", "value": "70" }] }),
    )
    .await
    .expect(201);
    app.post(
        &format!("{base}/marks"),
        As::Bearer(&p.bureau),
        json!({ "kind": "bonus", "code": "model_estate", "company_id": p.company, "estate_id": p.estate.id, "reason": "市级示范小区" }),
    )
    .await
    .expect(201);

    // Scoring waits for the close; after it, nothing more is taken.
    let r = app
        .post(&format!("{base}/runs"), As::Bearer(&p.bureau), json!({}))
        .await;
    assert_eq!(r.problem(409), "campaign_not_scoring");
    app.post(&format!("{base}/close"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(200);
    let r = put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[2]),
        all_answers(3),
    )
    .await;
    assert_eq!(r.problem(409), "campaign_not_open");
    let r = app
        .post(&format!("{base}/publish"), As::Bearer(&p.bureau), json!({}))
        .await;
    assert_eq!(r.problem(422), "no_results");
    let first = app
        .post(&format!("{base}/runs"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(201);
    let second = app
        .post(&format!("{base}/runs"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(201);
    assert_eq!(first.body["version"], 1);
    assert_eq!(second.body["version"], 2);
    assert_eq!(
        first.body["fingerprint"], second.body["fingerprint"],
        "the same inputs, the same run"
    );
    let v1 = app
        .get(&format!("{base}/results?version=1"), As::Bearer(&p.bureau))
        .await
        .expect(200);
    let v2 = app
        .get(&format!("{base}/results?version=2"), As::Bearer(&p.bureau))
        .await
        .expect(200);
    assert_eq!(v1.body["results"], v2.body["results"]);
    // Paged by company: the one company is the one page.
    let page = app
        .get(&format!("{base}/results?version=2&limit=1"), As::Bearer(&p.bureau))
        .await
        .expect(200);
    assert_eq!(page.body["results"], v2.body["results"]);
    assert!(page.body.get("next_cursor").is_none(), "{}", page.body);
    let r = app
        .get(&format!("{base}/results?cursor=bm90LWEtcmFuaw"), As::Bearer(&p.bureau))
        .await;
    assert_eq!(r.problem(400), "invalid_parameter");
    // Unpublished results are the bureau's only.
    let r = app.get(&format!("{base}/results"), As::Key(&p.key)).await;
    assert_eq!(r.status, 404);

    let company = &v2.body["results"][0];
    let estate = &company["estates"][0];
    assert_eq!(company["company_id"], p.company.as_str());
    assert_eq!(estate["estate_id"], p.estate.id.as_str());
    assert_eq!(estate["responses"], 2);
    assert_eq!(estate["low_sample"], true, "2 responses are under the minimum of 10");
    // Both answered 4: the campaign mean is 4, so the shrunk mean is 4: 20 × 3/4 and 5 × 3/4.
    assert_eq!(points(estate, "indicators", "owner_satisfaction"), "15.00");
    assert_eq!(points(estate, "indicators", "owner_image"), "3.75");
    assert_eq!(
        points(estate, "indicators", "party_member_role"),
        "8.00",
        "the later evaluation"
    );
    assert_eq!(points(estate, "indicators", "committee_view"), "3.00");
    assert_eq!(
        points(estate, "indicators", "org_inspection"),
        "8.00",
        "the mean of 90 and 70"
    );
    assert_eq!(points(estate, "indicators", "operation_inspection"), "7.00");
    // No ledger items: nothing late, no complaints; no joint meeting held.
    assert_eq!(points(estate, "indicators", "resolved_on_time"), "10.00");
    assert_eq!(points(estate, "indicators", "accepted_on_time"), "5.00");
    assert_eq!(points(estate, "indicators", "complaints"), "5.00");
    assert_eq!(points(estate, "indicators", "joint_meetings"), "0.00");
    assert_eq!(estate["bonus"], "3.00");
    let coverage = centi(points(estate, "indicators", "party_coverage"));
    // 8 + 3 + 8 + 7 + 15 + 3.75 + 10 + 5 + 5 + 0, the coverage, and the bonus of 3.
    let total = 6475 + coverage + 300;
    assert_eq!(centi(estate["score"].as_str().unwrap()), total);
    assert_eq!(
        company["score"], estate["score"],
        "one estate: the company is its estate"
    );
    let stars = [9000, 8000, 7000, 6500, 6000]
        .iter()
        .position(|t| total >= *t)
        .map(|i| 5 - i as i64)
        .unwrap_or(0);
    assert_eq!(company["stars"], stars);
    assert_eq!(company["rank"], 1);

    // The bureau's export: a workbook, or a sheet as CSV with a byte-order mark.
    let xlsx = app
        .get(&format!("{base}/export"), As::Bearer(&p.bureau))
        .await
        .expect(200);
    assert_eq!(
        xlsx.headers.get("content-type").unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(xlsx.body.as_str().unwrap().starts_with("PK"), "a zip container");
    let csv = app
        .get(
            &format!("{base}/export?format=csv&sheet=companies"),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200);
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM");
    let line = text.lines().nth(1).unwrap();
    assert!(
        line.starts_with(&format!(
            "1,{},{},{stars},否,1,2,",
            company["company_name"].as_str().unwrap(),
            estate["score"].as_str().unwrap()
        )),
        "{text}"
    );
    for who in [As::Bearer(&p.company_token), As::Bearer(&p.party)] {
        let r = app.get(&format!("{base}/export"), who).await;
        assert!(r.status == 403 || r.status == 404, "{}", r.status);
    }

    app.post(&format!("{base}/publish"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(200);
    // Published: the company, the owners and anyone at all (the star list) read them.
    let seen = app.get(&format!("{base}/results"), As::Key(&p.key)).await.expect(200);
    assert_eq!(seen.body["run"]["version"], 2);
    app.get(&format!("{base}/results"), As::Bearer(&p.owner_tokens[2]))
        .await
        .expect(200);
    let list = app
        .get(&format!("/api/v1/orgs/{}/star-list", p.k.county), As::Nobody)
        .await
        .expect(200);
    assert_eq!(list.body["entries"][0]["company_id"], p.company.as_str());
    assert_eq!(list.body["entries"][0]["stars"], stars);
    assert_eq!(list.body["entries"][0]["estates"], json!(["R苑"]));
    let text = list.body.to_string();
    assert!(
        !p.estate.names.iter().any(|n| text.contains(n.as_str())),
        "no personal data"
    );
    let history = app
        .get(&format!("/api/v1/companies/{}/rating-history", p.company), As::Nobody)
        .await
        .expect(200);
    assert_eq!(history.body["items"][0]["campaign_id"], c.as_str());
    assert_eq!(history.body["items"][0]["status"], "published");
}
both!(a_campaign_scores_exactly_from_its_inputs);

/// A published, appealable campaign of one estate: (campaign id, bureau account that inspected).
async fn published(app: &TestApp, p: &Parties) -> String {
    let c = campaign(app, p).await;
    let base = format!("/api/v1/rating-campaigns/{c}");
    app.post(&format!("{base}/open"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(200);
    app.post(
        &format!("{base}/estates/{}/inspections", p.estate.id),
        As::Bearer(&p.bureau),
        json!({ "scores": [{ "indicator": "org_inspection", "value": "40" }] }),
    )
    .await
    .expect(201);
    for step in ["close", "runs", "publish"] {
        let r = app
            .post(&format!("{base}/{step}"), As::Bearer(&p.bureau), json!({}))
            .await;
        assert!(r.status.is_success(), "{step}: {}", r.body);
    }
    c
}

async fn appeals_run_in_the_window_and_a_non_scorer_decides(app: TestApp) {
    let p = app.estate_with_parties("AP").await;
    // (Building parties moves the clock: the other county's first.)
    let other = app.estate_with_parties("AQ").await;
    let c = published(&app, &p).await;
    let base = format!("/api/v1/rating-campaigns/{c}");
    let before = app.get(&format!("{base}/results"), As::Key(&p.key)).await.expect(200);
    assert_eq!(
        points(&before.body["results"][0]["estates"][0], "indicators", "org_inspection"),
        "4.00"
    );
    let photo = upload(&app, As::Key(&p.key), &png("appeal"), "活动室.png")
        .await
        .expect(201)
        .s("id");
    let appeal = json!({ "estate_id": p.estate.id, "indicator": "org_inspection", "statement": "检查当日党支部活动室正在装修，已提交照片", "attachment_ids": [photo] });
    // Only the company appeals.
    let r = app
        .post(&format!("{base}/appeals"), As::Bearer(&p.bureau), appeal.clone())
        .await;
    assert_eq!(r.status, 403);
    let filed = app
        .post(&format!("{base}/appeals"), As::Key(&p.key), appeal.clone())
        .await
        .expect(201);
    assert_eq!(filed.body["status"], "filed");
    let id = filed.s("id");
    let decision = json!({ "outcome": "upheld", "reasons": "复核属实", "new_value": "80" });
    // The bureau account that inspected the company scored it: it may not decide.
    let r = app
        .post(
            &format!("/api/v1/rating-appeals/{id}/decision"),
            As::Bearer(&p.bureau),
            decision.clone(),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let reviewer = app.account(&p.admin, "bureau", p.k.county.clone(), "AP2").await;
    let r = app
        .post(
            &format!("/api/v1/rating-appeals/{id}/decision"),
            As::Bearer(&reviewer),
            json!({ "outcome": "upheld", "reasons": "复核属实" }),
        )
        .await;
    assert_eq!(
        r.problem(422),
        "validation_failed",
        "an upheld appeal gives the new input"
    );
    let decided = app
        .post(
            &format!("/api/v1/rating-appeals/{id}/decision"),
            As::Bearer(&reviewer),
            decision.clone(),
        )
        .await
        .expect(200);
    assert_eq!(decided.body["status"], "upheld");
    assert_eq!(decided.body["version"], 2);
    assert_eq!(decided.body["statement"], appeal["statement"], "both sides' texts stay");
    let r = app
        .post(
            &format!("/api/v1/rating-appeals/{id}/decision"),
            As::Bearer(&reviewer),
            decision,
        )
        .await;
    assert_eq!(r.problem(409), "appeal_decided");
    // A new version, published; the first stays as it was.
    let after = app.get(&format!("{base}/results"), As::Key(&p.key)).await.expect(200);
    assert_eq!(after.body["run"]["version"], 2);
    assert_eq!(after.body["run"]["appeal_id"], id.as_str());
    assert_eq!(
        points(&after.body["results"][0]["estates"][0], "indicators", "org_inspection"),
        "8.00"
    );
    let v1 = app
        .get(&format!("{base}/results?version=1"), As::Key(&p.key))
        .await
        .expect(200);
    assert_eq!(
        points(&v1.body["results"][0]["estates"][0], "indicators", "org_inspection"),
        "4.00"
    );
    // The company reads its appeal; another county's bureau does not.
    app.get(&format!("/api/v1/rating-appeals/{id}"), As::Bearer(&p.company_token))
        .await
        .expect(200);
    let r = app
        .get(&format!("/api/v1/rating-appeals/{id}"), As::Bearer(&other.bureau))
        .await;
    assert_eq!(r.status, 404);
    // The evidence: the reviewer reads it through the appeal; another county does not.
    assert_eq!(decided.body["attachment_ids"], json!([photo]));
    app.get(&format!("/api/v1/attachments/{photo}"), As::Bearer(&reviewer))
        .await
        .expect(200);
    let r = app
        .get(&format!("/api/v1/attachments/{photo}"), As::Bearer(&other.bureau))
        .await;
    assert_eq!(r.status, 404);
    let r = app.get(&base, As::Key(&other.key)).await;
    assert_eq!(r.status, 404, "another county's company does not see the campaign");

    // One appeal per company, indicator and estate: a second of the same is refused, even after
    // the first was decided; another indicator is a new appeal.
    let r = app
        .post(&format!("{base}/appeals"), As::Key(&p.key), appeal.clone())
        .await;
    assert_eq!(r.problem(409), "appeal_exists");
    let mut another = appeal.clone();
    another["indicator"] = json!("party_member_role");
    // The window: 7 days from the publication (the day of publication not counted).
    app.advance(Duration::days(7));
    app.post(&format!("{base}/appeals"), As::Key(&p.key), another.clone())
        .await
        .expect(201);
    let r = app
        .post(&format!("{base}/appeals"), As::Key(&p.key), another.clone())
        .await;
    assert_eq!(r.problem(409), "appeal_exists");
    app.advance(Duration::days(1));
    let mut third = appeal;
    third["indicator"] = json!("joint_meetings");
    let r = app.post(&format!("{base}/appeals"), As::Key(&p.key), third).await;
    assert_eq!(r.problem(422), "appeal_window_closed");
    let campaign = app.get(&base, As::Bearer(&p.bureau)).await.expect(200);
    assert_eq!(campaign.body["status"], "final");
}
both!(appeals_run_in_the_window_and_a_non_scorer_decides);

async fn a_veto_leaves_no_star_and_no_purchase(app: TestApp) {
    let p = app.estate_with_parties("V").await;
    let c = campaign(&app, &p).await;
    let base = format!("/api/v1/rating-campaigns/{c}");
    app.post(&format!("{base}/open"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(200);
    let r = app
        .post(
            &format!("{base}/marks"),
            As::Bearer(&p.bureau),
            json!({ "kind": "veto", "code": "no_such_veto", "company_id": p.company, "reason": "x" }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    app.post(
        &format!("{base}/marks"),
        As::Bearer(&p.bureau),
        json!({ "kind": "veto", "code": "major_safety_accident", "company_id": p.company, "estate_id": p.estate.id, "reason": "电梯事故致人重伤" }),
    )
    .await
    .expect(201);
    for step in ["close", "runs", "publish"] {
        app.post(&format!("{base}/{step}"), As::Bearer(&p.bureau), json!({}))
            .await
            .expect(if step == "runs" { 201 } else { 200 });
    }
    let results = app
        .get(&format!("{base}/results"), As::Bearer(&p.committee_token))
        .await
        .expect(200);
    let company = &results.body["results"][0];
    assert_eq!(
        (company["stars"].as_i64(), company["vetoed"].as_bool()),
        (Some(0), Some(true))
    );
    assert_eq!(company["estates"][0]["stars"], 0);
    let eligible = app
        .get(&format!("/api/v1/orgs/{}/purchase-eligible", p.k.county), As::Nobody)
        .await
        .expect(200);
    assert_eq!(eligible.body["entries"], json!([]));
}
both!(a_veto_leaves_no_star_and_no_purchase);

async fn an_estate_the_company_has_not_served_a_year_is_not_rated(app: TestApp) {
    let p = app.estate_with_parties("NA").await;
    // A campaign over the year before the contract: nothing is rated.
    let c = app
        .post(
            &format!("/api/v1/orgs/{}/rating-campaigns", p.k.county),
            As::Bearer(&p.bureau),
            json!({ "name": "2023年度", "period_from": "2023-01-01", "period_until": "2023-12-31" }),
        )
        .await
        .expect(201)
        .s("id");
    app.post(
        &format!("/api/v1/rating-campaigns/{c}/open"),
        As::Bearer(&p.bureau),
        json!({}),
    )
    .await
    .expect(200);
    let r = put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[0]),
        all_answers(5),
    )
    .await;
    assert_eq!(r.problem(422), "not_rated_here");
    // An owner of another county's estate cannot answer for this one.
    let other = app.estate_with_parties("NB").await;
    let r = put(
        &app,
        &survey_path(&c, &other.estate.id),
        As::Bearer(&other.owner_tokens[0]),
        all_answers(5),
    )
    .await;
    assert_eq!(r.problem(422), "not_rated_here");
    let r = put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&other.owner_tokens[0]),
        all_answers(5),
    )
    .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
}
both!(an_estate_the_company_has_not_served_a_year_is_not_rated);

/// While a campaign is open the bureau sees each estate's survey against the least sample and
/// what it still lacks; community staff enter paper questionnaires for owners who cannot answer
/// online, one per owner, recorded as paper.
async fn progress_and_paper_questionnaires(app: TestApp) {
    let p = app.estate_with_parties("PQ").await;
    let c = campaign(&app, &p).await;
    let base = format!("/api/v1/rating-campaigns/{c}");
    app.post(&format!("{base}/open"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(200);
    let progress = format!("{base}/progress");
    let before = app.get(&progress, As::Bearer(&p.bureau)).await.expect(200).body["items"][0].clone();
    assert_eq!(before["estate_id"], p.estate.id.as_str());
    assert_eq!(before["responses"], 0);
    assert_eq!(
        before["lacking"],
        json!(["owner_survey", "committee_evaluation", "bureau_inspection"])
    );
    // An owner answers online; staff enter another owner's paper questionnaire.
    put(
        &app,
        &survey_path(&c, &p.estate.id),
        As::Bearer(&p.owner_tokens[0]),
        all_answers(4),
    )
    .await
    .expect(201);
    let paper = format!("{base}/estates/{}/paper-surveys", p.estate.id);
    let body = |owner: &str| {
        let mut b = all_answers(3);
        b["owner_id"] = json!(owner);
        b["paper_ref"] = json!("纸质问卷 0007");
        b
    };
    let entered = app
        .post(&paper, As::Bearer(&p.party), body(&p.estate.owners[5]))
        .await
        .expect(201);
    assert_eq!(entered.body["answers"][0]["value"], 3);
    // One per owner: a second paper, or paper for an owner who answered online, is refused.
    let again = app.post(&paper, As::Bearer(&p.party), body(&p.estate.owners[5])).await;
    assert_eq!(again.problem(409), "survey_answered");
    let online = app.post(&paper, As::Bearer(&p.party), body(&p.estate.owners[0])).await;
    assert_eq!(online.problem(409), "survey_answered");
    // Only owners of the estate; only community staff (not the company, committee or an owner).
    let stranger = app.estate_with_parties("PQB").await;
    let r = app
        .post(&paper, As::Bearer(&p.party), body(&stranger.estate.owners[5]))
        .await;
    r.problem(422);
    assert_eq!(r.body["errors"][0]["code"], "not_an_owner_here");
    for who in [&p.company_token, &p.committee_token, &p.owner_tokens[1]] {
        let r = app.post(&paper, As::Bearer(who), body(&p.estate.owners[6])).await;
        assert!(r.status == 403 || r.status == 404, "{}", r.status);
    }
    let r = app
        .post(&paper, As::Bearer(&stranger.party), body(&p.estate.owners[6]))
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    // The community's staff find the campaign; another county's do not.
    let list = format!("/api/v1/orgs/{}/rating-campaigns", p.k.county);
    let seen = app.get(&list, As::Bearer(&p.party)).await.expect(200);
    assert_eq!(seen.body["items"][0]["id"], c.as_str());
    app.get(&list, As::Bearer(&stranger.party)).await.problem(404);
    app.get(&base, As::Bearer(&stranger.party)).await.problem(404);
    let after = app.get(&progress, As::Bearer(&p.bureau)).await.expect(200).body["items"][0].clone();
    assert_eq!(after["responses"], 2);
    assert_eq!(after["paper_responses"], 1);
    assert_eq!(after["low_sample"], true);
    assert_eq!(after["lacking"], json!(["committee_evaluation", "bureau_inspection"]));
    // Only the county's officials read the progress.
    for who in [&p.party, &p.company_token, &stranger.bureau] {
        let r = app.get(&progress, As::Bearer(who)).await;
        assert!(r.status == 403 || r.status == 404, "{}", r.status);
    }
    // Closed: no more paper.
    app.post(&format!("{base}/close"), As::Bearer(&p.bureau), json!({}))
        .await
        .expect(200);
    let r = app.post(&paper, As::Bearer(&p.party), body(&p.estate.owners[6])).await;
    assert_eq!(r.problem(409), "campaign_not_open");
}
both!(progress_and_paper_questionnaires);

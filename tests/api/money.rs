//! The owners' accounts (issue 29, RULES.md §9): fee standards per unit, common income entries
//! and statements reconciled to the fen, corrections as versions, owners' questions and the
//! answer window, uses of the maintenance fund on a passed category-5 vote or an approved
//! emergency, the county's fund records, deadlines and disclosure, and who may do what.

use chrono::{Datelike, Duration, NaiveDate};
use poem::http::Method;
use serde_json::json;

use crate::both;
use crate::fixtures::Parties;
use crate::support::{As, Res, TestApp};
use crate::votes::closed_vote;

/// The first day of the quarter before the one containing `day`.
fn previous_quarter(day: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1).unwrap();
    let prev = first - Duration::days(1);
    NaiveDate::from_ymd_opt(prev.year(), prev.month0() / 3 * 3 + 1, 1).unwrap()
}

/// A closed vote of the estate of `category`: passed (8 of 9 yes) or not (2 of 9 yes).
fn vote(app: &TestApp, estate: &str, category: i32, passes: bool) -> String {
    let yes: Vec<(usize, &str)> = (0..9)
        .map(|i| {
            (
                i,
                if passes && i < 8 || !passes && i < 2 {
                    "yes"
                } else {
                    "no"
                },
            )
        })
        .collect();
    closed_vote(app, estate, category, &[9000; 9], &yes).id
}

async fn entry(app: &TestApp, p: &Parties, kind: &str, fen: i64, on: NaiveDate, vote: Option<&str>) -> Res {
    app.post(
        &format!("/api/v1/estates/{}/money-entries", p.estate.id),
        As::Key(&p.key),
        json!({ "kind": kind, "category": if kind == "income" { "parking" } else { "management" }, "amount_fen": fen, "occurred_on": on, "counterparty": "停车场承租方", "description": "停车费", "vote_id": vote }),
    )
    .await
}

async fn publish(app: &TestApp, p: &Parties, account: &str, from: NaiveDate, opening: i64, closing: i64) -> Res {
    app.post(
        &format!("/api/v1/estates/{}/statements", p.estate.id),
        As::Bearer(&p.company_token),
        json!({ "account": account, "period_from": from, "opening_fen": opening, "closing_fen": closing }),
    )
    .await
}

async fn fee_standards_apply_to_each_unit(app: TestApp) {
    let p = app.estate_with_parties("fee").await;
    let other = app.estate_with_parties("feeb").await;
    let units = app
        .get(
            &format!("/api/v1/estates/{}/units?limit=200", p.estate.id),
            As::Bearer(&p.admin),
        )
        .await
        .expect(200);
    let unit = units.body["items"][0]["id"].as_str().unwrap().to_string();
    let building = units.body["items"][0]["building_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/estates/{}/fee-standards", p.estate.id);
    let item = |price: i64| json!({ "name": "物业服务费", "kind": "property_service", "unit": "per_m2_month", "price_fen": price, "service_content": "保洁、秩序维护、绿化", "service_level": "二级" });
    let standard = |from: &str, items: Vec<serde_json::Value>| json!({ "effective_from": from, "basis": "government_price", "document": "长价服〔2024〕3号", "complaint_phone": "12345", "items": items });

    // Two items of one name, equally specific for the building's units: which applies?
    let mut b1 = item(150);
    b1["building_ids"] = json!([building]);
    let mut b2 = item(160);
    b2["unit_kinds"] = json!(["residential"]);
    let r = app
        .post(&path, As::Key(&p.key), standard("2024-01-01", vec![b1.clone(), b2]))
        .await;
    assert_eq!(r.problem(422), "fee_standard_ambiguous");
    // A vote that did not pass, or of another estate, is no basis.
    let failed = vote(&app, &p.estate.id, 9, false);
    let r = app
        .post(&path, As::Key(&p.key), json!({ "effective_from": "2024-01-01", "basis": "vote", "vote_id": failed, "complaint_phone": "12345", "items": [item(135)] }))
        .await;
    assert_eq!(r.problem(422), "fee_basis_invalid");
    let theirs = vote(&app, &other.estate.id, 9, true);
    let r = app
        .post(&path, As::Key(&p.key), json!({ "effective_from": "2024-01-01", "basis": "vote", "vote_id": theirs, "complaint_phone": "12345", "items": [item(135)] }))
        .await;
    assert_eq!(r.problem(422), "fee_basis_invalid");
    // Only the company under contract publishes; another company's key sees no such estate.
    assert_eq!(
        app.post(&path, As::Key(&other.key), standard("2024-01-01", vec![item(135)]))
            .await
            .problem(404),
        "not_found"
    );
    app.post(
        &path,
        As::Bearer(&p.committee_token),
        standard("2024-01-01", vec![item(135)]),
    )
    .await
    .expect(403);

    let passed = vote(&app, &p.estate.id, 9, true);
    let first = app
        .post(&path, As::Key(&p.key), json!({ "effective_from": "2024-01-01", "basis": "vote", "vote_id": passed, "complaint_phone": "12345", "items": [item(135), b1] }))
        .await
        .expect(201);
    assert!(first.headers["location"]
        .to_str()
        .unwrap()
        .ends_with(&format!("/fee-standards/{}", first.s("id"))));
    assert_eq!(first.body["in_force"], json!(true));

    // The owner of the unit reads what applies to it: the building's item (more specific), 1.50
    // yuan × 90.00 m² = 135.00 yuan a month.
    let fees = app
        .get(&format!("/api/v1/units/{unit}/fees"), As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    let mine: Vec<&serde_json::Value> = fees.body["items"].as_array().unwrap().iter().collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["price_fen"], json!(150));
    assert_eq!(fees.body["monthly_total_fen"], json!(13500));
    // Another owner of the estate does not read this unit's fees; another estate's owner does not see it.
    let someone_elses = units.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["owners"][0]["owner_id"] != json!(p.estate.owners[0]))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(
        &format!("/api/v1/units/{someone_elses}/fees"),
        As::Bearer(&p.owner_tokens[0]),
    )
    .await
    .expect(403);
    app.get(
        &format!("/api/v1/units/{unit}/fees"),
        As::Bearer(&other.owner_tokens[0]),
    )
    .await
    .expect(404);
    app.get(&format!("/api/v1/units/{unit}/fees"), As::Bearer(&p.committee_token))
        .await
        .expect(200);

    // A new standard replaces it from its first day; both stay readable.
    let later = app
        .post(&path, As::Key(&p.key), standard("2099-01-01", vec![item(200)]))
        .await
        .expect(201);
    assert_eq!(later.body["in_force"], json!(false));
    let list = app.get(&path, As::Bearer(&p.owner_tokens[1])).await.expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["effective_from"], json!("2099-01-01"));
    assert_eq!(items[1]["effective_to"], json!("2098-12-31"));
    assert_eq!(items[1]["in_force"], json!(true));
    app.get(&path, As::Bearer(&other.owner_tokens[0])).await.expect(404);
    // The public notice board shows them, without signing in.
    let board = app
        .get(&format!("/api/v1/estates/{}/notice-board", p.estate.id), As::Nobody)
        .await
        .expect(200);
    assert_eq!(board.body["fee_standards"][0]["items"][0]["price_fen"], json!(200));
}
both!(fee_standards_apply_to_each_unit);

async fn statements_reconcile_to_the_fen(app: TestApp) {
    let p = app.estate_with_parties("stm").await;
    let q1 = previous_quarter(app.today());
    let q0 = previous_quarter(q1);
    // The owners decided the company keeps 30% of common income as its costs.
    let share_vote = vote(&app, &p.estate.id, 8, true);
    app.post(
        &format!("/api/v1/estates/{}/income-shares", p.estate.id),
        As::Bearer(&p.company_token),
        json!({ "share_permille": 300, "vote_id": share_vote, "effective_from": "2020-01-01" }),
    )
    .await
    .expect(403);
    app.post(
        &format!("/api/v1/estates/{}/income-shares", p.estate.id),
        As::Bearer(&p.committee_token),
        json!({ "share_permille": 300, "vote_id": share_vote, "effective_from": "2020-01-01" }),
    )
    .await
    .expect(201);

    // Q0: 1,000.00 in, 300.00 of costs (exactly the share).
    entry(&app, &p, "income", 100_000, q0 + Duration::days(3), None)
        .await
        .expect(201);
    entry(&app, &p, "cost", 30_000, q0 + Duration::days(4), None)
        .await
        .expect(201);
    // A use without the owners' decision is refused.
    assert_eq!(
        entry(&app, &p, "use", 100, q0, None).await.problem(422),
        "use_without_basis"
    );

    // Off by one fen either way: refused, nothing published.
    assert_eq!(
        publish(&app, &p, "common_income", q0, 500, 500 + 70_000 + 1)
            .await
            .problem(422),
        "statement_unreconciled"
    );
    assert_eq!(
        publish(&app, &p, "common_income", q0, 500, 500 + 70_000 - 1)
            .await
            .problem(422),
        "statement_unreconciled"
    );
    // Not the first day of a quarter; a period not yet ended.
    publish(&app, &p, "common_income", q0 + Duration::days(1), 500, 70_500)
        .await
        .expect(422);
    let now_q = NaiveDate::from_ymd_opt(app.today().year(), app.today().month0() / 3 * 3 + 1, 1).unwrap();
    assert_eq!(
        publish(&app, &p, "common_income", now_q, 0, 0).await.problem(422),
        "statement_period_open"
    );
    // The committee does not publish for the company.
    app.post(
        &format!("/api/v1/estates/{}/statements", p.estate.id),
        As::Bearer(&p.committee_token),
        json!({ "account": "common_income", "period_from": q0, "opening_fen": 500, "closing_fen": 70_500 }),
    )
    .await
    .expect(403);

    let s0 = publish(&app, &p, "common_income", q0, 500, 70_500).await.expect(201);
    assert!(s0.headers["location"]
        .to_str()
        .unwrap()
        .ends_with(&format!("/statements/{}", s0.s("id"))));
    assert_eq!(
        (
            s0.body["income_fen"].as_i64(),
            s0.body["spending_fen"].as_i64(),
            s0.body["costs_fen"].as_i64()
        ),
        (Some(100_000), Some(30_000), Some(30_000))
    );
    assert_eq!(s0.body["line_count"], json!(2));
    assert_eq!(s0.body["version"], json!(1));
    assert_eq!(
        publish(&app, &p, "common_income", q0, 500, 70_500).await.problem(409),
        "statement_exists"
    );

    // Q1 opens at Q0's close; costs above 30% of income are refused.
    entry(&app, &p, "income", 10_000, q1, None).await.expect(201);
    entry(&app, &p, "cost", 3_001, q1, None).await.expect(201);
    assert_eq!(
        publish(&app, &p, "common_income", q1, 70_501, 70_501 + 6_999)
            .await
            .problem(422),
        "statement_opening_mismatch"
    );
    assert_eq!(
        publish(&app, &p, "common_income", q1, 70_500, 70_500 + 6_999)
            .await
            .problem(422),
        "costs_exceed_share"
    );

    // A late invoice of Q0 lowers its costs? No: a late income. The correction is a new version.
    entry(&app, &p, "income", 2_000, q0 + Duration::days(10), None)
        .await
        .expect(201);
    let path = format!("/api/v1/statements/{}/corrections", s0.s("id"));
    let r = app
        .post(
            &path,
            As::Bearer(&p.company_token),
            json!({ "reason": "补记停车费", "opening_fen": 500, "closing_fen": 72_500 }),
        )
        .await;
    let s0b = r.expect(201);
    assert_eq!(s0b.body["version"], json!(2));
    assert_eq!(s0b.body["supersedes"], json!(s0.s("id")));
    assert_eq!(s0b.body["changes"]["lines_added"], json!(1));
    assert_eq!(s0b.body["changes"]["closing_fen_before"], json!(70_500));
    let old = app
        .get(
            &format!("/api/v1/statements/{}", s0.s("id")),
            As::Bearer(&p.owner_tokens[0]),
        )
        .await
        .expect(200);
    assert_eq!(old.body["status"], json!("superseded"));
    assert_eq!(old.body["superseded_by"], json!(s0b.s("id")));
    assert_eq!(old.body["closing_fen"], json!(70_500));
    // Only the version in force is corrected.
    assert_eq!(
        app.post(
            &path,
            As::Bearer(&p.company_token),
            json!({ "reason": "x", "opening_fen": 500, "closing_fen": 72_500 })
        )
        .await
        .problem(409),
        "statement_superseded"
    );

    // Lines page in order; the export is a workbook; the print page is the notice.
    let lines = app
        .get(
            &format!("/api/v1/statements/{}/lines?limit=2", s0b.s("id")),
            As::Bearer(&p.owner_tokens[0]),
        )
        .await
        .expect(200);
    assert_eq!(lines.body["items"][0]["seq"], json!(1));
    let cursor = lines.body["next_cursor"].as_str().unwrap().to_string();
    let rest = app
        .get(
            &format!("/api/v1/statements/{}/lines?cursor={cursor}", s0b.s("id")),
            As::Bearer(&p.owner_tokens[0]),
        )
        .await
        .expect(200);
    assert_eq!(rest.body["items"][0]["seq"], json!(3));
    let xlsx = app
        .raw(
            Method::GET,
            &format!("/api/v1/statements/{}/export", s0b.s("id")),
            As::Bearer(&p.bureau),
            None,
            vec![],
        )
        .await;
    assert_eq!(xlsx.status.as_u16(), 200);
    assert!(xlsx.body.as_str().unwrap().starts_with("PK"));
    let print = app
        .raw(
            Method::GET,
            &format!("/api/v1/statements/{}/print", s0b.s("id")),
            As::Bearer(&p.party),
            None,
            vec![],
        )
        .await;
    assert!(print.expect(200).body.as_str().unwrap().contains("期末余额"));

    // Who sees them: the estate's owners and officials; not another county, not another estate's owner.
    let other = app.estate_with_parties("stmb").await;
    for who in [
        As::Bearer(&other.owner_tokens[0]),
        As::Bearer(&other.bureau),
        As::Key(&other.key),
    ] {
        app.get(&format!("/api/v1/statements/{}", s0b.s("id")), who)
            .await
            .expect(404);
    }
    app.get(&format!("/api/v1/estates/{}/statements", p.estate.id), As::Nobody)
        .await
        .expect(401);
    let list = app
        .get(
            &format!("/api/v1/estates/{}/statements", p.estate.id),
            As::Bearer(&p.owner_tokens[2]),
        )
        .await
        .expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    // The board shows the version in force, its totals by category, no counterparty.
    let board = app
        .get(&format!("/api/v1/estates/{}/notice-board", p.estate.id), As::Nobody)
        .await
        .expect(200);
    assert_eq!(board.body["statements"][0]["closing_fen"], json!(72_500));
    assert!(!board.body.to_string().contains("停车场承租方"));
}
both!(statements_reconcile_to_the_fen);

async fn questions_are_answered_within_the_window(app: TestApp) {
    let p = app.estate_with_parties("qa").await;
    let q0 = previous_quarter(app.today());
    entry(&app, &p, "income", 5_000, q0, None).await.expect(201);
    let s = publish(&app, &p, "common_income", q0, 0, 5_000)
        .await
        .expect(201)
        .s("id");
    let ask = format!("/api/v1/statements/{s}/questions");
    app.post(&ask, As::Bearer(&p.committee_token), json!({ "question": "?" }))
        .await
        .expect(403);
    let other = app.estate_with_parties("qab").await;
    app.post(&ask, As::Bearer(&other.owner_tokens[0]), json!({ "question": "?" }))
        .await
        .expect(404);
    let q = app
        .post(
            &ask,
            As::Bearer(&p.owner_tokens[0]),
            json!({ "question": "停车费为何比上季度少？" }),
        )
        .await
        .expect(201);
    assert_eq!(q.body["mine"], json!(true));
    // The last day is 7 days after the day it was asked (China Standard Time).
    let asked_on = (app.now() + Duration::hours(8)).date_naive();
    assert_eq!(q.body["answer_due"], json!(asked_on + Duration::days(7)));
    let second = app
        .post(
            &ask,
            As::Bearer(&p.owner_tokens[1]),
            json!({ "question": "成本明细？" }),
        )
        .await
        .expect(201);

    // Answered in time; once.
    let answer = format!("/api/v1/statement-questions/{}/answer", q.s("id"));
    app.post(&answer, As::Bearer(&p.owner_tokens[0]), json!({ "answer": "x" }))
        .await
        .expect(403);
    let a = app
        .post(&answer, As::Key(&p.key), json!({ "answer": "本季度车位空置增加。" }))
        .await
        .expect(200);
    assert_eq!(a.body["answered_late"], json!(false));
    assert_eq!(
        app.post(&answer, As::Key(&p.key), json!({ "answer": "again" }))
            .await
            .problem(409),
        "question_answered"
    );

    // The other question stays open past its last day: overdue, in the deadlines.
    let until = (asked_on + Duration::days(8)).and_hms_opt(0, 0, 0).unwrap() - Duration::hours(8);
    app.advance(until.and_utc() - app.now() - Duration::minutes(1));
    let read = app
        .get(&format!("/api/v1/statements/{s}"), As::Bearer(&p.owner_tokens[2]))
        .await
        .expect(200);
    let open = read.body["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == second.body["id"])
        .unwrap()
        .clone();
    assert_eq!(open["overdue"], json!(false));
    assert_eq!(open["mine"], json!(false));
    app.advance(Duration::minutes(2));
    let deadlines = app
        .get(
            &format!("/api/v1/deadlines?org_id={}&overdue=true", p.k.county),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200);
    assert!(deadlines.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["kind"] == "statement_question" && d["estate_id"] == json!(p.estate.id)));
    let late = app
        .post(
            &format!("/api/v1/statement-questions/{}/answer", second.s("id")),
            As::Bearer(&p.company_token),
            json!({ "answer": "见附表。" }),
        )
        .await
        .expect(200);
    assert_eq!(late.body["answered_late"], json!(true));
}
both!(questions_are_answered_within_the_window);

async fn a_fund_use_rests_on_a_passed_category_5_vote(app: TestApp) {
    let p = app.estate_with_parties("fund").await;
    let other = app.estate_with_parties("fundb").await;
    let uses = format!("/api/v1/estates/{}/fund-uses", p.estate.id);
    let body = json!({ "kind": "ordinary", "title": "1号楼屋面防水", "location": "1号楼屋面", "description": "屋面防水层老化，整体翻修", "estimate_fen": 1_000_001 });
    app.post(&uses, As::Bearer(&p.owner_tokens[0]), body.clone())
        .await
        .expect(403);
    let u = app
        .post(&uses, As::Bearer(&p.committee_token), body.clone())
        .await
        .expect(201);
    let decide = format!("/api/v1/fund-uses/{}/decision", u.s("id"));
    for (estate, category, passes) in [
        (&p.estate.id, 6, true),
        (&p.estate.id, 9, true),
        (&p.estate.id, 5, false),
        (&other.estate.id, 5, true),
    ] {
        let v = vote(&app, estate, category, passes);
        assert_eq!(
            app.post(&decide, As::Bearer(&p.committee_token), json!({ "vote_id": v }))
                .await
                .problem(422),
            "fund_basis_invalid"
        );
    }
    // Settling before the decision is refused.
    let file = crate::fixtures::upload(&app, As::Key(&p.key), &crate::fixtures::png("invoice"), "发票.png")
        .await
        .s("id");
    let settle = format!("/api/v1/fund-uses/{}/settlement", u.s("id"));
    assert_eq!(
        app.post(
            &settle,
            As::Key(&p.key),
            json!({ "amount_fen": 1_000_000, "invoice_ids": [file] })
        )
        .await
        .problem(409),
        "fund_use_not_approved"
    );
    let v = vote(&app, &p.estate.id, 5, true);
    let d = app
        .post(&decide, As::Bearer(&p.committee_token), json!({ "vote_id": v }))
        .await
        .expect(200);
    assert_eq!(d.body["status"], json!("approved"));
    assert_eq!(
        app.post(&decide, As::Bearer(&p.committee_token), json!({ "vote_id": v }))
            .await
            .problem(409),
        "fund_use_decided"
    );
    assert_eq!(
        app.post(
            &settle,
            As::Key(&p.key),
            json!({ "amount_fen": 1_000_002, "invoice_ids": [file] })
        )
        .await
        .problem(422),
        "settlement_exceeds_estimate"
    );
    let s = app
        .post(
            &settle,
            As::Key(&p.key),
            json!({ "amount_fen": 1_000_001, "invoice_ids": [file] }),
        )
        .await
        .expect(200);
    assert_eq!(s.body["status"], json!("settled"));
    // The owners read the invoice, and what each unit bears: the shares add up to the fen.
    app.get(&format!("/api/v1/attachments/{file}"), As::Bearer(&p.owner_tokens[0]))
        .await
        .expect(200);
    let shares = app
        .get(
            &format!("/api/v1/fund-uses/{}/shares?limit=200", u.s("id")),
            As::Bearer(&p.owner_tokens[0]),
        )
        .await
        .expect(200);
    let total: i64 = shares.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["share_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 1_000_001);
    app.get(
        &format!("/api/v1/fund-uses/{}", u.s("id")),
        As::Bearer(&other.owner_tokens[0]),
    )
    .await
    .expect(404);

    // An emergency: the committee applies, the bureau approves; a company cannot apply for one.
    let lift = json!({ "kind": "emergency", "emergency": "lift", "title": "电梯停运抢修", "location": "1号楼电梯", "description": "曳引机故障", "estimate_fen": 50_000 });
    app.post(&uses, As::Key(&p.key), lift.clone()).await.expect(403);
    let e = app
        .post(&uses, As::Bearer(&p.committee_token), lift.clone())
        .await
        .expect(201);
    let v = vote(&app, &p.estate.id, 5, true);
    assert_eq!(
        app.post(
            &format!("/api/v1/fund-uses/{}/decision", e.s("id")),
            As::Bearer(&p.committee_token),
            json!({ "vote_id": v })
        )
        .await
        .problem(422),
        "fund_use_emergency"
    );
    let approve = format!("/api/v1/fund-uses/{}/approval", e.s("id"));
    app.post(&approve, As::Bearer(&p.committee_token), json!({ "approve": true }))
        .await
        .expect(403);
    app.post(&approve, As::Bearer(&other.bureau), json!({ "approve": true }))
        .await
        .expect(404);
    assert_eq!(
        app.post(&approve, As::Bearer(&p.bureau), json!({ "approve": true }))
            .await
            .expect(200)
            .body["status"],
        json!("approved")
    );
    // An ordinary use is not the county's to approve.
    let o = app.post(&uses, As::Key(&p.key), body).await.expect(201);
    assert_eq!(
        app.post(
            &format!("/api/v1/fund-uses/{}/approval", o.s("id")),
            As::Bearer(&p.bureau),
            json!({ "approve": true })
        )
        .await
        .problem(422),
        "fund_use_not_emergency"
    );
    // The county narrows its list: a lift is no longer an emergency there.
    let settings = format!("/api/v1/orgs/{}/money-settings", p.k.county);
    let mut s = app.get(&settings, As::Bearer(&p.party)).await.expect(200).body;
    s["emergencies"] = json!(["roof_leak", "fire_systems"]);
    app.call(Method::PUT, &settings, As::Bearer(&p.party), Some(s.clone()))
        .await
        .expect(404);
    app.call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(s))
        .await
        .expect(200);
    assert_eq!(
        app.post(&uses, As::Bearer(&p.party), lift).await.problem(422),
        "not_an_emergency_here"
    );
}
both!(a_fund_use_rests_on_a_passed_category_5_vote);

async fn fund_records_are_imported_and_reconciled(app: TestApp) {
    let p = app.estate_with_parties("rec").await;
    let settings = format!("/api/v1/orgs/{}/money-settings", p.k.county);
    let mut s = app.get(&settings, As::Bearer(&p.bureau)).await.expect(200).body;
    s["fund_statement_months"] = json!(3);
    app.call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(s))
        .await
        .expect(200);
    let q1 = previous_quarter(app.today());
    let q0 = previous_quarter(q1);
    let name = app
        .get(&format!("/api/v1/estates/{}", p.estate.id), As::Bearer(&p.bureau))
        .await
        .expect(200)
        .s("name");
    let sheet = |balance: &str| {
        format!(
            "小区,日期,摘要,收入(元),支出(元),余额(元)\n{name},{},上年结转,,,100000.00\n{name},{},缴存,\"2,000.00\",,102000.00\n{name},{},利息,12.34,,{balance}\n",
            q0 - Duration::days(1),
            q0 + Duration::days(5),
            q1 + Duration::days(5)
        )
    };
    let import = |csv: String, who: &'static str| {
        let token = if who == "bureau" {
            p.bureau.clone()
        } else {
            p.party.clone()
        };
        let path = format!("/api/v1/orgs/{}/fund-records", p.k.county);
        let app = &app;
        async move {
            app.raw(
                Method::POST,
                &path,
                As::Bearer(&token),
                Some("text/csv"),
                csv.into_bytes(),
            )
            .await
        }
    };
    // A balance one fen off: nothing stored, the row named.
    let r = import(sheet("102012.35"), "bureau").await;
    assert_eq!(r.problem(422), "import_rejected");
    assert_eq!(r.body["errors"][0]["row"], json!(4));
    import(sheet("102012.34"), "party").await.expect(404);
    let ok = import(sheet("102012.34"), "bureau").await.expect(201);
    assert_eq!(ok.body["entries"], json!(3));
    // The same file again does not follow the stored balance.
    assert_eq!(
        import(sheet("102012.34"), "bureau").await.problem(422),
        "import_rejected"
    );

    // The fund's statement opens at the county's balance and closes at it, to the fen.
    assert_eq!(
        publish(&app, &p, "maintenance_fund", q0, 0, 200_000).await.problem(422),
        "statement_opening_mismatch"
    );
    assert_eq!(
        publish(&app, &p, "maintenance_fund", q0, 10_000_000, 10_200_001)
            .await
            .problem(422),
        "statement_unreconciled"
    );
    let f0 = publish(&app, &p, "maintenance_fund", q0, 10_000_000, 10_200_000)
        .await
        .expect(201);
    assert_eq!(f0.body["income_fen"], json!(200_000));
    let f1 = publish(&app, &p, "maintenance_fund", q1, 10_200_000, 10_201_234)
        .await
        .expect(201);
    assert_eq!(f1.body["line_count"], json!(1));
    let entries = app
        .get(
            &format!("/api/v1/estates/{}/money-entries?account=maintenance_fund", p.estate.id),
            As::Bearer(&p.owner_tokens[0]),
        )
        .await
        .expect(200);
    assert_eq!(entries.body["items"][0]["balance_fen"], json!(10_201_234));
}
both!(fund_records_are_imported_and_reconciled);

async fn overdue_statements_join_the_deadlines(app: TestApp) {
    let p = app.estate_with_parties("due").await;
    let today = app.today();
    let q1 = previous_quarter(today);
    let settings = format!("/api/v1/orgs/{}/money-settings", p.k.county);
    let mut s = app.get(&settings, As::Bearer(&p.bureau)).await.expect(200).body;
    s["accounts_from"] = json!(q1);
    app.call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(s))
        .await
        .expect(200);
    let next_q = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1).unwrap();
    let due_on = next_q - Duration::days(1) + Duration::days(30);
    let deadlines = |overdue: bool| {
        let app = &app;
        let path = format!("/api/v1/deadlines?org_id={}&overdue={overdue}", p.k.county);
        let token = p.bureau.clone();
        let estate = p.estate.id.clone();
        async move {
            app.get(&path, As::Bearer(&token)).await.expect(200).body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"] == "income_statement" && d["estate_id"] == json!(estate))
                .cloned()
                .collect::<Vec<_>>()
        }
    };
    let d = deadlines(false).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["due_on"], json!(due_on));
    assert_eq!(d[0]["overdue"], json!(today > due_on));
    // Once overdue, it is in the bureau's figures too; publishing meets it.
    let start = (app.now() + Duration::hours(8)).date_naive();
    app.advance(Duration::days((due_on - start).num_days() + 1));
    assert_eq!(deadlines(true).await.len(), 1);
    let disclosure = app
        .get(
            &format!("/api/v1/orgs/{}/disclosure", p.k.county),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200);
    let mine = disclosure.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["estate_id"] == json!(p.estate.id))
        .unwrap()
        .clone();
    assert_eq!(mine["overdue_statements"], json!(1));
    app.get(
        &format!("/api/v1/orgs/{}/disclosure", p.k.county),
        As::Bearer(&p.committee_token),
    )
    .await
    .expect(404);
    publish(&app, &p, "common_income", q1, 0, 0).await.expect(201);
    let met = deadlines(false).await;
    assert!(met[0]["done_on"].is_string());
    assert_eq!(met[0]["overdue"], json!(false));
    let export = app
        .raw(
            Method::GET,
            &format!("/api/v1/orgs/{}/disclosure/export", p.k.county),
            As::Bearer(&p.bureau),
            None,
            vec![],
        )
        .await;
    assert!(export.expect(200).body.as_str().unwrap().starts_with("PK"));
}
both!(overdue_statements_join_the_deadlines);

/// Every read and step of one estate's accounts, by everyone of another county's estate (its
/// bureau, party organisation, committee, company key and owner): none sees anything (404), and
/// nobody without credentials gets past 401.
async fn another_county_sees_nothing_of_the_accounts(app: TestApp) {
    let p = app.estate_with_parties("own").await;
    let x = app.estate_with_parties("far").await;
    let q0 = previous_quarter(app.today());
    let entry_id = entry(&app, &p, "income", 5_000, q0, None).await.expect(201).s("id");
    let s = publish(&app, &p, "common_income", q0, 0, 5_000)
        .await
        .expect(201)
        .s("id");
    let q = app
        .post(
            &format!("/api/v1/statements/{s}/questions"),
            As::Bearer(&p.owner_tokens[0]),
            json!({ "question": "?" }),
        )
        .await
        .expect(201)
        .s("id");
    let u = app
        .post(
            &format!("/api/v1/estates/{}/fund-uses", p.estate.id),
            As::Bearer(&p.committee_token),
            json!({ "kind": "ordinary", "title": "t", "location": "l", "description": "d", "estimate_fen": 100 }),
        )
        .await
        .expect(201)
        .s("id");
    let e = &p.estate.id;
    let reads = [
        format!("/api/v1/estates/{e}/fee-standards"),
        format!("/api/v1/estates/{e}/income-shares"),
        format!("/api/v1/estates/{e}/money-entries"),
        format!("/api/v1/money-entries/{entry_id}"),
        format!("/api/v1/estates/{e}/statements"),
        format!("/api/v1/statements/{s}"),
        format!("/api/v1/statements/{s}/lines"),
        format!("/api/v1/statements/{s}/export"),
        format!("/api/v1/statements/{s}/print"),
        format!("/api/v1/estates/{e}/fund-uses"),
        format!("/api/v1/fund-uses/{u}"),
        format!("/api/v1/fund-uses/{u}/shares"),
        format!("/api/v1/orgs/{}/disclosure", p.k.comm_a),
    ];
    let steps = [
        (
            format!("/api/v1/estates/{e}/money-entries"),
            json!({ "kind": "income", "category": "parking", "amount_fen": 1, "occurred_on": q0, "counterparty": "x", "description": "x" }),
        ),
        (
            format!("/api/v1/estates/{e}/statements"),
            json!({ "account": "common_income", "period_from": previous_quarter(q0), "opening_fen": 0, "closing_fen": 0 }),
        ),
        (
            format!("/api/v1/statements/{s}/corrections"),
            json!({ "reason": "x", "opening_fen": 0, "closing_fen": 5_000 }),
        ),
        (format!("/api/v1/statements/{s}/questions"), json!({ "question": "x" })),
        (
            format!("/api/v1/statement-questions/{q}/answer"),
            json!({ "answer": "x" }),
        ),
        (format!("/api/v1/fund-uses/{u}/decision"), json!({ "vote_id": "x" })),
        (format!("/api/v1/fund-uses/{u}/approval"), json!({ "approve": true })),
        (format!("/api/v1/fund-uses/{u}/withdrawal"), json!({})),
        (
            format!("/api/v1/estates/{e}/fee-standards"),
            json!({ "effective_from": "2024-01-01", "basis": "government_price", "document": "d", "complaint_phone": "12345", "items": [{ "name": "n", "kind": "other", "unit": "per_unit", "price_fen": 1, "service_content": "s" }] }),
        ),
    ];
    let strangers = [
        As::Bearer(&x.bureau),
        As::Bearer(&x.party),
        As::Bearer(&x.committee_token),
        As::Bearer(&x.company_token),
        As::Key(&x.key),
        As::Bearer(&x.owner_tokens[0]),
    ];
    for path in &reads {
        assert_eq!(app.get(path, As::Nobody).await.status.as_u16(), 401, "{path}");
        for who in &strangers {
            let who = match who {
                As::Bearer(t) => As::Bearer(t),
                As::Key(k) => As::Key(k),
                As::Nobody => As::Nobody,
            };
            // The disclosure is for people (bearer tokens only): a company key is not taken there.
            let expected = if matches!(who, As::Key(_)) && path.ends_with("/disclosure") {
                401
            } else {
                404
            };
            let r = app.get(path, who).await;
            assert_eq!(r.status.as_u16(), expected, "{path}: {}", r.body);
        }
    }
    for (path, body) in &steps {
        assert_eq!(
            app.post(path, As::Nobody, body.clone()).await.status.as_u16(),
            401,
            "{path}"
        );
        for who in &strangers {
            let who = match who {
                As::Bearer(t) => As::Bearer(t),
                As::Key(k) => As::Key(k),
                As::Nobody => As::Nobody,
            };
            // A step for people only does not take a company key at all (401); any other
            // stranger is told nothing exists (404), never that it does (403).
            let key = matches!(who, As::Key(_));
            let r = app.post(path, who, body.clone()).await;
            let status = r.status.as_u16();
            assert!(status == 404 || key && status == 401, "{path}: {status} {}", r.body);
        }
    }
    // Nothing changed: still one entry, one statement version, one question unanswered.
    let list = app
        .get(&format!("/api/v1/estates/{e}/money-entries"), As::Bearer(&p.bureau))
        .await
        .expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let st = app
        .get(&format!("/api/v1/statements/{s}"), As::Bearer(&p.bureau))
        .await
        .expect(200);
    assert_eq!(st.body["status"], json!("published"));
    assert!(st.body["questions"][0]["answer"].is_null());
}
both!(another_county_sees_nothing_of_the_accounts);

/// A self-managed estate (no company under contract): its committee keeps the accounts.
async fn without_a_company_the_committee_keeps_the_accounts(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "自管小区", &k.comm_a).await;
    let committee = app.account(&admin, "committee", estate.clone(), "selfm").await;
    let q0 = previous_quarter(app.today());
    app.post(
        &format!("/api/v1/estates/{estate}/money-entries"),
        As::Bearer(&committee),
        json!({ "kind": "income", "category": "leasing", "amount_fen": 12_345, "occurred_on": q0, "counterparty": "快递柜", "description": "场地租金" }),
    )
    .await
    .expect(201);
    let s = app
        .post(
            &format!("/api/v1/estates/{estate}/statements"),
            As::Bearer(&committee),
            json!({ "account": "common_income", "period_from": q0, "opening_fen": 0, "closing_fen": 12_345 }),
        )
        .await
        .expect(201);
    assert_eq!(s.body["company_id"], serde_json::Value::Null);
}
both!(without_a_company_the_committee_keeps_the_accounts);

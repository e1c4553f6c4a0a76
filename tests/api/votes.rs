//! Owners' votes: Art. 278 thresholds through the database's aggregate tally at their exact
//! boundaries, a property test against an in-memory tally, and the whole flow over HTTP.

use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng};
use redprop::db::votes::{HistoryRow, NewBallot, OptionRow, RollRow, VoteRow};
use redprop::domain::ids;
use serde_json::{json, Value};

/// Writes a ballot straight into the database (seeding tallies of votes open or closed).
fn seed_ballot(
    c: &mut redprop::db::AnyConnection,
    h: &HistoryRow,
    selections: &[String],
) -> redprop::error::AppResult<()> {
    let ballot = NewBallot {
        history: h.clone(),
        selections: selections.to_vec(),
        event: redprop::db::audit::Event {
            actor: redprop::db::audit::Actor::system("test"),
            action: "ballot.cast",
            target_type: "vote",
            target_id: h.vote_id.clone(),
            change: json!({}),
        },
    };
    // Seeded votes are usually closed already; `record` refuses ballots for those, so the vote
    // is reopened for the moment of writing and closed again.
    let mut v = redprop::db::votes::get(c, &h.vote_id)?.expect("the vote is seeded first");
    let closes_at = v.closes_at;
    v.closes_at = chrono::NaiveDateTime::MAX;
    redprop::db::votes::save(c, &v)?;
    let outcome = redprop::db::votes::record(c, &[ballot])?;
    v.closes_at = closes_at;
    redprop::db::votes::save(c, &v)?;
    assert_eq!(outcome, vec![Ok(())]);
    Ok(())
}

use crate::both;
use crate::fixtures::open_vote_with_one_owner;
use crate::support::futures_join;
use crate::support::{As, TestApp};

/// A closed vote of `category` written straight into the database with a roll of `voters`
/// (area, designated owner) and the given ballots (voter index, choice), so that the tally runs
/// through the real aggregate queries on either backend.
pub(crate) fn closed_vote(
    app: &TestApp,
    estate: &str,
    category: i32,
    voters: &[i64],
    ballots: &[(usize, &str)],
) -> VoteRow {
    let now = ids::now();
    let v = VoteRow {
        id: ids::new_id(),
        estate_id: estate.into(),
        category,
        title: "t".into(),
        question: "q".into(),
        kind: "question".into(),
        seats: None,
        election_id: None,
        proposal_id: None,
        convenor: "owners_committee".into(),
        include_parking: false,
        notice_posted_on: ids::today(),
        opens_at: now - Duration::hours(2),
        closes_at: now - Duration::hours(1),
        extension_reason: None,
        opened_at: Some(now - Duration::hours(2)),
        roll_fingerprint: Some("f".into()),
        total_area: Some(voters.iter().sum()),
        total_heads: Some(voters.len() as i64),
        created_by: "test".into(),
        created_at: now - Duration::days(20),
        runoff_of: None,
        runoff_place: None,
    };
    let roll: Vec<RollRow> = voters
        .iter()
        .enumerate()
        .map(|(i, a)| RollRow {
            vote_id: v.id.clone(),
            voter_id: format!("v{i:05}"),
            voter_key: format!("unit:{i}"),
            area_centi: *a,
            unit_count: 1,
            designated_owner_id: None,
        })
        .collect();
    app.state
        .db
        .write_blocking(|c| {
            redprop::db::votes::insert(c, &v)?;
            redprop::db::votes::insert_roll(c, &roll)?;
            for (i, choice) in ballots {
                let h = HistoryRow {
                    id: ids::new_id(),
                    vote_id: v.id.clone(),
                    voter_id: format!("v{i:05}"),
                    choice: choice.to_string(),
                    selections: String::new(),
                    channel: "online".into(),
                    paper_ref: None,
                    cast_by: "test".into(),
                    receipt: format!("r{i}"),
                    cast_at: now - Duration::minutes(90),
                };
                seed_ballot(c, &h, &[])?;
            }
            Ok(())
        })
        .unwrap();
    v
}

fn outcome(app: &TestApp, v: &VoteRow) -> String {
    app.state
        .db
        .read_blocking(|c| redprop::http::votes::result_of(c, v))
        .unwrap()
        .outcome
        .as_str()
        .to_string()
}

async fn registry_estate(app: &TestApp, admin: &str) -> String {
    let k = app.county(admin).await;
    app.estate(admin, "投票小区", &k.comm_a).await
}

/// 12 voters of area 100 each except voter 0 (area 1200): total 2300 area, 12 heads.
/// Two thirds: 1534 area (1533.3…), 8 heads.
async fn thresholds_at_their_boundaries(app: TestApp) {
    let admin = app.admin_token().await;
    let estate = registry_estate(&app, &admin).await;
    let mut areas = vec![100i64; 12];
    areas[0] = 1200;
    let ballots = |yes: &[usize], no: &[usize], abstain: &[usize]| -> Vec<(usize, &'static str)> {
        yes.iter()
            .map(|i| (*i, "yes"))
            .chain(no.iter().map(|i| (*i, "no")))
            .chain(abstain.iter().map(|i| (*i, "abstain")))
            .collect()
    };
    let run = |cat: i32, b: Vec<(usize, &'static str)>| outcome(&app, &closed_vote(&app, &estate, cat, &areas, &b));
    // Participation by heads: 7 voters (1800 area >= 1534 but 7*3 < 24) fails; 8 passes.
    assert_eq!(run(4, ballots(&[0, 1, 2, 3, 4, 5, 6], &[], &[])), "failed_quorum");
    assert_eq!(run(4, ballots(&[0, 1, 2, 3, 4, 5, 6, 7], &[], &[])), "passed");
    // Participation by area: 11 small voters = 1100 area (< 2/3 of 2300) with 11 heads fails.
    assert_eq!(
        run(4, ballots(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], &[], &[])),
        "failed_quorum"
    );
    // Simple majority by heads, quorum of 8 voters (0..8, area 1900): 4 yes of 8 heads is not
    // more than half even with the big area; 5 is.
    assert_eq!(run(4, ballots(&[0, 1, 2, 3], &[4, 5, 6, 7], &[])), "rejected");
    assert_eq!(run(4, ballots(&[0, 1, 2, 3, 4], &[5, 6, 7], &[])), "passed");
    // Simple majority by area: 7 small yes (700) of 1900 voted area fails although 7 of 8 heads.
    assert_eq!(run(4, ballots(&[1, 2, 3, 4, 5, 6, 7], &[0], &[])), "rejected");
    // Abstentions count as voting, not as agreeing: 4 yes + 4 abstain is rejected.
    assert_eq!(run(9, ballots(&[0, 1, 2, 3], &[], &[4, 5, 6, 7])), "rejected");
    // Three quarters (categories 6–8), quorum of 12 voters (2300 area, 12 heads):
    // 9 heads yes with the big area = 2000/2300 area (>= 3/4), 9/12 heads (= 3/4): passes;
    // 8 heads: below; by area: 11 small yes = 1100 (< 3/4 of 2300) fails although 11 heads.
    for cat in [6, 7, 8] {
        assert_eq!(
            run(cat, ballots(&[0, 1, 2, 3, 4, 5, 6, 7, 8], &[9, 10, 11], &[])),
            "passed",
            "category {cat}"
        );
        assert_eq!(
            run(cat, ballots(&[0, 1, 2, 3, 4, 5, 6, 7], &[8, 9, 10, 11], &[])),
            "rejected",
            "category {cat}"
        );
        assert_eq!(
            run(cat, ballots(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], &[0], &[])),
            "rejected",
            "category {cat}"
        );
    }
    // The same 8-of-12 split passes a simple-majority category.
    assert_eq!(
        run(5, ballots(&[0, 1, 2, 3, 4, 5, 6, 7], &[8, 9, 10, 11], &[])),
        "passed"
    );

    // Area at the exact 3/4 boundary: voted area 400 (4 voters of 100), yes 300 = 3/4: passes;
    // with one voter of 101 in the no camp (voted 401), 300*4 < 401*3: rejected. Heads 3/4 both.
    let exact = [100i64, 100, 100, 100];
    let v = closed_vote(&app, &estate, 7, &exact, &ballots(&[0, 1, 2], &[3], &[]));
    assert_eq!(outcome(&app, &v), "passed");
    let v = closed_vote(&app, &estate, 7, &[100, 100, 100, 101], &ballots(&[0, 1, 2], &[3], &[]));
    assert_eq!(outcome(&app, &v), "rejected");
    let v = closed_vote(&app, &estate, 7, &[100, 100, 100, 99], &ballots(&[0, 1, 2], &[3], &[]));
    assert_eq!(outcome(&app, &v), "passed");
}
both!(thresholds_at_their_boundaries);

/// The database's tally equals a straightforward in-memory one, on random rolls and ballots.
async fn tally_matches_an_in_memory_count(app: TestApp) {
    let admin = app.admin_token().await;
    let estate = registry_estate(&app, &admin).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(278);
    for round in 0..25 {
        let n = rng.gen_range(1..60);
        let areas: Vec<i64> = (0..n).map(|_| rng.gen_range(1..50_000)).collect();
        let mut ballots = Vec::new();
        for i in 0..n {
            match rng.gen_range(0..5) {
                0 => {}
                1 => ballots.push((i, "no")),
                2 => ballots.push((i, "abstain")),
                _ => ballots.push((i, "yes")),
            }
        }
        // Some voters change their mind: the last ballot counts.
        let changes: Vec<(usize, &str)> = ballots
            .iter()
            .filter(|_| rng.gen_bool(0.2))
            .map(|(i, _)| (*i, "no"))
            .collect();
        let all: Vec<(usize, &str)> = ballots.iter().cloned().chain(changes.iter().cloned()).collect();
        let category = rng.gen_range(1..=9);
        let v = closed_vote(&app, &estate, category, &areas, &all);
        let mut last = std::collections::BTreeMap::new();
        for (i, c) in &all {
            last.insert(*i, *c);
        }
        let mut f = redprop::domain::voting::Figures {
            total_area: areas.iter().sum(),
            total_heads: n as i64,
            ..Default::default()
        };
        for (i, c) in &last {
            match *c {
                "yes" => (f.yes_area, f.yes_heads) = (f.yes_area + areas[*i], f.yes_heads + 1),
                "no" => (f.no_area, f.no_heads) = (f.no_area + areas[*i], f.no_heads + 1),
                _ => (f.abstain_area, f.abstain_heads) = (f.abstain_area + areas[*i], f.abstain_heads + 1),
            }
        }
        let r = app
            .state
            .db
            .read_blocking(|c| redprop::http::votes::result_of(c, &v))
            .unwrap();
        let t = r.tally.as_ref().expect("a question has a yes/no tally");
        assert_eq!(
            (
                t.yes_area_centi_m2,
                t.yes_heads,
                t.no_area_centi_m2,
                t.no_heads,
                t.abstain_area_centi_m2,
                t.abstain_heads,
                t.total_area_centi_m2,
                t.total_heads
            ),
            (
                f.yes_area,
                f.yes_heads,
                f.no_area,
                f.no_heads,
                f.abstain_area,
                f.abstain_heads,
                f.total_area,
                f.total_heads
            ),
            "round {round}"
        );
        let expected =
            redprop::domain::voting::outcome(redprop::domain::voting::Category::from_number(category).unwrap(), &f);
        assert_eq!(r.outcome, expected, "round {round}");
        let receipts = app
            .state
            .db
            .read_blocking(|c| redprop::db::votes::receipts_page(c, &v.id, None, i64::MAX))
            .unwrap();
        assert_eq!(receipts.len(), last.len());
    }
}
both!(tally_matches_an_in_memory_count);

/// An election ballot through the database: support per candidate by area and heads.
async fn election_tally(app: TestApp) {
    let admin = app.admin_token().await;
    let estate = registry_estate(&app, &admin).await;
    let mut v = closed_vote(&app, &estate, 3, &[100, 100, 100, 100, 100], &[]);
    v.kind = "election".into();
    v.seats = Some(1);
    let options: Vec<OptionRow> = ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(i, o)| OptionRow {
            vote_id: v.id.clone(),
            option_id: o.to_string(),
            label: o.to_uppercase(),
            position: i as i32,
        })
        .collect();
    let choose = |i: usize, sel: &[&str]| HistoryRow {
        id: ids::new_id(),
        vote_id: v.id.clone(),
        voter_id: format!("v{i:05}"),
        choice: "election".into(),
        selections: sel.join(","),
        channel: "online".into(),
        paper_ref: None,
        cast_by: "t".into(),
        receipt: format!("r{i}"),
        cast_at: ids::now() - Duration::minutes(90),
    };
    app.state
        .db
        .write_blocking(|c| {
            redprop::db::votes::save(c, &v)?;
            redprop::db::votes::insert_options(c, &options)?;
            // 4 of 5 voted. a: 3 voters (elected), b: 2 (exactly half: alternate), c: 1.
            seed_ballot(c, &choose(0, &["a"]), &["a".into()])?;
            seed_ballot(c, &choose(1, &["a", "b"]), &["a".into(), "b".into()])?;
            seed_ballot(c, &choose(2, &["b", "c"]), &["b".into(), "c".into()])?;
            seed_ballot(c, &choose(3, &["a"]), &["a".into()])?;
            // Voter 3 changes their mind: the earlier selection is replaced, not added.
            seed_ballot(c, &choose(3, &["a"]), &["a".into()])?;
            Ok(())
        })
        .unwrap();
    let r = app
        .state
        .db
        .read_blocking(|c| redprop::http::votes::result_of(c, &v))
        .unwrap();
    assert_eq!(r.outcome, redprop::domain::voting::Outcome::Passed);
    use redprop::domain::voting::CandidateOutcome as O;
    let results: Vec<(String, i64, O)> = r
        .candidates
        .iter()
        .map(|c| (c.option_id.clone(), c.yes_heads, c.result))
        .collect();
    assert_eq!(
        results,
        [
            ("a".into(), 3, O::Elected),
            ("b".into(), 2, O::Alternate),
            ("c".into(), 1, O::NotElected)
        ]
    );
    // Turnout, support per candidate, and no yes/no/abstain figures that do not apply.
    assert_eq!(r.turnout.voted_heads, 4);
    assert_eq!(r.turnout.voted_area_centi_m2, 400);
    assert!(r.tally.is_none());
    assert_eq!(r.decided, Some(true));
}
both!(election_tally);

fn days_ago(d: i64) -> String {
    ((Utc::now() + Duration::hours(8)).date_naive() - Duration::days(d)).to_string()
}

async fn the_whole_flow_over_http(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "和园", &k.comm_a).await;
    let other = app.estate(&admin, "别处", &k.comm_b).await;
    let csv = "楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,共有人,销售状态\n\
               1号楼,101,100,实测,段强建,140425198111138173,,已交付\n\
               1号楼,102,50,实测,段强建,140425198111138173,,已交付\n\
               1号楼,103,80,实测,蔡敏,140425197802218020,廖刚珍,已交付\n\
               1号楼,104,70,实测,,,,未售\n";
    app.import(&admin, &estate, csv.as_bytes().to_vec()).await.expect(201);
    app.import(
        &admin,
        &other,
        "楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,销售状态\n1号楼,101,90,实测,文兰,140425198301063491,已交付\n"
            .as_bytes()
            .to_vec(),
    )
    .await
    .expect(201);
    app.create_user(
        &admin,
        "committee",
        "committee-password",
        &[("committee", Some(&estate))],
    )
    .await;
    let committee = app.login("committee", "committee-password").await;
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
    let duan = app.owner_account(&admin, &id_of("段强建"), "duan").await;
    let cai = app.owner_account(&admin, &id_of("蔡敏"), "cai").await;
    let liao = app.owner_account(&admin, &id_of("廖刚珍"), "liao").await;
    let other_owner_id = app
        .get(&format!("/api/v1/estates/{other}/owners"), As::Bearer(&admin))
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let wen = app.owner_account(&admin, &other_owner_id, "wen").await;

    let votes_path = format!("/api/v1/estates/{estate}/votes");
    let announce = |body: Value| app.post(&votes_path, As::Bearer(&committee), body);
    let body = |opens_in: Duration, closes_in: Duration| {
        json!({ "category": 4, "title": "续聘物业", "question": "是否续聘和顺物业？", "kind": "question", "convenor": "owners_committee",
                "opens_at": app.at(opens_in), "closes_at": app.at(closes_in) })
    };
    // Announced now, the vote opens after 15 full days of notice (the day of announcement not
    // counted): 15 days from now is too early, 16 is not.
    assert_eq!(
        announce(body(Duration::days(15), Duration::days(16))).await.body["errors"][0]["code"],
        "notice_too_short"
    );
    // A paper notice posted earlier shortens nothing: the notice runs from the announcement.
    let mut backdated = body(Duration::minutes(1), Duration::days(1));
    backdated["notice_posted_on"] = json!(days_ago(20));
    assert_eq!(announce(backdated).await.body["errors"][0]["code"], "notice_too_short");
    app.post(
        &format!("/api/v1/estates/{estate}/votes"),
        As::Bearer(&duan),
        body(Duration::days(16), Duration::days(17)),
    )
    .await
    .problem(403);
    let early = announce(body(Duration::days(17), Duration::days(18)))
        .await
        .expect(201)
        .s("id");
    let vid = announce(body(Duration::days(16), Duration::days(16) + Duration::hours(1)))
        .await
        .expect(201)
        .s("id");
    app.advance(Duration::days(16) + Duration::minutes(1));
    assert_eq!(
        app.post(
            &format!("/api/v1/votes/{early}/opening"),
            As::Bearer(&committee),
            json!({})
        )
        .await
        .problem(422),
        "too_early"
    );
    app.post(
        &format!("/api/v1/votes/{vid}/ballots"),
        As::Bearer(&duan),
        json!({ "choice": "yes" }),
    )
    .await
    .problem(404);
    let opened = app
        .post(
            &format!("/api/v1/votes/{vid}/opening"),
            As::Bearer(&committee),
            json!({}),
        )
        .await
        .expect(200);
    // Roll: 段 (two units, one head, 150), 蔡+廖 (one head, 80), the developer (70): 300 area, 3 heads.
    assert_eq!(opened.body["total_heads"], 3);
    assert_eq!(opened.body["total_area_centi_m2"], 30000);
    assert_eq!(opened.body["roll_fingerprint"].as_str().unwrap().len(), 64);
    app.post(
        &format!("/api/v1/votes/{vid}/opening"),
        As::Bearer(&committee),
        json!({}),
    )
    .await
    .problem(409);

    // Changing the registry after opening changes nothing in the frozen roll.
    app.import(
        &admin,
        &estate,
        "楼栋,房号,建筑面积,面积来源,销售状态\n2号楼,101,999,实测,未售\n"
            .as_bytes()
            .to_vec(),
    )
    .await
    .expect(201);
    assert_eq!(
        app.get(&format!("/api/v1/votes/{vid}"), As::Bearer(&duan)).await.body["total_area_centi_m2"],
        30000
    );

    // 段 votes no, then yes: the last counts, history kept. 廖 is a co-owner but not designated.
    let first = app
        .post(
            &format!("/api/v1/votes/{vid}/ballots"),
            As::Bearer(&duan),
            json!({ "choice": "no" }),
        )
        .await
        .expect(201);
    let second = app
        .post(
            &format!("/api/v1/votes/{vid}/ballots"),
            As::Bearer(&duan),
            json!({ "choice": "yes" }),
        )
        .await
        .expect(201);
    assert_ne!(first.s("receipt"), second.s("receipt"));
    app.post(
        &format!("/api/v1/votes/{vid}/ballots"),
        As::Bearer(&liao),
        json!({ "choice": "no" }),
    )
    .await
    .problem(404);
    app.post(
        &format!("/api/v1/votes/{vid}/ballots"),
        As::Bearer(&wen),
        json!({ "choice": "no" }),
    )
    .await
    .problem(404);
    assert_eq!(
        app.post(
            &format!("/api/v1/votes/{vid}/ballots"),
            As::Bearer(&cai),
            json!({ "selections": [] })
        )
        .await
        .body["errors"][0]["field"],
        "choice"
    );
    app.post(
        &format!("/api/v1/votes/{vid}/ballots"),
        As::Bearer(&cai),
        json!({ "choice": "abstain" }),
    )
    .await
    .expect(201);
    let mine = app
        .get(&format!("/api/v1/votes/{vid}/my-ballot"), As::Bearer(&duan))
        .await
        .expect(200);
    assert_eq!(mine.body["entries"][0]["history"].as_array().unwrap().len(), 2);
    assert_eq!(mine.body["entries"][0]["current"]["receipt"], second.body["receipt"]);
    assert_eq!(mine.body["entries"][0]["area_centi_m2"], 15000);
    app.get(&format!("/api/v1/votes/{vid}/my-ballot"), As::Bearer(&wen))
        .await
        .problem(404);

    // Paper ballots: the developer's, entered by the convenor. A paper ballot prevails.
    let roll = app
        .get(&format!("/api/v1/votes/{vid}/roll"), As::Bearer(&committee))
        .await
        .expect(200);
    let voter = |key: &str| {
        roll.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["voter_key"].as_str().unwrap().starts_with(key))
            .unwrap()["voter_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let developer = voter("developer");
    app.get(&format!("/api/v1/votes/{vid}/roll"), As::Bearer(&duan))
        .await
        .problem(403);
    app.post(
        &format!("/api/v1/votes/{vid}/paper-ballots"),
        As::Bearer(&committee),
        json!({ "voter_id": developer, "choice": "no", "paper_ref": "scan-001" }),
    )
    .await
    .expect(201);
    let cai_voter = app
        .get(&format!("/api/v1/votes/{vid}/my-ballot"), As::Bearer(&cai))
        .await
        .body["entries"][0]["voter_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/api/v1/votes/{vid}/paper-ballots"),
        As::Bearer(&committee),
        json!({ "voter_id": cai_voter, "choice": "yes", "paper_ref": "scan-002" }),
    )
    .await
    .expect(201);
    let refused = app
        .post(
            &format!("/api/v1/votes/{vid}/ballots"),
            As::Bearer(&cai),
            json!({ "choice": "no" }),
        )
        .await;
    assert_eq!(refused.problem(409), "paper_ballot_recorded");

    // Turnout for the convenor only, never the split; no result while open.
    let t = app
        .get(&format!("/api/v1/votes/{vid}/turnout"), As::Bearer(&committee))
        .await
        .expect(200);
    assert_eq!(
        (t.body["voted_heads"].as_i64(), t.body["voted_area_centi_m2"].as_i64()),
        (Some(3), Some(30000))
    );
    app.get(&format!("/api/v1/votes/{vid}/turnout"), As::Bearer(&duan))
        .await
        .problem(403);
    assert_eq!(
        app.get(&format!("/api/v1/votes/{vid}/result"), As::Bearer(&duan))
            .await
            .problem(409),
        "vote_not_closed"
    );
    assert_eq!(
        app.get(&format!("/api/v1/votes/{vid}/receipts"), As::Bearer(&duan))
            .await
            .problem(409),
        "vote_not_closed",
        "receipts are published with the result"
    );

    // Close (an hour later), then nothing changes; the result is published.
    app.advance(Duration::hours(1));
    assert_eq!(
        app.post(
            &format!("/api/v1/votes/{vid}/ballots"),
            As::Bearer(&duan),
            json!({ "choice": "no" })
        )
        .await
        .problem(409),
        "vote_not_open"
    );
    app.post(
        &format!("/api/v1/votes/{vid}/extension"),
        As::Bearer(&committee),
        json!({ "closes_at": app.at(Duration::minutes(60)), "reason": "late" }),
    )
    .await
    .problem(409);
    let r = app
        .get(&format!("/api/v1/votes/{vid}/result"), As::Bearer(&duan))
        .await
        .expect(200);
    let t = &r.body["tally"];
    // Yes: 段 150 + 蔡 80 (paper) = 230 of 300, 2 of 3 heads; no: developer 70, 1 head.
    assert_eq!(
        (t["yes_area_centi_m2"].as_i64(), t["yes_heads"].as_i64()),
        (Some(23000), Some(2))
    );
    assert_eq!(
        (t["no_area_centi_m2"].as_i64(), t["no_heads"].as_i64()),
        (Some(7000), Some(1))
    );
    assert_eq!(
        t["participation_heads"],
        json!({ "numerator": 3, "denominator": 3, "basis_points": 10000 })
    );
    assert_eq!(r.body["outcome"], "passed");
    assert_eq!(r.body["roll_fingerprint"], opened.body["roll_fingerprint"]);
    assert!(r.body.get("receipts").is_none(), "receipts are their own list");
    // The receipts, two a page, in order, each once; the superseded ballot's is not among them.
    let mut receipts: Vec<String> = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(
                &format!("/api/v1/votes/{vid}/receipts?limit=2{cursor}"),
                As::Bearer(&duan),
            )
            .await
            .expect(200);
        for item in page.body["items"].as_array().unwrap() {
            receipts.push(item["receipt"].as_str().unwrap().to_string());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(receipts.len(), 3);
    assert!(receipts.windows(2).all(|w| w[0] < w[1]), "{receipts:?}");
    let (counted, superseded) = (second.s("receipt"), first.s("receipt"));
    assert!(receipts.contains(&counted));
    assert!(!receipts.contains(&superseded), "the superseded ballot is not counted");
    // One receipt checked on its own.
    let one = app
        .get(&format!("/api/v1/votes/{vid}/receipts/{counted}"), As::Bearer(&duan))
        .await
        .expect(200);
    assert_eq!(one.body["receipt"], json!(counted));
    assert_eq!(one.body["channel"], "online");
    app.get(&format!("/api/v1/votes/{vid}/receipts/{superseded}"), As::Bearer(&duan))
        .await
        .problem(404);
    app.get(&format!("/api/v1/votes/{vid}/receipts"), As::Bearer(&wen))
        .await
        .problem(404);
    app.get(&format!("/api/v1/votes/{vid}/result"), As::Bearer(&wen))
        .await
        .problem(404);
}
both!(the_whole_flow_over_http);

async fn concurrent_ballots_of_one_owner_leave_one(app: TestApp) {
    let (admin, vid, token) = open_vote_with_one_owner(&app, "并发", Duration::minutes(60)).await;
    let path = format!("/api/v1/votes/{vid}/ballots");
    let sends = (0..16).map(|i| {
        app.post(
            &path,
            As::Bearer(&token),
            json!({ "choice": if i % 2 == 0 { "yes" } else { "no" } }),
        )
    });
    let results = futures_join(sends).await;
    assert!(
        results.iter().all(|r| r.status.as_u16() == 201),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let t = app
        .get(&format!("/api/v1/votes/{vid}/turnout"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(t.body["voted_heads"], 1, "exactly one ballot counts");
    let mine = app
        .get(&format!("/api/v1/votes/{vid}/my-ballot"), As::Bearer(&token))
        .await
        .expect(200);
    assert_eq!(mine.body["entries"][0]["history"].as_array().unwrap().len(), 16);
}
both!(concurrent_ballots_of_one_owner_leave_one);

/// Open votes' rolls are kept in memory for checking ballots; an extension must still be seen:
/// ballots are taken after the first closing time, and refused after the extended one.
async fn ballots_follow_an_extended_closing_time(app: TestApp) {
    let (admin, vid, token) = open_vote_with_one_owner(&app, "延期", Duration::minutes(2)).await;
    let path = format!("/api/v1/votes/{vid}/ballots");
    app.post(&path, As::Bearer(&token), json!({ "choice": "yes" }))
        .await
        .expect(201);
    app.post(
        &format!("/api/v1/votes/{vid}/extension"),
        As::Bearer(&admin),
        json!({ "closes_at": app.at(Duration::minutes(4)), "reason": "turnout is short" }),
    )
    .await
    .expect(200);
    app.advance(Duration::seconds(150));
    app.post(&path, As::Bearer(&token), json!({ "choice": "no" }))
        .await
        .expect(201);
    app.advance(Duration::seconds(120));
    assert_eq!(
        app.post(&path, As::Bearer(&token), json!({ "choice": "yes" }))
            .await
            .problem(409),
        "vote_not_open"
    );
    let r = app
        .get(&format!("/api/v1/votes/{vid}/result"), As::Bearer(&token))
        .await
        .expect(200);
    assert_eq!(
        (
            r.body["tally"]["yes_heads"].as_i64(),
            r.body["tally"]["no_heads"].as_i64()
        ),
        (Some(0), Some(1)),
        "the ballot cast in the extension counts"
    );
}
both!(ballots_follow_an_extended_closing_time);

async fn major_matters_follow_every_step(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "德胜苑", &k.comm_a).await;
    let company = app.create_company(&admin, 0, &k.county).await;
    app.post(
        &format!("/api/v1/companies/{company}/contracts"),
        As::Bearer(&admin),
        json!({ "estate_id": estate, "kind": "service", "starts_on": "2024-01-01" }),
    )
    .await
    .expect(201);
    let key = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&admin),
            json!({ "company_id": company, "name": "k" }),
        )
        .await
        .s("key");
    app.create_user(
        &admin,
        "committee",
        "committee-password",
        &[("committee", Some(&estate))],
    )
    .await;
    app.create_user(&admin, "branch", "branch-password-1", &[("party_org", Some(&k.comm_a))])
        .await;
    let committee = app.login("committee", "committee-password").await;
    let branch = app.login("branch", "branch-password-1").await;
    let p = app
        .post(
            &format!("/api/v1/estates/{estate}/proposals"),
            As::Bearer(&committee),
            json!({ "title": "差异化物业费标准", "summary": "按楼层与服务等级分档收费", "category": 9 }),
        )
        .await
        .expect(201)
        .s("id");
    app.post(
        &format!("/api/v1/estates/{estate}/proposals"),
        As::Key(&key),
        json!({ "title": "x", "summary": "x", "category": 9 }),
    )
    .await
    .problem(401);
    let vote_body = |proposal: &str| json!({ "category": 9, "title": "差异化收费", "question": "是否同意？", "kind": "question", "convenor": "owners_committee", "proposal_id": proposal, "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(17)) });
    // No step may be skipped: review before all three endorsed, vote before approval.
    assert_eq!(
        app.post(
            &format!("/api/v1/proposals/{p}/review"),
            As::Bearer(&branch),
            json!({ "approved": true, "reasons": "ok" })
        )
        .await
        .problem(409),
        "proposal_not_proposed"
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/estates/{estate}/votes"),
            As::Bearer(&committee),
            vote_body(&p)
        )
        .await
        .problem(422),
        "proposal_not_approved"
    );
    // Each party endorses for itself only.
    app.post(
        &format!("/api/v1/proposals/{p}/endorsements"),
        As::Bearer(&committee),
        json!({ "party": "property_company" }),
    )
    .await
    .problem(403);
    app.post(
        &format!("/api/v1/proposals/{p}/endorsements"),
        As::Bearer(&branch),
        json!({ "party": "estate_party_branch" }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/proposals/{p}/endorsements"),
        As::Bearer(&committee),
        json!({ "party": "owners_committee" }),
    )
    .await
    .expect(200);
    let proposed = app
        .post(
            &format!("/api/v1/proposals/{p}/endorsements"),
            As::Key(&key),
            json!({ "party": "property_company" }),
        )
        .await
        .expect(200);
    assert_eq!(proposed.body["status"], "proposed");
    app.post(
        &format!("/api/v1/proposals/{p}/review"),
        As::Bearer(&committee),
        json!({ "approved": true, "reasons": "ok" }),
    )
    .await
    .problem(403);
    let rejected = app
        .post(
            &format!("/api/v1/proposals/{p}/review"),
            As::Bearer(&branch),
            json!({ "approved": false, "reasons": "收费分档依据不足，请补充测算" }),
        )
        .await
        .expect(200);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["review_reasons"], "收费分档依据不足，请补充测算");
    assert_eq!(
        app.post(
            &format!("/api/v1/estates/{estate}/votes"),
            As::Bearer(&committee),
            vote_body(&p)
        )
        .await
        .problem(422),
        "proposal_not_approved"
    );

    // A second proposal goes through and may be put to the vote.
    let p2 = app
        .post(
            &format!("/api/v1/estates/{estate}/proposals"),
            As::Bearer(&committee),
            json!({ "title": "差异化物业费标准（修订）", "summary": "补充测算", "category": 9 }),
        )
        .await
        .expect(201)
        .s("id");
    app.post(
        &format!("/api/v1/proposals/{p2}/endorsements"),
        As::Bearer(&branch),
        json!({ "party": "estate_party_branch" }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/proposals/{p2}/endorsements"),
        As::Bearer(&committee),
        json!({ "party": "owners_committee" }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/proposals/{p2}/endorsements"),
        As::Key(&key),
        json!({ "party": "property_company" }),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/proposals/{p2}/review"),
        As::Bearer(&branch),
        json!({ "approved": true, "reasons": "同意提交业主大会表决" }),
    )
    .await
    .expect(200);
    let wrong_category = json!({ "category": 8, "title": "x", "question": "x", "kind": "question", "convenor": "owners_committee", "proposal_id": p2, "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(17)) });
    assert_eq!(
        app.post(
            &format!("/api/v1/estates/{estate}/votes"),
            As::Bearer(&committee),
            wrong_category
        )
        .await
        .body["errors"][0]["field"],
        "proposal_id"
    );
    let v = app
        .post(
            &format!("/api/v1/estates/{estate}/votes"),
            As::Bearer(&committee),
            vote_body(&p2),
        )
        .await
        .expect(201);
    assert_eq!(v.body["proposal_id"], json!(p2));
    let got = app
        .get(&format!("/api/v1/proposals/{p2}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(got.body["status"], "approved");
    assert!(
        got.body["branch_endorsed_at"].is_string()
            && got.body["committee_endorsed_at"].is_string()
            && got.body["company_endorsed_at"].is_string()
    );
}
both!(major_matters_follow_every_step);

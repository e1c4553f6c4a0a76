//! Benchmark of the owners' accounts (issue 29): publishing a statement of 5,000 lines (they are
//! read, reconciled, checked against the owners' share and stored with the statement), a
//! county's disclosure figures over 3,000 estates, and a page of 50 lines of that statement and
//! of 50 entries, before and after the county's accounts grow tenfold.
//!
//!   scripts/bench/money                                   # SQLite
//!   scripts/bench/money postgres://postgres@127.0.0.1/postgres
//!
//! Knobs (environment): BENCH_MONEY_ESTATES (3000), BENCH_MONEY_LINES (5000), BENCH_MONEY_REPEAT (5).

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};
use redprop::db::companies::{CompanyRow, ContractRow};
use redprop::db::money::{EntryRow, FeeStandardRow};
use redprop::domain::ids;
use support::{env, Bench};

fn previous_quarter(day: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1).unwrap();
    let prev = first - Duration::days(1);
    NaiveDate::from_ymd_opt(prev.year(), prev.month0() / 3 * 3 + 1, 1).unwrap()
}

/// `n` entries of common income of an estate in the quarter from `from`: income, and a cost of
/// a tenth of it every tenth entry (within a 30% share).
fn entries(estate: &str, n: usize, from: NaiveDate) -> Vec<EntryRow> {
    let now = ids::now();
    (0..n)
        .map(|i| {
            let cost = i % 10 == 9;
            EntryRow {
                id: ids::new_id(),
                estate_id: estate.into(),
                account: "common_income".into(),
                kind: if cost { "cost" } else { "income" }.into(),
                category: if cost { "management" } else { "parking" }.into(),
                amount_fen: if cost { 1_000 } else { 10_000 + i as i64 },
                occurred_on: from + Duration::days((i % 89) as i64),
                counterparty: format!("车主{i}"),
                description: "临时停车费".into(),
                basis_vote_id: None,
                fund_use_id: None,
                balance_fen: None,
                attachments: "[]".into(),
                source: "company".into(),
                company_id: None,
                recorded_by: "bench".into(),
                recorded_at: now,
            }
        })
        .collect()
}

fn millis(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("money") {
        return Ok(());
    }
    let n_estates: usize = env("BENCH_MONEY_ESTATES", "3000").parse()?;
    let n_lines: usize = env("BENCH_MONEY_LINES", "5000").parse()?;
    let repeat: usize = env("BENCH_MONEY_REPEAT", "5").parse()?;
    let mut bench = Bench::new()?;
    eprintln!("seeding {n_estates} estates on {} …", bench.backend);
    let mut estates = Vec::new();
    for i in 0..n_estates {
        estates.push(bench.estate(&format!("小区{i}"), 1, false)?.estate_id);
    }
    let today = ids::today();
    let q = previous_quarter(today);
    let now = ids::now();
    let company = CompanyRow {
        id: ids::new_id(),
        name: "物业公司".into(),
        credit_code: "BENCH0000000000001".into(),
        party_coverage: "none".into(),
        contact_name: None,
        contact_phone: None,
        created_at: now,
        county_id: Some(bench.county.id.clone()),
    };
    let contracts: Vec<ContractRow> = estates
        .iter()
        .map(|e| ContractRow {
            id: ids::new_id(),
            company_id: company.id.clone(),
            estate_id: e.clone(),
            kind: "service".into(),
            starts_on: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            ends_on: None,
            created_at: now,
        })
        .collect();
    let standards: Vec<FeeStandardRow> = estates
        .iter()
        .map(|e| FeeStandardRow {
            id: ids::new_id(),
            estate_id: e.clone(),
            effective_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            basis: "government_price".into(),
            basis_vote_id: None,
            basis_proposal_id: None,
            basis_document: Some("文件".into()),
            complaint_phone: "12345".into(),
            note: String::new(),
            items: "[]".into(),
            company_id: None,
            recorded_by: "bench".into(),
            recorded_at: now,
        })
        .collect();
    // Every estate has ten entries of the quarter (so each owes statements), the first one
    // `n_lines`.
    let mut rows = entries(&estates[0], n_lines, q);
    for e in &estates[1..] {
        rows.extend(entries(e, 10, q));
    }
    let state = bench.state.as_ref().unwrap();
    let county_id = bench.county.id.clone();
    let estate0 = estates[0].clone();
    state
        .db
        .write_blocking(move |c| {
            redprop::db::companies::insert(c, &company)?;
            for k in &contracts {
                redprop::db::companies::insert_contract(c, k)?;
            }
            for s in &standards {
                redprop::db::money::insert_standard(c, s)?;
            }
            redprop::db::money::insert_entries(c, &rows)?;
            // The owners' decision on the company's share, written directly: the bench measures
            // the statement, not the vote.
            redprop::db::money::insert_share(
                c,
                &redprop::db::money::ShareRow {
                    id: ids::new_id(),
                    estate_id: estate0,
                    share_permille: 300,
                    basis_vote_id: "bench".into(),
                    effective_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                    recorded_by: "bench".into(),
                    recorded_at: ids::now(),
                },
            )?;
            let settings = serde_json::json!({ "fund_statement_months": 12, "statement_due_days": 30, "answer_days": 7, "emergencies": ["lift"], "accounts_from": "2025-01-01" });
            redprop::db::money::put_settings(c, &county_id, &settings.to_string(), ids::now())?;
            redprop::db::analyze(c, &["money_entries", "fee_standards", "service_contracts"])
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let admin = bench.account("bench-admin", "admin", "")?;
    let county = bench.county.id.clone();
    let server = bench.serve()?;

    // The statement: income and costs of the seeded entries.
    let income: i64 = (0..n_lines).filter(|i| i % 10 != 9).map(|i| 10_000 + i as i64).sum();
    let costs: i64 = (0..n_lines).filter(|i| i % 10 == 9).count() as i64 * 1_000;
    let t = Instant::now();
    let s = server.post(
        &admin,
        &format!("/api/v1/estates/{}/statements", estates[0]),
        &serde_json::json!({ "account": "common_income", "period_from": q, "opening_fen": 0, "closing_fen": income - costs }),
    )?;
    let publish_ms = millis(t);
    anyhow::ensure!(
        s["line_count"] == serde_json::json!(n_lines),
        "statement not published: {s}"
    );
    let sid = s["id"].as_str().unwrap_or_default().to_string();
    // A correction re-reads and re-stores every line too.
    let mut corrections = Vec::new();
    let mut current = sid.clone();
    for _ in 0..repeat {
        let t = Instant::now();
        let c = server.post(
            &admin,
            &format!("/api/v1/statements/{current}/corrections"),
            &serde_json::json!({ "reason": "bench", "opening_fen": 0, "closing_fen": income - costs }),
        )?;
        corrections.push(millis(t));
        current = c["id"].as_str().unwrap_or_default().to_string();
    }
    let mut disclosure = Vec::new();
    let mut items = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        let d = server.get(&admin, &format!("/api/v1/orgs/{county}/disclosure"))?;
        disclosure.push(millis(t));
        items = d["items"].as_array().map_or(0, Vec::len);
    }
    let mut lines = Vec::new();
    let mut entries_page = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        let l = server.get(&admin, &format!("/api/v1/statements/{current}/lines?limit=50"))?;
        lines.push(millis(t));
        anyhow::ensure!(l["items"].as_array().map_or(0, Vec::len) == 50);
        let t = Instant::now();
        server.get(
            &admin,
            &format!("/api/v1/estates/{}/money-entries?limit=50", estates[0]),
        )?;
        entries_page.push(millis(t));
    }
    println!("| {} | measure | ms |", bench.backend);
    println!("|---|---|---|");
    println!("| | publish a statement of {n_lines} lines (first) | {publish_ms:.1} |");
    println!("| | correct it (median of {repeat}) | {:.1} |", median(corrections));
    println!(
        "| | disclosure of {items} estates (median of {repeat}) | {:.1} |",
        median(disclosure)
    );
    println!("| | 50 lines of the statement (median) | {:.1} |", median(lines));
    println!("| | 50 entries of the estate (median) | {:.1} |", median(entries_page));
    println!("peak memory {:.1} MiB", server.peak_mib());
    Ok(())
}

//! Benchmark of the ratings (issue 15): scoring a campaign of 500 companies, 3,000 estates and
//! 300,000 survey responses (time of the call, the server's peak memory), the same with half the
//! responses (is it linear?), and submitting survey responses at 32 connections beside casting
//! ballots in the same run.
//!
//!   scripts/bench/ratings                                   # SQLite
//!   scripts/bench/ratings postgres://postgres@127.0.0.1/postgres
//!
//! Knobs (environment): BENCH_RATING_COMPANIES (500), BENCH_RATING_ESTATES (3,000),
//! BENCH_RATING_UNITS (units, and so responses, per estate: 100), BENCH_CONNECTIONS (32),
//! BENCH_SECONDS (10).

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use chrono::NaiveDate;
use redprop::db::companies::{CompanyRow, ContractRow};
use redprop::db::ratings::{CampaignRow, ResponseRow};
use redprop::domain::ids;
use support::{env, wrk, Bench};

/// A campaign over the year `year`.
fn campaign(bench: &Bench, name: &str, status: &str, year: i32) -> anyhow::Result<String> {
    let row = CampaignRow {
        id: ids::new_id(),
        county_id: bench.county.id.clone(),
        name: name.into(),
        period_from: NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
        period_until: NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
        config: serde_json::to_string(&redprop::http::ratings::default_config())?,
        status: status.into(),
        created_by: "bench".into(),
        created_at: ids::now(),
        opened_at: Some(ids::now()),
        closed_at: None,
        published_at: None,
    };
    let id = row.id.clone();
    bench
        .state
        .as_ref()
        .unwrap()
        .db
        .write_blocking(move |c| redprop::db::ratings::insert_campaign(c, &row))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(id)
}

/// A company and its contracts (open-ended, from `starts_on`) for `estates`.
fn company(bench: &Bench, i: usize, estates: &[String], starts_on: NaiveDate) -> anyhow::Result<String> {
    let now = ids::now();
    let row = CompanyRow {
        id: ids::new_id(),
        name: format!("物业公司{i:04}"),
        credit_code: format!("BENCH{i:013}"),
        party_coverage: ["own_branch", "joint_branch", "instructor", "none"][i % 4].into(),
        contact_name: None,
        contact_phone: None,
        created_at: now,
        county_id: Some(bench.county.id.clone()),
    };
    let id = row.id.clone();
    let contracts: Vec<ContractRow> = estates
        .iter()
        .map(|e| ContractRow {
            id: ids::new_id(),
            company_id: id.clone(),
            estate_id: e.clone(),
            kind: "service".into(),
            starts_on,
            ends_on: None,
            created_at: now,
        })
        .collect();
    bench
        .state
        .as_ref()
        .unwrap()
        .db
        .write_blocking(move |c| {
            redprop::db::companies::insert(c, &row)?;
            for k in &contracts {
                redprop::db::companies::insert_contract(c, k)?;
            }
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(id)
}

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("ratings") {
        return Ok(());
    }
    let n_companies: usize = env("BENCH_RATING_COMPANIES", "500").parse()?;
    let n_estates: usize = env("BENCH_RATING_ESTATES", "3000").parse()?;
    let units: u32 = env("BENCH_RATING_UNITS", "100").parse()?;
    let connections = env("BENCH_CONNECTIONS", "32");
    let seconds = env("BENCH_SECONDS", "10");
    let mut bench = Bench::new()?;
    eprintln!(
        "seeding {n_estates} estates of {units} owners, {n_companies} companies on {} …",
        bench.backend
    );
    let voters = bench.estate("投票小区", 2000, true)?;
    let admin = bench.account("bench-admin", "admin", "")?;
    let mut estates = Vec::new();
    for i in 0..n_estates {
        if i % 500 == 0 {
            eprintln!("  estate {i} …");
        }
        let e = bench.estate(&format!("小区{i}"), units, false)?;
        estates.push((e.estate_id, e.owner_ids));
    }
    let per = n_estates.div_ceil(n_companies);
    let mut companies = Vec::new();
    // Every other company took its estates over in mid-2025: it has served a whole year in
    // 2026, not in 2025 — so a 2025 campaign rates half the companies, estates and responses.
    let since = |i: usize| match i % 2 {
        0 => NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        _ => NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    };
    for (i, chunk) in estates.chunks(per).enumerate() {
        let ids: Vec<String> = chunk.iter().map(|(e, _)| e.clone()).collect();
        companies.push((company(&bench, i, &ids, since(i))?, chunk.to_vec()));
    }
    // The voters' estate is served too, for the survey's load.
    company(
        &bench,
        n_companies + 1,
        std::slice::from_ref(&voters.estate_id),
        since(0),
    )?;

    // Campaigns closed for scoring. Over 2026 (every company rated): every owner answered the
    // first, half of them the second, none the third (what a run costs whatever the responses:
    // per estate and company). Over 2025: half the data — half the companies, their estates,
    // every owner of those answering.
    let full = campaign(&bench, "全量", "scoring", 2026)?;
    let half = campaign(&bench, "半量", "scoring", 2026)?;
    let none = campaign(&bench, "无答卷", "scoring", 2026)?;
    let half_data = campaign(&bench, "半数据", "scoring", 2025)?;
    let open = campaign(&bench, "测评中", "open", 2025)?;
    let now = ids::now();
    let mut total = 0usize;
    for (i, (company_id, chunk)) in companies.iter().enumerate() {
        for (estate_id, owners) in chunk {
            let rows = |campaign: &str, take: usize| -> Vec<ResponseRow> {
                owners
                    .iter()
                    .take(take)
                    .enumerate()
                    .map(|(i, o)| ResponseRow {
                        campaign_id: campaign.into(),
                        estate_id: estate_id.clone(),
                        owner_id: o.clone(),
                        company_id: company_id.clone(),
                        answers: format!(
                            "{},{},{},{}",
                            1 + i % 5,
                            1 + (i / 2) % 5,
                            1 + (i / 3) % 5,
                            1 + (i / 5) % 5
                        ),
                        comment: None,
                        submitted_at: now,
                        channel: "online".into(),
                        entered_by: None,
                        paper_ref: None,
                    })
                    .collect()
            };
            let (a, b) = (rows(&full, owners.len()), rows(&half, owners.len() / 2));
            let c = if i % 2 == 0 {
                rows(&half_data, owners.len())
            } else {
                Vec::new()
            };
            total += a.len();
            bench
                .state
                .as_ref()
                .unwrap()
                .db
                .write_blocking(move |conn| {
                    redprop::db::ratings::insert_responses(conn, &a)?;
                    redprop::db::ratings::insert_responses(conn, &b)?;
                    redprop::db::ratings::insert_responses(conn, &c)
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    bench
        .state
        .as_ref()
        .unwrap()
        .db
        .write_blocking(|c| {
            redprop::db::analyze(
                c,
                &["rating_responses", "service_contracts", "units", "estates", "companies"],
            )
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let server = bench.serve()?;
    let base_mib = server.peak_mib();
    let score = |campaign: &str| -> anyhow::Result<(f64, serde_json::Value)> {
        let t = Instant::now();
        let run = server.post(
            &admin,
            &format!("/api/v1/rating-campaigns/{campaign}/runs"),
            &serde_json::json!({}),
        )?;
        let secs = t.elapsed().as_secs_f64();
        anyhow::ensure!(run["version"].is_number(), "{run}");
        Ok((secs, run))
    };
    // Once each to warm the caches, then measured.
    score(&none)?;
    let (none_s, _) = score(&none)?;
    score(&half_data)?;
    let (half_data_s, _) = score(&half_data)?;
    score(&half)?;
    let (half_s, _) = score(&half)?;
    score(&full)?;
    let (full_s, run) = score(&full)?;
    let peak = server.peak_mib();
    // Where a run's time goes, as the server logs it (BENCH_LOG_LEVEL=info).
    let log = std::fs::read_to_string(bench.work.join("server.log")).unwrap_or_default();
    for line in log.lines().filter(|l| l.contains("rating run computed")) {
        eprintln!("{line}");
    }
    // Every page of the results, 200 companies a page.
    let (mut rated, mut cursor) = (0, String::new());
    loop {
        let page = server.get(
            &admin,
            &format!(
                "/api/v1/rating-campaigns/{full}/results?version={}&limit=200{cursor}",
                run["version"]
            ),
        )?;
        rated += page["results"].as_array().map(|a| a.len()).unwrap_or(0);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    // (The voters' estate's company too.)
    anyhow::ensure!(rated == companies.len() + 1, "{rated} companies rated");

    // The survey at load, beside ballots.
    let votes = support::open_votes(&server, &admin, &[&voters.estate_id])?;
    let tokens = bench.work.join("voters.tokens");
    std::fs::write(&tokens, voters.tokens.join("\n"))?;
    eprintln!("casting ballots …");
    let ballots = wrk(
        &server,
        &bench.work,
        "ballots",
        &support::ballots_script(&tokens, &votes[0]),
        &connections,
        &seconds,
    )?;
    anyhow::ensure!(ballots.non2xx == 0, "ballots refused under load:\n{}", ballots.report);
    support::settle();
    eprintln!("answering the survey …");
    let survey = wrk(
        &server,
        &bench.work,
        "survey",
        &survey_script(&tokens, &open, &voters.estate_id),
        &connections,
        &seconds,
    )?;
    anyhow::ensure!(survey.non2xx == 0, "survey refused under load:\n{}", survey.report);
    drop(server);

    println!(
        "\n{} — scoring {} companies, {n_estates} estates, {total} responses: {:.2} s a run; half the responses: {:.2} s ({:.0}% of the time); server peak memory {:.0} MiB (at start {:.0} MiB)",
        bench.backend,
        companies.len(),
        full_s,
        half_s,
        100.0 * half_s / full_s,
        peak,
        base_mib
    );
    // Linear in the responses: each further half of them adds about the same time.
    println!(
        "half the data (half the companies, their estates and their responses): {half_data_s:.2} s ({:.0}% of the time)",
        100.0 * half_data_s / full_s
    );
    println!(
        "no responses: {none_s:.2} s (the part per estate and company); the first half of the responses adds {:.2} s, the second half {:.2} s",
        half_s - none_s,
        full_s - half_s
    );
    println!("| {connections} connections | req/s | p99 | / ballots | CPU per request: server, database |");
    println!("|---|---|---|---|---|");
    println!(
        "| casting ballots | {:.0} | {} | 100% | {:.0} µs, {:.0} µs |",
        ballots.rate, ballots.p99, ballots.server_cpu_us, ballots.database_cpu_us
    );
    println!(
        "| answering the survey | {:.0} | {} | {:.0}% | {:.0} µs, {:.0} µs |",
        survey.rate,
        survey.p99,
        100.0 * survey.rate / ballots.rate,
        survey.server_cpu_us,
        survey.database_cpu_us
    );
    Ok(())
}

/// A wrk script that answers the survey for an estate, each request as an owner (tokens one a
/// line; each owner answers again and again, as an owner changing their response does).
fn survey_script(tokens_file: &std::path::Path, campaign: &str, estate: &str) -> String {
    format!(
        r#"local tokens = {{}}
for line in io.lines("{}") do tokens[#tokens + 1] = line end
local counter = 0
local n = 0
function setup(thread) thread:set("offset", counter); counter = counter + 1 end
request = function()
  n = n + 1
  local t = tokens[((n * 7 + offset * 9973) % #tokens) + 1]
  local v = tostring(n % 5 + 1)
  local body = '{{"answers":[{{"question":"service_overall","value":' .. v .. '}},{{"question":"repairs","value":4}},{{"question":"cleanliness","value":5}},{{"question":"image","value":3}}]}}'
  return wrk.format("PUT", "/api/v1/rating-campaigns/{}/survey/{}", {{["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}}, body)
end
"#,
        tokens_file.display(),
        campaign,
        estate
    )
}

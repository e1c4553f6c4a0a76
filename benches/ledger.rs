//! Benchmark of the problem ledger's list (issue 14): does a page of one estate's items in one
//! status cost the page, not the county's ledger?
//!
//!   scripts/bench/ledger                                   # SQLite
//!   scripts/bench/ledger postgres://postgres@127.0.0.1/postgres
//!
//! Seeds an estate of 2,000 owners with accounts and BENCH_LEDGER_ESTATES estates (default 500)
//! of BENCH_LEDGER_PER_ESTATE items each (default 400, statuses and categories in turn). Starts
//! the release server on the first five estates' items only (2,000), casts ballots with wrk for
//! BENCH_SECONDS (default 10: the rate the list is compared with), lists 50 dispatched items of
//! one estate with wrk (BENCH_CONNECTIONS, default 32, for BENCH_LIST_SECONDS, default 5); then
//! adds the other estates' items (200,000 in all), refreshes statistics, restarts the server
//! and lists again, for the same estate and for the last one. Prints one table and the plan.

#[path = "support/mod.rs"]
mod support;

use redprop::db::ledger::ItemRow;
use redprop::domain::ids;
use redprop::domain::ledger::{Category, ItemStatus};
use support::{env, get_script, wrk, Bench};

/// `n` items of an estate, statuses and categories in turn, reported over the past year (so
/// that the year's figures have every item to count), newest last; a third of the dispatched
/// ones taken by party members.
fn items(estate: &str, n: usize) -> Vec<ItemRow> {
    use ItemStatus::*;
    let now = ids::now();
    let h = chrono::Duration::hours;
    (0..n)
        .map(|i| {
            let status = ItemStatus::ALL[i % ItemStatus::ALL.len()];
            let created = now - chrono::Duration::days(((n - i) * 7 % 360) as i64) - h((i % 24) as i64);
            let dispatched = (status != Reported).then(|| created + h(2));
            let accepted =
                matches!(status, InProgress | Resolved | Confirmed).then(|| created + h(3 + (i % 30) as i64));
            let resolved = matches!(status, Resolved | Confirmed).then(|| created + h(30 + (i % 150) as i64));
            ItemRow {
                id: ids::new_id(),
                estate_id: estate.into(),
                building_id: None,
                unit_id: None,
                category: Category::ALL[i % Category::ALL.len()].as_str().into(),
                title: format!("问题{i}"),
                description: "楼道灯不亮，已持续一周，请尽快处理。".into(),
                reporter_type: "user".into(),
                reporter_id: format!("reporter-{}", i % 97),
                reporter_role: "owner".into(),
                reporter_company_id: None,
                reporter_name: "业主".into(),
                show_reporter: false,
                status: status.as_str().into(),
                assignee_kind: dispatched.map(|_| if i % 3 == 0 { "party_member" } else { "company" }.into()),
                assignee_id: dispatched.map(|_| "company-1".into()),
                dispatched_at: dispatched,
                accept_due: dispatched.map(|d| d + h(24)),
                done_due: dispatched.map(|d| d + chrono::Duration::days(7)),
                accepted_at: accepted,
                resolved_at: resolved,
                confirm_by: (status == Resolved).then(|| now + chrono::Duration::days(7)),
                confirmed_at: (status == Confirmed).then_some(now),
                rating: None,
                service_minutes: None,
                created_at: created,
                updated_at: now,
            }
        })
        .collect()
}

fn seed(bench: &mut Bench, estates: &[String], per_estate: usize) -> anyhow::Result<()> {
    let state = bench.reopen()?;
    for e in estates {
        let rows = items(e, per_estate);
        state
            .db
            .write_blocking(move |c| redprop::db::ledger::insert_many(c, &rows))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    state
        .db
        .write_blocking(|c| redprop::db::analyze(c, &["ledger_items"]))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("ledger") {
        return Ok(());
    }
    let n_estates: usize = env("BENCH_LEDGER_ESTATES", "500").parse()?;
    let per_estate: usize = env("BENCH_LEDGER_PER_ESTATE", "400").parse()?;
    let connections = env("BENCH_CONNECTIONS", "32");
    let seconds = env("BENCH_SECONDS", "10");
    let list_seconds = env("BENCH_LIST_SECONDS", "5");
    let mut bench = Bench::new()?;
    eprintln!("seeding {n_estates} estates on {} …", bench.backend);
    let voters = bench.estate("投票小区", 2000, true)?;
    let admin = bench.account("bench-admin", "admin", "")?;
    let mut estates = Vec::new();
    for i in 0..n_estates {
        estates.push(bench.estate(&format!("台账小区{i}"), 1, false)?.estate_id);
    }
    let small = 5.min(n_estates);
    seed(&mut bench, &estates[..small], per_estate)?;

    let server = bench.serve()?;
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
    let list = |e: &str| format!("/api/v1/estates/{e}/ledger-items?status=dispatched&limit=50");
    let work = bench.work.clone();
    let measure = |server: &support::Server, e: &str| -> anyhow::Result<support::Wrk> {
        let p = list(e);
        let body = server.get(&admin, &p)?;
        anyhow::ensure!(body["items"].as_array().is_some_and(|a| a.len() == 50), "{p}: {body}");
        support::warm_up(server, &work, &get_script(&p, &admin), &connections)?;
        let run = wrk(
            server,
            &work,
            "list",
            &get_script(&p, &admin),
            &connections,
            &list_seconds,
        )?;
        anyhow::ensure!(run.non2xx == 0, "{p}: errors under load");
        Ok(run)
    };
    let first_small = measure(&server, &estates[0])?;
    drop(server);

    eprintln!("adding the other estates' items …");
    seed(&mut bench, &estates[small..], per_estate)?;
    let server = bench.serve()?;
    let first_large = measure(&server, &estates[0])?;
    let last_large = measure(&server, &estates[n_estates - 1])?;
    let figures = figures_of_the_year(&server, &bench, &admin)?;
    drop(server);

    let total = n_estates * per_estate;
    println!(
        "\n{} — casting ballots: {:.0} req/s, p99 {} ({} connections); CPU a ballot: server {:.0} µs, database {:.0} µs\n",
        bench.backend, ballots.rate, ballots.p99, connections, ballots.server_cpu_us, ballots.database_cpu_us
    );
    println!("| 50 dispatched items of one estate | req/s | p99 | / ballots | CPU a request: server, database |");
    println!("|---|---|---|---|---|");
    for (label, run) in [
        (
            format!("{} items in the county, first estate", small * per_estate),
            &first_small,
        ),
        (format!("{total} items in the county, first estate"), &first_large),
        (format!("{total} items in the county, last estate"), &last_large),
    ] {
        println!(
            "| {label} | {:.0} | {} | {:.0}% | {:.0} µs, {:.0} µs |",
            run.rate,
            run.p99,
            100.0 * run.rate / ballots.rate,
            run.server_cpu_us,
            run.database_cpu_us
        );
    }
    println!("large / small: {:.0}%", 100.0 * first_large.rate / first_small.rate);
    println!(
        "\nthe county's figures over a year ({total} items), one connection: {:.1} ms a call on average, p99 {}",
        1000.0 / figures.rate,
        figures.p99
    );
    explain(&mut bench, &estates[0])
}

/// The county's figures for the year to today (every seeded item falls in it), called over one
/// connection for BENCH_LIST_SECONDS: the time of one call.
fn figures_of_the_year(server: &support::Server, bench: &Bench, admin: &str) -> anyhow::Result<support::Wrk> {
    let today = chrono::Utc::now().date_naive();
    let p = format!(
        "/api/v1/orgs/{}/figures?from={}&until={}",
        bench.county.id,
        today - chrono::Duration::days(364),
        today + chrono::Duration::days(30)
    );
    let body = server.get(admin, &p)?;
    anyhow::ensure!(body["ledger"]["received"].as_i64().unwrap_or(0) > 0, "{p}: {body}");
    eprintln!("figures: {}", body["ledger"]);
    let run = wrk(
        server,
        &bench.work,
        "figures",
        &get_script(&p, admin),
        "1",
        &env("BENCH_LIST_SECONDS", "5"),
    )?;
    anyhow::ensure!(run.non2xx == 0, "{p}: errors");
    Ok(run)
}

/// The plan of the list's query on the large county, as the database gives it.
fn explain(bench: &mut Bench, estate: &str) -> anyhow::Result<()> {
    let backend = bench.backend;
    let sql = format!(
        "SELECT * FROM ledger_items WHERE estate_id = '{estate}' AND status = 'dispatched' ORDER BY id DESC LIMIT 51"
    );
    let state = bench.reopen()?;
    let mut conn = state.db.raw_connection().map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("\nplan ({backend}):");
    let lines = support::plan(&mut conn, &sql)?;
    for l in lines {
        println!("    {l}");
    }
    Ok(())
}

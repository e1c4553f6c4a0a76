//! Benchmark of the hot path: casting ballots at the close of a vote, and the tally.
//!
//!   scripts/bench/ballots   (installs wrk, builds the release server, then runs this)
//!   cargo bench --bench ballots                      # SQLite
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/postgres cargo bench --bench ballots
//!
//! Seeds an estate of BENCH_VOTERS owners (default 20,000) with an account and a session each,
//! starts the release server as its own process (test clock on, to pass the notice), announces
//! and opens a vote over HTTP, then drives `POST /api/v1/votes/{id}/ballots` with wrk
//! (BENCH_CONNECTIONS, default 32; BENCH_SECONDS, default 10), every request authenticated as a
//! different owner. Afterwards it checks that every acknowledged ballot is in the database,
//! reads the server's resident memory, and times the tally's aggregate queries.
//! BENCH_EXPERIMENT_SQL runs SQL on the seeded database before the server starts (e.g. dropping
//! an index, to learn what it costs the hot path).

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use diesel::prelude::*;
use support::{env, wrk, Bench};

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("ballots") {
        return Ok(());
    }
    let voters: u32 = env("BENCH_VOTERS", "20000").parse()?;
    let connections = env("BENCH_CONNECTIONS", "32");
    let seconds = env("BENCH_SECONDS", "10");
    let mut bench = Bench::new()?;
    eprintln!("seeding {voters} owners on {} …", bench.backend);
    let started = Instant::now();
    let estate = bench.estate("基准小区", voters, true)?;
    let admin = bench.account("bench-admin", "admin", "")?;
    if let Ok(sql) = std::env::var("BENCH_EXPERIMENT_SQL") {
        bench.experiment(&sql)?;
    }
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());

    let server = bench.serve()?;
    let vote_id = support::open_votes(&server, &admin, &[&estate.estate_id])?.remove(0);
    let tokens_file = bench.work.join("tokens.txt");
    std::fs::write(&tokens_file, estate.tokens.join("\n"))?;
    eprintln!("wrk: {connections} connections for {seconds} s …");
    let run = wrk(
        &server,
        &bench.work,
        "ballots",
        &support::ballots_script(&tokens_file, &vote_id),
        &connections,
        &seconds,
    )?;
    println!("{}", run.report);
    println!("server memory after the run: {}", server.rss());
    drop(server);

    // Every acknowledged ballot is in the history; exactly one counts per voter.
    let state = bench.reopen()?;
    let vid = vote_id.clone();
    let (history, current): (i64, i64) = state
        .db
        .read_blocking(|c| {
            use redprop::db::schema::{ballot_history, current_ballots};
            let h = ballot_history::table
                .filter(ballot_history::vote_id.eq(&vid))
                .count()
                .get_result(c)?;
            let cur = current_ballots::table
                .filter(current_ballots::vote_id.eq(&vid))
                .count()
                .get_result(c)?;
            Ok((h, cur))
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "requests {}, non-2xx {}, ballots in history {history}, voters counted {current}",
        run.requests, run.non2xx
    );
    anyhow::ensure!(run.non2xx == 0, "errors under load");
    anyhow::ensure!(
        history as u64 >= run.requests - run.non2xx,
        "acknowledged ballots missing"
    );

    // The tally over the full roll: the same aggregate queries the result uses.
    let mut times = Vec::new();
    for _ in 0..21 {
        let vid = vote_id.clone();
        let t = Instant::now();
        state
            .db
            .read_blocking(move |c| redprop::db::votes::tally(c, &vid))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(t.elapsed().as_micros());
    }
    times.sort();
    println!(
        "tally over {voters} voters ({current} ballots): median {} µs, max {} µs",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    Ok(())
}

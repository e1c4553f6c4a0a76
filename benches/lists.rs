//! Benchmark of the big lists: does a page cost the page, not the estate (issue 13)?
//!
//!   scripts/bench/lists                                   # SQLite
//!   scripts/bench/lists postgres://postgres@127.0.0.1/postgres
//!
//! Seeds a large estate (BENCH_UNITS, default 20,000 units and owners, one in five a party
//! member) and a small one (300), each with owner accounts; starts the release server (test
//! clock on), opens a vote on each, casts ballots on the large one with wrk for BENCH_SECONDS
//! (default 10: the rate every list is compared with) and on the small one for 3 s, closes the
//! votes, then runs wrk (BENCH_CONNECTIONS, default 32, for BENCH_LIST_SECONDS, default 5) on
//! each list at 50 rows a page, on both estates, and times the result of each vote with one
//! connection. Prints one table, then the plan (EXPLAIN) of each list's query.

#[path = "support/mod.rs"]
mod support;

use support::{env, get_script, wrk, Bench, Server};

/// The path of a list on one side.
type PathOf = fn(&Side) -> String;

struct Side {
    estate: String,
    vote: String,
    building: String,
    receipt: String,
}

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("lists") {
        return Ok(());
    }
    let units: u32 = env("BENCH_UNITS", "20000").parse()?;
    let connections = env("BENCH_CONNECTIONS", "32");
    let seconds = env("BENCH_SECONDS", "10");
    let list_seconds = env("BENCH_LIST_SECONDS", "5");
    let mut bench = Bench::new()?;
    eprintln!("seeding {units} + 300 units on {} …", bench.backend);
    let big = bench.estate("大型小区", units, true)?;
    let small = bench.estate("小型小区", 300, true)?;
    let admin = bench.account("bench-admin", "admin", "")?;
    let server = bench.serve()?;
    let votes = support::open_votes(&server, &admin, &[&big.estate_id, &small.estate_id])?;

    let cast = |name: &str, tokens: &[String], vote: &str, secs: &str| -> anyhow::Result<support::Wrk> {
        let file = bench.work.join(format!("{name}.tokens"));
        std::fs::write(&file, tokens.join("\n"))?;
        let run = wrk(
            &server,
            &bench.work,
            name,
            &support::ballots_script(&file, vote),
            &connections,
            secs,
        )?;
        anyhow::ensure!(run.non2xx == 0, "ballots refused under load:\n{}", run.report);
        Ok(run)
    };
    eprintln!("casting ballots …");
    let ballots = cast("ballots-big", &big.tokens, &votes[0], &seconds)?;
    cast("ballots-small", &small.tokens, &votes[1], "3")?;
    support::advance(&server, &admin, chrono::Duration::hours(2))?;
    support::settle();

    let side = |estate: &str, vote: &str| -> anyhow::Result<Side> {
        let units = server.get(&admin, &format!("/api/v1/estates/{estate}/units?limit=1"))?;
        let receipts = server.get(&admin, &format!("/api/v1/votes/{vote}/receipts?limit=1"))?;
        Ok(Side {
            estate: estate.into(),
            vote: vote.into(),
            building: units["items"][0]["building_id"].as_str().unwrap_or_default().into(),
            receipt: receipts["items"][0]["receipt"].as_str().unwrap_or_default().into(),
        })
    };
    let sides = [side(&small.estate_id, &votes[1])?, side(&big.estate_id, &votes[0])?];
    let lists: [(&str, PathOf); 9] = [
        ("a vote's roll", |s| format!("/api/v1/votes/{}/roll?limit=50", s.vote)),
        ("units of the estate", |s| {
            format!("/api/v1/estates/{}/units?limit=50", s.estate)
        }),
        ("units of one building", |s| {
            format!("/api/v1/estates/{}/units?limit=50&building_id={}", s.estate, s.building)
        }),
        ("owners of the estate", |s| {
            format!("/api/v1/estates/{}/owners?limit=50", s.estate)
        }),
        ("owners named 王…", |s| {
            format!("/api/v1/estates/{}/owners?limit=50&name_prefix=%E7%8E%8B", s.estate)
        }),
        ("party members", |s| {
            format!("/api/v1/estates/{}/owners?limit=50&party_member=true", s.estate)
        }),
        ("audit events of the vote", |s| {
            format!("/api/v1/audit/events?limit=50&target_type=vote&target_id={}", s.vote)
        }),
        ("receipts", |s| format!("/api/v1/votes/{}/receipts?limit=50", s.vote)),
        ("one receipt", |s| {
            format!("/api/v1/votes/{}/receipts/{}", s.vote, s.receipt)
        }),
    ];
    println!(
        "\n{} — casting ballots: {:.0} req/s, p99 {} ({} connections); CPU a ballot: server {:.0} µs, database {:.0} µs\n",
        bench.backend, ballots.rate, ballots.p99, connections, ballots.server_cpu_us, ballots.database_cpu_us
    );
    println!("| read (50 rows a page) | 300 units: req/s, p99 | {units} units: req/s, p99 | large / small | large / ballots | CPU a request (large): server, database |");
    println!("|---|---|---|---|---|---|");
    for (name, path) in lists {
        let mut runs = Vec::new();
        for s in &sides {
            let p = path(s);
            let body = server.get(&admin, &p)?;
            anyhow::ensure!(body.get("status").is_none(), "{p}: {body}");
            support::warm_up(&server, &bench.work, &get_script(&p, &admin), &connections)?;
            let run = wrk(
                &server,
                &bench.work,
                "list",
                &get_script(&p, &admin),
                &connections,
                &list_seconds,
            )?;
            anyhow::ensure!(run.non2xx == 0, "{p}: errors under load");
            runs.push(run);
        }
        println!(
            "| {name} | {:.0}, {} | {:.0}, {} | {:.0}% | {:.0}% | {:.0} µs, {:.0} µs |",
            runs[0].rate,
            runs[0].p99,
            runs[1].rate,
            runs[1].p99,
            100.0 * runs[1].rate / runs[0].rate,
            100.0 * runs[1].rate / ballots.rate,
            runs[1].server_cpu_us,
            runs[1].database_cpu_us
        );
    }
    for (s, label) in sides.iter().zip(["300", "large"]) {
        let p = format!("/api/v1/votes/{}/result", s.vote);
        let run = wrk(
            &server,
            &bench.work,
            "result",
            &get_script(&p, &admin),
            "1",
            &list_seconds,
        )?;
        let bytes = server.curl(&admin, &[&p])?.len();
        println!(
            "the result of the {label} vote: {} a call on average, p99 {} ({bytes} bytes)",
            run.mean, run.p99
        );
    }
    println!("server memory: {}", server.rss());
    drop::<Server>(server);
    explain(&mut bench, &sides[1])
}

/// The plan of each list's query on the large estate, as the database gives it.
fn explain(bench: &mut Bench, s: &Side) -> anyhow::Result<()> {
    let backend = bench.backend;
    let (copied, name) = if backend == "postgres" {
        ("(s.owner_name COLLATE \"C\")", "(owners.name COLLATE \"C\")")
    } else {
        ("s.owner_name", "owners.name")
    };
    let queries = [
        ("roll", format!("SELECT * FROM roll_entries WHERE vote_id = '{}' ORDER BY voter_id LIMIT 51", s.vote)),
        ("units (with their current holders)", format!("SELECT units.id, units.number, o.owner_id, o.designated_voter FROM units LEFT JOIN ownerships o ON o.unit_id = units.id AND o.ended_at IS NULL WHERE units.id IN (SELECT p.id FROM units p WHERE p.estate_id = '{}' AND (p.building_id, p.number, p.id) > ('', '', '') ORDER BY p.building_id, p.number, p.id LIMIT 51) ORDER BY units.building_id, units.number, units.id, o.owner_id", s.estate)),
        ("units, a later page", format!("SELECT units.id, units.number, o.owner_id, o.designated_voter FROM units LEFT JOIN ownerships o ON o.unit_id = units.id AND o.ended_at IS NULL WHERE units.id IN (SELECT p.id FROM units p WHERE p.estate_id = '{}' AND (p.building_id, p.number, p.id) > ('{}', '150', '') ORDER BY p.building_id, p.number, p.id LIMIT 51) ORDER BY units.building_id, units.number, units.id, o.owner_id", s.estate, s.building)),
        ("owners", format!("SELECT owners.* FROM owners WHERE owners.id IN (SELECT DISTINCT s.owner_id FROM ownerships s WHERE s.estate_id = '{}' AND s.ended_at IS NULL AND s.owner_id > '' AND true ORDER BY s.owner_id LIMIT 51) ORDER BY owners.id", s.estate)),
        ("party members", format!("SELECT owners.* FROM owners WHERE owners.id IN (SELECT DISTINCT s.owner_id FROM ownerships s WHERE s.estate_id = '{}' AND s.ended_at IS NULL AND s.owner_id > '' AND s.party_member = true ORDER BY s.owner_id LIMIT 51) ORDER BY owners.id", s.estate)),
        ("owners by name", format!("SELECT owners.* FROM owners WHERE owners.id IN (SELECT s.owner_id FROM ownerships s WHERE s.estate_id = '{}' AND s.ended_at IS NULL AND {copied} >= '王' AND {copied} < '玌' AND ({copied} > '' OR ({copied} = '' AND s.owner_id > '')) AND true GROUP BY {copied}, s.owner_id ORDER BY {copied}, s.owner_id LIMIT 51) ORDER BY {name}, owners.id", s.estate)),
        ("audit of the vote", format!("SELECT * FROM audit_events WHERE target_type = 'vote' AND target_id = '{}' ORDER BY seq DESC LIMIT 51", s.vote)),
        ("receipts", format!("SELECT receipt, channel FROM current_ballots WHERE vote_id = '{}' ORDER BY receipt LIMIT 51", s.vote)),
    ];
    let state = bench.reopen()?;
    let mut conn = state.db.raw_connection().map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("\nplans ({backend}):");
    for (label, sql) in queries {
        println!("\n{label}:");
        for line in support::plan(&mut conn, &sql)? {
            println!("    {line}");
        }
    }
    Ok(())
}

//! Benchmark of SQLite's write-ahead log over a server's life (issue 27): does the WAL stay
//! bounded, and the ballot rate flat, after a bulk load and a long mixed load?
//!
//!   scripts/bench/wal      (installs wrk, builds the release server, then runs this)
//!
//! 1. Seeds an estate of BENCH_VOTERS owners (default 5,000) with accounts, starts the release
//!    server, opens a vote, and measures the ballot rate of the fresh server (wrk, 32
//!    connections, BENCH_RATE_SECONDS, default 20).
//! 2. Imports BENCH_IMPORT_UNITS units (default 300,000) over HTTP, 20,000 to an estate, while
//!    16 connections read the units list the whole time (readers are what keep a checkpoint from
//!    finishing).
//! 3. Runs BENCH_MIXED_SECONDS (default 600) of ballots (16 connections) and reads (16
//!    connections) at once.
//! 4. Measures the ballot rate again, as in 1.
//!
//! The WAL's size is sampled every second throughout. Targets: the WAL never above 64 MiB once
//! the import is done, and the late ballot rate within 10% of the fresh one.

#[path = "support/mod.rs"]
mod support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{env, get_script, wrk, Bench};

const MIB: f64 = 1024.0 * 1024.0;

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("wal") {
        return Ok(());
    }
    anyhow::ensure!(
        std::env::var("BENCH_DATABASE_URL").is_err(),
        "the WAL is SQLite's: run without BENCH_DATABASE_URL"
    );
    let voters: u32 = env("BENCH_VOTERS", "5000").parse()?;
    let units: u32 = env("BENCH_IMPORT_UNITS", "300000").parse()?;
    let rate_seconds = env("BENCH_RATE_SECONDS", "20");
    let mixed_seconds = env("BENCH_MIXED_SECONDS", "600");

    let mut bench = Bench::new()?;
    eprintln!("seeding {voters} voters …");
    let estate = bench.estate("投票小区", voters, true)?;
    let admin = bench.account("bench-admin", "admin", "")?;
    let (county, community) = (bench.county.id.clone(), bench.community.id.clone());
    let wal_path = format!("{}-wal", bench.database_url);
    let server = bench.serve()?;
    let vote = support::open_votes(&server, &admin, &[&estate.estate_id])?.remove(0);
    let tokens = bench.work.join("tokens.txt");
    std::fs::write(&tokens, estate.tokens.join("\n"))?;
    let ballots = support::ballots_script(&tokens, &vote);
    let reads = get_script(&format!("/api/v1/estates/{}/units?limit=50", estate.estate_id), &admin);

    // The WAL's size, every second, until the end; the largest since `mark` was last reset.
    let wal_now = Arc::new(AtomicU64::new(0));
    let wal_peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (now, peak, done, path) = (wal_now.clone(), wal_peak.clone(), done.clone(), wal_path.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                now.store(size, Ordering::Relaxed);
                peak.fetch_max(size, Ordering::Relaxed);
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    let mib = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 / MIB;

    eprintln!("fresh ballot rate: 32 connections for {rate_seconds} s …");
    let fresh = wrk(&server, &bench.work, "fresh", &ballots, "32", &rate_seconds)?;
    println!(
        "fresh server: {:.0} ballots/s (p99 {}), WAL {:.1} MiB",
        fresh.rate,
        fresh.p99,
        mib(&wal_now)
    );

    // The bulk import, with readers on the whole time.
    let reading = Arc::new(AtomicBool::new(true));
    let readers = {
        let (base, work, reads, reading) = (server.base.clone(), bench.work.clone(), reads.clone(), reading.clone());
        std::thread::spawn(move || {
            let script = work.join("import-reads.lua");
            let _ = std::fs::write(&script, reads);
            while reading.load(Ordering::Relaxed) {
                let _ = Command::new("wrk")
                    .args(["-t", "2", "-c", "16", "-d", "5s", "-s"])
                    .arg(&script)
                    .arg(&base)
                    .output();
            }
        })
    };
    // A commercial estate is the county housing bureau's to supervise.
    let bureau = server.post(
        &admin,
        "/api/v1/orgs",
        &serde_json::json!({ "kind": "housing_bureau", "name": "住建局", "parent_id": county }),
    )?;
    anyhow::ensure!(bureau["id"].is_string(), "no bureau: {bureau}");
    let started = Instant::now();
    let per_estate = 20_000u32;
    let mut imported = 0u32;
    let mut file = 0u32;
    while imported < units {
        let n = per_estate.min(units - imported);
        let made = server.post(
            &admin,
            "/api/v1/estates",
            &serde_json::json!({ "name": format!("导入小区{file}"), "kind": "commercial", "community_id": community }),
        )?;
        let id = made["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no estate: {made}"))?;
        let csv = bench.work.join(format!("units-{file}.csv"));
        // People after the voters (national_id is distinct below 336,000).
        std::fs::write(&csv, sheet(voters + imported, n))?;
        let out = Command::new("curl")
            .args(["-s", "-X", "POST", "-H", "content-type: text/csv"])
            .args(["-H", &format!("authorization: Bearer {admin}")])
            .arg("--data-binary")
            .arg(format!("@{}", csv.display()))
            .arg(format!("{}/api/v1/estates/{id}/import", server.base))
            .output()?;
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        anyhow::ensure!(answer["units"].is_number(), "import failed: {answer}");
        imported += n;
        file += 1;
    }
    reading.store(false, Ordering::Relaxed);
    let _ = readers.join();
    println!(
        "imported {imported} units in {:.0} s with readers on: WAL peak {:.1} MiB, {:.1} MiB after; database {:.0} MiB",
        started.elapsed().as_secs_f64(),
        mib(&wal_peak),
        mib(&wal_now),
        std::fs::metadata(&bench.database_url).map_or(0, |m| m.len()) as f64 / MIB
    );

    // The mixed load: ballots and reads at once.
    std::thread::sleep(Duration::from_secs(2));
    wal_peak.store(0, Ordering::Relaxed);
    eprintln!("mixed load: ballots and reads, 16 connections each, for {mixed_seconds} s …");
    let reader = {
        let (base, work, reads, seconds) = (
            server.base.clone(),
            bench.work.clone(),
            reads.clone(),
            mixed_seconds.clone(),
        );
        std::thread::spawn(move || {
            let script = work.join("mixed-reads.lua");
            let _ = std::fs::write(&script, reads);
            Command::new("wrk")
                .args(["-t", "1", "-c", "16", "-d", &format!("{seconds}s"), "-s"])
                .arg(&script)
                .arg(&base)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
                .unwrap_or_default()
        })
    };
    let mixed = wrk(&server, &bench.work, "mixed", &ballots, "16", &mixed_seconds)?;
    let read_report = reader.join().unwrap_or_default();
    let read_rate = read_report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:").map(|v| v.trim().to_string()))
        .unwrap_or_default();
    println!(
        "mixed load: {:.0} ballots/s and {read_rate} reads/s; WAL peak {:.1} MiB",
        mixed.rate,
        mib(&wal_peak)
    );

    support::settle();
    let late = wrk(&server, &bench.work, "late", &ballots, "32", &rate_seconds)?;
    let change = 100.0 * (late.rate - fresh.rate) / fresh.rate;
    let peak = mib(&wal_peak);
    println!(
        "late server: {:.0} ballots/s (p99 {}) = {change:+.1}% of the fresh rate; WAL {:.1} MiB now, peak since the import {peak:.1} MiB; database {:.0} MiB",
        late.rate,
        late.p99,
        mib(&wal_now),
        std::fs::metadata(&bench.database_url).map_or(0, |m| m.len()) as f64 / MIB
    );
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let within = peak <= 64.0 && change >= -10.0;
    println!(
        "{}",
        if within {
            "within targets (WAL ≤ 64 MiB, ballot rate within 10%)"
        } else {
            "OUTSIDE TARGETS (WAL ≤ 64 MiB, ballot rate within 10%)"
        }
    );
    Ok(())
}

/// A county office's spreadsheet of `n` delivered units, people numbered from `from`.
fn sheet(from: u32, n: u32) -> String {
    let mut out = String::from("楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,销售状态\n");
    for i in 0..n {
        let person = from + i;
        out.push_str(&format!(
            "{}号楼,{},{}.{:02},实测,业主{person},{},已交付\n",
            i / 200 + 1,
            i % 200 + 101,
            60 + i % 90,
            i % 100,
            support::national_id(person)
        ));
    }
    out
}

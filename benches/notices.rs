//! Benchmark of notice (issue 30): a vote announced to an estate of 20,000 owners, each with a
//! mobile number — the announcement's answer time, and how long until every owner's inbox row
//! is written and every text handed to the SMS provider (a local fake of Alibaba Cloud SMS that
//! answers at once) — while owners of another estate cast ballots under wrk, whose rate is
//! compared with a run before the fan-out. Then the inbox read (a page of 50 and the unread
//! count) for an owner with 10,000 notices against one with a few.
//!
//!   scripts/bench/notices                                   # SQLite
//!   scripts/bench/notices postgres://postgres@127.0.0.1/postgres
//!
//! Knobs (environment): BENCH_NOTICE_OWNERS (20000), BENCH_VOTERS (2000), BENCH_CONNECTIONS (32),
//! BENCH_SECONDS (15), BENCH_INBOX (10000).

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Timelike;
use redprop::domain::notice::{Addressee, Audience, NoticeKind};
use support::{env, wrk, Bench, Server};

/// A fake Alibaba Cloud SMS on 127.0.0.1: counts `SendSms` calls and answers OK at once.
fn fake_provider() -> anyhow::Result<(String, Arc<AtomicU64>)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/", listener.local_addr()?);
    let sent = Arc::new(AtomicU64::new(0));
    let count = sent.clone();
    // A thread per connection, each serving requests on it while it is kept alive (the
    // service keeps a pool of them, as it would with the real provider).
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let count = count.clone();
            std::thread::spawn(move || {
                let mut s = stream;
                let mut buf: Vec<u8> = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    // One request: its head and its body.
                    let (head_end, len) = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                            let len: usize = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                                .unwrap_or(0);
                            if buf.len() >= i + 4 + len {
                                break (i, len);
                            }
                        }
                        let n = s.read(&mut chunk).unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    };
                    let request: Vec<u8> = buf.drain(..head_end + 4 + len).collect();
                    if String::from_utf8_lossy(&request).contains("Action=SendSms") {
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                    let body = r#"{"Code":"OK","Message":"OK","RequestId":"bench","BizId":"bench"}"#;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if s.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok((url, sent))
}

/// Moves the server's clock to the next 10:00 China Standard Time (no quiet hours).
fn to_morning(server: &Server, admin: &str) -> anyhow::Result<()> {
    let clock = server.get(admin, "/api/v1/test-clock")?;
    let now: chrono::DateTime<chrono::Utc> = clock["now"].as_str().and_then(|t| t.parse().ok()).unwrap();
    let local = now.naive_utc() + chrono::Duration::hours(8);
    let mut target = local.date().and_hms_opt(10, 0, 0).unwrap();
    if target <= local {
        target += chrono::Duration::days(1);
    }
    support::advance(server, admin, target - local + chrono::Duration::seconds(1))
}

/// The median time of `n` GETs (curl's own total time), in milliseconds.
fn timed_get(server: &Server, token: &str, path: &str, n: usize) -> anyhow::Result<f64> {
    let mut times = Vec::new();
    for _ in 0..n {
        let out = std::process::Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{time_total}",
                "-H",
                &format!("authorization: Bearer {token}"),
            ])
            .arg(format!("{}{path}", server.base))
            .output()?;
        times.push(String::from_utf8_lossy(&out.stdout).trim().parse::<f64>()? * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("notices") {
        return Ok(());
    }
    let owners: u32 = env("BENCH_NOTICE_OWNERS", "20000").parse()?;
    let voters: u32 = env("BENCH_VOTERS", "2000").parse()?;
    let inbox_n: usize = env("BENCH_INBOX", "10000").parse()?;
    let connections = env("BENCH_CONNECTIONS", "32");
    // Long enough that the run during the fan-out is all fan-out (it takes about 20 s).
    let seconds = env("BENCH_SECONDS", "20");
    let mut bench = Bench::new()?;
    eprintln!(
        "seeding {owners} owners to notify and {voters} voters on {} …",
        bench.backend
    );
    let big = bench.estate("通知小区", owners, false)?;
    let small = bench.estate("投票小区", voters, true)?;
    let admin = bench.account("bench-admin", "admin", "")?;
    // Every owner has a mobile number (the texts are what costs).
    bench.experiment("UPDATE owners SET phone = '13900001111'")?;

    // One owner with `inbox_n` notices, one with a few: the inbox's page should not care.
    let heavy = big.owner_ids[0].clone();
    let light = big.owner_ids[1].clone();
    let heavy_token = bench.account("heavy-owner", "owner", &heavy)?;
    let light_token = bench.account("light-owner", "owner", &light)?;
    let county = bench.county.id.clone();
    let t = Instant::now();
    let state = bench.state();
    let raises: Vec<redprop::db::notices::Raise> = (0..inbox_n)
        .map(|i| redprop::db::notices::Raise {
            kind: NoticeKind::LedgerStep,
            county_id: county.clone(),
            estate_id: Some(big.estate_id.clone()),
            subject_id: format!("item-{i}"),
            title: format!("问题办理进展：第 {i} 件"),
            body: "已派单。".into(),
            link: "/web/owner".into(),
            closes_at: None,
            audience: Audience::to([Addressee::Owner(heavy.clone())]),
            at: None,
        })
        .collect();
    state
        .db
        .write_blocking(|c| redprop::db::notices::raise(c, &raises))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = redprop::domain::ids::now();
    loop {
        let due = state
            .db
            .read_blocking(|c| redprop::db::notices::due(c, now, 500))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if due.is_empty() {
            break;
        }
        state
            .db
            .write_blocking(|c| {
                for id in &due {
                    while redprop::db::notices::fan_out_chunk(c, id, now, 1000, false)?.is_some() {}
                }
                Ok(())
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    eprintln!("{inbox_n} notices to one owner in {:.1} s", t.elapsed().as_secs_f64());

    let (sms_url, sent) = fake_provider()?;
    let server = bench.serve_with(&[
        ("REDPROP_SMS", "aliyun"),
        ("REDPROP_SMS_ENDPOINT", &sms_url),
        ("REDPROP_SMS_ACCESS_KEY_ID", "bench"),
        ("REDPROP_SMS_ACCESS_KEY_SECRET", "bench-secret"),
        ("REDPROP_SMS_SIGN_NAME", "红色物业"),
        ("REDPROP_SMS_TEMPLATE_CODE", "SMS_1"),
    ])?;
    // Daytime (texts are held at night), then a vote of the small estate opened for the ballots
    // (17 days on: still 10:00).
    to_morning(&server, &admin)?;
    let vote = support::open_votes(&server, &admin, &[&small.estate_id])?.remove(0);
    // The small estate's own notices (its vote announced and opened) go first.
    std::thread::sleep(Duration::from_secs(3));
    let tokens_file = bench.work.join("tokens.txt");
    std::fs::write(&tokens_file, small.tokens.join("\n"))?;
    let script = support::ballots_script(&tokens_file, &vote);
    eprintln!("ballots alone: {connections} connections for {seconds} s …");
    let alone = wrk(&server, &bench.work, "ballots-alone", &script, &connections, &seconds)?;
    support::settle();

    // The announcement to the big estate, while the ballots run again.
    let before = sent.load(Ordering::SeqCst);
    let base = server.base.clone();
    let work = bench.work.clone();
    let (c2, s2, script2) = (connections.clone(), seconds.clone(), script.clone());
    let server_ref = &server;
    let (during, announce_ms, fan_out_s, inbox_rows, big_vote) = std::thread::scope(|scope| -> anyhow::Result<_> {
        let load = scope.spawn(move || wrk(server_ref, &work, "ballots-during", &script2, &c2, &s2));
        std::thread::sleep(Duration::from_millis(500));
        let clock = server_ref.get(&admin, "/api/v1/test-clock")?;
        let now: chrono::DateTime<chrono::Utc> = clock["now"].as_str().and_then(|t| t.parse().ok()).unwrap();
        let opens = now + chrono::Duration::days(17);
        let body = serde_json::json!({ "category": 4, "title": "续聘物业", "question": "是否续聘？", "kind": "question",
            "convenor": "street_office", "opens_at": opens, "closes_at": opens + chrono::Duration::days(3) });
        let t = Instant::now();
        let v = server_ref.post(&admin, &format!("/api/v1/estates/{}/votes", big.estate_id), &body)?;
        let announce_ms = t.elapsed().as_secs_f64() * 1000.0;
        let vid = v["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("announce failed: {v}"))?
            .to_string();
        let deadline = Instant::now() + Duration::from_secs(300);
        let rows;
        loop {
            let got = server_ref.get(&admin, &format!("/api/v1/votes/{vid}"))?;
            let n = &got["notice"];
            let texts = sent.load(Ordering::SeqCst) - before;
            if n["complete"] == true && texts >= owners as u64 {
                rows = n["owners"].as_i64().unwrap_or(0);
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "fan-out not done in 300 s: {n} texts {texts}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let fan_out = t.elapsed().as_secs_f64();
        let during = load.join().map_err(|_| anyhow::anyhow!("wrk thread"))??;
        Ok((during, announce_ms, fan_out, rows, vid))
    })?;
    let _ = base;
    support::settle();
    let texts = sent.load(Ordering::SeqCst) - before;

    let heavy_page = timed_get(&server, &heavy_token, "/api/v1/me/notices?limit=50", 21)?;
    let light_page = timed_get(&server, &light_token, "/api/v1/me/notices?limit=50", 21)?;
    let heavy_count = timed_get(&server, &heavy_token, "/api/v1/me/notices/unread", 21)?;
    let light_count = timed_get(&server, &light_token, "/api/v1/me/notices/unread", 21)?;
    // A vote's read carries its announcement's totals: with 20,000 owners notified and with none.
    let vote_big = timed_get(&server, &admin, &format!("/api/v1/votes/{big_vote}"), 21)?;
    let vote_small = timed_get(&server, &admin, &format!("/api/v1/votes/{vote}"), 21)?;
    let peak = server.peak_mib();
    let clock = server.get(&admin, "/api/v1/test-clock")?;
    let hour = clock["now"]
        .as_str()
        .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
        .map(|t| (t.naive_utc() + chrono::Duration::hours(8)).hour());

    println!(
        "== notice fan-out on {} ({owners} owners, each with a mobile number; clock at {:?}h CST)",
        bench.backend, hour
    );
    println!("announcement answered in {announce_ms:.1} ms");
    println!("inbox rows written for {inbox_rows} owners and {texts} texts handed to the provider in {fan_out_s:.1} s");
    println!(
        "ballots alone {:.0}/s (p99 {}), during the fan-out {:.0}/s (p99 {}): {:.0}% of their rate; non-2xx {} and {}",
        alone.rate,
        alone.p99,
        during.rate,
        during.p99,
        100.0 * during.rate / alone.rate.max(1.0),
        alone.non2xx,
        during.non2xx
    );
    println!("inbox page of 50: {heavy_page:.1} ms with {inbox_n} notices, {light_page:.1} ms with a few");
    println!("unread count: {heavy_count:.1} ms with {inbox_n} notices, {light_count:.1} ms with a few");
    println!("GET /votes/{{id}} with its notice's totals: {vote_big:.1} ms ({owners} owners notified), {vote_small:.1} ms ({voters})");
    println!("server peak memory {peak:.0} MiB");
    anyhow::ensure!(texts >= owners as u64, "texts missing");
    anyhow::ensure!(alone.non2xx == 0 && during.non2xx == 0, "errors under load");
    Ok(())
}

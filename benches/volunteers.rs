//! Benchmark of party members and volunteers (issue 31): a county of 21 communities with 5,000
//! reporting members, 200 service stations (half meeting the standard), 400 activities with
//! 20,000 sign-ups and 10,000 service records — the county's figures, and lists of 50 in a
//! community with 2,500 members against one with a handful; then 500 residents signing up for
//! one activity at once: exactly the cap admitted, the rest waiting, none lost.
//!
//!   scripts/bench/volunteers                                   # SQLite
//!   scripts/bench/volunteers postgres://postgres@127.0.0.1/postgres
//!
//! Knobs (environment): BENCH_MEMBERS (5000), BENCH_STATIONS (200), BENCH_SIGNUPS (20000),
//! BENCH_RUSH (500), BENCH_CAP (200).

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use redprop::db::orgs::OrgRow;
use redprop::db::service::{ActivityRow, EvidenceRow, MemberRow, RecordRow, SignupRow, StationRow};
use redprop::domain::ids;
use support::{env, Bench, Server};

/// The median time of `n` GETs (curl's own total time), in milliseconds.
fn timed_get(server: &Server, token: &str, path: &str, n: usize) -> anyhow::Result<f64> {
    let mut times = Vec::new();
    for _ in 0..n {
        let out = std::process::Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}"])
            .args(["-H", &format!("authorization: Bearer {token}")])
            .arg(format!("{}{path}", server.base))
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let (code, t) = text.split_once(' ').unwrap_or(("0", "0"));
        anyhow::ensure!(code == "200", "GET {path}: {code}");
        times.push(t.trim().parse::<f64>()? * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// One sign-up over a fresh connection; the status code (0 when the connection failed).
fn sign_up(addr: &str, activity: &str, token: &str) -> u16 {
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return 0;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
    let req = format!(
        "POST /api/v1/activities/{activity}/signups HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    if s.write_all(req.as_bytes()).is_err() {
        return 0;
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf)
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("volunteers") {
        return Ok(());
    }
    let members: usize = env("BENCH_MEMBERS", "5000").parse()?;
    let stations: usize = env("BENCH_STATIONS", "200").parse()?;
    let signups: usize = env("BENCH_SIGNUPS", "20000").parse()?;
    let rush: usize = env("BENCH_RUSH", "500").parse()?;
    let cap: i32 = env("BENCH_CAP", "200").parse()?;
    let mut bench = Bench::new()?;
    eprintln!(
        "seeding {members} members, {stations} stations, {signups} sign-ups on {} …",
        bench.backend
    );
    let estate = bench.estate("服务小区", rush as u32, true)?;
    let admin = bench.account("bench-admin", "admin", "")?;
    let county = bench.county.clone();
    let big = bench.community.clone();
    let party = bench.account("bench-party", "party_org", &big.id)?;
    let t = Instant::now();
    let now = ids::now();
    // 20 more communities: the big one holds half the members, the others share the rest.
    let mut communities: Vec<OrgRow> = vec![big.clone()];
    for i in 0..20 {
        let id = ids::new_id();
        communities.push(OrgRow {
            path: format!("{}{id}/", county.path),
            id,
            parent_id: Some(county.id.clone()),
            kind: "community".into(),
            name: format!("社区{i}"),
            created_at: now,
            department_code: None,
        });
    }
    // A small community with a handful of everything, for the lists' comparison.
    let small = communities[20].clone();
    let owners = estate.owner_ids.clone();
    let state = bench.state();
    let seed_county = county.clone();
    state
        .db
        .write_blocking(move |c| {
            let county = seed_county;
            for o in &communities[1..] {
                redprop::db::orgs::insert(c, o)?;
            }
            let pick = |i: usize| {
                if i < members / 2 {
                    &communities[0]
                } else if i.is_multiple_of(200) {
                    &communities[20]
                } else {
                    &communities[1 + i % 19]
                }
            };
            let rows: Vec<MemberRow> = (0..members)
                .map(|i| {
                    let c = pick(i);
                    MemberRow {
                        id: ids::new_id(),
                        county_id: county.id.clone(),
                        community_id: c.id.clone(),
                        community_path: c.path.clone(),
                        owner_id: None,
                        org_report_id: None,
                        name: format!("党员{i}"),
                        own_org_id: None,
                        own_org_name: "县直机关党支部".into(),
                        skills: "[\"维修\"]".into(),
                        availability: "周末".into(),
                        status: if i.is_multiple_of(2) { "placed" } else { "reported" }.into(),
                        placement_org_id: None,
                        estate_id: None,
                        post: None,
                        decided_by: None,
                        decided_at: None,
                        decline_reason: None,
                        reported_by: "bench".into(),
                        reported_at: now,
                    }
                })
                .collect();
            redprop::db::service::insert_members(c, &rows)?;
            let items = [
                "code",
                "sign",
                "facilities",
                "rules",
                "team",
                "activities",
                "services",
                "support",
            ];
            for i in 0..stations {
                let comm = if i < 5 { &communities[20] } else { &communities[i % 20] };
                let s = StationRow {
                    id: ids::new_id(),
                    county_id: county.id.clone(),
                    community_id: comm.id.clone(),
                    community_path: comm.path.clone(),
                    estate_id: None,
                    code: format!("ST-{i:04}"),
                    name: format!("党群服务站{i}"),
                    address: "某路1号".into(),
                    opening_hours: "9:00-17:00".into(),
                    created_by: "bench".into(),
                    created_at: now,
                    updated_at: now,
                };
                redprop::db::service::insert_station(c, &s)?;
                let n = if i.is_multiple_of(2) { 8 } else { 7 };
                for item in &items[..n] {
                    redprop::db::service::put_evidence(
                        c,
                        &EvidenceRow {
                            station_id: s.id.clone(),
                            item_code: item.to_string(),
                            note: "已落实".into(),
                            attachments: "[]".into(),
                            recorded_by: "bench".into(),
                            recorded_at: now,
                        },
                    )?;
                }
            }
            // 400 activities of 50 sign-ups each (held last month), a few in the small community.
            let per = 50;
            for a in 0..signups.div_ceil(per) {
                let comm = if a < 3 { &communities[20] } else { &communities[a % 20] };
                let starts = now - chrono::Duration::days(1 + (a % 28) as i64);
                let act = ActivityRow {
                    id: ids::new_id(),
                    county_id: county.id.clone(),
                    community_id: comm.id.clone(),
                    community_path: comm.path.clone(),
                    station_id: None,
                    title: format!("活动{a}"),
                    description: String::new(),
                    place: "服务站".into(),
                    starts_at: starts,
                    ends_at: starts + chrono::Duration::hours(2),
                    cap: per as i32,
                    admitted: per as i32,
                    waiting: 0,
                    checked_in: (per as i32) * 4 / 5,
                    next_seq: per as i32 + 1,
                    status: "announced".into(),
                    created_by: "bench".into(),
                    announced_at: starts - chrono::Duration::days(7),
                    cancelled_at: None,
                    served_at: None,
                };
                redprop::db::service::insert_activity(c, &act)?;
                for j in 0..per {
                    redprop::db::service::insert_signup(
                        c,
                        &SignupRow {
                            id: ids::new_id(),
                            activity_id: act.id.clone(),
                            owner_id: owners[(a * per + j) % owners.len()].clone(),
                            status: if j < per * 4 / 5 { "checked_in" } else { "admitted" }.into(),
                            seq: j as i32 + 1,
                            signed_at: act.announced_at,
                            admitted_at: Some(act.announced_at),
                            checked_in_at: None,
                            cancelled_at: None,
                        },
                    )?;
                }
            }
            let records: Vec<RecordRow> = (0..10_000)
                .map(|i| {
                    let c = &communities[i % 21];
                    RecordRow {
                        id: ids::new_id(),
                        county_id: county.id.clone(),
                        community_path: c.path.clone(),
                        subject: format!("member:m{}", i % members),
                        kind: "order".into(),
                        source_id: format!("item-{i}"),
                        minutes: 60,
                        points: 1,
                        served_on: ids::local_date(now) - chrono::Duration::days((i % 28) as i64),
                        confirmed_as: "resident".into(),
                        confirmed_by: "bench".into(),
                        confirmed_at: now,
                    }
                })
                .collect();
            redprop::db::service::insert_records(c, &records)?;
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    let small_party = bench.account("bench-small-party", "party_org", &small.id)?;

    let server = bench.serve()?;
    let figures = timed_get(
        &server,
        &admin,
        &format!("/api/v1/orgs/{}/service-figures", county.id),
        11,
    )?;
    let f = server.get(&admin, &format!("/api/v1/orgs/{}/service-figures", county.id))?;
    let big_members = timed_get(
        &server,
        &party,
        &format!("/api/v1/communities/{}/member-reports?limit=50", big.id),
        21,
    )?;
    let small_members = timed_get(
        &server,
        &small_party,
        &format!("/api/v1/communities/{}/member-reports?limit=50", small.id),
        21,
    )?;
    let county_stations = timed_get(
        &server,
        &admin,
        &format!("/api/v1/orgs/{}/stations?limit=50", county.id),
        21,
    )?;
    let small_stations = timed_get(
        &server,
        &small_party,
        &format!("/api/v1/orgs/{}/stations?limit=50", small.id),
        21,
    )?;
    let big_acts = timed_get(
        &server,
        &party,
        &format!("/api/v1/communities/{}/activities?limit=50", big.id),
        21,
    )?;
    let small_acts = timed_get(
        &server,
        &small_party,
        &format!("/api/v1/communities/{}/activities?limit=50", small.id),
        21,
    )?;

    // The rush: one activity, `rush` residents at once.
    let clock = server.get(&admin, "/api/v1/test-clock")?;
    let now: chrono::DateTime<chrono::Utc> = clock["now"].as_str().and_then(|t| t.parse().ok()).unwrap();
    let a = server.post(
        &party,
        &format!("/api/v1/communities/{}/activities", big.id),
        &serde_json::json!({ "title": "义诊", "description": "", "place": "服务站", "starts_at": now + chrono::Duration::days(3),
            "ends_at": now + chrono::Duration::days(3) + chrono::Duration::hours(2), "cap": cap }),
    )?;
    let activity = a["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("activity: {a}"))?
        .to_string();
    let addr = server.base.trim_start_matches("http://").to_string();
    let gate = Arc::new(Barrier::new(estate.tokens.len()));
    let t = Instant::now();
    let codes: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = estate
            .tokens
            .iter()
            .map(|token| {
                let (gate, addr, activity) = (gate.clone(), addr.clone(), activity.clone());
                scope.spawn(move || {
                    gate.wait();
                    // A client retries an answer that says to (busy, too many connections).
                    for attempt in 0..20 {
                        let code = sign_up(&addr, &activity, token);
                        if code != 503 && code != 0 && code != 429 {
                            return code;
                        }
                        std::thread::sleep(Duration::from_millis(50 * (attempt + 1)));
                    }
                    0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    let rush_s = t.elapsed().as_secs_f64();
    let got = server.get(&admin, &format!("/api/v1/activities/{activity}"))?;
    let mut listed = 0;
    let mut cursor = String::new();
    loop {
        let page = server.get(
            &party,
            &format!("/api/v1/activities/{activity}/signups?limit=200{cursor}"),
        )?;
        listed += page["items"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let created = codes.iter().filter(|c| **c == 201).count();
    let peak = server.peak_mib();

    println!("== party members and volunteers on {}", bench.backend);
    println!(
        "county figures ({} members reported, {} stations, {} meeting the standard, {} activities, {} served, {} h): {figures:.1} ms",
        f["members_reported"], f["stations"], f["stations_meeting_standard"], f["activities"], f["people_served"], f["hours"]
    );
    println!(
        "report-ins, page of 50: {big_members:.1} ms (community of {} members) vs {small_members:.1} ms (a handful)",
        members / 2
    );
    println!(
        "stations, page of 50: {county_stations:.1} ms (county, {stations}) vs {small_stations:.1} ms (community, 5)"
    );
    println!("activities, page of 50: {big_acts:.1} ms (community with ~20) vs {small_acts:.1} ms (3)");
    println!(
        "{rush} residents at once for a cap of {cap}: {created} answered 201 in {rush_s:.1} s; admitted {} waiting {}; {listed} sign-ups listed",
        got["admitted"], got["waiting"]
    );
    println!("server peak memory {peak:.0} MiB");
    anyhow::ensure!(created == rush, "sign-ups lost: {created} of {rush}");
    anyhow::ensure!(
        got["admitted"] == cap && got["waiting"] == (rush as i32 - cap),
        "cap not exact: {got}"
    );
    anyhow::ensure!(listed == rush, "listed {listed}");
    anyhow::ensure!(figures < 1000.0, "figures slower than 1 s");
    Ok(())
}

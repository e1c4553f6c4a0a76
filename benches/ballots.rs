//! Benchmark of the hot path: casting ballots at the close of a vote, and the tally.
//!
//!   scripts/bench/ballots   (installs wrk, builds the release server, then runs this)
//!   cargo bench --bench ballots                      # SQLite
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/postgres cargo bench --bench ballots
//!
//! Seeds an estate of BENCH_VOTERS owners (default 20,000) with an account and a session each
//! (through the library, sharing one password hash so seeding is quick), starts the release
//! server as its own process, announces and opens a vote over HTTP, then drives
//! `POST /api/v1/votes/{id}/ballots` with wrk (BENCH_CONNECTIONS, default 32; BENCH_SECONDS,
//! default 10), every request authenticated as a different owner. Afterwards it checks that
//! every acknowledged ballot is in the database, reads the server's resident memory, and times
//! the tally's aggregate queries over the 20,000-voter roll.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use redprop::config::Config;
use redprop::crypto::{self, Claims};
use redprop::db::estates::EstateRow;
use redprop::db::orgs::OrgRow;
use redprop::db::sessions::SessionRow;
use redprop::db::users::{GrantRow, UserRow};
use redprop::domain::area::RecordedAreas;
use redprop::domain::ids;
use redprop::domain::registry::{child_path, SaleStatus, UnitKind};
use redprop::domain::unit_import::{ImportRow, OwnerIn, OwnerKind};
use redprop::AppState;

const SECRET: &str = "benchmark-signing-key-benchmark-signing-key";

fn env(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn national_id(i: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!(
        "1404251980{:02}{:02}{:03}",
        1 + (i / 28 / 1000) % 12,
        1 + (i / 1000) % 28,
        i % 1000
    );
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes --bench; anything else (a test run of all targets) must not start a
    // ten-second load test.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("ballots: a load benchmark; run it with `cargo bench --bench ballots`");
        return Ok(());
    }
    let voters: u32 = env("BENCH_VOTERS", "20000").parse()?;
    let connections = env("BENCH_CONNECTIONS", "32");
    let seconds = env("BENCH_SECONDS", "10");
    let work = std::env::temp_dir().join(format!("redprop-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&work)?;
    let (database_url, backend) = match std::env::var("BENCH_DATABASE_URL").ok().filter(|v| !v.is_empty()) {
        Some(admin_url) => {
            let name = format!("redprop_bench_{}", uuid::Uuid::now_v7().simple());
            let mut c = diesel::PgConnection::establish(&admin_url)?;
            c.batch_execute(&format!("CREATE DATABASE {name}"))?;
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or(admin_url.clone());
            (format!("{base}/{name}"), "postgres")
        }
        None => (work.join("bench.sqlite3").display().to_string(), "sqlite"),
    };
    eprintln!("seeding {voters} owners on {backend} …");
    let config = Config {
        data_dir: work.clone(),
        database_url: Some(database_url.clone()),
        jwt_secret: Some(SECRET.into()),
        ..Config::default()
    };
    let state = AppState::init(config)?;
    let now = ids::now();
    let county_id = ids::new_id();
    let county = OrgRow {
        path: child_path(None, &county_id),
        id: county_id,
        parent_id: None,
        kind: "county".into(),
        name: "县".into(),
        created_at: now,
        department_code: None,
    };
    let comm_id = ids::new_id();
    let community = OrgRow {
        path: child_path(Some(&county.path), &comm_id),
        id: comm_id,
        parent_id: Some(county.id.clone()),
        kind: "community".into(),
        name: "社区".into(),
        created_at: now,
        department_code: None,
    };
    let estate = EstateRow {
        id: ids::new_id(),
        name: "基准小区".into(),
        kind: "commercial".into(),
        community_id: community.id.clone(),
        responsible_org_id: county.id.clone(),
        community_path: community.path.clone(),
        responsible_path: county.path.clone(),
        self_managed: false,
        grid_id: None,
        address: None,
        created_at: now,
    };
    let rows: Vec<ImportRow> = (0..voters)
        .map(|i| ImportRow {
            row: i as usize + 2,
            building: format!("{}号楼", i / 200 + 1),
            entrance: format!("{}单元", (i / 50) % 4 + 1),
            number: format!("{}", i % 50 + 101),
            kind: UnitKind::Residential,
            areas: RecordedAreas {
                registry: Some(6_000 + (i as i64 % 9_000)),
                ..RecordedAreas::default()
            },
            sale_status: SaleStatus::Delivered,
            owner: Some(OwnerIn {
                name: format!("业主{i}"),
                id_number: national_id(i),
                kind: OwnerKind::Natural,
                phone: None,
                party_member: false,
            }),
            co_owners: vec![],
        })
        .collect();
    let started = Instant::now();
    state
        .db
        .write_blocking(|c| {
            redprop::db::orgs::insert(c, &county)?;
            redprop::db::orgs::insert(c, &community)?;
            redprop::db::estates::insert(c, &estate)?;
            redprop::db::unit_import::apply(c, &estate.id, &rows, &state.id_hasher, "bench", now)?
                .map_err(|e| redprop::error::AppError::Internal(format!("{e:?}")))?;
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let owner_ids: Vec<String> = state
        .db
        .read_blocking(|c| {
            Ok(redprop::db::owners::page_in_estate(c, &estate.id, None, i64::MAX)?
                .into_iter()
                .map(|o| o.id)
                .collect())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = crypto::hash_password("benchmark-password");
    let keys = crypto::JwtKeys::new(SECRET.as_bytes());
    let exp = Utc::now().timestamp() + 3600;
    let mut tokens = Vec::with_capacity(owner_ids.len());
    state
        .db
        .write_blocking(|c| {
            for (i, owner) in owner_ids.iter().enumerate() {
                let user = UserRow {
                    id: ids::new_id(),
                    username: format!("owner{i}"),
                    display_name: format!("业主{i}"),
                    password_hash: hash.clone(),
                    disabled: false,
                    created_at: now,
                    password_changed_at: now,
                };
                redprop::db::users::insert(c, &user)?;
                redprop::db::users::insert_grant(
                    c,
                    &GrantRow {
                        id: ids::new_id(),
                        user_id: user.id.clone(),
                        role: "owner".into(),
                        scope_id: owner.clone(),
                        created_at: now,
                    },
                )?;
                let session = SessionRow {
                    id: ids::new_id(),
                    user_id: user.id.clone(),
                    created_at: now,
                    expires_at: now + chrono::Duration::days(1),
                    revoked_at: None,
                    refresh_generation: 1,
                    refresh_nonce: "x".into(),
                    rotated_at: None,
                };
                redprop::db::sessions::insert(c, &session)?;
                tokens.push(keys.sign(&Claims {
                    sub: user.id,
                    sid: session.id,
                    iat: exp - 3600,
                    exp,
                    roles: vec![format!("owner:{owner}")],
                }));
            }
            let admin = UserRow {
                id: ids::new_id(),
                username: "bench-admin".into(),
                display_name: "admin".into(),
                password_hash: hash.clone(),
                disabled: false,
                created_at: now,
                password_changed_at: now,
            };
            redprop::db::users::insert(c, &admin)?;
            redprop::db::users::insert_grant(
                c,
                &GrantRow {
                    id: ids::new_id(),
                    user_id: admin.id.clone(),
                    role: "admin".into(),
                    scope_id: String::new(),
                    created_at: now,
                },
            )?;
            let session = SessionRow {
                id: ids::new_id(),
                user_id: admin.id.clone(),
                created_at: now,
                expires_at: now + chrono::Duration::days(1),
                revoked_at: None,
                refresh_generation: 1,
                refresh_nonce: "x".into(),
                rotated_at: None,
            };
            redprop::db::sessions::insert(c, &session)?;
            tokens.push(keys.sign(&Claims {
                sub: admin.id,
                sid: session.id,
                iat: exp - 3600,
                exp,
                roles: vec!["admin".into()],
            }));
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let admin_token = tokens.pop().unwrap();
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    drop(state);

    // The server, as its own process.
    let port = 18_300 + (std::process::id() % 500) as u16;
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/redprop");
    anyhow::ensure!(bin.exists(), "build the server first: cargo build --release");
    let mut server = Command::new(&bin)
        .arg("serve")
        .env("DATABASE_URL", &database_url)
        .env("REDPROP_DATA_DIR", &work)
        .env("REDPROP_JWT_SECRET", SECRET)
        .env("REDPROP_BIND", format!("127.0.0.1:{port}"))
        .env("REDPROP_LOG_LEVEL", "warn")
        .env("REDPROP_AUDIT_SEAL_INTERVAL_MS", env("BENCH_SEAL_INTERVAL_MS", "500"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let curl = |args: &[&str]| -> anyhow::Result<String> {
        let out = Command::new("curl")
            .args([
                "-s",
                "-H",
                &format!("authorization: Bearer {admin_token}"),
                "-H",
                "content-type: application/json",
            ])
            .args(args)
            .output()?;
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while curl(&[&format!("{base}/readyz")])? != "ready" {
        anyhow::ensure!(Instant::now() < deadline, "server did not become ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let notice = (Utc::now() + chrono::Duration::hours(8)).date_naive() - chrono::Duration::days(20);
    let body = serde_json::json!({ "category": 4, "title": "bench", "question": "q", "kind": "question", "convenor": "street_office", "notice_posted_on": notice, "opens_at": Utc::now() - chrono::Duration::minutes(1), "closes_at": Utc::now() + chrono::Duration::hours(1) });
    let vote: serde_json::Value = serde_json::from_str(&curl(&[
        "-X",
        "POST",
        &format!("{base}/api/v1/estates/{}/votes", estate.id),
        "-d",
        &body.to_string(),
    ])?)?;
    let vote_id = vote["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("announce failed: {vote}"))?
        .to_string();
    let t = Instant::now();
    let opened: serde_json::Value = serde_json::from_str(&curl(&[
        "-X",
        "POST",
        &format!("{base}/api/v1/votes/{vote_id}/opening"),
        "-d",
        "{}",
    ])?)?;
    eprintln!(
        "roll frozen in {} ms: {} heads, fingerprint {}",
        t.elapsed().as_millis(),
        opened["total_heads"],
        opened["roll_fingerprint"]
    );

    let tokens_file = work.join("tokens.txt");
    std::fs::write(&tokens_file, tokens.join("\n"))?;
    let script = work.join("ballots.lua");
    let mut f = std::fs::File::create(&script)?;
    write!(
        f,
        r#"local tokens = {{}}
for line in io.lines("{}") do tokens[#tokens + 1] = line end
local counter = 0
local n = 0
function setup(thread) thread:set("offset", counter); counter = counter + 1 end
request = function()
  n = n + 1
  local t = tokens[((n * 7 + offset * 9973) % #tokens) + 1]
  local choice = (n % 3 == 0) and "no" or "yes"
  return wrk.format("POST", "/api/v1/votes/{}/ballots", {{["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}}, '{{"choice":"' .. choice .. '"}}')
end
"#,
        tokens_file.display(),
        vote_id
    )?;
    drop(f);
    eprintln!("wrk: {connections} connections for {seconds} s …");
    let wrk = Command::new("wrk")
        .args([
            "-t2",
            "-c",
            &connections,
            "-d",
            &format!("{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(&script)
        .arg(&base)
        .output()?;
    let report = String::from_utf8_lossy(&wrk.stdout).to_string();
    println!("{report}");
    let rss = std::fs::read_to_string(format!("/proc/{}/status", server.id()))?
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .unwrap_or("")
        .to_string();
    println!("server memory after the run: {rss}");

    // Every acknowledged ballot is in the history; exactly one counts per voter.
    let total: u64 = report
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" requests in ")
                .map(|(n, _)| n.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let non2xx: u64 = report
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Non-2xx or 3xx responses:")
                .map(|n| n.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let _ = server.kill();
    let _ = server.wait();
    let state = AppState::init(Config {
        data_dir: work.clone(),
        database_url: Some(database_url.clone()),
        jwt_secret: Some(SECRET.into()),
        ..Config::default()
    })?;
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
    println!("requests {total}, non-2xx {non2xx}, ballots in history {history}, voters counted {current}");
    anyhow::ensure!(non2xx == 0, "errors under load");
    anyhow::ensure!(history as u64 >= total - non2xx, "acknowledged ballots missing");

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
    drop(state);
    let _ = std::fs::remove_dir_all(&work);
    // A PostgreSQL run leaves no database behind.
    if let Some(admin_url) = std::env::var("BENCH_DATABASE_URL").ok().filter(|v| !v.is_empty()) {
        let name = database_url.rsplit('/').next().unwrap_or_default();
        let mut c = diesel::PgConnection::establish(&admin_url)?;
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    }
    Ok(())
}

//! What the load benchmarks share: a database of their own (a SQLite file, or a fresh
//! PostgreSQL database when BENCH_DATABASE_URL is set), estates seeded through the library
//! (the import's own code, owners with accounts and sessions signed directly so that seeding is
//! quick), the release server as its own process, and wrk.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
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

/// How long seeded sessions and tokens stay valid, in days.
const VALID_DAYS: i64 = 40;

pub const SECRET: &str = "benchmark-signing-key-benchmark-signing-key";

pub fn env(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// `cargo bench` passes --bench; anything else (a test run of all targets) must not start a
/// load test.
pub fn asked_to_run(name: &str) -> bool {
    let asked = std::env::args().any(|a| a == "--bench");
    if !asked {
        eprintln!("{name}: a load benchmark; run it with `cargo bench --bench {name}`");
    }
    asked
}

fn err(e: redprop::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// A valid national ID number for the i-th seeded person (distinct for i < 336,000).
pub fn national_id(i: u32) -> String {
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

/// A benchmark's database and working folder; dropped, it removes both.
pub struct Bench {
    pub work: PathBuf,
    pub database_url: String,
    pub backend: &'static str,
    admin_url: Option<String>,
    pub state: Option<AppState>,
    pub county: OrgRow,
    pub community: OrgRow,
    hash: String,
    next_person: u32,
}

/// An estate seeded for a benchmark: its owners, and a token per owner when asked for.
pub struct Seeded {
    pub estate_id: String,
    pub owner_ids: Vec<String>,
    pub tokens: Vec<String>,
}

impl Bench {
    pub fn new() -> anyhow::Result<Bench> {
        let work = std::env::temp_dir().join(format!("redprop-bench-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&work)?;
        let admin_url = std::env::var("BENCH_DATABASE_URL").ok().filter(|v| !v.is_empty());
        let (database_url, backend) = match &admin_url {
            Some(admin_url) => {
                let name = format!("redprop_bench_{}", uuid::Uuid::now_v7().simple());
                let mut c = diesel::PgConnection::establish(admin_url)?;
                c.batch_execute(&format!("CREATE DATABASE {name}"))?;
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .unwrap_or(admin_url.clone());
                (format!("{base}/{name}"), "postgres")
            }
            None => (work.join("bench.sqlite3").display().to_string(), "sqlite"),
        };
        let state = AppState::init(config(&work, &database_url))?;
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
        state
            .db
            .write_blocking(|c| {
                redprop::db::orgs::insert(c, &county)?;
                redprop::db::orgs::insert(c, &community)
            })
            .map_err(err)?;
        Ok(Bench {
            work,
            database_url,
            backend,
            admin_url,
            state: Some(state),
            county,
            community,
            hash: crypto::hash_password("benchmark-password"),
            next_person: 0,
        })
    }

    pub fn state(&self) -> &AppState {
        self.state
            .as_ref()
            .expect("the bench's state is open until the server starts")
    }

    /// An estate of `units` units in buildings of 200, one owner each (every fifth a party
    /// member, a quarter of them named 王…: so that even a 300-unit estate fills a 50-row page
    /// of each filter, and a page of the small estate and of a large one are alike), imported
    /// by the import's own code; with `accounts`, an owner account and a live session per owner.
    pub fn estate(&mut self, name: &str, units: u32, accounts: bool) -> anyhow::Result<Seeded> {
        let now = ids::now();
        let estate = EstateRow {
            id: ids::new_id(),
            name: name.into(),
            kind: "commercial".into(),
            community_id: self.community.id.clone(),
            responsible_org_id: self.county.id.clone(),
            community_path: self.community.path.clone(),
            responsible_path: self.county.path.clone(),
            self_managed: false,
            grid_id: None,
            address: None,
            created_at: now,
        };
        let first = self.next_person;
        self.next_person += units;
        const SURNAMES: [&str; 4] = ["王", "李", "张", "刘"];
        let rows: Vec<ImportRow> = (0..units)
            .map(|i| ImportRow {
                row: i as usize + 2,
                building: format!("{}号楼", i / 200 + 1),
                entrance: format!("{}单元", (i / 50) % 4 + 1),
                number: format!("{}{:02}", (i % 200) / 4 + 1, i % 4 + 1),
                kind: UnitKind::Residential,
                areas: RecordedAreas {
                    registry: Some(6_000 + (i as i64 % 9_000)),
                    ..RecordedAreas::default()
                },
                sale_status: SaleStatus::Delivered,
                owner: Some(OwnerIn {
                    name: format!("{}{}", SURNAMES[(i % 4) as usize], first + i),
                    id_number: national_id(first + i),
                    kind: OwnerKind::Natural,
                    phone: None,
                    party_member: i % 5 == 0,
                }),
                co_owners: vec![],
            })
            .collect();
        let state = self.state();
        state
            .db
            .write_blocking(|c| {
                redprop::db::estates::insert(c, &estate)?;
                redprop::db::unit_import::apply(c, &estate.id, &rows, &state.id_hasher, "bench", now)?
                    .map_err(|e| redprop::error::AppError::Internal(format!("{e:?}")))?;
                Ok(())
            })
            .map_err(err)?;
        let owner_ids: Vec<String> = state
            .db
            .read_blocking(|c| {
                Ok(
                    redprop::db::owners::page_in_estate(c, &estate.id, None, None, i64::MAX)?
                        .into_iter()
                        .map(|o| o.id)
                        .collect(),
                )
            })
            .map_err(err)?;
        let mut tokens = Vec::new();
        if accounts {
            for (i, owner) in owner_ids.iter().enumerate() {
                tokens.push(self.account(&format!("{name}-owner{i}"), "owner", owner)?);
            }
        }
        Ok(Seeded {
            estate_id: estate.id,
            owner_ids,
            tokens,
        })
    }

    /// Runs SQL on the seeded database before the server starts (an experiment: what does an
    /// index cost the hot path?).
    pub fn experiment(&self, sql: &str) -> anyhow::Result<()> {
        eprintln!("experiment: {sql}");
        let mut c = self.state().db.raw_connection().map_err(err)?;
        c.batch_execute(sql)?;
        Ok(())
    }

    /// An account with one grant and a live session: its access token, valid for `VALID_DAYS`
    /// (the benchmarks move the server's test clock past a vote's notice).
    pub fn account(&self, username: &str, role: &str, scope: &str) -> anyhow::Result<String> {
        let now = ids::now();
        let exp = Utc::now().timestamp() + VALID_DAYS * 86_400;
        let user = UserRow {
            id: ids::new_id(),
            username: username.into(),
            display_name: username.into(),
            password_hash: self.hash.clone(),
            disabled: false,
            created_at: now,
            password_changed_at: now,
        };
        let session = SessionRow {
            id: ids::new_id(),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now + chrono::Duration::days(VALID_DAYS),
            revoked_at: None,
            refresh_generation: 1,
            refresh_nonce: "x".into(),
            rotated_at: None,
        };
        let grant = GrantRow {
            id: ids::new_id(),
            user_id: user.id.clone(),
            role: role.into(),
            scope_id: scope.into(),
            created_at: now,
        };
        self.state()
            .db
            .write_blocking(|c| {
                redprop::db::users::insert(c, &user)?;
                redprop::db::users::insert_grant(c, &grant)?;
                redprop::db::sessions::insert(c, &session)
            })
            .map_err(err)?;
        let role_claim = if scope.is_empty() {
            role.to_string()
        } else {
            format!("{role}:{scope}")
        };
        Ok(crypto::JwtKeys::new(SECRET.as_bytes()).sign(&Claims {
            sub: user.id,
            sid: session.id,
            iat: Utc::now().timestamp(),
            exp,
            roles: vec![role_claim],
        }))
    }

    /// Starts the release server on this database (closing the bench's own handle first), with
    /// the test clock on (`REDPROP_TEST_CLOCK=1`: a vote's 15-day notice is passed by moving the
    /// clock, not by waiting).
    pub fn serve(&mut self) -> anyhow::Result<Server> {
        self.serve_with(&[])
    }

    /// `serve`, with more of the server's settings (`REDPROP_…` variables).
    pub fn serve_with(&mut self, extra: &[(&str, &str)]) -> anyhow::Result<Server> {
        self.state = None;
        let port = 18_300 + (std::process::id() % 500) as u16;
        let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/redprop");
        anyhow::ensure!(bin.exists(), "build the server first: cargo build --release");
        let child = Command::new(&bin)
            .arg("serve")
            .env("DATABASE_URL", &self.database_url)
            .env("REDPROP_DATA_DIR", &self.work)
            .env("REDPROP_JWT_SECRET", SECRET)
            .env("REDPROP_BIND", format!("127.0.0.1:{port}"))
            .env("REDPROP_LOG_LEVEL", env("BENCH_LOG_LEVEL", "warn"))
            .env("REDPROP_AUDIT_SEAL_INTERVAL_MS", env("BENCH_SEAL_INTERVAL_MS", "500"))
            .env("REDPROP_TEST_CLOCK", "1")
            .envs(extra.iter().copied())
            .stdout(Stdio::null())
            // The server's log, for a look after the run (BENCH_LOG_LEVEL=info shows more).
            .stderr(std::fs::File::create(self.work.join("server.log"))?)
            .spawn()?;
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.curl("", &["/readyz"]).unwrap_or_default() != "ready" {
            anyhow::ensure!(Instant::now() < deadline, "server did not become ready");
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// The state again, after the server stopped (for checks after a run).
    pub fn reopen(&mut self) -> anyhow::Result<&AppState> {
        self.state = Some(AppState::init(config(&self.work, &self.database_url))?);
        Ok(self.state())
    }
}

fn config(work: &std::path::Path, database_url: &str) -> Config {
    Config {
        data_dir: work.to_path_buf(),
        database_url: Some(database_url.to_string()),
        jwt_secret: Some(SECRET.into()),
        ..Config::default()
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.state = None;
        let _ = std::fs::remove_dir_all(&self.work);
        // A PostgreSQL run leaves no database behind.
        if let Some(admin_url) = &self.admin_url {
            let name = self.database_url.rsplit('/').next().unwrap_or_default();
            if let Ok(mut c) = diesel::PgConnection::establish(admin_url) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The release server, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// curl with a bearer token (none when empty) on a path of the server; the body.
    pub fn curl(&self, token: &str, args: &[&str]) -> anyhow::Result<String> {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-H", "content-type: application/json"]);
        if !token.is_empty() {
            cmd.args(["-H", &format!("authorization: Bearer {token}")]);
        }
        let (path, rest) = args.split_last().expect("a path");
        let out = cmd.args(rest).arg(format!("{}{path}", self.base)).output()?;
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    }

    /// POST a JSON body; the answer as JSON.
    pub fn post(&self, token: &str, path: &str, body: &serde_json::Value) -> anyhow::Result<serde_json::Value> {
        Ok(serde_json::from_str(
            &self.curl(token, &["-X", "POST", "-d", &body.to_string(), path])?,
        )?)
    }

    /// GET; the answer as JSON.
    pub fn get(&self, token: &str, path: &str) -> anyhow::Result<serde_json::Value> {
        Ok(serde_json::from_str(&self.curl(token, &[path])?)?)
    }

    /// The server's peak resident memory so far, in MiB.
    pub fn peak_mib(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    }

    /// The server's resident memory.
    pub fn rss(&self) -> String {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmRSS"))
            .unwrap_or("")
            .to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What wrk reported.
#[derive(Debug, Default)]
pub struct Wrk {
    pub report: String,
    pub requests: u64,
    pub non2xx: u64,
    pub rate: f64,
    pub p99: String,
    pub mean: String,
    /// CPU time per request of the server process and of the database's processes (PostgreSQL's
    /// backends; nothing on SQLite, which runs inside the server), in microseconds.
    pub server_cpu_us: f64,
    pub database_cpu_us: f64,
}

/// CPU time (user + system) used so far by a process, in clock ticks (/proc/PID/stat).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    n(11) + n(12)
}

/// CPU ticks used so far by every process named `postgres` (the server and its backends; a
/// backend that exits between two readings takes its ticks with it, so this undercounts).
fn postgres_ticks() -> u64 {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(cpu_ticks)
        .sum()
}

/// Runs wrk (2 threads, `connections`, `seconds`) with a Lua script against the server.
pub fn wrk(
    server: &Server,
    work: &std::path::Path,
    name: &str,
    lua: &str,
    connections: &str,
    seconds: &str,
) -> anyhow::Result<Wrk> {
    let script = work.join(format!("{name}.lua"));
    std::fs::File::create(&script)?.write_all(lua.as_bytes())?;
    let (server_before, db_before) = (cpu_ticks(server.child.id()), postgres_ticks());
    let out = Command::new("wrk")
        // wrk needs at least one connection per thread.
        .args(["-t", if connections == "1" { "1" } else { "2" }])
        .args(["-c", connections, "-d", &format!("{seconds}s"), "--latency", "-s"])
        .arg(&script)
        .arg(&server.base)
        .output()?;
    let (server_ticks, db_ticks) = (
        cpu_ticks(server.child.id()) - server_before,
        postgres_ticks().saturating_sub(db_before),
    );
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    let find = |prefix: &str| {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
            .unwrap_or_default()
    };
    let requests: u64 = report
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" requests in ")
                .map(|(n, _)| n.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    // Clock ticks are 1/100 s on Linux (USER_HZ).
    let per_request = |ticks: u64| ticks as f64 * 10_000.0 / requests.max(1) as f64;
    Ok(Wrk {
        requests,
        server_cpu_us: per_request(server_ticks),
        database_cpu_us: per_request(db_ticks),
        non2xx: find("Non-2xx or 3xx responses:").parse().unwrap_or(0),
        rate: find("Requests/sec:").parse().unwrap_or(0.0),
        p99: find("99%"),
        mean: find("Latency")
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
        report,
    })
}

/// A wrk script that GETs one path with a bearer token.
pub fn get_script(path: &str, token: &str) -> String {
    format!(
        r#"request = function()
  return wrk.format("GET", "{path}", {{["Authorization"] = "Bearer {token}"}})
end
"#
    )
}

/// A wrk script that casts ballots on a vote, each request as a different owner (tokens one a
/// line in `tokens_file`).
pub fn ballots_script(tokens_file: &std::path::Path, vote_id: &str) -> String {
    format!(
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
    )
}

/// Waits BENCH_SETTLE_SECONDS (default 5) after a write load, before measuring reads: the server
/// chains the audit events of the last seconds of ballots in the background (`audit` sealer)
/// for a few seconds after the load stops, and a read measured meanwhile shares the CPU with it
/// — the first list of a run would be measured under conditions the others are not.
pub fn settle() {
    let secs: u64 = env("BENCH_SETTLE_SECONDS", "5").parse().unwrap_or(5);
    std::thread::sleep(Duration::from_secs(secs));
}

/// Runs a read's wrk script for BENCH_WARMUP_SECONDS (default 2) and discards the result, before
/// the measured run: a server just started grows its PostgreSQL pool from one connection to
/// sixteen under the first load, and each new connection starts with cold caches and unprepared
/// statements — a start-up cost that would otherwise land in the first list's p99.
pub fn warm_up(server: &Server, work: &std::path::Path, lua: &str, connections: &str) -> anyhow::Result<()> {
    wrk(
        server,
        work,
        "warm-up",
        lua,
        connections,
        &env("BENCH_WARMUP_SECONDS", "2"),
    )?;
    Ok(())
}

/// Moves the server's test clock forward.
pub fn advance(server: &Server, admin: &str, by: chrono::Duration) -> anyhow::Result<()> {
    let r = server.post(
        admin,
        "/api/v1/test-clock/advance",
        &serde_json::json!({ "seconds": by.num_seconds() }),
    )?;
    anyhow::ensure!(r.get("status").is_none(), "the test clock did not move: {r}");
    Ok(())
}

/// Announces a question vote on each estate, moves the clock past their notice and opens them;
/// they close an hour later (by the server's clock): the votes' ids.
pub fn open_votes(server: &Server, admin: &str, estate_ids: &[&str]) -> anyhow::Result<Vec<String>> {
    let clock = server.get(admin, "/api/v1/test-clock")?;
    let now: chrono::DateTime<Utc> = clock["now"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no test clock: {clock}"))?;
    let opens = now + chrono::Duration::days(17);
    let body = serde_json::json!({ "category": 4, "title": "bench", "question": "q", "kind": "question", "convenor": "street_office", "opens_at": opens, "closes_at": opens + chrono::Duration::hours(1) });
    let mut ids = Vec::new();
    for estate_id in estate_ids {
        let vote = server.post(admin, &format!("/api/v1/estates/{estate_id}/votes"), &body)?;
        ids.push(
            vote["id"]
                .as_str()
                .ok_or_else(|| anyhow::anyhow!("announce failed: {vote}"))?
                .to_string(),
        );
    }
    advance(server, admin, chrono::Duration::days(17))?;
    for id in &ids {
        let t = Instant::now();
        let opened = server.post(admin, &format!("/api/v1/votes/{id}/opening"), &serde_json::json!({}))?;
        anyhow::ensure!(opened["total_heads"].is_number(), "opening failed: {opened}");
        eprintln!(
            "roll of {} heads frozen in {} ms, fingerprint {}",
            opened["total_heads"],
            t.elapsed().as_millis(),
            opened["roll_fingerprint"]
        );
    }
    Ok(ids)
}

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The plan of `sql` as the database gives it: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's
/// EXPLAIN ANALYZE.
pub fn plan(conn: &mut redprop::db::AnyConnection, sql: &str) -> anyhow::Result<Vec<String>> {
    use redprop::db::AnyConnection;
    Ok(match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<SqlitePlan>(c)?
            .into_iter()
            .map(|p| p.detail)
            .collect(),
        AnyConnection::Postgresql(c) => diesel::sql_query(format!("EXPLAIN ANALYZE {sql}"))
            .load::<PgPlan>(c)?
            .into_iter()
            .map(|p| p.line)
            .collect(),
    })
}

//! Webhooks (issue 17): signed deliveries of a company's and a county's events, retried with
//! backoff and replayable, from an outbox written with the change; never to another company;
//! nothing lost across kill -9; one delivery per event with two replicas.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::Duration;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::both;
use crate::fixtures::open_vote_with_one_owner;
use crate::support::{As, TestApp};

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    headers: HashMap<String, String>,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// Whether the signature header holds a valid `v1` for `secret` (as a receiver checks it).
    fn signed_by(&self, secret: &str) -> bool {
        let header = &self.headers["redprop-signature"];
        let t: i64 = header
            .split(',')
            .find_map(|p| p.strip_prefix("t="))
            .unwrap()
            .parse()
            .unwrap();
        let expected = redprop::domain::webhook::sign(secret, t, self.body.as_bytes());
        header
            .split(',')
            .filter_map(|p| p.strip_prefix("v1="))
            .any(|v| v == expected)
    }

    fn signatures(&self) -> usize {
        self.headers["redprop-signature"].matches("v1=").count()
    }
}

/// A webhook receiver on 127.0.0.1: records every request and answers with `status`.
#[derive(Clone)]
struct Receiver {
    port: u16,
    got: Arc<Mutex<Vec<Got>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener)
    }

    /// Serves on a port chosen earlier (a receiver that comes back up where it was).
    async fn start_on(port: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        Self::serve(listener)
    }

    fn serve(listener: tokio::net::TcpListener) -> Receiver {
        let r = Receiver {
            port: listener.local_addr().unwrap().port(),
            got: Arc::default(),
            status: Arc::new(AtomicU16::new(200)),
        };
        let me = r.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let me = me.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        let n = s.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i;
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let mut lines = head.split("\r\n");
                    let path = lines.next().unwrap().split(' ').nth(1).unwrap().to_string();
                    let headers: HashMap<String, String> = lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                        .collect();
                    let len: usize = headers.get("content-length").map_or(0, |v| v.parse().unwrap());
                    while buf.len() < head_end + 4 + len {
                        let n = s.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let body = String::from_utf8_lossy(&buf[head_end + 4..head_end + 4 + len]).to_string();
                    me.got.lock().unwrap().push(Got { path, headers, body });
                    let status = me.status.load(Ordering::SeqCst);
                    let _ = s
                        .write_all(
                            format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes(),
                        )
                        .await;
                });
            }
        });
        r
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn at(&self, path: &str) -> Vec<Got> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.path == path)
            .cloned()
            .collect()
    }
}

/// Webhooks to this machine, retried quickly.
fn local(app: TestApp) -> TestApp {
    app.with_config(|c| {
        c.webhooks.allow_local = true;
        c.webhooks.retry_base = StdDuration::from_millis(20);
        c.webhooks.max_attempts = 3;
        c.webhooks.timeout = StdDuration::from_secs(2);
    })
}

fn worker(app: &TestApp) -> redprop::webhooks::Worker {
    redprop::webhooks::Worker::new(
        app.state.db.clone(),
        app.state.jwt.clone(),
        app.state.config.webhooks.clone(),
    )
}

/// Runs the worker until nothing is due for a while (retries included).
async fn deliver(app: &TestApp) {
    let w = worker(app);
    let mut idle = 0;
    while idle < 5 {
        let n = w.run_until_idle().await.unwrap();
        idle = if n == 0 { idle + 1 } else { 0 };
        tokio::time::sleep(StdDuration::from_millis(40)).await;
    }
}

async fn register(app: &TestApp, who: As<'_>, owner: (&str, &str), url: &str, types: &[&str]) -> (String, String) {
    let r = app
        .post(
            "/api/v1/webhooks",
            who,
            json!({ owner.0: owner.1, "url": url, "event_types": types }),
        )
        .await;
    let location = r.headers.get("location").map(|v| v.to_str().unwrap().to_string());
    let r = r.expect(201);
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/v1/webhooks/{}", r.s("id")).as_str())
    );
    assert!(r.s("secret").starts_with("whsec_"));
    (r.s("id"), r.s("secret"))
}

/// A new estate of the county with a contract for `company`: a `contract.changed` event.
async fn new_contract(app: &TestApp, bureau: &str, community: &str, company: &str, name: &str) -> String {
    let estate = app.estate(bureau, name, community).await;
    app.post(
        &format!("/api/v1/companies/{company}/contracts"),
        As::Bearer(bureau),
        json!({ "estate_id": estate, "kind": "service", "starts_on": "2025-01-01" }),
    )
    .await
    .expect(201);
    estate
}

async fn each_company_and_county_hears_only_of_its_own(app: TestApp) {
    let app = local(app);
    let a = app.estate_with_parties("WHA").await;
    let b = app.estate_with_parties("WHB").await;
    let rx = Receiver::start().await;
    // Company A by its API key, company B by its account, B's county by its bureau.
    let (hook_a, secret_a) = register(
        &app,
        As::Key(&a.key),
        ("company_id", &a.company),
        &rx.url("/a"),
        &["contract.changed"],
    )
    .await;
    let (_, secret_b) = register(
        &app,
        As::Bearer(&b.company_token),
        ("company_id", &b.company),
        &rx.url("/b"),
        &["contract.changed", "vote.opened"],
    )
    .await;
    let (_, secret_kb) = register(
        &app,
        As::Bearer(&b.bureau),
        ("county_id", &b.k.county),
        &rx.url("/county-b"),
        &["contract.changed"],
    )
    .await;
    // A's endpoint for another type hears nothing of contracts.
    register(
        &app,
        As::Key(&a.key),
        ("company_id", &a.company),
        &rx.url("/a-votes"),
        &["vote.opened"],
    )
    .await;

    let ea = new_contract(&app, &a.bureau, &a.k.comm_a, &a.company, "甲新苑").await;
    let eb = new_contract(&app, &b.bureau, &b.k.comm_a, &b.company, "乙新苑").await;
    // Nothing is sent before the worker runs: the event waits in the outbox.
    assert!(rx.got.lock().unwrap().is_empty());
    deliver(&app).await;

    let to_a = rx.at("/a");
    assert_eq!(to_a.len(), 1, "{to_a:?}");
    let e = to_a[0].json();
    assert_eq!(
        (e["type"].as_str(), e["company_id"].as_str()),
        (Some("contract.changed"), Some(a.company.as_str()))
    );
    assert_eq!(e["data"]["estate_id"], ea.as_str());
    assert_eq!(to_a[0].headers["redprop-event-id"], e["id"].as_str().unwrap());
    assert!(to_a[0].signed_by(&secret_a) && !to_a[0].signed_by(&secret_b));
    assert_eq!(to_a[0].signatures(), 1);

    let to_b = rx.at("/b");
    assert_eq!(to_b.len(), 1);
    assert_eq!(to_b[0].json()["data"]["estate_id"], eb.as_str());
    assert!(to_b[0].signed_by(&secret_b) && !to_b[0].signed_by(&secret_a));
    let to_kb = rx.at("/county-b");
    assert_eq!(to_kb.len(), 1, "the county hears of its own county's contract once");
    assert_eq!(to_kb[0].json()["county_id"], b.k.county.as_str());
    assert!(to_kb[0].signed_by(&secret_kb));
    assert!(rx.at("/a-votes").is_empty());

    // Recorded as delivered; running again sends nothing twice.
    let list = app
        .get(&format!("/api/v1/webhooks/{hook_a}/deliveries"), As::Key(&a.key))
        .await
        .expect(200);
    let d = &list.body["items"][0];
    assert_eq!(
        (
            d["status"].as_str(),
            d["attempts"].as_i64(),
            d["last_status_code"].as_i64()
        ),
        (Some("delivered"), Some(1), Some(200))
    );
    deliver(&app).await;
    assert_eq!(rx.got.lock().unwrap().len(), 3);

    // No caller of one company sees or changes the other's endpoint; nor does the bureau.
    for who in [
        As::Key(&b.key),
        As::Bearer(&b.company_token),
        As::Bearer(&a.bureau),
        As::Bearer(&a.owner_tokens[0]),
    ] {
        app.get(&format!("/api/v1/webhooks/{hook_a}"), who).await.problem(404);
        app.get(&format!("/api/v1/webhooks/{hook_a}/deliveries"), who)
            .await
            .problem(404);
        app.call(
            poem::http::Method::DELETE,
            &format!("/api/v1/webhooks/{hook_a}"),
            who,
            None,
        )
        .await
        .problem(404);
    }
    app.get(&format!("/api/v1/webhooks?company_id={}", a.company), As::Key(&b.key))
        .await
        .problem(404);
    app.get(&format!("/api/v1/webhooks/{hook_a}"), As::Nobody)
        .await
        .problem(401);
    // Registering for someone else: the company or county is "not found".
    for (who, owner) in [
        (As::Key(&b.key), ("company_id", a.company.as_str())),
        (As::Bearer(&a.bureau), ("company_id", a.company.as_str())),
        (As::Bearer(&a.company_token), ("county_id", a.k.county.as_str())),
        (As::Bearer(&a.bureau), ("county_id", b.k.county.as_str())),
    ] {
        let r = app
            .post(
                "/api/v1/webhooks",
                who,
                json!({ owner.0: owner.1, "url": rx.url("/x"), "event_types": ["vote.opened"] }),
            )
            .await;
        assert_eq!(r.problem(422), "validation_failed");
    }
    app.post(
        "/api/v1/webhooks",
        As::Nobody,
        json!({ "company_id": a.company, "url": rx.url("/x"), "event_types": ["vote.opened"] }),
    )
    .await
    .problem(401);
    let listed = app
        .get(
            &format!("/api/v1/webhooks?company_id={}", a.company),
            As::Bearer(&a.company_token),
        )
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    assert!(
        listed.body.to_string().find("whsec_").is_none(),
        "a secret is never shown again"
    );
}
both!(each_company_and_county_hears_only_of_its_own);

async fn failures_are_retried_then_failed_and_can_be_replayed(app: TestApp) {
    let app = local(app);
    let a = app.estate_with_parties("WHR").await;
    let rx = Receiver::start().await;
    rx.status.store(503, Ordering::SeqCst);
    let (hook, secret) = register(
        &app,
        As::Key(&a.key),
        ("company_id", &a.company),
        &rx.url("/r"),
        &["contract.changed"],
    )
    .await;
    new_contract(&app, &a.bureau, &a.k.comm_a, &a.company, "重试苑").await;
    deliver(&app).await;

    // Three attempts (the configured most), the same event each time, then failed.
    let got = rx.at("/r");
    assert_eq!(got.len(), 3, "{got:?}");
    let id = got[0].json()["id"].clone();
    assert!(got
        .iter()
        .all(|g| g.json()["id"] == id && g.body == got[0].body && g.signed_by(&secret)));
    let failed = app
        .get(
            &format!("/api/v1/webhooks/{hook}/deliveries?status=failed"),
            As::Key(&a.key),
        )
        .await
        .expect(200);
    let d = failed.body["items"][0].clone();
    assert_eq!(
        (d["attempts"].as_i64(), d["last_status_code"].as_i64()),
        (Some(3), Some(503))
    );
    assert_eq!(d["event_id"], id);
    let pending = app
        .get(
            &format!("/api/v1/webhooks/{hook}/deliveries?status=pending"),
            As::Key(&a.key),
        )
        .await
        .expect(200);
    assert!(pending.body["items"].as_array().unwrap().is_empty());

    // The receiver is fixed; the delivery is replayed, with the same event id and body.
    rx.status.store(204, Ordering::SeqCst);
    let did = d["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/webhooks/{hook}/deliveries/{did}/replay"),
        As::Bearer(&a.bureau),
        json!({}),
    )
    .await
    .problem(404);
    let r = app
        .post(
            &format!("/api/v1/webhooks/{hook}/deliveries/{did}/replay"),
            As::Key(&a.key),
            json!({}),
        )
        .await
        .expect(202);
    assert_eq!(
        (r.body["status"].as_str(), r.body["attempts"].as_i64()),
        (Some("pending"), Some(0))
    );
    deliver(&app).await;
    let got = rx.at("/r");
    assert_eq!(got.len(), 4);
    assert_eq!(got[3].body, got[0].body);
    let d = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries"), As::Key(&a.key))
        .await
        .expect(200);
    assert_eq!(
        (
            d.body["items"][0]["status"].as_str(),
            d.body["items"][0]["last_status_code"].as_i64()
        ),
        (Some("delivered"), Some(204))
    );
    app.post(
        &format!("/api/v1/webhooks/{hook}/deliveries/nope/replay"),
        As::Key(&a.key),
        json!({}),
    )
    .await
    .problem(404);

    // A receiver that does not answer at all: the error says why.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (dead_hook, _) = register(
        &app,
        As::Key(&a.key),
        ("company_id", &a.company),
        &format!("http://127.0.0.1:{dead}/"),
        &["contract.changed"],
    )
    .await;
    new_contract(&app, &a.bureau, &a.k.comm_a, &a.company, "无人苑").await;
    deliver(&app).await;
    let d = app
        .get(&format!("/api/v1/webhooks/{dead_hook}/deliveries"), As::Key(&a.key))
        .await
        .expect(200);
    let d = &d.body["items"][0];
    assert_eq!(d["status"], "failed");
    assert!(d["last_error"].as_str().unwrap().contains("connect"), "{d}");
}
both!(failures_are_retried_then_failed_and_can_be_replayed);

async fn a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends(app: TestApp) {
    let app = local(app);
    let a = app.estate_with_parties("WHS").await;
    let rx = Receiver::start().await;
    let (hook, old) = register(
        &app,
        As::Bearer(&a.company_token),
        ("company_id", &a.company),
        &rx.url("/s"),
        &["contract.changed"],
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/webhooks/{hook}/secret"),
            As::Bearer(&a.company_token),
            json!({}),
        )
        .await
        .expect(200);
    let new = r.s("secret");
    assert_ne!(new, old);
    assert_eq!(r.body["secret_generation"], 2);
    new_contract(&app, &a.bureau, &a.k.comm_a, &a.company, "轮换苑").await;
    deliver(&app).await;
    let got = rx.at("/s");
    assert_eq!(got.len(), 1);
    assert!(got[0].signed_by(&new) && got[0].signed_by(&old) && got[0].signatures() == 2);

    // A day later (the overlap), only the new secret signs.
    app.advance(Duration::hours(25));
    new_contract(&app, &a.bureau, &a.k.comm_a, &a.company, "轮换二苑").await;
    deliver(&app).await;
    let got = rx.at("/s");
    assert_eq!(got.len(), 2);
    assert!(got[1].signed_by(&new) && !got[1].signed_by(&old) && got[1].signatures() == 1);

    // A test event goes to this endpoint alone, signed, and is listed among its deliveries;
    // another company cannot send one to it.
    let other = app.estate_with_parties("WHT").await;
    app.post(
        &format!("/api/v1/webhooks/{hook}/test"),
        As::Bearer(&other.company_token),
        json!({}),
    )
    .await
    .problem(404);
    let queued = app
        .post(&format!("/api/v1/webhooks/{hook}/test"), As::Key(&a.key), json!({}))
        .await
        .expect(202);
    assert_eq!(queued.body["event_type"], "webhook.test");
    deliver(&app).await;
    let got = rx.at("/s");
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].json()["type"], "webhook.test");
    assert_eq!(got[2].json()["data"]["webhook_id"], hook.as_str());
    assert!(got[2].signed_by(&new));

    // Paused: events from now on are not queued for it; deleted: gone.
    app.call(
        poem::http::Method::PATCH,
        &format!("/api/v1/webhooks/{hook}"),
        As::Bearer(&a.company_token),
        Some(json!({ "active": false })),
    )
    .await
    .expect(200);
    new_contract(&app, &a.bureau, &a.k.comm_a, &a.company, "暂停苑").await;
    deliver(&app).await;
    assert_eq!(rx.at("/s").len(), 3);
    let r = app
        .post(&format!("/api/v1/webhooks/{hook}/test"), As::Key(&a.key), json!({}))
        .await;
    assert_eq!(r.problem(409), "webhook_paused");
    app.call(
        poem::http::Method::PATCH,
        &format!("/api/v1/webhooks/{hook}"),
        As::Bearer(&a.company_token),
        Some(json!({})),
    )
    .await
    .problem(422);
    app.delete(&format!("/api/v1/webhooks/{hook}"), As::Bearer(&a.company_token))
        .await
        .expect(204);
    app.get(&format!("/api/v1/webhooks/{hook}"), As::Bearer(&a.company_token))
        .await
        .problem(404);
}
both!(a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends);

async fn a_vote_is_told_when_it_opens_and_when_it_closes(app: TestApp) {
    let app = local(app);
    let (admin, vid, _) = open_vote_with_one_owner(&app, "表决通知苑", Duration::days(3)).await;
    let rx = Receiver::start().await;
    let estate = app
        .get(&format!("/api/v1/votes/{vid}"), As::Bearer(&admin))
        .await
        .expect(200)
        .s("estate_id");
    let county = app
        .get(&format!("/api/v1/estates/{estate}"), As::Bearer(&admin))
        .await
        .expect(200)
        .s("county_id");
    // The opening goes out before the endpoint exists; the close is fanned out when it comes, to
    // the endpoints subscribed then.
    deliver(&app).await;
    register(
        &app,
        As::Bearer(&admin),
        ("county_id", &county),
        &rx.url("/v"),
        &["vote.opened", "vote.closed"],
    )
    .await;
    deliver(&app).await;
    assert!(rx.at("/v").is_empty(), "{:?}", rx.at("/v"));
    // Extended by a day: the close is told at the new time, not the old.
    app.post(
        &format!("/api/v1/votes/{vid}/extension"),
        As::Bearer(&admin),
        json!({ "closes_at": app.at(Duration::days(4)), "reason": "参与率不足" }),
    )
    .await
    .expect(200);
    app.advance(Duration::days(3) + Duration::hours(1));
    deliver(&app).await;
    assert!(rx.at("/v").is_empty(), "told of the close at the old time");
    app.advance(Duration::days(1));
    deliver(&app).await;
    let got = rx.at("/v");
    assert_eq!(got.len(), 1);
    let e = got[0].json();
    assert_eq!(
        (e["type"].as_str(), e["data"]["vote_id"].as_str()),
        (Some("vote.closed"), Some(vid.as_str()))
    );
}
both!(a_vote_is_told_when_it_opens_and_when_it_closes);

async fn only_https_to_public_addresses_unless_allowed(app: TestApp) {
    let a = app.estate_with_parties("WHU").await;
    for url in [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://10.0.0.8/x",
        "https://[::1]/",
        "https://localhost/x",
        "ftp://x.example.com/",
        "https://user:pw@example.com/",
    ] {
        let r = app
            .post(
                "/api/v1/webhooks",
                As::Key(&a.key),
                json!({ "company_id": a.company, "url": url, "event_types": ["vote.opened"] }),
            )
            .await;
        assert_eq!(r.problem(422), "validation_failed", "{url}");
        assert_eq!(r.body["errors"][0]["field"], "url", "{url}");
    }
    for bad in [json!([]), json!(["vote.opened", "vote.opened"]), json!(["no.such"])] {
        app.post(
            "/api/v1/webhooks",
            As::Key(&a.key),
            json!({ "company_id": a.company, "url": "https://hooks.example.com/", "event_types": bad }),
        )
        .await
        .problem(422);
    }
    app.post("/api/v1/webhooks", As::Key(&a.key), json!({ "company_id": a.company, "county_id": a.k.county, "url": "https://hooks.example.com/", "event_types": ["vote.opened"] }))
        .await
        .problem(422);
    // At most ten per company.
    for _ in 0..10 {
        app.post(
            "/api/v1/webhooks",
            As::Key(&a.key),
            json!({ "company_id": a.company, "url": "https://hooks.example.com/", "event_types": ["vote.opened"] }),
        )
        .await
        .expect(201);
    }
    let r = app
        .post(
            "/api/v1/webhooks",
            As::Key(&a.key),
            json!({ "company_id": a.company, "url": "https://hooks.example.com/", "event_types": ["vote.opened"] }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
}
both!(only_https_to_public_addresses_unless_allowed);

/// The server binary, serving the app's database with webhooks to this machine.
struct Server {
    child: std::process::Child,
}

impl Server {
    async fn start(app: &TestApp) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = &app.state.config;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_redprop"));
        cmd.arg("serve")
            .env_clear()
            .env("REDPROP_BIND", format!("127.0.0.1:{port}"))
            .env("REDPROP_DATA_DIR", &c.data_dir)
            .env("REDPROP_WEBHOOK_ALLOW_LOCAL", "1")
            .env("REDPROP_WEBHOOK_RETRY_BASE_MS", "50")
            .env("REDPROP_WEBHOOK_POLL_MS", "50")
            .env("REDPROP_TEST_CLOCK", "1")
            .env("REDPROP_LOG_LEVEL", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Some(url) = &c.database_url {
            cmd.env("DATABASE_URL", url);
        }
        let child = cmd.spawn().unwrap();
        let server = Server { child };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                // On the app's clock, which the fixtures moved on (a token of the app's works
                // here: same keys, same database).
                let offset = app.state.db.clock().offset_secs();
                if offset > 0 {
                    let token = app.admin_token().await;
                    let body = json!({ "seconds": offset }).to_string();
                    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                    let req = format!(
                        "POST /api/v1/test-clock/advance HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    s.write_all(req.as_bytes()).await.unwrap();
                    let mut answer = String::new();
                    s.read_to_string(&mut answer).await.unwrap();
                    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
                }
                return server;
            }
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
        panic!("the server did not start");
    }

    fn kill9(mut self) {
        // SIGKILL: no graceful shutdown, no last round of the worker.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn statuses(app: &TestApp, key: &str, hook: &str) -> Vec<(String, i64)> {
    let d = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries?limit=200"), As::Key(key))
        .await
        .expect(200);
    d.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["status"].as_str().unwrap().to_string(),
                d["attempts"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..400 {
        if done().await {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn nothing_is_lost_when_the_server_is_killed_before_delivering(app: TestApp) {
    let app = local(app);
    let a = app.estate_with_parties("WHK").await;
    // The receiver is down at first.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (hook, secret) = register(
        &app,
        As::Key(&a.key),
        ("company_id", &a.company),
        &format!("http://127.0.0.1:{port}/k"),
        &["contract.changed"],
    )
    .await;
    new_contract(&app, &a.bureau, &a.k.comm_a, &a.company, "断电苑").await;

    let server = Server::start(&app).await;
    wait_until("an attempt has failed", async || {
        statuses(&app, &a.key, &hook).await.iter().any(|(_, n)| *n >= 1)
    })
    .await;
    server.kill9();

    let rx = Receiver::start_on(port).await;
    let server = Server::start(&app).await;
    wait_until("it is delivered", async || {
        statuses(&app, &a.key, &hook)
            .await
            .iter()
            .all(|(s, _)| s == "delivered")
    })
    .await;
    drop(server);
    let got = rx.at("/k");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].signed_by(&secret));
}
both!(nothing_is_lost_when_the_server_is_killed_before_delivering);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_deliver_each_event_once() {
    let Some(app) = TestApp::postgres() else { return };
    let app = local(app);
    let a = app.estate_with_parties("WH2").await;
    let rx = Receiver::start().await;
    let (hook, _) = register(
        &app,
        As::Key(&a.key),
        ("company_id", &a.company),
        &rx.url("/two"),
        &["contract.changed"],
    )
    .await;
    let replicas = [Server::start(&app).await, Server::start(&app).await];
    const EVENTS: usize = 24;
    for i in 0..EVENTS {
        new_contract(&app, &a.bureau, &a.k.comm_a, &a.company, &format!("双副本{i}苑")).await;
    }
    wait_until("all are delivered", async || {
        let s = statuses(&app, &a.key, &hook).await;
        s.len() == EVENTS && s.iter().all(|(s, _)| s == "delivered")
    })
    .await;
    drop(replicas);
    let got = rx.at("/two");
    let mut ids: Vec<String> = got
        .iter()
        .map(|g| g.json()["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (EVENTS, EVENTS), "each event once");
}

async fn a_dispatched_item_is_told_to_its_company_without_personal_data(app: TestApp) {
    let app = local(app);
    let a = app.estate_with_parties("WHD").await;
    let b = app.estate_with_parties("WHE").await;
    let rx = Receiver::start().await;
    register(
        &app,
        As::Key(&a.key),
        ("company_id", &a.company),
        &rx.url("/d"),
        &["ledger_item.dispatched"],
    )
    .await;
    register(
        &app,
        As::Key(&b.key),
        ("company_id", &b.company),
        &rx.url("/other"),
        &["ledger_item.dispatched"],
    )
    .await;
    let item = app
        .post(
            &format!("/api/v1/estates/{}/ledger-items", a.estate.id),
            As::Bearer(&a.owner_tokens[2]),
            json!({ "category": "repairs", "title": "3号楼顶层漏水", "description": "雨后楼道漏水" }),
        )
        .await
        .expect(201)
        .s("id");
    app.post(
        &format!("/api/v1/ledger-items/{item}/dispatch"),
        As::Bearer(&a.party),
        json!({ "assignee_kind": "company", "assignee_id": a.company }),
    )
    .await
    .expect(200);
    deliver(&app).await;
    let got = rx.at("/d");
    assert_eq!(got.len(), 1);
    let e = got[0].json();
    assert_eq!(
        (e["type"].as_str(), e["data"]["ledger_item_id"].as_str()),
        (Some("ledger_item.dispatched"), Some(item.as_str()))
    );
    assert!(e["data"]["accept_due"].is_string());
    for private in ["漏水", &a.estate.names[2]] {
        assert!(!got[0].body.contains(private), "{private} in {}", got[0].body);
    }
    assert!(rx.at("/other").is_empty());
}
both!(a_dispatched_item_is_told_to_its_company_without_personal_data);

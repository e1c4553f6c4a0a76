//! Notice (issue 30, RULES.md §10): every owner's and office's inbox; a vote's announcement to
//! every owner of the roll, each once, with proof owner by owner; texts through Alibaba Cloud
//! SMS (a local fake that checks each request's signature as the provider documents it), held
//! in quiet hours, one per owner per matter per day, within the county's cap, past an opt-out
//! only when statutory; work-group robots; no phone number where it does not belong.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use base64::Engine;
use chrono::{Duration, Timelike};
use hmac::{Hmac, Mac};
use poem::http::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::both;
use crate::fixtures::Parties;
use crate::support::{As, TestApp};

/// One request the fake received: its action and form parameters.
#[derive(Clone, Debug)]
struct Call {
    query: HashMap<String, String>,
    path: String,
    body: String,
}

/// A local HTTP server that records requests and answers each with `answer(call)`.
#[derive(Clone)]
struct Fake {
    port: u16,
    calls: Arc<Mutex<Vec<Call>>>,
}

type Answer = Arc<dyn Fn(&Call) -> (u16, String) + Send + Sync>;

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn form(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

impl Fake {
    async fn start(answer: Answer) -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let f = Fake {
            port: listener.local_addr().unwrap().port(),
            calls: Arc::default(),
        };
        let me = f.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let me = me.clone();
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 8192];
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
                    let target = head.split(' ').nth(1).unwrap_or("/").to_string();
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    while buf.len() < head_end + 4 + len {
                        let n = s.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let body = String::from_utf8_lossy(&buf[head_end + 4..head_end + 4 + len]).to_string();
                    let (path, q) = target.split_once('?').unwrap_or((&target, ""));
                    let call = Call {
                        query: form(q),
                        path: path.to_string(),
                        body,
                    };
                    let (status, text) = answer(&call);
                    me.calls.lock().unwrap().push(call);
                    let _ = s
                        .write_all(
                            format!(
                                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                                text.len()
                            )
                            .as_bytes(),
                        )
                        .await;
                });
            }
        });
        f
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Forgets what it received (the fixtures' own notices).
    fn clear(&self) {
        self.calls.lock().unwrap().clear();
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

const KEY_ID: &str = "LTAI-test";
const SECRET: &str = "test-secret-0123";

/// The provider's check, written from its documentation ("签名机制"), apart from the service's
/// code: parameters without `Signature`, sorted, each key and value percent-encoded (RFC 3986:
/// only `A-Za-z0-9-_.~` kept), joined; `POST&%2F&` + the encoded query; HMAC-SHA1 under
/// `secret&`; base64.
fn signed(p: &HashMap<String, String>) -> bool {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    let mut keys: Vec<&String> = p.keys().filter(|k| *k != "Signature").collect();
    keys.sort();
    let q = keys
        .iter()
        .map(|k| format!("{}={}", enc(k), enc(&p[*k])))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("POST&{}&{}", enc("/"), enc(&q));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{SECRET}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    p.get("Signature") == Some(&expected)
        && p.get("AccessKeyId").map(String::as_str) == Some(KEY_ID)
        && p.get("SignatureMethod").map(String::as_str) == Some("HMAC-SHA1")
        && p.get("SignatureVersion").map(String::as_str) == Some("1.0")
        && p.get("Version").map(String::as_str) == Some("2017-05-25")
        && p.contains_key("SignatureNonce")
        && p.contains_key("Timestamp")
}

/// A fake Alibaba Cloud SMS: `SendSms` takes a correctly signed text (refusing a bad signature
/// with the provider's code), `QuerySendDetails` reports every text it took as delivered.
async fn aliyun() -> Fake {
    let sent: Arc<Mutex<Vec<HashMap<String, String>>>> = Arc::default();
    Fake::start(Arc::new(move |call: &Call| {
        let p = form(&call.body);
        if !signed(&p) {
            return (400, json!({ "Code": "SignatureDoesNotMatch", "Message": "bad signature" }).to_string());
        }
        match p.get("Action").map(String::as_str) {
            Some("SendSms") => {
                let mut s = sent.lock().unwrap();
                s.push(p.clone());
                (200, json!({ "Code": "OK", "Message": "OK", "RequestId": format!("req-{}", s.len()), "BizId": format!("biz-{}", s.len()) }).to_string())
            }
            Some("QuerySendDetails") => {
                let s = sent.lock().unwrap();
                let list: Vec<Value> = s
                    .iter()
                    .filter(|x| x.get("PhoneNumbers") == p.get("PhoneNumber"))
                    .map(|x| json!({ "OutId": x["OutId"], "SendStatus": 3, "ErrCode": "DELIVERED", "PhoneNum": x["PhoneNumbers"] }))
                    .collect();
                (200, json!({ "Code": "OK", "SmsSendDetailDTOs": { "SmsSendDetailDTO": list } }).to_string())
            }
            _ => (400, json!({ "Code": "InvalidAction" }).to_string()),
        }
    }))
    .await
}

/// The texts the fake took (signed `SendSms` calls).
fn texts(f: &Fake) -> Vec<HashMap<String, String>> {
    f.calls()
        .iter()
        .map(|c| form(&c.body))
        .filter(|p| p.get("Action").map(String::as_str) == Some("SendSms") && signed(p))
        .collect()
}

/// The app sending texts to `fake`, retrying quickly, robots allowed on this machine.
fn with_sms(app: TestApp, fake: &Fake) -> TestApp {
    let url = fake.url();
    app.with_config(move |c| {
        c.webhooks.allow_local = true;
        c.webhooks.retry_base = StdDuration::from_millis(20);
        c.webhooks.max_attempts = 3;
        c.webhooks.timeout = StdDuration::from_secs(2);
        c.notices.sms = redprop::config::SmsTransport::Aliyun(redprop::config::AliyunSms {
            endpoint: url,
            access_key_id: KEY_ID.into(),
            access_key_secret: SECRET.into(),
            sign_name: "红色物业".into(),
            template_code: "SMS_100001".into(),
        });
    })
}

fn worker(app: &TestApp) -> redprop::notices::Worker {
    redprop::notices::Worker::new(
        app.state.db.clone(),
        app.state.config.notices.clone(),
        app.state.config.webhooks.clone(),
    )
}

/// Runs the notice worker until nothing is due for a while.
async fn deliver(app: &TestApp) {
    let w = worker(app);
    let mut idle = 0;
    while idle < 3 {
        let n = w.run_until_idle().await.unwrap();
        idle = if n == 0 { idle + 1 } else { 0 };
        tokio::time::sleep(StdDuration::from_millis(30)).await;
    }
}

/// Sends what the fixtures raised (the committee's candidate list …) and marks the owners'
/// inboxes read, so that a test starts from nothing unread.
async fn settle(app: &TestApp, p: &Parties) {
    deliver(app).await;
    for t in &p.owner_tokens {
        app.post("/api/v1/me/notices/read-all", As::Bearer(t), json!({}))
            .await
            .expect(200);
    }
}

fn phone(i: usize) -> String {
    format!("1380013{:04}", 8000 + i)
}

/// Gives the first `n` owners of the estate a mobile number.
async fn phones(app: &TestApp, p: &Parties, n: usize) {
    for (i, o) in p.estate.owners.iter().take(n).enumerate() {
        app.call(
            Method::PATCH,
            &format!("/api/v1/owners/{o}"),
            As::Bearer(&p.admin),
            Some(json!({ "phone": phone(i) })),
        )
        .await
        .expect(200);
    }
}

/// Announces a vote of the estate (opening after the 15 days' notice): its id.
async fn announce(app: &TestApp, p: &Parties) -> String {
    app.post(
        &format!("/api/v1/estates/{}/votes", p.estate.id),
        As::Bearer(&p.committee_token),
        json!({ "category": 4, "title": "续聘物业", "question": "是否续聘？", "kind": "question", "convenor": "owners_committee",
                "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(20)) }),
    )
    .await
    .expect(201)
    .s("id")
}

/// Moves the clock to the next `hour`:`minute` China Standard Time.
fn advance_to(app: &TestApp, hour: u32, minute: u32) {
    let local = app.now().naive_utc() + Duration::hours(8);
    let mut target = local.date().and_hms_opt(hour, minute, 0).unwrap();
    if target <= local {
        target += Duration::days(1);
    }
    // The clock moves in whole seconds: a second more lands within the minute.
    app.advance(target - local + Duration::seconds(1));
    let now = app.now().naive_utc() + Duration::hours(8);
    assert_eq!((now.hour(), now.minute()), (hour, minute));
}

async fn inbox(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/me/notices", As::Bearer(token)).await.expect(200).body
}

both!(a_vote_announcement_reaches_every_owner_once_with_proof);
async fn a_vote_announcement_reaches_every_owner_once_with_proof(app: TestApp) {
    let fake = aliyun().await;
    let app = with_sms(app, &fake);
    let p = app.estate_with_parties("na").await;
    settle(&app, &p).await;
    fake.clear();
    advance_to(&app, 10, 0);
    phones(&app, &p, 6).await;
    let vid = announce(&app, &p).await;
    // The announcement answers at once; nothing is sent until the worker runs.
    assert!(texts(&fake).is_empty());
    deliver(&app).await;

    // Every owner of the roll, each once, by a signed text with the approved template.
    let sent = texts(&fake);
    assert_eq!(sent.len(), 6, "six owners have a mobile number");
    let mut numbers: Vec<&str> = sent.iter().map(|t| t["PhoneNumbers"].as_str()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 6);
    let t = &sent[0];
    assert_eq!(t["SignName"], "红色物业");
    assert_eq!(t["TemplateCode"], "SMS_100001");
    let params: Value = serde_json::from_str(&t["TemplateParam"]).unwrap();
    assert_eq!(params["matter"], "表决公告：续聘物业");

    // The owner's inbox has it, unread; read, it is not.
    let mine = inbox(&app, &p.owner_tokens[0]).await;
    assert_eq!(mine["unread"], 1);
    let n = &mine["items"][0];
    assert_eq!(n["kind"], "vote_announced");
    assert_eq!(n["statutory"], true);
    assert_eq!(n["link"], format!("/web/owner/votes/{vid}"));
    let inbox_id = n["id"].as_str().unwrap().to_string();
    let notice_id = n["notice_id"].as_str().unwrap().to_string();
    // Another owner cannot mark it.
    app.post(
        &format!("/api/v1/me/notices/{inbox_id}/read"),
        As::Bearer(&p.owner_tokens[1]),
        json!({}),
    )
    .await
    .expect(404);
    let r = app
        .post(
            &format!("/api/v1/me/notices/{inbox_id}/read"),
            As::Bearer(&p.owner_tokens[0]),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.body["marked"].as_i64(), r.body["unread"].as_i64()),
        (Some(1), Some(0))
    );
    let again = app
        .post(
            &format!("/api/v1/me/notices/{inbox_id}/read"),
            As::Bearer(&p.owner_tokens[0]),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(again.body["marked"], 0);
    // The committee's and the community's inboxes have it too.
    assert_eq!(
        inbox(&app, &p.committee_token).await["items"][0]["notice_id"],
        notice_id.as_str()
    );
    assert_eq!(inbox(&app, &p.party).await["items"][0]["notice_id"], notice_id.as_str());

    // The proof, owner by owner: all ten on their page, six texted, four without a mobile.
    let proof = app
        .get(
            &format!("/api/v1/notices/{notice_id}/proof"),
            As::Bearer(&p.committee_token),
        )
        .await
        .expect(200)
        .body;
    let total_owners = p.estate.owners.len() as i64;
    assert_eq!(proof["totals"]["owners"], total_owners);
    assert_eq!(proof["totals"]["texted"], 6);
    assert_eq!(proof["totals"]["without_mobile"], total_owners - 6);
    assert_eq!(proof["totals"]["complete"], true);
    let lines = proof["items"].as_array().unwrap();
    assert_eq!(lines.len() as i64, total_owners);
    let texted: Vec<&Value> = lines.iter().filter(|l| l["text"]["status"] == "accepted").collect();
    assert_eq!(texted.len(), 6);
    assert!(texted
        .iter()
        .all(|l| l["text"]["provider"] == "aliyun" && l["text"]["provider_request_id"].is_string()));
    assert!(
        lines
            .iter()
            .filter(|l| l["text"]["not_sent_reason"] == "no_mobile")
            .count() as i64
            == total_owners - 6
    );
    // No phone number in the proof, the notice or the export.
    let everything = proof.to_string() + &mine.to_string();
    assert!(!everything.contains(&phone(0)));
    let x = app
        .get(
            &format!("/api/v1/notices/{notice_id}/proof/export"),
            As::Bearer(&p.party),
        )
        .await
        .expect(200);
    assert!(x.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));

    // The vote carries the totals, the public board too (no names).
    let v = app
        .get(&format!("/api/v1/votes/{vid}"), As::Bearer(&p.owner_tokens[1]))
        .await
        .expect(200)
        .body;
    assert_eq!(v["notice"]["owners"], total_owners);
    assert_eq!(v["notice"]["without_mobile"], total_owners - 6);

    // A minute later the receipts come: delivered.
    app.advance(Duration::minutes(2));
    deliver(&app).await;
    let proof = app
        .get(
            &format!("/api/v1/notices/{notice_id}/proof"),
            As::Bearer(&p.committee_token),
        )
        .await
        .body;
    assert_eq!(proof["totals"]["delivered"], 6);

    // Owners and the company may not read the proof; another county's bureau does not see it.
    app.get(
        &format!("/api/v1/notices/{notice_id}/proof"),
        As::Bearer(&p.owner_tokens[0]),
    )
    .await
    .expect(403);
    app.get(
        &format!("/api/v1/notices/{notice_id}/proof"),
        As::Bearer(&p.company_token),
    )
    .await
    .expect(403);
    let other = app.estate_with_parties("nb").await;
    app.get(&format!("/api/v1/notices/{notice_id}/proof"), As::Bearer(&other.bureau))
        .await
        .expect(404);
    assert_eq!(
        inbox(&app, &other.owner_tokens[0]).await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // A paper notice posted in the estate, with its photo.
    let png = crate::fixtures::upload(
        &app,
        As::Bearer(&p.committee_token),
        &crate::fixtures::png("paper"),
        "公告.png",
    )
    .await
    .expect(201)
    .s("id");
    let paper = app
        .post(
            &format!("/api/v1/notices/{notice_id}/paper"),
            As::Bearer(&p.committee_token),
            json!({ "place": "1号楼大堂公告栏", "photo_ids": [png] }),
        )
        .await
        .expect(201);
    assert_eq!(paper.body["place"], "1号楼大堂公告栏");
    app.get(&format!("/api/v1/attachments/{png}"), As::Bearer(&p.party))
        .await
        .expect(200);
    let v = app
        .get(&format!("/api/v1/votes/{vid}"), As::Bearer(&p.owner_tokens[1]))
        .await
        .body;
    assert_eq!(v["notice"]["paper_notices"], 1);
    // Somebody else's upload is not a photo of this notice.
    let theirs = crate::fixtures::upload(
        &app,
        As::Bearer(&p.owner_tokens[0]),
        &crate::fixtures::png("theirs"),
        "x.png",
    )
    .await
    .expect(201)
    .s("id");
    app.post(
        &format!("/api/v1/notices/{notice_id}/paper"),
        As::Bearer(&p.committee_token),
        json!({ "place": "x", "photo_ids": [theirs] }),
    )
    .await
    .expect(422);
}

both!(quiet_hours_hold_texts_until_eight_unless_the_matter_closes_within_a_day);
async fn quiet_hours_hold_texts_until_eight_unless_the_matter_closes_within_a_day(app: TestApp) {
    let fake = aliyun().await;
    let app = with_sms(app, &fake);
    let p = app.estate_with_parties("nq").await;
    settle(&app, &p).await;
    fake.clear();
    phones(&app, &p, 2).await;
    // 20:59: a text may go.
    advance_to(&app, 20, 59);
    announce(&app, &p).await;
    deliver(&app).await;
    assert_eq!(texts(&fake).len(), 2);
    // 21:00: held (the inbox has it at once).
    advance_to(&app, 21, 0);
    let second = announce(&app, &p).await;
    deliver(&app).await;
    assert_eq!(texts(&fake).len(), 2, "nothing at 21:00");
    assert_eq!(inbox(&app, &p.owner_tokens[0]).await["unread"], 2);
    // 07:59: still held; 08:00: sent.
    advance_to(&app, 7, 59);
    deliver(&app).await;
    assert_eq!(texts(&fake).len(), 2, "nothing at 07:59");
    advance_to(&app, 8, 0);
    deliver(&app).await;
    assert_eq!(texts(&fake).len(), 4, "held texts go at 08:00");

    // At 22:00 a vote closing within 24 hours is texted at once (its reminder).
    let v = app
        .get(&format!("/api/v1/votes/{second}"), As::Bearer(&p.committee_token))
        .await
        .body;
    let opens = chrono::DateTime::parse_from_rfc3339(v["opens_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.advance(opens - app.now() + Duration::minutes(1));
    app.post(
        &format!("/api/v1/votes/{second}/opening"),
        As::Bearer(&p.committee_token),
        json!({}),
    )
    .await
    .expect(200);
    deliver(&app).await;
    let before = texts(&fake).len();
    // Closes at +20 days from the announcement at 21:00: 22:00 the evening before is within 24 hours.
    let closes = chrono::DateTime::parse_from_rfc3339(v["closes_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.advance(closes - app.now() - Duration::hours(26));
    advance_to(&app, 22, 0);
    assert!(closes - app.now() <= Duration::hours(24) && closes - app.now() > Duration::hours(22));
    deliver(&app).await;
    let reminders: Vec<_> = texts(&fake)[before..]
        .iter()
        .filter(|t| t["TemplateParam"].contains("表决即将结束"))
        .cloned()
        .collect();
    assert_eq!(
        reminders.len(),
        2,
        "the reminder goes in quiet hours: the vote closes within 24 hours"
    );
}

both!(one_text_per_owner_per_matter_per_day_and_the_cap_exactly);
async fn one_text_per_owner_per_matter_per_day_and_the_cap_exactly(app: TestApp) {
    let fake = aliyun().await;
    let app = with_sms(app, &fake);
    let p = app.estate_with_parties("nc").await;
    settle(&app, &p).await;
    fake.clear();
    advance_to(&app, 9, 0);
    phones(&app, &p, 5).await;
    // The cap: 3 a day. Only the bureau sets it.
    let settings = format!("/api/v1/orgs/{}/notice-settings", p.k.county);
    app.call(
        Method::PUT,
        &settings,
        As::Bearer(&p.party),
        Some(json!({ "daily_text_cap": 3 })),
    )
    .await
    .expect(404);
    app.call(
        Method::PUT,
        &settings,
        As::Bearer(&p.committee_token),
        Some(json!({ "daily_text_cap": 3 })),
    )
    .await
    .expect(404);
    app.call(
        Method::PUT,
        &settings,
        As::Bearer(&p.bureau),
        Some(json!({ "daily_text_cap": 3 })),
    )
    .await
    .expect(200);
    let vid = announce(&app, &p).await;
    deliver(&app).await;
    assert_eq!(texts(&fake).len(), 3, "the cap is reached exactly");
    let s = app.get(&settings, As::Bearer(&p.bureau)).await.expect(200).body;
    assert_eq!(
        (
            s["daily_text_cap"].as_i64(),
            s["texts_today"].as_i64(),
            s["transport"].as_str()
        ),
        (Some(3), Some(3), Some("aliyun"))
    );
    let listed = app
        .get(
            &format!("/api/v1/orgs/{}/notice-deliveries", p.k.county),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200)
        .body;
    let capped: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["not_sent_reason"] == "cap_reached")
        .collect();
    assert_eq!(capped.len(), 2);
    assert!(!listed.to_string().contains("1380013"), "no phone numbers in the list");

    // The next day the bureau sends them by hand; the cap counts afresh.
    advance_to(&app, 9, 0);
    for d in &capped {
        app.post(
            &format!("/api/v1/notice-deliveries/{}/retry", d["id"].as_str().unwrap()),
            As::Bearer(&p.bureau),
            json!({}),
        )
        .await
        .expect(200);
    }
    app.post(
        &format!("/api/v1/notice-deliveries/{}/retry", capped[0]["id"].as_str().unwrap()),
        As::Bearer(&p.bureau),
        json!({}),
    )
    .await
    .problem(409);
    deliver(&app).await;
    assert_eq!(texts(&fake).len(), 5);

    // The vote opens (a second matter-day for the same vote): the owners texted today about it
    // are not texted again; the inbox still has it.
    app.call(Method::PUT, &settings, As::Bearer(&p.bureau), Some(json!({})))
        .await
        .expect(200);
    let v = app
        .get(&format!("/api/v1/votes/{vid}"), As::Bearer(&p.committee_token))
        .await
        .body;
    let opens = chrono::DateTime::parse_from_rfc3339(v["opens_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.advance(opens - app.now() + Duration::minutes(1));
    advance_to(&app, 9, 0);
    // A text today about the vote from the bureau's retry … then the opening: one per day.
    app.post(
        &format!("/api/v1/votes/{vid}/opening"),
        As::Bearer(&p.committee_token),
        json!({}),
    )
    .await
    .expect(200);
    deliver(&app).await;
    let opened: Vec<_> = texts(&fake)
        .into_iter()
        .filter(|t| t["TemplateParam"].contains("表决开始"))
        .collect();
    assert_eq!(opened.len(), 5);
    let reminders: Vec<_> = texts(&fake)
        .into_iter()
        .filter(|t| t["TemplateParam"].contains("即将结束"))
        .collect();
    assert!(reminders.is_empty(), "the reminder is not due yet");
    // Moving on to a day before the close: the reminder goes once per owner, whichever worker runs.
    let closes = chrono::DateTime::parse_from_rfc3339(v["closes_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.advance(closes - app.now() - Duration::hours(24) + Duration::minutes(1));
    let (a, b) = (worker(&app), worker(&app));
    let (x, y) = tokio::join!(a.run_until_idle(), b.run_until_idle());
    x.unwrap();
    y.unwrap();
    deliver(&app).await;
    let reminders: Vec<_> = texts(&fake)
        .into_iter()
        .filter(|t| t["TemplateParam"].contains("即将结束"))
        .collect();
    assert_eq!(reminders.len(), 5, "two workers, one text each");
}

both!(an_opt_out_covers_everything_but_statutory_notices);
async fn an_opt_out_covers_everything_but_statutory_notices(app: TestApp) {
    let fake = aliyun().await;
    let app = with_sms(app, &fake);
    let p = app.estate_with_parties("no").await;
    settle(&app, &p).await;
    fake.clear();
    advance_to(&app, 10, 0);
    phones(&app, &p, 2).await;
    let me = &p.owner_tokens[0];
    let prefs = app
        .get("/api/v1/me/notice-preferences", As::Bearer(me))
        .await
        .expect(200)
        .body;
    assert_eq!(prefs, json!({ "texts_opted_out": false, "mobile_on_record": true }));
    app.call(
        Method::PUT,
        "/api/v1/me/notice-preferences",
        As::Bearer(me),
        Some(json!({ "texts_opted_out": true })),
    )
    .await
    .expect(200);
    // Officials have no such choice (they have no texts).
    app.get("/api/v1/me/notice-preferences", As::Bearer(&p.bureau))
        .await
        .expect(403);

    // A non-statutory notice (minutes, a statement …): raised for the estate through a closed
    // vote's result is not needed; the vote's opening is one.
    let vid = announce(&app, &p).await;
    deliver(&app).await;
    assert_eq!(texts(&fake).len(), 2, "the announcement is statutory: both owners");
    let v = app.get(&format!("/api/v1/votes/{vid}"), As::Bearer(me)).await.body;
    let opens = chrono::DateTime::parse_from_rfc3339(v["opens_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.advance(opens - app.now() + Duration::minutes(1));
    advance_to(&app, 10, 0);
    app.post(
        &format!("/api/v1/votes/{vid}/opening"),
        As::Bearer(&p.committee_token),
        json!({}),
    )
    .await
    .expect(200);
    deliver(&app).await;
    let opened: Vec<_> = texts(&fake)
        .into_iter()
        .filter(|t| t["TemplateParam"].contains("表决开始"))
        .collect();
    assert_eq!(opened.len(), 1, "the owner who opted out is not texted");
    assert_eq!(opened[0]["PhoneNumbers"], phone(1));
    // The inbox has it regardless.
    let mine = inbox(&app, me).await;
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "vote_opened"));
    // Read them all.
    let all = app
        .post("/api/v1/me/notices/read-all", As::Bearer(me), json!({}))
        .await
        .expect(200);
    assert_eq!(all.body["unread"], 0);
    assert_eq!(
        app.get("/api/v1/me/notices/unread", As::Bearer(me)).await.body["unread"],
        0
    );
}

both!(co_owners_and_a_designated_voter_are_each_notified_once);
async fn co_owners_and_a_designated_voter_are_each_notified_once(app: TestApp) {
    let fake = aliyun().await;
    let app = with_sms(app, &fake);
    let p = app.estate_with_parties("nw").await;
    settle(&app, &p).await;
    fake.clear();
    advance_to(&app, 10, 0);
    phones(&app, &p, 3).await;
    // Unit of owner 1 is held by owners 1 and 2 together (2 designated), and owner 2 keeps theirs.
    let units = app
        .get(
            &format!("/api/v1/estates/{}/units?limit=200", p.estate.id),
            As::Bearer(&p.admin),
        )
        .await
        .body;
    let unit_of = |owner: &str| {
        units["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["owners"][0]["owner_id"] == owner)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (o1, o2) = (p.estate.owners[1].clone(), p.estate.owners[2].clone());
    app.post(
        &format!("/api/v1/units/{}/ownerships", unit_of(&o1)),
        As::Bearer(&p.admin),
        json!({ "owner_ids": [o1, o2], "designated_voter_id": o2 }),
    )
    .await
    .expect(201);
    announce(&app, &p).await;
    deliver(&app).await;
    let sent = texts(&fake);
    assert_eq!(sent.len(), 3, "owners 0, 1 and 2, each once");
    let mut numbers: Vec<String> = sent.iter().map(|t| t["PhoneNumbers"].clone()).collect();
    numbers.sort();
    assert_eq!(numbers, vec![phone(0), phone(1), phone(2)]);
    let mine = inbox(&app, &p.owner_tokens[2]).await;
    assert_eq!(mine["unread"], 1);
}

both!(a_text_whose_answer_was_lost_is_not_sent_twice);
async fn a_text_whose_answer_was_lost_is_not_sent_twice(app: TestApp) {
    // The first answer to SendSms is lost (the provider took it, the connection dropped): the
    // worker cannot know. Its next attempt asks the provider by our id first, finds it, and
    // does not send it again.
    let taken: Arc<Mutex<Vec<HashMap<String, String>>>> = Arc::default();
    let drop_first = Arc::new(AtomicBool::new(true));
    let t2 = taken.clone();
    let fake = Fake::start(Arc::new(move |call: &Call| {
        let p = form(&call.body);
        assert!(signed(&p));
        match p["Action"].as_str() {
            "SendSms" => {
                t2.lock().unwrap().push(p.clone());
                if drop_first.swap(false, Ordering::SeqCst) {
                    return (502, "{}".into());
                }
                (200, json!({ "Code": "OK", "RequestId": "r", "BizId": "b" }).to_string())
            }
            _ => {
                let list: Vec<Value> = t2
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|x| x.get("PhoneNumbers") == p.get("PhoneNumber"))
                    .map(|x| json!({ "OutId": x["OutId"], "SendStatus": 1 }))
                    .collect();
                (
                    200,
                    json!({ "Code": "OK", "SmsSendDetailDTOs": { "SmsSendDetailDTO": list } }).to_string(),
                )
            }
        }
    }))
    .await;
    let app = with_sms(app, &fake);
    let p = app.estate_with_parties("nl").await;
    settle(&app, &p).await;
    fake.clear();
    advance_to(&app, 10, 0);
    phones(&app, &p, 1).await;
    announce(&app, &p).await;
    deliver(&app).await;
    let sends = taken.lock().unwrap().len();
    assert_eq!(sends, 1, "found at the provider, not sent again");
    let queries = fake
        .calls()
        .iter()
        .filter(|c| form(&c.body)["Action"] == "QuerySendDetails")
        .count();
    assert!(queries >= 1);
    // A bad gateway is not proof it went, but the provider's record is: accepted.
    let listed = app
        .get(
            &format!("/api/v1/orgs/{}/notice-deliveries?status=accepted", p.k.county),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

both!(work_groups_hear_of_their_offices_notices);
async fn work_groups_hear_of_their_offices_notices(app: TestApp) {
    let robot = Fake::start(Arc::new(|_: &Call| {
        (200, json!({ "errcode": 0, "errmsg": "ok" }).to_string())
    }))
    .await;
    let app = app.with_config(|c| {
        c.webhooks.allow_local = true;
        c.webhooks.timeout = StdDuration::from_secs(2);
    });
    let p = app.estate_with_parties("ng").await;
    settle(&app, &p).await;
    robot.clear();
    // WeCom for the committee; DingTalk, signed, for the community.
    let wecom = format!("{}cgi-bin/webhook/send?key=wk", robot.url());
    app.call(
        Method::PUT,
        &format!("/api/v1/estates/{}/work-group", p.estate.id),
        As::Bearer(&p.owner_tokens[0]),
        Some(json!({ "kind": "wecom", "url": wecom })),
    )
    .await
    .expect(403);
    let set = app
        .call(
            Method::PUT,
            &format!("/api/v1/estates/{}/work-group", p.estate.id),
            As::Bearer(&p.committee_token),
            Some(json!({ "kind": "wecom", "url": wecom })),
        )
        .await
        .expect(200);
    assert!(!set.body["url"].as_str().unwrap().contains("wk"), "the key is masked");
    let ding = format!("{}robot/send?access_token=dt", robot.url());
    app.call(
        Method::PUT,
        &format!("/api/v1/orgs/{}/work-group", p.k.comm_a),
        As::Bearer(&p.party),
        Some(json!({ "kind": "dingtalk", "url": ding, "secret": "SECabc" })),
    )
    .await
    .expect(200);
    announce(&app, &p).await;
    deliver(&app).await;
    let calls = robot.calls();
    let w: Vec<&Call> = calls.iter().filter(|c| c.path == "/cgi-bin/webhook/send").collect();
    let d = app
        .get(
            &format!("/api/v1/orgs/{}/notice-deliveries?status=delivered", p.k.county),
            As::Bearer(&p.bureau),
        )
        .await;
    assert_eq!(w.len(), 1, "{:?} {}", w, d.body);
    let body: Value = serde_json::from_str(&w[0].body).unwrap();
    assert_eq!(body["msgtype"], "text");
    assert!(body["text"]["content"].as_str().unwrap().contains("续聘物业"));
    let d: Vec<&Call> = calls.iter().filter(|c| c.path == "/robot/send").collect();
    assert_eq!(d.len(), 1);
    let ts: i64 = d[0].query["timestamp"].parse().unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"SECabc").unwrap();
    mac.update(format!("{ts}\nSECabc").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(d[0].query["sign"], expected, "DingTalk's signature as documented");
    // In production only the providers' own hosts are taken.
    let strict = app.with_config(|c| c.webhooks.allow_local = false);
    strict
        .call(
            Method::PUT,
            &format!("/api/v1/estates/{}/work-group", p.estate.id),
            As::Bearer(&p.committee_token),
            Some(json!({ "kind": "wecom", "url": "https://example.com/cgi-bin/webhook/send?key=x" })),
        )
        .await
        .problem(422);
}

both!(no_phone_number_leaves_for_anywhere_but_the_provider);
async fn no_phone_number_leaves_for_anywhere_but_the_provider(app: TestApp) {
    let fake = aliyun().await;
    let app = with_sms(app, &fake);
    let p = app.estate_with_parties("np").await;
    settle(&app, &p).await;
    fake.clear();
    advance_to(&app, 10, 0);
    phones(&app, &p, 3).await;
    announce(&app, &p).await;
    deliver(&app).await;
    assert_eq!(texts(&fake).len(), 3);
    // The stored notices, deliveries, webhook events and audit events hold no number.
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        t: String,
    }
    let dump: Vec<String> = app
        .state
        .db
        .read_blocking(|c| {
            let mut out = Vec::new();
            for q in [
                "SELECT title || body || audience AS t FROM notices",
                "SELECT addressee || COALESCE(reason, '') || COALESCE(provider_request_id, '') AS t FROM notice_deliveries",
                "SELECT payload AS t FROM webhook_events",
                "SELECT action || target_id || change_digest AS t FROM audit_events",
            ] {
                out.extend(diesel::sql_query(q).load::<Row>(c)?.into_iter().map(|r| r.t));
            }
            Ok(out)
        })
        .unwrap();
    for i in 0..3 {
        assert!(
            !dump.iter().any(|t| t.contains(&phone(i))),
            "phone {i} stored beside a notice"
        );
    }
}

both!(an_overdue_deadline_is_told_once_to_the_community_and_the_bureau);
async fn an_overdue_deadline_is_told_once_to_the_community_and_the_bureau(app: TestApp) {
    let p = app.estate_with_parties("nd").await;
    // A meeting's decision, the company to act within two days.
    let meeting = crate::meetings::company_meeting(&app, &p, "督办", Duration::minutes(-30)).await;
    let m = app
        .get(&format!("/api/v1/meetings/{meeting}"), As::Bearer(&p.party))
        .await
        .expect(200)
        .body;
    let company = crate::meetings::party(&m, "company");
    crate::meetings::publish_minutes_with(
        &app,
        &p,
        &meeting,
        json!([{ "text": "两日内修复门禁", "responsible_party_id": company, "due_on": app.day(2) }]),
    )
    .await;
    // Two months on, last month's joint meeting of the estate was never held (this month's
    // meeting counted for its own month), and the action is late.
    app.advance(Duration::days(70));
    let overdue = app
        .get(
            &format!("/api/v1/deadlines?org_id={}&overdue=true", p.k.county),
            As::Bearer(&p.bureau),
        )
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .len();
    assert!(overdue > 0);
    let raised = redprop::http::notices::overdue::sweep(&app.state.db).await.unwrap();
    assert_eq!(
        raised,
        overdue + 1,
        "one notice per overdue deadline, and the late action item"
    );
    deliver(&app).await;
    let late = |n: &Value, prefix: &str| {
        n["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["kind"] == "deadline_overdue" && x["title"].as_str().unwrap().starts_with(prefix))
            .count()
    };
    let bureau = inbox(&app, &p.bureau).await;
    assert_eq!(late(&bureau, "事项逾期"), overdue);
    assert_eq!(
        late(&bureau, "督办事项逾期"),
        0,
        "the action item is the community's and the company's"
    );
    let community = inbox(&app, &p.party).await;
    assert_eq!(late(&community, "事项逾期"), overdue);
    assert_eq!(late(&community, "督办事项逾期"), 1);
    let company = inbox(&app, &p.company_token).await;
    assert_eq!(late(&company, "督办事项逾期"), 1);
    // The company heard on the morning of the due day, too.
    assert!(company["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "action_due"));
    // Not the owners', not the company's, not another county's.
    let owner = inbox(&app, &p.owner_tokens[0]).await;
    assert!(!owner["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "deadline_overdue"));
    assert_eq!(late(&company, "事项逾期"), 0);
    // Told once.
    assert_eq!(redprop::http::notices::overdue::sweep(&app.state.db).await.unwrap(), 0);
}

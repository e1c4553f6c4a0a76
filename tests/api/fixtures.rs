//! The parties a capability's tests start from, built through the public API only: a county
//! with its bureau, an estate of owners, the community party organisation, an owners' committee
//! in office, a property company under contract with an API key, and a department. New
//! capabilities take `TestApp::estate_with_parties` instead of rebuilding these by hand.

use chrono::Duration;
use poem::http::Method;
use serde_json::{json, Value};

use crate::both;
use crate::support::{As, County, Res, TestApp};

/// A valid national ID number (GB 11643 check digit) for a person born on `birth` (YYYYMMDD).
pub(crate) fn national_id(birth: &str, seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!("140425{birth}{:03}", seq % 1000);
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

pub(crate) struct Estate {
    pub id: String,
    /// Owner ids in import order: adults except the last, a minor.
    pub owners: Vec<String>,
    /// The same owners' names.
    pub names: Vec<String>,
}

/// An estate with `n` adult owners (the first three party members) and one minor.
pub(crate) async fn estate(app: &TestApp, admin: &str, community: &str, name: &str, n: u32, seed: u32) -> Estate {
    let id = app.estate(admin, name, community).await;
    let mut csv = String::from("楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,是否党员,销售状态\n");
    for i in 0..n {
        csv.push_str(&format!(
            "1号楼,{},90,实测,业主{seed}-{i},{},{},已交付\n",
            101 + i,
            national_id("19800101", seed * 100 + i),
            if i < 3 { "是" } else { "否" }
        ));
    }
    csv.push_str(&format!(
        "1号楼,999,90,实测,少年{seed},{},否,已交付\n",
        national_id("20150101", seed * 100 + 99)
    ));
    app.import(admin, &id, csv.into_bytes()).await.expect(201);
    let units = app
        .get(&format!("/api/v1/estates/{id}/units?limit=200"), As::Bearer(admin))
        .await
        .expect(200);
    let mut by_number: Vec<(String, String)> = units.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["number"].as_str().unwrap().to_string(),
                u["owners"][0]["owner_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    by_number.sort();
    let owners: Vec<String> = by_number.into_iter().map(|(_, o)| o).collect();
    let mut names: Vec<String> = (0..n).map(|i| format!("业主{seed}-{i}")).collect();
    names.push(format!("少年{seed}"));
    Estate { id, owners, names }
}
pub(crate) async fn committee(app: &TestApp, token: &str, estate: &str, body: Value) -> Res {
    app.post(&format!("/api/v1/estates/{estate}/committees"), As::Bearer(token), body)
        .await
}

/// Takes a committee's election through vetting to a final list of these owners (the county
/// requires the housing department's review; its publicity runs out as the clock moves on):
/// returns the election id.
pub(crate) async fn final_list(app: &TestApp, admin: &str, county: &str, committee: &str, owners: &[String]) -> String {
    final_list_for_seats(app, admin, county, committee, owners, owners.len().min(11) as i64 | 1).await
}

/// `final_list` for an election of `seats` seats.
pub(crate) async fn final_list_for_seats(
    app: &TestApp,
    admin: &str,
    county: &str,
    committee: &str,
    owners: &[String],
    seats: i64,
) -> String {
    let rules_path = format!("/api/v1/orgs/{county}/committee-rules");
    let mut rules = app.get(&rules_path, As::Bearer(admin)).await.expect(200).body;
    rules["required_departments"] = json!(["housing"]);
    app.call(poem::http::Method::PUT, &rules_path, As::Bearer(admin), Some(rules))
        .await
        .expect(200);
    let (_, housing) = app.department(admin, county, "housing").await;
    let eid = app
        .post(
            &format!("/api/v1/committees/{committee}/elections"),
            As::Bearer(admin),
            json!({ "seats": seats }),
        )
        .await
        .expect(201)
        .s("id");
    let mut cands = Vec::new();
    for o in owners {
        cands.push(
            nominate(app, &eid, admin, o, "party_org", vec![])
                .await
                .expect(201)
                .s("id"),
        );
    }
    app.post(
        &format!("/api/v1/elections/{eid}/screening"),
        As::Bearer(admin),
        json!({}),
    )
    .await
    .expect(200);
    for c in &cands {
        app.post(
            &format!("/api/v1/candidates/{c}/reviews"),
            As::Bearer(&housing),
            json!({ "passed": true, "reason": "无" }),
        )
        .await
        .expect(201);
    }
    app.post(
        &format!("/api/v1/elections/{eid}/publication"),
        As::Bearer(admin),
        json!({}),
    )
    .await
    .expect(200);
    app.advance(Duration::days(8));
    app.post(
        &format!("/api/v1/elections/{eid}/finalization"),
        As::Bearer(admin),
        json!({}),
    )
    .await
    .expect(200);
    eid
}

pub(crate) async fn nominate(
    app: &TestApp,
    eid: &str,
    token: &str,
    owner_id: &str,
    by: &str,
    supporters: Vec<&String>,
) -> Res {
    let body = json!({ "owner_id": owner_id, "nominated_by": by, "supporter_owner_ids": supporters });
    app.post(&format!("/api/v1/elections/{eid}/candidates"), As::Bearer(token), body)
        .await
}

pub(crate) async fn record(
    app: &TestApp,
    token: &str,
    owner_id: &str,
    item: &str,
    from: String,
    until: Option<String>,
) -> Res {
    let body = json!({ "owner_id": owner_id, "item_code": item, "evidence_ref": "案号(2023)001", "effective_from": from, "expires_on": until });
    app.post("/api/v1/negative-records", As::Bearer(token), body).await
}

/// An estate with one owner (with an account) and a question vote, announced with its notice,
/// the clock moved on to its opening, opened, closing `open_for` later: (admin token, vote id,
/// the owner's token).
pub(crate) async fn open_vote_with_one_owner(
    app: &TestApp,
    estate_name: &str,
    open_for: Duration,
) -> (String, String, String) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, estate_name, &k.comm_a).await;
    app.import(&admin, &estate, "楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,销售状态\n1号楼,101,90,实测,文兰,140425198301063491,已交付\n1号楼,102,90,实测,蔡敏,140425197802218020,已交付\n".as_bytes().to_vec()).await.expect(201);
    let owner = app
        .get(&format!("/api/v1/estates/{estate}/owners"), As::Bearer(&admin))
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = app.owner_account(&admin, &owner, "wenlan").await;
    let vid = app
        .post(&format!("/api/v1/estates/{estate}/votes"), As::Bearer(&admin), json!({ "category": 2, "title": "规约", "question": "q", "kind": "question", "convenor": "street_office", "opens_at": app.at(Duration::days(16)), "closes_at": app.at(Duration::days(16) + open_for) }))
        .await
        .expect(201)
        .s("id");
    app.advance(Duration::days(16));
    app.post(&format!("/api/v1/votes/{vid}/opening"), As::Bearer(&admin), json!({}))
        .await
        .expect(200);
    (admin, vid, token)
}

/// Everyone around one estate, each with a way to call the API as themselves.
pub(crate) struct Parties {
    /// The administrator's token.
    pub admin: String,
    pub k: County,
    /// A housing-bureau account of the county.
    pub bureau: String,
    /// The estate (in `k.comm_a`) with `OWNERS` adult owners (the first three party members)
    /// and one minor.
    pub estate: Estate,
    /// An account of the community party organisation (`k.comm_a`).
    pub party: String,
    /// The owners' committee, active (elected, filed, first meeting held): members are the
    /// first five owners, owner 0 in the chair.
    pub committee: String,
    /// An account acting for the committee (role `committee` on the estate).
    pub committee_token: String,
    /// The property company, registered in the county, with a service contract for the estate.
    pub company: String,
    /// An account of the company (role `company`).
    pub company_token: String,
    /// An API key of the company.
    pub key: String,
    /// The county's civil-affairs department (a reviewing department) and its token.
    pub department: (String, String),
    /// Accounts of the first `OWNER_ACCOUNTS` owners, in owner order.
    pub owner_tokens: Vec<String>,
}

/// Owners of the fixture estate (a small estate: at most 100 households, so 3–… members).
pub(crate) const OWNERS: u32 = 9;
/// How many of them have accounts.
pub(crate) const OWNER_ACCOUNTS: usize = 3;

impl TestApp {
    /// Builds `Parties`; `tag` (ASCII letters and digits) keeps names and usernames apart when a test builds two (e.g. one
    /// per county).
    pub(crate) async fn estate_with_parties(&self, tag: &str) -> Parties {
        let admin = self.admin_token().await;
        let k = self.county(&admin).await;
        let login = |role: &'static str, scope: String| self.account(&admin, role, scope, tag);
        let bureau = login("bureau", k.county.clone()).await;
        let party = login("party_org", k.comm_a.clone()).await;
        let seed = 500 + tag.bytes().map(u32::from).sum::<u32>() % 400;
        let estate = estate(self, &admin, &k.comm_a, &format!("{tag}苑"), OWNERS, seed).await;
        let committee_token = login("committee", estate.id.clone()).await;

        // The next company of the sample file not yet registered (credit codes are unique).
        let registered = self.get("/api/v1/companies?limit=200", As::Bearer(&admin)).await;
        let next = registered.expect(200).body["items"].as_array().unwrap().len();
        let company = self.create_company(&bureau, next, &k.county).await;
        self.post(
            &format!("/api/v1/companies/{company}/contracts"),
            As::Bearer(&bureau),
            json!({ "estate_id": estate.id, "kind": "service", "starts_on": "2024-01-01" }),
        )
        .await
        .expect(201);
        let company_token = login("company", company.clone()).await;
        let key = self
            .post(
                "/api/v1/api-keys",
                As::Bearer(&bureau),
                json!({ "company_id": company, "name": "工单系统" }),
            )
            .await
            .expect(201)
            .s("key");

        let committee = active_committee(self, &admin, &k, &estate).await;
        let department = self.department(&admin, &k.county, "civil_affairs").await;
        let mut owner_tokens = Vec::new();
        for (i, owner) in estate.owners.iter().take(OWNER_ACCOUNTS).enumerate() {
            owner_tokens.push(self.owner_account(&admin, owner, &format!("owner{i}-{tag}")).await);
        }
        Parties {
            admin,
            k,
            bureau,
            estate,
            party,
            committee,
            committee_token,
            company,
            company_token,
            key,
            department,
            owner_tokens,
        }
    }
}

impl TestApp {
    /// An account `{role}-{tag}` with one grant, logged in: its token.
    pub(crate) async fn account(&self, admin: &str, role: &str, scope: String, tag: &str) -> String {
        let user = format!("{role}-{tag}");
        self.create_user(admin, &user, "fixture-password-1", &[(role, Some(&scope))])
            .await;
        self.login(&user, "fixture-password-1").await
    }
}

/// An owners' committee of five (the first five owners) taken from preparation through its
/// election, filing with both authorities and first meeting: its id.
async fn active_committee(app: &TestApp, admin: &str, k: &County, e: &Estate) -> String {
    let cid = committee(
        app,
        admin,
        &e.id,
        json!({ "kind": "owners_committee", "term_years": 5 }),
    )
    .await
    .expect(201)
    .s("id");
    let five = &e.owners[..5];
    let eid = final_list_for_seats(app, admin, &k.county, &cid, five, 5).await;
    let members: Vec<Value> = five
        .iter()
        .map(|o| json!({ "affiliation": "owner", "owner_id": o }))
        .collect();
    let c = app
        .post(
            &format!("/api/v1/committees/{cid}/election-result"),
            As::Bearer(admin),
            json!({ "election_id": eid, "elected_on": app.day(-10), "members": members, "alternates": [] }),
        )
        .await
        .expect(200);
    for (authority, on) in [("housing_bureau", -9), ("street_office", -8)] {
        app.post(
            &format!("/api/v1/committees/{cid}/filings"),
            As::Bearer(admin),
            json!({ "authority": authority, "filed_on": app.day(on) }),
        )
        .await
        .expect(200);
    }
    let chair = c.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["owner_id"] == json!(e.owners[0]))
        .unwrap()["id"]
        .clone();
    app.post(
        &format!("/api/v1/committees/{cid}/first-meeting"),
        As::Bearer(admin),
        json!({ "held_on": app.day(-7), "chair_member_id": chair }),
    )
    .await
    .expect(200);
    cid
}

/// The fixture is what it says: each party reaches the estate as its role allows, and the
/// committee is active. (Every capability's tests build on this; a change that breaks a
/// party shows here first.)
async fn the_parties_are_who_they_say(app: TestApp) {
    let p = app.estate_with_parties("a").await;
    let e = &p.estate.id;
    for who in [
        As::Bearer(&p.bureau),
        As::Bearer(&p.party),
        As::Bearer(&p.committee_token),
        As::Bearer(&p.owner_tokens[0]),
        As::Key(&p.key),
        As::Bearer(&p.company_token),
    ] {
        app.get(&format!("/api/v1/estates/{e}"), who).await.expect(200);
    }
    let c = app
        .get(
            &format!("/api/v1/committees/{}", p.committee),
            As::Bearer(&p.committee_token),
        )
        .await
        .expect(200);
    assert_eq!(c.body["status"], "active");
    assert_eq!(c.body["members"][0]["role"], "chair");
    assert_eq!(p.estate.owners.len(), OWNERS as usize + 1);
    let records = format!("/api/v1/owners/{}/negative-records", p.estate.owners[0]);
    app.get(&records, As::Bearer(&p.department.1)).await.expect(200);
    app.get(&records, As::Bearer(&p.admin)).await.expect(200);
    let me = app.get("/api/v1/auth/me", As::Key(&p.key)).await.expect(200);
    assert_eq!(me.body["roles"], json!([format!("company:{}", p.company)]));
    // A second set of parties lives in another county and does not see the first estate.
    let q = app.estate_with_parties("b").await;
    assert_ne!(q.k.county, p.k.county);
    app.get(&format!("/api/v1/estates/{e}"), As::Bearer(&q.bureau))
        .await
        .problem(404);
    app.get(&format!("/api/v1/estates/{e}"), As::Key(&q.key))
        .await
        .problem(404);
}
both!(the_parties_are_who_they_say);

/// A tiny PNG (the signature is what counts) made distinct by `tag`.
pub(crate) fn png(tag: &str) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR".to_vec();
    b.extend_from_slice(tag.as_bytes());
    b
}

/// A `multipart/form-data` body with one part `file` named `name`: (content type, body).
pub(crate) fn multipart(bytes: &[u8], name: &str) -> (String, Vec<u8>) {
    let boundary = "redprop-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads a file to the attachment store as `who`.
pub(crate) async fn upload(app: &TestApp, who: As<'_>, bytes: &[u8], name: &str) -> Res {
    let (ct, body) = multipart(bytes, name);
    app.raw(Method::POST, "/api/v1/attachments", who, Some(&ct), body).await
}

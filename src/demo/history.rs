//! A year of history for the demo county, made through the public API exactly as people would
//! make it on the pages — every rule, window and audit event applies — on a clock that starts a
//! year ago and is moved forward step by step to now (`Clock::behind`). What it leaves: an
//! owners' committee elected through nomination, joint review and publicity, filed and in office;
//! votes closed (with a result) and one open, monthly joint meetings with published minutes and
//! action items at each step, ledger items at every step, and a published rating campaign with an
//! appeal pending.
//!
//! It signs in as the demo's accounts (`DemoAccount`), so nothing here bypasses the policy.

use poem::http::Method;
use poem::{Endpoint, Request};
use serde_json::{json, Value};

use super::{DemoAccount, DemoSummary};
use crate::domain::ids;
use crate::AppState;

const DAY: i64 = 86_400;

/// A tiny valid PNG (1×1), the evidence photos of the history.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49,
    0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb4,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The API, called in-process (no socket), as one person or another.
struct Api<'a, E> {
    ep: &'a E,
    state: &'a AppState,
}

impl<E: Endpoint> Api<'_, E> {
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<Value> {
        let req = Request::builder()
            .method(method.clone())
            .uri(format!("/api/v1{path}").parse()?)
            .header("accept", "application/json")
            .header("accept-language", "zh-CN")
            .header("authorization", format!("Bearer {token}"))
            .content_type(content_type)
            .body(body);
        let resp = poem::IntoResponse::into_response(
            // Boxed: the whole service's future would otherwise sit inside every step's.
            Box::pin(self.ep.call(req))
                .await
                .map_err(|e| anyhow::anyhow!("{method} {path}: {e}"))?,
        );
        let status = resp.status();
        let bytes = resp.into_body().into_vec().await?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            anyhow::bail!("demo history: {method} {path} answered {status}: {value}");
        }
        Ok(value)
    }

    async fn call(&self, method: Method, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        self.send(method, path, token, "application/json", serde_json::to_vec(&body)?)
            .await
    }

    async fn get(&self, path: &str, token: &str) -> anyhow::Result<Value> {
        let req = Request::builder()
            .method(Method::GET)
            .uri(format!("/api/v1{path}").parse()?)
            .header("accept", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .finish();
        let resp = poem::IntoResponse::into_response(
            Box::pin(self.ep.call(req))
                .await
                .map_err(|e| anyhow::anyhow!("GET {path}: {e}"))?,
        );
        let status = resp.status();
        let value: Value = serde_json::from_slice(&resp.into_body().into_vec().await?).unwrap_or(Value::Null);
        if !status.is_success() {
            anyhow::bail!("demo history: GET {path} answered {status}: {value}");
        }
        Ok(value)
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::POST, path, token, body).await
    }

    async fn put(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::PUT, path, token, body).await
    }

    async fn login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let t = self
            .call(
                Method::POST,
                "/auth/login",
                "",
                json!({ "username": username, "password": password }),
            )
            .await?;
        Ok(t["access_token"].as_str().unwrap_or_default().to_string())
    }

    async fn photo(&self, token: &str, name: &str) -> anyhow::Result<String> {
        let boundary = "redprop-demo-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(PNG);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .send(
                Method::POST,
                "/attachments",
                token,
                &format!("multipart/form-data; boundary={boundary}"),
                body,
            )
            .await?;
        Ok(r["id"].as_str().unwrap_or_default().to_string())
    }

    /// Moves the demo's clock forward.
    fn advance(&self, seconds: i64) {
        self.state.db.clock().advance(seconds);
    }

    fn at(&self, seconds_from_now: i64) -> String {
        ids::rfc3339(ids::now() + chrono::Duration::seconds(seconds_from_now))
    }

    fn day(&self, days_from_today: i64) -> String {
        (ids::today() + chrono::Duration::days(days_from_today)).to_string()
    }
}

/// Everyone's sessions, renewed after each move of the clock (tokens last 15 minutes).
struct People {
    bureau: String,
    party: String,
    committee: String,
    company: String,
    owners: Vec<String>,
}

/// The estate's sunshine accounts (RULES.md §9): the fee standard the county's price set, last
/// quarter's common income posted by the company and published, an owner's question and the
/// company's answer, and an emergency use of the fund applied for by the committee and approved
/// by the bureau.
async fn accounts<E: Endpoint>(api: &Api<'_, E>, estate: &str, p: &People) -> anyhow::Result<()> {
    let today = ids::today();
    let quarter = crate::domain::money::period_of(today, 3);
    let last = crate::domain::money::period_of(quarter.from - chrono::Duration::days(1), 3);
    api.post(
        &format!("/estates/{estate}/fee-standards"),
        &p.company,
        json!({
            "effective_from": last.from, "basis": "government_price", "document": "县发改〔2024〕12号",
            "complaint_phone": "12345",
            "items": [
                { "name": "物业服务费", "kind": "property_service", "unit": "per_m2_month", "price_fen": 85,
                  "service_content": "公共区域保洁、秩序维护、绿化养护、共用设施日常维护", "service_level": "三级" },
                { "name": "地面停车费", "kind": "parking", "unit": "per_space_month", "price_fen": 6000,
                  "service_content": "地面车位管理与秩序维护" },
            ],
        }),
    )
    .await?;
    let entries = [
        ("income", "parking", 1_260_000, 5, "临时停车收费", "停车场收费系统"),
        (
            "income",
            "advertising",
            480_000,
            20,
            "电梯轿厢广告",
            "县城广告传媒有限公司",
        ),
        ("income", "leasing", 90_000, 40, "快递柜场地租金", "快递柜运营企业"),
    ];
    let mut income = 0;
    for (kind, category, fen, day, what, who) in entries {
        income += fen;
        api.post(
            &format!("/estates/{estate}/money-entries"),
            &p.company,
            json!({ "kind": kind, "category": category, "amount_fen": fen, "occurred_on": last.from + chrono::Duration::days(day),
                    "counterparty": who, "description": what }),
        )
        .await?;
    }
    let statement = api
        .post(
            &format!("/estates/{estate}/statements"),
            &p.company,
            json!({ "account": "common_income", "period_from": last.from, "opening_fen": 0, "closing_fen": income,
                    "note": "公共收益全部计入业主共有资金，使用须经业主共同决定。" }),
        )
        .await?;
    let sid = statement["id"].as_str().unwrap_or_default().to_string();
    if let Some(owner) = p.owners.first() {
        let q = api
            .post(
                &format!("/statements/{sid}/questions"),
                owner,
                json!({ "question": "电梯广告收入是按几部电梯计算的？" }),
            )
            .await?;
        let qid = q["id"].as_str().unwrap_or_default();
        api.post(
            &format!("/statement-questions/{qid}/answer"),
            &p.company,
            json!({ "answer": "按全小区 8 部电梯、每部每月 200 元计算，合同已作为凭证附后。" }),
        )
        .await?;
    }
    let lift = api
        .post(
            &format!("/estates/{estate}/fund-uses"),
            &p.committee,
            json!({ "kind": "emergency", "emergency": "lift", "title": "3号楼电梯曳引机抢修", "location": "3号楼1单元电梯",
                    "description": "电梯曳引机故障停运，住户出行困难，申请应急使用维修资金抢修。", "estimate_fen": 3_800_000 }),
        )
        .await?;
    let lid = lift["id"].as_str().unwrap_or_default();
    api.post(
        &format!("/fund-uses/{lid}/approval"),
        &p.bureau,
        json!({ "approve": true, "note": "情况属实，同意应急使用。" }),
    )
    .await?;
    Ok(())
}

fn password_of<'a>(accounts: &'a [DemoAccount], username: &str) -> &'a str {
    accounts
        .iter()
        .find(|a| a.username == username)
        .map(|a| a.password.as_str())
        .unwrap_or_default()
}

/// Forms and elects 和园小区's owners' committee through every step of RULES §3–§4.
async fn elect_committee<E: Endpoint>(
    api: &Api<'_, E>,
    s: &DemoSummary,
    pw: &dyn Fn(&str) -> String,
) -> anyhow::Result<()> {
    let estate = &s.heyuan_estate_id;
    let bureau = api.login("demo-bureau", &pw("demo-bureau")).await?;
    let party = api.login("demo-party", &pw("demo-party")).await?;
    // The demo county has one reviewing department (民政局): its rules name it.
    let rules_path = format!("/orgs/{}/committee-rules", s.county_id);
    let mut rules = api.get(&rules_path, &bureau).await?;
    rules["required_departments"] = json!(["civil_affairs"]);
    api.put(&rules_path, &bureau, rules).await?;
    let committee = api
        .post(
            &format!("/estates/{estate}/committees"),
            &party,
            json!({ "kind": "owners_committee", "term_years": 5 }),
        )
        .await?;
    let cid = committee["id"].as_str().unwrap_or_default().to_string();
    let election = api
        .post(&format!("/committees/{cid}/elections"), &party, json!({ "seats": 5 }))
        .await?;
    let eid = election["id"].as_str().unwrap_or_default().to_string();
    // Three party members and two other owners.
    let members = api
        .get(&format!("/estates/{estate}/owners?party_member=true&limit=3"), &party)
        .await?;
    let others = api
        .get(&format!("/estates/{estate}/owners?party_member=false&limit=20"), &party)
        .await?;
    let mut chosen: Vec<String> = Vec::new();
    for o in members["items"].as_array().into_iter().flatten().take(3) {
        chosen.push(o["id"].as_str().unwrap_or_default().to_string());
    }
    for o in others["items"].as_array().into_iter().flatten() {
        if chosen.len() >= 5 {
            break;
        }
        chosen.push(o["id"].as_str().unwrap_or_default().to_string());
    }
    let mut candidates = Vec::new();
    for owner in &chosen {
        let c = api
            .post(
                &format!("/elections/{eid}/candidates"),
                &party,
                json!({ "owner_id": owner, "nominated_by": "party_org", "supporter_owner_ids": [] }),
            )
            .await?;
        candidates.push(c["id"].as_str().unwrap_or_default().to_string());
    }
    api.post(&format!("/elections/{eid}/screening"), &party, json!({}))
        .await?;
    let department = api.login("demo-department", &pw("demo-department")).await?;
    for c in &candidates {
        api.post(
            &format!("/candidates/{c}/reviews"),
            &department,
            json!({ "passed": true, "reason": "经核查，无负面清单记录。" }),
        )
        .await?;
    }
    api.post(&format!("/elections/{eid}/publication"), &party, json!({}))
        .await?;
    api.advance(8 * DAY);
    let party = api.login("demo-party", &pw("demo-party")).await?;
    api.post(&format!("/elections/{eid}/finalization"), &party, json!({}))
        .await?;
    let elected = api
        .post(
            &format!("/committees/{cid}/election-result"),
            &party,
            json!({
                "election_id": eid, "elected_on": api.day(0), "alternates": [],
                "members": chosen.iter().map(|o| json!({ "affiliation": "owner", "owner_id": o })).collect::<Vec<_>>(),
            }),
        )
        .await?;
    for authority in ["housing_bureau", "street_office"] {
        api.post(
            &format!("/committees/{cid}/filings"),
            &party,
            json!({ "authority": authority, "filed_on": api.day(0) }),
        )
        .await?;
    }
    let chair = elected["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["owner_id"].as_str() == chosen.first().map(String::as_str))
        .map(|m| m["id"].clone())
        .unwrap_or(Value::Null);
    api.post(
        &format!("/committees/{cid}/first-meeting"),
        &party,
        json!({ "held_on": api.day(0), "chair_member_id": chair }),
    )
    .await?;
    api.advance(3 * DAY);
    Ok(())
}

/// Records the history; the clock ends where the system clock is.
pub async fn run(state: &AppState, s: &DemoSummary) -> anyhow::Result<()> {
    let ep = crate::build_app(state);
    let api = Api { ep: &ep, state };
    let estate = s.heyuan_estate_id.clone();
    let pw = |u: &str| password_of(&s.accounts, u).to_string();

    // Owners of 和园小区 open accounts with codes the community printed (a few; the rest vote on paper).
    let party = api.login("demo-party", &pw("demo-party")).await?;
    let holders = api
        .get(&format!("/estates/{estate}/activation-codes?limit=200"), &party)
        .await?;
    let mut owner_ids: Vec<String> = Vec::new();
    for row in holders["items"].as_array().into_iter().flatten() {
        let id = row["owner_id"].as_str().unwrap_or_default().to_string();
        if !row["has_account"].as_bool().unwrap_or(true) && !owner_ids.contains(&id) && owner_ids.len() < 3 {
            owner_ids.push(id);
        }
    }
    let slips = api
        .post(
            &format!("/estates/{estate}/activation-codes"),
            &party,
            json!({ "owner_ids": owner_ids }),
        )
        .await?;
    let mut owner_logins = vec![("demo-owner".to_string(), pw("demo-owner"))];
    for (i, slip) in slips["items"].as_array().into_iter().flatten().enumerate() {
        let username = format!("heyuan-owner-{}", i + 1);
        let password = format!("heyuan-demo-{}-{}", i + 1, &ids::new_id()[..8]);
        api.post(
            "/owners/activate",
            "",
            json!({ "code": slip["code"], "username": username, "password": password }),
        )
        .await?;
        owner_logins.push((username, password));
    }

    let sign_in = || async {
        let mut owners = Vec::new();
        for (u, p) in &owner_logins {
            owners.push(api.login(u, p).await?);
        }
        anyhow::Ok(People {
            bureau: api.login("demo-bureau", &pw("demo-bureau")).await?,
            party: api.login("demo-party", &pw("demo-party")).await?,
            committee: api.login("demo-committee", &pw("demo-committee")).await?,
            company: api.login("demo-company", &pw("demo-company")).await?,
            owners,
        })
    };

    // The owners' committee: formed, its candidates nominated by the party organisation,
    // screened, reviewed by the county's department, published for objections, the list made
    // final, the result recorded, filed with both authorities, the first meeting held.
    Box::pin(elect_committee(&api, s, &pw)).await?;

    // A vote in spring: announced, opened after its notice, carried on paper door to door and
    // online, closed with its result.
    let p = sign_in().await?;
    let vote = api
        .post(
            &format!("/estates/{estate}/votes"),
            &p.party,
            json!({
                "category": 5, "title": "使用维修资金更换2号楼电梯", "kind": "question", "convenor": "street_office",
                "question": "是否同意使用专项维修资金约38万元更换2号楼两部电梯？",
                "opens_at": api.at(16 * DAY), "closes_at": api.at(30 * DAY),
            }),
        )
        .await?;
    let vote_id = vote["id"].as_str().unwrap_or_default().to_string();
    api.advance(16 * DAY + 3600);
    let p = sign_in().await?;
    api.post(&format!("/votes/{vote_id}/opening"), &p.party, json!({}))
        .await?;
    for (i, owner) in p.owners.iter().enumerate() {
        let choice = if i == 1 { "no" } else { "yes" };
        // An owner who is not their unit's designated voter is not on the roll: skipped.
        let _ = api
            .post(&format!("/votes/{vote_id}/ballots"), owner, json!({ "choice": choice }))
            .await;
    }
    let mut cursor: Option<String> = None;
    let mut n = 0;
    loop {
        let page = api
            .get(
                &format!(
                    "/votes/{vote_id}/roll?limit=200{}",
                    cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default()
                ),
                &p.party,
            )
            .await?;
        for entry in page["items"].as_array().into_iter().flatten() {
            n += 1;
            // Four in five answer the door; most say yes.
            if n % 5 == 0 {
                continue;
            }
            let choice = if n % 7 == 0 {
                "no"
            } else if n % 11 == 0 {
                "abstain"
            } else {
                "yes"
            };
            let _ = api
                .post(
                    &format!("/votes/{vote_id}/paper-ballots"),
                    &p.party,
                    json!({ "voter_id": entry["voter_id"], "choice": choice, "paper_ref": format!("纸质选票 {n:03}") }),
                )
                .await;
        }
        cursor = page["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    api.advance(14 * DAY);

    // Ledger items through the year: each ends at a different step.
    let mut items = Vec::new();
    let reports = [
        ("elevator", "2号楼电梯异响", "2号楼1单元电梯运行时有异响。"),
        ("sanitation", "垃圾清运不及时", "北门垃圾站连续两天未清运。"),
        ("parking", "消防通道被占", "3号楼东侧消防通道长期停车。"),
        ("repairs", "楼道灯不亮", "5号楼2单元三至六层楼道灯不亮。"),
        ("greening", "绿地被毁", "中心花园草坪被踩踏。"),
        ("utilities", "停水未通知", "周二上午停水，未提前通知。"),
    ];
    for (i, (category, title, description)) in reports.iter().enumerate() {
        let p = sign_in().await?;
        let owner = &p.owners[i % p.owners.len()];
        let photo = api.photo(owner, "现场.png").await?;
        let item = api
            .post(
                &format!("/estates/{estate}/ledger-items"),
                owner,
                json!({ "category": category, "title": title, "description": description, "attachment_ids": [photo], "show_reporter_to_company": false }),
            )
            .await?;
        let id = item["id"].as_str().unwrap_or_default().to_string();
        items.push((id.clone(), owner.clone()));
        // The last stays reported; the one before, dispatched; then accepted, and so on.
        let steps = reports.len() - 1 - i;
        if steps >= 1 {
            api.post(
                &format!("/ledger-items/{id}/dispatch"),
                &p.party,
                json!({ "assignee_kind": "company", "assignee_id": s.heyuan_company_id }),
            )
            .await?;
        }
        if steps >= 2 {
            api.post(&format!("/ledger-items/{id}/accept"), &p.company, json!({}))
                .await?;
            api.post(
                &format!("/ledger-items/{id}/progress"),
                &p.company,
                json!({ "note": "已到现场查看，正在处理。" }),
            )
            .await?;
        }
        if steps >= 3 {
            let evidence = api.photo(&p.company, "处理后.png").await?;
            api.post(
                &format!("/ledger-items/{id}/done"),
                &p.company,
                json!({ "note": "已处理完毕。", "attachment_ids": [evidence] }),
            )
            .await?;
        }
        if steps == 4 {
            api.post(
                &format!("/ledger-items/{id}/reopen"),
                owner,
                json!({ "reason": "没修好，仍有问题。" }),
            )
            .await?;
        }
        if steps == 5 {
            api.post(
                &format!("/ledger-items/{id}/confirm"),
                owner,
                json!({ "rating": 4, "comment": "处理及时。" }),
            )
            .await?;
        }
        api.advance(20 * DAY);
    }

    // Joint meetings, monthly, with published minutes; the company's action items at each step.
    let mut actions = Vec::new();
    for month in 0..4 {
        let p = sign_in().await?;
        let meeting = api
            .post(
                "/meetings",
                &p.party,
                json!({
                    "kind": "joint_monthly", "convenor_org_id": s.heyuan_community_id, "estate_id": estate,
                    "title": format!("和园小区第{}次联席会议", month + 1), "starts_at": api.at(3600), "place": "东街社区党群服务中心",
                    "parties": [{ "kind": "party_org", "party_id": s.heyuan_community_id }, { "kind": "company", "party_id": s.heyuan_company_id }],
                    "agenda": [{ "title": "问题台账办理情况" }, { "title": "下月重点工作" }],
                }),
            )
            .await?;
        let mid = meeting["id"].as_str().unwrap_or_default().to_string();
        let parties: Vec<Value> = meeting["parties"].as_array().cloned().unwrap_or_default();
        let party_of = |kind: &str| {
            parties
                .iter()
                .find(|x| x["kind"] == kind)
                .and_then(|x| x["id"].as_str())
                .unwrap_or_default()
                .to_string()
        };
        api.advance(2 * 3600);
        let p = sign_in().await?;
        api.put(
            &format!("/meetings/{mid}/attendance"),
            &p.party,
            json!({ "parties": parties.iter().map(|x| json!({ "party_id": x["id"], "attendance": "present" })).collect::<Vec<_>>() }),
        )
        .await?;
        let minutes = api
            .post(
                &format!("/meetings/{mid}/minutes"),
                &p.party,
                json!({
                    "discussion": [{ "agenda_seq": 1, "text": "通报本月问题台账办理情况，逐项核对。" }],
                    "decisions": [{ "text": format!("物业企业两周内完成第{}项整改", month + 1), "responsible_party_id": party_of("company"), "due_on": api.day(14) }],
                }),
            )
            .await?;
        let v = minutes["id"].as_str().unwrap_or_default().to_string();
        api.post(&format!("/minutes/{v}/send"), &p.party, json!({})).await?;
        api.post(
            &format!("/minutes/{v}/answers"),
            &p.company,
            json!({ "party_id": party_of("company"), "correction": false }),
        )
        .await?;
        api.post(
            &format!("/minutes/{v}/answers"),
            &p.party,
            json!({ "party_id": party_of("party_org"), "correction": false }),
        )
        .await?;
        api.post(&format!("/minutes/{v}/publish"), &p.party, json!({})).await?;
        let listed = api.get(&format!("/meetings/{mid}/action-items"), &p.party).await?;
        if let Some(a) = listed["items"].as_array().and_then(|a| a.first()) {
            actions.push(a["id"].as_str().unwrap_or_default().to_string());
        }
        // The first two are done and accepted, the third reported, the fourth left open.
        if let Some(a) = actions.last().filter(|_| month < 3) {
            api.advance(5 * DAY);
            let p = sign_in().await?;
            let evidence = api.photo(&p.company, "整改.png").await?;
            api.post(
                &format!("/action-items/{a}/progress"),
                &p.company,
                json!({ "note": "已安排人员整改。" }),
            )
            .await?;
            api.post(
                &format!("/action-items/{a}/done"),
                &p.company,
                json!({ "note": "整改完成，附照片。", "attachment_ids": [evidence] }),
            )
            .await?;
            if month < 2 {
                api.post(
                    &format!("/action-items/{a}/review"),
                    &p.party,
                    json!({ "accept": true }),
                )
                .await?;
            }
        }
        api.advance(25 * DAY);
    }

    // The year's rating: the survey, the committee's evaluation, an inspection, scored and
    // published; the company appeals one indicator.
    let p = sign_in().await?;
    let campaign = api
        .post(
            &format!("/orgs/{}/rating-campaigns", s.county_id),
            &p.bureau,
            json!({ "name": format!("{}年度五好红色物业评价", api.day(-200)[..4].to_string()), "period_from": api.day(-366), "period_until": api.day(-1) }),
        )
        .await?;
    let cid = campaign["id"].as_str().unwrap_or_default().to_string();
    api.post(&format!("/rating-campaigns/{cid}/open"), &p.bureau, json!({}))
        .await?;
    let config = &campaign["config"];
    let answers: Vec<Value> = config["survey"]["questions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|q| json!({ "question": q["code"], "value": 4 }))
        .collect();
    for owner in &p.owners {
        api.put(
            &format!("/rating-campaigns/{cid}/survey/{estate}"),
            owner,
            json!({ "answers": answers, "comment": "总体满意。" }),
        )
        .await?;
    }
    let scores = |source: &str, value: &str| -> Vec<Value> {
        config["indicators"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["source"] == source)
            .map(|i| json!({ "indicator": i["code"], "value": value }))
            .collect()
    };
    let evaluation = scores("committee_evaluation", "85");
    if !evaluation.is_empty() {
        api.put(
            &format!("/rating-campaigns/{cid}/estates/{estate}/evaluation"),
            &p.committee,
            json!({ "scores": evaluation, "note": "业委会评议。" }),
        )
        .await?;
    }
    let inspection = scores("bureau_inspection", "80");
    if !inspection.is_empty() {
        let photo = api.photo(&p.bureau, "检查.png").await?;
        api.post(
            &format!("/rating-campaigns/{cid}/estates/{estate}/inspections"),
            &p.bureau,
            json!({ "scores": inspection, "note": "现场检查。", "attachment_ids": [photo] }),
        )
        .await?;
    }
    for step in ["close", "runs", "publish"] {
        api.post(&format!("/rating-campaigns/{cid}/{step}"), &p.bureau, json!({}))
            .await?;
    }
    api.advance(2 * DAY);
    let p = sign_in().await?;
    if let Some(ind) = config["indicators"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["source"] == "bureau_inspection"))
    {
        api.post(
            &format!("/rating-campaigns/{cid}/appeals"),
            &p.company,
            json!({ "estate_id": estate, "indicator": ind["code"], "statement": "检查当日正值设备检修，检查分偏低，申请复核。" }),
        )
        .await?;
    }

    Box::pin(accounts(&api, &estate, &sign_in().await?)).await?;

    // The last weeks: a second vote announced 17 days ago, open since yesterday; one ledger
    // item reported done and awaiting its reporter's confirmation.
    let behind = -state.db.clock().offset_secs();
    api.advance((behind - 17 * DAY).max(0));
    let p = sign_in().await?;
    let second = api
        .post(
            &format!("/estates/{estate}/votes"),
            &p.party,
            json!({
                "category": 2, "title": "修订《和园小区管理规约》（电动车停放）", "kind": "question", "convenor": "street_office",
                "question": "是否同意在管理规约中增加电动车集中停放、禁止入户充电的条款？",
                "opens_at": api.at(16 * DAY), "closes_at": api.at(34 * DAY),
            }),
        )
        .await?;
    let second_id = second["id"].as_str().unwrap_or_default().to_string();
    api.advance(16 * DAY + 60);
    let p = sign_in().await?;
    api.post(&format!("/votes/{second_id}/opening"), &p.party, json!({}))
        .await?;
    for owner in p.owners.iter().take(2) {
        let _ = api
            .post(
                &format!("/votes/{second_id}/ballots"),
                owner,
                json!({ "choice": "yes" }),
            )
            .await;
    }
    if let Some((id, _)) = items.get(3) {
        let evidence = api.photo(&p.company, "维修后.png").await?;
        api.post(
            &format!("/ledger-items/{id}/done"),
            &p.company,
            json!({ "note": "已更换楼道灯，全部点亮。", "attachment_ids": [evidence] }),
        )
        .await?;
    }
    // Up to the system clock.
    let rest = -state.db.clock().offset_secs() - 5;
    api.advance(rest.max(0));
    Ok(())
}

//! Lists page by a key they are indexed in (issue 13): every row once, in the stated order,
//! whatever the page size; filters keep exactly what they say; a cursor of another order is a
//! clear 400. (Their cost is measured by `scripts/bench/lists`, not here.)

use chrono::Duration;
use serde_json::Value;

use crate::both;
use crate::fixtures::national_id;
use crate::support::{As, TestApp};

/// Every item of a list, following `next_cursor` with pages of `limit`.
async fn all(app: &TestApp, token: &str, path: &str, limit: u32) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("{path}{sep}limit={limit}{cursor}"), As::Bearer(token))
            .await
            .expect(200);
        items.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return items,
        }
    }
}

fn strings(items: &[Value], key: &str) -> Vec<String> {
    items.iter().map(|i| i[key].as_str().unwrap().to_string()).collect()
}

/// An estate whose owners are (name, party member, building, room).
async fn estate_of(
    app: &TestApp,
    admin: &str,
    community: &str,
    name: &str,
    seed: u32,
    rows: &[(&str, bool, &str, &str)],
) -> String {
    let id = app.estate(admin, name, community).await;
    let mut csv = String::from("楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,是否党员,销售状态\n");
    for (i, (owner, party, building, room)) in rows.iter().enumerate() {
        let party = if *party { "是" } else { "否" };
        let id_number = national_id("19800101", seed * 100 + i as u32);
        csv.push_str(&format!(
            "{building},{room},90,实测,{owner},{id_number},{party},已交付\n"
        ));
    }
    app.import(admin, &id, csv.into_bytes()).await.expect(201);
    id
}

async fn owners_by_name_and_by_party(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let rows = [
        ("王二", false, "1号楼", "101"),
        ("李四", true, "1号楼", "102"),
        ("王小明", false, "1号楼", "103"),
        ("王一", true, "2号楼", "101"),
        ("玌玌", false, "2号楼", "102"),
        ("王三", false, "2号楼", "103"),
        ("张五", false, "2号楼", "104"),
    ];
    let e = estate_of(&app, &admin, &k.comm_a, "名苑", 71, &rows).await;
    // Someone of the same name elsewhere is not listed here.
    estate_of(&app, &admin, &k.comm_a, "别苑", 72, &[("王一", true, "1号楼", "101")]).await;
    let owners = format!("/api/v1/estates/{e}/owners");

    // Everyone once, in id order, at any page size.
    for limit in [1, 3, 50] {
        let items = all(&app, &admin, &owners, limit).await;
        let ids = strings(&items, "id");
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "limit {limit}: in id order, each once");
        assert_eq!(ids.len(), rows.len());
    }
    // By name: those starting with 王, in code-point order; 玌 (the next character) is not one.
    for limit in [1, 2, 50] {
        let items = all(&app, &admin, &format!("{owners}?name_prefix=王"), limit).await;
        assert_eq!(
            strings(&items, "name"),
            ["王一", "王三", "王二", "王小明"],
            "limit {limit}"
        );
    }
    let items = all(&app, &admin, &format!("{owners}?name_prefix=王小"), 50).await;
    assert_eq!(strings(&items, "name"), ["王小明"]);
    let items = all(&app, &admin, &format!("{owners}?name_prefix=玌"), 50).await;
    assert_eq!(strings(&items, "name"), ["玌玌"]);
    // Party members, alone and with a name.
    let mut party = strings(
        &all(&app, &admin, &format!("{owners}?party_member=true"), 1).await,
        "name",
    );
    party.sort();
    assert_eq!(party, ["李四", "王一"]);
    let others = all(&app, &admin, &format!("{owners}?party_member=false"), 2).await;
    assert_eq!(others.len(), 5);
    let items = all(&app, &admin, &format!("{owners}?party_member=true&name_prefix=王"), 50).await;
    assert_eq!(strings(&items, "name"), ["王一"]);
    // Joining or leaving the party shows in the estate's list at once.
    let everyone = all(&app, &admin, &owners, 50).await;
    let id_of = |name: &str| {
        everyone.iter().find(|o| o["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (who, member) in [("张五", true), ("李四", false)] {
        app.call(
            poem::http::Method::PATCH,
            &format!("/api/v1/owners/{}", id_of(who)),
            As::Bearer(&admin),
            Some(serde_json::json!({ "party_member": member })),
        )
        .await
        .expect(200);
    }
    let mut party = strings(
        &all(&app, &admin, &format!("{owners}?party_member=true"), 1).await,
        "name",
    );
    party.sort();
    assert_eq!(party, ["张五", "王一"]);
    assert_eq!(
        all(&app, &admin, &format!("{owners}?party_member=false"), 50)
            .await
            .len(),
        5
    );

    // A cursor of the id order is not one of the name order.
    let first = app
        .get(&format!("{owners}?limit=1"), As::Bearer(&admin))
        .await
        .expect(200);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let wrong = app
        .get(
            &format!("{owners}?limit=1&name_prefix=王&cursor={cursor}"),
            As::Bearer(&admin),
        )
        .await;
    assert_eq!(wrong.problem(400), "invalid_parameter");
    assert_eq!(
        app.get(&format!("{owners}?name_prefix="), As::Bearer(&admin))
            .await
            .problem(400),
        "invalid_parameter"
    );
}
both!(owners_by_name_and_by_party);

async fn units_by_building_then_room(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let rows = [
        ("甲", false, "2号楼", "201"),
        ("乙", false, "1号楼", "102"),
        ("丙", false, "2号楼", "101"),
        ("丁", false, "1号楼", "201"),
        ("戊", false, "1号楼", "101"),
        ("己", false, "2号楼", "102"),
    ];
    let e = estate_of(&app, &admin, &k.comm_a, "楼苑", 73, &rows).await;
    let units = format!("/api/v1/estates/{e}/units");
    let whole = all(&app, &admin, &units, 50).await;
    for limit in [1, 4] {
        assert_eq!(all(&app, &admin, &units, limit).await, whole, "limit {limit}");
    }
    // Each building's units together, by room number.
    let buildings = strings(&whole, "building_id");
    let mut runs = buildings.clone();
    runs.dedup();
    assert_eq!(runs.len(), 2, "one run per building: {buildings:?}");
    for b in &runs {
        let rooms: Vec<String> = whole
            .iter()
            .filter(|u| u["building_id"] == b.as_str())
            .map(|u| u["number"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(rooms, ["101", "102", "201"]);
        let one = all(&app, &admin, &format!("{units}?building_id={b}"), 2).await;
        assert_eq!(strings(&one, "number"), ["101", "102", "201"]);
        assert!(one.iter().all(|u| u["building_id"] == b.as_str()));
    }
    // A cursor that is not three keys is refused, not guessed at.
    let bad = app
        .get(&format!("{units}?cursor=bm90LWEtY3Vyc29y"), As::Bearer(&admin))
        .await;
    assert_eq!(bad.problem(400), "invalid_parameter");
}
both!(units_by_building_then_room);

async fn audit_by_time_and_by_actor(app: TestApp) {
    let admin = app.admin_token().await;
    let before = app.now();
    let first = app.org(&admin, "county", "早县", None).await;
    app.advance(Duration::hours(2));
    let middle = app.now() - Duration::hours(1);
    let second = app.org(&admin, "county", "晚县", None).await;
    let q = |extra: String| format!("/api/v1/audit/events?action=org.create{extra}");
    let enc = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339().replace('+', "%2B");
    let targets = |items: Vec<Value>| strings(&items, "target_id");
    assert_eq!(
        targets(all(&app, &admin, &q(String::new()), 1).await),
        [second.clone(), first.clone()]
    );
    assert_eq!(
        targets(all(&app, &admin, &q(format!("&from={}", enc(middle))), 50).await),
        std::slice::from_ref(&second)
    );
    assert_eq!(
        targets(all(&app, &admin, &q(format!("&until={}", enc(middle))), 50).await),
        std::slice::from_ref(&first)
    );
    assert_eq!(
        targets(
            all(
                &app,
                &admin,
                &q(format!(
                    "&from={}&until={}",
                    enc(before),
                    enc(app.now() + Duration::seconds(1))
                )),
                1
            )
            .await
        ),
        [second.clone(), first.clone()]
    );
    assert!(all(&app, &admin, &q(format!("&until={}", enc(before))), 50)
        .await
        .is_empty());
    // By actor: the administrator's own events include both.
    let me = app.get("/api/v1/auth/me", As::Bearer(&admin)).await.expect(200);
    let mine = all(
        &app,
        &admin,
        &format!("/api/v1/audit/events?actor_id={}&target_type=org", me.s("id")),
        1,
    )
    .await;
    assert!(mine.len() >= 2, "{mine:?}");
    assert_eq!(
        app.get("/api/v1/audit/events?from=yesterday", As::Bearer(&admin))
            .await
            .problem(400),
        "invalid_parameter"
    );
}
both!(audit_by_time_and_by_actor);

/// Issue 17: every 201 says where the record is read; a page with more after it links to the
/// next one.
async fn created_records_have_a_location_and_pages_link_onward(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let mut locations = Vec::new();
    for name in ["链接一苑", "链接二苑", "链接三苑"] {
        let r = app
            .post(
                "/api/v1/estates",
                As::Bearer(&admin),
                serde_json::json!({ "name": name, "kind": "commercial", "community_id": k.comm_a }),
            )
            .await
            .expect(201);
        let location = r.headers["location"].to_str().unwrap().to_string();
        assert_eq!(location, format!("/api/v1/estates/{}", r.s("id")));
        locations.push(location);
    }
    for l in &locations {
        app.get(l, As::Bearer(&admin)).await.expect(200);
    }
    let building = app
        .post(
            &format!("{}/buildings", locations[0]),
            As::Bearer(&admin),
            serde_json::json!({ "name": "1号楼" }),
        )
        .await
        .expect(201);
    app.get(building.headers["location"].to_str().unwrap(), As::Bearer(&admin))
        .await
        .expect(200);

    // Page by page through the Link headers, until the last page, which has none.
    let mut next = Some("/api/v1/estates?limit=2".to_string());
    let mut seen = 0;
    while let Some(url) = next {
        let page = app.get(&url, As::Bearer(&admin)).await.expect(200);
        seen += page.body["items"].as_array().unwrap().len();
        next = page.headers.get("link").map(|l| {
            let l = l.to_str().unwrap();
            assert!(l.ends_with("; rel=\"next\"") && l.contains("limit=2"), "{l}");
            assert_eq!(page.body["next_cursor"].as_str().map(|c| l.contains(c)), Some(true));
            l[1..l.find('>').unwrap()].to_string()
        });
        if next.is_none() {
            assert!(page.body.get("next_cursor").is_none());
        }
    }
    assert!(seen >= 3, "{seen}");
}
both!(created_records_have_a_location_and_pages_link_onward);

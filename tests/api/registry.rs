//! The registry: organisation tree, grids, estates and their scopes, units, owners, import,
//! headcount inputs, companies and contracts, activation, coverage.

use serde_json::json;

use crate::both;
use crate::support::{fixture, As, TestApp};

const HEADER: &str = "楼栋,单元,房号,建筑面积(㎡),面积来源,业主姓名,身份证号,手机号,是否党员,共有人,销售状态\n";

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

async fn the_tree_has_rules(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let r = app
        .post(
            "/api/v1/orgs",
            As::Bearer(&admin),
            json!({ "kind": "community", "name": "x", "parent_id": k.county }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "parent_id");
    let r = app
        .post(
            "/api/v1/orgs",
            As::Bearer(&admin),
            json!({ "kind": "township", "name": "x" }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "parent_id");
    let r = app
        .post(
            "/api/v1/orgs",
            As::Bearer(&admin),
            json!({ "kind": "township", "name": "x", "parent_id": "nope" }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["code"], "not_found");

    // A party organisation manages its own subtree only.
    app.create_user(&admin, "party-a", "party-a-password", &[("party_org", Some(&k.comm_a))])
        .await;
    let party_a = app.login("party-a", "party-a-password").await;
    let branch = app
        .org(&party_a, "grid_party_branch", "第一网格党支部", Some(&k.comm_a))
        .await;
    app.org(&party_a, "building_party_group", "1号楼党小组", Some(&branch))
        .await;
    let other = app
        .post(
            "/api/v1/orgs",
            As::Bearer(&party_a),
            json!({ "kind": "grid_party_branch", "name": "x", "parent_id": k.comm_b }),
        )
        .await;
    assert_eq!(other.problem(404), "not_found");
    let county = app
        .post(
            "/api/v1/orgs",
            As::Bearer(&party_a),
            json!({ "kind": "county", "name": "x" }),
        )
        .await;
    assert_eq!(county.problem(403), "forbidden");
    let mine = app.get("/api/v1/orgs", As::Bearer(&party_a)).await.expect(200);
    let names: Vec<&str> = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"东街社区"));
    app.get(&format!("/api/v1/orgs/{}", k.comm_b), As::Bearer(&party_a))
        .await
        .problem(404);
    let tree = app
        .get(&format!("/api/v1/orgs?within={}", k.county), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(tree.body["items"].as_array().unwrap().len(), 8);
    let one = app
        .get(&format!("/api/v1/orgs/{branch}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(one.body["ancestors"], json!([k.county, k.town, k.comm_a]));
}
both!(the_tree_has_rules);

async fn grids_nest_in_three_levels(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let grid = |level: i32, parent: Option<String>, community: &str| json!({ "community_id": community, "level": level, "parent_id": parent, "name": format!("网格{level}") });
    let g1 = app
        .post("/api/v1/grids", As::Bearer(&admin), grid(1, None, &k.comm_a))
        .await
        .expect(201)
        .s("id");
    let g2 = app
        .post(
            "/api/v1/grids",
            As::Bearer(&admin),
            grid(2, Some(g1.clone()), &k.comm_a),
        )
        .await
        .expect(201)
        .s("id");
    app.post(
        "/api/v1/grids",
        As::Bearer(&admin),
        grid(3, Some(g2.clone()), &k.comm_a),
    )
    .await
    .expect(201);
    let skip = app
        .post(
            "/api/v1/grids",
            As::Bearer(&admin),
            grid(3, Some(g1.clone()), &k.comm_a),
        )
        .await;
    assert_eq!(skip.body["errors"][0]["code"], "wrong_parent");
    let other = app
        .post(
            "/api/v1/grids",
            As::Bearer(&admin),
            grid(2, Some(g1.clone()), &k.comm_b),
        )
        .await;
    assert_eq!(other.body["errors"][0]["code"], "wrong_parent");
    let orphan = app
        .post("/api/v1/grids", As::Bearer(&admin), grid(2, None, &k.comm_a))
        .await;
    assert_eq!(orphan.body["errors"][0]["field"], "parent_id");
    let level4 = app
        .post("/api/v1/grids", As::Bearer(&admin), grid(4, Some(g2), &k.comm_a))
        .await;
    assert_eq!(level4.problem(422), "validation_failed");
    let not_a_community = app
        .post("/api/v1/grids", As::Bearer(&admin), grid(1, None, &k.town))
        .await;
    assert_eq!(not_a_community.body["errors"][0]["code"], "wrong_kind");
    let list = app
        .get(&format!("/api/v1/grids?community_id={}", k.comm_a), As::Bearer(&admin))
        .await
        .expect(200);
    let levels: Vec<i64> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["level"].as_i64().unwrap())
        .collect();
    assert_eq!(levels, [1, 2, 3]);
}
both!(grids_nest_in_three_levels);

async fn estates_take_their_responsible_organisation_from_their_kind(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let commercial = app
        .post(
            "/api/v1/estates",
            As::Bearer(&admin),
            json!({ "name": "和园", "kind": "commercial", "community_id": k.comm_a }),
        )
        .await
        .expect(201);
    assert_eq!(commercial.body["responsible_org_id"], json!(k.bureau));
    assert_eq!(commercial.body["management_mode"], "none");
    let village = app
        .post(
            "/api/v1/estates",
            As::Bearer(&admin),
            json!({ "name": "村建", "kind": "village_built", "community_id": k.comm_a, "self_managed": true }),
        )
        .await
        .expect(201);
    assert_eq!(village.body["responsible_org_id"], json!(k.town));
    assert_eq!(village.body["management_mode"], "self_managed");
    let work = app
        .post(
            "/api/v1/estates",
            As::Bearer(&admin),
            json!({ "name": "家属院", "kind": "work_unit", "community_id": k.comm_b }),
        )
        .await;
    assert_eq!(work.body["errors"][0]["field"], "responsible_org_id");
    let wrong = app
        .post(
            "/api/v1/estates",
            As::Bearer(&admin),
            json!({ "name": "家属院", "kind": "work_unit", "community_id": k.comm_b, "responsible_org_id": k.town }),
        )
        .await;
    assert_eq!(wrong.body["errors"][0]["code"], "wrong_kind");
    let work = app.post("/api/v1/estates", As::Bearer(&admin), json!({ "name": "家属院", "kind": "work_unit", "community_id": k.comm_b, "responsible_org_id": k.work_unit })).await.expect(201);
    assert_eq!(work.body["responsible_org_id"], json!(k.work_unit));
    let patched = app
        .call(
            poem::http::Method::PATCH,
            &format!("/api/v1/estates/{}", commercial.s("id")),
            As::Bearer(&admin),
            Some(json!({ "address": "青羊路1号", "self_managed": true })),
        )
        .await
        .expect(200);
    assert_eq!(patched.body["address"], "青羊路1号");
    assert_eq!(patched.body["management_mode"], "self_managed");
}
both!(estates_take_their_responsible_organisation_from_their_kind);

async fn a_community_sees_only_its_own_estates(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let ea = app.estate(&admin, "东区", &k.comm_a).await;
    let eb = app.estate(&admin, "西区", &k.comm_b).await;
    app.import(
        &admin,
        &ea,
        csv(&["1号楼,1单元,101,100,实测,张三,140425198111138173,18630779212,否,,已交付"]),
    )
    .await
    .expect(201);
    app.create_user(&admin, "party-a", "party-a-password", &[("party_org", Some(&k.comm_a))])
        .await;
    app.create_user(&admin, "town", "town-password-1", &[("party_org", Some(&k.town))])
        .await;
    app.create_user(&admin, "bureau", "bureau-password-1", &[("bureau", Some(&k.county))])
        .await;
    app.create_user(
        &admin,
        "other-bureau",
        "bureau-password-2",
        &[("bureau", Some(&app.org(&admin, "county", "壶关县", None).await))],
    )
    .await;
    app.create_user(&admin, "committee-b", "committee-b-pass", &[("committee", Some(&eb))])
        .await;
    let party_a = app.login("party-a", "party-a-password").await;
    let town = app.login("town", "town-password-1").await;
    let bureau = app.login("bureau", "bureau-password-1").await;
    let other_bureau = app.login("other-bureau", "bureau-password-2").await;
    let committee_b = app.login("committee-b", "committee-b-pass").await;

    let ids = |r: crate::support::Res| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(app.get("/api/v1/estates", As::Bearer(&party_a)).await.expect(200)),
        std::slice::from_ref(&ea)
    );
    assert_eq!(
        ids(app.get("/api/v1/estates", As::Bearer(&committee_b)).await.expect(200)),
        std::slice::from_ref(&eb)
    );
    assert_eq!(
        ids(app.get("/api/v1/estates", As::Bearer(&town)).await.expect(200)).len(),
        2
    );
    assert_eq!(
        ids(app.get("/api/v1/estates", As::Bearer(&bureau)).await.expect(200)).len(),
        2
    );
    assert!(ids(app.get("/api/v1/estates", As::Bearer(&other_bureau)).await.expect(200)).is_empty());

    // Reads and writes across the boundary find nothing.
    for path in [
        format!("/api/v1/estates/{eb}"),
        format!("/api/v1/estates/{eb}/units"),
        format!("/api/v1/estates/{eb}/owners"),
        format!("/api/v1/estates/{eb}/headcount"),
    ] {
        assert_eq!(
            app.get(&path, As::Bearer(&party_a)).await.problem(404),
            "not_found",
            "{path}"
        );
    }
    for path in [
        format!("/api/v1/estates/{ea}/units"),
        format!("/api/v1/estates/{ea}/owners"),
    ] {
        app.get(&path, As::Bearer(&committee_b)).await.problem(404);
        app.get(&path, As::Bearer(&other_bureau)).await.problem(404);
        app.get(&path, As::Bearer(&party_a)).await.expect(200);
        app.get(&path, As::Bearer(&town)).await.expect(200);
    }
    let write = app
        .post(
            &format!("/api/v1/estates/{eb}/buildings"),
            As::Bearer(&party_a),
            json!({ "name": "9号楼" }),
        )
        .await;
    assert_eq!(write.problem(404), "not_found");
    let import = app
        .import(&party_a, &eb, csv(&["1号楼,1单元,101,100,实测,,,,,,未售"]))
        .await;
    assert_eq!(import.problem(404), "not_found");
    // A committee sees its estate's personal data but changes no registry record.
    app.get(&format!("/api/v1/estates/{eb}/owners"), As::Bearer(&committee_b))
        .await
        .expect(200);
    assert_eq!(
        app.post(
            &format!("/api/v1/estates/{eb}/buildings"),
            As::Bearer(&committee_b),
            json!({ "name": "9号楼" })
        )
        .await
        .problem(403),
        "forbidden"
    );
    // Owners of one estate are not visible from the other.
    let owners = app
        .get(&format!("/api/v1/estates/{ea}/owners"), As::Bearer(&party_a))
        .await
        .expect(200);
    let owner = owners.body["items"][0]["id"].as_str().unwrap().to_string();
    app.get(&format!("/api/v1/owners/{owner}"), As::Bearer(&committee_b))
        .await
        .problem(404);
    app.get(&format!("/api/v1/owners/{owner}"), As::Bearer(&party_a))
        .await
        .expect(200);
}
both!(a_community_sees_only_its_own_estates);

async fn the_sample_spreadsheets_import_in_both_encodings(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    for (file, community) in [
        ("heyuan-units-utf8.csv", &k.comm_a),
        ("heyuan-units-gbk.csv", &k.comm_b),
    ] {
        let estate = app.estate(&admin, file, community).await;
        let r = app.import(&admin, &estate, fixture(file)).await.expect(201);
        assert_eq!(r.body["units"], 240, "{file}");
        assert_eq!(r.body["ownerships"], 282);
        let h = app
            .get(&format!("/api/v1/estates/{estate}/headcount"), As::Bearer(&admin))
            .await
            .expect(200);
        assert_eq!(h.body["total_area_centi_m2"], 2_666_002, "{file}");
        assert_eq!(h.body["total_heads"], 233);
        assert_eq!(h.body["developer_units"], 8);
        assert_eq!(h.body["developer_area_centi_m2"], 93_815);
        let units = app
            .get(&format!("/api/v1/estates/{estate}/units?limit=200"), As::Bearer(&admin))
            .await
            .expect(200);
        assert_eq!(units.body["items"].as_array().unwrap().len(), 200);
        assert!(units.body["next_cursor"].is_string());
        if file.contains("gbk") {
            // The same people in the second estate are matched by ID number, not duplicated.
            assert_eq!(r.body["owners_matched"], 231);
        } else {
            assert_eq!(r.body["owners_created"], 281);
        }
    }
}
both!(the_sample_spreadsheets_import_in_both_encodings);

async fn a_broken_spreadsheet_imports_nothing(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "和园", &k.comm_a).await;
    let r = app
        .import(
            &admin,
            &estate,
            csv(&[
                "1号楼,1单元,101,102.32,不动产登记,段强建,140425198111138173,18630779212,否,,已交付",
                "1号楼,1单元,102,abc,不动产登记,蔡敏,140425197802218020,,否,,已交付",
                "1号楼,1单元,103,118.70,不动产登记,文兰,140425198301063490,,否,,已交付",
                "1号楼,1单元,104,102.32,卫星,贺敏芳,140425197701151349,,否,,已交付",
            ]),
        )
        .await;
    assert_eq!(r.problem(422), "import_rejected");
    let errors: Vec<(i64, &str)> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(3, "建筑面积(㎡)"), (4, "身份证号"), (5, "面积来源")]);
    assert!(
        !r.body.to_string().contains("140425198301063490"),
        "ID numbers are never echoed"
    );
    let units = app
        .get(&format!("/api/v1/estates/{estate}/units"), As::Bearer(&admin))
        .await
        .expect(200);
    assert!(
        units.body["items"].as_array().unwrap().is_empty(),
        "nothing was written"
    );

    // Garbage, a wrong content type, and a file that repeats what is registered.
    assert_eq!(
        app.import(&admin, &estate, vec![0xff, 0xfe, 0x00, 0x81, 0x30])
            .await
            .problem(422),
        "import_rejected"
    );
    let wrong_type = app
        .raw(
            poem::http::Method::POST,
            &format!("/api/v1/estates/{estate}/import"),
            As::Bearer(&admin),
            Some("application/json"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(wrong_type.problem(415), "unsupported_media_type");
    let good = csv(&["1号楼,1单元,101,102.32,不动产登记,段强建,140425198111138173,18630779212,否,,已交付"]);
    app.import(&admin, &estate, good.clone()).await.expect(201);
    // The same file again changes nothing: a row for a registered unit may only bring areas.
    let again = app.import(&admin, &estate, good).await.expect(201);
    assert_eq!(
        (again.body["units"].as_i64(), again.body["units_updated"].as_i64()),
        (Some(0), Some(0))
    );
    // ...so a registered unit under another owner is refused, naming the row.
    let other_owner = app
        .import(
            &admin,
            &estate,
            csv(&["1号楼,1单元,101,102.32,不动产登记,蔡敏,140425197802218020,,否,,已交付"]),
        )
        .await;
    assert_eq!(other_owner.problem(422), "import_rejected");
    assert_eq!(other_owner.body["errors"][0]["row"], 2);
    // The same ID number under another name is refused, without saying whose it is.
    let renamed = app
        .import(
            &admin,
            &estate,
            csv(&["2号楼,1单元,101,90,实测,别人,140425198111138173,,否,,已交付"]),
        )
        .await;
    assert_eq!(renamed.problem(422), "import_rejected");
    assert_eq!(renamed.body["errors"][0]["field"], "业主姓名");
    assert!(!renamed.body.to_string().contains("段强建"));
}
both!(a_broken_spreadsheet_imports_nothing);

async fn headcount_follows_the_spc_rules(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "规则", &k.comm_a).await;
    app.import(
        &admin,
        &estate,
        csv(&[
            // One buyer with two units: one head, both areas.
            "1号楼,1单元,101,100,不动产登记,段强建,140425198111138173,,否,,已交付",
            "1号楼,1单元,102,50.50,实测,段强建,140425198111138173,,否,,已交付",
            // The same couple on two units: one head. The husband alone on a third: another.
            "2号楼,1单元,101,80,合同,蔡敏,140425197802218020,,否,廖刚珍,已交付",
            "2号楼,1单元,102,80,合同,蔡敏,140425197802218020,,否,廖刚珍,已交付",
            "2号楼,1单元,103,80,合同,蔡敏,140425197802218020,,否,,已交付",
            // Developer-held units, unsold or sold but not delivered: together one head.
            "3号楼,1单元,101,70,实测,,,,,,未售",
            "3号楼,1单元,102,70,实测,文兰,140425198301063491,,否,,已售未交付",
            // A parking space: not counted unless asked.
            "车库,,P1,12.5,合同,贺敏芳,140425197701151349,,否,,已交付",
        ]),
    )
    .await
    .expect(201);
    let h = app
        .get(&format!("/api/v1/estates/{estate}/headcount"), As::Bearer(&admin))
        .await
        .expect(200);
    // The parking row has no 类型 column here, so it is residential: counted. Heads: 段, 蔡+廖,
    // 蔡 alone, developer, 贺 = 5.
    assert_eq!(h.body["total_heads"], 5);
    assert_eq!(h.body["total_area_centi_m2"], 10000 + 5050 + 8000 * 3 + 7000 * 2 + 1250);
    assert_eq!(h.body["developer_units"], 2);
    assert_eq!(h.body["buyers_with_several_units"], 2);
}
both!(headcount_follows_the_spc_rules);

async fn parking_and_transfers(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "车位", &k.comm_a).await;
    let text = "楼栋,房号,建筑面积,面积来源,类型,业主姓名,身份证号,销售状态\n\
                1号楼,101,100,实测,住宅,段强建,140425198111138173,已交付\n\
                车库,P1,12.50,合同,车位,贺敏芳,140425197701151349,已交付\n";
    app.import(&admin, &estate, text.as_bytes().to_vec()).await.expect(201);
    let h = app
        .get(&format!("/api/v1/estates/{estate}/headcount"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(
        (h.body["total_heads"].as_i64(), h.body["total_area_centi_m2"].as_i64()),
        (Some(1), Some(10000))
    );
    let h = app
        .get(
            &format!("/api/v1/estates/{estate}/headcount?include_parking=true"),
            As::Bearer(&admin),
        )
        .await
        .expect(200);
    assert_eq!(
        (h.body["total_heads"].as_i64(), h.body["total_area_centi_m2"].as_i64()),
        (Some(2), Some(11250))
    );

    // Transfer the flat to the parking space's owner: one buyer now, the old ownership kept as history.
    let units = app
        .get(&format!("/api/v1/estates/{estate}/units"), As::Bearer(&admin))
        .await
        .expect(200);
    let flat = units.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["number"] == "101")
        .unwrap()
        .clone();
    let parking = units.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["number"] == "P1")
        .unwrap()
        .clone();
    let buyer = parking["owners"][0]["owner_id"].as_str().unwrap().to_string();
    let seller = flat["owners"][0]["owner_id"].as_str().unwrap().to_string();
    let unit = flat["id"].as_str().unwrap();
    let bad = app
        .post(
            &format!("/api/v1/units/{unit}/ownerships"),
            As::Bearer(&admin),
            json!({ "owner_ids": [buyer], "designated_voter_id": seller }),
        )
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "designated_voter_id");
    app.post(
        &format!("/api/v1/units/{unit}/ownerships"),
        As::Bearer(&admin),
        json!({ "owner_ids": [buyer], "designated_voter_id": buyer }),
    )
    .await
    .expect(201);
    let history = app
        .get(&format!("/api/v1/units/{unit}/ownerships"), As::Bearer(&admin))
        .await
        .expect(200);
    let h = history.body["items"].as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0]["owner_id"], json!(buyer));
    assert!(h[0].get("ended_at").is_none());
    assert!(h[1]["ended_at"].is_string());
    let h = app
        .get(
            &format!("/api/v1/estates/{estate}/headcount?include_parking=true"),
            As::Bearer(&admin),
        )
        .await
        .expect(200);
    assert_eq!(h.body["total_heads"], 1);
    assert_eq!(h.body["buyers_with_several_units"], 1);
}
both!(parking_and_transfers);

async fn companies_and_credit_codes(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let bad = app
        .post(
            "/api/v1/companies",
            As::Bearer(&admin),
            json!({ "name": "x", "credit_code": "91140400M9198T3X57", "party_coverage": "none" }),
        )
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "credit_code");
    assert_eq!(bad.body["errors"][0]["code"], "check_digit");
    let id = app.create_company(&admin, 0, &k.county).await;
    let dup = app
        .post(
            "/api/v1/companies",
            As::Bearer(&admin),
            json!({ "name": "y", "credit_code": "91140400 m9198t3x56", "party_coverage": "none", "county_id": k.county }),
        )
        .await;
    assert_eq!(dup.problem(409), "credit_code_taken");
    let c = app
        .get(&format!("/api/v1/companies/{id}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(c.body["party_coverage"], "own_branch");
    let o = app.lone_owner(&admin, &k).await;
    app.create_user(&admin, "owner-x", "owner-x-password", &[("owner", Some(&o))])
        .await;
    let owner = app.login("owner-x", "owner-x-password").await;
    app.post(
        "/api/v1/companies",
        As::Bearer(&owner),
        json!({ "name": "z", "credit_code": "911404253W8RHHJY6T", "party_coverage": "none", "county_id": k.county }),
    )
    .await
    .problem(403);
    // An owner sees a company that serves (or served) an estate where they hold a unit; before
    // that, it is not there for them.
    app.get(&format!("/api/v1/companies/{id}"), As::Bearer(&owner))
        .await
        .problem(404);
}
both!(companies_and_credit_codes);

async fn a_company_key_sees_its_estates_public_data_only(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let served = app.estate(&admin, "服务中", &k.comm_a).await;
    let other = app.estate(&admin, "别家", &k.comm_a).await;
    app.import(
        &admin,
        &served,
        csv(&["1号楼,1单元,101,100,实测,张三,140425198111138173,18630779212,是,,已交付"]),
    )
    .await
    .expect(201);
    let c1 = app.create_company(&admin, 0, &k.county).await;
    let c2 = app.create_company(&admin, 1, &k.county).await;
    let key = app
        .post(
            "/api/v1/api-keys",
            As::Bearer(&admin),
            json!({ "company_id": c1, "name": "erp" }),
        )
        .await
        .expect(201)
        .s("key");
    // Before a contract the company sees no estate.
    assert!(
        app.get("/api/v1/estates", As::Key(&key)).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.get(&format!("/api/v1/estates/{served}"), As::Key(&key))
        .await
        .problem(404);
    app.post(
        &format!("/api/v1/companies/{c1}/contracts"),
        As::Bearer(&admin),
        json!({ "estate_id": served, "kind": "service", "starts_on": "2024-01-01" }),
    )
    .await
    .expect(201);
    let overlap = app
        .post(
            &format!("/api/v1/companies/{c2}/contracts"),
            As::Bearer(&admin),
            json!({ "estate_id": served, "kind": "service", "starts_on": "2025-06-01", "ends_on": "2026-05-31" }),
        )
        .await;
    assert_eq!(overlap.problem(409), "contract_overlap");
    let backwards = app
        .post(
            &format!("/api/v1/companies/{c2}/contracts"),
            As::Bearer(&admin),
            json!({ "estate_id": other, "kind": "service", "starts_on": "2025-06-01", "ends_on": "2025-05-31" }),
        )
        .await;
    assert_eq!(backwards.body["errors"][0]["field"], "ends_on");
    // An expired contract does not make c2 the current company of `other`.
    app.post(
        &format!("/api/v1/companies/{c2}/contracts"),
        As::Bearer(&admin),
        json!({ "estate_id": other, "kind": "service", "starts_on": "2020-01-01", "ends_on": "2021-12-31" }),
    )
    .await
    .expect(201);

    let list = app.get("/api/v1/estates", As::Key(&key)).await.expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], json!(served));
    assert_eq!(items[0]["management_mode"], "contracted");
    assert_eq!(items[0]["current_company_id"], json!(c1));
    app.get(&format!("/api/v1/estates/{served}/headcount"), As::Key(&key))
        .await
        .expect(200);
    app.get(&format!("/api/v1/estates/{served}/contracts"), As::Key(&key))
        .await
        .expect(200);
    // No personal data, and nothing of other estates or companies: operations on personal data
    // take no API key at all (their security is a person's bearer token).
    assert_eq!(
        app.get(&format!("/api/v1/estates/{served}/owners"), As::Key(&key))
            .await
            .problem(401),
        "unauthenticated"
    );
    app.get(&format!("/api/v1/estates/{served}/units"), As::Key(&key))
        .await
        .problem(401);
    app.get(&format!("/api/v1/estates/{other}"), As::Key(&key))
        .await
        .problem(404);
    let companies = app.get("/api/v1/companies", As::Key(&key)).await.expect(200);
    assert_eq!(companies.body["items"].as_array().unwrap().len(), 1);
    app.get(&format!("/api/v1/companies/{c2}"), As::Key(&key))
        .await
        .problem(404);
    app.get(&format!("/api/v1/companies/{c2}/contracts"), As::Key(&key))
        .await
        .problem(404);
    app.get(&format!("/api/v1/companies/{c1}/contracts"), As::Key(&key))
        .await
        .expect(200);
    let other_view = app
        .get(&format!("/api/v1/estates/{other}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(other_view.body["management_mode"], "none");
}
both!(a_company_key_sees_its_estates_public_data_only);

async fn owners_open_accounts_with_a_code(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "和园", &k.comm_a).await;
    let other = app.estate(&admin, "别处", &k.comm_b).await;
    app.import(
        &admin,
        &estate,
        csv(&["1号楼,1单元,101,100,实测,张三,140425198111138173,18630779212,否,,已交付"]),
    )
    .await
    .expect(201);
    app.create_user(
        &admin,
        "committee",
        "committee-password",
        &[("committee", Some(&estate))],
    )
    .await;
    let committee = app.login("committee", "committee-password").await;
    let owners = app
        .get(&format!("/api/v1/estates/{estate}/owners"), As::Bearer(&committee))
        .await
        .expect(200);
    let o = &owners.body["items"][0];
    assert_eq!(o["phone"], "186****9212", "masked for the committee");
    assert_eq!(o["id_last4"], "8173");
    assert!(!owners.body.to_string().contains("140425198111138173"));
    let owner_id = o["id"].as_str().unwrap().to_string();
    let clear = app
        .get(&format!("/api/v1/owners/{owner_id}"), As::Bearer(&admin))
        .await
        .expect(200);
    assert_eq!(clear.body["phone"], "18630779212");

    let code = app
        .post(
            &format!("/api/v1/owners/{owner_id}/activation-codes"),
            As::Bearer(&committee),
            json!({}),
        )
        .await
        .expect(201)
        .s("code");
    let activate =
        |username: &str, code: &str| json!({ "code": code, "username": username, "password": "owner-password-1" });
    let wrong = app
        .post(
            "/api/v1/owners/activate",
            As::Nobody,
            activate("zhangsan", "WRONGCODE0"),
        )
        .await;
    assert_eq!(wrong.problem(422), "invalid_activation_code");
    let typed = code
        .to_lowercase()
        .chars()
        .collect::<Vec<_>>()
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-");
    app.post("/api/v1/owners/activate", As::Nobody, activate("zhangsan", &typed))
        .await
        .expect(201);
    let reused = app
        .post("/api/v1/owners/activate", As::Nobody, activate("zhangsan2", &code))
        .await;
    assert_eq!(reused.problem(422), "invalid_activation_code");

    let me = app.login("zhangsan", "owner-password-1").await;
    let mine = app
        .get(&format!("/api/v1/owners/{owner_id}"), As::Bearer(&me))
        .await
        .expect(200);
    assert_eq!(mine.body["phone"], "18630779212", "the owner sees their own number");
    let units = app
        .get(&format!("/api/v1/owners/{owner_id}/ownerships"), As::Bearer(&me))
        .await
        .expect(200);
    assert_eq!(units.body["items"].as_array().unwrap().len(), 1);
    let estates = app.get("/api/v1/estates", As::Bearer(&me)).await.expect(200);
    assert_eq!(estates.body["items"][0]["id"], json!(estate));
    app.get(&format!("/api/v1/estates/{estate}/headcount"), As::Bearer(&me))
        .await
        .expect(200);
    app.get(&format!("/api/v1/estates/{estate}/owners"), As::Bearer(&me))
        .await
        .problem(403);
    app.get(&format!("/api/v1/estates/{other}"), As::Bearer(&me))
        .await
        .problem(404);
    // Another committee cannot issue codes for this owner.
    app.create_user(
        &admin,
        "committee-2",
        "committee-password",
        &[("committee", Some(&other))],
    )
    .await;
    let committee2 = app.login("committee-2", "committee-password").await;
    app.post(
        &format!("/api/v1/owners/{owner_id}/activation-codes"),
        As::Bearer(&committee2),
        json!({}),
    )
    .await
    .problem(404);
}
both!(owners_open_accounts_with_a_code);

async fn owners_are_registered_once(app: TestApp) {
    let admin = app.admin_token().await;
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "和园", &k.comm_a).await;
    let body = json!({ "kind": "natural", "name": "张三", "id_number": "140425198111138173", "phone": "18630779212" });
    let a = app
        .post(
            &format!("/api/v1/estates/{estate}/owners"),
            As::Bearer(&admin),
            body.clone(),
        )
        .await
        .expect(201)
        .s("id");
    let b = app
        .post(&format!("/api/v1/estates/{estate}/owners"), As::Bearer(&admin), body)
        .await
        .expect(201)
        .s("id");
    assert_eq!(a, b);
    let other = app
        .post(
            &format!("/api/v1/estates/{estate}/owners"),
            As::Bearer(&admin),
            json!({ "kind": "natural", "name": "李四", "id_number": "140425198111138173" }),
        )
        .await;
    assert_eq!(other.problem(409), "id_number_taken");
    let bad = app
        .post(
            &format!("/api/v1/estates/{estate}/owners"),
            As::Bearer(&admin),
            json!({ "kind": "natural", "name": "李四", "id_number": "140425198111138174" }),
        )
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "id_number");
    let legal = app
        .post(
            &format!("/api/v1/estates/{estate}/owners"),
            As::Bearer(&admin),
            json!({ "kind": "legal", "name": "开发商", "id_number": "91140400M9198T3X56" }),
        )
        .await
        .expect(201);
    assert_eq!(legal.body["kind"], "legal");
}
both!(owners_are_registered_once);

async fn the_demo_county_and_its_coverage(app: TestApp) {
    let admin = app.admin_token().await;
    let summary = redprop::demo::load(&app.state).unwrap();
    assert_eq!(summary.grids, 4 + 17 + 121);
    assert!(redprop::demo::load(&app.state).is_err(), "only into an empty registry");
    let c = app
        .get(
            &format!("/api/v1/coverage?org_id={}", summary.county_id),
            As::Bearer(&admin),
        )
        .await
        .expect(200);
    let b = &c.body;
    assert_eq!(b["estates_total"], 5);
    assert_eq!(
        b["estates_by_kind"],
        json!({ "commercial": 2, "village_built": 2, "work_unit": 1 })
    );
    assert_eq!(
        b["estates_by_management"],
        json!({ "contracted": 2, "entrusted": 1, "self_managed": 1, "none": 1 })
    );
    assert_eq!(b["estates_without_management"], 1);
    assert_eq!(b["without_management_bp"], 2000);
    assert_eq!(
        b["companies_by_party_coverage"],
        json!({ "own_branch": 1, "joint_branch": 1, "instructor": 0, "none": 0 })
    );
    let grids = b["party_members_by_grid"].as_array().unwrap();
    assert_eq!(grids.len(), 142);
    let levels = |l: i64| grids.iter().filter(|g| g["level"] == l).count();
    assert_eq!((levels(1), levels(2), levels(3)), (4, 17, 121));
    let members: i64 = grids.iter().map(|g| g["party_members"].as_i64().unwrap()).sum();
    assert_eq!(
        members, 30,
        "和园's 30 party members, all in its community's first-level grid"
    );
    // Coverage is for organisations in scope only.
    app.create_user(
        &admin,
        "outsider",
        "outsider-password",
        &[("party_org", Some(&app.county(&admin).await.comm_b))],
    )
    .await;
    let outsider = app.login("outsider", "outsider-password").await;
    app.get(
        &format!("/api/v1/coverage?org_id={}", summary.county_id),
        As::Bearer(&outsider),
    )
    .await
    .problem(404);
    let h = app
        .get(
            &format!("/api/v1/estates/{}/headcount", summary.heyuan_estate_id),
            As::Bearer(&admin),
        )
        .await
        .expect(200);
    assert_eq!(h.body["total_heads"], 233);
}
both!(the_demo_county_and_its_coverage);

/// `redprop demo` leaves a county that looks used: a year of history made through the API as
/// the demo's own accounts (one per role, each able to sign in), with an owners' committee elected
/// and in office, votes closed and open,
/// ledger items at every step, monthly meetings with published minutes and action items at each
/// step, and a published rating campaign with an appeal; the audit chain verifies.
async fn the_demo_has_a_year_of_history(app: TestApp) {
    let admin = app.admin_token().await;
    let summary = redprop::demo::load(&app.state).unwrap();
    let roles: Vec<&str> = summary.accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(
        roles,
        [
            "demo-bureau",
            "demo-party",
            "demo-committee",
            "demo-company",
            "demo-department",
            "demo-owner"
        ]
    );
    for a in &summary.accounts {
        assert!(a.password.len() >= 16);
        app.login(&a.username, &a.password).await;
    }
    let state = app.state.clone();
    state
        .db
        .clock()
        .clone()
        .scope(redprop::demo::history::run(&state, &summary))
        .await
        .unwrap();
    let admin = {
        let _ = admin;
        app.admin_token().await
    };
    let estate = &summary.heyuan_estate_id;
    let get = |path: String| {
        let (app, admin) = (&app, admin.clone());
        async move { app.get(&path, As::Bearer(&admin)).await.expect(200).body }
    };
    let committees = get(format!("/api/v1/estates/{estate}/committees")).await;
    let committee = &committees["items"][0];
    assert_eq!(committee["status"], "active", "{committee}");
    let elections = get(format!(
        "/api/v1/committees/{}/elections",
        committee["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(elections["items"].as_array().unwrap().len(), 1);
    let votes = get(format!("/api/v1/estates/{estate}/votes")).await;
    let statuses: Vec<&str> = votes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["open", "closed"]);
    let closed = &votes["items"][1];
    let result = get(format!("/api/v1/votes/{}/result", closed["id"].as_str().unwrap())).await;
    assert_eq!(result["outcome"], "passed", "{result}");
    let ledger = get(format!("/api/v1/estates/{estate}/ledger-items?limit=50")).await;
    let mut steps: Vec<&str> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    steps.sort();
    steps.dedup();
    assert_eq!(
        steps,
        ["confirmed", "dispatched", "in_progress", "reported", "resolved"]
    );
    let meetings = get(format!("/api/v1/estates/{estate}/meetings")).await;
    assert_eq!(meetings["items"].as_array().unwrap().len(), 4);
    let actions = get(format!("/api/v1/estates/{estate}/action-items?limit=50")).await;
    let mut kinds: Vec<&str> = actions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["done", "done", "open", "reported"]);
    let campaigns = get(format!("/api/v1/orgs/{}/rating-campaigns", summary.county_id)).await;
    let campaign = &campaigns["items"][0];
    assert!(
        ["published", "final"].contains(&campaign["status"].as_str().unwrap()),
        "{campaign}"
    );
    let appeals = get(format!(
        "/api/v1/rating-campaigns/{}/appeals",
        campaign["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(appeals["items"].as_array().unwrap().len(), 1);
    // The sunshine accounts: a fee standard, a quarter's statement with an answered question,
    // an emergency use of the fund approved.
    let standards = get(format!("/api/v1/estates/{estate}/fee-standards")).await;
    assert_eq!(standards["items"][0]["in_force"], true, "{standards}");
    let statements = get(format!("/api/v1/estates/{estate}/statements")).await;
    let statement = &statements["items"][0];
    assert_eq!(statement["line_count"], 3, "{statement}");
    assert!(statement["questions"][0]["answer"].is_string(), "{statement}");
    let uses = get(format!("/api/v1/estates/{estate}/fund-uses")).await;
    assert_eq!(uses["items"][0]["status"], "approved", "{uses}");
    let verified = get("/api/v1/audit/verify".to_string()).await;
    assert_eq!(verified["ok"], true, "{verified}");
}
both!(the_demo_has_a_year_of_history);

//! Every kind of bad input gets problem+json with a stable code, and changes nothing.

use poem::http::Method;
use serde_json::json;

use crate::both;
use crate::support::{As, TestApp};

async fn user_count(app: &TestApp, admin: &str) -> usize {
    app.get("/api/v1/users?limit=200", As::Bearer(admin))
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .len()
}

async fn bad_bodies_are_problems_and_change_nothing(app: TestApp) {
    let admin = app.admin_token().await;
    let before = user_count(&app, &admin).await;
    let path = "/api/v1/users";
    let send = |ct: Option<&'static str>, body: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.raw(Method::POST, path, As::Bearer(&admin), ct, body.as_bytes().to_vec())
                .await
        }
    };

    let r = send(Some("application/json"), "{\"username\": ").await;
    assert_eq!(r.problem(400), "malformed_json");
    let r = send(Some("application/json"), "").await;
    assert_eq!(r.problem(400), "malformed_json");
    let r = send(Some("text/plain"), "{}").await;
    assert_eq!(r.problem(415), "unsupported_media_type");
    let r = send(None, "{}").await;
    assert_eq!(r.problem(415), "unsupported_media_type");

    let r = send(
        Some("application/json"),
        r#"{"username": 5, "display_name": "x", "password": "x-password-0001"}"#,
    )
    .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "username");
    assert_eq!(r.body["errors"][0]["code"], "invalid_type");

    let r = send(
        Some("application/json"),
        r#"{"display_name": "x", "password": "x-password-0001"}"#,
    )
    .await;
    assert_eq!(r.body["errors"][0]["field"], "username");
    assert_eq!(r.body["errors"][0]["code"], "missing");

    let r = send(
        Some("application/json"),
        r#"{"username": "abc", "display_name": "x", "password": "x-password-0001", "is_root": true}"#,
    )
    .await;
    assert_eq!(r.body["errors"][0]["field"], "is_root");
    assert_eq!(r.body["errors"][0]["code"], "unknown_field");

    let r = send(Some("application/json"), r#"{"username": "abc", "display_name": "x", "password": "x-password-0001", "grants": [{"role": "owner", "scope_id": 7}]}"#).await;
    assert_eq!(r.body["errors"][0]["field"], "grants[0].scope_id");

    // Schema constraints (lengths) and rules beyond the schema both name the field.
    let long = format!(
        r#"{{"username": "{}", "display_name": "x", "password": "x-password-0001"}}"#,
        "a".repeat(65)
    );
    let r = app
        .raw(
            Method::POST,
            path,
            As::Bearer(&admin),
            Some("application/json"),
            long.into_bytes(),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "username");
    let r = send(
        Some("application/json"),
        r#"{"username": "a b", "display_name": "x", "password": "x-password-0001"}"#,
    )
    .await;
    assert_eq!(r.body["errors"][0]["field"], "username");
    let r = send(
        Some("application/json"),
        r#"{"username": "abcd", "display_name": "x", "password": "short"}"#,
    )
    .await;
    assert_eq!(r.body["errors"][0]["field"], "password");
    assert_eq!(r.body["errors"][0]["code"], "constraint");
    let r = send(
        Some("application/json"),
        r#"{"username": "abcd", "display_name": "x", "password": "x-password-0001", "grants": [{"role": "owner"}]}"#,
    )
    .await;
    assert_eq!(r.body["errors"][0]["field"], "grants[0].scope_id");
    let r = send(Some("application/json"), r#"[1, 2]"#).await;
    assert_eq!(r.problem(422), "validation_failed");

    assert_eq!(user_count(&app, &admin).await, before, "nothing was written");
}
both!(bad_bodies_are_problems_and_change_nothing);

async fn oversize_bodies_are_refused(app: TestApp) {
    let admin = app.admin_token().await;
    let huge = format!(
        r#"{{"username": "abcd", "display_name": "{}", "password": "x-password-0001"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let r = app
        .raw(
            Method::POST,
            "/api/v1/users",
            As::Bearer(&admin),
            Some("application/json"),
            huge.into_bytes(),
        )
        .await;
    assert_eq!(r.problem(413), "payload_too_large");
}
both!(oversize_bodies_are_refused);

async fn routes_methods_and_parameters(app: TestApp) {
    assert_eq!(
        app.get("/api/v1/no-such-thing", As::Nobody).await.problem(404),
        "not_found"
    );
    assert_eq!(app.get("/nowhere", As::Nobody).await.problem(404), "not_found");
    assert_eq!(
        app.call(Method::PUT, "/api/v1/auth/login", As::Nobody, Some(json!({})))
            .await
            .problem(405),
        "method_not_allowed"
    );
    let admin = app.admin_token().await;
    assert_eq!(
        app.get("/api/v1/users?limit=ten", As::Bearer(&admin))
            .await
            .problem(400),
        "invalid_parameter"
    );
    assert_eq!(
        app.get("/api/v1/audit/events?cursor=bm90LWEtbnVtYmVy", As::Bearer(&admin))
            .await
            .problem(400),
        "invalid_parameter"
    );
}
both!(routes_methods_and_parameters);

async fn every_response_has_a_request_id(app: TestApp) {
    let r = app.get("/healthz", As::Nobody).await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.headers.contains_key("x-request-id"));
    // The server always names the request itself; a client's id is kept beside it (see the
    // audit tests), never in its place.
    let given = app
        .client
        .get("/api/v1/nowhere")
        .header("x-request-id", "abc-123")
        .send()
        .await;
    assert_ne!(given.0.headers()["x-request-id"], "abc-123");
    let odd = app.client.get("/healthz").header("x-request-id", "a b\"c").send().await;
    assert_ne!(odd.0.headers()["x-request-id"], "a b\"c");
    app.get("/readyz", As::Nobody).await.expect(200);
}
both!(every_response_has_a_request_id);

/// A body with several problems reports every one of them, each at its path.
async fn every_bad_field_is_named_at_once(app: TestApp) {
    let admin = app.admin_token().await;
    let r = app
        .post(
            "/api/v1/users",
            As::Bearer(&admin),
            json!({ "username": "x", "display_name": 7, "password": "short", "colour": "red",
                    "grants": [{ "role": "emperor" }, { "role": "owner", "scope_id": "" }] }),
        )
        .await;
    assert_eq!(r.problem(422), "validation_failed");
    let mut fields: Vec<(String, String)> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("colour".to_string(), "unknown_field".to_string()),
            ("display_name".into(), "invalid_type".into()),
            ("grants[0].role".into(), "invalid_value".into()),
            ("grants[1].scope_id".into(), "constraint".into()),
            ("password".into(), "constraint".into()),
            ("username".into(), "constraint".into()),
        ]
    );
    // Nothing was created.
    let users = app.get("/api/v1/users", As::Bearer(&admin)).await.expect(200);
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);
}
both!(every_bad_field_is_named_at_once);

/// Issue 17: people who prefer Chinese read problems in Chinese; programs keep the same codes.
async fn problems_and_terms_in_chinese_when_asked(app: TestApp) {
    let admin = app.admin_token().await;
    let auth = format!("Bearer {admin}");
    let en = app.get("/api/v1/estates/nope", As::Bearer(&admin)).await;
    assert_eq!(en.problem(404), "not_found");
    assert_eq!(en.body["title"], "Not Found");
    let zh = app
        .call_with(
            Method::GET,
            "/api/v1/estates/nope",
            &[("authorization", &auth), ("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")],
            None,
        )
        .await;
    assert_eq!(zh.problem(404), "not_found");
    assert_eq!(zh.body["title"], "未找到");
    assert_eq!(zh.body["detail"], "未找到该记录，或您无权查看。");
    assert_eq!(zh.headers["content-language"], "zh-CN");
    assert_eq!(
        (zh.body["type"].clone(), zh.body["status"].clone()),
        (en.body["type"].clone(), en.body["status"].clone())
    );
    // Field messages too; the field names and codes stay.
    let bad = app
        .call_with(
            Method::POST,
            "/api/v1/estates",
            &[("authorization", &auth), ("accept-language", "zh")],
            Some(serde_json::json!({ "name": "", "kind": "commercial", "community_id": "x" })),
        )
        .await;
    assert_eq!(bad.problem(422), "validation_failed");
    assert_eq!(bad.body["title"], "无法按此办理");
    let e = &bad.body["errors"][0];
    assert_eq!(e["field"], "name");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{e}"
    );
    // A spreadsheet's rows say in Chinese what is wrong with each value; nothing is imported.
    let k = app.county(&admin).await;
    let estate = app.estate(&admin, "双语导入", &k.comm_a).await;
    let sheet = "楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,手机号,销售状态\n\
                 1号楼,101,90.123,实测,文兰,140425198301063490,138,已交付\n\
                 1号楼,102,90,估算,蔡敏,140425197802218020,,已交付\n";
    let import = |lang: &'static str| {
        let (app, auth, path) = (&app, auth.clone(), format!("/api/v1/estates/{estate}/import"));
        let sheet = sheet.as_bytes().to_vec();
        async move {
            app.raw_with(
                Method::POST,
                &path,
                &[("authorization", &auth), ("accept-language", lang)],
                Some("text/csv"),
                sheet,
            )
            .await
        }
    };
    let rows_zh = import("zh-CN").await;
    assert_eq!(rows_zh.problem(422), "import_rejected");
    let said: Vec<(u64, String, String)> = rows_zh.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let of = |row: u64, field: &str| {
        said.iter()
            .find(|(r, f, _)| *r == row && f == field)
            .unwrap_or_else(|| panic!("no error at row {row}, {field}: {said:?}"))
            .2
            .clone()
    };
    assert!(of(2, "建筑面积").contains("两位小数"), "{said:?}");
    assert!(of(2, "身份证号").contains("校验位"), "{said:?}");
    assert!(of(2, "手机号").contains("11 位手机号"), "{said:?}");
    assert!(of(3, "面积来源").contains("“估算”不是"), "{said:?}");
    let rows_en = import("en").await;
    assert_eq!(rows_en.problem(422), "import_rejected");
    assert!(
        rows_en.body["errors"][0]["message"].as_str().unwrap().is_ascii(),
        "{}",
        rows_en.body
    );
    assert_eq!(rows_en.body["errors"].as_array().unwrap().len(), said.len());

    // English is kept for a request that prefers it.
    let en_first = app
        .call_with(
            Method::GET,
            "/api/v1/estates/nope",
            &[("authorization", &auth), ("accept-language", "en-US,zh-CN;q=0.5")],
            None,
        )
        .await;
    assert_eq!(en_first.body["title"], "Not Found");

    // Every closed set of values, labelled in the language asked for.
    let terms = app
        .call_with(Method::GET, "/api/v1/terms", &[("accept-language", "zh-CN")], None)
        .await
        .expect(200);
    let vote = terms.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "VoteStatus")
        .unwrap()
        .clone();
    assert!(vote["values"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["value"] == "open" && v["label"].as_str().unwrap().chars().all(|c| !c.is_ascii())));
    let terms_en = app.get("/api/v1/terms", As::Nobody).await.expect(200);
    assert_eq!(terms_en.headers["content-language"], "en");
    let role = terms_en.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Role")
        .unwrap()
        .clone();
    assert!(role["values"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["value"] == "party_org" && v["label"] == "party org"));
}
both!(problems_and_terms_in_chinese_when_asked);

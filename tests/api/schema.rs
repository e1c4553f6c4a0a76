//! The contract and the schema: the committed OpenAPI document matches the code, and both
//! backends' migrations end with the same tables and columns.

use crate::support::TestApp;

#[test]
fn committed_openapi_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.yaml"))
            .unwrap_or_default();
    let generated = redprop::openapi_yaml();
    assert!(
        committed == generated,
        "openapi/openapi.yaml is out of date: run `cargo run -- openapi > openapi/openapi.yaml` and review the diff"
    );
}

#[test]
fn the_spec_documents_both_security_schemes_and_problem_responses() {
    let spec: serde_json::Value = serde_json::from_str(&redprop::http::service().spec()).unwrap();
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["BearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["ApiKeyAuth"]["name"], "X-API-Key");
    let login = &spec["paths"]["/api/v1/auth/login"]["post"]["responses"];
    assert!(login["422"]["content"]["application/problem+json"].is_object());
    assert!(login["429"]["headers"]["RETRY-AFTER"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_have_the_same_tables_and_columns() {
    let Some(pg) = TestApp::postgres() else {
        return;
    };
    let sqlite = TestApp::sqlite();
    let cols = |app: &TestApp| {
        let mut c = app.state.db.raw_connection().unwrap();
        redprop::db::introspect::columns(&mut c).unwrap()
    };
    let (a, b) = (cols(&sqlite), cols(&pg));
    assert!(a.contains_key("audit_events"));
    assert_eq!(a, b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_and_spec_are_served() {
    let app = TestApp::sqlite();
    let docs = app.client.get("/docs").send().await;
    docs.assert_status_is_ok();
    let json = app.client.get("/openapi.json").send().await;
    json.assert_status_is_ok();
    let yaml = app.client.get("/openapi.yaml").send().await;
    yaml.assert_status_is_ok();
    let body = yaml.0.into_body().into_string().await.unwrap();
    assert!(body.contains("/api/v1/auth/login"));
}

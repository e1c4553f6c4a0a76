//! The contract and the schema: the committed OpenAPI document matches the code, and both
//! backends' migrations end with the same tables and columns.

use redprop::config::Config;
use redprop::AppState;

use crate::support::{temp_dir, As, PgDatabase, TestApp};

#[test]
fn committed_openapi_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.yaml")).unwrap_or_default();
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

#[test]
fn replicas_starting_together_do_not_race_on_migrations() {
    let Some(pg) = PgDatabase::create() else {
        return;
    };
    let dir = temp_dir();
    let config = Config {
        data_dir: dir.clone(),
        database_url: Some(pg.url.clone()),
        jwt_secret: Some("a-shared-secret-of-enough-length-000".into()),
        ..Config::default()
    };
    let replicas: Vec<_> = (0..4)
        .map(|_| {
            let c = config.clone();
            std::thread::spawn(move || AppState::init(c).map(|_| ()).map_err(|e| e.to_string()))
        })
        .collect();
    for r in replicas {
        r.join().unwrap().expect("every replica starts");
    }
    let state = AppState::init(config).unwrap();
    let mut c = state.db.raw_connection().unwrap();
    let tables = redprop::db::introspect::columns(&mut c).unwrap();
    assert!(tables.contains_key("audit_events"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_off_by_default_and_follows_the_configured_origins() {
    let closed = TestApp::sqlite();
    let r = closed
        .client
        .get("/healthz")
        .header("origin", "https://county.example")
        .send()
        .await;
    assert!(r.0.headers().get("access-control-allow-origin").is_none());
    let open = TestApp::sqlite_with(|c| c.cors_origins = vec!["https://county.example".into()]);
    let r = open
        .client
        .get("/healthz")
        .header("origin", "https://county.example")
        .send()
        .await;
    assert_eq!(r.0.headers()["access-control-allow-origin"], "https://county.example");
    let r = open.get("/api/v1/auth/me", As::Nobody).await;
    assert_eq!(r.problem(401), "unauthenticated");
}

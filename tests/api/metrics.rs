//! Prometheus metrics (issue 17): off unless an address is given, and then on that address
//! only, never on the API's.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::both;
use crate::support::{As, TestApp};

async fn scrape(addr: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

async fn metrics_are_served_apart_and_count_requests(app: TestApp) {
    // Off by default: the API's port has no /metrics.
    app.get("/metrics", As::Nobody).await.problem(404);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let metrics_addr = addr.clone();
    let app = app.with_config(move |c| c.metrics_bind = Some(metrics_addr));
    let _server = app.listen().await;
    let admin = app.admin_token().await;
    app.get("/api/v1/auth/me", As::Bearer(&admin)).await.expect(200);
    let mut text = String::new();
    for _ in 0..50 {
        match tokio::net::TcpStream::connect(&addr).await {
            Ok(_) => {
                text = scrape(&addr).await;
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("text/plain; version=0.0.4"), "{text}");
    for needle in [
        "redprop_http_requests_total{operation=\"me\",status=\"200\"}",
        "redprop_http_request_duration_seconds_bucket{operation=\"login\",status=\"200\",le=\"+Inf\"}",
        "redprop_db_pool_connections{pool=",
        "redprop_audit_unsealed_events ",
        "redprop_audit_seal_lag_seconds ",
        "redprop_webhook_deliveries{status=\"pending\"} ",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
    // Every metric the Grafana dashboard plots is one the server exposes.
    let dashboard = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/deploy/grafana-dashboard.json"
    ))
    .unwrap();
    let mut names: Vec<&str> = dashboard
        .match_indices("redprop_")
        .map(|(i, _)| {
            let rest = &dashboard[i..];
            &rest[..rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len())]
        })
        .filter(|n| n.len() > "redprop_".len())
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() >= 8, "{names:?}");
    for n in names {
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .fold(n, |n, s| n.strip_suffix(s).unwrap_or(n));
        assert!(
            text.contains(&format!("# TYPE {base} ")),
            "the dashboard plots {n}, which the server does not expose"
        );
    }
}
both!(metrics_are_served_apart_and_count_requests);

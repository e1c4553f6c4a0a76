//! The settings (issue 17): every variable the README documents is a flag too, listed with its
//! variable by `redprop serve --help`; a bad value is refused at start, naming the setting.

use std::process::Command;

fn redprop() -> Command {
    Command::new(env!("CARGO_BIN_EXE_redprop"))
}

#[test]
fn every_documented_variable_is_a_flag_listed_by_serve_help() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let documented: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("| `REDPROP_") || l.starts_with("| `DATABASE_URL"))
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    assert!(documented.len() >= 20, "{documented:?}");
    let out = redprop().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for name in documented {
        assert!(
            help.contains(&format!("[env: {name}")),
            "{name} missing from serve --help"
        );
    }
}

#[test]
fn a_bad_setting_is_refused_at_start_naming_it() {
    let dir = crate::support::temp_dir();
    let out = redprop()
        .arg("migrate")
        .env("REDPROP_DATA_DIR", &dir)
        .env("REDPROP_DB_POOL_SIZE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--db-pool-size"), "{err}");
    // An empty variable counts as unset.
    let out = redprop()
        .arg("migrate")
        .env("REDPROP_DATA_DIR", &dir)
        .env("REDPROP_MAX_CONNECTIONS", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `redprop healthcheck` (the container's health check): 0 when the server answers, 1 when not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthcheck_command_asks_the_server() {
    let app = crate::support::TestApp::sqlite();
    let server = app.listen().await;
    let run = |bind: String| {
        tokio::task::spawn_blocking(move || {
            redprop()
                .args(["healthcheck"])
                .env("REDPROP_BIND", bind)
                .status()
                .unwrap()
        })
    };
    assert!(run(server.addr.to_string()).await.unwrap().success());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    assert_eq!(run(closed.to_string()).await.unwrap().code(), Some(1));
}

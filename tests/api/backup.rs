//! Backups (issue 17): taken online while ballots are being written, checked, and restored only
//! into a data folder with the same keys, with an audit chain that verifies.

use crate::fixtures::open_vote_with_one_owner;
use crate::support::{temp_dir, As, TestApp};
use chrono::Duration;
use redprop::config::Config;
use serde_json::json;

/// A data folder beside the app's with the same keys (as an operator restores on a new disk).
fn sibling(app: &TestApp) -> Config {
    let dir = temp_dir();
    for key in ["jwt.secret", "id-hash.key"] {
        std::fs::copy(app.state.config.data_dir.join(key), dir.join(key)).unwrap();
    }
    Config {
        data_dir: dir,
        database_url: None,
        // Nothing listens here: the restore's "is a server running?" check passes.
        bind: "127.0.0.1:9".into(),
        ..(*app.state.config).clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_ballot_load_restores_with_its_audit_chain() {
    let app = TestApp::sqlite();
    let (_admin, vid, _) = open_vote_with_one_owner(&app, "备份苑", Duration::days(3)).await;
    // The owner changes their ballot again and again while the backup is taken.
    let token = app.login("wenlan", "owner-password-1").await;
    let dest = temp_dir().join("backup.sqlite3");
    let config = (*app.state.config).clone();
    let target = dest.clone();
    let backup = tokio::task::spawn_blocking(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        redprop::backup::backup(&config, &target)
    });
    let mut cast = 0;
    for i in 0..60 {
        let choice = ["yes", "no", "abstain"][i % 3];
        app.post(
            &format!("/api/v1/votes/{vid}/ballots"),
            As::Bearer(&token),
            json!({ "choice": choice }),
        )
        .await
        .expect(201);
        cast += 1;
    }
    let report = backup
        .await
        .unwrap()
        .expect("the backup succeeds while ballots are written");
    assert!(cast == 60 && report.bytes > 0 && report.audit_events > 0, "{report:?}");

    // A backup never overwrites.
    let again = redprop::backup::backup(&app.state.config, &dest);
    assert!(again.unwrap_err().to_string().contains("never overwrites"));

    // Restored into a new data folder with the same keys: it opens, and its chain verifies.
    let fresh = sibling(&app);
    let restored = redprop::backup::restore(&fresh, &dest, false).expect("restore");
    assert_eq!(restored.audit_events, report.audit_events);
    let state = redprop::AppState::init(fresh.clone()).unwrap();
    let chain = state.verify_audit().unwrap();
    assert!(chain.first_break.is_none(), "{:?}", chain.first_break);
    assert!(chain.sealed > 0);

    // While a process has the database open (a server on any address, a command), a restore is
    // refused, --replace or not: a write accepted meanwhile would be lost.
    let busy = redprop::backup::restore(&fresh, &dest, true).unwrap_err();
    assert!(busy.to_string().contains("in use"), "{busy}");
    let busy = redprop::backup::restore(&app.state.config, &dest, true).unwrap_err();
    assert!(busy.to_string().contains("in use"), "{busy}");
    drop(state);
    // A database is there now: replacing it must be asked for, and keeps the old one beside.
    let refused = redprop::backup::restore(&fresh, &dest, false).unwrap_err();
    assert!(refused.to_string().contains("--replace"), "{refused}");
    redprop::backup::restore(&fresh, &dest, true).expect("restore with --replace");
    let kept = std::fs::read_dir(&fresh.data_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with("redprop.sqlite3.replaced-"));
    assert!(kept, "the replaced database is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_refuses_what_it_cannot_trust() {
    let app = TestApp::sqlite();
    let dest = temp_dir().join("backup.sqlite3");
    redprop::backup::backup(&app.state.config, &dest).unwrap();

    // Another installation's keys: the backup's records of its keys do not match.
    let strangers = Config {
        data_dir: temp_dir(),
        database_url: None,
        bind: "127.0.0.1:9".into(),
        ..(*app.state.config).clone()
    };
    let e = redprop::backup::restore(&strangers, &dest, false).unwrap_err();
    assert!(format!("{e:#}").contains("keys"), "{e:#}");
    assert!(
        !strangers.data_dir.join("redprop.sqlite3").exists(),
        "nothing put in place"
    );

    // A damaged file, and a file that is not a database.
    let damaged = temp_dir().join("damaged.sqlite3");
    let mut bytes = std::fs::read(&dest).unwrap();
    let len = bytes.len();
    for b in &mut bytes[len / 2..len / 2 + 4096.min(len / 4)] {
        *b = 0x5a;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    assert!(redprop::backup::restore(&sibling(&app), &damaged, false).is_err());
    let text = temp_dir().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    assert!(redprop::backup::restore(&sibling(&app), &text, false).is_err());

    // A backup whose newest sealed audit events were cut off (past the trigger, as someone with
    // the file could): the chain no longer reaches its anchored head, and nothing is restored.
    let admin = app.admin_token().await;
    for i in 0..3 {
        app.create_user(&admin, &format!("cut-{i}"), "user-password-001", &[])
            .await;
    }
    app.seal();
    let cut = temp_dir().join("cut.sqlite3");
    redprop::backup::backup(&app.state.config, &cut).unwrap();
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::SqliteConnection::establish(&cut.display().to_string()).unwrap();
        c.batch_execute(
            "DROP TRIGGER audit_events_no_delete; \
             DELETE FROM audit_events WHERE chain_pos > (SELECT MAX(chain_pos) - 2 FROM audit_events)",
        )
        .unwrap();
    }
    let target = sibling(&app);
    let e = redprop::backup::restore(&target, &cut, false).unwrap_err();
    assert!(format!("{e:#}").contains("removed"), "{e:#}");
    assert!(
        !target.data_dir.join("redprop.sqlite3").exists(),
        "nothing put in place"
    );

    // While a server answers on the address, nothing is restored.
    let live = app.listen().await;
    let busy = Config {
        bind: live.addr.to_string(),
        ..sibling(&app)
    };
    let e = redprop::backup::restore(&busy, &dest, false).unwrap_err();
    assert!(e.to_string().contains("stop the server"), "{e}");
}

//! `redprop backup FILE` and `redprop restore FILE` for the SQLite database (issue 17).
//!
//! A backup is taken online, while the server runs: `VACUUM INTO` copies the database as one
//! read transaction sees it, so the copy is consistent however many ballots are being written
//! (WAL mode lets the writer go on). The copy is then checked (`PRAGMA integrity_check`).
//!
//! A restore checks before it replaces anything: the file is an intact SQLite database of this
//! service; opened with this data folder's keys (a database records the fingerprints of the keys
//! it was written with, so a backup of another installation is refused); migrated to this
//! version; and its audit chain verifies. Only then is it put in place, the current database
//! kept beside it. The server must be stopped: a restore refuses while something answers on the
//! configured address.
//!
//! PostgreSQL has its own tools: `pg_dump` / `pg_restore` (README, "Backups").

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::config::Config;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What a backup or restore found in the file.
#[derive(Debug)]
pub struct Report {
    pub bytes: u64,
    pub audit_events: i64,
}

/// The SQLite file of the configuration, or an error naming the tool for PostgreSQL.
fn sqlite_path(config: &Config) -> anyhow::Result<PathBuf> {
    let url = config.effective_database_url();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!("the database is PostgreSQL: back it up with pg_dump and restore with pg_restore (README, \"Backups\")");
    }
    Ok(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(&url)))
}

fn open(path: &Path) -> anyhow::Result<SqliteConnection> {
    let mut c = SqliteConnection::establish(&path.display().to_string())
        .with_context(|| format!("cannot open {}", path.display()))?;
    // Wait for a writer's moment rather than fail (the server may be writing ballots).
    c.batch_execute("PRAGMA busy_timeout = 10000;")?;
    Ok(c)
}

/// `PRAGMA integrity_check` and the marks of this service's schema; the audit events counted.
fn check(path: &Path) -> anyhow::Result<Report> {
    let bytes = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    let mut c = open(path)?;
    let lines: Vec<Line> = diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check()")
        .load(&mut c)
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    if lines.len() != 1 || lines[0].line != "ok" {
        let found: Vec<String> = lines.into_iter().take(5).map(|l| l.line).collect();
        bail!("{} is damaged: {}", path.display(), found.join("; "));
    }
    let ours: Vec<Count> = diesel::sql_query(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' \
         AND name IN ('__diesel_schema_migrations', 'audit_events', 'estates')",
    )
    .load(&mut c)?;
    if ours.first().map(|c| c.n) != Some(3) {
        bail!("{} is a SQLite database, but not one of redprop's", path.display());
    }
    let events: Vec<Count> = diesel::sql_query("SELECT count(*) AS n FROM audit_events").load(&mut c)?;
    Ok(Report {
        bytes,
        audit_events: events.first().map(|c| c.n).unwrap_or(0),
    })
}

/// A consistent copy of the live database into `dest` (which must not exist), checked.
pub fn backup(config: &Config, dest: &Path) -> anyhow::Result<Report> {
    let source = sqlite_path(config)?;
    if !source.exists() {
        bail!("no database at {}", source.display());
    }
    if dest.exists() {
        bail!("{} exists: a backup never overwrites a file", dest.display());
    }
    let mut c = open(&source)?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(dest.display().to_string())
        .execute(&mut c)
        .with_context(|| format!("the backup into {} failed", dest.display()))?;
    crate::data_dir::private_file(dest)?;
    check(dest)
}

/// Checks `src` and puts it in place of the configured database (kept as
/// `redprop.sqlite3.replaced-<time>`); `replace` must be given when a database is there.
pub fn restore(config: &Config, src: &Path, replace: bool) -> anyhow::Result<Report> {
    let target = sqlite_path(config)?;
    // Every process that has the database open holds this lock shared (`db::database_lock`): a
    // server on whatever address, an import, an admin command. Held here to the end, it also
    // keeps any of them from opening the database while it is replaced.
    let in_use = crate::db::database_lock(&target)?;
    if let Err(std::fs::TryLockError::WouldBlock) = in_use.try_lock() {
        bail!(
            "{} is in use by another process (a server or a command): stop it before restoring",
            target.display()
        );
    }
    if std::net::TcpStream::connect_timeout(
        &config.bind.parse().context("REDPROP_BIND is not an address")?,
        std::time::Duration::from_millis(300),
    )
    .is_ok()
    {
        bail!("something answers on {}: stop the server before restoring", config.bind);
    }
    let report = check(src)?;
    if target.exists() && !replace {
        bail!(
            "{} exists: give --replace to put the backup in its place (the current one is kept beside it)",
            target.display()
        );
    }

    // Open the backup as the service would, in a scratch folder with this installation's keys:
    // migrations run, the keys must match the ones it was written with, the audit chain must
    // verify. Nothing is replaced before all of this passed.
    let scratch = std::env::temp_dir().join(format!("redprop-restore-{}", crate::domain::ids::new_id()));
    std::fs::create_dir_all(&scratch)?;
    let result = (|| -> anyhow::Result<PathBuf> {
        let staged = scratch.join("redprop.sqlite3");
        std::fs::copy(src, &staged)?;
        let mut probe = config.clone();
        probe.database_url = Some(staged.display().to_string());
        let state = crate::AppState::init(probe).context("the backup cannot be opened with this data folder's keys")?;
        let err = |e: crate::error::AppError| anyhow::anyhow!("{e}");
        state.seal_all().map_err(err)?;
        let report = state.verify_audit().map_err(err)?;
        if let Some(b) = report.first_break {
            bail!("the backup's audit chain is broken at seq {}: {}", b.seq, b.reason);
        }
        if let Some(m) = report.ballots.first_mismatch {
            bail!(
                "the backup's ballots disagree with its audit log in vote {}: {}",
                m.vote_id,
                m.reason
            );
        }
        // One consistent file out of the staged database (its WAL folded in).
        let ready = scratch.join("ready.sqlite3");
        let mut c = open(&staged)?;
        diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(ready.display().to_string())
            .execute(&mut c)?;
        Ok(ready)
    })();
    let ready = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&scratch);
            return Err(e);
        }
    };
    if target.exists() {
        let kept = target.with_extension(format!(
            "sqlite3.replaced-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        std::fs::rename(&target, &kept)?;
        for side in ["-wal", "-shm"] {
            let mut p = target.clone().into_os_string();
            p.push(side);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::copy(&ready, &target)?;
    crate::data_dir::private_file(&target)?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(report)
}

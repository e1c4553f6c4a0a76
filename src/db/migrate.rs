//! Embedded migrations, one folder per backend with identical version names, run at start and by
//! `redprop migrate`. On PostgreSQL the run holds an advisory lock, so replicas started together
//! migrate one after the other instead of racing (diesel_migrations takes no lock itself).

use diesel::connection::SimpleConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{AnyConnection, Db};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary constant that names "redprop migrations" among advisory locks.
const MIGRATION_LOCK_KEY: i64 = 0x7265_6470_726f_7001;

/// Applies pending migrations; returns the versions applied.
pub fn run(db: &Db) -> anyhow::Result<Vec<String>> {
    let mut conn = db.raw_connection().map_err(|e| anyhow::anyhow!("{e}"))?;
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    if postgres {
        conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
    }
    let result = apply(&mut conn);
    if postgres {
        conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
    }
    result
}

/// The pending migrations, then what they need of the data (under the lock on PostgreSQL).
fn apply(conn: &mut AnyConnection) -> anyhow::Result<Vec<String>> {
    let applied: Vec<String> = match conn {
        AnyConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE)
            .map(|v| v.iter().map(|v| v.to_string()).collect()),
        AnyConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES)
            .map(|v| v.iter().map(|v| v.to_string()).collect()),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    // The ledger's tallies start from the items already there.
    if applied.iter().any(|v| v.contains("000013")) {
        conn.transaction(super::ledger::rebuild_tallies)
            .map_err(|e| anyhow::anyhow!("filling the ledger's tallies: {e}"))?;
    }
    Ok(applied)
}

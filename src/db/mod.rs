//! Persistence: one connection enum over SQLite and PostgreSQL, the pools, and the one async
//! helper through which every handler reaches the database (`Db::read` / `Db::write`).
//!
//! SQLite gets one writer connection and a pool of readers: with WAL, readers never block and
//! writes are serialised in-process instead of failing with SQLITE_BUSY. PostgreSQL uses one pool
//! for both. Per-backend SQL lives only in `Backend`-matching helpers, never in query code.

pub mod api_keys;
pub mod audit;
pub mod committees;
pub mod companies;
pub mod coverage;
pub mod estates;
pub mod group_commit;
pub mod introspect;
pub mod migrate;
pub mod orgs;
pub mod owners;
pub mod schema;
pub mod sessions;
pub mod throttle;
pub mod unit_import;
pub mod users;
pub mod vetting;
pub mod votes;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool};
use diesel::{PgConnection, SqliteConnection};

use crate::error::{AppError, AppResult};

/// Runs one query builder on whichever inner connection this is, for the few statements that
/// `MultiConnection` cannot express (upsert). The builder is written once; only dispatch differs.
macro_rules! each_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($c) => $body,
            $crate::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use each_backend;

/// Inserts many rows as multi-row INSERTs of `BATCH_ROWS` (under SQLite's bound-parameter
/// limit). `MultiConnection` has no batch insert, so this dispatches to the inner connection.
macro_rules! insert_batch {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let mut inserted = 0usize;
        for chunk in $rows.chunks($crate::db::BATCH_ROWS) {
            inserted += $crate::db::each_backend!($conn, c => diesel::insert_into($table).values(chunk).execute(c))?;
        }
        Ok::<usize, $crate::error::AppError>(inserted)
    }};
}
pub(crate) use insert_batch;

/// Rows per multi-row INSERT: 400 rows of up to 12 columns stay well under SQLite's limit of
/// 32,766 bound parameters.
pub const BATCH_ROWS: usize = 400;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl AnyConnection {
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Where the data lives, parsed from `DATABASE_URL`. SQLite accepts any path, so the URL is
/// parsed here rather than letting `MultiConnection::establish` guess.
#[derive(Clone, Debug)]
pub enum DbUrl {
    Postgres(String),
    Sqlite(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> DbUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbUrl::Postgres(url.to_string())
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            DbUrl::Sqlite(path.to_string())
        }
    }
}

/// Per-connection SQLite settings. `foreign_keys` cannot change inside a transaction, so it is
/// set here, at connect time; `busy_timeout` comes first so that the one-time switch to WAL
/// waits, rather than fails, when several connections open at once.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

pub struct Manager(DbUrl);

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        use diesel::r2d2::Error as E;
        match &self.0 {
            DbUrl::Postgres(u) => PgConnection::establish(u)
                .map(AnyConnection::Postgresql)
                .map_err(E::ConnectionError),
            DbUrl::Sqlite(p) => {
                let mut c = SqliteConnection::establish(p).map_err(E::ConnectionError)?;
                c.batch_execute(SQLITE_PRAGMAS).map_err(E::QueryError)?;
                Ok(AnyConnection::Sqlite(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

type AnyPool = Pool<Manager>;

/// The database handle that the app state carries. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    reader: AnyPool,
    /// PostgreSQL: writes run in parallel on pooled connections. SQLite: one connection for
    /// `write_blocking` (CLI, tests), which waits on the database lock like any other process.
    writer: Option<AnyPool>,
    /// SQLite: one writer thread with group commit.
    group: Option<group_commit::GroupWriter>,
    backend: Backend,
    url: DbUrl,
}

impl Db {
    /// Opens the pools (creating the SQLite file's folder if needed). Does not migrate.
    pub fn open(url: &str) -> anyhow::Result<Db> {
        let url = DbUrl::parse(url);
        let timeout = Duration::from_secs(5);
        match &url {
            DbUrl::Postgres(_) => {
                let pool = Pool::builder()
                    .max_size(16)
                    .min_idle(Some(1))
                    .connection_timeout(timeout)
                    .build(Manager(url.clone()))?;
                Ok(Db {
                    reader: pool.clone(),
                    writer: Some(pool),
                    group: None,
                    backend: Backend::Postgres,
                    url,
                })
            }
            DbUrl::Sqlite(path) => {
                if let Some(dir) = std::path::Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)?;
                    }
                }
                let writer_conn = Manager(url.clone()).connect()?;
                let reader = Pool::builder()
                    .max_size(8)
                    .min_idle(Some(1))
                    .connection_timeout(timeout)
                    .build(Manager(url.clone()))?;
                let group = Some(group_commit::GroupWriter::start(writer_conn));
                let side = Pool::builder()
                    .max_size(1)
                    .min_idle(Some(0))
                    .connection_timeout(timeout)
                    .build(Manager(url.clone()))?;
                Ok(Db {
                    reader,
                    writer: Some(side),
                    group,
                    backend: Backend::Sqlite,
                    url,
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` on a reader connection, off the async runtime.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        let pool = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction, off the async runtime (BEGIN IMMEDIATE on SQLite, so a
    /// read-then-write cannot fail with SQLITE_BUSY halfway).
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        match (&self.group, &self.writer) {
            (Some(g), _) => g.write(f).await,
            (None, Some(pool)) => {
                let pool = pool.clone();
                tokio::task::spawn_blocking(move || {
                    let mut conn = pool.get()?;
                    in_transaction(&mut conn, f)
                })
                .await?
            }
            (None, None) => Err(AppError::Internal("no writer configured".into())),
        }
    }

    /// The blocking form of `write`, for the CLI, the demo loader and tests, already off the
    /// runtime. On SQLite it takes the database lock beside the writer thread (BEGIN IMMEDIATE
    /// waits up to the busy timeout), as a second process would.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut AnyConnection) -> AppResult<T>) -> AppResult<T> {
        let pool = self
            .writer
            .as_ref()
            .ok_or_else(|| AppError::Internal("no writer configured".into()))?;
        let mut conn = pool.get()?;
        in_transaction(&mut conn, f)
    }

    /// The blocking form of `read`.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut AnyConnection) -> AppResult<T>) -> AppResult<T> {
        let mut conn = self.reader.get()?;
        f(&mut conn)
    }

    /// A fresh connection outside the pools and the writer: migrations and tests only.
    pub fn raw_connection(&self) -> AppResult<AnyConnection> {
        Manager(self.url.clone()).connect().map_err(|e| AppError::Unavailable {
            detail: format!("cannot connect: {e}"),
        })
    }
}

/// Transactions go through diesel's own transaction manager of the inner connection, so code
/// inside may still call `transaction()` (diesel does, for SQLite batch inserts) and get a
/// savepoint instead of a second BEGIN. SQLite begins IMMEDIATE: the write lock is taken up
/// front, so a read-then-write cannot fail with SQLITE_BUSY halfway.
fn begin(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    match conn {
        AnyConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    }
}

fn commit(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    each_backend!(conn, c => AnsiTransactionManager::commit_transaction(c))
}

fn rollback(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    each_backend!(conn, c => AnsiTransactionManager::rollback_transaction(c))
}

fn in_transaction<T>(conn: &mut AnyConnection, f: impl FnOnce(&mut AnyConnection) -> AppResult<T>) -> AppResult<T> {
    begin(conn)?;
    // A panic must not return the connection to the pool with a transaction still open.
    let outcome = catch_unwind(AssertUnwindSafe(|| f(conn)));
    match outcome {
        Ok(Ok(value)) => match commit(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = rollback(conn);
                Err(e.into())
            }
        },
        Ok(Err(e)) => {
            rollback(conn)?;
            Err(e)
        }
        Err(panic) => {
            let _ = rollback(conn);
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(AppError::Internal(format!("panic in transaction: {msg}")))
        }
    }
}

//! Persistence: one connection enum over SQLite and PostgreSQL, the pools, and the one async
//! helper through which every handler reaches the database (`Db::read` / `Db::write`).
//!
//! SQLite gets one writer connection and a pool of readers: with WAL, readers never block and
//! writes are serialised in-process instead of failing with SQLITE_BUSY. PostgreSQL uses one pool
//! for both. Per-backend SQL lives only in `Backend`-matching helpers, never in query code.

pub mod api_keys;
pub mod attachments;
pub mod audit;
pub mod ballot_audit;
pub mod batcher;
pub mod committees;
pub mod companies;
pub mod coverage;
pub mod estates;
pub mod fragment;
pub mod group_commit;
pub mod idempotency;
pub mod instance_keys;
pub mod introspect;
pub mod ledger;
pub mod meetings;
pub mod migrate;
pub mod money;
pub mod notices;
pub mod orgs;
pub mod owners;
pub mod ratings;
pub mod rolls;
pub mod schema;
pub mod service;
pub mod sessions;
pub mod survey;
pub mod tallies;
pub mod terms;
pub mod throttle;
pub mod unit_import;
pub mod users;
pub mod vetting;
pub mod votes;
pub mod webhooks;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool};
use diesel::{PgConnection, SqliteConnection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

/// The one row of `$query` for a change, locked until the transaction ends: `FOR UPDATE` on
/// PostgreSQL (SQLite serialises every write transaction anyway). Two commands on one record
/// then run one after the other, the second from the state the first left — never both from
/// the same state, the later overwriting the earlier.
macro_rules! first_for_change {
    ($conn:expr, $query:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql(c) => $query.for_update().first(c).optional(),
            $crate::db::AnyConnection::Sqlite(c) => $query.first(c).optional(),
        }
    };
}
pub(crate) use first_for_change;

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

/// `$query.filter($column IN $values)` for a boxed query, written `= $value` when there is one
/// value: diesel caches the prepared statement of `=` on every backend, but not that of an
/// `IN` list on SQLite — and a batched lookup on SQLite always asks for one.
macro_rules! filter_in {
    ($query:expr, $column:expr, $values:expr) => {
        match $values {
            [one] => $query.filter($column.eq(*one)),
            many => $query.filter($column.eq_any(many)),
        }
    };
}
pub(crate) use filter_in;

/// Rows per multi-row INSERT: 400 rows of up to 12 columns stay well under SQLite's limit of
/// 32,766 bound parameters.
pub const BATCH_ROWS: usize = 400;

/// Refreshes PostgreSQL's statistics of tables that a bulk write has just grown (an import, a
/// large roll), so that the planner does not keep estimating from their size before it (the
/// autovacuum daemon catches up only later). SQLite plans without statistics and needs nothing.
pub fn analyze(conn: &mut AnyConnection, tables: &[&'static str]) -> AppResult<()> {
    if conn.backend() == Backend::Postgres {
        conn.batch_execute(&format!("ANALYZE {}", tables.join(", ")))?;
    }
    Ok(())
}

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

    /// The file of an SQLite database (not an in-memory or `file:` URI one).
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        match self {
            DbUrl::Sqlite(path) if path != ":memory:" && !path.starts_with("file:") => Some(std::path::Path::new(path)),
            _ => None,
        }
    }
}

/// The wait for a locked database, as `SQLITE_PRAGMAS` sets it (restored after a shorter one).
pub(crate) const SQLITE_BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 5000";

/// Per-connection SQLite settings. `foreign_keys` cannot change inside a transaction, so it is
/// set here, at connect time; `busy_timeout` comes first so that the one-time switch to WAL
/// waits, rather than fails, when several connections open at once.
///
/// `journal_size_limit`: when the WAL starts again from its beginning, its file is cut back to
/// 64 MiB (`group_commit::WAL_LIMIT_BYTES`) instead of keeping the size of its largest burst.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;";

pub struct Manager(DbUrl);

impl Manager {
    fn establish(&self) -> Result<AnyConnection, diesel::r2d2::Error> {
        use diesel::r2d2::Error as E;
        match &self.0 {
            // PostgreSQL keeps choosing a plan per call for the keyset lists (plan_cache_mode
            // auto): forcing one generic plan made the units and owners lists three times
            // dearer for the database (it walked the estate's rows instead of the page's).
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
}

/// A pooled connection that remembers whether its last use failed.
///
/// Why: the pool does not test connections on checkout (a `SELECT 1` per request is a round
/// trip on PostgreSQL and a statement parse on SQLite, on every request). Instead a connection
/// whose work failed is pinged when it comes back, and dropped if the ping fails — so a
/// PostgreSQL restart costs the requests that were in flight, not every request afterwards.
pub struct Pooled {
    conn: AnyConnection,
    failed: bool,
}

impl Pooled {
    /// Runs `f` on the connection, noting failure for the pool's check on return.
    fn run<T>(&mut self, f: impl FnOnce(&mut AnyConnection) -> AppResult<T>) -> AppResult<T> {
        let result = f(&mut self.conn);
        self.failed = result.is_err();
        result
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        Ok(Pooled {
            conn: self.establish()?,
            failed: false,
        })
    }

    fn is_valid(&self, c: &mut Pooled) -> Result<(), Self::Error> {
        c.conn
            .batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, c: &mut Pooled) -> bool {
        use diesel::r2d2::R2D2Connection;
        if c.conn.is_broken() {
            return true;
        }
        // Most failures are the caller's (not found, a rule refused); only a failed ping means
        // the connection itself is gone.
        std::mem::take(&mut c.failed) && c.conn.ping().is_err()
    }
}

type AnyPool = Pool<Manager>;

/// PostgreSQL connections per process unless configured (`REDPROP_DB_POOL_SIZE`).
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// SQLite reader connections (its one writer is a thread of its own).
const SQLITE_READERS: u32 = 8;

/// How long a request waits for a connection before it is answered 503.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// The database handle that the app state carries. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    reader: AnyPool,
    /// One permit per pooled connection that requests share (PostgreSQL: the one pool; SQLite:
    /// the readers): a request waits for a permit on the runtime, first come first served,
    /// before it takes a blocking thread and a connection.
    ///
    /// Why: without it every request beyond the pool's size parked a blocking thread in the
    /// pool's own wait, which wakes waiters in no particular order — under 32 connections on a
    /// 16-connection pool the slowest 1% of list requests took 5–8 times the mean.
    permits: Arc<Semaphore>,
    /// PostgreSQL: writes run in parallel on pooled connections. SQLite: one connection for
    /// `write_blocking` (CLI, tests), which waits on the database lock like any other process.
    writer: Option<AnyPool>,
    /// SQLite: one writer thread with group commit.
    group: Option<group_commit::GroupWriter>,
    backend: Backend,
    url: DbUrl,
    /// The app's clock: every closure runs under it, so "now" inside a query is the app's now
    /// wherever the closure runs (a blocking thread, the writer thread, a batch writer).
    clock: crate::clock::Clock,
}

/// For a database in an SQLite file: its lock (`database_lock`), held shared for as long as the
/// returned file is kept — by a process that serves or changes the database.
pub fn hold_open(url: &str) -> anyhow::Result<Option<std::fs::File>> {
    let url = DbUrl::parse(url);
    let Some(path) = url.sqlite_file() else {
        return Ok(None);
    };
    make_folder_of(path)?;
    let lock = database_lock(path)?;
    if let Err(std::fs::TryLockError::WouldBlock) = lock.try_lock_shared() {
        anyhow::bail!(
            "{} is being restored from a backup: wait until the restore has finished",
            path.display()
        );
    }
    Ok(Some(lock))
}

/// Creates the folder of an SQLite database file (private, as the data folder) when it is missing.
fn make_folder_of(file: &std::path::Path) -> anyhow::Result<()> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => crate::data_dir::prepare(dir),
        _ => Ok(()),
    }
}

/// The lock file beside an SQLite database: every process that opens the database holds a shared
/// lock on it for as long as it has it open; `redprop restore` takes it exclusively before it
/// puts a backup in the database's place, and refuses while anyone holds it — a server on any
/// address, an import, a second server. (A separate file, not the database itself: SQLite's own
/// locks are POSIX locks, which a process loses when it closes any descriptor of that file.)
pub fn database_lock(db_path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let mut p = db_path.as_os_str().to_owned();
    p.push(".lock");
    let p = std::path::PathBuf::from(p);
    crate::data_dir::private_file(&p)?;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&p)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", p.display()))
}

impl Db {
    /// Opens the pools (creating the SQLite file's folder if needed), of `pool_size` connections
    /// (PostgreSQL; `None`: `DEFAULT_POOL_SIZE`). Does not migrate.
    pub fn open(url: &str, clock: crate::clock::Clock, pool_size: Option<u32>) -> anyhow::Result<Db> {
        let url = DbUrl::parse(url);
        let timeout = CONNECTION_TIMEOUT;
        match &url {
            DbUrl::Postgres(_) => {
                let size = pool_size.unwrap_or(DEFAULT_POOL_SIZE);
                let pool = Pool::builder()
                    .max_size(size)
                    .min_idle(Some(1))
                    .test_on_check_out(false)
                    .connection_timeout(timeout)
                    .build(Manager(url.clone()))?;
                Ok(Db {
                    reader: pool.clone(),
                    permits: Arc::new(Semaphore::new(size as usize)),
                    writer: Some(pool),
                    group: None,
                    backend: Backend::Postgres,
                    url,
                    clock,
                })
            }
            DbUrl::Sqlite(_) => {
                let file = url.sqlite_file();
                if let Some(file) = file {
                    make_folder_of(file)?;
                    // Personal data goes in here: 0600 before SQLite creates it (its -wal and
                    // -shm files take the same permissions).
                    crate::data_dir::private_file(file)?;
                }
                let mut writer_conn = Manager(url.clone()).establish()?;
                // Checkpoints run on their own thread (see `group_commit`).
                writer_conn.batch_execute("PRAGMA wal_autocheckpoint = 0")?;
                let checkpoints = Manager(url.clone()).establish()?;
                let reader = Pool::builder()
                    .max_size(SQLITE_READERS)
                    .min_idle(Some(1))
                    .test_on_check_out(false)
                    .connection_timeout(timeout)
                    .build(Manager(url.clone()))?;
                let wal = file.map(|f| {
                    let mut p = f.as_os_str().to_owned();
                    p.push("-wal");
                    std::path::PathBuf::from(p)
                });
                let group = Some(group_commit::GroupWriter::start(writer_conn, checkpoints, wal));
                let side = Pool::builder()
                    .max_size(1)
                    .min_idle(Some(0))
                    .test_on_check_out(false)
                    .connection_timeout(timeout)
                    .build(Manager(url.clone()))?;
                Ok(Db {
                    reader,
                    permits: Arc::new(Semaphore::new(SQLITE_READERS as usize)),
                    writer: Some(side),
                    group,
                    backend: Backend::Sqlite,
                    url,
                    clock,
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn clock(&self) -> &crate::clock::Clock {
        &self.clock
    }

    /// `f`, to run under the app's clock wherever it ends up running.
    fn timed<T, F>(&self, f: F) -> impl FnOnce(&mut AnyConnection) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> AppResult<T>,
    {
        let clock = self.clock.clone();
        move |c| clock.run(|| f(c))
    }

    /// Runs `f` on a reader connection, off the async runtime.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        let permit = self.permit().await?;
        let pool = self.reader.clone();
        let f = self.timed(f);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            pool.get()?.run(f)
        })
        .await?
    }

    /// A turn at a pooled connection, in the order asked for (see `permits`).
    async fn permit(&self) -> AppResult<OwnedSemaphorePermit> {
        match tokio::time::timeout(CONNECTION_TIMEOUT, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::Unavailable {
                detail: "every database connection is busy; try again".into(),
            }),
        }
    }

    /// Runs a point read (a few rows by key) — on SQLite right here on the calling thread when
    /// a reader is free, otherwise like `read`.
    ///
    /// Why: an indexed SQLite read takes microseconds, less than handing it to a blocking thread
    /// and back; on the hot paths (every authenticated request checks its session) the hand-offs,
    /// not the reads, used up the CPU. Only for reads that touch a handful of rows by key: a long
    /// read here would hold up the other requests of this runtime thread.
    pub async fn lookup<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        if self.backend == Backend::Sqlite {
            if let Some(mut conn) = self.reader.try_get() {
                return conn.run(self.timed(f));
            }
        }
        self.read(f).await
    }

    /// Runs `f` in one write transaction, off the async runtime (BEGIN IMMEDIATE on SQLite, so a
    /// read-then-write cannot fail with SQLITE_BUSY halfway).
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        let f = self.timed(f);
        match (&self.group, &self.writer) {
            (Some(g), _) => g.write(f).await,
            (None, _) => {
                let permit = self.permit().await?;
                let db = self.clone();
                tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    db.write_wait(f)
                })
                .await?
            }
        }
    }

    /// Runs one command: a change of state in one write transaction whose closure authorizes,
    /// loads, applies the domain's transition and saves, recording its audit events on the
    /// trail; the events are appended in the same transaction as it commits, and a command that
    /// recorded none is refused. Handlers change state only through here.
    pub async fn command<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection, &mut audit::Trail) -> AppResult<T> + Send + 'static,
    {
        let (out, published) = self
            .write(move |c| {
                let mut trail = audit::Trail::default();
                let out = f(c, &mut trail)?;
                Ok((out, trail.commit(c)?))
            })
            .await?;
        if published {
            webhooks::WAKE.notify_one();
            notices::WAKE.notify_one();
        }
        Ok(out)
    }

    /// `command` for the command line and tests, outside the async runtime.
    pub fn command_blocking<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &mut audit::Trail) -> AppResult<T>,
    ) -> AppResult<T> {
        let (out, published) = self.write_blocking(|c| {
            let mut trail = audit::Trail::default();
            let out = f(c, &mut trail)?;
            Ok((out, trail.commit(c)?))
        })?;
        if published {
            webhooks::WAKE.notify_one();
            notices::WAKE.notify_one();
        }
        Ok(out)
    }

    /// `write` for a thread of our own outside the async runtime (the batch writers): on SQLite
    /// it goes through the writer thread like any request's write.
    pub fn write_wait<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        let f = self.timed(f);
        match (&self.group, &self.writer) {
            (Some(g), _) => g.write_wait(f),
            (None, Some(pool)) => pool.get()?.run(|c| in_transaction(c, f)),
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
        pool.get()?.run(|c| in_transaction(c, self.timed(f)))
    }

    /// The blocking form of `read`.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut AnyConnection) -> AppResult<T>) -> AppResult<T> {
        self.reader.get()?.run(self.timed(f))
    }

    /// The pools as they stand, for the metrics: (name, open, idle, most). On PostgreSQL one
    /// pool serves reads and writes; on SQLite the readers' (the writer is one thread).
    pub fn pool_states(&self) -> Vec<(&'static str, u32, u32, u32)> {
        let st = self.reader.state();
        let name = if self.backend == Backend::Postgres {
            "postgres"
        } else {
            "sqlite_readers"
        };
        vec![(name, st.connections, st.idle_connections, self.reader.max_size())]
    }

    /// A fresh connection outside the pools and the writer: migrations and tests only.
    pub fn raw_connection(&self) -> AppResult<AnyConnection> {
        Manager(self.url.clone())
            .establish()
            .map_err(|e| AppError::Unavailable {
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
            Err(AppError::Internal(format!(
                "panic in transaction: {}",
                panic_text(&panic)
            )))
        }
    }
}

/// The message of a caught panic, for the error that replaces it.
fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

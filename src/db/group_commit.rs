//! SQLite's writer: one thread owns the one write connection and commits the writes that arrive
//! together in one transaction (group commit), each inside its own savepoint so that one write's
//! failure does not undo the others. Callers get their result only after the COMMIT succeeded.
//!
//! Why: SQLite has one writer at a time anyway. Handing each write to a pool of one connection
//! from a blocking thread costs a thread hand-off, a lock and a BEGIN/COMMIT per request; at the
//! close of a vote (thousands of ballots a second) that overhead, not the inserts, is the limit.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use diesel::Connection;

use super::{begin, commit, panic_text, rollback, AnyConnection};
use crate::error::{AppError, AppResult};

/// Runs one write inside the batch's transaction and returns what to do once the batch's fate
/// is known (commit error or not).
type Job = Box<dyn FnOnce(&mut AnyConnection) -> Box<dyn FnOnce(Option<&AppError>) + Send> + Send>;

/// Most writes committed together.
const MAX_BATCH: usize = 256;

#[derive(Clone)]
pub struct GroupWriter {
    jobs: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Starts the writer thread on `conn`, and the checkpointer on `checkpoints`; they stop when
    /// every handle is dropped.
    /// `wal`: the path of the database's write-ahead log, watched to keep it bounded.
    pub fn start(mut conn: AnyConnection, checkpoints: AnyConnection, wal: Option<std::path::PathBuf>) -> GroupWriter {
        let (tx, rx) = mpsc::channel::<Job>();
        let bounding = Arc::new(AtomicBool::new(false));
        let alive = start_checkpointer(checkpoints, bounding.clone());
        std::thread::Builder::new()
            .name("redprop-sqlite-writer".into())
            .spawn(move || {
                let _alive = alive;
                let mut bound = WalBound { wal, bounding };
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(j) => batch.push(j),
                            Err(_) => break,
                        }
                    }
                    run_batch(&mut conn, batch);
                    bound.keep(&mut conn);
                }
            })
            .expect("spawning the SQLite writer thread");
        GroupWriter { jobs: tx }
    }

    /// Queues `f` and returns a receiver of its result (after commit).
    fn submit<T, F>(&self, f: F) -> AppResult<tokio::sync::oneshot::Receiver<AppResult<T>>>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // A savepoint per write: its failure rolls back only itself.
            let outcome = catch_unwind(AssertUnwindSafe(|| conn.transaction::<T, AppError, _>(f)));
            let result: AppResult<T> = match outcome {
                Ok(r) => r,
                Err(panic) => Err(AppError::Internal(format!("panic in write: {}", panic_text(&panic)))),
            };
            Box::new(move |commit_error: Option<&AppError>| {
                let _ = tx.send(match (commit_error, result) {
                    (Some(e), Ok(_)) => Err(AppError::Internal(format!("commit failed: {e}"))),
                    (_, r) => r,
                });
            })
        });
        self.jobs.send(job).map_err(|_| AppError::Unavailable {
            detail: "the database writer has stopped".into(),
        })?;
        Ok(rx)
    }

    /// `write` for a thread outside the async runtime.
    pub fn write_wait<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        self.submit(f)?
            .blocking_recv()
            .map_err(|_| AppError::Internal("the database writer dropped a write".into()))?
    }

    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        self.submit(f)?
            .await
            .map_err(|_| AppError::Internal("the database writer dropped a write".into()))?
    }
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// The size of the WAL past which the writer restarts it (and cuts the file back, see
/// `journal_size_limit` in `SQLITE_PRAGMAS`).
pub const WAL_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// Copies the WAL back into the database on a thread of its own (PASSIVE: beside the writer and
/// the readers, never waiting for them); the writer connection has automatic checkpoints off.
/// It stands aside while `bounding` is set: SQLite runs one checkpoint at a time, and the
/// writer's bounding checkpoint must not find this one in its way.
///
/// Why: an automatic checkpoint runs inside the COMMIT of whichever write crosses the threshold,
/// so every few hundred milliseconds under load one batch (and every request queued behind it)
/// waited for megabytes to be copied and synced.
///
/// A passive checkpoint alone does not bound the log: the log starts again from its beginning
/// only when a checkpoint has copied all of it, and under continuous writes it never catches up
/// with the writer (ten seconds of ballots left a WAL of a gigabyte; a bulk import 2.6 GB), so
/// `WalBound` does the rest on the writer's thread.
fn start_checkpointer(mut conn: AnyConnection, bounding: Arc<AtomicBool>) -> mpsc::Sender<()> {
    use diesel::connection::SimpleConnection;
    let (alive, stop) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("redprop-sqlite-checkpoint".into())
        .spawn(move || loop {
            let last = matches!(stop.recv_timeout(CHECKPOINT_EVERY), Err(RecvTimeoutError::Disconnected));
            if bounding.load(Ordering::Acquire) && !last {
                continue;
            }
            if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
            }
            if last {
                break;
            }
        })
        .expect("spawning the SQLite checkpointer thread");
    alive
}

/// Keeps the WAL under `WAL_LIMIT_BYTES`. Once it passes half of that, the writer itself, between
/// two batches, runs a TRUNCATE checkpoint: being the one writer it never waits for a writer, and
/// with the passive checkpointer standing aside (`bounding`) it never finds another checkpoint
/// running. It copies what the passive checkpoints have not yet, waits (at most `READERS_WAIT`)
/// for readers of older snapshots to finish (readers that start meanwhile read the database file,
/// the log being all copied) and empties the log. If readers keep it from finishing it tries
/// again after the next batch, with little left to copy.
struct WalBound {
    wal: Option<std::path::PathBuf>,
    bounding: Arc<AtomicBool>,
}

/// Longest a bounding checkpoint waits for readers, while writes wait behind it.
const READERS_WAIT: Duration = Duration::from_millis(50);

#[derive(diesel::QueryableByName)]
struct CheckpointOutcome {
    /// 1 when the checkpoint could not finish (a reader still on the log).
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

impl WalBound {
    fn keep(&mut self, conn: &mut AnyConnection) {
        use diesel::connection::SimpleConnection;
        use diesel::RunQueryDsl;
        let over = self
            .wal
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| m.len() > WAL_LIMIT_BYTES / 2);
        if !over {
            self.bounding.store(false, Ordering::Release);
            return;
        }
        self.bounding.store(true, Ordering::Release);
        let wait = format!("PRAGMA busy_timeout = {}", READERS_WAIT.as_millis());
        let outcome = conn.batch_execute(&wait).map_err(AppError::from).and_then(|()| {
            let r = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
                .get_result::<CheckpointOutcome>(conn)
                .map_err(AppError::from);
            // The writer's own waits for the database stay what they were.
            conn.batch_execute(super::SQLITE_BUSY_TIMEOUT)?;
            r
        });
        match outcome {
            Ok(o) if o.busy == 0 => self.bounding.store(false, Ordering::Release),
            // A reader, or the passive checkpoint still finishing: again after the next batch.
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "the WAL could not be emptied yet; again after the next batch"),
        }
    }
}

fn run_batch(conn: &mut AnyConnection, batch: Vec<Job>) {
    if let Err(e) = begin(conn) {
        // Dropping the jobs closes their reply channels: each caller gets an error.
        tracing::error!(error = %e, "cannot begin a write transaction");
        drop(batch);
        return;
    }
    let finishers: Vec<_> = batch.into_iter().map(|job| job(conn)).collect();
    let commit_error = match commit(conn) {
        Ok(()) => None,
        Err(e) => {
            let _ = rollback(conn);
            Some(AppError::from(e))
        }
    };
    for finish in finishers {
        finish(commit_error.as_ref());
    }
}

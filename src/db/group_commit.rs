//! SQLite's writer: one thread owns the one write connection and commits the writes that arrive
//! together in one transaction (group commit), each inside its own savepoint so that one write's
//! failure does not undo the others. Callers get their result only after the COMMIT succeeded.
//!
//! Why: SQLite has one writer at a time anyway. Handing each write to a pool of one connection
//! from a blocking thread costs a thread hand-off, a lock and a BEGIN/COMMIT per request; at the
//! close of a vote (thousands of ballots a second) that overhead, not the inserts, is the limit.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
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
        let alive = start_checkpointer(checkpoints, wal);
        std::thread::Builder::new()
            .name("redprop-sqlite-writer".into())
            .spawn(move || {
                let _alive = alive;
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(j) => batch.push(j),
                            Err(_) => break,
                        }
                    }
                    run_batch(&mut conn, batch);
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

/// The size of the WAL past which a checkpoint waits for readers to move on, so that it
/// completes and the log starts again from its beginning (and is cut back to this size, see
/// `journal_size_limit` in `SQLITE_PRAGMAS`).
pub const WAL_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// Copies the WAL back into the database on a thread of its own; the writer connection has
/// automatic checkpoints turned off.
///
/// Why: an automatic checkpoint runs inside the COMMIT of whichever write crosses the threshold,
/// so every few hundred milliseconds under load one batch (and every request queued behind it)
/// waited for megabytes to be copied and synced. A PASSIVE checkpoint on another connection runs
/// beside the writer instead of in its way.
///
/// A PASSIVE checkpoint never waits for a reader, so under reads that never pause it stops short
/// of the log's end every time; the log is then never started again and grows without bound (a
/// bulk import left 2.6 GB beside a 0.7 GB database, and writes slowed as it grew). Once the log
/// passes `WAL_LIMIT_BYTES`, a TRUNCATE checkpoint waits (at most its busy timeout) for the
/// readers of older snapshots to finish, copies everything back and empties the log. Writers wait
/// behind it for that moment: milliseconds, once per 64 MiB written. Returns the sender whose
/// drop stops the thread.
fn start_checkpointer(mut conn: AnyConnection, wal: Option<std::path::PathBuf>) -> mpsc::Sender<()> {
    use diesel::connection::SimpleConnection;
    let (alive, stop) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("redprop-sqlite-checkpoint".into())
        .spawn(move || loop {
            let last = matches!(stop.recv_timeout(CHECKPOINT_EVERY), Err(RecvTimeoutError::Disconnected));
            let over = wal
                .as_ref()
                .and_then(|p| std::fs::metadata(p).ok())
                .is_some_and(|m| m.len() > WAL_LIMIT_BYTES);
            let mode = if over { "TRUNCATE" } else { "PASSIVE" };
            if let Err(e) = conn.batch_execute(&format!("PRAGMA wal_checkpoint({mode})")) {
                tracing::warn!(error = %e, mode, "WAL checkpoint failed; will retry");
            }
            if last {
                break;
            }
        })
        .expect("spawning the SQLite checkpointer thread");
    alive
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

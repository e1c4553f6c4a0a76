//! Batched writes: many requests' writes of one kind, written together by a few multi-row
//! statements in one transaction.
//!
//! Why: at the close of a vote thousands of owners cast ballots a second. Written one by one,
//! each ballot costs a transaction and several statements — on PostgreSQL each statement is a
//! round trip, on SQLite each commit rewrites the same index pages. Collected while the previous
//! batch is being written, a batch costs the same handful of statements whether it holds one
//! ballot or two hundred, so the busier it gets the cheaper each write becomes.
//!
//! Each worker thread has one batch in flight; what arrives meanwhile forms the next. A caller gets its own
//! result only after the batch's transaction committed. If a batch fails as a whole, each of its
//! items is retried in a transaction of its own, so that one bad item cannot fail the others.

use std::sync::{mpsc, Arc, Mutex};

use super::{AnyConnection, Db};
use crate::error::{AppError, AppResult};

/// Writes (or reads) a batch; returns one result per item, in order. An `Err` of the whole fails the batch
/// (and triggers the one-by-one retry); per-item refusals go in the item's own result.
pub type WriteBatch<I, O> = fn(&mut AnyConnection, &[I]) -> AppResult<Vec<AppResult<O>>>;

type Reply<O> = tokio::sync::oneshot::Sender<AppResult<O>>;

pub struct Batcher<I, O> {
    queue: mpsc::Sender<(I, Reply<O>)>,
    /// Its queue and batch sizes in the metrics (`ballots`, `survey`).
    metrics: Arc<crate::metrics::Writer>,
}

impl<I, O> Clone for Batcher<I, O> {
    fn clone(&self) -> Self {
        Batcher {
            queue: self.queue.clone(),
            metrics: Arc::clone(&self.metrics),
        }
    }
}

impl<I, O> Batcher<I, O>
where
    I: Send + Sync + 'static,
    O: Send + 'static,
{
    /// Starts batching writes on `workers` threads; they stop when every handle is dropped.
    pub fn start(name: &str, db: Db, workers: usize, max_batch: usize, write: WriteBatch<I, O>) -> Batcher<I, O> {
        Self::spawn(name, db, workers, max_batch, Mode::Write, write)
    }

    /// Starts batching reads: `read` runs on a reader connection, outside any transaction.
    pub fn start_reads(name: &str, db: Db, workers: usize, max_batch: usize, read: WriteBatch<I, O>) -> Batcher<I, O> {
        Self::spawn(name, db, workers, max_batch, Mode::Read, read)
    }

    fn spawn(
        name: &str,
        db: Db,
        workers: usize,
        max_batch: usize,
        mode: Mode,
        write: WriteBatch<I, O>,
    ) -> Batcher<I, O> {
        let (queue, incoming) = mpsc::channel::<(I, Reply<O>)>();
        // Several workers keep several batches in flight: while one waits for its commit to
        // reach the disk, the next is already being written.
        let incoming = Arc::new(Mutex::new(incoming));
        let metrics = crate::metrics::writer(name.trim_start_matches("redprop-"));
        for n in 0..workers.max(1) {
            let (db, incoming, metrics) = (db.clone(), Arc::clone(&incoming), Arc::clone(&metrics));
            std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || {
                    while let Some(batch) = next_batch(&incoming, max_batch) {
                        metrics.taken(batch.len());
                        let (items, replies): (Vec<I>, Vec<Reply<O>>) = batch.into_iter().unzip();
                        for (reply, result) in replies.into_iter().zip(run(&db, mode, write, items)) {
                            let _ = reply.send(result);
                        }
                    }
                })
                .expect("spawning a batch writer thread");
        }
        Batcher { queue, metrics }
    }

    /// Queues `item` and waits until its batch is committed.
    pub async fn submit(&self, item: I) -> AppResult<O> {
        let (reply, result) = tokio::sync::oneshot::channel();
        self.metrics.queued();
        self.queue.send((item, reply)).map_err(|_| AppError::Unavailable {
            detail: "the batch writer has stopped".into(),
        })?;
        result
            .await
            .map_err(|_| AppError::Internal("the batch writer dropped a write".into()))?
    }
}

/// Waits for the next item and takes what else is queued, up to `max`; `None` once every handle
/// is dropped.
fn next_batch<T>(incoming: &Mutex<mpsc::Receiver<T>>, max: usize) -> Option<Vec<T>> {
    let incoming = incoming.lock().unwrap_or_else(|p| p.into_inner());
    let mut batch = vec![incoming.recv().ok()?];
    while batch.len() < max {
        match incoming.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
    Some(batch)
}

#[derive(Clone, Copy)]
enum Mode {
    Read,
    Write,
}

/// Runs `f` as this mode says: in a write transaction, or on a reader.
fn on_db<T, F>(db: &Db, mode: Mode, f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
{
    match mode {
        Mode::Write => db.write_wait(f),
        Mode::Read => db.read_blocking(f),
    }
}

/// Runs the batch; on failure of the whole, each item alone.
fn run<I, O>(db: &Db, mode: Mode, write: WriteBatch<I, O>, items: Vec<I>) -> Vec<AppResult<O>>
where
    I: Send + Sync + 'static,
    O: Send + 'static,
{
    let items = Arc::new(items);
    let n = items.len();
    let all = Arc::clone(&items);
    match on_db(db, mode, move |c| write(c, &all)) {
        Ok(results) if results.len() == n => return results,
        // Committed, but the answers cannot be matched to the items: a bug, never retried.
        Ok(_) => {
            return (0..n)
                .map(|_| Err(AppError::Internal("batch result count".into())))
                .collect()
        }
        Err(e) if n == 1 => return vec![Err(e)],
        Err(e) => tracing::warn!(error = %e, items = n, "a batch write failed; retrying one by one"),
    }
    (0..n)
        .map(|i| {
            let items = Arc::clone(&items);
            on_db(db, mode, move |c| write(c, &items[i..=i]))
                .and_then(|mut r| r.pop().unwrap_or_else(|| Err(AppError::Internal("no result".into()))))
        })
        .collect()
}

/// A point read asked by many concurrent requests: on PostgreSQL the questions that arrive
/// while the previous query runs are put to the database together (one round trip for all —
/// under load the per-request round trip, not the query, is the cost); on SQLite an inline
/// read is cheaper than any hand-off. Nothing is cached: every answer is the database's now.
pub struct Lookup<I, O> {
    db: Db,
    read: WriteBatch<I, O>,
    batched: Option<Batcher<I, O>>,
}

impl<I, O> Clone for Lookup<I, O> {
    fn clone(&self) -> Self {
        Lookup {
            db: self.db.clone(),
            read: self.read,
            batched: self.batched.clone(),
        }
    }
}

impl<I, O> Lookup<I, O>
where
    I: Send + Sync + 'static,
    O: Send + 'static,
{
    pub fn start(name: &str, db: Db, read: WriteBatch<I, O>) -> Lookup<I, O> {
        let batched =
            (db.backend() == super::Backend::Postgres).then(|| Batcher::start_reads(name, db.clone(), 1, 256, read));
        Lookup { db, read, batched }
    }

    /// The answer for `item`.
    pub async fn get(&self, item: I) -> AppResult<O> {
        match &self.batched {
            Some(b) => b.submit(item).await,
            None => {
                let read = self.read;
                self.db
                    .lookup(move |c| {
                        read(c, std::slice::from_ref(&item))?
                            .pop()
                            .unwrap_or_else(|| Err(AppError::Internal("no result".into())))
                    })
                    .await
            }
        }
    }
}

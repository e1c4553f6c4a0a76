//! Password hashing for requests: the one place where anyone, without an account, can make the
//! server spend CPU and memory (an Argon2 hash takes ~19 MiB and tens of milliseconds). So:
//! - a fixed pool of worker threads (about one per core) does all of it; each thread keeps its
//!   Argon2 work area and reuses it, so memory stays at workers × 19 MiB however many requests
//!   come, and nothing is left for the allocator to hold on to afterwards;
//! - a request takes a worker when one is free, else it queues (at most `MAX_WAIT`, then 503
//!   with `Retry-After`); a worker that finishes hands itself to the next request in line at
//!   once, so the workers never idle while anyone waits;
//! - the line is fair between source addresses: each source has its own queue and the free
//!   worker goes to the sources in turn. A lone source uses every worker; a login from another
//!   source waits for one hash to finish, however many a flood has queued. A source may queue
//!   only `MAX_QUEUED_PER_SOURCE`, and the whole line is bounded too.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::crypto;
use crate::error::{AppError, AppResult};

/// How long a request may wait for a worker before it is told to come back.
const MAX_WAIT: Duration = Duration::from_millis(1500);
/// Requests one source may have waiting (beyond those being hashed).
const MAX_QUEUED_PER_SOURCE: usize = 16;
/// Requests waiting in all.
const MAX_QUEUED: usize = 256;

enum Work {
    Hash(String),
    /// Verify against a stored hash; `None` verifies against a dummy hash (an unknown username
    /// takes as long as a known one).
    Verify(Option<String>, String),
}

struct Job {
    work: Work,
    done: oneshot::Sender<Done>,
    /// The worker's place, given back (to the next in line) when the job is finished.
    _slot: Slot,
}

enum Done {
    Hashed(String),
    Verified(bool),
}

/// Who waits for a worker, and which workers are free.
#[derive(Default)]
struct Line {
    free: usize,
    /// Sources with requests waiting, in the order their turn comes.
    turns: VecDeque<String>,
    /// Each waiting source's requests, oldest first: (ticket, where to send the worker).
    waiting: HashMap<String, VecDeque<(u64, oneshot::Sender<Slot>)>>,
    queued: usize,
    next_ticket: u64,
}

pub struct Passwords {
    jobs: SyncSender<Job>,
    line: Arc<Mutex<Line>>,
}

/// A worker's place: held from the moment a request is given a worker until its job is done;
/// dropping it hands the worker to the next source in turn.
struct Slot {
    line: Arc<Mutex<Line>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut line = self.line.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let Some(source) = line.turns.pop_front() else {
                line.free += 1;
                return;
            };
            let (next, more) = match line.waiting.get_mut(&source) {
                Some(q) => (q.pop_front(), !q.is_empty()),
                None => (None, false),
            };
            if more {
                line.turns.push_back(source);
            } else {
                line.waiting.remove(&source);
            }
            let Some((_, to)) = next else { continue };
            line.queued -= 1;
            // Handed over under the lock: a waiter that gives up takes the lock first and finds
            // itself gone from the line, so it knows the worker is its own.
            match to.send(Slot {
                line: self.line.clone(),
            }) {
                Ok(()) => return,
                // That request was dropped (its client went away): the next one. The slot that
                // came back is this same worker, still being handed on: dropping it here would
                // hand it on again (and take this lock twice).
                Err(same) => std::mem::forget(same),
            }
        }
    }
}

fn busy() -> AppError {
    AppError::Busy {
        retry_after_secs: 1,
        detail: "the server is busy checking passwords; retry in a moment".into(),
    }
}

impl Passwords {
    /// Starts `workers` hashing threads (at least one).
    pub fn start(workers: usize) -> Arc<Passwords> {
        let workers = workers.max(1);
        let (jobs, rx) = sync_channel::<Job>(workers);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("redprop-passwords-{i}"))
                .spawn(move || work(&rx))
                .expect("a hashing thread starts");
        }
        Arc::new(Passwords {
            jobs,
            line: Arc::new(Mutex::new(Line {
                free: workers,
                ..Line::default()
            })),
        })
    }

    /// One worker per core, up to four.
    pub fn for_this_machine() -> Arc<Passwords> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Passwords::start(cores.min(4))
    }

    pub async fn hash(&self, source: &str, password: &str) -> AppResult<String> {
        match self.run(source, Work::Hash(password.to_string())).await? {
            Done::Hashed(h) => Ok(h),
            Done::Verified(_) => Err(AppError::Internal("hashing answered a verification".into())),
        }
    }

    /// Whether `password` matches `stored` (`None`: no account; spends the same time, says no).
    pub async fn verify(&self, source: &str, stored: Option<String>, password: &str) -> AppResult<bool> {
        match self.run(source, Work::Verify(stored, password.to_string())).await? {
            Done::Verified(ok) => Ok(ok),
            Done::Hashed(_) => Err(AppError::Internal("verification answered a hash".into())),
        }
    }

    async fn run(&self, source: &str, work: Work) -> AppResult<Done> {
        let slot = self.take_turn(source).await?;
        let (done, answer) = oneshot::channel();
        // A job is sent only with a worker's slot and the queue has a place per worker: never
        // blocks.
        self.jobs
            .try_send(Job {
                work,
                done,
                _slot: slot,
            })
            .map_err(|_| AppError::Internal("the hashing queue is full or closed".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("a hashing thread stopped".into()))
    }

    /// A free worker now, or the one handed over when this source's turn comes (within
    /// `MAX_WAIT`).
    async fn take_turn(&self, source: &str) -> AppResult<Slot> {
        let (to, mut handed) = oneshot::channel();
        let ticket = {
            let mut line = self.line.lock().unwrap_or_else(|e| e.into_inner());
            if line.free > 0 && line.turns.is_empty() {
                line.free -= 1;
                return Ok(Slot {
                    line: self.line.clone(),
                });
            }
            let mine = line.waiting.get(source).map_or(0, VecDeque::len);
            if mine >= MAX_QUEUED_PER_SOURCE || line.queued >= MAX_QUEUED {
                return Err(busy());
            }
            let ticket = line.next_ticket;
            line.next_ticket += 1;
            line.queued += 1;
            if mine == 0 {
                line.turns.push_back(source.to_string());
            }
            line.waiting
                .entry(source.to_string())
                .or_default()
                .push_back((ticket, to));
            ticket
        };
        if let Ok(Ok(slot)) = tokio::time::timeout(MAX_WAIT, &mut handed).await {
            return Ok(slot);
        }
        let mut line = self.line.lock().unwrap_or_else(|e| e.into_inner());
        let still_waiting = line
            .waiting
            .get(source)
            .and_then(|q| q.iter().position(|(t, _)| *t == ticket));
        match still_waiting {
            Some(i) => {
                let q = line.waiting.get_mut(source).expect("looked up above");
                q.remove(i);
                if q.is_empty() {
                    line.waiting.remove(source);
                    line.turns.retain(|s| s != source);
                }
                line.queued -= 1;
                Err(busy())
            }
            // Handed a worker as the wait ran out: it is in `handed` already.
            None => {
                drop(line);
                handed.try_recv().map_err(|_| busy())
            }
        }
    }
}

fn work(rx: &Mutex<Receiver<Job>>) {
    let mut memory = Vec::new();
    loop {
        let job = {
            let rx = rx.lock().unwrap_or_else(|e| e.into_inner());
            match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            }
        };
        let Job {
            work,
            done: answer,
            _slot: slot,
        } = job;
        let done = match work {
            Work::Hash(p) => Done::Hashed(crypto::hash_password_with(&mut memory, &p)),
            Work::Verify(stored, p) => {
                let h = stored.as_deref().unwrap_or(crypto::dummy_hash());
                let ok = crypto::verify_password_with(&mut memory, h, &p);
                Done::Verified(ok && stored.is_some())
            }
        };
        // The worker goes to the next in line before this answer goes out.
        drop(slot);
        let _ = answer.send(done);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_verify_and_sources_take_turns() {
        let p = Passwords::start(2);
        let h = p.hash("a", "correct horse battery").await.unwrap();
        assert!(p.verify("a", Some(h.clone()), "correct horse battery").await.unwrap());
        assert!(!p.verify("a", Some(h), "wrong horse battery").await.unwrap());
        assert!(!p.verify("a", None, "anything at all").await.unwrap());
        let line = p.line.lock().unwrap();
        assert_eq!((line.free, line.queued, line.turns.len()), (2, 0, 0));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn another_source_goes_next_not_last() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        // One worker: the order of completion is the order the worker was handed on.
        let p = Passwords::start(1);
        let finished = Arc::new(AtomicUsize::new(0));
        let flood: Vec<_> = (0..6)
            .map(|i| {
                let (p, finished) = (p.clone(), finished.clone());
                tokio::spawn(async move {
                    if p.verify("flood", None, &format!("x-password-{i:04}")).await.is_ok() {
                        finished.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        // Let the flood take the worker and queue behind it.
        while p.line.lock().unwrap().queued < 5 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        p.verify("other", None, "y-password-0001").await.unwrap();
        // The flood's first (being hashed) and second (its turn came first) went before it.
        assert!(
            finished.load(Ordering::SeqCst) <= 2,
            "{}",
            finished.load(Ordering::SeqCst)
        );
        for f in flood {
            f.await.unwrap();
        }
        let line = p.line.lock().unwrap();
        assert_eq!((line.free, line.queued, line.turns.len()), (1, 0, 0));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiter_that_went_away_is_passed_over() {
        let p = Passwords::start(1);
        let busy = {
            let p = p.clone();
            tokio::spawn(async move { p.verify("a", None, "x-password-0001").await })
        };
        while p.line.lock().unwrap().free > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // A request that queues and is dropped (its client went away) before its turn.
        let gone = {
            let p = p.clone();
            tokio::spawn(async move { p.verify("b", None, "x-password-0002").await })
        };
        while p.line.lock().unwrap().queued < 1 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        gone.abort();
        let _ = gone.await;
        busy.await.unwrap().unwrap();
        // The worker was not lost to it: the next request is served.
        p.verify("c", None, "x-password-0003").await.unwrap();
        let line = p.line.lock().unwrap();
        assert_eq!((line.free, line.queued), (1, 0));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_source_that_queues_too_much_is_told_to_come_back() {
        let p = Passwords::start(1);
        let all: Vec<_> = (0..MAX_QUEUED_PER_SOURCE + 4)
            .map(|i| {
                let p = p.clone();
                tokio::spawn(async move { p.verify("one", None, &format!("z-password-{i:04}")).await })
            })
            .collect();
        let mut refused = 0;
        for r in all {
            if matches!(r.await.unwrap(), Err(AppError::Busy { .. })) {
                refused += 1;
            }
        }
        assert!(refused >= 3, "{refused}");
        let line = p.line.lock().unwrap();
        assert_eq!((line.free, line.queued), (1, 0));
    }
}

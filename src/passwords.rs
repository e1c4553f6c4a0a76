//! Password hashing for requests: the one place where anyone, without an account, can make the
//! server spend CPU and memory (an Argon2 hash takes ~19 MiB and tens of milliseconds). So:
//! - a fixed pool of worker threads (about one per core) does all of it; each thread keeps its
//!   Argon2 work area and reuses it, so memory stays at workers × 19 MiB however many requests
//!   come, and nothing is left for the allocator to hold on to afterwards;
//! - at most as many hashes as workers are in progress; a request waits briefly for its turn and
//!   then gets 503 with `Retry-After`;
//! - one source address may have only a share of the workers (one on a two-core machine), so a
//!   flood from one address cannot keep a login from another address waiting.

use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{oneshot, Semaphore};

use crate::crypto;
use crate::error::{AppError, AppResult};

/// How long a request may wait for a worker before it is told to come back.
const MAX_WAIT: Duration = Duration::from_millis(1500);

enum Work {
    Hash(String),
    /// Verify against a stored hash; `None` verifies against a dummy hash (an unknown username
    /// takes as long as a known one).
    Verify(Option<String>, String),
}

struct Job {
    work: Work,
    done: oneshot::Sender<Done>,
}

enum Done {
    Hashed(String),
    Verified(bool),
}

pub struct Passwords {
    jobs: SyncSender<Job>,
    slots: Semaphore,
    per_source_limit: usize,
    in_flight: Mutex<HashMap<String, usize>>,
}

/// A source's place among the requests in flight; given back on drop.
struct Turn<'a> {
    passwords: &'a Passwords,
    source: String,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut m = self.passwords.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get_mut(&self.source) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.source);
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
            slots: Semaphore::new(workers),
            per_source_limit: (workers - 1).max(1),
            in_flight: Mutex::new(HashMap::new()),
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
        let deadline = Instant::now() + MAX_WAIT;
        let _turn = self.take_turn(source, deadline).await?;
        let left = deadline.saturating_duration_since(Instant::now());
        let _slot = tokio::time::timeout(left, self.slots.acquire())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let (done, answer) = oneshot::channel();
        // A slot is held per job and there are as many queue places as slots: never blocks.
        self.jobs
            .try_send(Job { work, done })
            .map_err(|_| AppError::Internal("the hashing queue is full or closed".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("a hashing thread stopped".into()))
    }

    async fn take_turn(&self, source: &str, deadline: Instant) -> AppResult<Turn<'_>> {
        loop {
            {
                let mut m = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
                let n = m.entry(source.to_string()).or_insert(0);
                if *n < self.per_source_limit {
                    *n += 1;
                    return Ok(Turn {
                        passwords: self,
                        source: source.to_string(),
                    });
                }
            }
            if Instant::now() >= deadline {
                return Err(busy());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
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
        let done = match job.work {
            Work::Hash(p) => Done::Hashed(crypto::hash_password_with(&mut memory, &p)),
            Work::Verify(stored, p) => {
                let h = stored.as_deref().unwrap_or(crypto::dummy_hash());
                let ok = crypto::verify_password_with(&mut memory, h, &p);
                Done::Verified(ok && stored.is_some())
            }
        };
        let _ = job.done.send(done);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_verify_and_one_source_waits_its_turn() {
        let p = Passwords::start(2);
        let h = p.hash("a", "correct horse battery").await.unwrap();
        assert!(p.verify("a", Some(h.clone()), "correct horse battery").await.unwrap());
        assert!(!p.verify("a", Some(h), "wrong horse battery").await.unwrap());
        assert!(!p.verify("a", None, "anything at all").await.unwrap());
        // One source gets one worker at a time; another source is not held up by it.
        let started = Instant::now();
        let (a, b, c) = tokio::join!(
            p.verify("flood", None, "x-password-0001"),
            p.verify("flood", None, "x-password-0002"),
            p.verify("other", None, "x-password-0003"),
        );
        assert!(a.is_ok() && b.is_ok() && c.is_ok());
        assert!(started.elapsed() < MAX_WAIT);
    }
}

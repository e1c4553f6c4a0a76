//! Benchmark of password hashing (issue 27): does one source use the hashing capacity, and does a
//! login from another source stay quick while one source floods?
//!
//!   cargo bench --bench passwords         (BENCH_SECONDS, default 5 per phase)
//!
//! 1. Capacity: every worker thread verifying back to back with no queue in front (what the
//!    workers can do at most).
//! 2. A lone source: 8 clients at once from one source address through the pool, as one office
//!    activating accounts and logging in would. Target: at least 80% of the capacity.
//! 3. A flood of 32 clients from one source while another source verifies every 100 ms. Target:
//!    the other source's answers within 500 ms, every time.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redprop::passwords::Passwords;

#[path = "support/mod.rs"]
mod support;

fn main() -> anyhow::Result<()> {
    if !support::asked_to_run("passwords") {
        return Ok(());
    }
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let phase = Duration::from_secs(seconds);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let stored = redprop::crypto::hash_password("the-right-password-1");

    // 1. Capacity.
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (done, stored) = (done.clone(), stored.clone());
            std::thread::spawn(move || {
                let mut memory = Vec::new();
                while started.elapsed() < phase {
                    redprop::crypto::verify_password_with(&mut memory, &stored, "a-wrong-password-1");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a hashing thread");
    }
    let capacity = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("capacity: {workers} workers, {capacity:.1} verifications/s");

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        // 2. A lone source.
        let pool = Passwords::start(workers);
        let done = Arc::new(AtomicU64::new(0));
        let refused = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let clients: Vec<_> = (0..8)
            .map(|_| {
                let (pool, done, refused, stored) = (pool.clone(), done.clone(), refused.clone(), stored.clone());
                tokio::spawn(async move {
                    while started.elapsed() < phase {
                        match pool.verify("10.0.0.1", Some(stored.clone()), "a-wrong-password-1").await {
                            Ok(_) => done.fetch_add(1, Ordering::Relaxed),
                            Err(_) => refused.fetch_add(1, Ordering::Relaxed),
                        };
                    }
                })
            })
            .collect();
        for c in clients {
            c.await.expect("a client");
        }
        let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
        let share = 100.0 * rate / capacity;
        println!(
            "one source, 8 clients: {rate:.1} verifications/s = {share:.0}% of capacity ({} refused) — {}",
            refused.load(Ordering::Relaxed),
            if share >= 80.0 { "within target (≥ 80%)" } else { "OUTSIDE TARGET (≥ 80%)" }
        );

        // 3. A flood from one source, and another source's login.
        let stop = Arc::new(AtomicBool::new(false));
        let flood: Vec<_> = (0..32)
            .map(|_| {
                let (pool, stop, stored) = (pool.clone(), stop.clone(), stored.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        if pool.verify("10.0.0.1", Some(stored.clone()), "flood-password-1").await.is_err() {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut latencies = Vec::new();
        let mut failed = 0;
        let started = Instant::now();
        while started.elapsed() < phase {
            let t = Instant::now();
            match pool.verify("10.0.0.2", Some(stored.clone()), "the-right-password-1").await {
                Ok(true) => latencies.push(t.elapsed()),
                _ => failed += 1,
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stop.store(true, Ordering::Relaxed);
        for f in flood {
            f.await.expect("a flooding client");
        }
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
        let worst = latencies.last().map_or(f64::INFINITY, |d| d.as_secs_f64() * 1000.0);
        println!(
            "another source during a 32-client flood: {} logins, median {:.0} ms, p99 {:.0} ms, max {worst:.0} ms, {failed} refused — {}",
            latencies.len(),
            at(0.5),
            at(0.99),
            if worst < 500.0 && failed == 0 { "within target (< 500 ms)" } else { "OUTSIDE TARGET (< 500 ms)" }
        );
    });
    Ok(())
}

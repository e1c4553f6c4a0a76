//! Prometheus metrics (issue 17), in the text exposition format, served on their own address
//! (`REDPROP_METRICS_BIND`; off unless set) so that they are never on the public port.
//!
//! Counted as they happen: requests by operation and status with their latency, batch writers'
//! queues and batch sizes, webhook attempts. Read when scraped: the database pool, audit events
//! waiting to be sealed and how long the oldest has waited, webhook deliveries waiting.
//!
//! Hand-written rather than a metrics crate: a handful of counters and histograms, atomics on
//! the hot path (a read lock to find a request's series, taken for writing only the first time
//! an operation answers a status).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Upper bounds of the batch-size buckets.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// A histogram with fixed buckets (cumulative counts are made when written out).
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    /// Sum of the observations, in millionths.
    sum_micro: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_micro: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    fn observe(&self, v: f64) {
        if let Some(i) = self.bounds.iter().position(|b| v <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.sum_micro.fetch_add((v * 1e6) as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (b, c) in self.bounds.iter().zip(&self.counts) {
            cumulative += c.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = self.sum_micro.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
    }
}

/// A batch writer's queue and batches (its handle is kept by the writer: no lookup per item).
pub struct Writer {
    queued: AtomicI64,
    batches: Histogram,
}

impl Writer {
    /// An item queued.
    pub fn queued(&self) {
        self.queued.fetch_add(1, Ordering::Relaxed);
    }

    /// A batch of `n` items taken from the queue.
    pub fn taken(&self, n: usize) {
        self.queued.fetch_sub(n as i64, Ordering::Relaxed);
        self.batches.observe(n as f64);
    }
}

#[derive(Default)]
struct Registry {
    requests: RwLock<BTreeMap<(&'static str, u16), Arc<Histogram>>>,
    writers: RwLock<BTreeMap<String, Arc<Writer>>>,
    webhook_attempts: RwLock<BTreeMap<&'static str, Arc<AtomicU64>>>,
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::default)
}

/// Finds a series, making it the first time.
fn series<K: Ord + Clone, V>(map: &RwLock<BTreeMap<K, Arc<V>>>, key: &K, make: impl FnOnce() -> V) -> Arc<V> {
    if let Some(v) = map.read().unwrap_or_else(|p| p.into_inner()).get(key) {
        return Arc::clone(v);
    }
    let mut w = map.write().unwrap_or_else(|p| p.into_inner());
    Arc::clone(w.entry(key.clone()).or_insert_with(|| Arc::new(make())))
}

/// One answered request: its operation (`-` for none: a page, an unknown route), status and
/// time taken.
pub fn request(operation: &'static str, status: u16, took: Duration) {
    series(&registry().requests, &(operation, status), || {
        Histogram::new(LATENCY_BUCKETS)
    })
    .observe(took.as_secs_f64());
}

/// The metrics of the batch writer called `name`.
pub fn writer(name: &str) -> Arc<Writer> {
    series(&registry().writers, &name.to_string(), || Writer {
        queued: AtomicI64::new(0),
        batches: Histogram::new(BATCH_BUCKETS),
    })
}

/// A webhook attempt's outcome: `delivered`, `retry` or `failed`.
pub fn webhook_attempt(outcome: &'static str) {
    series(&registry().webhook_attempts, &outcome, || AtomicU64::new(0)).fetch_add(1, Ordering::Relaxed);
}

/// What is read from the database when scraped.
#[derive(Debug, Default)]
pub struct Gauges {
    /// (pool, connections open, of which idle, most allowed)
    pub pools: Vec<(&'static str, u32, u32, u32)>,
    pub audit_unsealed: i64,
    pub audit_oldest_unsealed_secs: f64,
    pub webhook_pending: i64,
    pub webhook_failed: i64,
}

/// Everything, in the Prometheus text format (version 0.0.4).
pub fn render(g: &Gauges) -> String {
    let mut out = String::new();
    let r = registry();
    out.push_str("# HELP redprop_http_request_duration_seconds Time from a request's head to its answer, by operation and status.\n");
    out.push_str("# TYPE redprop_http_request_duration_seconds histogram\n");
    for ((op, status), h) in r.requests.read().unwrap_or_else(|p| p.into_inner()).iter() {
        h.write(
            &mut out,
            "redprop_http_request_duration_seconds",
            &format!("operation=\"{op}\",status=\"{status}\""),
        );
    }
    out.push_str("# HELP redprop_http_requests_total Requests answered, by operation and status.\n");
    out.push_str("# TYPE redprop_http_requests_total counter\n");
    for ((op, status), h) in r.requests.read().unwrap_or_else(|p| p.into_inner()).iter() {
        let _ = writeln!(
            out,
            "redprop_http_requests_total{{operation=\"{op}\",status=\"{status}\"}} {}",
            h.count.load(Ordering::Relaxed)
        );
    }
    out.push_str("# HELP redprop_batch_queue_depth Items waiting for a batch writer (ballots, survey answers).\n");
    out.push_str("# TYPE redprop_batch_queue_depth gauge\n");
    let writers = r.writers.read().unwrap_or_else(|p| p.into_inner());
    for (name, w) in writers.iter() {
        let _ = writeln!(
            out,
            "redprop_batch_queue_depth{{writer=\"{name}\"}} {}",
            w.queued.load(Ordering::Relaxed).max(0)
        );
    }
    out.push_str("# HELP redprop_batch_size Items written per batch.\n");
    out.push_str("# TYPE redprop_batch_size histogram\n");
    for (name, w) in writers.iter() {
        w.batches
            .write(&mut out, "redprop_batch_size", &format!("writer=\"{name}\""));
    }
    out.push_str("# HELP redprop_db_pool_connections Database connections open, by pool and state.\n");
    out.push_str("# TYPE redprop_db_pool_connections gauge\n");
    for (pool, open, idle, _) in &g.pools {
        let _ = writeln!(
            out,
            "redprop_db_pool_connections{{pool=\"{pool}\",state=\"idle\"}} {idle}"
        );
        let _ = writeln!(
            out,
            "redprop_db_pool_connections{{pool=\"{pool}\",state=\"in_use\"}} {}",
            open.saturating_sub(*idle)
        );
    }
    out.push_str("# HELP redprop_db_pool_max_connections The most connections a pool opens.\n");
    out.push_str("# TYPE redprop_db_pool_max_connections gauge\n");
    for (pool, _, _, max) in &g.pools {
        let _ = writeln!(out, "redprop_db_pool_max_connections{{pool=\"{pool}\"}} {max}");
    }
    out.push_str("# HELP redprop_audit_unsealed_events Audit events not yet chained into the hash chain.\n");
    out.push_str("# TYPE redprop_audit_unsealed_events gauge\n");
    let _ = writeln!(out, "redprop_audit_unsealed_events {}", g.audit_unsealed);
    out.push_str("# HELP redprop_audit_seal_lag_seconds How long the oldest unsealed audit event has waited.\n");
    out.push_str("# TYPE redprop_audit_seal_lag_seconds gauge\n");
    let _ = writeln!(out, "redprop_audit_seal_lag_seconds {}", g.audit_oldest_unsealed_secs);
    out.push_str("# HELP redprop_webhook_deliveries Webhook deliveries waiting (pending) or given up (failed).\n");
    out.push_str("# TYPE redprop_webhook_deliveries gauge\n");
    let _ = writeln!(
        out,
        "redprop_webhook_deliveries{{status=\"pending\"}} {}",
        g.webhook_pending
    );
    let _ = writeln!(
        out,
        "redprop_webhook_deliveries{{status=\"failed\"}} {}",
        g.webhook_failed
    );
    out.push_str("# HELP redprop_webhook_attempts_total Webhook attempts by outcome.\n");
    out.push_str("# TYPE redprop_webhook_attempts_total counter\n");
    for (outcome, n) in r.webhook_attempts.read().unwrap_or_else(|p| p.into_inner()).iter() {
        let _ = writeln!(
            out,
            "redprop_webhook_attempts_total{{outcome=\"{outcome}\"}} {}",
            n.load(Ordering::Relaxed)
        );
    }
    process(&mut out);
    out
}

/// The process's own figures under the names Prometheus' client libraries use
/// (`process_cpu_seconds_total`, ...), read from /proc on Linux, and the build's version.
fn process(out: &mut String) {
    out.push_str("# HELP redprop_build_info The running build: its version.\n");
    out.push_str("# TYPE redprop_build_info gauge\n");
    let _ = writeln!(out, "redprop_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
    let Some(p) = ProcessFigures::read() else { return };
    let mut gauge = |name: &str, kind: &str, help: &str, value: f64| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
    };
    gauge(
        "process_cpu_seconds_total",
        "counter",
        "CPU time used, user and system, in seconds.",
        p.cpu_seconds,
    );
    gauge(
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory in bytes.",
        p.resident_bytes as f64,
    );
    gauge(
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory in bytes.",
        p.virtual_bytes as f64,
    );
    gauge("process_open_fds", "gauge", "Open file descriptors.", p.open_fds as f64);
    gauge(
        "process_max_fds",
        "gauge",
        "The most file descriptors the process may open.",
        p.max_fds as f64,
    );
    gauge(
        "process_start_time_seconds",
        "gauge",
        "When the process started, in seconds since the Unix epoch.",
        p.start_time_seconds,
    );
}

/// What /proc says of this process.
struct ProcessFigures {
    cpu_seconds: f64,
    resident_bytes: u64,
    virtual_bytes: u64,
    open_fds: u64,
    max_fds: u64,
    start_time_seconds: f64,
}

impl ProcessFigures {
    fn read() -> Option<ProcessFigures> {
        // The kernel's clock ticks per second; 100 on every Linux this runs on (USER_HZ).
        const TICKS: f64 = 100.0;
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name (which may hold spaces), from field 3 on.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
        let (utime, stime, start_ticks) = (field(14)?, field(15)?, field(22)?);
        let virtual_bytes = field(23)?;
        let page = 4096;
        let resident_bytes = field(24)? * page;
        let boot = std::fs::read_to_string("/proc/stat")
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("btime ").and_then(|v| v.trim().parse::<u64>().ok()))?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        let max_fds = std::fs::read_to_string("/proc/self/limits")
            .ok()?
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .and_then(|l| l.split_whitespace().nth(3))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Some(ProcessFigures {
            cpu_seconds: (utime + stime) as f64 / TICKS,
            resident_bytes,
            virtual_bytes,
            open_fds,
            max_fds,
            start_time_seconds: boot as f64 + start_ticks as f64 / TICKS,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_is_measured() {
        let text = render(&Gauges::default());
        assert!(text.contains(&format!(
            "redprop_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        )));
        let value = |name: &str| -> f64 {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{name} in {text}"))
                .parse()
                .unwrap()
        };
        assert!(value("process_resident_memory_bytes") > 1e6);
        assert!(value("process_open_fds") >= 3.0 && value("process_max_fds") >= value("process_open_fds"));
        let started = value("process_start_time_seconds");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!(started > now - 86_400.0 && started <= now + 1.0, "{started} {now}");
        assert!(value("process_cpu_seconds_total") >= 0.0);
    }

    #[test]
    fn histograms_are_cumulative_and_named() {
        request("testOp", 201, Duration::from_millis(3));
        request("testOp", 201, Duration::from_millis(30));
        let w = writer("test-writer");
        w.queued();
        w.queued();
        w.taken(2);
        let text = render(&Gauges::default());
        assert!(
            text.contains(
                "redprop_http_request_duration_seconds_bucket{operation=\"testOp\",status=\"201\",le=\"0.005\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains(
            "redprop_http_request_duration_seconds_bucket{operation=\"testOp\",status=\"201\",le=\"0.05\"} 2"
        ));
        assert!(text.contains("redprop_http_requests_total{operation=\"testOp\",status=\"201\"} 2"));
        assert!(text.contains("redprop_batch_queue_depth{writer=\"test-writer\"} 0"));
        assert!(text.contains("redprop_batch_size_bucket{writer=\"test-writer\",le=\"2\"} 1"));
    }
}

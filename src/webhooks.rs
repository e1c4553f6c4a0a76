//! The webhook delivery worker (issue 17). Commands write events to the outbox in their own
//! transaction (`Trail::publish`); this worker fans each due event out to the endpoints
//! subscribed to it, claims due deliveries under a lease, POSTs them signed, and records each
//! attempt: 2xx is delivered, anything else is tried again with exponential backoff until the
//! last attempt, after which the delivery is failed (and can be replayed).
//!
//! Why it cannot lose or double-send: an event exists only if its change committed; a delivery
//! is marked delivered only after a 2xx; a replica that dies mid-attempt leaves a lease that
//! runs out, and the delivery is then due again (at least once, the receiver deduplicates on
//! the event id); while a lease runs no other replica claims the delivery.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::Webhooks as Settings;
use crate::crypto::JwtKeys;
use crate::db::webhooks::{self as store, Attempt, Claimed};
use crate::db::Db;
use crate::domain::webhook::{self, Target};
use crate::error::AppResult;

/// Deliveries claimed per round (and sent concurrently).
const ROUND: i64 = 32;
/// Events fanned out per round.
const FAN_OUT_ROUND: i64 = 200;

/// Everything a worker needs; cheap to clone.
#[derive(Clone)]
pub struct Worker {
    db: Db,
    keys: Arc<JwtKeys>,
    settings: Settings,
    /// This process's name on the leases it takes.
    id: String,
}

impl Worker {
    pub fn new(db: Db, keys: Arc<JwtKeys>, settings: Settings) -> Worker {
        Worker {
            db,
            keys,
            settings,
            id: format!("{}-{}", std::process::id(), crate::domain::ids::new_id()),
        }
    }

    /// How long a claim holds: longer than an attempt can take, so that a live worker never
    /// loses its lease mid-attempt.
    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.timeout * 2 + Duration::from_secs(30))
            .unwrap_or(chrono::Duration::minutes(5))
    }

    /// Runs until `stop` fires: a round whenever a command of this process publishes, and at
    /// least every poll interval (for other replicas' events, retries and scheduled events).
    pub fn spawn(self, mut stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.run_until_idle().await {
                    tracing::warn!(error = %e, "webhook delivery round failed; will retry");
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.settings.poll) => {}
                    _ = store::WAKE.notified() => {}
                    _ = stop.changed() => break,
                }
            }
        })
    }

    /// Rounds until nothing is due; returns the attempts made.
    pub async fn run_until_idle(&self) -> AppResult<usize> {
        let mut attempts = 0;
        loop {
            let n = self.round().await?;
            attempts += n;
            if n == 0 {
                return Ok(attempts);
            }
        }
    }

    /// One round: fan out due events, claim due deliveries, attempt them at once, record each.
    /// Returns the attempts made.
    pub async fn round(&self) -> AppResult<usize> {
        let clock = self.db.clock().clone();
        let now = crate::domain::ids::truncate_micros(clock.now());
        let events = self.db.read(move |c| store::due_events(c, now, FAN_OUT_ROUND)).await?;
        for id in events {
            self.db.write(move |c| store::fan_out(c, &id, now)).await?;
        }
        let due = self.db.read(move |c| store::due_deliveries(c, now, ROUND)).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let (worker, until) = (self.id.clone(), now + self.lease());
        let claimed = self
            .db
            .write(move |c| store::claim(c, &due, &worker, now, until))
            .await?;
        let mut attempts = tokio::task::JoinSet::new();
        for job in claimed {
            let me = self.clone();
            let clock = clock.clone();
            attempts.spawn(async move {
                let outcome = clock.scope(me.attempt(&job)).await;
                (job, outcome)
            });
        }
        let mut made = 0;
        while let Some(done) = attempts.join_next().await {
            let Ok((job, outcome)) = done else { continue };
            made += 1;
            let attempt = self.judge(&job, outcome);
            let worker = self.id.clone();
            let id = job.delivery.id.clone();
            self.db
                .write(move |c| store::record_attempt(c, &id, &worker, &attempt))
                .await?;
        }
        Ok(made)
    }

    /// What an attempt's outcome means: delivered, again later, or given up.
    fn judge(&self, job: &Claimed, outcome: Result<u16, String>) -> Attempt {
        let at = crate::domain::ids::truncate_micros(self.db.clock().now());
        let attempts = job.delivery.attempts as u32 + 1;
        let (status_code, error) = match &outcome {
            Ok(code) if (200..300).contains(code) => {
                crate::metrics::webhook_attempt("delivered");
                return Attempt {
                    at,
                    status_code: Some(*code as i32),
                    error: None,
                    retry_at: None,
                    delivered: true,
                };
            }
            Ok(code) => (Some(*code as i32), Some(format!("the receiver answered {code}"))),
            Err(e) => (None, Some(e.clone())),
        };
        let retry_at = (attempts < self.settings.max_attempts).then(|| {
            let delay = webhook::retry_delay(attempts, self.settings.retry_base);
            // Up to a tenth more, so that the retries of many deliveries that failed together
            // (a receiver down) do not all arrive at once when it is back.
            let jitter = rand::random::<f64>() * 0.1;
            at + chrono::Duration::from_std(delay.mul_f64(1.0 + jitter)).unwrap_or(chrono::Duration::hours(6))
        });
        crate::metrics::webhook_attempt(if retry_at.is_some() { "retry" } else { "failed" });
        tracing::info!(delivery = %job.delivery.id, event = %job.event.id, attempts, status = ?status_code, error = ?error, retry_at = ?retry_at, "webhook attempt failed");
        Attempt {
            at,
            status_code,
            error,
            retry_at,
            delivered: false,
        }
    }

    /// One POST of one delivery; the receiver's status, or why there was none.
    async fn attempt(&self, job: &Claimed) -> Result<u16, String> {
        let ep = &job.endpoint;
        if ep.deleted_at.is_some() {
            return Err("the endpoint was deleted".into());
        }
        let body = job.event.body();
        // The signature's timestamp is the real time, not the service's clock: it is what the
        // receiver compares with its own clock to refuse replays.
        let t = chrono::Utc::now().timestamp();
        let now = crate::domain::ids::now();
        let current = self.keys.webhook_secret(&ep.id, ep.secret_generation);
        let previous = ep
            .previous_valid_until
            .filter(|until| *until > now && ep.secret_generation > 1)
            .map(|_| self.keys.webhook_secret(&ep.id, ep.secret_generation - 1));
        let mut secrets = vec![current.as_str()];
        secrets.extend(previous.as_deref());
        let signature = webhook::signature_header(&secrets, t, body.as_bytes());
        let target = webhook::parse_url(&ep.url, self.settings.allow_local).map_err(|e| e.to_string())?;
        let headers = [
            ("content-type", "application/json".to_string()),
            (
                "user-agent",
                concat!("redprop-webhooks/", env!("CARGO_PKG_VERSION")).to_string(),
            ),
            ("redprop-event-id", job.event.id.clone()),
            ("redprop-event-type", job.event.event_type.clone()),
            ("redprop-delivery-id", job.delivery.id.clone()),
            ("redprop-signature", signature),
        ];
        match tokio::time::timeout(
            self.settings.timeout,
            post(&target, &headers, body, self.settings.allow_local),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => Err(format!("no answer within {} s", self.settings.timeout.as_secs())),
        }
    }
}

/// POSTs `body` to `target` and returns the status. The address is resolved here and each
/// resolved address is checked again (a name may point into a private network, or change).
async fn post(target: &Target, headers: &[(&str, String)], body: String, allow_local: bool) -> Result<u16, String> {
    send(target, headers, body, allow_local, 0)
        .await
        .map(|(status, _)| status)
}

/// The most of an answer's body read (a provider's JSON answer is far smaller).
pub(crate) const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// POSTs `body` to `target` on a connection of its own: the status and the first `read` bytes
/// of the answer (none when 0). Webhooks and work-group robots use it; the SMS provider's
/// requests go through a `Pool` of kept-alive connections.
pub(crate) async fn send(
    target: &Target,
    headers: &[(&str, String)],
    body: String,
    allow_local: bool,
    read: usize,
) -> Result<(u16, Vec<u8>), String> {
    let mut sender = connect(target, allow_local).await?;
    // Dropping the sender afterwards closes the connection.
    request(&mut sender, target, headers, body, read).await
}

/// An HTTP/1.1 connection's sending half.
pub(crate) type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// Opens a connection to `target` (TLS for https). The address is resolved here and each
/// resolved address is checked again (a name may point into a private network, or change). The
/// connection lives until its sender is dropped or the other side closes it.
pub(crate) async fn connect(target: &Target, allow_local: bool) -> Result<Sender, String> {
    // An address written as such needs no resolver (a thread hop per request otherwise).
    let resolved: Vec<SocketAddr> = match target.host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, target.port)],
        Err(_) => tokio::net::lookup_host((target.host.as_str(), target.port))
            .await
            .map_err(|e| format!("cannot resolve {}: {e}", target.host))?
            .collect(),
    };
    let addrs: Vec<SocketAddr> = resolved
        .into_iter()
        .filter(|a| allow_local || webhook::is_public(a.ip()))
        .collect();
    if addrs.is_empty() {
        return Err(format!("{} resolves to no public address", target.host));
    }
    let mut last = String::new();
    for addr in addrs.iter().take(3) {
        match tokio::net::TcpStream::connect(addr).await {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                return if target.https {
                    let tls = tokio_native_tls::native_tls::TlsConnector::new().map_err(|e| format!("TLS: {e}"))?;
                    let tls = tokio_native_tls::TlsConnector::from(tls);
                    let stream = tls
                        .connect(&target.host, tcp)
                        .await
                        .map_err(|e| format!("TLS with {}: {e}", target.host))?;
                    handshake(stream).await
                } else {
                    handshake(tcp).await
                };
            }
            Err(e) => last = format!("cannot connect to {addr}: {e}"),
        }
    }
    Err(last)
}

async fn handshake<S>(stream: S) -> Result<Sender, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    // Drives the connection until it closes (its sender dropped, or the other side done).
    tokio::spawn(conn);
    Ok(sender)
}

/// One HTTP/1.1 request on a connection; at most `read` bytes of the answer's body are read.
pub(crate) async fn request(
    sender: &mut Sender,
    target: &Target,
    headers: &[(&str, String)],
    body: String,
    read: usize,
) -> Result<(u16, Vec<u8>), String> {
    sender.ready().await.map_err(|e| format!("HTTP: {e}"))?;
    let mut req = hyper::Request::post(target.path.as_str()).header("host", target.authority());
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let req = req
        .header("content-length", body.len())
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("request: {e}"))?;
    let resp = sender.send_request(req).await.map_err(|e| format!("HTTP: {e}"))?;
    let status = resp.status().as_u16();
    if read == 0 {
        return Ok((status, Vec::new()));
    }
    let limited = http_body_util::Limited::new(resp.into_body(), read);
    match http_body_util::BodyExt::collect(limited).await {
        Ok(b) => Ok((status, b.to_bytes().to_vec())),
        Err(e) => Err(format!("reading the answer: {e}")),
    }
}

/// Kept-alive connections to one trusted address (the SMS provider's): a text costs a request,
/// not a TCP and TLS handshake. A connection the other side closed is dropped when found; a
/// request that fails on a kept connection is not retried here (its caller treats it as an
/// answer lost: the next attempt asks the provider first).
#[derive(Clone, Default)]
pub(crate) struct Pool {
    idle: Arc<std::sync::Mutex<Vec<Sender>>>,
}

/// Connections kept idle at most (a round's worth of concurrent requests).
const POOL_MAX: usize = 128;

impl Pool {
    pub(crate) async fn send(
        &self,
        target: &Target,
        headers: &[(&str, String)],
        body: String,
        read: usize,
    ) -> Result<(u16, Vec<u8>), String> {
        let kept = loop {
            let next = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
            match next {
                // Closed by the other side meanwhile, or not ready: nothing was sent on it.
                Some(mut s) => {
                    if !s.is_closed() && s.ready().await.is_ok() {
                        break Some(s);
                    }
                }
                None => break None,
            }
        };
        let mut sender = match kept {
            Some(s) => s,
            None => connect(target, true).await?,
        };
        let out = request(&mut sender, target, headers, body, read).await?;
        if !sender.is_closed() {
            if let Ok(mut idle) = self.idle.lock() {
                if idle.len() < POOL_MAX {
                    idle.push(sender);
                }
            }
        }
        Ok(out)
    }
}

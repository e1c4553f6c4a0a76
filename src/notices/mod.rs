//! The notice worker (issue 30, RULES.md §10). Commands raise notices in their own transaction
//! (`Trail::notify`); this worker fans each due notice out in chunks (inbox rows, texts, work-group
//! posts: `db::notices::fan_out_chunk`), then claims due deliveries under a lease and sends them:
//! texts through the configured SMS provider, posts to WeCom and DingTalk robots.
//!
//! Why a kill -9 loses none and sends none twice: a notice exists only if its change committed;
//! a chunk's inbox rows, deliveries and the notice's cursor are written in one transaction; a text
//! is marked as being sent (`sent_at`) in the claim's transaction before it is handed over, and
//! a replica that finds such a text again after a crash (its lease ran out, its outcome never
//! recorded) asks the provider for it by our delivery id (`OutId`) before sending it again.

pub mod aliyun;
mod robots;

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::config::{Notices as Settings, SmsTransport, Webhooks as Retry};
use crate::db::notices::{self as store, Claimed, Outcome};
use crate::db::Db;
use crate::domain::ids;
use crate::domain::notice::{self, NoticeChannel, NoticeDeliveryStatus as Status};
use crate::domain::webhook;
use crate::error::AppResult;

/// Owners fanned out per transaction: a short write, so that ballots are not held up.
const CHUNK: i64 = 500;
/// After each of its writes the worker waits this many times as long as the write took: it
/// takes at most a third of the database's writer (one thread on SQLite) from the requests —
/// a 20,000-owner fan-out then takes seconds longer, and ballots keep their pace meanwhile.
const PACE: u32 = 2;
/// Deliveries claimed per round (and sent concurrently).
const ROUND: i64 = 100;
/// At most this many deliveries a second from one process: a provider limits its callers'
/// rate (Alibaba Cloud SMS answers flow control beyond it), and the requests' own work then
/// stays a small share of the server's CPU — 20,000 owners are texted in about 20 seconds.
const PER_SECOND: u32 = 1000;
/// Notices fanned out per round (each chunk by chunk).
const NOTICES_PER_ROUND: i64 = 20;
/// When a text's receipt is first asked for, and the longest it is asked for.
const FIRST_RECEIPT: i64 = 60;
const LAST_RECEIPT_HOURS: i64 = 72;

#[derive(Clone)]
pub struct Worker {
    db: Db,
    settings: Settings,
    retry: Retry,
    id: String,
    /// Kept-alive connections to the SMS provider.
    pool: crate::webhooks::Pool,
}

impl Worker {
    pub fn new(db: Db, settings: Settings, retry: Retry) -> Worker {
        Worker {
            db,
            settings,
            retry,
            id: format!("{}-{}", std::process::id(), ids::new_id()),
            pool: Default::default(),
        }
    }

    /// A write of the worker's, followed by its share of rest (`PACE`).
    async fn paced<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::db::AnyConnection) -> AppResult<T> + Send + 'static,
    {
        let t = std::time::Instant::now();
        let out = self.db.write(f).await;
        tokio::time::sleep(t.elapsed() * PACE).await;
        out
    }

    fn texts(&self) -> bool {
        !matches!(self.settings.sms, SmsTransport::Off)
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.retry.timeout * 2 + Duration::from_secs(30))
            .unwrap_or(chrono::Duration::minutes(5))
    }

    /// Runs until `stop` fires: a round whenever a command of this process raises a notice, and
    /// at least every poll interval (other replicas' notices, quiet hours ending, retries).
    pub fn spawn(self, mut stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.run_until_idle().await {
                    tracing::warn!(error = %e, "notice round failed; will retry");
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.retry.poll) => {}
                    _ = store::WAKE.notified() => {}
                    _ = stop.changed() => break,
                }
            }
        })
    }

    /// Rounds until nothing is due; returns the work done (chunks and attempts).
    pub async fn run_until_idle(&self) -> AppResult<usize> {
        let mut done = 0;
        loop {
            let n = self.round().await?;
            done += n;
            if n == 0 {
                return Ok(done);
            }
        }
    }

    /// One round: fan out the due notices, then send the due deliveries.
    pub async fn round(&self) -> AppResult<usize> {
        let now = ids::truncate_micros(self.db.clock().now());
        let mut work = 0;
        let due = self.db.read(move |c| store::due(c, now, NOTICES_PER_ROUND)).await?;
        let texts = self.texts();
        for id in due {
            loop {
                let id = id.clone();
                let n = self
                    .paced(move |c| store::fan_out_chunk(c, &id, now, CHUNK, texts))
                    .await?;
                if n.is_none() {
                    break;
                }
                work += 1;
            }
        }
        let due = self.db.read(move |c| store::due_deliveries(c, now, ROUND)).await?;
        if due.is_empty() {
            return Ok(work);
        }
        let provider = self.provider_name().to_string();
        let (worker, until) = (self.id.clone(), now + self.lease());
        let started = std::time::Instant::now();
        let claimed = self
            .paced(move |c| store::claim(c, &due, &worker, now, until, &provider))
            .await?;
        let least = Duration::from_secs(1) * claimed.len() as u32 / PER_SECOND;
        let mut set = tokio::task::JoinSet::new();
        for job in claimed {
            let me = self.clone();
            let clock = self.db.clock().clone();
            set.spawn(async move {
                let outcome = clock.scope(me.attempt(&job)).await;
                (job.delivery.id.clone(), outcome)
            });
        }
        let mut outcomes = Vec::new();
        while let Some(done) = set.join_next().await {
            if let Ok(o) = done {
                outcomes.push(o);
            }
        }
        work += outcomes.len();
        let (worker, at) = (self.id.clone(), ids::truncate_micros(self.db.clock().now()));
        self.paced(move |c| store::record_all(c, &worker, at, &outcomes))
            .await?;
        tokio::time::sleep(least.saturating_sub(started.elapsed())).await;
        Ok(work)
    }

    fn provider_name(&self) -> &'static str {
        match self.settings.sms {
            SmsTransport::Off => "off",
            SmsTransport::Log => "log",
            SmsTransport::Aliyun(_) => "aliyun",
        }
    }

    /// One delivery: a text sent or its receipt asked for, or a post to a work group.
    async fn attempt(&self, job: &Claimed) -> Outcome {
        let now = ids::truncate_micros(self.db.clock().now());
        let d = &job.delivery;
        let outcome = match d.channel() {
            Ok(NoticeChannel::Sms) => self.text(job, now).await,
            Ok(NoticeChannel::WorkGroup) => robots::post(job, &self.retry, now).await,
            _ => Outcome::Failed {
                code: None,
                message: "nothing to send on this channel".into(),
            },
        };
        // A delivery that keeps failing is given up after the webhooks' number of attempts.
        match outcome {
            Outcome::Again { message, .. } if d.attempts + 1 >= self.retry.max_attempts as i32 => {
                Outcome::Failed { code: None, message }
            }
            Outcome::Again { at: _, message, unsent } => Outcome::Again {
                at: now + backoff(d.attempts as u32 + 1, &self.retry),
                message,
                unsent,
            },
            o => o,
        }
    }

    async fn text(&self, job: &Claimed, now: NaiveDateTime) -> Outcome {
        let d = &job.delivery;
        let Some(phone) = job.phone.as_deref() else {
            return Outcome::Failed {
                code: Some(notice::NotSentReason::NoMobile.as_str().into()),
                message: "the owner no longer has a mobile number on record".into(),
            };
        };
        match &self.settings.sms {
            SmsTransport::Off => Outcome::Failed {
                code: None,
                message: "texts are off (REDPROP_SMS)".into(),
            },
            SmsTransport::Log => {
                // The number never goes into a log line.
                tracing::info!(delivery = %d.id, notice = %d.notice_id, kind = %job.notice.kind, "text message (log transport)");
                Outcome::Accepted {
                    request_id: Some(format!("log-{}", d.id)),
                    message_id: None,
                    check_at: None,
                }
            }
            SmsTransport::Aliyun(account) => {
                let status = d.status().unwrap_or(Status::Pending);
                // A receipt to ask for, or a text that may have gone before a crash: ask first.
                if status == Status::Accepted || job.was_sending {
                    let day = ids::local_date(d.sent_at.unwrap_or(now)).format("%Y%m%d").to_string();
                    let body = aliyun::query(account, phone, &day, d.provider_message_id.as_deref());
                    let answer = self.call(&account.endpoint, body).await;
                    let receipt = answer.and_then(|b| aliyun::read_receipt(&b, &d.id));
                    match receipt {
                        Ok(aliyun::Receipt::Delivered { code }) => return Outcome::Delivered { code: Some(code) },
                        Ok(aliyun::Receipt::Failed { code }) => {
                            return Outcome::Failed {
                                message: format!("the provider reports it undelivered ({code})"),
                                code: Some(code),
                            }
                        }
                        Ok(aliyun::Receipt::Waiting) => return self.waiting(d, now),
                        Ok(aliyun::Receipt::NotFound) if status == Status::Accepted => return self.waiting(d, now),
                        Ok(aliyun::Receipt::NotFound) => {} // never reached the provider: send it
                        Err(message) => {
                            return Outcome::Again {
                                at: now,
                                message,
                                unsent: false,
                            }
                        }
                    }
                }
                let params = serde_json::json!({
                    "matter": notice::text_matter(&job.notice.title),
                    "time": job.notice.closes_at.map(|c| ids::local_date(c).format("%Y-%m-%d").to_string()).unwrap_or_else(|| ids::local_date(job.notice.created_at).format("%Y-%m-%d").to_string()),
                    "place": match &self.settings.public_url {
                        Some(u) => format!("{u}{}", job.notice.link),
                        None => "业主页面「我的通知」".to_string(),
                    },
                });
                let body = aliyun::send_sms(account, phone, &params, &d.id);
                match self
                    .call(&account.endpoint, body)
                    .await
                    .and_then(|b| aliyun::read_send(&b))
                {
                    Ok(aliyun::SendAnswer::Ok { request_id, biz_id }) => Outcome::Accepted {
                        request_id,
                        message_id: biz_id,
                        check_at: Some(now + chrono::Duration::seconds(FIRST_RECEIPT)),
                    },
                    Ok(aliyun::SendAnswer::Busy { code, message }) => Outcome::Again {
                        at: now,
                        message: format!("{code}: {message}"),
                        unsent: true,
                    },
                    Ok(aliyun::SendAnswer::Refused { code, message }) => Outcome::Failed {
                        message: format!("{code}: {message}"),
                        code: Some(code),
                    },
                    // No answer: it may have gone; the next attempt asks first.
                    Err(message) => Outcome::Again {
                        at: now,
                        message,
                        unsent: false,
                    },
                }
            }
        }
    }

    /// Accepted and no receipt yet: ask again later, and stop asking after three days.
    fn waiting(&self, d: &store::DeliveryRow, now: NaiveDateTime) -> Outcome {
        let sent = d.sent_at.unwrap_or(now);
        let later = now + chrono::Duration::seconds(FIRST_RECEIPT * 5);
        Outcome::Accepted {
            request_id: d.provider_request_id.clone(),
            message_id: d.provider_message_id.clone(),
            check_at: (later - sent < chrono::Duration::hours(LAST_RECEIPT_HOURS)).then_some(later),
        }
    }

    /// POSTs a form to the provider (an operator's configured address, so local ones are
    /// allowed); the answer's body, or why there was none.
    async fn call(&self, endpoint: &str, body: String) -> Result<Vec<u8>, String> {
        let target = webhook::parse_url(endpoint, true).map_err(|e| e.to_string())?;
        let headers = [
            ("content-type", "application/x-www-form-urlencoded".to_string()),
            ("accept", "application/json".to_string()),
        ];
        let sent = tokio::time::timeout(
            self.retry.timeout,
            self.pool
                .send(&target, &headers, body, crate::webhooks::MAX_ANSWER_BYTES),
        )
        .await
        .map_err(|_| format!("no answer within {} s", self.retry.timeout.as_secs()))??;
        match sent {
            (200..=299, b) | (400..=499, b) => Ok(b),
            (code, _) => Err(format!("the provider answered {code}")),
        }
    }
}

/// The wait before the next attempt, as the webhooks' (doubling, capped), with a tenth of jitter.
fn backoff(attempts: u32, retry: &Retry) -> chrono::Duration {
    let delay = webhook::retry_delay(attempts, retry.retry_base);
    chrono::Duration::from_std(delay.mul_f64(1.0 + rand::random::<f64>() * 0.1)).unwrap_or(chrono::Duration::hours(6))
}

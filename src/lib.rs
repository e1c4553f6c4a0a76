//! redprop: the service as a library, so that `main` and the tests build the same app.

pub mod backup;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod data_dir;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod metrics;
pub mod notices;
pub mod passwords;
pub mod web;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::make_sync;
use poem::middleware::Cors;
use poem::web::{Data, Redirect};
use poem::{get, handler, Endpoint, EndpointExt, IntoResponse, Response, Route};

use crate::config::Config;
use crate::crypto::{IdHasher, JwtKeys};
use crate::db::Db;
use crate::error::AppError;

/// What every request may need. Holds no state that another replica would need: everything
/// lives in the database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Online ballots, written in batches (the hot path at the close of a vote).
    pub ballots: db::batcher::Batcher<db::votes::NewBallot, ()>,
    /// Whether a request's session is live (every authenticated request asks).
    pub sessions: db::users::SessionCheck,
    /// Owners' survey answers, written in batches like ballots.
    pub responses: db::batcher::Batcher<db::survey::NewResponse, bool>,
    /// What a survey answer is checked against, looked up for many answers at once.
    pub survey_facts: db::batcher::Lookup<db::survey::SurveyQuery, db::survey::SurveyFacts>,
    /// Frozen rolls of open votes, for checking ballots without a read each.
    pub rolls: Arc<db::rolls::Rolls>,
    pub config: Arc<Config>,
    pub jwt: Arc<JwtKeys>,
    pub id_hasher: Arc<IdHasher>,
    /// Password hashing on a fixed pool of threads, bounded per source.
    pub passwords: Arc<passwords::Passwords>,
    /// Throttle locks already seen (a cache of the database's; see `db::throttle::KnownLocks`).
    pub known_locks: Arc<db::throttle::KnownLocks>,
    /// Authenticates the audit chain's anchored head (`db::audit`).
    pub anchor: Arc<domain::audit::AnchorKey>,
    /// An SQLite database's lock, held shared while this state lives, so that `redprop restore`
    /// refuses to replace a database that a server or a command has open (`db::hold_open`).
    _in_use: Option<Arc<std::fs::File>>,
}

impl AppState {
    /// Loads and checks the server keys, then opens and migrates the database and checks that
    /// the keys are the ones it was set up with. A weak or short key is refused before anything
    /// touches the database.
    pub fn init(config: Config) -> anyhow::Result<AppState> {
        AppState::init_with_clock(config, clock::Clock::default())
    }

    /// `init`, on a given clock (the demo's history runs on one that starts a year ago).
    pub fn init_with_clock(config: Config, clock: clock::Clock) -> anyhow::Result<AppState> {
        let secret = crypto::load_or_create_secret(
            config.jwt_secret.as_deref(),
            "REDPROP_JWT_SECRET",
            &config.data_dir,
            "jwt.secret",
        )?;
        let id_key = crypto::load_or_create_secret(
            config.id_hash_key.as_deref(),
            "REDPROP_ID_HASH_KEY",
            &config.data_dir,
            "id-hash.key",
        )?;
        if config.database_url.is_none() {
            data_dir::prepare(&config.data_dir)?;
        }
        let in_use = db::hold_open(&config.effective_database_url())?;
        let db = Db::open(&config.effective_database_url(), clock.clone(), config.db_pool_size)?;
        let applied = db::migrate::run(&db)?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "migrated");
        }
        check_keys(
            &db,
            &[
                ("jwt", "REDPROP_JWT_SECRET", &secret),
                ("id-hash", "REDPROP_ID_HASH_KEY", &id_key),
            ],
        )?;
        if config.test_clock {
            tracing::warn!(
                "REDPROP_TEST_CLOCK=1: the TEST CLOCK is on; administrators may move time forward. Never run a real county like this."
            );
        }
        if db.backend() == db::Backend::Postgres && (config.jwt_secret.is_none() || config.id_hash_key.is_none()) {
            tracing::warn!("set REDPROP_JWT_SECRET and REDPROP_ID_HASH_KEY: replicas must share them");
        }
        let (secret, id_key) = (secret.bytes, id_key.bytes);
        let anchor = Arc::new(domain::audit::AnchorKey::new(&secret));
        {
            let anchor = anchor.clone();
            if db.write_blocking(move |c| db::audit::adopt_anchor(c, &anchor))? {
                tracing::info!("the audit chain's head is anchored from now on");
            }
        }
        Ok(AppState {
            rolls: Arc::default(),
            sessions: db::users::SessionCheck::new(db.clone()),
            responses: db::batcher::Batcher::start(
                "redprop-survey",
                db.clone(),
                if db.backend() == db::Backend::Postgres { 2 } else { 1 },
                256,
                db::survey::record_responses,
            ),
            survey_facts: db::batcher::Lookup::start("redprop-survey-facts", db.clone(), db::survey::survey_facts),
            // SQLite has one writer anyway; PostgreSQL overlaps a few batches' commits.
            ballots: db::batcher::Batcher::start(
                "redprop-ballots",
                db.clone(),
                if db.backend() == db::Backend::Postgres { 2 } else { 1 },
                256,
                db::votes::record_ballots,
            ),
            db,
            config: Arc::new(config),
            jwt: Arc::new(JwtKeys::new(&secret)),
            id_hasher: Arc::new(IdHasher::new(&id_key)),
            passwords: passwords::Passwords::for_this_machine(),
            known_locks: Arc::default(),
            anchor,
            _in_use: in_use.map(Arc::new),
        })
    }
}

/// Refuses to go on with a key other than the one the database was set up with.
fn check_keys(db: &Db, keys: &[(&str, &str, &crypto::Secret)]) -> anyhow::Result<()> {
    for (name, env, secret) in keys {
        let fingerprint = crypto::key_fingerprint(&secret.bytes, name);
        let attempt = || db.write_blocking(|c| db::instance_keys::check_or_record(c, name, &fingerprint));
        // Replicas starting together may both try to record it first: the loser reads it.
        let check = match attempt() {
            Err(error::AppError::Conflict { .. }) => attempt(),
            other => other,
        }
        .map_err(|e| anyhow::anyhow!("cannot check the server keys: {e}"))?;
        if let db::instance_keys::KeyCheck::Differs { expected } = check {
            anyhow::bail!(
                "the key from {} is not the one this database was set up with (fingerprint {fingerprint}, \
                 the database expects {expected}). Give every process the same key: set {env} as on the \
                 other replicas, or use the data folder that holds the original key file. Going on would \
                 {}.",
                secret.source,
                if *name == "jwt" {
                    "issue tokens the other replicas reject"
                } else {
                    "make registered ID numbers unmatchable and count people twice"
                }
            );
        }
    }
    Ok(())
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn readyz(state: Data<&AppState>) -> Response {
    use diesel::connection::SimpleConnection;
    match state.db.read(|c| Ok(c.batch_execute("SELECT 1")?)).await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            let e = match e {
                AppError::Internal(m) => AppError::Unavailable { detail: m },
                other => other,
            };
            poem::Error::from(e).into_response()
        }
    }
}

/// The whole HTTP app: the API under /api/v1, docs and spec, health, and the middleware.
pub fn build_app(state: &AppState) -> impl Endpoint<Output = Response> {
    let api = http::service();
    let docs = api.swagger_ui();
    web::warm();
    // Read from the API document once, at start, not in the first 201's request.
    http::location::rules();
    // `*` means any origin — without credentials (bearer tokens are sent explicitly, never as
    // cookies, so a page of another origin still needs the token to do anything).
    let mut cors = Cors::new()
        .allow_credentials(false)
        // What a page of another origin must read: a record's version, a new record's address,
        // a replayed answer's mark, the request id to report.
        .expose_headers(["etag", "location", "idempotent-replayed", "x-request-id", "retry-after"]);
    if !state.config.cors_origins.iter().any(|o| o == "*") {
        for origin in &state.config.cors_origins {
            cors = cors.allow_origin(origin.as_str());
        }
    }
    let mut routes = Route::new();
    if state.config.test_clock {
        routes = routes
            .at("/api/v1/test-clock", get(http::test_clock::read))
            .at("/api/v1/test-clock/advance", poem::post(http::test_clock::advance));
    }
    // Repeated POSTs with an Idempotency-Key get the first answer (http::idempotency).
    let idem_state = state.clone();
    let api = poem::IntoEndpoint::into_endpoint(api).around(move |ep, req| {
        let state = idem_state.clone();
        async move { http::idempotency::guard(ep, req, state).await }
    });
    let routes = routes
        .nest(http::API_PREFIX, api)
        .nest("/docs", docs)
        .at("/openapi.json", get(spec_json))
        .at("/openapi.yaml", get(spec_yaml))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .nest("/web", web::routes())
        // People start at the pages; integrators find the API documents at /docs.
        .at("/", make_sync(|_| Redirect::see_other("/web/")));
    // CORS only when origins are configured: none by default.
    let routes = if state.config.cors_origins.is_empty() {
        routes.boxed()
    } else {
        routes.with(cors).boxed()
    };
    // Every request runs on the app's clock; a server whose clock may move says so on every
    // response.
    let clock = state.db.clock().clone();
    let marked = state.config.test_clock;
    routes.data(state.clone()).around(move |ep, req| {
        let clock = clock.clone();
        async move {
            let mut resp = clock.scope(http::middleware::observe(ep, req)).await?;
            if marked {
                http::test_clock::mark(&mut resp);
            }
            Ok(resp)
        }
    })
}

/// The OpenAPI document as YAML: what `redprop openapi` prints, `openapi/openapi.yaml` holds
/// and `/openapi.yaml` serves (every string quoted, so YAML 1.1 parsers read it right too).
pub fn openapi_yaml() -> String {
    http::spec::yaml()
}

/// The OpenAPI document as JSON (`redprop openapi --json`, `/openapi.json`).
pub fn openapi_json() -> String {
    http::spec::json()
}

#[handler]
fn spec_json() -> Response {
    Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(openapi_json())
}

#[handler]
fn spec_yaml() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    Response::builder()
        .content_type("application/yaml; charset=utf-8")
        .body(DOC.get_or_init(openapi_yaml).clone())
}

/// Events the background sealer chains per write transaction.
const SEAL_ROUND: i64 = 250;

/// Chains pending audit events every `interval` until `stop` fires, then once more.
/// Looks for overdue deadlines a minute after start and then hourly, and tells their offices
/// (`http::notices::overdue`). Each is told once, whichever replica finds it first.
pub fn spawn_overdue_sweeps(db: Db, mut stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut wait = Duration::from_secs(60);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => break,
            }
            let clock = db.clock().clone();
            if let Err(e) = clock.scope(http::notices::overdue::sweep(&db)).await {
                tracing::warn!(error = %e, "looking for overdue deadlines failed; will retry");
            }
            wait = Duration::from_secs(3600);
        }
    })
}

pub fn spawn_audit_sealer(
    db: Db,
    anchor: Arc<domain::audit::AnchorKey>,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let done = tokio::select! {
                _ = tokio::time::sleep(interval) => false,
                _ = stop.changed() => true,
            };
            loop {
                // Small rounds, so that requests' writes queued behind one never wait long.
                let key = anchor.clone();
                let sealed = db.write(move |c| db::audit::seal_pending(c, &key, SEAL_ROUND)).await;
                match sealed {
                    Ok(n) if n == SEAL_ROUND as usize => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "audit sealing failed; will retry");
                        break;
                    }
                }
            }
            if done {
                break;
            }
        }
    })
}

/// Runs the HTTP server until SIGINT or SIGTERM, then finishes in-flight requests (up to 30 s),
/// seals the last audit events and closes the pools.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let bind = state.config.bind.clone();
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
    serve_on(state, listener, shutdown_signal()).await
}

/// `serve` on a listener already bound (tests bind port 0), until `shutdown` resolves.
pub async fn serve_on(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sealer = spawn_audit_sealer(
        state.db.clone(),
        state.anchor.clone(),
        Duration::from_millis(state.config.audit_seal_interval_ms),
        stop_rx.clone(),
    );
    let metrics_task = match &state.config.metrics_bind {
        Some(addr) => Some(spawn_metrics(state.clone(), addr, stop_rx.clone()).await?),
        None => None,
    };
    let sweeps = spawn_overdue_sweeps(state.db.clone(), stop_rx.clone());
    let notices = notices::Worker::new(
        state.db.clone(),
        state.config.notices.clone(),
        state.config.webhooks.clone(),
    )
    .spawn(stop_rx.clone());
    let deliveries =
        webhooks::Worker::new(state.db.clone(), state.jwt.clone(), state.config.webhooks.clone()).spawn(stop_rx);
    let app = build_app(&state).boxed();
    // Start-up (migrations, the API document, the pages) allocated and freed tens of MiB on this
    // thread; the allocator would keep them until this thread allocates again, which an idle
    // server never does. Give them back now.
    release_free_memory();
    tracing::info!(bind = %listener.local_addr()?, backend = ?state.db.backend(), "redprop listening; API docs at /docs");
    let mut limits = state.config.server_limits();
    limits.max_connections = connections_within_open_files(limits.max_connections);
    http::server::run(listener, app, limits, shutdown, Duration::from_secs(30)).await?;
    let _ = stop_tx.send(true);
    let _ = sealer.await;
    let _ = deliveries.await;
    let _ = notices.await;
    let _ = sweeps.await;
    if let Some(m) = metrics_task {
        let _ = m.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// The gauges read from the database when metrics are scraped.
async fn gauges(state: &AppState) -> Result<metrics::Gauges, AppError> {
    let pools = state.db.pool_states();
    let now = state.db.clock().now();
    state
        .db
        .read(move |c| {
            let (unsealed, oldest) = db::audit::unsealed(c)?;
            use domain::webhook::WebhookDeliveryStatus as S;
            Ok(metrics::Gauges {
                pools,
                audit_unsealed: unsealed,
                audit_oldest_unsealed_secs: oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0),
                webhook_pending: db::webhooks::count_in(c, S::Pending)?,
                webhook_failed: db::webhooks::count_in(c, S::Failed)?,
            })
        })
        .await
}

#[handler]
async fn metrics_page(state: Data<&AppState>) -> Response {
    match gauges(&state).await {
        Ok(g) => Response::builder()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(metrics::render(&g)),
        Err(e) => poem::Error::from(e).into_response(),
    }
}

/// Serves `GET /metrics` on its own address until `stop` fires: never on the public port, and
/// without credentials (bind it where only the monitoring reaches).
async fn spawn_metrics(
    state: AppState,
    addr: &str,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {addr}: {e}"))?;
    tracing::info!(bind = %listener.local_addr()?, "metrics at /metrics");
    let app = Route::new().at("/metrics", get(metrics_page)).data(state).boxed();
    let limits = http::server::Limits {
        max_connections: 64,
        ..http::server::Limits::default()
    };
    Ok(tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.changed().await;
        };
        if let Err(e) = http::server::run(listener, app, limits, stopped, Duration::from_secs(5)).await {
            tracing::warn!(error = %e, "the metrics listener stopped");
        }
    }))
}

/// Raises the open-files limit as far as the system allows, and keeps the connection limit
/// under it (with room for the database, log and key files): running out of file descriptors
/// would stop the server from accepting anyone, health checks included.
fn connections_within_open_files(wanted: usize) -> usize {
    const RESERVED: u64 = 256;
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let fits = limit.saturating_sub(RESERVED).max(16) as usize;
    if fits < wanted {
        tracing::warn!(
            open_files = limit,
            max_connections = fits,
            "the open-files limit caps the connections"
        );
    }
    wanted.min(fits)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down: finishing in-flight requests");
}

impl AppState {
    /// Seals every pending audit event (a command does this before it exits; the server in the
    /// background).
    pub fn seal_all(&self) -> error::AppResult<()> {
        const ROUND: i64 = 5000;
        loop {
            let key = self.anchor.clone();
            if self
                .db
                .write_blocking(move |c| db::audit::seal_pending(c, &key, ROUND))?
                < ROUND as usize
            {
                return Ok(());
            }
        }
    }

    /// Recomputes the audit chain, checks it reaches its anchored head, and checks the stored
    /// ballots against their audit events.
    pub fn verify_audit(&self) -> error::AppResult<db::audit::VerifyReport> {
        let key = self.anchor.clone();
        self.db.read_blocking(move |c| db::audit::verify(c, &key))
    }
}

/// Returns the memory the allocator holds freed to the system (mimalloc's `mi_collect`). The
/// binary's allocator is mimalloc (`main.rs`); elsewhere (tests) it has nothing to give back.
pub fn release_free_memory() {
    // SAFETY: mi_collect takes no pointers and may be called from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

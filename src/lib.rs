//! redprop: the service as a library, so that `main` and the tests build the same app.

pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;

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
    /// Frozen rolls of open votes, for checking ballots without a read each.
    pub rolls: Arc<db::rolls::Rolls>,
    pub config: Arc<Config>,
    pub jwt: Arc<JwtKeys>,
    pub id_hasher: Arc<IdHasher>,
}

impl AppState {
    /// Opens and migrates the database and loads the signing key.
    pub fn init(config: Config) -> anyhow::Result<AppState> {
        let db = Db::open(&config.effective_database_url())?;
        let applied = db::migrate::run(&db)?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "migrated");
        }
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
        if db.backend() == db::Backend::Postgres && (config.jwt_secret.is_none() || config.id_hash_key.is_none()) {
            tracing::warn!("set REDPROP_JWT_SECRET and REDPROP_ID_HASH_KEY: replicas must share them");
        }
        Ok(AppState {
            rolls: Arc::default(),
            sessions: db::users::SessionCheck::new(db.clone()),
            // SQLite has one writer anyway; PostgreSQL overlaps a few batches' commits.
            ballots: db::batcher::Batcher::start(
                "redprop-ballots",
                db.clone(),
                if db.backend() == db::Backend::Postgres { 2 } else { 1 },
                256,
                http::votes::record_ballots,
            ),
            db,
            config: Arc::new(config),
            jwt: Arc::new(JwtKeys::new(&secret)),
            id_hasher: Arc::new(IdHasher::new(&id_key)),
        })
    }
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
    let spec_json = api.spec_endpoint();
    let spec_yaml = api.spec_endpoint_yaml();
    let mut cors = Cors::new();
    for origin in &state.config.cors_origins {
        cors = cors.allow_origin(origin.as_str());
    }
    let routes = Route::new()
        .nest(http::API_PREFIX, api)
        .nest("/docs", docs)
        .at("/openapi.json", spec_json)
        .at("/openapi.yaml", spec_yaml)
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/", make_sync(|_| Redirect::see_other("/docs")));
    // CORS only when origins are configured: none by default.
    let routes = if state.config.cors_origins.is_empty() {
        routes.boxed()
    } else {
        routes.with(cors).boxed()
    };
    routes.data(state.clone()).around(http::middleware::observe)
}

/// The OpenAPI document as YAML: what `redprop openapi` prints and `openapi/openapi.yaml` holds.
pub fn openapi_yaml() -> String {
    http::service().spec_yaml()
}

/// Events the background sealer chains per write transaction.
const SEAL_ROUND: i64 = 250;

/// Chains pending audit events every `interval` until `stop` fires, then once more.
pub fn spawn_audit_sealer(
    db: Db,
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
                let sealed = db.write(|c| db::audit::seal_pending(c, SEAL_ROUND)).await;
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
    let listener = poem::listener::TcpListener::bind(bind.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sealer = spawn_audit_sealer(
        state.db.clone(),
        Duration::from_millis(state.config.audit_seal_interval_ms),
        stop_rx,
    );
    let app = build_app(&state);
    tracing::info!(bind = %bind, backend = ?state.db.backend(), "redprop listening; API docs at /docs");
    poem::Server::new(listener)
        .run_with_graceful_shutdown(app, shutdown_signal(), Some(Duration::from_secs(30)))
        .await?;
    let _ = stop_tx.send(true);
    let _ = sealer.await;
    tracing::info!("stopped");
    Ok(())
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

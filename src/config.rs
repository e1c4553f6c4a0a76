//! Configuration from the environment (`REDPROP_*`, `DATABASE_URL`), overridable by CLI flags.
//! Every setting has a default that runs: with nothing set, the service serves on
//! 127.0.0.1:8080 with an SQLite file under ./data.

use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: String,
    pub data_dir: PathBuf,
    /// `postgres://…` or `sqlite://PATH` / a plain path. `None`: `<data_dir>/redprop.sqlite3`.
    pub database_url: Option<String>,
    pub jwt_secret: Option<String>,
    /// Key of the keyed hash of ID numbers (`REDPROP_ID_HASH_KEY`); generated into the data
    /// folder if unset. Must never change once owners are registered.
    pub id_hash_key: Option<String>,
    pub log_json: bool,
    pub cors_origins: Vec<String>,
    /// Lifetime of an access token, in seconds.
    pub access_token_ttl_secs: i64,
    /// Lifetime of a refresh token family, in seconds.
    pub refresh_token_ttl_secs: i64,
    /// Largest JSON request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest attachment accepted, in bytes (`REDPROP_MAX_ATTACHMENT_BYTES`, 10 MiB).
    pub max_attachment_bytes: usize,
    /// How often the background sealer chains new audit events, in milliseconds.
    pub audit_seal_interval_ms: u64,
    /// Behind a reverse proxy: the header in which the proxy puts the client's address
    /// (e.g. `X-Real-IP`), used for login throttling per source. Unset: the peer address.
    pub client_ip_header: Option<String>,
    /// PostgreSQL connections of the process (`REDPROP_DB_POOL_SIZE`; 16 unless set).
    pub db_pool_size: Option<u32>,
    /// Connections served at once (`REDPROP_MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// Seconds to receive a request head, and the longest idle time of a kept-alive connection
    /// (`REDPROP_HEADER_READ_TIMEOUT_SECS`).
    pub header_read_timeout_secs: u64,
    /// Seconds from a request's head to its response (`REDPROP_REQUEST_TIMEOUT_SECS`).
    pub request_timeout_secs: u64,
    /// Seconds after a refresh in which the replaced refresh token still yields the current
    /// pair (two tabs refreshing at once) instead of ending the session.
    pub refresh_grace_secs: i64,
    /// `REDPROP_TEST_CLOCK=1`: administrators may move the service's clock forward (never in
    /// production; the server warns at start and marks every response).
    pub test_clock: bool,
}

/// The attachment limit unless configured: 10 MiB.
pub const DEFAULT_MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            jwt_secret: None,
            id_hash_key: None,
            log_json: false,
            cors_origins: Vec::new(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            max_body_bytes: 1024 * 1024,
            max_attachment_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
            audit_seal_interval_ms: 500,
            client_ip_header: None,
            db_pool_size: None,
            max_connections: 4096,
            header_read_timeout_secs: 10,
            request_timeout_secs: 60,
            refresh_grace_secs: crate::domain::session::REFRESH_GRACE_SECS,
            test_clock: false,
        }
    }
}

impl Config {
    /// Reads the environment; unset or empty variables keep their defaults.
    pub fn from_env() -> anyhow::Result<Config> {
        let mut c = Config::default();
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let Some(v) = var("REDPROP_BIND") {
            c.bind = v;
        }
        if let Some(v) = var("REDPROP_DATA_DIR") {
            c.data_dir = PathBuf::from(v);
        }
        c.database_url = var("DATABASE_URL");
        c.jwt_secret = var("REDPROP_JWT_SECRET");
        c.id_hash_key = var("REDPROP_ID_HASH_KEY");
        c.log_json = var("REDPROP_LOG").is_some_and(|v| v.eq_ignore_ascii_case("json"));
        if let Some(v) = var("REDPROP_CORS_ORIGINS") {
            c.cors_origins = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(v) = var("REDPROP_ACCESS_TOKEN_TTL_SECS") {
            c.access_token_ttl_secs = parse_positive("REDPROP_ACCESS_TOKEN_TTL_SECS", &v)?;
        }
        c.client_ip_header = var("REDPROP_CLIENT_IP_HEADER");
        if let Some(v) = var("REDPROP_AUDIT_SEAL_INTERVAL_MS") {
            c.audit_seal_interval_ms = parse_positive("REDPROP_AUDIT_SEAL_INTERVAL_MS", &v)? as u64;
        }
        if let Some(v) = var("REDPROP_MAX_BODY_BYTES") {
            c.max_body_bytes = parse_positive("REDPROP_MAX_BODY_BYTES", &v)? as usize;
        }
        if let Some(v) = var("REDPROP_MAX_ATTACHMENT_BYTES") {
            c.max_attachment_bytes = parse_positive("REDPROP_MAX_ATTACHMENT_BYTES", &v)? as usize;
        }
        c.test_clock = var("REDPROP_TEST_CLOCK").is_some_and(|v| v.trim() == "1");
        if let Some(v) = var("REDPROP_DB_POOL_SIZE") {
            let n = parse_positive("REDPROP_DB_POOL_SIZE", &v)?;
            anyhow::ensure!(n <= 1000, "REDPROP_DB_POOL_SIZE must be at most 1000");
            c.db_pool_size = Some(n as u32);
        }
        if let Some(v) = var("REDPROP_MAX_CONNECTIONS") {
            c.max_connections = parse_positive("REDPROP_MAX_CONNECTIONS", &v)? as usize;
        }
        if let Some(v) = var("REDPROP_HEADER_READ_TIMEOUT_SECS") {
            c.header_read_timeout_secs = parse_positive("REDPROP_HEADER_READ_TIMEOUT_SECS", &v)? as u64;
        }
        if let Some(v) = var("REDPROP_REQUEST_TIMEOUT_SECS") {
            c.request_timeout_secs = parse_positive("REDPROP_REQUEST_TIMEOUT_SECS", &v)? as u64;
        }
        Ok(c)
    }

    /// What one client may cost the server.
    pub fn server_limits(&self) -> crate::http::server::Limits {
        crate::http::server::Limits {
            max_connections: self.max_connections,
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            ..crate::http::server::Limits::default()
        }
    }

    /// The database URL in force: the configured one, or the SQLite file in the data folder.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => self.data_dir.join("redprop.sqlite3").display().to_string(),
        }
    }
}

fn parse_positive(name: &str, v: &str) -> anyhow::Result<i64> {
    match v.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => anyhow::bail!("{name} must be a positive integer, got {v:?}"),
    }
}

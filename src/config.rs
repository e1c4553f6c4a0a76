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
    /// Webhook deliveries (issue 17): see `Webhooks`.
    pub webhooks: Webhooks,
    /// Where Prometheus metrics are served (`GET /metrics`); `None`: not at all.
    pub metrics_bind: Option<String>,
    /// Notices (issue 30): see `Notices`.
    pub notices: Notices,
}

/// How notices leave the service: the text-message transport and the address the links in
/// texts point to. Retries, timeouts and `allow_local` (for work-group robots) are the
/// webhooks' settings.
#[derive(Clone, Debug, Default)]
pub struct Notices {
    pub sms: SmsTransport,
    /// The pages' public address (`REDPROP_PUBLIC_URL`, e.g. `https://wuye.example.gov.cn`), put
    /// before a notice's link in a text; unset, a text names the owner's page instead.
    pub public_url: Option<String>,
}

/// The text-message transport (`REDPROP_SMS`).
#[derive(Clone, Debug, Default)]
pub enum SmsTransport {
    /// No texts at all (the default): notices reach inboxes and work groups only.
    #[default]
    Off,
    /// Development: a text is written to the log (without its number) and counted as accepted.
    Log,
    /// Alibaba Cloud SMS (阿里云短信服务, `SendSms` / `QuerySendDetails`).
    Aliyun(AliyunSms),
}

/// An Alibaba Cloud SMS account: the access key, the approved signature and template. The
/// template takes the variables `matter`, `time` and `place`.
#[derive(Clone)]
pub struct AliyunSms {
    /// `https://dysmsapi.aliyuncs.com/` unless set (`REDPROP_SMS_ENDPOINT`).
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub sign_name: String,
    pub template_code: String,
}

impl std::fmt::Debug for AliyunSms {
    /// Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AliyunSms")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("sign_name", &self.sign_name)
            .field("template_code", &self.template_code)
            .finish_non_exhaustive()
    }
}

/// How webhooks are delivered.
#[derive(Clone, Debug)]
pub struct Webhooks {
    /// Wait after the first failed attempt; doubled after each further one, up to six hours.
    pub retry_base: std::time::Duration,
    /// Attempts before a delivery is marked failed (it can then be replayed).
    pub max_attempts: u32,
    /// How often this process looks for due deliveries that another replica's commands made (its
    /// own commands wake it at once).
    pub poll: std::time::Duration,
    /// Longest time one attempt may take, connecting included.
    pub timeout: std::time::Duration,
    /// How long a rotated secret's previous generation still signs deliveries.
    pub secret_overlap_secs: i64,
    /// Development and tests only: take `http://` and loopback or private addresses.
    pub allow_local: bool,
}

impl Default for Webhooks {
    fn default() -> Self {
        Webhooks {
            retry_base: std::time::Duration::from_secs(60),
            max_attempts: 12,
            poll: std::time::Duration::from_secs(1),
            timeout: std::time::Duration::from_secs(10),
            secret_overlap_secs: 24 * 3600,
            allow_local: false,
        }
    }
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
            webhooks: Webhooks::default(),
            metrics_bind: None,
            notices: Notices::default(),
        }
    }
}

impl Config {
    /// Reads the environment; unset or empty variables keep their defaults.
    /// The configuration from the settings (each a flag or its environment variable) over the
    /// defaults.
    pub fn from_settings(s: &Settings) -> anyhow::Result<Config> {
        let mut c = Config::default();
        let text = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        if let Some(v) = text(&s.bind) {
            c.bind = v;
        }
        if let Some(v) = &s.data_dir {
            c.data_dir = v.clone();
        }
        c.database_url = text(&s.database_url);
        c.jwt_secret = text(&s.jwt_secret);
        c.id_hash_key = text(&s.id_hash_key);
        c.log_json = s.log.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("json"));
        if let Some(v) = text(&s.cors_origins) {
            c.cors_origins = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        c.client_ip_header = text(&s.client_ip_header);
        c.test_clock = s.test_clock;
        let set = |target: &mut i64, v: Option<u64>| {
            if let Some(v) = v {
                *target = v as i64;
            }
        };
        set(&mut c.access_token_ttl_secs, s.access_token_ttl_secs);
        set(&mut c.refresh_token_ttl_secs, s.refresh_token_ttl_secs);
        set(&mut c.refresh_grace_secs, s.refresh_grace_secs);
        if let Some(v) = s.audit_seal_interval_ms {
            c.audit_seal_interval_ms = v;
        }
        if let Some(v) = s.max_body_bytes {
            c.max_body_bytes = v as usize;
        }
        if let Some(v) = s.max_attachment_bytes {
            c.max_attachment_bytes = v as usize;
        }
        c.db_pool_size = s.db_pool_size.map(|n| n as u32);
        if let Some(v) = s.max_connections {
            c.max_connections = v as usize;
        }
        if let Some(v) = s.header_read_timeout_secs {
            c.header_read_timeout_secs = v;
        }
        if let Some(v) = s.request_timeout_secs {
            c.request_timeout_secs = v;
        }
        let w = &mut c.webhooks;
        if let Some(v) = s.webhook_retry_base_ms {
            w.retry_base = std::time::Duration::from_millis(v);
        }
        if let Some(v) = s.webhook_max_attempts {
            w.max_attempts = v as u32;
        }
        if let Some(v) = s.webhook_poll_ms {
            w.poll = std::time::Duration::from_millis(v);
        }
        if let Some(v) = s.webhook_timeout_secs {
            w.timeout = std::time::Duration::from_secs(v);
        }
        if let Some(v) = s.webhook_secret_overlap_secs {
            w.secret_overlap_secs = v as i64;
        }
        w.allow_local = s.webhook_allow_local;
        c.metrics_bind = text(&s.metrics_bind);
        c.notices.public_url = text(&s.public_url).map(|u| u.trim_end_matches('/').to_string());
        c.notices.sms = match text(&s.sms).as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("off") => SmsTransport::Off,
            Some("log") => SmsTransport::Log,
            Some("aliyun") => {
                let need = |v: &Option<String>, name: &str| {
                    text(v).ok_or_else(|| anyhow::anyhow!("REDPROP_SMS=aliyun needs {name}"))
                };
                SmsTransport::Aliyun(AliyunSms {
                    endpoint: text(&s.sms_endpoint).unwrap_or_else(|| "https://dysmsapi.aliyuncs.com/".into()),
                    access_key_id: need(&s.sms_access_key_id, "REDPROP_SMS_ACCESS_KEY_ID")?,
                    access_key_secret: need(&s.sms_access_key_secret, "REDPROP_SMS_ACCESS_KEY_SECRET")?,
                    sign_name: need(&s.sms_sign_name, "REDPROP_SMS_SIGN_NAME")?,
                    template_code: need(&s.sms_template_code, "REDPROP_SMS_TEMPLATE_CODE")?,
                })
            }
            Some(other) => anyhow::bail!("REDPROP_SMS must be off, log or aliyun, not {other}"),
        };
        Ok(c)
    }

    /// What one client may cost the server.
    pub fn server_limits(&self) -> crate::http::server::Limits {
        crate::http::server::Limits {
            max_connections: self.max_connections,
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            // The largest body any operation takes, with room for a multipart envelope.
            max_drain_bytes: self
                .max_body_bytes
                .max(self.max_attachment_bytes)
                .max(crate::http::body::MAX_CSV_BYTES)
                + 64 * 1024,
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

/// Every setting of the service: a flag, or the environment variable named beside it (the flag
/// wins), each with its default; `redprop serve --help` lists them all.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Settings {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "REDPROP_BIND", global = true)]
    pub bind: Option<String>,
    /// Data folder: the SQLite file and the generated keys [default: ./data].
    #[arg(long, env = "REDPROP_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` switches to PostgreSQL [default: <data dir>/redprop.sqlite3].
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Token signing key, at least 32 random characters; the same for every replica [default:
    /// generated once into <data dir>/jwt.secret].
    #[arg(long, env = "REDPROP_JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Key of the keyed hash of ID numbers, at least 32 random characters; never change it once
    /// owners are registered [default: generated once into <data dir>/id-hash.key].
    #[arg(long, env = "REDPROP_ID_HASH_KEY", global = true, hide_env_values = true)]
    pub id_hash_key: Option<String>,
    /// `json` for JSON log lines [default: readable lines].
    #[arg(long, env = "REDPROP_LOG", global = true)]
    pub log: Option<String>,
    /// Log filter, e.g. `info` or `redprop=debug` [default: info].
    #[arg(long, env = "REDPROP_LOG_LEVEL", global = true)]
    pub log_level: Option<String>,
    /// Origins allowed by CORS, comma-separated [default: none].
    #[arg(long, env = "REDPROP_CORS_ORIGINS", global = true)]
    pub cors_origins: Option<String>,
    /// Lifetime of an access token, seconds [default: 900].
    #[arg(long, env = "REDPROP_ACCESS_TOKEN_TTL_SECS", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub access_token_ttl_secs: Option<u64>,
    /// Lifetime of a session's refresh tokens, seconds [default: 2592000, 30 days].
    #[arg(long, env = "REDPROP_REFRESH_TOKEN_TTL_SECS", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub refresh_token_ttl_secs: Option<u64>,
    /// Seconds in which a replaced refresh token still yields the current pair (two tabs
    /// refreshing at once) [default: 10].
    #[arg(long, env = "REDPROP_REFRESH_GRACE_SECS", global = true, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub refresh_grace_secs: Option<u64>,
    /// Largest JSON request body, bytes [default: 1048576].
    #[arg(long, env = "REDPROP_MAX_BODY_BYTES", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_body_bytes: Option<u64>,
    /// Largest attachment (photo, scan, PDF), bytes [default: 10485760].
    #[arg(long, env = "REDPROP_MAX_ATTACHMENT_BYTES", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_attachment_bytes: Option<u64>,
    /// How often new audit events are chained, milliseconds [default: 500].
    #[arg(long, env = "REDPROP_AUDIT_SEAL_INTERVAL_MS", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub audit_seal_interval_ms: Option<u64>,
    /// Behind a proxy: the header holding the client's address (e.g. X-Real-IP), for login
    /// throttling [default: the peer address].
    #[arg(long, env = "REDPROP_CLIENT_IP_HEADER", global = true)]
    pub client_ip_header: Option<String>,
    /// PostgreSQL connections of the process, 1–1000 [default: 16].
    #[arg(long, env = "REDPROP_DB_POOL_SIZE", global = true, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub db_pool_size: Option<u64>,
    /// Connections served at once; one more is answered 503 [default: 4096].
    #[arg(long, env = "REDPROP_MAX_CONNECTIONS", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,
    /// Seconds to send a request head, and the longest idle keep-alive [default: 10].
    #[arg(long, env = "REDPROP_HEADER_READ_TIMEOUT_SECS", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: Option<u64>,
    /// Seconds from a request's head to its response [default: 60].
    #[arg(long, env = "REDPROP_REQUEST_TIMEOUT_SECS", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: Option<u64>,
    /// Administrators may move the clock forward: testing only, never in production.
    #[arg(long, env = "REDPROP_TEST_CLOCK", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub test_clock: bool,
    /// Webhooks: wait after a delivery's first failed attempt, doubled after each further one
    /// up to six hours, milliseconds [default: 60000].
    #[arg(long, env = "REDPROP_WEBHOOK_RETRY_BASE_MS", global = true, value_parser = clap::value_parser!(u64).range(1..=21_600_000))]
    pub webhook_retry_base_ms: Option<u64>,
    /// Webhooks: attempts before a delivery is marked failed (it can be replayed) [default: 12].
    #[arg(long, env = "REDPROP_WEBHOOK_MAX_ATTEMPTS", global = true, value_parser = clap::value_parser!(u64).range(1..=50))]
    pub webhook_max_attempts: Option<u64>,
    /// Webhooks: how often to look for deliveries due, milliseconds [default: 1000].
    #[arg(long, env = "REDPROP_WEBHOOK_POLL_MS", global = true, value_parser = clap::value_parser!(u64).range(10..=600_000))]
    pub webhook_poll_ms: Option<u64>,
    /// Webhooks: longest time of one attempt, seconds [default: 10].
    #[arg(long, env = "REDPROP_WEBHOOK_TIMEOUT_SECS", global = true, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub webhook_timeout_secs: Option<u64>,
    /// Webhooks: how long a rotated secret still signs, seconds [default: 86400].
    #[arg(long, env = "REDPROP_WEBHOOK_SECRET_OVERLAP_SECS", global = true, value_parser = clap::value_parser!(u64).range(0..=2_592_000))]
    pub webhook_secret_overlap_secs: Option<u64>,
    /// Webhooks may go to http:// and to loopback or private addresses: development and tests
    /// only (otherwise https to public addresses only).
    #[arg(long, env = "REDPROP_WEBHOOK_ALLOW_LOCAL", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub webhook_allow_local: bool,
    /// Address of the Prometheus metrics (`GET /metrics`), apart from the API's, e.g.
    /// 127.0.0.1:9090 [default: off].
    #[arg(long, env = "REDPROP_METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,
    /// The pages' public address, put before the links in text messages, e.g.
    /// https://wuye.example.gov.cn [default: none].
    #[arg(long, env = "REDPROP_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Text messages to owners: off, log (development: written to the log without the number)
    /// or aliyun (Alibaba Cloud SMS) [default: off].
    #[arg(long, env = "REDPROP_SMS", global = true)]
    pub sms: Option<String>,
    /// Alibaba Cloud SMS: the API's address [default: https://dysmsapi.aliyuncs.com/].
    #[arg(long, env = "REDPROP_SMS_ENDPOINT", global = true)]
    pub sms_endpoint: Option<String>,
    /// Alibaba Cloud SMS: the AccessKey ID.
    #[arg(long, env = "REDPROP_SMS_ACCESS_KEY_ID", global = true)]
    pub sms_access_key_id: Option<String>,
    /// Alibaba Cloud SMS: the AccessKey secret (give it by the environment, not on the command line).
    #[arg(long, env = "REDPROP_SMS_ACCESS_KEY_SECRET", global = true, hide_env_values = true)]
    pub sms_access_key_secret: Option<String>,
    /// Alibaba Cloud SMS: the approved signature (签名名称).
    #[arg(long, env = "REDPROP_SMS_SIGN_NAME", global = true)]
    pub sms_sign_name: Option<String>,
    /// Alibaba Cloud SMS: the approved template's code (模板CODE), with the variables matter, time and place.
    #[arg(long, env = "REDPROP_SMS_TEMPLATE_CODE", global = true)]
    pub sms_template_code: Option<String>,
}

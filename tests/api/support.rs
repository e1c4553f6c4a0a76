//! The test app: a fresh database per test (an SQLite file in its own folder, or a new
//! PostgreSQL database when REDPROP_TEST_POSTGRES_URL is set), the real app in-process, and
//! small helpers to call it.

use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderMap, Method, StatusCode};
use poem::test::TestClient;
use poem::{EndpointExt, Response};
use redprop::config::Config;
use redprop::AppState;
use serde_json::{json, Value};

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-0001";

/// The sample companies (../shared/data/companies.csv), with valid credit codes.
pub const COMPANIES: [(&str, &str, &str); 5] = [
    ("长治市和顺物业服务有限公司", "91140400M9198T3X56", "own_branch"),
    ("平顺县青羊物业管理有限公司", "911404253W8RHHJY6T", "joint_branch"),
    ("壶关县凤凰城物业服务有限公司", "91140427MX63A8PP4Q", "instructor"),
    ("武乡县阳光物业服务有限公司", "91140429KJ6D1U0C3L", "none"),
    ("山西红盾物业管理有限公司", "91140000B1U5U1YE0Y", "own_branch"),
];

type App = BoxEndpoint<'static, Response>;

pub struct TestApp {
    pub state: AppState,
    pub client: TestClient<App>,
    dir: PathBuf,
    _pg: Option<PgDatabase>,
}

/// A fresh PostgreSQL database, dropped with this guard.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// `None` when REDPROP_TEST_POSTGRES_URL is not set.
    pub fn create() -> Option<PgDatabase> {
        let admin_url = std::env::var("REDPROP_TEST_POSTGRES_URL")
            .ok()
            .filter(|s| !s.is_empty())?;
        let name = format!("redprop_t_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::establish(&admin_url).expect("REDPROP_TEST_POSTGRES_URL must be reachable");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let url = with_database(&admin_url, &name);
        Some(PgDatabase { admin_url, name, url })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(&self.admin_url) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

pub struct County {
    pub county: String,
    pub bureau: String,
    pub town: String,
    pub comm_a: String,
    pub comm_b: String,
    pub work_unit: String,
}

/// A valid national ID number (GB 11643 check digit) of an adult, distinct for each `n` < 1000.
pub fn id_number(n: u32) -> String {
    let body = format!("14042519800101{:03}", n % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body}{check}")
}

/// A sample spreadsheet from tests/fixtures.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A server on a real socket; stops when dropped.
pub struct Listening {
    pub addr: std::net::SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Listening {
    /// Sends raw bytes on a new connection and reads one response (head and body).
    pub async fn raw(&self, request: &[u8]) -> RawResponse {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        // The server may answer (and close) before all of a huge request is written.
        let _ = s.write_all(request).await;
        let mut buf = Vec::new();
        let read = async {
            let mut chunk = [0u8; 8192];
            loop {
                match s.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
                if let Some(r) = RawResponse::parse(&buf) {
                    return Some(r);
                }
            }
            RawResponse::parse(&buf)
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), read)
            .await
            .expect("an answer within 10 s")
            .unwrap_or_else(|| panic!("no complete response: {:?}", String::from_utf8_lossy(&buf)))
    }
}

/// An HTTP/1.1 response read off a socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn parse(buf: &[u8]) -> Option<RawResponse> {
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let body = buf.get(end + 4..end + 4 + len)?.to_vec();
        Some(RawResponse { status, headers, body })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The problem's `code`, after checking the status and that the body is problem+json.
    #[track_caller]
    pub fn problem(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{self:?}"
        );
        let v: Value = serde_json::from_slice(&self.body).expect("a JSON body");
        assert_eq!(v["status"], json!(status));
        v["code"].as_str().expect("a code").to_string()
    }
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Res {
    #[track_caller]
    pub fn expect(self, status: u16) -> Res {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self
    }

    /// The problem's `code`, after checking that the response is problem+json.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &str {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        let ct = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            ct.starts_with("application/problem+json"),
            "content-type was {ct:?}; body {}",
            self.body
        );
        assert_eq!(self.body["status"], json!(status));
        self.body["code"].as_str().expect("problem has a code")
    }

    pub fn s(&self, key: &str) -> String {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("no string `{key}` in {}", self.body))
            .to_string()
    }
}

/// How a request authenticates.
#[derive(Clone, Copy)]
pub enum As<'a> {
    Nobody,
    Bearer(&'a str),
    Key(&'a str),
}

pub fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("redprop-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `postgres://u@h:p/db?x` with the database name replaced.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[after_scheme..]
        .find('/')
        .map(|i| after_scheme + i)
        .unwrap_or(base.len());
    format!("{}/{db}{query}", &base[..host_end])
}

/// The service's defaults, except that tokens outlive the clock moves tests make (weeks): a
/// test that is about expiry sets its own lifetimes.
fn test_config() -> Config {
    Config {
        access_token_ttl_secs: 120 * 86_400,
        refresh_token_ttl_secs: 365 * 86_400,
        ..Config::default()
    }
}

impl TestApp {
    pub fn sqlite() -> TestApp {
        Self::sqlite_with(|_| {})
    }

    pub fn sqlite_with(tune: impl FnOnce(&mut Config)) -> TestApp {
        let dir = temp_dir();
        let mut config = Config {
            data_dir: dir.clone(),
            ..test_config()
        };
        tune(&mut config);
        Self::start(config, dir, None)
    }

    /// `None` when REDPROP_TEST_POSTGRES_URL is not set (the PostgreSQL half of a test is then
    /// skipped; CI sets it).
    pub fn postgres() -> Option<TestApp> {
        Self::postgres_with(|_| {})
    }

    pub fn postgres_with(tune: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let pg = PgDatabase::create()?;
        let dir = temp_dir();
        let mut config = Config {
            data_dir: dir.clone(),
            database_url: Some(pg.url.clone()),
            ..test_config()
        };
        tune(&mut config);
        Some(Self::start(config, dir, Some(pg)))
    }

    /// The app's clock (the one every window and deadline reads).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.db.clock().now().and_utc()
    }

    /// Today in China Standard Time, by the app's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        redprop::domain::ids::local_date(self.state.db.clock().now())
    }

    /// The day in China Standard Time of the instant `d` from the app's now (YYYY-MM-DD).
    pub fn local_day_of(&self, d: chrono::Duration) -> String {
        redprop::domain::ids::local_date((self.now() + d).naive_utc()).to_string()
    }

    /// The date `offset` days from the app's today (YYYY-MM-DD).
    pub fn day(&self, offset: i64) -> String {
        (self.today() + chrono::Duration::days(offset)).to_string()
    }

    /// `d` from the app's now, as RFC 3339.
    pub fn at(&self, d: chrono::Duration) -> String {
        (self.now() + d).to_rfc3339()
    }

    /// Moves the app's clock forward (as `POST /api/v1/test-clock/advance` does).
    pub fn advance(&self, d: chrono::Duration) {
        self.state.db.clock().advance(d.num_seconds());
    }

    /// The same database and keys, served with a changed configuration.
    pub fn with_config(mut self, tune: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = (*self.state.config).clone();
        tune(&mut config);
        self.state = AppState::init(config).expect("app restarts");
        self.client = TestClient::new(redprop::build_app(&self.state).boxed());
        self
    }

    fn start(config: Config, dir: PathBuf, pg: Option<PgDatabase>) -> TestApp {
        let state = AppState::init(config).expect("app starts");
        let app: App = redprop::build_app(&state).boxed();
        let client = TestClient::new(app);
        let t = TestApp {
            state,
            client,
            dir,
            _pg: pg,
        };
        t.create_admin();
        t
    }

    fn create_admin(&self) {
        use redprop::domain::policy::Role;
        use redprop::http::accounts::{create_user, GrantInput, NewUser};
        let input = NewUser {
            username: ADMIN.into(),
            display_name: "Administrator".into(),
            password: ADMIN_PASSWORD.into(),
            grants: vec![GrantInput {
                role: Role::Admin,
                scope_id: None,
            }],
        };
        let hash = redprop::crypto::hash_password(ADMIN_PASSWORD);
        let actor = redprop::db::audit::Actor::system("test");
        self.state
            .db
            .command_blocking(|c, trail| create_user(c, trail, &actor, &input, hash))
            .unwrap();
    }

    pub async fn call(&self, method: Method, path: &str, auth: As<'_>, body: Option<Value>) -> Res {
        let mut req = self.client.request(method.clone(), path);
        req = match auth {
            As::Nobody => req,
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
            As::Key(k) => req.header("x-api-key", k),
        };
        if let Some(b) = body {
            req = req.body_json(&b);
        }
        Self::read(&method, path, req.send().await.0).await
    }

    /// A PUT made against the version of the record read (as who) at `read_path`: its `ETag`
    /// sent as `If-Match`, as a client that read the record before changing it does.
    pub async fn put_matching(&self, path: &str, read_path: &str, auth: As<'_>, body: Value) -> Res {
        let tag = self.get(read_path, auth).await.expect(200).headers["etag"]
            .to_str()
            .unwrap()
            .to_string();
        let mut req = self.client.request(Method::PUT, path).header("if-match", tag);
        req = match auth {
            As::Nobody => req,
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
            As::Key(k) => req.header("x-api-key", k),
        };
        Self::read(&Method::PUT, path, req.body_json(&body).send().await.0).await
    }

    /// A request with a raw body and content type, for malformed-input tests.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: As<'_>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Res {
        let auth = match auth {
            As::Nobody => None,
            As::Bearer(t) => Some(("authorization", format!("Bearer {t}"))),
            As::Key(k) => Some(("x-api-key", k.to_string())),
        };
        let headers: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.raw_with(method, path, &headers, content_type, body).await
    }

    /// `raw`, with these headers.
    pub async fn raw_with(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Res {
        let mut req = self.client.request(method.clone(), path).body(body);
        if let Some(ct) = content_type {
            req = req.content_type(ct);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::read(&method, path, req.send().await.0).await
    }

    /// The answer, after holding it to the API document (`contract`).
    async fn read(method: &Method, path: &str, resp: Response) -> Res {
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().into_vec().await.unwrap();
        crate::contract::assert_conforms(method.as_str(), path, status.as_u16(), &headers, &bytes);
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Res { status, headers, body }
    }

    /// A request with extra headers (a source address in `x-real-ip`, two credentials, ...).
    pub async fn call_with(&self, method: Method, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Res {
        let mut req = self.client.request(method.clone(), path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body_json(&b);
        }
        Self::read(&method, path, req.send().await.0).await
    }

    /// Logs in from a source address (the app must be configured with
    /// `client_ip_header = "x-real-ip"`, see `with_sources`).
    pub async fn login_from(&self, source: &str, username: &str, password: &str) -> Res {
        self.call_with(
            Method::POST,
            "/api/v1/auth/login",
            &[("x-real-ip", source)],
            Some(json!({ "username": username, "password": password })),
        )
        .await
    }

    /// The app told to take the client's address from `x-real-ip`, so that tests can speak from
    /// several addresses.
    pub fn with_sources(self) -> TestApp {
        self.with_config(|c| c.client_ip_header = Some("x-real-ip".into()))
    }

    pub async fn get(&self, path: &str, auth: As<'_>) -> Res {
        self.call(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: As<'_>, body: Value) -> Res {
        self.call(Method::POST, path, auth, Some(body)).await
    }

    pub async fn delete(&self, path: &str, auth: As<'_>) -> Res {
        self.call(Method::DELETE, path, auth, None).await
    }

    pub async fn login_res(&self, username: &str, password: &str) -> Res {
        self.post(
            "/api/v1/auth/login",
            As::Nobody,
            json!({ "username": username, "password": password }),
        )
        .await
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        self.login_res(username, password).await.expect(200).s("access_token")
    }

    pub async fn admin_token(&self) -> String {
        self.login(ADMIN, ADMIN_PASSWORD).await
    }

    /// Creates an account with the given grants (role, scope) and returns its id.
    pub async fn create_user(
        &self,
        admin: &str,
        username: &str,
        password: &str,
        grants: &[(&str, Option<&str>)],
    ) -> String {
        let grants: Vec<Value> = grants
            .iter()
            .map(|(r, s)| json!({ "role": r, "scope_id": s }))
            .collect();
        self.post(
            "/api/v1/users",
            As::Bearer(admin),
            json!({ "username": username, "display_name": username, "password": password, "grants": grants }),
        )
        .await
        .expect(201)
        .s("id")
    }

    /// Registers the i-th company of the sample file (valid credit codes) in a county and
    /// returns its id.
    pub async fn create_company(&self, token: &str, i: usize, county: &str) -> String {
        let (name, code, coverage) = COMPANIES[i];
        self.post(
            "/api/v1/companies",
            As::Bearer(token),
            json!({ "name": name, "credit_code": code, "party_coverage": coverage, "county_id": county }),
        )
        .await
        .expect(201)
        .s("id")
    }

    /// Creates an organisation and returns its id.
    pub async fn org(&self, token: &str, kind: &str, name: &str, parent: Option<&str>) -> String {
        self.post(
            "/api/v1/orgs",
            As::Bearer(token),
            json!({ "kind": kind, "name": name, "parent_id": parent }),
        )
        .await
        .expect(201)
        .s("id")
    }

    /// A county with its housing bureau, a township with two communities, and a work unit.
    pub async fn county(&self, admin: &str) -> County {
        let county = self.org(admin, "county", "平顺县", None).await;
        let bureau = self.org(admin, "housing_bureau", "住建局", Some(&county)).await;
        let town = self.org(admin, "township", "青羊镇", Some(&county)).await;
        let comm_a = self.org(admin, "community", "东街社区", Some(&town)).await;
        let comm_b = self.org(admin, "community", "西街社区", Some(&town)).await;
        let work_unit = self.org(admin, "work_unit", "供电公司", Some(&county)).await;
        County {
            county,
            bureau,
            town,
            comm_a,
            comm_b,
            work_unit,
        }
    }

    /// An owner of a one-unit estate of its own in the county's first community; returns the
    /// owner's id (for accounts that need a real owner to be scoped to).
    pub async fn lone_owner(&self, admin: &str, k: &County) -> String {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
        let id = id_number(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let estate = self
            .estate(admin, &format!("散户{}", uuid::Uuid::now_v7().simple()), &k.comm_a)
            .await;
        self.import(
            admin,
            &estate,
            format!("楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,销售状态\n1号楼,101,90,实测,文兰,{id},已交付\n")
                .into_bytes(),
        )
        .await
        .expect(201);
        self.get(&format!("/api/v1/estates/{estate}/owners"), As::Bearer(admin))
            .await
            .body["items"][0]["id"]
            .as_str()
            .expect("the imported owner")
            .to_string()
    }

    /// Creates a department organisation of a county and a user for it; returns (department id,
    /// token).
    pub async fn department(&self, admin: &str, county: &str, code: &str) -> (String, String) {
        let id = self
            .post(
                "/api/v1/orgs",
                As::Bearer(admin),
                json!({ "kind": "department", "name": code, "parent_id": county, "department_code": code }),
            )
            .await
            .expect(201)
            .s("id");
        let user = format!("dept-{code}-{}", &id[id.len() - 6..]);
        self.create_user(admin, &user, "department-password", &[("department", Some(&id))])
            .await;
        (id.clone(), self.login(&user, "department-password").await)
    }

    /// Serves the app on a real socket (127.0.0.1, a free port) until the returned guard drops:
    /// for what only a real connection shows (limits, parse errors, timeouts).
    pub async fn listen(&self) -> Listening {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = self.state.clone();
        tokio::spawn(async move {
            let _ = redprop::serve_on(state, listener, async {
                let _ = stopped.await;
            })
            .await;
        });
        Listening { addr, _stop: stop }
    }

    /// Creates a commercial estate in a community and returns its id.
    pub async fn estate(&self, token: &str, name: &str, community: &str) -> String {
        self.post(
            "/api/v1/estates",
            As::Bearer(token),
            json!({ "name": name, "kind": "commercial", "community_id": community }),
        )
        .await
        .expect(201)
        .s("id")
    }

    /// Uploads a spreadsheet to an estate's import.
    pub async fn import(&self, token: &str, estate: &str, bytes: Vec<u8>) -> Res {
        self.raw(
            Method::POST,
            &format!("/api/v1/estates/{estate}/import"),
            As::Bearer(token),
            Some("text/csv"),
            bytes,
        )
        .await
    }

    /// Opens an account for an owner with an activation code and logs in; returns the token.
    pub async fn owner_account(&self, admin: &str, owner_id: &str, username: &str) -> String {
        let code = self
            .post(
                &format!("/api/v1/owners/{owner_id}/activation-codes"),
                As::Bearer(admin),
                json!({}),
            )
            .await
            .expect(201)
            .s("code");
        self.post(
            "/api/v1/owners/activate",
            As::Nobody,
            json!({ "code": code, "username": username, "password": "owner-password-1" }),
        )
        .await
        .expect(201);
        self.login(username, "owner-password-1").await
    }

    /// Runs the audit sealer until nothing is pending (the server does this in the background).
    pub fn seal(&self) {
        self.state.seal_all().unwrap();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs an `async fn(TestApp)` once on SQLite and once on PostgreSQL (when configured).
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::TestApp::sqlite()).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::postgres() {
                    super::$name(app).await
                }
            }
        }
    };
}

#[test]
fn database_name_replacement() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1", "x"),
        "postgres://postgres@127.0.0.1/x"
    );
    assert_eq!(
        with_database("postgres://h/db?sslmode=disable", "x"),
        "postgres://h/x?sslmode=disable"
    );
}

/// Runs futures concurrently on the current task.
pub async fn futures_join<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = fs.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}

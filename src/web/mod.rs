//! The web pages (issue 16): owners' phone pages, the officials' console and the public estate
//! page, served by this binary under `/web`. They are clients of `/api/v1` only; nothing here
//! decides anything.
//!
//! No build step: the pages are ES modules (`pages/`) and pinned, vendored libraries (`vendor/`,
//! refreshed and hash-checked by `scripts/web-vendor`), embedded in the binary with their gzip and
//! brotli forms made when it was built (`build.rs`). At start each file gets a content-hashed name
//! (`app.3f2a…mjs`) and is served with a year-long immutable cache. Modules import each other by bare names (`app/api`, `preact`); the
//! one HTML shell carries the import map from those names to the hashed files, so a change to one
//! module changes only its own name. The shell itself is revalidated (ETag) on every load.
//!
//! The content security policy allows scripts from this origin and the one inline script (the
//! import map) by its hash: no other inline script, no `eval`.

mod board_page;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use bytes::Bytes;

use poem::http::{header, HeaderValue, StatusCode};
use poem::{handler, Request, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::http::compress::{encode, negotiate, Coding};

#[derive(RustEmbed)]
#[folder = "src/web/pages/"]
#[prefix = "pages/"]
struct Pages;

#[derive(RustEmbed)]
#[folder = "src/web/vendor/"]
#[prefix = "vendor/"]
struct Vendor;

/// Every embedded file, by its path (`pages/…`, `vendor/…`). The vendor manifest is for the
/// refresh script, not the browser.
fn files() -> impl Iterator<Item = (String, Bytes)> {
    let pages = Pages::iter().filter_map(|p| Pages::get(&p).map(|f| (p.to_string(), bytes_of(f.data))));
    let vendor = Vendor::iter().filter_map(|p| Vendor::get(&p).map(|f| (p.to_string(), bytes_of(f.data))));
    pages.chain(vendor).filter(|(p, _)| p != "vendor/vendor.json")
}

/// An embedded file without a copy (a release build holds it in the binary).
fn bytes_of(data: Cow<'static, [u8]>) -> Bytes {
    match data {
        Cow::Borrowed(b) => Bytes::from_static(b),
        Cow::Owned(v) => Bytes::from(v),
    }
}

/// The files as they were when the binary was built, with their gzip and brotli forms (`build.rs`):
/// (path, file, gzip, brotli).
type Precompressed = (
    &'static str,
    &'static [u8],
    Option<&'static [u8]>,
    Option<&'static [u8]>,
);
static PRECOMPRESSED: &[Precompressed] = include!(concat!(env!("OUT_DIR"), "/web_compressed.rs"));

/// Where the hashed files are served.
const ASSETS: &str = "/web/assets/";
/// The shell: every page path under `/web` answers with it; the pages route in the browser.
const SHELL: &str = "pages/index.html";
/// The route table, shared with the shell's router (`main.mjs`).
const ROUTES: &str = "pages/routes.json";

/// The bare names modules import by, for the vendored libraries.
const VENDOR_NAMES: [(&str, &str); 5] = [
    ("preact", "vendor/preact.mjs"),
    ("preact/hooks", "vendor/preact-hooks.mjs"),
    ("htm", "vendor/htm.mjs"),
    // A UMD build: imported for its effect, it sets `self.echarts` (officials' pages only).
    ("echarts", "vendor/echarts.simple.min.js"),
    // Draws the QR codes of printed activation slips (loaded with that page only).
    ("qrcode", "vendor/qrcode.mjs"),
];

struct Asset {
    content_type: &'static str,
    body: Bytes,
    /// Present when compression saves something.
    gzip: Option<Bytes>,
    br: Option<Bytes>,
}

struct Shell {
    asset: Asset,
    etag: String,
}

struct Site {
    /// Hashed path (after `/web/assets/`) → file.
    assets: BTreeMap<String, Asset>,
    /// The shell of a path no route names (and of `/web/`).
    default_shell: Shell,
    /// Page module → its shell (the same page, with that module's preloads).
    shells: BTreeMap<String, Shell>,
    /// Route patterns (split at `/`, `:x` matching any segment) → module.
    patterns: Vec<(Vec<String>, String)>,
    csp: String,
    /// The stylesheet, inlined into the server-rendered page, and that page's policy (its
    /// style by hash; no script at all).
    css: String,
    page_csp: String,
    icon: String,
}

fn digest_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "mjs" | "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" | "webmanifest" => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}

/// A file with its compressed forms: those made when the binary was built while the file is
/// the one they were made from (a debug build reads the files from disk, which may have changed
/// since), else made now, once, at a fast level: the shells, made at start, are a few KiB, and the
/// best levels' tables (megabytes, zeroed per call) were most of the start-up time.
fn asset(path: &str, body: Bytes) -> Asset {
    let built = PRECOMPRESSED
        .iter()
        .find(|(p, file, _, _)| *p == path && *file == &body[..]);
    let (gzip, br) = match built {
        Some((_, _, gz, br)) => (gz.map(Bytes::from_static), br.map(Bytes::from_static)),
        None => (
            encode(Coding::Gzip, &body, false).map(Bytes::from),
            encode(Coding::Brotli, &body, false).map(Bytes::from),
        ),
    };
    Asset {
        content_type: content_type(path),
        gzip,
        br,
        body,
    }
}

/// `pages/app.mjs` → `pages/app.1a2b3c4d5e.mjs`.
fn hashed_name(path: &str, body: &[u8]) -> String {
    let hash = &digest_hex(body)[..10];
    match path.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{path}.{hash}"),
    }
}

/// A module's bare imports (`import … from "app/ui"`, also as minified: `}from"preact"`).
fn imports_of(text: &str) -> Vec<String> {
    [" from \"", "}from\""]
        .iter()
        .flat_map(|mark| {
            text.split(mark)
                .skip(1)
                .map(|p| p.split('"').next().unwrap_or("").to_string())
        })
        .collect()
}

/// The file a bare name stands for.
fn file_of(name: &str) -> Option<String> {
    match name.strip_prefix("app/") {
        Some(module) => Some(format!("pages/{module}.mjs")),
        None => VENDOR_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| p.to_string()),
    }
}

/// `file` and every module it imports, directly or not, in a stable order.
fn closure(file: &str, sources: &BTreeMap<String, Bytes>, out: &mut Vec<String>) {
    if out.iter().any(|f| f == file) {
        return;
    }
    out.push(file.to_string());
    if let Some(body) = sources.get(file) {
        for name in imports_of(&String::from_utf8_lossy(body)) {
            if let Some(dep) = file_of(&name) {
                closure(&dep, sources, out);
            }
        }
    }
}

/// Every closed set of the API's values with its Chinese label (`GET /terms` in Chinese), as
/// `{"VoteStatus": {"open": "投票中", …}, …}`: inlined into the shell so that a page names a
/// status or kind in Chinese without a request of its own.
fn terms_json() -> String {
    let sets: serde_json::Map<String, serde_json::Value> = crate::http::terms::catalogue()
        .into_iter()
        .map(|set| {
            let labels: serde_json::Map<String, serde_json::Value> = set
                .values
                .into_iter()
                .map(|v| (v.value, serde_json::Value::String(v.label)))
                .collect();
            (set.name, serde_json::Value::Object(labels))
        })
        .collect();
    // Inside <script>, "</" would end the element early.
    serde_json::Value::Object(sets).to_string().replace("</", "<\\/")
}

/// One route of `pages/routes.json`: the pattern (under `/web`) and its module.
#[derive(serde::Deserialize)]
struct RouteEntry {
    path: String,
    module: String,
}

fn build() -> Site {
    // Read once: every embedded file by its path.
    let sources: BTreeMap<String, Bytes> = files().collect();
    let text = |path: &str| {
        sources
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    let icon = icon_data_url(sources.get("pages/icon.svg").map(|b| &b[..]).unwrap_or_default());
    let mut assets = BTreeMap::new();
    let mut urls: BTreeMap<String, String> = BTreeMap::new();
    let mut shell_template = String::new();
    let mut routes_json = String::from("[]");
    for (path, body) in &sources {
        let (path, body) = (path.clone(), body.clone());
        if path == SHELL {
            shell_template = String::from_utf8_lossy(&body).into_owned();
            continue;
        }
        if path == ROUTES {
            routes_json = String::from_utf8_lossy(&body).into_owned();
            continue;
        }
        let name = hashed_name(&path, &body);
        urls.insert(path.to_string(), format!("{ASSETS}{name}"));
        assets.insert(name, asset(&path, body));
    }
    // The import map: `app/<module>` for our modules, the libraries by their package names.
    let mut imports = serde_json::Map::new();
    for (path, url) in &urls {
        if let Some(module) = path.strip_prefix("pages/").and_then(|p| p.strip_suffix(".mjs")) {
            imports.insert(format!("app/{module}"), url.clone().into());
        }
    }
    for (name, path) in VENDOR_NAMES {
        if let Some(url) = urls.get(path) {
            imports.insert(name.into(), url.clone().into());
        }
    }
    let import_map = serde_json::json!({ "imports": imports }).to_string();
    let routes: Vec<RouteEntry> = serde_json::from_str(&routes_json).unwrap_or_default();
    let compact_routes = serde_json::from_str::<serde_json::Value>(&routes_json)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| "[]".into());

    // `{{inline:pages/app.css}}` becomes the file's text (no render-blocking request);
    // `{{pages/x}}` becomes its hashed URL; `{{modulepreload}}` is filled per page below.
    let mut template = shell_template
        .replace("{{importmap}}", &import_map)
        .replace("{{routes}}", &compact_routes)
        .replace("{{terms}}", &terms_json())
        .replace("{{icon}}", &icon);
    for path in sources.keys() {
        let mark = format!("{{{{inline:{path}}}}}");
        if template.contains(&mark) {
            template = template.replace(&mark, &text(path));
        }
    }
    for (path, url) in &urls {
        template = template.replace(&format!("{{{{{path}}}}}"), url);
    }
    // One shell per page module: it preloads the shell's modules and that page's, all at once
    // (each level of the import graph fetched in turn would cost a round trip: 560 ms on a slow
    // mobile network; fetching every page's modules would queue behind the browser's six
    // connections). The charts library is loaded when a chart is drawn.
    let shell_for = |module: Option<&str>| -> Shell {
        let mut files = Vec::new();
        closure("pages/main.mjs", &sources, &mut files);
        if let Some(m) = module {
            closure(&format!("pages/{m}.mjs"), &sources, &mut files);
        }
        let preload: String = files
            .iter()
            .filter(|f| f.ends_with(".mjs"))
            .filter_map(|f| urls.get(f))
            .map(|url| format!("<link rel=\"modulepreload\" href=\"{url}\">\n"))
            .collect();
        let html = template.replace("{{modulepreload}}", &preload);
        Shell {
            etag: format!("\"{}\"", &digest_hex(html.as_bytes())[..20]),
            asset: asset(SHELL, html.into_bytes().into()),
        }
    };
    let default_shell = shell_for(None);
    let html = String::from_utf8_lossy(&default_shell.asset.body).into_owned();
    // The shell's own style, and the printed minutes' (opened by the pages in a window that
    // inherits this policy).
    let print_style = inline_hashes(
        &format!("<style>{}</style>", crate::http::meetings::print::PRINT_STYLE),
        "style",
    );
    let csp = format!(
        "default-src 'none'; script-src 'self'{}; style-src 'self'{}{print_style}; img-src 'self' data: blob:; \
         connect-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'self'",
        inline_hashes(&html, "script"),
        inline_hashes(&html, "style"),
    );
    let mut shells = BTreeMap::new();
    for r in &routes {
        shells
            .entry(r.module.clone())
            .or_insert_with(|| shell_for(Some(&r.module)));
    }
    let patterns = routes
        .into_iter()
        .map(|r| {
            let under = r.path.strip_prefix("/web").unwrap_or(&r.path).to_string();
            (under.split('/').map(str::to_string).collect(), r.module)
        })
        .collect();
    let css = text("pages/app.css");
    let page_csp = format!(
        "default-src 'none'; style-src{}; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        inline_hashes(&format!("<style>{css}</style>"), "style")
    );
    Site {
        assets,
        default_shell,
        shells,
        patterns,
        csp,
        css,
        page_csp,
        icon,
    }
}

impl Site {
    /// The shell for a path under `/web` (as the nested route sees it: `/owner/votes/1`).
    fn shell_for(&self, path: &str) -> &Shell {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.patterns
            .iter()
            .find(|(want, _)| {
                want.len() == parts.len() && want.iter().zip(&parts).all(|(w, p)| w.starts_with(':') || w == p)
            })
            .and_then(|(_, module)| self.shells.get(module))
            .unwrap_or(&self.default_shell)
    }
}

/// The icon as a `data:` URL: a page needs no request for it.
fn icon_data_url(svg: &[u8]) -> String {
    use base64::Engine;
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// `'sha256-…'` of each inline `<tag …>…</tag>` of the shell (scripts with `src` excluded): the
/// only inline code the policy lets run is what the shell itself carries.
fn inline_hashes(html: &str, tag: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut rest = html;
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    while let Some(start) = rest.find(&open) {
        let after = &rest[start..];
        let Some(head_end) = after.find('>') else { break };
        let head = &after[..head_end];
        let Some(body_len) = after[head_end + 1..].find(&close) else {
            break;
        };
        let body = &after[head_end + 1..head_end + 1 + body_len];
        // A JSON data block is never run: the policy need not allow it.
        if !head.contains(" src=") && !head.contains("application/json") {
            let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()));
            out.push_str(&format!(" 'sha256-{hash}'"));
        }
        rest = &after[head_end + 1 + body_len + close.len()..];
    }
    out
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(build)
}

fn send(req: &Request, a: &Asset, cache: &'static str) -> Response {
    let mut resp = Response::builder()
        .header(header::CONTENT_TYPE, a.content_type)
        .header(header::CACHE_CONTROL, cache)
        .header(header::VARY, "Accept-Encoding");
    let coded = match negotiate(req) {
        Some(Coding::Brotli) => {
            a.br.as_ref()
                .map(|b| (Coding::Brotli, b))
                .or(a.gzip.as_ref().map(|z| (Coding::Gzip, z)))
        }
        Some(Coding::Gzip) => a.gzip.as_ref().map(|z| (Coding::Gzip, z)),
        None => None,
    };
    let body = match coded {
        Some((coding, z)) => {
            resp = resp.header(header::CONTENT_ENCODING, coding.name());
            z.clone()
        }
        None => a.body.clone(),
    };
    if req.method() == poem::http::Method::HEAD {
        return resp.header(header::CONTENT_LENGTH, body.len()).body(());
    }
    resp.body(body)
}

/// `GET /web/assets/<hashed name>`: a year in every cache; the name changes with the content.
#[handler]
pub fn asset_file(req: &Request, poem::web::Path(name): poem::web::Path<String>) -> Response {
    match site().assets.get(&name) {
        Some(a) => send(req, a, "public, max-age=31536000, immutable"),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("text/plain; charset=utf-8")
            .body("not found"),
    }
}

/// Every page (`/web`, `/web/…`): the shell, revalidated on each load, with the pages' CSP.
#[handler]
pub fn page(req: &Request) -> Response {
    let s = site();
    let shell = s.shell_for(req.uri().path());
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == shell.etag));
    let mut resp = if fresh {
        Response::builder().status(StatusCode::NOT_MODIFIED).body(())
    } else {
        send(req, &shell.asset, "no-cache")
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&shell.etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&s.csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// `GET /web/estates/{id}`: the public estate page, rendered from the notice board (see
/// `board_page`): one self-contained response, cacheable by anyone for a minute.
#[handler]
pub async fn estate_page(
    req: &Request,
    state: poem::web::Data<&crate::AppState>,
    poem::web::Path(id): poem::web::Path<String>,
) -> Response {
    let s = site();
    let found = if id.len() <= 64 {
        state.db.read(move |c| crate::http::estates::read_board(c, &id)).await
    } else {
        Err(crate::error::AppError::NotFound { what: "estate" })
    };
    let (status, title, main, cache) = match found {
        Ok(board) => (
            StatusCode::OK,
            format!("{} 公示栏", board.name),
            board_page::render(&board),
            "public, max-age=60",
        ),
        Err(crate::error::AppError::NotFound { .. }) => (
            StatusCode::NOT_FOUND,
            "未找到".into(),
            "<h1>未找到该小区</h1><p><a href=\"/web/\">返回首页</a></p>".into(),
            "no-cache",
        ),
        Err(e) => {
            tracing::warn!(error = %e, "the public estate page could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法访问".into(),
                "<h1>暂时无法访问</h1><p>请稍后再试。</p>".into(),
                "no-store",
            )
        }
    };
    let html = board_page::document(&title, &main, &s.css, &s.icon);
    // Compressed per request, and only in the coding asked for.
    let coding = negotiate(req);
    let doc = Asset {
        content_type: "text/html; charset=utf-8",
        gzip: (coding == Some(Coding::Gzip))
            .then(|| encode(Coding::Gzip, html.as_bytes(), false))
            .flatten()
            .map(Bytes::from),
        br: (coding == Some(Coding::Brotli))
            .then(|| encode(Coding::Brotli, html.as_bytes(), false))
            .flatten()
            .map(Bytes::from),
        body: html.into_bytes().into(),
    };
    let mut resp = send(req, &doc, cache);
    resp.set_status(status);
    if let Ok(v) = HeaderValue::from_str(&s.page_csp) {
        resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// Builds the hashed, compressed files now (at start) rather than in the first request.
pub fn warm() {
    site();
}

/// The routes of the pages.
pub fn routes() -> poem::Route {
    poem::Route::new()
        .at("/assets/*path", poem::get(asset_file))
        .at("/estates/:id", poem::get(estate_page))
        .at("/", poem::get(page))
        .at("/*path", poem::get(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_is_in_the_import_map_and_the_csp_names_its_hash() {
        let s = site();
        let shell = String::from_utf8(s.default_shell.asset.body.to_vec()).unwrap();
        let start = shell.find("<script type=\"importmap\">").unwrap() + "<script type=\"importmap\">".len();
        let end = start + shell[start..].find("</script>").unwrap();
        let map = &shell[start..end];
        use base64::Engine;
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(map.as_bytes()));
        assert!(s.csp.contains(&format!("'sha256-{hash}'")), "{}", s.csp);
        assert!(!s.csp.contains("unsafe"), "{}", s.csp);
        let map: serde_json::Value = serde_json::from_str(map).unwrap();
        for name in ["app/main", "preact", "preact/hooks", "htm"] {
            let url = map["imports"][name]
                .as_str()
                .unwrap_or_else(|| panic!("{name} not mapped"));
            assert!(s.assets.contains_key(url.strip_prefix(ASSETS).unwrap()), "{url}");
        }
        assert!(!shell.contains("{{"), "an unreplaced placeholder in the shell");
    }

    #[test]
    fn every_bare_import_of_a_module_is_mapped() {
        let s = site();
        let shell = String::from_utf8(s.default_shell.asset.body.to_vec()).unwrap();
        for (path, body) in files() {
            if !path.ends_with(".mjs") {
                continue;
            }
            let text = String::from_utf8_lossy(&body).into_owned();
            let specifiers = [" from \"", "}from\"", "import(\"", "import(`"]
                .iter()
                .flat_map(|mark| {
                    text.split(mark)
                        .skip(1)
                        .map(|p| p.split(['"', '`']).next().unwrap_or(""))
                });
            for name in specifiers {
                // A dynamic import by a computed name (`app/${module}`) is checked by its prefix.
                let name = name.split("${").next().unwrap_or(name);
                if name.starts_with('.') || name.starts_with('/') {
                    panic!("{path}: relative import {name} (import by bare name: the files are renamed)");
                }
                assert!(
                    shell.contains(&format!("\"{name}")),
                    "{path}: import {name} not in the import map"
                );
            }
        }
    }

    #[test]
    fn a_page_preloads_its_own_modules_and_not_the_others() {
        let s = site();
        let owner = String::from_utf8(s.shell_for("/owner/votes/123").asset.body.to_vec()).unwrap();
        let preloads = |html: &str| html.matches("rel=\"modulepreload\"").count();
        assert!(
            owner.contains("/pages/vote.") && owner.contains("/pages/results."),
            "{owner}"
        );
        let preloaded =
            |html: &str, what: &str| html.contains(&format!("rel=\"modulepreload\" href=\"/web/assets/{what}"));
        assert!(!preloaded(&owner, "pages/dashboard.") && !preloaded(&owner, "vendor/echarts"));
        // The vote page loads only its own modules: not the owner's home, the ledger's or the
        // committees' (issue 28).
        for other in [
            "pages/owner.",
            "pages/ledger.",
            "pages/committees.",
            "pages/photos.",
            "vendor/qrcode",
        ] {
            assert!(!preloaded(&owner, other), "{other}");
        }
        let home = String::from_utf8(s.shell_for("/").asset.body.to_vec()).unwrap();
        assert!(
            preloads(&home) < preloads(&owner),
            "the bare shell preloads the shell's modules only"
        );
        assert!(home.contains("/pages/main.") && home.contains("/vendor/preact."));
        // Every route of the table names a module that exists.
        for (_, module) in &s.patterns {
            assert!(s.shells.contains_key(module), "{module}");
            assert!(
                s.assets.keys().any(|k| k.starts_with(&format!("pages/{module}."))),
                "{module}"
            );
        }
    }

    #[test]
    fn the_printed_minutes_style_is_allowed_by_the_shell() {
        // The pages write the API's printed minutes into a window that inherits the shell's policy.
        let s = site();
        let hash = inline_hashes(
            &format!("<style>{}</style>", crate::http::meetings::print::PRINT_STYLE),
            "style",
        );
        assert!(!hash.is_empty() && s.csp.contains(hash.trim()), "{}", s.csp);
    }

    #[test]
    fn every_inline_block_is_hashed_and_nothing_else() {
        let html = "<script type=\"importmap\">{}</script><script src=\"/a.js\"></script><style>b{}</style>";
        use base64::Engine;
        let h = |s: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()));
        assert_eq!(inline_hashes(html, "script"), format!(" 'sha256-{}'", h("{}")));
        assert_eq!(inline_hashes(html, "style"), format!(" 'sha256-{}'", h("b{}")));
        assert_eq!(inline_hashes("<p>no code</p>", "script"), "");
    }
}

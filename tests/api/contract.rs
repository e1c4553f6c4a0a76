//! Every answer a test receives is held to the contract: its status is listed for the operation,
//! its content type is listed for that status, a JSON body is valid against the schema (types,
//! required fields, no `null` where the schema allows none, enum values, date formats) and the
//! required headers are there. A client generated from the spec trusts exactly these; an answer
//! the document does not describe fails the test that received it.
//!
//! Requests outside the API (pages, documents, probes) and routes the document does not have
//! (a 404 for an unknown path, a 405) are not operations, and are not checked here.

use std::sync::OnceLock;

use serde_json::Value;

struct Spec {
    doc: Value,
    /// Path templates split into segments (`None` for a parameter), with their key in `paths`.
    routes: Vec<(Vec<Option<String>>, String)>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let doc: Value = serde_json::from_str(&redprop::http::spec::json()).expect("the spec is JSON");
        let routes = doc["paths"]
            .as_object()
            .expect("paths")
            .keys()
            .map(|k| {
                let segs = k
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect();
                (segs, k.clone())
            })
            .collect();
        Spec { doc, routes }
    })
}

/// The path template of the document that `path` is an instance of: of several, the one with the
/// most literal segments first (`/owners/activate` before `/owners/{id}`).
fn template(path: &str) -> Option<&'static str> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    spec()
        .routes
        .iter()
        .filter(|(t, _)| {
            t.len() == segs.len() && t.iter().zip(&segs).all(|(a, b)| a.as_deref().is_none_or(|a| a == *b))
        })
        .max_by_key(|(t, _)| t.iter().map(|s| s.is_some() as usize).collect::<Vec<_>>())
        .map(|(_, k)| k.as_str())
}

fn resolve(s: &Value) -> &Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            let target = &spec().doc["components"]["schemas"][name];
            assert!(!target.is_null(), "the spec refers to a schema it does not define: {r}");
            resolve(target)
        }
        None => s,
    }
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
}

/// Every way `v` breaks `schema`, each with its JSON path.
fn check(schema: &Value, v: &Value, path: &str, out: &mut Vec<String>) {
    let s = resolve(schema);
    for part in s["allOf"].as_array().into_iter().flatten() {
        check(part, v, path, out);
    }
    if v.is_null() {
        if s["nullable"] != Value::Bool(true) && (s.get("type").is_some() || s.get("$ref").is_some()) {
            out.push(format!("{path}: null where the schema allows none"));
        }
        return;
    }
    if let Some(values) = s["enum"].as_array() {
        if !values.contains(v) {
            out.push(format!("{path}: {v} is not one of the enum's values"));
        }
    }
    let ty = s["type"].as_str().unwrap_or("");
    let ok = match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => true,
    };
    if !ok {
        out.push(format!("{path}: {} where the schema says {ty}", short(v)));
        return;
    }
    match v {
        Value::Object(map) => {
            for r in s["required"].as_array().into_iter().flatten() {
                let name = r.as_str().unwrap_or_default();
                if !map.contains_key(name) {
                    out.push(format!("{path}: required field `{name}` is missing"));
                }
            }
            let props = s["properties"].as_object();
            for (k, item) in map {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => check(ps, item, &format!("{path}.{k}"), out),
                    None => match s.get("additionalProperties") {
                        Some(extra) if extra.is_object() => check(extra, item, &format!("{path}.{k}"), out),
                        _ if props.is_some() => out.push(format!("{path}: field `{k}` is not in the schema")),
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item_schema, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::String(text) => match s["format"].as_str() {
            Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                out.push(format!("{path}: {text:?} is not an RFC 3339 date-time"))
            }
            Some("date") if !is_date(text) => out.push(format!("{path}: {text:?} is not a date")),
            _ => {}
        },
        Value::Number(n) if s["format"] == "int32" && n.as_i64().is_none_or(|i| i32::try_from(i).is_err()) => {
            out.push(format!("{path}: {n} is not an int32"));
        }
        _ => {}
    }
}

fn short(v: &Value) -> String {
    let t = v.to_string();
    if t.len() > 80 {
        format!("{}…", &t[..t.char_indices().nth(80).map_or(t.len(), |(i, _)| i)])
    } else {
        t
    }
}

/// What is wrong with an answer to `method path`, against the document; empty when nothing.
pub fn violations(method: &str, path: &str, status: u16, headers: &poem::http::HeaderMap, body: &[u8]) -> Vec<String> {
    let path = path.split('?').next().unwrap_or_default();
    if !path.starts_with("/api/") {
        return vec![];
    }
    let Some(t) = template(path) else { return vec![] };
    let Some(op) = spec().doc["paths"][t].get(method.to_ascii_lowercase()) else {
        // The path exists without this method: a 405, which no operation describes.
        return vec![];
    };
    let mut out = Vec::new();
    let responses = &op["responses"];
    let Some(resp) = responses.get(status.to_string()).or_else(|| responses.get("default")) else {
        let listed: Vec<&String> = responses.as_object().map(|m| m.keys().collect()).unwrap_or_default();
        return vec![format!("status {status} is not listed (listed: {listed:?})")];
    };
    for (name, h) in resp["headers"].as_object().into_iter().flatten() {
        if h["required"] == Value::Bool(true) && !headers.contains_key(name.to_ascii_lowercase().as_str()) {
            out.push(format!("required header `{name}` is missing"));
        }
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_string());
    let content: Option<&serde_json::Map<String, Value>> = resp["content"].as_object();
    match (content_type, content) {
        (None, _) if body.is_empty() => {}
        (None, _) => out.push("a body without a content type".into()),
        (Some(_), None) if body.is_empty() => {}
        (Some(ct), None) => out.push(format!("a {ct} body where the response has no content")),
        (Some(ct), Some(listed)) => match listed
            .iter()
            .find(|(k, _)| k.split(';').next().unwrap_or_default().trim() == ct)
            .map(|(_, v)| v)
        {
            None if body.is_empty() && status == 304 => {}
            None => out.push(format!(
                "content type {ct} is not listed (listed: {:?})",
                listed.keys().collect::<Vec<_>>()
            )),
            Some(media) if ct.ends_with("json") => match serde_json::from_slice::<Value>(body) {
                Ok(v) => check(&media["schema"], &v, "$", &mut out),
                Err(e) => out.push(format!("the body is not JSON: {e}")),
            },
            Some(_) => {}
        },
    }
    out
}

/// Panics, naming the operation and every violation, when an answer breaks the contract.
#[track_caller]
pub fn assert_conforms(method: &str, path: &str, status: u16, headers: &poem::http::HeaderMap, body: &[u8]) {
    let v = violations(method, path, status, headers, body);
    if v.is_empty() {
        return;
    }
    let report = format!(
        "{method} {path} answered {status}, which breaks the API document:\n  {}\nbody: {}",
        v.join("\n  "),
        String::from_utf8_lossy(&body[..body.len().min(600)])
    );
    // REDPROP_CONTRACT_LOG=file collects every violation of a run instead of stopping at the
    // first (for finding them all at once); tests otherwise fail on it.
    if let Ok(file) = std::env::var("REDPROP_CONTRACT_LOG") {
        use std::io::Write;
        static LOCK: OnceLock<std::sync::Mutex<()>> = OnceLock::new();
        let _g = LOCK.get_or_init(Default::default).lock();
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(file) {
            let _ = writeln!(f, "{report}\n");
        }
        return;
    }
    panic!("{report}");
}

#[test]
fn the_checker_finds_what_breaks_the_contract() {
    let mut h = poem::http::HeaderMap::new();
    h.insert("content-type", "application/problem+json".parse().unwrap());
    let good = br#"{"type":"urn:redprop:problem:unauthenticated","title":"Unauthorized","status":401,"code":"unauthenticated","errors":[]}"#;
    assert!(violations("GET", "/api/v1/estates", 401, &h, good).is_empty());
    let no_errors = br#"{"type":"t","title":"t","status":401,"code":"unauthenticated"}"#;
    assert!(violations("GET", "/api/v1/estates", 401, &h, no_errors)
        .iter()
        .any(|v| v.contains("`errors`")));
    let null_detail = br#"{"type":"t","title":"t","status":401,"code":"c","detail":null,"errors":[]}"#;
    assert!(violations("GET", "/api/v1/estates", 401, &h, null_detail)
        .iter()
        .any(|v| v.contains("null")));
    assert!(!violations("GET", "/api/v1/estates", 418, &h, good).is_empty());
    h.insert("content-type", "text/plain".parse().unwrap());
    assert!(!violations("GET", "/api/v1/estates", 401, &h, b"no").is_empty());
}

//! `Location` on every 201 (issue 17): where the created record can be read. Derived once from
//! the API's own document, so that a new creating operation gets its `Location` without anyone
//! remembering to add it: the GET that returns the created schema by id, else the GET of the
//! collection named like the POST's last segment, else the collection or record the POST was
//! made on. The few that fit none are named in `OVERRIDES`.

use std::collections::HashMap;
use std::sync::OnceLock;

use poem::http::HeaderValue;
use poem::{Body, Response};
use serde_json::Value;

/// Where a created record is read, for one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `prefix` + the body's `id` (`/api/v1/units/` + id).
    ById(String),
    /// `prefix` + a field of the body + `suffix`.
    ByField {
        prefix: String,
        field: &'static str,
        suffix: String,
    },
    /// The path the POST was made on (a collection that lists it).
    Request,
    /// The path the POST was made on without its last `levels` segments (the record it was
    /// made on), then `then` (another of its collections) if not empty.
    Up { levels: usize, then: &'static str },
}

/// Makes a rule (a `String` cannot be built in a constant).
type MakeRule = fn() -> Rule;

/// Operations whose created record the document alone does not place.
const OVERRIDES: &[(&str, MakeRule)] = &[
    // The owner's own account, now theirs.
    ("activateOwner", || Rule::ById(String::new())),
    ("createNegativeRecord", || Rule::ByField {
        prefix: format!("{}/owners/", super::API_PREFIX),
        field: "owner_id",
        suffix: "/negative-records".into(),
    }),
    // An inspection is one of the campaign's inputs.
    ("recordRatingInspection", || Rule::Up {
        levels: 3,
        then: "inputs",
    }),
    // A paper notice is listed in its notice's proof.
    ("recordPaperNotice", || Rule::Up {
        levels: 1,
        then: "proof",
    }),
    // A paper questionnaire is counted in the campaign's progress (responses are never listed).
    ("enterPaperSurvey", || Rule::Up {
        levels: 3,
        then: "progress",
    }),
];

/// The rule of every operation that answers 201.
pub fn rules() -> &'static HashMap<String, Rule> {
    static RULES: OnceLock<HashMap<String, Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let spec: Value = serde_json::from_str(&super::service().spec()).unwrap_or_default();
        derive(&spec)
    })
}

fn schema_ref<'a>(op: &'a Value, status: &str) -> Option<&'a str> {
    op["responses"][status]["content"].as_object()?.values().next()?["schema"]["$ref"].as_str()
}

fn derive(spec: &Value) -> HashMap<String, Rule> {
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    let gets: Vec<(String, &Value)> = paths
        .iter()
        .filter_map(|(p, item)| item.get("get").map(|g| (p.clone(), g)))
        .collect();
    let has_get = |p: &str| gets.iter().any(|(g, _)| g == p);
    let by_id = |g: &str| g.ends_with('}') && g.matches('{').count() == 1;
    let mut out = HashMap::new();
    for (path, item) in &paths {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            let Some(id) = op["operationId"].as_str() else { continue };
            if op["responses"].get("201").is_none() {
                continue;
            }
            let rule = if let Some((_, f)) = OVERRIDES.iter().find(|(o, _)| *o == id) {
                f()
            } else if let Some((g, _)) = schema_ref(op, "201").and_then(|r| {
                gets.iter()
                    .find(|(g, get)| by_id(g) && schema_ref(get, "200") == Some(r))
            }) {
                Rule::ById(g[..g.rfind('/').unwrap_or(0) + 1].to_string())
            } else if let Some(g) = path
                .rsplit('/')
                .find(|s| !s.starts_with('{'))
                .map(|seg| {
                    gets.iter()
                        .find(|(g, _)| by_id(g) && g.starts_with(&format!("{}/{seg}/{{", super::API_PREFIX)))
                })
                .and_then(|g| g.map(|(g, _)| g.clone()))
            {
                Rule::ById(g[..g.rfind('/').unwrap_or(0) + 1].to_string())
            } else if has_get(path) {
                Rule::Request
            } else {
                Rule::Up { levels: 1, then: "" }
            };
            out.insert(id.to_string(), rule);
        }
    }
    out
}

/// The `Location` of a created record: from the rule of the operation that answered, the path
/// the request was made on, and the answer's body.
pub fn of(rule: &Rule, request_path: &str, body: &Value) -> Option<String> {
    match rule {
        Rule::ById(prefix) if prefix.is_empty() => Some(format!("{}/auth/me", super::API_PREFIX)),
        Rule::ById(prefix) => body["id"].as_str().map(|id| format!("{prefix}{id}")),
        Rule::ByField { prefix, field, suffix } => body[*field].as_str().map(|v| format!("{prefix}{v}{suffix}")),
        Rule::Request => Some(request_path.to_string()),
        Rule::Up { levels, then } => {
            let mut p = request_path;
            for _ in 0..*levels {
                p = p.rsplit_once('/')?.0;
            }
            Some(if then.is_empty() {
                p.to_string()
            } else {
                format!("{p}/{then}")
            })
        }
    }
}

/// Adds `Location` to a 201 that has none.
pub async fn add(request_path: &str, resp: Response) -> Response {
    if resp.status() != poem::http::StatusCode::CREATED || resp.headers().contains_key("location") {
        return resp;
    }
    let Some(rule) = resp
        .data::<poem_openapi::OperationId>()
        .and_then(|op| rules().get(op.0))
        .cloned()
    else {
        return resp;
    };
    let op = resp.data::<poem_openapi::OperationId>().copied();
    let (parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await.unwrap_or_default();
    let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let mut resp = Response::from_parts(parts, Body::from(bytes));
    if let Some(op) = op {
        resp.set_data(op);
    }
    if let Some(v) = of(&rule, request_path, &json).and_then(|l| HeaderValue::from_str(&l).ok()) {
        resp.headers_mut().insert("location", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_created_record_has_a_readable_location() {
        let spec: Value = serde_json::from_str(&crate::http::service().spec()).unwrap();
        let gets: Vec<String> = spec["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, i)| i.get("get").is_some())
            .map(|(p, _)| p.clone())
            .collect();
        // A location matches a GET path when each segment is equal or a parameter.
        let readable = |l: &str| {
            gets.iter().any(|g| {
                let (a, b): (Vec<&str>, Vec<&str>) = (g.split('/').collect(), l.split('/').collect());
                a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || x.starts_with('{'))
            })
        };
        let body = serde_json::json!({ "id": "new", "owner_id": "o" });
        let rules = rules();
        assert!(rules.len() >= 35, "{}", rules.len());
        for (path, item) in spec["paths"].as_object().unwrap() {
            for op in item.as_object().unwrap().values() {
                if op["responses"].get("201").is_none() {
                    continue;
                }
                let id = op["operationId"].as_str().unwrap();
                let request = path.replace("{id}", "p1").replace("{estate_id}", "e1");
                let l = of(&rules[id], &request, &body).unwrap_or_default();
                assert!(readable(&l), "{id}: {l} ({:?}) is not a path one can GET", rules[id]);
            }
        }
        assert_eq!(rules["createEstate"], Rule::ById("/api/v1/estates/".into()));
        assert_eq!(rules["createUnit"], Rule::ById("/api/v1/units/".into()));
        assert_eq!(rules["reportLedgerItem"], Rule::ById("/api/v1/ledger-items/".into()));
    }
}

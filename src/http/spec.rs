//! The OpenAPI document: poem-openapi's, corrected so that it says exactly what the server
//! sends (what generated clients need), and written as YAML that every parser reads alike.
//!
//! Corrections, each for a generator or validator that choked on the raw document:
//! - a field referring to a schema with a description of its own is written by poem-openapi as
//!   `allOf: [$ref, {description}]`, which generators refuse for enums: a plain `$ref`;
//! - `format: naive-date` (and unsigned integer formats) are not OpenAPI formats: `date`,
//!   `int32`/`int64`;
//! - every operation listed every error status: per operation only those it can answer (no
//!   413/415 without a body, no 401/403 without security, 429 only where throttled), with
//!   `Retry-After` on 429 and 503;
//! - parameters had no descriptions: one table of them, by name;
//! - examples for the main request bodies.
//!
//! Why not the YAML poem-openapi prints: it leaves strings such as `yes`, `no`, `on` and `off`
//! unquoted, which YAML 1.1 parsers (PyYAML, and the spec validator built on it) read as
//! booleans — an enum `[yes, no, abstain]` became `[true, false, "abstain"]`. Here every string
//! is double-quoted (JSON escapes are valid YAML escapes) and a key is left plain only when it
//! is a plain identifier that no YAML version reads as anything but a string.

use serde_yaml::Value;

/// YAML 1.1 words that a plain scalar would turn into a boolean or null.
const RESERVED: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"];

fn plain_key_ok(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !RESERVED.contains(&k.to_ascii_lowercase().as_str())
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

fn key(k: &Value) -> String {
    match k {
        Value::String(s) if plain_key_ok(s) => s.clone(),
        Value::String(s) => quoted(s),
        other => quoted(&scalar(other)),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Sequence(s) if s.is_empty() => "[]".into(),
        Value::Mapping(m) if m.is_empty() => "{}".into(),
        Value::Tagged(t) => scalar(&t.value),
        _ => unreachable!("collections are written as blocks"),
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Sequence(s) => !s.is_empty(),
        Value::Mapping(m) => !m.is_empty(),
        _ => false,
    }
}

fn write(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::Mapping(m) if !m.is_empty() => {
            for (k, item) in m {
                out.push_str(&pad);
                out.push_str(&key(k));
                out.push(':');
                if is_block(item) {
                    out.push('\n');
                    write(out, item, indent + 2);
                } else {
                    out.push(' ');
                    out.push_str(&scalar(item));
                    out.push('\n');
                }
            }
        }
        Value::Sequence(s) if !s.is_empty() => {
            for item in s {
                out.push_str(&pad);
                out.push('-');
                if is_block(item) {
                    // The first line of the item follows the dash; the rest align under it.
                    let mut inner = String::new();
                    write(&mut inner, item, indent + 2);
                    out.push(' ');
                    out.push_str(&inner[indent + 2..]);
                } else {
                    out.push(' ');
                    out.push_str(&scalar(item));
                    out.push('\n');
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

/// Writes a document (parsed from the spec's JSON, which keeps its order) as YAML.
pub fn to_yaml(doc: &Value) -> String {
    let mut out = String::new();
    write(&mut out, doc, 0);
    out
}

/// The corrected OpenAPI document as JSON text (key order as poem-openapi writes it).
pub fn json() -> String {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        // JSON is YAML: parsing it with the YAML parser keeps the order of the keys.
        let mut doc: Value = serde_yaml::from_str(&super::service().spec()).expect("the generated spec is valid JSON");
        correct(&mut doc);
        serde_json::to_string_pretty(&doc).expect("a YAML value of JSON serialises as JSON")
    })
    .clone()
}

/// The corrected OpenAPI document as YAML.
pub fn yaml() -> String {
    let doc: Value = serde_yaml::from_str(&json()).expect("valid JSON");
    to_yaml(&doc)
}

/// Operations that replace a whole record others edit: without `If-Match` they answer 428
/// (`etag::check(.., required = true)`), so the header is required in the document.
const IF_MATCH_REQUIRED: &[&str] = &["editMinutes", "setRatingConfig"];

/// Operations that answer a file, with the media types they answer.
const DOWNLOADS: &[(&str, &[&str])] = &[
    ("getAttachment", crate::domain::attachment::MEDIA_TYPES),
    ("exportRatingResults", &[super::ratings::XLSX, super::ratings::CSV]),
    ("exportStatement", &[super::ratings::XLSX]),
    ("exportDisclosure", &[super::ratings::XLSX]),
    ("exportNoticeProof", &[super::ratings::XLSX]),
];

/// Operations that throttle guesses and may answer 429.
const THROTTLED: &[&str] = &["login", "activateOwner"];

/// Operations without security that still answer 401 (wrong credentials).
const CREDENTIALS: &[&str] = &["login", "refresh"];

/// What each parameter name means, wherever it appears.
const PARAMETERS: &[(&str, &str)] = &[
    (
        "id",
        "The id of the resource the path names (opaque; from a list or a create answer).",
    ),
    ("limit", "Items per page: 1–200 (default 50)."),
    (
        "cursor",
        "Where to go on: the `next_cursor` of the previous page (opaque).",
    ),
    ("code", "The negative-list item's code, e.g. `N3`."),
    (
        "code_id",
        "The id of the activation code (from its list), not the code itself.",
    ),
    ("grant_id", "The id of the grant, from the account's `grants`."),
    ("company_id", "Only this company's records."),
    (
        "account",
        "Which account: `common_income` (公共收益) or `maintenance_fund` (专项维修资金).",
    ),
    ("org_id", "An organisation: its subtree is what is counted or listed."),
    ("community_id", "Only estates of this community."),
    ("within", "Only organisations under this one."),
    ("kind", "Only records of this kind."),
    ("overdue", "Only deadlines already missed (true) or not yet (false)."),
    (
        "include_parking",
        "Whether parking spaces count as exclusive parts (default: no).",
    ),
    ("action", "Only events of this action, e.g. `vote.open`."),
    ("actor_id", "Only events of this actor (account or API key id)."),
    ("target_type", "Only events about this kind of record, e.g. `vote`."),
    ("target_id", "Only events about this record."),
];

/// Examples of request bodies, by schema name.
fn examples() -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    vec![
        (
            "LoginRequest",
            json!({ "username": "wang.fang", "password": "correct-horse-battery" }),
        ),
        (
            "NewEstate",
            json!({ "name": "和园小区", "kind": "commercial", "community_id": "01a21c1b-2f4e-7c3a-9e1d-5b6a7c8d9e0f", "address": "平顺县青羊镇东街18号" }),
        ),
        (
            "NewUnit",
            json!({ "building_id": "01a21c1b-2f4e-7c3a-9e1d-5b6a7c8d9e10", "entrance": "1单元", "number": "101", "kind": "residential", "area_contract_centi_m2": 10232, "sale_status": "delivered" }),
        ),
        (
            "NewCompany",
            json!({ "name": "长治市和顺物业服务有限公司", "credit_code": "91140400M9198T3X56", "party_coverage": "own_branch" }),
        ),
        (
            "NewVote",
            json!({ "category": 4, "title": "续聘物业", "question": "是否续聘和顺物业？", "kind": "question", "convenor": "owners_committee", "opens_at": "2026-12-15T00:00:00Z", "closes_at": "2026-12-22T00:00:00Z" }),
        ),
        ("BallotInput", json!({ "choice": "yes" })),
        (
            "NewApiKey",
            json!({ "company_id": "01a21c1b-2f4e-7c3a-9e1d-5b6a7c8d9e11", "name": "work-order system" }),
        ),
    ]
}

fn correct(doc: &mut Value) {
    correct_schemas(doc);
    if let Some(m) = doc.as_mapping_mut() {
        // The server the document came from: paths are absolute from its root (an empty list
        // leaves a reader to guess).
        m.insert(
            "servers".into(),
            serde_yaml::to_value(
                serde_json::json!([{ "url": "/", "description": "the server that serves this document" }]),
            )
            .expect("JSON is YAML"),
        );
        if let Some(Value::Mapping(info)) = m.get_mut("info") {
            info.insert(
                "license".into(),
                serde_yaml::to_value(serde_json::json!({ "name": "MIT" })).expect("JSON is YAML"),
            );
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_mapping_mut) else {
        return;
    };
    for (_, item) in paths.iter_mut() {
        let Some(ops) = item.as_mapping_mut() else { continue };
        for (method, op) in ops.iter_mut() {
            correct_operation(op);
            if method.as_str() == Some("post") {
                idempotent(op);
            }
        }
    }
    let schemas = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_mapping_mut);
    if let Some(schemas) = schemas {
        // What webhook receivers are sent (OpenAPI 3.0 has no `webhooks`): their schemas.
        for (name, schema) in super::events::schemas() {
            let mut schema = serde_yaml::to_value(schema).expect("JSON is YAML");
            correct_schemas(&mut schema);
            schemas.entry(name.into()).or_insert(schema);
        }
        for (name, example) in examples() {
            if let Some(Value::Mapping(s)) = schemas.get_mut(name) {
                s.insert("example".into(), serde_yaml::to_value(example).expect("JSON is YAML"));
            }
        }
    }
}

/// `allOf: [$ref, {description}]` → `$ref`; OpenAPI formats.
fn correct_schemas(v: &mut Value) {
    match v {
        Value::Mapping(m) => {
            let single_ref = m.get("allOf").and_then(Value::as_sequence).and_then(|all| {
                let refs: Vec<&Value> = all.iter().filter_map(|x| x.get("$ref")).collect();
                let rest_only_described = all.iter().all(|x| {
                    x.get("$ref").is_some()
                        || x.as_mapping().is_some_and(|o| {
                            o.keys()
                                .all(|k| matches!(k.as_str(), Some("description" | "default" | "example")))
                        })
                });
                (refs.len() == 1 && rest_only_described).then(|| refs[0].clone())
            });
            if let Some(r) = single_ref {
                m.clear();
                m.insert("$ref".into(), r);
                return;
            }
            if let Some(Value::String(f)) = m.get_mut("format") {
                let fixed = match f.as_str() {
                    "naive-date" => Some("date"),
                    "naive-date-time" => Some("date-time"),
                    "uint8" | "uint16" | "int8" | "int16" => Some("int32"),
                    "uint32" | "uint64" => Some("int64"),
                    _ => None,
                };
                if let Some(fixed) = fixed {
                    *f = fixed.into();
                }
            }
            for (_, x) in m.iter_mut() {
                correct_schemas(x);
            }
        }
        Value::Sequence(s) => s.iter_mut().for_each(correct_schemas),
        _ => {}
    }
}

/// Every authenticated POST takes an `Idempotency-Key` (`http::idempotency`).
fn idempotent(op: &mut Value) {
    let secured = op
        .get("security")
        .and_then(Value::as_sequence)
        .is_some_and(|s| !s.is_empty());
    let Some(m) = op.as_mapping_mut().filter(|_| secured) else {
        return;
    };
    let param = serde_yaml::to_value(serde_json::json!({
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "description": "Makes a retry safe: the same key with the same request within 24 hours gets the first answer again (with `Idempotent-Replayed: true`) instead of doing it twice; with another request, 422 `idempotency_key_reused`; while the first still runs, 409 `idempotency_in_progress`. 1–255 printable ASCII characters, e.g. a UUID; keys are per account or API key.",
        "schema": { "type": "string", "minLength": 1, "maxLength": 255 }
    }))
    .expect("JSON is YAML");
    let params = m
        .entry("parameters".into())
        .or_insert_with(|| Value::Sequence(Vec::new()));
    if let Some(list) = params.as_sequence_mut() {
        list.push(param);
    }
}

fn correct_operation(op: &mut Value) {
    let id = op.get("operationId").and_then(Value::as_str).unwrap_or("").to_string();
    // A spreadsheet is uploaded as bytes, declared `application/octet-stream`, which every
    // generator supports (some refuse `text/csv` and drop the operation); the server takes
    // `text/csv` as well, as the description says.
    if let Some(Value::Mapping(body)) = op.get_mut("requestBody") {
        let csv = body
            .get_mut("content")
            .and_then(Value::as_mapping_mut)
            .and_then(|c| c.remove("text/csv"));
        if let (Some(csv), Some(Value::Mapping(content))) = (csv, body.get_mut("content")) {
            content.insert("application/octet-stream".into(), csv);
            body.insert(
                "description".into(),
                "The spreadsheet's bytes (CSV in UTF-8, with or without BOM, or GBK), sent as `application/octet-stream` or `text/csv`.".into(),
            );
        }
    }
    let has_body = op.get("requestBody").is_some();
    // An operation anyone may call says so (`security: []`): generators and linters read an
    // absent `security` as "not stated", not as "public".
    if let Some(m) = op.as_mapping_mut() {
        m.entry("security".into())
            .or_insert_with(|| Value::Sequence(Vec::new()));
    }
    let secured = op
        .get("security")
        .and_then(Value::as_sequence)
        .is_some_and(|s| !s.is_empty());
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_sequence_mut) {
        for p in params {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            if let (Some(m), Some((_, d))) = (p.as_mapping_mut(), PARAMETERS.iter().find(|(n, _)| *n == name)) {
                m.entry("description".into())
                    .or_insert_with(|| Value::String((*d).into()));
            }
            if name == "If-Match" && IF_MATCH_REQUIRED.contains(&id.as_str()) {
                if let Some(m) = p.as_mapping_mut() {
                    m.insert("required".into(), Value::Bool(true));
                }
            }
        }
    }
    let op_params_has_cursor = op.get("parameters").and_then(Value::as_sequence).is_some_and(|ps| {
        ps.iter()
            .any(|p| p.get("name").and_then(Value::as_str) == Some("cursor"))
    });
    let conditional = op.get("parameters").and_then(Value::as_sequence).is_some_and(|ps| {
        ps.iter()
            .any(|p| p.get("name").and_then(Value::as_str) == Some("If-Match"))
    });
    let Some(responses) = op.get_mut("responses").and_then(Value::as_mapping_mut) else {
        return;
    };
    responses.retain(|status, _| match status.as_str().unwrap_or("") {
        "412" => conditional,
        "428" => IF_MATCH_REQUIRED.contains(&id.as_str()),
        "413" | "415" => has_body,
        "401" => secured || CREDENTIALS.contains(&id.as_str()),
        "403" => secured,
        "429" => THROTTLED.contains(&id.as_str()),
        _ => true,
    });
    let retry_after = serde_yaml::to_value(serde_json::json!({
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "required": true,
            "schema": { "type": "integer", "format": "int64" }
        }
    }))
    .expect("JSON is YAML");
    for status in ["429", "503"] {
        if let Some(Value::Mapping(r)) = responses.get_mut(status) {
            r.insert("headers".into(), retry_after.clone());
        }
    }
    // A download is one of several media types, named (a generated client picks by them).
    if let Some(types) = DOWNLOADS.iter().find(|(op, _)| *op == id).map(|(_, t)| *t) {
        if let Some(Value::Mapping(r)) = responses.get_mut("200") {
            let binary =
                serde_yaml::to_value(serde_json::json!({ "schema": { "type": "string", "format": "binary" } }))
                    .expect("JSON is YAML");
            let content: serde_yaml::Mapping = types.iter().map(|t| (Value::from(*t), binary.clone())).collect();
            r.insert("content".into(), Value::Mapping(content));
            // The media type is said by `content`; OpenAPI ignores a Content-Type header.
            if let Some(Value::Mapping(h)) = r.get_mut("headers") {
                h.remove("Content-Type");
                h.remove("CONTENT-TYPE");
            }
        }
    }
    // Every 201 says where the new record is read (`http::location`).
    if let Some(Value::Mapping(r)) = responses.get_mut("201") {
        let headers = r
            .entry("headers".into())
            .or_insert_with(|| Value::Mapping(Default::default()));
        if let Some(h) = headers.as_mapping_mut() {
            h.entry("Location".into()).or_insert_with(|| {
                serde_yaml::to_value(serde_json::json!({
                    "description": "Where the created record (or the collection that lists it) is read.",
                    "required": true,
                    "schema": { "type": "string" }
                }))
                .expect("JSON is YAML")
            });
        }
    }
    // A page of a list with more after it links to the next (`http::paging::link_next`).
    let paged = op_params_has_cursor;
    if paged {
        if let Some(Value::Mapping(r)) = responses.get_mut("200") {
            let headers = r
                .entry("headers".into())
                .or_insert_with(|| Value::Mapping(Default::default()));
            if let Some(h) = headers.as_mapping_mut() {
                h.insert(
                    "Link".into(),
                    serde_yaml::to_value(serde_json::json!({
                        "description": "`<next page>; rel=\"next\"` when more follow (the same as `next_cursor`).",
                        "schema": { "type": "string" }
                    }))
                    .expect("JSON is YAML"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_says_what_the_server_sends() {
        let doc: serde_json::Value = serde_json::from_str(&json()).unwrap();
        let text = doc.to_string();
        assert!(!text.contains("naive-date") && !text.contains("uint"));
        assert!(!text.contains("allOf"));
        let login = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"];
        assert!(login.get("429").is_some() && login.get("401").is_some() && login.get("403").is_none());
        let healthy = &doc["paths"]["/api/v1/estates"]["get"]["responses"];
        assert!(healthy.get("413").is_none() && healthy.get("415").is_none() && healthy.get("429").is_none());
        assert!(healthy["503"]["headers"]["Retry-After"]["required"].as_bool().unwrap());
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    assert!(p.get("description").is_some(), "{method} {path}: {}", p["name"]);
                }
            }
        }
    }

    #[test]
    fn reads_back_to_the_same_document() {
        let json = r#"{"enum":["yes","no","abstain","on","off","null","1.0","", "a\nb", "引号\"和\\"],
            "200":{"y":true,"n":null,"x-1":3,"list":[{"a":1,"b":[]},{"c":{}}],"nested":[[1,2],["x"]]},
            "/api/v1/estates/{id}":{"get":{"operationId":"getEstate"}}}"#;
        let doc: Value = serde_yaml::from_str(json).unwrap();
        let yaml = to_yaml(&doc);
        let back: Value = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(back, doc, "{yaml}");
        assert!(yaml.contains(r#"- "yes""#), "{yaml}");
        assert!(yaml.contains(r#""200":"#), "{yaml}");
        assert!(yaml.contains(r#""y": true"#), "{yaml}");
    }
}

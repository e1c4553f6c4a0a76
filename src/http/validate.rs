//! Every problem of a request body at once, checked against the body's own OpenAPI schema (the
//! one the spec publishes): missing and unknown fields, types, lengths, patterns, ranges, item
//! counts, enum values and date formats, each named by its JSON path. serde and poem-openapi
//! stop at the first problem; a person filling a form wants them all.

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde_json::Value;

use crate::error::{reason, FieldError, Reason};

/// Checks `value` against `T`'s schema; every problem found.
pub fn problems<T: Type + 'static>(value: &Value) -> Vec<FieldError> {
    let mut out = Vec::new();
    check(
        registry_of::<T>(),
        &T::schema_ref(),
        value,
        &mut String::new(),
        &mut out,
    );
    out
}

/// The schemas of `T` and of the types it holds, registered once per type: building them is
/// allocations galore, and every request with a body needs them.
fn registry_of<T: Type + 'static>() -> &'static Registry {
    type Registries = std::collections::HashMap<std::any::TypeId, &'static Registry>;
    static REGISTRIES: std::sync::OnceLock<std::sync::Mutex<Registries>> = std::sync::OnceLock::new();
    let registries = REGISTRIES.get_or_init(Default::default);
    let id = std::any::TypeId::of::<T>();
    if let Some(r) = registries.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return r;
    }
    let mut registry = Registry::new();
    T::register(&mut registry);
    // Leaked on purpose: one per body type of the API, a fixed few, kept for the process's life.
    let registry: &'static Registry = Box::leak(Box::new(registry));
    registries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(id)
        .or_insert(registry)
}

fn resolve<'a>(registry: &'a Registry, r: &'a MetaSchemaRef) -> Option<&'a MetaSchema> {
    match r {
        MetaSchemaRef::Inline(s) => Some(s),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name.as_str()),
    }
}

fn field(path: &str) -> String {
    if path.is_empty() {
        "body".into()
    } else {
        path.into()
    }
}

fn push(out: &mut Vec<FieldError>, path: &str, code: Reason, message: impl Into<String>) {
    out.push(FieldError::new(field(path), code, message));
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check(registry: &Registry, r: &MetaSchemaRef, v: &Value, path: &mut String, out: &mut Vec<FieldError>) {
    let Some(s) = resolve(registry, r) else { return };
    for part in &s.all_of {
        check(registry, part, v, path, out);
    }
    if !s.enum_items.is_empty() {
        if !s.enum_items.contains(v) {
            let allowed: Vec<String> = s.enum_items.iter().map(|e| e.to_string()).collect();
            push(
                out,
                path,
                reason::INVALID_VALUE,
                format!("must be one of {}", allowed.join(", ")),
            );
        }
        return;
    }
    match s.ty {
        "object" => check_object(registry, s, v, path, out),
        "array" => match v {
            Value::Array(items) => {
                if s.max_items.is_some_and(|m| items.len() > m) {
                    push(
                        out,
                        path,
                        reason::CONSTRAINT,
                        format!("at most {} items", s.max_items.unwrap_or(0)),
                    );
                }
                if s.min_items.is_some_and(|m| items.len() < m) {
                    push(
                        out,
                        path,
                        reason::CONSTRAINT,
                        format!("at least {} items", s.min_items.unwrap_or(0)),
                    );
                }
                // Item counts are bounded by `max_items` (checked above), so pairwise is cheap.
                if s.unique_items == Some(true) && items.iter().enumerate().any(|(i, x)| items[..i].contains(x)) {
                    push(out, path, reason::CONSTRAINT, "the items must be unique");
                }
                if let Some(item) = &s.items {
                    for (i, x) in items.iter().enumerate() {
                        let len = path.len();
                        path.push_str(&format!("[{i}]"));
                        check(registry, item, x, path, out);
                        path.truncate(len);
                    }
                }
            }
            other => push(
                out,
                path,
                reason::INVALID_TYPE,
                format!("expected an array, got {}", kind_of(other)),
            ),
        },
        "string" => match v {
            Value::String(text) => check_string(s, text, path, out),
            other => push(
                out,
                path,
                reason::INVALID_TYPE,
                format!("expected a string, got {}", kind_of(other)),
            ),
        },
        "integer" => match v.as_i64().or_else(|| v.as_u64().map(|u| u as i64)) {
            Some(n) if v.is_i64() || v.is_u64() => check_range(s, n as f64, path, out),
            _ => push(
                out,
                path,
                reason::INVALID_TYPE,
                format!("expected an integer, got {}", kind_of(v)),
            ),
        },
        "number" => match v.as_f64() {
            Some(n) => check_range(s, n, path, out),
            None => push(
                out,
                path,
                reason::INVALID_TYPE,
                format!("expected a number, got {}", kind_of(v)),
            ),
        },
        "boolean" if !v.is_boolean() => push(
            out,
            path,
            reason::INVALID_TYPE,
            format!("expected a boolean, got {}", kind_of(v)),
        ),
        _ => {}
    }
}

fn check_object(registry: &Registry, s: &MetaSchema, v: &Value, path: &mut String, out: &mut Vec<FieldError>) {
    let Value::Object(map) = v else {
        push(
            out,
            path,
            reason::INVALID_TYPE,
            format!("expected an object, got {}", kind_of(v)),
        );
        return;
    };
    let join = |path: &str, name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    for req in &s.required {
        if !map.contains_key(*req) {
            push(out, &join(path, req), reason::MISSING, format!("missing field `{req}`"));
        }
    }
    for (name, value) in map {
        let Some((_, prop)) = s.properties.iter().find(|(n, _)| n == name) else {
            if s.additional_properties.is_none() {
                push(
                    out,
                    &join(path, name),
                    reason::UNKNOWN_FIELD,
                    format!("unknown field `{name}`"),
                );
            }
            continue;
        };
        // An optional field may be null (absent, or cleared where the field says so).
        if value.is_null() && !s.required.contains(&name.as_str()) {
            continue;
        }
        let len = path.len();
        *path = join(path, name);
        check(registry, prop, value, path, out);
        path.truncate(len);
    }
}

fn check_string(s: &MetaSchema, text: &str, path: &str, out: &mut Vec<FieldError>) {
    let n = text.chars().count();
    if let Some(max) = s.max_length.filter(|m| n > *m) {
        push(out, path, reason::CONSTRAINT, format!("at most {max} characters"));
    }
    if let Some(min) = s.min_length.filter(|m| n < *m) {
        push(out, path, reason::CONSTRAINT, format!("at least {min} characters"));
    }
    if let Some(p) = &s.pattern {
        if !matches_pattern(p, text) {
            push(out, path, reason::CONSTRAINT, format!("must match {p}"));
        }
    }
    match s.format {
        Some("naive-date" | "date") if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
            push(out, path, reason::INVALID_FORMAT, "must be a date, YYYY-MM-DD")
        }
        Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => push(
            out,
            path,
            reason::INVALID_FORMAT,
            "must be an RFC 3339 date and time, e.g. 2026-12-15T08:00:00Z",
        ),
        _ => {}
    }
}

/// Whether `text` matches the schema's pattern. Compiled once per pattern: the patterns are the
/// spec's, a fixed few, and compiling one costs far more than the request it checks. A pattern
/// that does not compile checks nothing (poem-openapi's own validator has the last word).
fn matches_pattern(pattern: &str, text: &str) -> bool {
    type Compiled = std::collections::HashMap<String, Option<regex::Regex>>;
    static COMPILED: std::sync::OnceLock<std::sync::Mutex<Compiled>> = std::sync::OnceLock::new();
    let compiled = COMPILED.get_or_init(Default::default);
    // (A compiled regex is shared behind an Arc: the clone is cheap and the match runs unlocked.)
    let known = compiled.lock().unwrap_or_else(|e| e.into_inner()).get(pattern).cloned();
    if let Some(re) = known {
        return re.as_ref().is_none_or(|re| re.is_match(text));
    }
    let re = regex::Regex::new(pattern).ok();
    let matches = re.as_ref().is_none_or(|re| re.is_match(text));
    compiled
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(pattern.to_string(), re);
    matches
}

fn check_range(s: &MetaSchema, n: f64, path: &str, out: &mut Vec<FieldError>) {
    if let Some(max) = s.maximum.filter(|m| n > *m) {
        push(out, path, reason::CONSTRAINT, format!("at most {max}"));
    }
    if let Some(min) = s.minimum.filter(|m| n < *m) {
        push(out, path, reason::CONSTRAINT, format!("at least {min}"));
    }
}

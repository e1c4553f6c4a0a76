//! The OpenAPI document as YAML that every YAML parser reads the same way.
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

/// The OpenAPI document of the service as YAML.
pub fn document() -> String {
    let json = super::service().spec();
    // JSON is YAML: parsing it with the YAML parser keeps the order of the keys.
    let doc: Value = serde_yaml::from_str(&json).expect("the generated spec is valid JSON");
    to_yaml(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;

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

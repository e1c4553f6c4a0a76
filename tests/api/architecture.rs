//! Checks over the source tree that keep the layers honest: who decides permissions, where
//! lifecycles live, what the two backends share. They read files, not the running service.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The lines of a file that are code (comments dropped), with their numbers.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

fn offences(dir: &str, exempt: &[&str], patterns: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for file in rust_files(&root().join(dir)) {
        let rel = file.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        if exempt.iter().any(|e| rel.ends_with(e)) {
            continue;
        }
        for (n, line) in code_lines(&file) {
            for p in patterns {
                if line.contains(p) {
                    out.push(format!("{rel}:{n}: `{p}` in {}", line.trim()));
                }
            }
        }
    }
    out
}

/// Every permission is decided by `domain::policy`; handlers describe the action and ask. Only
/// the adapter that builds callers and places (`security.rs`, `scope.rs`) reads grants.
#[test]
fn handlers_never_decide_permissions_themselves() {
    let found = offences(
        "src/http",
        &["src/http/security.rs", "src/http/scope.rs"],
        &["has_role(", ".scopes(", "Role::Admin =>", "Role::Owner =>"],
    );
    assert!(
        found.is_empty(),
        "permission checks outside domain::policy:\n{}",
        found.join("\n")
    );
}

/// Statuses are domain enums: no handler compares or assigns their stored text, and there is no
/// catch-all state code.
#[test]
fn handlers_never_touch_status_text() {
    let found = offences(
        "src",
        &["src/db/terms.rs"],
        &[
            ".status == \"",
            ".status != \"",
            ".status = \"",
            "status.as_str(), \"",
            "\"wrong_state\"",
            "WRONG_STATE",
        ],
    );
    assert!(
        found.is_empty(),
        "status text handled outside the domain:\n{}",
        found.join("\n")
    );
}

/// Lower layers never call up: the database layer and the domain know nothing of HTTP.
#[test]
fn lower_layers_never_call_up() {
    let found = offences("src/db", &[], &["crate::http", "super::http"]);
    assert!(found.is_empty(), "db depends on http:\n{}", found.join("\n"));
    let found = offences("src/domain", &[], &["crate::http", "crate::db", "poem"]);
    assert!(
        found.is_empty(),
        "domain depends on outer layers:\n{}",
        found.join("\n")
    );
}

/// Migrations are written once per backend; those with no backend-specific SQL (triggers,
/// types) must stay byte-identical, so a change to one backend's schema cannot silently skip
/// the other.
#[test]
fn migrations_that_must_match_do() {
    // Backend-specific: the audit log's append-only triggers, and the code-point order of names.
    // The audit log's page order on PostgreSQL (expression indexes its planner cannot pass by).
    const DIALECT: &[&str] = &[
        "_foundation",
        "_authentication",
        "_name_order",
        "_attachments",
        "_audit_order",
    ];
    let dirs = |backend: &str| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(root().join("migrations").join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let (pg, lite) = (dirs("postgres"), dirs("sqlite"));
    assert_eq!(pg, lite, "the two backends have the same migrations, by name");
    for dir in &pg {
        for file in ["up.sql", "down.sql"] {
            let a = fs::read_to_string(root().join("migrations/postgres").join(dir).join(file)).unwrap();
            let b = fs::read_to_string(root().join("migrations/sqlite").join(dir).join(file)).unwrap();
            if DIALECT.iter().any(|d| dir.ends_with(d)) {
                assert!(!a.trim().is_empty() && !b.trim().is_empty(), "{dir}/{file} is empty");
            } else {
                assert_eq!(a, b, "{dir}/{file} differs between the backends");
            }
        }
    }
}

/// Handlers change state through `Db::command`, which appends the audit events the closure
/// records, in the same transaction, and refuses a change that recorded none. A plain write is
/// allowed only where a comment right above it says why it is not a command; the sign-in
/// adapter (`auth.rs`, `security.rs`: sessions, throttles, key use) writes its own events.
#[test]
fn handlers_change_state_only_through_commands() {
    let found = offences(
        "src/http",
        &["src/http/auth.rs", "src/http/security.rs"],
        &["audit::append("],
    );
    assert!(found.is_empty(), "audit events appended by hand:\n{}", found.join("\n"));
    let mut plain = Vec::new();
    for file in rust_files(&root().join("src/http")) {
        let rel = file.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        if rel.ends_with("/auth.rs") || rel.ends_with("/security.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.contains(".write(") {
                let explained = lines[i.saturating_sub(5)..i]
                    .iter()
                    .any(|l| l.contains("// Not a command:"));
                if !explained {
                    plain.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(plain.is_empty(), "writes that are not commands:\n{}", plain.join("\n"));
}

//! The `redprop` command: serve, migrate, openapi, admin, audit.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use redprop::config::Config;
use redprop::db::audit;
use redprop::domain::policy::Role;
use redprop::http::accounts::{check_new_user, create_user, GrantInput, NewUser};
use redprop::AppState;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "redprop", version, about = "Red-property governance platform")]
struct Cli {
    #[command(flatten)]
    settings: redprop::config::Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API and the web pages. Every setting below is a flag or its environment
    /// variable (the flag wins).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (YAML; JSON with --json).
    Openapi {
        #[arg(long)]
        json: bool,
    },
    /// Administrator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Bulk imports from county spreadsheets.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Load a demo county shaped like the seed articles into an empty database, with a year of
    /// history made through the API, and print one account per role (passwords shown once).
    Demo {
        /// The registry and the accounts only, no history (the browser tests start from this).
        #[arg(long)]
        bare: bool,
    },
    /// Copy the SQLite database into FILE while the server runs (consistent, then checked).
    /// On PostgreSQL use pg_dump.
    Backup { file: PathBuf },
    /// Ask the server on the configured address whether it is alive (GET /healthz): exit 0 if
    /// so, 1 if not. For container health checks, where there is no curl.
    Healthcheck,
    /// Check a backup (intact, this service's, this data folder's keys, audit chain verifies),
    /// then put it in place of the database. Stop the server first.
    Restore {
        file: PathBuf,
        /// Replace the database that is there (it is kept beside, renamed).
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Units and owners of one estate from a CSV file (UTF-8, with or without BOM, or GBK).
    /// All-or-nothing: any bad row and nothing is imported; every bad row is listed.
    Units {
        file: PathBuf,
        #[arg(long)]
        estate: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an administrator. The password comes from REDPROP_ADMIN_PASSWORD or standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Chain any pending events, then recompute the whole chain; exit 1 on a break.
    Verify,
}

fn init_logging(json: bool, level: Option<&str>) {
    let filter = level
        .and_then(|l| tracing_subscriber::EnvFilter::try_new(l).ok())
        .unwrap_or_else(|| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("REDPROP_ADMIN_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password("Password: ")?);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::from_settings(&cli.settings)?;
    match cli.command {
        Command::Openapi { json } => {
            let doc = if json {
                redprop::openapi_json()
            } else {
                redprop::openapi_yaml()
            };
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), doc.as_bytes());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(async {
                let state = tokio::task::spawn_blocking(move || AppState::init(config)).await??;
                redprop::serve(state).await
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            AppState::init(config)?;
            eprintln!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin {
            command: AdminCommand::Create { username, display_name },
        } => {
            let state = AppState::init(config)?;
            let input = NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                password: read_password()?,
                grants: vec![GrantInput {
                    role: Role::Admin,
                    scope_id: None,
                }],
            };
            check_new_user(&input).map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            let hash = redprop::crypto::hash_password(&input.password);
            let actor = audit::Actor::system("cli:admin-create");
            let (user, _) = state
                .db
                .command_blocking(|c, trail| create_user(c, trail, &actor, &input, hash))
                .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            state.seal_all().map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created administrator {} ({})", user.username, user.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            command: ImportCommand::Units { file, estate },
        } => {
            let state = AppState::init(config)?;
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let started = std::time::Instant::now();
            match rt.block_on(redprop::http::estates::import_units(&state, None, &estate, bytes)) {
                Ok(r) => {
                    state.seal_all().map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!(
                        "imported {} units ({} buildings, {} owners new, {} matched, {} ownerships) in {} ms",
                        r.units,
                        r.buildings_created,
                        r.owners_created,
                        r.owners_matched,
                        r.ownerships,
                        started.elapsed().as_millis()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(redprop::error::AppError::Unprocessable { detail, errors, .. }) => {
                    eprintln!("{detail}");
                    for e in errors {
                        match e.row {
                            Some(row) => eprintln!("  row {row}, {}: {}", e.field, e.message),
                            None => eprintln!("  {}: {}", e.field, e.message),
                        }
                    }
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(anyhow::anyhow!("{}", describe(&e))),
            }
        }
        Command::Healthcheck => Ok(if healthy(&config.bind) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
        Command::Backup { file } => {
            let r = redprop::backup::backup(&config, &file)?;
            println!(
                "backup written to {} ({} bytes, {} audit events) and checked; keep jwt.secret and id-hash.key of the data folder with it",
                file.display(),
                r.bytes,
                r.audit_events
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, replace } => {
            let r = redprop::backup::restore(&config, &file, replace)?;
            println!(
                "restored from {} ({} bytes, {} audit events; the audit chain verifies)",
                file.display(),
                r.bytes,
                r.audit_events
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { bare } => {
            // The history starts a year ago, on a clock that is then moved forward to now.
            let clock = if bare {
                redprop::clock::Clock::default()
            } else {
                redprop::clock::Clock::behind(366 * 86_400)
            };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let state = rt.block_on(async {
                tokio::task::spawn_blocking(move || AppState::init_with_clock(config, clock)).await
            })??;
            let s = redprop::demo::load(&state).map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            if !bare {
                let (st, summary) = (state.clone(), &s);
                rt.block_on(async move { st.db.clock().scope(redprop::demo::history::run(&st, summary)).await })?;
            }
            state.seal_all().map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "demo county loaded: {} organisations, {} grids, {} estates, {} companies, {} units\ncounty {}",
                s.organisations, s.grids, s.estates, s.companies, s.units, s.county_id
            );
            for (name, id) in &s.estate_ids {
                println!("estate {id} {name}");
            }
            println!("\naccounts (the passwords are shown this once; change them after signing in):");
            for a in &s.accounts {
                println!("  {:<24} {:<18} {}", a.who, a.username, a.password);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let state = AppState::init(config)?;
            let err = |e: redprop::error::AppError| anyhow::anyhow!("{e}");
            state.seal_all().map_err(err)?;
            let report = state.verify_audit().map_err(err)?;
            match &report.first_break {
                None => println!(
                    "audit chain intact up to its anchored head: {} events sealed, {} pending",
                    report.sealed, report.pending
                ),
                Some(b) => println!(
                    "audit chain BROKEN at seq {} (chain position {}): {}",
                    b.seq, b.chain_pos, b.reason
                ),
            }
            match &report.ballots.first_mismatch {
                None => println!("ballots agree with the audit log: {} checked", report.ballots.checked),
                Some(m) => println!(
                    "ballots DISAGREE with the audit log in vote {} (voter {}, ballot {}, audit event {}): {}",
                    m.vote_id,
                    m.voter_id.as_deref().unwrap_or("-"),
                    m.ballot_id.as_deref().unwrap_or("-"),
                    m.audit_seq.map_or("-".to_string(), |s| s.to_string()),
                    m.reason
                ),
            }
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// A one-line reason for the command line.
fn describe(e: &redprop::error::AppError) -> String {
    use redprop::error::AppError as E;
    match e {
        E::Unprocessable { detail, .. } | E::Conflict { detail, .. } => detail.clone(),
        other => other.to_string(),
    }
}

fn main() -> ExitCode {
    // An empty setting counts as unset (a deployment's environment file may list every name).
    for (name, value) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if (name.starts_with("REDPROP_") || name == "DATABASE_URL") && value.is_empty() {
            std::env::remove_var(&name);
        }
    }
    let cli = Cli::parse();
    init_logging(
        cli.settings
            .log
            .as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case("json")),
        cli.settings.log_level.as_deref(),
    );
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `GET /healthz` on `bind` answers 200 within two seconds (an address of every
/// interface is asked on the loopback).
fn healthy(bind: &str) -> bool {
    use std::io::{Read, Write};
    use std::net::ToSocketAddrs;
    let bind = bind.replace("0.0.0.0", "127.0.0.1").replace("[::]", "[::1]");
    let Some(addr) = bind.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        return false;
    };
    let timeout = std::time::Duration::from_secs(2);
    let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, timeout) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(timeout));
    if s.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

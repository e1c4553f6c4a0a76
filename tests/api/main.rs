//! Black-box tests over HTTP, one module per capability, one test binary. Each test runs on
//! SQLite, and on PostgreSQL when REDPROP_TEST_POSTGRES_URL is set.

mod contract;
mod support;

mod access;
mod architecture;
mod audit;
mod auth;
mod authentication;
mod backup;
mod committees;
mod compression;
mod concurrency;
mod connections;
mod errors;
mod fixtures;
mod hardening;
mod idempotency;
mod ledger;
mod lists;
mod meetings;
mod metrics;
mod money;
mod notices;
mod ratings;
mod registry;
mod rules;
mod schema;
mod settings;
mod volunteers;
mod votes;
mod web;
mod webhooks;

//! The rules, pure: no poem, no diesel, no IO. Each rule of RULES.md lives in exactly one module
//! here; http and db call these and never re-implement them.

pub mod area;
pub mod attachment;
pub mod audit;
pub mod committee;
pub mod credentials;
pub mod fund_import;
pub mod headcount;
pub mod identity;
pub mod ids;
pub mod ledger;
pub mod lifecycle;
pub mod meeting;
pub mod money;
pub mod notice;
pub mod policy;
pub mod rating;
pub mod registry;
pub mod service;
pub mod session;
pub mod term;
pub mod text;
pub mod throttle;
pub mod ties;
pub mod unit_import;
pub mod vetting;
pub mod voting;
pub mod webhook;
pub mod window;

#[cfg(test)]
mod properties;

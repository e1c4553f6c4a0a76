//! The HTTP API: one file per OpenAPI tag, plus the pieces they share (problem+json, the body
//! extractor, security schemes, paging, the request middleware).

pub mod accounts;
pub mod api_keys;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod body;
pub mod committees;
pub mod companies;
pub mod compress;
pub mod coverage;
pub mod estates;
pub mod etag;
pub mod events;
pub mod idempotency;
pub mod json;
pub mod ledger;
pub mod location;
pub mod meetings;
pub mod middleware;
pub mod money;
pub mod notices;
pub mod orgs;
pub mod owners;
pub mod paging;
pub mod problem;
pub mod ratings;
pub mod scope;
pub mod security;
pub mod server;
pub mod spec;
pub mod terms;
pub mod test_clock;
pub mod validate;
pub mod vetting;
pub mod volunteers;
pub mod votes;
pub mod webhooks;

use poem_openapi::{OpenApiService, Tags};

pub const API_PREFIX: &str = "/api/v1";

#[derive(Tags)]
pub enum ApiTags {
    /// Logging in and out, tokens, own password.
    Auth,
    /// Accounts and their roles (administrators).
    Accounts,
    /// API keys for property companies' integrations.
    ApiKeys,
    /// The append-only, hash-chained audit log.
    Audit,
    /// The organisation tree (administrative and party chain) and grids.
    Organisations,
    /// Estates, buildings, units, spreadsheet import and headcount.
    Estates,
    /// Owners (业主), their units and accounts.
    Owners,
    /// Property companies (物业服务企业) and service contracts.
    Companies,
    /// Coverage figures for a county, township or community.
    Coverage,
    /// Owners' committees and property management committees: formation, rosters, deadlines.
    Committees,
    /// Candidate vetting: negative lists, joint review, publicity and objections.
    Vetting,
    /// Owners' votes under Civil Code Art. 278, and the major-matter procedure.
    Votes,
    /// The problem ledger (问题台账): report, dispatch, accept, done, confirm; volunteer teams.
    Ledger,
    /// Joint meetings (联席会议), their minutes and the action items they decide.
    Meetings,
    /// Star ratings of property companies (五好红色物业): campaigns, surveys, scores, appeals.
    Ratings,
    /// Money the owners are owed an account of (阳光账目): fee standards, common income, the
    /// maintenance fund, statements and owners' questions.
    Money,
    /// Files (photos, evidence, scans) that records use.
    Attachments,
    /// Webhooks: signed deliveries of events to integrators, with retries and replay.
    Webhooks,
    /// Notice to owners and officials (通知): inboxes, text messages, work groups, proof owner by owner.
    Notices,
    /// Party members and volunteers at home (双报到, 党群服务站): report-ins and placement, service
    /// hours and points, stations, activities, selections.
    Volunteers,
    /// The closed sets of values (statuses, kinds) and what people call them.
    Terms,
}

pub type Apis = (
    auth::AuthApi,
    accounts::AccountsApi,
    // Integrators' tools: a tuple of its own (poem-openapi takes at most 16 at a level).
    (api_keys::ApiKeysApi, webhooks::WebhooksApi, terms::TermsApi),
    audit::AuditApi,
    orgs::OrgsApi,
    estates::Apis,
    owners::Apis,
    companies::CompaniesApi,
    coverage::CoverageApi,
    committees::Apis,
    vetting::Apis,
    votes::Apis,
    ledger::Apis,
    meetings::Apis,
    ratings::Apis,
    (
        attachments::AttachmentsApi,
        money::Apis,
        notices::NoticesApi,
        volunteers::Apis,
    ),
);

/// The OpenAPI service: every operation, the contract that `openapi/openapi.yaml` records.
pub fn service() -> OpenApiService<Apis, ()> {
    let apis = (
        auth::AuthApi,
        accounts::AccountsApi,
        (api_keys::ApiKeysApi, webhooks::WebhooksApi, terms::TermsApi),
        audit::AuditApi,
        orgs::OrgsApi,
        estates::apis(),
        owners::apis(),
        companies::CompaniesApi,
        coverage::CoverageApi,
        committees::apis(),
        vetting::apis(),
        votes::apis(),
        ledger::apis(),
        meetings::apis(),
        ratings::apis(),
        (
            attachments::AttachmentsApi,
            money::apis(),
            notices::NoticesApi,
            volunteers::apis(),
        ),
    );
    OpenApiService::new(apis, "redprop", env!("CARGO_PKG_VERSION"))
        .description(format!(
            "Red-property (红色物业) governance platform for residential estates: registry, committees, \
             owners' voting under Civil Code Art. 278, joint meetings and ratings. Every error is \
             RFC 9457 problem+json with a stable `code`, one of those below; a refused field is named \
             in `errors` with a field code.\n\n{}",
            crate::error::codes::markdown()
        ))
        .url_prefix(API_PREFIX)
}

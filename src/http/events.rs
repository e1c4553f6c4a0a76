//! What a webhook receiver is sent: the envelope of every delivery and the `data` of each event
//! type, as types. The commands that publish an event build its `data` from these types, and the
//! API document carries them as schemas (`Webhook…` in `components/schemas`, written in by
//! `http::spec`), so that an integrator generates the same types the server sends — and the two
//! cannot drift apart.
//!
//! Every `data` holds ids and facts, never personal data: a receiver reads what it may see of a
//! record through the API.

use chrono::NaiveDate;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::Object;

use crate::domain::webhook::WebhookEvent;

/// `data` of `ledger_item.dispatched`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct LedgerItemDispatchedData {
    pub ledger_item_id: String,
    pub estate_id: String,
    /// The item's category (`GET /terms`, `ledger_category`).
    pub category: String,
    /// Who takes it: `company`, `department`, `party_member` or `volunteer_team`.
    pub assignee_kind: Option<String>,
    pub assignee_id: Option<String>,
    /// By when the taker is to accept it (RFC 3339).
    pub accept_due: Option<String>,
    /// By when it is to be done (RFC 3339).
    pub done_due: Option<String>,
}

/// `data` of `meeting.invitation` and `minutes.published`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MeetingEventData {
    pub meeting_id: String,
    /// The meeting's kind (`GET /terms`, `meeting_kind`).
    pub kind: String,
    /// The estate, for an estate's meeting (a community's party-building meeting has none).
    pub estate_id: Option<String>,
    /// When it starts (RFC 3339).
    pub starts_at: String,
    /// Where it is held (`meeting.invitation`).
    pub place: Option<String>,
    /// The published version of the minutes (`minutes.published`).
    pub minutes_id: Option<String>,
    pub version: Option<i32>,
    /// SHA-256 of the published minutes' content, hex.
    pub fingerprint: Option<String>,
}

/// `data` of `action_item.due`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ActionItemDueData {
    pub action_item_id: String,
    pub meeting_id: String,
    pub due_on: NaiveDate,
    /// The responsible party's kind (`GET /terms`, `party_kind`).
    pub responsible_party_kind: String,
    pub responsible_party_id: Option<String>,
}

/// `data` of `vote.opened` and `vote.closed`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct VoteEventData {
    pub vote_id: String,
    pub estate_id: String,
    pub title: String,
    /// `question` or `election`.
    pub kind: String,
    /// The matter's category under Civil Code Art. 278 (1–9).
    pub category: i32,
    /// RFC 3339.
    pub opens_at: String,
    /// RFC 3339.
    pub closes_at: String,
}

/// A company's own overall result in `rating.published`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct CompanyRatingResult {
    /// 0 when no star (below the lowest band, or vetoed).
    pub stars: i32,
    /// The score in hundredths of a point.
    pub score_centi: i64,
    pub rank: i32,
    pub vetoed: bool,
}

/// `data` of `rating.published`: the county hears how many companies were rated, each company
/// only its own result.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct RatingPublishedData {
    pub campaign_id: String,
    pub name: String,
    /// The version of the results published.
    pub version: i32,
    /// To the county: how many companies were rated.
    pub companies: Option<u64>,
    /// To a company: its own overall result.
    pub company_result: Option<CompanyRatingResult>,
}

/// `data` of `rating_appeal.decided`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct AppealDecidedData {
    pub appeal_id: String,
    pub campaign_id: String,
    pub estate_id: String,
    /// `upheld` or `dismissed`.
    pub outcome: String,
    /// The results version an upheld appeal published.
    pub new_run_id: Option<String>,
}

/// `data` of `contract.changed`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ContractChangedData {
    /// What happened to it: `created`.
    pub change: String,
    pub contract_id: String,
    pub estate_id: String,
    /// The contract's kind (`GET /terms`, `contract_kind`).
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// `data` of `webhook.test`: sent to one endpoint when its owner asks, to check the receiver
/// (its address, its signature check) without waiting for a real event.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookTestData {
    pub webhook_id: String,
    /// Says that this is a test.
    pub message: String,
}

/// `data` of `statement.published`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct StatementPublishedData {
    pub statement_id: String,
    pub estate_id: String,
    /// `common_income` or `maintenance_fund`.
    pub account: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub version: i32,
    /// The version it corrects.
    pub supersedes: Option<String>,
    pub closing_fen: i64,
    /// SHA-256 of what was published, hex.
    pub fingerprint: String,
}

/// `data` of `statement_question.asked` and `statement_question.answered`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct StatementQuestionData {
    pub question_id: String,
    pub statement_id: String,
    pub estate_id: String,
    /// The last day for the answer.
    pub answer_due: NaiveDate,
    /// When it was answered (RFC 3339; `statement_question.answered`).
    pub answered_at: Option<String>,
}

/// `data` of `fund_use.changed`.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct FundUseChangedData {
    pub fund_use_id: String,
    pub estate_id: String,
    /// `ordinary` or `emergency`.
    pub kind: String,
    /// Its status now (`GET /terms`, `fund_use_status`).
    pub status: String,
    pub estimate_fen: i64,
    pub settled_fen: Option<i64>,
}

/// An event's `data` as the JSON the delivery sends.
pub fn data<T: ToJSON>(d: &T) -> serde_json::Value {
    d.to_json().unwrap_or(serde_json::Value::Null)
}

/// The schema of each event type's `data`, by event type.
fn data_schema(e: WebhookEvent) -> fn(&mut Registry) -> MetaSchemaRef {
    fn of<T: Type>(r: &mut Registry) -> MetaSchemaRef {
        T::register(r);
        T::schema_ref()
    }
    match e {
        WebhookEvent::LedgerItemDispatched => of::<LedgerItemDispatchedData>,
        WebhookEvent::MeetingInvitation | WebhookEvent::MinutesPublished => of::<MeetingEventData>,
        WebhookEvent::ActionItemDue => of::<ActionItemDueData>,
        WebhookEvent::VoteOpened | WebhookEvent::VoteClosed => of::<VoteEventData>,
        WebhookEvent::RatingPublished => of::<RatingPublishedData>,
        WebhookEvent::AppealDecided => of::<AppealDecidedData>,
        WebhookEvent::ContractChanged => of::<ContractChangedData>,
        WebhookEvent::Test => of::<WebhookTestData>,
        WebhookEvent::StatementPublished => of::<StatementPublishedData>,
        WebhookEvent::QuestionAsked | WebhookEvent::QuestionAnswered => of::<StatementQuestionData>,
        WebhookEvent::FundUseChanged => of::<FundUseChangedData>,
    }
}

/// The schemas a receiver needs, as the API document's `components/schemas` holds them: every
/// `data` type, and an envelope per event type (`WebhookVoteOpened`, ...) — what one delivery's
/// body is (`db::webhooks::EventRow::body`).
pub fn schemas() -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let mut registry = Registry::new();
    let mut envelopes = serde_json::Map::new();
    for e in WebhookEvent::ALL {
        let data = match data_schema(*e)(&mut registry) {
            MetaSchemaRef::Reference(name) => json!({ "$ref": format!("#/components/schemas/{name}") }),
            MetaSchemaRef::Inline(s) => serde_json::to_value(&*s).unwrap_or_default(),
        };
        let name: String = e
            .as_str()
            .split(['.', '_'])
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect();
        envelopes.insert(
            format!("Webhook{name}"),
            json!({
                "type": "object",
                "description": format!(
                    "The body of a `{}` delivery (POSTed as JSON, signed in `Redprop-Signature`).",
                    e.as_str()
                ),
                "required": ["id", "type", "occurred_at", "data"],
                "properties": {
                    "id": { "type": "string", "description": "The event's id: the same on every attempt and replay (deduplicate on it)." },
                    "type": { "type": "string", "enum": [e.as_str()] },
                    "occurred_at": { "type": "string", "format": "date-time" },
                    "county_id": { "type": "string", "nullable": true, "description": "Set on a county's deliveries." },
                    "company_id": { "type": "string", "nullable": true, "description": "Set on a company's deliveries." },
                    "data": data,
                }
            }),
        );
    }
    let mut out: serde_json::Map<String, serde_json::Value> = registry
        .schemas
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::to_value(v).unwrap_or_default()))
        .collect();
    out.extend(envelopes);
    out
}

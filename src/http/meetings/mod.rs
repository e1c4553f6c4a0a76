//! Joint meetings (联席会议): convening with invited parties and an agenda (which may table
//! ledger items and major-matter proposals), attendance, minutes drafted by the convenor,
//! confirmed by every attending party, published and frozen (corrections are new versions), and
//! the action items (督办事项) their decisions create, followed to done. Rules in
//! `domain::meeting`, who may do what in `domain::policy`.

use super::ApiTags;
use crate::db::meetings::{ActionRow, ActionStepRow, AgendaRow, AnswerRow, MeetingRow, MinutesRow, PartyRow};
use crate::db::orgs::OrgRow;
use crate::db::{self, audit, AnyConnection};
use crate::domain::ids;
use crate::domain::meeting::{self, ActionStatus, Attendance, MeetingKind, MinutesStatus, PartyKind};
use crate::domain::policy::{authorize, Action, Place};
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::body::JsonBody;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::scope::{estate_ctx, org_place, EstateCtx};
use crate::http::security::{AnyAuth, BearerAuth, Caller};
use crate::AppState;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

mod actions;
mod cadence;
mod dto;
mod figures;
mod meeting_api;
mod minutes_api;
pub(crate) mod print;
mod views;

pub use actions::*;
pub(crate) use cadence::meetings_owed;
pub use dto::*;
pub use figures::*;
pub use meeting_api::*;
pub use minutes_api::*;
pub use print::*;
pub(crate) use views::*;

/// The operations of this capability, for the service.
pub type Apis = (MeetingsApi, MinutesApi, PrintApi, ActionItemsApi, FiguresApi);

pub fn apis() -> Apis {
    (MeetingsApi, MinutesApi, PrintApi, ActionItemsApi, FiguresApi)
}

/// Where a party sits, for the policy.
#[derive(Default)]
pub(crate) struct PartyPlace {
    org_path: Option<String>,
    estate: Option<String>,
    company: Option<String>,
    department: Option<String>,
}

impl PartyPlace {
    fn place(&self) -> Place<'_> {
        Place {
            org_paths: self.org_path.iter().map(String::as_str).collect(),
            estate_ids: self.estate.iter().map(String::as_str).collect(),
            company_id: self.company.as_deref(),
            department_ids: self.department.iter().map(String::as_str).collect(),
            caller_owns_here: false,
        }
    }
}

/// The webhook events of a meeting's step (invitation, minutes published): one to its county,
/// one to each invited company.
fn meeting_events(
    event: crate::domain::webhook::WebhookEvent,
    meeting: &MeetingRow,
    parties: &[&PartyRow],
    fill: impl FnOnce(&mut crate::http::events::MeetingEventData),
) -> Vec<db::webhooks::Outbound> {
    let mut d = crate::http::events::MeetingEventData {
        meeting_id: meeting.id.clone(),
        kind: meeting.kind.clone(),
        estate_id: meeting.estate_id.clone(),
        starts_at: ids::rfc3339(meeting.starts_at),
        place: None,
        minutes_id: None,
        version: None,
        fingerprint: None,
    };
    fill(&mut d);
    let data = crate::http::events::data(&d);
    let companies = parties
        .iter()
        .filter(|p| p.kind == PartyKind::Company.as_str())
        .filter_map(|p| p.party_id.clone());
    db::webhooks::to_county_and_companies(
        event,
        &crate::domain::registry::county_of(&meeting.community_path),
        companies,
        &meeting.id,
        &data,
    )
}

/// A meeting with what the policy needs: its convenor, its scope, its parties.
pub(crate) struct MeetingCtx {
    pub meeting: MeetingRow,
    pub convenor: OrgRow,
    /// The estate, for an estate's meeting.
    pub estate: Option<EstateCtx>,
    pub community: OrgRow,
    pub parties: Vec<(PartyRow, PartyPlace)>,
}

impl MeetingCtx {
    /// The meeting's version as stored, with its parties' attendance (`http::etag`).
    pub fn etag(&self) -> String {
        crate::http::etag::of(&(&self.meeting, self.parties.iter().map(|(p, _)| p).collect::<Vec<_>>()))
    }

    /// `load`, with the meeting locked for a change (two attendance records never interleave).
    pub fn load_for_change(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<MeetingCtx> {
        db::meetings::lock(conn, id)?;
        Self::load(conn, caller, id)
    }

    pub fn load(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<MeetingCtx> {
        let not_found = || AppError::NotFound { what: "meeting" };
        let meeting = db::meetings::get(conn, id)?.ok_or_else(not_found)?;
        let convenor = db::orgs::get(conn, &meeting.convenor_org_id)?.ok_or_else(not_found)?;
        let community = db::orgs::get(conn, &meeting.community_id)?.ok_or_else(not_found)?;
        let estate = match &meeting.estate_id {
            Some(e) => Some(estate_ctx(conn, caller, e)?),
            None => None,
        };
        let mut parties = Vec::new();
        for p in db::meetings::parties(conn, &meeting.id)? {
            let place = party_place(conn, &p)?;
            parties.push((p, place));
        }
        Ok(MeetingCtx {
            meeting,
            convenor,
            estate,
            community,
            parties,
        })
    }

    /// The meeting's scope: its estate, or its community.
    pub fn scope(&self) -> Place<'_> {
        match &self.estate {
            Some(e) => e.place(),
            None => org_place(&self.community),
        }
    }

    /// The parties the caller speaks for.
    pub fn spoken_for(&self, caller: &Caller) -> Vec<&PartyRow> {
        self.parties
            .iter()
            .filter(|(_, place)| authorize(&caller.principal, &Action::SpeakForParty(place.place())).is_ok())
            .map(|(p, _)| p)
            .collect()
    }

    /// How the caller stands to the meeting, if at all.
    pub fn seen_as(&self, caller: &Caller) -> Option<Seen> {
        let p = &caller.principal;
        if authorize(p, &Action::ConveneMeeting(org_place(&self.convenor))).is_ok() {
            return Some(Seen::Convenor);
        }
        if authorize(p, &Action::ViewMeeting(self.scope())).is_ok() || !self.spoken_for(caller).is_empty() {
            return Some(Seen::Party);
        }
        if authorize(p, &Action::ViewPublic(self.scope())).is_ok() {
            return Some(Seen::Public);
        }
        None
    }

    /// The caller's standing; absent (404) for whoever may not see the scope at all.
    pub fn visible(&self, caller: &Caller) -> AppResult<Seen> {
        self.seen_as(caller).ok_or(AppError::NotFound { what: "meeting" })
    }

    /// The convenor's steps (403 for a party or the public, 404 for the rest).
    pub fn as_convenor(&self, caller: &Caller) -> AppResult<audit::Actor> {
        self.visible(caller)?;
        caller.may(&Action::ConveneMeeting(org_place(&self.convenor)))
    }

    /// A party's step: the caller must speak for `party_id`.
    pub fn as_party(&self, caller: &Caller, party_id: &str) -> AppResult<audit::Actor> {
        self.visible(caller)?;
        let (_, place) = self
            .parties
            .iter()
            .find(|(p, _)| p.id == party_id)
            .ok_or(AppError::NotFound { what: "meeting party" })?;
        caller.may(&Action::SpeakForParty(place.place()))
    }
}

/// How a caller stands to a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The convenor's side: everything, and the convenor's steps.
    Convenor,
    /// Officials over the scope, its committee, the invited parties: drafts too.
    Party,
    /// Owners of the estate and others who see it publicly: published minutes only.
    Public,
}

fn party_place(conn: &mut AnyConnection, p: &PartyRow) -> AppResult<PartyPlace> {
    let mut place = PartyPlace::default();
    let Some(id) = p.party_id.clone() else {
        return Ok(place);
    };
    match p.kind()? {
        PartyKind::PartyOrg => place.org_path = db::orgs::get(conn, &id)?.map(|o| o.path),
        PartyKind::Committee => place.estate = db::committees::get(conn, &id)?.map(|c| c.estate_id),
        PartyKind::Company => place.company = Some(id),
        PartyKind::Department => place.department = Some(id),
        PartyKind::Person => {}
    }
    Ok(place)
}

/// The minutes' text: what was said per agenda item, and what was decided.
#[derive(Object, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct MinutesContent {
    /// What was said, per agenda item.
    #[oai(validator(max_items = 100))]
    pub discussion: Vec<Discussion>,
    /// What was decided.
    #[oai(validator(max_items = 100))]
    pub decisions: Vec<Decision>,
}

#[derive(Object, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Discussion {
    /// The agenda item's place in the agenda (1 is the first).
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub agenda_seq: i32,
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub text: String,
}

/// A decision; with a responsible party and a due date, it becomes an action item (督办事项)
/// when the minutes are published.
#[derive(Object, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub text: String,
    /// The invited party (a meeting party id, not a named person) that carries it out.
    #[oai(validator(max_length = 64))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible_party_id: Option<String>,
    /// The day it is due (China Standard Time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    /// Ledger items it follows up (tabled at the meeting).
    #[oai(default, validator(max_items = 50, unique_items))]
    #[serde(default)]
    pub ledger_item_ids: Vec<String>,
}

impl MinutesContent {
    /// Checks the text against the meeting: discussion of agenda items it has, decisions whose
    /// responsible party is an invited organisation and whose ledger items were tabled.
    fn check(&self, agenda: &[AgendaRow], parties: &[(PartyRow, PartyPlace)]) -> AppResult<()> {
        for (i, d) in self.discussion.iter().enumerate() {
            if !agenda.iter().any(|a| a.seq == d.agenda_seq) {
                return Err(AppError::invalid(
                    &format!("discussion[{i}].agenda_seq"),
                    reason::NOT_FOUND,
                    "the meeting has no agenda item with this number",
                ));
            }
        }
        for (i, d) in self.decisions.iter().enumerate() {
            if d.responsible_party_id.is_some() != d.due_on.is_some() {
                return Err(AppError::invalid(
                    &format!("decisions[{i}].due_on"),
                    reason::CONFLICT,
                    "a decision to follow up names both its responsible party and its due date",
                ));
            }
            if let Some(r) = &d.responsible_party_id {
                let ok = parties
                    .iter()
                    .any(|(p, _)| &p.id == r && p.party_id.is_some() && p.kind().is_ok_and(|k| k != PartyKind::Person));
                if !ok {
                    return Err(AppError::invalid(
                        &format!("decisions[{i}].responsible_party_id"),
                        reason::NOT_FOUND,
                        "not an organisation invited to this meeting",
                    ));
                }
            }
            for (j, l) in d.ledger_item_ids.iter().enumerate() {
                if !agenda.iter().any(|a| a.ledger_item_id.as_deref() == Some(l)) {
                    return Err(AppError::invalid(
                        &format!("decisions[{i}].ledger_item_ids[{j}]"),
                        reason::NOT_FOUND,
                        "the ledger item was not tabled at this meeting",
                    ));
                }
            }
        }
        Ok(())
    }
}

//! The problem ledger (问题台账): report, dispatch, accept or decline, progress, done with
//! evidence, confirm and rate or reopen; lists by estate, by reporter and by assignee; the
//! county's service levels; the community's volunteer teams. Rules in `domain::ledger`, who may
//! do what in `domain::policy`.

use super::ApiTags;
use crate::db::ledger::{ItemRow, StepRow, TeamRow};
use crate::db::{self, audit, AnyConnection};
use crate::domain::ledger::{AssigneeKind, Category, ItemStatus, ServiceLevel, Step};
use crate::domain::meeting::PartyKind;
use crate::domain::policy::{authorize, Action, Place, Role};
use crate::domain::{ids, ledger};
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::body::JsonBody;
use crate::http::committees::county_of;
use crate::http::json::FastJson;
use crate::http::paging::{self, Page};
use crate::http::problem::ApiResult;
use crate::http::scope::{check, estate_ctx, EstateCtx};
use crate::http::security::{AnyAuth, BearerAuth, Caller};
use crate::AppState;
use chrono::{DateTime, NaiveDateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

mod dto;
mod items;
mod settings;
mod views;
mod work;

pub use dto::*;
pub use items::*;
pub use settings::*;
pub(crate) use views::*;
pub use work::*;

/// The operations of this capability, for the service.
pub type Apis = (ItemsApi, WorkApi, LedgerSettingsApi);

pub fn apis() -> Apis {
    (ItemsApi, WorkApi, LedgerSettingsApi)
}

/// An item with its estate, and how the caller stands to it.
pub(crate) struct ItemCtx {
    pub item: ItemRow,
    pub estate: EstateCtx,
    pub assignee: Assignee,
}

impl ItemCtx {
    /// Whether the caller is the party member the item is dispatched to, or one of the team's
    /// members (who may not confirm their own service, `http::volunteers::hours`).
    pub(crate) fn caller_is_assignee(&self) -> bool {
        self.assignee.caller_is_it
    }
}

/// The assignee of an item as the policy sees it.
#[derive(Default)]
pub(crate) struct Assignee {
    company: Option<String>,
    department: Option<String>,
    /// The caller is the party member, or a member of the team, the item is dispatched to.
    caller_is_it: bool,
}

impl Assignee {
    fn of(conn: &mut AnyConnection, caller: &Caller, item: &ItemRow) -> AppResult<Assignee> {
        let (Some(kind), Some(id)) = (item.assignee_kind.as_deref(), item.assignee_id.as_deref()) else {
            return Ok(Assignee::default());
        };
        let mut a = Assignee::default();
        match db::terms::stored::<AssigneeKind>(kind)? {
            AssigneeKind::Company => a.company = Some(id.to_string()),
            AssigneeKind::Department => a.department = Some(id.to_string()),
            AssigneeKind::PartyMember => a.caller_is_it = caller.principal.is_owner(id),
            AssigneeKind::VolunteerTeam => {
                let mine = caller.principal.owner_ids();
                a.caller_is_it = !mine.is_empty() && db::ledger::members(conn, id)?.iter().any(|m| mine.contains(m));
            }
        }
        Ok(a)
    }

    pub fn place(&self) -> Place<'_> {
        Place {
            company_id: self.company.as_deref(),
            department_ids: self.department.iter().map(String::as_str).collect(),
            caller_owns_here: self.caller_is_it,
            ..Place::default()
        }
    }
}

impl ItemCtx {
    pub fn load(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<ItemCtx> {
        let item = db::ledger::get(conn, id)?.ok_or(AppError::NotFound { what: "ledger item" })?;
        Self::of(conn, caller, item)
    }

    /// The context of an item about to change, locked for this transaction.
    pub fn load_for_change(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<ItemCtx> {
        let item = db::ledger::get_for_change(conn, id)?.ok_or(AppError::NotFound { what: "ledger item" })?;
        Self::of(conn, caller, item)
    }

    fn of(conn: &mut AnyConnection, caller: &Caller, item: ItemRow) -> AppResult<ItemCtx> {
        let estate = estate_ctx(conn, caller, &item.estate_id)?;
        let assignee = Assignee::of(conn, caller, &item)?;
        Ok(ItemCtx { item, estate, assignee })
    }

    fn reporter_action(&self) -> AppResult<Action<'_>> {
        Ok(Action::ConfirmLedgerItem {
            reporter_id: &self.item.reporter_id,
            reporter_company_id: self.item.reporter_company_id.as_deref(),
            reporter_role: db::terms::stored::<Role>(&self.item.reporter_role)?,
        })
    }

    /// How the caller sees the item, if at all: as an official over the estate (or its
    /// committee), as its reporter, or as its assignee.
    pub fn seen_as(&self, caller: &Caller) -> AppResult<Option<Seen>> {
        let p = &caller.principal;
        if authorize(p, &Action::ViewLedger(self.estate.place())).is_ok() {
            return Ok(Some(Seen::Official));
        }
        if authorize(p, &self.reporter_action()?).is_ok() {
            return Ok(Some(Seen::Reporter));
        }
        if authorize(p, &Action::WorkLedgerItem(self.assignee.place())).is_ok() {
            return Ok(Some(Seen::Assignee));
        }
        Ok(None)
    }

    /// The caller's right to see the item; absent (404) for everyone else.
    pub fn visible(&self, caller: &Caller) -> AppResult<Seen> {
        self.seen_as(caller)?.ok_or(AppError::NotFound { what: "ledger item" })
    }

    /// The reporter's step (confirm, reopen): 404 if the caller cannot see the item at all.
    pub fn as_reporter(&self, caller: &Caller) -> AppResult<audit::Actor> {
        self.visible(caller)?;
        caller.may(&self.reporter_action()?)
    }

    /// The assignee's step: 404 if the caller cannot see the item at all.
    pub fn as_assignee(&self, caller: &Caller) -> AppResult<audit::Actor> {
        self.visible(caller)?;
        caller.may(&Action::WorkLedgerItem(self.assignee.place()))
    }

    /// The community's step (dispatch).
    pub fn as_dispatcher(&self, caller: &Caller) -> AppResult<audit::Actor> {
        self.visible(caller)?;
        check(
            caller,
            &self.estate.place(),
            &Action::DispatchLedgerItem(self.estate.place()),
        )
    }
}

/// How a caller stands to an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    Official,
    Reporter,
    Assignee,
}

impl Seen {
    /// Whether the reporter's identity is withheld: from an assignee, unless the reporter
    /// allowed it to be shown.
    pub fn hides_reporter(self, item: &ItemRow) -> bool {
        self == Seen::Assignee && !item.show_reporter
    }
}

/// Whether the caller may see an item (for the records an attachment belongs to).
pub fn may_see_item(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<bool> {
    match ItemCtx::load(conn, caller, id) {
        Ok(ctx) => Ok(ctx.seen_as(caller)?.is_some()),
        Err(AppError::NotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// What a step leaves in the history besides who and when.
#[derive(Default)]
pub(crate) struct Said {
    pub note: Option<String>,
    pub rating: Option<i32>,
    pub files: Vec<String>,
}

/// Appends a step to an item's history: who, in which role, when, and what they said.
pub(crate) fn record_step(
    conn: &mut AnyConnection,
    actor: &audit::Actor,
    item: &ItemRow,
    step: Step,
    said: &Said,
    now: NaiveDateTime,
) -> AppResult<StepRow> {
    let files = &said.files;
    let row = StepRow {
        id: ids::new_id(),
        item_id: item.id.clone(),
        step: step.as_str().into(),
        status: item.status.clone(),
        actor_type: actor.actor_type.clone(),
        actor_id: actor.actor_id.clone(),
        actor_role: actor.role.clone(),
        assignee_kind: item.assignee_kind.clone(),
        assignee_id: item.assignee_id.clone(),
        note: said.note.clone(),
        rating: said.rating,
        attachments: serde_json::to_string(files).map_err(|e| AppError::Internal(e.to_string()))?,
        at: now,
    };
    db::ledger::add_step(conn, &row)?;
    db::attachments::reference(conn, files, crate::http::attachments::LEDGER_ITEM, &item.id)?;
    Ok(row)
}

/// The name of whoever took an item: the company, department, volunteer team or party member.
pub(crate) fn assignee_name(conn: &mut AnyConnection, kind: &str, id: &str) -> AppResult<Option<String>> {
    Ok(match db::terms::stored::<AssigneeKind>(kind)? {
        AssigneeKind::Company => db::companies::get(conn, id)?.map(|c| c.name),
        AssigneeKind::Department => db::orgs::get(conn, id)?.map(|o| o.name),
        AssigneeKind::VolunteerTeam => db::ledger::team(conn, id)?.map(|t| t.name),
        AssigneeKind::PartyMember => db::owners::get(conn, id)?.map(|o| o.name),
    })
}

/// Files a step may carry: only ones the caller uploaded (so nobody attaches, and so opens to
/// others, a file they could not read themselves).
pub(crate) fn own_files(conn: &mut AnyConnection, caller: &Caller, files: &[String]) -> AppResult<Vec<String>> {
    crate::http::attachments::uploaded_by_caller(conn, caller, "attachment_ids", files)
}

/// A county's ledger settings (its own, or the defaults).
pub(crate) fn county_settings(conn: &mut AnyConnection, county_id: &str) -> AppResult<LedgerSettings> {
    match db::ledger::settings(conn, county_id)? {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("stored ledger settings: {e}")))
        }
        None => Ok(LedgerSettings::defaults()),
    }
}

/// The service level of a category in an estate's county.
pub(crate) fn service_level(
    conn: &mut AnyConnection,
    ctx: &EstateCtx,
    category: Category,
) -> AppResult<(ServiceLevel, u32)> {
    let s = county_settings(conn, &county_of(&ctx.estate.community_path))?;
    Ok((s.level(category), s.confirm_days))
}

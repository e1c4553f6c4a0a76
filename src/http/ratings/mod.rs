//! Star ratings of property companies ("五好红色物业"): campaigns with their configuration,
//! the inputs (owners' survey, committee evaluation, inspections, bonuses, vetoes, facts the
//! registry and ledger already hold), results runs, publication, appeals, the public star list
//! and a company's history. Rules in `domain::rating`, who may do what in `domain::policy`.

use super::ApiTags;
use crate::db::orgs::OrgRow;
use crate::db::ratings::{AppealRow, CampaignRow, InputRow, MarkRow, RunRow};
use crate::db::{self, AnyConnection};
use crate::domain::ids;
use crate::domain::policy::{Action, Place};
use crate::domain::rating::{
    self, AppealStatus, CampaignStatus, CampaignStep, Catalogue, Dimension, Fact, Source, Weighting,
};
use crate::domain::registry::OrgKind;
use crate::error::{codes, reason, AppError, AppResult, FieldError};
use crate::http::body::JsonBody;
use crate::http::ledger::own_files;
use crate::http::problem::ApiResult;
use crate::http::scope::{check, org_place, CountyViewer as Viewer};
use crate::http::security::{BearerAuth, Caller};
use crate::AppState;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

mod appeals;
mod campaigns;
mod dto;
pub(crate) mod export;
mod inputs;
mod progress;
mod results;
mod scoring;
mod views;

pub use appeals::*;
pub use campaigns::*;
pub use dto::*;
pub use inputs::*;
pub use progress::*;
pub use results::*;
pub use views::default_config;
pub(crate) use views::*;

/// The operations of this capability, for the service.
pub type Apis = (CampaignsApi, InputsApi, ProgressApi, ResultsApi, AppealsApi);

pub fn apis() -> Apis {
    (CampaignsApi, InputsApi, ProgressApi, ResultsApi, AppealsApi)
}

/// A campaign with its county and its configuration, read and checked.
pub(crate) struct CampaignCtx {
    pub row: CampaignRow,
    pub county: OrgRow,
    pub config: Arc<RatingConfig>,
    pub cat: Arc<Catalogue>,
}

/// Configurations read into catalogues, by campaign id with the text they were read from: an
/// open campaign's configuration is frozen, so the survey's hot path reads it once, not per
/// answer. A changed text (a draft being configured) is read again.
fn parsed(id: &str, text: &str) -> AppResult<(Arc<RatingConfig>, Arc<Catalogue>)> {
    type Entry = (String, Arc<RatingConfig>, Arc<Catalogue>);
    static CACHE: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<String, Entry>>> =
        std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((t, config, cat)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
        if t == text {
            return Ok((config.clone(), cat.clone()));
        }
    }
    let config: RatingConfig =
        serde_json::from_str(text).map_err(|e| AppError::Internal(format!("stored rating config: {e}")))?;
    let cat = catalogue(&config).map_err(|e| AppError::Internal(format!("stored rating config: {e:?}")))?;
    let (config, cat) = (Arc::new(config), Arc::new(cat));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    // Campaigns are few (a county has one or two a year); the bound only guards memory.
    if map.len() >= 1024 {
        map.clear();
    }
    map.insert(id.to_string(), (text.to_string(), config.clone(), cat.clone()));
    Ok((config, cat))
}

/// Campaigns past their draft, by id: their county, period and configuration no longer change,
/// so the survey's hot path reads them once, not per answer. The cached row's status is the one
/// read then: what depends on the status now is checked again where the answer is written.
pub(crate) async fn frozen(state: &AppState, id: String) -> AppResult<Arc<CampaignCtx>> {
    type Cache = std::sync::Mutex<std::collections::HashMap<String, Arc<CampaignCtx>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(ctx) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return Ok(ctx.clone());
    }
    let ctx = Arc::new(state.db.read(move |c| load(c, &id, Lock::None)).await?);
    if ctx.row.status()? != CampaignStatus::Draft {
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        // Campaigns are few (a county has one or two a year); the bound only guards memory.
        if map.len() >= 1024 {
            map.clear();
        }
        map.insert(ctx.row.id.clone(), ctx.clone());
    }
    Ok(ctx)
}

impl CampaignCtx {
    /// The county's place: where the campaign's officials are.
    pub fn place(&self) -> Place<'_> {
        org_place(&self.county)
    }

    /// The county's place as a company sees its own part in it.
    pub fn company_place<'a>(&'a self, company_id: &'a str) -> Place<'a> {
        Place {
            company_id: Some(company_id),
            ..org_place(&self.county)
        }
    }

    /// The status now (`final` once the published results' notice period is over).
    pub fn status(&self, now: NaiveDateTime) -> AppResult<CampaignStatus> {
        Ok(rating::status_now(
            self.row.status()?,
            self.row.published_at,
            self.cat.notice_days,
            now,
        ))
    }

    /// Whether `step` may be taken now; the refusal names the status.
    pub fn step(&self, step: CampaignStep, now: NaiveDateTime) -> AppResult<CampaignStatus> {
        Ok(rating::step(self.status(now)?, step)?)
    }
}

/// How a command holds the campaign for its transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// A read outside a command.
    None,
    /// Adding an input: side by side with other inputs, never beside a step.
    Shared,
    /// A step of the campaign: alone.
    ForChange,
}

/// Loads a campaign; 404 when there is none.
pub(crate) fn load(conn: &mut AnyConnection, id: &str, lock: Lock) -> AppResult<CampaignCtx> {
    let not_found = || AppError::NotFound {
        what: "rating campaign",
    };
    match lock {
        Lock::ForChange => db::ratings::hold_campaign(conn, id, true)?,
        Lock::Shared => db::ratings::hold_campaign(conn, id, false)?,
        Lock::None => {}
    }
    let row = match lock {
        Lock::ForChange => db::ratings::get_campaign_for_change(conn, id)?,
        _ => db::ratings::get_campaign(conn, id)?,
    }
    .ok_or_else(not_found)?;
    with_county(conn, row)
}

/// A campaign's row with its county and configuration (a list's rows, without reading them again).
pub(crate) fn with_county(conn: &mut AnyConnection, row: CampaignRow) -> AppResult<CampaignCtx> {
    let county = db::orgs::get(conn, &row.county_id)?.ok_or(AppError::NotFound {
        what: "rating campaign",
    })?;
    let (config, cat) = parsed(&row.id, &row.config)?;
    Ok(CampaignCtx {
        row,
        county,
        config,
        cat,
    })
}

/// A county that the caller may see (404 otherwise).
pub(crate) fn county(conn: &mut AnyConnection, caller: Option<&Caller>, id: &str) -> AppResult<OrgRow> {
    let org = db::orgs::get(conn, id)?
        .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
        .ok_or(AppError::NotFound { what: "county" })?;
    if let Some(caller) = caller {
        check(caller, &org_place(&org), &Action::ViewPublic(org_place(&org)))?;
    }
    Ok(org)
}

pub(crate) fn json_text<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

/// Whether the caller may read the county's campaigns (404 otherwise): everyone its
/// published results concern.
pub(crate) fn may_view(conn: &mut AnyConnection, caller: &Caller, county: &OrgRow) -> AppResult<()> {
    let viewer = Viewer::of(conn, caller, county)?;
    check(caller, &viewer.place(county), &Action::ViewPublic(viewer.place(county)))?;
    Ok(())
}

/// Whether the caller may read a rating record that uses a file (for `GET /attachments/{id}`):
/// the campaign's officials every one; the appealing company its appeal.
pub(crate) fn may_see_record(conn: &mut AnyConnection, caller: &Caller, kind: &str, id: &str) -> AppResult<bool> {
    let (campaign_id, appeal) = match kind {
        RATING_INPUT => match db::ratings::get_input(conn, id)? {
            Some(r) => (r.campaign_id, None),
            None => return Ok(false),
        },
        RATING_MARK => match db::ratings::get_mark(conn, id)? {
            Some(r) => (r.campaign_id, None),
            None => return Ok(false),
        },
        _ => match db::ratings::get_appeal(conn, id)? {
            Some(r) => (r.campaign_id.clone(), Some(r)),
            None => return Ok(false),
        },
    };
    let ctx = load(conn, &campaign_id, Lock::None)?;
    Ok(match appeal {
        Some(a) => may_read_appeal(caller, &ctx, &a).is_ok(),
        None => caller.may(&Action::ManageRatings(ctx.place())).is_ok(),
    })
}

//! Party members and volunteers at home (RULES.md §11): report-ins of members and of
//! organisations and their placement down the chain, with the households linked to a member
//! (`reports.rs`); service hours and points, recorded on a confirmation by someone other than
//! who served (`hours.rs`); service stations against the county's standard (`stations.rs`);
//! activities with a cap, a waiting list and check-in on the day (`activities.rs`); selections
//! with a shortlist published for objections (`selections.rs`); the county's settings and the
//! figures (`figures.rs`). Rules in `domain::service`, who may do what in `domain::policy`.

use super::ApiTags;
use crate::db::orgs::OrgRow;
use crate::db::{self, AnyConnection};
use crate::domain::policy::{authorize, Action, Place, Role};
use crate::domain::registry::{path_within, OrgKind};
use crate::error::{AppError, AppResult};
use crate::http::security::Caller;

pub mod activities;
pub mod dto;
pub mod figures;
pub mod hours;
pub mod reports;
pub mod selections;
pub mod stations;
pub mod views;

pub use dto::*;

/// The operations of this capability, for the service.
pub type Apis = (
    reports::ReportsApi,
    hours::HoursApi,
    stations::StationsApi,
    activities::ActivitiesApi,
    selections::SelectionsApi,
    figures::FiguresApi,
);

pub fn apis() -> Apis {
    (
        reports::ReportsApi,
        hours::HoursApi,
        stations::StationsApi,
        activities::ActivitiesApi,
        selections::SelectionsApi,
        figures::FiguresApi,
    )
}

/// The record kind whose attachments a station's evidence names (`http::attachments`).
pub const STATION: &str = "station";

/// An organisation's area as a caller stands to it: the organisation, the caller's party
/// organisations inside it (a community's staff see what their street or county runs), whether
/// the caller holds a unit in it, the committees and the company it speaks for there.
pub(crate) struct AreaCtx {
    pub org: OrgRow,
    party_orgs_inside: Vec<String>,
    committee_estates: Vec<String>,
    company_here: Option<String>,
    /// The caller's owner records holding a unit in the area.
    pub owners_here: Vec<String>,
}

impl AreaCtx {
    pub fn load(conn: &mut AnyConnection, caller: &Caller, org_id: &str) -> AppResult<AreaCtx> {
        let org = db::orgs::get(conn, org_id)?.ok_or(AppError::NotFound { what: "organisation" })?;
        let p = &caller.principal;
        let mut party_orgs_inside = Vec::new();
        for id in p.party_org_ids() {
            if let Some(row) = db::orgs::get(conn, &id)? {
                if path_within(&row.path, &org.id) && row.id != org.id {
                    party_orgs_inside.push(row.path);
                }
            }
        }
        let mut committee_estates = Vec::new();
        for id in p.committee_estates() {
            if db::estates::get(conn, &id)?.is_some_and(|e| path_within(&e.community_path, &org.id)) {
                committee_estates.push(id);
            }
        }
        let owners = p.owner_ids();
        let mut owners_here = Vec::new();
        if !owners.is_empty() {
            for (owner, community_path) in db::service::holdings(conn, &owners)? {
                if path_within(&community_path, &org.id) && !owners_here.contains(&owner) {
                    owners_here.push(owner);
                }
            }
        }
        let mut company_here = None;
        for company in p.company_ids() {
            let home = db::companies::get(conn, &company)?.and_then(|c| c.county_id);
            let works_here = home.as_deref() == Some(crate::domain::registry::county_of(&org.path).as_str())
                || db::companies::contract_estates(conn, &company)?
                    .iter()
                    .any(|(_, community, _)| path_within(community, &org.id));
            if works_here {
                company_here = Some(company);
            }
        }
        Ok(AreaCtx {
            org,
            party_orgs_inside,
            committee_estates,
            company_here,
            owners_here,
        })
    }

    pub fn place(&self) -> Place<'_> {
        let mut org_paths = vec![self.org.path.as_str()];
        org_paths.extend(self.party_orgs_inside.iter().map(String::as_str));
        Place {
            org_paths,
            estate_ids: self.committee_estates.iter().map(String::as_str).collect(),
            company_id: self.company_here.as_deref(),
            caller_owns_here: !self.owners_here.is_empty(),
            department_ids: Vec::new(),
        }
    }

    /// Only the organisation's own chain: what its officials (the party organisations at or
    /// above it, the bureau) act on. Staff of a community inside a county do not run the
    /// county's selection.
    pub fn office_place(&self) -> Place<'_> {
        Place {
            org_paths: vec![self.org.path.as_str()],
            ..Place::default()
        }
    }

    pub fn county_id(&self) -> String {
        crate::domain::registry::county_of(&self.org.path)
    }

    /// Whether the organisation is a community (report-ins, stations and activities are a community's).
    pub fn community(self) -> AppResult<AreaCtx> {
        if self.org.kind == OrgKind::Community.as_str() {
            Ok(self)
        } else {
            Err(AppError::NotFound { what: "community" })
        }
    }
}

/// An organisation as itself (its people: its party organisation and those above it, or a
/// department's users): where its members' report-ins and their yearly service are its own.
pub(crate) fn own_org_place(org: &OrgRow) -> Place<'_> {
    Place {
        org_paths: vec![&org.path],
        department_ids: vec![&org.id],
        ..Place::default()
    }
}

/// The days of a year (1 January to 31 December).
pub(crate) fn year_days(year: i32) -> AppResult<(chrono::NaiveDate, chrono::NaiveDate)> {
    match (
        chrono::NaiveDate::from_ymd_opt(year, 1, 1),
        chrono::NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(AppError::invalid(
            "year",
            crate::error::reason::OUT_OF_RANGE,
            "not a year",
        )),
    }
}

/// The year named, or this one (China Standard Time).
pub(crate) fn year_or_this(year: Option<i32>) -> i32 {
    use chrono::Datelike;
    year.unwrap_or_else(|| crate::domain::ids::today().year())
}

/// What a caller is about to do in an area (the policy's action at its place).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Acts {
    ViewPublic,
    ReportIn,
    ManageService,
    ViewServiceFigures,
    ManageServiceSettings,
    RunSelection,
}

impl Acts {
    fn at(self, place: Place<'_>) -> Action<'_> {
        match self {
            Acts::ViewPublic => Action::ViewPublic(place),
            Acts::ReportIn => Action::ReportIn(place),
            Acts::ManageService => Action::ManageService(place),
            Acts::ViewServiceFigures => Action::ViewServiceFigures(place),
            Acts::ManageServiceSettings => Action::ManageServiceSettings(place),
            Acts::RunSelection => Action::RunSelection(place),
        }
    }
}

/// An organisation's area the caller may see (404 otherwise) and the role under which it may do
/// `action` there (403 otherwise).
pub(crate) fn area_for(
    conn: &mut AnyConnection,
    caller: &Caller,
    org_id: &str,
    acts: Acts,
    office: bool,
) -> AppResult<(AreaCtx, db::audit::Actor)> {
    let ctx = AreaCtx::load(conn, caller, org_id)?;
    if authorize(&caller.principal, &Action::ViewPublic(ctx.place())).is_err() {
        return Err(AppError::NotFound { what: "organisation" });
    }
    let place = if office { ctx.office_place() } else { ctx.place() };
    let actor = caller.may(&acts.at(place))?;
    Ok((ctx, actor))
}

/// Whether the caller may see a station's evidence files: whoever may read its community's figures.
pub(crate) fn may_see_station(conn: &mut AnyConnection, caller: &Caller, station_id: &str) -> AppResult<bool> {
    let Some(s) = db::service::station(conn, station_id)? else {
        return Ok(false);
    };
    let ctx = AreaCtx::load(conn, caller, &s.community_id)?;
    Ok(authorize(&caller.principal, &Action::ViewServiceFigures(ctx.office_place())).is_ok())
}

/// The notice board's part (an estate's): its community's activities to come, and the
/// selections on its chain in publicity or decided.
pub(crate) fn board_part(
    conn: &mut AnyConnection,
    estate: &db::estates::EstateRow,
) -> AppResult<(Vec<BoardActivity>, Vec<BoardSelection>)> {
    let now = crate::domain::ids::now();
    let activities =
        db::service::activities_page(conn, std::slice::from_ref(&estate.community_id), Some(now), None, 20)?
            .into_iter()
            .filter(|a| a.status == crate::domain::service::ActivityStatus::Announced.as_str())
            .map(|a| BoardActivity {
                starts_at: a.starts_at.and_utc(),
                ends_at: a.ends_at.and_utc(),
                id: a.id,
                title: a.title,
                place: a.place,
                cap: a.cap,
                admitted: a.admitted,
                waiting: a.waiting,
            })
            .collect();
    let chain: Vec<String> = estate
        .community_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let mut selections = Vec::new();
    for s in db::service::public_selections(conn, &chain, 10)? {
        let status = s.status()?;
        let decided = status == crate::domain::service::SelectionStatus::Decided;
        let mut names = Vec::new();
        for n in db::service::nominations_of(conn, &s.id)? {
            if (decided && n.winner) || (!decided && n.shortlisted && !n.disqualified) {
                let company = match &n.company_id {
                    Some(c) => db::companies::get(conn, c)?
                        .map(|c| format!("（{}）", c.name))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                names.push(format!("{}{company}", n.nominee_name));
            }
        }
        let org_name = db::orgs::get(conn, &s.org_id)?.map(|o| o.name).unwrap_or_default();
        selections.push(BoardSelection {
            kind: s.kind()?,
            status,
            publicity_ends_at: s
                .shortlisted_at
                .map(|t| crate::domain::window::end(t, s.publicity_days as u32).and_utc()),
            id: s.id,
            title: s.title,
            org_name,
            names,
            decision: s.decision,
        });
    }
    Ok((activities, selections))
}

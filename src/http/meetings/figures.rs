//! The figures of the monthly cycle for a period (what the seed articles report, and what the
//! star ratings will take in): meetings held by kind, attendance per kind of party, and the
//! ledger's items received, dispatched, resolved and overdue, with median times and the share
//! taken by party members — for an organisation's estates, one estate, or one company.

use super::*;
use crate::domain::ledger::{self, AssigneeKind, Category};
use crate::domain::registry::OrgKind;

pub struct FiguresApi;

/// The longest period one call covers: a year and a month.
const MAX_DAYS: i64 = 400;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MeetingsHeld {
    pub kind: MeetingKind,
    /// Begun in the period (and by now).
    pub held: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AttendanceFigure {
    pub party_kind: PartyKind,
    /// Invitations of this kind of party to meetings held in the period.
    pub invited: i64,
    /// Of them, present or represented.
    pub attended: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryFigure {
    pub category: Category,
    pub received: i64,
    pub dispatched: i64,
    pub resolved: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssigneeFigure {
    pub assignee_kind: AssigneeKind,
    pub dispatched: i64,
    pub resolved: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LedgerFiguresOut {
    /// Reported in the period.
    pub received: i64,
    /// Dispatched (for the last time) in the period.
    pub dispatched: i64,
    /// Reported done in the period.
    pub resolved: i64,
    /// Open and overdue now.
    pub overdue_now: i64,
    /// Median whole hours from dispatch to acceptance (items accepted in the period; the lower
    /// middle of an even count).
    pub median_accept_hours: Option<i64>,
    /// Median whole hours from report to done (items resolved in the period).
    pub median_resolve_hours: Option<i64>,
    /// Of the items resolved in the period, those taken by party members (党员接单).
    pub resolved_by_party_members: i64,
    pub by_category: Vec<CategoryFigure>,
    pub by_assignee: Vec<AssigneeFigure>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CycleFigures {
    pub org_id: String,
    pub estate_id: Option<String>,
    pub company_id: Option<String>,
    /// First day of the period (China Standard Time).
    pub from: NaiveDate,
    /// Last day of the period, included.
    pub until: NaiveDate,
    pub meetings: Vec<MeetingsHeld>,
    pub attendance: Vec<AttendanceFigure>,
    pub ledger: LedgerFiguresOut,
}

#[OpenApi(tag = "ApiTags::Meetings")]
impl FiguresApi {
    /// The figures of the monthly cycle for a period of days (China Standard Time, both
    /// included; at most 400): for the estates under an organisation, or one of them
    /// (`estate_id`), or the items dispatched to and meetings attended by one company
    /// (`company_id`).
    ///
    /// Administrators, the bureau and party organisations at or above the organisation.
    #[oai(path = "/orgs/:id/figures", method = "get", operation_id = "cycleFigures")]
    #[allow(clippy::too_many_arguments)]
    async fn figures(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// First day of the period.
        from: Query<NaiveDate>,
        /// Last day of the period (included).
        until: Query<NaiveDate>,
        /// Only this estate (under the organisation).
        #[oai(validator(max_length = 64))]
        estate_id: Query<Option<String>>,
        /// Only this company: the items dispatched to it and the meetings it was invited to.
        #[oai(validator(max_length = 64))]
        company_id: Query<Option<String>>,
    ) -> ApiResult<Json<CycleFigures>> {
        let (from, until) = (from.0, until.0);
        if until < from {
            return Err(AppError::invalid("until", reason::BEFORE_START, "the period ends before it starts").into());
        }
        if (until - from).num_days() >= MAX_DAYS {
            return Err(AppError::invalid(
                "until",
                reason::OUT_OF_RANGE,
                format!("at most {MAX_DAYS} days at a time"),
            )
            .into());
        }
        let caller = auth.0;
        Ok(Json(
            state
                .db
                .read(move |c| {
                    let org = db::orgs::get(c, &id.0)?.ok_or(AppError::NotFound { what: "organisation" })?;
                    crate::http::scope::check(&caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
                    let mut estates = db::estates::all_within(c, &org.id)?;
                    if let Some(e) = &estate_id.0 {
                        estates.retain(|x| &x.id == e);
                        if estates.is_empty() {
                            return Err(AppError::invalid(
                                "estate_id",
                                reason::NOT_FOUND,
                                "no such estate under the organisation",
                            ));
                        }
                    }
                    let ids_: Vec<String> = estates.iter().map(|e| e.id.clone()).collect();
                    let mut communities: Vec<String> = estates.iter().map(|e| e.community_id.clone()).collect();
                    communities.sort();
                    communities.dedup();
                    let start = ids::start_of_local_day(from);
                    let end = ids::start_of_local_day(until + chrono::Duration::days(1)).min(ids::now());
                    let company = company_id.0.clone();

                    // Meetings: those of the estates (or, for the whole organisation, of their
                    // communities too), begun in the period; for a company, those it was invited to.
                    let rows = db::meetings::attendance_in(c, &communities, start, end.max(start))?;
                    let rows: Vec<_> = rows
                        .into_iter()
                        .filter(|(_, _, estate, _, _, _)| match (&estate_id.0, estate) {
                            (Some(one), Some(e)) => e == one,
                            (Some(_), None) => false,
                            (None, Some(e)) => ids_.contains(e),
                            (None, None) => true,
                        })
                        .collect();
                    let invited_company: std::collections::HashSet<&str> = rows
                        .iter()
                        .filter(|(_, _, _, kind, party, _)| {
                            kind == PartyKind::Company.as_str() && party.as_deref() == company.as_deref()
                        })
                        .map(|(m, ..)| m.as_str())
                        .collect();
                    let rows: Vec<_> = rows
                        .iter()
                        .filter(|(m, ..)| company.is_none() || invited_company.contains(m.as_str()))
                        .collect();
                    let mut meetings = Vec::new();
                    for kind in MeetingKind::ALL {
                        let mut held: Vec<&str> = rows
                            .iter()
                            .filter(|(_, k, ..)| k == kind.as_str())
                            .map(|(m, ..)| m.as_str())
                            .collect();
                        held.sort();
                        held.dedup();
                        meetings.push(MeetingsHeld {
                            kind: *kind,
                            held: held.len() as i64,
                        });
                    }
                    let mut attendance = Vec::new();
                    for kind in PartyKind::ALL {
                        let of_kind: Vec<_> = rows.iter().filter(|(_, _, _, k, _, _)| k == kind.as_str()).collect();
                        let attended = of_kind
                            .iter()
                            .filter(|(_, _, _, _, _, a)| Attendance::parse(a).is_some_and(Attendance::attended))
                            .count();
                        attendance.push(AttendanceFigure {
                            party_kind: *kind,
                            invited: of_kind.len() as i64,
                            attended: attended as i64,
                        });
                    }

                    let now = ids::now();
                    let f = if org.kind()? == OrgKind::County && estate_id.0.is_none() && company.is_none() {
                        // A whole county: its running tallies (a few rows a day), not every item.
                        let marks = db::ledger::tallies(c, std::slice::from_ref(&org.id), from, until)?;
                        ledger::figures_of(marks, db::ledger::overdue_count(c, &ids_, now)?)
                    } else {
                        let facts = db::ledger::facts(c, &ids_, company.as_deref(), start, end.max(start))?;
                        ledger::figures(&facts, from, until, now)
                    };
                    Ok(CycleFigures {
                        org_id: org.id,
                        estate_id: estate_id.0,
                        company_id: company,
                        from,
                        until,
                        meetings,
                        attendance,
                        ledger: LedgerFiguresOut {
                            received: f.received,
                            dispatched: f.dispatched,
                            resolved: f.resolved,
                            overdue_now: f.overdue_now,
                            median_accept_hours: f.median_accept_hours,
                            median_resolve_hours: f.median_resolve_hours,
                            resolved_by_party_members: f.resolved_by_party_members,
                            by_category: f
                                .by_category
                                .into_iter()
                                .map(|(category, n)| CategoryFigure {
                                    category,
                                    received: n.received,
                                    dispatched: n.dispatched,
                                    resolved: n.resolved,
                                })
                                .collect(),
                            by_assignee: f
                                .by_assignee
                                .into_iter()
                                .map(|(assignee_kind, n)| AssigneeFigure {
                                    assignee_kind,
                                    dispatched: n.dispatched,
                                    resolved: n.resolved,
                                })
                                .collect(),
                        },
                    })
                })
                .await?,
        ))
    }
}

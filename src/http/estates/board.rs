//! An estate's public notice board (公示栏): what RULES §8 says is published — committee rosters
//! and filing, the published candidate lists with their objection windows, votes with their
//! roll totals and fingerprints, results, published minutes — in one document anyone may read
//! without signing in. The web's public estate page is this document; nothing personal is in it
//! (no owner ids, units, phones or ballots; names only where the law publishes them: rosters,
//! candidate lists).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::db::{self, AnyConnection};
use crate::domain::committee::{CommitteeKind, CommitteeStatus, MemberRole};
use crate::domain::ids;
use crate::domain::registry::EstateKind;
use crate::domain::voting::VoteStatus;
use crate::error::{AppError, AppResult};
use crate::http::meetings::MinutesContent;
use crate::http::problem::ApiResult;
use crate::http::votes::{result_of, vote_out, Vote, VoteResult};
use crate::AppState;

pub struct BoardApi;

/// The newest votes the board shows (with their results), as it shows the newest meetings.
const BOARD_VOTES: usize = 20;

/// How long a public cache may keep the board: a minute, so a published change shows quickly.
const BOARD_CACHE: &str = "public, max-age=60";

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeBoard {
    pub estate_id: String,
    pub name: String,
    pub kind: EstateKind,
    #[oai(skip_serializing_if_is_none)]
    pub address: Option<String>,
    /// The company serving the estate today (its stars: `GET /companies/{id}/rating-history`).
    #[oai(skip_serializing_if_is_none)]
    pub company: Option<BoardCompany>,
    /// The estate's committees, newest first, with their serving rosters.
    pub committees: Vec<BoardCommittee>,
    /// Candidate lists published for the committees' elections, with their objection windows.
    pub candidate_lists: Vec<BoardCandidateList>,
    /// The 20 newest votes: open and closed ones carry the frozen roll's totals and fingerprint.
    pub votes: Vec<Vote>,
    /// The results of the closed votes (receipts: `GET /votes/{id}/receipts/{receipt}`).
    pub results: Vec<VoteResult>,
    /// Published minutes of the estate's meetings, newest meeting first (at most 20 meetings).
    pub minutes: Vec<BoardMinutes>,
    /// The fee standards in force and to come (明码标价), with their items and complaint telephone.
    pub fee_standards: Vec<crate::http::money::FeeStandard>,
    /// The latest published statement of each account: balances and totals by category (the
    /// lines, with counterparties, are for the estate's owners: `GET /statements/{id}/lines`).
    pub statements: Vec<crate::http::money::BoardStatement>,
    /// The community's activities to come (RULES.md §11), soonest last, at most 20.
    pub activities: Vec<crate::http::volunteers::BoardActivity>,
    /// Selections on the estate's chain: shortlists in publicity (for objections) and results.
    pub selections: Vec<crate::http::volunteers::BoardSelection>,
    /// When this board was read (server time).
    pub generated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardCompany {
    pub id: String,
    pub name: String,
    /// Its latest published rating (history: `GET /companies/{id}/rating-history`).
    #[oai(skip_serializing_if_is_none)]
    pub latest_rating: Option<BoardRating>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardRating {
    pub campaign_name: String,
    pub stars: i32,
    /// The score, two decimals.
    pub score: String,
    pub rank: i32,
    /// A veto item was found: no stars whatever the score.
    pub vetoed: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardCommittee {
    pub id: String,
    pub kind: CommitteeKind,
    pub status: CommitteeStatus,
    pub seats: i32,
    #[oai(skip_serializing_if_is_none)]
    pub formed_on: Option<chrono::NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub term_ends_on: Option<chrono::NaiveDate>,
    /// Filed with the county housing bureau (备案).
    #[oai(skip_serializing_if_is_none)]
    pub filed_bureau_on: Option<chrono::NaiveDate>,
    /// Filed with the street office or township.
    #[oai(skip_serializing_if_is_none)]
    pub filed_street_on: Option<chrono::NaiveDate>,
    /// Serving members and alternates (names and roles, as the roster is posted).
    pub members: Vec<BoardMember>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardMember {
    pub name: String,
    pub role: MemberRole,
    #[oai(skip_serializing_if_is_none)]
    pub alternate_rank: Option<i32>,
    pub party_member: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardCandidateList {
    pub election_id: String,
    pub committee_id: String,
    pub seats: i32,
    /// When the list was published (server time): the objection window runs from here.
    pub published_at: chrono::DateTime<chrono::Utc>,
    /// The last day (China Standard Time) an owner may object.
    #[oai(skip_serializing_if_is_none)]
    pub objections_until: Option<chrono::NaiveDate>,
    pub candidates: Vec<BoardCandidate>,
    /// The proof of the list's publicity, as totals only (owners reached, texts, paper notices).
    #[oai(skip_serializing_if_is_none)]
    pub notice: Option<crate::http::notices::NoticeTotals>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardCandidate {
    pub name: String,
    pub party_member: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BoardMinutes {
    pub minutes_id: String,
    pub meeting_id: String,
    pub meeting_title: String,
    pub meeting_starts_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub fingerprint: String,
    pub content: MinutesContent,
}

#[derive(ApiResponse)]
pub enum BoardResponse {
    /// The board; public caches may keep it for a minute.
    #[oai(status = 200)]
    Ok(
        Json<NoticeBoard>,
        /// `public, max-age=60`.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

#[OpenApi(tag = "ApiTags::Estates")]
impl BoardApi {
    /// An estate's public notice board (公示栏): committee rosters and filing, published
    /// candidate lists with their objection windows, votes with roll totals and fingerprints,
    /// results, published minutes, the serving company. No personal data.
    ///
    /// Anyone, without signing in (what the law has published is public).
    #[oai(path = "/estates/:id/notice-board", method = "get", operation_id = "getNoticeBoard")]
    async fn board(
        &self,
        state: Data<&AppState>,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<BoardResponse> {
        let board = state.db.read(move |c| read_board(c, &id.0)).await?;
        Ok(BoardResponse::Ok(Json(board), BOARD_CACHE.into()))
    }
}

fn utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

pub fn read_board(c: &mut AnyConnection, estate_id: &str) -> AppResult<NoticeBoard> {
    let now = ids::now();
    let (estate, contract) =
        db::estates::get_with_contract(c, estate_id, ids::today())?.ok_or(AppError::NotFound { what: "estate" })?;
    let company = match contract {
        Some((company_id, _)) => match db::companies::get(c, &company_id)? {
            Some(co) => {
                // Newest period first: the first entry is the latest published rating.
                let latest_rating = db::ratings::history_of(c, &co.id)?
                    .into_iter()
                    .next()
                    .map(|(campaign, _, r)| BoardRating {
                        campaign_name: campaign.name,
                        stars: r.stars,
                        score: crate::domain::rating::centi_text(r.score_centi),
                        rank: r.rank,
                        vetoed: r.vetoed,
                    });
                Some(BoardCompany {
                    id: co.id,
                    name: co.name,
                    latest_rating,
                })
            }
            None => None,
        },
        None => None,
    };
    let mut committees = Vec::new();
    let mut candidate_lists = Vec::new();
    for row in db::committees::of_estate(c, &estate.id)? {
        let members = db::committees::members(c, &row.id)?
            .into_iter()
            .filter(|m| m.ended_on.is_none())
            .map(|m| {
                Ok(BoardMember {
                    role: m.role()?,
                    name: m.name,
                    alternate_rank: m.alternate_rank,
                    party_member: m.party_member,
                })
            })
            .collect::<AppResult<_>>()?;
        for e in db::vetting::elections_of(c, &row.id)? {
            let Some(published_at) = e.published_at else { continue };
            // The published list only: qualified candidates, nothing about the others.
            let list = crate::http::vetting::election_out(c, e, false)?;
            candidate_lists.push(BoardCandidateList {
                notice: crate::http::notices::statutory_totals(c, &list.id)?,
                election_id: list.id,
                committee_id: list.committee_id,
                seats: list.seats,
                published_at: utc(published_at),
                objections_until: list.publicity_ends_on,
                candidates: list
                    .candidates
                    .into_iter()
                    .map(|c| BoardCandidate {
                        name: c.name,
                        party_member: c.party_member,
                    })
                    .collect(),
            });
        }
        committees.push(BoardCommittee {
            kind: row.kind()?,
            status: row.status()?,
            id: row.id,
            seats: row.seats,
            formed_on: row.formed_on,
            term_ends_on: row.term_ends_on,
            filed_bureau_on: row.filed_bureau_on,
            filed_street_on: row.filed_street_on,
            members,
        });
    }
    let mut votes = Vec::new();
    let mut results = Vec::new();
    // Newest first, and a bounded number: anyone may ask for this as often as they like, so
    // what one request costs must not grow with the estate's years of history.
    for v in db::votes::of_estate(c, &estate.id)?.into_iter().take(BOARD_VOTES) {
        if v.status_at(now) == VoteStatus::Closed {
            results.push(result_of(c, &v)?);
        }
        votes.push(vote_out(c, v)?);
    }
    let mut minutes = Vec::new();
    for m in db::meetings::page(c, Some(&estate.id), &estate.community_id, None, BOARD_VOTES as i64)? {
        let published = db::meetings::versions(c, &m.id)?
            .into_iter()
            .filter(|v| v.published_at.is_some())
            .max_by_key(|v| v.version);
        if let Some(p) = published {
            minutes.push(BoardMinutes {
                content: serde_json::from_str(&p.content).map_err(AppError::internal)?,
                minutes_id: p.id,
                meeting_id: m.id,
                meeting_title: m.title,
                meeting_starts_at: utc(m.starts_at),
                version: p.version,
                published_at: utc(p.published_at.unwrap_or(p.updated_at)),
                fingerprint: p.fingerprint.unwrap_or_default(),
            });
        }
    }
    let fee_standards = crate::http::money::board_standards(c, &estate.id)?;
    let statements = crate::http::money::board_statements(c, &estate.id)?;
    let (activities, selections) = crate::http::volunteers::board_part(c, &estate)?;
    Ok(NoticeBoard {
        kind: crate::db::terms::stored(&estate.kind)?,
        estate_id: estate.id,
        name: estate.name,
        address: estate.address,
        company,
        committees,
        candidate_lists,
        votes,
        results,
        minutes,
        fee_standards,
        statements,
        activities,
        selections,
        generated_at: utc(now),
    })
}

//! A department's review queue (资格联审): the candidates of its county's elections under joint
//! review, where the county's rules require this department, with its own decision if it has
//! made one. What a department user opens in the morning.

use super::*;

pub struct ReviewQueueApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewQueue {
    /// Elections under joint review, oldest first.
    pub elections: Vec<ReviewQueueElection>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewQueueElection {
    pub election_id: String,
    pub estate_id: String,
    pub estate_name: String,
    /// The reviewing department (of the caller's) this queue is for.
    pub department_id: String,
    pub department_code: String,
    /// Every candidate of the election, with every department's reviews so far.
    pub candidates: Vec<Candidate>,
    /// Candidates this department has not yet reviewed.
    pub awaiting: u32,
}

#[OpenApi(tag = "ApiTags::Vetting")]
impl ReviewQueueApi {
    /// The caller's review queue: for each of its departments, the elections of the department's
    /// county under joint review whose county rules require the department, with their
    /// candidates and the reviews so far (`awaiting` counts the ones this department has yet to
    /// decide).
    ///
    /// Departments (县直部门); anyone else gets an empty queue.
    #[oai(path = "/review-queue", method = "get", operation_id = "getReviewQueue")]
    async fn queue(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<ReviewQueue>> {
        let caller = auth.0.clone();
        let out = state.db.read(move |c| review_queue(c, &caller)).await?;
        Ok(Json(out))
    }
}

fn review_queue(c: &mut AnyConnection, caller: &Caller) -> AppResult<ReviewQueue> {
    let mut elections = Vec::new();
    for dept_id in caller.principal.department_ids() {
        let Some(dept) = db::orgs::get(c, &dept_id)? else {
            continue;
        };
        let code = dept.department_code.clone().unwrap_or_default();
        let county_id = crate::domain::registry::county_of(&dept.path);
        for (election, estate_id, estate_name) in db::vetting::under_review_in_county(c, &county_id)? {
            let estate = estate_ctx(c, caller, &estate_id)?;
            if !estate_rules(c, &estate)?.required_departments.contains(&code) {
                continue;
            }
            // The same question the review itself asks the policy.
            let place = Place {
                department_ids: vec![&dept.id],
                ..estate.place()
            };
            if caller.may(&Action::ReviewCandidate(place)).is_err() {
                continue;
            }
            let rows = db::vetting::candidates_of(c, &election.id)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let reviews = db::vetting::reviews_of(c, &ids)?;
            let objections = db::vetting::objections_of(c, &ids)?;
            let owners: Vec<String> = rows.iter().map(|r| r.owner_id.clone()).collect();
            let mut names = db::owners::names(c, &owners)?;
            let awaiting = rows
                .iter()
                .filter(|r| {
                    !reviews
                        .iter()
                        .any(|v| v.candidate_id == r.id && v.department_code == code)
                })
                .count() as u32;
            let candidates = rows
                .into_iter()
                .map(|r| {
                    let name = names.remove(&r.owner_id).unwrap_or_default();
                    candidate_with_name(r, name, &reviews, &objections)
                })
                .collect::<AppResult<_>>()?;
            elections.push(ReviewQueueElection {
                election_id: election.id,
                estate_id,
                estate_name,
                department_id: dept.id.clone(),
                department_code: code.clone(),
                candidates,
                awaiting,
            });
        }
    }
    Ok(ReviewQueue { elections })
}

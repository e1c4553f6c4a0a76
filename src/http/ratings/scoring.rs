//! A results run: gathers a campaign's inputs — the eligible (estate, company) pairs from the
//! contracts, the survey's sums, evaluations, inspections, bonuses, vetoes, upheld appeals, and the
//! facts of the registry, ledger and meetings over the period — scores each pair with
//! `domain::rating::score`, each company with `overall`, ranks them, and fingerprints what it used.
//! The same stored inputs give the same rows, bit for bit.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use super::*;
use crate::db::ratings::{ContractFact, ResultRow};
use crate::domain::rating::{EstateInputs, Score, Q};
use crate::domain::registry::PartyCoverage;

/// What a run computed: its rows and the fingerprint of its inputs.
pub(crate) struct Computed {
    pub fingerprint: String,
    pub rows: Vec<ResultRow>,
    /// Responses scored, and the time spent reading the inputs and scoring them (for the log).
    pub responses: i64,
    pub reading: std::time::Duration,
    pub scoring: std::time::Duration,
}

/// The detail of a result row: points per dimension and indicator, shown to hundredths.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct Detail {
    pub dimensions: Vec<Points>,
    pub indicators: Vec<Points>,
    pub bonus: String,
    pub missing: Vec<String>,
}

/// One estate served by one company long enough within the period to be rated.
#[derive(Clone, Debug)]
pub(crate) struct Pair {
    pub estate_id: String,
    pub company_id: String,
    pub coverage: String,
}

/// The pairs rated in a campaign: each company for each estate it served under contract for at
/// least `min_service_days` within the period (a contract without an end counts to the period's
/// end; renewals of one company add up).
pub(crate) fn eligible(contracts: &[ContractFact], from: NaiveDate, until: NaiveDate, min_days: i64) -> Vec<Pair> {
    let mut days: BTreeMap<(String, String), (i64, String)> = BTreeMap::new();
    for c in contracts {
        let start = c.starts_on.max(from);
        let end = c.ends_on.unwrap_or(until).min(until);
        let served = (end - start).num_days() + 1;
        if served > 0 {
            let e = days
                .entry((c.estate_id.clone(), c.company_id.clone()))
                .or_insert((0, c.party_coverage.clone()));
            e.0 += served;
        }
    }
    days.into_iter()
        .filter(|(_, (d, _))| *d >= min_days)
        .map(|((estate_id, company_id), (_, coverage))| Pair {
            estate_id,
            company_id,
            coverage,
        })
        .collect()
}

/// The pairs of a campaign as they stand (for checks on inputs).
pub(crate) fn pairs(conn: &mut AnyConnection, ctx: &CampaignCtx) -> AppResult<Vec<Pair>> {
    let contracts = db::ratings::contracts_in(conn, &ctx.county.id, ctx.row.period_from, ctx.row.period_until)?;
    Ok(eligible(
        &contracts,
        ctx.row.period_from,
        ctx.row.period_until,
        ctx.cat.min_service_days,
    ))
}

/// The company rated for an estate in the campaign (the latest-starting when two qualify); 422
/// `not_rated_here` when none is.
pub(crate) fn company_for(conn: &mut AnyConnection, ctx: &CampaignCtx, estate_id: &str) -> AppResult<String> {
    let contracts = db::ratings::contracts_of_estates(conn, &[estate_id], ctx.row.period_from, ctx.row.period_until)?;
    company_among(ctx, &contracts, estate_id)
}

/// `company_for` from the estate's contracts, already read.
pub(crate) fn company_among(ctx: &CampaignCtx, contracts: &[ContractFact], estate_id: &str) -> AppResult<String> {
    eligible(
        contracts,
        ctx.row.period_from,
        ctx.row.period_until,
        ctx.cat.min_service_days,
    )
    .into_iter()
    .rev()
    .find(|p| p.estate_id == estate_id)
    .map(|p| p.company_id)
    .ok_or_else(|| {
        AppError::rule(
            codes::NOT_RATED_HERE,
            "no company served this estate under contract long enough within the campaign's period to be rated",
        )
    })
}

fn percent(n: i64, d: i64) -> Option<Q> {
    (d > 0).then(|| rating::ratio(n as i128 * 100, d as i128))
}

/// Calendar months the period touches: the joint meetings expected (one a month).
fn months(from: NaiveDate, until: NaiveDate) -> i64 {
    use chrono::Datelike;
    (until.year() as i64 - from.year() as i64) * 12 + until.month() as i64 - from.month() as i64 + 1
}

/// Computes a run of the campaign from the stored inputs.
pub(crate) fn compute(conn: &mut AnyConnection, ctx: &CampaignCtx) -> AppResult<Computed> {
    let started = std::time::Instant::now();
    let cat = &ctx.cat;
    let (from, until) = (ctx.row.period_from, ctx.row.period_until);
    let pairs = pairs(conn, ctx)?;
    let estate_ids: Vec<String> = {
        let mut v: Vec<String> = pairs.iter().map(|p| p.estate_id.clone()).collect();
        v.dedup();
        v
    };
    let estates: HashMap<String, db::ratings::EstateFact> = db::ratings::estate_facts(conn, &estate_ids)?
        .into_iter()
        .map(|f| (f.estate_id.clone(), f))
        .collect();
    // The period's instants: from 00:00 of its first day to 24:00 of its last (China Standard Time).
    let (t0, t1) = (
        ids::start_of_local_day(from),
        ids::start_of_local_day(until + chrono::Duration::days(1)),
    );
    let mut ledger: HashMap<String, Vec<(Option<String>, db::ratings::LedgerFact)>> = HashMap::new();
    for (estate, company, fact) in db::ratings::ledger_facts(conn, &ctx.county.id, t0, t1)? {
        ledger.entry(estate).or_default().push((company, fact));
    }
    let meetings: HashMap<String, i64> = db::ratings::meetings_held(conn, &ctx.county.id, t0, t1)?
        .into_iter()
        .collect();
    let months = months(from, until);
    let statements = statement_timeliness(conn, ctx, &estate_ids, from, until)?;
    let companies: Vec<String> = pairs.iter().map(|p| p.company_id.clone()).collect();
    let winners: HashMap<String, i64> = db::service::winners_of_companies(conn, &companies, t0, t1)?
        .into_iter()
        .collect();

    // The survey: per (estate, company) the sum of each question's answers and the count; per
    // question the campaign's sum and count.
    let nq = cat.questions.len();
    let mut survey: HashMap<(String, String), (Vec<i64>, i64)> = HashMap::new();
    let mut campaign_sums = vec![0i64; nq];
    let mut campaign_n = 0i64;
    for (estate, company, answers) in db::ratings::answers_of(conn, &ctx.row.id)? {
        let values: Vec<i64> = answers.split(',').filter_map(|a| a.parse().ok()).collect();
        if values.len() != nq {
            return Err(AppError::Internal(format!(
                "a stored survey response has {} answers",
                values.len()
            )));
        }
        let entry = survey.entry((estate, company)).or_insert_with(|| (vec![0; nq], 0));
        for (i, v) in values.iter().enumerate() {
            entry.0[i] += v;
            campaign_sums[i] += v;
        }
        entry.1 += 1;
        campaign_n += 1;
    }
    let campaign_mean: Vec<Option<Q>> = campaign_sums
        .iter()
        .map(|s| (campaign_n > 0).then(|| rating::ratio(*s as i128, campaign_n as i128)))
        .collect();

    // People's scores: the committee's evaluation, the mean of inspections.
    let mut people: HashMap<(String, String, String), (Q, i64)> = HashMap::new();
    for input in db::ratings::inputs_of(conn, &ctx.row.id)? {
        let scores: Vec<(String, String)> = serde_json::from_str(&input.scores).unwrap_or_default();
        for (code, value) in scores {
            if let Some(v) = rating::parse_decimal(&value) {
                let e = people
                    .entry((input.estate_id.clone(), input.company_id.clone(), code))
                    .or_insert((rating::q(0), 0));
                e.0 += v;
                e.1 += 1;
            }
        }
    }
    let marks = db::ratings::marks_of(conn, &ctx.row.id)?;
    let overrides: Vec<AppealRow> = db::ratings::appeals_of(conn, &ctx.row.id, None)?
        .into_iter()
        .filter(|a| a.status == AppealStatus::Upheld.as_str())
        .collect();

    let read = std::time::Instant::now();
    let mut fingerprint = Sha256::new();
    fingerprint.update(ctx.row.config.as_bytes());
    let mut scored: Vec<(Pair, Score, bool, i64, i64)> = Vec::with_capacity(pairs.len());
    for pair in &pairs {
        let key = (pair.estate_id.clone(), pair.company_id.clone());
        let facts = estates.get(&pair.estate_id);
        let (sums, n) = survey.get(&key).cloned().unwrap_or_else(|| (vec![0; nq], 0));
        let mut inputs = EstateInputs::default();
        for ind in &cat.indicators {
            let value = match ind.source {
                Source::OwnerSurvey => {
                    let means: Vec<Option<Q>> = cat
                        .questions
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, i))| *i == ind.code)
                        .map(|(qi, _)| rating::shrunk_mean(sums[qi], n, cat.prior_weight, campaign_mean[qi].as_ref()))
                        .collect();
                    let k = means.len() as i128;
                    means
                        .into_iter()
                        .try_fold(rating::q(0), |a, m| m.map(|m| a + m))
                        .map(|s| s / rating::q(k))
                }
                Source::CommitteeEvaluation | Source::BureauInspection => people
                    .get(&(pair.estate_id.clone(), pair.company_id.clone(), ind.code.clone()))
                    .map(|(sum, k)| sum / rating::q(*k as i128)),
                Source::LedgerFigures | Source::RegistryFacts => fact(
                    ind.fact,
                    pair,
                    facts,
                    ledger.get(&pair.estate_id).map(Vec::as_slice).unwrap_or_default(),
                    meetings.get(&pair.estate_id).copied(),
                    months,
                    statements.get(&pair.estate_id).copied(),
                    winners.get(&pair.company_id).copied().unwrap_or(0),
                ),
            };
            if let Some(v) = value {
                inputs.values.insert(ind.code.clone(), v);
            }
        }
        for a in overrides
            .iter()
            .filter(|a| a.estate_id == pair.estate_id && a.company_id == pair.company_id)
        {
            if let Some(v) = a.new_value.as_deref().and_then(rating::parse_decimal) {
                inputs.values.insert(a.indicator.clone(), v);
            }
        }
        inputs.bonuses = marks
            .iter()
            .filter(|m| m.kind == "bonus" && m.company_id == pair.company_id)
            .filter(|m| m.estate_id.as_deref() == Some(pair.estate_id.as_str()))
            .map(|m| m.code.clone())
            .collect();
        inputs.vetoed = marks
            .iter()
            .any(|m| m.kind == "veto" && m.company_id == pair.company_id);
        // The fingerprint covers what was scored: each pair's inputs in a fixed order.
        fingerprint.update(format!("|{}|{}|{}|{}|", pair.estate_id, pair.company_id, n, inputs.vetoed).as_bytes());
        for (code, v) in &inputs.values {
            fingerprint.update(format!("{code}={v};").as_bytes());
        }
        let mut bonuses = inputs.bonuses.clone();
        bonuses.sort();
        fingerprint.update(bonuses.join(",").as_bytes());
        let score = rating::score(cat, &inputs);
        let weight = match cat.weighting {
            Weighting::Area => facts.map(|f| f.area_centi).unwrap_or(0),
            Weighting::Estates => 1,
        };
        scored.push((pair.clone(), score, inputs.vetoed, n, weight));
    }

    // Companies: the weighted mean of their estates, ranked.
    let mut companies: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (p, ..)) in scored.iter().enumerate() {
        companies.entry(p.company_id.clone()).or_default().push(i);
    }
    let ids: Vec<String> = companies.keys().cloned().collect();
    let names: HashMap<String, String> = db::ratings::company_names(conn, &ids)?.into_iter().collect();
    let mut overall: Vec<(String, Q, i64, u8, bool, i64, Detail)> = Vec::new();
    for (company, idx) in &companies {
        let vetoed = scored[idx[0]].2;
        let parts: Vec<(Q, i64)> = idx.iter().map(|i| (scored[*i].1.total.clone(), scored[*i].4)).collect();
        let (total, centi, stars) = rating::overall(&parts, vetoed, &cat.stars);
        let responses = idx.iter().map(|i| scored[*i].3).sum();
        let detail = weighted_detail(idx.iter().map(|i| (&scored[*i].1, scored[*i].4)).collect());
        overall.push((company.clone(), total, centi, stars, vetoed, responses, detail));
    }
    overall.sort_by(|a, b| {
        let name = |id: &str| names.get(id).cloned().unwrap_or_default();
        let (na, nb) = (name(&a.0), name(&b.0));
        rating::rank_key(a.2, a.3, &na, &a.0).cmp(&rating::rank_key(b.2, b.3, &nb, &b.0))
    });

    let mut rows = Vec::with_capacity(scored.len() + overall.len());
    for (rank, (company, _, centi, stars, vetoed, responses, detail)) in overall.into_iter().enumerate() {
        rows.push(ResultRow {
            run_id: String::new(),
            company_id: company,
            estate_id: String::new(),
            score_centi: centi,
            stars: stars as i32,
            vetoed,
            low_sample: false,
            responses,
            rank: rank as i32 + 1,
            detail: json_text(&detail)?,
        });
    }
    for (pair, score, vetoed, n, _) in scored {
        rows.push(ResultRow {
            run_id: String::new(),
            company_id: pair.company_id,
            estate_id: pair.estate_id,
            score_centi: score.total_centi,
            stars: score.stars as i32,
            vetoed,
            low_sample: rating::low_sample(n, cat.min_responses),
            responses: n,
            rank: 0,
            detail: json_text(&detail_of(&score))?,
        });
    }
    Ok(Computed {
        fingerprint: hex::encode(fingerprint.finalize()),
        rows,
        responses: campaign_n,
        reading: read - started,
        scoring: read.elapsed(),
    })
}

/// The input of a computed indicator for a pair; `None` when the figure has no denominator.
/// One argument per source of figures, each read once for the whole run.
#[allow(clippy::too_many_arguments)]
fn fact(
    fact: Option<Fact>,
    pair: &Pair,
    estate: Option<&db::ratings::EstateFact>,
    of_estate: &[(Option<String>, db::ratings::LedgerFact)],
    meetings_held: Option<i64>,
    months: i64,
    statements: Option<(i64, i64)>,
    winners: i64,
) -> Option<Q> {
    let company = || {
        of_estate
            .iter()
            .filter(|(c, _)| c.as_deref() == Some(pair.company_id.as_str()))
            .fold(db::ratings::LedgerFact::default(), |mut a, (_, f)| {
                a.dispatched += f.dispatched;
                a.accepted_on_time += f.accepted_on_time;
                a.resolved += f.resolved;
                a.resolved_on_time += f.resolved_on_time;
                a.rating_sum += f.rating_sum;
                a.rated += f.rated;
                a
            })
    };
    match fact? {
        Fact::ItemsPer100Households => {
            let received: i64 = of_estate.iter().map(|(_, f)| f.received).sum();
            percent(received, estate?.units)
        }
        // Nothing dispatched to the company is nothing late: 100.
        Fact::AcceptedOnTimePercent => {
            let f = company();
            percent(f.accepted_on_time, f.dispatched).or(Some(rating::q(100)))
        }
        Fact::ResolvedOnTimePercent => {
            let f = company();
            percent(f.resolved_on_time, f.dispatched).or(Some(rating::q(100)))
        }
        Fact::MeanHandlingRating => {
            let f = company();
            (f.rated > 0).then(|| rating::ratio(f.rating_sum as i128, f.rated as i128))
        }
        Fact::JointMeetingsPercent => percent(meetings_held.unwrap_or(0).min(months), months),
        Fact::PartyCoverage => Some(rating::q(
            match PartyCoverage::parse(&pair.coverage).unwrap_or(PartyCoverage::None) {
                PartyCoverage::OwnBranch => 100,
                PartyCoverage::JointBranch => 70,
                PartyCoverage::Instructor => 50,
                PartyCoverage::None => 0,
            },
        )),
        Fact::CommitteeFiled => Some(rating::q(if estate?.committee_filed > 0 { 100 } else { 0 })),
        Fact::StatementsOnTimePercent => {
            let (on_time, judged) = statements?;
            percent(on_time, judged)
        }
        Fact::SelectionWinners => Some(rating::q(winners as i128)),
    }
}

/// Per estate, the quarterly statements of common income of the period: (on time, judged).
fn statement_timeliness(
    conn: &mut AnyConnection,
    ctx: &CampaignCtx,
    estate_ids: &[String],
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<HashMap<String, (i64, i64)>> {
    use crate::domain::money::{self, Account};
    let due_days = crate::http::money::county_settings(conn, &ctx.county.id)?.statement_due_days;
    let mut published: HashMap<String, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for (estate, account, first, _, at) in db::money::published_periods(conn, estate_ids)? {
        if account == Account::CommonIncome.as_str() {
            published.entry(estate).or_default().push((first, ids::local_date(at)));
        }
    }
    let today = ids::today();
    Ok(estate_ids
        .iter()
        .map(|e| {
            let p = published.get(e).map(Vec::as_slice).unwrap_or_default();
            (e.clone(), money::timeliness(from, until, 3, due_days, p, today))
        })
        .collect())
}

fn shown(x: &Q) -> String {
    rating::decimal_text(x)
}

fn detail_of(s: &Score) -> Detail {
    Detail {
        dimensions: s
            .dimensions
            .iter()
            .map(|(d, p)| Points {
                key: d.as_str().into(),
                points: shown(p),
            })
            .collect(),
        indicators: s
            .indicators
            .iter()
            .map(|(c, p)| Points {
                key: c.clone(),
                points: shown(p),
            })
            .collect(),
        bonus: shown(&s.bonus),
        missing: s.missing.clone(),
    }
}

/// A company's points per dimension and indicator: its estates' weighted as its total is.
fn weighted_detail(parts: Vec<(&Score, i64)>) -> Detail {
    let total: i128 = parts.iter().map(|(_, w)| *w as i128).sum();
    let weight = |w: i64| {
        if total > 0 {
            rating::ratio(w as i128, total)
        } else {
            rating::ratio(1, parts.len().max(1) as i128)
        }
    };
    let mean = |pick: &dyn Fn(&Score) -> Vec<(String, Q)>| -> Vec<Points> {
        let mut acc: Vec<(String, Q)> = Vec::new();
        for (s, w) in &parts {
            for (k, p) in pick(s) {
                let add = p * weight(*w);
                match acc.iter_mut().find(|(x, _)| *x == k) {
                    Some(e) => e.1 += add,
                    None => acc.push((k, add)),
                }
            }
        }
        acc.into_iter()
            .map(|(key, p)| Points { key, points: shown(&p) })
            .collect()
    };
    let bonus = parts
        .iter()
        .map(|(s, w)| &s.bonus * weight(*w))
        .fold(rating::q(0), |a, b| a + b);
    Detail {
        dimensions: mean(&|s: &Score| {
            s.dimensions
                .iter()
                .map(|(d, p)| (d.as_str().to_string(), p.clone()))
                .collect()
        }),
        indicators: mean(&|s: &Score| s.indicators.clone()),
        bonus: shown(&bonus),
        missing: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(company: &str, estate: &str, from: (i32, u32, u32), to: Option<(i32, u32, u32)>) -> ContractFact {
        let d = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        ContractFact {
            company_id: company.into(),
            estate_id: estate.into(),
            starts_on: d(from),
            ends_on: to.map(d),
            party_coverage: "none".into(),
        }
    }

    #[test]
    fn an_estate_is_rated_after_a_year_of_service_within_the_period() {
        let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let until = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let pairs = eligible(
            &[
                // The whole year: 365 days.
                contract("a", "e1", (2020, 1, 1), None),
                // One day short.
                contract("b", "e2", (2025, 1, 2), None),
                // Two contracts of one company add up.
                contract("c", "e3", (2024, 6, 1), Some((2025, 6, 30))),
                contract("c", "e3", (2025, 7, 1), None),
            ],
            from,
            until,
            365,
        );
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|p| (p.estate_id.as_str(), p.company_id.as_str()))
            .collect();
        assert_eq!(got, [("e1", "a"), ("e3", "c")]);
        assert_eq!(
            eligible(&[contract("b", "e2", (2025, 1, 2), None)], from, until, 364).len(),
            1
        );
    }

    #[test]
    fn months_of_a_period() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(months(d(2025, 1, 1), d(2025, 12, 31)), 12);
        assert_eq!(months(d(2025, 7, 15), d(2026, 1, 2)), 7);
    }
}

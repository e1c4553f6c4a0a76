//! Star ratings of property companies ("五好红色物业", RULES.md §6): a campaign's catalogue of
//! indicators under the five dimensions, how each indicator turns its input into points, the
//! survey's shrinkage toward the campaign mean, the stars, the vetoes, and the campaign's and an
//! appeal's lifecycles.
//!
//! Arithmetic is exact (`Q`, rationals of i128) from the inputs to the total; the total is rounded
//! once, half up, to hundredths (`round_centi`), and the star is decided on that rounded figure,
//! so what a company reads is what decided. Indicator and dimension figures are shown rounded the
//! same way, but nothing is computed from the shown figures.

use chrono::NaiveDateTime;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use super::lifecycle::Refused;
use super::window;
use crate::error::{codes, reason};
use crate::term_enum;

/// An exact number: a rational of big integers, so that no configuration, however odd its
/// bounds, can overflow a figure (an i128 rational could, and would wrap silently in release).
pub type Q = num_rational::BigRational;

/// An integer as an exact number.
pub fn q(n: i128) -> Q {
    Q::from_integer(BigInt::from(n))
}

/// `n / d` exactly (`d` not 0).
pub fn ratio(n: i128, d: i128) -> Q {
    Q::new(BigInt::from(n), BigInt::from(d))
}

term_enum!(
    /// The five dimensions of a "five-good" company (五好).
    Dimension, "a dimension of the five-good rating (五好)", {
        /// Organisation building.
        Organisation = "organisation", "组织建设好";
        /// The party-member team.
        PartyMembers = "party_members", "党员队伍好";
        /// Quality of service.
        Service = "service", "服务质量好";
        /// Operation and management.
        Operation = "operation", "运营管理好";
        /// Social image.
        Image = "image", "社会形象好";
    }
);

term_enum!(
    /// Where an indicator's input comes from.
    Source, "where a rating indicator's input comes from (指标来源)", {
        /// The owners' satisfaction survey: the mean answer (1–5) of the questions mapped to it.
        OwnerSurvey = "owner_survey", "业主满意度测评";
        /// The owners' committee's evaluation of the estate (one per estate).
        CommitteeEvaluation = "committee_evaluation", "业委会评价";
        /// The bureau's (or a party organisation's) inspections: the mean of their scores.
        BureauInspection = "bureau_inspection", "主管部门检查";
        /// A figure of the problem ledger and the meetings, computed for the period.
        LedgerFigures = "ledger_figures", "问题台账与联席会议数据";
        /// A fact of the registry, as it stands when the campaign is scored.
        RegistryFacts = "registry_facts", "登记信息";
    }
);

term_enum!(
    /// A figure redprop computes for an estate and its company over the campaign's period; never
    /// typed in.
    Fact, "a computed rating input (系统计算指标)", {
        /// Ledger items received per 100 units (fewer is better).
        ItemsPer100Households = "items_per_100_households", "每百户问题数";
        /// Of the items dispatched to the company, the percentage accepted within the service level.
        AcceptedOnTimePercent = "accepted_on_time_percent", "按时接单率(%)";
        /// Of the items the company resolved, the percentage resolved within the service level.
        ResolvedOnTimePercent = "resolved_on_time_percent", "按时办结率(%)";
        /// The reporters' mean rating (1–5) of the company's handling.
        MeanHandlingRating = "mean_handling_rating", "办理满意度均分";
        /// Joint monthly meetings held for the estate as a percentage of the months of the period.
        JointMeetingsPercent = "joint_meetings_percent", "联席会议召开率(%)";
        /// The company's party coverage: 100 own branch, 70 joint branch, 50 instructor, 0 none.
        PartyCoverage = "party_coverage", "党组织覆盖";
        /// 100 when the estate's committee in office is filed with the bureau, else 0.
        CommitteeFiled = "committee_filed", "业委会备案";
        /// Of the quarterly statements of common income owed for the period (RULES.md §9), the
        /// percentage published by their due day (operation and management).
        StatementsOnTimePercent = "statements_on_time_percent", "公共收益按期公示率(%)";
        /// Winners of selections ("最美物业人" and the like, RULES.md §11) naming the company,
        /// decided within the period (social image).
        SelectionWinners = "selection_winners", "评选获奖人次";
    }
);

impl Fact {
    /// The source whose indicators may name this fact.
    pub fn source(self) -> Source {
        match self {
            Fact::PartyCoverage | Fact::CommitteeFiled => Source::RegistryFacts,
            _ => Source::LedgerFigures,
        }
    }
}

term_enum!(
    /// How a company's overall score weighs its estates.
    Weighting, "how a company's overall score weighs its estates (加权方式)", {
        /// By the estate's total area (the sum of its units' areas).
        Area = "area", "按建筑面积加权";
        /// Each estate the same.
        Estates = "estates", "按项目数平均";
    }
);

term_enum!(
    /// Where a rating campaign stands.
    CampaignStatus, "a rating campaign's status (评价活动状态)", {
        /// Being configured; nothing is collected yet.
        Draft = "draft", "筹备中";
        /// The configuration is frozen; surveys, evaluations, inspections and marks are collected.
        Open = "open", "测评中";
        /// Collection is over; results are computed (as often as needed) before publication.
        Scoring = "scoring", "评分中";
        /// Results are published; companies may appeal within the notice period.
        Published = "published", "公示中";
        /// The notice period is over: the results are final (appeals filed in time are still decided).
        Final = "final", "已确定";
    }
);

term_enum!(
    /// Where an appeal stands.
    AppealStatus, "an appeal's status (申诉状态)", {
        /// Filed, waiting for a reviewer.
        Filed = "filed", "待复核";
        /// Upheld: the indicator's input is changed and a new version of the results published.
        Upheld = "upheld", "申诉成立";
        /// Dismissed with reasons.
        Dismissed = "dismissed", "驳回";
    }
);

/// How many points an indicator's input earns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// No points at `zero_at` (or beyond it), the full weight at `full_at` (or beyond), straight in
    /// between. `zero_at` above `full_at` means fewer is better.
    Linear { zero_at: Q, full_at: Q },
    /// Bands by the least value of each, ascending: the input earns the points of the last band it
    /// reaches (none below the first).
    Bands(Vec<(Q, Q)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indicator {
    pub code: String,
    pub dimension: Dimension,
    pub weight: Q,
    pub source: Source,
    /// The computed figure, for the two computed sources.
    pub fact: Option<Fact>,
    pub rule: Rule,
}

/// A campaign's configuration, checked (`check`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogue {
    pub indicators: Vec<Indicator>,
    /// (code, points) of each bonus the bureau may award an estate.
    pub bonuses: Vec<(String, Q)>,
    pub bonus_cap: Q,
    /// The least rounded score of 5, 4, 3, 2 and 1 stars, descending.
    pub stars: [Q; 5],
    /// The codes of the one-vote vetoes.
    pub vetoes: Vec<String>,
    /// (question code, indicator code) of the survey's questions.
    pub questions: Vec<(String, String)>,
    /// The survey's prior weight (responses) and the fewest responses that are not low-sample.
    pub prior_weight: i64,
    pub min_responses: i64,
    /// The fewest days of service under contract within the period that make an estate count.
    pub min_service_days: i64,
    pub weighting: Weighting,
    /// Days of publication during which a company may appeal.
    pub notice_days: u32,
    /// The fewest stars (and no veto) that make a company eligible for purchased services.
    pub purchase_min_stars: u8,
}

/// A decimal as the API writes it: digits, optionally a point and one or two more ("92.5",
/// "0.80", "-3"). Exact; anything else is `None`.
pub fn parse_decimal(s: &str) -> Option<Q> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let digits = |t: &str| !t.is_empty() && t.len() <= 9 && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (body.contains('.') && !(digits(frac) && frac.len() <= 2)) {
        return None;
    }
    let mut centi: i128 = int.parse::<i128>().ok()? * 100;
    if !frac.is_empty() {
        let f: i128 = frac.parse().ok()?;
        centi += if frac.len() == 1 { f * 10 } else { f };
    }
    Some(ratio(if neg { -centi } else { centi }, 100))
}

/// The one rounding: to hundredths, half up (away from zero at an exact half).
pub fn round_centi(x: Q) -> i64 {
    let scaled = x * q(100);
    let r = if scaled.is_negative() {
        -((-scaled) + ratio(1, 2)).floor()
    } else {
        (scaled + ratio(1, 2)).floor()
    };
    r.numer()
        .to_i64()
        .unwrap_or(if r.is_negative() { i64::MIN } else { i64::MAX })
}

/// Hundredths written as a decimal with two places: 9050 → "90.50".
pub fn centi_text(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// An exact number written with up to two places when it has them (for configuration echoes).
pub fn decimal_text(x: &Q) -> String {
    centi_text(round_centi(x.clone()))
}

/// The stars of a rounded score under the thresholds (5 down to 1); 0 is "no star".
pub fn stars_of(score_centi: i64, thresholds: &[Q; 5]) -> u8 {
    let score = ratio(score_centi as i128, 100);
    thresholds
        .iter()
        .position(|t| score >= *t)
        .map(|i| 5 - i as u8)
        .unwrap_or(0)
}

/// The points an input earns under a rule, out of `weight`.
pub fn points(rule: &Rule, weight: &Q, value: &Q) -> Q {
    match rule {
        Rule::Linear { zero_at, full_at } => {
            let share = (value - zero_at) / (full_at - zero_at);
            let share = share.max(Q::zero()).min(q(1));
            weight * share
        }
        Rule::Bands(bands) => bands
            .iter()
            .take_while(|(from, _)| value >= from)
            .last()
            .map(|(_, p)| p.clone())
            .unwrap_or_else(Q::zero),
    }
}

/// A survey mean shrunk toward the campaign's (a Bayesian average): `(sum + prior·campaign) /
/// (n + prior)`. With no responses anywhere there is nothing to shrink toward: `None`.
pub fn shrunk_mean(sum: i64, n: i64, prior_weight: i64, campaign_mean: Option<&Q>) -> Option<Q> {
    match campaign_mean {
        Some(m) if n + prior_weight > 0 => {
            Some((q(sum as i128) + q(prior_weight as i128) * m) / q((n + prior_weight) as i128))
        }
        None if n > 0 => Some(ratio(sum as i128, n as i128)),
        _ => None,
    }
}

/// Whether an estate's survey has too few responses to be read on its own (it is still scored,
/// shrunk toward the campaign's mean, and flagged).
pub fn low_sample(responses: i64, min_responses: i64) -> bool {
    responses < min_responses
}

/// One estate's inputs, by indicator code (`None` where none was given or can be computed).
#[derive(Clone, Debug, Default)]
pub struct EstateInputs {
    pub values: std::collections::BTreeMap<String, Q>,
    /// The codes of bonuses awarded.
    pub bonuses: Vec<String>,
    pub vetoed: bool,
}

/// An estate's score, exact; `total_centi` and `stars` are the published figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Score {
    /// (indicator code, exact points) in the catalogue's order.
    pub indicators: Vec<(String, Q)>,
    pub dimensions: Vec<(Dimension, Q)>,
    pub bonus: Q,
    /// Exact total, capped at 100.
    pub total: Q,
    pub total_centi: i64,
    pub stars: u8,
    /// The indicators that had no input (they earn nothing).
    pub missing: Vec<String>,
}

/// Scores one estate: each indicator's points, the dimensions, the bonus up to its cap, the total
/// (at most 100), rounded once, and its stars (none under a veto).
pub fn score(cat: &Catalogue, inputs: &EstateInputs) -> Score {
    let mut indicators = Vec::with_capacity(cat.indicators.len());
    let mut missing = Vec::new();
    let mut dims: Vec<(Dimension, Q)> = Dimension::ALL.iter().map(|d| (*d, Q::zero())).collect();
    for ind in &cat.indicators {
        let p = match inputs.values.get(&ind.code) {
            Some(v) => points(&ind.rule, &ind.weight, v),
            None => {
                missing.push(ind.code.clone());
                Q::zero()
            }
        };
        if let Some(d) = dims.iter_mut().find(|(d, _)| *d == ind.dimension) {
            d.1 += &p;
        }
        indicators.push((ind.code.clone(), p));
    }
    let bonus: Q = cat
        .bonuses
        .iter()
        .filter(|(code, _)| inputs.bonuses.contains(code))
        .map(|(_, p)| p.clone())
        .fold(Q::zero(), |a, b| a + b)
        .min(cat.bonus_cap.clone());
    let sum: Q = dims.iter().map(|(_, p)| p.clone()).fold(Q::zero(), |a, b| a + b) + &bonus;
    let total = sum.min(q(100));
    let total_centi = round_centi(total.clone());
    let stars = if inputs.vetoed {
        0
    } else {
        stars_of(total_centi, &cat.stars)
    };
    Score {
        indicators,
        dimensions: dims,
        bonus,
        total,
        total_centi,
        stars,
        missing,
    }
}

/// A company's overall score: the weighted mean of its estates' exact totals, rounded once.
/// `estates` are (exact total, weight); a zero total weight (no area recorded) falls back to
/// counting each estate the same.
pub fn overall(estates: &[(Q, i64)], vetoed: bool, thresholds: &[Q; 5]) -> (Q, i64, u8) {
    let weight: i128 = estates.iter().map(|(_, w)| *w as i128).sum();
    let total = if estates.is_empty() {
        Q::zero()
    } else if weight > 0 {
        estates
            .iter()
            .map(|(t, w)| t * q(*w as i128))
            .fold(Q::zero(), |a, b| a + b)
            / q(weight)
    } else {
        estates.iter().map(|(t, _)| t.clone()).fold(Q::zero(), |a, b| a + b) / q(estates.len() as i128)
    };
    let centi = round_centi(total.clone());
    let stars = if vetoed { 0 } else { stars_of(centi, thresholds) };
    (total, centi, stars)
}

/// The points of a published ranking: by rounded score, then stars, then (ties) the company's
/// name in code-point order, then its id — stated in the API so a tie is never decided by chance.
pub fn rank_key<'a>(
    score_centi: i64,
    stars: u8,
    name: &'a str,
    id: &'a str,
) -> (std::cmp::Reverse<i64>, std::cmp::Reverse<u8>, &'a str, &'a str) {
    (std::cmp::Reverse(score_centi), std::cmp::Reverse(stars), name, id)
}

/// One reason a configuration is inconsistent: the field path and what is wrong.
pub type Problem = (String, String);

/// Checks a configuration for consistency: unique codes, weights of 100 before bonus, each rule
/// within its weight, each computed indicator naming a fact of its source, each survey indicator
/// asked by at least one question, stars descending within 0–100.
pub fn check(cat: &Catalogue) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, ind) in cat.indicators.iter().enumerate() {
        let at = |f: &str| format!("indicators[{i}].{f}");
        if !seen.insert(ind.code.as_str()) {
            out.push((at("code"), format!("{} is used twice", ind.code)));
        }
        if ind.weight <= Q::zero() {
            out.push((at("weight"), "a weight is more than 0".into()));
        }
        let computed = matches!(ind.source, Source::LedgerFigures | Source::RegistryFacts);
        match (computed, ind.fact) {
            (true, None) => out.push((at("fact"), "a computed indicator names its fact".into())),
            (true, Some(f)) if f.source() != ind.source => out.push((
                at("fact"),
                format!("{} is not a fact of {}", f.as_str(), ind.source.as_str()),
            )),
            (false, Some(_)) => out.push((at("fact"), "only computed indicators name a fact".into())),
            _ => {}
        }
        match &ind.rule {
            Rule::Linear { zero_at, full_at } if zero_at == full_at => {
                out.push((at("rule"), "zero_at and full_at differ".into()))
            }
            Rule::Bands(bands) => {
                if bands.is_empty() {
                    out.push((at("rule.bands"), "a table has at least one band".into()));
                }
                if bands.windows(2).any(|w| w[0].0 >= w[1].0) {
                    out.push((at("rule.bands"), "bands ascend by their least value".into()));
                }
                if bands.iter().any(|(_, p)| *p < Q::zero() || *p > ind.weight) {
                    out.push((at("rule.bands"), "a band's points are between 0 and the weight".into()));
                }
            }
            _ => {}
        }
        if ind.source == Source::OwnerSurvey && !cat.questions.iter().any(|(_, code)| *code == ind.code) {
            out.push((at("code"), format!("no survey question is mapped to {}", ind.code)));
        }
    }
    let total: Q = cat
        .indicators
        .iter()
        .map(|i| i.weight.clone())
        .fold(Q::zero(), |a, b| a + b);
    if total != q(100) {
        out.push((
            "indicators".into(),
            format!("the weights add up to {}, not 100", decimal_text(&total)),
        ));
    }
    let mut qseen = std::collections::HashSet::new();
    for (i, (code, ind)) in cat.questions.iter().enumerate() {
        if !qseen.insert(code.as_str()) {
            out.push((format!("survey.questions[{i}].code"), format!("{code} is used twice")));
        }
        match cat.indicators.iter().find(|x| x.code == *ind) {
            Some(x) if x.source == Source::OwnerSurvey => {}
            Some(_) => out.push((
                format!("survey.questions[{i}].indicator"),
                format!("{ind} is not an owner_survey indicator"),
            )),
            None => out.push((
                format!("survey.questions[{i}].indicator"),
                format!("no indicator {ind}"),
            )),
        }
    }
    let mut bseen = std::collections::HashSet::new();
    for (i, (code, p)) in cat.bonuses.iter().enumerate() {
        if !bseen.insert(code.as_str()) {
            out.push((format!("bonuses[{i}].code"), format!("{code} is used twice")));
        }
        if *p <= Q::zero() {
            out.push((format!("bonuses[{i}].points"), "a bonus is more than 0 points".into()));
        }
    }
    if cat.bonus_cap < Q::zero() {
        out.push(("bonus_cap".into(), "the cap is 0 or more".into()));
    }
    if cat.stars.windows(2).any(|w| w[0] <= w[1]) || cat.stars[0] > q(100) || cat.stars[4] < Q::zero() {
        out.push((
            "stars".into(),
            "five thresholds, for 5 down to 1 star, strictly descending within 0–100".into(),
        ));
    }
    let mut vseen = std::collections::HashSet::new();
    for (i, v) in cat.vetoes.iter().enumerate() {
        if !vseen.insert(v.as_str()) {
            out.push((format!("vetoes[{i}].code"), format!("{v} is used twice")));
        }
    }
    out
}

/// A campaign's status now: `Final` once a published campaign's notice period has run out.
pub fn status_now(
    stored: CampaignStatus,
    published_at: Option<NaiveDateTime>,
    notice_days: u32,
    now: NaiveDateTime,
) -> CampaignStatus {
    match (stored, published_at) {
        (CampaignStatus::Published, Some(at)) if window::has_ended(at, notice_days, now) => CampaignStatus::Final,
        _ => stored,
    }
}

/// The next status of a campaign's step, or why not.
pub fn step(now: CampaignStatus, step: CampaignStep) -> Result<CampaignStatus, Refused> {
    use CampaignStatus::*;
    match (step, now) {
        (CampaignStep::Configure, Draft) => Ok(Draft),
        (CampaignStep::Configure, _) => Err(Refused::not_now(
            codes::CAMPAIGN_FROZEN,
            now,
            "change the configuration",
        )),
        (CampaignStep::Open, Draft) => Ok(Open),
        (CampaignStep::Open, _) => Err(Refused::not_now(codes::CAMPAIGN_NOT_DRAFT, now, "open the campaign")),
        (CampaignStep::Collect, Open) => Ok(Open),
        (CampaignStep::Collect, _) => Err(Refused::not_now(codes::CAMPAIGN_NOT_OPEN, now, "take inputs")),
        (CampaignStep::Close, Open) => Ok(Scoring),
        (CampaignStep::Close, _) => Err(Refused::not_now(codes::CAMPAIGN_NOT_OPEN, now, "close the collection")),
        (CampaignStep::Score, Scoring) => Ok(Scoring),
        (CampaignStep::Score, _) => Err(Refused::not_now(codes::CAMPAIGN_NOT_SCORING, now, "score the campaign")),
        (CampaignStep::Publish, Scoring) => Ok(Published),
        (CampaignStep::Publish, _) => Err(Refused::not_now(
            codes::CAMPAIGN_NOT_SCORING,
            now,
            "publish the results",
        )),
        (CampaignStep::Appeal, Published) => Ok(Published),
        (CampaignStep::Appeal, _) => Err(Refused::rule(
            codes::APPEAL_WINDOW_CLOSED,
            format!(
                "appeals are filed while the results are published, within the notice period; the campaign is {}",
                now.as_str()
            ),
        )),
    }
}

/// The steps of a campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignStep {
    Configure,
    Open,
    Collect,
    Close,
    Score,
    Publish,
    Appeal,
}

/// Deciding an appeal: only a filed one.
pub fn decide(now: AppealStatus, upheld: bool) -> Result<AppealStatus, Refused> {
    match now {
        AppealStatus::Filed => Ok(if upheld {
            AppealStatus::Upheld
        } else {
            AppealStatus::Dismissed
        }),
        _ => Err(Refused::not_now(codes::APPEAL_DECIDED, now, "decide the appeal")),
    }
}

/// The value of a survey answer: 1 to 5.
pub fn check_answer(value: i64) -> Result<(), Refused> {
    if (1..=5).contains(&value) {
        Ok(())
    } else {
        Err(Refused::field("answers", reason::CONSTRAINT, "each answer is 1 to 5"))
    }
}

/// The default catalogue, modelled on RULES.md §6 and published provincial schemes: 100 points
/// under the five dimensions, bonuses up to 5, stars at 90/80/70/65/60, three vetoes.
pub fn default_catalogue() -> Catalogue {
    let lin = |z: i128, f: i128| Rule::Linear {
        zero_at: q(z),
        full_at: q(f),
    };
    let ind = |code: &str, dimension, weight: i128, source, fact, rule| Indicator {
        code: code.into(),
        dimension,
        weight: q(weight),
        source,
        fact,
        rule,
    };
    use Dimension::*;
    use Source::*;
    Catalogue {
        indicators: vec![
            ind(
                "party_coverage",
                Organisation,
                10,
                RegistryFacts,
                Some(Fact::PartyCoverage),
                lin(0, 100),
            ),
            ind("org_inspection", Organisation, 10, BureauInspection, None, lin(0, 100)),
            ind(
                "party_member_role",
                PartyMembers,
                10,
                CommitteeEvaluation,
                None,
                lin(0, 100),
            ),
            ind(
                "joint_meetings",
                PartyMembers,
                10,
                LedgerFigures,
                Some(Fact::JointMeetingsPercent),
                lin(0, 100),
            ),
            ind("owner_satisfaction", Service, 20, OwnerSurvey, None, lin(1, 5)),
            ind(
                "resolved_on_time",
                Service,
                10,
                LedgerFigures,
                Some(Fact::ResolvedOnTimePercent),
                lin(50, 100),
            ),
            ind(
                "accepted_on_time",
                Operation,
                5,
                LedgerFigures,
                Some(Fact::AcceptedOnTimePercent),
                lin(50, 100),
            ),
            ind(
                "complaints",
                Operation,
                5,
                LedgerFigures,
                Some(Fact::ItemsPer100Households),
                lin(20, 0),
            ),
            ind(
                "operation_inspection",
                Operation,
                10,
                BureauInspection,
                None,
                lin(0, 100),
            ),
            ind("committee_view", Image, 5, CommitteeEvaluation, None, lin(0, 100)),
            ind("owner_image", Image, 5, OwnerSurvey, None, lin(1, 5)),
        ],
        bonuses: vec![("model_estate".into(), q(3)), ("party_branch_built".into(), q(2))],
        bonus_cap: q(5),
        stars: [q(90), q(80), q(70), q(65), q(60)],
        vetoes: vec![
            "major_safety_accident".into(),
            "misuse_of_common_income".into(),
            "falsified_maintenance_fund_claims".into(),
        ],
        questions: vec![
            ("service_overall".into(), "owner_satisfaction".into()),
            ("repairs".into(), "owner_satisfaction".into()),
            ("cleanliness".into(), "owner_satisfaction".into()),
            ("image".into(), "owner_image".into()),
        ],
        prior_weight: 30,
        min_responses: 10,
        min_service_days: 365,
        weighting: Weighting::Area,
        notice_days: 7,
        purchase_min_stars: 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Q {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn decimals_parse_exactly_and_refuse_the_rest() {
        assert_eq!(parse_decimal("92.5"), Some(ratio(185, 2)));
        assert_eq!(parse_decimal("0.80"), Some(ratio(4, 5)));
        assert_eq!(parse_decimal("-3"), Some(q(-3)));
        for bad in ["", ".5", "5.", "1.234", "1e3", "+1", "NaN", "1 ", "1234567890"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rounding_is_once_and_half_up() {
        assert_eq!(round_centi(ratio(89995, 1000)), 9000);
        assert_eq!(round_centi(ratio(89994, 1000)), 8999);
        assert_eq!(round_centi(ratio(1, 3) * q(100)), 3333);
        assert_eq!(round_centi(ratio(-5, 1000)), -1);
        assert_eq!(centi_text(9050), "90.50");
        assert_eq!(centi_text(7), "0.07");
    }

    #[test]
    fn each_star_threshold_one_below_at_and_above() {
        let t = default_catalogue().stars;
        for (threshold, stars) in [(9000, 5), (8000, 4), (7000, 3), (6500, 2), (6000, 1)] {
            assert_eq!(stars_of(threshold - 1, &t), stars - 1, "{threshold} - 0.01");
            assert_eq!(stars_of(threshold, &t), stars, "{threshold}");
            assert_eq!(stars_of(threshold + 1, &t), stars, "{threshold} + 0.01");
        }
        assert_eq!(stars_of(0, &t), 0);
        assert_eq!(stars_of(10000, &t), 5);
    }

    #[test]
    fn the_star_is_decided_on_the_rounded_score() {
        // 89.995 exactly rounds to 90.00, which is five stars.
        let mut cat = default_catalogue();
        cat.indicators = vec![Indicator {
            code: "x".into(),
            dimension: Dimension::Service,
            weight: q(100),
            source: Source::BureauInspection,
            fact: None,
            rule: Rule::Linear {
                zero_at: q(0),
                full_at: q(100),
            },
        }];
        let mut inputs = EstateInputs::default();
        inputs.values.insert("x".into(), ratio(89995, 1000));
        let s = score(&cat, &inputs);
        assert_eq!((s.total_centi, s.stars), (9000, 5));
        inputs.values.insert("x".into(), ratio(89994, 1000));
        assert_eq!(score(&cat, &inputs).stars, 4);
        inputs.vetoed = true;
        inputs.values.insert("x".into(), q(100));
        let s = score(&cat, &inputs);
        assert_eq!((s.total_centi, s.stars), (10000, 0));
    }

    #[test]
    fn linear_rules_clamp_and_may_run_downwards() {
        let up = Rule::Linear {
            zero_at: q(1),
            full_at: q(5),
        };
        assert_eq!(points(&up, &q(20), &q(3)), q(10));
        assert_eq!(points(&up, &q(20), &q(0)), q(0));
        assert_eq!(points(&up, &q(20), &q(6)), q(20));
        let down = Rule::Linear {
            zero_at: q(20),
            full_at: q(0),
        };
        assert_eq!(points(&down, &q(5), &q(5)), ratio(15, 4));
        assert_eq!(points(&down, &q(5), &q(25)), q(0));
        let bands = Rule::Bands(vec![(q(60), q(2)), (q(80), q(4)), (q(95), q(5))]);
        assert_eq!(points(&bands, &q(5), &d("59.99")), q(0));
        assert_eq!(points(&bands, &q(5), &q(60)), q(2));
        assert_eq!(points(&bands, &q(5), &d("94.99")), q(4));
        assert_eq!(points(&bands, &q(5), &q(100)), q(5));
    }

    #[test]
    fn shrinkage_with_0_1_9_10_and_1000_responses() {
        let four = q(4);
        let campaign = Some(&four);
        // No responses: the campaign mean.
        assert_eq!(shrunk_mean(0, 0, 30, campaign), Some(q(4)));
        // One answer of 1: (1 + 120) / 31.
        assert_eq!(shrunk_mean(1, 1, 30, campaign), Some(ratio(121, 31)));
        assert_eq!(shrunk_mean(9, 9, 30, campaign), Some(ratio(129, 39)));
        assert_eq!(shrunk_mean(10, 10, 30, campaign), Some(ratio(130, 40)));
        // A thousand answers of 2 barely move toward 4.
        assert_eq!(shrunk_mean(2000, 1000, 30, campaign), Some(ratio(2120, 1030)));
        // No prior: the plain mean; nothing anywhere: nothing.
        assert_eq!(shrunk_mean(9, 3, 0, campaign), Some(q(3)));
        assert_eq!(shrunk_mean(0, 0, 30, None), None);
        assert_eq!(shrunk_mean(0, 0, 0, Some(&q(3))), None);
    }

    #[test]
    fn low_sample_below_the_minimum_only() {
        assert!(low_sample(9, 10));
        assert!(!low_sample(10, 10));
        assert!(!low_sample(11, 10));
        assert!(low_sample(0, 1));
    }

    #[test]
    fn odd_bounds_stay_exact() {
        // Bounds with unlike denominators over many indicators: nothing overflows or rounds.
        let rule = Rule::Linear {
            zero_at: parse_decimal("0.07").unwrap(),
            full_at: parse_decimal("999999999.93").unwrap(),
        };
        let mut total = Q::zero();
        for i in 1..60 {
            total += points(&rule, &parse_decimal("1.67").unwrap(), &ratio(i * 7919, 1_000_003 + i));
        }
        assert!(total > Q::zero() && total < q(1));
    }

    #[test]
    fn the_default_catalogue_is_consistent() {
        assert_eq!(check(&default_catalogue()), Vec::<Problem>::new());
    }

    #[test]
    fn weights_must_add_up_to_100() {
        let mut cat = default_catalogue();
        cat.indicators[0].weight = d("10.01");
        let problems = check(&cat);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].1.contains("100.01"), "{problems:?}");
        cat.indicators[0].weight = d("9.99");
        assert!(check(&cat)[0].1.contains("99.99"));
    }

    #[test]
    fn inconsistent_configurations_are_named() {
        let mut cat = default_catalogue();
        cat.questions.retain(|(_, i)| i != "owner_image");
        cat.indicators[1].fact = Some(Fact::PartyCoverage);
        cat.stars = [q(90), q(90), q(70), q(65), q(60)];
        let fields: Vec<String> = check(&cat).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["indicators[1].fact", "indicators[10].code", "stars"]);
    }

    #[test]
    fn bonus_is_capped_and_total_at_most_100() {
        let cat = default_catalogue();
        let mut inputs = EstateInputs {
            bonuses: vec!["model_estate".into(), "party_branch_built".into()],
            ..EstateInputs::default()
        };
        let s = score(&cat, &inputs);
        assert_eq!(s.bonus, q(5));
        assert_eq!(s.missing.len(), cat.indicators.len());
        for ind in &cat.indicators {
            let full = match &ind.rule {
                Rule::Linear { full_at, .. } => full_at.clone(),
                _ => unreachable!(),
            };
            inputs.values.insert(ind.code.clone(), full);
        }
        let s = score(&cat, &inputs);
        assert_eq!((s.total_centi, s.stars), (10000, 5));
    }

    #[test]
    fn a_company_is_the_weighted_mean_of_its_estates() {
        let t = default_catalogue().stars;
        // 90 over 3 parts and 60 over 1: 82.5.
        assert_eq!(overall(&[(q(90), 300), (q(60), 100)], false, &t).1, 8250);
        // No area at all: each the same.
        assert_eq!(overall(&[(q(90), 0), (q(60), 0)], false, &t).1, 7500);
        assert_eq!(overall(&[(q(95), 1)], true, &t).2, 0);
    }

    #[test]
    fn an_appeal_is_decided_once_and_the_window_makes_final() {
        assert_eq!(decide(AppealStatus::Filed, true), Ok(AppealStatus::Upheld));
        assert!(decide(AppealStatus::Dismissed, true).is_err());
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap();
        // Published on 1 March (CST): the window runs through 8 March, 24:00 CST (16:00 UTC).
        let end = window::end(at, 7);
        assert_eq!(
            status_now(
                CampaignStatus::Published,
                Some(at),
                7,
                end - chrono::Duration::seconds(1)
            ),
            CampaignStatus::Published
        );
        assert_eq!(
            status_now(CampaignStatus::Published, Some(at), 7, end),
            CampaignStatus::Final
        );
    }
}

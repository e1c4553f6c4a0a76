//! The rating API's bodies. A campaign's configuration is stored in this form (JSON) and read
//! into `domain::rating::Catalogue` by `views::catalogue`, which is where it is checked.

use super::*;

/// A decimal with at most two places, written as a string so that it stays exact ("92.5").
pub const DECIMAL: &str = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$";

/// How an indicator's input earns points.
#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields, rename = "RatingRule")]
pub struct RuleDto {
    /// `linear` (no points at `zero_at`, the full weight at `full_at`, straight in between;
    /// `zero_at` above `full_at` when fewer is better) or `bands` (the points of the last band the
    /// input reaches; none below the first).
    #[oai(validator(pattern = "^(linear|bands)$"))]
    pub kind: String,
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zero_at: Option<String>,
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_at: Option<String>,
    /// Ascending by `from`.
    #[oai(validator(max_items = 20))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bands: Option<Vec<BandDto>>,
}

#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields, rename = "RatingBand")]
pub struct BandDto {
    /// The least input of the band.
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub from: String,
    /// The points the band earns (at most the indicator's weight).
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub points: String,
}

#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields, rename = "RatingIndicator")]
pub struct IndicatorDto {
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub code: String,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    pub dimension: Dimension,
    /// Points (the weights of a campaign add up to 100).
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub weight: String,
    pub source: Source,
    /// For `ledger_figures` and `registry_facts`: the computed figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<Fact>,
    pub rule: RuleDto,
}

#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields, rename = "RatingQuestion")]
pub struct QuestionDto {
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub code: String,
    /// The question as owners read it.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub text: String,
    /// The `owner_survey` indicator its answers feed.
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub indicator: String,
}

#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields, rename = "RatingSurvey")]
pub struct SurveyDto {
    /// Answered 1 (very dissatisfied) to 5 (very satisfied), each.
    #[oai(validator(min_items = 1, max_items = 30))]
    pub questions: Vec<QuestionDto>,
    /// The responses' weight of the campaign mean toward which each estate's mean is shrunk.
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub prior_weight: i64,
    /// An estate with fewer responses is marked low-sample.
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub min_responses: i64,
}

#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields, rename = "RatingBonus")]
pub struct BonusDto {
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub code: String,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub points: String,
}

#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields, rename = "RatingVeto")]
pub struct VetoDto {
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub code: String,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
}

/// A campaign's configuration: the indicator catalogue under the five dimensions, the survey,
/// bonuses and their cap, star thresholds, vetoes, and the campaign's rules. Checked for
/// consistency when set and when the campaign opens; frozen from the opening on.
#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields, rename = "RatingConfig")]
pub struct RatingConfig {
    #[oai(validator(min_items = 1, max_items = 60))]
    pub indicators: Vec<IndicatorDto>,
    pub survey: SurveyDto,
    #[oai(validator(max_items = 20))]
    pub bonuses: Vec<BonusDto>,
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub bonus_cap: String,
    /// The least score of 5, 4, 3, 2 and 1 stars, descending (decided on the score rounded to
    /// hundredths, half up).
    #[oai(validator(min_items = 5, max_items = 5, pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub stars: Vec<String>,
    /// One-vote vetoes (一票否决): a veto leaves the company without a star.
    #[oai(validator(max_items = 20))]
    pub vetoes: Vec<VetoDto>,
    /// The fewest days of service under contract within the period for an estate to be rated.
    #[oai(validator(minimum(value = "1"), maximum(value = "3660")))]
    pub min_service_days: i64,
    pub weighting: Weighting,
    /// Days the results are published for appeals (申诉期), from the publication.
    #[oai(validator(minimum(value = "1"), maximum(value = "90")))]
    pub notice_days: u32,
    /// The fewest stars (without a veto) for government purchase of services (政府购买服务).
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub purchase_min_stars: u8,
}

#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct NewCampaign {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    /// The default catalogue when absent.
    pub config: Option<RatingConfig>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Campaign {
    pub id: String,
    pub county_id: String,
    pub name: String,
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    /// `final` once the notice period of the published results is over.
    pub status: CampaignStatus,
    pub config: RatingConfig,
    pub created_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    /// The last instant of the appeal window (exclusive), once published.
    pub appeals_until: Option<DateTime<Utc>>,
}

#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct Answer {
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub question: String,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub value: i64,
}

/// An owner's survey response for one estate: an answer to every question.
#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct SurveyResponse {
    #[oai(validator(min_items = 1, max_items = 30))]
    pub answers: Vec<Answer>,
    #[oai(validator(max_length = 1000))]
    pub comment: Option<String>,
}

/// A paper questionnaire (纸质问卷) of an owner who cannot answer online, entered by community
/// staff: the owner, the answers as ticked on paper, and the paper's reference.
#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct PaperSurvey {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub owner_id: String,
    #[oai(validator(min_items = 1, max_items = 30))]
    pub answers: Vec<Answer>,
    #[oai(validator(max_length = 1000))]
    pub comment: Option<String>,
    /// The questionnaire's number or file reference, to find the paper again.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub paper_ref: String,
}

/// Where an estate rated in a campaign stands: its survey against the least sample, and which
/// inputs it still lacks before scoring.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct EstateProgress {
    pub estate_id: String,
    pub estate_name: String,
    pub company_id: String,
    pub company_name: String,
    /// Survey responses so far (online and paper).
    pub responses: i64,
    /// Of them, paper questionnaires entered by staff.
    pub paper_responses: i64,
    /// The campaign's least sample per estate.
    pub min_responses: i64,
    /// Fewer responses than the least sample: the estate will be marked low-sample.
    pub low_sample: bool,
    pub evaluated: bool,
    pub inspections: i64,
    /// The sources with no input yet for this estate (their indicators would earn nothing).
    pub lacking: Vec<Source>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SurveyResponseOut {
    pub estate_id: String,
    pub company_id: String,
    pub answers: Vec<Answer>,
    pub comment: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct IndicatorScore {
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub indicator: String,
    /// The input on the indicator's own scale.
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub value: String,
}

/// A committee's evaluation of its estate, or an inspection: a value per indicator of that source.
#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct ScoresIn {
    #[oai(validator(min_items = 1, max_items = 60))]
    pub scores: Vec<IndicatorScore>,
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
    /// Evidence: files the caller uploaded (`POST /attachments`).
    #[oai(default, validator(max_items = 20))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct RatingInput {
    pub id: String,
    pub estate_id: String,
    pub company_id: String,
    pub source: Source,
    pub scores: Vec<IndicatorScore>,
    pub note: Option<String>,
    pub attachment_ids: Vec<String>,
    pub recorded_at: DateTime<Utc>,
}

/// A bonus awarded to an estate, or a one-vote veto of a company.
#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct NewMark {
    /// `bonus` or `veto`.
    #[oai(validator(pattern = "^(bonus|veto)$"))]
    pub kind: String,
    /// A bonus or veto code of the campaign.
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub code: String,
    #[oai(validator(max_length = 64))]
    pub company_id: String,
    /// Required for a bonus; for a veto, where it happened.
    #[oai(validator(max_length = 64))]
    pub estate_id: Option<String>,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub reason: String,
    #[oai(default, validator(max_items = 20))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Mark {
    pub id: String,
    pub kind: String,
    pub code: String,
    pub company_id: String,
    pub estate_id: Option<String>,
    pub reason: String,
    pub attachment_ids: Vec<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Run {
    pub id: String,
    pub version: i32,
    /// SHA-256 of everything the run used: the configuration and the inputs as aggregated.
    pub fingerprint: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// The appeal whose decision made this version.
    pub appeal_id: Option<String>,
}

#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[oai(skip_serializing_if_is_none)]
pub struct Points {
    /// An indicator code or a dimension.
    pub key: String,
    /// Points, shown to hundredths (the total is computed from the exact figures).
    pub points: String,
}

/// The score of a company for one estate, or overall.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct RatingResult {
    pub company_id: String,
    pub company_name: String,
    /// Absent for the company overall.
    pub estate_id: Option<String>,
    /// Rounded once, half up, to hundredths: the figure the stars are decided on.
    pub score: String,
    /// 0 is no star.
    pub stars: i32,
    pub vetoed: bool,
    /// Fewer survey responses than the campaign's minimum (estates only).
    pub low_sample: bool,
    pub responses: i64,
    /// The company's place in the campaign (overall only): by score, then stars, then name, then id.
    pub rank: Option<i32>,
    pub dimensions: Vec<Points>,
    pub indicators: Vec<Points>,
    pub bonus: String,
    /// Indicators that had no input and earned nothing.
    pub missing: Vec<String>,
    /// Estates (overall only): the estates rated.
    pub estates: Vec<RatingResult>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct RunResults {
    pub run: Run,
    pub campaign_id: String,
    /// Companies in rank order, a page of them, each with its estates.
    pub results: Vec<RatingResult>,
    /// Pass as `cursor` for the next page of companies; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// One company's line of a county's public star list: no personal data.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct StarListEntry {
    pub company_id: String,
    pub company_name: String,
    pub stars: i32,
    pub score: String,
    pub rank: i32,
    pub vetoed: bool,
    /// Names of the estates rated.
    pub estates: Vec<String>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct StarList {
    pub campaign_id: String,
    pub campaign_name: String,
    pub version: i32,
    pub status: CampaignStatus,
    pub entries: Vec<StarListEntry>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct HistoryEntry {
    pub campaign_id: String,
    pub campaign_name: String,
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    pub version: i32,
    pub status: CampaignStatus,
    pub score: String,
    pub stars: i32,
    pub vetoed: bool,
    pub rank: i32,
}

#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct NewAppeal {
    #[oai(validator(max_length = 64))]
    pub estate_id: String,
    /// The indicator appealed.
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{0,39}$"))]
    pub indicator: String,
    /// The company's written statement.
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub statement: String,
    #[oai(default, validator(max_items = 20))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

#[derive(Object, Clone, Debug, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub struct AppealDecision {
    /// `upheld` (with `new_value`) or `dismissed`.
    pub outcome: AppealStatus,
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub reasons: String,
    /// Upheld: the indicator's input from now on, on its own scale.
    #[oai(validator(pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub new_value: Option<String>,
    #[oai(default, validator(max_items = 20))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Appeal {
    pub id: String,
    pub campaign_id: String,
    pub company_id: String,
    pub estate_id: String,
    pub indicator: String,
    pub statement: String,
    pub attachment_ids: Vec<String>,
    pub filed_at: DateTime<Utc>,
    pub status: AppealStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub reasons: Option<String>,
    pub decision_attachment_ids: Vec<String>,
    pub new_value: Option<String>,
    /// The version of the results the upheld decision published.
    pub version: Option<i32>,
}

//! The requests and answers of the owners' accounts.

use super::*;

/// A county's money settings: how often the fund's statement is owed, how long a company has to
/// publish a statement after its period and to answer an owner's question, which emergencies
/// allow the fund's use without a vote, and from when statements are owed.
#[derive(Object, Serialize, Deserialize, Clone, Debug)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct MoneySettings {
    /// Months per statement of the maintenance fund: 12 (yearly, the least the law allows), 6, 3 or 1.
    #[oai(validator(minimum(value = "1"), maximum(value = "12")))]
    pub fund_statement_months: u32,
    /// Days after a period ends by which its statement is to be published (1–30; 30 by default).
    #[oai(validator(minimum(value = "1"), maximum(value = "30")))]
    pub statement_due_days: u32,
    /// Days a company has to answer an owner's question, counted from the day after it was
    /// asked (1–7; 7 by default).
    #[oai(validator(minimum(value = "1"), maximum(value = "7")))]
    pub answer_days: u32,
    /// The county's list of emergencies for which the fund may be used on application and the
    /// county's approval (all by default).
    #[oai(validator(min_items = 1, max_items = 16, unique_items))]
    pub emergencies: Vec<EmergencyKind>,
    /// From this day, every estate with a company under contract owes its statements, whether or
    /// not anything was recorded (before it, from the estate's first record here).
    pub accounts_from: Option<NaiveDate>,
}

impl MoneySettings {
    pub fn defaults() -> MoneySettings {
        MoneySettings {
            fund_statement_months: 12,
            statement_due_days: 30,
            answer_days: 7,
            emergencies: EmergencyKind::ALL.to_vec(),
            accounts_from: None,
        }
    }
}

/// One item of a fee standard (明码标价): what is charged, by what unit, at what price, for
/// what service, and where it applies. Items of one name with different conditions make a
/// differentiated standard; the most specific that matches a unit applies to it.
#[derive(Object, Serialize, Deserialize, Clone, Debug)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FeeItem {
    /// e.g. 物业服务费, 电梯运行费, 地下车位停车费.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    pub kind: FeeKind,
    pub unit: FeeUnit,
    /// The price in fen per `unit` (per m² a month: fen per m² of legal area a month).
    #[oai(validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub price_fen: i64,
    /// The service the fee pays for (服务内容).
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub service_content: String,
    /// The level of service (服务等级), e.g. 二级.
    #[oai(validator(max_length = 50))]
    pub service_level: Option<String>,
    /// Only in these buildings (none: every building).
    #[oai(default, validator(max_items = 200, unique_items))]
    #[serde(default)]
    pub building_ids: Vec<String>,
    /// Only from this floor up (the floor is read from the unit's number).
    #[oai(validator(minimum(value = "-10"), maximum(value = "200")))]
    pub floor_min: Option<i32>,
    /// Only up to this floor.
    #[oai(validator(minimum(value = "-10"), maximum(value = "200")))]
    pub floor_max: Option<i32>,
    /// Only for these kinds of unit (none: every kind).
    #[oai(default, validator(max_items = 3, unique_items))]
    #[serde(default)]
    pub unit_kinds: Vec<UnitKind>,
}

/// A new fee standard for an estate, in force from a day (replacing the one before from then).
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewFeeStandard {
    /// The first day it applies (China Standard Time).
    pub effective_from: NaiveDate,
    pub basis: FeeBasis,
    /// `basis` = `vote`: the owners' vote of this estate that passed.
    #[oai(validator(max_length = 64))]
    pub vote_id: Option<String>,
    /// `basis` = `major_matter`: the major-matter proposal whose vote passed.
    #[oai(validator(max_length = 64))]
    pub proposal_id: Option<String>,
    /// `basis` = `government_price`: the price authority's document (文号).
    #[oai(validator(max_length = 200))]
    pub document: Option<String>,
    /// The complaint telephone published with the prices (价格举报电话), e.g. 12345.
    #[oai(validator(min_length = 3, max_length = 30))]
    pub complaint_phone: String,
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
    #[oai(validator(min_items = 1, max_items = 100))]
    pub items: Vec<FeeItem>,
}

/// A fee standard of an estate, as published.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FeeStandard {
    pub id: String,
    pub estate_id: String,
    pub effective_from: NaiveDate,
    /// The last day it applies: the day before the next standard starts (none while it is the latest).
    pub effective_to: Option<NaiveDate>,
    /// Whether it applies today.
    pub in_force: bool,
    pub basis: FeeBasis,
    pub vote_id: Option<String>,
    pub proposal_id: Option<String>,
    pub document: Option<String>,
    pub complaint_phone: String,
    pub note: String,
    pub items: Vec<FeeItem>,
    /// The company that recorded it.
    pub company_id: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// What one unit pays under the standard in force, computed from its legal area.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitFees {
    pub unit_id: String,
    /// The legal area (hundredths of m²) the fees per m² are computed from.
    pub area_centi_m2: Option<i64>,
    /// The standard in force today (none: the estate has not published one).
    pub standard_id: Option<String>,
    pub effective_from: Option<NaiveDate>,
    pub complaint_phone: Option<String>,
    pub items: Vec<UnitFee>,
    /// The monthly fees together, in fen (items charged per month that follow from the unit).
    pub monthly_total_fen: i64,
}

/// One item as it applies to a unit.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitFee {
    pub name: String,
    pub kind: FeeKind,
    pub unit: FeeUnit,
    pub price_fen: i64,
    /// A month's fee for this unit, in fen (price per m² times the legal area, rounded once, half
    /// up, to the fen); none for prices per space or per use.
    pub monthly_fen: Option<i64>,
    pub service_content: String,
    pub service_level: Option<String>,
}

/// The owners' decision on the share of common income the company keeps (Art. 282).
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewIncomeShare {
    /// Per mille of income (300 = 30%).
    #[oai(validator(minimum(value = "0"), maximum(value = "1000")))]
    pub share_permille: u32,
    /// The owners' vote of this estate that passed and decided it.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub vote_id: String,
    /// The first day it applies.
    pub effective_from: NaiveDate,
}

#[derive(Object)]
pub struct IncomeShare {
    pub id: String,
    pub estate_id: String,
    pub share_permille: i32,
    pub vote_id: String,
    pub effective_from: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

/// An entry of common income: money in, a reasonable cost, or a use of the remainder.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub category: IncomeCategory,
    /// Positive, in fen; `kind` says which way it goes.
    #[oai(validator(minimum(value = "1"), maximum(value = "999999999999999")))]
    pub amount_fen: i64,
    /// The day of the transaction (China Standard Time): the statement of that day's period takes it.
    pub occurred_on: NaiveDate,
    /// Who paid or was paid (a tenant, an advertiser, a contractor).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub counterparty: String,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub description: String,
    /// For a `use`: the owners' vote of this estate that passed and authorised it.
    #[oai(validator(max_length = 64))]
    pub vote_id: Option<String>,
    /// Evidence (contracts, receipts, invoices) uploaded beforehand with `POST /attachments`.
    #[oai(default, validator(max_items = 9, unique_items))]
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

/// An entry of an account.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MoneyEntry {
    pub id: String,
    pub estate_id: String,
    pub account: Account,
    pub kind: EntryKind,
    pub category: IncomeCategory,
    pub amount_fen: i64,
    pub occurred_on: NaiveDate,
    pub counterparty: String,
    pub description: String,
    pub vote_id: Option<String>,
    /// For a fund entry from the county's records: the account's balance after it, in fen.
    pub balance_fen: Option<i64>,
    pub attachment_ids: Vec<String>,
    /// `company` (entered by the company or its system) or `import` (the county's fund records).
    pub source: String,
    pub recorded_at: DateTime<Utc>,
}

/// The county's fund records taken in.
#[derive(Object)]
pub struct FundImport {
    /// Estates with new records.
    pub estates: u32,
    /// Movements stored.
    pub entries: u32,
}

/// A statement to publish: its account and period, and the balances as the company states them.
/// The server takes the period's entries as its lines and publishes only if opening + income −
/// spending = closing, to the fen.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewStatement {
    pub account: Account,
    /// The period's first day: a quarter's for common income, a period of the county's fund
    /// cadence for the fund. The period must have ended.
    pub period_from: NaiveDate,
    /// In fen; the last published statement's closing balance.
    #[oai(validator(minimum(value = "-999999999999999"), maximum(value = "999999999999999")))]
    pub opening_fen: i64,
    /// In fen; must equal opening + income − spending.
    #[oai(validator(minimum(value = "-999999999999999"), maximum(value = "999999999999999")))]
    pub closing_fen: i64,
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
}

/// A correction of a published statement: a new version, taking the period's entries as they are
/// now, that says why.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct StatementCorrection {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub reason: String,
    #[oai(validator(minimum(value = "-999999999999999"), maximum(value = "999999999999999")))]
    pub opening_fen: i64,
    #[oai(validator(minimum(value = "-999999999999999"), maximum(value = "999999999999999")))]
    pub closing_fen: i64,
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
}

/// What a correction changed against the version it replaced.
#[derive(Object, Serialize, Deserialize, Clone)]
pub struct StatementChanges {
    pub opening_fen_before: i64,
    pub income_fen_before: i64,
    pub spending_fen_before: i64,
    pub closing_fen_before: i64,
    /// Entries now in the statement that the replaced version did not have.
    pub lines_added: u32,
    /// Entries of the replaced version no longer in it.
    pub lines_removed: u32,
}

/// A published statement of an account for a period.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Statement {
    pub id: String,
    pub estate_id: String,
    pub account: Account,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// 1 for the first publication; each correction adds one.
    pub version: i32,
    pub status: StatementStatus,
    pub opening_fen: i64,
    pub income_fen: i64,
    /// Costs and uses together.
    pub spending_fen: i64,
    /// Of the spending, the company's costs (common income).
    pub costs_fen: i64,
    pub closing_fen: i64,
    pub line_count: i32,
    /// SHA-256 of the lines and balances, hex: what was published.
    pub fingerprint: String,
    pub note: String,
    /// The version this one corrects.
    pub supersedes: Option<String>,
    /// The version that corrected this one.
    pub superseded_by: Option<String>,
    pub correction_reason: Option<String>,
    pub changes: Option<StatementChanges>,
    pub company_id: Option<String>,
    pub published_at: DateTime<Utc>,
    /// The day the period's statement was due.
    pub due_on: NaiveDate,
    /// Whether the period's first version was published by then.
    pub published_on_time: bool,
    /// Owners' questions on this period's statement (every version), with the answers.
    pub questions: Vec<StatementQuestion>,
}

/// One line of a statement: an entry as it was when published.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StatementLine {
    pub seq: i32,
    pub entry_id: String,
    pub kind: EntryKind,
    pub category: IncomeCategory,
    pub amount_fen: i64,
    pub occurred_on: NaiveDate,
    pub counterparty: String,
    pub description: String,
}

/// An owner's question on a published statement.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewQuestion {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub question: String,
}

/// The company's answer.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewAnswer {
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub answer: String,
}

/// An owner's question and the company's answer, attached to the statement.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StatementQuestion {
    pub id: String,
    pub statement_id: String,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    /// The last day for the answer (the window counted from the day after it was asked).
    pub answer_due: NaiveDate,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// Unanswered after its last day.
    pub overdue: bool,
    /// Answered after its last day.
    pub answered_late: bool,
    /// The caller asked it.
    pub mine: bool,
}

/// A use of the maintenance fund to propose (or, for an emergency, to apply for).
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewFundUse {
    pub kind: FundUseKind,
    /// For an emergency: which one of the county's list.
    pub emergency: Option<EmergencyKind>,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub title: String,
    /// Where: the buildings, parts or equipment concerned.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub location: String,
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub description: String,
    /// The estimate, in fen.
    #[oai(validator(minimum(value = "1"), maximum(value = "999999999999999")))]
    pub estimate_fen: i64,
    /// The buildings whose units bear the cost, by their legal areas (none: the whole estate).
    #[oai(default, validator(max_items = 200, unique_items))]
    #[serde(default)]
    pub building_ids: Vec<String>,
}

/// The owners' decision on an ordinary use: the vote of category 5 that passed.
#[derive(Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FundDecision {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub vote_id: String,
}

/// The county's decision on an emergency application.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FundApproval {
    pub approve: bool,
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
}

/// A use carried out, settled with its invoices.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FundSettlement {
    /// The final cost, in fen: no more than the estimate decided.
    #[oai(validator(minimum(value = "1"), maximum(value = "999999999999999")))]
    pub amount_fen: i64,
    /// The invoices, uploaded beforehand with `POST /attachments`.
    #[oai(validator(min_items = 1, max_items = 20, unique_items))]
    pub invoice_ids: Vec<String>,
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
}

/// A use of the maintenance fund, step by step.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FundUse {
    pub id: String,
    pub estate_id: String,
    pub kind: FundUseKind,
    pub emergency: Option<EmergencyKind>,
    pub title: String,
    pub location: String,
    pub description: String,
    pub estimate_fen: i64,
    pub building_ids: Vec<String>,
    pub status: FundUseStatus,
    /// The owners' vote it rests on (an ordinary use).
    pub vote_id: Option<String>,
    /// Who applied: the role (committee, party organisation, company).
    pub applied_as: Role,
    pub applied_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub settled_fen: Option<i64>,
    pub invoice_ids: Vec<String>,
    pub settled_at: Option<DateTime<Utc>>,
}

/// What one unit bears of a use: its share of the cost by legal area.
#[derive(Object)]
pub struct FundShare {
    pub unit_id: String,
    pub building_id: String,
    pub number: String,
    pub area_centi_m2: i64,
    /// In fen; the shares add up to the cost exactly (largest remainder).
    pub share_fen: i64,
}

/// One estate's disclosure, for the county's oversight.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EstateDisclosure {
    pub estate_id: String,
    pub estate_name: String,
    pub company_id: Option<String>,
    /// The fee standard in force: its first day (none: none published).
    pub fee_standard_from: Option<NaiveDate>,
    /// The last day of the latest period with a published statement of common income.
    pub income_statement_to: Option<NaiveDate>,
    /// The same for the maintenance fund.
    pub fund_statement_to: Option<NaiveDate>,
    /// Statements owed and overdue (of the latest periods).
    pub overdue_statements: u32,
    /// Statements published after their due day (of the latest periods).
    pub late_statements: u32,
    pub unanswered_questions: u32,
    pub overdue_questions: u32,
}

/// A county's (or a community's) disclosure at a glance.
#[derive(Object)]
pub struct Disclosure {
    pub org_id: String,
    pub estates: u32,
    pub with_fee_standard: u32,
    pub with_overdue_statements: u32,
    pub overdue_questions: u32,
    pub items: Vec<EstateDisclosure>,
    pub generated_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum StandardCreated {
    /// Published: it applies from its first day.
    #[oai(status = 201)]
    Created(Json<FeeStandard>),
}

#[derive(ApiResponse)]
pub enum ShareCreated {
    #[oai(status = 201)]
    Created(Json<IncomeShare>),
}

#[derive(ApiResponse)]
pub enum EntryCreated {
    #[oai(status = 201)]
    Created(Json<MoneyEntry>),
}

#[derive(ApiResponse)]
pub enum FundImported {
    #[oai(status = 201)]
    Created(Json<FundImport>),
}

#[derive(ApiResponse)]
pub enum StatementCreated {
    /// Published.
    #[oai(status = 201)]
    Created(Json<Statement>),
}

#[derive(ApiResponse)]
pub enum QuestionCreated {
    #[oai(status = 201)]
    Created(Json<StatementQuestion>),
}

#[derive(ApiResponse)]
pub enum FundUseCreated {
    #[oai(status = 201)]
    Created(Json<FundUse>),
}

/// A file to download.
#[derive(ApiResponse)]
pub enum MoneyFile {
    #[oai(status = 200)]
    File(
        poem_openapi::payload::Binary<Vec<u8>>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// The latest published statement of an account, as the public notice board shows it.
#[derive(Object)]
pub struct BoardStatement {
    pub statement_id: String,
    pub account: Account,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub version: i32,
    pub opening_fen: i64,
    pub income_fen: i64,
    pub spending_fen: i64,
    pub closing_fen: i64,
    pub published_at: DateTime<Utc>,
    pub fingerprint: String,
    /// Totals by kind and category.
    pub totals: Vec<CategoryTotal>,
}

/// The entries of one kind and category of a statement, added up.
#[derive(Object)]
pub struct CategoryTotal {
    pub kind: EntryKind,
    pub category: IncomeCategory,
    pub amount_fen: i64,
    pub entries: i64,
}

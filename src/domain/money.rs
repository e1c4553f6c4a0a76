//! Money the owners are owed an account of (RULES.md §9, 阳光账目): amounts in integer fen, fee
//! standards and what one unit pays under them, statements that can only be built when they
//! reconcile, the company's share of common income, the maintenance fund's uses and their
//! steps, the periods statements are owed for and when. No floating point anywhere: a price per
//! m² times a legal area is rounded once, half up to the fen, in `monthly_fee`; a use's cost is
//! shared among the units that bear it by largest remainder in `apportion`, so the shares add
//! up to the fen.

use std::fmt;

use chrono::{Datelike, Duration, NaiveDate};

use super::lifecycle::Refused;
use crate::error::{codes, reason};
use crate::term_enum;

/// An amount of money in fen (分). Arithmetic is checked: an overflow is a refusal, never a wrap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn checked_add(self, o: Fen) -> Option<Fen> {
        self.0.checked_add(o.0).map(Fen)
    }

    pub fn checked_sub(self, o: Fen) -> Option<Fen> {
        self.0.checked_sub(o.0).map(Fen)
    }

    /// A sum that does not overflow (every stored amount is below 10^15 fen, `MAX_AMOUNT`).
    pub fn sum(items: impl IntoIterator<Item = Fen>) -> Option<Fen> {
        items.into_iter().try_fold(Fen::ZERO, Fen::checked_add)
    }
}

/// The largest single amount taken: 10^13 yuan in fen. Anything larger is a typing error, and
/// keeping every amount below it keeps any sum of a statement's lines far from `i64::MAX`.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Yuan with two decimals, the way people read money: `-1,234.05` is written `-1234.05`.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

/// Reads yuan as a spreadsheet or a person writes them — `1234.5`, `1,234.50`, `¥1234`, `-20.00`
/// — into fen, exactly (never through a float). More than two decimals is refused, not rounded.
pub fn parse_yuan(text: &str) -> Option<Fen> {
    let t: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 13
    {
        return None;
    }
    let yuan: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let fen = yuan.checked_mul(100)?.checked_add(cents)?;
    Some(Fen(if neg { -fen } else { fen }))
}

term_enum!(
    /// The two accounts owed to the owners.
    Account, "an account owed to the owners (账目)", {
        /// Income from common parts (Civil Code Art. 282).
        CommonIncome = "common_income", "公共收益";
        /// The special maintenance fund of the buildings (Art. 281).
        MaintenanceFund = "maintenance_fund", "专项维修资金";
    }
);

term_enum!(
    /// What an entry does to its account.
    EntryKind, "an entry of an account (收支类型)", {
        /// Money in: parking, advertising, leases of common parts; for the fund, deposits and interest.
        Income = "income", "收入";
        /// A reasonable cost of earning common income, kept by the company within the share the
        /// owners decided (Art. 282).
        Cost = "cost", "合理成本";
        /// A use of the owners' money (distribution or use of common income; a fund expenditure),
        /// under the decision that authorised it.
        Use = "use", "使用支出";
    }
);

impl EntryKind {
    /// Whether the entry adds to the balance.
    pub fn is_income(self) -> bool {
        self == EntryKind::Income
    }

    /// The kinds an account takes: the fund has no company cost.
    pub fn fits(self, account: Account) -> bool {
        account == Account::CommonIncome || self != EntryKind::Cost
    }
}

term_enum!(
    /// What an entry of common income is for.
    IncomeCategory, "a kind of common income or spending (收支科目)", {
        Parking = "parking", "停车";
        Advertising = "advertising", "广告";
        Leasing = "leasing", "场地租赁";
        Facilities = "facilities", "设施经营";
        Deposit = "deposit", "维修资金缴存";
        Interest = "interest", "利息";
        Repair = "repair", "维修工程";
        Distribution = "distribution", "分配";
        Management = "management", "管理成本";
        Other = "other", "其他";
    }
);

/// One line of an account: its kind and amount (always positive; the kind gives the sign).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: EntryKind,
    pub amount: Fen,
}

/// A statement's figures: built only by `reconcile`, so any value of this type reconciles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reconciled {
    pub opening: Fen,
    pub income: Fen,
    /// Costs and uses together: what left the account.
    pub spending: Fen,
    /// Of the spending, the company's costs (common income only).
    pub costs: Fen,
    pub closing: Fen,
}

/// The totals of `lines` opened at `opening`, whatever the stated closing is (shown on a draft,
/// and in the refusal when the stated closing differs).
pub fn totals(opening: Fen, lines: impl IntoIterator<Item = Line>) -> Result<Reconciled, Refused> {
    let overflow = || Refused::field("lines", reason::OUT_OF_RANGE, "the amounts add up beyond what is kept");
    let (mut income, mut spending, mut costs) = (Fen::ZERO, Fen::ZERO, Fen::ZERO);
    for l in lines {
        if l.amount.0 <= 0 {
            return Err(Refused::field(
                "lines",
                reason::OUT_OF_RANGE,
                "an entry's amount is positive",
            ));
        }
        if l.kind.is_income() {
            income = income.checked_add(l.amount).ok_or_else(overflow)?;
        } else {
            spending = spending.checked_add(l.amount).ok_or_else(overflow)?;
            if l.kind == EntryKind::Cost {
                costs = costs.checked_add(l.amount).ok_or_else(overflow)?;
            }
        }
    }
    let closing = opening
        .checked_add(income)
        .and_then(|x| x.checked_sub(spending))
        .ok_or_else(overflow)?;
    Ok(Reconciled {
        opening,
        income,
        spending,
        costs,
        closing,
    })
}

/// A statement's figures, if the closing stated by whoever publishes it is exactly opening +
/// income − spending (to the fen); otherwise the refusal names the difference.
pub fn reconcile(
    opening: Fen,
    lines: impl IntoIterator<Item = Line>,
    stated_closing: Fen,
) -> Result<Reconciled, Refused> {
    let r = totals(opening, lines)?;
    if r.closing != stated_closing {
        let off = Fen(stated_closing.0 - r.closing.0);
        return Err(Refused::rule(
            codes::STATEMENT_UNRECONCILED,
            format!(
                "opening {} + income {} − spending {} = {}, not the stated closing {} (off by {} yuan)",
                r.opening, r.income, r.spending, r.closing, stated_closing, off
            ),
        ));
    }
    Ok(r)
}

/// The next statement opens at the last one's close (none before it: any opening).
pub fn check_opening(previous_closing: Option<Fen>, opening: Fen) -> Result<(), Refused> {
    match previous_closing {
        Some(prev) if prev != opening => Err(Refused::rule(
            codes::STATEMENT_OPENING_MISMATCH,
            format!("the statement opens at {opening} yuan; the last published one closed at {prev}"),
        )),
        _ => Ok(()),
    }
}

/// Costs are reasonable only within the share of the income the owners decided the company may
/// keep (per mille, Art. 282); without such a decision, no cost may be charged to common income.
/// The share is rounded down: a fraction of a fen is the owners'.
pub fn check_costs(r: &Reconciled, share_permille: Option<u32>) -> Result<(), Refused> {
    let allowed = share_permille.map_or(0, |p| (r.income.0 as i128 * p as i128 / 1000) as i64);
    if r.costs.0 > allowed {
        return Err(Refused::rule(
            codes::COSTS_EXCEED_SHARE,
            match share_permille {
                Some(p) => format!(
                    "costs of {} yuan exceed the company's share the owners decided ({}‰ of income {} = {} yuan)",
                    r.costs,
                    p,
                    r.income,
                    Fen(allowed)
                ),
                None => format!(
                    "costs of {} yuan are charged, but the owners have not decided any share the company may keep",
                    r.costs
                ),
            },
        ));
    }
    Ok(())
}

term_enum!(
    /// A published statement's place among its versions.
    StatementStatus, "a statement's status (公示状态)", {
        /// The version in force.
        Published = "published", "已公示";
        /// Replaced by a correction; still readable.
        Superseded = "superseded", "已更正";
    }
);

impl StatementStatus {
    /// Correcting a statement: only the version in force is corrected.
    pub fn correct(self) -> Result<StatementStatus, Refused> {
        match self {
            StatementStatus::Published => Ok(StatementStatus::Superseded),
            now => Err(Refused::not_now(codes::STATEMENT_SUPERSEDED, now, "correct")),
        }
    }
}

/// A statement's period: its first and last day (China Standard Time), inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The calendar period of `months` months (1, 3, 6 or 12) that contains `day`.
pub fn period_of(day: NaiveDate, months: u32) -> Period {
    let m0 = day.month0() / months * months;
    let from = NaiveDate::from_ymd_opt(day.year(), m0 + 1, 1).expect("a period's first day");
    Period {
        from,
        to: add_months(from, months) - Duration::days(1),
    }
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(months))
        .expect("a date within range")
}

/// The period starting on `from`, if `from` starts one (a statement names its period by its first day).
pub fn period_starting(from: NaiveDate, months: u32) -> Result<Period, Refused> {
    let p = period_of(from, months);
    if p.from != from {
        return Err(Refused::field(
            "period_from",
            reason::INVALID,
            format!(
                "a period of {months} months starts on the first day of a month in {}",
                starts(months)
            ),
        ));
    }
    Ok(p)
}

fn starts(months: u32) -> &'static str {
    match months {
        12 => "January",
        6 => "January or July",
        3 => "January, April, July or October",
        _ => "any month",
    }
}

/// The next statement begins the day after the last one ended: no period is skipped.
pub fn check_follows(previous: Option<Period>, p: Period) -> Result<(), Refused> {
    match previous {
        Some(prev) if prev.to + Duration::days(1) != p.from => Err(Refused::rule(
            codes::STATEMENT_OUT_OF_SEQUENCE,
            format!(
                "the last published statement ends on {}; the next one begins on {}",
                prev.to,
                prev.to + Duration::days(1)
            ),
        )),
        _ => Ok(()),
    }
}

/// How often each account's statement is owed, in months: common income each quarter (RULES.md
/// §9); the fund at least yearly, a county may ask for more often, never less.
pub fn months_of(account: Account, fund_months: u32) -> u32 {
    match account {
        Account::CommonIncome => 3,
        Account::MaintenanceFund => fund_months,
    }
}

/// The cadences a county may set for the fund's statement.
pub const FUND_MONTHS: [u32; 4] = [1, 3, 6, 12];

/// A statement owed: its period, the day it is due, and whether it is overdue today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owed {
    pub period: Period,
    pub due_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub overdue: bool,
}

/// The statements owed on `today`: for each period that ended since `since` (the day the
/// estate's accounts started to be kept here, never before the company's contract), due
/// `due_days` days after the period ends, up to `keep` of the latest. A period is met by a
/// statement published for it (`published` holds each published period's first day and the
/// day it was published).
pub fn statements_owed(
    since: NaiveDate,
    months: u32,
    due_days: u32,
    published: &[(NaiveDate, NaiveDate)],
    today: NaiveDate,
    keep: usize,
) -> Vec<Owed> {
    let mut out = Vec::new();
    let mut p = period_of(since, months);
    while p.to < today {
        let due_on = p.to + Duration::days(due_days as i64);
        let published_on = published.iter().find(|(from, _)| *from == p.from).map(|(_, on)| *on);
        out.push(Owed {
            period: p,
            due_on,
            published_on,
            overdue: published_on.is_none() && today > due_on,
        });
        let from = p.to + Duration::days(1);
        p = period_of(from, months);
    }
    let skip = out.len().saturating_sub(keep);
    out.split_off(skip)
}

/// How timely an estate's statements were over a rating period: of the periods of `months` that
/// end within `from`–`until` and are judged (their due day has passed by `today`, or they were
/// published), how many were published by their due day: (on time, judged).
pub fn timeliness(
    from: NaiveDate,
    until: NaiveDate,
    months: u32,
    due_days: u32,
    published: &[(NaiveDate, NaiveDate)],
    today: NaiveDate,
) -> (i64, i64) {
    let (mut on_time, mut judged) = (0, 0);
    let mut p = period_of(from, months);
    if p.from < from {
        p = period_of(p.to + Duration::days(1), months);
    }
    while p.to <= until {
        let due_on = p.to + Duration::days(due_days as i64);
        let published_on = published.iter().find(|(f, _)| *f == p.from).map(|(_, on)| *on);
        if published_on.is_some() || today > due_on {
            judged += 1;
            on_time += i64::from(published_on.is_some_and(|d| d <= due_on));
        }
        p = period_of(p.to + Duration::days(1), months);
    }
    (on_time, judged)
}

term_enum!(
    /// What a fee is charged by (计费单位).
    FeeUnit, "the unit a fee is charged by (计费方式)", {
        /// Per square metre of the unit's legal area per month.
        PerM2Month = "per_m2_month", "元/平方米·月";
        /// Per parking space per month.
        PerSpaceMonth = "per_space_month", "元/个·月";
        /// Per unit (household) per month.
        PerUnitMonth = "per_unit_month", "元/户·月";
        /// Per unit, once or per use (e.g. a decoration deposit).
        PerUnit = "per_unit", "元/户·次";
    }
);

term_enum!(
    /// A fee item's kind.
    FeeKind, "a kind of fee (收费项目)", {
        PropertyService = "property_service", "物业服务费";
        Parking = "parking", "停车费";
        Utilities = "utilities", "公共能耗分摊";
        Other = "other", "其他";
    }
);

term_enum!(
    /// The decision that set a fee standard.
    FeeBasis, "what set a fee standard (定价依据)", {
        /// A vote of the owners that passed (RULES.md §1).
        Vote = "vote", "业主共同决定";
        /// A major matter through its four steps (RULES.md §5), ending in a vote that passed.
        MajorMatter = "major_matter", "重大事项程序";
        /// A price the government sets or guides (its document named).
        GovernmentPrice = "government_price", "政府指导价";
    }
);

/// Where a fee item applies: every condition given must hold (none given: everywhere).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applies<'a> {
    pub building_ids: &'a [String],
    pub floor_min: Option<i32>,
    pub floor_max: Option<i32>,
    pub unit_kinds: &'a [&'a str],
}

/// A unit as a fee standard sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitFacts<'a> {
    pub building_id: &'a str,
    /// The floor, when the unit's number gives one.
    pub floor: Option<i32>,
    pub kind: &'a str,
}

impl Applies<'_> {
    /// How many conditions it sets: the most specific item of a name is the one that applies.
    pub fn specificity(&self) -> u32 {
        u32::from(!self.building_ids.is_empty())
            + u32::from(self.floor_min.is_some() || self.floor_max.is_some())
            + u32::from(!self.unit_kinds.is_empty())
    }

    pub fn matches(&self, u: &UnitFacts<'_>) -> bool {
        let floor_ok = match (self.floor_min, self.floor_max) {
            (None, None) => true,
            (min, max) => u
                .floor
                .is_some_and(|f| min.is_none_or(|m| f >= m) && max.is_none_or(|m| f <= m)),
        };
        (self.building_ids.is_empty() || self.building_ids.iter().any(|b| b == u.building_id))
            && floor_ok
            && (self.unit_kinds.is_empty() || self.unit_kinds.contains(&u.kind))
    }
}

/// The floor of a unit number as county offices write them: `1502` is on floor 15, `302` on 3,
/// `15-02` and `15楼02` on 15; a number too short to name one (`A`, `12`) has none.
pub fn floor_of(number: &str) -> Option<i32> {
    let t = number.trim();
    if let Some((f, _)) = t.split_once(['-', '楼']) {
        return f.trim().parse().ok();
    }
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 3 || digits.len() != t.len() {
        return None;
    }
    digits[..digits.len() - 2].parse().ok()
}

/// Of the items (each with its name and where it applies), the one of each name that applies to
/// the unit: the most specific match. Two equally specific matches of one name are ambiguous
/// (the standard does not say which applies); the error names the item.
pub fn applicable<'i, T>(
    items: &'i [T],
    name: impl Fn(&T) -> &str,
    applies: impl Fn(&T) -> Applies<'_>,
    unit: &UnitFacts<'_>,
) -> Result<Vec<&'i T>, String> {
    let mut best: Vec<(&'i T, u32, bool)> = Vec::new();
    for it in items {
        let a = applies(it);
        if !a.matches(unit) {
            continue;
        }
        let s = a.specificity();
        match best.iter_mut().find(|(b, _, _)| name(b) == name(it)) {
            None => best.push((it, s, false)),
            Some(slot) if s > slot.1 => *slot = (it, s, false),
            Some(slot) if s == slot.1 => slot.2 = true,
            Some(_) => {}
        }
    }
    if let Some((it, _, _)) = best.iter().find(|(_, _, tie)| *tie) {
        return Err(name(it).to_string());
    }
    Ok(best.into_iter().map(|(it, _, _)| it).collect())
}

/// What a unit pays a month under an item: the price per m² times the legal area (hundredths of
/// m²), rounded once, half up, to the fen; a per-unit monthly price as it is; none for prices
/// that do not follow from the unit (per space, per use).
pub fn monthly_fee(unit: FeeUnit, price: Fen, area_centi: Option<i64>) -> Option<Fen> {
    match unit {
        FeeUnit::PerM2Month => {
            let area = area_centi?;
            let product = price.0 as i128 * area as i128;
            Some(Fen(((product + 50) / 100) as i64))
        }
        FeeUnit::PerUnitMonth => Some(price),
        FeeUnit::PerSpaceMonth | FeeUnit::PerUnit => None,
    }
}

/// Shares `total` among units in proportion to their areas, exactly: each gets the floor of its
/// share, and the fen left over go one each to the largest remainders (ties: the earlier unit).
/// The shares add up to `total`; all zero areas share nothing.
pub fn apportion(total: Fen, areas: &[i64]) -> Vec<Fen> {
    let sum: i128 = areas.iter().map(|a| *a as i128).sum();
    if sum <= 0 {
        return vec![Fen::ZERO; areas.len()];
    }
    let t = total.0 as i128;
    let mut shares: Vec<(usize, i128, i128)> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let p = t * *a as i128;
            (i, p.div_euclid(sum), p.rem_euclid(sum))
        })
        .collect();
    let given: i128 = shares.iter().map(|s| s.1).sum();
    let mut left = t - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order {
        if left <= 0 {
            break;
        }
        shares[i].1 += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| Fen(s.1 as i64)).collect()
}

term_enum!(
    /// How a use of the maintenance fund is decided.
    FundUseKind, "a use of the maintenance fund (维修资金使用方式)", {
        /// Decided by the owners: a vote of category 5 that passed (RULES.md §1).
        Ordinary = "ordinary", "一般使用";
        /// An emergency on the county's list: applied for by the committee or the community,
        /// approved by the county, published afterwards.
        Emergency = "emergency", "应急使用";
    }
);

term_enum!(
    /// The emergencies for which the fund may be used without the owners' vote.
    EmergencyKind, "an emergency that allows the fund's use without a vote (应急情形)", {
        Lift = "lift", "电梯故障停运";
        RoofLeak = "roof_leak", "屋面防水损坏渗漏";
        FireSystems = "fire_systems", "消防设施失效";
        OuterWall = "outer_wall", "外墙脱落危及安全";
        Pipes = "pipes", "供排水管道爆裂堵塞";
    }
);

term_enum!(
    /// A use of the maintenance fund, step by step.
    FundUseStatus, "a use of the maintenance fund (维修资金使用状态)", {
        /// Proposed (or, for an emergency, applied for); awaiting the decision.
        Proposed = "proposed", "已申请";
        /// Decided: the owners' vote passed, or the county approved the emergency.
        Approved = "approved", "已批准";
        /// The county refused the emergency application.
        Refused = "refused", "未批准";
        /// Withdrawn before a decision.
        Withdrawn = "withdrawn", "已撤回";
        /// Carried out and settled with invoices.
        Settled = "settled", "已结算";
    }
);

/// The vote a use of the fund rests on, as the rule needs to see it.
#[derive(Clone, Copy, Debug)]
pub struct VoteBasis {
    pub same_estate: bool,
    pub category: i32,
    pub closed: bool,
    pub passed: bool,
}

impl FundUseStatus {
    /// The owners decided an ordinary use: a closed vote of the same estate, of category 5
    /// (using the maintenance fund), that passed.
    pub fn decide(self, kind: FundUseKind, v: VoteBasis) -> Result<FundUseStatus, Refused> {
        self.pending("decide")?;
        if kind != FundUseKind::Ordinary {
            return Err(Refused::rule(
                codes::FUND_USE_EMERGENCY,
                "an emergency use is approved by the county, not decided by a vote",
            ));
        }
        let refuse = |m: &str| Err(Refused::rule(codes::FUND_BASIS_INVALID, m));
        if !v.same_estate {
            return refuse("the vote is of another estate");
        }
        if v.category != 5 {
            return refuse(&format!(
                "the vote is of category {}; using the maintenance fund is category 5",
                v.category
            ));
        }
        if !v.closed {
            return refuse("the vote has not closed");
        }
        if !v.passed {
            return refuse("the vote did not pass");
        }
        Ok(FundUseStatus::Approved)
    }

    /// The county approves (or refuses) an emergency application.
    pub fn approve(self, kind: FundUseKind, approve: bool) -> Result<FundUseStatus, Refused> {
        self.pending("approve")?;
        if kind != FundUseKind::Emergency {
            return Err(Refused::rule(
                codes::FUND_USE_NOT_EMERGENCY,
                "an ordinary use is decided by the owners' vote of category 5, not approved by the county",
            ));
        }
        Ok(if approve {
            FundUseStatus::Approved
        } else {
            FundUseStatus::Refused
        })
    }

    pub fn withdraw(self) -> Result<FundUseStatus, Refused> {
        self.pending("withdraw")?;
        Ok(FundUseStatus::Withdrawn)
    }

    /// Settling with invoices: an approved use, for no more than the estimate that was decided.
    pub fn settle(self, estimate: Fen, amount: Fen, invoices: usize) -> Result<FundUseStatus, Refused> {
        if self != FundUseStatus::Approved {
            return Err(Refused::not_now(codes::FUND_USE_NOT_APPROVED, self, "settle"));
        }
        if invoices == 0 {
            return Err(Refused::field(
                "invoice_ids",
                reason::REQUIRED,
                "a settlement carries its invoices",
            ));
        }
        if amount.0 <= 0 || amount > estimate {
            return Err(Refused::rule(
                codes::SETTLEMENT_EXCEEDS_ESTIMATE,
                format!("the settlement of {amount} yuan is above the {estimate} yuan that was decided; a larger sum needs a new decision"),
            ));
        }
        Ok(FundUseStatus::Settled)
    }

    fn pending(self, step: &'static str) -> Result<(), Refused> {
        match self {
            FundUseStatus::Proposed => Ok(()),
            now => Err(Refused::not_now(codes::FUND_USE_DECIDED, now, step)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn line(kind: EntryKind, fen: i64) -> Line {
        Line { kind, amount: Fen(fen) }
    }

    #[test]
    fn yuan_are_read_exactly() {
        assert_eq!(parse_yuan("1,234.05"), Some(Fen(123405)));
        assert_eq!(parse_yuan("¥0.1"), Some(Fen(10)));
        assert_eq!(parse_yuan("-20"), Some(Fen(-2000)));
        assert_eq!(parse_yuan(" 3 元"), Some(Fen(300)));
        assert_eq!(parse_yuan("1.005"), None);
        assert_eq!(parse_yuan("1e3"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(parse_yuan("."), None);
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(123405).to_string(), "1234.05");
    }

    #[test]
    fn a_statement_reconciles_to_the_fen() {
        let lines = [
            line(EntryKind::Income, 10_000),
            line(EntryKind::Cost, 3_000),
            line(EntryKind::Use, 5_000),
        ];
        let r = reconcile(Fen(1_000), lines, Fen(3_000)).unwrap();
        assert_eq!((r.income, r.spending, r.costs), (Fen(10_000), Fen(8_000), Fen(3_000)));
        let e = reconcile(Fen(1_000), lines, Fen(3_001)).unwrap_err();
        assert_eq!(e.code(), "statement_unreconciled");
        assert!(reconcile(Fen(1_000), lines, Fen(2_999)).is_err());
        assert!(totals(Fen(0), [line(EntryKind::Income, 0)]).is_err());
        assert!(totals(Fen(i64::MAX - 1), [line(EntryKind::Income, 2)]).is_err());
    }

    #[test]
    fn the_next_statement_opens_at_the_last_close() {
        assert!(check_opening(None, Fen(7)).is_ok());
        assert!(check_opening(Some(Fen(7)), Fen(7)).is_ok());
        assert_eq!(
            check_opening(Some(Fen(7)), Fen(8)).unwrap_err().code(),
            "statement_opening_mismatch"
        );
        assert_eq!(
            check_opening(Some(Fen(7)), Fen(6)).unwrap_err().code(),
            "statement_opening_mismatch"
        );
    }

    #[test]
    fn costs_stay_within_the_decided_share() {
        let at = |costs| Reconciled {
            opening: Fen(0),
            income: Fen(1000),
            spending: Fen(costs),
            costs: Fen(costs),
            closing: Fen(1000 - costs),
        };
        // 30% of 10.00 yuan is 3.00: 3.00 is within, 3.01 is not.
        assert!(check_costs(&at(300), Some(300)).is_ok());
        assert!(check_costs(&at(299), Some(300)).is_ok());
        assert_eq!(
            check_costs(&at(301), Some(300)).unwrap_err().code(),
            "costs_exceed_share"
        );
        assert!(check_costs(&at(0), None).is_ok());
        assert!(check_costs(&at(1), None).is_err());
        // A fraction of a fen is the owners': 333‰ of 10 fen is 3 fen.
        let r = Reconciled {
            income: Fen(10),
            costs: Fen(4),
            ..at(0)
        };
        assert!(check_costs(&r, Some(333)).is_err());
    }

    #[test]
    fn periods_are_calendar_quarters_and_years() {
        assert_eq!(
            period_of(d(2026, 3, 31), 3),
            Period {
                from: d(2026, 1, 1),
                to: d(2026, 3, 31)
            }
        );
        assert_eq!(
            period_of(d(2026, 4, 1), 3),
            Period {
                from: d(2026, 4, 1),
                to: d(2026, 6, 30)
            }
        );
        assert_eq!(
            period_of(d(2026, 12, 31), 12),
            Period {
                from: d(2026, 1, 1),
                to: d(2026, 12, 31)
            }
        );
        assert_eq!(period_of(d(2024, 2, 10), 1).to, d(2024, 2, 29));
        assert!(period_starting(d(2026, 4, 1), 3).is_ok());
        assert!(period_starting(d(2026, 5, 1), 3).is_err());
        assert!(period_starting(d(2026, 7, 1), 12).is_err());
        let q1 = period_of(d(2026, 1, 1), 3);
        assert!(check_follows(Some(q1), period_of(d(2026, 4, 1), 3)).is_ok());
        assert_eq!(
            check_follows(Some(q1), period_of(d(2026, 7, 1), 3)).unwrap_err().code(),
            "statement_out_of_sequence"
        );
    }

    #[test]
    fn a_statement_is_overdue_the_day_after_it_is_due() {
        // Q3 2026 ends on 30 September; due 30 days later, on 30 October.
        let since = d(2026, 7, 1);
        let on = |today| statements_owed(since, 3, 30, &[], today, 4);
        assert_eq!(on(d(2026, 9, 30)), vec![]);
        let o = on(d(2026, 10, 30));
        assert_eq!((o[0].due_on, o[0].overdue), (d(2026, 10, 30), false));
        assert!(on(d(2026, 10, 31))[0].overdue);
        let met = statements_owed(since, 3, 30, &[(d(2026, 7, 1), d(2026, 11, 2))], d(2026, 11, 3), 4);
        assert!(!met[0].overdue);
        assert_eq!(met[0].published_on, Some(d(2026, 11, 2)));
        // Only the latest `keep` periods.
        assert_eq!(statements_owed(d(2020, 1, 1), 3, 30, &[], d(2026, 12, 1), 4).len(), 4);
    }

    #[test]
    fn timeliness_counts_the_periods_judged() {
        // A rating year 2025: four quarters, due 30 days after each.
        let (from, until) = (d(2025, 1, 1), d(2025, 12, 31));
        let published = [(d(2025, 1, 1), d(2025, 4, 30)), (d(2025, 4, 1), d(2025, 7, 31))];
        // Q1 on its due day (30 April), Q2 a day late; Q3 missing and overdue; Q4 not yet due.
        assert_eq!(timeliness(from, until, 3, 30, &published, d(2026, 1, 15)), (1, 3));
        assert_eq!(timeliness(from, until, 3, 30, &published, d(2026, 1, 31)), (1, 4));
        // A period that starts before the rating period is not its to judge.
        assert_eq!(
            timeliness(d(2025, 2, 1), until, 3, 30, &published, d(2026, 2, 1)),
            (0, 3)
        );
    }

    #[test]
    fn the_most_specific_item_applies() {
        struct It(&'static str, Vec<String>, Option<i32>, Vec<&'static str>, i64);
        let items = [
            It("物业费", vec![], None, vec![], 150),
            It("物业费", vec!["b1".into()], None, vec![], 180),
            It("物业费", vec![], None, vec!["commercial"], 300),
            It("电梯费", vec![], Some(2), vec![], 20),
        ];
        let pick = |u: UnitFacts| -> Result<Vec<i64>, String> {
            applicable(
                &items,
                |i| i.0,
                |i| Applies {
                    building_ids: &i.1,
                    floor_min: i.2,
                    floor_max: None,
                    unit_kinds: &i.3,
                },
                &u,
            )
            .map(|v| v.iter().map(|i| i.4).collect())
        };
        let u = |b, floor, kind| UnitFacts {
            building_id: b,
            floor,
            kind,
        };
        assert_eq!(pick(u("b2", Some(1), "residential")), Ok(vec![150]));
        assert_eq!(pick(u("b1", Some(1), "residential")), Ok(vec![180]));
        assert_eq!(pick(u("b2", Some(2), "residential")), Ok(vec![150, 20]));
        assert_eq!(pick(u("b2", None, "residential")), Ok(vec![150]));
        // In building b1 and commercial: two items equally specific.
        assert_eq!(pick(u("b1", Some(1), "commercial")), Err("物业费".to_string()));
    }

    #[test]
    fn floors_from_unit_numbers() {
        assert_eq!(floor_of("1502"), Some(15));
        assert_eq!(floor_of("302"), Some(3));
        assert_eq!(floor_of("15-02"), Some(15));
        assert_eq!(floor_of("12"), None);
        assert_eq!(floor_of("A3"), None);
    }

    #[test]
    fn a_fee_is_rounded_once_half_up() {
        // 1.35 yuan/m² × 89.37 m² = 120.6495 → 120.65.
        assert_eq!(monthly_fee(FeeUnit::PerM2Month, Fen(135), Some(8937)), Some(Fen(12065)));
        // 1.00 × 0.49 m² = 0.49; × 0.50 → 0.50 (half up at the fen).
        assert_eq!(monthly_fee(FeeUnit::PerM2Month, Fen(1), Some(49)), Some(Fen(0)));
        assert_eq!(monthly_fee(FeeUnit::PerM2Month, Fen(1), Some(50)), Some(Fen(1)));
        assert_eq!(monthly_fee(FeeUnit::PerM2Month, Fen(1), None), None);
        assert_eq!(monthly_fee(FeeUnit::PerUnitMonth, Fen(2000), None), Some(Fen(2000)));
        assert_eq!(monthly_fee(FeeUnit::PerSpaceMonth, Fen(2000), Some(1)), None);
    }

    #[test]
    fn shares_add_up_to_the_fen() {
        let s = apportion(Fen(100), &[1, 1, 1]);
        assert_eq!(s, vec![Fen(34), Fen(33), Fen(33)]);
        let s = apportion(Fen(1_000_001), &[8937, 12050, 6633, 0]);
        assert_eq!(Fen::sum(s.iter().copied()), Some(Fen(1_000_001)));
        assert_eq!(s[3], Fen(0));
        assert_eq!(apportion(Fen(5), &[0, 0]), vec![Fen(0), Fen(0)]);
    }

    #[test]
    fn a_fund_use_rests_on_a_passed_category_5_vote_of_its_estate() {
        let ok = VoteBasis {
            same_estate: true,
            category: 5,
            closed: true,
            passed: true,
        };
        let p = FundUseStatus::Proposed;
        assert_eq!(p.decide(FundUseKind::Ordinary, ok).unwrap(), FundUseStatus::Approved);
        for bad in [
            VoteBasis { category: 6, ..ok },
            VoteBasis { category: 4, ..ok },
            VoteBasis {
                same_estate: false,
                ..ok
            },
            VoteBasis { passed: false, ..ok },
            VoteBasis { closed: false, ..ok },
        ] {
            assert_eq!(
                p.decide(FundUseKind::Ordinary, bad).unwrap_err().code(),
                "fund_basis_invalid"
            );
        }
        assert_eq!(
            p.decide(FundUseKind::Emergency, ok).unwrap_err().code(),
            "fund_use_emergency"
        );
        assert!(FundUseStatus::Approved.decide(FundUseKind::Ordinary, ok).is_err());
        assert_eq!(
            p.approve(FundUseKind::Emergency, true).unwrap(),
            FundUseStatus::Approved
        );
        assert_eq!(
            p.approve(FundUseKind::Ordinary, true).unwrap_err().code(),
            "fund_use_not_emergency"
        );
    }

    #[test]
    fn a_settlement_is_within_the_decided_estimate() {
        let a = FundUseStatus::Approved;
        assert!(a.settle(Fen(100), Fen(100), 1).is_ok());
        assert!(a.settle(Fen(100), Fen(99), 1).is_ok());
        assert_eq!(
            a.settle(Fen(100), Fen(101), 1).unwrap_err().code(),
            "settlement_exceeds_estimate"
        );
        assert!(a.settle(Fen(100), Fen(100), 0).is_err());
        assert_eq!(
            FundUseStatus::Proposed.settle(Fen(100), Fen(1), 1).unwrap_err().code(),
            "fund_use_not_approved"
        );
    }
}

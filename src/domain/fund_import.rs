//! The county's maintenance-fund records, as its fund office exports them (a bank-style ledger:
//! estate, date, description, money in, money out, balance), read into checked rows. The
//! balances are the county's, not computed here (RULES.md §9); what is checked is that each
//! row's balance follows from the one before it, to the fen, so a row left out or typed twice
//! is caught before anything is stored.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::money::{parse_yuan, Fen, MAX_AMOUNT};
use super::unit_import::{decode, RowError};

/// One movement of an estate's fund account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundRecord {
    /// The spreadsheet row (the header is row 1).
    pub row: usize,
    /// The estate as the sheet names it (its name, or its id).
    pub estate: String,
    pub on: NaiveDate,
    pub description: String,
    pub income: Fen,
    pub spending: Fen,
    pub balance: Fen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Col {
    Estate,
    Date,
    Description,
    Income,
    Spending,
    Balance,
}

const HEADERS: &[(Col, &[&str])] = &[
    (Col::Estate, &["小区", "小区名称", "项目名称", "小区编号", "estate"]),
    (Col::Date, &["日期", "记账日期", "交易日期", "date"]),
    (Col::Description, &["摘要", "说明", "description"]),
    (
        Col::Income,
        &["收入", "收入(元)", "收入（元）", "缴存", "贷方发生额", "income"],
    ),
    (
        Col::Spending,
        &["支出", "支出(元)", "支出（元）", "使用", "借方发生额", "spending"],
    ),
    (Col::Balance, &["余额", "余额(元)", "余额（元）", "balance"]),
];

fn label(c: Col) -> &'static str {
    HEADERS.iter().find(|(x, _)| *x == c).map(|(_, n)| n[0]).unwrap_or("")
}

/// A day as offices write it: `2026-01-05`, `2026/1/5`, `2026.1.5`, `2026年1月5日`, `20260105`.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [y, m, d] => NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        _ => None,
    }
}

/// The rows of a file, each checked on its own; every problem at once.
pub fn parse(bytes: &[u8]) -> Result<Vec<FundRecord>, Vec<RowError>> {
    let text = decode(bytes).map_err(|e| vec![e])?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| vec![RowError::new(1, "", format!("unreadable header: {e}"), "表头无法读取")])?
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    let mut index: HashMap<Col, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some((c, _)) = HEADERS.iter().find(|(_, names)| names.contains(&h.as_str())) {
            index.entry(*c).or_insert(i);
        }
    }
    let missing: Vec<RowError> = [Col::Estate, Col::Date, Col::Balance]
        .into_iter()
        .filter(|c| !index.contains_key(c))
        .map(|c| {
            RowError::new(
                1,
                label(c),
                "required column is missing",
                format!("缺少必需的列“{}”", label(c)),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(row, "", format!("unreadable row: {e}"), "该行无法读取"));
                continue;
            }
        };
        let cell = |c: Col| index.get(&c).and_then(|i| record.get(*i)).unwrap_or("").trim();
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut bad = |c: Col, en: &str, zh: &str| errors.push(RowError::new(row, label(c), en, zh));
        let estate = cell(Col::Estate).to_string();
        if estate.is_empty() || estate.chars().count() > 100 {
            bad(Col::Estate, "name the estate", "请填写小区名称");
        }
        let on = parse_day(cell(Col::Date));
        if on.is_none() {
            bad(Col::Date, "a date such as 2026-01-05", "日期格式应如 2026-01-05");
        }
        let mut money = |c: Col| -> Option<Fen> {
            let t = cell(c);
            if t.is_empty() {
                return Some(Fen::ZERO);
            }
            match parse_yuan(t) {
                Some(f) if f.0 >= 0 && f.0 < MAX_AMOUNT => Some(f),
                _ => {
                    bad(
                        c,
                        "an amount in yuan, at most two decimals, not negative",
                        "金额应为不为负的元数，最多两位小数",
                    );
                    None
                }
            }
        };
        let (income, spending) = (money(Col::Income), money(Col::Spending));
        let balance = if cell(Col::Balance).is_empty() {
            None
        } else {
            parse_yuan(cell(Col::Balance)).filter(|f| f.0.abs() < MAX_AMOUNT)
        };
        if balance.is_none() {
            errors.push(RowError::new(
                row,
                label(Col::Balance),
                "the balance after the movement, in yuan",
                "请填写发生后的余额（元）",
            ));
        }
        let description = cell(Col::Description).chars().take(200).collect::<String>();
        if let (Some(on), Some(income), Some(spending), Some(balance)) = (on, income, spending, balance) {
            if income.0 > 0 && spending.0 > 0 {
                errors.push(RowError::new(
                    row,
                    label(Col::Income),
                    "one movement per row: money in or money out",
                    "每行只记一笔收入或支出",
                ));
                continue;
            }
            rows.push(FundRecord {
                row,
                estate,
                on,
                description,
                income,
                spending,
                balance,
            });
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError::new(2, "", "the file has no rows", "文件中没有数据行"));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Checks one estate's rows (in file order) against each other and the last balance stored
/// (`last`: its day and balance): dates do not go back, and each balance is the one before plus
/// the money in, less the money out, exactly.
pub fn check_chain(rows: &[&FundRecord], last: Option<(NaiveDate, Fen)>) -> Vec<RowError> {
    let mut errors = Vec::new();
    let mut prev = last;
    for r in rows {
        if let Some((day, balance)) = prev {
            if r.on < day {
                errors.push(RowError::new(
                    r.row,
                    label(Col::Date),
                    format!("dated {} but the estate's records already reach {day}", r.on),
                    format!("日期 {} 早于该小区已有记录的 {day}", r.on),
                ));
            }
            let expected = balance.0 + r.income.0 - r.spending.0;
            if expected != r.balance.0 {
                errors.push(RowError::new(
                    r.row,
                    label(Col::Balance),
                    format!(
                        "{balance} + {} − {} = {}, not {}",
                        r.income,
                        r.spending,
                        Fen(expected),
                        r.balance
                    ),
                    format!(
                        "余额不连续：{balance} + {} − {} = {}，而不是 {}",
                        r.income,
                        r.spending,
                        Fen(expected),
                        r.balance
                    ),
                ));
            }
        }
        prev = Some((r.on, r.balance));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = "小区,日期,摘要,收入(元),支出(元),余额(元)\n\
        和园小区,2026-01-05,首期缴存,\"12,000.00\",,112000.00\n\
        和园小区,2026/3/21,利息,35.5,,112035.50\n\
        和园小区,2026年6月2日,屋面维修,,8000,104035.50\n";

    #[test]
    fn a_fund_office_sheet_is_read() {
        let rows = parse(SHEET.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].income, Fen(1_200_000));
        assert_eq!(rows[1].on, NaiveDate::from_ymd_opt(2026, 3, 21).unwrap());
        assert_eq!(rows[2].spending, Fen(800_000));
        let refs: Vec<&FundRecord> = rows.iter().collect();
        assert!(check_chain(&refs, None).is_empty());
        // Against a stored balance one fen off, the first row does not follow.
        let e = check_chain(
            &refs,
            Some((NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), Fen(10_000_001))),
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].row, 2);
    }

    #[test]
    fn a_gap_in_the_balances_is_caught() {
        let sheet = SHEET.replace("112035.50", "112035.51");
        let rows = parse(sheet.as_bytes()).unwrap();
        let refs: Vec<&FundRecord> = rows.iter().collect();
        let e = check_chain(&refs, None);
        // Row 3 is off by a fen from row 2, and row 4 then does not follow from row 3.
        assert_eq!(e.iter().map(|e| e.row).collect::<Vec<_>>(), vec![3, 4]);
    }

    #[test]
    fn bad_cells_are_named() {
        let e = parse("小区,日期,收入,余额\n和园,2026-13-01,1.234,\n".as_bytes()).unwrap_err();
        let cols: Vec<&str> = e.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, vec!["日期", "收入", "余额"]);
        assert!(parse("日期,余额\n".as_bytes()).is_err());
        assert_eq!(parse_day("20260105"), NaiveDate::from_ymd_opt(2026, 1, 5));
    }
}

//! The bureau's export of a run: a workbook (XLSX) with a sheet of results per estate and one
//! per company, or either sheet as CSV in UTF-8 with a byte-order mark (so that Excel opens the
//! Chinese text). Chinese headers; scores and counts are numbers, not text.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook};

use super::*;

/// One cell of a sheet.
pub(crate) enum Cell {
    Text(String),
    /// A count or a rank.
    Int(i64),
    /// Hundredths, written as a number with two places.
    Centi(i64),
}

/// A sheet: its name, headers and rows.
pub(crate) struct Sheet {
    pub name: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn centi_of(points: &str) -> i64 {
    let neg = points.starts_with('-');
    let t = points.trim_start_matches('-');
    let (i, f) = t.split_once('.').unwrap_or((t, "0"));
    let v = i.parse::<i64>().unwrap_or(0) * 100 + format!("{f:0<2}")[..2].parse::<i64>().unwrap_or(0);
    if neg {
        -v
    } else {
        v
    }
}

fn yes(b: bool) -> Cell {
    Cell::Text(if b { "是" } else { "否" }.into())
}

/// The two sheets of a run's results (`results` as `results_out` gives them).
pub(crate) fn sheets(
    cfg: &RatingConfig,
    results: &[RatingResult],
    estate_names: &HashMap<String, String>,
) -> [Sheet; 2] {
    let dims: Vec<Dimension> = Dimension::ALL.to_vec();
    let points = |r: &RatingResult, key: &str, dimension: bool| {
        let list = if dimension { &r.dimensions } else { &r.indicators };
        Cell::Centi(
            list.iter()
                .find(|p| p.key == key)
                .map(|p| centi_of(&p.points))
                .unwrap_or(0),
        )
    };
    let mut estate_headers: Vec<String> = [
        "企业名称",
        "小区名称",
        "总分",
        "星级",
        "一票否决",
        "样本不足",
        "有效问卷数",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    estate_headers.extend(dims.iter().map(|d| d.label().to_string()));
    estate_headers.extend(cfg.indicators.iter().map(|i| i.name.clone()));
    estate_headers.push("加分".into());
    let mut estates = Vec::new();
    for company in results {
        for e in &company.estates {
            let id = e.estate_id.clone().unwrap_or_default();
            let mut row = vec![
                Cell::Text(company.company_name.clone()),
                Cell::Text(estate_names.get(&id).cloned().unwrap_or(id)),
                Cell::Centi(centi_of(&e.score)),
                Cell::Int(e.stars as i64),
                yes(e.vetoed),
                yes(e.low_sample),
                Cell::Int(e.responses),
            ];
            row.extend(dims.iter().map(|d| points(e, d.as_str(), true)));
            row.extend(cfg.indicators.iter().map(|i| points(e, &i.code, false)));
            row.push(Cell::Centi(centi_of(&e.bonus)));
            estates.push(row);
        }
    }
    let mut company_headers: Vec<String> = [
        "排名",
        "企业名称",
        "总分",
        "星级",
        "一票否决",
        "参评小区数",
        "有效问卷数",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    company_headers.extend(dims.iter().map(|d| d.label().to_string()));
    let companies = results
        .iter()
        .map(|c| {
            let mut row = vec![
                Cell::Int(c.rank.unwrap_or_default() as i64),
                Cell::Text(c.company_name.clone()),
                Cell::Centi(centi_of(&c.score)),
                Cell::Int(c.stars as i64),
                yes(c.vetoed),
                Cell::Int(c.estates.len() as i64),
                Cell::Int(c.responses),
            ];
            row.extend(dims.iter().map(|d| points(c, d.as_str(), true)));
            row
        })
        .collect();
    [
        Sheet {
            name: "小区评价结果",
            headers: estate_headers,
            rows: estates,
        },
        Sheet {
            name: "企业评价结果",
            headers: company_headers,
            rows: companies,
        },
    ]
}

/// The sheets as one workbook.
pub(crate) fn xlsx(sheets: &[Sheet]) -> AppResult<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let two = Format::new().set_num_format("0.00");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet.name).map_err(fail)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold).map_err(fail)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => ws.write_string(r, c, t).map(|_| ()),
                    Cell::Int(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Centi(n) => ws.write_number_with_format(r, c, *n as f64 / 100.0, &two).map(|_| ()),
                }
                .map_err(fail)?;
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// One sheet as CSV: UTF-8 with a byte-order mark, numbers as plain decimals.
pub(crate) fn csv(sheet: &Sheet) -> AppResult<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        w.write_record(&sheet.headers)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        for row in &sheet.rows {
            let fields: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => t.clone(),
                    Cell::Int(n) => n.to_string(),
                    Cell::Centi(n) => rating::centi_text(*n),
                })
                .collect();
            w.write_record(&fields).map_err(|e| AppError::Internal(e.to_string()))?;
        }
        w.flush().map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_text_reads_back_as_hundredths() {
        assert_eq!(centi_of("90.50"), 9050);
        assert_eq!(centi_of("3.7"), 370);
        assert_eq!(centi_of("-0.05"), -5);
        assert_eq!(centi_of("7"), 700);
    }

    #[test]
    fn csv_starts_with_a_bom_and_writes_numbers_plainly() {
        let sheet = Sheet {
            name: "s",
            headers: vec!["企业名称".into(), "总分".into()],
            rows: vec![vec![Cell::Text("红星物业".into()), Cell::Centi(8725)]],
        };
        let bytes = csv(&sheet).unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        assert_eq!(
            String::from_utf8(bytes[3..].to_vec()).unwrap(),
            "企业名称,总分\n红星物业,87.25\n"
        );
    }
}

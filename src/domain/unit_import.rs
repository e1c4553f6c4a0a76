//! Reading a county office's unit-and-owner spreadsheet (CSV, UTF-8 with or without BOM, or
//! GBK/GB18030 as Chinese Excel saves it) into validated rows, naming row, column and reason
//! for every problem. All-or-nothing: any error and nothing is imported.

use crate::term_enum;

use std::collections::HashMap;

use super::area::{parse_m2, AreaSource, RecordedAreas};
use super::identity::{is_valid_credit_code, is_valid_mobile, is_valid_national_id, normalize_code};
use super::registry::{SaleStatus, UnitKind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Spreadsheet row: the header is row 1, the first unit row 2.
    pub row: usize,
    /// The column's header as written in the file.
    pub column: String,
    pub message: String,
    /// The same, in Chinese (for a caller whose `Accept-Language` prefers it): a county office
    /// fixes its spreadsheet from these.
    pub message_zh: String,
}

impl RowError {
    pub fn new(
        row: usize,
        column: impl Into<String>,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> RowError {
        RowError {
            row,
            column: column.into(),
            message: message.into(),
            message_zh: message_zh.into(),
        }
    }
}

term_enum!(
    OwnerKind, "a kind of owner (业主类型): a natural person identified by national ID number, or a legal person (e.g. the developer) by unified social credit code", {
        Natural = "natural", "自然人";
        Legal = "legal", "法人";
    }
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerIn {
    pub name: String,
    /// National ID number or credit code, normalised (upper case, no spaces).
    pub id_number: String,
    pub kind: OwnerKind,
    pub phone: Option<String>,
    pub party_member: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    pub row: usize,
    pub building: String,
    pub entrance: String,
    pub number: String,
    pub kind: UnitKind,
    /// The areas the file gives, per source (at least one).
    pub areas: RecordedAreas,
    pub sale_status: SaleStatus,
    pub owner: Option<OwnerIn>,
    /// Names of co-owners (共有人) beside the owner, who is the designated voter.
    pub co_owners: Vec<String>,
}

/// Most rows one file may hold.
pub const MAX_ROWS: usize = 50_000;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Col {
    Building,
    Entrance,
    Number,
    Area,
    AreaSource,
    /// One column per source (登记面积, 实测面积, 合同面积), instead of or beside 建筑面积 + 面积来源.
    AreaRegistry,
    AreaSurvey,
    AreaContract,
    Kind,
    OwnerName,
    IdNumber,
    Phone,
    PartyMember,
    CoOwners,
    SaleStatus,
}

const REQUIRED: [Col; 3] = [Col::Building, Col::Number, Col::SaleStatus];

fn column_of(header: &str) -> Option<Col> {
    let h = header.trim().to_lowercase();
    let h = h.as_str();
    Some(match h {
        "楼栋" | "楼号" | "楼栋号" | "building" => Col::Building,
        "单元" | "单元号" | "entrance" => Col::Entrance,
        "房号" | "室号" | "门牌号" | "number" => Col::Number,
        "面积来源" | "area_source" => Col::AreaSource,
        "类型" | "房屋类型" | "kind" => Col::Kind,
        "业主姓名" | "业主" | "业主名称" | "owner_name" => Col::OwnerName,
        "身份证号" | "证件号码" | "身份证号码" | "统一社会信用代码" | "id_number" => Col::IdNumber,
        "手机号" | "手机" | "电话" | "联系电话" | "phone" => Col::Phone,
        "是否党员" | "党员" | "party_member" => Col::PartyMember,
        "共有人" | "co_owners" => Col::CoOwners,
        "销售状态" | "sale_status" => Col::SaleStatus,
        "登记面积" | "不动产登记面积" | "产权面积" | "area_registry" => Col::AreaRegistry,
        "实测面积" | "area_survey" => Col::AreaSurvey,
        "合同面积" | "预售面积" | "area_contract" => Col::AreaContract,
        _ if h.starts_with("登记面积") || h.starts_with("不动产登记面积") => Col::AreaRegistry,
        _ if h.starts_with("实测面积") => Col::AreaSurvey,
        _ if h.starts_with("合同面积") => Col::AreaContract,
        _ if h.starts_with("建筑面积") || h.starts_with("面积") || h.starts_with("area") => Col::Area,
        _ => return None,
    })
}

fn col_label(c: Col) -> &'static str {
    match c {
        Col::Building => "楼栋",
        Col::Entrance => "单元",
        Col::Number => "房号",
        Col::Area => "建筑面积(㎡)",
        Col::AreaSource => "面积来源",
        Col::AreaRegistry => "登记面积(㎡)",
        Col::AreaSurvey => "实测面积(㎡)",
        Col::AreaContract => "合同面积(㎡)",
        Col::Kind => "类型",
        Col::OwnerName => "业主姓名",
        Col::IdNumber => "身份证号",
        Col::Phone => "手机号",
        Col::PartyMember => "是否党员",
        Col::CoOwners => "共有人",
        Col::SaleStatus => "销售状态",
    }
}

/// Text of the file: UTF-8 (a BOM is dropped), else GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8]) -> Result<String, RowError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(RowError::new(
            1,
            "",
            "the file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) and try again",
            "文件既不是 UTF-8 也不是 GBK 文本：请另存为 CSV（UTF-8）后再试",
        ));
    }
    Ok(text.into_owned())
}

fn yes_no(s: &str) -> Option<bool> {
    match s.trim() {
        "是" | "yes" | "true" | "1" | "Y" | "y" => Some(true),
        "否" | "no" | "false" | "0" | "N" | "n" | "" => Some(false),
        _ => None,
    }
}

/// Parses and validates the whole file.
pub fn parse(bytes: &[u8]) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let text = decode(bytes).map_err(|e| vec![e])?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            return Err(vec![RowError::new(
                1,
                "",
                format!("unreadable header: {e}"),
                "表头无法读取：请检查第一行是否为逗号分隔的列名",
            )])
        }
    };
    let mut index: HashMap<Col, (usize, String)> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(c) = column_of(h) {
            index.entry(c).or_insert((i, h.clone()));
        }
    }
    let missing: Vec<RowError> = REQUIRED
        .iter()
        .filter(|c| !index.contains_key(c))
        .map(|c| {
            RowError::new(
                1,
                col_label(*c),
                "required column is missing",
                format!("缺少必需的列“{}”", col_label(*c)),
            )
        })
        .collect();
    let mut missing = missing;
    let one_area = index.contains_key(&Col::Area) && index.contains_key(&Col::AreaSource);
    let per_source = [Col::AreaRegistry, Col::AreaSurvey, Col::AreaContract]
        .iter()
        .any(|c| index.contains_key(c));
    if !one_area && !per_source {
        missing.push(RowError::new(
            1,
            col_label(if index.contains_key(&Col::Area) { Col::AreaSource } else { Col::Area }),
            "give the area with its source (建筑面积 and 面积来源), or one column per source (登记面积, 实测面积, 合同面积)",
            "请给出面积及其来源（“建筑面积”和“面积来源”两列），或每种来源一列（“登记面积”“实测面积”“合同面积”）",
        ));
    }
    if !missing.is_empty() {
        return Err(missing);
    }

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen_units: HashMap<(String, String, String), usize> = HashMap::new();
    let mut seen_ids: HashMap<String, (String, usize)> = HashMap::new();
    // (first row, later row) of a unit given twice: both rows are named, not only the later.
    let mut repeated: Vec<(usize, usize)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        if rows.len() + errors.len() >= MAX_ROWS {
            errors.push(RowError::new(
                row,
                "",
                format!("a file may hold at most {MAX_ROWS} rows"),
                format!("一个文件最多 {MAX_ROWS} 行：请分成几个文件导入"),
            ));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(
                    row,
                    "",
                    format!("unreadable CSV row: {e}"),
                    "这一行无法按 CSV 读取（引号未配对或编码有误）",
                ));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |c: Col| {
            index
                .get(&c)
                .and_then(|(i, _)| record.get(*i))
                .map(str::trim)
                .unwrap_or("")
        };
        let mut err = |c: Col, message: String, message_zh: String| {
            let column = index
                .get(&c)
                .map(|(_, h)| h.clone())
                .unwrap_or_else(|| col_label(c).into());
            errors.push(RowError::new(row, column, message, message_zh));
        };
        // Control characters in any recognised cell (PostgreSQL cannot store NUL; no cell of the
        // county format may hold one).
        let mut controls = false;
        let mut columns: Vec<(&Col, &usize)> = index.iter().map(|(c, (i, _))| (c, i)).collect();
        columns.sort_by_key(|(_, i)| **i);
        for (c, i) in columns {
            let cell = record.get(*i).unwrap_or("").trim();
            if let Some(ch) = crate::domain::text::forbidden_char(cell, false) {
                err(
                    *c,
                    crate::domain::text::refusal(ch, false),
                    crate::domain::text::refusal_zh(ch, false),
                );
                controls = true;
            }
        }
        if controls {
            continue;
        }
        let building = get(Col::Building).to_string();
        let entrance = get(Col::Entrance).to_string();
        let number = get(Col::Number).to_string();
        let mut ok = true;
        for (c, v, max) in [(Col::Building, &building, 50), (Col::Number, &number, 30)] {
            if v.is_empty() {
                err(c, "must not be empty".into(), "不能为空".into());
                ok = false;
            } else if v.chars().count() > max {
                err(c, format!("at most {max} characters"), format!("最多 {max} 个字"));
                ok = false;
            }
        }
        if entrance.chars().count() > 30 {
            err(Col::Entrance, "at most 30 characters".into(), "最多 30 个字".into());
            ok = false;
        }
        // Areas: 建筑面积 with its 面积来源, and/or one column per source; at least one.
        let mut areas = RecordedAreas::default();
        if !get(Col::Area).is_empty() || !get(Col::AreaSource).is_empty() {
            let area = parse_m2(get(Col::Area));
            if let Err(m) = &area {
                err(Col::Area, m.en.into(), m.zh.into());
                ok = false;
            }
            let source = AreaSource::from_sheet(get(Col::AreaSource));
            if source.is_none() {
                err(
                    Col::AreaSource,
                    format!("{:?} is not one of 不动产登记, 实测, 合同", get(Col::AreaSource)),
                    format!("“{}”不是“不动产登记”“实测”“合同”之一", get(Col::AreaSource)),
                );
                ok = false;
            }
            if let (Ok(a), Some(s)) = (&area, source) {
                let a = *a;
                areas.set(s, a);
            }
        }
        for (col, source) in [
            (Col::AreaRegistry, AreaSource::Registry),
            (Col::AreaSurvey, AreaSource::Survey),
            (Col::AreaContract, AreaSource::Contract),
        ] {
            if get(col).is_empty() {
                continue;
            }
            match parse_m2(get(col)) {
                Ok(a) if areas.get(source).is_some_and(|b| b != a) => {
                    err(
                        col,
                        "differs from the area given for the same source in 建筑面积".into(),
                        "与“建筑面积”中同一来源的面积不一致".into(),
                    );
                    ok = false;
                }
                Ok(a) => areas.set(source, a),
                Err(m) => {
                    err(col, m.en.into(), m.zh.into());
                    ok = false;
                }
            }
        }
        if ok && areas.best().is_none() {
            err(
                Col::Area,
                "the unit needs an area (register, survey or contract)".into(),
                "房屋需要一个面积（登记、实测或合同面积）".into(),
            );
            ok = false;
        }
        let kind = match get(Col::Kind) {
            "" => Some(UnitKind::Residential),
            k => UnitKind::from_sheet(k),
        };
        if kind.is_none() {
            err(
                Col::Kind,
                format!("{:?} is not one of 住宅, 商业, 车位", get(Col::Kind)),
                format!("“{}”不是“住宅”“商业”“车位”之一", get(Col::Kind)),
            );
            ok = false;
        }
        let status = SaleStatus::from_sheet(get(Col::SaleStatus));
        if status.is_none() {
            err(
                Col::SaleStatus,
                format!("{:?} is not one of 已交付, 已售未交付, 未售", get(Col::SaleStatus)),
                format!("“{}”不是“已交付”“已售未交付”“未售”之一", get(Col::SaleStatus)),
            );
            ok = false;
        }

        let name = get(Col::OwnerName).to_string();
        let id_number = normalize_code(get(Col::IdNumber));
        let phone = get(Col::Phone).to_string();
        let co_owners: Vec<String> = get(Col::CoOwners)
            .split(['、', ';', '；', ',', '，', '/'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let party = yes_no(get(Col::PartyMember));
        if party.is_none() {
            err(
                Col::PartyMember,
                format!("{:?} is not 是 or 否", get(Col::PartyMember)),
                format!("“{}”不是“是”或“否”", get(Col::PartyMember)),
            );
            ok = false;
        }
        let has_owner = !name.is_empty() || !id_number.is_empty();
        let mut owner = None;
        match status {
            Some(SaleStatus::Unsold) if has_owner || !co_owners.is_empty() => {
                err(
                    Col::OwnerName,
                    "an unsold unit has no owner: leave owner columns empty".into(),
                    "未售房屋没有业主：业主各列请留空".into(),
                );
                ok = false;
            }
            Some(SaleStatus::Delivered) if !has_owner => {
                err(
                    Col::OwnerName,
                    "a delivered unit needs its owner's name and ID number".into(),
                    "已交付房屋须填写业主姓名和身份证号".into(),
                );
                ok = false;
            }
            _ => {}
        }
        if has_owner && status != Some(SaleStatus::Unsold) {
            let kind = if is_valid_national_id(&id_number) {
                Some(OwnerKind::Natural)
            } else if is_valid_credit_code(&id_number) {
                Some(OwnerKind::Legal)
            } else {
                None
            };
            if name.is_empty() || name.chars().count() > 100 {
                err(
                    Col::OwnerName,
                    "the owner's name must be 1–100 characters".into(),
                    "业主姓名须为 1 至 100 个字".into(),
                );
                ok = false;
            }
            if kind.is_none() {
                // Never echo the number itself: it is personal data.
                err(
                    Col::IdNumber,
                    "not a valid ID number or unified social credit code (check digit)".into(),
                    "不是有效的身份证号或统一社会信用代码（校验位不对）".into(),
                );
                ok = false;
            }
            if !phone.is_empty() && !is_valid_mobile(&phone) {
                err(
                    Col::Phone,
                    "not an 11-digit mobile number".into(),
                    "不是 11 位手机号码".into(),
                );
                ok = false;
            }
            if co_owners.iter().any(|c| c.chars().count() > 100) {
                err(
                    Col::CoOwners,
                    "a co-owner's name may be at most 100 characters".into(),
                    "共有人姓名最多 100 个字".into(),
                );
                ok = false;
            }
            if let Some(kind) = kind {
                match seen_ids.get(&id_number) {
                    Some((other, first)) if *other != name => {
                        err(
                            Col::IdNumber,
                            format!("the same ID number has another name in row {first}"),
                            format!("同一身份证号在第 {first} 行对应另一个姓名"),
                        );
                        ok = false;
                    }
                    Some(_) => {}
                    None => {
                        seen_ids.insert(id_number.clone(), (name.clone(), row));
                    }
                }
                owner = Some(OwnerIn {
                    name,
                    id_number,
                    kind,
                    phone: (!phone.is_empty()).then_some(phone),
                    party_member: party.unwrap_or(false),
                });
            }
        }
        let key = (building.clone(), entrance.clone(), number.clone());
        let candidate = ImportRow {
            row,
            building,
            entrance,
            number,
            kind: kind.unwrap_or(UnitKind::Residential),
            areas,
            sale_status: status.unwrap_or(SaleStatus::Unsold),
            owner,
            co_owners,
        };
        if !candidate.building.is_empty() && !candidate.number.is_empty() {
            if let Some(first) = seen_units.get(&key).copied() {
                // The same unit again: another source's area for it (the register's area
                // arriving beside the contract's), with every other column the same.
                let merged = rows.iter_mut().find(|r: &&mut ImportRow| r.row == first).and_then(|r| {
                    let same = r.kind == candidate.kind
                        && r.sale_status == candidate.sale_status
                        && r.owner == candidate.owner
                        && r.co_owners == candidate.co_owners;
                    let merged = same.then(|| r.areas.merge(&candidate.areas)).flatten()?;
                    r.areas = merged;
                    Some(())
                });
                if merged.is_none() {
                    err(
                        Col::Number,
                        format!("the same unit is already in row {first}; a repeated row may only add another source's area"),
                        format!("同一房屋已在第 {first} 行：重复的行只能补充另一来源的面积"),
                    );
                    repeated.push((first, row));
                }
                continue;
            }
            seen_units.insert(key, row);
        }
        if ok {
            rows.push(candidate);
        }
    }
    if !repeated.is_empty() {
        let column = index
            .get(&Col::Number)
            .map(|(_, h)| h.clone())
            .unwrap_or_else(|| col_label(Col::Number).into());
        for (first, later) in repeated {
            errors.push(RowError::new(
                first,
                column.clone(),
                format!("the same unit is given again in row {later}; give each unit once (a repeated row may only add another source's area)"),
                format!("同一房屋在第 {later} 行再次出现：每套房屋只列一次（重复的行只能补充另一来源的面积）"),
            ));
        }
        errors.sort_by_key(|e| e.row);
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError::new(2, "", "the file has no unit rows", "文件中没有房屋行"));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "楼栋,单元,房号,建筑面积(㎡),面积来源,业主姓名,身份证号,手机号,是否党员,共有人,销售状态\n";

    fn file(rows: &[&str]) -> Vec<u8> {
        let mut s = String::from(HEADER);
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s.into_bytes()
    }

    #[test]
    fn good_rows() {
        let rows = parse(&file(&[
            "1号楼,1单元,101,102.32,不动产登记,段强建,140425198111138173,18630779212,否,廖刚珍,已交付",
            "6号楼,2单元,401,102.32,不动产登记,,,,,,未售",
        ]))
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].areas.best(), Some((10232, AreaSource::Registry)));
        assert_eq!(rows[0].co_owners, vec!["廖刚珍".to_string()]);
        assert_eq!(rows[0].owner.as_ref().unwrap().kind, OwnerKind::Natural);
        assert!(rows[1].owner.is_none());
    }

    #[test]
    fn every_bad_row_is_named() {
        let errs = parse(&file(&[
            "1号楼,1单元,101,102.325,不动产登记,段强建,140425198111138173,18630779212,否,,已交付",
            "1号楼,1单元,102,100,卫星,段强建,140425198111138173,,否,,已交付",
            "1号楼,1单元,103,100,实测,某人,140425198111138174,,否,,已交付",
            "1号楼,1单元,103,100,实测,,,,,,未售",
            "1号楼,1单元,104,100,实测,张三,,,,,未售",
        ]))
        .unwrap_err();
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (2, "建筑面积(㎡)"),
                (3, "面积来源"),
                (4, "身份证号"),
                (4, "房号"),
                (5, "房号"),
                (6, "业主姓名")
            ]
        );
        assert!(
            !errs.iter().any(|e| e.message.contains("140425")),
            "ID numbers are never echoed"
        );
    }

    #[test]
    fn gbk_and_bom_are_read() {
        let text = "楼栋,房号,建筑面积,面积来源,销售状态\n1号楼,101,88.5,实测,未售\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(parse(&gbk).unwrap()[0].building, "1号楼");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(parse(&bom).unwrap()[0].areas.best().map(|b| b.0), Some(8850));
    }

    #[test]
    fn missing_columns_and_junk() {
        let errs = parse("楼栋,房号\n1,2\n".as_bytes()).unwrap_err();
        // The sale status, and an area column of some kind.
        assert_eq!(errs.len(), 2);
        assert!(errs.iter().all(|e| e.row == 1));
        assert!(parse(&[0xff, 0xfe, 0x00, 0x81]).is_err());
    }

    #[test]
    fn areas_per_source_and_repeated_rows() {
        use crate::domain::area::RecordedAreas;
        // One column per source; the register's counts.
        let rows = parse("楼栋,房号,合同面积,登记面积,销售状态\n1号楼,101,100.5,98.25,未售\n".as_bytes()).unwrap();
        assert_eq!(
            rows[0].areas,
            RecordedAreas {
                registry: Some(9825),
                survey: None,
                contract: Some(10050)
            }
        );
        assert_eq!(rows[0].areas.best(), Some((9825, AreaSource::Registry)));
        // One area and its source per row, the unit repeated with another source: merged.
        let head = "楼栋,房号,建筑面积,面积来源,销售状态\n";
        let rows =
            parse(format!("{head}1号楼,101,100.5,合同,未售\n1号楼,101,98.25,不动产登记,未售\n").as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].areas.best(), Some((9825, AreaSource::Registry)));
        assert_eq!(rows[0].areas.contract, Some(10050));
        // The same source with another area, or other details: refused, naming the row.
        let errs = parse(format!("{head}1号楼,101,100.5,合同,未售\n1号楼,101,99,合同,未售\n").as_bytes()).unwrap_err();
        let named: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(named, vec![(2, "房号"), (3, "房号")]);
        // The very same row twice is no second source: both rows are named.
        let errs =
            parse(format!("{head}1号楼,101,100.5,合同,未售\n1号楼,101,100.5,合同,未售\n").as_bytes()).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.row).collect::<Vec<_>>(), vec![2, 3]);
        assert!(errs[0].message.contains("row 3") && errs[1].message.contains("row 2"));
        let errs =
            parse(format!("{head}1号楼,101,100.5,合同,未售\n1号楼,101,98.25,不动产登记,已售未交付\n").as_bytes())
                .unwrap_err();
        assert_eq!(errs.iter().map(|e| e.row).collect::<Vec<_>>(), vec![2, 3]);
        // A row without any area.
        let errs = parse("楼栋,房号,合同面积,登记面积,销售状态\n1号楼,101,,,未售\n".as_bytes()).unwrap_err();
        assert_eq!(errs[0].row, 2);
    }

    #[test]
    fn one_id_one_name() {
        let errs = parse(&file(&[
            "1号楼,1单元,101,100,实测,段强建,140425198111138173,,否,,已交付",
            "1号楼,1单元,102,100,实测,别人,140425198111138173,,否,,已交付",
        ]))
        .unwrap_err();
        assert_eq!(errs[0].row, 3);
        assert!(errs[0].message.contains("row 2"));
    }
}

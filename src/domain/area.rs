//! Areas of exclusive parts (专有部分面积), in integer hundredths of a square metre, and which
//! of the recorded areas counts (SPC interpretation 法释〔2009〕7号 Art. 8): the real-estate
//! register's; if not registered, the surveyed; if not surveyed, the purchase contract's.

use crate::term_enum;

term_enum!(
    #[derive(PartialOrd, Ord)]
    AreaSource, "the source of a recorded area (面积来源): the real-estate register (不动产登记), a survey (实测) or the purchase contract (合同)", {
        Registry = "registry", "不动产登记";
        Survey = "survey", "实测";
        Contract = "contract", "合同";
    }
);

impl AreaSource {
    /// A spreadsheet cell: the name, the Chinese term, or another word county offices use.
    pub fn from_sheet(cell: &str) -> Option<AreaSource> {
        use AreaSource::*;
        super::term::from_sheet(
            cell,
            &[
                ("登记", Registry),
                ("产权登记", Registry),
                ("测绘", Survey),
                ("购房合同", Contract),
                ("预售合同", Contract),
            ],
        )
    }
}

/// The three areas a unit may have on record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordedAreas {
    pub registry: Option<i64>,
    pub survey: Option<i64>,
    pub contract: Option<i64>,
}

impl RecordedAreas {
    /// The area that counts, with its source.
    pub fn best(&self) -> Option<(i64, AreaSource)> {
        self.registry
            .map(|a| (a, AreaSource::Registry))
            .or(self.survey.map(|a| (a, AreaSource::Survey)))
            .or(self.contract.map(|a| (a, AreaSource::Contract)))
    }

    pub fn get(&self, source: AreaSource) -> Option<i64> {
        match source {
            AreaSource::Registry => self.registry,
            AreaSource::Survey => self.survey,
            AreaSource::Contract => self.contract,
        }
    }

    /// Both sets of areas together, or `None` when both give an area for the same source (even
    /// the same area: a source is stated once).
    pub fn merge(&self, other: &RecordedAreas) -> Option<RecordedAreas> {
        let one = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (Some(_), Some(_)) => Err(()),
            (x, y) => Ok(x.or(y)),
        };
        Some(RecordedAreas {
            registry: one(self.registry, other.registry).ok()?,
            survey: one(self.survey, other.survey).ok()?,
            contract: one(self.contract, other.contract).ok()?,
        })
    }

    /// These areas with every area `other` gives put over them.
    pub fn merge_over(&self, other: &RecordedAreas) -> RecordedAreas {
        RecordedAreas {
            registry: other.registry.or(self.registry),
            survey: other.survey.or(self.survey),
            contract: other.contract.or(self.contract),
        }
    }

    pub fn set(&mut self, source: AreaSource, centi: i64) {
        match source {
            AreaSource::Registry => self.registry = Some(centi),
            AreaSource::Survey => self.survey = Some(centi),
            AreaSource::Contract => self.contract = Some(centi),
        }
    }
}

/// Largest area accepted for one unit: 100,000 m² (a whole commercial block), in centi-m².
pub const MAX_UNIT_AREA_CENTI: i64 = 100_000 * 100;

/// Why an area was refused, in English and in Chinese.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AreaRefused {
    pub en: &'static str,
    pub zh: &'static str,
}

const fn refused(en: &'static str, zh: &'static str) -> AreaRefused {
    AreaRefused { en, zh }
}

/// Parses "102.32", "102.3", "102" (m²) into hundredths, exactly, without floating point.
/// More than two decimals, signs, exponents, zero or absurd sizes are refused.
pub fn parse_m2(s: &str) -> Result<i64, AreaRefused> {
    let not_a_number = refused(
        "must be a number of square metres such as 102.32",
        "须为平方米数，例如 102.32",
    );
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_number);
    }
    if frac.len() > 2 {
        return Err(refused(
            "at most two decimals (hundredths of a square metre)",
            "最多两位小数（精确到 0.01 平方米）",
        ));
    }
    if int.len() > 9 {
        return Err(refused("too large", "数值太大"));
    }
    let int: i64 = int.parse().map_err(|_| not_a_number)?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| not_a_number)?
    };
    let centi = int * 100 + frac;
    if centi <= 0 {
        return Err(refused("must be greater than zero", "须大于零"));
    }
    if centi > MAX_UNIT_AREA_CENTI {
        return Err(refused("larger than any unit can be", "超出一套房屋可能的面积"));
    }
    Ok(centi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(parse_m2("102.32"), Ok(10232));
        assert_eq!(parse_m2("102.3"), Ok(10230));
        assert_eq!(parse_m2("102"), Ok(10200));
        assert_eq!(parse_m2(" 0.01 "), Ok(1));
        assert!(parse_m2("0").is_err());
        assert!(parse_m2("0.00").is_err());
        assert!(parse_m2("102.325").is_err());
        assert!(parse_m2("-5").is_err());
        assert!(parse_m2("1e3").is_err());
        assert!(parse_m2("").is_err());
        assert!(parse_m2(".5").is_err());
        assert_eq!(parse_m2("100000"), Ok(MAX_UNIT_AREA_CENTI));
        assert!(parse_m2("100000.01").is_err());
    }

    #[test]
    fn registry_beats_survey_beats_contract() {
        let mut a = RecordedAreas::default();
        assert_eq!(a.best(), None);
        a.set(AreaSource::Contract, 300);
        assert_eq!(a.best(), Some((300, AreaSource::Contract)));
        a.set(AreaSource::Survey, 200);
        assert_eq!(a.best(), Some((200, AreaSource::Survey)));
        a.set(AreaSource::Registry, 100);
        assert_eq!(a.best(), Some((100, AreaSource::Registry)));
    }
}

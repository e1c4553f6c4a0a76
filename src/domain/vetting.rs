//! Candidate vetting (候选人负面清单, 资格联审; RULES.md §4): the default negative-list catalogue,
//! when a record is in force, who is qualified, and the publicity and objection windows.

use chrono::NaiveDate;

use chrono::NaiveDateTime;

use super::committee::{add_days, add_months};
use super::committee::{CommitteeKind, CommitteeStatus};
use super::lifecycle::Refused;
use crate::error::codes;
use crate::term_enum;

term_enum!(
    /// Who nominated a candidate (RULES.md §4).
    NominatedBy, "who nominated a candidate (推荐方式)", {
        /// The community party organisation.
        PartyOrg = "party_org", "党组织推荐";
        /// Owners jointly: at least 5 owners of the estate.
        OwnersJointly = "owners_jointly", "业主联名推荐";
        SelfNomination = "self_nomination", "自荐";
    }
);

term_enum!(
    /// Where an election's candidate vetting stands (候选人审查).
    ElectionStatus, "where an owners' committee election's candidate vetting stands (候选人审查)", {
        /// Candidates are nominated.
        Nominating = "nominating", "提名";
        /// Screened against the negative list; departments review.
        Screening = "screening", "审查";
        /// The qualified list is published; owners may object.
        Publicity = "publicity", "公示";
        /// The final list, for the vote.
        Final = "final", "确定";
    }
);

term_enum!(
    /// Where a candidate stands.
    CandidateStatus, "where a candidate stands (候选人状态); `qualified` candidates form the published and the final list", {
        Nominated = "nominated", "已提名";
        Screened = "screened", "已初筛";
        Qualified = "qualified", "资格审查通过";
        NotQualified = "not_qualified", "资格审查未通过";
        Disqualified = "disqualified", "因异议取消资格";
    }
);

impl ElectionStatus {
    /// An election is opened for an owners' committee in preparation or in office, one at a
    /// time: `others` are the statuses of its earlier elections.
    pub fn open(
        kind: CommitteeKind,
        committee: CommitteeStatus,
        others: &[ElectionStatus],
    ) -> Result<ElectionStatus, Refused> {
        if kind != CommitteeKind::OwnersCommittee {
            return Err(Refused::rule(
                codes::NOT_AN_OWNERS_COMMITTEE,
                "elections are held for owners' committees",
            ));
        }
        if committee.ended() {
            return Err(Refused::not_now(
                codes::COMMITTEE_ENDED,
                committee,
                "opening an election",
            ));
        }
        if others.iter().any(|e| *e != ElectionStatus::Final) {
            return Err(Refused::NotNow {
                code: codes::ELECTION_OPEN,
                now: committee.as_str(),
                step: "opening a second election while one is in progress",
            });
        }
        Ok(ElectionStatus::Nominating)
    }

    /// Nominations are taken while nominating.
    pub fn nominate(self) -> Result<(), Refused> {
        match self {
            ElectionStatus::Nominating => Ok(()),
            now => Err(Refused::not_now(
                codes::ELECTION_NOT_NOMINATING,
                now,
                "nominating a candidate",
            )),
        }
    }

    /// Screening follows nominations, once.
    pub fn screen(self) -> Result<ElectionStatus, Refused> {
        match self {
            ElectionStatus::Nominating => Ok(ElectionStatus::Screening),
            now => Err(Refused::not_now(
                codes::ELECTION_NOT_NOMINATING,
                now,
                "screening the candidates",
            )),
        }
    }

    /// Departments review between screening and publication.
    pub fn review(self) -> Result<(), Refused> {
        match self {
            ElectionStatus::Screening => Ok(()),
            now => Err(Refused::not_now(
                codes::ELECTION_NOT_IN_SCREENING,
                now,
                "reviewing a candidate",
            )),
        }
    }

    /// The list is published after screening, once.
    pub fn publish(self) -> Result<ElectionStatus, Refused> {
        match self {
            ElectionStatus::Screening => Ok(ElectionStatus::Publicity),
            now => Err(Refused::not_now(
                codes::ELECTION_NOT_IN_SCREENING,
                now,
                "publishing the list",
            )),
        }
    }

    /// The list becomes final once the publicity period is over (`now` is at or after the
    /// first instant after its last day) and every objection is answered.
    pub fn finalize(self, publicity_over: bool, unanswered_objections: usize) -> Result<ElectionStatus, Refused> {
        match self {
            ElectionStatus::Publicity if !publicity_over => Err(Refused::rule(
                codes::PUBLICITY_NOT_OVER,
                "the publicity period has not ended",
            )),
            ElectionStatus::Publicity if unanswered_objections > 0 => Err(Refused::rule(
                codes::OBJECTIONS_UNANSWERED,
                "every objection must be answered first",
            )),
            ElectionStatus::Publicity => Ok(ElectionStatus::Final),
            now => Err(Refused::not_now(
                codes::ELECTION_NOT_IN_PUBLICITY,
                now,
                "finalising the list",
            )),
        }
    }

    /// Objections are filed while the list is published and its window runs (RULES.md §4, §7:
    /// from when publication was recorded through 24:00 of its last day).
    pub fn object(
        self,
        published_at: Option<NaiveDateTime>,
        window_ends: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Result<(), Refused> {
        let open = self == ElectionStatus::Publicity
            && published_at.is_some_and(|from| from <= now)
            && window_ends.is_some_and(|end| now < end);
        if open {
            Ok(())
        } else {
            Err(Refused::rule(
                codes::OBJECTION_WINDOW_CLOSED,
                "objections are accepted only while the list is published",
            ))
        }
    }
}

impl CandidateStatus {
    /// After the joint review: qualified only when every required review passed and no record
    /// is in force (`qualify`).
    pub fn after_review(q: &Qualification) -> CandidateStatus {
        if q.qualified {
            CandidateStatus::Qualified
        } else {
            CandidateStatus::NotQualified
        }
    }

    /// Objections concern candidates on the published list.
    pub fn objectable(self) -> Result<(), Refused> {
        match self {
            CandidateStatus::Qualified => Ok(()),
            _ => Err(Refused::rule(
                codes::NOT_ON_THE_LIST,
                "objections concern candidates on the published list",
            )),
        }
    }

    /// An upheld objection disqualifies (RULES.md §4); a dismissed one changes nothing.
    pub fn after_objection(self, upheld: bool) -> CandidateStatus {
        if upheld {
            CandidateStatus::Disqualified
        } else {
            self
        }
    }

    /// On the final list (and so on the ballot).
    pub fn on_final_list(self) -> bool {
        self == CandidateStatus::Qualified
    }
}

/// One item of the default catalogue: code, text, legal basis, evidence department, how many
/// months a record stays in force (None: until ended), enabled by default.
pub struct DefaultItem {
    pub code: &'static str,
    pub text: &'static str,
    pub legal_basis: &'static str,
    pub evidence_department: &'static str,
    pub duration_months: Option<u32>,
    pub enabled: bool,
}

pub const DEFAULT_CATALOGUE: [DefaultItem; 9] = [
    DefaultItem {
        code: "N1",
        text: "本人、配偶或近亲属在本小区物业服务企业或其关联企业任职",
        legal_basis: "业主大会和业主委员会指导规则第三十一条",
        evidence_department: "housing",
        duration_months: None,
        enabled: true,
    },
    DefaultItem {
        code: "N2",
        text: "违法搭建、损坏房屋承重结构、擅自改变房屋用途且未整改",
        legal_basis: "民法典第二百七十九条、第二百八十六条",
        evidence_department: "housing",
        duration_months: None,
        enabled: true,
    },
    DefaultItem {
        code: "N3",
        text: "近三年内受过刑事处罚或正在被立案侦查",
        legal_basis: "地方物业管理条例",
        evidence_department: "police",
        duration_months: Some(36),
        enabled: true,
    },
    DefaultItem {
        code: "N4",
        text: "近三年内受到留党察看以上党纪处分或正在接受审查",
        legal_basis: "中国共产党纪律处分条例",
        evidence_department: "discipline",
        duration_months: Some(36),
        enabled: true,
    },
    DefaultItem {
        code: "N5",
        text: "被列为失信被执行人",
        legal_basis: "最高人民法院关于公布失信被执行人名单信息的若干规定",
        evidence_department: "court",
        duration_months: None,
        enabled: true,
    },
    DefaultItem {
        code: "N6",
        text: "收受物业服务企业或利害关系人财物、泄露业主信息",
        legal_basis: "业主大会和业主委员会指导规则",
        evidence_department: "community_party",
        duration_months: None,
        enabled: true,
    },
    DefaultItem {
        code: "N7",
        text: "以不正当手段干扰业主大会、选举，组织违法活动",
        legal_basis: "治安管理处罚法",
        evidence_department: "police",
        duration_months: None,
        enabled: true,
    },
    DefaultItem {
        code: "N8",
        text: "与本小区存在经营关系（如承租共有部分商铺）",
        legal_basis: "地方物业管理条例",
        evidence_department: "housing",
        duration_months: None,
        enabled: true,
    },
    // Dropped by many regulations after the national legislature's 2022 review: off by default.
    DefaultItem {
        code: "N9",
        text: "拖欠物业费或专项维修资金",
        legal_basis: "地方物业管理条例（2022年备案审查后多地删除）",
        evidence_department: "housing",
        duration_months: None,
        enabled: false,
    },
];

/// The last day a record is in force, from its item's duration; None: until ended. "Within 3
/// years" includes the anniversary (以内, Civil Code Art. 1259): a record effective 2023-02-28 is
/// in force through 2026-02-28. A day that does not exist in the target month becomes that
/// month's last day (2024-02-29 + 12 months = 2025-02-28).
pub fn expiry(effective_from: NaiveDate, duration_months: Option<u32>) -> Option<NaiveDate> {
    duration_months.map(|m| add_months(effective_from, m))
}

/// In force on `on`: started, and not past its last day (both days included).
pub fn in_force(effective_from: NaiveDate, expires_on: Option<NaiveDate>, on: NaiveDate) -> bool {
    effective_from <= on && expires_on.is_none_or(|e| on <= e)
}

/// A department's decision on a candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub department: String,
    pub passed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qualification {
    pub qualified: bool,
    /// Why not, in plain words; empty when qualified.
    pub reasons: Vec<String>,
}

/// Qualified only when every required department passed and no enabled item has a record in
/// force on the review date (`blocking_items`: codes of such records, already filtered).
pub fn qualify(required: &[String], reviews: &[Review], blocking_items: &[String]) -> Qualification {
    let mut reasons = Vec::new();
    for code in blocking_items {
        reasons.push(format!("negative-list record in force: {code}"));
    }
    for dept in required {
        match reviews.iter().find(|r| &r.department == dept) {
            None => reasons.push(format!("no review yet by {dept}")),
            Some(r) if !r.passed => reasons.push(format!("rejected by {dept}")),
            Some(_) => {}
        }
    }
    Qualification {
        qualified: reasons.is_empty(),
        reasons,
    }
}

/// The day by which an objection filed on `filed_on` is answered: within `days` days, the day
/// of filing not counted (Art. 201).
pub fn answer_due(filed_on: NaiveDate, days: u32) -> NaiveDate {
    add_days(filed_on, days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn records_in_force_at_the_boundaries() {
        let review = d("2026-11-27");
        // Expired the day before: does not block. Expires that day or the day after: blocks.
        assert!(!in_force(d("2020-01-01"), Some(d("2026-11-26")), review));
        assert!(in_force(d("2020-01-01"), Some(d("2026-11-27")), review));
        assert!(in_force(d("2020-01-01"), Some(d("2026-11-28")), review));
        // Starting the day after the review: not yet.
        assert!(!in_force(d("2026-11-28"), None, review));
        assert!(in_force(d("2026-11-27"), None, review));
    }

    #[test]
    fn three_years_include_the_anniversary() {
        // RULES.md §4: effective 2023-02-28, in force through 2026-02-28, not on 2026-03-01.
        let last = expiry(d("2023-02-28"), Some(36));
        assert_eq!(last, Some(d("2026-02-28")));
        assert!(in_force(d("2023-02-28"), last, d("2026-02-27")));
        assert!(in_force(d("2023-02-28"), last, d("2026-02-28")));
        assert!(!in_force(d("2023-02-28"), last, d("2026-03-01")));
        assert_eq!(expiry(d("2023-11-28"), Some(36)), Some(d("2026-11-28")));
        // A day missing in the target month becomes its last day.
        assert_eq!(expiry(d("2024-02-29"), Some(12)), Some(d("2025-02-28")));
        assert_eq!(expiry(d("2024-02-29"), Some(48)), Some(d("2028-02-29")));
        assert_eq!(expiry(d("2023-03-31"), Some(1)), Some(d("2023-04-30")));
        assert_eq!(expiry(d("2023-11-28"), None), None);
    }

    #[test]
    fn qualification_needs_every_review_and_no_record() {
        let req = vec!["police".to_string(), "housing".to_string()];
        let pass = |d: &str| Review {
            department: d.into(),
            passed: true,
        };
        assert!(qualify(&req, &[pass("police"), pass("housing")], &[]).qualified);
        let missing = qualify(&req, &[pass("police")], &[]);
        assert!(!missing.qualified);
        assert_eq!(missing.reasons, vec!["no review yet by housing".to_string()]);
        let rejected = qualify(
            &req,
            &[
                pass("police"),
                Review {
                    department: "housing".into(),
                    passed: false,
                },
            ],
            &[],
        );
        assert_eq!(rejected.reasons, vec!["rejected by housing".to_string()]);
        assert!(!qualify(&req, &[pass("police"), pass("housing")], &["N3".into()]).qualified);
    }

    #[test]
    fn the_election_lifecycle_takes_its_steps_in_order() {
        use ElectionStatus::*;
        assert_eq!(Nominating.screen(), Ok(Screening));
        assert_eq!(Screening.screen().unwrap_err().code(), "election_not_nominating");
        assert!(Screening.review().is_ok() && Nominating.review().is_err());
        assert_eq!(Screening.publish(), Ok(Publicity));
        assert_eq!(Publicity.publish().unwrap_err().code(), "election_not_in_screening");
        assert_eq!(Publicity.finalize(false, 0).unwrap_err().code(), "publicity_not_over");
        assert_eq!(Publicity.finalize(true, 1).unwrap_err().code(), "objections_unanswered");
        assert_eq!(Publicity.finalize(true, 0), Ok(Final));
        assert_eq!(Final.finalize(true, 0).unwrap_err().code(), "election_not_in_publicity");
        assert!(Final.nominate().is_err() && Nominating.nominate().is_ok());
        let t = |s: i64| {
            chrono::DateTime::from_timestamp(1_800_000_000 + s, 0)
                .unwrap()
                .naive_utc()
        };
        assert!(Publicity.object(Some(t(0)), Some(t(100)), t(99)).is_ok());
        assert_eq!(
            Publicity.object(Some(t(0)), Some(t(100)), t(100)).unwrap_err().code(),
            "objection_window_closed"
        );
        assert!(Final.object(Some(t(0)), Some(t(100)), t(50)).is_err());
        assert_eq!(
            CandidateStatus::Qualified.after_objection(true),
            CandidateStatus::Disqualified
        );
        assert_eq!(
            CandidateStatus::Qualified.after_objection(false),
            CandidateStatus::Qualified
        );
        assert!(CandidateStatus::Disqualified.objectable().is_err());
        for s in ElectionStatus::ALL {
            assert_eq!(ElectionStatus::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn windows() {
        assert_eq!(answer_due(d("2026-11-07"), 7), d("2026-11-14"));
        assert!(DEFAULT_CATALOGUE
            .iter()
            .filter(|i| !i.enabled)
            .map(|i| i.code)
            .eq(["N9"]));
    }
}

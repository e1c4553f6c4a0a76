//! Notice to owners and officials (RULES.md §10; issue 30, in progress): what a notice is about,
//! which notices are statutory (no opting out), when a text message may go (quiet hours, the
//! 24-hour exception), at most one text per owner per matter per day, the county's daily cap, and
//! who is notified for a roll of units (each person once). Pure rules: the inbox, the outbox and
//! the senders build on them.

use chrono::{Duration, NaiveDateTime, NaiveTime, Timelike};

use super::ids::{local_date, start_of_local_day};
use crate::term_enum;

term_enum!(
    /// What a notice is about.
    NoticeKind, "what a notice is about (通知事项)", {
        /// A vote announced (the notice before it, Art. 278 matters): statutory.
        VoteAnnounced = "vote_announced", "表决公告";
        VoteOpened = "vote_opened", "表决开始";
        /// A vote closing within 24 hours.
        VoteClosing = "vote_closing", "表决即将结束";
        VoteClosed = "vote_closed", "表决结果";
        /// A candidate list published for objections (RULES.md §4): statutory.
        CandidateList = "candidate_list", "候选人名单公示";
        ObjectionAnswered = "objection_answered", "异议答复";
        MinutesPublished = "minutes_published", "会议纪要发布";
        SurveyOpened = "survey_opened", "满意度测评开始";
        LedgerStep = "ledger_step", "问题办理进展";
        ActionDue = "action_due", "督办事项到期";
        RatingPublished = "rating_published", "星级评定结果";
        AppealDecided = "appeal_decided", "申诉处理结果";
        StatementPublished = "statement_published", "账目公示";
        QuestionAnswered = "question_answered", "账目询问答复";
        DeadlineOverdue = "deadline_overdue", "事项逾期";
    }
);

impl NoticeKind {
    /// A statutory notice (a vote's announcement, a candidate list's publicity) reaches every
    /// owner concerned: an owner's opting out of other notices does not cover it.
    pub fn statutory(self) -> bool {
        matches!(self, NoticeKind::VoteAnnounced | NoticeKind::CandidateList)
    }
}

/// Whether an owner gets a text message of this kind: always for a statutory notice, else only
/// if they have not opted out.
pub fn texts_owner(kind: NoticeKind, opted_out: bool) -> bool {
    kind.statutory() || !opted_out
}

/// Quiet hours (China Standard Time): from 21:00 until 08:00.
const QUIET_FROM: u32 = 21;
const QUIET_UNTIL: u32 = 8;

fn local_time(at: NaiveDateTime) -> NaiveTime {
    (at + Duration::hours(8)).time()
}

/// Whether a text message may go at `now`: not between 21:00 and 08:00 China Standard Time,
/// unless the matter closes within 24 hours of `now`.
pub fn may_text_at(now: NaiveDateTime, closes_at: Option<NaiveDateTime>) -> bool {
    let h = local_time(now).hour();
    let quiet = !(QUIET_UNTIL..QUIET_FROM).contains(&h);
    !quiet || closes_at.is_some_and(|c| c > now && c - now <= Duration::hours(24))
}

/// When a text held back by quiet hours may go: `now` if it may go now, else 08:00 China
/// Standard Time of the coming morning.
pub fn next_text_time(now: NaiveDateTime, closes_at: Option<NaiveDateTime>) -> NaiveDateTime {
    if may_text_at(now, closes_at) {
        return now;
    }
    let day = local_date(now);
    let morning = start_of_local_day(day) + Duration::hours(QUIET_UNTIL as i64);
    if morning > now {
        morning
    } else {
        start_of_local_day(day + Duration::days(1)) + Duration::hours(QUIET_UNTIL as i64)
    }
}

/// The key that allows one text per owner per matter per day (China Standard Time): a second
/// text with the same key that day is not sent, whichever replica tries.
pub fn text_key(owner_id: &str, matter: &str, at: NaiveDateTime) -> String {
    format!("{owner_id}|{matter}|{}", local_date(at))
}

/// Whether one more text fits under the county's daily cap (`None`: no cap).
pub fn under_cap(sent_today: u64, cap: Option<u64>) -> bool {
    cap.is_none_or(|c| sent_today < c)
}

/// The people to notify for a roll of units, each once (co-owners of a unit, a designated voter,
/// an owner of several units), in the order first met.
pub fn recipients<'a>(holders: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    holders.into_iter().filter(|o| seen.insert(*o)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// An instant given in China Standard Time.
    fn cst(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 5)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
            - Duration::hours(8)
    }

    #[test]
    fn quiet_hours_at_their_edges() {
        assert!(may_text_at(cst(20, 59), None));
        assert!(!may_text_at(cst(21, 0), None));
        assert!(!may_text_at(cst(7, 59), None));
        assert!(may_text_at(cst(8, 0), None));
        assert!(!may_text_at(cst(0, 0), None));
    }

    #[test]
    fn a_matter_closing_within_a_day_is_texted_at_night() {
        let now = cst(22, 0);
        assert!(may_text_at(now, Some(now + Duration::hours(24))));
        assert!(!may_text_at(
            now,
            Some(now + Duration::hours(24) + Duration::minutes(1))
        ));
        assert!(!may_text_at(now, Some(now - Duration::minutes(1))), "already closed");
    }

    #[test]
    fn a_held_text_goes_at_eight() {
        assert_eq!(next_text_time(cst(21, 0), None), cst(8, 0) + Duration::days(1));
        assert_eq!(next_text_time(cst(7, 0), None), cst(8, 0));
        assert_eq!(next_text_time(cst(12, 0), None), cst(12, 0));
    }

    #[test]
    fn one_text_per_owner_per_matter_per_local_day() {
        // 23:59 and 00:00 CST are two days; 08:00 and 20:00 one.
        assert_ne!(
            text_key("o", "v", cst(23, 59)),
            text_key("o", "v", cst(23, 59) + Duration::minutes(1))
        );
        assert_eq!(text_key("o", "v", cst(8, 0)), text_key("o", "v", cst(20, 0)));
        assert_ne!(text_key("o", "v", cst(8, 0)), text_key("o", "w", cst(8, 0)));
    }

    #[test]
    fn the_cap_is_reached_exactly() {
        assert!(under_cap(99, Some(100)));
        assert!(!under_cap(100, Some(100)));
        assert!(under_cap(1_000_000, None));
    }

    #[test]
    fn opting_out_never_covers_a_statutory_notice() {
        assert!(texts_owner(NoticeKind::VoteAnnounced, true));
        assert!(texts_owner(NoticeKind::CandidateList, true));
        assert!(!texts_owner(NoticeKind::MinutesPublished, true));
        assert!(texts_owner(NoticeKind::MinutesPublished, false));
    }

    #[test]
    fn each_person_once() {
        // Unit 1 has co-owners a and b (b the designated voter); a also holds unit 2.
        assert_eq!(recipients(["a", "b", "b", "a", "c"]), vec!["a", "b", "c"]);
    }
}

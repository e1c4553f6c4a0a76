//! Notice to owners and officials (RULES.md §10; issue 30): what a notice is about, whom it is
//! addressed to, which notices are statutory (no opting out), when a text message may go (quiet
//! hours, the 24-hour exception), at most one text per owner per matter per day, the county's
//! daily cap, who is notified for a roll of units (each person once), and the statuses a
//! delivery goes through. Pure rules: the inbox, the outbox and the senders build on them.

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
        /// A community's activity announced (RULES.md §11).
        ActivityAnnounced = "activity_announced", "活动预告";
        /// A sign-up's place: moved up from the waiting list, or the activity cancelled.
        ActivitySignup = "activity_signup", "活动报名变动";
        /// A party member's report-in placed or declined.
        ReportDecided = "report_decided", "报到处理结果";
        /// A selection's shortlist published for objections.
        ShortlistPublished = "shortlist_published", "评选公示";
        /// A selection decided and its results published.
        SelectionDecided = "selection_decided", "评选结果";
    }
);

term_enum!(
    /// How a notice reached (or was to reach) its addressee.
    NoticeChannel, "a channel of notice (通知渠道)", {
        /// The addressee's inbox on their own page: always, for every notice.
        Page = "page", "站内通知";
        /// A text message to the owner's mobile number on record.
        Sms = "sms", "短信";
        /// A post to the office's work-group robot (WeCom or DingTalk).
        WorkGroup = "work_group", "工作群";
    }
);

term_enum!(
    /// Where one text message or work-group post stands.
    NoticeDeliveryStatus, "a notice delivery's status (通知发送状态)", {
        /// Waiting to be sent (quiet hours, a retry, or its turn).
        Pending = "pending", "待发送";
        /// The provider took it (its request id is kept); no receipt yet.
        Accepted = "accepted", "已提交";
        /// The provider reported it delivered to the handset.
        Delivered = "delivered", "已送达";
        /// The provider refused it or reported it undelivered, or every attempt failed.
        Failed = "failed", "发送失败";
        /// Not sent, for the reason given (no mobile number, opted out, already texted today,
        /// the county's daily cap).
        NotSent = "not_sent", "未发送";
    }
);

impl NoticeDeliveryStatus {
    /// Whether it may be tried again by hand.
    pub fn retryable(self) -> bool {
        matches!(self, NoticeDeliveryStatus::Failed | NoticeDeliveryStatus::NotSent)
    }
}

term_enum!(
    /// Why a text was not sent.
    NotSentReason, "why a text message was not sent (未发送原因)", {
        /// The owner has no mobile number on record.
        NoMobile = "no_mobile", "无手机号";
        /// The owner opted out of non-statutory notices.
        OptedOut = "opted_out", "已退订";
        /// The owner had a text on this matter today already.
        AlreadyTexted = "already_texted", "当日已发送";
        /// The county's daily cap on texts was reached.
        CapReached = "cap_reached", "超出当日上限";
    }
);

term_enum!(
    /// The kind of an office's work-group robot.
    WorkGroupKind, "a work-group robot (工作群机器人)", {
        /// A WeCom group robot (企业微信群机器人): `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.
        Wecom = "wecom", "企业微信群机器人";
        /// A DingTalk custom robot (钉钉自定义机器人) with signing: `https://oapi.dingtalk.com/robot/send?access_token=…` and its `SEC…` secret.
        Dingtalk = "dingtalk", "钉钉群机器人";
    }
);

impl WorkGroupKind {
    /// The only host a robot of this kind is reached at.
    pub fn host(self) -> &'static str {
        match self {
            WorkGroupKind::Wecom => "qyapi.weixin.qq.com",
            WorkGroupKind::Dingtalk => "oapi.dingtalk.com",
        }
    }
}

/// Who a notice is addressed to: one owner, or an office (whose officials share its inbox).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Addressee {
    Owner(String),
    /// One person's account (a reporter of a problem, whoever they are).
    User(String),
    /// The committee (业委会/物管会) of an estate.
    Committee(String),
    /// A party organisation, a county's bureau, or a department.
    Org(String),
    Company(String),
}

impl Addressee {
    /// Stored form, `kind:id`.
    pub fn key(&self) -> String {
        let (k, id) = match self {
            Addressee::Owner(id) => ("owner", id),
            Addressee::User(id) => ("user", id),
            Addressee::Committee(id) => ("committee", id),
            Addressee::Org(id) => ("org", id),
            Addressee::Company(id) => ("company", id),
        };
        format!("{k}:{id}")
    }

    pub fn parse(key: &str) -> Option<Addressee> {
        let (k, id) = key.split_once(':')?;
        let id = id.to_string();
        Some(match k {
            "owner" => Addressee::Owner(id),
            "user" => Addressee::User(id),
            "committee" => Addressee::Committee(id),
            "org" => Addressee::Org(id),
            "company" => Addressee::Company(id),
            _ => return None,
        })
    }

    /// An office (not a person): its work group, if any, hears of the notice.
    pub fn is_office(&self) -> bool {
        !matches!(self, Addressee::Owner(_) | Addressee::User(_))
    }
}

/// The inboxes a caller reads: its own as an owner, and those of the offices it works for.
pub fn addressees(p: &super::policy::Principal) -> Vec<String> {
    use super::policy::{Actor, Role};
    let me = match &p.actor {
        Actor::User { id, .. } => Some(Addressee::User(id.clone()).key()),
        Actor::ApiKey { .. } => None,
    };
    p.grants
        .iter()
        .filter_map(|g| {
            let id = g.scope_id.clone()?;
            Some(match g.role {
                Role::Owner => Addressee::Owner(id),
                Role::Committee => Addressee::Committee(id),
                Role::PartyOrg | Role::Bureau | Role::Department => Addressee::Org(id),
                Role::Company => Addressee::Company(id),
                Role::Admin => return None,
            })
        })
        .map(|a| a.key())
        .chain(me)
        .collect()
}

/// Whom a notice goes to: every current owner of an estate (each once), and named addressees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audience {
    pub estate_owners: Option<String>,
    pub addressees: Vec<Addressee>,
}

impl Audience {
    pub fn owners_of(estate_id: &str) -> Audience {
        Audience {
            estate_owners: Some(estate_id.to_string()),
            addressees: vec![],
        }
    }

    /// To these addressees, each once.
    pub fn to(addressees: impl IntoIterator<Item = Addressee>) -> Audience {
        addressees.into_iter().fold(Audience::default(), Audience::and)
    }

    pub fn and(mut self, a: Addressee) -> Audience {
        if !self.addressees.contains(&a) {
            self.addressees.push(a);
        }
        self
    }

    /// Stored form: space-separated keys, `estate:ID` for an estate's owners.
    pub fn key(&self) -> String {
        let mut parts: Vec<String> = self.estate_owners.iter().map(|e| format!("estate:{e}")).collect();
        parts.extend(self.addressees.iter().map(Addressee::key));
        parts.join(" ")
    }

    pub fn parse(key: &str) -> Audience {
        let mut out = Audience::default();
        for part in key.split_whitespace() {
            match part.strip_prefix("estate:") {
                Some(e) => out.estate_owners = Some(e.to_string()),
                None => out.addressees.extend(Addressee::parse(part)),
            }
        }
        out
    }
}

/// The DingTalk robot's signature of a request sent at `timestamp_ms` (Unix milliseconds): the
/// base64 HMAC-SHA256 of `"{timestamp}\n{secret}"` under the secret, as its documentation has
/// it (the caller URL-encodes it into the `sign` parameter).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The longest matter name a text carries (the provider limits a template variable's length).
pub const TEXT_MATTER_CHARS: usize = 35;

/// A matter's name cut to what a text carries, on a character boundary.
pub fn text_matter(title: &str) -> String {
    let mut out: String = title.chars().take(TEXT_MATTER_CHARS).collect();
    if title.chars().count() > TEXT_MATTER_CHARS {
        out.pop();
        out.push('…');
    }
    out
}

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
    fn audiences_round_trip() {
        let a = Audience::owners_of("e1")
            .and(Addressee::Committee("e1".into()))
            .and(Addressee::Org("c1".into()))
            .and(Addressee::Org("c1".into()));
        assert_eq!(a.key(), "estate:e1 committee:e1 org:c1");
        assert_eq!(Audience::parse(&a.key()), a);
        assert_eq!(Addressee::parse("owner:x"), Some(Addressee::Owner("x".into())));
        assert_eq!(Addressee::parse("nobody:x"), None);
        // The convenor is also the community: told once.
        let twice = Audience::to([Addressee::Org("c1".into()), Addressee::Org("c1".into())]);
        assert_eq!(twice.addressees.len(), 1);
    }

    #[test]
    fn dingtalk_signature_as_documented() {
        // HMAC-SHA256 over "1577262236757\nSECxxx", base64: recomputed with an independent tool
        // (python3 hmac/base64).
        assert_eq!(
            dingtalk_sign("SEC7f3e", 1_577_262_236_757),
            "g6EXGNhd5mmRxEt2zG+iHPF6epMbClExOLogToMXHdE="
        );
    }

    #[test]
    fn a_long_matter_is_cut_for_a_text() {
        let long = "关".repeat(40);
        let cut = text_matter(&long);
        assert_eq!(cut.chars().count(), TEXT_MATTER_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(text_matter("短"), "短");
    }

    #[test]
    fn each_person_once() {
        // Unit 1 has co-owners a and b (b the designated voter); a also holds unit 2.
        assert_eq!(recipients(["a", "b", "b", "a", "c"]), vec!["a", "b", "c"]);
    }
}

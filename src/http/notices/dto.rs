//! What the notice operations take and answer.

use super::*;

/// A notice as its addressee reads it.
#[derive(Object, Clone)]
pub struct Notice {
    /// The inbox entry (mark it read with `POST /me/notices/{id}/read`).
    pub id: String,
    pub notice_id: String,
    pub kind: NoticeKind,
    /// Whether an owner's opting out of texts does not cover it (a vote's announcement, a
    /// candidate list's publicity).
    pub statutory: bool,
    pub title: String,
    pub body: String,
    /// Where to act: a path of the pages.
    pub link: String,
    #[oai(skip_serializing_if_is_none)]
    pub estate_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub closes_at: Option<DateTime<Utc>>,
    /// When it was sent (server time).
    pub sent_at: DateTime<Utc>,
    /// Whom it was addressed to: `owner:…`, `committee:…`, `org:…`, `company:…`.
    pub addressee: String,
    /// When the caller read it; absent while unread.
    #[oai(skip_serializing_if_is_none)]
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of the caller's inbox, newest first.
#[derive(Object)]
pub struct Inbox {
    /// How many of the caller's notices it has not read (all of them, not only this page's).
    pub unread: i64,
    pub items: Vec<Notice>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct Unread {
    pub unread: i64,
}

#[derive(Object)]
pub struct Marked {
    /// Notices newly marked read.
    pub marked: i64,
    pub unread: i64,
}

/// An owner's choice about text messages.
#[derive(Object)]
pub struct NoticePreferences {
    /// No texts of non-statutory notices. Statutory ones (a vote's announcement, a candidate
    /// list's publicity) are texted anyway: the law requires every owner be notified.
    pub texts_opted_out: bool,
    /// Whether a mobile number is on record for the caller (read-only: the registry keeps it).
    #[oai(read_only)]
    pub mobile_on_record: bool,
}

#[derive(Object, serde::Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct PreferencesIn {
    pub texts_opted_out: bool,
}

/// The totals of a statutory notice: public, with no one's name.
#[derive(Object, Clone)]
pub struct NoticeTotals {
    pub notice_id: String,
    pub kind: NoticeKind,
    /// When it was sent (server time).
    pub sent_at: DateTime<Utc>,
    /// Whether every owner on the roll has been reached (the fan-out runs after the act).
    pub complete: bool,
    /// Owners whose page carries it (every owner of the estate, each once).
    pub owners: i64,
    /// Texts the provider took or delivered.
    pub texted: i64,
    pub delivered: i64,
    pub failed: i64,
    pub pending: i64,
    /// Owners not texted because no mobile number is on record.
    pub without_mobile: i64,
    /// Owners not texted for another reason (already texted on this matter today, the county's cap).
    pub not_texted_other: i64,
    /// Paper notices posted in the estate and recorded with a photo.
    pub paper_notices: i64,
}

/// One owner's line of the proof.
#[derive(Object)]
pub struct ProofLine {
    pub owner_id: String,
    pub owner_name: String,
    /// When the notice reached the owner's page (server time).
    pub on_page_at: DateTime<Utc>,
    /// The text message, if one was due: absent when texts are off or the notice is not texted.
    #[oai(skip_serializing_if_is_none)]
    pub text: Option<TextProof>,
}

#[derive(Object)]
pub struct TextProof {
    pub status: NoticeDeliveryStatus,
    #[oai(skip_serializing_if_is_none)]
    pub not_sent_reason: Option<NotSentReason>,
    /// The provider (`aliyun`, `log`).
    #[oai(skip_serializing_if_is_none)]
    pub provider: Option<String>,
    /// The provider's request id and its answer's code.
    #[oai(skip_serializing_if_is_none)]
    pub provider_request_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub provider_code: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_at: Option<DateTime<Utc>>,
    /// When the provider's receipt (delivered or failed) was recorded.
    #[oai(skip_serializing_if_is_none)]
    pub answered_at: Option<DateTime<Utc>>,
}

/// The proof of a notice: its totals, paper notices, and a page of owners.
#[derive(Object)]
pub struct NoticeProof {
    pub title: String,
    pub body: String,
    pub totals: NoticeTotals,
    pub paper: Vec<PaperNotice>,
    pub items: Vec<ProofLine>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// A paper notice posted in the estate, with its photos.
#[derive(Object)]
pub struct PaperNotice {
    pub id: String,
    pub notice_id: String,
    /// Where it was posted (e.g. "3栋一单元大堂公告栏").
    pub place: String,
    /// Photos of it posted (attachments).
    pub photo_ids: Vec<String>,
    /// When it was recorded (server time).
    pub recorded_at: DateTime<Utc>,
}

#[derive(Object, serde::Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct PaperIn {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub place: String,
    /// Photos uploaded by the caller (`POST /attachments`), one to nine.
    #[oai(validator(min_items = 1, max_items = 9))]
    pub photo_ids: Vec<String>,
}

#[derive(ApiResponse)]
pub enum PaperCreated {
    #[oai(status = 201)]
    Created(Json<PaperNotice>),
}

/// A county's settings of texts and today's count.
#[derive(Object)]
pub struct NoticeSettings {
    /// Most texts handed to the provider per day (China Standard Time); absent: no cap.
    #[oai(
        skip_serializing_if_is_none,
        validator(minimum(value = "0"), maximum(value = "10000000"))
    )]
    pub daily_text_cap: Option<i32>,
    /// Texts handed to the provider today (read-only).
    #[oai(read_only)]
    pub texts_today: i32,
    /// The service's text transport: `off`, `log` or `aliyun` (read-only: the operator sets it).
    #[oai(read_only)]
    pub transport: String,
}

#[derive(Object, serde::Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NoticeSettingsIn {
    #[oai(validator(minimum(value = "0"), maximum(value = "10000000")))]
    pub daily_text_cap: Option<i32>,
}

/// A text or work-group post, as the county's bureau sees it (no phone number).
#[derive(Object)]
pub struct NoticeDelivery {
    pub id: String,
    pub notice_id: String,
    pub notice_title: String,
    pub channel: NoticeChannel,
    pub addressee: String,
    pub status: NoticeDeliveryStatus,
    #[oai(skip_serializing_if_is_none)]
    pub not_sent_reason: Option<NotSentReason>,
    /// What went wrong, as the provider or the connection said it.
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// An office's work-group robot.
#[derive(Object)]
pub struct WorkGroup {
    pub kind: WorkGroupKind,
    /// The robot's address with its key masked.
    pub url: String,
    /// Whether a signing secret is kept (DingTalk).
    pub signed: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Object, serde::Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct WorkGroupIn {
    pub kind: WorkGroupKind,
    /// The robot's address as WeCom or DingTalk gives it.
    #[oai(validator(min_length = 10, max_length = 500))]
    pub url: String,
    /// DingTalk's signing secret (`SEC…`), if the robot signs.
    #[oai(validator(max_length = 200))]
    pub secret: Option<String>,
}

#[derive(ApiResponse)]
pub enum Deleted {
    #[oai(status = 204)]
    Deleted,
}

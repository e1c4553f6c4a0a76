//! Notices as stored (issue 30): the outbox of raised notices, the inbox (one row per notice and
//! addressee, read marks per reader), and deliveries (texts to owners, posts to work groups)
//! with their leases, the county's daily count of texts, owners' opt-outs, work groups, and
//! paper notices. Phone numbers are not copied here; a text reads the owner's when it is sent.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    notice_deliveries, notice_inbox, notice_opt_outs, notice_reads, notice_settings, notice_text_counts, notices,
    owners, ownerships, paper_notices, work_groups,
};
use super::AnyConnection;
use crate::domain::ids;
use crate::domain::notice::{
    self, Addressee, Audience, NotSentReason, NoticeChannel, NoticeDeliveryStatus as Status, NoticeKind,
};
use crate::error::AppResult;

/// A notice a command raises: written to the outbox as the command commits (`Trail::notify`).
#[derive(Clone, Debug)]
pub struct Raise {
    pub kind: NoticeKind,
    pub county_id: String,
    pub estate_id: Option<String>,
    /// The matter (a vote, a list, minutes …): one text per owner per matter per day.
    pub subject_id: String,
    /// Names the matter (no one's personal data).
    pub title: String,
    /// Its dates and what to do.
    pub body: String,
    /// Where to act: a path of the pages.
    pub link: String,
    /// When the matter closes, if it does (texts may then go in quiet hours within 24 hours).
    pub closes_at: Option<NaiveDateTime>,
    pub audience: Audience,
    /// When it is to go out, if later than now (a vote closing within a day).
    pub at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = notices)]
pub struct NoticeRow {
    pub id: String,
    pub kind: String,
    pub county_id: String,
    pub estate_id: Option<String>,
    pub subject_id: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub closes_at: Option<NaiveDateTime>,
    pub audience: String,
    pub created_at: NaiveDateTime,
    pub available_at: NaiveDateTime,
    pub fan_cursor: Option<String>,
    pub fanned_out: bool,
    pub recipients: i32,
}

impl NoticeRow {
    pub fn kind(&self) -> AppResult<NoticeKind> {
        super::terms::stored(&self.kind)
    }

    /// When it was (or is to be) sent: the later of raising and its scheduled time.
    pub fn sent_at(&self) -> NaiveDateTime {
        self.available_at.max(self.created_at)
    }
}

/// Wakes this process's notice worker when a command has raised notices.
pub static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Writes raised notices to the outbox. Call inside the command's transaction.
pub fn raise(conn: &mut AnyConnection, raised: &[Raise]) -> AppResult<()> {
    let now = ids::now();
    let rows: Vec<NoticeRow> = raised
        .iter()
        .map(|r| NoticeRow {
            id: ids::new_id(),
            kind: r.kind.as_str().into(),
            county_id: r.county_id.clone(),
            estate_id: r.estate_id.clone(),
            subject_id: r.subject_id.clone(),
            title: r.title.clone(),
            body: r.body.clone(),
            link: r.link.clone(),
            closes_at: r.closes_at,
            audience: r.audience.key(),
            created_at: now,
            available_at: r.at.unwrap_or(now).max(now),
            fan_cursor: None,
            fanned_out: false,
            recipients: 0,
        })
        .collect();
    super::insert_batch!(conn, notices::table, rows)?;
    Ok(())
}

/// A scheduled notice of a matter that has not gone out yet.
macro_rules! waiting {
    ($subject:expr, $kind:expr) => {
        notices::table
            .filter(notices::subject_id.eq($subject.to_string()))
            .filter(notices::kind.eq($kind.as_str()))
            .filter(notices::fanned_out.eq(false))
            .filter(notices::fan_cursor.is_null())
    };
}

/// Moves a scheduled notice (a vote extended: its closing reminder and close move with it).
pub fn reschedule(
    conn: &mut AnyConnection,
    subject_id: &str,
    kind: NoticeKind,
    at: NaiveDateTime,
    closes_at: NaiveDateTime,
    body: &str,
) -> AppResult<usize> {
    Ok(diesel::update(waiting!(subject_id, kind))
        .set((
            notices::available_at.eq(at),
            notices::closes_at.eq(Some(closes_at)),
            notices::body.eq(body),
        ))
        .execute(conn)?)
}

/// Cancels a scheduled notice that has not gone out (an action item done before its day).
pub fn cancel(conn: &mut AnyConnection, subject_id: &str, kind: NoticeKind) -> AppResult<usize> {
    Ok(diesel::delete(waiting!(subject_id, kind)).execute(conn)?)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<NoticeRow>> {
    Ok(notices::table
        .find(id)
        .select(NoticeRow::as_select())
        .first(conn)
        .optional()?)
}

/// The statutory notice of a matter (a vote's announcement, a list's publicity), if raised.
pub fn statutory_of(conn: &mut AnyConnection, subject_id: &str) -> AppResult<Option<NoticeRow>> {
    Ok(notices::table
        .filter(notices::subject_id.eq(subject_id))
        .filter(notices::kind.eq_any([NoticeKind::VoteAnnounced.as_str(), NoticeKind::CandidateList.as_str()]))
        .order(notices::id.asc())
        .select(NoticeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Notices due and not fully fanned out, oldest first.
pub fn due(conn: &mut AnyConnection, now: NaiveDateTime, limit: i64) -> AppResult<Vec<String>> {
    Ok(notices::table
        .filter(notices::fanned_out.eq(false))
        .filter(notices::available_at.le(now))
        .order(notices::available_at.asc())
        .limit(limit)
        .select(notices::id)
        .load(conn)?)
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = notice_inbox)]
pub struct InboxRow {
    pub id: String,
    pub notice_id: String,
    pub addressee: String,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = notice_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub notice_id: String,
    pub county_id: String,
    pub channel: String,
    pub addressee: String,
    pub once_key: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub attempts: i32,
    pub available_at: NaiveDateTime,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub provider: Option<String>,
    pub provider_request_id: Option<String>,
    pub provider_message_id: Option<String>,
    pub provider_code: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub answered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl DeliveryRow {
    fn new(n: &NoticeRow, channel: NoticeChannel, addressee: &str, now: NaiveDateTime) -> DeliveryRow {
        DeliveryRow {
            id: ids::new_id(),
            notice_id: n.id.clone(),
            county_id: n.county_id.clone(),
            channel: channel.as_str().into(),
            addressee: addressee.into(),
            once_key: None,
            status: Status::Pending.as_str().into(),
            reason: None,
            attempts: 0,
            available_at: now,
            lease_owner: None,
            lease_until: None,
            provider: None,
            provider_request_id: None,
            provider_message_id: None,
            provider_code: None,
            sent_at: None,
            answered_at: None,
            created_at: now,
        }
    }

    fn not_sent(mut self, why: NotSentReason) -> DeliveryRow {
        self.status = Status::NotSent.as_str().into();
        self.reason = Some(why.as_str().into());
        self
    }

    pub fn status(&self) -> AppResult<Status> {
        super::terms::stored(&self.status)
    }

    pub fn channel(&self) -> AppResult<NoticeChannel> {
        super::terms::stored(&self.channel)
    }
}

/// An owner of the audience, as fan-out needs them.
struct Reached {
    owner_id: String,
    has_mobile: bool,
    opted_out: bool,
}

/// The next `limit` current owners of an estate after `after`, by id, each once.
fn owners_after(conn: &mut AnyConnection, estate_id: &str, after: &str, limit: i64) -> AppResult<Vec<Reached>> {
    let ids: Vec<String> = ownerships::table
        .filter(ownerships::estate_id.eq(estate_id))
        .filter(ownerships::ended_at.is_null())
        .filter(ownerships::owner_id.gt(after))
        .select(ownerships::owner_id)
        .distinct()
        .order(ownerships::owner_id.asc())
        .limit(limit)
        .load(conn)?;
    reached(conn, ids)
}

/// Whether each owner has a mobile number on record and has opted out (the number itself is
/// not read here).
fn reached(conn: &mut AnyConnection, ids: Vec<String>) -> AppResult<Vec<Reached>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let with_mobile: std::collections::HashSet<String> = owners::table
        .filter(owners::id.eq_any(&ids))
        .filter(owners::phone.is_not_null())
        .filter(owners::phone.ne(""))
        .select(owners::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let opted: std::collections::HashSet<String> = notice_opt_outs::table
        .filter(notice_opt_outs::owner_id.eq_any(&ids))
        .select(notice_opt_outs::owner_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    Ok(ids
        .into_iter()
        .map(|owner_id| Reached {
            has_mobile: with_mobile.contains(&owner_id),
            opted_out: opted.contains(&owner_id),
            owner_id,
        })
        .collect())
}

/// Fans out the next chunk of a notice: inbox rows, and texts (`texts`: a transport is
/// configured) and work-group posts. The first chunk takes the named addressees, the next ones
/// the estate's owners after the cursor, `chunk` at a time. The notice row is locked for the
/// chunk and its cursor moves in the same transaction, so a chunk is fanned out once whichever
/// replica does it, and a kill -9 between chunks resumes at the cursor. Call in a write
/// transaction of its own. Returns the addressees reached, `None` when the notice is done.
pub fn fan_out_chunk(
    conn: &mut AnyConnection,
    notice_id: &str,
    now: NaiveDateTime,
    chunk: i64,
    texts: bool,
) -> AppResult<Option<usize>> {
    let Some(n): Option<NoticeRow> = super::first_for_change!(
        conn,
        notices::table
            .find(notice_id.to_string())
            .select(NoticeRow::as_select())
    )?
    else {
        return Ok(None);
    };
    if n.fanned_out {
        return Ok(None);
    }
    let kind = n.kind()?;
    let audience = Audience::parse(&n.audience);
    let mut inbox = Vec::new();
    let mut deliveries = Vec::new();
    let mut owners = Vec::new();
    let cursor = match &n.fan_cursor {
        None => {
            let groups: std::collections::HashSet<String> = work_groups::table
                .filter(work_groups::addressee.eq_any(audience.addressees.iter().map(Addressee::key)))
                .select(work_groups::addressee)
                .load::<String>(conn)?
                .into_iter()
                .collect();
            let mut single = Vec::new();
            for a in &audience.addressees {
                let key = a.key();
                inbox.push(key.clone());
                match a {
                    Addressee::Owner(id) => single.push(id.clone()),
                    _ if groups.contains(&key) => {
                        deliveries.push(DeliveryRow::new(&n, NoticeChannel::WorkGroup, &key, now))
                    }
                    _ => {}
                }
            }
            owners = reached(conn, single)?;
            String::new()
        }
        Some(c) => c.clone(),
    };
    let named: std::collections::HashSet<String> = audience.addressees.iter().map(Addressee::key).collect();
    let mut last = None;
    let mut done = true;
    if let (Some(estate), true) = (&audience.estate_owners, n.fan_cursor.is_some()) {
        let more = owners_after(conn, estate, &cursor, chunk)?;
        done = (more.len() as i64) < chunk;
        last = more.last().map(|r| r.owner_id.clone());
        owners.extend(
            more.into_iter()
                .filter(|r| !named.contains(&Addressee::Owner(r.owner_id.clone()).key())),
        );
        inbox.extend(owners.iter().map(|r| Addressee::Owner(r.owner_id.clone()).key()));
    } else if audience.estate_owners.is_some() {
        // The first chunk took the named addressees; the owners follow from the start.
        done = false;
        last = Some(String::new());
    }
    if texts {
        deliveries.extend(texts_for(conn, &n, kind, &owners, now)?);
    }
    let reached = inbox.len();
    let rows: Vec<InboxRow> = inbox
        .into_iter()
        .map(|addressee| InboxRow {
            id: ids::new_id(),
            notice_id: n.id.clone(),
            addressee,
            created_at: now,
        })
        .collect();
    super::insert_batch!(conn, notice_inbox::table, rows)?;
    super::insert_batch!(conn, notice_deliveries::table, deliveries)?;
    diesel::update(notices::table.find(&n.id))
        .set((
            notices::fan_cursor.eq(last.or(Some(cursor))),
            notices::fanned_out.eq(done),
            notices::recipients.eq(n.recipients + reached as i32),
        ))
        .execute(conn)?;
    Ok(Some(reached))
}

/// The texts of a chunk of owners: one per owner who may get one, due when quiet hours allow,
/// keyed so that an owner gets one text per matter per local day (the unique key holds across
/// replicas). For a statutory notice the owners not texted are recorded too, with the reason:
/// that is the proof, owner by owner.
fn texts_for(
    conn: &mut AnyConnection,
    n: &NoticeRow,
    kind: NoticeKind,
    owners: &[Reached],
    now: NaiveDateTime,
) -> AppResult<Vec<DeliveryRow>> {
    let at = notice::next_text_time(now, n.closes_at);
    let keys: Vec<String> = owners
        .iter()
        .map(|r| notice::text_key(&r.owner_id, &n.subject_id, at))
        .collect();
    let taken: std::collections::HashSet<String> = if keys.is_empty() {
        Default::default()
    } else {
        notice_deliveries::table
            .filter(notice_deliveries::once_key.eq_any(&keys))
            .select(notice_deliveries::once_key.assume_not_null())
            .load::<String>(conn)?
            .into_iter()
            .collect()
    };
    let mut out = Vec::new();
    for (r, key) in owners.iter().zip(keys) {
        let addressee = Addressee::Owner(r.owner_id.clone()).key();
        let row = DeliveryRow::new(n, NoticeChannel::Sms, &addressee, now);
        let why = if !notice::texts_owner(kind, r.opted_out) {
            NotSentReason::OptedOut
        } else if !r.has_mobile {
            NotSentReason::NoMobile
        } else if taken.contains(&key) {
            NotSentReason::AlreadyTexted
        } else {
            out.push(DeliveryRow {
                once_key: Some(key),
                available_at: at,
                ..row
            });
            continue;
        };
        if kind.statutory() {
            out.push(row.not_sent(why));
        }
    }
    Ok(out)
}

/// A delivery claimed for sending, with what it needs.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub notice: NoticeRow,
    /// For a text: the owner's mobile number, read now (never stored with the delivery).
    pub phone: Option<String>,
    /// For a work-group post: the office's robot.
    pub group: Option<WorkGroupRow>,
    /// A text that was being handed over when its last holder stopped (crash): it may have gone.
    pub was_sending: bool,
}

/// "Not due again": an accepted text whose provider gives no receipt. (A fixed far date, not
/// `NaiveDateTime::MAX`, whose text form would sort before today's on SQLite.)
pub fn never() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date")
}

/// Deliveries due: pending ones to send, accepted ones whose receipt is to be asked for; none
/// under a live lease. Oldest first.
pub fn due_deliveries(conn: &mut AnyConnection, now: NaiveDateTime, limit: i64) -> AppResult<Vec<String>> {
    Ok(notice_deliveries::table
        .filter(notice_deliveries::status.eq_any([Status::Pending.as_str(), Status::Accepted.as_str()]))
        .filter(notice_deliveries::available_at.le(now))
        .filter(
            notice_deliveries::lease_until
                .is_null()
                .or(notice_deliveries::lease_until.lt(now)),
        )
        .order(notice_deliveries::available_at.asc())
        .limit(limit)
        .select(notice_deliveries::id)
        .load(conn)?)
}

/// Claims deliveries for `worker` until `lease_until`, a round at once (a handful of statements
/// whatever its size: the writer is shared with the ballots). The conditional update is the
/// claim: of two replicas the second updates nothing, and each loads only the rows it leased. A
/// text about to be handed to the provider for the first time counts against its county's daily
/// cap here, under the count's row lock, so the cap is reached exactly whichever replicas send;
/// those over the cap are not sent (and can be retried by hand). Call in a write transaction.
pub fn claim(
    conn: &mut AnyConnection,
    ids: &[String],
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    provider: &str,
) -> AppResult<Vec<Claimed>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let live = [Status::Pending.as_str(), Status::Accepted.as_str()];
    diesel::update(
        notice_deliveries::table
            .filter(notice_deliveries::id.eq_any(ids))
            .filter(notice_deliveries::status.eq_any(live))
            .filter(
                notice_deliveries::lease_until
                    .is_null()
                    .or(notice_deliveries::lease_until.lt(now)),
            ),
    )
    .set((
        notice_deliveries::lease_owner.eq(worker),
        notice_deliveries::lease_until.eq(lease_until),
    ))
    .execute(conn)?;
    let mut rows: Vec<(DeliveryRow, NoticeRow)> = notice_deliveries::table
        .inner_join(notices::table.on(notices::id.eq(notice_deliveries::notice_id)))
        .filter(notice_deliveries::id.eq_any(ids))
        .filter(notice_deliveries::lease_owner.eq(worker))
        .filter(notice_deliveries::lease_until.eq(lease_until))
        .order(notice_deliveries::available_at.asc())
        .select((DeliveryRow::as_select(), NoticeRow::as_select()))
        .load(conn)?;
    let pending = |d: &DeliveryRow| d.status == Status::Pending.as_str();
    let is_text = |d: &DeliveryRow| d.channel == NoticeChannel::Sms.as_str();
    // The cap: texts handed over for the first time, per county, in order.
    let mut over = Vec::new();
    let mut first: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (d, _) in &rows {
        if is_text(d) && pending(d) && d.sent_at.is_none() && d.attempts == 0 {
            first.entry(d.county_id.clone()).or_default().push(d.id.clone());
        }
    }
    for (county, wanting) in first {
        let allowed = take_from_cap(conn, &county, now, wanting.len())?;
        over.extend(wanting.into_iter().skip(allowed));
    }
    if !over.is_empty() {
        diesel::update(notice_deliveries::table.filter(notice_deliveries::id.eq_any(&over)))
            .set((
                notice_deliveries::status.eq(Status::NotSent.as_str()),
                notice_deliveries::reason.eq(NotSentReason::CapReached.as_str()),
                notice_deliveries::lease_owner.eq(None::<String>),
                notice_deliveries::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        rows.retain(|(d, _)| !over.contains(&d.id));
    }
    // Marked as being handed over, committed with the claim, before the requests go.
    let sending: Vec<&str> = rows
        .iter()
        .filter(|(d, _)| pending(d))
        .map(|(d, _)| d.id.as_str())
        .collect();
    if !sending.is_empty() {
        diesel::update(notice_deliveries::table.filter(notice_deliveries::id.eq_any(&sending)))
            .set((
                notice_deliveries::provider.eq(Some(provider)),
                notice_deliveries::attempts.eq(notice_deliveries::attempts + 1),
            ))
            .execute(conn)?;
        diesel::update(
            notice_deliveries::table
                .filter(notice_deliveries::id.eq_any(&sending))
                .filter(notice_deliveries::sent_at.is_null()),
        )
        .set(notice_deliveries::sent_at.eq(Some(now)))
        .execute(conn)?;
    }
    // What the senders need: the owners' numbers, read now, and the offices' robots.
    let owners_: Vec<String> = rows
        .iter()
        .filter(|(d, _)| is_text(d))
        .filter_map(|(d, _)| d.addressee.strip_prefix("owner:").map(String::from))
        .collect();
    let phones: std::collections::HashMap<String, String> = if owners_.is_empty() {
        Default::default()
    } else {
        owners::table
            .filter(owners::id.eq_any(&owners_))
            .select((owners::id, owners::phone))
            .load::<(String, Option<String>)>(conn)?
            .into_iter()
            .filter_map(|(id, p)| Some((id, p.filter(|p| !p.is_empty())?)))
            .collect()
    };
    let offices: Vec<String> = rows
        .iter()
        .filter(|(d, _)| !is_text(d))
        .map(|(d, _)| d.addressee.clone())
        .collect();
    let groups: std::collections::HashMap<String, WorkGroupRow> = if offices.is_empty() {
        Default::default()
    } else {
        work_groups::table
            .filter(work_groups::addressee.eq_any(&offices))
            .select(WorkGroupRow::as_select())
            .load::<WorkGroupRow>(conn)?
            .into_iter()
            .map(|g| (g.addressee.clone(), g))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|(delivery, notice)| Claimed {
            was_sending: pending(&delivery) && delivery.sent_at.is_some(),
            phone: delivery
                .addressee
                .strip_prefix("owner:")
                .filter(|_| is_text(&delivery))
                .and_then(|o| phones.get(o).cloned()),
            group: groups.get(&delivery.addressee).cloned(),
            delivery,
            notice,
        })
        .collect())
}

/// Counts up to `wanted` texts against the county's cap for today (China Standard Time);
/// returns how many fit.
fn take_from_cap(conn: &mut AnyConnection, county_id: &str, now: NaiveDateTime, wanted: usize) -> AppResult<usize> {
    let day = ids::local_date(now);
    let cap = daily_cap(conn, county_id)?;
    super::each_backend!(conn, c => diesel::insert_into(notice_text_counts::table)
        .values((
            notice_text_counts::county_id.eq(county_id),
            notice_text_counts::day.eq(day),
            notice_text_counts::sent.eq(0),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    let sent: i32 = super::first_for_change!(
        conn,
        notice_text_counts::table
            .find((county_id.to_string(), day))
            .select(notice_text_counts::sent)
    )?
    .unwrap_or(0);
    let mut allowed = 0;
    while allowed < wanted && notice::under_cap((sent.max(0) as u64) + allowed as u64, cap.map(|c| c.max(0) as u64)) {
        allowed += 1;
    }
    if allowed > 0 {
        diesel::update(notice_text_counts::table.find((county_id.to_string(), day)))
            .set(notice_text_counts::sent.eq(sent + allowed as i32))
            .execute(conn)?;
    }
    Ok(allowed)
}

/// What an attempt or a receipt came to.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The provider took it: its request id and its own id of the message; the receipt is
    /// asked for at `check_at` (`None`: the provider gives none).
    Accepted {
        request_id: Option<String>,
        message_id: Option<String>,
        check_at: Option<NaiveDateTime>,
    },
    Delivered {
        code: Option<String>,
    },
    Failed {
        code: Option<String>,
        message: String,
    },
    /// Not known yet, or a failure worth another try: again at `at`. `unsent`: it surely did
    /// not reach the provider (the next attempt need not ask first).
    Again {
        at: NaiveDateTime,
        message: String,
        unsent: bool,
    },
}

/// Records the outcome of a delivery this worker holds (a worker whose lease was taken over
/// records nothing). Returns whether it was recorded.
pub fn record(conn: &mut AnyConnection, id: &str, worker: &str, at: NaiveDateTime, o: &Outcome) -> AppResult<bool> {
    let q = notice_deliveries::table
        .filter(notice_deliveries::id.eq(id))
        .filter(notice_deliveries::lease_owner.eq(worker));
    let release = (
        notice_deliveries::lease_owner.eq(None::<String>),
        notice_deliveries::lease_until.eq(None::<NaiveDateTime>),
    );
    let n = match o {
        Outcome::Accepted {
            request_id,
            message_id,
            check_at,
        } => diesel::update(q)
            .set((
                release,
                notice_deliveries::status.eq(Status::Accepted.as_str()),
                notice_deliveries::provider_request_id.eq(request_id),
                notice_deliveries::provider_message_id.eq(message_id),
                notice_deliveries::provider_code.eq(Some("OK")),
                // No receipt to ask for: it is left accepted, and not due again.
                notice_deliveries::available_at.eq(check_at.unwrap_or_else(never)),
                notice_deliveries::reason.eq(None::<String>),
            ))
            .execute(conn)?,
        Outcome::Delivered { code } => diesel::update(q)
            .set((
                release,
                notice_deliveries::status.eq(Status::Delivered.as_str()),
                notice_deliveries::provider_code.eq(code),
                notice_deliveries::answered_at.eq(Some(at)),
            ))
            .execute(conn)?,
        Outcome::Failed { code, message } => diesel::update(q)
            .set((
                release,
                notice_deliveries::status.eq(Status::Failed.as_str()),
                notice_deliveries::provider_code.eq(code),
                notice_deliveries::reason.eq(Some(cut(message))),
                notice_deliveries::answered_at.eq(Some(at)),
            ))
            .execute(conn)?,
        Outcome::Again {
            at: when,
            message,
            unsent,
        } => {
            if *unsent {
                diesel::update(q)
                    .set(notice_deliveries::sent_at.eq(None::<NaiveDateTime>))
                    .execute(conn)?;
            }
            diesel::update(q)
                .set((
                    release,
                    notice_deliveries::available_at.eq(*when),
                    notice_deliveries::reason.eq(Some(cut(message))),
                ))
                .execute(conn)?
        }
    };
    Ok(n == 1)
}

/// Records the outcomes of a round, in one transaction.
pub fn record_all(
    conn: &mut AnyConnection,
    worker: &str,
    at: NaiveDateTime,
    outcomes: &[(String, Outcome)],
) -> AppResult<usize> {
    let mut n = 0;
    for (id, o) in outcomes {
        n += record(conn, id, worker, at, o)? as usize;
    }
    Ok(n)
}

fn cut(s: &str) -> String {
    s.chars().take(300).collect()
}

/// Sends a failed or unsent delivery again (by hand): pending, due now, counted afresh.
pub fn retry(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::update(
        notice_deliveries::table
            .filter(notice_deliveries::id.eq(id))
            .filter(notice_deliveries::status.eq_any([Status::Failed.as_str(), Status::NotSent.as_str()])),
    )
    .set((
        notice_deliveries::status.eq(Status::Pending.as_str()),
        notice_deliveries::reason.eq(None::<String>),
        notice_deliveries::available_at.eq(now),
        notice_deliveries::sent_at.eq(None::<NaiveDateTime>),
        notice_deliveries::attempts.eq(0),
    ))
    .execute(conn)?)
}

pub fn delivery(conn: &mut AnyConnection, id: &str) -> AppResult<Option<DeliveryRow>> {
    Ok(notice_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// A county's deliveries in these statuses, newest first, after `before` (an id).
pub fn deliveries_of_county(
    conn: &mut AnyConnection,
    county_id: &str,
    statuses: &[Status],
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<(DeliveryRow, NoticeRow)>> {
    let mut q = notice_deliveries::table
        .inner_join(notices::table.on(notices::id.eq(notice_deliveries::notice_id)))
        .filter(notice_deliveries::county_id.eq(county_id))
        .filter(notice_deliveries::status.eq_any(statuses.iter().map(|s| s.as_str())))
        .order(notice_deliveries::id.desc())
        .limit(limit)
        .select((DeliveryRow::as_select(), NoticeRow::as_select()))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(notice_deliveries::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}

// ---- the inbox ----

/// One row of someone's inbox, with its notice and whether this reader has read it.
pub struct Mine {
    pub inbox: InboxRow,
    pub notice: NoticeRow,
    pub read_at: Option<NaiveDateTime>,
}

/// The inbox of these addressees for `reader`, newest first, before `before` (an inbox id).
/// One query per addressee (a person has a few: their own, and their offices'), each walking
/// the index `(addressee, id)` backwards for at most `limit` rows, merged here: a page costs the
/// same with ten notices or ten thousand (an `IN` over several addressees would sort them all).
pub fn inbox(
    conn: &mut AnyConnection,
    addressees: &[String],
    reader: &str,
    before: Option<&str>,
    unread_only: bool,
    limit: i64,
) -> AppResult<Vec<Mine>> {
    let mut out = Vec::new();
    for a in addressees {
        let mut q = notice_inbox::table
            .inner_join(notices::table)
            .left_join(
                notice_reads::table.on(notice_reads::inbox_id
                    .eq(notice_inbox::id)
                    .and(notice_reads::reader_id.eq(reader.to_string()))),
            )
            .filter(notice_inbox::addressee.eq(a.clone()))
            .order(notice_inbox::id.desc())
            .limit(limit)
            .select((
                InboxRow::as_select(),
                NoticeRow::as_select(),
                notice_reads::read_at.nullable(),
            ))
            .into_boxed();
        if let Some(b) = before {
            q = q.filter(notice_inbox::id.lt(b.to_string()));
        }
        if unread_only {
            q = q.filter(notice_reads::read_at.is_null());
        }
        out.extend(
            q.load::<(InboxRow, NoticeRow, Option<NaiveDateTime>)>(conn)?
                .into_iter()
                .map(|(inbox, notice, read_at)| Mine { inbox, notice, read_at }),
        );
    }
    out.sort_by(|x, y| y.inbox.id.cmp(&x.inbox.id));
    out.truncate(limit.max(0) as usize);
    Ok(out)
}

/// How many of these addressees' notices `reader` has not read.
pub fn unread(conn: &mut AnyConnection, addressees: &[String], reader: &str) -> AppResult<i64> {
    if addressees.is_empty() {
        return Ok(0);
    }
    let all: i64 = notice_inbox::table
        .filter(notice_inbox::addressee.eq_any(addressees.to_vec()))
        .count()
        .get_result(conn)?;
    let read: i64 = notice_reads::table
        .inner_join(notice_inbox::table.on(notice_inbox::id.eq(notice_reads::inbox_id)))
        .filter(notice_reads::reader_id.eq(reader))
        .filter(notice_inbox::addressee.eq_any(addressees.to_vec()))
        .count()
        .get_result(conn)?;
    Ok(all - read)
}

/// An inbox row, if it is addressed to one of these.
pub fn inbox_row(conn: &mut AnyConnection, id: &str, addressees: &[String]) -> AppResult<Option<InboxRow>> {
    Ok(notice_inbox::table
        .find(id)
        .filter(notice_inbox::addressee.eq_any(addressees.to_vec()))
        .select(InboxRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks inbox rows read by `reader` (those already read stay as they were). Returns how many
/// were newly marked.
pub fn mark_read(conn: &mut AnyConnection, inbox_ids: &[String], reader: &str, at: NaiveDateTime) -> AppResult<usize> {
    if inbox_ids.is_empty() {
        return Ok(0);
    }
    let done: std::collections::HashSet<String> = notice_reads::table
        .filter(notice_reads::reader_id.eq(reader))
        .filter(notice_reads::inbox_id.eq_any(inbox_ids))
        .select(notice_reads::inbox_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let rows: Vec<_> = inbox_ids
        .iter()
        .filter(|id| !done.contains(*id))
        .map(|id| {
            (
                notice_reads::inbox_id.eq(id.clone()),
                notice_reads::reader_id.eq(reader.to_string()),
                notice_reads::read_at.eq(at),
            )
        })
        .collect();
    super::insert_batch!(conn, notice_reads::table, rows)
}

/// The unread inbox ids of these addressees for `reader`.
pub fn unread_ids(conn: &mut AnyConnection, addressees: &[String], reader: &str) -> AppResult<Vec<String>> {
    if addressees.is_empty() {
        return Ok(vec![]);
    }
    Ok(notice_inbox::table
        .left_join(
            notice_reads::table.on(notice_reads::inbox_id
                .eq(notice_inbox::id)
                .and(notice_reads::reader_id.eq(reader.to_string()))),
        )
        .filter(notice_inbox::addressee.eq_any(addressees.to_vec()))
        .filter(notice_reads::read_at.is_null())
        .select(notice_inbox::id)
        .load(conn)?)
}

// ---- proof ----

/// One owner's line of the proof of a notice: the page, and the text if any.
pub struct ProofLine {
    pub owner_id: String,
    pub owner_name: String,
    pub on_page_at: NaiveDateTime,
    pub text: Option<DeliveryRow>,
}

/// The proof of a notice, owner by owner (by owner id, after `after`).
pub fn proof(conn: &mut AnyConnection, notice_id: &str, after: Option<&str>, limit: i64) -> AppResult<Vec<ProofLine>> {
    let mut q = notice_inbox::table
        .filter(notice_inbox::notice_id.eq(notice_id))
        .filter(notice_inbox::addressee.like("owner:%"))
        .order(notice_inbox::addressee.asc())
        .limit(limit)
        .select(InboxRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(notice_inbox::addressee.gt(Addressee::Owner(a.to_string()).key()));
    }
    let rows: Vec<InboxRow> = q.load(conn)?;
    let keys: Vec<String> = rows.iter().map(|r| r.addressee.clone()).collect();
    let owner_ids: Vec<String> = keys
        .iter()
        .filter_map(|k| k.strip_prefix("owner:").map(String::from))
        .collect();
    let names: std::collections::HashMap<String, String> = owners::table
        .filter(owners::id.eq_any(&owner_ids))
        .select((owners::id, owners::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut texts: std::collections::HashMap<String, DeliveryRow> = notice_deliveries::table
        .filter(notice_deliveries::notice_id.eq(notice_id))
        .filter(notice_deliveries::addressee.eq_any(&keys))
        .select(DeliveryRow::as_select())
        .load::<DeliveryRow>(conn)?
        .into_iter()
        .map(|d| (d.addressee.clone(), d))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let owner_id = r.addressee.strip_prefix("owner:")?.to_string();
            Some(ProofLine {
                owner_name: names.get(&owner_id).cloned().unwrap_or_default(),
                text: texts.remove(&r.addressee),
                on_page_at: r.created_at,
                owner_id,
            })
        })
        .collect())
}

/// The totals of a notice's proof.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// Owners whose inbox has it.
    pub owners: i64,
    /// Texts by status, and not sent by reason.
    pub by_status: Vec<(String, i64)>,
    pub by_reason: Vec<(String, i64)>,
    pub paper: i64,
}

pub fn totals(conn: &mut AnyConnection, notice_id: &str) -> AppResult<Totals> {
    let owners: i64 = notice_inbox::table
        .filter(notice_inbox::notice_id.eq(notice_id))
        .filter(notice_inbox::addressee.like("owner:%"))
        .count()
        .get_result(conn)?;
    let rows: Vec<(String, Option<String>, i64)> = notice_deliveries::table
        .filter(notice_deliveries::notice_id.eq(notice_id))
        .filter(notice_deliveries::channel.eq(NoticeChannel::Sms.as_str()))
        .group_by((notice_deliveries::status, notice_deliveries::reason))
        .select((
            notice_deliveries::status,
            notice_deliveries::reason,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut by_status = std::collections::BTreeMap::<String, i64>::new();
    let mut by_reason = std::collections::BTreeMap::<String, i64>::new();
    for (s, r, n) in rows {
        if s == Status::NotSent.as_str() {
            *by_reason.entry(r.unwrap_or_default()).or_default() += n;
        }
        *by_status.entry(s).or_default() += n;
    }
    let paper: i64 = paper_notices::table
        .filter(paper_notices::notice_id.eq(notice_id))
        .count()
        .get_result(conn)?;
    Ok(Totals {
        owners,
        by_status: by_status.into_iter().collect(),
        by_reason: by_reason.into_iter().collect(),
        paper,
    })
}

// ---- settings, opt-outs, work groups, paper ----

pub fn daily_cap(conn: &mut AnyConnection, county_id: &str) -> AppResult<Option<i32>> {
    Ok(notice_settings::table
        .find(county_id)
        .select(notice_settings::daily_text_cap)
        .first::<Option<i32>>(conn)
        .optional()?
        .flatten())
}

pub fn set_daily_cap(conn: &mut AnyConnection, county_id: &str, cap: Option<i32>, at: NaiveDateTime) -> AppResult<()> {
    diesel::delete(notice_settings::table.find(county_id)).execute(conn)?;
    diesel::insert_into(notice_settings::table)
        .values((
            notice_settings::county_id.eq(county_id),
            notice_settings::daily_text_cap.eq(cap),
            notice_settings::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Texts handed to the provider for a county on a local day.
pub fn texts_on(conn: &mut AnyConnection, county_id: &str, day: NaiveDate) -> AppResult<i32> {
    Ok(notice_text_counts::table
        .find((county_id.to_string(), day))
        .select(notice_text_counts::sent)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

pub fn opted_out(conn: &mut AnyConnection, owner_id: &str) -> AppResult<bool> {
    Ok(notice_opt_outs::table.find(owner_id).count().get_result::<i64>(conn)? > 0)
}

pub fn set_opted_out(conn: &mut AnyConnection, owner_id: &str, out: bool, at: NaiveDateTime) -> AppResult<()> {
    diesel::delete(notice_opt_outs::table.find(owner_id)).execute(conn)?;
    if out {
        diesel::insert_into(notice_opt_outs::table)
            .values((
                notice_opt_outs::owner_id.eq(owner_id),
                notice_opt_outs::opted_out_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = work_groups)]
pub struct WorkGroupRow {
    pub addressee: String,
    pub county_id: String,
    pub kind: String,
    pub url: String,
    pub secret: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn work_group(conn: &mut AnyConnection, addressee: &str) -> AppResult<Option<WorkGroupRow>> {
    Ok(work_groups::table
        .find(addressee)
        .select(WorkGroupRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn set_work_group(conn: &mut AnyConnection, addressee: &str, row: Option<&WorkGroupRow>) -> AppResult<()> {
    diesel::delete(work_groups::table.find(addressee)).execute(conn)?;
    if let Some(r) = row {
        diesel::insert_into(work_groups::table).values(r).execute(conn)?;
    }
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = paper_notices)]
pub struct PaperRow {
    pub id: String,
    pub notice_id: String,
    pub place: String,
    /// A JSON array of attachment ids.
    pub photos: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

pub fn insert_paper(conn: &mut AnyConnection, p: &PaperRow) -> AppResult<()> {
    diesel::insert_into(paper_notices::table).values(p).execute(conn)?;
    Ok(())
}

pub fn papers(conn: &mut AnyConnection, notice_id: &str) -> AppResult<Vec<PaperRow>> {
    Ok(paper_notices::table
        .filter(paper_notices::notice_id.eq(notice_id))
        .order(paper_notices::recorded_at.asc())
        .limit(100)
        .select(PaperRow::as_select())
        .load(conn)?)
}

/// Which of these matters already had a notice of this kind raised (an overdue deadline is
/// notified once).
pub fn raised(
    conn: &mut AnyConnection,
    kind: NoticeKind,
    subjects: &[String],
) -> AppResult<std::collections::HashSet<String>> {
    if subjects.is_empty() {
        return Ok(Default::default());
    }
    Ok(notices::table
        .filter(notices::kind.eq(kind.as_str()))
        .filter(notices::subject_id.eq_any(subjects))
        .select(notices::subject_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

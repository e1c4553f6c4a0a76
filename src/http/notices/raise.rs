//! How a command raises a notice: the matter's name, its dates in China Standard Time, where to
//! act, and whom it concerns — an estate's owners with its committee and community, one owner, or
//! offices. One place for the wording of each kind.

use chrono::NaiveDateTime;

use crate::db::estates::EstateRow;
use crate::db::notices::Raise;
use crate::domain::notice::{Addressee, Audience, NoticeKind};
use crate::domain::registry::county_of;

/// An instant as people in the estate read it: `2026-12-20 18:00` (China Standard Time).
pub fn local(t: NaiveDateTime) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

/// What a notice says.
pub struct About {
    pub kind: NoticeKind,
    pub subject_id: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub closes_at: Option<NaiveDateTime>,
}

impl About {
    pub fn new(kind: NoticeKind, subject_id: &str, title: String, body: String, link: String) -> About {
        About {
            kind,
            subject_id: subject_id.to_string(),
            title,
            body,
            link,
            closes_at: None,
        }
    }

    pub fn closing(mut self, at: NaiveDateTime) -> About {
        self.closes_at = Some(at);
        self
    }

    fn raise(self, county_id: String, estate_id: Option<String>, audience: Audience) -> Raise {
        Raise {
            kind: self.kind,
            county_id,
            estate_id,
            subject_id: self.subject_id,
            title: self.title,
            body: self.body,
            link: self.link,
            closes_at: self.closes_at,
            audience,
            at: None,
        }
    }
}

/// The offices of an estate that hear of what its owners are told: its committee and its community.
fn estate_offices(e: &EstateRow) -> [Addressee; 2] {
    [
        Addressee::Committee(e.id.clone()),
        Addressee::Org(e.community_id.clone()),
    ]
}

/// To every current owner of the estate (each once), its committee and its community.
pub fn to_estate(e: &EstateRow, about: About) -> Raise {
    let [committee, community] = estate_offices(e);
    let audience = Audience::owners_of(&e.id).and(committee).and(community);
    about.raise(county_of(&e.community_path), Some(e.id.clone()), audience)
}

/// To named addressees of an estate's matter (a reporter, the company, the committee …).
pub fn to(e: &EstateRow, addressees: impl IntoIterator<Item = Addressee>, about: About) -> Raise {
    about.raise(
        county_of(&e.community_path),
        Some(e.id.clone()),
        Audience::to(addressees),
    )
}

/// To offices of a county, about no one estate (a rating published, an appeal decided).
pub fn to_county(county_id: &str, addressees: impl IntoIterator<Item = Addressee>, about: About) -> Raise {
    about.raise(county_id.to_string(), None, Audience::to(addressees))
}

/// The same notice, to go out at `at` (a reminder before a vote closes).
pub fn at(mut r: Raise, at: NaiveDateTime) -> Raise {
    r.at = Some(at);
    r
}

//! Every problem `code` the API answers with, and every field `code` in a problem's `errors`, in
//! one table each: a stable name, its HTTP status, and what it means. Handlers and domain rules
//! name these constants, never string literals, so a client can rely on the list published in the
//! spec's description (built from `PROBLEMS` and `REASONS`).

use std::fmt;

/// A problem code: the top-level `code` of a problem+json answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub name: &'static str,
    pub status: u16,
    pub meaning: &'static str,
}

/// A field code: why one field (`errors[].field`) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reason {
    pub name: &'static str,
    pub meaning: &'static str,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        self.name == *other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.name == *other
    }
}

macro_rules! problems {
    ($($id:ident = $status:literal $name:literal $meaning:literal;)+) => {
        $(pub const $id: Code = Code { name: $name, status: $status, meaning: $meaning };)+
        /// Every problem code, by status.
        pub const PROBLEMS: &[Code] = &[$($id,)+];
    };
}

macro_rules! reasons {
    ($($id:ident = $name:literal $meaning:literal;)+) => {
        pub mod reason {
            use super::Reason;
            $(pub const $id: Reason = Reason { name: $name, meaning: $meaning };)+
            /// Every field code.
            pub const ALL: &[Reason] = &[$($id,)+];
        }
        pub use reason::ALL as REASONS;
    };
}

problems! {
    // 400: the request is not well-formed.
    MALFORMED_JSON = 400 "malformed_json" "the body is not JSON, or not an object where one is expected";
    INVALID_BODY = 400 "invalid_body" "the body could not be read as this operation's body";
    UNREADABLE_BODY = 400 "unreadable_body" "the body could not be read (broken transfer, not UTF-8)";
    INVALID_PARAMETER = 400 "invalid_parameter" "a path or query parameter is not of its type; `errors` names it";
    INVALID_IDEMPOTENCY_KEY = 400 "invalid_idempotency_key" "the Idempotency-Key header is empty, longer than 255 characters, or not printable ASCII";
    BAD_REQUEST = 400 "bad_request" "the request is not well-formed";
    BAD_HOST = 400 "bad_host" "the Host header is missing or not one this server answers";
    MALFORMED_REQUEST = 400 "malformed_request" "the request is not well-formed HTTP/1.1";
    AMBIGUOUS_CREDENTIALS = 400 "ambiguous_credentials" "both a bearer token and an API key were sent; send one";
    // 401: who is calling is not established.
    UNAUTHENTICATED = 401 "unauthenticated" "no credentials were sent";
    INVALID_TOKEN = 401 "invalid_token" "the bearer token is invalid or has expired";
    SESSION_REVOKED = 401 "session_revoked" "the session of this token has ended; log in again";
    INVALID_API_KEY = 401 "invalid_api_key" "the API key is unknown or revoked";
    INVALID_CREDENTIALS = 401 "invalid_credentials" "the username or password is wrong";
    INVALID_REFRESH_TOKEN = 401 "invalid_refresh_token" "the refresh token is invalid, already used or expired";
    // 403, 404, 405, 408.
    FORBIDDEN = 403 "forbidden" "the caller may not do this on this resource";
    NOT_FOUND = 404 "not_found" "absent, or not visible to this caller";
    METHOD_NOT_ALLOWED = 405 "method_not_allowed" "the path exists but not with this method";
    HEADER_TIMEOUT = 408 "header_timeout" "the request head did not arrive in time";
    // 409: the request conflicts with the current state.
    ALREADY_EXISTS = 409 "already_exists" "a record with the same unique value exists";
    CONCURRENT_UPDATE = 409 "concurrent_update" "another change got there first; retry";
    USERNAME_TAKEN = 409 "username_taken" "the username is taken";
    ID_NUMBER_TAKEN = 409 "id_number_taken" "an owner with this identity number is registered";
    CREDIT_CODE_TAKEN = 409 "credit_code_taken" "a company with this unified social credit code is registered";
    BUILDING_EXISTS = 409 "building_exists" "the estate has a building of this name";
    UNIT_EXISTS = 409 "unit_exists" "the building has a unit of this number";
    NOT_EMPTY = 409 "not_empty" "the record still has records under it";
    ALREADY_GRANTED = 409 "already_granted" "the account holds this role on this place";
    LAST_ADMIN = 409 "last_admin" "the last active administrator cannot lose the role or be disabled";
    CANNOT_DISABLE_SELF = 409 "cannot_disable_self" "an administrator cannot disable their own account";
    CONTRACT_OVERLAP = 409 "contract_overlap" "the estate has a service contract for part of this period";
    COMMITTEE_EXISTS = 409 "committee_exists" "the estate has a committee of this kind that has not ended";
    OWNERS_COMMITTEE_EXISTS = 409 "owners_committee_exists" "the estate has an owners' committee in office; a property management committee is not formed";
    COMMITTEE_NOT_PREPARING = 409 "committee_not_preparing" "the committee is no longer in preparation";
    COMMITTEE_NOT_ELECTED = 409 "committee_not_elected" "the committee has not been elected, or is no longer in its first steps";
    COMMITTEE_NOT_IN_OFFICE = 409 "committee_not_in_office" "the committee is not in office";
    COMMITTEE_NOT_STANDING_DOWN = 409 "committee_not_standing_down" "the committee is not standing down";
    COMMITTEE_ENDED = 409 "committee_ended" "the committee has ended";
    FIRST_MEETING_RECORDED = 409 "first_meeting_recorded" "the first meeting is already recorded";
    ELECTION_OPEN = 409 "election_open" "the committee has an election whose list is not final";
    ELECTION_NOT_NOMINATING = 409 "election_not_nominating" "the election no longer takes nominations";
    ELECTION_NOT_IN_SCREENING = 409 "election_not_in_screening" "the election is not in screening and joint review";
    ELECTION_NOT_IN_PUBLICITY = 409 "election_not_in_publicity" "the election's list is not in publicity";
    ALREADY_NOMINATED = 409 "already_nominated" "the owner is already a candidate of this election";
    ALREADY_REVIEWED = 409 "already_reviewed" "this department has already reviewed this candidate";
    ALREADY_ANSWERED = 409 "already_answered" "the objection is already answered";
    VOTE_NOT_OPEN = 409 "vote_not_open" "the vote is not open";
    VOTE_NOT_CLOSED = 409 "vote_not_closed" "the vote has not closed";
    ALREADY_OPEN = 409 "already_open" "the vote is already open";
    ALREADY_EXTENDED = 409 "already_extended" "the vote has already been extended once";
    PAPER_BALLOT_RECORDED = 409 "paper_ballot_recorded" "a paper ballot of this unit is recorded; it prevails";
    RUNOFF_NOT_CLOSED = 409 "runoff_not_closed" "the run-off vote has not closed";
    NO_TIE_HERE = 409 "no_tie_here" "the vote's result has no unresolved tie";
    SEAT_TIE_FIRST = 409 "seat_tie_first" "resolve the tie for the last seats first";
    PROPOSAL_NOT_MOBILISED = 409 "proposal_not_mobilised" "the proposal is no longer taking endorsements";
    PROPOSAL_NOT_PROPOSED = 409 "proposal_not_proposed" "the proposal is not awaiting review";
    ITEM_NOT_OPEN_FOR_DISPATCH = 409 "item_not_open_for_dispatch" "the ledger item is accepted or closed: it is not dispatched again";
    ITEM_NOT_DISPATCHED = 409 "item_not_dispatched" "the ledger item is not waiting for its assignee to accept";
    ITEM_NOT_IN_PROGRESS = 409 "item_not_in_progress" "the ledger item is not being worked on";
    ITEM_NOT_RESOLVED = 409 "item_not_resolved" "the ledger item is not waiting for its reporter's confirmation";
    ITEM_HAS_OPEN_ACTIONS = 409 "item_has_open_actions" "the ledger item was tabled at a meeting and its action items are not all done";
    MINUTES_NOT_DRAFT = 409 "minutes_not_draft" "the minutes are not a draft";
    MINUTES_NOT_CONFIRMING = 409 "minutes_not_confirming" "the minutes are not out for confirmation";
    MINUTES_NOT_CONFIRMED = 409 "minutes_not_confirmed" "not every attending party has confirmed the minutes";
    MINUTES_NOT_PUBLISHED = 409 "minutes_not_published" "only the published version of the minutes is corrected";
    MINUTES_EXIST = 409 "minutes_exist" "the meeting has minutes; correct them with a new version";
    ACTION_NOT_OPEN = 409 "action_not_open" "the action item is not open";
    CAMPAIGN_FROZEN = 409 "campaign_frozen" "the campaign is open: its configuration is frozen";
    CAMPAIGN_NOT_DRAFT = 409 "campaign_not_draft" "the campaign is already open";
    CAMPAIGN_NOT_OPEN = 409 "campaign_not_open" "the campaign is not collecting inputs";
    CAMPAIGN_NOT_SCORING = 409 "campaign_not_scoring" "the campaign is not being scored";
    APPEAL_DECIDED = 409 "appeal_decided" "the appeal is already decided";
    SURVEY_ANSWERED = 409 "survey_answered" "the owner has already answered this campaign's survey for this estate (online or on paper)";
    APPEAL_EXISTS = 409 "appeal_exists" "the company has already appealed this indicator for this estate in this campaign";
    IDEMPOTENCY_IN_PROGRESS = 409 "idempotency_in_progress" "a request with this Idempotency-Key is still running; retry in a moment";
    WEBHOOK_PAUSED = 409 "webhook_paused" "the webhook endpoint is paused";
    DELIVERY_IN_FLIGHT = 409 "delivery_in_flight" "the webhook delivery is being attempted now";
    ACTION_NOT_REPORTED = 409 "action_not_reported" "the action item has not been reported done";
    STATEMENT_SUPERSEDED = 409 "statement_superseded" "the statement has been corrected; correct the version in force";
    STATEMENT_EXISTS = 409 "statement_exists" "a statement of this account and period is already published; publish a correction";
    QUESTION_ANSWERED = 409 "question_answered" "the question has been answered; the answer stands with it";
    FUND_USE_DECIDED = 409 "fund_use_decided" "the use of the maintenance fund is already decided, refused or withdrawn";
    FUND_USE_NOT_APPROVED = 409 "fund_use_not_approved" "the use of the maintenance fund has not been approved";
    REPORT_CLOSED = 409 "report_closed" "the report-in was declined or withdrawn";
    ALREADY_REPORTED = 409 "already_reported" "the person has a standing report-in to this community";
    ACTIVITY_CLOSED = 409 "activity_closed" "the activity has started, or was cancelled";
    ALREADY_SIGNED_UP = 409 "already_signed_up" "the resident has a standing sign-up for this activity";
    SIGNUP_NOT_OPEN = 409 "signup_not_open" "the sign-up is not in a status that allows this step";
    SERVICE_RECORDED = 409 "service_recorded" "the service hours of this activity are recorded";
    SELECTION_NOT_NOMINATING = 409 "selection_not_nominating" "the selection no longer takes nominations";
    SELECTION_NOT_IN_PUBLICITY = 409 "selection_not_in_publicity" "the selection's shortlist is not in publicity";
    DELIVERY_NOT_RETRYABLE = 409 "delivery_not_retryable" "only a failed or unsent delivery is sent again";
    // 413, 414, 415, 431.
    PRECONDITION_FAILED = 412 "precondition_failed" "the record changed since it was read: its ETag no longer matches If-Match; read it again";
    PRECONDITION_REQUIRED = 428 "precondition_required" "this change replaces a whole record that others edit: send If-Match with the ETag it was read with";
    PAYLOAD_TOO_LARGE = 413 "payload_too_large" "the body is larger than the limit";
    URI_TOO_LONG = 414 "uri_too_long" "the request target is too long";
    UNSUPPORTED_MEDIA_TYPE = 415 "unsupported_media_type" "the body is not of a content type this operation takes";
    HEADERS_TOO_LARGE = 431 "headers_too_large" "too many header lines, or the head is too long";
    // 422: well-formed, but a rule refuses it.
    IDEMPOTENCY_KEY_REUSED = 422 "idempotency_key_reused" "this Idempotency-Key was used in the last 24 hours for another request (another path or body)";
    VALIDATION_FAILED = 422 "validation_failed" "one or more fields break a rule; `errors` names each";
    IMPORT_REJECTED = 422 "import_rejected" "the spreadsheet has errors; nothing was imported; `errors` names rows and columns";
    REFERENCE_NOT_FOUND = 422 "reference_not_found" "a referenced record does not exist";
    NOTHING_TO_CHANGE = 422 "nothing_to_change" "the request changes nothing";
    ATTENDANCE_NOT_RECORDED = 422 "attendance_not_recorded" "record every invited party's attendance before sending the minutes";
    NO_CONTRACT_IN_FORCE = 422 "no_contract_in_force" "the estate has no property company under contract today";
    NOT_A_PARTY_MEMBER = 422 "not_a_party_member" "the owner is not a party member holding a unit in the estate's community";
    UNSUPPORTED_ATTACHMENT = 415 "unsupported_attachment" "the file is not an image (JPEG, PNG, GIF, WebP) or a PDF";
    INVALID_ACTIVATION_CODE = 422 "invalid_activation_code" "the activation code is unknown, used, revoked or expired";
    NOT_A_NATURAL_PERSON = 422 "not_a_natural_person" "a committee member is a natural person with an identity number";
    NOT_ADULT = 422 "not_adult" "a committee member is an adult";
    NOT_AN_OWNERS_COMMITTEE = 422 "not_an_owners_committee" "only an owners' committee takes this step";
    NOT_A_PROPERTY_MANAGEMENT_COMMITTEE = 422 "not_a_property_management_committee" "only a property management committee takes this step";
    PREPARATORY_MEMBER_ELECTED = 422 "preparatory_member_elected" "a member of the preparatory group who stands must first leave it";
    PUBLICITY_NOT_OVER = 422 "publicity_not_over" "the publicity period has not ended";
    OBJECTIONS_UNANSWERED = 422 "objections_unanswered" "every objection must be answered first";
    STATEMENT_UNRECONCILED = 422 "statement_unreconciled" "opening balance + income − spending is not the stated closing balance, to the fen";
    STATEMENT_OPENING_MISMATCH = 422 "statement_opening_mismatch" "a statement opens at the closing balance of the last one published";
    STATEMENT_OUT_OF_SEQUENCE = 422 "statement_out_of_sequence" "a statement begins the day after the last one published ends: no period is skipped";
    STATEMENT_PERIOD_OPEN = 422 "statement_period_open" "the period has not ended yet";
    STATEMENT_BALANCE_MISMATCH = 422 "statement_balance_mismatch" "the fund statement's closing balance is not the balance in the county's fund records";
    COSTS_EXCEED_SHARE = 422 "costs_exceed_share" "the company's costs exceed the share of common income the owners decided it may keep";
    FUND_BASIS_INVALID = 422 "fund_basis_invalid" "a use of the maintenance fund rests on a closed vote of category 5 of the same estate that passed";
    FUND_USE_EMERGENCY = 422 "fund_use_emergency" "an emergency use is approved by the county, not decided by a vote";
    FUND_USE_NOT_EMERGENCY = 422 "fund_use_not_emergency" "an ordinary use is decided by the owners' vote, not approved by the county";
    NOT_AN_EMERGENCY_HERE = 422 "not_an_emergency_here" "the county's list of emergencies does not include this one";
    SETTLEMENT_EXCEEDS_ESTIMATE = 422 "settlement_exceeds_estimate" "a settlement is not above the estimate that was decided";
    FEE_BASIS_INVALID = 422 "fee_basis_invalid" "a fee standard rests on a closed vote of the same estate that passed, a major matter whose vote passed, or a named government price";
    FEE_STANDARD_AMBIGUOUS = 422 "fee_standard_ambiguous" "two items of one name apply equally to some unit: say which applies";
    USE_WITHOUT_BASIS = 422 "use_without_basis" "a use of common income names the owners' decision (a vote that passed) that authorised it";
    OBJECTION_WINDOW_CLOSED = 422 "objection_window_closed" "objections are accepted only while the list is published";
    NOT_ON_THE_LIST = 422 "not_on_the_list" "objections concern candidates on the published list";
    PROPOSAL_NOT_APPROVED = 422 "proposal_not_approved" "a major matter goes to the vote only after the community party committee approved it";
    APPEAL_WINDOW_CLOSED = 422 "appeal_window_closed" "appeals are filed only within the notice period of published results";
    CAMPAIGN_INCONSISTENT = 422 "campaign_inconsistent" "the campaign's configuration is not consistent; `errors` names each problem";
    NOT_RATED_HERE = 422 "not_rated_here" "the company is not rated for this estate in this campaign";
    NO_RESULTS = 422 "no_results" "the campaign has no results to publish; score it first";
    NOT_THE_ACTIVITY_DAY = 422 "not_the_activity_day" "check-in is on the activity's day only (China Standard Time)";
    ACTIVITY_NOT_OVER = 422 "activity_not_over" "service hours of an activity are recorded after it ends";
    NOT_ON_SHORTLIST = 422 "not_on_shortlist" "a winner is a shortlisted nomination no upheld objection disqualified";
    HOURS_NOT_CONFIRMABLE = 422 "hours_not_confirmable" "hours are confirmed by someone other than who served";
    TOO_EARLY = 422 "too_early" "the vote opens at its announced time, not before";
    MEETING_NOT_STARTED = 422 "meeting_not_started" "attendance and minutes are recorded once the meeting has started";
    TOO_LATE = 422 "too_late" "the closing time has passed";
    NOT_YOUR_VOTER = 422 "not_your_voter" "the caller is not the designated voter of this unit";
    AMBIGUOUS_VOTER = 422 "ambiguous_voter" "the caller votes for several roll entries; name the unit";
    ELECTION_FAILED_QUORUM = 422 "election_failed_quorum" "the election vote did not reach the participation thresholds";
    RUNOFF_FAILED_QUORUM = 422 "runoff_failed_quorum" "the run-off vote did not reach the participation thresholds";
    RUNOFF_TIED = 422 "runoff_tied" "the run-off vote is tied again";
    TIE_UNRESOLVED = 422 "tie_unresolved" "the election has a tie for the last seats that is not resolved";
    TIES_BY_LOTS = 422 "ties_by_lots" "the county resolves ties by lots, not by a run-off";
    // 429, 500, 503.
    TOO_MANY_REQUESTS = 429 "too_many_requests" "slow down; see Retry-After";
    INTERNAL = 500 "internal" "an unexpected failure; the request id in the answer finds it in the log";
    UNAVAILABLE = 503 "unavailable" "the database is not answering; see Retry-After";
    BUSY = 503 "busy" "too much work of this kind right now; see Retry-After";
    REQUEST_TIMEOUT = 503 "request_timeout" "the request took too long (a slow body, or the server is overloaded); retry";
    TOO_MANY_CONNECTIONS = 503 "too_many_connections" "the server has as many connections as it takes";
}

reasons! {
    REQUIRED = "required" "the field is required here";
    MISSING = "missing" "a required field is absent";
    UNKNOWN_FIELD = "unknown_field" "the body has a field its schema does not";
    INVALID_TYPE = "invalid_type" "the value is not of the field's type";
    INVALID_VALUE = "invalid_value" "the value is not one of the field's values";
    INVALID_FORMAT = "invalid_format" "the value is not in the field's format (date, date-time)";
    CONSTRAINT = "constraint" "the value breaks a limit of the schema (length, range, pattern, items)";
    CONTROL_CHARACTER = "control_character" "the text has a control character";
    INVALID = "invalid" "the value is not valid here";
    FORMAT = "format" "the value is not in the expected form";
    CHECK_DIGIT = "check_digit" "the check digit of the code or number is wrong";
    CHARSET = "charset" "the text has characters this field does not take";
    UNKNOWN = "unknown" "no such value (role, kind)";
    YOUR_VOTER = "your_voter" "one of the roll entries the caller votes for (listed to choose from)";
    LENGTH = "length" "the text is too short or too long";
    WEAK = "weak" "the password is too easy to guess";
    MISMATCH = "mismatch" "the value does not match (current password, confirmation)";
    NOT_FOUND = "not_found" "the referenced record does not exist or is not visible";
    NOT_ALLOWED = "not_allowed" "the value is not allowed for this caller or place";
    DUPLICATE = "duplicate" "the value is given twice";
    OUT_OF_RANGE = "out_of_range" "the number is outside the range the rules allow";
    RANGE = "range" "the range is empty or reversed";
    SIZE = "size" "the number of items is not what the rules require";
    TOO_FEW = "too_few" "fewer than the rules require";
    TOO_MANY = "too_many" "more than the rules allow";
    TOO_LARGE = "too_large" "larger than allowed";
    FUTURE = "future" "the date is in the future";
    BEFORE_START = "before_start" "the end is before the start";
    BEFORE_ELECTION = "before_election" "the date is before the election";
    BEFORE_OPENING = "before_opening" "the time is before the vote opens";
    NOT_AHEAD = "not_ahead" "the time is not after now (announced ahead)";
    NOT_LATER = "not_later" "the new time is not later than the current one";
    NOTICE_TOO_SHORT = "notice_too_short" "the vote opens before the notice period has run";
    WRONG_KIND = "wrong_kind" "the record is of another kind";
    WRONG_PARENT = "wrong_parent" "the parent is not of the kind this place needs";
    WRONG_COMMUNITY = "wrong_community" "the record belongs to another community";
    CONFLICT = "conflict" "the value conflicts with another field";
    SAME_PERSON = "same_person" "two roles that must be different people name the same person";
    NOT_A_MEMBER = "not_a_member" "the person is not a member of the committee";
    NOT_AN_OWNER = "not_an_owner" "the person is not an owner of this estate";
    NOT_AN_OWNER_HERE = "not_an_owner_here" "the person owns no unit in this estate";
    OWNER_HAS_ACCOUNT = "owner_has_account" "the owner already has an account";
    CHAIR = "chair" "the chair is not one of the members";
    COMPOSITION = "composition" "the committee's composition breaks the county's rules";
    NOT_THE_COUNTY_RULE = "not_the_county_rule" "the county's rules say otherwise";
    ELECTION = "election" "the election is not one of this estate's, or not of this committee";
    NOT_FINAL = "not_final" "the election's candidate list is not final";
    NO_CANDIDATES = "no_candidates" "the final list has no candidates";
    NOT_A_CANDIDATE = "not_a_candidate" "the person is not a candidate on the final list";
    NOT_ON_FINAL_LIST = "not_on_final_list" "the person is not on the final candidate list";
    NOT_ON_ROLL = "not_on_roll" "the unit is not on the vote's roll";
    NOT_A_RUNOFF = "not_a_runoff" "the vote is not the run-off of this tie";
    NOT_THE_TIED = "not_the_tied" "the names are not exactly the tied candidates";
    NOT_A_NATURAL_PERSON = "not_a_natural_person" "a natural person registered with an identity number is needed";
    NOT_ADULT = "not_adult" "the person is not an adult";
    NEGATIVE_LIST = "negative_list" "a record of the negative list is in force";
}

/// The tables of codes in Markdown, for the spec's description.
pub fn markdown() -> String {
    let mut out = String::from("### Problem codes\n\n| status | code | meaning |\n|---|---|---|\n");
    let mut by_status: Vec<&Code> = PROBLEMS.iter().collect();
    by_status.sort_by_key(|c| c.status);
    for c in by_status {
        out.push_str(&format!("| {} | `{}` | {} |\n", c.status, c.name, c.meaning));
    }
    out.push_str("\n### Field codes (`errors[].code`)\n\n| code | meaning |\n|---|---|\n");
    for r in REASONS {
        out.push_str(&format!("| `{}` | {} |\n", r.name, r.meaning));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in PROBLEMS {
            assert!(seen.insert(c.name), "problem code {} twice", c.name);
            assert!(
                c.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                c.name
            );
            assert!((400..600).contains(&c.status));
        }
        let mut seen = std::collections::HashSet::new();
        for r in REASONS {
            assert!(seen.insert(r.name), "field code {} twice", r.name);
            assert!(
                r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                r.name
            );
        }
    }
}

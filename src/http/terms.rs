//! The domain's `Term` enums as API types: each is a string schema named after the enum, listing
//! its values, with a description that gives each value's Chinese term. DTOs use the domain
//! enums directly, so there is no copy of them here to drift.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::ParseError;
use serde_json::Value;

use crate::domain::term::Term;

/// The schema's description: what it is, then `value`: term for each value. Built once per
/// enum and kept (poem-openapi wants `&'static str`; the spec is built more than once).
fn description<T: Term>() -> &'static str {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache.entry(T::NAME).or_insert_with(|| {
        let values: Vec<String> = T::all()
            .iter()
            .map(|v| format!("`{}` {}", v.name(), v.term()))
            .collect();
        let text = format!("{}. Values: {}.", capitalise(T::ABOUT), values.join(", "));
        Box::leak(text.into_boxed_str())
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub fn register<T: Term + poem_openapi::types::Type>(registry: &mut Registry) {
    registry.create_schema::<T, _>(T::NAME.to_string(), |_| MetaSchema {
        description: Some(description::<T>()),
        enum_items: T::all().iter().map(|v| Value::String(v.name().into())).collect(),
        ..MetaSchema::new("string")
    });
}

pub fn schema_ref<T: Term>() -> MetaSchemaRef {
    MetaSchemaRef::Reference(T::NAME.to_string())
}

pub fn from_json<T: Term + poem_openapi::types::Type>(value: Option<Value>) -> Result<T, ParseError<T>> {
    let value = value.unwrap_or_default();
    match &value {
        Value::String(s) => T::from_name(s).ok_or_else(|| ParseError::expected_type(value)),
        _ => Err(ParseError::expected_type(value)),
    }
}

pub fn from_parameter<T: Term + poem_openapi::types::Type>(value: &str) -> Result<T, ParseError<T>> {
    T::from_name(value).ok_or_else(|| {
        let names: Vec<&str> = T::all().iter().map(|v| v.name()).collect();
        ParseError::custom(format!("expected one of {}", names.join(", ")))
    })
}

pub fn name<T: Term>() -> Cow<'static, str> {
    Cow::Borrowed(T::NAME)
}

/// Implements poem-openapi's traits for domain `Term` enums (a blanket impl over `T: Term` is
/// not allowed for foreign traits, so each enum is named here once).
macro_rules! api_terms {
    ($($ty:path),+ $(,)?) => {
        /// Every term enum of the API, for `GET /terms`.
        pub fn catalogue() -> Vec<TermSet> {
            vec![$(TermSet::of::<$ty>()),+]
        }
        $(
        impl poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> std::borrow::Cow<'static, str> {
                $crate::http::terms::name::<Self>()
            }
            fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
                $crate::http::terms::schema_ref::<Self>()
            }
            fn register(registry: &mut poem_openapi::registry::Registry) {
                $crate::http::terms::register::<Self>(registry)
            }
            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }
            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(std::iter::once(self))
            }
        }

        impl poem_openapi::types::ParseFromJSON for $ty {
            fn parse_from_json(value: Option<serde_json::Value>) -> poem_openapi::types::ParseResult<Self> {
                $crate::http::terms::from_json(value)
            }
        }

        impl poem_openapi::types::ParseFromParameter for $ty {
            fn parse_from_parameter(value: &str) -> poem_openapi::types::ParseResult<Self> {
                $crate::http::terms::from_parameter(value)
            }
        }

        impl poem_openapi::types::ToJSON for $ty {
            fn to_json(&self) -> Option<serde_json::Value> {
                Some(serde_json::Value::String(self.as_str().into()))
            }
        }
    )+};
}

/// One closed set of values with what each is called.
#[derive(poem_openapi::Object, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct TermSet {
    /// The schema's name in this document, e.g. `VoteStatus`.
    pub name: String,
    pub about: String,
    pub values: Vec<TermValue>,
}

#[derive(poem_openapi::Object, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct TermValue {
    /// The value as sent and stored.
    pub value: String,
    /// What people call it: the Chinese term when the request prefers Chinese
    /// (`Accept-Language: zh-CN`), else the value in words.
    pub label: String,
}

impl TermSet {
    fn of<T: Term>() -> TermSet {
        TermSet {
            name: T::NAME.into(),
            about: T::ABOUT.into(),
            values: T::all()
                .iter()
                .map(|v| TermValue {
                    value: v.name().into(),
                    label: v.term().into(),
                })
                .collect(),
        }
    }

    /// The same, labelled in English (the value in words) rather than Chinese.
    fn in_english(mut self) -> TermSet {
        for v in &mut self.values {
            v.label = v.value.replace(['_', '.'], " ");
        }
        self
    }
}

pub struct TermsApi;

#[derive(poem_openapi::ApiResponse)]
pub enum TermsResponse {
    /// Every closed set of values of the API.
    #[oai(status = 200)]
    Ok(
        poem_openapi::payload::Json<crate::http::paging::Page<TermSet>>,
        /// `zh-CN` or `en`: the language of the labels.
        #[oai(header = "Content-Language")]
        String,
        /// Public and the same for everyone (of a language).
        #[oai(header = "Cache-Control")]
        String,
        #[oai(header = "Vary")] String,
    ),
}

#[poem_openapi::OpenApi(tag = "super::ApiTags::Terms")]
impl TermsApi {
    /// Every closed set of values (statuses, kinds, choices) with what people call each value:
    /// in Chinese when the request prefers it (`Accept-Language: zh-CN`), else in English words.
    /// The values themselves never change with the language.
    ///
    /// Anyone may call this.
    #[oai(path = "/terms", method = "get", operation_id = "listTerms")]
    async fn list(
        &self,
        /// `zh-CN` for Chinese labels.
        #[oai(name = "Accept-Language")]
        accept_language: poem_openapi::param::Header<Option<String>>,
    ) -> TermsResponse {
        let zh = accept_language
            .0
            .as_deref()
            .is_some_and(crate::error::zh::prefers_chinese);
        let sets = catalogue();
        let (sets, lang) = if zh {
            (sets, "zh-CN")
        } else {
            (sets.into_iter().map(TermSet::in_english).collect(), "en")
        };
        TermsResponse::Ok(
            poem_openapi::payload::Json(crate::http::paging::Page::whole(sets)),
            lang.into(),
            "public, max-age=3600".into(),
            "Accept-Language".into(),
        )
    }
}

use crate::domain::{
    area, committee, credentials, ledger, meeting, money, notice, policy, rating, registry, service, unit_import,
    vetting, voting, webhook,
};

api_terms!(
    area::AreaSource,
    committee::Affiliation,
    committee::CommitteeKind,
    committee::CommitteeStatus,
    committee::DeadlineKind,
    committee::FilingAuthority,
    committee::MemberRole,
    committee::TieRule,
    credentials::CodeStatus,
    ledger::AssigneeKind,
    ledger::Category,
    ledger::ItemStatus,
    ledger::Step,
    meeting::ActionStatus,
    meeting::Attendance,
    meeting::MeetingKind,
    meeting::MinutesStatus,
    meeting::PartyKind,
    money::Account,
    money::EmergencyKind,
    money::EntryKind,
    money::FeeBasis,
    money::FeeKind,
    money::FeeUnit,
    money::FundUseKind,
    money::FundUseStatus,
    money::IncomeCategory,
    money::StatementStatus,
    notice::NoticeChannel,
    notice::NoticeDeliveryStatus,
    notice::NoticeKind,
    notice::NotSentReason,
    notice::WorkGroupKind,
    policy::Role,
    rating::AppealStatus,
    rating::CampaignStatus,
    rating::Dimension,
    rating::Fact,
    rating::Source,
    rating::Weighting,
    registry::ContractKind,
    registry::EstateKind,
    registry::ManagementMode,
    registry::OrgKind,
    registry::PartyCoverage,
    registry::PartyPost,
    registry::SaleStatus,
    registry::UnitKind,
    service::ActivityStatus,
    service::ConfirmedAs,
    service::NominatorKind,
    service::ReportStatus,
    service::SelectionKind,
    service::SelectionStatus,
    service::ServiceKind,
    service::SignupStatus,
    unit_import::OwnerKind,
    vetting::CandidateStatus,
    vetting::ElectionStatus,
    vetting::NominatedBy,
    voting::CandidateOutcome,
    voting::Choice,
    voting::Convenor,
    voting::Outcome,
    voting::ProposalParty,
    voting::ProposalStatus,
    voting::VoteKind,
    voting::VoteStatus,
    webhook::WebhookDeliveryStatus,
    webhook::WebhookEvent,
    webhook::WebhookOwner,
);

//! A JSON response written straight from the value with serde, for the lists that carry many
//! rows.
//!
//! Why: poem-openapi's `Json<T>` first builds a `serde_json::Value` of the whole answer (a
//! `BTreeMap` per object, an allocated `String` per key and per text) and then writes that out.
//! For a page of 50 ledger items that tree cost more of the server's CPU than the database query
//! (`perf`: map inserts, allocations and frees, copies); writing the value directly skips it.
//!
//! The schema is still the type's own (`T: Type`), so the spec does not change. A type answered
//! this way derives `Serialize` to the same JSON as its `ToJSON`: timestamps through
//! [`rfc3339`], optional fields as `null` unless the `Object` skips them. Debug builds check each
//! answer against `ToJSON` (the API tests go through here), so a difference fails a test rather
//! than reaching a client.

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::ApiResponse;
use serde::Serialize;

/// A 200 JSON answer serialized directly (see the module's comment).
pub struct FastJson<T>(pub T);

impl<T: Type> Payload for FastJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        content_type.starts_with("application/json")
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ToJSON + Serialize + Send> IntoResponse for FastJson<T> {
    fn into_response(self) -> Response {
        #[cfg(debug_assertions)]
        {
            let direct = serde_json::to_value(&self.0).ok();
            assert_eq!(
                direct,
                self.0.to_json(),
                "{}: serde and ToJSON disagree",
                std::any::type_name::<T>()
            );
        }
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder().content_type(Self::CONTENT_TYPE).body(body),
            // Not reached: these types hold no map with non-text keys and no failing serializer.
            Err(e) => {
                tracing::error!(error = %e, "writing a JSON answer");
                poem::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

impl<T: ToJSON + Serialize + Send> ApiResponse for FastJson<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// Timestamps as poem-openapi writes them (`DateTime::to_rfc3339`: `+00:00`, not serde's `Z`).
pub mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339())
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&t.to_rfc3339()),
                None => s.serialize_none(),
            }
        }
    }
}

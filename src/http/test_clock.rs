//! The test clock's two operations, served only when the service runs with
//! `REDPROP_TEST_CLOCK=1` (never by default): `GET /api/v1/test-clock` reads the service's now,
//! `POST /api/v1/test-clock/advance` with `{"seconds": N}` moves it forward (administrators;
//! audited). They are plain routes, absent from the OpenAPI document: the contract is the same
//! with and without the test clock. Every response of such a server carries `X-Test-Clock: on`.

use poem::web::{Data, Json};
use poem::{handler, IntoResponse, Request, Response};
use serde::Deserialize;

use crate::domain::ids;
use crate::domain::policy::Action;
use crate::error::{reason, AppError, AppResult};
use crate::AppState;

/// Moves of more than ten years at once are refused: nothing the service counts is that long.
const MAX_ADVANCE_SECS: i64 = 10 * 366 * 86_400;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: i64,
}

fn reading(state: &AppState) -> serde_json::Value {
    let now = ids::now();
    serde_json::json!({
        "now": ids::rfc3339(now),
        "today": ids::local_date(now).to_string(),
        "offset_seconds": state.db.clock().offset_secs(),
    })
}

fn problem_response(e: AppError) -> Response {
    poem::Error::from(e).into_response()
}

/// The service's current time, its date in China Standard Time, and how far it runs ahead.
#[handler]
pub async fn read(state: Data<&AppState>) -> Json<serde_json::Value> {
    Json(reading(&state))
}

/// Moves the clock forward. Administrators only.
#[handler]
pub async fn advance(state: Data<&AppState>, req: &Request, body: poem::Body) -> Response {
    match advance_inner(&state, req, body).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => problem_response(e),
    }
}

async fn advance_inner(state: &AppState, req: &Request, body: poem::Body) -> AppResult<serde_json::Value> {
    let caller = crate::http::security::caller_from_bearer(req).await?;
    let actor = caller.may(&Action::ManageTestClock)?;
    let bytes = body
        .into_bytes_limit(1024)
        .await
        .map_err(|_| AppError::PayloadTooLarge { limit: 1024 })?;
    let input: Advance = crate::http::body::parse_plain(&bytes)?;
    if !(1..=MAX_ADVANCE_SECS).contains(&input.seconds) {
        return Err(AppError::invalid(
            "seconds",
            reason::RANGE,
            format!("the clock moves forward only, by 1 to {MAX_ADVANCE_SECS} seconds"),
        ));
    }
    let from = ids::now();
    state.db.clock().advance(input.seconds);
    let to = ids::now();
    tracing::warn!(seconds = input.seconds, now = %ids::rfc3339(to), "test clock advanced");
    state
        .db
        .command(move |_, trail| {
            trail.record(
                &actor,
                "test_clock.advance",
                "test_clock",
                "clock",
                &serde_json::json!({ "seconds": input.seconds, "from": ids::rfc3339(from), "to": ids::rfc3339(to) }),
            )
        })
        .await?;
    Ok(reading(state))
}

/// Marks every response of a server whose clock may be moved.
pub fn mark(resp: &mut Response) {
    resp.headers_mut()
        .insert("x-test-clock", poem::http::HeaderValue::from_static("on"));
}

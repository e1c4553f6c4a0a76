//! Importing a county office's spreadsheet of units and owners, as it is kept.

use super::*;

pub struct ImportApi;

#[OpenApi(tag = "ApiTags::Estates")]
impl ImportApi {
    /// Import units and owners from a county spreadsheet (CSV, UTF-8 with or without BOM, or
    /// GBK). Every row is validated; if any is bad, nothing is imported and the 422 problem lists
    /// every bad row with its column and reason.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/import", method = "post", operation_id = "importUnits")]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: CsvBody,
    ) -> ApiResult<Imported> {
        let caller = auth.0.clone();
        let report = import_units(&state, Some(&caller), &id.0, body.0).await?;
        Ok(Imported::Created(Json(report)))
    }
}

/// Validates and imports a spreadsheet into an estate in one transaction; shared by the API
/// and `redprop import units` (which runs as the system, `caller` None).
pub async fn import_units(
    state: &AppState,
    caller: Option<&Caller>,
    estate_id: &str,
    bytes: Vec<u8>,
) -> AppResult<ImportReport> {
    let digest = crate::crypto::sha256_hex(&bytes);
    let rows = tokio::task::spawn_blocking(move || unit_import::parse(&bytes))
        .await?
        .map_err(row_errors)?;
    let caller = caller.cloned();
    let estate_id = estate_id.to_string();
    let hasher = state.id_hasher.clone();
    let report = state
        .db
        .command(move |c, trail| {
            let actor = match &caller {
                Some(caller) => guard_estate(c, caller, &estate_id, Need::Manage)?.1,
                None => {
                    db::estates::get(c, &estate_id)?.ok_or(AppError::NotFound { what: "estate" })?;
                    audit::Actor::system("cli:import")
                }
            };
            let report = db::unit_import::apply(c, &estate_id, &rows, &hasher, &actor.actor_id, ids::now())?.map_err(row_errors)?;
            trail.record(&actor, "estate.import", "estate", &estate_id, &serde_json::json!({ "file_sha256": digest, "units": report.units, "units_updated": report.units_updated, "owners_created": report.owners_created }))?;
            Ok(report)
        })
        .await?;
    Ok(ImportReport {
        units: report.units as u64,
        units_updated: report.units_updated as u64,
        buildings_created: report.buildings_created as u64,
        owners_created: report.owners_created as u64,
        owners_matched: report.owners_matched as u64,
        ownerships: report.ownerships as u64,
    })
}

pub(crate) fn row_errors(errors: Vec<unit_import::RowError>) -> AppError {
    let n = errors.len();
    AppError::Unprocessable {
        code: codes::IMPORT_REJECTED,
        detail: format!("{n} row(s) have problems; nothing was imported"),
        errors: errors
            .into_iter()
            .map(|e| FieldError::at_row(e.row, e.column, e.message, e.message_zh))
            .collect(),
    }
}

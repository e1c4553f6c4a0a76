//! The configuration read into the domain's catalogue (where it is checked), and rows as the API
//! shows them.

use super::*;
use crate::domain::rating::{parse_decimal, Indicator, Rule, Q};
pub(crate) use crate::http::votes::utc;

fn decimal(field: String, s: &str, errors: &mut Vec<FieldError>) -> Q {
    parse_decimal(s).unwrap_or_else(|| {
        errors.push(FieldError::new(
            &field,
            reason::FORMAT,
            "a decimal with at most two places",
        ));
        rating::q(0)
    })
}

/// Reads a configuration into the catalogue and checks it: 422 `campaign_inconsistent` naming
/// every problem (field paths as in the body, under `config.`).
pub(crate) fn catalogue(cfg: &RatingConfig) -> Result<Catalogue, AppError> {
    let mut errors = Vec::new();
    let mut indicators = Vec::with_capacity(cfg.indicators.len());
    for (i, ind) in cfg.indicators.iter().enumerate() {
        let at = |f: &str| format!("config.indicators[{i}].{f}");
        let rule = match ind.rule.kind.as_str() {
            "linear" => match (&ind.rule.zero_at, &ind.rule.full_at) {
                (Some(z), Some(f)) => Rule::Linear {
                    zero_at: decimal(at("rule.zero_at"), z, &mut errors),
                    full_at: decimal(at("rule.full_at"), f, &mut errors),
                },
                _ => {
                    errors.push(FieldError::new(
                        at("rule"),
                        reason::REQUIRED,
                        "a linear rule has zero_at and full_at",
                    ));
                    Rule::Bands(Vec::new())
                }
            },
            _ => Rule::Bands(
                ind.rule
                    .bands
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(j, b)| {
                        (
                            decimal(at(&format!("rule.bands[{j}].from")), &b.from, &mut errors),
                            decimal(at(&format!("rule.bands[{j}].points")), &b.points, &mut errors),
                        )
                    })
                    .collect(),
            ),
        };
        indicators.push(Indicator {
            code: ind.code.clone(),
            dimension: ind.dimension,
            weight: decimal(at("weight"), &ind.weight, &mut errors),
            source: ind.source,
            fact: ind.fact,
            rule,
        });
    }
    let mut stars: [Q; 5] = std::array::from_fn(|_| rating::q(0));
    for (i, s) in cfg.stars.iter().take(5).enumerate() {
        stars[i] = decimal(format!("config.stars[{i}]"), s, &mut errors);
    }
    if cfg.stars.len() != 5 {
        errors.push(FieldError::new("config.stars", reason::CONSTRAINT, "five thresholds"));
    }
    let cat = Catalogue {
        indicators,
        bonuses: cfg
            .bonuses
            .iter()
            .enumerate()
            .map(|(i, b)| {
                (
                    b.code.clone(),
                    decimal(format!("config.bonuses[{i}].points"), &b.points, &mut errors),
                )
            })
            .collect(),
        bonus_cap: decimal("config.bonus_cap".into(), &cfg.bonus_cap, &mut errors),
        stars,
        vetoes: cfg.vetoes.iter().map(|v| v.code.clone()).collect(),
        questions: cfg
            .survey
            .questions
            .iter()
            .map(|q| (q.code.clone(), q.indicator.clone()))
            .collect(),
        prior_weight: cfg.survey.prior_weight,
        min_responses: cfg.survey.min_responses,
        min_service_days: cfg.min_service_days,
        weighting: cfg.weighting,
        notice_days: cfg.notice_days,
        purchase_min_stars: cfg.purchase_min_stars,
    };
    if errors.is_empty() {
        for (field, message) in rating::check(&cat) {
            errors.push(FieldError::new(format!("config.{field}"), reason::INVALID, message));
        }
    }
    if errors.is_empty() {
        Ok(cat)
    } else {
        Err(AppError::Unprocessable {
            code: codes::CAMPAIGN_INCONSISTENT,
            detail: errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            errors,
        })
    }
}

/// The Chinese name of an indicator, bonus, veto or question of the default catalogue.
fn default_name(code: &str) -> &'static str {
    match code {
        "party_coverage" => "党组织覆盖(单独/联合党支部、党建指导员)",
        "org_inspection" => "组织建设检查",
        "party_member_role" => "党员亮身份、作表率",
        "joint_meetings" => "联席会议按月召开",
        "owner_satisfaction" => "业主满意度",
        "resolved_on_time" => "问题按时办结",
        "accepted_on_time" => "问题按时接单",
        "complaints" => "每百户问题数",
        "operation_inspection" => "运营管理检查",
        "committee_view" => "业委会评价",
        "owner_image" => "业主对企业形象评价",
        "model_estate" => "红色物业示范小区",
        "party_branch_built" => "新建物业企业党支部",
        "major_safety_accident" => "发生重大安全责任事故",
        "misuse_of_common_income" => "挪用公共收益",
        "falsified_maintenance_fund_claims" => "虚报冒领维修资金",
        "service_overall" => "您对物业服务总体是否满意？",
        "repairs" => "您对报修处理是否满意？",
        "cleanliness" => "您对小区环境卫生是否满意？",
        "image" => "您对物业企业的形象和态度是否满意？",
        _ => "",
    }
}

/// The default configuration (`domain::rating::default_catalogue`) in the API's form.
pub fn default_config() -> RatingConfig {
    let cat = rating::default_catalogue();
    let d = rating::decimal_text;
    let text = |x: &Q| {
        let t = d(x);
        t.strip_suffix(".00").map(str::to_string).unwrap_or(t)
    };
    RatingConfig {
        indicators: cat
            .indicators
            .iter()
            .map(|i| IndicatorDto {
                code: i.code.clone(),
                name: default_name(&i.code).into(),
                dimension: i.dimension,
                weight: text(&i.weight),
                source: i.source,
                fact: i.fact,
                rule: match &i.rule {
                    Rule::Linear { zero_at, full_at } => RuleDto {
                        kind: "linear".into(),
                        zero_at: Some(text(zero_at)),
                        full_at: Some(text(full_at)),
                        bands: None,
                    },
                    Rule::Bands(bands) => RuleDto {
                        kind: "bands".into(),
                        zero_at: None,
                        full_at: None,
                        bands: Some(
                            bands
                                .iter()
                                .map(|(f, p)| BandDto {
                                    from: text(f),
                                    points: text(p),
                                })
                                .collect(),
                        ),
                    },
                },
            })
            .collect(),
        survey: SurveyDto {
            questions: cat
                .questions
                .iter()
                .map(|(code, ind)| QuestionDto {
                    code: code.clone(),
                    text: default_name(code).into(),
                    indicator: ind.clone(),
                })
                .collect(),
            prior_weight: cat.prior_weight,
            min_responses: cat.min_responses,
        },
        bonuses: cat
            .bonuses
            .iter()
            .map(|(code, p)| BonusDto {
                code: code.clone(),
                name: default_name(code).into(),
                points: text(p),
            })
            .collect(),
        bonus_cap: text(&cat.bonus_cap),
        stars: cat.stars.iter().map(text).collect(),
        vetoes: cat
            .vetoes
            .iter()
            .map(|code| VetoDto {
                code: code.clone(),
                name: default_name(code).into(),
            })
            .collect(),
        min_service_days: cat.min_service_days,
        weighting: cat.weighting,
        notice_days: cat.notice_days,
        purchase_min_stars: cat.purchase_min_stars,
    }
}

pub(crate) fn campaign_out(ctx: &CampaignCtx, now: NaiveDateTime) -> AppResult<Campaign> {
    let r = &ctx.row;
    Ok(Campaign {
        id: r.id.clone(),
        county_id: r.county_id.clone(),
        name: r.name.clone(),
        period_from: r.period_from,
        period_until: r.period_until,
        status: ctx.status(now)?,
        config: (*ctx.config).clone(),
        created_at: utc(r.created_at),
        opened_at: r.opened_at.map(utc),
        closed_at: r.closed_at.map(utc),
        published_at: r.published_at.map(utc),
        appeals_until: r
            .published_at
            .map(|at| utc(crate::domain::window::end(at, ctx.cat.notice_days))),
    })
}

pub(crate) fn files(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn input_out(r: InputRow) -> AppResult<RatingInput> {
    let scores: Vec<(String, String)> =
        serde_json::from_str(&r.scores).map_err(|e| AppError::Internal(format!("stored rating scores: {e}")))?;
    Ok(RatingInput {
        id: r.id,
        estate_id: r.estate_id,
        company_id: r.company_id,
        source: crate::db::terms::stored(&r.source)?,
        scores: scores
            .into_iter()
            .map(|(indicator, value)| IndicatorScore { indicator, value })
            .collect(),
        note: r.note,
        attachment_ids: files(&r.attachments),
        recorded_at: utc(r.recorded_at),
    })
}

pub(crate) fn mark_out(r: MarkRow) -> Mark {
    Mark {
        attachment_ids: files(&r.attachments),
        id: r.id,
        kind: r.kind,
        code: r.code,
        company_id: r.company_id,
        estate_id: r.estate_id,
        reason: r.reason,
        recorded_at: utc(r.recorded_at),
    }
}

pub(crate) fn run_out(r: &RunRow) -> Run {
    Run {
        id: r.id.clone(),
        version: r.version,
        fingerprint: r.fingerprint.clone(),
        created_at: utc(r.created_at),
        published_at: r.published_at.map(utc),
        appeal_id: r.appeal_id.clone(),
    }
}

pub(crate) fn appeal_out(conn: &mut AnyConnection, r: AppealRow) -> AppResult<Appeal> {
    let version = match &r.run_id {
        Some(run) => db::ratings::runs_of(conn, &r.campaign_id)?
            .into_iter()
            .find(|x| &x.id == run)
            .map(|x| x.version),
        None => None,
    };
    Ok(Appeal {
        status: r.status()?,
        attachment_ids: files(&r.attachments),
        decision_attachment_ids: files(&r.decision_attachments),
        id: r.id,
        campaign_id: r.campaign_id,
        company_id: r.company_id,
        estate_id: r.estate_id,
        indicator: r.indicator,
        statement: r.statement,
        filed_at: utc(r.filed_at),
        decided_at: r.decided_at.map(utc),
        reasons: r.decision,
        new_value: r.new_value,
        version,
    })
}

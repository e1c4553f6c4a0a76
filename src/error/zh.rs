//! The problem texts in Chinese (issue 17), for a request that prefers `zh` in
//! `Accept-Language`: the title by status, the detail by problem code, each field's message by
//! field code. The codes stay as they are (programs branch on them); only what people read
//! changes. A unit test holds every code of `codes` to a Chinese text here.

/// The title of a status.
pub fn title(status: u16) -> &'static str {
    match status {
        400 => "请求有误",
        401 => "需要登录或凭据无效",
        403 => "无权进行此操作",
        404 => "未找到",
        405 => "不支持此方法",
        408 => "请求超时",
        409 => "与当前状态冲突",
        412 => "记录已被修改",
        413 => "内容过大",
        414 => "请求地址过长",
        415 => "内容类型不受支持",
        422 => "无法按此办理",
        428 => "需要版本号",
        429 => "请求过于频繁",
        431 => "请求头过大",
        500 => "服务器内部错误",
        503 => "服务暂时不可用",
        _ => "出错了",
    }
}

/// What a problem code means, for people.
pub fn problem(code: &str) -> Option<&'static str> {
    Some(match code {
        "malformed_json" => "请求内容不是有效的 JSON，或应为对象处不是对象。",
        "invalid_body" => "请求内容无法按此操作的格式读取。",
        "unreadable_body" => "请求内容无法读取（传输中断或不是 UTF-8 编码）。",
        "invalid_parameter" => "路径或查询参数的类型不对，详见 errors。",
        "invalid_idempotency_key" => "Idempotency-Key 应为 1 至 255 个可打印 ASCII 字符。",
        "bad_request" => "请求格式不正确。",
        "bad_host" => "缺少 Host 请求头，或不是本服务的地址。",
        "malformed_request" => "请求不是有效的 HTTP/1.1 请求。",
        "ambiguous_credentials" => "同时发送了令牌和 API 密钥，请只发送其中一个。",
        "unauthenticated" => "请先登录（或提供有效的 API 密钥）。",
        "invalid_token" => "登录令牌无效或已过期，请重新登录。",
        "session_revoked" => "此次登录已结束，请重新登录。",
        "invalid_api_key" => "API 密钥不存在或已吊销。",
        "invalid_credentials" => "用户名或密码不正确。",
        "invalid_refresh_token" => "刷新令牌无效、已使用或已过期，请重新登录。",
        "forbidden" => "您没有对此记录进行此操作的权限。",
        "not_found" => "未找到该记录，或您无权查看。",
        "method_not_allowed" => "此地址不支持该请求方法。",
        "header_timeout" => "请求头未在规定时间内送达。",
        "already_exists" => "已有相同唯一值的记录。",
        "concurrent_update" => "他人刚刚修改了该记录，请重试。",
        "username_taken" => "该用户名已被使用。",
        "id_number_taken" => "已有使用该身份证号的业主。",
        "credit_code_taken" => "已有使用该统一社会信用代码的企业。",
        "building_exists" => "该小区已有同名楼栋。",
        "unit_exists" => "该楼栋已有同号房屋。",
        "not_empty" => "该记录下仍有其他记录。",
        "already_granted" => "该账号已在此处拥有此角色。",
        "last_admin" => "最后一名有效的系统管理员不能失去该角色或被停用。",
        "cannot_disable_self" => "管理员不能停用自己的账号。",
        "contract_overlap" => "该小区在此期间已有服务合同。",
        "committee_exists" => "该小区已有同类且未终止的委员会。",
        "owners_committee_exists" => "该小区已有在任的业主委员会，不再组建物业管理委员会。",
        "committee_not_preparing" => "委员会已不在筹备阶段。",
        "committee_not_elected" => "委员会尚未选举产生，或已过最初步骤。",
        "committee_not_in_office" => "委员会不在任期内。",
        "committee_not_standing_down" => "委员会不在换届或解散过程中。",
        "committee_ended" => "委员会已终止。",
        "first_meeting_recorded" => "首次会议已记录。",
        "election_open" => "委员会有候选人名单尚未确定的选举。",
        "election_not_nominating" => "选举已不再接受提名。",
        "election_not_in_screening" => "选举不在资格审查和联合审查阶段。",
        "election_not_in_publicity" => "候选人名单不在公示期。",
        "already_nominated" => "该业主已是本次选举的候选人。",
        "already_reviewed" => "本部门已审查过该候选人。",
        "already_answered" => "该异议已答复。",
        "vote_not_open" => "表决当前未开放。",
        "vote_not_closed" => "表决尚未结束。",
        "already_open" => "表决已开始。",
        "already_extended" => "表决已延期过一次。",
        "paper_ballot_recorded" => "该房屋已录入纸质表决票，以纸质票为准。",
        "runoff_not_closed" => "决胜表决尚未结束。",
        "no_tie_here" => "表决结果没有待处理的票数相同情况。",
        "seat_tie_first" => "请先处理最后席位的票数相同情况。",
        "proposal_not_mobilised" => "该议题已不再征集联署。",
        "proposal_not_proposed" => "该议题不在待审核状态。",
        "item_not_open_for_dispatch" => "该问题已被受理或已关闭，不再派单。",
        "item_not_dispatched" => "该问题不在等待受理状态。",
        "item_not_in_progress" => "该问题不在办理中。",
        "item_not_resolved" => "该问题不在等待报告人确认状态。",
        "item_has_open_actions" => "该问题在会议上列入议程，其督办事项尚未全部办结。",
        "minutes_not_draft" => "会议纪要不是草稿。",
        "minutes_not_confirming" => "会议纪要不在征求确认阶段。",
        "minutes_not_confirmed" => "尚有出席方未确认会议纪要。",
        "minutes_not_published" => "只能更正已发布的会议纪要。",
        "minutes_exist" => "该会议已有纪要，请以新版本更正。",
        "action_not_open" => "督办事项不在办理中。",
        "campaign_frozen" => "评定已开始，配置已冻结。",
        "campaign_not_draft" => "评定已开始。",
        "campaign_not_open" => "评定当前不收集评分。",
        "campaign_not_scoring" => "评定不在计分阶段。",
        "appeal_decided" => "该申诉已处理。",
        "idempotency_in_progress" => "使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试。",
        "delivery_in_flight" => "该推送正在发送中。",
        "action_not_reported" => "督办事项尚未报告办结。",
        "precondition_failed" => "这条记录在您读取后已被他人修改，请重新读取后再修改。",
        "precondition_required" => "此修改会替换整条记录，请在 If-Match 中附上读取时的 ETag。",
        "payload_too_large" => "请求内容超过大小上限。",
        "uri_too_long" => "请求地址过长。",
        "unsupported_media_type" => "此操作不接受该内容类型。",
        "headers_too_large" => "请求头行数过多或过长。",
        "idempotency_key_reused" => "此 Idempotency-Key 在 24 小时内已用于另一请求，新请求请使用新的键。",
        "validation_failed" => "填写的内容有误，请检查 errors 中列出的项目。",
        "import_rejected" => "表格有错误，未导入任何内容；errors 列出了出错的行和列。",
        "reference_not_found" => "引用的记录不存在。",
        "nothing_to_change" => "此请求没有要修改的内容。",
        "attendance_not_recorded" => "发出会议纪要前，请先记录各受邀方的出席情况。",
        "no_contract_in_force" => "该小区目前没有在约的物业服务企业。",
        "not_a_party_member" => "该业主不是在本社区有房屋的党员。",
        "unsupported_attachment" => "文件不是图片（JPEG、PNG、GIF、WebP）或 PDF。",
        "invalid_activation_code" => "激活码不存在、已使用、已作废或已过期。",
        "not_a_natural_person" => "委员会成员须为登记了身份证号的自然人。",
        "not_adult" => "委员会成员须为成年人。",
        "not_an_owners_committee" => "只有业主委员会可以进行此步骤。",
        "not_a_property_management_committee" => "只有物业管理委员会可以进行此步骤。",
        "preparatory_member_elected" => "筹备组成员参选前须先退出筹备组。",
        "publicity_not_over" => "公示期尚未结束。",
        "objections_unanswered" => "须先答复全部异议。",
        "objection_window_closed" => "只在名单公示期间受理异议。",
        "not_on_the_list" => "异议只针对公示名单上的候选人。",
        "proposal_not_approved" => "重大事项须经社区党组织审核同意后才能付诸表决。",
        "appeal_window_closed" => "只在结果公示期内受理申诉。",
        "campaign_inconsistent" => "评定配置前后不一致，errors 列出了每个问题。",
        "webhook_paused" => "该接收地址已暂停，恢复后才会发送事件。",
        "statement_superseded" => "该账目已更正，请更正现行版本。",
        "statement_exists" => "本期账目已公示，如需修改请发布更正版本。",
        "question_answered" => "该询问已答复，答复随询问一并公开。",
        "fund_use_decided" => "该维修资金使用事项已有决定、被驳回或已撤回。",
        "fund_use_not_approved" => "该维修资金使用事项尚未批准。",
        "report_closed" => "该报到已不予接收或已退出。",
        "already_reported" => "此人已向本社区报到，且报到仍有效。",
        "activity_closed" => "活动已开始或已取消。",
        "already_signed_up" => "您已报名（或在候补中）此活动。",
        "signup_not_open" => "该报名的状态不允许此操作。",
        "service_recorded" => "该活动的服务时长已经记录。",
        "selection_not_nominating" => "该评选已停止推荐。",
        "selection_not_in_publicity" => "该评选的候选名单不在公示期。",
        "not_the_activity_day" => "只能在活动当天（北京时间）签到。",
        "activity_not_over" => "活动结束后才能记录服务时长。",
        "not_on_shortlist" => "获选者须在公示名单上，且未因异议成立而取消资格。",
        "hours_not_confirmable" => "服务时长须由服务对象或社区确认，不能自己确认。",
        "delivery_not_retryable" => "只有发送失败或未发送的通知可以重新发送。",
        "statement_unreconciled" => "期初余额 + 本期收入 − 本期支出 不等于所填期末余额（精确到分），不能公示。",
        "statement_opening_mismatch" => "本期期初余额须等于上期公示的期末余额。",
        "statement_out_of_sequence" => "本期须紧接上期公示的期间，不得跳过。",
        "statement_period_open" => "该期间尚未结束。",
        "statement_balance_mismatch" => "维修资金期末余额与县维修资金账户记录不符。",
        "costs_exceed_share" => "企业列支的成本超过业主决定的公共收益提取比例。",
        "fund_basis_invalid" => "维修资金使用须以本小区已结束并通过的第5类（使用维修资金）表决为依据。",
        "fund_use_emergency" => "应急使用由县住建部门审批，不经表决决定。",
        "fund_use_not_emergency" => "一般使用须经业主表决决定，不由县里审批。",
        "not_an_emergency_here" => "本县应急使用情形清单中没有此项。",
        "settlement_exceeds_estimate" => "结算金额不得超过已决定的预算，超出部分须重新决定。",
        "fee_basis_invalid" => "收费标准须以本小区通过的表决、表决通过的重大事项或政府指导价文件为依据。",
        "fee_standard_ambiguous" => "同一收费项目对某些房屋有两个同样具体的标准，请明确适用哪一个。",
        "use_without_basis" => "公共收益的使用须注明授权的业主共同决定（已通过的表决）。",
        "survey_answered" => "该业主已就本小区参加过本次满意度测评（线上或纸质），每位业主只计一份。",
        "not_rated_here" => "该企业在本次评定中不参评此小区。",
        "no_results" => "评定还没有可公布的结果，请先计分。",
        "too_early" => "表决在公告的开始时间才开放。",
        "meeting_not_started" => "会议开始后才能登记出席情况和起草纪要。",
        "appeal_exists" => "本企业已就该小区的这一指标提出过申诉，不能重复申诉。",
        "too_late" => "已过截止时间。",
        "not_your_voter" => "您不是该房屋的指定投票人。",
        "ambiguous_voter" => "您代表多个房屋投票，请指明房屋。",
        "election_failed_quorum" => "选举表决未达到参与人数和面积的要求。",
        "runoff_failed_quorum" => "决胜表决未达到参与人数和面积的要求。",
        "runoff_tied" => "决胜表决票数再次相同。",
        "tie_unresolved" => "选举最后席位的票数相同尚未处理。",
        "ties_by_lots" => "本县（区）以抽签而非决胜表决处理票数相同。",
        "too_many_requests" => "请求过于频繁，请按 Retry-After 稍后再试。",
        "internal" => "服务器出现意外错误；回复中的请求编号可用于查找日志。",
        "unavailable" => "数据库暂时没有响应，请按 Retry-After 稍后再试。",
        "busy" => "此类请求当前过多，请按 Retry-After 稍后再试。",
        "request_timeout" => "请求耗时过长（请求内容传送过慢或服务器繁忙），请重试。",
        "too_many_connections" => "服务器连接数已满。",
        _ => return None,
    })
}

/// What a field code means, for people.
pub fn reason(code: &str) -> Option<&'static str> {
    Some(match code {
        "required" => "此项必填。",
        "missing" => "缺少必填项。",
        "unknown_field" => "包含格式中没有的字段。",
        "invalid_type" => "值的类型不对。",
        "invalid_value" => "不是此项允许的取值。",
        "invalid_format" => "格式不对（日期、日期时间）。",
        "constraint" => "超出格式限制（长度、范围、模式或项数）。",
        "control_character" => "文字中含有控制字符。",
        "invalid" => "此处的值无效。",
        "format" => "格式不符合要求。",
        "check_digit" => "代码或号码的校验位不对。",
        "charset" => "含有此项不接受的字符。",
        "unknown" => "没有这个取值（角色、类别）。",
        "your_voter" => "您代表投票的房屋之一（供选择）。",
        "length" => "文字过短或过长。",
        "weak" => "密码太容易被猜到。",
        "mismatch" => "不一致（当前密码或确认）。",
        "not_found" => "引用的记录不存在或不可见。",
        "not_allowed" => "此调用方或此处不允许该值。",
        "duplicate" => "同一值出现了两次。",
        "out_of_range" => "数值超出规则允许的范围。",
        "range" => "区间为空或前后颠倒。",
        "size" => "项数不符合规则要求。",
        "too_few" => "少于规则要求。",
        "too_many" => "多于规则允许。",
        "too_large" => "超过上限。",
        "future" => "日期在将来。",
        "before_start" => "结束早于开始。",
        "before_election" => "日期早于选举。",
        "before_opening" => "时间早于表决开始。",
        "not_ahead" => "时间须晚于当前时间（提前发布）。",
        "not_later" => "新时间不晚于原时间。",
        "notice_too_short" => "公告期未满即开始表决。",
        "wrong_kind" => "记录类别不对。",
        "wrong_parent" => "上级不是此处需要的类别。",
        "wrong_community" => "记录属于其他社区。",
        "conflict" => "与另一字段冲突。",
        "same_person" => "须由不同人担任的两个角色指向同一人。",
        "not_a_member" => "此人不是委员会成员。",
        "not_an_owner" => "此人不是本小区业主。",
        "not_an_owner_here" => "此人在本小区没有房屋。",
        "owner_has_account" => "该业主已有账号。",
        "chair" => "主任不在成员之中。",
        "composition" => "委员会构成不符合本县（区）规定。",
        "not_the_county_rule" => "本县（区）规定不同。",
        "election" => "选举不属于本小区或本委员会。",
        "not_final" => "候选人名单尚未确定。",
        "no_candidates" => "确定的名单中没有候选人。",
        "not_a_candidate" => "此人不在确定的候选人名单上。",
        "not_on_final_list" => "此人不在确定的候选人名单上。",
        "not_on_roll" => "该房屋不在本次表决的名册上。",
        "not_a_runoff" => "该表决不是这次票数相同的决胜表决。",
        "not_the_tied" => "所列姓名与票数相同的候选人不完全一致。",
        "not_a_natural_person" => "须为登记了身份证号的自然人。",
        "not_adult" => "此人未成年。",
        "negative_list" => "存在有效的负面清单记录。",
        _ => return None,
    })
}

tokio::task_local! {
    /// Whether the request being answered prefers Chinese (`http::middleware` sets it).
    static PREFERRED: bool;
}

/// Runs `f` (a request's handling) knowing whether its caller prefers Chinese, so that a message
/// written in both languages where it is made (`FieldError::message_zh`) is given in theirs.
pub async fn scope<F: std::future::Future>(zh: bool, f: F) -> F::Output {
    PREFERRED.scope(zh, f).await
}

/// Whether the request being answered prefers Chinese (false outside one).
pub fn preferred() -> bool {
    PREFERRED.try_with(|z| *z).unwrap_or(false)
}

/// Whether a request's `Accept-Language` prefers Chinese: the language of highest weight that
/// is Chinese or English decides (English when neither is named).
pub fn prefers_chinese(accept_language: &str) -> bool {
    let mut best: Option<(f32, bool)> = None;
    for part in accept_language.split(',').take(16) {
        let mut it = part.split(';');
        let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok()))
            .unwrap_or(1.0);
        let zh = tag == "zh" || tag.starts_with("zh-");
        if !(zh || tag == "en" || tag.starts_with("en-")) || q <= 0.0 {
            continue;
        }
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, zh));
        }
    }
    best.is_some_and(|(_, zh)| zh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes::{PROBLEMS, REASONS};

    #[test]
    fn every_code_has_chinese() {
        for c in PROBLEMS {
            assert!(problem(c.name).is_some(), "problem code {} has no Chinese text", c.name);
            assert_ne!(title(c.status), "出错了", "status {} has no Chinese title", c.status);
        }
        for r in REASONS {
            assert!(reason(r.name).is_some(), "field code {} has no Chinese text", r.name);
        }
    }

    #[test]
    fn the_preferred_language_decides() {
        assert!(prefers_chinese("zh-CN"));
        assert!(prefers_chinese("zh-CN,zh;q=0.9,en;q=0.8"));
        assert!(prefers_chinese("zh-Hans-CN"));
        assert!(!prefers_chinese("en-US,en;q=0.9,zh-CN;q=0.8"));
        assert!(!prefers_chinese(""));
        assert!(!prefers_chinese("fr"));
        assert!(prefers_chinese("fr, zh;q=0.5"));
        assert!(!prefers_chinese("zh;q=0"));
    }
}

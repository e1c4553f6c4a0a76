//! The minutes for people: a printable, self-contained A4 page in Chinese for the notice board,
//! and what changed between two versions.

use super::*;
use poem_openapi::payload::Html;

/// The printed minutes' one style: A4 with page numbers. The pages open this document in a
/// window of their own, so the shell's policy allows this style by its hash (`web::mod`).
pub const PRINT_STYLE: &str = "@page{size:A4;margin:20mm;@bottom-center{content:\"第 \" counter(page) \" 页，共 \" counter(pages) \" 页\";font-size:9pt}}body{font-family:\"Songti SC\",\"SimSun\",serif;font-size:12pt;\
         line-height:1.6;max-width:170mm;margin:0 auto;color:#000}h1{text-align:center;font-size:18pt}\
         h2{font-size:13pt;border-bottom:1px solid #000;margin-top:1.2em}table{border-collapse:collapse;width:100%}\
         td,th{border:1px solid #000;padding:2pt 4pt;text-align:left;vertical-align:top}\
         .sign td{height:14mm}.meta{color:#333}.draft{color:#a00;font-weight:bold;text-align:center}footer{margin-top:2em;font-size:9pt;word-break:break-all}";

pub struct PrintApi;

/// Text made safe to put in HTML.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// An instant as China Standard Time, to the minute.
fn cst(t: NaiveDateTime) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y年%m月%d日 %H:%M")
        .to_string()
}

/// The page: every fact of the minutes, in the order a notice board shows them.
fn page(ctx: &MeetingCtx, agenda: &[AgendaRow], m: &MinutesRow, answers: &[AnswerRow]) -> AppResult<String> {
    let content: MinutesContent =
        serde_json::from_str(&m.content).map_err(|e| AppError::Internal(format!("stored minutes: {e}")))?;
    let meeting = &ctx.meeting;
    let status = m.status()?;
    let party_name = |id: &str| {
        ctx.parties
            .iter()
            .find(|(p, _)| p.id == id)
            .map(|(p, _)| p.name.clone())
            .unwrap_or_default()
    };
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!("<title>{} 会议纪要</title>", esc(&meeting.title)));
    h.push_str(&format!("<style>{PRINT_STYLE}</style>"));
    h.push_str("</head><body>");
    h.push_str(&format!("<h1>{}<br>会议纪要</h1>", esc(&meeting.title)));
    if status != MinutesStatus::Published {
        h.push_str(&format!(
            "<p class=\"draft\">（{}，非正式文本）</p>",
            esc(status.label())
        ));
    }
    h.push_str(&format!(
        "<p class=\"meta\">会议类型：{}<br>时间：{}<br>地点：{}</p>",
        esc(meeting.kind()?.label()),
        cst(meeting.starts_at),
        esc(&meeting.place)
    ));
    h.push_str("<h2>参会情况</h2><table><tr><th>参会方</th><th>类别</th><th>出席情况</th></tr>");
    for (p, _) in &ctx.parties {
        let attendance = match (p.attendance()?, &p.represented_by) {
            (Attendance::Represented, Some(by)) => format!("委托 {} 出席", esc(by)),
            (a, _) => esc(a.label()),
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.name),
            esc(p.kind()?.label()),
            attendance
        ));
    }
    h.push_str("</table><h2>议程与讨论</h2><ol>");
    for a in agenda {
        h.push_str(&format!("<li><strong>{}</strong>", esc(&a.title)));
        for d in content.discussion.iter().filter(|d| d.agenda_seq == a.seq) {
            h.push_str(&format!("<p>{}</p>", esc(&d.text)));
        }
        h.push_str("</li>");
    }
    h.push_str("</ol><h2>决定事项</h2><ol>");
    for d in &content.decisions {
        h.push_str(&format!("<li>{}", esc(&d.text)));
        if let (Some(r), Some(due)) = (&d.responsible_party_id, d.due_on) {
            h.push_str(&format!(
                "<br>责任方：{}；办结期限：{}",
                esc(&party_name(r)),
                due.format("%Y年%m月%d日")
            ));
        }
        h.push_str("</li>");
    }
    h.push_str("</ol><h2>各方确认</h2><table><tr><th>参会方</th><th>意见</th><th>时间</th></tr>");
    for a in answers.iter().filter(|a| a.round == m.round || a.correction) {
        let what = if a.correction {
            format!("要求更正：{}", esc(a.comment.as_deref().unwrap_or("")))
        } else {
            "确认".to_string()
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&party_name(&a.party_id)),
            what,
            cst(a.answered_at)
        ));
    }
    // A line for each attending party to sign and date on the printed copy.
    h.push_str("</table><h2>参会方签字</h2><table class=\"sign\"><tr><th>参会方</th><th>签字</th><th>日期</th></tr>");
    for (p, _) in ctx
        .parties
        .iter()
        .filter(|(p, _)| p.attendance().is_ok_and(|a| a != Attendance::Absent))
    {
        h.push_str(&format!("<tr><td>{}</td><td></td><td></td></tr>", esc(&p.name)));
    }
    h.push_str("</table><footer>");
    h.push_str(&format!("第 {} 版", m.version));
    if let Some(at) = m.published_at {
        h.push_str(&format!("，{} 发布", cst(at)));
    }
    if let Some(f) = &m.fingerprint {
        h.push_str(&format!("<br>SHA-256：{}", esc(f)));
    }
    h.push_str(&format!("<br>纪要编号：{}", esc(&m.id)));
    h.push_str("</footer></body></html>");
    Ok(h)
}

/// One difference between two versions.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MinutesChange {
    /// Where: `discussion[agenda_seq=N]` or `decisions[N]` (1 is the first decision).
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MinutesDiff {
    pub from_id: String,
    pub from_version: i32,
    pub to_id: String,
    pub to_version: i32,
    pub changes: Vec<MinutesChange>,
}

/// A decision as one line of text (its text, responsible party and due day).
fn decision_text(d: &Decision) -> String {
    let mut s = d.text.clone();
    if let (Some(r), Some(due)) = (&d.responsible_party_id, d.due_on) {
        s.push_str(&format!(" [{r}, {due}]"));
    }
    if !d.ledger_item_ids.is_empty() {
        s.push_str(&format!(" {{{}}}", d.ledger_item_ids.join(", ")));
    }
    s
}

fn diff(a: &MinutesContent, b: &MinutesContent) -> Vec<MinutesChange> {
    let mut out = Vec::new();
    let mut seqs: Vec<i32> = a.discussion.iter().chain(&b.discussion).map(|d| d.agenda_seq).collect();
    seqs.sort();
    seqs.dedup();
    let joined = |c: &MinutesContent, seq: i32| {
        let texts: Vec<&str> = c
            .discussion
            .iter()
            .filter(|d| d.agenda_seq == seq)
            .map(|d| d.text.as_str())
            .collect();
        (!texts.is_empty()).then(|| texts.join("\n"))
    };
    for seq in seqs {
        let (before, after) = (joined(a, seq), joined(b, seq));
        if before != after {
            out.push(MinutesChange {
                path: format!("discussion[agenda_seq={seq}]"),
                before,
                after,
            });
        }
    }
    for i in 0..a.decisions.len().max(b.decisions.len()) {
        let before = a.decisions.get(i).map(decision_text);
        let after = b.decisions.get(i).map(decision_text);
        if before != after {
            out.push(MinutesChange {
                path: format!("decisions[{}]", i + 1),
                before,
                after,
            });
        }
    }
    out
}

#[OpenApi(tag = "ApiTags::Meetings")]
impl PrintApi {
    /// The minutes as a self-contained A4 page in Chinese for the notice board: title, time,
    /// place, attendance, agenda and discussion, decisions with responsible party and due day,
    /// the parties' confirmations with times, the version and its SHA-256 fingerprint. A version
    /// that is not published says so on the page.
    ///
    /// As for reading the minutes.
    #[oai(path = "/minutes/:id/print", method = "get", operation_id = "printMinutes")]
    async fn print(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Html<String>> {
        let caller = auth.caller().clone();
        Ok(Html(
            state
                .db
                .read(move |c| {
                    let (ctx, m, _) = load_minutes(c, &caller, &id.0)?;
                    let agenda = db::meetings::agenda(c, &ctx.meeting.id)?;
                    let answers = db::meetings::answers(c, &m.id)?;
                    page(&ctx, &agenda, &m, &answers)
                })
                .await?,
        ))
    }

    /// What changed between two versions of a meeting's minutes: per agenda item's discussion
    /// and per decision, before and after.
    ///
    /// As for reading the minutes (both versions).
    #[oai(path = "/minutes/:id/diff", method = "get", operation_id = "diffMinutes")]
    async fn diff(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The other version (of the same meeting) to compare with; this one is the later side.
        #[oai(validator(max_length = 64))]
        against: Query<String>,
    ) -> ApiResult<Json<MinutesDiff>> {
        let caller = auth.caller().clone();
        Ok(Json(
            state
                .db
                .read(move |c| {
                    let (_, to, _) = load_minutes(c, &caller, &id.0)?;
                    let (_, from, _) = load_minutes(c, &caller, &against.0)?;
                    if from.meeting_id != to.meeting_id {
                        return Err(AppError::invalid(
                            "against",
                            reason::CONFLICT,
                            "a version of another meeting",
                        ));
                    }
                    let parse = |m: &MinutesRow| -> AppResult<MinutesContent> {
                        serde_json::from_str(&m.content).map_err(|e| AppError::Internal(e.to_string()))
                    };
                    Ok(MinutesDiff {
                        changes: diff(&parse(&from)?, &parse(&to)?),
                        from_id: from.id,
                        from_version: from.version,
                        to_id: to.id,
                        to_version: to.version,
                    })
                })
                .await?,
        ))
    }
}

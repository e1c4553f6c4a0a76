//! A published statement outside the API's JSON: the workbook, the A4 page for the notice board,
//! and the notice board's part (fee standards and each account's latest statement).

use super::*;
use crate::http::ratings::export::{Cell, Sheet};

fn account_title(a: Account) -> &'static str {
    match a {
        Account::CommonIncome => "公共收益收支情况",
        Account::MaintenanceFund => "专项维修资金收支情况",
    }
}

/// The statement's two sheets: its balances, and its lines.
pub(super) fn sheets(ctx: &EstateCtx, s: &StatementRow, lines: &[LineRow]) -> AppResult<[Sheet; 2]> {
    let text = |t: &str| Cell::Text(t.to_string());
    let summary = vec![
        vec![text("小区"), text(&ctx.estate.name)],
        vec![text("账目"), text(account_title(s.account()?))],
        vec![text("期间"), text(&format!("{} 至 {}", s.period_from, s.period_to))],
        vec![text("版本"), Cell::Int(s.version as i64)],
        vec![text("期初余额(元)"), Cell::Centi(s.opening_fen)],
        vec![text("本期收入(元)"), Cell::Centi(s.income_fen)],
        vec![text("本期支出(元)"), Cell::Centi(s.spending_fen)],
        vec![text("其中合理成本(元)"), Cell::Centi(s.costs_fen)],
        vec![text("期末余额(元)"), Cell::Centi(s.closing_fen)],
        vec![text("更正原因"), text(s.correction_reason.as_deref().unwrap_or(""))],
        vec![text("数字指纹(SHA-256)"), text(&s.fingerprint)],
    ];
    let rows = lines
        .iter()
        .map(|l| {
            Ok(vec![
                Cell::Int(l.seq as i64),
                text(&l.occurred_on.to_string()),
                text(l.kind()?.label()),
                text(l.category()?.label()),
                Cell::Centi(l.amount_fen),
                text(&l.counterparty),
                text(&l.description),
            ])
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok([
        Sheet {
            name: "汇总",
            headers: vec!["项目".into(), "内容".into()],
            rows: summary,
        },
        Sheet {
            name: "明细",
            headers: ["序号", "日期", "收支", "科目", "金额(元)", "对方", "摘要"]
                .iter()
                .map(|h| h.to_string())
                .collect(),
            rows,
        },
    ])
}

/// The statement for the notice board, on A4.
pub(super) fn print_page(ctx: &EstateCtx, s: &StatementRow, lines: &[LineRow]) -> AppResult<String> {
    use crate::http::meetings::{esc, PRINT_STYLE};
    let title = format!("{} {}", ctx.estate.name, account_title(s.account()?));
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!(
        "<title>{}</title><style>{PRINT_STYLE}</style></head><body>",
        esc(&title)
    ));
    h.push_str(&format!("<h1>{}<br>公示</h1>", esc(&title)));
    if s.status()? != StatementStatus::Published {
        h.push_str("<p class=\"draft\">本版本已被更正，现行版本见更正公示</p>");
    }
    h.push_str(&format!(
        "<p class=\"meta\">期间：{} 至 {}　第 {} 版　公示时间：{}</p>",
        s.period_from,
        s.period_to,
        s.version,
        (s.published_at + chrono::Duration::hours(8)).format("%Y年%m月%d日 %H:%M")
    ));
    h.push_str("<h2>收支汇总（元）</h2><table>");
    for (k, v) in [
        ("期初余额", s.opening_fen),
        ("本期收入", s.income_fen),
        ("本期支出", s.spending_fen),
        ("其中合理成本", s.costs_fen),
        ("期末余额", s.closing_fen),
    ] {
        h.push_str(&format!("<tr><th>{k}</th><td>{}</td></tr>", Fen(v)));
    }
    h.push_str("</table>");
    if let Some(reason) = &s.correction_reason {
        h.push_str(&format!("<h2>更正说明</h2><p>{}</p>", esc(reason)));
    }
    h.push_str("<h2>收支明细</h2><table><tr><th>序号</th><th>日期</th><th>收支</th><th>科目</th><th>金额（元）</th><th>对方</th><th>摘要</th></tr>");
    for l in lines {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            l.seq,
            l.occurred_on,
            l.kind()?.label(),
            l.category()?.label(),
            Fen(l.amount_fen),
            esc(&l.counterparty),
            esc(&l.description)
        ));
    }
    h.push_str("</table>");
    if !s.note.is_empty() {
        h.push_str(&format!("<h2>说明</h2><p>{}</p>", esc(&s.note)));
    }
    h.push_str(&format!(
        "<footer>业主如有疑问，可在平台上对本公示提出询问，物业服务企业应在规定期限内答复。数字指纹（SHA-256）：{}</footer>",
        s.fingerprint
    ));
    h.push_str("</body></html>");
    Ok(h)
}

/// The fee standards the notice board shows: the one in force and those to come.
pub(crate) fn board_standards(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<FeeStandard>> {
    let today = ids::today();
    Ok(standards_out(db::money::standards_of(conn, estate_id)?, today)?
        .into_iter()
        .filter(|s| s.in_force || s.effective_from > today)
        .collect())
}

/// The latest published statement of each account, for the notice board.
pub(crate) fn board_statements(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<BoardStatement>> {
    let mut out = Vec::new();
    for account in Account::ALL {
        let Some(s) = db::money::in_force(conn, estate_id, *account)?.into_iter().next() else {
            continue;
        };
        let totals = db::money::line_totals(conn, &s.id)?
            .into_iter()
            .map(|(kind, category, amount, n)| {
                Ok(CategoryTotal {
                    kind: db::terms::stored(&kind)?,
                    category: db::terms::stored(&category)?,
                    amount_fen: amount,
                    entries: n,
                })
            })
            .collect::<AppResult<_>>()?;
        out.push(BoardStatement {
            statement_id: s.id,
            account: *account,
            period_from: s.period_from,
            period_to: s.period_to,
            version: s.version,
            opening_fen: s.opening_fen,
            income_fen: s.income_fen,
            spending_fen: s.spending_fen,
            closing_fen: s.closing_fen,
            published_at: utc(s.published_at),
            fingerprint: s.fingerprint,
            totals,
        });
    }
    Ok(out)
}

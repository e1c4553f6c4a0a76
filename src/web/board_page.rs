//! The public estate page (`/web/estates/{id}`), rendered here from the same notice board the
//! API serves (`GET /api/v1/estates/{id}/notice-board`, `http::estates::read_board`).
//!
//! Why on the server: it is the one page for everybody — linked from a QR code on the estate's
//! notice board, opened on a weak phone connection — and it must show in one round trip (under
//! a second on a "Fast 3G" profile, where every further request costs 560 ms). So it is one
//! self-contained HTML document: its style inline (allowed by hash), no script at all (its
//! policy allows none), cacheable by any proxy for a minute. Nothing personal is in the board.

use std::fmt::Write;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::domain::voting::Share;
use crate::http::estates::NoticeBoard;
use crate::http::meetings::print::esc;
use crate::http::votes::{RequiredShare, VoteResult};

fn cst(t: &DateTime<Utc>) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    t.with_timezone(&tz).format("%Y年%m月%d日 %H:%M").to_string()
}

fn day(d: &NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

/// 1/100 m² as m² with two decimals, in integers.
fn area(centi: i64) -> String {
    format!("{}.{:02} m²", centi / 100, (centi % 100).abs())
}

fn share_text(r: &RequiredShare) -> String {
    let name = match (r.numerator, r.denominator) {
        (1, 2) => "二分之一".to_string(),
        (2, 3) => "三分之二".to_string(),
        (3, 4) => "四分之三".to_string(),
        (n, d) => format!("{n}/{d}"),
    };
    if r.strictly_more {
        format!("超过{name}")
    } else {
        format!("不少于{name}")
    }
}

/// A figure against the share the rules require: a native `<meter>` (read out by screen
/// readers) and the words, decided in integers by the domain's own rule.
fn meter(out: &mut String, label: &str, part: i64, whole: i64, required: &RequiredShare, unit: fn(i64) -> String) {
    let share = Share {
        numerator: required.numerator,
        denominator: required.denominator,
        strictly_more: required.strictly_more,
    };
    let reached = whole > 0 && share.met(part, whole);
    let bp = if whole > 0 {
        (part as i128 * 10000 / whole as i128) as i64
    } else {
        0
    };
    let _ = write!(
        out,
        "<div class=\"meter-row\"><div class=\"caption\"><span>{}</span><span>{} / {}（{}.{:02}%）</span></div>\
         <meter min=\"0\" max=\"{whole}\" value=\"{part}\" aria-label=\"{}\"></meter>\
         <div class=\"small {}\">要求{}：{}</div></div>",
        esc(label),
        unit(part),
        unit(whole),
        bp / 100,
        bp % 100,
        esc(label),
        if reached { "ok-text" } else { "muted" },
        share_text(required),
        if reached { "已达到" } else { "未达到" },
    );
}

/// How a statutory notice reached the owners, as totals (RULES.md §10): no one's name.
fn notice_line(o: &mut String, what: &str, t: &crate::http::notices::NoticeTotals) {
    let _ = write!(
        o,
        "<p class=\"small\">{what}已送达 {} 户业主的页面；短信已提交 {} 条{}；{} 户无手机号{}。</p>",
        t.owners,
        t.texted,
        if t.delivered > 0 {
            format!("（已送达 {}）", t.delivered)
        } else {
            String::new()
        },
        t.without_mobile,
        if t.paper_notices > 0 {
            format!("；纸质公告 {} 处", t.paper_notices)
        } else {
            String::new()
        }
    );
}

fn people(n: i64) -> String {
    format!("{n} 人")
}

fn result(out: &mut String, r: &VoteResult) {
    let t = &r.turnout;
    let _ = write!(
        out,
        "<div class=\"result\" data-outcome=\"{}\"><p><strong>结果：{}</strong></p>",
        r.outcome.as_str(),
        r.outcome.label()
    );
    meter(
        out,
        "参与表决的专有部分面积",
        t.voted_area_centi_m2,
        t.total_area_centi_m2,
        &r.participation_required,
        area,
    );
    meter(
        out,
        "参与表决的人数",
        t.voted_heads,
        t.total_heads,
        &r.participation_required,
        people,
    );
    if let Some(tally) = &r.tally {
        meter(
            out,
            "同意的面积（占参与表决）",
            tally.yes_area_centi_m2,
            tally.voted_area_centi_m2,
            &r.approval_required,
            area,
        );
        meter(
            out,
            "同意的人数（占参与表决）",
            tally.yes_heads,
            tally.voted_heads,
            &r.approval_required,
            people,
        );
    }
    if !r.candidates.is_empty() {
        out.push_str("<table><caption class=\"sr-only\">候选人得票</caption><thead><tr><th scope=\"col\">候选人</th><th class=\"num\" scope=\"col\">同意面积</th><th class=\"num\" scope=\"col\">同意人数</th><th scope=\"col\">结果</th></tr></thead><tbody>");
        for c in &r.candidates {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&c.label),
                area(c.yes_area_centi_m2),
                c.yes_heads,
                c.result.label()
            );
        }
        out.push_str("</tbody></table>");
    }
    let _ = write!(
        out,
        "<p class=\"small muted\">计票依据的名册指纹 <span class=\"mono\">{}</span></p></div>",
        esc(&r.roll_fingerprint)
    );
}

/// The page's `<main>`: what the JSON board says, in Chinese.
pub fn render(b: &NoticeBoard) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<h1>{} · 公示栏</h1><p class=\"muted\">{}",
        esc(&b.name),
        b.kind.label()
    );
    if let Some(a) = &b.address {
        let _ = write!(o, " · {}", esc(a));
    }
    let _ = write!(o, " · 更新于 {}</p><div class=\"grid two\">", cst(&b.generated_at));

    o.push_str("<section class=\"card\" aria-labelledby=\"committees-h\"><h2 id=\"committees-h\">业主组织</h2>");
    if b.committees.is_empty() {
        o.push_str("<p class=\"muted\">尚未成立业主委员会或物业管理委员会。</p>");
    }
    for c in &b.committees {
        let _ = write!(
            o,
            "<h3>{} <span class=\"badge\">{}</span></h3><p class=\"small\">",
            c.kind.label(),
            c.status.label()
        );
        if let Some(d) = &c.formed_on {
            let _ = write!(o, "成立 {}；", day(d));
        }
        if let Some(d) = &c.term_ends_on {
            let _ = write!(o, "任期至 {}；", day(d));
        }
        match &c.filed_bureau_on {
            Some(d) => drop(write!(o, "住建局备案 {}；", day(d))),
            None => o.push_str("尚未在住建局备案；"),
        }
        match &c.filed_street_on {
            Some(d) => drop(write!(o, "街道/乡镇备案 {}", day(d))),
            None => o.push_str("尚未在街道/乡镇备案"),
        }
        o.push_str("</p>");
        if !c.members.is_empty() {
            o.push_str("<table><caption class=\"sr-only\">成员名单</caption><thead><tr><th scope=\"col\">姓名</th><th scope=\"col\">职务</th><th scope=\"col\">政治面貌</th></tr></thead><tbody>");
            for m in &c.members {
                let rank = m.alternate_rank.map(|r| format!(" {r}")).unwrap_or_default();
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td>{}{}</td><td>{}</td></tr>",
                    esc(&m.name),
                    m.role.label(),
                    rank,
                    if m.party_member { "中共党员" } else { "—" }
                );
            }
            o.push_str("</tbody></table>");
        }
    }
    o.push_str(
        "</section><section class=\"card\" aria-labelledby=\"company-h\"><h2 id=\"company-h\">物业服务企业</h2>",
    );
    match &b.company {
        None => o.push_str("<p class=\"muted\">目前没有在约的物业服务企业。</p>"),
        Some(co) => {
            let _ = write!(o, "<p><strong>{}</strong></p>", esc(&co.name));
            match &co.latest_rating {
                None => o.push_str("<p class=\"muted\">尚无公布的星级评定。</p>"),
                Some(r) => {
                    let stars = r.stars.clamp(0, 5) as usize;
                    let _ = write!(
                        o,
                        "<p>{}：<span class=\"stars\" aria-label=\"{} 星\">{}{}</span>{} 得分 {}，排名第 {}</p>",
                        esc(&r.campaign_name),
                        stars,
                        "★".repeat(stars),
                        "☆".repeat(5 - stars),
                        if r.vetoed {
                            " <span class=\"badge bad\">一票否决</span>"
                        } else {
                            ""
                        },
                        esc(&r.score),
                        r.rank
                    );
                }
            }
        }
    }
    o.push_str("</section></div>");

    if !b.candidate_lists.is_empty() {
        o.push_str("<section class=\"card\" aria-labelledby=\"cand-h\"><h2 id=\"cand-h\">候选人名单公示</h2>");
        for l in &b.candidate_lists {
            let until = l.objections_until.as_ref().map(day).unwrap_or_else(|| "—".into());
            let _ = write!(
                o,
                "<p>公示时间：{}；异议截止：<strong>{}</strong>（应选 {} 名）</p><ul>",
                cst(&l.published_at),
                until,
                l.seats
            );
            for c in &l.candidates {
                let _ = write!(
                    o,
                    "<li>{}{}</li>",
                    esc(&c.name),
                    if c.party_member { "（中共党员）" } else { "" }
                );
            }
            o.push_str("</ul>");
            if let Some(t) = &l.notice {
                notice_line(&mut o, "名单公示", t);
            }
        }
        o.push_str("</section>");
    }

    o.push_str("<section class=\"card\" aria-labelledby=\"votes-h\"><h2 id=\"votes-h\">业主共同决定事项（表决）</h2>");
    if b.votes.is_empty() {
        o.push_str("<p class=\"muted\">暂无表决。</p>");
    }
    o.push_str("<ul class=\"plain\">");
    for v in &b.votes {
        let _ = write!(
            o,
            "<li><h3>{} <span class=\"badge {}\">{}</span></h3><p>{}</p><p class=\"small muted\">投票时间 {} — {}；召集：{}</p>",
            esc(&v.title),
            v.status.as_str(),
            v.status.label(),
            esc(&v.question),
            cst(&v.opens_at),
            cst(&v.closes_at),
            v.convenor.label()
        );
        if let (Some(fp), Some(a), Some(h)) = (&v.roll_fingerprint, v.total_area_centi_m2, v.total_heads) {
            let _ = write!(
                o,
                "<p class=\"small\">投票名册：专有部分面积 {}，业主 {} 人；名册指纹 <span class=\"mono\">{}</span></p>",
                area(a),
                h,
                esc(fp)
            );
        }
        if let Some(t) = &v.notice {
            notice_line(&mut o, "表决公告", t);
        }
        if let Some(r) = b.results.iter().find(|r| r.vote_id == v.id) {
            result(&mut o, r);
            let _ = write!(
                o,
                "<p class=\"small\"><a href=\"/web/owner/votes/{}\">业主登录后核对自己的投票回执</a></p>",
                esc(&v.id)
            );
        }
        o.push_str("</li>");
    }
    o.push_str("</ul></section>");

    o.push_str("<section class=\"card\" aria-labelledby=\"minutes-h\"><h2 id=\"minutes-h\">联席会议纪要</h2>");
    if b.minutes.is_empty() {
        o.push_str("<p class=\"muted\">暂无已发布的会议纪要。</p>");
    }
    for m in &b.minutes {
        let _ = write!(
            o,
            "<article><h3>{}</h3><p class=\"small muted\">会议时间 {} · 发布于 {} · 第 {} 版</p><ol>",
            esc(&m.meeting_title),
            cst(&m.meeting_starts_at),
            cst(&m.published_at),
            m.version
        );
        for d in &m.content.decisions {
            let _ = write!(o, "<li>{}</li>", esc(&d.text));
        }
        let _ = write!(
            o,
            "</ol><p class=\"small muted mono\">指纹 {}</p></article>",
            esc(&m.fingerprint)
        );
    }
    o.push_str("</section>");
    accounts(&mut o, b);
    service(&mut o, b);
    o
}

/// Activities to come and selections (RULES.md §11): names and places, no households.
fn service(o: &mut String, b: &NoticeBoard) {
    o.push_str("<section class=\"card\" aria-labelledby=\"act-h\"><h2 id=\"act-h\">党群活动预告</h2>");
    if b.activities.is_empty() {
        o.push_str("<p class=\"muted\">近期没有活动。</p>");
    }
    for a in &b.activities {
        let _ = write!(
            o,
            "<article><h3>{}</h3><p>{} 至 {} · {} · 名额 {} 人（已报名 {}，候补 {}）</p></article>",
            esc(&a.title),
            cst(&a.starts_at),
            cst(&a.ends_at),
            esc(&a.place),
            a.cap,
            a.admitted,
            a.waiting
        );
    }
    o.push_str("</section><section class=\"card\" aria-labelledby=\"sel-h\"><h2 id=\"sel-h\">评选公示与结果</h2>");
    if b.selections.is_empty() {
        o.push_str("<p class=\"muted\">暂无评选公示。</p>");
    }
    for s in &b.selections {
        let when = match &s.publicity_ends_at {
            Some(t) if s.status == crate::domain::service::SelectionStatus::Publicity => {
                format!("公示至 {} 前，异议请实名提出", cst(t))
            }
            _ => s.status.label().to_string(),
        };
        let _ = write!(
            o,
            "<article><h3>{}（{}）</h3><p class=\"small muted\">{} · {}</p><p>{}</p>{}</article>",
            esc(&s.title),
            s.kind.label(),
            esc(&s.org_name),
            when,
            esc(&s.names.join("、")),
            s.decision
                .as_deref()
                .map(|d| format!("<p class=\"small\">{}</p>", esc(d)))
                .unwrap_or_default()
        );
    }
    o.push_str("</section>");
}

/// The fee standards and the latest statements (RULES.md §9): prices and totals, nothing personal.
fn accounts(o: &mut String, b: &NoticeBoard) {
    use crate::domain::money::Fen;
    o.push_str("<section class=\"card\" aria-labelledby=\"fees-h\"><h2 id=\"fees-h\">收费标准（明码标价）</h2>");
    if b.fee_standards.is_empty() {
        o.push_str("<p class=\"muted\">尚未公示收费标准。</p>");
    }
    for st in &b.fee_standards {
        let _ = write!(
            o,
            "<article><h3>{} 起执行{}</h3><p class=\"small muted\">定价依据：{}{} · 价格举报电话 {}</p><table><thead><tr><th scope=\"col\">项目</th><th scope=\"col\">单价</th><th scope=\"col\">服务内容</th></tr></thead><tbody>",
            day(&st.effective_from),
            if st.in_force { "（现行）" } else { "" },
            st.basis.label(),
            st.document.as_deref().map(|d| format!("（{}）", esc(d))).unwrap_or_default(),
            esc(&st.complaint_phone)
        );
        for i in &st.items {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{} {}</td><td>{}{}</td></tr>",
                esc(&i.name),
                Fen(i.price_fen),
                i.unit.label(),
                esc(&i.service_content),
                i.service_level
                    .as_deref()
                    .map(|l| format!("（{}）", esc(l)))
                    .unwrap_or_default()
            );
        }
        o.push_str("</tbody></table></article>");
    }
    o.push_str(
        "</section><section class=\"card\" aria-labelledby=\"stm-h\"><h2 id=\"stm-h\">公共收益和维修资金收支公示</h2>",
    );
    if b.statements.is_empty() {
        o.push_str("<p class=\"muted\">尚未公示账目。</p>");
    }
    for st in &b.statements {
        let _ = write!(
            o,
            "<article><h3>{}：{} 至 {}（第 {} 版）</h3><p>期初余额 {} 元，收入 {} 元，支出 {} 元，期末余额 <strong>{} 元</strong>。</p><ul>",
            st.account.label(),
            day(&st.period_from),
            day(&st.period_to),
            st.version,
            Fen(st.opening_fen),
            Fen(st.income_fen),
            Fen(st.spending_fen),
            Fen(st.closing_fen)
        );
        for t in &st.totals {
            let _ = write!(
                o,
                "<li>{} · {}：{} 元（{} 笔）</li>",
                t.kind.label(),
                t.category.label(),
                Fen(t.amount_fen),
                t.entries
            );
        }
        let _ = write!(
            o,
            "</ul><p class=\"small muted\">公示于 {} · 指纹 <span class=\"mono\">{}</span></p></article>",
            cst(&st.published_at),
            esc(&st.fingerprint)
        );
    }
    o.push_str("</section>");
}

/// The whole document around the page's `<main>`.
pub fn document(title: &str, main: &str, css: &str, icon: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · 红色物业</title><style>{css}</style><link rel=\"icon\" href=\"{icon}\" type=\"image/svg+xml\"></head>\
         <body><a class=\"skip\" href=\"#main\">跳到正文</a>\
         <header class=\"bar\"><a class=\"brand\" href=\"/web/\"><img src=\"{icon}\" alt=\"\">红色物业</a><nav aria-label=\"主导航\"></nav>\
         <a href=\"/web/login\">登录</a></header><main id=\"main\" tabindex=\"-1\" class=\"page\">{main}</main></body></html>",
        esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn areas_and_shares_read_as_people_write_them() {
        assert_eq!(area(1234567), "12345.67 m²");
        assert_eq!(area(5), "0.05 m²");
        let two_thirds = RequiredShare {
            numerator: 2,
            denominator: 3,
            strictly_more: false,
        };
        assert_eq!(share_text(&two_thirds), "不少于三分之二");
        let half = RequiredShare {
            numerator: 1,
            denominator: 2,
            strictly_more: true,
        };
        assert_eq!(share_text(&half), "超过二分之一");
        // At exactly two thirds: reached (the domain's rule, in integers).
        let mut out = String::new();
        meter(&mut out, "x", 2, 3, &two_thirds, people);
        assert!(out.contains("已达到"), "{out}");
        let mut out = String::new();
        meter(&mut out, "x", 1, 2, &half, people);
        assert!(out.contains("未达到"), "{out}");
    }
}

// An estate's public page (公示栏): anyone, without signing in. Only what the law publishes, as
// the API's notice board gives it: no personal data is ever fetched here.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Badge, Loaded, Meter, area, date, dateTime, html, label, stars, useLoad, useTitle } from "app/ui";

export function BoardPage({ id }) {
  const [board, error] = useLoad(() => api.get(`/estates/${encodeURIComponent(id)}/notice-board`), [id]);
  useTitle(board ? `${board.name} 公示栏` : "小区公示栏");
  return html`<main id="main" class="page">
    <${Loaded} data=${board} error=${error}>${(b) => html`<${Board} board=${b} />`}<//>
  </main>`;
}

function Board({ board }) {
  const results = Object.fromEntries(board.results.map((r) => [r.vote_id, r]));
  return html`
    <h1>${board.name} · 公示栏</h1>
    <p class="muted">${label("estate_kind", board.kind)}${board.address ? ` · ${board.address}` : ""} · 更新于 ${dateTime(board.generated_at)}</p>
    <div class="grid two">
      <section class="card" aria-labelledby="committees-h">
        <h2 id="committees-h">业主组织</h2>
        ${board.committees.length === 0 && html`<p class="muted">尚未成立业主委员会或物业管理委员会。</p>`}
        ${board.committees.map((c) => html`<${CommitteeCard} committee=${c} />`)}
      </section>
      <section class="card" aria-labelledby="company-h">
        <h2 id="company-h">物业服务企业</h2>
        ${board.company ? html`<${Company} company=${board.company} />` : html`<p class="muted">目前没有在约的物业服务企业。</p>`}
      </section>
    </div>
    ${board.candidate_lists.length > 0 &&
    html`<section class="card" aria-labelledby="cand-h">
      <h2 id="cand-h">候选人名单公示</h2>
      ${board.candidate_lists.map(
        (l) => html`<div>
          <p>公示时间：${dateTime(l.published_at)}；异议截止：<strong>${date(l.objections_until)}</strong>（应选 ${l.seats} 名）</p>
          <ul>${l.candidates.map((c) => html`<li>${c.name}${c.party_member ? "（中共党员）" : ""}</li>`)}</ul>
        </div>`,
      )}
    </section>`}
    <section class="card" aria-labelledby="votes-h">
      <h2 id="votes-h">业主共同决定事项（表决）</h2>
      ${board.votes.length === 0 && html`<p class="muted">暂无表决。</p>`}
      <ul class="plain">
        ${board.votes.map((v) => html`<li><${VoteItem} vote=${v} result=${results[v.id]} /></li>`)}
      </ul>
    </section>
    <section class="card" aria-labelledby="minutes-h">
      <h2 id="minutes-h">联席会议纪要</h2>
      ${board.minutes.length === 0 && html`<p class="muted">暂无已发布的会议纪要。</p>`}
      ${board.minutes.map((m) => html`<article>
        <h3>${m.meeting_title}</h3>
        <p class="small muted">会议时间 ${dateTime(m.meeting_starts_at)} · 发布于 ${dateTime(m.published_at)} · 第 ${m.version} 版</p>
        <ol>${m.content.decisions.map((d) => html`<li>${d.text}</li>`)}</ol>
        <p class="small muted mono">指纹 ${m.fingerprint}</p>
      </article>`)}
    </section>`;
}

function CommitteeCard({ committee: c }) {
  return html`<div>
    <h3>${label("committee_kind", c.kind)} <${Badge} kind="committee_status" value=${c.status} /></h3>
    <p class="small">
      ${c.formed_on && html`成立 ${date(c.formed_on)}；`}${c.term_ends_on && html`任期至 ${date(c.term_ends_on)}；`}
      ${c.filed_bureau_on ? html`住建局备案 ${date(c.filed_bureau_on)}` : "尚未在住建局备案"}；
      ${c.filed_street_on ? html`街道/乡镇备案 ${date(c.filed_street_on)}` : "尚未在街道/乡镇备案"}
    </p>
    <table>
      <caption class="sr-only">成员名单</caption>
      <thead><tr><th scope="col">姓名</th><th scope="col">职务</th><th scope="col">政治面貌</th></tr></thead>
      <tbody>
        ${c.members.map((m) => html`<tr><td>${m.name}</td><td>${label("member_role", m.role)}${m.alternate_rank ? ` ${m.alternate_rank}` : ""}</td><td>${m.party_member ? "中共党员" : "—"}</td></tr>`)}
      </tbody>
    </table>
  </div>`;
}

function Company({ company }) {
  const [history, error] = useLoad(() => api.get(`/companies/${encodeURIComponent(company.id)}/rating-history`), [company.id]);
  return html`<p><strong>${company.name}</strong></p>
    <${Loaded} data=${history} error=${error}>${(h) =>
      h.length === 0
        ? html`<p class="muted">尚无公布的星级评定。</p>`
        : html`<p>${h[0].campaign_name}：${stars(h[0].stars)} ${h[0].vetoed ? html`<span class="badge bad">一票否决</span>` : ""} 得分 ${h[0].score}，排名第 ${h[0].rank}</p>`}<//>`;
}

function VoteItem({ vote: v, result }) {
  const [receipt, setReceipt] = useState("");
  const [found, setFound] = useState(null);
  const check = async (e) => {
    e.preventDefault();
    try {
      const r = await api.get(`/votes/${encodeURIComponent(v.id)}/receipts/${encodeURIComponent(receipt.trim())}`);
      setFound({ ok: `已计入：${r.receipt}（${label("channel", r.channel)}）` });
    } catch (err) {
      setFound(err.status === 404 ? { error: { message: "未找到此回执：该选票未计入（可能已被您之后的投票替换）。" } } : { error: err });
    }
  };
  return html`<div>
    <h3>${v.title} <${Badge} kind="vote_status" value=${v.status} /></h3>
    <p>${v.question}</p>
    <p class="small muted">投票时间 ${dateTime(v.opens_at)} — ${dateTime(v.closes_at)}；召集：${label("convenor", v.convenor)}</p>
    ${v.roll_fingerprint &&
    html`<p class="small">投票名册：专有部分面积 ${area(v.total_area_centi_m2)}，业主 ${v.total_heads} 人；名册指纹 <span class="mono">${v.roll_fingerprint}</span></p>`}
    ${result && html`<${ResultBars} result=${result} />`}
    ${result &&
    html`<form class="actions" onSubmit=${check}>
      <label for=${"r-" + v.id} class="sr-only">我的回执</label>
      <input id=${"r-" + v.id} placeholder="输入您的投票回执核对" value=${receipt} onInput=${(e) => setReceipt(e.target.value)} maxlength="128" />
      <button type="submit" class="secondary" disabled=${!receipt.trim()}>核对回执</button>
    </form>
    ${found && html`<${Alert} ...${found} />`}`}
  </div>`;
}

/** The figures of a closed vote against Art. 278's thresholds (the API computed the outcome). */
export function ResultBars({ result }) {
  const t = result.turnout;
  const tally = result.tally;
  const people = (x) => `${x} 人`;
  const p = result.participation_required;
  const a = result.approval_required;
  return html`<div class="result" data-outcome=${result.outcome}>
    <p><strong>结果：${label("outcome", result.outcome)}</strong></p>
    <${Meter} label="参与表决的专有部分面积" part=${t.voted_area_centi_m2} whole=${t.total_area_centi_m2} required=${p} format=${area} />
    <${Meter} label="参与表决的人数" part=${t.voted_heads} whole=${t.total_heads} required=${p} format=${people} />
    ${tally &&
    html`<${Meter} label="同意的面积（占参与表决）" part=${tally.yes_area_centi_m2} whole=${tally.voted_area_centi_m2} required=${a} format=${area} />
      <${Meter} label="同意的人数（占参与表决）" part=${tally.yes_heads} whole=${tally.voted_heads} required=${a} format=${people} />`}
    ${result.candidates.length > 0 &&
    html`<table><caption class="sr-only">候选人得票</caption>
      <thead><tr><th scope="col">候选人</th><th class="num" scope="col">同意面积</th><th class="num" scope="col">同意人数</th><th scope="col">结果</th></tr></thead>
      <tbody>${result.candidates.map((c) => html`<tr><td>${c.label}</td><td class="num">${area(c.yes_area_centi_m2)}</td><td class="num">${c.yes_heads}</td><td>${label("candidate_outcome", c.result)}</td></tr>`)}</tbody>
    </table>`}
  </div>`;
}

// The bureau's and party organisations' dashboard: coverage as charts, overdue deadlines, the
// ledger's and meetings' figures over a period.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Field, Loaded, date, html, label, percent, useLoad, useTitle } from "app/ui";
import { Chart } from "app/charts";
import { CATEGORIES } from "app/ledger";

const enc = encodeURIComponent;

const DEADLINES = {
  filing: "备案", first_meeting: "首次会议", reelection_start: "启动换届", handover: "移交",
  joint_meeting: "每月联席会议", party_building_meeting: "一季一议",
};
const MEETINGS = { joint_monthly: "月度联席会议", party_building_quarterly: "党建季度会议", ad_hoc: "专题会议", council: "议事会" };

/** The organisation a dashboard is about: the caller's county, else their party organisation. */
function orgOf() {
  return api.scopes("bureau")[0] || api.scopes("party_org")[0] || null;
}

function cstDay(offsetDays = 0) {
  const t = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
  return t.toISOString().slice(0, 10);
}

async function loadDashboard(org, from, until) {
  const [coverage, deadlines, figures, orgRow, communities] = await Promise.all([
    api.get(`/coverage?org_id=${enc(org)}`),
    api.get(`/deadlines?org_id=${enc(org)}&overdue=true`),
    api.get(`/orgs/${enc(org)}/figures?from=${from}&until=${until}`),
    api.get(`/orgs/${enc(org)}`),
    api.get(`/orgs?within=${enc(org)}&kind=community&limit=50`),
  ]);
  // The same figures for each community under it, side by side.
  const byCommunity = await Promise.all(
    communities.items.map(async (c) => ({ name: c.name, coverage: await api.get(`/coverage?org_id=${enc(c.id)}`) })),
  );
  return { coverage, deadlines: deadlines.items, figures, org: orgRow, byCommunity };
}

export function Dashboard() {
  useTitle("数据看板");
  const org = orgOf();
  const [from, setFrom] = useState(cstDay(-365));
  const [until, setUntil] = useState(cstDay(0));
  const [data, error] = useLoad(() => (org ? loadDashboard(org, from, until) : Promise.resolve(null)), [org, from, until]);
  if (!org) {
    return html`<main id="main" tabindex="-1" class="page"><h1>数据看板</h1><p>数据看板供住建局和党组织使用。</p></main>`;
  }
  return html`<main id="main" tabindex="-1" class="page">
    <${Loaded} data=${data} error=${error}>${(d) => html`<${Board} ...${d} from=${from} until=${until} setFrom=${setFrom} setUntil=${setUntil} />`}<//>
  </main>`;
}

function Board({ coverage: c, deadlines, figures: f, org, byCommunity, from, until, setFrom, setUntil }) {
  const entries = (obj, kind) => Object.entries(obj).map(([k, v]) => ({ name: label(kind, k), value: v }));
  const committees = c.committees;
  const grids = [...c.party_members_by_grid].sort((a, b) => b.party_members - a.party_members).slice(0, 12);
  return html`
    <h1>${org.name} · 数据看板</h1>
    <div class="figures" role="list">
      <div class="figure" role="listitem"><div class="value">${c.estates_total}</div><div class="label">小区总数</div></div>
      <div class="figure" role="listitem"><div class="value">${c.estates_without_management}</div><div class="label">无物业管理小区（${percent(c.without_management_bp)}）</div></div>
      <div class="figure" role="listitem"><div class="value">${committees.estates_covered}</div><div class="label">已成立业委会/物管会的小区（${percent(committees.coverage_bp)}）</div></div>
      <div class="figure" role="listitem"><div class="value">${deadlines.length}</div><div class="label">逾期事项</div></div>
      <div class="figure" role="listitem"><div class="value">${f.ledger.overdue_now}</div><div class="label">台账逾期未办结</div></div>
    </div>
    <div class="grid two">
      <section class="card"><${Chart} id="chart-management" kind="pie" title="小区管理方式" data=${entries(c.estates_by_management, "management")} /></section>
      <section class="card"><${Chart} id="chart-kind" title="小区类型" data=${entries(c.estates_by_kind, "estate_kind")} /></section>
      <section class="card"><${Chart} id="chart-party" kind="pie" title="物业企业党组织覆盖" data=${entries(c.companies_by_party_coverage, "party_coverage")} /></section>
      <section class="card"><${Chart} id="chart-committees" title="业主组织"
        data=${[
          { name: "业主委员会", value: committees.owners_committees },
          { name: "物业管理委员会", value: committees.property_management_committees },
          { name: "成员", value: committees.members },
          { name: "其中党员", value: committees.party_members },
          { name: "交叉任职", value: committees.cross_appointed },
        ]} /></section>
      ${grids.length > 0 && html`<section class="card"><${Chart} id="chart-grids" title="各网格党员人数（前 12）" data=${grids.map((g) => ({ name: g.name, value: g.party_members }))} /></section>`}
    </div>
    ${byCommunity.length > 0 && html`<section class="card" aria-labelledby="comm-h">
      <h2 id="comm-h">各社区情况</h2>
      <${Chart} id="chart-communities" title="各社区小区数" data=${byCommunity.map((x) => ({ name: x.name, value: x.coverage.estates_total }))} />
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">社区</th><th class="num" scope="col">小区</th><th class="num" scope="col">无物业管理</th><th class="num" scope="col">已成立业主组织</th><th class="num" scope="col">覆盖率</th></tr></thead>
        <tbody>${byCommunity.map((x) => html`<tr><td>${x.name}</td><td class="num">${x.coverage.estates_total}</td><td class="num">${x.coverage.estates_without_management}</td>
          <td class="num">${x.coverage.committees.estates_covered}</td><td class="num">${percent(x.coverage.committees.coverage_bp)}</td></tr>`)}</tbody>
      </table></div>
    </section>`}
    <section class="card" aria-labelledby="period-h">
      <h2 id="period-h">台账与会议（统计期）</h2>
      <div class="grid two">
        <${Field} id="from" label="开始日期"><input id="from" type="date" value=${from} onChange=${(e) => e.target.value && setFrom(e.target.value)} /><//>
        <${Field} id="until" label="结束日期"><input id="until" type="date" value=${until} onChange=${(e) => e.target.value && setUntil(e.target.value)} /><//>
      </div>
      <div class="figures">
        <div class="figure"><div class="value">${f.ledger.received}</div><div class="label">受理</div></div>
        <div class="figure"><div class="value">${f.ledger.resolved}</div><div class="label">办结</div></div>
        <div class="figure"><div class="value">${f.ledger.overdue_now}</div><div class="label">当前逾期</div></div>
        <div class="figure"><div class="value">${f.ledger.median_resolve_hours ?? "—"}</div><div class="label">办结用时中位数（小时）</div></div>
        <div class="figure"><div class="value">${f.ledger.resolved_by_party_members}</div><div class="label">党员接单办结</div></div>
      </div>
      <div class="grid two">
        <${Chart} id="chart-ledger" title="台账按类别（受理）" data=${f.ledger.by_category.map((x) => ({ name: CATEGORIES[x.category] || label("", x.category), value: x.received }))} />
        <${Chart} id="chart-meetings" title="召开的会议" data=${f.meetings.map((m) => ({ name: MEETINGS[m.kind] || label("", m.kind), value: m.held }))} />
      </div>
    </section>
    <section class="card" aria-labelledby="overdue-h">
      <h2 id="overdue-h">逾期事项</h2>
      ${deadlines.length === 0 ? html`<p class="muted">没有逾期事项。</p>` : html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">事项</th><th scope="col">应于</th><th scope="col">小区</th></tr></thead>
        <tbody>${deadlines.map((x) => html`<tr><td>${DEADLINES[x.kind] || label("", x.kind)}</td><td>${date(x.due_on)}</td>
          <td>${x.estate_id ? html`<a href=${`/web/estates/${enc(x.estate_id)}`}>公示栏</a>` : "社区"}</td></tr>`)}</tbody>
      </table></div>`}
    </section>`;
}

// A property company's console: its estates, the ledger items dispatched to it, its published
// ratings with appeals, and the API keys of its integrations.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Field, Loaded, dateTime, html, label, stars, useLoad, useTitle } from "app/ui";
import { CATEGORIES, STATUS } from "app/ledger";

const enc = encodeURIComponent;
const APPEAL = { filed: "待复核", upheld: "申诉成立", dismissed: "驳回" };

async function loadCompany(id) {
  const [company, estates, assigned, history, keys] = await Promise.all([
    api.get(`/companies/${enc(id)}`),
    api.get("/estates?limit=100"),
    api.get("/ledger-items/assigned?limit=50"),
    api.get(`/companies/${enc(id)}/rating-history`),
    api.get(`/api-keys?company_id=${enc(id)}&limit=100`),
  ]);
  const past = history.items;
  const latest = past[0] ? await api.get(`/rating-campaigns/${enc(past[0].campaign_id)}`) : null;
  const appeals = latest ? await api.get(`/rating-campaigns/${enc(latest.id)}/appeals`) : null;
  return { company, estates: estates.items, assigned: assigned.items, history: past, keys: keys.items, latest, appeals: appeals ? appeals.items : [] };
}

export function CompanyHome() {
  const id = api.scopes("company")[0];
  const [data, error, reload] = useLoad(() => loadCompany(id), [id]);
  useTitle(data ? data.company.name : "企业工作台");
  return html`<main id="main" tabindex="-1" class="page">
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <h1>${d.company.name}</h1>
      <div class="grid two">
        <section class="card" aria-labelledby="items-h">
          <h2 id="items-h">派给本企业的事项</h2>
          ${d.assigned.length === 0 && html`<p class="muted">暂无。</p>`}
          <ul class="plain">${d.assigned.map((i) => html`<li>
            <a href=${`/web/ledger/${enc(i.id)}`}>${i.title}</a> <span class="badge">${STATUS[i.status] || i.status}</span>
            ${i.overdue ? html` <span class="badge bad">已逾期</span>` : ""}
            <div class="small muted">${CATEGORIES[i.category] || i.category} · 办结期限 ${dateTime(i.done_due_at)}</div>
          </li>`)}</ul>
        </section>
        <section class="card" aria-labelledby="estates-h">
          <h2 id="estates-h">服务的小区</h2>
          <ul class="plain">${d.estates.map((e) => html`<li><a href=${`/web/estates/${enc(e.id)}`}>${e.name}</a> <span class="small muted">${label("estate_kind", e.kind)}</span></li>`)}</ul>
        </section>
      </div>
      <section class="card" aria-labelledby="ratings-h">
        <h2 id="ratings-h">星级评定</h2>
        ${d.history.length === 0 ? html`<p class="muted">尚无公布的评定。</p>` : html`<table>
          <thead><tr><th scope="col">评定</th><th scope="col">星级</th><th class="num" scope="col">得分</th><th class="num" scope="col">排名</th></tr></thead>
          <tbody>${d.history.map((h) => html`<tr><td>${h.campaign_name}</td><td>${stars(h.stars)}${h.vetoed ? " 一票否决" : ""}</td><td class="num">${h.score}</td><td class="num">${h.rank}</td></tr>`)}</tbody>
        </table>`}
        ${d.latest && html`<${Appeals} campaign=${d.latest} appeals=${d.appeals} estates=${d.estates} done=${reload} />`}
      </section>
      <${ApiKeys} companyId=${id} keys=${d.keys} done=${reload} />`}<//>
  </main>`;
}

function Appeals({ campaign, appeals, estates, done }) {
  const [error, setError] = useState(null);
  const open = campaign.appeals_until && new Date(campaign.appeals_until) > new Date();
  const indicators = (campaign.config.indicators || []).map((i) => [i.code, i.name]);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api.post(`/rating-campaigns/${enc(campaign.id)}/appeals`, {
        estate_id: f.get("estate") || undefined, indicator: f.get("indicator"), statement: f.get("statement"),
      });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div>
    <h3>申诉（${campaign.name}）</h3>
    ${appeals.length > 0 && html`<ul>${appeals.map((a) => html`<li>${a.indicator}：${a.statement} — ${APPEAL[a.status] || a.status}${a.reasons ? `（${a.reasons}）` : ""}</li>`)}</ul>`}
    ${open
      ? html`<p class="small">申诉期至 ${dateTime(campaign.appeals_until)}。</p>
        <${Alert} error=${error} />
        <form onSubmit=${submit}>
          <div class="grid two">
            <${Field} id="ap-estate" label="小区（可选）"><select id="ap-estate" name="estate"><option value="">—</option>${estates.map((e) => html`<option value=${e.id}>${e.name}</option>`)}</select><//>
            <${Field} id="ap-ind" label="指标"><select id="ap-ind" name="indicator">${indicators.map(([c, n]) => html`<option value=${c}>${n}</option>`)}</select><//>
          </div>
          <${Field} id="ap-st" label="申诉理由"><textarea id="ap-st" name="statement" required maxlength="5000"></textarea><//>
          <div class="actions"><button type="submit">提出申诉</button></div>
        </form>`
      : html`<p class="small muted">不在申诉期内。</p>`}
  </div>`;
}

function ApiKeys({ companyId, keys, done }) {
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      setCreated(await api.post("/api-keys", { company_id: companyId, name: f.get("name") }));
      e.target.reset();
      done();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (k) => {
    if (!window.confirm(`停用接口密钥「${k.name}」？使用它的系统将无法再访问。`)) return;
    try {
      await api.call("DELETE", `/api-keys/${enc(k.id)}`);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="keys-h">
    <h2 id="keys-h">接口密钥（系统对接）</h2>
    <${Alert} error=${error} />
    ${created && html`<div class="alert ok" role="status">新密钥只显示这一次，请立即保存：<div class="receipt mono">${created.key}</div></div>`}
    <table>
      <thead><tr><th scope="col">名称</th><th scope="col">前缀</th><th scope="col">最近使用</th><th scope="col">状态</th><th scope="col"><span class="sr-only">操作</span></th></tr></thead>
      <tbody>${keys.map((k) => html`<tr><td>${k.name}</td><td class="mono">${k.prefix}</td><td>${dateTime(k.last_used_at)}</td>
        <td>${k.revoked_at ? "已停用" : "有效"}</td>
        <td>${!k.revoked_at && html`<button class="link" onClick=${() => revoke(k)}>停用</button>`}</td></tr>`)}</tbody>
    </table>
    <form onSubmit=${submit} class="actions">
      <label for="key-name" class="sr-only">密钥名称</label>
      <input id="key-name" name="name" required maxlength="100" placeholder="新密钥名称，如：工单系统" />
      <button type="submit" class="secondary">新建密钥</button>
    </form>
  </section>`;
}

// A property company's console: its estates, the ledger items dispatched to it, its published
// ratings with appeals, and the API keys of its integrations.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Empty, Field, Loaded, confirmAct, dateTime, fieldError, html, label, stars, useLoad, useTitle } from "app/ui";
import { ActionBoard } from "app/actions";
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
  // The company's own published result of the latest campaign: the estates it was rated for,
  // with their low-sample flags and missing inputs.
  const mine = latest ? await api.get(`/rating-campaigns/${enc(latest.id)}/results?company_id=${enc(id)}&limit=200`).catch(() => null) : null;
  return { company, estates: estates.items, assigned: assigned.items, history: past, keys: keys.items, latest, appeals: appeals ? appeals.items : [], mine };
}

export function CompanyHome() {
  const id = api.scopes("company")[0];
  const [data, error, reload] = useLoad(() => loadCompany(id), [id]);
  useTitle(data ? data.company.name : "企业工作台");
  return html`<main id="main" tabindex="-1" class="page">
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <h1>${d.company.name}</h1>
      <nav class="subnav" aria-label="企业事务"><a class="button secondary" href="/web/webhooks">事件推送（系统对接）</a></nav>
      <div class="grid two">
        <section class="card" aria-labelledby="items-h">
          <h2 id="items-h">派给本企业的事项</h2>
          ${d.assigned.length === 0 && html`<${Empty}>暂无派给本企业的报事。社区派单后会出现在这里，请及时接单。<//>`}
          <ul class="plain">${d.assigned.map((i) => html`<li>
            <a href=${`/web/ledger/${enc(i.id)}`}>${i.title}</a> <span class="badge">${STATUS[i.status] || label("", i.status)}</span>
            ${i.overdue ? html` <span class="badge bad">已逾期</span>` : ""}
            <div class="small muted">${CATEGORIES[i.category] || label("", i.category)} · 办结期限 ${dateTime(i.done_due_at)}</div>
          </li>`)}</ul>
        </section>
        <section class="card" aria-labelledby="estates-h">
          <h2 id="estates-h">服务的小区</h2>
          <ul class="plain">${d.estates.map((e) => html`<li><a href=${`/web/estates/${enc(e.id)}`}>${e.name}</a> <span class="small muted">${label("estate_kind", e.kind)}</span> · <a href=${`/web/accounts/${enc(e.id)}`}>阳光账目</a></li>`)}</ul>
        </section>
      </div>
      <section class="card" aria-labelledby="ratings-h">
        <h2 id="ratings-h">星级评定</h2>
        ${d.mine && html`<${MyResult} result=${d.mine} names=${new Map(d.estates.map((e) => [e.id, e.name]))} indicators=${d.latest ? d.latest.config.indicators : []} />`}
        ${d.history.length === 0 ? html`<${Empty}>尚无公布的评定。<//>` : html`<table>
          <thead><tr><th scope="col">评定</th><th scope="col">星级</th><th class="num" scope="col">得分</th><th class="num" scope="col">排名</th></tr></thead>
          <tbody>${d.history.map((h) => html`<tr><td>${h.campaign_name}</td><td>${stars(h.stars)}${h.vetoed ? " 一票否决" : ""}</td><td class="num">${h.score}</td><td class="num">${h.rank}</td></tr>`)}</tbody>
        </table>`}
        ${d.latest && html`<${Appeals} campaign=${d.latest} appeals=${d.appeals} rated=${ratedEstates(d.mine, d.estates)} done=${reload} />`}
      </section>
      <${ActionBoard} source="/action-items/mine" title="本企业的督办事项" />
      <${ApiKeys} companyId=${id} keys=${d.keys} done=${reload} />`}<//>
  </main>`;
}

/** The estates the company was rated for in a result, with their names. */
function ratedEstates(result, estates) {
  const rows = result && result.results ? result.results : [];
  const names = new Map(estates.map((e) => [e.id, e.name]));
  return rows.flatMap((r) => r.estates || []).map((e) => [e.estate_id, names.get(e.estate_id) || "（已不在服务范围的小区）"]);
}

function MyResult({ result, names, indicators }) {
  const named = (code) => (indicators.find((i) => i.code === code) || { name: code }).name;
  const rows = result.results || [];
  if (rows.length === 0) return null;
  const overall = rows[0];
  return html`<div class="my-result">
    <p>最新评定：${stars(overall.stars)}${overall.vetoed ? " 一票否决" : ""} · 得分 ${overall.score}${overall.rank ? ` · 第 ${overall.rank} 名` : ""}</p>
    ${(overall.estates || []).length > 0 && html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">小区</th><th scope="col">星级</th><th class="num" scope="col">得分</th><th scope="col">调查样本</th><th scope="col">缺少的输入</th></tr></thead>
      <tbody>${overall.estates.map((e) => html`<tr><td>${names.get(e.estate_id) || ""}</td><td>${stars(e.stars)}</td><td class="num">${e.score}</td>
        <td>${e.responses}${e.low_sample ? html` <span class="badge bad">样本不足</span>` : ""}</td>
        <td class="small">${(e.missing || []).length ? e.missing.map(named).join("、") : "—"}</td></tr>`)}</tbody>
    </table></div>`}
  </div>`;
}

function Appeals({ campaign, appeals, rated, done }) {
  const [error, setError] = useState(null);
  const open = campaign.appeals_until && new Date(campaign.appeals_until) > new Date();
  const indicators = (campaign.config.indicators || []).map((i) => [i.code, i.name]);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api.post(`/rating-campaigns/${enc(campaign.id)}/appeals`, {
        estate_id: f.get("estate"), indicator: f.get("indicator"), statement: f.get("statement"),
      });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div>
    <h3>申诉（${campaign.name}）</h3>
    ${appeals.length > 0 && html`<ul>${appeals.map((a) => html`<li>${(indicators.find(([c]) => c === a.indicator) || [0, a.indicator])[1]}：${a.statement} — ${APPEAL[a.status] || label("", a.status)}${a.reasons ? `（${a.reasons}）` : ""}</li>`)}</ul>`}
    ${open
      ? html`<p class="small">申诉期至 ${dateTime(campaign.appeals_until)}。</p>
        <form onSubmit=${submit}>
          <div class="grid two">
            <${Field} id="ap-estate" label="申诉的小区" error=${fieldError(error, "estate_id")}><select id="ap-estate" name="estate" required><option value="" disabled selected>请选择参评的小区</option>${rated.map(([id, name]) => html`<option value=${id}>${name}</option>`)}</select><//>
            <${Field} id="ap-ind" label="指标"><select id="ap-ind" name="indicator">${indicators.map(([c, n]) => html`<option value=${c}>${n}</option>`)}</select><//>
          </div>
          <${Field} id="ap-st" label="申诉理由"><textarea id="ap-st" name="statement" required maxlength="5000"></textarea><//>
          <div class="actions"><button type="submit">提出申诉</button></div>
          <${Alert} error=${error} />
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
    if (!(await confirmAct({ title: "停用接口密钥", body: `停用接口密钥「${k.name}」？使用它的系统将无法再访问。`, yes: "停用" }))) return;
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

// The bureau's star ratings (五好红色物业): campaigns from the default catalogue, their steps
// (open the survey, close, score, publish), results with stars and ranks, the workbook export,
// and the appeals to decide.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Field, Loaded, dateTime, html, stars, useLoad, useTitle } from "app/ui";

const enc = encodeURIComponent;
const STATUS = { draft: "草稿", open: "调查中", scoring: "评分中", published: "已公布（申诉期）", final: "已终结" };
const APPEAL = { filed: "待复核", upheld: "申诉成立", dismissed: "驳回" };

function county() {
  return api.scopes("bureau")[0] || null;
}

export function RatingsPage() {
  useTitle("星级评定");
  const org = county();
  const [data, error, reload] = useLoad(() => api.get(`/orgs/${enc(org)}/rating-campaigns?limit=50`), [org]);
  const [chosen, setChosen] = useState(null);
  if (!org) return html`<main id="main" tabindex="-1" class="page"><h1>星级评定</h1><p>供住建局使用。</p></main>`;
  return html`<main id="main" tabindex="-1" class="page">
    <h1>物业服务企业星级评定</h1>
    <${Loaded} data=${data} error=${error}>${(page) => html`
      <div class="grid two">
        <section class="card" aria-labelledby="camp-h">
          <h2 id="camp-h">评定活动</h2>
          <ul class="plain">${page.items.map((c) => html`<li>
            <button class="link" onClick=${() => setChosen(c.id)} aria-pressed=${chosen === c.id}>${c.name}</button>
            <span class="badge">${STATUS[c.status] || c.status}</span>
            <div class="small muted">${c.period_from} — ${c.period_until}</div>
          </li>`)}</ul>
        </section>
        <${NewCampaign} org=${org} done=${reload} />
      </div>
      ${chosen && html`<${Campaign} id=${chosen} changed=${reload} />`}`}<//>
  </main>`;
}

function NewCampaign({ org, done }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      const config = await api.get("/rating-catalogue/default");
      await api.post(`/orgs/${enc(org)}/rating-campaigns`, {
        name: f.get("name"), period_from: f.get("from"), period_until: f.get("until"), config,
      });
      e.target.reset();
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="new-h">
    <h2 id="new-h">新建评定</h2>
    <p class="hint">采用默认指标体系，开始调查前可调整。</p>
    <${Alert} error=${error} />
    <form onSubmit=${submit}>
      <${Field} id="c-name" label="名称"><input id="c-name" name="name" required maxlength="200" placeholder="2026年度五好红色物业评定" /><//>
      <div class="grid two">
        <${Field} id="c-from" label="评定期开始"><input id="c-from" name="from" type="date" required /><//>
        <${Field} id="c-until" label="评定期结束"><input id="c-until" name="until" type="date" required /><//>
      </div>
      <div class="actions"><button type="submit">新建</button></div>
    </form>
  </section>`;
}

async function loadCampaign(id) {
  const campaign = await api.get(`/rating-campaigns/${enc(id)}`);
  let results = null;
  let appeals = [];
  if (["published", "final", "scoring"].includes(campaign.status)) {
    // The latest version, published or not (the bureau reviews a run before publishing it).
    const runs = await api.get(`/rating-campaigns/${enc(id)}/runs`);
    const list = runs.items;
    if (list.length > 0) {
      const version = list[list.length - 1].version;
      results = await api.get(`/rating-campaigns/${enc(id)}/results?limit=200&version=${version}`);
    }
    appeals = (await api.get(`/rating-campaigns/${enc(id)}/appeals`)).items;
  }
  return { campaign, results, appeals };
}

function Campaign({ id, changed }) {
  const [data, error, reload] = useLoad(() => loadCampaign(id), [id]);
  const [failed, setFailed] = useState(null);
  const step = async (path) => {
    setFailed(null);
    try {
      await api.post(`/rating-campaigns/${enc(id)}/${path}`, {});
      reload();
      changed();
    } catch (err) {
      setFailed(err);
    }
  };
  const exportXlsx = async () => {
    try {
      const b = await api.blob(`/rating-campaigns/${enc(id)}/export?format=xlsx`);
      const a = document.createElement("a");
      a.href = URL.createObjectURL(b);
      a.download = `${data.campaign.name}.xlsx`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) {
      setFailed(err);
    }
  };
  return html`<${Loaded} data=${data} error=${error}>${({ campaign: c, results, appeals }) => html`
    <section class="card" aria-labelledby="one-h">
      <h2 id="one-h">${c.name} <span class="badge">${STATUS[c.status] || c.status}</span></h2>
      <p class="small muted">评定期 ${c.period_from} — ${c.period_until}${c.appeals_until ? ` · 申诉期至 ${dateTime(c.appeals_until)}` : ""}</p>
      <${Alert} error=${failed} />
      <div class="actions">
        ${c.status === "draft" && html`<button onClick=${() => step("open")}>开始业主调查</button>`}
        ${c.status === "open" && html`<button onClick=${() => step("close")}>结束调查</button>`}
        ${["scoring", "published"].includes(c.status) && html`<button class="secondary" onClick=${() => step("runs")}>计算评分</button>`}
        ${c.status === "scoring" && results && html`<button onClick=${() => step("publish")}>公布结果</button>`}
        ${results && html`<button class="secondary" onClick=${exportXlsx}>导出 Excel</button>`}
      </div>
      ${c.status === "draft" && html`<${ConfigEditor} campaign=${c} done=${reload} />`}
      ${results && html`<div class="table-wrap"><table>
        <caption class="sr-only">评定结果</caption>
        <thead><tr><th class="num" scope="col">排名</th><th scope="col">企业</th><th scope="col">星级</th><th class="num" scope="col">得分</th><th class="num" scope="col">调查样本</th></tr></thead>
        <tbody>${results.results.map((r) => html`<tr><td class="num">${r.rank}</td><td>${r.company_name}</td>
          <td>${stars(r.stars)}${r.vetoed ? " 一票否决" : ""}</td><td class="num">${r.score}</td><td class="num">${r.responses}${r.low_sample ? "（样本不足）" : ""}</td></tr>`)}</tbody>
      </table></div>`}
    </section>
    ${appeals.length > 0 && html`<section class="card" aria-labelledby="appeals-h">
      <h2 id="appeals-h">申诉</h2>
      <ul class="plain">${appeals.map((a) => html`<li><${AppealItem} appeal=${a} results=${results} done=${reload} /></li>`)}</ul>
    </section>`}`}<//>`;
}

/** The parts of a draft campaign's configuration a bureau sets for its county: indicator
 * weights, star thresholds, the notice period, purchase eligibility, the least service and the
 * survey's least sample. The rest of the configuration is kept as it is. */
function ConfigEditor({ campaign, done }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const cfg = campaign.config;
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const config = structuredClone(cfg);
    config.indicators = cfg.indicators.map((i) => ({ ...i, weight: f.get(`w-${i.code}`) }));
    config.stars = [0, 1, 2, 3, 4].map((n) => f.get(`star-${n}`));
    config.notice_days = Number(f.get("notice_days"));
    config.purchase_min_stars = Number(f.get("purchase_min_stars"));
    config.min_service_days = Number(f.get("min_service_days"));
    config.survey = { ...cfg.survey, min_responses: Number(f.get("min_responses")) };
    setError(null);
    setOk(null);
    try {
      await api.put(`/rating-campaigns/${enc(campaign.id)}/config`, config, campaign);
      setOk("配置已保存。");
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<details class="config"><summary>评定配置（开始调查后不可再改）</summary>
    <${Alert} error=${error} ok=${ok} />
    <form onSubmit=${submit}>
      <table><caption>指标权重</caption>
        <thead><tr><th scope="col">指标</th><th scope="col">权重（分）</th></tr></thead>
        <tbody>${cfg.indicators.map((i) => html`<tr><td><label for=${"w-" + i.code}>${i.name}</label></td>
          <td><input id=${"w-" + i.code} name=${"w-" + i.code} value=${i.weight} required pattern="-?[0-9]{1,9}(\.[0-9]{1,2})?" inputmode="decimal" /></td></tr>`)}</tbody>
      </table>
      <fieldset><legend>星级最低分（5 星至 1 星）</legend>
        <div class="grid three">${[0, 1, 2, 3, 4].map((n) => html`<${Field} id=${"star-" + n} label=${`${5 - n} 星`}>
          <input id=${"star-" + n} name=${"star-" + n} value=${cfg.stars[n]} required inputmode="decimal" /><//>`)}</div>
      </fieldset>
      <div class="grid two">
        <${Field} id="notice_days" label="公示申诉期（天）"><input id="notice_days" name="notice_days" type="number" min="1" max="90" value=${cfg.notice_days} required /><//>
        <${Field} id="purchase_min_stars" label="政府购买服务最低星级"><input id="purchase_min_stars" name="purchase_min_stars" type="number" min="1" max="5" value=${cfg.purchase_min_stars} required /><//>
        <${Field} id="min_service_days" label="参评最少服务天数"><input id="min_service_days" name="min_service_days" type="number" min="1" max="3660" value=${cfg.min_service_days} required /><//>
        <${Field} id="min_responses" label="每个小区调查最少样本"><input id="min_responses" name="min_responses" type="number" min="0" value=${cfg.survey.min_responses} required /><//>
      </div>
      <div class="actions"><button type="submit" class="secondary">保存配置</button></div>
    </form>
  </details>`;
}

function AppealItem({ appeal: a, results, done }) {
  const [error, setError] = useState(null);
  const company = results && results.results.find((r) => r.company_id === a.company_id);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { outcome: f.get("outcome"), reasons: f.get("reasons") };
    if (f.get("new_value")) body.new_value = f.get("new_value");
    try {
      await api.post(`/rating-appeals/${enc(a.id)}/decision`, body);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div>
    <p><strong>${company ? company.company_name : a.company_id}</strong> · 指标 ${a.indicator} · ${dateTime(a.filed_at)} · ${APPEAL[a.status] || a.status}</p>
    <p>${a.statement}</p>
    ${a.reasons && html`<p class="small">复核意见：${a.reasons}</p>`}
    ${a.status === "filed" && html`<form onSubmit=${submit}>
      <${Alert} error=${error} />
      <div class="grid two">
        <${Field} id=${"o-" + a.id} label="复核结论"><select id=${"o-" + a.id} name="outcome" required><option value="" disabled selected>请选择</option><option value="upheld">申诉成立</option><option value="dismissed">驳回</option></select><//>
        <${Field} id=${"v-" + a.id} label="更正后的指标值（成立时）"><input id=${"v-" + a.id} name="new_value" maxlength="20" /><//>
      </div>
      <${Field} id=${"r-" + a.id} label="复核意见"><textarea id=${"r-" + a.id} name="reasons" required maxlength="5000"></textarea><//>
      <div class="actions"><button type="submit">作出决定</button></div>
    </form>`}
  </div>`;
}

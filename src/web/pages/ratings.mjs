// The bureau's star ratings (五好红色物业): campaigns from the default catalogue, their steps
// (open the survey, close, score, publish), results with stars and ranks, the workbook export,
// and the appeals to decide.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Crumbs, Empty, Field, Loaded, confirmAct, date, dateTime, fieldError, html, label, stars, useLoad, useSorted, useTitle } from "app/ui";
import { PhotoPicker, upload } from "app/photos";

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
    <${Crumbs} trail=${[["/web/dashboard", "数据看板"], "星级评定"]} />
    <h1>物业服务企业星级评定</h1>
    <${Loaded} data=${data} error=${error}>${(page) => html`
      <div class="grid two">
        <section class="card" aria-labelledby="camp-h">
          <h2 id="camp-h">评定活动</h2>
          <ul class="plain">${page.items.map((c) => html`<li>
            <button class="link" onClick=${() => setChosen(c.id)} aria-pressed=${chosen === c.id}>${c.name}</button>
            <span class="badge">${STATUS[c.status] || label("", c.status)}</span>
            <div class="small muted">${date(c.period_from)} — ${date(c.period_until)}</div>
          </li>`)}</ul>
        </section>
        <${NewCampaign} org=${org} done=${reload} />
      </div>
      ${chosen && html`<${Campaign} id=${chosen} changed=${reload} />`}`}<//>
  </main>`;
}

/** One campaign on its own page (a link to share). */
export function CampaignPage({ id }) {
  useTitle("星级评定");
  return html`<main id="main" tabindex="-1" class="page">
    <${Crumbs} trail=${[["/web/dashboard", "数据看板"], ["/web/ratings", "星级评定"], "评定活动"]} />
    <${Campaign} id=${id} changed=${() => {}} />
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
    <form onSubmit=${submit}>
      <${Field} id="c-name" label="名称"><input id="c-name" name="name" required maxlength="200" placeholder="2026年度五好红色物业评定" /><//>
      <div class="grid two">
        <${Field} id="c-from" label="评定期开始"><input id="c-from" name="from" type="date" required /><//>
        <${Field} id="c-until" label="评定期结束"><input id="c-until" name="until" type="date" required /><//>
      </div>
      <div class="actions"><button type="submit">新建</button></div>
      <${Alert} error=${error} />
    </form>
  </section>`;
}

async function loadCampaign(id) {
  const campaign = await api.get(`/rating-campaigns/${enc(id)}`);
  let results = null;
  let appeals = [];
  const progress = ["open", "scoring"].includes(campaign.status) ? (await api.get(`/rating-campaigns/${enc(id)}/progress`)).items : null;
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
  return { campaign, results, appeals, progress };
}

function Campaign({ id, changed }) {
  const [data, error, reload] = useLoad(() => loadCampaign(id), [id]);
  const [failed, setFailed] = useState(null);
  const step = async (path) => {
    setFailed(null);
    const lacking = (data.progress || []).filter((p) => p.lacking.length > 0 || p.low_sample);
    const warn = lacking.length > 0 ? `注意：${lacking.length} 个小区的输入不全或样本不足（${lacking.slice(0, 3).map((p) => p.estate_name).join("、")}${lacking.length > 3 ? "等" : ""}），缺少的指标不得分。` : "";
    const ask = {
      close: { title: "结束调查", body: `结束“${data.campaign.name}”的业主调查和各项输入，此后不再接受问卷、评价和检查。${warn}`, yes: "结束调查" },
      runs: { title: "计算评分", body: `按已收集的输入计算评分，生成新的结果版本。${warn}`, yes: "计算" },
      publish: { title: "公布结果", body: `公布最新的评分结果：结果对外公开，申诉期自现在起算，企业可在申诉期内申诉。${warn}`, yes: "公布" },
      open: { title: "开始业主调查", body: "开始后评定配置冻结，业主可以填写满意度问卷，各方可以录入评价和检查。", yes: "开始" },
    }[path];
    if (ask && !(await confirmAct(ask))) return;
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
  return html`<${Loaded} data=${data} error=${error}>${({ campaign: c, results, appeals, progress }) => html`
    <section class="card" aria-labelledby="one-h">
      <h2 id="one-h">${c.name} <span class="badge">${STATUS[c.status] || label("", c.status)}</span></h2>
      <p class="small muted">评定期 ${date(c.period_from)} — ${date(c.period_until)}${c.appeals_until ? ` · 申诉期至 ${dateTime(c.appeals_until)}` : ""}</p>
      <${Alert} error=${failed} />
      <div class="actions">
        ${c.status === "draft" && html`<button onClick=${() => step("open")}>开始业主调查</button>`}
        ${c.status === "open" && html`<button onClick=${() => step("close")}>结束调查</button>`}
        ${["scoring", "published"].includes(c.status) && html`<button class="secondary" onClick=${() => step("runs")}>计算评分</button>`}
        ${c.status === "scoring" && results && html`<button onClick=${() => step("publish")}>公布结果</button>`}
        ${results && html`<button class="secondary" onClick=${exportXlsx}>导出 Excel</button>`}
      </div>
      ${c.status === "draft" && html`<${ConfigEditor} campaign=${c} done=${reload} />`}
      ${progress && html`<${Progress} items=${progress} />`}
      ${c.status === "open" && progress && html`<div class="grid two">
        <${Inspection} campaign=${c} progress=${progress} done=${reload} />
        <${MarkForm} campaign=${c} progress=${progress} done=${reload} />
      </div>`}
      ${results && html`<div class="table-wrap"><table>
        <caption class="sr-only">评定结果</caption>
        <thead><tr><th class="num" scope="col">排名</th><th scope="col">企业</th><th scope="col">星级</th><th class="num" scope="col">得分</th><th class="num" scope="col">调查样本</th><th scope="col">缺少的输入</th></tr></thead>
        <tbody>${results.results.map((r) => html`<tr><td class="num">${r.rank}</td><td>${r.company_name}</td>
          <td>${stars(r.stars)}${r.vetoed ? " 一票否决" : ""}</td><td class="num">${r.score}</td>
          <td class="num">${r.responses}${r.low_sample ? html` <span class="badge bad">样本不足</span>` : ""}</td>
          <td class="small">${(r.missing || []).map((code) => (c.config.indicators.find((i) => i.code === code) || { name: code }).name).join("、") || "—"}</td></tr>`)}</tbody>
      </table></div>`}
    </section>
    ${appeals.length > 0 && html`<section class="card" aria-labelledby="appeals-h">
      <h2 id="appeals-h">申诉</h2>
      <ul class="plain">${appeals.map((a) => html`<li><${AppealItem} appeal=${a} results=${results} indicators=${c.config.indicators} done=${reload} /></li>`)}</ul>
    </section>`}`}<//>`;
}

/** Each estate's survey against the least sample and what it still lacks: the checklist to
 * read before closing, scoring or publishing. */
function Progress({ items: all }) {
  const [items, Th] = useSorted(all.map((p) => ({ ...p, evaluated_n: p.evaluated ? 1 : 0, lacking_n: p.lacking.length })));
  const short = items.filter((p) => p.lacking.length > 0 || p.low_sample).length;
  return html`<div class="progress">
    <h3>各小区输入进度</h3>
    ${items.length === 0 ? html`<${Empty}>本县还没有参评的小区（须在评定期内有在约物业企业且服务满规定天数）。<//>` : html`
    <p class=${short ? "alert info" : "small ok-text"} role="status">${short ? `${short} 个小区尚有输入不全或调查样本不足；缺少的指标不得分。` : "各小区的输入均已齐全。"}</p>
    <div class="table-wrap"><table>
      <thead><tr><${Th} k="estate_name">小区<//><${Th} k="company_name">企业<//><${Th} k="responses">满意度调查<//><${Th} k="evaluated_n">业委会评价<//><${Th} k="inspections" num>检查<//><${Th} k="lacking_n">尚缺<//></tr></thead>
      <tbody>${items.map((p) => html`<tr class=${p.lacking.length ? "overdue" : ""}>
        <td>${p.estate_name}</td><td>${p.company_name}</td>
        <td><meter min="0" max=${Math.max(p.min_responses, 1)} value=${Math.min(p.responses, Math.max(p.min_responses, 1))} aria-label=${`${p.estate_name} 调查 ${p.responses} / ${p.min_responses}`}></meter>
          <div class="small">${p.responses} / ${p.min_responses} 份${p.paper_responses ? `（纸质 ${p.paper_responses}）` : ""}${p.low_sample ? html` <span class="badge bad">样本不足</span>` : ""}</div></td>
        <td>${p.evaluated ? "已评价" : html`<span class="badge bad">未评价</span>`}</td>
        <td class="num">${p.inspections}</td>
        <td class="small">${p.lacking.map((s) => label("Source", s)).join("、") || "—"}</td>
      </tr>`)}</tbody>
    </table></div>`}
  </div>`;
}

/** A value per inspection indicator for one estate, with evidence. */
function Inspection({ campaign, progress, done }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [files, setFiles] = useState([]);
  const indicators = campaign.config.indicators.filter((i) => i.source === "bureau_inspection");
  if (indicators.length === 0) return null;
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    setOk(null);
    try {
      const attachment_ids = await upload(files);
      await api.post(`/rating-campaigns/${enc(campaign.id)}/estates/${enc(f.get("estate"))}/inspections`, {
        scores: indicators.map((i) => ({ indicator: i.code, value: String(f.get(`ins-${i.code}`)).trim() })),
        note: f.get("note") || undefined,
        attachment_ids,
      });
      setOk("检查已记录。");
      setFiles([]);
      e.target.reset();
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card inner" aria-labelledby="ins-h">
    <h3 id="ins-h">录入检查</h3>
    <form onSubmit=${submit}>
      <${Field} id="ins-estate" label="小区"><select id="ins-estate" name="estate" required>${progress.map((p) => html`<option value=${p.estate_id}>${p.estate_name}（${p.company_name}）</option>`)}</select><//>
      ${indicators.map((i) => html`<${Field} id=${`ins-${i.code}`} label=${`${i.name}（${hint(i)}）`} error=${fieldError(error, "value")}>
        <input id=${`ins-${i.code}`} name=${`ins-${i.code}`} required inputmode="decimal" pattern="-?[0-9]{1,9}(\.[0-9]{1,2})?" /><//>`)}
      <${Field} id="ins-note" label="检查情况"><textarea id="ins-note" name="note" maxlength="2000"></textarea><//>
      <${PhotoPicker} id="ins-files" label="检查照片或记录" files=${files} setFiles=${setFiles} accept="image/*,application/pdf" />
      <div class="actions"><button type="submit">记录检查</button></div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
}

/** What an indicator's input is on: its rule's range. */
function hint(i) {
  const r = i.rule || {};
  if (r.kind === "linear") return `${r.zero_at} 至 ${r.full_at}`;
  return "按档次";
}

/** A bonus for an estate, or a one-vote veto of a company, with reason and evidence. */
function MarkForm({ campaign, progress, done }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [kind, setKind] = useState("bonus");
  const [files, setFiles] = useState([]);
  const codes = kind === "bonus" ? campaign.config.bonuses.map((b) => [b.code, `${b.name}（${b.points} 分）`]) : campaign.config.vetoes.map((v) => [v.code, v.name]);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const [estate, company] = String(f.get("pair")).split("|");
    if (kind === "veto") {
      const sure = await confirmAct({ title: "一票否决", body: "记录一票否决后，该企业在本次评定中不得星级。请确认事实和证据。", yes: "记录否决" });
      if (!sure) return;
    }
    setError(null);
    setOk(null);
    try {
      const attachment_ids = await upload(files);
      await api.post(`/rating-campaigns/${enc(campaign.id)}/marks`, { kind, code: f.get("code"), company_id: company, estate_id: estate, reason: f.get("reason"), attachment_ids });
      setOk(kind === "bonus" ? "加分已记录。" : "一票否决已记录。");
      setFiles([]);
      e.target.reset();
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card inner" aria-labelledby="mark-h">
    <h3 id="mark-h">加分与一票否决</h3>
    <form onSubmit=${submit}>
      <fieldset><legend>类别</legend>
        <label class="choice"><input type="radio" name="kind" value="bonus" checked=${kind === "bonus"} onChange=${() => setKind("bonus")} />加分</label>
        <label class="choice"><input type="radio" name="kind" value="veto" checked=${kind === "veto"} onChange=${() => setKind("veto")} />一票否决</label>
      </fieldset>
      <${Field} id="mark-pair" label="小区与企业"><select id="mark-pair" name="pair" required>${progress.map((p) => html`<option value=${`${p.estate_id}|${p.company_id}`}>${p.estate_name}（${p.company_name}）</option>`)}</select><//>
      <${Field} id="mark-code" label="事项"><select id="mark-code" name="code" required>${codes.map(([c, n]) => html`<option value=${c}>${n}</option>`)}</select><//>
      <${Field} id="mark-reason" label="理由" error=${fieldError(error, "reason")}><textarea id="mark-reason" name="reason" required maxlength="2000"></textarea><//>
      <${PhotoPicker} id="mark-files" label="证据材料" files=${files} setFiles=${setFiles} accept="image/*,application/pdf" />
      <div class="actions"><button type="submit">记录</button></div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
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
      <${Alert} error=${error} ok=${ok} />
    </form>
  </details>`;
}

function AppealItem({ appeal: a, results, indicators, done }) {
  const [error, setError] = useState(null);
  const company = results && results.results.find((r) => r.company_id === a.company_id);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { outcome: f.get("outcome"), reasons: f.get("reasons") };
    if (f.get("new_value")) body.new_value = f.get("new_value");
    const sure = await confirmAct({ title: "作出复核决定", body: body.outcome === "upheld" ? "申诉成立：以更正后的指标值重新计算并公布新版本结果。" : "驳回申诉：结果维持不变。", yes: "确定" });
    if (!sure) return;
    try {
      await api.post(`/rating-appeals/${enc(a.id)}/decision`, body);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div>
    <p><strong>${company ? company.company_name : "企业"}</strong> · 指标 ${(indicators.find((i) => i.code === a.indicator) || { name: a.indicator }).name} · ${dateTime(a.filed_at)} · ${APPEAL[a.status] || label("", a.status)}</p>
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

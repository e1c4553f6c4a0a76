// Owners, on their phones: my estates and units, the votes, casting and changing a ballot, the
// receipt, and after the close the result with the receipt found in it.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Badge, Field, Loaded, area, dateTime, entrance, html, label, useLoad, useTitle } from "app/ui";
import { STATUS as LEDGER_STATUS } from "app/ledger";
import { Objections } from "app/committees";

const enc = encodeURIComponent;

async function loadHome() {
  const units = [];
  for (const id of api.scopes("owner")) {
    for (const o of (await api.get(`/owners/${enc(id)}/ownerships`)).items) units.push(o.unit);
  }
  const estates = [...new Map(units.map((u) => [u.estate_id, { id: u.estate_id, name: u.estate_name }])).values()];
  const votes = [];
  const surveys = [];
  const counties = new Map();
  for (const e of estates) {
    for (const v of (await api.get(`/estates/${enc(e.id)}/votes`)).items) votes.push({ ...v, estate_name: e.name });
    // Rating campaigns open in the estate's county: the owners' satisfaction survey.
    const county = (await api.get(`/estates/${enc(e.id)}`)).county_id;
    if (!counties.has(county)) counties.set(county, (await api.get(`/orgs/${enc(county)}/rating-campaigns?limit=20`)).items);
    for (const c of counties.get(county).filter((c) => c.status === "open")) surveys.push({ campaign: c, estate: e });
  }
  const reported = (await api.get("/ledger-items/reported?limit=20")).items;
  return { estates, units, votes, surveys, reported };
}

export function OwnerHome() {
  useTitle("我的小区");
  const [data, error] = useLoad(loadHome, []);
  return html`<main id="main" tabindex="-1" class="page narrow">
    <h1>我的小区</h1>
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <section class="card" aria-labelledby="votes-h">
        <h2 id="votes-h">表决</h2>
        ${d.votes.length === 0 && html`<p class="muted">目前没有表决。</p>`}
        <ul class="plain">
          ${d.votes.map((v) => html`<li>
            <a href=${`/web/owner/votes/${enc(v.id)}`}><strong>${v.title}</strong></a> <${Badge} kind="vote_status" value=${v.status} />
            <div class="small muted">${v.estate_name} · 截止 ${dateTime(v.closes_at)}</div>
          </li>`)}
        </ul>
      </section>
      <${Objections} estateIds=${d.estates.map((e) => e.id)} />
      <section class="card" aria-labelledby="ledger-h">
        <h2 id="ledger-h">我的报事</h2>
        <div class="actions"><a class="button" href="/web/owner/report">报事</a></div>
        <ul class="plain">${d.reported.map((i) => html`<li>
          <a href=${`/web/ledger/${enc(i.id)}`}>${i.title}</a> <span class="badge">${LEDGER_STATUS[i.status] || label("", i.status)}</span>
          <div class="small muted">${dateTime(i.created_at)}</div>
        </li>`)}</ul>
      </section>
      ${d.surveys.length > 0 && html`<section class="card" aria-labelledby="survey-h">
        <h2 id="survey-h">物业服务满意度调查</h2>
        <ul class="plain">${d.surveys.map(({ campaign, estate }) => html`<li><a href=${`/web/owner/surveys/${enc(campaign.id)}/${enc(estate.id)}`}>${campaign.name}（${estate.name}）</a></li>`)}</ul>
      </section>`}
      <section class="card" aria-labelledby="units-h">
        <h2 id="units-h">我的房屋</h2>
        <ul class="plain">
          ${d.units.map((u) => html`<li>${u.estate_name} ${u.building_name}${u.entrance ? ` ${entrance(u.entrance)}` : ""} ${u.number}<div class="small muted">专有部分面积 ${area(u.area_centi_m2)}</div></li>`)}
        </ul>
      </section>
      <section class="card" aria-labelledby="service-h">
        <h2 id="service-h">党员志愿服务</h2>
        <p><a href="/web/service">社区活动报名、在职党员报到、我的服务时长</a></p>
      </section>
      <section class="card" aria-labelledby="estates-h">
        <h2 id="estates-h">小区公示栏</h2>
        <ul class="plain">
          ${d.estates.map((e) => html`<li><a href=${`/web/estates/${enc(e.id)}`}>${e.name}</a> · <a href=${`/web/accounts/${enc(e.id)}`}>阳光账目</a></li>`)}
        </ul>
      </section>`}<//>
  </main>`;
}

async function loadSurvey(campaign, estate) {
  const c = await api.get(`/rating-campaigns/${enc(campaign)}`);
  let mine = null;
  try {
    mine = await api.get(`/rating-campaigns/${enc(campaign)}/survey/${enc(estate)}`);
  } catch (e) {
    if (e.status !== 404) throw e;
  }
  return { campaign: c, mine };
}

/** The satisfaction survey of a rating campaign, for one estate; answered again, it replaces. */
export function SurveyPage({ campaign, estate }) {
  const [data, error, reload] = useLoad(() => loadSurvey(campaign, estate), [campaign, estate]);
  const [failed, setFailed] = useState(null);
  const [ok, setOk] = useState(null);
  useTitle("满意度调查");
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const answers = data.campaign.config.survey.questions.map((q) => ({ question: q.code, value: Number(f.get(q.code)) }));
    setFailed(null);
    try {
      await api.put(`/rating-campaigns/${enc(campaign)}/survey/${enc(estate)}`, { answers, comment: f.get("comment") || undefined });
      setOk("已提交，感谢您的评价。");
      reload();
    } catch (err) {
      setFailed(err);
    }
  };
  const scale = ["", "很不满意", "不满意", "一般", "满意", "很满意"];
  return html`<main id="main" tabindex="-1" class="page narrow">
    <p><a href="/web/owner">← 我的小区</a></p>
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <h1>${d.campaign.name}</h1>
      <p class="muted">请对本小区物业服务企业的服务作出评价（1 很不满意 — 5 很满意）。再次提交将替换您之前的回答。</p>
      <form class="card" onSubmit=${submit}>
        ${d.campaign.config.survey.questions.map((q) => {
          const had = d.mine && (d.mine.answers || []).find((a) => a.question === q.code);
          return html`<fieldset><legend>${q.text}</legend>
            ${[5, 4, 3, 2, 1].map((n) => html`<label class="choice"><input type="radio" name=${q.code} value=${n} required checked=${had && had.value === n} />${n} ${scale[n]}</label>`)}
          </fieldset>`;
        })}
        <${Field} id="comment" label="意见建议（可选）"><textarea id="comment" name="comment" maxlength="2000"></textarea><//>
        <div class="actions"><button type="submit">${d.mine ? "更新我的评价" : "提交"}</button></div>
        <${Alert} error=${failed} ok=${ok} />
      </form>`}<//>
  </main>`;
}

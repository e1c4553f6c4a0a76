// Owners, on their phones: my estates and units, the votes, casting and changing a ballot, the
// receipt, and after the close the result with the receipt found in it.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Badge, Field, Loaded, area, dateTime, entrance, html, label, useLoad, useTitle } from "app/ui";
import { ResultBars } from "app/results";
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
          <a href=${`/web/ledger/${enc(i.id)}`}>${i.title}</a> <span class="badge">${LEDGER_STATUS[i.status] || i.status}</span>
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
      <section class="card" aria-labelledby="estates-h">
        <h2 id="estates-h">小区公示栏</h2>
        <ul class="plain">
          ${d.estates.map((e) => html`<li><a href=${`/web/estates/${enc(e.id)}`}>${e.name}</a></li>`)}
        </ul>
      </section>`}<//>
  </main>`;
}

async function loadVote(id) {
  // Both at once (one round trip, not two); the caller's ballots fail for a vote not yet open,
  // or for someone not on its roll, and the page says so.
  const [vote, mine] = await Promise.all([
    api.get(`/votes/${enc(id)}`),
    api.get(`/votes/${enc(id)}/my-ballot`).catch((e) => {
      if ([403, 404, 409].includes(e.status)) return null;
      throw e;
    }),
  ]);
  let result = null;
  const counted = {};
  if (vote.status === "closed") {
    result = await api.get(`/votes/${enc(id)}/result`);
    for (const entry of (mine && mine.entries) || []) {
      if (!entry.current) continue;
      try {
        await api.get(`/votes/${enc(id)}/receipts/${enc(entry.current.receipt)}`);
        counted[entry.voter_id] = true;
      } catch (e) {
        if (e.status !== 404) throw e;
        counted[entry.voter_id] = false;
      }
    }
  }
  return { vote, mine, result, counted };
}

export function OwnerVote({ id }) {
  const [data, error, reload] = useLoad(() => loadVote(id), [id]);
  useTitle(data ? data.vote.title : "表决");
  return html`<main id="main" tabindex="-1" class="page narrow">
    <p><a href="/web/owner">← 我的小区</a></p>
    <${Loaded} data=${data} error=${error}>${(d) => html`<${VoteView} ...${d} reload=${reload} />`}<//>
  </main>`;
}

function VoteView({ vote: v, mine, result, counted, reload }) {
  return html`
    <h1>${v.title}</h1>
    <p><${Badge} kind="vote_status" value=${v.status} /> <span class="small muted">${dateTime(v.opens_at)} — ${dateTime(v.closes_at)}</span></p>
    <section class="card" aria-labelledby="q-h">
      <h2 id="q-h">表决事项</h2>
      <p>${v.question}</p>
      ${v.roll_fingerprint &&
      html`<p class="small muted">名册：专有部分面积合计 ${area(v.total_area_centi_m2)}，业主 ${v.total_heads} 人。名册指纹 <span class="mono">${v.roll_fingerprint}</span></p>`}
    </section>
    ${v.status === "announced" && html`<${Alert} info="投票尚未开始。" />`}
    ${v.status !== "announced" && !mine && html`<${Alert} info="您不在本次表决的投票名册上。" />`}
    ${mine && mine.entries.map((entry) => html`<${BallotCard} vote=${v} entry=${entry} several=${mine.entries.length > 1} counted=${counted[entry.voter_id]} reload=${reload} />`)}
    ${result && html`<section class="card" aria-labelledby="res-h"><h2 id="res-h">表决结果</h2><${ResultBars} result=${result} /></section>`}`;
}

function BallotCard({ vote: v, entry, several, counted, reload }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [fresh, setFresh] = useState(null);
  const current = entry.current;
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const body = several ? { voter_id: entry.voter_id } : {};
    if (v.kind === "election") body.selections = form.getAll("selections");
    else body.choice = form.get("choice");
    setBusy(true);
    setError(null);
    try {
      const receipt = await api.post(`/votes/${enc(v.id)}/ballots`, body);
      setFresh(receipt);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const legend = several ? `为 ${area(entry.area_centi_m2)}（${entry.unit_count} 套）投票` : "我的选择";
  return html`<section class="card ballot" aria-label="我的选票">
    ${current &&
    html`<p>我的回执：<span class="receipt mono" data-receipt=${current.receipt}>${current.receipt}</span></p>
      <p class="small muted">投于 ${dateTime(current.cast_at)}（${label("channel", current.channel)}）。以最后一次投票为准。</p>`}
    ${fresh && html`<${Alert} ok=${`投票成功，回执 ${fresh.receipt}，请保存。`} />`}
    ${v.status === "closed" && current && counted === true && html`<${Alert} ok="您的回执已在计票结果中找到：您的选票已计入。" />`}
    ${v.status === "closed" && current && counted === false && html`<${Alert} error=${{ message: "计票结果中没有找到您的回执。" }} />`}
    ${v.status === "open" &&
    html`<form onSubmit=${submit}>
      <${Alert} error=${error} />
      <fieldset>
        <legend>${legend}</legend>
        ${v.kind === "election"
          ? html`<p class="hint">最多选 ${v.seats} 人；不选即为空白票（计入参与表决）。</p>
              ${v.options.map((o) => html`<label class="choice"><input type="checkbox" name="selections" value=${o.option_id} />${o.label}</label>`)}`
          : ["yes", "no", "abstain"].map((c) => html`<label class="choice"><input type="radio" name="choice" value=${c} required />${label("choice", c)}</label>`)}
      </fieldset>
      <div class="actions"><button type="submit" disabled=${busy}>${current ? "更改我的投票" : "提交投票"}</button></div>
    </form>`}
  </section>`;
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
      <${Alert} error=${failed} ok=${ok} />
      <form class="card" onSubmit=${submit}>
        ${d.campaign.config.survey.questions.map((q) => {
          const had = d.mine && (d.mine.answers || []).find((a) => a.question === q.code);
          return html`<fieldset><legend>${q.text}</legend>
            ${[5, 4, 3, 2, 1].map((n) => html`<label class="choice"><input type="radio" name=${q.code} value=${n} required checked=${had && had.value === n} />${n} ${scale[n]}</label>`)}
          </fieldset>`;
        })}
        <${Field} id="comment" label="意见建议（可选）"><textarea id="comment" name="comment" maxlength="2000"></textarea><//>
        <div class="actions"><button type="submit">${d.mine ? "更新我的评价" : "提交"}</button></div>
      </form>`}<//>
  </main>`;
}

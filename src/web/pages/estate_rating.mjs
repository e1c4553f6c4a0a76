// An estate's part in an open rating campaign, on its console: the owners' committee gives its
// evaluation of the company (业委会评价); community staff enter the paper questionnaires of
// owners who cannot answer online (纸质问卷), one per owner.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Field, fieldError, html, useLoad } from "app/ui";

const enc = encodeURIComponent;
const LEVELS = [[5, "很满意"], [4, "满意"], [3, "一般"], [2, "不满意"], [1, "很不满意"]];

async function openCampaigns(estate) {
  try {
    const page = await api.get(`/orgs/${enc(estate.county_id)}/rating-campaigns?limit=10`);
    return page.items.filter((c) => c.status === "open");
  } catch (e) {
    return []; // Not everyone who sees the estate sees the county's campaigns.
  }
}

export function EstateRatingInputs({ estate }) {
  const [campaigns] = useLoad(() => openCampaigns(estate), [estate.id]);
  if (!campaigns || campaigns.length === 0) return null;
  const committee = api.currentSession()?.roles.some((r) => r.role === "committee" && r.scope === estate.id);
  const staff = api.hasRole("party_org") || api.hasRole("admin");
  return html`${campaigns.map((c) => html`
    ${committee && html`<${Evaluation} campaign=${c} estate=${estate} />`}
    ${staff && html`<${PaperSurvey} campaign=${c} estate=${estate} />`}`)}`;
}

function Evaluation({ campaign, estate }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const indicators = campaign.config.indicators.filter((i) => i.source === "committee_evaluation");
  if (indicators.length === 0) return null;
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    setOk(null);
    try {
      await api.put(`/rating-campaigns/${enc(campaign.id)}/estates/${enc(estate.id)}/evaluation`, {
        scores: indicators.map((i) => ({ indicator: i.code, value: String(f.get(`ev-${i.code}`)).trim() })),
        note: f.get("note") || undefined,
      });
      setOk("评价已提交；评定结束前可以修改，以最后一次为准。");
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby=${`ev-h-${campaign.id}`}>
    <h2 id=${`ev-h-${campaign.id}`}>业委会评价：${campaign.name}</h2>
    <p class="small muted">对本小区物业服务企业的评价，计入星级评定。</p>
    <form onSubmit=${submit}>
      ${indicators.map((i) => html`<${Field} id=${`ev-${i.code}`} label=${`${i.name}${i.rule && i.rule.kind === "linear" ? `（${i.rule.zero_at}–${i.rule.full_at}）` : ""}`}>
        <input id=${`ev-${i.code}`} name=${`ev-${i.code}`} required inputmode="decimal" pattern="-?[0-9]{1,9}(\\.[0-9]{1,2})?" /><//>`)}
      <${Field} id="ev-note" label="说明（可选）"><textarea id="ev-note" name="note" maxlength="2000"></textarea><//>
      <div class="actions"><button type="submit">提交评价</button></div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
}

function PaperSurvey({ campaign, estate }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [query, setQuery] = useState("");
  const [owners, setOwners] = useState(null);
  const questions = campaign.config.survey.questions;
  const find = async () => {
    setError(null);
    try {
      setOwners((await api.get(`/estates/${enc(estate.id)}/owners?limit=20&name_prefix=${enc(query.trim())}`)).items);
    } catch (err) {
      setError(err);
    }
  };
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    setOk(null);
    try {
      await api.post(`/rating-campaigns/${enc(campaign.id)}/estates/${enc(estate.id)}/paper-surveys`, {
        owner_id: f.get("owner"),
        answers: questions.map((q) => ({ question: q.code, value: Number(f.get(`pq-${q.code}`)) })),
        comment: f.get("comment") || undefined,
        paper_ref: f.get("paper_ref"),
      });
      setOk("纸质问卷已录入。");
      e.target.reset();
      setOwners(null);
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby=${`pq-h-${campaign.id}`}>
    <h2 id=${`pq-h-${campaign.id}`}>录入纸质问卷：${campaign.name}</h2>
    <p class="small muted">为不能在手机上作答的业主录入纸质满意度问卷。每位业主只计一份；已在线作答的业主不能再录入。</p>
    <form onSubmit=${submit}>
      <${Field} id="pq-q" label="查找业主（姓名）">
        <div class="actions">
          <input id="pq-q" value=${query} onInput=${(e) => setQuery(e.target.value)} />
          <button type="button" class="secondary" onClick=${find} disabled=${!query.trim()}>查找</button>
        </div>
      <//>
      <${Field} id="pq-owner" label="业主" error=${fieldError(error, "owner_id")}>
        <select id="pq-owner" name="owner" required>
          ${(owners || []).map((o) => html`<option value=${o.id}>${o.name}${o.id_last4 ? `（证件尾号 ${o.id_last4}）` : ""}</option>`)}
        </select>
      <//>
      ${owners && owners.length === 0 && html`<p class="small muted">没有找到这位业主。</p>`}
      ${questions.map((q) => html`<fieldset><legend>${q.text}</legend>
        ${LEVELS.map(([v, t]) => html`<label class="choice"><input type="radio" name=${`pq-${q.code}`} value=${v} required />${t}</label>`)}
      </fieldset>`)}
      <${Field} id="pq-comment" label="业主意见（可选）"><textarea id="pq-comment" name="comment" maxlength="1000"></textarea><//>
      <${Field} id="pq-ref" label="问卷编号" error=${fieldError(error, "paper_ref")}><input id="pq-ref" name="paper_ref" required maxlength="100" /><//>
      <div class="actions"><button type="submit">录入问卷</button></div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
}

// A county department's joint review of committee candidates (资格联审): the queue, each
// candidate's screening result and negative-list records, and the decision with its reason.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Field, Loaded, date, html, label, useLoad, useTitle } from "app/ui";

const enc = encodeURIComponent;

export function ReviewQueue() {
  useTitle("资格联审");
  const [data, error, reload] = useLoad(() => api.get("/review-queue"), []);
  return html`<main id="main" tabindex="-1" class="page">
    <h1>候选人资格联审</h1>
    <${Loaded} data=${data} error=${error}>${(q) =>
      q.elections.length === 0
        ? html`<p class="muted">目前没有需要本部门审查的候选人。</p>`
        : q.elections.map((e) => html`<section class="card" aria-labelledby=${"e-" + e.election_id}>
            <h2 id=${"e-" + e.election_id}>${e.estate_name} 业主委员会选举</h2>
            <p class="small muted">待本部门审查 ${e.awaiting} 人</p>
            <ul class="plain">${e.candidates.map((c) => html`<li><${CandidateReview} candidate=${c} code=${e.department_code} done=${reload} /></li>`)}</ul>
          </section>`)}<//>
  </main>`;
}

function CandidateReview({ candidate: c, code, done }) {
  const mine = c.reviews.find((r) => r.department_code === code);
  const [records, setRecords] = useState(null);
  const [error, setError] = useState(null);
  const [reason, setReason] = useState("");
  const decide = async (passed) => {
    setError(null);
    if (!reason.trim()) {
      setError({ message: "请填写审查意见。", errors: [{ field: "reason", message: "必填" }] });
      return;
    }
    try {
      await api.post(`/candidates/${enc(c.id)}/reviews`, { passed, reason: reason.trim() });
      done();
    } catch (err) {
      setError(err);
    }
  };
  const look = async () => {
    try {
      const r = await api.get(`/owners/${enc(c.owner_id)}/negative-records`);
      setRecords(r.items || r);
    } catch (err) {
      setError(err);
    }
  };
  const id = "reason-" + c.id;
  return html`<div class="candidate" data-candidate=${c.id}>
    <h3>${c.name} <span class="badge">${label("candidate_status", c.status)}</span>${c.party_member ? html` <span class="badge good">中共党员</span>` : ""}</h3>
    ${c.screening_hits.length > 0 && html`<p class="small">负面清单筛查命中：${c.screening_hits.join("、")}</p>`}
    <p class="small muted">已审查：${c.reviews.length === 0 ? "无" : c.reviews.map((r) => `${r.department_code} ${r.passed ? "通过" : "不通过"}`).join("；")}</p>
    ${records === null
      ? html`<button class="link" onClick=${look}>查看负面记录</button>`
      : records.length === 0
        ? html`<p class="small">本县无该业主的负面记录。</p>`
        : html`<ul class="small">${records.map((r) => html`<li>${r.item_code}：${r.evidence_ref}（${date(r.effective_from)} 起）</li>`)}</ul>`}
    <${Alert} error=${error} />
    ${mine
      ? html`<p>本部门意见：<strong>${mine.passed ? "通过" : "不通过"}</strong>（${mine.reason}）</p>`
      : html`<${Field} id=${id} label="审查意见">
            <textarea id=${id} value=${reason} onInput=${(e) => setReason(e.target.value)} maxlength="1000" required></textarea>
          <//>
          <div class="actions">
            <button onClick=${() => decide(true)}>通过</button>
            <button class="secondary" onClick=${() => decide(false)}>不通过</button>
          </div>`}
  </div>`;
}

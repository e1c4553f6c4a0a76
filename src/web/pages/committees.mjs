// Committees for the community and the bureau: formation, roster and deadlines; the candidate
// vetting of an election (nominations, screening, the departments' reviews, publication,
// objections and answers, the final list). Owners object to a published candidate here too.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Badge, Field, Loaded, confirmAct, date, html, label, useLoad, useTitle, navigate } from "app/ui";

const enc = encodeURIComponent;
const ELECTION = { nominating: "提名中", screening: "资格审查中", publicity: "公示中", final: "名单已确定" };
const DEADLINES = {
  filing: "备案", first_meeting: "首次会议", reelection_start: "启动换届", handover: "移交",
  joint_meeting: "每月联席会议", party_building_meeting: "一季一议",
};

function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** An estate's committees in the officials' console. */
export function CommitteePanel({ estate, committees, done }) {
  const organiser = api.hasRole("party_org") || api.hasRole("bureau") || api.hasRole("admin");
  const live = committees.filter((c) => !["dissolved", "term_ended"].includes(c.status));
  return html`<section class="card" aria-labelledby="com-h">
    <h2 id="com-h">业主组织</h2>
    ${committees.length === 0 && html`<p class="muted">尚未成立业主委员会或物业管理委员会。</p>`}
    ${committees.map((c) => html`<${CommitteeCard} committee=${c} organiser=${organiser} done=${done} />`)}
    ${organiser && live.length === 0 && html`<${NewCommittee} estate=${estate} done=${done} />`}
  </section>`;
}

function CommitteeCard({ committee: c, organiser, done }) {
  const [elections, error, reload] = useLoad(() => api.get(`/committees/${enc(c.id)}/elections`), [c.id]);
  const [failed, setFailed] = useState(null);
  const open = async (e) => {
    e.preventDefault();
    try {
      const el = await api.post(`/committees/${enc(c.id)}/elections`, { seats: Number(new FormData(e.target).get("seats")) });
      navigate(`/web/elections/${enc(el.id)}`);
    } catch (err) {
      setFailed(err);
    }
  };
  const serving = c.members.filter((m) => !m.ended_on);
  return html`<div class="committee">
    <h3>${label("committee_kind", c.kind)} <${Badge} kind="committee_status" value=${c.status} /></h3>
    <p class="small">${c.formed_on ? `成立 ${date(c.formed_on)}；` : ""}${c.term_ends_on ? `任期至 ${date(c.term_ends_on)}；` : ""}委员 ${c.seats} 名${c.by_election_required ? "；须补选" : ""}${c.reelection_warning ? "；须启动换届" : ""}</p>
    ${c.deadlines.length > 0 && html`<ul class="small">${c.deadlines.map((d) => html`<li>${DEADLINES[d.kind] || label("", d.kind)}：${d.done_on ? `已于 ${date(d.done_on)} 完成` : `应于 ${date(d.due_on)} 前`}${d.overdue ? html` <span class="badge bad">已逾期</span>` : ""}</li>`)}</ul>`}
    ${serving.length > 0 && html`<table><caption class="sr-only">成员</caption>
      <thead><tr><th scope="col">姓名</th><th scope="col">职务</th><th scope="col">党员</th></tr></thead>
      <tbody>${serving.map((m) => html`<tr><td>${m.name}</td><td>${label("member_role", m.role)}</td><td>${m.party_member ? "是" : ""}</td></tr>`)}</tbody></table>`}
    <${Loaded} data=${elections} error=${error}>${(page) => html`<ul class="plain">${page.items.map((e) => html`<li>
      <a href=${`/web/elections/${enc(e.id)}`}>选举（应选 ${e.seats} 名）</a> <span class="badge">${ELECTION[e.status] || label("", e.status)}</span></li>`)}</ul>`}<//>
    <${Alert} error=${failed} />
    ${organiser && c.kind === "owners_committee" && html`<form class="actions" onSubmit=${open}>
      <label for=${"seats-" + c.id}>应选名额</label>
      <input id=${"seats-" + c.id} name="seats" type="number" min="3" max="15" step="2" value=${c.seats || 5} required />
      <button type="submit" class="secondary">开启选举</button>
    </form>`}
  </div>`;
}

function NewCommittee({ estate, done }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api.post(`/estates/${enc(estate.id)}/committees`, { kind: f.get("kind"), term_years: Number(f.get("term")) });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form onSubmit=${submit}>
    <h3>成立业主组织</h3>
    <${Alert} error=${error} />
    <div class="grid two">
      <${Field} id="com-kind" label="类型"><select id="com-kind" name="kind">
        <option value="owners_committee">业主委员会（筹备）</option><option value="property_management_committee">物业管理委员会</option></select><//>
      <${Field} id="com-term" label="任期（年）"><input id="com-term" name="term" type="number" min="3" max="5" value="5" required /><//>
    </div>
    <div class="actions"><button type="submit">成立</button></div>
  </form>`;
}

export function ElectionPage({ id }) {
  const [data, error, reload] = useLoad(() => api.get(`/elections/${enc(id)}`), [id]);
  useTitle("候选人审查");
  return html`<main id="main" tabindex="-1" class="page">
    <${Loaded} data=${data} error=${error}>${(e) => html`<${Election} election=${e} reload=${reload} />`}<//>
  </main>`;
}

function Election({ election: e, reload }) {
  const [error, setError] = useState(null);
  const organiser = api.hasRole("party_org") || api.hasRole("bureau") || api.hasRole("admin");
  const ASK = {
    screening: { title: "截止提名并筛查", body: "截止提名：此后不再接受提名，所有候选人交负面清单筛查和部门联审。", yes: "截止提名" },
    publication: { title: "公示合格名单", body: "公示经联审合格的候选人名单，公示期自现在起算，业主可在公示期内提出异议。", yes: "公示" },
    finalization: { title: "确定最终名单", body: "结束公示：所有异议须已答复，名单确定后用于选举表决。", yes: "确定" },
  };
  const step = async (path, body = {}) => {
    setError(null);
    if (ASK[path] && !(await confirmAct(ASK[path]))) return;
    try {
      await api.post(`/elections/${enc(e.id)}/${path}`, body);
      reload();
    } catch (err) {
      setError(err);
    }
  };
  return html`
    <h1>业主委员会选举 · 候选人 <span class="badge">${ELECTION[e.status] || label("", e.status)}</span></h1>
    <p class="muted">应选 ${e.seats} 名${e.published_at ? ` · 公示于 ${date(e.published_at)}，异议截止 ${date(e.publicity_ends_on)}` : ""}</p>
    <${Alert} error=${error} />
    ${organiser && html`<div class="actions">
      ${e.status === "nominating" && html`<button onClick=${() => step("screening", { date: today() })}>截止提名并筛查</button>`}
      ${e.status === "screening" && html`<button onClick=${() => step("publication", { date: today() })}>公示合格名单</button>`}
      ${e.status === "publicity" && html`<button onClick=${() => step("finalization")}>确定最终名单</button>`}
    </div>`}
    <section class="card" aria-labelledby="cands-h"><h2 id="cands-h">候选人</h2>
      <ul class="plain">${e.candidates.map((c) => html`<li><${CandidateRow} candidate=${c} organiser=${organiser} status=${e.status} done=${reload} /></li>`)}</ul>
      ${organiser && e.status === "nominating" && html`<${Nominate} election=${e} done=${reload} />`}
    </section>`;
}

function CandidateRow({ candidate: c, organiser, status, done }) {
  const [error, setError] = useState(null);
  const answer = async (ev, o) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    try {
      await api.post(`/objections/${enc(o.id)}/answer`, { upheld: f.get("upheld") === "yes", answer: f.get("answer") });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div>
    <strong>${c.name}</strong> <span class="badge">${label("candidate_status", c.status)}</span>${c.party_member ? " 中共党员" : ""}
    ${c.screening_hits.length > 0 && html`<div class="small">筛查命中：${c.screening_hits.join("、")}</div>`}
    ${c.reasons.length > 0 && html`<div class="small">${c.reasons.join("；")}</div>`}
    ${c.reviews.length > 0 && html`<div class="small muted">部门审查：${c.reviews.map((r) => `${r.department_code} ${r.passed ? "通过" : "不通过"}（${r.reason}）`).join("；")}</div>`}
    <${Alert} error=${error} />
    ${c.objections.map((o) => html`<div class="small objection">异议（${o.filed_on}）：${o.statement}
      ${o.answer ? html`<div>答复（${o.upheld ? "成立" : "不成立"}）：${o.answer}</div>`
        : organiser && status === "publicity" && html`<form onSubmit=${(ev) => answer(ev, o)}>
          <${Field} id=${"ans-" + o.id} label=${`答复（${date(o.answer_due_on)} 前）`}><textarea id=${"ans-" + o.id} name="answer" required maxlength="5000"></textarea><//>
          <label class="choice"><input type="checkbox" name="upheld" value="yes" />异议成立（取消其候选资格）</label>
          <div class="actions"><button type="submit" class="secondary">答复</button></div>
        </form>`}
    </div>`)}
  </div>`;
}

function Nominate({ election, done }) {
  const [error, setError] = useState(null);
  const [found, setFound] = useState([]);
  const [q, setQ] = useState("");
  const search = async () => {
    try {
      const c = await api.get(`/elections/${enc(election.id)}`);
      const committee = await api.get(`/committees/${enc(c.committee_id)}`);
      setFound((await api.get(`/estates/${enc(committee.estate_id)}/owners?limit=20&name_prefix=${enc(q.trim())}`)).items);
    } catch (err) {
      setError(err);
    }
  };
  const nominate = async (o) => {
    try {
      await api.post(`/elections/${enc(election.id)}/candidates`, { owner_id: o.id, nominated_by: "party_org", supporter_owner_ids: [] });
      setFound([]);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div><h3>党组织推荐候选人</h3>
    <${Alert} error=${error} />
    <div class="actions"><label for="nom-q" class="sr-only">业主姓名</label>
      <input id="nom-q" value=${q} onInput=${(e) => setQ(e.target.value)} placeholder="业主姓名" />
      <button type="button" class="secondary" onClick=${search}>查找</button></div>
    <ul class="plain">${found.map((o) => html`<li>${o.name}${o.party_member ? "（党员）" : ""} <button class="link" onClick=${() => nominate(o)}>推荐</button></li>`)}</ul>
  </div>`;
}

/** Owners: the published candidate lists of their estates, with a signed objection. */
export function Objections({ estateIds }) {
  const [lists, error, reload] = useLoad(async () => {
    const out = [];
    for (const id of estateIds) {
      for (const c of (await api.get(`/estates/${enc(id)}/committees`)).items) {
        for (const e of (await api.get(`/committees/${enc(c.id)}/elections`)).items) {
          if (e.status === "publicity") out.push(e);
        }
      }
    }
    return out;
  }, [estateIds.join()]);
  return html`<${Loaded} data=${lists} error=${error}>${(all) => all.length === 0 ? null : html`<section class="card" aria-labelledby="pub-h">
    <h2 id="pub-h">候选人公示</h2>
    ${all.map((e) => html`<div><p class="small">异议截止 ${date(e.publicity_ends_on)}</p>
      <ul class="plain">${e.candidates.map((c) => html`<li><${Objection} candidate=${c} done=${reload} /></li>`)}</ul></div>`)}
  </section>`}<//>`;
}

function Objection({ candidate: c, done }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api.post(`/candidates/${enc(c.id)}/objections`, { statement: f.get("statement"), signature: f.get("signature") });
      setOk("异议已提交，组织方将在规定期限内答复。");
      setOpen(false);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div>${c.name}${c.party_member ? "（中共党员）" : ""}
    ${!open && html` <button class="link" onClick=${() => setOpen(true)}>提出异议</button>`}
    <${Alert} error=${error} ok=${ok} />
    ${open && html`<form onSubmit=${submit}>
      <${Field} id=${"st-" + c.id} label="异议内容"><textarea id=${"st-" + c.id} name="statement" required maxlength="5000"></textarea><//>
      <${Field} id=${"sg-" + c.id} label="签名（本人姓名）"><input id=${"sg-" + c.id} name="signature" required maxlength="100" /><//>
      <div class="actions"><button type="submit">提交异议</button></div>
    </form>`}
  </div>`;
}

// Joint meetings (联席会议): the meeting and its parties, attendance, the minutes drafted by the
// convenor, confirmed (or sent back) by each attending party, published, and printed.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Field, Loaded, confirmAct, date, dateTime, html, useLoad, useTitle, label } from "app/ui";

const enc = encodeURIComponent;

const ATTENDANCE = { invited: "已邀请", present: "出席", absent: "缺席", represented: "委托出席" };
const STATUS = { draft: "草稿", confirming: "待各方确认", published: "已发布", superseded: "已更正替代" };
const KIND = { party_org: "党组织", committee: "业委会/物管会", company: "物业企业", department: "部门", person: "个人" };

async function loadMeeting(id) {
  const meeting = await api.get(`/meetings/${enc(id)}`);
  const versions = (await api.get(`/meetings/${enc(id)}/minutes`)).items;
  // A draft is read on its own, with its version (ETag), which its edit is saved against.
  const draft = versions.findIndex((v) => v.status === "draft");
  if (draft >= 0) versions[draft] = await api.get(`/minutes/${enc(versions[draft].id)}`);
  return { meeting, versions };
}

/** Opens the minutes as the API prints them — an A4 document with the attendance table, the
 * decisions with responsible parties and dates, a signature line per attending party and page
 * numbers — in a window of its own, and prints it. */
async function printMinutes(id) {
  const doc = await api.text(`/minutes/${enc(id)}/print`);
  const w = window.open("", "_blank");
  if (!w) throw { message: "浏览器拦截了打印窗口，请允许本站弹出窗口后重试。" };
  w.document.open();
  w.document.write(doc);
  w.document.close();
  w.focus();
  w.print();
}

/** The parties the signed-in person may answer for (the API has the last word). */
function speaksFor(meeting, party) {
  const s = api.currentSession();
  if (!s || !party.party_id) return false;
  const has = (role, scope) => s.roles.some((r) => r.role === role && (scope === undefined || r.scope === scope));
  switch (party.kind) {
    case "party_org": return has("party_org");
    case "committee": return has("committee", meeting.estate_id);
    case "company": return has("company", party.party_id);
    case "department": return has("department", party.party_id);
    default: return false;
  }
}

export function MeetingPage({ id }) {
  const [data, error, reload] = useLoad(() => loadMeeting(id), [id]);
  useTitle(data ? data.meeting.title : "联席会议");
  return html`<main id="main" tabindex="-1" class="page">
    <${Loaded} data=${data} error=${error}>${(d) => html`<${Meeting} ...${d} reload=${reload} />`}<//>
  </main>`;
}

function Meeting({ meeting: m, versions, reload }) {
  const current = versions.find((v) => v.status !== "superseded") || null;
  const convenor = api.hasRole("party_org") || api.hasRole("admin");
  return html`
    <h1>${m.title}</h1>
    <p class="muted">${dateTime(m.starts_at)} · ${m.place}${m.quorum ? " · 已达到出席要求" : ""}</p>
    <div class="grid two">
      <section class="card" aria-labelledby="agenda-h">
        <h2 id="agenda-h">议程</h2>
        <ol>${m.agenda.map((a) => html`<li>${a.title}</li>`)}</ol>
      </section>
      <${Attendance} meeting=${m} editable=${convenor && (!current || current.status === "draft")} done=${reload} />
    </div>
    ${current && html`<${MinutesView} meeting=${m} minutes=${current} convenor=${convenor} done=${reload} />`}
    ${!current && convenor && html`<${MinutesEditor} meeting=${m} done=${reload} />`}
    ${!current && !convenor && html`<p class="muted">会议纪要尚未起草。</p>`}`;
}

function Attendance({ meeting: m, editable, done }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const parties = m.parties.map((p) => {
      const a = { party_id: p.id, attendance: f.get(`att-${p.id}`) };
      if (a.attendance === "represented") a.represented_by = f.get(`rep-${p.id}`) || "代表";
      return a;
    });
    try {
      await api.put(`/meetings/${enc(m.id)}/attendance`, { parties }, m);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="att-h">
    <h2 id="att-h">参会各方</h2>
    <form onSubmit=${submit}>
      <table>
        <thead><tr><th scope="col">参会方</th><th scope="col">出席情况</th></tr></thead>
        <tbody>${m.parties.map((p) => html`<tr>
          <td>${p.name}<div class="small muted">${KIND[p.kind] || label("", p.kind)}</div></td>
          <td>${editable
            ? html`<label class="sr-only" for=${`att-${p.id}`}>${p.name} 出席情况</label>
                <select id=${`att-${p.id}`} name=${`att-${p.id}`}>${Object.entries(ATTENDANCE).map(([k, v]) => html`<option value=${k} selected=${p.attendance === k}>${v}</option>`)}</select>
                <label class="sr-only" for=${`rep-${p.id}`}>代表姓名</label>
                <input id=${`rep-${p.id}`} name=${`rep-${p.id}`} placeholder="委托出席时填写代表" value=${p.represented_by || ""} />`
            : html`${ATTENDANCE[p.attendance] || label("", p.attendance)}${p.represented_by ? `（${p.represented_by}）` : ""}`}</td>
        </tr>`)}</tbody>
      </table>
      ${editable && html`<div class="actions"><button type="submit" class="secondary">保存出席情况</button></div>`}
      <${Alert} error=${error} />
    </form>
  </section>`;
}

function MinutesEditor({ meeting: m, minutes, done }) {
  const [error, setError] = useState(null);
  const start = minutes ? minutes.content : { discussion: [], decisions: [] };
  const [decisions, setDecisions] = useState(start.decisions.length ? start.decisions : [{ text: "" }]);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const content = {
      discussion: m.agenda
        .map((a) => ({ agenda_seq: a.seq, text: (f.get(`disc-${a.seq}`) || "").trim() }))
        .filter((d) => d.text),
      decisions: decisions
        .map((d, i) => {
          const out = { text: (f.get(`dec-${i}`) || "").trim() };
          const who = f.get(`who-${i}`);
          const due = f.get(`due-${i}`);
          if (who) out.responsible_party_id = who;
          if (due) out.due_on = due;
          return out;
        })
        .filter((d) => d.text),
    };
    try {
      if (minutes) await api.put(`/minutes/${enc(minutes.id)}`, content, minutes);
      else await api.post(`/meetings/${enc(m.id)}/minutes`, content);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="draft-h">
    <h2 id="draft-h">${minutes ? "修改纪要草稿" : "起草会议纪要"}</h2>
    <form onSubmit=${submit}>
      ${m.agenda.map((a) => html`<${Field} id=${`disc-${a.seq}`} label=${`议题 ${a.seq}：${a.title}`}>
        <textarea id=${`disc-${a.seq}`} name=${`disc-${a.seq}`} maxlength="5000" value=${(start.discussion.find((d) => d.agenda_seq === a.seq) || {}).text || ""}></textarea>
      <//>`)}
      <fieldset><legend>会议决定</legend>
        ${decisions.map((d, i) => html`<div class="decision">
          <${Field} id=${`dec-${i}`} label=${`决定 ${i + 1}`}><input id=${`dec-${i}`} name=${`dec-${i}`} value=${d.text} maxlength="2000" /><//>
          <div class="grid two">
            <${Field} id=${`who-${i}`} label="责任方（形成督办事项）">
              <select id=${`who-${i}`} name=${`who-${i}`}><option value="">—</option>${m.parties.filter((p) => p.party_id).map((p) => html`<option value=${p.id} selected=${d.responsible_party_id === p.id}>${p.name}</option>`)}</select>
            <//>
            <${Field} id=${`due-${i}`} label="办结期限"><input id=${`due-${i}`} name=${`due-${i}`} type="date" value=${d.due_on || ""} /><//>
          </div>
        </div>`)}
        <button type="button" class="secondary" onClick=${() => setDecisions([...decisions, { text: "" }])}>添加一项决定</button>
      </fieldset>
      <div class="actions"><button type="submit">保存草稿</button></div>
      <${Alert} error=${error} />
    </form>
  </section>`;
}

function MinutesView({ meeting: m, minutes: v, convenor, done }) {
  const [error, setError] = useState(null);
  const [comment, setComment] = useState("");
  const act = async (fn) => {
    setError(null);
    try {
      await fn();
      done();
    } catch (err) {
      setError(err);
    }
  };
  const byId = Object.fromEntries(m.parties.map((p) => [p.id, p]));
  const waiting = new Set(v.waiting_for || []);
  const mine = m.parties.filter((p) => waiting.has(p.id) && speaksFor(m, p));
  return html`
    ${v.status === "draft" && convenor && html`<${MinutesEditor} meeting=${m} minutes=${v} done=${done} />`}
    <section class="card minutes" aria-labelledby="minutes-h" data-status=${v.status}>
      <h2 id="minutes-h">会议纪要（第 ${v.version} 版）<span class="badge">${STATUS[v.status] || label("", v.status)}</span></h2>
      <${Alert} error=${error} />
      ${v.content.discussion.map((d) => html`<p><strong>议题 ${d.agenda_seq}：</strong>${d.text}</p>`)}
      <h3>决定</h3>
      <ol>${v.content.decisions.map((d) => html`<li>${d.text}${d.responsible_party_id ? `（责任方：${(byId[d.responsible_party_id] || {}).name || ""}${d.due_on ? `，${date(d.due_on)} 前` : ""}）` : ""}</li>`)}</ol>
      ${v.fingerprint && html`<p class="small muted mono">指纹 ${v.fingerprint}</p>`}
      ${v.answers.length > 0 && html`<h3>各方意见</h3><ul>${v.answers.map((a) => html`<li>${(byId[a.party_id] || {}).name || a.party_id}：${a.correction ? `要求更正：${a.comment || ""}` : "确认"}（${dateTime(a.answered_at)}）</li>`)}</ul>`}
      ${v.status === "confirming" && waiting.size > 0 && html`<p class="small">等待确认：${[...waiting].map((id) => (byId[id] || {}).name || id).join("、")}</p>`}
      <div class="actions">
        ${v.status === "draft" && convenor && html`<button onClick=${() => act(() => api.post(`/minutes/${enc(v.id)}/send`, {}))}>送各方确认</button>`}
        ${v.status === "confirming" && convenor && waiting.size === 0 && html`<button onClick=${async () => (await confirmAct({ title: "发布纪要", body: "各方已确认。发布后纪要冻结、对外公开，写明责任方和期限的决定成为督办事项；此后只能以更正的新版本修改。", yes: "发布" })) && act(() => api.post(`/minutes/${enc(v.id)}/publish`, {}))}>发布纪要</button>`}
        ${v.status !== "draft" && html`<button class="secondary" onClick=${() => act(() => printMinutes(v.id))}>打印纪要（A4）</button>`}
      </div>
      ${v.status === "confirming" && mine.length > 0 && html`<div class="answer">
        <${Field} id="answer-comment" label="更正意见（要求更正时填写）"><textarea id="answer-comment" value=${comment} onInput=${(e) => setComment(e.target.value)} maxlength="2000"></textarea><//>
        ${mine.map((p) => html`<div class="actions">
          <button data-confirm=${p.id} onClick=${() => act(() => api.post(`/minutes/${enc(v.id)}/answers`, { party_id: p.id, correction: false }))}>以「${p.name}」确认</button>
          <button class="secondary" onClick=${() => act(() => api.post(`/minutes/${enc(v.id)}/answers`, { party_id: p.id, correction: true, comment }))}>要求更正</button>
        </div>`)}
      </div>`}
    </section>`;
}

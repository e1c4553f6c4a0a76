// The problem ledger (问题台账): an owner reports with photos and follows the item to done, then
// confirms and rates the handling; the community dispatches; the assignee accepts, notes
// progress and reports it done.

import { useEffect, useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Field, Loaded, dateTime, fieldError, html, label, useLoad, useTitle, navigate } from "app/ui";
import { Photo, PhotoPicker, upload } from "app/photos";

const enc = encodeURIComponent;

export const CATEGORIES = {
  fees: "物业收费", parking: "停车", sanitation: "环境卫生", repairs: "维修", security: "安全",
  greening: "绿化", neighbours: "邻里纠纷", elevator: "电梯", utilities: "水电气暖", other: "其他",
};
export const STATUS = { reported: "已上报", dispatched: "已派单", in_progress: "处理中", resolved: "已办结待确认", confirmed: "已确认" };
const STEPS = { report: "上报", dispatch: "派单", accept: "接单", decline: "退单", progress: "进展", done: "办结", confirm: "确认", reopen: "重新办理" };
const ASSIGNEE = { company: "物业企业", department: "职能部门", party_member: "党员", volunteer_team: "志愿服务队" };

async function loadEstates() {
  const units = [];
  for (const id of api.scopes("owner")) {
    for (const o of (await api.get(`/owners/${enc(id)}/ownerships`)).items) units.push(o.unit);
  }
  return [...new Map(units.map((u) => [u.estate_id, u.estate_name])).entries()];
}

export function ReportPage() {
  useTitle("报事");
  const [estates, error] = useLoad(loadEstates, []);
  const [failed, setFailed] = useState(null);
  const [busy, setBusy] = useState(false);
  const [photos, setPhotos] = useState([]);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setBusy(true);
    setFailed(null);
    try {
      const attachment_ids = await upload(photos);
      const item = await api.post(`/estates/${enc(f.get("estate"))}/ledger-items`, {
        category: f.get("category"),
        title: f.get("title"),
        description: f.get("description"),
        attachment_ids,
        show_reporter_to_company: f.get("show") === "on",
      });
      navigate(`/web/ledger/${enc(item.id)}`);
    } catch (err) {
      setFailed(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main id="main" tabindex="-1" class="page narrow">
    <p><a href="/web/owner">← 我的小区</a></p>
    <h1>报事</h1>
    <${Loaded} data=${estates} error=${error}>${(list) => html`
      <form class="card" onSubmit=${submit}>
        <${Field} id="estate" label="小区"><select id="estate" name="estate">${list.map(([id, name]) => html`<option value=${id}>${name}</option>`)}</select><//>
        <${Field} id="category" label="类别"><select id="category" name="category">${Object.entries(CATEGORIES).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select><//>
        <${Field} id="title" label="标题"><input id="title" name="title" required maxlength="200" /><//>
        <${Field} id="description" label="情况说明"><textarea id="description" name="description" required maxlength="5000"></textarea><//>
        <${PhotoPicker} id="photos" label="照片（可多张）" files=${photos} setFiles=${setPhotos} />
        <label class="choice"><input type="checkbox" name="show" />允许向物业企业显示我的姓名</label>
        <div class="actions"><button type="submit" disabled=${busy}>${busy ? "正在提交……" : "提交"}</button></div>
        <${Alert} error=${failed} />
      </form>`}<//>
  </main>`;
}

export function LedgerItemPage({ id }) {
  const [data, error, reload] = useLoad(() => api.get(`/ledger-items/${enc(id)}`), [id]);
  useTitle(data ? data.item.title : "报事");
  return html`<main id="main" tabindex="-1" class="page narrow">
    <${Loaded} data=${data} error=${error}>${(d) => html`<${Item} ...${d} reload=${reload} />`}<//>
  </main>`;
}

function Item({ item: it, steps, reload }) {
  const session = api.currentSession();
  const mine = session && steps.some((s) => s.step === "report" && s.actor_id === session.id);
  const assignee = session && it.assignee_id && session.roles.some((r) => r.scope === it.assignee_id);
  const dispatcher = api.hasRole("party_org") || api.hasRole("admin");
  return html`
    <h1>${it.title}</h1>
    <p><span class="badge" data-status=${it.status}>${STATUS[it.status] || label("", it.status)}</span>
      ${it.overdue ? html` <span class="badge bad">已逾期</span>` : ""}
      <span class="small muted"> ${CATEGORIES[it.category] || label("", it.category)} · ${dateTime(it.created_at)}</span></p>
    <section class="card"><p>${it.description}</p>
      ${it.assignee_name && html`<p class="small">办理方：${ASSIGNEE[it.assignee_kind] || ""} ${it.assignee_name}</p>`}
      ${it.done_due_at && html`<p class="small">办结期限 ${dateTime(it.done_due_at)}</p>`}
      ${it.status === "resolved" && it.confirm_by && html`<p class="small">请在 ${dateTime(it.confirm_by)} 前确认或要求重新办理，逾期视为确认。</p>`}
      ${it.rating && html`<p>评价：${"★".repeat(it.rating)}${"☆".repeat(5 - it.rating)}</p>`}
    </section>
    <section class="card" aria-labelledby="steps-h"><h2 id="steps-h">办理过程</h2>
      <ol class="steps">${steps.map((s) => html`<li>
        <strong>${STEPS[s.step] || label("", s.step)}</strong> <span class="small muted">${dateTime(s.at)}</span>
        ${s.step === "dispatch" && s.assignee_kind && html`<div class="small">派给：${ASSIGNEE[s.assignee_kind] || label("AssigneeKind", s.assignee_kind)}${s.assignee_name ? ` ${s.assignee_name}` : ""}</div>`}
        ${s.note && html`<div>${s.note}</div>`}
        ${s.rating && html`<div>评价 ${s.rating} 星</div>`}
        ${(s.attachment_ids || []).length > 0 && html`<div class="photos">${s.attachment_ids.map((a) => html`<${Photo} id=${a} />`)}</div>`}
      </li>`)}</ol>
    </section>
    ${mine && it.status === "resolved" && html`<${ConfirmForm} item=${it} done=${reload} />`}
    ${mine && it.status === "resolved" && html`<${ReopenForm} item=${it} done=${reload} />`}
    ${assignee && html`<${AssigneeActions} item=${it} done=${reload} />`}
    ${dispatcher && (it.status === "reported" || it.status === "dispatched") && html`<${DispatchForm} item=${it} done=${reload} />`}`;
}

function ConfirmForm({ item, done }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api.post(`/ledger-items/${enc(item.id)}/confirm`, { rating: Number(f.get("rating")), comment: f.get("comment") || undefined });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="confirm-h"><h2 id="confirm-h">确认办结并评价</h2>
    <${Alert} error=${error} />
    <form onSubmit=${submit}>
      <fieldset><legend>对处理结果的评价</legend>
        ${[5, 4, 3, 2, 1].map((n) => html`<label class="choice"><input type="radio" name="rating" value=${n} required />${"★".repeat(n)} ${["", "很不满意", "不满意", "一般", "满意", "很满意"][n]}</label>`)}
      </fieldset>
      <${Field} id="comment" label="意见（可选）"><textarea id="comment" name="comment" maxlength="2000"></textarea><//>
      <div class="actions"><button type="submit">确认</button></div>
    </form>
  </section>`;
}

function AssigneeActions({ item, done }) {
  const [error, setError] = useState(null);
  const [files, setFiles] = useState([]);
  const act = async (path, body) => {
    setError(null);
    try {
      await api.post(`/ledger-items/${enc(item.id)}/${path}`, body);
      done();
    } catch (err) {
      setError(err);
    }
  };
  const note = async (e, path) => {
    e.preventDefault();
    const form = e.target.form || e.target;
    const f = new FormData(form);
    try {
      const attachment_ids = await upload(files);
      await act(path, attachment_ids.length ? { note: f.get("note"), attachment_ids } : { note: f.get("note") });
      setFiles([]);
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="work-h"><h2 id="work-h">办理</h2>
    <${Alert} error=${error} />
    ${item.status === "dispatched" && html`<div class="actions"><button onClick=${() => act("accept", {})}>接单</button></div>`}
    ${item.status === "in_progress" && html`<form onSubmit=${(e) => note(e, "done")}>
      <${Field} id="note" label="处理说明"><textarea id="note" name="note" required maxlength="2000"></textarea><//>
      <${PhotoPicker} id="files" label="照片（办结须附处理后的照片）" files=${files} setFiles=${setFiles} accept="image/*,application/pdf" />
      <div class="actions">
        <button type="button" class="secondary" onClick=${(e) => note(e, "progress")}>记录进展</button>
        <button type="submit">办结</button>
      </div>
    </form>`}
  </section>`;
}

/** Who can take an item, by name: the estate's companies under contract, the community's
 * volunteer teams and party members (owners of the estate), and the county's departments. */
async function loadTakers(item) {
  const estate = await api.get(`/estates/${enc(item.estate_id)}`);
  const [contracts, teams, members] = await Promise.all([
    api.get(`/estates/${enc(item.estate_id)}/contracts`),
    api.get(`/orgs/${enc(estate.community_id)}/volunteer-teams`).catch(() => ({ items: [] })),
    api.get(`/estates/${enc(item.estate_id)}/owners?party_member=true&limit=200`).catch(() => ({ items: [] })),
  ]);
  const current = contracts.items.filter((c) => c.current);
  const companies = await Promise.all(current.map((c) => api.get(`/companies/${enc(c.company_id)}`).catch(() => null)));
  const departments = await api.get(`/orgs?within=${enc(estate.county_id || "")}&kind=department&limit=200`).catch(() => ({ items: [] }));
  return {
    company: companies.filter(Boolean).map((c) => [c.id, c.name]),
    volunteer_team: teams.items.map((t) => [t.id, `${t.name}（${t.member_owner_ids.length} 人）`]),
    party_member: members.items.map((o) => [o.id, `${o.name}${o.party_post ? `（${label("PartyPost", o.party_post)}）` : ""}`]),
    department: (departments.items || []).filter((o) => o.kind === "department").map((o) => [o.id, o.name]),
  };
}

function DispatchForm({ item, done }) {
  const [error, setError] = useState(null);
  const [takers, takersError] = useLoad(() => loadTakers(item), [item.id]);
  const [kind, setKind] = useState("company");
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    try {
      await api.post(`/ledger-items/${enc(item.id)}/dispatch`, { assignee_kind: kind, assignee_id: f.get("assignee"), note: f.get("note") || undefined });
      done();
    } catch (err) {
      setError(err);
    }
  };
  const choices = (takers && takers[kind]) || [];
  return html`<section class="card" aria-labelledby="dispatch-h"><h2 id="dispatch-h">派单</h2>
    <${Alert} error=${takersError} />
    <form onSubmit=${submit}>
      <${Field} id="kind" label="办理方类型"><select id="kind" name="kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>${Object.entries(ASSIGNEE).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select><//>
      <${Field} id="assignee" label="办理方" error=${fieldError(error, "assignee_id")}>
        ${choices.length === 0
          ? html`<p class="muted small" id="assignee">${takers ? "没有可选的办理方。物业企业须有在约合同；志愿服务队和党员由社区登记。" : "正在加载……"}</p>`
          : html`<select id="assignee" name="assignee" required>${choices.map(([id, name]) => html`<option value=${id}>${name}</option>`)}</select>`}
      <//>
      <${Field} id="dnote" label="说明（可选）"><input id="dnote" name="note" maxlength="2000" /><//>
      <div class="actions"><button type="submit" disabled=${choices.length === 0}>派单</button></div>
      <${Alert} error=${error} />
    </form>
  </section>`;
}

/** The reporter says it is not fixed: back to the same taker, with why and photos. */
function ReopenForm({ item, done }) {
  const [error, setError] = useState(null);
  const [files, setFiles] = useState([]);
  const submit = async (e) => {
    e.preventDefault();
    const reason = new FormData(e.target).get("reason");
    setError(null);
    try {
      const attachment_ids = await upload(files);
      await api.post(`/ledger-items/${enc(item.id)}/reopen`, { reason, attachment_ids });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="reopen-h"><h2 id="reopen-h">没修好，重新办理</h2>
    <p class="small muted">问题没有解决时，请说明情况并附照片，事项将退回原办理方重新办理。</p>
    <form onSubmit=${submit}>
      <${Field} id="reopen-reason" label="还存在什么问题" error=${fieldError(error, "reason")}><textarea id="reopen-reason" name="reason" required maxlength="2000"></textarea><//>
      <${PhotoPicker} id="reopen-photos" label="照片（可选）" files=${files} setFiles=${setFiles} />
      <div class="actions"><button type="submit" class="secondary">要求重新办理</button></div>
      <${Alert} error=${error} />
    </form>
  </section>`;
}

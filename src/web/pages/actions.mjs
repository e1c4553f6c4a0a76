// Action items (督办事项) decided at meetings: a board with the overdue ones first, filtered by
// status and responsible party; the responsible party notes progress and reports done with
// evidence; the convenor accepts the work or sends it back with a comment.

import { useEffect, useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Empty, Field, confirmAct, date, dateTime, html, label, useSorted } from "app/ui";
import { Photo, PhotoPicker, upload } from "app/photos";

const enc = encodeURIComponent;
const STEP = {
  "action.progress": "进展", "action.done": "报告完成", "action.accept": "验收通过", "action.send_back": "退回重办",
};

/** Whether the signed-in person speaks for the item's responsible party (the API decides). */
function responsible(a) {
  const s = api.currentSession();
  if (!s) return false;
  const has = (role, scope) => s.roles.some((r) => r.role === role && (scope === undefined || r.scope === scope));
  switch (a.responsible_kind) {
    case "company": return has("company", a.responsible_org_id);
    case "department": return has("department", a.responsible_org_id);
    case "committee": return has("committee", a.estate_id);
    case "party_org": return has("party_org");
    default: return false;
  }
}

const convenor = () => api.hasRole("party_org") || api.hasRole("admin");

/** The board of one source: `/estates/{id}/action-items`, `/orgs/{id}/action-items` or
 * `/action-items/mine`. */
export function ActionBoard({ source, title = "督办事项" }) {
  const [status, setStatus] = useState("");
  const [party, setParty] = useState("");
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [n, setN] = useState(0);
  const [open, setOpen] = useState(null);
  const query = (cursor) => `${source}?limit=50${status ? `&status=${status}` : ""}${cursor ? `&cursor=${enc(cursor)}` : ""}`;
  useEffect(() => {
    let live = true;
    setError(null);
    api.get(query(null)).then(
      (p) => live && (setItems(p.items), setNext(p.next_cursor || null)),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [source, status, n]);
  const more = async () => {
    try {
      const p = await api.get(query(next));
      setItems((x) => [...x, ...p.items]);
      setNext(p.next_cursor || null);
    } catch (e) {
      setError(e);
    }
  };
  const parties = items ? [...new Map(items.map((a) => [a.responsible_name, a.responsible_kind])).entries()] : [];
  const [shown, Th] = useSorted((items || []).filter((a) => !party || a.responsible_name === party));
  const changed = (updated) => {
    setItems((x) => x.map((a) => (a.id === updated.id ? updated : a)));
  };
  return html`<section class="card action-board" aria-labelledby="actions-h">
    <h2 id="actions-h">${title}</h2>
    <div class="filters">
      <${Field} id="ab-status" label="状态">
        <select id="ab-status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
          <option value="">全部</option>
          ${["open", "reported", "done"].map((s) => html`<option value=${s}>${label("ActionStatus", s)}</option>`)}
        </select>
      <//>
      <${Field} id="ab-party" label="责任方">
        <select id="ab-party" value=${party} onChange=${(e) => setParty(e.target.value)}>
          <option value="">全部</option>
          ${parties.map(([name, kind]) => html`<option value=${name}>${name}（${label("PartyKind", kind)}）</option>`)}
        </select>
      <//>
    </div>
    <${Alert} error=${error} />
    ${items && shown.length === 0 && html`<${Empty}>没有符合条件的督办事项。会议纪要发布后，写明责任方和期限的决定会出现在这里。<//>`}
    ${shown.length > 0 && html`<div class="table-wrap"><table>
      <thead><tr><${Th} k="title">事项<//><${Th} k="responsible_name">责任方<//><${Th} k="due_on">期限<//><${Th} k="status">状态<//><th scope="col">操作</th></tr></thead>
      <tbody>${shown.map((a) => html`<tr class=${a.overdue ? "overdue" : ""} data-action=${a.id}>
        <td>${a.title}<div class="small muted"><a href=${`/web/meetings/${enc(a.meeting_id)}`}>${a.meeting_title}</a></div></td>
        <td>${a.responsible_name}</td>
        <td>${date(a.due_on)}</td>
        <td>${label("ActionStatus", a.status)}${a.overdue ? html` <span class="badge bad">已逾期</span>` : ""}</td>
        <td><button type="button" class="secondary small-button" aria-expanded=${open === a.id} onClick=${() => setOpen(open === a.id ? null : a.id)}>${open === a.id ? "收起" : "办理/详情"}</button></td>
      </tr>`)}</tbody>
    </table></div>`}
    ${shown.filter((a) => a.id === open).map((a) => html`<${ActionDetail} item=${a} changed=${changed} />`)}
    ${next && html`<div class="actions"><button type="button" class="secondary" onClick=${more}>加载更多</button></div>`}
  </section>`;
}

function ActionDetail({ item: a, changed }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [files, setFiles] = useState([]);
  const [busy, setBusy] = useState(false);
  const send = async (path, body) => {
    setError(null);
    setOk(null);
    setBusy(true);
    try {
      const updated = await api.post(`/action-items/${enc(a.id)}/${path}`, body);
      setFiles([]);
      changed(updated);
      return updated;
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setBusy(false);
    }
  };
  const work = async (e, path) => {
    e.preventDefault();
    const form = e.target.form || e.target;
    const note = new FormData(form).get("note");
    if (path === "done") {
      const sure = await confirmAct({ title: "报告完成", body: `报告“${a.title}”已完成，交召集方验收。${files.length ? `附 ${files.length} 份佐证材料。` : "未附佐证材料，验收时可能被退回。"}`, yes: "报告完成" });
      if (!sure) return;
    }
    try {
      const attachment_ids = await upload(files);
      if (await send(path, { note, attachment_ids })) {
        form.reset();
        setOk(path === "done" ? "已报告完成，等待验收。" : "已记录进展。");
      }
    } catch (err) {
      setError(err);
    }
  };
  const review = async (e, accept) => {
    e.preventDefault();
    const comment = new FormData(e.target.form).get("comment");
    if (accept) {
      const sure = await confirmAct({ title: "验收通过", body: `确认“${a.title}”已办结。办结后不再接受进展。`, yes: "验收通过" });
      if (!sure) return;
    }
    if (await send("review", comment ? { accept, comment } : { accept })) setOk(accept ? "已验收通过。" : "已退回重办。");
  };
  return html`<div class="card inner" aria-label=${`督办事项：${a.title}`}>
    <h3>${a.title}</h3>
    <p class="small muted">责任方：${a.responsible_name} · 期限 ${date(a.due_on)} · ${label("ActionStatus", a.status)}</p>
    ${a.steps.length === 0 ? html`<p class="small muted">尚无办理记录。</p>` : html`<ol class="steps">${a.steps.map((s) => html`<li>
      <strong>${STEP[s.step] || "办理"}</strong> <span class="small muted">${dateTime(s.at)}</span>
      ${s.note && html`<div>${s.note}</div>`}
      ${s.attachment_ids.length > 0 && html`<div class="photos">${s.attachment_ids.map((id) => html`<${Photo} id=${id} />`)}</div>`}
    </li>`)}</ol>`}
    ${a.status === "open" && responsible(a) && html`<form onSubmit=${(e) => work(e, "done")}>
      <${Field} id=${`an-${a.id}`} label="办理情况"><textarea id=${`an-${a.id}`} name="note" required maxlength="2000"></textarea><//>
      <${PhotoPicker} id=${`af-${a.id}`} label="佐证材料（照片或 PDF，最多 9 份）" files=${files} setFiles=${setFiles} accept="image/*,application/pdf" />
      <div class="actions">
        <button type="button" class="secondary" disabled=${busy} onClick=${(e) => work(e, "progress")}>记录进展</button>
        <button type="submit" disabled=${busy}>报告完成</button>
      </div>
    </form>`}
    ${a.status === "reported" && convenor() && html`<form onSubmit=${(e) => e.preventDefault()}>
      <${Field} id=${`ar-${a.id}`} label="验收意见（退回时必填）"><textarea id=${`ar-${a.id}`} name="comment" maxlength="2000"></textarea><//>
      <div class="actions">
        <button type="button" disabled=${busy} onClick=${(e) => review(e, true)}>验收通过</button>
        <button type="button" class="secondary" disabled=${busy} onClick=${(e) => review(e, false)}>退回重办</button>
      </div>
    </form>`}
    <${Alert} error=${error} ok=${ok} />
  </div>`;
}

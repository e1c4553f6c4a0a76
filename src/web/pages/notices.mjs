// Notices (通知): everyone's inbox, newest first, with the unread ones marked; an owner's choice
// about text messages; an office's work-group robot; the bureau's cap on texts and the texts
// that failed; and the proof of a statutory notice owner by owner, with paper notices.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Crumbs, Empty, Field, Loaded, confirmAct, dateTime, html, label, useLoad, useTitle } from "app/ui";
import { PhotoPicker, upload } from "app/photos";

const enc = encodeURIComponent;

const KIND = {
  vote_announced: "表决公告", vote_opened: "表决开始", vote_closing: "表决即将结束", vote_closed: "表决结束",
  candidate_list: "候选人名单公示", objection_answered: "异议答复", minutes_published: "会议纪要",
  survey_opened: "满意度测评", ledger_step: "报事进展", action_due: "督办到期", rating_published: "星级评定",
  appeal_decided: "申诉结果", statement_published: "账目公示", question_answered: "账目询问答复", deadline_overdue: "事项逾期",
};

const TEXT_STATUS = { pending: "待发送", accepted: "已提交", delivered: "已送达", failed: "发送失败", not_sent: "未发送" };
const NOT_SENT = { no_mobile: "无手机号", opted_out: "已退订", already_texted: "当日已发送", cap_reached: "超出当日上限" };

/** What the provider answered, in words (its request id is in the export and the tooltip). */
function receipt(code) {
  return { OK: "服务商已受理", DELIVERED: "已送达手机" }[code] || `服务商代码 ${code}`;
}

/** The number of unread notices, for the header's and the tab bar's badge. */
export async function unreadCount() {
  return (await api.get("/me/notices/unread")).unread;
}

async function loadInbox(cursor, unreadOnly) {
  const q = new URLSearchParams({ limit: "30" });
  if (cursor) q.set("cursor", cursor);
  if (unreadOnly) q.set("unread", "true");
  return api.get(`/me/notices?${q}`);
}

export function NoticesPage({ session }) {
  useTitle("我的通知");
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [data, error, reload] = useLoad(() => loadInbox(null, unreadOnly), [unreadOnly]);
  const [more, setMore] = useState([]);
  const [next, setNext] = useState(undefined);
  const [err, setErr] = useState(null);
  const items = data ? [...data.items, ...more] : [];
  const cursor = next === undefined ? data && data.next_cursor : next;
  const loadMore = async () => {
    try {
      const page = await loadInbox(cursor, unreadOnly);
      setMore([...more, ...page.items]);
      setNext(page.next_cursor || null);
    } catch (e) {
      setErr(e);
    }
  };
  const open = async (n) => {
    try {
      if (!n.read_at) await api.post(`/me/notices/${enc(n.id)}/read`, {});
    } catch (e) {
      // Reading it matters more than the mark.
    }
    window.dispatchEvent(new Event("notices-read"));
  };
  const readAll = async () => {
    setErr(null);
    try {
      await api.post("/me/notices/read-all", {});
      setMore([]);
      setNext(undefined);
      window.dispatchEvent(new Event("notices-read"));
      reload();
    } catch (e) {
      setErr(e);
    }
  };
  const owner = api.hasRole("owner");
  const official = ["committee", "party_org", "bureau", "department"].some((r) => api.hasRole(r));
  return html`<main id="main" tabindex="-1" class="page narrow">
    <h1>我的通知</h1>
    <${Alert} error=${err} />
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <section class="card" aria-labelledby="inbox-h">
        <h2 id="inbox-h">通知 ${d.unread > 0 && html`<span class="badge" data-unread>${d.unread} 条未读</span>`}</h2>
        <div class="actions">
          <label class="inline"><input type="checkbox" checked=${unreadOnly} onChange=${(e) => { setMore([]); setNext(undefined); setUnreadOnly(e.target.checked); }} /> 只看未读</label>
          ${d.unread > 0 && html`<button class="secondary" onClick=${readAll}>全部标为已读</button>`}
        </div>
        ${items.length === 0 && html`<${Empty}>暂无通知。</${Empty}>`}
        <ul class="plain notices">
          ${items.map((n) => html`<li data-notice class=${n.read_at ? "read" : "unread"}>
            <a href=${n.link} onClick=${() => open(n)}><strong>${n.title}</strong></a>
            ${!n.read_at && html` <span class="badge open">未读</span>`}
            ${n.statutory && html` <span class="badge">法定通知</span>`}
            <div>${n.body}</div>
            <div class="small muted">${KIND[n.kind] || label("notice_kind", n.kind)} · ${dateTime(n.sent_at)}</div>
          </li>`)}
        </ul>
        ${cursor && html`<div class="actions"><button class="secondary" onClick=${loadMore}>加载更多</button></div>`}
      </section>`}<//>
    ${owner && html`<${TextChoice} />`}
    ${official && html`<${WorkGroups} />`}
    ${api.hasRole("bureau") && html`<${CountyTexts} />`}
  </main>`;
}

/** An owner's choice about text messages of non-statutory notices. */
function TextChoice() {
  const [data, error, reload] = useLoad(() => api.get("/me/notice-preferences"), []);
  const [err, setErr] = useState(null);
  const [ok, setOk] = useState(null);
  const toggle = async (out) => {
    setErr(null);
    setOk(null);
    try {
      await api.put("/me/notice-preferences", { texts_opted_out: out });
      setOk(out ? "已退订非法定通知的短信。" : "已恢复短信通知。");
      reload();
    } catch (e) {
      setErr(e);
    }
  };
  return html`<section class="card" aria-labelledby="sms-h">
    <h2 id="sms-h">短信通知</h2>
    <${Loaded} data=${data} error=${error}>${(p) => html`
      <p class="small">${p.mobile_on_record ? "登记的手机号会收到通知短信。" : "您没有登记手机号，通知只在本页显示。如需短信，请联系社区登记手机号。"}</p>
      <p class="small muted">表决公告、候选人名单公示属于法定通知，无论是否退订都会发送短信；晚 9 点至早 8 点不发短信（当日截止的事项除外）。</p>
      <label class="inline"><input id="sms-out" type="checkbox" checked=${p.texts_opted_out} onChange=${(e) => toggle(e.target.checked)} /> 退订其他通知的短信</label>
    `}<//>
    <${Alert} error=${err} ok=${ok} />
  </section>`;
}

/** The work-group robots of the offices the person works for. */
function WorkGroups() {
  const offices = [
    ...api.scopes("committee").map((id) => ({ path: `/estates/${enc(id)}/work-group`, name: "业委会/物管会工作群" })),
    ...api.scopes("party_org").map((id) => ({ path: `/orgs/${enc(id)}/work-group`, name: "党组织工作群" })),
    ...api.scopes("bureau").map((id) => ({ path: `/orgs/${enc(id)}/work-group`, name: "住建局工作群" })),
  ];
  if (offices.length === 0) return null;
  return html`<section class="card" aria-labelledby="groups-h">
    <h2 id="groups-h">工作群机器人</h2>
    <p class="small muted">连接企业微信或钉钉群机器人后，发给本单位的通知会同时推送到群里。</p>
    ${offices.map((o, i) => html`<${WorkGroup} office=${o} n=${i} />`)}
  </section>`;
}

function WorkGroup({ office, n }) {
  const [data, , reload] = useLoad(() => api.get(office.path).catch((e) => (e.status === 404 ? null : Promise.reject(e))), [office.path]);
  const [kind, setKind] = useState("wecom");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [err, setErr] = useState(null);
  const [ok, setOk] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    setErr(null);
    setOk(null);
    try {
      await api.put(office.path, { kind, url: url.trim(), ...(kind === "dingtalk" && secret.trim() ? { secret: secret.trim() } : {}) });
      setOk("已连接。");
      setUrl("");
      setSecret("");
      reload();
    } catch (e2) {
      setErr(e2);
    }
  };
  const remove = async () => {
    if (!(await confirmAct({ title: "断开工作群", body: `断开${office.name}后，通知不再推送到该群。`, yes: "断开" }))) return;
    try {
      await api.call("DELETE", office.path);
      reload();
    } catch (e2) {
      setErr(e2);
    }
  };
  return html`<div class="work-group">
    <h3>${office.name}</h3>
    ${data
      ? html`<p class="small">${label("work_group_kind", data.kind)} · <span class="mono">${data.url}</span>${data.signed ? " · 已加签" : ""} · 更新于 ${dateTime(data.updated_at)}
          <button class="link" onClick=${remove}>断开</button></p>`
      : html`<p class="small muted">未连接。</p>`}
    <form onSubmit=${save}>
      <${Field} id=${`wg-kind-${n}`} label="机器人类型">
        <select id=${`wg-kind-${n}`} value=${kind} onChange=${(e) => setKind(e.target.value)}>
          <option value="wecom">企业微信群机器人</option>
          <option value="dingtalk">钉钉群机器人（加签）</option>
        </select>
      <//>
      <${Field} id=${`wg-url-${n}`} label="Webhook 地址" hint="在群设置中添加机器人后复制">
        <input id=${`wg-url-${n}`} value=${url} onInput=${(e) => setUrl(e.target.value)} required />
      <//>
      ${kind === "dingtalk" && html`<${Field} id=${`wg-sec-${n}`} label="加签密钥（SEC 开头）">
        <input id=${`wg-sec-${n}`} value=${secret} onInput=${(e) => setSecret(e.target.value)} />
      <//>`}
      <button type="submit">${data ? "更换" : "连接"}</button>
    </form>
    <${Alert} error=${err} ok=${ok} />
  </div>`;
}

/** The bureau: the county's daily cap on texts, today's count, and the texts that failed. */
function CountyTexts() {
  const county = api.scopes("bureau")[0];
  const [data, error, reload] = useLoad(async () => ({
    settings: await api.get(`/orgs/${enc(county)}/notice-settings`),
    failed: (await api.get(`/orgs/${enc(county)}/notice-deliveries?limit=50`)).items,
  }), [county]);
  const [cap, setCap] = useState("");
  const [err, setErr] = useState(null);
  const [ok, setOk] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    setErr(null);
    setOk(null);
    try {
      await api.put(`/orgs/${enc(county)}/notice-settings`, cap.trim() === "" ? {} : { daily_text_cap: Number(cap) });
      setOk("已保存。");
      reload();
    } catch (e2) {
      setErr(e2);
    }
  };
  const retry = async (d) => {
    setErr(null);
    try {
      await api.post(`/notice-deliveries/${enc(d.id)}/retry`, {});
      setOk("已重新发送。");
      reload();
    } catch (e2) {
      setErr(e2);
    }
  };
  const transports = { off: "未开通短信", log: "开发环境（仅记录）", aliyun: "阿里云短信" };
  return html`<section class="card" aria-labelledby="texts-h">
    <h2 id="texts-h">短信用量</h2>
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <p>今日已发送 <strong data-texts-today>${d.settings.texts_today}</strong> 条${d.settings.daily_text_cap != null ? ` / 上限 ${d.settings.daily_text_cap} 条` : "（不设上限）"} · ${transports[d.settings.transport] || d.settings.transport}</p>
      <form onSubmit=${save}>
        <${Field} id="cap" label="每日短信上限（条）" hint="留空为不设上限；超出的短信不发送，可在下方重新发送">
          <input id="cap" type="number" min="0" max="10000000" value=${cap} placeholder=${d.settings.daily_text_cap != null ? String(d.settings.daily_text_cap) : "不设上限"} onInput=${(e) => setCap(e.target.value)} />
        <//>
        <button type="submit">保存</button>
      </form>
      <h3>发送失败或未发送</h3>
      ${d.failed.length === 0 ? html`<${Empty}>没有。</${Empty}>` : html`<div class="scroll" tabindex="0" role="region" aria-label="发送失败或未发送的通知"><table>
        <thead><tr><th>通知</th><th>渠道</th><th>状态</th><th>原因</th><th>时间</th><th></th></tr></thead>
        <tbody>${d.failed.map((x) => html`<tr>
          <td>${x.notice_title}</td><td>${label("notice_channel", x.channel)}</td><td>${TEXT_STATUS[x.status]}</td>
          <td>${x.not_sent_reason ? NOT_SENT[x.not_sent_reason] : x.error || ""}</td><td>${dateTime(x.created_at)}</td>
          <td><button class="link" onClick=${() => retry(x)}>重新发送</button></td>
        </tr>`)}</tbody></table></div>`}
    `}<//>
    <${Alert} error=${err} ok=${ok} />
  </section>`;
}

/** The totals of a statutory notice, as the vote's pages show them (no names). */
export function NoticeTotals({ totals: t, proof = false }) {
  if (!t) return null;
  return html`<p class="small" data-notice-totals>
    通知：${t.complete ? "" : "发送中，"}已送达 ${t.owners} 户业主的页面；短信已提交 ${t.texted} 条${t.delivered ? `（已送达 ${t.delivered}）` : ""}${t.failed ? `，失败 ${t.failed}` : ""}${t.pending ? `，待发送 ${t.pending}` : ""}${t.without_mobile ? `；${t.without_mobile} 户无手机号` : ""}${t.paper_notices ? `；纸质公告 ${t.paper_notices} 处` : ""}。
    ${proof && html` <a href=${`/web/notices/${enc(t.notice_id)}/proof`}>逐户送达记录</a>`}
  </p>`;
}

/** The proof of a notice, owner by owner, with its export and the paper notices posted. */
export function ProofPage({ id }) {
  const [data, error, reload] = useLoad(() => api.get(`/notices/${enc(id)}/proof?limit=200`), [id]);
  const [more, setMore] = useState([]);
  const [next, setNext] = useState(undefined);
  useTitle(data ? `送达记录：${data.title}` : "送达记录");
  const items = data ? [...data.items, ...more] : [];
  const cursor = next === undefined ? data && data.next_cursor : next;
  const loadMore = async () => {
    const page = await api.get(`/notices/${enc(id)}/proof?limit=200&cursor=${enc(cursor)}`);
    setMore([...more, ...page.items]);
    setNext(page.next_cursor || null);
  };
  const download = async () => {
    const b = await api.blob(`/notices/${enc(id)}/proof/export`);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(b);
    a.download = `送达记录-${id}.xlsx`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return html`<main id="main" tabindex="-1" class="page">
    <${Crumbs} trail=${[["/web/notices", "通知"], "送达记录"]} />
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <h1>送达记录：${d.title}</h1>
      <p>${d.body}</p>
      <${NoticeTotals} totals=${d.totals} />
      <div class="actions"><button class="secondary" onClick=${download}>导出 Excel</button></div>
      <section class="card" aria-labelledby="paper-h">
        <h2 id="paper-h">纸质公告</h2>
        ${d.paper.length === 0 && html`<p class="muted small">尚未登记张贴的纸质公告。</p>`}
        <ul class="plain">${d.paper.map((p) => html`<li>${p.place} · ${dateTime(p.recorded_at)} · 照片 ${p.photo_ids.length} 张</li>`)}</ul>
        <${PaperForm} id=${id} done=${reload} />
      </section>
      <div class="scroll" tabindex="0" role="region" aria-label="逐户送达记录"><table data-proof>
        <thead><tr><th>业主</th><th>页面送达</th><th>短信</th><th>服务商回执</th><th>提交时间</th></tr></thead>
        <tbody>${items.map((l) => html`<tr>
          <td>${l.owner_name}</td>
          <td>${dateTime(l.on_page_at)}</td>
          <td>${l.text ? `${TEXT_STATUS[l.text.status]}${l.text.not_sent_reason ? `（${NOT_SENT[l.text.not_sent_reason]}）` : ""}` : "—"}</td>
          <td class="small" title=${l.text && l.text.provider_request_id ? `请求编号 ${l.text.provider_request_id}` : undefined}>${l.text && l.text.provider_code ? receipt(l.text.provider_code) : ""}</td>
          <td>${l.text && l.text.sent_at ? dateTime(l.text.sent_at) : ""}</td>
        </tr>`)}</tbody>
      </table></div>
      ${cursor && html`<div class="actions"><button class="secondary" onClick=${loadMore}>加载更多</button></div>`}
    `}<//>
  </main>`;
}

function PaperForm({ id, done }) {
  const [place, setPlace] = useState("");
  const [files, setFiles] = useState([]);
  const [err, setErr] = useState(null);
  const [ok, setOk] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setErr(null);
    setOk(null);
    try {
      const photo_ids = await upload(files);
      await api.post(`/notices/${enc(id)}/paper`, { place: place.trim(), photo_ids });
      setOk("已登记。");
      setPlace("");
      setFiles([]);
      done();
    } catch (e2) {
      setErr(e2);
    }
  };
  return html`<form onSubmit=${submit}>
    <${Field} id="paper-place" label="张贴位置"><input id="paper-place" value=${place} onInput=${(e) => setPlace(e.target.value)} required maxlength="200" /><//>
    <${PhotoPicker} id="paper-photos" label="张贴照片" files=${files} setFiles=${setFiles} />
    <button type="submit">登记纸质公告</button>
    <${Alert} error=${err} ok=${ok} />
  </form>`;
}

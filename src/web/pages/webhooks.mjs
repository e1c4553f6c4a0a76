// Webhooks (事件推送) of a company or a county: register a receiving address for chosen
// events, see each delivery, replay a failed one, rotate the signing secret, send a test event,
// pause and delete.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, CopyButton, Crumbs, Empty, Field, Loaded, confirmAct, dateTime, fieldError, html, label, useLoad, useTitle } from "app/ui";

const enc = encodeURIComponent;
const EVENTS = [
  "ledger_item.dispatched", "meeting.invitation", "minutes.published", "action_item.due", "vote.opened",
  "vote.closed", "rating.published", "rating_appeal.decided", "contract.changed", "statement.published",
  "statement_question.asked", "statement_question.answered", "fund_use.changed",
];

/** Whose endpoints this person manages: their company, else their county (bureau). */
function owner() {
  const company = api.scopes("company")[0];
  if (company) return { key: "company_id", id: company, home: "/web/company", homeName: "企业工作台" };
  const county = api.scopes("bureau")[0];
  if (county) return { key: "county_id", id: county, home: "/web/dashboard", homeName: "数据看板" };
  return null;
}

export function WebhooksPage() {
  useTitle("事件推送");
  const who = owner();
  const [data, error, reload] = useLoad(() => (who ? api.get(`/webhooks?${who.key}=${enc(who.id)}&limit=100`) : Promise.resolve({ items: [] })), []);
  const [secret, setSecret] = useState(null);
  const [chosen, setChosen] = useState(null);
  if (!who) return html`<main id="main" tabindex="-1" class="page"><h1>事件推送</h1><p>供物业企业和住建局使用。</p></main>`;
  return html`<main id="main" tabindex="-1" class="page">
    <${Crumbs} trail=${[[who.home, who.homeName], "事件推送"]} />
    <h1>事件推送（Webhook）</h1>
    <p class="muted">有派单、会议邀请、表决、评定结果等事件时，系统向您登记的 HTTPS 地址发送签名的通知。接收方用签名密钥核对每条通知。</p>
    ${secret && html`<div class="alert ok" role="status">签名密钥只显示这一次，请立即保存到接收系统：
      <div class="receipt mono">${secret}</div> <${CopyButton} text=${secret} label="复制密钥" /></div>`}
    <${Loaded} data=${data} error=${error}>${(page) => html`
      <section class="card" aria-labelledby="hooks-h">
        <h2 id="hooks-h">接收地址</h2>
        ${page.items.length === 0
          ? html`<${Empty}>还没有接收地址。在下方登记第一个地址，并选择要接收的事件。<//>`
          : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">地址</th><th scope="col">事件</th><th scope="col">状态</th><th scope="col">密钥</th><th scope="col">操作</th></tr></thead>
          <tbody>${page.items.map((h) => html`<${HookRow} hook=${h} open=${chosen === h.id} choose=${() => setChosen(chosen === h.id ? null : h.id)} done=${reload} showSecret=${setSecret} />`)}</tbody>
        </table></div>`}
      </section>
      ${page.items.filter((h) => h.id === chosen).map((h) => html`<${Deliveries} hook=${h} />`)}
      <${Register} who=${who} done=${(s) => (setSecret(s), reload())} />`}<//>
  </main>`;
}

function HookRow({ hook: h, open, choose, done, showSecret }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const act = async (fn, said) => {
    setError(null);
    setOk(null);
    try {
      await fn();
      if (said) setOk(said);
      done();
    } catch (e) {
      setError(e);
    }
  };
  const rotate = async () => {
    const sure = await confirmAct({ title: "更换签名密钥", body: `为 ${h.url} 生成新的签名密钥。旧密钥在 24 小时内仍同时签名，请在此期间把新密钥配置到接收系统。`, yes: "更换密钥" });
    if (!sure) return;
    await act(async () => showSecret((await api.post(`/webhooks/${enc(h.id)}/secret`, {})).secret));
  };
  const remove = async () => {
    const sure = await confirmAct({ title: "删除接收地址", body: `删除 ${h.url}：此后不再向它发送任何事件，尚未送达的通知标记为失败。`, yes: "删除" });
    if (!sure) return;
    await act(() => api.call("DELETE", `/webhooks/${enc(h.id)}`));
  };
  return html`<tr data-hook=${h.id}>
    <td class="mono">${h.url}${h.description ? html`<div class="small muted">${h.description}</div>` : ""}</td>
    <td class="small">${h.event_types.map((t) => label("WebhookEvent", t)).join("、")}</td>
    <td>${h.active ? html`<span class="badge good">接收中</span>` : html`<span class="badge">已暂停</span>`}</td>
    <td class="small">第 ${h.secret_generation} 代${h.previous_secret_valid_until ? html`<div>旧密钥至 ${dateTime(h.previous_secret_valid_until)}</div>` : ""}</td>
    <td><div class="actions">
      <button type="button" class="secondary small-button" onClick=${choose} aria-expanded=${open}>${open ? "收起记录" : "推送记录"}</button>
      ${h.active && html`<button type="button" class="secondary small-button" onClick=${() => act(() => api.post(`/webhooks/${enc(h.id)}/test`, {}), "已发送测试事件，稍后在推送记录中查看结果。")}>发送测试</button>`}
      <button type="button" class="secondary small-button" onClick=${() => act(() => api.patch(`/webhooks/${enc(h.id)}`, { active: !h.active }), h.active ? "已暂停。" : "已恢复。")}>${h.active ? "暂停" : "恢复"}</button>
      <button type="button" class="secondary small-button" onClick=${rotate}>更换密钥</button>
      <button type="button" class="secondary small-button" onClick=${remove}>删除</button>
    </div>
    <${Alert} error=${error} ok=${ok} /></td>
  </tr>`;
}

function Deliveries({ hook }) {
  const [failedOnly, setFailedOnly] = useState(false);
  const [data, error, reload] = useLoad(() => api.get(`/webhooks/${enc(hook.id)}/deliveries?limit=50${failedOnly ? "&status=failed" : ""}`), [hook.id, failedOnly]);
  const [failed, setFailed] = useState(null);
  const replay = async (d) => {
    setFailed(null);
    try {
      await api.post(`/webhooks/${enc(hook.id)}/deliveries/${enc(d.id)}/replay`, {});
      reload();
    } catch (e) {
      setFailed(e);
    }
  };
  return html`<section class="card" aria-labelledby="deliveries-h">
    <h2 id="deliveries-h">推送记录：<span class="mono">${hook.url}</span></h2>
    <div class="actions">
      <label class="choice"><input type="checkbox" checked=${failedOnly} onChange=${(e) => setFailedOnly(e.target.checked)} />只看失败的</label>
      <button type="button" class="secondary small-button" onClick=${reload}>刷新</button>
    </div>
    <${Alert} error=${failed} />
    <${Loaded} data=${data} error=${error}>${(page) => page.items.length === 0
      ? html`<${Empty}>暂无推送。可点击“发送测试”检查接收系统。<//>`
      : html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">事件</th><th scope="col">状态</th><th class="num" scope="col">尝试次数</th><th scope="col">最近尝试</th><th scope="col">结果</th><th scope="col">操作</th></tr></thead>
        <tbody>${page.items.map((d) => html`<tr>
          <td>${label("WebhookEvent", d.event_type)}<div class="small muted">${dateTime(d.created_at)}</div></td>
          <td>${label("WebhookDeliveryStatus", d.status)}</td>
          <td class="num">${d.attempts}</td>
          <td>${dateTime(d.last_attempt_at)}</td>
          <td class="small">${d.last_status_code ? `HTTP ${d.last_status_code}` : ""}${d.last_error ? html`<div class="muted">${d.last_error}</div>` : ""}${d.delivered_at ? `送达 ${dateTime(d.delivered_at)}` : ""}</td>
          <td>${d.status !== "pending" && html`<button type="button" class="secondary small-button" onClick=${() => replay(d)}>重新推送</button>`}</td>
        </tr>`)}</tbody>
      </table></div>`}<//>
  </section>`;
}

function Register({ who, done }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    try {
      const created = await api.post("/webhooks", {
        [who.key]: who.id, url: f.get("url").trim(), event_types: f.getAll("events"), description: f.get("description") || undefined,
      });
      e.target.reset();
      done(created.secret);
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="reg-h">
    <h2 id="reg-h">登记接收地址</h2>
    <form onSubmit=${submit}>
      <${Field} id="wh-url" label="接收地址（HTTPS）" error=${fieldError(error, "url")}><input id="wh-url" name="url" type="url" required maxlength="2000" placeholder="https://example.com/redprop/events" /><//>
      <fieldset><legend>接收哪些事件</legend>
        ${EVENTS.map((t) => html`<label class="choice"><input type="checkbox" name="events" value=${t} />${label("WebhookEvent", t)}</label>`)}
        ${fieldError(error, "event_types") && html`<span class="field-error">${fieldError(error, "event_types")}</span>`}
      </fieldset>
      <${Field} id="wh-desc" label="说明（可选）"><input id="wh-desc" name="description" maxlength="200" placeholder="如：工单系统" /><//>
      <div class="actions"><button type="submit">登记</button></div>
      <${Alert} error=${error} />
    </form>
  </section>`;
}

// Owners' accounts of an estate: who has opened one, and the activation codes (激活码) the
// community or committee hands out on printed slips — for one owner, a building or the whole
// estate — with a QR code of the activation page, listed with their state and expiry, reissued
// and revoked.

import { useEffect, useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Crumbs, Empty, Field, Loaded, confirmAct, date, dateTime, entrance, fieldError, grouped, html, label, useLoad, useTitle } from "app/ui";

const enc = encodeURIComponent;
/** How long a code lasts (the API's ACTIVATION_DAYS), said to the owner on the slip. */
const DAYS = 14;

const unitText = (u) => `${u.building_name} ${entrance(u.entrance)} ${u.number}`.replace(/\s+/g, " ").trim();

/** Where an owner opens the account: the code travels in the fragment, never to the server's log. */
const activationLink = (code) => `${location.origin}/web/activate#code=${code}`;

function Qr({ text }) {
  const [src, setSrc] = useState(null);
  useEffect(() => {
    let live = true;
    import("qrcode").then(({ default: qrcode }) => {
      const qr = qrcode(0, "M");
      qr.addData(text);
      qr.make();
      if (live) setSrc(qr.createDataURL(4, 2));
    });
    return () => {
      live = false;
    };
  }, [text]);
  return src ? html`<img class="qr" src=${src} alt="扫码开通" />` : html`<span class="qr"></span>`;
}

/** The printed slips: one per owner, cut apart and handed over. */
function Slips({ estate, slips }) {
  return html`<section class="card" aria-labelledby="slips-h">
    <h2 id="slips-h">激活码开通单（${slips.length} 份）</h2>
    <div class="alert info no-print" role="status">激活码只在此显示一次，请现在打印或抄录；离开本页后不能再查看，只能重新生成。</div>
    <div class="actions no-print"><button type="button" onClick=${() => window.print()}>打印开通单</button></div>
    <div class="slips">${slips.map((s) => html`<div class="slip" data-owner=${s.owner_id}>
      <div>
        <h3>红色物业 · 业主账号开通单</h3>
        <div class="small">${estate.name}</div>
        <div class="small">${s.units.map(unitText).join("；")}</div>
        <div>业主：${s.owner_name}</div>
        <div class="code mono" aria-label=${`激活码 ${s.code.split("").join(" ")}`}>${grouped(s.code, 5)}</div>
        <div class="small">有效期至 ${date(s.expires_at)}（${DAYS} 天，只能使用一次）</div>
        <div class="small">开通方法：微信或手机浏览器扫描右侧二维码，或打开 ${location.host}/web/activate 输入激活码，设置用户名和密码。</div>
      </div>
      <${Qr} text=${activationLink(s.code)} />
    </div>`)}</div>
  </section>`;
}

async function loadPage(estateId, building, cursor) {
  const q = `limit=100${building ? `&building_id=${enc(building)}` : ""}${cursor ? `&cursor=${enc(cursor)}` : ""}`;
  return api.get(`/estates/${enc(estateId)}/activation-codes?${q}`);
}

export function ActivationCodes({ id }) {
  const [estate, estateError] = useLoad(async () => ({
    estate: await api.get(`/estates/${enc(id)}`),
    buildings: (await api.get(`/estates/${enc(id)}/buildings`)).items,
  }), [id]);
  const [building, setBuilding] = useState("");
  const [rows, setRows] = useState([]);
  const [next, setNext] = useState(null);
  const [n, setN] = useState(0);
  const [listError, setListError] = useState(null);
  const [slips, setSlips] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useTitle("业主激活码");
  useEffect(() => {
    let live = true;
    setListError(null);
    loadPage(id, building, null).then(
      (p) => live && (setRows(p.items), setNext(p.next_cursor || null)),
      (e) => live && setListError(e),
    );
    return () => {
      live = false;
    };
  }, [id, building, n]);
  const more = async () => {
    try {
      const p = await loadPage(id, building, next);
      setRows((r) => [...r, ...p.items]);
      setNext(p.next_cursor || null);
    } catch (e) {
      setListError(e);
    }
  };
  const issue = async (body, what) => {
    setError(null);
    const sure = await confirmAct({
      title: "生成激活码",
      body: `将为${what}生成新的激活码，有效期 ${DAYS} 天；这些业主此前未使用的激活码随即作废。`,
      yes: "生成",
    });
    if (!sure) return;
    setBusy(true);
    try {
      const r = await api.post(`/estates/${enc(id)}/activation-codes`, body);
      setSlips(r.items);
      setN((x) => x + 1);
      if (r.items.length === 0) setError({ message: "所选业主都已开通账号，没有生成激活码。如需为忘记密码的业主重置，请勾选“也为已开通账号的业主生成”。" });
      setTimeout(() => document.getElementById("slips-h")?.scrollIntoView({ block: "start" }), 0);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const b = f.get("scope_building");
    const include = f.get("include") === "on";
    const names = estate && estate.buildings.find((x) => x.id === b);
    issue(
      { ...(b ? { building_id: b } : {}), include_activated: include },
      b ? `${names ? names.name : "该楼栋"}${include ? "的全部业主" : "尚未开通账号的业主"}` : `全小区${include ? "的全部业主" : "尚未开通账号的业主"}`,
    );
  };
  const reissue = (r) => issue({ owner_ids: [r.owner_id], include_activated: true }, `业主 ${r.owner_name}`);
  const revoke = async (r) => {
    const sure = await confirmAct({ title: "作废激活码", body: `作废业主 ${r.owner_name} 尚未使用的激活码？作废后该码不能再用于开通账号。`, yes: "作废" });
    if (!sure) return;
    try {
      await api.call("DELETE", `/owners/${enc(r.owner_id)}/activation-codes/${enc(r.code.id)}`);
      setN((x) => x + 1);
    } catch (e) {
      setListError(e);
    }
  };
  return html`<main id="main" tabindex="-1" class="page">
    <${Loaded} data=${estate} error=${estateError}>${(d) => html`
      <${Crumbs} trail=${[["/web/console", "工作台"], [`/web/console/estates/${enc(id)}`, d.estate.name], "业主激活码"]} />
      <h1>业主激活码</h1>
      <p class="muted">业主凭激活码在手机上开通账号后，可参加表决、报事和评价。激活码有效期 ${DAYS} 天，只能使用一次；生成新码后，旧码随即作废。</p>
      <section class="card no-print" aria-labelledby="issue-h">
        <h2 id="issue-h">生成激活码</h2>
        <form onSubmit=${submit}>
          <${Field} id="scope_building" label="范围" error=${fieldError(error, "building_id")}>
            <select id="scope_building" name="scope_building">
              <option value="">整个小区</option>
              ${d.buildings.map((b) => html`<option value=${b.id}>${b.name}</option>`)}
            </select>
          <//>
          <label class="choice"><input type="checkbox" name="include" />也为已开通账号的业主生成（用于忘记密码，新码可重设密码）</label>
          <div class="actions"><button type="submit" disabled=${busy}>${busy ? "正在生成……" : "生成并打印开通单"}</button></div>
          <${Alert} error=${error} />
        </form>
      </section>
      ${slips && slips.length > 0 && html`<${Slips} estate=${d.estate} slips=${slips} />`}
      <section class="card no-print" aria-labelledby="list-h">
        <h2 id="list-h">开通情况</h2>
        <${Field} id="list_building" label="楼栋">
          <select id="list_building" value=${building} onChange=${(e) => setBuilding(e.target.value)}>
            <option value="">全部楼栋</option>
            ${d.buildings.map((b) => html`<option value=${b.id}>${b.name}</option>`)}
          </select>
        <//>
        <${Alert} error=${listError} />
        ${rows.length === 0
          ? html`<${Empty}>本范围内没有登记业主。请先在“登记信息”中导入房屋和业主。<//>`
          : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">房屋</th><th scope="col">业主</th><th scope="col">账号</th><th scope="col">激活码</th><th scope="col">有效期至</th><th scope="col">操作</th></tr></thead>
          <tbody>${rows.map((r) => html`<tr data-owner=${r.owner_id}>
            <td>${unitText(r.unit)}</td>
            <td>${r.owner_name}</td>
            <td>${r.has_account ? html`<span class="badge good">已开通</span>` : html`<span class="badge">未开通</span>`}</td>
            <td>${r.code ? label("CodeStatus", r.code.status) : "未生成"}</td>
            <td>${r.code && r.code.status === "outstanding" ? dateTime(r.code.expires_at) : "—"}</td>
            <td><div class="actions">
              <button type="button" class="secondary small-button" onClick=${() => reissue(r)}>${r.code ? "重新生成" : "生成"}</button>
              ${r.code && r.code.status === "outstanding" && html`<button type="button" class="secondary small-button" onClick=${() => revoke(r)}>作废</button>`}
            </div></td>
          </tr>`)}</tbody>
        </table></div>`}
        ${next && html`<div class="actions"><button type="button" class="secondary" onClick=${more}>加载更多</button></div>`}
      </section>`}<//>
  </main>`;
}

// The registry for officials: the organisation tree, estates with search, filter and sort, an
// estate's buildings, units and owners (personal data masked by the API), and the spreadsheet
// import with every refused row shown.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Field, Loaded, area, entrance, html, label, useLoad, useTitle } from "app/ui";

const enc = encodeURIComponent;
const ORG_KIND = {
  county: "县", township: "乡镇", street: "街道", community: "社区", grid_party_branch: "网格党支部",
  building_party_group: "楼栋党小组", industry_party_committee: "行业党委", department: "县直部门",
};

/** Every page of a list (the registry's lists are bounded by a county). */
async function all(path) {
  const items = [];
  let cursor = null;
  do {
    const page = await api.get(`${path}${path.includes("?") ? "&" : "?"}limit=200${cursor ? `&cursor=${enc(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < 5000);
  return items;
}

async function loadRegistry() {
  const root = api.scopes("bureau")[0] || api.scopes("party_org")[0];
  const [orgs, estates] = await Promise.all([all(`/orgs?within=${enc(root)}`), all("/estates")]);
  return { orgs, estates, root };
}

export function RegistryPage() {
  useTitle("登记信息");
  const [data, error] = useLoad(loadRegistry, []);
  return html`<main id="main" tabindex="-1" class="page">
    <h1>登记信息</h1>
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <div class="grid two">
        <section class="card" aria-labelledby="tree-h"><h2 id="tree-h">组织体系</h2><${Tree} orgs=${d.orgs} root=${d.root} /></section>
        <${Estates} estates=${d.estates} orgs=${d.orgs} />
      </div>`}<//>
  </main>`;
}

function Tree({ orgs, root }) {
  const children = new Map();
  for (const o of orgs) {
    if (!children.has(o.parent_id)) children.set(o.parent_id, []);
    children.get(o.parent_id).push(o);
  }
  const top = orgs.filter((o) => o.id === root || !orgs.some((p) => p.id === o.parent_id));
  const node = (o) => html`<li>${o.name} <span class="small muted">${ORG_KIND[o.kind] || label("", o.kind)}</span>
    ${children.has(o.id) && html`<ul>${children.get(o.id).map(node)}</ul>`}</li>`;
  return html`<ul class="tree">${top.map(node)}</ul>`;
}

function Estates({ estates, orgs }) {
  const [q, setQ] = useState("");
  const [kind, setKind] = useState("");
  const [sort, setSort] = useState("name");
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  const shown = estates
    .filter((e) => (!q || e.name.includes(q) || (e.address || "").includes(q)) && (!kind || e.kind === kind))
    .sort((a, b) => (sort === "name" ? a.name.localeCompare(b.name, "zh-CN") : String(a[sort]).localeCompare(String(b[sort]))));
  return html`<section class="card" aria-labelledby="est-h">
    <h2 id="est-h">小区（${shown.length} / ${estates.length}）</h2>
    <div class="grid three">
      <${Field} id="q" label="搜索名称或地址"><input id="q" type="search" value=${q} onInput=${(e) => setQ(e.target.value)} /><//>
      <${Field} id="kind" label="类型"><select id="kind" onChange=${(e) => setKind(e.target.value)}><option value="">全部</option>
        ${["commercial", "village_built", "work_unit"].map((k) => html`<option value=${k}>${label("estate_kind", k)}</option>`)}</select><//>
      <${Field} id="sort" label="排序"><select id="sort" onChange=${(e) => setSort(e.target.value)}>
        <option value="name">名称</option><option value="management_mode">管理方式</option><option value="community_id">社区</option></select><//>
    </div>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">小区</th><th scope="col">社区</th><th scope="col">类型</th><th scope="col">管理方式</th></tr></thead>
      <tbody>${shown.map((e) => html`<tr><td><a href=${`/web/registry/estates/${enc(e.id)}`}>${e.name}</a></td><td>${names.get(e.community_id) || ""}</td>
        <td>${label("estate_kind", e.kind)}</td><td>${label("management", e.management_mode)}</td></tr>`)}</tbody>
    </table></div>
  </section>`;
}

async function loadEstate(id) {
  const [estate, buildings, owners] = await Promise.all([
    api.get(`/estates/${enc(id)}`),
    api.get(`/estates/${enc(id)}/buildings`),
    api.get(`/estates/${enc(id)}/owners?limit=200`),
  ]);
  return { estate, buildings: buildings.items || buildings, owners: owners.items };
}

export function RegistryEstate({ id }) {
  const [data, error, reload] = useLoad(() => loadEstate(id), [id]);
  const [building, setBuilding] = useState(null);
  useTitle(data ? data.estate.name : "小区");
  return html`<main id="main" tabindex="-1" class="page">
    <p><a href="/web/registry">← 登记信息</a></p>
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <h1>${d.estate.name}</h1>
      <p class="muted">${label("estate_kind", d.estate.kind)} · ${label("management", d.estate.management_mode)}${d.estate.address ? ` · ${d.estate.address}` : ""}</p>
      <div class="grid two">
        <section class="card" aria-labelledby="b-h"><h2 id="b-h">楼栋与房屋</h2>
          <div class="actions">${d.buildings.map((b) => html`<button class=${building === b.id ? "" : "secondary"} aria-pressed=${building === b.id} onClick=${() => setBuilding(b.id)}>${b.name}</button>`)}</div>
          ${building && html`<${Units} estate=${id} building=${building} owners=${d.owners} />`}
        </section>
        <section class="card" aria-labelledby="o-h"><h2 id="o-h">业主（信息已脱敏）</h2>
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">姓名</th><th scope="col">电话</th><th scope="col">身份证后四位</th><th scope="col">党员</th></tr></thead>
            <tbody>${d.owners.map((o) => html`<tr><td>${o.name}</td><td>${o.phone || "—"}</td><td>${o.id_last4 || "—"}</td><td>${o.party_member ? "是" : ""}</td></tr>`)}</tbody>
          </table></div>
        </section>
      </div>
      <${Import} estate=${id} done=${reload} />`}<//>
  </main>`;
}

function Units({ estate, building, owners }) {
  const [units, error] = useLoad(() => all(`/estates/${enc(estate)}/units?building_id=${enc(building)}`), [building]);
  const names = new Map(owners.map((o) => [o.id, o.name]));
  return html`<${Loaded} data=${units} error=${error}>${(list) => html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">房号</th><th class="num" scope="col">专有部分面积</th><th scope="col">面积来源</th><th scope="col">业主</th></tr></thead>
    <tbody>${list.map((u) => html`<tr><td>${u.entrance ? `${entrance(u.entrance)} ` : ""}${u.number}</td><td class="num">${area(u.area_centi_m2)}</td>
      <td>${u.area_source}</td><td>${(u.owners || []).map((h) => names.get(h.owner_id) || "（其他）").join("、")}</td></tr>`)}</tbody>
  </table></div>`}<//>`;
}

function Import({ estate, done }) {
  const [error, setError] = useState(null);
  const [report, setReport] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const file = new FormData(e.target).get("file");
    setError(null);
    setReport(null);
    try {
      const resp = await api.upload(`/estates/${enc(estate)}/import`, file, "text/csv");
      setReport(resp);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="imp-h">
    <h2 id="imp-h">导入房屋和业主（表格）</h2>
    <p class="hint">CSV 文件（UTF-8 或 GBK），列：楼栋、房号、建筑面积、面积来源、业主姓名、身份证号、销售状态。任何一行有误则整份不导入，并列出每一处错误。</p>
    <form onSubmit=${submit} class="actions">
      <label for="imp-file" class="sr-only">选择文件</label>
      <input id="imp-file" name="file" type="file" accept=".csv,text/csv" required />
      <button type="submit">导入</button>
    </form>
    ${report && html`<${Alert} ok=${`已导入：新建房屋 ${report.units} 套，更新 ${report.units_updated} 套，新建楼栋 ${report.buildings_created} 个，新建业主 ${report.owners_created} 人。`} />`}
    ${error && html`<div class="alert error" role="alert"><p>${error.message}</p>
      ${error.errors.length > 0 && html`<table class="import-errors"><thead><tr><th scope="col">行</th><th scope="col">列</th><th scope="col">问题</th></tr></thead>
        <tbody>${error.errors.map((f) => html`<tr><td>${f.row ?? ""}</td><td>${f.field}</td><td>${f.message}</td></tr>`)}</tbody></table>`}
    </div>`}
  </section>`;
}

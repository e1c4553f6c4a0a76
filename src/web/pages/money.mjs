// Sunshine accounts (阳光账目) of an estate: the fee standards and what my unit pays, the
// statements of common income and of the maintenance fund with their lines, owners' questions
// and the company's answers, and the uses of the fund step by step. The company records entries
// and publishes; the committee and the community propose and decide; owners read and ask; the
// bureau approves emergencies, takes in the fund's records and oversees every estate's disclosure.

import { useEffect, useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Crumbs, Empty, Field, Loaded, area, confirmAct, date, dateTime, fieldError, html, label, useLoad, useTitle } from "app/ui";

const enc = encodeURIComponent;

/** Fen (an integer) as yuan with two decimals, without floating error: 1234567 → "12,345.67". */
export function yuan(fen) {
  if (fen === undefined || fen === null) return "—";
  const n = BigInt(fen);
  const a = n < 0n ? -n : n;
  return `${n < 0n ? "-" : ""}${(a / 100n).toLocaleString("zh-CN")}.${String(a % 100n).padStart(2, "0")}`;
}

/** Yuan as typed ("1,234.5", "¥20") into fen, exactly; null if it is not an amount. */
export function toFen(text) {
  const t = String(text || "").trim().replace(/^[¥￥]/, "").replace(/元$/, "").replace(/[,，\s]/g, "");
  const m = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const fen = Number(m[2]) * 100 + Number((m[3] || "").padEnd(2, "0"));
  return m[1] ? -fen : fen;
}

/** The first day of the quarter `back` quarters before today's (China Standard Time). */
function quarterStart(back) {
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  let q = Math.floor(now.getUTCMonth() / 3) - back;
  let y = now.getUTCFullYear();
  while (q < 0) {
    q += 4;
    y -= 1;
  }
  return `${y}-${String(q * 3 + 1).padStart(2, "0")}-01`;
}

async function printStatement(id) {
  const doc = await api.text(`/statements/${enc(id)}/print`);
  const w = window.open("", "_blank");
  if (!w) throw { message: "浏览器拦截了打印窗口，请允许本站弹出窗口后重试。" };
  w.document.open();
  w.document.write(doc);
  w.document.close();
  w.focus();
  w.print();
}

async function download(path, name) {
  const b = await api.blob(path);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(b);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function loadAccounts(id) {
  const [estate, standards, statements, uses] = await Promise.all([
    api.get(`/estates/${enc(id)}`),
    api.get(`/estates/${enc(id)}/fee-standards`),
    api.get(`/estates/${enc(id)}/statements?limit=50`),
    api.get(`/estates/${enc(id)}/fund-uses?limit=50`),
  ]);
  const mine = [];
  for (const o of api.scopes("owner")) {
    for (const h of (await api.get(`/owners/${enc(o)}/ownerships`)).items) {
      if (h.unit && !h.ended_at && h.unit.estate_id === id) {
        mine.push({ unit: { ...h.unit, id: h.unit_id }, fees: await api.get(`/units/${enc(h.unit_id)}/fees`) });
      }
    }
  }
  const votes = (await api.get(`/estates/${enc(id)}/votes`)).items.filter((v) => v.status === "closed");
  return { estate, standards: standards.items, statements: statements.items, uses: uses.items, mine, votes };
}

/** One estate's accounts. */
export function AccountsPage({ id }) {
  useTitle("阳光账目");
  const [data, error, reload] = useLoad(() => loadAccounts(id), [id]);
  const [open, setOpen] = useState(null);
  const company = api.hasRole("company") || api.hasRole("admin");
  // The company keeps the accounts; where none serves (a self-managed estate), the committee.
  const keeps = (d) => company || (api.hasRole("committee") && !d.estate.current_company_id);
  const deciding = api.hasRole("committee") || api.hasRole("party_org") || api.hasRole("admin");
  const owner = api.hasRole("owner");
  const home = owner && !deciding && !company ? ["/web/owner", "我的小区"] : company && !deciding ? ["/web/company", "企业工作台"] : ["/web/console", "工作台"];
  return html`<main id="main" tabindex="-1" class="page">
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <${Crumbs} trail=${[home, [`/web/estates/${enc(id)}`, d.estate.name], "阳光账目"]} />
      <h1>${d.estate.name} · 阳光账目</h1>
      <p class="muted">收费标准、公共收益和专项维修资金的收支按期向业主公示；业主可对公示提出询问，物业服务企业在规定期限内答复。</p>
      ${d.mine.map((m) => html`<${MyFees} unit=${m.unit} fees=${m.fees} />`)}
      <${Standards} items=${d.standards} />
      ${keeps(d) && html`<${NewStandard} estate=${id} votes=${d.votes} done=${reload} />`}
      <section class="card" aria-labelledby="stm-h">
        <h2 id="stm-h">账目公示</h2>
        ${d.statements.length === 0
          ? html`<${Empty}>尚未公示账目。公共收益每季度公示一次，维修资金至少每年公示一次。<//>`
          : html`<ul class="plain">${d.statements.map((s) => html`<li class="block" data-statement=${s.id}>
            <button class="link" onClick=${() => setOpen(open === s.id ? null : s.id)} aria-expanded=${open === s.id}>${label("Account", s.account)} · ${date(s.period_from)} 至 ${date(s.period_to)}</button>
            第 ${s.version} 版 <span class=${s.status === "published" ? "badge good" : "badge"}>${label("StatementStatus", s.status)}</span>
            <div class="small">收入 ${yuan(s.income_fen)} 元 · 支出 ${yuan(s.spending_fen)} 元 · 期末余额 <strong>${yuan(s.closing_fen)}</strong> 元</div>
            <div class="small muted">公示于 ${dateTime(s.published_at)}${s.published_on_time ? "" : html` <span class="badge bad">逾期公示</span>`} · 询问 ${s.questions.length}${s.questions.some((q) => q.overdue) ? html` <span class="badge bad">逾期未答复</span>` : ""}</div>
          </li>`)}</ul>`}
      </section>
      ${d.statements.filter((s) => s.id === open).map((s) => html`<${StatementView} statement=${s} company=${keeps(d)} owner=${owner} done=${reload} />`)}
      ${keeps(d) && html`<${NewEntry} estate=${id} votes=${d.votes} done=${reload} />`}
      ${keeps(d) && html`<${Publish} estate=${id} done=${reload} />`}
      <${FundUses} estate=${id} uses=${d.uses} votes=${d.votes} keeps=${keeps(d)} done=${reload} />`}<//>
  </main>`;
}

function MyFees({ unit, fees }) {
  return html`<section class="card" aria-labelledby=${`fees-${unit.id}`}>
    <h2 id=${`fees-${unit.id}`}>我的房屋应缴：${unit.building_name} ${unit.number}</h2>
    ${!fees.standard_id
      ? html`<${Empty}>小区尚未公示收费标准。<//>`
      : html`<p>专有部分面积 ${area(fees.area_centi_m2)}，按 ${date(fees.effective_from)} 起执行的标准，每月合计 <strong>${yuan(fees.monthly_total_fen)} 元</strong>。价格举报电话 ${fees.complaint_phone}。</p>
      <div class="table-wrap" tabindex="0" role="region" aria-label="我的应缴明细"><table class="nowrap">
        <thead><tr><th scope="col">项目</th><th scope="col">单价</th><th class="num" scope="col">每月（元）</th><th scope="col">服务内容</th></tr></thead>
        <tbody>${fees.items.map((i) => html`<tr><td>${i.name}</td><td>${yuan(i.price_fen)} ${label("FeeUnit", i.unit)}</td><td class="num">${i.monthly_fen === undefined ? "按实际发生" : yuan(i.monthly_fen)}</td><td>${i.service_content}${i.service_level ? `（${i.service_level}）` : ""}</td></tr>`)}</tbody>
      </table></div>`}
  </section>`;
}

function where(i) {
  const parts = [];
  if (i.building_ids && i.building_ids.length) parts.push(`指定的 ${i.building_ids.length} 栋楼`);
  if (i.floor_min !== undefined || i.floor_max !== undefined) parts.push(`${i.floor_min ?? "最低"}–${i.floor_max ?? "最高"} 层`);
  if (i.unit_kinds && i.unit_kinds.length) parts.push(i.unit_kinds.map((k) => label("UnitKind", k)).join("、"));
  return parts.length ? parts.join("，") : "全部房屋";
}

function Standards({ items }) {
  return html`<section class="card" aria-labelledby="std-h">
    <h2 id="std-h">收费标准（明码标价）</h2>
    ${items.length === 0 ? html`<${Empty}>尚未公示收费标准。<//>` : items.map((s) => html`<div class="block" data-standard=${s.id}>
      <h3>${date(s.effective_from)} 起执行${s.effective_to ? `，至 ${date(s.effective_to)}` : ""} ${s.in_force ? html`<span class="badge good">现行</span>` : ""}</h3>
      <p class="small muted">定价依据：${label("FeeBasis", s.basis)}${s.document ? `（${s.document}）` : ""} · 价格举报电话 ${s.complaint_phone}</p>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">项目</th><th scope="col">类别</th><th scope="col">单价</th><th scope="col">适用范围</th><th scope="col">服务内容与等级</th></tr></thead>
        <tbody>${s.items.map((i) => html`<tr><td>${i.name}</td><td>${label("FeeKind", i.kind)}</td><td>${yuan(i.price_fen)} ${label("FeeUnit", i.unit)}</td><td>${where(i)}</td><td>${i.service_content}${i.service_level ? `（${i.service_level}）` : ""}</td></tr>`)}</tbody>
      </table></div>
    </div>`)}
  </section>`;
}

/** The closed votes of the estate as choices (what they decided, not their ids). */
function VoteSelect({ id, votes, value, onChange, category }) {
  const shown = category ? votes.filter((v) => v.category === category) : votes;
  return html`<select id=${id} value=${value} onChange=${(e) => onChange(e.target.value)}>
    <option value="">请选择已结束的表决</option>
    ${shown.map((v) => html`<option value=${v.id}>${v.title}（${date(v.closes_at)} 结束）</option>`)}
  </select>`;
}

function NewStandard({ estate, votes, done }) {
  const blank = { name: "物业服务费", kind: "property_service", unit: "per_m2_month", price: "", service_content: "", service_level: "" };
  const [rows, setRows] = useState([blank]);
  const [from, setFrom] = useState("");
  const [basis, setBasis] = useState("government_price");
  const [vote, setVote] = useState("");
  const [doc, setDoc] = useState("");
  const [phone, setPhone] = useState("12345");
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const set = (i, k, v) => setRows(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setOk(null);
    const items = rows.map((r) => ({ name: r.name, kind: r.kind, unit: r.unit, price_fen: toFen(r.price) ?? -1, service_content: r.service_content, service_level: r.service_level || undefined }));
    if (items.some((i) => i.price_fen < 0)) return setError({ message: "单价请填写元数，最多两位小数。" });
    try {
      await api.post(`/estates/${enc(estate)}/fee-standards`, { effective_from: from, basis, vote_id: basis === "vote" ? vote : undefined, document: basis === "government_price" ? doc : undefined, complaint_phone: phone, items });
      setOk("收费标准已公示。");
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="newstd-h">
    <h2 id="newstd-h">公示新的收费标准</h2>
    <form onSubmit=${submit}>
      <div class="grid2">
        <${Field} id="std-from" label="起始执行日"><input id="std-from" type="date" required value=${from} onInput=${(e) => setFrom(e.target.value)} /><//>
        <${Field} id="std-basis" label="定价依据">
          <select id="std-basis" value=${basis} onChange=${(e) => setBasis(e.target.value)}>
            <option value="government_price">政府指导价</option><option value="vote">业主共同决定（表决）</option>
          </select><//>
        ${basis === "vote"
          ? html`<${Field} id="std-vote" label="表决"><${VoteSelect} id="std-vote" votes=${votes} value=${vote} onChange=${setVote} /><//>`
          : html`<${Field} id="std-doc" label="价格文件文号"><input id="std-doc" required value=${doc} onInput=${(e) => setDoc(e.target.value)} /><//>`}
        <${Field} id="std-phone" label="价格举报电话"><input id="std-phone" required value=${phone} onInput=${(e) => setPhone(e.target.value)} /><//>
      </div>
      ${rows.map((r, i) => html`<fieldset class="grid2"><legend>收费项目 ${i + 1}</legend>
        <${Field} id=${`it-name-${i}`} label="项目名称"><input id=${`it-name-${i}`} required value=${r.name} onInput=${(e) => set(i, "name", e.target.value)} /><//>
        <${Field} id=${`it-unit-${i}`} label="计费方式"><select id=${`it-unit-${i}`} value=${r.unit} onChange=${(e) => set(i, "unit", e.target.value)}>
          ${["per_m2_month", "per_space_month", "per_unit_month", "per_unit"].map((u) => html`<option value=${u}>${label("FeeUnit", u)}</option>`)}</select><//>
        <${Field} id=${`it-kind-${i}`} label="类别"><select id=${`it-kind-${i}`} value=${r.kind} onChange=${(e) => set(i, "kind", e.target.value)}>
          ${["property_service", "parking", "utilities", "other"].map((k) => html`<option value=${k}>${label("FeeKind", k)}</option>`)}</select><//>
        <${Field} id=${`it-price-${i}`} label="单价（元）"><input id=${`it-price-${i}`} required inputmode="decimal" value=${r.price} onInput=${(e) => set(i, "price", e.target.value)} /><//>
        <${Field} id=${`it-content-${i}`} label="服务内容"><input id=${`it-content-${i}`} required value=${r.service_content} onInput=${(e) => set(i, "service_content", e.target.value)} /><//>
        <${Field} id=${`it-level-${i}`} label="服务等级"><input id=${`it-level-${i}`} value=${r.service_level} onInput=${(e) => set(i, "service_level", e.target.value)} /><//>
      </fieldset>`)}
      <div class="actions">
        <button type="button" class="secondary" onClick=${() => setRows([...rows, { ...blank, name: "" }])}>增加收费项目</button>
        <button type="submit">公示收费标准</button>
      </div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
}

function StatementView({ statement: s, company, owner, done }) {
  const [lines, setLines] = useState(null);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [question, setQuestion] = useState("");
  const more = async (from) => {
    try {
      const page = await api.get(`/statements/${enc(s.id)}/lines?limit=50${from && from.next ? `&cursor=${enc(from.next)}` : ""}`);
      setLines({ items: [...(from ? from.items : []), ...page.items], next: page.next_cursor });
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    setLines(null);
    more(null);
  }, [s.id]);
  const act = async (fn, said) => {
    setError(null);
    setOk(null);
    try {
      await fn();
      setOk(said);
      done();
    } catch (e) {
      setError(e);
    }
  };
  const ask = (e) => {
    e.preventDefault();
    act(async () => {
      await api.post(`/statements/${enc(s.id)}/questions`, { question });
      setQuestion("");
    }, "询问已提交，企业将在期限内答复。");
  };
  return html`<section class="card" aria-labelledby="stmv-h" data-statement-view=${s.id}>
    <h2 id="stmv-h">${label("Account", s.account)} · ${date(s.period_from)} 至 ${date(s.period_to)} · 第 ${s.version} 版</h2>
    <dl class="facts">
      <dt>期初余额</dt><dd>${yuan(s.opening_fen)} 元</dd><dt>本期收入</dt><dd>${yuan(s.income_fen)} 元</dd>
      <dt>本期支出</dt><dd>${yuan(s.spending_fen)} 元（其中合理成本 ${yuan(s.costs_fen)} 元）</dd><dt>期末余额</dt><dd><strong>${yuan(s.closing_fen)} 元</strong></dd>
      <dt>应公示日</dt><dd>${date(s.due_on)} 前</dd>
    </dl>
    ${s.correction_reason && html`<p class="alert info">更正原因：${s.correction_reason}${s.changes ? `（原期末余额 ${yuan(s.changes.closing_fen_before)} 元，新增 ${s.changes.lines_added} 笔，删去 ${s.changes.lines_removed} 笔）` : ""}</p>`}
    <div class="actions">
      <button class="secondary" onClick=${() => printStatement(s.id).catch(setError)}>打印公示</button>
      <button class="secondary" onClick=${() => download(`/statements/${enc(s.id)}/export`, `账目公示-第${s.version}版.xlsx`).catch(setError)}>导出 Excel</button>
    </div>
    <h3>收支明细</h3>
    ${lines && html`<div class="table-wrap" tabindex="0" role="region" aria-label="收支明细"><table class="nowrap">
      <thead><tr><th scope="col">序号</th><th scope="col">日期</th><th scope="col">收支</th><th scope="col">科目</th><th class="num" scope="col">金额（元）</th><th scope="col">对方</th><th scope="col">摘要</th></tr></thead>
      <tbody>${lines.items.map((l) => html`<tr><td>${l.seq}</td><td>${date(l.occurred_on)}</td><td>${label("EntryKind", l.kind)}</td><td>${label("IncomeCategory", l.category)}</td><td class="num">${yuan(l.amount_fen)}</td><td>${l.counterparty}</td><td>${l.description}</td></tr>`)}</tbody>
    </table></div>
    ${lines.next && html`<button class="secondary" onClick=${() => more(lines)}>显示更多明细</button>`}`}
    <h3>业主询问</h3>
    ${s.questions.length === 0 ? html`<${Empty}>暂无询问。<//>` : html`<ul class="plain">${s.questions.map((q) => html`<li class="block">
      <div><strong>问：</strong>${q.question} <span class="small muted">${dateTime(q.asked_at)}${q.mine ? " · 我提出的" : ""}</span></div>
      ${q.answer
        ? html`<div><strong>答：</strong>${q.answer} <span class="small muted">${dateTime(q.answered_at)}${q.answered_late ? " · 逾期答复" : ""}</span></div>`
        : html`<div class="small">${q.overdue ? html`<span class="badge bad">已逾期未答复</span>` : `应于 ${date(q.answer_due)} 前答复`}</div>
          ${company && html`<${Answer} question=${q} done=${done} />`}`}
    </li>`)}</ul>`}
    ${owner && s.status === "published" && html`<form onSubmit=${ask}>
      <${Field} id="ask-q" label="对本期公示提出询问" hint="您的询问和企业的答复对本小区业主公开。">
        <textarea id="ask-q" required maxlength="2000" value=${question} onInput=${(e) => setQuestion(e.target.value)}></textarea><//>
      <button type="submit">提交询问</button>
    </form>`}
    ${company && s.status === "published" && html`<${Correct} statement=${s} done=${done} />`}
    <${Alert} error=${error} ok=${ok} />
  </section>`;
}

function Answer({ question, done }) {
  const [text, setText] = useState("");
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    try {
      await api.post(`/statement-questions/${enc(question.id)}/answer`, { answer: text });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form onSubmit=${submit}>
    <${Field} id=${`ans-${question.id}`} label="答复"><textarea id=${`ans-${question.id}`} required value=${text} onInput=${(e) => setText(e.target.value)}></textarea><//>
    <button type="submit">提交答复</button><${Alert} error=${error} />
  </form>`;
}

function Correct({ statement: s, done }) {
  const [reason, setReason] = useState("");
  const [closing, setClosing] = useState("");
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const closing_fen = toFen(closing);
    if (closing_fen === null) return setError({ message: "期末余额请填写元数，最多两位小数。" });
    try {
      await api.post(`/statements/${enc(s.id)}/corrections`, { reason, opening_fen: s.opening_fen, closing_fen });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<details><summary>发布更正版本</summary><form onSubmit=${submit}>
    <p class="small muted">更正按本期现有的全部记账重新生成，原版本保留可查。</p>
    <${Field} id="cor-reason" label="更正原因"><input id="cor-reason" required value=${reason} onInput=${(e) => setReason(e.target.value)} /><//>
    <${Field} id="cor-closing" label="更正后期末余额（元）"><input id="cor-closing" required inputmode="decimal" value=${closing} onInput=${(e) => setClosing(e.target.value)} /><//>
    <button type="submit">发布更正</button><${Alert} error=${error} />
  </form></details>`;
}

function NewEntry({ estate, votes, done }) {
  const [f, setF] = useState({ kind: "income", category: "parking", amount: "", occurred_on: "", counterparty: "", description: "", vote_id: "" });
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target ? e.target.value : e });
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setOk(null);
    const amount_fen = toFen(f.amount);
    if (!amount_fen || amount_fen <= 0) return setError({ message: "金额请填写大于零的元数，最多两位小数。" });
    try {
      await api.post(`/estates/${enc(estate)}/money-entries`, { kind: f.kind, category: f.category, amount_fen, occurred_on: f.occurred_on, counterparty: f.counterparty, description: f.description, vote_id: f.kind === "use" ? f.vote_id : undefined });
      setOk(`已记账：${label("EntryKind", f.kind)} ${yuan(amount_fen)} 元。`);
      setF({ ...f, amount: "", counterparty: "", description: "" });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="entry-h">
    <h2 id="entry-h">公共收益记账</h2>
    <form onSubmit=${submit} class="grid2">
      <${Field} id="en-kind" label="收支"><select id="en-kind" value=${f.kind} onChange=${set("kind")}>
        ${["income", "cost", "use"].map((k) => html`<option value=${k}>${label("EntryKind", k)}</option>`)}</select><//>
      <${Field} id="en-cat" label="科目"><select id="en-cat" value=${f.category} onChange=${set("category")}>
        ${["parking", "advertising", "leasing", "facilities", "management", "repair", "distribution", "other"].map((k) => html`<option value=${k}>${label("IncomeCategory", k)}</option>`)}</select><//>
      <${Field} id="en-amount" label="金额（元）" error=${fieldError(error, "amount_fen")}><input id="en-amount" required inputmode="decimal" value=${f.amount} onInput=${set("amount")} /><//>
      <${Field} id="en-date" label="发生日期"><input id="en-date" type="date" required value=${f.occurred_on} onInput=${set("occurred_on")} /><//>
      <${Field} id="en-party" label="对方单位或个人"><input id="en-party" required value=${f.counterparty} onInput=${set("counterparty")} /><//>
      <${Field} id="en-desc" label="摘要"><input id="en-desc" required value=${f.description} onInput=${set("description")} /><//>
      ${f.kind === "use" && html`<${Field} id="en-vote" label="授权使用的业主表决"><${VoteSelect} id="en-vote" votes=${votes} value=${f.vote_id} onChange=${set("vote_id")} /><//>`}
      <div class="actions"><button type="submit">记账</button></div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
}

function Publish({ estate, done }) {
  const [account, setAccount] = useState("common_income");
  const [from, setFrom] = useState(quarterStart(1));
  const [opening, setOpening] = useState("");
  const [closing, setClosing] = useState("");
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setOk(null);
    const [o, c] = [toFen(opening), toFen(closing)];
    if (o === null || c === null) return setError({ message: "余额请填写元数，最多两位小数。" });
    try {
      const s = await api.post(`/estates/${enc(estate)}/statements`, { account, period_from: from, opening_fen: o, closing_fen: c });
      setOk(`已公示：${date(s.period_from)} 至 ${date(s.period_to)}，共 ${s.line_count} 笔。`);
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="pub-h">
    <h2 id="pub-h">发布账目公示</h2>
    <p class="small muted">系统取该期间的全部记账作为明细，期初余额 + 本期收入 − 本期支出须与所填期末余额相符到分，才能公示。</p>
    <form onSubmit=${submit} class="grid2">
      <${Field} id="pub-acc" label="账目"><select id="pub-acc" value=${account} onChange=${(e) => setAccount(e.target.value)}>
        <option value="common_income">${label("Account", "common_income")}</option><option value="maintenance_fund">${label("Account", "maintenance_fund")}</option></select><//>
      <${Field} id="pub-from" label="期间起始日" hint="公共收益按季度：1月1日、4月1日、7月1日或10月1日"><input id="pub-from" type="date" required value=${from} onInput=${(e) => setFrom(e.target.value)} /><//>
      <${Field} id="pub-open" label="期初余额（元）"><input id="pub-open" required inputmode="decimal" value=${opening} onInput=${(e) => setOpening(e.target.value)} /><//>
      <${Field} id="pub-close" label="期末余额（元）"><input id="pub-close" required inputmode="decimal" value=${closing} onInput=${(e) => setClosing(e.target.value)} /><//>
      <div class="actions"><button type="submit">公示</button></div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
}

function FundUses({ estate, uses, votes, keeps, done }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const act = async (fn, said) => {
    setError(null);
    setOk(null);
    try {
      await fn();
      setOk(said);
      done();
    } catch (e) {
      setError(e);
    }
  };
  const deciding = api.hasRole("committee") || api.hasRole("party_org") || api.hasRole("admin");
  const bureau = api.hasRole("bureau") || api.hasRole("admin");
  const company = keeps;
  return html`<section class="card" aria-labelledby="fund-h">
    <h2 id="fund-h">专项维修资金使用</h2>
    ${uses.length === 0 ? html`<${Empty}>尚无维修资金使用事项。<//>` : html`<ul class="plain">${uses.map((u) => html`<li class="block" data-fund-use=${u.id}>
      <div><strong>${u.title}</strong> <span class="badge">${label("FundUseKind", u.kind)}${u.emergency ? `：${label("EmergencyKind", u.emergency)}` : ""}</span> <span class="badge">${label("FundUseStatus", u.status)}</span></div>
      <div class="small muted">${u.location} · 预算 ${yuan(u.estimate_fen)} 元${u.settled_fen !== undefined ? ` · 结算 ${yuan(u.settled_fen)} 元` : ""} · ${dateTime(u.applied_at)} 提出</div>
      <p>${u.description}</p>
      ${u.status === "proposed" && u.kind === "ordinary" && deciding && html`<${Decide} use=${u} votes=${votes} act=${act} />`}
      ${u.status === "proposed" && u.kind === "emergency" && bureau && html`<div class="actions">
        <button onClick=${() => act(() => api.post(`/fund-uses/${enc(u.id)}/approval`, { approve: true }), "已批准应急使用。")}>批准应急使用</button>
        <button class="secondary" onClick=${async () => (await confirmAct({ title: "不予批准", body: `不批准“${u.title}”的应急使用申请。`, yes: "不予批准" })) && act(() => api.post(`/fund-uses/${enc(u.id)}/approval`, { approve: false }), "已不予批准。")}>不予批准</button></div>`}
      ${u.status === "approved" && company && html`<${Settle} use=${u} act=${act} />`}
    </li>`)}</ul>`}
    ${(deciding || company) && html`<${Propose} estate=${estate} act=${act} emergencyAllowed=${deciding} />`}
    <${Alert} error=${error} ok=${ok} />
  </section>`;
}

function Decide({ use, votes, act }) {
  const [vote, setVote] = useState("");
  return html`<form class="inline" onSubmit=${(e) => (e.preventDefault(), act(() => api.post(`/fund-uses/${enc(use.id)}/decision`, { vote_id: vote }), "已依据业主表决批准使用。"))}>
    <${Field} id=${`dec-${use.id}`} label="依据的业主表决（使用维修资金）"><${VoteSelect} id=${`dec-${use.id}`} votes=${votes} category=${5} value=${vote} onChange=${setVote} /><//>
    <button type="submit">记录决定</button>
  </form>`;
}

function Settle({ use, act }) {
  const [amount, setAmount] = useState("");
  const [files, setFiles] = useState([]);
  const submit = (e) => {
    e.preventDefault();
    act(async () => {
      const ids = [];
      for (const f of files) ids.push((await api.upload("/attachments", f, f.type || "application/octet-stream")).id);
      const fen = toFen(amount);
      if (!fen || fen <= 0) throw { message: "结算金额请填写大于零的元数。" };
      await api.post(`/fund-uses/${enc(use.id)}/settlement`, { amount_fen: fen, invoice_ids: ids });
    }, "已结算。");
  };
  return html`<form onSubmit=${submit} class="grid2">
    <${Field} id=${`set-amt-${use.id}`} label="结算金额（元）"><input id=${`set-amt-${use.id}`} required inputmode="decimal" value=${amount} onInput=${(e) => setAmount(e.target.value)} /><//>
    <${Field} id=${`set-inv-${use.id}`} label="发票（图片或 PDF）"><input id=${`set-inv-${use.id}`} type="file" required multiple accept="image/*,application/pdf" onChange=${(e) => setFiles([...e.target.files])} /><//>
    <div class="actions"><button type="submit">结算</button></div>
  </form>`;
}

function Propose({ estate, act, emergencyAllowed }) {
  const [f, setF] = useState({ kind: "ordinary", emergency: "lift", title: "", location: "", description: "", estimate: "" });
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    act(async () => {
      const estimate_fen = toFen(f.estimate);
      if (!estimate_fen || estimate_fen <= 0) throw { message: "预算请填写大于零的元数。" };
      await api.post(`/estates/${enc(estate)}/fund-uses`, { kind: f.kind, emergency: f.kind === "emergency" ? f.emergency : undefined, title: f.title, location: f.location, description: f.description, estimate_fen });
    }, f.kind === "emergency" ? "应急使用申请已提交县住建部门审批。" : "使用方案已提出，须经业主表决（第5类）通过。");
  };
  return html`<details><summary>提出维修资金使用</summary><form onSubmit=${submit} class="grid2">
    <${Field} id="fu-kind" label="方式"><select id="fu-kind" value=${f.kind} onChange=${set("kind")}>
      <option value="ordinary">${label("FundUseKind", "ordinary")}</option>${emergencyAllowed && html`<option value="emergency">${label("FundUseKind", "emergency")}</option>`}</select><//>
    ${f.kind === "emergency" && html`<${Field} id="fu-em" label="应急情形"><select id="fu-em" value=${f.emergency} onChange=${set("emergency")}>
      ${["lift", "roof_leak", "fire_systems", "outer_wall", "pipes"].map((k) => html`<option value=${k}>${label("EmergencyKind", k)}</option>`)}</select><//>`}
    <${Field} id="fu-title" label="事项"><input id="fu-title" required value=${f.title} onInput=${set("title")} /><//>
    <${Field} id="fu-loc" label="部位"><input id="fu-loc" required value=${f.location} onInput=${set("location")} /><//>
    <${Field} id="fu-desc" label="说明"><textarea id="fu-desc" required value=${f.description} onInput=${set("description")}></textarea><//>
    <${Field} id="fu-est" label="预算（元）"><input id="fu-est" required inputmode="decimal" value=${f.estimate} onInput=${set("estimate")} /><//>
    <div class="actions"><button type="submit">提交</button></div>
  </form></details>`;
}

/** The county's (or a community's) disclosure of every estate, for the bureau and party organisations. */
export function DisclosurePage() {
  useTitle("账目公开情况");
  const org = api.scopes("bureau")[0] || api.scopes("party_org")[0];
  const [data, error, reload] = useLoad(() => (org ? api.get(`/orgs/${enc(org)}/disclosure`) : Promise.resolve(null)), [org]);
  const [msg, setMsg] = useState({});
  const bureau = api.hasRole("bureau");
  const importFile = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    setMsg({});
    try {
      const r = await api.upload(`/orgs/${enc(org)}/fund-records`, file, "text/csv");
      setMsg({ ok: `已导入 ${r.estates} 个小区的 ${r.entries} 笔维修资金记录。` });
      reload();
    } catch (err) {
      setMsg({ error: err });
    }
  };
  return html`<main id="main" tabindex="-1" class="page">
    <${Crumbs} trail=${[["/web/dashboard", "数据看板"], "账目公开情况"]} />
    <h1>阳光账目公开情况</h1>
    ${!org ? html`<p>供住建局和党组织使用。</p>` : html`<${Loaded} data=${data} error=${error}>${(d) => html`
      <dl class="facts"><dt>小区</dt><dd>${d.estates}</dd><dt>已公示收费标准</dt><dd>${d.with_fee_standard}</dd>
        <dt>有逾期未公示账目</dt><dd>${d.with_overdue_statements}</dd><dt>逾期未答复询问</dt><dd>${d.overdue_questions}</dd></dl>
      <div class="actions">
        <button class="secondary" onClick=${() => download(`/orgs/${enc(org)}/disclosure/export`, "账目公开情况.xlsx").catch((e) => setMsg({ error: e }))}>导出 Excel</button>
        ${bureau && html`<label class="button secondary" for="fund-file">导入维修资金记录（CSV）</label><input id="fund-file" class="sr-only" type="file" accept=".csv,text/csv" onChange=${importFile} />`}
      </div>
      <${Alert} error=${msg.error} ok=${msg.ok} />
      ${d.items.length === 0 ? html`<${Empty}>辖区内没有小区。<//>` : html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">小区</th><th scope="col">现行收费标准</th><th scope="col">公共收益公示至</th><th scope="col">维修资金公示至</th><th class="num" scope="col">逾期未公示</th><th class="num" scope="col">逾期公示</th><th class="num" scope="col">未答复询问</th></tr></thead>
        <tbody>${d.items.map((i) => html`<tr>
          <td><a href=${`/web/accounts/${enc(i.estate_id)}`}>${i.estate_name}</a></td>
          <td>${i.fee_standard_from ? `${date(i.fee_standard_from)} 起` : html`<span class="badge bad">未公示</span>`}</td>
          <td>${date(i.income_statement_to)}</td><td>${date(i.fund_statement_to)}</td>
          <td class="num">${i.overdue_statements ? html`<span class="badge bad">${i.overdue_statements}</span>` : 0}</td>
          <td class="num">${i.late_statements}</td>
          <td class="num">${i.unanswered_questions}${i.overdue_questions ? html` <span class="badge bad">逾期 ${i.overdue_questions}</span>` : ""}</td>
        </tr>`)}</tbody></table></div>`}`}<//>`}
  </main>`;
}

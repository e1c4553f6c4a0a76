// What every page shares: templates, the router, formatting in Chinese, and small components.
//
// Templates are htm tagged literals: parsed by a 1 KB function at run time, no compiler and no
// eval, so the strict content security policy holds.

import { h } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import htm from "htm";

export const html = htm.bind(h);

// ---- Routing (History API; every /web/... path serves the same shell) ----

const routeListeners = new Set();

export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const fn of routeListeners) fn(location.pathname);
  window.scrollTo(0, 0);
}

export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    routeListeners.add(setPath);
    window.addEventListener("popstate", on);
    return () => {
      routeListeners.delete(setPath);
      window.removeEventListener("popstate", on);
    };
  }, []);
  return path;
}

/** Same-origin links under /web move without reloading the page. */
export function interceptLinks() {
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
    // In-page links (the skip link) keep the browser's own behaviour.
    if (a.getAttribute("href").startsWith("#")) return;
    const url = new URL(a.href, location.href);
    // The public estate pages are whole documents rendered by the server.
    if (url.origin !== location.origin || !url.pathname.startsWith("/web") || url.pathname.startsWith("/web/estates/")) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}

/** The page's title, for the tab and for screen readers when the page changes. */
export function useTitle(title) {
  useEffect(() => {
    document.title = title ? `${title} · 红色物业` : "红色物业";
  }, [title]);
}

// ---- Loading data ----

/** `[data, error, reload]` of an async loader, re-run when `deps` change. */
export function useLoad(loader, deps = []) {
  const [state, setState] = useState({ data: undefined, error: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, error: null }));
    loader().then(
      (data) => live && setState({ data, error: null }),
      (error) => live && setState({ data: undefined, error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return [state.data, state.error, reload];
}

/** Shows the loaded content, a loading line, or the error. */
export function Loaded({ data, error, children }) {
  if (error) return html`<${Alert} error=${error} />`;
  if (data === undefined) return html`<p class="muted" role="status">正在加载……</p>`;
  return children(data);
}

// ---- Messages ----

const CODE_TEXT = {
  invalid_credentials: "用户名或密码不正确。",
  too_many_attempts: "尝试次数过多，请稍后再试。",
  unauthorized: "请先登录。",
  forbidden: "您没有进行此操作的权限。",
  not_found: "未找到该记录，或您无权查看。",
  vote_not_open: "投票当前未开放。",
  validation_failed: "填写的内容有误，请检查标出的项目。",
  precondition_failed: "这条记录在您打开后已被他人修改。请刷新页面，查看最新内容后再保存。",
  precondition_required: "请刷新页面后再保存。",
};

export function problemText(error) {
  if (!error) return "";
  if (error.status === 0 || error instanceof TypeError) return "无法连接服务器，请检查网络。";
  return CODE_TEXT[error.code] || error.message || "操作失败。";
}

/** An error (role=alert, read out at once) or a notice (role=status). */
export function Alert({ error, ok, info }) {
  if (error) {
    const fields = (error.errors || []).filter((f) => f.field);
    return html`<div class="alert error" role="alert">
      <div>${problemText(error)}</div>
      ${fields.length > 0 &&
      html`<ul>
        ${fields.map((f) => html`<li>${f.message}</li>`)}
      </ul>`}
    </div>`;
  }
  if (ok) return html`<div class="alert ok" role="status">${ok}</div>`;
  if (info) return html`<div class="alert info" role="status">${info}</div>`;
  return null;
}

/** A labelled input; `error` is the API's message for this field. */
export function Field({ id, label, hint, error, children }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${children}
    ${hint && html`<span class="hint" id=${id + "-hint"}>${hint}</span>`}
    ${error && html`<span class="field-error" id=${id + "-error"}>${error}</span>`}
  </div>`;
}

/** The message the API gave for one field of a refused body. */
export function fieldError(error, name) {
  const f = error && (error.errors || []).find((e) => e.field === name || (e.field || "").endsWith("." + name));
  return f ? f.message : null;
}

// ---- Formatting ----

// One format everywhere, whatever the browser's language: 2026年12月4日 for a day,
// 2026-12-04 14:30 for a moment, both in China Standard Time.
const PARTS = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});

function cstParts(s) {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return null;
  return Object.fromEntries(PARTS.formatToParts(d).map((p) => [p.type, p.value]));
}

export function dateTime(s) {
  if (!s) return "—";
  const p = cstParts(s);
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : "—";
}

export function date(s) {
  if (!s) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const [y, mo, d] = m ? [m[1], m[2], m[3]] : (() => {
    const p = cstParts(s);
    return p ? [p.year, p.month, p.day] : [null];
  })();
  return y ? `${y}年${Number(mo)}月${Number(d)}日` : "—";
}

/** Area in centi-m² (an integer) as m² with two decimals, computed without floating error. */
/** An entrance as people write it: "1单元" whether the register holds "1" or "1单元". */
export function entrance(e) {
  if (!e) return "";
  return e.endsWith("单元") ? e : `${e}单元`;
}

export function area(centi) {
  if (centi === undefined || centi === null) return "—";
  const n = BigInt(centi);
  const neg = n < 0n;
  const a = neg ? -n : n;
  const whole = (a / 100n).toLocaleString("zh-CN");
  const frac = String(a % 100n).padStart(2, "0");
  return `${neg ? "-" : ""}${whole}.${frac} m²`;
}

/** Basis points as a percentage with two decimals. */
export function percent(bp) {
  if (bp === undefined || bp === null) return "—";
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, "0")}%`;
}

/** Integer share in basis points, rounded down (for drawing only; the API decides). */
export function share(part, whole) {
  if (!whole) return 0;
  return Number((BigInt(part) * 10000n) / BigInt(whole));
}

/** Stars as drawn; 0 (below the lowest band, or vetoed) is written "无星级", not five hollow stars. */
export function stars(n) {
  if (!n) return html`<span class="no-star">无星级</span>`;
  return html`<span class="stars" aria-label=${`${n} 星`}>${"★".repeat(n)}${"☆".repeat(Math.max(0, 5 - n))}</span>`;
}

// ---- Labels of the API's enums ----

export const LABELS = {
  vote_status: { announced: "已公告", open: "投票中", closed: "已结束" },
  outcome: { passed: "通过", failed_quorum: "参与人数或面积不足", rejected: "未通过" },
  choice: { yes: "同意", no: "反对", abstain: "弃权" },
  channel: { online: "线上", paper: "纸质" },
  committee_kind: { owners_committee: "业主委员会", property_management_committee: "物业管理委员会" },
  committee_status: {
    preparing: "筹备中", elected: "已选举", filed: "已备案", active: "履职中",
    dissolving: "解散中", dissolved: "已解散", term_ended: "任期届满",
  },
  member_role: {
    chair: "主任", vice_chair: "副主任", member: "委员", alternate: "候补委员",
    group_leader: "筹备组组长", group_member: "筹备组成员",
  },
  estate_kind: { commercial: "商品房小区", village_built: "村（居）自建小区", work_unit: "单位自管小区" },
  management: { contracted: "物业服务企业", entrusted: "委托管理", self_managed: "业主自管", none: "无物业管理" },
  party_coverage: { own_branch: "单独建立党支部", joint_branch: "联合党支部", instructor: "党建指导员", none: "未覆盖" },
  convenor: { owners_committee: "业主委员会", property_management_committee: "物业管理委员会", street_office: "街道办事处/乡镇政府" },
  candidate_status: { nominated: "已提名", screened: "已筛查", qualified: "合格", not_qualified: "不合格", disqualified: "取消资格" },
  candidate_outcome: { elected: "当选", tied_for_seat: "平票待定", alternate: "候补委员", not_elected: "未当选" },
};

/** The API's own Chinese names of its values (`GET /terms`), inlined into the page by the
 * server: `{"VoteStatus": {"open": "投票中"}, …}`. */
const TERMS = (() => {
  try {
    return JSON.parse(document.getElementById("terms").textContent);
  } catch (e) {
    return {};
  }
})();

const pascal = (kind) => kind.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());

/** What people call a value: this page's wording, else the API's term for it (by the set's
 * schema name or its snake_case form), else the term any set gives that value. */
export function label(kind, value) {
  if (value === undefined || value === null || value === "") return "—";
  if (LABELS[kind] && LABELS[kind][value]) return LABELS[kind][value];
  const set = TERMS[kind] || TERMS[pascal(kind || "")];
  if (set && set[value]) return set[value];
  for (const labels of Object.values(TERMS)) if (labels[value]) return labels[value];
  return value;
}

// ---- Small widgets ----

/** "at least 2/3" / "more than 1/2": a share the API says the rules require. */
export function shareText(r) {
  const names = { "1/2": "二分之一", "2/3": "三分之二", "3/4": "四分之三" };
  const f = names[`${r.numerator}/${r.denominator}`] || `${r.numerator}/${r.denominator}`;
  return r.strictly_more ? `超过${f}` : `不少于${f}`;
}

/** Whether `part` of `whole` reaches a required share, in exact integers (display only: the
 * API's outcome is what counts). */
export function reaches(r, part, whole) {
  const left = BigInt(part) * BigInt(r.denominator);
  const right = BigInt(whole) * BigInt(r.numerator);
  return r.strictly_more ? left > right : left >= right;
}

/** A bar with the required share's line (e.g. turnout against 2/3); the figures are in its
 * accessible name, so a screen reader hears them. */
export function Meter({ label: text, part, whole, required, format = (x) => x }) {
  const bp = share(part, whole);
  const line = required ? Math.floor((required.numerator * 10000) / required.denominator) : null;
  const reached = required && whole > 0 && reaches(required, part, whole);
  const width = Math.min(100, bp / 100);
  const name = `${text}：${format(part)} / ${format(whole)}，${percent(bp)}${required ? `，要求${shareText(required)}，${reached ? "已达到" : "未达到"}` : ""}`;
  return html`<div class="meter" role="img" aria-label=${name} data-part=${part} data-whole=${whole}>
    <div class="caption"><span>${text}</span><span>${format(part)} / ${format(whole)}（${percent(bp)}）</span></div>
    <div class="track">
      <div class=${"fill" + (reached ? " ok" : "")} style=${{ width: `${width}%` }}></div>
      ${required && html`<div class="line" style=${{ left: `${line / 100}%` }} title=${shareText(required)}></div>`}
    </div>
  </div>`;
}

export function Badge({ kind, value }) {
  return html`<span class=${`badge ${value}`}>${label(kind, value)}</span>`;
}

// ---- Asking before what cannot be undone ----

/** Asks in a modal dialog before an act that cannot be undone: what will happen, and that it
 * cannot be taken back. Resolves true when the person chooses `yes`. Chinese buttons whatever
 * the browser's language (the browser's own confirm() would say "OK" and "Cancel"). */
export function confirmAct({ title, body, yes = "确定" }) {
  return new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    const h = document.createElement("h2");
    h.id = "confirm-title";
    h.textContent = title;
    const p = document.createElement("p");
    p.textContent = body;
    const warn = document.createElement("p");
    warn.className = "small muted";
    warn.textContent = "此操作完成后不能撤销。";
    const row = document.createElement("div");
    row.className = "actions";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = "取消";
    const ok = document.createElement("button");
    ok.type = "button";
    ok.className = "confirm-yes";
    ok.textContent = yes;
    row.append(cancel, ok);
    dialog.append(h, p, warn, row);
    document.body.append(dialog);
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener("click", () => done(false));
    ok.addEventListener("click", () => done(true));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    dialog.showModal();
    cancel.focus();
  });
}

// ---- Where a page sits ----

/** Breadcrumbs: [[href, text], …, text of this page]. */
export function Crumbs({ trail }) {
  const last = trail[trail.length - 1];
  return html`<nav class="crumbs" aria-label="当前位置"><ol>
    ${trail.slice(0, -1).map(([href, text]) => html`<li><a href=${href}>${text}</a></li>`)}
    <li aria-current="page">${last}</li>
  </ol></nav>`;
}

/** An empty list says so, and what to do next. */
export function Empty({ children }) {
  return html`<p class="empty muted">${children}</p>`;
}

/** A code or fingerprint in groups of `n` characters, easier to read out and copy by hand. */
export function grouped(text, n = 4) {
  return (String(text || "").match(new RegExp(`.{1,${n}}`, "g")) || []).join(" ");
}

/** A button that copies `text`, and says so beside itself. */
export function CopyButton({ text, label: what = "复制" }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // Without clipboard permission (an older phone browser): select it for a long press.
      const t = document.createElement("textarea");
      t.value = text;
      document.body.append(t);
      t.select();
      document.execCommand("copy");
      t.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 2500);
  };
  return html`<button type="button" class="secondary small-button" onClick=${copy}>${what}</button>
    <span role="status" class="small ok-text">${done ? "已复制" : ""}</span>`;
}

// ---- Tables ----

const collator = new Intl.Collator("zh-CN", { numeric: true });

/** A table sorted by a column the person chooses (Element habits): `[rows sorted, Th]`, where
 * `<Th k="field">` is a header cell that sorts by `row.field`; chosen again, it reverses. */
export function useSorted(rows, initial = null) {
  const [sort, setSort] = useState(initial);
  const value = (row, k) => row[k];
  const sorted = !sort
    ? rows
    : [...rows].sort((a, b) => {
        const [x, y] = [value(a, sort.key), value(b, sort.key)];
        const c = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x ?? ""), String(y ?? ""));
        return c * sort.dir;
      });
  const Th = ({ k, num, children }) => {
    const on = sort && sort.key === k;
    return html`<th scope="col" class=${num ? "num" : ""} aria-sort=${on ? (sort.dir > 0 ? "ascending" : "descending") : "none"}>
      <button type="button" class="sort" onClick=${() => setSort({ key: k, dir: on ? -sort.dir : 1 })}>${children}<span aria-hidden="true">${on ? (sort.dir > 0 ? " ▲" : " ▼") : " ↕"}</span></button>
    </th>`;
  };
  return [sorted, Th];
}

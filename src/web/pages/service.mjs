// Party members and volunteers at home (双报到, 党群服务站, 评选): a resident party member reports in,
// sees their placement, households and hours, and signs up for activities on the phone; the
// community runs report-ins, stations, activities and selections; the bureau and party
// organisations read the figures. Every action is an API call; nothing here decides a rule.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Empty, Field, Loaded, confirmAct, date, dateTime, html, useLoad, useTitle } from "app/ui";

const enc = encodeURIComponent;
const REPORT = { reported: "待社区安排", placed: "已安排", declined: "未接收", withdrawn: "已退出" };
const SIGNUP = { admitted: "已报名", waiting: "候补", checked_in: "已签到", cancelled: "已取消" };
const POST = { unit_leader: "党员单元长", central_household: "党员中心户" };
const SELECTION = { nominating: "推荐中", publicity: "公示中", decided: "已公布结果" };
const ACTIVITY = { announced: "报名中", held: "已举办", cancelled: "已取消" };
const NOMINATOR = { company: "物业服务企业推荐", committee: "业委会推荐", resident: "居民推荐", party_org: "党组织推荐" };

/** Runs an action, shows its problem, reloads. */
function useAct(reload) {
  const [err, setErr] = useState(null);
  const [ok, setOk] = useState(null);
  const act = async (fn, done) => {
    setErr(null);
    setOk(null);
    try {
      await fn();
      if (done) setOk(done);
      reload();
    } catch (e) {
      setErr(e);
    }
  };
  return [act, html`<${Alert} error=${err} ok=${ok} />`];
}

function Activities({ items, act, mine }) {
  if (!items.length) return html`<${Empty}>近期没有活动。<//>`;
  return html`<ul class="plain">${items.map((a) => {
    const s = a.my_signup && a.my_signup.status !== "cancelled" ? a.my_signup : null;
    return html`<li>
      <a href=${`/web/activities/${enc(a.id)}`}><strong>${a.title}</strong></a>
      <div class="small muted">${dateTime(a.starts_at)} · ${a.place} · 名额 ${a.cap}，已报名 ${a.admitted}，候补 ${a.waiting}</div>
      ${mine && a.status === "announced" && (s
        ? html`<p>${SIGNUP[s.status]}${s.waiting_position ? `（候补第 ${s.waiting_position} 位）` : ""}
            <button class="secondary" onClick=${() => act(() => api.post(`/activity-signups/${enc(s.id)}/cancel`), "已取消报名")}>取消报名</button></p>`
        : html`<button onClick=${() => act(() => api.post(`/activities/${enc(a.id)}/signups`), "报名已提交")}>报名</button>`)}
    </li>`;
  })}</ul>`;
}

/** The resident's part: report in, placement and households, the year's hours, activities. */
function Mine() {
  const [data, error, reload] = useLoad(async () => {
    const [me, acts, estates] = await Promise.all([api.get("/me/service"), api.get("/me/activities"), api.get("/estates?limit=20")]);
    return { me, acts: acts.items, estates: estates.items };
  });
  const [act, alert] = useAct(reload);
  const [form, setForm] = useState({ own_org_name: "", skills: "", availability: "" });
  return html`<${Loaded} data=${data} error=${error}>${(d) => {
    const communities = [...new Set(d.estates.map((e) => e.community_id))];
    const standing = d.me.reports.filter((r) => r.status === "reported" || r.status === "placed");
    const submit = (e) => {
      e.preventDefault();
      const skills = form.skills.split(/[,，、\s]+/).filter(Boolean);
      act(() => api.post(`/communities/${enc(communities[0])}/member-reports`, { own_org_name: form.own_org_name, skills, availability: form.availability }), "报到已提交，等待社区安排");
    };
    return html`${alert}
      <section class="card" aria-labelledby="mine-h"><h2 id="mine-h">我的报到</h2>
        ${d.me.reports.length === 0 && html`<${Empty}>尚未向社区报到。<//>`}
        <ul class="plain">${d.me.reports.map((r) => html`<li>
          <strong>${REPORT[r.status]}</strong> · ${r.own_org_name}
          ${r.placement_org_name && html`<div>安排在 ${r.placement_org_name}${r.post ? ` · ${POST[r.post]}` : ""}</div>`}
          ${r.households && r.households.length > 0 && html`<div class="small">包联户：${r.households.map((h) => h.label).join("；")}</div>`}
          ${r.decline_reason && html`<div class="small muted">原因：${r.decline_reason}</div>`}
        </li>`)}</ul>
        ${standing.length === 0 && communities.length > 0 && html`<form onSubmit=${submit}>
          <${Field} id="org" label="所在党组织"><input id="org" required maxlength="100" value=${form.own_org_name} onInput=${(e) => setForm({ ...form, own_org_name: e.target.value })} /><//>
          <${Field} id="skills" label="特长（用逗号分隔）"><input id="skills" value=${form.skills} onInput=${(e) => setForm({ ...form, skills: e.target.value })} /><//>
          <${Field} id="avail" label="可服务时间"><input id="avail" maxlength="200" value=${form.availability} onInput=${(e) => setForm({ ...form, availability: e.target.value })} /><//>
          <button type="submit">到社区报到</button>
        </form>`}
      </section>
      <section class="card" aria-labelledby="hours-h"><h2 id="hours-h">${d.me.year.year} 年服务时长</h2>
        <p><strong>${d.me.year.hours}</strong> 小时 · ${d.me.year.points} 积分 · ${d.me.year.services} 次服务</p>
        <p class="small muted">时长在服务对象确认后（集体活动由社区确认后）记入。</p>
      </section>
      <section class="card" aria-labelledby="acts-h"><h2 id="acts-h">社区活动</h2>
        <${Activities} items=${d.acts} act=${act} mine=${true} />
      </section>`;
  }}<//>`;
}

/** A community's report-ins: place or decline. */
function Reports({ community, act, tick }) {
  const [data, error] = useLoad(async () => {
    const [list, chain] = await Promise.all([
      api.get(`/communities/${enc(community)}/member-reports?limit=50`),
      api.get(`/communities/${enc(community)}/placement-chain`),
    ]);
    return { list: list.items, nodes: chain.nodes.filter((n) => n.kind !== "community") };
  }, [community, tick]);
  const [where, setWhere] = useState({});
  return html`<${Loaded} data=${data} error=${error}>${(d) => html`
    ${d.list.length === 0 && html`<${Empty}>还没有党员报到。<//>`}
    <table><caption class="sr-only">报到党员</caption><thead><tr><th scope="col">姓名</th><th scope="col">所在党组织</th><th scope="col">状态</th><th scope="col">安排</th></tr></thead><tbody>
    ${d.list.map((r) => html`<tr><td>${r.name}</td><td>${r.own_org_name}</td><td>${REPORT[r.status]}</td><td>
      ${r.status === "reported" && d.nodes.length > 0 ? html`
        <label class="sr-only" for=${`p-${r.id}`}>安排到</label>
        <select id=${`p-${r.id}`} value=${where[r.id] || ""} onChange=${(e) => setWhere({ ...where, [r.id]: e.target.value })}>
          <option value="">选择网格党支部或楼栋党小组</option>
          ${d.nodes.map((n) => html`<option value=${n.org_id}>${n.name}</option>`)}
        </select>
        <button disabled=${!where[r.id]} onClick=${() => act(() => api.post(`/member-reports/${enc(r.id)}/place`, { placement_org_id: where[r.id] }), "已安排")}>安排</button>
        <button class="secondary" onClick=${async () => {
          const reason = window.prompt("不予接收的原因");
          if (reason) act(() => api.post(`/member-reports/${enc(r.id)}/decline`, { reason }), "已处理");
        }}>不予接收</button>` : r.placement_org_name || "—"}
    </td></tr>`)}
    </tbody></table>`}<//>`;
}

/** A community's stations and the county's standard, item by item. */
function Stations({ community, act, tick }) {
  const [data, error, reload] = useLoad(() => api.get(`/orgs/${enc(community)}/stations?limit=50`), [community, tick]);
  const [form, setForm] = useState({ code: "", name: "", address: "", opening_hours: "" });
  const create = (e) => {
    e.preventDefault();
    act(async () => {
      await api.post(`/communities/${enc(community)}/stations`, form);
      reload();
    }, "服务站已登记");
  };
  return html`<${Loaded} data=${data} error=${error}>${(d) => html`
    <ul class="plain">${d.items.map((s) => html`<li><strong>${s.code} ${s.name}</strong> · ${s.address} · ${s.opening_hours}
      <div class="small">${s.meets_standard ? "已达标" : "未达标"}：${s.items.map((i) => `${i.name}${i.evidenced ? "✓" : "✗"}`).join(" ")}</div>
      ${s.items.filter((i) => !i.evidenced).length > 0 && html`<div class="small">
        ${s.items.filter((i) => !i.evidenced).map((i) => html`<button class="secondary" onClick=${() => {
          const note = window.prompt(`${i.name}：落实情况`);
          if (note) act(async () => { await api.put(`/stations/${enc(s.id)}/evidence/${enc(i.code)}`, { note, attachment_ids: [] }); reload(); }, "已记录");
        }}>补充${i.name}</button>`)}</div>`}
    </li>`)}</ul>
    <form onSubmit=${create}><h3>登记服务站</h3>
      <${Field} id="st-code" label="编号"><input id="st-code" required pattern="[A-Za-z0-9-]+" maxlength="32" value=${form.code} onInput=${(e) => setForm({ ...form, code: e.target.value })} /><//>
      <${Field} id="st-name" label="名称"><input id="st-name" required maxlength="100" value=${form.name} onInput=${(e) => setForm({ ...form, name: e.target.value })} /><//>
      <${Field} id="st-addr" label="地址"><input id="st-addr" required maxlength="200" value=${form.address} onInput=${(e) => setForm({ ...form, address: e.target.value })} /><//>
      <${Field} id="st-hours" label="开放时间"><input id="st-hours" required maxlength="200" value=${form.opening_hours} onInput=${(e) => setForm({ ...form, opening_hours: e.target.value })} /><//>
      <button type="submit">登记</button>
    </form>`}<//>`;
}

/** A community's activities: announce one. */
function CommunityActivities({ community, act, tick }) {
  const [data, error, reload] = useLoad(() => api.get(`/communities/${enc(community)}/activities?limit=20`), [community, tick]);
  const [form, setForm] = useState({ title: "", place: "", starts_at: "", hours: "2", cap: "30" });
  const create = (e) => {
    e.preventDefault();
    const start = new Date(form.starts_at);
    const end = new Date(start.getTime() + Number(form.hours) * 3600e3);
    act(async () => {
      await api.post(`/communities/${enc(community)}/activities`, { title: form.title, description: "", place: form.place, starts_at: start.toISOString(), ends_at: end.toISOString(), cap: Number(form.cap) });
      reload();
    }, "活动已发布，并已通知居民");
  };
  return html`<${Loaded} data=${data} error=${error}>${(d) => html`
    <${Activities} items=${d.items} act=${act} mine=${false} />
    <form onSubmit=${create}><h3>发布活动</h3>
      <${Field} id="ac-title" label="活动名称"><input id="ac-title" required maxlength="100" value=${form.title} onInput=${(e) => setForm({ ...form, title: e.target.value })} /><//>
      <${Field} id="ac-place" label="地点"><input id="ac-place" required maxlength="200" value=${form.place} onInput=${(e) => setForm({ ...form, place: e.target.value })} /><//>
      <${Field} id="ac-start" label="开始时间"><input id="ac-start" type="datetime-local" required value=${form.starts_at} onInput=${(e) => setForm({ ...form, starts_at: e.target.value })} /><//>
      <${Field} id="ac-hours" label="时长（小时）"><input id="ac-hours" type="number" min="1" max="72" value=${form.hours} onInput=${(e) => setForm({ ...form, hours: e.target.value })} /><//>
      <${Field} id="ac-cap" label="名额"><input id="ac-cap" type="number" min="1" max="10000" value=${form.cap} onInput=${(e) => setForm({ ...form, cap: e.target.value })} /><//>
      <button type="submit">发布</button>
    </form>`}<//>`;
}

function Selections({ org, act, runs, tick }) {
  const [data, error, reload] = useLoad(() => api.get(`/orgs/${enc(org)}/selections?limit=20`), [org, tick]);
  const create = () => {
    const title = window.prompt("评选名称（如：2026年度最美物业人）");
    if (title) act(async () => { await api.post(`/orgs/${enc(org)}/selections`, { kind: "best_service_worker", title, description: "", year: new Date().getFullYear() }); reload(); }, "评选已开始接受推荐");
  };
  return html`<${Loaded} data=${data} error=${error}>${(d) => html`
    ${d.items.length === 0 && html`<${Empty}>暂无评选。<//>`}
    <ul class="plain">${d.items.map((s) => html`<li><a href=${`/web/selections/${enc(s.id)}`}>${s.title}</a> · ${SELECTION[s.status]}</li>`)}</ul>
    ${runs && html`<button class="secondary" onClick=${create}>发起评选</button>`}`}<//>`;
}

function Figures({ org, tick }) {
  const [data, error] = useLoad(() => api.get(`/orgs/${enc(org)}/service-figures`), [org, tick]);
  return html`<${Loaded} data=${data} error=${error}>${(f) => html`
    <dl class="figures">
      <div><dt>报到党员</dt><dd>${f.members_reported}（已安排 ${f.members_placed}）</dd></div>
      <div><dt>党群服务站</dt><dd>${f.stations}（达标 ${f.stations_meeting_standard}）</dd></div>
      <div><dt>活动</dt><dd>${f.activities} 场，服务 ${f.people_served} 人次</dd></div>
      <div><dt>服务时长</dt><dd>${f.hours} 小时 · ${f.points} 积分</dd></div>
    </dl>
    ${f.communities.length > 1 && html`<table><caption>各社区</caption><thead><tr><th scope="col">社区</th><th scope="col">报到</th><th scope="col">服务站（达标）</th><th scope="col">活动</th><th scope="col">服务人次</th><th scope="col">时长（分钟）</th></tr></thead><tbody>
      ${f.communities.map((c) => html`<tr><td>${c.name}</td><td>${c.members_reported}</td><td>${c.stations}（${c.stations_meeting_standard}）</td><td>${c.activities}</td><td>${c.people_served}</td><td>${c.minutes}</td></tr>`)}
    </tbody></table>`}`}<//>`;
}

/** The officials' part, one organisation at a time. */
function Office({ org }) {
  const [data, error] = useLoad(() => api.get(`/orgs/${enc(org)}`), [org]);
  // Each part reads its own list; an action anywhere reads them all again.
  const [tick, setTick] = useState(0);
  const [act, alert] = useAct(() => setTick((t) => t + 1));
  return html`<${Loaded} data=${data} error=${error}>${(o) => html`
    <h2>${o.name}</h2>${alert}
    <section class="card" aria-label="数据"><h3>党员和志愿服务数据</h3><${Figures} org=${org} tick=${tick} /></section>
    ${o.kind === "community" && html`
      <section class="card" aria-label="报到"><h3>在职党员报到</h3><${Reports} community=${org} act=${act} tick=${tick} /></section>
      <section class="card" aria-label="服务站"><h3>党群服务站</h3><${Stations} community=${org} act=${act} tick=${tick} /></section>
      <section class="card" aria-label="活动"><h3>社区活动</h3><${CommunityActivities} community=${org} act=${act} tick=${tick} /></section>`}
    <section class="card" aria-label="评选"><h3>评选</h3><${Selections} org=${org} act=${act} runs=${true} tick=${tick} /></section>`}<//>`;
}

export function ServicePage() {
  useTitle("党员志愿服务");
  const offices = [...api.scopes("party_org"), ...api.scopes("bureau")];
  return html`<main id="main" tabindex="-1" class="page"><h1>党员志愿服务</h1>
    ${api.hasRole("owner") && html`<${Mine} />`}
    ${offices.map((o) => html`<${Office} key=${o} org=${o} />`)}
  </main>`;
}

/** One activity: sign up (a resident), or run it (the community: sign-ups, check-in, hours). */
export function ActivityPage({ id }) {
  useTitle("社区活动");
  const [data, error, reload] = useLoad(async () => {
    const a = await api.get(`/activities/${enc(id)}`);
    let signups = null;
    try {
      signups = (await api.get(`/activities/${enc(id)}/signups?limit=200`)).items;
    } catch (e) {
      signups = null;
    }
    return { a, signups };
  }, [id]);
  const [act, alert] = useAct(reload);
  return html`<main id="main" tabindex="-1" class="page"><${Loaded} data=${data} error=${error}>${({ a, signups }) => html`
    <h1>${a.title}</h1>${alert}
    <p>${dateTime(a.starts_at)} 至 ${dateTime(a.ends_at)} · ${a.place}</p>
    <p>名额 ${a.cap} · 已报名 ${a.admitted} · 候补 ${a.waiting} · 已签到 ${a.checked_in} · ${ACTIVITY[a.status]}</p>
    ${a.description && html`<p>${a.description}</p>`}
    ${api.hasRole("owner") && html`<${Activities} items=${[a]} act=${act} mine=${true} />`}
    ${signups && html`<section class="card" aria-labelledby="su-h"><h2 id="su-h">报名名单</h2>
      ${signups.length === 0 && html`<${Empty}>还没有人报名。<//>`}
      <ol>${signups.map((s) => html`<li>${s.name} · ${SIGNUP[s.status]}
        ${s.status === "admitted" && html`<button class="secondary" onClick=${() => act(() => api.post(`/activity-signups/${enc(s.id)}/check-in`), "已签到")}>签到</button>`}</li>`)}</ol>
    </section>`}`}<//></main>`;
}

/** One selection: nominate, object (signed), and for the organiser shortlist, answer, decide. */
export function SelectionPage({ id }) {
  useTitle("评选");
  const [data, error, reload] = useLoad(async () => {
    const s = await api.get(`/selections/${enc(id)}`);
    const nominations = (await api.get(`/selections/${enc(id)}/nominations`)).items;
    return { s, nominations };
  }, [id]);
  const [act, alert] = useAct(reload);
  const [picked, setPicked] = useState([]);
  return html`<main id="main" tabindex="-1" class="page"><${Loaded} data=${data} error=${error}>${({ s, nominations }) => {
    const runs = api.hasRole("bureau") || api.hasRole("party_org") || api.hasRole("admin");
    const nominate = () => {
      const name = window.prompt("被推荐人姓名");
      const reason = name && window.prompt("推荐理由");
      if (reason) act(() => api.post(`/selections/${enc(s.id)}/nominations`, { nominee_name: name, reason }), "推荐已提交");
    };
    const object = (n) => {
      const text = window.prompt(`对“${n.nominee_name}”的异议（实名）`);
      const signature = text && window.prompt("署名");
      if (signature) act(() => api.post(`/selections/${enc(s.id)}/objections`, { nomination_id: n.id, text, signature }), "异议已提交");
    };
    return html`<h1>${s.title}</h1>${alert}
      <p>${s.org_name} · ${SELECTION[s.status]}${s.publicity_ends_at && s.status === "publicity" ? ` · 公示至 ${dateTime(s.publicity_ends_at)} 前` : ""}</p>
      ${s.status === "nominating" && html`<button onClick=${nominate}>推荐</button>`}
      ${s.shortlist.length > 0 && html`<section class="card" aria-labelledby="sl-h"><h2 id="sl-h">${s.status === "decided" ? "评选结果" : "公示名单"}</h2>
        <ul class="plain">${s.shortlist.filter((n) => s.status !== "decided" || n.winner).map((n) => html`<li><strong>${n.nominee_name}</strong>${n.company_name ? `（${n.company_name}）` : ""}${n.disqualified ? " · 异议成立，已取消资格" : ""}
          <div class="small">${n.reason}</div>
          ${s.status === "publicity" && api.hasRole("owner") && html`<button class="secondary" onClick=${() => object(n)}>提出异议</button>`}</li>`)}</ul>
        ${s.decision && html`<p class="small">${s.decision}</p>`}</section>`}
      ${s.objections.length > 0 && html`<section class="card" aria-labelledby="ob-h"><h2 id="ob-h">异议与答复</h2>
        <ul class="plain">${s.objections.map((o) => html`<li>${o.text}${o.signature ? ` —— ${o.signature}` : ""}
          <div class="small">${o.answer ? `${o.upheld ? "异议成立" : "异议不成立"}：${o.answer}` : `待答复（${date(o.answer_due)}前）`}</div>
          ${runs && !o.answer && html`<button class="secondary" onClick=${() => {
            const answer = window.prompt("答复");
            if (answer) act(() => api.post(`/selection-objections/${enc(o.id)}/answer`, { upheld: window.confirm("异议是否成立？"), answer }), "已答复");
          }}>答复</button>`}</li>`)}</ul></section>`}
      ${runs && nominations.length > 0 && html`<section class="card" aria-labelledby="nm-h"><h2 id="nm-h">全部推荐</h2>
        <ul class="plain">${nominations.map((n) => html`<li><label><input type="checkbox" checked=${picked.includes(n.id)} onChange=${(e) => setPicked(e.target.checked ? [...picked, n.id] : picked.filter((x) => x !== n.id))} /> ${n.nominee_name}${n.company_name ? `（${n.company_name}）` : ""} · ${NOMINATOR[n.nominator_kind]}</label></li>`)}</ul>
        ${s.status === "nominating" && html`<button disabled=${picked.length === 0} onClick=${() => act(() => api.post(`/selections/${enc(s.id)}/shortlist`, { nomination_ids: picked }), "名单已公示")}>公示所选</button>`}
        ${s.status === "publicity" && html`<button disabled=${picked.length === 0} onClick=${async () => {
          const decision = window.prompt("决定（公布的文字）");
          if (decision && (await confirmAct({ title: "公布评选结果", body: "公布后不可更改。" }))) act(() => api.post(`/selections/${enc(s.id)}/decide`, { winner_ids: picked, decision }), "结果已公布");
        }}>公布所选为获选者</button>`}
      </section>`}`;
  }}<//></main>`;
}

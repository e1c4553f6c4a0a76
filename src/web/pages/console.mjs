// Committees and communities: their estates, convening a vote (announce, open, live turnout
// against the 2/3 line, paper ballots with a scan, extension, the result against each threshold).

import { useEffect, useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Badge, Crumbs, Empty, Field, Loaded, Meter, area, confirmAct, dateTime, fieldError, html, label, navigate, useLoad, useTitle } from "app/ui";
import { NoticeTotals } from "app/notices";
import { ActionBoard } from "app/actions";
import { EstateRatingInputs } from "app/estate_rating";
import { ResultBars } from "app/results";
import { Chart } from "app/charts";
import { CommitteePanel } from "app/committees";
import { CATEGORIES as LEDGER_CATEGORIES, STATUS as LEDGER_STATUS } from "app/ledger";

const enc = encodeURIComponent;

/** The nine matter categories of Civil Code Art. 278. */
const CATEGORIES = [
  "制定和修改业主大会议事规则",
  "制定和修改管理规约",
  "选举业主委员会或者更换业主委员会成员",
  "选聘和解聘物业服务企业或者其他管理人",
  "使用建筑物及其附属设施的维修资金",
  "筹集建筑物及其附属设施的维修资金",
  "改建、重建建筑物及其附属设施",
  "改变共有部分的用途或者利用共有部分从事经营活动",
  "有关共有和共同管理权利的其他重大事项",
];

export function ConsoleHome() {
  useTitle("工作台");
  const [cursor, setCursor] = useState(null);
  const [pages, setPages] = useState([]);
  const [filter, setFilter] = useState("");
  const [data, error] = useLoad(async () => {
    const page = await api.get(`/estates?limit=50${cursor ? `&cursor=${enc(cursor)}` : ""}`);
    setPages((p) => [...p, ...page.items]);
    return page;
  }, [cursor]);
  const shown = pages.filter((e) => !filter || e.name.includes(filter) || (e.address || "").includes(filter));
  return html`<main id="main" tabindex="-1" class="page">
    <${Crumbs} trail=${["工作台"]} />
    <h1>工作台</h1>
    <section class="card" aria-labelledby="estates-h">
      <h2 id="estates-h">我负责的小区</h2>
      <${Field} id="estate-filter" label="按名称或地址筛选">
        <input id="estate-filter" type="search" value=${filter} onInput=${(e) => setFilter(e.target.value)} />
      <//>
      <${Alert} error=${error} />
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">小区</th><th scope="col">类型</th><th scope="col">管理方式</th><th scope="col">公示栏</th></tr></thead>
        <tbody>${shown.map((e) => html`<tr>
          <td><a href=${`/web/console/estates/${enc(e.id)}`}>${e.name}</a></td>
          <td>${label("estate_kind", e.kind)}</td>
          <td>${label("management", e.management_mode)}</td>
          <td><a href=${`/web/estates/${enc(e.id)}`}>查看</a></td>
        </tr>`)}</tbody>
      </table></div>
      ${data && data.next_cursor && html`<div class="actions"><button class="secondary" onClick=${() => setCursor(data.next_cursor)}>加载更多</button></div>`}
    </section>
    ${api.scopes("party_org").map((org) => html`<${ActionBoard} source=${`/orgs/${enc(org)}/action-items`} title="本社区的督办事项" />`)}
  </main>`;
}

export function EstateConsole({ id }) {
  const [data, error, reload] = useLoad(async () => ({
    estate: await api.get(`/estates/${enc(id)}`),
    votes: (await api.get(`/estates/${enc(id)}/votes`)).items,
    meetings: (await api.get(`/estates/${enc(id)}/meetings?limit=20`)).items,
    committees: (await api.get(`/estates/${enc(id)}/committees`)).items,
    ledger: (await api.get(`/estates/${enc(id)}/ledger-items?limit=50`)).items,
  }), [id]);
  useTitle(data ? data.estate.name : "小区");
  return html`<main id="main" tabindex="-1" class="page">
    <${Loaded} data=${data} error=${error}>${(d) => html`
      <${Crumbs} trail=${[["/web/console", "工作台"], d.estate.name]} />
      <h1>${d.estate.name}</h1>
      <nav class="subnav" aria-label="小区事务">
        <a class="button secondary" href=${`/web/console/estates/${enc(id)}/activation`}>业主激活码</a>
        <a class="button secondary" href=${`/web/estates/${enc(id)}`}>公示栏</a>
        <a class="button secondary" href=${`/web/accounts/${enc(id)}`}>阳光账目</a>
        ${(api.hasRole("party_org") || api.hasRole("bureau") || api.hasRole("admin")) && html`<a class="button secondary" href=${`/web/registry/estates/${enc(id)}`}>房屋和业主登记</a>`}
      </nav>
      <div class="grid two">
        <${CommitteePanel} estate=${d.estate} committees=${d.committees} done=${reload} />
        <section class="card" aria-labelledby="ledger-h">
          <h2 id="ledger-h">问题台账</h2>
          ${d.ledger.length === 0 && html`<${Empty}>暂无报事。业主在手机上报事后会出现在这里，由社区派单。<//>`}
          <ul class="plain">${d.ledger.map((i) => html`<li><a href=${`/web/ledger/${enc(i.id)}`}>${i.title}</a>
            <span class="badge">${LEDGER_STATUS[i.status] || label("", i.status)}</span>${i.overdue ? html` <span class="badge bad">已逾期</span>` : ""}
            <div class="small muted">${LEDGER_CATEGORIES[i.category] || label("", i.category)} · ${dateTime(i.created_at)}</div></li>`)}</ul>
        </section>
        <section class="card" aria-labelledby="votes-h">
          <h2 id="votes-h">表决</h2>
          ${d.votes.length === 0 && html`<${Empty}>暂无表决。在右侧“发布表决公告”发起第一项表决。<//>`}
          <ul class="plain">${d.votes.map((v) => html`<li>
            <a href=${`/web/console/votes/${enc(v.id)}`}>${v.title}</a> <${Badge} kind="vote_status" value=${v.status} />
            <div class="small muted">${dateTime(v.opens_at)} — ${dateTime(v.closes_at)}</div>
          </li>`)}</ul>
        </section>
        <${AnnounceVote} estateId=${id} done=${reload} />
        <section class="card" aria-labelledby="meetings-h">
          <h2 id="meetings-h">联席会议</h2>
          ${d.meetings.length === 0 && html`<${Empty}>暂无会议。社区党组织每月召开一次联席会议。<//>`}
          <ul class="plain">${d.meetings.map((m) => html`<li><a href=${`/web/meetings/${enc(m.id)}`}>${m.title}</a><div class="small muted">${dateTime(m.starts_at)} · ${m.place}</div></li>`)}</ul>
        </section>
        ${api.hasRole("party_org") && html`<${ConveneMeeting} estate=${d.estate} committees=${d.committees} ledger=${d.ledger} done=${reload} />`}
      </div>
      <${ActionBoard} source=${`/estates/${enc(id)}/action-items`} />
      <${EstateRatingInputs} estate=${d.estate} />`}<//>
  </main>`;
}

/** A joint meeting of the estate: the community's party organisation convenes the committee
 * and the serving company; the agenda is one item per line. */
function ConveneMeeting({ estate, committees, ledger, done }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const parties = [{ kind: "party_org", party_id: estate.community_id }];
    const live = committees.find((c) => !["dissolved", "term_ended"].includes(c.status));
    if (live) parties.push({ kind: "committee", party_id: live.id });
    if (estate.current_company_id) parties.push({ kind: "company", party_id: estate.current_company_id });
    // Ledger items tabled first (each its own agenda item), then the free lines.
    const tabled = f.getAll("tabled").map((id) => ledger.find((i) => i.id === id)).filter(Boolean);
    const agenda = [
      ...tabled.map((i) => ({ title: i.title, ledger_item_id: i.id })),
      ...String(f.get("agenda")).split("\n").map((t) => t.trim()).filter(Boolean).map((title) => ({ title })),
    ];
    try {
      const m = await api.post("/meetings", {
        kind: "joint_monthly", convenor_org_id: estate.community_id, estate_id: estate.id,
        title: f.get("title"), starts_at: cst(f.get("starts_at")), place: f.get("place"), parties, agenda,
      });
      done();
      navigate(`/web/meetings/${enc(m.id)}`);
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="convene-h">
    <h2 id="convene-h">召开联席会议</h2>
    <p class="hint">社区党组织召集，业委会（物管会）和物业企业参加。</p>
    <form onSubmit=${submit}>
      <${Field} id="m-title" label="会议名称" error=${fieldError(error, "title")}><input id="m-title" name="title" required maxlength="200" /><//>
      <${Field} id="m-starts" label="时间（北京时间）" error=${fieldError(error, "starts_at")}><input id="m-starts" name="starts_at" type="datetime-local" required /><//>
      <${Field} id="m-place" label="地点"><input id="m-place" name="place" required maxlength="200" /><//>
      ${ledger.some((i) => i.status !== "confirmed") && html`<fieldset><legend>从问题台账列入议程</legend>
        ${ledger.filter((i) => i.status !== "confirmed").map((i) => html`<label class="choice"><input type="checkbox" name="tabled" value=${i.id} />${i.title}${i.overdue ? "（已逾期）" : ""}</label>`)}
      </fieldset>`}
      <${Field} id="m-agenda" label="其他议程（每行一项）" error=${fieldError(error, "agenda")}><textarea id="m-agenda" name="agenda"></textarea><//>
      <div class="actions"><button type="submit">召开会议</button></div>
      <${Alert} error=${error} />
    </form>
  </section>`;
}

/** `datetime-local` (China Standard Time, as people read clocks here) → RFC 3339. */
function cst(local) {
  return local ? `${local}:00+08:00` : undefined;
}

function AnnounceVote({ estateId, done }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    setOk(null);
    try {
      const v = await api.post(`/estates/${enc(estateId)}/votes`, {
        category: Number(f.get("category")),
        title: f.get("title"),
        question: f.get("question"),
        kind: "question",
        convenor: f.get("convenor"),
        opens_at: cst(f.get("opens_at")),
        closes_at: cst(f.get("closes_at")),
      });
      setOk(`已发布表决公告：${v.title}`);
      e.target.reset();
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="announce-h">
    <h2 id="announce-h">发布表决公告</h2>
    <p class="hint">投票开始前须公告满规定天数（自公告录入次日起算）。</p>
    <form onSubmit=${submit}>
      <${Field} id="category" label="事项类别（民法典第二百七十八条）" error=${fieldError(error, "category")}>
        <select id="category" name="category">${CATEGORIES.map((c, i) => html`<option value=${i + 1}>${i + 1}. ${c}</option>`)}</select>
      <//>
      <${Field} id="title" label="标题" error=${fieldError(error, "title")}><input id="title" name="title" required maxlength="200" /><//>
      <${Field} id="question" label="表决事项" error=${fieldError(error, "question")}><textarea id="question" name="question" required maxlength="5000"></textarea><//>
      <${Field} id="convenor" label="召集人">
        <select id="convenor" name="convenor">${["owners_committee", "property_management_committee", "street_office"].map((c) => html`<option value=${c}>${label("convenor", c)}</option>`)}</select>
      <//>
      <${Field} id="opens_at" label="开始投票（北京时间）" error=${fieldError(error, "opens_at")}><input id="opens_at" name="opens_at" type="datetime-local" required /><//>
      <${Field} id="closes_at" label="结束投票（北京时间）" error=${fieldError(error, "closes_at")}><input id="closes_at" name="closes_at" type="datetime-local" required /><//>
      <div class="actions"><button type="submit">发布公告</button></div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
}

async function loadConsoleVote(id) {
  const vote = await api.get(`/votes/${enc(id)}`);
  const turnout = vote.status === "open" ? await api.get(`/votes/${enc(id)}/turnout`) : null;
  const result = vote.status === "closed" ? await api.get(`/votes/${enc(id)}/result`) : null;
  return { vote, turnout, result };
}

export function VoteConsole({ id }) {
  const [data, error, reload] = useLoad(() => loadConsoleVote(id), [id]);
  // Live turnout: read again every 10 seconds while the vote is open.
  useEffect(() => {
    if (!data || data.vote.status !== "open") return;
    const t = setInterval(reload, 10000);
    return () => clearInterval(t);
  }, [data && data.vote.status]);
  useTitle(data ? data.vote.title : "表决");
  return html`<main id="main" tabindex="-1" class="page">
    ${data && html`<${Crumbs} trail=${[["/web/console", "工作台"], [`/web/console/estates/${enc(data.vote.estate_id)}`, "小区"], data.vote.title]} />`}
    <${Loaded} data=${data} error=${error}>${(d) => html`<${VoteDesk} ...${d} reload=${reload} />`}<//>
  </main>`;
}

function VoteDesk({ vote: v, turnout, result, reload }) {
  const [error, setError] = useState(null);
  const open = async () => {
    setError(null);
    const sure = await confirmAct({ title: "开始投票", body: `开始“${v.title}”的投票：业主名册和面积随即冻结，此后登记的变化不影响本次表决。`, yes: "开始投票" });
    if (!sure) return;
    try {
      await api.post(`/votes/${enc(v.id)}/opening`, {});
      reload();
    } catch (err) {
      setError(err);
    }
  };
  return html`
    <h1>${v.title} <${Badge} kind="vote_status" value=${v.status} /></h1>
    <p>${v.question}</p>
    <p class="small muted">第 ${v.category} 类事项 · 召集：${label("convenor", v.convenor)} · ${dateTime(v.opens_at)} — ${dateTime(v.closes_at)}</p>
    ${v.extension_reason && html`<p class="small">已延长：${v.extension_reason}</p>`}
    ${v.roll_fingerprint && html`<p class="small">名册 ${area(v.total_area_centi_m2)}，${v.total_heads} 人；指纹 <span class="mono">${v.roll_fingerprint}</span></p>`}
    <${NoticeTotals} totals=${v.notice} proof=${true} />
    <${Alert} error=${error} />
    ${v.status === "announced" && html`<div class="actions"><button onClick=${open}>开始投票（冻结名册）</button></div>`}
    ${turnout && html`<div class="grid two">
      <${Turnout} turnout=${turnout} />
      <div>
        <${PaperBallot} vote=${v} done=${reload} />
        <${Extend} vote=${v} done=${reload} />
      </div>
    </div>`}
    ${result && html`<section class="card"><h2>表决结果</h2><${ResultBars} result=${result} /></section>`}`;
}

const TWO_THIRDS = { numerator: 2, denominator: 3, strictly_more: false };

function Turnout({ turnout: t }) {
  const pct = (part, whole) => (whole ? Math.floor((Number(part) * 10000) / Number(whole)) / 100 : 0);
  const people = (x) => `${x} 人`;
  return html`<section class="card" aria-labelledby="turnout-h">
    <h2 id="turnout-h">实时参与情况</h2>
    <${Chart} id="turnout-chart" title="参与表决比例（%）" unit="%" max=${100} line=${66.67} lineLabel="三分之二"
      data=${[
        { name: "专有部分面积", value: pct(t.voted_area_centi_m2, t.total_area_centi_m2) },
        { name: "业主人数", value: pct(t.voted_heads, t.total_heads) },
      ]} />
    <${Meter} label="已投票面积" part=${t.voted_area_centi_m2} whole=${t.total_area_centi_m2} required=${TWO_THIRDS} format=${area} />
    <${Meter} label="已投票人数" part=${t.voted_heads} whole=${t.total_heads} required=${TWO_THIRDS} format=${people} />
    <p class="small muted">每 10 秒自动刷新。</p>
  </section>`;
}

function PaperBallot({ vote: v, done }) {
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState([]);
  const find = async () => {
    setError(null);
    try {
      // Owners by the name on the ballot, then their entries on the frozen roll (in pages).
      const owners = (await api.get(`/estates/${enc(v.estate_id)}/owners?limit=20&name_prefix=${enc(query.trim())}`)).items;
      const names = new Map(owners.map((o) => [o.id, o.name]));
      const found = [];
      let cursor = null;
      do {
        const page = await api.get(`/votes/${enc(v.id)}/roll?limit=200${cursor ? `&cursor=${enc(cursor)}` : ""}`);
        for (const r of page.items) {
          const ids = r.voter_key.startsWith("owners:") ? r.voter_key.slice(7).split(",") : [];
          const who = ids.filter((id) => names.has(id)).map((id) => names.get(id));
          if (who.length > 0) found.push({ ...r, who: who.join("、") });
        }
        cursor = page.next_cursor;
      } while (cursor && found.length < owners.length);
      setMatches(found);
      if (found.length === 0) setError({ message: "名册上没有找到这位业主。" });
    } catch (err) {
      setError(err);
    }
  };
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    setOk(null);
    try {
      let ref = f.get("paper_no").trim();
      const scan = f.get("scan");
      if (scan && scan.size > 0) {
        const body = new FormData();
        body.append("file", scan);
        const att = await api.call("POST", "/attachments", body);
        ref = `${ref} 扫描件 ${att.id}`.trim();
      }
      const r = await api.post(`/votes/${enc(v.id)}/paper-ballots`, {
        voter_id: f.get("voter_id"),
        choice: f.get("choice"),
        paper_ref: ref,
      });
      setOk(`已录入纸质选票，回执 ${r.receipt}`);
      e.target.reset();
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="paper-h">
    <h2 id="paper-h">录入纸质选票</h2>
    <form onSubmit=${submit}>
      <${Field} id="voter-q" label="查找投票人（姓名）">
        <div class="actions">
          <input id="voter-q" value=${query} onInput=${(e) => setQuery(e.target.value)} />
          <button type="button" class="secondary" onClick=${find}>查找</button>
        </div>
      <//>
      <${Field} id="voter_id" label="投票人" error=${fieldError(error, "voter_id")}>
        <select id="voter_id" name="voter_id" required>
          ${matches.map((m) => html`<option value=${m.voter_id}>${m.who}（${m.unit_count} 套，${area(m.area_centi_m2)}）</option>`)}
        </select>
      <//>
      <fieldset><legend>选票上的选择</legend>
        ${["yes", "no", "abstain"].map((c) => html`<label class="choice"><input type="radio" name="choice" value=${c} required />${label("choice", c)}</label>`)}
      </fieldset>
      <${Field} id="paper_no" label="纸质选票编号" error=${fieldError(error, "paper_ref")}><input id="paper_no" name="paper_no" required maxlength="100" /><//>
      <${Field} id="scan" label="选票扫描件（可选）"><input id="scan" name="scan" type="file" accept="image/*,application/pdf" /><//>
      <div class="actions"><button type="submit">录入</button></div>
      <${Alert} error=${error} ok=${ok} />
    </form>
  </section>`;
}

function Extend({ vote: v, done }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api.post(`/votes/${enc(v.id)}/extension`, { closes_at: cst(f.get("closes_at")), reason: f.get("reason") });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="ext-h">
    <h2 id="ext-h">延长投票</h2>
    <form onSubmit=${submit}>
      <${Field} id="ext-closes" label="新的结束时间（北京时间）"><input id="ext-closes" name="closes_at" type="datetime-local" required /><//>
      <${Field} id="ext-reason" label="原因"><input id="ext-reason" name="reason" required maxlength="500" /><//>
      <div class="actions"><button type="submit" class="secondary">延长</button></div>
      <${Alert} error=${error} />
    </form>
  </section>`;
}

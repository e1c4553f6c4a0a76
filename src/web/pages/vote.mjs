// The owner's vote page, on a phone: the question, casting or changing a ballot, the receipt
// (short, grouped, to copy or save as a picture, with the full fingerprint behind it), and after
// the close the result with the receipt found in it. Its own module, so that the page loads
// nothing of the ledger's or the committees'.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Badge, CopyButton, Crumbs, Loaded, area, dateTime, grouped, html, label, useLoad, useTitle } from "app/ui";
import { ResultBars } from "app/results";

const enc = encodeURIComponent;

/** The first 12 characters, in groups of 4: enough to recognise one's receipt in the published
 * list (the full one is kept behind it and is what the check uses). */
const short = (r) => grouped(String(r).slice(0, 12), 4);

/** A picture of the receipt to keep in the phone's album. */
function savePicture(receipt, vote) {
  const c = document.createElement("canvas");
  c.width = 720;
  c.height = 360;
  const g = c.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, c.width, c.height);
  g.fillStyle = "#c8161d";
  g.fillRect(0, 0, c.width, 64);
  g.fillStyle = "#fff";
  g.font = "bold 30px sans-serif";
  g.fillText("红色物业 · 投票回执", 24, 44);
  g.fillStyle = "#1f2329";
  g.font = "24px sans-serif";
  g.fillText(String(vote.title).slice(0, 26), 24, 110);
  g.font = "bold 44px monospace";
  g.fillText(short(receipt), 24, 180);
  g.font = "16px monospace";
  const full = String(receipt);
  g.fillText(full.slice(0, 64), 24, 240);
  if (full.length > 64) g.fillText(full.slice(64, 128), 24, 264);
  g.font = "18px sans-serif";
  g.fillText(`保存于 ${dateTime(new Date().toISOString())}`, 24, 320);
  const a = document.createElement("a");
  a.href = c.toDataURL("image/png");
  a.download = `投票回执-${full.slice(0, 12)}.png`;
  a.click();
}

function Receipt({ receipt, vote }) {
  return html`<div class="receipt-box">
    <p>我的回执</p>
    <p><span class="receipt mono" data-receipt=${receipt} aria-label=${`回执 ${short(receipt).split("").join(" ")}`}>${short(receipt)}</span></p>
    <div class="actions">
      <${CopyButton} text=${receipt} label="复制回执" />
      <button type="button" class="secondary small-button" onClick=${() => savePicture(receipt, vote)}>保存为图片</button>
    </div>
    <details><summary class="small">完整回执</summary><p class="mono small">${receipt}</p></details>
  </div>`;
}

async function loadVote(id) {
  // Both at once (one round trip, not two); the caller's ballots fail for a vote not yet open,
  // or for someone not on its roll, and the page says so.
  const [vote, mine] = await Promise.all([
    api.get(`/votes/${enc(id)}`),
    api.get(`/votes/${enc(id)}/my-ballot`).catch((e) => {
      if ([403, 404, 409].includes(e.status)) return null;
      throw e;
    }),
  ]);
  let result = null;
  const counted = {};
  if (vote.status === "closed") {
    result = await api.get(`/votes/${enc(id)}/result`);
    for (const entry of (mine && mine.entries) || []) {
      if (!entry.current) continue;
      try {
        await api.get(`/votes/${enc(id)}/receipts/${enc(entry.current.receipt)}`);
        counted[entry.voter_id] = true;
      } catch (e) {
        if (e.status !== 404) throw e;
        counted[entry.voter_id] = false;
      }
    }
  }
  return { vote, mine, result, counted };
}

export function OwnerVote({ id }) {
  const [data, error, reload] = useLoad(() => loadVote(id), [id]);
  useTitle(data ? data.vote.title : "表决");
  return html`<main id="main" tabindex="-1" class="page narrow">
    <${Crumbs} trail=${[["/web/owner", "我的小区"], "表决"]} />
    <${Loaded} data=${data} error=${error}>${(d) => html`<${VoteView} ...${d} reload=${reload} />`}<//>
  </main>`;
}

function VoteView({ vote: v, mine, result, counted, reload }) {
  return html`
    <h1>${v.title}</h1>
    <p><${Badge} kind="vote_status" value=${v.status} /> <span class="small muted">${dateTime(v.opens_at)} — ${dateTime(v.closes_at)}</span></p>
    <section class="card" aria-labelledby="q-h">
      <h2 id="q-h">表决事项</h2>
      <p>${v.question}</p>
      ${v.roll_fingerprint &&
      html`<p class="small muted">名册：专有部分面积合计 ${area(v.total_area_centi_m2)}，业主 ${v.total_heads} 人。名册指纹 <span class="mono">${v.roll_fingerprint}</span></p>`}
    </section>
    ${v.status === "announced" && html`<${Alert} info="投票尚未开始。" />`}
    ${v.status !== "announced" && !mine && html`<${Alert} info="您不在本次表决的投票名册上。" />`}
    ${mine && mine.entries.map((entry) => html`<${BallotCard} vote=${v} entry=${entry} several=${mine.entries.length > 1} counted=${counted[entry.voter_id]} reload=${reload} />`)}
    ${result && html`<section class="card" aria-labelledby="res-h"><h2 id="res-h">表决结果</h2><${ResultBars} result=${result} /></section>`}`;
}

function BallotCard({ vote: v, entry, several, counted, reload }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [fresh, setFresh] = useState(null);
  const current = entry.current;
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const body = several ? { voter_id: entry.voter_id } : {};
    if (v.kind === "election") body.selections = form.getAll("selections");
    else body.choice = form.get("choice");
    setBusy(true);
    setError(null);
    try {
      const receipt = await api.post(`/votes/${enc(v.id)}/ballots`, body);
      setFresh(receipt);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const legend = several ? `为 ${area(entry.area_centi_m2)}（${entry.unit_count} 套）投票` : "我的选择";
  return html`<section class="card ballot" aria-label="我的选票">
    ${current &&
    html`<${Receipt} receipt=${current.receipt} vote=${v} />
      <p class="small muted">投于 ${dateTime(current.cast_at)}（${label("channel", current.channel)}）。以最后一次投票为准。</p>`}
    ${fresh && html`<${Alert} ok="投票成功。请保存上面的回执，计票后可凭它查验您的选票已计入。" />`}
    ${v.status === "closed" && current && counted === true && html`<${Alert} ok="您的回执已在计票结果中找到：您的选票已计入。" />`}
    ${v.status === "closed" && current && counted === false && html`<${Alert} error=${{ message: "计票结果中没有找到您的回执。" }} />`}
    ${v.status === "open" &&
    html`<form onSubmit=${submit}>
      <${Alert} error=${error} />
      <fieldset>
        <legend>${legend}</legend>
        ${v.kind === "election"
          ? html`<p class="hint">最多选 ${v.seats} 人；不选即为空白票（计入参与表决）。</p>
              ${v.options.map((o) => html`<label class="choice"><input type="checkbox" name="selections" value=${o.option_id} />${o.label}</label>`)}`
          : ["yes", "no", "abstain"].map((c) => html`<label class="choice"><input type="radio" name="choice" value=${c} required />${label("choice", c)}</label>`)}
      </fieldset>
      <div class="actions"><button type="submit" disabled=${busy}>${current ? "更改我的投票" : "提交投票"}</button></div>
    </form>`}
  </section>`;
}


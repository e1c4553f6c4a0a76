// A closed vote's result against each share Civil Code Art. 278 requires, as the API states
// them (the public estate page shows the same, rendered on the server: src/web/board_page.rs).

import { Meter, area, html, label } from "app/ui";

/** The figures of a closed vote against Art. 278's thresholds (the API computed the outcome). */
export function ResultBars({ result }) {
  const t = result.turnout;
  const tally = result.tally;
  const people = (x) => `${x} 人`;
  const p = result.participation_required;
  const a = result.approval_required;
  return html`<div class="result" data-outcome=${result.outcome}>
    <p><strong>结果：${label("outcome", result.outcome)}</strong></p>
    <${Meter} label="参与表决的专有部分面积" part=${t.voted_area_centi_m2} whole=${t.total_area_centi_m2} required=${p} format=${area} />
    <${Meter} label="参与表决的人数" part=${t.voted_heads} whole=${t.total_heads} required=${p} format=${people} />
    ${tally &&
    html`<${Meter} label="同意的面积（占参与表决）" part=${tally.yes_area_centi_m2} whole=${tally.voted_area_centi_m2} required=${a} format=${area} />
      <${Meter} label="同意的人数（占参与表决）" part=${tally.yes_heads} whole=${tally.voted_heads} required=${a} format=${people} />`}
    ${result.candidates.length > 0 &&
    html`<table><caption class="sr-only">候选人得票</caption>
      <thead><tr><th scope="col">候选人</th><th class="num" scope="col">同意面积</th><th class="num" scope="col">同意人数</th><th scope="col">结果</th></tr></thead>
      <tbody>${result.candidates.map((c) => html`<tr><td>${c.label}</td><td class="num">${area(c.yes_area_centi_m2)}</td><td class="num">${c.yes_heads}</td><td>${label("candidate_outcome", c.result)}</td></tr>`)}</tbody>
    </table>`}
  </div>`;
}

// Charts for the officials' pages (Apache ECharts, loaded only here). Each chart is drawn on a
// canvas, so it also carries its figures as an accessible name and a table for screen readers,
// and `data-series` for the browser tests.

import { useEffect, useRef } from "preact/hooks";
import { html } from "app/ui";

let loading = null;
function echarts() {
  // The UMD build sets `self.echarts` when imported.
  if (!loading) loading = import("echarts").then(() => self.echarts);
  return loading;
}

/**
 * A chart. `kind` is "bar" or "pie"; `data` is [{ name, value }]; `line` is an optional
 * reference value (e.g. 66.67 for two thirds) drawn across a bar chart; `unit` follows values.
 */
export function Chart({ id, title, kind = "bar", data, line, lineLabel, unit = "", max }) {
  const box = useRef(null);
  // Counts (no unit) are whole numbers: their axis has no fractional ticks.
  const counts = unit === "";
  // Nothing counted: say so rather than draw a chart of zeros (a share, such as turnout, is
  // drawn at 0%: its zero is a figure).
  const empty = data.length === 0 || (counts && data.every((d) => !d.value));
  useEffect(() => {
    let chart = null;
    let live = true;
    const resize = () => chart && chart.resize();
    if (empty) return;
    echarts().then((ec) => {
      if (!live || !box.current) return;
      chart = ec.getInstanceByDom(box.current) || ec.init(box.current, null, { renderer: "canvas" });
      const option =
        kind === "pie"
          ? {
              tooltip: { trigger: "item" },
              legend: { bottom: 0, type: "scroll" },
              series: [{ type: "pie", radius: ["35%", "65%"], data, label: { formatter: "{b}: {c}" } }],
            }
          : {
              tooltip: { trigger: "axis" },
              // containLabel keeps every label inside the canvas; long names wrap at 6
              // characters, and tilt when there are many bars, rather than being cut.
              grid: { left: 16, right: 24, top: 28, bottom: 8, containLabel: true },
              xAxis: {
                type: "category",
                data: data.map((d) => d.name),
                axisLabel: {
                  interval: 0,
                  rotate: data.length > 6 ? 35 : 0,
                  formatter: (v) => (data.length > 6 ? v : v.replace(/(.{6})/g, "$1\n").trim()),
                },
              },
              yAxis: { type: "value", max, minInterval: counts ? 1 : undefined, axisLabel: { formatter: `{value}${unit}` } },
              series: [
                {
                  type: "bar",
                  data: data.map((d) => d.value),
                  itemStyle: { color: "#c8161d" },
                  label: { show: true, position: "top", formatter: `{c}${unit}` },
                  markLine:
                    line === undefined
                      ? undefined
                      : { symbol: "none", data: [{ yAxis: line, name: lineLabel }], label: { formatter: lineLabel }, lineStyle: { color: "#1f2329", type: "dashed" } },
                },
              ],
            };
      chart.setOption(option, true);
      window.addEventListener("resize", resize);
    });
    return () => {
      live = false;
      window.removeEventListener("resize", resize);
    };
  }, [JSON.stringify(data), line, kind, empty]);
  if (empty) {
    return html`<figure class="chart-figure"><figcaption><strong>${title}</strong></figcaption>
      <p class="empty muted" id=${id} data-chart=${id} data-series="[]">暂无数据。</p></figure>`;
  }
  const summary = data.map((d) => `${d.name} ${d.value}${unit}`).join("，");
  return html`<figure class="chart-figure">
    <figcaption><strong>${title}</strong></figcaption>
    <div ref=${box} id=${id} class="chart" role="img" aria-label=${`${title}：${summary}${line !== undefined ? `；${lineLabel}` : ""}`}
      data-chart=${id} data-series=${JSON.stringify(data)}></div>
    <table class="sr-only"><caption>${title}</caption><tbody>${data.map((d) => html`<tr><th scope="row">${d.name}</th><td>${d.value}${unit}</td></tr>`)}</tbody></table>
  </figure>`;
}

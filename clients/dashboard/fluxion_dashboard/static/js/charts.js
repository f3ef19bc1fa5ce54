// Live trend charts (Chart.js from Debian's libjs-chart.js): pressure of every pressure sensor
// (stations and line) and flow of every flow meter, over the last N simulated minutes, updated
// with each readings message (4 per second).
import { simTime } from "./format.js";

const COLORS = ["#4c9be8", "#3fb27f", "#e0a030", "#c678dd", "#e5484d", "#56b6c2", "#d19a66", "#98c379", "#abb2bf"];

function makeChart(canvas, title, yLabel) {
  return new Chart(canvas.getContext("2d"), {
    type: "line",
    data: { datasets: [] },
    options: {
      animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false,
      interaction: { mode: "nearest", intersect: false },
      elements: { point: { radius: 0 }, line: { borderWidth: 1.5 } },
      scales: {
        x: { type: "linear", ticks: { color: "#8a96a6", maxTicksLimit: 6, callback: (v) => simTime(v) }, grid: { color: "#232a33" } },
        y: { title: { display: true, text: yLabel, color: "#8a96a6" }, ticks: { color: "#8a96a6" }, grid: { color: "#232a33" } },
      },
      plugins: { title: { display: true, text: title, color: "#d8dee6" }, legend: { labels: { color: "#d8dee6", boxWidth: 10 } } },
    },
  });
}

export class Trends {
  constructor(pressureCanvas, flowCanvas, windowSelect) {
    this.windowSelect = windowSelect;
    this.pressure = makeChart(pressureCanvas, "Pressure", "bar");
    this.flow = makeChart(flowCanvas, "Flow", "");
    this.series = []; // {chart, dataset, sensorId, scale}
  }

  build(topology, sensors) {
    this.series = [];
    for (const chart of [this.pressure, this.flow]) chart.data.datasets = [];
    if (!topology) return;
    const flowUnit = (topology.sensors.find((s) => s.quantity === "flow") || {}).unit || "";
    this.flow.options.scales.y.title.text = flowUnit.replace("3", "³");
    let i = 0;
    for (const s of topology.sensors) {
      const chart = s.quantity === "pressure" ? this.pressure : s.quantity === "flow" ? this.flow : null;
      if (!chart) continue;
      const dataset = { label: s.id, data: [], borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length] };
      i += 1;
      chart.data.datasets.push(dataset);
      this.series.push({ chart, dataset, sensorId: s.id, scale: s.unit === "Pa" ? 1e-5 : 1 });
    }
    for (const item of this.series) this.fill(item, sensors.byId.get(item.sensorId).points);
    this.pressure.update("none");
    this.flow.update("none");
  }

  fill(item, points) {
    for (const [t, v] of points) item.dataset.data.push({ x: t, y: v === null ? null : v * item.scale });
  }

  // Adds new samples (`series`: id -> [[t, v]]) and drops what left the window.
  update(series, now) {
    this.lastSim = now;
    const span = Number(this.windowSelect.value) || 600;
    for (const item of this.series) {
      const pts = series && series[item.sensorId];
      if (pts) this.fill(item, pts);
      const d = item.dataset.data;
      let cut = 0;
      while (cut < d.length && d[cut].x < now - span) cut++;
      if (cut) d.splice(0, cut);
    }
    for (const chart of [this.pressure, this.flow]) {
      chart.options.scales.x.min = now - span;
      chart.options.scales.x.max = now;
      chart.update("none");
    }
  }
}

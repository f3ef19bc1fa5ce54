// Station tiles: one per station (and one for the line instruments), each quantity with its
// value in an operator's unit, a trend arrow and a stale/failed/frozen marker.
import { display, el, QUANTITY_LABEL } from "./format.js";

const ORDER = ["pressure", "differential_pressure", "temperature", "density", "flow", "totalized_flow", "head"];
const ARROW = { 1: "↑", "-1": "↓", 0: "→" };

export class Tiles {
  constructor(root) { this.root = root; this.cells = new Map(); }

  build(topology) {
    this.root.replaceChildren();
    this.cells.clear();
    if (!topology) return;
    const groups = topology.stations.map((s) => ({ id: s.id, title: s.name || s.id, sensors: [] }));
    const line = { id: "", title: "Line instruments", sensors: [] };
    for (const s of topology.sensors) (groups.find((g) => g.id === s.station_id) || line).sensors.push(s);
    if (line.sensors.length) groups.push(line);
    for (const g of groups) {
      g.sensors.sort((a, b) => ORDER.indexOf(a.quantity) - ORDER.indexOf(b.quantity) || a.id.localeCompare(b.id));
      const body = el("tbody");
      for (const s of g.sensors) {
        const v = el("td", { class: "v" }, "—"), u = el("td", { class: "u" }), t = el("td", { class: "t" }), m = el("td");
        const label = g.id ? QUANTITY_LABEL[s.quantity] || s.quantity : `${s.id}`;
        const row = el("tr", { "data-sensor": s.id, title: `${s.id}, ${s.sample_rate_hz} Hz` }, el("td", { class: "q" }, label), v, u, t, m);
        body.append(row);
        this.cells.set(s.id, { row, v, u, t, m, meta: s });
      }
      this.root.append(el("div", { class: "tile", "data-station": g.id || "line" }, el("h3", {}, g.title), el("table", {}, body)));
    }
  }

  // `offline`: fluxiond is unreachable, so every value is stale whatever its age.
  update(sensors, simTime, fluid, offline) {
    for (const [id, c] of this.cells) {
      const s = sensors.byId.get(id);
      const health = offline ? "stale" : sensors.health(id, simTime);
      const last = s && s.last;
      const shown = display(c.meta.quantity, last ? last.v : null, c.meta.unit, fluid);
      c.v.textContent = shown.text;
      c.u.textContent = shown.unit;
      c.t.textContent = health === "ok" ? ARROW[sensors.trend(id)] : "";
      c.row.className = health;
      c.m.replaceChildren(health === "ok" ? "" : el("span", { class: `mark ${health}` }, health.toUpperCase()));
    }
  }
}

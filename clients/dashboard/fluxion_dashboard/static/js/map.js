// The network map (SVG) from GetTopology: pipes coloured by state, stations, sensors, true open
// leaks (ListLeaks), and each active alert's estimated position with an uncertainty bar and a
// dashed line to the leak it was matched to. Clicking a pipe reports the pipe and the position
// along it (m) under the pointer.
import { km } from "./format.js";

const NS = "http://www.w3.org/2000/svg";
const W = 1000;
const H = 340;

// Half-width of the uncertainty bar, as a fraction of the pipe's length: the threshold
// detector's 90th-percentile localization error at detection (docs/DETECTION.md). The protocol
// carries no per-alert uncertainty; docs/DASHBOARD.md says so.
export const UNCERTAINTY_FRACTION = 0.118;

function svg(tag, attrs, parent) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

export class NetworkMap {
  constructor(root, handlers) {
    this.root = root;
    this.handlers = handlers;
    this.pipes = new Map(); // id -> {pipe, pts (screen), cum (cumulative screen length), path, hit}
    this.sensorDots = new Map();
    root.setAttribute("viewBox", `0 0 ${W} ${H}`);
    root.setAttribute("preserveAspectRatio", "xMidYMid meet");
  }

  // Builds the static drawing from a topology (mapping.topology's JSON).
  build(topology) {
    this.root.replaceChildren();
    this.pipes.clear();
    this.sensorDots.clear();
    if (!topology) return;
    const xs = [], ys = [];
    for (const n of topology.nodes) { xs.push(n.location[0]); ys.push(n.location[1]); }
    for (const p of topology.pipes) for (const [x, y] of p.geometry) { xs.push(x); ys.push(y); }
    const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
    const pad = 40;
    const scale = Math.min((W - 2 * pad) / Math.max(maxX - minX, 1), (H - 2 * pad) / Math.max(maxY - minY, 1));
    const ox = (W - (maxX - minX) * scale) / 2, oy = (H - (maxY - minY) * scale) / 2;
    this.project = ([x, y]) => [ox + (x - minX) * scale, H - (oy + (y - minY) * scale)];

    const gPipes = svg("g", {}, this.root);
    this.gDynamic = svg("g", {}, this.root);
    const gStations = svg("g", {}, this.root);
    this.gMarkers = svg("g", {}, this.root);
    for (const p of topology.pipes) {
      const pts = p.geometry.map(this.project);
      const cum = [0];
      for (let i = 1; i < pts.length; i++) cum.push(cum[i - 1] + Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]));
      const d = pts.map((q, i) => `${i ? "L" : "M"}${q[0].toFixed(1)},${q[1].toFixed(1)}`).join("");
      const width = Math.max(2, Math.min(7, p.diameter_m * 8));
      const path = svg("path", { d, class: "pipe normal", "stroke-width": width, "data-pipe": p.id }, gPipes);
      const hit = svg("path", { d, class: "pipe-hit", "data-pipe": p.id }, gPipes);
      const title = svg("title", {}, hit);
      title.textContent = `${p.id}: ${km(p.length_m)}, Ø ${p.diameter_m} m${p.line_id ? `, line ${p.line_id}` : ""} — click to place a leak`;
      hit.addEventListener("click", (ev) => this.handlers.onPipeClick(p.id, this.positionAt(p.id, ev)));
      if (pts.length >= 2 && p.length_m > 5000) {
        const mid = this.pointAt(p.id, p.length_m / 2, { pipe: p, pts, cum });
        const label = svg("text", { x: mid[0] + 6, y: mid[1] - 6, class: "label" }, gPipes);
        label.textContent = p.id;
      }
      this.pipes.set(p.id, { pipe: p, pts, cum, path });
    }
    for (const s of topology.sensors) {
      const at = s.pipe_id ? this.pointAt(s.pipe_id, s.position_m) : this.nodePoint(topology, s.node_id);
      if (!at || s.station_id) continue; // station instruments are drawn as the station
      const dot = svg("circle", { cx: at[0], cy: at[1], r: 3.5, class: "sensor", "data-sensor": s.id }, gStations);
      svg("title", {}, dot).textContent = `${s.id} (${s.quantity})`;
      if (s.pipe_id) dot.addEventListener("click", () => this.handlers.onPipeClick(s.pipe_id, Math.round(s.position_m)));
      this.sensorDots.set(s.id, dot);
    }
    for (const st of topology.stations) {
      const [x, y] = this.project(st.location);
      const g = svg("g", { class: "station", "data-station": st.id }, gStations);
      svg("rect", { x: x - 6, y: y - 6, width: 12, height: 12, rx: 2 }, g);
      const t = svg("text", { x: x + 10, y: y + 16 }, g);
      t.textContent = st.name || st.id;
      svg("title", {}, g).textContent = `station ${st.id}`;
    }
  }

  nodePoint(topology, nodeId) {
    const n = topology.nodes.find((q) => q.id === nodeId);
    return n ? this.project(n.location) : null;
  }

  // Screen point at `position_m` along a pipe (clamped to the pipe).
  pointAt(pipeId, position_m, entry) {
    const e = entry || this.pipes.get(pipeId);
    if (!e || e.pts.length < 2) return null;
    const total = e.cum[e.cum.length - 1];
    const target = Math.min(1, Math.max(0, position_m / e.pipe.length_m)) * total;
    let i = 1;
    while (i < e.cum.length - 1 && e.cum[i] < target) i++;
    const seg = e.cum[i] - e.cum[i - 1] || 1;
    const f = (target - e.cum[i - 1]) / seg;
    const a = e.pts[i - 1], b = e.pts[i];
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
  }

  // The polyline between two positions along a pipe, as an SVG path.
  spanPath(pipeId, from_m, to_m) {
    const e = this.pipes.get(pipeId);
    if (!e) return "";
    const steps = 12, pts = [];
    for (let k = 0; k <= steps; k++) pts.push(this.pointAt(pipeId, from_m + ((to_m - from_m) * k) / steps));
    return pts.map((q, i) => `${i ? "L" : "M"}${q[0].toFixed(1)},${q[1].toFixed(1)}`).join("");
  }

  // Position along a pipe (m) nearest to a pointer event.
  positionAt(pipeId, ev) {
    const e = this.pipes.get(pipeId);
    const ctm = this.root.getScreenCTM();
    if (!e || !ctm) return 0;
    const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    let best = { d: Infinity, along: 0 };
    for (let i = 1; i < e.pts.length; i++) {
      const a = e.pts[i - 1], b = e.pts[i];
      const dx = b[0] - a[0], dy = b[1] - a[1];
      const len2 = dx * dx + dy * dy || 1;
      const t = Math.min(1, Math.max(0, ((pt.x - a[0]) * dx + (pt.y - a[1]) * dy) / len2));
      const d = Math.hypot(a[0] + t * dx - pt.x, a[1] + t * dy - pt.y);
      if (d < best.d) best = { d, along: e.cum[i - 1] + t * Math.sqrt(len2) };
    }
    const total = e.cum[e.cum.length - 1] || 1;
    return Math.round((best.along / total) * e.pipe.length_m);
  }

  // Redraws what changes: pipe states, sensor health, leaks, alert estimates, selections.
  update(S) {
    if (!this.gDynamic) return;
    const pipeState = new Map();
    for (const a of S.alerts.values()) {
      if (a.state !== "raised" || !a.pipe_id || a.alarm_state === "shelved") continue;
      const s = a.severity === "low" ? "suspected" : "alarm";
      if (pipeState.get(a.pipe_id) !== "alarm") pipeState.set(a.pipe_id, s);
    }
    for (const [id, e] of this.pipes) {
      e.path.setAttribute("class", `pipe ${pipeState.get(id) || "normal"}${S.selectedPipe === id ? " selected" : ""}`);
    }
    for (const [id, dot] of this.sensorDots) dot.setAttribute("class", `sensor ${S.sensorHealth(id)}`);

    this.gDynamic.replaceChildren();
    this.gMarkers.replaceChildren();
    if (S.pick && this.pipes.has(S.pick.pipe_id)) {
      const [x, y] = this.pointAt(S.pick.pipe_id, S.pick.position_m);
      svg("circle", { cx: x, cy: y, r: 7, class: "pick" }, this.gMarkers);
    }
    const leakPoint = new Map();
    for (const lk of S.leaks) {
      if (lk.state === "cleared") continue;
      const at = this.pointAt(lk.pipe_id, lk.position_m);
      if (!at) continue;
      leakPoint.set(lk.leak_id, at);
      const [x, y] = at;
      const m = svg("path", { d: `M${x},${y - 8}L${x + 6},${y}L${x},${y + 8}L${x - 6},${y}Z`, class: `leak-marker${S.highlightLeak === lk.leak_id ? " highlight" : ""}`, "data-leak": lk.leak_id }, this.gMarkers);
      svg("title", {}, m).textContent = `${lk.leak_id} on ${lk.pipe_id} at ${km(lk.position_m)} (${lk.state})`;
      const t = svg("text", { x: x + 8, y: y + 14, class: "label" }, this.gMarkers);
      t.textContent = lk.leak_id;
    }
    for (const a of S.alerts.values()) {
      const shown = (a.state === "raised" && a.alarm_state !== "shelved") || S.selectedAlert === a.key;
      if (!shown || !a.pipe_id || !this.pipes.has(a.pipe_id)) continue;
      const L = this.pipes.get(a.pipe_id).pipe.length_m;
      const u = UNCERTAINTY_FRACTION * L;
      svg("path", { d: this.spanPath(a.pipe_id, Math.max(0, a.position_m - u), Math.min(L, a.position_m + u)), class: "uncertainty" }, this.gDynamic);
      const [x, y] = this.pointAt(a.pipe_id, a.position_m);
      const lp = a.matched_leak_id && leakPoint.get(a.matched_leak_id);
      if (lp) svg("line", { x1: x, y1: y, x2: lp[0], y2: lp[1], class: "match-line" }, this.gMarkers);
      const m = svg("path", { d: `M${x},${y - 10}L${x + 7},${y + 3}L${x - 7},${y + 3}Z`, class: `alert-marker ${a.state}${S.selectedAlert === a.key ? " highlight" : ""}`, "data-alert": a.key }, this.gMarkers);
      svg("title", {}, m).textContent = `${a.alert_id}${a.network ? ` (${a.network})` : ""}: ${a.detector}, p = ${a.probability.toFixed(2)}, ${a.pipe_id} at ${km(a.position_m)} ± ${km(u)}`;
      m.addEventListener("click", () => this.handlers.onAlertClick(a.key));
    }
  }
}

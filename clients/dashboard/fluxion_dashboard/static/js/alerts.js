// Alerts: the active alarms (acknowledge with a comment, shelve for a time with a reason), the
// unacknowledged-alarm cue (flashing, and a tone the operator can silence), the live log with
// filters and its links to the map and the matched leak, CSV export, and the history by station
// and by hour of day.
import { act, getJSON } from "./api.js";
import { el, km, simTime } from "./format.js";

const SEVERITY_RANK = { low: 1, medium: 2, high: 3, critical: 4 };
const ALARM_LABEL = {
  unacked_active: "unacknowledged", acked_active: "acknowledged", unacked_returned: "returned, unacknowledged",
  normal: "normal", shelved: "shelved", unspecified: "",
};

export const isUnacked = (a) => a.alarm_state === "unacked_active" || a.alarm_state === "unacked_returned";
const wantsAttention = (a) => a.alarm_state !== "shelved" && a.alarm_state !== "normal" && (a.state === "raised" || isUnacked(a));
// Listed too, last and quiet, so that an operator can unshelve them.
const isShelved = (a) => a.alarm_state === "shelved";

// Chainage of a position along a pipe of a line, or null.
function chainage(topology, pipeId, position) {
  const p = topology && topology.pipes.find((q) => q.id === pipeId);
  return p && p.line_id ? { line: p.line_id, at: p.chainage_start_m + position } : null;
}

// Distance between an alert's estimate and its matched leak (m), or null when not comparable.
export function localizationError(topology, a, leak) {
  if (!leak || !a.pipe_id) return null;
  if (leak.pipe_id === a.pipe_id) return Math.abs(a.position_m - leak.position_m);
  const ca = chainage(topology, a.pipe_id, a.position_m), cl = chainage(topology, leak.pipe_id, leak.position_m);
  return ca && cl && ca.line === cl.line ? Math.abs(ca.at - cl.at) : null;
}

class Cue {
  // The audible part of the cue: a short tone every 2 s while an unacknowledged alarm is there
  // and the operator has not silenced it (a new alarm sounds again). Browsers allow sound only
  // after the page has been used (a click), so it starts with the first interaction.
  constructor() {
    this.silencedFor = new Set();
    this.ctx = null;
    document.addEventListener("pointerdown", () => {
      if (!this.ctx && window.AudioContext) this.ctx = new AudioContext();
    }, { once: true });
    setInterval(() => this.tick(), 2000);
    this.pending = [];
  }

  tick() {
    if (!this.pending.length || !this.ctx || this.ctx.state !== "running") return;
    const o = this.ctx.createOscillator(), g = this.ctx.createGain();
    o.frequency.value = 880;
    g.gain.value = 0.08;
    o.connect(g).connect(this.ctx.destination);
    o.start();
    o.stop(this.ctx.currentTime + 0.18);
  }

  set(unackedKeys) { this.pending = unackedKeys.filter((k) => !this.silencedFor.has(k)); }
  silence(unackedKeys) { for (const k of unackedKeys) this.silencedFor.add(k); this.pending = []; }
  get sounding() { return this.pending.length > 0; }
}

export class AlertsView {
  constructor(S, onSelect) {
    this.S = S;
    this.onSelect = onSelect;
    this.list = document.getElementById("alarm-list");
    this.items = new Map(); // key -> {li, sig}
    this.logBody = document.querySelector("#alert-table tbody");
    this.filters = document.getElementById("alert-filters");
    this.csv = document.getElementById("csv-export");
    this.cue = new Cue();
    this.unackedKeys = [];
    this.filters.addEventListener("change", () => { this.renderLog(); this.updateCsv(); this.refreshHistory(); });
    document.getElementById("alarm-silence").addEventListener("click", () => { this.cue.silence(this.unackedKeys); this.renderSummary(); });
    document.getElementById("history-refresh").addEventListener("click", () => this.refreshHistory());
    setInterval(() => this.refreshHistory(), 15000);
    this.updateCsv();
  }

  // ---- filters --------------------------------------------------------------------------------

  filterValues() {
    return Object.fromEntries([...new FormData(this.filters).entries()].filter(([, v]) => v !== ""));
  }

  query() { return new URLSearchParams(this.filterValues()).toString(); }

  updateCsv() { const q = this.query(); this.csv.href = `/api/alerts.csv${q ? `?${q}` : ""}`; }

  matches(a, f) {
    if (f.state && a.state !== f.state) return false;
    if (f.alarm && !(f.alarm === "unacked" ? isUnacked(a) : a.alarm_state === f.alarm)) return false;
    if (f.min_severity && (SEVERITY_RANK[a.severity] || 0) < SEVERITY_RANK[f.min_severity]) return false;
    if (f.detector && a.detector !== f.detector) return false;
    if (f.station && a.station_id !== f.station) return false;
    if (f.network && a.network !== f.network) return false;
    return true;
  }

  fillOptions() {
    const S = this.S;
    const sets = {
      detector: new Set([...S.detectors.map((d) => d.name), ...[...S.alerts.values()].map((a) => a.detector)]),
      station: new Set((S.topology ? S.topology.stations : []).map((s) => s.id)),
      network: new Set([...S.alerts.values()].map((a) => a.network).filter((n) => n)),
    };
    for (const [name, values] of Object.entries(sets)) {
      const select = this.filters.querySelector(`[name="${name}"]`);
      const have = new Set([...select.options].map((o) => o.value));
      for (const v of [...values].sort()) if (!have.has(v)) select.append(el("option", { value: v }, v));
    }
  }

  // ---- rendering ------------------------------------------------------------------------------

  update() {
    this.fillOptions();
    this.renderAlarms();
    this.renderSummary();
    this.renderLog();
  }

  leakOf(a) { return a.matched_leak_id ? this.S.leaks.find((l) => l.leak_id === a.matched_leak_id) : null; }

  describe(a) {
    const where = a.pipe_id ? `${a.pipe_id} @ ${km(a.position_m)}` : "no position";
    const leak = this.leakOf(a);
    const err = localizationError(this.S.topology, a, leak);
    const leakText = a.matched_leak_id ? ` · leak ${a.matched_leak_id}${err !== null ? ` (off by ${km(err)})` : ""}` : "";
    return `${where}${a.station_id ? ` near ${a.station_id}` : ""} · p ${a.probability.toFixed(2)}${leakText}`;
  }

  renderAlarms() {
    const S = this.S;
    const wanted = [...S.alerts.values()].filter((a) => wantsAttention(a) || isShelved(a)).sort((x, y) =>
      (isShelved(x) - isShelved(y)) || (isUnacked(y) - isUnacked(x)) || (SEVERITY_RANK[y.severity] || 0) - (SEVERITY_RANK[x.severity] || 0) || y.raised_wall_unix_ns - x.raised_wall_unix_ns);
    const keep = new Set(wanted.map((a) => a.key));
    for (const [key, item] of this.items) if (!keep.has(key)) { item.li.remove(); this.items.delete(key); }
    let prev = null;
    for (const a of wanted) {
      const sig = JSON.stringify([a.state, a.alarm_state, a.acknowledgement, a.shelving, a.severity]);
      let item = this.items.get(a.key);
      if (!item || item.sig !== sig) {
        const li = this.alarmItem(a);
        if (item) {
          // What the operator was typing survives the redraw (say, the severity rose meanwhile).
          for (const old of item.li.querySelectorAll("input[name]")) {
            const now = li.querySelector(`input[name="${old.name}"]`);
            if (now && old.value !== old.defaultValue) now.value = old.value;
          }
          item.li.replaceWith(li);
        }
        item = { li, sig };
        this.items.set(a.key, item);
      }
      item.li.querySelector(".desc").textContent = this.describe(a);
      item.li.classList.toggle("selected", S.selectedAlert === a.key);
      item.li.classList.toggle("flash", isUnacked(a) && this.cue.sounding);
      const want = prev ? prev.nextSibling : this.list.firstChild;
      if (want !== item.li) this.list.insertBefore(item.li, want);
      prev = item.li;
    }
    document.getElementById("alarm-empty").hidden = wanted.some(wantsAttention);
  }

  alarmItem(a) {
    const ack = a.acknowledgement;
    const head = el("div", {},
      el("span", { class: `sev ${a.severity}` }, a.severity), " ",
      a.alarm_state !== "unspecified" ? el("span", { class: `ast ${a.alarm_state}` }, ALARM_LABEL[a.alarm_state] || a.alarm_state) : "", " ",
      el("b", {}, a.alert_id), a.network ? el("span", { class: "muted" }, ` (${a.network})`) : "",
      ` ${a.detector} · raised ${simTime(a.raised_sim_time_s)}${a.state === "cleared" ? " · cleared" : ""}`);
    const desc = el("div", { class: "desc muted" });
    const li = el("li", { "data-alert": a.key, class: isUnacked(a) ? "unacked" : "" }, head, desc);
    if (ack) li.append(el("div", { class: "muted small" }, `acknowledged by ${ack.operator_name || ack.token_id || "?"}${ack.comment ? `: “${ack.comment}”` : ""}`));
    if (a.alarm_state === "unspecified") {
      li.addEventListener("click", () => this.onSelect(a.key));
      return li;
    }
    const target = { alert_id: a.alert_id, network: a.network };
    const path = (op) => `/api/alerts/${encodeURIComponent(a.alert_id)}/${op}`;
    const actions = el("form", { class: "actions", novalidate: true });
    if (isShelved(a)) {
      const sh = a.shelving;
      li.classList.add("shelved");
      if (sh) li.append(el("div", { class: "muted small" }, `shelved by ${sh.operator_name || sh.token_id || "?"}: “${sh.reason}”${sh.kind === "timed" ? ` until ${new Date(sh.until_wall_unix_ns / 1e6).toLocaleTimeString()}` : " until it clears"}`));
      actions.append(el("button", { type: "button", "data-op": "unshelve" }, "Unshelve"), el("span", { class: "form-error", "data-error-for": "" }));
    } else if (isUnacked(a)) {
      actions.append(
        el("input", { name: "comment", placeholder: "comment", "aria-label": "acknowledgement comment" }),
        el("button", { type: "button", "data-op": "ack" }, "Acknowledge"),
        el("span", { class: "field-error", "data-error-for": "comment" }),
      );
    }
    if (!isShelved(a)) actions.append(
      el("input", { name: "duration_min", placeholder: "min", size: 4, "aria-label": "shelve for minutes", value: "60" }),
      el("input", { name: "reason", placeholder: "reason", "aria-label": "shelving reason" }),
      el("button", { type: "button", "data-op": "shelve" }, "Shelve"),
      el("span", { class: "field-error", "data-error-for": "duration_min" }),
      el("span", { class: "field-error", "data-error-for": "reason" }),
      el("span", { class: "form-error", "data-error-for": "" }),
    );
    actions.addEventListener("click", (ev) => {
      ev.stopPropagation();
      const b = ev.target.closest("button");
      if (!b) return;
      const f = Object.fromEntries(new FormData(actions).entries());
      const body = b.dataset.op === "ack" ? { ...target, comment: f.comment || "", operator_name: this.S.operator }
        : b.dataset.op === "unshelve" ? { ...target, operator_name: this.S.operator }
        : { ...target, kind: "timed", duration_min: f.duration_min, reason: f.reason || "", operator_name: this.S.operator };
      act(path(b.dataset.op), body, actions);
    });
    li.append(actions);
    li.addEventListener("click", () => this.onSelect(a.key));
    return li;
  }

  renderSummary() {
    const unacked = [...this.S.alerts.values()].filter((a) => isUnacked(a) && a.alarm_state !== "shelved");
    this.unackedKeys = unacked.map((a) => a.key);
    this.cue.set(this.unackedKeys);
    const box = document.getElementById("alarm-summary");
    box.hidden = unacked.length === 0;
    document.getElementById("alarm-count").textContent = String(unacked.length);
    box.classList.toggle("flash", this.cue.sounding);
    document.getElementById("alarm-silence").hidden = !this.cue.sounding;
  }

  renderLog() {
    const f = this.filterValues();
    const rows = [...this.S.alerts.values()].filter((a) => this.matches(a, f))
      .sort((x, y) => y.raised_wall_unix_ns - x.raised_wall_unix_ns).slice(0, 200);
    // Rebuilt only when something shown changed (a click or a selection is not lost to a redraw).
    const sig = JSON.stringify([this.S.selectedAlert, rows.map((a) => [a.key, a.state, a.alarm_state, a.probability, a.severity, a.pipe_id, a.position_m, a.matched_leak_id])]);
    if (sig === this.logSig) return;
    this.logSig = sig;
    this.logBody.replaceChildren(...rows.map((a) => {
      const leak = a.matched_leak_id ? el("a", { href: "#", "data-leak": a.matched_leak_id }, a.matched_leak_id) : "";
      if (leak) leak.addEventListener("click", (ev) => { ev.preventDefault(); ev.stopPropagation(); this.onSelect(a.key, a.matched_leak_id); });
      const tr = el("tr", { class: `clickable${this.S.selectedAlert === a.key ? " selected" : ""}`, "data-alert": a.key },
        el("td", {}, a.alert_id), el("td", {}, a.network || "—"), el("td", {}, a.detector),
        el("td", {}, a.state, a.alarm_state !== "unspecified" ? el("span", { class: `ast ${a.alarm_state}` }, ` ${ALARM_LABEL[a.alarm_state]}`) : ""),
        el("td", {}, simTime(a.raised_sim_time_s)), el("td", {}, a.probability.toFixed(2)),
        el("td", {}, el("span", { class: `sev ${a.severity}` }, a.severity)),
        el("td", {}, a.pipe_id ? `${a.pipe_id} @ ${km(a.position_m)}` : "—"), el("td", {}, leak));
      tr.addEventListener("click", () => this.onSelect(a.key));
      return tr;
    }));
  }

  // ---- history ----------------------------------------------------------------------------------

  // A new alert event: the history is fetched again a little later (events come in bursts).
  historySoon() {
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => this.refreshHistory(), 1500);
  }

  async refreshHistory() {
    if (!this.S.status || !this.S.status.connected) return;
    const q = this.query();
    try {
      const [agg, heat] = await Promise.all([getJSON(`/api/alerts/aggregate?group_by=station&${q}`), getJSON(`/api/alerts/heatmap?${q}`)]);
      const max = Math.max(1, ...agg.buckets.map((b) => b.count));
      document.getElementById("by-station").replaceChildren(...agg.buckets.flatMap((b) => [
        el("span", {}, b.key || "—"), el("div", { class: "bar", style: `width:${(100 * b.count) / max}%` }), el("span", {}, b.count)]));
      const hmax = Math.max(1, ...heat.rows.flatMap((r) => r.hours));
      const header = el("tr", {}, el("th", {}), ...Array.from({ length: 24 }, (_, h) => el("th", {}, h % 3 === 0 ? String(h) : "")));
      document.getElementById("heatmap").replaceChildren(header, ...heat.rows.map((r) => el("tr", { "data-station": r.station },
        el("th", {}, r.station || "—"),
        ...r.hours.map((n, h) => el("td", { class: "cell", title: `${r.station} ${String(h).padStart(2, "0")}:00 — ${n} alert(s)`, style: `background: rgba(229,72,77,${n ? 0.15 + (0.85 * n) / hmax : 0})` }, n ? String(n) : "")))));
    } catch (e) {
      document.getElementById("by-station").replaceChildren(el("span", { class: "form-error" }, e.message));
    }
  }
}

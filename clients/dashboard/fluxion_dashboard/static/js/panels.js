// The clock controls, the leak injector with its list of open leaks, and the detectors panel.
import { act, clearErrors } from "./api.js";
import { el, km, simTime } from "./format.js";

export class ClockPanel {
  constructor(S) {
    this.form = document.getElementById("clock-form");
    this.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      act("/api/clock", { speed: document.getElementById("clock-speed").value, paused: S.clock && S.clock.paused }, this.form);
    });
    document.getElementById("clock-pause").addEventListener("click", () => act("/api/clock", { paused: true }, this.form));
    document.getElementById("clock-resume").addEventListener("click", () => act("/api/clock", { paused: false }, this.form));
  }

  update(S) {
    const c = S.clock;
    document.getElementById("sim-time").textContent = simTime(S.simTime);
    document.getElementById("sim-speed").textContent = !c ? "—" : c.free_running ? "free-running" : `${c.speed}×`;
    const state = document.getElementById("sim-state");
    state.textContent = c && c.paused ? "paused" : "running";
    state.className = `badge${c && c.paused ? " paused" : ""}`;
  }
}

export class Injector {
  constructor(S, onChange) {
    this.S = S;
    this.form = document.getElementById("leak-form");
    this.pipe = document.getElementById("leak-pipe");
    this.position = document.getElementById("leak-position");
    this.onChange = onChange;
    this.pipe.addEventListener("change", () => { this.S.selectedPipe = this.pipe.value; this.showLength(); this.pick(); });
    this.position.addEventListener("input", () => this.pick());
    this.form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = new FormData(this.form);
      const body = Object.fromEntries(f.entries());
      const note = document.getElementById("leak-note");
      note.textContent = "";
      const answer = await act("/api/leaks", body, this.form);
      if (answer) {
        note.textContent = `${answer.leak.leak_id} opened on ${answer.leak.pipe_id} at ${km(answer.leak.position_m)}${answer.warnings.length ? ` — ${answer.warnings.join("; ")}` : ""}`;
      }
    });
    this.table = document.querySelector("#leak-table tbody");
  }

  build(topology) {
    const keep = this.pipe.value;
    this.pipe.replaceChildren(el("option", { value: "" }, "— choose on the map —"), ...(topology ? topology.pipes : []).map((p) => el("option", { value: p.id }, `${p.id} (${km(p.length_m)})`)));
    if (keep) this.pipe.value = keep;
    this.showLength();
  }

  showLength() {
    const p = this.S.topology && this.S.topology.pipes.find((q) => q.id === this.pipe.value);
    document.getElementById("leak-pipe-length").textContent = p ? `0 … ${Math.round(p.length_m)} m along ${p.id}` : "";
  }

  pick() {
    const x = Number(this.position.value);
    this.S.pick = this.pipe.value && this.position.value !== "" && Number.isFinite(x) ? { pipe_id: this.pipe.value, position_m: x } : null;
    this.onChange();
  }

  // A pipe clicked on the map: fills the pipe and the position.
  choose(pipeId, position_m) {
    this.pipe.value = pipeId;
    this.position.value = String(position_m);
    this.S.selectedPipe = pipeId;
    clearErrors(this.form);
    this.showLength();
    this.pick();
  }

  update(S) {
    const open = S.leaks.filter((l) => l.state !== "cleared");
    document.getElementById("leak-empty").hidden = open.length > 0;
    const flowUnit = S.topology && S.topology.fluid === "natural_gas" ? "Sm³/h" : "m³/s";
    const outflow = (l) => `${l.current_flow.toFixed(l.current_flow >= 100 ? 0 : 3)} ${flowUnit}`;
    // Rows are rebuilt only when the leaks or their states change (a click on Clear is never
    // lost to a redraw); the outflow cells are updated in place every second.
    const sig = JSON.stringify([S.highlightLeak, open.map((l) => [l.leak_id, l.state])]);
    if (sig !== this.sig) {
      this.sig = sig;
      this.table.replaceChildren(...open.map((l) => {
        const clear = el("button", { type: "button", class: "small", "data-clear": l.leak_id }, "Clear");
        clear.addEventListener("click", () => act(`/api/leaks/${encodeURIComponent(l.leak_id)}/clear`, {}, null, [clear]));
        return el("tr", { "data-leak": l.leak_id, class: S.highlightLeak === l.leak_id ? "selected" : "" },
          el("td", {}, l.leak_id), el("td", {}, `${l.pipe_id} @ ${km(l.position_m)}`),
          el("td", {}, l.size_fraction > 0 ? `${(l.size_fraction * 100).toFixed(1)} %` : `${l.effective_area_m2.toExponential(2)} m²`),
          el("td", { class: "outflow" }), el("td", {}, l.state, l.source !== "api" ? ` (${l.source})` : ""), el("td", {}, clear));
      }));
    }
    for (const l of open) {
      const cell = this.table.querySelector(`tr[data-leak="${CSS.escape(l.leak_id)}"] td.outflow`);
      if (cell) cell.textContent = outflow(l);
    }
  }
}

export class DetectorsPanel {
  constructor() {
    this.table = document.querySelector("#detector-table tbody");
    this.swapForm = document.getElementById("swap-form");
    this.error = document.getElementById("detector-error");
    this.swapForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      act("/api/detectors/swap", Object.fromEntries(new FormData(this.swapForm).entries()), this.swapForm);
    });
    this.key = "";
  }

  // A detector action from a row's button; a failure's text goes under the table.
  op(op, name, button) {
    this.error.textContent = "";
    const spot = { querySelector: (sel) => (sel.startsWith("[data-error-for") ? this.error : null), querySelectorAll: () => [] };
    return act(`/api/detectors/${op}`, op === "load" ? { plugin: name } : { name }, spot, [button]);
  }

  update(S) {
    const ds = S.detectors;
    const key = JSON.stringify(ds.map((d) => [d.name, d.state, d.last_error]));
    // Rows are rebuilt only when names or states change (buttons keep focus and pending state);
    // the probability cells are updated in place.
    if (key !== this.key) {
      this.key = key;
      this.table.replaceChildren(...ds.map((d) => {
        const buttons = [];
        const button = (label, op) => {
          const b = el("button", { type: "button", class: "small", "data-op": op, "data-detector": d.name }, label);
          b.addEventListener("click", () => this.op(op, op === "load" ? d.plugin || d.name : d.name, b));
          buttons.push(b);
        };
        if (d.state === "available") button("Load", "load");
        if (d.state === "loaded") button("Activate", "activate");
        if (d.state === "active") button("Deactivate", "deactivate");
        return el("tr", { "data-detector": d.name, title: d.description + (d.last_error ? ` — ${d.last_error}` : "") },
          el("td", {}, d.name), el("td", { class: "state" }, d.state), el("td", { class: "p" }), el("td", {}, buttons));
      }));
      // SwapDetector takes two loaded instances: the active one to stop, a loaded one to start.
      const active = ds.filter((d) => d.state === "active"), others = ds.filter((d) => d.state === "loaded");
      const from = document.getElementById("swap-from"), to = document.getElementById("swap-to");
      const keepFrom = from.value, keepTo = to.value;
      from.replaceChildren(...active.map((d) => el("option", { value: d.name }, d.name)));
      to.replaceChildren(...others.map((d) => el("option", { value: d.name }, d.name)));
      if ([...from.options].some((o) => o.value === keepFrom)) from.value = keepFrom;
      if ([...to.options].some((o) => o.value === keepTo)) to.value = keepTo;
    }
    for (const d of ds) {
      const cell = this.table.querySelector(`tr[data-detector="${CSS.escape(d.name)}"] td.p`);
      if (!cell) continue;
      const learning = d.learning_remaining_s > 0 ? ` (learning, ${Math.ceil(d.learning_remaining_s)} s left)` : "";
      cell.textContent = d.state === "active" || d.state === "loaded" ? `${d.leak_probability.toFixed(3)}${learning}` : "";
    }
  }
}


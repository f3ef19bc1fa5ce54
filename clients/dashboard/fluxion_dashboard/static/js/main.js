// The page: one WebSocket to the gateway (/ws) carries everything live; actions go as POSTs
// (api.js). On a lost socket the page shows the banner and reconnects with a growing delay (0.5
// to 5 s); the gateway's first message is always a full snapshot, so nothing is stale after it.
import { AlertsView } from "./alerts.js";
import { Trends } from "./charts.js";
import { NetworkMap } from "./map.js";
import { ClockPanel, DetectorsPanel, Injector } from "./panels.js";
import { SensorStore } from "./sensors.js";
import { Tiles } from "./tiles.js";

const sensors = new SensorStore();
const S = {
  status: null, topology: null, clock: null, detectors: [], leaks: [], alerts: new Map(),
  simTime: null, selectedAlert: null, highlightLeak: null, selectedPipe: null, pick: null,
  operator: localStorage.getItem("fluxion.operator") || "",
  sensorHealth: (id) => sensors.health(id, S.simTime),
  socketOpen: false,
};
window.fluxionDashboard = S; // for the browser tests and the curious: the page's state

const map = new NetworkMap(document.getElementById("map"), {
  onPipeClick: (pipeId, position) => { injector.choose(pipeId, position); },
  onAlertClick: (key) => select(key),
});
const tiles = new Tiles(document.getElementById("tiles"));
const chartWindow = document.getElementById("chart-window");
const trends = new Trends(document.getElementById("chart-pressure"), document.getElementById("chart-flow"), chartWindow);
const clockPanel = new ClockPanel(S);
const injector = new Injector(S, () => map.update(S));
const detectorsPanel = new DetectorsPanel();
const alertsView = new AlertsView(S, (key, leakId) => select(key, leakId));
chartWindow.addEventListener("change", () => { trends.build(S.topology, sensors); trends.update(null, S.simTime || 0); });

// Editing a field takes its error away (the next submit says whether it is right now).
document.addEventListener("input", (ev) => {
  const input = ev.target;
  if (!input.name || !input.form) return;
  input.classList.remove("invalid");
  const spot = input.form.querySelector(`[data-error-for="${input.name}"]`);
  if (spot) spot.textContent = "";
});

const operator = document.getElementById("operator");
operator.value = S.operator;
operator.addEventListener("change", () => { S.operator = operator.value.trim(); localStorage.setItem("fluxion.operator", S.operator); });

// An alert chosen in the log, the alarm list or on the map: highlighted in all three, with its
// matched leak.
function select(key, leakId) {
  S.selectedAlert = S.selectedAlert === key && !leakId ? null : key;
  const a = S.alerts.get(key);
  S.highlightLeak = leakId || (S.selectedAlert && a ? a.matched_leak_id || null : null);
  map.update(S);
  alertsView.update();
  injector.update(S);
}

const offline = () => !S.socketOpen || !S.status || !S.status.connected;

function banner() {
  const b = document.getElementById("banner");
  const conn = document.getElementById("conn");
  let text = "";
  if (!S.socketOpen) text = "Dashboard gateway unreachable — reconnecting…";
  else if (S.status && !S.status.connected && S.status.error === "connecting") text = `Connecting to fluxiond at ${S.status.server}…`;
  else if (S.status && !S.status.connected) text = `fluxiond at ${S.status.server} is unreachable: ${S.status.error || "no connection"} — reconnecting…`;
  b.textContent = text;
  b.hidden = !text;
  conn.className = `conn ${text ? "down" : "up"}`;
  conn.title = text || `connected to fluxiond at ${S.status ? S.status.server : "?"}`;
}

function snapshot(m) {
  S.status = m.status;
  S.topology = m.topology;
  S.clock = m.clock;
  S.detectors = m.detectors || [];
  S.leaks = m.leaks || [];
  S.alerts = new Map((m.alerts || []).map((a) => [a.key, a]));
  S.simTime = m.sim_time_s;
  sensors.reset(S.topology, m.history);
  document.getElementById("scenario").textContent = S.topology ? `${S.topology.scenario} (${S.topology.fluid.replace("_", " ")})` : "";
  map.build(S.topology);
  tiles.build(S.topology);
  trends.build(S.topology, sensors);
  injector.build(S.topology);
  renderAll();
  alertsView.refreshHistory();
}

function renderAll() {
  banner();
  clockPanel.update(S);
  tiles.update(sensors, S.simTime, S.topology && S.topology.fluid, offline());
  if (S.simTime !== null) trends.update(null, S.simTime);
  map.update(S);
  injector.update(S);
  detectorsPanel.update(S);
  alertsView.update();
}

const handlers = {
  snapshot,
  status: (m) => { S.status = m.status; banner(); tiles.update(sensors, S.simTime, S.topology && S.topology.fluid, offline()); },
  readings: (m) => {
    for (const [id, pts] of Object.entries(m.series)) sensors.add(id, pts);
    S.simTime = m.sim_time_s;
    clockPanel.update(S);
    tiles.update(sensors, S.simTime, S.topology && S.topology.fluid, offline());
    trends.update(m.series, S.simTime);
    map.update(S);
  },
  clock: (m) => { S.clock = m.clock; clockPanel.update(S); },
  detectors: (m) => { S.detectors = m.detectors; detectorsPanel.update(S); },
  leaks: (m) => { S.leaks = m.leaks; injector.update(S); map.update(S); alertsView.update(); },
  alert: (m) => {
    S.alerts.set(m.alert.key, m.alert);
    alertsView.update();
    map.update(S);
    if (!m.backfill) alertsView.historySoon();
  },
};

let retryMs = 500;
function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.onopen = () => { S.socketOpen = true; retryMs = 500; banner(); };
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    const h = handlers[m.type];
    if (h) h(m);
  };
  ws.onclose = () => {
    S.socketOpen = false;
    banner();
    tiles.update(sensors, S.simTime, S.topology && S.topology.fluid, true);
    setTimeout(connect, retryMs);
    retryMs = Math.min(5000, retryMs * 2);
  };
}

S.socketOpen = true; // no banner before the first attempt has had a chance
connect();
setInterval(() => { tiles.update(sensors, S.simTime, S.topology && S.topology.fluid, offline()); }, 1000); // stale markers age without updates

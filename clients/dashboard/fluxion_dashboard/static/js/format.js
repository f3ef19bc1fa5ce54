// Units and numbers as an operator reads them. Pressures come in Pa and are shown in bar (gas
// pressures are absolute: "bar a"); differential pressure in mbar; the rest in the server's unit.

const SUPER = { m3: "m³", Sm3: "Sm³", "Sm3/h": "Sm³/h", "m3/s": "m³/s", "kg/m3": "kg/m³", degC: "°C" };

export function display(quantity, value, unit, fluid) {
  if (value === null || value === undefined || !Number.isFinite(value)) return { text: "—", unit: "" };
  if (unit === "Pa" && quantity === "pressure") return { text: value / 1e5 >= 100 ? (value / 1e5).toFixed(1) : (value / 1e5).toFixed(3), unit: fluid === "natural_gas" ? "bar a" : "bar g" };
  if (unit === "Pa" && quantity === "differential_pressure") return { text: (value / 100).toFixed(1), unit: "mbar" };
  const u = SUPER[unit] || unit;
  if (quantity === "totalized_flow") return { text: Math.round(value).toLocaleString("en-US"), unit: u };
  const a = Math.abs(value);
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 4;
  return { text: value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }), unit: u };
}

// Simulated time as "day N HH:MM:SS" (day 0 omitted).
export function simTime(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return "—";
  const day = Math.floor(s / 86400);
  const r = s - day * 86400;
  const hh = String(Math.floor(r / 3600)).padStart(2, "0");
  const mm = String(Math.floor((r % 3600) / 60)).padStart(2, "0");
  const ss = String(Math.floor(r % 60)).padStart(2, "0");
  return `${day ? `day ${day} ` : ""}${hh}:${mm}:${ss}`;
}

export function km(m) { return m >= 1000 ? `${(m / 1000).toFixed(2)} km` : `${Math.round(m)} m`; }

export const QUANTITY_LABEL = {
  pressure: "pressure", differential_pressure: "diff. pressure", temperature: "temperature",
  density: "density", flow: "flow", totalized_flow: "totalized flow", head: "head",
};

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

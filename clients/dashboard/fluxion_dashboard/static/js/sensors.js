// What the page knows of each sensor: its recent samples and whether it can be trusted.
//
// - failed: the newest reading is not valid (the sensor dropped out: Reading.valid = false);
// - frozen: its value has not changed for FROZEN_SAMPLES samples in a row (a frozen sensor
//   repeats its last good value; live values carry noise, so even five equal samples in a row
//   happen by chance about once in 10^6 samples on the default scenario);
// - stale: no sample for more than STALE_PERIODS sample periods of simulated time (plus 5 s);
// - ok otherwise.
export const FROZEN_SAMPLES = 5;
export const STALE_PERIODS = 3;
export const KEEP_POINTS = 2400;

export class SensorStore {
  constructor() { this.byId = new Map(); }

  reset(topology, history) {
    this.byId.clear();
    for (const s of (topology && topology.sensors) || []) this.byId.set(s.id, { meta: s, points: [], last: null, repeats: 0 });
    for (const [id, pts] of Object.entries(history || {})) this.add(id, pts);
  }

  // Appends samples [t, value|null] (in order) of one sensor.
  add(id, pts) {
    const s = this.byId.get(id);
    if (!s) return;
    for (const [t, v] of pts) {
      if (s.last && s.last.t >= t) continue; // already have it (snapshot and update overlap)
      if (v !== null && s.last && s.last.v === v) s.repeats += 1;
      else s.repeats = 0;
      s.last = { t, v };
      s.points.push([t, v]);
    }
    if (s.points.length > KEEP_POINTS) s.points.splice(0, s.points.length - KEEP_POINTS);
  }

  health(id, simTime) {
    const s = this.byId.get(id);
    if (!s || !s.last) return "stale";
    if (s.last.v === null) return "failed";
    if (s.repeats >= FROZEN_SAMPLES - 1) return "frozen";
    const period = s.meta.sample_rate_hz > 0 ? 1 / s.meta.sample_rate_hz : 10;
    if (simTime !== null && simTime - s.last.t > STALE_PERIODS * period + 5) return "stale";
    return "ok";
  }

  // Trend of the newest samples: +1 rising, -1 falling, 0 steady. Least-squares slope over the
  // last 12 valid samples, called a trend only when it is 3 standard errors away from zero
  // (noise alone then shows an arrow about once in 400 looks).
  trend(id) {
    const s = this.byId.get(id);
    if (!s) return 0;
    const pts = [];
    for (let i = s.points.length - 1; i >= 0 && pts.length < 12; i--) if (s.points[i][1] !== null) pts.push(s.points[i]);
    const n = pts.length;
    if (n < 6) return 0;
    const mx = pts.reduce((a, p) => a + p[0], 0) / n, my = pts.reduce((a, p) => a + p[1], 0) / n;
    let sxx = 0, sxy = 0;
    for (const [x, y] of pts) { sxx += (x - mx) ** 2; sxy += (x - mx) * (y - my); }
    if (sxx <= 0) return 0;
    const b = sxy / sxx;
    let rss = 0;
    for (const [x, y] of pts) rss += (y - (my + b * (x - mx))) ** 2;
    const se = Math.sqrt(rss / (n - 2) / sxx);
    if (se === 0) return b === 0 ? 0 : Math.sign(b);
    return Math.abs(b / se) > 3 ? Math.sign(b) : 0;
  }
}

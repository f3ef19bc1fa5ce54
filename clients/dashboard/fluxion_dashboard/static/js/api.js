// Actions and queries to the gateway. Every action carries an Idempotency-Key made once per
// submit; the form's buttons are disabled while it is pending, so a double click sends once.
// A failure's text (the server's, unchanged) goes next to the field it names.

function newKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export function clearErrors(form) {
  if (!form) return;
  form.querySelectorAll("[data-error-for]").forEach((el) => { el.textContent = ""; });
  form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
}

export function showError(form, body) {
  const field = body.field || "";
  let spot = form.querySelector(`[data-error-for="${field}"]`) || form.querySelector('[data-error-for=""]');
  if (!spot) spot = form.querySelector("[data-error-for]");
  if (spot) spot.textContent = body.message || body.code || "failed";
  const input = field && form.querySelector(`[name="${field}"]`);
  if (input) input.classList.add("invalid");
}

// POST `body` to `path`. With `form`: its buttons are disabled while pending, errors shown in it.
// Returns the answer's JSON, or null on failure (already shown).
export async function act(path, body, form, buttons) {
  const controls = buttons || (form ? [...form.querySelectorAll("button")] : []);
  if (controls.some((b) => b.disabled && b.dataset.pending === "1")) return null;
  controls.forEach((b) => { b.disabled = true; b.dataset.pending = "1"; });
  clearErrors(form);
  const key = newKey();
  try {
    const res = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify(body || {}),
    });
    const answer = await res.json().catch(() => ({ code: `HTTP ${res.status}`, message: res.statusText }));
    if (!res.ok) {
      if (form) showError(form, answer);
      return null;
    }
    return answer;
  } catch (e) {
    if (form) showError(form, { message: `gateway unreachable: ${e.message}` });
    return null;
  } finally {
    controls.forEach((b) => { b.disabled = false; b.dataset.pending = ""; });
  }
}

export async function getJSON(path) {
  const res = await fetch(path);
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || res.statusText);
  return body;
}

/* The chair-side page of a dosing session: clocks, live panels, and a reading queue that
 * never loses an entry.
 *
 * Plain JavaScript, no build step; htmx 2 (vendored) does the polling and the form posts.
 *
 * - Times come from the server: every render of the live panels carries the server's clock,
 *   so a tablet whose own clock is wrong still stamps readings and counts minutes correctly.
 * - Vital signs and observations go through a queue kept in localStorage. Each entry gets its
 *   id (crypto.randomUUID) once, in the browser, so a reading sent twice is stored once. An
 *   entry leaves the queue only when the server acknowledges it (a 2xx answer naming the entry
 *   in X-Entry-Stored) or refuses it for good (409/422, shown beside its form). Network failures
 *   and server errors are retried with backoff; the queue survives a reload.
 * - A poll must not wipe what a nurse is typing: forms being edited are kept as they are when
 *   the live panels are re-rendered (htmx hx-preserve, added to the incoming HTML).
 */
(function () {
  "use strict";

  var QUEUE_KEY = "openkap.chair.queue.v1";
  var MAX_BACKOFF_MS = 30000;
  var serverOffsetMs = 0;
  var sending = false;
  var retryTimer = null;
  var backoffMs = 1000;

  function live() { return document.getElementById("chair-live"); }
  function serverNow() { return new Date(Date.now() + serverOffsetMs); }

  function readServerClock() {
    var marker = document.querySelector("[data-server-now]");
    if (!marker) { return; }
    var server = Date.parse(marker.getAttribute("data-server-now"));
    if (!isNaN(server)) { serverOffsetMs = server - Date.now(); }
  }

  /* --- clocks ------------------------------------------------------------------------- */

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function duration(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    return (h > 0 ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
  }

  function tick() {
    var now = serverNow().getTime();
    document.querySelectorAll("[data-elapsed-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-elapsed-since"));
      if (!isNaN(since)) { el.textContent = duration(now - since); }
    });
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var to = Date.parse(el.getAttribute("data-countdown-to"));
      if (isNaN(to)) { return; }
      el.textContent = to > now ? "in " + duration(to - now) : (el.getAttribute("data-when-due") || "now");
    });
  }

  function localTimes(root) {
    (root || document).querySelectorAll("time[data-local]").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (isNaN(at.getTime())) { return; }
      el.textContent = pad(at.getHours()) + ":" + pad(at.getMinutes());
      el.title = at.toString();
    });
  }

  /* --- keeping forms that are being edited ----------------------------------------------- */

  function isDirty(form) {
    if (form.contains(document.activeElement) && document.activeElement !== form) { return true; }
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "hidden" || el.type === "submit" || el.type === "button") { return false; }
      if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
      if (el.tagName === "SELECT") {
        return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return el.value !== el.defaultValue;
    });
  }

  // Forms being edited stay as they are, and sections the nurse opened stay open.
  function keepEditedForms(html, except) {
    var container = live();
    if (!container) { return html; }
    var edited = Array.prototype.filter.call(container.querySelectorAll("form[id]"), function (form) {
      return form !== except && isDirty(form);
    });
    var opened = container.querySelectorAll("details[id][open]");
    if (!edited.length && !opened.length) { return html; }
    var incoming = document.createElement("template");
    incoming.innerHTML = html;
    edited.forEach(function (form) {
      var twin = incoming.content.getElementById(form.id);
      if (twin) { twin.setAttribute("hx-preserve", "true"); }
    });
    opened.forEach(function (details) {
      var twin = incoming.content.getElementById(details.id);
      if (twin) { twin.setAttribute("open", ""); }
    });
    return incoming.innerHTML;
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || target.id !== "chair-live") { return; }
    var status = evt.detail.xhr.status;
    // A refused form comes back with its errors beside the fields: show it, it is not a fault.
    if (status === 409 || status === 422) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
    if (!evt.detail.shouldSwap) { return; }
    var origin = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    var form = origin && origin.closest ? origin.closest("form") : null;
    evt.detail.serverResponse = keepEditedForms(evt.detail.serverResponse, form);
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    readServerClock();
    localTimes(evt.detail.target);
    renderQueue();
    tick();
    setConnection(true);
  });

  document.addEventListener("htmx:sendError", function () { setConnection(false); });

  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 409 || status === 422) { return; }
    note("The server answered " + status + " and nothing was changed; reload the page if it repeats.");
  });

  function setConnection(online) {
    var banner = document.getElementById("connection-lost");
    if (banner) { banner.hidden = online; }
  }

  function note(text) {
    var box = document.getElementById("chair-notice");
    if (box) { box.textContent = text; box.hidden = !text; }
  }

  /* --- the reading queue ------------------------------------------------------------------ */

  function loadQueue() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(QUEUE_KEY) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (e) {
      return [];
    }
  }

  function saveQueue(queue) { window.localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    // Only on old browsers without randomUUID: random enough for one tablet's entries.
    return "e" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  /* A clock time typed on the tablet is the tablet's local time of today. */
  function todayAt(value) {
    var parts = value.split(":");
    var at = serverNow();
    at.setHours(Number(parts[0]), Number(parts[1]), 0, 0);
    return at;
  }

  function takenAt(form) {
    var input = form.querySelector("[data-taken-at]");
    return input && input.value ? todayAt(input.value) : serverNow();
  }

  // Forms posted by htmx send their clock times as full UTC times too.
  document.addEventListener("htmx:configRequest", function (evt) {
    var form = evt.detail.elt;
    if (!form || !form.querySelectorAll) { return; }
    form.querySelectorAll("input[data-local-time]").forEach(function (input) {
      if (input.value && evt.detail.parameters[input.name] === input.value) {
        evt.detail.parameters[input.name] = todayAt(input.value).toISOString();
      }
    });
  });

  /* --- the dose calculation preview (the server's calculation is the record) ------------ */

  function roundTo(value, step) { return Math.round(value / step) * step; }

  document.addEventListener("input", function (evt) {
    var box = evt.target.closest && evt.target.closest("[data-calc]");
    var out = document.getElementById("calc-preview");
    if (!box || !out) { return; }
    var read = function (name) {
      var el = box.querySelector("[data-calc-input='" + name + "']");
      return el ? parseFloat(el.value) : NaN;
    };
    var dose = read("dose_mg"), concentration = read("concentration_mg_per_ml"), minutes = read("infusion_minutes");
    if (!(dose > 0 && concentration > 0)) { out.textContent = ""; return; }
    var volume = roundTo(dose / concentration, 0.1);
    var text = "Draw " + volume.toFixed(1) + " mL";
    if (minutes > 0) { text += "; pump rate " + roundTo(volume * 60 / minutes, 0.1).toFixed(1) + " mL/h over " + minutes + " min"; }
    out.textContent = text + " (preview; the record shows the calculation stored).";
  });

  function describe(form, fields) {
    var parts = [];
    form.querySelectorAll("[data-describe]").forEach(function (el) {
      var value = fields[el.name];
      var name = el.getAttribute("data-describe");
      if (value) { parts.push(name ? name + " " + value : value.slice(0, 60)); }
    });
    return parts.join(", ");
  }

  function enqueue(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") { fields[name] = value; }
    });
    var idField = form.getAttribute("data-queue-id");
    var timeField = form.getAttribute("data-queue-time");
    var at = takenAt(form);
    var clock = form.querySelector("[data-taken-at]");
    if (clock) { delete fields[clock.name]; }
    fields[idField] = newId();
    fields[timeField] = at.toISOString();
    var queue = loadQueue();
    queue.push({
      id: fields[idField],
      kind: form.getAttribute("data-queue"),
      url: form.getAttribute("action"),
      session: form.getAttribute("data-session"),
      prefix: form.getAttribute("data-prefix"),
      fields: fields,
      label: describe(form, fields),
      at: at.toISOString(),
      user: currentUser(),
      problem: null
    });
    saveQueue(queue);
    form.reset();
    renderQueue();
    flush();
  }

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.matches || !form.matches("form[data-queue]")) { return; }
    evt.preventDefault();
    enqueue(form);
  });

  // Entries are sent only while the person who entered them is signed in, so every reading is
  // recorded as theirs even on a tablet shared between nurses.
  function currentUser() {
    var root = document.querySelector("[data-user]");
    return root ? root.getAttribute("data-user") : "";
  }

  function mine(queue) {
    var user = currentUser();
    return queue.filter(function (e) { return e.user === user; });
  }

  function csrfToken() {
    var root = document.querySelector("[data-csrf]");
    return root ? root.getAttribute("data-csrf") : "";
  }

  function encode(fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    return body;
  }

  function refusalText(html, prefix) {
    var page = document.createElement("template");
    page.innerHTML = html;
    var form = page.content.querySelector("[data-refusal='" + prefix + "']");
    var found = [];
    (form ? form.querySelectorAll(".error") : page.content.querySelectorAll("[data-form-error], [role='alert'] p, [role='alert'] li")).forEach(function (el) {
      var text = el.textContent.trim();
      if (text && found.indexOf(text) < 0) { found.push(text); }
    });
    return found.join(" ") || "The server refused it.";
  }

  function send(entry) {
    return window.fetch(entry.url, {
      method: "POST",
      body: encode(entry.fields),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRF-Token": csrfToken(), "HX-Request": "true" }
    }).then(function (response) {
      if (response.ok && response.headers.get("X-Entry-Stored") === entry.id) {
        return { outcome: "stored" };
      }
      if (response.status === 409 || response.status === 422) {
        return response.text().then(function (html) {
          return { outcome: "refused", message: refusalText(html, entry.prefix) };
        });
      }
      if (response.status === 401 || response.status === 403 || response.type === "opaqueredirect" || response.ok) {
        return { outcome: "held", message: "Not accepted: sign in again, then reload this page. The entry is kept." };
      }
      return { outcome: "retry", message: "The server answered " + response.status + "; retrying." };
    }, function () {
      return { outcome: "retry", message: null };
    });
  }

  function settle(entry, result) {
    var done = result.outcome === "stored" || result.outcome === "refused";
    var queue = loadQueue();
    if (done) {
      queue = queue.filter(function (e) { return e.id !== entry.id; });
    } else {
      queue.forEach(function (e) { if (e.id === entry.id) { e.problem = result.message; } });
    }
    if (result.outcome === "refused") { showRefusal(entry, result.message); }
    saveQueue(queue);
    return result.outcome;
  }

  function flush() {
    if (sending) { return; }
    var queue = mine(loadQueue());
    if (!queue.length) { renderQueue(); return; }
    sending = true;
    var entry = queue[0];
    send(entry).then(function (result) {
      var outcome = settle(entry, result);
      sending = false;
      renderQueue();
      if (outcome === "stored" || outcome === "refused") {
        backoffMs = 1000;
        setConnection(true);
        refreshIfShowing(entry);
        flush();
      } else {
        if (result.message === null) { setConnection(false); }
        scheduleRetry();
      }
    });
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }

  function refreshIfShowing(entry) {
    var container = live();
    if (container && container.getAttribute("data-session") === entry.session && window.htmx) {
      window.htmx.trigger(container, "chair:refresh");
    }
  }

  function showRefusal(entry, message) {
    var refusals = JSON.parse(window.sessionStorage.getItem(QUEUE_KEY + ".refused") || "[]");
    refusals.push({ kind: entry.kind, label: entry.label, at: entry.at, message: message });
    window.sessionStorage.setItem(QUEUE_KEY + ".refused", JSON.stringify(refusals.slice(-10)));
  }

  function renderRefusals() {
    var refusals = JSON.parse(window.sessionStorage.getItem(QUEUE_KEY + ".refused") || "[]");
    document.querySelectorAll("[data-refusals]").forEach(function (box) {
      var kind = box.getAttribute("data-refusals");
      var mine = refusals.filter(function (r) { return r.kind === kind; });
      box.replaceChildren();
      mine.forEach(function (r, index) {
        var item = document.createElement("p");
        item.className = "alert error refusal";
        item.setAttribute("role", "alert");
        var when = new Date(r.at);
        item.textContent = "Not stored: entry of " + pad(when.getHours()) + ":" + pad(when.getMinutes()) +
          (r.label ? " (" + r.label + ")" : "") + ". " + r.message + " ";
        var dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.className = "secondary";
        dismiss.textContent = "Dismiss";
        dismiss.addEventListener("click", function () { dismissRefusal(refusals.indexOf(mine[index])); });
        item.appendChild(dismiss);
        box.appendChild(item);
      });
    });
  }

  function dismissRefusal(index) {
    var refusals = JSON.parse(window.sessionStorage.getItem(QUEUE_KEY + ".refused") || "[]");
    refusals.splice(index, 1);
    window.sessionStorage.setItem(QUEUE_KEY + ".refused", JSON.stringify(refusals));
    renderRefusals();
  }

  function renderQueue() {
    var all = loadQueue();
    var queue = mine(all);
    var others = all.length - queue.length;
    var status = document.getElementById("queue-status");
    if (status) {
      var n = queue.length;
      status.textContent = n === 0 ? "" : n + (n === 1 ? " reading" : " readings") + " waiting to send";
      status.hidden = n === 0;
    }
    var detail = document.getElementById("queue-problem");
    if (detail) {
      var problem = (queue.length && queue[0].problem) || "";
      if (others) { problem += (problem ? " " : "") + others + " entered by someone else wait until they sign in on this tablet."; }
      detail.textContent = problem;
      detail.hidden = !problem;
    }
    renderRefusals();
  }

  // Signing out with entries still waiting keeps them here, unsent, until the next sign-in.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.getAttribute || form.getAttribute("action") !== "/logout") { return; }
    var n = mine(loadQueue()).length;
    if (n && !window.confirm(n + " entries have not been sent yet. They stay on this tablet and are sent when you sign in again. Sign out now?")) {
      evt.preventDefault();
    }
  }, true);

  /* --- start ---------------------------------------------------------------------------- */

  function start() {
    readServerClock();
    localTimes(document);
    renderQueue();
    tick();
    window.setInterval(tick, 1000);
    window.addEventListener("online", function () { backoffMs = 1000; flush(); });
    window.addEventListener("offline", function () { setConnection(false); });
    flush();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

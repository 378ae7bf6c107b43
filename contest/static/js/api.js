// A tiny client for /api/v1: JSON in and out, the CSRF header on every state change.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  function csrf() { return meta ? meta.content : ""; }

  // Sentences in the reader's language, written into the page by the server (contest/i18n.py).
  var messages = {};
  try { messages = JSON.parse(document.getElementById("messages").textContent); } catch (e) { /* none */ }
  function t(key, values) {
    var text = messages[key] || key;
    return text.replace(/%\((\w+)\)[sd]/g, function (all, name) {
      return values && name in values ? values[name] : all;
    }).replace(/%%/g, "%");
  }

  function ApiError(status, body) {
    var error = (body && body.error) || {};
    this.status = status;
    this.code = error.code || "network_error";
    this.message = error.message || t("network_failed");
    this.details = error;
  }

  function api(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") options.headers["X-CSRFToken"] = csrf();
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch("/api/v1" + path, options).then(function (response) {
      if (response.status === 204) return null;
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) throw new ApiError(response.status, data);
        return data;
      });
    }, function () { throw new ApiError(0, null); });
  }

  // Numbers the way the page's language writes them (4,3 in Bahasa Indonesia), like the server.
  var formats = {};
  function number(value, digits) {
    digits = digits || 0;
    try {
      formats[digits] = formats[digits] || new Intl.NumberFormat(document.documentElement.lang,
        { minimumFractionDigits: digits, maximumFractionDigits: digits });
      return formats[digits].format(value);
    } catch (e) { return Number(value).toFixed(digits); }
  }

  // "4.3★ · 12 ratings", or "New: needs votes" for a clip nobody has rated (as _macros.html)
  function ratingsText(n) {
    var one = n === 1;
    try { one = new Intl.PluralRules(document.documentElement.lang).select(n) === "one"; } catch (e) { /* keep */ }
    return t(one ? "ratings_one" : "ratings_many", { num: number(n) });
  }
  function scoreLine(node, average, count) {
    node.textContent = "";
    var ratings = document.createElement("span");
    ratings.dataset.field = "ratings";
    if (count) {
      var avg = document.createElement("span");
      avg.dataset.field = "average";
      avg.textContent = number(average, 1);
      node.appendChild(avg);
      node.appendChild(document.createTextNode("★ · "));
      ratings.textContent = ratingsText(count);
    } else {
      ratings.className = "needs-votes";
      ratings.textContent = t("needs_votes");
    }
    node.appendChild(ratings);
  }

  // Times in the reader's own time zone ("Tuesday 14:00"); the server writes UTC.
  function localTime(iso, options) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang,
        options || { weekday: "long", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
    } catch (e) { return iso; }
  }
  // The reader's time zone: forms that take times (a moderator's round windows) use it.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      if (document.cookie.indexOf("tz=" + encodeURIComponent(zone)) < 0) {
        document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
      }
      document.querySelectorAll("input[name=tz]").forEach(function (input) { if (!input.value) input.value = zone; });
    }
  } catch (e) { /* UTC it is */ }
  document.querySelectorAll("time[data-local-time]").forEach(function (node) {
    node.textContent = localTime(node.getAttribute("datetime"));
  });

  // The small (540p) rendition when the fan asked for Data saver, the phone saves data, the
  // network says it is slower than 4G, or what this tab measured itself (judge mode times each
  // clip's first bytes) is below 2 Mbit/s: the full rendition streams at up to 2.5.
  var SLOW_MBPS = 2;
  function measuredMbps() {
    try { return Number(sessionStorage.getItem("gingaMbps")) || 0; } catch (e) { return 0; }
  }
  function noteDownload(bytes, ms) {
    if (bytes < 64 * 1024 || ms <= 0) return;   // too little to tell
    var mbps = bytes * 8 / ms / 1000, before = measuredMbps();
    try { sessionStorage.setItem("gingaMbps", String(before ? 0.5 * before + 0.5 * mbps : mbps)); } catch (e) { /* private mode */ }
  }
  function wantsSmall() {
    if (document.body && document.body.dataset.saver === "on") return true;
    var net = navigator.connection;
    if (net && net.saveData) return true;
    if (net && /^(slow-2g|2g|3g)$/.test(net.effectiveType || "")) return true;
    var measured = measuredMbps();
    return measured > 0 && measured < SLOW_MBPS;
  }
  function videoUrl(entry) {
    return (entry.small_video_url && wantsSmall()) ? entry.small_video_url : entry.video_url;
  }

  window.ginga = { localTime: localTime, api: api, csrf: csrf, ApiError: ApiError, t: t, number: number,
    ratingsText: ratingsText, scoreLine: scoreLine, wantsSmall: wantsSmall, videoUrl: videoUrl, noteDownload: noteDownload };
})();

// Offline page and fast repeat visits (contest/static/js/sw.js); pages themselves stay live.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* not critical */ });
    // the offline page then speaks the language of the last page read
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage({ language: document.documentElement.lang.replace("-", "_") });
    });
  });
}

// The footer's language picker changes as soon as a language is chosen (the button stays for
// browsers without scripts).
// A language change comes back to the page as it is now (judge mode keeps ?entry= in the URL).
document.addEventListener("submit", function (event) {
  var next = event.target.querySelector && event.target.querySelector("input[name=next]");
  if (next && /\/language$/.test(event.target.getAttribute("action") || "")) {
    next.value = location.pathname + location.search;
  }
});
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});

// Confirmations in the page (a <dialog>), never the browser's confirm(): forms with data-confirm
// ask first; the button pressed is submitted once the moderator agrees.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (form.dataset.confirmed === "yes" || typeof HTMLDialogElement === "undefined") return;
    event.preventDefault();
    var pressed = event.submitter;
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    var text = document.createElement("p");
    text.textContent = form.dataset.confirm;
    var row = document.createElement("div");
    row.className = "actions";
    var no = document.createElement("button");
    no.type = "button"; no.textContent = ginga.t("cancel");
    var yes = document.createElement("button");
    yes.type = "button"; yes.className = "primary"; yes.textContent = ginga.t("confirm");
    row.append(no, yes);
    dialog.append(text, row);
    document.body.appendChild(dialog);
    no.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    yes.addEventListener("click", function () {
      form.dataset.confirmed = "yes";
      dialog.close();
      if (form.requestSubmit) form.requestSubmit(pressed || undefined); else form.submit();
    });
    dialog.showModal();
    yes.focus();
  });
});

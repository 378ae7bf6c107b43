// Resumable upload: parts sent 3 at a time, each retried with backoff; resumes after a reload.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var PARALLEL = 3, MAX_TRIES = 6;
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  var errorBox = document.getElementById("upload-error");
  var retryButton = document.getElementById("upload-retry");
  var button = document.getElementById("upload-button");
  var cancelButton = document.getElementById("upload-cancel");
  var current = null;  // {upload_id, key} while parts are on their way
  var cancelled = false;
  var chosen = null;   // the clip picked from the gallery or just recorded
  var label = document.getElementById("progress-label");
  var done = document.getElementById("upload-done");
  var another = document.getElementById("send-another-wrap");

  // The chosen clip, previewed before anything is sent: its length and shape.
  var preview = document.getElementById("preview");
  var previewVideo = document.getElementById("preview-video");
  var facts = document.getElementById("preview-facts");
  var maxSeconds = Number(document.querySelector(".pick").dataset.maxSeconds);
  // sizes as phones and the server say them: MB of 1,048,576 bytes, whole from 10 MB up
  function megabytes(bytes) {
    var mb = bytes / 1048576;
    return ginga.number(mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10, mb >= 10 ? 0 : 1);
  }
  function choose(file) {
    chosen = file || null;
    errorBox.hidden = true;
    if (!chosen || !window.URL || !URL.createObjectURL) { preview.hidden = !chosen; return; }
    if (previewVideo.src) URL.revokeObjectURL(previewVideo.src);
    previewVideo.src = URL.createObjectURL(chosen);
    facts.textContent = chosen.name;
    preview.hidden = false;
  }
  previewVideo.addEventListener("loadedmetadata", function () {
    var seconds = Math.round(previewVideo.duration || 0);
    var shape = previewVideo.videoHeight > previewVideo.videoWidth ? ginga.t("upright")
      : previewVideo.videoHeight < previewVideo.videoWidth ? ginga.t("landscape") : ginga.t("square");
    var length = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    facts.textContent = ginga.t("preview_facts", { length: length, shape: shape, mb: megabytes(chosen.size) });
    preview.classList.toggle("tall", previewVideo.videoHeight > previewVideo.videoWidth);
    if (seconds > maxSeconds) fail(ginga.t("too_long", { seconds: maxSeconds }));
    previewVideo.play().catch(function () { /* a still preview is fine */ });
  });
  previewVideo.addEventListener("error", function () { facts.textContent = chosen ? chosen.name : ""; });
  document.getElementById("file").addEventListener("change", function () { choose(this.files[0]); });
  document.getElementById("record").addEventListener("change", function () { choose(this.files[0]); });

  function say(message) { text.textContent = message; }
  function fail(message) {
    errorBox.textContent = message; errorBox.hidden = false;
    button.disabled = false; retryButton.hidden = false;
  }
  function rejected(message) {
    // only the reason and a way to send another clip
    box.hidden = true; form.hidden = true; preview.hidden = true;
    errorBox.textContent = message; errorBox.hidden = false;
    another.hidden = false;
  }
  function celebrate(entry) {
    box.hidden = true; form.hidden = true; preview.hidden = true;
    document.getElementById("done-title").textContent =
      (entry.status === "live" ? "🎉 " + ginga.t("clip_live") : ginga.t("clip_waits"));
    var open = document.getElementById("open-entry");
    open.href = entry.url || "/entries/" + entry.id;
    var share = document.getElementById("done-share");
    share.dataset.url = location.origin + open.getAttribute("href");
    share.dataset.title = entry.title || "";
    share.hidden = entry.status !== "live";
    var poster = document.getElementById("done-poster");
    if (entry.poster_url) { poster.src = entry.poster_url; poster.hidden = false; }
    done.hidden = false;
    document.getElementById("done-title").tabIndex = -1;
    document.getElementById("done-title").focus();
  }
  function storageKey(file, roundId) { return "ginga-upload:" + roundId + ":" + file.name + ":" + file.size + ":" + file.lastModified; }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function online() {
    if (navigator.onLine !== false) return Promise.resolve();
    say(ginga.t("waiting_network"));
    return new Promise(function (r) { window.addEventListener("online", function () { r(); }, { once: true }); });
  }

  function sendPart(target, blob, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(target.method || "PUT", target.url);
      if (target.url.charAt(0) === "/") {       // our own endpoint, not a bucket
        xhr.setRequestHeader("X-CSRFToken", ginga.csrf());
        xhr.setRequestHeader("Content-Type", "application/octet-stream");
      }
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded); };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve((xhr.getResponseHeader("ETag") || "").replace(/"/g, ""));
        } else {
          var body = null; try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
          reject(new ginga.ApiError(xhr.status, body));
        }
      };
      xhr.onerror = xhr.ontimeout = function () { reject(new ginga.ApiError(0, null)); };
      xhr.send(blob);
    });
  }

  function upload(file, info) {
    var partSize = info.part_size, total = file.size;
    var loaded = {}, etags = {};
    (info.stored || []).forEach(function (p) { loaded[p.number] = p.size; etags[p.number] = p.etag; });
    var queue = info.targets.slice();
    function progress() {
      var sum = 0; for (var k in loaded) sum += loaded[k];
      var pct = Math.floor(sum * 100 / total);
      bar.value = pct; say(ginga.t("upload_progress", { percent: pct, sent: megabytes(sum), total: megabytes(total) }));
    }
    progress();
    function worker() {
      if (cancelled) return Promise.reject(new ginga.ApiError(0, { error: { message: ginga.t("upload_cancelled") } }));
      var target = queue.shift();
      if (!target) return Promise.resolve();
      var start = (target.number - 1) * partSize;
      var blob = file.slice(start, Math.min(start + partSize, total));
      var attempt = function (tries) {
        return online().then(function () {
          return sendPart(target, blob, function (n) { loaded[target.number] = n; progress(); });
        }).then(function (etag) {
          loaded[target.number] = blob.size; etags[target.number] = etag; progress();
        }, function (error) {
          loaded[target.number] = 0; progress();
          if (error.status && error.status < 500 && error.status !== 429) throw error;  // our mistake: stop
          if (tries >= MAX_TRIES) throw error;
          say(ginga.t("retrying_part", { number: target.number }));
          return sleep(1000 * Math.pow(2, tries - 1)).then(function () { return attempt(tries + 1); });
        });
      };
      return attempt(1).then(worker);
    }
    var workers = [];
    for (var i = 0; i < PARALLEL; i++) workers.push(worker());
    return Promise.all(workers).then(function () {
      var parts = Object.keys(etags).map(function (n) { return { number: Number(n), etag: etags[n] }; });
      say(ginga.t("finishing"));
      return ginga.api("POST", "/uploads/" + info.upload_id + "/complete", { parts: parts });
    });
  }

  function begin(file, fields) {
    var key = storageKey(file, fields.round_id);
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    var resume = saved ? ginga.api("GET", "/uploads/" + saved.upload_id).then(function (state) {
      if (state.completed) return { done: true, entry_id: state.entry_id, status: state.status };
      return { upload_id: state.upload_id, entry_id: state.entry_id, part_size: state.part_size, stored: state.parts, targets: state.targets };
    }, function () { localStorage.removeItem(key); return null; }) : Promise.resolve(null);
    return resume.then(function (info) {
      if (info) { say(ginga.t("resuming")); return info; }
      var body = {
        round_id: fields.round_id, title: fields.title, description: fields.description,
        filename: file.name, size: file.size, content_type: file.type || "application/octet-stream"
      };
      if (form.dataset.entryId) body.entry_id = Number(form.dataset.entryId);
      if (form.dataset.answers) body.answers = Number(form.dataset.answers);
      return ginga.api("POST", "/uploads", body).then(function (started) {
        var fresh = { upload_id: started.upload_id, entry_id: started.entry_id, part_size: started.part_size, stored: [], targets: started.parts };
        localStorage.setItem(key, JSON.stringify({ upload_id: started.upload_id }));
        return fresh;
      });
    }).then(function (info) {
      if (info.done) return info;
      current = { upload_id: info.upload_id, key: key };
      cancelButton.hidden = false;
      return upload(file, info).then(function (answer) { localStorage.removeItem(key); return answer; });
    });
  }

  function watch(entryId) {
    cancelButton.hidden = true;
    bar.value = 100;
    label.textContent = ginga.t("checking_label");
    say(ginga.t("checking"));
    document.getElementById("can-leave").hidden = false;  // a notification tells them
    var finished = false;
    function show(entry) {
      if (finished) return;
      if (entry.status === "processing" && entry.status_reason) say(entry.status_reason);
      if (entry.status === "live" || entry.status === "pending_review") { finished = true; celebrate(entry); }
      if (entry.status === "rejected") {
        finished = true;
        rejected(ginga.t("not_accepted", { reason: entry.status_reason }));
      }
    }
    if (typeof io !== "undefined") {
      var socket = io({ transports: ["websocket", "polling"] });
      // the push says something changed; the entry itself is read in this page's language
      socket.on("entry_status", function (d) {
        if (d.entry_id !== entryId) return;
        ginga.api("GET", "/entries/" + entryId).then(show, function () {
          show({ id: entryId, status: d.status, status_reason: d.reason });
        });
      });
    }
    (function poll() {
      if (finished) return;
      ginga.api("GET", "/entries/" + entryId).then(show, function () {});
      setTimeout(poll, 2000);
    })();
  }

  function run() {
    var file = chosen || document.getElementById("file").files[0];
    errorBox.hidden = true; retryButton.hidden = true;
    if (!file) { fail(ginga.t("choose_video")); return; }
    var maxBytes = Number(form.dataset.maxBytes);
    if (file.size > maxBytes) { fail(ginga.t("too_large", { mb: megabytes(maxBytes) })); return; }
    var fields = {
      round_id: Number(document.getElementById("round").value),
      title: document.getElementById("title").value.trim(),
      description: document.getElementById("description").value.trim()
    };
    if (!fields.title) { fail(ginga.t("give_title")); return; }
    button.disabled = true; box.hidden = false;
    label.textContent = ginga.t("uploading");
    begin(file, fields).then(function (answer) { watch(answer.entry_id); }, function (error) { fail(error.message); });
  }

  cancelButton.addEventListener("click", function () {
    if (!current) return;
    cancelled = true;
    cancelButton.hidden = true;
    ginga.api("DELETE", "/uploads/" + current.upload_id).then(function () {
      localStorage.removeItem(current.key);
      say(ginga.t("cancelled_nothing_kept"));
      button.disabled = false; bar.value = 0;
    }, function (error) { fail(error.message); });
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); cancelled = false; run(); });
  retryButton.addEventListener("click", run);
})();

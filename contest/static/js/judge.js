// Judge mode: one clip per screen, the stars always under the thumb, one tap judges and moves on.
// A scroll-snap feed (swiping is native scrolling), IntersectionObserver plays the clip on
// screen, only the clips around it hold a <video>, and the URL keeps ?entry= for reloads.
(function () {
  "use strict";
  var root = document.getElementById("judge");
  var feed = document.getElementById("judge-feed");
  if (!root || !feed) return;
  var roundId = root.dataset.roundId;
  var signedIn = root.dataset.signedIn === "1";
  var verified = root.dataset.verified === "1";
  var blind = root.dataset.blind === "1";
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var bar = document.getElementById("star-bar");
  var inputs = bar.querySelectorAll("input[name=judge-stars]");
  var legend = document.getElementById("star-legend");
  var progress = document.getElementById("judge-progress");
  var announce = document.getElementById("judge-announce");
  var toast = document.getElementById("judge-toast");
  var toastText = document.getElementById("judge-toast-text");
  var endState = document.getElementById("judge-end");
  var gate = document.getElementById("judge-gate");

  var clips = [];          // entries in feed order
  var sections = [];       // their <section> elements
  var current = -1;        // index on screen
  var judged = null, total = 0, exhausted = false, loading = null;
  var muted = true;
  var mine = {};           // entry id -> stars saved (or being saved)
  var unsaved = {};        // entry id -> stars still to be stored (retried until they are)
  var toastTimer = null, lastJudgedIndex = -1;
  window.gingaJudge = { saved: mine, unsaved: unsaved };

  function scoreText(entry) {
    var r = entry.rating || {};
    if (blind || r.hidden) return "";
    // blind until you vote: the crowd's score shows only once this fan has rated the clip
    if (!mine[entry.id] && !entry.my_rating) return "";
    if (!r.count) return ginga.t("needs_votes");
    return "★ " + ginga.number(r.average, 1) + " · " + ginga.ratingsText(r.count);
  }

  function setProgress() {
    if (judged === null) { progress.textContent = ginga.t("judge_clips", { num: ginga.number(total) }); return; }
    progress.textContent = ginga.t("judge_progress", { done: ginga.number(judged), total: ginga.number(total) });
  }

  // ---- the feed -------------------------------------------------------------------------
  function makeSection(entry) {
    var section = document.createElement("section");
    section.className = "clip";
    section.dataset.entryId = entry.id;
    section.setAttribute("aria-roledescription", ginga.t("clip"));
    var tall = entry.height && entry.width && entry.height > entry.width;
    section.classList.toggle("tall", !!tall);
    var stage = document.createElement("div");
    stage.className = "clip-stage";
    if (entry.poster_url) {
      var img = document.createElement("img");
      img.className = "clip-poster";
      img.alt = "";
      img.dataset.src = entry.poster_url;  // set when the clip comes near (show())
      img.decoding = "async";
      stage.appendChild(img);
    }
    section.appendChild(stage);
    var info = document.createElement("div");
    info.className = "clip-info";
    var heading = document.createElement("h2");
    heading.tabIndex = -1;
    var link = document.createElement("a");
    link.href = entry.url;
    link.textContent = entry.title;           // text, never HTML
    heading.appendChild(link);
    var who = document.createElement("a");
    who.className = "clip-author";
    who.href = "/u/" + encodeURIComponent(entry.author);
    who.textContent = "@" + entry.author;
    var follow = null;
    if (typeof entry.following_author === "boolean") {  // signed in, someone else's clip
      follow = document.createElement("button");
      follow.type = "button";
      follow.className = "button follow small";
      follow.dataset.username = entry.author;
      follow.dataset.following = String(entry.following_author);
      follow.setAttribute("aria-pressed", String(entry.following_author));
      follow.textContent = entry.following_author ? "✓ " + ginga.t("following") : ginga.t("follow");
    }
    var facts = document.createElement("p");
    facts.className = "clip-facts";
    var score = document.createElement("span");
    score.dataset.field = "score-line";
    score.textContent = scoreText(entry);
    facts.appendChild(score);
    if (typeof entry.comments === "number") {
      var talk = document.createElement("a");
      talk.href = entry.url + "#comments";
      talk.className = "clip-comments";
      talk.textContent = "💬 " + ginga.number(entry.comments);
      talk.setAttribute("aria-label", ginga.t("comments_count", { num: ginga.number(entry.comments) }));
      facts.appendChild(talk);
    }
    info.appendChild(heading); info.appendChild(who);
    if (follow) info.appendChild(follow);
    info.appendChild(facts);
    section.appendChild(info);
    var sound = document.createElement("button");
    sound.type = "button";
    sound.className = "clip-sound";
    sound.setAttribute("aria-pressed", "false");
    sound.setAttribute("aria-label", ginga.t("sound"));
    sound.textContent = "🔇";
    section.appendChild(sound);
    var line = document.createElement("div");
    line.className = "clip-progress";
    line.setAttribute("aria-hidden", "true");
    line.appendChild(document.createElement("span"));
    section.appendChild(line);
    stage.addEventListener("click", togglePlay);   // a tap on the clip pauses and resumes it
    sound.addEventListener("click", toggleSound);  // the sound has its own button
    return section;
  }

  function add(entries) {
    entries.forEach(function (entry) {
      if (clips.some(function (c) { return c.id === entry.id; })) return;
      clips.push(entry);
      var section = makeSection(entry);
      sections.push(section);
      feed.appendChild(section);
      observer.observe(section);
    });
  }

  function fetchMore() {
    if (exhausted) return Promise.resolve();
    if (loading) return loading;
    var skip = clips.map(function (c) { return c.id; }).slice(-400).join(",");
    loading = ginga.api("GET", "/rounds/" + roundId + "/judge?limit=8" + (skip ? "&skip=" + skip : "")).then(function (data) {
      loading = null;
      // ratings still on their way are not in the server's count yet: never count down
      if (data.judged !== null) judged = Math.max(judged || 0, data.judged);
      total = data.total;
      setProgress();
      if (!data.entries.length) exhausted = true;
      add(data.entries);
      if (!clips.length) showEnd();
    }, function (error) {
      loading = null;
      say(error.message);
      setTimeout(fetchMore, 3000);   // the network came back? try again
    });
    return loading;
  }

  // ---- videos: only the clips around the one on screen hold one ----------------------------
  // The small rendition on a slow network or with Data saver (ginga.videoUrl). The next clip
  // loads its header and first seconds only: a ranged request that the player's own requests
  // then find in the cache, never the whole file before the fan gets there.
  var WARM_BYTES = { small: 256 * 1024, full: 768 * 1024 };
  var warmed = {};
  function warm(entry, url) {
    if (!warmed[url]) {
      var bytes = url === entry.small_video_url ? WARM_BYTES.small : WARM_BYTES.full;
      var started = performance.now();
      warmed[url] = !window.fetch ? Promise.resolve() :
        fetch(url, { headers: { Range: "bytes=0-" + (bytes - 1) }, credentials: "same-origin" })
          .then(function (response) { return response.arrayBuffer(); })
          .then(function (body) { ginga.noteDownload(body.byteLength, performance.now() - started); })
          .catch(function () { /* the player fetches it itself */ });
    }
    return warmed[url];
  }

  // "auto" for the clip on screen; "next" for the one after it: its first seconds, then a
  // player that has read its header
  function ensureVideo(index, preload) {
    var section = sections[index], entry = clips[index];
    if (!section || !entry.video_url) return null;
    var video = section.querySelector("video");
    if (video) {
      if (preload === "auto") video.preload = "auto";
      return video;
    }
    var url = ginga.videoUrl(entry);
    if (preload === "next") {
      warm(entry, url).then(function () {
        var now = ginga.videoUrl(entry);   // slower than it looked: the small one instead
        return now === url ? null : warm(entry, now);
      }).then(function () {
        if (Math.abs(current - index) <= 1) ensureVideo(index, "metadata");
      });
      return null;
    }
    video = document.createElement("video");
    video.className = "clip-video";
    video.muted = true; video.loop = true; video.playsInline = true;
    video.setAttribute("playsinline", ""); video.setAttribute("muted", "");
    if (entry.poster_url) video.poster = entry.poster_url;
    video.preload = preload;
    video.src = url;
    video.setAttribute("aria-label", ginga.t("clip_by", { title: entry.title, name: entry.author }));
    var fill = section.querySelector(".clip-progress span");
    video.addEventListener("timeupdate", function () {
      if (video.duration) fill.style.width = (100 * video.currentTime / video.duration).toFixed(1) + "%";
    });
    section.querySelector(".clip-stage").appendChild(video);
    return video;
  }

  function dropVideo(index) {
    var video = sections[index] && sections[index].querySelector("video");
    if (video) { video.pause(); video.removeAttribute("src"); video.load(); video.remove(); }
  }

  function show(index, why) {
    if (index === current || index < 0 || index >= clips.length) return;
    current = index;
    var entry = clips[index];
    root.dataset.current = entry.id;
    sections.forEach(function (section, i) {
      if (Math.abs(i - index) > 2) dropVideo(i);
      var img = section.querySelector("img.clip-poster");
      if (img && !img.src && i >= index - 1 && i <= index + 2) img.src = img.dataset.src;
      var video = section.querySelector("video");
      if (video && i !== index) video.pause();
    });
    var video = ensureVideo(index, "auto");
    sections[index].classList.remove("paused");
    // the next clip's first seconds load once this one plays: its first frame comes first
    var preloadNext = function () {
      if (current !== index) return;
      ensureVideo(index + 1, "next");
    };
    if (video) {
      video.muted = muted;
      if (!video.paused && video.readyState >= 3) preloadNext();
      else video.addEventListener("playing", preloadNext, { once: true });
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () { preloadNext(); /* autoplay refused: the poster shows */ });
    } else {
      preloadNext();
    }
    legend.textContent = ginga.t("rate_clip", { title: entry.title, name: entry.author });
    bar.hidden = false;   // a clip is on screen: its stars may be tapped
    paintStars(mine[entry.id] || entry.my_rating || 0);
    try { history.replaceState(null, "", location.pathname + "?entry=" + entry.id); } catch (e) { /* fine */ }
    if (why === "key") {
      var heading = sections[index].querySelector("h2");
      if (heading) heading.focus({ preventScroll: true });
    }
    if (clips.length - index <= 3) fetchMore();
  }

  var observer = new IntersectionObserver(function (records) {
    records.forEach(function (record) {
      if (record.isIntersecting && record.intersectionRatio >= 0.6) {
        show(sections.indexOf(record.target));
      }
    });
  }, { root: feed, threshold: [0.6] });

  function go(index, why) {
    if (index >= clips.length) {
      if (!exhausted) { fetchMore().then(function () { if (index < clips.length) go(index, why); else showEnd(); }); return; }
      showEnd();
      return;
    }
    if (index < 0) return;
    endState.hidden = true;
    feed.hidden = false;
    sections[index].scrollIntoView({ behavior: reduced ? "auto" : "smooth", block: "start" });
    show(index, why);
  }

  function showEnd() {
    sections.forEach(function (_, i) { dropVideo(i); });
    // no clip on screen: no star can change a rating (the last clip's above all)
    current = -1;
    bar.hidden = true;
    paintStars(0);
    endState.hidden = false;
    if (clips.length) {
      feed.appendChild(endState);
      endState.scrollIntoView({ behavior: reduced ? "auto" : "smooth", block: "start" });
    } else {
      feed.hidden = true;
    }
    legend.textContent = ginga.t("judged_all");
    say(ginga.t("judged_all"));
  }

  function togglePlay() {
    var video = sections[current] && sections[current].querySelector("video");
    if (!video) return;
    if (video.paused) video.play().catch(function () {});
    else video.pause();
    sections[current].classList.toggle("paused", video.paused);
  }

  function toggleSound() {
    muted = !muted;
    sections.forEach(function (section) {
      var video = section.querySelector("video");
      if (video) video.muted = muted;
      var button = section.querySelector(".clip-sound");
      button.textContent = muted ? "🔇" : "🔊";
      button.setAttribute("aria-pressed", String(!muted));
    });
    var video = sections[current] && sections[current].querySelector("video");
    if (video && video.paused) video.play().catch(function () {});
  }

  // ---- stars ----------------------------------------------------------------------------
  function paintStars(stars) {
    inputs.forEach(function (input) {
      var n = Number(input.value);
      input.checked = stars === n;
      input.nextElementSibling.classList.toggle("on", stars >= n);
    });
  }

  function say(text) { announce.textContent = text; }

  function showToast(text, canChange) {
    toastText.textContent = text;
    document.getElementById("judge-change").hidden = !canChange;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, canChange ? 4000 : 6000);
  }

  function gateFor(kind, entry) {
    var text = document.getElementById("judge-gate-text");
    document.getElementById("judge-gate-signin").hidden = kind !== "signin";
    document.getElementById("judge-gate-verify").hidden = kind !== "verify";
    if (kind === "signin") {
      var back = location.pathname + "?entry=" + entry.id;
      document.getElementById("judge-signin").href = "/login?next=" + encodeURIComponent(back);
      document.getElementById("judge-join").href = "/register?next=" + encodeURIComponent(back);
      text.textContent = ginga.t("judge_signin");
    } else {
      text.textContent = ginga.t("judge_verify");
    }
    gate.hidden = false;
    paintStars(0);
    gate.querySelector(kind === "signin" ? "#judge-signin" : "#judge-resend").focus();
  }

  function store(entryId, stars, attempt) {
    return ginga.api("PUT", "/entries/" + entryId + "/rating", { stars: stars }).then(function (data) {
      if (unsaved[entryId] === stars) delete unsaved[entryId];
      var entry = clips.filter(function (c) { return c.id === entryId; })[0];
      if (entry) { entry.rating = data.rating; entry.my_rating = stars; refreshScore(entry); }
      if (data.counts_from) showToast(ginga.t("counts_from", { when: ginga.localTime(data.counts_from) }), false);
      return data;
    }, function (error) {
      if (error.status === 0 || error.status === 503 || error.status === 429) {
        // the network or the server is away: keep it, show it as pending, try again
        var wait = Math.min(30000, 1000 * Math.pow(2, attempt || 0));
        showToast(ginga.t("rating_pending"), false);
        return new Promise(function (resolve) {
          setTimeout(resolve, wait);
          window.addEventListener("online", resolve, { once: true });  // back: send it now
        }).then(function () {
          if (unsaved[entryId] !== stars) return null;   // changed meanwhile: the newer one goes
          return store(entryId, stars, (attempt || 0) + 1);
        });
      }
      delete unsaved[entryId];
      delete mine[entryId];
      if (error.code === "email_not_verified") { verified = false; gateFor("verify"); return null; }
      showToast(error.message, false);
      return null;
    });
  }

  function judge(stars) {
    var index = current, entry = clips[index];
    if (!entry || bar.hidden || !endState.hidden) return;   // no clip on screen: nothing to rate
    if (!signedIn) { gateFor("signin", entry); return; }
    if (!verified) { gateFor("verify", entry); return; }
    var first = !mine[entry.id] && !entry.my_rating;
    mine[entry.id] = stars;
    unsaved[entry.id] = stars;
    paintStars(stars);
    if (first && judged !== null) { judged += 1; setProgress(); }
    if (navigator.vibrate) navigator.vibrate(10);
    lastJudgedIndex = index;
    var saying = stars === 1 ? ginga.t("saved_one") : ginga.t("saved_many", { num: stars });
    showToast("✓ " + saying, true);
    var next = clips[index + 1];
    say(saying + (next ? " " + ginga.t("next_clip", { title: next.title }) : ""));
    store(entry.id, stars, 0);
    // a beat to see the "✓" before the feed moves on
    setTimeout(function () { if (current === index) go(index + 1); }, reduced ? 100 : 300);
  }

  bar.addEventListener("submit", function (event) { event.preventDefault(); });  // Enter in the stars
  var pointerAt = 0, keyTimer = null;
  bar.addEventListener("pointerdown", function () { pointerAt = Date.now(); });
  inputs.forEach(function (input) {
    input.addEventListener("change", function () {
      var stars = Number(input.value);
      clearTimeout(keyTimer);
      if (Date.now() - pointerAt < 1500) { judge(stars); return; }
      paintStars(stars);   // arrow keys walk the stars: judge where the fan stops
      keyTimer = setTimeout(function () { judge(stars); }, 900);
    });
  });
  // a tap on the star already chosen (a re-judge of the same value) still moves on
  bar.querySelectorAll("label.star").forEach(function (label) {
    label.addEventListener("click", function () {
      var stars = Number(label.dataset.stars);
      var entry = clips[current];
      if (entry && (mine[entry.id] || entry.my_rating) === stars) { pointerAt = 0; judge(stars); }
    });
  });

  document.getElementById("judge-change").addEventListener("click", function () {
    toast.hidden = true;
    if (lastJudgedIndex >= 0) go(lastJudgedIndex, "key");
  });
  document.getElementById("judge-gate-close").addEventListener("click", function () { gate.hidden = true; });
  var flashes = document.getElementById("judge-flashes");
  if (flashes) {
    document.getElementById("judge-flashes-close").addEventListener("click", function () { flashes.hidden = true; });
  }
  document.getElementById("judge-resend").addEventListener("click", function () {
    var button = this;
    button.disabled = true;
    // the mailed link brings the fan back to this clip
    var back = location.pathname + (clips[current] ? "?entry=" + clips[current].id : "");
    ginga.api("POST", "/auth/verify/resend?next=" + encodeURIComponent(back)).then(function () {
      document.getElementById("judge-gate-text").textContent = ginga.t("link_sent");
    }, function (error) {
      button.disabled = false;
      document.getElementById("judge-gate-text").textContent = error.message;
    });
  });

  document.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (tag === "TEXTAREA" || (tag === "INPUT" && event.target.type !== "radio") || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowDown" || event.key === "PageDown") { event.preventDefault(); go(current + 1, "key"); }
    else if (event.key === "ArrowUp" || event.key === "PageUp") { event.preventDefault(); go((current < 0 ? clips.length : current) - 1, "key"); }
    else if (/^[1-5]$/.test(event.key)) { event.preventDefault(); judge(Number(event.key)); }
    else if (event.key === "m" || event.key === "M") { toggleSound(); }
  });

  // ---- live scores ----------------------------------------------------------------------
  function refreshScore(entry) {
    var index = clips.indexOf(entry);
    var node = index >= 0 && sections[index].querySelector('[data-field="score-line"]');
    if (node) node.textContent = scoreText(entry);
  }
  if (typeof io !== "undefined") {
    var socket = io({ transports: ["websocket", "polling"] });
    socket.on("connect", function () { socket.emit("join", { room: "round:" + roundId }); });
    socket.on("rating", function (data) {
      clips.forEach(function (entry) {
        if (entry.id === data.entry_id) {
          entry.rating = { average: data.average, count: data.count, score: data.score };
          refreshScore(entry);
        }
      });
    });
  }
  window.addEventListener("online", function () { toast.hidden = true; });
  window.addEventListener("offline", function () { showToast(ginga.t("offline"), false); });

  // ---- start: the clip in the URL first (back from signing in, a shared link), then the queue
  var start = Number(new URLSearchParams(location.search).get("entry") || root.dataset.start || 0);
  var first = start ? ginga.api("GET", "/entries/" + start).then(function (entry) {
    if (entry.round_id === Number(roundId) && entry.status === "live") add([entry]);
  }, function () { /* gone: just judge the queue */ }) : Promise.resolve();
  // the observer may already show the first clip and the fan move on before the queue settles:
  // only a feed nobody has moved yet starts at the top
  first.then(fetchMore).then(function () { if (clips.length && current < 0) { feed.scrollTop = 0; show(0); } });
})();

// The entry page: tappable stars and the share button.
(function () {
  "use strict";
  // a slow network or Data saver: the small rendition, before the player loads more
  var player = document.querySelector("video.player[data-small-src]");
  if (player && ginga.wantsSmall() && player.getAttribute("src") !== player.dataset.smallSrc) {
    player.src = player.dataset.smallSrc;
  }
  var rate = document.getElementById("rate");
  var entry = document.querySelector(".entry[data-entry-id]");
  if (rate && entry) {
    var message = document.getElementById("rate-message");
    // A native radio group: taps on the stars, arrow keys, and screen readers all work.
    var inputs = rate.querySelectorAll("input[name=stars]");
    var show = function (stars) {
      inputs.forEach(function (input) {
        var n = Number(input.value);
        input.checked = stars === n;
        input.nextElementSibling.classList.toggle("on", stars >= n);
      });
    };
    var timer = null;
    var save = function (stars) {
      var before = Number(rate.dataset.myRating || 0);
      message.textContent = ginga.t("saving");
      ginga.api("PUT", "/entries/" + entry.dataset.entryId + "/rating", { stars: stars }).then(function (data) {
        rate.dataset.myRating = stars;
        // blind until you vote: the crowd's numbers appear once this fan has rated
        var crowd = document.getElementById("crowd"), first = document.getElementById("rate-first");
        if (crowd) crowd.hidden = false;
        if (first) first.hidden = true;
        message.textContent = stars === 1 ? ginga.t("rated_one") : ginga.t("rated_many", { num: stars });
        if (data.counts_from) message.textContent += " " + ginga.t("counts_from", { when: ginga.localTime(data.counts_from) });
        if (data.rating.hidden) return;  // blind finish: no numbers
        var line = entry.querySelector(".rating-summary .score-line");
        if (line) ginga.scoreLine(line, data.rating.average, data.rating.count);
        var score = entry.querySelector('[data-field="score"]');
        if (score) score.textContent = ginga.number(data.rating.score, 2);
      }, function (error) {
        show(before);
        message.textContent = error.message;
      });
    };
    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        var stars = Number(input.value);
        show(stars);
        // arrow keys move through the stars: save where the fan stops, not every step
        clearTimeout(timer);
        timer = setTimeout(function () { save(stars); }, 350);
      });
    });
  }
  var resend = document.getElementById("resend-link");
  if (resend) {
    resend.addEventListener("click", function () {
      resend.disabled = true;
      ginga.api("POST", "/auth/verify/resend").then(function () {
        document.getElementById("resend-message").textContent = ginga.t("link_sent");
      }, function (error) {
        resend.disabled = false;
        document.getElementById("resend-message").textContent = error.message;
      });
    });
  }
  var report = document.getElementById("report-form");
  if (report && entry) {
    report.addEventListener("submit", function (event) {
      event.preventDefault();
      var said = document.getElementById("report-message");
      var button = report.querySelector("button[type=submit]");
      button.disabled = true;
      ginga.api("POST", "/entries/" + entry.dataset.entryId + "/reports", {
        reason: document.getElementById("report-reason").value,
        text: document.getElementById("report-text").value
      }).then(function () {
        report.hidden = true;
        said.textContent = ginga.t("report_thanks");
      }, function (error) {
        button.disabled = false;
        said.textContent = error.message;
      });
    });
  }
  document.querySelectorAll(".share").forEach(function (share) {
    share.addEventListener("click", function () {
      var url = share.dataset.url, title = share.dataset.title;
      if (navigator.share) { navigator.share({ title: title, url: url }).catch(function () {}); return; }
      navigator.clipboard.writeText(url).then(function () { share.textContent = ginga.t("link_copied"); },
        function () { window.prompt(ginga.t("copy_link"), url); });
    });
  });

  var form = document.getElementById("comment-form");
  if (form && entry) {
    var box = document.getElementById("comment-body");
    var error = document.getElementById("comment-error");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      ginga.api("POST", "/entries/" + entry.dataset.entryId + "/comments", { body: box.value }).then(function (comment) {
        box.value = "";
        window.gingaAddComment && window.gingaAddComment(comment);
      }, function (e) { error.textContent = e.message; error.hidden = false; });
    });
  }
  document.addEventListener("click", function (event) {
    var like = event.target.closest(".like-comment");
    if (!like || like.disabled) return;
    var liked = like.getAttribute("aria-pressed") === "true";
    ginga.api(liked ? "DELETE" : "PUT", "/comments/" + like.dataset.commentId + "/like").then(function (data) {
      like.setAttribute("aria-pressed", String(data.liked));
      like.firstChild.textContent = (data.liked ? "♥" : "♡") + " ";
      like.querySelector(".likes").textContent = data.likes;
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".delete-comment");
    if (!button) return;
    ginga.api("DELETE", "/comments/" + button.dataset.commentId).then(function () {
      var li = document.getElementById("c" + button.dataset.commentId);
      if (li) li.remove();
    });
  });
})();

// An entry still being checked (seen by its uploader): reload once it has moved on.
(function () {
  "use strict";
  var entry = document.querySelector(".entry[data-entry-id]");
  if (!entry || (entry.dataset.status !== "processing" && entry.dataset.status !== "uploading")) return;
  var start = entry.dataset.status;
  (function poll() {
    ginga.api("GET", "/entries/" + entry.dataset.entryId).then(function (data) {
      if (data.status !== start) { location.reload(); return; }
      setTimeout(poll, 3000);
    }, function () { setTimeout(poll, 5000); });
  })();
})();

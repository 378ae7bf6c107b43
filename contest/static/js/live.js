// Live scores: joins the page's room and moves numbers and the leaderboard as ratings arrive.
(function () {
  "use strict";
  if (typeof io === "undefined") return;
  var entryEl = document.querySelector("[data-entry-id].entry");
  var roundEl = document.getElementById("round");
  var room = entryEl ? "entry:" + entryEl.dataset.entryId : roundEl ? "round:" + roundEl.dataset.roundId : null;
  if (!room) return;
  var socket = io({ transports: ["websocket", "polling"] });
  window.gingaSocket = socket;
  socket.on("connect", function () {
    socket.emit("join", { room: room }, function (answer) {
      document.documentElement.dataset.liveRoom = answer && answer.ok ? room : "";
    });
  });

  function setField(scope, name, text) {
    var node = scope.querySelector('[data-field="' + name + '"]');
    if (node && node.textContent !== text) {
      node.textContent = text;
      node.classList.remove("flash-change"); void node.offsetWidth; node.classList.add("flash-change");
    }
  }

  function showScore(scope, data) {
    var line = scope.querySelector(".score-line");
    var before = line ? line.textContent : "";
    if (line) ginga.scoreLine(line, data.average, data.count);
    if (line && line.textContent !== before) {
      line.classList.remove("flash-change"); void line.offsetWidth; line.classList.add("flash-change");
    }
    setField(scope, "score", data.count ? ginga.number(data.score, 2) : "–");
  }

  socket.on("rating", function (data) {
    var scopes = [];
    if (entryEl && String(data.entry_id) === entryEl.dataset.entryId) scopes.push(entryEl);
    document.querySelectorAll('#leaderboard li[data-entry-id="' + data.entry_id + '"]').forEach(function (li) { scopes.push(li); });
    if (entryEl && String(data.entry_id) === entryEl.dataset.entryId) histogram(data.histogram);
    scopes.forEach(function (scope) { showScore(scope, data); });
  });

  function histogram(counts) {
    var svg = document.getElementById("histogram");
    if (!svg || !counts) return;
    var top = Math.max.apply(null, counts.concat([1]));
    var said = [];
    counts.forEach(function (c, i) {
      var bar = svg.querySelector('rect[data-stars="' + (i + 1) + '"]');
      var label = svg.querySelector('text[data-count="' + (i + 1) + '"]');
      if (bar) bar.setAttribute("width", (c / top * 140).toFixed(1));
      if (label) label.textContent = ginga.number(c);
      said.push(ginga.t(i === 0 ? "stars_count_one" : "stars_count_many", { num: i + 1, count: ginga.number(c) }));
    });
    svg.setAttribute("aria-label", ginga.t("ratings_label", { list: said.join(", ") }));
  }

  // Comments arrive for everyone watching the entry; the poster's own arrives once.
  var commentList = document.getElementById("comment-list");
  // "2 minutes ago" in the page's language (Intl), for comments that arrive live
  window.gingaAgo = function (iso) {
    var seconds = Math.round((new Date(iso) - new Date()) / 1000);
    var units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1] || units[i][0] === "second") {
        try {
          return new Intl.RelativeTimeFormat(document.documentElement.lang, { numeric: "auto" })
            .format(Math.round(seconds / units[i][1]), units[i][0]);
        } catch (e) { return ""; }
      }
    }
    return "";
  };
  window.gingaAddComment = function (comment, atEnd) {
    if (!commentList || document.getElementById("c" + comment.id)) return;
    var li = document.createElement("li");
    li.id = "c" + comment.id;
    li.className = "comment";
    li.dataset.commentId = comment.id;
    var pic;
    if (comment.avatar_url) {
      pic = document.createElement("img");
      pic.src = comment.avatar_url; pic.alt = ""; pic.width = 28; pic.height = 28;
    } else {
      pic = document.createElement("span");
      pic.setAttribute("aria-hidden", "true");
      pic.textContent = (comment.author || "?").charAt(0).toUpperCase();
    }
    pic.className = "avatar tiny" + (comment.avatar_url ? "" : " placeholder");
    var text = document.createElement("div");
    text.className = "comment-body";
    var who = document.createElement("a");
    who.href = "/u/" + encodeURIComponent(comment.author);
    var strong = document.createElement("strong");
    strong.textContent = comment.author;
    who.appendChild(strong);
    var when = document.createElement("time");
    when.className = "muted small";
    when.dateTime = comment.created_at;
    when.textContent = window.gingaAgo ? window.gingaAgo(comment.created_at) : "";
    var body = document.createElement("span");
    body.innerHTML = comment.html;  // escaped on the server; only mention links are markup
    var like = document.createElement("button");
    like.type = "button"; like.className = "link like-comment";
    like.dataset.commentId = comment.id;
    like.setAttribute("aria-pressed", String(!!comment.liked));
    var count = document.createElement("span");
    count.className = "likes"; count.textContent = comment.likes || 0;
    like.append((comment.liked ? "♥" : "♡") + " ", count);
    var actions = document.createElement("div");
    actions.className = "comment-actions";
    actions.appendChild(like);
    text.append(who, " ", when, document.createElement("br"), body, actions);
    li.append(pic, text);
    if (atEnd) commentList.appendChild(li); else commentList.insertBefore(li, commentList.firstChild);
  };
  var more = document.getElementById("more-comments");
  if (more && entryEl) {
    more.addEventListener("click", function () {
      ginga.api("GET", "/entries/" + entryEl.dataset.entryId + "/comments?page=" + more.dataset.page).then(function (data) {
        data.comments.forEach(function (c) { window.gingaAddComment(c, true); });
        more.dataset.page = Number(more.dataset.page) + 1;
        more.hidden = !data.has_more;
      });
    });
  }
  socket.on("comment", function (data) { window.gingaAddComment(data.comment); });
  socket.on("comment_like", function (data) {
    var count = document.querySelector("#c" + data.id + " .likes");
    if (count) count.textContent = data.likes;
  });

  socket.on("leaderboard", function (data) {
    var list = document.getElementById("leaderboard");
    if (!list) return;
    var empty = list.querySelector(".empty");
    if (empty && data.top.length) empty.remove();
    data.top.forEach(function (row) {
      var li = list.querySelector('li[data-entry-id="' + row.entry_id + '"]');
      if (!li) {
        li = document.createElement("li");
        li.dataset.entryId = row.entry_id;
        var link = document.createElement("a");
        link.href = "/entries/" + row.entry_id;
        link.textContent = row.title;            // text, never HTML
        li.innerHTML = '<span class="thumb"></span><span class="rank"></span><span class="who"></span>' +
          '<span class="num"><span data-field="score"></span><br><span class="muted"><span class="score-line"></span></span></span>';
        var who = li.querySelector(".who");
        var author = document.createElement("span");
        author.className = "muted"; author.textContent = row.author;
        who.appendChild(link); who.appendChild(document.createElement("br")); who.appendChild(author);
      }
      li.querySelector(".rank").textContent = row.rank;
      showScore(li, row);
      list.appendChild(li);  // appending in rank order re-orders the list
    });
    // the board is the top of the round: a clip that dropped out of it leaves the list
    var shown = data.top.map(function (row) { return String(row.entry_id); });
    list.querySelectorAll("li[data-entry-id]").forEach(function (li) {
      if (shown.indexOf(li.dataset.entryId) < 0) li.remove();
    });
  });
})();

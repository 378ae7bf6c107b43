// Theme proposals: vote buttons without a page load, and counts that move live.
(function () {
  "use strict";
  var list = document.getElementById("theme-list");
  var head = document.getElementById("themes");
  if (!list || !head) return;

  function votesText(n) {
    var one = n === 1;
    try { one = new Intl.PluralRules(document.documentElement.lang).select(n) === "one"; } catch (e) { /* keep */ }
    return ginga.t(one ? "votes_one" : "votes_many", { num: ginga.number(n) });
  }
  function showVotes(id, votes) {
    var item = document.getElementById("t" + id);
    if (!item) return;
    var count = item.querySelector(".votes");
    if (count) { count.dataset.votes = votes; count.textContent = votesText(votes); }
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("vote-form")) return;
    event.preventDefault();
    var button = form.querySelector("button.vote");
    var voted = button.getAttribute("aria-pressed") === "true";
    button.disabled = true;
    ginga.api(voted ? "DELETE" : "PUT", "/themes/" + button.dataset.themeId + "/vote").then(function (data) {
      button.setAttribute("aria-pressed", String(data.my_vote));
      button.classList.toggle("primary", data.my_vote);
      button.querySelector(".vote-label").textContent = data.my_vote ? "✓ " + ginga.t("voted") : "👍 " + ginga.t("vote");
      showVotes(data.id, data.votes);
    }, function (error) {
      button.querySelector(".vote-label").textContent = error.message;
    }).then(function () { button.disabled = false; });
  });

  if (typeof io === "undefined") return;
  var socket = window.gingaSocket || io({ transports: ["websocket", "polling"] });
  window.gingaSocket = socket;
  var room = "themes:" + head.dataset.month;
  function join() {
    socket.emit("join", { room: room }, function (answer) {
      if (answer && answer.ok) document.documentElement.dataset.liveRoom = room;
    });
  }
  socket.on("connect", join);
  if (socket.connected) join();
  socket.on("theme", function (data) { showVotes(data.id, data.votes); });
})();

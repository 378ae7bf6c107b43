// Follow buttons (any number on a page) and share buttons.
(function () {
  "use strict";
  // every follow button (a profile's, the entry page's, judge mode's, "fans to follow")
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.follow");
    if (!button) return;
    var following = button.dataset.following === "true";
    ginga.api(following ? "DELETE" : "POST", "/users/" + encodeURIComponent(button.dataset.username) + "/follow").then(function (data) {
      button.dataset.following = String(data.following);
      button.setAttribute("aria-pressed", String(data.following));
      button.textContent = data.following ? "✓ " + ginga.t("following") : ginga.t("follow");
      var line = button.id === "follow" && document.getElementById("followers-line");
      if (line) {
        var one = data.followers === 1;
        try { one = new Intl.PluralRules(document.documentElement.lang).select(data.followers) === "one"; } catch (e) { /* keep */ }
        var parts = ginga.t(one ? "followers_one" : "followers_many", { num: "\u0000" }).split("\u0000");
        var strong = document.createElement("strong");
        strong.id = "followers";
        strong.textContent = ginga.number(data.followers);
        line.textContent = "";
        line.append(parts[0], strong, parts[1] || "");
      }
    }, function (error) { button.textContent = error.message; });
  });
  if (!document.querySelector(".entry")) {
    document.querySelectorAll(".share").forEach(function (share) {
      share.addEventListener("click", function () {
        var url = share.dataset.url;
        if (navigator.share) { navigator.share({ title: share.dataset.title, url: url }).catch(function () {}); return; }
        navigator.clipboard.writeText(url).then(function () { share.textContent = ginga.t("link_copied"); },
          function () { window.prompt(ginga.t("copy_link"), url); });
      });
    });
  }
})();

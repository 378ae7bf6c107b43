// Follow buttons and round share buttons.
(function () {
  "use strict";
  var button = document.getElementById("follow");
  if (button) {
    button.addEventListener("click", function () {
      var following = button.dataset.following === "true";
      ginga.api(following ? "DELETE" : "POST", "/users/" + encodeURIComponent(button.dataset.username) + "/follow").then(function (data) {
        button.dataset.following = String(data.following);
        button.setAttribute("aria-pressed", String(data.following));
        button.textContent = ginga.t(data.following ? "following" : "follow");
        var count = document.getElementById("followers");
        if (count) count.textContent = ginga.number(data.followers);
      }, function (error) { button.textContent = error.message; });
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
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

// The bell: live notifications for the signed-in fan.
(function () {
  "use strict";
  if (typeof io === "undefined") return;
  var badge = document.getElementById("unread");
  var socket = window.gingaSocket || io({ transports: ["websocket", "polling"] });
  window.gingaSocket = socket;
  socket.on("notification", function () {
    if (!badge) return;
    var unread = (Number(badge.dataset.count) || 0) + 1;
    badge.dataset.count = unread;
    badge.textContent = ginga.number(unread);
    badge.hidden = false;
    badge.parentElement.setAttribute("aria-label", ginga.t("notifications_unread", { count: ginga.number(unread) }));
  });
})();

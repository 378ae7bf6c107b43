// The bell: live notifications for the signed-in fan.
(function () {
  "use strict";
  if (typeof io === "undefined") return;
  var badge = document.getElementById("unread");
  var socket = window.gingaSocket || io({ transports: ["websocket", "polling"] });
  socket.on("notification", function () {
    if (!badge) return;
    badge.textContent = String(Number(badge.textContent || 0) + 1);
    badge.hidden = false;
    badge.parentElement.setAttribute("aria-label", "Notifications, " + badge.textContent + " unread");
  });
})();

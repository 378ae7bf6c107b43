// The bell: live notifications for the signed-in fan.
(function () {
  "use strict";
  if (typeof io === "undefined") return;
  var badge = document.getElementById("unread");
  var socket = window.gingaSocket || io({ transports: ["websocket", "polling"] });
  window.gingaSocket = socket;
  // this session ended elsewhere (sign out everywhere, a new password, a ban): stop listening
  // and show the page as it now is, signed out. When this page itself sent the form that ended
  // it (sign out everywhere, delete account), the form's answer is already on its way: a reload
  // would race it and land on the sign-in page without its message.
  var leaving = false;
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) leaving = true;
  });
  window.addEventListener("pageshow", function () { leaving = false; });
  socket.on("signed_out", function () {
    socket.disconnect();
    if (!leaving) window.location.reload();
  });
  socket.on("notification", function () {
    if (!badge) return;
    var unread = (Number(badge.dataset.count) || 0) + 1;
    badge.dataset.count = unread;
    badge.textContent = ginga.number(unread);
    badge.hidden = false;
    badge.parentElement.setAttribute("aria-label", ginga.t("notifications_unread", { count: ginga.number(unread) }));
  });
})();

// Turns <time data-countdown> into a live "2d 03:14:07" countdown.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("time[data-countdown]");
  if (!nodes.length) return;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = Date.now();
    nodes.forEach(function (node) {
      var left = Math.max(0, Math.floor((Date.parse(node.getAttribute("datetime")) - now) / 1000));
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      var time = pad(h) + ":" + pad(m) + ":" + pad(s);
      node.textContent = d ? ginga.t("countdown_days", { days: d, time: time }) : time;
      if (left === 0 && !node.dataset.reloaded) { node.dataset.reloaded = "1"; setTimeout(function () { location.reload(); }, 1500); }
    });
  }
  tick();
  setInterval(tick, 1000);
})();

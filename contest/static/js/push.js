// Web Push on the settings page: this device's own state per kind, and turning it on or off.
(function () {
  "use strict";
  var form = document.getElementById("push-form");
  if (!form) return;
  var status = document.getElementById("push-status");
  var boxes = form.querySelectorAll("input[name=kind]");
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    status.textContent = ginga.t("push_unsupported");
    form.querySelectorAll("button, input").forEach(function (el) { el.disabled = true; });
    return;
  }
  // the server's own messages are in the fan's language; a browser's are not: say ours instead
  function explain(error) {
    if (error instanceof ginga.ApiError || (error && error.ours)) return error.message;
    if (typeof Notification !== "undefined" && Notification.permission === "denied") return ginga.t("push_denied");
    return ginga.t("push_failed");
  }
  function ours(message) { var error = new Error(message); error.ours = true; return error; }
  function bytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function kinds() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=kind]:checked"), function (el) { return el.value; });
  }
  function showState(chosen) {  // chosen: this device's kinds, or null when it is off
    form.dataset.device = chosen ? "on" : "off";
    if (chosen) boxes.forEach(function (box) { box.checked = chosen.indexOf(box.value) >= 0; });
    status.textContent = ginga.t(chosen ? "push_on" : "push_off");
    document.getElementById("push-on").textContent = ginga.t(chosen ? "push_save" : "push_turn_on");
    document.getElementById("push-off").hidden = !chosen;
  }
  // this device's state, from its own subscription (another phone's choice is not this one's)
  navigator.serviceWorker.ready.then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (subscription) {
    if (!subscription || Notification.permission !== "granted") return null;
    return ginga.api("GET", "/push/subscription?endpoint=" + encodeURIComponent(subscription.endpoint))
      .then(function (answer) { return answer.kinds; }, function () { return null; });
  }).then(showState, function () { showState(null); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw ours(ginga.t("push_denied"));
      return Promise.all([ginga.api("GET", "/push/key"), navigator.serviceWorker.ready]);
    }).then(function (both) {
      var registration = both[1];
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(both[0].public_key) });
      });
    }).then(function (subscription) {
      return ginga.api("POST", "/push/subscriptions", { subscription: subscription.toJSON(), kinds: kinds() });
    }).then(function (answer) { showState(answer.kinds); },
      function (error) { status.textContent = explain(error); });
  });
  document.getElementById("push-off").addEventListener("click", function () {
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return ginga.api("DELETE", "/push/subscriptions", { endpoint: endpoint });
      });
    }).then(function () { showState(null); },
      function (error) { status.textContent = explain(error); });
  });
})();

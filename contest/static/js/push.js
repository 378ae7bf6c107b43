// Web Push opt-in on the settings page: subscribe this browser for the chosen kinds.
(function () {
  "use strict";
  var form = document.getElementById("push-form");
  if (!form) return;
  var status = document.getElementById("push-status");
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    status.textContent = ginga.t("push_unsupported");
    form.querySelectorAll("button, input").forEach(function (el) { el.disabled = true; });
    return;
  }
  function bytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function kinds() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=kind]:checked"), function (el) { return el.value; });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error(ginga.t("push_denied"));
      return Promise.all([ginga.api("GET", "/push/key"), navigator.serviceWorker.ready]);
    }).then(function (both) {
      var registration = both[1];
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(both[0].public_key) });
      });
    }).then(function (subscription) {
      return ginga.api("POST", "/push/subscriptions", { subscription: subscription.toJSON(), kinds: kinds() });
    }).then(function () { status.textContent = ginga.t("push_on"); },
      function (error) { status.textContent = error.message; });
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
    }).then(function () { status.textContent = ginga.t("push_off"); },
      function (error) { status.textContent = error.message; });
  });
})();

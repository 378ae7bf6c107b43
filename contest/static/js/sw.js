/* Ginga's service worker: a friendly offline page, and the site's own CSS/JS/icons kept for
   fast repeat visits. Pages and the API always come from the network (scores are live, and a
   page may show private things), so nothing personal is ever cached.
   The offline page is kept in every language; pages tell the worker which one they were
   written in (a message), and the worker shows that one. */
var CACHE = "ginga-v3";
var LANGUAGES = ["en", "id", "th", "zh_Hans"];
var CHOSEN = "/offline-language";  // a tiny cached note: the language of the last page
var SHELL = ["/static/css/site.css", "/static/icons/icon-192.png"].concat(
  LANGUAGES.map(function (lang) { return offlinePage(lang); }));

function offlinePage(lang) { return "/offline?lang=" + lang; }

function browserLanguage() {
  // the same choice the server makes from Accept-Language, for a first visit
  var tags = (self.navigator.languages || [self.navigator.language || "en"]);
  for (var i = 0; i < tags.length; i++) {
    var parts = String(tags[i]).toLowerCase().replace("_", "-").split("-");
    if (parts[0] === "zh") {
      if (!parts.slice(1).some(function (p) { return ["tw", "hk", "mo", "hant"].indexOf(p) >= 0; })) return "zh_Hans";
      continue;
    }
    if (parts[0] === "id" || parts[0] === "in") return "id";
    if (parts[0] === "th" || parts[0] === "en") return parts[0];
  }
  return "en";
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    // without cookies: the shell is the same for everyone, and an answer that set a cookie
    // while the fan signs in on the page could replace the signed-in one
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL.map(function (url) { return new Request(url, { credentials: "omit" }); }));
    })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; })
        .map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  var lang = event.data && event.data.language;
  if (LANGUAGES.indexOf(lang) < 0) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.put(CHOSEN, new Response(lang, { headers: { "Content-Type": "text/plain" } }));
  }));
});

function offlineAnswer() {
  return caches.match(CHOSEN)
    .then(function (note) { return note ? note.text() : browserLanguage(); })
    .then(function (lang) { return caches.match(offlinePage(lang)); })
    .then(function (page) { return page || caches.match(offlinePage("en")); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // one retry first: a phone's connection (or a reused keep-alive socket) drops for a moment
    // far more often than it goes away, and the offline page for a glitch is a lost page
    event.respondWith(fetch(request).catch(function () { return fetch(request); })
      .catch(offlineAnswer));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // network first so a deploy shows at once; the cached copy when the network is gone
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      }).catch(function () { return caches.match(request); })
    );
  }
});

// Web Push: the payload is {title, body, url, kind}, already in the fan's language.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data && event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Ginga", {
    body: data.body || "",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    tag: data.kind || "ginga",
    data: { url: data.url || "/" }
  }));
});

// A tap opens the right page (or focuses a tab already on it).
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
    for (var i = 0; i < tabs.length; i++) {
      if (tabs[i].url === url && "focus" in tabs[i]) return tabs[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});

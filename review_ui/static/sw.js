// paragon's service worker: an app-like start from the home screen and a page to show without a network.
// It keeps only files with no personal data (the offline page, the stylesheet, the scripts, the icons);
// every page and every answer about claims comes from the network, and is never stored here.
'use strict';
var CACHE = 'paragon-shell-v1';
var SHELL = ['/offline', '/static/app.css', '/static/live.js', '/static/upload.js', '/static/pwa.js',
             '/static/icons/icon-192.png', '/static/icons/icon-512.png'];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // a page: always the network; without one, the offline page
    event.respondWith(fetch(request).catch(function () { return caches.match('/offline'); }));
    return;
  }
  var path = new URL(request.url).pathname;
  if (SHELL.indexOf(path) !== -1) {
    // the app's own files: the network first (so an update shows at once), the copy when offline
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () { return caches.match(request); }));
  }
});

// Installable: register the service worker (served from the site's root, see review_ui/pwa.py), which keeps
// an offline page and the app's files; pages themselves always come from the network.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!('serviceWorker' in navigator) || !script) return;
  var url = script.getAttribute('data-sw');
  window.addEventListener('load', function () {
    navigator.serviceWorker.register(url, { scope: '/' }).catch(function () { /* an old browser: no offline page */ });
  });
})();

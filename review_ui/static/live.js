// A page that updates itself: it asks its light JSON endpoint (data-live-url) whether what it shows is still
// current — every second while a worker has the claim, every 15 s while a person decides, never once nothing
// can change by itself, and not while the page is hidden. When the fingerprint changes it fetches the page
// again and swaps the parts marked data-live-part, and tells screen readers (data-live-announce).
// Polling rather than Server-Sent Events: see the README ("Live status").
(function () {
  'use strict';
  var root = document.querySelector('[data-live]');
  if (!root || !window.fetch || !window.DOMParser) return;
  var url = root.getAttribute('data-live-url');
  var version = root.getAttribute('data-live-version');
  var pace = root.getAttribute('data-live-pace');
  var FAST_FOR = 120000;          // ask every second for two minutes of work, then every three seconds
  var fastUntil = Date.now() + FAST_FOR;
  var timer = null, busy = false;

  function delay() {
    if (pace === 'work') return Date.now() < fastUntil ? 1000 : 3000;
    if (pace === 'review') return 15000;
    return 0;
  }

  function schedule() {
    clearTimeout(timer);
    var wait = delay();
    if (wait && !document.hidden) timer = setTimeout(poll, wait);
  }

  function poll() {
    if (busy) return;
    busy = true;
    fetch(url, { credentials: 'same-origin', cache: 'no-store',
                 headers: { 'Accept': 'application/json', 'If-None-Match': '"' + version + '"' } })
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) { pace = 'idle'; return null; }
        if (response.status === 304 || !response.ok) return null;
        return response.json();
      })
      .then(function (state) {
        if (!state) return null;
        if (state.pace === 'work' && pace !== 'work') fastUntil = Date.now() + FAST_FOR;
        pace = state.pace;
        return state.version !== version ? refresh(state.version) : null;
      })
      .catch(function () { return null; })  // a dropped connection: ask again at the next tick
      .then(function () { busy = false; schedule(); });
  }

  function refresh(next) {
    return fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'text/html' } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        var focused = document.activeElement && document.activeElement.id;
        document.querySelectorAll('[data-live-part]').forEach(function (part) {
          var replacement = part.id && fresh.getElementById(part.id);
          if (replacement) part.replaceWith(document.importNode(replacement, true));
        });
        var freshRoot = fresh.querySelector('[data-live]');
        version = freshRoot ? freshRoot.getAttribute('data-live-version') : next;
        root.setAttribute('data-live-version', version);
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        announce();
        document.dispatchEvent(new CustomEvent('live-updated', { detail: { version: version } }));
      });
  }

  function announce() {
    var region = root.querySelector('[data-live-announce]');
    var status = document.getElementById('claim-status');
    if (!region) return;
    region.textContent = status ? status.textContent.trim() : root.getAttribute('data-live-updated') || '';
  }

  document.addEventListener('visibilitychange', function () {
    if (document.hidden) { clearTimeout(timer); return; }
    if (pace !== 'idle') poll();
  });
  window.addEventListener('pageshow', function (event) { if (event.persisted) poll(); });
  schedule();
})();

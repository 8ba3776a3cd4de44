/* Keyboard shortcuts for reviewers (a file, not inline: the CSP allows only script-src 'self').
   A approves, R focuses the rejection reason, J/K go to the next/previous claim. */
(function () {
  "use strict";

  function typing(target) {
    if (!target) { return false; }
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) { window.location.assign(link.href); return true; }
    return false;
  }

  function moveInQueue(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("a.queue-link"));
    if (!links.length) { return false; }
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links.forEach(function (link) { link.closest("tr").classList.remove("selected"); });
    links[next].focus();
    links[next].closest("tr").classList.add("selected");
    return true;
  }

  function approve() {
    var form = document.getElementById("approve-form");
    if (!form || form.dataset.sent) { return false; }
    form.dataset.sent = "1";  // one key press, one decision
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  function focusReject() {
    var select = document.getElementById("reject-reason");
    if (!select) { return false; }
    select.focus();
    select.scrollIntoView({ block: "center" });
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var handled = false;
    switch (event.key) {
      case "a": case "A": handled = approve(); break;
      case "r": case "R": handled = focusReject(); break;
      case "j": case "J": handled = follow("next-claim") || moveInQueue(1); break;
      case "k": case "K": handled = follow("prev-claim") || moveInQueue(-1); break;
      default: return;
    }
    if (handled) { event.preventDefault(); }
  });

  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }  /* a confirm step is showing */
    var button = event.target.querySelector("button[type=submit]");
    if (button) { setTimeout(function () { button.disabled = true; }, 0); }  // no double submits
  });
}());

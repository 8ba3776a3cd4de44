/* Corrections are never lost (a file, not inline: the CSP allows only script-src 'self').
   - Typed but unsaved corrections are marked, and the points they would give are shown before any decision.
   - Approving or rejecting with unsaved corrections carries them along: the server saves them first, then
     decides, in one transaction; when they cannot be saved nothing is decided and the page keeps them.
   - Approving asks to confirm (Enter confirms, Esc goes back): a confirm keeps the append-only ledger free of
     credits that an undo would have to reverse. */
(function () {
  "use strict";

  var form = document.getElementById("fields-form");
  var note = document.getElementById("unsaved-note");
  var preview = document.getElementById("points-preview");
  var timer = null;

  function inputs() {
    return form ? Array.prototype.slice.call(form.querySelectorAll("input[data-field], select[data-field]")) : [];
  }

  function initial(input) {
    if (input.tagName !== "SELECT") { return input.defaultValue; }
    var option = Array.prototype.find.call(input.options, function (o) { return o.defaultSelected; });
    return option ? option.value : (input.options[0] ? input.options[0].value : "");
  }

  function changed(input) {
    return input.value !== initial(input);
  }

  function dirty() {
    return inputs().filter(changed);
  }

  function refresh() {
    var edited = dirty();
    if (note) { note.hidden = edited.length === 0; }
    inputs().forEach(function (input) {
      input.closest(".field-row").classList.toggle("changed", changed(input));
    });
    clearTimeout(timer);
    timer = setTimeout(askPoints, 300);
  }

  function askPoints() {
    if (!form || !preview) { return; }
    var body = new FormData(form);
    fetch(form.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin",
                                     headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        preview.textContent = data.after !== data.points ? data.text : "";
        preview.dataset.after = String(data.after);
      })
      .catch(function () { /* the preview is a help; saving still works */ });
  }

  function carryEdits(decision) {
    Array.prototype.slice.call(decision.querySelectorAll("input[data-carried]")).forEach(function (old) {
      old.remove();
    });
    dirty().forEach(function (input) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "edit-" + input.name;
      hidden.value = input.value;
      hidden.dataset.carried = "1";
      decision.appendChild(hidden);
    });
  }

  function confirmApproval(decision, event) {
    var dialog = document.getElementById(decision.dataset.confirm);
    if (!dialog || decision.dataset.confirmed === "1" || typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    delete decision.dataset.sent;  /* keys.js: the A key may ask again */
    var hint = dialog.querySelector("[data-unsaved-hint]");
    if (hint) { hint.hidden = dirty().length === 0; }
    dialog.showModal();
    var yes = dialog.querySelector("[data-confirm-yes]");
    yes.focus();
    yes.onclick = function () {
      decision.dataset.confirmed = "1";
      dialog.close();
      if (decision.requestSubmit) { decision.requestSubmit(); } else { decision.submit(); }
    };
    dialog.querySelector("[data-confirm-no]").onclick = function () { dialog.close(); };
  }

  ["approve-form", "reject-form"].forEach(function (id) {
    var decision = document.getElementById(id);
    if (!decision) { return; }
    decision.addEventListener("submit", function (event) {
      carryEdits(decision);
      if (id === "approve-form") { confirmApproval(decision, event); }
    });
  });

  if (form) {
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();  /* after a failed save the typed values are already there */
  }
}());

/* The claim's lines as one table (a file, not inline: the CSP allows only script-src 'self').
   - Each line's product box searches the catalogue as you type and offers the results in its list; picking
     one (or "not a programme product") marks the line changed. Without JavaScript the box still works: the
     server takes a SKU or EAN typed in it.
   - Enter (or Alt+Down) goes to the next line, Shift+Enter (or Alt+Up) to the previous one; Ctrl+Enter saves
     every line at once.
   - Hovering or focusing a line lights up where it is printed on the document (viewer.js, field "line-N"). */
(function () {
  "use strict";
  var DELAY_MS = 250;
  var form = document.getElementById("lines-form");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.product-combo"));

  function chosen(input) {
    return input.parentElement.querySelector("input[data-chosen]");
  }

  function pick(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var hidden = chosen(input);
    var match = null;
    Array.prototype.forEach.call(list ? list.options : [], function (option) {
      if (option.value === input.value) { match = option; }
    });
    hidden.value = match ? match.dataset.id : "";
    input.closest("tr").classList.toggle("changed", input.value !== input.defaultValue);
  }

  function show(input, products) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    Array.prototype.slice.call(list.querySelectorAll("option.search-result")).forEach(function (o) { o.remove(); });
    products.forEach(function (product) {
      var option = document.createElement("option");
      option.className = "search-result";
      option.value = product.name + " · " + product.sku;
      option.dataset.id = String(product.id);
      list.insertBefore(option, list.firstChild);
    });
    pick(input);
  }

  function search(input) {
    var query = input.value.trim();
    if (query.length < 2 || chosen(input).value) { return; }
    var url = input.dataset.searchUrl + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { products: [] }; })
      .then(function (data) { if (input.value.trim() === query) { show(input, data.products || []); } })
      .catch(function () { /* the typed SKU/EAN fallback still works */ });
  }

  function move(input, step) {
    var at = inputs.indexOf(input) + step;
    if (at >= 0 && at < inputs.length) { inputs[at].focus(); inputs[at].select(); }
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () {
      pick(input);
      clearTimeout(input.searchTimer);
      input.searchTimer = setTimeout(function () { search(input); }, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(document.getElementById("save-lines")); } else { form.submit(); }
      } else if (event.key === "Enter" || (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp"))) {
        event.preventDefault();
        move(input, event.shiftKey || event.key === "ArrowUp" ? -1 : 1);
      }
    });
  });
}());

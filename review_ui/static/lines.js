/* The claim page's line picker: typing in a line's search box lists matching catalogue products in its
   <select> (a file, not inline: the CSP allows only script-src 'self'). Without JavaScript the box still
   works: the server takes an exact SKU or EAN typed in it. */
(function () {
  "use strict";
  var DELAY_MS = 250;

  function resultsGroup(select, label) {
    var group = select.querySelector("optgroup.search-results");
    if (!group) {
      group = document.createElement("optgroup");
      group.className = "search-results";
      group.label = label;
      var placeholder = select.firstElementChild;  // results go right under "choose a product"
      select.insertBefore(group, placeholder ? placeholder.nextSibling : null);
    }
    return group;
  }

  function show(input, products) {
    var select = document.getElementById(input.dataset.target);
    if (!select) { return; }
    var group = resultsGroup(select, input.dataset.resultsLabel || "");
    while (group.firstChild) { group.removeChild(group.firstChild); }
    products.forEach(function (product) {
      var option = document.createElement("option");
      option.value = String(product.id);
      option.textContent = product.name + " (" + product.sku + ")";
      group.appendChild(option);
    });
    if (products.length === 1) { select.value = String(products[0].id); }
  }

  function search(input) {
    var query = input.value.trim();
    if (query.length < 2) { return; }
    var url = input.dataset.searchUrl + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { products: [] }; })
      .then(function (data) { if (input.value.trim() === query) { show(input, data.products || []); } })
      .catch(function () { /* the exact SKU/EAN fallback still works */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("product-search")) { return; }
    clearTimeout(input.searchTimer);
    input.searchTimer = setTimeout(function () { search(input); }, DELAY_MS);
  });
}());

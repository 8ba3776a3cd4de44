/* The document viewer on the claim page: every page of each document, zoom, rotate, and the boxes of the fields
   that were read, each on its own page.
   A file, not inline (CSP script-src 'self'); styles are set through the CSSOM, which the CSP allows. */
(function () {
  "use strict";

  var ZOOMS = [0.5, 0.75, 1, 1.5, 2, 3, 4];
  // Rotated about the top-left corner, then moved back into view, so the page never sits at negative
  // coordinates (which no scrollbar reaches).
  var TURNS = {
    0: "",
    90: "rotate(90deg) translateY(-100%)",
    180: "rotate(180deg) translate(-100%, -100%)",
    270: "rotate(270deg) translateX(-100%)"
  };

  function setUp(viewer) {
    var pages = Array.prototype.slice.call(viewer.querySelectorAll(".viewer-page"));
    if (!pages.length) { return; }
    var state = { zoom: 2, rotation: 0 };  // ZOOMS[2] = fit the pane's width

    // A transform does not move what follows: a page turned sideways gets a bottom margin that makes its
    // place as tall as it now looks, so the next page starts below it, not under it.
    function fit() {
      var sideways = state.rotation % 180 !== 0;
      pages.forEach(function (page) {
        page.style.marginBottom = sideways ? (page.offsetWidth - page.offsetHeight) + "px" : "";
      });
    }

    function apply() {
      pages.forEach(function (page) {
        page.style.width = (ZOOMS[state.zoom] * 100) + "%";
        page.style.transform = TURNS[state.rotation];
        page.classList.toggle("rotated-side", state.rotation % 180 !== 0);
      });
      fit();
      viewer.dataset.zoom = String(ZOOMS[state.zoom]);
      viewer.dataset.rotation = String(state.rotation);
    }

    viewer.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !viewer.contains(button)) { return; }
      if (button.dataset.zoom === "in") { state.zoom = Math.min(ZOOMS.length - 1, state.zoom + 1); }
      else if (button.dataset.zoom === "out") { state.zoom = Math.max(0, state.zoom - 1); }
      else if (button.dataset.zoom === "fit") { state.zoom = 2; state.rotation = 0; }
      else if (button.dataset.rotate) { state.rotation = (state.rotation + 90) % 360; }
      else { return; }
      apply();
    });

    var toggle = viewer.querySelector("[data-toggle-boxes]");
    if (toggle) {
      toggle.addEventListener("change", function () { viewer.classList.toggle("boxes-hidden", !toggle.checked); });
    }
    viewer.querySelectorAll(".viewer-page img").forEach(function (img) { img.addEventListener("load", fit); });
    window.addEventListener("resize", fit);
    apply();
  }

  // The page a box is on comes into view (centred on the box when the boxes are shown).
  function reveal(box) {
    if (!box.scrollIntoView) { return; }
    var sheet = box.closest(".viewer-sheet");
    if (box.getClientRects().length) {
      box.scrollIntoView({ block: "center", inline: "center", behavior: "smooth" });
    } else if (sheet) {
      sheet.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }

  function highlight(field, fromBox) {
    document.querySelectorAll(".box.active, [data-field].active, .viewer-sheet.active").forEach(function (el) {
      el.classList.remove("active");
    });
    if (!field) { return; }
    var boxes = document.querySelectorAll('.box[data-field="' + field + '"]');
    boxes.forEach(function (box) {
      box.classList.add("active");
      var sheet = box.closest(".viewer-sheet");
      if (sheet) { sheet.classList.add("active"); }
    });
    document.querySelectorAll('.field-row[data-field="' + field + '"], dd[data-field="' + field + '"], tr[data-field="' + field + '"]')
      .forEach(function (el) { el.classList.add("active"); });
    if (fromBox) {
      var input = document.querySelector('input[data-field="' + field + '"]');
      if (input) { input.focus(); }
    } else if (boxes.length) {
      reveal(boxes[0]);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-viewer]").forEach(setUp);
    document.addEventListener("click", function (event) {
      var box = event.target.closest(".box");
      if (box) { highlight(box.dataset.field, true); return; }
      var field = event.target.closest(".field-row[data-field], dd[data-field]");
      if (field) { highlight(field.dataset.field, false); }
    });
    document.addEventListener("mouseover", function (event) {
      var row = event.target.closest && event.target.closest("tr[data-field]");
      if (row && !row.classList.contains("active")) { highlight(row.dataset.field, false); }
    });
    document.addEventListener("focusin", function (event) {
      var input = event.target.closest && event.target.closest("input[data-field]");
      if (input) { highlight(input.dataset.field, false); }
    });
  });
}());

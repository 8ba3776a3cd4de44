/* Side by side: one zoom for both documents, so the same field sits at the same scale on each. */
(function () {
  "use strict";
  var zoom = document.getElementById("compare-zoom");
  var stage = document.getElementById("compare");
  var shown = document.getElementById("compare-zoom-value");
  if (!zoom || !stage) { return; }
  zoom.addEventListener("input", function () {
    stage.style.setProperty("--zoom", String(Number(zoom.value) / 100));
    if (shown) { shown.textContent = zoom.value + "%"; }
  });
}());

/* Draws each report chart with the vendored Chart.js from the JSON on its canvas (data-chart); the table beside
   every chart holds the same figures. A file, not inline: the CSP allows only script-src 'self'. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var locale = document.documentElement.lang || "pl";
  var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });

  function options(spec) {
    var o = spec.options || {};
    var horizontal = o.indexAxis === "y";
    var valueAxis = {
      beginAtZero: true,
      stacked: !!o.stacked,
      ticks: { callback: function (v) { return number.format(v) + (spec.unit ? " " + spec.unit : ""); } }
    };
    if (o.max) { valueAxis.max = o.max; }
    var categoryAxis = { stacked: !!o.stacked, ticks: { autoSkip: !horizontal } };
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: horizontal ? "y" : "x",
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        legend: { display: !!o.legend, position: "bottom" },
        title: { display: false },
        tooltip: { callbacks: { label: function (c) {
          var v = horizontal ? c.parsed.x : c.parsed.y;
          return c.dataset.label + ": " + number.format(v) + (spec.unit ? " " + spec.unit : "");
        } } }
      }
    };
  }

  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
    var spec = JSON.parse(canvas.dataset.chart);
    if (!spec.data.labels.length) { return; }
    var holder = canvas.parentElement;
    if (spec.options && spec.options.indexAxis === "y") {
      holder.style.height = Math.max(160, 40 + 34 * spec.data.labels.length) + "px";
    }
    canvas.chart = new window.Chart(canvas, { type: spec.type, data: spec.data, options: options(spec) });
    canvas.dataset.drawn = "1";
  });
}());

// Draws every element with a data-figure attribute (plotly figure JSON) with plotly.js, with the
// plotly config in its data-config attribute (the report's: no "Share chart" button).
// Served by the app itself; no inline scripts, so the Content-Security-Policy can forbid them.
(function () {
  "use strict";
  // Used when an element has no readable config: nothing may leave the machine.
  var FALLBACK = { responsive: true, displaylogo: false, showSendToCloud: false,
                   plotlyServerURL: "", modeBarButtonsToRemove: ["sendChartToCloud"] };
  var NARROW = 560;  // px
  function parse(el, name, fallback) {
    try { return JSON.parse(el.getAttribute(name)) || fallback; } catch (e) { return fallback; }
  }
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var fig = parse(el, "data-figure", null);
      if (fig === null) { return; }
      var config = parse(el, "data-config", FALLBACK);
      config.showSendToCloud = false;
      var layout = fig.layout || {};
      if (el.clientWidth < NARROW) {  // a phone: the legend goes below the plot, not beside it
        layout.legend = Object.assign({}, layout.legend,
                                      { orientation: "h", x: 0, y: -0.25, yanchor: "top" });
      }
      Plotly.newPlot(el, fig.data || [], layout, config).then(function () {
        el.setAttribute("data-drawn", "true");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

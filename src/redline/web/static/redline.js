// Draws every element with a data-figure attribute (plotly figure JSON) with plotly.js.
// Served by the app itself; no inline scripts, so the Content-Security-Policy can forbid them.
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var fig;
      try { fig = JSON.parse(el.getAttribute("data-figure")); } catch (e) { return; }
      Plotly.newPlot(el, fig.data || [], fig.layout || {},
        { responsive: true, displaylogo: false }).then(function () {
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

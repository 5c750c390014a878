// The editor's "every model side by side" section (redline.web.models). Served by the app
// itself, no inline script. Compare posts the editor's form to /models with fetch and swaps the
// section in; after each rerun (body[data-reruns] counts them, see redline.js) a section shown
// once is asked again for the scenario as now edited. Without JavaScript the button posts the
// form and the comparison opens as a page.
(function () {
  "use strict";
  var asked = 0;  // requests sent; only the latest one's answer is shown

  function parse(text, fallback) {
    try { return JSON.parse(text) || fallback; } catch (e) { return fallback; }
  }

  function show(status, text) { if (status) { status.textContent = text; } }

  function draw(el, fig) {
    if (typeof Plotly === "undefined" || !fig) { return Promise.resolve(); }
    var config = parse(el.getAttribute("data-config"), { displaylogo: false });
    config.showSendToCloud = false;
    return Plotly.react(el, fig.data || [], fig.layout || {}, config).then(function () {
      el.setAttribute("data-drawn", "true");
    });
  }

  function compare(form, button) {
    var body = document.getElementById("models-body");
    var status = document.getElementById("models-status");
    var box = document.getElementById("box-fig-models");
    var mine = ++asked;
    button.disabled = true;
    show(status, "Running every model…");
    document.getElementById("models").setAttribute("data-busy", "true");
    return fetch(button.getAttribute("formaction") || "/models", {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) { return response.json(); }).then(function (data) {
      if (mine !== asked) { return null; }
      if (!data.ok) {
        var p = data.problem || {};
        body.innerHTML = "";
        var line = document.createElement("p");
        line.className = "error";
        line.setAttribute("role", "alert");
        line.textContent = (p.label ? p.label + ": " : "") + (p.message || "the comparison failed");
        body.appendChild(line);
        box.hidden = true;
        show(status, "");
        return null;
      }
      body.innerHTML = data.html;
      box.hidden = false;
      show(status, "");
      return draw(document.getElementById("fig-models"), data.figure).then(function () {
        var section = document.getElementById("models");
        section.setAttribute("data-loaded", String(Number(section.getAttribute("data-loaded") || "0") + 1));
      });
    }).catch(function (error) {
      show(status, "The comparison failed: " + error);
    }).then(function () {
      button.disabled = false;
      document.getElementById("models").removeAttribute("data-busy");
    });
  }

  function start() {
    var form = document.getElementById("edit-form");
    var button = document.getElementById("compare-models");
    if (!form || !button || typeof fetch === "undefined") { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      compare(form, button);
    });
    if (typeof MutationObserver !== "undefined") {
      new MutationObserver(function () {  // a rerun finished: refresh a comparison shown
        if (document.getElementById("models").hasAttribute("data-loaded")) {
          compare(form, button);
        }
      }).observe(document.body, { attributes: true, attributeFilter: ["data-reruns"] });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

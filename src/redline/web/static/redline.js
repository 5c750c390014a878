// The app's pages in the browser. Served by the app itself; no inline scripts, so the
// Content-Security-Policy can forbid them.
//
// * Draws every element with a data-figure attribute (plotly figure JSON) with plotly.js, with
//   the plotly config in its data-config attribute (the report's: no "Share chart" button).
// * The editor's Rerun posts the form with fetch and swaps the results in place: the numbers
//   as server-rendered HTML, the figures with Plotly.react. No reload, so plotly.js is read
//   once and the scroll position stays. Save stays a plain form post (it opens the timeline).
//   The post names the digest of every figure drawn (shown_figures); the server sends only
//   the figures whose digest changed, and only those are redrawn. The answer comes in lines
//   of JSON: the deal space and forecast figures as soon as they are ready (drawn while the
//   server runs the sweep), the sweep's figures (drawn while it writes the rest), then the
//   rest.
// * Inputs edited since the last run are marked "pending"; inputs whose value differs from
//   the saved version (or the file as opened) are outlined, and an "unsaved edits" marker
//   shows while the scenario differs from the saved version.
(function () {
  "use strict";
  // Used when an element has no readable config: nothing may leave the machine.
  var FALLBACK = { responsive: true, displaylogo: false, showSendToCloud: false,
                   plotlyServerURL: "", modeBarButtonsToRemove: ["sendChartToCloud"] };
  var NARROW = 560;  // px
  var SCENARIO_INPUT = /^(pos|sal|out|thr|cp|ca)\.[0-9.]+$/;
  var serverUnsaved = false;

  function parse(el, name, fallback) {
    try { return JSON.parse(el.getAttribute(name)) || fallback; } catch (e) { return fallback; }
  }

  // narrow: whether el is narrower than NARROW px, when the caller has read it already (its
  // figures' widths read together before drawing any: reading one after another figure was
  // drawn forces the browser to lay the page out again, once per figure)
  var webgl = null;  // whether this browser draws WebGL (checked once)
  function hasWebgl() {
    if (webgl === null) {
      try {
        var canvas = document.createElement("canvas");
        webgl = !!(window.WebGLRenderingContext &&
                   (canvas.getContext("webgl") || canvas.getContext("experimental-webgl")));
      } catch (e) { webgl = false; }
    }
    return webgl;
  }

  function plot(el, fig, narrow) {
    var config = parse(el, "data-config", FALLBACK);
    config.showSendToCloud = false;
    var layout = fig.layout || {};
    if (!hasWebgl()) {  // the same points as SVG markers
      (fig.data || []).forEach(function (trace) {
        if (trace.type === "scattergl") { trace.type = "scatter"; }
      });
    }
    if (narrow === undefined) { narrow = el.clientWidth < NARROW; }
    if (narrow) {  // a phone: the legend goes below the plot, not beside it
      layout.legend = Object.assign({}, layout.legend,
                                    { orientation: "h", x: 0, y: -0.25, yanchor: "top" });
    }
    return Plotly.react(el, fig.data || [], layout, config).then(function () {
      el.setAttribute("data-drawn", "true");
    });
  }

  function drawAll() {
    if (typeof Plotly === "undefined") { return; }
    var todo = [];
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var fig = parse(el, "data-figure", null);
      if (fig !== null) { todo.push([el, fig, el.clientWidth < NARROW]); }
    });
    todo.forEach(function (job) { plot(job[0], job[1], job[2]); });
  }

  // ---------------------------------------------------------------- the editor

  function same(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(a).trim() !== "" && String(b).trim() !== "") {
      return x === y;
    }
    return String(a).trim() === String(b).trim();
  }

  function ranValue(el) {  // the value of the last run (what the page was served or reran with)
    if (el.tagName === "SELECT") {
      var chosen = Array.prototype.find.call(el.options, function (o) { return o.defaultSelected; });
      return chosen ? chosen.value : (el.options[0] ? el.options[0].value : "");
    }
    return el.defaultValue;
  }

  function markEdits(form) {
    var pending = 0, edited = 0;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.tagName === "TEXTAREA") {
        return;
      }
      if (el.name === "note" || el.name === "as_of") { return; }
      var isPending = el.type === "checkbox" ? el.checked !== el.defaultChecked
                                             : !same(el.value, ranValue(el));
      el.classList.toggle("pending", isPending);
      if (isPending) { pending += 1; }
      if (el.hasAttribute("data-saved")) {
        var isEdited = !same(el.value, el.getAttribute("data-saved"));
        el.classList.toggle("edited", isEdited);
        if (isEdited) { edited += 1; }
      }
    });
    document.getElementById("pending").hidden = pending === 0;
    document.getElementById("unsaved").hidden = !(serverUnsaved || edited > 0);
  }

  function clearProblems(form) {
    var top = document.getElementById("error");
    if (top) { top.remove(); }
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
  }

  function showProblem(form, problem) {
    clearProblems(form);
    var top = document.createElement("p");
    top.className = "error";
    top.id = "error";
    top.setAttribute("role", "alert");
    var el = problem.field ? form.elements[problem.field] : null;
    if (el) {
      var link = document.createElement("a");
      link.href = "#" + problem.field;
      link.textContent = problem.label || problem.field;
      top.appendChild(link);
      top.appendChild(document.createTextNode(": " + problem.message));
      var note = document.createElement("span");
      note.className = "field-error";
      note.id = "error-" + problem.field;
      note.textContent = problem.message;
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", note.id);
      var holder = el.closest(".cell") || el.closest("label") || el.parentNode;
      holder.appendChild(note);
      var details = el.closest("details");
      if (details) { details.open = true; }
    } else {
      top.textContent = problem.message;
    }
    var status = document.getElementById("status");
    status.parentNode.insertBefore(top, status);
    if (el) { el.focus(); }
  }

  function figureBox(slot) {
    var box = document.createElement("figure");
    box.className = "plot-box";
    box.id = "box-" + slot.id;
    box.setAttribute("aria-label", slot.title);
    var el = document.createElement("div");
    el.className = "plot";
    el.id = slot.id;
    var any = document.querySelector("#plots [data-config]");
    if (any) { el.setAttribute("data-config", any.getAttribute("data-config")); }
    var note = document.createElement("figcaption");
    note.className = "empty-note";
    box.appendChild(el);
    box.appendChild(note);
    return box;
  }

  function updatePlots(slots) {
    var container = document.querySelector("#plots .plots");
    var keep = {}, draws = [];
    slots.forEach(function (slot, i) {
      keep["box-" + slot.id] = true;
      var box = document.getElementById("box-" + slot.id) || figureBox(slot);
      if (container.children[i] !== box) {
        container.insertBefore(box, container.children[i] || null);
      }
      var el = document.getElementById(slot.id);
      var note = box.querySelector(".empty-note");
      if (slot.same && el.getAttribute("data-digest") === slot.digest) {
        return;  // the figure shown is this run's: not sent again, not redrawn
      }
      if (slot.figure) {
        note.hidden = true;
        el.classList.remove("empty");
        el.setAttribute("data-digest", slot.digest || "");
        draws.push([el, slot.figure]);
      } else {
        if (el.classList.contains("js-plotly-plot")) { Plotly.purge(el); }
        el.removeAttribute("data-drawn");
        el.removeAttribute("data-digest");
        el.classList.add("empty");
        note.textContent = "";
        var title = document.createElement("b");
        title.textContent = slot.title + ":";
        note.appendChild(title);
        note.appendChild(document.createTextNode(" " + slot.note));
        note.hidden = false;
      }
    });
    Array.prototype.slice.call(container.children).forEach(function (box) {
      if (!keep[box.id]) {
        var el = box.querySelector(".js-plotly-plot");
        if (el) { Plotly.purge(el); }
        box.remove();
      }
    });
    var narrow = draws.map(function (job) { return job[0].clientWidth < NARROW; });
    return Promise.all(draws.map(function (job, i) { return plot(job[0], job[1], narrow[i]); }));
  }

  function shownFigures() {  // slot id -> digest of every figure drawn in the editor
    var shown = {};
    document.querySelectorAll("#plots [data-digest][data-drawn='true']").forEach(function (el) {
      shown[el.id] = el.getAttribute("data-digest");
    });
    return shown;
  }

  function applyRun(form, data) {
    clearProblems(form);
    document.getElementById("results").innerHTML = data.results_html;
    var problems = document.getElementById("plot-problems");
    problems.textContent = "";
    (data.plot_problems || []).forEach(function (text) {
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = text;
      problems.appendChild(p);
    });
    form.elements.yaml_text.value = data.yaml_text;
    form.elements.last_run.value = data.last_run;
    form.elements.base_version.value = data.base_version;
    document.getElementById("yaml-text").textContent = data.yaml_text;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.defaultSelected = o.selected; });
      } else if (el.type === "checkbox") {
        el.defaultChecked = el.checked;
      } else if (el.tagName === "INPUT" && el.type !== "hidden" && el.type !== "file") {
        el.defaultValue = el.value;
      }
    });
    var saved = data.saved_values || {};
    Object.keys(saved).forEach(function (name) {
      var el = form.elements[name];
      if (el && el.setAttribute) { el.setAttribute("data-saved", saved[name]); }
    });
    serverUnsaved = !!data.unsaved;
    markEdits(form);
    return updatePlots(data.plots || []);
  }

  // The answer's lines of JSON, one by one, as they arrive (the rerun's answer comes in three:
  // the deal space and forecast figures, the sweep's figures, then the rest; an error is one
  // line).
  function readLines(response, onLine) {
    var split = function (text) {
      text.split("\n").forEach(function (line) { if (line.trim()) { onLine(JSON.parse(line)); } });
    };
    if (!response.body || !response.body.getReader || typeof TextDecoder === "undefined") {
      return response.text().then(split);
    }
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        buffer += decoder.decode(chunk.value || new Uint8Array(0), { stream: !chunk.done });
        var at = buffer.lastIndexOf("\n");
        if (at >= 0) { split(buffer.slice(0, at)); buffer = buffer.slice(at + 1); }
        if (chunk.done) { split(buffer); return null; }
        return pump();
      });
    }
    return pump();
  }

  function drawEarly(slots) {  // figures sent ahead of the rest of the answer
    var container = document.querySelector("#plots .plots");
    var draws = [];
    slots.forEach(function (slot) {
      if (!slot.figure) { return; }
      var box = document.getElementById("box-" + slot.id);
      if (!box) { box = figureBox(slot); container.appendChild(box); }
      var el = document.getElementById(slot.id);
      box.querySelector(".empty-note").hidden = true;
      el.classList.remove("empty");
      el.setAttribute("data-digest", slot.digest || "");
      draws.push(el);
    });
    var narrow = draws.map(function (el) { return el.clientWidth < NARROW; });
    return draws.map(function (el, i) {
      var slot = slots.filter(function (s) { return s.id === el.id; })[0];
      return plot(el, slot.figure, narrow[i]);
    });
  }

  function rerun(form, button) {
    var started = performance.now();
    var running = document.getElementById("running");
    running.hidden = false;
    button.disabled = true;
    document.body.setAttribute("data-busy", "true");
    var done = function () {
      running.hidden = true;
      button.disabled = false;
      document.body.removeAttribute("data-busy");
    };
    var body = new FormData(form);
    body.append("shown_figures", JSON.stringify(shownFigures()));
    var early = [], first = null, answered = null, final = null;
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/x-ndjson, application/json" }
    }).then(function (response) {
      return readLines(response, function (data) {
        if (data.early) {  // figures sent ahead of the rest (one line or more)
          if (first === null) { first = performance.now(); }
          early = early.concat(drawEarly(data.plots || []));
          return;
        }
        answered = performance.now();
        if (!data.ok) {
          showProblem(form, data.problem || { message: "the rerun failed" });
          return;
        }
        final = applyRun(form, data);
      });
    }).then(function () {
      if (final === null) {
        if (answered === null) { showProblem(form, { message: "the rerun failed" }); }
        return Promise.all(early);
      }
      return Promise.all([Promise.all(early), final]).then(function (drawn) {
        var now = performance.now();
        window.redlineLastRerunMs = now - started;
        // the parts, for the browser test's benchmark: the first figures received (post,
        // server's analysis, parse), the whole answer (the sweep too), then the swap and
        // the redraw of the figures still to draw; redrawn counts every figure redrawn
        window.redlineLastRerun = { total: now - started, answer: answered - started,
                                    first: (first === null ? answered : first) - started,
                                    draw: now - answered,
                                    redrawn: drawn[0].length + drawn[1].length };
        var runs = Number(document.body.getAttribute("data-reruns") || "0") + 1;
        document.body.setAttribute("data-reruns", String(runs));
      });
    }).catch(function (error) {
      showProblem(form, { message: "the rerun failed: " + error });
    }).then(done, done);
  }

  function editor() {
    var form = document.getElementById("edit-form");
    if (!form || typeof fetch === "undefined") { return; }
    var status = document.getElementById("unsaved");
    serverUnsaved = status ? !status.hidden : false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (SCENARIO_INPUT.test(el.name || "") && !el.hasAttribute("data-saved")) {
        el.setAttribute("data-saved", ranValue(el));  // nothing saved: the file as opened
      }
    });
    form.addEventListener("input", function () { markEdits(form); });
    form.addEventListener("change", function () { markEdits(form); });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.id !== "rerun") { return; }  // Save: a normal post
      event.preventDefault();
      rerun(form, button);
    });
    markEdits(form);
  }

  function start() {
    drawAll();
    editor();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Relationship layers on the customer's relationship page (no inline scripts: the CSP forbids them).
// - Draws the coverage heat map of every element with data-coverage-chart="ID" from the JSON held in
//   <script type="application/json" id="ID"> (rows, levels, cells with state, contacts and who covers them);
//   loads ECharts from data-echarts-src when the page has not loaded it yet.
// - Lets the organisational checklist form (a [data-swap-errors] target) show its 422/409 answer: htmx does not
//   swap error responses by default, and that answer is the form with its messages.
(function () {
  "use strict";
  if (window.loamCoverage) { window.loamCoverage.scan(document); return; }

  var COLORS = { empty: "#e9ecef", open: "#f1aeb5", single: "#ffda6a", covered: "#75b798" };
  var ORDER = ["empty", "open", "single", "covered"];

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function option(data) {
    var points = data.cells.map(function (c) {
      return { value: [c.x, c.y, ORDER.indexOf(c.state)], cell: c };
    });
    return {
      animation: false,
      grid: { top: 10, left: 10, right: 10, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.levels, position: "top", splitArea: { show: true } },
      yAxis: { type: "category", data: data.rows, inverse: true, splitArea: { show: true } },
      visualMap: {
        type: "piecewise", dimension: 2, orient: "horizontal", left: "center", bottom: 0,
        pieces: ORDER.map(function (state, i) {
          return { value: i, label: data.labels[state], color: COLORS[state] };
        })
      },
      tooltip: {
        confine: true,
        formatter: function (p) {
          var c = p.data.cell;
          var html = "<b>" + esc(data.rows[c.y]) + " · " + esc(data.levels[c.x]) + "</b><br>" + esc(data.labels[c.state]);
          if (c.contacts.length) html += "<br>" + esc(data.labels.contacts) + ": " + c.contacts.map(esc).join(", ");
          if (c.coverers.length) html += "<br>" + esc(data.labels.coverers) + ": " + c.coverers.map(esc).join(", ");
          return html;
        }
      },
      series: [{
        type: "heatmap",
        data: points,
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        label: {
          show: true,
          overflow: "truncate",
          formatter: function (p) {
            var c = p.data.cell;
            if (!c.coverers.length) return c.contacts.length ? String(c.contacts.length) : "";
            return (c.state === "single" ? "⚠ " : "") + c.coverers.join(", ");
          }
        }
      }]
    };
  }

  var charts = [];

  function draw(el) {
    if (el.getAttribute("data-rendered")) return;
    var source = document.getElementById(el.getAttribute("data-coverage-chart"));
    if (!source) return;
    var data;
    try { data = JSON.parse(source.textContent); } catch (err) { el.textContent = String(err); return; }
    var chart = window.echarts.init(el);
    chart.setOption(option(data));
    el.setAttribute("data-rendered", "true");
    charts.push(chart);
  }

  var waiting = [];
  function withEcharts(src, done) {
    if (window.echarts) { done(); return; }
    waiting.push(done);
    if (document.querySelector("script[data-loam-echarts]")) return;
    var s = document.createElement("script");
    s.src = src;
    s.setAttribute("data-loam-echarts", "true");
    s.onload = function () { var w = waiting; waiting = []; w.forEach(function (f) { f(); }); };
    document.head.appendChild(s);
  }

  function scan(root) {
    var els = (root.querySelectorAll ? root : document).querySelectorAll("[data-coverage-chart]:not([data-rendered])");
    els.forEach(function (el) {
      withEcharts(el.getAttribute("data-echarts-src"), function () { draw(el); });
    });
  }

  document.addEventListener("htmx:load", function (evt) { scan(evt.target || document); });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    var body = evt.detail.xhr.responseText || "";
    var target = evt.detail.target;
    // Only a re-rendered card (a form with its messages) is swapped in; other errors stay toasts.
    if ((status === 422 || status === 409) && target && target.closest("[data-swap-errors]") &&
        body.indexOf("data-swap-errors") !== -1) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.loamCoverage = { scan: scan };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
})();

// Charts inside HTMX-loaded sections (the customer's relationship page loads each part as a fragment): every
// element with data-echarts="ID" not drawn yet is drawn with the ECharts option held as JSON in
// <script type="application/json" id="ID"> (no inline scripts: the CSP forbids them). ECharts itself is loaded
// once, on first need, from the element's data-echarts-lib URL. Safe to include in several fragments.
(function () {
  "use strict";
  if (window.loamRelCharts) { window.loamRelCharts.draw(); return; }

  var loading = false;
  var charts = [];

  function pending() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-echarts]:not([data-rendered])"));
  }

  function load(src) {
    if (loading || !src) return;
    loading = true;
    var s = document.createElement("script");
    s.src = src;
    s.onload = draw;
    document.head.appendChild(s);
  }

  function draw() {
    var els = pending();
    if (!els.length) return;
    if (typeof window.echarts === "undefined") { load(els[0].getAttribute("data-echarts-lib")); return; }
    els.forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-echarts"));
      if (!source || !el.isConnected) return;
      var option;
      try { option = JSON.parse(source.textContent); } catch (err) { el.textContent = String(err); return; }
      var old = window.echarts.getInstanceByDom(el);
      if (old) old.dispose();
      var chart = window.echarts.init(el);
      chart.setOption(option);
      el.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
  }

  window.loamRelCharts = { draw: draw };
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () {
    charts = charts.filter(function (c) { return !c.isDisposed() && c.getDom().isConnected; });
    charts.forEach(function (c) { c.resize(); });
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();

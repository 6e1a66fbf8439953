// Report charts: every element with data-echarts="ID" is drawn with the ECharts option held as JSON in the
// <script type="application/json" id="ID"> element (no inline scripts: the CSP forbids them).
// Also keeps the quarter and year sums of the sales-target grid in step while the user types.
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.echarts === "undefined") return;
    var charts = [];
    document.querySelectorAll("[data-echarts]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-echarts"));
      if (!source) return;
      var option;
      try {
        option = JSON.parse(source.textContent);
      } catch (err) {
        el.textContent = String(err);
        return;
      }
      var chart = window.echarts.init(el);
      chart.setOption(option);
      el.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  function money(n) {
    return n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function sumRow(row) {
    var months = [];
    row.querySelectorAll("[data-month]").forEach(function (input) {
      var v = parseFloat(input.value);
      months[parseInt(input.getAttribute("data-month"), 10) - 1] = isNaN(v) ? 0 : v;
    });
    var total = 0;
    for (var q = 0; q < 4; q++) {
      var s = (months[q * 3] || 0) + (months[q * 3 + 1] || 0) + (months[q * 3 + 2] || 0);
      total += s;
      var cell = row.querySelector('[data-quarter="' + (q + 1) + '"]');
      if (cell) cell.textContent = money(s);
    }
    var year = row.querySelector("[data-year-total]");
    if (year) year.textContent = money(total);
  }

  function watchGrid() {
    document.querySelectorAll("[data-target-row]").forEach(function (row) {
      row.addEventListener("input", function () { sumRow(row); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    watchGrid();
  });
})();

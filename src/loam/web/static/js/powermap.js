// The power map (权力地图) as an ECharts graph: nodes coloured by support, sized by influence, coach starred,
// key players in bold, contacts outside the opportunity dimmed; edges styled by kind. Clicking a node loads its
// edit panel (HTMX); after an edit (HX-Trigger "powermap-changed") the map JSON is fetched again, the graph is
// redrawn and the status badge recoloured. "Export PNG" saves the chart. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  var SUPPORT_COLORS = { "-2": "#8b0000", "-1": "#e06666", "0": "#adb5bd", "1": "#6aa84f", "2": "#1e6b1e" };
  var SIZES = { high: 58, medium: 42, low: 28 };
  var EDGES = {
    reports_to: { color: "#6c757d", type: "solid", arrow: true, curveness: 0 },
    influences: { color: "#1f77b4", type: "dashed", arrow: true, curveness: 0.15 },
    conflicts: { color: "#d62728", type: "solid", arrow: false, curveness: 0.3 },
    personal: { color: "#8e44ad", type: "dotted", arrow: false, curveness: -0.2 }
  };
  var STATUS_CLASSES = { red: "text-bg-danger", amber: "text-bg-warning", green: "text-bg-success" };
  var LEVEL_ROWS = { executive: 0, middle: 1, staff: 2 };
  var X_STEP = 170;
  var Y_STEP = 150;

  var state = { chart: null, el: null, data: null, labels: {}, positions: {} };

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try {
      return JSON.parse(el.textContent);
    } catch (err) {
      return null;
    }
  }

  // Rows by level (executives on top), in the server's order (department, name) within a row; departed contacts
  // in a row of their own at the bottom.
  function layout(nodes) {
    var rows = {};
    nodes.forEach(function (n) {
      var row = n.departed ? 3 : (LEVEL_ROWS[n.level] !== undefined ? LEVEL_ROWS[n.level] : 2);
      (rows[row] = rows[row] || []).push(n);
    });
    var positions = {};
    Object.keys(rows).forEach(function (row) {
      var list = rows[row];
      list.forEach(function (n, i) {
        positions[n.id] = [(i - (list.length - 1) / 2) * X_STEP, Number(row) * Y_STEP];
      });
    });
    return positions;
  }

  function label(key, dict, fallback) {
    var d = state.labels[dict] || {};
    return d[key] !== undefined ? d[key] : (fallback !== undefined ? fallback : key);
  }

  function nodeLabel(n) {
    var name = (n.coach ? "★ " : "") + n.name;
    var role = n.decision_role ? label(n.decision_role, "roles") : "";
    return (n.key_player ? "{key|" + name + "}" : name) + (role ? "\n{role|" + role + "}" : "");
  }

  function tooltip(n) {
    var lines = ["<strong>" + escapeHtml(n.name) + "</strong>"];
    if (n.title || n.dept_name) lines.push(escapeHtml([n.title, n.dept_name].filter(Boolean).join(" · ")));
    if (n.decision_role) lines.push(escapeHtml(label(n.decision_role, "roles")));
    if (n.chain) lines.push(escapeHtml(label(n.chain, "chains")));
    lines.push(escapeHtml(label(String(n.support), "support")) + " · " + escapeHtml(label(n.influence, "influence")));
    if (n.coach) lines.push("★ " + escapeHtml(state.labels.coach || "Coach"));
    if (n.key_player) lines.push(escapeHtml(state.labels.key || "Key player"));
    if (!n.linked) lines.push(escapeHtml(state.labels.not_in_deal || ""));
    if (n.departed) lines.push(escapeHtml(state.labels.left || ""));
    return lines.join("<br>");
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function option(data) {
    state.positions = layout(data.nodes);
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    var nodes = data.nodes.map(function (n) {
      var dim = !n.linked || n.departed;
      return {
        id: String(n.id),
        name: n.name,
        x: state.positions[n.id][0],
        y: state.positions[n.id][1],
        symbolSize: SIZES[n.influence] || SIZES.medium,
        itemStyle: {
          color: SUPPORT_COLORS[String(n.support)] || SUPPORT_COLORS["0"],
          opacity: dim ? 0.3 : 1,
          borderColor: n.coach ? "#f1c40f" : "#ffffff",
          borderWidth: n.coach ? 4 : 1.5
        },
        label: { show: true, position: "right", formatter: nodeLabel(n), opacity: dim ? 0.5 : 1 },
        tooltip: { formatter: tooltip(n) },
        raw: n
      };
    });
    var links = data.edges.filter(function (e) { return byId[e.source] && byId[e.target]; }).map(function (e) {
      var style = EDGES[e.kind] || EDGES.influences;
      return {
        source: String(e.source),
        target: String(e.target),
        symbol: ["none", style.arrow ? "arrow" : "none"],
        lineStyle: { color: style.color, type: style.type, width: e.kind === "reports_to" ? 1.5 : e.strength + 0.5,
                     curveness: style.curveness, opacity: 0.85 },
        tooltip: { formatter: escapeHtml(byId[e.source].name + " → " + byId[e.target].name + ": " +
                                         label(e.kind, "edges") + (e.remark ? " · " + e.remark : "")) }
      };
    });
    return {
      animation: false,
      tooltip: { confine: true },
      series: [{
        type: "graph",
        layout: "none",
        roam: true,
        draggable: false,
        edgeSymbolSize: 9,
        labelLayout: { hideOverlap: false },
        label: { rich: { key: { fontWeight: "bold" }, role: { color: "#6c757d", fontSize: 11 } } },
        emphasis: { focus: "adjacency" },
        data: nodes,
        links: links
      }]
    };
  }

  function draw(data) {
    state.data = data;
    state.chart.setOption(option(data), true);
    state.el.setAttribute("data-ready", "true");
    state.el.setAttribute("data-status", data.status);
  }

  function updateStatus(data) {
    document.querySelectorAll("#pm-status-badge [data-status]").forEach(function (badge) {
      Object.keys(STATUS_CLASSES).forEach(function (k) { badge.classList.remove(STATUS_CLASSES[k]); });
      badge.classList.add(STATUS_CLASSES[data.status] || "text-bg-secondary");
      badge.setAttribute("data-status", data.status);
      badge.setAttribute("title", data.status_help);
      var text = badge.querySelector("[data-pm-status-label]");
      if (text) text.textContent = data.status_label;
    });
    document.querySelectorAll("[data-pm-status-help]").forEach(function (el) { el.textContent = data.status_help; });
    document.querySelectorAll("[data-pm-check]").forEach(function (el) {
      var ok = data.checks[el.getAttribute("data-pm-check")];
      var icon = el.querySelector("i");
      if (icon) icon.className = "bi " + (ok ? "bi-check-circle-fill text-success" : "bi-x-circle text-muted");
    });
  }

  function refresh() {
    if (!state.el) return;
    state.el.setAttribute("data-ready", "false");
    fetch(state.el.getAttribute("data-json-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status + " " + r.statusText); return r.json(); })
      .then(function (data) { draw(data); updateStatus(data); })
      .catch(function (err) { state.el.setAttribute("data-error", String(err)); });
  }

  function openNode(id) {
    if (!state.el || state.el.getAttribute("data-editable") !== "true" || typeof window.htmx === "undefined") return;
    var url = state.el.getAttribute("data-node-url").replace("__ID__", encodeURIComponent(id));
    window.htmx.ajax("GET", url, { target: "#pm-panel", swap: "innerHTML" });
  }

  function exportPng(button) {
    if (!state.chart) return;
    var a = document.createElement("a");
    a.href = state.chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    a.download = button.getAttribute("data-filename") || "power-map.png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function init() {
    var el = document.querySelector("[data-powermap]");
    var exportButton = document.querySelector("[data-pm-export]");
    if (!el || typeof window.echarts === "undefined") {
      if (exportButton) exportButton.disabled = true;
      return;
    }
    state.el = el;
    state.labels = readJson("pm-labels") || {};
    state.chart = window.echarts.init(el);
    state.chart.on("click", function (params) {
      if (params.dataType === "node") openNode(params.data.id);
    });
    window.addEventListener("resize", function () { state.chart.resize(); });
    if (exportButton) exportButton.addEventListener("click", function () { exportPng(exportButton); });
    draw(readJson("pm-data") || { nodes: [], edges: [], status: "red" });
  }

  // A refused edit (422 / 409) re-renders the panel or the link form with its messages instead of only a toast.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if ((status === 422 || status === 409) && evt.detail.target && evt.detail.target.closest("[data-pm-swap-errors]")) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  document.addEventListener("powermap-changed", refresh);
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (evt.detail.successful && form && form.matches && form.matches("[data-testid=pm-link-form]")) form.reset();
  });

  // For people and browser tests alike: where a contact's node is drawn (page pixels inside the chart element).
  window.loamPowerMap = {
    pixelOf: function (id) {
      if (!state.chart || !state.positions[id]) return null;
      return state.chart.convertToPixel({ seriesIndex: 0 }, state.positions[id]);
    },
    open: openNode,
    refresh: refresh
  };

  document.addEventListener("DOMContentLoaded", init);
})();

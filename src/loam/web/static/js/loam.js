// Small behaviours for every page (no inline scripts: the CSP forbids them).
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("toasts");
  if (!box) return;
  var msg = evt.detail.xhr.getResponseHeader("X-Loam-Message") || evt.detail.xhr.statusText || "Error";
  var el = document.createElement("div");
  el.className = "alert alert-danger shadow-sm";
  el.setAttribute("role", "alert");
  el.textContent = decodeURIComponent(msg);
  box.appendChild(el);
  setTimeout(function () { el.remove(); }, 6000);
});
document.addEventListener("click", function (evt) {
  var el = evt.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { evt.preventDefault(); evt.stopPropagation(); }
}, true);

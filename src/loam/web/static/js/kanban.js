// The opportunity kanban: drag a card to another stage → POST /api/v1/opportunities/{id}/move (the same
// service as the form). Won / lost / invalid ask for the reason first. A refused move snaps back and shows
// the server's (translated) message. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  function toast(message) {
    var box = document.getElementById("toasts");
    if (!box) { window.alert(message); return; }
    var el = document.createElement("div");
    el.className = "alert alert-danger shadow-sm";
    el.setAttribute("role", "alert");
    el.setAttribute("data-testid", "kanban-error");
    el.textContent = message;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }

  function formatMoney(value) {
    return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
  }

  function adjust(list, card, sign) {
    var col = list.closest(".kanban-col");
    if (!col) return;
    var count = col.querySelector("[data-count]");
    var total = col.querySelector("[data-total]");
    if (count) count.textContent = String(parseInt(count.textContent || "0", 10) + sign);
    if (total) {
      var value = parseFloat(total.getAttribute("data-value") || "0") + sign * parseFloat(card.dataset.amount || "0");
      total.setAttribute("data-value", String(value));
      total.textContent = formatMoney(value);
    }
  }

  function snapBack(evt) {
    var ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, ref);
  }

  function askReason(kind) {
    var el = document.getElementById("kanban-reason");
    var form = el.querySelector("[data-reason-form]");
    var select = form.querySelector("select[name=lost_reason_id]");
    var note = form.querySelector("textarea[name=note]");
    var error = form.querySelector("[data-reason-error]");
    var won = kind === "won";
    form.querySelector("[data-reason-row]").classList.toggle("d-none", won);
    form.querySelector("[data-note-required]").classList.toggle("d-none", !won);
    Array.prototype.forEach.call(select.options, function (opt) {
      if (opt.value) { opt.hidden = opt.getAttribute("data-kind") !== kind; opt.disabled = opt.hidden; }
    });
    select.value = "";
    note.value = "";
    error.classList.add("d-none");
    var modal = window.bootstrap.Modal.getOrCreateInstance(el);
    return new Promise(function (resolve, reject) {
      var done = false;
      function onSubmit(e) {
        e.preventDefault();
        var data = { note: note.value.trim() || null, lost_reason_id: null };
        if (!won) data.lost_reason_id = select.value ? parseInt(select.value, 10) : null;
        if ((won && !data.note) || (!won && !data.lost_reason_id)) { error.classList.remove("d-none"); return; }
        done = true;
        modal.hide();
        resolve(data);
      }
      function onHidden() {
        form.removeEventListener("submit", onSubmit);
        el.removeEventListener("hidden.bs.modal", onHidden);
        if (!done) reject(new Error("cancelled"));
      }
      form.addEventListener("submit", onSubmit);
      el.addEventListener("hidden.bs.modal", onHidden);
      modal.show();
    });
  }

  function move(board, evt, extra) {
    var card = evt.item;
    var body = { stage_id: parseInt(evt.to.dataset.stageId, 10), version: parseInt(card.dataset.version, 10) };
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    var url = board.dataset.moveUrl.replace("__ID__", card.dataset.id);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": board.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (json) {
        if (!resp.ok) {
          var msg = typeof json.detail === "string" ? json.detail : board.dataset.msgRefused;
          throw new Error(msg);
        }
        card.dataset.version = String(json.version);
        var prob = card.querySelector("[data-prob]");
        if (prob) prob.textContent = String(json.probability);
        adjust(evt.from, card, -1);
        adjust(evt.to, card, +1);
      });
    });
  }

  function onEnd(board, evt) {
    if (evt.from === evt.to) return;
    var kind = evt.to.dataset.kind;
    var ready = kind === "open" ? Promise.resolve({}) : askReason(kind);
    ready.then(function (extra) {
      return move(board, evt, extra).catch(function (err) { snapBack(evt); toast(err.message); });
    }, function () { snapBack(evt); });
  }

  function init() {
    var board = document.querySelector("[data-kanban]");
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    if (!board || typeof window.Sortable === "undefined") return;
    var canMove = board.dataset.canMove === "true";
    board.querySelectorAll(".kanban-list").forEach(function (list) {
      window.Sortable.create(list, {
        group: { name: "kanban", pull: true, put: list.dataset.retired !== "true" },
        draggable: ".kanban-card",
        animation: 150,
        disabled: !canMove,
        onEnd: function (evt) { onEnd(board, evt); }
      });
    });
    board.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

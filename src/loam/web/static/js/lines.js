// Product lines editor (templates/products/_lines_editor.html): add/remove rows, search the catalogue,
// keep discount % and sale price consistent and show live subtotals and the total.
// Exact decimal arithmetic with BigInt, rounding half up to the cent like the server
// (loam.products.lines.price); the server recomputes everything on save.
(function () {
  "use strict";
  if (window.loamLines) return;
  window.loamLines = true;

  // A non-negative decimal text as a BigInt scaled by 10^scale (rounded half up), or null.
  function scaled(text, scale) {
    if (text === undefined || text === null) return null;
    var s = String(text).replace(/[\s,，]/g, "");
    if (!/^\d+(\.\d*)?$|^\.\d+$/.test(s)) return null;
    var parts = s.split(".");
    var whole = parts[0] || "0";
    var frac = parts[1] || "";
    var extra = frac.length > scale ? frac.charAt(scale) : "0";
    frac = (frac + "0".repeat(scale)).slice(0, scale);
    var n = BigInt(whole + frac);
    if (extra >= "5") n += 1n;
    return n;
  }

  // round(n / d), half up, for n >= 0 and d > 0
  function div(n, d) {
    return (2n * n + d) / (2n * d);
  }

  function fmt(n, scale) {
    var neg = n < 0n;
    var s = (neg ? -n : n).toString().padStart(scale + 1, "0");
    var whole = s.slice(0, s.length - scale).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var frac = scale ? "." + s.slice(s.length - scale) : "";
    return (neg ? "-" : "") + whole + frac;
  }

  function plain(n, scale) {
    return fmt(n, scale).replace(/,/g, "");
  }

  function listPrice(row) {
    var sel = row.querySelector("[data-line-product]");
    var opt = sel && sel.selectedOptions[0];
    return opt && opt.value ? scaled(opt.getAttribute("data-price"), 2) : null;
  }

  // Sale price in cents from the discount (basis points of a percent) or null.
  function saleFromDiscount(list, discountInput) {
    var d = scaled(discountInput.value || "0", 2);
    if (list === null || d === null || d > 10000n) return null;
    return div(list * (10000n - d), 10000n);
  }

  function discountFromSale(list, sale) {
    if (list === null || sale === null || list <= 0n || sale >= list) return 0n;
    return div((list - sale) * 10000n, list);
  }

  function refreshRow(row, changed) {
    var list = listPrice(row);
    var qty = row.querySelector("[data-line-quantity]");
    var disc = row.querySelector("[data-line-discount]");
    var sale = row.querySelector("[data-line-sale]");
    var cell = row.querySelector("[data-line-list-price]");
    cell.textContent = list === null ? "" : fmt(list, 2);
    if (changed === "product" && list !== null) {
      if (!qty.value) qty.value = "1";
      var s = saleFromDiscount(list, disc);
      if (s !== null) sale.value = plain(s, 2);
    } else if (changed === "discount") {
      var s2 = saleFromDiscount(list, disc);
      if (s2 !== null) sale.value = plain(s2, 2);
    } else if (changed === "sale") {
      var given = scaled(sale.value, 2);
      disc.value = given === null ? "" : plain(discountFromSale(list, given), 2).replace(/\.?0+$/, "");
    }
    var price = sale.value ? scaled(sale.value, 2) : saleFromDiscount(list, disc);
    var q = scaled(qty.value, 4);
    var out = row.querySelector("[data-line-subtotal]");
    if (price === null || q === null || list === null) {
      out.textContent = "";
      row.subtotal = 0n;
    } else {
      row.subtotal = div(q * price, 10000n);
      out.textContent = fmt(row.subtotal, 2);
    }
  }

  function refreshTotal(editor) {
    var total = 0n;
    editor.querySelectorAll("[data-line]").forEach(function (row) {
      total += row.subtotal || 0n;
    });
    editor.querySelector("[data-lines-total]").textContent = fmt(total, 2);
  }

  function nextIndex(editor) {
    var max = -1;
    editor.querySelectorAll("[data-line-product]").forEach(function (sel) {
      var m = /^lines-(\d+)-/.exec(sel.name);
      if (m) max = Math.max(max, parseInt(m[1], 10));
    });
    return max + 1;
  }

  function blankRow(editor) {
    return Array.prototype.find.call(editor.querySelectorAll("[data-line]"), function (row) {
      return !row.querySelector("[data-line-product]").value && !row.querySelector("[data-line-quantity]").value;
    });
  }

  // A new row at the end; a product picked in the search box fills the first blank row instead.
  function addRow(editor, product) {
    var row = product ? blankRow(editor) : null;
    if (!row) {
      var tpl = editor.querySelector("[data-lines-template]");
      var holder = document.createElement("tbody");
      holder.innerHTML = tpl.innerHTML.replace(/__N__/g, String(nextIndex(editor)));
      row = holder.querySelector("[data-line]");
      editor.querySelector("[data-lines-body]").appendChild(row);
    }
    if (product) {
      var sel = row.querySelector("[data-line-product]");
      var opt = Array.prototype.find.call(sel.options, function (o) { return o.value === String(product.id); });
      if (!opt) {
        opt = document.createElement("option");
        opt.value = String(product.id);
        opt.setAttribute("data-price", product.list_price);
        opt.setAttribute("data-unit", product.unit || "");
        opt.textContent = product.code + " " + product.name + " · " + fmt(scaled(product.list_price, 2) || 0n, 2);
        sel.appendChild(opt);
      }
      sel.value = String(product.id);
      refreshRow(row, "product");
    } else {
      refreshRow(row, null);
    }
    refreshTotal(editor);
    return row;
  }

  function search(editor, input) {
    var box = editor.querySelector("[data-lines-results]");
    var q = input.value.trim();
    if (!q) { box.innerHTML = ""; return; }
    var url = editor.getAttribute("data-search-url") + "?status=active&page_size=20&q=" + encodeURIComponent(q);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        if (input.value.trim() !== q) return;
        box.innerHTML = "";
        (data.items || []).forEach(function (p) {
          var a = document.createElement("button");
          a.type = "button";
          a.className = "list-group-item list-group-item-action small";
          a.textContent = p.code + " " + p.name + " · " + fmt(scaled(p.list_price, 2) || 0n, 2) + " " + p.currency;
          a.addEventListener("click", function () {
            addRow(editor, p);
            box.innerHTML = "";
            input.value = "";
          });
          box.appendChild(a);
        });
      })
      .catch(function () { box.innerHTML = ""; });
  }

  function init(editor) {
    if (editor.dataset.ready) return;
    editor.dataset.ready = "1";
    editor.querySelectorAll("[data-line]").forEach(function (row) { refreshRow(row, null); });
    refreshTotal(editor);
    editor.addEventListener("input", function (evt) {
      var row = evt.target.closest("[data-line]");
      if (!row) return;
      var kind = evt.target.hasAttribute("data-line-discount") ? "discount"
        : evt.target.hasAttribute("data-line-sale") ? "sale" : null;
      refreshRow(row, kind);
      refreshTotal(editor);
    });
    editor.addEventListener("change", function (evt) {
      if (!evt.target.hasAttribute("data-line-product")) return;
      refreshRow(evt.target.closest("[data-line]"), "product");
      refreshTotal(editor);
    });
    editor.addEventListener("click", function (evt) {
      var btn = evt.target.closest("[data-line-remove]");
      if (btn) {
        btn.closest("[data-line]").remove();
        refreshTotal(editor);
      } else if (evt.target.closest("[data-lines-add]")) {
        addRow(editor, null).querySelector("[data-line-product]").focus();
      }
    });
    var input = editor.querySelector("[data-lines-search]");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(editor, input); }, 250);
    });
    input.addEventListener("keydown", function (evt) {
      if (evt.key === "Enter") evt.preventDefault(); // never submit the surrounding form from the search box
    });
  }

  function initAll() {
    document.querySelectorAll("[data-lines-editor]").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  document.addEventListener("htmx:afterSettle", initAll);
})();

// The traceability matrix's filters (dataetik/matrix.py). Progressive enhancement: without this
// script the whole table shows. The words come from the box's data-label-* attributes (the
// policy's language, from the build's catalogue); the values from the rows' data-department and
// data-status and the column headers' data-policy.
(function () {
  "use strict";

  function options(select, all, values) {
    var none = document.createElement("option");
    none.value = "";
    none.textContent = all;
    select.appendChild(none);
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value.value;
      option.textContent = value.text;
      select.appendChild(option);
    });
  }

  function unique(values) {
    return values.filter(function (v, i) { return v && values.indexOf(v) === i; });
  }

  function filter(box, name, label, values) {
    var id = "dataetik-matrix-" + name + "-" + (box.dataset.matrixIndex || "0");
    var wrap = document.createElement("span");
    wrap.className = "dataetik-m-filter";
    var text = document.createElement("label");
    text.htmlFor = id;
    text.textContent = label;
    var select = document.createElement("select");
    select.id = id;
    select.className = "form-select form-select-sm";
    options(select, box.dataset.labelAll, values);
    wrap.appendChild(text);
    wrap.appendChild(select);
    return { wrap: wrap, select: select };
  }

  function init(box, index) {
    var table = box.querySelector("table");
    if (!table || !table.tHead || table.tHead.rows.length < 2) return;
    box.dataset.matrixIndex = String(index);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var groups = Array.prototype.slice.call(table.tHead.rows[0].querySelectorAll("[data-policy]"));
    var heads = Array.prototype.slice.call(table.tHead.rows[1].cells);
    var order = [];
    try { order = JSON.parse(box.dataset.statuses || "[]"); } catch (e) { order = []; }

    var departments = unique(rows.map(function (r) { return r.dataset.department; }))
      .sort(function (a, b) { return a.localeCompare(b, document.documentElement.lang || undefined); });
    var statuses = unique(rows.map(function (r) { return r.dataset.status; }))
      .sort(function (a, b) { return rank(a) - rank(b); });
    function rank(s) { var i = order.indexOf(s); return i < 0 ? order.length : i; }
    function same(v) { return { value: v, text: v }; }

    var form = document.createElement("div");
    form.className = "dataetik-m-filters";
    form.setAttribute("role", "group");
    form.setAttribute("aria-label", box.dataset.labelFilter || "");
    var byDepartment = filter(box, "department", box.dataset.labelDepartment, departments.map(same));
    var byStatus = filter(box, "status", box.dataset.labelStatus, statuses.map(same));
    var byPolicy = filter(box, "policy", box.dataset.labelPolicy, groups.map(function (g) {
      return { value: g.dataset.policy, text: g.textContent.trim() };
    }));
    [byDepartment, byStatus].forEach(function (f) { form.appendChild(f.wrap); });
    if (groups.length > 1) form.appendChild(byPolicy.wrap);
    var shown = document.createElement("p");
    shown.className = "dataetik-m-shown";
    shown.setAttribute("aria-live", "polite");
    form.appendChild(shown);
    box.insertBefore(form, box.firstChild);

    function apply() {
      var department = byDepartment.select.value, status = byStatus.select.value, policy = byPolicy.select.value;
      var count = 0;
      rows.forEach(function (row) {
        var show = (!department || row.dataset.department === department) && (!status || row.dataset.status === status);
        row.hidden = !show;
        if (show) count += 1;
      });
      groups.forEach(function (g) { g.hidden = !!policy && g.dataset.policy !== policy; });
      heads.forEach(function (head, i) {
        var hide = !!policy && head.dataset.policy !== policy;
        head.hidden = hide;
        // Body rows start with the project's own header cell.
        rows.forEach(function (row) { if (row.cells[i + 1]) row.cells[i + 1].hidden = hide; });
      });
      shown.textContent = (box.dataset.labelShown || "")
        .replace("{shown}", String(count)).replace("{total}", String(rows.length));
    }
    [byDepartment, byStatus, byPolicy].forEach(function (f) { f.select.addEventListener("change", apply); });
    apply();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".dataetik-matrix"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

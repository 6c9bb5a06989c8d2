// Appended to a copy of report.html by run.sh (after the page's script):
// measures the laid-out page and plays a few clicks, then writes what it saw
// as JSON into <body data-probe="...">. check_dom.py --probe judges it; this
// script only measures, so the verdicts and their reasons live in one place.
(function () {
  "use strict";
  function rect(r) { return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; }
  // The box of the code points [from, to) of an element's first text node.
  function charsRect(node, from, to) {
    var text = node.firstChild, s = text ? text.data : "";
    var cps = Array.from(s), a = cps.slice(0, from).join("").length, b = cps.slice(0, to).join("").length;
    var range = document.createRange();
    range.setStart(text, a);
    range.setEnd(text, b);
    return rect(range.getBoundingClientRect());
  }
  // #probe-width=N narrows the page to N px (headless windows are at least 500 px wide).
  var m = /probe-width=(\d+)/.exec(location.hash);
  if (m) document.documentElement.style.width = m[1] + "px";
  function run() {
    var out = { width: m ? Number(m[1]) : window.innerWidth, errors: [] };
    try {
      // 2. Summary cards: widths of every number and its card.
      out.cards = Array.prototype.map.call(document.querySelectorAll("#summary .stat"), function (s) {
        var v = s.querySelector(".v");
        return { text: v.textContent, v_scroll: v.scrollWidth, v_client: v.clientWidth,
                 card_scroll: s.scrollWidth, card_client: s.clientWidth };
      });
      // 3. Arabic bar labels: where the first and last letters are drawn,
      // against the box that clips them (the name's box within its label's).
      out.bars = [];
      Array.prototype.forEach.call(document.querySelectorAll(".bar .lbl, .bar .lbl *"), function (nm) {
        var text = nm.firstChild;
        if (!text || text.nodeType !== 3) return;
        var t = text.data, n = Array.from(t).length;
        if (!/[\u0600-\u06ff]/.test(t) || n < 2) return;
        var lbl = nm.closest(".lbl"), a = nm.getBoundingClientRect(), b = lbl.getBoundingClientRect();
        out.bars.push({ id: nm.closest(".bar").getAttribute("data-id"), text: t,
                        direction: getComputedStyle(nm).direction,
                        box: { left: Math.max(a.left, b.left), right: Math.min(a.right, b.right) },
                        first: charsRect(nm, 0, 2), last: charsRect(nm, n - 2, n) });
      });
    } catch (e) {
      out.errors.push(String(e && e.stack || e));
    }
    try {
      // 4. Click what is under the middle of a drawn label.
      var svg = document.querySelector("svg.net");
      var labels = Array.prototype.filter.call(document.querySelectorAll("svg.net text.label"), function (l) {
        return !l.classList.contains("minor");
      });
      out.label = null;
      if (labels.length) {
        var lab = labels[Math.min(2, labels.length - 1)], id = lab.getAttribute("data-for");
        svg.scrollIntoView({ block: "center" });
        var r = lab.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
        var hit = document.elementFromPoint(x, y);
        if (hit) hit.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, clientX: x, clientY: y }));
        var g = document.querySelector('svg.net g.node[data-id="' + CSS.escape(id) + '"]');
        out.label = { id: id, text: lab.textContent,
                      hit: hit ? hit.tagName + "." + (hit.getAttribute("class") || "") + "[" + (hit.getAttribute("data-for") || hit.getAttribute("data-id") || "") + "]" : null,
                      pinned: !!g && g.classList.contains("pinned"),
                      pin_info: document.querySelector(".pin-info").textContent };
        document.querySelector("svg.net rect").dispatchEvent(new MouseEvent("click", { bubbles: true }));
      }
    } catch (e) {
      out.errors.push(String(e && e.stack || e));
    }
    try {
      // 5. The label toggle: the label texts in each mode.
      function labelTexts() {
        var o = {};
        Array.prototype.forEach.call(document.querySelectorAll("svg.net text.label"), function (l) {
          o[l.getAttribute("data-for")] = l.textContent;
        });
        return o;
      }
      out.names_default = document.body.dataset.names;
      out.labels_default = labelTexts();
      var ar = document.getElementById("names-ar"), en = document.getElementById("names-en");
      out.ar_disabled = ar.disabled;
      ar.click();
      out.labels_ar = labelTexts();
      out.names_after_ar = document.body.dataset.names;
      en.click();
      out.labels_en = labelTexts();
      out.names_after_en = document.body.dataset.names;
    } catch (e) {
      out.errors.push(String(e && e.stack || e));
    }
    try {
      // 1. Search for an entity that is not drawn, then click its result.
      var data = JSON.parse(document.getElementById("alam-data").textContent);
      var drawn = {};
      Array.prototype.forEach.call(document.querySelectorAll("svg.net g.node"), function (g) { drawn[g.getAttribute("data-id")] = true; });
      var ix = data.index || { entities: [], types: [] }, target = null;
      for (var i = 0; i < ix.entities.length && !target; i++) {
        var row = ix.entities[i], type = ix.types[row[3]];
        var eid = row[0] === 0 ? type + ":~" + row[1].replace(/ /g, "-") : row[0];
        if (!drawn[eid] && eid.indexOf(":~") < 0 && /^[A-Za-z][A-Za-z .-]{4,}$/.test(row[1])) target = { id: eid, name: row[1] };
      }
      out.search = target;
      if (target) {
        var input = document.getElementById("filter");
        input.value = target.name;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        var li = document.querySelector('#result-entities li[data-id="' + CSS.escape(target.id) + '"]');
        target.listed = !!li;
        target.listed_drawn = li ? li.getAttribute("data-drawn") : null;
        if (li) li.querySelector("button.ent").click();
        var g2 = document.querySelector('svg.net g.node[data-id="' + CSS.escape(target.id) + '"]');
        target.drawn_after = !!g2;
        target.pinned_after = !!g2 && g2.classList.contains("pinned");
        target.added_edges = document.querySelectorAll('svg.net line.edge[data-source="' + CSS.escape(target.id) + '"]').length;
        target.pin_info = document.querySelector(".pin-info").textContent;
      }
    } catch (e) {
      out.errors.push(String(e && e.stack || e));
    }
    document.body.setAttribute("data-probe", JSON.stringify(out));
  }
  if (document.body.dataset.ready === "1") setTimeout(run, 50);
  else window.addEventListener("load", function () { setTimeout(run, 50); });
})();

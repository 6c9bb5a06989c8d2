#!/usr/bin/env python3
"""Check DOMs that headless Chromium dumped from report.html after its scripts ran.

usage: check_dom.py PLAIN.html [QUERY FILTERED.html]...

PLAIN.html is the page without a filter; each QUERY/FILTERED.html pair is the
page opened as report.html#filter=QUERY. The expected numbers come from the data
object embedded in the page (it is in the dumped DOM verbatim). Prints one
`PASS name` or `FAIL name: why` line per check; the caller counts them.
"""
import json
import re
import sys
import unicodedata
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Every element the template creates; anything else came from data.
ALLOWED = {"html", "head", "meta", "title", "style", "body", "noscript", "p", "main", "script", "header",
           "h1", "h2", "h3", "span", "section", "div", "b", "input", "button", "svg", "rect", "g", "line",
           "circle", "text", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "mark", "footer", "label"}
HOSTILE = ["<script>alert(1)</script>", '"onmouseover="alert(1)', "</svg>"]


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []          # (tag, attrs dict)
        self.stack = []             # indexes into elements
        self.scripts = []           # (attrs, text)
        self.texts = []             # text nodes outside <script>/<style>
        self.marks = []             # (pair row index, mark text)
        self.row = -1
        self.in_mark = False
        self.mark_text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.elements.append((tag, a))
        if tag == "tr" and "pair" in a.get("class", "").split():
            self.row += 1
        if tag == "mark":
            self.in_mark, self.mark_text = True, ""
        if tag == "script":
            self.scripts.append([a, ""])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == "mark" and self.in_mark:
            self.marks.append((self.row, self.mark_text))
            self.in_mark = False
        while self.stack:
            if self.stack.pop() == tag:
                break

    def handle_data(self, data):
        top = self.stack[-1] if self.stack else ""
        if top == "script" and self.scripts:
            self.scripts[-1][1] += data
        elif top != "style":
            self.texts.append(data)
            if self.in_mark:
                self.mark_text += data


def parse(path):
    d = Dom()
    d.feed(open(path, encoding="utf-8").read())
    d.close()
    return d


def classes(a):
    return a.get("class", "").split()


def find(d, tag, cls):
    return [a for t, a in d.elements if t == tag and cls in classes(a)]


FOLD = str.maketrans({"\u0649": "\u064A", "\u06CC": "\u064A", "\u0629": "\u0647", "\u06A9": "\u0643",
                      "\u06AF": "\u0643", "\u0671": "\u0627", "\u067E": "\u0628", "\u0686": "\u062C",
                      "\u0698": "\u0632", "\u06A4": "\u0641"})
DROP = re.compile("[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
                  "\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def norm(s):
    """The template's search normalization (norm() in report.html)."""
    s = DROP.sub("", unicodedata.normalize("NFKD", s or ""))
    return re.sub(r"\s+", " ", s.translate(FOLD).lower())


def hit(q, *fields):
    return any(q in norm(f) for f in fields)


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, why=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: {why}")


def expected_marks(pair):
    """Mark texts of one pair row, in order, sliced by code points like the page."""
    out = []
    for ex in pair.get("examples", [])[:3]:
        cps = list(ex["text"])  # Python strings index code points
        ms = sorted(([max(0, min(a, len(cps))), max(0, min(b, len(cps)))] for a, b in ex["marks"]),
                    key=lambda m: (m[0], -m[1]))
        merged = []
        for m in ms:
            if m[1] <= m[0]:
                continue
            if merged and m[0] < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], m[1])
            else:
                merged.append(m)
        out += ["".join(cps[a:b]) for a, b in merged]
    return out


def common(c, label, d):
    body = next((a for t, a in d.elements if t == "body"), {})
    c.check(f"{label}: data-ready", body.get("data-ready") == "1", f"body attrs {body}")
    c.check(f"{label}: exactly the page's two scripts", len(d.scripts) == 2
            and d.scripts[0][0].get("id") == "alam-data" and "src" not in d.scripts[1][0],
            f"{len(d.scripts)} scripts: {[s[0] for s in d.scripts]}")
    on = [(t, k) for t, a in d.elements for k in a if k.lower().startswith("on")]
    c.check(f"{label}: no on* attribute", not on, str(on[:5]))
    stray = sorted({t for t, _ in d.elements} - ALLOWED)
    c.check(f"{label}: no element made from data", not stray, str(stray))
    c.check(f"{label}: one svg", sum(1 for t, _ in d.elements if t == "svg") == 1,
            str(sum(1 for t, _ in d.elements if t == "svg")))
    return body


def main():
    args = sys.argv[1:]
    if not args or len(args) % 2 != 1:
        raise SystemExit(__doc__)
    c = Checks()
    plain = parse(args[0])
    try:
        data = json.loads(plain.scripts[0][1])
    except Exception as e:  # noqa: BLE001
        c.check("embedded data parses", False, repr(e))
        print(f"checks: {c.passed} passed, {c.failed} failed")
        sys.exit(1)
    c.check("embedded data parses", isinstance(data, dict))
    net = data["network"]
    ids = []
    for n in net["nodes"]:
        if n["id"] not in ids:
            ids.append(n["id"])
    edges = [e for e in net["edges"] if e["source"] in ids and e["target"] in ids]
    pairs = data["pairs"]
    print(f"data: {len(ids)} nodes, {len(edges)} edges, {len(pairs)} pairs, "
          f"{sum(len(b['entities']) for b in data['top_entities'])} bar rows")

    body = common(c, "plain", plain)
    nodes = find(plain, "g", "node")
    c.check("node count", len(nodes) == len(ids), f"{len(nodes)} in DOM, {len(ids)} in data")
    c.check("node ids", sorted(a.get("data-id") for a in nodes) == sorted(ids), "ids differ")
    c.check("at most 150 nodes", len(nodes) <= 150, str(len(nodes)))
    labels = find(plain, "text", "label")
    c.check("one label per node", sorted(a.get("data-for") for a in labels) == sorted(ids),
            f"{len(labels)} labels")
    c.check("some labels drawn", any("minor" not in classes(a) for a in labels) or not ids, "all hidden")
    lines = find(plain, "line", "edge")
    c.check("edge count", len(lines) == len(edges), f"{len(lines)} in DOM, {len(edges)} in data")
    c.check("edge ends", sorted((a.get("data-source"), a.get("data-target")) for a in lines)
            == sorted((e["source"], e["target"]) for e in edges), "edge ends differ")
    rows = find(plain, "tr", "pair")
    c.check("pair rows", len(rows) == len(pairs) and len(pairs) > 0, f"{len(rows)} rows, {len(pairs)} pairs")
    c.check("all pairs visible without filter", body.get("data-visible-pairs") == str(len(pairs))
            and not any("hidden" in a for a in rows), body.get("data-visible-pairs"))
    bars = find(plain, "div", "bar")
    c.check("bar rows", len(bars) == sum(len(b["entities"]) for b in data["top_entities"]) and bars,
            str(len(bars)))
    got = {}
    for row, text in plain.marks:
        got.setdefault(row, []).append(text)
    bad = [i for i, p in enumerate(pairs) if got.get(i, []) != expected_marks(p)]
    c.check("example <mark>s sliced by code points", not bad,
            f"rows {bad[:5]}: {[got.get(i) for i in bad[:2]]} vs {[expected_marks(pairs[i]) for i in bad[:2]]}")
    alltext = "".join(plain.texts)
    for h in HOSTILE:
        in_data = any(h in x["text"] or h in x["doc_id"] for p in pairs for x in p.get("examples", []))
        if in_data:
            c.check(f"hostile {h!r} shown as text", h in alltext, "not found in text")

    counts = {}
    for q, path in zip(args[1::2], args[2::2]):
        d = parse(path)
        label = f"filter {q!r}"
        b = common(c, label, d)
        nq = norm(q).strip()
        want = sum(1 for p in pairs if hit(nq, p["source_id"], p["source_name"], p.get("source_name_ar", ""))
                   or hit(nq, p["target_id"], p["target_name"], p.get("target_name_ar", "")))
        vis = int(b.get("data-visible-pairs", "-1"))
        counts[q] = vis
        c.check(f"{label}: visiblePairs = {want}", vis == want, f"page says {vis}")
        c.check(f"{label}: 0 < visiblePairs < {len(pairs)}", 0 < vis < len(pairs), str(vis))
        shown = [a for a in find(d, "tr", "pair") if "hidden" not in a]
        c.check(f"{label}: unhidden rows = visiblePairs", len(shown) == vis, str(len(shown)))
        info = {n["id"]: n for n in net["nodes"]}
        match = {i for i in ids if hit(nq, i, info[i]["name"], info[i].get("name_ar", ""))}
        dn = find(d, "g", "node")
        c.check(f"{label}: matching nodes undimmed", {a["data-id"] for a in dn if "match" in classes(a)} == match
                and not any("dim" in classes(a) for a in dn if a["data-id"] in match) and match,
                f"{len(match)} expected")
        off = [a for a in find(d, "line", "edge") if "off" in classes(a)]
        want_off = [e for e in edges if e["source"] not in match and e["target"] not in match]
        c.check(f"{label}: edges of non-matching nodes hidden", len(off) == len(want_off),
                f"{len(off)} hidden, {len(want_off)} expected")
        ents = {e["id"]: e for block in data["top_entities"] for e in block["entities"]}
        bad = [a["data-id"] for a in find(d, "div", "bar")
               if ("hidden" in a) == hit(nq, a["data-id"], ents[a["data-id"]]["name"],
                                         ents[a["data-id"]].get("name_ar", ""))]
        c.check(f"{label}: bar rows filtered", not bad, str(bad[:5]))
    print(f"checks: {c.passed} passed, {c.failed} failed")
    print("counts: " + json.dumps(counts, ensure_ascii=False))
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()

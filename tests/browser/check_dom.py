#!/usr/bin/env python3
"""Check DOMs that headless Chromium dumped from report.html after its scripts ran.

usage: check_dom.py PLAIN.html [QUERY FILTERED.html]... [--search QUERY FILTERED.html]...
                    [--probe PROBED.html]...

PLAIN.html is the page without a filter; each QUERY/FILTERED.html pair is the
page opened as report.html#filter=QUERY, where QUERY matches drawn nodes and
listed pairs. `--search` pages are filtered too, but only their search results
(the whole index) are checked: QUERY may name entities that are not drawn.
`--probe` pages are copies of the report with probe.js appended, dumped after it
measured the laid-out page and clicked through it (at any window width).
The expected numbers come from the data object embedded in the page (it is in
the dumped DOM verbatim). Prints one `PASS name` or `FAIL name: why` line per
check; the caller counts them.
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


def index_entities(data):
    """The search index's entities in order, decoded as the page does."""
    ix = data.get("index")
    if not ix:
        return None
    out = []
    for r in ix["entities"]:
        name, kind = r[1], ix["types"][r[3]]
        out.append({"id": kind + ":~" + name.replace(" ", "-") if r[0] == 0 else r[0], "name": name,
                    "name_ar": name if r[2] == 0 else r[2], "type": kind, "mentions": r[4]})
    return out


def check_results(c, label, d, data, q, drawn):
    """The search results of a page filtered by q: every matching entity of the
    index counted, the first 30 listed in index order, each marked drawn or not.
    Returns the listed ids that are not drawn."""
    sec = next((a for t, a in d.elements if t == "section" and a.get("id") == "results"), None)
    ents = index_entities(data)
    if sec is None or ents is None:
        c.check(f"{label}: search results", False, "no #results section or no index in the data")
        return []
    nq = norm(q).strip()
    want = [e for e in ents if hit(nq, e["id"], e["name"], e["name_ar"])]
    c.check(f"{label}: results shown", "hidden" not in sec, str(sec))
    c.check(f"{label}: results count every match in the index ({len(want)})",
            sec.get("data-entities") == str(len(want)), f"page says {sec.get('data-entities')}")
    listed = [a for t, a in d.elements if t == "li" and "result" in classes(a)]
    c.check(f"{label}: first matches listed, most mentions first",
            [a["data-id"] for a in listed] == [e["id"] for e in want[:30]],
            f"{[a['data-id'] for a in listed][:5]} vs {[e['id'] for e in want[:5]]}")
    bad = [a["data-id"] for a in listed if a.get("data-drawn") != ("1" if a["data-id"] in drawn else "0")]
    c.check(f"{label}: results say whether they are drawn", not bad, str(bad[:5]))
    return [a["data-id"] for a in listed if a["data-id"] not in drawn]


def check_probe(c, path):
    """Judge what probe.js measured in a laid-out copy of a page (against the
    data embedded in that page)."""
    d = parse(path)
    data = json.loads(d.scripts[0][1])
    body = next((a for t, a in d.elements if t == "body"), {})
    try:
        p = json.loads(body.get("data-probe", ""))
    except ValueError:
        c.check(f"probe {path}: ran", False, "no data-probe on <body>")
        return
    w = p.get("width")
    label = f"probe at {w}px"
    c.check(f"{label}: ran without errors", not p["errors"], str(p["errors"])[:400])
    # 2. Numbers are never cut: each number fits its box and its card.
    cards = [x for x in p.get("cards", []) if re.search(r"\d", x["text"])]
    long = [x for x in cards if len(re.sub(r"\D", "", x["text"])) >= 7]
    c.check(f"{label}: a card with a 7-digit number exists", bool(long), str([x["text"] for x in cards]))
    cut = [x for x in cards if x["v_scroll"] > x["v_client"] or x["card_scroll"] > x["card_client"]]
    c.check(f"{label}: summary numbers not clipped (scrollWidth <= clientWidth)", not cut, str(cut[:3]))
    # 3. An Arabic bar label shows its first letters; when cut, it loses its last ones.
    bars = p.get("bars", [])
    c.check(f"{label}: Arabic bar labels measured", bool(bars), "none")
    inside = lambda r, box: r["left"] >= box["left"] - 1 and r["right"] <= box["right"] + 1
    bad = [b["text"] for b in bars if not inside(b["first"], b["box"])]
    c.check(f"{label}: Arabic bar labels start with their first letters", not bad, str(bad[:3]))
    cut = [b for b in bars if not inside(b["last"], b["box"])]
    c.check(f"{label}: a cut Arabic bar label is right-to-left (its ellipsis on the left)",
            all(b["direction"] == "rtl" for b in cut), str([b["text"] for b in cut][:3]))
    if w is not None and w <= 400:
        c.check(f"{label}: some Arabic bar label is cut (the case above is exercised)", bool(cut),
                str([b["text"] for b in bars][:3]))
    # 4. Clicking a label selects its node.
    lab = p.get("label")
    c.check(f"{label}: a drawn label was clicked", lab is not None, "no label drawn")
    if lab:
        c.check(f"{label}: the click landed on the label", (lab["hit"] or "").startswith("text.label"), str(lab["hit"]))
        c.check(f"{label}: clicking a label pins its node", lab["pinned"] and lab["text"] in lab["pin_info"],
                str(lab))
    # 5. The label toggle.
    for k in ("labels_ar", "labels_en", "labels_default"):
        p.setdefault(k, {})
    info = {n["id"]: n for n in data["network"]["nodes"]}
    with_ar = [i for i, n in info.items() if n.get("name_ar")]
    if with_ar:
        bad = [i for i in with_ar if p["labels_ar"].get(i) != info[i]["name_ar"]]
        c.check(f"{label}: Arabic toggle shows the Arabic names", not bad and p.get("names_after_ar") == "ar",
                str(bad[:3]))
    bad = [i for i in info if p["labels_en"].get(i) != info[i]["name"]]
    c.check(f"{label}: English toggle shows the English names", not bad and p.get("names_after_en") == "en",
            str(bad[:3]))
    want_default = p["labels_ar"] if p.get("names_default") == "ar" else p["labels_en"]
    c.check(f"{label}: default labels ({p.get('names_default')}) are one of the two",
            p["labels_default"] == want_default, "")
    # 1. A search result that is not drawn is added to the network when clicked.
    s = p.get("search")
    c.check(f"{label}: an entity of the index is not drawn", s is not None, "all drawn?")
    if s:
        c.check(f"{label}: search lists {s['name']!r} (not drawn)",
                s.get("listed") and s.get("listed_drawn") == "0", str(s))
        c.check(f"{label}: clicking it adds and pins it", s.get("drawn_after") and s.get("pinned_after")
                and s["name"] in s.get("pin_info", ""), str(s))


def main():
    args = sys.argv[1:]
    searches, probes, rest = [], [], []
    while args:
        if args[0] == "--search" and len(args) >= 3:
            searches.append((args[1], args[2]))
            args = args[3:]
        elif args[0] == "--probe" and len(args) >= 2:
            probes.append(args[1])
            args = args[2:]
        else:
            rest.append(args[0])
            args = args[1:]
    args = rest
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
    res = next((a for t, a in plain.elements if t == "section" and a.get("id") == "results"), {})
    c.check("search results hidden without a filter", "hidden" in res, str(res))
    drawn = set(ids)
    undrawn = []

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
        undrawn += check_results(c, label, d, data, q, drawn)
    for q, path in searches:
        d = parse(path)
        label = f"search {q!r}"
        common(c, label, d)
        undrawn += check_results(c, label, d, data, q, drawn)
    if searches:
        c.check("the search lists entities that are not drawn", bool(undrawn), "every listed result is drawn")
    for path in probes:
        check_probe(c, path)
    print(f"checks: {c.passed} passed, {c.failed} failed")
    print("counts: " + json.dumps(counts, ensure_ascii=False))
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()

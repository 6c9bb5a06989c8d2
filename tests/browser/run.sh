#!/usr/bin/env bash
# Browser test of report.html, run by CI from the repo root after `cargo build --release`.
#
# Generates a few hundred invented documents (gen_docs.py), builds the report
# with `alam extract --format csv,json,html` (or, while the binary lacks the html
# format, with fallback_report.py from its csv/json tables), opens it in headless
# Chromium with and without `#filter=...`, checks the dumped DOMs (check_dom.py)
# and saves a screenshot at target/browser/report.png. Copies with probe.js
# appended measure the laid-out page at a wide and a narrow width (cards, bar
# labels) and click through it (a label, the label toggle, a search result that
# is not drawn); check_dom.py --probe judges what they saw.
set -uo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")/../.."

here=tests/browser
work=target/browser
alam=${ALAM:-target/release/alam}
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() {
    echo "browser: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; then
        fail "install chromium"
        finish
    fi
fi
# The screenshot needs a font with Arabic letters (DejaVu Sans has them).
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=ar family 2>/dev/null)" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null 2>&1 || true
fi

rm -rf "$work"
mkdir -p "$work"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

if [ ! -x "$alam" ]; then
    fail "$alam is missing (run cargo build --release first)"
    finish
fi

echo "== documents"
python3 "$here/gen_docs.py" "$work/docs.jsonl" 400 && pass "generate documents" || fail "generate documents"

echo "== report"
report="$work/out/report.html"
if "$alam" extract --help 2>/dev/null | grep -q -- 'html'; then
    "$alam" extract "$work/docs.jsonl" -o "$work/out" --format csv,json,html -q \
        && [ -s "$report" ] && pass "alam extract --format html" || fail "alam extract --format html"
else
    echo "(alam has no --format html yet: embedding the tables with fallback_report.py)"
    "$alam" extract "$work/docs.jsonl" -o "$work/out" --format csv,json -q \
        && python3 "$here/fallback_report.py" "$work/out" "$work/docs.jsonl" src/output/report.html "$report" \
        && pass "report (fallback)" || fail "report (fallback)"
fi
# The hand-made sample, embedded into the template as the Rust side does.
python3 "$here/inject.py" src/output/report.html "$here/sample_data.json" "$work/sample.html" \
    && pass "embed sample_data.json" || fail "embed sample_data.json"
[ -s "$report" ] || finish

chrome() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --virtual-time-budget=5000 --hide-scrollbars "$@" 2>>"$work/chromium.log"
}
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
url="file://$PWD/$report"

echo "== chromium"
dump() {   # dump FILE URL
    if chrome --dump-dom "$2" >"$1" && [ -s "$1" ]; then pass "dump-dom $2"; else fail "dump-dom $2"; fi
}
dump "$work/plain.html" "$url"
args=("$work/plain.html")
i=0
# English in another case, Arabic, Arabic without hamza (أوكرانيا), an id.
for q in PUTIN "بوتين" "اوكرانيا" "Ukraine" "country:ua"; do
    i=$((i + 1))
    dump "$work/filter$i.html" "$url#filter=$(urlenc "$q")"
    args+=("$q" "$work/filter$i.html")
done

# An entity of the search index that is not drawn (the most mentioned one with a plain name).
undrawn=$(python3 - "$work/plain.html" <<'PY'
import re, sys, json
html = open(sys.argv[1], encoding="utf-8").read()
data = json.loads(re.search(r'<script id="alam-data" type="application/json">(.*?)</script>', html, re.S).group(1))
drawn = {n["id"] for n in data["network"]["nodes"]}
ix = data["index"]
for r in ix["entities"]:
    i = ix["types"][r[3]] + ":~" + r[1].replace(" ", "-") if r[0] == 0 else r[0]
    if i not in drawn and re.fullmatch(r"[A-Za-z][A-Za-z .-]{4,}", r[1]):
        print(r[1])
        break
PY
)
if [ -n "$undrawn" ]; then
    dump "$work/search.html" "$url#filter=$(urlenc "$undrawn")"
    args+=(--search "$undrawn" "$work/search.html")
else
    fail "an entity of the index that is not drawn"
fi

# Laid-out checks: probe.js appended to a copy, run at a wide and a narrow window.
probed() {   # probed REPORT OUT
    python3 - "$1" "$here/probe.js" "$2" <<'PY'
import sys
page, probe = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
at = page.rindex("</body>")
open(sys.argv[3], "w", encoding="utf-8").write(page[:at] + "<script>\n" + probe + "</script>\n" + page[at:])
PY
}
probed "$report" "$work/probed.html"
for w in 1400 320; do
    if chrome --window-size=$((w < 500 ? 500 : w)),1000 --dump-dom "file://$PWD/$work/probed.html#probe-width=$w" >"$work/probe$w.html" \
        && grep -q 'data-probe=' "$work/probe$w.html"; then
        pass "probe at ${w}px"
        args+=(--probe "$work/probe$w.html")
    else
        fail "probe at ${w}px"
    fi
done

dump "$work/hide.html" "$url#hide=discovered"

echo "== discovered names: marked, and hidden by the toggle"
python3 - "$work/plain.html" "$work/hide.html" <<'PY' && pass "discovered names marked and hidden" || fail "discovered names marked and hidden"
import re, sys
plain, hide = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
def nodes(html):
    return re.findall(r'<g class="([^"]*)" data-id="([^"]*)"', html)
def bars(html):
    return re.findall(r'<div class="bar" data-id="([^"]*)"[^>]*?( hidden="")?>', html)
disc = [(c, i) for c, i in nodes(plain) if ":~" in i]
assert disc, "no discovered node in the network"
assert all("discovered" in c.split() and "gone" not in c.split() for c, _ in disc), disc[:3]
assert all("discovered" not in c.split() for c, i in nodes(plain) if ":~" not in i)
assert any(":~" in i for i, _ in bars(plain)) and "disc-tag" in plain
gone = [(c, i) for c, i in nodes(hide) if ":~" in i]
assert gone and all("gone" in c.split() for c, _ in gone), gone[:3]
assert all("gone" not in c.split() for c, i in nodes(hide) if ":~" not in i)
hidden_bars = [(i, h) for i, h in bars(hide) if ":~" in i]
assert hidden_bars and all(h for _, h in hidden_bars), hidden_bars[:3]
assert re.search(r'<input[^>]*id="hide-discovered"[^>]*>', hide)
print(f"{len(disc)} discovered nodes, {len(hidden_bars)} discovered bars hidden")
PY

echo "== checks"
out=$(python3 "$here/check_dom.py" "${args[@]}")
status=$?
echo "$out" | grep -v '^PASS '
p=$(echo "$out" | grep -c '^PASS ')
f=$(echo "$out" | grep -c '^FAIL ')
passed=$((passed + p))
failed=$((failed + f))
[ "$status" -eq 0 ] || [ "$f" -gt 0 ] || fail "check_dom.py exited with $status"
counts=$(echo "$out" | sed -n 's/^counts: //p')
if python3 -c 'import json,sys; c=json.loads(sys.argv[1]); sys.exit(not (c["اوكرانيا"] == c["Ukraine"] == c["country:ua"] and c["PUTIN"] == c["بوتين"]))' "$counts" 2>/dev/null; then
    pass "Arabic and English filters find the same pairs"
else
    fail "Arabic and English filters find the same pairs: $counts"
fi

# The hand-made sample: hostile names and ids, astral characters, an 'other' type.
dump "$work/sample-plain.html" "file://$PWD/$work/sample.html"
dump "$work/sample-filter.html" "file://$PWD/$work/sample.html#filter=$(urlenc 'mira')"
# Searches: an entity only the index has, and the hostile names (inert in the results too).
dump "$work/sample-search1.html" "file://$PWD/$work/sample.html#filter=$(urlenc 'leona')"
dump "$work/sample-search2.html" "file://$PWD/$work/sample.html#filter=$(urlenc 'alert')"
probed "$work/sample.html" "$work/sample-probed.html"
sample_probes=()
for w in 1200 320; do
    if chrome --window-size=$((w < 500 ? 500 : w)),1000 --dump-dom "file://$PWD/$work/sample-probed.html#probe-width=$w" >"$work/sample-probe$w.html" \
        && grep -q 'data-probe=' "$work/sample-probe$w.html"; then
        pass "sample probe at ${w}px"
        sample_probes+=(--probe "$work/sample-probe$w.html")
    else
        fail "sample probe at ${w}px"
    fi
done
out=$(python3 "$here/check_dom.py" "$work/sample-plain.html" mira "$work/sample-filter.html" \
    --search leona "$work/sample-search1.html" --search alert "$work/sample-search2.html" "${sample_probes[@]}")
status=$?
echo "$out" | grep -v '^PASS ' | sed 's/^/sample: /'
p=$(echo "$out" | grep -c '^PASS ')
f=$(echo "$out" | grep -c '^FAIL ')
passed=$((passed + p))
failed=$((failed + f))
[ "$status" -eq 0 ] || [ "$f" -gt 0 ] || fail "check_dom.py (sample) exited with $status"

# The bare template (no data embedded) says so and still finishes.
if chrome --dump-dom "file://$PWD/src/output/report.html" >"$work/empty.html" \
    && grep -q 'data-ready="1"' "$work/empty.html" && grep -q 'No data is embedded' "$work/empty.html"; then
    pass "bare template renders its no-data message"
else
    fail "bare template renders its no-data message"
fi

echo "== over time: a dated run (--date-field, --bucket week)"
# The same documents with dates (9 of 10 dated, 8 a day from Monday
# 2024-03-04 on, the 10th undated): the network gets a time slider, the
# bars a sparkline each. #period=2024-W11 starts at that week: what the page
# dims must be what cooccurrence_by_period.csv and entities_by_period.csv say.
python3 - "$work/docs.jsonl" "$work/dated.jsonl" <<'PY'
import datetime, json, sys
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for k, line in enumerate(open(sys.argv[1], encoding="utf-8")):
        d = json.loads(line)
        if k % 10 != 9:
            d["date"] = (datetime.date(2024, 3, 4) + datetime.timedelta(days=k // 8)).isoformat()
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
PY
if "$alam" extract "$work/dated.jsonl" --date-field date --bucket week -o "$work/dated" --format csv,html -q; then
    pass "alam extract --date-field --format html"
    dump "$work/period.html" "file://$PWD/$work/dated/report.html#period=2024-W11"
    dump "$work/period-all.html" "file://$PWD/$work/dated/report.html"
    out=$(python3 - "$work/dated" "$work/period.html" "$work/period-all.html" <<'PY'
import csv, html, json, re, sys
out, page, page_all = sys.argv[1], open(sys.argv[2], encoding="utf-8").read(), open(sys.argv[3], encoding="utf-8").read()
def check(name, ok):
    print(("PASS " if ok else "FAIL ") + name)
periods = [p for p in csv.DictReader(open(f"{out}/periods.csv", encoding="utf-8")) if p["start"]]
w11 = [p for p in periods if p["period"] == "2024-W11"]
m = re.search(r'<input[^>]*id="period"[^>]*>', page)
check("time slider with a stop per week and one for all", m is not None and f'max="{len(periods)}"' in m.group(0))
label = re.search(r'id="period-label"[^>]*>([^<]*)<', page)
label = html.unescape(label.group(1)) if label else ""
check(f"#period=2024-W11 shows the week and its documents: {label!r}",
      bool(w11) and label.startswith("2024-W11: 2024-03-11 \u2013 2024-03-17 \u00b7 " + w11[0]["documents"] + " documents"))
pairs = {(r["source_id"], r["target_id"]) for r in csv.DictReader(open(f"{out}/cooccurrence_by_period.csv", encoding="utf-8")) if r["period"] == "2024-W11"}
edges = re.findall(r'<line class="edge( off-period)?" data-source="([^"]*)" data-target="([^"]*)"', page)
wrong = [(s, t) for off, s, t in edges if bool(off) == (((html.unescape(s), html.unescape(t)) in pairs) or ((html.unescape(t), html.unescape(s)) in pairs))]
check(f"edges dimmed exactly when not in 2024-W11 ({sum(1 for e in edges if e[0])} of {len(edges)})", edges and not wrong and any(e[0] for e in edges) and not all(e[0] for e in edges))
ents = {r["entity_id"] for r in csv.DictReader(open(f"{out}/entities_by_period.csv", encoding="utf-8")) if r["period"] == "2024-W11"}
nodes = re.findall(r'<g class="node([^"]*)" data-id="([^"]*)"', page)
wrong = [i for cls, i in nodes if ("off-period" in cls) == (html.unescape(i) in ents)]
check(f"nodes dimmed exactly when not mentioned in 2024-W11 ({len(nodes)} nodes)", nodes and not wrong)
check("without #period nothing is dimmed", "off-period" not in re.sub(r"<style.*?</style>|<script.*?</script>", "", page_all, flags=re.S))
bars = len(re.findall(r'<div class="bar timed"', page_all))
sparks = len(re.findall(r'<svg class="spark"', page_all))
check(f"a sparkline on each of the {bars} bars", bars > 0 and sparks == bars)
data = json.loads(html.unescape(re.search(r'<script id="alam-data" type="application/json">(.*?)</script>', page_all, re.S).group(1)))
by = {(r["period"], r["entity_id"]): int(r["mentions"]) for r in csv.DictReader(open(f"{out}/entities_by_period.csv", encoding="utf-8"))}
first = data["top_entities"][0]["entities"][0]
want = [by.get((p["period"], first["id"]), 0) for p in periods]
check(f"the sparkline of {first['id']} is its mentions by week {want}", first.get("series") == want)
PY
)
    echo "$out"
    p=$(echo "$out" | grep -c '^PASS ')
    f=$(echo "$out" | grep -c '^FAIL ')
    passed=$((passed + p))
    failed=$((failed + f))
else
    fail "alam extract --date-field --format html"
fi

echo "== screenshot"
rm -f "$work/report.png"
chrome --screenshot="$work/report.png" --window-size=1400,1800 "$url" >/dev/null
if [ -s "$work/report.png" ] && [ "$(head -c 8 "$work/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    pass "screenshot $work/report.png"
else
    fail "screenshot $work/report.png"
fi

finish

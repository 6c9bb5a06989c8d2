#!/usr/bin/env bash
# Checks that graph.graphml and graph.gexf load in networkx (the library
# users load them with), with the nodes and edges alam wrote. Run by CI
# from the repo root after `cargo build --release`.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=target/graph-check
venv=target/ci-venv
rm -rf "$work"
mkdir -p "$work"
if ! "$venv/bin/python" -c "import networkx" 2>/dev/null; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q "networkx>=3,<4" || {
        echo "graph: 0 passed, 1 failed (cannot install networkx)"
        exit 1
    }
fi
target/release/alam extract samples/ar-news.txt samples/en-news.txt -o "$work/out" --format csv,graph -q || {
    echo "graph: 0 passed, 1 failed (alam extract)"
    exit 1
}
# A dated run (--date-field, --bucket week): graph.gexf is dynamic.
cat >"$work/dated.jsonl" <<'JSONL'
{"id":"t1","date":"2024-03-10T23:30:00-05:00","text":"Putin met Lavrov in Moscow."}
{"id":"t2","date":"Mon, 11 Mar 2024 09:00:00 +0300","text":"Putin met Lavrov. Xi Jinping visited Moscow."}
{"id":"t3","date":"2024-04-02","text":"Xi Jinping met Putin in Beijing."}
{"id":"t4","text":"Putin met Xi Jinping."}
JSONL
target/release/alam extract "$work/dated.jsonl" --date-field date --bucket week -o "$work/dated" --format csv,graph -q || {
    echo "graph: 0 passed, 1 failed (alam extract --date-field)"
    exit 1
}
"$venv/bin/python" - "$work/out" "$work/dated" <<'PY'
import csv, sys
import networkx as nx
out = sys.argv[1]
entities = list(csv.DictReader(open(f"{out}/entities.csv", encoding="utf-8")))
pairs = list(csv.DictReader(open(f"{out}/cooccurrence.csv", encoding="utf-8")))
passed = failed = 0
def check(name, ok):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + name)
    passed += ok
    failed += not ok
for name, reader in [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)]:
    try:
        g = reader(f"{out}/graph.{name}")
    except Exception as e:  # any parse error fails the check
        check(f"{name} loads: {e}", False)
        continue
    check(f"{name} loads", True)
    check(f"{name} has {len(entities)} nodes", g.number_of_nodes() == len(entities))
    check(f"{name} has {len(pairs)} edges", g.number_of_edges() == len(pairs))
    check(f"{name} is undirected", not g.is_directed())
    ids = {e["entity_id"] for e in entities}
    check(f"{name} node ids are entity ids", set(map(str, g.nodes)) == ids)
    # Relation hints: each edge's relation is the dominant kind of the pair's
    # `relations` cell (most windows, then the first by name), its
    # relation_source the side most of that kind's directed windows start
    # from, worked out here from cooccurrence.csv.
    def parse(cell):
        return {k: int(n) for k, n in (item.rsplit(":", 1) for item in cell.split("|") if item)}
    wrong, linked = [], 0
    for p in pairs:
        rel, dirs = parse(p["relations"]), parse(p["directed"])
        data = g.get_edge_data(p["source_id"], p["target_id"]) or {}
        if not rel:
            want = (None, None)
        else:
            linked += 1
            kind = sorted(rel.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            fwd, bwd = dirs.get(kind + ">", 0), dirs.get(kind + "<", 0)
            src = p["source_id"] if fwd > bwd else p["target_id"] if bwd > fwd else None
            want = (kind, src)
        if (data.get("relation"), data.get("relation_source")) != want:
            wrong.append((p["source_id"], p["target_id"], want, data))
    check(f"{name}: relation and relation_source of {linked} linked edges", not wrong and linked > 0)
    if wrong:
        print(wrong[:3])
# The dynamic GEXF of the dated run: each node's and edge's spells are the
# first and last days of the periods entities_by_period.csv and
# cooccurrence_by_period.csv list for it (undated left out), and the
# dynamic counts are those of the tables.
dated = sys.argv[2]
table = lambda name: list(csv.DictReader(open(f"{dated}/{name}.csv", encoding="utf-8")))
days = {p["period"]: (p["start"], p["end"]) for p in table("periods") if p["start"]}
want_nodes, want_edges = {}, {}
for r in table("entities_by_period"):
    if r["period"] in days:
        want_nodes.setdefault(r["entity_id"], []).append((int(r["mentions"]),) + days[r["period"]])
for r in table("cooccurrence_by_period"):
    if r["period"] in days:
        key = frozenset((r["source_id"], r["target_id"]))
        want_edges.setdefault(key, []).append((int(r["windows"]),) + days[r["period"]])
try:
    g = nx.read_gexf(f"{dated}/graph.gexf")
    check("dynamic gexf loads", True)
    check("dynamic gexf mode is dynamic", g.graph.get("mode") == "dynamic")
    got_nodes = {n: d.get("mentions_by_period", []) for n, d in g.nodes(data=True) if "spells" in d}
    spells_ok = all(d.get("spells", []) == [(s, e) for _, s, e in d.get("mentions_by_period", [])] for _, d in g.nodes(data=True))
    check(f"dynamic gexf: node spells of {len(want_nodes)} dated entities", got_nodes == want_nodes and spells_ok and len(want_nodes) >= 4)
    got_edges = {frozenset((a, b)): d.get("windows_by_period", []) for a, b, d in g.edges(data=True) if "spells" in d}
    check(f"dynamic gexf: edge spells of {len(want_edges)} dated pairs", got_edges == want_edges and len(want_edges) >= 3)
    check("dynamic gexf: a week is Monday to Sunday", days.get("2024-W10") == ("2024-03-04", "2024-03-10") and "2024-W11" in days)
except Exception as e:
    check(f"dynamic gexf loads: {e}", False)
print(f"graph: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY

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
"$venv/bin/python" - "$work/out" <<'PY'
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
print(f"graph: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY

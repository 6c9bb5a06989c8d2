#!/usr/bin/env python3
"""Stand-in for `alam extract --format html` while the binary lacks it.

usage: fallback_report.py OUT_DIR DOCS.jsonl TEMPLATE REPORT.html

Builds the report data object from the tables `alam extract --format csv,json`
wrote into OUT_DIR (summary.json, entities.json, cooccurrence.json,
mentions.jsonl) and the input documents, places the nodes on a plain
deterministic circle (the real layout is computed in Rust), and embeds it in
the template with inject.py's escaping. Only the browser test uses it.
"""
import json
import math
import os
import sys
from collections import defaultdict

from inject import embed


def main():
    out, docs_path, template_path, report_path = sys.argv[1:5]
    load = lambda name: json.load(open(os.path.join(out, name), encoding="utf-8"))
    summary, ents, pairs = load("summary.json"), load("entities.json"), load("cooccurrence.json")
    info = {e["entity_id"]: e for e in ents}
    types = defaultdict(lambda: [0, 0])
    for e in ents:
        types[e["type"]][0] += 1
        types[e["type"]][1] += e["mentions"]
    order = sorted(types, key=lambda t: (-types[t][1], t))
    top = [{"type": t, "entities": [
        {"id": e["entity_id"], "name": e["name"], "name_ar": e.get("name_ar", ""),
         "mentions": e["mentions"], "documents": e["documents"]}
        for e in ents if e["type"] == t][:15]} for t in order]
    pairs.sort(key=lambda p: (-p["windows"] * (1 + p["npmi"]), p["source_id"], p["target_id"]))
    shown, edges = [], []
    for p in pairs:
        new = [i for i in (p["source_id"], p["target_id"]) if i not in shown]
        if len(shown) + len(new) > 150:
            continue
        shown += new
        if len(edges) < 400:
            edges.append({"source": p["source_id"], "target": p["target_id"], "windows": p["windows"],
                          "npmi": p["npmi"], "w": round(0.6 + 0.5 * math.sqrt(p["windows"]), 2)})
    nodes = []
    for k, i in enumerate(shown):
        a = 2 * math.pi * k / max(1, len(shown))
        e = info[i]
        nodes.append({"id": i, "name": e["name"], "name_ar": e.get("name_ar", ""), "type": e["type"],
                      "mentions": e["mentions"], "x": round(500 + 460 * math.cos(a), 1),
                      "y": round(350 + 320 * math.sin(a), 1), "r": round(3 + 1.2 * math.sqrt(e["mentions"]), 1)})
    # Examples: first documents (input order) where both names share a sentence.
    texts = [json.loads(line) for line in open(docs_path, encoding="utf-8")]
    mentions = [json.loads(line) for line in open(os.path.join(out, "mentions.jsonl"), encoding="utf-8")]
    top_pairs = pairs[:50]
    wanted = {(p["source_id"], p["target_id"]): [] for p in top_pairs}
    for doc, m in zip(texts, mentions):
        by_sentence = defaultdict(list)
        for x in m["mentions"]:
            by_sentence[x["sentence"]].append(x)
        for ms in by_sentence.values():
            ids = {x["entity_id"] for x in ms}
            for (s, t), ex in wanted.items():
                if s in ids and t in ids and len(ex) < 3 and not (ex and ex[-1]["doc_id"] == doc["id"]):
                    ex.append({"doc_id": doc["id"], "text": doc["text"],
                               "marks": [[x["start"], x["end"]] for x in ms if x["entity_id"] in (s, t)]})
    data = {
        "title": "alam report",
        "summary": {"documents": summary["documents"], "errors": summary["errors"],
                    "warnings": summary["warnings"], "mentions": summary["mentions"], "entities": len(ents),
                    "pairs": len(pairs), "window": summary["window"], "gazetteer": "builtin",
                    "chars": summary.get("chars", 0)},
        "entity_types": [{"type": t, "entities": types[t][0], "mentions": types[t][1]} for t in order],
        "top_entities": top,
        "network": {"width": 1000, "height": 700, "nodes": nodes, "edges": edges},
        "pairs": [dict(p, source_name_ar=info[p["source_id"]].get("name_ar", ""),
                       target_name_ar=info[p["target_id"]].get("name_ar", ""),
                       examples=wanted[(p["source_id"], p["target_id"])]) for p in top_pairs],
    }
    template = open(template_path, encoding="utf-8").read()
    with open(report_path, "w", encoding="utf-8") as f:
        f.write(embed(template, data))


if __name__ == "__main__":
    main()

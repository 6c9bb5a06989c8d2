"""A notebook-style walk through alam from Python: articles in a pandas
DataFrame, their mentions, the top people, the strongest pairs, and the
network drawn with networkx.

    pip install ./python pandas networkx matplotlib
    python examples/pandas_notebook.py [articles.csv]

The CSV needs a `text` column (and an `id` column, if it has one). Without
an argument, a few invented articles are used.
"""

import sys

import pandas as pd

import alam

# 1. Articles: a CSV read with pandas, or invented ones.
if len(sys.argv) > 1:
    articles = pd.read_csv(sys.argv[1], dtype=str).fillna("")
else:
    articles = pd.DataFrame(
        {
            "id": ["a1", "a2", "a3", "a4"],
            "text": [
                "استقبل الرئيس الروسي فلاديمير بوتين في موسكو وزير الخارجية الصيني وانغ يي.",
                "وقال لافروف إن روسيا والصين تعملان معا، وزار بعد ذلك بكين.",
                "Putin met Xi Jinping in Beijing; China and Russia signed a deal.",
                "قال السيد غيث الحسيني، مدير شركة أكمي، إن الكويت ستستضيف القمة.",
            ],
        }
    )
ids = articles["id"] if "id" in articles else articles.index.astype(str)

# 2. The pipeline: built-in gazetteers, discovery of unlisted names on.
pipeline = alam.Pipeline(discover="on")

# 3. Mentions of every article (Rust threads, the GIL released), as a frame.
results = pipeline.extract_many(articles["text"], progress=len(articles) > 10_000)
mentions = alam.mentions_frame(results, ids=ids)
print(mentions[["doc_id", "entity_id", "surface", "start", "end", "source"]].head(12))

# 4. The entity and pair tables of the collection, with NPMI.
tables = pipeline.cooccurrence(articles["text"], window="sentence")
entities = alam.entities_frame(tables)
pairs = alam.pairs_frame(tables)
print("\nTop people:")
print(entities[entities["type"] == "person"].head(10)[["name", "name_ar", "mentions", "source"]])
print("\nStrongest pairs (most shared sentences, then NPMI):")
print(pairs.sort_values(["windows", "npmi"], ascending=False).head(10)[
    ["source_name", "target_name", "windows", "npmi"]
])

# 5. The network, drawn with networkx (if it and matplotlib are installed).
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx
except ImportError:
    print("\n(pip install networkx matplotlib to draw the network)")
else:
    g = nx.Graph()
    for e in entities.itertuples():
        g.add_node(e.entity_id, label=e.name_ar or e.name, type=e.type, mentions=e.mentions)
    for p in pairs.itertuples():
        g.add_edge(p.source_id, p.target_id, weight=p.windows, npmi=p.npmi)
    pos = nx.spring_layout(g, seed=1, weight="weight")
    sizes = [100 + 80 * g.nodes[n]["mentions"] for n in g]
    nx.draw_networkx(g, pos, node_size=sizes, labels={n: g.nodes[n]["label"] for n in g}, font_size=7)
    plt.axis("off")
    plt.savefig("network.png", dpi=150, bbox_inches="tight")
    print("\nnetwork.png written:", g.number_of_nodes(), "nodes,", g.number_of_edges(), "edges")

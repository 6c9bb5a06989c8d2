#!/usr/bin/env python3
"""Write a few hundred invented news documents as JSONL for the browser test.

usage: gen_docs.py OUT.jsonl [N]

Deterministic (fixed seed, standard library only). Sentences are templates in
English and Arabic that name entities of the default gazetteer (names read from
gazetteers/*.csv), grouped in "stories" so the co-occurrence network has
structure, plus background entities so the network is larger than the report's
node cap. The first documents carry hostile strings in their ids and texts
(`<script>alert(1)</script>`, `"onmouseover="alert(1)`, `</svg>`) and name the
strongest pair, so they become the pair's first examples in the report; one
has astral-plane characters before the names to test code-point offsets.
"""
import csv
import glob
import json
import os
import random
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

STORIES = [
    ["person:vladimir-putin", "person:xi-jinping", "country:RU", "country:CN", "city:moscow",
     "city:beijing", "person:sergey-lavrov", "person:wang-yi"],
    ["person:volodymyr-zelensky", "country:UA", "city:kyiv", "org:nato", "org:eu",
     "person:olaf-scholz", "country:DE", "person:emmanuel-macron", "country:FR", "city:paris"],
    ["person:benjamin-netanyahu", "country:IL", "city:gaza", "country:EG", "city:cairo",
     "person:abdel-fattah-el-sisi", "country:QA", "city:doha", "org:un", "person:antonio-guterres"],
    ["person:mohammed-bin-salman", "country:SA", "city:riyadh", "org:opec", "region:gulf",
     "country:IR", "region:middle-east"],
    ["person:joe-biden", "person:donald-trump", "country:US", "city:washington", "country:IN",
     "person:narendra-modi"],
    ["person:recep-tayyip-erdogan", "country:TR", "city:ankara", "org:arab-league",
     "region:arab-world", "country:JO", "country:LB", "city:beirut"],
    ["org:who", "city:geneva", "region:africa", "region:europe", "org:reuters"],
]

EN = [
    "{a} and {b} were at the centre of talks in {c} on Tuesday.",
    "Officials said {a} and {b} agreed to keep talking after the meeting in {c}.",
    "A statement issued on Monday linked {a} with {b}.",
    "In {c}, reporters asked about {a} and {b}.",
    "Sources close to {a} said {b} would be discussed at the summit.",
    "{a} and {b} signed a memorandum on energy and ports in {c}.",
    # Invented people no gazetteer lists: found by discovery (the report marks them).
    "Dr. Elena Varga met {a} and {b} in {c}.",
]
AR = [
    "كان {a} و {b} محور المحادثات في {c} يوم الثلاثاء.",
    "قال مسؤولون إن {a} و {b} اتفقا على مواصلة الحوار بعد اللقاء في {c}.",
    "ربط بيان صدر يوم الاثنين بين {a} و {b}.",
    "في {c}، سأل الصحفيون عن {a} و {b}.",
    "قالت مصادر مقربة من {a} إن {b} سيُطرح في القمة.",
    "وقّع {a} و {b} مذكرة تفاهم حول الطاقة والموانئ في {c}.",
    "واستقبل السيد غيث الحسيني {a} و {b} في {c}.",
]
FILLER_EN = ["Markets were calm.", "No further details were given.", "The talks will resume next week."]
FILLER_AR = ["وكانت الأسواق هادئة.", "ولم تُعط تفاصيل إضافية.", "وتُستأنف المحادثات الأسبوع المقبل."]

HOSTILE = [
    ("<script>alert(1)</script>",
     "Vladimir Putin met Xi Jinping in Beijing. <script>alert(1)</script> was printed on a banner.",
     "التقى فلاديمير بوتين مع شي جين بينغ في بكين وكُتب على اللافتة <script>alert(1)</script>."),
    ('"onmouseover="alert(1)',
     'Xi Jinping told Vladimir Putin "onmouseover="alert(1) is not a plan. Moscow agreed.',
     'قال شي جين بينغ إن فلاديمير بوتين "onmouseover="alert(1) وافق على الخطة.'),
    ("</svg><img src=x onerror=alert(1)>",
     "📰 𝐁𝐫𝐞𝐚𝐤𝐢𝐧𝐠: Vladimir Putin and Xi Jinping </svg><img src=x onerror=alert(1)> signed a deal.",
     "📰 عاجل 𝕏: فلاديمير بوتين و شي جين بينغ </svg> وقعا اتفاقا."),
]


def load_gazetteer():
    names = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "gazetteers", "*.csv"))):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row.get("id") and row.get("name") and row.get("name_ar"):
                    names[row["id"]] = (row["type"], row["name"], row["name_ar"])
    return names


def main():
    out = sys.argv[1]
    n_docs = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    rng = random.Random(20240707)
    gaz = load_gazetteer()
    stories = [[i for i in s if i in gaz] for s in STORIES]
    core = {i for s in stories for i in s}
    # Background entities: people and cities with plain multi-word or long names,
    # picked deterministically, each tied to one story.
    pool = sorted(i for i, (t, n, a) in gaz.items()
                  if i not in core and t in ("person", "city", "organization")
                  and len(n) >= 6 and len(a) >= 5 and " " in n)
    background = rng.sample(pool, 180)
    attach = {b: rng.randrange(len(stories)) for b in background}

    def name(i, lang):
        return gaz[i][1] if lang == "en" else gaz[i][2]

    docs = []
    docs += [{"id": doc_id, "text": en} for doc_id, en, _ in HOSTILE]
    docs += [{"id": doc_id + "-ar", "text": ar} for doc_id, _, ar in HOSTILE]
    while len(docs) < n_docs:
        k = len(docs)
        lang = "ar" if rng.random() < 0.5 else "en"
        templates, filler = (EN, FILLER_EN) if lang == "en" else (AR, FILLER_AR)
        story = stories[min(int(rng.expovariate(0.45)), len(stories) - 1)]
        sentences = []
        for _ in range(rng.randint(2, 4)):
            r = rng.random()
            if r < 0.2:
                sentences.append(rng.choice(filler))
                continue
            # Zipf-like choice inside a story: its first entities are the protagonists.
            weights = [1.0 / (j + 1) for j in range(len(story))]
            a, b = rng.choices(story, weights, k=2)
            places = [x for x in story if gaz[x][0] in ("city", "country", "region") and x not in (a, b)]
            c = rng.choice(places)
            if r > 0.75:
                bs = [x for x in background if stories[attach[x]] is story]
                if bs:
                    b = rng.choice(bs[: 12 + k // 20])
            if a == b:
                continue
            sentences.append(rng.choice(templates).format(a=name(a, lang), b=name(b, lang), c=name(c, lang)))
        if sentences:
            docs.append({"id": f"{lang}-{k:04d}", "text": " ".join(sentences)})
    with open(out, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

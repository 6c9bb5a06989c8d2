"""A synthetic gazetteer of random Arabic and Latin person names, deterministic with a seed.

  gen_aliases.py OUT_DIR [--aliases 1000000] [--seed 5]

Each entity has four forms, all distinct: a Latin name, an Arabic name (name_ar), and one more
Latin and one more Arabic alias; they are written as 4 CSV files in OUT_DIR with the gazetteer
header, so `alam -g OUT_DIR` loads them and `alam gazetteer export -g OUT_DIR` lists them.
"""

import argparse
import csv
import os
import random
import shutil

LATIN_ON = "b c d f g h j k l m n p r s t v z ch sh th kh".split()
LATIN_NUC = "a e i o u a e i o u ai ou".split()
# Letters that normalization leaves unchanged, so every form stays distinct after it.
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
HEADER = ["id", "type", "name", "name_ar", "aliases", "weak_aliases", "demonyms", "country"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--aliases", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    seen = set()

    def unique(make):
        while True:
            s = make()
            if s.lower() not in seen:
                seen.add(s.lower())
                return s

    def latin_word():
        return "".join(
            rng.choice(LATIN_ON) + rng.choice(LATIN_NUC) for _ in range(rng.randint(2, 4))
        ).capitalize()

    def arabic_word():
        return "".join(rng.choice(ARABIC) for _ in range(rng.randint(3, 7)))

    def name(word):
        return lambda: " ".join(word() for _ in range(rng.randint(2, 3)))

    entities = a.aliases // 4
    tmp = a.out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    files = [open(os.path.join(tmp, f"synth-{k}.csv"), "w", encoding="utf-8", newline="") for k in range(4)]
    writers = [csv.writer(f, lineterminator="\n") for f in files]
    for w in writers:
        w.writerow(HEADER)
    for i in range(entities):
        row = [
            f"person:synth-{i:07d}",
            "person",
            unique(name(latin_word)),
            unique(name(arabic_word)),
            unique(name(latin_word)) + "|" + unique(name(arabic_word)),
            "",
            "",
            "",
        ]
        writers[i * 4 // entities].writerow(row)
    for f in files:
        f.close()
    shutil.rmtree(a.out, ignore_errors=True)
    os.replace(tmp, a.out)
    print(f"{a.out}: {entities} entities, {entities * 4} aliases")


if __name__ == "__main__":
    main()

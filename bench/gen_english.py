"""Synthetic English news (no English news ships with the project), deterministic with a seed.

  gen_english.py ALIASES.tsv OUT.jsonl [--mb 20] [--seed 5]

ALIASES.tsv is the output of `alam gazetteer export`; its Latin-script forms are sprinkled
(about one token in twelve) into sentences of filler news vocabulary. Output is JSONL
{"id", "title", "text"}, paragraphs separated by a blank line.
"""

import argparse
import csv
import json
import os
import random

FILLER = """the a an of in on at to for with from by about after before over under between against
during without within into across said says told reported announced added according officials
government minister president leader spokesman talks meeting summit agreement deal plan policy
security forces army police troops attack strike border region city capital country province
economy market markets oil gas prices trade exports imports growth inflation bank banks budget
deficit investment investors shares stocks company companies firm workers jobs election elections
vote voters parliament party parties opposition coalition court judge law ruling case trial
protest protesters crisis war peace ceasefire conflict refugees aid humanitarian health hospital
officials sources statement week month year Monday Tuesday Wednesday Thursday Friday Saturday
Sunday morning evening night new old first last next major local national international foreign
public private military political economic senior former current early late more less than as
and or but while also still however because since despite would could will may might should must
has have had was were is are be been being not no all some many several few two three four five
hundred thousand million billion percent per cent up down out back again further then there here
this that these those which who whom whose what when where why how its their his her our
visit visited talks discussed called urged warned rejected accepted signed launched opened closed
increase decrease rise fall rose fell high low record data report reports survey analysts experts
tensions sanctions nuclear energy climate water food prices team match season club coach players
cup league final win won lost draw goal goals film festival music art culture technology internet
phone phones users data network networks online digital software service services""".split()


def latin(s):
    return any(c.isalpha() for c in s) and all(ord(c) < 0x250 for c in s)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("aliases")
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, default=20)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    with open(a.aliases, encoding="utf-8", newline="") as f:
        names = sorted(
            {
                r["alias"]
                for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                if latin(r["alias"])
            }
        )
    if not names:
        raise SystemExit(f"{a.aliases}: no Latin-script alias found")
    rng = random.Random(a.seed)

    def sentence(lo, hi, stop="."):
        words = [
            rng.choice(names) if rng.random() < 0.08 else rng.choice(FILLER)
            for _ in range(rng.randint(lo, hi))
        ]
        if rng.random() < 0.3:
            words[rng.randrange(1, len(words))] += ","
        s = " ".join(words)
        return s[0].upper() + s[1:] + stop

    limit, total, n = a.mb * 1e6, 0, 0
    with open(a.out + ".tmp", "w", encoding="utf-8") as w:
        while total < limit:
            n += 1
            title = sentence(5, 10, stop="")
            paras = [
                " ".join(sentence(8, 25) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(3, 8))
            ]
            doc = {"id": f"en-{n:06d}", "title": title, "text": "\n\n".join(paras)}
            w.write(json.dumps(doc, ensure_ascii=False) + "\n")
            total += len(title.encode()) + 2 + len(doc["text"].encode())
    os.replace(a.out + ".tmp", a.out)
    print(f"{a.out}: {n} documents, {total / 1e6:.1f} MB of text, {len(names)} Latin aliases used")


if __name__ == "__main__":
    main()

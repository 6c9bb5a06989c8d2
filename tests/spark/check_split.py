#!/usr/bin/env python3
"""Checks spark/alam_job.py's parsing of `alam stream` lines without Spark.

Usage: check_split.py ALAM DOCS.jsonl [N]

For the first N documents: the mentions.jsonl line the job builds from the
raw stream line (split_stream_line + mentions_line), the one built by a full
json.loads/json.dumps (the fallback), and the line alam extract writes must
be the same bytes, and the mention counts must agree.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "spark"))
import alam_job  # noqa: E402

alam, docs = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
with open(docs, "rb") as f:
    head = b"".join(line for _, line in zip(range(n), f))
with tempfile.TemporaryDirectory() as tmp:
    part = os.path.join(tmp, "part.jsonl")
    with open(part, "wb") as f:
        f.write(head)
    stream = subprocess.run(
        [alam, "stream", "--text-field", "title,text"],
        input=head, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True,
    ).stdout.splitlines()
    subprocess.run(
        [alam, "extract", part, "--text-field", "title,text", "-o", tmp + "/out",
         "--format", "json", "-q"], stderr=subprocess.DEVNULL, check=True,
    )
    with open(tmp + "/out/mentions.jsonl", encoding="utf-8") as f:
        extract = [line.rstrip("\n") for line in f]
bad = 0
ok_lines = []
for raw in stream:
    d, mraw, count = alam_job.split_stream_line(raw)
    full = json.loads(raw)
    if count != len(full["mentions"]) or d["doc_id"] != full["doc_id"]:
        bad += 1
    if full["status"] == "error":
        continue
    doc_id = d["doc_id"] if d["doc_id"] != d["source"] else f"{part}:{d['source'][2:]}"
    fast = alam_job.mentions_line(doc_id, mraw)
    # The fallback: a line without the expected layout is parsed in full.
    _, mraw2, count2 = alam_job.split_stream_line(raw.replace(b',"entities":[', b',"entities" :[', 1))
    slow = alam_job.mentions_line(doc_id, mraw2)
    if fast != slow or count2 != count:
        bad += 1
    ok_lines.append(fast)
if ok_lines != extract:
    bad += 1
    print("check_split: mentions lines differ from alam extract's")
print(f"check_split: {len(stream)} stream lines, {len(ok_lines)} mentions lines, {bad} problems")
sys.exit(1 if bad else 0)

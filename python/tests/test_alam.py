"""Tests of the installed alam package (run by tests/python/run.sh in CI).

Texts are invented sentences; expected values were worked out by hand from
the built-in gazetteer (Beijing, Putin, Lavrov are listed there)."""

import json
import os
import subprocess
import sys

import pytest

import alam

AR = "وصل لافروف إلى بكين، والتقى وانغ يي."
EN = "Putin met Xi in Beijing. Russia and China signed a deal."
# Characters outside the BMP (one Python index each, two UTF-16 units, four
# UTF-8 bytes) before the names: the offsets must stay Python indexes.
ASTRAL = "😀𝒳 " + AR + " 🇪🇬 " + EN

MENTION_FIELDS = {
    "entity_id", "type", "name", "surface", "start", "end", "byte_start", "byte_end",
    "sentence", "paragraph", "form", "ambiguous", "prefix", "alternatives", "rule", "source",
}


@pytest.fixture(scope="module")
def pipeline():
    return alam.Pipeline()


def test_offsets_are_python_string_indexes(pipeline):
    for text in [AR, EN, ASTRAL]:
        mentions = pipeline.extract(text)
        assert mentions, text
        for m in mentions:
            assert text[m["start"]:m["end"]] == m["surface"], m
            assert text.encode()[m["byte_start"]:m["byte_end"]].decode() == m["surface"]
    ids = [m["entity_id"] for m in pipeline.extract(ASTRAL)]
    assert "city:beijing" in ids and "person:vladimir-putin" in ids


def test_mentions_have_every_field_of_mentions_jsonl(pipeline, tmp_path):
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "d", "text": AR}, ensure_ascii=False) + "\n")
    alam.run([str(tmp_path / "in.jsonl")], str(tmp_path / "out"))
    line = json.loads((tmp_path / "out" / "mentions.jsonl").read_text().splitlines()[0])
    from_file = line["mentions"]
    from_python = pipeline.extract(AR, id="d")
    assert len(from_file) == len(from_python) > 0
    for f, p in zip(from_file, from_python):
        assert set(p) == MENTION_FIELDS
        # Every field the file has, with the same value (rule only on discovered mentions).
        for key, value in f.items():
            assert p[key] == value, key


def test_prefix_is_outside_the_surface(pipeline):
    text = "زار الوزير وروسيا"
    (m,) = [m for m in pipeline.extract(text) if m["entity_id"] == "country:RU"]
    assert (m["surface"], m["prefix"]) == ("روسيا", "و")
    assert text[m["start"] - 1] == "و"


def test_parallel_equals_sequential_and_keeps_order(pipeline):
    texts = [AR, EN, "", "لا أسماء هنا", ASTRAL] * 400
    one = pipeline.extract_many(texts, threads=1)
    two = pipeline.extract_many(texts, threads=2)
    assert one == two
    assert one == [pipeline.extract(t) for t in texts]
    assert len(one) == len(texts) and one[2] == []


def test_extract_many_takes_any_iterable(pipeline):
    gen = (t for t in [AR, EN])
    assert pipeline.extract_many(gen) == [pipeline.extract(AR), pipeline.extract(EN)]


def test_progress_gives_the_same_results(pipeline):
    class Bar:
        n = 0

        def update(self, k):
            Bar.n += k

    texts = [AR, EN] * 2500
    assert pipeline.extract_many(texts, progress=Bar()) == pipeline.extract_many(texts)
    assert Bar.n == len(texts)


def test_bad_input_raises_with_the_position(pipeline):
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str, got int"):
        pipeline.extract_many(["a", 3])
    with pytest.raises(TypeError, match=r"texts\[4001\]: expected str, got NoneType"):
        pipeline.extract_many(["a"] * 4001 + [None], progress=type("B", (), {"update": lambda s, n: None})())
    with pytest.raises(TypeError):
        pipeline.extract(b"bytes")
    with pytest.raises(ValueError, match="unknown discovery mode"):
        alam.Pipeline(discover="maybe")
    with pytest.raises(ValueError, match="2 ids for 1 texts"):
        pipeline.cooccurrence(["a"], ids=["x", "y"])


def test_a_broken_gazetteer_raises_alam_error_with_file_and_line(tmp_path):
    (tmp_path / "g.csv").write_text("id,type,name\nx:1,city,A\nx:1,city,B\n")
    with pytest.raises(alam.AlamError, match=r"g\.csv:3"):
        alam.Pipeline(gazetteer=str(tmp_path))


def test_cooccurrence_tables_with_npmi(pipeline):
    # Four sentences: Beijing and Putin together in one, Beijing alone in
    # one, Moscow alone in two. N = 4, p(Beijing) = 2/4, p(Putin) = 1/4,
    # p(both) = 1/4: pmi = ln((1/4) / (2/4 * 1/4)) = ln 2, npmi = ln 2 / ln 4 = 0.5.
    texts = ["Putin flew to Beijing. Moscow waited.", "Beijing slept. Moscow too."]
    t = pipeline.cooccurrence(texts, window="sentence")
    assert (t["documents"], t["windows"]) == (2, 4)
    ents = {e["entity_id"]: e for e in t["entities"]}
    assert ents["city:beijing"]["mentions"] == 2 and ents["city:beijing"]["documents"] == 2
    (pair,) = t["pairs"]
    assert {pair["source_id"], pair["target_id"]} == {"city:beijing", "person:vladimir-putin"}
    assert pair["windows"] == 1 and pair["npmi"] == pytest.approx(0.5)
    assert pipeline.cooccurrence(texts, min_count=2)["pairs"] == []


def test_pandas_frames_columns_and_dtypes(pipeline):
    pd = pytest.importorskip("pandas")
    series = pd.Series([AR, EN], index=["a", "b"])
    results = pipeline.extract_many(series)
    frame = alam.mentions_frame(results, ids=series.index)
    assert list(frame.columns) == alam.MENTION_COLUMNS
    assert set(frame["doc_id"]) == {"a", "b"}
    assert str(frame["start"].dtype) == "int64" and str(frame["ambiguous"].dtype) == "bool"
    t = pipeline.cooccurrence(series)
    ents = alam.entities_frame(t)
    pairs = alam.pairs_frame(t)
    assert list(ents.columns)[:3] == ["entity_id", "type", "name"]
    assert str(ents["mentions"].dtype) == "int64"
    assert str(pairs["npmi"].dtype) == "float64" and len(pairs) == len(t["pairs"]) > 0


def test_run_writes_what_alam_extract_writes(tmp_path):
    binary = os.environ.get("ALAM_BIN")
    if not binary:
        pytest.skip("ALAM_BIN (the alam binary) not set")
    src = tmp_path / "in.jsonl"
    rows = [{"id": f"d{i}", "title": "Putin", "text": [AR, EN, "لا شيء"][i % 3]} for i in range(300)]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + "{broken\n")
    summary = alam.run([str(src)], str(tmp_path / "py"), formats="csv,json,graph", text_field="title,text", threads=2)
    assert summary["documents"] == 301 and summary["errors"] == 1
    assert any(m.startswith(f"{src}:301:") for m in summary["messages"]), summary["messages"]
    subprocess.run(
        [binary, "extract", str(src), "-o", str(tmp_path / "cli"), "--format", "csv,json,graph",
         "--text-field", "title,text", "-q"],
        check=True,
    )
    for name in sorted(os.listdir(tmp_path / "cli")):
        if name.startswith("."):
            continue
        a = (tmp_path / "cli" / name).read_bytes()
        b = (tmp_path / "py" / name).read_bytes()
        assert a == b, name


def test_run_by_period_writes_what_alam_extract_writes(tmp_path):
    binary = os.environ.get("ALAM_BIN")
    if not binary:
        pytest.skip("ALAM_BIN (the alam binary) not set")
    src = tmp_path / "in.jsonl"
    # Sunday 10 March and Monday 11 March 2024 (weeks 10 and 11), a date
    # that does not parse, none.
    dates = ["2024-03-10T23:30:00-05:00", "Mon, 11 Mar 2024 00:10:00 +0300", "soon", None]
    rows = [{"id": f"d{i}", "date": dates[i % 4], "text": [AR, EN][i % 2]} for i in range(40)]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    summary = alam.run([str(src)], str(tmp_path / "py"), date_field="date", bucket="week")
    assert summary["warnings"] == 10
    periods = (tmp_path / "py" / "periods.csv").read_text(encoding="utf-8").splitlines()
    assert [p.split(",")[0] for p in periods] == ["period", "2024-W10", "2024-W11", "undated"]
    subprocess.run(
        [binary, "extract", str(src), "-o", str(tmp_path / "cli"), "--date-field", "date",
         "--bucket", "week", "-q"],
        check=True,
    )
    for name in sorted(os.listdir(tmp_path / "cli")):
        if not name.startswith("."):
            assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "py" / name).read_bytes(), name
    with pytest.raises(ValueError, match="bucket"):
        alam.run([str(src)], str(tmp_path / "o"), bucket="week")


# The README's worked example of --fuzzy: وبالحويت is الكويت with ك typed
# ح, read after the prefix وب, and Kuwait is named exactly in the document.
FUZZY = "زار الوفد الكويت. ثم عاد وبالحويت."


def test_fuzzy_is_passed_on_by_pipeline_and_run(tmp_path):
    plain = alam.Pipeline()
    fuzzy = alam.Pipeline(fuzzy=True)
    assert (plain.fuzzy, fuzzy.fuzzy) == (False, True)
    assert [m["surface"] for m in plain.extract(FUZZY)] == ["الكويت"]
    found = [(m["surface"], m["prefix"], m["form"], m["entity_id"]) for m in fuzzy.extract(FUZZY)]
    assert found == [("الكويت", "", "name", "country:KW"), ("الحويت", "وب", "fuzzy", "country:KW")]
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": FUZZY}, ensure_ascii=False) + "\n")
    assert alam.run([str(src)], str(tmp_path / "off"))["mentions"] == 1
    assert alam.run([str(src)], str(tmp_path / "on"), fuzzy=True)["mentions"] == 2


def test_run_errors_raise(tmp_path):
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "x"}\n{bad\n')
    with pytest.raises(alam.AlamError, match="strict"):
        alam.run([str(tmp_path / "in.jsonl")], str(tmp_path / "o"), strict=True)
    assert not (tmp_path / "o" / "summary.json").exists()
    (tmp_path / "bad.jsonl").write_text("{bad\n")
    with pytest.raises(alam.AlamError, match="no input could be read"):
        alam.run([str(tmp_path / "bad.jsonl")], str(tmp_path / "o2"))
    with pytest.raises(ValueError, match="unknown"):
        alam.run([str(tmp_path / "in.jsonl")], str(tmp_path / "o3"), formats="pdf")


def test_the_gil_is_released(pipeline):
    # A Python thread runs while Rust works on a long text without names
    # (so that nearly all the call's time is in Rust): some of its ticks
    # fall in the middle of the call, which cannot happen if the GIL is held.
    import threading
    import time

    text = "لا شيء هنا اليوم. " * 1_000_000
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    th = threading.Thread(target=tick)
    th.start()
    time.sleep(0.01)
    start = time.perf_counter()
    assert pipeline.extract(text) == []
    end = time.perf_counter()
    stop.set()
    th.join()
    assert end - start > 0.1, "the text was too short to tell"
    middle = [t for t in ticks if start + 0.25 * (end - start) < t < end - 0.25 * (end - start)]
    assert len(middle) >= 5, (end - start, len(ticks))

#!/usr/bin/env bash
# Checks tables.xlsx in openpyxl (the library pandas reads xlsx with), on
# invented articles whose ids look like numbers or formulas: every sheet
# holds the rows of its CSV file, text as strings (no leading ', no
# formula), counts as numbers, npmi as a float, ambiguous as a boolean;
# name_ar right-to-left; and `alam merge` of two halves (folders, and
# stream files) writes the workbook of one run. Run by CI from the repo
# root after `cargo build --release`.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=target/xlsx-check
venv=target/ci-venv
rm -rf "$work"
mkdir -p "$work"
if ! "$venv/bin/python" -c "import openpyxl" 2>/dev/null; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q "openpyxl>=3.1,<4" || {
        echo "xlsx: 0 passed, 1 failed (cannot install openpyxl)"
        exit 1
    }
fi
# Invented sentences; ids a spreadsheet would turn into numbers, dates or
# formulas; a malformed line (an error row with a message).
cat >"$work/a.jsonl" <<'EOF'
{"id":"0012345","text":"Putin met Xi Jinping in Beijing. Russia and China signed a deal."}
{"id":"1.5e3","text":"قال بوتين في موسكو إن روسيا والصين شريكان."}
{"id":"=1+1","text":"Xi Jinping visited Moscow with Putin."}
{"id":"+cmd","text":"=HYPERLINK(\"http://example.invalid\",\"x\") Putin spoke in Moscow."}
EOF
cat >"$work/b.jsonl" <<'EOF'
{"id":"-2","text":"التقى شي جين بينغ ببوتين في بكين."}
{"id":"@SUM(A1)","text":"No names here at all."}
{"id":"_x0041_","text":"Beijing and Moscow agreed. Putin and Xi Jinping spoke."}
not json
EOF
alam=target/release/alam
run() {
    "$alam" "$@" -q 2>>"$work/stderr.txt" || {
        echo "alam $*: failed"
        cat "$work/stderr.txt"
        echo "xlsx: 0 passed, 1 failed (alam $1)"
        exit 1
    }
}
run extract "$work/a.jsonl" "$work/b.jsonl" -o "$work/whole" --format csv,xlsx
run extract "$work/a.jsonl" -o "$work/p1" --format csv,xlsx
run extract "$work/b.jsonl" -o "$work/p2" --format csv,xlsx
run merge "$work/p1" "$work/p2" -o "$work/merged" --format xlsx
head -n 4 "$work/a.jsonl" | "$alam" stream >"$work/s1.jsonl" 2>>"$work/stderr.txt"
head -n 3 "$work/b.jsonl" | "$alam" stream >"$work/s2.jsonl" 2>>"$work/stderr.txt"
run extract "$work/a.jsonl" - --stdin-format jsonl -o "$work/valid" --format xlsx < <(head -n 3 "$work/b.jsonl")
run merge "$work/s1.jsonl" "$work/s2.jsonl" -o "$work/streamed" --format xlsx

"$venv/bin/python" - "$work" <<'PY'
import csv, re, sys
import openpyxl

work = sys.argv[1]
passed = failed = 0


def check(name, ok):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + name)
    passed += bool(ok)
    failed += not ok


SHEETS = ["entities", "cooccurrence", "discovered", "documents", "mentions"]
INT = {"mentions", "documents", "windows", "chars", "entities", "start", "end",
       "sentence", "paragraph"}


def sheet_rows(path):
    wb = openpyxl.load_workbook(path)
    return wb, {ws.title: [list(r) for r in ws.iter_rows()] for ws in wb.worksheets}


def value(cell):
    """A cell's value as Excel shows it: openpyxl leaves the _xHHHH_
    escapes of the xlsx format (ECMA-376 ST_Xstring) in strings, Excel
    decodes them (an id `_x0041_` is stored as `_x005F_x0041_`)."""
    v = cell.value
    if isinstance(v, str):
        return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), v)
    return v


wb, sheets = sheet_rows(f"{work}/whole/tables.xlsx")
check("sheets are " + ", ".join(SHEETS), wb.sheetnames == SHEETS)
cells = [c for rows in sheets.values() for r in rows for c in r]
check("no formula cell", all(c.data_type != "f" for c in cells))
check("no cell shows a leading '",
      all(not (isinstance(c.value, str) and c.value.startswith("'")) for c in cells))
check("no quote-prefix style", all(not c.quotePrefix for c in cells))


def expected_value(column, text):
    """A CSV cell as the workbook types it."""
    if text == "":
        return None
    if column in INT:
        return int(text)
    if column == "npmi":
        return float(text)
    if column == "ambiguous":
        return {"true": True, "false": False}[text]
    return text


for name in SHEETS:
    if name not in sheets:
        check(f"{name}: sheet present", False)
        continue
    rows = sheets[name]
    with open(f"{work}/whole/{name}.csv", encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    header = table[0]
    check(f"{name}: header", [c.value for c in rows[0]] == header)
    check(f"{name}: {len(table) - 1} rows", len(rows) == len(table))
    same = types = True
    for row, csv_row in zip(rows[1:], table[1:]):
        for col, cell, text in zip(header, row, csv_row):
            if value(cell) != expected_value(col, text):
                same = False
                print(f"  {name}.{col}: {cell.value!r} in the workbook, {text!r} in the CSV")
            if text == "":
                continue
            # Every xlsx number is a double: openpyxl gives an int for one
            # stored without a decimal point (an npmi of 1 or 0), so npmi
            # is checked by its 6-decimal number format as well.
            want = ((int,) if col in INT else (int, float) if col == "npmi"
                    else (bool,) if col == "ambiguous" else (str,))
            if type(cell.value) not in want or (
                    col == "npmi" and cell.number_format != "0.000000"):
                types = False
                print(f"  {name}.{col}: {cell.value!r} is {type(cell.value).__name__}"
                      f" ({cell.number_format})")
    check(f"{name}: cells equal the CSV file's", same)
    check(f"{name}: text is str, counts int, npmi float, ambiguous bool", types)
    check(f"{name}: header row frozen", wb[name].freeze_panes == "A2")

ids = [value(r[0]) for r in sheets["documents"][1:]]
check("document ids stay text as written",
      ids[:7] == ["0012345", "1.5e3", "=1+1", "+cmd", "-2", "@SUM(A1)", "_x0041_"])
check("the malformed line is an error row",
      [r[5].value for r in sheets["documents"][1:]][7] == "error")
ar = [r[3] for r in sheets["entities"][1:] if r[3].value]
check("name_ar cells are right-to-left",
      ar and all(c.alignment.readingOrder == 2 for c in ar))
check("Arabic names read back", any(c.value == "فلاديمير بوتين" for c in ar))
npmi = [r[8].value for r in sheets["cooccurrence"][1:]]
check("npmi values are numbers in [-1, 1], some not whole",
      all(-1 <= v <= 1 for v in npmi) and any(isinstance(v, float) for v in npmi))
surfaces = [r[4] for r in sheets["mentions"][1:]]
arabic = [c for c in surfaces if c.value and "\u0600" <= c.value[0] <= "\u06ff"]
check("Arabic surfaces are right-to-left, English ones not",
      arabic and all(c.alignment.readingOrder == 2 for c in arabic)
      and all(c.alignment.readingOrder != 2 for c in surfaces if c not in arabic))


def values(path):
    _, s = sheet_rows(path)
    return {k: [[c.value for c in r] for r in v] for k, v in s.items()}


whole = values(f"{work}/whole/tables.xlsx")
merged = values(f"{work}/merged/tables.xlsx")
for name in SHEETS:
    check(f"merge of the halves: {name} as in one run", merged.get(name) == whole[name])

# Stream files hold no source position: compare with a run over the same
# (valid) lines, the documents' source column aside.
valid = values(f"{work}/valid/tables.xlsx")
streamed = values(f"{work}/streamed/tables.xlsx")
for name in SHEETS:
    a, b = streamed.get(name), valid[name]
    if name == "documents" and a:
        a = [r[:1] + r[2:] for r in a]
        b = [r[:1] + r[2:] for r in b]
    check(f"merge of stream files: {name} as in one run", a == b)

print(f"xlsx: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY

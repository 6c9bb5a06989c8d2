//! `tables.xlsx`: every table of a run as a sheet of one Excel workbook.
//!
//! | sheet | columns |
//! |---|---|
//! | `entities` | as `entities.csv` |
//! | `cooccurrence` | as `cooccurrence.csv` |
//! | `discovered` | as `discovered.csv` |
//! | `documents` | as `documents.csv` |
//! | `mentions` | as `mentions.csv` |
//!
//! Rows are in the order of the CSV files. Cells are typed: ids, names
//! and every other text are strings (so `0012345` keeps its zeros, `1.5e3`
//! stays text, and `=1+1` is text, never a formula: a string cell of an
//! xlsx file is never evaluated, so nothing is prefixed with `'`); counts
//! and offsets are numbers; `npmi` is a number with 6 decimals;
//! `ambiguous` is a boolean. `name_ar` cells are right-to-left, and so is
//! any other text cell whose first letter is Arabic or Hebrew.
//!
//! An Excel sheet holds 1,048,576 rows: a table with more than 1,048,575
//! rows (the first is the header) goes on in `NAME (2)`, `NAME (3)`, ...,
//! each with the header again, right after it. A text longer than Excel's
//! limit of 32,767 characters (UTF-16 units) per cell is cut there and
//! ends with `…` (the CSV and JSON files keep it whole).
//!
//! Memory: the sheets are written in `rust_xlsxwriter`'s constant-memory
//! mode, each row to an unnamed temporary file in the output folder as
//! soon as the next row starts, and zipped into the workbook at the end.
//! The workbook's creation date is fixed (1980-01-01), so that the same
//! tables give the same bytes.

use std::borrow::Cow;
use std::io;
use std::path::Path;
use std::sync::Arc;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::cooccur::{Aggregates, SortedEntity, SortedPair};
use crate::input::{InputRecord, Status};
use crate::output::OutputFolder;
use crate::output::csv::{
    COOCCURRENCE_HEADER, DISCOVERED_HEADER, DOCUMENTS_HEADER, ENTITIES_HEADER, MENTIONS_HEADER,
    counted,
};
use crate::output::json::entity_source;
use crate::pipeline::Mention;

/// The name of the workbook in the output folder.
pub const FILE_NAME: &str = "tables.xlsx";

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
const ROWS_PER_SHEET: u32 = 1_048_575;

/// The zip level of the workbook (1 fastest .. 9 smallest). On a
/// 30,000-article run, whose mentions sheet is 400 MB of XML, level 2
/// compresses it three times faster than the default 6, into a file a
/// quarter larger (51 MB, not 41 MB).
const XLSX_ZIP_LEVEL: u8 = 2;

/// Excel's limit on the length of a cell's text, in UTF-16 units.
const MAX_CELL_TEXT: usize = 32_767;

/// What a column holds, and so how its cells are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    /// Text, direction by its first letter.
    Text,
    /// Text written right to left (`name_ar`).
    Rtl,
    /// A count or an offset.
    Int,
    /// A float (`npmi`).
    Float,
    /// `true` or `false`.
    Bool,
}

const ENTITIES_COLS: [Col; 8] = {
    use Col::*;
    [Text, Text, Text, Rtl, Int, Int, Int, Text]
};
const COOCCURRENCE_COLS: [Col; 11] = {
    use Col::*;
    [
        Text, Text, Text, Text, Text, Text, Int, Int, Float, Text, Text,
    ]
};
const DISCOVERED_COLS: [Col; 11] = {
    use Col::*;
    [
        Text, Text, Text, Int, Int, Text, Text, Text, Text, Text, Text,
    ]
};
const DOCUMENTS_COLS: [Col; 7] = {
    use Col::*;
    [Text, Text, Int, Int, Int, Text, Text]
};
const MENTIONS_COLS: [Col; 11] = {
    use Col::*;
    [Text, Text, Text, Text, Text, Int, Int, Int, Int, Text, Bool]
};

/// One cell's value.
#[derive(Clone, Copy, Debug)]
enum Cell<'a> {
    Text(&'a str),
    Int(u64),
    Float(f64),
    Bool(bool),
}

/// The formats the sheets share.
#[derive(Debug)]
struct Styles {
    header: Format,
    rtl: Format,
    npmi: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new().set_bold(),
            rtl: Format::new()
                .set_reading_direction(2)
                .set_align(FormatAlign::Right),
            npmi: Format::new().set_num_format("0.000000"),
        }
    }
}

/// One table: its sheets in the workbook (more than one past Excel's row
/// limit) and the next row to write.
#[derive(Debug)]
struct Table {
    name: &'static str,
    header: &'static [&'static str],
    cols: &'static [Col],
    /// Indexes into the workbook's worksheets.
    sheets: Vec<usize>,
    /// The next data row of the last sheet, from 1.
    row: u32,
    /// Data rows per sheet.
    limit: u32,
}

impl Table {
    fn new(
        book: &mut Workbook,
        styles: &Styles,
        name: &'static str,
        header: &'static [&'static str],
        cols: &'static [Col],
        limit: u32,
    ) -> Result<Table, XlsxError> {
        let mut t = Table {
            name,
            header,
            cols,
            sheets: Vec::new(),
            row: 1,
            limit,
        };
        t.add_sheet(book, styles)?;
        Ok(t)
    }

    /// Starts the next sheet: its name, header, column widths, frozen
    /// header row.
    fn add_sheet(&mut self, book: &mut Workbook, styles: &Styles) -> Result<(), XlsxError> {
        let name = match self.sheets.len() {
            0 => self.name.to_string(),
            n => format!("{} ({})", self.name, n + 1),
        };
        let index = book.worksheets().len();
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        for (k, (h, col)) in self.header.iter().zip(self.cols).enumerate() {
            let width = match col {
                Col::Int | Col::Bool => 11.0,
                Col::Float => 11.0,
                Col::Text | Col::Rtl => match *h {
                    "example" | "message" | "variants" | "similar" => 48.0,
                    _ => 24.0,
                },
            };
            let k = k as u16;
            sheet.set_column_width(k, width)?;
            sheet.write_string_with_format(0, k, *h, &styles.header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        self.sheets.push(index);
        self.row = 1;
        Ok(())
    }

    /// Writes one row, on a new sheet when the last one is full.
    fn row(
        &mut self,
        book: &mut Workbook,
        styles: &Styles,
        cells: &[Cell<'_>],
    ) -> Result<(), XlsxError> {
        if self.row > self.limit {
            self.add_sheet(book, styles)?;
        }
        let index = *self.sheets.last().unwrap_or(&0);
        let sheet = book.worksheet_from_index(index)?;
        let row = self.row;
        for (k, (cell, col)) in cells.iter().zip(self.cols).enumerate() {
            let k = k as u16;
            match *cell {
                Cell::Text(s) => {
                    let s = fit(s);
                    if *col == Col::Rtl || starts_rtl(&s) {
                        sheet.write_string_with_format(row, k, s, &styles.rtl)?;
                    } else {
                        sheet.write_string(row, k, s)?;
                    }
                }
                Cell::Int(n) => {
                    sheet.write_number(row, k, n as f64)?;
                }
                Cell::Float(x) => {
                    sheet.write_number_with_format(row, k, x, &styles.npmi)?;
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(row, k, b)?;
                }
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Puts an autofilter on the header of every sheet.
    fn finish(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        let last_col = (self.cols.len() - 1) as u16;
        for (n, &index) in self.sheets.iter().enumerate() {
            let rows = if n + 1 == self.sheets.len() {
                self.row - 1
            } else {
                self.limit
            };
            book.worksheet_from_index(index)?
                .autofilter(0, 0, rows, last_col)?;
        }
        Ok(())
    }
}

/// `s`, cut to Excel's limit per cell (ending with `…`) when longer.
fn fit(s: &str) -> Cow<'_, str> {
    // A UTF-16 unit takes at least one byte.
    if s.len() <= MAX_CELL_TEXT || s.encode_utf16().count() <= MAX_CELL_TEXT {
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if units + c.len_utf16() > MAX_CELL_TEXT - 1 {
            break;
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
    }
    Cow::Owned(format!("{}…", &s[..end]))
}

/// Whether the first letter of `s` is of a right-to-left script (Hebrew,
/// Arabic, Syriac, Thaana, N'Ko and their presentation forms).
fn starts_rtl(s: &str) -> bool {
    s.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF))
}

fn to_io(e: XlsxError) -> io::Error {
    io::Error::other(format!("{FILE_NAME}: {e}"))
}

/// The `documents` and `mentions` rows of one input record, made by a
/// worker (see [`crate::output::RenderedRecord`]) and written by
/// [`XlsxBook::write_record`].
#[derive(Clone, Debug, Default)]
pub struct RecordRows {
    id: String,
    source: String,
    chars: u64,
    mention_count: u64,
    entities: u64,
    status: &'static str,
    message: String,
    mentions: Vec<MentionRow>,
}

#[derive(Clone, Debug)]
struct MentionRow {
    entity_id: Arc<str>,
    entity_type: Arc<str>,
    name: Arc<str>,
    surface: String,
    start: u64,
    end: u64,
    sentence: u64,
    paragraph: u64,
    form: &'static str,
    ambiguous: bool,
}

impl RecordRows {
    /// The rows of `rec`, with `chars` code points, its `mentions` and the
    /// number of distinct `entities` they name. Error records get a
    /// `documents` row only.
    pub fn new(
        rec: &InputRecord,
        chars: usize,
        mentions: &[Mention],
        entities: usize,
    ) -> RecordRows {
        let rows = if rec.status == Status::Error {
            Vec::new()
        } else {
            mentions
                .iter()
                .map(|m| MentionRow {
                    entity_id: m.entity_id.clone(),
                    entity_type: m.entity_type.clone(),
                    name: m.name.clone(),
                    surface: m.surface.clone(),
                    start: m.start as u64,
                    end: m.end as u64,
                    sentence: m.sentence as u64,
                    paragraph: m.paragraph as u64,
                    form: m.form.as_str(),
                    ambiguous: m.ambiguous,
                })
                .collect()
        };
        RecordRows {
            id: rec.document.id.clone(),
            source: rec.source.clone(),
            chars: chars as u64,
            mention_count: mentions.len() as u64,
            entities: entities as u64,
            status: rec.status.as_str(),
            message: rec.message.clone(),
            mentions: rows,
        }
    }
}

/// `tables.xlsx` being written: the `documents` and `mentions` sheets
/// during the run, the aggregate sheets by [`XlsxBook::finish`].
pub struct XlsxBook {
    book: Workbook,
    styles: Styles,
    documents: Option<Table>,
    mentions: Option<Table>,
    limit: u32,
}

impl std::fmt::Debug for XlsxBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxBook")
            .field("documents", &self.documents)
            .field("mentions", &self.mentions)
            .finish_non_exhaustive()
    }
}

impl XlsxBook {
    /// A workbook whose temporary files go to `dir`; with `per_document`,
    /// with the `documents` and `mentions` sheets (else only the aggregate
    /// sheets).
    pub fn create(dir: &Path, per_document: bool) -> io::Result<XlsxBook> {
        XlsxBook::with_limit(dir, per_document, ROWS_PER_SHEET)
    }

    fn with_limit(dir: &Path, per_document: bool, limit: u32) -> io::Result<XlsxBook> {
        let mut book = Workbook::new();
        book.set_tempdir(dir).map_err(to_io)?;
        book.set_zip_compression_level(XLSX_ZIP_LEVEL);
        let date = ExcelDateTime::from_ymd(1980, 1, 1).map_err(to_io)?;
        book.set_properties(&DocProperties::new().set_creation_datetime(&date));
        let styles = Styles::new();
        let (documents, mentions) = if per_document {
            (
                Some(
                    Table::new(
                        &mut book,
                        &styles,
                        "documents",
                        &DOCUMENTS_HEADER,
                        &DOCUMENTS_COLS,
                        limit,
                    )
                    .map_err(to_io)?,
                ),
                Some(
                    Table::new(
                        &mut book,
                        &styles,
                        "mentions",
                        &MENTIONS_HEADER,
                        &MENTIONS_COLS,
                        limit,
                    )
                    .map_err(to_io)?,
                ),
            )
        } else {
            (None, None)
        };
        Ok(XlsxBook {
            book,
            styles,
            documents,
            mentions,
            limit,
        })
    }

    /// Writes the `documents` row and `mentions` rows of one record.
    pub fn write_record(&mut self, r: &RecordRows) -> io::Result<()> {
        let (book, styles) = (&mut self.book, &self.styles);
        if let Some(t) = &mut self.documents {
            t.row(
                book,
                styles,
                &[
                    Cell::Text(&r.id),
                    Cell::Text(&r.source),
                    Cell::Int(r.chars),
                    Cell::Int(r.mention_count),
                    Cell::Int(r.entities),
                    Cell::Text(r.status),
                    Cell::Text(&r.message),
                ],
            )
            .map_err(to_io)?;
        }
        if let Some(t) = &mut self.mentions {
            for m in &r.mentions {
                t.row(
                    book,
                    styles,
                    &[
                        Cell::Text(&r.id),
                        Cell::Text(&m.entity_id),
                        Cell::Text(&m.entity_type),
                        Cell::Text(&m.name),
                        Cell::Text(&m.surface),
                        Cell::Int(m.start),
                        Cell::Int(m.end),
                        Cell::Int(m.sentence),
                        Cell::Int(m.paragraph),
                        Cell::Text(m.form),
                        Cell::Bool(m.ambiguous),
                    ],
                )
                .map_err(to_io)?;
            }
        }
        Ok(())
    }

    /// Writes a row of `documents.csv` (`documents`) or `mentions.csv`
    /// (`mentions`), as written without `--excel`, into its sheet: the
    /// numeric columns must hold counts and `ambiguous` `true` or
    /// `false`; an error names the column. For `alam merge`, which reads
    /// the parts' CSV files.
    pub fn write_csv_row(&mut self, table: &str, row: &csv::StringRecord) -> Result<(), String> {
        let (t, header) = match table {
            "documents" => (&mut self.documents, &DOCUMENTS_HEADER[..]),
            "mentions" => (&mut self.mentions, &MENTIONS_HEADER[..]),
            other => return Err(format!("no sheet {other:?} for CSV rows")),
        };
        let Some(t) = t else {
            return Err(format!("this workbook has no {table} sheet"));
        };
        if row.len() != header.len() {
            return Err(format!(
                "{} fields where the header has {}",
                row.len(),
                header.len()
            ));
        }
        let mut cells = Vec::with_capacity(row.len());
        for ((v, col), name) in row.iter().zip(t.cols).zip(header) {
            cells.push(match col {
                Col::Text | Col::Rtl => Cell::Text(v),
                Col::Int => Cell::Int(
                    v.parse()
                        .map_err(|_| format!("{name} is not a count: {v:?}"))?,
                ),
                Col::Float => Cell::Float(
                    v.parse()
                        .map_err(|_| format!("{name} is not a number: {v:?}"))?,
                ),
                Col::Bool => match v {
                    "true" => Cell::Bool(true),
                    "false" => Cell::Bool(false),
                    _ => return Err(format!("{name} is not true or false: {v:?}")),
                },
            });
        }
        t.row(&mut self.book, &self.styles, &cells)
            .map_err(|e| e.to_string())
    }

    /// Adds the `entities` (`entities`, from [`Aggregates::entities_sorted`]),
    /// `cooccurrence` (`pairs`, from [`Aggregates::pairs_sorted`]) and
    /// `discovered` sheets, puts the
    /// sheets in their order and writes `tables.xlsx` into `folder`.
    pub fn finish(
        mut self,
        folder: &OutputFolder,
        agg: &Aggregates,
        entities: &[SortedEntity],
        pairs: &[SortedPair],
    ) -> io::Result<()> {
        let mut file = folder.create(FILE_NAME)?;
        let tables = self.tables(agg, entities, pairs).map_err(to_io)?;
        self.order(&tables);
        self.book.save_to_writer(&mut file).map_err(to_io)?;
        file.commit()
    }

    /// Puts the sheets in the order of `tables` (they were made in the
    /// order documents, mentions, their spill sheets, then the others).
    fn order(&mut self, tables: &[Table]) {
        let mut sheets: Vec<Option<_>> = std::mem::take(self.book.worksheets_mut())
            .into_iter()
            .map(Some)
            .collect();
        let ordered = self.book.worksheets_mut();
        for t in tables {
            for &i in &t.sheets {
                if let Some(sheet) = sheets.get_mut(i).and_then(Option::take) {
                    ordered.push(sheet);
                }
            }
        }
    }

    /// Writes the aggregate sheets; every table, in sheet order.
    fn tables(
        &mut self,
        agg: &Aggregates,
        sorted: &[SortedEntity],
        pairs: &[SortedPair],
    ) -> Result<Vec<Table>, XlsxError> {
        let (book, styles, limit) = (&mut self.book, &self.styles, self.limit);
        let mut entities = Table::new(
            book,
            styles,
            "entities",
            &ENTITIES_HEADER,
            &ENTITIES_COLS,
            limit,
        )?;
        for (id, c) in sorted {
            entities.row(
                book,
                styles,
                &[
                    Cell::Text(id),
                    Cell::Text(&c.info.kind),
                    Cell::Text(&c.info.name),
                    Cell::Text(&c.info.name_ar),
                    Cell::Int(c.mentions),
                    Cell::Int(c.documents),
                    Cell::Int(c.windows),
                    Cell::Text(entity_source(id)),
                ],
            )?;
        }
        let mut cooccurrence = Table::new(
            book,
            styles,
            "cooccurrence",
            &COOCCURRENCE_HEADER,
            &COOCCURRENCE_COLS,
            limit,
        )?;
        let mut npmi_cell = String::new();
        for &(a, b, c, npmi) in pairs {
            let (ea, eb) = (&agg.entities[a].info, &agg.entities[b].info);
            // The value `cooccurrence.csv` shows, 6 decimals.
            npmi_cell.clear();
            super::push_fixed6(&mut npmi_cell, npmi);
            let npmi: f64 = npmi_cell.parse().unwrap_or(npmi);
            let relations = super::csv::counted(&c.relations);
            let directed = super::csv::counted(&c.directed);
            cooccurrence.row(
                book,
                styles,
                &[
                    Cell::Text(a),
                    Cell::Text(&ea.name),
                    Cell::Text(&ea.kind),
                    Cell::Text(b),
                    Cell::Text(&eb.name),
                    Cell::Text(&eb.kind),
                    Cell::Int(c.windows),
                    Cell::Int(c.documents),
                    Cell::Float(npmi),
                    Cell::Text(&relations),
                    Cell::Text(&directed),
                ],
            )?;
        }
        let mut discovered = Table::new(
            book,
            styles,
            "discovered",
            &DISCOVERED_HEADER,
            &DISCOVERED_COLS,
            limit,
        )?;
        let mut rows: Vec<_> = sorted
            .iter()
            .filter_map(|(id, c)| agg.discovered.get(*id).map(|d| (*id, *c, d)))
            .collect();
        rows.sort_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then(a.0.cmp(b.0)));
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_ref()).collect();
        let similar = crate::discover::similar_ids(&ids);
        for (k, (id, c, d)) in rows.iter().enumerate() {
            let (doc, example) = d
                .example
                .as_ref()
                .map_or(("", ""), |e| (e.doc_id.as_str(), e.text.as_str()));
            discovered.row(
                book,
                styles,
                &[
                    Cell::Text(id),
                    Cell::Text(&c.info.kind),
                    Cell::Text(&c.info.name),
                    Cell::Int(c.mentions),
                    Cell::Int(c.documents),
                    Cell::Text(&counted(&d.variants)),
                    Cell::Text(&counted(&d.rules)),
                    Cell::Text(&similar[k].join("|")),
                    Cell::Text(doc),
                    Cell::Text(example),
                    Cell::Text(""),
                ],
            )?;
        }
        let mut tables = vec![entities, cooccurrence, discovered];
        tables.extend(self.documents.take());
        tables.extend(self.mentions.take());
        for t in &tables {
            t.finish(&mut self.book)?;
        }
        Ok(tables)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_at_the_cell_limit() {
        let short = "قال بوتين";
        assert_eq!(fit(short), short);
        let exact = "a".repeat(MAX_CELL_TEXT);
        assert_eq!(fit(&exact), exact);
        // 'ر' is one UTF-16 unit, two bytes: 20,000 of them fit.
        let arabic = "ر".repeat(20_000);
        assert_eq!(fit(&arabic), arabic);
        let long = "b".repeat(MAX_CELL_TEXT + 10);
        let cut = fit(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_TEXT);
        assert!(cut.ends_with("b…"));
        // A character outside the BMP is two units: never split.
        let wide = "😀".repeat(MAX_CELL_TEXT);
        let cut = fit(&wide);
        assert!(cut.encode_utf16().count() <= MAX_CELL_TEXT);
        assert!(cut.ends_with("😀…"));
    }

    #[test]
    fn right_to_left_by_first_letter() {
        for (s, rtl) in [
            ("روسيا", true),
            ("12 روسيا", true),
            ("Putin بوتين", false),
            ("שלום", true),
            ("0012345", false),
            ("", false),
        ] {
            assert_eq!(starts_rtl(s), rtl, "{s:?}");
        }
    }

    #[test]
    fn a_full_sheet_goes_on_in_a_numbered_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut book = XlsxBook::with_limit(dir.path(), true, 2).unwrap();
        let rec = InputRecord {
            document: crate::pipeline::Document::new("d", ""),
            source: "x.txt".into(),
            status: Status::Ok,
            message: String::new(),
        };
        for _ in 0..5 {
            book.write_record(&RecordRows::new(&rec, 0, &[], 0))
                .unwrap();
        }
        let agg = Aggregates::default();
        let tables = book.tables(&agg, &agg.entities_sorted(), &[]).unwrap();
        let names: Vec<(&str, usize, u32)> = tables
            .iter()
            .map(|t| (t.name, t.sheets.len(), t.row))
            .collect();
        // 5 documents at 2 a sheet: 2, 2, 1 (the next row of the last is 2).
        assert_eq!(
            names,
            [
                ("entities", 1, 1),
                ("cooccurrence", 1, 1),
                ("discovered", 1, 1),
                ("documents", 3, 2),
                ("mentions", 1, 1),
            ]
        );
        let sheet_names = |book: &mut XlsxBook| -> Vec<String> {
            book.book.worksheets().iter().map(|s| s.name()).collect()
        };
        assert_eq!(
            sheet_names(&mut book),
            [
                "documents",
                "mentions",
                "documents (2)",
                "documents (3)",
                "entities",
                "cooccurrence",
                "discovered"
            ]
        );
        book.order(&tables);
        assert_eq!(
            sheet_names(&mut book),
            [
                "entities",
                "cooccurrence",
                "discovered",
                "documents",
                "documents (2)",
                "documents (3)",
                "mentions",
            ]
        );
        let mut bytes = Vec::new();
        book.book.save_to_writer(&mut bytes).unwrap();
        assert!(bytes.starts_with(b"PK"), "not a zip file");
    }
}

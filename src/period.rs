//! Dates and periods; the rules are documented on [`Bucket`], the public item.

use chrono::{Datelike, NaiveDate};

/// The period of documents without a date, or with one that does not
/// parse.
pub const UNDATED: &str = "undated";

/// Dates of articles and the periods they are counted in
/// (`--date-field`, `--bucket`).
///
/// [`parse_date`] reads the date of an article as news dumps write it and
/// gives its calendar date **in the article's own offset**:
/// `2024-03-05T23:30:00-05:00` is the 5th (it was already the 6th in
/// UTC); a date without an offset is taken as written.
///
/// | written | example |
/// |---|---|
/// | ISO 8601 date | `2024-03-05`, `2024/03/05` |
/// | ISO 8601 / RFC 3339 date and time | `2024-03-05T10:00:00Z`, `2024-03-05 10:00:00.25+03:00`, `+0300`, `+03` |
/// | RFC 2822 | `Tue, 05 Mar 2024 10:00:00 +0300`, `... GMT` |
/// | English month names (full or 3 letters) | `March 5, 2024`, `5 March 2024`, `Tuesday, 5 Mar 2024 10:00` |
/// | Arabic month names (Egyptian and Levantine) | `5 مارس 2024`, `٥ آذار ٢٠٢٤`, `الثلاثاء 5 تشرين الأول 2024` |
/// | day, month and year in digits: **day first** | `05/03/2024`, `5.3.2024`, `05-03-2024` = 5 March |
///
/// Day first is the order of Arabic, British and most non-US news; a
/// date such as `03/25/2024` (no month 25) does not parse rather than
/// being read month first, so that a month-first corpus shows itself in
/// the warnings instead of being half misread. Anything after a
/// recognized date and time (a zone name such as `GMT`, `UTC`, `EST`) is
/// ignored only in the RFC 2822 and month-name forms.
///
/// A [`Bucket`] turns a date into a period label: `2024-03-05` (day),
/// `2024-W10` (ISO 8601 week, Monday to Sunday, numbered in its ISO year:
/// 2024-12-30 is in `2025-W01`), `2024-03` (month). Labels sort in time
/// order as strings; documents without a usable date are counted in the
/// period [`UNDATED`], which sorts after every label.
///
/// How dates are grouped into periods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Bucket {
    /// One period per calendar day: `2024-03-05`.
    Day,
    /// One period per ISO 8601 week, Monday to Sunday: `2024-W10`.
    Week,
    /// One period per calendar month: `2024-03` (the default).
    #[default]
    Month,
}

impl Bucket {
    /// `day`, `week` or `month`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }

    /// Parses `day`, `week` or `month`.
    pub fn parse(s: &str) -> Option<Bucket> {
        match s {
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            "month" => Some(Bucket::Month),
            _ => None,
        }
    }

    /// The label of the period `date` is in.
    ///
    /// ```
    /// use alam::{Bucket, parse_date};
    /// let d = parse_date("Sun, 10 Mar 2024 23:59:00 +0300").unwrap();
    /// assert_eq!(Bucket::Week.label(d), "2024-W10");
    /// assert_eq!(Bucket::Month.label(d), "2024-03");
    /// ```
    pub fn label(self, date: NaiveDate) -> String {
        match self {
            Bucket::Day => date.format("%Y-%m-%d").to_string(),
            Bucket::Week => {
                let w = date.iso_week();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            Bucket::Month => format!("{:04}-{:02}", date.year(), date.month()),
        }
    }

    /// The first and last days of the period `label` names (a label this
    /// bucket makes), as `YYYY-MM-DD`; `None` for [`UNDATED`] or a label
    /// of another bucket.
    pub fn range(self, label: &str) -> Option<(String, String)> {
        let (first, last) = match self {
            Bucket::Day => {
                let d = NaiveDate::parse_from_str(label, "%Y-%m-%d").ok()?;
                (d, d)
            }
            Bucket::Week => {
                let (y, w) = label.split_once("-W")?;
                let monday = NaiveDate::from_isoywd_opt(
                    y.parse().ok()?,
                    w.parse().ok()?,
                    chrono::Weekday::Mon,
                )?;
                (monday, monday + chrono::Days::new(6))
            }
            Bucket::Month => {
                let (y, m) = label.split_once('-')?;
                let first = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
                let last = first.checked_add_months(chrono::Months::new(1))? - chrono::Days::new(1);
                (first, last)
            }
        };
        (self.label(first) == label).then(|| {
            (
                first.format("%Y-%m-%d").to_string(),
                last.format("%Y-%m-%d").to_string(),
            )
        })
    }
}

/// The calendar date of a date as articles write it (see the module
/// docs), in the article's own offset; `None` when it does not parse.
///
/// ```
/// use alam::parse_date;
/// let d = |s| parse_date(s).map(|d| d.to_string());
/// assert_eq!(d("2024-03-05T23:30:00-05:00").as_deref(), Some("2024-03-05"));
/// assert_eq!(d("5 March 2024").as_deref(), Some("2024-03-05"));
/// assert_eq!(d("05/03/2024").as_deref(), Some("2024-03-05"));
/// assert_eq!(d("yesterday"), None);
/// ```
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(d) = iso(s) {
        return Some(d);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some(dt.naive_local().date());
    }
    if let Some(d) = numeric_dmy(s) {
        return Some(d);
    }
    with_month_name(s)
}

/// `YYYY-MM-DD` or `YYYY/MM/DD`, then optionally `T` or a space and a
/// time with an optional offset.
fn iso(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() < 10 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sep = b[4];
    if !(sep == b'-' || sep == b'/') || b[7] != sep {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let date = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(date);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // The time: HH:MM[:SS[.fff]], then Z, an offset, or nothing.
    let time_len = rest
        .bytes()
        .take_while(|c| c.is_ascii_digit() || *c == b':' || *c == b'.' || *c == b',')
        .count();
    let (time, zone) = rest.split_at(time_len);
    let t = time.split([':']).collect::<Vec<_>>();
    let ok_time = (2..=3).contains(&t.len())
        && t[0].len() == 2
        && t[1].len() == 2
        && t[0].parse::<u32>().is_ok_and(|h| h < 24)
        && t[1].parse::<u32>().is_ok_and(|m| m < 60)
        && t.get(2).is_none_or(|sec| {
            let whole = sec.split(['.', ',']).next().unwrap_or("");
            whole.len() == 2 && whole.parse::<u32>().is_ok_and(|x| x <= 60)
        });
    if !ok_time {
        return None;
    }
    let zone = zone.trim_start();
    let ok_zone = match zone {
        "" | "Z" | "z" => true,
        _ => {
            let z = zone.strip_prefix(['+', '-'])?;
            let zd: String = z.chars().filter(|c| *c != ':').collect();
            (zd.len() == 2 || zd.len() == 4) && zd.bytes().all(|c| c.is_ascii_digit())
        }
    };
    // The date as written is the date in the article's own offset.
    ok_zone.then_some(date)
}

/// `DD/MM/YYYY`, `DD.MM.YYYY` or `DD-MM-YYYY` (day first; one or two
/// digits for day and month), then optionally a space and anything.
fn numeric_dmy(s: &str) -> Option<NaiveDate> {
    let head = s.split(' ').next()?;
    let sep = head.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, '/' | '.' | '-') {
        return None;
    }
    let parts: Vec<&str> = head.split(sep).collect();
    let [d, m, y] = parts[..] else { return None };
    if !(1..=2).contains(&d.len()) || !(1..=2).contains(&m.len()) || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Month names, English (full and 3 letters, `Sept` too) and Arabic
/// (normalized: Egyptian and Levantine names), with their numbers.
/// Levantine names of two words are written with a space.
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    ("ابريل", 4),
    ("مايو", 5),
    ("يونيو", 6),
    ("يونيه", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("اغسطس", 8),
    ("سبتمبر", 9),
    ("اكتوبر", 10),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
    ("كانون الثاني", 1),
    ("شباط", 2),
    ("اذار", 3),
    ("نيسان", 4),
    ("ايار", 5),
    ("حزيران", 6),
    ("تموز", 7),
    ("اب", 8),
    ("ايلول", 9),
    ("تشرين الاول", 10),
    ("تشرين الثاني", 11),
    ("كانون الاول", 12),
];

/// Weekday names, skipped before a date (English full and 3 letters,
/// Arabic normalized).
const WEEKDAYS: &[&str] = &[
    "monday",
    "mon",
    "tuesday",
    "tue",
    "tues",
    "wednesday",
    "wed",
    "thursday",
    "thu",
    "thurs",
    "friday",
    "fri",
    "saturday",
    "sat",
    "sunday",
    "sun",
    "الاثنين",
    "الثلاثاء",
    "الاربعاء",
    "الخميس",
    "الجمعه",
    "السبت",
    "الاحد",
];

/// `[weekday] D MONTH YYYY ...` or `[weekday] MONTH D, YYYY ...`, with
/// English or Arabic month names (Arabic text normalized first: hamza
/// forms, digits), the day possibly `5th`; what follows the year is
/// ignored.
fn with_month_name(s: &str) -> Option<NaiveDate> {
    let normalized = crate::normalize_str(s);
    let words: Vec<&str> = normalized
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '،' | '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    if words.first().is_some_and(|w| WEEKDAYS.contains(w)) {
        i = 1;
    }
    let month_at = |i: usize| -> Option<(u32, usize)> {
        // Two-word Levantine names first.
        if let (Some(a), Some(b)) = (words.get(i), words.get(i + 1)) {
            let two = format!("{a} {b}");
            if let Some(&(_, m)) = MONTHS.iter().find(|(n, _)| *n == two) {
                return Some((m, 2));
            }
        }
        let w = words.get(i)?;
        MONTHS.iter().find(|(n, _)| n == w).map(|&(_, m)| (m, 1))
    };
    let day = |w: &str| -> Option<u32> {
        let w = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|suffix| w.strip_suffix(suffix))
            .unwrap_or(w);
        (w.len() <= 2).then(|| w.parse().ok())?
    };
    let year = |w: Option<&&str>| -> Option<i32> {
        let w = w?;
        (w.len() == 4).then(|| w.parse().ok())?
    };
    let (d, m, y) = if let Some(d) = words.get(i).and_then(|w| day(w)) {
        let (m, n) = month_at(i + 1)?;
        (d, m, year(words.get(i + 1 + n))?)
    } else {
        let (m, n) = month_at(i)?;
        let d = day(words.get(i + n)?)?;
        (d, m, year(words.get(i + n + 1))?)
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, written, the date it is, or None).
    const DATES: &[(&str, &str, Option<&str>)] = &[
        ("iso_date", "2024-03-05", Some("2024-03-05")),
        ("iso_slashes", "2024/03/05", Some("2024-03-05")),
        ("iso_z", "2024-03-05T10:00:00Z", Some("2024-03-05")),
        ("iso_minutes", "2024-03-05T10:00", Some("2024-03-05")),
        (
            "iso_fraction",
            "2024-03-05 10:00:00.250+03:00",
            Some("2024-03-05"),
        ),
        // The article's own offset: late evening in New York is already
        // the next day in UTC, early morning in Riyadh still the day
        // before in UTC; both are bucketed by the date written.
        (
            "offset_west",
            "2024-03-05T23:30:00-05:00",
            Some("2024-03-05"),
        ),
        (
            "offset_east",
            "2024-03-06T01:30:00+03:00",
            Some("2024-03-06"),
        ),
        (
            "offset_compact",
            "2024-03-06T01:30:00+0300",
            Some("2024-03-06"),
        ),
        ("offset_hours", "2024-03-06T01:30:00+03", Some("2024-03-06")),
        ("leap_day", "2024-02-29", Some("2024-02-29")),
        ("no_leap_day", "2023-02-29", None),
        ("month_13", "2024-13-01", None),
        ("bad_time", "2024-03-05T25:00:00Z", None),
        ("bad_zone", "2024-03-05T10:00:00+3", None),
        (
            "rfc2822",
            "Tue, 05 Mar 2024 10:00:00 +0300",
            Some("2024-03-05"),
        ),
        (
            "rfc2822_late",
            "Tue, 05 Mar 2024 23:59:59 -0800",
            Some("2024-03-05"),
        ),
        (
            "rfc2822_gmt",
            "Sun, 10 Mar 2024 00:00:00 GMT",
            Some("2024-03-10"),
        ),
        ("month_day_year", "March 5, 2024", Some("2024-03-05")),
        ("mon_day_year", "Mar 5, 2024", Some("2024-03-05")),
        ("day_month_year", "5 March 2024", Some("2024-03-05")),
        ("ordinal", "March 5th, 2024", Some("2024-03-05")),
        (
            "weekday_first",
            "Tuesday, 5 March 2024 10:00 GMT",
            Some("2024-03-05"),
        ),
        ("capitals", "5 MARCH 2024", Some("2024-03-05")),
        ("dmy_slashes", "05/03/2024", Some("2024-03-05")),
        ("dmy_short", "5.3.2024", Some("2024-03-05")),
        ("dmy_dashes", "05-03-2024", Some("2024-03-05")),
        ("dmy_with_time", "05/03/2024 10:00", Some("2024-03-05")),
        ("month_first_refused", "03/25/2024", None),
        ("ar_egyptian", "5 مارس 2024", Some("2024-03-05")),
        ("ar_hamza", "10 أبريل 2024", Some("2024-04-10")),
        ("ar_levantine", "٥ آذار ٢٠٢٤", Some("2024-03-05")),
        (
            "ar_two_words",
            "الثلاثاء 1 تشرين الأول 2024",
            Some("2024-10-01"),
        ),
        ("ar_kanun", "31 كانون الأول 2023", Some("2023-12-31")),
        ("ar_comma", "الأحد، 10 مارس 2024", Some("2024-03-10")),
        ("empty", "", None),
        ("words", "yesterday", None),
        ("year_only", "2024", None),
        ("unix_time", "1709632800", None),
        ("day_31_april", "31 April 2024", None),
    ];

    #[test]
    fn dates_table() {
        for (name, written, want) in DATES {
            let got = parse_date(written).map(|d| d.format("%Y-%m-%d").to_string());
            assert_eq!(got.as_deref(), *want, "test: {name}, written: {written:?}");
        }
    }

    /// (name, date, day, week, month): boundaries of weeks (Sunday to
    /// Monday), months, years and ISO years.
    const BUCKETS: &[(&str, &str, &str, &str)] = &[
        ("sunday", "2024-03-10", "2024-W10", "2024-03"),
        ("monday", "2024-03-11", "2024-W11", "2024-03"),
        ("month_end", "2024-03-31", "2024-W13", "2024-03"),
        ("month_start", "2024-04-01", "2024-W14", "2024-04"),
        ("leap_day", "2024-02-29", "2024-W09", "2024-02"),
        ("after_leap_day", "2024-03-01", "2024-W09", "2024-03"),
        // 2024-12-30 is a Monday: its week is the first of ISO year 2025.
        ("iso_year_ahead", "2024-12-30", "2025-W01", "2024-12"),
        // 2021-01-03 is a Sunday: still the last week of ISO year 2020.
        ("iso_year_behind", "2021-01-03", "2020-W53", "2021-01"),
        ("first_week", "2021-01-04", "2021-W01", "2021-01"),
    ];

    #[test]
    fn buckets_table() {
        for (name, date, week, month) in BUCKETS {
            let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
            assert_eq!(Bucket::Day.label(d), *date, "test: {name}");
            assert_eq!(Bucket::Week.label(d), *week, "test: {name}");
            assert_eq!(Bucket::Month.label(d), *month, "test: {name}");
        }
    }

    #[test]
    fn ranges_of_labels() {
        type Case<'a> = (Bucket, &'a str, Option<(&'a str, &'a str)>);
        let cases: &[Case] = &[
            (
                Bucket::Day,
                "2024-02-29",
                Some(("2024-02-29", "2024-02-29")),
            ),
            (Bucket::Week, "2024-W10", Some(("2024-03-04", "2024-03-10"))),
            (Bucket::Week, "2025-W01", Some(("2024-12-30", "2025-01-05"))),
            (Bucket::Week, "2020-W53", Some(("2020-12-28", "2021-01-03"))),
            (Bucket::Month, "2024-02", Some(("2024-02-01", "2024-02-29"))),
            (Bucket::Month, "2023-02", Some(("2023-02-01", "2023-02-28"))),
            (Bucket::Month, "2024-12", Some(("2024-12-01", "2024-12-31"))),
            (Bucket::Month, UNDATED, None),
            (Bucket::Week, "2024-03", None),
            (Bucket::Month, "2024-3", None),
        ];
        for (bucket, label, want) in cases {
            let got = bucket.range(label);
            let want = want.map(|(a, b)| (a.to_string(), b.to_string()));
            assert_eq!(got, want, "bucket: {bucket:?}, label: {label:?}");
        }
    }

    #[test]
    fn labels_sort_in_time_order_and_undated_last() {
        let mut labels = vec![UNDATED, "2024-W10", "2023-W52", "2024-W09"];
        labels.sort_unstable();
        assert_eq!(labels, ["2023-W52", "2024-W09", "2024-W10", UNDATED]);
    }
}

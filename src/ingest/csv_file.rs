//! The user's CSV read strictly, the way Salesforce's Bulk API reads job data, with the
//! position (line and character column) of every value: a problem is reported as
//! `file:line:column`, and the file is cut into jobs at record boundaries.
//!
//! Rules (bulk-ingest.md §6): comma-separated, UTF-8 (a leading byte-order mark is dropped),
//! records end with LF or CRLF, the same in the whole file (a job declares one); a value that
//! holds a comma, a quote or a line break is wrapped in `"…"` with its quotes doubled; nothing
//! may stand between a closing quote and the next comma (a space neither), and a quote inside
//! an unquoted value is an error. Values are not trimmed.
//!
//! The `csv` crate reads leniently (a stray quote is kept, an unclosed one runs to the end of
//! the file) and its record positions drift after CRLF line ends and skipped blank lines, so
//! this reader is its own; a test holds its values to the `csv` crate's on well-formed files.

use std::borrow::Cow;
use std::ops::Range;

use crate::sf::ingest::LineEnding;

/// A place in the file: 1-based line, 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line number.
    pub line: u64,
    /// Column, counting characters.
    pub column: u64,
}

/// Something wrong at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub at: Position,
    /// What, in plain words.
    pub message: String,
}

impl Problem {
    fn new(at: Position, message: impl Into<String>) -> Problem {
        Problem {
            at,
            message: message.into(),
        }
    }
}

/// One record: its values, where each starts, where it ends and its bytes in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The values, unquoted.
    pub values: Vec<Cow<'a, str>>,
    /// Where each value starts (its opening quote, if quoted).
    pub starts: Vec<Position>,
    /// Where the record ends (its line ending, or the end of the file).
    pub end: Position,
    /// Its bytes in the text, line ending included.
    pub bytes: Range<usize>,
    /// Its line ending; `None` for a last record without one.
    pub ending: Option<LineEnding>,
}

/// The file's text: a leading byte-order mark dropped, UTF-8 checked. The problem names the
/// first byte that is not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<&str, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let at = position_after(std::str::from_utf8(valid).unwrap_or_default());
        let byte = bytes.get(e.valid_up_to()).copied().unwrap_or_default();
        Problem::new(
            at,
            format!(
                "byte 0x{byte:02X} is not UTF-8: save the file as UTF-8 (Salesforce reads \
                 nothing else)"
            ),
        )
    })
}

/// The position just after `text` (where the next character would be).
fn position_after(text: &str) -> Position {
    let line = text.matches('\n').count() as u64 + 1;
    let last = text.rfind('\n').map_or(text, |i| &text[i + 1..]);
    Position {
        line,
        column: last.chars().count() as u64 + 1,
    }
}

/// The records of a text, in order; reading stops at the first problem.
pub struct Records<'a> {
    text: &'a str,
    i: usize,
    line: u64,
    column: u64,
    failed: bool,
}

/// The records of `text` ([`decode`] it first).
pub fn records(text: &str) -> Records<'_> {
    Records {
        text,
        i: 0,
        line: 1,
        column: 1,
        failed: false,
    }
}

impl<'a> Records<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn at(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    /// Moves past one byte; a new character (not a UTF-8 continuation byte) is a column.
    fn bump(&mut self) {
        let Some(b) = self.peek() else {
            return;
        };
        self.i += 1;
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if b & 0xC0 != 0x80 {
            self.column += 1;
        }
    }

    /// Whether only line breaks are left.
    fn only_blank_lines_left(&self) -> bool {
        self.text.as_bytes()[self.i..]
            .iter()
            .all(|b| matches!(b, b'\n' | b'\r'))
    }

    fn quoted_value(&mut self) -> Result<Cow<'a, str>, Problem> {
        let open = self.at();
        self.bump();
        let start = self.i;
        let mut doubled = false;
        loop {
            match self.peek() {
                None => {
                    return Err(Problem::new(
                        open,
                        "the quote opening this value is never closed (unbalanced quotes)",
                    ));
                }
                Some(b'"') => {
                    self.bump();
                    if self.peek() == Some(b'"') {
                        self.bump();
                        doubled = true;
                    } else {
                        break;
                    }
                }
                Some(_) => self.bump(),
            }
        }
        let raw = &self.text[start..self.i - 1];
        if !matches!(self.peek(), None | Some(b',' | b'\n' | b'\r')) {
            return Err(Problem::new(
                self.at(),
                "text after the closing quote of a value: nothing may stand between a closing \
                 quote and the next comma, not even a space",
            ));
        }
        Ok(if doubled {
            Cow::Owned(raw.replace("\"\"", "\""))
        } else {
            Cow::Borrowed(raw)
        })
    }

    fn plain_value(&mut self) -> Result<Cow<'a, str>, Problem> {
        let start = self.i;
        while let Some(b) = self.peek() {
            match b {
                b',' | b'\n' | b'\r' => break,
                b'"' => {
                    return Err(Problem::new(
                        self.at(),
                        "a quote inside a value that does not start with one: wrap the whole \
                         value in quotes and double this quote (\"\")",
                    ));
                }
                _ => self.bump(),
            }
        }
        Ok(Cow::Borrowed(&self.text[start..self.i]))
    }

    fn record(&mut self) -> Result<Record<'a>, Problem> {
        let start = self.i;
        if matches!(self.peek(), Some(b'\n' | b'\r')) {
            return Err(Problem::new(
                self.at(),
                "an empty line among the records: remove it (Salesforce would read it as a \
                 row of empty values)",
            ));
        }
        let mut values = Vec::new();
        let mut starts = Vec::new();
        loop {
            starts.push(self.at());
            let value = if self.peek() == Some(b'"') {
                self.quoted_value()?
            } else {
                self.plain_value()?
            };
            values.push(value);
            let end = self.at();
            let ending = match self.peek() {
                Some(b',') => {
                    self.bump();
                    continue;
                }
                None => None,
                Some(b'\n') => Some(LineEnding::Lf),
                _ => {
                    self.bump();
                    if self.peek() != Some(b'\n') {
                        return Err(Problem::new(
                            end,
                            "a carriage return alone ends this line: Salesforce reads LF or \
                             CRLF line endings",
                        ));
                    }
                    Some(LineEnding::Crlf)
                }
            };
            self.bump();
            return Ok(Record {
                values,
                starts,
                end,
                bytes: start..self.i,
                ending,
            });
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.i >= self.text.len() || self.only_blank_lines_left() {
            return None;
        }
        let record = self.record();
        self.failed = record.is_err();
        Some(record)
    }
}

/// Cuts the rows into jobs of at most `max` bytes each with the header (`header` bytes) in
/// front: ranges of row indexes. A row too big for any job is a problem at its start.
pub fn split_rows(
    header: usize,
    rows: &[(Range<usize>, Position)],
    max: usize,
) -> Result<Vec<Range<usize>>, Problem> {
    let mut parts = Vec::new();
    let mut first = 0;
    let mut size = header;
    for (i, (bytes, at)) in rows.iter().enumerate() {
        let len = bytes.len();
        if header + len > max {
            return Err(Problem::new(
                *at,
                format!(
                    "this row and the header take {} bytes, more than one job takes ({max})",
                    header + len
                ),
            ));
        }
        if size + len > max {
            parts.push(first..i);
            first = i;
            size = header;
        }
        size += len;
    }
    if first < rows.len() {
        parts.push(first..rows.len());
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Vec<String>>, Problem> {
        records(text)
            .map(|r| r.map(|r| r.values.iter().map(|v| v.to_string()).collect()))
            .collect()
    }

    fn pos(line: u64, column: u64) -> Position {
        Position { line, column }
    }

    #[test]
    fn values_quotes_and_line_breaks() {
        let rows =
            read("Name,Note\n\"Acme, Inc.\",\"say \"\"hi\"\"\nthere\"\nBeta,\n").expect("ok");
        assert_eq!(
            rows,
            vec![
                vec!["Name", "Note"],
                vec!["Acme, Inc.", "say \"hi\"\nthere"],
                vec!["Beta", ""]
            ]
        );
    }

    #[test]
    fn positions_count_characters_and_lines_inside_quotes() {
        let text = "Name,Ville\n\"a\nb\",Zürich\nÉté,x\r\n";
        let recs: Vec<Record<'_>> = records(text).collect::<Result<_, _>>().expect("ok");
        assert_eq!(recs[1].starts, vec![pos(2, 1), pos(3, 4)]);
        assert_eq!(recs[2].starts, vec![pos(4, 1), pos(4, 5)]);
        assert_eq!(recs[2].end, pos(4, 6));
        assert_eq!(recs[1].ending, Some(LineEnding::Lf));
        assert_eq!(recs[2].ending, Some(LineEnding::Crlf));
        assert_eq!(&text[recs[1].bytes.clone()], "\"a\nb\",Zürich\n");
    }

    #[test]
    fn strict_quoting_problems_are_located() {
        let unbalanced = read("Name\n\"Acme\nBeta\n").expect_err("unbalanced");
        assert_eq!(unbalanced.at, pos(2, 1));
        assert!(
            unbalanced.message.contains("never closed"),
            "{unbalanced:?}"
        );
        let after = read("A,B\n\"x\" ,y\n").expect_err("space after quote");
        assert_eq!(after.at, pos(2, 4));
        let inside = read("A,B\nx, \"y\"\n").expect_err("space before quote");
        assert_eq!(inside.at, pos(2, 4));
        let cr = read("A\rB\n").expect_err("bare CR");
        assert_eq!(cr.at, pos(1, 2));
        let blank = read("A\n1\n\n2\n").expect_err("blank line");
        assert_eq!(blank.at, pos(3, 1));
        assert_eq!(read("A\n1\n\n\n").expect("trailing blank lines").len(), 2);
    }

    #[test]
    fn bad_utf8_is_located() {
        let problem = decode(b"Name\nCaf\xE9\n").expect_err("latin-1");
        assert_eq!(problem.at, pos(2, 4));
        assert!(problem.message.contains("0xE9"), "{problem:?}");
        assert_eq!(decode(b"\xEF\xBB\xBFName\n").expect("bom"), "Name\n");
    }

    #[test]
    fn rows_are_split_at_record_boundaries() {
        let at = pos(2, 1);
        let rows: Vec<(Range<usize>, Position)> = [0..4, 4..8, 8..12, 12..16, 16..20]
            .into_iter()
            .map(|r| (r, at))
            .collect();
        assert_eq!(split_rows(5, &rows, 13), Ok(vec![0..2, 2..4, 4..5]));
        let whole = split_rows(5, &rows, 100).expect("fits");
        assert_eq!((whole.len(), whole[0].clone()), (1, 0..5));
        assert!(split_rows(5, &rows, 8).is_err());
        assert_eq!(split_rows(5, &[], 8), Ok(vec![]));
    }

    proptest::proptest! {
        /// On well-formed files the values are the `csv` crate's.
        #[test]
        fn values_match_the_csv_crate(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-zé,\"\n ]{0,6}", 3), 1..6),
            crlf: bool,
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            for row in &rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|v| {
                        if v.contains([',', '"', '\n']) || v.is_empty() {
                            format!("\"{}\"", v.replace('"', "\"\""))
                        } else {
                            v.clone()
                        }
                    })
                    .collect();
                text.push_str(&cells.join(","));
                text.push_str(eol);
            }
            let ours = read(&text).expect("well formed");
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            let theirs: Vec<Vec<String>> = reader
                .records()
                .map(|r| r.expect("csv").iter().map(str::to_owned).collect())
                .collect();
            proptest::prop_assert_eq!(ours, theirs);
        }
    }
}

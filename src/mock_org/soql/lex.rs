//! The SOQL tokenizer: turns query text into tokens that remember their byte position, so
//! errors can point at them the way Salesforce does (`ERROR at Row:1:Column:11`).

use jiff::Timestamp;
use jiff::civil::Date;

use super::SoqlError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A name or keyword, dots included (`Account.Owner.Name`, `SELECT`, `LAST_N_DAYS`).
    Word(String),
    /// A quoted string with its escapes resolved (`\%` and `\_` stay escaped for LIKE).
    Str(String),
    /// A number literal, sign included.
    Number(f64),
    /// `2024-01-31`.
    Date(Date),
    /// `2024-01-31T10:00:00Z`, `...+02:00`, fractional seconds allowed.
    DateTime(Timestamp),
    Comma,
    LParen,
    RParen,
    Colon,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// End of the query text.
    Eof,
}

/// One token: its kind, its source text and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub text: String,
    pub pos: usize,
}

impl Token {
    /// Whether this token is the keyword `kw` (given in upper case).
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

/// Salesforce's caret diagram for an error at byte offset `pos` of `soql`:
/// `"\n<line>\n<spaces>^\nERROR at Row:R:Column:C\n<detail>"`.
pub(crate) fn diagram(soql: &str, pos: usize, detail: &str) -> String {
    let pos = pos.min(soql.len());
    let before = soql.get(..pos).unwrap_or(soql);
    let row = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = soql[line_start..]
        .find('\n')
        .map_or(soql.len(), |i| line_start + i);
    let line = soql[line_start..line_end].trim_end_matches('\r');
    let col = before[line_start..].chars().count() + 1;
    format!(
        "\n{line}\n{}^\nERROR at Row:{row}:Column:{col}\n{detail}",
        " ".repeat(col - 1)
    )
}

/// A `MALFORMED_QUERY` error pointing at `pos`.
pub(crate) fn malformed(soql: &str, pos: usize, detail: &str) -> SoqlError {
    SoqlError {
        code: "MALFORMED_QUERY",
        message: diagram(soql, pos, detail),
    }
}

/// The `unexpected token: X` error for `tok`.
pub(crate) fn unexpected(soql: &str, tok: &Token) -> SoqlError {
    let shown = if tok.kind == TokenKind::Eof {
        "<EOF>"
    } else {
        tok.text.as_str()
    };
    malformed(soql, tok.pos, &format!("unexpected token: {shown}"))
}

/// Splits `soql` into tokens, ending with [`TokenKind::Eof`].
pub(crate) fn tokenize(soql: &str) -> Result<Vec<Token>, SoqlError> {
    let bytes = soql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let simple = |kind: TokenKind, len: usize| Token {
            kind,
            text: soql[start..start + len].to_string(),
            pos: start,
        };
        let next = bytes.get(i + 1).copied();
        let tok = match c {
            b',' => simple(TokenKind::Comma, 1),
            b'(' => simple(TokenKind::LParen, 1),
            b')' => simple(TokenKind::RParen, 1),
            b':' => simple(TokenKind::Colon, 1),
            b'=' => simple(TokenKind::Eq, 1),
            b'!' if next == Some(b'=') => simple(TokenKind::Ne, 2),
            b'<' if next == Some(b'>') => simple(TokenKind::Ne, 2),
            b'<' if next == Some(b'=') => simple(TokenKind::Le, 2),
            b'<' => simple(TokenKind::Lt, 1),
            b'>' if next == Some(b'=') => simple(TokenKind::Ge, 2),
            b'>' => simple(TokenKind::Gt, 1),
            b'\'' => lex_string(soql, start)?,
            b'0'..=b'9' => lex_number_or_date(soql, start)?,
            b'-' | b'+' if next.is_some_and(|n| n.is_ascii_digit() || n == b'.') => {
                lex_number_or_date(soql, start)?
            }
            b'.' if next.is_some_and(|n| n.is_ascii_digit()) => lex_number_or_date(soql, start)?,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let len = bytes[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'.')
                    .count();
                let text = &soql[start..start + len];
                Token {
                    kind: TokenKind::Word(text.to_string()),
                    text: text.to_string(),
                    pos: start,
                }
            }
            _ => {
                let ch = soql[start..].chars().next().unwrap_or('?');
                let tok = Token {
                    kind: TokenKind::Eof,
                    text: ch.to_string(),
                    pos: start,
                };
                return Err(malformed(
                    soql,
                    start,
                    &format!("unexpected token: {}", tok.text),
                ));
            }
        };
        i = tok.pos + tok.text.len();
        out.push(tok);
    }
    out.push(Token {
        kind: TokenKind::Eof,
        text: String::new(),
        pos: soql.len(),
    });
    Ok(out)
}

/// A quoted string starting at `start` (on the opening quote).
fn lex_string(soql: &str, start: usize) -> Result<Token, SoqlError> {
    let mut value = String::new();
    let mut chars = soql[start + 1..].char_indices();
    while let Some((off, ch)) = chars.next() {
        match ch {
            '\'' => {
                let end = start + 1 + off + 1;
                return Ok(Token {
                    kind: TokenKind::Str(value),
                    text: soql[start..end].to_string(),
                    pos: start,
                });
            }
            '\\' => {
                let Some((eoff, esc)) = chars.next() else {
                    break;
                };
                match esc {
                    '\'' | '"' | '\\' => value.push(esc),
                    'n' => value.push('\n'),
                    'r' => value.push('\r'),
                    't' => value.push('\t'),
                    'b' => value.push('\u{8}'),
                    'f' => value.push('\u{c}'),
                    // Kept escaped: only LIKE gives them a meaning.
                    '%' | '_' => {
                        value.push('\\');
                        value.push(esc);
                    }
                    _ => {
                        return Err(malformed(
                            soql,
                            start + 1 + eoff - 1,
                            &format!(
                                "Invalid string literal '{}'. Illegal character sequence '\\{esc}' in string literal.",
                                &soql[start..]
                            ),
                        ));
                    }
                }
            }
            _ => value.push(ch),
        }
    }
    Err(malformed(soql, start, "unexpected token: '"))
}

/// A number, a date or a datetime starting at `start`.
fn lex_number_or_date(soql: &str, start: usize) -> Result<Token, SoqlError> {
    let rest = &soql[start..];
    let b = rest.as_bytes();
    let digits = |from: usize| {
        b[from.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    // yyyy-mm-dd
    if digits(0) == 4
        && b.get(4) == Some(&b'-')
        && digits(5) == 2
        && b.get(7) == Some(&b'-')
        && digits(8) == 2
    {
        let mut len = 10;
        let is_datetime = b.get(10) == Some(&b'T');
        if is_datetime {
            // Thh:mm:ss[.fff](Z|+hh:mm|-hh:mm|+hhmm)
            let ok_time = digits(11) == 2
                && b.get(13) == Some(&b':')
                && digits(14) == 2
                && b.get(16) == Some(&b':')
                && digits(17) == 2;
            len = 19;
            if ok_time && b.get(19) == Some(&b'.') {
                len = 20 + digits(20);
            }
            let zone_len = match b.get(len) {
                Some(b'Z' | b'z') => 1,
                Some(b'+' | b'-')
                    if digits(len + 1) == 2
                        && b.get(len + 3) == Some(&b':')
                        && digits(len + 4) == 2 =>
                {
                    6
                }
                Some(b'+' | b'-') if digits(len + 1) == 4 => 5,
                _ => 0,
            };
            let text = prefix(rest, len + zone_len);
            if !ok_time || zone_len == 0 {
                return Err(malformed(soql, start, &format!("unexpected token: {text}")));
            }
            len += zone_len;
            let text = &rest[..len];
            let normalized = if zone_len == 5 {
                // +hhmm → +hh:mm for the RFC 3339 parser.
                format!("{}:{}", &text[..len - 2], &text[len - 2..])
            } else {
                text.to_string()
            };
            let ts: Timestamp = normalized
                .parse()
                .map_err(|_| malformed(soql, start, &format!("unexpected token: {text}")))?;
            return Ok(Token {
                kind: TokenKind::DateTime(ts),
                text: text.to_string(),
                pos: start,
            });
        }
        let text = &rest[..len];
        let parse = |r: std::ops::Range<usize>| text[r].parse::<i16>().ok();
        let date = match (parse(0..4), parse(5..7), parse(8..10)) {
            (Some(y), Some(m), Some(d)) => Date::new(
                y,
                i8::try_from(m).unwrap_or(0),
                i8::try_from(d).unwrap_or(0),
            )
            .ok(),
            _ => None,
        };
        let Some(date) = date else {
            return Err(malformed(soql, start, &format!("unexpected token: {text}")));
        };
        return Ok(Token {
            kind: TokenKind::Date(date),
            text: text.to_string(),
            pos: start,
        });
    }
    let mut len = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    len += digits(len);
    if b.get(len) == Some(&b'.') {
        len += 1 + digits(len + 1);
    }
    let text = &rest[..len];
    // A number glued to letters (`5abc`) is not a number.
    if b.get(len)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        let end = len
            + b[len..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
        return Err(malformed(
            soql,
            start,
            &format!("unexpected token: {}", &rest[..end]),
        ));
    }
    let value: f64 = text
        .parse()
        .map_err(|_| malformed(soql, start, &format!("unexpected token: {text}")))?;
    Ok(Token {
        kind: TokenKind::Number(value),
        text: text.to_string(),
        pos: start,
    })
}

/// The first `n` bytes of `s`, shortened to a character boundary.
fn prefix(s: &str, n: usize) -> &str {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

//! Evaluating the compiled WHERE condition on a row: typed comparisons (text without regard to
//! case, 15-character Ids, days and instants) and LIKE patterns.

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::Timestamp;
use serde_json::Value;

use super::super::SoqlSource;
use super::super::parse::CompareOp;
use super::resolve::Access;

/// A UTC instant as `YYYY-MM-DDTHH:MM:SS.sss`, which sorts like the instant.
pub(super) fn instant_key(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

/// A stored datetime (`2024-01-31T10:00:00.000+0000`, other offsets tolerated) as an
/// [`instant_key`].
fn stored_instant(s: &str) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    if b.len() == 28 && b[10] == b'T' && b[19] == b'.' && s.ends_with("+0000") {
        return Some(Cow::Borrowed(&s[..23]));
    }
    let ts = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", s)
        .and_then(|t| t.to_timestamp())
        .ok()
        .or_else(|| s.parse::<Timestamp>().ok())?;
    Some(Cow::Owned(instant_key(ts)))
}

/// The UTC day (`YYYY-MM-DD`) of a stored date or datetime.
fn stored_day(s: &str) -> Option<Cow<'_, str>> {
    if s.len() == 10 {
        return Some(Cow::Borrowed(s));
    }
    match stored_instant(s)? {
        Cow::Borrowed(k) => Some(Cow::Borrowed(&k[..10])),
        Cow::Owned(k) => Some(Cow::Owned(k[..10].to_string())),
    }
}

/// A literal prepared for comparison with one field.
#[derive(Debug, Clone)]
pub(super) enum Operand {
    Null,
    /// Lower-cased text.
    Text(String),
    /// A 15-character Id: matches the first 15 characters of stored Ids, case-sensitively.
    Id15(String),
    Like(LikePattern),
    Number(f64),
    Bool(bool),
    /// An inclusive range of UTC days, `YYYY-MM-DD`.
    Days(String, String),
    /// An [`instant_key`].
    Instant(String),
}

/// The compiled WHERE condition.
#[derive(Debug, Clone)]
pub(super) enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare {
        access: Access,
        op: CompareOp,
        operand: Operand,
    },
    In {
        access: Access,
        negated: bool,
        operands: Vec<Operand>,
    },
}

impl Filter {
    pub(super) fn matches(&self, source: &dyn SoqlSource, object: &str, pos: u32) -> bool {
        match self {
            Filter::And(a, b) => a.matches(source, object, pos) && b.matches(source, object, pos),
            Filter::Or(a, b) => a.matches(source, object, pos) || b.matches(source, object, pos),
            Filter::Not(a) => !a.matches(source, object, pos),
            Filter::Compare {
                access,
                op,
                operand,
            } => {
                let value = access.get(source, object, pos);
                let value = value.as_deref();
                match op {
                    CompareOp::Eq => equals(value, operand),
                    CompareOp::Ne => !equals(value, operand),
                    CompareOp::Like => match (value, operand) {
                        (Some(v), Operand::Like(p)) => p.matches(&text_of(v)),
                        (None, Operand::Null) => true,
                        _ => false,
                    },
                    CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => {
                        value.is_some_and(|v| ordered(v, *op, operand))
                    }
                }
            }
            Filter::In {
                access,
                negated,
                operands,
            } => {
                let value = access.get(source, object, pos);
                let value = value.as_deref();
                operands.iter().any(|o| equals(value, o)) != *negated
            }
        }
    }
}

/// A stored value as text (strings as they are, other JSON as printed).
fn text_of(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// Case-insensitive comparison of `a` with already lower-cased `lower`.
fn cmp_ci(a: &str, lower: &str) -> Ordering {
    a.chars().flat_map(char::to_lowercase).cmp(lower.chars())
}

fn equals(value: Option<&Value>, operand: &Operand) -> bool {
    let Some(v) = value else {
        return matches!(operand, Operand::Null);
    };
    match operand {
        Operand::Null | Operand::Like(_) => false,
        Operand::Text(t) => {
            let s = text_of(v);
            if s.is_ascii() && t.is_ascii() {
                s.eq_ignore_ascii_case(t)
            } else {
                cmp_ci(&s, t) == Ordering::Equal
            }
        }
        Operand::Id15(id) => v.as_str().is_some_and(|s| s.get(..15) == Some(id.as_str())),
        Operand::Number(n) => v.as_f64() == Some(*n),
        Operand::Bool(b) => v.as_bool() == Some(*b),
        Operand::Days(start, end) => v
            .as_str()
            .and_then(stored_day)
            .is_some_and(|d| *d >= **start && *d <= **end),
        Operand::Instant(k) => v
            .as_str()
            .and_then(stored_instant)
            .is_some_and(|s| *s == **k),
    }
}

/// `value op operand` for the ordering operators (value not null).
fn ordered(v: &Value, op: CompareOp, operand: &Operand) -> bool {
    let ord = match operand {
        Operand::Null | Operand::Like(_) => return false,
        Operand::Days(start, end) => {
            let Some(day) = v.as_str().and_then(stored_day) else {
                return false;
            };
            return match op {
                CompareOp::Lt => *day < **start,
                CompareOp::Le => *day <= **end,
                CompareOp::Gt => *day > **end,
                CompareOp::Ge => *day >= **start,
                _ => false,
            };
        }
        Operand::Text(t) => cmp_ci(&text_of(v), t),
        Operand::Id15(id) => {
            let s = text_of(v);
            s.get(..15).unwrap_or(&s).cmp(id.as_str())
        }
        Operand::Number(n) => match v.as_f64().and_then(|x| x.partial_cmp(n)) {
            Some(o) => o,
            None => return false,
        },
        Operand::Bool(b) => match v.as_bool() {
            Some(x) => x.cmp(b),
            None => return false,
        },
        Operand::Instant(k) => match v.as_str().and_then(stored_instant) {
            Some(s) => (*s).cmp(k.as_str()),
            None => return false,
        },
    };
    match op {
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        _ => false,
    }
}

/// A LIKE pattern: `%` any run, `_` one character, `\%` / `\_` literal; case-insensitive.
#[derive(Debug, Clone)]
pub(super) struct LikePattern(Vec<LikeToken>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LikeToken {
    Char(char),
    One,
    Many,
}

impl LikePattern {
    pub(super) fn new(pattern: &str) -> Self {
        let mut out = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => out.push(LikeToken::Many),
                '_' => out.push(LikeToken::One),
                '\\' => match chars.next() {
                    Some(e) => out.extend(e.to_lowercase().map(LikeToken::Char)),
                    None => out.push(LikeToken::Char('\\')),
                },
                c => out.extend(c.to_lowercase().map(LikeToken::Char)),
            }
        }
        LikePattern(out)
    }

    /// Wildcard matching with one backtrack point (linear for patterns without `%`).
    pub(super) fn matches(&self, text: &str) -> bool {
        let s: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        let p = &self.0;
        let (mut si, mut pi) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while si < s.len() {
            match p.get(pi) {
                Some(LikeToken::Many) => {
                    star = Some((pi, si));
                    pi += 1;
                }
                Some(LikeToken::One) => {
                    si += 1;
                    pi += 1;
                }
                Some(LikeToken::Char(c)) if *c == s[si] => {
                    si += 1;
                    pi += 1;
                }
                _ => match star {
                    Some((sp, ss)) => {
                        pi = sp + 1;
                        si = ss + 1;
                        star = Some((sp, ss + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi.min(p.len())..].iter().all(|t| *t == LikeToken::Many)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matching() {
        let m = |p: &str, t: &str| LikePattern::new(p).matches(t);
        assert!(m("%a%b", "xxAaB"));
        assert!(m("a%b%c", "abbbcbc"));
        assert!(!m("a%b%c", "abbbcb"));
        assert!(m("_%_", "ab"));
        assert!(!m("_%_", "a"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("%", ""));
        assert!(m("100\\%", "100%"));
        assert!(!m("100\\%", "1000"));
        assert!(m("ÉCO%", "école"));
        assert!(m("a\\", "a\\"));
    }

    #[test]
    fn stored_datetimes_normalize_to_utc() {
        assert_eq!(
            stored_instant("2024-01-31T10:00:00.000+0000").as_deref(),
            Some("2024-01-31T10:00:00.000")
        );
        assert_eq!(
            stored_instant("2024-01-31T10:00:00.000+0100").as_deref(),
            Some("2024-01-31T09:00:00.000")
        );
        assert_eq!(
            stored_instant("2024-01-31T10:00:00Z").as_deref(),
            Some("2024-01-31T10:00:00.000")
        );
        assert_eq!(
            stored_day("2024-01-31T23:30:00.000-0100").as_deref(),
            Some("2024-02-01")
        );
        assert_eq!(stored_day("2024-01-31").as_deref(), Some("2024-01-31"));
        assert_eq!(stored_instant("garbage"), None);
    }
}

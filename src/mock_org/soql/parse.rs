//! The SOQL parser: query text to [`Query`], syntax only (names are not checked against a
//! schema; [`super::execute`] does that).

use jiff::Timestamp;
use jiff::civil::Date;

use super::SoqlError;
use super::lex::{Token, TokenKind, malformed, tokenize, unexpected};

/// A parsed SOQL query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The SELECT list, in query order.
    pub select: Vec<SelectItem>,
    /// The object after FROM, as written.
    pub from: Name,
    /// The WHERE condition, if any.
    pub condition: Option<Condition>,
    /// GROUP BY fields (empty without GROUP BY).
    pub group_by: Vec<FieldPath>,
    /// ORDER BY columns, most significant first (empty without ORDER BY).
    pub order_by: Vec<OrderItem>,
    /// LIMIT n.
    pub limit: Option<u64>,
    /// OFFSET n.
    pub offset: Option<u64>,
}

/// A name as written in the query, with the byte offset where it starts (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub pos: usize,
}

/// A field reference: `Name`, or a parent path `Account.Owner.Name` (relationships, then the
/// field), each part as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// The parts, split on dots; never empty.
    pub parts: Vec<String>,
    /// Byte offset of the path in the query.
    pub pos: usize,
}

impl FieldPath {
    /// The path as written, dots included.
    pub fn dotted(&self) -> String {
        self.parts.join(".")
    }
}

/// One item of the SELECT list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// A field or a parent path.
    Field(FieldPath),
    /// `COUNT()`; byte offset of `COUNT`.
    Count { pos: usize },
    /// An aggregate function of a field (`COUNT(Id)`, `SUM(Amount) total`).
    Aggregate {
        function: Aggregate,
        field: FieldPath,
        /// The alias after it, if any (its key in the results; `exprN` otherwise).
        alias: Option<String>,
        /// Byte offset of the function's name.
        pos: usize,
    },
    /// A parent-to-child subquery, `(SELECT LastName FROM Contacts WHERE ...)`: its FROM is
    /// a child relationship name of the outer object.
    SubQuery {
        query: Box<Query>,
        /// Byte offset of the opening parenthesis.
        pos: usize,
    },
}

/// An aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
}

impl Aggregate {
    /// The function named `word` (any case).
    fn named(word: &str) -> Option<Aggregate> {
        [
            ("COUNT", Aggregate::Count),
            ("COUNT_DISTINCT", Aggregate::CountDistinct),
            ("SUM", Aggregate::Sum),
            ("AVG", Aggregate::Avg),
            ("MIN", Aggregate::Min),
            ("MAX", Aggregate::Max),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, f)| f)
    }

    /// The name as Salesforce writes it (`COUNT_DISTINCT`).
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Count => "COUNT",
            Aggregate::CountDistinct => "COUNT_DISTINCT",
            Aggregate::Sum => "SUM",
            Aggregate::Avg => "AVG",
            Aggregate::Min => "MIN",
            Aggregate::Max => "MAX",
        }
    }
}

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    /// `field op value`.
    Compare {
        field: FieldPath,
        op: CompareOp,
        value: Literal,
    },
    /// `field IN (...)` or, with `negated`, `field NOT IN (...)`.
    In {
        field: FieldPath,
        negated: bool,
        values: Vec<Literal>,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    /// `!=` or `<>`.
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
}

/// A literal value in a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A quoted string, escapes resolved (LIKE's `\%` and `\_` kept escaped).
    String(String),
    Number(f64),
    Boolean(bool),
    Null,
    Date(Date),
    DateTime(Timestamp),
    /// TODAY, LAST_N_DAYS:n, ...: a range of days relative to the current UTC date.
    Relative(RelativeDate),
}

/// A relative date literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelativeDate {
    Today,
    Yesterday,
    Tomorrow,
    /// Today and the n days before it.
    LastNDays(u32),
    /// The n days after today.
    NextNDays(u32),
    ThisMonth,
    LastMonth,
    ThisYear,
}

/// One ORDER BY column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItem {
    pub field: FieldPath,
    pub descending: bool,
    /// `NULLS LAST` given explicitly (`Some(true)`), `NULLS FIRST` (`Some(false)`), or the default
    /// (`None`: nulls first ascending, last descending).
    pub nulls_last: Option<bool>,
}

impl OrderItem {
    /// Whether nulls sort after the values, explicit or by default.
    pub fn effective_nulls_last(&self) -> bool {
        self.nulls_last.unwrap_or(self.descending)
    }
}

/// Parses `soql` (syntax only: no schema checks). Errors are `MALFORMED_QUERY` with
/// Salesforce's caret diagram.
pub fn parse(soql: &str) -> Result<Query, SoqlError> {
    let tokens = tokenize(soql)?;
    let mut p = Parser {
        soql,
        tokens,
        at: 0,
    };
    p.query(false)
}

struct Parser<'a> {
    soql: &'a str,
    tokens: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // tokenize always ends with Eof, and `bump` never moves past it.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let tok = self.peek().clone();
        if tok.kind != TokenKind::Eof {
            self.at += 1;
        }
        tok
    }

    fn err(&self) -> SoqlError {
        unexpected(self.soql, self.peek())
    }

    fn expect_kw(&mut self, kw: &str) -> Result<Token, SoqlError> {
        if self.peek().is_kw(kw) {
            Ok(self.bump())
        } else {
            Err(self.err())
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek().is_kw(kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, kind: &TokenKind) -> Result<Token, SoqlError> {
        if &self.peek().kind == kind {
            Ok(self.bump())
        } else {
            Err(self.err())
        }
    }

    /// A query up to the end of the text, or (`nested`) up to the `)` closing a subquery.
    fn query(&mut self, nested: bool) -> Result<Query, SoqlError> {
        self.expect_kw("SELECT")?;
        let mut select = Vec::new();
        loop {
            select.push(self.select_item(nested)?);
            if self.peek().kind == TokenKind::Comma {
                self.bump();
            } else {
                break;
            }
        }
        self.expect_kw("FROM")?;
        let from = match &self.peek().kind {
            TokenKind::Word(w) if !w.contains('.') && !is_reserved(w) => {
                let tok = self.bump();
                Name {
                    text: tok.text,
                    pos: tok.pos,
                }
            }
            _ => return Err(self.err()),
        };
        let condition = if self.eat_kw("WHERE") {
            Some(self.or_condition()?)
        } else {
            None
        };
        let mut group_by = Vec::new();
        if self.eat_kw("GROUP") {
            self.expect_kw("BY")?;
            loop {
                group_by.push(self.field_path()?);
                if self.peek().kind == TokenKind::Comma {
                    self.bump();
                } else {
                    break;
                }
            }
        }
        let mut order_by = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                order_by.push(self.order_item()?);
                if self.peek().kind == TokenKind::Comma {
                    self.bump();
                } else {
                    break;
                }
            }
        }
        let limit = if self.eat_kw("LIMIT") {
            Some(self.count_value()?)
        } else {
            None
        };
        let offset = if self.eat_kw("OFFSET") {
            Some(self.count_value()?)
        } else {
            None
        };
        let end = if nested {
            TokenKind::RParen
        } else {
            TokenKind::Eof
        };
        if self.peek().kind != end {
            return Err(self.err());
        }
        Ok(Query {
            select,
            from,
            condition,
            group_by,
            order_by,
            limit,
            offset,
        })
    }

    fn select_item(&mut self, nested: bool) -> Result<SelectItem, SoqlError> {
        let tok = self.peek().clone();
        // A subquery (one level only, as in Salesforce).
        if tok.kind == TokenKind::LParen
            && !nested
            && self
                .tokens
                .get(self.at + 1)
                .is_some_and(|t| t.is_kw("SELECT"))
        {
            self.bump();
            let query = self.query(true)?;
            self.expect(&TokenKind::RParen)?;
            return Ok(SelectItem::SubQuery {
                query: Box::new(query),
                pos: tok.pos,
            });
        }
        if tok.is_kw("COUNT")
            && self.tokens.get(self.at + 1).map(|t| &t.kind) == Some(&TokenKind::LParen)
        {
            self.bump();
            self.bump();
            if self.peek().kind == TokenKind::RParen {
                self.bump();
                return Ok(SelectItem::Count { pos: tok.pos });
            }
            self.at -= 2;
        }
        if let TokenKind::Word(w) = &tok.kind
            && let Some(function) = Aggregate::named(w)
            && self.tokens.get(self.at + 1).map(|t| &t.kind) == Some(&TokenKind::LParen)
        {
            self.bump();
            self.bump();
            let field = self.field_path()?;
            self.expect(&TokenKind::RParen)?;
            let alias = match &self.peek().kind {
                TokenKind::Word(w) if !w.contains('.') && !is_reserved(w) => Some(self.bump().text),
                _ => None,
            };
            return Ok(SelectItem::Aggregate {
                function,
                field,
                alias,
                pos: tok.pos,
            });
        }
        Ok(SelectItem::Field(self.field_path()?))
    }

    fn field_path(&mut self) -> Result<FieldPath, SoqlError> {
        let tok = self.peek().clone();
        match &tok.kind {
            TokenKind::Word(w)
                if !is_reserved(w)
                    && !w.starts_with('.')
                    && !w.ends_with('.')
                    && !w.contains("..") =>
            {
                self.bump();
                Ok(FieldPath {
                    parts: w.split('.').map(str::to_string).collect(),
                    pos: tok.pos,
                })
            }
            _ => Err(self.err()),
        }
    }

    fn order_item(&mut self) -> Result<OrderItem, SoqlError> {
        let field = self.field_path()?;
        let descending = if self.eat_kw("DESC") {
            true
        } else {
            self.eat_kw("ASC");
            false
        };
        let nulls_last = if self.eat_kw("NULLS") {
            if self.eat_kw("FIRST") {
                Some(false)
            } else {
                self.expect_kw("LAST")?;
                Some(true)
            }
        } else {
            None
        };
        Ok(OrderItem {
            field,
            descending,
            nulls_last,
        })
    }

    /// A non-negative integer (LIMIT, OFFSET).
    fn count_value(&mut self) -> Result<u64, SoqlError> {
        let tok = self.peek().clone();
        match tok.kind {
            TokenKind::Number(_) if tok.text.bytes().all(|b| b.is_ascii_digit()) => {
                let n = tok.text.parse().map_err(|_| unexpected(self.soql, &tok))?;
                self.bump();
                Ok(n)
            }
            _ => Err(self.err()),
        }
    }

    fn or_condition(&mut self) -> Result<Condition, SoqlError> {
        let mut left = self.and_condition()?;
        while self.eat_kw("OR") {
            let right = self.and_condition()?;
            left = Condition::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_condition(&mut self) -> Result<Condition, SoqlError> {
        let mut left = self.not_condition()?;
        while self.eat_kw("AND") {
            let right = self.not_condition()?;
            left = Condition::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not_condition(&mut self) -> Result<Condition, SoqlError> {
        if self.eat_kw("NOT") {
            return Ok(Condition::Not(Box::new(self.not_condition()?)));
        }
        if self.peek().kind == TokenKind::LParen {
            self.bump();
            let inner = self.or_condition()?;
            self.expect(&TokenKind::RParen)?;
            return Ok(inner);
        }
        self.simple_condition()
    }

    fn simple_condition(&mut self) -> Result<Condition, SoqlError> {
        let field = self.field_path()?;
        let tok = self.bump();
        let op = match tok.kind {
            TokenKind::Eq => CompareOp::Eq,
            TokenKind::Ne => CompareOp::Ne,
            TokenKind::Lt => CompareOp::Lt,
            TokenKind::Le => CompareOp::Le,
            TokenKind::Gt => CompareOp::Gt,
            TokenKind::Ge => CompareOp::Ge,
            _ if tok.is_kw("LIKE") => CompareOp::Like,
            _ if tok.is_kw("IN") => {
                return Ok(Condition::In {
                    field,
                    negated: false,
                    values: self.literal_list()?,
                });
            }
            _ if tok.is_kw("NOT") => {
                self.expect_kw("IN")?;
                return Ok(Condition::In {
                    field,
                    negated: true,
                    values: self.literal_list()?,
                });
            }
            _ => return Err(unexpected(self.soql, &tok)),
        };
        let value = self.literal()?;
        Ok(Condition::Compare { field, op, value })
    }

    fn literal_list(&mut self) -> Result<Vec<Literal>, SoqlError> {
        self.expect(&TokenKind::LParen)?;
        let mut values = vec![self.literal()?];
        while self.peek().kind == TokenKind::Comma {
            self.bump();
            values.push(self.literal()?);
        }
        self.expect(&TokenKind::RParen)?;
        Ok(values)
    }

    fn literal(&mut self) -> Result<Literal, SoqlError> {
        let tok = self.bump();
        let lit = match &tok.kind {
            TokenKind::Str(s) => Literal::String(s.clone()),
            TokenKind::Number(n) => Literal::Number(*n),
            TokenKind::Date(d) => Literal::Date(*d),
            TokenKind::DateTime(t) => Literal::DateTime(*t),
            TokenKind::Word(w) => match w.to_ascii_uppercase().as_str() {
                "TRUE" => Literal::Boolean(true),
                "FALSE" => Literal::Boolean(false),
                "NULL" => Literal::Null,
                "TODAY" => Literal::Relative(RelativeDate::Today),
                "YESTERDAY" => Literal::Relative(RelativeDate::Yesterday),
                "TOMORROW" => Literal::Relative(RelativeDate::Tomorrow),
                "THIS_MONTH" => Literal::Relative(RelativeDate::ThisMonth),
                "LAST_MONTH" => Literal::Relative(RelativeDate::LastMonth),
                "THIS_YEAR" => Literal::Relative(RelativeDate::ThisYear),
                "LAST_N_DAYS" => Literal::Relative(RelativeDate::LastNDays(self.n_days(&tok)?)),
                "NEXT_N_DAYS" => Literal::Relative(RelativeDate::NextNDays(self.n_days(&tok)?)),
                _ => return Err(unexpected(self.soql, &tok)),
            },
            _ => return Err(unexpected(self.soql, &tok)),
        };
        Ok(lit)
    }

    /// The `:n` after LAST_N_DAYS / NEXT_N_DAYS.
    fn n_days(&mut self, word: &Token) -> Result<u32, SoqlError> {
        if self.peek().kind != TokenKind::Colon {
            return Err(malformed(
                self.soql,
                word.pos,
                &format!("Invalid date literal: {}", word.text),
            ));
        }
        self.bump();
        let tok = self.peek().clone();
        match tok.kind {
            TokenKind::Number(_) if tok.text.bytes().all(|b| b.is_ascii_digit()) => {
                // Salesforce accepts up to a few thousand days; keep jiff's arithmetic in range.
                let n: u32 = tok
                    .text
                    .parse()
                    .ok()
                    .filter(|n| *n <= 1_000_000)
                    .ok_or_else(|| unexpected(self.soql, &tok))?;
                self.bump();
                Ok(n)
            }
            _ => Err(self.err()),
        }
    }
}

/// Keywords that cannot be a field or object name.
fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT",
        "OFFSET", "NULL", "TRUE", "FALSE", "ASC", "DESC", "NULLS", "GROUP", "HAVING",
    ];
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(parts: &[&str], pos: usize) -> FieldPath {
        FieldPath {
            parts: parts.iter().map(|p| p.to_string()).collect(),
            pos,
        }
    }

    fn cmp(name: &str, pos: usize, op: CompareOp, value: Literal) -> Condition {
        Condition::Compare {
            field: path(&[name], pos),
            op,
            value,
        }
    }

    #[test]
    fn parses_a_full_query() {
        let q = parse(
            "select Id, Account.Owner.Name, COUNT() from Contact where Name like 'a%' \
             order by Account.Name desc nulls first, Id limit 10 offset 5",
        )
        .expect("valid query");
        assert_eq!(
            q.select,
            vec![
                SelectItem::Field(path(&["Id"], 7)),
                SelectItem::Field(path(&["Account", "Owner", "Name"], 11)),
                SelectItem::Count { pos: 31 },
            ]
        );
        assert_eq!(
            q.from,
            Name {
                text: "Contact".into(),
                pos: 44
            }
        );
        assert_eq!(
            q.condition,
            Some(cmp(
                "Name",
                58,
                CompareOp::Like,
                Literal::String("a%".into())
            ))
        );
        assert_eq!(
            q.order_by,
            vec![
                OrderItem {
                    field: path(&["Account", "Name"], 82),
                    descending: true,
                    nulls_last: Some(false)
                },
                OrderItem {
                    field: path(&["Id"], 113),
                    descending: false,
                    nulls_last: None
                },
            ]
        );
        assert_eq!((q.limit, q.offset), (Some(10), Some(5)));
        assert!(!q.order_by[0].effective_nulls_last());
        assert!(!q.order_by[1].effective_nulls_last());
    }

    #[test]
    fn precedence_is_not_and_or() {
        let q = parse("SELECT Id FROM A WHERE NOT a = 1 AND b = 2 OR c = 3").expect("valid");
        let a = cmp("a", 27, CompareOp::Eq, Literal::Number(1.0));
        let b = cmp("b", 37, CompareOp::Eq, Literal::Number(2.0));
        let c = cmp("c", 46, CompareOp::Eq, Literal::Number(3.0));
        assert_eq!(
            q.condition,
            Some(Condition::Or(
                Box::new(Condition::And(
                    Box::new(Condition::Not(Box::new(a))),
                    Box::new(b)
                )),
                Box::new(c)
            ))
        );
        let q = parse("SELECT Id FROM A WHERE a = 1 AND (b = 2 OR c = 3)").expect("valid");
        let Some(Condition::And(_, right)) = q.condition else {
            panic!("expected AND")
        };
        assert!(matches!(*right, Condition::Or(..)));
    }

    #[test]
    fn parses_every_literal_kind() {
        let q = parse(
            "SELECT Id FROM A WHERE a IN ('it\\'s \\\\ \\n', -12, 3.5, true, FALSE, null, \
             2024-01-31, 2024-01-31T10:00:00Z, 2024-01-31T12:00:00.250+02:00, \
             2024-01-31T10:00:00-0100, TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:7, \
             NEXT_N_DAYS:3, THIS_MONTH, LAST_MONTH, THIS_YEAR)",
        )
        .expect("valid");
        let Some(Condition::In {
            values,
            negated: false,
            ..
        }) = q.condition
        else {
            panic!("expected IN")
        };
        let ts = |s: &str| Literal::DateTime(s.parse().expect("timestamp"));
        assert_eq!(
            values,
            vec![
                Literal::String("it's \\ \n".into()),
                Literal::Number(-12.0),
                Literal::Number(3.5),
                Literal::Boolean(true),
                Literal::Boolean(false),
                Literal::Null,
                Literal::Date(Date::new(2024, 1, 31).expect("date")),
                ts("2024-01-31T10:00:00Z"),
                ts("2024-01-31T10:00:00.25Z"),
                ts("2024-01-31T11:00:00Z"),
                Literal::Relative(RelativeDate::Today),
                Literal::Relative(RelativeDate::Yesterday),
                Literal::Relative(RelativeDate::Tomorrow),
                Literal::Relative(RelativeDate::LastNDays(7)),
                Literal::Relative(RelativeDate::NextNDays(3)),
                Literal::Relative(RelativeDate::ThisMonth),
                Literal::Relative(RelativeDate::LastMonth),
                Literal::Relative(RelativeDate::ThisYear),
            ]
        );
    }

    #[test]
    fn operators_and_not_in() {
        for (text, op) in [
            ("=", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<>", CompareOp::Ne),
            ("<", CompareOp::Lt),
            ("<=", CompareOp::Le),
            (">", CompareOp::Gt),
            (">=", CompareOp::Ge),
            ("LIKE", CompareOp::Like),
        ] {
            let q = parse(&format!("SELECT Id FROM A WHERE x {text} 1")).expect("valid");
            assert_eq!(
                q.condition,
                Some(cmp("x", 23, op, Literal::Number(1.0))),
                "{text}"
            );
        }
        let q = parse("SELECT Id FROM A WHERE x NOT IN ('a')").expect("valid");
        assert_eq!(
            q.condition,
            Some(Condition::In {
                field: path(&["x"], 23),
                negated: true,
                values: vec![Literal::String("a".into())]
            })
        );
    }

    #[test]
    fn syntax_errors_use_salesforce_diagram() {
        let e = parse("SELECT Id FRM Account").expect_err("invalid");
        assert_eq!(e.code, "MALFORMED_QUERY");
        assert_eq!(
            e.message,
            "\nSELECT Id FRM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: FRM"
        );
        let e = parse("SELECT Id FROM Account WHERE").expect_err("invalid");
        assert_eq!(
            e.message,
            "\nSELECT Id FROM Account WHERE\n                            ^\n\
             ERROR at Row:1:Column:29\nunexpected token: <EOF>"
        );
        let e = parse("SELECT Id\nFROM Account LIMIT -1").expect_err("invalid");
        assert_eq!(
            e.message,
            "\nFROM Account LIMIT -1\n                   ^\nERROR at Row:2:Column:20\nunexpected token: -1"
        );
        for bad in [
            "",
            "SELECT FROM Account",
            "SELECT Id, FROM Account",
            "SELECT Id FROM Account WHERE Name = 'x",
            "SELECT Id FROM Account WHERE Name = 'a\\q'",
            "SELECT Id FROM Account WHERE (Name = 'x'",
            "SELECT Id FROM Account WHERE Name 'x'",
            "SELECT Id FROM Account WHERE Name IN ()",
            "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS",
            "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:x",
            "SELECT Id FROM Account WHERE CreatedDate = 2024-02-30",
            "SELECT Id FROM Account WHERE CreatedDate = 2024-01-01T10:00:00",
            "SELECT Id FROM Account WHERE Name = 5abc",
            "SELECT Id FROM Account ORDER BY",
            "SELECT Id FROM Account ORDER BY Name NULLS",
            "SELECT Id FROM Account LIMIT 1.5",
            "SELECT Id FROM Account extra",
            "SELECT Account. FROM Contact",
            "SELECT Id FROM Account WHERE Name = 'x' #",
        ] {
            let e = parse(bad).expect_err(bad);
            assert_eq!(e.code, "MALFORMED_QUERY", "{bad}");
            assert!(
                e.message.contains("ERROR at Row:1:Column:"),
                "{bad}: {}",
                e.message
            );
        }
    }
}

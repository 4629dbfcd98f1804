//! A small SOQL evaluator used by the mock org until the full engine in [`super::soql`] provides
//! `execute`. Same interface: `SELECT` fields (with one-level parent paths) or `COUNT()`,
//! `FROM`, `WHERE` with `= != <> < <= > >= LIKE IN NOT IN`, `AND`/`OR`/`NOT` and parentheses,
//! `ORDER BY` (several keys, `ASC`/`DESC`, `NULLS FIRST|LAST`), `LIMIT`, `OFFSET`.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::soql::{FieldInfo, FieldKind, QueryOptions, QueryOutput, Row, SoqlError, SoqlSource};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

fn malformed(message: impl Into<String>) -> SoqlError {
    SoqlError {
        code: "MALFORMED_QUERY",
        message: message.into(),
    }
}

fn lex(q: &str) -> Result<Vec<Tok>, SoqlError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(malformed("unterminated string literal")),
                    Some('\\') => {
                        if let Some(n) = chars.get(i + 1) {
                            s.push(*n);
                        }
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while chars
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '+'))
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            match text.parse::<f64>() {
                Ok(n) => out.push(Tok::Num(n)),
                Err(_) => out.push(Tok::Word(text)),
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = match two.as_str() {
                "!=" => Some("!="),
                "<>" => Some("!="),
                "<=" => Some("<="),
                ">=" => Some(">="),
                _ => None,
            };
            if let Some(s) = sym {
                out.push(Tok::Sym(s));
                i += 2;
                continue;
            }
            let one = match c {
                '=' => "=",
                '<' => "<",
                '>' => ">",
                ',' => ",",
                '(' => "(",
                ')' => ")",
                _ => return Err(malformed(format!("unexpected token: {c}"))),
            };
            out.push(Tok::Sym(one));
            i += 1;
        }
    }
    Ok(out)
}

#[derive(Debug, Clone)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Path, &'static str, Value),
    Like(Path, String),
    In(Path, Vec<Value>, bool),
}

/// A resolved field path: the field on the queried object, optionally through a parent.
#[derive(Debug, Clone)]
struct Path {
    via: Option<(FieldInfo, String)>,
    field: FieldInfo,
}

struct Parser<'a, S: SoqlSource> {
    toks: Vec<Tok>,
    pos: usize,
    source: &'a S,
    object: String,
}

impl<S: SoqlSource> Parser<'_, S> {
    fn peek_kw(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.peek_kw(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), SoqlError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        let hit = matches!(self.toks.get(self.pos), Some(Tok::Sym(s)) if *s == sym);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn unexpected(&self) -> SoqlError {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => malformed(format!("unexpected token: {w}")),
            Some(Tok::Str(s)) => malformed(format!("unexpected token: '{s}'")),
            Some(Tok::Num(n)) => malformed(format!("unexpected token: {n}")),
            Some(Tok::Sym(s)) => malformed(format!("unexpected token: {s}")),
            None => malformed("unexpected token: <EOF>"),
        }
    }

    fn word(&mut self) -> Result<String, SoqlError> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Ok(w.clone())
            }
            _ => Err(self.unexpected()),
        }
    }

    fn path(&self, text: &str) -> Result<Path, SoqlError> {
        let no_column = |name: &str, object: &str| SoqlError {
            code: "INVALID_FIELD",
            message: format!(
                "No such column '{name}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
            ),
        };
        match text.split_once('.') {
            None => {
                let field = self
                    .source
                    .field(&self.object, text)
                    .ok_or_else(|| no_column(text, &self.object))?;
                Ok(Path { via: None, field })
            }
            Some((rel, name)) => {
                let link = self
                    .source
                    .relationship(&self.object, rel)
                    .ok_or_else(|| no_column(rel, &self.object))?;
                let target = link
                    .relationship
                    .as_ref()
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default();
                let field = self
                    .source
                    .field(&target, name)
                    .ok_or_else(|| no_column(name, &target))?;
                Ok(Path {
                    via: Some((link, target)),
                    field,
                })
            }
        }
    }

    fn literal(&mut self) -> Result<Value, SoqlError> {
        let tok = self
            .toks
            .get(self.pos)
            .cloned()
            .ok_or_else(|| self.unexpected())?;
        self.pos += 1;
        Ok(match tok {
            Tok::Str(s) => json!(s),
            Tok::Num(n) => json!(n),
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => Value::Null,
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => json!(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => json!(false),
            Tok::Word(w) if w.chars().next().is_some_and(|c| c.is_ascii_digit()) => json!(w),
            _ => {
                self.pos -= 1;
                return Err(self.unexpected());
            }
        })
    }

    fn or(&mut self) -> Result<Expr, SoqlError> {
        let mut left = self.and()?;
        while self.eat_kw("OR") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SoqlError> {
        let mut left = self.unary()?;
        while self.eat_kw("AND") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, SoqlError> {
        if self.eat_kw("NOT") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat_sym("(") {
            let inner = self.or()?;
            if !self.eat_sym(")") {
                return Err(self.unexpected());
            }
            return Ok(inner);
        }
        let name = self.word()?;
        let path = self.path(&name)?;
        if self.eat_kw("LIKE") {
            let pattern = match self.literal()? {
                Value::String(s) => s,
                _ => return Err(malformed("LIKE needs a string")),
            };
            return Ok(Expr::Like(path, pattern));
        }
        let negated = self.eat_kw("NOT");
        if self.eat_kw("IN") {
            if !self.eat_sym("(") {
                return Err(self.unexpected());
            }
            let mut values = vec![self.literal()?];
            while self.eat_sym(",") {
                values.push(self.literal()?);
            }
            if !self.eat_sym(")") {
                return Err(self.unexpected());
            }
            return Ok(Expr::In(path, values, negated));
        }
        if negated {
            return Err(self.unexpected());
        }
        let op = match self.toks.get(self.pos) {
            Some(Tok::Sym(s)) if matches!(*s, "=" | "!=" | "<" | "<=" | ">" | ">=") => *s,
            _ => return Err(self.unexpected()),
        };
        self.pos += 1;
        Ok(Expr::Cmp(path, op, self.literal()?))
    }
}

fn resolve<'a, S: SoqlSource>(source: &'a S, row: &'a Row, path: &Path) -> Option<&'a Value> {
    match &path.via {
        None => row.get(&path.field.name),
        Some((link, target)) => {
            let id = row.get(&link.name)?.as_str()?;
            source.row(target, id)?.get(&path.field.name)
        }
    }
}

fn compare(kind: FieldKind, a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::String(x), Value::String(y)) => Some(match kind {
            FieldKind::Date | FieldKind::DateTime => x
                .get(..y.len().min(x.len()))
                .unwrap_or(x)
                .cmp(y.get(..x.len().min(y.len())).unwrap_or(y)),
            _ => x.to_lowercase().cmp(&y.to_lowercase()),
        }),
        _ => None,
    }
}

fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    fn go(t: &[char], p: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('%') => (0..=t.len()).any(|i| go(&t[i..], &p[1..])),
            Some('_') => !t.is_empty() && go(&t[1..], &p[1..]),
            Some(c) => t.first() == Some(c) && go(&t[1..], &p[1..]),
        }
    }
    go(&t, &p)
}

fn eval<S: SoqlSource>(source: &S, row: &Row, expr: &Expr) -> bool {
    match expr {
        Expr::And(a, b) => eval(source, row, a) && eval(source, row, b),
        Expr::Or(a, b) => eval(source, row, a) || eval(source, row, b),
        Expr::Not(a) => !eval(source, row, a),
        Expr::Cmp(path, op, lit) => {
            let value = resolve(source, row, path).unwrap_or(&Value::Null);
            let ord = compare(path.field.kind, value, lit);
            match *op {
                "=" => ord == Some(Ordering::Equal),
                "!=" => ord != Some(Ordering::Equal),
                "<" => ord == Some(Ordering::Less),
                "<=" => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                ">" => ord == Some(Ordering::Greater),
                ">=" => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
                _ => false,
            }
        }
        Expr::Like(path, pattern) => resolve(source, row, path)
            .and_then(Value::as_str)
            .is_some_and(|t| like(t, pattern)),
        Expr::In(path, values, negated) => {
            let value = resolve(source, row, path).unwrap_or(&Value::Null);
            let hit = values
                .iter()
                .any(|v| compare(path.field.kind, value, v) == Some(Ordering::Equal));
            hit != *negated
        }
    }
}

/// Runs one query (see the module docs for the subset).
pub(crate) fn execute<S: SoqlSource>(
    q: &str,
    source: &S,
    options: QueryOptions<'_>,
) -> Result<QueryOutput, SoqlError> {
    let mut parser = Parser {
        toks: lex(q)?,
        pos: 0,
        source,
        object: String::new(),
    };
    parser.expect_kw("SELECT")?;
    let mut count = false;
    let mut select = Vec::new();
    if parser.peek_kw("COUNT") {
        parser.pos += 1;
        if !(parser.eat_sym("(") && parser.eat_sym(")")) {
            return Err(parser.unexpected());
        }
        count = true;
    } else {
        select.push(parser.word()?);
        while parser.eat_sym(",") {
            select.push(parser.word()?);
        }
    }
    parser.expect_kw("FROM")?;
    let name = parser.word()?;
    parser.object = source.object_name(&name).ok_or_else(|| SoqlError {
        code: "INVALID_TYPE",
        message: format!(
            "\n{q}\n^\nERROR at Row:1:Column:1\nsObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    })?;
    let paths: Vec<(String, Path)> = select
        .iter()
        .map(|s| parser.path(s).map(|p| (s.clone(), p)))
        .collect::<Result<_, _>>()?;
    let filter = if parser.eat_kw("WHERE") {
        Some(parser.or()?)
    } else {
        None
    };
    let mut order = Vec::new();
    if parser.eat_kw("ORDER") {
        parser.expect_kw("BY")?;
        loop {
            let name = parser.word()?;
            let path = parser.path(&name)?;
            let desc = parser.eat_kw("DESC");
            if !desc {
                parser.eat_kw("ASC");
            }
            let nulls_last = if parser.eat_kw("NULLS") {
                if parser.eat_kw("LAST") {
                    true
                } else {
                    parser.expect_kw("FIRST")?;
                    false
                }
            } else {
                desc
            };
            order.push((path, desc, nulls_last));
            if !parser.eat_sym(",") {
                break;
            }
        }
    }
    let mut limit = None;
    let mut offset = 0usize;
    if parser.eat_kw("LIMIT") {
        match parser.literal()? {
            Value::Number(n) => limit = n.as_f64().map(|f| f as usize),
            _ => return Err(parser.unexpected()),
        }
    }
    if parser.eat_kw("OFFSET") {
        match parser.literal()? {
            Value::Number(n) => offset = n.as_f64().map_or(0, |f| f as usize),
            _ => return Err(parser.unexpected()),
        }
    }
    if parser.pos < parser.toks.len() {
        return Err(parser.unexpected());
    }
    let object = parser.object.clone();
    let mut rows: Vec<&Row> = source
        .rows(&object)
        .filter(|r| options.include_deleted || r.get("IsDeleted") != Some(&Value::Bool(true)))
        .filter(|r| filter.as_ref().is_none_or(|f| eval(source, r, f)))
        .collect();
    if !order.is_empty() {
        rows.sort_by(|a, b| {
            for (path, desc, nulls_last) in &order {
                let va = resolve(source, a, path).filter(|v| !v.is_null());
                let vb = resolve(source, b, path).filter(|v| !v.is_null());
                let ord = match (va, vb) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => {
                        if *nulls_last {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        }
                    }
                    (Some(_), None) => {
                        if *nulls_last {
                            Ordering::Less
                        } else {
                            Ordering::Greater
                        }
                    }
                    (Some(x), Some(y)) => {
                        let o = compare(path.field.kind, x, y).unwrap_or(Ordering::Equal);
                        if *desc { o.reverse() } else { o }
                    }
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
    }
    let rows: Vec<&Row> = rows
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    if count {
        return Ok(QueryOutput {
            total_size: rows.len(),
            records: Vec::new(),
        });
    }
    let url =
        |t: &str, id: &str| format!("/services/data/v{}/sobjects/{t}/{id}", options.api_version);
    let records = rows
        .iter()
        .map(|row| {
            let id = row.get("Id").and_then(Value::as_str).unwrap_or_default();
            let mut out = Map::new();
            out.insert(
                "attributes".into(),
                json!({"type": object, "url": url(&object, id)}),
            );
            for (_, path) in &paths {
                match &path.via {
                    None => {
                        out.insert(
                            path.field.name.clone(),
                            row.get(&path.field.name).cloned().unwrap_or(Value::Null),
                        );
                    }
                    Some((link, target)) => {
                        let rel = link
                            .relationship
                            .as_ref()
                            .map(|(r, _)| r.clone())
                            .unwrap_or_default();
                        let parent_id = row.get(&link.name).and_then(Value::as_str);
                        let parent =
                            parent_id.and_then(|pid| source.row(target, pid).map(|p| (pid, p)));
                        match parent {
                            None => {
                                out.entry(rel).or_insert(Value::Null);
                            }
                            Some((pid, parent)) => {
                                let entry = out.entry(rel).or_insert_with(|| {
                                    json!({"attributes": {"type": target, "url": url(target, pid)}})
                                });
                                if let Value::Object(map) = entry {
                                    map.insert(
                                        path.field.name.clone(),
                                        parent
                                            .get(&path.field.name)
                                            .cloned()
                                            .unwrap_or(Value::Null),
                                    );
                                }
                            }
                        }
                    }
                }
            }
            Value::Object(out)
        })
        .collect::<Vec<_>>();
    Ok(QueryOutput {
        total_size: records.len(),
        records,
    })
}

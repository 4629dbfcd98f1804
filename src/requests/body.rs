//! Response bodies for display: the body is pretty-printed and split into lines once, when the
//! response arrives (render then draws only the visible lines), with a tiny syntax highlighter
//! per line, search, and a small JSONPath subset for filtering.
//!
//! The JSONPath subset ([`filter`]): an optional leading `$`, then any of `.name`, `["name"]`,
//! `[n]` (negative counts from the end), `[*]` and `.*` (every element or member). Several
//! matches are shown as an array. Examples: `.records[0].Name`, `$.records[*].Id`,
//! `$.contacts[-1]["LastName"]`.

use serde_json::Value;

/// Bodies larger than this are written to a file and only a preview is shown.
pub const LARGE_BODY: usize = 2 * 1024 * 1024;
/// How much of a large body the preview shows.
pub const PREVIEW_BYTES: usize = 256 * 1024;

/// What a body is, for pretty-printing and highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Xml,
    Text,
}

/// Guesses the kind from the content type, else from the first non-blank character.
pub fn kind_of(content_type: Option<&str>, body: &[u8]) -> BodyKind {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.contains("json") {
        return BodyKind::Json;
    }
    if ct.contains("xml") {
        return BodyKind::Xml;
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => BodyKind::Json,
        Some(b'<') => BodyKind::Xml,
        _ => BodyKind::Text,
    }
}

/// Re-indents JSON text by two spaces without parsing it, so a truncated preview of a large
/// body is still readable. Whitespace outside strings is dropped and re-added.
pub fn reindent_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Keep `{}` and `[]` on one line.
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// The body pretty-printed for its kind (XML that does not parse stays as it is).
pub fn pretty(kind: BodyKind, text: &str) -> String {
    match kind {
        BodyKind::Json => reindent_json(text),
        BodyKind::Xml => super::soap::pretty_print(text).unwrap_or_else(|_| text.to_string()),
        BodyKind::Text => text.to_string(),
    }
}

/// A body split into display lines, built once per response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyText {
    pub kind: BodyKind,
    pub lines: Vec<String>,
}

impl BodyText {
    /// Pretty-prints `raw` and splits it into lines.
    pub fn new(kind: BodyKind, raw: &str) -> BodyText {
        let text = pretty(kind, raw);
        BodyText {
            kind,
            lines: text.lines().map(str::to_string).collect(),
        }
    }

    /// Lines that are already formatted (a filter result, a note).
    pub fn from_lines(kind: BodyKind, lines: Vec<String>) -> BodyText {
        BodyText { kind, lines }
    }

    /// The line numbers containing `needle`, case-insensitive.
    pub fn find(&self, needle: &str) -> Vec<usize> {
        if needle.is_empty() {
            return Vec::new();
        }
        let needle = needle.to_lowercase();
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    /// The whole text again.
    pub fn joined(&self) -> String {
        self.lines.join("\n")
    }
}

/// Highlight classes of a piece of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Plain,
    /// A JSON object key.
    Key,
    /// A string value.
    Str,
    /// A number, `true`, `false`, `null`.
    Literal,
    /// An XML tag name with its brackets.
    Tag,
    /// An XML attribute name.
    Attr,
}

/// Splits one display line into highlighted pieces.
pub fn highlight(kind: BodyKind, line: &str) -> Vec<(Tok, &str)> {
    match kind {
        BodyKind::Json => highlight_json(line),
        BodyKind::Xml => highlight_xml(line),
        BodyKind::Text => vec![(Tok::Plain, line)],
    }
}

fn highlight_json(line: &str) -> Vec<(Tok, &str)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            let rest = line[i..].trim_start();
            let tok = if rest.starts_with(':') {
                Tok::Key
            } else {
                Tok::Str
            };
            if plain_start < start {
                out.push((Tok::Plain, &line[plain_start..start]));
            }
            out.push((tok, &line[start..i]));
            plain_start = i;
        } else if b == b'-' || b.is_ascii_digit() || b == b't' || b == b'f' || b == b'n' {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'-' | b'+' | b'.'))
            {
                i += 1;
            }
            let word = &line[start..i];
            let literal = matches!(word, "true" | "false" | "null") || word.parse::<f64>().is_ok();
            if literal {
                if plain_start < start {
                    out.push((Tok::Plain, &line[plain_start..start]));
                }
                out.push((Tok::Literal, word));
                plain_start = i;
            }
        } else {
            i += 1;
        }
    }
    if plain_start < line.len() {
        out.push((Tok::Plain, &line[plain_start..]));
    }
    out
}

fn highlight_xml(line: &str) -> Vec<(Tok, &str)> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        if open > 0 {
            out.push((Tok::Plain, &rest[..open]));
        }
        let tag = &rest[open..];
        let close = tag.find('>').map_or(tag.len(), |c| c + 1);
        let inner = &tag[..close];
        // `<name` then attributes `a="b"` then `>`.
        let name_end = inner
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/' && inner.len() > 2)
            .map_or(inner.len(), |e| e.max(1));
        let name_end = if inner.starts_with("</") {
            inner.find('>').map_or(inner.len(), |e| e + 1)
        } else {
            name_end
        };
        out.push((Tok::Tag, &inner[..name_end]));
        let mut attrs = &inner[name_end..];
        while !attrs.is_empty() {
            if let Some(eq) = attrs.find('=') {
                out.push((Tok::Attr, &attrs[..eq]));
                let after = &attrs[eq..];
                // `="value"` up to the closing quote.
                let end = after
                    .char_indices()
                    .skip(2)
                    .find(|(_, c)| *c == '"' || *c == '\'')
                    .map_or(after.len(), |(i, _)| i + 1);
                out.push((Tok::Str, &after[..end]));
                attrs = &after[end..];
            } else {
                out.push((Tok::Tag, attrs));
                attrs = "";
            }
        }
        rest = &tag[close..];
    }
    if !rest.is_empty() {
        out.push((Tok::Plain, rest));
    }
    out
}

/// One step of a JSONPath expression.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Member(String),
    Index(i64),
    All,
}

/// Why a filter shows nothing: the expression does not parse, the body is not JSON, or
/// nothing matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// The expression as given (trimmed).
    pub expr: String,
    pub message: String,
    /// The character of `expr` (0-based, possibly its length: at the end) where it goes
    /// wrong, when the expression is the problem.
    pub at: Option<usize>,
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some(at) => write!(
                f,
                "{} at character {} of {}",
                self.message,
                at + 1,
                self.expr
            ),
            None => write!(f, "{}: {}", self.message, self.expr),
        }
    }
}

fn parse_path(expr: &str) -> Result<Vec<Step>, FilterError> {
    let expr = expr.trim();
    // Where `rest` (a suffix of `expr`) starts, in characters.
    let at = |rest: &str| expr[..expr.len() - rest.len()].chars().count();
    let error = |message: String, rest: &str| FilterError {
        expr: expr.to_string(),
        message,
        at: Some(at(rest)),
    };
    let mut rest = expr.strip_prefix('$').unwrap_or(expr);
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            if let Some(after) = after.strip_prefix('*') {
                steps.push(Step::All);
                rest = after;
                continue;
            }
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return Err(error("a name is missing after '.'".into(), after));
            }
            steps.push(Step::Member(after[..end].to_string()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after
                .find(']')
                .ok_or_else(|| error("a ']' is missing".into(), ""))?;
            let inside = after[..end].trim();
            let step = if inside == "*" {
                Step::All
            } else if let Some(quoted) = inside
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| inside.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
            {
                Step::Member(quoted.to_string())
            } else {
                Step::Index(inside.parse().map_err(|_| {
                    error(
                        format!("[{inside}] is not an index, * or a quoted name"),
                        after,
                    )
                })?)
            };
            steps.push(step);
            rest = &after[end + 1..];
        } else if steps.is_empty() && !rest.starts_with(['.', '[']) {
            // `records[0]`: the first name without its leading dot.
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            steps.push(Step::Member(rest[..end].to_string()));
            rest = &rest[end..];
        } else {
            return Err(error(format!("unexpected '{rest}'"), rest));
        }
    }
    Ok(steps)
}

/// Applies a JSONPath subset expression (see the module docs) to `value`: every match.
pub fn filter(value: &Value, expr: &str) -> Result<Vec<Value>, FilterError> {
    Ok(apply(value, &parse_path(expr)?))
}

fn apply(value: &Value, steps: &[Step]) -> Vec<Value> {
    let mut current = vec![value];
    for step in steps {
        let mut next = Vec::new();
        for v in current {
            match (step, v) {
                (Step::Member(name), Value::Object(map)) => next.extend(map.get(name)),
                (Step::Index(i), Value::Array(items)) => {
                    let len = items.len() as i64;
                    let at = if *i < 0 { len + i } else { *i };
                    if (0..len).contains(&at) {
                        next.extend(items.get(at as usize));
                    }
                }
                (Step::All, Value::Array(items)) => next.extend(items.iter()),
                (Step::All, Value::Object(map)) => next.extend(map.values()),
                _ => {}
            }
        }
        current = next;
    }
    current.into_iter().cloned().collect()
}

/// The filter's result as display text: one match as itself, several as an array; no match
/// is an error too (the view then shows the body, not an empty filter).
pub fn filter_text(body: &str, expr: &str) -> Result<String, FilterError> {
    // The expression first: its mistake is the one to fix whatever the body.
    let steps = parse_path(expr)?;
    let failed = |message: String| FilterError {
        expr: expr.trim().to_string(),
        message,
        at: None,
    };
    let value: Value =
        serde_json::from_str(body).map_err(|e| failed(format!("the body is not JSON ({e})")))?;
    let mut matches = apply(&value, &steps);
    let shown = match matches.len() {
        0 => return Err(failed("nothing matches it".into())),
        1 => matches.remove(0),
        _ => Value::Array(matches),
    };
    serde_json::to_string_pretty(&shown).map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reindents_json_even_when_truncated() {
        assert_eq!(
            reindent_json(r#"{"a":[1,2],"b":{},"c":"x,{y}"}"#),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": \"x,{y}\"\n}"
        );
        let cut = reindent_json(r#"{"records":[{"Id":"001","Na"#);
        assert!(cut.ends_with("\"Na"), "{cut}");
    }

    #[test]
    fn jsonpath_subset() {
        let v = json!({"records": [{"Name": "A", "Id": 1}, {"Name": "B", "Id": 2}], "done": true});
        assert_eq!(
            filter(&v, ".records[0].Name").expect("ok"),
            vec![json!("A")]
        );
        assert_eq!(filter(&v, "records[-1].Id").expect("ok"), vec![json!(2)]);
        assert_eq!(
            filter(&v, "$.records[*].Name").expect("ok"),
            vec![json!("A"), json!("B")]
        );
        assert_eq!(filter(&v, "$[\"done\"]").expect("ok"), vec![json!(true)]);
        assert_eq!(filter(&v, "$").expect("ok"), vec![v.clone()]);
        assert!(filter(&v, ".records[x]").is_err());
        assert!(filter(&v, ".records[0").is_err());
        assert!(filter(&v, ".nope").expect("ok").is_empty());
        assert!(filter_text("not json", ".a").is_err());
    }

    #[test]
    fn filter_errors_tell_where() {
        let v = json!({"a": [1]});
        let at = |expr: &str| filter(&v, expr).expect_err("invalid").at;
        // At the end, where the ']' is missing.
        assert_eq!(at("$.nope["), Some(7));
        let e = filter(&v, "$.nope[").expect_err("invalid");
        assert_eq!(e.to_string(), "a ']' is missing at character 8 of $.nope[");
        assert_eq!(at("$.a."), Some(4));
        assert_eq!(at("$.a[x]"), Some(4));
        assert_eq!(at("$.a[0]b"), Some(6));
        assert_eq!(
            at("  $.é["),
            Some(4),
            "characters of the trimmed expression"
        );
        // The expression is checked before the body; a body or no match has no position.
        assert_eq!(
            filter_text("not json", "$.a[").expect_err("bad").at,
            Some(4)
        );
        let none = filter_text(r#"{"a": 1}"#, "$.b").expect_err("no match");
        assert_eq!(
            (none.at, none.message.as_str()),
            (None, "nothing matches it")
        );
    }

    #[test]
    fn highlights_json_keys_strings_and_literals() {
        let toks = highlight(BodyKind::Json, r#"  "name": "Acme", "n": 12, "x": null"#);
        let kinds: Vec<Tok> = toks.iter().map(|(t, _)| *t).collect();
        assert!(kinds.contains(&Tok::Key));
        assert!(kinds.contains(&Tok::Str));
        assert!(toks.contains(&(Tok::Literal, "12")));
        assert!(toks.contains(&(Tok::Literal, "null")));
        let joined: String = toks.iter().map(|(_, s)| *s).collect();
        assert_eq!(joined, r#"  "name": "Acme", "n": 12, "x": null"#);
    }

    #[test]
    fn highlights_xml_tags() {
        let line = r#"  <sf:name xsi:nil="true">Acme</sf:name>"#;
        let toks = highlight(BodyKind::Xml, line);
        let joined: String = toks.iter().map(|(_, s)| *s).collect();
        assert_eq!(joined, line);
        assert!(toks.contains(&(Tok::Tag, "<sf:name")));
        assert!(toks.contains(&(Tok::Tag, "</sf:name>")));
        assert!(toks.iter().any(|(t, _)| *t == Tok::Attr));
    }

    #[test]
    fn kinds_and_search() {
        assert_eq!(kind_of(Some("application/json"), b""), BodyKind::Json);
        assert_eq!(kind_of(None, b"  <x/>"), BodyKind::Xml);
        assert_eq!(kind_of(Some("text/plain"), b"hi"), BodyKind::Text);
        let body = BodyText::new(BodyKind::Json, r#"{"a":"Acme","b":"x","c":"acme"}"#);
        assert_eq!(body.find("ACME"), vec![1, 3]);
    }
}

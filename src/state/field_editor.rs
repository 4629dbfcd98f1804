//! Field editors chosen from the describe type: text with a maximum length, multi-line text,
//! numbers with precision and scale, dates and datetimes, booleans, picklists and references by
//! name. Pure: an editor holds what is typed and turns it into a JSON value only when valid, so
//! invalid input never leaves it.

use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;

use crate::sf::FieldDescribe;
use crate::state::text_input::TextInput;

/// The kind of numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    Int,
    Double,
    Currency,
    Percent,
}

/// What kind of editor, from the describe `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum EditorKind {
    /// One line of text; `max` characters (0 = unlimited).
    Text {
        max: usize,
    },
    /// Several lines; enter is a newline.
    TextArea {
        max: usize,
    },
    Number {
        kind: NumberKind,
        precision: u32,
        scale: u32,
    },
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DD HH:MM[:SS]` in UTC, or with an offset.
    DateTime,
    Boolean,
    /// Values from describe; a restricted picklist only takes listed values.
    Picklist {
        values: Vec<(String, String)>,
        restricted: bool,
    },
    /// Search the target object by name and pick a result.
    Reference {
        target: String,
    },
}

/// What `submit` decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Submit {
    /// The value to stage.
    Accept(Value),
    /// Stays open; the reason is in [`FieldEditor::error`].
    Invalid,
    /// Reference editor: search the target for this text.
    Search { object: String, text: String },
}

/// An open editor for one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldEditor {
    pub field: String,
    pub label: String,
    /// `text(255)`, `picklist`, ...
    pub type_label: String,
    pub kind: EditorKind,
    pub nillable: bool,
    /// What is typed and the cursor (for the boolean editor: unused).
    pub input: TextInput,
    /// Boolean editor value.
    pub checked: bool,
    /// Highlighted entry of the picklist values (filtered) or reference results.
    pub choice: usize,
    /// Reference search results (id, name) and the text they are for.
    pub results: Vec<(String, String)>,
    pub searched: Option<String>,
    pub searching: bool,
    /// Why the last submit was refused.
    pub error: Option<String>,
}

/// `text(255)`, `picklist`, `reference(User)`, `currency(16,2)`, ...
pub fn type_label(field: &FieldDescribe) -> String {
    let t = field.field_type.as_str();
    match t {
        "string" => format!("text({})", field.length),
        "textarea" | "email" | "phone" | "url" | "encryptedstring" if field.length > 0 => {
            format!("{t}({})", field.length)
        }
        "reference" => format!("reference({})", field.reference_to.join("|")),
        "currency" | "double" | "percent" => {
            format!("{t}({},{})", field.precision, field.scale)
        }
        "int" => format!("number({},0)", field.digits.max(field.precision)),
        "multipicklist" => "multipicklist".into(),
        other => other.to_string(),
    }
}

/// Whether the describe type has an editor here (address, location, base64 are read-only).
pub fn is_editable_type(field: &FieldDescribe) -> bool {
    !matches!(
        field.field_type.as_str(),
        "id" | "address" | "location" | "base64" | "anyType" | "time" | "calculated"
    ) && !field.calculated
}

impl FieldEditor {
    /// An editor for `field` starting at `current`; `names` gives reference names by id.
    pub fn for_field(
        field: &FieldDescribe,
        current: &Value,
        names: &BTreeMap<String, (String, String)>,
    ) -> FieldEditor {
        let length = field.length as usize;
        let kind = match field.field_type.as_str() {
            "textarea" => EditorKind::TextArea { max: length },
            "int" | "long" => EditorKind::Number {
                kind: NumberKind::Int,
                precision: field.digits.max(field.precision),
                scale: 0,
            },
            "double" => EditorKind::Number {
                kind: NumberKind::Double,
                precision: field.precision,
                scale: field.scale,
            },
            "currency" => EditorKind::Number {
                kind: NumberKind::Currency,
                precision: field.precision,
                scale: field.scale,
            },
            "percent" => EditorKind::Number {
                kind: NumberKind::Percent,
                precision: field.precision,
                scale: field.scale,
            },
            "date" => EditorKind::Date,
            "datetime" => EditorKind::DateTime,
            "boolean" => EditorKind::Boolean,
            "picklist" | "combobox" | "multipicklist" => EditorKind::Picklist {
                values: field
                    .picklist_values
                    .iter()
                    .filter(|v| v.active)
                    .map(|v| (v.value.clone(), v.label.clone().unwrap_or_default()))
                    .collect(),
                restricted: field.restricted_picklist,
            },
            "reference" => EditorKind::Reference {
                target: field.reference_to.first().cloned().unwrap_or_default(),
            },
            _ => EditorKind::Text { max: length },
        };
        let text = match (&kind, current) {
            (_, Value::Null) => String::new(),
            (EditorKind::Reference { .. }, Value::String(id)) => names
                .get(id)
                .map_or_else(|| id.clone(), |(_, name)| name.clone()),
            (EditorKind::DateTime, Value::String(s)) => display_datetime(s),
            (_, Value::String(s)) => s.clone(),
            (_, Value::Number(n)) => match n.as_f64() {
                // 2500000.0 edits as 2500000 (a currency with scale 0 takes no decimals).
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => {
                    format!("{}", f as i64)
                }
                _ => n.to_string(),
            },
            (_, other) => other.to_string(),
        };
        let mut editor = FieldEditor {
            field: field.name.clone(),
            label: field.label.clone(),
            type_label: type_label(field),
            nillable: field.nillable,
            input: TextInput::new(text),
            checked: current.as_bool().unwrap_or(false),
            choice: 0,
            results: Vec::new(),
            searched: None,
            searching: false,
            error: None,
            kind,
        };
        if let (EditorKind::Reference { .. }, Value::String(id)) = (&editor.kind, current) {
            // The current target is the one result until the user searches.
            editor.results = vec![(id.clone(), editor.input.text().to_string())];
            editor.searched = Some(editor.input.text().to_string());
        }
        if let EditorKind::Picklist { values, .. } = &editor.kind {
            editor.choice = values
                .iter()
                .position(|(v, _)| v == editor.input.text())
                .unwrap_or(0);
            // Show every value at first; typing filters.
            editor.input.clear();
            if let Value::String(s) = current
                && !values.iter().any(|(v, _)| v == s)
            {
                editor.input.set_text(s.clone());
            }
        }
        editor
    }

    /// Whether enter is a newline here (the multi-line editor).
    pub fn is_multiline(&self) -> bool {
        matches!(self.kind, EditorKind::TextArea { .. })
    }

    /// The maximum length of a text editor (0 = none).
    pub fn max_len(&self) -> usize {
        match self.kind {
            EditorKind::Text { max } | EditorKind::TextArea { max } => max,
            _ => 0,
        }
    }

    /// Picklist values matching what is typed (all when nothing is).
    pub fn filtered(&self) -> Vec<&(String, String)> {
        match &self.kind {
            EditorKind::Picklist { values, .. } => {
                let needle = self.input.text().to_lowercase();
                values
                    .iter()
                    .filter(|(v, l)| {
                        needle.is_empty()
                            || v.to_lowercase().contains(&needle)
                            || l.to_lowercase().contains(&needle)
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Number of entries the up/down keys move through.
    fn choices(&self) -> usize {
        match &self.kind {
            EditorKind::Picklist { .. } => self.filtered().len(),
            EditorKind::Reference { .. } => self.results.len(),
            _ => 0,
        }
    }

    /// Moves the highlighted choice (picklist, reference results).
    pub fn move_choice(&mut self, by: isize) {
        let n = self.choices();
        if n == 0 {
            return;
        }
        self.choice = (self.choice as isize + by).rem_euclid(n as isize) as usize;
    }

    /// What is typed.
    pub fn text(&self) -> &str {
        self.input.text()
    }

    /// The cursor position in characters.
    pub fn cursor(&self) -> usize {
        self.input.cursor()
    }

    /// The text typed or pasted, a key at a time: the [`TextInput`] keys (ctrl-u clears to the
    /// start, ctrl-w / alt-backspace delete a word, ...), plus enter, tab and up/down in a
    /// multi-line editor.
    pub fn type_key(&mut self, key: KeyEvent) {
        if self.kind == EditorKind::Boolean {
            if key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            {
                return;
            }
            if matches!(
                key.code,
                KeyCode::Char(' ' | 'x') | KeyCode::Left | KeyCode::Right
            ) {
                self.checked = !self.checked;
                self.error = None;
            }
            return;
        }
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Enter if plain && self.is_multiline() => self.input.insert_char('\n'),
            KeyCode::Tab if plain && self.is_multiline() => self.input.insert_char('\t'),
            KeyCode::Up | KeyCode::Down if plain && self.is_multiline() => {
                self.move_line(key.code == KeyCode::Up);
            }
            _ => {
                if !self.input.handle_key(key).handled() {
                    return;
                }
            }
        }
        self.error = None;
        if matches!(self.kind, EditorKind::Picklist { .. }) {
            self.choice = 0;
        }
    }

    /// Whether `$EDITOR` can edit the value (`ctrl-e`): text, one line or several.
    pub fn takes_external_editor(&self) -> bool {
        self.is_multiline() || matches!(self.kind, EditorKind::Text { .. })
    }

    /// The text back from `$EDITOR`: all of it for a multi-line editor (less the newline
    /// editors add at the end), its first line for a one-line one; or why not.
    pub fn take_edited(&mut self, result: Result<String, String>) {
        match result {
            Ok(text) => {
                let text = if self.is_multiline() {
                    text.strip_suffix('\n').unwrap_or(&text).to_string()
                } else {
                    text.lines().next().unwrap_or_default().to_string()
                };
                self.input.set_text(text);
                self.error = None;
            }
            Err(e) => self.error = Some(format!("$EDITOR failed: {e}")),
        }
    }

    fn move_line(&mut self, up: bool) {
        let chars: Vec<char> = self.input.text().chars().collect();
        let cursor = self.input.cursor();
        let line_start = |pos: usize| {
            chars[..pos]
                .iter()
                .rposition(|c| *c == '\n')
                .map_or(0, |i| i + 1)
        };
        let start = line_start(cursor);
        let column = cursor - start;
        if up {
            if start == 0 {
                return;
            }
            let prev_start = line_start(start - 1);
            self.input.set_cursor((prev_start + column).min(start - 1));
        } else {
            let Some(end) = chars[cursor..].iter().position(|c| *c == '\n') else {
                return;
            };
            let next_start = cursor + end + 1;
            let next_end = chars[next_start..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(chars.len(), |i| next_start + i);
            self.input.set_cursor((next_start + column).min(next_end));
        }
    }

    /// The characters typed against the limit, e.g. `12/255`.
    pub fn counter(&self) -> Option<String> {
        let max = self.max_len();
        (max > 0).then(|| format!("{}/{max}", self.input.text().chars().count()))
    }

    /// Validates; on success the value to stage, else the reason is kept in `error`.
    pub fn submit(&mut self) -> Submit {
        match self.validate() {
            Ok(Submit::Accept(value)) => {
                self.error = None;
                Submit::Accept(value)
            }
            Ok(other) => other,
            Err(why) => {
                self.error = Some(why);
                Submit::Invalid
            }
        }
    }

    fn empty_value(&self) -> Result<Submit, String> {
        if self.nillable {
            Ok(Submit::Accept(Value::Null))
        } else {
            Err(format!("{} is required: it cannot be empty.", self.label))
        }
    }

    fn validate(&mut self) -> Result<Submit, String> {
        let text = self.input.text().trim();
        match &self.kind {
            EditorKind::Boolean => Ok(Submit::Accept(Value::Bool(self.checked))),
            EditorKind::Text { max } | EditorKind::TextArea { max } => {
                let raw = if self.is_multiline() {
                    self.input.text()
                } else {
                    text
                };
                let count = raw.chars().count();
                if raw.is_empty() {
                    return self.empty_value();
                }
                if *max > 0 && count > *max {
                    return Err(format!(
                        "{count} characters: at most {max} fit ({} too many).",
                        count - max
                    ));
                }
                if self.type_label.starts_with("email") && !valid_email(raw) {
                    return Err(format!(
                        "'{raw}' is not an email address (name@example.com)."
                    ));
                }
                Ok(Submit::Accept(Value::String(raw.to_string())))
            }
            EditorKind::Number {
                kind,
                precision,
                scale,
            } => {
                if text.is_empty() {
                    return self.empty_value();
                }
                parse_number(text, *kind, *precision, *scale).map(Submit::Accept)
            }
            EditorKind::Date => {
                if text.is_empty() {
                    return self.empty_value();
                }
                text.parse::<jiff::civil::Date>()
                    .map(|d| Submit::Accept(Value::String(d.to_string())))
                    .map_err(|_| {
                        format!("'{text}' is not a date: use YYYY-MM-DD, e.g. 2026-03-31.")
                    })
            }
            EditorKind::DateTime => {
                if text.is_empty() {
                    return self.empty_value();
                }
                parse_datetime(text).map(|s| Submit::Accept(Value::String(s)))
            }
            EditorKind::Picklist { values, restricted } => {
                let filtered = self.filtered();
                if let Some((value, _)) = filtered
                    .iter()
                    .find(|(v, _)| v.eq_ignore_ascii_case(text))
                    .or_else(|| filtered.get(self.choice))
                {
                    return Ok(Submit::Accept(Value::String(value.clone())));
                }
                if text.is_empty() {
                    return self.empty_value();
                }
                if *restricted {
                    let allowed = values
                        .iter()
                        .map(|(v, _)| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(format!(
                        "'{text}' is not a value of this restricted picklist. Allowed: {allowed}."
                    ));
                }
                Ok(Submit::Accept(Value::String(text.to_string())))
            }
            EditorKind::Reference { target } => {
                if text.is_empty() {
                    return self.empty_value();
                }
                if self.searched.as_deref() == Some(text) {
                    return match self.results.get(self.choice) {
                        Some((id, _)) => Ok(Submit::Accept(Value::String(id.clone()))),
                        None => Err(format!(
                            "No {target} named like '{text}'. Type another name and press enter."
                        )),
                    };
                }
                if crate::sf::id::normalize(text).is_some()
                    && !text.contains(' ')
                    && text.len() >= 15
                {
                    return Ok(Submit::Accept(Value::String(text.to_string())));
                }
                self.searching = true;
                self.searched = Some(text.to_string());
                self.results.clear();
                self.choice = 0;
                Ok(Submit::Search {
                    object: target.clone(),
                    text: text.to_string(),
                })
            }
        }
    }

    /// Results of a reference search arrived.
    pub fn on_found(&mut self, result: Result<Vec<(String, String)>, String>) {
        self.searching = false;
        match result {
            Ok(rows) => {
                if rows.is_empty() {
                    self.error = Some("Nothing found: type another name and press enter.".into());
                } else {
                    self.error = None;
                }
                self.results = rows;
                self.choice = 0;
            }
            Err(e) => {
                self.searched = None;
                self.error = Some(format!("Search failed: {e}"));
            }
        }
    }
}

fn valid_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Checks digits against precision and scale; the JSON number to send.
pub fn parse_number(
    text: &str,
    kind: NumberKind,
    precision: u32,
    scale: u32,
) -> Result<Value, String> {
    let cleaned: String = text.chars().filter(|c| *c != ',' && *c != '_').collect();
    let cleaned = cleaned.trim_end_matches('%').trim();
    let unsigned = cleaned.strip_prefix('-').unwrap_or(cleaned);
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_ok = !unsigned.is_empty()
        && int_part.chars().all(|c| c.is_ascii_digit())
        && frac_part.chars().all(|c| c.is_ascii_digit())
        && !(int_part.is_empty() && frac_part.is_empty());
    if !digits_ok {
        return Err(format!("'{text}' is not a number."));
    }
    if kind == NumberKind::Int && !frac_part.is_empty() {
        return Err(format!("'{text}': a whole number is needed."));
    }
    if frac_part.len() > scale as usize {
        return Err(format!(
            "'{text}': at most {scale} decimal place{}.",
            if scale == 1 { "" } else { "s" }
        ));
    }
    let int_digits = int_part.trim_start_matches('0').len();
    let max_int = precision.saturating_sub(scale) as usize;
    if precision > 0 && int_digits > max_int {
        return Err(format!(
            "'{text}': at most {max_int} digit{} before the decimal point.",
            if max_int == 1 { "" } else { "s" }
        ));
    }
    if kind == NumberKind::Int {
        return cleaned
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("'{text}' is too large."));
    }
    cleaned
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| format!("'{text}' is not a number."))
}

/// Accepts `YYYY-MM-DD HH:MM[:SS]` (UTC), `YYYY-MM-DDTHH:MM:SS[.sss]Z` or with an offset;
/// gives Salesforce's `2026-01-01T10:00:00.000+0000`.
pub fn parse_datetime(text: &str) -> Result<String, String> {
    let normalized = text.trim().replacen(' ', "T", 1);
    let timestamp = normalized
        .parse::<jiff::Timestamp>()
        .ok()
        .or_else(|| {
            // Salesforce's own form: +0000 without a colon.
            let fixed = if normalized.len() > 5 && normalized.ends_with("+0000") {
                format!("{}Z", &normalized[..normalized.len() - 5])
            } else {
                normalized.clone()
            };
            fixed.parse::<jiff::Timestamp>().ok()
        })
        .or_else(|| {
            normalized
                .parse::<jiff::civil::DateTime>()
                .ok()
                .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
        })
        .ok_or_else(|| {
            format!(
                "'{text}' is not a date and time: use YYYY-MM-DD HH:MM (UTC), \
                 e.g. 2026-03-31 14:30."
            )
        })?;
    Ok(timestamp.strftime("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string())
}

/// `2026-01-01T10:00:00.000+0000` → `2026-01-01 10:00:00` (UTC); other text unchanged.
pub fn display_datetime(text: &str) -> String {
    match parse_datetime(text) {
        Ok(s) => s.get(..19).map_or(s.clone(), |s| s.replacen('T', " ", 1)),
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_precision_and_scale() {
        assert_eq!(
            parse_number("1234.5", NumberKind::Currency, 18, 2),
            Ok(serde_json::json!(1234.5))
        );
        assert!(parse_number("1.234", NumberKind::Currency, 18, 2).is_err());
        assert!(parse_number("123", NumberKind::Percent, 3, 2).is_err());
        assert_eq!(
            parse_number("12", NumberKind::Int, 8, 0),
            Ok(serde_json::json!(12))
        );
        assert!(parse_number("1.5", NumberKind::Int, 8, 0).is_err());
        assert!(parse_number("abc", NumberKind::Double, 18, 2).is_err());
        assert!(parse_number("-", NumberKind::Double, 18, 2).is_err());
    }

    #[test]
    fn datetimes_become_salesforce_format() {
        assert_eq!(
            parse_datetime("2026-03-31 14:30").as_deref(),
            Ok("2026-03-31T14:30:00.000+0000")
        );
        assert_eq!(
            parse_datetime("2026-03-31T14:30:00.000+0000").as_deref(),
            Ok("2026-03-31T14:30:00.000+0000")
        );
        assert!(parse_datetime("31/03/2026").is_err());
        assert_eq!(
            display_datetime("2026-03-31T14:30:00.000+0000"),
            "2026-03-31 14:30:00"
        );
    }
}

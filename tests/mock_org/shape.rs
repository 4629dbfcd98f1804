//! Comparing the shape of a JSON answer with recorded ones: every key a recording has must be
//! in the answer with the same JSON type (objects key by key, arrays element by element,
//! `null` accepted only where a recording has `null`); the answer's other keys are listed as
//! extras. Several recordings (the elements of a recorded array, or a list of recordings) are
//! merged into one shape: a key is required when every recorded object has it, and a value
//! may have any type a recording gave it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    pub fn of(v: &Value) -> Kind {
        match v {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }
}

/// The merged shape of recorded values.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    kinds: BTreeSet<Kind>,
    /// Recorded objects merged in, and per key its shape and how many of them had it.
    objects: usize,
    keys: BTreeMap<String, (Shape, usize)>,
    /// The merged shape of every recorded array element.
    elements: Option<Box<Shape>>,
}

impl Shape {
    /// The shape of `values` merged.
    pub fn of<'a>(values: impl IntoIterator<Item = &'a Value>) -> Shape {
        let mut shape = Shape::default();
        for v in values {
            shape.merge(v);
        }
        shape
    }

    pub fn merge(&mut self, v: &Value) {
        self.kinds.insert(Kind::of(v));
        match v {
            Value::Object(map) => {
                self.objects += 1;
                for (k, v) in map {
                    let (shape, count) = self.keys.entry(k.clone()).or_default();
                    shape.merge(v);
                    *count += 1;
                }
            }
            Value::Array(items) => {
                let elements = self.elements.get_or_insert_with(Box::default);
                for item in items {
                    elements.merge(item);
                }
            }
            _ => {}
        }
    }

    /// The merged shape of the values of every key but `fixed` ones (a map keyed by data).
    fn map_values(&self, fixed: &[String]) -> Shape {
        let mut out = Shape::default();
        for (k, (shape, _)) in &self.keys {
            if !fixed.contains(k) {
                out.absorb(shape);
            }
        }
        out
    }

    fn absorb(&mut self, other: &Shape) {
        self.kinds.extend(other.kinds.iter().copied());
        self.objects += other.objects;
        for (k, (shape, count)) in &other.keys {
            let (mine, n) = self.keys.entry(k.clone()).or_default();
            mine.absorb(shape);
            *n += count;
        }
        if let Some(e) = &other.elements {
            self.elements.get_or_insert_with(Box::default).absorb(e);
        }
    }
}

/// Where a comparison is lenient, by path pattern: `$` the root, `.key` a key, `[]` any array
/// element, `.*` any key.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Objects keyed by data (app labels, URL names): `(path, fixed keys)`; keys other than
    /// the fixed ones are compared with the merged shape of the recorded ones' values.
    maps: Vec<(String, Vec<String>)>,
    /// Recorded keys the answer need not have, with the reason (listed in the report).
    not_required: Vec<(String, String)>,
    /// Values that may be `null` even where the recordings have a value (a record's field the
    /// describe says is nillable).
    nullable: Vec<String>,
}

impl Rules {
    pub fn map(mut self, path: &str, fixed: &[&str]) -> Rules {
        let fixed = fixed.iter().map(|k| (*k).to_owned()).collect();
        self.maps.push((path.to_owned(), fixed));
        self
    }

    pub fn not_required(mut self, path: &str, why: &str) -> Rules {
        self.not_required.push((path.to_owned(), why.to_owned()));
        self
    }

    pub fn nullable(mut self, path: &str) -> Rules {
        self.nullable.push(path.to_owned());
        self
    }
}

/// What a comparison found.
#[derive(Debug, Default)]
pub struct Report {
    /// Missing keys and wrong types: the answer is not shaped as the recordings.
    pub failures: Vec<String>,
    /// Keys the answer has and no recording has.
    pub extras: Vec<String>,
    /// Recorded keys missing where [`Rules::not_required`] allows it.
    pub allowed: Vec<String>,
}

fn matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    let q: Vec<&str> = path.split('.').collect();
    p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| *a == "*" || a == b)
}

fn kinds(kinds: &BTreeSet<Kind>) -> String {
    let names: Vec<String> = kinds.iter().map(|k| format!("{k:?}")).collect();
    names.join("|")
}

/// A readable name of an array element: its `name` (or other identifying key) when it has one.
fn element_name(item: &Value, index: usize) -> String {
    ["name", "referenceId", "Id", "id"]
        .iter()
        .find_map(|k| item.get(k).and_then(Value::as_str))
        .map_or_else(|| index.to_string(), str::to_owned)
}

/// Compares `answer` with the recorded `shape`. Paths are shown for people
/// (`$.sobjects[Profile].urls`) and matched by rules as patterns (`$.sobjects[].urls`).
pub fn compare(shape: &Shape, answer: &Value, rules: &Rules, report: &mut Report) {
    walk(shape, answer, "$", "$", rules, report);
}

fn walk(
    shape: &Shape,
    answer: &Value,
    shown: &str,
    pattern: &str,
    rules: &Rules,
    report: &mut Report,
) {
    let kind = Kind::of(answer);
    // A value only ever recorded as null says nothing of its type.
    if shape.kinds.iter().all(|k| *k == Kind::Null) {
        return;
    }
    if kind == Kind::Null && rules.nullable.iter().any(|p| matches(p, pattern)) {
        return;
    }
    if !shape.kinds.contains(&kind) {
        report.failures.push(format!(
            "{shown}: {kind:?} where the recordings have {}",
            kinds(&shape.kinds)
        ));
        return;
    }
    match answer {
        Value::Object(map) => {
            let fixed = rules
                .maps
                .iter()
                .find(|(p, _)| matches(p, pattern))
                .map(|(_, fixed)| fixed.as_slice());
            let is_fixed = |key: &str| fixed.is_none_or(|f| f.iter().any(|k| k == key));
            let data_values = fixed.map(|fixed| shape.map_values(fixed));
            for (key, (sub, count)) in &shape.keys {
                if !is_fixed(key) {
                    continue;
                }
                let child_shown = format!("{shown}.{key}");
                let child_pattern = format!("{pattern}.{key}");
                match map.get(key) {
                    Some(v) => walk(sub, v, &child_shown, &child_pattern, rules, report),
                    None if *count < shape.objects => {}
                    None => match rules
                        .not_required
                        .iter()
                        .find(|(p, _)| matches(p, &child_pattern))
                    {
                        Some((_, why)) => report.allowed.push(format!("{child_shown} ({why})")),
                        None => report.failures.push(format!("{child_shown}: missing")),
                    },
                }
            }
            for (key, v) in map {
                let child_shown = format!("{shown}.{key}");
                match &data_values {
                    Some(values) if !is_fixed(key) => {
                        walk(
                            values,
                            v,
                            &child_shown,
                            &format!("{pattern}.*"),
                            rules,
                            report,
                        );
                    }
                    _ if !shape.keys.contains_key(key) => report.extras.push(child_shown),
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(elements) = &shape.elements {
                for (i, item) in items.iter().enumerate() {
                    let shown = format!("{shown}[{}]", element_name(item, i));
                    walk(
                        elements,
                        item,
                        &shown,
                        &format!("{pattern}[]"),
                        rules,
                        report,
                    );
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(recorded: &[Value], answer: Value, rules: &Rules) -> Report {
        let mut report = Report::default();
        compare(&Shape::of(recorded), &answer, rules, &mut report);
        report
    }

    #[test]
    fn a_missing_key_a_wrong_type_and_an_unrecorded_null_fail_extras_are_listed() {
        let recorded = [json!({"a": 1, "b": "x", "c": null, "d": {"e": true}, "f": [{"g": 1}]})];
        let report = check(
            &recorded,
            json!({"a": "1", "c": 5, "d": {"e": null}, "f": [{"g": 2}, {"h": 3}], "z": 0}),
            &Rules::default(),
        );
        assert_eq!(
            report.failures,
            [
                "$.a: String where the recordings have Number",
                "$.b: missing",
                "$.d.e: Null where the recordings have Bool",
                "$.f[1].g: missing",
            ]
        );
        assert_eq!(report.extras, ["$.f[1].h", "$.z"]);
        let clean = check(
            &recorded,
            json!({"a": 2, "b": "y", "c": null, "d": {"e": false}, "f": []}),
            &Rules::default(),
        );
        assert!(
            clean.failures.is_empty() && clean.extras.is_empty(),
            "{clean:?}"
        );
    }

    #[test]
    fn merged_recordings_require_common_keys_and_accept_every_recorded_type() {
        let recorded = [
            json!({"k": 1, "s": null}),
            json!({"k": 2, "s": "v", "o": 1}),
        ];
        let report = check(&recorded, json!({"k": 3, "s": null}), &Rules::default());
        assert!(report.failures.is_empty(), "{report:?}");
        let report = check(&recorded, json!({"s": true}), &Rules::default());
        assert_eq!(
            report.failures,
            [
                "$.k: missing",
                "$.s: Bool where the recordings have Null|String"
            ]
        );
    }

    #[test]
    fn maps_are_compared_by_their_values_and_allowed_gaps_are_listed() {
        let recorded =
            [json!({"L": {"Max": 1, "Remaining": 1, "App One": {"Max": 0, "Remaining": 0}}})];
        let rules = Rules::default()
            .map("$.*", &["Max", "Remaining"])
            .not_required("$.gone", "not emulated")
            .nullable("$.maybe");
        let report = check(
            &recorded,
            json!({"L": {"Max": 2, "Remaining": 1, "Mine": {"Max": 0}}}),
            &rules,
        );
        assert_eq!(report.failures, ["$.L.Mine.Remaining: missing"]);
        assert!(report.extras.is_empty(), "{report:?}");
        let recorded = [json!({"gone": 1, "maybe": 2, "never": 3})];
        let report = check(&recorded, json!({"maybe": null, "never": null}), &rules);
        assert_eq!(
            report.failures,
            ["$.never: Null where the recordings have Number"]
        );
        assert_eq!(report.allowed, ["$.gone (not emulated)"]);
    }
}

//! Input generators shared by the property-based fuzz tests: arbitrary bytes, byte-level mutations
//! of real fixtures, and structural mutations of JSON fixtures (a node replaced by a value of
//! another shape). Used from tests/reliability/ (fuzz_parsers, render_sizes) and from the crate's
//! own `#[cfg(test)]` fuzz module (through `#[path]`), so both mutate inputs the same way.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;

/// Cases per property: `PROPTEST_CASES` when set (longer local runs), else `default` (sized so
/// the whole fuzz set stays well under a minute in CI).
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A proptest config with [`cases`] cases and no regression files (found inputs become explicit
/// regression tests instead).
pub fn config(default: u32) -> Config {
    Config {
        cases: cases(default),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Fragments that tend to break hand-written parsers when spliced into a text.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "true",
    "-1",
    "0",
    "1e999",
    "-1e400",
    "18446744073709551616",
    "\"\\ud800\"",
    "\"\"",
    "<",
    ">",
    "</",
    "/>",
    "<?xml",
    "<![CDATA[",
    "]]>",
    "&",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "=",
    "'",
    "\n",
    "\r\n",
    "\t",
    "\u{0}",
    "é",
    "💥",
    "\u{feff}",
    "[[",
    "]]",
    "SELECT",
    "FROM",
    "WHERE",
    "(",
    ")",
    "LIMIT",
    "OFFSET",
    "ORDER BY",
    "GROUP BY",
    "NULLS",
    ".",
    "__r",
    "__c",
    "LAST_N_DAYS:",
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "{{",
    "}}",
    "{{x}}",
    "https://",
    "http://",
    "x://",
    "localhost",
    "/",
    "?",
    "#",
    "%",
    "%zz",
    ":443",
    ":99999",
];

/// One edit of a byte string.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Replace the byte at `at` (modulo the length) by `byte`.
    Set { at: usize, byte: u8 },
    /// Remove `len` bytes from `at`.
    Remove { at: usize, len: usize },
    /// Insert bytes at `at`.
    Insert { at: usize, bytes: Vec<u8> },
    /// Insert one of [`TOKENS`] at `at`.
    Token { at: usize, token: usize },
    /// Cut the input at `at`.
    Truncate { at: usize },
    /// Copy `len` bytes from `from` to `at`.
    Duplicate { from: usize, len: usize, at: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    let pos = any::<usize>();
    prop_oneof![
        (pos, any::<u8>()).prop_map(|(at, byte)| Edit::Set { at, byte }),
        (pos, 1usize..32).prop_map(|(at, len)| Edit::Remove { at, len }),
        (pos, proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        (pos, 0..TOKENS.len()).prop_map(|(at, token)| Edit::Token { at, token }),
        pos.prop_map(|at| Edit::Truncate { at }),
        (pos, 1usize..64, pos).prop_map(|(from, len, at)| Edit::Duplicate { from, len, at }),
    ]
}

/// Applies `edits` to `input`.
pub fn apply(input: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = input.to_vec();
    for e in edits {
        let n = out.len();
        let at = |p: usize| if n == 0 { 0 } else { p % (n + 1) };
        match e {
            Edit::Set { at: p, byte } => {
                if n > 0 {
                    out[p % n] = *byte;
                }
            }
            Edit::Remove { at: p, len } => {
                let start = at(*p);
                let end = (start + len).min(n);
                out.drain(start..end);
            }
            Edit::Insert { at: p, bytes } => {
                let start = at(*p);
                out.splice(start..start, bytes.iter().copied());
            }
            Edit::Token { at: p, token } => {
                let start = at(*p);
                out.splice(start..start, TOKENS[*token].bytes());
            }
            Edit::Truncate { at: p } => out.truncate(at(*p)),
            Edit::Duplicate { from, len, at: p } => {
                if n > 0 {
                    let start = from % n;
                    let piece = out[start..(start + len).min(n)].to_vec();
                    let to = at(*p);
                    out.splice(to..to, piece);
                }
            }
        }
    }
    out
}

/// Arbitrary bytes, up to `max` long.
pub fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

/// A seed from `seeds` with 1..8 byte-level edits applied.
pub fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let n = seeds.len().max(1);
    (0..n, proptest::collection::vec(edit(), 1..8))
        .prop_map(move |(i, edits)| seeds.get(i).map(|s| apply(s, &edits)).unwrap_or_default())
}

/// Arbitrary bytes or a mutated seed, half and half.
pub fn input(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![bytes(512), mutated(seeds)]
}

/// A small JSON value of any shape.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        "[ -~]{0,12}".prop_map(Value::from),
        (0..TOKENS.len()).prop_map(|i| Value::from(TOKENS[i])),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(("[a-zA-Z_]{1,10}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// Replaces the `n`-th node (pre-order) of `v` by `with`; returns true when it did.
fn replace_nth(v: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|c| replace_nth(c, n, with)),
        Value::Object(o) => o.values_mut().any(|c| replace_nth(c, n, with)),
        _ => false,
    }
}

/// A JSON seed (from `seeds`, which must parse) with 1..4 nodes replaced by values of arbitrary
/// shape: the right keys with the wrong types, which is what a server of a different version (or
/// a proxy) sends.
pub fn reshaped(seeds: Vec<Value>) -> impl Strategy<Value = Vec<u8>> {
    let n = seeds.len().max(1);
    (
        0..n,
        proptest::collection::vec((any::<usize>(), json_value()), 1..4),
    )
        .prop_map(move |(i, edits)| {
            let mut v = seeds.get(i).cloned().unwrap_or(Value::Null);
            for (at, with) in edits {
                let mut k = at % count(&v);
                replace_nth(&mut v, &mut k, &with);
            }
            serde_json::to_vec(&v).unwrap_or_default()
        })
}

/// Every input shape for a JSON parser: arbitrary bytes, byte mutations and reshaped fixtures.
pub fn json_input(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let values: Vec<Value> = seeds
        .iter()
        .filter_map(|s| serde_json::from_slice(s).ok())
        .collect();
    prop_oneof![bytes(512), mutated(seeds), reshaped(values)]
}

/// Reads every file under `dir` (recursively) whose name ends with `ext`.
pub fn files(dir: &std::path::Path, ext: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            out.extend(files(&p, ext));
        } else if p.to_string_lossy().ends_with(ext)
            && let Ok(b) = std::fs::read(&p)
        {
            out.push(b);
        }
    }
    out
}

/// The JSON fixtures: tests/fixtures/ and, when the project's shared folder is checked out
/// beside the repository, ../shared/fixtures/.
pub fn json_fixtures() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = files(&root.join("tests/fixtures"), ".json");
    out.extend(files(&root.join("../shared/fixtures"), ".json"));
    out
}

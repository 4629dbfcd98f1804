//! A record of a query answer as the commands print it and the Records list stores it: JSON
//! borrowed from the response body (strings without escapes are not copied), with every
//! `attributes` key dropped while parsing.
//!
//! `sfterm query` turns up to 2,000 records a page into CSV, a table or JSON lines, and the
//! Records list copies each page into its compact row store. Parsing them into
//! `serde_json::Map`s costs an allocation per key and per value and a hash per key; this form
//! costs one vector per object, and `attributes` (which no output shows) is not built. Two
//! things of it are kept: whether an object carried `attributes` (that is what tells a parent
//! record, `Account.Name` columns, from a compound field such as an address), and its `url`
//! (the record's Id when the query did not select `Id`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value};

/// A JSON value borrowing its strings where it can; objects without `attributes`.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonRef<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<JsonRef<'a>>),
    Object(ObjectRef<'a>),
}

/// A JSON object in key order, its `attributes` key dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectRef<'a> {
    /// The keys and values, in the order received; never `attributes`.
    pub entries: Vec<(Cow<'a, str>, JsonRef<'a>)>,
    /// Whether the object had an `attributes` key (records and parent records do).
    pub had_attributes: bool,
    /// `attributes.url` when it was a string (`/services/data/v62.0/sobjects/Account/001…`).
    pub url: Option<Cow<'a, str>>,
}

impl<'a> ObjectRef<'a> {
    /// The value of `key`, if present (a linear search: records have few keys).
    pub fn get(&self, key: &str) -> Option<&JsonRef<'a>> {
        self.entries
            .iter()
            .find_map(|(k, v)| (k == key).then_some(v))
    }

    /// The value at a dotted path through parent records (`Account.Owner.Name`), each name
    /// matched exactly first, else without regard to case (a column typed `account.name`).
    pub fn lookup(&self, path: &str) -> Option<&JsonRef<'a>> {
        let mut current = self;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            let value = current.get(part).or_else(|| {
                current
                    .entries
                    .iter()
                    .find_map(|(k, v)| k.eq_ignore_ascii_case(part).then_some(v))
            })?;
            if parts.peek().is_none() {
                return Some(value);
            }
            current = match value {
                JsonRef::Object(object) => object,
                _ => return None,
            };
        }
        None
    }

    /// A record borrowed from a `serde_json` map (for commands that already hold one).
    pub fn from_map(map: &'a Map<String, Value>) -> ObjectRef<'a> {
        ObjectRef {
            entries: map
                .iter()
                .filter(|(k, _)| k.as_str() != "attributes")
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), JsonRef::from(v)))
                .collect(),
            had_attributes: map.contains_key("attributes"),
            url: map
                .get("attributes")
                .and_then(|a| a.get("url"))
                .and_then(Value::as_str)
                .map(Cow::Borrowed),
        }
    }

    /// A parent record in a query result: it carried `attributes` and is not a subquery
    /// result (which has `records`).
    pub fn is_parent_record(&self) -> bool {
        self.had_attributes && self.get("records").is_none()
    }
}

impl<'a> From<&'a Value> for JsonRef<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => JsonRef::Null,
            Value::Bool(b) => JsonRef::Bool(*b),
            Value::Number(n) => JsonRef::Number(n.clone()),
            Value::String(s) => JsonRef::String(Cow::Borrowed(s)),
            Value::Array(items) => JsonRef::Array(items.iter().map(JsonRef::from).collect()),
            Value::Object(map) => JsonRef::Object(ObjectRef::from_map(map)),
        }
    }
}

/// A string that borrows from the input when it has no escapes (serde's own `Cow<str>`
/// always copies).
struct CowStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

impl<'de> Deserialize<'de> for JsonRef<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonRefVisitor)
    }
}

impl<'de> Deserialize<'de> for ObjectRef<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(JsonRefVisitor)? {
            JsonRef::Object(object) => Ok(object),
            _ => Err(de::Error::custom("a record is not a JSON object")),
        }
    }
}

/// The `url` string of an `attributes` value; anything else in it (or any other shape of it)
/// is skipped without being built.
struct AttributesUrl<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for AttributesUrl<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AttributesVisitor)
    }
}

struct AttributesVisitor;

impl<'de> Visitor<'de> for AttributesVisitor {
    type Value = AttributesUrl<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the attributes of a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut url = None;
        while let Some(CowStr(key)) = map.next_key()? {
            if key != "url" {
                map.next_value::<IgnoredAny>()?;
            } else if let JsonRef::String(text) = map.next_value::<JsonRef<'de>>()? {
                url = Some(text);
            }
        }
        Ok(AttributesUrl(url))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(AttributesUrl(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(AttributesUrl(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(AttributesUrl(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(AttributesUrl(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(AttributesUrl(None))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(AttributesUrl(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(AttributesUrl(None))
    }
}

struct JsonRefVisitor;

impl<'de> Visitor<'de> for JsonRefVisitor {
    type Value = JsonRef<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(JsonRef::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(JsonRef::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(JsonRef::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // As serde_json's `Value` does: a float JSON cannot hold becomes null.
        Ok(Number::from_f64(v).map_or(JsonRef::Null, JsonRef::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(JsonRef::String(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(JsonRef::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(JsonRef::String(Cow::Owned(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonRef::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonRef::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        JsonRef::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonRef::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = ObjectRef::default();
        while let Some(CowStr(key)) = map.next_key()? {
            if key == "attributes" {
                object.url = map.next_value::<AttributesUrl<'de>>()?.0;
                object.had_attributes = true;
            } else {
                object.entries.push((key, map.next_value()?));
            }
        }
        Ok(JsonRef::Object(object))
    }
}

impl Serialize for JsonRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonRef::Null => serializer.serialize_unit(),
            JsonRef::Bool(b) => serializer.serialize_bool(*b),
            JsonRef::Number(n) => n.serialize(serializer),
            JsonRef::String(s) => serializer.serialize_str(s),
            JsonRef::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            JsonRef::Object(object) => object.serialize(serializer),
        }
    }
}

impl Serialize for ObjectRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(key.as_ref(), value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_follows_parents_exact_names_first_then_any_case() {
        let record: ObjectRef<'_> = serde_json::from_str(
            r#"{"attributes": {"type": "Contact"}, "name": "lower", "Name": "Exact",
                "Account": {"attributes": {"type": "Account"}, "Owner": {"Name": "Ann"}},
                "ReportsTo": null}"#,
        )
        .expect("a record");
        let text = |path| match record.lookup(path) {
            Some(JsonRef::String(s)) => Some(s.to_string()),
            Some(JsonRef::Null) => Some("null".to_owned()),
            Some(other) => Some(format!("{other:?}")),
            None => None,
        };
        assert_eq!(text("Name").as_deref(), Some("Exact"));
        assert_eq!(text("name").as_deref(), Some("lower"));
        assert_eq!(
            text("NAME").as_deref(),
            Some("lower"),
            "the first of any case"
        );
        assert_eq!(text("account.owner.name").as_deref(), Some("Ann"));
        assert_eq!(text("ReportsTo").as_deref(), Some("null"));
        assert_eq!(text("ReportsTo.Name"), None, "through a null parent");
        assert_eq!(text("Account.Missing"), None);
        assert_eq!(text("attributes"), None);
    }

    /// The old way: a map, `attributes` stripped at every level.
    fn stripped(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| k.as_str() != "attributes")
                    .map(|(k, v)| (k.clone(), stripped(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(stripped).collect()),
            other => other.clone(),
        }
    }

    #[test]
    fn parsing_drops_attributes_everywhere_and_keeps_order_and_text() {
        let text = r#"{"attributes":{"type":"Contact","url":"/x"},"Id":"003A","Name":"O\"Brien \u00e9\n",
            "N":-12,"F":2500000.0,"Big":18446744073709551615,"T":true,"Nil":null,
            "Account":{"attributes":{"type":"Account"},"Name":"Acme"},
            "Addr":{"city":"Paris","street":null},
            "Cases":{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Case"},"S":1}]},
            "List":[1,"a",{"attributes":{},"b":[]}]}"#;
        let parsed: ObjectRef<'_> = serde_json::from_str(text).expect("parses");
        let value: Value = serde_json::from_str(text).expect("parses");
        assert_eq!(
            serde_json::to_string(&parsed).expect("serializes"),
            stripped(&value).to_string()
        );
        assert!(parsed.had_attributes);
        assert_eq!(parsed.url.as_deref(), Some("/x"));
        let Some(JsonRef::Object(account)) = parsed.get("Account") else {
            panic!("Account is an object");
        };
        assert!(account.is_parent_record());
        assert_eq!(account.url, None, "its attributes have no url");
        let Some(JsonRef::Object(addr)) = parsed.get("Addr") else {
            panic!("Addr is an object");
        };
        assert!(!addr.is_parent_record());
        let Some(JsonRef::Object(cases)) = parsed.get("Cases") else {
            panic!("Cases is an object");
        };
        assert!(!cases.is_parent_record(), "a subquery result is no parent");
        // Unescaped strings are borrowed from the input, escaped ones are not.
        assert!(matches!(
            parsed.get("Id"),
            Some(JsonRef::String(Cow::Borrowed(_)))
        ));
        assert!(matches!(
            parsed.get("Name"),
            Some(JsonRef::String(Cow::Owned(_)))
        ));
    }

    #[test]
    fn a_map_borrows_into_the_same_form_as_parsing_gives() {
        let value = json!({"attributes": {"type": "Account"}, "Id": "001A",
            "Owner": {"attributes": {"type": "User"}, "Name": "Ann"}, "X": [1.5, null]});
        let Value::Object(map) = &value else {
            panic!("an object");
        };
        let text = value.to_string();
        let parsed: ObjectRef<'_> = serde_json::from_str(&text).expect("parses");
        assert_eq!(ObjectRef::from_map(map), parsed);
    }

    #[test]
    fn attributes_of_any_shape_are_skipped_and_only_a_string_url_is_kept() {
        for (attributes, url) in [
            (
                r#"{"url":"/a/b","type":"X","more":{"url":"/no"}}"#,
                Some("/a/b"),
            ),
            (r#"{"type":"X","url":7}"#, None),
            (r#"["/a/b",{"url":"/c"}]"#, None),
            (r#""/a/b""#, None),
            ("null", None),
            ("true", None),
            ("-1.5", None),
        ] {
            let text = format!(r#"{{"attributes":{attributes},"Id":"001A"}}"#);
            let parsed: ObjectRef<'_> = serde_json::from_str(&text).expect("parses");
            assert_eq!(parsed.url.as_deref(), url, "{attributes}");
            assert!(parsed.had_attributes);
            assert_eq!(parsed.entries.len(), 1);
            let value: Value = serde_json::from_str(&text).expect("parses");
            let Value::Object(map) = &value else {
                panic!("an object");
            };
            assert_eq!(ObjectRef::from_map(map), parsed, "{attributes}");
        }
    }

    #[test]
    fn a_record_that_is_not_an_object_is_an_error() {
        assert!(serde_json::from_str::<ObjectRef<'_>>("[1]").is_err());
        assert!(serde_json::from_str::<ObjectRef<'_>>("{\"a\":").is_err());
    }
}

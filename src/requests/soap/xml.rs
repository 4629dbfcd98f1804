//! A small namespace-aware XML tree ([`Element`]): parsing with quick-xml, serializing, and
//! pretty-printing.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::SoapError;

/// One XML element: qualified name as written, resolved namespace, attributes, children, text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The qualified name as written (`soapenv:Body`).
    pub name: String,
    /// The namespace URI the prefix (or the default namespace) resolves to.
    pub namespace: Option<String>,
    /// Attributes in document order, names as written (including `xmlns` declarations).
    pub attributes: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// The element's own text, unescaped (concatenated, whitespace-only text dropped).
    pub text: String,
}

impl Element {
    /// A new element with a qualified name and no content.
    pub fn new(name: impl Into<String>) -> Element {
        Element {
            name: name.into(),
            ..Element::default()
        }
    }

    /// The name without its prefix.
    pub fn local_name(&self) -> &str {
        local(&self.name)
    }

    /// The prefix of the name, if any.
    pub fn prefix(&self) -> Option<&str> {
        self.name.split_once(':').map(|(p, _)| p)
    }

    /// An attribute's value by name as written.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child with this local name.
    pub fn child(&self, local_name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local_name() == local_name)
    }

    /// Mutable access to the first child with this local name.
    pub fn child_mut(&mut self, local_name: &str) -> Option<&mut Element> {
        self.children
            .iter_mut()
            .find(|c| c.local_name() == local_name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, local_name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children
            .iter()
            .filter(move |c| c.local_name() == local_name)
    }

    /// The first element (self included, depth first) with this local name.
    pub fn find(&self, local_name: &str) -> Option<&Element> {
        if self.local_name() == local_name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(local_name))
    }

    /// Whether `xsi:nil="true"` is set (any prefix).
    pub fn is_nil(&self) -> bool {
        self.attributes
            .iter()
            .any(|(k, v)| local(k) == "nil" && v == "true")
    }

    /// Serializes the element compactly (no added whitespace).
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None, 0);
        out
    }

    /// Serializes the element indented by `indent` spaces per level; leaves stay on one line.
    pub fn to_pretty_xml(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(indent), 0);
        out
    }

    fn write(&self, out: &mut String, indent: Option<usize>, depth: usize) {
        let pad = |out: &mut String, depth: usize| {
            if let Some(n) = indent {
                out.push_str(&" ".repeat(n * depth));
            }
        };
        pad(out, depth);
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attributes {
            out.push_str(&format!(" {k}=\"{}\"", escape(v)));
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
        } else if self.children.is_empty() {
            out.push('>');
            out.push_str(&escape(&self.text));
            out.push_str(&format!("</{}>", self.name));
        } else {
            out.push('>');
            if indent.is_some() {
                out.push('\n');
            }
            if !self.text.is_empty() {
                pad(out, depth + 1);
                out.push_str(&escape(&self.text));
                if indent.is_some() {
                    out.push('\n');
                }
            }
            for child in &self.children {
                child.write(out, indent, depth + 1);
            }
            pad(out, depth);
            out.push_str(&format!("</{}>", self.name));
        }
        if indent.is_some() {
            out.push('\n');
        }
    }
}

pub(super) fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Escapes text or an attribute value for XML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How deep elements may nest in a parsed document (keeps recursion on the tree bounded).
const MAX_DEPTH: usize = 200;

/// Parses an XML document into its root [`Element`], resolving namespace prefixes.
pub fn parse_xml(text: &str) -> Result<Element, SoapError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<(Element, Scope)> = Vec::new();
    let mut root: Option<Element> = None;
    let err = |e: &dyn std::fmt::Display| SoapError::Xml(e.to_string());
    loop {
        let event = reader.read_event().map_err(|e| err(&e))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() && stack.is_empty() => {
                return Err(SoapError::Xml("more than one root element".into()));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(SoapError::Xml(format!(
                        "nested deeper than {MAX_DEPTH} levels"
                    )));
                }
                open(&start, &mut stack)?;
            }
            Event::Empty(start) => {
                open(&start, &mut stack)?;
                close(&mut stack, &mut root);
            }
            Event::End(_) => {
                if stack.is_empty() {
                    return Err(SoapError::Xml("unexpected end tag".into()));
                }
                close(&mut stack, &mut root);
            }
            Event::Text(t) => {
                if let Some((top, _)) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some((top, _)) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| err(&e))? {
                    Some(c) => c.to_string(),
                    None => match r.xml10_content().as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => return Err(SoapError::Xml(format!("unknown entity &{other};"))),
                    },
                };
                if let Some((top, _)) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(SoapError::Xml("unexpected end of document".into()));
    }
    root.ok_or_else(|| SoapError::Xml("no root element".into()))
}

type Scope = HashMap<String, String>;

/// Pushes the element of a start tag, with the namespace scope extended by its declarations.
fn open(
    start: &quick_xml::events::BytesStart<'_>,
    stack: &mut Vec<(Element, Scope)>,
) -> Result<(), SoapError> {
    let err = |e: &dyn std::fmt::Display| SoapError::Xml(e.to_string());
    let name = start.name().as_ref().to_owned();
    let mut scope = stack.last().map(|(_, s)| s.clone()).unwrap_or_default();
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| err(&e))?;
        let key = attr.key.as_ref().to_owned();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| err(&e))?
            .into_owned();
        if key == "xmlns" {
            scope.insert(String::new(), value.clone());
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            scope.insert(prefix.to_owned(), value.clone());
        }
        attributes.push((key, value));
    }
    let prefix = name.split_once(':').map_or("", |(p, _)| p);
    let element = Element {
        namespace: scope.get(prefix).cloned(),
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
    };
    stack.push((element, scope));
    Ok(())
}

fn close(stack: &mut Vec<(Element, Scope)>, root: &mut Option<Element>) {
    if let Some((mut done, _)) = stack.pop() {
        if done.text.trim().is_empty() {
            done.text.clear();
        }
        match stack.last_mut() {
            Some((parent, _)) => parent.children.push(done),
            None => *root = Some(done),
        }
    }
}

/// Re-indents an XML document (2 spaces), keeping an XML declaration line on top.
pub fn pretty_print(xml: &str) -> Result<String, SoapError> {
    let root = parse_xml(xml)?;
    let mut out = String::new();
    if xml.trim_start().starts_with("<?xml") {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    out.push_str(&root.to_pretty_xml(2));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_print_indents() {
        let out = pretty_print("<?xml version=\"1.0\"?><a><b>1</b><c/></a>").expect("pretty");
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\n  <b>1</b>\n  <c/>\n</a>\n"
        );
    }
}

//! The mock org's own reader of SOAP requests: a small element tree built with quick-xml's
//! namespace-aware reader, matched by local name. Kept apart from the client's SOAP code on
//! purpose, so a parsing bug cannot hide on both sides of the wire.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// How deep elements may nest (keeps the tree, and dropping it, shallow).
const MAX_DEPTH: usize = 100;

/// One element of a request: its name as written, resolved namespace, children and text.
#[derive(Debug, Default)]
pub(crate) struct Element {
    /// The qualified name as written (`ord:submit`).
    pub name: String,
    /// The namespace URI its prefix (or the default namespace) is bound to; `None` when the
    /// name is unbound or its prefix is not declared.
    pub namespace: Option<String>,
    /// `xsi:nil="true"` (any prefix) is set.
    pub nil: bool,
    pub children: Vec<Element>,
    /// Its own text, CDATA and references resolved, concatenated; empty when only whitespace.
    pub text: String,
}

impl Element {
    /// The name without its prefix.
    pub fn local_name(&self) -> &str {
        local(&self.name)
    }

    /// The first child with this local name.
    pub fn child(&self, local_name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local_name() == local_name)
    }

    /// The first element with this local name, this one included, in document order.
    pub fn find(&self, local_name: &str) -> Option<&Element> {
        if self.local_name() == local_name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(local_name))
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Escapes text for an XML answer (`&`, `<`, `>`, `"`).
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An element of an answer holding `text` (escaped): `<name>text</name>`.
pub(crate) fn leaf(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

/// An element of an answer holding other elements (`children`, already XML).
pub(crate) fn element(name: &str, children: &str) -> String {
    format!("<{name}>{children}</{name}>")
}

/// Reads a whole document into its root element; `Err` says why it is not well-formed XML.
pub(crate) fn parse(text: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(text);
    let mut open: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (namespace, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        let namespace = match namespace {
            ResolveResult::Bound(ns) => Some(ns.into_inner().to_owned()),
            ResolveResult::Unbound | ResolveResult::Unknown(_) => None,
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                if root.is_some() && open.is_empty() {
                    return Err("more than one root element".into());
                }
                if open.len() >= MAX_DEPTH {
                    return Err(format!("elements nested deeper than {MAX_DEPTH} levels"));
                }
                open.push(start_element(&start, namespace)?);
                if empty {
                    close(&mut open, &mut root);
                }
            }
            Event::End(_) => close(&mut open, &mut root),
            Event::Text(t) => push_text(&mut open, &t.xml10_content()),
            Event::CData(t) => push_text(&mut open, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_owned()
                    }
                };
                push_text(&mut open, &resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !open.is_empty() {
        return Err("the document ends inside an element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

/// The element of a start tag (its attributes are read only to find `nil`).
fn start_element(start: &BytesStart<'_>, namespace: Option<String>) -> Result<Element, String> {
    let name = start.name().as_ref().to_owned();
    let mut nil = false;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = attribute.key.as_ref().to_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        nil |= local(&key) == "nil" && value == "true";
    }
    Ok(Element {
        name,
        namespace,
        nil,
        ..Element::default()
    })
}

fn push_text(open: &mut [Element], text: &str) {
    if let Some(top) = open.last_mut() {
        top.text.push_str(text);
    }
}

/// Closes the innermost open element: it becomes its parent's last child, or the root.
fn close(open: &mut Vec<Element>, root: &mut Option<Element>) {
    let Some(mut done) = open.pop() else {
        return;
    };
    if done.text.trim().is_empty() {
        done.text.clear();
    }
    match open.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    const CUSTOMER: &str = "http://soap.sforce.com/schemas/class/CustomerWS";

    fn body_operation(root: &Element) -> &Element {
        let body = root.child("Body").expect("Body");
        body.children.first().expect("operation")
    }

    #[test]
    fn namespaces_resolve_by_prefix_default_and_scope() {
        let xml = format!(
            r#"<?xml version="1.0"?><s:Envelope xmlns:s="{ENV}"><s:Header><SessionHeader xmlns="{CUSTOMER}"><sessionId>00D!tok</sessionId></SessionHeader></s:Header><s:Body><c:getCustomer xmlns:c="{CUSTOMER}"><c:accountId>001</c:accountId><plain>x</plain></c:getCustomer></s:Body></s:Envelope>"#
        );
        let root = parse(&xml).expect("parses");
        assert_eq!(root.name, "s:Envelope");
        assert_eq!(root.local_name(), "Envelope");
        assert_eq!(root.namespace.as_deref(), Some(ENV));
        let header = root.find("SessionHeader").expect("header");
        assert_eq!(header.namespace.as_deref(), Some(CUSTOMER));
        // the default namespace is inherited by unprefixed children
        let session = root.find("sessionId").expect("sessionId");
        assert_eq!(session.namespace.as_deref(), Some(CUSTOMER));
        assert_eq!(session.text, "00D!tok");
        let op = body_operation(&root);
        assert_eq!(op.local_name(), "getCustomer");
        assert_eq!(op.namespace.as_deref(), Some(CUSTOMER));
        assert_eq!(op.child("accountId").expect("arg").text, "001");
        // no default namespace in scope here, and an undeclared prefix resolves to nothing
        assert_eq!(op.child("plain").expect("plain").namespace, None);
        let stray = parse("<a><p:b/></a>").expect("parses");
        assert_eq!(stray.children[0].namespace, None);
        assert_eq!(stray.children[0].local_name(), "b");
    }

    #[test]
    fn nested_complex_params_and_arrays_keep_document_order() {
        let xml = format!(
            r#"<soapenv:Envelope xmlns:soapenv="{ENV}" xmlns:cus="{CUSTOMER}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soapenv:Body>
    <cus:createCustomer>
      <cus:customer>
        <cus:contacts><cus:firstName>Ada</cus:firstName><cus:lastName>Lovelace</cus:lastName></cus:contacts>
        <cus:contacts><cus:lastName>Hopper</cus:lastName><cus:email xsi:nil="true"/></cus:contacts>
        <cus:name>Acme</cus:name>
        <cus:phone xsi:nil="false">555</cus:phone>
      </cus:customer>
    </cus:createCustomer>
  </soapenv:Body>
</soapenv:Envelope>"#
        );
        let root = parse(&xml).expect("parses");
        let op = body_operation(&root);
        assert_eq!(op.local_name(), "createCustomer");
        let customer = op.child("customer").expect("customer");
        assert!(customer.text.is_empty(), "whitespace-only text is dropped");
        let names: Vec<&str> = customer.children.iter().map(Element::local_name).collect();
        assert_eq!(names, ["contacts", "contacts", "name", "phone"]);
        let last_names: Vec<&str> = customer
            .children
            .iter()
            .filter(|c| c.local_name() == "contacts")
            .map(|c| c.child("lastName").expect("lastName").text.as_str())
            .collect();
        assert_eq!(last_names, ["Lovelace", "Hopper"]);
        let email = customer.children[1].child("email").expect("email");
        assert!(email.nil);
        assert!(email.text.is_empty());
        let phone = customer.child("phone").expect("phone");
        assert!(!phone.nil);
        assert_eq!(phone.text, "555");
        assert_eq!(customer.child("name").expect("name").text, "Acme");
    }

    #[test]
    fn cdata_entities_and_character_references_are_text() {
        let root = parse(
            "<r><a>Tom &amp; Jerry &lt;3 &quot;q&quot; &apos;s&apos;</a><b><![CDATA[<not> & markup]]></b><c>&#233;&#x263A; mixed <![CDATA[<x>]]> end</c><d>  kept  </d></r>",
        )
        .expect("parses");
        assert_eq!(root.child("a").expect("a").text, "Tom & Jerry <3 \"q\" 's'");
        assert_eq!(root.child("b").expect("b").text, "<not> & markup");
        assert_eq!(root.child("c").expect("c").text, "é☺ mixed <x> end");
        assert_eq!(root.child("d").expect("d").text, "  kept  ");
    }

    #[test]
    fn malformed_documents_are_errors_not_panics() {
        for bad in [
            "",
            "   ",
            "not xml at all",
            "<a>",
            "<a></b>",
            "</a>",
            "<a><b></a></b>",
            "<a/><b/>",
            "<a>&nbsp;</a>",
            "<a>&#0;</a>",
            "<a x=\"1\" x=\"2\"/>",
            "<a x=1/>",
            "<a><![CDATA[open</a>",
            "<s:Envelope xmlns:s=\"x\"><s:Body>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
        let shallow = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(&shallow).is_ok());
    }

    #[test]
    fn answers_escape_markup_but_not_apostrophes() {
        assert_eq!(escape("a<b>&\"c\"'"), "a&lt;b&gt;&amp;&quot;c&quot;'");
        assert_eq!(leaf("name", "A&B <x>"), "<name>A&amp;B &lt;x&gt;</name>");
        assert_eq!(
            element("result", &leaf("a", "1")),
            "<result><a>1</a></result>"
        );
    }
}

//! SOAP core for Apex web services: a small namespace-aware XML tree ([`Element`]), the model of
//! a Salesforce-generated Apex class WSDL ([`Wsdl`]: services, operations, parameters, XSD
//! types), envelope building (a typed skeleton, or one filled from `name=value` arguments),
//! `SessionHeader` filling, response/fault parsing ([`SoapResponse`]) and XML pretty-printing.
//!
//! Elements are matched by local name (and namespace where it matters), never by prefix.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

/// SOAP 1.1 envelope namespace.
pub const ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// XML Schema namespace.
pub const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// What can go wrong parsing XML, a WSDL or a response, or building an envelope.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SoapError {
    /// The text is not well-formed XML.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// The XML is not a WSDL of the expected shape.
    #[error("not a usable WSDL: {0}")]
    Wsdl(String),
    /// The WSDL has no operation of that name.
    #[error("no operation {name:?} in the WSDL (operations: {known})")]
    UnknownOperation {
        /// The requested operation.
        name: String,
        /// The operations the WSDL has, comma-separated.
        known: String,
    },
    /// An argument names no parameter (or member) of the operation.
    #[error("{0}")]
    BadArgument(String),
    /// The response is not a SOAP envelope with a body.
    #[error("not a SOAP response: {0}")]
    NotEnvelope(String),
}

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

fn local(name: &str) -> &str {
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

/// A parameter, a complexType member or a result: name and XSD type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Element name.
    pub name: String,
    /// Type without prefix (`string`, `ID`, `Customer`).
    pub type_name: String,
    /// Whether the type is a built-in XML Schema type (`xsd:string`) rather than a class type.
    pub builtin: bool,
    /// `minOccurs` (default 1).
    pub min_occurs: u32,
    /// `maxOccurs`; `None` is `unbounded`.
    pub max_occurs: Option<u32>,
    /// `nillable="true"`.
    pub nillable: bool,
}

impl Field {
    /// Whether the element may repeat.
    pub fn repeated(&self) -> bool {
        self.max_occurs != Some(1)
    }
}

/// A `complexType` of the class (a global inner class, or a header type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplexType {
    /// The type name.
    pub name: String,
    /// `extension base` (e.g. `address` extends `location`), without prefix.
    pub base: Option<String>,
    /// Members in sequence order.
    pub fields: Vec<Field>,
}

/// One operation (a `webservice static` method).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Method name.
    pub name: String,
    /// Parameters in order.
    pub params: Vec<Field>,
    /// The `result` element of `{name}Response`; `None` for a void method.
    pub result: Option<Field>,
}

/// A `service` with its port and endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// `{Class}Service`.
    pub name: String,
    /// Port name (the class name).
    pub port: String,
    /// `soap:address location`.
    pub location: String,
}

/// The parts of an Apex class WSDL a client needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wsdl {
    /// `definitions targetNamespace` (`http://soap.sforce.com/schemas/class/X`).
    pub target_namespace: String,
    /// Services with their endpoints.
    pub services: Vec<Service>,
    /// Operations in portType order.
    pub operations: Vec<Operation>,
    /// Named complexTypes of the schema.
    pub complex_types: Vec<ComplexType>,
    /// Named simpleTypes and their base type (`ID` → `string`).
    pub simple_types: Vec<(String, String)>,
}

fn fields_of(sequence_owner: &Element) -> Vec<Field> {
    let Some(sequence) = sequence_owner.find("sequence") else {
        return Vec::new();
    };
    sequence
        .children_named("element")
        .map(|e| {
            let raw_type = e.attr("type").unwrap_or("xsd:anyType");
            let builtin = raw_type
                .split_once(':')
                .is_some_and(|(p, _)| resolve_prefix(e, p).as_deref() == Some(XSD_NS));
            Field {
                name: e.attr("name").unwrap_or_default().to_owned(),
                type_name: local(raw_type).to_owned(),
                builtin,
                min_occurs: e
                    .attr("minOccurs")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1),
                max_occurs: match e.attr("maxOccurs") {
                    Some("unbounded") => None,
                    Some(v) => v.parse().ok(),
                    None => Some(1),
                },
                nillable: e.attr("nillable") == Some("true"),
            }
        })
        .collect()
}

/// The namespace of `prefix` as declared on `element` itself; `xsd`/`xs` fall back to the XML
/// Schema namespace when declared higher up (the usual WSDL layout).
fn resolve_prefix(element: &Element, prefix: &str) -> Option<String> {
    element
        .attr(&format!("xmlns:{prefix}"))
        .map(str::to_owned)
        .or_else(|| matches!(prefix, "xsd" | "xs").then(|| XSD_NS.to_owned()))
}

impl Wsdl {
    /// Parses a WSDL 1.1 document of the shape Salesforce generates for Apex classes.
    pub fn parse(text: &str) -> Result<Wsdl, SoapError> {
        let root = parse_xml(text)?;
        if root.local_name() != "definitions" {
            return Err(SoapError::Wsdl(format!(
                "root element is <{}>, not <definitions>",
                root.name
            )));
        }
        let target_namespace = root.attr("targetNamespace").unwrap_or_default().to_owned();
        let schema = root
            .child("types")
            .and_then(|t| t.child("schema"))
            .ok_or_else(|| SoapError::Wsdl("no types/schema".into()))?;
        let mut complex_types = Vec::new();
        let mut simple_types = Vec::new();
        let mut elements: HashMap<String, &Element> = HashMap::new();
        for item in &schema.children {
            let name = item.attr("name").unwrap_or_default().to_owned();
            match item.local_name() {
                "complexType" => {
                    let base = item
                        .find("extension")
                        .and_then(|e| e.attr("base"))
                        .map(|b| local(b).to_owned());
                    complex_types.push(ComplexType {
                        name,
                        base,
                        fields: fields_of(item),
                    });
                }
                "simpleType" => {
                    let base = item
                        .find("restriction")
                        .and_then(|r| r.attr("base"))
                        .map_or("string", local)
                        .to_owned();
                    simple_types.push((name, base));
                }
                "element" => {
                    elements.insert(name, item);
                }
                _ => {}
            }
        }
        let messages: HashMap<&str, &str> = root
            .children_named("message")
            .filter_map(|m| {
                let element = m.child("part")?.attr("element")?;
                Some((m.attr("name")?, local(element)))
            })
            .collect();
        let port_type = root
            .child("portType")
            .ok_or_else(|| SoapError::Wsdl("no portType".into()))?;
        let mut operations = Vec::new();
        for op in port_type.children_named("operation") {
            let name = op.attr("name").unwrap_or_default().to_owned();
            let element_of = |io: &str| {
                op.child(io)
                    .and_then(|i| i.attr("message"))
                    .and_then(|m| messages.get(local(m)))
                    .and_then(|e| elements.get(*e))
            };
            let params = element_of("input")
                .map(|e| fields_of(e))
                .unwrap_or_default();
            let result = element_of("output").and_then(|e| fields_of(e).into_iter().next());
            operations.push(Operation {
                name,
                params,
                result,
            });
        }
        let services = root
            .children_named("service")
            .filter_map(|s| {
                let port = s.child("port")?;
                Some(Service {
                    name: s.attr("name")?.to_owned(),
                    port: port.attr("name").unwrap_or_default().to_owned(),
                    location: port
                        .child("address")
                        .and_then(|a| a.attr("location"))
                        .unwrap_or_default()
                        .to_owned(),
                })
            })
            .collect();
        Ok(Wsdl {
            target_namespace,
            services,
            operations,
            complex_types,
            simple_types,
        })
    }

    /// The operation named `name`, or [`SoapError::UnknownOperation`].
    pub fn operation(&self, name: &str) -> Result<&Operation, SoapError> {
        self.operations
            .iter()
            .find(|o| o.name == name)
            .ok_or_else(|| SoapError::UnknownOperation {
                name: name.to_owned(),
                known: self
                    .operations
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The complexType named `name`.
    pub fn complex_type(&self, name: &str) -> Option<&ComplexType> {
        self.complex_types.iter().find(|c| c.name == name)
    }

    /// All members of a complexType, inherited (`extension base`) ones first.
    pub fn members(&self, type_name: &str) -> Vec<Field> {
        // walk the base chain (bounded: a cyclic chain in a broken WSDL must not loop)
        let mut chain = Vec::new();
        let mut next = Some(type_name);
        while let Some(name) = next {
            let Some(ct) = self.complex_type(name) else {
                break;
            };
            if chain.len() > 16 || chain.iter().any(|c: &&ComplexType| c.name == ct.name) {
                break;
            }
            chain.push(ct);
            next = ct.base.as_deref();
        }
        chain
            .iter()
            .rev()
            .flat_map(|ct| ct.fields.iter().cloned())
            .collect()
    }

    /// The placeholder shown for a simple value of `field`'s type (`?string?`, `?ID?`).
    pub fn placeholder(field: &Field) -> String {
        format!("?{}?", field.type_name)
    }

    fn skeleton_field(&self, field: &Field, depth: usize) -> Element {
        let mut e = Element::new(format!("tns:{}", field.name));
        if !field.builtin && self.complex_type(&field.type_name).is_some() && depth < 4 {
            for member in self.members(&field.type_name) {
                e.children.push(self.skeleton_field(&member, depth + 1));
            }
        } else {
            e.text = Wsdl::placeholder(field);
        }
        e
    }

    fn envelope(&self, body: Element, session_id: &str) -> Element {
        let mut header_el = Element::new("tns:SessionHeader");
        let mut sid = Element::new("tns:sessionId");
        sid.text = session_id.to_owned();
        header_el.children.push(sid);
        let mut header = Element::new("soapenv:Header");
        header.children.push(header_el);
        let mut body_el = Element::new("soapenv:Body");
        body_el.children.push(body);
        let mut env = Element::new("soapenv:Envelope");
        env.namespace = Some(ENVELOPE_NS.to_owned());
        env.attributes = vec![
            ("xmlns:soapenv".into(), ENVELOPE_NS.into()),
            ("xmlns:tns".into(), self.target_namespace.clone()),
        ];
        env.children = vec![header, body_el];
        env
    }

    /// A request envelope for `operation` with a typed placeholder for every parameter (and
    /// every member of complex parameters) and `?sessionId?` in the SessionHeader.
    pub fn skeleton(&self, operation: &str) -> Result<String, SoapError> {
        let op = self.operation(operation)?;
        let mut call = Element::new(format!("tns:{}", op.name));
        for p in &op.params {
            call.children.push(self.skeleton_field(p, 0));
        }
        Ok(with_declaration(
            &self.envelope(call, "?sessionId?").to_pretty_xml(2),
        ))
    }

    /// A request envelope for `operation` filled from `name=value` arguments. Complex
    /// parameters take dotted paths with optional indexes for repeated members
    /// (`customer.name=Acme`, `customer.contacts[1].lastName=Doe`). Parameters not given are
    /// omitted.
    pub fn build_request(
        &self,
        operation: &str,
        args: &[(String, String)],
        session_id: &str,
    ) -> Result<String, SoapError> {
        let op = self.operation(operation)?;
        let mut call = Element::new(format!("tns:{}", op.name));
        for (path, value) in args {
            let segments = parse_path(path)?;
            let mut fields = op.params.clone();
            let mut node = &mut call;
            for (i, (name, index)) in segments.iter().enumerate() {
                let field = fields
                    .iter()
                    .find(|f| f.name == *name)
                    .cloned()
                    .ok_or_else(|| {
                        SoapError::BadArgument(format!(
                            "{path}: no parameter or member {name:?} (expected one of: {})",
                            fields
                                .iter()
                                .map(|f| f.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?;
                let qualified = format!("tns:{name}");
                let present: Vec<usize> = node
                    .children
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.name == qualified)
                    .map(|(at, _)| at)
                    .collect();
                let last = i + 1 == segments.len();
                let want = index.unwrap_or(0);
                let at = if field.repeated() && last && index.is_none() {
                    // a repeated simple element: every occurrence appends
                    None
                } else {
                    present.get(want).copied()
                };
                let at = match at {
                    Some(at) => at,
                    None => {
                        if present.len() < want {
                            return Err(SoapError::BadArgument(format!(
                                "{path}: index {want} skips earlier elements"
                            )));
                        }
                        let insert_at = present.last().map_or(node.children.len(), |p| p + 1);
                        node.children.insert(insert_at, Element::new(qualified));
                        insert_at
                    }
                };
                let Some(child) = node.children.get_mut(at) else {
                    return Err(SoapError::BadArgument(format!("{path}: internal index")));
                };
                node = child;
                if last {
                    node.text = value.clone();
                } else {
                    fields = self.members(&field.type_name);
                    if fields.is_empty() {
                        return Err(SoapError::BadArgument(format!(
                            "{path}: {name} is a {} and has no members",
                            field.type_name
                        )));
                    }
                }
            }
        }
        Ok(with_declaration(&self.envelope(call, session_id).to_xml()))
    }
}

fn with_declaration(xml: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}")
}

/// `a.b[2].c` → [("a", None), ("b", Some(2)), ("c", None)].
fn parse_path(path: &str) -> Result<Vec<(String, Option<usize>)>, SoapError> {
    path.split('.')
        .map(|segment| match segment.split_once('[') {
            Some((name, rest)) => {
                let index = rest
                    .strip_suffix(']')
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| SoapError::BadArgument(format!("{path}: bad index")))?;
                Ok((name.to_owned(), Some(index)))
            }
            None if segment.is_empty() => {
                Err(SoapError::BadArgument(format!("{path}: empty name")))
            }
            None => Ok((segment.to_owned(), None)),
        })
        .collect()
}

/// A SOAP fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `faultcode` as sent (`sf:INVALID_SESSION_ID`, `soapenv:Client`).
    pub code: String,
    /// `faultstring`.
    pub message: String,
    /// The `detail` element serialized, if any.
    pub detail: Option<String>,
}

impl Fault {
    /// The part of `faultcode` after the prefix (`INVALID_SESSION_ID`).
    pub fn code_local(&self) -> &str {
        local(&self.code)
    }

    /// Whether this is the invalid/expired session fault.
    pub fn is_invalid_session(&self) -> bool {
        self.code_local() == "INVALID_SESSION_ID"
    }
}

/// A parsed response envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SoapResponse {
    /// `{op}Response`: its `result` elements (none for a void method).
    Result {
        /// The response element's local name (`getCustomerResponse`).
        operation: String,
        /// Every `result` element in order (several for a list result).
        results: Vec<Element>,
    },
    /// A `Fault`.
    Fault(Fault),
}

/// Parses a response envelope into its results or its fault.
pub fn parse_response(xml: &str) -> Result<SoapResponse, SoapError> {
    let root = parse_xml(xml)?;
    if root.local_name() != "Envelope" {
        return Err(SoapError::NotEnvelope(format!("root is <{}>", root.name)));
    }
    let body = root
        .child("Body")
        .ok_or_else(|| SoapError::NotEnvelope("no Body".into()))?;
    let first = body
        .children
        .first()
        .ok_or_else(|| SoapError::NotEnvelope("empty Body".into()))?;
    if first.local_name() == "Fault" {
        let text = |n: &str| first.child(n).map(|e| e.text.clone()).unwrap_or_default();
        return Ok(SoapResponse::Fault(Fault {
            code: text("faultcode"),
            message: text("faultstring"),
            detail: first.child("detail").map(Element::to_xml),
        }));
    }
    Ok(SoapResponse::Result {
        operation: first.local_name().to_owned(),
        results: first.children_named("result").cloned().collect(),
    })
}

/// Flattens result elements into `path = value` pairs (`result.contacts[0].lastName`);
/// nil values become `null`. A single result is named `result`; several `result[i]`.
pub fn flatten(results: &[Element]) -> Vec<(String, String)> {
    fn walk(e: &Element, path: &str, out: &mut Vec<(String, String)>) {
        if e.is_nil() {
            out.push((path.to_owned(), "null".to_owned()));
            return;
        }
        if e.children.is_empty() {
            out.push((path.to_owned(), e.text.clone()));
            return;
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for child in &e.children {
            let n = child.local_name();
            let count = e.children_named(n).count();
            let name = if count > 1 {
                let i = seen.entry(n).or_insert(0);
                let s = format!("{path}.{n}[{i}]");
                *i += 1;
                s
            } else {
                format!("{path}.{n}")
            };
            walk(child, &name, out);
        }
    }
    let mut out = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let path = if results.len() == 1 {
            "result".to_owned()
        } else {
            format!("result[{i}]")
        };
        walk(r, &path, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_with_detail_is_parsed_by_local_name() {
        let xml = r#"<?xml version="1.0"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><e:Body><e:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring><detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode></sf:UnexpectedErrorFault></detail></e:Fault></e:Body></e:Envelope>"#;
        let SoapResponse::Fault(fault) = parse_response(xml).expect("parse") else {
            panic!("expected a fault");
        };
        assert!(fault.is_invalid_session());
        assert_eq!(fault.code, "sf:INVALID_SESSION_ID");
        assert!(fault.message.ends_with("Illegal Session"));
        assert!(
            fault
                .detail
                .as_deref()
                .is_some_and(|d| d.contains("<sf:exceptionCode>INVALID_SESSION_ID<"))
        );
    }

    #[test]
    fn client_fault_without_detail_keeps_newlines_and_entities() {
        let xml = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>System.Ex: a &lt;b&gt; &amp; c&#10;\nClass.X.y: line 1</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
        let SoapResponse::Fault(fault) = parse_response(xml).expect("parse") else {
            panic!("expected a fault");
        };
        assert_eq!(fault.code_local(), "Client");
        assert!(!fault.is_invalid_session());
        assert_eq!(fault.message, "System.Ex: a <b> & c\n\nClass.X.y: line 1");
        assert_eq!(fault.detail, None);
    }

    #[test]
    fn results_flatten_with_nils_and_repeats() {
        let xml = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><getResponse><result><contacts><lastName>A</lastName></contacts><contacts><lastName>B</lastName></contacts><name>Acme</name><phone xsi:nil="true"/></result></getResponse></soapenv:Body></soapenv:Envelope>"#;
        let SoapResponse::Result { operation, results } = parse_response(xml).expect("parse")
        else {
            panic!("expected a result");
        };
        assert_eq!(operation, "getResponse");
        assert_eq!(results[0].namespace.as_deref(), Some("urn:x"));
        let flat = flatten(&results);
        let expect = [
            ("result.contacts[0].lastName", "A"),
            ("result.contacts[1].lastName", "B"),
            ("result.name", "Acme"),
            ("result.phone", "null"),
        ];
        let flat: Vec<(&str, &str)> = flat.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(flat, expect);
    }

    #[test]
    fn bad_xml_and_non_envelopes_are_errors() {
        assert!(matches!(parse_xml("<a><b></a>"), Err(SoapError::Xml(_))));
        assert!(matches!(parse_xml(""), Err(SoapError::Xml(_))));
        assert!(matches!(
            parse_response("<a/>"),
            Err(SoapError::NotEnvelope(_))
        ));
    }

    const WSDL: &str = r#"<definitions targetNamespace="urn:c" xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:c"><types><xsd:schema><xsd:complexType name="C"><xsd:sequence><xsd:element name="kids" maxOccurs="unbounded" type="tns:K"/><xsd:element name="n" type="xsd:string"/></xsd:sequence></xsd:complexType><xsd:complexType name="K"><xsd:sequence><xsd:element name="a" type="xsd:int"/></xsd:sequence></xsd:complexType><xsd:element name="op"><xsd:complexType><xsd:sequence><xsd:element name="c" type="tns:C"/><xsd:element name="tags" maxOccurs="unbounded" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element><xsd:element name="opResponse"><xsd:complexType><xsd:sequence/></xsd:complexType></xsd:element></xsd:schema></types><message name="opRequest"><part element="tns:op" name="parameters"/></message><message name="opResponse"><part element="tns:opResponse" name="parameters"/></message><portType name="P"><operation name="op"><input message="tns:opRequest"/><output message="tns:opResponse"/></operation></portType></definitions>"#;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn requests_nest_repeat_and_escape() {
        let wsdl = Wsdl::parse(WSDL).expect("wsdl");
        let op = wsdl.operation("op").expect("op");
        assert_eq!(op.result, None, "void method");
        let xml = wsdl
            .build_request(
                "op",
                &pairs(&[
                    ("c.kids[0].a", "1"),
                    ("tags", "x<y"),
                    ("c.n", "N"),
                    ("c.kids[1].a", "2"),
                    ("tags", "z"),
                ]),
                "sid",
            )
            .expect("build");
        assert!(
            xml.contains(
                "<tns:op><tns:c><tns:kids><tns:a>1</tns:a></tns:kids><tns:kids><tns:a>2</tns:a></tns:kids><tns:n>N</tns:n></tns:c><tns:tags>x&lt;y</tns:tags><tns:tags>z</tns:tags></tns:op>"
            ),
            "{xml}"
        );
        assert!(xml.contains("<tns:sessionId>sid</tns:sessionId>"));
        let root = parse_xml(&xml).expect("reparse");
        assert_eq!(
            root.find("op").and_then(|e| e.namespace.as_deref()),
            Some("urn:c")
        );
        for bad in [
            &[("c.kids[2].a", "1")][..],
            &[("c.n.deeper", "1")][..],
            &[("c..n", "1")][..],
            &[("c.kids[x].a", "1")][..],
        ] {
            assert!(
                matches!(
                    wsdl.build_request("op", &pairs(bad), "s"),
                    Err(SoapError::BadArgument(_))
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(parse_xml("<a/><b/>"), Err(SoapError::Xml(_))));
        assert!(matches!(Wsdl::parse("<a/>"), Err(SoapError::Wsdl(_))));
    }

    #[test]
    fn cyclic_bases_and_deep_nesting_do_not_overflow() {
        let wsdl = WSDL
            .replace(
                r#"<xsd:complexType name="K"><xsd:sequence>"#,
                r#"<xsd:complexType name="K"><xsd:complexContent><xsd:extension base="tns:L"/></xsd:complexContent><xsd:sequence>"#,
            )
            .replace(
                "</xsd:schema>",
                r#"<xsd:complexType name="L"><xsd:complexContent><xsd:extension base="tns:K"/></xsd:complexContent><xsd:sequence><xsd:element name="b" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:schema>"#,
            );
        let wsdl = Wsdl::parse(&wsdl).expect("wsdl");
        let names: Vec<String> = wsdl.members("K").into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["b", "a"]);
        let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        assert!(matches!(parse_xml(&deep), Err(SoapError::Xml(_))));
    }

    #[test]
    fn pretty_print_indents() {
        let out = pretty_print("<?xml version=\"1.0\"?><a><b>1</b><c/></a>").expect("pretty");
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\n  <b>1</b>\n  <c/>\n</a>\n"
        );
    }
}

//! The model of a Salesforce-generated Apex class WSDL ([`Wsdl`]: services, operations,
//! parameters, XSD types) and its reading.

use std::collections::HashMap;

use super::xml::{Element, local, parse_xml};
use super::{SoapError, XSD_NS};

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
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A small class WSDL with nested, repeated and void parts (the envelope tests use it too).
    pub(in crate::requests::soap) const WSDL: &str = r#"<definitions targetNamespace="urn:c" xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:c"><types><xsd:schema><xsd:complexType name="C"><xsd:sequence><xsd:element name="kids" maxOccurs="unbounded" type="tns:K"/><xsd:element name="n" type="xsd:string"/></xsd:sequence></xsd:complexType><xsd:complexType name="K"><xsd:sequence><xsd:element name="a" type="xsd:int"/></xsd:sequence></xsd:complexType><xsd:element name="op"><xsd:complexType><xsd:sequence><xsd:element name="c" type="tns:C"/><xsd:element name="tags" maxOccurs="unbounded" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element><xsd:element name="opResponse"><xsd:complexType><xsd:sequence/></xsd:complexType></xsd:element></xsd:schema></types><message name="opRequest"><part element="tns:op" name="parameters"/></message><message name="opResponse"><part element="tns:opResponse" name="parameters"/></message><portType name="P"><operation name="op"><input message="tns:opRequest"/><output message="tns:opResponse"/></operation></portType></definitions>"#;

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
}

//! SOAP responses: results or a [`Fault`], and results flattened to `path = value` pairs.

use std::collections::HashMap;

use super::SoapError;
use super::xml::{Element, local, parse_xml};

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
}

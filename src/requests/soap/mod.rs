//! SOAP core for Apex web services: a small namespace-aware XML tree ([`Element`]), the model of
//! a Salesforce-generated Apex class WSDL ([`Wsdl`]: services, operations, parameters, XSD
//! types), envelope building (a typed skeleton, or one filled from `name=value` arguments),
//! `SessionHeader` filling, response/fault parsing ([`SoapResponse`]) and XML pretty-printing.
//!
//! Elements are matched by local name (and namespace where it matters), never by prefix.
//!
//! The XML tree and parser in `xml.rs`, the WSDL model in `wsdl.rs`, request envelopes in
//! `envelope.rs`, responses and faults in `response.rs`.

mod envelope;
mod response;
mod wsdl;
mod xml;

pub use response::{Fault, SoapResponse, flatten, parse_response};
pub use wsdl::{ComplexType, Field, Operation, Service, Wsdl};
pub use xml::{Element, escape, parse_xml, pretty_print};

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

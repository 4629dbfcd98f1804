//! Apex SOAP web services (`/services/Soap/class/...`) with one built-in class, and its WSDL at
//! `/services/wsdl/class/{Class}`.
//!
//! `CustomerWS` (customers over the record store) lives in [`super::customer`].
//!
//! `OrderService`: `submit(name, a)` returns a new order id (`801...`); an empty `name` raises
//! `System.NullPointerException` (a `soapenv:Client` fault, HTTP 500). `status(orderId)`
//! returns `"Submitted"`. A bad `SessionHeader` gives the `sf:INVALID_SESSION_ID` fault.
//!
//! Requests are read with the mock org's own reader ([`super::xml`]); one that is not
//! well-formed XML gets a `soapenv:Client` fault before anything else is looked at.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::Shared;
use super::xml::{self, Element, escape, leaf};

const ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const CLASS: &str = "OrderService";

fn class_ns(class: &str) -> String {
    format!("http://soap.sforce.com/schemas/class/{class}")
}

/// The operation: the first element inside the envelope's `Body`.
fn operation(root: &Element) -> Option<&Element> {
    root.child("Body")?.children.first()
}

/// The trimmed text of the first element named `name` in the envelope (empty when none).
fn text_of(root: &Element, name: &str) -> String {
    root.find(name)
        .map(|e| e.text.trim().to_owned())
        .unwrap_or_default()
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    response
}

fn fault(code: &str, message: &str, platform: bool) -> Response {
    let detail = if platform {
        let exception = code.trim_start_matches("sf:");
        format!(
            "<detail><sf:UnexpectedErrorFault xsi:type=\"sf:UnexpectedErrorFault\"><sf:exceptionCode>{exception}</sf:exceptionCode><sf:exceptionMessage>{}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>",
            escape(message.split_once(": ").map_or(message, |(_, m)| m))
        )
    } else {
        String::new()
    };
    xml_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{ENVELOPE_NS}\" xmlns:sf=\"urn:fault.partner.soap.sforce.com\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault><faultcode>{code}</faultcode><faultstring>{}</faultstring>{detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>",
            escape(message)
        ),
    )
}

/// The answer of a successful call: `{operation}Response` holding `members` (already XML),
/// in the class's namespace. Every class answers through here.
fn response(class: &str, operation: &str, members: &str) -> Response {
    xml_response(
        StatusCode::OK,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{ENVELOPE_NS}\" xmlns=\"{}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>{}</soapenv:Body></soapenv:Envelope>",
            class_ns(class),
            xml::element(&format!("{operation}Response"), members)
        ),
    )
}

/// `POST /services/Soap/class/[{ns}/]{Class}`.
pub(crate) fn call(shared: &Shared, class_path: &[String], body: &[u8]) -> Response {
    let Ok(root) = xml::parse(&String::from_utf8_lossy(body)) else {
        return fault("soapenv:Client", "Unable to parse the SOAP request", false);
    };
    let Some(op) = operation(&root) else {
        return fault(
            "soapenv:Client",
            "Unable to find a SOAP Body in the request",
            false,
        );
    };
    let session = text_of(&root, "sessionId");
    let app = shared.check_token(&session);
    if app.is_none() {
        return fault(
            "sf:INVALID_SESSION_ID",
            "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session",
            true,
        );
    }
    {
        let mut inner = shared.lock();
        if inner.usage >= shared.config.api_daily_limit {
            return fault(
                "sf:REQUEST_LIMIT_EXCEEDED",
                "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.",
                true,
            );
        }
        inner.usage += 1;
    }
    let class = class_path.join("/");
    if !shared.setup.class_allowed(&class) {
        // UNCONFIRMED wording; the fault code is what clients match on.
        return fault(
            "sf:INSUFFICIENT_ACCESS",
            &format!(
                "INSUFFICIENT_ACCESS: You do not have access to the Apex class named: {class}"
            ),
            true,
        );
    }
    if class == "CustomerWS" {
        return match super::customer::soap(shared, op) {
            Ok(members) => response(&class, op.local_name(), &members),
            Err(message) => fault("soapenv:Client", &message, false),
        };
    }
    if class != CLASS {
        return fault(
            "soapenv:Client",
            &format!("No service available for class '{class}'"),
            false,
        );
    }
    match op.local_name() {
        "submit" => {
            let name = op.child("name").map(|e| e.text.trim()).unwrap_or_default();
            if name.is_empty() {
                return fault(
                    "soapenv:Client",
                    "System.NullPointerException: Attempt to de-reference a null object\n\nClass.OrderService.submit: line 4, column 1",
                    false,
                );
            }
            let seq = {
                let mut inner = shared.lock();
                inner.job_seq += 1;
                inner.job_seq
            };
            let order = crate::sf::id::mint("801", seq);
            response(CLASS, "submit", &leaf("result", &order))
        }
        "status" => response(CLASS, "status", &leaf("result", "Submitted")),
        other => fault(
            "soapenv:Client",
            &format!(
                "No operation available for request {{{}}}{other}, please check the WSDL for the service.",
                class_ns(CLASS)
            ),
            false,
        ),
    }
}

/// `GET /services/wsdl/class/{Class}`: the generated WSDL of the built-in class.
pub(crate) fn wsdl(shared: &Shared, class_path: &[String], _headers: &HeaderMap) -> Response {
    if class_path.join("/") == "CustomerWS" {
        return xml_response(
            StatusCode::OK,
            super::customer::WSDL.replace("{{ORIGIN}}", &shared.origin()),
        );
    }
    if class_path.join("/") != CLASS {
        return super::rest::ApiError::not_found().into_response();
    }
    let ns = class_ns(CLASS);
    let location = format!("{}/services/Soap/class/{CLASS}", shared.origin());
    xml_response(
        StatusCode::OK,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions targetNamespace="{ns}" xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="{ns}">
 <types>
  <xsd:schema elementFormDefault="qualified" targetNamespace="{ns}">
   <xsd:element name="SessionHeader"><xsd:complexType><xsd:sequence><xsd:element name="sessionId" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
   <xsd:element name="CallOptions"><xsd:complexType><xsd:sequence><xsd:element name="client" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
   <xsd:simpleType name="ID"><xsd:restriction base="xsd:string"><xsd:length value="18"/><xsd:pattern value="[a-zA-Z0-9]{{18}}"/></xsd:restriction></xsd:simpleType>
   <xsd:complexType name="Account"><xsd:sequence><xsd:element name="Id" minOccurs="0" type="tns:ID" nillable="true"/><xsd:element name="Name" minOccurs="0" type="xsd:string" nillable="true"/></xsd:sequence></xsd:complexType>
   <xsd:element name="submit"><xsd:complexType><xsd:sequence><xsd:element name="name" type="xsd:string" nillable="true"/><xsd:element name="a" type="tns:Account" nillable="true"/></xsd:sequence></xsd:complexType></xsd:element>
   <xsd:element name="submitResponse"><xsd:complexType><xsd:sequence><xsd:element name="result" type="tns:ID" nillable="true"/></xsd:sequence></xsd:complexType></xsd:element>
   <xsd:element name="status"><xsd:complexType><xsd:sequence><xsd:element name="orderId" type="tns:ID" nillable="true"/></xsd:sequence></xsd:complexType></xsd:element>
   <xsd:element name="statusResponse"><xsd:complexType><xsd:sequence><xsd:element name="result" type="xsd:string" nillable="true"/></xsd:sequence></xsd:complexType></xsd:element>
  </xsd:schema>
 </types>
 <message name="Header"><part element="tns:SessionHeader" name="SessionHeader"/><part element="tns:CallOptions" name="CallOptions"/></message>
 <message name="submitRequest"><part element="tns:submit" name="parameters"/></message>
 <message name="submitResponse"><part element="tns:submitResponse" name="parameters"/></message>
 <message name="statusRequest"><part element="tns:status" name="parameters"/></message>
 <message name="statusResponse"><part element="tns:statusResponse" name="parameters"/></message>
 <portType name="{CLASS}PortType">
  <operation name="submit"><input message="tns:submitRequest"/><output message="tns:submitResponse"/></operation>
  <operation name="status"><input message="tns:statusRequest"/><output message="tns:statusResponse"/></operation>
 </portType>
 <binding name="{CLASS}Binding" type="tns:{CLASS}PortType">
  <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  <operation name="submit"><soap:operation soapAction=""/><input><soap:header use="literal" part="SessionHeader" message="tns:Header"/><soap:header use="literal" part="CallOptions" message="tns:Header"/><soap:body use="literal" parts="parameters"/></input><output><soap:body use="literal"/></output></operation>
  <operation name="status"><soap:operation soapAction=""/><input><soap:header use="literal" part="SessionHeader" message="tns:Header"/><soap:header use="literal" part="CallOptions" message="tns:Header"/><soap:body use="literal" parts="parameters"/></input><output><soap:body use="literal"/></output></operation>
 </binding>
 <service name="{CLASS}Service"><port binding="tns:{CLASS}Binding" name="{CLASS}"><soap:address location="{location}"/></port></service>
</definitions>
"#
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::MockOrgConfig;
    use super::*;

    fn org() -> Shared {
        let config = MockOrgConfig {
            records: 3,
            ..MockOrgConfig::default()
        };
        Shared::new(config, url::Url::parse("http://127.0.0.1:1/").expect("url")).expect("org")
    }

    /// Status and body of a call to a class.
    fn post(shared: &Shared, class: &str, body: &[u8]) -> (StatusCode, String) {
        let response = call(shared, &[class.to_owned()], body);
        let status = response.status();
        let bytes =
            futures::executor::block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
                .expect("body");
        (status, String::from_utf8(bytes.to_vec()).expect("utf-8"))
    }

    #[test]
    fn envelope_parts_are_found_by_local_name() {
        let xml = "<e:Envelope xmlns:e=\"x\"><e:Header><o:SessionHeader xmlns:o=\"y\"><o:sessionId> 00D!a&amp;b </o:sessionId></o:SessionHeader></e:Header><e:Body><o:submit xmlns:o=\"y\"><o:name>Rush</o:name><o:empty/></o:submit></e:Body></e:Envelope>";
        let root = xml::parse(xml).expect("well-formed");
        assert_eq!(text_of(&root, "sessionId"), "00D!a&b");
        assert_eq!(text_of(&root, "missing"), "");
        let op = operation(&root).expect("operation");
        assert_eq!(op.local_name(), "submit");
        assert_eq!(op.child("name").expect("name").text, "Rush");
        assert_eq!(op.child("empty").expect("empty").text, "");
        let no_body = xml::parse("<a>no body</a>").expect("well-formed");
        assert!(operation(&no_body).is_none());
        let empty_body =
            xml::parse("<e:Envelope xmlns:e=\"x\"><e:Body/></e:Envelope>").expect("well-formed");
        assert!(operation(&empty_body).is_none());
    }

    #[test]
    fn malformed_requests_are_answered_with_a_client_fault() {
        let shared = org();
        for class in ["OrderService", "CustomerWS"] {
            for bad in [
                &b"<soapenv:Envelope><soapenv:Body><submit>"[..],
                b"<a><b></a>",
                b"\xff\xfe<not xml",
                b"",
            ] {
                let (status, text) = post(&shared, class, bad);
                assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{text}");
                assert!(
                    text.contains("<faultcode>soapenv:Client</faultcode><faultstring>Unable to parse the SOAP request</faultstring>"),
                    "{text}"
                );
            }
            let (status, text) = post(
                &shared,
                class,
                b"<e:Envelope xmlns:e=\"x\"><e:Body/></e:Envelope>",
            );
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{text}");
            assert!(
                text.contains("Unable to find a SOAP Body in the request"),
                "{text}"
            );
        }
        assert_eq!(
            shared.api_usage(),
            0,
            "refused before counting as an API call"
        );
    }
}

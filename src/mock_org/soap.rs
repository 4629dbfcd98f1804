//! Apex SOAP web services (`/services/Soap/class/...`) with one built-in class, and its WSDL at
//! `/services/wsdl/class/{Class}`.
//!
//! `CustomerWS` (customers over the record store) lives in [`super::customer`].
//!
//! `OrderService`: `submit(name, a)` returns a new order id (`801...`); an empty `name` raises
//! `System.NullPointerException` (a `soapenv:Client` fault, HTTP 500). `status(orderId)`
//! returns `"Submitted"`. A bad `SessionHeader` gives the `sf:INVALID_SESSION_ID` fault.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::Shared;

const ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const CLASS: &str = "OrderService";

fn class_ns(class: &str) -> String {
    format!("http://soap.sforce.com/schemas/class/{class}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Start tags in `xml`: (byte offset of `<`, qualified name, offset just past `>`, self-closing).
fn start_tags(xml: &str) -> impl Iterator<Item = (usize, &str, usize, bool)> {
    xml.match_indices('<').filter_map(move |(at, _)| {
        let rest = xml.get(at + 1..)?;
        if rest.starts_with(['/', '?', '!']) {
            return None;
        }
        let name_end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        let close = rest.find('>')?;
        let self_closing = rest[..close].ends_with('/');
        Some((at, &rest[..name_end], at + 1 + close + 1, self_closing))
    })
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Text content of the first element whose local name is `name`.
fn element_text(xml: &str, name: &str) -> Option<String> {
    let (_, qualified, content_start, self_closing) =
        start_tags(xml).find(|(_, q, _, _)| local(q) == name)?;
    if self_closing {
        return Some(String::new());
    }
    let end = xml.get(content_start..)?.find(&format!("</{qualified}>"))?;
    Some(unescape(
        xml.get(content_start..content_start + end)?.trim(),
    ))
}

/// The local name of the first element inside `Body`.
fn operation(xml: &str) -> Option<String> {
    let (_, _, body_start, _) = start_tags(xml).find(|(_, q, _, _)| local(q) == "Body")?;
    start_tags(xml.get(body_start..)?)
        .next()
        .map(|(_, q, _, _)| local(q).to_owned())
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

fn result(class: &str, method: &str, value: &str) -> Response {
    xml_response(
        StatusCode::OK,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{ENVELOPE_NS}\" xmlns=\"{}\"><soapenv:Body><{method}Response><result>{}</result></{method}Response></soapenv:Body></soapenv:Envelope>",
            class_ns(class),
            escape(value)
        ),
    )
}

/// `POST /services/Soap/class/[{ns}/]{Class}`.
pub(crate) fn call(shared: &Shared, class_path: &[String], body: &[u8]) -> Response {
    let xml = String::from_utf8_lossy(body);
    if operation(&xml).is_none() {
        return fault(
            "soapenv:Client",
            "Unable to find a SOAP Body in the request",
            false,
        );
    }
    let session = element_text(&xml, "sessionId").unwrap_or_default();
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
        let parsed = crate::requests::soap::parse_xml(&xml);
        let op = parsed
            .as_ref()
            .ok()
            .and_then(|root| root.child("Body"))
            .and_then(|body| body.children.first());
        let Some(op) = op else {
            return fault("soapenv:Client", "Unable to parse the SOAP request", false);
        };
        return match super::customer::soap(shared, op) {
            Ok(inner) => xml_response(
                StatusCode::OK,
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{ENVELOPE_NS}\" xmlns=\"{}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><{m}Response>{inner}</{m}Response></soapenv:Body></soapenv:Envelope>",
                    class_ns(&class),
                    m = op.local_name()
                ),
            ),
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
    let method = operation(&xml).unwrap_or_default();
    match method.as_str() {
        "submit" => {
            let name = element_text(&xml, "name").unwrap_or_default();
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
            result(CLASS, "submit", &crate::sf::id::mint("801", seq))
        }
        "status" => result(CLASS, "status", "Submitted"),
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
    use super::*;

    #[test]
    fn elements_are_found_by_local_name() {
        let xml = "<e:Envelope xmlns:e=\"x\"><e:Header><o:SessionHeader><o:sessionId>00D!a&amp;b</o:sessionId></o:SessionHeader></e:Header><e:Body><o:submit><o:name>Rush</o:name><o:empty/></o:submit></e:Body></e:Envelope>";
        assert_eq!(element_text(xml, "sessionId").as_deref(), Some("00D!a&b"));
        assert_eq!(element_text(xml, "name").as_deref(), Some("Rush"));
        assert_eq!(element_text(xml, "empty").as_deref(), Some(""));
        assert_eq!(operation(xml).as_deref(), Some("submit"));
        assert_eq!(operation("<a>no body</a>"), None);
    }
}

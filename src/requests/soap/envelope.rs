//! Request envelopes for a WSDL operation: a typed skeleton, or one filled from `name=value`
//! arguments, with the `SessionHeader`.

use super::wsdl::{Field, Wsdl};
use super::xml::Element;
use super::{ENVELOPE_NS, SoapError};

impl Wsdl {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::soap::parse_xml;
    use crate::requests::soap::wsdl::tests::WSDL;

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
}

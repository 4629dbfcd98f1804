//! Name resolution and checks, once per query: field paths through relationships ([`Access`])
//! and the WHERE condition compiled into a [`Filter`] with typed operands.

use std::borrow::Cow;

use jiff::Span;
use jiff::civil::Date;
use serde_json::Value;

use super::super::lex::{diagram, malformed};
use super::super::parse::{CompareOp, Condition, FieldPath, Literal, RelativeDate};
use super::super::{FieldInfo, FieldKind, SoqlError, SoqlSource};
use super::filter::{Filter, LikePattern, Operand, instant_key};

pub(super) fn invalid_field(soql: &str, pos: usize, detail: &str) -> SoqlError {
    SoqlError {
        code: "INVALID_FIELD",
        message: diagram(soql, pos, detail),
    }
}

/// One step through a lookup: the reference field on the current row, the parent object and
/// the relationship name used as the key in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Hop {
    pub(super) ref_field: String,
    pub(super) target: String,
    pub(super) relationship: String,
}

/// A resolved field path: lookups to follow, then the field.
#[derive(Debug, Clone)]
pub(super) struct Access {
    pub(super) hops: Vec<Hop>,
    pub(super) info: FieldInfo,
}

impl Access {
    /// The value on `row`, following lookups; `None` for null, missing or an empty lookup.
    pub(super) fn get<'s>(
        &self,
        source: &'s dyn SoqlSource,
        object: &str,
        pos: u32,
    ) -> Option<Cow<'s, Value>> {
        let mut cur = (object, pos);
        for hop in &self.hops {
            let id = source.value(cur.0, cur.1, &hop.ref_field)?;
            let parent = source.find(&hop.target, id.as_str()?)?;
            cur = (&hop.target, parent);
        }
        source
            .value(cur.0, cur.1, &self.info.name)
            .filter(|v| !v.is_null())
    }

    /// The canonical dotted path (`Account.Owner.Name`).
    pub(super) fn dotted(&self) -> String {
        let mut s = String::new();
        for hop in &self.hops {
            s.push_str(&hop.relationship);
            s.push('.');
        }
        s.push_str(&self.info.name);
        s
    }
}

/// Resolves names of one query against the source.
pub(super) struct Resolver<'a> {
    pub(super) soql: &'a str,
    pub(super) source: &'a dyn SoqlSource,
    pub(super) object: &'a str,
}

impl Resolver<'_> {
    pub(super) fn resolve(&self, path: &FieldPath) -> Result<Access, SoqlError> {
        let mut object = self.object.to_string();
        let mut hops = Vec::new();
        let (last, rels) = path
            .parts
            .split_last()
            .ok_or_else(|| malformed(self.soql, path.pos, "unexpected token: <EOF>"))?;
        for rel in rels {
            let found = self.source.relationship(&object, rel).and_then(|info| {
                let (relationship, target) = info.relationship?;
                let target = self.source.object_name(&target).unwrap_or(target);
                Some(Hop {
                    ref_field: info.name,
                    target,
                    relationship,
                })
            });
            let Some(hop) = found else {
                return Err(invalid_field(
                    self.soql,
                    path.pos,
                    &format!(
                        "Didn't understand relationship '{rel}' in field path. If you are \
                         attempting to use a custom relationship, be sure to append the '__r' \
                         after the custom relationship name. Please reference your WSDL or the \
                         describe call for the appropriate names."
                    ),
                ));
            };
            object = hop.target.clone();
            hops.push(hop);
        }
        let info = match self.source.field(&object, last) {
            Some(info) => info,
            None if last.eq_ignore_ascii_case("Id") => FieldInfo {
                name: "Id".to_string(),
                kind: FieldKind::Text,
                filterable: true,
                sortable: true,
                relationship: None,
            },
            None => {
                return Err(invalid_field(
                    self.soql,
                    path.pos,
                    &format!(
                        "No such column '{last}' on entity '{object}'. If you are attempting to \
                         use a custom field, be sure to append the '__c' after the custom field \
                         name. Please reference your WSDL or the describe call for the \
                         appropriate names."
                    ),
                ));
            }
        };
        Ok(Access { hops, info })
    }

    pub(super) fn filter(&self, cond: &Condition, today: Date) -> Result<Filter, SoqlError> {
        Ok(match cond {
            Condition::And(a, b) => Filter::And(
                Box::new(self.filter(a, today)?),
                Box::new(self.filter(b, today)?),
            ),
            Condition::Or(a, b) => Filter::Or(
                Box::new(self.filter(a, today)?),
                Box::new(self.filter(b, today)?),
            ),
            Condition::Not(a) => Filter::Not(Box::new(self.filter(a, today)?)),
            Condition::Compare { field, op, value } => {
                let access = self.filterable(field)?;
                let operand = if *op == CompareOp::Like {
                    self.like_operand(field, &access, value)?
                } else {
                    self.operand(field, &access, value, today)?
                };
                Filter::Compare {
                    access,
                    op: *op,
                    operand,
                }
            }
            Condition::In {
                field,
                negated,
                values,
            } => {
                let access = self.filterable(field)?;
                let operands = values
                    .iter()
                    .map(|v| self.operand(field, &access, v, today))
                    .collect::<Result<Vec<_>, _>>()?;
                Filter::In {
                    access,
                    negated: *negated,
                    operands,
                }
            }
        })
    }

    fn filterable(&self, path: &FieldPath) -> Result<Access, SoqlError> {
        let access = self.resolve(path)?;
        if !access.info.filterable {
            return Err(invalid_field(
                self.soql,
                path.pos,
                &format!(
                    "field '{}' can not be filtered in a query call",
                    access.info.name
                ),
            ));
        }
        Ok(access)
    }

    fn like_operand(
        &self,
        path: &FieldPath,
        access: &Access,
        value: &Literal,
    ) -> Result<Operand, SoqlError> {
        if !matches!(access.info.kind, FieldKind::Text | FieldKind::Other) {
            return Err(invalid_field(
                self.soql,
                path.pos,
                &format!(
                    "invalid operator on field '{}': LIKE can only be used with string fields",
                    access.info.name
                ),
            ));
        }
        match value {
            Literal::String(s) => Ok(Operand::Like(LikePattern::new(s))),
            Literal::Null => Ok(Operand::Null),
            _ => Err(self.mismatch(path, access)),
        }
    }

    /// The literal converted for comparisons with the field, or Salesforce's type error.
    pub(super) fn operand(
        &self,
        path: &FieldPath,
        access: &Access,
        value: &Literal,
        today: Date,
    ) -> Result<Operand, SoqlError> {
        let info = &access.info;
        let operand = match (info.kind, value) {
            (_, Literal::Null) => Operand::Null,
            (FieldKind::Text | FieldKind::Other, Literal::String(s)) => {
                let is_id = info.name == "Id" || info.relationship.is_some();
                if is_id && s.len() == 15 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    Operand::Id15(s.clone())
                } else {
                    Operand::Text(s.to_lowercase())
                }
            }
            (FieldKind::Number, Literal::Number(n)) => Operand::Number(*n),
            (FieldKind::Boolean, Literal::Boolean(b)) => Operand::Bool(*b),
            (FieldKind::Date | FieldKind::DateTime, Literal::Date(d)) => {
                Operand::Days(d.to_string(), d.to_string())
            }
            (FieldKind::Date | FieldKind::DateTime, Literal::Relative(rel)) => {
                let (start, end) = relative_range(*rel, today)
                    .ok_or_else(|| malformed(self.soql, path.pos, "date literal out of range"))?;
                Operand::Days(start.to_string(), end.to_string())
            }
            (FieldKind::DateTime, Literal::DateTime(ts)) => Operand::Instant(instant_key(*ts)),
            _ => return Err(self.mismatch(path, access)),
        };
        Ok(operand)
    }

    fn mismatch(&self, path: &FieldPath, access: &Access) -> SoqlError {
        let (ty, quotes) = match access.info.kind {
            FieldKind::Text | FieldKind::Other => ("string", "should be enclosed in quotes"),
            FieldKind::Boolean => ("boolean", "should not be enclosed in quotes"),
            FieldKind::Number => ("double", "should not be enclosed in quotes"),
            FieldKind::Date => ("date", "should not be enclosed in quotes"),
            FieldKind::DateTime => ("dateTime", "should not be enclosed in quotes"),
        };
        invalid_field(
            self.soql,
            path.pos,
            &format!(
                "value of filter criterion for field '{}' must be of type {ty} and {quotes}",
                access.info.name
            ),
        )
    }
}

/// First and last day (inclusive) of a relative date literal.
fn relative_range(rel: RelativeDate, today: Date) -> Option<(Date, Date)> {
    let days = |n: i64| Span::new().try_days(n).ok();
    let shift = |n: i64| today.checked_add(days(n)?).ok();
    Some(match rel {
        RelativeDate::Today => (today, today),
        RelativeDate::Yesterday => (shift(-1)?, shift(-1)?),
        RelativeDate::Tomorrow => (shift(1)?, shift(1)?),
        RelativeDate::LastNDays(n) => (shift(-i64::from(n))?, today),
        RelativeDate::NextNDays(n) => (shift(1)?, shift(i64::from(n))?),
        RelativeDate::ThisMonth => (today.first_of_month(), today.last_of_month()),
        RelativeDate::LastMonth => {
            let last = today.first_of_month().yesterday().ok()?;
            (last.first_of_month(), last)
        }
        RelativeDate::ThisYear => (today.first_of_year(), today.last_of_year()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_ranges() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        let today = d("2024-03-31");
        let r = |rel| relative_range(rel, today).expect("in range");
        assert_eq!(r(RelativeDate::Today), (today, today));
        assert_eq!(
            r(RelativeDate::Yesterday),
            (d("2024-03-30"), d("2024-03-30"))
        );
        assert_eq!(
            r(RelativeDate::Tomorrow),
            (d("2024-04-01"), d("2024-04-01"))
        );
        assert_eq!(r(RelativeDate::LastNDays(31)), (d("2024-02-29"), today));
        assert_eq!(
            r(RelativeDate::NextNDays(2)),
            (d("2024-04-01"), d("2024-04-02"))
        );
        assert_eq!(r(RelativeDate::ThisMonth), (d("2024-03-01"), today));
        assert_eq!(
            r(RelativeDate::LastMonth),
            (d("2024-02-01"), d("2024-02-29"))
        );
        assert_eq!(
            r(RelativeDate::ThisYear),
            (d("2024-01-01"), d("2024-12-31"))
        );
    }
}

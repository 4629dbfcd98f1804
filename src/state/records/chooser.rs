//! The column chooser's choices: the object's fields, the fields of its parents reached
//! through reference fields (opened level by level, each parent's describe fetched the first
//! time it is opened), and its child relationships as counts.
//!
//! SOQL reaches parents at most five levels deep counting the object itself
//! (`Contact.Account.Owner.Manager.Name` crosses four relationships): the chooser offers
//! parents up to that depth. A polymorphic reference (`Owner` of a Case: a User or a Group)
//! offers `Name` only, the field SOQL allows on it without `TYPEOF`.

use std::collections::HashSet;

use crate::effect::{Effect, RequestIds};
use crate::sf::SObjectDescribe;
use crate::state::fuzzy::{self, Hit};

use super::soql::{self, child_count};
use super::{Popup, RecordsState};

/// Relationships a parent path may cross (five levels with the object itself).
pub const MAX_HOPS: usize = 4;

/// What a row of the chooser is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoiceKind {
    /// A field of the object or of a parent: a column when checked.
    Field,
    /// A reference to a parent (`Account`, `Account.Owner`): opens to the parent's fields.
    Parent {
        /// The parent object (the reference's only target); `None` when polymorphic.
        target: Option<String>,
        open: bool,
        /// Its fields are listed (the parent's describe had arrived).
        loaded: bool,
    },
    /// A child relationship (`Contacts`): how many child records, a column when checked.
    Count,
}

/// One row of the chooser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The column it gives (`Name`, `Account.Owner.Name`, `COUNT(Contacts)`), or the
    /// relationship path of a parent row (`Account.Owner`).
    pub path: String,
    pub on: bool,
    pub kind: ChoiceKind,
    /// Relationships crossed to reach it (0: the object's own).
    pub depth: usize,
    /// The label and type the describe gives, shown beside the name.
    pub about: String,
    /// A chosen column no opened parent row leads to (its parent's describe is not here):
    /// listed first, always shown.
    pub pinned: bool,
}

impl Choice {
    fn new(path: String, kind: ChoiceKind, depth: usize, about: String, on: bool) -> Choice {
        Choice {
            path,
            on,
            kind,
            depth,
            about,
            pinned: false,
        }
    }

    /// A column the list can show (a parent row is not one).
    pub fn is_column(&self) -> bool {
        !matches!(self.kind, ChoiceKind::Parent { .. })
    }

    /// The path of the parent row it sits under (`Account.Owner` for `Account.Owner.Name`).
    fn parent_path(&self) -> Option<&str> {
        self.path.rsplit_once('.').map(|(parent, _)| parent)
    }
}

/// The choices of `describe`'s fields under `prefix` (`""` or `Account.`), `depth`
/// relationships away from the list's object, checked when in `chosen`.
fn field_choices(
    describe: &SObjectDescribe,
    prefix: &str,
    depth: usize,
    chosen: &[String],
) -> Vec<Choice> {
    let on = |path: &str| chosen.iter().any(|c| c.eq_ignore_ascii_case(path));
    let mut out = Vec::new();
    // `Id` is always queried, never a column of the object itself.
    for f in describe
        .fields
        .iter()
        .filter(|f| depth > 0 || f.name != "Id")
    {
        let path = format!("{prefix}{}", f.name);
        let about = if f.label.is_empty() {
            f.field_type.clone()
        } else {
            format!("{} · {}", f.label, f.field_type)
        };
        out.push(Choice::new(
            path.clone(),
            ChoiceKind::Field,
            depth,
            about,
            on(&path),
        ));
        if let Some(rel) = &f.relationship_name
            && !f.reference_to.is_empty()
            && depth < MAX_HOPS
        {
            let polymorphic = f.reference_to.len() > 1;
            let about = if polymorphic {
                format!("→ {} (Name only)", f.reference_to.join(", "))
            } else {
                format!("→ {}", f.reference_to[0])
            };
            let kind = ChoiceKind::Parent {
                target: (!polymorphic).then(|| f.reference_to[0].clone()),
                open: false,
                loaded: false,
            };
            out.push(Choice::new(
                format!("{prefix}{rel}"),
                kind,
                depth,
                about,
                false,
            ));
        }
    }
    if depth == 0 {
        for child in &describe.child_relationships {
            let Some(rel) = &child.relationship_name else {
                continue;
            };
            let path = soql::count_column(rel);
            let about = format!("count of {} records", child.child_s_object);
            let checked = on(&path);
            out.push(Choice::new(path, ChoiceKind::Count, 0, about, checked));
        }
    }
    out
}

/// Which choices show when the filter is empty: the object's own, and those under parent
/// rows that are shown and open.
fn visible(choices: &[Choice]) -> Vec<bool> {
    let mut open: HashSet<String> = HashSet::new();
    choices
        .iter()
        .map(|c| {
            let shown = c.pinned
                || c.depth == 0
                || c.parent_path()
                    .is_some_and(|p| open.contains(&p.to_ascii_lowercase()));
            if shown && matches!(c.kind, ChoiceKind::Parent { open: true, .. }) {
                open.insert(c.path.to_ascii_lowercase());
            }
            shown
        })
        .collect()
}

impl RecordsState {
    /// The chooser's choices for the current list: the object's fields, parents and child
    /// counts; the parents of the chosen parent columns opened where their describes are
    /// here; chosen columns still out of reach pinned first.
    pub(super) fn initial_choices(&self, describe: &SObjectDescribe) -> Vec<Choice> {
        let current = self.view().columns.clone();
        let mut choices = field_choices(describe, "", 0, &current);
        for column in current.iter().filter(|c| c.contains('.')) {
            let parts: Vec<&str> = column.split('.').collect();
            for hop in 1..parts.len() {
                let parent = parts[..hop].join(".");
                if let Some(i) = choices
                    .iter()
                    .position(|c| !c.is_column() && c.path.eq_ignore_ascii_case(&parent))
                    && !self.open_parent(&mut choices, i, &current)
                    && let ChoiceKind::Parent { open, .. } = &mut choices[i].kind
                {
                    // Its describe is not here: it stays closed (opening it fetches it).
                    *open = false;
                }
            }
        }
        let pinned: Vec<Choice> = current
            .iter()
            .filter(|c| {
                !choices
                    .iter()
                    .any(|x| x.is_column() && x.path.eq_ignore_ascii_case(c))
            })
            .map(|c| Choice {
                pinned: true,
                ..Choice::new(c.clone(), ChoiceKind::Field, 0, String::new(), true)
            })
            .collect();
        pinned.into_iter().chain(choices).collect()
    }

    /// Opens parent row `i`: lists the parent's fields when its describe is here (merging a
    /// pinned column of the same path); `false` when the describe is still missing.
    fn open_parent(&self, choices: &mut Vec<Choice>, i: usize, chosen: &[String]) -> bool {
        let Some(Choice {
            path,
            depth,
            kind: ChoiceKind::Parent { target, loaded, .. },
            ..
        }) = choices.get(i).cloned()
        else {
            return false;
        };
        if loaded {
            choices[i].kind = ChoiceKind::Parent {
                target,
                open: true,
                loaded,
            };
            return true;
        }
        let prefix = format!("{path}.");
        let mut fresh = match &target {
            Some(object) => match self.describe(object) {
                Some(d) => field_choices(d, &prefix, depth + 1, chosen),
                None => {
                    choices[i].kind = ChoiceKind::Parent {
                        target,
                        open: true,
                        loaded: false,
                    };
                    return false;
                }
            },
            None => vec![Choice::new(
                format!("{prefix}Name"),
                ChoiceKind::Field,
                depth + 1,
                "Name (polymorphic)".into(),
                chosen
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&format!("{prefix}Name"))),
            )],
        };
        choices[i].kind = ChoiceKind::Parent {
            target,
            open: true,
            loaded: true,
        };
        // A pinned column now reachable joins its place in the tree.
        let mut at = i;
        for new in &mut fresh {
            if let Some(p) = choices
                .iter()
                .position(|c| c.pinned && c.path.eq_ignore_ascii_case(&new.path))
            {
                new.on = choices[p].on;
                choices.remove(p);
                if p < at {
                    at -= 1;
                }
            }
        }
        choices.splice(at + 1..at + 1, fresh);
        true
    }

    /// The chooser's rows: with an empty filter the choices shown (see [`visible`]), else
    /// every listed choice the fuzzy filter lets through (over path and about), best first.
    pub fn chooser_rows(&self) -> Vec<Hit<usize>> {
        let Some(Popup::Columns {
            choices, filter, ..
        }) = &self.popup
        else {
            return Vec::new();
        };
        let query = filter.text();
        if query.trim().is_empty() {
            return visible(choices)
                .into_iter()
                .enumerate()
                .filter(|(_, shown)| *shown)
                .map(|(item, _)| Hit {
                    item,
                    positions: Vec::new(),
                })
                .collect();
        }
        let hits = fuzzy::filter(
            query,
            choices
                .iter()
                .enumerate()
                .map(|(i, c)| (i, format!("{} {}", c.path, c.about))),
        );
        hits.into_iter()
            .map(|hit| Hit {
                positions: fuzzy::positions(query, &choices[hit.item].path),
                item: hit.item,
            })
            .collect()
    }

    /// The choice under the chooser's cursor.
    fn selected_choice(&self) -> Option<usize> {
        let Some(Popup::Columns { selected, .. }) = &self.popup else {
            return None;
        };
        self.chooser_rows().get(*selected).map(|hit| hit.item)
    }

    /// Puts the chooser's cursor on the row of choice `path` (after the rows changed).
    fn select_path(&mut self, path: &str) {
        let rows = self.chooser_rows();
        let Some(Popup::Columns {
            choices, selected, ..
        }) = &mut self.popup
        else {
            return;
        };
        if let Some(row) = rows.iter().position(|hit| choices[hit.item].path == path) {
            *selected = row;
        }
    }

    /// Space in the chooser: checks or unchecks a column, opens or closes a parent row.
    pub(super) fn toggle_choice(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(i) = self.selected_choice() else {
            return Vec::new();
        };
        let Some(Popup::Columns { choices, .. }) = &mut self.popup else {
            return Vec::new();
        };
        match choices[i].kind {
            ChoiceKind::Parent { open: true, .. } => self.collapse_choice(),
            ChoiceKind::Parent { .. } => self.expand_choice(ids),
            _ => {
                choices[i].on = !choices[i].on;
                Vec::new()
            }
        }
    }

    /// → in the chooser: opens the parent row under the cursor (fetching the parent's
    /// describe the first time).
    pub(super) fn expand_choice(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(i) = self.selected_choice() else {
            return Vec::new();
        };
        let chosen = self.view().columns.clone();
        let Some(Popup::Columns { mut choices, .. }) = self.popup.clone() else {
            return Vec::new();
        };
        let ChoiceKind::Parent { target, .. } = choices[i].kind.clone() else {
            return Vec::new();
        };
        let path = choices[i].path.clone();
        let listed = self.open_parent(&mut choices, i, &chosen);
        if let Some(Popup::Columns { choices: c, .. }) = &mut self.popup {
            *c = choices;
        }
        self.select_path(&path);
        match target {
            Some(object) if !listed => {
                self.notice = Some(format!("Loading the fields of {object}…"));
                self.describe_effects(&object, ids)
            }
            _ => Vec::new(),
        }
    }

    /// ← in the chooser: closes the parent row under the cursor, or the one the cursor's row
    /// sits under (the cursor goes to it).
    pub(super) fn collapse_choice(&mut self) -> Vec<Effect> {
        let Some(i) = self.selected_choice() else {
            return Vec::new();
        };
        let Some(Popup::Columns { choices, .. }) = &mut self.popup else {
            return Vec::new();
        };
        let at = match &choices[i].kind {
            ChoiceKind::Parent { open: true, .. } => Some(i),
            _ => choices[i].parent_path().and_then(|parent| {
                choices
                    .iter()
                    .position(|c| !c.is_column() && c.path == parent)
            }),
        };
        let Some(at) = at else {
            return Vec::new();
        };
        if let ChoiceKind::Parent { open, .. } = &mut choices[at].kind {
            *open = false;
        }
        let path = choices[at].path.clone();
        self.select_path(&path);
        Vec::new()
    }

    /// A describe arrived while the chooser waits for it: the parent rows opened on that
    /// object list its fields.
    pub(super) fn chooser_described(&mut self, object: &str) {
        let chosen = self.view().columns.clone();
        let Some(Popup::Columns { mut choices, .. }) = self.popup.clone() else {
            return;
        };
        let keep = self.selected_choice().map(|i| choices[i].path.clone());
        let waiting = |c: &Choice| {
            matches!(&c.kind, ChoiceKind::Parent { target: Some(t), open: true, loaded: false }
                if t.eq_ignore_ascii_case(object))
        };
        while let Some(i) = choices.iter().position(waiting) {
            if !self.open_parent(&mut choices, i, &chosen) {
                break;
            }
        }
        if let Some(Popup::Columns { choices: c, .. }) = &mut self.popup {
            *c = choices;
        }
        if let Some(path) = keep {
            self.select_path(&path);
        }
        if self
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Loading the fields of"))
        {
            self.notice = None;
        }
    }

    /// The describe of the field a column path names (`Account.Owner.Name`), when every
    /// describe on the way is here; `None` for a child count.
    pub(super) fn field_of_path(
        &self,
        object: &str,
        path: &str,
    ) -> Option<&crate::sf::FieldDescribe> {
        if child_count(path).is_some() {
            return None;
        }
        let mut describe = self.describe(object)?;
        let (rels, field) = match path.rsplit_once('.') {
            Some((rels, field)) => (Some(rels), field),
            None => (None, path),
        };
        for rel in rels.into_iter().flat_map(|r| r.split('.')) {
            let reference = describe.fields.iter().find(|f| {
                f.relationship_name
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(rel))
            })?;
            if reference.reference_to.len() != 1 {
                return None;
            }
            describe = self.describe(&reference.reference_to[0])?;
        }
        describe.field(field)
    }
}

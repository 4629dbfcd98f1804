//! [`PathReader`]: dotted field paths of result rows (`Account.Owner.Name`) read as JSON or
//! text, as Bulk API results read their CSV cells.

use super::super::{Columns, SoqlSource};
use super::output::{OutItem, OutNode, ValueColumns};

/// Dotted field paths of result rows, read as JSON: see [`Selection::path_reader`].
pub struct PathReader<'s> {
    /// The queried object's reader first, then one per parent the paths pass through, each
    /// after the node it is reached from.
    nodes: Vec<PathNode<'s>>,
    /// Per path: its node and its column there; `None` when the path names no selected field.
    cells: Vec<Option<(usize, usize)>>,
    /// Scratch text for Ids read from a row.
    buf: String,
}

struct PathNode<'s> {
    cols: Box<dyn Columns + 's>,
    /// The node this parent is reached from and the column of its reference field there.
    from: Option<(usize, usize)>,
    /// Whether the current row has this node (a parent may be null or gone).
    present: bool,
}

impl<'s> PathReader<'s> {
    pub(super) fn new(
        source: &'s dyn SoqlSource,
        output: &OutNode,
        object: &str,
        paths: &[String],
    ) -> Self {
        struct Draft<'o> {
            object: String,
            names: Vec<String>,
            from: Option<(usize, usize)>,
            relationship: String,
            shape: &'o OutNode,
        }
        fn column(names: &mut Vec<String>, name: &str) -> usize {
            names.iter().position(|n| n == name).unwrap_or_else(|| {
                names.push(name.to_owned());
                names.len() - 1
            })
        }
        let mut drafts = vec![Draft {
            object: object.to_owned(),
            names: Vec::new(),
            from: None,
            relationship: String::new(),
            shape: output,
        }];
        let mut resolve = |path: &str| -> Option<(usize, usize)> {
            let mut at = 0;
            let mut parts = path.split('.').peekable();
            while let Some(part) = parts.next() {
                let shape = drafts[at].shape;
                if parts.peek().is_none() {
                    let name = shape.items.iter().find_map(|item| match item {
                        OutItem::Field(name) if name.eq_ignore_ascii_case(part) => Some(name),
                        _ => None,
                    })?;
                    return Some((at, column(&mut drafts[at].names, name)));
                }
                let (hop, node) = shape.items.iter().find_map(|item| match item {
                    OutItem::Parent { hop, node }
                        if hop.relationship.eq_ignore_ascii_case(part) =>
                    {
                        Some((hop, node))
                    }
                    _ => None,
                })?;
                let known = drafts.iter().position(|d| {
                    d.from.is_some_and(|(node, _)| node == at) && d.relationship == hop.relationship
                });
                at = match known {
                    Some(known) => known,
                    None => {
                        let col = column(&mut drafts[at].names, &hop.ref_field);
                        drafts.push(Draft {
                            object: hop.target.clone(),
                            names: Vec::new(),
                            from: Some((at, col)),
                            relationship: hop.relationship.clone(),
                            shape: node,
                        });
                        drafts.len() - 1
                    }
                };
            }
            None
        };
        let cells = paths.iter().map(|path| resolve(path)).collect();
        let nodes = drafts
            .into_iter()
            .map(|draft| {
                let names: Vec<&str> = draft.names.iter().map(String::as_str).collect();
                let cols = source
                    .columns(&draft.object, &names)
                    .unwrap_or_else(|| Box::new(ValueColumns::new(source, &draft.object, &names)));
                PathNode {
                    cols,
                    from: draft.from,
                    present: false,
                }
            })
            .collect();
        PathReader {
            nodes,
            cells,
            buf: String::new(),
        }
    }

    /// Moves to the row at `pos` (and to its parents).
    pub fn seek(&mut self, pos: u32) {
        for k in 0..self.nodes.len() {
            let (before, rest) = self.nodes.split_at_mut(k);
            let node = &mut rest[0];
            let row = match node.from {
                None => Some(pos),
                Some((from, col)) if before[from].present => before[from]
                    .cols
                    .text(col, &mut self.buf)
                    .and_then(|id| node.cols.find(id)),
                Some(_) => None,
            };
            node.present = row.is_some();
            if let Some(row) = row {
                node.cols.seek(row);
            }
        }
    }

    /// Path `path` (an index into the paths the reader was made for) of the current row when it
    /// is text; `None` for null, other JSON, a parent on the way null or gone, or a path that
    /// names no selected field. `buf` may hold it.
    pub fn text<'b>(&'b self, path: usize, buf: &'b mut String) -> Option<&'b str> {
        let (node, col) = self.cell(path)?;
        self.nodes[node].cols.text(col, buf)
    }

    /// Appends the JSON of path `path` of the current row; `false` (nothing written) when a
    /// parent on the way is null or gone, or the path names no selected field.
    pub fn write_json(&self, path: usize, out: &mut Vec<u8>) -> bool {
        let Some((node, col)) = self.cell(path) else {
            return false;
        };
        self.nodes[node].cols.write_json(col, out);
        true
    }

    /// The node and column of path `path`, when the current row has its node.
    fn cell(&self, path: usize) -> Option<(usize, usize)> {
        self.cells
            .get(path)
            .copied()
            .flatten()
            .filter(|&(node, _)| self.nodes[node].present)
    }
}

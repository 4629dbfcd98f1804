//! A file path typed on one line, with tab completion: the common prefix of the entries that
//! match, a second tab cycles through them (they are listed under the line), `~` stands for
//! the home directory, a directory ends with `/`.
//!
//! Pure: listing a directory is I/O, so [`PathInput::complete`] answers with the directory to
//! list ([`Completion::List`]); the pane runs a job (`jobs::local::list_dir`, which expands
//! `~` too) and hands the entries back with [`PathInput::listed`], which finishes the tab.
//! Any pane with a file prompt uses it (the import wizard; the composer's file prompts).

use ratatui::crossterm::event::KeyEvent;

use super::text_input::TextInput;

/// One entry of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
}

/// What a tab asks of the pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Nothing more to do (the text changed, or a message says why not).
    Done,
    /// List this directory (as typed: it may start with `~`), then call [`PathInput::listed`].
    List(String),
}

/// A path on one line with completion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathInput {
    pub input: TextInput,
    /// The directory listed last (as typed) and its entries, sorted by name.
    listing: Option<(String, Vec<Entry>)>,
    /// The candidates of the last tab that had several (shown under the line).
    pub candidates: Vec<String>,
    /// Which candidate repeated tabs reached, and the text they cycle from.
    cycle: Option<(usize, String)>,
    /// Why the last tab did nothing ("no file starts with ...").
    pub message: Option<String>,
    /// A directory listing is awaited (the tab finishes when it comes).
    pub waiting: bool,
}

/// `("dir/as/typed/", "prefix")` of a path: where to list and what the names start with.
pub fn split(text: &str) -> (&str, &str) {
    match text.rfind('/') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None if text == "~" => ("~", ""),
        None => ("", text),
    }
}

/// The longest prefix all `names` share.
fn common_prefix<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut names = names.into_iter();
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut len = first.len();
    for name in names {
        len = first
            .char_indices()
            .zip(name.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(len);
    }
    first[..len].to_owned()
}

impl PathInput {
    pub fn new(text: impl Into<String>) -> PathInput {
        PathInput {
            input: TextInput::new(text),
            ..PathInput::default()
        }
    }

    pub fn text(&self) -> &str {
        self.input.text()
    }

    /// A key typed into the line: edits end a cycle and hide the candidates. Whether the text
    /// changed.
    pub fn type_key(&mut self, key: KeyEvent) -> bool {
        let changed = self.input.handle_key(key).changed();
        if changed {
            self.edited();
        }
        changed
    }

    /// Pasted text, as typed keys. Whether the text changed.
    pub fn paste(&mut self, text: &str) -> bool {
        let changed = self.input.paste(text).changed();
        if changed {
            self.edited();
        }
        changed
    }

    /// Whether the last tab waits for a listing of `dir` (one asked before, for another
    /// directory or by an earlier prompt, is not awaited).
    pub fn awaits(&self, dir: &str) -> bool {
        let (asked, _) = split(self.text());
        self.waiting && (asked == dir || (asked == "~" && dir == "~/"))
    }

    /// The text changed: the tab that was waiting for a listing, its candidates and its
    /// message are over.
    fn edited(&mut self) {
        self.waiting = false;
        self.cycle = None;
        self.candidates.clear();
        self.message = None;
    }

    /// Tab: completes from the listing of the directory typed, or asks for that listing.
    pub fn complete(&mut self) -> Completion {
        self.message = None;
        if let Some((i, base)) = self.cycle.clone() {
            // Repeated tab: the next candidate.
            let next = (i + 1) % self.candidates.len().max(1);
            if let Some(name) = self.candidates.get(next) {
                let (dir, _) = split(&base);
                self.input = TextInput::new(format!("{dir}{name}"));
                self.cycle = Some((next, base));
            }
            return Completion::Done;
        }
        let text = self.text().to_owned();
        let (dir, _) = split(&text);
        let dir = if dir == "~" { "~/" } else { dir };
        match &self.listing {
            Some((listed, _)) if listed == dir => {
                self.finish_tab();
                Completion::Done
            }
            _ => {
                self.waiting = true;
                Completion::List(dir.to_owned())
            }
        }
    }

    /// The entries of `dir` (or why it could not be listed); finishes the tab that asked.
    pub fn listed(&mut self, dir: String, entries: Result<Vec<Entry>, String>) {
        let asked = self.waiting;
        self.waiting = false;
        match entries {
            Ok(mut entries) => {
                entries.sort_by(|a, b| a.name.cmp(&b.name));
                self.listing = Some((dir, entries));
                if asked {
                    self.finish_tab();
                }
            }
            Err(e) => self.message = Some(e),
        }
    }

    fn finish_tab(&mut self) {
        let text = self.text().to_owned();
        let (dir, prefix) = split(&text);
        let (dir, prefix) = if dir == "~" {
            ("~/", "")
        } else {
            (dir, prefix)
        };
        let Some((_, entries)) = &self.listing else {
            return;
        };
        let shown = |e: &&Entry| {
            e.name.starts_with(prefix) && (prefix.starts_with('.') || !e.name.starts_with('.'))
        };
        let matches: Vec<String> = entries
            .iter()
            .filter(shown)
            .map(|e| {
                if e.is_dir {
                    format!("{}/", e.name)
                } else {
                    e.name.clone()
                }
            })
            .collect();
        match matches.as_slice() {
            [] => {
                self.message = Some(if prefix.is_empty() {
                    format!("{dir} is empty")
                } else {
                    format!("nothing in {} starts with {prefix}", display_dir(dir))
                });
            }
            [only] => {
                self.input = TextInput::new(format!("{dir}{only}"));
                self.candidates.clear();
            }
            several => {
                let common = common_prefix(several.iter().map(String::as_str));
                self.candidates = several.to_vec();
                if common.len() > prefix.len() {
                    self.input = TextInput::new(format!("{dir}{common}"));
                } else {
                    // Nothing to add: the next tabs cycle through the candidates.
                    let base = format!("{dir}{prefix}");
                    self.input = TextInput::new(format!("{dir}{}", several[0]));
                    self.cycle = Some((0, base));
                }
            }
        }
    }
}

fn display_dir(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(names: &[&str]) -> Vec<Entry> {
        names
            .iter()
            .map(|n| Entry {
                name: n.trim_end_matches('/').to_owned(),
                is_dir: n.ends_with('/'),
            })
            .collect()
    }

    /// Types `text`, presses tab and answers the listing with `names`.
    fn tab(input: &mut PathInput, names: &[&str]) {
        if let Completion::List(dir) = input.complete() {
            input.listed(dir, Ok(entries(names)));
        }
    }

    #[test]
    fn splits_where_to_list_and_the_prefix() {
        assert_eq!(split("~/data/con"), ("~/data/", "con"));
        assert_eq!(split("con"), ("", "con"));
        assert_eq!(split("/"), ("/", ""));
        assert_eq!(split("~"), ("~", ""));
    }

    #[test]
    fn one_match_completes_and_directories_end_with_a_slash() {
        let mut input = PathInput::new("~/da");
        assert_eq!(input.complete(), Completion::List("~/".into()));
        assert!(input.waiting);
        input.listed("~/".into(), Ok(entries(&["data/", "Documents/", ".dark"])));
        assert_eq!(input.text(), "~/data/");
        assert!(!input.waiting);
        let mut input = PathInput::new("~");
        assert_eq!(input.complete(), Completion::List("~/".into()));
    }

    #[test]
    fn several_matches_complete_the_common_prefix_then_cycle() {
        let names = ["contacts.csv", "contacts.failed.csv", "accounts.csv"];
        let mut input = PathInput::new("in/c");
        tab(&mut input, &names);
        assert_eq!(input.text(), "in/contacts.");
        assert_eq!(input.candidates, ["contacts.csv", "contacts.failed.csv"]);
        // Nothing more in common: tabs cycle (the listing is kept, no second job).
        assert_eq!(input.complete(), Completion::Done);
        assert_eq!(input.text(), "in/contacts.csv");
        assert_eq!(input.complete(), Completion::Done);
        assert_eq!(input.text(), "in/contacts.failed.csv");
        assert_eq!(input.complete(), Completion::Done);
        assert_eq!(input.text(), "in/contacts.csv");
    }

    #[test]
    fn no_match_says_so_and_hidden_files_need_a_dot() {
        let mut input = PathInput::new("x");
        tab(&mut input, &["a.csv", ".hidden"]);
        assert_eq!(input.text(), "x");
        assert_eq!(input.message.as_deref(), Some("nothing in . starts with x"));
        let mut input = PathInput::new("");
        tab(&mut input, &["a.csv", ".hidden"]);
        assert_eq!(input.text(), "a.csv");
        let mut input = PathInput::new(".h");
        tab(&mut input, &["a.csv", ".hidden"]);
        assert_eq!(input.text(), ".hidden");
    }

    #[test]
    fn only_the_listing_asked_for_is_awaited_and_typing_ends_the_wait() {
        let mut input = PathInput::new("~");
        assert_eq!(input.complete(), Completion::List("~/".into()));
        assert!(input.awaits("~/"));
        assert!(!input.awaits("/tmp/"));
        input.type_key(KeyEvent::from(ratatui::crossterm::event::KeyCode::Char(
            '/',
        )));
        assert!(!input.waiting);
        assert!(!input.awaits("~/"));
    }

    #[test]
    fn a_listing_error_is_shown() {
        let mut input = PathInput::new("nope/x");
        let Completion::List(dir) = input.complete() else {
            panic!("asks for a listing");
        };
        input.listed(dir, Err("nope/: No such file or directory".into()));
        assert_eq!(
            input.message.as_deref(),
            Some("nope/: No such file or directory")
        );
        assert_eq!(input.text(), "nope/x");
    }
}

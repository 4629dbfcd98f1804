//! A small multi-line text editor (the Composer's body): lines, a cursor, and the keys that
//! edit them; ctrl and alt keys are the one-line [`TextInput`] keys on the current line.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::state::text_input::TextInput;

/// A small multi-line text editor for the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextArea {
    pub lines: Vec<String>,
    pub row: usize,
    /// Cursor column in characters.
    pub col: usize,
}

impl TextArea {
    pub fn new(text: &str) -> TextArea {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        TextArea {
            lines,
            row: 0,
            col: 0,
        }
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    fn byte_at(line: &str, col: usize) -> usize {
        line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
    }

    fn line_len(&self) -> usize {
        self.lines.get(self.row).map_or(0, |l| l.chars().count())
    }

    /// Applies one key (characters, enter, backspace, delete, arrows, home/end, tab); keys
    /// with ctrl or alt are the [`TextInput`] line keys on the current line (ctrl-u, ctrl-k,
    /// ctrl-w, alt-backspace, alt-b/f, ...).
    pub fn key(&mut self, key: KeyEvent) {
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.row = self.row.min(self.lines.len() - 1);
        self.col = self.col.min(self.line_len());
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            let mut line = TextInput::new(std::mem::take(&mut self.lines[self.row]));
            line.set_cursor(self.col);
            line.handle_key(key);
            self.col = line.cursor();
            self.lines[self.row] = line.take();
            return;
        }
        match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.insert(&c.to_string());
            }
            KeyCode::Tab => self.insert("  "),
            KeyCode::Enter => {
                let line = &mut self.lines[self.row];
                let at = Self::byte_at(line, self.col);
                let rest = line.split_off(at);
                self.lines.insert(self.row + 1, rest);
                self.row += 1;
                self.col = 0;
            }
            KeyCode::Backspace => {
                if self.col > 0 {
                    let line = &mut self.lines[self.row];
                    let at = Self::byte_at(line, self.col - 1);
                    line.remove(at);
                    self.col -= 1;
                } else if self.row > 0 {
                    let line = self.lines.remove(self.row);
                    self.row -= 1;
                    self.col = self.line_len();
                    self.lines[self.row].push_str(&line);
                }
            }
            KeyCode::Delete => {
                if self.col < self.line_len() {
                    let line = &mut self.lines[self.row];
                    let at = Self::byte_at(line, self.col);
                    line.remove(at);
                } else if self.row + 1 < self.lines.len() {
                    let next = self.lines.remove(self.row + 1);
                    self.lines[self.row].push_str(&next);
                }
            }
            KeyCode::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.line_len();
                }
            }
            KeyCode::Right => {
                if self.col < self.line_len() {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
            }
            KeyCode::Up => self.row = self.row.saturating_sub(1),
            KeyCode::Down => self.row = (self.row + 1).min(self.lines.len() - 1),
            KeyCode::Home => self.col = 0,
            KeyCode::End => self.col = self.line_len(),
            KeyCode::PageUp => self.row = self.row.saturating_sub(10),
            KeyCode::PageDown => self.row = (self.row + 10).min(self.lines.len() - 1),
            _ => {}
        }
        self.col = self.col.min(self.line_len());
    }

    /// Inserts text (which may hold newlines) at the cursor.
    pub fn insert(&mut self, text: &str) {
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                self.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
            }
            let line = &mut self.lines[self.row];
            let at = Self::byte_at(line, self.col);
            line.insert_str(at, part);
            self.col += part.chars().count();
        }
    }
}

#[cfg(test)]
mod text_area_tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn ctrl_and_alt_keys_edit_the_current_line_only() {
        let mut area = TextArea::new("{\n  \"Name\": \"Acme\"\n}");
        area.key(key(KeyCode::Down, KeyModifiers::NONE));
        area.key(key(KeyCode::End, KeyModifiers::NONE));
        area.key(key(KeyCode::Backspace, KeyModifiers::ALT));
        assert_eq!(area.text(), "{\n  \"Name\": \"\n}");
        area.key(key(KeyCode::Left, KeyModifiers::NONE));
        area.key(key(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(area.text(), "{\n\"\n}");
        area.key(key(KeyCode::Char('k'), KeyModifiers::CONTROL));
        assert_eq!(area.text(), "{\n\n}");
        area.key(key(KeyCode::Char('x'), KeyModifiers::NONE));
        assert_eq!(area.text(), "{\nx\n}");
    }
}

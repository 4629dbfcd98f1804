//! One line of editable text with the readline keys terminal users expect. Pure: a
//! [`TextInput`] is the text and a cursor counted in characters (never splits a UTF-8 code
//! point); every text field of the app edits through it.
//!
//! Keys (only keys the keymap leaves unbound reach [`TextInput::handle_key`]):
//! characters insert; backspace / delete; left / right; home / end; ctrl-a start;
//! ctrl-u delete to the start; ctrl-k delete to the end; ctrl-w delete back to whitespace;
//! alt-backspace / ctrl-backspace delete the word before; alt-d delete the word after;
//! alt-b / alt-f and ctrl-left / ctrl-right move by words. ctrl-e is left alone on purpose (it
//! opens `$EDITOR` in the field editor and the composer); `end` moves to the end.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key did to a [`TextInput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed (the cursor may have moved too).
    Changed,
    /// Only the cursor moved (or the key was an edit key with nothing to do).
    Moved,
    /// Not an editing key: the caller may use it.
    Ignored,
}

impl Edit {
    /// Whether the text changed.
    pub fn changed(self) -> bool {
        self == Edit::Changed
    }

    /// Whether the key was an editing key.
    pub fn handled(self) -> bool {
        self != Edit::Ignored
    }
}

/// Editable text and a cursor position in characters (0 = before the first character).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    cursor: usize,
}

impl std::fmt::Debug for TextInput {
    /// Shows the length only: a text input may hold a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextInput")
            .field("chars", &self.len())
            .field("cursor", &self.cursor)
            .finish()
    }
}

impl From<&str> for TextInput {
    fn from(text: &str) -> Self {
        TextInput::new(text)
    }
}

impl From<String> for TextInput {
    fn from(text: String) -> Self {
        TextInput::new(text)
    }
}

/// A character that belongs to a word for the word moves (alt-b/f, alt-backspace).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl TextInput {
    /// An input holding `text` with the cursor at its end.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.chars().count();
        TextInput { text, cursor }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor position in characters.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Replaces the text; the cursor goes to the end.
    pub fn set_text(&mut self, text: impl Into<String>) {
        self.text = text.into();
        self.cursor = self.len();
    }

    /// Moves the cursor to `cursor` characters (clamped to the text).
    pub fn set_cursor(&mut self, cursor: usize) {
        self.cursor = cursor.min(self.len());
    }

    /// Empties the input.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Takes the text out, leaving the input empty.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    /// The text before the cursor.
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.byte_at(self.cursor)]
    }

    /// Byte index of character `index` (the text length past the end).
    fn byte_at(&self, index: usize) -> usize {
        self.text
            .char_indices()
            .nth(index)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Removes characters `from..to` (character indices) and puts the cursor at `from`.
    fn remove_range(&mut self, from: usize, to: usize) -> Edit {
        if from >= to {
            return Edit::Moved;
        }
        let (a, b) = (self.byte_at(from), self.byte_at(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
        Edit::Changed
    }

    /// Inserts one character at the cursor.
    pub fn insert_char(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Inserts a string at the cursor (paste); the cursor goes after it.
    pub fn insert_str(&mut self, s: &str) {
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, s);
        self.cursor += s.chars().count();
    }

    /// Pastes one line: control characters (newlines, tabs) are dropped.
    pub fn paste(&mut self, s: &str) -> Edit {
        let clean: String = s.chars().filter(|c| !c.is_control()).collect();
        if clean.is_empty() {
            return Edit::Moved;
        }
        self.insert_str(&clean);
        Edit::Changed
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) -> Edit {
        match self.cursor {
            0 => Edit::Moved,
            c => self.remove_range(c - 1, c),
        }
    }

    /// Deletes the character under the cursor.
    pub fn delete(&mut self) -> Edit {
        self.remove_range(self.cursor, (self.cursor + 1).min(self.len()))
    }

    /// One character left.
    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    /// One character right.
    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    /// To the start.
    pub fn home(&mut self) {
        self.cursor = 0;
    }

    /// To the end.
    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    /// Deletes from the start to the cursor (ctrl-u).
    pub fn delete_to_start(&mut self) -> Edit {
        self.remove_range(0, self.cursor)
    }

    /// Deletes from the cursor to the end (ctrl-k).
    pub fn delete_to_end(&mut self) -> Edit {
        let len = self.len();
        let cursor = self.cursor;
        let edit = self.remove_range(cursor, len);
        self.cursor = cursor;
        edit
    }

    /// Start of the word before the cursor: skips non-word characters, then word characters.
    pub fn word_start_before(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut i = chars.len();
        while i > 0 && !is_word_char(chars[i - 1]) {
            i -= 1;
        }
        while i > 0 && is_word_char(chars[i - 1]) {
            i -= 1;
        }
        i
    }

    /// End of the word after the cursor: skips non-word characters, then word characters.
    pub fn word_end_after(&self) -> usize {
        let rest: Vec<char> = self.text.chars().skip(self.cursor).collect();
        let mut i = 0;
        while i < rest.len() && !is_word_char(rest[i]) {
            i += 1;
        }
        while i < rest.len() && is_word_char(rest[i]) {
            i += 1;
        }
        self.cursor + i
    }

    /// Deletes the word before the cursor (alt-backspace).
    pub fn delete_word_before(&mut self) -> Edit {
        self.remove_range(self.word_start_before(), self.cursor)
    }

    /// Deletes back to the previous whitespace, like a shell's ctrl-w.
    pub fn delete_back_to_space(&mut self) -> Edit {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut i = chars.len();
        while i > 0 && chars[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !chars[i - 1].is_whitespace() {
            i -= 1;
        }
        self.remove_range(i, self.cursor)
    }

    /// Deletes the word after the cursor (alt-d).
    pub fn delete_word_after(&mut self) -> Edit {
        let (from, to) = (self.cursor, self.word_end_after());
        self.remove_range(from, to)
    }

    /// One word left (alt-b, ctrl-left).
    pub fn word_left(&mut self) {
        self.cursor = self.word_start_before();
    }

    /// One word right (alt-f, ctrl-right).
    pub fn word_right(&mut self) {
        self.cursor = self.word_end_after();
    }

    /// Applies an editing key; [`Edit::Ignored`] when it is not one (enter, tab, up, ...).
    pub fn handle_key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(c) if ctrl && !alt => match c.to_ascii_lowercase() {
                'a' => self.home(),
                'u' => return self.delete_to_start(),
                'k' => return self.delete_to_end(),
                'w' => return self.delete_back_to_space(),
                'h' => return self.backspace(),
                _ => return Edit::Ignored,
            },
            KeyCode::Char(c) if alt && !ctrl => match c.to_ascii_lowercase() {
                'b' => self.word_left(),
                'f' => self.word_right(),
                'd' => return self.delete_word_after(),
                _ => return Edit::Ignored,
            },
            KeyCode::Char(_) if ctrl || alt => return Edit::Ignored,
            KeyCode::Char(c) => {
                self.insert_char(c);
                return Edit::Changed;
            }
            KeyCode::Backspace if ctrl || alt => return self.delete_word_before(),
            KeyCode::Backspace => return self.backspace(),
            KeyCode::Delete if ctrl || alt => return self.delete_word_after(),
            KeyCode::Delete => return self.delete(),
            KeyCode::Left if ctrl || alt => self.word_left(),
            KeyCode::Right if ctrl || alt => self.word_right(),
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            _ => return Edit::Ignored,
        }
        Edit::Moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    fn alt(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
    }
    fn at(text: &str, cursor: usize) -> TextInput {
        let mut t = TextInput::new(text);
        t.set_cursor(cursor);
        t
    }
    fn state(t: &TextInput) -> (&str, usize) {
        (t.text(), t.cursor())
    }

    #[test]
    fn chars_insert_at_the_cursor() {
        let mut t = at("ac", 1);
        assert_eq!(t.handle_key(key(KeyCode::Char('b'))), Edit::Changed);
        assert_eq!(state(&t), ("abc", 2));
        let mut t = at("", 0);
        t.handle_key(KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT));
        assert_eq!(state(&t), ("A", 1));
    }

    #[test]
    fn multibyte_text_is_edited_by_characters() {
        let mut t = TextInput::new("héllo wörld 日本");
        assert_eq!(t.cursor(), 14);
        t.handle_key(key(KeyCode::Backspace));
        assert_eq!(state(&t), ("héllo wörld 日", 13));
        t.set_cursor(2);
        t.handle_key(key(KeyCode::Backspace));
        assert_eq!(state(&t), ("hllo wörld 日", 1));
        t.handle_key(key(KeyCode::Char('é')));
        t.handle_key(key(KeyCode::Char('€')));
        assert_eq!(state(&t), ("hé€llo wörld 日", 3));
        t.handle_key(key(KeyCode::Delete));
        assert_eq!(state(&t), ("hé€lo wörld 日", 3));
        assert_eq!(t.before_cursor(), "hé€");
        t.handle_key(alt('f'));
        t.handle_key(alt('f'));
        assert_eq!(t.cursor(), 11);
        t.handle_key(ctrl('k'));
        assert_eq!(state(&t), ("hé€lo wörld", 11));
        t.handle_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT));
        assert_eq!(state(&t), ("hé€lo ", 6));
    }

    #[test]
    fn backspace_and_delete_at_the_edges_do_nothing() {
        let mut t = at("ab", 0);
        assert_eq!(t.handle_key(key(KeyCode::Backspace)), Edit::Moved);
        assert_eq!(state(&t), ("ab", 0));
        t.end();
        assert_eq!(t.handle_key(key(KeyCode::Delete)), Edit::Moved);
        assert_eq!(state(&t), ("ab", 2));
        assert_eq!(t.handle_key(ctrl('h')), Edit::Changed);
        assert_eq!(state(&t), ("a", 1));
    }

    #[test]
    fn left_right_home_end_and_ctrl_a() {
        let mut t = at("abc", 3);
        t.handle_key(key(KeyCode::Right));
        assert_eq!(t.cursor(), 3);
        t.handle_key(key(KeyCode::Left));
        assert_eq!(t.cursor(), 2);
        t.handle_key(key(KeyCode::Home));
        assert_eq!(t.cursor(), 0);
        t.handle_key(key(KeyCode::Left));
        assert_eq!(t.cursor(), 0);
        t.handle_key(key(KeyCode::End));
        assert_eq!(t.cursor(), 3);
        assert_eq!(t.handle_key(ctrl('a')), Edit::Moved);
        assert_eq!(state(&t), ("abc", 0));
    }

    #[test]
    fn ctrl_u_deletes_to_the_start() {
        let mut t = TextInput::new("+1 (415) 555-0100");
        assert_eq!(t.handle_key(ctrl('u')), Edit::Changed);
        assert_eq!(state(&t), ("", 0));
        let mut t = at("abcdef", 4);
        t.handle_key(ctrl('u'));
        assert_eq!(state(&t), ("ef", 0));
        assert_eq!(t.handle_key(ctrl('u')), Edit::Moved);
    }

    #[test]
    fn ctrl_k_deletes_to_the_end() {
        let mut t = at("abcdef", 2);
        assert_eq!(t.handle_key(ctrl('k')), Edit::Changed);
        assert_eq!(state(&t), ("ab", 2));
        assert_eq!(t.handle_key(ctrl('k')), Edit::Moved);
    }

    #[test]
    fn ctrl_w_deletes_back_to_whitespace() {
        let mut t = TextInput::new("GET /services/data/v62.0  ");
        t.handle_key(ctrl('w'));
        assert_eq!(state(&t), ("GET ", 4));
        t.handle_key(ctrl('w'));
        assert_eq!(state(&t), ("", 0));
        let mut t = at("one two three", 7);
        t.handle_key(ctrl('w'));
        assert_eq!(state(&t), ("one  three", 4));
    }

    #[test]
    fn alt_backspace_deletes_the_word_before() {
        let mut t = TextInput::new("/services/data/");
        t.handle_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT));
        assert_eq!(state(&t), ("/services/", 10));
        t.handle_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::CONTROL));
        assert_eq!(state(&t), ("/", 1));
    }

    #[test]
    fn alt_d_deletes_the_word_after() {
        let mut t = at("Name = 'Acme'", 0);
        t.handle_key(alt('d'));
        assert_eq!(state(&t), (" = 'Acme'", 0));
        t.handle_key(KeyEvent::new(KeyCode::Delete, KeyModifiers::CONTROL));
        assert_eq!(state(&t), ("'", 0));
    }

    #[test]
    fn word_moves() {
        let mut t = TextInput::new("select Id, Name from Account");
        t.handle_key(alt('b'));
        assert_eq!(t.cursor(), 21);
        t.handle_key(KeyEvent::new(KeyCode::Left, KeyModifiers::CONTROL));
        assert_eq!(t.cursor(), 16);
        t.handle_key(alt('b'));
        t.handle_key(alt('b'));
        assert_eq!(t.cursor(), 7);
        t.handle_key(alt('f'));
        assert_eq!(t.cursor(), 9);
        t.handle_key(KeyEvent::new(KeyCode::Right, KeyModifiers::CONTROL));
        assert_eq!(t.cursor(), 15);
        t.home();
        t.handle_key(alt('b'));
        assert_eq!(t.cursor(), 0);
        t.end();
        t.handle_key(alt('f'));
        assert_eq!(t.cursor(), 28);
    }

    #[test]
    fn paste_inserts_one_line_at_the_cursor() {
        let mut t = at("ad", 1);
        assert_eq!(t.paste("bc\r\n"), Edit::Changed);
        assert_eq!(state(&t), ("abcd", 3));
        assert_eq!(t.paste("\n"), Edit::Moved);
        t.insert_str("ü\n");
        assert_eq!(state(&t), ("abcü\nd", 5));
    }

    #[test]
    fn other_keys_are_left_to_the_caller() {
        let mut t = TextInput::new("x");
        for k in [
            key(KeyCode::Enter),
            key(KeyCode::Tab),
            key(KeyCode::Up),
            key(KeyCode::Esc),
            ctrl('e'),
            ctrl('s'),
            alt('x'),
            KeyEvent::new(
                KeyCode::Char('a'),
                KeyModifiers::CONTROL | KeyModifiers::ALT,
            ),
        ] {
            assert_eq!(t.handle_key(k), Edit::Ignored, "{k:?}");
        }
        assert_eq!(state(&t), ("x", 1));
    }

    #[test]
    fn set_text_clear_take_and_accessors() {
        let mut t = TextInput::default();
        assert!(t.is_empty());
        t.set_text("été");
        assert_eq!(state(&t), ("été", 3));
        assert_eq!(t.len(), 3);
        t.set_cursor(99);
        assert_eq!(t.cursor(), 3);
        assert_eq!(t.take(), "été");
        assert_eq!(state(&t), ("", 0));
        t.set_text("x");
        t.clear();
        assert!(t.is_empty());
        assert_eq!(TextInput::from("ab"), TextInput::new(String::from("ab")));
    }

    #[test]
    fn debug_does_not_show_the_text() {
        let t = TextInput::new("s3cr3t-value");
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("12"), "{shown}");
    }
}

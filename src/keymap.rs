//! Key chords ("ctrl-s", "G", "shift-tab") and the keymap: per-context chord → [`Action`].
//!
//! Defaults come from `assets/default-keys.toml`; the user's `[keys.<context>]` tables in
//! `config.toml` replace the default keys of the actions they name. Names are parsed once, at
//! load: an unknown context, action or key is a config error, and so is a chord bound to two
//! actions in one context.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;

const DEFAULT_KEYS: &str = include_str!("../assets/default-keys.toml");

/// Where a key is pressed. Text contexts (`Form`, `Prompt`, `Palette`) see only their own
/// bindings; every other key goes into the text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    List,
    Profiles,
    Token,
    Form,
    Prompt,
    Palette,
    Confirm,
    Help,
    Check,
    Composer,
    ComposerEditor,
    ComposerResponse,
    ComposerInput,
    ComposerBody,
    ComposerPopup,
    History,
    // records
    /// The Records tab's list.
    Records,
    /// The Records tab's text lines (quick search, SOQL line, object name, export path).
    RecordsInput,
    /// The Records tab's popups (column chooser, export jobs).
    RecordsPopup,
    /// The import wizard's steps (mapping, preview, progress, summary).
    RecordsImport,
    /// The import wizard's lines (the file path, the field chooser's filter).
    RecordsImportInput,
    // record_detail
    /// The record detail view.
    Detail,
    /// A one-line field editor (typed keys go into it).
    FieldEditor,
    /// The multi-line text editor (enter is a newline).
    TextEditor,
    /// The save-conflict view.
    Conflict,
    /// The drafts offered at start.
    Drafts,
    /// "Discard N staged changes?" when quitting or leaving a record.
    LeaveStaged,
}

impl Context {
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::List,
        Context::Profiles,
        Context::Token,
        Context::Form,
        Context::Prompt,
        Context::Palette,
        Context::Confirm,
        Context::Help,
        Context::Check,
        Context::Composer,
        Context::ComposerEditor,
        Context::ComposerResponse,
        Context::ComposerInput,
        Context::ComposerBody,
        Context::ComposerPopup,
        Context::History,
        Context::Records,
        Context::RecordsInput,
        Context::RecordsPopup,
        Context::RecordsImport,
        Context::RecordsImportInput,
        Context::Detail,
        Context::FieldEditor,
        Context::TextEditor,
        Context::Conflict,
        Context::Drafts,
        Context::LeaveStaged,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Profiles => "profiles",
            Context::Token => "token",
            Context::Form => "form",
            Context::Prompt => "prompt",
            Context::Palette => "palette",
            Context::Confirm => "confirm",
            Context::Help => "help",
            Context::Check => "check",
            Context::Composer => "composer",
            Context::ComposerEditor => "composer_editor",
            Context::ComposerResponse => "composer_response",
            Context::ComposerInput => "composer_input",
            Context::ComposerBody => "composer_body",
            Context::ComposerPopup => "composer_popup",
            Context::History => "history",
            Context::Records => "records",
            Context::RecordsInput => "records_input",
            Context::RecordsPopup => "records_popup",
            Context::RecordsImport => "records_import",
            Context::RecordsImportInput => "records_import_input",
            Context::Detail => "detail",
            Context::FieldEditor => "field_editor",
            Context::TextEditor => "text_editor",
            Context::Conflict => "conflict",
            Context::Drafts => "drafts",
            Context::LeaveStaged => "leave_staged",
        }
    }

    fn from_name(name: &str) -> Option<Context> {
        Context::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Whether unbound keys are typed into a text field here (so `Global` is not consulted).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Context::Form
                | Context::Prompt
                | Context::Palette
                | Context::ComposerInput
                | Context::ComposerBody
                | Context::FieldEditor
                | Context::TextEditor
                | Context::RecordsInput
                | Context::RecordsImportInput
        )
    }
}

/// A key with its modifiers, normalised so that `G` and `shift-g` are the same chord and
/// crossterm's `BackTab` is `shift-tab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyChord {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> KeyChord {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c)
                if modifiers.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() =>
            {
                KeyCode::Char(c.to_ascii_uppercase())
            }
            other => other,
        };
        if matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        KeyChord { code, modifiers }
    }

    pub fn from_event(event: &KeyEvent) -> KeyChord {
        KeyChord::new(event.code, event.modifiers)
    }

    /// Parses "ctrl-s", "alt-1", "shift-tab", "enter", "G", "?", "pagedown", "f5".
    pub fn parse(text: &str) -> Result<KeyChord, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, modifier) = if lower.starts_with("ctrl-") {
                ("ctrl-", KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") {
                ("alt-", KeyModifiers::ALT)
            } else if lower.starts_with("shift-") {
                ("shift-", KeyModifiers::SHIFT)
            } else {
                break;
            };
            if rest.len() == prefix.len() {
                break; // "ctrl-" alone: no key follows, reported as unknown below
            }
            modifiers |= modifier;
            rest = &rest[prefix.len()..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse::<u8>().map_err(|e| e.to_string())?)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key '{text}'")),
                }
            }
        };
        Ok(KeyChord::new(code, modifiers))
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The user's overrides as written in `config.toml`: context → action name → key names.
pub type KeyOverrides = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// Context → chord → action, plus the reverse for the help overlay.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: HashMap<Context, HashMap<KeyChord, Action>>,
    /// Per context, each action's chords in the order written (for help and the palette).
    keys: BTreeMap<Context, BTreeMap<Action, Vec<KeyChord>>>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        // The embedded defaults are checked by a unit test, so this cannot fail at run time.
        Keymap::load(&KeyOverrides::new()).unwrap_or_else(|_| Keymap {
            bindings: HashMap::new(),
            keys: BTreeMap::new(),
        })
    }
}

impl Keymap {
    /// The defaults with the user's overrides applied.
    pub fn load(overrides: &KeyOverrides) -> Result<Keymap, String> {
        let defaults: KeyOverrides =
            toml::from_str(DEFAULT_KEYS).map_err(|e| format!("default keys: {e}"))?;
        let mut keys: BTreeMap<Context, BTreeMap<Action, Vec<KeyChord>>> = BTreeMap::new();
        for (layer, source) in [
            (&defaults, "default keys"),
            (overrides, "[keys] in config.toml"),
        ] {
            for (context_name, actions) in layer {
                let context = Context::from_name(context_name).ok_or_else(|| {
                    format!(
                        "{source}: unknown key table '{context_name}' (known: {})",
                        context_names()
                    )
                })?;
                for (action_name, chords) in actions {
                    let action = Action::from_name(action_name).ok_or_else(|| {
                        format!("{source}: [keys.{context_name}] unknown action '{action_name}'")
                    })?;
                    let parsed = chords
                        .iter()
                        .map(|c| KeyChord::parse(c))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| {
                            format!("{source}: [keys.{context_name}] {action_name}: {e}")
                        })?;
                    keys.entry(context).or_default().insert(action, parsed);
                }
            }
        }
        let mut bindings: HashMap<Context, HashMap<KeyChord, Action>> = HashMap::new();
        for (context, actions) in &keys {
            let map = bindings.entry(*context).or_default();
            for (action, chords) in actions {
                for chord in chords {
                    if let Some(other) = map.insert(*chord, *action)
                        && other != *action
                    {
                        return Err(format!(
                            "key '{chord}' is bound to both '{other}' and '{action}' in [keys.{}]",
                            context.name()
                        ));
                    }
                }
            }
        }
        Ok(Keymap { bindings, keys })
    }

    /// The action for a key in a stack of contexts (most specific first). Text contexts stop the
    /// search, so their unbound keys reach the text field.
    pub fn resolve(&self, contexts: &[Context], chord: KeyChord) -> Option<Action> {
        for context in contexts {
            if let Some(action) = self.bindings.get(context).and_then(|m| m.get(&chord)) {
                return Some(*action);
            }
            if context.is_text() {
                return None;
            }
        }
        None
    }

    /// The keys bound to an action in a context, for help lines like "n new  e edit".
    pub fn keys_for(&self, context: Context, action: Action) -> &[KeyChord] {
        self.keys
            .get(&context)
            .and_then(|m| m.get(&action))
            .map_or(&[], Vec::as_slice)
    }

    /// The first key of an action across a context stack, as text ("" when unbound).
    pub fn hint(&self, contexts: &[Context], action: Action) -> String {
        contexts
            .iter()
            .find_map(|c| self.keys_for(*c, action).first())
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    /// Every (action, keys) bound in a context, in action order.
    pub fn bindings_in(&self, context: Context) -> impl Iterator<Item = (Action, &[KeyChord])> {
        self.keys
            .get(&context)
            .into_iter()
            .flat_map(|m| m.iter().map(|(a, k)| (*a, k.as_slice())))
    }
}

fn context_names() -> String {
    Context::ALL
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(text: &str) -> KeyChord {
        KeyChord::parse(text).expect("valid chord")
    }

    #[test]
    fn parses_and_normalises_chords() {
        assert_eq!(
            chord("G"),
            KeyChord::new(KeyCode::Char('g'), KeyModifiers::SHIFT)
        );
        assert_eq!(
            chord("shift-tab"),
            KeyChord::new(KeyCode::BackTab, KeyModifiers::SHIFT)
        );
        assert_eq!(
            chord("ctrl-s"),
            KeyChord::new(KeyCode::Char('s'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            chord("pgdn"),
            KeyChord::new(KeyCode::PageDown, KeyModifiers::NONE)
        );
        assert_eq!(chord("f5").code, KeyCode::F(5));
        assert_eq!(chord("-").code, KeyCode::Char('-'));
        assert_eq!(chord("ctrl-s").to_string(), "ctrl-s");
        assert!(KeyChord::parse("nonsense").is_err());
    }

    #[test]
    fn embedded_defaults_load_without_conflicts() {
        let keymap = Keymap::load(&KeyOverrides::new()).expect("defaults load");
        let ctx = [Context::Profiles, Context::List, Context::Global];
        assert_eq!(keymap.resolve(&ctx, chord("n")), Some(Action::NewProfile));
        assert_eq!(keymap.resolve(&ctx, chord("j")), Some(Action::Down));
        assert_eq!(keymap.resolve(&ctx, chord("q")), Some(Action::Quit));
    }

    #[test]
    fn text_contexts_do_not_fall_through_to_global() {
        let keymap = Keymap::default();
        let ctx = [Context::Form, Context::Global];
        assert_eq!(
            keymap.resolve(&ctx, chord("q")),
            None,
            "q must be typed into the field"
        );
        assert_eq!(keymap.resolve(&ctx, chord("ctrl-s")), Some(Action::Submit));
    }

    #[test]
    fn user_overrides_replace_an_actions_keys() {
        let mut overrides = KeyOverrides::new();
        overrides
            .entry("profiles".into())
            .or_default()
            .insert("new_profile".into(), vec!["a".into()]);
        let keymap = Keymap::load(&overrides).expect("loads");
        let ctx = [Context::Profiles, Context::Global];
        assert_eq!(keymap.resolve(&ctx, chord("a")), Some(Action::NewProfile));
        assert_eq!(keymap.resolve(&ctx, chord("n")), None);
    }

    #[test]
    fn conflicts_and_unknown_names_are_errors() {
        let mut overrides = KeyOverrides::new();
        overrides
            .entry("profiles".into())
            .or_default()
            .insert("new_profile".into(), vec!["e".into()]);
        let err = Keymap::load(&overrides).expect_err("conflict");
        assert!(err.contains("bound to both"), "{err}");

        let mut overrides = KeyOverrides::new();
        overrides.entry("nowhere".into()).or_default();
        assert!(
            Keymap::load(&overrides)
                .expect_err("bad table")
                .contains("unknown key table")
        );

        let mut overrides = KeyOverrides::new();
        overrides
            .entry("global".into())
            .or_default()
            .insert("fly".into(), vec!["f".into()]);
        assert!(
            Keymap::load(&overrides)
                .expect_err("bad action")
                .contains("unknown action")
        );
    }
}

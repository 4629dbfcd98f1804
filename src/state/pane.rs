//! Who has the keys. [`InputTarget`] is decided once from the model (overlay, profile form,
//! Setup check popup, record detail, then the focused pane); every place that routes input —
//! key contexts, typing, paste, click, actions — asks it. Each target answers through [`Pane`].

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::check::CheckState;
use super::composer::{self, ComposerState};
use super::history::{self, HistoryState};
use super::palette::PaletteState;
use super::profiles::{self, ProfilesState};
use super::record_detail::RecordDetailState;
use super::records::RecordsState;
use super::token::TokenState;
use super::{Focus, Model, Overlay, Tab};
use crate::keymap::Context;

/// What has the keyboard, topmost first: an overlay covers everything, the profile form
/// covers the panes, the Setup check popup covers the main area, the detail view covers the
/// Records list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputTarget {
    /// Help, the palette, a confirmation, the drafts or quit popup.
    Overlay,
    /// The profile form, the secret prompt or a profile confirmation.
    ProfileForm,
    /// The Setup check popup.
    Check,
    /// The record detail view on top of the Records list.
    Detail,
    Profiles,
    Token,
    Records,
    Composer,
    History,
}

/// What each input target does with keys that are not actions.
pub trait Pane {
    /// The key contexts that resolve a key here, most specific first.
    fn contexts(&self) -> Vec<Context>;
    /// Whether unbound keys and pastes go into a text field here.
    fn wants_text(&self) -> bool;
    /// An unbound key typed into the text field (nothing when none has the keyboard).
    fn type_key(&mut self, key: KeyEvent);
    /// Pasted text, typed as if by hand (never fires actions; newlines dropped).
    fn paste(&mut self, text: &str) {
        if !self.wants_text() {
            return;
        }
        for c in text.chars().filter(|c| !c.is_control()) {
            self.type_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }
}

impl Model {
    /// What has the keyboard now.
    pub fn input_target(&self) -> InputTarget {
        if self.overlay.is_some() {
            InputTarget::Overlay
        } else if self.profiles.is_modal() {
            InputTarget::ProfileForm
        } else if self.check.open {
            InputTarget::Check
        } else if self.detail_in_focus().is_some() {
            InputTarget::Detail
        } else {
            match (self.focus, self.tab) {
                (Focus::Profiles, _) => InputTarget::Profiles,
                (Focus::Token, _) => InputTarget::Token,
                (Focus::Main, Tab::Records) => InputTarget::Records,
                (Focus::Main, Tab::Composer) => InputTarget::Composer,
                (Focus::Main, Tab::History) => InputTarget::History,
            }
        }
    }

    /// The pane of `target`.
    pub fn pane(&self, target: InputTarget) -> Option<&dyn Pane> {
        Some(match target {
            InputTarget::Overlay => self.overlay.as_ref()?,
            InputTarget::ProfileForm | InputTarget::Profiles => &self.profiles,
            InputTarget::Check => &self.check,
            InputTarget::Detail => self.detail.top()?,
            InputTarget::Token => &self.token,
            InputTarget::Records => &self.records,
            InputTarget::Composer => &self.composer,
            InputTarget::History => &self.history,
        })
    }

    pub(super) fn pane_mut(&mut self, target: InputTarget) -> Option<&mut dyn Pane> {
        Some(match target {
            InputTarget::Overlay => self.overlay.as_mut()?,
            InputTarget::ProfileForm | InputTarget::Profiles => &mut self.profiles,
            InputTarget::Check => &mut self.check,
            InputTarget::Detail => self.detail.top_mut()?,
            InputTarget::Token => &mut self.token,
            InputTarget::Records => &mut self.records,
            InputTarget::Composer => &mut self.composer,
            InputTarget::History => &mut self.history,
        })
    }
}

impl Pane for Overlay {
    fn contexts(&self) -> Vec<Context> {
        vec![match self {
            Overlay::Help { .. } => Context::Help,
            Overlay::Palette(_) => Context::Palette,
            Overlay::ConfirmCopyToken => Context::Confirm,
            Overlay::Drafts { .. } => Context::Drafts,
            Overlay::QuitStaged { .. } => Context::LeaveStaged,
        }]
    }

    fn wants_text(&self) -> bool {
        matches!(self, Overlay::Palette(_))
    }

    fn type_key(&mut self, key: KeyEvent) {
        if let Overlay::Palette(palette) = self {
            palette.type_key(key);
        }
    }
}

impl Pane for PaletteState {
    fn contexts(&self) -> Vec<Context> {
        vec![Context::Palette]
    }

    fn wants_text(&self) -> bool {
        true
    }

    fn type_key(&mut self, key: KeyEvent) {
        PaletteState::type_key(self, key);
    }
}

impl Pane for ProfilesState {
    fn contexts(&self) -> Vec<Context> {
        match &self.mode {
            profiles::Mode::Form(_) => vec![Context::Form],
            profiles::Mode::SecretPrompt { .. } => vec![Context::Prompt],
            profiles::Mode::ConfirmDelete { .. } | profiles::Mode::ConfirmDiscard(_) => {
                vec![Context::Confirm]
            }
            profiles::Mode::List => vec![Context::Profiles, Context::List, Context::Global],
        }
    }

    fn wants_text(&self) -> bool {
        matches!(
            self.mode,
            profiles::Mode::Form(_) | profiles::Mode::SecretPrompt { .. }
        )
    }

    fn type_key(&mut self, key: KeyEvent) {
        ProfilesState::type_key(self, key);
    }
}

impl Pane for CheckState {
    fn contexts(&self) -> Vec<Context> {
        vec![Context::Check, Context::List, Context::Global]
    }

    fn wants_text(&self) -> bool {
        false
    }

    /// The popup is modal: nothing is typed underneath it.
    fn type_key(&mut self, _key: KeyEvent) {}
}

impl Pane for RecordDetailState {
    fn contexts(&self) -> Vec<Context> {
        self.key_contexts()
    }

    fn wants_text(&self) -> bool {
        RecordDetailState::wants_text(self)
    }

    fn type_key(&mut self, key: KeyEvent) {
        if RecordDetailState::wants_text(self) {
            RecordDetailState::type_key(self, key);
        }
    }
}

impl Pane for TokenState {
    fn contexts(&self) -> Vec<Context> {
        vec![Context::Token, Context::Global]
    }

    fn wants_text(&self) -> bool {
        false
    }

    fn type_key(&mut self, _key: KeyEvent) {}
}

impl Pane for RecordsState {
    fn contexts(&self) -> Vec<Context> {
        if self.input.is_some() {
            vec![Context::RecordsInput]
        } else if self.popup.is_some() {
            vec![Context::RecordsPopup, Context::List]
        } else {
            vec![Context::Records, Context::List, Context::Global]
        }
    }

    fn wants_text(&self) -> bool {
        RecordsState::wants_text(self)
    }

    fn type_key(&mut self, key: KeyEvent) {
        if RecordsState::wants_text(self) {
            RecordsState::type_key(self, key);
        }
    }
}

impl Pane for ComposerState {
    fn contexts(&self) -> Vec<Context> {
        ComposerState::contexts(self)
    }

    fn wants_text(&self) -> bool {
        matches!(
            self.mode,
            composer::Mode::Input { .. } | composer::Mode::Body(_)
        )
    }

    fn type_key(&mut self, key: KeyEvent) {
        ComposerState::type_key(self, key);
    }

    /// Multi-line text keeps its line breaks in the body editor.
    fn paste(&mut self, text: &str) {
        ComposerState::paste(self, text);
    }
}

impl Pane for HistoryState {
    fn contexts(&self) -> Vec<Context> {
        HistoryState::contexts(self)
    }

    fn wants_text(&self) -> bool {
        matches!(self.mode, history::Mode::Filter(_))
    }

    fn type_key(&mut self, key: KeyEvent) {
        HistoryState::type_key(self, key);
    }
}

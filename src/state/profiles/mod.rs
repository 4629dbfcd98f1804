//! Connection profiles pane: the list, the profile form, delete confirmation and the secret prompt.
//!
//! The pane holds a copy of the stored profiles; every change goes out as
//! [`Effect::SaveProfiles`] and the runtime answers with the profiles as written (or the error),
//! so what the list shows is always what is on disk.
//!
//! This file holds the pane (the list, the selection, the confirmations and the secret prompt);
//! the profile form and its validation live in `form/`.

mod form;

pub use form::{
    Field, FlowChoice, LoginHost, PRODUCTION_URL, ProfileForm, SANDBOX_URL, SecretKind,
};

use ratatui::crossterm::event::KeyEvent;
use std::fmt;

use secrecy::SecretString;

use crate::action::Action;
use crate::config::profiles::{Profile, SecretSource};
use crate::effect::{Effect, ProfileChange};
use crate::state::text_input::TextInput;

/// What the pane shows besides the list. `Debug` masks the secret typed at the prompt.
#[derive(Clone)]
pub enum Mode {
    List,
    Form(Box<ProfileForm>),
    ConfirmDelete {
        name: String,
    },
    /// Esc in a form with changes: keep the form so nothing typed is lost if the user says no.
    ConfirmDiscard(Box<ProfileForm>),
    SecretPrompt {
        profile: Box<Profile>,
        input: TextInput,
    },
}

/// What the pane asks of the rest of the app.
#[derive(Debug)]
pub enum Reply {
    Effects(Vec<Effect>),
    /// Connect with this profile (and the secret typed at the prompt, if it asked for one).
    Connect(Box<Profile>, Option<SecretString>),
}

#[derive(Debug, Clone)]
pub struct ProfilesState {
    pub profiles: Vec<Profile>,
    pub selected: usize,
    pub mode: Mode,
    /// The last save error or notice, shown under the list.
    pub message: Option<String>,
    /// Set while the loaded file is malformed: the list is empty and saving is refused.
    pub load_error: Option<String>,
}

impl ProfilesState {
    pub fn new(profiles: Vec<Profile>, load_error: Option<String>) -> ProfilesState {
        ProfilesState {
            profiles,
            selected: 0,
            mode: Mode::List,
            message: None,
            load_error,
        }
    }

    pub fn selected_profile(&self) -> Option<&Profile> {
        self.profiles.get(self.selected)
    }

    pub fn is_modal(&self) -> bool {
        !matches!(self.mode, Mode::List)
    }

    pub fn update(&mut self, action: Action) -> Reply {
        if matches!(self.mode, Mode::List) {
            return self.update_list(action);
        }
        let mode = std::mem::replace(&mut self.mode, Mode::List);
        let (mode, reply) = match mode {
            Mode::List => (Mode::List, Reply::Effects(Vec::new())),
            Mode::Form(form) => self.update_form(*form, action),
            Mode::ConfirmDelete { name } => match action {
                Action::Confirm => (
                    Mode::List,
                    Reply::Effects(vec![Effect::SaveProfiles(ProfileChange::Remove { name })]),
                ),
                Action::Deny | Action::Cancel => (Mode::List, Reply::Effects(Vec::new())),
                _ => (Mode::ConfirmDelete { name }, Reply::Effects(Vec::new())),
            },
            Mode::ConfirmDiscard(form) => match action {
                Action::Confirm => (Mode::List, Reply::Effects(Vec::new())),
                Action::Deny | Action::Cancel => (Mode::Form(form), Reply::Effects(Vec::new())),
                _ => (Mode::ConfirmDiscard(form), Reply::Effects(Vec::new())),
            },
            Mode::SecretPrompt { profile, input } => match action {
                Action::Submit if !input.text().is_empty() => {
                    let secret = SecretString::from(input.text().to_owned());
                    (Mode::List, Reply::Connect(profile, Some(secret)))
                }
                Action::Cancel => (Mode::List, Reply::Effects(Vec::new())),
                _ => (
                    Mode::SecretPrompt { profile, input },
                    Reply::Effects(Vec::new()),
                ),
            },
        };
        self.mode = mode;
        reply
    }

    fn update_list(&mut self, action: Action) -> Reply {
        let none = Reply::Effects(Vec::new());
        let count = self.profiles.len();
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Action::Top => self.selected = 0,
            Action::Bottom | Action::PageDown => self.selected = count.saturating_sub(1),
            Action::PageUp => self.selected = 0,
            Action::NewProfile => {
                if let Some(error) = &self.load_error {
                    self.message = Some(format!("Fix profiles.toml first: {error}"));
                } else {
                    self.mode = Mode::Form(Box::new(ProfileForm::new_profile()));
                }
            }
            Action::EditProfile => {
                if let Some(profile) = self.selected_profile() {
                    self.mode = Mode::Form(Box::new(ProfileForm::edit(profile)));
                }
            }
            Action::DuplicateProfile => {
                if let Some(profile) = self.selected_profile() {
                    let name = profile.name.clone();
                    return Reply::Effects(vec![Effect::SaveProfiles(ProfileChange::Duplicate {
                        name,
                    })]);
                }
            }
            Action::DeleteProfile => {
                if let Some(profile) = self.selected_profile() {
                    self.mode = Mode::ConfirmDelete {
                        name: profile.name.clone(),
                    };
                }
            }
            Action::Connect => {
                if let Some(profile) = self.selected_profile().cloned() {
                    if matches!(profile.secret, SecretSource::Prompt) {
                        self.mode = Mode::SecretPrompt {
                            profile: Box::new(profile),
                            input: TextInput::default(),
                        };
                    } else {
                        return Reply::Connect(Box::new(profile), None);
                    }
                }
            }
            _ => {}
        }
        none
    }

    fn update_form(&mut self, mut form: ProfileForm, action: Action) -> (Mode, Reply) {
        let none = || Reply::Effects(Vec::new());
        match action {
            Action::NextField => form.move_focus(1),
            Action::PrevField => form.move_focus(-1),
            Action::CycleChoice => form.cycle_choice(),
            Action::Cancel if form.is_changed() => {
                return (Mode::ConfirmDiscard(Box::new(form)), none());
            }
            Action::Cancel => return (Mode::List, none()),
            Action::Submit => match form.to_profile(&self.profiles) {
                Ok(profile) => {
                    let change = ProfileChange::Upsert {
                        original_name: form.original_name.clone(),
                        profile: Box::new(profile),
                    };
                    // The form stays open until the runtime confirms the save (see `on_saved`).
                    form.saving = true;
                    return (
                        Mode::Form(Box::new(form)),
                        Reply::Effects(vec![Effect::SaveProfiles(change)]),
                    );
                }
                Err(problems) => form.problems = problems,
            },
            _ => {}
        }
        (Mode::Form(Box::new(form)), none())
    }

    /// A key typed into the focused text field of the form or the secret prompt.
    pub fn type_key(&mut self, key: KeyEvent) {
        match &mut self.mode {
            Mode::Form(form) => form.type_key(key),
            Mode::SecretPrompt { input, .. } => {
                input.handle_key(key);
            }
            _ => {}
        }
    }

    /// The runtime wrote profiles.toml (or failed to).
    pub fn on_saved(&mut self, result: Result<Vec<Profile>, String>) {
        match result {
            Ok(profiles) => {
                let keep = match &self.mode {
                    Mode::Form(form) => form.name_text().to_owned(),
                    _ => self
                        .selected_profile()
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                };
                // A duplicate is the one profile that was not there before: select it, so
                // the next key (e, d) acts on the copy, not the original.
                let mut added = profiles
                    .iter()
                    .filter(|p| !self.profiles.iter().any(|old| old.name == p.name));
                let copy = match (added.next(), added.next(), &self.mode) {
                    (Some(copy), None, Mode::List) => Some(copy.name.clone()),
                    _ => None,
                };
                let keep = copy.clone().unwrap_or(keep);
                self.profiles = profiles;
                self.selected = self
                    .profiles
                    .iter()
                    .position(|p| p.name.eq_ignore_ascii_case(&keep))
                    .unwrap_or_else(|| self.selected.min(self.profiles.len().saturating_sub(1)));
                if matches!(self.mode, Mode::Form(_)) {
                    self.mode = Mode::List;
                }
                self.message = Some(match copy {
                    Some(name) => format!("Saved profiles.toml: the copy \"{name}\" is selected."),
                    None => "Saved profiles.toml".into(),
                });
            }
            Err(error) => {
                if let Mode::Form(form) = &mut self.mode {
                    form.saving = false;
                }
                self.message = Some(format!("Not saved: {error}"));
            }
        }
    }
}

impl fmt::Debug for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::List => f.write_str("List"),
            Mode::Form(form) => f.debug_tuple("Form").field(form).finish(),
            Mode::ConfirmDelete { name } => {
                f.debug_struct("ConfirmDelete").field("name", name).finish()
            }
            Mode::ConfirmDiscard(form) => f.debug_tuple("ConfirmDiscard").field(form).finish(),
            Mode::SecretPrompt { profile, input: _ } => f
                .debug_struct("SecretPrompt")
                .field("profile", profile)
                .field("input", &"[redacted]")
                .finish(),
        }
    }
}

//! The command palette: fuzzy search ([`super::fuzzy`]) over every action a user can run by
//! name, the matched letters of each help text highlighted.

use ratatui::crossterm::event::KeyEvent;

use crate::action::Action;
use crate::state::text_input::TextInput;

#[derive(Debug, Clone)]
pub struct PaletteState {
    pub input: TextInput,
    /// Matching actions, best first.
    pub matches: Vec<Action>,
    /// For each match, the char positions of its help text that matched the query.
    pub highlights: Vec<Vec<usize>>,
    pub selected: usize,
}

impl Default for PaletteState {
    fn default() -> PaletteState {
        let mut palette = PaletteState {
            input: TextInput::default(),
            matches: Vec::new(),
            highlights: Vec::new(),
            selected: 0,
        };
        palette.refilter();
        palette
    }
}

/// What the palette wants after a key.
#[derive(Debug, PartialEq, Eq)]
pub enum PaletteOutcome {
    Stay,
    Close,
    Run(Action),
}

impl PaletteState {
    pub fn commands() -> impl Iterator<Item = Action> {
        Action::ALL.iter().copied().filter(|a| a.is_command())
    }

    pub fn update(&mut self, action: Action) -> PaletteOutcome {
        match action {
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                PaletteOutcome::Stay
            }
            Action::Down => {
                if self.selected + 1 < self.matches.len() {
                    self.selected += 1;
                }
                PaletteOutcome::Stay
            }
            Action::Submit => match self.matches.get(self.selected) {
                Some(&action) => PaletteOutcome::Run(action),
                None => PaletteOutcome::Stay,
            },
            // Esc clears a typed query first, then closes.
            Action::Cancel if !self.input.text().is_empty() => {
                self.input = TextInput::default();
                self.refilter();
                PaletteOutcome::Stay
            }
            Action::Cancel => PaletteOutcome::Close,
            _ => PaletteOutcome::Stay,
        }
    }

    /// A key typed into the query.
    pub fn type_key(&mut self, key: KeyEvent) {
        if self.input.handle_key(key).changed() {
            self.refilter();
        }
    }

    fn refilter(&mut self) {
        // The help text is what the list shows; the name (`renew_token`) matches too.
        let hits = super::fuzzy::filter(
            self.input.text(),
            PaletteState::commands().map(|action| {
                let text = format!("{}  {}", action.help(), action.name().replace('_', " "));
                (action, text)
            }),
        );
        self.matches = hits.iter().map(|h| h.item).collect();
        let query = self.input.text();
        self.highlights = self
            .matches
            .iter()
            .map(|action| super::fuzzy::positions(query, action.help()))
            .collect();
        self.selected = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn typed(text: &str) -> PaletteState {
        let mut palette = PaletteState::default();
        for c in text.chars() {
            palette.type_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        palette
    }

    #[test]
    fn empty_query_lists_every_command_but_not_pane_keys() {
        let palette = PaletteState::default();
        assert!(palette.matches.contains(&Action::RenewToken));
        assert!(!palette.matches.contains(&Action::Down));
        assert!(!palette.matches.contains(&Action::FindNext));
        assert!(palette.matches.contains(&Action::ToggleSidebar));
        assert_eq!(PaletteState::commands().count(), palette.matches.len());
    }

    #[test]
    fn fuzzy_query_ranks_the_intended_action_first() {
        assert_eq!(typed("revok").matches.first(), Some(&Action::RevokeToken));
        assert_eq!(typed("new prof").matches.first(), Some(&Action::NewProfile));
        assert!(typed("zzzzqqq").matches.is_empty());
        // The matched letters of the help text are highlighted.
        let palette = typed("revok");
        let help: Vec<char> = Action::RevokeToken.help().chars().collect();
        let lit: String = palette.highlights[0].iter().map(|&i| help[i]).collect();
        assert_eq!(lit.to_lowercase(), "revok");
    }

    #[test]
    fn enter_runs_the_selected_match_and_esc_closes() {
        let mut palette = typed("renew");
        assert_eq!(
            palette.update(Action::Submit),
            PaletteOutcome::Run(Action::RenewToken)
        );
        // Esc clears the query (every command again), a second esc closes.
        assert_eq!(palette.update(Action::Cancel), PaletteOutcome::Stay);
        assert_eq!(palette.input.text(), "");
        assert_eq!(palette.matches.len(), PaletteState::commands().count());
        assert_eq!(palette.update(Action::Cancel), PaletteOutcome::Close);
        let mut empty = typed("zzzzqqq");
        assert_eq!(empty.update(Action::Submit), PaletteOutcome::Stay);
    }
}

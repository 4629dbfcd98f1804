//! The command palette: fuzzy search (nucleo) over every action a user can run by name.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use ratatui::crossterm::event::KeyEvent;

use crate::action::Action;
use crate::state::text_input::TextInput;

#[derive(Debug, Clone)]
pub struct PaletteState {
    pub input: TextInput,
    /// Matching actions, best first.
    pub matches: Vec<Action>,
    pub selected: usize,
}

impl Default for PaletteState {
    fn default() -> PaletteState {
        let mut palette = PaletteState {
            input: TextInput::default(),
            matches: Vec::new(),
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
        let query = self.input.text();
        if query.trim().is_empty() {
            self.matches = PaletteState::commands().collect();
        } else {
            let mut matcher = Matcher::new(Config::DEFAULT);
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            let mut buf = Vec::new();
            let mut scored: Vec<(Action, u32)> = PaletteState::commands()
                .filter_map(|action| {
                    let haystack = format!("{} {}", action.name().replace('_', " "), action.help());
                    pattern
                        .score(Utf32Str::new(&haystack, &mut buf), &mut matcher)
                        .map(|score| (action, score))
                })
                .collect();
            scored.sort_by_key(|(_, score)| std::cmp::Reverse(*score));
            self.matches = scored.into_iter().map(|(a, _)| a).collect();
        }
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
    }

    #[test]
    fn enter_runs_the_selected_match_and_esc_closes() {
        let mut palette = typed("renew");
        assert_eq!(
            palette.update(Action::Submit),
            PaletteOutcome::Run(Action::RenewToken)
        );
        assert_eq!(palette.update(Action::Cancel), PaletteOutcome::Close);
        let mut empty = typed("zzzzqqq");
        assert_eq!(empty.update(Action::Submit), PaletteOutcome::Stay);
    }
}

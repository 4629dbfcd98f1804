//! Whether the side panes (profiles, token) are shown: they fold away by themselves on a narrow
//! terminal, and `z` overrides that until the width crosses the threshold again.
//!
//! The rule, in one place ([`side_panes_shown`]): on a wide terminal the panes show, on a narrow
//! one (the UI decides what narrow is, from the frame: `ui::FOLD_BELOW`) they fold. `z` shows
//! them where they are folded and hides them where they show; alt-1 / alt-2 show them. That
//! choice is tied to the width class it was made at: when the terminal crosses the threshold the
//! choice is forgotten and the automatic rule applies again. Focus never stays on a folded pane.

use super::{Focus, LayoutFeedback, Model};

/// The user's choice (`z`, alt-1, alt-2): the side panes shown or hidden, made while the
/// terminal was `narrow` or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SidePanes {
    pub shown: bool,
    pub narrow: bool,
}

/// Whether the side panes show on a terminal that is `narrow` or not, given the user's choice.
pub fn side_panes_shown(choice: Option<SidePanes>, narrow: bool) -> bool {
    match choice {
        Some(choice) if choice.narrow == narrow => choice.shown,
        _ => !narrow,
    }
}

impl Model {
    /// Whether the side panes show, at the width last drawn.
    pub fn side_panes_shown(&self) -> bool {
        side_panes_shown(self.side_panes, self.layout.narrow)
    }

    /// Where the last frame put the panes. A choice made at the other side of the threshold
    /// is forgotten, and focus leaves a pane that folded away. True when the focus moved (the
    /// frame is drawn again).
    pub fn set_layout(&mut self, layout: LayoutFeedback) -> bool {
        self.layout = layout;
        if self.side_panes.is_some_and(|c| c.narrow != layout.narrow) {
            self.side_panes = None;
        }
        self.keep_focus_visible()
    }

    /// `z`: hides the side panes where they show, shows them where they are folded.
    pub(super) fn toggle_side_panes(&mut self) {
        self.side_panes = Some(SidePanes {
            shown: !self.side_panes_shown(),
            narrow: self.layout.narrow,
        });
        self.keep_focus_visible();
    }

    /// alt-1 / alt-2: the side panes show (the choice holds until the width class changes).
    pub(super) fn show_side_panes(&mut self) {
        if !self.side_panes_shown() {
            self.side_panes = Some(SidePanes {
                shown: true,
                narrow: self.layout.narrow,
            });
        }
    }

    /// Focus on a folded pane moves to the main area. True when it moved.
    pub(super) fn keep_focus_visible(&mut self) -> bool {
        if self.focus != Focus::Main && !self.side_panes_shown() {
            self.focus = Focus::Main;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panes_fold_on_a_narrow_terminal_unless_the_user_chose_there() {
        assert!(side_panes_shown(None, false));
        assert!(!side_panes_shown(None, true));
        let hidden_wide = SidePanes {
            shown: false,
            narrow: false,
        };
        assert!(!side_panes_shown(Some(hidden_wide), false));
        // A choice made on a wide terminal means nothing on a narrow one.
        assert!(!side_panes_shown(Some(hidden_wide), true));
        let shown_narrow = SidePanes {
            shown: true,
            narrow: true,
        };
        assert!(side_panes_shown(Some(shown_narrow), true));
        assert!(side_panes_shown(Some(shown_narrow), false));
    }
}

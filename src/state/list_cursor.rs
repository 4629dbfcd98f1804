//! Moving the cursor of a list: the one rule every list pane and popup follows (a row up or
//! down, the ends, ten rows a page), clamped to the rows there are.

use crate::action::Action;

/// Rows `pageup` / `pagedown` move.
pub const PAGE: usize = 10;

/// Where `action` puts a cursor at `at` in a list of `len` rows (`at` when it is no move).
pub fn step(at: usize, len: usize, action: Action) -> usize {
    step_by(at, len, action, PAGE)
}

/// [`step`] with `page` rows a page (a form's fields, a long text).
pub fn step_by(at: usize, len: usize, action: Action, page: usize) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => at.saturating_sub(1),
        Action::Down => (at + 1).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        Action::PageUp => at.saturating_sub(page),
        Action::PageDown => (at + page).min(last),
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_within_the_rows_there_are() {
        assert_eq!(step(0, 5, Action::Up), 0);
        assert_eq!(step(0, 5, Action::Down), 1);
        assert_eq!(step(4, 5, Action::Down), 4);
        assert_eq!(step(2, 5, Action::Top), 0);
        assert_eq!(step(2, 5, Action::Bottom), 4);
        assert_eq!(step(12, 30, Action::PageUp), 2);
        assert_eq!(step(25, 30, Action::PageDown), 29);
        assert_eq!(step(3, 0, Action::Bottom), 0);
        assert_eq!(step(3, 5, Action::Submit), 3);
    }
}

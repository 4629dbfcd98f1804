//! The responsive layout (issue #20): below `ui::FOLD_BELOW` columns the side panes fold by
//! themselves, `z` overrides that until the width crosses the threshold again, focus never
//! stays on a folded pane, and the list's column widths stay put while scrolling.
//! Snapshots of the records list, a record and the Composer at 80x24 and 120x40, with the side
//! panes folded and unfolded (at 80x24 unfolded by `z`, at 120x40 folded by `z`).

use sfterm::state::{Focus, Model};
use sfterm::ui::FOLD_BELOW;

use crate::common::{draw, press};
use crate::screens::{composer_with_a_soap_response, demo, record_with_staged_edits};

/// The screen at `width` x `height`: a first frame tells the model the width, then `z` when
/// `toggled` (folding at 120x40, unfolding at 80x24).
pub(crate) fn shot(mut model: Model, width: u16, height: u16, toggled: bool) -> String {
    model.side_panes = None;
    draw(&mut model, width, height);
    if toggled {
        press(&mut model, "z");
    }
    let screen = draw(&mut model, width, height);
    let folded = !screen.contains("Profiles");
    assert_eq!(
        folded,
        (width < FOLD_BELOW) != toggled,
        "side panes at {width}x{height}, z {toggled}:\n{screen}"
    );
    screen
}

#[test]
fn records_list_at_80x24_and_120x40() {
    assert_screen!("records_80x24_folded", shot(demo(), 80, 24, false));
    assert_screen!("records_80x24_unfolded", shot(demo(), 80, 24, true));
    assert_screen!("records_120x40_unfolded", shot(demo(), 120, 40, false));
    assert_screen!("records_120x40_folded", shot(demo(), 120, 40, true));
}

#[test]
fn record_detail_at_80x24_and_120x40() {
    let model = record_with_staged_edits;
    assert_screen!("detail_80x24_folded", shot(model(), 80, 24, false));
    assert_screen!("detail_80x24_unfolded", shot(model(), 80, 24, true));
    assert_screen!("detail_120x40_unfolded", shot(model(), 120, 40, false));
    assert_screen!("detail_120x40_folded", shot(model(), 120, 40, true));
}

#[test]
fn composer_at_80x24_and_120x40() {
    let model = composer_with_a_soap_response;
    assert_screen!("composer_80x24_folded", shot(model(), 80, 24, false));
    assert_screen!("composer_80x24_unfolded", shot(model(), 80, 24, true));
    assert_screen!("composer_120x40_unfolded", shot(model(), 120, 40, false));
    assert_screen!("composer_120x40_folded", shot(model(), 120, 40, true));
}

#[test]
fn narrowing_folds_the_side_panes_and_tab_never_focuses_a_hidden_pane() {
    let mut model = demo();
    let wide = draw(&mut model, 120, 40);
    assert!(
        wide.contains("Profiles") && wide.contains("Token"),
        "{wide}"
    );
    assert!(
        !wide.contains("token 1h 52m"),
        "the token pane shows it: {wide}"
    );
    press(&mut model, "tab");
    assert_eq!(model.focus, Focus::Token);

    // Resized to 80x24: the panes fold, the focus leaves the token pane, the status bar has
    // the token's time left.
    let narrow = draw(&mut model, 80, 24);
    assert!(!narrow.contains("Profiles"), "{narrow}");
    assert_eq!(model.focus, Focus::Main);
    let status = narrow.lines().last().expect("a status bar");
    assert!(status.contains("Demo org"), "{status}");
    assert!(status.contains("token 1h 52m"), "{status}");
    for keys in ["tab", "shift-tab", "tab tab", "shift-tab shift-tab"] {
        press(&mut model, keys);
        assert_eq!(model.focus, Focus::Main, "{keys} at 80x24");
    }

    // z shows them at this width; tab walks through them again.
    press(&mut model, "z");
    let forced = draw(&mut model, 80, 24);
    assert!(forced.contains("Profiles"), "{forced}");
    press(&mut model, "tab");
    assert_eq!(model.focus, Focus::Profiles);

    // Crossing the threshold forgets the choice: wide shows them, narrow folds them again.
    draw(&mut model, 120, 40);
    assert!(model.side_panes_shown());
    assert_eq!(model.focus, Focus::Profiles);
    draw(&mut model, 80, 24);
    assert!(!model.side_panes_shown());
    assert_eq!(model.focus, Focus::Main, "focus left the folded profiles");

    // alt-1 shows them and focuses the profiles.
    press(&mut model, "alt-1");
    assert!(draw(&mut model, 80, 24).contains("Profiles"));
    assert_eq!(model.focus, Focus::Profiles);

    // A wide terminal's z hides them; at the threshold itself they show.
    draw(&mut model, FOLD_BELOW, 30);
    assert!(model.side_panes_shown());
    press(&mut model, "z");
    assert_eq!(model.focus, Focus::Main);
    assert!(!draw(&mut model, FOLD_BELOW, 30).contains("Profiles"));
    assert!(!draw(&mut model, FOLD_BELOW - 1, 30).contains("Profiles"));
}

/// The list's header line (the one under the object switcher).
fn header(screen: &str) -> String {
    let line = screen
        .lines()
        .find(|l| l.contains("Account Name"))
        .expect("the column header");
    // Without the main area's border (thick once it has the focus).
    line[line.find("Account Name").expect("found")..]
        .trim_end_matches(['"', '│', '┃'])
        .to_owned()
}

#[test]
fn column_widths_stay_put_while_scrolling_and_after_capital_g() {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut model = demo();
        let top = draw(&mut model, width, height);
        press(&mut model, "1 j j j ctrl-d ctrl-d");
        let scrolled = draw(&mut model, width, height);
        press(&mut model, "G");
        let bottom = draw(&mut model, width, height);
        assert_ne!(top, bottom, "the list scrolled");
        assert_eq!(header(&top), header(&scrolled), "{width}x{height}");
        assert_eq!(header(&top), header(&bottom), "{width}x{height}");
    }
}

/// The list rows of a screen (under the column header).
fn list_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .skip_while(|l| !l.contains("Account Name"))
        .skip(1)
        .take(10)
        .collect()
}

#[test]
fn a_short_column_is_never_cut_beside_a_wide_one() {
    // At 80x24 the columns do not all fit: the widest give way, the phone numbers (narrower
    // than a fair share) stay whole.
    let mut model = demo();
    let narrow = draw(&mut model, 80, 24);
    for row in list_rows(&narrow) {
        assert!(
            row.split_whitespace()
                .any(|w| w.ends_with(|c: char| c.is_ascii_digit())
                    && w.contains('-')
                    && w.len() == 8),
            "a whole phone number in {row}:\n{narrow}"
        );
    }
    // With the panes hidden at 120x40 everything fits: nothing is cut.
    let mut model = demo();
    draw(&mut model, 120, 40);
    press(&mut model, "z");
    let wide = draw(&mut model, 120, 40);
    assert!(!wide.contains("Profiles"), "{wide}");
    for row in list_rows(&wide) {
        assert!(!row.contains('…'), "a cell is cut:\n{wide}");
    }
}

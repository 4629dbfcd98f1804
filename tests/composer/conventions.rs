//! Issue #20, the composer's conventions: the request tree filters as you type (`/`, fuzzy,
//! the matched letters highlighted, esc clears); creating, renaming, duplicating and deleting a
//! saved request ask first or are undone with `u`; the request bar and the param and header
//! cells are edited in place. Pure updates, key sequences, snapshots, and end to end.
use crate::common;
use crate::tab::{composer_model, jobs};

use common::{press, render, spawned_req, type_text};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use sfterm::effect::Effect;
use sfterm::msg::{Msg, Outcome};
use sfterm::requests::request::SavedRequest;
use sfterm::state::Model;
use sfterm::state::composer::job::{Change, ComposerJob, ComposerOutcome, Undo};
use sfterm::state::composer::{
    Column, ComposerState, Field, Mode, Purpose, Row, Section, Spot, Table, full_name,
};
use sfterm::ui::{self, Theme};

/// The names shown by the tree's rows (folders as `folder/`).
fn tree(model: &Model) -> Vec<String> {
    let c = &model.composer;
    c.rows()
        .iter()
        .map(|row| match row {
            Row::Folder { path, .. } => format!("{}/", path.join("/")),
            Row::Request { index, .. } => full_name(&c.requests[*index]),
        })
        .collect()
}

/// The request of the selected row.
fn selected(model: &Model) -> Option<String> {
    let c = &model.composer;
    match c.rows().get(c.selected)? {
        Row::Request { index, .. } => Some(full_name(&c.requests[*index])),
        Row::Folder { .. } => None,
    }
}

/// Answers the save or delete job in `effects` as the job does when the file was written.
fn written(model: &mut Model, effects: &[Effect]) {
    let outcome = match jobs(effects).as_slice() {
        [
            ComposerJob::Save {
                request, change, ..
            },
        ] => ComposerOutcome::Saved {
            result: Ok(request.clone()),
            change: change.clone(),
        },
        [ComposerJob::Delete { request, change }] => ComposerOutcome::Deleted {
            result: Ok(request.clone()),
            change: change.clone(),
        },
        other => panic!("a save or a delete: {other:?}"),
    };
    model.handle_msg(Msg::Done {
        req: spawned_req(effects),
        outcome: Outcome::Composer(outcome),
    });
}

fn writes(effects: &[Effect]) -> usize {
    jobs(effects)
        .iter()
        .filter(|j| matches!(j, ComposerJob::Save { .. } | ComposerJob::Delete { .. }))
        .count()
}

// --- The tree filters as you type -------------------------------------------------------

#[test]
fn slash_filters_the_tree_as_you_type_and_esc_clears_it() {
    let mut model = composer_model();
    assert_eq!(model.composer.section, Section::Requests);
    // Letters after `/` are typed into the filter: none of them fires a pane action (n new,
    // d delete, y duplicate, r rename...).
    press(&mut model, "/");
    type_text(&mut model, "byid");
    assert!(matches!(
        model.composer.mode,
        Mode::Input {
            purpose: Purpose::TreeFilter,
            ..
        }
    ));
    assert_eq!(
        tree(&model),
        ["CustomerRESTWS/", "CustomerRESTWS/customer by id"]
    );
    assert_eq!(
        selected(&model).as_deref(),
        Some("CustomerRESTWS/customer by id")
    );
    // enter applies the filter; enter again opens the request.
    press(&mut model, "enter");
    assert_eq!(model.composer.tree_filter, "byid");
    assert!(matches!(model.composer.mode, Mode::Normal));
    press(&mut model, "enter");
    assert_eq!(model.composer.draft.name, "customer by id");
    // esc in the tree clears the applied filter; the selection stays on the request.
    press(&mut model, "h esc");
    assert_eq!(model.composer.tree_filter, "");
    assert_eq!(tree(&model).len(), 5);
    assert_eq!(
        selected(&model).as_deref(),
        Some("CustomerRESTWS/customer by id")
    );
    // esc while typing clears too.
    press(&mut model, "/");
    type_text(&mut model, "soap");
    assert_eq!(tree(&model).len(), 2, "{:?}", tree(&model));
    press(&mut model, "esc");
    assert_eq!(tree(&model).len(), 5);
    assert!(matches!(model.composer.mode, Mode::Normal));
}

#[test]
fn a_folder_holding_a_match_is_shown_open_while_filtering() {
    let mut model = composer_model();
    press(&mut model, "enter"); // folds CustomerRESTWS
    assert_eq!(tree(&model).len(), 3);
    press(&mut model, "/");
    type_text(&mut model, "create");
    let rows = model.composer.rows();
    assert!(
        matches!(&rows[0], Row::Folder { path, collapsed: false } if path == &["CustomerRESTWS"]),
        "{rows:?}"
    );
    assert_eq!(
        tree(&model),
        ["CustomerRESTWS/", "CustomerRESTWS/create customer"]
    );
    // A folder's name matches: its requests show.
    press(&mut model, "ctrl-u");
    type_text(&mut model, "CustWS");
    assert!(tree(&model).contains(&"CustomerWS (SOAP)/getCustomer".to_string()));
    // Nothing matches: the tree says so.
    press(&mut model, "ctrl-u");
    type_text(&mut model, "zzzq");
    assert!(tree(&model).is_empty());
    assert!(render(&model, 120, 40).contains("Nothing matches \"zzzq\""));
    press(&mut model, "esc");
    assert_eq!(tree(&model).len(), 3, "the fold is kept");
}

#[test]
fn the_matched_letters_are_highlighted() {
    let mut model = composer_model();
    press(&mut model, "/");
    type_text(&mut model, "cby");
    let hits = model.composer.row_hits();
    // "customer by id": c, b, y of the name.
    let request = hits
        .iter()
        .find(|h| matches!(h.item, Row::Request { .. }))
        .expect("a request");
    assert_eq!(request.positions, [0, 9, 10]);
    // The filtered tree, each highlighted cell marked under it.
    assert_screen!(tree_with_highlights(&model, 120, 40, " /cby"));
    // Letters in the folder's name and in the request's: both rows show theirs.
    press(&mut model, "ctrl-u");
    type_text(&mut model, "restcre");
    assert_screen!(
        "folder_and_name_highlighted",
        tree_with_highlights(&model, 120, 40, " /restcre")
    );
}

/// The request tree pane of the screen, each line followed by one marking (`^`) the cells
/// drawn in the matched style.
fn tree_with_highlights(model: &Model, width: u16, height: u16, title: &str) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| {
            ui::render(model, &Theme::default(), frame);
        })
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    // The tree pane: the column of its left border to its right one, found by its title.
    let (mut top, mut left) = (0, 0);
    let len = u16::try_from(title.chars().count()).expect("short");
    'find: for y in 0..height {
        for x in 1..width.saturating_sub(len) {
            let word: String = (x..x + len).map(|x| buffer[(x, y)].symbol()).collect();
            if word == title {
                top = y;
                left = x - 1;
                break 'find;
            }
        }
    }
    let right = (left + 1..width)
        .find(|&x| ["┐", "┓", "╮"].contains(&buffer[(x, top)].symbol()))
        .unwrap_or(width - 1);
    let mut out = String::new();
    for y in top..height {
        if ["└", "┗", "╰"].contains(&buffer[(left, y)].symbol()) {
            break;
        }
        let line: String = (left..=right).map(|x| buffer[(x, y)].symbol()).collect();
        if line.trim_matches(['┃', '│', ' ']).is_empty() {
            continue;
        }
        out.push_str(line.trim_end());
        out.push('\n');
        let marks: String = (left..=right)
            .map(|x| {
                let cell = &buffer[(x, y)];
                if cell
                    .modifier
                    .contains(Modifier::UNDERLINED | Modifier::BOLD)
                {
                    '^'
                } else {
                    ' '
                }
            })
            .collect();
        if !marks.trim().is_empty() {
            out.push_str(marks.trim_end());
            out.push('\n');
        }
    }
    out
}

// --- Single letters never destroy or create silently -----------------------------------

/// Issue #20: stray typing in the request tree created and renamed saved requests ("yj", a
/// folder "G]"). Every key sequence here, then esc, writes nothing.
#[test]
fn stray_letters_in_the_tree_create_or_rename_nothing() {
    // (`y` on another row opens that request first: it acts on the highlighted row.)
    for (keys, open) in [
        ("y j", "create customer"),
        ("G ]", "create customer"),
        ("y j G ]", "create customer"),
        ("r G ]", "create customer"),
        ("n G ]", "create customer"),
        ("d j", "create customer"),
        ("j y G ] r", "customer by id"),
    ] {
        let mut model = composer_model();
        press(&mut model, "j enter h");
        let mut effects = press(&mut model, keys);
        effects.extend(press(&mut model, "esc"));
        assert_eq!(writes(&effects), 0, "{keys}: {effects:?}");
        assert_eq!(model.composer.requests.len(), 3, "{keys}");
        assert!(matches!(model.composer.mode, Mode::Normal), "{keys}");
        assert_eq!(model.composer.draft.name, open, "{keys}");
    }
}

#[test]
fn y_asks_for_the_copy_name_and_the_copy_is_selected_so_d_deletes_the_copy() {
    let mut model = composer_model();
    press(&mut model, "j enter h");
    let effects = press(&mut model, "y");
    assert!(effects.is_empty());
    let Mode::Input {
        purpose: Purpose::Duplicate,
        input,
    } = &model.composer.mode
    else {
        panic!("the duplicate prompt: {:?}", model.composer.mode)
    };
    assert_eq!(input.text(), "CustomerRESTWS/create customer copy");
    let effects = press(&mut model, "enter");
    let [
        ComposerJob::Save {
            request,
            replaces: None,
            change: Some(Change::Duplicate),
        },
    ] = jobs(&effects).as_slice()
    else {
        panic!("a save of the copy: {effects:?}")
    };
    assert_eq!(request.name, "create customer copy");
    written(&mut model, &effects);
    assert_eq!(
        selected(&model).as_deref(),
        Some("CustomerRESTWS/create customer copy")
    );
    press(&mut model, "d");
    let effects = press(&mut model, "y");
    assert!(
        matches!(jobs(&effects).as_slice(), [ComposerJob::Delete { request, change: Change::Delete }] if request.name == "create customer copy"),
        "the copy is deleted, not the original: {effects:?}"
    );
}

/// r, y and d in the request list act on the highlighted request (lazygit's way), not on the
/// one open in the editor: it is opened first, unless the open one has unsaved changes.
#[test]
fn r_y_and_d_in_the_list_act_on_the_highlighted_request() {
    let mut model = composer_model();
    press(&mut model, "j enter h");
    assert_eq!(model.composer.draft.name, "create customer");
    press(&mut model, "j");
    assert_eq!(
        selected(&model).as_deref(),
        Some("CustomerRESTWS/customer by id")
    );
    press(&mut model, "d");
    assert!(matches!(model.composer.mode, Mode::ConfirmDelete));
    assert_eq!(
        model.composer.draft.name, "customer by id",
        "the highlighted one"
    );
    let effects = press(&mut model, "y");
    assert!(
        matches!(jobs(&effects).as_slice(), [ComposerJob::Delete { request, .. }] if request.name == "customer by id"),
        "{effects:?}"
    );

    // With unsaved changes in the open request, nothing else is opened or asked.
    let mut model = composer_model();
    press(&mut model, "j enter enter");
    type_text(&mut model, "x");
    press(&mut model, "enter h j");
    assert!(model.composer.is_dirty(), "the path was changed");
    let effects = press(&mut model, "r");
    assert!(effects.is_empty());
    assert!(matches!(model.composer.mode, Mode::Normal));
    assert_eq!(model.composer.draft.name, "create customer");
    assert!(
        model
            .composer
            .note
            .as_deref()
            .unwrap_or_default()
            .contains("unsaved changes"),
        "{:?}",
        model.composer.note
    );
}

#[test]
fn a_name_already_saved_is_refused_and_the_prompt_stays() {
    let mut model = composer_model();
    press(&mut model, "n");
    type_text(&mut model, "CustomerRESTWS/Customer By Id");
    let effects = press(&mut model, "enter");
    assert_eq!(writes(&effects), 0, "{effects:?}");
    assert!(matches!(
        model.composer.mode,
        Mode::Input {
            purpose: Purpose::NewRequest,
            ..
        }
    ));
    assert!(
        model
            .composer
            .note
            .as_deref()
            .is_some_and(|n| n.contains("already saved")),
        "{:?}",
        model.composer.note
    );
    // Renaming onto another request is refused too; onto itself it is a save.
    press(&mut model, "esc j enter r ctrl-u");
    type_text(&mut model, "CustomerRESTWS/customer by id");
    assert_eq!(writes(&press(&mut model, "enter")), 0);
    press(&mut model, "esc u");
    assert_eq!(model.composer.note.as_deref(), Some("Nothing to undo."));
}

#[test]
fn u_undoes_a_delete_by_writing_the_request_again() {
    let mut model = composer_model();
    press(&mut model, "j enter");
    let stored = model.composer.draft.clone();
    press(&mut model, "d");
    let effects = press(&mut model, "y");
    written(&mut model, &effects);
    assert_eq!(model.composer.requests.len(), 2);
    assert_eq!(model.composer.undo, [Undo::Deleted(stored.clone())]);
    let effects = press(&mut model, "u");
    let [
        ComposerJob::Save {
            request,
            replaces: None,
            change: Some(Change::Undo(step)),
        },
    ] = jobs(&effects).as_slice()
    else {
        panic!("the request written again: {effects:?}")
    };
    assert!(matches!(step.as_ref(), Undo::Deleted(_)), "{step:?}");
    assert_eq!(*request, stored, "with its content");
    written(&mut model, &effects);
    assert_eq!(model.composer.requests.len(), 3);
    assert_eq!(
        model.composer.note.as_deref(),
        Some("Undid: deleted request 'CustomerRESTWS/create customer'")
    );
    assert_eq!(model.composer.draft, stored, "it opens again");
    assert!(model.composer.undo.is_empty());
}

#[test]
fn u_undoes_a_rename_by_renaming_back() {
    let mut model = composer_model();
    press(&mut model, "j enter r ctrl-u");
    type_text(&mut model, "CustomerRESTWS/new customer");
    let effects = press(&mut model, "enter");
    let [
        ComposerJob::Save {
            request,
            replaces: Some(old),
            change: Some(Change::Rename(_)),
        },
    ] = jobs(&effects).as_slice()
    else {
        panic!("a rename: {effects:?}")
    };
    assert_eq!(
        (request.name.as_str(), old.name.as_str()),
        ("new customer", "create customer")
    );
    written(&mut model, &effects);
    let names = tree(&model);
    assert!(
        names.contains(&"CustomerRESTWS/new customer".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"CustomerRESTWS/create customer".to_string()),
        "{names:?}"
    );
    let effects = press(&mut model, "u");
    let [
        ComposerJob::Save {
            request,
            replaces: Some(current),
            change: Some(Change::Undo(_)),
        },
    ] = jobs(&effects).as_slice()
    else {
        panic!("a rename back: {effects:?}")
    };
    assert_eq!(
        (request.name.as_str(), current.name.as_str()),
        ("create customer", "new customer")
    );
    written(&mut model, &effects);
    let names = tree(&model);
    assert!(
        names.contains(&"CustomerRESTWS/create customer".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"CustomerRESTWS/new customer".to_string()),
        "{names:?}"
    );
    assert_eq!(
        model.composer.draft.name, "create customer",
        "the open request too"
    );
    assert_eq!(
        model.composer.note.as_deref(),
        Some("Undid: renamed 'CustomerRESTWS/create customer' to 'CustomerRESTWS/new customer'")
    );
}

#[test]
fn u_undoes_a_create_and_a_duplicate_by_deleting_the_new_one() {
    let mut model = composer_model();
    press(&mut model, "n");
    type_text(&mut model, "Scratch/probe");
    let effects = press(&mut model, "enter");
    written(&mut model, &effects);
    assert_eq!(model.composer.requests.len(), 4);
    press(&mut model, "h g j enter h y");
    let effects = press(&mut model, "enter");
    written(&mut model, &effects);
    assert_eq!(model.composer.requests.len(), 5);
    // The last change first: the copy goes.
    let effects = press(&mut model, "u");
    assert!(matches!(
        jobs(&effects).as_slice(),
        [ComposerJob::Delete { request, change: Change::Undo(step) }] if request.name == "create customer copy" && matches!(step.as_ref(), Undo::Duplicated(_))
    ));
    written(&mut model, &effects);
    assert_eq!(
        model.composer.note.as_deref(),
        Some("Undid: duplicated request as 'CustomerRESTWS/create customer copy'")
    );
    let effects = press(&mut model, "u");
    assert!(matches!(
        jobs(&effects).as_slice(),
        [ComposerJob::Delete { request, change: Change::Undo(step) }] if request.name == "probe" && matches!(step.as_ref(), Undo::Created(_))
    ));
    written(&mut model, &effects);
    assert_eq!(model.composer.requests.len(), 3);
    assert_eq!(
        model.composer.note.as_deref(),
        Some("Undid: created request 'Scratch/probe'")
    );
}

#[test]
fn an_undo_never_writes_over_a_request_saved_there_since() {
    let mut state = ComposerState::new();
    let mut gone = SavedRequest::new("probe", "GET", "/limits");
    gone.folder = vec!["Scratch".into()];
    state.undo.push(Undo::Deleted(gone.clone()));
    state.requests.push(gone);
    let commands = state.update(sfterm::action::Action::UndoRequest, None);
    assert!(commands.is_empty());
    assert!(
        state
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("Not undone")),
        "{:?}",
        state.note
    );
    assert_eq!(state.undo.len(), 1, "kept for later");
}

// --- In-place editing ------------------------------------------------------------------

#[test]
fn the_path_is_edited_in_the_request_bar() {
    let mut model = composer_model();
    press(&mut model, "j j enter");
    assert_eq!(model.composer.field, Field::Path);
    press(&mut model, "enter");
    assert!(matches!(
        model.composer.mode,
        Mode::InPlace {
            spot: Spot::Path,
            ..
        }
    ));
    // Letters that are keys elsewhere (m, a, x, d) are typed.
    // "/{{account_id}}" goes.
    for _ in 0.."/{{account_id}}".len() {
        press(&mut model, "backspace");
    }
    type_text(&mut model, "/mad/x");
    assert_eq!(
        model.composer.draft.path,
        "/services/apexrest/CustomerRESTWS/mad/x"
    );
    assert_screen!("request_bar_editing_120x40", render(&model, 120, 40));
    assert_screen!("request_bar_editing_80x24", render(&model, 80, 24));
    assert_eq!(
        cursor(&model, 120, 40),
        at_end_of(&model, 120, 40, "/mad/x")
    );
    press(&mut model, "enter");
    assert!(matches!(model.composer.mode, Mode::Normal));
    // esc puts back what was there before the edit began.
    press(&mut model, "enter");
    type_text(&mut model, "zzz");
    press(&mut model, "esc");
    assert_eq!(
        model.composer.draft.path,
        "/services/apexrest/CustomerRESTWS/mad/x"
    );
}

#[test]
fn params_and_headers_are_edited_in_their_cells_and_the_bar_shows_the_query() {
    let mut model = composer_model();
    press(&mut model, "j j enter");
    // a adds a row and edits its name cell; tab goes to the value cell.
    press(&mut model, "a");
    assert!(matches!(
        model.composer.mode,
        Mode::InPlace {
            spot: Spot::Cell(Table::Params, 0, Column::Name),
            ..
        }
    ));
    type_text(&mut model, "fields");
    press(&mut model, "tab");
    type_text(&mut model, "Name, Phone");
    // Wide enough for the whole URL beside the side panes.
    let screen = render(&model, 200, 40);
    assert!(
        screen.contains("/services/apexrest/CustomerRESTWS/{{account_id}}?fields=Name%2C+Phone"),
        "the query follows the typing: {screen}"
    );
    press(&mut model, "enter");
    assert_eq!(model.composer.draft.params[0].name, "fields");
    assert_eq!(model.composer.draft.params[0].value, "Name, Phone");
    // A header: down to the headers' line, a adds one there.
    press(&mut model, "j a");
    type_text(&mut model, "Accept");
    press(&mut model, "tab");
    type_text(&mut model, "application/json");
    let screen = render(&model, 120, 40);
    assert_eq!(
        cursor(&model, 120, 40),
        at_end_of(&model, 120, 40, "application/json"),
        "{screen}"
    );
    press(&mut model, "enter");
    assert_eq!(model.composer.draft.headers[0].name, "Accept");
    // enter on a cell edits it; esc puts the row back as it was.
    press(&mut model, "enter ctrl-u");
    type_text(&mut model, "X-Other");
    press(&mut model, "esc");
    assert_eq!(model.composer.draft.headers[0].name, "Accept");
    // A new row left empty goes away; x removes a row.
    press(&mut model, "a esc");
    assert_eq!(model.composer.draft.headers.len(), 1);
    press(&mut model, "a enter");
    assert_eq!(model.composer.draft.headers.len(), 1);
    press(&mut model, "x");
    assert!(model.composer.draft.headers.is_empty());
    // The URL preview: variables as written, the enabled params only.
    let mut request = SavedRequest::new("q", "GET", "/q?{{a}}=1");
    request.params = vec![
        sfterm::requests::request::Pair::new("x y", "{{v}}&"),
        sfterm::requests::request::Pair {
            enabled: false,
            ..sfterm::requests::request::Pair::new("off", "1")
        },
    ];
    assert_eq!(
        sfterm::state::composer::query_string(&request),
        "&x+y={{v}}%26"
    );
}

/// Where the terminal cursor is after drawing.
fn cursor(model: &Model, width: u16, height: u16) -> (u16, u16) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| {
            ui::render(model, &Theme::default(), frame);
        })
        .expect("draw");
    let p = terminal.get_cursor_position().expect("cursor");
    (p.x, p.y)
}

/// The cell just after the first `text` on the screen.
fn at_end_of(model: &Model, width: u16, height: u16, text: &str) -> (u16, u16) {
    let screen = render(model, width, height);
    for (y, line) in screen.lines().enumerate() {
        if let Some(b) = line.find(text) {
            // The backend's lines are quoted: `"...`.
            let x = line[..b].chars().count() + text.chars().count() - 1;
            return (u16::try_from(x).expect("x"), u16::try_from(y).expect("y"));
        }
    }
    panic!("{text} not on the screen:\n{screen}")
}

#[cfg(feature = "mock-org")]
mod live {
    //! End to end: the live app against the mock org over HTTP on 127.0.0.1.
    use crate::common;
    use common::live::{LiveOptions, Observed, Prepared};
    use sfterm::mock_org::{MockOrg, MockOrgConfig};
    use sfterm::state::Model;

    #[derive(Clone, Default)]
    struct Frame {
        screen: String,
        status: Option<u16>,
        note: Option<String>,
        path: String,
        editing: bool,
    }

    impl Observed for Frame {
        fn observe(model: &Model, screen: String) -> Self {
            Frame {
                screen,
                status: model.composer.response.as_ref().map(|r| r.status),
                note: model.composer.note.clone(),
                path: model.composer.draft.path.clone(),
                editing: matches!(
                    model.composer.mode,
                    sfterm::state::composer::Mode::InPlace { .. }
                ),
            }
        }

        fn screen(&self) -> &str {
            &self.screen
        }
    }

    /// Edit the URL in place, send it with f5 from the bar, the answer arrives; then delete the
    /// request and undo: the file is back on disk with its content.
    #[tokio::test]
    async fn edit_the_url_in_place_send_and_undo_a_delete_on_disk() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let org = MockOrg::start(MockOrgConfig::default())
            .await
            .expect("mock org");
        let data = tempfile::tempdir().expect("data dir");
        let mut prepared = Prepared::<Frame>::new(&org, LiveOptions::default());
        prepared.runtime.use_data_dir(data.path().to_path_buf());
        let mut app = prepared.run();
        app.press("enter");
        app.wait_for("connected", |f| f.screen.contains("● active"))
            .await;
        app.press("2 n");
        app.type_text("Probe/limits");
        app.press("enter");
        let file = data.path().join("requests/Probe/limits.toml");
        app.wait_for("created", |f| {
            f.note.as_deref() == Some("Created 'Probe/limits' · u undoes.")
        })
        .await;
        assert!(file.exists());
        // The bar: enter edits the path where it is shown.
        app.press("enter ctrl-u");
        app.wait_for("editing in place", |f| f.editing).await;
        app.type_text("/services/data/v{{api_version}}/limits");
        let frame = app
            .wait_for("the typed path in the bar", |f| {
                f.path == "/services/data/v{{api_version}}/limits"
            })
            .await;
        assert!(
            frame.screen.contains("_version}}/limits"),
            "{}",
            frame.screen
        );
        app.press("f5");
        let frame = app
            .wait_for("the answer", |f| f.status.is_some() && !f.editing)
            .await;
        assert_eq!(frame.status, Some(200), "{}", frame.screen);
        assert!(frame.screen.contains("\"Remaining\""), "{}", frame.screen);
        app.press("ctrl-s");
        app.wait_for("saved", |f| {
            f.note.as_deref() == Some("Saved \"Probe/limits\".")
        })
        .await;
        let content = std::fs::read_to_string(&file).expect("the request file");
        assert!(content.contains("/limits"), "{content}");
        // Delete (asks), then undo: the same file again.
        app.press("d y");
        app.wait_for("deleted", |f| {
            f.note.as_deref() == Some("Deleted 'Probe/limits' · u undoes.")
        })
        .await;
        assert!(!file.exists());
        app.press("u");
        app.wait_for("undone", |f| {
            f.note.as_deref() == Some("Undid: deleted request 'Probe/limits'")
        })
        .await;
        assert_eq!(
            std::fs::read_to_string(&file).expect("the file is back"),
            content
        );
        app.quit().await;
        org.shutdown().await;
    }
}

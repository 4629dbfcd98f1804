//! User intents. Keys map to these (through the keymap), the command palette lists them, and the
//! help overlay is generated from them. Names are the snake_case strings used in `config.toml`.

use std::fmt;

/// Declares the `Action` enum with its config name, its help text and the pane that owns it in
/// one place, so the keymap parser, the palette, the help overlay and the router can never
/// disagree.
macro_rules! actions {
    // `key` after the help text: an action that only makes sense as a key inside a pane
    // (moving, confirming, editing a row...), so the command palette does not offer it.
    (@command) => { true };
    (@command key) => { false };
    ($([$owner:ident] $($variant:ident => $name:literal, $help:literal $(, $key_only:ident)?;)*)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($($variant,)*)* }

        impl Action {
            /// Every action, in the order the help overlay and the palette list them.
            pub const ALL: &'static [Action] = &[$($(Action::$variant,)*)*];

            /// The name used in `config.toml` (`[keys.profiles] new_profile = ["n"]`).
            pub fn name(self) -> &'static str {
                match self { $($(Action::$variant => $name,)*)* }
            }

            /// One line of help text.
            pub fn help(self) -> &'static str {
                match self { $($(Action::$variant => $help,)*)* }
            }

            /// Whether the command palette offers it (not a key-only action).
            pub fn is_command(self) -> bool {
                match self { $($(Action::$variant => actions!(@command $($key_only)?),)*)* }
            }

            /// Who handles it when no popup has the keys (see [`Owner`]).
            pub fn owner(self) -> Owner {
                match self { $($(Action::$variant => Owner::$owner,)*)* }
            }

            /// Parses a config name; `None` for an unknown name.
            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($($name => Some(Action::$variant),)*)* _ => None }
            }
        }
    };
}

/// Who handles an action when no overlay, form or popup has the keys. Run from the palette,
/// an action of a tab shows that tab first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The app: quitting, help, the palette, focus, tabs and the side panes.
    App,
    /// Whatever has the keyboard: moving in lists, answering, forms, cancelling.
    Focused,
    Profiles,
    Token,
    /// The Setup check popup.
    Check,
    Composer,
    History,
    /// The Records tab's list.
    Records,
    /// The record detail view (and its drafts).
    Detail,
}

actions! {
    [App]
    Quit => "quit", "Quit sfterm";
    Help => "help", "Show the keys of the focused pane";
    CommandPalette => "command_palette", "Open the command palette", key;
    FocusNext => "focus_next", "Move focus to the next pane";
    FocusPrev => "focus_prev", "Move focus to the previous pane";
    FocusProfiles => "focus_profiles", "Focus the profiles pane";
    FocusToken => "focus_token", "Focus the token pane";
    TabRecords => "tab_records", "Show the Records tab";
    TabComposer => "tab_composer", "Show the Composer tab";
    TabHistory => "tab_history", "Show the History tab";
    TabLog => "tab_log", "Show the Log tab (every API call the app makes)";
    ToggleSidebar => "toggle_sidebar", "Hide or show the profiles and token panes (below 100 columns they fold by themselves)";
    [Focused]
    Up => "up", "Move up", key;
    Down => "down", "Move down", key;
    Top => "top", "Go to the first item", key;
    Bottom => "bottom", "Go to the last item", key;
    PageUp => "page_up", "Page up", key;
    PageDown => "page_down", "Page down", key;
    [Profiles]
    Connect => "connect", "Connect with the selected profile";
    NewProfile => "new_profile", "Create a profile";
    EditProfile => "edit_profile", "Edit the selected profile";
    DuplicateProfile => "duplicate_profile", "Duplicate the selected profile";
    DeleteProfile => "delete_profile", "Delete the selected profile";
    [Token]
    RenewToken => "renew_token", "Get a new access token now";
    RevokeToken => "revoke_token", "Revoke the access token";
    Introspect => "introspect", "Ask Salesforce when the token expires (introspection)";
    CopyToken => "copy_token", "Copy the access token to the clipboard (asks first)";
    CheckApi => "check_api", "Make a real API call now (GET /limits): updates API usage, renews an invalid token";
    [Focused]
    Cancel => "cancel", "Cancel requests in flight, clear a filter, close a popup, leave a form", key;
    Confirm => "confirm", "Answer yes to a question", key;
    Deny => "deny", "Answer no to a question", key;
    NextField => "next_field", "Next field", key;
    PrevField => "prev_field", "Previous field", key;
    CycleChoice => "cycle_choice", "Next choice of a choice field", key;
    Submit => "submit", "Save the form / accept the input", key;
    [Check]
    SetupCheck => "setup_check", "Setup check: verify the org's app and integration user against the setup guide";
    RerunCheck => "rerun_check", "Run the Setup check again";
    [Composer]
    SendRequest => "send_request", "Send the request";
    SaveRequest => "save_request", "Save the request";
    NewRequest => "new_request", "New request";
    DuplicateRequest => "duplicate_request", "Duplicate the request";
    DeleteRequest => "delete_request", "Delete the request (asks first)";
    RenameRequest => "rename_request", "Rename the request";
    UndoRequest => "undo_request", "Undo the last create, rename, duplicate or delete of a saved request";
    OpenItem => "open_item", "Open the request, fold the folder, or edit the field", key;
    NextSection => "next_section", "Next part of the composer (requests, editor, response)", key;
    PrevSection => "prev_section", "Previous part of the composer", key;
    CycleMethod => "cycle_method", "Next HTTP method";
    PathPrefix => "path_prefix", "Next quick path prefix (apexrest, data, Soap/class)", key;
    AddRow => "add_row", "Add a parameter or header row", key;
    RemoveRow => "remove_row", "Remove the parameter or header row", key;
    EditBody => "edit_body", "Edit the request body";
    LoadWsdl => "load_wsdl", "Load a WSDL (Apex class on the org, or a file) and pick an operation";
    ExportCurl => "export_curl", "Show the request as curl and copy it (token as $SF_ACCESS_TOKEN)";
    ExportCurlReveal => "export_curl_reveal", "Copy the request as curl with the access token in it";
    EditVariables => "edit_variables", "Set a variable of the profile (name=value)";
    ImportPostman => "import_postman", "Import a Postman collection (v2.1) from a file";
    ImportPostmanEnv => "import_postman_env", "Import a Postman environment as a new profile";
    Find => "find", "Find in the response body / filter the list as you type (fuzzy)";
    FindNext => "find_next", "Next match", key;
    FindPrev => "find_prev", "Previous match", key;
    FilterBody => "filter_body", "Filter the JSON body with a path (.records[0].Name, $.a[*].b)";
    SaveBody => "save_body", "Save the response body to a file";
    CopyBody => "copy_body", "Copy the response body (OSC 52)";
    ToggleHeaders => "toggle_headers", "Show the response headers / the body";
    [History]
    Replay => "replay", "Send the request again with the current profile";
    ReplayWith => "replay_with", "Send the request again with another profile";
    [Records]
    PrevObject => "prev_object", "Records: previous object (Account, Contact, Lead, ...)";
    NextObject => "next_object", "Records: next object";
    OpenObject => "open_object", "Open object… (any queryable sObject by name)";
    ColumnLeft => "column_left", "Records: focus the column to the left", key;
    ColumnRight => "column_right", "Records: focus the column to the right", key;
    SortColumn => "sort_column", "Records: sort by the focused column (again: reverse)";
    QuickSearch => "quick_search", "Records: quick search in the name field";
    SoqlLine => "soql_line", "Records: SOQL line (a WHERE clause or a whole SELECT)";
    ChooseColumns => "choose_columns", "Records: choose the list's columns";
    ReloadList => "reload_list", "Records: reload the list from the start";
    ExportView => "export_view", "Export this view to CSV (Bulk API 2.0 query job)";
    ShowExports => "show_exports", "Show the export jobs";
    ImportRecords => "import_records", "Import a CSV file into this object (insert, update, upsert, delete; Bulk API 2.0)";
    ImportNext => "import_next", "Import: go on to the next step", key;
    ImportBack => "import_back", "Import: back to the previous step", key;
    SkipColumn => "skip_column", "Import: skip the column (it is not sent)", key;
    ShowFailures => "show_failures", "Import: show the failed rows with their errors", key;
    FilterImported => "filter_imported", "Import: filter the list to the records just created or updated", key;
    [Focused]
    ToggleItem => "toggle_item", "Check or uncheck the selected item", key;
    [Records]
    AbortExport => "abort_export", "Abort the selected export job", key;
    ResetColumns => "reset_columns", "Column chooser: back to the object's default columns", key;
    ExpandItem => "expand_item", "Column chooser: open a parent's fields (Account → Account.Name)", key;
    CollapseItem => "collapse_item", "Column chooser: close the parent's fields", key;
    [Focused]
    Complete => "complete", "Complete the word (object, field, relationship, picklist value) or the file path", key;
    [Records]
    OpenRecord => "open_record", "Records: open the selected record";
    ToggleSelect => "toggle_select", "Records: select or unselect the row (and move down)", key;
    SelectRange => "select_range", "Records: start a range of rows to select / select it", key;
    SelectAll => "select_all", "Records: select every loaded row (again: none)";
    MassEdit => "mass_edit", "Records: set one field on every selected row (staged until saved)";
    MassDelete => "mass_delete", "Records: delete the selected rows (asks first)";
    SaveMassEdit => "save_mass_edit", "Records: send the staged mass edit (200 records a call)";
    UndoMassEdit => "undo_mass_edit", "Records: drop the staged mass edit", key;
    [Detail]
    EditField => "edit_field", "Edit the focused field of the record";
    FollowReference => "follow_reference", "Open the record the focused reference points to";
    SaveRecord => "save_record", "Save the staged changes (one PATCH) / create the record";
    UndoField => "undo_field", "Unstage the change of the focused field";
    NewRecord => "new_record", "Create a record of this object";
    DeleteRecord => "delete_record", "Delete the record (asks first)";
    CopyValue => "copy_value", "Copy the focused field's value (OSC 52)";
    CopyRecordId => "copy_record_id", "Copy the record id (OSC 52)";
    OpenInBrowser => "open_in_browser", "Open the record in the browser";
    ReloadRecord => "reload_record", "Load the record again from the server";
    [Composer]
    ExternalEditor => "external_editor", "Edit the text in $EDITOR";
    [Detail]
    ConflictReload => "conflict_reload", "Conflict: reload the server version and re-apply my changes";
    ConflictOverwrite => "conflict_overwrite", "Conflict: save my changes anyway (overwrite)";
    Discard => "discard", "Discard my changes / the offered drafts";
    KeepDraft => "keep_draft", "Quit and keep the staged changes as a draft";
    RestoreDrafts => "restore_drafts", "Restore the selected draft (opens the record with the edits staged)";
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &action in Action::ALL {
            assert!(
                seen.insert(action.name()),
                "duplicate name {}",
                action.name()
            );
            assert_eq!(Action::from_name(action.name()), Some(action));
            assert!(!action.help().is_empty());
        }
        assert_eq!(Action::from_name("no_such_action"), None);
    }
}

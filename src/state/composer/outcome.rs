//! Job results: the saved requests read, saved or deleted, a response, a WSDL, imports, copies.

use crate::state::composer::job::{ComposerJob, ComposerOutcome};

use super::{Command, ComposerState, Field, Mode, Section};

impl ComposerState {
    /// A job's result.
    pub fn on_outcome(&mut self, outcome: ComposerOutcome) -> Vec<Command> {
        match outcome {
            ComposerOutcome::Listed {
                requests,
                errors,
                variables,
            } => {
                self.requests = requests;
                self.list_errors = errors;
                self.variables = variables;
                self.selected = self.selected.min(self.rows().len().saturating_sub(1));
            }
            ComposerOutcome::Saved { result, change } => self.on_saved(result, change),
            ComposerOutcome::Deleted { result, change } => self.on_deleted(result, change),
            ComposerOutcome::Sent { result, .. } => {
                self.send = None;
                match result {
                    Ok(view) => {
                        self.note = match (&view.fault, view.renewed, &view.file) {
                            (_, true, _) => Some(
                                "The session was invalid (INVALID_SESSION_ID): renewed the token and sent again."
                                    .into(),
                            ),
                            (_, _, Some(file)) => Some(format!(
                                "Large body: saved to {}; showing a preview.",
                                file.display()
                            )),
                            _ => None,
                        };
                        self.show_response(Some(*view));
                    }
                    Err(e) => self.note = Some(format!("Send failed: {e}")),
                }
            }
            ComposerOutcome::Wsdl(Ok((source, wsdl))) => {
                if wsdl.operations.is_empty() {
                    self.note = Some(format!("{source}: the WSDL has no operations."));
                } else {
                    self.mode = Mode::PickOperation {
                        source,
                        wsdl,
                        selected: 0,
                    };
                }
            }
            ComposerOutcome::Wsdl(Err(e)) => self.note = Some(format!("WSDL not loaded: {e}")),
            ComposerOutcome::Imported(Ok(done)) => {
                let mut lines = vec![format!(
                    "Imported {} requests into the folder \"{}\".",
                    done.count, done.folder
                )];
                for (k, v) in &done.variables {
                    lines.push(format!(
                        "Collection variable {{{{{k}}}}} = {v:?}: define it for the profile (v) if a request needs it."
                    ));
                }
                if done.report.is_empty() {
                    lines.push("Everything was mapped.".into());
                } else {
                    lines.push(String::new());
                    lines.push("Not mapped:".into());
                    lines.extend(done.report.lines().map(str::to_string));
                }
                self.mode = Mode::Report {
                    title: "Postman import".into(),
                    lines,
                    scroll: 0,
                };
                self.section = Section::Requests;
                return vec![Command::Job(ComposerJob::List { profile: None })];
            }
            ComposerOutcome::Imported(Err(e)) => self.note = Some(format!("Not imported: {e}")),
            ComposerOutcome::EnvImported(Ok(env)) => {
                let mut lines: Vec<String> = vec![format!(
                    "Profile \"{}\" ({}) is in the profile form: pick where its secret comes from, then ctrl-s.",
                    env.profile.name, env.profile.endpoint
                )];
                lines.extend(env.report.iter().map(|l| format!("  - {l}")));
                self.note = lines.first().cloned();
                return vec![Command::NewProfile(Box::new(env.profile), env.secret)];
            }
            ComposerOutcome::EnvImported(Err(e)) => self.note = Some(format!("Not imported: {e}")),
            ComposerOutcome::BodySaved(Ok(path)) => {
                self.note = Some(format!("Body saved to {}.", path.display()));
            }
            ComposerOutcome::BodySaved(Err(e)) => self.note = Some(format!("Not saved: {e}")),
            ComposerOutcome::Copied(Ok(())) => self.note = Some("Copied to the clipboard.".into()),
            ComposerOutcome::Copied(Err(e)) => self.note = Some(format!("Not copied: {e}")),
            // The tab that asked finishes (not when the prompt was closed or edited meanwhile).
            ComposerOutcome::DirListed { dir, entries } => {
                if let Mode::Input { input, .. } = &mut self.mode
                    && input.awaits(&dir)
                {
                    input.listed(dir, entries);
                }
            }
            ComposerOutcome::Curl(Ok(text)) => {
                self.mode = Mode::Report {
                    title: "curl (copied to the clipboard)".into(),
                    lines: text.lines().map(str::to_string).collect(),
                    scroll: 0,
                };
            }
            ComposerOutcome::Curl(Err(e)) => self.note = Some(format!("No curl: {e}")),
            ComposerOutcome::VariableSet(Ok(vars)) => {
                self.variables = vars;
                self.note = Some("Variable saved for the profile.".into());
            }
            ComposerOutcome::VariableSet(Err(e)) => {
                self.note = Some(format!("Variable not saved: {e}"));
            }
            ComposerOutcome::Edited(Ok(text)) => {
                self.set_body(text.trim_end_matches('\n').to_string());
                self.section = Section::Editor;
                self.field = Field::Body;
                self.note = Some("Body updated from $EDITOR.".into());
            }
            ComposerOutcome::Edited(Err(e)) => self.note = Some(format!("$EDITOR: {e}")),
        }
        Vec::new()
    }
}

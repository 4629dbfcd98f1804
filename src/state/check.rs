//! The Setup check popup: runs [`crate::check::run`] in the background on the connected
//! profile's client and keeps the report, the focused item and whether a run is in flight.
//! Pure: no I/O, no clock reads.

use jiff::Timestamp;

use crate::action::Action;
use crate::check::CheckReport;
use crate::config::profiles::Profile;
use crate::effect::{Effect, Job, RequestId, RequestIds};

/// State of the Setup check popup.
#[derive(Debug, Default)]
pub struct CheckState {
    /// The popup is shown (and has the keyboard).
    pub open: bool,
    /// The run in flight, if any.
    pub running: Option<RequestId>,
    /// The latest report.
    pub report: Option<CheckReport>,
    /// When the latest report arrived.
    pub checked_at: Option<Timestamp>,
    /// Why the latest run could not happen (e.g. not connected).
    pub error: Option<String>,
    /// Index of the focused item.
    pub selected: usize,
}

impl CheckState {
    /// Whether `req` is this popup's run.
    pub fn owns(&self, req: RequestId) -> bool {
        self.running == Some(req)
    }

    /// Opens the popup and starts a run, unless one is already in flight. `profile` is what
    /// to check when no profile is connected (the selected one), `None` when connected.
    pub fn open_and_run(&mut self, profile: Option<&Profile>, ids: &mut RequestIds) -> Vec<Effect> {
        self.open = true;
        self.start(profile, ids)
    }

    fn start(&mut self, profile: Option<&Profile>, ids: &mut RequestIds) -> Vec<Effect> {
        if self.running.is_some() {
            return Vec::new();
        }
        let req = ids.allocate();
        self.running = Some(req);
        self.error = None;
        vec![Effect::Spawn {
            req,
            job: Job::Check {
                profile: profile.cloned().map(Box::new),
            },
        }]
    }

    /// An action while the popup is open (`profile` as for [`CheckState::open_and_run`]).
    /// `None` when the popup does not use it (quit, help, palette go on to the model).
    pub fn update(
        &mut self,
        action: Action,
        profile: Option<&Profile>,
        ids: &mut RequestIds,
    ) -> Option<Vec<Effect>> {
        let len = self.report.as_ref().map_or(0, |r| r.items.len());
        let last = len.saturating_sub(1);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(5),
            Action::PageDown => self.selected = (self.selected + 5).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::RerunCheck | Action::SetupCheck => return Some(self.start(profile, ids)),
            Action::Cancel => {
                self.open = false;
                return Some(
                    self.running
                        .take()
                        .map(Effect::Cancel)
                        .into_iter()
                        .collect(),
                );
            }
            Action::Quit | Action::Help | Action::CommandPalette => return None,
            _ => {}
        }
        Some(Vec::new())
    }

    /// The result of run `req`: a report, or why there is none.
    pub fn on_done(&mut self, req: RequestId, result: Result<CheckReport, String>, now: Timestamp) {
        if !self.owns(req) {
            return;
        }
        self.running = None;
        match result {
            Ok(report) => {
                self.selected = self.selected.min(report.items.len().saturating_sub(1));
                self.report = Some(report);
                self.checked_at = Some(now);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }
}

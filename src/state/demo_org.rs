//! The embedded mock org of `sfterm demo` while it starts. The TUI draws its first frame at once;
//! the org seeds its data in the background and reports when it serves ([`Msg::DemoOrg`]), and
//! only then does the demo profile connect.
//!
//! [`Msg::DemoOrg`]: crate::msg::Msg::DemoOrg

use super::profiles::Mode;
use super::{InputTarget, Model, RunMode};
use crate::action::Action;
use crate::effect::Effect;
use crate::human::group_thousands;

/// Where the demo's mock org is in its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOrg {
    /// Seeding `records` Accounts; once it serves, the profile `connect` (if any) connects.
    Starting {
        records: usize,
        connect: Option<String>,
    },
    /// Serving.
    Ready,
    /// It could not start; why.
    Failed(String),
}

impl DemoOrg {
    /// What the status bar and the token pane say while the org starts or after it failed;
    /// `None` once it serves.
    pub fn status(&self) -> Option<String> {
        match self {
            DemoOrg::Starting { records, .. } => Some(format!(
                "starting the demo org (seeding {} Accounts)…",
                group_thousands(*records as u64)
            )),
            DemoOrg::Ready => None,
            DemoOrg::Failed(why) => Some(format!("The demo org could not start: {why}")),
        }
    }
}

impl Model {
    /// `sfterm demo` at start: the embedded org seeds `records` Accounts in the background, and
    /// the profile `connect` connects once it serves.
    pub fn demo_org_starting(&mut self, records: usize, connect: Option<String>) {
        self.run_mode = RunMode::Demo;
        self.demo_org = Some(DemoOrg::Starting { records, connect });
    }

    /// Whether the demo org is still seeding (a spinner turns meanwhile).
    pub fn demo_org_is_starting(&self) -> bool {
        matches!(self.demo_org, Some(DemoOrg::Starting { .. }))
    }

    /// The demo org serves (`Ok`) or could not start (`Err(why)`). When it serves, the profile
    /// named at start connects, as if the user had pressed enter on it; unless the user already
    /// connected one meanwhile, or is busy in a profile form (then a notice says it is ready).
    pub(super) fn on_demo_org(&mut self, result: Result<(), String>) -> Vec<Effect> {
        let why = result.err();
        let previous = self.demo_org.replace(match &why {
            None => DemoOrg::Ready,
            Some(why) => DemoOrg::Failed(why.clone()),
        });
        if let Some(why) = why {
            self.notice = Some(format!("The demo org could not start: {why}"));
            return Vec::new();
        }
        let Some(DemoOrg::Starting {
            connect: Some(name),
            ..
        }) = previous
        else {
            return Vec::new();
        };
        if self.token.profile.is_some() {
            return Vec::new(); // the user picked a profile meanwhile
        }
        let Some(index) = self
            .profiles
            .profiles
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(&name))
        else {
            self.notice = Some(format!("No profile called '{name}'."));
            return Vec::new();
        };
        if !matches!(self.profiles.mode, Mode::List) {
            self.notice = Some(format!(
                "The demo org is ready: select '{name}' and press enter to connect."
            ));
            return Vec::new();
        }
        // Connect even under a popup (the drafts offered at start take the keys), and leave the
        // focus where the user put it while the org was seeding.
        let focus = self.focus;
        self.profiles.selected = index;
        let effects = self
            .pane_update(InputTarget::Profiles, Action::Connect)
            .unwrap_or_default();
        self.focus = focus;
        effects
    }
}

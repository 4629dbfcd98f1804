//! The Records tab's cross-pane rules: record detail views over the list, the drafts file
//! that follows their staged edits, the list following creates, saves and deletes, the production
//! guard, and the list following the connection.

use super::*;

impl Model {
    /// Whether the active profile points at production (every write asks first).
    pub fn is_production(&self) -> bool {
        let Some(name) = self.token.profile.as_deref() else {
            return false;
        };
        self.profiles
            .profiles
            .iter()
            .find(|p| p.name == name)
            .is_some_and(|p| self.environment_of(p).0.is_production())
    }

    /// The environment of `profile` and whether the org confirmed it: what the org said after
    /// login for the connected profile, else the endpoint's guess (the demo is always the demo).
    pub fn environment_of(&self, profile: &Profile) -> (Environment, bool) {
        let demo = self.run_mode == RunMode::Demo;
        let confirmed = self
            .token
            .session
            .as_ref()
            .filter(|s| !demo && s.profile == profile.name)
            .and_then(|s| s.environment);
        match confirmed {
            Some(env) => (env, true),
            None => (Environment::of_endpoint(&profile.endpoint, demo), false),
        }
    }

    /// Opens the detail view of a record in the Records tab (the list calls this on enter).
    pub fn open_record(&mut self, object: &str, id: &str) -> Vec<Effect> {
        self.open_detail(object, Some(id))
    }

    /// Opens the create form for `object` in the Records tab.
    pub fn new_record(&mut self, object: &str) -> Vec<Effect> {
        self.open_detail(object, None)
    }

    /// Pushes a detail view of `id` (or a create form) onto the Records tab. Without a
    /// connection the view waits and loads once connected.
    /// A record with a kept draft reopens with those edits staged again.
    pub(super) fn open_detail(&mut self, object: &str, id: Option<&str>) -> Vec<Effect> {
        let profile = self.token.profile.as_deref();
        let kept = id.and_then(|id| {
            self.kept_drafts.iter().position(|d| {
                d.object == object && d.id.as_deref() == Some(id) && d.profile.as_deref() == profile
            })
        });
        let draft = match kept {
            Some(at) => {
                self.notice = Some("Your kept draft is staged again.".into());
                self.kept_drafts.remove(at)
            }
            None => Draft {
                profile: None,
                object: object.to_string(),
                id: id.map(str::to_string),
                title: String::new(),
                opened_at: None,
                staged: serde_json::Map::new(),
                mass: None,
            },
        };
        let connected = self.token.session.is_some();
        let (mut view, effects) = RecordDetailState::from_draft(&draft, connected, &mut self.ids);
        self.prepare_view(&mut view);
        self.detail.push(view);
        self.tab = Tab::Records;
        self.focus = Focus::Main;
        self.track(effects)
    }

    pub(super) fn prepare_view(&self, view: &mut RecordDetailState) {
        view.production = self.is_production();
        view.instance_url = self.token.session.as_ref().map(|s| s.instance_url.clone());
    }

    /// Offers drafts found at start (restore / discard popup).
    pub fn offer_drafts(&mut self, drafts: Vec<Draft>) {
        self.written_drafts = drafts.clone();
        if drafts.is_empty() {
            return;
        }
        self.kept_drafts = drafts.clone();
        self.overlay = Some(Overlay::Drafts {
            drafts,
            selected: 0,
        });
    }

    /// The drafts that belong in the file now: staged edits of open views plus the offered ones.
    pub fn current_drafts(&self) -> Vec<Draft> {
        let profile = self.token.profile.as_deref();
        let mut drafts = self.kept_drafts.clone();
        drafts.extend(self.detail.drafts(profile));
        drafts.extend(self.records.mass.draft());
        drafts
    }

    /// Adds a drafts-file write when the drafts changed.
    pub(super) fn sync_drafts(&mut self, mut effects: Vec<Effect>) -> Vec<Effect> {
        let now = self.current_drafts();
        if now != self.written_drafts {
            self.written_drafts = now.clone();
            effects.insert(0, Effect::Record(RecordEffect::WriteDrafts(now)));
        }
        effects
    }

    pub(super) fn on_stack_reply(&mut self, reply: StackReply) -> Vec<Effect> {
        match reply {
            StackReply::Effects(effects) => self.track(effects),
            // The list shows again: one a write made stale reads its query again.
            StackReply::Closed => {
                let effects = self.records.ensure_loaded(&mut self.ids);
                self.track(effects)
            }
            StackReply::Kept(view) => {
                if let Some(draft) = view.draft(self.token.profile.as_deref()) {
                    let changes = match draft.staged.len() {
                        1 => "1 staged change".to_string(),
                        n => format!("{n} staged changes"),
                    };
                    self.notice = Some(format!(
                        "Kept {changes} of {} as a draft: opening the record again stages \
                         them; the next start offers them.",
                        draft.title
                    ));
                    self.kept_drafts.push(draft);
                }
                Vec::new()
            }
            StackReply::Changed(RecordChange::Saved {
                object,
                id,
                mut effects,
            }) => {
                effects.extend(self.records.record_changed(&object, &id, &mut self.ids));
                self.track(effects)
            }
            StackReply::Changed(RecordChange::Created {
                object,
                id,
                mut effects,
            }) => {
                effects.extend(self.records.record_created(&object, &id, &mut self.ids));
                self.track(effects)
            }
            StackReply::Changed(RecordChange::Deleted { object, id }) => {
                self.records.record_deleted(&object, &id);
                self.notice = Some(format!("Deleted the {object}."));
                Vec::new()
            }
        }
    }

    /// Tells the Records tab about the connection (new profile, lost session, another profile
    /// connecting or failing to): the lists only ever show the records of the profile they
    /// name, the one connected or being connected.
    pub(super) fn sync_records(&mut self) -> Vec<Effect> {
        self.records.production = self.is_production();
        let effects = self.sync_records_org();
        // A staged mass edit whose org's lists went stays a draft (offered at the next start).
        if let Some(draft) = self.records.mass.take_dropped() {
            self.notice = Some(format!(
                "Kept the staged mass edit of {} {} records as a draft.",
                draft.mass.as_ref().map_or(0, |m| m.ids.len()),
                draft.object
            ));
            self.kept_drafts.push(draft);
        }
        effects
    }

    /// A staged mass edit from the drafts file: staged again on the selection of its records.
    pub(super) fn restore_mass_edit(&mut self, draft: &Draft) -> Vec<Effect> {
        let effects = self.records.restore_mass(draft, &mut self.ids);
        self.tab = Tab::Records;
        self.focus = Focus::Main;
        self.track(effects)
    }

    fn sync_records_org(&mut self) -> Vec<Effect> {
        match self.token.session.as_ref().map(|s| s.profile.clone()) {
            Some(profile) if self.records.profile.as_deref() != Some(profile.as_str()) => {
                let effects = self.records.connected(&profile, &mut self.ids);
                self.track(effects)
            }
            Some(_) => Vec::new(),
            // Another profile is connecting or failed to: the previous org's lists go.
            None if self.records.profile.is_some()
                && self.token.profile.is_some()
                && self.records.profile != self.token.profile =>
            {
                let effects = self.records.forget_org();
                self.track(effects)
            }
            // The same profile's session was lost: the lists stay (same org); their next
            // query reports the error.
            None => Vec::new(),
        }
    }
}

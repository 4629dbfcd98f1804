//! What the form saves: the chosen flow's fields as a [`Profile`], validated, with each
//! problem placed under the field it is about.

use std::path::PathBuf;

use super::{Field, FlowChoice, LoginHost, PRODUCTION_URL, ProfileForm, SANDBOX_URL};
use crate::config::profiles::{AuthStyle, Flow, Profile, SecretSource};

impl ProfileForm {
    fn endpoint(&self) -> String {
        match self.login_host {
            // The Salesforce CLI's URL is typed (and optional).
            _ if self.flow == FlowChoice::SfCli => self.url.text().trim().to_owned(),
            LoginHost::Production => PRODUCTION_URL.into(),
            LoginHost::Sandbox => SANDBOX_URL.into(),
            LoginHost::MyDomain | LoginHost::Custom => self.url.text().trim().to_owned(),
        }
    }

    /// The callback port as typed: `None` when empty (the default), `Some(0)` when it is not
    /// a port number, which [`Profile::validate`] reports under the field.
    fn typed_callback_port(&self) -> Option<u16> {
        let text = self.callback_port.text().trim();
        (!text.is_empty()).then(|| text.parse::<u16>().unwrap_or(0))
    }

    fn typed_flow(&self) -> Flow {
        let trimmed = |input: &crate::state::text_input::TextInput| input.text().trim().to_owned();
        match self.flow {
            FlowChoice::ClientCredentials => Flow::ClientCredentials,
            FlowChoice::Web => Flow::Web {
                callback_port: self.typed_callback_port(),
            },
            FlowChoice::Jwt => Flow::Jwt {
                username: trimmed(&self.username),
                key_file: PathBuf::from(trimmed(&self.key_file)),
                audience: Some(trimmed(&self.audience)).filter(|a| !a.is_empty()),
            },
            FlowChoice::SfCli => Flow::SfCli {
                org: trimmed(&self.sf_org),
            },
        }
    }

    /// The profile as typed (no validation). A field the chosen flow does not show keeps the
    /// edited profile's value when that profile has the same flow (so opening and saving
    /// changes nothing), else the flow's default.
    pub(super) fn draft(&self) -> Profile {
        let same_flow = self
            .initial
            .as_ref()
            .filter(|p| FlowChoice::of(&p.flow) == self.flow);
        let shown = |field: Field| self.shows(field);
        let api_version = self.api_version.text().trim();
        let ca_file = self.ca_file.text().trim();
        Profile {
            name: self.name.text().trim().to_owned(),
            endpoint: self.endpoint(),
            client_id: if shown(Field::ClientId) {
                self.client_id.text().trim().to_owned()
            } else {
                same_flow.map(|p| p.client_id.clone()).unwrap_or_default()
            },
            secret: if shown(Field::SecretSource) {
                self.secret().source()
            } else {
                same_flow.map_or(SecretSource::None, |p| p.secret.clone())
            },
            auth_style: if shown(Field::AuthStyle) {
                self.auth_style
            } else {
                same_flow.map_or(AuthStyle::Body, |p| p.auth_style)
            },
            api_version: (!api_version.is_empty() && !api_version.eq_ignore_ascii_case("auto"))
                .then(|| api_version.to_owned()),
            ca_file: if shown(Field::CaFile) {
                (!ca_file.is_empty()).then(|| ca_file.into())
            } else {
                same_flow.and_then(|p| p.ca_file.clone())
            },
            renew_margin_secs: self.initial.as_ref().and_then(|p| p.renew_margin_secs),
            flow: self.typed_flow(),
        }
    }

    /// The profile to save, or the problems to show.
    pub(in crate::state::profiles) fn to_profile(
        &self,
        others: &[Profile],
    ) -> Result<Profile, Vec<(Field, String)>> {
        let draft = self.draft();
        let mut problems: Vec<(Field, String)> = draft
            .validate()
            .into_iter()
            .map(|p| (self.field_for(p.field), p.message))
            .collect();
        let taken = others.iter().any(|p| {
            p.name.eq_ignore_ascii_case(&draft.name)
                && self
                    .original_name
                    .as_deref()
                    .is_none_or(|orig| !orig.eq_ignore_ascii_case(&p.name))
        });
        if taken {
            problems.push((
                Field::Name,
                format!("a profile called '{}' exists already", draft.name),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // Stored as normalised (the hint under the field showed what it becomes).
        let mut profile = draft;
        if let Ok(normalized) = profile.normalized_endpoint() {
            profile.endpoint = normalized.url.as_str().trim_end_matches('/').to_owned();
        }
        Ok(profile)
    }

    /// The shown field a problem of `Profile::validate` goes under: its own field, else the
    /// choice that hides it (the environment for the URL, the source for the secret), else
    /// the flow chooser, so that no problem goes unseen.
    fn field_for(&self, name: &str) -> Field {
        let field = match name {
            "name" => Field::Name,
            "endpoint" => Field::Url,
            "client_id" => Field::ClientId,
            "secret" => Field::SecretValue,
            "api_version" => Field::ApiVersion,
            "ca_file" => Field::CaFile,
            "auth_style" | "auth" => Field::AuthStyle,
            "callback_port" => Field::CallbackPort,
            "username" => Field::Username,
            "key_file" => Field::KeyFile,
            "audience" => Field::Audience,
            "sf_org" => Field::SfOrg,
            _ => Field::Flow,
        };
        let fallback = match field {
            Field::Url => Field::LoginHost,
            Field::SecretValue => Field::SecretSource,
            _ => Field::Flow,
        };
        [field, fallback, Field::Flow]
            .into_iter()
            .find(|f| self.shows(*f))
            .unwrap_or(Field::Flow)
    }
}

//! The profile form: its fields and choices, typing into them, and turning what was typed into
//! a validated [`Profile`] (or the problems to show per field).

use ratatui::crossterm::event::KeyEvent;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::config::EndpointKind;
use crate::config::profiles::{AuthStyle, Profile, SecretSource};
use crate::state::text_input::TextInput;

pub const PRODUCTION_URL: &str = "https://login.salesforce.com";
pub const SANDBOX_URL: &str = "https://test.salesforce.com";

/// Where a profile logs in, as the form offers it (the endpoint's environment for the badge
/// and the production guard is [`crate::config::Environment`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginHost {
    Production,
    Sandbox,
    MyDomain,
    Custom,
}

impl LoginHost {
    const ALL: [LoginHost; 4] = [
        LoginHost::MyDomain,
        LoginHost::Production,
        LoginHost::Sandbox,
        LoginHost::Custom,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LoginHost::Production => "Production (login.salesforce.com)",
            LoginHost::Sandbox => "Sandbox (test.salesforce.com)",
            LoginHost::MyDomain => "My Domain URL",
            LoginHost::Custom => "Custom URL (e.g. mock org)",
        }
    }

    /// The choice that shows `endpoint`, as `config::endpoint` classifies it.
    fn of(endpoint: &str) -> LoginHost {
        match crate::config::normalize(endpoint) {
            Ok(e) => match e.kind {
                EndpointKind::Production => LoginHost::Production,
                EndpointKind::Sandbox => LoginHost::Sandbox,
                EndpointKind::MyDomain => LoginHost::MyDomain,
                EndpointKind::Custom if e.is_salesforce_host() => LoginHost::MyDomain,
                EndpointKind::Custom | EndpointKind::Loopback => LoginHost::Custom,
            },
            // The URL field shows it with its error.
            Err(_) => LoginHost::MyDomain,
        }
    }
}

const SECRET_SOURCES: [&str; 4] = ["prompt", "env", "command", "plain"];
const AUTH_STYLES: [AuthStyle; 2] = [AuthStyle::Body, AuthStyle::Basic];

/// The fields of the profile form, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    LoginHost,
    Url,
    ClientId,
    SecretSource,
    SecretValue,
    AuthStyle,
    ApiVersion,
    CaFile,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Name,
        Field::LoginHost,
        Field::Url,
        Field::ClientId,
        Field::SecretSource,
        Field::SecretValue,
        Field::AuthStyle,
        Field::ApiVersion,
        Field::CaFile,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::LoginHost => "Environment",
            Field::Url => "URL",
            Field::ClientId => "Client id",
            Field::SecretSource => "Secret from",
            Field::SecretValue => "Secret",
            Field::AuthStyle => "Client auth",
            Field::ApiVersion => "API version",
            Field::CaFile => "CA file",
        }
    }

    pub fn is_choice(self) -> bool {
        matches!(
            self,
            Field::LoginHost | Field::SecretSource | Field::AuthStyle
        )
    }
}

/// The profile form. `Debug` masks the secret value when the source is a plain-text secret.
#[derive(Clone)]
pub struct ProfileForm {
    /// The name of the profile being edited; `None` for a new one.
    pub original_name: Option<String>,
    pub focus: Field,
    pub name: TextInput,
    pub login_host: LoginHost,
    pub url: TextInput,
    pub client_id: TextInput,
    pub secret_source: usize,
    pub secret_value: TextInput,
    pub auth_style: usize,
    pub api_version: TextInput,
    pub ca_file: TextInput,
    /// Problems found on submit, per field.
    pub problems: Vec<(Field, String)>,
    pub saving: bool,
    initial: Option<Profile>,
}

impl fmt::Debug for ProfileForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret_value: &dyn fmt::Debug = if self.secret_source == PLAIN_SOURCE {
            &"[redacted]"
        } else {
            &self.secret_value
        };
        f.debug_struct("ProfileForm")
            .field("original_name", &self.original_name)
            .field("focus", &self.focus)
            .field("name", &self.name)
            .field("login_host", &self.login_host)
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .field("secret_source", &self.secret_source)
            .field("secret_value", secret_value)
            .field("auth_style", &self.auth_style)
            .field("api_version", &self.api_version)
            .field("ca_file", &self.ca_file)
            .field("problems", &self.problems)
            .field("saving", &self.saving)
            .field("initial", &self.initial)
            .finish()
    }
}

/// Index of the plain-text source in the form's secret-source choice.
const PLAIN_SOURCE: usize = 3;

impl ProfileForm {
    pub fn new_profile() -> ProfileForm {
        ProfileForm {
            original_name: None,
            focus: Field::Name,
            name: TextInput::default(),
            login_host: LoginHost::MyDomain,
            url: TextInput::default(),
            client_id: TextInput::default(),
            secret_source: 0,
            secret_value: TextInput::default(),
            auth_style: 0,
            api_version: TextInput::new("auto"),
            ca_file: TextInput::default(),
            problems: Vec::new(),
            saving: false,
            initial: None,
        }
    }

    pub fn edit(profile: &Profile) -> ProfileForm {
        let login_host = LoginHost::of(&profile.endpoint);
        let (source, value) = match &profile.secret {
            SecretSource::Prompt | SecretSource::None => (0, String::new()),
            SecretSource::Env { var } => (1, var.clone()),
            SecretSource::Command { command } => (2, command.clone()),
            SecretSource::Plain { value } => (3, value.expose_secret().to_owned()),
        };
        ProfileForm {
            original_name: Some(profile.name.clone()),
            focus: Field::Name,
            name: TextInput::new(profile.name.clone()),
            login_host,
            url: TextInput::new(profile.endpoint.clone()),
            client_id: TextInput::new(profile.client_id.clone()),
            secret_source: source,
            secret_value: TextInput::new(value),
            auth_style: AUTH_STYLES
                .iter()
                .position(|s| *s == profile.auth_style)
                .unwrap_or(0),
            api_version: TextInput::new(
                profile.api_version.clone().unwrap_or_else(|| "auto".into()),
            ),
            ca_file: TextInput::new(
                profile
                    .ca_file
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            ),
            problems: Vec::new(),
            saving: false,
            initial: Some(profile.clone()),
        }
    }

    pub fn name_text(&self) -> &str {
        self.name.text()
    }

    pub fn secret_source_name(&self) -> &'static str {
        SECRET_SOURCES[self.secret_source]
    }

    pub fn auth_style(&self) -> AuthStyle {
        AUTH_STYLES[self.auth_style]
    }

    /// Fields that apply with the current choices (the URL only for My Domain / Custom, the secret
    /// value only when the secret does not come from a prompt).
    pub fn visible_fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| match f {
                Field::Url => matches!(self.login_host, LoginHost::MyDomain | LoginHost::Custom),
                Field::SecretValue => self.secret_source != 0,
                _ => true,
            })
            .collect()
    }

    pub(super) fn move_focus(&mut self, step: isize) {
        let fields = self.visible_fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let len = fields.len() as isize;
        let next = (at as isize + step).rem_euclid(len) as usize;
        self.focus = fields[next];
    }

    pub(super) fn cycle_choice(&mut self) {
        match self.focus {
            Field::LoginHost => {
                let at = LoginHost::ALL
                    .iter()
                    .position(|e| *e == self.login_host)
                    .unwrap_or(0);
                self.login_host = LoginHost::ALL[(at + 1) % LoginHost::ALL.len()];
            }
            Field::SecretSource => {
                self.secret_source = (self.secret_source + 1) % SECRET_SOURCES.len()
            }
            Field::AuthStyle => self.auth_style = (self.auth_style + 1) % AUTH_STYLES.len(),
            _ => {}
        }
    }

    pub(super) fn type_key(&mut self, key: KeyEvent) {
        if self.focus.is_choice() {
            // Space cycles a choice too, as in most forms.
            if key.code == ratatui::crossterm::event::KeyCode::Char(' ') {
                self.cycle_choice();
            }
            return;
        }
        if let Some(input) = self.input_mut(self.focus) {
            input.handle_key(key);
            self.problems.retain(|(f, _)| *f != self.focus);
        }
    }

    pub fn input(&self, field: Field) -> Option<&TextInput> {
        match field {
            Field::Name => Some(&self.name),
            Field::Url => Some(&self.url),
            Field::ClientId => Some(&self.client_id),
            Field::SecretValue => Some(&self.secret_value),
            Field::ApiVersion => Some(&self.api_version),
            Field::CaFile => Some(&self.ca_file),
            Field::LoginHost | Field::SecretSource | Field::AuthStyle => None,
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut TextInput> {
        match field {
            Field::Name => Some(&mut self.name),
            Field::Url => Some(&mut self.url),
            Field::ClientId => Some(&mut self.client_id),
            Field::SecretValue => Some(&mut self.secret_value),
            Field::ApiVersion => Some(&mut self.api_version),
            Field::CaFile => Some(&mut self.ca_file),
            Field::LoginHost | Field::SecretSource | Field::AuthStyle => None,
        }
    }

    fn endpoint(&self) -> String {
        match self.login_host {
            LoginHost::Production => PRODUCTION_URL.into(),
            LoginHost::Sandbox => SANDBOX_URL.into(),
            LoginHost::MyDomain | LoginHost::Custom => self.url.text().trim().to_owned(),
        }
    }

    /// The profile as typed (no validation).
    fn draft(&self) -> Profile {
        let value = self.secret_value.text().trim().to_owned();
        let secret = match self.secret_source {
            1 => SecretSource::Env { var: value },
            2 => SecretSource::Command { command: value },
            3 => SecretSource::Plain {
                value: SecretString::from(self.secret_value.text().to_owned()),
            },
            _ => SecretSource::Prompt,
        };
        let api_version = self.api_version.text().trim();
        let ca_file = self.ca_file.text().trim();
        Profile {
            name: self.name.text().trim().to_owned(),
            endpoint: self.endpoint(),
            client_id: self.client_id.text().trim().to_owned(),
            secret,
            auth_style: self.auth_style(),
            api_version: (!api_version.is_empty() && !api_version.eq_ignore_ascii_case("auto"))
                .then(|| api_version.to_owned()),
            ca_file: (!ca_file.is_empty()).then(|| ca_file.into()),
            renew_margin_secs: self.initial.as_ref().and_then(|p| p.renew_margin_secs),
            flow: self
                .initial
                .as_ref()
                .map(|p| p.flow.clone())
                .unwrap_or_default(),
        }
    }

    pub fn is_changed(&self) -> bool {
        let draft = self.draft();
        match &self.initial {
            Some(initial) => initial != &draft,
            None => {
                !draft.name.is_empty() || !draft.client_id.is_empty() || !self.url.text().is_empty()
            }
        }
    }

    /// What the URL normalises to, and the notes about it, for the hint under the field.
    pub fn endpoint_hint(&self) -> Result<(String, Vec<String>), String> {
        let draft = self.draft();
        if draft.endpoint.is_empty() {
            return Err("paste your My Domain URL, or any Setup or record URL of the org".into());
        }
        draft
            .normalized_endpoint()
            .map(|n| (n.url.to_string(), n.notes))
            .map_err(|e| e.to_string())
    }

    /// The profile to save, or the problems to show.
    pub(super) fn to_profile(&self, others: &[Profile]) -> Result<Profile, Vec<(Field, String)>> {
        let draft = self.draft();
        let mut problems: Vec<(Field, String)> = draft
            .validate()
            .into_iter()
            .map(|p| (field_of(p.field), p.message))
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
}

/// Maps a field name of `Profile::validate` to the form field.
fn field_of(name: &str) -> Field {
    match name {
        "name" => Field::Name,
        "endpoint" => Field::Url,
        "client_id" => Field::ClientId,
        "secret" => Field::SecretValue,
        "api_version" => Field::ApiVersion,
        "ca_file" => Field::CaFile,
        "auth_style" | "auth" => Field::AuthStyle,
        _ => Field::Name,
    }
}

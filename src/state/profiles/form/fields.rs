//! The profile form's fields in tab order and the values of its choice fields (login flow,
//! environment, secret source, client authentication).

use secrecy::{ExposeSecret, SecretString};

use crate::config::EndpointKind;
use crate::config::profiles::{AuthStyle, Flow, SecretSource};
use crate::state::text_input::TextInput;

/// The fields of the profile form, in tab order (each flow shows only its own, see
/// `ProfileForm::visible_fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Flow,
    SfOrg,
    LoginHost,
    Url,
    ClientId,
    Username,
    KeyFile,
    Audience,
    SecretSource,
    SecretValue,
    CallbackPort,
    AuthStyle,
    ApiVersion,
    CaFile,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::Name,
        Field::Flow,
        Field::SfOrg,
        Field::LoginHost,
        Field::Url,
        Field::ClientId,
        Field::Username,
        Field::KeyFile,
        Field::Audience,
        Field::SecretSource,
        Field::SecretValue,
        Field::CallbackPort,
        Field::AuthStyle,
        Field::ApiVersion,
        Field::CaFile,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Flow => "Login flow",
            Field::SfOrg => "CLI org",
            Field::LoginHost => "Environment",
            Field::Url => "URL",
            Field::ClientId => "Client id",
            Field::Username => "Username",
            Field::KeyFile => "Key file",
            Field::Audience => "Audience",
            Field::SecretSource => "Secret from",
            Field::SecretValue => "Secret",
            Field::CallbackPort => "Callback port",
            Field::AuthStyle => "Client auth",
            Field::ApiVersion => "API version",
            Field::CaFile => "CA file",
        }
    }

    pub fn is_choice(self) -> bool {
        matches!(
            self,
            Field::Flow | Field::LoginHost | Field::SecretSource | Field::AuthStyle
        )
    }
}

/// The login flow as the form's chooser offers it (the profile's [`Flow`] without its keys,
/// which the form keeps in their own fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowChoice {
    ClientCredentials,
    Web,
    Jwt,
    SfCli,
}

impl FlowChoice {
    pub const ALL: [FlowChoice; 4] = [
        FlowChoice::ClientCredentials,
        FlowChoice::Web,
        FlowChoice::Jwt,
        FlowChoice::SfCli,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FlowChoice::ClientCredentials => "Client credentials",
            FlowChoice::Web => "Browser login (web)",
            FlowChoice::Jwt => "JWT bearer",
            FlowChoice::SfCli => "Salesforce CLI",
        }
    }

    pub fn of(flow: &Flow) -> FlowChoice {
        match flow {
            Flow::ClientCredentials => FlowChoice::ClientCredentials,
            Flow::Web { .. } => FlowChoice::Web,
            Flow::Jwt { .. } => FlowChoice::Jwt,
            Flow::SfCli { .. } => FlowChoice::SfCli,
        }
    }

    /// Whether the flow takes a client secret and the client authentication style.
    pub fn uses_secret(self) -> bool {
        matches!(self, FlowChoice::ClientCredentials | FlowChoice::Web)
    }

    pub(super) fn next(self) -> FlowChoice {
        next_of(&FlowChoice::ALL, self)
    }
}

/// The choice after `current` in `all`, wrapping; the first when `current` is not offered.
fn next_of<T: Copy + PartialEq>(all: &[T], current: T) -> T {
    match all.iter().position(|c| *c == current) {
        Some(at) => all[(at + 1) % all.len()],
        None => all[0],
    }
}

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
    pub(super) fn of(endpoint: &str) -> LoginHost {
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

    pub(super) fn next(self) -> LoginHost {
        next_of(&LoginHost::ALL, self)
    }

    /// Whether the URL is typed (the login and test hosts are fixed).
    pub(super) fn is_typed(self) -> bool {
        matches!(self, LoginHost::MyDomain | LoginHost::Custom)
    }
}

/// How the client id and secret are sent, in the order the form cycles them.
pub(super) fn next_auth_style(style: AuthStyle) -> AuthStyle {
    next_of(&[AuthStyle::Body, AuthStyle::Basic], style)
}

/// Where the secret comes from, as the form's choice offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// No secret: a browser login with a PKCE app that does not require one.
    None,
    Prompt,
    Env,
    Command,
    Plain,
}

impl SecretKind {
    /// The name `profiles.toml` uses (`SecretSource::kind`).
    pub fn name(self) -> &'static str {
        match self {
            SecretKind::None => "none",
            SecretKind::Prompt => "prompt",
            SecretKind::Env => "env",
            SecretKind::Command => "command",
            SecretKind::Plain => "plain",
        }
    }
}

/// A secret setting of the form: the source chosen and what was typed for it (the variable,
/// the command or the plain value). `Debug` hides a plain value.
#[derive(Clone)]
pub(super) struct SecretInput {
    pub kind: SecretKind,
    pub value: TextInput,
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value: &dyn std::fmt::Debug = if self.kind == SecretKind::Plain {
            &"[redacted]"
        } else {
            &self.value
        };
        f.debug_struct("SecretInput")
            .field("kind", &self.kind)
            .field("value", value)
            .finish()
    }
}

impl SecretInput {
    /// The default for `flow`: typed in at connect for client credentials, none (a PKCE app)
    /// for a browser login.
    pub fn default_for(flow: FlowChoice) -> SecretInput {
        let kind = if flow == FlowChoice::Web {
            SecretKind::None
        } else {
            SecretKind::Prompt
        };
        SecretInput {
            kind,
            value: TextInput::default(),
        }
    }

    pub fn of(source: &SecretSource) -> SecretInput {
        let (kind, value) = match source {
            SecretSource::None => (SecretKind::None, String::new()),
            SecretSource::Prompt => (SecretKind::Prompt, String::new()),
            SecretSource::Env { var } => (SecretKind::Env, var.clone()),
            SecretSource::Command { command } => (SecretKind::Command, command.clone()),
            SecretSource::Plain { value } => (SecretKind::Plain, value.expose_secret().to_owned()),
        };
        SecretInput {
            kind,
            value: TextInput::new(value),
        }
    }

    /// The next source `flow` offers: "none" only for a browser login (client credentials
    /// always need the app's secret).
    pub fn cycle(&mut self, flow: FlowChoice) {
        const WITH_SECRET: [SecretKind; 4] = [
            SecretKind::Prompt,
            SecretKind::Env,
            SecretKind::Command,
            SecretKind::Plain,
        ];
        const WEB: [SecretKind; 5] = [
            SecretKind::None,
            SecretKind::Prompt,
            SecretKind::Env,
            SecretKind::Command,
            SecretKind::Plain,
        ];
        let offered: &[SecretKind] = if flow == FlowChoice::Web {
            &WEB
        } else {
            &WITH_SECRET
        };
        self.kind = next_of(offered, self.kind);
    }

    /// Whether the source needs a typed value (a variable, a command or the secret itself).
    pub fn takes_value(&self) -> bool {
        matches!(
            self.kind,
            SecretKind::Env | SecretKind::Command | SecretKind::Plain
        )
    }

    pub fn source(&self) -> SecretSource {
        let value = self.value.text().trim().to_owned();
        match self.kind {
            SecretKind::None => SecretSource::None,
            SecretKind::Prompt => SecretSource::Prompt,
            SecretKind::Env => SecretSource::Env { var: value },
            SecretKind::Command => SecretSource::Command { command: value },
            // A plain secret is stored exactly as typed.
            SecretKind::Plain => SecretSource::Plain {
                value: SecretString::from(self.value.text().to_owned()),
            },
        }
    }
}

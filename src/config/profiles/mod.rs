//! Connection profiles stored in `profiles.toml`: the model here; beside it the secret sources
//! (`secret.rs`), parsing with file:line:col errors (`parse.rs`), the file on disk (`file.rs`),
//! comment-keeping edits (`edit.rs`) and validation (`validate.rs`).
//!
//! The file is edited with `toml_edit`, so the user's comments, key order and unknown keys
//! survive every change made through [`ProfileStore`]. The format:
//!
//! ```toml
//! [[profile]]
//! name = "Acme prod"
//! endpoint = "https://acme.my.salesforce.com"
//! client_id = "3MVG9..."
//! secret = { source = "prompt" }   # or env / command / plain, see SecretSource
//! auth_style = "body"              # or "basic"
//! api_version = "62.0"             # optional, default auto
//! ca_file = "/path/ca.pem"         # optional
//! renew_margin_secs = 300          # optional
//! flow = "client_credentials"      # or "web", "jwt", "sf" (see Flow)
//! ```
//!
//! The other flows' keys: `web` takes `callback_port` (default 1717) and a secret only when the
//! app requires one (`secret = { source = "none" }` or no `secret` key); `jwt` takes `username`,
//! `key_file` and an optional `audience`; `sf` takes `sf_org` (an alias or username of the
//! Salesforce CLI) and no client id.

mod edit;
mod file;
mod parse;
mod secret;
mod validate;

use std::fmt;
use std::path::PathBuf;

use toml_edit::DocumentMut;

use super::endpoint::{self, EndpointError, NormalizedEndpoint};
use file::Stamp;

pub use file::others_can_read;
pub use secret::{SECRET_COMMAND_TIMEOUT, SecretError, SecretSource};

/// One connection profile: where to log in and with which client credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Unique display name.
    pub name: String,
    /// The login endpoint as typed (normalised on use, see [`Profile::normalized_endpoint`]).
    pub endpoint: String,
    /// The External Client App's consumer key.
    pub client_id: String,
    /// Where the consumer secret comes from.
    pub secret: SecretSource,
    /// How the client credentials are sent to the token endpoint.
    pub auth_style: AuthStyle,
    /// A pinned API version such as `"62.0"`; `None` (or `"auto"`) = the org's latest.
    pub api_version: Option<String>,
    /// A PEM file with extra CA certificates to trust (e.g. the mock org's).
    pub ca_file: Option<PathBuf>,
    /// Renew the token this many seconds before expiry (overrides the global setting).
    pub renew_margin_secs: Option<u64>,
    /// How the profile logs in.
    pub flow: Flow,
}

/// How a profile logs in (`flow` in `profiles.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Flow {
    /// OAuth client credentials with the app's client id and secret (the default).
    #[default]
    ClientCredentials,
    /// A browser login (authorization code with PKCE) redirected to a loopback listener on
    /// `callback_port`; renewed with the refresh token kept in the keychain.
    Web {
        /// The loopback port of the callback URL registered on the app (`None` = 1717).
        callback_port: Option<u16>,
    },
    /// JWT bearer: an assertion for `username` signed with the private key in `key_file`.
    Jwt {
        /// The Salesforce username the tokens are for.
        username: String,
        /// The PEM private key matching the certificate uploaded to the app.
        key_file: PathBuf,
        /// `aud`; `None` = derived from the endpoint (login, test).
        audience: Option<String>,
    },
    /// An org already logged in with the Salesforce CLI, by alias or username.
    SfCli {
        /// The alias or username as `sf org list` shows it.
        org: String,
    },
}

/// The loopback port of a web profile's callback URL when none is set.
pub const DEFAULT_CALLBACK_PORT: u16 = crate::sf::oauth::web::DEFAULT_PORT;

/// The callback URL a browser login on `port` redirects to: the app must list it exactly.
pub fn callback_url(port: u16) -> String {
    crate::sf::oauth::web::redirect_uri_for_port(port)
}

impl Flow {
    /// The value used in `profiles.toml`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Flow::ClientCredentials => "client_credentials",
            Flow::Web { .. } => "web",
            Flow::Jwt { .. } => "jwt",
            Flow::SfCli { .. } => "sf",
        }
    }

    /// A short name for people, as the token pane and `sfterm profiles` show it.
    pub fn label(&self) -> &'static str {
        match self {
            Flow::ClientCredentials => "client credentials",
            Flow::Web { .. } => "browser login",
            Flow::Jwt { .. } => "JWT bearer",
            Flow::SfCli { .. } => "Salesforce CLI",
        }
    }

    /// Whether the flow uses the app's client id (every flow but the Salesforce CLI's).
    pub fn uses_client_id(&self) -> bool {
        !matches!(self, Flow::SfCli { .. })
    }

    /// Whether the flow uses a client secret: client credentials always, a browser login
    /// when the app requires one.
    pub fn uses_secret(&self) -> bool {
        matches!(self, Flow::ClientCredentials | Flow::Web { .. })
    }
}

/// A problem found by [`Profile::validate`], attached to one form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// One of `"name"`, `"endpoint"`, `"client_id"`, `"secret"`, `"api_version"`, `"ca_file"`,
    /// `"callback_port"`, `"username"`, `"key_file"`, `"sf_org"`.
    pub field: &'static str,
    /// A plain sentence.
    pub message: String,
}

/// How the client id and secret are sent to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthStyle {
    /// As `client_id` / `client_secret` form fields in the request body.
    #[default]
    Body,
    /// As an HTTP Basic `Authorization` header.
    Basic,
}

impl AuthStyle {
    /// The value used in `profiles.toml`: `"body"` or `"basic"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthStyle::Body => "body",
            AuthStyle::Basic => "basic",
        }
    }
}

impl Profile {
    /// A new profile with the given name, endpoint and client id; secret typed in at connect.
    pub fn new(name: &str, endpoint: &str, client_id: &str) -> Profile {
        Profile {
            name: name.to_owned(),
            endpoint: endpoint.to_owned(),
            client_id: client_id.to_owned(),
            secret: SecretSource::Prompt,
            auth_style: AuthStyle::Body,
            api_version: None,
            ca_file: None,
            renew_margin_secs: None,
            flow: Flow::ClientCredentials,
        }
    }

    /// The endpoint validated and reduced to its origin.
    pub fn normalized_endpoint(&self) -> Result<NormalizedEndpoint, EndpointError> {
        endpoint::normalize(&self.endpoint)
    }

    /// Whether connecting needs a client secret: client credentials always, a browser login
    /// when its app requires one (the secret's source is not `none`).
    pub fn needs_secret(&self) -> bool {
        self.flow.uses_secret() && self.secret != SecretSource::None
    }

    /// Whether the secret is typed in at connect time.
    pub fn asks_for_secret(&self) -> bool {
        self.needs_secret() && self.secret == SecretSource::Prompt
    }

    /// The pinned API version, or `None` for auto (`"auto"` counts as auto).
    pub fn pinned_api_version(&self) -> Option<&str> {
        self.api_version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty() && *v != "auto")
    }
}

/// `profiles.toml` loaded for editing: the parsed profiles plus the `toml_edit` document they
/// came from, so saving keeps comments, order and unknown keys. `Debug` shows the path and
/// profiles only (the document may hold plain-text secrets).
#[derive(Clone)]
pub struct ProfileStore {
    path: PathBuf,
    doc: DocumentMut,
    profiles: Vec<Profile>,
    /// What the file looked like when loaded or last saved; `None` = it did not exist.
    on_disk: Option<Stamp>,
}

const PROFILE_KEY: &str = "profile";

impl fmt::Debug for ProfileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileStore")
            .field("path", &self.path)
            .field("profiles", &self.profiles)
            .field("exists_on_disk", &self.on_disk.is_some())
            .finish_non_exhaustive()
    }
}

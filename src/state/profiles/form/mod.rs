//! The profile form: its fields and choices, typing into them, and turning what was typed into
//! a validated [`Profile`] (or the problems to show per field). The fields and choice values
//! are in `fields.rs`; what each login flow shows and saves is in `draft.rs`.

mod draft;
mod fields;

pub use fields::{Field, FlowChoice, LoginHost, SecretKind};

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::config::profiles::{AuthStyle, DEFAULT_CALLBACK_PORT, Flow, Profile, callback_url};
use crate::state::text_input::TextInput;
use fields::SecretInput;

pub const PRODUCTION_URL: &str = "https://login.salesforce.com";
pub const SANDBOX_URL: &str = "https://test.salesforce.com";

/// The profile form. Every flow's fields are kept while the chooser moves between flows, so
/// nothing typed is lost; saving takes only the chosen flow's. `Debug` masks plain secrets.
#[derive(Clone, Debug)]
pub struct ProfileForm {
    /// The name of the profile being edited; `None` for a new one.
    pub original_name: Option<String>,
    pub focus: Field,
    pub name: TextInput,
    pub flow: FlowChoice,
    pub login_host: LoginHost,
    pub url: TextInput,
    pub client_id: TextInput,
    /// The secret of the client credentials flow (also what JWT and CLI profiles start from).
    client_secret: SecretInput,
    /// The secret of the browser login: none (a PKCE app) unless the app requires one.
    web_secret: SecretInput,
    auth_style: AuthStyle,
    /// Empty = the default port.
    pub callback_port: TextInput,
    pub username: TextInput,
    pub key_file: TextInput,
    pub audience: TextInput,
    pub sf_org: TextInput,
    pub api_version: TextInput,
    pub ca_file: TextInput,
    /// Problems found on submit, per field.
    pub problems: Vec<(Field, String)>,
    pub saving: bool,
    initial: Option<Profile>,
}

impl ProfileForm {
    pub fn new_profile() -> ProfileForm {
        ProfileForm {
            original_name: None,
            focus: Field::Name,
            name: TextInput::default(),
            flow: FlowChoice::ClientCredentials,
            login_host: LoginHost::MyDomain,
            url: TextInput::default(),
            client_id: TextInput::default(),
            client_secret: SecretInput::default_for(FlowChoice::ClientCredentials),
            web_secret: SecretInput::default_for(FlowChoice::Web),
            auth_style: AuthStyle::Body,
            callback_port: TextInput::default(),
            username: TextInput::default(),
            key_file: TextInput::default(),
            audience: TextInput::default(),
            sf_org: TextInput::default(),
            api_version: TextInput::new("auto"),
            ca_file: TextInput::default(),
            problems: Vec::new(),
            saving: false,
            initial: None,
        }
    }

    pub fn edit(profile: &Profile) -> ProfileForm {
        let flow = FlowChoice::of(&profile.flow);
        let secret = SecretInput::of(&profile.secret);
        let (client_secret, web_secret) = match flow {
            FlowChoice::Web => (
                SecretInput::default_for(FlowChoice::ClientCredentials),
                secret,
            ),
            // A JWT or CLI profile without a secret: client credentials would start with the
            // prompt (a client credentials profile keeps even a "none", to show its problem).
            FlowChoice::Jwt | FlowChoice::SfCli if secret.kind == SecretKind::None => (
                SecretInput::default_for(FlowChoice::ClientCredentials),
                SecretInput::default_for(FlowChoice::Web),
            ),
            _ => (secret, SecretInput::default_for(FlowChoice::Web)),
        };
        let mut form = ProfileForm {
            original_name: Some(profile.name.clone()),
            name: TextInput::new(profile.name.clone()),
            flow,
            login_host: LoginHost::of(&profile.endpoint),
            url: TextInput::new(profile.endpoint.clone()),
            client_id: TextInput::new(profile.client_id.clone()),
            client_secret,
            web_secret,
            auth_style: profile.auth_style,
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
            initial: Some(profile.clone()),
            ..ProfileForm::new_profile()
        };
        match &profile.flow {
            Flow::ClientCredentials => {}
            Flow::Web { callback_port } => {
                form.callback_port = TextInput::new(
                    callback_port
                        .map(|port| port.to_string())
                        .unwrap_or_default(),
                );
            }
            Flow::Jwt {
                username,
                key_file,
                audience,
            } => {
                form.username = TextInput::new(username.clone());
                form.key_file = TextInput::new(key_file.display().to_string());
                form.audience = TextInput::new(audience.clone().unwrap_or_default());
            }
            Flow::SfCli { org } => form.sf_org = TextInput::new(org.clone()),
        }
        form
    }

    pub fn name_text(&self) -> &str {
        self.name.text()
    }

    /// The secret setting the chosen flow uses (client credentials' for the flows without one).
    fn secret(&self) -> &SecretInput {
        match self.flow {
            FlowChoice::Web => &self.web_secret,
            _ => &self.client_secret,
        }
    }

    fn secret_mut(&mut self) -> &mut SecretInput {
        match self.flow {
            FlowChoice::Web => &mut self.web_secret,
            _ => &mut self.client_secret,
        }
    }

    /// Where the chosen flow's secret comes from: "none", "prompt", "env", "command", "plain".
    pub fn secret_source_name(&self) -> &'static str {
        self.secret().kind.name()
    }

    /// The variable, command or plain secret typed for the chosen flow's secret.
    pub fn secret_value(&self) -> &TextInput {
        &self.secret().value
    }

    /// Back to the default secrets (typed in at connect; none for a browser login), nothing
    /// typed kept: for a form filled from an import that must not carry a secret.
    pub fn forget_secret(&mut self) {
        self.client_secret = SecretInput::default_for(FlowChoice::ClientCredentials);
        self.web_secret = SecretInput::default_for(FlowChoice::Web);
    }

    pub fn auth_style(&self) -> AuthStyle {
        self.auth_style
    }

    /// Whether `field` applies with the current choices: each flow's own fields, the URL
    /// only when it is typed, the secret value only for a source that takes one.
    pub fn shows(&self, field: Field) -> bool {
        let flow = self.flow;
        let sf_cli = flow == FlowChoice::SfCli;
        match field {
            Field::Name | Field::Flow | Field::ApiVersion => true,
            Field::SfOrg => sf_cli,
            Field::LoginHost | Field::ClientId | Field::CaFile => !sf_cli,
            // The Salesforce CLI knows the org's instance: its URL is optional and typed.
            Field::Url => sf_cli || self.login_host.is_typed(),
            Field::Username | Field::KeyFile | Field::Audience => flow == FlowChoice::Jwt,
            Field::SecretSource | Field::AuthStyle => flow.uses_secret(),
            Field::SecretValue => flow.uses_secret() && self.secret().takes_value(),
            Field::CallbackPort => flow == FlowChoice::Web,
        }
    }

    /// The fields shown, in tab order.
    pub fn visible_fields(&self) -> Vec<Field> {
        Field::ALL.into_iter().filter(|f| self.shows(*f)).collect()
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
            Field::Flow => {
                self.flow = self.flow.next();
                // The problems found were about the other flow's fields.
                self.problems.clear();
            }
            Field::LoginHost => self.login_host = self.login_host.next(),
            Field::SecretSource => {
                let flow = self.flow;
                self.secret_mut().cycle(flow);
            }
            Field::AuthStyle => self.auth_style = fields::next_auth_style(self.auth_style),
            _ => {}
        }
    }

    pub(super) fn type_key(&mut self, key: KeyEvent) {
        if self.focus.is_choice() {
            // Space cycles a choice too, as in most forms.
            if key.code == KeyCode::Char(' ') {
                self.cycle_choice();
            }
            return;
        }
        if let Some(input) = self.input_mut(self.focus) {
            input.handle_key(key);
            self.problems.retain(|(f, _)| *f != self.focus);
        }
    }

    /// The text typed in `field` (`None` for a choice).
    pub fn input(&self, field: Field) -> Option<&TextInput> {
        match field {
            Field::Name => Some(&self.name),
            Field::SfOrg => Some(&self.sf_org),
            Field::Url => Some(&self.url),
            Field::ClientId => Some(&self.client_id),
            Field::Username => Some(&self.username),
            Field::KeyFile => Some(&self.key_file),
            Field::Audience => Some(&self.audience),
            Field::SecretValue => Some(self.secret_value()),
            Field::CallbackPort => Some(&self.callback_port),
            Field::ApiVersion => Some(&self.api_version),
            Field::CaFile => Some(&self.ca_file),
            Field::Flow | Field::LoginHost | Field::SecretSource | Field::AuthStyle => None,
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut TextInput> {
        match field {
            Field::Name => Some(&mut self.name),
            Field::SfOrg => Some(&mut self.sf_org),
            Field::Url => Some(&mut self.url),
            Field::ClientId => Some(&mut self.client_id),
            Field::Username => Some(&mut self.username),
            Field::KeyFile => Some(&mut self.key_file),
            Field::Audience => Some(&mut self.audience),
            Field::SecretValue => Some(&mut self.secret_mut().value),
            Field::CallbackPort => Some(&mut self.callback_port),
            Field::ApiVersion => Some(&mut self.api_version),
            Field::CaFile => Some(&mut self.ca_file),
            Field::Flow | Field::LoginHost | Field::SecretSource | Field::AuthStyle => None,
        }
    }

    /// Whether saving now would change anything: against the profile edited, or against an
    /// untouched new form.
    pub fn is_changed(&self) -> bool {
        let draft = self.draft();
        match &self.initial {
            Some(initial) => initial != &draft,
            None => draft != ProfileForm::new_profile().draft(),
        }
    }

    /// What the URL normalises to, and the notes about it, for the hint under the field.
    pub fn endpoint_hint(&self) -> Result<(String, Vec<String>), String> {
        let draft = self.draft();
        if draft.endpoint.is_empty() {
            return Err(if self.flow == FlowChoice::SfCli {
                "optional: the Salesforce CLI knows the org's instance".into()
            } else {
                "paste your My Domain URL, or any Setup or record URL of the org".into()
            });
        }
        draft
            .normalized_endpoint()
            .map(|n| (n.url.to_string(), n.notes))
            .map_err(|e| e.to_string())
    }

    /// The callback URL to register on the app for the port typed (or the default), or why
    /// the port is not one.
    pub fn callback_url(&self) -> Result<String, String> {
        let text = self.callback_port.text().trim();
        let port = if text.is_empty() {
            DEFAULT_CALLBACK_PORT
        } else {
            match text.parse::<u16>() {
                Ok(port) if port > 0 => port,
                _ => return Err(format!("\"{text}\" is not a port number (1 to 65535)")),
            }
        };
        Ok(callback_url(port))
    }

    /// The JWT audience used when none is typed: derived from the endpoint, as the login does.
    pub fn default_audience(&self) -> Option<String> {
        let endpoint = self.draft().normalized_endpoint().ok()?;
        Some(crate::sf::types::jwt_audience(&endpoint.url))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use secrecy::SecretString;

    use super::*;
    use crate::config::profiles::SecretSource;

    fn profile(flow: Flow) -> Profile {
        Profile {
            flow,
            ..Profile::new("Acme", "https://acme.my.salesforce.com", "3MVG9acme")
        }
    }

    fn jwt() -> Flow {
        Flow::Jwt {
            username: "ops@acme.com".into(),
            key_file: PathBuf::from("/keys/acme.pem"),
            audience: Some("https://test.salesforce.com".into()),
        }
    }

    /// The form with `flow` chosen by cycling the chooser, as the keys do.
    fn choose(form: &mut ProfileForm, flow: FlowChoice) {
        form.focus = Field::Flow;
        while form.flow != flow {
            form.cycle_choice();
        }
    }

    #[test]
    fn each_flow_shows_only_its_fields() {
        use Field::*;
        let mut form = ProfileForm::new_profile();
        let cases = [
            (
                FlowChoice::ClientCredentials,
                vec![
                    Name,
                    Flow,
                    LoginHost,
                    Url,
                    ClientId,
                    SecretSource,
                    AuthStyle,
                    ApiVersion,
                    CaFile,
                ],
            ),
            (
                FlowChoice::Web,
                vec![
                    Name,
                    Flow,
                    LoginHost,
                    Url,
                    ClientId,
                    SecretSource,
                    CallbackPort,
                    AuthStyle,
                    ApiVersion,
                    CaFile,
                ],
            ),
            (
                FlowChoice::Jwt,
                vec![
                    Name, Flow, LoginHost, Url, ClientId, Username, KeyFile, Audience, ApiVersion,
                    CaFile,
                ],
            ),
            (FlowChoice::SfCli, vec![Name, Flow, SfOrg, Url, ApiVersion]),
        ];
        for (flow, fields) in cases {
            choose(&mut form, flow);
            assert_eq!(form.visible_fields(), fields, "{flow:?}");
            // Tab visits exactly those, in order, and comes back round.
            form.focus = Name;
            let mut visited = vec![form.focus];
            for _ in 1..fields.len() {
                form.move_focus(1);
                visited.push(form.focus);
            }
            assert_eq!(visited, fields, "{flow:?}");
            form.move_focus(1);
            assert_eq!(form.focus, Name);
            form.move_focus(-1);
            assert_eq!(form.focus, *fields.last().expect("fields"));
        }
    }

    #[test]
    fn opening_and_saving_any_flow_changes_nothing() {
        let mut basic_env = profile(Flow::ClientCredentials);
        basic_env.auth_style = AuthStyle::Basic;
        basic_env.secret = SecretSource::Env {
            var: "ACME_SECRET".into(),
        };
        basic_env.api_version = Some("62.0".into());
        let mut web_plain = profile(Flow::Web {
            callback_port: None,
        });
        web_plain.secret = SecretSource::Plain {
            value: SecretString::from("s3cr3t"),
        };
        let mut web_pkce = profile(Flow::Web {
            callback_port: Some(1818),
        });
        web_pkce.secret = SecretSource::None;
        // A JWT profile with keys its flow does not use: kept as they are.
        let mut jwt_profile = profile(jwt());
        jwt_profile.secret = SecretSource::Prompt;
        jwt_profile.auth_style = AuthStyle::Basic;
        let mut sf = profile(Flow::SfCli { org: "acme".into() });
        sf.endpoint = String::new();
        sf.client_id = String::new();
        sf.secret = SecretSource::None;
        let mut sf_with_leftovers = profile(Flow::SfCli { org: "acme".into() });
        sf_with_leftovers.ca_file = Some(PathBuf::from("/etc/ca.pem"));
        for p in [
            basic_env,
            web_plain,
            web_pkce,
            jwt_profile,
            sf,
            sf_with_leftovers,
        ] {
            let form = ProfileForm::edit(&p);
            assert_eq!(form.draft(), p);
            assert!(!form.is_changed(), "{p:?}");
        }
    }

    #[test]
    fn switching_flows_keeps_what_each_flow_was_given() {
        let mut form = ProfileForm::new_profile();
        form.name.set_text("Acme");
        form.url.set_text("https://acme.my.salesforce.com");
        form.client_id.set_text("3MVG9acme");
        form.focus = Field::SecretSource;
        form.cycle_choice();
        assert_eq!(form.secret_source_name(), "env");
        form.secret_mut().value.set_text("ACME_SECRET");

        choose(&mut form, FlowChoice::Web);
        assert_eq!(
            form.secret_source_name(),
            "none",
            "a browser login starts without a secret (a PKCE app)"
        );
        form.callback_port.set_text("1818");
        choose(&mut form, FlowChoice::Jwt);
        form.username.set_text("ops@acme.com");
        form.key_file.set_text("/keys/acme.pem");
        choose(&mut form, FlowChoice::SfCli);
        form.sf_org.set_text("acme");

        choose(&mut form, FlowChoice::ClientCredentials);
        assert_eq!(
            form.draft().secret,
            SecretSource::Env {
                var: "ACME_SECRET".into()
            }
        );
        choose(&mut form, FlowChoice::Web);
        let draft = form.draft();
        assert_eq!(
            draft.flow,
            Flow::Web {
                callback_port: Some(1818)
            }
        );
        assert_eq!(draft.secret, SecretSource::None);
        choose(&mut form, FlowChoice::Jwt);
        let draft = form.draft();
        assert_eq!(
            draft.flow,
            Flow::Jwt {
                username: "ops@acme.com".into(),
                key_file: PathBuf::from("/keys/acme.pem"),
                audience: None,
            }
        );
        assert_eq!(
            (draft.secret, draft.auth_style),
            (SecretSource::None, AuthStyle::Body),
            "a new JWT profile takes no secret from the other flows"
        );
        assert_eq!(draft.client_id, "3MVG9acme");
        choose(&mut form, FlowChoice::SfCli);
        let draft = form.draft();
        assert_eq!(draft.flow, Flow::SfCli { org: "acme".into() });
        assert_eq!(draft.client_id, "", "the CLI's org brings its own app");
        assert_eq!(
            draft.endpoint, "https://acme.my.salesforce.com",
            "the URL typed is kept as the CLI org's optional URL"
        );
    }

    #[test]
    fn client_credentials_never_offer_no_secret() {
        let mut form = ProfileForm::new_profile();
        form.focus = Field::SecretSource;
        let mut seen = Vec::new();
        for _ in 0..5 {
            form.cycle_choice();
            seen.push(form.secret_source_name());
        }
        assert_eq!(seen, ["env", "command", "plain", "prompt", "env"]);
        choose(&mut form, FlowChoice::Web);
        form.focus = Field::SecretSource;
        let mut seen = vec![form.secret_source_name()];
        for _ in 0..5 {
            form.cycle_choice();
            seen.push(form.secret_source_name());
        }
        assert_eq!(seen, ["none", "prompt", "env", "command", "plain", "none"]);
    }

    #[test]
    fn problems_go_under_the_field_they_are_about() {
        let fields = |form: &ProfileForm| {
            form.to_profile(&[])
                .expect_err("problems")
                .into_iter()
                .map(|(f, _)| f)
                .collect::<Vec<_>>()
        };
        let mut bad_jwt = profile(Flow::Jwt {
            username: "ops".into(),
            key_file: PathBuf::from("/definitely/not/here/key.pem"),
            audience: None,
        });
        bad_jwt.secret = SecretSource::None;
        assert_eq!(
            fields(&ProfileForm::edit(&bad_jwt)),
            [Field::Username, Field::KeyFile]
        );
        let mut sf = ProfileForm::new_profile();
        sf.name.set_text("CLI");
        choose(&mut sf, FlowChoice::SfCli);
        assert_eq!(fields(&sf), [Field::SfOrg]);
        let mut web = ProfileForm::edit(&profile(Flow::Web {
            callback_port: None,
        }));
        choose(&mut web, FlowChoice::Web);
        web.callback_port.set_text("99999");
        assert_eq!(fields(&web), [Field::CallbackPort]);
        assert!(web.callback_url().is_err());
        // Client credentials without a secret (only a hand-written file says so): the problem
        // goes under the source, the value being hidden.
        let mut no_secret = profile(Flow::ClientCredentials);
        no_secret.secret = SecretSource::None;
        assert_eq!(
            fields(&ProfileForm::edit(&no_secret)),
            [Field::SecretSource]
        );
        // A hidden field's problem is shown under the chooser rather than lost.
        let mut sf_ca = profile(Flow::SfCli { org: "acme".into() });
        sf_ca.ca_file = Some(PathBuf::from("/definitely/not/here/ca.pem"));
        assert_eq!(fields(&ProfileForm::edit(&sf_ca)), [Field::Flow]);
    }

    #[test]
    fn the_hints_follow_the_flow() {
        let mut form = ProfileForm::new_profile();
        choose(&mut form, FlowChoice::Web);
        assert_eq!(
            form.callback_url().as_deref(),
            Ok("http://localhost:1717/OauthRedirect")
        );
        form.callback_port.set_text("8123");
        assert_eq!(
            form.callback_url().as_deref(),
            Ok("http://localhost:8123/OauthRedirect")
        );
        choose(&mut form, FlowChoice::Jwt);
        form.login_host = LoginHost::Sandbox;
        assert_eq!(
            form.default_audience().as_deref(),
            Some("https://test.salesforce.com")
        );
        choose(&mut form, FlowChoice::SfCli);
        assert!(
            form.endpoint_hint()
                .expect_err("empty")
                .contains("optional"),
            "the CLI org's URL is optional"
        );
    }

    #[test]
    fn debug_hides_a_plain_secret_of_either_flow() {
        let mut form = ProfileForm::new_profile();
        form.client_secret = SecretInput::of(&SecretSource::Plain {
            value: SecretString::from("cc-plain-secret"),
        });
        choose(&mut form, FlowChoice::Web);
        form.web_secret = SecretInput::of(&SecretSource::Plain {
            value: SecretString::from("web-plain-secret"),
        });
        let dump = format!("{form:?}");
        assert!(!dump.contains("cc-plain-secret"), "{dump}");
        assert!(!dump.contains("web-plain-secret"), "{dump}");
    }

    #[test]
    fn a_new_form_is_changed_by_what_would_be_saved() {
        let mut form = ProfileForm::new_profile();
        assert!(!form.is_changed());
        choose(&mut form, FlowChoice::Jwt);
        assert!(form.is_changed(), "another flow would be saved");
        choose(&mut form, FlowChoice::ClientCredentials);
        assert!(!form.is_changed());
        form.ca_file.set_text("/etc/ca.pem");
        assert!(form.is_changed());
    }
}

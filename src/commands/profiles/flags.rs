//! `profiles add`'s options and the one place they become a [`Profile`]; the secret options,
//! shared with `requests import-postman-env`.

use std::path::PathBuf;

use super::super::CommandError;
use crate::config::{AuthStyle, Flow, Problem, Profile, SecretSource};

/// Where a client secret comes from, as options (at most one of them).
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
#[group(id = "secret_source", multiple = false)]
pub struct SecretArgs {
    /// Read the client secret from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
    /// Run this shell command and use its output as the client secret (`pass show sf/prod`).
    #[arg(long, value_name = "CMD")]
    pub secret_command: Option<String>,
    /// Ask for the client secret when connecting (the default of client credentials).
    #[arg(long)]
    pub secret_prompt: bool,
}

impl SecretArgs {
    /// The source the options name, or `unnamed` when none is given.
    pub fn source_or(&self, unnamed: SecretSource) -> SecretSource {
        match (&self.secret_env, &self.secret_command, self.secret_prompt) {
            (Some(var), _, _) => SecretSource::Env { var: var.clone() },
            (None, Some(command), _) => SecretSource::Command {
                command: command.clone(),
            },
            (None, None, true) => SecretSource::Prompt,
            (None, None, false) => unnamed,
        }
    }

    /// The option given, if any.
    fn given(&self) -> Option<&'static str> {
        match (&self.secret_env, &self.secret_command, self.secret_prompt) {
            (Some(_), _, _) => Some("--secret-env"),
            (None, Some(_), _) => Some("--secret-command"),
            (None, None, true) => Some("--secret-prompt"),
            (None, None, false) => None,
        }
    }
}

/// How `profiles add` sends the client id and secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum AuthArg {
    /// client_id / client_secret in the form body.
    #[default]
    Body,
    /// HTTP Basic Authorization header.
    Basic,
}

/// How the profile logs in (`--flow`); each value is the `flow` of `profiles.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FlowArg {
    /// Client credentials: the app's consumer key and secret, as the app's run-as user (My
    /// Domain only).
    #[default]
    #[value(name = "client_credentials", alias = "client-credentials")]
    ClientCredentials,
    /// Browser login (authorization code with PKCE), renewed with a refresh token.
    Web,
    /// JWT bearer: a username and the private key of the certificate uploaded to the app.
    Jwt,
    /// An org already logged in with the Salesforce CLI (`sf org login web`).
    Sf,
}

impl FlowArg {
    /// The value as typed on the command line.
    fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self)
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

/// Arguments of `profiles add`. Client credentials without a --secret-* option ask for the
/// secret at connect time (interactive use only); a browser login without one sends none.
#[derive(Debug, Clone, clap::Args)]
pub struct AddArgs {
    /// Unique profile name.
    #[arg(long)]
    pub name: String,
    /// How the profile logs in.
    #[arg(long, value_enum, default_value_t = FlowArg::ClientCredentials)]
    pub flow: FlowArg,
    /// Where to log in: the org's My Domain (https://acme.my.salesforce.com); web and jwt also
    /// take https://login.salesforce.com or https://test.salesforce.com. Optional for sf (the
    /// environment badge before connecting).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The app's consumer key (client_credentials, web, jwt).
    #[arg(long, value_name = "KEY")]
    pub client_id: Option<String>,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// How the client id and secret are sent to the token endpoint (default body).
    #[arg(long, value_enum)]
    pub auth: Option<AuthArg>,
    /// Pin an API version such as 62.0 (default: the org's newest).
    #[arg(long, value_name = "VERSION")]
    pub api_version: Option<String>,
    /// A PEM file with extra CA certificates to trust.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// web: the port of the callback URL registered on the app,
    /// http://localhost:PORT/OauthRedirect (default 1717).
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub callback_port: Option<u16>,
    /// jwt: the Salesforce username the tokens are for (ops@acme.com; sandboxes add .NAME).
    #[arg(long, value_name = "USERNAME")]
    pub username: Option<String>,
    /// jwt: the PEM private key of the certificate uploaded to the app.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// jwt: the assertion's audience (default from the endpoint: https://test.salesforce.com
    /// for sandboxes, else https://login.salesforce.com).
    #[arg(long, value_name = "URL")]
    pub audience: Option<String>,
    /// sf: the Salesforce CLI's org, by alias or username (`sf org list`).
    #[arg(long, value_name = "ALIAS")]
    pub sf_org: Option<String>,
    /// Make it the default profile (`default = true`): commands use it when no -p is given.
    #[arg(long)]
    pub default: bool,
}

/// The flows that can send a client secret.
const ONLY_WITH_A_SECRET: &[FlowArg] = &[FlowArg::ClientCredentials, FlowArg::Web];

impl AddArgs {
    /// The per-flow options: name, whether given, the flows that take it.
    fn flow_options(&self) -> [(&'static str, bool, &'static [FlowArg]); 7] {
        [
            (
                self.secret.given().unwrap_or("--secret-env"),
                self.secret.given().is_some(),
                ONLY_WITH_A_SECRET,
            ),
            ("--auth", self.auth.is_some(), ONLY_WITH_A_SECRET),
            (
                "--callback-port",
                self.callback_port.is_some(),
                &[FlowArg::Web],
            ),
            ("--username", self.username.is_some(), &[FlowArg::Jwt]),
            ("--key-file", self.key_file.is_some(), &[FlowArg::Jwt]),
            ("--audience", self.audience.is_some(), &[FlowArg::Jwt]),
            ("--sf-org", self.sf_org.is_some(), &[FlowArg::Sf]),
        ]
    }

    /// The profile the options describe, not yet validated; a usage error names the options
    /// the flow needs and did not get, or got and does not use.
    pub fn profile(&self) -> Result<Profile, CommandError> {
        let flow = self.flow.name();
        let foreign: Vec<String> = self
            .flow_options()
            .into_iter()
            .filter(|(_, given, flows)| *given && !flows.contains(&self.flow))
            .map(|(option, _, flows)| {
                let takers: Vec<String> = flows.iter().map(|f| f.name()).collect();
                format!("{option} (only for --flow {})", takers.join(" or "))
            })
            .collect();
        if !foreign.is_empty() {
            return Err(CommandError::usage(format!(
                "--flow {flow} does not use {}.",
                foreign.join(", ")
            )));
        }
        let mut needed: Vec<&str> = Vec::new();
        if self.flow != FlowArg::Sf {
            needed.extend(self.endpoint.is_none().then_some("--endpoint URL"));
            needed.extend(self.client_id.is_none().then_some("--client-id KEY"));
        }
        match self.flow {
            FlowArg::Jwt => {
                needed.extend(self.username.is_none().then_some("--username USERNAME"));
                needed.extend(self.key_file.is_none().then_some("--key-file FILE"));
            }
            FlowArg::Sf => needed.extend(self.sf_org.is_none().then_some("--sf-org ALIAS")),
            FlowArg::ClientCredentials | FlowArg::Web => {}
        }
        if !needed.is_empty() {
            return Err(CommandError::usage(format!(
                "--flow {flow} needs {}.",
                needed.join(" and ")
            )));
        }
        let (flow, unnamed_secret) = match self.flow {
            FlowArg::ClientCredentials => (Flow::ClientCredentials, SecretSource::Prompt),
            FlowArg::Web => (
                Flow::Web {
                    callback_port: self.callback_port,
                },
                SecretSource::None,
            ),
            FlowArg::Jwt => (
                Flow::Jwt {
                    username: self.username.clone().unwrap_or_default(),
                    // Stored absolute: the profile is used from any directory.
                    key_file: self
                        .key_file
                        .as_deref()
                        .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.to_path_buf()))
                        .unwrap_or_default(),
                    audience: self.audience.clone(),
                },
                SecretSource::None,
            ),
            FlowArg::Sf => (
                Flow::SfCli {
                    org: self.sf_org.clone().unwrap_or_default(),
                },
                SecretSource::None,
            ),
        };
        let mut profile = Profile::new(
            &self.name,
            self.endpoint.as_deref().unwrap_or_default(),
            self.client_id.as_deref().unwrap_or_default(),
        );
        profile.flow = flow;
        profile.secret = self.secret.source_or(unnamed_secret);
        profile.auth_style = match self.auth.unwrap_or_default() {
            AuthArg::Body => AuthStyle::Body,
            AuthArg::Basic => AuthStyle::Basic,
        };
        profile.api_version.clone_from(&self.api_version);
        profile.ca_file.clone_from(&self.ca_file);
        Ok(profile)
    }

    /// The option a validation problem is about, as typed on the command line.
    pub fn option_of(&self, problem: &Problem) -> String {
        match problem.field {
            "secret" => self.secret.given().unwrap_or("--secret-env").to_string(),
            field => format!("--{}", field.replace('_', "-")),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        add: AddArgs,
    }

    fn parse(args: &[&str]) -> AddArgs {
        Cli::try_parse_from(std::iter::once("add").chain(args.iter().copied()))
            .expect("parses")
            .add
    }

    #[test]
    fn each_flow_value_is_the_flow_of_the_profile_it_builds() {
        let base = [
            "--name",
            "p",
            "--endpoint",
            "https://acme.my.salesforce.com",
            "--client-id",
            "k",
        ];
        for (extra, flow) in [
            (&[][..], FlowArg::ClientCredentials),
            (&[], FlowArg::Web),
            (
                &["--username", "a@b.co", "--key-file", "k.pem"],
                FlowArg::Jwt,
            ),
            (&["--sf-org", "acme"], FlowArg::Sf),
        ] {
            let mut args: Vec<&str> = base.to_vec();
            let name = flow.name();
            args.extend(["--flow", &name]);
            args.extend(extra);
            let profile = parse(&args).profile().expect("profile");
            assert_eq!(profile.flow.as_str(), name);
        }
    }

    #[test]
    fn the_secret_defaults_follow_the_flow() {
        let cc = parse(&["--name", "p", "--endpoint", "e", "--client-id", "k"]);
        assert_eq!(cc.profile().expect("cc").secret, SecretSource::Prompt);
        let web = parse(&[
            "--name",
            "p",
            "--flow",
            "web",
            "--endpoint",
            "e",
            "--client-id",
            "k",
        ]);
        assert_eq!(web.profile().expect("web").secret, SecretSource::None);
        let web = parse(&[
            "--name",
            "p",
            "--flow",
            "web",
            "--endpoint",
            "e",
            "--client-id",
            "k",
            "--secret-env",
            "S",
        ]);
        assert_eq!(
            web.profile().expect("web").secret,
            SecretSource::Env { var: "S".into() }
        );
    }

    #[test]
    fn a_relative_key_file_is_stored_absolute() {
        let args = parse(&[
            "--name",
            "p",
            "--flow",
            "jwt",
            "--endpoint",
            "e",
            "--client-id",
            "k",
            "--username",
            "a@b.co",
            "--key-file",
            "keys/server.key",
        ]);
        match args.profile().expect("jwt").flow {
            Flow::Jwt { key_file, .. } => {
                assert!(key_file.is_absolute(), "{key_file:?}");
                assert!(key_file.ends_with("keys/server.key"), "{key_file:?}");
            }
            other => panic!("{other:?}"),
        }
    }
}

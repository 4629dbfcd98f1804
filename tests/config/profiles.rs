//! Integration tests for `profiles.toml` handling, secret sources and config paths.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use sfterm::config::paths;
use sfterm::config::{
    AuthStyle, ConfigError, Flow, Profile, ProfileStore, SecretError, SecretSource,
};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("create a temp dir")
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).expect("write test file");
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read test file")
}

const HAND_WRITTEN: &str = r#"# My Salesforce orgs -- edited by hand
# (keep this comment)

[[profile]]
# production, careful!
name = "Acme prod"
endpoint = "https://acme.my.salesforce.com"   # My Domain
client_id = "3MVG9prod"
secret = { source = "env", var = "ACME_SECRET" }
auth_style = "basic"
favourite = true   # unknown key, must survive

[[profile]]
name = "Acme uat"
endpoint = "acme--uat.sandbox.lightning.force.com"
client_id = "3MVG9uat"
secret = { source = "command", command = "pass show sf/uat" }
api_version = "62.0"
renew_margin_secs = 120
"#;

fn full_profile(name: &str) -> Profile {
    Profile {
        name: name.to_owned(),
        endpoint: "https://new.my.salesforce.com".to_owned(),
        client_id: "3MVG9new".to_owned(),
        secret: SecretSource::Plain {
            value: SecretString::from("s3cr3t"),
        },
        auth_style: AuthStyle::Basic,
        api_version: Some("61.0".to_owned()),
        ca_file: Some(PathBuf::from("/etc/ssl/ca.pem")),
        renew_margin_secs: Some(60),
        flow: Default::default(),
    }
}

#[test]
fn missing_file_is_an_empty_store_and_save_creates_it() {
    let dir = tmp();
    let path = dir.path().join("nested").join("profiles.toml");
    let mut store = ProfileStore::load(&path).expect("missing file = empty store");
    assert!(store.profiles().is_empty());
    assert_eq!(store.path(), path);
    assert!(!path.exists(), "load must not create the file");

    store.upsert(None, full_profile("New")).expect("add");
    store.save().expect("save creates the directory and file");
    assert!(path.exists());

    let again = ProfileStore::load(&path).expect("reload");
    assert_eq!(again.profiles(), [full_profile("New")]);
    let text = read(&path);
    assert!(text.contains("[[profile]]"), "{text}");
    assert!(
        text.contains(r#"secret = { source = "plain", value = "s3cr3t" }"#),
        "{text}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn hand_written_file_parses() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let store = ProfileStore::load(&path).expect("valid file");
    let p = store.profiles();
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].name, "Acme prod");
    assert_eq!(
        p[0].secret,
        SecretSource::Env {
            var: "ACME_SECRET".into()
        }
    );
    assert_eq!(p[0].auth_style, AuthStyle::Basic);
    assert_eq!(p[0].api_version, None);
    assert_eq!(p[1].auth_style, AuthStyle::Body, "default auth style");
    assert_eq!(
        p[1].secret,
        SecretSource::Command {
            command: "pass show sf/uat".into()
        }
    );
    assert_eq!(p[1].api_version.as_deref(), Some("62.0"));
    assert_eq!(p[1].renew_margin_secs, Some(120));
    let n = p[1].normalized_endpoint().expect("normalises");
    assert_eq!(n.as_str(), "https://acme--uat.sandbox.my.salesforce.com");
    assert!(n.is_sandbox());
}

/// Acceptance 4: a comment added by hand survives an edit; order and unknown keys are kept.
#[test]
fn edit_keeps_comments_order_and_unknown_keys() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let mut store = ProfileStore::load(&path).expect("load");
    let mut prod = store.profiles()[0].clone();
    prod.endpoint = "https://acme2.my.salesforce.com".to_owned();
    store.upsert(Some("Acme prod"), prod).expect("edit");
    store.save().expect("save");

    let expected = HAND_WRITTEN.replace(
        "endpoint = \"https://acme.my.salesforce.com\"   # My Domain",
        "endpoint = \"https://acme2.my.salesforce.com\"   # My Domain",
    );
    assert_eq!(read(&path), expected, "only the edited value may change");
}

#[test]
fn unchanged_upsert_rewrites_nothing() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let mut store = ProfileStore::load(&path).expect("load");
    for p in store.profiles().to_vec() {
        let name = p.name.clone();
        store.upsert(Some(&name), p).expect("same values");
    }
    store.save().expect("save");
    assert_eq!(read(&path), HAND_WRITTEN);
}

#[test]
fn rename_and_change_every_field_keeps_position() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let mut store = ProfileStore::load(&path).expect("load");
    store
        .upsert(Some("Acme prod"), full_profile("Renamed"))
        .expect("edit");
    store.save().expect("save");
    let text = read(&path);
    assert!(text.starts_with("# My Salesforce orgs -- edited by hand\n# (keep this comment)\n"));
    assert!(
        text.contains("# production, careful!\nname = \"Renamed\""),
        "{text}"
    );
    assert!(
        text.contains("favourite = true   # unknown key, must survive"),
        "{text}"
    );
    let again = ProfileStore::load(&path).expect("reload");
    let names: Vec<&str> = again.profiles().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Renamed", "Acme uat"]);
    assert_eq!(again.profiles()[0], full_profile("Renamed"));

    // Clearing optional fields removes their keys.
    let mut store = again;
    let mut uat = store.profiles()[1].clone();
    uat.api_version = None;
    uat.renew_margin_secs = None;
    uat.secret = SecretSource::Prompt;
    store.upsert(Some("Acme uat"), uat.clone()).expect("edit");
    store.save().expect("save");
    let text = read(&path);
    assert!(!text.contains("api_version = \"62.0\""), "{text}");
    assert!(!text.contains("renew_margin_secs = 120"), "{text}");
    assert_eq!(
        ProfileStore::load(&path).expect("reload").profiles()[1],
        uat
    );
}

#[test]
fn add_appends_after_existing_profiles() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let mut store = ProfileStore::load(&path).expect("load");
    store.upsert(None, full_profile("Third")).expect("add");
    store.save().expect("save");
    let text = read(&path);
    assert!(
        text.starts_with(HAND_WRITTEN),
        "existing text untouched:\n{text}"
    );
    let names: Vec<String> = ProfileStore::load(&path)
        .expect("reload")
        .profiles()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names, ["Acme prod", "Acme uat", "Third"]);
}

#[test]
fn name_clashes_and_missing_profiles() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let mut store = ProfileStore::load(&path).expect("load");
    let err = store
        .upsert(None, full_profile("Acme uat"))
        .expect_err("name taken");
    assert!(
        matches!(err, ConfigError::NameTaken(ref n) if n == "Acme uat"),
        "{err}"
    );
    let err = store
        .upsert(Some("Acme prod"), full_profile("Acme uat"))
        .expect_err("rename clash");
    assert!(matches!(err, ConfigError::NameTaken(_)), "{err}");
    let err = store
        .upsert(Some("Nope"), full_profile("X"))
        .expect_err("missing");
    assert!(matches!(err, ConfigError::NoSuchProfile(_)), "{err}");
    assert!(matches!(
        store.remove("Nope"),
        Err(ConfigError::NoSuchProfile(_))
    ));
    assert!(matches!(
        store.duplicate("Nope"),
        Err(ConfigError::NoSuchProfile(_))
    ));
    let err = store
        .upsert(None, full_profile("  "))
        .expect_err("empty name");
    assert!(matches!(err, ConfigError::InvalidProfile(_)), "{err}");
    assert_eq!(
        store.profiles().len(),
        2,
        "failed operations change nothing"
    );
}

#[test]
fn remove_and_duplicate() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let mut store = ProfileStore::load(&path).expect("load");
    assert_eq!(
        store.duplicate("Acme prod").expect("dup"),
        "Acme prod (copy)"
    );
    assert_eq!(
        store.duplicate("Acme prod").expect("dup"),
        "Acme prod (copy 2)"
    );
    store.remove("Acme uat").expect("remove");
    store.save().expect("save");

    let again = ProfileStore::load(&path).expect("reload");
    let names: Vec<&str> = again.profiles().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Acme prod", "Acme prod (copy)", "Acme prod (copy 2)"]
    );
    let mut copy = again.profiles()[1].clone();
    copy.name = "Acme prod".to_owned();
    assert_eq!(copy, again.profiles()[0]);
    let text = read(&path);
    assert!(!text.contains("Acme uat"), "{text}");
    assert_eq!(
        text.matches("favourite = true").count(),
        3,
        "unknown keys copied:\n{text}"
    );
    assert_eq!(
        text.matches("# production, careful!").count(),
        1,
        "comment not copied:\n{text}"
    );
    assert!(text.starts_with("# My Salesforce orgs"), "{text}");
}

#[test]
fn broken_file_reports_line_col_and_is_never_overwritten() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    let broken = "[[profile]]\nname = \"A\"\nendpoint = \"https://a.my.salesforce.com\n";
    write(&path, broken);
    let err = ProfileStore::load(&path).expect_err("broken file");
    let msg = err.to_string();
    let prefix = format!("{}:3:", path.display());
    assert!(msg.starts_with(&prefix), "{msg}");
    assert!(matches!(err, ConfigError::Invalid { location: Some(l), .. } if l.line == 3));
    assert_eq!(fs::read(&path).expect("read"), broken.as_bytes());
}

#[test]
fn semantic_errors_are_located() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    let cases: [(&str, &str); 6] = [
        (
            "[[profile]]\nname = \"A\"\nendpoint = \"x\"\nclient_id = 3\n",
            ":4:13: \"client_id\" must be a string",
        ),
        (
            "[[profile]]\nname = \"A\"\nendpoint = \"x\"\n",
            ":1:1: this [[profile]] has no \"client_id\"",
        ),
        (
            "[[profile]]\nname = \"A\"\nendpoint = \"x\"\nclient_id = \"c\"\nsecret = { source = \"vault\" }\n",
            ":5:21: unknown secret source \"vault\"",
        ),
        (
            "[[profile]]\nname = \"A\"\nendpoint = \"x\"\nclient_id = \"c\"\nauth_style = \"jwt\"\n",
            ":5:14: unknown auth_style \"jwt\"",
        ),
        ("profile = 3\n", ":1:11: \"profile\" must be a list"),
        (
            "[[profile]]\nname = \"A\"\nendpoint = \"x\"\nclient_id = \"c\"\n[[profile]]\nname = \"A\"\nendpoint = \"y\"\nclient_id = \"d\"\n",
            ":6:8: a second profile is named \"A\"",
        ),
    ];
    for (text, expected) in cases {
        write(&path, text);
        let msg = ProfileStore::load(&path).expect_err(text).to_string();
        let want = format!("{}{expected}", path.display());
        assert!(msg.starts_with(&want), "got {msg:?}\nwant prefix {want:?}");
    }
}

const EVERY_FLOW: &str = r#"[[profile]]
name = "CI"
flow = "jwt"   # signed assertions
endpoint = "https://login.salesforce.com"
client_id = "3MVG9ci"
username = "ci@acme.com"
key_file = "/keys/ci.pem"

[[profile]]
name = "Me"
flow = "web"
endpoint = "https://test.salesforce.com"
client_id = "3MVG9web"
callback_port = 1818

[[profile]]
name = "From sf"
flow = "sf"
sf_org = "acme-dev"

[[profile]]
name = "Old"
endpoint = "https://acme.my.salesforce.com"
client_id = "3MVG9cc"
"#;

#[test]
fn every_flow_parses_with_its_own_keys() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, EVERY_FLOW);
    let store = ProfileStore::load(&path).expect("load");
    let flows: Vec<&Flow> = store.profiles().iter().map(|p| &p.flow).collect();
    assert_eq!(
        flows,
        [
            &Flow::Jwt {
                username: "ci@acme.com".into(),
                key_file: PathBuf::from("/keys/ci.pem"),
                audience: None,
            },
            &Flow::Web {
                callback_port: Some(1818)
            },
            &Flow::SfCli {
                org: "acme-dev".into()
            },
            &Flow::ClientCredentials,
        ]
    );
    // Only client credentials asks for a secret when the file names none.
    let secrets: Vec<&str> = store.profiles().iter().map(|p| p.secret.kind()).collect();
    assert_eq!(secrets, ["none", "none", "none", "prompt"]);
    assert_eq!(store.get("From sf").expect("sf").client_id, "");
}

#[test]
fn switching_a_flow_rewrites_only_its_keys() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, EVERY_FLOW);
    let mut store = ProfileStore::load(&path).expect("load");
    let mut ci = store.get("CI").expect("CI").clone();
    ci.flow = Flow::Web {
        callback_port: None,
    };
    store.upsert(Some("CI"), ci).expect("switch to web");
    let unchanged = store.get("Old").expect("Old").clone();
    store.upsert(Some("Old"), unchanged).expect("same");
    store.save().expect("save");
    let text = read(&path);
    assert!(
        text.contains("flow = \"web\"   # signed assertions"),
        "the comment stays with the value:\n{text}"
    );
    let ci_table = text.split("[[profile]]").nth(1).expect("CI table");
    assert!(
        !ci_table.contains("username") && !ci_table.contains("key_file"),
        "{ci_table}"
    );
    assert!(
        !ci_table.contains("secret"),
        "a flow without a secret gains no secret key: {ci_table}"
    );
    let old_table = text.split("[[profile]]").nth(4).expect("Old table");
    assert!(!old_table.contains("flow"), "{old_table}");
    let again = ProfileStore::load(&path).expect("reload");
    assert_eq!(
        again.get("CI").expect("CI").flow,
        Flow::Web {
            callback_port: None
        }
    );
}

#[test]
fn a_flow_without_a_secret_loses_its_secret_key_and_gains_no_auth_style() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, EVERY_FLOW);
    let mut store = ProfileStore::load(&path).expect("load");
    // "Old" (client credentials, secret from the prompt) becomes a browser login with a PKCE
    // app: the file must not keep a `secret` that the flow no longer has.
    let mut old = store.get("Old").expect("Old").clone();
    old.secret = SecretSource::Env { var: "OLD".into() };
    store.upsert(Some("Old"), old.clone()).expect("env");
    store.save().expect("save");
    assert!(read(&path).contains("source = \"env\""));
    old.flow = Flow::Web {
        callback_port: None,
    };
    old.secret = SecretSource::None;
    store.upsert(Some("Old"), old).expect("to web");
    // A new JWT profile: no secret and no client auth style written.
    let mut jwt = Profile::new("New JWT", "https://login.salesforce.com", "3MVG9new");
    jwt.secret = SecretSource::None;
    jwt.flow = Flow::Jwt {
        username: "ops@acme.com".into(),
        key_file: PathBuf::from("/keys/new.pem"),
        audience: None,
    };
    store.upsert(None, jwt).expect("add");
    store.save().expect("save");
    let text = read(&path);
    let old_table = text.split("[[profile]]").nth(4).expect("Old table");
    assert!(!old_table.contains("secret"), "{old_table}");
    let jwt_table = text.split("[[profile]]").nth(5).expect("JWT table");
    assert!(
        !jwt_table.contains("secret") && !jwt_table.contains("auth_style"),
        "{jwt_table}"
    );
    let again = ProfileStore::load(&path).expect("reload");
    assert_eq!(again.get("Old").expect("Old").secret, SecretSource::None);
    // Client credentials keep saying "none" explicitly: without the key they would prompt.
    let mut cc = again.get("Old").expect("Old").clone();
    cc.flow = Flow::ClientCredentials;
    let mut store = again;
    store.upsert(Some("Old"), cc).expect("back");
    store.save().expect("save");
    let text = read(&path);
    let old_table = text.split("[[profile]]").nth(4).expect("Old table");
    assert!(old_table.contains("source = \"none\""), "{old_table}");
}

#[test]
fn flow_errors_are_located() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    let cases: [(&str, &str); 4] = [
        (
            "[[profile]]\nname = \"A\"\nflow = \"saml\"\nendpoint = \"x\"\nclient_id = \"c\"\n",
            ":3:8: unknown flow \"saml\"",
        ),
        (
            "[[profile]]\nname = \"A\"\nflow = \"jwt\"\nendpoint = \"x\"\nclient_id = \"c\"\n",
            ":3:8: a profile with flow = \"jwt\" needs \"username\"",
        ),
        (
            "[[profile]]\nname = \"A\"\nflow = \"web\"\nendpoint = \"x\"\nclient_id = \"c\"\ncallback_port = 70000\n",
            ":6:17: \"callback_port\" must be a port number",
        ),
        (
            "[[profile]]\nname = \"A\"\nflow = \"sf\"\n",
            ":3:8: a profile with flow = \"sf\" needs \"sf_org\"",
        ),
    ];
    for (text, expected) in cases {
        write(&path, text);
        let msg = ProfileStore::load(&path).expect_err(text).to_string();
        let want = format!("{}{expected}", path.display());
        assert!(msg.starts_with(&want), "got {msg:?}\nwant prefix {want:?}");
    }
}

#[test]
fn changed_on_disk_is_not_overwritten() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let mut store = ProfileStore::load(&path).expect("load");
    store.upsert(None, full_profile("Mine")).expect("add");

    // Another program (or the user in an editor) breaks the file meanwhile.
    let theirs = "[[profile]\nbroken = \n";
    write(&path, theirs);
    let err = store.save().expect_err("changed on disk");
    assert!(matches!(err, ConfigError::ChangedOnDisk { .. }), "{err}");
    assert!(err.to_string().contains("not overwritten"), "{err}");
    assert_eq!(
        fs::read(&path).expect("read"),
        theirs.as_bytes(),
        "byte-for-byte unchanged"
    );

    // A file that appeared after loading an absent one is also protected.
    let path2 = dir.path().join("other.toml");
    let mut store2 = ProfileStore::load(&path2).expect("absent");
    write(&path2, "# created elsewhere\n");
    store2.upsert(None, full_profile("X")).expect("add");
    assert!(matches!(
        store2.save(),
        Err(ConfigError::ChangedOnDisk { .. })
    ));
    assert_eq!(read(&path2), "# created elsewhere\n");
}

#[test]
fn saves_are_atomic_and_repeatable() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, HAND_WRITTEN);
    let mut store = ProfileStore::load(&path).expect("load");
    store.upsert(None, full_profile("One")).expect("add");
    store.save().expect("first save");
    store.upsert(None, full_profile("Two")).expect("add");
    store
        .save()
        .expect("second save: the store knows what it wrote");
    let entries: Vec<String> = fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, ["profiles.toml"], "no temp files left behind");
    assert_eq!(
        ProfileStore::load(&path).expect("reload").profiles().len(),
        4
    );
}

#[test]
fn save_into_unwritable_place_fails_cleanly() {
    let dir = tmp();
    let sub = dir.path().join("sub");
    let path = sub.join("profiles.toml");
    let mut store = ProfileStore::load(&path).expect("absent");
    store.upsert(None, full_profile("A")).expect("add");
    // The directory's name is taken by a regular file, so the directory cannot be created.
    write(&sub, "x");
    let err = store.save().expect_err("cannot write");
    assert!(matches!(err, ConfigError::Io { .. }), "{err}");
    assert_eq!(read(&sub), "x");
}

// ---- secret sources ----

#[test]
fn secret_from_prompt() {
    let got = SecretSource::Prompt
        .resolve(Some(SecretString::from("typed")))
        .expect("given");
    assert_eq!(got.expose_secret(), "typed");
    let err = SecretSource::Prompt.resolve(None).expect_err("not given");
    assert_eq!(err, SecretError::NeedsPrompt);
    assert!(err.to_string().contains("needs the secret typed in"));
}

#[test]
fn secret_from_env() {
    // PATH is set in every test environment; set_var would need unsafe.
    let want = std::env::var("PATH").expect("PATH is set");
    let got = SecretSource::Env { var: "PATH".into() }
        .resolve(None)
        .expect("env var");
    assert_eq!(got.expose_secret(), want);
    let var = "SFTERM_TEST_SURELY_UNSET_VARIABLE_1234";
    let err = SecretSource::Env { var: var.into() }
        .resolve(None)
        .expect_err("unset");
    assert_eq!(err, SecretError::EnvMissing { var: var.into() });
    assert!(err.to_string().contains(var));
}

#[test]
fn secret_from_command() {
    let src = SecretSource::Command {
        command: "printf '  secret\\n\\n'".into(),
    };
    assert_eq!(
        src.resolve(None).expect("command").expose_secret(),
        "secret"
    );
    let src = SecretSource::Command {
        command: "printf secret".into(),
    };
    assert_eq!(
        src.resolve(None).expect("command").expose_secret(),
        "secret"
    );
}

#[test]
fn failing_secret_command() {
    let src = SecretSource::Command {
        command: "echo; echo 'gpg: decryption failed: No secret key' >&2; echo more >&2; exit 3"
            .into(),
    };
    match src.resolve(None) {
        Err(SecretError::CommandFailed { status, stderr }) => {
            assert!(status.contains('3'), "{status}");
            assert_eq!(stderr, "gpg: decryption failed: No secret key");
        }
        other => panic!("expected CommandFailed, got {other:?}"),
    }
    let empty = SecretSource::Command {
        command: "true".into(),
    };
    assert_eq!(
        empty.resolve(None).expect_err("no output"),
        SecretError::EmptyOutput
    );
}

#[test]
fn slow_secret_command_times_out() {
    let src = SecretSource::Command {
        command: "sleep 5".into(),
    };
    let start = Instant::now();
    let err = src
        .resolve_with_timeout(None, Duration::from_millis(200))
        .expect_err("times out");
    assert!(matches!(err, SecretError::Timeout(_)), "{err}");
    assert!(start.elapsed() < Duration::from_secs(3), "killed promptly");
}

#[test]
fn plain_secret_and_debug() {
    let src = SecretSource::Plain {
        value: SecretString::from("topsecret-value"),
    };
    assert_eq!(
        src.resolve(None).expect("plain").expose_secret(),
        "topsecret-value"
    );
    let mut p = full_profile("P");
    p.secret = src;
    assert!(!format!("{p:?}").contains("topsecret-value"));
    assert_eq!(p.warnings().len(), 1);
}

// ---- paths ----

#[test]
fn config_dir_override() {
    let dir = tmp();
    let d = paths::config_dir_from(Some(dir.path().as_os_str().to_owned()));
    assert_eq!(d, dir.path());
    assert_eq!(
        d.join(paths::PROFILES_FILE),
        dir.path().join("profiles.toml")
    );
    let default = paths::config_dir_from(None);
    assert_ne!(default, dir.path());
}

#[test]
fn secret_sub_table_stays_a_sub_table() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    let text = "[[profile]]\nname = \"X\"\nendpoint = \"https://x.my.salesforce.com\"\n\
                client_id = \"c\"\n\n[profile.secret] # where the secret lives\nsource = \"env\"\n\
                var = \"V\"\n";
    write(&path, text);
    let mut store = ProfileStore::load(&path).expect("load");
    assert_eq!(
        store.profiles()[0].secret,
        SecretSource::Env { var: "V".into() }
    );
    let mut x = store.profiles()[0].clone();
    x.secret = SecretSource::Command {
        command: "pass x".into(),
    };
    store.upsert(Some("X"), x.clone()).expect("edit");
    store.save().expect("save");
    let out = read(&path);
    assert!(
        out.contains("[profile.secret] # where the secret lives\nsource = \"command\"\n"),
        "{out}"
    );
    assert!(!out.contains("var ="), "{out}");
    assert_eq!(ProfileStore::load(&path).expect("reload").profiles(), [x]);
}

#[test]
fn store_debug_hides_plain_secrets() {
    let dir = tmp();
    let mut store = ProfileStore::load(&dir.path().join("p.toml")).expect("absent");
    store.upsert(None, full_profile("A")).expect("add");
    let dbg = format!("{store:?}");
    assert!(!dbg.contains("s3cr3t"), "{dbg}");
    assert!(dbg.contains("\"A\""), "{dbg}");
}

#[test]
fn settings_file_errors_name_the_file() {
    let dir = tmp();
    let path = dir.path().join("config.toml");
    write(&path, "theme = \"mono\"\nlog_levle = \"debug\"\n");
    let msg = sfterm::config::Settings::load(&path)
        .expect_err("unknown key")
        .to_string();
    assert_eq!(
        msg,
        format!(
            "{}:2:1: unknown setting \"log_levle\" (known: theme, renew_margin_secs, log_level, \
             retries, export_concurrency, keys)",
            path.display()
        )
    );
    write(&path, "theme = \"mono\"\n");
    let s = sfterm::config::Settings::load(&path).expect("valid");
    assert_eq!(s.theme, "mono");
    assert_eq!(s.renew_margin_secs, 300);
}

const TWO_WITH_A_DEFAULT: &str = r#"# my orgs
[[profile]]
name = "prod"
endpoint = "https://acme.my.salesforce.com"
client_id = "id"

[[profile]]
# the one I use every day
name = "dev"
endpoint = "https://acme--dev.sandbox.my.salesforce.com"
client_id = "id"
default = true   # keep this note
"#;

#[test]
fn the_default_profile_is_read_moved_and_kept_with_comments() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    write(&path, TWO_WITH_A_DEFAULT);
    let mut store = ProfileStore::load(&path).expect("load");
    assert_eq!(
        store.default_profile().map(|p| p.name.as_str()),
        Some("dev")
    );

    store.set_default(Some("prod")).expect("set default");
    store.save().expect("save");
    let text = read(&path);
    assert_eq!(text.matches("default = true").count(), 1, "{text}");
    assert!(text.contains("# the one I use every day"), "{text}");
    assert!(text.starts_with("# my orgs"), "{text}");
    let again = ProfileStore::load(&path).expect("reload");
    assert_eq!(
        again.default_profile().map(|p| p.name.as_str()),
        Some("prod")
    );

    // Setting it again changes nothing; an unknown name is refused and changes nothing.
    store.set_default(Some("prod")).expect("same default");
    assert!(matches!(
        store.set_default(Some("nope")),
        Err(ConfigError::NoSuchProfile(n)) if n == "nope"
    ));
    assert_eq!(
        store.default_profile().map(|p| p.name.as_str()),
        Some("prod")
    );

    // A copy is never a second default; a rename carries the mark; removing it drops it.
    store.duplicate("prod").expect("dup");
    store.save().expect("save the copy");
    assert_eq!(read(&path).matches("default = true").count(), 1);
    let mut renamed = store.get("prod").expect("prod").clone();
    renamed.name = "production".to_owned();
    store.upsert(Some("prod"), renamed).expect("rename");
    assert_eq!(
        store.default_profile().map(|p| p.name.as_str()),
        Some("production")
    );
    store.remove("production").expect("remove");
    assert!(store.default_profile().is_none());

    store.set_default(None).expect("clear");
    store.save().expect("save cleared");
    assert!(!read(&path).contains("default"), "{}", read(&path));
}

#[test]
fn two_defaults_or_a_default_that_is_not_a_boolean_are_located() {
    let dir = tmp();
    let path = dir.path().join("profiles.toml");
    let two = TWO_WITH_A_DEFAULT.replace(
        "client_id = \"id\"\n\n",
        "client_id = \"id\"\ndefault = true\n\n",
    );
    write(&path, &two);
    let msg = ProfileStore::load(&path)
        .expect_err("two defaults")
        .to_string();
    assert!(
        msg.starts_with(&format!("{}:13:11:", path.display())),
        "{msg}"
    );
    assert!(msg.contains("\"prod\" already is"), "{msg}");

    write(
        &path,
        &TWO_WITH_A_DEFAULT.replace("default = true", "default = \"yes\""),
    );
    let msg = ProfileStore::load(&path)
        .expect_err("not a bool")
        .to_string();
    assert!(
        msg.starts_with(&format!("{}:12:11:", path.display())),
        "{msg}"
    );
    assert!(msg.contains("\"default\" must be true or false"), "{msg}");
}

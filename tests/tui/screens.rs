//! The README's screens (`docs/screens/*.svg`): app states drawn by the app's own `ui::render`
//! on a `TestBackend`, as the snapshot tests do, and turned into SVG with their colours
//! ([`crate::svg`]). The test fails when a committed image differs from what the draw code
//! draws now, when one is missing or left over, or when the README does not show it;
//! `SFTERM_UPDATE_SCREENS=1 cargo test --test tui screens` writes them anew.
#![cfg(feature = "mock-org")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::SignedDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::SecretString;

use sfterm::check::CheckReport;
use sfterm::effect::{Effect, Job, RequestId, SessionJob};
use sfterm::mock_org::{MockOrg, MockOrgConfig, Scenario};
use sfterm::msg::{Msg, Outcome};
use sfterm::requests::body::{BodyKind, BodyText};
use sfterm::sf::{ConnectionConfig, Introspection, LimitInfo, SfClient};
use sfterm::state::Model;
use sfterm::state::composer::Row;
use sfterm::state::composer::job::{ComposerOutcome, ResponseView};
use sfterm::state::records::job::{PageRows, RecordsJob, RecordsOutcome};
use sfterm::state::records::rowstore::RowStore;
use sfterm::ui::{self, Theme};

use crate::common::{demo_profiles, model_with, press, spawned_req, t0};
use crate::fixture;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
const UPDATE_VAR: &str = "SFTERM_UPDATE_SCREENS";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One screen of the README: its file name under `docs/screens/`, its title and its state.
struct Screen {
    file: &'static str,
    title: &'static str,
    model: Model,
}

fn draw(model: &Model) -> ratatui::buffer::Buffer {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    terminal
        .draw(|frame| {
            ui::render(model, &Theme::default(), frame);
        })
        .expect("draw");
    terminal.backend().buffer().clone()
}

/// The one job among `effects` that `pick` matches.
fn job_of<T>(effects: &[Effect], pick: impl Fn(&Job) -> Option<T>) -> (RequestId, T) {
    let found: Vec<(RequestId, T)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn { req, job } => pick(job).map(|t| (*req, t)),
            _ => None,
        })
        .collect();
    let mut found = found.into_iter();
    let first = found.next().expect("the job was spawned");
    assert!(found.next().is_none(), "one such job");
    first
}

/// `sfterm demo` connected to its org, 8 minutes after the login: the token pane counting
/// down, the Records tab on the Accounts of the demo org's seed
/// (`tests/fixtures/screens/demo-accounts.csv`, from `sfterm query` on it). Every screen
/// starts here.
pub(crate) fn demo() -> Model {
    let mut model = model_with(demo_profiles());
    model.demo_org_starting(300, Some("Demo org".into()));
    let login = spawned_req(&model.handle_msg(Msg::DemoOrg(Ok(()))));
    let effects = model.handle_msg(Msg::Done {
        req: login,
        outcome: Outcome::Login(Ok(crate::common::session())),
    });
    let (introspect, ()) = job_of(&effects, |j| {
        matches!(j, Job::Session(SessionJob::Introspect)).then_some(())
    });
    let (describe, ()) = job_of(&effects, |j| {
        matches!(j, Job::Records(RecordsJob::Describe { .. })).then_some(())
    });
    let (query, columns) = job_of(&effects, |j| match j {
        Job::Records(RecordsJob::Query { columns, .. }) => Some(columns.clone()),
        _ => None,
    });
    model.handle_msg(Msg::Done {
        req: introspect,
        outcome: Outcome::Introspect(Ok(Introspection {
            active: true,
            scope: Some("api".into()),
            client_id: Some("3MVG9demo".into()),
            username: Some("integration@sfterm-mock.example".into()),
            sub: None,
            token_type: Some("access_token".into()),
            exp: Some(t0() + SignedDuration::from_secs(7200)),
            iat: Some(t0()),
            nbf: Some(t0()),
        })),
    });
    model.handle_msg(Msg::Done {
        req: describe,
        outcome: Outcome::Records(RecordsOutcome::Described(Ok(fixture::describe("Account")))),
    });
    model.handle_msg(Msg::Done {
        req: query,
        outcome: Outcome::Records(RecordsOutcome::Page(Ok(demo_accounts(&columns)))),
    });
    model.handle_msg(Msg::ApiUsage(LimitInfo {
        used: 42,
        max: 15_000,
    }));
    model.handle_msg(Msg::Tick(t0() + SignedDuration::from_secs(8 * 60)));
    model
}

/// The demo accounts under `columns` (the list's own), all in one page.
fn demo_accounts(columns: &[String]) -> PageRows {
    let text = std::fs::read_to_string(root().join("tests/fixtures/screens/demo-accounts.csv"))
        .expect("demo accounts");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let mut rows = RowStore::new(columns.to_vec());
    for line in lines {
        assert!(!line.contains('"'), "plain CSV only: {line}");
        let values: Vec<&str> = line.split(',').collect();
        let value = |name: &str| {
            let i = header.iter().position(|h| *h == name)?;
            values.get(i).copied().filter(|v| !v.is_empty())
        };
        let cells: Vec<Option<&str>> = columns.iter().map(|c| value(c)).collect();
        rows.push(value("Id").expect("an Id"), cells)
            .expect("a row");
    }
    PageRows {
        total: rows.len() as u64,
        rows,
        next_url: None,
    }
}

/// A record with two staged edits (a picklist and a phone number), before saving.
pub(crate) fn record_with_staged_edits() -> Model {
    let mut model = demo();
    fixture::open_acme(&mut model);
    fixture::stage_two(&mut model);
    fixture::select(&mut model, "Name");
    model
}

/// The conflict view after a save of [`record_with_staged_edits`]'s edits.
fn conflict() -> Model {
    let mut model = demo();
    fixture::open_acme(&mut model);
    fixture::conflict(&mut model);
    model
}

/// The name of the request selected in the Composer's list.
fn selected_request(model: &Model) -> Option<&str> {
    let composer = &model.composer;
    match composer.rows().get(composer.selected)? {
        Row::Request { index, .. } => composer.requests.get(*index).map(|r| r.name.as_str()),
        Row::Folder { .. } => None,
    }
}

/// The demo's Composer, the side panes hidden (`z`): its ready-made requests, "getCustomer"
/// over SOAP sent and answered.
pub(crate) fn composer_with_a_soap_response() -> Model {
    let mut model = demo();
    let list = spawned_req(&press(&mut model, "2 z"));
    model.handle_msg(Msg::Done {
        req: list,
        outcome: Outcome::Composer(ComposerOutcome::Listed {
            requests: sfterm::requests::demo::demo_requests().expect("demo requests"),
            errors: vec![],
            variables: Default::default(),
        }),
    });
    while selected_request(&model) != Some("getCustomer") {
        let before = model.composer.selected;
        press(&mut model, "j");
        assert_ne!(before, model.composer.selected, "getCustomer is listed");
    }
    press(&mut model, "enter");
    let send = spawned_req(&press(&mut model, "f5"));
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope \
        xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns=\"http://soap.sforce.com/schemas/class/CustomerWS\" \
        xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>\
        <getCustomerResponse><result><accountId>001Dn000000001aIAA</accountId>\
        <contacts><contactId>003Dn000000002fIAA</contactId><email>amanda.davis@acme.example</email>\
        <firstName>Amanda</firstName><lastName>Davis</lastName></contacts>\
        <contacts><contactId>003Dn000000002gIAA</contactId><email>li.wei@acme.example</email>\
        <firstName>Li</firstName><lastName>Wei</lastName></contacts>\
        <industry>Banking</industry><name>Acme Corp.</name><phone>(474) 293-2077</phone>\
        </result></getCustomerResponse></soapenv:Body></soapenv:Envelope>";
    model.handle_msg(Msg::Done {
        req: send,
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(ResponseView {
                status: 200,
                reason: "OK".into(),
                elapsed: Duration::from_millis(23),
                size: body.len() as u64,
                headers: vec![("content-type".into(), "text/xml; charset=utf-8".into())],
                body: BodyText::new(BodyKind::Xml, body),
                raw: body.into(),
                file: None,
                fault: None,
                renewed: false,
            })),
            entry: None,
        }),
    });
    model
}

/// The Setup check popup on the report of a real check run against the mock org playing an
/// over-privileged integration user (`--scenario over-privileged`); the org's port and the
/// token's time are made those of the other screens.
fn setup_check() -> Model {
    let report = over_privileged_report();
    let mut model = demo();
    let check = spawned_req(&press(&mut model, "tab C"));
    model.handle_msg(Msg::Done {
        req: check,
        outcome: Outcome::Check(Ok(Box::new(report))),
    });
    while model
        .check
        .report
        .as_ref()
        .and_then(|r| r.items.get(model.check.selected))
        .is_some_and(|item| item.status != sfterm::check::Status::Fail)
    {
        press(&mut model, "j");
    }
    model
}

fn over_privileged_report() -> CheckReport {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let org = MockOrg::start(MockOrgConfig {
            records: 5,
            scenario: Scenario::OverPrivileged,
            ..Default::default()
        })
        .await
        .expect("mock org starts");
        let mut config = ConnectionConfig::new(
            org.instance_url().clone(),
            org.client_id(),
            SecretString::from(org.client_secret().to_owned()),
        );
        config.timeout = Duration::from_secs(20);
        let client = SfClient::new(config).expect("client");
        let mut report = sfterm::check::run(&client).await;
        let origin = org.instance_url().as_str().trim_end_matches('/').to_owned();
        let port = format!("127.0.0.1:{}", org.instance_url().port().expect("a port"));
        let fixed = |text: &str| {
            let text = text
                .replace(&origin, "http://127.0.0.1:8484")
                .replace(&port, "127.0.0.1:8484");
            match text.split_once(", issued ") {
                Some((head, _)) => format!("{head}, issued 2026-01-01T00:00:00Z"),
                None => text,
            }
        };
        report.instance_url = report.instance_url.as_deref().map(fixed);
        for item in &mut report.items {
            item.evidence = fixed(&item.evidence);
        }
        report
    })
}

fn screens() -> Vec<Screen> {
    vec![
        Screen {
            file: "demo.svg",
            title: "sfterm demo: profiles, the live token and the Records tab",
            model: demo(),
        },
        Screen {
            file: "record-staged.svg",
            title: "A record with two staged edits",
            model: record_with_staged_edits(),
        },
        Screen {
            file: "conflict.svg",
            title: "The conflict view: yours, the server's and the opened values",
            model: conflict(),
        },
        Screen {
            file: "composer-soap.svg",
            title: "The Composer: a SOAP call to CustomerWS and its response",
            model: composer_with_a_soap_response(),
        },
        Screen {
            file: "setup-check.svg",
            title: "The Setup check on an over-privileged integration user",
            model: setup_check(),
        },
    ]
}

#[test]
fn the_readme_screens_are_drawn_by_the_current_code() {
    let dir = root().join("docs/screens");
    let update = std::env::var_os(UPDATE_VAR).is_some_and(|v| v == "1");
    let screens = screens();
    let mut stale = Vec::new();
    for screen in &screens {
        let svg = crate::svg::render(&draw(&screen.model), screen.title);
        let path = dir.join(screen.file);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(svg.as_str()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(&dir).expect("docs/screens");
            std::fs::write(&path, &svg).expect("write the screen");
        } else {
            stale.push(format!("docs/screens/{} (missing or stale)", screen.file));
        }
    }
    let wanted: Vec<&str> = screens.iter().map(|s| s.file).collect();
    for extra in svg_files(&dir) {
        if !wanted.contains(&extra.as_str()) {
            if update {
                std::fs::remove_file(dir.join(&extra)).expect("remove a left-over screen");
            } else {
                stale.push(format!("docs/screens/{extra} (no longer drawn)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the README's screens differ from what the app draws:\n  {}\n\
         regenerate them with `{UPDATE_VAR}=1 cargo test --test tui screens`, look at them, \
         and commit docs/screens/",
        stale.join("\n  ")
    );
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    for file in wanted {
        assert!(
            readme.contains(&format!("(docs/screens/{file})")),
            "the README shows docs/screens/{file}"
        );
    }
}

fn svg_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| PathBuf::from(e.file_name()))
                .filter(|p| p.extension().is_some_and(|e| e == "svg"))
                .map(|p| p.display().to_string())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The screens show what their names promise (so a fixture that stopped working is not
/// committed as a picture of nothing).
#[test]
fn each_screen_shows_its_subject() {
    let text = |model: &Model| crate::common::render(model, WIDTH, HEIGHT);
    for screen in screens() {
        let shown = text(&screen.model);
        let expected: &[&str] = match screen.file {
            "demo.svg" => &[
                "Sterling Ene",
                "300 of 300 loaded",
                "● active",
                "42 / 15,000",
            ],
            "record-staged.svg" => &["Manufacturing → Energy", "ctrl-s save 2 changes"],
            "conflict.svg" => &["Yours", "Utilities", "r reload and re-apply mine"],
            "composer-soap.svg" => &["getCustomer", "200 OK", "Acme Corp."],
            "setup-check.svg" => &["Setup check", "FAIL", "Modify All Data"],
            other => panic!("no expectations for {other}"),
        };
        for part in expected {
            assert!(
                shown.contains(part),
                "{} lacks {part:?}:\n{shown}",
                screen.file
            );
        }
    }
}

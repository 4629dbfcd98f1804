//! Relationship columns end to end: the real runtime and client against the mock org on
//! 127.0.0.1. On the Contact list, open Owner in the column chooser (User's describe fetched
//! then), pick Owner.Name beside the default Account.Name: the list shows both and the CSV
//! export has both. On the Account list, the count of Contacts comes from a subquery.
use crate::common;

use common::live::{LiveApp, LiveOptions, Observed};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::state::Model;
use sfterm::state::records::Popup;

#[derive(Clone, Default)]
struct Frame {
    screen: String,
    object: String,
    /// The describe of the list's object is here (the chooser opens at once).
    described: bool,
    columns: Vec<String>,
    /// The column the list is sorted by.
    sorted: Option<String>,
    loaded: usize,
    loading: bool,
    /// Each loaded row's cells of the columns.
    cells: Vec<Vec<Option<String>>>,
    /// The chooser's rows as shown and its cursor.
    chooser: Option<(Vec<String>, usize)>,
    exported: Option<bool>,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        let records = &model.records;
        let view = records.view();
        Frame {
            screen,
            object: view.object.clone(),
            described: records.describe(&view.object).is_some(),
            columns: view.columns.clone(),
            sorted: view.sort.as_ref().map(|(c, _)| c.clone()),
            loaded: view.rows.len(),
            loading: view.loading(),
            cells: (0..view.rows.len())
                .map(|r| {
                    (0..view.columns.len())
                        .map(|c| view.rows.cell(r, c).map(str::to_owned))
                        .collect()
                })
                .collect(),
            chooser: match &records.popup {
                Some(Popup::Columns {
                    choices, selected, ..
                }) => Some((
                    records
                        .chooser_rows()
                        .iter()
                        .map(|hit| choices[hit.item].path.clone())
                        .collect(),
                    *selected,
                )),
                _ => None,
            },
            exported: records.exports.last().map(|e| e.finished),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

type App = LiveApp<Frame>;

/// Moves the chooser's cursor onto `path` with j / k.
async fn go_to(app: &mut App, path: &str) {
    let frame = app
        .wait_for(&format!("{path} in the chooser"), |f| {
            f.chooser
                .as_ref()
                .is_some_and(|(rows, _)| rows.iter().any(|p| p == path))
        })
        .await;
    let (rows, at) = frame.chooser.expect("chooser");
    let target = rows.iter().position(|p| p == path).expect("row");
    let key = if target > at { "j" } else { "k" };
    for _ in 0..target.abs_diff(at) {
        app.press(key);
    }
    app.wait_for(&format!("the cursor on {path}"), |f| {
        f.chooser.as_ref().is_some_and(|(_, at)| *at == target)
    })
    .await;
}

fn column(frame: &Frame, name: &str) -> usize {
    frame
        .columns
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("{name} not in {:?}", frame.columns))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parent_columns_in_the_contact_list_and_its_csv_and_counts_on_accounts() {
    let org = MockOrg::start(MockOrgConfig {
        records: 30,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org");
    let mut app: App = LiveApp::start(
        &org,
        LiveOptions {
            model: Some(Box::new(|model, dir| {
                model.records.export_dir = Some(dir.join("exports"));
            })),
            ..LiveOptions::default()
        },
    );
    app.press("enter");
    app.wait_for("the Account list", |f| f.loaded > 0 && !f.loading)
        .await;
    app.press("1 ]");
    app.wait_for("the Contact list", |f| {
        f.object == "Contact" && f.described && f.loaded > 0 && !f.loading
    })
    .await;

    // The chooser: open Owner (User's describe comes now), check Owner.Name, apply.
    app.press("c");
    go_to(&mut app, "Owner").await;
    app.press("l");
    go_to(&mut app, "Owner.Name").await;
    app.press("space enter");
    let frame = app
        .wait_for("the list with Owner.Name", |f| {
            f.chooser.is_none()
                && f.columns.contains(&"Owner.Name".to_owned())
                && f.loaded > 0
                && !f.loading
        })
        .await;
    let (account, owner) = (column(&frame, "Account.Name"), column(&frame, "Owner.Name"));
    assert!(
        frame.cells.iter().all(|row| row[owner].is_some()),
        "every contact has an owner"
    );
    assert!(
        frame.cells.iter().any(|row| row[account].is_some()),
        "contacts of accounts"
    );
    // Headed by the describe labels: "Account Name", "Owner Name".
    assert!(frame.screen.contains("Owner N"), "{}", frame.screen);

    // Sorted by Account.Name on the server.
    for _ in 0..account {
        app.press("l");
    }
    app.press("s");
    let frame = app
        .wait_for("sorted by Account.Name", |f| {
            f.sorted.as_deref() == Some("Account.Name") && !f.loading && f.loaded > 0
        })
        .await;
    let names: Vec<String> = frame
        .cells
        .iter()
        .filter_map(|row| row[account].clone())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);

    // The export's CSV has both parent columns, dotted as Bulk API 2.0 names them.
    app.press("x enter");
    app.wait_for("the export", |f| f.exported == Some(true))
        .await;
    let dir = app.dir().expect("config dir").join("exports");
    let file = std::fs::read_dir(&dir)
        .expect("exports")
        .map(|e| e.expect("entry").path())
        .next()
        .expect("a file");
    let csv = std::fs::read_to_string(file).expect("csv");
    let header = csv.lines().next().unwrap_or_default();
    assert_eq!(
        header,
        "\"Id\",\"Name\",\"Account.Name\",\"Email\",\"Phone\",\"LastModifiedDate\",\"Owner.Name\""
    );
    assert_eq!(csv.lines().count(), frame.loaded + 1);

    // The Account list with the count of Contacts: a subquery, counted per row.
    app.press("[");
    app.wait_for("the Account list", |f| f.object == "Account")
        .await;
    app.press("c");
    go_to(&mut app, "COUNT(Contacts)").await;
    app.press("space enter");
    let frame = app
        .wait_for("the counts", |f| {
            f.chooser.is_none()
                && f.columns.contains(&"COUNT(Contacts)".to_owned())
                && f.loaded > 0
                && !f.loading
        })
        .await;
    let counts = column(&frame, "COUNT(Contacts)");
    let total: u64 = frame
        .cells
        .iter()
        .map(|row| {
            row[counts]
                .as_deref()
                .expect("a count in every row")
                .parse::<u64>()
                .expect("a number")
        })
        .sum();
    assert!(total > 0, "the seeded contacts are counted");
    app.quit().await;
}

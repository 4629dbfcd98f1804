//! A 20 MB response from a tiny local server (token endpoint plus a slow, chunked `/big`):
//! the body is written to a file while it downloads, only a preview is shown, and the UI keeps
//! handling keys meanwhile (through the real runtime, observed frame by frame).
#![cfg(feature = "mock-org")]
mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::Event;
use tokio::sync::{oneshot, watch};

use sfterm::app::Runtime;
use sfterm::config::profiles::{ProfileStore, SecretSource};
use sfterm::ui::Theme;

const CHUNK: usize = 1024 * 1024;
const CHUNKS: usize = 21;

/// Serves OAuth, the version list and `/big`: over 20 MB of JSON in 1 MB chunks; the last chunk
/// waits for `release`, so the download is surely running while the test presses keys.
async fn tiny_server(release: oneshot::Receiver<()>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let instance = base.clone();
    let release = std::sync::Arc::new(tokio::sync::Mutex::new(Some(release)));
    let app = Router::new()
        .route(
            "/services/oauth2/token",
            post(move || {
                let instance = instance.clone();
                async move {
                    axum::Json(serde_json::json!({
                        "access_token": "00DTINY000000001!tiny-secret-token",
                        "instance_url": instance,
                        "id": format!("{instance}/id/00DTINY000000001/005TINY000000001"),
                        "token_type": "Bearer",
                        "issued_at": "1767225600000",
                        "scope": "api",
                    }))
                }
            }),
        )
        .route(
            "/services/data/",
            get(|| async {
                axum::Json(serde_json::json!([
                    {"label": "Tiny", "url": "/services/data/v62.0", "version": "62.0"}
                ]))
            }),
        )
        .route(
            "/big",
            get(move || {
                let release = std::sync::Arc::clone(&release);
                async move {
                    let stream = futures::stream::unfold(0usize, move |i| {
                        let release = std::sync::Arc::clone(&release);
                        async move {
                            if i > CHUNKS {
                                return None;
                            }
                            let chunk = if i == 0 {
                                "{\"records\":[".to_string()
                            } else if i == CHUNKS {
                                if let Some(rx) = release.lock().await.take() {
                                    let _ = rx.await;
                                }
                                "{}]}".to_string()
                            } else {
                                let row = "{\"Id\":\"001Dn000000001aIAA\",\"Name\":\"Acme\"},";
                                row.repeat(CHUNK / row.len())
                            };
                            Some((Ok::<_, std::convert::Infallible>(chunk), i + 1))
                        }
                    });
                    (
                        [("content-type", "application/json")],
                        Body::from_stream(stream),
                    )
                }
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

#[derive(Clone, Default)]
struct Frame {
    screen: String,
    sending: bool,
    tab: String,
    file: Option<std::path::PathBuf>,
    size: u64,
}

#[tokio::test]
async fn a_20_mb_response_streams_to_a_file_while_the_ui_takes_keys() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (release_tx, release_rx) = oneshot::channel();
    let base = tiny_server(release_rx).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("data dir");
    let mut store = ProfileStore::load(&dir.path().join("profiles.toml")).expect("store");
    let mut tiny = common::profile("Tiny", &base);
    tiny.secret = SecretSource::Plain {
        value: "secret".to_owned().into(),
    };
    store.upsert(None, tiny).expect("add");
    let mut model = common::model_with(store.profiles().to_vec());
    model.now = jiff::Timestamp::now();
    let terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut runtime = Runtime::new(
        model,
        Theme::default(),
        terminal,
        Some(store),
        Box::new(|_| Ok(())),
    );
    runtime.use_data_dir(data.path().to_path_buf());
    let (tx, mut frames) = watch::channel(Frame::default());
    runtime.observe(Box::new(move |model, terminal| {
        let _ = tx.send(Frame {
            screen: terminal.backend().to_string(),
            sending: model.composer.sending,
            tab: format!("{:?}", model.tab),
            file: model
                .composer
                .response
                .as_ref()
                .and_then(|r| r.file.clone()),
            size: model.composer.response.as_ref().map_or(0, |r| r.size),
        });
    }));
    let (keys, input) = mpsc::unbounded();
    let done = tokio::spawn(runtime.run(input));
    let press = |k: &str| {
        for key in common::key_events(k) {
            keys.unbounded_send(Ok(Event::Key(key))).expect("running");
        }
    };
    let mut wait = async |what: &str, check: &dyn Fn(&Frame) -> bool| -> Frame {
        let result = tokio::time::timeout(Duration::from_secs(30), frames.wait_for(|f| check(f)))
            .await
            .map(|r| r.map(|f| f.clone()));
        match result {
            Ok(Ok(f)) => f,
            _ => panic!("timed out waiting for {what}:\n{}", frames.borrow().screen),
        }
    };
    press("enter");
    wait("connected", &|f| f.screen.contains("● active")).await;
    press("2 l enter ctrl-u");
    for c in "/big".chars() {
        keys.unbounded_send(Ok(Event::Key(ratatui::crossterm::event::KeyEvent::new(
            ratatui::crossterm::event::KeyCode::Char(c),
            ratatui::crossterm::event::KeyModifiers::NONE,
        ))))
        .expect("running");
    }
    press("enter f5");
    wait("sending", &|f| f.sending).await;
    // The download is held open by the server: keys still work.
    press("3");
    let frame = wait("the History tab", &|f| f.tab == "History").await;
    assert!(
        frame.sending,
        "handled while the 20 MB body was downloading"
    );
    press("2");
    let frame = wait("back on the Composer tab", &|f| f.tab == "Composer").await;
    assert!(frame.sending);
    release_tx.send(()).expect("server waits");
    let frame = wait("the response", &|f| f.file.is_some()).await;
    let file = frame.file.expect("a file");
    let on_disk = std::fs::metadata(&file).expect("written").len();
    assert!(on_disk > 20 * 1000 * 1000, "{on_disk}");
    assert_eq!(frame.size, on_disk);
    assert!(frame.screen.contains("\"records\""), "{}", frame.screen);
    assert!(frame.screen.contains("Preview"), "{}", frame.screen);
    common::assert_token_masked(&frame.screen);
    press("q");
    done.await.expect("joined").expect("ran");
}

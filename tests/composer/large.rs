//! A 20 MB response from a tiny local server (token endpoint plus a slow, chunked `/big`):
//! the body is written to a file while it downloads, only a preview is shown, and the UI keeps
//! handling keys meanwhile (through the real runtime, observed frame by frame). The file and its
//! folder are private (0600, 0700).
#![cfg(feature = "mock-org")]
use crate::common;

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use tokio::sync::oneshot;

use common::live::{LiveOptions, Observed, Prepared};
use sfterm::config::profiles::SecretSource;
use sfterm::state::Model;

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

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        Frame {
            screen,
            sending: model.composer.is_sending(),
            tab: format!("{:?}", model.tab),
            file: model
                .composer
                .response
                .as_ref()
                .and_then(|r| r.file.clone()),
            size: model.composer.response.as_ref().map_or(0, |r| r.size),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

#[tokio::test]
async fn a_20_mb_response_streams_to_a_file_while_the_ui_takes_keys() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (release_tx, release_rx) = oneshot::channel();
    let base = tiny_server(release_rx).await;
    let data = tempfile::tempdir().expect("data dir");
    let mut tiny = common::profile("Tiny", &base);
    tiny.secret = SecretSource::Plain {
        value: "secret".to_owned().into(),
    };
    let mut prepared = Prepared::<Frame>::with_profiles(vec![tiny], LiveOptions::default());
    prepared.runtime.use_data_dir(data.path().to_path_buf());
    let mut app = prepared.run();
    app.press("enter");
    app.wait_for("connected", |f| f.screen.contains("● active"))
        .await;
    app.press("2 l enter ctrl-u");
    app.type_text("/big");
    app.press("enter f5");
    app.wait_for("sending", |f| f.sending).await;
    // The download is held open by the server: keys still work.
    app.press("3");
    let frame = app
        .wait_for("the History tab", |f| f.tab == "History")
        .await;
    assert!(
        frame.sending,
        "handled while the 20 MB body was downloading"
    );
    app.press("2");
    let frame = app
        .wait_for("back on the Composer tab", |f| f.tab == "Composer")
        .await;
    assert!(frame.sending);
    release_tx.send(()).expect("server waits");
    let frame = app.wait_for("the response", |f| f.file.is_some()).await;
    let file = frame.file.expect("a file");
    let on_disk = std::fs::metadata(&file).expect("written").len();
    assert!(on_disk > 20 * 1000 * 1000, "{on_disk}");
    #[cfg(unix)]
    {
        // Written while it downloaded, by the client: private all the same (issue #22).
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode();
        assert_eq!(mode(&file) & 0o777, 0o600, "{}", file.display());
        let dir = file.parent().expect("responses/");
        assert_eq!(mode(dir) & 0o777, 0o700, "{}", dir.display());
    }
    assert_eq!(frame.size, on_disk);
    assert!(frame.screen.contains("\"records\""), "{}", frame.screen);
    assert!(frame.screen.contains("Preview"), "{}", frame.screen);
    common::assert_token_masked(&frame.screen);
    app.quit().await;
}

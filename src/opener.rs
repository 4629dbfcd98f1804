//! Opening a URL in the user's browser: `$BROWSER` when set, else the platform's opener.

use std::io;

/// Opens a URL in the browser (`xdg-open` / `open`; a capture in tests).
pub type Opener = Box<dyn Fn(&str) -> io::Result<()> + Send + Sync>;

/// Opens a URL with the platform's opener, without waiting for it. `NotFound` when none exists.
pub fn system_opener(url: &str) -> io::Result<()> {
    // `$BROWSER`: commands separated by `:`, `%s` standing for the URL (else it comes last).
    if let Some(browsers) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        let browsers = browsers.to_string_lossy().into_owned();
        for command in browsers.split(':').filter(|c| !c.trim().is_empty()) {
            let mut words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
            if words.iter().any(|w| w.contains("%s")) {
                words = words.iter().map(|w| w.replace("%s", url)).collect();
            } else {
                words.push(url.to_owned());
            }
            let spawned = std::process::Command::new(&words[0])
                .args(&words[1..])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
            match spawned {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    let candidates: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open", "open"]
    };
    for program in candidates {
        match std::process::Command::new(program)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        "no opener (xdg-open/open)",
    ))
}

//! General settings from `config.toml` (theme, token renewal margin, log level, retries, export
//! concurrency, key overrides).
//!
//! Every key is optional; a missing file means the defaults. Unknown keys and wrong types are
//! errors that name the key and give `file:line:col`, so typos do not go unnoticed.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use toml_edit::{Document, Item, Table};

use super::ConfigError;

/// A commented example `config.toml` (also documents the `profiles.toml` format).
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../../assets/default-config.toml");

/// The themes sfterm knows.
pub const THEMES: &[&str] = &["dark", "light", "mono"];

/// Key overrides: `[keys.<context>] action = ["ctrl-r", "R"]`, context → action → keys.
/// Context and action names are validated by the TUI, not here.
pub type KeyOverrides = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// The settings in `config.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `"dark"`, `"light"` or `"mono"`.
    pub theme: String,
    /// Renew the access token this many seconds before it expires (profiles may override).
    pub renew_margin_secs: u64,
    /// A `tracing` filter such as `"info"` or `"sfterm=debug"` (`SFTERM_LOG` overrides it).
    pub log_level: String,
    /// How many times a request that meets a failure that passes is tried at most, the first
    /// try included (`SFTERM_RETRIES` overrides it; see docs/reliability.md).
    pub retries: u32,
    /// Result chunks an export downloads at once (1: page by page; `SFTERM_EXPORT_CONCURRENCY`
    /// overrides it, `sfterm export --concurrency` too).
    pub export_concurrency: usize,
    /// User key bindings layered over the defaults.
    pub keys: KeyOverrides,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            theme: "dark".to_owned(),
            renew_margin_secs: 300,
            log_level: "info".to_owned(),
            retries: crate::sf::client::DEFAULT_ATTEMPTS,
            export_concurrency: crate::sf::bulk::DEFAULT_EXPORT_CONCURRENCY,
            keys: KeyOverrides::new(),
        }
    }
}

impl Settings {
    /// Loads `path`; a missing file gives [`Settings::default`].
    pub fn load(path: &Path) -> Result<Settings, ConfigError> {
        match fs::read_to_string(path) {
            Ok(text) => Settings::parse(path, &text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(ConfigError::io(path, "read the file", e)),
        }
    }

    /// Parses `text` as the content of `path` (the path is only used in error messages).
    pub fn parse(path: &Path, text: &str) -> Result<Settings, ConfigError> {
        let doc = Document::parse(text).map_err(|e| {
            ConfigError::invalid(path, text, e.span(), e.message().trim_end().to_owned())
        })?;
        let err = |item: &Item, key: &str, t: &Table, msg: String| {
            let span = item.span().or_else(|| t.key(key).and_then(|k| k.span()));
            ConfigError::invalid(path, text, span, msg)
        };
        let root = doc.as_table();
        let mut s = Settings::default();
        for (key, item) in root.iter() {
            match key {
                "theme" => {
                    let v = item.as_str().ok_or_else(|| {
                        err(item, key, root, "\"theme\" must be a string".to_owned())
                    })?;
                    if !THEMES.contains(&v) {
                        return Err(err(
                            item,
                            key,
                            root,
                            format!(
                                "unknown theme \"{v}\" (expected \"dark\", \"light\" or \"mono\")"
                            ),
                        ));
                    }
                    v.clone_into(&mut s.theme);
                }
                "renew_margin_secs" => {
                    s.renew_margin_secs = item
                        .as_integer()
                        .and_then(|i| u64::try_from(i).ok())
                        .ok_or_else(|| {
                            err(
                                item,
                                key,
                                root,
                                "\"renew_margin_secs\" must be a whole number of seconds (0 or \
                                 more)"
                                    .to_owned(),
                            )
                        })?;
                }
                "log_level" => {
                    let v = item
                        .as_str()
                        .filter(|v| !v.trim().is_empty())
                        .ok_or_else(|| {
                            err(
                                item,
                                key,
                                root,
                                "\"log_level\" must be a non-empty string".to_owned(),
                            )
                        })?;
                    v.clone_into(&mut s.log_level);
                }
                "retries" => {
                    s.retries = item
                        .as_integer()
                        .and_then(|i| crate::sf::types::parse_attempts(&i.to_string()).ok())
                        .ok_or_else(|| {
                            err(
                                item,
                                key,
                                root,
                                format!(
                                    "\"retries\" must be a whole number of tries from 1 (never \
                                     retry) to {}",
                                    crate::sf::client::MAX_ATTEMPTS
                                ),
                            )
                        })?;
                }
                "export_concurrency" => {
                    s.export_concurrency = item
                        .as_integer()
                        .and_then(|i| {
                            crate::sf::bulk::parse_export_concurrency(&i.to_string()).ok()
                        })
                        .ok_or_else(|| {
                            err(
                                item,
                                key,
                                root,
                                format!(
                                    "\"export_concurrency\" must be a whole number of downloads \
                                     at once from 1 (page by page) to {}",
                                    crate::sf::bulk::MAX_EXPORT_CONCURRENCY
                                ),
                            )
                        })?;
                }
                "keys" => s.keys = parse_keys(path, text, root, item)?,
                other => {
                    let span = root
                        .key(other)
                        .and_then(|k| k.span())
                        .or_else(|| item.span());
                    return Err(ConfigError::invalid(
                        path,
                        text,
                        span,
                        format!(
                            "unknown setting \"{other}\" (known: theme, renew_margin_secs, \
                             log_level, retries, export_concurrency, keys)"
                        ),
                    ));
                }
            }
        }
        Ok(s)
    }
}

fn parse_keys(
    path: &Path,
    text: &str,
    root: &Table,
    item: &Item,
) -> Result<KeyOverrides, ConfigError> {
    let at = |span: Option<std::ops::Range<usize>>, msg: String| {
        ConfigError::invalid(path, text, span, msg)
    };
    let keys = item.as_table_like().ok_or_else(|| {
        at(
            item.span()
                .or_else(|| root.key("keys").and_then(|k| k.span())),
            "\"keys\" must be a table of [keys.<context>] tables".to_owned(),
        )
    })?;
    let mut out = KeyOverrides::new();
    for (context, ctx_item) in keys.iter() {
        let ctx_span = || {
            ctx_item
                .span()
                .or_else(|| keys.key(context).and_then(|k| k.span()))
        };
        let actions = ctx_item.as_table_like().ok_or_else(|| {
            at(
                ctx_span(),
                format!("keys.{context} must be a table of action = [\"key\", ...]"),
            )
        })?;
        let mut map = BTreeMap::new();
        for (action, a_item) in actions.iter() {
            let span = a_item
                .span()
                .or_else(|| actions.key(action).and_then(|k| k.span()));
            let msg = || {
                format!("keys.{context}.{action} must be a list of key names, e.g. [\"ctrl-r\"]")
            };
            let list = if let Some(s) = a_item.as_str() {
                vec![s.to_owned()]
            } else {
                let arr = a_item.as_array().ok_or_else(|| at(span.clone(), msg()))?;
                let mut list = Vec::new();
                for v in arr.iter() {
                    let s = v
                        .as_str()
                        .ok_or_else(|| at(v.span().or(span.clone()), msg()))?;
                    list.push(s.to_owned());
                }
                list
            };
            map.insert(action.to_owned(), list);
        }
        out.insert(context.to_owned(), map);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        Settings::parse(Path::new("config.toml"), text)
    }

    #[test]
    fn default_config_asset_parses_to_defaults() {
        let s = parse(DEFAULT_CONFIG_TOML).expect("the shipped default config must parse");
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn missing_file_is_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Settings::load(&dir.path().join("config.toml")).expect("missing = default");
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn full_file() {
        let s = parse(
            "theme = \"light\"\nrenew_margin_secs = 120\nlog_level = \"sfterm=debug\"\n\
             retries = 2\nexport_concurrency = 8\n\n[keys.global]\nquit = [\"q\", \"ctrl-c\"]\n[keys.records]\nrefresh = \"ctrl-r\"\n",
        )
        .expect("valid");
        assert_eq!(s.theme, "light");
        assert_eq!(s.renew_margin_secs, 120);
        assert_eq!(s.log_level, "sfterm=debug");
        assert_eq!(s.retries, 2);
        assert_eq!(s.export_concurrency, 8);
        assert_eq!(s.keys["global"]["quit"], ["q", "ctrl-c"]);
        assert_eq!(s.keys["records"]["refresh"], ["ctrl-r"]);
    }

    #[test]
    fn unknown_key_named_with_location() {
        let e = parse("theme = \"dark\"\n  colour = \"red\"\n").expect_err("unknown key");
        assert_eq!(
            e.to_string(),
            "config.toml:2:3: unknown setting \"colour\" (known: theme, renew_margin_secs, \
             log_level, retries, export_concurrency, keys)"
        );
    }

    #[test]
    fn wrong_types_located() {
        let e = parse("renew_margin_secs = \"5m\"\n").expect_err("wrong type");
        assert!(
            e.to_string()
                .starts_with("config.toml:1:21: \"renew_margin_secs\""),
            "{e}"
        );
        let e = parse("renew_margin_secs = -1\n").expect_err("negative");
        assert!(e.to_string().starts_with("config.toml:1:21:"), "{e}");
        let e = parse("theme = \"pink\"\n").expect_err("bad theme");
        assert!(e.to_string().contains("unknown theme \"pink\""), "{e}");
        let e = parse("[keys.global]\nquit = [1]\n").expect_err("bad key list");
        assert!(
            e.to_string()
                .starts_with("config.toml:2:9: keys.global.quit"),
            "{e}"
        );
        for bad in ["retries = 0\n", "retries = 21\n", "retries = \"4\"\n"] {
            let e = parse(bad).expect_err(bad);
            assert!(
                e.to_string().starts_with("config.toml:1:11: \"retries\""),
                "{bad}: {e}"
            );
        }
        for bad in ["export_concurrency = 0\n", "export_concurrency = 17\n"] {
            let e = parse(bad).expect_err(bad);
            assert!(
                e.to_string()
                    .starts_with("config.toml:1:22: \"export_concurrency\""),
                "{bad}: {e}"
            );
        }
        let e = parse("keys = 3\n").expect_err("bad keys");
        assert!(e.to_string().starts_with("config.toml:1:8:"), "{e}");
    }

    #[test]
    fn syntax_error_located() {
        let e = parse("theme = \"dark\"\nrenew_margin_secs = \n").expect_err("syntax");
        assert!(e.to_string().starts_with("config.toml:2:"), "{e}");
    }
}

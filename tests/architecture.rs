//! The walls of ARCHITECTURE.md, enforced: reads every file under `src/` and fails on an import
//! that crosses a wall or a file over the size rule, naming the file and line.
//!
//! What counts is code outside `#[cfg(test)]` items, without comments: a unit test may use
//! what it likes, a doc comment may mention any module.

use std::path::{Path, PathBuf};

/// No file under `src/` has more non-blank lines than this outside its tests.
const MAX_LINES: usize = 600;

/// A wall: code in `folder` must not use any of `forbidden` (patterns matched on code text).
struct Wall {
    folder: &'static str,
    why: &'static str,
    forbidden: &'static [&'static str],
}

/// Modules of the crate (everything at the top of `src/`) and what each may not use.
const WALLS: &[Wall] = &[
    Wall {
        folder: "state",
        why: "state/ is pure: no drawing, no jobs, no runtime, no async, no HTTP, no files",
        forbidden: &[
            "crate::ui",
            "crate::jobs",
            "crate::app",
            "crate::tui",
            "crate::term",
            "crate::commands",
            "crate::mock_org",
            "tokio",
            "reqwest",
            "std::fs",
            "fs::",
            "std::process",
            "std::net",
            "std::env",
        ],
    },
    Wall {
        folder: "ui",
        why: "ui/ only draws the state: no jobs, no runtime, no async, no HTTP, no files",
        forbidden: &[
            "crate::jobs",
            "crate::app",
            "crate::tui",
            "crate::commands",
            "crate::mock_org",
            "tokio",
            "reqwest",
            "std::fs",
            "fs::",
            "std::process",
        ],
    },
    Wall {
        folder: "requests",
        why: "requests/ is the domain of requests: it knows no pane, job or runtime",
        forbidden: &[
            "crate::state",
            "crate::ui",
            "crate::jobs",
            "crate::app",
            "crate::tui",
        ],
    },
    Wall {
        folder: "check",
        why: "check/ judges an org through the client: it knows no pane, job or runtime",
        forbidden: &[
            "crate::state",
            "crate::ui",
            "crate::jobs",
            "crate::app",
            "crate::tui",
        ],
    },
    Wall {
        folder: "config",
        why: "config/ reads and writes the user's files: it knows no pane, job or runtime",
        forbidden: &[
            "crate::state",
            "crate::ui",
            "crate::jobs",
            "crate::app",
            "crate::tui",
        ],
    },
    Wall {
        folder: "login",
        why: "login/ logs a profile in for the TUI and the commands alike: it knows no pane, job \
              or runtime",
        forbidden: &[
            "crate::state",
            "crate::ui",
            "crate::jobs",
            "crate::app",
            "crate::tui",
            "crate::commands",
        ],
    },
    Wall {
        folder: "ingest",
        why: "ingest/ loads a CSV for the import command and the TUI alike: it knows no pane, \
              job, runtime or command",
        forbidden: &[
            "crate::state",
            "crate::ui",
            "crate::jobs",
            "crate::app",
            "crate::tui",
            "crate::commands",
        ],
    },
    Wall {
        folder: "commands",
        why: "commands/ are the script commands: they share the domain, not the TUI",
        forbidden: &["crate::state", "crate::ui", "crate::jobs", "crate::app"],
    },
    Wall {
        folder: "jobs",
        why: "jobs/ runs the state's jobs: it never calls back into the runtime or the drawing",
        forbidden: &["crate::app", "crate::tui", "crate::ui"],
    },
];

/// Folders that may use nothing of the crate but themselves and `allowed`.
struct Island {
    folder: &'static str,
    why: &'static str,
    allowed: &'static [&'static str],
}

const ISLANDS: &[Island] = &[
    Island {
        folder: "sf",
        why: "sf/ is the Salesforce client: it knows nothing of the app",
        allowed: &[],
    },
    Island {
        folder: "mock_org",
        why: "mock_org/ is an island: it uses nothing of the crate but the id helpers",
        allowed: &["crate::sf::id"],
    },
];

/// Calls that create or write files and directories. Outside [`FILE_WRITERS`] they are breaches:
/// everything sfterm writes for the user is created private (0600 files, 0700 directories)
/// through `src/private_fs.rs` (docs/reliability.md, "Private by default"). Renames and removals
/// create nothing and are not listed; test code may use anything.
const FILE_WRITES: &[&str] = &[
    "fs::write",
    "File::create",
    "File::create_new",
    "File::options",
    "OpenOptions",
    "DirBuilder",
    "fs::create_dir",
    "fs::create_dir_all",
    "fs::copy",
    "tracing_appender::rolling",
];

/// The files that may make [`FILE_WRITES`] calls: the helper, and the mock org's own copy of
/// it (the mock org is an island).
const FILE_WRITERS: &[&str] = &["src/private_fs.rs", "src/mock_org/private_file.rs"];

const FILE_WRITES_WHY: &str = "files and directories are created only through \
    crate::private_fs (0600 / 0700; the mock org through mock_org/private_file.rs)";

/// One breach, for the failure message.
#[derive(Debug, PartialEq)]
struct Breach {
    file: String,
    line: usize,
    what: String,
}

/// The lines of `text` with its `#[cfg(test)]` items blanked out (line numbers kept).
fn outside_tests(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[cfg(test)]" {
            out.push(line.to_string());
            continue;
        }
        out.push(String::new());
        // Skip the item that follows: up to its `;` or its closing brace.
        let mut depth = 0i64;
        let mut opened = false;
        for item in lines.by_ref() {
            out.push(String::new());
            let code = strip_line_comment(item);
            depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
            opened |= code.contains('{');
            if (opened && depth <= 0) || (!opened && code.trim_end().ends_with(';')) {
                break;
            }
        }
    }
    out
}

/// The code of each line outside the tests: comments blanked out too.
fn code_lines(text: &str) -> Vec<String> {
    let mut in_block_comment = false;
    outside_tests(text)
        .iter()
        .map(|line| {
            let mut code = String::new();
            let mut rest = line.as_str();
            loop {
                if in_block_comment {
                    match rest.find("*/") {
                        Some(end) => {
                            rest = &rest[end + 2..];
                            in_block_comment = false;
                        }
                        None => break,
                    }
                } else {
                    match rest.find("/*") {
                        Some(start) if !rest[..start].contains("//") => {
                            code.push_str(&rest[..start]);
                            rest = &rest[start + 2..];
                            in_block_comment = true;
                        }
                        _ => {
                            code.push_str(strip_line_comment(rest));
                            break;
                        }
                    }
                }
            }
            code
        })
        .collect()
}

/// The line without its `//` comment (a `//` inside a string such as "https://" is kept).
fn strip_line_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' if in_string => {
                escaped = !escaped;
                continue;
            }
            b'"' if !escaped => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        escaped = false;
    }
    line
}

/// Whether `pattern` occurs in `code` as a path (not as part of a longer name).
fn uses(code: &str, pattern: &str) -> bool {
    code.match_indices(pattern).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + pattern.len()..].chars().next();
        let starts_clean = !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let ends_clean = !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
        starts_clean && ends_clean
    })
}

/// The crate modules a line names through `crate::` (e.g. `crate::sf::id`), up to two levels.
fn crate_paths(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .filter(|(at, _)| {
            !code[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            path.trim_end_matches(':').to_string()
        })
        .collect()
}

/// Every breach of the walls, islands and size rule in one file (`folder` = its top folder).
fn breaches(file: &str, folder: &str, text: &str) -> Vec<Breach> {
    let code = code_lines(text);
    let mut found = Vec::new();
    let writes_files = FILE_WRITERS.contains(&file);
    for (i, line) in code.iter().enumerate() {
        for pattern in FILE_WRITES.iter().filter(|_| !writes_files) {
            if uses(line, pattern) {
                found.push(Breach {
                    file: file.into(),
                    line: i + 1,
                    what: format!("uses {pattern}: {FILE_WRITES_WHY}"),
                });
            }
        }
        for wall in WALLS.iter().filter(|w| w.folder == folder) {
            for pattern in wall.forbidden {
                if uses(line, pattern) {
                    found.push(Breach {
                        file: file.into(),
                        line: i + 1,
                        what: format!("uses {pattern}: {}", wall.why),
                    });
                }
            }
        }
        for island in ISLANDS.iter().filter(|w| w.folder == folder) {
            let own = format!("crate::{}", island.folder);
            for path in crate_paths(line) {
                let inside = path == own || path.starts_with(&format!("{own}::"));
                let allowed = island
                    .allowed
                    .iter()
                    .any(|a| path == *a || path.starts_with(&format!("{a}::")));
                if !inside && !allowed {
                    found.push(Breach {
                        file: file.into(),
                        line: i + 1,
                        what: format!("uses {path}: {}", island.why),
                    });
                }
            }
        }
    }
    let lines = outside_tests(text)
        .iter()
        .filter(|l| !l.trim().is_empty())
        .count();
    if lines > MAX_LINES {
        found.push(Breach {
            file: file.into(),
            line: 0,
            what: format!(
                "{lines} non-blank lines outside its tests (at most {MAX_LINES}): split it \
                 along its seams"
            ),
        });
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_walls_of_architecture_md_hold_in_src() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "src/ has its files: {}", files.len());
    let mut all = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&src).expect("under src");
        let folder = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(path).expect("read");
        all.extend(breaches(
            &format!("src/{}", relative.display()),
            &folder,
            &text,
        ));
    }
    let report: Vec<String> = all
        .iter()
        .map(|b| format!("{}:{}: {}", b.file, b.line, b.what))
        .collect();
    assert!(
        report.is_empty(),
        "{} breach(es) of ARCHITECTURE.md:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn a_state_file_that_spawns_or_reads_files_is_a_breach() {
    let text = "use crate::model::X;\nuse tokio::spawn;\nfn f() { std::fs::read(\"a\"); }\n";
    let found = breaches("src/state/x.rs", "state", text);
    let lines: Vec<usize> = found.iter().map(|b| b.line).collect();
    assert_eq!(lines, vec![2, 3], "{found:?}");
}

#[test]
fn ui_may_not_reach_the_jobs_but_may_mention_them_in_comments_and_tests() {
    let text = "//! Draws what [`crate::jobs`] left.\nuse crate::jobs::Runner;\n\
                #[cfg(test)]\nmod tests {\n    use crate::jobs::Runner;\n}\n";
    let found = breaches("src/ui/x.rs", "ui", text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, 2);
}

#[test]
fn the_mock_org_may_use_the_id_helpers_only() {
    let text = "let id = crate::sf::id::mint(\"001\", 1);\nuse crate::mock_org::store::Table;\n\
                use crate::requests::soap::parse_xml;\nlet c = crate::sf::SfClient::new();\n";
    let found = breaches("src/mock_org/x.rs", "mock_org", text);
    let lines: Vec<usize> = found.iter().map(|b| b.line).collect();
    assert_eq!(lines, vec![3, 4], "{found:?}");
}

#[test]
fn sf_uses_nothing_of_the_crate_but_itself() {
    let text = "use crate::sf::types::Token;\nuse crate::config::Profile;\n\
                let url = \"https://x//y\"; // crate::state in a comment\n";
    let found = breaches("src/sf/x.rs", "sf", text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, 2);
}

#[test]
fn files_are_created_only_by_the_private_file_helpers() {
    let text = "use std::fs::OpenOptions;\nstd::fs::write(&p, b)?;\n\
                let f = tokio::fs::File::create(&p).await?;\nstd::fs::create_dir_all(d)?;\n\
                crate::private_fs::create_dir_all(d)?;\ncrate::private_fs::write_private(&p, b)?;\n\
                std::fs::rename(&a, &b)?;\n#[cfg(test)]\nmod tests {\n    fn t() { std::fs::write(\"a\", \"b\"); }\n}\n";
    let found = breaches("src/requests/x.rs", "requests", text);
    let lines: Vec<usize> = found.iter().map(|b| b.line).collect();
    assert_eq!(lines, vec![1, 2, 3, 4], "{found:?}");
    assert!(found[0].what.contains("private_fs"), "{found:?}");
    for helper in FILE_WRITERS {
        assert!(
            breaches(helper, "x", text).is_empty(),
            "{helper} may write files"
        );
    }
    let log = breaches(
        "src/logging.rs",
        "logging.rs",
        "let a = tracing_appender::rolling::never(d, n);\n",
    );
    assert_eq!(
        log.len(),
        1,
        "the appender would create the log with the umask's mode"
    );
}

#[test]
fn a_file_over_the_size_rule_is_a_breach_and_its_tests_do_not_count() {
    let body = "let a = 1;\n".repeat(MAX_LINES);
    let tests = format!(
        "#[cfg(test)]\nmod tests {{\n{}}}\n",
        "let b = 2;\n".repeat(900)
    );
    assert!(breaches("src/x.rs", "x.rs", &format!("{body}{tests}")).is_empty());
    let over = format!("{body}let c = 3;\n{tests}");
    let found = breaches("src/x.rs", "x.rs", &over);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].what.contains("601 non-blank lines"), "{found:?}");
}

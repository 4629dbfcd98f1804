//! docs/mock-org.md runs as written: its ```sh blocks, in order, in one bash (`-euo pipefail`)
//! with this build's `sfterm` first on `PATH` (the first block starts a fresh
//! `sfterm mock-org`), its ```python blocks saved under the file name of their first-line
//! comment, and the `run:` steps of its GitHub Actions jobs (the org on loopback, and the org
//! as a service on the machine's own address) with `$GITHUB_ENV` and `$RUNNER_TEMP` emulated. Python comes from the virtualenv that `.ci/compat.sh` uses
//! (`target/compat-venv`, created with `tests/compat/requirements.txt` if missing).
#![cfg(feature = "mock-org")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn doc() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("docs/mock-org.md")).expect("docs/mock-org.md")
}

/// The bodies of the fenced blocks opened with exactly "```{lang}", in order.
fn blocks(doc: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match current.as_mut() {
            None if line.trim_end() == open => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => out.extend(current.take()),
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(current.is_none(), "unclosed ```{lang} block");
    out
}

/// The `bin` directory of `target/compat-venv`, created and provisioned as `.ci/compat.sh`
/// does (once per test run: the tests share it).
fn venv_bin() -> PathBuf {
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(provision_venv).clone()
}

fn provision_venv() -> PathBuf {
    let venv = Path::new(ROOT).join("target/compat-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(status.success(), "python3 -m venv failed");
    }
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(Path::new(ROOT).join("tests/compat/requirements.txt"))
        .status()
        .expect("pip runs");
    assert!(
        status.success(),
        "pip install -r tests/compat/requirements.txt failed"
    );
    venv.join("bin")
}

/// `PATH` with this build's `sfterm` first, then the virtualenv's python.
fn test_path() -> String {
    let bin_dir = Path::new(BIN).parent().expect("binary directory");
    let venv = venv_bin();
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{}:{rest}", bin_dir.display(), venv.display())
}

/// Runs `bash -c script` in `dir` with `env`, killing it after `limit`.
fn run_bash(dir: &Path, env: &BTreeMap<String, String>, script: &str, limit: Duration) -> Output {
    let child = Command::new("bash")
        .args(["--noprofile", "--norc", "-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash starts");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(output) => output.expect("bash output"),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("script still running after {limit:?}:\n{script}");
        }
    }
}

fn show(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Writes every ```python block to the file its first line names (`# name.py`).
fn write_python_files(dir: &Path, doc: &str) -> Vec<String> {
    let mut names = Vec::new();
    for block in blocks(doc, "python") {
        let first = block.lines().next().unwrap_or_default();
        let name = first
            .strip_prefix("# ")
            .filter(|n| n.ends_with(".py") && !n.contains('/'))
            .unwrap_or_else(|| panic!("python block must start with '# NAME.py': {first:?}"));
        std::fs::write(dir.join(name), &block).expect("write python example");
        names.push(name.to_owned());
    }
    names
}

fn base_env(path: String) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    env.insert("PATH".to_owned(), path);
    env
}

#[test]
fn sh_and_python_examples_run_as_written() {
    let doc = doc();
    let sh = blocks(&doc, "sh");
    assert!(
        sh.len() >= 4,
        "expected the start, curl, python and stop blocks"
    );
    assert!(
        sh[0].contains("sfterm mock-org"),
        "the first block starts the org"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let python_files = write_python_files(dir.path(), &doc);
    assert_eq!(python_files, ["test_against_mock_org.py"]);
    let env = base_env(test_path());

    let which = run_bash(
        dir.path(),
        &env,
        "command -v sfterm",
        Duration::from_secs(10),
    );
    assert_eq!(
        String::from_utf8_lossy(&which.stdout).trim(),
        BIN,
        "the examples must run this build's sfterm"
    );

    // Stop the org even when a block fails half-way (the last block stops it normally).
    let mut script = String::from(
        "trap '[ -n \"${MOCK_ORG_PID:-}\" ] && kill \"$MOCK_ORG_PID\" 2>/dev/null || true' EXIT\n",
    );
    for (i, block) in sh.iter().enumerate() {
        script.push_str(block);
        script.push_str(&format!("echo '__docs block {i} done__'\n"));
    }
    let output = run_bash(dir.path(), &env, &script, Duration::from_secs(240));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", show(&output));
    for i in 0..sh.len() {
        assert!(
            stdout.contains(&format!("__docs block {i} done__")),
            "{}",
            show(&output)
        );
    }
    assert!(
        stdout.contains("mock org at https://127.0.0.1:"),
        "{}",
        show(&output)
    );
    assert!(stdout.contains("python checks passed"), "{}", show(&output));
}

/// One step of the workflow's job.
#[derive(Debug, Default)]
struct Step {
    name: String,
    uses: Option<String>,
    run: Option<String>,
    always: bool,
}

/// The steps of a GitHub Actions workflow (the subset of YAML the docs use: `- name:`,
/// `uses:`, `if:`, `run: cmd` and `run: |` with an indented body).
fn steps(yaml: &str) -> Vec<Step> {
    let lines: Vec<&str> = yaml.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let start = lines
        .iter()
        .position(|l| l.trim() == "steps:")
        .expect("a steps: list");
    let step_indent = indent(lines[start + 1]);
    let mut steps: Vec<Step> = Vec::new();
    let mut i = start + 1;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        if indent(line) == step_indent && trimmed.starts_with("- ") {
            steps.push(Step::default());
        }
        let step = steps.last_mut().expect("a step");
        let key_line = trimmed.trim_start_matches("- ");
        if let Some(v) = key_line.strip_prefix("name: ") {
            step.name = v.trim().to_owned();
        } else if let Some(v) = key_line.strip_prefix("uses: ") {
            step.uses = Some(v.trim().to_owned());
        } else if let Some(v) = key_line.strip_prefix("if: ") {
            step.always = v.trim() == "always()";
        } else if let Some(v) = key_line.strip_prefix("run: ") {
            if v.trim() == "|" {
                let key_indent = indent(line) + (trimmed.len() - key_line.len());
                let mut body = String::new();
                let mut body_indent = None;
                while i + 1 < lines.len()
                    && (lines[i + 1].trim().is_empty() || indent(lines[i + 1]) > key_indent)
                {
                    i += 1;
                    let l = lines[i];
                    let cut = *body_indent.get_or_insert(indent(l));
                    body.push_str(l.get(cut..).unwrap_or_default());
                    body.push('\n');
                }
                step.run = Some(body);
            } else {
                step.run = Some(format!("{}\n", v.trim()));
            }
        }
        i += 1;
    }
    steps
}

fn read_github_env(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// What running a workflow's steps gave: the names of the steps run, each one's output, and
/// the final `$GITHUB_ENV`.
struct JobRun {
    ran: Vec<String>,
    outputs: Vec<Output>,
    env: BTreeMap<String, String>,
}

/// Runs the `run:` steps of the workflow `yaml` as a runner would (each in a fresh bash with
/// what earlier steps wrote to `$GITHUB_ENV`; after a failure only `if: always()` steps);
/// panics with the first failure once the job's mock org is stopped.
fn run_job(doc: &str, yaml: &str) -> JobRun {
    let steps = steps(yaml);
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"Integration tests"), "{names:?}");

    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("workspace");
    let runner_temp = dir.path().join("runner-temp");
    std::fs::create_dir_all(&workspace).expect("workspace");
    std::fs::create_dir_all(&runner_temp).expect("runner temp");
    write_python_files(&workspace, doc);
    let github_env = dir.path().join("github-env");
    std::fs::write(&github_env, "").expect("GITHUB_ENV file");
    let path = test_path();

    let mut failed: Option<String> = None;
    let mut ran = Vec::new();
    let mut outputs = Vec::new();
    for step in &steps {
        let Some(run) = &step.run else {
            // `uses:` steps (checkout, setup-python): the harness provides the workspace and
            // python.
            assert!(step.uses.is_some(), "step without run or uses: {step:?}");
            continue;
        };
        if step.name == "Install sfterm" {
            // Puts sfterm on PATH: the harness does that with this build's binary.
            assert!(run.contains("cargo install"), "{run}");
            continue;
        }
        if failed.is_some() && !step.always {
            continue;
        }
        let mut env = base_env(path.clone());
        env.extend(read_github_env(&github_env));
        env.insert("PATH".to_owned(), path.clone());
        env.insert("GITHUB_ENV".to_owned(), github_env.display().to_string());
        env.insert("RUNNER_TEMP".to_owned(), runner_temp.display().to_string());
        let output = run_bash(&workspace, &env, run, Duration::from_secs(180));
        ran.push(step.name.clone());
        if !output.status.success() && failed.is_none() {
            failed = Some(format!("step {:?} failed: {}", step.name, show(&output)));
        }
        if step.name == "Integration tests" {
            assert!(
                String::from_utf8_lossy(&output.stdout).contains("python checks passed"),
                "{}",
                show(&output)
            );
        }
        outputs.push(output);
    }
    // Whatever happened, the org started by the job must not outlive the test.
    if let Some(pid) = read_github_env(&github_env).get("MOCK_ORG_PID") {
        let _ = Command::new("kill").arg(pid).stderr(Stdio::null()).status();
    }
    if let Some(failure) = failed {
        panic!("{failure}");
    }
    JobRun {
        ran,
        outputs,
        env: read_github_env(&github_env),
    }
}

fn workflows(doc: &str) -> Vec<String> {
    let yaml = blocks(doc, "yaml");
    assert_eq!(yaml.len(), 2, "two workflows: on loopback, as a service");
    yaml
}

#[test]
fn ci_job_steps_run_as_written() {
    let doc = doc();
    let job = run_job(&doc, &workflows(&doc)[0]);
    assert_eq!(
        job.ran,
        [
            "Install Python dependencies",
            "Start the mock org",
            "Integration tests",
            "Stop the mock org"
        ]
    );
    assert!(job.env.contains_key("SF_INSTANCE_URL"), "{:?}", job.env);
    assert!(job.env.contains_key("REQUESTS_CA_BUNDLE"), "{:?}", job.env);
}

/// The org as a service on the machine's own address: the tests reach it there, the admin
/// endpoints want the token, and the org warned that it is open to others.
#[test]
fn ci_service_job_steps_run_as_written() {
    let doc = doc();
    let job = run_job(&doc, &workflows(&doc)[1]);
    assert_eq!(
        job.ran,
        [
            "Install Python dependencies",
            "Start the mock org as a service",
            "The admin endpoints need the token",
            "Integration tests",
            "Stop the mock org"
        ]
    );
    let url = job.env.get("SF_INSTANCE_URL").expect("SF_INSTANCE_URL");
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_owned()))
        .unwrap_or_default();
    assert!(
        !host.is_empty() && host != "127.0.0.1" && host != "::1",
        "the org is on the machine's own address: {url}"
    );
    assert!(
        job.env
            .get("SFTERM_MOCK_ORG_ADMIN_TOKEN")
            .is_some_and(|t| t.len() == 48),
        "{:?}",
        job.env.keys()
    );
    let log = job
        .outputs
        .last()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let log = log.unwrap_or_default();
    assert!(
        log.contains(&format!("warning: the mock org listens on {host}")),
        "{log}"
    );
}

#[test]
fn workflow_parser_reads_names_uses_and_block_runs() {
    let yaml = "jobs:\n  j:\n    steps:\n      - uses: a/b@v1\n      - name: One\n        run: echo one\n      - name: Two\n        if: always()\n        run: |\n          echo a\n            echo b\n\n          echo c\n";
    let steps = steps(yaml);
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0].uses.as_deref(), Some("a/b@v1"));
    assert_eq!(steps[1].run.as_deref(), Some("echo one\n"));
    assert!(steps[2].always);
    assert_eq!(
        steps[2].run.as_deref(),
        Some("echo a\n  echo b\n\necho c\n")
    );
    assert_eq!(
        blocks(
            "x\n```sh\nls\n```\n```shell\nno\n```\n```sh\npwd\n```\n",
            "sh"
        ),
        ["ls\n", "pwd\n"]
    );
}

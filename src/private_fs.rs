//! Private by default: every file and directory sfterm writes is readable by its user only.
//!
//! The one place that creates files and directories for user data (history, log, drafts, saved
//! requests and variables, response bodies, exports, `profiles.toml`, the `--out` files of the
//! script commands): new directories are made 0700 and new files 0600 whatever the umask. A file
//! that already exists and is opened in place (a `--out FILE` the user named, an export path)
//! keeps its mode; a file replaced atomically ([`write_private`]) is always 0600. At start,
//! [`tighten`] takes group and other permissions away from sfterm's own files and directories
//! (the list is [`crate::config::paths::own_files`]) and says what it changed.
//!
//! On Windows there are no mode bits: files are created with the platform's defaults, which for
//! a user's profile folders (`%APPDATA%`, `%LOCALAPPDATA%`) already grant access to that user
//! (and administrators) only; [`tighten`] changes nothing there. The modes below are
//! `cfg(unix)`.
//!
//! The mock org (an island) has its own copy of [`write_private`] in `mock_org/private_file.rs`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The mode of every directory sfterm creates.
pub const DIR_MODE: u32 = 0o700;
/// The mode of every file sfterm creates.
pub const FILE_MODE: u32 = 0o600;

/// A file operation that failed: which path and what was being done, e.g.
/// `/x/profiles.toml: could not replace the file: Permission denied`.
#[derive(Debug, thiserror::Error)]
#[error("{}: could not {action}: {source}", path.display())]
pub struct FileError {
    /// The file or directory concerned.
    pub path: PathBuf,
    /// What was being done, e.g. "create the directory".
    pub action: &'static str,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

impl FileError {
    fn new<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> FileError + 'a {
        move |source| FileError {
            path: path.to_owned(),
            action,
            source,
        }
    }
}

impl From<FileError> for io::Error {
    fn from(e: FileError) -> io::Error {
        io::Error::new(e.source.kind(), e.to_string())
    }
}

/// Creates `dir` and its missing parents, each 0700. An existing directory keeps its mode.
pub fn create_dir_all(dir: &Path) -> Result<(), FileError> {
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder
        .create(dir)
        .map_err(FileError::new(dir, "create the directory"))
}

/// Creates the directory `path` goes in (and its missing parents), each 0700. The functions
/// that open files do not: a file the user names in a directory that does not exist is an
/// error, not a new directory.
pub fn create_parent_dir(path: &Path) -> Result<(), FileError> {
    match path.parent() {
        Some(dir) => create_dir_all(dir),
        None => Ok(()),
    }
}

/// Options that make a new file 0600 (`cfg(unix)`); an existing file keeps its mode.
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
}

/// Opens `path` for writing from the start (truncated), creating it 0600 when missing. An
/// existing file keeps its mode: this is how a file the user named (`--out FILE`, an export
/// path) is written.
pub fn create(path: &Path) -> Result<File, FileError> {
    private_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(FileError::new(path, "create the file"))
}

/// Creates `path`, which must not exist yet, 0600. For names in shared directories (the
/// editor's temp file in `/tmp`): an existing file or link there is an error, never followed.
pub fn create_new(path: &Path) -> Result<File, FileError> {
    private_options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(FileError::new(path, "create the file"))
}

/// Opens `path` for appending, creating it 0600 when missing (the history, the log, later pages
/// of an export). An existing file keeps its mode.
pub fn append(path: &Path) -> Result<File, FileError> {
    private_options()
        .append(true)
        .create(true)
        .open(path)
        .map_err(FileError::new(path, "open the file"))
}

/// Writes `bytes` to `path` atomically and privately: a new temp file (0600) in the same
/// directory (created 0700 when missing), fsync, rename into place, fsync of the directory.
/// Readers see the old content or the new, never half; the result is 0600 even when the file
/// it replaces was not. The one function for whole files sfterm owns: profiles, drafts, saved
/// requests, variables, keychain fallback files.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_dir_all(&dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        rand::random::<u32>()
    ));
    let result = (|| {
        let mut f = private_options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(FileError::new(&tmp, "create a temp file"))?;
        f.write_all(bytes)
            .map_err(FileError::new(&tmp, "write the temp file"))?;
        f.sync_all()
            .map_err(FileError::new(&tmp, "flush the temp file"))?;
        drop(f);
        fs::rename(&tmp, path).map_err(FileError::new(path, "replace the file"))?;
        // Make the rename itself durable; not all platforms allow syncing a directory.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// `path.N`, the name of the `n`-th older copy of a rotated file.
pub fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// Rotates `path` when it is larger than `max_bytes`: `path.{keep-1}` → `path.{keep}` (the
/// oldest dropped), ..., `path` → `path.1`. Renames keep the files' modes (0600 for files
/// sfterm made; [`tighten`] fixes older ones); the next [`append`] starts a new 0600 file.
pub fn rotate(path: &Path, max_bytes: u64, keep: usize) -> Result<(), FileError> {
    match fs::metadata(path) {
        Ok(meta) if meta.len() > max_bytes && keep > 0 => {}
        _ => return Ok(()),
    }
    for n in (1..keep).rev() {
        let older = rotated(path, n);
        if older.exists() {
            fs::rename(&older, rotated(path, n + 1))
                .map_err(FileError::new(&older, "rotate the file"))?;
        }
    }
    fs::rename(path, rotated(path, 1)).map_err(FileError::new(path, "rotate the file"))
}

/// Something of sfterm's own that [`tighten`] makes private when it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Own {
    /// This file or directory itself (not what a directory holds).
    Entry(PathBuf),
    /// This directory and everything under it.
    Tree(PathBuf),
}

/// What [`tighten`] changed and what it could not change.
#[derive(Debug, Default)]
pub struct Tightened {
    /// The paths made private, each with its mode before.
    pub changed: Vec<(PathBuf, u32)>,
    /// The paths that stayed readable by others, with why.
    pub failed: Vec<(PathBuf, io::Error)>,
}

impl Tightened {
    /// Whether nothing was changed and nothing failed.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.failed.is_empty()
    }

    /// One line for the user: what was made private (at most `names` paths named, then how
    /// many more) and what could not be; `None` when there was nothing to do.
    pub fn notice(&self, names: usize) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if !self.changed.is_empty() {
            let mut listed: Vec<String> = self
                .changed
                .iter()
                .take(names)
                .map(|(path, mode)| format!("{} (was {:04o})", path.display(), mode & 0o777))
                .collect();
            if self.changed.len() > names {
                listed.push(format!("and {} more", self.changed.len() - names));
            }
            parts.push(format!(
                "made private (other users could read them): {}",
                listed.join(", ")
            ));
        }
        if !self.failed.is_empty() {
            let listed: Vec<String> = self
                .failed
                .iter()
                .take(names)
                .map(|(path, e)| format!("{} ({e})", path.display()))
                .collect();
            parts.push(format!(
                "could not make private: {}{}",
                listed.join(", "),
                if self.failed.len() > names {
                    format!(" and {} more", self.failed.len() - names)
                } else {
                    String::new()
                }
            ));
        }
        Some(format!("{}.", parts.join("; ")))
    }

    /// Writes the one log line naming every path (nothing when there was nothing to do).
    pub fn log(&self) {
        if let Some(line) = self.notice(usize::MAX) {
            tracing::warn!("sfterm's files: {line}");
        }
    }
}

/// Takes group and other permissions away from each `own` path that exists (a directory keeps
/// 0700 of its bits, a file 0600; the owner's bits are never changed). Symbolic links are not
/// followed: what a link points to is not sfterm's. Nothing happens on Windows.
pub fn tighten(own: &[Own]) -> Tightened {
    let mut done = Tightened::default();
    for item in own {
        match item {
            Own::Entry(path) => {
                tighten_one(path, &mut done);
            }
            Own::Tree(path) => tighten_tree(path, &mut done),
        }
    }
    done
}

fn tighten_tree(path: &Path, done: &mut Tightened) {
    let Some(is_dir) = tighten_one(path, done) else {
        return;
    };
    if !is_dir {
        return;
    }
    let Ok(entries) = fs::read_dir(path) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    children.sort();
    for child in children {
        tighten_tree(&child, done);
    }
}

/// Tightens one path; answers whether it is a directory (`None`: missing or a link).
fn tighten_one(path: &Path, done: &mut Tightened) -> Option<bool> {
    let meta = fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            let tight = mode & 0o7700;
            match fs::set_permissions(path, fs::Permissions::from_mode(tight)) {
                Ok(()) => done.changed.push((path.to_owned(), mode)),
                Err(e) => done.failed.push((path.to_owned(), e)),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = done;
    Some(meta.is_dir())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).expect("stat").permissions().mode() & 0o777
    }

    fn chmod(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
    }

    #[test]
    fn new_files_and_directories_are_private_existing_files_keep_their_mode() {
        let root = tempfile::tempdir().expect("dir");
        let file = root.path().join("a/b/out.csv");
        assert!(create(&file).is_err(), "opening a file makes no directory");
        create_parent_dir(&file).expect("dirs");
        create(&file)
            .expect("create")
            .write_all(b"x")
            .expect("write");
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        assert_eq!(mode(&file), 0o600);

        chmod(&file, 0o644);
        create(&file)
            .expect("again")
            .write_all(b"y")
            .expect("write");
        assert_eq!(mode(&file), 0o644, "a file the user has keeps its mode");
        assert_eq!(fs::read(&file).expect("read"), b"y", "truncated");

        let log = root.path().join("c/log");
        create_dir_all(&root.path().join("c")).expect("dir");
        append(&log)
            .expect("append")
            .write_all(b"1\n")
            .expect("write");
        append(&log)
            .expect("append")
            .write_all(b"2\n")
            .expect("write");
        assert_eq!(fs::read_to_string(&log).expect("read"), "1\n2\n");
        assert_eq!(mode(&log), 0o600);

        assert!(
            create_new(&log).is_err(),
            "create_new refuses an existing file"
        );
        let fresh = root.path().join("c/fresh");
        create_new(&fresh).expect("new");
        assert_eq!(mode(&fresh), 0o600);
    }

    #[test]
    fn write_private_replaces_atomically_with_0600_and_leaves_no_temp_file() {
        let root = tempfile::tempdir().expect("dir");
        let path = root.path().join("d/drafts.json");
        write_private(&path, b"one").expect("write");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&root.path().join("d")), 0o700);
        chmod(&path, 0o644);
        write_private(&path, b"two").expect("rewrite");
        assert_eq!(mode(&path), 0o600, "the replacement is private");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = fs::read_dir(root.path().join("d"))
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("drafts.json")]);
    }

    #[test]
    fn a_failed_write_names_the_path_and_what_failed() {
        let root = tempfile::tempdir().expect("dir");
        let blocker = root.path().join("file");
        fs::write(&blocker, "not a directory").expect("write");
        let e = write_private(&blocker.join("x.toml"), b"x").expect_err("fails");
        let text = e.to_string();
        assert!(
            text.contains("could not create the directory") && text.contains("file"),
            "{text}"
        );
    }

    #[test]
    fn rotate_shifts_the_copies_and_drops_the_oldest() {
        let root = tempfile::tempdir().expect("dir");
        let log = root.path().join("sfterm.log");
        rotate(&log, 3, 2).expect("missing file: nothing to do");
        fs::write(&log, "abc").expect("write");
        rotate(&log, 3, 2).expect("not over the limit");
        assert!(log.exists() && !rotated(&log, 1).exists());
        for text in ["first", "second", "third"] {
            fs::write(&log, text).expect("write");
            rotate(&log, 3, 2).expect("rotate");
            assert!(!log.exists());
        }
        assert_eq!(fs::read_to_string(rotated(&log, 1)).expect("1"), "third");
        assert_eq!(fs::read_to_string(rotated(&log, 2)).expect("2"), "second");
        assert!(!rotated(&log, 3).exists(), "only two copies kept");
    }

    #[test]
    fn tighten_takes_group_and_other_bits_away_and_names_what_it_changed() {
        let root = tempfile::tempdir().expect("dir");
        let data = root.path().join("data");
        let tree = data.join("requests/Folder");
        fs::create_dir_all(&tree).expect("dirs");
        let saved = tree.join("Get.toml");
        let history = data.join("history.jsonl");
        let private = data.join("drafts.json");
        let other = data.join("not-ours.txt");
        for f in [&saved, &history, &private, &other] {
            fs::write(f, "x").expect("write");
            chmod(f, 0o644);
        }
        chmod(&private, 0o600);
        chmod(&data, 0o755);
        chmod(&data.join("requests"), 0o750);
        chmod(&tree, 0o755);
        let link = data.join("link.jsonl");
        std::os::unix::fs::symlink(&other, &link).expect("link");

        let own = [
            Own::Entry(data.clone()),
            Own::Entry(history.clone()),
            Own::Entry(private.clone()),
            Own::Entry(link.clone()),
            Own::Entry(data.join("missing.log")),
            Own::Tree(data.join("requests")),
        ];
        let done = tighten(&own);
        let changed: Vec<(PathBuf, u32)> = done
            .changed
            .iter()
            .map(|(p, m)| (p.clone(), m & 0o777))
            .collect();
        assert_eq!(
            changed,
            vec![
                (data.clone(), 0o755),
                (history.clone(), 0o644),
                (data.join("requests"), 0o750),
                (tree.clone(), 0o755),
                (saved.clone(), 0o644),
            ]
        );
        assert!(done.failed.is_empty(), "{:?}", done.failed);
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&tree), 0o700);
        assert_eq!(mode(&history), 0o600);
        assert_eq!(mode(&saved), 0o600);
        assert_eq!(mode(&other), 0o644, "a link's target is left alone");

        let notice = done.notice(2).expect("a notice");
        assert!(
            notice.contains(&format!("{} (was 0755)", data.display()))
                && notice.contains(&format!("{} (was 0644)", history.display()))
                && notice.contains("and 3 more"),
            "{notice}"
        );
        assert!(tighten(&own).is_empty(), "a second start has nothing to do");
        assert_eq!(tighten(&own).notice(2), None);
    }
}

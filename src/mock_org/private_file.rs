//! The mock org's files (the `--env-file` with the client secret, the CA file of `--tls`, the
//! JWT key and certificate) are readable by their user only. The mock org is an island: this is
//! its own copy of the app's `private_fs::write_private` (same rule, a few lines).

use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` atomically (a temp file beside it, then a rename) as a 0600 file on
/// unix; a file already there is replaced. Readers (a script polling the env file) see the
/// whole file or none. On Windows the file gets the platform's default permissions.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_a_readable_file_with_a_private_one() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("org.env");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_private(&path, b"SF_CLIENT_SECRET=x\n").expect("written");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).expect("read"), b"SF_CLIENT_SECRET=x\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .collect();
        assert_eq!(names.len(), 1, "no temp file left");
    }
}

//! The data folder and the files in it hold personal data (the SQLite database: names, full
//! phone numbers, password hashes) and secrets (the signing and hashing keys). The folder is
//! private to the service's user (0700) and every file in it 0600.

use std::path::Path;

/// Creates the folder private (0700), or tightens an existing one the service owns. A shared
/// folder (world-writable, like `/tmp`) is never changed: the files in it are still 0600.
pub fn prepare(dir: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| anyhow::anyhow!("cannot create the data folder {}: {e}", dir.display()))?;
        }
        let meta = std::fs::metadata(dir)?;
        let mode = meta.permissions().mode() & 0o7777;
        let ours = meta.uid() == current_uid();
        let shared = mode & 0o002 != 0;
        if ours && !shared && mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            tracing::info!(folder = %dir.display(), "data folder made private (0700)");
        } else if mode & 0o077 != 0 {
            tracing::warn!(folder = %dir.display(), mode = format!("{mode:o}"), "the data folder is readable by others; its files are 0600");
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Makes sure `file` exists and is 0600 before anything writes personal data into it. SQLite
/// gives its `-wal` and `-shm` files the database file's permissions, so those follow; any that
/// exist already are tightened too.
pub fn private_file(file: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(file)
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", file.display()))?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let f = format!("{}{suffix}", file.display());
            if let Ok(meta) = std::fs::metadata(&f) {
                if meta.permissions().mode() & 0o077 != 0 {
                    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600))?;
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(unix)]
fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // The owner of a file we just could create is us; /proc/self is ours on Linux.
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}

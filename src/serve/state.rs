//! The local pool's state file: where a client with no address finds the pool and its token.
//!
//! `$FTPART_POOL_STATE`, else `$XDG_RUNTIME_DIR/ftpart/pool.json`, else
//! `$HOME/.ftpart/pool.json`; written with mode 0600 (it holds the token) and removed when the
//! pool stops.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Environment variable naming the state file.
pub const FTPART_POOL_STATE: &str = "FTPART_POOL_STATE";

/// What the state file holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PoolState {
    /// `ftpart://HOST:PORT`.
    pub address: String,
    /// The token.
    pub token: String,
    /// The pool's process id.
    pub pid: u32,
    /// Its dashboard, if it serves one.
    pub dashboard: Option<String>,
    /// The shard directories it serves.
    pub shards: Vec<PathBuf>,
}

/// The state file's path.
pub fn path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os(FTPART_POOL_STATE) {
        return Ok(PathBuf::from(p));
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| Path::new(d).is_dir()) {
        return Ok(PathBuf::from(d).join("ftpart").join("pool.json"));
    }
    if let Some(h) = std::env::var_os("HOME") {
        return Ok(PathBuf::from(h).join(".ftpart").join("pool.json"));
    }
    Err(Error::Invalid(format!(
        "no place for the pool's state file: set {FTPART_POOL_STATE}, XDG_RUNTIME_DIR or HOME"
    )))
}

/// Writes the state file (owner-only), atomically.
pub fn write(path: &Path, state: &PoolState) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(dir, e))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("pool"),
        std::process::id()
    ));
    let text = serde_json::to_string_pretty(state)
        .map_err(|e| Error::Internal(format!("the pool state: {e}")))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| Error::io(&tmp, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Reads the state file; `None` when there is none.
pub fn read(path: &Path) -> Result<Option<PoolState>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::json(path, format!("not a pool state file: {e}")))
}

/// Removes the state file if it still names the pool of process `pid`.
pub fn remove_if_ours(path: &Path, pid: u32) {
    if let Ok(Some(s)) = read(path) {
        if s.pid == pid {
            let _ = std::fs::remove_file(path);
        }
    }
}

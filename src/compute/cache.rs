//! Parts kept loaded between jobs: a long-lived worker (a pool served by address, a Dask worker)
//! maps a part once, with what it builds at load (child indexes, parent rows), and reuses it
//! while the files on disk are the ones it loaded.
//!
//! A loaded part is reused only if the manifest and every file of the part still have the
//! device, inode, size, modification and change times they had when it was loaded (the change
//! time cannot be set back by a program). Anything else loads the part again. A cache that holds
//! parts (capacity above 0) loads a part only after each of its files' CRC-32 matches the
//! manifest's, so a file changed without a new manifest (an edit in place, a copy from another
//! split) is refused, never read as stale or mixed data.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use arrow_array::ArrayRef;

use crate::entityset::EntitySet;
use crate::error::{Error, Result};
use crate::shards::Shards;

/// Environment variable: the bytes of shard files a [`PartCache::global`] keeps loaded (default:
/// a quarter of the machine's memory).
pub const FTPART_PART_CACHE_BYTES: &str = "FTPART_PART_CACHE_BYTES";

/// A part loaded from shards, as a job reads it.
#[derive(Debug)]
pub struct LoadedPart {
    /// The shard set.
    pub shards: Shards,
    /// The part's entity set.
    pub es: EntitySet,
    /// Each untimed dataframe's source row positions ([`Shards::load_part_with_rows`]).
    pub source_rows: Vec<Option<ArrayRef>>,
}

/// How a job got its part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// Read from disk (mapped) for this job, `bytes` of shard files.
    Loaded {
        /// Bytes of the part's files.
        bytes: u64,
    },
    /// Reused from an earlier job.
    Reused,
    /// The job reads no part (a key range of aggregations across parts, [`super::Phase::Answer`]).
    NoPart,
}

/// What a cache holds and has done.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Parts loaded from disk.
    pub loads: u64,
    /// Jobs that reused a loaded part.
    pub hits: u64,
    /// Loads of a part that was held but whose files changed on disk.
    pub reloads: u64,
    /// Parts dropped to stay within the capacity or the memory available.
    pub evictions: u64,
    /// Held parts: shard directory, part, bytes of its files.
    pub parts: Vec<(PathBuf, usize, u64)>,
}

/// Identity of a file's current content, as far as the file system tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

fn stamp_of(path: &Path) -> Result<FileStamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    Ok(FileStamp {
        dev: m.dev(),
        ino: m.ino(),
        len: m.len(),
        mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        ctime_ns: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
    })
}

/// The manifest's stamp, then each file of the part's, in the manifest's table order.
fn part_stamps(shards: &Shards, part: usize) -> Result<Vec<FileStamp>> {
    let info = shards.manifest.parts.get(part).ok_or_else(|| {
        Error::Invalid(format!(
            "{}: part {part} does not exist ({} parts)",
            shards.dir.display(),
            shards.parts()
        ))
    })?;
    let mut out = vec![stamp_of(&shards.dir.join(ftpart_partitioner::MANIFEST))?];
    for (table, t) in &info.tables {
        let path = shards.dir.join(&info.dir).join(&t.file);
        if !path.exists() {
            return Err(Error::Data {
                path,
                dataframe: table.clone(),
                column: "*".into(),
                message: "shard file is missing".into(),
            });
        }
        out.push(stamp_of(&path)?);
    }
    Ok(out)
}

/// Checks each file of the part against the CRC-32 and size in the manifest.
fn verify(shards: &Shards, part: usize) -> Result<()> {
    let info = &shards.manifest.parts[part];
    for (table, t) in &info.tables {
        let path = shards.dir.join(&info.dir).join(&t.file);
        let (len, crc) = ftpart_partitioner::checksum(&path).map_err(|e| Error::Data {
            path: path.clone(),
            dataframe: table.clone(),
            column: "*".into(),
            message: e.to_string(),
        })?;
        let crc = format!("{crc:08x}");
        if len != t.bytes || crc != t.crc32 {
            return Err(Error::Data {
                path,
                dataframe: table.clone(),
                column: "*".into(),
                message: format!(
                    "changed since the split: {len} bytes with CRC-32 {crc}, the manifest says {} bytes with {}; split the entity set again",
                    t.bytes, t.crc32
                ),
            });
        }
    }
    Ok(())
}

struct Entry {
    dir: PathBuf,
    part: usize,
    stamps: Vec<FileStamp>,
    bytes: u64,
    loaded: Arc<LoadedPart>,
}

#[derive(Default)]
struct Inner {
    /// Least recently used first.
    entries: VecDeque<Entry>,
    stats: CacheStats,
}

/// Loaded parts, least recently used evicted first, within a capacity in bytes of shard files.
pub struct PartCache {
    capacity: u64,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for PartCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartCache")
            .field("capacity", &self.capacity)
            .field("stats", &self.stats())
            .finish()
    }
}

impl PartCache {
    /// A cache holding up to `capacity` bytes of shard files, and always the part loaded last
    /// (a capacity of 0 holds that one only, and drops it before loading another).
    pub fn new(capacity: u64) -> PartCache {
        PartCache {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// This process's cache, its capacity from [`FTPART_PART_CACHE_BYTES`].
    pub fn global() -> &'static PartCache {
        static CACHE: OnceLock<PartCache> = OnceLock::new();
        CACHE.get_or_init(|| {
            let capacity = std::env::var(FTPART_PART_CACHE_BYTES)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or_else(|| crate::events::memory::total_bytes().unwrap_or(4 << 30) / 4);
            PartCache::new(capacity)
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while the lock was held leaves entries that are whole: keep using them.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What the cache holds and has done.
    pub fn stats(&self) -> CacheStats {
        let inner = self.lock();
        let mut s = inner.stats.clone();
        s.parts = inner
            .entries
            .iter()
            .map(|e| (e.dir.clone(), e.part, e.bytes))
            .collect();
        s
    }

    /// Drops every held part (their memory maps end when no job uses them).
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// Drops the least recently used parts until `bytes` more fit in the capacity, or all of
    /// them when less than a tenth of the machine's memory is available.
    fn evict_for(&self, bytes: u64) {
        let low_memory = crate::events::memory::available_fraction().is_some_and(|f| f < 0.1);
        let mut inner = self.lock();
        let mut held: u64 = inner.entries.iter().map(|e| e.bytes).sum();
        while held + bytes > self.capacity || (low_memory && held > 0) {
            let Some(e) = inner.entries.pop_front() else {
                break;
            };
            held -= e.bytes;
            inner.stats.evictions += 1;
        }
    }

    /// Part `part` of the shard set in `dir`: the held one if its files are unchanged, else
    /// loaded (after checking its files against the manifest) and held.
    pub fn get(&self, dir: &Path, part: usize) -> Result<(Arc<LoadedPart>, Load)> {
        let dir = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
        let held = {
            let mut inner = self.lock();
            let i = inner
                .entries
                .iter()
                .position(|e| e.dir == dir && e.part == part);
            i.and_then(|i| inner.entries.remove(i))
        };
        let mut changed = false;
        if let Some(e) = held {
            // The held manifest names the files: a new split changes the manifest's own stamp,
            // so nothing needs reading again to see whether the part is current.
            let now = part_stamps(&e.loaded.shards, part);
            if now.as_ref().is_ok_and(|now| *now == e.stamps) {
                let loaded = e.loaded.clone();
                let mut inner = self.lock();
                inner.stats.hits += 1;
                inner.entries.push_back(e);
                return Ok((loaded, Load::Reused));
            }
            changed = true;
        }
        let shards = Shards::open(&dir)?;
        let before = part_stamps(&shards, part)?;
        let bytes = shards.manifest.parts[part].bytes();
        // Room first, so that a worker holds no more than the capacity while it loads.
        self.evict_for(bytes);
        // A cache that holds parts checks their content once; one that holds only the job's part
        // (a worker of one computation) reads only the columns the features need, as before.
        if self.capacity > 0 {
            verify(&shards, part)?;
        }
        let read = |p: &Path| ftpart_worker::mmap::map_ipc_file(p).map_err(|e| e.to_string());
        let (es, source_rows) = shards.load_part_with_rows(part, &read)?;
        // A file replaced while it was read: what was read may be either version.
        if part_stamps(&shards, part)? != before {
            return Err(Error::Invalid(format!(
                "{}: part {part} changed on disk while it was loaded; try again once the split is done",
                dir.display()
            )));
        }
        let loaded = Arc::new(LoadedPart {
            shards,
            es,
            source_rows,
        });
        let mut inner = self.lock();
        inner.stats.loads += 1;
        if changed {
            inner.stats.reloads += 1;
        }
        inner.entries.push_back(Entry {
            dir,
            part,
            stamps: before,
            bytes,
            loaded: loaded.clone(),
        });
        Ok((loaded, Load::Loaded { bytes }))
    }
}

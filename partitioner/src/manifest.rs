//! The shard manifest (`manifest.json`), written last so that a directory without one is not a
//! shard set.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Link, PartitionError, TableSpec};

/// File name of the manifest.
pub const MANIFEST: &str = "manifest.json";
/// The shard format version this crate writes and reads.
///
/// Version 2: every row of every table is owned by exactly one part (rows without a root and
/// rows outside the tree included), and parts mark the copies they hold of other parts' rows
/// ([`crate::COPY`]). Version 1 shards lack copies of tree rows referenced across parts.
///
/// Version 3: the rows of a table that hold the same dangling tree key (one no parent row has)
/// are in one part, so a group by the tree link's key is whole in a part. Version 2 spread them
/// over the parts one by one, and a group-by transform computed per part would be split.
pub const SHARD_FORMAT_VERSION: u32 = 3;

/// One table's file in a part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableFile {
    /// File name inside the part directory.
    pub file: String,
    /// Rows.
    pub rows: u64,
    /// Bytes on disk.
    pub bytes: u64,
    /// CRC-32 of the file, hex.
    pub crc32: String,
}

/// One part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PartInfo {
    /// Part number.
    pub id: usize,
    /// Directory name (`part-00000`).
    pub dir: String,
    /// Root rows (instances) in the part.
    pub instances: u64,
    /// Rows of the largest instance's subtree in the part.
    pub largest_instance_rows: u64,
    /// Files by table.
    pub tables: BTreeMap<String, TableFile>,
}

impl PartInfo {
    /// Total rows in the part.
    pub fn rows(&self) -> u64 {
        self.tables.values().map(|t| t.rows).sum()
    }
    /// Total bytes in the part.
    pub fn bytes(&self) -> u64 {
        self.tables.values().map(|t| t.bytes).sum()
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always "ftpart-shards".
    pub format: String,
    /// [`SHARD_FORMAT_VERSION`].
    pub version: u32,
    /// The root (partition) table.
    pub root: String,
    /// Tables.
    pub tables: Vec<TableSpec>,
    /// Links.
    pub links: Vec<Link>,
    /// For each table below the root: the link that leads to its root row.
    pub tree_links: BTreeMap<String, usize>,
    /// Rows whose root could not be found (e.g. a session of a missing customer, and its
    /// transactions), by table. Each such row is owned by one part, with the rows below it.
    pub rows_without_root: BTreeMap<String, u64>,
    /// Parts.
    pub parts: Vec<PartInfo>,
    /// Caller's metadata.
    pub metadata: serde_json::Value,
}

impl Manifest {
    /// Reads and checks a manifest.
    pub fn read(dir: &Path) -> Result<Self, PartitionError> {
        let path = dir.join(MANIFEST);
        if !path.exists() {
            return Err(PartitionError::Invalid(format!(
                "{}: no {MANIFEST}; not a shard directory written by `ftpart split` (or the split did not finish)",
                dir.display()
            )));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| PartitionError::io(&path, e))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| PartitionError::file(&path, format!("not valid JSON: {e}")))?;
        if v.get("format").and_then(|f| f.as_str()) != Some("ftpart-shards") {
            return Err(PartitionError::file(&path, "not an ftpart shard manifest"));
        }
        let version = v.get("version").and_then(|x| x.as_u64()).unwrap_or(0);
        if version != SHARD_FORMAT_VERSION as u64 {
            return Err(PartitionError::file(
                &path,
                format!("shard format version {version}; this ftpart reads version {SHARD_FORMAT_VERSION} (split the entity set again)"),
            ));
        }
        let m: Manifest = serde_json::from_value(v)
            .map_err(|e| PartitionError::file(&path, format!("malformed manifest: {e}")))?;
        // Readers route rows to part 0 when no part owns them; a split always writes one or more.
        if m.parts.is_empty() {
            return Err(PartitionError::file(
                &path,
                "lists no parts (a split writes at least one)",
            ));
        }
        Ok(m)
    }

    /// Writes the manifest atomically.
    pub fn write(&self, dir: &Path) -> Result<(), PartitionError> {
        let path = dir.join(MANIFEST);
        let tmp = dir.join(format!(".{MANIFEST}.tmp"));
        let text =
            serde_json::to_string_pretty(self).map_err(|e| PartitionError::failed(&path, e))?;
        std::fs::write(&tmp, text).map_err(|e| PartitionError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| PartitionError::io(&path, e))
    }

    /// The path of a table's file in a part.
    pub fn table_path(&self, dir: &Path, part: usize, table: &str) -> Option<std::path::PathBuf> {
        let p = self.parts.get(part)?;
        Some(dir.join(&p.dir).join(&p.tables.get(table)?.file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(parts: Vec<PartInfo>) -> Manifest {
        Manifest {
            format: "ftpart-shards".into(),
            version: SHARD_FORMAT_VERSION,
            root: "customers".into(),
            tables: Vec::new(),
            links: Vec::new(),
            tree_links: BTreeMap::new(),
            rows_without_root: BTreeMap::new(),
            parts,
            metadata: serde_json::Value::Null,
        }
    }

    #[test]
    fn manifest_without_parts_is_an_error_not_a_panic() {
        // Found with a hand-made input to fuzz/shard_manifest: `"parts": []` opened, and computing
        // with a cutoff table then indexed part 0 of none (compute.rs routes unknown ids there).
        let dir = tempfile::tempdir().unwrap();
        manifest(Vec::new()).write(dir.path()).unwrap();
        let e = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("manifest.json") && e.contains("lists no parts"),
            "{e}"
        );
        let part = PartInfo {
            id: 0,
            dir: "part-00000".into(),
            instances: 0,
            largest_instance_rows: 0,
            tables: BTreeMap::new(),
        };
        manifest(vec![part]).write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap().parts.len(), 1);
    }
}

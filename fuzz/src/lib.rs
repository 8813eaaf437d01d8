//! What the fuzz targets share: the committed fixtures, scratch directories laid out as ftpart's
//! inputs are, and a shard set split from a fixture.
//!
//! Setup may panic: it reads committed fixtures, and a panic there is a broken harness, not a
//! finding. The fuzzed bytes themselves go only to the library functions the CLI calls.

use std::path::{Path, PathBuf};

use ftpart::calc::TimeOptions;
use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::entityset::{read_entityset, EntitySet};
use ftpart::features::FeatureGraph;

/// `tests/fixtures` of the repository.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// An entity set directory of `tests/fixtures/extra/entitysets`.
pub fn entityset_dir(name: &str) -> PathBuf {
    fixtures().join("extra/entitysets").join(name)
}

/// A case directory of `tests/fixtures/extra/cases`.
pub fn case_dir(name: &str) -> PathBuf {
    fixtures().join("extra/cases").join(name)
}

/// A fixture entity set, read.
pub fn entityset(name: &str) -> EntitySet {
    read_entityset(&entityset_dir(name)).expect("fixture entity set")
}

/// A fixture case's features.
pub fn features(case: &str) -> FeatureGraph {
    FeatureGraph::read(&case_dir(case).join("features.json")).expect("fixture features")
}

/// A fixture case's cutoff table for the target dataframe `target` of `es`.
pub fn cutoff_table(case: &str, es: &EntitySet, target: &str) -> Cutoff {
    let df = es.schema.dataframe(target).expect("fixture target");
    let t = CutoffTable::read(
        &case_dir(case).join("cutoff.csv"),
        df,
        es.schema.numeric_time(),
    )
    .expect("fixture cutoff table");
    Cutoff::Table(t)
}

/// A time after every fixture's data: a fixed cutoff, so that a crash reproduces whatever the
/// day (`Cutoff::Now` would read the clock).
pub fn late_cutoff(es: &EntitySet) -> Cutoff {
    Cutoff::At(if es.schema.numeric_time() {
        ftpart::time::numeric_time_key(1e9)
    } else {
        ftpart::time::parse_datetime("2030-01-01").expect("a date")
    })
}

/// Time options with a training window (`--training-window`).
pub fn window(span: &str) -> TimeOptions {
    TimeOptions {
        training_window: Some(ftpart::time::parse_timedelta(span).expect("a span")),
        ..TimeOptions::default()
    }
}

/// A fresh scratch directory for this process, under `$TMPDIR` (the run script points it at a
/// directory it removes afterwards: libFuzzer exits without running destructors).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ftpart-fuzz-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for e in std::fs::read_dir(from).expect("read fixture directory") {
        let e = e.expect("directory entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy fixture file");
        }
    }
}

/// Writes the fuzz input to `path` (setup: the scratch directory is ours).
pub fn write(path: &Path, data: &[u8]) {
    std::fs::write(path, data).expect("write the input to the scratch directory");
}

/// The shard set the shard targets open: `x_mock_customer` split by customers into 2 parts, as
/// `ftpart split tests/fixtures/extra/entitysets/x_mock_customer --by customers --parts 2` writes
/// it.
pub fn split_mock_customer(out: &Path) {
    let opts = ftpart::shards::SplitEntitySet {
        by: "customers".into(),
        parts: 2,
        out: out.to_path_buf(),
        force: true,
        durable: true,
    };
    ftpart::shards::split_entityset(&entityset_dir("x_mock_customer"), &opts, &mut |_| {})
        .expect("split the fixture");
}

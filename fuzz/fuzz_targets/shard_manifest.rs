//! A shard directory's `manifest.json`, opened as `ftpart compute SHARDS --jobs 0` opens it
//! (`Shards::open`) next to the part files of a real split (x_mock_customer by customers, 2
//! parts), then computed in process (`compute` with the `InProcess` executor, which re-opens the
//! manifest and loads each part as a worker does) with x_mock_sessions_outer's features and
//! cutoff table, which aggregate across parts.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use ftpart::compute::{compute, InProcess};
use ftpart::cutoff::Cutoff;
use ftpart::features::FeatureGraph;
use ftpart::matrix::MatrixOptions;
use ftpart::shards::Shards;
use ftpart_fuzz::{cutoff_table, entityset, features, scratch, split_mock_customer, write};
use libfuzzer_sys::fuzz_target;

struct Setup {
    dir: PathBuf,
    graph: FeatureGraph,
    cutoff: Cutoff,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let dir = scratch("shard_manifest").join("shards");
    split_mock_customer(&dir);
    let es = entityset("x_mock_customer");
    Setup {
        dir,
        graph: features("x_mock_sessions_outer"),
        cutoff: cutoff_table("x_mock_sessions_outer", &es, "sessions"),
    }
});

fuzz_target!(|data: &[u8]| {
    let s = &*SETUP;
    write(&s.dir.join("manifest.json"), data);
    let Ok(shards) = Shards::open(&s.dir) else {
        return;
    };
    let _ = compute(
        &shards,
        &s.graph,
        &s.cutoff,
        &MatrixOptions::default(),
        &mut InProcess,
    );
});

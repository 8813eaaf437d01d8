//! A part's Arrow IPC file, opened as `ftpart compute` opens it: decoded through the worker's
//! memory map (`map_ipc_file`, whose `check` module validates buffers before arrow-rs touches
//! them) and through the copying reader of `--jobs 0` (`read_ipc_file`); then, as the
//! `transactions` file of part 0 of a real split (x_mock_customer by customers), loaded and
//! computed by the worker's job handler (`handle_job` with the memory map) with
//! x_mock_transactions_outer's features at a fixed cutoff.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use arrow_array::RecordBatch;
use ftpart::compute::{encode_job, handle_job, Job, PartCutoff, Phase};
use ftpart_fuzz::{entityset, features, late_cutoff, scratch, split_mock_customer, write};
use libfuzzer_sys::fuzz_target;

struct Setup {
    file: PathBuf,
    job: Vec<u8>,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let dir = scratch("shard_ipc").join("shards");
    split_mock_customer(&dir);
    let shards = ftpart::shards::Shards::open(&dir).expect("the split fixture");
    let file = shards
        .manifest
        .table_path(&dir, 0, "transactions")
        .expect("part 0 has transactions");
    let es = entityset("x_mock_customer");
    let ftpart::cutoff::Cutoff::At(t) = late_cutoff(&es) else {
        unreachable!("late_cutoff is one time")
    };
    let job = Job {
        shards: dir,
        part: 0,
        graph: features("x_mock_transactions_outer"),
        time: Default::default(),
        cutoff: PartCutoff::At(t),
        phase: Phase::Matrix { given: Vec::new() },
    };
    Setup {
        file,
        job: encode_job(&job).expect("encode the job"),
    }
});

fn mmap(p: &Path) -> Result<Vec<RecordBatch>, String> {
    ftpart_worker::mmap::map_ipc_file(p).map_err(|e| e.to_string())
}

fuzz_target!(|data: &[u8]| {
    let s = &*SETUP;
    write(&s.file, data);
    let _ = mmap(&s.file);
    let _ = ftpart::shards::read_ipc_file(&s.file);
    let _ = handle_job(&s.job, &mmap);
});

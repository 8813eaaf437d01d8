//! `data_description.json` of an entity set directory, read as `ftpart calculate` and
//! `ftpart split` read it (`read_schema`, then the whole entity set), next to real data files
//! (x_mock_customer's CSV and mock_customer_s0's Parquet files) so that a description naming
//! those dataframes goes on to read them under its hostile types.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use ftpart::entityset::{read_entityset, read_schema, EntitySet};
use ftpart_fuzz::{copy_dir, entityset_dir, fixtures, scratch, write};
use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = scratch("data_description");
    copy_dir(
        &entityset_dir("x_mock_customer").join("data"),
        &dir.join("data"),
    );
    copy_dir(
        &fixtures().join("conformance/entitysets/mock_customer_s0_parquet/data"),
        &dir.join("data"),
    );
    dir
});

fuzz_target!(|data: &[u8]| {
    let dir = &*DIR;
    write(&dir.join("data_description.json"), data);
    if let Ok((schema, _format)) = read_schema(dir) {
        // `ftpart compute` checks features against an entity set with the schema and no rows.
        let _ = EntitySet::empty(schema);
        let _ = read_entityset(dir);
    }
});

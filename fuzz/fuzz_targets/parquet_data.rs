//! A dataframe's Parquet data file, read as `ftpart calculate` reads an entity set written by
//! `es.to_parquet()` (`read_entityset`): x_retail_parquet's `orders.parquet` (Integer,
//! Categorical, Datetime, Double and Boolean columns, foreign keys to customers and products) is
//! the input; the description and the other dataframes' files are the fixture's.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use ftpart::entityset::read_entityset;
use ftpart_fuzz::{copy_dir, entityset_dir, scratch, write};
use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = scratch("parquet_data");
    copy_dir(&entityset_dir("x_retail_parquet"), &dir);
    dir
});

fuzz_target!(|data: &[u8]| {
    let dir = &*DIR;
    write(&dir.join("data/orders/data/orders.parquet"), data);
    let _ = read_entityset(dir);
});

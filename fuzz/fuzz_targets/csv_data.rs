//! A dataframe's CSV data file, read as `ftpart calculate` reads an entity set written by
//! `es.to_csv()` (`read_entityset`): x_nan's `orders.csv` (Integer, IntegerNullable, Double,
//! Boolean, BooleanNullable, Categorical and Datetime columns, a foreign key to customers) is the
//! input; the description and customers.csv are the fixture's.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use ftpart::entityset::read_entityset;
use ftpart_fuzz::{copy_dir, entityset_dir, scratch, write};
use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = scratch("csv_data");
    copy_dir(&entityset_dir("x_nan"), &dir);
    dir
});

fuzz_target!(|data: &[u8]| {
    let dir = &*DIR;
    write(&dir.join("data/orders/data/orders.csv"), data);
    let _ = read_entityset(dir);
});

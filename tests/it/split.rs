//! `ftpart split`: balance, streaming under a memory limit, overwrite rules, odd inputs.

use std::path::Path;

use ftpart_partitioner::Manifest;

use crate::util::{fixtures, ftpart, split, tmp};

fn mock(dir: &Path, transactions: usize) -> std::path::PathBuf {
    let es = dir.join("es");
    let o = ftpart(&[
        "demo",
        es.to_str().unwrap(),
        "--transactions",
        &transactions.to_string(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    es
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                dir_size(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}

#[test]
fn parts_are_balanced_by_rows_and_hold_every_row_once() {
    let dir = tmp();
    let es = mock(dir.path(), 200_000);
    let out = dir.path().join("shards");
    let o = split(&es, "customers", 7, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = Manifest::read(&out).unwrap();
    let rows: Vec<u64> = m.parts.iter().map(|p| p.rows()).collect();
    let (min, max) = (*rows.iter().min().unwrap(), *rows.iter().max().unwrap());
    assert!(max as f64 <= min as f64 * 1.10, "rows per part {rows:?}");
    let total = |t: &str| m.parts.iter().map(|p| p.tables[t].rows).sum::<u64>();
    assert_eq!(total("transactions"), 200_000);
    assert_eq!(total("sessions"), 8_000);
    assert_eq!(total("customers"), 400);
    // Lookups are copied only where referenced: every part references all 5 products here.
    assert!(m.parts.iter().all(|p| p.tables["products"].rows == 5));
    // The checksums in the manifest are those of the files.
    for p in &m.parts {
        for t in p.tables.values() {
            let (bytes, crc) = ftpart_partitioner_checksum(&out.join(&p.dir).join(&t.file));
            assert_eq!((bytes, format!("{crc:08x}")), (t.bytes, t.crc32.clone()));
        }
    }
}

fn ftpart_partitioner_checksum(p: &Path) -> (u64, u32) {
    let data = std::fs::read(p).unwrap();
    let mut h = crc32fast_hasher();
    h.update(&data);
    (data.len() as u64, h.finalize())
}

fn crc32fast_hasher() -> crc32fast::Hasher {
    crc32fast::Hasher::new()
}

/// Splitting streams: an entity set several times larger than the memory the process may use
/// splits fine (RLIMIT_AS set with `prlimit`).
#[test]
fn splits_an_entity_set_larger_than_its_memory_limit() {
    let dir = tmp();
    let es = mock(dir.path(), 3_000_000);
    let input = dir_size(&es);
    let limit: u64 = 80 << 20;
    assert!(
        input > 2 * limit,
        "input {input} bytes should be over twice the limit {limit}"
    );
    let out = dir.path().join("shards");
    let o = std::process::Command::new("prlimit")
        .arg(format!("--as={limit}"))
        .arg(env!("CARGO_BIN_EXE_ftpart"))
        .args([
            "split",
            es.to_str().unwrap(),
            "--by",
            "customers",
            "--parts",
            "32",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .expect("prlimit (util-linux) runs");
    assert!(
        o.status.success(),
        "split under {limit} bytes failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let m = Manifest::read(&out).unwrap();
    assert_eq!(
        m.parts
            .iter()
            .map(|p| p.tables["transactions"].rows)
            .sum::<u64>(),
        3_000_000
    );
}

#[test]
fn refuses_a_non_empty_output_unless_forced() {
    let dir = tmp();
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    let out = dir.path().join("shards");
    assert!(split(&es, "customers", 2, &out, &[]).status.success());
    let o = split(&es, "customers", 3, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(Manifest::read(&out).unwrap().parts.len(), 2, "untouched");
    assert!(split(&es, "customers", 3, &out, &["--force"])
        .status
        .success());
    assert_eq!(Manifest::read(&out).unwrap().parts.len(), 3);
    // --force never deletes a directory that is not a shard set.
    let other = dir.path().join("precious");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("data.txt"), "keep me").unwrap();
    let o = split(&es, "customers", 3, &other, &["--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(other.join("data.txt").exists());
}

#[test]
fn more_parts_than_instances_gives_empty_parts_that_compute() {
    let dir = tmp();
    let case = fixtures().join("conformance/cases/mc0_customers_per_instance");
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    let out = dir.path().join("shards");
    assert!(split(&es, "customers", 9, &out, &[]).status.success());
    let m = Manifest::read(&out).unwrap();
    assert_eq!(m.parts.iter().filter(|p| p.instances == 0).count(), 4);
    let fm = dir.path().join("fm.csv");
    let o = ftpart(&[
        "compute",
        out.to_str().unwrap(),
        "--features",
        case.join("features.json").to_str().unwrap(),
        "--cutoff-time",
        case.join("cutoff.csv").to_str().unwrap(),
        "--out",
        fm.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    crate::util::compare_csv(
        &std::fs::read_to_string(fm).unwrap(),
        &case.join("expected.csv"),
    )
    .unwrap();
}

#[test]
fn rows_without_an_instance_are_counted() {
    let dir = tmp();
    let es = dir.path().join("es");
    let o = ftpart(&["demo", es.to_str().unwrap()]);
    assert!(o.status.success());
    // Point two sessions at a customer that does not exist.
    let sessions = es.join("data/sessions/data/sessions.csv");
    let text = std::fs::read_to_string(&sessions).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for l in lines.iter_mut().skip(1).take(2) {
        let mut cols: Vec<&str> = l.split(',').collect();
        cols[1] = "999";
        *l = cols.join(",");
    }
    std::fs::write(&sessions, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("shards");
    let o = ftpart(&[
        "split",
        es.to_str().unwrap(),
        "--by",
        "customers",
        "--parts",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = Manifest::read(&out).unwrap();
    assert_eq!(m.rows_without_root["sessions"], 2);
    assert!(m.rows_without_root["transactions"] > 0);
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("2 rows of 'sessions' belong to no 'customers' row"));
}

#[test]
fn bad_arguments() {
    let dir = tmp();
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    let out = dir.path().join("shards");
    let o = split(&es, "clients", 2, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--by 'clients' is not a dataframe"));
    let o = split(&es, "customers", 0, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least 1"));
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn a_failed_split_leaves_nothing_compute_accepts() {
    let dir = tmp();
    let es = dir.path().join("es");
    assert!(ftpart(&["demo", es.to_str().unwrap()]).status.success());
    // A bad time in the last table read makes the split fail after parts were started.
    let tx = es.join("data/transactions/data/transactions.csv");
    let text = std::fs::read_to_string(&tx).unwrap();
    std::fs::write(&tx, text.replacen("2014-01-01", "someday", 1)).unwrap();
    let out = dir.path().join("shards");
    let o = split(&es, "customers", 2, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("someday")
            && String::from_utf8_lossy(&o.stderr).contains("transactions.csv")
    );
    assert!(Manifest::read(&out).is_err());
    let o = ftpart(&[
        "compute",
        out.to_str().unwrap(),
        "--features",
        "x.json",
        "--out",
        dir.path().join("fm.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no manifest.json"));
}

#[test]
fn a_kept_split_is_reused_for_the_same_data_and_not_for_other_data() {
    use arrow_array::{Array, Float64Array, RecordBatch};
    let dir = tmp();
    let es_dir = fixtures().join("conformance/entitysets/mock_customer_s0");
    let es = ftpart::entityset::read_entityset(&es_dir).unwrap();
    let base = dir.path().join("kept");
    let a = ftpart::run::split_kept(&es, "customers", 3, &base).unwrap();
    let again = ftpart::run::split_kept(&es, "customers", 3, &base).unwrap();
    assert_eq!(a.dir, again.dir);
    assert_eq!(a.manifest.parts.len(), 3);
    // Other parts, another split.
    let four = ftpart::run::split_kept(&es, "customers", 4, &base).unwrap();
    assert_ne!(four.dir, a.dir);
    // One value changed, another key and another split.
    let key = ftpart::run::content_key(&es, "customers", 3).unwrap();
    let mut changed = ftpart::entityset::read_entityset(&es_dir).unwrap();
    let t = changed.schema.position("transactions").unwrap();
    let b = changed.data[t].clone();
    let i = b.schema().index_of("amount").unwrap();
    let amount = b.column(i).as_any().downcast_ref::<Float64Array>().unwrap();
    let mut v: Vec<Option<f64>> = amount.iter().collect();
    v[0] = v[0].map(|x| x + 1.0);
    let mut cols = b.columns().to_vec();
    cols[i] = std::sync::Arc::new(Float64Array::from(v));
    let rows = amount.len();
    changed.data[t] = RecordBatch::try_new(b.schema(), cols).unwrap();
    assert_eq!(rows, changed.data[t].num_rows());
    assert_ne!(
        ftpart::run::content_key(&changed, "customers", 3).unwrap(),
        key
    );
    let other = ftpart::run::split_kept(&changed, "customers", 3, &base).unwrap();
    assert_ne!(other.dir, a.dir);
    // Only whole splits are in the directory: no temporary one is left.
    let names: Vec<String> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("es-")), "{names:?}");
}

#[test]
fn split_for_features_writes_only_their_columns_and_refuses_others_by_name() {
    let dir = tmp();
    let cases = fixtures().join("conformance/cases");
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    let transactions = cases.join("mc0_transactions_by_customers/features.json");
    let customers = cases.join("mc0_customers_nocutoff/features.json");
    let (full, only) = (dir.path().join("full"), dir.path().join("only"));
    let o = split(&es, "customers", 2, &full, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = split(
        &es,
        "customers",
        2,
        &only,
        &["--features", transactions.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (full, only) = (
        ftpart::shards::Shards::open(&full).unwrap(),
        ftpart::shards::Shards::open(&only).unwrap(),
    );
    assert_eq!(full.split_for(), None);
    assert_eq!(
        only.split_for(),
        Some(format!("--features {}", transactions.display()).as_str())
    );
    let columns = |s: &ftpart::shards::Shards| -> usize {
        s.schema.dataframes.iter().map(|d| d.columns.len()).sum()
    };
    assert!(
        columns(&only) < columns(&full),
        "{} of {}",
        columns(&only),
        columns(&full)
    );
    // Every dataframe keeps its index, time index and last time index.
    for (a, b) in only.schema.dataframes.iter().zip(&full.schema.dataframes) {
        assert_eq!(
            (&a.index, &a.time_index, &a.last_time_index),
            (&b.index, &b.time_index, &b.last_time_index)
        );
    }
    // Features that read a column left out: refused, naming the column and the split.
    let out = dir.path().join("fm.csv");
    let o = ftpart(&[
        "compute",
        only.dir.to_str().unwrap(),
        "--features",
        customers.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("birthday") && err.contains("does not have"),
        "{err}"
    );
    assert!(
        err.contains("split with --features") && err.contains("mc0_transactions_by_customers"),
        "{err}"
    );
    assert!(!out.exists());
    // A features file that does not fit the entity set: refused before anything is written.
    let bad = dir.path().join("bad");
    let o = split(
        &es,
        "customers",
        2,
        &bad,
        &[
            "--features",
            es.join("data_description.json").to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("data_description.json"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!bad.exists());
}

#[test]
fn an_entity_set_in_memory_split_for_features_holds_only_their_columns_and_the_same_matrix() {
    use ftpart::compute::{compute, InProcess};
    use ftpart::entityset::project::ProjectionOptions;
    use ftpart::shards::{Shards, SplitEntitySet, SplitFor};
    let dir = tmp();
    let cases = fixtures().join("conformance/cases");
    let es = ftpart::entityset::read_entityset(
        &fixtures().join("conformance/entitysets/mock_customer_s0"),
    )
    .unwrap();
    let graph = ftpart::features::FeatureGraph::read(
        &cases.join("mc0_transactions_by_customers/features.json"),
    )
    .unwrap();
    let opts = |out: &str| SplitEntitySet {
        by: "customers".into(),
        parts: 3,
        out: dir.path().join(out),
        force: false,
        durable: true,
    };
    let popts = ProjectionOptions {
        training_window: true,
    };
    let only = SplitFor {
        graph: &graph,
        given: "the features of this test",
        opts: popts,
    };
    ftpart::run::split_entityset_in_memory(&es, &opts("only"), Some(only)).unwrap();
    ftpart::run::split_entityset_in_memory(&es, &opts("full"), None).unwrap();
    let only = Shards::open(&dir.path().join("only")).unwrap();
    let full = Shards::open(&dir.path().join("full")).unwrap();
    assert_eq!(only.split_for(), Some("the features of this test"));
    assert_eq!(full.split_for(), None);
    let columns = |s: &Shards, df: &str| -> Vec<String> {
        let d = s.schema.dataframe(df).unwrap();
        d.columns.iter().map(|c| c.name.clone()).collect()
    };
    let expected = ftpart::entityset::project::projected(&es.schema, &graph, popts);
    for df in &expected.dataframes {
        let want: Vec<String> = df.columns.iter().map(|c| c.name.clone()).collect();
        assert_eq!(columns(&only, &df.name), want, "{}", df.name);
        // The part files hold exactly the schema's columns (and the partitioner's own).
        let file = only
            .dir
            .join("part-00000")
            .join(format!("{}.arrow", df.name));
        let reader =
            arrow_ipc::reader::FileReader::try_new(std::fs::File::open(&file).unwrap(), None)
                .unwrap();
        let names: Vec<String> = reader
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| !n.starts_with("__ftpart"))
            .collect();
        assert_eq!(names, want, "{}", file.display());
    }
    let fewer: usize = expected.dataframes.iter().map(|d| d.columns.len()).sum();
    let all: usize = es.schema.dataframes.iter().map(|d| d.columns.len()).sum();
    assert!(fewer < all, "{fewer} of {all}");
    let fm = |s: &Shards| {
        compute(
            s,
            &graph,
            &ftpart::cutoff::Cutoff::Now,
            &Default::default(),
            &mut InProcess::default(),
        )
        .unwrap()
    };
    assert_eq!(fm(&only), fm(&full));
}

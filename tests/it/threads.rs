//! The in-process calculation on several threads (`calc::Control::threads`, `ftpart calculate
//! --threads`): the same matrix as on one thread, bit for bit, with progress and interrupts as
//! on one thread.

use std::num::NonZeroUsize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use ftpart::calc::{Control, Threads};
use ftpart::cutoff::Cutoff;
use ftpart::matrix::calculate_feature_matrix_with;

use crate::util::{cases, Case};

fn threads(n: usize) -> Threads {
    Threads::Count(NonZeroUsize::new(n).expect("non-zero"))
}

fn compute(case: &Case, t: Threads) -> Result<RecordBatch, String> {
    let (es, graph, cutoff, opts) = case.inputs()?;
    let control = Control {
        threads: t,
        ..Default::default()
    };
    calculate_feature_matrix_with(&es, &graph, &cutoff, &opts, control).map_err(|e| e.to_string())
}

/// Same columns, types, null masks and bits: floats are compared by `to_bits` (NaN included,
/// -0.0 apart from 0.0), everything else by Arrow's equality of the array data.
fn assert_same_bits(a: &RecordBatch, b: &RecordBatch, what: &str) {
    assert_eq!(a.schema(), b.schema(), "{what}: schema");
    assert_eq!(a.num_rows(), b.num_rows(), "{what}: rows");
    for (i, field) in a.schema().fields().iter().enumerate() {
        let (x, y) = (a.column(i), b.column(i));
        let name = format!("{what}: column {}", field.name());
        let mask = |c: &dyn Array| (0..c.len()).map(|r| c.is_valid(r)).collect::<Vec<_>>();
        assert_eq!(mask(x.as_ref()), mask(y.as_ref()), "{name}: null mask");
        let bits: Option<(Vec<u64>, Vec<u64>)> = match x.data_type() {
            DataType::Float64 => {
                let f = |c: &dyn Array| {
                    let p = c.as_primitive::<Float64Type>();
                    (0..p.len())
                        .filter(|&r| p.is_valid(r))
                        .map(|r| p.value(r).to_bits())
                        .collect()
                };
                Some((f(x.as_ref()), f(y.as_ref())))
            }
            DataType::Float32 => {
                let f = |c: &dyn Array| {
                    let p = c.as_primitive::<Float32Type>();
                    (0..p.len())
                        .filter(|&r| p.is_valid(r))
                        .map(|r| u64::from(p.value(r).to_bits()))
                        .collect()
                };
                Some((f(x.as_ref()), f(y.as_ref())))
            }
            _ => None,
        };
        if let Some((bx, by)) = bits {
            assert!(bx == by, "{name}: float bits differ");
        }
        assert!(x.to_data() == y.to_data(), "{name}: values differ");
    }
}

/// Every fixture case (cutoff tables, single cutoffs, training windows, exclusive cutoffs,
/// features of several depths, several targets, every primitive) on 1, 2 and 4 threads.
#[test]
fn every_case_gives_the_same_bits_on_1_2_and_4_threads() {
    let mut checked = 0;
    let mut floats = 0;
    for set in ["conformance", "extra", "shapes", "primitives"] {
        for case in cases(set) {
            let what = format!("{set}/{}", case.name);
            let one = compute(&case, Threads::One);
            for t in [2, 4] {
                let many = compute(&case, threads(t));
                match (&one, &many) {
                    (Ok(a), Ok(b)) => assert_same_bits(a, b, &format!("{what}, {t} threads")),
                    // A case featuretools refuses: refused the same way.
                    (Err(a), Err(b)) => assert_eq!(a, b, "{what}, {t} threads"),
                    _ => panic!("{what}: 1 thread gave {one:?}, {t} threads {many:?}"),
                }
            }
            if let Ok(fm) = &one {
                checked += 1;
                floats += fm
                    .columns()
                    .iter()
                    .filter(|c| c.data_type() == &DataType::Float64 && c.null_count() < c.len())
                    .count();
            }
        }
    }
    assert!(checked > 800, "only {checked} cases computed");
    assert!(floats > 1000, "only {floats} float columns compared");
}

/// The comparison is by bits: NaN is NaN (which `==` on floats never is), 0.0 is not -0.0
/// (which `==` says it is).
#[test]
fn the_bit_comparison_sees_nan_and_the_sign_of_zero() {
    let batch = |v: Vec<Option<f64>>| {
        RecordBatch::try_from_iter([(
            "x",
            std::sync::Arc::new(arrow_array::Float64Array::from(v)) as arrow_array::ArrayRef,
        )])
        .unwrap()
    };
    let nan = batch(vec![Some(f64::NAN), None, Some(1.5)]);
    assert_same_bits(&nan, &nan.clone(), "NaN");
    let zero = batch(vec![Some(0.0), None, Some(1.5)]);
    let negative = batch(vec![Some(-0.0), None, Some(1.5)]);
    let differ = catch_unwind(AssertUnwindSafe(|| {
        assert_same_bits(&zero, &negative, "zeros")
    }));
    assert!(differ.is_err(), "0.0 and -0.0 compared equal");
    let null = batch(vec![Some(0.0), Some(0.0), Some(1.5)]);
    let differ = catch_unwind(AssertUnwindSafe(|| assert_same_bits(&zero, &null, "nulls")));
    assert!(differ.is_err(), "null masks compared equal");
}

/// `Threads::All` (what `calculate_feature_matrix` and `ftpart calculate` use by default) is
/// the single-threaded matrix too.
#[test]
fn all_threads_is_the_single_threaded_matrix() {
    let case = cases("conformance")
        .into_iter()
        .find(|c| c.name == "mc1_customers_window_6h")
        .expect("case");
    let one = compute(&case, Threads::One).unwrap();
    let all = compute(&case, Threads::All).unwrap();
    assert_same_bits(&one, &all, "all threads");
    let (es, graph, cutoff, opts) = case.inputs().unwrap();
    let plain = ftpart::matrix::calculate_feature_matrix(&es, &graph, &cutoff, &opts).unwrap();
    assert_same_bits(&one, &plain, "calculate_feature_matrix");
}

fn progress_case() -> Case {
    cases("conformance")
        .into_iter()
        .find(|c| c.name == "mc0_customers_per_instance")
        .expect("case")
}

#[test]
fn progress_on_several_threads_counts_each_feature_once_in_order_on_the_calling_thread() {
    let case = progress_case();
    let (es, graph, cutoff, opts) = case.inputs().unwrap();
    let n = graph.requested.len();
    assert!(n > 10);
    let caller = std::thread::current().id();
    for t in [1, 2, 4] {
        let mut seen = Vec::new();
        let mut progress = |done: usize, total: usize| {
            assert_eq!(
                std::thread::current().id(),
                caller,
                "progress off the caller"
            );
            seen.push((done, total));
        };
        let control = Control {
            progress: Some(&mut progress),
            threads: threads(t),
            ..Default::default()
        };
        calculate_feature_matrix_with(&es, &graph, &cutoff, &opts, control).unwrap();
        let want: Vec<(usize, usize)> = (0..=n).map(|d| (d, n)).collect();
        assert_eq!(seen, want, "{t} threads");
    }
}

#[test]
fn an_interrupt_stops_every_thread() {
    let case = progress_case();
    let (es, graph, _, opts) = case.inputs().unwrap();
    for t in [1, 2, 4] {
        // Set before: nothing is computed.
        let flag = AtomicBool::new(true);
        let control = Control {
            interrupt: Some(&flag),
            threads: threads(t),
            ..Default::default()
        };
        let r = calculate_feature_matrix_with(&es, &graph, &Cutoff::Now, &opts, control);
        assert!(matches!(r, Err(ftpart::Error::Interrupted)), "{r:?}");

        // Set by the progress callback: no progress after it, and the calculation is
        // interrupted, as on one thread.
        let flag = AtomicBool::new(false);
        let mut calls = 0;
        let mut progress = |done: usize, _total: usize| {
            calls += 1;
            if done == 3 {
                flag.store(true, Ordering::SeqCst);
            }
        };
        let control = Control {
            interrupt: Some(&flag),
            progress: Some(&mut progress),
            threads: threads(t),
        };
        let r = calculate_feature_matrix_with(&es, &graph, &Cutoff::Now, &opts, control);
        assert!(matches!(r, Err(ftpart::Error::Interrupted)), "{r:?}");
        assert_eq!(calls, 4, "{t} threads");
    }
}

/// `ftpart calculate --threads N` writes the same file for every N, and the default (every
/// core, or `RAYON_NUM_THREADS`) too; `--threads 0` is refused.
#[test]
fn calculate_writes_the_same_file_whatever_the_threads() {
    let dir = crate::util::tmp();
    for case in cases("conformance") {
        let run = |threads: Option<&str>| {
            let out = dir
                .path()
                .join(format!("{}-{}.arrow", case.name, threads.unwrap_or("all")));
            let mut args = vec![
                "calculate".to_string(),
                case.entityset.display().to_string(),
                "--features".into(),
                case.features.display().to_string(),
            ];
            args.extend(case.time_args());
            args.extend(["--out".to_string(), out.display().to_string()]);
            if let Some(t) = threads {
                args.extend(["--threads".to_string(), t.to_string()]);
            }
            let o = crate::util::ftpart(&args.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(o.status.success(), "{}: {o:?}", case.name);
            std::fs::read(&out).unwrap()
        };
        let one = run(Some("1"));
        for t in [Some("2"), Some("4"), None] {
            assert!(
                run(t) == one,
                "{}: --threads {t:?} wrote another file",
                case.name
            );
        }
    }
    let o = crate::util::ftpart(&[
        "calculate",
        "es",
        "--features",
        "f.json",
        "--out",
        "fm.csv",
        "--threads",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("--threads"), "{stderr}");
}

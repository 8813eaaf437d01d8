//! Criterion benchmarks of every primitive's kernel on 5M rows, one group per family:
//! `agg/<family>/<Class>` (5M child rows in 50,000 groups of 100, each group in time order) and
//! `trans/<family>/<Class>` (one 5M-row column; transforms that read the whole dataframe see it
//! as one frame). Inputs are built once, outside `b.iter`; each primitive runs with its default
//! arguments (or the few a class needs, and a window of 11 rows for SAVGOL_FILTER, whose default
//! window is a fifth of the rows) on the first input kinds it accepts.
//! Run: `cargo bench --bench primitives` (about 10 minutes), or one family:
//! `cargo bench --bench primitives -- agg/order`. `FTPART_BENCH_ROWS` changes the row count.
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::sync::Arc;
use std::time::Duration;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int64Array, StringArray,
    TimestampNanosecondArray,
};
use arrow_schema::DataType;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ftpart::primitives::registry::families;
use ftpart::primitives::{aggregate_at, transform, Dtype, Groups, Primitive};

const GROUP: usize = 100;
/// Rows for the primitives whose cost grows with the square of the rows (in featuretools too).
const QUADRATIC_ROWS: usize = 20_000;

/// Input columns of every kind a primitive takes, `n` rows each.
struct Columns {
    kinds: Vec<(&'static str, ArrayRef)>,
}

impl Columns {
    fn new(n: usize) -> Columns {
        // A small deterministic generator: the same data on every run.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let r: Vec<u64> = (0..n).map(|_| next()).collect();
        let num: ArrayRef = Arc::new(
            r.iter()
                .map(|&x| (x % 100 != 0).then(|| (x % 20_000) as f64 / 100.0 - 50.0))
                .collect::<Float64Array>(),
        );
        let int: ArrayRef = Arc::new(
            r.iter()
                .map(|&x| (x >> 8) as i64 % 1000)
                .collect::<Int64Array>(),
        );
        let boolean: ArrayRef = Arc::new(
            r.iter()
                .map(|&x| Some(x & 4 != 0))
                .collect::<BooleanArray>(),
        );
        // Time order within each group of GROUP rows, one row every ~7 minutes with ties.
        let start = 1_388_534_400_000_000_000i64; // 2014-01-01
        let time: ArrayRef = Arc::new(TimestampNanosecondArray::from(
            (0..n)
                .map(|i| start + ((i % GROUP) as i64 * 3 + (r[i] % 2) as i64) * 211_000_000_000)
                .collect::<Vec<_>>(),
        ));
        let cat: ArrayRef = Arc::new(
            r.iter()
                .map(|&x| Some(["a", "b", "c", "d", "e", "f", "g"][(x >> 20) as usize % 7]))
                .collect::<DictionaryArray<Int32Type>>(),
        );
        let words = [
            "the",
            "Quick",
            "brown",
            "fox",
            "jumps",
            "over",
            "a",
            "lazy",
            "dog!",
            "#data",
            "@user",
            "\"quoted\"",
            "and",
            "Featuretools",
            "ÉTÉ",
        ];
        let text = |pick: &dyn Fn(u64) -> String| -> ArrayRef {
            Arc::new(StringArray::from(
                r.iter().map(|&x| pick(x)).collect::<Vec<_>>(),
            ))
        };
        let sentence = text(&|x| {
            (0..(3 + x % 9))
                .map(|k| words[((x >> (4 * k)) % words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        });
        let email = text(&|x| {
            format!(
                "user{}@{}",
                x % 977,
                ["gmail.com", "example.org"][(x % 2) as usize]
            )
        });
        let url = text(&|x| format!("https://www.site{}.com/page?id={}", x % 311, x % 97));
        let path = text(&|x| {
            format!(
                "/home/user/file{}.{}",
                x % 89,
                ["txt", "csv", "tar.gz"][(x % 3) as usize]
            )
        });
        let name = text(&|x| {
            format!(
                "{} Jane{} Doe",
                ["Mr.", "Dr.", "Ms."][(x % 3) as usize],
                x % 50
            )
        });
        let postal = text(&|x| format!("{:05}", x % 99_999));
        let latlong = text(&|x| {
            format!(
                "({}, {})",
                (x % 18_000) as f64 / 100.0 - 90.0,
                (x >> 16) as f64 % 36_000.0 / 100.0 - 180.0
            )
        });
        Columns {
            kinds: vec![
                ("num", num),
                ("time", time),
                ("bool", boolean),
                ("cat", cat),
                ("int", int),
                ("text", sentence),
                ("email", email),
                ("url", url),
                ("path", path),
                ("name", name),
                ("postal", postal),
                ("latlong", latlong),
            ],
        }
    }

    fn get(&self, kind: &str) -> &ArrayRef {
        &self.kinds.iter().find(|k| k.0 == kind).expect("a kind").1
    }

    /// The input kinds to try for `class`, most natural first.
    fn hints(class: &str) -> &'static [&'static str] {
        match class {
            c if c.contains("Email") => &["email"],
            c if c.contains("URL") => &["url"],
            "FileExtension" => &["path"],
            // Integers: no missing value near the ends (savgol's interp mode refuses one).
            "SavgolFilter" => &["int"],
            c if c.starts_with("FullName") => &["name"],
            c if c.contains("PostalCode") => &["postal"],
            "Latitude" | "Longitude" | "Haversine" | "CityblockDistance" | "GeoMidpoint"
            | "IsInGeoBox" => &["latlong"],
            c if c.contains("Word")
                || c.contains("Character")
                || c.contains("String")
                || c.contains("Hashtag")
                || c.contains("Mention")
                || c.contains("Punctuation")
                || c.contains("UpperCase")
                || c.contains("Whitespace")
                || c == "NumUniqueSeparators"
                || c == "NumWords" =>
            {
                &["text"]
            }
            _ => &["num", "time", "bool", "cat", "int"],
        }
    }
}

/// Arguments for the classes featuretools cannot build without some.
fn args(class: &str) -> serde_json::Value {
    match class {
        "IsIn" => serde_json::json!({"list_of_outputs": [1.0, 2.5, -3.0]}),
        // Its default window is a fifth of the rows (n // 10 * 2 + 1): quadratic.
        "SavgolFilter" => serde_json::json!({"window_length": 11, "polyorder": 3}),
        _ => serde_json::json!({}),
    }
}

/// The first typing of the inputs (from the class's hints) that `run` accepts on a sample.
fn typing<'a>(
    cols: &'a Columns,
    class: &str,
    arity: usize,
    run: &dyn Fn(&[ArrayRef]) -> Result<(), String>,
) -> Vec<&'a ArrayRef> {
    let hints = Columns::hints(class);
    let mut last = String::new();
    for code in 0..hints.len().pow(arity as u32) {
        let kinds: Vec<&str> = (0..arity)
            .map(|i| hints[code / hints.len().pow(i as u32) % hints.len()])
            .collect();
        let sample: Vec<ArrayRef> = kinds
            .iter()
            .map(|k| cols.get(k).slice(0, 10 * GROUP))
            .collect();
        match run(&sample) {
            Ok(()) => return kinds.iter().map(|k| cols.get(k)).collect(),
            Err(e) => last = e,
        }
    }
    panic!("{class}: no typing of its inputs from {hints:?} is accepted: {last}");
}

fn rows() -> usize {
    std::env::var("FTPART_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000)
}

fn groups_of(n: usize) -> Groups {
    Groups {
        offsets: (0..=n / GROUP).map(|g| g * GROUP).collect(),
        rows: (0..n as u32).collect(),
        ranges: None,
    }
}

fn aggregations(c: &mut Criterion) {
    let n = rows();
    let cols = Columns::new(n);
    let groups = groups_of(n);
    let sample_groups = groups_of(10 * GROUP);
    // Every group's cutoff after its rows (TIME_SINCE_LAST...).
    let cutoff = 1_420_070_400_000_000_000i64; // 2015-01-01
    let times = vec![cutoff; groups.len()];
    let sample_times = vec![cutoff; sample_groups.len()];
    for (family, entries) in families().into_iter().filter(|f| f.0.starts_with("agg/")) {
        let mut g = c.benchmark_group(family);
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .throughput(Throughput::Elements(n as u64));
        for e in entries {
            let p = Primitive::featuretools(e.class, args(e.class)).expect(e.class);
            let arity = p.arity();
            let at = |t: &[i64]| {
                if p.aggregation().is_some_and(|a| a.uses_time()) {
                    t.to_vec()
                } else {
                    Vec::new()
                }
            };
            let (st, t) = (at(&sample_times), at(&times));
            let inputs: Vec<ArrayRef> = typing(&cols, e.class, arity, &|x| {
                aggregate_at(&p, x, &sample_groups, None, &st).map(|_| ())
            })
            .into_iter()
            .cloned()
            .collect();
            g.bench_function(BenchmarkId::from_parameter(e.class), |b| {
                b.iter(|| aggregate_at(&p, &inputs, &groups, None, &t).unwrap())
            });
        }
        g.finish();
    }
}

fn transforms(c: &mut Criterion) {
    let n = rows();
    let cols = Columns::new(n);
    let cutoff = 1_420_070_400_000_000_000i64;
    let times = vec![cutoff; n];
    for (family, entries) in families().into_iter().filter(|f| f.0.starts_with("trans/")) {
        let mut g = c.benchmark_group(family);
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .throughput(Throughput::Elements(n as u64));
        for e in entries {
            let p = Primitive::featuretools(e.class, args(e.class)).expect(e.class);
            let cut = |k: usize| {
                if p.uses_cutoff() {
                    times[..k].to_vec()
                } else {
                    Vec::new()
                }
            };
            let (st, t) = (cut(10 * GROUP), cut(n));
            // pandas' `string` dtype for text, numpy for the rest (LatLong tuples are objects).
            let dtype = |x: &ArrayRef| match x.data_type() {
                DataType::Utf8 if !matches!(Columns::hints(e.class), ["latlong"]) => Dtype::String,
                _ => Dtype::Numpy,
            };
            let dtypes_of = |x: &[ArrayRef]| x.iter().map(dtype).collect::<Vec<_>>();
            let inputs: Vec<ArrayRef> = typing(&cols, e.class, p.arity(), &|x| {
                transform(&p, x, &dtypes_of(x), &st).map(|_| ())
            })
            .into_iter()
            .cloned()
            .collect();
            let dtypes = dtypes_of(&inputs);
            // EXPANDING_TREND fits a line to every prefix (np.polyfit per row, as featuretools
            // does): quadratic, so it runs on QUADRATIC_ROWS rows.
            let (inputs, t) = if e.class == "ExpandingTrend" {
                let k = QUADRATIC_ROWS.min(n);
                let cut: Vec<ArrayRef> = inputs.iter().map(|a| a.slice(0, k)).collect();
                g.throughput(Throughput::Elements(k as u64));
                (cut, t.get(..k).unwrap_or(&[]).to_vec())
            } else {
                g.throughput(Throughput::Elements(n as u64));
                (inputs, t)
            };
            g.bench_function(BenchmarkId::from_parameter(e.class), |b| {
                b.iter(|| transform(&p, &inputs, &dtypes, &t).unwrap())
            });
        }
        g.finish();
    }
}

criterion_group!(benches, aggregations, transforms);
criterion_main!(benches);

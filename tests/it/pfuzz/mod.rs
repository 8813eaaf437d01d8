//! The partition fuzzer (issue 10): random entity-set shapes, data, features and cutoffs; the
//! in-process calculator is the oracle for `split` + `compute` at 1, 2, 3 and 7 parts, in
//! process and on 1 and 2 worker processes. A partitioned run must give the same matrix (same
//! rows, order, columns and nulls; numbers within 1e-9 relative) or refuse a named feature.
//!
//! CI runs a fixed budget. For a long run:
//!
//! ```sh
//! FTPART_PFUZZ_CASES=100000 FTPART_PFUZZ_SEED=1000000 cargo test --release --test it pfuzz -- --nocapture
//! ```
//!
//! A failing case is reduced (features, then rows) and written under
//! `target/pfuzz-failures/seed-N/` in the conformance layout (`es/` as `es.to_csv` writes it,
//! `features.json`, `cutoff.csv`, `case.json`); `scripts/conformance/generate_shapes.py` style
//! generation with featuretools then gives its `expected.csv` for a regression fixture.

mod feats;
mod regress;
mod world;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use ftpart::compute::{self, Executor, InProcess};
use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::entityset::read_entityset;
use ftpart::features::FeatureGraph;
use ftpart::matrix::{self, MatrixOptions};
use ftpart::pool::{WorkerPool, WorkerPoolOptions};

use feats::{FeatureOptions, Features};
use world::{Rng, World};

/// One generated case.
#[derive(Clone)]
struct Case {
    seed: u64,
    world: World,
    by: usize,
    target: usize,
    features: Value,
    /// None, one time, or (id, time) rows.
    cutoff: CutoffSpec,
    training_window: Option<&'static str>,
    include_cutoff_time: bool,
    cutoff_time_in_index: bool,
}

#[derive(Clone)]
enum CutoffSpec {
    Now,
    At(String),
    Table(Vec<(String, String)>),
}

impl Case {
    fn generate(seed: u64) -> Case {
        let mut rng = Rng::new(seed);
        let world = World::generate(&mut rng);
        let by = rng.below(world.dfs.len());
        let below = world.below(by);
        let target = *rng.pick(&below);
        let timed = world.dfs[target].has_time();
        let cutoff = match rng.below(3) {
            0 => CutoffSpec::Now,
            1 => CutoffSpec::At(world.time_cell(rng.below(44) as i64)),
            _ => {
                let ids = &world.dfs[target].cols[0].cells;
                let mut rows: Vec<(String, String)> = Vec::new();
                for _ in 0..rng.below(12) {
                    let id = if ids.is_empty() || rng.chance(0.05) {
                        "999".to_string()
                    } else {
                        rng.pick(ids).clone().expect("index")
                    };
                    let row = (id, world.time_cell(rng.below(44) as i64));
                    // featuretools refuses a repeated (instance, time).
                    if !rows.contains(&row) {
                        rows.push(row);
                    }
                }
                CutoffSpec::Table(rows)
            }
        };
        let has_cutoff = !matches!(cutoff, CutoffSpec::Now);
        let training_window = (has_cutoff && !world.numeric_time && timed && rng.chance(0.25))
            .then(|| *rng.pick(world.windows()));
        let opts = FeatureOptions {
            // Without a cutoff, featuretools takes the current time: values that read it
            // (AGE, TIME_SINCE, TIME_SINCE_LAST...) would depend on the day.
            calc_time: has_cutoff && !world.numeric_time,
            spans: !world.numeric_time,
            windowed: training_window.is_some(),
            tree_links: world.tree_links(by),
        };
        let features = Features::generate(&world, target, &mut rng, &opts, 24);
        Case {
            seed,
            world,
            by,
            target,
            features,
            cutoff,
            training_window,
            include_cutoff_time: !rng.chance(0.2),
            cutoff_time_in_index: has_cutoff && rng.chance(0.2),
        }
    }

    /// Writes the case in the conformance layout under `dir`.
    fn write(&self, dir: &Path) -> std::io::Result<()> {
        self.world.write(&dir.join("es"))?;
        std::fs::write(
            dir.join("features.json"),
            serde_json::to_string_pretty(&self.features)?,
        )?;
        let cutoff = match &self.cutoff {
            CutoffSpec::Table(rows) => {
                let mut text = String::from("id,time,label\n");
                for (i, (id, t)) in rows.iter().enumerate() {
                    text.push_str(&format!("{id},{t},{}\n", i % 3));
                }
                std::fs::write(dir.join("cutoff.csv"), text)?;
                json!("cutoff.csv")
            }
            CutoffSpec::At(t) => json!(t),
            CutoffSpec::Now => Value::Null,
        };
        let spec = json!({
            "seed": self.seed,
            "entityset": "es",
            "target": self.world.dfs[self.target].name,
            "by": self.world.dfs[self.by].name,
            "features": "features.json",
            "cutoff_time": cutoff,
            "training_window": self.training_window,
            "include_cutoff_time": self.include_cutoff_time,
            "cutoff_time_in_index": self.cutoff_time_in_index,
        });
        std::fs::write(dir.join("case.json"), serde_json::to_string_pretty(&spec)?)
    }

    fn feature_count(&self) -> usize {
        self.features["feature_list"].as_array().map_or(0, Vec::len)
    }

    fn with_features(&self, keep: &[usize]) -> Case {
        let mut c = self.clone();
        let list = self.features["feature_list"].as_array().expect("list");
        c.features["feature_list"] =
            json!(keep.iter().map(|&i| list[i].clone()).collect::<Vec<_>>());
        c
    }
}

/// A feature a partitioned run refused by name.
struct Refusal {
    /// Its unique name.
    feature: String,
    /// The whole message.
    message: String,
    /// How many requested features it took out (those that use it).
    lost: usize,
}

impl Refusal {
    /// A refusal by design: a transform that reads the whole dataframe (or the rows computed
    /// together) whose rows or groups are spread over the parts.
    fn whole_dataframe(&self) -> bool {
        self.message.contains("(featuretools' uses_full_dataframe)")
            || self
                .message
                .contains("computed at the same cutoff, in order")
    }
}

/// How a case went.
enum Outcome {
    /// Every partitioned run gave the in-process matrix, or refused a feature by name (then the
    /// run is repeated without the requested features that use it, so that a refusal hides
    /// nothing else).
    Same {
        refusals: Vec<Refusal>,
        runs: usize,
        /// The aggregations answered across parts (in the first run split in several parts
        /// that computed): primitive class, and whether under use_previous.
        across: Vec<(&'static str, bool)>,
    },
    /// The in-process calculator itself rejected the case (a generator limit, not a finding).
    Invalid(String),
    /// A partitioned run differs or failed otherwise.
    Differs(String),
}

struct Runner {
    pools: Vec<WorkerPool>,
    /// Cases whose partitioned runs also use worker processes: one in this many.
    workers_every: u64,
}

fn matrix_csv(b: &arrow_array::RecordBatch) -> String {
    let mut out = Vec::new();
    matrix::write_csv(b, &mut out).expect("in memory");
    String::from_utf8(out).expect("utf-8")
}

fn same_cell(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => {
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-300) || (x.is_nan() && y.is_nan())
        }
        _ => false,
    }
}

fn compare(actual: &str, expected: &str) -> Result<(), String> {
    let (a, e): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), expected.lines().collect());
    if a.len() != e.len() {
        return Err(format!("{} lines, expected {}", a.len(), e.len()));
    }
    for (i, (x, y)) in a.iter().zip(&e).enumerate() {
        let (xs, ys): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
        if xs.len() != ys.len() || xs.iter().zip(&ys).any(|(p, q)| !same_cell(p, q)) {
            return Err(format!(
                "line {i}: {x}\n   expected {y}\n   header {}",
                e[0]
            ));
        }
    }
    Ok(())
}

impl Runner {
    fn new(workers_every: u64) -> Runner {
        let program = PathBuf::from(env!("CARGO_BIN_EXE_ftpart"));
        let pools = [1, 2]
            .into_iter()
            .map(|workers| {
                WorkerPool::start(WorkerPoolOptions {
                    workers,
                    program: Some(program.clone()),
                    ..Default::default()
                })
                .expect("worker pool")
            })
            .collect();
        Runner {
            pools,
            workers_every,
        }
    }

    fn run(&mut self, case: &Case, dir: &Path) -> Outcome {
        let (es, graph, cutoff, opts) = match setup(case, dir) {
            Ok(x) => x,
            Err(why) => return Outcome::Invalid(why),
        };
        let mut expected = match matrix::calculate_feature_matrix(&es, &graph, &cutoff, &opts) {
            Ok(b) => matrix_csv(&b),
            Err(e) => return Outcome::Invalid(format!("in process: {e:#}")),
        };
        let mut graph = graph;
        // The requested features still computed (positions in the case's list), and their file.
        let mut keep: Vec<usize> = (0..case.feature_count()).collect();
        let mut features = case.features.clone();
        let by = &case.world.dfs[case.by].name;
        let (mut refusals, mut runs) = (Vec::new(), 0);
        let mut across: Vec<(&'static str, bool)> = Vec::new();
        let mut counted = false;
        for parts in [1, 2, 3, 7] {
            let shards_dir = dir.join(format!("shards-{parts}"));
            let shards = match ftpart::run::split_in_memory(&es, by, parts, &shards_dir) {
                Ok(s) => s,
                Err(e) => return Outcome::Differs(format!("split into {parts} parts: {e:#}")),
            };
            let with_workers = case.seed.is_multiple_of(self.workers_every);
            for jobs in [0usize, 1, 2] {
                if jobs > 0 && !with_workers {
                    continue;
                }
                loop {
                    // In process, aggregations across parts are answered in 3 key ranges
                    // (a pool of n workers answers them in n).
                    let mut local = InProcess::with_key_ranges(3);
                    let exec: &mut dyn Executor = match jobs {
                        0 => &mut local,
                        j => &mut self.pools[j - 1],
                    };
                    runs += 1;
                    match compute::compute(&shards, &graph, &cutoff, &opts, exec) {
                        Ok(b) => {
                            if let Err(e) = compare(&matrix_csv(&b), &expected) {
                                return Outcome::Differs(format!("parts={parts} jobs={jobs}: {e}"));
                            }
                            if shards.parts() > 1 && !counted {
                                counted = true;
                                across = answered_across(&shards, &graph);
                            }
                            break;
                        }
                        Err(e) if e.to_string().contains("spread over the parts") => {
                            let message = e.to_string();
                            let Some(feature) = refused_feature(&message, &features) else {
                                return Outcome::Differs(format!(
                                    "parts={parts} jobs={jobs}: a refusal that names no feature: {message}"
                                ));
                            };
                            let list = case.features["feature_list"].as_array().expect("list");
                            let users = users_of(&features, &feature);
                            let before = keep.len();
                            keep.retain(|&i| !users.contains(list[i].as_str().expect("name")));
                            if keep.len() == before {
                                return Outcome::Differs(format!(
                                    "parts={parts} jobs={jobs}: refused '{feature}', which no requested feature uses: {message}"
                                ));
                            }
                            let lost = before - keep.len();
                            refusals.push(Refusal {
                                feature,
                                message,
                                lost,
                            });
                            if keep.is_empty() {
                                let _ = std::fs::remove_dir_all(&shards_dir);
                                return Outcome::Same {
                                    refusals,
                                    runs,
                                    across,
                                };
                            }
                            // The same run again without the features that use the refused one.
                            features = case.with_features(&keep).features;
                            graph = match FeatureGraph::from_json(&features) {
                                Ok(g) => g,
                                Err(e) => {
                                    return Outcome::Differs(format!("fewer features: {e:#}"))
                                }
                            };
                            expected =
                                match matrix::calculate_feature_matrix(&es, &graph, &cutoff, &opts)
                                {
                                    Ok(b) => matrix_csv(&b),
                                    Err(e) => {
                                        return Outcome::Differs(format!(
                                            "in process with fewer features: {e:#}"
                                        ))
                                    }
                                };
                        }
                        Err(e) => {
                            return Outcome::Differs(format!(
                                "parts={parts} jobs={jobs}: error {e:#}"
                            ))
                        }
                    }
                }
            }
            let _ = std::fs::remove_dir_all(&shards_dir);
        }
        Outcome::Same {
            refusals,
            runs,
            across,
        }
    }

    /// A smaller case that still differs: fewer features, then fewer rows.
    fn reduce(&mut self, case: &Case, dir: &Path) -> Case {
        let differs = |r: &mut Runner, c: &Case| matches!(r.run(c, dir), Outcome::Differs(_));
        let mut c = case.clone();
        let mut keep: Vec<usize> = (0..c.feature_count()).collect();
        let mut i = 0;
        while i < keep.len() && keep.len() > 1 {
            let mut k = keep.clone();
            k.remove(i);
            let cand = case.with_features(&k);
            if differs(self, &cand) {
                keep = k;
                c = cand;
            } else {
                i += 1;
            }
        }
        // Rows: drop one row at a time from the largest dataframes first, while it still differs.
        for d in (0..c.world.dfs.len()).rev() {
            let mut r = 0;
            while r < c.world.dfs[d].rows() {
                let mut cand = c.clone();
                cand.world = c.world.retain(&|df, row| df != d || row != r);
                if differs(self, &cand) {
                    c = cand;
                } else {
                    r += 1;
                }
            }
        }
        c
    }
}

/// Seeds that found something, run in every budget: each is named for what it found.
const REGRESSION_SEEDS: &[(u64, &str)] = &[
    // use_previous in observations under a training window with last time indexes, across parts:
    // refused by the coordinator with a message that did not say the rows were spread over the
    // parts (so it read as an error, not a refusal naming the feature).
    (
        925,
        "refusal of use_previous observations under a window names the spread rows",
    ),
    (3244, "the same refusal, through SKEW"),
    // use_previous in observations across parts along a two-step path whose middle rows are newer
    // than the leaf rows: the coordinator took the last row in order of the path's latest time (the
    // parent's) instead of the leaf's own time; 2.0 where featuretools says -1.0. Now refused by
    // name when the two orders differ.
    (
        1018488,
        "use_previous observations across parts take the leaf's own order",
    ),
    // Group-by transforms by the tree link's key across parts: rows with the same dangling key (a
    // value no parent has) were pseudo-roots of their own, balanced over the parts, so their group
    // was split (CUM_MAX(n) by d0_id: 0 where featuretools says 1). One pseudo-root per dangling
    // key now.
    (278, "a group by a dangling tree key stays in one part"),
    (204, "the same, through CUM_COUNT(d1_id) by d1_id"),
    // Columns whose type follows their data (an integer modulo 0 is NaN in pandas:
    // MODULO_BY_FEATURE of integers is float64 only where some row divides by 0) were integers in
    // one part and floats in another: merging the matrices, or the rows of an aggregation across
    // parts, failed.
    (
        7,
        "parts of integers and parts of floats merge, in an aggregation's rows",
    ),
    (240, "and in the matrix"),
    // FIRST, LAST, the consecutive counts... across parts read the rows in the order of their
    // times, then of the parts: rows of equal times, and every row of a dataframe without a time
    // index, came in part order, not in the child's (time, then index; file order). Equal times now
    // come in index order; dataframes without a time index are refused by name.
    (
        35,
        "order-dependent aggregations across parts of an untimed child are refused by name",
    ),
    (68, "the same, through MAX_CONSECUTIVE_POSITIVES"),
    (201, "the same, through LAST"),
    // Over a path of two steps, featuretools groups the leaf's rows (in the leaf's order) by the
    // top key; the in-process calculator grouped them by the intermediate rows, so TIME_SINCE_LAST
    // read the row of the latest intermediate row (the partitioned runs, in the leaf's order, were
    // right).
    (151, "two-step paths read the leaf's order"),
    // Infinities (LN(0)) in aggregations across parts: the running STD of [ln 1.5, ln 0] was inf
    // where pandas (and the batch kernel) says NaN; the sums of the removable sweep stayed NaN once
    // an infinity left the window. In process, SUM of an infinity then numbers was NaN where
    // pandas' group_sum (GH#53606) says the infinity.
    (100491, "infinities across parts and in sums"),
    // MEAN(skipna=False) across parts: the running mean left missing values out where the batch
    // kernel (np.mean of the values) says NaN.
    (
        200988,
        "MEAN(skipna=False) across parts is NaN with a missing value",
    ),
    // A transform's default fills only unknown instances; a part whose cutoff rows were all known
    // filled every missing value (WHITESPACE_COUNT of a missing text: 0 where featuretools says
    // null).
    (
        234,
        "a part without unknown instances keeps a transform's nulls",
    ),
    // ftpart told pandas' masked integers from numpy ones by their missing values in the frame:
    // LESS_THAN_EQUAL_TO(WHITESPACE_COUNT(s), x) was NA in the whole and False in a part where x's
    // values were all present. The dtype is now the feature's (the logical type, then what
    // pandas returns), whatever the rows.
    (
        100957,
        "an integer's dtype does not follow the rows of a part",
    ),
];

/// Writes `case` under `dir` and reads it back: the entity set, features, cutoff and options of
/// its runs (an error says why the case is invalid).
fn setup(
    case: &Case,
    dir: &Path,
) -> Result<
    (
        ftpart::entityset::EntitySet,
        FeatureGraph,
        Cutoff,
        MatrixOptions,
    ),
    String,
> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("case dir");
    case.write(dir).expect("write case");
    let es = read_entityset(&dir.join("es")).map_err(|e| format!("reading: {e:#}"))?;
    let graph = FeatureGraph::from_json(&case.features).map_err(|e| format!("features: {e:#}"))?;
    let target = &es.schema.dataframes[es.df_position(graph.target()).expect("target")];
    let cutoff = match &case.cutoff {
        CutoffSpec::Now => Cutoff::Now,
        CutoffSpec::At(t) => Cutoff::At(if case.world.numeric_time {
            ftpart::time::numeric_time_key(t.parse().expect("number"))
        } else {
            ftpart::time::parse_datetime(t).expect("time")
        }),
        CutoffSpec::Table(_) => Cutoff::Table(
            CutoffTable::read(&dir.join("cutoff.csv"), target, case.world.numeric_time)
                .map_err(|e| format!("cutoff: {e:#}"))?,
        ),
    };
    let mut opts = MatrixOptions::default();
    opts.time.include_cutoff_time = case.include_cutoff_time;
    opts.cutoff_time_in_index = case.cutoff_time_in_index;
    opts.time.training_window = case
        .training_window
        .map(|w| ftpart::time::parse_span(w).expect("window"));
    Ok((es, graph, cutoff, opts))
}

/// The aggregations of `graph` that these shards answer across parts: class, and whether
/// under use_previous.
fn answered_across(
    shards: &ftpart::shards::Shards,
    graph: &FeatureGraph,
) -> Vec<(&'static str, bool)> {
    let Ok(specs) = ftpart::outer::find(shards, graph) else {
        return Vec::new();
    };
    specs
        .iter()
        .filter_map(|s| match &graph.features[s.feature].kind {
            ftpart::features::Kind::Aggregation {
                primitive,
                use_previous,
                ..
            } => Some((primitive.class(), use_previous.is_some())),
            _ => None,
        })
        .collect()
}

/// The feature a refusal names (`feature '<unique name>': ...`): the longest defined name that
/// fits, as names may hold quotes.
fn refused_feature(message: &str, features: &Value) -> Option<String> {
    features["feature_definitions"]
        .as_object()?
        .keys()
        .filter(|k| message.contains(&format!("feature '{k}'")))
        .max_by_key(|k| k.len())
        .cloned()
}

/// The unique names of the features that use `feature` (itself included), through
/// `dependencies`.
fn users_of(features: &Value, feature: &str) -> std::collections::HashSet<String> {
    let defs = features["feature_definitions"]
        .as_object()
        .expect("definitions");
    let mut users = std::collections::HashSet::from([feature.to_string()]);
    loop {
        let before = users.len();
        for (k, d) in defs {
            let uses = d["dependencies"].as_array().is_some_and(|ds| {
                ds.iter()
                    .any(|x| x.as_str().is_some_and(|x| users.contains(x)))
            });
            if uses {
                users.insert(k.clone());
            }
        }
        if users.len() == before {
            return users;
        }
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What a run of the fuzzer saw.
#[derive(Default)]
struct Stats {
    same: u64,
    invalid: u64,
    /// Partitioned runs that refused a feature.
    refused: u64,
    /// Requested features taken out by refusals of whole-dataframe transforms across parts
    /// (by design), and by other refusals.
    lost_by_design: u64,
    lost_other: u64,
    runs: u64,
    features: u64,
    /// Primitive definitions drawn, by class.
    classes: std::collections::BTreeMap<String, u64>,
    /// Aggregations answered across parts, by class; of them under use_previous, and under
    /// training windows.
    across: std::collections::BTreeMap<&'static str, u64>,
    across_use_previous: u64,
    across_windowed: u64,
    invalid_reasons: std::collections::BTreeMap<String, u64>,
    refusal_reasons: std::collections::BTreeMap<String, u64>,
    failures: Vec<String>,
}

/// Runs the cases `seeds` (one thread's share) in `work`.
fn fuzz(seeds: impl Iterator<Item = u64>, work: &Path, workers_every: u64) -> Stats {
    let mut runner = Runner::new(workers_every);
    let dir = work.join("case");
    let mut st = Stats::default();
    for seed in seeds {
        let case = Case::generate(seed);
        for p in case.features["primitive_definitions"]
            .as_object()
            .expect("primitives")
            .values()
        {
            *st.classes
                .entry(p["type"].as_str().expect("class").to_string())
                .or_default() += 1;
        }
        match runner.run(&case, &dir) {
            Outcome::Same {
                refusals,
                runs,
                across,
            } => {
                st.same += 1;
                st.refused += refusals.len() as u64;
                for r in &refusals {
                    if r.whole_dataframe() {
                        st.lost_by_design += r.lost as u64;
                    } else {
                        st.lost_other += r.lost as u64;
                    }
                    // The reason without the feature's name, so that reasons group.
                    let m = r.message.replace(&format!("'{}'", r.feature), "F");
                    let why = m.split_once(": ").map_or(m.as_str(), |(_, w)| w);
                    let why = why.split_once(", and ").map_or(why, |(_, w)| w);
                    *st.refusal_reasons
                        .entry(why.chars().take(110).collect())
                        .or_default() += 1;
                }
                for (class, use_previous) in across {
                    *st.across.entry(class).or_default() += 1;
                    st.across_use_previous += use_previous as u64;
                    st.across_windowed += case.training_window.is_some() as u64;
                }
                st.runs += runs as u64;
                st.features += case.feature_count() as u64;
            }
            Outcome::Invalid(why) => {
                st.invalid += 1;
                // The reason without the temporary path, so that reasons group.
                let why = why.replace(&dir.display().to_string(), "CASE");
                *st.invalid_reasons
                    .entry(why.chars().take(100).collect())
                    .or_default() += 1;
            }
            Outcome::Differs(why) => {
                let small = runner.reduce(&case, &dir);
                let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join("pfuzz-failures")
                    .join(format!("seed-{seed}"));
                let _ = std::fs::remove_dir_all(&out);
                std::fs::create_dir_all(&out).expect("failure dir");
                small.write(&out).expect("write reduction");
                let now = match runner.run(&small, &dir) {
                    Outcome::Differs(w) => w,
                    _ => why.clone(),
                };
                st.failures.push(format!(
                    "seed {seed}: {why}\n  reduced to {} ({} features): {now}",
                    out.display(),
                    small.feature_count()
                ));
            }
        }
    }
    st
}

#[test]
fn pfuzz_partitioned_runs_equal_in_process_runs() {
    let cases = env_u64("FTPART_PFUZZ_CASES", 300);
    let first = env_u64("FTPART_PFUZZ_SEED", 0);
    let threads = env_u64("FTPART_PFUZZ_THREADS", 1).max(1);
    let workers_every = env_u64("FTPART_PFUZZ_WORKERS_EVERY", 10);
    // Shards of small cases are many small files: memory-backed storage where there is one.
    let shm = Path::new("/dev/shm");
    let work = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("tmp");
    let started = std::time::Instant::now();
    let parts: Vec<Stats> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let dir = work.path().join(format!("thread-{t}"));
                s.spawn(move || {
                    // The regression seeds run on the first thread.
                    let again = REGRESSION_SEEDS
                        .iter()
                        .map(|&(s, _)| s)
                        .filter(move |_| t == 0);
                    fuzz(
                        (first + t..first + cases)
                            .step_by(threads as usize)
                            .chain(again),
                        &dir,
                        workers_every,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("fuzz thread"))
            .collect()
    });
    let mut st = Stats::default();
    for p in parts {
        st.same += p.same;
        st.invalid += p.invalid;
        st.refused += p.refused;
        st.lost_by_design += p.lost_by_design;
        st.lost_other += p.lost_other;
        st.runs += p.runs;
        st.features += p.features;
        for (k, v) in p.classes {
            *st.classes.entry(k).or_default() += v;
        }
        for (k, v) in p.across {
            *st.across.entry(k).or_default() += v;
        }
        st.across_use_previous += p.across_use_previous;
        st.across_windowed += p.across_windowed;
        for (k, v) in p.invalid_reasons {
            *st.invalid_reasons.entry(k).or_default() += v;
        }
        for (k, v) in p.refusal_reasons {
            *st.refusal_reasons.entry(k).or_default() += v;
        }
        st.failures.extend(p.failures);
    }
    let pct = |n: u64| 100.0 * n as f64 / st.features.max(1) as f64;
    eprintln!(
        "pfuzz: {cases} cases from seed {first} in {:.0} s: {} same, {} differ, {} invalid; {} features, {} refused by design ({:.2}%: whole-dataframe transforms across parts), {} otherwise ({:.2}%); {} partitioned runs, {} refused",
        started.elapsed().as_secs_f64(),
        st.same,
        st.failures.len(),
        st.invalid,
        st.features,
        st.lost_by_design,
        pct(st.lost_by_design),
        st.lost_other,
        pct(st.lost_other),
        st.runs,
        st.refused,
    );
    let implemented = ftpart::primitives::registry::implemented();
    let never: Vec<&str> = implemented
        .iter()
        .copied()
        .filter(|c| !st.classes.contains_key(*c))
        .collect();
    eprintln!(
        "  primitives drawn: {} of the {} implemented{}",
        implemented.len() - never.len(),
        implemented.len(),
        if never.is_empty() {
            String::new()
        } else {
            format!(" (never: {})", never.join(", "))
        }
    );
    let order: u64 = st
        .across
        .iter()
        .filter(|(c, _)| feats::order_dependent(c))
        .map(|(_, n)| n)
        .sum();
    eprintln!(
        "  answered across parts: {} aggregations of {} classes, {order} order-dependent; {} under use_previous, {} under training windows",
        st.across.values().sum::<u64>(),
        st.across.len(),
        st.across_use_previous,
        st.across_windowed,
    );
    for (why, n) in &st.invalid_reasons {
        eprintln!("  invalid x{n}: {why}");
    }
    for (why, n) in &st.refusal_reasons {
        eprintln!("  refused x{n}: {why}");
    }
    assert!(st.failures.is_empty(), "{}", st.failures.join("\n"));
    assert!(
        st.invalid * 20 <= cases,
        "more than 5% of the generated cases are invalid"
    );
    // A refusal fails the user too: they must stay rare. Whole-dataframe transforms (CUM_SUM
    // ungrouped or grouped by a key whose groups are spread over the parts) are refused by
    // design; the generator draws them on purpose, and they have their own bound.
    assert!(
        st.lost_other * 50 <= st.features.max(1),
        "refused features are above 2% of the generated features"
    );
    assert!(
        st.lost_by_design * 20 <= st.features.max(1),
        "whole-dataframe transforms refused across parts are above 5% of the generated features"
    );
}

#[test]
fn pfuzz_draws_every_implemented_primitive() {
    let drawn = feats::drawn_classes();
    let missing: Vec<&str> = ftpart::primitives::registry::implemented()
        .into_iter()
        .filter(|c| !drawn.contains(c))
        .collect();
    assert!(missing.is_empty(), "the generator never draws {missing:?}");
}

//! DFS-like feature definitions over a random world, as `ft.save_features` writes them.
//!
//! Aggregations come from every aggregation primitive ftpart implements ([`AGGS`]), with
//! inputs of their kinds (numbers, booleans, categories, datetimes, the child's time index as a
//! second input) and random arguments; transforms from every transform primitive it implements
//! whose inputs the world has ([`unary_classes`], [`Features::binary`]), cumulative ones as
//! featuretools saves them (group-by transforms, mostly by the key of the dataframe's tree link,
//! which keeps every group in one part). Primitives that read the cutoff time only come with a
//! cutoff (no value depends on the current date); those that read the child rows in order are
//! favoured on aggregations whose child rows are spread over the parts, under use_previous and
//! under training windows.

use std::collections::HashMap;

use serde_json::{json, Value};

use ftpart::primitives::registry;

use super::world::{ColType, Rng, Web, World, CATS};

/// What a feature's values are, for choosing primitives that take them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Num,
    Bool,
    Cat,
    Time,
    /// Index values (COUNT's input).
    Key,
    /// Several outputs (N_MOST_COMMON): nothing takes it as an input but a slice.
    Multi,
    /// NaturalLanguage.
    Text,
    Web(Web),
    /// Timedelta (DIFF_DATETIME): nothing the generator draws takes it.
    Span,
}

impl Ty {
    /// Category values (featuretools' `category` tag).
    fn is_cat(self) -> bool {
        matches!(self, Ty::Cat | Ty::Web(Web::Postal))
    }
}

struct F {
    unique: String,
    name: String,
    df: usize,
    ty: Ty,
    /// The identity feature of its dataframe's (Datetime) time index.
    time_index: bool,
    /// Values it takes, for scalar arguments (comparisons, IS_IN).
    samples: Vec<Value>,
    /// Number of outputs (feature_names), for multi-output features.
    outputs: usize,
}

/// Options of the generated features.
pub struct FeatureOptions {
    /// Primitives that read the cutoff time (AGE, TIME_SINCE, TIME_SINCE_LAST, ...) may be used:
    /// a cutoff time is given, so values do not depend on the day.
    pub calc_time: bool,
    /// use_previous as a time span (Datetime time indexes).
    pub spans: bool,
    /// The case has a training window: order-dependent aggregations are favoured.
    pub windowed: bool,
    /// Each dataframe's tree link in the split (see [`World::tree_links`]).
    pub tree_links: Vec<Option<usize>>,
}

/// What an aggregation primitive reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum In {
    Num,
    Bool,
    Cat,
    /// Any values (FIRST, LAST).
    Any,
    /// A datetime.
    Date,
    /// The child's (Datetime) time index.
    TimeIndex,
    /// The child's index (COUNT).
    Key,
    /// (number, time index): TREND.
    NumTime,
    /// (time index, boolean): TIME_SINCE_LAST_TRUE / FALSE.
    TimeBool,
    /// (time index, number): TIME_SINCE_LAST_MAX / MIN.
    TimeNum,
}

/// What an aggregation primitive gives.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Out {
    Num,
    Bool,
    Cat,
    Time,
    /// Its input's kind (FIRST, LAST).
    Same,
    /// `n` outputs.
    Multi,
}

/// Every aggregation primitive ftpart implements: class, input, output, and whether its value
/// depends on the order of the child rows.
const AGGS: &[(&str, In, Out, bool)] = &[
    ("Count", In::Key, Out::Num, false),
    // Numbers.
    ("Sum", In::Num, Out::Num, false),
    ("Mean", In::Num, Out::Num, false),
    ("Std", In::Num, Out::Num, false),
    ("Max", In::Num, Out::Num, false),
    ("Min", In::Num, Out::Num, false),
    ("Skew", In::Num, Out::Num, false),
    ("Median", In::Num, Out::Num, false),
    ("Variance", In::Num, Out::Num, false),
    ("Kurtosis", In::Num, Out::Num, false),
    ("MaxMinDelta", In::Num, Out::Num, false),
    ("CountAboveMean", In::Num, Out::Num, false),
    ("CountBelowMean", In::Num, Out::Num, false),
    ("CountGreaterThan", In::Num, Out::Num, false),
    ("CountLessThan", In::Num, Out::Num, false),
    ("CountInsideNthSTD", In::Num, Out::Num, false),
    ("CountOutsideNthSTD", In::Num, Out::Num, false),
    ("CountInsideRange", In::Num, Out::Num, false),
    ("CountOutsideRange", In::Num, Out::Num, false),
    ("MaxCount", In::Num, Out::Num, false),
    ("MinCount", In::Num, Out::Num, false),
    ("MedianCount", In::Num, Out::Num, false),
    ("NumUnique", In::Num, Out::Num, false),
    ("HasNoDuplicates", In::Num, Out::Bool, false),
    ("MaxConsecutiveNegatives", In::Num, Out::Num, true),
    ("MaxConsecutivePositives", In::Num, Out::Num, true),
    ("MaxConsecutiveZeros", In::Num, Out::Num, true),
    ("NumConsecutiveGreaterMean", In::Num, Out::Num, true),
    ("NumConsecutiveLessMean", In::Num, Out::Num, true),
    ("NumPeaks", In::Num, Out::Num, true),
    ("NumZeroCrossings", In::Num, Out::Num, true),
    ("IsMonotonicallyIncreasing", In::Num, Out::Bool, true),
    ("IsMonotonicallyDecreasing", In::Num, Out::Bool, true),
    ("Trend", In::NumTime, Out::Num, true),
    ("TimeSinceLastMax", In::TimeNum, Out::Num, true),
    ("TimeSinceLastMin", In::TimeNum, Out::Num, true),
    // Booleans.
    ("PercentTrue", In::Bool, Out::Num, false),
    ("NumTrue", In::Bool, Out::Num, false),
    ("All", In::Bool, Out::Bool, false),
    ("Any", In::Bool, Out::Bool, false),
    ("MaxConsecutiveTrue", In::Bool, Out::Num, true),
    ("MaxConsecutiveFalse", In::Bool, Out::Num, true),
    ("NumFalseSinceLastTrue", In::Bool, Out::Num, true),
    ("NumTrueSinceLastFalse", In::Bool, Out::Num, true),
    ("TimeSinceLastTrue", In::TimeBool, Out::Num, true),
    ("TimeSinceLastFalse", In::TimeBool, Out::Num, true),
    // Categories.
    ("Mode", In::Cat, Out::Cat, false),
    ("NumUnique", In::Cat, Out::Num, false),
    ("NMostCommon", In::Cat, Out::Multi, false),
    ("NMostCommonFrequency", In::Cat, Out::Multi, false),
    ("AverageCountPerUnique", In::Cat, Out::Num, false),
    ("Entropy", In::Cat, Out::Num, false),
    ("PercentUnique", In::Cat, Out::Num, false),
    ("IsUnique", In::Cat, Out::Bool, false),
    ("HasNoDuplicates", In::Cat, Out::Bool, false),
    // Datetimes.
    ("NUniqueDays", In::Date, Out::Num, false),
    ("NUniqueDaysOfCalendarYear", In::Date, Out::Num, false),
    ("NUniqueDaysOfMonth", In::Date, Out::Num, false),
    ("NUniqueMonths", In::Date, Out::Num, false),
    ("NUniqueWeeks", In::Date, Out::Num, false),
    ("AvgTimeBetween", In::TimeIndex, Out::Num, false),
    ("DateFirstEvent", In::TimeIndex, Out::Time, true),
    ("FirstLastTimeDelta", In::TimeIndex, Out::Num, true),
    ("TimeSinceFirst", In::TimeIndex, Out::Num, true),
    ("TimeSinceLast", In::TimeIndex, Out::Num, true),
    // Any kind.
    ("First", In::Any, Out::Same, true),
    ("Last", In::Any, Out::Same, true),
];

/// Transforms applied to one input of each kind.
fn unary_classes(ty: Ty, opts: &FeatureOptions) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = match ty {
        Ty::Num => vec![
            "GreaterThanScalar",
            "GreaterThanEqualToScalar",
            "LessThanScalar",
            "LessThanEqualToScalar",
            "EqualScalar",
            "NotEqualScalar",
            "IsNull",
            "IsIn",
            "Absolute",
            "Cosine",
            "Sine",
            "Tangent",
            "NaturalLogarithm",
            "SquareRoot",
            "Negate",
            "AddNumericScalar",
            "SubtractNumericScalar",
            "ScalarSubtractNumericFeature",
            "MultiplyNumericScalar",
            "DivideNumericScalar",
            "DivideByFeature",
            "ModuloNumericScalar",
            "ModuloByFeature",
        ],
        Ty::Bool => vec!["Not", "IsNull", "EqualScalar", "NotEqualScalar", "IsIn"],
        Ty::Cat | Ty::Web(Web::Postal) => {
            let mut v = vec!["EqualScalar", "NotEqualScalar", "IsIn", "IsNull"];
            if ty == Ty::Web(Web::Postal) {
                v = vec![
                    "OneDigitPostalCode",
                    "TwoDigitPostalCode",
                    "EqualScalar",
                    "IsIn",
                ];
            }
            v
        }
        Ty::Time => vec![
            "Day",
            "Month",
            "Year",
            "Weekday",
            "Hour",
            "Minute",
            "Second",
            "DayOfYear",
            "DaysInMonth",
            "IsFirstWeekOfMonth",
            "IsLeapYear",
            "IsLunchTime",
            "IsMonthEnd",
            "IsMonthStart",
            "IsQuarterEnd",
            "IsQuarterStart",
            "IsWeekend",
            "IsWorkingHours",
            "IsYearEnd",
            "IsYearStart",
            "NthWeekOfMonth",
            "PartOfDay",
            "Quarter",
            "Season",
            "Week",
            "DateToTimeZone",
            "IsFederalHoliday",
            "DateToHoliday",
            "DistanceToHoliday",
            "IsNull",
        ],
        Ty::Text => vec![
            "NumWords",
            "NumCharacters",
            "CountString",
            "MeanCharactersPerWord",
            "MedianWordLength",
            "NumUniqueSeparators",
            "NumberOfCommonWords",
            "NumberOfHashtags",
            "NumberOfMentions",
            "NumberOfUniqueWords",
            "NumberOfWordsInQuotes",
            "PunctuationCount",
            "TitleWordCount",
            "TotalWordLength",
            "UpperCaseCount",
            "UpperCaseWordCount",
            "WhitespaceCount",
            "IsNull",
        ],
        Ty::Web(Web::Email) => vec!["EmailAddressToDomain", "IsFreeEmailDomain"],
        Ty::Web(Web::Url) => vec!["URLToDomain", "URLToProtocol", "URLToTLD"],
        Ty::Web(Web::Path) => vec!["FileExtension"],
        Ty::Web(Web::Name) => vec![
            "FullNameToFirstName",
            "FullNameToLastName",
            "FullNameToTitle",
        ],
        Ty::Web(Web::LatLong) => vec!["Latitude", "Longitude", "IsInGeoBox"],
        Ty::Key | Ty::Multi | Ty::Span => vec![],
    };
    if ty == Ty::Time && opts.calc_time {
        v.extend(["Age", "TimeSince"]);
    }
    v
}

/// The classes of the cumulative transforms (featuretools' `uses_full_dataframe`).
const CUMULATIVE: &[&str] = &["CumSum", "CumMean", "CumMin", "CumMax", "CumCount"];

/// The inputs of a series transform (one that reads its rows in order).
#[derive(Clone, Copy, PartialEq)]
enum SeriesIn {
    Num,
    /// A datetime (the time index or another).
    Time,
    /// The time index alone.
    TimeIndex,
    /// (time index, number).
    TimeNum,
    /// (number, time index).
    NumTime,
    /// (time index, boolean).
    TimeBool,
    /// (category or number, time index): LAG.
    AnyTime,
}

/// The series transforms: class, inputs, output kind (None: the first input's).
const SERIES: &[(&str, SeriesIn, Option<Ty>)] = &[
    ("Diff", SeriesIn::Num, Some(Ty::Num)),
    ("DiffDatetime", SeriesIn::Time, Some(Ty::Span)),
    ("Lag", SeriesIn::AnyTime, None),
    ("NumericLag", SeriesIn::TimeNum, Some(Ty::Num)),
    ("Percentile", SeriesIn::Num, Some(Ty::Num)),
    ("RateOfChange", SeriesIn::NumTime, Some(Ty::Num)),
    ("AbsoluteDiff", SeriesIn::Num, Some(Ty::Num)),
    ("PercentChange", SeriesIn::Num, Some(Ty::Num)),
    ("SameAsPrevious", SeriesIn::Num, Some(Ty::Bool)),
    ("TimeSincePrevious", SeriesIn::TimeIndex, Some(Ty::Num)),
    (
        "CumulativeTimeSinceLastTrue",
        SeriesIn::TimeBool,
        Some(Ty::Num),
    ),
    (
        "CumulativeTimeSinceLastFalse",
        SeriesIn::TimeBool,
        Some(Ty::Num),
    ),
    ("RollingCount", SeriesIn::TimeIndex, Some(Ty::Num)),
    ("RollingMax", SeriesIn::TimeNum, Some(Ty::Num)),
    ("RollingMean", SeriesIn::TimeNum, Some(Ty::Num)),
    ("RollingMin", SeriesIn::TimeNum, Some(Ty::Num)),
    ("RollingSTD", SeriesIn::TimeNum, Some(Ty::Num)),
    ("RollingTrend", SeriesIn::TimeNum, Some(Ty::Num)),
    ("RollingOutlierCount", SeriesIn::TimeNum, Some(Ty::Num)),
    ("ExpandingCount", SeriesIn::TimeIndex, Some(Ty::Num)),
    ("ExpandingMax", SeriesIn::TimeNum, Some(Ty::Num)),
    ("ExpandingMean", SeriesIn::TimeNum, Some(Ty::Num)),
    ("ExpandingMin", SeriesIn::TimeNum, Some(Ty::Num)),
    ("ExpandingSTD", SeriesIn::TimeNum, Some(Ty::Num)),
    ("ExpandingTrend", SeriesIn::TimeNum, Some(Ty::Num)),
    ("ExponentialWeightedAverage", SeriesIn::Num, Some(Ty::Num)),
    ("ExponentialWeightedSTD", SeriesIn::Num, Some(Ty::Num)),
    ("ExponentialWeightedVariance", SeriesIn::Num, Some(Ty::Num)),
    ("SavgolFilter", SeriesIn::Num, Some(Ty::Num)),
];

/// Random arguments of a series transform, valid for featuretools.
fn series_args(class: &str, rng: &mut Rng) -> serde_json::Map<String, Value> {
    let mut a = serde_json::Map::new();
    let fill = |rng: &mut Rng| json!(rng.pick(&["pad", "ffill", "bfill", "backfill"]));
    match class {
        "Diff" | "DiffDatetime" | "Lag" | "NumericLag" | "PercentChange" if rng.chance(0.5) => {
            a.insert("periods".into(), json!(rng.pick(&[0, 1, 2, 3, -1])));
        }
        _ => {}
    }
    match class {
        "NumericLag" if rng.chance(0.3) => {
            a.insert("fill_value".into(), json!(rng.pick(&[0, -1])));
        }
        "AbsoluteDiff" if rng.chance(0.5) => {
            a.insert("method".into(), fill(rng));
        }
        "PercentChange" | "SameAsPrevious" if rng.chance(0.5) => {
            a.insert("fill_method".into(), fill(rng));
        }
        "TimeSincePrevious" if rng.chance(0.5) => {
            a.insert(
                "unit".into(),
                json!(rng.pick(&["seconds", "minutes", "hours", "days"])),
            );
        }
        "ExponentialWeightedAverage" | "ExponentialWeightedSTD" | "ExponentialWeightedVariance" => {
            match rng.below(5) {
                0 => {}
                1 => {
                    a.insert("com".into(), json!(rng.pick(&[0.5, 1.0, 2.0])));
                }
                2 => {
                    a.insert("span".into(), json!(rng.pick(&[1.5, 2.0, 4.0])));
                }
                3 => {
                    a.insert("halflife".into(), json!(rng.pick(&[0.5, 1.0, 3.0])));
                }
                _ => {
                    a.insert("alpha".into(), json!(rng.pick(&[0.1, 0.5, 1.0])));
                }
            }
            if rng.chance(0.3) {
                a.insert("ignore_na".into(), json!(rng.chance(0.5)));
            }
        }
        "SavgolFilter" if rng.chance(0.6) => {
            let (w, p) = *rng.pick(&[(3, 1), (5, 2), (3, 2), (7, 3)]);
            a.insert("window_length".into(), json!(w));
            a.insert("polyorder".into(), json!(p));
            if rng.chance(0.3) {
                a.insert(
                    "mode".into(),
                    json!(rng.pick(&["mirror", "constant", "nearest", "wrap"])),
                );
            }
        }
        c if c.starts_with("Rolling") || c.starts_with("Expanding") => {
            let rolling = c.starts_with("Rolling");
            // Rows, or a fixed offset (then the gap is an offset too, or 0).
            let offset = rolling && rng.chance(0.3);
            if offset || (rolling && rng.chance(0.7)) {
                let w = if offset {
                    json!(rng.pick(&["1h", "6h", "1D", "3D"]))
                } else {
                    json!(rng.pick(&[1, 2, 3, 5]))
                };
                a.insert("window_length".into(), w);
            }
            if rng.chance(0.5) || offset {
                let g = if offset {
                    json!(rng.pick(&["1h", "2h", "6h"]))
                } else {
                    json!(rng.pick(&[0, 1, 2]))
                };
                a.insert("gap".into(), g);
            }
            if rng.chance(0.3) && !offset {
                a.insert("min_periods".into(), json!(rng.pick(&[0, 1])));
            }
        }
        _ => {}
    }
    a
}

/// Transforms of two numbers.
const NUMERIC_BINARY: &[&str] = &[
    "Equal",
    "NotEqual",
    "GreaterThan",
    "GreaterThanEqualTo",
    "LessThan",
    "LessThanEqualTo",
    "AddNumeric",
    "SubtractNumeric",
    "MultiplyNumeric",
    "DivideNumeric",
    "ModuloNumeric",
];

/// The other transforms of two inputs.
const BINARY: &[&str] = &[
    "And",
    "Or",
    "MultiplyBoolean",
    "MultiplyNumericBoolean",
    "Haversine",
    "CityblockDistance",
    "GeoMidpoint",
];

/// Whether an aggregation's value depends on the order of the child rows.
pub fn order_dependent(class: &str) -> bool {
    AGGS.iter().any(|a| a.0 == class && a.3)
}

/// Every primitive class the generator draws (for the coverage test).
pub fn drawn_classes() -> Vec<&'static str> {
    let all = FeatureOptions {
        calc_time: true,
        spans: true,
        windowed: false,
        tree_links: Vec::new(),
    };
    let mut v: Vec<&'static str> = AGGS.iter().map(|a| a.0).collect();
    for ty in [
        Ty::Num,
        Ty::Bool,
        Ty::Cat,
        Ty::Time,
        Ty::Text,
        Ty::Web(Web::Email),
        Ty::Web(Web::Url),
        Ty::Web(Web::Path),
        Ty::Web(Web::Name),
        Ty::Web(Web::Postal),
        Ty::Web(Web::LatLong),
    ] {
        v.extend(unary_classes(ty, &all));
    }
    v.extend(CUMULATIVE);
    v.extend(SERIES.iter().map(|x| x.0));
    v.extend(NUMERIC_BINARY);
    v.extend(BINARY);
    v.sort_unstable();
    v.dedup();
    v
}

fn pick_num(rng: &mut Rng) -> Value {
    match rng.below(7) {
        0 => json!(-1),
        1 => json!(0),
        2 => json!(1),
        3 => json!(2),
        4 => json!(0.5),
        5 => json!(-1.5),
        _ => json!(3),
    }
}

fn unit(rng: &mut Rng) -> Value {
    json!(rng.pick(&[
        "seconds",
        "minutes",
        "hours",
        "days",
        "Days",
        "months",
        "years",
        "milliseconds",
        "nanoseconds",
    ]))
}

/// Random arguments of an aggregation primitive (some given as their defaults, some not given).
fn agg_args(class: &str, rng: &mut Rng) -> serde_json::Map<String, Value> {
    let mut a = serde_json::Map::new();
    let known = registry::known(class).expect("a featuretools class");
    for &k in known.args {
        if !rng.chance(0.6) {
            continue;
        }
        let v = match (class, k) {
            (_, "skipna") | (_, "fisher") | (_, "bias") | (_, "dropna") => json!(rng.chance(0.5)),
            (_, "use_string_for_pd_calc") => json!(rng.chance(0.5)),
            (_, "threshold") | (_, "lower") | (_, "upper") => pick_num(rng),
            ("CountInsideNthSTD" | "CountOutsideNthSTD", "n") => {
                json!(rng.pick(&[0.5, 1.0, 1.5, 2.0]))
            }
            (_, "n") => json!(1 + rng.below(3)),
            (_, "nan_policy") => json!(rng.pick(&["propagate", "omit"])),
            (_, "base") => json!(rng.pick(&[2.0, 10.0, 0.5])),
            (_, "unit") => unit(rng),
            _ => continue,
        };
        a.insert(k.to_string(), v);
    }
    a
}

/// featuretools' `get_args_string`, for arguments as given.
fn args_string(args: &serde_json::Map<String, Value>) -> String {
    args.iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!(", {k}={s}"),
            v => format!(", {k}={v}"),
        })
        .collect()
}

pub struct Features {
    /// The target: multi-output features are listed only there (else they are sliced).
    top: usize,
    feats: Vec<F>,
    by_unique: HashMap<String, usize>,
    defs: serde_json::Map<String, Value>,
    prims: serde_json::Map<String, Value>,
}

impl Features {
    fn new(top: usize) -> Self {
        Features {
            top,
            feats: Vec::new(),
            by_unique: HashMap::new(),
            defs: serde_json::Map::new(),
            prims: serde_json::Map::new(),
        }
    }

    /// A primitive definition of featuretools' class (its module from the catalogue).
    fn prim(&mut self, class: &str, args: &serde_json::Map<String, Value>) -> String {
        let known = registry::known(class).expect("a featuretools class");
        for k in args.keys() {
            assert!(known.args.contains(&k.as_str()), "{class} takes no {k}");
        }
        let key = self.prims.len().to_string();
        self.prims.insert(
            key.clone(),
            json!({"type": class, "module": known.module, "arguments": args}),
        );
        key
    }

    fn prim_name(class: &str) -> String {
        registry::known(class)
            .expect("a featuretools class")
            .name
            .to_uppercase()
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        w: &World,
        df: usize,
        name: String,
        ty: Ty,
        def: Value,
        samples: Vec<Value>,
        outputs: usize,
    ) -> usize {
        let unique = format!("{}: {name}", w.dfs[df].name);
        if let Some(&i) = self.by_unique.get(&unique) {
            return i;
        }
        let mut def = def;
        def["arguments"]["name"] = json!(name);
        self.defs.insert(unique.clone(), def);
        self.feats.push(F {
            unique: unique.clone(),
            name,
            df,
            ty,
            time_index: false,
            samples,
            outputs,
        });
        self.by_unique.insert(unique, self.feats.len() - 1);
        self.feats.len() - 1
    }

    fn identity(&mut self, w: &World, df: usize, col: &str, ty: Ty) -> usize {
        let def = json!({"type": "IdentityFeature", "dependencies": [],
            "arguments": {"column_name": col, "dataframe_name": w.dfs[df].name}});
        let samples = w.dfs[df]
            .cols
            .iter()
            .find(|c| c.name == col)
            .map(|c| samples_of(&c.ty, &c.cells))
            .unwrap_or_default();
        let i = self.add(w, df, col.to_string(), ty, def, samples, 1);
        if col == "t" && !w.numeric_time {
            self.feats[i].time_index = true;
        }
        i
    }

    /// The identity of `df`'s Datetime time index, when it has one.
    fn time_index(&mut self, w: &World, df: usize) -> Option<usize> {
        (w.dfs[df].has_time() && !w.numeric_time).then(|| self.identity(w, df, "t", Ty::Time))
    }

    /// A value of `base` (or a number) as a scalar argument.
    fn sample(&self, base: usize, rng: &mut Rng) -> Value {
        let s = &self.feats[base].samples;
        if s.is_empty() || rng.chance(0.15) {
            match self.feats[base].ty {
                Ty::Bool => json!(rng.chance(0.5)),
                Ty::Num => pick_num(rng),
                _ => json!(rng.pick(&CATS)),
            }
        } else {
            rng.pick(s).clone()
        }
    }

    /// A transform of `bases` by `class` with `args`: a TransformFeature.
    fn transform_of(
        &mut self,
        w: &World,
        class: &str,
        bases: &[usize],
        args: serde_json::Map<String, Value>,
        out: Ty,
        samples: Vec<Value>,
    ) -> usize {
        let names: Vec<&str> = bases.iter().map(|&b| self.feats[b].name.as_str()).collect();
        let name = format!(
            "{}({}{})",
            Self::prim_name(class),
            names.join(", "),
            args_string(&args)
        );
        let p = self.prim(class, &args);
        let uniques: Vec<&str> = bases
            .iter()
            .map(|&b| self.feats[b].unique.as_str())
            .collect();
        let def = json!({"type": "TransformFeature", "dependencies": uniques,
            "arguments": {"base_features": uniques, "primitive": p}});
        let df = self.feats[bases[0]].df;
        self.add(w, df, name, out, def, samples, 1)
    }

    /// A transform of one feature by a primitive that takes its kind, with random arguments.
    fn transform(
        &mut self,
        w: &World,
        base: usize,
        rng: &mut Rng,
        opts: &FeatureOptions,
    ) -> Option<usize> {
        let ty = self.feats[base].ty;
        let classes = unary_classes(ty, opts);
        if classes.is_empty() {
            return None;
        }
        let class = *rng.pick(&classes);
        let (args, out, samples) = self.unary_args(class, base, rng);
        Some(self.transform_of(w, class, &[base], args, out, samples))
    }

    /// Arguments, output kind and output samples of a one-input transform of `base`.
    fn unary_args(
        &self,
        class: &str,
        base: usize,
        rng: &mut Rng,
    ) -> (serde_json::Map<String, Value>, Ty, Vec<Value>) {
        let mut a = serde_json::Map::new();
        let given = |rng: &mut Rng| rng.chance(0.7);
        let ints = |xs: &[i64]| xs.iter().map(|&x| json!(x)).collect::<Vec<_>>();
        let texts = |xs: &[&str]| xs.iter().map(|&x| json!(x)).collect::<Vec<_>>();
        let (out, samples) = match class {
            "GreaterThanScalar"
            | "GreaterThanEqualToScalar"
            | "LessThanScalar"
            | "LessThanEqualToScalar"
            | "EqualScalar"
            | "NotEqualScalar" => {
                a.insert("value".into(), self.sample(base, rng));
                (Ty::Bool, vec![])
            }
            "IsIn" => {
                let mut list: Vec<Value> = (0..1 + rng.below(3))
                    .map(|_| self.sample(base, rng))
                    .collect();
                if rng.chance(0.2) {
                    list.push(Value::Null);
                }
                a.insert("list_of_outputs".into(), json!(list));
                (Ty::Bool, vec![])
            }
            "AddNumericScalar"
            | "SubtractNumericScalar"
            | "ScalarSubtractNumericFeature"
            | "MultiplyNumericScalar"
            | "DivideNumericScalar"
            | "DivideByFeature"
            | "ModuloNumericScalar"
            | "ModuloByFeature" => {
                if given(rng) {
                    a.insert("value".into(), pick_num(rng));
                }
                (Ty::Num, vec![])
            }
            "Absolute" | "Cosine" | "Sine" | "Tangent" | "NaturalLogarithm" | "SquareRoot"
            | "Negate" => (Ty::Num, vec![]),
            "IsNull" | "Not" => (Ty::Bool, vec![]),
            "Day" | "DayOfYear" => (Ty::Cat, ints(&[1, 2, 3, 31, 60])),
            "Month" | "Quarter" => (Ty::Cat, ints(&[1, 2, 3, 4])),
            "Year" => (Ty::Cat, ints(&[2020])),
            "Weekday" => (Ty::Cat, ints(&[0, 2, 5, 6])),
            "Hour" => (Ty::Cat, ints(&[0, 6, 12, 18])),
            "Minute" | "Second" => (Ty::Cat, ints(&[0, 11, 37])),
            "DaysInMonth" => (Ty::Cat, ints(&[29, 31])),
            "Week" | "NthWeekOfMonth" => (Ty::Cat, ints(&[1, 2, 5])),
            "PartOfDay" => (Ty::Cat, texts(&["morning", "night", "midnight"])),
            "Season" => (Ty::Cat, texts(&["winter", "spring"])),
            "DateToTimeZone" => (Ty::Cat, vec![]),
            "IsLunchTime" => {
                if given(rng) {
                    a.insert("lunch_hour".into(), json!(rng.pick(&[12, 6, 18, 13])));
                }
                (Ty::Bool, vec![])
            }
            "IsWorkingHours" => {
                if given(rng) {
                    a.insert("start_hour".into(), json!(rng.pick(&[0, 6, 8, 9])));
                }
                if given(rng) {
                    a.insert("end_hour".into(), json!(rng.pick(&[12, 17, 18, 20])));
                }
                (Ty::Bool, vec![])
            }
            "IsFederalHoliday" => {
                if given(rng) {
                    a.insert(
                        "country".into(),
                        json!(rng.pick(&["US", "UnitedKingdom", "AU", "NZ", "CA", "DE", "JP"])),
                    );
                }
                (Ty::Bool, vec![])
            }
            "DateToHoliday" => {
                if given(rng) {
                    a.insert("country".into(), json!(rng.pick(&["US", "GB", "AU", "NZ"])));
                }
                (Ty::Cat, texts(&["New Year's Day", "Australia Day"]))
            }
            "DistanceToHoliday" => {
                if given(rng) {
                    let (h, c) = *rng.pick(&[
                        ("New Year's Day", "US"),
                        ("Washington's Birthday", "US"),
                        ("Christmas Day", "USA"),
                        ("Good Friday", "GB"),
                        ("Australia Day", "AU"),
                        ("Anzac Day", "NZ"),
                    ]);
                    a.insert("holiday".into(), json!(h));
                    a.insert("country".into(), json!(c));
                }
                (Ty::Num, vec![])
            }
            "IsFirstWeekOfMonth" | "IsLeapYear" | "IsMonthEnd" | "IsMonthStart"
            | "IsQuarterEnd" | "IsQuarterStart" | "IsWeekend" | "IsYearEnd" | "IsYearStart" => {
                (Ty::Bool, vec![])
            }
            "Age" => (Ty::Num, vec![]),
            "TimeSince" => {
                if given(rng) {
                    a.insert("unit".into(), unit(rng));
                }
                (Ty::Num, vec![])
            }
            "CountString" => {
                if given(rng) {
                    a.insert(
                        "string".into(),
                        json!(rng.pick(&["the", "o", "#", "[a-z]+", "The", "e."])),
                    );
                }
                for k in [
                    "ignore_case",
                    "ignore_non_alphanumeric",
                    "is_regex",
                    "match_whole_words_only",
                ] {
                    if rng.chance(0.4) {
                        a.insert(k.into(), json!(rng.chance(0.5)));
                    }
                }
                (Ty::Num, vec![])
            }
            "MedianWordLength" | "NumberOfCommonWords" => {
                if rng.chance(0.4) {
                    a.insert(
                        "delimiters_regex".into(),
                        json!(rng.pick(&[" ", "[ ,.]", "[ -]"])),
                    );
                }
                if class == "NumberOfCommonWords" && given(rng) {
                    a.insert("word_set".into(), json!(["the", "one", "hello", "is"]));
                }
                (Ty::Num, vec![])
            }
            "NumUniqueSeparators" => {
                if given(rng) {
                    a.insert("separators".into(), json!([" ", ".", ",", "#"]));
                }
                (Ty::Num, vec![])
            }
            "NumberOfUniqueWords" => {
                if given(rng) {
                    a.insert("case_insensitive".into(), json!(rng.chance(0.5)));
                }
                (Ty::Num, vec![])
            }
            "NumberOfWordsInQuotes" => {
                if given(rng) {
                    a.insert(
                        "quote_type".into(),
                        json!(rng.pick(&["both", "single", "double"])),
                    );
                }
                (Ty::Num, vec![])
            }
            "TotalWordLength" => {
                if rng.chance(0.4) {
                    a.insert("do_not_count".into(), json!("[ .]"));
                }
                (Ty::Num, vec![])
            }
            "NumWords"
            | "NumCharacters"
            | "MeanCharactersPerWord"
            | "NumberOfHashtags"
            | "NumberOfMentions"
            | "PunctuationCount"
            | "TitleWordCount"
            | "UpperCaseCount"
            | "UpperCaseWordCount"
            | "WhitespaceCount"
            | "Latitude"
            | "Longitude" => (Ty::Num, vec![]),
            "EmailAddressToDomain" => (Ty::Cat, texts(&["gmail.com", "example.org"])),
            "IsFreeEmailDomain" => (Ty::Bool, vec![]),
            "URLToDomain" => (Ty::Cat, texts(&["example.com", "sub.domain.org"])),
            "URLToProtocol" => (Ty::Cat, texts(&["https", "http"])),
            "URLToTLD" => (Ty::Cat, texts(&["com", "org"])),
            "FileExtension" => (Ty::Cat, texts(&[".txt", ".gz"])),
            "FullNameToFirstName" => (Ty::Cat, texts(&["John", "Jane"])),
            "FullNameToLastName" => (Ty::Cat, texts(&["Smith", "Doe"])),
            "FullNameToTitle" => (Ty::Cat, texts(&["Mr", "Dr"])),
            "OneDigitPostalCode" | "TwoDigitPostalCode" => (Ty::Cat, texts(&["0", "94", "1"])),
            "IsInGeoBox" => {
                a.insert(
                    "point1".into(),
                    json!([rng.pick(&[-40.0, 0.0, 1.0]), -80.0]),
                );
                a.insert("point2".into(), json!([rng.pick(&[45.0, 60.0]), 160.0]));
                (Ty::Bool, vec![])
            }
            other => panic!("no arguments for {other}"),
        };
        (a, out, samples)
    }

    /// Identity features of a dataframe's columns and a few transforms of them.
    fn local(&mut self, w: &World, df: usize, rng: &mut Rng, opts: &FeatureOptions) -> Vec<usize> {
        let mut out = Vec::new();
        let mut times = Vec::new();
        for c in &w.dfs[df].cols {
            let ty = match &c.ty {
                ColType::Index { .. } => continue,
                ColType::Fk { .. } => Ty::Cat,
                ColType::Time | ColType::SecondaryTime => Ty::Time,
                ColType::LastTime => continue,
                ColType::Double | ColType::Integer | ColType::IntegerNullable => Ty::Num,
                ColType::Boolean | ColType::BooleanNullable => Ty::Bool,
                ColType::Categorical => Ty::Cat,
                ColType::Text => Ty::Text,
                ColType::Web(web) => Ty::Web(*web),
            };
            let i = self.identity(w, df, &c.name, ty);
            let numeric_time = ty == Ty::Time && w.numeric_time;
            if ty == Ty::Time && !numeric_time {
                times.push(i);
            }
            // Datetimes and foreign keys as features of their own only sometimes, as DFS does.
            let own = match (&c.ty, ty) {
                (ColType::Fk { .. }, _) => false,
                (ColType::SecondaryTime, _) => !numeric_time && rng.chance(0.5),
                (_, Ty::Time) => false,
                (_, Ty::Text | Ty::Web(_)) => rng.chance(0.3),
                _ => true,
            };
            if own {
                out.push(i);
            }
            let p = match ty {
                Ty::Text | Ty::Web(_) => 0.8,
                _ => 0.5,
            };
            if !numeric_time && !matches!(c.ty, ColType::Fk { .. }) && rng.chance(p) {
                if let Some(t) = self.transform(w, i, rng, opts) {
                    out.push(t);
                    // Now and then a transform of that transform.
                    if rng.chance(0.2) {
                        if let Some(t2) = self.transform(w, t, rng, opts) {
                            out.push(t2);
                        }
                    }
                }
            }
        }
        if out.len() >= 2 && rng.chance(0.4) {
            let (a, b) = (*rng.pick(&out), *rng.pick(&out));
            if a != b {
                if let Some(t) = self.binary(w, a, b, rng) {
                    out.push(t);
                }
            }
        }
        // Datetimes compared, LatLongs measured.
        if times.len() == 2 && rng.chance(0.3) {
            if let Some(t) = self.binary(w, times[0], times[1], rng) {
                out.push(t);
            }
        }
        if let (Some(a), Some(b)) = (
            w.dfs[df].cols.iter().position(|c| c.name == "w"),
            w.dfs[df].cols.iter().position(|c| c.name == "w2"),
        ) {
            if rng.chance(0.6) {
                let ty = Ty::Web(Web::LatLong);
                let (a, b) = (
                    self.identity(w, df, &w.dfs[df].cols[a].name, ty),
                    self.identity(w, df, &w.dfs[df].cols[b].name, ty),
                );
                if let Some(t) = self.binary(w, a, b, rng) {
                    out.push(t);
                    if self.feats[t].ty == ty {
                        // GEOMIDPOINT: a LatLong again.
                        if let Some(t2) = self.transform(w, t, rng, opts) {
                            out.push(t2);
                        }
                    }
                }
            }
        }
        out
    }

    /// A transform of two features of one dataframe that takes their kinds.
    fn binary(&mut self, w: &World, a: usize, b: usize, rng: &mut Rng) -> Option<usize> {
        let (ta, tb) = (self.feats[a].ty, self.feats[b].ty);
        let cmp = [
            "Equal",
            "NotEqual",
            "GreaterThan",
            "GreaterThanEqualTo",
            "LessThan",
            "LessThanEqualTo",
        ];
        let mut args = serde_json::Map::new();
        let (class, out, bases) = match (ta, tb) {
            (Ty::Num, Ty::Num) => {
                let class = *rng.pick(NUMERIC_BINARY);
                if matches!(class, "SubtractNumeric" | "DivideNumeric") && rng.chance(0.3) {
                    args.insert("commutative".into(), json!(rng.chance(0.5)));
                }
                let out = if cmp.contains(&class) {
                    Ty::Bool
                } else {
                    Ty::Num
                };
                (class, out, vec![a, b])
            }
            (Ty::Bool, Ty::Bool) => {
                let class = *rng.pick(&["And", "Or", "MultiplyBoolean", "Equal", "NotEqual"]);
                (class, Ty::Bool, vec![a, b])
            }
            (Ty::Num, Ty::Bool) => ("MultiplyNumericBoolean", Ty::Num, vec![a, b]),
            (Ty::Bool, Ty::Num) => ("MultiplyNumericBoolean", Ty::Num, vec![a, b]),
            (Ty::Time, Ty::Time) => (*rng.pick(&cmp), Ty::Bool, vec![a, b]),
            (x, y) if x.is_cat() && y.is_cat() => {
                (*rng.pick(&["Equal", "NotEqual"]), Ty::Bool, vec![a, b])
            }
            (Ty::Web(Web::LatLong), Ty::Web(Web::LatLong)) => {
                let class = *rng.pick(&["Haversine", "CityblockDistance", "GeoMidpoint"]);
                if class != "GeoMidpoint" && rng.chance(0.6) {
                    args.insert("unit".into(), json!(rng.pick(&["miles", "kilometers"])));
                }
                let out = if class == "GeoMidpoint" {
                    Ty::Web(Web::LatLong)
                } else {
                    Ty::Num
                };
                (class, out, vec![a, b])
            }
            _ => return None,
        };
        Some(self.transform_of(w, class, &bases, args, out, vec![]))
    }

    /// A cumulative transform of a feature of `df`, as DFS makes them: a group-by transform,
    /// mostly by the key of the dataframe's tree link (each group in one part: exact across
    /// parts), sometimes by another key or category, or no group at all (then featuretools reads
    /// the whole dataframe, which ftpart refuses across parts). Now and then a group-by of a
    /// transform that reads each row alone.
    fn cumulative(
        &mut self,
        w: &World,
        df: usize,
        feats: &[usize],
        rng: &mut Rng,
        opts: &FeatureOptions,
    ) -> Option<usize> {
        let d = &w.dfs[df];
        let tree_key = opts
            .tree_links
            .get(df)
            .copied()
            .flatten()
            .map(|r| w.rels[r].col.clone());
        let others: Vec<String> = d
            .cols
            .iter()
            .filter(|c| {
                (matches!(c.ty, ColType::Fk { .. }) && Some(&c.name) != tree_key.as_ref())
                    || c.ty == ColType::Categorical
            })
            .map(|c| c.name.clone())
            .collect();
        let key = if tree_key.is_some() && rng.chance(0.8) {
            tree_key
        } else if !others.is_empty() && rng.chance(0.6) {
            Some(rng.pick(&others).clone())
        } else {
            None
        };
        let group = key.map(|k| self.identity(w, df, &k, Ty::Cat));
        let nums: Vec<usize> = feats
            .iter()
            .copied()
            .filter(|&f| self.feats[f].ty == Ty::Num && self.feats[f].df == df)
            .collect();
        let cats: Vec<usize> = feats
            .iter()
            .copied()
            .filter(|&f| self.feats[f].ty.is_cat() && self.feats[f].df == df)
            .collect();
        // A transform of each row alone, grouped: the same values (nulls where the key is).
        if group.is_some() && !nums.is_empty() && rng.chance(0.1) {
            let class = *rng.pick(&["Absolute", "Negate", "AddNumericScalar", "IsNull"]);
            let base = *rng.pick(&nums);
            let (args, out, _) = self.unary_args(class, base, rng);
            return Some(self.grouped(w, df, class, Some(base), group, args, out));
        }
        if rng.chance(0.5) {
            if let Some(f) = self.series(w, df, feats, group, rng) {
                return Some(f);
            }
        }
        let class = *rng.pick(CUMULATIVE);
        let base = if class == "CumCount" {
            // CUM_COUNT(key) by key, saved without base features (as ft.save_features does).
            if group.is_some() && (cats.is_empty() || rng.chance(0.5)) {
                None
            } else if cats.is_empty() {
                return None;
            } else {
                Some(*rng.pick(&cats))
            }
        } else if nums.is_empty() {
            return None;
        } else {
            Some(*rng.pick(&nums))
        };
        Some(self.grouped(w, df, class, base, group, serde_json::Map::new(), Ty::Num))
    }

    /// A series transform of features of `df` (from `feats`, and its time index), grouped by
    /// `group` or not; None when `df` lacks what it takes.
    fn series(
        &mut self,
        w: &World,
        df: usize,
        feats: &[usize],
        group: Option<usize>,
        rng: &mut Rng,
    ) -> Option<usize> {
        let &(class, input, out) = rng.pick(SERIES);
        let of = |me: &Self, want: &dyn Fn(Ty) -> bool| -> Vec<usize> {
            feats
                .iter()
                .copied()
                .filter(|&f| me.feats[f].df == df && want(me.feats[f].ty))
                .collect()
        };
        let nums = of(self, &|t| t == Ty::Num);
        let pick = |xs: &[usize], rng: &mut Rng| (!xs.is_empty()).then(|| *rng.pick(xs));
        let bases: Vec<usize> = match input {
            SeriesIn::Num => vec![pick(&nums, rng)?],
            SeriesIn::Time => {
                let mut times = of(self, &|t| t == Ty::Time);
                if times.is_empty() || rng.chance(0.5) {
                    times.extend(self.time_index(w, df));
                }
                vec![pick(&times, rng)?]
            }
            SeriesIn::TimeIndex => vec![self.time_index(w, df)?],
            SeriesIn::TimeNum => {
                let n = pick(&nums, rng)?;
                vec![self.time_index(w, df)?, n]
            }
            SeriesIn::NumTime => {
                let n = pick(&nums, rng)?;
                vec![n, self.time_index(w, df)?]
            }
            SeriesIn::TimeBool => {
                let b = pick(&of(self, &|t| t == Ty::Bool), rng)?;
                vec![self.time_index(w, df)?, b]
            }
            SeriesIn::AnyTime => {
                let x = pick(&of(self, &|t| t == Ty::Num || t.is_cat()), rng)?;
                vec![x, self.time_index(w, df)?]
            }
        };
        let out = out.unwrap_or(self.feats[bases[0]].ty);
        let args = series_args(class, rng);
        Some(self.grouped_by(w, df, class, &bases, group, args, out))
    }

    /// A transform by `class` of `base` (None: of the groupby key itself) grouped by `group`, or
    /// a plain transform when there is no group.
    #[allow(clippy::too_many_arguments)]
    fn grouped(
        &mut self,
        w: &World,
        df: usize,
        class: &str,
        base: Option<usize>,
        group: Option<usize>,
        args: serde_json::Map<String, Value>,
        out: Ty,
    ) -> usize {
        match (base, group) {
            (Some(b), _) => self.grouped_by(w, df, class, &[b], group, args, out),
            (None, Some(g)) => {
                // CUM_COUNT(key) by key: saved without base features.
                let f = self.grouped_by(w, df, class, &[g], group, args, out);
                self.defs.get_mut(&self.feats[f].unique).expect("added")["arguments"]
                    ["base_features"] = json!([]);
                f
            }
            (None, None) => unreachable!("an input without a group"),
        }
    }

    /// A transform by `class` of `bases` grouped by `group` (a GroupByTransformFeature), or a
    /// plain transform when there is no group.
    #[allow(clippy::too_many_arguments)]
    fn grouped_by(
        &mut self,
        w: &World,
        df: usize,
        class: &str,
        bases: &[usize],
        group: Option<usize>,
        args: serde_json::Map<String, Value>,
        out: Ty,
    ) -> usize {
        let Some(g) = group else {
            return self.transform_of(w, class, bases, args, out, vec![]);
        };
        let names: Vec<&str> = bases.iter().map(|&b| self.feats[b].name.as_str()).collect();
        let name = format!(
            "{}({}{}) by {}",
            Self::prim_name(class),
            names.join(", "),
            args_string(&args),
            self.feats[g].name
        );
        let p = self.prim(class, &args);
        let ub: Vec<String> = bases
            .iter()
            .map(|&b| self.feats[b].unique.clone())
            .collect();
        let ug = self.feats[g].unique.clone();
        let mut deps = ub.clone();
        deps.push(ug.clone());
        let def = json!({"type": "GroupByTransformFeature", "dependencies": deps,
            "arguments": {"base_features": ub, "primitive": p, "groupby": ug}});
        self.add(w, df, name, out, def, vec![], 1)
    }

    fn rel_name(&self, w: &World, rel: usize, df: usize) -> String {
        let r = &w.rels[rel];
        let twins = w
            .rels
            .iter()
            .filter(|x| x.parent == r.parent && x.child == r.child)
            .count();
        if twins > 1 {
            format!("{}[{}]", w.dfs[df].name, r.col)
        } else {
            w.dfs[df].name.clone()
        }
    }

    /// An aggregation of `base` (on the last child of `path`; None: of the child rows
    /// themselves, COUNT or an aggregation of the time index) for `path[0]`'s parent. `cross`:
    /// the child rows are spread over the parts.
    #[allow(clippy::too_many_arguments)]
    fn aggregation(
        &mut self,
        w: &World,
        path: &[usize],
        base: Option<usize>,
        rng: &mut Rng,
        opts: &FeatureOptions,
        candidates_where: &[usize],
        cross: bool,
    ) -> Option<usize> {
        let top = self.top == w.rels[path[0]].parent;
        let parent = w.rels[path[0]].parent;
        let leaf = w.rels[*path.last().expect("path")].child;
        let mut pname = String::new();
        for &r in path {
            if !pname.is_empty() {
                pname.push('.');
            }
            pname.push_str(&self.rel_name(w, r, w.rels[r].child));
        }
        let timed_leaf = w.dfs[leaf].has_time();
        let use_previous = if timed_leaf && rng.chance(0.15) {
            if opts.spans && rng.chance(0.5) {
                Some(w.span(rng))
            } else {
                let o = 1 + rng.below(3);
                Some((
                    json!({"unit": "o", "value": o}),
                    format!("Last {o} Observations"),
                ))
            }
        } else {
            None
        };
        let ti = self.time_index(w, leaf);
        let calc = |class: &str| registry::known(class).expect("class").calc_time;
        let ty = base.map(|b| self.feats[b].ty);
        let fits = |input: In| match (input, ty) {
            (In::Key, None) => true,
            (In::TimeIndex | In::Date, None) => ti.is_some(),
            (_, None) => false,
            (In::Num, Some(t)) => t == Ty::Num,
            (In::Bool, Some(t)) => t == Ty::Bool,
            (In::Cat, Some(t)) => t.is_cat(),
            (In::Date, Some(t)) => t == Ty::Time,
            (In::Any, Some(t)) => !matches!(t, Ty::Key | Ty::Multi),
            (In::NumTime | In::TimeNum, Some(t)) => t == Ty::Num && ti.is_some(),
            (In::TimeBool, Some(t)) => t == Ty::Bool && ti.is_some(),
            (In::TimeIndex | In::Key, Some(_)) => false,
        };
        let cands: Vec<&(&str, In, Out, bool)> = AGGS
            .iter()
            .filter(|a| fits(a.1) && (opts.calc_time || !calc(a.0)))
            .collect();
        if cands.is_empty() {
            return None;
        }
        let favour_order = cross || use_previous.is_some() || opts.windowed;
        let ordered: Vec<&(&str, In, Out, bool)> = cands.iter().copied().filter(|a| a.3).collect();
        let &(class, input, out, _) = if base.is_none() && rng.chance(0.6) {
            &AGGS[0]
        } else if favour_order && !ordered.is_empty() && rng.chance(0.5) {
            *rng.pick(&ordered)
        } else {
            *rng.pick(&cands)
        };
        let (bases, base_names): (Vec<usize>, String) = match (input, base) {
            (In::Key, _) => {
                let b = self.identity(w, leaf, "id", Ty::Key);
                (vec![b], pname.clone())
            }
            (In::TimeIndex | In::Date, None) => {
                let t = ti.expect("time index");
                (vec![t], format!("{pname}.{}", self.feats[t].name))
            }
            (In::NumTime, Some(b)) => {
                let t = ti.expect("time index");
                (
                    vec![b, t],
                    format!("{pname}.{}, {}", self.feats[b].name, self.feats[t].name),
                )
            }
            (In::TimeBool | In::TimeNum, Some(b)) => {
                let t = ti.expect("time index");
                (
                    vec![t, b],
                    format!("{pname}.{}, {}", self.feats[t].name, self.feats[b].name),
                )
            }
            (_, Some(b)) => (vec![b], format!("{pname}.{}", self.feats[b].name)),
            (_, None) => unreachable!("filtered"),
        };
        let mut args = agg_args(class, rng);
        if out == Out::Multi {
            // The number of outputs must be known: n given.
            args.entry("n").or_insert(json!(1 + rng.below(3)));
        }
        let n_out = args.get("n").and_then(Value::as_u64).unwrap_or(1) as usize;
        let out_ty = match out {
            Out::Num => Ty::Num,
            Out::Bool => Ty::Bool,
            Out::Cat => Ty::Cat,
            Out::Time => Ty::Time,
            Out::Same => self.feats[bases[0]].ty,
            Out::Multi => Ty::Multi,
        };
        let where_ =
            (!candidates_where.is_empty() && rng.chance(0.2)).then(|| *rng.pick(candidates_where));
        let mut inner = base_names;
        if let Some(wf) = where_ {
            inner.push_str(&format!(" WHERE {}", self.feats[wf].name));
        }
        if let Some((_, s)) = &use_previous {
            inner.push_str(&format!(", {s}"));
        }
        inner.push_str(&args_string(&args));
        let name = format!("{}({inner})", Self::prim_name(class));
        let p = self.prim(class, &args);
        let mut deps: Vec<String> = bases
            .iter()
            .map(|&b| self.feats[b].unique.clone())
            .collect();
        let base_features = deps.clone();
        if let Some(wf) = where_ {
            deps.push(self.feats[wf].unique.clone());
        }
        let mut def = json!({"type": "AggregationFeature", "dependencies": deps, "arguments": {
            "base_features": base_features,
            "relationship_path": path.iter().map(|&r| w.rel_json(r)).collect::<Vec<_>>(),
            "primitive": p,
            "where": where_.map(|wf| self.feats[wf].unique.clone()),
            "use_previous": use_previous.map(|(v, _)| v),
        }});
        if out == Out::Multi {
            def["arguments"]["feature_names"] = json!((0..n_out)
                .map(|i| format!("{name}[{i}]"))
                .collect::<Vec<_>>());
        }
        let f = self.add(w, parent, name.clone(), out_ty, def, vec![], n_out);
        if out != Out::Multi || top {
            return Some(f);
        }
        // Below the target, one output of it (FeatureOutputSlice), as an input of others.
        let i = rng.below(n_out);
        let def = json!({"type": "FeatureOutputSlice", "dependencies": [self.feats[f].unique],
            "arguments": {"base_feature": self.feats[f].unique, "n": i}});
        let ty = if class == "NMostCommon" {
            Ty::Cat
        } else {
            Ty::Num
        };
        Some(self.add(w, parent, format!("{name}[{i}]"), ty, def, vec![], 1))
    }

    fn direct(&mut self, w: &World, rel: usize, base: usize) -> Option<usize> {
        let child = w.rels[rel].child;
        let ty = self.feats[base].ty;
        if ty == Ty::Key || (ty == Ty::Multi && child != self.top) {
            return None;
        }
        let rname = self.rel_name(w, rel, w.rels[rel].parent);
        let name = format!("{rname}.{}", self.feats[base].name);
        let mut def = json!({"type": "DirectFeature", "dependencies": [self.feats[base].unique], "arguments": {
            "base_feature": self.feats[base].unique, "relationship": w.rel_json(rel)}});
        let n = self.feats[base].outputs;
        if ty == Ty::Multi {
            def["arguments"]["feature_names"] = json!((0..n)
                .map(|i| format!("{rname}.{}[{i}]", self.feats[base].name))
                .collect::<Vec<_>>());
        }
        let samples = self.feats[base].samples.clone();
        Some(self.add(w, child, name, ty, def, samples, n))
    }

    /// Features of `df` up to `depth` (a few of each kind, drawn at random). `owned`: the rows
    /// of `df` reached this way are the part's own (only tree links followed from the target).
    #[allow(clippy::too_many_arguments)]
    fn build(
        &mut self,
        w: &World,
        df: usize,
        depth: usize,
        came: Option<usize>,
        owned: bool,
        rng: &mut Rng,
        opts: &FeatureOptions,
    ) -> Vec<usize> {
        let mut out = self.local(w, df, rng, opts);
        let tree = |d: usize, r: usize| opts.tree_links.get(d).copied().flatten() == Some(r);
        for (r, rel) in w.rels.iter().enumerate() {
            if depth == 0 {
                break;
            }
            if Some(r) == came {
                continue;
            }
            if rel.parent == df && rng.chance(0.8) {
                let child_owned = owned && tree(rel.child, r);
                let child_feats =
                    self.build(w, rel.child, depth - 1, Some(r), child_owned, rng, opts);
                let bools: Vec<usize> = child_feats
                    .iter()
                    .copied()
                    .filter(|&f| self.feats[f].ty == Ty::Bool && self.feats[f].df == rel.child)
                    .collect();
                let cross = !child_owned;
                if let Some(c) = self.aggregation(w, &[r], None, rng, opts, &bools, cross) {
                    out.push(c);
                }
                for _ in 0..2 + rng.below(2) {
                    if child_feats.is_empty() {
                        break;
                    }
                    let b = *rng.pick(&child_feats);
                    if let Some(a) = self.aggregation(w, &[r], Some(b), rng, opts, &bools, cross) {
                        out.push(a);
                    }
                }
                // A path of two steps, as featuretools allows through an intermediate child.
                if depth >= 2 && rng.chance(0.3) {
                    let grand: Vec<usize> = (0..w.rels.len())
                        .filter(|&g| w.rels[g].parent == rel.child)
                        .collect();
                    if !grand.is_empty() {
                        let g = *rng.pick(&grand);
                        let cross = !(child_owned && tree(w.rels[g].child, g));
                        let leaf_feats = self.local(w, w.rels[g].child, rng, opts);
                        let base = (!leaf_feats.is_empty() && rng.chance(0.7))
                            .then(|| *rng.pick(&leaf_feats));
                        if let Some(a) = self.aggregation(w, &[r, g], base, rng, opts, &[], cross) {
                            out.push(a);
                        }
                    }
                }
            }
            if rel.child == df && rng.chance(0.7) {
                let parent_owned = owned && tree(df, r);
                let parent_feats =
                    self.build(w, rel.parent, depth - 1, Some(r), parent_owned, rng, opts);
                for _ in 0..3 {
                    if parent_feats.is_empty() {
                        break;
                    }
                    let b = *rng.pick(&parent_feats);
                    if let Some(d) = self.direct(w, r, b) {
                        out.push(d);
                    }
                }
            }
        }
        // Transforms of aggregations and direct features (DFS stacks them too).
        let stacked: Vec<usize> = out
            .iter()
            .copied()
            .filter(|&f| {
                self.feats[f].df == df
                    && self.defs[&self.feats[f].unique]["type"] != "IdentityFeature"
                    && self.feats[f].ty != Ty::Multi
            })
            .collect();
        if !stacked.is_empty() && rng.chance(0.3) {
            let b = *rng.pick(&stacked);
            if let Some(t) = self.transform(w, b, rng, opts) {
                out.push(t);
            }
        }
        // Cumulative transforms: fewer on the dataframe split by (no tree link: refused by
        // design across parts).
        let root = opts.tree_links.get(df).copied().flatten().is_none();
        if rng.chance(if root { 0.08 } else { 0.35 }) {
            let feats = out.clone();
            if let Some(c) = self.cumulative(w, df, &feats, rng, opts) {
                out.push(c);
            }
        }
        out
    }

    /// Up to `max` features for `target`, as `ft.save_features` JSON.
    pub fn generate(
        w: &World,
        target: usize,
        rng: &mut Rng,
        opts: &FeatureOptions,
        max: usize,
    ) -> Value {
        let mut fs = Features::new(target);
        let depth = 1 + rng.below(3);
        let mut all = fs.build(w, target, depth, None, true, rng, opts);
        all.sort_unstable();
        all.dedup();
        let mut list: Vec<usize> = all
            .into_iter()
            .filter(|&f| fs.feats[f].df == target)
            .collect();
        while list.len() > max {
            list.remove(rng.below(list.len()));
        }
        if list.is_empty() {
            let c = fs.identity(w, target, "n", Ty::Num);
            list.push(c);
        }
        json!({
            "schema_version": "10.0.0",
            "ft_version": "1.31.0",
            "entityset": w.description(),
            "feature_list": list.iter().map(|&f| fs.feats[f].unique.clone()).collect::<Vec<_>>(),
            "feature_definitions": fs.defs,
            "primitive_definitions": fs.prims,
        })
    }
}

/// Values a column holds, as scalar arguments.
fn samples_of(ty: &ColType, cells: &[Option<String>]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for c in cells.iter().flatten().take(6) {
        let v = match ty {
            ColType::Double => c.parse::<f64>().map(|x| json!(x)).unwrap_or(Value::Null),
            ColType::Integer | ColType::IntegerNullable => {
                c.parse::<i64>().map(|x| json!(x)).unwrap_or(Value::Null)
            }
            ColType::Boolean | ColType::BooleanNullable => json!(c == "True"),
            ColType::Fk { .. } => c.parse::<i64>().map_or_else(|_| json!(c), |x| json!(x)),
            ColType::Categorical | ColType::Web(Web::Postal) => json!(c),
            _ => continue,
        };
        if !v.is_null() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

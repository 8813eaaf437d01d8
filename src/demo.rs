//! Mock-customer entity sets of any size, written exactly as featuretools' `es.to_csv(path)`
//! writes the entity set of `featuretools.demo.load_mock_customer(return_entityset=True)`.
//!
//! The output is `data_description.json` plus `data/<df>/woodwork_typing_info.json` and
//! `data/<df>/data/<df>.csv` for `customers`, `sessions`, `transactions` and `products`, with the
//! `_ft_last_time` column that `EntitySet.add_last_time_indexes` computes. Both
//! `ft.read_entityset(path)` and ftpart read it.
//!
//! ```no_run
//! use ftpart::demo::{write_mock_customer, MockOptions};
//! let bytes = write_mock_customer("mock_5m".as_ref(), &MockOptions::with_transactions(5_000_000))?;
//! println!("{bytes} bytes written");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Generation streams: transactions are written as they are drawn, and memory is
//! O(customers + sessions + products), whatever the number of transactions.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Options for the mock-customer generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockOptions {
    /// Number of customers (ids `1..=customers`).
    pub customers: usize,
    /// Number of sessions (ids `1..=sessions`), each belonging to one customer.
    pub sessions: usize,
    /// Number of transactions (ids `1..=transactions`), each belonging to one session.
    pub transactions: usize,
    /// Number of products (ids `1..=products`).
    pub products: usize,
    /// Seed of the deterministic random generator: the same options give the same bytes.
    pub seed: u64,
    /// Assign sessions to customers with a Zipf-like law, so that a few customers have many
    /// sessions (and so many transactions); otherwise uniformly.
    pub skewed: bool,
    /// Seconds between a session's transactions; the gap between sessions scales with it.
    /// featuretools' mock data uses 65 s, so its time span grows with the number of
    /// transactions (5M span 2014–2025; 50M would run to 2124): a smaller step keeps a large
    /// set within the same years.
    pub step_seconds: i64,
}

impl Default for MockOptions {
    /// The sizes of `load_mock_customer()`: 5 customers, 35 sessions, 500 transactions,
    /// 5 products, seed 0, not skewed.
    fn default() -> Self {
        MockOptions {
            customers: 5,
            sessions: 35,
            transactions: 500,
            products: 5,
            seed: 0,
            skewed: false,
            step_seconds: TRANSACTION_STEP,
        }
    }
}

impl MockOptions {
    /// Options for `n` transactions at the demo's ratios: one customer per 500 transactions and
    /// one session per 25 (at least one of each), 5 products, seed 0, not skewed.
    pub fn with_transactions(n: usize) -> Self {
        MockOptions {
            customers: (n / 500).max(1),
            sessions: (n / 25).max(1),
            transactions: n,
            products: 5,
            ..MockOptions::default()
        }
    }
}

/// 2014-01-01 00:00:00, the demo's first transaction time, in seconds since the Unix epoch.
const FIRST_TRANSACTION: i64 = 1_388_534_400;
/// 2008-01-01 00:00:00: the earliest join date, and the latest birthday.
const FIRST_JOIN: i64 = 1_199_145_600;
/// 2013-12-31 00:00:00: the latest join date.
const LAST_JOIN: i64 = 1_388_448_000;
/// Seconds between two transactions of a session (the demo's `freq="65s"`), by default.
const TRANSACTION_STEP: i64 = 65;
/// The last whole second that pandas' `datetime64[ns]` holds (2262-04-11 23:47:16).
const PANDAS_MAX: i64 = i64::MAX / 1_000_000_000;
/// woodwork's `categorical_threshold`: a string column is inferred Categorical when its number
/// of distinct values over its number of non-null values is at most this.
const CATEGORICAL_THRESHOLD: f64 = 0.2;
const ZIP_CODES: [&str; 2] = ["13244", "60091"];
const DEVICES: [&str; 3] = ["desktop", "mobile", "tablet"];
const BRANDS: [&str; 3] = ["A", "B", "C"];

/// Writes the entity set; returns the total number of bytes written.
///
/// `dir` is created if needed; files of the same names in it are replaced. Sessions need at
/// least one customer, and transactions at least one session and one product.
pub fn write_mock_customer(dir: &Path, opts: &MockOptions) -> io::Result<u64> {
    let invalid = |m: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, m.to_string()));
    if opts.sessions > 0 && opts.customers == 0 {
        return invalid("mock customer: sessions need at least one customer");
    }
    if opts.transactions > 0 && (opts.sessions == 0 || opts.products == 0) {
        return invalid("mock customer: transactions need at least one session and one product");
    }
    if opts.customers > u32::MAX as usize || opts.sessions > u32::MAX as usize {
        return invalid("mock customer: at most 2^32-1 customers and sessions");
    }
    // Transactions are at least 65 s apart, so some 120 million of them run past 2262: refuse
    // those before planning (which also keeps every per-session count within a u32).
    if opts.step_seconds < 1 {
        return invalid("mock customer: the step between transactions must be at least 1 second");
    }
    let too_many = opts.transactions as u128 * opts.step_seconds as u128
        > (PANDAS_MAX - FIRST_TRANSACTION) as u128;
    let plan = (!too_many).then(|| Plan::new(opts));
    let Some(plan) = plan.filter(|p| (0..p.count.len()).all(|i| p.session_lti(i) <= PANDAS_MAX))
    else {
        return invalid(
            "mock customer: too many transactions: times would pass pandas' last date, 2262-04-11",
        );
    };
    let mut bytes = 0;
    // Transactions first: the products' last time index and the transactions' product
    // categories are known only once every transaction has been drawn.
    let tx = plan.write_transactions(dir, opts)?;
    bytes += tx.bytes;
    bytes += plan.write_sessions(dir)?;
    bytes += plan.write_customers(dir)?;
    bytes += plan.write_products(dir, &tx.product_lti)?;

    let schemas = [
        (
            "transactions",
            plan.transactions_schema(&tx.products_present),
        ),
        ("products", plan.products_schema()),
        ("sessions", plan.sessions_schema()),
        ("customers", plan.customers_schema()),
    ];
    for (name, schema) in &schemas {
        let text = dataframe_json(name, schema, true).to_python();
        let path = dir
            .join("data")
            .join(name)
            .join("woodwork_typing_info.json");
        fs::write(&path, &text)?;
        bytes += text.len() as u64;
    }
    let rel = |parent: &str, child: &str, col: &str| {
        J::obj([
            ("parent_dataframe_name", J::str(parent)),
            ("child_dataframe_name", J::str(child)),
            ("parent_column_name", J::str(col)),
            ("child_column_name", J::str(col)),
        ])
    };
    let description = J::obj([
        ("schema_version", J::str("9.0.0")),
        ("id", J::str(ENTITYSET_ID)),
        (
            "dataframes",
            J::Obj(
                schemas
                    .iter()
                    .map(|(name, s)| (name.to_string(), dataframe_json(name, s, false)))
                    .collect(),
            ),
        ),
        (
            "relationships",
            J::Arr(vec![
                rel("products", "transactions", "product_id"),
                rel("sessions", "transactions", "session_id"),
                rel("customers", "sessions", "customer_id"),
            ]),
        ),
        ("format", J::str("csv")),
    ])
    .to_python();
    fs::write(dir.join("data_description.json"), &description)?;
    bytes += description.len() as u64;
    Ok(bytes)
}

const ENTITYSET_ID: &str = "transactions";

/// Everything but the transactions: O(customers + sessions + products).
struct Plan {
    /// Per customer (id - 1): index into `ZIP_CODES`.
    zip: Vec<u8>,
    /// Per customer: join date, seconds.
    join: Vec<i64>,
    /// Per customer: birthday, seconds (always midnight).
    birthday: Vec<i64>,
    /// Per customer: last time index.
    customer_lti: Vec<i64>,
    /// Per session (id - 1): customer id.
    session_customer: Vec<u32>,
    /// Per session: index into `DEVICES`.
    device: Vec<u8>,
    /// Per session: number of transactions.
    count: Vec<u32>,
    /// Per session: start, seconds (the time of its first transaction, if any).
    start: Vec<i64>,
    /// Per product (id - 1): index into `BRANDS`.
    brand: Vec<u8>,
    /// Seconds between a session's transactions.
    step: i64,
}

struct TransactionsOut {
    bytes: u64,
    /// Per product: the latest time of its transactions, if any.
    product_lti: Vec<Option<i64>>,
    /// Per product: whether any transaction has it.
    products_present: Vec<bool>,
}

impl Plan {
    fn new(opts: &MockOptions) -> Plan {
        let (c, s, t, p) = (
            opts.customers,
            opts.sessions,
            opts.transactions,
            opts.products,
        );
        // One stream per table, so that e.g. the customers do not change with the number of
        // transactions.
        let mut rng = Rng::new(opts.seed, 1);
        let zip = (0..c).map(|_| rng.below(2) as u8).collect();
        let join = (0..c)
            .map(|_| FIRST_JOIN + rng.below((LAST_JOIN - FIRST_JOIN) as u64 + 1) as i64)
            .collect();
        let birthday = (0..c)
            .map(|_| rng.below((FIRST_JOIN / 86_400) as u64 + 1) as i64 * 86_400)
            .collect();

        let mut rng = Rng::new(opts.seed, 2);
        let brand = (0..p).map(|_| rng.below(3) as u8).collect();

        let mut rng = Rng::new(opts.seed, 3);
        let session_customer: Vec<u32> = if opts.skewed {
            // Zipf(1.1) over ranks; ranks map to customers through a shuffle so that the big
            // customers are not simply the first ids.
            let mut ids: Vec<u32> = (1..=c as u32).collect();
            for i in (1..ids.len()).rev() {
                ids.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let mut cdf = Vec::with_capacity(c);
            let mut total = 0.0;
            for r in 0..c {
                total += 1.0 / ((r + 1) as f64).powf(1.1);
                cdf.push(total);
            }
            (0..s)
                .map(|_| {
                    let x = rng.unit() * total;
                    ids[cdf.partition_point(|&v| v <= x).min(c - 1)]
                })
                .collect()
        } else {
            (0..s).map(|_| 1 + rng.below(c as u64) as u32).collect()
        };
        let device = (0..s).map(|_| rng.below(3) as u8).collect();

        // Transactions per session: at least one each when there are enough, the rest shared
        // in proportion to random weights.
        let mut rng = Rng::new(opts.seed, 4);
        let mut count = vec![0u32; s];
        if s > 0 {
            let mut extra = t as u64;
            if t >= s {
                count.iter_mut().for_each(|n| *n = 1);
                extra = (t - s) as u64;
                let weights: Vec<u64> = (0..s).map(|_| 512 + rng.below(1024)).collect();
                let total: u128 = weights.iter().map(|&w| w as u128).sum();
                for (n, &w) in count.iter_mut().zip(&weights) {
                    let share = (t - s) as u128 * w as u128 / total;
                    *n += share as u32;
                    extra -= share as u64;
                }
            }
            // Fewer than `s` left: hand them out one by one.
            for _ in 0..extra {
                count[rng.below(s as u64) as usize] += 1;
            }
        }

        // Sessions follow each other: transactions 65 s apart, then a gap of one to five
        // minutes before the next session.
        let mut start = Vec::with_capacity(s);
        let mut now = FIRST_TRANSACTION;
        for &n in &count {
            start.push(now);
            let step = opts.step_seconds;
            now += step * (n.max(1) as i64 - 1) + step + 5 * rng.below(48) as i64 * step / 65;
        }

        let mut plan = Plan {
            zip,
            join,
            birthday,
            customer_lti: Vec::new(),
            session_customer,
            device,
            count,
            start,
            brand,
            step: opts.step_seconds,
        };
        // add_last_time_indexes: a customer's own join date, then its sessions' last times.
        let mut lti = plan.join.clone();
        for i in 0..s {
            let c = plan.session_customer[i] as usize - 1;
            lti[c] = lti[c].max(plan.session_lti(i));
        }
        plan.customer_lti = lti;
        plan
    }

    /// A session's last time index: its last transaction's time, or its start.
    fn session_lti(&self, i: usize) -> i64 {
        self.start[i] + self.step * (self.count[i].max(1) as i64 - 1)
    }

    fn write_transactions(&self, dir: &Path, opts: &MockOptions) -> io::Result<TransactionsOut> {
        let t = opts.transactions as u64;
        let p = opts.products;
        // pandas writes a datetime column whose values are all midnight as dates only; a
        // session's transactions are all at midnight only if it has one, starting at midnight.
        let date_only = t > 0
            && (0..self.count.len())
                .filter(|&i| self.count[i] > 0)
                .all(|i| self.count[i] == 1 && is_midnight(self.start[i]));
        let perm = Permutation::new(t, opts.seed);
        let mut rng = Rng::new(opts.seed, 5);
        let mut product_lti = vec![None; p];
        let mut present = vec![false; p];
        let mut w = CsvFile::create(dir, "transactions")?;
        w.line(b"transaction_id,session_id,transaction_time,product_id,amount,_ft_last_time")?;
        let mut seq = 0u64;
        let mut time = Vec::with_capacity(19);
        for (i, &n) in self.count.iter().enumerate() {
            for k in 0..n as i64 {
                let at = self.start[i] + self.step * k;
                let product = rng.below(p as u64) as usize;
                let cents = 500 + rng.below(14_500);
                product_lti[product] = Some(at);
                present[product] = true;
                time.clear();
                push_datetime(&mut time, at, date_only);
                let b = &mut w.buf;
                push_int(b, perm.get(seq) + 1);
                b.push(b',');
                push_int(b, i as u64 + 1);
                b.push(b',');
                b.extend_from_slice(&time);
                b.push(b',');
                push_int(b, product as u64 + 1);
                b.push(b',');
                push_amount(b, cents);
                b.push(b',');
                b.extend_from_slice(&time);
                w.end_row()?;
                seq += 1;
            }
        }
        Ok(TransactionsOut {
            bytes: w.finish()?,
            product_lti,
            products_present: present,
        })
    }

    fn write_sessions(&self, dir: &Path) -> io::Result<u64> {
        let s = self.count.len();
        let start_dates = s > 0 && self.start.iter().all(|&t| is_midnight(t));
        let lti_dates = s > 0 && (0..s).all(|i| is_midnight(self.session_lti(i)));
        let mut w = CsvFile::create(dir, "sessions")?;
        w.line(b"session_id,customer_id,device,session_start,_ft_last_time")?;
        // Starts increase with the id, so this is woodwork's (time index, index) order.
        for i in 0..s {
            let b = &mut w.buf;
            push_int(b, i as u64 + 1);
            b.push(b',');
            push_int(b, self.session_customer[i] as u64);
            b.push(b',');
            b.extend_from_slice(DEVICES[self.device[i] as usize].as_bytes());
            b.push(b',');
            push_datetime(b, self.start[i], start_dates);
            b.push(b',');
            push_datetime(b, self.session_lti(i), lti_dates);
            w.end_row()?;
        }
        w.finish()
    }

    fn write_customers(&self, dir: &Path) -> io::Result<u64> {
        let c = self.join.len();
        let join_dates = c > 0 && self.join.iter().all(|&t| is_midnight(t));
        let lti_dates = c > 0 && self.customer_lti.iter().all(|&t| is_midnight(t));
        let mut order: Vec<usize> = (0..c).collect();
        order.sort_by_key(|&i| (self.join[i], i));
        let mut w = CsvFile::create(dir, "customers")?;
        w.line(b"customer_id,zip_code,join_date,birthday,_ft_last_time")?;
        for i in order {
            let b = &mut w.buf;
            push_int(b, i as u64 + 1);
            b.push(b',');
            b.extend_from_slice(ZIP_CODES[self.zip[i] as usize].as_bytes());
            b.push(b',');
            push_datetime(b, self.join[i], join_dates);
            b.push(b',');
            push_datetime(b, self.birthday[i], true);
            b.push(b',');
            push_datetime(b, self.customer_lti[i], lti_dates);
            w.end_row()?;
        }
        w.finish()
    }

    fn write_products(&self, dir: &Path, lti: &[Option<i64>]) -> io::Result<u64> {
        let dates =
            lti.iter().any(Option::is_some) && lti.iter().flatten().all(|&t| is_midnight(t));
        let mut w = CsvFile::create(dir, "products")?;
        w.line(b"product_id,brand,_ft_last_time")?;
        for (i, t) in lti.iter().enumerate() {
            let b = &mut w.buf;
            push_int(b, i as u64 + 1);
            b.push(b',');
            b.extend_from_slice(BRANDS[self.brand[i] as usize].as_bytes());
            b.push(b',');
            // Products have no time index: no transaction, no last time (an empty cell).
            if let Some(t) = *t {
                push_datetime(b, t, dates);
            }
            w.end_row()?;
        }
        w.finish()
    }

    fn customers_schema(&self) -> Schema {
        Schema {
            index: "customer_id",
            time_index: Some("join_date"),
            columns: vec![
                Col::new("customer_id", Ltype::Integer, &["index"]),
                Col::new(
                    "zip_code",
                    Ltype::Category("PostalCode", present_strings(&ZIP_CODES, &self.zip)),
                    &["category"],
                ),
                Col::new("join_date", Ltype::Datetime, &["time_index"]),
                Col::new("birthday", Ltype::Datetime, &[]),
                Col::new("_ft_last_time", Ltype::Datetime, &["last_time_index"]),
            ],
        }
    }

    fn sessions_schema(&self) -> Schema {
        Schema {
            index: "session_id",
            time_index: Some("session_start"),
            columns: vec![
                Col::new("session_id", Ltype::Integer, &["index"]),
                Col::new("customer_id", Ltype::Integer, &["foreign_key", "numeric"]),
                inferred_string("device", &DEVICES, &self.device),
                Col::new("session_start", Ltype::Datetime, &["time_index"]),
                Col::new("_ft_last_time", Ltype::Datetime, &["last_time_index"]),
            ],
        }
    }

    fn transactions_schema(&self, present: &[bool]) -> Schema {
        let ids = (1..=present.len() as i64).filter(|&i| present[i as usize - 1]);
        Schema {
            index: "transaction_id",
            time_index: Some("transaction_time"),
            columns: vec![
                Col::new("transaction_id", Ltype::Integer, &["index"]),
                Col::new("session_id", Ltype::Integer, &["foreign_key", "numeric"]),
                Col::new("transaction_time", Ltype::Datetime, &["time_index"]),
                Col::new(
                    "product_id",
                    Ltype::Category("Categorical", ids.map(J::Int).collect()),
                    &["category", "foreign_key"],
                ),
                Col::new("amount", Ltype::Double, &["numeric"]),
                Col::new("_ft_last_time", Ltype::Datetime, &["last_time_index"]),
            ],
        }
    }

    fn products_schema(&self) -> Schema {
        let ids = (1..=self.brand.len() as i64).map(J::Int).collect();
        Schema {
            index: "product_id",
            time_index: None,
            columns: vec![
                Col::new(
                    "product_id",
                    Ltype::Category("Categorical", ids),
                    &["index"],
                ),
                inferred_string("brand", &BRANDS, &self.brand),
                Col::new("_ft_last_time", Ltype::Datetime, &["last_time_index"]),
            ],
        }
    }
}

/// The categories of `values` (indices into `names`) that occur, sorted, as JSON strings.
fn present_strings(names: &[&str], values: &[u8]) -> Vec<J> {
    let mut seen = vec![false; names.len()];
    values.iter().for_each(|&v| seen[v as usize] = true);
    let mut out: Vec<&str> = (0..names.len())
        .filter(|&i| seen[i])
        .map(|i| names[i])
        .collect();
    out.sort_unstable();
    out.into_iter().map(J::str).collect()
}

/// A string column whose logical type woodwork infers: Categorical when few distinct values
/// (`woodwork.type_sys.utils._is_categorical_series`), otherwise Unknown.
fn inferred_string(name: &'static str, names: &[&str], values: &[u8]) -> Col {
    let cats = present_strings(names, values);
    let categorical =
        !cats.is_empty() && cats.len() as f64 / values.len() as f64 <= CATEGORICAL_THRESHOLD;
    if categorical {
        Col::new(name, Ltype::Category("Categorical", cats), &["category"])
    } else {
        Col::new(name, Ltype::Unknown, &[])
    }
}

struct Schema {
    index: &'static str,
    time_index: Option<&'static str>,
    columns: Vec<Col>,
}

struct Col {
    name: &'static str,
    ltype: Ltype,
    tags: &'static [&'static str],
}

enum Ltype {
    Integer,
    Double,
    Datetime,
    Unknown,
    /// A logical type stored as pandas `category`: its name and its categories.
    Category(&'static str, Vec<J>),
}

impl Col {
    fn new(name: &'static str, ltype: Ltype, tags: &'static [&'static str]) -> Col {
        Col { name, ltype, tags }
    }
}

/// One dataframe's woodwork typing info, as woodwork's `typing_info_to_dict` orders it; the
/// copy in `data_description.json` has no file location in its `loading_info`.
fn dataframe_json(name: &str, schema: &Schema, with_location: bool) -> J {
    let columns = schema
        .columns
        .iter()
        .enumerate()
        .map(|(ordinal, c)| {
            let (ltype, params, physical) = match &c.ltype {
                Ltype::Integer => ("Integer", J::obj([]), J::obj([("type", J::str("int64"))])),
                Ltype::Double => ("Double", J::obj([]), J::obj([("type", J::str("float64"))])),
                Ltype::Unknown => ("Unknown", J::obj([]), J::obj([("type", J::str("string"))])),
                Ltype::Datetime => (
                    "Datetime",
                    J::obj([("datetime_format", J::Null), ("timezone", J::Null)]),
                    J::obj([("type", J::str("datetime64[ns]"))]),
                ),
                Ltype::Category(lt, cats) => {
                    let dtype = match cats.first() {
                        Some(J::Int(_)) => "int64",
                        _ => "object",
                    };
                    (
                        *lt,
                        J::obj([]),
                        J::obj([
                            ("type", J::str("category")),
                            ("cat_values", J::Arr(cats.clone())),
                            ("cat_dtype", J::str(dtype)),
                        ]),
                    )
                }
            };
            J::obj([
                ("name", J::str(c.name)),
                ("ordinal", J::Int(ordinal as i64)),
                ("use_standard_tags", J::Bool(true)),
                (
                    "logical_type",
                    J::obj([("parameters", params), ("type", J::str(ltype))]),
                ),
                ("physical_type", physical),
                (
                    "semantic_tags",
                    J::Arr(c.tags.iter().map(|t| J::str(t)).collect()),
                ),
                ("description", J::Null),
                ("origin", J::Null),
                (
                    "metadata",
                    J::obj([
                        ("dataframe_name", J::str(name)),
                        ("entityset_id", J::str(ENTITYSET_ID)),
                    ]),
                ),
            ])
        })
        .collect();
    let mut loading = vec![("table_type".to_string(), J::str("pandas"))];
    if with_location {
        loading.push(("location".into(), J::Str(format!("data/{name}.csv"))));
        loading.push(("type".into(), J::str("csv")));
        loading.push((
            "params".into(),
            J::obj([
                ("sep", J::str(",")),
                ("encoding", J::str("utf-8")),
                ("engine", J::str("python")),
                ("index", J::Bool(false)),
                ("compression", J::Null),
            ]),
        ));
    }
    J::obj([
        ("schema_version", J::str("12.0.0")),
        ("name", J::str(name)),
        ("index", J::str(schema.index)),
        ("time_index", schema.time_index.map_or(J::Null, J::str)),
        ("column_typing_info", J::Arr(columns)),
        ("loading_info", J::Obj(loading)),
        (
            "table_metadata",
            J::obj([
                ("entityset_id", J::str(ENTITYSET_ID)),
                ("last_time_index", J::str("_ft_last_time")),
            ]),
        ),
    ])
}

/// A JSON value that keeps its keys in order and prints as Python's `json.dumps` does.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn str(s: &str) -> J {
        J::Str(s.to_string())
    }

    fn obj<const N: usize>(pairs: [(&str, J); N]) -> J {
        J::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// `json.dumps(value)`: separators `", "` and `": "`, no newline at the end.
    fn to_python(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(i) => out.push_str(&i.to_string()),
            J::Str(s) => out.push_str(&quote(s)),
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write(out);
                }
                out.push(']');
            }
            J::Obj(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote(k));
                    out.push_str(": ");
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A JSON string literal; every name written here is plain ASCII, which Python quotes the same.
fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A CSV file under `data/<df>/data/`, written row by row through one reused line buffer.
struct CsvFile {
    out: BufWriter<File>,
    buf: Vec<u8>,
    bytes: u64,
}

impl CsvFile {
    fn create(dir: &Path, df: &str) -> io::Result<CsvFile> {
        let data = dir.join("data").join(df).join("data");
        fs::create_dir_all(&data)?;
        Ok(CsvFile {
            out: BufWriter::with_capacity(1 << 20, File::create(data.join(format!("{df}.csv")))?),
            buf: Vec::with_capacity(128),
            bytes: 0,
        })
    }

    fn line(&mut self, text: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(text);
        self.end_row()
    }

    /// Ends the row in `buf` (pandas' line terminator on Linux is `\n`) and writes it.
    fn end_row(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        self.out.write_all(&self.buf)?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.bytes)
    }
}

fn is_midnight(secs: i64) -> bool {
    secs.rem_euclid(86_400) == 0
}

fn push_int(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// `cents / 100.0` as pandas writes a float64 (Python's `repr`): `23.2`, `8.7`, `100.0`.
fn push_amount(buf: &mut Vec<u8>, cents: u64) {
    push_int(buf, cents / 100);
    buf.push(b'.');
    let (tenths, hundredths) = (cents / 10 % 10, cents % 10);
    buf.push(b'0' + tenths as u8);
    if hundredths != 0 {
        buf.push(b'0' + hundredths as u8);
    }
}

/// `YYYY-MM-DD HH:MM:SS`, or `YYYY-MM-DD` when `date_only`, for seconds since the Unix epoch.
fn push_datetime(buf: &mut Vec<u8>, secs: i64, date_only: bool) {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let two = |buf: &mut Vec<u8>, v: i64| {
        buf.push(b'0' + (v / 10) as u8);
        buf.push(b'0' + (v % 10) as u8);
    };
    two(buf, y / 100);
    two(buf, y % 100);
    buf.push(b'-');
    two(buf, m);
    buf.push(b'-');
    two(buf, d);
    if !date_only {
        buf.push(b' ');
        two(buf, sod / 3600);
        buf.push(b':');
        two(buf, sod / 60 % 60);
        buf.push(b':');
        two(buf, sod % 60);
    }
}

/// (year, month, day) of a day number counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// splitmix64: small, fast and good enough for mock data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by Lemire's multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A keyed permutation of `0..n` in O(1) memory (a Feistel network on the smallest even power
/// of two that holds `n`, with cycle walking), so transaction ids are shuffled as the demo's are
/// without holding them all.
struct Permutation {
    n: u64,
    half: u32,
    keys: [u64; 4],
}

impl Permutation {
    fn new(n: u64, seed: u64) -> Permutation {
        let bits = (64 - n.saturating_sub(1).leading_zeros()).max(2);
        let mut rng = Rng::new(seed, 6);
        Permutation {
            n,
            half: bits.div_ceil(2),
            keys: [
                rng.next_u64(),
                rng.next_u64(),
                rng.next_u64(),
                rng.next_u64(),
            ],
        }
    }

    fn get(&self, mut x: u64) -> u64 {
        let mask = (1u64 << self.half) - 1;
        loop {
            let (mut l, mut r) = (x >> self.half, x & mask);
            for k in self.keys {
                let f = mix64(r ^ k) & mask;
                (l, r) = (r, l ^ f);
            }
            x = (l << self.half) | r;
            if x < self.n {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};
    use std::path::PathBuf;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            use std::sync::atomic::{AtomicU64, Ordering};
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("ftpart-demo-{tag}-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    type Rows = Vec<Vec<String>>;

    fn read(dir: &Path, df: &str) -> (Vec<String>, Rows) {
        let path = dir
            .join("data")
            .join(df)
            .join("data")
            .join(format!("{df}.csv"));
        let mut rdr = csv::Reader::from_path(path).unwrap();
        let header = rdr.headers().unwrap().iter().map(String::from).collect();
        let rows = rdr
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    }

    fn time(s: &str) -> i64 {
        use chrono::{NaiveDate, NaiveDateTime};
        match NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
            Ok(t) => t.and_utc().timestamp(),
            Err(_) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .unwrap_or_else(|_| panic!("not a date: {s}"))
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp(),
        }
    }

    fn int(s: &str) -> u64 {
        s.parse().unwrap_or_else(|_| panic!("not an integer: {s}"))
    }

    /// Everything a reader may rely on, checked from the files alone.
    fn check(dir: &Path, o: &MockOptions) {
        let (h, customers) = read(dir, "customers");
        assert_eq!(
            h,
            [
                "customer_id",
                "zip_code",
                "join_date",
                "birthday",
                "_ft_last_time"
            ]
        );
        let (h, sessions) = read(dir, "sessions");
        assert_eq!(
            h,
            [
                "session_id",
                "customer_id",
                "device",
                "session_start",
                "_ft_last_time"
            ]
        );
        let (h, transactions) = read(dir, "transactions");
        assert_eq!(
            h,
            [
                "transaction_id",
                "session_id",
                "transaction_time",
                "product_id",
                "amount",
                "_ft_last_time"
            ]
        );
        let (h, products) = read(dir, "products");
        assert_eq!(h, ["product_id", "brand", "_ft_last_time"]);
        assert_eq!(customers.len(), o.customers);
        assert_eq!(sessions.len(), o.sessions);
        assert_eq!(transactions.len(), o.transactions);
        assert_eq!(products.len(), o.products);

        // Ids are exactly 1..=n.
        for (rows, n) in [
            (&customers, o.customers),
            (&sessions, o.sessions),
            (&transactions, o.transactions),
            (&products, o.products),
        ] {
            let ids: HashSet<u64> = rows.iter().map(|r| int(&r[0])).collect();
            assert_eq!(ids, (1..=n as u64).collect());
        }

        // Sorted by (time index, index); products by id.
        let sorted = |rows: &Rows, col: usize| {
            rows.windows(2)
                .all(|w| (time(&w[0][col]), int(&w[0][0])) < (time(&w[1][col]), int(&w[1][0])))
        };
        assert!(sorted(&customers, 2), "customers not sorted");
        assert!(sorted(&sessions, 3), "sessions not sorted");
        assert!(sorted(&transactions, 2), "transactions not sorted");
        assert!(products.windows(2).all(|w| int(&w[0][0]) < int(&w[1][0])));

        // Values look like the demo's.
        for r in &customers {
            assert!(ZIP_CODES.contains(&r[1].as_str()));
            assert_eq!(r[3].len(), 10, "birthday is a date: {}", r[3]);
            assert!(time(&r[2]) >= FIRST_JOIN && time(&r[2]) <= LAST_JOIN);
        }
        for r in &sessions {
            assert!(DEVICES.contains(&r[2].as_str()));
        }
        for r in &products {
            assert!(BRANDS.contains(&r[1].as_str()));
        }
        for r in &transactions {
            let a: f64 = r[4].parse().unwrap();
            assert!((5.0..150.0).contains(&a), "amount {a}");
            assert_eq!(r[4], format!("{:?}", a), "amount as Python's repr");
        }

        // Foreign keys resolve; transactions follow their session's start, in order.
        let join: HashMap<u64, i64> = customers
            .iter()
            .map(|r| (int(&r[0]), time(&r[2])))
            .collect();
        let start: HashMap<u64, i64> = sessions.iter().map(|r| (int(&r[0]), time(&r[3]))).collect();
        let mut session_lti = start.clone();
        let mut product_lti: HashMap<u64, i64> = HashMap::new();
        let mut last_in_session: HashMap<u64, i64> = HashMap::new();
        for r in &transactions {
            let (s, t, p) = (int(&r[1]), time(&r[2]), int(&r[3]));
            assert!(t >= start[&s], "transaction before its session");
            if let Some(prev) = last_in_session.insert(s, t) {
                assert!(prev < t, "session {s}: transaction times not increasing");
            }
            assert!((1..=o.products as u64).contains(&p));
            assert_eq!(r[5], r[2], "a transaction's last time is its own time");
            let lti = session_lti
                .get_mut(&s)
                .expect("transaction of an unknown session");
            *lti = (*lti).max(t);
            let e = product_lti.entry(p).or_insert(t);
            *e = (*e).max(t);
        }
        let mut customer_lti = join.clone();
        for r in &sessions {
            let (s, c) = (int(&r[0]), int(&r[1]));
            assert!(join[&c] < start[&s], "customer joins after its session");
            let lti = customer_lti
                .get_mut(&c)
                .expect("session of an unknown customer");
            *lti = (*lti).max(session_lti[&s]);
            assert_eq!(time(&r[4]), session_lti[&s], "session {s} last time");
        }
        for r in &customers {
            assert_eq!(
                time(&r[4]),
                customer_lti[&int(&r[0])],
                "customer {} last time",
                r[0]
            );
        }
        for r in &products {
            match product_lti.get(&int(&r[0])) {
                Some(&t) => assert_eq!(time(&r[2]), t),
                None => assert_eq!(r[2], ""),
            }
        }

        // The JSON files parse and list exactly the categories present.
        let desc: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("data_description.json")).unwrap())
                .unwrap();
        assert_eq!(desc["format"], "csv");
        assert_eq!(desc["relationships"].as_array().unwrap().len(), 3);
        let typing = |df: &str| -> serde_json::Value {
            let p = dir.join("data").join(df).join("woodwork_typing_info.json");
            serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
        };
        let zips: Vec<String> = {
            let mut z: Vec<String> = customers
                .iter()
                .map(|r| r[1].clone())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            z.sort();
            z
        };
        assert_eq!(
            typing("customers")["column_typing_info"][1]["physical_type"]["cat_values"],
            serde_json::json!(zips)
        );
        let mut pids: Vec<u64> = product_lti.keys().copied().collect();
        pids.sort();
        assert_eq!(
            typing("transactions")["column_typing_info"][3]["physical_type"]["cat_values"],
            serde_json::json!(pids)
        );
        for df in ["customers", "sessions", "transactions", "products"] {
            let mut t = typing(df);
            let loading = t["loading_info"].as_object_mut().unwrap();
            assert_eq!(loading["location"], format!("data/{df}.csv"));
            loading.retain(|k, _| k == "table_type");
            assert_eq!(
                t, desc["dataframes"][df],
                "{df}: typing info and description differ"
            );
        }
    }

    fn total_size(dir: &Path) -> u64 {
        let mut n = 0;
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            n += if e.file_type().unwrap().is_dir() {
                total_size(&e.path())
            } else {
                e.metadata().unwrap().len()
            };
        }
        n
    }

    fn file_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(file_bytes(&p));
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn default_set_is_consistent() {
        let dir = TempDir::new("default");
        let o = MockOptions::default();
        let bytes = write_mock_customer(&dir.0, &o).unwrap();
        assert_eq!(bytes, total_size(&dir.0));
        check(&dir.0, &o);
    }

    #[test]
    fn a_smaller_step_keeps_the_same_rows_in_less_time() {
        let base = MockOptions::with_transactions(20_000);
        let small = MockOptions {
            step_seconds: 6,
            ..base.clone()
        };
        let (a, b) = (Plan::new(&base), Plan::new(&small));
        assert_eq!(a.count, b.count);
        let last = a.count.len() - 1;
        let span = |p: &Plan| p.session_lti(last) - FIRST_TRANSACTION;
        assert!(
            span(&b) * 10 < span(&a) && span(&b) * 12 > span(&a),
            "{} vs {}",
            span(&b),
            span(&a)
        );
        let dir = TempDir::new("small-step");
        write_mock_customer(&dir.0, &small).unwrap();
        check(&dir.0, &small);
    }

    #[test]
    fn skewed_set_is_consistent_and_skewed() {
        let dir = TempDir::new("skewed");
        let o = MockOptions {
            customers: 40,
            sessions: 400,
            transactions: 3000,
            products: 7,
            seed: 9,
            skewed: true,
            ..MockOptions::default()
        };
        write_mock_customer(&dir.0, &o).unwrap();
        check(&dir.0, &o);
        let (_, sessions) = read(&dir.0, "sessions");
        let mut per_customer: HashMap<&str, usize> = HashMap::new();
        sessions
            .iter()
            .for_each(|r| *per_customer.entry(&r[1]).or_default() += 1);
        let top = per_customer.values().max().copied().unwrap();
        assert!(
            top >= 4 * o.sessions / o.customers,
            "top customer has only {top} sessions"
        );
    }

    #[test]
    fn few_transactions_leave_sessions_and_products_empty() {
        let dir = TempDir::new("sparse");
        let o = MockOptions {
            customers: 30,
            sessions: 20,
            transactions: 12,
            products: 40,
            seed: 4,
            skewed: false,
            ..MockOptions::default()
        };
        write_mock_customer(&dir.0, &o).unwrap();
        check(&dir.0, &o);
        let (_, products) = read(&dir.0, "products");
        assert!(products.iter().any(|r| r[2].is_empty()));
        // 40 products with 3 brands: woodwork infers Categorical.
        let t = fs::read_to_string(dir.0.join("data/products/woodwork_typing_info.json")).unwrap();
        assert!(t.contains(r#"{"name": "brand", "ordinal": 1, "use_standard_tags": true, "logical_type": {"parameters": {}, "type": "Categorical"}"#));
    }

    #[test]
    fn one_transaction_at_midnight_is_written_as_a_date() {
        let dir = TempDir::new("one");
        let o = MockOptions {
            customers: 1,
            sessions: 1,
            transactions: 1,
            products: 1,
            seed: 0,
            skewed: false,
            ..MockOptions::default()
        };
        write_mock_customer(&dir.0, &o).unwrap();
        check(&dir.0, &o);
        let (_, t) = read(&dir.0, "transactions");
        assert_eq!(t[0][2], "2014-01-01");
        let (_, s) = read(&dir.0, "sessions");
        assert_eq!(s[0][3], "2014-01-01");
    }

    #[test]
    fn same_seed_same_bytes() {
        let o = MockOptions {
            seed: 17,
            skewed: true,
            ..MockOptions::with_transactions(2000)
        };
        let (a, b, c) = (TempDir::new("a"), TempDir::new("b"), TempDir::new("c"));
        write_mock_customer(&a.0, &o).unwrap();
        write_mock_customer(&b.0, &o).unwrap();
        write_mock_customer(
            &c.0,
            &MockOptions {
                seed: 18,
                ..o.clone()
            },
        )
        .unwrap();
        assert_eq!(file_bytes(&a.0), file_bytes(&b.0));
        assert_ne!(file_bytes(&a.0), file_bytes(&c.0));
        check(&a.0, &o);
    }

    #[test]
    fn refuses_what_featuretools_cannot_hold() {
        let dir = TempDir::new("refused");
        let too_late = MockOptions {
            sessions: 1,
            transactions: 200_000_000,
            ..MockOptions::default()
        };
        // Passes the quick bound on the number of transactions; the gaps between sessions
        // take it past 2262.
        let just_too_late = MockOptions {
            sessions: 4_720_000,
            transactions: 118_000_000,
            ..MockOptions::default()
        };
        let orphans = MockOptions {
            customers: 0,
            ..MockOptions::default()
        };
        for o in [too_late, just_too_late, orphans] {
            let e = write_mock_customer(&dir.0, &o).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{o:?}");
        }
        assert!(!dir.0.join("data").exists(), "nothing written");
    }

    #[test]
    fn with_transactions_scales_like_the_demo() {
        let o = MockOptions::with_transactions(5_000_000);
        assert_eq!(
            (o.customers, o.sessions, o.transactions, o.products),
            (10_000, 200_000, 5_000_000, 5)
        );
        let o = MockOptions::with_transactions(10);
        assert_eq!((o.customers, o.sessions, o.products), (1, 1, 5));
    }

    #[test]
    fn typing_info_is_byte_for_byte_featuretools() {
        // `es.to_csv()` of `load_mock_customer(return_entityset=True)`, sessions dataframe.
        let expected = r#"{"schema_version": "12.0.0", "name": "sessions", "index": "session_id", "time_index": "session_start", "column_typing_info": [{"name": "session_id", "ordinal": 0, "use_standard_tags": true, "logical_type": {"parameters": {}, "type": "Integer"}, "physical_type": {"type": "int64"}, "semantic_tags": ["index"], "description": null, "origin": null, "metadata": {"dataframe_name": "sessions", "entityset_id": "transactions"}}, {"name": "customer_id", "ordinal": 1, "use_standard_tags": true, "logical_type": {"parameters": {}, "type": "Integer"}, "physical_type": {"type": "int64"}, "semantic_tags": ["foreign_key", "numeric"], "description": null, "origin": null, "metadata": {"dataframe_name": "sessions", "entityset_id": "transactions"}}, {"name": "device", "ordinal": 2, "use_standard_tags": true, "logical_type": {"parameters": {}, "type": "Categorical"}, "physical_type": {"type": "category", "cat_values": ["desktop", "mobile", "tablet"], "cat_dtype": "object"}, "semantic_tags": ["category"], "description": null, "origin": null, "metadata": {"dataframe_name": "sessions", "entityset_id": "transactions"}}, {"name": "session_start", "ordinal": 3, "use_standard_tags": true, "logical_type": {"parameters": {"datetime_format": null, "timezone": null}, "type": "Datetime"}, "physical_type": {"type": "datetime64[ns]"}, "semantic_tags": ["time_index"], "description": null, "origin": null, "metadata": {"dataframe_name": "sessions", "entityset_id": "transactions"}}, {"name": "_ft_last_time", "ordinal": 4, "use_standard_tags": true, "logical_type": {"parameters": {"datetime_format": null, "timezone": null}, "type": "Datetime"}, "physical_type": {"type": "datetime64[ns]"}, "semantic_tags": ["last_time_index"], "description": null, "origin": null, "metadata": {"dataframe_name": "sessions", "entityset_id": "transactions"}}], "loading_info": {"table_type": "pandas", "location": "data/sessions.csv", "type": "csv", "params": {"sep": ",", "encoding": "utf-8", "engine": "python", "index": false, "compression": null}}, "table_metadata": {"entityset_id": "transactions", "last_time_index": "_ft_last_time"}}"#;
        let dir = TempDir::new("typing");
        write_mock_customer(&dir.0, &MockOptions::default()).unwrap();
        let got =
            fs::read_to_string(dir.0.join("data/sessions/woodwork_typing_info.json")).unwrap();
        assert_eq!(got, expected);
    }

    #[test]
    fn formatting_helpers() {
        let mut b = Vec::new();
        push_datetime(&mut b, FIRST_TRANSACTION + 65, false);
        b.push(b'|');
        push_datetime(&mut b, 459_820_800, true);
        b.push(b'|');
        for c in [500, 2320, 870, 10_000, 12_764, 14_999] {
            push_amount(&mut b, c);
            b.push(b' ');
        }
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "2014-01-01 00:01:05|1984-07-28|5.0 23.2 8.7 100.0 127.64 149.99 "
        );
        let p = Permutation::new(1000, 3);
        let all: HashSet<u64> = (0..1000).map(|i| p.get(i)).collect();
        assert_eq!(all.len(), 1000);
        assert!(all.iter().all(|&x| x < 1000));
    }
}

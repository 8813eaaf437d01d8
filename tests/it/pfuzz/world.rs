//! Random entity sets, written as featuretools' `es.to_csv()` writes them.

use std::path::Path;

use serde_json::{json, Value};

/// splitmix64: small, seeded, the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ColType {
    /// The index: integers, or text as a Categorical.
    Index {
        text: bool,
    },
    /// A foreign key: relationship position.
    Fk {
        rel: usize,
    },
    Time,
    LastTime,
    /// A second datetime, the secondary time index of `x`.
    SecondaryTime,
    Double,
    Integer,
    /// Integers typed IntegerNullable (pandas `Int64`), with or without missing values.
    IntegerNullable,
    Boolean,
    BooleanNullable,
    Categorical,
    /// Free text (NaturalLanguage).
    Text,
    /// A column of another woodwork type that some transforms take.
    Web(Web),
}

/// The other woodwork types of [`ColType::Web`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Web {
    Email,
    Url,
    Path,
    Name,
    Postal,
    LatLong,
}

impl Web {
    const ALL: [Web; 6] = [
        Web::Email,
        Web::Url,
        Web::Path,
        Web::Name,
        Web::Postal,
        Web::LatLong,
    ];

    /// The woodwork logical type.
    pub fn logical_type(self) -> &'static str {
        match self {
            Web::Email => "EmailAddress",
            Web::Url => "URL",
            Web::Path => "Filepath",
            Web::Name => "PersonFullName",
            Web::Postal => "PostalCode",
            Web::LatLong => "LatLong",
        }
    }

    fn values(self) -> &'static [&'static str] {
        match self {
            Web::Email => &[
                "alice@gmail.com",
                "bob@example.org",
                "carol@yahoo.co.uk",
                "dave@Hotmail.com",
                "not an address",
            ],
            Web::Url => &[
                "https://www.example.com/a/b",
                "http://sub.domain.org",
                "ftp://files.net/x.txt",
                "www.google.com",
                "https://featuretools.alteryx.com/en/stable/?q=1",
            ],
            Web::Path => &[
                "/a/b.txt",
                "C:\\x\\y.CSV",
                "noext",
                "archive.tar.gz",
                "./.hidden",
            ],
            Web::Name => &[
                "Mr. John Smith",
                "Jane Doe",
                "Dr. Ann B. Carter",
                "Smith, John",
                "Cher",
            ],
            Web::Postal => &["02115", "94105-1234", "10001", "60601", "98101"],
            Web::LatLong => &[
                "(1.5, 2.25)",
                "(-33.9, 151.2)",
                "(0.0, 0.0)",
                "(40.7128, -74.006)",
                "(51.5, -0.12)",
            ],
        }
    }
}

/// NaturalLanguage cells: words, punctuation, hashtags, mentions, quotes, case.
const TEXTS: &[&str] = &[
    "The quick brown fox",
    "hello, world!",
    "@alice said \"hi\" to #rust",
    "Is this the END?",
    "the the THE",
    "one",
    "It's 'quoted' text.",
    "a-b c;d e.f",
    "#tag1 #tag2 @bob",
    "Title Case Words Here",
    "  two  spaces ",
    "x",
];

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ty: ColType,
    /// Cells as pandas' `to_csv` writes them; `None` is missing.
    pub cells: Vec<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct Df {
    pub name: String,
    pub cols: Vec<Column>,
}

impl Df {
    pub fn rows(&self) -> usize {
        self.cols[0].cells.len()
    }
    pub fn col(&self, ty: &ColType) -> Option<&Column> {
        self.cols.iter().find(|c| &c.ty == ty)
    }
    pub fn has_time(&self) -> bool {
        self.col(&ColType::Time).is_some()
    }
    fn text_index(&self) -> bool {
        matches!(self.cols[0].ty, ColType::Index { text: true })
    }
}

/// `child.col` references `parent`'s index.
#[derive(Debug, Clone)]
pub struct Rel {
    pub parent: usize,
    pub child: usize,
    pub col: String,
}

#[derive(Debug, Clone)]
pub struct World {
    pub dfs: Vec<Df>,
    pub rels: Vec<Rel>,
    pub numeric_time: bool,
    /// Seconds between two time steps of a Datetime world: 6 hours mostly, sometimes about three
    /// days (four months of data: month, quarter and leap-day ends) or 1h37m11s (minutes and
    /// seconds).
    pub scale: i64,
}

pub const CATS: [&str; 3] = ["a", "b", "c"];

impl World {
    /// A time as the data holds it: `ticks` steps from 2020-01-01, or the number 6 * `ticks`.
    pub fn time_cell(&self, ticks: i64) -> String {
        time_at(self.numeric_time, self.scale, ticks)
    }

    /// Training windows of about 1, 3 and 8 time steps.
    pub fn windows(&self) -> &'static [&'static str] {
        match self.scale {
            s if s > 86_400 => &["1 month", "10 days", "3 days"],
            s if s < 21_600 => &["12 hours", "3 hours", "1 day"],
            _ => &["1 day", "3 days", "12 hours"],
        }
    }

    /// use_previous spans (`{"unit", "value"}`, as featuretools saves a Timedelta) and their
    /// names in a feature name.
    pub fn span(&self, rng: &mut Rng) -> (Value, String) {
        let n = 1 + rng.below(3);
        match self.scale {
            s if s > 86_400 && rng.chance(0.5) => (
                json!({"unit": "mo", "value": n}),
                format!("Last {n} Months"),
            ),
            s if s > 86_400 => {
                let d = 3 * n;
                (json!({"unit": "d", "value": d}), format!("Last {d} Days"))
            }
            s if s < 21_600 => {
                let h = 2 * n;
                (json!({"unit": "h", "value": h}), format!("Last {h} Hours"))
            }
            _ => (json!({"unit": "d", "value": n}), format!("Last {n} Days")),
        }
    }

    /// Each dataframe's tree link when split by `by` (the first relationship, in order, by which
    /// a breadth-first walk from `by` reaches it: `ftpart_partitioner`'s rule).
    pub fn tree_links(&self, by: usize) -> Vec<Option<usize>> {
        let mut link = vec![None; self.dfs.len()];
        let mut seen = vec![false; self.dfs.len()];
        seen[by] = true;
        let mut queue = std::collections::VecDeque::from([by]);
        while let Some(t) = queue.pop_front() {
            for (i, r) in self.rels.iter().enumerate() {
                if r.parent == t && !seen[r.child] {
                    seen[r.child] = true;
                    link[r.child] = Some(i);
                    queue.push_back(r.child);
                }
            }
        }
        link
    }
}

fn time_at(numeric: bool, scale: i64, ticks: i64) -> String {
    if numeric {
        return (6 * ticks).to_string();
    }
    let secs = 1_577_836_800 + ticks * scale;
    ftpart::time::format_datetime(secs * 1_000_000_000)
}

/// A cell as pandas' `to_csv` writes it (quoted when it holds a comma, a quote or a newline).
fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

fn key_cell(text: bool, i: usize) -> String {
    if text {
        format!("k{i}")
    } else {
        i.to_string()
    }
}

impl World {
    pub fn generate(rng: &mut Rng) -> World {
        let n = 2 + rng.below(6);
        let numeric_time = rng.chance(0.15);
        let scale = match rng.below(20) {
            0..=13 => 21_600,
            14..=16 => 3 * 86_400 + 3671,
            _ => 5831,
        };
        let at = |ticks: i64| time_at(numeric_time, scale, ticks);
        let mut dfs: Vec<Df> = Vec::new();
        let mut rels: Vec<Rel> = Vec::new();
        for i in 0..n {
            let rows = if rng.chance(0.06) {
                0
            } else {
                1 + rng.below(4 + 8 * i)
            };
            let text = rng.chance(0.2);
            let mut cols = vec![Column {
                name: "id".into(),
                ty: ColType::Index { text },
                cells: (0..rows).map(|r| Some(key_cell(text, r))).collect(),
            }];
            // Parents among the earlier dataframes: none (a second root or an island), one, two,
            // and sometimes a second relationship to the same parent.
            if i > 0 {
                let k = match rng.below(10) {
                    0 => 0,
                    1..=6 => 1,
                    _ => 2,
                };
                let mut parents: Vec<usize> = Vec::new();
                for _ in 0..k {
                    let p = rng.below(i);
                    if !parents.contains(&p) {
                        parents.push(p);
                    }
                }
                if let Some(&p) = parents.first() {
                    if rng.chance(0.15) {
                        parents.push(p);
                    }
                }
                for (j, &p) in parents.iter().enumerate() {
                    let name = format!(
                        "{}_id{}",
                        dfs[p].name,
                        if j > 0 { j.to_string() } else { String::new() }
                    );
                    let prows = dfs[p].rows();
                    let ptext = dfs[p].text_index();
                    let cells = (0..rows)
                        .map(|_| {
                            if rng.chance(0.07) {
                                None
                            } else if prows == 0 || rng.chance(0.04) {
                                Some(key_cell(ptext, 1000 + rng.below(3)))
                            } else {
                                Some(key_cell(ptext, rng.below(prows)))
                            }
                        })
                        .collect();
                    cols.push(Column {
                        name,
                        ty: ColType::Fk { rel: rels.len() },
                        cells,
                    });
                    rels.push(Rel {
                        parent: p,
                        child: i,
                        col: cols.last().expect("pushed").name.clone(),
                    });
                }
            }
            let times: Vec<i64> = (0..rows).map(|_| rng.below(40) as i64).collect();
            let timed = rng.chance(0.75);
            if timed {
                cols.push(Column {
                    name: "t".into(),
                    ty: ColType::Time,
                    cells: times.iter().map(|&h| Some(at(h))).collect(),
                });
            }
            cols.push(Column {
                name: "x".into(),
                ty: ColType::Double,
                cells: (0..rows)
                    .map(|_| {
                        (!rng.chance(0.15))
                            .then(|| format!("{:.1}", rng.below(9) as f64 / 2.0 - 1.0))
                    })
                    .collect(),
            });
            if timed && !numeric_time && rng.chance(0.15) {
                cols.push(Column {
                    name: "t2".into(),
                    ty: ColType::SecondaryTime,
                    cells: times
                        .iter()
                        .map(|&h| Some(at(h + rng.below(6) as i64)))
                        .collect(),
                });
            }
            let mut n = Column {
                name: "n".into(),
                ty: ColType::Integer,
                cells: (0..rows).map(|_| Some(rng.below(5).to_string())).collect(),
            };
            // Half the time IntegerNullable, missing values or not: drawn from a side stream,
            // so that the rest of the case (and the regression seeds' cases) stays the same.
            let mut side = Rng(rng.0 ^ 0x6A09_E667_F3BC_C908);
            if side.chance(0.5) {
                n.ty = ColType::IntegerNullable;
                let missing = *side.pick(&[0.0, 0.15, 0.4]);
                for c in &mut n.cells {
                    if side.chance(missing) {
                        *c = None;
                    }
                }
            }
            cols.push(n);
            if rng.chance(0.6) {
                cols.push(Column {
                    name: "b".into(),
                    ty: ColType::Boolean,
                    cells: (0..rows)
                        .map(|_| Some(if rng.chance(0.5) { "True" } else { "False" }.into()))
                        .collect(),
                });
            }
            if rng.chance(0.4) {
                cols.push(Column {
                    name: "bn".into(),
                    ty: ColType::BooleanNullable,
                    cells: (0..rows)
                        .map(|_| {
                            (!rng.chance(0.2))
                                .then(|| if rng.chance(0.5) { "True" } else { "False" }.into())
                        })
                        .collect(),
                });
            }
            if rng.chance(0.7) {
                cols.push(Column {
                    name: "c".into(),
                    ty: ColType::Categorical,
                    cells: (0..rows)
                        .map(|_| (!rng.chance(0.1)).then(|| rng.pick(&CATS).to_string()))
                        .collect(),
                });
            }
            if rng.chance(0.3) {
                cols.push(Column {
                    name: "s".into(),
                    ty: ColType::Text,
                    cells: (0..rows)
                        .map(|_| (!rng.chance(0.1)).then(|| rng.pick(TEXTS).to_string()))
                        .collect(),
                });
            }
            if rng.chance(0.2) {
                let web = *rng.pick(&Web::ALL);
                let names: &[&str] = if web == Web::LatLong {
                    &["w", "w2"]
                } else {
                    &["w"]
                };
                for name in names {
                    cols.push(Column {
                        name: name.to_string(),
                        ty: ColType::Web(web),
                        cells: (0..rows)
                            .map(|_| (!rng.chance(0.1)).then(|| rng.pick(web.values()).to_string()))
                            .collect(),
                    });
                }
            }
            if timed && rng.chance(0.3) {
                cols.push(Column {
                    name: "_ft_last_time".into(),
                    ty: ColType::LastTime,
                    cells: times
                        .iter()
                        .map(|&h| Some(at(h + rng.below(5) as i64)))
                        .collect(),
                });
            }
            dfs.push(Df {
                name: format!("d{i}"),
                cols,
            });
        }
        World {
            dfs,
            rels,
            numeric_time,
            scale,
        }
    }

    /// Dataframes below `by` (and `by`), following child relationships.
    pub fn below(&self, by: usize) -> Vec<usize> {
        let mut seen = vec![by];
        let mut i = 0;
        while i < seen.len() {
            for r in &self.rels {
                if r.parent == seen[i] && !seen.contains(&r.child) {
                    seen.push(r.child);
                }
            }
            i += 1;
        }
        seen
    }

    pub fn rel_json(&self, r: usize) -> Value {
        let r = &self.rels[r];
        json!({
            "parent_dataframe_name": self.dfs[r.parent].name,
            "child_dataframe_name": self.dfs[r.child].name,
            "parent_column_name": "id",
            "child_column_name": r.col,
        })
    }

    fn column_json(&self, df: &Df, c: &Column) -> Value {
        let dt = || json!({"parameters": {"datetime_format": null, "timezone": null}, "type": "Datetime"});
        let num_time = || json!({"parameters": {}, "type": "Integer"});
        let cat = |values: Vec<String>| {
            (
                json!({"parameters": {}, "type": "Categorical"}),
                json!({"type": "category", "cat_values": values, "cat_dtype": "object"}),
            )
        };
        let has_null = c.cells.iter().any(Option::is_none);
        // A text key's categories: its distinct values, sorted as pandas sorts them.
        let distinct = || {
            let set: std::collections::BTreeSet<String> =
                c.cells.iter().flatten().cloned().collect();
            set.into_iter().collect::<Vec<_>>()
        };
        let (lt, phys, tags): (Value, Value, Vec<&str>) = match &c.ty {
            ColType::Index { text: true } => {
                let (l, p) = cat(distinct());
                (l, p, vec!["index"])
            }
            ColType::Index { text: false } => (
                json!({"parameters": {}, "type": "Integer"}),
                json!({"type": "int64"}),
                vec!["index"],
            ),
            ColType::Fk { rel } => {
                let p = &self.dfs[self.rels[*rel].parent];
                if p.text_index() {
                    let (l, ph) = cat(distinct());
                    (l, ph, vec!["category", "foreign_key"])
                } else if has_null {
                    (
                        json!({"parameters": {}, "type": "IntegerNullable"}),
                        json!({"type": "Int64"}),
                        vec!["foreign_key", "numeric"],
                    )
                } else {
                    (
                        json!({"parameters": {}, "type": "Integer"}),
                        json!({"type": "int64"}),
                        vec!["foreign_key", "numeric"],
                    )
                }
            }
            ColType::Time if self.numeric_time => {
                (num_time(), json!({"type": "int64"}), vec!["time_index"])
            }
            ColType::LastTime if self.numeric_time => (
                num_time(),
                json!({"type": "int64"}),
                vec!["last_time_index"],
            ),
            ColType::Time => (dt(), json!({"type": "datetime64[ns]"}), vec!["time_index"]),
            ColType::LastTime => (
                dt(),
                json!({"type": "datetime64[ns]"}),
                vec!["last_time_index"],
            ),
            ColType::SecondaryTime => (dt(), json!({"type": "datetime64[ns]"}), vec![]),
            ColType::Double => (
                json!({"parameters": {}, "type": "Double"}),
                json!({"type": "float64"}),
                vec!["numeric"],
            ),
            ColType::Integer => (
                json!({"parameters": {}, "type": "Integer"}),
                json!({"type": "int64"}),
                vec!["numeric"],
            ),
            ColType::IntegerNullable => (
                json!({"parameters": {}, "type": "IntegerNullable"}),
                json!({"type": "Int64"}),
                vec!["numeric"],
            ),
            ColType::Boolean => (
                json!({"parameters": {"cast_nulls_as": null}, "type": "Boolean"}),
                json!({"type": "bool"}),
                vec![],
            ),
            ColType::BooleanNullable => (
                json!({"parameters": {}, "type": "BooleanNullable"}),
                json!({"type": "boolean"}),
                vec![],
            ),
            ColType::Categorical => {
                let (l, p) = cat(CATS.iter().map(|s| s.to_string()).collect());
                (l, p, vec!["category"])
            }
            ColType::Text => (
                json!({"parameters": {}, "type": "NaturalLanguage"}),
                json!({"type": "string"}),
                vec![],
            ),
            ColType::Web(Web::Postal) => {
                let (_, p) = cat(distinct());
                (
                    json!({"parameters": {}, "type": "PostalCode"}),
                    p,
                    vec!["category"],
                )
            }
            ColType::Web(Web::LatLong) => (
                json!({"parameters": {}, "type": "LatLong"}),
                json!({"type": "object"}),
                vec![],
            ),
            ColType::Web(web) => (
                json!({"parameters": {}, "type": web.logical_type()}),
                json!({"type": "string"}),
                vec![],
            ),
        };
        let ordinal = df.cols.iter().position(|x| x.name == c.name).unwrap_or(0);
        json!({
            "name": c.name, "ordinal": ordinal, "use_standard_tags": true, "logical_type": lt,
            "physical_type": phys, "semantic_tags": tags, "description": null, "origin": null,
            "metadata": {"dataframe_name": df.name, "entityset_id": "pfuzz"},
        })
    }

    fn df_json(&self, df: &Df) -> Value {
        let mut meta = json!({"entityset_id": "pfuzz"});
        if df.col(&ColType::LastTime).is_some() {
            meta["last_time_index"] = json!("_ft_last_time");
        }
        if df.col(&ColType::SecondaryTime).is_some() {
            meta["secondary_time_index"] = json!({"t2": ["x", "t2"]});
        }
        json!({
            "schema_version": "12.0.0",
            "name": df.name,
            "index": "id",
            "time_index": if df.has_time() { json!("t") } else { Value::Null },
            "column_typing_info": df.cols.iter().map(|c| self.column_json(df, c)).collect::<Vec<_>>(),
            "loading_info": {"table_type": "pandas", "location": format!("data/{}.csv", df.name), "type": "csv",
                "params": {"sep": ",", "encoding": "utf-8", "engine": "python", "index": false, "compression": null}},
            "table_metadata": meta,
        })
    }

    /// `es.to_dictionary()`.
    pub fn description(&self) -> Value {
        let mut dfs = serde_json::Map::new();
        for df in &self.dfs {
            dfs.insert(df.name.clone(), self.df_json(df));
        }
        json!({
            "schema_version": "9.0.0",
            "id": "pfuzz",
            "dataframes": dfs,
            "relationships": (0..self.rels.len()).map(|r| self.rel_json(r)).collect::<Vec<_>>(),
            "format": "csv",
        })
    }

    /// Writes the entity set as `es.to_csv(dir)` does.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join("data_description.json"),
            serde_json::to_string(&self.description())?,
        )?;
        for df in &self.dfs {
            let d = dir.join("data").join(&df.name);
            std::fs::create_dir_all(d.join("data"))?;
            std::fs::write(
                d.join("woodwork_typing_info.json"),
                serde_json::to_string(&self.df_json(df))?,
            )?;
            let mut text = df
                .cols
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(",");
            text.push('\n');
            for r in 0..df.rows() {
                let row: Vec<std::borrow::Cow<str>> = df
                    .cols
                    .iter()
                    .map(|c| csv_cell(c.cells[r].as_deref().unwrap_or("")))
                    .collect();
                text.push_str(&row.join(","));
                text.push('\n');
            }
            std::fs::write(d.join("data").join(format!("{}.csv", df.name)), text)?;
        }
        Ok(())
    }

    /// The same world with only the rows `keep(df, row)` of each dataframe.
    pub fn retain(&self, keep: &dyn Fn(usize, usize) -> bool) -> World {
        let mut w = self.clone();
        for (d, df) in w.dfs.iter_mut().enumerate() {
            let rows: Vec<usize> = (0..df.rows()).filter(|&r| keep(d, r)).collect();
            for c in &mut df.cols {
                c.cells = rows.iter().map(|&r| c.cells[r].clone()).collect();
            }
        }
        w
    }
}

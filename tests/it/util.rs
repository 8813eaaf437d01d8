//! Test helpers: fixture cases, running the `ftpart` binary, comparing matrices with featuretools'.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::matrix::MatrixOptions;

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// A conformance case (`case.json`, as in `../shared/conformance`).
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub entityset: PathBuf,
    pub by: String,
    pub features: PathBuf,
    pub cutoff_time: Option<PathBuf>,
    pub training_window: Option<String>,
    pub include_cutoff_time: bool,
    pub cutoff_time_in_index: bool,
    pub expected: PathBuf,
}

impl Case {
    /// The CLI arguments for time options (as `../shared/conformance/run.sh` passes them).
    pub fn time_args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(c) = &self.cutoff_time {
            a.extend(["--cutoff-time".to_string(), c.display().to_string()]);
        }
        if let Some(w) = &self.training_window {
            a.extend(["--training-window".to_string(), w.clone()]);
        }
        if !self.include_cutoff_time {
            a.extend(["--include-cutoff-time".to_string(), "false".to_string()]);
        }
        if self.cutoff_time_in_index {
            a.push("--cutoff-time-in-index".to_string());
        }
        a
    }

    /// Computes the case in this process with the library, from the columns the features read.
    pub fn compute_in_process(&self) -> Result<String, String> {
        let (es, graph, cutoff, opts) = self.inputs()?;
        let fm = ftpart::matrix::calculate_feature_matrix(&es, &graph, &cutoff, &opts)
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        ftpart::matrix::write_csv(&fm, &mut out).map_err(|e| e.to_string())?;
        String::from_utf8(out).map_err(|e| e.to_string())
    }

    /// The entity set (the columns the features read, as `ftpart calculate` reads it), the
    /// features, the cutoff and the options of the case.
    pub fn inputs(
        &self,
    ) -> Result<
        (
            ftpart::entityset::EntitySet,
            ftpart::features::FeatureGraph,
            Cutoff,
            MatrixOptions,
        ),
        String,
    > {
        let graph =
            ftpart::features::FeatureGraph::read(&self.features).map_err(|e| e.to_string())?;
        // As `ftpart calculate` reads it: only the columns the features need.
        let projection = ftpart::entityset::project::ProjectionOptions {
            training_window: self.training_window.is_some(),
        };
        let es = ftpart::entityset::read_entityset_projected(&self.entityset, &graph, projection)
            .map_err(|e| e.to_string())?;
        let target = es.df_position(graph.target()).map_err(|e| e.to_string())?;
        let cutoff = match &self.cutoff_time {
            Some(p) => Cutoff::Table(
                CutoffTable::read(p, &es.schema.dataframes[target], es.schema.numeric_time())
                    .map_err(|e| e.to_string())?,
            ),
            None => Cutoff::Now,
        };
        let mut opts = MatrixOptions::default();
        opts.time.include_cutoff_time = self.include_cutoff_time;
        opts.time.training_window = self
            .training_window
            .as_deref()
            .map(|w| ftpart::time::parse_span(w).unwrap());
        opts.cutoff_time_in_index = self.cutoff_time_in_index;
        Ok((es, graph, cutoff, opts))
    }
}

/// Every case under `fixtures/<set>/cases`.
pub fn cases(set: &str) -> Vec<Case> {
    let dir = fixtures().join(set).join("cases");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut dirs: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.json").exists())
        .collect();
    dirs.sort();
    for d in dirs {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("case.json")).unwrap()).unwrap();
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        out.push(Case {
            name: d.file_name().unwrap().to_string_lossy().into_owned(),
            entityset: d.join(s("entityset").unwrap()),
            by: s("by").unwrap_or_default(),
            features: d.join(s("features").unwrap()),
            cutoff_time: s("cutoff_time").map(|c| d.join(c)),
            training_window: s("training_window"),
            include_cutoff_time: v
                .get("include_cutoff_time")
                .and_then(|x| x.as_bool())
                .unwrap_or(true),
            cutoff_time_in_index: v
                .get("cutoff_time_in_index")
                .and_then(|x| x.as_bool())
                .unwrap_or(false),
            expected: d.join(s("expected").unwrap()),
        });
    }
    out
}

fn normal(v: &str) -> String {
    let v = v.trim();
    match v {
        "True" | "true" => return "true".into(),
        "False" | "false" => return "false".into(),
        _ => {}
    }
    v.to_string()
}

fn same_cell(a: &str, e: &str) -> bool {
    let (a, e) = (normal(a), normal(e));
    if a == e {
        return true;
    }
    if a.is_empty() || e.is_empty() {
        return false;
    }
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), e.parse::<f64>()) {
        return (x - y).abs() <= 1e-9 + 1e-6 * y.abs();
    }
    match (
        ftpart::time::parse_datetime(&a),
        ftpart::time::parse_datetime(&e),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Compares a matrix (CSV text) with featuretools' (a CSV file written by pandas): same columns in
/// the same order, same rows in the same order, numbers equal to 1e-6 relative, same empty cells.
pub fn compare_csv(actual: &str, expected: &Path) -> Result<(), String> {
    let read = |r: &mut csv::Reader<&[u8]>| -> Vec<Vec<String>> {
        r.records()
            .map(|x| x.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    let exp_text = std::fs::read_to_string(expected).map_err(|e| e.to_string())?;
    let mut ar = csv::Reader::from_reader(actual.as_bytes());
    let mut er = csv::Reader::from_reader(exp_text.as_bytes());
    let ah: Vec<String> = ar.headers().unwrap().iter().map(str::to_string).collect();
    let eh: Vec<String> = er.headers().unwrap().iter().map(str::to_string).collect();
    if ah != eh {
        let missing: Vec<&String> = eh.iter().filter(|c| !ah.contains(c)).collect();
        let extra: Vec<&String> = ah.iter().filter(|c| !eh.contains(c)).collect();
        return Err(format!(
            "columns differ ({} vs expected {}); missing {missing:?}; extra {extra:?}",
            ah.len(),
            eh.len()
        ));
    }
    let (arows, erows) = (read(&mut ar), read(&mut er));
    if arows.len() != erows.len() {
        return Err(format!("rows: {} vs expected {}", arows.len(), erows.len()));
    }
    let mut errs = Vec::new();
    for (c, name) in eh.iter().enumerate() {
        let bad: Vec<usize> = (0..erows.len())
            .filter(|&r| !same_cell(&arows[r][c], &erows[r][c]))
            .collect();
        if let Some(&r) = bad.first() {
            errs.push(format!(
                "{name}: {} rows differ; row {r}: got {:?}, expected {:?}",
                bad.len(),
                arows[r][c],
                erows[r][c]
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n"))
    }
}

/// Runs the `ftpart` binary.
pub fn ftpart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftpart"))
        .args(args)
        .output()
        .expect("run ftpart")
}

/// A fresh temporary directory.
/// `ftpart split ES --by BY --parts N --out OUT --quiet EXTRA...`.
pub fn split(es: &Path, by: &str, parts: usize, out: &Path, extra: &[&str]) -> Output {
    let parts = parts.to_string();
    let mut args = vec![
        "split",
        es.to_str().unwrap(),
        "--by",
        by,
        "--parts",
        &parts,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend(extra);
    ftpart(&args)
}

pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

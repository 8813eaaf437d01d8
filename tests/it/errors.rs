//! Bad input: a clear error naming what is wrong, exit code 2, and no output file.

use std::path::{Path, PathBuf};

use crate::util::{fixtures, ftpart, tmp};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

struct Setup {
    dir: tempfile::TempDir,
    es: PathBuf,
    features: PathBuf,
    cutoff: PathBuf,
}

fn setup() -> Setup {
    let dir = tmp();
    let es = dir.path().join("es");
    copy_dir(
        &fixtures().join("conformance/entitysets/mock_customer_s0"),
        &es,
    );
    let case = fixtures().join("conformance/cases/mc0_customers_per_instance");
    let features = dir.path().join("features.json");
    std::fs::copy(case.join("features.json"), &features).unwrap();
    let cutoff = dir.path().join("cutoff.csv");
    std::fs::copy(case.join("cutoff.csv"), &cutoff).unwrap();
    Setup {
        dir,
        es,
        features,
        cutoff,
    }
}

impl Setup {
    fn edit(&self, path: &Path, f: impl Fn(String) -> String) {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, f(text)).unwrap();
    }

    /// Runs `ftpart calculate` and checks it fails with exit 2, a message holding every `needles`,
    /// and no output file.
    fn fails_with(&self, needles: &[&str]) {
        let out = self.dir.path().join("fm.csv");
        let o = ftpart(&[
            "calculate",
            self.es.to_str().unwrap(),
            "--features",
            self.features.to_str().unwrap(),
            "--cutoff-time",
            self.cutoff.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
        for n in needles {
            assert!(stderr.contains(n), "expected {n:?} in: {stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists(), "no output file on error");
        let leftovers: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| {
                let n = e.unwrap().file_name().to_string_lossy().into_owned();
                n.starts_with(".ftpart-").then_some(n)
            })
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
}

#[test]
fn missing_data_description() {
    let s = setup();
    std::fs::remove_file(s.es.join("data_description.json")).unwrap();
    s.fails_with(&["no data_description.json"]);
}

#[test]
fn malformed_data_description() {
    let s = setup();
    s.edit(&s.es.join("data_description.json"), |t| {
        t[..t.len() / 2].to_string()
    });
    s.fails_with(&["data_description.json", "not valid JSON"]);
}

#[test]
fn data_description_of_another_schema_version() {
    let s = setup();
    s.edit(&s.es.join("data_description.json"), |t| {
        t.replacen(
            "\"schema_version\": \"9.0.0\"",
            "\"schema_version\": \"7.0.0\"",
            1,
        )
    });
    s.fails_with(&["schema version 7.0.0"]);
}

#[test]
fn missing_data_file() {
    let s = setup();
    std::fs::remove_file(s.es.join("data/sessions/data/sessions.csv")).unwrap();
    s.fails_with(&["sessions.csv", "data file is missing"]);
}

#[test]
fn column_missing_from_data() {
    let s = setup();
    s.edit(&s.es.join("data/sessions/data/sessions.csv"), |t| {
        t.replacen("device", "gadget", 1)
    });
    s.fails_with(&["sessions.csv", "'sessions'", "'device'", "no such column"]);
}

#[test]
fn unparsable_time() {
    let s = setup();
    s.edit(&s.es.join("data/transactions/data/transactions.csv"), |t| {
        t.replacen("2014-01-01 00:01:05", "sometime", 1)
    });
    s.fails_with(&[
        "transactions.csv",
        "'transaction_time'",
        "'sometime' is not a date/time",
    ]);
}

#[test]
fn duplicate_index_value() {
    let s = setup();
    s.edit(&s.es.join("data/customers/data/customers.csv"), |t| {
        let mut lines: Vec<&str> = t.lines().collect();
        let dup = lines[1].to_string();
        lines.push(&dup);
        lines.join("\n") + "\n"
    });
    s.fails_with(&["'customers'", "not unique"]);
}

#[test]
fn unknown_feature_type() {
    let s = setup();
    s.edit(&s.features, |t| {
        t.replacen(
            "\"type\": \"IdentityFeature\"",
            "\"type\": \"MagicFeature\"",
            1,
        )
    });
    s.fails_with(&["MagicFeature", "not supported"]);
}

#[test]
fn unknown_primitive() {
    let s = setup();
    s.edit(&s.features, |t| {
        t.replace("\"type\": \"Skew\"", "\"type\": \"MySkew\"")
    });
    s.fails_with(&["SKEW(", "'MySkew'", "not a featuretools 1.31 primitive"]);
}

#[test]
fn a_users_primitive_named_like_featuretools_one_is_refused() {
    // A user's own class named `Skew` in another module is not featuretools' SKEW.
    let s = setup();
    s.edit(&s.features, |t| {
        t.replace(
            "featuretools.primitives.standard.aggregation.skew",
            "my_project.primitives",
        )
    });
    s.fails_with(&[
        "SKEW(",
        "'Skew'",
        "my_project.primitives",
        "not featuretools'",
    ]);
    let s = setup();
    s.edit(&s.features, |t| {
        t.replace(
            "\"module\": \"featuretools.primitives.standard.aggregation.skew\", \"arguments\": {}",
            "\"module\": \"featuretools.primitives.standard.aggregation.skew\", \"arguments\": {\"bias\": false}",
        )
    });
    s.fails_with(&["SKEW(", "argument 'bias'"]);
}

#[test]
fn feature_names_a_missing_column() {
    let s = setup();
    s.edit(&s.features, |t| {
        t.replace("\"column_name\": \"amount\"", "\"column_name\": \"price\"")
    });
    s.fails_with(&["transactions: amount", "'price'"]);
}

#[test]
fn features_for_a_dataframe_the_entity_set_lacks() {
    let s = setup();
    s.edit(&s.features, |t| {
        t.replace("\"customers: ", "\"clients: ").replace(
            "\"dataframe_name\": \"customers\"",
            "\"dataframe_name\": \"clients\"",
        )
    });
    s.fails_with(&[
        "target of the features",
        "dataframe 'clients' is not in the entity set",
    ]);
}

#[test]
fn feature_uses_a_relationship_the_entity_set_lacks() {
    let s = setup();
    s.edit(&s.features, |t| {
        t.replace(
            "\"child_column_name\": \"session_id\"",
            "\"child_column_name\": \"visit_id\"",
        )
    });
    s.fails_with(&["uses relationship transactions.visit_id -> sessions.session_id"]);
}

#[test]
fn cutoff_without_id_column() {
    let s = setup();
    s.edit(&s.cutoff, |t| t.replacen("customer_id", "who", 1));
    s.fails_with(&["cutoff.csv", "no instance id column", "'customer_id'"]);
}

#[test]
fn cutoff_without_time_column() {
    let s = setup();
    s.edit(&s.cutoff, |t| t.replacen("time", "when", 1));
    s.fails_with(&["cutoff.csv", "no time column", "'time'"]);
}

#[test]
fn cutoff_with_duplicate_rows() {
    let s = setup();
    s.edit(&s.cutoff, |t| {
        let mut lines: Vec<&str> = t.lines().collect();
        let dup = lines[1].to_string();
        lines.push(&dup);
        lines.join("\n") + "\n"
    });
    s.fails_with(&["cutoff.csv", "duplicated (instance id, time)"]);
}

#[test]
fn cutoff_with_unparsable_time() {
    let s = setup();
    s.edit(&s.cutoff, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        let cols: Vec<&str> = lines[1].split(',').collect();
        lines[1] = format!("{},tomorrow,{}", cols[0], cols[2..].join(","));
        lines.join("\n") + "\n"
    });
    s.fails_with(&["cutoff.csv", "row 1", "'tomorrow'"]);
}

#[test]
fn bad_training_window() {
    let s = setup();
    let out = s.dir.path().join("fm.csv");
    let o = ftpart(&[
        "calculate",
        s.es.to_str().unwrap(),
        "--features",
        s.features.to_str().unwrap(),
        "--training-window",
        "1 fortnight",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--training-window"));
    assert!(!out.exists());
}

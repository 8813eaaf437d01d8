//! The command line as a user drives it: output formats, single cutoff times.

use crate::util::{compare_csv, fixtures, ftpart, tmp};

#[test]
fn parquet_and_arrow_outputs_hold_the_same_matrix_as_csv() {
    let case = fixtures().join("conformance/cases/mc0_customers_per_instance");
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    let dir = tmp();
    let mut texts = Vec::new();
    for ext in ["csv", "parquet", "arrow"] {
        let out = dir.path().join(format!("fm.{ext}"));
        let o = ftpart(&[
            "calculate",
            es.to_str().unwrap(),
            "--features",
            case.join("features.json").to_str().unwrap(),
            "--cutoff-time",
            case.join("cutoff.csv").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if ext == "csv" {
            texts.push(std::fs::read_to_string(&out).unwrap());
            continue;
        }
        let batch = read_any(&out);
        let mut csv = Vec::new();
        ftpart::matrix::write_csv(&batch, &mut csv).unwrap();
        texts.push(String::from_utf8(csv).unwrap());
    }
    for t in &texts {
        compare_csv(t, &case.join("expected.csv")).unwrap();
    }
}

/// Output files and the report are created as `File::create` would (read-write for all, less
/// the umask), not with the owner-only mode of the temporary file they are renamed from.
#[test]
fn outputs_and_reports_get_the_permissions_of_a_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let umask = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
        })
        .unwrap_or(0o022);
    let case = fixtures().join("conformance/cases/mc0_customers_per_instance");
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    let dir = tmp();
    let report = dir.path().join("run.html");
    for ext in ["csv", "parquet", "arrow"] {
        let out = dir.path().join(format!("fm.{ext}"));
        let o = ftpart(&[
            "run",
            es.to_str().unwrap(),
            "--features",
            case.join("features.json").to_str().unwrap(),
            "--parts",
            "2",
            "--jobs",
            "0",
            "--report",
            report.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for p in [&out, &report] {
            let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o666 & !umask, "{}: {mode:o}", p.display());
        }
    }
}

pub(crate) fn read_any(path: &std::path::Path) -> arrow_array::RecordBatch {
    let ext = path.extension().unwrap().to_str().unwrap();
    let f = std::fs::File::open(path).unwrap();
    let (schema, batches): (_, Vec<_>) = match ext {
        "parquet" => {
            let b =
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
            let schema = b.schema().clone();
            (schema, b.build().unwrap().map(|b| b.unwrap()).collect())
        }
        "arrow" => {
            let r = arrow_ipc::reader::FileReader::try_new(f, None).unwrap();
            (r.schema(), r.map(|b| b.unwrap()).collect())
        }
        other => panic!("not a binary matrix format: {other}"),
    };
    // The file's schema, with its metadata.
    let batch = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap();
    batch.with_schema(schema).unwrap()
}

#[test]
fn a_single_cutoff_time_on_the_command_line() {
    let case = fixtures().join("conformance/cases/mc0_customers_single_cutoff");
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    let dir = tmp();
    let out = dir.path().join("fm.csv");
    // The case's table gives every customer the same time; featuretools then outputs the
    // customers in table order. With a single time it outputs those that exist by then, in
    // dataframe order, which for this data is the same set.
    let o = ftpart(&[
        "calculate",
        es.to_str().unwrap(),
        "--features",
        case.join("features.json").to_str().unwrap(),
        "--cutoff-time",
        "2014-01-01 04:00:00",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = std::fs::read_to_string(&out).unwrap();
    let want = std::fs::read_to_string(case.join("expected.csv")).unwrap();
    let ids = |t: &str| {
        let mut v: Vec<String> = t
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&got), ids(&want));
}

#[test]
fn the_readme_example_runs_and_matches_the_in_process_matrix() {
    let dir = tmp();
    let es = dir.path().join("es");
    let feats = dir.path().join("features.json");
    let o = ftpart(&[
        "demo",
        es.to_str().unwrap(),
        "--transactions",
        "3000",
        "--features",
        feats.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run_out = dir.path().join("fm_run.csv");
    let o = ftpart(&[
        "run",
        es.to_str().unwrap(),
        "--features",
        feats.to_str().unwrap(),
        "--parts",
        "3",
        "--out",
        run_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let calc_out = dir.path().join("fm_calc.csv");
    let o = ftpart(&[
        "calculate",
        es.to_str().unwrap(),
        "--features",
        feats.to_str().unwrap(),
        "--out",
        calc_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (a, b) = (
        std::fs::read_to_string(run_out).unwrap(),
        std::fs::read_to_string(calc_out).unwrap(),
    );
    assert_eq!(a.lines().count(), 7, "6 customers and a header");
    assert_eq!(a, b);
}

#[test]
fn demo_refuses_a_non_empty_directory() {
    let dir = tmp();
    std::fs::write(dir.path().join("x"), "x").unwrap();
    let o = ftpart(&["demo", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn demo_force_replaces_an_earlier_demo_only() {
    let dir = tmp();
    let es = dir.path().join("es");
    assert!(ftpart(&["demo", es.to_str().unwrap()]).status.success());
    assert_eq!(
        ftpart(&["demo", es.to_str().unwrap()]).status.code(),
        Some(2)
    );
    assert!(ftpart(&["demo", es.to_str().unwrap(), "--force"])
        .status
        .success());
    std::fs::write(dir.path().join("note.txt"), "keep").unwrap();
    assert_eq!(
        ftpart(&["demo", dir.path().to_str().unwrap(), "--force"])
            .status
            .code(),
        Some(2)
    );
    assert!(dir.path().join("note.txt").exists());
}

/// The Parquet and Arrow outputs hold featuretools' dtype of every column
/// (tests/fixtures/types/dtypes.json, written by featuretools): categories with their values'
/// type (integers stay integers) and order, a primitive's ordinal range, masked integers and
/// booleans, the target's index as a feature (stored as `__index_level_0__`, as pyarrow does)
/// and a label named like a feature (one column, the label's values, as featuretools has it).
#[test]
fn parquet_and_arrow_outputs_hold_featuretools_dtypes() {
    use arrow_array::cast::AsArray;
    use arrow_array::Array;
    use arrow_schema::DataType;
    let types = fixtures().join("types");
    let es = fixtures().join("shapes/entitysets/ecom");
    let expected: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(types.join("dtypes.json")).unwrap()).unwrap();
    let dir = tmp();
    for cmd in ["calculate", "run"] {
        for ext in ["parquet", "arrow"] {
            let out = dir.path().join(format!("fm-{cmd}.{ext}"));
            let (features, cutoff) = (types.join("features.json"), types.join("cutoff.csv"));
            let mut args = vec![
                cmd,
                es.to_str().unwrap(),
                "--features",
                features.to_str().unwrap(),
                "--cutoff-time",
                cutoff.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ];
            let by = ["--by", "customers", "--parts", "2"];
            if cmd == "run" {
                args.extend(by);
            }
            let o = ftpart(&args);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let batch = read_any(&out);
            let schema = batch.schema();
            let pandas: serde_json::Value =
                serde_json::from_str(&schema.metadata()["pandas"]).unwrap();
            assert_eq!(
                pandas["index_columns"],
                serde_json::json!(["__index_level_0__"])
            );
            assert_eq!(batch.num_columns(), expected.len(), "{cmd} {ext}");
            for (i, want) in expected.iter().enumerate() {
                let field = schema.field(i);
                let meta = pandas["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["field_name"] == field.name().as_str())
                    .unwrap_or_else(|| panic!("{}: no pandas metadata", field.name()));
                let what = format!("{cmd} {ext} column {i} {}", want["name"]);
                assert_eq!(meta["name"], want["name"], "{what}");
                let dtype = want["dtype"].as_str().unwrap();
                let array = batch.column(i);
                match dtype {
                    "category" => {
                        let DataType::Dictionary(_, values) = array.data_type() else {
                            panic!("{what}: {} is not a dictionary", array.data_type());
                        };
                        let cats: Vec<serde_json::Value> = match values.as_ref() {
                            DataType::Int64 => {
                                let d = arrow_cast::cast(
                                    array,
                                    &DataType::Dictionary(
                                        Box::new(DataType::Int32),
                                        Box::new(DataType::Int64),
                                    ),
                                )
                                .unwrap();
                                let d = d.as_dictionary::<arrow_array::types::Int32Type>();
                                let v = d.values().as_primitive::<arrow_array::types::Int64Type>();
                                v.iter().map(|x| serde_json::json!(x.unwrap())).collect()
                            }
                            DataType::Utf8 => {
                                let d = array.as_any_dictionary();
                                let v = d.values().as_string::<i32>();
                                v.iter().map(|x| serde_json::json!(x.unwrap())).collect()
                            }
                            other => panic!("{what}: categories of {other}"),
                        };
                        if ext == "arrow" {
                            assert_eq!(serde_json::json!(cats), want["categories"], "{what}");
                        } else {
                            // A Parquet reader rebuilds dictionaries from the pages it reads:
                            // the categories pandas reads back are tested in python/tests.
                            let all = want["categories"].as_array().unwrap();
                            let empty = array.null_count() == array.len();
                            assert!(
                                empty || cats.iter().all(|c| all.contains(c)),
                                "{what}: {cats:?}"
                            );
                        }
                        assert_eq!(meta["metadata"]["ordered"], want["ordered"], "{what}");
                        if ext == "arrow" {
                            assert_eq!(
                                field.dict_is_ordered(),
                                want["ordered"].as_bool(),
                                "{what}"
                            );
                        }
                    }
                    "int64" | "Int64" => assert_eq!(array.data_type(), &DataType::Int64, "{what}"),
                    "bool" | "boolean" => {
                        assert_eq!(array.data_type(), &DataType::Boolean, "{what}")
                    }
                    other => panic!("{what}: dtype {other} not checked"),
                }
                if dtype != "category" {
                    assert_eq!(meta["numpy_type"], dtype, "{what}");
                }
            }
            // The label `age` took the feature's place: 5, 6, 7, 8 in the cutoff's order.
            let age = batch.column(3);
            let age = age.as_primitive::<arrow_array::types::Int64Type>();
            assert_eq!(age.values().to_vec(), vec![5, 6, 7, 8], "{cmd} {ext}");
            assert_eq!(age.null_count(), 0);
        }
    }
}

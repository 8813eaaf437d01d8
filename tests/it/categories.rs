//! Categorical columns whose categories are floats, booleans, integers or text, and primitive
//! arguments of inf and NaN, against featuretools (`tests/fixtures/categories`, written by
//! `scripts/conformance/generate_categories.py`).

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::Array;
use arrow_schema::DataType;
use serde_json::{json, Value};

use crate::util::{compare_csv, fixtures, ftpart, tmp};

fn run(args: &[&str]) {
    let o = ftpart(args);
    assert!(
        o.status.success(),
        "ftpart {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A dictionary column's categories as JSON values of their type.
fn categories(array: &dyn Array) -> (Vec<Value>, &'static str) {
    let d = array.as_dictionary::<Int32Type>();
    let v = d.values();
    let values: Vec<Value> = (0..v.len())
        .map(|i| match v.data_type() {
            DataType::Float64 => {
                json!(v.as_primitive::<arrow_array::types::Float64Type>().value(i))
            }
            DataType::Int64 => json!(v.as_primitive::<arrow_array::types::Int64Type>().value(i)),
            DataType::Boolean => json!(v.as_boolean().value(i)),
            DataType::Utf8 => json!(v.as_string::<i32>().value(i)),
            other => panic!("categories of {other}"),
        })
        .collect();
    let dtype = match v.data_type() {
        DataType::Float64 => "float64",
        DataType::Int64 => "int64",
        DataType::Boolean => "bool",
        _ => "object",
    };
    (values, dtype)
}

/// Regression: float categories came back as text (`'1.5'` for 1.5), boolean categories were
/// refused (`value 'true' is not one of the column's categories`). Every categorical feature
/// (identity, Lag, Mode, First) keeps its column's categories with their type and order, in the
/// Arrow file, in process and over two parts; the CSV is featuretools' text.
#[test]
fn categories_keep_their_values_type_and_order() {
    let dir = fixtures().join("categories");
    let es = dir.join("entityset");
    let tmp = tmp();
    for target in ["data", "parent"] {
        let features = dir.join(format!("features_{target}.json"));
        let want: Vec<Value> = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("dtypes_{target}.json"))).unwrap(),
        )
        .unwrap();
        for cmd in ["calculate", "run"] {
            let mut common = vec![
                cmd,
                es.to_str().unwrap(),
                "--features",
                features.to_str().unwrap(),
            ];
            if cmd == "run" {
                // Lag reads the whole of `data`: refused over several parts, by name.
                let parts = if target == "data" { "1" } else { "2" };
                common.extend(["--by", "parent", "--parts", parts]);
            }
            let csv = tmp.path().join(format!("{target}-{cmd}.csv"));
            let arrow = tmp.path().join(format!("{target}-{cmd}.arrow"));
            let parquet = tmp.path().join(format!("{target}-{cmd}.parquet"));
            for out in [&csv, &arrow, &parquet] {
                let mut args = common.clone();
                args.extend(["--out", out.to_str().unwrap()]);
                run(&args);
            }
            let text = std::fs::read_to_string(&csv).unwrap();
            let expected = dir.join(format!("expected_{target}.csv"));
            compare_csv(&text, &expected).unwrap();
            // Text equal too: `2.0` of a text category is not the number 2.
            assert_eq!(text, std::fs::read_to_string(&expected).unwrap(), "{cmd}");
            let batch = super::cli::read_any(&arrow);
            for (i, w) in want
                .iter()
                .enumerate()
                .filter(|(_, w)| w["dtype"] == "category")
            {
                let what = format!("{target} {cmd} {}", w["name"]);
                let field = batch.schema().field(i).clone();
                let (cats, dtype) = categories(batch.column(i).as_ref());
                assert_eq!(json!(cats), w["categories"], "{what}");
                assert_eq!(dtype, w["categories_dtype"], "{what}");
                assert_eq!(field.dict_is_ordered(), w["ordered"].as_bool(), "{what}");
            }
            // Parquet holds the values of their type (pandas reads back the categories of text
            // only, and the arrow-rs reader cannot rebuild a dictionary of booleans: read the
            // columns as Parquet has them).
            let options = parquet::arrow::arrow_reader::ArrowReaderOptions::new()
                .with_skip_arrow_metadata(true);
            let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new_with_options(
                std::fs::File::open(&parquet).unwrap(),
                options,
            )
            .unwrap();
            let schema = reader.schema().clone();
            for (i, w) in want
                .iter()
                .enumerate()
                .filter(|(_, w)| w["dtype"] == "category")
            {
                let t = schema.field(i).data_type().clone();
                let expected = match w["categories_dtype"].as_str().unwrap() {
                    "float64" => DataType::Float64,
                    "int64" => DataType::Int64,
                    "bool" => DataType::Boolean,
                    _ => DataType::Utf8,
                };
                assert_eq!(t, expected, "{target} {cmd} {} in Parquet", w["name"]);
            }
        }
    }
}

/// Regression: `ft.save_features` writes a float argument of inf or NaN as the bare tokens
/// `Infinity`, `-Infinity`, `NaN`, which ftpart refused as not JSON. They are read, and the
/// counts compare with them as featuretools does (every comparison with NaN is false).
#[test]
fn nonfinite_primitive_arguments_are_read_and_computed() {
    let dir = fixtures().join("categories");
    let features = dir.join("features_nonfinite.json");
    assert!(std::fs::read_to_string(&features)
        .unwrap()
        .contains("\"threshold\": Infinity"));
    let tmp = tmp();
    for cmd in ["calculate", "run"] {
        let out = tmp.path().join(format!("{cmd}.csv"));
        let mut args: Vec<String> = vec![
            cmd.into(),
            dir.join("entityset").to_str().unwrap().into(),
            "--features".into(),
            features.to_str().unwrap().into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ];
        if cmd == "run" {
            args.extend(["--by", "parent", "--parts", "2"].map(String::from));
        }
        run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        compare_csv(
            &std::fs::read_to_string(&out).unwrap(),
            &dir.join("expected_nonfinite.csv"),
        )
        .unwrap();
    }
}

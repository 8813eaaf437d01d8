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

fn read_any(path: &std::path::Path) -> arrow_array::RecordBatch {
    let ext = path.extension().unwrap().to_str().unwrap();
    match ext {
        "parquet" => {
            let f = std::fs::File::open(path).unwrap();
            let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
                .unwrap()
                .build()
                .unwrap();
            let batches: Vec<_> = r.map(|b| b.unwrap()).collect();
            arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
        }
        "arrow" => {
            let f = std::fs::File::open(path).unwrap();
            let r = arrow_ipc::reader::FileReader::try_new(f, None).unwrap();
            let batches: Vec<_> = r.map(|b| b.unwrap()).collect();
            arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
        }
        other => panic!("not a binary matrix format: {other}"),
    }
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

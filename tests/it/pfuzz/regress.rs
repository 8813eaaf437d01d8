//! The smallest cases of what the partition fuzzer found, made by hand: each runs every
//! partitioned path against the in-process one (as the fuzzer does) and checks the value
//! featuretools gives where the finding was about the in-process value itself.

use serde_json::{json, Value};

use super::world::{ColType, Column, Df, Rel, World};
use super::{setup, Case, CutoffSpec, Outcome, Runner};

use ftpart::matrix;

fn col(name: &str, ty: ColType, cells: &[&str]) -> Column {
    Column {
        name: name.into(),
        ty,
        cells: cells
            .iter()
            .map(|c| (!c.is_empty()).then(|| c.to_string()))
            .collect(),
    }
}

fn ids(n: &[&str]) -> Column {
    col("id", ColType::Index { text: false }, n)
}

fn time(cells: &[&str]) -> Column {
    col("t", ColType::Time, cells)
}

fn world(dfs: Vec<Df>, rels: &[(usize, usize, &str)]) -> World {
    World {
        dfs,
        rels: rels
            .iter()
            .map(|&(parent, child, col)| Rel {
                parent,
                child,
                col: col.into(),
            })
            .collect(),
        numeric_time: false,
        scale: 21_600,
    }
}

fn df(name: &str, cols: Vec<Column>) -> Df {
    Df {
        name: name.into(),
        cols,
    }
}

/// A feature file: `defs` as `(dataframe, name, definition)` (the name is added), primitives
/// by key, the features listed.
fn features(w: &World, defs: &[(&str, &str, Value)], prims: Value, list: &[&str]) -> Value {
    let mut d = serde_json::Map::new();
    for (df, name, def) in defs {
        let mut def = def.clone();
        def["arguments"]["name"] = json!(name);
        d.insert(format!("{df}: {name}"), def);
    }
    json!({
        "schema_version": "10.0.0",
        "ft_version": "1.31.0",
        "entityset": w.description(),
        "feature_list": list,
        "feature_definitions": d,
        "primitive_definitions": prims,
    })
}

fn identity(df: &str, col: &str) -> Value {
    json!({"type": "IdentityFeature", "dependencies": [],
        "arguments": {"column_name": col, "dataframe_name": df}})
}

fn prim(class: &str, args: Value) -> Value {
    let k = ftpart::primitives::registry::known(class).expect("class");
    json!({"type": class, "module": k.module, "arguments": args})
}

fn case(world: World, by: usize, target: usize, features: Value, cutoff: CutoffSpec) -> Case {
    Case {
        // A multiple of the workers' period: the worker processes run too.
        seed: 0,
        world,
        by,
        target,
        features,
        cutoff,
        training_window: None,
        include_cutoff_time: true,
        cutoff_time_in_index: false,
    }
}

/// Every partitioned run gives the in-process matrix (or refuses by name, when `refusal` says
/// which words the refusal holds); returns the in-process matrix.
fn check(c: &Case, refusal: Option<&str>) -> String {
    let work = tempfile::tempdir().expect("tmp");
    let dir = work.path().join("case");
    match Runner::new(1).run(c, &dir) {
        Outcome::Same { refusals, .. } => match refusal {
            None => assert!(
                refusals.is_empty(),
                "refused: {:?}",
                refusals.iter().map(|r| &r.message).collect::<Vec<_>>()
            ),
            Some(words) => assert!(
                !refusals.is_empty() && refusals.iter().all(|r| r.message.contains(words)),
                "refusals: {:?}",
                refusals.iter().map(|r| &r.message).collect::<Vec<_>>()
            ),
        },
        Outcome::Invalid(why) => panic!("invalid: {why}"),
        Outcome::Differs(why) => panic!("{why}"),
    }
    let (es, graph, cutoff, opts) = setup(c, &dir).expect("valid");
    let b = matrix::calculate_feature_matrix(&es, &graph, &cutoff, &opts).expect("in process");
    super::matrix_csv(&b)
}

/// Seeds 278 and 204: rows whose tree key is dangling (a value no parent has) were each a
/// pseudo-root of their own, balanced over the parts, so a group by that key (CUM_MAX(n) by
/// d0_id, as exact across parts as any group by the tree key) was split: 0 where featuretools
/// says 1. The partitioner now gives the rows of a dangling key one pseudo-root.
#[test]
fn a_group_by_a_dangling_tree_key_stays_in_one_part() {
    let w = world(
        vec![
            df("d0", vec![ids(&["0"]), col("n", ColType::Integer, &["5"])]),
            df(
                "d1",
                vec![
                    ids(&["0", "8", "3", "4"]),
                    col(
                        "d0_id",
                        ColType::Fk { rel: 0 },
                        &["1000", "1000", "1001", "0"],
                    ),
                    time(&[
                        "2020-01-04 12:00:00",
                        "2020-01-01 12:00:00",
                        "2020-01-02 00:00:00",
                        "2020-01-03 00:00:00",
                    ]),
                    col("n", ColType::Integer, &["0", "1", "7", "2"]),
                ],
            ),
        ],
        &[(0, 1, "d0_id")],
    );
    let f = features(
        &w,
        &[
            ("d1", "n", identity("d1", "n")),
            ("d1", "d0_id", identity("d1", "d0_id")),
            (
                "d1",
                "CUM_MAX(n) by d0_id",
                json!({"type": "GroupByTransformFeature", "dependencies": ["d1: n", "d1: d0_id"],
                    "arguments": {"base_features": ["d1: n"], "primitive": "0", "groupby": "d1: d0_id"}}),
            ),
            (
                "d1",
                "CUM_COUNT(d0_id) by d0_id",
                json!({"type": "GroupByTransformFeature",
                    "dependencies": ["d1: d0_id", "d1: d0_id"],
                    "arguments": {"base_features": [], "primitive": "1", "groupby": "d1: d0_id"}}),
            ),
        ],
        json!({"0": prim("CumMax", json!({})), "1": prim("CumCount", json!({}))}),
        &["d1: CUM_MAX(n) by d0_id", "d1: CUM_COUNT(d0_id) by d0_id"],
    );
    let m = check(&case(w, 0, 1, f, CutoffSpec::Now), None);
    assert_eq!(
        m,
        "id,CUM_MAX(n) by d0_id,CUM_COUNT(d0_id) by d0_id\n8,1,1\n3,7,1\n4,2,1\n0,1,2\n"
    );
}

/// Seeds 7 and 240: an integer modulo by 0 is NaN in pandas, so MODULO_BY_FEATURE of an integer
/// column is float64 where some row holds 0 and int64 elsewhere: a part of floats and a part of
/// integers failed to merge ("not possible to interleave Int64 and Float64"), in the matrix and
/// in the rows of an aggregation answered across parts.
#[test]
fn parts_of_integers_and_parts_of_floats_merge() {
    let w = world(
        vec![
            df(
                "d0",
                vec![ids(&["0", "1"]), col("n", ColType::Integer, &["0", "1"])],
            ),
            df(
                "d1",
                vec![
                    ids(&["10", "11"]),
                    col("d0_id", ColType::Fk { rel: 0 }, &["0", "1"]),
                    col("d0_id1", ColType::Fk { rel: 1 }, &["0", "0"]),
                    col("n", ColType::Integer, &["0", "1"]),
                ],
            ),
        ],
        &[(0, 1, "d0_id"), (0, 1, "d0_id1")],
    );
    let modulo = |df: &str| {
        json!({"type": "TransformFeature", "dependencies": [format!("{df}: n")],
            "arguments": {"base_features": [format!("{df}: n")], "primitive": "0"}})
    };
    let f = features(
        &w,
        &[
            ("d0", "n", identity("d0", "n")),
            ("d1", "n", identity("d1", "n")),
            ("d0", "MODULO_BY_FEATURE(n)", modulo("d0")),
            ("d1", "MODULO_BY_FEATURE(n)", modulo("d1")),
            (
                "d0",
                "MAX(d1[d0_id1].MODULO_BY_FEATURE(n))",
                json!({"type": "AggregationFeature", "dependencies": ["d1: MODULO_BY_FEATURE(n)"],
                    "arguments": {"base_features": ["d1: MODULO_BY_FEATURE(n)"],
                        "relationship_path": [w.rel_json(1)], "primitive": "1",
                        "where": null, "use_previous": null}}),
            ),
        ],
        json!({"0": prim("ModuloByFeature", json!({})), "1": prim("Max", json!({}))}),
        &[
            "d0: MODULO_BY_FEATURE(n)",
            "d0: MAX(d1[d0_id1].MODULO_BY_FEATURE(n))",
        ],
    );
    check(&case(w, 0, 0, f, CutoffSpec::Now), None);
}

/// The child rows of an aggregation across parts of `leaf` (`d1`, reached from `d0` by its
/// second link), LAST of `n`.
fn last_across(d1: Df) -> Case {
    let w = world(
        vec![df("d0", vec![ids(&["0", "1"])]), d1],
        &[(0, 1, "d0_id"), (0, 1, "d0_id1")],
    );
    let f = features(
        &w,
        &[
            ("d1", "n", identity("d1", "n")),
            (
                "d0",
                "LAST(d1[d0_id1].n)",
                json!({"type": "AggregationFeature", "dependencies": ["d1: n"],
                    "arguments": {"base_features": ["d1: n"],
                        "relationship_path": [w.rel_json(1)], "primitive": "0",
                        "where": null, "use_previous": null}}),
            ),
        ],
        json!({"0": prim("Last", json!({}))}),
        &["d0: LAST(d1[d0_id1].n)"],
    );
    case(w, 0, 0, f, CutoffSpec::Now)
}

/// Seeds 35, 68 and 201: FIRST, LAST, the consecutive counts... across parts took the rows in
/// the order of their times, then of the parts: rows of equal times (and every row of a
/// dataframe without a time index) came in part order, not in the child's order (time, then
/// index; file order without a time index). Rows of equal times now come in index order; rows
/// without a time index are refused by name (the parts do not send their order).
#[test]
fn order_dependent_aggregations_across_parts_read_the_childs_order() {
    // d0 row 0 owns (tree link d0_id) row 11, row 1 owns row 10: part 0 sends 11 first.
    let timed = df(
        "d1",
        vec![
            ids(&["11", "10"]),
            col("d0_id", ColType::Fk { rel: 0 }, &["0", "1"]),
            col("d0_id1", ColType::Fk { rel: 1 }, &["0", "0"]),
            time(&["2020-01-02 00:00:00", "2020-01-02 00:00:00"]),
            col("n", ColType::Integer, &["4", "3"]),
        ],
    );
    let m = check(&last_across(timed), None);
    assert_eq!(m, "id,LAST(d1[d0_id1].n)\n0,4\n1,\n");
    let untimed = df(
        "d1",
        vec![
            ids(&["11", "10"]),
            col("d0_id", ColType::Fk { rel: 0 }, &["0", "1"]),
            col("d0_id1", ColType::Fk { rel: 1 }, &["0", "0"]),
            col("n", ColType::Integer, &["4", "3"]),
        ],
    );
    let m = check(
        &last_across(untimed),
        Some("the order of a dataframe without a time index is not kept across the parts"),
    );
    assert_eq!(m, "id,LAST(d1[d0_id1].n)\n0,3\n1,\n");
}

/// Seed 151: over a path of two steps, featuretools groups the leaf's rows, fetched in the
/// leaf's order, by the top key (`_add_ancestor_relationship_columns` merges it in); the
/// in-process calculator took them grouped by the intermediate rows instead, so LAST read the
/// row of the latest intermediate row, not the latest leaf row.
#[test]
fn two_step_paths_read_the_leafs_order() {
    let w = world(
        vec![
            df("d0", vec![ids(&["0"])]),
            df(
                "d1",
                vec![
                    ids(&["1", "2"]),
                    col("d0_id", ColType::Fk { rel: 0 }, &["0", "0"]),
                    time(&["2020-01-01 00:00:00", "2020-01-01 06:00:00"]),
                ],
            ),
            df(
                "d2",
                vec![
                    ids(&["5", "6"]),
                    col("d1_id", ColType::Fk { rel: 1 }, &["1", "2"]),
                    time(&["2020-01-03 00:00:00", "2020-01-02 00:00:00"]),
                    col("n", ColType::Integer, &["7", "8"]),
                ],
            ),
        ],
        &[(0, 1, "d0_id"), (1, 2, "d1_id")],
    );
    let agg = |key: &str| {
        json!({"type": "AggregationFeature", "dependencies": ["d2: n"],
            "arguments": {"base_features": ["d2: n"],
                "relationship_path": [w.rel_json(0), w.rel_json(1)], "primitive": key,
                "where": null, "use_previous": null}})
    };
    let f = features(
        &w,
        &[
            ("d2", "n", identity("d2", "n")),
            ("d0", "FIRST(d1.d2.n)", agg("0")),
            ("d0", "LAST(d1.d2.n)", agg("1")),
        ],
        json!({"0": prim("First", json!({})), "1": prim("Last", json!({}))}),
        &["d0: FIRST(d1.d2.n)", "d0: LAST(d1.d2.n)"],
    );
    let m = check(&case(w, 0, 0, f, CutoffSpec::Now), None);
    // d2 in its order: 6 (January 2), then 5 (January 3).
    assert_eq!(m, "id,FIRST(d1.d2.n),LAST(d1.d2.n)\n0,8,7\n");
}

//! The columns a computation reads, so that an entity set is read without the others.
//!
//! A feature list reads its identity features' columns; the calculator reads every dataframe's
//! index and time index, the keys of the relationships, the secondary time indexes that govern a
//! column it reads, and the last time indexes under a training window. Nothing else: not the
//! columns no feature names, not `_ft_last_time` without a window, never pandas' index column.

use std::collections::BTreeSet;

use crate::features::{FeatureGraph, Kind};
use crate::schema::EntitySetSchema;

/// What the columns are read for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProjectionOptions {
    /// A training window is given (last time indexes are read).
    pub training_window: bool,
}

/// `schema` with only the columns `graph` needs (in their order), dataframes and relationships
/// unchanged. A column a feature names that the schema lacks stays unknown: the plan refuses
/// the feature as it would on the whole schema.
pub fn projected(
    schema: &EntitySetSchema,
    graph: &FeatureGraph,
    opts: ProjectionOptions,
) -> EntitySetSchema {
    let mut keep: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); schema.dataframes.len()];
    for f in &graph.features {
        if let Kind::Identity { column } = &f.kind {
            if let Some(d) = schema.position(&f.dataframe) {
                keep[d].insert(column.as_str());
            }
        }
    }
    for r in &schema.relationships {
        if let Some(d) = schema.position(&r.child_dataframe_name) {
            keep[d].insert(r.child_column_name.as_str());
        }
        if let Some(d) = schema.position(&r.parent_dataframe_name) {
            keep[d].insert(r.parent_column_name.as_str());
        }
    }
    let mut out = schema.clone();
    for (df, keep) in out.dataframes.iter_mut().zip(keep) {
        let mut keep: BTreeSet<String> = keep.into_iter().map(str::to_string).collect();
        keep.insert(df.index.clone());
        if let Some(t) = &df.time_index {
            keep.insert(t.clone());
        }
        // A secondary time index stays with the columns it governs that are read.
        df.secondary_time_index.retain(|sti, governed| {
            governed.retain(|c| keep.contains(c) || c == sti);
            governed.iter().any(|c| c != sti) || keep.contains(sti)
        });
        for sti in df.secondary_time_index.keys() {
            keep.insert(sti.clone());
        }
        match &df.last_time_index {
            Some(l) if opts.training_window => {
                keep.insert(l.clone());
            }
            Some(_) => df.last_time_index = None,
            None => {}
        }
        df.columns.retain(|c| keep.contains(&c.name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn mock() -> (EntitySetSchema, FeatureGraph) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let es = root.join("tests/fixtures/conformance/entitysets/mock_customer_s0_parquet");
        let (schema, _) = crate::entityset::read_schema(&es).unwrap();
        let graph = FeatureGraph::read(
            &root.join("tests/fixtures/conformance/cases/mc0_customers_nocutoff/features.json"),
        )
        .unwrap();
        (schema, graph)
    }

    fn columns(s: &EntitySetSchema, df: &str) -> Vec<String> {
        let d = &s.dataframes[s.position(df).unwrap()];
        d.columns.iter().map(|c| c.name.clone()).collect()
    }

    #[test]
    fn only_the_columns_the_features_and_keys_need_are_kept() {
        let (schema, graph) = mock();
        let p = projected(&schema, &graph, ProjectionOptions::default());
        // transactions: its index, time index and keys, and amount (SUM, MEAN ... of it); not
        // the last time index without a training window.
        let t = columns(&p, "transactions");
        for c in [
            "transaction_id",
            "session_id",
            "transaction_time",
            "product_id",
            "amount",
        ] {
            assert!(t.contains(&c.to_string()), "{c} in {t:?}");
        }
        assert!(!t.iter().any(|c| c == "_ft_last_time"), "{t:?}");
        assert!(columns(&schema, "transactions").len() > t.len());
        assert_eq!(p.dataframes[0].last_time_index, None);
        let w = projected(
            &schema,
            &graph,
            ProjectionOptions {
                training_window: true,
            },
        );
        let has_lti = schema
            .dataframes
            .iter()
            .any(|d| d.last_time_index.is_some());
        assert_eq!(
            w.dataframes.iter().any(|d| d.last_time_index.is_some()),
            has_lti
        );
    }
}

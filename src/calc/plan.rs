//! The calculation plan: features placed on a trie of relationship paths from the target, as
//! featuretools' `FeatureSet` does (`computational_backends/feature_set.py`).

use crate::entityset::EntitySet;
use crate::error::{Error, Result};
use crate::features::{FeatureGraph, Kind};

/// One step from a node to its child node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// From a parent dataframe to a child dataframe along relationship `.0`.
    Backward(usize),
    /// From a child dataframe to its parent along relationship `.0`.
    Forward(usize),
    /// From a node to every row of its dataframe visible at each of the node's cutoffs, where
    /// transforms that read the whole dataframe (`uses_full_dataframe`) and their inputs are
    /// computed (featuretools' `full_dataframe_trie`, `feature_set.py::_add_feature_to_trie`).
    Full,
    /// From a node to its rows, each once per cutoff, in the dataframe's order: the rows
    /// featuretools fetched for the instances computed together at a cutoff, where transforms
    /// that read the other rows of that frame (`Transform::reads_frame`) are computed.
    Fetched,
}

/// A node of the trie: a dataframe reached from the target by a path of steps.
#[derive(Debug, Clone)]
pub struct Node {
    /// The dataframe.
    pub df: usize,
    /// Parent node and the step from it, `None` at the root.
    pub parent: Option<(usize, Step)>,
    /// Child nodes.
    pub children: Vec<(Step, usize)>,
}

/// Features placed on nodes.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Nodes; the root is 0 and parents come before their children.
    pub nodes: Vec<Node>,
    /// Every (feature, node) placed.
    pub placements: Vec<(usize, usize)>,
}

impl Plan {
    /// Places every requested feature and its dependencies, checking them against the entity set.
    pub fn build(es: &EntitySet, graph: &FeatureGraph) -> Result<Self> {
        Self::build_except(es, graph, &Default::default())
    }

    /// Like [`Plan::build`], but the features in `given` are placed without their dependencies:
    /// their values come from elsewhere (aggregations answered across parts).
    pub fn build_except(
        es: &EntitySet,
        graph: &FeatureGraph,
        given: &std::collections::HashSet<usize>,
    ) -> Result<Self> {
        let target = graph.target();
        let root_df = es.schema.position(target).ok_or_else(|| {
            Error::feature(
                &graph.features[graph.requested[0]].unique_name,
                format!("target dataframe '{target}' is not in the entity set"),
            )
        })?;
        let mut plan = Plan {
            nodes: vec![Node {
                df: root_df,
                parent: None,
                children: Vec::new(),
            }],
            placements: Vec::new(),
        };
        let mut seen = std::collections::HashSet::new();
        for &f in &graph.requested {
            plan.place(es, graph, f, 0, &mut seen, given)?;
        }
        Ok(plan)
    }

    /// The child of `node` along `step`, created if needed.
    pub fn child(&mut self, node: usize, step: Step, df: usize) -> usize {
        if let Some(&(_, c)) = self.nodes[node].children.iter().find(|(s, _)| *s == step) {
            return c;
        }
        let c = self.nodes.len();
        self.nodes.push(Node {
            df,
            parent: Some((node, step)),
            children: Vec::new(),
        });
        self.nodes[node].children.push((step, c));
        c
    }

    /// Whether `node` holds every visible row of its dataframe ([`Step::Full`]).
    pub fn is_full(&self, node: usize) -> bool {
        matches!(self.nodes[node].parent, Some((_, Step::Full)))
    }

    /// Whether `node` holds its parent's rows once per cutoff in order ([`Step::Fetched`]).
    pub fn is_fetched(&self, node: usize) -> bool {
        matches!(self.nodes[node].parent, Some((_, Step::Fetched)))
    }

    /// Finds the child of `node` along `step` (it exists once the plan is built).
    pub fn find_child(&self, node: usize, step: Step) -> usize {
        self.nodes[node]
            .children
            .iter()
            .find(|(s, _)| *s == step)
            .map(|&(_, c)| c)
            .expect("planned child")
    }

    fn place(
        &mut self,
        es: &EntitySet,
        graph: &FeatureGraph,
        f: usize,
        node: usize,
        seen: &mut std::collections::HashSet<(usize, usize)>,
        given: &std::collections::HashSet<usize>,
    ) -> Result<()> {
        if !seen.insert((f, node)) {
            return Ok(());
        }
        self.placements.push((f, node));
        if given.contains(&f) {
            return Ok(());
        }
        let feat = &graph.features[f];
        let df = self.nodes[node].df;
        let df_schema = &es.schema.dataframes[df];
        let err = |m: String| Error::feature(&feat.unique_name, m);
        if feat.dataframe != df_schema.name {
            return Err(err(format!(
                "is defined on '{}' but is used on '{}'",
                feat.dataframe, df_schema.name
            )));
        }
        let rel_pos = |r: &crate::schema::Relationship| {
            es.relationship_position(r).ok_or_else(|| {
                err(format!(
                    "uses relationship {}.{} -> {}.{}, which the entity set does not have",
                    r.child_dataframe_name,
                    r.child_column_name,
                    r.parent_dataframe_name,
                    r.parent_column_name
                ))
            })
        };
        match &feat.kind {
            Kind::Identity { column } => {
                if df_schema.column(column).is_none() {
                    return Err(err(format!(
                        "names column '{column}', which dataframe '{}' does not have",
                        df_schema.name
                    )));
                }
            }
            Kind::Direct { base, relationship } => {
                let r = rel_pos(relationship)?;
                if relationship.child_dataframe_name != df_schema.name {
                    return Err(err(format!(
                        "its relationship does not start at '{}'",
                        df_schema.name
                    )));
                }
                let parent_df = es
                    .schema
                    .position(&relationship.parent_dataframe_name)
                    .expect("validated");
                let c = self.child(node, Step::Forward(r), parent_df);
                self.place(es, graph, *base, c, seen, given)?;
            }
            Kind::Aggregation {
                bases,
                path,
                where_,
                primitive,
                use_previous,
            } => {
                if matches!(use_previous, Some(crate::features::UsePrevious::Span(_)))
                    && es.schema.numeric_time()
                {
                    return Err(err("use_previous as a time span needs Datetime time indexes; this entity set's are numeric".into()));
                }
                if !primitive.is_aggregation() {
                    return Err(err(format!(
                        "{primitive:?} is not an aggregation primitive"
                    )));
                }
                let mut n = node;
                for rel in path {
                    let r = rel_pos(rel)?;
                    if rel.parent_dataframe_name != es.schema.dataframes[self.nodes[n].df].name {
                        return Err(err(
                            "its relationship path is not a path from parent to child".into(),
                        ));
                    }
                    let child_df = es
                        .schema
                        .position(&rel.child_dataframe_name)
                        .expect("validated");
                    n = self.child(n, Step::Backward(r), child_df);
                }
                for &b in bases.iter().chain(where_.iter()) {
                    self.place(es, graph, b, n, seen, given)?;
                }
            }
            Kind::Transform { bases, primitive }
            | Kind::GroupByTransform {
                bases, primitive, ..
            } => {
                if primitive.is_aggregation() {
                    return Err(err(format!(
                        "{primitive:?} is an aggregation primitive, used as a transform"
                    )));
                }
                if bases.len() != primitive.arity() {
                    return Err(err(format!(
                        "{primitive:?} takes {} inputs, got {}",
                        primitive.arity(),
                        bases.len()
                    )));
                }
                if primitive.uses_full_dataframe() && !self.is_full(node) {
                    // The feature and everything it reads are computed on the whole dataframe.
                    let c = self.child(node, Step::Full, df);
                    return self.place(es, graph, f, c, seen, given);
                }
                if graph.reads_frame(f, &es.schema) && !self.is_full(node) && !self.is_fetched(node)
                {
                    let c = self.child(node, Step::Fetched, df);
                    return self.place(es, graph, f, c, seen, given);
                }
                for &b in bases {
                    self.place(es, graph, b, node, seen, given)?;
                }
                if let Kind::GroupByTransform { groupby, .. } = &feat.kind {
                    self.place(es, graph, *groupby, node, seen, given)?;
                }
            }
            Kind::Slice { base, n } => {
                if *n >= graph.features[*base].outputs.len() {
                    return Err(err(format!(
                        "takes output {n} of a feature with {} outputs",
                        graph.features[*base].outputs.len()
                    )));
                }
                self.place(es, graph, *base, node, seen, given)?;
            }
        }
        Ok(())
    }
}

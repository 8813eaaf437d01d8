//! DFS-like feature definitions over a random world, as `ft.save_features` writes them.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::world::{ColType, Rng, World, CATS};

/// What a feature's values are, for choosing primitives that take them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Num,
    Bool,
    Cat,
    Time,
    /// Index values (COUNT's input).
    Key,
}

struct F {
    unique: String,
    name: String,
    df: usize,
    ty: Ty,
}

/// Options of the generated features.
pub struct FeatureOptions {
    /// AGE may be used (a cutoff time is given, so values do not depend on the day).
    pub age: bool,
    /// use_previous as a time span (Datetime time indexes).
    pub spans: bool,
}

pub struct Features {
    /// The target: multi-output aggregations only there (nothing takes them as input).
    top: usize,
    feats: Vec<F>,
    by_unique: HashMap<String, usize>,
    defs: serde_json::Map<String, Value>,
    prims: serde_json::Map<String, Value>,
}

const AGG: &str = "featuretools.primitives.standard.aggregation.";
const TRANS: &str = "featuretools.primitives.standard.transform.";

impl Features {
    fn new(top: usize) -> Self {
        Features {
            top,
            feats: Vec::new(),
            by_unique: HashMap::new(),
            defs: serde_json::Map::new(),
            prims: serde_json::Map::new(),
        }
    }

    fn prim(&mut self, ty: &str, module: &str, args: Value) -> String {
        let key = self.prims.len().to_string();
        self.prims.insert(
            key.clone(),
            json!({"type": ty, "module": module, "arguments": args}),
        );
        key
    }

    fn add(&mut self, w: &World, df: usize, name: String, ty: Ty, def: Value) -> Option<usize> {
        let unique = format!("{}: {name}", w.dfs[df].name);
        if let Some(&i) = self.by_unique.get(&unique) {
            return Some(i);
        }
        let mut def = def;
        def["arguments"]["name"] = json!(name);
        self.defs.insert(unique.clone(), def);
        self.feats.push(F {
            unique: unique.clone(),
            name,
            df,
            ty,
        });
        self.by_unique.insert(unique, self.feats.len() - 1);
        Some(self.feats.len() - 1)
    }

    fn identity(&mut self, w: &World, df: usize, col: &str, ty: Ty) -> usize {
        let def = json!({"type": "IdentityFeature", "dependencies": [],
            "arguments": {"column_name": col, "dataframe_name": w.dfs[df].name}});
        self.add(w, df, col.to_string(), ty, def).expect("identity")
    }

    fn transform(
        &mut self,
        w: &World,
        base: usize,
        rng: &mut Rng,
        opts: &FeatureOptions,
    ) -> Option<usize> {
        let (df, ty, bname) = (
            self.feats[base].df,
            self.feats[base].ty,
            self.feats[base].name.clone(),
        );
        let (p, name, out) = match ty {
            Ty::Num => {
                let v = rng.below(3) as i64 - 1;
                let (ty, module, op) = *rng.pick(&[
                    ("GreaterThanScalar", "greater_than_scalar", ">"),
                    (
                        "GreaterThanEqualToScalar",
                        "greater_than_equal_to_scalar",
                        ">=",
                    ),
                    ("LessThanScalar", "less_than_scalar", "<"),
                    ("LessThanEqualToScalar", "less_than_equal_to_scalar", "<="),
                    ("IsNull", "", ""),
                ]);
                if ty == "IsNull" {
                    (
                        self.prim("IsNull", &format!("{TRANS}is_null"), json!({})),
                        format!("IS_NULL({bname})"),
                        Ty::Bool,
                    )
                } else {
                    (
                        self.prim(ty, &format!("{TRANS}binary.{module}"), json!({"value": v})),
                        format!("{bname} {op} {v}"),
                        Ty::Bool,
                    )
                }
            }
            Ty::Bool => (
                self.prim("Not", &format!("{TRANS}not_primitive"), json!({})),
                format!("NOT({bname})"),
                Ty::Bool,
            ),
            Ty::Cat => {
                let v = rng.pick(&CATS).to_string();
                if rng.chance(0.5) {
                    (
                        self.prim(
                            "EqualScalar",
                            &format!("{TRANS}binary.equal_scalar"),
                            json!({"value": v}),
                        ),
                        format!("{bname} = {v}"),
                        Ty::Bool,
                    )
                } else {
                    (
                        self.prim(
                            "NotEqualScalar",
                            &format!("{TRANS}binary.not_equal_scalar"),
                            json!({"value": v}),
                        ),
                        format!("{bname} != {v}"),
                        Ty::Bool,
                    )
                }
            }
            Ty::Time => {
                let (ty, module, pn) = *rng.pick(&[
                    ("Day", "day", "DAY"),
                    ("Weekday", "weekday", "WEEKDAY"),
                    ("Hour", "hour", "HOUR"),
                    ("Month", "month", "MONTH"),
                    ("Year", "year", "YEAR"),
                    ("Minute", "minute", "MINUTE"),
                    ("Second", "second", "SECOND"),
                    ("Age", "age", "AGE"),
                ]);
                if ty == "Age" && !opts.age {
                    return None;
                }
                let out = if ty == "Age" { Ty::Num } else { Ty::Cat };
                (
                    self.prim(ty, &format!("{TRANS}datetime.{module}"), json!({})),
                    format!("{pn}({bname})"),
                    out,
                )
            }
            Ty::Key => return None,
        };
        let def = json!({"type": "TransformFeature", "dependencies": [self.feats[base].unique],
            "arguments": {"base_features": [self.feats[base].unique], "primitive": p}});
        self.add(w, df, name, out, def)
    }

    /// Identity features of a dataframe's columns and a few transforms of them.
    fn local(&mut self, w: &World, df: usize, rng: &mut Rng, opts: &FeatureOptions) -> Vec<usize> {
        let mut out = Vec::new();
        for c in &w.dfs[df].cols {
            let ty = match &c.ty {
                ColType::Index { .. } => continue,
                ColType::Fk { .. } => Ty::Cat,
                ColType::Time | ColType::SecondaryTime => Ty::Time,
                ColType::LastTime => continue,
                ColType::Double | ColType::Integer => Ty::Num,
                ColType::Boolean | ColType::BooleanNullable => Ty::Bool,
                ColType::Categorical => Ty::Cat,
            };
            let i = self.identity(w, df, &c.name, ty);
            // Datetimes and foreign keys as features of their own only sometimes, as DFS does.
            if !matches!(ty, Ty::Time) && !matches!(c.ty, ColType::Fk { .. }) {
                out.push(i);
            }
            if (ty == Ty::Time && !w.numeric_time
                || ty != Ty::Time && ty != Ty::Cat
                || c.ty == ColType::Categorical)
                && rng.chance(0.5)
            {
                if let Some(t) = self.transform(w, i, rng, opts) {
                    out.push(t);
                }
            }
        }
        if out.len() >= 2 && rng.chance(0.4) {
            let (a, b) = (*rng.pick(&out), *rng.pick(&out));
            if a != b {
                if let Some(t) = self.binary(w, a, b, rng) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// A transform of two features of one dataframe: a comparison of numbers, And/Or of booleans.
    fn binary(&mut self, w: &World, a: usize, b: usize, rng: &mut Rng) -> Option<usize> {
        let (an, bn) = (self.feats[a].name.clone(), self.feats[b].name.clone());
        let (ty, module, name) = match (self.feats[a].ty, self.feats[b].ty) {
            (Ty::Num, Ty::Num) => {
                let (ty, module, op) = *rng.pick(&[
                    ("Equal", "equal", "="),
                    ("NotEqual", "not_equal", "!="),
                    ("GreaterThan", "greater_than", ">"),
                    ("GreaterThanEqualTo", "greater_than_equal_to", ">="),
                    ("LessThan", "less_than", "<"),
                    ("LessThanEqualTo", "less_than_equal_to", "<="),
                ]);
                (ty, module, format!("{an} {op} {bn}"))
            }
            (Ty::Bool, Ty::Bool) if rng.chance(0.5) => {
                ("And", "and_primitive", format!("AND({an}, {bn})"))
            }
            (Ty::Bool, Ty::Bool) => ("Or", "or_primitive", format!("OR({an}, {bn})")),
            _ => return None,
        };
        let p = self.prim(ty, &format!("{TRANS}binary.{module}"), json!({}));
        let (ua, ub) = (self.feats[a].unique.clone(), self.feats[b].unique.clone());
        let def = json!({"type": "TransformFeature", "dependencies": [ua, ub],
            "arguments": {"base_features": [ua, ub], "primitive": p}});
        self.add(w, self.feats[a].df, name, Ty::Bool, def)
    }

    fn rel_name(&self, w: &World, rel: usize, df: usize) -> String {
        let r = &w.rels[rel];
        let twins = w
            .rels
            .iter()
            .filter(|x| x.parent == r.parent && x.child == r.child)
            .count();
        if twins > 1 {
            format!("{}[{}]", w.dfs[df].name, r.col)
        } else {
            w.dfs[df].name.clone()
        }
    }

    /// An aggregation of `base` (on the last child of `path`) for `path[0]`'s parent.
    #[allow(clippy::too_many_arguments)]
    fn aggregation(
        &mut self,
        w: &World,
        path: &[usize],
        base: Option<usize>,
        rng: &mut Rng,
        opts: &FeatureOptions,
        candidates_where: &[usize],
    ) -> Option<usize> {
        let top = self.top == w.rels[path[0]].parent;
        let parent = w.rels[path[0]].parent;
        let leaf = w.rels[*path.last().expect("path")].child;
        let mut pname = String::new();
        for &r in path {
            if !pname.is_empty() {
                pname.push('.');
            }
            pname.push_str(&self.rel_name(w, r, w.rels[r].child));
        }
        let (p, pn, base, out) = match base {
            None => {
                let b = self.identity(w, leaf, "id", Ty::Key);
                (
                    self.prim("Count", &format!("{AGG}count"), json!({})),
                    "COUNT".to_string(),
                    b,
                    Ty::Num,
                )
            }
            Some(b) => {
                let choice = match self.feats[b].ty {
                    Ty::Num => *rng.pick(&[
                        "Sum",
                        "Mean",
                        "Std",
                        "Max",
                        "Min",
                        "Skew",
                        "Median",
                        "NumUnique",
                    ]),
                    Ty::Bool => *rng.pick(&["PercentTrue", "NumTrue"]),
                    Ty::Cat if top => *rng.pick(&["Mode", "NumUnique", "NMostCommon"]),
                    Ty::Cat => *rng.pick(&["Mode", "NumUnique"]),
                    _ => return None,
                };
                let (module, pn, out) = match choice {
                    "Sum" => ("sum_primitive", "SUM", Ty::Num),
                    "Mean" => ("mean", "MEAN", Ty::Num),
                    "Std" => ("std", "STD", Ty::Num),
                    "Max" => ("max_primitive", "MAX", Ty::Num),
                    "Min" => ("min_primitive", "MIN", Ty::Num),
                    "Skew" => ("skew", "SKEW", Ty::Num),
                    "Median" => ("median", "MEDIAN", Ty::Num),
                    "NumUnique" => ("num_unique", "NUM_UNIQUE", Ty::Num),
                    "PercentTrue" => ("percent_true", "PERCENT_TRUE", Ty::Num),
                    "NumTrue" => ("num_true", "NUM_TRUE", Ty::Num),
                    "NMostCommon" => ("n_most_common", "N_MOST_COMMON", Ty::Key),
                    _ => ("mode", "MODE", Ty::Cat),
                };
                let args = match choice {
                    "Mean" => json!({"skipna": true}),
                    "NMostCommon" => json!({"n": 2}),
                    _ => json!({}),
                };
                (
                    self.prim(choice, &format!("{AGG}{module}"), args),
                    pn.to_string(),
                    b,
                    out,
                )
            }
        };
        let where_ =
            (!candidates_where.is_empty() && rng.chance(0.2)).then(|| *rng.pick(candidates_where));
        let timed_leaf = w.dfs[leaf].has_time();
        let use_previous = if timed_leaf && rng.chance(0.15) {
            if opts.spans && rng.chance(0.5) {
                let d = 1 + rng.below(3);
                Some((json!({"unit": "d", "value": d}), format!("Last {d} Days")))
            } else {
                let o = 1 + rng.below(3);
                Some((
                    json!({"unit": "o", "value": o}),
                    format!("Last {o} Observations"),
                ))
            }
        } else {
            None
        };
        let bname = if self.feats[base].ty == Ty::Key {
            pname.clone()
        } else {
            format!("{pname}.{}", self.feats[base].name)
        };
        let mut inner = bname;
        if let Some(wf) = where_ {
            inner.push_str(&format!(" WHERE {}", self.feats[wf].name));
        }
        if let Some((_, s)) = &use_previous {
            inner.push_str(&format!(", {s}"));
        }
        let mut deps = vec![self.feats[base].unique.clone()];
        if let Some(wf) = where_ {
            deps.push(self.feats[wf].unique.clone());
        }
        let name = if out == Ty::Key {
            format!("{pn}({inner}, n=2)")
        } else {
            format!("{pn}({inner})")
        };
        let mut def = json!({"type": "AggregationFeature", "dependencies": deps, "arguments": {
            "base_features": [self.feats[base].unique],
            "relationship_path": path.iter().map(|&r| w.rel_json(r)).collect::<Vec<_>>(),
            "primitive": p,
            "where": where_.map(|wf| self.feats[wf].unique.clone()),
            "use_previous": use_previous.map(|(v, _)| v),
        }});
        if out == Ty::Key {
            def["arguments"]["feature_names"] = json!([format!("{name}[0]"), format!("{name}[1]")]);
        }
        self.add(w, parent, name, out, def)
    }

    fn direct(&mut self, w: &World, rel: usize, base: usize) -> Option<usize> {
        let child = w.rels[rel].child;
        if self.feats[base].ty == Ty::Key {
            return None;
        }
        let name = format!(
            "{}.{}",
            self.rel_name(w, rel, w.rels[rel].parent),
            self.feats[base].name
        );
        let def = json!({"type": "DirectFeature", "dependencies": [self.feats[base].unique], "arguments": {
            "base_feature": self.feats[base].unique, "relationship": w.rel_json(rel)}});
        let ty = self.feats[base].ty;
        self.add(w, child, name, ty, def)
    }

    /// Features of `df` up to `depth` (a few of each kind, drawn at random).
    fn build(
        &mut self,
        w: &World,
        df: usize,
        depth: usize,
        came: Option<usize>,
        rng: &mut Rng,
        opts: &FeatureOptions,
    ) -> Vec<usize> {
        let mut out = self.local(w, df, rng, opts);
        if depth == 0 {
            return out;
        }
        for (r, rel) in w.rels.iter().enumerate() {
            if Some(r) == came {
                continue;
            }
            if rel.parent == df && rng.chance(0.8) {
                let child_feats = self.build(w, rel.child, depth - 1, Some(r), rng, opts);
                let bools: Vec<usize> = child_feats
                    .iter()
                    .copied()
                    .filter(|&f| self.feats[f].ty == Ty::Bool && self.feats[f].df == rel.child)
                    .collect();
                if let Some(c) = self.aggregation(w, &[r], None, rng, opts, &bools) {
                    out.push(c);
                }
                for _ in 0..2 {
                    if child_feats.is_empty() {
                        break;
                    }
                    let b = *rng.pick(&child_feats);
                    if let Some(a) = self.aggregation(w, &[r], Some(b), rng, opts, &bools) {
                        out.push(a);
                    }
                }
                // A path of two steps, as featuretools allows through an intermediate child.
                if depth >= 2 && rng.chance(0.3) {
                    let grand: Vec<usize> = (0..w.rels.len())
                        .filter(|&g| w.rels[g].parent == rel.child)
                        .collect();
                    if !grand.is_empty() {
                        let g = *rng.pick(&grand);
                        let leaf_feats = self.local(w, w.rels[g].child, rng, opts);
                        let base = (!leaf_feats.is_empty() && rng.chance(0.7))
                            .then(|| *rng.pick(&leaf_feats));
                        if let Some(a) = self.aggregation(w, &[r, g], base, rng, opts, &[]) {
                            out.push(a);
                        }
                    }
                }
            }
            if rel.child == df && rng.chance(0.7) {
                let parent_feats = self.build(w, rel.parent, depth - 1, Some(r), rng, opts);
                for _ in 0..3 {
                    if parent_feats.is_empty() {
                        break;
                    }
                    let b = *rng.pick(&parent_feats);
                    if let Some(d) = self.direct(w, r, b) {
                        out.push(d);
                    }
                }
            }
        }
        out
    }

    /// Up to `max` features for `target`, as `ft.save_features` JSON.
    pub fn generate(
        w: &World,
        target: usize,
        rng: &mut Rng,
        opts: &FeatureOptions,
        max: usize,
    ) -> Value {
        let mut fs = Features::new(target);
        let depth = 1 + rng.below(3);
        let mut all = fs.build(w, target, depth, None, rng, opts);
        all.sort_unstable();
        all.dedup();
        let mut list: Vec<usize> = all
            .into_iter()
            .filter(|&f| fs.feats[f].df == target)
            .collect();
        while list.len() > max {
            list.remove(rng.below(list.len()));
        }
        if list.is_empty() {
            let c = fs.identity(w, target, "n", Ty::Num);
            list.push(c);
        }
        json!({
            "schema_version": "10.0.0",
            "ft_version": "1.31.0",
            "entityset": w.description(),
            "feature_list": list.iter().map(|&f| fs.feats[f].unique.clone()).collect::<Vec<_>>(),
            "feature_definitions": fs.defs,
            "primitive_definitions": fs.prims,
        })
    }
}

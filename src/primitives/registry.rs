//! From a saved primitive definition to ftpart's implementation: the definition's class must be
//! one of featuretools 1.31's ([`KNOWN`]), from that class's own module, with only the arguments
//! that class's constructor takes; then the family files' entries ([`ENTRIES`]) build it.

use serde_json::{Map, Value};

use super::catalog::{Known, KNOWN};
use super::{agg, trans, Implementation, Primitive};

/// How one featuretools class is built from its saved arguments.
pub struct Entry {
    /// The class name.
    pub class: &'static str,
    /// Builds the implementation (an error names what is wrong with an argument).
    pub make: fn(&Args) -> Result<Implementation, String>,
}

/// Every family's entries.
pub fn entries() -> impl Iterator<Item = &'static Entry> {
    families().into_iter().flat_map(|(_, family)| family.iter())
}

/// The families (`agg/order`, `trans/text`...: the file that implements them) and their entries.
pub fn families() -> Vec<(&'static str, &'static [Entry])> {
    agg::ENTRIES.iter().chain(trans::ENTRIES).copied().collect()
}

/// The class names ftpart implements.
pub fn implemented() -> Vec<&'static str> {
    entries().map(|e| e.class).collect()
}

/// The catalogue entry of a class.
pub fn known(class: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|k| k.class == class)
}

pub(super) fn parse(def: &Value) -> Result<Primitive, String> {
    let class = def
        .get("type")
        .and_then(Value::as_str)
        .ok_or("primitive definition lacks 'type'")?;
    let module = def.get("module").and_then(Value::as_str);
    let shown = module.unwrap_or("no module");
    let args = match def.get("arguments") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(other) => {
            return Err(format!(
                "primitive {class} ({shown}): 'arguments' must be an object, not {other}"
            ))
        }
    };
    let Some(known) = known(class) else {
        return Err(format!(
            "primitive '{class}' ({shown}) is not a featuretools 1.31 primitive: ftpart computes \
             featuretools' own primitives only"
        ));
    };
    if module != Some(known.module) {
        return Err(format!(
            "primitive '{class}' from module '{shown}' is not featuretools' {class} (module \
             {}): ftpart computes featuretools' own primitives only",
            known.module
        ));
    }
    if let Some(k) = args.keys().find(|k| !known.args.contains(&k.as_str())) {
        return Err(format!(
            "primitive {class} ({}): argument '{k}' is not one of featuretools' ({})",
            known.module,
            if known.args.is_empty() {
                "it takes none".to_string()
            } else {
                known.args.join(", ")
            }
        ));
    }
    let Some(entry) = entries().find(|e| e.class == class) else {
        return Err(format!(
            "primitive '{class}' ({}) is not implemented by ftpart; implemented: {}",
            known.module,
            implemented().join(", ")
        ));
    };
    let imp = (entry.make)(&Args {
        class,
        module: known.module,
        map: &args,
    })?;
    Ok(Primitive { known, args, imp })
}

/// A definition's arguments, read with featuretools' defaults (a feature file saves only the
/// arguments that differ from them).
pub struct Args<'a> {
    class: &'a str,
    module: &'a str,
    map: &'a Map<String, Value>,
}

impl Args<'_> {
    /// An error about argument `k`.
    pub fn error(&self, k: &str, what: impl std::fmt::Display) -> String {
        format!(
            "primitive {} ({}): argument '{k}' {what}",
            self.class, self.module
        )
    }

    /// The raw value of `k`, when given and not null.
    pub fn value(&self, k: &str) -> Option<&Value> {
        self.map.get(k).filter(|v| !v.is_null())
    }

    /// A number (`default` when not given).
    pub fn num(&self, k: &str, default: f64) -> Result<f64, String> {
        Ok(self.opt_num(k)?.unwrap_or(default))
    }

    /// A number, or None when not given or null.
    pub fn opt_num(&self, k: &str) -> Result<Option<f64>, String> {
        match self.value(k) {
            None => Ok(None),
            Some(v) => crate::json::as_f64(v)
                .map(Some)
                .ok_or_else(|| self.error(k, format!("must be a number, not {v}"))),
        }
    }

    /// A whole number (`default` when not given).
    pub fn int(&self, k: &str, default: i64) -> Result<i64, String> {
        Ok(self.opt_int(k)?.unwrap_or(default))
    }

    /// A whole number, or None when not given or null.
    pub fn opt_int(&self, k: &str) -> Result<Option<i64>, String> {
        match self.value(k) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(i) => Ok(Some(i)),
                None => match v.as_f64() {
                    Some(x) if x.fract() == 0.0 && x.abs() < 9e15 => Ok(Some(x as i64)),
                    _ => Err(self.error(k, format!("must be a whole number, not {v}"))),
                },
            },
        }
    }

    /// A boolean (`default` when not given).
    pub fn bool(&self, k: &str, default: bool) -> Result<bool, String> {
        match self.value(k) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| self.error(k, format!("must be true or false, not {v}"))),
        }
    }

    /// Text (`default` when not given).
    pub fn text(&self, k: &str, default: &str) -> Result<String, String> {
        Ok(self.opt_text(k)?.unwrap_or_else(|| default.to_string()))
    }

    /// Text, or None when not given or null.
    pub fn opt_text(&self, k: &str) -> Result<Option<String>, String> {
        match self.value(k) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| self.error(k, format!("must be text, not {v}"))),
        }
    }

    /// One of `choices` (`default` when not given).
    pub fn choice(&self, k: &str, default: &str, choices: &[&str]) -> Result<String, String> {
        let v = self.text(k, default)?;
        if choices.contains(&v.as_str()) {
            Ok(v)
        } else {
            Err(self.error(k, format!("is '{v}'; ftpart knows {}", choices.join(", "))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_entry_is_a_featuretools_class_and_entered_once() {
        let mut seen = std::collections::HashSet::new();
        for e in entries() {
            assert!(
                known(e.class).is_some(),
                "{} is not in the catalogue",
                e.class
            );
            assert!(seen.insert(e.class), "{} is entered twice", e.class);
        }
    }

    #[test]
    fn implementations_agree_with_the_catalogue() {
        for e in entries() {
            let k = known(e.class).expect("catalogued");
            let p = crate::primitives::Primitive::featuretools(e.class, json!({}));
            // Some primitives cannot be built without arguments (IsIn needs its list).
            let Ok(p) = p else { continue };
            assert_eq!(p.is_aggregation(), k.aggregation, "{}", e.class);
            if let Some(a) = p.aggregation() {
                assert_eq!(a.default_value(), k.default, "{} default_value", e.class);
                assert_eq!(a.uses_time(), k.calc_time, "{} uses_calc_time", e.class);
            }
            if let Some(t) = p.transform() {
                assert_eq!(t.uses_cutoff(), k.calc_time, "{} uses_calc_time", e.class);
                assert_eq!(
                    t.uses_full_dataframe(),
                    k.full_dataframe,
                    "{} uses_full_dataframe",
                    e.class
                );
            }
        }
    }

    #[test]
    fn every_transform_answers_no_rows_with_no_rows() {
        // featuretools never calls a transform on an empty frame; a part without rows of a
        // dataframe (or a group-by whose keys are all missing) calls the kernel on no rows for
        // the output's type. ROLLING_COUNT and EXPANDING_COUNT raised there (the partition
        // fuzzer's seeds 197, 5746).
        use arrow_array::{
            ArrayRef, BooleanArray, Float64Array, StringArray, TimestampNanosecondArray,
        };
        use std::sync::Arc;
        let num: ArrayRef = Arc::new(Float64Array::from(Vec::<f64>::new()));
        let time: ArrayRef = Arc::new(TimestampNanosecondArray::from(Vec::<i64>::new()));
        let boolean: ArrayRef = Arc::new(BooleanArray::from(Vec::<bool>::new()));
        let text: ArrayRef = Arc::new(StringArray::from(Vec::<&str>::new()));
        let kinds = [num, time, boolean, text];
        for e in entries() {
            let Ok(p) = crate::primitives::Primitive::featuretools(e.class, json!({})) else {
                continue;
            };
            let Some(t) = p.transform() else { continue };
            let arity = t.arity();
            // Every typing of the inputs from the four kinds: one must be accepted.
            let mut answers = Vec::new();
            for code in 0..kinds.len().pow(arity as u32) {
                let inputs: Vec<ArrayRef> = (0..arity)
                    .map(|i| kinds[code / kinds.len().pow(i as u32) % kinds.len()].clone())
                    .collect();
                let dtypes = vec![crate::primitives::Dtype::Numpy; arity];
                answers.push(t.transform(&inputs, &dtypes, &[]));
            }
            assert!(
                answers
                    .iter()
                    .any(|a| a.as_ref().is_ok_and(|a| a.is_empty())),
                "{}: {:?}",
                e.class,
                answers.iter().find_map(|a| a.as_ref().err())
            );
        }
    }

    #[test]
    fn a_users_class_named_like_a_builtin_is_refused_with_its_module() {
        // A feature file whose primitive is a user's own `Count` (another module, an argument
        // featuretools' Count does not take) was computed as the built-in COUNT, silently.
        let e = parse(&json!({"type": "Count", "module": "my_primitives.count",
                              "arguments": {"count_null": true}}))
        .unwrap_err();
        assert!(
            e.contains("'Count'") && e.contains("my_primitives.count"),
            "{e}"
        );
        let e = parse(&json!({"type": "Count",
                              "module": "featuretools.primitives.standard.aggregation.count",
                              "arguments": {"count_null": true}}))
        .unwrap_err();
        assert!(e.contains("argument 'count_null'"), "{e}");
        let e = parse(&json!({"type": "Frobnicate", "module": "x", "arguments": {}})).unwrap_err();
        assert!(
            e.contains("'Frobnicate'") && e.contains("not a featuretools"),
            "{e}"
        );
    }

    #[test]
    fn arguments_name_the_primitive_and_what_is_wrong() {
        let e = parse(&json!({"type": "NMostCommon",
            "module": "featuretools.primitives.standard.aggregation.n_most_common",
            "arguments": {"n": "three"}}))
        .unwrap_err();
        assert!(e.contains("NMostCommon") && e.contains("'n'"), "{e}");
    }

    #[test]
    fn a_definition_round_trips_through_serde() {
        let def = json!({"type": "NMostCommon",
            "module": "featuretools.primitives.standard.aggregation.n_most_common",
            "arguments": {"n": 2}});
        let p = parse(&def).unwrap();
        let text = serde_json::to_string(&p).unwrap();
        let back: Primitive = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.outputs(), 2);
        assert_eq!(p.definition(), def);
    }
}

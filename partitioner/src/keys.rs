//! Index keys: mapping index values to row numbers, and foreign keys to parent rows.

use rustc_hash::FxHashMap as HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, TimestampNanosecondType};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

/// A row number that stands for "no row".
pub const NO_ROW: u32 = u32::MAX;

/// One key value, in the domain of an index column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// Integer (and datetime) keys.
    Int(i64),
    /// Text keys (categories, strings).
    Str(String),
}

/// Orders keys as the index orders rows of equal time: integers by value, text by bytes;
/// missing and mixed keys compare equal.
pub fn cmp_keys(a: &Option<Key>, b: &Option<Key>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(Key::Int(x)), Some(Key::Int(y))) => x.cmp(y),
        (Some(Key::Str(x)), Some(Key::Str(y))) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}

/// Reads the key values of a column (`None` for nulls and unusable values).
pub fn key_values(col: &ArrayRef) -> Vec<Option<Key>> {
    let n = col.len();
    let mut out = Vec::with_capacity(n);
    match col.data_type() {
        DataType::Int64 => {
            let a = col.as_primitive::<Int64Type>();
            for i in 0..n {
                out.push(a.is_valid(i).then(|| Key::Int(a.value(i))));
            }
        }
        DataType::Timestamp(_, _) => {
            let a = col.as_primitive::<TimestampNanosecondType>();
            for i in 0..n {
                out.push(a.is_valid(i).then(|| Key::Int(a.value(i))));
            }
        }
        DataType::Float64 => {
            let a = col.as_primitive::<arrow_array::types::Float64Type>();
            for i in 0..n {
                let v = a.value(i);
                out.push(
                    (a.is_valid(i) && v.fract() == 0.0 && v.is_finite())
                        .then_some(Key::Int(v as i64)),
                );
            }
        }
        DataType::Dictionary(_, _) => {
            let d = col.as_dictionary::<Int32Type>();
            let values: Vec<Option<Key>> = match d.values().data_type() {
                DataType::Utf8 => d
                    .values()
                    .as_string::<i32>()
                    .iter()
                    .map(|v| v.map(|s| Key::Str(s.to_string())))
                    .collect(),
                _ => key_values(d.values()),
            };
            for i in 0..n {
                out.push(if d.is_valid(i) {
                    values.get(d.keys().value(i) as usize).cloned().flatten()
                } else {
                    None
                });
            }
        }
        DataType::Utf8 => {
            let a = col.as_string::<i32>();
            for i in 0..n {
                out.push(a.is_valid(i).then(|| Key::Str(a.value(i).to_string())));
            }
        }
        DataType::Boolean => {
            let a = col.as_boolean();
            for i in 0..n {
                out.push(a.is_valid(i).then(|| Key::Int(a.value(i) as i64)));
            }
        }
        _ => out.resize(n, None),
    }
    out
}

/// Converts a key into the domain of another index (featuretools re-types a foreign key to its
/// parent index's type, `entityset.py::add_relationship`).
pub fn coerce(key: Key, to_int: bool) -> Option<Key> {
    match (key, to_int) {
        (Key::Int(i), true) => Some(Key::Int(i)),
        (Key::Int(i), false) => Some(Key::Str(i.to_string())),
        (Key::Str(s), true) => {
            let t = s.trim();
            t.parse::<i64>()
                .ok()
                .or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.fract() == 0.0)
                        .map(|f| f as i64)
                })
                .map(Key::Int)
        }
        (Key::Str(s), false) => Some(Key::Str(s)),
    }
}

/// Index value → row number.
#[derive(Debug)]
pub enum KeyMap {
    /// Integer (and datetime) index.
    Int(HashMap<i64, u32>),
    /// Text index.
    Str(HashMap<String, u32>),
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::Int(HashMap::default())
    }
}

impl KeyMap {
    /// Builds the map; a duplicated or missing index value is an error.
    pub fn build(col: &ArrayRef) -> Result<Self, String> {
        let dup = |k: &Key, prev: u32, i: usize| {
            format!(
                "index value {} is not unique (rows {prev} and {i})",
                show(k)
            )
        };
        if let Some(a) = col.as_primitive_opt::<Int64Type>() {
            let mut map = HashMap::with_capacity_and_hasher(a.len(), Default::default());
            for i in 0..a.len() {
                if a.is_null(i) {
                    return Err(format!("index has a null value at row {i}"));
                }
                if let Some(prev) = map.insert(a.value(i), i as u32) {
                    return Err(dup(&Key::Int(a.value(i)), prev, i));
                }
            }
            return Ok(KeyMap::Int(map));
        }
        let keys = key_values(col);
        let int = match keys.iter().flatten().next() {
            Some(k) => matches!(k, Key::Int(_)),
            None => matches!(col.data_type(), DataType::Int64 | DataType::Timestamp(_, _)),
        };
        let mut ints = HashMap::default();
        let mut strs = HashMap::default();
        for (i, k) in keys.into_iter().enumerate() {
            let k = k.ok_or_else(|| format!("index has a null value at row {i}"))?;
            let prev = match (&k, int) {
                (Key::Int(v), true) => ints.insert(*v, i as u32),
                (_, true) => {
                    return Err(format!(
                        "index value {} at row {i} is not an integer like the others",
                        show(&k)
                    ))
                }
                (Key::Str(s), false) => strs.insert(s.clone(), i as u32),
                (Key::Int(v), false) => strs.insert(v.to_string(), i as u32),
            };
            if let Some(prev) = prev {
                return Err(dup(&k, prev, i));
            }
        }
        Ok(if int {
            KeyMap::Int(ints)
        } else {
            KeyMap::Str(strs)
        })
    }

    /// Checks what [`KeyMap::build`] checks (no missing and no repeated value), with the same
    /// error, without keeping a map: for an index nothing looks up. Integers in a range not much
    /// wider than the column are checked with a bitmap; any other index builds the map.
    pub fn check(col: &ArrayRef) -> Result<(), String> {
        let Some(a) = col.as_primitive_opt::<Int64Type>() else {
            return KeyMap::build(col).map(|_| ());
        };
        if a.null_count() > 0 || a.is_empty() {
            return KeyMap::build(col).map(|_| ());
        }
        let v = a.values();
        let (lo, hi) = v
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let span = (hi as i128 - lo as i128) as u128 + 1;
        if span > 8 * v.len() as u128 + 64 {
            return KeyMap::build(col).map(|_| ());
        }
        let mut seen = vec![0u64; (span as usize).div_ceil(64)];
        for &x in v.iter() {
            let d = (x as i128 - lo as i128) as usize;
            let (w, b) = (d / 64, 1u64 << (d % 64));
            if seen[w] & b != 0 {
                // The map names both rows of the repeated value.
                return KeyMap::build(col).map(|_| ());
            }
            seen[w] |= b;
        }
        Ok(())
    }

    /// Whether the index holds integers.
    pub fn is_int(&self) -> bool {
        matches!(self, KeyMap::Int(_))
    }

    /// Row of this key (after coercion to the index's type).
    pub fn get(&self, key: Key) -> Option<u32> {
        match (self, coerce(key, self.is_int())?) {
            (KeyMap::Int(m), Key::Int(i)) => m.get(&i).copied(),
            (KeyMap::Str(m), Key::Str(s)) => m.get(&s).copied(),
            _ => None,
        }
    }

    /// Row of an integer key.
    pub fn get_int(&self, key: i64) -> Option<u32> {
        match self {
            KeyMap::Int(m) => m.get(&key).copied(),
            KeyMap::Str(m) => m.get(&key.to_string()).copied(),
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        match self {
            KeyMap::Int(m) => m.len(),
            KeyMap::Str(m) => m.len(),
        }
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A key for messages.
pub fn show(k: &Key) -> String {
    match k {
        Key::Int(i) => i.to_string(),
        Key::Str(s) => format!("'{s}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ints(v: Vec<Option<i64>>) -> ArrayRef {
        Arc::new(arrow_array::Int64Array::from(v))
    }

    #[test]
    fn check_gives_what_build_gives() {
        let cases: Vec<ArrayRef> = vec![
            ints((0..1000).rev().map(Some).collect()),
            ints(vec![5, 3, 9, 3, 1].into_iter().map(Some).collect()),
            ints(vec![Some(1), None, Some(2)]),
            ints(vec![i64::MIN, 0, i64::MAX].into_iter().map(Some).collect()),
            ints(
                vec![i64::MIN, i64::MAX, i64::MIN]
                    .into_iter()
                    .map(Some)
                    .collect(),
            ),
            ints(vec![]),
            Arc::new(arrow_array::StringArray::from(vec!["a", "b", "a"])),
            Arc::new(arrow_array::StringArray::from(vec!["a", "b", "c"])),
        ];
        for c in &cases {
            assert_eq!(
                KeyMap::check(c),
                KeyMap::build(c).map(|_| ()),
                "{:?}",
                c.to_data()
            );
        }
        let e = KeyMap::check(&cases[1]).unwrap_err();
        assert!(
            e.contains("index value 3 is not unique (rows 1 and 3)"),
            "{e}"
        );
    }
}

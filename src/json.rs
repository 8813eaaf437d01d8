//! Reading the JSON featuretools writes, which is Python's `json.dumps` with its default
//! `allow_nan=True`: a float argument of `inf`, `-inf` or `nan` (`CountGreaterThan(threshold=np.inf)`)
//! is written as the bare tokens `Infinity`, `-Infinity`, `NaN`, which are not JSON and which
//! `serde_json` rejects.
//!
//! [`parse`] reads such text: each of those tokens outside a string becomes a one-key object
//! `{"$ftpart_float": "Infinity"}` (JSON numbers cannot hold them), which [`as_f64`] reads back
//! as the float. The object survives serialising the value again (a primitive's definition sent
//! to a worker), and no featuretools JSON holds an object of that key.

use serde_json::Value;

/// The key of the object standing for a non-finite float.
pub const NONFINITE_KEY: &str = "$ftpart_float";

/// Parses JSON as Python's `json.loads` does: `NaN`, `Infinity` and `-Infinity` outside strings
/// are floats (see the module docs for how they are held).
pub fn parse(text: &str) -> serde_json::Result<Value> {
    match rewrite_nonfinite(text) {
        Some(rewritten) => serde_json::from_str(&rewritten),
        None => serde_json::from_str(text),
    }
}

/// A number, or one of the non-finite floats [`parse`] reads.
pub fn as_f64(v: &Value) -> Option<f64> {
    if let Some(x) = v.as_f64() {
        return Some(x);
    }
    let obj = v.as_object().filter(|o| o.len() == 1)?;
    match obj.get(NONFINITE_KEY)?.as_str()? {
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => None,
    }
}

/// `text` with the bare non-finite tokens replaced by their objects; None when it has none (the
/// common case, parsed as it is).
fn rewrite_nonfinite(text: &str) -> Option<String> {
    const TOKENS: [&str; 3] = ["-Infinity", "Infinity", "NaN"];
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        // A token starts where a value can: not in the middle of a word or number.
        let at_value = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.');
        let token = TOKENS.iter().find(|t| {
            at_value
                && text[i..].starts_with(*t)
                && !matches!(bytes.get(i + t.len()), Some(c) if c.is_ascii_alphanumeric())
        });
        match token {
            Some(t) => {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 32));
                o.push_str(&text[copied..i]);
                o.push_str(&format!("{{\"{NONFINITE_KEY}\": \"{t}\"}}"));
                i += t.len();
                copied = i;
            }
            None => i += 1,
        }
    }
    let mut o = out?;
    o.push_str(&text[copied..]);
    Some(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_nonfinite_floats_are_read_outside_strings_only() {
        let v = parse(
            r#"{"a": Infinity, "b": -Infinity, "c": [NaN, 1.5], "s": "NaN, Infinity \" -Infinity", "NaN": 2}"#,
        )
        .unwrap();
        assert_eq!(as_f64(&v["a"]), Some(f64::INFINITY));
        assert_eq!(as_f64(&v["b"]), Some(f64::NEG_INFINITY));
        assert!(as_f64(&v["c"][0]).is_some_and(f64::is_nan));
        assert_eq!(as_f64(&v["c"][1]), Some(1.5));
        assert_eq!(v["s"], "NaN, Infinity \" -Infinity");
        assert_eq!(v["NaN"], 2);
        // Written again and read back, the value is the same.
        let again = parse(&v.to_string()).unwrap();
        assert_eq!(as_f64(&again["a"]), Some(f64::INFINITY));
    }

    #[test]
    fn text_without_the_tokens_is_plain_json() {
        assert_eq!(parse(r#"[1, "x"]"#).unwrap(), serde_json::json!([1, "x"]));
        assert!(parse("[Infinityx]").is_err());
        assert!(parse("[NaNa]").is_err());
        assert!(as_f64(&serde_json::json!({ NONFINITE_KEY: "inf" })).is_none());
    }
}

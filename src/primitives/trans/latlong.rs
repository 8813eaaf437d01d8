//! The LatLong transforms (`featuretools/primitives/standard/transform/latlong/`): CITYBLOCK_DISTANCE,
//! GEOMIDPOINT, IS_IN_GEOBOX, LATITUDE, LONGITUDE.
//!
//! A LatLong value is text "(lat, lon)". featuretools holds every cell as a tuple of floats: a
//! missing cell is `(nan, nan)` (woodwork's LatLong), and NaN inside a tuple stays NaN. So a
//! missing cell reads here as (NaN, NaN); LATITUDE and LONGITUDE give a missing number for a
//! NaN, IS_IN_GEOBOX gives False (numpy compares NaN False) and GEOMIDPOINT writes "(nan, nan)",
//! as pandas' `to_csv` prints featuretools' tuple.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, StringArray};
use serde_json::Value;

use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{float_out, strings, Implementation};

/// A transform of this file.
#[derive(Debug)]
enum LatLong {
    CityblockDistance { radius: f64 },
    GeoMidpoint,
    IsInGeoBox { lats: (f64, f64), lons: (f64, f64) },
    Latitude,
    Longitude,
}

fn entry(l: LatLong) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(l)))
}

/// An IsInGeoBox corner: `(lat, lon)`, saved as a list of two numbers.
fn point(a: &Args, k: &str) -> Result<(f64, f64), String> {
    match a.value(k) {
        None => Ok((0.0, 0.0)),
        Some(Value::Array(v)) if v.len() == 2 => match (v[0].as_f64(), v[1].as_f64()) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err(a.error(
                k,
                format!("must be two numbers, not {}", Value::Array(v.clone())),
            )),
        },
        Some(other) => Err(a.error(k, format!("must be (latitude, longitude), not {other}"))),
    }
}

fn sorted(x: f64, y: f64) -> (f64, f64) {
    if y < x {
        (y, x)
    } else {
        (x, y)
    }
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "CityblockDistance",
        make: |a| {
            let unit = a.choice("unit", "miles", &["miles", "kilometers"])?;
            entry(LatLong::CityblockDistance {
                radius: if unit == "kilometers" {
                    6371.0088
                } else {
                    3958.7613
                },
            })
        },
    },
    Entry {
        class: "GeoMidpoint",
        make: |_| entry(LatLong::GeoMidpoint),
    },
    Entry {
        class: "IsInGeoBox",
        make: |a| {
            let (p1, p2) = (point(a, "point1")?, point(a, "point2")?);
            entry(LatLong::IsInGeoBox {
                lats: sorted(p1.0, p2.0),
                lons: sorted(p1.1, p2.1),
            })
        },
    },
    Entry {
        class: "Latitude",
        make: |_| entry(LatLong::Latitude),
    },
    Entry {
        class: "Longitude",
        make: |_| entry(LatLong::Longitude),
    },
];

/// A cell as featuretools holds it: "(lat, lon)" (or "[lat, lon]"); missing → (NaN, NaN).
fn parse(s: Option<&str>) -> (f64, f64) {
    let nan = (f64::NAN, f64::NAN);
    let Some(s) = s else { return nan };
    let t = s
        .trim()
        .trim_start_matches(['(', '['])
        .trim_end_matches([')', ']']);
    let Some((a, b)) = t.split_once(',') else {
        return nan;
    };
    match (a.trim().parse(), b.trim().parse()) {
        (Ok(x), Ok(y)) => (x, y),
        _ => nan,
    }
}

fn cells(a: &ArrayRef) -> Result<Vec<(f64, f64)>, String> {
    Ok(strings(a)?.iter().map(|v| parse(v.as_deref())).collect())
}

/// featuretools' `_haversine_calculate`, in numpy's order of operations.
fn haversine(lat1: f64, lon1: f64, lat2: f64, lon2: f64, radius: f64) -> f64 {
    let (lon1, lat1, lon2, lat2) = (
        lon1.to_radians(),
        lat1.to_radians(),
        lon2.to_radians(),
        lat2.to_radians(),
    );
    let dlon = lon2 - lon1;
    let dlat = lat2 - lat1;
    let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    radius * 2.0 * a.sqrt().asin()
}

/// Python's `repr(float)`: the shortest digits that read back as `v`, positional when the
/// exponent is within -4..16, else scientific (`1e-05`, `1e+16`); `nan`, `inf`.
fn py_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // `{:e}` gives the shortest round-trip digits: d.ddddde±x.
    let e = format!("{:e}", v.abs());
    let (mantissa, exp) = e.split_once('e').expect("an exponent");
    let exp: i32 = exp.parse().expect("an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let mut out = String::new();
    if v.is_sign_negative() {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        } else if exp + 1 >= n {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', (exp + 1 - n) as usize));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..(exp + 1) as usize]);
            out.push('.');
            out.push_str(&digits[(exp + 1) as usize..]);
        }
    } else {
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!(
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
    }
    out
}

impl Transform for LatLong {
    fn arity(&self) -> usize {
        match self {
            LatLong::CityblockDistance { .. } | LatLong::GeoMidpoint => 2,
            _ => 1,
        }
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let a = cells(inputs.first().ok_or("transform without input")?)?;
        let b = || -> Result<Vec<(f64, f64)>, String> {
            cells(inputs.get(1).ok_or("this transform takes two inputs")?)
        };
        Ok(match self {
            LatLong::CityblockDistance { radius } => float_out(
                a.iter()
                    .zip(&b()?)
                    .map(|(&(lat1, lon1), &(lat2, lon2))| {
                        haversine(lat1, lon1, lat1, lon2, *radius)
                            + haversine(lat1, lon1, lat2, lon1, *radius)
                    })
                    .collect(),
            ),
            LatLong::GeoMidpoint => Arc::new(
                a.iter()
                    .zip(&b()?)
                    .map(|(&(lat1, lon1), &(lat2, lon2))| {
                        Some(format!(
                            "({}, {})",
                            py_repr((lat1 + lat2) / 2.0),
                            py_repr((lon1 + lon2) / 2.0)
                        ))
                    })
                    .collect::<StringArray>(),
            ),
            LatLong::IsInGeoBox { lats, lons } => Arc::new(
                a.iter()
                    .map(|&(lat, lon)| {
                        Some(lats.0 <= lat && lats.1 >= lat && lons.0 <= lon && lons.1 >= lon)
                    })
                    .collect::<BooleanArray>(),
            ),
            LatLong::Latitude => float_out(a.iter().map(|p| p.0).collect()),
            LatLong::Longitude => float_out(a.iter().map(|p| p.1).collect()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::test_util::prim_with;
    use crate::primitives::test_util::transform;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use serde_json::json;

    // Two LatLong columns as ftpart reads them (a missing cell, NaN inside a tuple, -0.0).
    // Expected values are featuretools 1.31's, from the Python call in the comment above each
    // check (the columns as featuretools holds them: tuples of floats, missing → (nan, nan)).
    const A: &[Option<&str>] = &[
        Some("(1.5, 2.0)"),
        None,
        Some("(nan, nan)"),
        Some("(41.25, -96.5)"),
        Some("(nan, 3.0)"),
        Some("(1e-05, 1e+16)"),
        Some("(0.1, 0.2)"),
        Some("(-33.87, 151.21)"),
        Some("(0.0, 0.0)"),
        Some("(-0.0, 0.0)"),
        Some("(30.0, -99.0)"),
    ];
    const B: &[Option<&str>] = &[
        Some("(3.0, 4.0)"),
        Some("(1.0, 1.0)"),
        Some("(1.0, 2.0)"),
        Some("(2.0, 3.0)"),
        Some("(1.0, 2.0)"),
        Some("(1.0, 2.0)"),
        Some("(0.2, 0.4)"),
        Some("(40.71, -74.0)"),
        Some("(0.0, 0.0)"),
        Some("(0.0, -0.0)"),
        Some("(50.0, -100.0)"),
    ];

    fn run(class: &str, args: serde_json::Value, cols: &[&[Option<&str>]]) -> ArrayRef {
        let inputs: Vec<ArrayRef> = cols
            .iter()
            .map(|c| Arc::new(StringArray::from(c.to_vec())) as ArrayRef)
            .collect();
        transform(&prim_with(class, args), &inputs, &[]).unwrap()
    }

    fn check_floats(
        class: &str,
        args: serde_json::Value,
        cols: &[&[Option<&str>]],
        expected: &[Option<f64>],
    ) {
        let out = run(class, args, cols);
        let got: Vec<Option<f64>> = out.as_primitive::<Float64Type>().iter().collect();
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(expected) {
            match (g, e) {
                (Some(g), Some(e)) => assert!(
                    (g - e).abs() <= 1e-12 * e.abs()
                        && g.is_sign_negative() == e.is_sign_negative(),
                    "{class}: {got:?} vs {expected:?}"
                ),
                _ => assert_eq!(g, e, "{class}: {got:?}"),
            }
        }
    }

    fn check_texts(
        class: &str,
        args: serde_json::Value,
        cols: &[&[Option<&str>]],
        expected: &[Option<&str>],
    ) {
        let out = run(class, args, cols);
        let got: Vec<Option<&str>> = out.as_string::<i32>().iter().collect();
        assert_eq!(got, expected, "{class}");
    }

    fn check_bools(
        class: &str,
        args: serde_json::Value,
        cols: &[&[Option<&str>]],
        expected: &[Option<bool>],
    ) {
        let out = run(class, args, cols);
        let got: Vec<Option<bool>> = out.as_boolean().iter().collect();
        assert_eq!(got, expected, "{class}");
    }

    #[test]
    fn latlong_primitives_equal_featuretools() {
        // CityblockDistance(unit='miles').get_function()(A, B)
        check_floats(
            "CityblockDistance",
            json!({"unit": "miles"}),
            &[A, B],
            &[
                Some(241.77960846496413),
                None,
                None,
                Some(7550.893124317379),
                None,
                Some(5676.503016150464),
                Some(20.728004648584253),
                Some(12068.158243496557),
                Some(0.0),
                Some(0.0),
                Some(1441.7048459146738),
            ],
        );
        // CityblockDistance(unit='kilometers').get_function()(A, B)
        check_floats(
            "CityblockDistance",
            json!({"unit": "kilometers"}),
            &[A, B],
            &[
                Some(389.10656552867704),
                None,
                None,
                Some(12151.984648047739),
                None,
                Some(9135.446148046647),
                Some(33.35849019807564),
                Some(19421.818226097417),
                Some(0.0),
                Some(0.0),
                Some(2320.1990633598016),
            ],
        );
        // [str((float(a), float(b))) for a, b in GeoMidpoint().get_function()(A, B)]
        check_texts(
            "GeoMidpoint",
            json!({}),
            &[A, B],
            &[
                Some("(2.25, 3.0)"),
                Some("(nan, nan)"),
                Some("(nan, nan)"),
                Some("(21.625, -46.75)"),
                Some("(nan, 2.5)"),
                Some("(0.500005, 5000000000000001.0)"),
                Some("(0.15000000000000002, 0.30000000000000004)"),
                Some("(3.4200000000000017, 38.605000000000004)"),
                Some("(0.0, 0.0)"),
                Some("(0.0, 0.0)"),
                Some("(40.0, -99.5)"),
            ],
        );
        // IsInGeoBox(**{}).get_function()(A)
        check_bools(
            "IsInGeoBox",
            json!({}),
            &[A],
            &[
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(true),
                Some(true),
                Some(false),
            ],
        );
        // IsInGeoBox(**{'point1': (1, 2.5), 'point2': (50, -100)}).get_function()(A)
        check_bools(
            "IsInGeoBox",
            json!({"point1": [1, 2.5], "point2": [50, -100]}),
            &[A],
            &[
                Some(true),
                Some(false),
                Some(false),
                Some(true),
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(true),
            ],
        );
        // Latitude().get_function()(A)
        check_floats(
            "Latitude",
            json!({}),
            &[A],
            &[
                Some(1.5),
                None,
                None,
                Some(41.25),
                None,
                Some(1e-05),
                Some(0.1),
                Some(-33.87),
                Some(0.0),
                Some(-0.0),
                Some(30.0),
            ],
        );
        // Longitude().get_function()(A)
        check_floats(
            "Longitude",
            json!({}),
            &[A],
            &[
                Some(2.0),
                None,
                None,
                Some(-96.5),
                Some(3.0),
                Some(1e+16),
                Some(0.2),
                Some(151.21),
                Some(0.0),
                Some(0.0),
                Some(-99.0),
            ],
        );
    }

    #[test]
    fn floats_are_written_as_python_repr_writes_them() {
        // Each: a value and Python 3.11's repr() of it.
        for (v, r) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (2.25, "2.25"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (5000000000000001.0, "5000000000000001.0"),
            (123456789.125, "123456789.125"),
            (-1.5e-7, "-1.5e-07"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(py_repr(v), r);
        }
    }

    #[test]
    fn geobox_corners_are_lists_of_two_numbers() {
        let e = crate::primitives::Primitive::featuretools("IsInGeoBox", json!({"point1": [1]}))
            .unwrap_err();
        assert!(e.contains("'point1'"), "{e}");
        let e = crate::primitives::Primitive::featuretools(
            "CityblockDistance",
            json!({"unit": "feet"}),
        )
        .unwrap_err();
        assert!(e.contains("'unit'"), "{e}");
    }
}

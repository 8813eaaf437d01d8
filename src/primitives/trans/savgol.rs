//! SAVGOL_FILTER over the rows fetched at a cutoff ([`Transform::reads_frame`])
//! (`featuretools/primitives/standard/transform/savgol_filter.py`): fewer than 20 values come
//! back unchanged; else `scipy.signal.savgol_filter` with featuretools' default window
//! (`floor(len / 10) * 2 + 1`, polyorder 3): the least-squares coefficients of
//! `savgol_coeffs`, `scipy.ndimage.convolve1d` in its summation order and border modes, and in
//! mode 'interp' the polynomial fitted to the first and last `window_length` values for the
//! `window_length // 2` values at each end.
//!
//! The coefficients and edge fits are the same least squares as scipy's LAPACK `gelsd`, solved
//! by a QR factorization of a centred and scaled basis: equal to about 1e-15 relative for
//! small windows; scipy's own rounding error grows with the window (its Vandermonde columns of
//! powers of 0..window_length are nearly collinear), and so may the difference.

use std::sync::Arc;

use arrow_array::ArrayRef;

use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{float_out, to_f64, Implementation};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Interp,
    Mirror,
    Constant,
    Nearest,
    Wrap,
}

#[derive(Debug, Clone, PartialEq)]
struct Savgol {
    /// `(window_length, polyorder)`, None for featuretools' default by length.
    window: Option<(usize, usize)>,
    deriv: usize,
    delta: f64,
    mode: Mode,
    cval: f64,
}

fn make(a: &Args) -> Result<Implementation, String> {
    let window = a.opt_int("window_length")?;
    let polyorder = a.opt_int("polyorder")?;
    let window = match (window, polyorder) {
        (None, None) => None,
        (Some(w), Some(p)) => {
            if w < 1 {
                return Err(a.error(
                    "window_length",
                    format!("is {w}; scipy needs a positive window"),
                ));
            }
            if p < 0 {
                return Err(a.error("polyorder", format!("is {p}; it must be 0 or more")));
            }
            if p >= w {
                return Err(a.error(
                    "polyorder",
                    format!("is {p}; scipy: polyorder must be less than window_length ({w})"),
                ));
            }
            Some((w as usize, p as usize))
        }
        (Some(_), None) => {
            return Err(a.error(
                "polyorder",
                "is not given; featuretools: Both window_length and polyorder must be defined \
                 if you define one",
            ))
        }
        (None, Some(_)) => {
            return Err(a.error(
                "window_length",
                "is not given; featuretools: Both window_length and polyorder must be defined \
                 if you define one",
            ))
        }
    };
    let deriv = a.int("deriv", 0)?;
    if deriv < 0 {
        return Err(a.error("deriv", format!("is {deriv}; it must be 0 or more")));
    }
    let delta = a.num("delta", 1.0)?;
    if deriv > 0 && delta == 0.0 {
        return Err(a.error(
            "delta",
            "is 0 with a derivative; scipy divides by delta ** deriv",
        ));
    }
    let mode = match a
        .choice(
            "mode",
            "interp",
            &["interp", "mirror", "constant", "nearest", "wrap"],
        )?
        .as_str()
    {
        "interp" => Mode::Interp,
        "mirror" => Mode::Mirror,
        "constant" => Mode::Constant,
        "nearest" => Mode::Nearest,
        _ => Mode::Wrap,
    };
    Ok(Implementation::Transform(Arc::new(Savgol {
        window,
        deriv: deriv as usize,
        delta,
        mode,
        cval: a.num("cval", 0.0)?,
    })))
}

pub(crate) const ENTRIES: &[Entry] = &[Entry {
    class: "SavgolFilter",
    make,
}];

impl Transform for Savgol {
    fn reads_frame(&self) -> bool {
        true
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let x = to_f64(inputs.first().ok_or("SAVGOL_FILTER without input")?)?;
        let n = x.len();
        // `if x.shape[0] < 20: return x`.
        if n < 20 {
            return Ok(float_out(x));
        }
        // `np.isnan(np.min(x))` (Series.min skips NaN): all missing, then np.interp of no
        // points raises.
        if x.iter().all(|v| v.is_nan()) {
            return Err(
                "SAVGOL_FILTER: every value is missing; featuretools' np.interp raises \
                        (array of sample points is empty)"
                    .into(),
            );
        }
        let (w, p) = self.window.unwrap_or((n / 10 * 2 + 1, 3));
        let coeffs = savgol_coeffs(w, p, self.deriv, self.delta);
        let y = match self.mode {
            Mode::Interp => {
                if w > n {
                    return Err(format!(
                        "SAVGOL_FILTER: scipy: If mode is 'interp', window_length ({w}) must be \
                         less than or equal to the size of x ({n})"
                    ));
                }
                if x[..w].iter().chain(&x[n - w..]).any(|v| !v.is_finite()) {
                    return Err("SAVGOL_FILTER: a missing or infinite value within \
                                window_length of an end; scipy's edge fit raises (array must \
                                not contain infs or NaNs)"
                        .into());
                }
                let mut y = convolve1d(&x, &coeffs, Mode::Constant, 0.0);
                let half = w / 2;
                fit_edge(&x[..w], 0..half, p, self.deriv, self.delta, &mut y[..half]);
                fit_edge(
                    &x[n - w..],
                    w - half..w,
                    p,
                    self.deriv,
                    self.delta,
                    &mut y[n - half..],
                );
                y
            }
            mode => convolve1d(&x, &coeffs, mode, self.cval),
        };
        Ok(float_out(y))
    }
}

/// A QR factorization of the columns `cols` (each of length `rows`), by modified Gram-Schmidt
/// done twice: the orthonormal columns and the upper triangle.
fn qr(cols: Vec<Vec<f64>>) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let m = cols.len();
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(m);
    let mut r = vec![vec![0.0; m]; m];
    for (k, mut v) in cols.into_iter().enumerate() {
        for _ in 0..2 {
            for (i, qi) in q.iter().enumerate() {
                let d: f64 = qi.iter().zip(&v).map(|(a, b)| a * b).sum();
                for (vj, qj) in v.iter_mut().zip(qi) {
                    *vj -= d * qj;
                }
                r[i][k] += d;
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        r[k][k] = norm;
        q.push(v.into_iter().map(|a| a / norm).collect());
    }
    (q, r)
}

/// `scipy.signal.savgol_coeffs(window_length, polyorder, deriv, delta)` (use='conv'): the
/// minimum-norm solution of `A c = y`, `A[k][j] = x_j ** k` over the positions
/// `x = (window_length - 1 - pos) - j` about the centre `pos`, `y = deriv! / delta ** deriv` at
/// `deriv`.
fn savgol_coeffs(w: usize, p: usize, deriv: usize, delta: f64) -> Vec<f64> {
    if deriv > p {
        return vec![0.0; w];
    }
    let pos = if w.is_multiple_of(2) {
        (w / 2) as f64 - 0.5
    } else {
        (w / 2) as f64
    };
    let xs: Vec<f64> = (0..w).map(|j| (w - 1) as f64 - pos - j as f64).collect();
    let s = xs.iter().fold(0.0f64, |a, b| a.max(b.abs())).max(1.0);
    let u: Vec<f64> = xs.iter().map(|x| x / s).collect();
    let cols: Vec<Vec<f64>> = (0..=p)
        .map(|k| u.iter().map(|x| x.powi(k as i32)).collect())
        .collect();
    let (q, r) = qr(cols);
    // y' = y / s ** deriv (the basis is scaled by s ** k); solve R^T z = y'.
    let fact: f64 = (1..=deriv).map(|k| k as f64).product();
    let mut yv = vec![0.0; p + 1];
    yv[deriv] = fact / delta.powi(deriv as i32) / s.powi(deriv as i32);
    let mut z = vec![0.0; p + 1];
    for k in 0..=p {
        let acc: f64 = (0..k).map(|i| r[i][k] * z[i]).sum();
        z[k] = (yv[k] - acc) / r[k][k];
    }
    (0..w)
        .map(|j| (0..=p).map(|k| z[k] * q[k][j]).sum())
        .collect()
}

/// Value `k` of a line under scipy.ndimage's border `mode` (`NI_ExtendLine`).
fn extended(x: &[f64], k: i64, mode: Mode, cval: f64) -> f64 {
    let n = x.len() as i64;
    if (0..n).contains(&k) {
        return x[k as usize];
    }
    match mode {
        Mode::Constant | Mode::Interp => cval,
        Mode::Nearest => x[k.clamp(0, n - 1) as usize],
        Mode::Wrap => x[k.rem_euclid(n) as usize],
        Mode::Mirror => {
            if n == 1 {
                return x[0];
            }
            let period = 2 * (n - 1);
            let m = k.rem_euclid(period);
            x[(if m < n { m } else { period - m }) as usize]
        }
    }
}

/// `scipy.ndimage.convolve1d(x, weights, mode, cval)`: `correlate1d` with the weights
/// reversed (origin -1 for an even length), in `NI_Correlate1D`'s order of sums (pairs from
/// the outside in for a symmetric or antisymmetric odd filter).
fn convolve1d(x: &[f64], weights: &[f64], mode: Mode, cval: f64) -> Vec<f64> {
    let fw: Vec<f64> = weights.iter().rev().copied().collect();
    let size = fw.len();
    let origin: i64 = if size.is_multiple_of(2) { -1 } else { 0 };
    let size1 = (size / 2) as i64;
    let size2 = size as i64 - size1 - 1;
    let c = size1 as usize;
    let mut symmetric = 0;
    if !size.is_multiple_of(2) {
        symmetric = 1;
        for i in 1..=c {
            if (fw[c + i] - fw[c - i]).abs() > f64::EPSILON {
                symmetric = 0;
                break;
            }
        }
        if symmetric == 0 {
            symmetric = -1;
            for i in 1..=c {
                if (fw[c + i] + fw[c - i]).abs() > f64::EPSILON {
                    symmetric = 0;
                    break;
                }
            }
        }
    }
    let f = |jj: i64| fw[(size1 + jj) as usize];
    (0..x.len() as i64)
        .map(|ll| {
            let at = |jj: i64| extended(x, ll - origin + jj, mode, cval);
            if symmetric > 0 {
                let mut o = at(0) * f(0);
                for jj in -size1..0 {
                    o += (at(jj) + at(-jj)) * f(jj);
                }
                o
            } else if symmetric < 0 {
                let mut o = at(0) * f(0);
                for jj in -size1..0 {
                    o += (at(jj) - at(-jj)) * f(jj);
                }
                o
            } else {
                let mut o = at(size2) * f(size2);
                for jj in -size1..size2 {
                    o += at(jj) * f(jj);
                }
                o
            }
        })
        .collect()
}

/// scipy's `_fit_edge`: the polynomial of degree `p` fitted to `x` at 0, 1, ..., its
/// derivative `deriv` at the positions `at`, over `delta ** deriv`.
fn fit_edge(
    x: &[f64],
    at: std::ops::Range<usize>,
    p: usize,
    deriv: usize,
    delta: f64,
    out: &mut [f64],
) {
    if deriv > p {
        out.fill(0.0);
        return;
    }
    let w = x.len();
    let centre = (w - 1) as f64 / 2.0;
    let s = centre.max(1.0);
    let u: Vec<f64> = (0..w).map(|j| (j as f64 - centre) / s).collect();
    let cols: Vec<Vec<f64>> = (0..=p)
        .map(|k| u.iter().map(|t| t.powi(k as i32)).collect())
        .collect();
    let (q, r) = qr(cols);
    // b = R^-1 Q^T x, the coefficients of the powers of u.
    let qtx: Vec<f64> = q
        .iter()
        .map(|qk| qk.iter().zip(x).map(|(a, b)| a * b).sum())
        .collect();
    let mut b = vec![0.0; p + 1];
    for k in (0..=p).rev() {
        let acc: f64 = (k + 1..=p).map(|i| r[k][i] * b[i]).sum();
        b[k] = (qtx[k] - acc) / r[k][k];
    }
    let scale = s.powi(deriv as i32) * delta.powi(deriv as i32);
    for (o, i) in out.iter_mut().zip(at) {
        let t = (i as f64 - centre) / s;
        let v: f64 = (deriv..=p)
            .map(|k| {
                let falling: f64 = ((k - deriv + 1)..=k).map(|m| m as f64).product();
                b[k] * falling * t.powi((k - deriv) as i32)
            })
            .sum();
        *o = v / scale;
    }
}

#[cfg(test)]
// The tables of featuretools' output: long float literals, tuples of slices.
#[allow(
    clippy::approx_constant,
    clippy::type_complexity,
    clippy::excessive_precision
)]
mod tests {
    use crate::primitives::test_util::prim_with;
    use crate::primitives::test_util::transform;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{Array, ArrayRef, Float64Array};
    use std::sync::Arc;

    include!("savgol_cases.rs");

    #[test]
    fn savgol_matches_featuretools() {
        let mut worst = 0.0f64;
        for (args, values, want) in CASES {
            let what = format!("SavgolFilter({args}) on {values}");
            let args: serde_json::Value = serde_json::from_str(args).unwrap();
            let v = VALUES.iter().find(|(n, _)| n == values).unwrap().1;
            let scale = v
                .iter()
                .filter(|x| x.is_finite())
                .fold(0.0f64, |a, b| a.max(b.abs()));
            let v: ArrayRef = Arc::new(
                v.iter()
                    .map(|x| (!x.is_nan()).then_some(*x))
                    .collect::<Float64Array>(),
            );
            let got = transform(&prim_with("SavgolFilter", args.clone()), &[v], &[]);
            let Some(want) = want else {
                assert!(got.is_err(), "{what}: featuretools raises, got {got:?}");
                continue;
            };
            let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
            let f = got.as_primitive::<Float64Type>();
            assert_eq!(f.len(), want.len(), "{what}");
            for (i, w) in want.iter().enumerate() {
                let g = f.is_valid(i).then(|| f.value(i));
                match (g, w) {
                    (None, None) => {}
                    // An infinite value times the centre coefficient of an odd derivative,
                    // 0 in exact arithmetic and rounding noise of either sign in scipy's.
                    (Some(g), Some(w))
                        if *values == "mid_inf40"
                            && g.is_infinite()
                            && w.is_infinite()
                            && args["deriv"].as_i64().is_some_and(|d| d % 2 == 1) => {}
                    (Some(g), Some(w)) if g == *w => {}
                    (Some(g), Some(w)) => {
                        // Relative to the value, or to the data near a zero result.
                        let err = (g - w).abs() / w.abs().max(scale * 1e-3);
                        worst = worst.max(err);
                        assert!(err < 1e-9, "{what} [{i}]: got {g}, featuretools {w}");
                    }
                    _ => panic!("{what} [{i}]: got {g:?}, featuretools {w:?}"),
                }
            }
        }
        eprintln!("worst relative difference {worst:e}");
    }

    #[test]
    fn arguments_featuretools_and_scipy_refuse() {
        use crate::primitives::Primitive;
        use serde_json::json;
        for (args, what) in [
            (json!({"window_length": 5}), "polyorder"),
            (json!({"polyorder": 2}), "window_length"),
            (json!({"window_length": 3, "polyorder": 3}), "polyorder"),
            (
                json!({"window_length": 5, "polyorder": 2, "mode": "reflect"}),
                "mode",
            ),
            (
                json!({"window_length": 5, "polyorder": 2, "deriv": 1, "delta": 0}),
                "delta",
            ),
        ] {
            let e = Primitive::featuretools("SavgolFilter", args.clone()).unwrap_err();
            assert!(e.contains(what), "{args}: {e}");
        }
    }
}

//! Kernel tests (portable against AVX-512, approximations against libm, coder against the
//! encoding) and the ignored kernel timing.

use super::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_and_exp_approximations() {
        for i in -4000..=4000 {
            let x = i as f32 * 1.5e-3;
            assert!((erf_f32(x) - libm::erff(x)).abs() < 6e-7, "erf({x})");
            assert!((erf_f32(x * 4.0) - libm::erff(x * 4.0)).abs() < 6e-7, "erf({})", x * 4.0);
            let y = i as f32 * 0.02; // [-80, 80]
            assert!((exp_f32(y) / y.exp() - 1.0).abs() < 3e-7, "exp({y})");
        }
        assert!((erf_f32(10.0) - 1.0).abs() < 2e-7);
        assert!(exp_f32(-200.0) < 1e-37);
    }

    /// The AVX-512 attention kernel (where the CPU has it) equals the portable one bit for bit,
    /// for per-sample and shared queries and for a shape it does not cover (head width 4).
    #[test]
    fn attention_kernels_agree() {
        let wave = |n: usize, a: f32| -> Vec<f32> { (0..n).map(|i| (i as f32 * a).sin() * 3.0).collect() };
        for (t, heads, d) in [(7, 4, 32), (3, 2, 16), (12, 4, 32), (7, 8, 32)] {
            let b = 32;
            let bt = b * t;
            let (q, k, v) = (wave(bt * d, 0.37), wave(bt * d, 0.91), wave(bt * d, 1.3));
            let cases: [(Queries<'_>, usize, usize); 2] =
                [(Queries::PerSample { q: &q, ld: bt }, t, bt), (Queries::Shared(&q[..d]), 1, b)];
            for (qs, tq, ld_out) in cases {
                let a = AttentionIn { q: qs, tq, k: &k, v: &v, ld_kv: bt, tk: t, b, d, heads };
                let (mut fast, mut slow) = (vec![0.0f32; ld_out * d], vec![0.0f32; ld_out * d]);
                attention(&a, &mut fast, ld_out);
                attention_portable(&a, &mut slow, ld_out);
                assert!(slow.iter().all(|x| x.is_finite()) && slow.iter().any(|x| *x != 0.0));
                assert_eq!(fast, slow, "t {t} heads {heads} d {d} tq {tq}");
                // a NaN or infinite key poisons its samples in both kernels (never a made-up value)
                for bad in [f32::NAN, f32::INFINITY] {
                    let mut kb = k.clone();
                    kb[3] = bad; // column 0, token 0, sample 3
                    let (mut fast, mut slow) = (vec![0.0f32; ld_out * d], vec![0.0f32; ld_out * d]);
                    let a = AttentionIn { k: &kb, ..a };
                    attention(&a, &mut fast, ld_out);
                    attention_portable(&a, &mut slow, ld_out);
                    for (i, (f, s)) in fast.iter().zip(&slow).enumerate() {
                        assert_eq!(f.is_nan(), s.is_nan(), "{bad} at output {i}");
                        assert!(s.is_nan() || f == s, "{bad} at output {i}: {f} vs {s}");
                    }
                    assert!(slow[3].is_nan(), "sample 3, head 0 gets NaN from a {bad} key");
                }
                // and against a plain softmax(q kᵀ/√dk) v for one sample, query and head
                let dk = d / heads;
                let (s, i, h) = (5, tq - 1, heads - 1);
                let qv = |c: usize| match qs {
                    Queries::PerSample { q, ld } => q[c * ld + i * b + s],
                    Queries::Shared(q) => q[c],
                };
                let sc: Vec<f64> = (0..t)
                    .map(|j| {
                        (0..dk)
                            .map(|cc| {
                                let c = h * dk + cc;
                                f64::from(qv(c)) * f64::from(k[c * bt + j * b + s])
                            })
                            .sum::<f64>()
                            / (dk as f64).sqrt()
                    })
                    .collect();
                let mx = sc.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = sc.iter().map(|x| (x - mx).exp()).sum();
                for cc in 0..dk {
                    let c = h * dk + cc;
                    let want: f64 = (0..t).map(|j| (sc[j] - mx).exp() / z * f64::from(v[c * bt + j * b + s])).sum();
                    let got = f64::from(slow[c * ld_out + i * b + s]);
                    assert!((got - want).abs() < 1e-5 * (1.0 + want.abs()), "c {c}: {got} vs {want}");
                }
            }
        }
    }

    /// GELU, LayerNorm and the look-up embedding: the dispatched kernels (AVX-512 where the CPU
    /// has it) agree with the portable ones — the embedding exactly, GELU and LayerNorm to f32
    /// round-off (reciprocal refinement, reduction order).
    #[test]
    fn elementwise_kernels_agree() {
        let wave =
            |n: usize, a: f32, amp: f32| -> Vec<f32> { (0..n).map(|i| (i as f32 * a).sin() * amp + 0.1).collect() };
        for n in [0, 5, 16, 37, 448 * 64] {
            let x = wave(n, 0.013, 6.0);
            let (mut fast, mut slow) = (x.clone(), x.clone());
            gelu(&mut fast);
            gelu_portable(&mut slow);
            for ((f, s), x) in fast.iter().zip(&slow).zip(&x) {
                assert!((f - s).abs() <= 2e-7 * (1.0 + x.abs()), "gelu({x}): {f} vs {s}");
            }
        }
        for d in [16, 32, 24, 64] {
            let norm = Norm { gamma: wave(d, 0.7, 1.0), beta: wave(d, 0.3, 0.5) };
            let x = wave(d * 50, 0.29, 4.0);
            let (mut fast, mut slow) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            norm.apply(&x, &mut fast);
            norm.apply_portable(&x, &mut slow);
            for (f, s) in fast.iter().zip(&slow) {
                assert!((f - s).abs() <= 2e-6 * (1.0 + s.abs()), "layer norm d {d}: {f} vs {s}");
            }
        }
        for d in [32, 8] {
            // three tokens of 5, 1 and 6 features, 3 table rows each
            let token = [0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2];
            let nc = token.len();
            let tb = PleTables {
                token: token.to_vec(),
                pw: Aligned::from_slice(&wave(3 * nc * 2 * d, 0.17, 1.0)),
                n_rows: 3 * nc,
                bias: Vec::new(),
                tiles: PleTables::tiles(&token),
            };
            assert_eq!(tb.tiles, [(0, 0, 4), (0, 4, 5), (1, 5, 6), (2, 6, 10), (2, 10, 12)]);
            let b = 32;
            let row: Vec<u32> = (0..nc * b).map(|i| (3 * (i / b) + i * 7 % 3) as u32).collect();
            let frac = wave(nc * b, 0.53, 0.5);
            let h0 = wave(3 * b * d, 0.05, 1.0);
            let (mut fast, mut slow) = (h0.clone(), h0.clone());
            tb.embed(&row, &frac, b, d, &mut fast);
            tb.embed_portable(&row, &frac, b, d, &mut slow);
            assert_eq!(fast, slow, "d {d}");
            // one entry by hand: token 2, sample 9, column 3
            let (k, s, col) = (2, 9, 3);
            let want = (6..12).fold(h0[(k * b + s) * d + col], |acc, c| {
                let r = row[c * b + s] as usize * 2 * d;
                acc + tb.pw[r + d + col].mul_add(frac[c * b + s], tb.pw[r + col])
            });
            assert_eq!(slow[(k * b + s) * d + col], want);
        }
    }

    /// The flat coder gives exactly [`PiecewiseLinear::code`]'s (bin, fraction), and its table
    /// rows are each column's first row plus the bin, in the layout's order.
    #[test]
    fn flat_coder_matches_the_encoding() {
        use crate::dnn::tokens::{Scale, TokenGroup};
        // columns: 9 distinct values (8 bins), binary, constant, all NaN, two bins
        let vals: Vec<[f64; 5]> = (0..40)
            .map(|i| [f64::from(i) * 0.25, f64::from(i % 2), 3.0, f64::NAN, if i < 20 { 0.0 } else { f64::from(i) }])
            .collect();
        let x = Matrix::new(40, 5, vals.iter().flatten().copied().collect()).unwrap();
        let ple = PiecewiseLinear::fit(&x, &(0..40).collect::<Vec<_>>(), 8);
        let group =
            |name: &str, columns: Vec<usize>| TokenGroup { name: name.into(), scale: Scale::Atomistic, columns };
        let layout = TokenLayout { groups: vec![group("a", vec![3, 0]), group("b", vec![4, 2, 1])], n_features: 5 };
        let coder = PleCoder::new(&ple, &layout);
        let mut probes = vec![f64::NAN, f64::NEG_INFINITY, -1e300, 1e300, -0.0];
        for e in ple.edges.iter().flatten() {
            probes.extend([*e, e - 1e-9, e + 1e-9, e * (1.0 - 1e-16), e + 0.1]);
        }
        let mut base = 0;
        for (c, &j) in layout.order().iter().enumerate() {
            assert_eq!(coder.base[c] as usize, base, "column {j}");
            base += ple.width(j) + 1;
            for &v in &probes {
                let (a, b) = (coder.code(c, v), ple.code(j, v));
                assert!(a.0 == b.0 && a.1.to_bits() == b.1.to_bits(), "column {j}, value {v}: {a:?} vs {b:?}");
            }
        }
        assert_eq!(coder.table_rows, base);
    }

    #[test]
    fn dense_apply_matches_naive_product() {
        for (n_in, n_out, rows, xs, ys) in
            [(5, 3, 9, 5, 3), (5, 3, 9, 5, 4), (5, 3, 9, 7, 3), (5, 3, 9, 7, 4), (32, 96, 300, 32, 96)]
        {
            eprintln!("case {n_in} {n_out} {rows} {xs} {ys}");
            check_dense(n_in, n_out, rows, xs, ys);
        }
    }

    fn check_dense(n_in: usize, n_out: usize, rows: usize, xs: usize, ys: usize) {
        let w: Vec<f32> = (0..n_in * n_out).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..n_out).map(|i| i as f32 - 1.0).collect();
        let dense = Dense { w: w.clone(), b: b.clone(), n_in, n_out };
        let x: Vec<f32> = (0..rows * xs).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut y = vec![0.5f32; rows * ys];
        dense.apply(&x, xs, rows, &mut y, ys, true);
        for r in 0..rows {
            for o in 0..n_out {
                let want = 0.5 + b[o] + (0..n_in).map(|i| x[r * xs + i] * w[i * n_out + o]).sum::<f32>();
                assert!((y[r * ys + o] - want).abs() < 1e-5, "row {r} col {o}: {} vs {want}", y[r * ys + o]);
            }
            if ys > n_out {
                assert_eq!(y[r * ys + n_out], 0.5, "column past n_out untouched");
            }
        }
    }
}

#[cfg(test)]
mod bench_kernels {
    use super::*;

    /// Time per (feature, sample) of the look-up embedding (`--ignored --nocapture`).
    #[test]
    #[ignore]
    fn embed_kernel_speed() {
        let (nc, d, b, rows) = (216usize, 32usize, 64usize, 9usize);
        let token: Vec<usize> = (0..nc).map(|c| c * 7 / nc).collect();
        let wave = |n: usize, a: f32| -> Vec<f32> { (0..n).map(|i| (i as f32 * a).sin()).collect() };
        let tb = PleTables {
            token: token.clone(),
            pw: Aligned::from_slice(&wave(rows * nc * 2 * d, 0.17)),
            n_rows: rows * nc,
            bias: Vec::new(),
            tiles: PleTables::tiles(&token),
        };
        let row: Vec<u32> = (0..nc * b).map(|i| (rows * (i / b) + (i * 7919) % rows) as u32).collect();
        let frac = wave(nc * b, 0.53);
        let mut h = Aligned::zeros(7 * b * d);
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let reps = 20_000;
            for _ in 0..reps {
                tb.embed(&row, &frac, b, d, &mut h);
            }
            let dt = t.elapsed().as_secs_f64();
            eprintln!("embed: {:.2} ns per (feature, sample), h[0] {}", dt / (reps * nc * b) as f64 * 1e9, h[0]);
        }
    }
}

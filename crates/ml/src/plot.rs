//! SVG plots of surrogate quality, drawn with `plotters`:
//! - [`parity_svg`]: predicted vs true (one point per row, optional ±1σ bars), the y = x line,
//!   MAE / R² / ±1σ coverage in the caption;
//! - [`curves_svg`]: error curves on one chart (learning curves: error vs training-set size;
//!   active learning: error vs number of labels, one curve per acquisition), optional log axis.
//!
//! Files are written atomically (`.partial` then rename).

use crate::error::{MlError, Result};
use crate::eval::{coverage, mae, r2};
use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One named curve: y(x) with optional ± error.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Curve {
    pub name: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    #[serde(default)]
    pub y_err: Option<Vec<f64>>,
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn range(v: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    let (lo, hi) = v
        .filter(|x| x.is_finite() && (!log || *x > 0.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !lo.is_finite() {
        return if log { (0.1, 1.0) } else { (0.0, 1.0) };
    }
    if log {
        return (lo / 1.25, hi * 1.25);
    }
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 0.5 * lo.abs().max(1.0) };
    (lo - pad, hi + pad)
}

fn svg_path(path: &Path) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => Ok(()),
        other => Err(MlError::param("plot file", format!("{other:?}"), "plots are written as .svg")),
    }
}

fn write_atomic(path: &Path, svg: String) -> Result<()> {
    let tmp = path.with_extension("svg.partial");
    let io = |e| MlError::Io { path: path.display().to_string(), source: e };
    std::fs::write(&tmp, svg).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

fn plot_err(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> MlError + '_ {
    move |e| MlError::param("plot", path.display(), &e.to_string())
}

/// Parity plot of predictions `mu` (± `std`) against targets `y` (same length, non-finite pairs
/// skipped) to the SVG file `path`; `unit` labels both axes.
pub fn parity_svg(y: &[f64], mu: &[f64], std: Option<&[f64]>, path: &Path, title: &str, unit: &str) -> Result<()> {
    svg_path(path)?;
    if y.len() != mu.len() || std.is_some_and(|s| s.len() != y.len()) {
        return Err(MlError::ShapeMismatch { what: "parity plot".into(), expected: format!("{} values", y.len()), got: format!("{} predictions", mu.len()) });
    }
    let keep: Vec<usize> = (0..y.len()).filter(|&i| y[i].is_finite() && mu[i].is_finite()).collect();
    if keep.is_empty() {
        return Err(MlError::NotEnoughData { what: "parity plot (finite pairs)".into(), needed: 1, have: 0 });
    }
    let yk: Vec<f64> = keep.iter().map(|&i| y[i]).collect();
    let mk: Vec<f64> = keep.iter().map(|&i| mu[i]).collect();
    let mut caption = format!("n = {}, MAE = {:.4} {unit}, R² = {:.3}", yk.len(), mae(&yk, &mk), r2(&yk, &mk));
    if let Some(s) = std {
        let sk: Vec<f64> = keep.iter().map(|&i| s[i]).collect();
        if sk.iter().all(|v| v.is_finite()) {
            caption.push_str(&format!(", ±1σ coverage = {:.3}", coverage(&yk, &mk, &sk, 1.0)));
        }
    }
    let (lo, hi) = range(yk.iter().chain(&mk).copied(), false);
    let err = plot_err(path);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 640)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let root = root.titled(title, ("sans-serif", 20)).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&caption, ("sans-serif", 14))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, lo..hi)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc(format!("true [{unit}]"))
            .y_desc(format!("predicted [{unit}]"))
            .draw()
            .map_err(|e| err(&e))?;
        chart.draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.6))).map_err(|e| err(&e))?;
        if let Some(s) = std {
            chart
                .draw_series(keep.iter().filter(|&&i| s[i].is_finite()).map(|&i| {
                    ErrorBar::new_vertical(y[i], mu[i] - s[i], mu[i], mu[i] + s[i], PALETTE[0].mix(0.25), 0)
                }))
                .map_err(|e| err(&e))?;
        }
        chart
            .draw_series(yk.iter().zip(&mk).map(|(&a, &b)| Circle::new((a, b), 2, PALETTE[0].mix(0.6).filled())))
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    write_atomic(path, svg)
}

/// Several curves on one chart (legend from their names) to the SVG file `path`.
pub fn curves_svg(curves: &[Curve], path: &Path, title: &str, x_label: &str, y_label: &str, log_y: bool) -> Result<()> {
    svg_path(path)?;
    if curves.is_empty() || curves.iter().any(|c| c.x.len() != c.y.len() || c.x.is_empty()) {
        return Err(MlError::param("curves", curves.len(), "need at least one curve, each with equal, non-empty x and y"));
    }
    let err = plot_err(path);
    let (x0, x1) = range(curves.iter().flat_map(|c| c.x.iter().copied()), false);
    let ys = curves.iter().flat_map(|c| {
        let e = c.y_err.clone().unwrap_or_else(|| vec![0.0; c.y.len()]);
        c.y.iter().zip(e).flat_map(|(y, e)| [y - e, y + e]).collect::<Vec<_>>()
    });
    let (y0, y1) = range(ys, log_y);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let root = root.titled(title, ("sans-serif", 20)).map_err(|e| err(&e))?;
        macro_rules! draw {
            ($chart:expr) => {{
                let mut chart = $chart;
                chart.configure_mesh().x_desc(x_label).y_desc(y_label).draw().map_err(|e| err(&e))?;
                for (k, c) in curves.iter().enumerate() {
                    let col = PALETTE[k % PALETTE.len()];
                    let pts: Vec<(f64, f64)> =
                        c.x.iter().copied().zip(c.y.iter().copied()).filter(|(_, y)| y.is_finite() && (!log_y || *y > 0.0)).collect();
                    chart
                        .draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))
                        .map_err(|e| err(&e))?
                        .label(c.name.clone())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2)));
                    chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, col.filled()))).map_err(|e| err(&e))?;
                    if let Some(e) = &c.y_err {
                        chart
                            .draw_series(c.x.iter().zip(&c.y).zip(e).filter(|((_, y), e)| y.is_finite() && e.is_finite() && (!log_y || **y - **e > 0.0)).map(
                                |((&x, &y), &e)| ErrorBar::new_vertical(x, y - e, y, y + e, col, 6),
                            ))
                            .map_err(|e| err(&e))?;
                    }
                }
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .draw()
                    .map_err(|e| err(&e))?;
            }};
        }
        let builder = |area| {
            let mut b = ChartBuilder::on(area);
            b.margin(12).x_label_area_size(40).y_label_area_size(64);
            b
        };
        if log_y {
            draw!(builder(&root).build_cartesian_2d(x0..x1, (y0..y1).log_scale()).map_err(|e| err(&e))?);
        } else {
            draw!(builder(&root).build_cartesian_2d(x0..x1, y0..y1).map_err(|e| err(&e))?);
        }
        root.present().map_err(|e| err(&e))?;
    }
    write_atomic(path, svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_and_curves_write_svg() {
        let dir = std::env::temp_dir().join(format!("sb-ml-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let y: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let mu: Vec<f64> = y.iter().map(|v| v + 1.0).collect();
        let sd = vec![2.0; 50];
        let p = dir.join("parity.svg");
        parity_svg(&y, &mu, Some(&sd), &p, "bulk modulus", "GPa").unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with("<svg"));
        assert!(text.contains("MAE = 1.0000 GPa") && text.contains("coverage = 1.000"), "caption");
        parity_svg(&y, &mu, None, &p, "bulk modulus", "GPa").unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.matches("<circle").count(), 50, "one marker per row");
        let c = [
            Curve { name: "random".into(), x: vec![10.0, 20.0, 40.0], y: vec![3.0, 2.0, 1.0], y_err: Some(vec![0.1; 3]) },
            Curve { name: "variance".into(), x: vec![10.0, 20.0, 40.0], y: vec![3.0, 1.0, 0.5], y_err: None },
        ];
        let q = dir.join("curves.svg");
        curves_svg(&c, &q, "learning curve", "labels", "MAE", true).unwrap();
        let text = std::fs::read_to_string(&q).unwrap();
        assert!(text.contains("random") && text.contains("variance"), "legend");
        // bad input is an error, not a panic
        assert!(parity_svg(&y, &mu[..3], None, &p, "", "").is_err());
        assert!(parity_svg(&y, &mu, None, &dir.join("x.png"), "", "").is_err());
        assert!(curves_svg(&[], &q, "", "", "", false).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}

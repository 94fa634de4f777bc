//! SVG plots of protocol series (GK running integrals, interface position vs time,
//! stress–strain, MSD, RDF): one panel per series, stacked vertically, drawn with `plotters`.

use scalebridge_md::error::{Error, Result};
use crate::report::Series;
use plotters::prelude::*;
use std::path::Path;

fn range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v.filter(|x| x.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 0.5 * lo.abs().max(1.0) };
    (lo - pad, hi + pad)
}

/// Plot `series` to the SVG file `path` under `title`. The file is written atomically.
pub fn plot_series(series: &[Series], path: &Path, title: &str) -> Result<()> {
    if series.is_empty() {
        return Err(Error::invalid("series", "[]", "nothing to plot"));
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => {}
        other => return Err(Error::invalid("plot file", format!("{other:?}"), "plots are written as .svg")),
    }
    let err = |e: &dyn std::fmt::Display| Error::invalid("plot", path.display(), &e.to_string());
    let (w, h) = (800u32, 320 * series.len() as u32 + 40);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let root = root.titled(title, ("sans-serif", 22)).map_err(|e| err(&e))?;
        let panels = root.split_evenly((series.len(), 1));
        for (s, area) in series.iter().zip(panels.iter()) {
            let errs = s.y_err.clone().unwrap_or_default();
            let (x0, x1) = range(s.x.iter().copied());
            let (y0, y1) = range(s.y.iter().zip(errs.iter().chain(std::iter::repeat(&0.0))).flat_map(|(y, e)| [y - e, y + e]));
            let mut chart = ChartBuilder::on(area)
                .caption(&s.name, ("sans-serif", 16))
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(64)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc(format!("{} [{}]", s.x_label, s.x_unit))
                .y_desc(format!("{} [{}]", s.y_label, s.y_unit))
                .draw()
                .map_err(|e| err(&e))?;
            let pts: Vec<(f64, f64)> = s.x.iter().copied().zip(s.y.iter().copied()).filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
            chart.draw_series(LineSeries::new(pts.clone(), &BLUE)).map_err(|e| err(&e))?;
            if pts.len() <= 60 {
                chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, BLUE.filled()))).map_err(|e| err(&e))?;
            }
            if !errs.is_empty() && pts.len() <= 200 {
                chart
                    .draw_series(s.x.iter().zip(&s.y).zip(&errs).map(|((&x, &y), &e)| ErrorBar::new_vertical(x, y - e, y, y + e, RED, 6)))
                    .map_err(|e| err(&e))?;
            }
        }
        root.present().map_err(|e| err(&e))?;
    }
    let tmp = path.with_extension("svg.partial");
    let io = |e| Error::Io { path: path.display().to_string(), source: e };
    std::fs::write(&tmp, svg).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

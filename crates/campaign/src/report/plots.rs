//! The report's own plots (plotters, SVG as a string): Pareto front and property map.

use crate::engine::State;
use crate::error::{invalid, Result};
use plotters::prelude::*;

/// One candidate's target values (simulated or predicted).
pub struct Point {
    pub index: usize,
    pub v: Vec<f64>,
    pub simulated: bool,
}

fn range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v.filter(|x| x.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 0.5 * lo.abs().max(1.0) };
    (lo - pad, hi + pad)
}

fn perr(e: impl std::fmt::Display) -> crate::error::CampaignError {
    invalid("report plot", "svg", &e.to_string())
}

/// Scatter of target a vs target b with the Pareto front (`true`: larger is better).
pub fn pareto(pts: &[Point], a: (&str, bool), b: (&str, bool)) -> Result<String> {
    let (ia, ib) = (0usize, if a.0 == b.0 { 0 } else { 1 });
    let xy: Vec<(f64, f64, bool)> = pts.iter().filter_map(|p| Some((*p.v.get(ia)?, *p.v.get(ib)?, p.simulated))).filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
    let sa = if a.1 { 1.0 } else { -1.0 };
    let sb = if b.1 { 1.0 } else { -1.0 };
    let mut front: Vec<(f64, f64)> = xy.iter().filter(|p| !xy.iter().any(|q| sa * q.0 >= sa * p.0 && sb * q.1 >= sb * p.1 && (sa * q.0 > sa * p.0 || sb * q.1 > sb * p.1))).map(|p| (p.0, p.1)).collect();
    front.sort_by(|p, q| p.0.total_cmp(&q.0));
    let (x0, x1) = range(xy.iter().map(|p| p.0));
    let (y0, y1) = range(xy.iter().map(|p| p.1));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(perr)?;
        let mut ch = ChartBuilder::on(&root).caption("Pareto front", ("sans-serif", 20)).margin(12).x_label_area_size(40).y_label_area_size(60).build_cartesian_2d(x0..x1, y0..y1).map_err(perr)?;
        ch.configure_mesh().x_desc(a.0).y_desc(b.0).draw().map_err(perr)?;
        // many predicted points: draw a subsample of at most 4000
        let step = (xy.len() / 4000).max(1);
        ch.draw_series(xy.iter().step_by(step).filter(|p| !p.2).map(|p| Circle::new((p.0, p.1), 2, RGBColor(150, 150, 150).mix(0.4).filled()))).map_err(perr)?;
        ch.draw_series(xy.iter().filter(|p| p.2).map(|p| Circle::new((p.0, p.1), 4, RGBColor(31, 119, 180).filled()))).map_err(perr)?;
        ch.draw_series(LineSeries::new(front.iter().copied(), RGBColor(214, 39, 40).stroke_width(2))).map_err(perr)?;
        ch.draw_series(front.iter().map(|p| Circle::new(*p, 3, RGBColor(214, 39, 40).filled()))).map_err(perr)?;
        root.present().map_err(perr)?;
    }
    Ok(svg)
}

fn viridis(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let stops = [(68.0, 1.0, 84.0), (59.0, 82.0, 139.0), (33.0, 145.0, 140.0), (94.0, 201.0, 98.0), (253.0, 231.0, 37.0)];
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let m = |p: f64, q: f64| (p + f * (q - p)).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// The first target over the two composition axes with the widest spread (all candidates:
/// simulated values, else predictions; simulated ones outlined). `None` with fewer than two elements.
pub fn property_map(state: &State, pts: &[Point]) -> Result<Option<(String, String)>> {
    let elements: Vec<String> = {
        let mut e: Vec<String> = state.candidates.iter().flat_map(|c| c.composition.iter().map(|x| x.0.clone())).collect();
        e.sort();
        e.dedup();
        e
    };
    if elements.len() < 2 || pts.is_empty() {
        return Ok(None);
    }
    let frac = |i: usize, e: &str| state.candidates[i].composition.iter().find(|x| x.0 == e).map_or(0.0, |x| x.1);
    let spread = |e: &str| {
        let v: Vec<f64> = pts.iter().map(|p| frac(p.index, e)).collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>()
    };
    let mut by: Vec<(f64, &String)> = elements.iter().map(|e| (spread(e), e)).collect();
    by.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let (ea, eb) = (by[0].1.clone(), by[1].1.clone());
    let prop = state.campaign.targets[0].property.clone();
    let vals: Vec<f64> = pts.iter().map(|p| p.v[0]).collect();
    let (lo, hi) = range(vals.iter().copied());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(perr)?;
        let mut ch = ChartBuilder::on(&root).caption(format!("{prop} over x_{ea} and x_{eb}"), ("sans-serif", 20)).margin(12).x_label_area_size(40).y_label_area_size(60).build_cartesian_2d(-0.05..1.05f64, -0.05..1.05f64).map_err(perr)?;
        ch.configure_mesh().x_desc(format!("x_{ea}")).y_desc(format!("x_{eb}")).draw().map_err(perr)?;
        let step = (pts.len() / 5000).max(1);
        ch.draw_series(pts.iter().step_by(step).filter(|p| p.v[0].is_finite()).map(|p| {
            let col = viridis((p.v[0] - lo) / (hi - lo).max(1e-300));
            Circle::new((frac(p.index, &ea), frac(p.index, &eb)), if p.simulated { 6 } else { 4 }, col.filled())
        }))
        .map_err(perr)?;
        ch.draw_series(pts.iter().filter(|p| p.simulated).map(|p| Circle::new((frac(p.index, &ea), frac(p.index, &eb)), 7, BLACK.stroke_width(1)))).map_err(perr)?;
        root.present().map_err(perr)?;
    }
    let cap = format!("Property map: {prop} (colour, viridis from {lo:.3} to {hi:.3}) over the element fractions x_{ea} and x_{eb}; simulated candidates are outlined, the others are surrogate predictions (candidates sharing a point overlap).");
    Ok(Some((svg, cap)))
}

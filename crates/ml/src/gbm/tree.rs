//! One regression tree grown leaf-wise (best-first, as LightGBM) on histograms of gradients.
//! All objectives used here have unit hessians, so a histogram bin holds (sum of gradients, count).

use super::binning::BinnedData;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Internal node. Children `< 0` are leaves `!child`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    pub feature: u32,
    /// Go left when `x <= threshold` (raw value) ...
    pub threshold: f64,
    /// ... equivalently when `bin <= bin_threshold` (binned value).
    pub bin_threshold: u8,
    /// Where missing values (NaN) go.
    pub default_left: bool,
    pub left: i32,
    pub right: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub leaf_values: Vec<f64>,
}

impl Tree {
    /// Check that a (deserialised) tree is well formed: children and features in range, and no
    /// cycles (children of node i are either leaves or nodes after i).
    pub fn check(&self, n_features: usize) -> std::result::Result<(), String> {
        let (nn, nl) = (self.nodes.len() as i64, self.leaf_values.len() as i64);
        if nl == 0 || (self.nodes.is_empty() && nl != 1) {
            return Err(format!("{nl} leaf values for {nn} nodes"));
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if n.feature as usize >= n_features {
                return Err(format!("node {i} uses feature {} of {n_features}", n.feature));
            }
            for c in [n.left, n.right] {
                let ok = if c < 0 {
                    i64::from(!c) < nl
                } else {
                    i64::from(c) > i as i64 && i64::from(c) < nn
                };
                if !ok {
                    return Err(format!("node {i} has child {c} out of range"));
                }
            }
        }
        Ok(())
    }

    #[inline]
    pub fn leaf_index(&self, x: &[f64]) -> usize {
        if self.nodes.is_empty() {
            return 0;
        }
        let mut i = 0i32;
        loop {
            let n = &self.nodes[i as usize];
            let v = x[n.feature as usize];
            let left = if v.is_nan() {
                n.default_left
            } else {
                v <= n.threshold
            };
            i = if left { n.left } else { n.right };
            if i < 0 {
                return !i as usize;
            }
        }
    }
    #[inline]
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.leaf_values[self.leaf_index(x)]
    }
    #[inline]
    pub fn leaf_index_binned(&self, data: &BinnedData, row: usize) -> usize {
        if self.nodes.is_empty() {
            return 0;
        }
        let mut i = 0i32;
        loop {
            let n = &self.nodes[i as usize];
            let b = data.cols[n.feature as usize][row];
            let left = if b == 0 {
                n.default_left
            } else {
                b <= n.bin_threshold
            };
            i = if left { n.left } else { n.right };
            if i < 0 {
                return !i as usize;
            }
        }
    }
}

/// Growth parameters for one tree.
#[derive(Debug, Clone)]
pub struct GrowParams {
    pub num_leaves: usize,
    pub max_depth: usize,
    pub min_data_in_leaf: usize,
    pub lambda_l2: f64,
    pub min_gain_to_split: f64,
}

type Hist = Vec<Vec<[f64; 2]>>;

#[derive(Debug, Clone, Copy)]
struct Split {
    feature: usize,
    bin: usize,
    default_left: bool,
    gain: f64,
}

struct Leaf {
    start: usize,
    end: usize,
    g: f64,
    n: f64,
    depth: usize,
    parent: Option<(usize, bool)>,
    hist: Option<Hist>,
    best: Option<Split>,
}

/// A grown tree plus, for each leaf, the slice of `rows` that fell into it.
pub struct Grown {
    pub tree: Tree,
    pub rows: Vec<u32>,
    pub leaf_ranges: Vec<(usize, usize)>,
    /// (sum of gradients, count) per leaf
    pub leaf_stats: Vec<(f64, f64)>,
}

fn build_hist(data: &BinnedData, grad: &[f64], rows: &[u32], features: &[bool]) -> Hist {
    data.cols
        .par_iter()
        .enumerate()
        .map(|(f, col)| {
            let mut h = vec![[0.0f64; 2]; data.n_bins[f]];
            if features[f] {
                for &r in rows {
                    let r = r as usize;
                    let e = &mut h[col[r] as usize];
                    e[0] += grad[r];
                    e[1] += 1.0;
                }
            }
            h
        })
        .collect()
}

fn best_split(hist: &Hist, g: f64, n: f64, features: &[bool], p: &GrowParams) -> Option<Split> {
    let lam = p.lambda_l2;
    let parent = g * g / (n + lam);
    let min_n = p.min_data_in_leaf.max(1) as f64;
    let per_feature: Vec<Option<Split>> = hist
        .par_iter()
        .enumerate()
        .map(|(f, h)| {
            if !features[f] || h.len() < 3 {
                return None;
            }
            let miss = h[0];
            let mut best: Option<Split> = None;
            let mut gl = 0.0;
            let mut nl = 0.0;
            for (b, e) in h.iter().enumerate().take(h.len() - 1).skip(1) {
                gl += e[0];
                nl += e[1];
                let dirs: &[bool] = if miss[1] > 0.0 { &[false, true] } else { &[false] };
                for &dl in dirs {
                    let (gl2, nl2) = if dl { (gl + miss[0], nl + miss[1]) } else { (gl, nl) };
                    let (gr2, nr2) = (g - gl2, n - nl2);
                    if nl2 < min_n || nr2 < min_n {
                        continue;
                    }
                    let gain = gl2 * gl2 / (nl2 + lam) + gr2 * gr2 / (nr2 + lam) - parent;
                    if gain > p.min_gain_to_split && !best.is_some_and(|s: Split| gain <= s.gain) {
                        best = Some(Split {
                            feature: f,
                            bin: b,
                            default_left: dl,
                            gain,
                        });
                    }
                }
            }
            best
        })
        .collect();
    per_feature
        .into_iter()
        .flatten()
        .fold(None, |acc: Option<Split>, s| match acc {
            Some(a) if a.gain >= s.gain => Some(a),
            _ => Some(s),
        })
}

/// Grow one tree on `rows` with gradients `grad`; leaf values are `-G / (n + lambda)`
/// (callers shrink or replace them). `upper[f]` maps bin thresholds back to raw values.
pub fn grow(
    data: &BinnedData,
    upper: &[Vec<f64>],
    grad: &[f64],
    mut rows: Vec<u32>,
    features: &[bool],
    p: &GrowParams,
) -> Grown {
    let g0: f64 = rows.iter().map(|&r| grad[r as usize]).sum();
    let n0 = rows.len() as f64;
    let hist0 = build_hist(data, grad, &rows, features);
    let best0 = if p.max_depth > 0 {
        best_split(&hist0, g0, n0, features, p)
    } else {
        None
    };
    let mut leaves = vec![Leaf {
        start: 0,
        end: rows.len(),
        g: g0,
        n: n0,
        depth: 0,
        parent: None,
        hist: Some(hist0),
        best: best0,
    }];
    let mut nodes: Vec<Node> = Vec::new();
    let mut buf: Vec<u32> = Vec::with_capacity(rows.len());
    while leaves.len() < p.num_leaves.max(1) {
        let Some((li, split)) = leaves
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.best.map(|s| (i, s)))
            .max_by(|a, b| a.1.gain.total_cmp(&b.1.gain))
        else {
            break;
        };
        let (start, end, depth, parent) = {
            let l = &leaves[li];
            (l.start, l.end, l.depth, l.parent)
        };
        // stable partition of rows[start..end]
        let col = &data.cols[split.feature];
        let goes_left = |r: u32| {
            let b = col[r as usize];
            if b == 0 {
                split.default_left
            } else {
                (b as usize) <= split.bin
            }
        };
        buf.clear();
        let mut w = start;
        for k in start..end {
            let r = rows[k];
            if goes_left(r) {
                rows[w] = r;
                w += 1;
            } else {
                buf.push(r);
            }
        }
        rows[w..end].copy_from_slice(&buf);
        let mid = w;
        // node
        let node_idx = nodes.len();
        let new_leaf = leaves.len();
        let thr = upper
            .get(split.feature)
            .and_then(|u| u.get(split.bin - 1))
            .copied()
            .unwrap_or(f64::INFINITY);
        nodes.push(Node {
            feature: split.feature as u32,
            threshold: thr,
            bin_threshold: split.bin as u8,
            default_left: split.default_left,
            left: !(li as i32),
            right: !(new_leaf as i32),
        });
        if let Some((pn, is_left)) = parent {
            if is_left {
                nodes[pn].left = node_idx as i32;
            } else {
                nodes[pn].right = node_idx as i32;
            }
        }
        // histograms: build the smaller child, subtract for the larger
        let parent_hist = leaves[li].hist.take();
        let (ls, rs) = (&rows[start..mid], &rows[mid..end]);
        let left_small = ls.len() <= rs.len();
        let small = build_hist(data, grad, if left_small { ls } else { rs }, features);
        let large = parent_hist.map(|mut ph| {
            for (pf, sf) in ph.iter_mut().zip(&small) {
                for (pb, sb) in pf.iter_mut().zip(sf) {
                    pb[0] -= sb[0];
                    pb[1] -= sb[1];
                }
            }
            ph
        });
        let (hl, hr) = if left_small {
            (Some(small), large)
        } else {
            (large, Some(small))
        };
        let gl: f64 = ls.iter().map(|&r| grad[r as usize]).sum();
        let gr = leaves[li].g - gl;
        let (nl, nr) = (ls.len() as f64, rs.len() as f64);
        let child_depth = depth + 1;
        let can_split = child_depth < p.max_depth;
        let bl = match (&hl, can_split) {
            (Some(h), true) => best_split(h, gl, nl, features, p),
            _ => None,
        };
        let br = match (&hr, can_split) {
            (Some(h), true) => best_split(h, gr, nr, features, p),
            _ => None,
        };
        leaves[li] = Leaf {
            start,
            end: mid,
            g: gl,
            n: nl,
            depth: child_depth,
            parent: Some((node_idx, true)),
            hist: if bl.is_some() { hl } else { None },
            best: bl,
        };
        leaves.push(Leaf {
            start: mid,
            end,
            g: gr,
            n: nr,
            depth: child_depth,
            parent: Some((node_idx, false)),
            hist: if br.is_some() { hr } else { None },
            best: br,
        });
    }
    let leaf_values = leaves
        .iter()
        .map(|l| if l.n > 0.0 { -l.g / (l.n + p.lambda_l2) } else { 0.0 })
        .collect();
    Grown {
        tree: Tree { nodes, leaf_values },
        leaf_ranges: leaves.iter().map(|l| (l.start, l.end)).collect(),
        leaf_stats: leaves.iter().map(|l| (l.g, l.n)).collect(),
        rows,
    }
}

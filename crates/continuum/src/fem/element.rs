//! Trilinear hexahedral (hex8) voxel element: stiffness and averaged gradient operators, exact
//! 2×2×2 Gauss integration. Local node a = 4·ax + 2·ay + az with (ax, ay, az) ∈ {0,1}³.

/// Elastic dofs per element.
pub(crate) const NE_EL: usize = 24;
/// Thermal dofs per element.
pub(crate) const NE_TH: usize = 8;

#[inline]
pub(crate) fn corner(a: usize) -> [usize; 3] {
    [(a >> 2) & 1, (a >> 1) & 1, a & 1]
}

/// Shape-function gradients (physical, voxel edge h) at reference point ξ ∈ [0,1]³: [node][dir].
fn grads(xi: [f64; 3], h: f64) -> [[f64; 3]; 8] {
    let mut g = [[0.0; 3]; 8];
    for (a, ga) in g.iter_mut().enumerate() {
        let c = corner(a);
        let f = |d: usize| if c[d] == 1 { xi[d] } else { 1.0 - xi[d] };
        let df = |d: usize| if c[d] == 1 { 1.0 } else { -1.0 };
        ga[0] = df(0) * f(1) * f(2) / h;
        ga[1] = f(0) * df(1) * f(2) / h;
        ga[2] = f(0) * f(1) * df(2) / h;
    }
    g
}

fn gauss_points() -> [[f64; 3]; 8] {
    let lo = 0.5 - 0.5 / 3f64.sqrt();
    let hi = 0.5 + 0.5 / 3f64.sqrt();
    let mut p = [[0.0; 3]; 8];
    for (a, pa) in p.iter_mut().enumerate() {
        let c = corner(a);
        for d in 0..3 {
            pa[d] = if c[d] == 1 { hi } else { lo };
        }
    }
    p
}

/// Strain–displacement matrix (Voigt, engineering shears) at one point.
fn bmat(g: &[[f64; 3]; 8]) -> [[f64; NE_EL]; 6] {
    let mut b = [[0.0; NE_EL]; 6];
    for a in 0..8 {
        let [dx, dy, dz] = g[a];
        b[0][3 * a] = dx;
        b[1][3 * a + 1] = dy;
        b[2][3 * a + 2] = dz;
        b[3][3 * a + 1] = dz;
        b[3][3 * a + 2] = dy;
        b[4][3 * a] = dz;
        b[4][3 * a + 2] = dx;
        b[5][3 * a] = dy;
        b[5][3 * a + 1] = dx;
    }
    b
}

/// Element stiffness (24×24) of a voxel of edge h for the Voigt stiffness c.
pub(crate) fn elastic_stiffness(c: &[[f64; 6]; 6], h: f64) -> [[f64; NE_EL]; NE_EL] {
    let w = h * h * h / 8.0;
    let mut k = [[0.0; NE_EL]; NE_EL];
    for xi in gauss_points() {
        let b = bmat(&grads(xi, h));
        let mut cb = [[0.0; NE_EL]; 6];
        for i in 0..6 {
            for j in 0..NE_EL {
                cb[i][j] = (0..6).map(|m| c[i][m] * b[m][j]).sum();
            }
        }
        for p in 0..NE_EL {
            for q in 0..NE_EL {
                k[p][q] += w * (0..6).map(|m| b[m][p] * cb[m][q]).sum::<f64>();
            }
        }
    }
    k
}

/// Element-averaged B (6×24): mean strain of the element = B̄ u_e.
pub(crate) fn elastic_bbar(h: f64) -> [[f64; NE_EL]; 6] {
    let mut bb = [[0.0; NE_EL]; 6];
    for xi in gauss_points() {
        let b = bmat(&grads(xi, h));
        for i in 0..6 {
            for j in 0..NE_EL {
                bb[i][j] += b[i][j] / 8.0;
            }
        }
    }
    bb
}

/// Element conductance (8×8) for the conductivity tensor kappa.
pub(crate) fn thermal_stiffness(kappa: &[[f64; 3]; 3], h: f64) -> [[f64; NE_TH]; NE_TH] {
    let w = h * h * h / 8.0;
    let mut k = [[0.0; NE_TH]; NE_TH];
    for xi in gauss_points() {
        let g = grads(xi, h);
        for p in 0..8 {
            for q in 0..8 {
                let mut s = 0.0;
                for i in 0..3 {
                    for j in 0..3 {
                        s += g[p][i] * kappa[i][j] * g[q][j];
                    }
                }
                k[p][q] += w * s;
            }
        }
    }
    k
}

/// Element-averaged gradient operator (3×8).
pub(crate) fn thermal_gbar(h: f64) -> [[f64; NE_TH]; 3] {
    let mut gb = [[0.0; NE_TH]; 3];
    for xi in gauss_points() {
        let g = grads(xi, h);
        for p in 0..8 {
            for i in 0..3 {
                gb[i][p] += g[p][i] / 8.0;
            }
        }
    }
    gb
}

//! EAM tables on one common grid (LAMMPS `frho`, `rhor`, `z2r` after `file2array`) and the
//! file format / pair style they came from.

/// The file format (LAMMPS pair style) an [`EmbeddedAtom`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EamStyle {
    /// DYNAMO funcfl files, LAMMPS `pair_style eam`.
    Funcfl,
    /// DYNAMO setfl files, LAMMPS `pair_style eam/alloy`.
    Alloy,
    /// Finnis–Sinclair setfl variant, LAMMPS `pair_style eam/fs`.
    FinnisSinclair,
}

impl EamStyle {
    /// LAMMPS pair style name.
    pub fn pair_style(self) -> &'static str {
        match self {
            EamStyle::Funcfl => "eam",
            EamStyle::Alloy => "eam/alloy",
            EamStyle::FinnisSinclair => "eam/fs",
        }
    }
}

/// Raw tables of an EAM potential on one common grid (LAMMPS `frho`, `rhor`, `z2r` after
/// `file2array`). Grid point `k` (0-based) sits at `ρ = k·drho` and `r = k·dr`.
#[derive(Clone, Debug, PartialEq)]
pub struct EamTables {
    /// Element names (the species names structures must use).
    pub elements: Vec<String>,
    /// Atomic numbers from the file.
    pub numbers: Vec<u32>,
    /// Masses from the file, amu.
    pub masses: Vec<f64>,
    pub nrho: usize,
    /// ρ spacing.
    pub drho: f64,
    pub nr: usize,
    /// r spacing, Å.
    pub dr: f64,
    /// Cutoff, Å.
    pub cut: f64,
    /// Largest tabulated density (energies beyond it are extrapolated linearly).
    pub rhomax: f64,
    /// `F_a(ρ)` per element, eV (nrho values each).
    pub frho: Vec<Vec<f64>>,
    /// `ρ_{a→b}(r)` at index `a·n + b` (nr values each).
    pub rhor: Vec<Vec<f64>>,
    /// `r·φ_ab(r)` (eV·Å) at the lower-triangular index of (max(a,b), min(a,b)) (nr values each).
    pub z2r: Vec<Vec<f64>>,
}

/// Lower-triangular index of an element pair (LAMMPS `type2z2r`).
pub fn z2r_index(a: usize, b: usize) -> usize {
    let (row, col) = if a >= b { (a, b) } else { (b, a) };
    row * (row + 1) / 2 + col
}

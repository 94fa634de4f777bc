//! A cross-linked epoxy-like thermoset from bead-spring molecules: `resins` linear resin
//! molecules of `resin_length` beads whose two end beads are reactive (epoxide ends, type 2;
//! inner beads type 1) and `hardeners` linear hardener molecules of `hardener_length` beads whose
//! two end beads are amine ends (type 3; inner beads type 4) with two reactive sites each (a
//! primary diamine: four per hardener). All beads and bonds are Kremer–Grest (WCA or LJ pairs,
//! FENE bonds, `special_bonds fene`; [`super::kremer_grest`]); intramolecular bonds are bond
//! type 1, cross-links type 2 (same coefficients).
//!
//! Curing by a distance criterion: after growth and push-off, the pairs (unreacted epoxide end,
//! amine end with a free site) closer than the capture radius react, closest first, until the
//! target `conversion` (reacted fraction of the epoxide ends) is reached; between passes a soft
//! push-off pulls new cross-links to the bond length. When a pass finds no pair the capture
//! radius grows by 10 %, up to `max_capture_radius`. Everything follows from `seed`.
//!
//! Impossible targets are refused before building: a conversion outside (0, 1], or more epoxide
//! ends to react than the hardeners have amine sites (the message gives the highest conversion
//! that mix allows); a target that the capture radius cannot reach is refused after trying, with
//! the conversion reached.

use super::kremer_grest::{bead_spring_lammps, check_bead_spring, grow_bead_spring, BOND_LENGTH, WCA_CUTOFF};
use super::pushoff::{exclusions, push_off, PushOff};
use super::{at_least, grid, LjUnits, Parts, PolymerSystem};
use crate::cell::norm;
use crate::error::{Error, Result};
use crate::topology::Term;
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};

/// Reactive sites of an amine end (primary amine).
pub const SITES_PER_AMINE: usize = 2;

/// Network options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EpoxyNetwork {
    pub resins: usize,
    pub resin_length: usize,
    pub hardeners: usize,
    pub hardener_length: usize,
    /// Beads per σ³.
    pub density: f64,
    /// Target reacted fraction of the epoxide ends, (0, 1].
    pub conversion: f64,
    /// First capture radius, σ.
    pub capture_radius: f64,
    /// Largest capture radius, σ.
    pub max_capture_radius: f64,
    /// Pair cutoff, σ.
    pub pair_cutoff: f64,
    pub exclusion: f64,
    pub min_distance: f64,
    pub seed: u64,
    pub units: LjUnits,
}

impl Default for EpoxyNetwork {
    fn default() -> Self {
        EpoxyNetwork {
            resins: 100,
            resin_length: 3,
            hardeners: 50,
            hardener_length: 2,
            density: 0.85,
            conversion: 0.8,
            capture_radius: 1.3,
            max_capture_radius: 2.5,
            pair_cutoff: WCA_CUTOFF,
            exclusion: 0.85,
            min_distance: 0.8,
            seed: 1,
            units: LjUnits::default(),
        }
    }
}

impl EpoxyNetwork {
    /// Build and cure the network.
    pub fn build(&self) -> Result<PolymerSystem> {
        at_least("resins", self.resins, 1)?;
        at_least("hardeners", self.hardeners, 1)?;
        at_least("resin_length", self.resin_length, 2)?;
        at_least("hardener_length", self.hardener_length, 2)?;
        check_bead_spring(&self.units, self.density, self.pair_cutoff, self.exclusion, self.min_distance)?;
        if !(self.conversion > 0.0 && self.conversion <= 1.0) {
            return Err(Error::invalid("conversion", self.conversion, "is the reacted fraction of the epoxide ends, in (0, 1]"));
        }
        let ends = 2 * self.resins;
        let sites = 2 * SITES_PER_AMINE * self.hardeners;
        let target = (self.conversion * ends as f64).round() as usize;
        if target > sites {
            return Err(Error::invalid(
                "conversion",
                self.conversion,
                &format!("{target} of the {ends} epoxide ends cannot react with the {sites} amine sites of {} hardeners: the highest conversion of this mix is {:.3}", self.hardeners, sites as f64 / ends as f64),
            ));
        }
        if !(self.capture_radius > 0.0 && self.capture_radius <= self.max_capture_radius) {
            return Err(Error::invalid("capture_radius", self.capture_radius, "must be positive and at most max_capture_radius"));
        }
        // the box must hold a capture sphere and the cross-links' minimum images
        let (nr, nh) = (self.resins * self.resin_length, self.hardeners * self.hardener_length);
        let n = nr + nh;
        let l = (n as f64 / self.density).cbrt();
        let need = 2.0 * (self.pair_cutoff + 0.3).max(self.max_capture_radius);
        if l < need {
            return Err(Error::invalid("resins", self.resins, &format!("{n} beads make a box of {l:.2} σ, narrower than {need:.2} σ: build more molecules")));
        }
        let mut lengths = vec![self.resin_length; self.resins];
        lengths.extend(vec![self.hardener_length; self.hardeners]);
        let mut starts = Vec::with_capacity(lengths.len());
        let mut bonds = Vec::new();
        let mut o = 0;
        for &len in &lengths {
            starts.push(o);
            for k in 1..len {
                bonds.push((o + k - 1, o + k));
            }
            o += len;
        }
        let mut types = vec![0usize; n];
        let mut molecule = vec![0i64; n];
        for (m, (&s, &len)) in starts.iter().zip(&lengths).enumerate() {
            let resin = m < self.resins;
            for k in 0..len {
                let end = k == 0 || k == len - 1;
                types[s + k] = match (resin, end) {
                    (true, false) => 0,
                    (true, true) => 1,
                    (false, true) => 2,
                    (false, false) => 3,
                };
                molecule[s + k] = m as i64 + 1;
            }
        }
        let mut rng = ChaCha12Rng::seed_from_u64(self.seed);
        let (mut pos, forced, mut rep) = grow_bead_spring(&lengths, l, &bonds, self.exclusion, self.min_distance, &mut rng)?;
        let chains: Vec<(usize, usize)> = starts.iter().copied().zip(lengths.iter().copied()).collect();
        // cure
        let mut free_sites: Vec<usize> = types.iter().map(|&t| if t == 2 { SITES_PER_AMINE } else { 0 }).collect();
        let mut reacted = vec![false; n];
        let mut crosslinks: Vec<(usize, usize)> = Vec::new();
        let mut radius = self.capture_radius;
        while crosslinks.len() < target {
            let g = grid::Grid::filled(l, radius, &pos);
            let mut cand: Vec<(f64, usize, usize)> = Vec::new();
            for e in (0..n).filter(|&i| types[i] == 1 && !reacted[i]) {
                g.around(&pos[e], |a| {
                    if types[a] == 2 && free_sites[a] > 0 {
                        let r = norm(&grid::min_image(&pos[e], &pos[a], l));
                        if r < radius {
                            cand.push((r, e, a));
                        }
                    }
                });
            }
            cand.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
            let before = crosslinks.len();
            for (_, e, a) in cand {
                if crosslinks.len() == target {
                    break;
                }
                if reacted[e] || free_sites[a] == 0 {
                    continue;
                }
                reacted[e] = true;
                free_sites[a] -= 1;
                crosslinks.push((e, a));
            }
            if crosslinks.len() == before {
                if radius >= self.max_capture_radius {
                    return Err(Error::invalid(
                        "conversion",
                        self.conversion,
                        &format!("the distance criterion reached conversion {:.3} ({} of {target} cross-links) with capture radius up to {:.2} σ: lower the target or raise max_capture_radius", crosslinks.len() as f64 / ends as f64, crosslinks.len(), self.max_capture_radius),
                    ));
                }
                radius = (radius * 1.1).min(self.max_capture_radius);
                continue;
            }
            let all: Vec<(usize, usize)> = bonds.iter().chain(crosslinks.iter()).copied().collect();
            let p = PushOff {
                cutoff: 1.0,
                target: self.min_distance,
                springs: all.iter().map(|&(i, j)| (i, j, BOND_LENGTH)).collect(),
                spring_tolerance: 0.1,
                excluded: exclusions(n, &all, 1),
                max_steps: 20_000,
            };
            rep = push_off(&mut pos, l, &p)?;
        }
        let s = self.units.sigma_a;
        let mut bond_terms: Vec<Term<2>> = bonds.iter().map(|&(i, j)| Term { kind: 0, atoms: [i, j] }).collect();
        bond_terms.extend(crosslinks.iter().map(|&(i, j)| Term { kind: 1, atoms: [i, j] }));
        let mut sys = Parts {
            builder: "epoxy-network",
            seed: self.seed,
            l: l * s,
            positions: pos.iter().map(|p| p.map(|x| x * s)).collect(),
            atom_types: types,
            type_masses: vec![self.units.mass_amu; 4],
            molecule,
            bonds: bond_terms,
            angles: Vec::new(),
            dihedrals: Vec::new(),
            n_term_types: [2, 0, 0, 0],
            lammps: bead_spring_lammps(&self.units, self.pair_cutoff, 2, 4),
            chains,
            forced,
            push_off: super::pushoff::PushOffReport { min_distance: rep.min_distance * s, ..rep },
            exclusion_depth: 1,
            lj_units: Some(self.units),
            force_field: "bead-spring epoxy-like network: Kremer-Grest FENE + LJ/WCA beads (K. Kremer and G. S. Grest, J. Chem. Phys. 92, 5057 (1990)); types 1 resin, 2 epoxide end, 3 amine end, 4 hardener; bond type 2 = cross-link".into(),
        }
        .finish()?;
        sys.report.conversion = Some(crosslinks.len() as f64 / ends as f64);
        sys.report.crosslinks = Some(crosslinks.len());
        sys.report.crosslink_density_per_bead = Some(crosslinks.len() as f64 / n as f64);
        sys.report.capture_radius = Some(radius * s);
        Ok(sys)
    }
}

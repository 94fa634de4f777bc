//! Random substitution and vacancies on a sublattice (seeded), and the charge bookkeeping with
//! optional compensation by removing counter-ions. Nothing is silently made neutral: the report
//! says what the net charge was before and after and what was removed.

use crate::error::{Error, Result};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Atoms being edited: fractional positions, sublattice (role) and species of every atom.
#[derive(Clone, Debug)]
pub struct Work {
    pub cell: [[f64; 3]; 3],
    pub frac: Vec<[f64; 3]>,
    pub roles: Vec<String>,
    pub species: Vec<String>,
    /// Role names of the prototype (a `site` naming one of these selects the sublattice).
    pub role_names: Vec<String>,
}

/// Random substitution on a sublattice: `site` is a role of the prototype (`B`) or a species
/// present (`Co`); `fractions` (element → fraction, summing to 1) say what occupies it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Substitution {
    pub site: String,
    pub fractions: BTreeMap<String, f64>,
}

/// Vacancies on a sublattice (role or species): a `fraction` of its sites or a `count`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vacancy {
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

/// What a substitution did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubstitutionDone {
    pub site: String,
    pub sites: usize,
    /// Atoms of each element placed on the sublattice.
    pub counts: BTreeMap<String, usize>,
}

/// What a vacancy request did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VacancyDone {
    pub site: String,
    pub sites: usize,
    pub removed: usize,
    /// Species of the removed atoms with their counts.
    pub removed_species: BTreeMap<String, usize>,
}

/// Charge compensation carried out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompensationDone {
    /// The counter-ion removed.
    pub species: String,
    pub charge: f64,
    /// Net charge / charge of the counter-ion: how many would have to go.
    pub exact_count: f64,
    pub removed: usize,
}

/// Net charges (e) given per-species charges: pristine (before substitutions and vacancies),
/// after them, and after compensation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChargeReport {
    pub charges: BTreeMap<String, f64>,
    pub net_charge_pristine: f64,
    pub net_charge_defective: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<CompensationDone>,
    pub net_charge_final: f64,
    /// |net charge| < 1e-6 e.
    pub neutral: bool,
}

/// Tolerance on the net charge for calling a cell neutral (e).
pub const NEUTRAL_TOLERANCE: f64 = 1e-6;

impl Work {
    /// Indices of the atoms on `site`: the sublattice of that role if the prototype has it,
    /// otherwise the atoms of that species.
    pub fn select(&self, site: &str) -> Result<Vec<usize>> {
        let by_role = self.role_names.iter().any(|r| r == site);
        let idx: Vec<usize> = (0..self.frac.len())
            .filter(|&i| if by_role { self.roles[i] == site } else { self.species[i] == site })
            .collect();
        if idx.is_empty() {
            let mut present: Vec<&String> = self.species.iter().collect();
            present.sort();
            present.dedup();
            return Err(Error::invalid(
                "site",
                site,
                &format!(
                    "no atoms there: name a sublattice ({}) or a species present ({})",
                    self.role_names.join(", "),
                    present.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Ok(idx)
    }

    fn remove(&mut self, mut gone: Vec<usize>) {
        gone.sort_unstable();
        gone.dedup();
        for &i in gone.iter().rev() {
            self.frac.remove(i);
            self.roles.remove(i);
            self.species.remove(i);
        }
    }

    pub fn net_charge(&self, charges: &BTreeMap<String, f64>) -> Result<f64> {
        let mut q = 0.0;
        for s in &self.species {
            q += charges.get(s).ok_or_else(|| {
                Error::invalid("charges", s, &format!("no charge given for species {s} (given: {})", charges.keys().cloned().collect::<Vec<_>>().join(", ")))
            })?;
        }
        Ok(q)
    }
}

/// Counts summing to `n` in the proportions `fractions` (largest remainder; ties by order).
fn counts(fractions: &[f64], n: usize) -> Vec<usize> {
    let exact: Vec<f64> = fractions.iter().map(|f| f * n as f64).collect();
    let mut c: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut rem: Vec<(usize, f64)> = exact.iter().enumerate().map(|(i, x)| (i, x - x.floor())).collect();
    rem.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal).then(a.0.cmp(&b.0)));
    let missing = n.saturating_sub(c.iter().sum::<usize>());
    for r in rem.iter().take(missing) {
        c[r.0] += 1;
    }
    c
}

/// Occupy the sublattice `sub.site` randomly with `sub.fractions`.
pub fn substitute(w: &mut Work, sub: &Substitution, rng: &mut ChaCha12Rng) -> Result<SubstitutionDone> {
    if sub.fractions.is_empty() {
        return Err(Error::invalid("substitution fractions", "{}", "give at least one element with its fraction"));
    }
    for (e, f) in &sub.fractions {
        if !(f.is_finite() && *f >= 0.0 && *f <= 1.0) {
            return Err(Error::invalid("substitution fraction", format!("{e} = {f}"), "must be between 0 and 1"));
        }
    }
    let total: f64 = sub.fractions.values().sum();
    if (total - 1.0).abs() > 1e-6 {
        return Err(Error::invalid(
            "substitution fractions",
            format!("{:?} (sum {total})", sub.fractions),
            "must sum to 1 (they are the occupancies of the sublattice)",
        ));
    }
    let mut idx = w.select(&sub.site)?;
    let fr: Vec<f64> = sub.fractions.values().copied().collect();
    let c = counts(&fr, idx.len());
    idx.shuffle(rng);
    let mut k = 0;
    let mut done = BTreeMap::new();
    for ((e, _), n) in sub.fractions.iter().zip(&c) {
        for &i in &idx[k..k + n] {
            w.species[i] = e.clone();
        }
        k += n;
        done.insert(e.clone(), *n);
    }
    Ok(SubstitutionDone { site: sub.site.clone(), sites: idx.len(), counts: done })
}

/// Remove a fraction (rounded to the nearest count) or a count of the atoms on `v.site`.
pub fn vacate(w: &mut Work, v: &Vacancy, rng: &mut ChaCha12Rng) -> Result<VacancyDone> {
    let mut idx = w.select(&v.site)?;
    let n = match (v.fraction, v.count) {
        (Some(f), None) => {
            if !(f.is_finite() && (0.0..=1.0).contains(&f)) {
                return Err(Error::invalid("vacancy fraction", f, "must be between 0 and 1"));
            }
            (f * idx.len() as f64).round() as usize
        }
        (None, Some(c)) => c,
        _ => return Err(Error::invalid("vacancy", &v.site, "give exactly one of fraction or count")),
    };
    if n > idx.len() {
        return Err(Error::invalid("vacancy count", n, &format!("only {} atoms on {}", idx.len(), v.site)));
    }
    idx.shuffle(rng);
    let gone: Vec<usize> = idx[..n].to_vec();
    let mut removed_species = BTreeMap::new();
    for &i in &gone {
        *removed_species.entry(w.species[i].clone()).or_insert(0) += 1;
    }
    let sites = idx.len();
    w.remove(gone);
    Ok(VacancyDone { site: v.site.clone(), sites, removed: n, removed_species })
}

/// Remove atoms of `species` (charge q) to cancel the net charge Q: Q/q of them, rounded to the
/// nearest whole number. A net charge that removing `species` cannot reduce (opposite sign) is an
/// error; what remains when Q/q is not whole is reported by the caller, not hidden.
pub fn compensate(w: &mut Work, species: &str, charges: &BTreeMap<String, f64>, rng: &mut ChaCha12Rng) -> Result<CompensationDone> {
    let q_ion = *charges.get(species).ok_or_else(|| Error::invalid("compensate", species, "no charge given for the counter-ion"))?;
    if q_ion == 0.0 {
        return Err(Error::invalid("compensate", species, "the counter-ion has zero charge: removing it cannot change the net charge"));
    }
    let net = w.net_charge(charges)?;
    let exact = net / q_ion;
    if exact < -NEUTRAL_TOLERANCE {
        return Err(Error::invalid(
            "compensate",
            species,
            &format!("net charge {net:+.6} e has the sign opposite to {species} ({q_ion:+} e): removing {species} would make it worse; remove an ion of the other sign"),
        ));
    }
    let n = exact.round().max(0.0) as usize;
    let mut idx: Vec<usize> = (0..w.species.len()).filter(|&i| w.species[i] == species).collect();
    if n > idx.len() {
        return Err(Error::invalid("compensate", species, &format!("{n} {species} would have to go but only {} are present", idx.len())));
    }
    idx.shuffle(rng);
    w.remove(idx[..n].to_vec());
    Ok(CompensationDone { species: species.to_string(), charge: q_ion, exact_count: exact, removed: n })
}

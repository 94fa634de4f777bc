//! The ionic styles of the LAMMPS input reader (a child of [`super`]): `buck`, `born`,
//! `pedone`, `coul/cut`, `coul/wolf`, `coul/dsf` and `hybrid/overlay` over them.
//!
//! - `pair_style buck r_c` / `born r_c` / `pedone r_c`; `pair_coeff i j p1 ... [r_c_ij]` with the
//!   style's parameters (buck `A ρ C`, born `A ρ σ C D`, pedone `D0 α r0 C0`); every pair must be
//!   set (no mixing).
//! - `pair_style coul/cut r_c`, `coul/wolf α r_c`, `coul/dsf α r_c`; `pair_coeff * *`.
//! - `pair_style hybrid/overlay s1 args1 s2 args2 ...`; `pair_coeff i j s args` (a short-range
//!   member acts on the pairs given to it; a Coulomb member must be given `* *`).
//! - `pair_modify shift yes` applies to every short-range member (the Coulomb styles ignore it,
//!   as in LAMMPS).

use super::Line;
use crate::error::{Error, Result};
use crate::potentials::spec::PotentialSpec;
use crate::potentials::spec_ionic::{CoulStyle, CoulombSpec, IonicPair, IonicStyle, ShortRangeSpec};

/// Styles this module reads (alone or as `hybrid/overlay` members).
pub const IONIC_STYLES: &[&str] = &["buck", "born", "pedone", "coul/cut", "coul/wolf", "coul/dsf", "coul/long", "hybrid/overlay"];

/// Combined LAMMPS styles read as an overlay of a short-range and a Coulomb member
/// (`buck/coul/cut cut_lj [cut_coul]`, `pair_coeff i j A rho C [cut_lj]`).
pub const COMBINED_STYLES: &[&str] = &["buck/coul/cut", "buck/coul/long"];

/// One style being read.
pub(super) enum Sub {
    Short { style: IonicStyle, cutoff: f64, set: Vec<Option<(Vec<f64>, Option<f64>)>> },
    Coul { style: CoulStyle, alpha: Option<f64>, cutoff: f64, set: Vec<bool> },
}

impl Sub {
    fn name(&self) -> &'static str {
        match self {
            Sub::Short { style, .. } => style.name(),
            Sub::Coul { style, .. } => style.name(),
        }
    }
}

/// The state of an ionic `pair_style` while reading.
pub(super) struct IonicState {
    pub hybrid: bool,
    /// A combined style (`buck/coul/cut`): one `pair_coeff` sets both members.
    pub combined: bool,
    pub subs: Vec<Sub>,
}

fn base(name: &str) -> &str {
    super::base_style(name)
}

fn is_member(name: &str) -> bool {
    IonicStyle::from_name(base(name)).is_some() || CoulStyle::from_name(base(name)).is_some()
}

/// Read one style name and its arguments `args` (numbers).
fn settings_one(line: &Line, name: &str, args: &[usize], n: usize) -> Result<Sub> {
    let whole = line.words.join(" ");
    let nums = args.iter().map(|&k| line.number(k, "argument")).collect::<Result<Vec<f64>>>()?;
    let positive = |x: f64, what: &str| -> Result<f64> {
        if x > 0.0 {
            Ok(x)
        } else {
            Err(line.err(format!("{whole}: {name} {what} must be positive")))
        }
    };
    if let Some(style) = IonicStyle::from_name(base(name)) {
        if nums.len() != 1 {
            return Err(line.err(format!("{whole}: {name} takes one global cutoff ({name} r_c)")));
        }
        return Ok(Sub::Short { style, cutoff: positive(nums[0], "cutoff")?, set: vec![None; n * n] });
    }
    match CoulStyle::from_name(base(name)) {
        Some(CoulStyle::Cut) if nums.len() == 1 => Ok(Sub::Coul { style: CoulStyle::Cut, alpha: None, cutoff: positive(nums[0], "cutoff")?, set: vec![false; n * n] }),
        Some(CoulStyle::Cut) => Err(line.err(format!("{whole}: coul/cut takes one global cutoff (coul/cut r_c)"))),
        Some(CoulStyle::Long) if nums.len() == 1 => Ok(Sub::Coul { style: CoulStyle::Long, alpha: None, cutoff: positive(nums[0], "cutoff")?, set: vec![false; n * n] }),
        Some(CoulStyle::Long) => Err(line.err(format!("{whole}: coul/long takes one global cutoff (coul/long r_c)"))),
        Some(style) if nums.len() == 2 => {
            if nums[0] < 0.0 {
                return Err(line.err(format!("{whole}: {name} alpha must be >= 0")));
            }
            Ok(Sub::Coul { style, alpha: Some(nums[0]), cutoff: positive(nums[1], "cutoff")?, set: vec![false; n * n] })
        }
        Some(_) => Err(line.err(format!("{whole}: {name} takes alpha and a cutoff ({name} alpha r_c)"))),
        None => Err(line.err(format!("{whole}: {name} is not an ionic style"))),
    }
}

/// `pair_style` of an ionic style (`name` is `w[1]`).
pub(super) fn settings(line: &Line, n: usize) -> Result<IonicState> {
    let w = &line.words;
    let name = w[1].as_str();
    if base(name) == "buck/coul/cut" || base(name) == "buck/coul/long" {
        let coul_style = if base(name) == "buck/coul/long" { CoulStyle::Long } else { CoulStyle::Cut };
        let whole = w.join(" ");
        if w.len() != 3 && w.len() != 4 {
            return Err(line.err(format!("{whole}: {} takes cut_lj [cut_coul]", base(name))));
        }
        let lj = line.number(2, "cut_lj")?;
        let coul = if w.len() == 4 { line.number(3, "cut_coul")? } else { lj };
        if lj <= 0.0 || coul <= 0.0 {
            return Err(line.err(format!("{whole}: cutoffs must be positive")));
        }
        return Ok(IonicState {
            hybrid: false,
            combined: true,
            subs: vec![
                Sub::Short { style: IonicStyle::Buck, cutoff: lj, set: vec![None; n * n] },
                Sub::Coul { style: coul_style, alpha: None, cutoff: coul, set: vec![false; n * n] },
            ],
        });
    }
    if base(name) != "hybrid/overlay" {
        let args: Vec<usize> = (2..w.len()).collect();
        return Ok(IonicState { hybrid: false, combined: false, subs: vec![settings_one(line, name, &args, n)?] });
    }
    let mut subs = Vec::new();
    let mut k = 2;
    while k < w.len() {
        let s = w[k].as_str();
        if !is_member(s) {
            return Err(line.err(format!(
                "pair_style hybrid/overlay is not supported with sub-style '{s}' (hybrid/overlay members supported: {})",
                &IONIC_STYLES[..IONIC_STYLES.len() - 1].join(", ")
            )));
        }
        let mut e = k + 1;
        while e < w.len() && w[e].parse::<f64>().is_ok() {
            e += 1;
        }
        let args: Vec<usize> = (k + 1..e).collect();
        let sub = settings_one(line, s, &args, n)?;
        if subs.iter().any(|x: &Sub| x.name() == sub.name()) {
            return Err(line.err(format!("{}: {} given twice (multiple instances of a sub-style are not supported)", w.join(" "), sub.name())));
        }
        subs.push(sub);
        k = e;
    }
    if subs.is_empty() {
        return Err(line.err("pair_style hybrid/overlay: no sub-styles"));
    }
    Ok(IonicState { hybrid: true, combined: false, subs })
}

/// `pair_coeff` for an ionic style.
pub(super) fn coeff(line: &Line, st: &mut IonicState, elements: &[String], ilo: usize, ihi: usize, jlo: usize, jhi: usize) -> Result<()> {
    let w = &line.words;
    let whole = w.join(" ");
    let n = elements.len();
    if st.combined {
        // buck/coul/long: pair_coeff i j A rho C [cut_lj] (the Coulomb cutoff is global only)
        let long = matches!(st.subs.get(1), Some(Sub::Coul { style: CoulStyle::Long, .. }));
        if long && !(6..=7).contains(&w.len()) {
            return Err(line.err(format!("{whole}: buck/coul/long takes pair_coeff I J A rho C [cut_lj]")));
        }
        // buck/coul/cut: pair_coeff i j A rho C [cut_lj [cut_coul]]
        if !long && !(6..=8).contains(&w.len()) {
            return Err(line.err(format!("{whole}: buck/coul/cut takes pair_coeff I J A rho C [cut_lj [cut_coul]]")));
        }
        // LAMMPS: one per-pair cutoff sets both cut_lj and cut_coul of the pair, a second cut_coul
        if w.len() >= 7 && !long {
            let coul = line.number(w.len() - 1, "cut_coul")?;
            let global = match &st.subs[1] {
                Sub::Coul { cutoff, .. } => *cutoff,
                Sub::Short { .. } => coul,
            };
            if coul != global {
                return Err(line.err(format!(
                    "{whole}: this sets the pair's Coulomb cutoff to {coul} (LAMMPS: a per-pair cutoff sets cut_lj and cut_coul), different from the global {global}; per-pair Coulomb cutoffs are not supported yet"
                )));
            }
        }
        let short: Vec<String> = w.iter().take(7).cloned().collect();
        let l2 = Line { source: line.source, number: line.number, words: short };
        let (a, b) = st.subs.split_at_mut(1);
        coeff_sub(&l2, &mut a[0], false, 3, n, ilo, ihi, jlo, jhi)?;
        let l3 = Line { source: line.source, number: line.number, words: w.iter().take(3).cloned().collect() };
        return coeff_sub(&l3, &mut b[0], false, 3, n, ilo, ihi, jlo, jhi);
    }
    let (sub, first) = if st.hybrid {
        let name = w.get(3).map(String::as_str).unwrap_or("");
        let pos = st.subs.iter().position(|s| s.name() == base(name)).ok_or_else(|| {
            line.err(format!(
                "{whole}: '{name}' is not one of the hybrid/overlay sub-styles ({})",
                st.subs.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
            ))
        })?;
        (&mut st.subs[pos], 4)
    } else {
        (&mut st.subs[0], 3)
    };
    coeff_sub(line, sub, st.hybrid, first, n, ilo, ihi, jlo, jhi)
}

/// `pair_coeff` parameters from word `first` on for one member.
#[allow(clippy::too_many_arguments)]
fn coeff_sub(line: &Line, sub: &mut Sub, hybrid: bool, first: usize, n: usize, ilo: usize, ihi: usize, jlo: usize, jhi: usize) -> Result<()> {
    let w = &line.words;
    let whole = w.join(" ");
    let mut count = 0;
    match sub {
        Sub::Short { style, set, .. } => {
            let k = style.keys().len();
            if w.len() != first + k && w.len() != first + k + 1 {
                return Err(line.err(format!("{whole}: {} takes pair_coeff I J {} [cutoff]", style.name(), style.keys().join(" "))));
            }
            let values = (first..first + k).map(|q| line.number(q, style.keys()[q - first])).collect::<Result<Vec<f64>>>()?;
            let rc = if w.len() == first + k + 1 { Some(line.number(first + k, "cutoff")?) } else { None };
            if matches!(rc, Some(r) if r <= 0.0) {
                return Err(line.err(format!("{whole}: cutoff must be positive")));
            }
            if matches!(style, IonicStyle::Buck | IonicStyle::Born) && values[1] <= 0.0 {
                return Err(line.err(format!("{whole}: rho must be positive")));
            }
            for i in ilo..=ihi {
                for j in jlo.max(i)..=jhi {
                    set[(i - 1) * n + (j - 1)] = Some((values.clone(), rc));
                    count += 1;
                }
            }
        }
        Sub::Coul { style, set, .. } => {
            if w.len() != first {
                return Err(line.err(format!("{whole}: {} takes no pair coefficients (pair_coeff * *{})", style.name(), if hybrid { format!(" {}", style.name()) } else { String::new() })));
            }
            for i in ilo..=ihi {
                for j in jlo.max(i)..=jhi {
                    set[(i - 1) * n + (j - 1)] = true;
                    count += 1;
                }
            }
        }
    }
    if count == 0 {
        return Err(line.err(format!("{whole}: sets no pair (I must not exceed J)")));
    }
    Ok(())
}

/// The specification once all lines are read.
pub(super) fn finish(source: &str, style_line: usize, st: IonicState, elements: &[String], shift: bool) -> Result<PotentialSpec> {
    let n = elements.len();
    let missing = |msg: String| Error::Parse { path: source.to_string(), line: style_line, msg };
    let mut styles = Vec::new();
    for sub in st.subs {
        match sub {
            Sub::Short { style, cutoff, set } => {
                let mut pairs = Vec::new();
                for i in 0..n {
                    for j in i..n {
                        match &set[i * n + j] {
                            Some((values, rc)) => pairs.push(IonicPair { a: elements[i].clone(), b: elements[j].clone(), values: values.clone(), cutoff: *rc }),
                            None if !st.hybrid || st.combined => {
                                return Err(missing(format!(
                                    "{}: no pair_coeff for types {} {} ({}-{}): {} has no mixing rule, every pair must be set (LAMMPS: All pair coeffs are not set)",
                                    style.name(),
                                    i + 1,
                                    j + 1,
                                    elements[i],
                                    elements[j],
                                    style.name()
                                )))
                            }
                            None => {}
                        }
                    }
                }
                if pairs.is_empty() {
                    return Err(missing(format!("{}: no pair_coeff lines", style.name())));
                }
                styles.push(PotentialSpec::ShortRange(ShortRangeSpec { style, elements: elements.to_vec(), cutoff, shift, pairs }));
            }
            Sub::Coul { style, alpha, cutoff, set } => {
                if let Some(k) = set.iter().enumerate().position(|(k, s)| !s && k / n <= k % n) {
                    return Err(missing(format!(
                        "{}: no pair_coeff for types {} {} (give pair_coeff * *{})",
                        style.name(),
                        k / n + 1,
                        k % n + 1,
                        if st.hybrid { format!(" {}", style.name()) } else { String::new() }
                    )));
                }
                styles.push(PotentialSpec::Coulomb(CoulombSpec { style, alpha, cutoff, charges: None, kspace: None }));
            }
        }
    }
    if !st.hybrid && !st.combined {
        return styles.pop().ok_or_else(|| missing("no style".into()));
    }
    Ok(PotentialSpec::Hybrid { styles, charges: None })
}

#[cfg(test)]
mod tests {
    use crate::potentials::lammps_input::parse;
    use crate::potentials::spec::PotentialSpec;

    fn read(text: &str, els: &[&str], q: Option<Vec<f64>>) -> crate::error::Result<PotentialSpec> {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let els: Vec<String> = els.iter().map(|s| s.to_string()).collect();
        parse("in", &lines, &els, &[], q)?.to_spec()
    }

    #[test]
    fn hybrid_lines_become_members_with_charges() {
        let spec = read(
            "pair_style hybrid/overlay pedone/omp 5.5 coul/dsf 0.25 8.0\npair_coeff * * coul/dsf\npair_coeff 1 2 pedone 0.340554 2.0067 2.1 1.0\npair_coeff 2 2 pedone 0.042395 1.379316 3.618701 22.0 5.0\npair_modify shift yes",
            &["Si", "O"],
            Some(vec![2.4, -1.2]),
        )
        .unwrap();
        let PotentialSpec::Hybrid { styles, charges } = &spec else { panic!("hybrid") };
        assert_eq!(charges.as_ref().unwrap().get("O"), Some(-1.2));
        let PotentialSpec::ShortRange(p) = &styles[0] else { panic!("pedone") };
        assert!(p.shift && p.pairs.len() == 2 && p.pairs[1].cutoff == Some(5.0));
        let PotentialSpec::Coulomb(c) = &styles[1] else { panic!("coul") };
        assert_eq!((c.alpha, c.cutoff), (Some(0.25), 8.0));
        spec.build().unwrap();
    }

    #[test]
    fn errors_name_the_problem_and_line() {
        let e = |t: &str| read(t, &["Mg", "O"], Some(vec![2.0, -2.0])).unwrap_err().to_string();
        let m = e("pair_style buck 6.0\npair_coeff 1 1 1.0 0.3 0.0\npair_coeff 2 2 1.0 0.3 0.0");
        assert!(m.contains("types 1 2 (Mg-O)") && m.contains("mixing"), "{m}");
        let m = e("pair_style hybrid/overlay buck 6.0 eam\n");
        assert!(m.contains("not supported with sub-style 'eam'") && m.contains(":1:"), "{m}");
        let m = e("pair_style hybrid/overlay buck 6.0 coul/dsf 0.2 6.0\npair_coeff * * coul/long");
        assert!(m.contains(":2:") && m.contains("'coul/long' is not one of"), "{m}");
        let m = e("pair_style hybrid/overlay buck 6.0 coul/dsf 0.2 6.0\npair_coeff 1 3 buck 1.0 0.3 0.0");
        assert!(m.contains("type '3'"), "{m}");
        let m = e("pair_style coul/wolf 0.2 6.0\npair_coeff 1 1");
        assert!(m.contains("types 1 2"), "{m}");
        let m = e("pair_style buck/coul/cut 6.0 8.0\npair_coeff * * 1.0 0.3 0.0 7.0");
        assert!(m.contains("per-pair Coulomb cutoffs"), "{m}");
        let m = e("pair_style coul/dsf 0.2\n");
        assert!(m.contains("alpha and a cutoff"), "{m}");
        let m = read("pair_style coul/dsf 0.2 6.0\npair_coeff * *", &["Mg", "O"], None).unwrap().build().unwrap_err().to_string();
        assert!(m.contains("charges"), "{m}");
    }
}

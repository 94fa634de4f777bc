//! The prototype table: space group, setting, Wyckoff sites with their free parameters, and a
//! default published parameter set with its source for every structure family.
//!
//! Each default set is one published refinement (or a standard reference value) of the named
//! compound; the citation says where it comes from. Overrides of elements, lattice parameters
//! and Wyckoff free parameters go through [`super::StructureSpec`].

use serde::Serialize;

/// A fractional coordinate of a Wyckoff representative: a fixed number or a named free
/// parameter (with an optional offset, e.g. `x + 1/2` is never needed here).
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(untagged)]
pub enum Coord {
    Fixed(f64),
    Param(&'static str),
}

/// One Wyckoff site of a prototype.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Site {
    /// Sublattice (role) name: the key of `elements` (`A`, `B`, `X`, ...).
    pub role: &'static str,
    /// Label of the site in the source (`O1`, `O2`, ...).
    pub label: &'static str,
    /// Wyckoff multiplicity and letter in the conventional cell, e.g. `12c`.
    pub wyckoff: &'static str,
    /// Representative position.
    pub position: [Coord; 3],
}

impl Site {
    /// The multiplicity written in the Wyckoff symbol (`12c` → 12).
    pub fn multiplicity(&self) -> usize {
        self.wyckoff.trim_end_matches(|c: char| c.is_ascii_alphabetic()).parse().unwrap_or(0)
    }
}

/// The lattice system of the conventional cell, which says which of a, b, c are independent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// a = b = c, 90°.
    Cubic,
    /// a = b, c; γ = 120° (hexagonal axes, also for rhombohedral groups).
    Hexagonal,
    /// a, b, c; 90°.
    Orthorhombic,
}

/// A structure family.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Prototype {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub description: &'static str,
    /// International Tables number.
    pub space_group: u16,
    /// Hermann–Mauguin symbol.
    pub symbol: &'static str,
    /// The setting as ASE's `crystal(..., setting=)` numbers it (1, or 2 for origin choice 2 /
    /// hexagonal axes of rhombohedral groups).
    pub ase_setting: u8,
    pub setting: &'static str,
    pub cell: CellKind,
    /// Sublattices in the order a positional element list fills them.
    pub roles: &'static [&'static str],
    pub sites: &'static [Site],
    /// The compound of the default parameter set.
    pub default_compound: &'static str,
    /// Default element of every role (same order as `roles`).
    pub default_elements: &'static [&'static str],
    /// Default a, b, c (Å); b and c only where the lattice system has them independent.
    pub a: f64,
    pub b: Option<f64>,
    pub c: Option<f64>,
    /// Default free Wyckoff parameters (name, value).
    pub params: &'static [(&'static str, f64)],
    /// Where the default parameter set comes from.
    pub citation: &'static str,
}

use Coord::{Fixed as F, Param as P};

const H: f64 = 0.5;
const Q: f64 = 0.25;
const E: f64 = 0.125;
const T1: f64 = 1.0 / 3.0;
const T2: f64 = 2.0 / 3.0;

/// Every prototype, in the order `scalebridge` lists them.
pub static PROTOTYPES: &[Prototype] = &[
    Prototype {
        name: "perovskite",
        aliases: &["cubic-perovskite", "e21"],
        description: "cubic ABX3 perovskite (SrTiO3, BaZrO3, ...): A 1a, B 1b, X 3c",
        space_group: 221,
        symbol: "Pm-3m",
        ase_setting: 1,
        setting: "standard",
        cell: CellKind::Cubic,
        roles: &["A", "B", "X"],
        sites: &[
            Site { role: "A", label: "Sr", wyckoff: "1a", position: [F(0.0), F(0.0), F(0.0)] },
            Site { role: "B", label: "Ti", wyckoff: "1b", position: [F(H), F(H), F(H)] },
            Site { role: "X", label: "O", wyckoff: "3c", position: [F(0.0), F(H), F(H)] },
        ],
        default_compound: "SrTiO3",
        default_elements: &["Sr", "Ti", "O"],
        a: 3.9053,
        b: None,
        c: None,
        params: &[],
        citation: "SrTiO3, a = 3.9053 Å at 293 K, gamma-ray diffraction (Acta Cryst. B, IUCr paper sh5025, https://scripts.iucr.org/cgi-bin/paper?sh5025)",
    },
    Prototype {
        name: "rocksalt",
        aliases: &["rock-salt", "halite", "b1"],
        description: "rock salt AX (MgO, NaCl, ...): A 4a, X 4b",
        space_group: 225,
        symbol: "Fm-3m",
        ase_setting: 1,
        setting: "standard",
        cell: CellKind::Cubic,
        roles: &["A", "X"],
        sites: &[
            Site { role: "A", label: "Mg", wyckoff: "4a", position: [F(0.0), F(0.0), F(0.0)] },
            Site { role: "X", label: "O", wyckoff: "4b", position: [F(H), F(H), F(H)] },
        ],
        default_compound: "MgO",
        default_elements: &["Mg", "O"],
        a: 4.2117,
        b: None,
        c: None,
        params: &[],
        citation: "MgO (periclase), a = 4.2117 Å at room temperature: R. M. Hazen, Am. Mineral. 61, 266 (1976)",
    },
    Prototype {
        name: "corundum",
        aliases: &["alpha-al2o3", "d51"],
        description: "corundum A2X3 (alpha-Al2O3, Cr2O3, Fe2O3): A 12c (0,0,z), X 18e (x,0,1/4), hexagonal axes",
        space_group: 167,
        symbol: "R-3c",
        ase_setting: 1,
        setting: "hexagonal axes, obverse",
        cell: CellKind::Hexagonal,
        roles: &["A", "X"],
        sites: &[
            Site { role: "A", label: "Al", wyckoff: "12c", position: [F(0.0), F(0.0), P("z_A")] },
            Site { role: "X", label: "O", wyckoff: "18e", position: [P("x_X"), F(0.0), F(Q)] },
        ],
        default_compound: "Al2O3",
        default_elements: &["Al", "O"],
        a: 4.76050,
        b: None,
        c: Some(12.9956),
        params: &[("z_A", 0.35216), ("x_X", 0.30668)],
        citation: "alpha-Al2O3: L. Lutterotti and P. Scardi, J. Appl. Cryst. 23, 246 (1990), Rietveld; COD 1000032",
    },
    Prototype {
        name: "spinel",
        aliases: &["h11", "normal-spinel"],
        description: "normal spinel AB2X4 (MgAl2O4, LiMn2O4): A 8a, B 16d, X 32e (x,x,x), origin choice 2",
        space_group: 227,
        symbol: "Fd-3m",
        ase_setting: 2,
        setting: "origin choice 2 (origin at -3m)",
        cell: CellKind::Cubic,
        roles: &["A", "B", "X"],
        sites: &[
            Site { role: "A", label: "Mg", wyckoff: "8a", position: [F(E), F(E), F(E)] },
            Site { role: "B", label: "Al", wyckoff: "16d", position: [F(H), F(H), F(H)] },
            Site { role: "X", label: "O", wyckoff: "32e", position: [P("x_X"), P("x_X"), P("x_X")] },
        ],
        default_compound: "MgAl2O4",
        default_elements: &["Mg", "Al", "O"],
        a: 8.0832,
        b: None,
        c: None,
        params: &[("x_X", 0.2624)],
        citation: "MgAl2O4, a = 8.0832 Å, x(O) = 0.2624 (origin choice 2) at room temperature: T. Yamanaka and Y. Takéuchi, Z. Kristallogr. 165, 65 (1983)",
    },
    Prototype {
        name: "layered",
        aliases: &["alpha-nafeo2", "licoo2", "o3-layered"],
        description: "layered alpha-NaFeO2 type ABX2 (LiCoO2, LiNiO2): A 3a, B 3b, X 6c (0,0,z), hexagonal axes",
        space_group: 166,
        symbol: "R-3m",
        ase_setting: 1,
        setting: "hexagonal axes, obverse",
        cell: CellKind::Hexagonal,
        roles: &["A", "B", "X"],
        sites: &[
            Site { role: "A", label: "Li", wyckoff: "3a", position: [F(0.0), F(0.0), F(0.0)] },
            Site { role: "B", label: "Co", wyckoff: "3b", position: [F(0.0), F(0.0), F(H)] },
            Site { role: "X", label: "O", wyckoff: "6c", position: [F(0.0), F(0.0), P("z_X")] },
        ],
        default_compound: "LiCoO2",
        default_elements: &["Li", "Co", "O"],
        a: 2.8156,
        b: None,
        c: Some(14.0542),
        params: &[("z_X", 0.2396)],
        citation: "LiCoO2: H. J. Orman and P. J. Wiseman, Acta Cryst. C40, 12 (1984), a = 2.8156 Å, c = 14.0542 Å, z(O) = 0.2396 with Li on 3a",
    },
    Prototype {
        name: "olivine",
        aliases: &["lifepo4", "triphylite"],
        description: "olivine (triphylite) AMTX4 (LiFePO4): A 4a, M 4c, T 4c, X 4c+4c+8d, Pnma",
        space_group: 62,
        symbol: "Pnma",
        ase_setting: 1,
        setting: "standard (Pnma)",
        cell: CellKind::Orthorhombic,
        roles: &["A", "M", "T", "X"],
        sites: &[
            Site { role: "A", label: "Li", wyckoff: "4a", position: [F(0.0), F(0.0), F(0.0)] },
            Site { role: "M", label: "Fe", wyckoff: "4c", position: [P("x_M"), F(Q), P("z_M")] },
            Site { role: "T", label: "P", wyckoff: "4c", position: [P("x_T"), F(Q), P("z_T")] },
            Site { role: "X", label: "O1", wyckoff: "4c", position: [P("x_O1"), F(Q), P("z_O1")] },
            Site { role: "X", label: "O2", wyckoff: "4c", position: [P("x_O2"), F(Q), P("z_O2")] },
            Site { role: "X", label: "O3", wyckoff: "8d", position: [P("x_O3"), P("y_O3"), P("z_O3")] },
        ],
        default_compound: "LiFePO4",
        default_elements: &["Li", "Fe", "P", "O"],
        a: 10.332,
        b: Some(6.010),
        c: Some(4.692),
        params: &[
            ("x_M", 0.28222),
            ("z_M", 0.97472),
            ("x_T", 0.09486),
            ("z_T", 0.41820),
            ("x_O1", 0.09678),
            ("z_O1", 0.74279),
            ("x_O2", 0.45710),
            ("z_O2", 0.20602),
            ("x_O3", 0.16558),
            ("y_O3", 0.04646),
            ("z_O3", 0.28478),
        ],
        citation: "LiFePO4: V. A. Streltsov, E. L. Belokoneva, V. G. Tsirelson and N. K. Hansen, Acta Cryst. B49, 147 (1993), single-crystal X-ray",
    },
    Prototype {
        name: "wurtzite",
        aliases: &["b4"],
        description: "wurtzite AX (GaN, ZnO, AlN): A 2b (1/3,2/3,0), X 2b (1/3,2/3,u)",
        space_group: 186,
        symbol: "P6_3mc",
        ase_setting: 1,
        setting: "standard",
        cell: CellKind::Hexagonal,
        roles: &["A", "X"],
        sites: &[
            Site { role: "A", label: "Ga", wyckoff: "2b", position: [F(T1), F(T2), F(0.0)] },
            Site { role: "X", label: "N", wyckoff: "2b", position: [F(T1), F(T2), P("u")] },
        ],
        default_compound: "GaN",
        default_elements: &["Ga", "N"],
        a: 3.1893,
        b: None,
        c: Some(5.1851),
        params: &[("u", 0.377)],
        citation: "GaN: a = 3.1893 Å, c = 5.1851 Å (unstrained, as tabulated in Sci. Rep. 8, 9454 (2018), Table 1); u = 0.377: H. Schulz and K. H. Thiemann, Solid State Commun. 23, 815 (1977)",
    },
    Prototype {
        name: "zincblende",
        aliases: &["sphalerite", "b3", "beta-sic", "3c-sic"],
        description: "zincblende AX (beta-SiC, GaAs): A 4a, X 4c",
        space_group: 216,
        symbol: "F-43m",
        ase_setting: 1,
        setting: "standard",
        cell: CellKind::Cubic,
        roles: &["A", "X"],
        sites: &[
            Site { role: "A", label: "Si", wyckoff: "4a", position: [F(0.0), F(0.0), F(0.0)] },
            Site { role: "X", label: "C", wyckoff: "4c", position: [F(Q), F(Q), F(Q)] },
        ],
        default_compound: "SiC (3C, beta)",
        default_elements: &["Si", "C"],
        a: 4.3596,
        b: None,
        c: None,
        params: &[],
        citation: "3C-SiC, a = 4.3596 Å at 297 K: A. Taylor and R. M. Jones, in Silicon Carbide (Pergamon, 1960), p. 147; Landolt-Börnstein III/41A1",
    },
    Prototype {
        name: "diamond",
        aliases: &["a4", "diamond-cubic"],
        description: "diamond cubic A (Si, Ge, C): A 8a, origin choice 2",
        space_group: 227,
        symbol: "Fd-3m",
        ase_setting: 2,
        setting: "origin choice 2 (origin at -3m)",
        cell: CellKind::Cubic,
        roles: &["A"],
        sites: &[Site { role: "A", label: "Si", wyckoff: "8a", position: [F(E), F(E), F(E)] }],
        default_compound: "Si",
        default_elements: &["Si"],
        a: 5.431020511,
        b: None,
        c: None,
        params: &[],
        citation: "Si, a = 5.431020511 Å at 22.5 °C in vacuum: CODATA 2018 recommended value (E. Tiesinga et al., Rev. Mod. Phys. 93, 025010 (2021))",
    },
    Prototype {
        name: "fluorite",
        aliases: &["c1"],
        description: "fluorite AX2 (CeO2, cubic ZrO2, UO2): A 4a, X 8c",
        space_group: 225,
        symbol: "Fm-3m",
        ase_setting: 1,
        setting: "standard",
        cell: CellKind::Cubic,
        roles: &["A", "X"],
        sites: &[
            Site { role: "A", label: "Ce", wyckoff: "4a", position: [F(0.0), F(0.0), F(0.0)] },
            Site { role: "X", label: "O", wyckoff: "8c", position: [F(Q), F(Q), F(Q)] },
        ],
        default_compound: "CeO2",
        default_elements: &["Ce", "O"],
        a: 5.4113,
        b: None,
        c: None,
        params: &[],
        citation: "CeO2, a = 5.4113 Å at 25 °C: Natl. Bur. Stand. (U.S.) Monogr. 25, sec. 20, 38 (1983), powder pattern PDF 34-0394",
    },
    Prototype {
        name: "alpha-quartz",
        aliases: &["quartz", "low-quartz"],
        description: "alpha-quartz AX2 (SiO2, GeO2): A 3a (x,0,2/3), X 6c general, P3_2 21 in the ITA setting",
        space_group: 154,
        symbol: "P3_221",
        ase_setting: 1,
        setting: "standard (ITA); the coordinates usually quoted (Si at (x,0,0)) are this setting with z shifted by 1/3 — here they are moved by +2/3",
        cell: CellKind::Hexagonal,
        roles: &["A", "X"],
        sites: &[
            Site { role: "A", label: "Si", wyckoff: "3a", position: [P("x_A"), F(0.0), F(T2)] },
            Site { role: "X", label: "O", wyckoff: "6c", position: [P("x_X"), P("y_X"), P("z_X")] },
        ],
        default_compound: "SiO2",
        default_elements: &["Si", "O"],
        a: 4.9160,
        b: None,
        c: Some(5.4054),
        params: &[("x_A", 0.4697), ("x_X", 0.4135), ("y_X", 0.2669), ("z_X", 0.1191 + T2)],
        citation: "alpha-quartz at 1 atm: L. Levien, C. T. Prewitt and D. J. Weidner, Am. Mineral. 65, 920 (1980) (values as commonly quoted from it; the paper itself was not read here)",
    },
];

/// The prototype called `name` (case-insensitive; `-`/`_` ignored; aliases accepted).
pub fn find(name: &str) -> Option<&'static Prototype> {
    let key = normalise(name);
    PROTOTYPES.iter().find(|p| normalise(p.name) == key || p.aliases.iter().any(|a| normalise(a) == key))
}

/// The names of every prototype.
pub fn names() -> Vec<&'static str> {
    PROTOTYPES.iter().map(|p| p.name).collect()
}

pub(crate) fn normalise(s: &str) -> String {
    s.to_ascii_lowercase().chars().filter(|c| *c != '-' && *c != '_' && !c.is_whitespace()).collect()
}

"""Generate crates/ml/data/elements.csv ONCE from the Magpie elemental tables shipped in matminer.

Run by hand (not at build or run time):
    pip download matminer --no-deps -d /tmp/mm && unzip -o /tmp/mm/matminer-*.whl -d /tmp/mm/x
    python crates/ml/data/generate_elements.py /tmp/mm/x/matminer/utils/data_files/magpie_elementdata

Source: Magpie elemental property tables (Ward, Agrawal, Choudhary, Wolverton,
npj Comput. Mater. 2, 16028 (2016)) as distributed in matminer 0.10.1
(matminer/utils/data_files/magpie_elementdata, BSD-style licence, (c) 2015 The Regents of the
University of California, LBNL). Most values originate from Mathematica's ElementData, OQMD
(GS* columns) and the CRC handbook; see the README.txt in that folder. Missing values are empty.
"""
import pathlib
import sys

SYMBOLS = """H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As
Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho
Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md
No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og""".split()

# The 22 properties of the Magpie "magpie" preset, then extra physical properties.
PROPS = [
    "Number", "MendeleevNumber", "AtomicWeight", "MeltingT", "Column", "Row", "CovalentRadius",
    "Electronegativity", "NsValence", "NpValence", "NdValence", "NfValence", "NValence",
    "NsUnfilled", "NpUnfilled", "NdUnfilled", "NfUnfilled", "NUnfilled", "GSvolume_pa",
    "GSbandgap", "GSmagmom", "SpaceGroupNumber",
    "BulkModulus", "ShearModulus", "LogThermalConductivity", "Density", "FirstIonizationEnergy",
    "ElectronAffinity", "Polarizability", "HeatCapacityMolar", "GSenergy_pa", "AtomicVolume",
    "IsMetal", "IsDBlock", "IsFBlock",
]
NZ = 103  # elements H..Lr


def main(folder: str) -> None:
    src = pathlib.Path(folder)
    cols = {}
    for p in PROPS:
        lines = (src / f"{p}.table").read_text().splitlines()
        vals = []
        for z in range(NZ):
            tok = lines[z].strip().split()[0] if z < len(lines) and lines[z].strip() else ""
            try:
                v = float(tok)
                vals.append(repr(v) if v == v else "")
            except ValueError:
                vals.append("")
        cols[p] = vals
    out = pathlib.Path(__file__).with_name("elements.csv")
    with out.open("w") as f:
        f.write("symbol,Z," + ",".join(PROPS) + "\n")
        for z in range(NZ):
            f.write(f"{SYMBOLS[z]},{z + 1}," + ",".join(cols[p][z] for p in PROPS) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1])

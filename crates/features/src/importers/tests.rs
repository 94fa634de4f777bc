#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Small files of each database's documented shape, written here, read back as feature tables.

use super::*;
use crate::error::FeatureError;

fn imp(source: Source, text: &str) -> FeatureTable {
    import_str(source, text, "test.json", &ImportOptions::default()).unwrap()
}

fn col(t: &FeatureTable, name: &str) -> Vec<f64> {
    t.floats(name).unwrap().to_vec()
}

fn unit(t: &FeatureTable, name: &str) -> String {
    t.column(name).unwrap().unit.clone()
}

fn err(source: Source, text: &str) -> String {
    match import_str(source, text, "bad.json", &ImportOptions::default()) {
        Err(e @ FeatureError::Malformed { .. }) => e.to_string(),
        other => panic!("expected a Malformed error, got {other:?}"),
    }
}

#[test]
fn materials_project_summary_and_elasticity_documents() {
    // mp-api summary documents (REST response wrapper), moduli as {voigt, reuss, vrh}
    let summary = r#"{"data": [
        {"material_id": "mp-149", "formula_pretty": "Si", "composition": {"Si": 2.0},
         "formation_energy_per_atom": 0.0, "energy_above_hull": 0.0, "band_gap": 0.85, "density": 2.33,
         "bulk_modulus": {"voigt": 88.6, "reuss": 88.6, "vrh": 88.6}, "shear_modulus": {"voigt": 64.8, "reuss": 60.8, "vrh": 62.8},
         "universal_anisotropy": 0.33, "homogeneous_poisson": 0.21},
        {"material_id": "mp-1143", "formula_pretty": "Al2O3", "composition": {"Al": 4.0, "O": 6.0},
         "formation_energy_per_atom": -3.427, "energy_above_hull": 0.0, "band_gap": 5.85, "density": 3.95,
         "bulk_modulus": null, "shear_modulus": null}
    ], "meta": {"total_doc": 2}}"#;
    let t = imp(Source::MaterialsProject, summary);
    assert_eq!(t.n_rows(), 2);
    assert_eq!(t.texts("material").unwrap(), ["mp-149", "mp-1143"]);
    assert_eq!(t.texts("formula").unwrap(), ["Si", "Al2O3"]);
    assert_eq!(t.texts("class").unwrap(), ["materials_project", "materials_project"]);
    assert_eq!(col(&t, "x_Si"), [1.0, 0.0]);
    assert_eq!(col(&t, "x_Al"), [0.0, 0.4]);
    assert_eq!(col(&t, "x_O"), [0.0, 0.6]);
    assert_eq!(col(&t, "band_gap"), [0.85, 5.85]);
    assert_eq!(unit(&t, "band_gap"), "eV");
    assert_eq!(unit(&t, "formation_energy_per_atom"), "eV/atom");
    let k = col(&t, "bulk_modulus_vrh");
    assert_eq!(k[0], 88.6);
    assert!(k[1].is_nan(), "null moduli are missing values");
    assert_eq!(col(&t, "shear_modulus_reuss")[0], 60.8);
    assert_eq!(unit(&t, "shear_modulus_vrh"), "GPa");
    assert_eq!(t.column("bulk_modulus_vrh").unwrap().scale, Scale::Target);
    assert_eq!(t.column("x_Si").unwrap().scale, Scale::Composition);
    // legacy elasticity documents: elasticity.K_VRH / G_VRH (keys in any case), a single document
    let legacy = r#"{"task_id": "mp-30", "pretty_formula": "Cu", "elasticity": {"K_VRH": 140.0, "G_VRH": 47.0, "k_voigt": 141.0, "poisson_ratio": 0.35, "elastic_anisotropy": 2.1}}"#;
    let t = imp(Source::MaterialsProject, legacy);
    assert_eq!((col(&t, "bulk_modulus_vrh"), col(&t, "shear_modulus_vrh"), col(&t, "bulk_modulus_voigt")), (vec![140.0], vec![47.0], vec![141.0]));
    assert_eq!((col(&t, "poisson_ratio"), col(&t, "universal_anisotropy"), col(&t, "x_Cu")), (vec![0.35], vec![2.1], vec![1.0]));
    assert_eq!(t.texts("material").unwrap(), ["mp-30"]);
    // elasticity documents of the new API: a list, k_vrh/g_vrh keys
    let t = imp(Source::MaterialsProject, r#"[{"material_id": "mp-13", "formula_pretty": "Fe", "elasticity": {"k_vrh": 180.5, "g_vrh": 80.0}}]"#);
    assert_eq!((col(&t, "bulk_modulus_vrh"), col(&t, "shear_modulus_vrh")), (vec![180.5], vec![80.0]));
}

#[test]
fn jarvis_dft_3d_records_with_na() {
    let text = r#"[
        {"jid": "JVASP-1002", "formula": "Si", "atoms": {"elements": ["Si", "Si"], "lattice_mat": [[0,2.7,2.7],[2.7,0,2.7],[2.7,2.7,0]], "coords": [[0,0,0],[0.25,0.25,0.25]], "cartesian": false},
         "formation_energy_peratom": 0.0, "optb88vdw_bandgap": 0.731, "mbj_bandgap": 1.277, "bulk_modulus_kv": 87.3, "shear_modulus_gv": 63.9, "ehull": 0.0, "density": 2.317},
        {"jid": "JVASP-32", "formula": "Al2O3", "atoms": {"elements": ["Al", "Al", "O", "O", "O"]},
         "formation_energy_peratom": -3.4, "optb88vdw_bandgap": 6.2, "mbj_bandgap": "na", "bulk_modulus_kv": "na", "shear_modulus_gv": 150.1, "ehull": 0.0}
    ]"#;
    let t = imp(Source::Jarvis, text);
    assert_eq!(t.texts("material").unwrap(), ["JVASP-1002", "JVASP-32"]);
    assert_eq!(col(&t, "x_Al"), [0.0, 0.4]);
    assert_eq!(col(&t, "bulk_modulus_voigt")[0], 87.3);
    assert!(col(&t, "bulk_modulus_voigt")[1].is_nan());
    assert!(col(&t, "band_gap_mbj")[1].is_nan());
    assert_eq!(col(&t, "shear_modulus_voigt"), [63.9, 150.1]);
    assert_eq!(unit(&t, "shear_modulus_voigt"), "GPa");
    assert_eq!(col(&t, "formation_energy_per_atom"), [0.0, -3.4]);
    assert!(col(&t, "density")[1].is_nan());
    // a text where a modulus belongs names the record and the field
    let e = err(Source::Jarvis, r#"[{"jid": "JVASP-7", "formula": "Cu", "bulk_modulus_kv": "stiff"}]"#);
    assert!(e.contains("JVASP-7") && e.contains("bulk_modulus_kv") && e.contains("\"stiff\"") && e.contains("bad.json"), "{e}");
}

#[test]
fn aflow_aflux_json_in_both_layouts() {
    let list = r#"[
        {"auid": "aflow:0a1b", "compound": "Ag1Al1", "species": ["Ag", "Al"], "composition": [1, 1],
         "ael_bulk_modulus_vrh": 92.1, "ael_shear_modulus_vrh": 30.2, "ael_poisson_ratio": 0.35, "agl_debye": 310.5,
         "agl_thermal_conductivity_300K": 12.5, "enthalpy_formation_atom": -0.05, "Egap": 0},
        {"auid": "aflow:ffee", "compound": "Al2O3", "species": "Al,O", "composition": "4,6", "ael_bulk_modulus_vrh": 231.0}
    ]"#;
    let t = imp(Source::Aflow, list);
    assert_eq!(t.texts("material").unwrap(), ["aflow:0a1b", "aflow:ffee"]);
    assert_eq!(t.texts("formula").unwrap(), ["Ag1Al1", "Al2O3"]);
    assert_eq!(col(&t, "x_Ag"), [0.5, 0.0]);
    assert_eq!(col(&t, "x_O"), [0.0, 0.6]);
    assert_eq!(col(&t, "bulk_modulus_vrh"), [92.1, 231.0]);
    assert_eq!(col(&t, "debye_temperature")[0], 310.5);
    assert_eq!(unit(&t, "debye_temperature"), "K");
    assert_eq!(unit(&t, "thermal_conductivity_300K"), "W/(m K)");
    // the older object-of-records layout, composition from the compound
    let t = imp(Source::Aflow, r#"{"1": {"aurl": "aflowlib.duke.edu:AFLOWDATA/ICSD_WEB/FCC/Cu1", "compound": "Cu1", "ael_bulk_modulus_vrh": 140.0}, "2": {"aurl": "x:Ni1", "compound": "Ni1", "ael_bulk_modulus_vrh": 190.0}}"#);
    assert_eq!(col(&t, "bulk_modulus_vrh"), [140.0, 190.0]);
    assert_eq!(col(&t, "x_Ni"), [0.0, 1.0]);
    let e = err(Source::Aflow, r#"[{"auid": "aflow:1", "species": ["Ag", "Al"], "composition": [1]}]"#);
    assert!(e.contains("aflow:1") && e.contains("composition") && e.contains("1 counts for 2 species"), "{e}");
}

#[test]
fn oqmd_rest_response() {
    // the documented response of /oqmdapi/formationenergy
    let text = r#"{"links": {"next": null}, "resource": {}, "data": [
        {"name": "NaAlH2CO5", "entry_id": 16974, "spacegroup": "Imma", "ntypes": 5, "band_gap": 5.255, "delta_e": -2.05739610121138, "stability": 0.01},
        {"name": "Al2O3", "entry_id": 2, "composition": "Al2 O3", "band_gap": 6.0, "delta_e": -3.4, "stability": 0.0}
    ], "meta": {"api_version": "1.0"}}"#;
    let t = imp(Source::Oqmd, text);
    assert_eq!(t.texts("material").unwrap(), ["16974", "2"]);
    assert_eq!(col(&t, "formation_energy_per_atom"), [-2.05739610121138, -3.4]);
    assert_eq!(col(&t, "energy_above_hull"), [0.01, 0.0]);
    // NaAlH2CO5: 10 atoms
    assert_eq!(col(&t, "x_O"), [0.5, 0.6]);
    assert_eq!(col(&t, "x_Na"), [0.1, 0.0]);
    let e = err(Source::Oqmd, r#"{"data": [{"name": "Xq2O3", "entry_id": 5, "delta_e": -1}]}"#);
    assert!(e.contains("#0 (5)") && e.contains("\"name\"") && e.contains("unknown element \"Xq\""), "{e}");
    let e = err(Source::Oqmd, r#"{"data": [{"name": "Al2O3", "entry_id": 6, "delta_e": [1]}]}"#);
    assert!(e.contains("delta_e") && e.contains("got a list"), "{e}");
}

#[test]
fn matbench_csv_and_json() {
    let opts = ImportOptions { target_unit: Some("GPa".into()) };
    let t = import_str(Source::Matbench, "formula,target\nFe2O3,210.5\nNiAl,160\n", "m.csv", &opts).unwrap();
    assert_eq!(t.texts("formula").unwrap(), ["Fe2O3", "NiAl"]);
    assert_eq!(col(&t, "target"), [210.5, 160.0]);
    assert_eq!(unit(&t, "target"), "GPa");
    assert_eq!(col(&t, "x_Fe"), [0.4, 0.0]);
    // an unknown target needs its unit
    let e = import_str(Source::Matbench, "formula,target\nFe,1\n", "m.csv", &ImportOptions::default()).unwrap_err().to_string();
    assert!(e.contains("unknown Matbench target") && e.contains("--unit"), "{e}");
    // matminer's split JSON: a known target carries its unit
    let js = r#"{"index": ["mb-expt-gap-0001", "mb-expt-gap-0002"], "columns": ["composition", "gap expt"], "data": [["Ag(AuS)2", 0.0], ["AgCl", 3.25]]}"#;
    let t = imp(Source::Matbench, js);
    assert_eq!(t.texts("material").unwrap(), ["mb-expt-gap-0001", "mb-expt-gap-0002"]);
    assert_eq!(col(&t, "gap expt"), [0.0, 3.25]);
    assert_eq!(unit(&t, "gap expt"), "eV");
    assert_eq!(col(&t, "x_Au"), [0.4, 0.0]);
    // a structure dataset: the composition from the pymatgen sites
    let js = r#"{"index": [0], "columns": ["structure", "log10(K_VRH)"], "data": [[{"@module": "pymatgen.core.structure", "sites": [{"species": [{"element": "Mg", "occu": 1}]}, {"species": [{"element": "O", "occu": 1}]}]}, 2.2]]}"#;
    let t = imp(Source::Matbench, js);
    assert_eq!((col(&t, "x_Mg"), col(&t, "x_O"), unit(&t, "log10(K_VRH)")), (vec![0.5], vec![0.5], "log10(GPa)".to_string()));
    let e = err(Source::Matbench, r#"{"columns": ["composition", "e_form"], "data": [["Fe", 1.0], ["Fe", "high"]]}"#);
    assert!(e.contains("#1") && e.contains("e_form") && e.contains("\"high\""), "{e}");
}

#[test]
fn malformed_files_are_clear_errors() {
    assert!(err(Source::MaterialsProject, "{not json").contains("not JSON"));
    assert!(err(Source::MaterialsProject, "[]").contains("no records"));
    assert!(err(Source::MaterialsProject, "[1, 2]").contains("#0"));
    let e = err(Source::MaterialsProject, r#"[{"material_id": "mp-1", "composition": {"Fe": "lots"}}]"#);
    assert!(e.contains("mp-1") && e.contains("composition") && e.contains("Fe"), "{e}");
    let e = err(Source::MaterialsProject, r#"[{"material_id": "mp-2", "band_gap": 1.0}]"#);
    assert!(e.contains("mp-2") && e.contains("no composition or formula"), "{e}");
    assert!(Source::parse("nomad").is_err());
    assert_eq!(Source::parse("MP").unwrap(), Source::MaterialsProject);
}

#[cfg(feature = "parquet")]
#[test]
fn imported_table_round_trips_through_parquet() {
    let t = imp(Source::Oqmd, r#"{"data": [{"name": "Al2O3", "entry_id": 2, "delta_e": -3.4, "stability": 0.0}]}"#);
    let path = std::env::temp_dir().join(format!("scalebridge-import-roundtrip-{}.parquet", std::process::id()));
    crate::write_parquet(&t, &path).unwrap();
    let back = crate::read_parquet(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back.floats("formation_energy_per_atom").unwrap(), [-3.4]);
    assert_eq!(back.column("formation_energy_per_atom").unwrap().unit, "eV/atom");
    assert_eq!(back.texts("formula").unwrap(), ["Al2O3"]);
}

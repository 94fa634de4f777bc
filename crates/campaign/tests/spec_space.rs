//! Campaign files: errors name key and line; the design space has the analytic number of
//! candidates; task hashes are deterministic and distinct.

use scalebridge_campaign::space::enumerate;
use scalebridge_campaign::spec::Goal;
use scalebridge_campaign::{Campaign, CampaignError};
use std::path::Path;

const GOOD: &str = r#"name = "t"
[space]
elements = ["Co", "Cr", "Fe", "Ni", "Cu", "Al"]
components = [3, 5]
step = 0.05
lattice = ["fcc", "bcc"]
temperature_K = [300]
microstructure = { kind = "polycrystal", grains = 20, resolution = 24 }
potential = { generator = "zhou2004" }
[[target]]
property = "E_GPa"
goal = "max"
[[target]]
property = "kappa_W_mK"
goal = ">= 2.5"
[search]
budget = 60
batch = 4
model = "gp"
acquisition = "ucb"
initial = 12
seed = 1
[output]
directory = "campaign-out"
database = "sqlite:///campaign-out/results.db"
"#;

fn parse(text: &str) -> Result<Campaign, CampaignError> {
    Campaign::from_toml_str(text, "c.toml", Path::new("/tmp/base"))
}

fn binom(n: usize, k: usize) -> usize {
    (0..k).fold(1, |a, i| a * (n - i) / (i + 1))
}

#[test]
fn issue_example_parses_and_counts_candidates() {
    let c = parse(GOOD).unwrap();
    assert_eq!(c.targets[1].goal, Goal::AtLeast(2.5));
    assert_eq!(c.output.database, "sqlite:///tmp/base/campaign-out/results.db");
    let n = enumerate(&c).unwrap().len();
    // k of 6 elements, 20 grid units into k positive parts: C(6,k) C(19,k-1); × 2 lattices
    let expect = (binom(6, 3) * binom(19, 2) + binom(6, 5) * binom(19, 4)) * 2;
    assert_eq!(n, expect);
}

fn err_of(text: &str) -> (usize, String, String) {
    match parse(text) {
        Err(CampaignError::Parse { line, key, msg, .. }) => (line, key, msg),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn errors_name_key_and_line() {
    let (line, key, msg) = err_of(&GOOD.replace("goal = \"max\"", "goal = \"biggest\""));
    assert_eq!((line, key.as_str()), (12, "goal"), "{msg}");
    let (line, key, _) = err_of(&GOOD.replace("step = 0.05", "step = 0.07"));
    assert_eq!((line, key.as_str()), (5, "step"));
    let (line, key, msg) = err_of(&GOOD.replace("batch = 4", "batch = 4\nbudjet = 3"));
    assert_eq!(line, 19, "{key}: {msg}");
    assert!(msg.contains("budjet"), "{msg}");
    let (line, key, _) = err_of(&GOOD.replace("\"Cu\", \"Al\"", "\"Cu\", \"Xx\""));
    assert_eq!((line, key.as_str()), (3, "elements"));
    let (line, key, _) = err_of(&GOOD.replace("model = \"gp\"", "model = \"svm\""));
    assert_eq!((line, key.as_str()), (19, "model"));
    let (_, key, _) = err_of(&GOOD.replace("temperature_K = [300]", "temperature_K = [0]"));
    assert_eq!(key, "property", "kappa at 0 K is refused");
    let (line, key, _) = err_of(&GOOD.replace("components = [3, 5]", "components = [3, 7]"));
    assert_eq!((line, key.as_str()), (4, "components"));
}

#[test]
fn task_hashes_are_deterministic_and_distinct() {
    let text = GOOD.replace("components = [3, 5]", "components = [2]").replace("step = 0.05", "step = 0.25");
    let c = parse(&text).unwrap();
    let cands = enumerate(&c).unwrap();
    assert_eq!(cands.len(), binom(6, 2) * 3 * 2);
    let h: Vec<String> = cands.iter().map(|x| x.task_hash(&c).unwrap()).collect();
    let again: Vec<String> = enumerate(&parse(&text).unwrap()).unwrap().iter().map(|x| x.task_hash(&c).unwrap()).collect();
    assert_eq!(h, again);
    let set: std::collections::BTreeSet<&String> = h.iter().collect();
    assert_eq!(set.len(), h.len());
    // a changed input (the temperature) changes the hash
    let c2 = parse(&text.replace("temperature_K = [300]", "temperature_K = [301]")).unwrap();
    assert_ne!(enumerate(&c2).unwrap()[0].task_hash(&c2).unwrap(), h[0]);
}

//! Active learning with the campaign's own batch selection (`State::next_batch`) on a small,
//! exhaustively labelled space: it finds the best candidate with at most half the simulations
//! random search needs (median over seeds). The labels are a table (the oracle), so this runs in
//! seconds; the same comparison with real `describe` labels is in docs/campaigns.md.

use scalebridge_campaign::space::enumerate;
use scalebridge_campaign::{Campaign, State};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

fn campaign(seed: u64) -> Campaign {
    let text = format!(
        r#"name = "al"
[space]
elements = ["Al", "Co", "Cu", "Ni"]
components = [2, 3]
step = 0.1
lattice = ["fcc"]
temperature_K = [0]
[[target]]
property = "E_GPa"
goal = "max"
[search]
budget = 1000
batch = 2
initial = 4
seed = {seed}
"#
    );
    Campaign::from_toml_str(&text, "al.toml", Path::new("/tmp")).unwrap()
}

/// A smooth stiffness landscape over the compositions (rule of mixtures with bowing): the
/// element moduli of Al, Co, Cu, Ni (70, 209, 130, 200 GPa) and a negative Co–Ni and positive
/// Al–Cu interaction term, so the best candidate is inside the space, not at a corner.
fn oracle(comp: &[(String, f64)]) -> f64 {
    let x = |e: &str| comp.iter().find(|c| c.0 == e).map_or(0.0, |c| c.1);
    let (al, co, cu, ni) = (x("Al"), x("Co"), x("Cu"), x("Ni"));
    70.0 * al + 209.0 * co + 130.0 * cu + 200.0 * ni - 180.0 * co * ni + 90.0 * al * cu + 120.0 * co * cu
}

fn al_simulations(seed: u64) -> usize {
    let c = campaign(seed);
    let cands = enumerate(&c).unwrap();
    let y: Vec<f64> = cands.iter().map(|k| oracle(&k.composition)).collect();
    let best = (0..y.len()).max_by(|&a, &b| y[a].total_cmp(&y[b])).unwrap();
    let mut state = State { campaign: c, candidates: cands, done: BTreeMap::new(), failed: BTreeMap::new(), running: BTreeMap::new(), foreign: 0 };
    loop {
        let batch = state.next_batch().unwrap();
        assert!(!batch.is_empty());
        for i in batch {
            state.done.insert(i, json!({"values": {"E_GPa": y[i]}}));
            if i == best {
                return state.done.len();
            }
        }
    }
}

fn random_simulations(seed: u64) -> usize {
    let c = campaign(seed);
    let cands = enumerate(&c).unwrap();
    let y: Vec<f64> = cands.iter().map(|k| oracle(&k.composition)).collect();
    let best = (0..y.len()).max_by(|&a, &b| y[a].total_cmp(&y[b])).unwrap();
    let state = State { campaign: c, candidates: cands, done: BTreeMap::new(), failed: BTreeMap::new(), running: BTreeMap::new(), foreign: 0 };
    state.permutation().iter().position(|&i| i == best).unwrap() + 1
}

fn median(mut v: Vec<usize>) -> f64 {
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 { v[n / 2] as f64 } else { 0.5 * (v[n / 2 - 1] + v[n / 2]) as f64 }
}

#[test]
fn active_learning_needs_at_most_half_of_random_search() {
    let seeds = 1..=9u64;
    let al: Vec<usize> = seeds.clone().map(al_simulations).collect();
    let rnd: Vec<usize> = seeds.map(random_simulations).collect();
    let n = enumerate(&campaign(1)).unwrap().len();
    eprintln!("space {n}: active learning {al:?} (median {}), random {rnd:?} (median {})", median(al.clone()), median(rnd.clone()));
    assert!(median(al.clone()) <= 0.5 * median(rnd), "active learning {al:?} vs random {:?}", (1..=9).map(random_simulations).collect::<Vec<_>>());
}

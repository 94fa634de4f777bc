//! Tokens: which feature columns form which token, and at which scale.
//!
//! Every token is a group of feature columns that one linear map embeds into `d_model`
//! (plus a learned embedding of the token's scale). Groups come from
//! - an explicit user mapping ([`GroupDef`]: token name, scale, column names), or
//! - column-name prefixes: `atom_` / `atomistic_` → atomistic, `meso_` / `mesoscale_` →
//!   mesoscale, `cont_` / `continuum_` → continuum, `comp_` → composition; the 216 composition
//!   features of [`Featurizer`] are split by property family ([`CompositionSplit`]) so that
//!   formula-only data still gives the attention several tokens; other columns are "other".
//!
//! A token holds at most `max_token_width` columns; wider groups are cut into consecutive chunks
//! of the same scale.

use crate::error::{MlError, Result};
use crate::featurize::{Featurizer, STATS};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Length scale a group of descriptors belongs to (indexes the learned scale embedding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scale {
    Atomistic,
    Mesoscale,
    Continuum,
    Composition,
    Other,
}

impl Scale {
    pub const COUNT: usize = 5;

    pub fn index(self) -> usize {
        match self {
            Scale::Atomistic => 0,
            Scale::Mesoscale => 1,
            Scale::Continuum => 2,
            Scale::Composition => 3,
            Scale::Other => 4,
        }
    }

    /// Parse `atomistic`, `mesoscale`, `continuum`, `composition`, `other` (or the prefixes
    /// `atom`, `meso`, `cont`, `comp`).
    pub fn parse(s: &str) -> Result<Scale> {
        match s.to_ascii_lowercase().as_str() {
            "atom" | "atomistic" => Ok(Scale::Atomistic),
            "meso" | "mesoscale" => Ok(Scale::Mesoscale),
            "cont" | "continuum" => Ok(Scale::Continuum),
            "comp" | "composition" => Ok(Scale::Composition),
            "other" => Ok(Scale::Other),
            _ => Err(MlError::param(
                "scale",
                s,
                "expected atomistic, mesoscale, continuum, composition or other",
            )),
        }
    }

    /// Scale named by a column prefix, if any.
    fn from_prefix(name: &str) -> Option<Scale> {
        let n = name.to_ascii_lowercase();
        let table = [
            ("atomistic_", Scale::Atomistic),
            ("atom_", Scale::Atomistic),
            ("mesoscale_", Scale::Mesoscale),
            ("meso_", Scale::Mesoscale),
            ("continuum_", Scale::Continuum),
            ("cont_", Scale::Continuum),
            ("comp_", Scale::Composition),
        ];
        table
            .iter()
            .find(|(p, _)| n.starts_with(p))
            .map(|(_, s)| *s)
    }
}

/// How the Magpie composition features are cut into tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompositionSplit {
    /// One token per statistic (mean, avg_dev, min, max, range, mode: 35 properties each) plus a
    /// stoichiometry token (n_elements and the L^p norms): 7 tokens.
    ByStat,
    /// One token per elemental property (6 statistics each) plus the stoichiometry token: 36 tokens.
    ByProperty,
    /// All composition features in one token (cut at `max_token_width`).
    Single,
}

/// One user-defined token: a name, its scale and the feature columns it embeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDef {
    pub name: String,
    pub scale: Scale,
    pub columns: Vec<String>,
}

/// Token groups from the scales of feature-table columns (the `scale` metadata, no name
/// convention): one group per feature scale present, named after it, in the order composition,
/// atomistic, mesoscale, continuum, physics (physics columns use the `Other` scale embedding).
/// Groups wider than `max_token_width` are cut into consecutive tokens of that scale later.
pub fn groups_from_scales(columns: &[(String, scalebridge_features::Scale)]) -> Vec<GroupDef> {
    use scalebridge_features::Scale as S;
    S::FEATURES
        .iter()
        .filter_map(|&s| {
            let cols: Vec<String> = columns.iter().filter(|c| c.1 == s).map(|c| c.0.clone()).collect();
            let scale = match s {
                S::Composition => Scale::Composition,
                S::Atomistic => Scale::Atomistic,
                S::Mesoscale => Scale::Mesoscale,
                S::Continuum => Scale::Continuum,
                _ => Scale::Other,
            };
            (!cols.is_empty()).then(|| GroupDef { name: s.as_str().to_string(), scale, columns: cols })
        })
        .collect()
}

/// A resolved token: column indices into the feature matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenGroup {
    pub name: String,
    pub scale: Scale,
    pub columns: Vec<usize>,
}

/// All tokens of a model, in order. The network sees the feature columns permuted so that each
/// token's columns are contiguous (`order`), token `t` being columns `offsets[t]..offsets[t+1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLayout {
    pub groups: Vec<TokenGroup>,
    pub n_features: usize,
}

impl TokenLayout {
    pub fn n_tokens(&self) -> usize {
        self.groups.len()
    }
    /// Column widths of the tokens.
    pub fn widths(&self) -> Vec<usize> {
        self.groups.iter().map(|g| g.columns.len()).collect()
    }
    /// Feature column order that makes every token contiguous.
    pub fn order(&self) -> Vec<usize> {
        self.groups.iter().flat_map(|g| g.columns.iter().copied()).collect()
    }
    /// Scale index of each token.
    pub fn scale_ids(&self) -> Vec<usize> {
        self.groups.iter().map(|g| g.scale.index()).collect()
    }
    /// Distinct scales present, sorted.
    pub fn scales(&self) -> Vec<Scale> {
        let mut s: Vec<Scale> = self.groups.iter().map(|g| g.scale).collect();
        s.sort();
        s.dedup();
        s
    }

    /// Check that the layout is a partition of `0..n_features` (used after deserialisation).
    pub fn check(&self) -> Result<()> {
        let mut seen = vec![false; self.n_features];
        for g in &self.groups {
            if g.columns.is_empty() {
                return Err(MlError::param("token", &g.name, "has no columns"));
            }
            for &c in &g.columns {
                match seen.get_mut(c) {
                    Some(s) if !*s => *s = true,
                    _ => {
                        return Err(MlError::ShapeMismatch {
                            what: format!("token {:?}", g.name),
                            expected: format!("distinct columns < {}", self.n_features),
                            got: format!("column {c}"),
                        })
                    }
                }
            }
        }
        if self.groups.is_empty() || seen.iter().any(|s| !s) {
            return Err(MlError::param(
                "tokens",
                self.groups.len(),
                "the tokens must cover every feature column exactly once",
            ));
        }
        Ok(())
    }

    /// Build the tokens for the named feature columns.
    ///
    /// `explicit`: user tokens; every column must be in exactly one of them. Otherwise the
    /// prefix / composition rules of the module documentation apply.
    pub fn build(
        names: &[String],
        explicit: Option<&[GroupDef]>,
        split: CompositionSplit,
        max_token_width: usize,
    ) -> Result<TokenLayout> {
        if names.is_empty() {
            return Err(MlError::NotEnoughData {
                what: "DNN feature columns".into(),
                needed: 1,
                have: 0,
            });
        }
        if max_token_width == 0 {
            return Err(MlError::param("max_token_width", 0, "must be >= 1"));
        }
        let index: HashMap<&str, usize> =
            names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        if index.len() != names.len() {
            return Err(MlError::param(
                "feature_names",
                format!("{} names", names.len()),
                "feature names must be distinct",
            ));
        }
        let groups = match explicit {
            Some(defs) => explicit_groups(defs, &index, names.len())?,
            None => auto_groups(names, split),
        };
        let mut out = Vec::new();
        for g in groups {
            if g.columns.len() <= max_token_width {
                out.push(g);
                continue;
            }
            for (k, chunk) in g.columns.chunks(max_token_width).enumerate() {
                out.push(TokenGroup {
                    name: format!("{}#{k}", g.name),
                    scale: g.scale,
                    columns: chunk.to_vec(),
                });
            }
        }
        let layout = TokenLayout {
            groups: out,
            n_features: names.len(),
        };
        layout.check()?;
        Ok(layout)
    }
}

fn explicit_groups(
    defs: &[GroupDef],
    index: &HashMap<&str, usize>,
    n: usize,
) -> Result<Vec<TokenGroup>> {
    let mut owner: Vec<Option<&str>> = vec![None; n];
    let mut groups = Vec::new();
    for d in defs {
        let mut cols = Vec::with_capacity(d.columns.len());
        for c in &d.columns {
            let &i = index.get(c.as_str()).ok_or_else(|| {
                MlError::param("groups", c, &format!("token {:?} names a column that is not a feature", d.name))
            })?;
            if let Some(prev) = owner[i] {
                return Err(MlError::param(
                    "groups",
                    c,
                    &format!("column is in tokens {prev:?} and {:?}", d.name),
                ));
            }
            owner[i] = Some(d.name.as_str());
            cols.push(i);
        }
        if cols.is_empty() {
            return Err(MlError::param("groups", &d.name, "token has no columns"));
        }
        groups.push(TokenGroup {
            name: d.name.clone(),
            scale: d.scale,
            columns: cols,
        });
    }
    if let Some(i) = owner.iter().position(Option::is_none) {
        let name = index
            .iter()
            .find(|(_, &j)| j == i)
            .map_or_else(|| i.to_string(), |(k, _)| k.to_string());
        return Err(MlError::param(
            "groups",
            name,
            "feature column is in no token (every column must be assigned)",
        ));
    }
    Ok(groups)
}

/// Statistic and property of a Magpie feature name `{stat}_{property}`.
fn magpie_parts(name: &str) -> Option<(&'static str, &str)> {
    // longest statistic names first ("avg_dev" before shorter ones that could prefix it)
    let mut stats = STATS;
    stats.sort_by_key(|s| std::cmp::Reverse(s.len()));
    stats.iter().find_map(|s| {
        name.strip_prefix(s)
            .and_then(|rest| rest.strip_prefix('_'))
            .map(|p| (*s, p))
    })
}

fn auto_groups(names: &[String], split: CompositionSplit) -> Vec<TokenGroup> {
    let magpie: HashMap<String, ()> = Featurizer::feature_names()
        .into_iter()
        .map(|n| (n, ()))
        .collect();
    // key → (scale, columns); BTreeMap keeps a deterministic token order
    let mut by_key: BTreeMap<(usize, usize, String), (Scale, Vec<usize>)> = BTreeMap::new();
    let stat_rank = |s: &str| STATS.iter().position(|x| *x == s).unwrap_or(STATS.len());
    let mut prop_rank: HashMap<String, usize> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        let (scale, sub, key) = if magpie.contains_key(n) {
            match (split, magpie_parts(n)) {
                (CompositionSplit::ByStat, Some((s, _))) => (Scale::Composition, 1 + stat_rank(s), format!("comp_{s}")),
                (CompositionSplit::ByProperty, Some((_, p))) => {
                    let next = prop_rank.len();
                    let r = *prop_rank.entry(p.to_string()).or_insert(next);
                    (Scale::Composition, 1 + r, format!("comp_{p}"))
                }
                (CompositionSplit::Single, _) => (Scale::Composition, 0, "composition".into()),
                (_, None) => (Scale::Composition, 0, "comp_stoichiometry".into()),
            }
        } else if let Some(s) = Scale::from_prefix(n) {
            // user composition descriptors come after the Magpie tokens
            let sub = if s == Scale::Composition { 10_000 } else { 0 };
            (s, sub, format!("{s:?}").to_ascii_lowercase())
        } else {
            (Scale::Other, 0, "other".into())
        };
        by_key
            .entry((scale.index(), sub, key))
            .or_insert_with(|| (scale, Vec::new()))
            .1
            .push(i);
    }
    by_key
        .into_iter()
        .map(|((_, _, name), (scale, columns))| TokenGroup {
            name,
            scale,
            columns,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composition_features_split_by_statistic() {
        let names = Featurizer::feature_names();
        let l = TokenLayout::build(&names, None, CompositionSplit::ByStat, 64).unwrap();
        assert_eq!(l.n_tokens(), 7);
        assert_eq!(l.groups[0].name, "comp_stoichiometry");
        assert_eq!(l.groups[0].columns.len(), 6);
        assert!(l.groups[1..].iter().all(|g| g.columns.len() == 35));
        assert_eq!(l.groups[2].name, "comp_avg_dev");
        let p = TokenLayout::build(&names, None, CompositionSplit::ByProperty, 64).unwrap();
        assert_eq!(p.n_tokens(), 36);
        // chunking a single composition token
        let s = TokenLayout::build(&names, None, CompositionSplit::Single, 50).unwrap();
        assert_eq!(s.widths(), vec![50, 50, 50, 50, 16]);
    }

    #[test]
    fn prefixes_give_scales_and_explicit_groups_are_checked() {
        let names: Vec<String> = ["atom_e", "meso_grain", "cont_c11", "atom_v", "x", "comp_a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let l = TokenLayout::build(&names, None, CompositionSplit::ByStat, 8).unwrap();
        let got: Vec<(Scale, Vec<usize>)> = l.groups.iter().map(|g| (g.scale, g.columns.clone())).collect();
        assert_eq!(
            got,
            vec![
                (Scale::Atomistic, vec![0, 3]),
                (Scale::Mesoscale, vec![1]),
                (Scale::Continuum, vec![2]),
                (Scale::Composition, vec![5]),
                (Scale::Other, vec![4]),
            ]
        );
        let def = |n: &str, s, c: &[&str]| GroupDef {
            name: n.into(),
            scale: s,
            columns: c.iter().map(|x| x.to_string()).collect(),
        };
        let ok = [
            def("a", Scale::Atomistic, &["atom_e", "atom_v", "x"]),
            def("b", Scale::Continuum, &["meso_grain", "cont_c11", "comp_a"]),
        ];
        let l = TokenLayout::build(&names, Some(&ok), CompositionSplit::ByStat, 8).unwrap();
        assert_eq!(l.order(), vec![0, 3, 4, 1, 2, 5]);
        let missing = [def("a", Scale::Atomistic, &["atom_e"])];
        let e = TokenLayout::build(&names, Some(&missing), CompositionSplit::ByStat, 8).unwrap_err();
        assert!(e.to_string().contains("in no token"), "{e}");
        let unknown = [def("a", Scale::Atomistic, &["nope"])];
        assert!(TokenLayout::build(&names, Some(&unknown), CompositionSplit::ByStat, 8).is_err());
    }
}

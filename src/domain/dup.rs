//! Duplicate suspicion: the one rule the form, the import and (later) the province merge share.
//! Same tax number; same phone; or a folded name very close to another facility's in the same
//! commune. A suspect is shown to a person with its reason, never merged silently.

use std::collections::HashMap;

use serde::Serialize;

use crate::text::fold;

/// Similarity (0–100) from which two names in one commune are suspected to be the same facility.
pub const NAME_SIMILARITY_THRESHOLD: u8 = 85;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DupReason {
    SameTaxCode { tax_code: String },
    SamePhone { phone: String },
    SimilarName { similarity: u8 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suspect {
    pub id: String,
    pub name: String,
    pub commune_code: String,
    pub reasons: Vec<DupReason>,
}

/// What duplicate detection looks at in a facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DupKey {
    pub id: String,
    pub name: String,
    pub commune_code: String,
    pub tax_code: Option<String>,
    pub phone: Option<String>,
}

/// Words that say what kind of entity a facility is rather than which one it is.
const GENERIC: &[&str] = &[
    "co so san xuat",
    "co so",
    "hop tac xa",
    "htx",
    "to hop tac",
    "tht",
    "ho kinh doanh",
    "hkd",
    "cong ty tnhh mtv",
    "cong ty tnhh",
    "cong ty co phan",
    "cong ty cp",
    "cong ty",
    "doanh nghiep tu nhan",
    "dntn",
    "doanh nghiep",
    "san xuat",
    "sx",
];

/// The distinctive part of a facility's name, folded: "HTX Mây tre đan Phú Vinh" → "may tre dan phu vinh".
pub fn name_core(name: &str) -> String {
    let mut s = format!(
        " {} ",
        fold(name).split_whitespace().collect::<Vec<_>>().join(" ")
    );
    for g in GENERIC {
        s = s.replace(&format!(" {g} "), " ");
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How alike two names are, 0–100, after folding and dropping generic words. Pairs that
/// the cheap filters prove to be below the threshold report 0.
pub fn name_similarity(a: &str, b: &str) -> u8 {
    Core::new(name_core(a)).similarity(&Core::new(name_core(b)))
}

/// An in-memory index over many facilities, for bulk checks (import, merge).
#[derive(Debug, Default)]
pub struct DupIndex {
    keys: Vec<DupKey>,
    cores: Vec<Core>,
    by_tax: HashMap<String, Vec<usize>>,
    by_phone: HashMap<String, Vec<usize>>,
    by_commune: HashMap<String, Vec<usize>>,
}

impl DupIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, key: DupKey) {
        let i = self.keys.len();
        if let Some(t) = &key.tax_code {
            // A branch shares its parent's number but is its own facility: compare whole codes.
            self.by_tax.entry(t.clone()).or_default().push(i);
        }
        if let Some(p) = &key.phone {
            self.by_phone.entry(p.clone()).or_default().push(i);
        }
        self.by_commune
            .entry(key.commune_code.clone())
            .or_default()
            .push(i);
        self.cores.push(Core::new(name_core(&key.name)));
        self.keys.push(key);
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The facilities `cand` may duplicate, each with every reason that applies.
    pub fn suspects(&self, cand: &DupKey) -> Vec<Suspect> {
        let mut found: Vec<(usize, Vec<DupReason>)> = Vec::new();
        let mut add = |i: usize, r: DupReason| {
            if self.keys[i].id == cand.id {
                return;
            }
            match found.iter_mut().find(|(j, _)| *j == i) {
                Some((_, rs)) => rs.push(r),
                None => found.push((i, vec![r])),
            }
        };
        if let Some(t) = &cand.tax_code {
            for &i in self.by_tax.get(t).into_iter().flatten() {
                add(
                    i,
                    DupReason::SameTaxCode {
                        tax_code: t.clone(),
                    },
                );
            }
        }
        if let Some(p) = &cand.phone {
            for &i in self.by_phone.get(p).into_iter().flatten() {
                add(i, DupReason::SamePhone { phone: p.clone() });
            }
        }
        let core = Core::new(name_core(&cand.name));
        if !core.text.is_empty() {
            for &i in self
                .by_commune
                .get(&cand.commune_code)
                .into_iter()
                .flatten()
            {
                let sim = core.similarity(&self.cores[i]);
                if sim >= NAME_SIMILARITY_THRESHOLD {
                    add(i, DupReason::SimilarName { similarity: sim });
                }
            }
        }
        found
            .into_iter()
            .map(|(i, reasons)| {
                let k = &self.keys[i];
                Suspect {
                    id: k.id.clone(),
                    name: k.name.clone(),
                    commune_code: k.commune_code.clone(),
                    reasons,
                }
            })
            .collect()
    }
}

/// A folded name core with what the cheap filters need, computed once per facility.
#[derive(Debug)]
struct Core {
    text: String,
    chars: usize,
    /// Letter and digit counts: an edit changes their L1 distance by at most 2, so half that
    /// distance is a lower bound of the edit distance — most pairs stop here.
    hist: [u8; 37],
}

impl Core {
    fn new(text: String) -> Self {
        let mut hist = [0u8; 37];
        for c in text.chars() {
            let slot = match c {
                'a'..='z' => c as usize - 'a' as usize,
                '0'..='9' => 26 + c as usize - '0' as usize,
                _ => 36,
            };
            hist[slot] = hist[slot].saturating_add(1);
        }
        let chars = text.chars().count();
        Core { text, chars, hist }
    }

    fn similarity(&self, other: &Core) -> u8 {
        let (a, b) = (&self.text, &other.text);
        if a.is_empty() || b.is_empty() {
            return 0;
        }
        if a == b {
            return 100;
        }
        let longest = self.chars.max(other.chars) as f64;
        // Normalised similarity is 1 - distance / longest; the most distance still "alike":
        let allowed = longest * (1.0 - f64::from(NAME_SIMILARITY_THRESHOLD) / 100.0) + 0.5;
        if (self.chars.abs_diff(other.chars) as f64) > allowed {
            return 0;
        }
        let l1: u32 = self
            .hist
            .iter()
            .zip(&other.hist)
            .map(|(x, y)| u32::from(x.abs_diff(*y)))
            .sum();
        if f64::from(l1) / 2.0 > allowed {
            return 0;
        }
        let mut wa: Vec<&str> = a.split(' ').collect();
        let mut wb: Vec<&str> = b.split(' ').collect();
        wa.sort_unstable();
        wb.sort_unstable();
        if wa == wb {
            return 98;
        }
        (strsim::normalized_damerau_levenshtein(a, b) * 100.0).round() as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, name: &str, commune: &str, tax: Option<&str>, phone: Option<&str>) -> DupKey {
        DupKey {
            id: id.into(),
            name: name.into(),
            commune_code: commune.into(),
            tax_code: tax.map(Into::into),
            phone: phone.map(Into::into),
        }
    }

    #[test]
    fn generic_words_do_not_make_names_alike() {
        assert_eq!(
            name_core("HTX Mây tre đan Phú Vinh"),
            "may tre dan phu vinh"
        );
        assert!(
            name_similarity("Cơ sở bánh đa Kế", "Cơ sở gốm Bát Tràng") < NAME_SIMILARITY_THRESHOLD
        );
        assert_eq!(
            name_similarity("Cơ sở Mây tre đan Phú Vinh", "HTX mây tre đan Phú Vinh"),
            100
        );
        assert!(name_similarity("Bánh đa Kế Nguyễn Văn A", "Banh da Ke Nguyen Van A") >= 99);
    }

    #[test]
    fn reasons_are_collected_per_suspect() {
        let mut idx = DupIndex::new();
        idx.insert(key(
            "a",
            "Mây tre đan Phú Vinh",
            "00004",
            Some("0100233488"),
            Some("0912345678"),
        ));
        idx.insert(key("b", "Gốm Bát Tràng", "00004", None, Some("0987654321")));
        idx.insert(key("c", "Mây tre đan Phú Vinh", "00008", None, None));
        let s = idx.suspects(&key(
            "new",
            "HTX Mây tre đan Phú Vinh",
            "00004",
            Some("0100233488"),
            None,
        ));
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].id, "a");
        assert_eq!(s[0].reasons.len(), 2);
        // Same name in another commune is not suspect by name alone.
        let s = idx.suspects(&key(
            "n2",
            "Mây tre đan Phú Vinh",
            "00010",
            None,
            Some("0987654321"),
        ));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id, "b");
        assert!(matches!(s[0].reasons[0], DupReason::SamePhone { .. }));
        // A record is never its own duplicate.
        assert!(idx
            .suspects(&key("c", "Mây tre đan Phú Vinh", "00008", None, None))
            .is_empty());
    }
}

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
    let folded = fold(name);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    'words: while i < words.len() {
        // GENERIC lists longer phrases before their prefixes, so the first match is the longest.
        for g in GENERIC {
            let n = g.split(' ').count();
            if words.len() - i >= n && g.split(' ').eq(words[i..i + n].iter().copied()) {
                i += n;
                continue 'words;
            }
        }
        out.push(words[i]);
        i += 1;
    }
    out.join(" ")
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
    /// (length, letter-pair set) of each core, packed apart from the texts so that the cheap
    /// tests of a bulk import stay in the CPU cache.
    quick: Vec<(usize, u128)>,
    by_tax: HashMap<String, Vec<usize>>,
    by_phone: HashMap<String, Vec<usize>>,
    /// Per commune, the facilities by the length of their name core: a name can only be
    /// alike to names of nearly its length, so most of a commune is never looked at.
    by_commune: HashMap<String, Vec<Vec<usize>>>,
}

impl DupIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, key: DupKey) {
        let core = Core::new(name_core(&key.name));
        self.insert_with_core(key, core);
    }

    /// Checks `key` against everything indexed so far, then adds it: the bulk path of an
    /// import, where each row must also be compared with the rows before it.
    pub fn check_and_insert(&mut self, key: DupKey) -> Vec<Suspect> {
        let core = Core::new(name_core(&key.name));
        let found = self.suspects_with_core(&key, &core);
        self.insert_with_core(key, core);
        found
    }

    fn insert_with_core(&mut self, key: DupKey, core: Core) {
        let i = self.keys.len();
        if let Some(t) = &key.tax_code {
            // A branch shares its parent's number but is its own facility: compare whole codes.
            self.by_tax.entry(t.clone()).or_default().push(i);
        }
        if let Some(p) = &key.phone {
            self.by_phone.entry(p.clone()).or_default().push(i);
        }
        let by_len = self.by_commune.entry(key.commune_code.clone()).or_default();
        if by_len.len() <= core.chars {
            by_len.resize_with(core.chars + 1, Vec::new);
        }
        by_len[core.chars].push(i);
        self.quick.push((core.chars, core.sig));
        self.cores.push(core);
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
        self.suspects_with_core(cand, &Core::new(name_core(&cand.name)))
    }

    fn suspects_with_core(&self, cand: &DupKey, core: &Core) -> Vec<Suspect> {
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
        if !core.text.is_empty() {
            let l = core.chars;
            // |a - b| <= 15.5 % of the longer one (see Core::similarity).
            let lo = l - l * 155 / 1000;
            let hi = l * 1000 / 845 + 1;
            let by_len = self.by_commune.get(&cand.commune_code);
            let nearby = by_len
                .into_iter()
                .flat_map(|v| v.iter().skip(lo).take(hi + 1 - lo))
                .flatten();
            for &i in nearby {
                if !core.may_be_alike(self.quick[i]) {
                    continue;
                }
                let sim = core.similarity(&self.cores[i]);
                if sim >= NAME_SIMILARITY_THRESHOLD {
                    add(i, DupReason::SimilarName { similarity: sim });
                }
            }
        }
        found.sort_by_key(|(i, _)| *i);
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
    /// A 128-bit set of the letter pairs inside words (hashed). One edit removes at most two
    /// pairs and adds at most two, so names `d` edits apart differ in at most `4·d` bits —
    /// most pairs of names stop at this test. Word order does not change it.
    sig: u128,
    /// The words sorted: names equal but for word order are alike.
    sorted: String,
}

impl Core {
    fn new(text: String) -> Self {
        let mut sig = 0u128;
        for w in text.split(' ') {
            let b = w.as_bytes();
            for p in b.windows(2) {
                // Multiplicative hash, top 7 bits: letters are close together in ASCII, so a
                // plain sum would pile every pair onto a few bits.
                let h = (u32::from(p[0]) << 8 | u32::from(p[1])).wrapping_mul(0x9E37_79B1) >> 25;
                sig |= 1u128 << h;
            }
        }
        let chars = text.chars().count();
        let mut words: Vec<&str> = text.split(' ').collect();
        words.sort_unstable();
        let sorted = words.join(" ");
        Core {
            text,
            chars,
            sig,
            sorted,
        }
    }

    /// The cheap necessary condition of [`Core::similarity`] reaching the threshold.
    fn may_be_alike(&self, (chars, sig): (usize, u128)) -> bool {
        if self.chars == 0 || chars == 0 {
            return false;
        }
        let allowed = allowed_distance(self.chars.max(chars));
        self.chars.abs_diff(chars) <= allowed
            && ((self.sig ^ sig).count_ones() as usize) <= 4 * allowed
    }

    fn similarity(&self, other: &Core) -> u8 {
        // Only the fields stored inline are read until a pair survives the cheap tests: in a
        // bulk import this loop runs millions of times and the texts live elsewhere in memory.
        if self.chars == 0 || other.chars == 0 {
            return 0;
        }
        let longest = self.chars.max(other.chars);
        // A rounded similarity of 85 or more needs an edit distance of at most 15.5 %.
        let allowed = allowed_distance(longest);
        if self.chars.abs_diff(other.chars) > allowed {
            return 0;
        }
        if (self.sig ^ other.sig).count_ones() as usize > 4 * allowed {
            return 0;
        }
        let (a, b) = (&self.text, &other.text);
        if a == b {
            return 100;
        }
        if self.sorted == other.sorted {
            return 98;
        }
        match bounded_osa(a, b, allowed) {
            Some(d) => (100.0 * (1.0 - d as f64 / longest as f64)).round() as u8,
            None => 0,
        }
    }
}

/// The largest edit distance at which names of `longest` letters still round to the threshold.
fn allowed_distance(longest: usize) -> usize {
    longest * ((100 - usize::from(NAME_SIMILARITY_THRESHOLD)) * 10 + 5) / 1000
}

/// The optimal-string-alignment distance (edits and adjacent swaps) if it is at most `k`,
/// stopping as soon as a whole row of the table exceeds `k`: most pairs of names that got
/// this far still differ, and they are given up after a few letters.
fn bounded_osa(a: &str, b: &str, k: usize) -> Option<usize> {
    // Folded cores are nearly always ASCII: compare bytes then, without collecting chars.
    if a.is_ascii() && b.is_ascii() {
        return bounded_osa_of(a.as_bytes(), b.as_bytes(), k);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    bounded_osa_of(&a, &b, k)
}

fn bounded_osa_of<T: PartialEq>(a: &[T], b: &[T], k: usize) -> Option<usize> {
    let m = b.len();
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > k {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[m]).filter(|d| *d <= k)
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
        // A typo and a dropped letter still count; other words in another order too.
        assert!(
            name_similarity("Mây tre đan Phú Vinh", "May tre dan Phu Vin")
                >= NAME_SIMILARITY_THRESHOLD
        );
        assert!(
            name_similarity("Mây tre đan Phú Vinh", "Mây tre đna Phú Vinh")
                >= NAME_SIMILARITY_THRESHOLD
        );
        assert_eq!(
            name_similarity("Phú Vinh mây tre đan", "Mây tre đan Phú Vinh"),
            98
        );
    }

    #[test]
    fn bounded_distance_agrees_with_strsim() {
        for (a, b) in [
            ("may tre dan", "may tre dna"),
            ("banh da", "banh da ke"),
            ("gom", "gom"),
            ("abc", "xyz"),
        ] {
            let full = strsim::osa_distance(a, b);
            assert_eq!(bounded_osa(a, b, 10), Some(full), "{a} / {b}");
            assert_eq!(
                bounded_osa(a, b, full.saturating_sub(1)),
                if full == 0 { Some(0) } else { None }
            );
        }
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

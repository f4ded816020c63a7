//! Duplicate suspicion: the one rule the form, the import and (later) the province merge share.
//! Same tax number; same phone; or a folded name very close to another facility's in the same
//! commune. A suspect is shown to a person with its reason, never merged silently.

use std::collections::HashMap;

use serde::Serialize;

use rapidfuzz::distance::osa;

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

/// How alike two names are, 0–100, after folding and dropping generic words. Pairs below
/// the threshold report 0.
pub fn name_similarity(a: &str, b: &str) -> u8 {
    Core::new(name_core(a)).similarity(&Core::new(name_core(b)))
}

/// The names of one commune and one length: their signatures packed side by side, so the
/// cheap test of a bulk import streams through memory instead of hopping across the index.
#[derive(Debug, Default)]
struct Bucket {
    sigs: Vec<u128>,
    hists: Vec<Hist>,
    at: Vec<u32>,
}

/// An in-memory index over many facilities, for bulk checks (import, merge).
#[derive(Debug, Default)]
pub struct DupIndex {
    keys: Vec<DupKey>,
    cores: Vec<Core>,
    by_tax: HashMap<String, Vec<usize>>,
    by_phone: HashMap<String, Vec<usize>>,
    /// Per commune, the facilities by the length of their name core: a name can only be
    /// alike to names of nearly its length, so most of a commune is never looked at.
    by_commune: HashMap<String, Vec<Bucket>>,
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
        let by_len = match self.by_commune.get_mut(&key.commune_code) {
            Some(v) => v,
            None => self.by_commune.entry(key.commune_code.clone()).or_default(),
        };
        if by_len.len() <= core.chars {
            by_len.resize_with(core.chars + 1, Bucket::default);
        }
        // An index beyond u32 would need 4 billion facilities in memory.
        let at = u32::try_from(i).unwrap_or(u32::MAX);
        by_len[core.chars].sigs.push(core.sig);
        by_len[core.chars].hists.push(core.hist);
        by_len[core.chars].at.push(at);
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
        if let Some(by_len) = self.by_commune.get(&cand.commune_code) {
            // Built on the first pair that passes the cheap test: most rows never need it.
            let mut cmp: Option<Comparator> = None;
            let l = core.chars;
            for (len, bucket) in by_len.iter().enumerate().skip(1) {
                let allowed = allowed_distance(l.max(len));
                if l.abs_diff(len) > allowed {
                    continue;
                }
                for (k, sig) in bucket.sigs.iter().enumerate() {
                    if !sig_may_be_alike(core.sig, *sig, allowed)
                        || !hist_may_be_alike(&core.hist, &bucket.hists[k], allowed)
                    {
                        continue;
                    }
                    let i = bucket.at[k] as usize;
                    let cmp = cmp.get_or_insert_with(|| Comparator::new(core));
                    if let Some(sim) = cmp.similarity(&self.cores[i]) {
                        add(i, DupReason::SimilarName { similarity: sim });
                    }
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
    /// A 128-bit set of the letter pairs inside words (hashed). An edit removes at most three
    /// pairs and adds at most three (a swap of two letters touches three pairs), so names `d`
    /// edits apart differ in at most `6·d` bits. Word order does not change it.
    sig: u128,
    /// How often each letter occurs: names `d` edits apart differ by at most `2·d` in total.
    hist: Hist,
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
        let hist = histogram(&text);
        let mut words: Vec<&str> = text.split(' ').collect();
        words.sort_unstable();
        let sorted = words.join(" ");
        Core {
            text,
            chars,
            sig,
            hist,
            sorted,
        }
    }

    fn similarity(&self, other: &Core) -> u8 {
        Comparator::new(self).similarity(other).unwrap_or(0)
    }
}

/// One name prepared for comparison with many others: the bit-parallel OSA distance of
/// rapidfuzz (Hyyrö 2003) keeps the name's letter masks, so each pair costs one pass over
/// the other name.
struct Comparator<'a> {
    core: &'a Core,
    osa: Osa,
}

/// Folded cores are nearly always ASCII: bytes then, whose length is known without a count.
enum Osa {
    Bytes(osa::BatchComparator<u8>),
    Chars(osa::BatchComparator<char>),
}

impl<'a> Comparator<'a> {
    fn new(core: &'a Core) -> Self {
        let osa = if core.text.is_ascii() {
            Osa::Bytes(osa::BatchComparator::new(core.text.bytes()))
        } else {
            Osa::Chars(osa::BatchComparator::new(core.text.chars()))
        };
        Comparator { core, osa }
    }

    /// The OSA distance to `other` if it is at most `k`.
    fn distance(&self, other: &str, k: usize) -> Option<usize> {
        match &self.osa {
            Osa::Bytes(c) if other.is_ascii() => {
                c.distance_with_args(other.bytes(), &osa::Args::default().score_cutoff(k))
            }
            Osa::Bytes(c) => c.distance_with_args(
                other.chars().map(|ch| u8::try_from(ch).unwrap_or(0)),
                &osa::Args::default().score_cutoff(k),
            ),
            Osa::Chars(c) => {
                c.distance_with_args(other.chars(), &osa::Args::default().score_cutoff(k))
            }
        }
    }

    /// The similarity (0–100) of the two names if it reaches the threshold.
    fn similarity(&self, other: &Core) -> Option<u8> {
        let this = self.core;
        if this.chars == 0 || other.chars == 0 {
            return None;
        }
        let longest = this.chars.max(other.chars);
        // A rounded similarity of 85 or more needs an edit distance of at most 15.5 %.
        let allowed = allowed_distance(longest);
        if this.chars.abs_diff(other.chars) > allowed
            || !sig_may_be_alike(this.sig, other.sig, allowed)
            || !hist_may_be_alike(&this.hist, &other.hist, allowed)
        {
            return None;
        }
        if this.text == other.text {
            return Some(100);
        }
        if this.sorted == other.sorted {
            return Some(98);
        }
        let d = self.distance(&other.text, allowed)?;
        let sim = (100.0 * (1.0 - d as f64 / longest as f64)).round() as u8;
        (sim >= NAME_SIMILARITY_THRESHOLD).then_some(sim)
    }
}

/// Letter counts: a–z, then digits, the space and four classes of other letters, saturating.
type Hist = [u8; 32];

fn histogram(text: &str) -> Hist {
    let mut h = [0u8; 32];
    for c in text.chars() {
        let k = match c {
            'a'..='z' => c as usize - 'a' as usize,
            '0'..='9' => 26,
            ' ' => 27,
            _ => 28 + (c as usize) % 4,
        };
        h[k] = h[k].saturating_add(1);
    }
    h
}

/// The letter-pair test: cheap, and it stops most pairs of unrelated names.
fn sig_may_be_alike(a: u128, b: u128, allowed: usize) -> bool {
    (a ^ b).count_ones() as usize <= 6 * allowed
}

/// The letter-count test: an insertion or deletion changes one count, a substitution two, a
/// swap none. (Saturated counts only make the difference smaller, so no alike pair is lost.)
fn hist_may_be_alike(a: &Hist, b: &Hist, allowed: usize) -> bool {
    let diff: u32 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u32::from(x.abs_diff(*y)))
        .sum();
    diff as usize <= 2 * allowed
}

/// The largest edit distance at which names of `longest` letters still round to the threshold.
fn allowed_distance(longest: usize) -> usize {
    longest * ((100 - usize::from(NAME_SIMILARITY_THRESHOLD)) * 10 + 5) / 1000
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
        // Two letters swapped touch three letter pairs: still one edit.
        assert_eq!(name_similarity("Xuân Phương", "Xuân Phoung"), 91);
    }

    #[test]
    fn distance_with_cutoff_agrees_with_strsim() {
        for (a, b) in [
            ("may tre dan", "may tre dna"),
            ("banh da", "banh da ke"),
            ("gom", "gom"),
            ("abc", "xyz"),
            ("duc", "đuc"),
        ] {
            let full = strsim::osa_distance(a, b);
            let core = Core::new(a.to_string());
            let cmp = Comparator::new(&core);
            let at = |k: usize| cmp.distance(b, k);
            assert_eq!(at(10), Some(full), "{a} / {b}");
            if full > 0 {
                assert_eq!(at(full - 1), None, "{a} / {b}");
            }
        }
    }

    proptest::proptest! {
        // The fast path (signature filter, bit-parallel distance with a cutoff) must give
        // exactly what the plain definition gives: round(100·(1 − osa/longest)) ≥ threshold.
        #[test]
        fn fast_similarity_matches_the_definition(a in "[abn ]{1,24}", b in "[abn ]{1,24}") {
            check_fast_similarity(a, b)?;
        }

        // Near pairs: one string and a few random edits of it (swaps included).
        #[test]
        fn fast_similarity_matches_the_definition_near(
            a in "[a-e ]{6,30}",
            edits in proptest::collection::vec((0usize..4, 0usize..40, "[a-f]"), 0..4),
        ) {
            let mut b: Vec<char> = a.chars().collect();
            for (op, at, ch) in edits {
                let ch = ch.chars().next().unwrap_or('a');
                let at = at % b.len().max(1);
                match op {
                    0 if !b.is_empty() => b[at] = ch,
                    1 => b.insert(at, ch),
                    2 if !b.is_empty() => { b.remove(at); }
                    _ if at + 1 < b.len() => b.swap(at, at + 1),
                    _ => {}
                }
            }
            check_fast_similarity(a, b.into_iter().collect())?;
        }
    }

    fn check_fast_similarity(
        a: String,
        b: String,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        {
            let (ca, cb) = (Core::new(a.clone()), Core::new(b.clone()));
            let longest = ca.chars.max(cb.chars);
            let d = strsim::osa_distance(&a, &b);
            let plain = (100.0 * (1.0 - d as f64 / longest as f64)).round() as u8;
            let fast = Comparator::new(&ca).similarity(&cb);
            if ca.sorted == cb.sorted && a != b {
                proptest::prop_assert_eq!(fast, Some(98));
            } else if plain >= NAME_SIMILARITY_THRESHOLD {
                proptest::prop_assert_eq!(fast, Some(plain));
            } else {
                proptest::prop_assert_eq!(fast, None);
            }
        }
        Ok(())
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

//! The one fuzzy search shared by `ctv find` and the TUI.
//!
//! Matching and scoring use `fuzzy-matcher`'s SkimMatcherV2, always on folded keys
//! (`text::fold`: it is case-insensitive for ASCII only). The query is folded and split
//! into words; a facility matches when every word matches one of its fields. Facilities are
//! ranked first by how the words match (`SearchIndex::tier`): whole syllables in the order
//! typed, in one field, come first; then whole syllables scattered; then the rest (letters
//! inside syllables, typos, initials). Words that only match a name's legal form ("Hộ kinh
//! doanh", "Công ty TNHH", "Hợp tác xã" …) do not count as whole words. Within a tier, the
//! score is the sum over words of the best field score, a name match weighing 5/4 of the
//! same match elsewhere. Equal scores go by the Vietnamese order of the name.
//!
//! A word is scored against each syllable of a field: skim's score (bonuses for a word start
//! and consecutive letters) plus a bonus when the word is the syllable (+24), starts it
//! (+16) or sits inside it (+8), so "duc" ranks "Đức" and "dục" above "dược" (letters
//! scattered in a syllable), and "dụng cụ" not at all: a word must fit in one syllable,
//! which keeps results free of letters picked across a whole name. A word that matches no syllable at all, typed without
//! spaces, is split into syllables ("nguyenvanduc" → nguyen van duc, "battr" → bat tr,
//! "nvd" → n v d). Phone and tax numbers match as digit substrings, ignoring spaces and dots;
//! a number typed in groups ("0136 059 794") is one number.
//!
//! How this stays under a frame (16 ms) for 100,000 facilities on a 2-core PC:
//! - Vietnamese is written in syllables and there are only a few thousand of them: skim runs
//!   once per distinct syllable per query word, not once per field. A field's score is then
//!   the best of its syllables' scores, an array lookup.
//! - Products and communes repeat: each distinct value is stored and scored once. Names,
//!   representatives and phones are stored per doc in one arena each (no String per field).
//! - Scores of each query word are kept between calls: typing "lang nghe g" rescores only
//!   "g", a longer word is only tried where its prefix matched, and only the docs that
//!   matched the previous keystroke's query are looked at again.
//! - Scans are split across the cores with `std::thread::scope`; the best hits are kept in a
//!   bounded heap; the name order used for ties is built once, on first need.
//! - The tier walks every syllable of a doc, so it is not computed for every match: each
//!   word's scores record, per entry, whether it is a whole or begun syllable there, which
//!   bounds a doc's tier; the exact tier is computed only for the docs whose bound can still
//!   reach the top (`exact_totals`), and never for a one-word query (there the bound is exact).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use serde::Serialize;

use crate::text;

/// The searchable fields of a facility, in the order `push_folded` takes their keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Representative,
    Products,
    Commune,
    Phone,
    TaxCode,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Name,
        Field::Representative,
        Field::Products,
        Field::Commune,
        Field::Phone,
        Field::TaxCode,
    ];
}

/// One facility as given to the index. Texts are NFC, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Doc {
    pub id: String,
    pub name: String,
    pub representative: String,
    pub products: String,
    pub commune: String,
    pub phone: String,
    /// Mã số thuế; like phones, found by its digits.
    pub tax_code: String,
}

impl Doc {
    pub fn field(&self, field: Field) -> &str {
        match field {
            Field::Name => &self.name,
            Field::Representative => &self.representative,
            Field::Products => &self.products,
            Field::Commune => &self.commune,
            Field::Phone => &self.phone,
            Field::TaxCode => &self.tax_code,
        }
    }
}

/// A facility as the index holds it: borrowed texts, same field names as `Doc`.
/// (The index keeps one arena per column, not six Strings per doc: 100,000 `Doc`s alone
/// take about 40 MB.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub representative: &'a str,
    pub products: &'a str,
    pub commune: &'a str,
    pub phone: &'a str,
    pub tax_code: &'a str,
}

impl<'a> DocRef<'a> {
    pub fn field(&self, field: Field) -> &'a str {
        match field {
            Field::Name => self.name,
            Field::Representative => self.representative,
            Field::Products => self.products,
            Field::Commune => self.commune,
            Field::Phone => self.phone,
            Field::TaxCode => self.tax_code,
        }
    }

    pub fn to_doc(&self) -> Doc {
        Doc {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            representative: self.representative.to_owned(),
            products: self.products.to_owned(),
            commune: self.commune.to_owned(),
            phone: self.phone.to_owned(),
            tax_code: self.tax_code.to_owned(),
        }
    }
}

/// One result. `positions` are char indices into `index.doc(hit.index).field(hit.field)`,
/// sorted and unique, for highlighting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub index: usize,
    pub score: i64,
    pub field: Field,
    pub positions: Vec<usize>,
}

/// Per field, in `Field` order: a name match is worth 5/4 of the same match elsewhere —
/// enough to win a tie, not enough for a scattered name match to beat an exact one elsewhere.
const WEIGHT: [i32; FIELDS] = [5, 4, 4, 4, 4, 4];
const NAME: usize = 0;
const PHONE: usize = 4;
/// Number columns (phone, tax number) follow the text columns, in `Field` order.
const NUM_COLS: usize = 2;
const FIELDS: usize = TEXT_COLS + NUM_COLS;
/// Columns holding text (name, representative, products, commune).
const TEXT_COLS: usize = 4;

const BONUS_WHOLE_SYLLABLE: i32 = 24;
/// A doc's total is `tier * TIER + score` (see `SearchIndex::tier`): the tier decides first.
const TIER: i32 = 1 << 20;
const BONUS_SYLLABLE_PREFIX: i32 = 16;
const BONUS_SUBSTRING: i32 = 8;
/// How a query word matched a syllable or a number (`WordScores::class`, `classes`): it is
/// the whole of it, or begins it (0: neither).
const CLASS_WHOLE: u8 = 2;
const CLASS_BEGUN: u8 = 1;
/// A word's class in one field entry, over all its syllables and over those after a
/// name's legal form ("Hợp tác xã …"): the exact tier counts a word inside the legal form
/// only as part of a phrase that ends outside it.
fn pack_class(all: u8, outside_form: u8) -> u8 {
    all | outside_form << 2
}

/// Bits of the number fields in a per-field mask (`FieldClasses`).
const NUM_FIELDS_MASK: u8 = ((1 << NUM_COLS) - 1) << PHONE;

const NO_MATCH: i16 = i16::MIN;
/// Query words looked at; the rest of a longer query is ignored.
const MAX_WORDS: usize = 24;
/// Query words whose scores are kept between calls (typing, backspacing).
const CACHE_WORDS: usize = 8;
/// Whole queries whose matching docs are kept, to narrow the next keystroke's scan.
const CACHE_QUERIES: usize = 4;
/// Docs tied at the cut are sorted by name directly when they are at most this many or a
/// quarter of all docs; beyond, the name order of all docs is built once and kept.
const PARTIAL_TIE_MIN: usize = 4096;
/// Below this many items a scan stays on the calling thread: spawning costs more.
const PAR_MIN: usize = 16_384;

// ---------------------------------------------------------------------------------------
// Storage.

/// Strings end to end in one allocation.
#[derive(Default)]
struct Arena {
    text: String,
    ends: Vec<u32>,
}

impl Arena {
    fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(to_u32(self.text.len()));
        to_u32(self.ends.len() - 1)
    }

    fn get(&self, i: usize) -> &str {
        &self.text[self.span(i)]
    }

    /// For equality checks while building: no char-boundary checks.
    fn bytes(&self, i: usize) -> &[u8] {
        &self.text.as_bytes()[self.span(i)]
    }

    fn span(&self, i: usize) -> Range<usize> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        start..self.ends[i] as usize
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The keys of `Dedup` maps are already hashes.
#[derive(Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Hash → first id with that hash. A collision just leaves the newcomer un-deduplicated:
/// a little memory, never a wrong answer.
type Dedup = HashMap<u64, u32, BuildHasherDefault<PreHashed>>;

fn hash_str(s: &str, seed: u64) -> u64 {
    // FxHash-style over 8-byte words: fast, and good enough behind an equality check.
    let mut h = seed ^ (s.len() as u64);
    for chunk in s.as_bytes().chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x517C_C1B7_2722_0A95);
    }
    h
}

/// Distinct syllables, as the scorer sees them: the first syllable of a field as is, the
/// others with a leading space so skim gives them its mid-string word-start bonus.
#[derive(Default)]
struct Vocab {
    arena: Arena,
    masks: Vec<u64>,
    dedup: Dedup,
}

impl Vocab {
    fn intern(&mut self, first: bool, syllable: &str) -> u32 {
        let h = hash_str(syllable, u64::from(first));
        if let Some(&id) = self.dedup.get(&h) {
            let stored = self.arena.bytes(id as usize);
            let bare = if first {
                stored
            } else {
                stored.strip_prefix(b" ").unwrap_or(b"")
            };
            if bare == syllable.as_bytes() && (first || stored.len() == syllable.len() + 1) {
                return id;
            }
        }
        let id = if first {
            self.arena.push(syllable)
        } else {
            self.arena.text.push(' ');
            self.arena.push(syllable)
        };
        self.masks.push(char_mask(syllable));
        self.dedup.entry(h).or_insert(id);
        id
    }
}

/// Syllables of a folded key: maximal runs of letters and digits, with their char offset.
fn syllables(folded: &str) -> Box<dyn Iterator<Item = (usize, &str)> + '_> {
    if folded.is_ascii() {
        // Folded keys are nearly always ASCII: bytes are chars.
        let bytes = folded.as_bytes();
        let mut i = 0;
        return Box::new(std::iter::from_fn(move || {
            while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            (i > start).then(|| (start, &folded[start..i]))
        }));
    }
    let mut chars = folded.char_indices().enumerate().peekable();
    Box::new(std::iter::from_fn(move || {
        while chars.peek().is_some_and(|(_, (_, c))| !c.is_alphanumeric()) {
            chars.next();
        }
        let &(char_start, (byte_start, _)) = chars.peek()?;
        let mut byte_end = byte_start;
        while let Some(&(_, (b, c))) = chars.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            byte_end = b + c.len_utf8();
            chars.next();
        }
        Some((char_start, &folded[byte_start..byte_end]))
    }))
}

/// One text field's column: display text and the syllable ids of its folded key, per entry.
/// With `dedup`, equal values share an entry (communes and products repeat a lot) and the
/// folded keys are kept to tell values apart; without, there is one entry per doc and the
/// folded key is not kept (`fold(display)` gives it back for the few hits shown).
struct TextColumn {
    display: Arena,
    /// Empty unless `dedup`.
    folded: Arena,
    syl_ends: Vec<u32>,
    syls: Vec<u32>,
    dedup: Option<Dedup>,
}

impl TextColumn {
    fn new(dedup: bool) -> Self {
        TextColumn {
            display: Arena::default(),
            folded: Arena::default(),
            syl_ends: Vec::new(),
            syls: Vec::new(),
            dedup: dedup.then(Dedup::default),
        }
    }

    fn len(&self) -> usize {
        self.display.len()
    }

    /// The folded key of an entry (`push_folded`'s keys are `text::fold` of the display).
    fn folded_key(&self, id: usize) -> std::borrow::Cow<'_, str> {
        if self.dedup.is_some() {
            std::borrow::Cow::Borrowed(self.folded.get(id))
        } else {
            std::borrow::Cow::Owned(text::fold(self.display.get(id)))
        }
    }

    fn add(&mut self, vocab: &mut Vocab, display: &str, folded: &str) -> u32 {
        let h = self
            .dedup
            .as_ref()
            .map(|_| hash_str(display, hash_str(folded, 7)));
        if let Some(&id) = h.and_then(|h| self.dedup.as_ref()?.get(&h)) {
            if self.display.bytes(id as usize) == display.as_bytes()
                && self.folded.bytes(id as usize) == folded.as_bytes()
            {
                return id;
            }
        }
        let id = self.display.push(display);
        if self.dedup.is_some() {
            self.folded.push(folded);
        }
        for (char_start, syl) in syllables(folded) {
            self.syls.push(vocab.intern(char_start == 0, syl));
        }
        self.syl_ends.push(to_u32(self.syls.len()));
        if let (Some(d), Some(h)) = (self.dedup.as_mut(), h) {
            d.entry(h).or_insert(id);
        }
        id
    }

    fn syls_of(&self, id: usize) -> &[u32] {
        let start = if id == 0 {
            0
        } else {
            self.syl_ends[id - 1] as usize
        };
        &self.syls[start..self.syl_ends[id] as usize]
    }

    fn shrink_to_fit(&mut self) {
        self.display.shrink_to_fit();
        self.folded.shrink_to_fit();
        self.syl_ends.shrink_to_fit();
        self.syls.shrink_to_fit();
    }
}

// ---------------------------------------------------------------------------------------
// Matching primitives.

/// SkimMatcherV2 made a pure function.
///
/// fuzzy-matcher 0.3.7 reuses one score matrix per thread and never clears the
/// consecutive-match bonuses in it, so a score could depend on what that thread matched
/// before (seen on about 0.5% of random matches of 3+ letters). `use_cache(false)` is no
/// way out: it panics ("RefCell already borrowed"). Before each call that can read a stale
/// bonus (patterns of 3+ chars; only the reused row is affected), a throwaway match of "x"
/// against "xyyy…" overwrites that row's bonuses with zeros. `skim_is_pure` checks this
/// against a fresh matcher.
struct Skim {
    matcher: SkimMatcherV2,
}

impl Skim {
    fn new() -> Self {
        // Keys are folded to lowercase already: exact comparison is right, and cheaper.
        Skim {
            matcher: SkimMatcherV2::default().respect_case(),
        }
    }

    fn score(&self, choice: &str, pattern: &str) -> Option<i64> {
        if pattern.len() >= 3 {
            self.clear_bonuses(choice.chars().count());
        }
        self.matcher.fuzzy_match(choice, pattern)
    }

    /// The matrix is flat with one column per choice char (plus one), so the throwaway
    /// choice must have exactly as many chars as the real one to hit the same cells.
    fn clear_bonuses(&self, chars: usize) {
        static PAD: OnceLock<String> = OnceLock::new();
        let pad = PAD.get_or_init(|| format!("x{}", "y".repeat(255)));
        if chars == 0 {
            return;
        }
        if chars <= pad.len() {
            let _ = self.matcher.fuzzy_match(&pad[..chars], "x");
        } else {
            let _ = self
                .matcher
                .fuzzy_match(&format!("x{}", "y".repeat(chars - 1)), "x");
        }
    }

    /// Matched char positions, for highlighting. A fresh matcher: this path keeps one row
    /// per pattern char, all of which could hold stale bonuses. Only called for shown hits.
    fn indices(&self, choice: &str, pattern: &str) -> Option<Vec<usize>> {
        SkimMatcherV2::default()
            .respect_case()
            .fuzzy_indices(choice, pattern)
            .map(|(_, p)| p)
    }
}

/// Bit per ASCII letter and digit, one for other ASCII, 26 hashing the rest.
/// `mask(word) & !mask(s) != 0` proves `word` is no subsequence of `s`.
fn char_mask(s: &str) -> u64 {
    s.chars().fold(0u64, |m, c| m | char_bit(c))
}

fn char_bit(c: char) -> u64 {
    let b = match c {
        'a'..='z' => c as u32 - 'a' as u32,
        '0'..='9' => 26 + (c as u32 - '0' as u32),
        _ if c.is_ascii() => 36,
        _ => 37 + (c as u32 % 26),
    };
    1u64 << b
}

fn is_subsequence(hay: &[u8], needle: &[u8]) -> bool {
    let mut rest = hay;
    for &b in needle {
        match rest.iter().position(|&h| h == b) {
            Some(p) => rest = &rest[p + 1..],
            None => return false,
        }
    }
    true
}

/// The words of a folded query, cut like fields into syllables so punctuation never has to
/// match ("gốm, sứ", "(HTX)", "Nguyễn-Văn"); phone numbers stay whole ("0912.345.678").
/// At most `MAX_WORDS`: a pasted paragraph should not stall the screen.
fn query_words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split_whitespace()
        .flat_map(|w| {
            let whole = phone_pattern(w).map(|_| w);
            let parts = whole.is_none().then(|| syllables(w).map(|(_, s)| s));
            whole.into_iter().chain(parts.into_iter().flatten())
        })
        .take(MAX_WORDS)
}

/// The query's words, with a number typed in groups ("0136 059 794", "0912 345 678") joined
/// into one: phones and tax numbers are written with spaces, and matched as one digit run.
fn query_terms(folded: &str) -> Vec<std::borrow::Cow<'_, str>> {
    let mut out: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    let mut prev_number = false;
    for w in query_words(folded) {
        let number = phone_pattern(w).is_some();
        match out.last_mut() {
            Some(last) if number && prev_number => {
                let joined = format!("{}{}", text::digits_only(last), text::digits_only(w));
                *last = std::borrow::Cow::Owned(joined);
            }
            _ => out.push(std::borrow::Cow::Borrowed(w)),
        }
        prev_number = number;
    }
    out
}

/// The legal-form words a name may begin with (folded syllables), longest first: a query
/// word found only there says little about which facility is meant.
const LEGAL_FORMS: [&[&str]; 13] = [
    &["doanh", "nghiep", "tu", "nhan"],
    &["cong", "ty", "co", "phan"],
    &["co", "so", "san", "xuat"],
    &["cong", "ty", "tnhh"],
    &["ho", "kinh", "doanh"],
    &["hop", "tac", "xa"],
    &["to", "hop", "tac"],
    &["cong", "ty"],
    &["co", "so"],
    &["htx"],
    &["dntn"],
    &["hkd"],
    &["thht"],
];

/// How many syllables of a folded name belong to its leading legal form ("Công ty TNHH
/// MTV …", "Hợp tác xã …"), 0 if none.
fn legal_form_len(name_folded: &str) -> u8 {
    let mut buf = [""; 8];
    let mut len = 0;
    for (slot, (_, syl)) in buf.iter_mut().zip(syllables(name_folded)) {
        *slot = syl;
        len += 1;
    }
    let syls = &buf[..len];
    let Some(form) = LEGAL_FORMS.iter().find(|f| syls.starts_with(f)) else {
        return 0;
    };
    let mut n = form.len();
    // "Công ty TNHH một thành viên", "… MTV".
    if syls[n..].starts_with(&["mtv"]) {
        n += 1;
    } else if syls[n..].starts_with(&["mot", "thanh", "vien"]) {
        n += 3;
    }
    u8::try_from(n).unwrap_or(0)
}

/// Whether every field `word` matches is matched by `other` too: `other`'s letters are a
/// subsequence of `word`'s (syllables), and if `word` can match a phone, `other` is a number
/// found inside it (phones match on digit substrings, not subsequences).
fn implies(word: &str, other: &str) -> bool {
    is_subsequence(word.as_bytes(), other.as_bytes())
        && match phone_pattern(word) {
            None => true,
            Some(digits) => phone_pattern(other).is_some_and(|d| digits.contains(d.as_str())),
        }
}

fn clamp_score(s: i64) -> i16 {
    // NO_MATCH stays reserved.
    s.clamp(i64::from(i16::MIN) + 1, i64::from(i16::MAX)) as i16
}

/// The digits a word stands for when it is a phone number ("0912", "0912.345"), if it is one.
fn phone_pattern(word: &str) -> Option<String> {
    let number = word
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | '(' | ')'));
    let digits = text::digits_only(word);
    (number && !digits.is_empty()).then_some(digits)
}

/// Score of a digit run found at `pos` in a phone's digits: what skim gives a contiguous
/// match (31 at the start, 15 elsewhere, then 20 per digit) plus the same bonuses as words.
fn phone_score(digits: &str, pattern: &str) -> Option<(i16, usize)> {
    let pos = digits.find(pattern)?;
    let n = pattern.len() as i64;
    let base = if pos == 0 { 31 } else { 15 } + 20 * (n - 1);
    let bonus = if digits.len() == pattern.len() {
        BONUS_WHOLE_SYLLABLE
    } else if pos == 0 {
        BONUS_SYLLABLE_PREFIX
    } else {
        BONUS_SUBSTRING
    };
    Some((clamp_score(base + i64::from(bonus)), pos))
}

// ---------------------------------------------------------------------------------------
// Per-word scores, cached between calls.

/// Scores of one query word: per syllable, per entry of each text column, per doc phone.
/// Where a word scored `NO_MATCH`, any word containing it does too: a longer word is only
/// tried where this one matched.
struct WordScores {
    word: String,
    syllables: Vec<i16>,
    /// Per syllable: 2 when it is the word, 1 when it starts with it, else 0 (for ranking).
    class: Vec<u8>,
    /// The digits of a number word.
    digits: Option<String>,
    cols: [Vec<i16>; TEXT_COLS],
    /// Per doc, phone then tax number; empty unless the word is a number.
    nums: [Vec<i16>; NUM_COLS],
    /// Per field (`Field` order), per entry of `cols`/`nums`: how the word matched there at
    /// best (`CLASS_WHOLE`, `CLASS_BEGUN`, else 0). Bounds a doc's tier
    /// (`SearchIndex::doc_totals`) with one lookup per field.
    classes: [Vec<u8>; FIELDS],
    /// Per field (`Field` order): how many entries matched.
    counts: [usize; FIELDS],
}

impl WordScores {
    fn active(&self, f: usize) -> bool {
        self.counts[f] > 0
    }

    fn matches_anything(&self) -> bool {
        self.counts.iter().any(|&c| c > 0)
    }

    /// Roughly how many docs this word matches: the rarest word is checked first.
    fn hit_count(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// The docs matching a query, ascending, with a bound on each one's total and the tier in
/// that bound (`SearchIndex::doc_totals`).
#[derive(Default)]
struct Matched {
    ids: Vec<u32>,
    bounds: Vec<i32>,
    tiers: Vec<u8>,
}

/// One word over one doc: bit f (`Field` order) set where the word is a whole syllable (or
/// the whole number) of field f, or begins one — outside a name's legal form — and where it
/// is a whole syllable anywhere (the legal form may start a phrase).
#[derive(Debug, Clone, Copy, Default)]
struct FieldClasses {
    whole: u8,
    begun: u8,
    whole_anywhere: u8,
}

#[cfg(test)]
thread_local! {
    /// How many exact tiers this thread computed (tests check the bound spares most).
    static TIERS_COMPUTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The docs that matched a whole query, one bit per doc (12.5 KB at 100,000 docs).
struct QueryDocs {
    words: Vec<String>,
    bits: Vec<u64>,
    count: usize,
}

#[derive(Default)]
struct WordCache {
    entries: Vec<(u64, Arc<WordScores>)>,
    queries: Vec<(u64, Arc<QueryDocs>)>,
    clock: u64,
}

impl WordCache {
    fn get(&mut self, word: &str) -> Option<Arc<WordScores>> {
        self.clock += 1;
        let now = self.clock;
        self.entries
            .iter_mut()
            .find(|(_, w)| w.word == word)
            .map(|(used, w)| {
                *used = now;
                Arc::clone(w)
            })
    }

    /// A cached word that matched whatever `word` matches.
    fn base_for(&self, word: &str) -> Option<Arc<WordScores>> {
        self.entries
            .iter()
            .filter(|(_, w)| implies(word, &w.word))
            .min_by_key(|(_, w)| w.hit_count())
            .map(|(_, w)| Arc::clone(w))
    }

    /// A cached query whose matches must include all of `words`' matches: each of its words
    /// is a subsequence of one of `words` (so "lang ng" narrows "lang nghe").
    fn query_base(&mut self, words: &[String]) -> Option<Arc<QueryDocs>> {
        self.clock += 1;
        let now = self.clock;
        let refines = |q: &QueryDocs| q.words.iter().all(|p| words.iter().any(|w| implies(w, p)));
        let best = self
            .queries
            .iter_mut()
            .filter(|(_, q)| refines(q))
            .min_by_key(|(_, q)| q.count)?;
        best.0 = now;
        Some(Arc::clone(&best.1))
    }

    fn put_query(&mut self, q: Arc<QueryDocs>) {
        self.clock += 1;
        self.queries.retain(|(_, old)| old.words != q.words);
        push_evicting(&mut self.queries, CACHE_QUERIES, self.clock, q);
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.queries.clear();
    }

    fn put(&mut self, scores: Arc<WordScores>) {
        self.clock += 1;
        if self.entries.iter().any(|(_, w)| w.word == scores.word) {
            return;
        }
        push_evicting(&mut self.entries, CACHE_WORDS, self.clock, scores);
    }
}

/// Adds `item` stamped `clock` to a cache list of at most `cap`, first dropping the least
/// recently used entry when it is full.
fn push_evicting<T>(list: &mut Vec<(u64, T)>, cap: usize, clock: u64, item: T) {
    if list.len() >= cap {
        let oldest = list.iter().enumerate().min_by_key(|(_, (used, _))| *used);
        if let Some(i) = oldest.map(|(i, _)| i) {
            list.swap_remove(i);
        }
    }
    list.push((clock, item));
}

// ---------------------------------------------------------------------------------------
// The index.

/// Facilities and their folded keys, built once; `search` takes `&self` and may run on
/// any thread.
pub struct SearchIndex {
    ids: Arena,
    /// Name, representative, products, commune.
    cols: [TextColumn; TEXT_COLS],
    /// Per doc: entry of representative, products, commune (for names, entry = doc).
    refs: Vec<[u32; 3]>,
    /// Per doc: how many syllables its name's legal form takes ("Hộ kinh doanh" = 3).
    legal_form: Vec<u8>,
    /// Phone, tax number: as shown, and their digits (what a number query is matched on).
    num_display: [Arena; NUM_COLS],
    num_digits: [Arena; NUM_COLS],
    vocab: Vocab,
    skim: Skim,
    cache: Mutex<WordCache>,
    /// Position of each doc in Vietnamese name order; built the first time a tie needs it.
    name_rank: OnceLock<Vec<u32>>,
    /// Vocabulary ids sorted by syllable, without flavour duplicates (for `segment`).
    sorted_syllables: OnceLock<Vec<u32>>,
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl SearchIndex {
    pub fn new() -> Self {
        SearchIndex {
            ids: Arena::default(),
            cols: [
                // Names and representatives are nearly all distinct: a dedup table would
                // only cost memory and cache misses.
                TextColumn::new(false),
                TextColumn::new(false),
                TextColumn::new(true),
                TextColumn::new(true),
            ],
            refs: Vec::new(),
            legal_form: Vec::new(),
            num_display: Default::default(),
            num_digits: Default::default(),
            vocab: Vocab::default(),
            skim: Skim::new(),
            cache: Mutex::new(WordCache::default()),
            name_rank: OnceLock::new(),
            sorted_syllables: OnceLock::new(),
        }
    }

    /// Adds a doc, folding its fields.
    pub fn push(&mut self, doc: Doc) {
        let folded = [
            Field::Name,
            Field::Representative,
            Field::Products,
            Field::Commune,
            Field::Phone,
        ]
        .map(|f| text::fold(doc.field(f)));
        self.push_folded(doc, folded);
    }

    /// Adds a doc whose folded keys (name, representative, products, commune, phone, as
    /// `text::fold` makes them) the caller already has, e.g. the store's `*_fold` columns.
    pub fn push_folded(&mut self, doc: Doc, folded: [String; 5]) {
        let [name_f, rep_f, prod_f, com_f, phone_f] = &folded;
        let doc = DocRef {
            id: &doc.id,
            name: &doc.name,
            representative: &doc.representative,
            products: &doc.products,
            commune: &doc.commune,
            phone: &doc.phone,
            tax_code: &doc.tax_code,
        };
        self.push_borrowed(doc, [name_f, rep_f, prod_f, com_f, phone_f]);
    }

    /// [`SearchIndex::push_folded`] from borrowed texts: loading 100,000 facilities this
    /// way copies each text once, into the index, instead of through a String per field.
    pub fn push_borrowed(&mut self, doc: DocRef<'_>, folded: [&str; 5]) {
        let nfc = DocRef {
            name: &as_nfc(doc.name),
            representative: &as_nfc(doc.representative),
            products: &as_nfc(doc.products),
            commune: &as_nfc(doc.commune),
            ..doc
        };
        self.push_stored(nfc, folded);
    }

    /// [`SearchIndex::push_borrowed`] for texts known to be NFC: what the store wrote (every
    /// stored text went through `text::ingest`), which skips a check per field.
    pub fn push_stored(&mut self, doc: DocRef<'_>, folded: [&str; 5]) {
        let [name_f, rep_f, prod_f, com_f, phone_f] = folded;
        self.ids.push(doc.id);
        let vocab = &mut self.vocab;
        let [name, rep, prod, com] = &mut self.cols;
        name.add(vocab, doc.name, name_f);
        self.legal_form.push(legal_form_len(name_f));
        let refs = [
            rep.add(vocab, doc.representative, rep_f),
            prod.add(vocab, doc.products, prod_f),
            com.add(vocab, doc.commune, com_f),
        ];
        self.refs.push(refs);
        // "0912 345" and "0912.345" are the same number.
        for (k, (shown, key)) in [(doc.phone, phone_f), (doc.tax_code, doc.tax_code)]
            .into_iter()
            .enumerate()
        {
            self.num_display[k].push(shown);
            if key.bytes().all(|b| b.is_ascii_digit()) {
                self.num_digits[k].push(key);
            } else {
                self.num_digits[k].push(&text::digits_only(key));
            }
        }
        self.invalidate();
    }

    pub fn len(&self) -> usize {
        self.refs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.refs.is_empty()
    }

    /// The doc at `i`; panics if `i >= len()`, like slice indexing (hits are always valid).
    pub fn doc(&self, i: usize) -> DocRef<'_> {
        let [rep, prod, com] = self.refs[i];
        DocRef {
            id: self.ids.get(i),
            name: self.cols[NAME].display.get(i),
            representative: self.cols[1].display.get(rep as usize),
            products: self.cols[2].display.get(prod as usize),
            commune: self.cols[3].display.get(com as usize),
            phone: self.num_display[0].get(i),
            tax_code: self.num_display[1].get(i),
        }
    }

    pub fn get(&self, i: usize) -> Option<DocRef<'_>> {
        (i < self.len()).then(|| self.doc(i))
    }

    /// Releases the spare capacity left by building (call once after the last push).
    pub fn shrink_to_fit(&mut self) {
        self.ids.shrink_to_fit();
        for c in &mut self.cols {
            c.shrink_to_fit();
        }
        self.refs.shrink_to_fit();
        self.legal_form.shrink_to_fit();
        for a in self.num_display.iter_mut().chain(&mut self.num_digits) {
            a.shrink_to_fit();
        }
        self.vocab.arena.shrink_to_fit();
        self.vocab.masks.shrink_to_fit();
    }

    /// Builds the name order used for ties now, rather than in the first search that needs
    /// it (a TUI can call this on a background thread after loading).
    pub fn prepare(&self) {
        self.name_rank();
        self.sorted_syllables();
    }

    /// Forgets the scores and matches kept between calls (a few bytes per doc for each of
    /// the last few query words and queries).
    pub fn clear_cache(&self) {
        if let Ok(mut c) = self.cache.lock() {
            c.clear();
        }
    }

    fn invalidate(&mut self) {
        self.name_rank = OnceLock::new();
        self.sorted_syllables = OnceLock::new();
        match self.cache.get_mut() {
            Ok(c) => c.clear(),
            Err(_) => self.cache = Mutex::new(WordCache::default()),
        }
    }

    /// The best `limit` docs for `query`, best first: score descending, then Vietnamese
    /// name order, then insertion order. A query with no letters or digits finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        self.search_counted(query, limit).0
    }

    /// [`SearchIndex::search`], and how many docs matched in all (to say how many more).
    pub fn search_counted(&self, query: &str, limit: usize) -> (Vec<Hit>, usize) {
        let folded = text::fold(query);
        let terms = query_terms(&folded);
        if terms.is_empty() || limit == 0 || self.is_empty() {
            return (Vec::new(), 0);
        }
        let mut scores: Vec<Arc<WordScores>> = Vec::new();
        for word in terms.iter().map(|w| w.as_ref()) {
            let s = self.word_scores(word);
            if s.matches_anything() {
                scores.push(s);
                continue;
            }
            // Typed without spaces ("nguyenvanduc", "battr"): search its syllables instead.
            // A number that matched nothing stays unmatched: digits are no initials.
            let pieces = match phone_pattern(word) {
                Some(_) => None,
                None => self.segment(word),
            };
            match pieces {
                Some(pieces) => scores.extend(pieces.iter().map(|p| self.word_scores(p))),
                None => return (Vec::new(), 0),
            }
        }
        let words: Vec<String> = scores.iter().map(|w| w.word.clone()).collect();
        let base = self
            .cache
            .lock()
            .ok()
            .and_then(|mut c| c.query_base(&words));
        let matched = self.doc_totals(&scores, base.as_ref().map(|b| &b.bits[..]));
        let count = matched.ids.len();
        let mut bits = vec![0u64; self.len().div_ceil(64)];
        for &d in &matched.ids {
            bits[d as usize / 64] |= 1 << (d % 64);
        }
        if let Ok(mut c) = self.cache.lock() {
            c.put_query(Arc::new(QueryDocs { words, bits, count }));
        }
        let limit = limit.min(self.len());
        let (ids, totals) = self.exact_totals(matched, &scores, limit);
        let top = self.select(&ids, &totals, limit);
        let hits = top
            .into_iter()
            .map(|(score, index)| self.hit(index, score, &scores))
            .collect();
        (hits, count)
    }

    fn word_scores(&self, word: &str) -> Arc<WordScores> {
        let (cached, base) = match self.cache.lock() {
            Ok(mut c) => match c.get(word) {
                Some(hit) => (Some(hit), None),
                None => (None, c.base_for(word)),
            },
            Err(_) => (None, None),
        };
        if let Some(s) = cached {
            return s;
        }
        let scores = Arc::new(self.score_word(word, base.as_deref()));
        if let Ok(mut c) = self.cache.lock() {
            c.put(Arc::clone(&scores));
        }
        scores
    }

    fn score_word(&self, word: &str, base: Option<&WordScores>) -> WordScores {
        let syllables = self.score_syllables(word, base.map(|b| &b.syllables[..]));
        let class = self.classify_syllables(word, &syllables);
        let cols: [Scanned; TEXT_COLS] = std::array::from_fn(|c| {
            let base = base.map(|b| (&b.cols[c][..], b.counts[c]));
            let form = (c == NAME).then_some(&self.legal_form[..]);
            self.score_column(&self.cols[c], &syllables, &class, form, base)
        });
        let [(c0, k0, n0), (c1, k1, n1), (c2, k2, n2), (c3, k3, n3)] = cols;
        // `base_for` only offers a number as the base of a number.
        let digits = phone_pattern(word);
        let [(p, k4, n4), (t, k5, n5)] = std::array::from_fn(|k| match &digits {
            Some(digits) => {
                let base = base
                    .filter(|b| !b.nums[k].is_empty())
                    .map(|b| (&b.nums[k][..], b.counts[PHONE + k]));
                self.score_numbers(k, digits, base)
            }
            None => (Vec::new(), Vec::new(), 0),
        });
        WordScores {
            word: word.to_owned(),
            syllables,
            class,
            digits,
            cols: [c0, c1, c2, c3],
            nums: [p, t],
            classes: [k0, k1, k2, k3, k4, k5],
            counts: [n0, n1, n2, n3, n4, n5],
        }
    }

    /// Skim score plus the whole/prefix/substring bonus of `word` against every syllable.
    /// Only syllables that matched `base` (a word contained in this one) can match.
    fn score_syllables(&self, word: &str, base: Option<&[i16]>) -> Vec<i16> {
        let need = char_mask(word);
        let score = |id: usize| -> i16 {
            if self.vocab.masks[id] & need != need || base.is_some_and(|b| b[id] == NO_MATCH) {
                return NO_MATCH;
            }
            let flavoured = self.vocab.arena.get(id);
            let syl = flavoured.trim_start_matches(' ');
            if !is_subsequence(syl.as_bytes(), word.as_bytes()) {
                return NO_MATCH;
            }
            let Some(s) = self.skim.score(flavoured, word) else {
                return NO_MATCH;
            };
            let bonus = if syl == word {
                BONUS_WHOLE_SYLLABLE
            } else if syl.starts_with(word) {
                BONUS_SYLLABLE_PREFIX
            } else if syl.contains(word) {
                BONUS_SUBSTRING
            } else {
                0
            };
            clamp_score(s + i64::from(bonus))
        };
        par_ranges(self.vocab.arena.len(), |r| r.map(score).collect::<Vec<_>>())
            .into_iter()
            .flatten()
            .collect()
    }

    /// Per syllable: `CLASS_WHOLE` where it is `word`, `CLASS_BEGUN` where it starts with it,
    /// 0 elsewhere.
    fn classify_syllables(&self, word: &str, scores: &[i16]) -> Vec<u8> {
        scores
            .iter()
            .enumerate()
            .map(|(id, &s)| {
                if s == NO_MATCH {
                    return 0;
                }
                let syl = self.vocab.arena.get(id).trim_start_matches(' ');
                if syl == word {
                    CLASS_WHOLE
                } else if syl.starts_with(word) {
                    CLASS_BEGUN
                } else {
                    0
                }
            })
            .collect()
    }

    /// Per entry, its best syllable's score and best syllable classes (`pack_class`: over
    /// all syllables, and over those after the name's legal form, `form` syllables per entry)
    /// — only where `base`, the scores of a word contained in this one and how many matched,
    /// has a match — and how many matched.
    fn score_column(
        &self,
        col: &TextColumn,
        syllables: &[i16],
        class: &[u8],
        form: Option<&[u8]>,
        base: Option<(&[i16], usize)>,
    ) -> Scanned {
        let score = |id: u32| -> (i16, u8) {
            let skip = form.map_or(0, |f| usize::from(f[id as usize]));
            let (mut best, mut all, mut outside) = (NO_MATCH, 0, 0);
            for (p, &y) in col.syls_of(id as usize).iter().enumerate() {
                best = best.max(syllables[y as usize]);
                let c = class[y as usize];
                all = all.max(c);
                if p >= skip {
                    outside = outside.max(c);
                }
            }
            (best, pack_class(all, outside))
        };
        scan(col.len(), base, score)
    }

    /// Number column `k` (phone, tax number) against the digits of a number word.
    fn score_numbers(&self, k: usize, digits: &str, base: Option<(&[i16], usize)>) -> Scanned {
        let col = &self.num_digits[k];
        let score = |i: u32| -> (i16, u8) {
            let have = col.get(i as usize);
            match phone_score(have, digits) {
                // The whole number, or its beginning.
                Some((s, 0)) if have.len() == digits.len() => {
                    (s, pack_class(CLASS_WHOLE, CLASS_WHOLE))
                }
                Some((s, 0)) => (s, pack_class(CLASS_BEGUN, CLASS_BEGUN)),
                Some((s, _)) => (s, 0),
                None => (NO_MATCH, 0),
            }
        };
        scan(col.len(), base, score)
    }

    /// The docs matching all `words`, ascending, and for each a bound on its total
    /// (`tier * TIER + score`, see `tier`) and the tier in that bound: the exact score, and a
    /// tier that the doc's exact tier cannot exceed, read from the words' per-field classes. `exact_totals` settles the
    /// tier only for the docs that can still reach the top. When given, only the docs set in
    /// `candidates` (one bit per doc) are looked at.
    fn doc_totals(&self, words: &[Arc<WordScores>], candidates: Option<&[u64]>) -> Matched {
        // The rarest word first: most docs are then rejected after one lookup.
        let mut order: Vec<(usize, &WordScores)> = words.iter().map(|w| &**w).enumerate().collect();
        order.sort_by_key(|(_, w)| w.hit_count());
        let last = words.len().saturating_sub(1);
        // A number is a one-word phrase of its own (`tier`): with more words, only text
        // fields can hold the phrase.
        let phrase_fields = if words.len() == 1 {
            u8::MAX
        } else {
            !NUM_FIELDS_MASK
        };
        let total = |i: u32| -> Option<(i32, u8)> {
            let mut total = 0i32;
            // Per field: every word but the last whole there (a phrase's start); the last
            // word whole, or begun, there (a phrase ends outside a name's legal form).
            let mut init_phrase = phrase_fields;
            let (mut whole_last, mut begun_last) = (0u8, 0u8);
            // Every word whole somewhere; every word but the last whole somewhere.
            let (mut each_whole, mut each_init) = (true, true);
            for &(k, w) in &order {
                let (score, _, m) = self.best_field(i as usize, w)?;
                total = total.saturating_add(score);
                each_whole &= m.whole != 0;
                if k == last {
                    (whole_last, begun_last) = (m.whole, m.begun);
                } else {
                    init_phrase &= m.whole_anywhere;
                    each_init &= m.whole != 0;
                }
            }
            let bound = if init_phrase & whole_last != 0 {
                5
            } else if init_phrase & begun_last != 0 {
                4
            } else if each_whole {
                3
            } else if each_init && begun_last != 0 {
                2
            } else {
                1
            };
            Some((i32::from(bound) * TIER + total.min(TIER - 1), bound))
        };
        let visit = |i: u32, out: &mut Matched| {
            if let Some((bound, tier)) = total(i) {
                out.ids.push(i);
                out.bounds.push(bound);
                out.tiers.push(tier);
            }
        };
        let parts = match candidates {
            None => par_ranges(self.len(), |range| {
                let mut out = Matched::default();
                for i in range {
                    visit(to_u32(i), &mut out);
                }
                out
            }),
            Some(bits) => {
                let set: usize = bits.iter().map(|w| w.count_ones() as usize).sum();
                par_split(bits.len(), set >= PAR_MIN, |range| {
                    let mut out = Matched::default();
                    for wi in range {
                        let mut w = bits[wi];
                        while w != 0 {
                            let i = to_u32(wi * 64 + w.trailing_zeros() as usize);
                            visit(i, &mut out);
                            w &= w - 1;
                        }
                    }
                    out
                })
            }
        };
        let mut all = Matched::default();
        for p in parts {
            all.ids.extend_from_slice(&p.ids);
            all.bounds.extend_from_slice(&p.bounds);
            all.tiers.extend_from_slice(&p.tiers);
        }
        all
    }

    /// How well doc `i` matches the query `words` (in the order typed), before any score:
    /// 5 when they are whole syllables, one after the other, in one field (a phrase);
    /// 4 the same with the last word only begun (typing); 3 when each is a whole syllable
    /// somewhere; 2 the same with the last word begun; 1 otherwise (letters inside
    /// syllables, typos, initials). Syllables of the name's legal form ("Hộ kinh doanh")
    /// count only as part of a phrase that goes on into the name proper.
    fn tier(&self, i: usize, words: &[&WordScores]) -> i32 {
        let m = words.len();
        if m == 0 || m > 32 {
            return 1;
        }
        let last = m - 1;
        let refs = &self.refs[i];
        let lists: [&[u32]; TEXT_COLS] = [
            self.cols[NAME].syls_of(i),
            self.cols[1].syls_of(refs[0] as usize),
            self.cols[2].syls_of(refs[1] as usize),
            self.cols[3].syls_of(refs[2] as usize),
        ];
        let form = usize::from(self.legal_form[i]);
        // Bit k: word k is a whole syllable somewhere (strict), or begins one if last (relaxed).
        let (mut strict, mut relaxed) = (0u32, 0u32);
        let (mut phrase_strict, mut phrase_relaxed) = (false, false);
        for (f, list) in lists.iter().enumerate() {
            // A word that matched no entry of this column has class 0 on all its syllables.
            if !words.iter().any(|w| w.active(f)) {
                continue;
            }
            let phrase_possible = words.iter().all(|w| w.active(f));
            let skip = if f == NAME { form } else { 0 };
            for (p, &syl) in list.iter().enumerate() {
                let outside = p >= skip;
                for (k, w) in words.iter().enumerate() {
                    let c = w.class[syl as usize];
                    if outside && c == 2 {
                        strict |= 1 << k;
                        relaxed |= 1 << k;
                    } else if outside && k == last && c == 1 {
                        relaxed |= 1 << k;
                    }
                }
                if !phrase_possible || phrase_strict || p + m > list.len() || p + m <= skip {
                    continue;
                }
                let mut whole = true;
                let mut begun = true;
                for (k, w) in words.iter().enumerate() {
                    let c = w.class[list[p + k] as usize];
                    if c != 2 {
                        whole = false;
                        if !(k == last && c == 1) {
                            begun = false;
                            break;
                        }
                    }
                }
                phrase_strict |= whole;
                phrase_relaxed |= begun;
            }
        }
        // Numbers: the whole number, or its beginning, is a one-word phrase of its own.
        for (k, w) in words.iter().enumerate() {
            let Some(digits) = &w.digits else { continue };
            for n in 0..NUM_COLS {
                if !w.active(PHONE + n) {
                    continue;
                }
                let have = self.num_digits[n].get(i);
                if have == digits {
                    strict |= 1 << k;
                    relaxed |= 1 << k;
                    phrase_strict |= m == 1;
                } else if k == last && have.starts_with(digits.as_str()) {
                    relaxed |= 1 << k;
                    phrase_relaxed |= m == 1;
                }
            }
        }
        let all = if m == 32 { u32::MAX } else { (1u32 << m) - 1 };
        if phrase_strict {
            5
        } else if phrase_relaxed {
            4
        } else if strict == all {
            3
        } else if relaxed == all {
            2
        } else {
            1
        }
    }

    /// The best weighted score of one word over doc `i`'s fields, that field (the first one
    /// on a tie), and in which fields the word is a whole syllable or begins one.
    #[inline]
    fn best_field(&self, i: usize, w: &WordScores) -> Option<(i32, usize, FieldClasses)> {
        let mut best: Option<(i32, usize)> = None;
        let mut m = FieldClasses::default();
        let mut consider = |f: usize, s: i16, c: u8| {
            if s != NO_MATCH {
                let v = i32::from(s) * WEIGHT[f];
                if best.is_none_or(|(b, _)| v > b) {
                    best = Some((v, f));
                }
                let (all, outside) = (c & 3, c >> 2);
                m.whole |= u8::from(outside == CLASS_WHOLE) << f;
                m.begun |= u8::from(outside >= CLASS_BEGUN) << f;
                m.whole_anywhere |= u8::from(all == CLASS_WHOLE) << f;
            }
        };
        // Fields where the word matched nowhere cost no lookup.
        if w.active(NAME) {
            consider(NAME, w.cols[NAME][i], w.classes[NAME][i]);
        }
        if w.active(1) || w.active(2) || w.active(3) {
            let refs = &self.refs[i];
            for f in 1..TEXT_COLS {
                if w.active(f) {
                    let e = refs[f - 1] as usize;
                    consider(f, w.cols[f][e], w.classes[f][e]);
                }
            }
        }
        for k in 0..NUM_COLS {
            if w.active(PHONE + k) {
                consider(PHONE + k, w.nums[k][i], w.classes[PHONE + k][i]);
            }
        }
        best.map(|(v, f)| (v, f, m))
    }

    /// The docs that can be among the `limit` best of `docs` (with `bounds` from
    /// `doc_totals`), with their exact totals. The exact tier (`tier`) walks every syllable of
    /// a doc, so it is computed only where the bound still reaches the `limit`-th best exact
    /// total found: first for the `limit` best bounds, then for every doc bounded at least
    /// that high. A doc left out has an exact total below `limit` others, so `select` gives
    /// the same answer as over all docs.
    fn exact_totals(
        &self,
        m: Matched,
        words: &[Arc<WordScores>],
        limit: usize,
    ) -> (Vec<u32>, Vec<i32>) {
        // One word: the bound is the tier (a phrase of one whole or begun syllable outside
        // the legal form, or number), so many docs tied at the cut cost nothing more.
        if words.len() == 1 {
            return (m.ids, m.bounds);
        }
        let in_order: Vec<&WordScores> = words.iter().map(|w| &**w).collect();
        // Doc `m.ids[k]`'s exact total: its bound with the bounding tier replaced.
        let exact = |k: usize| -> i32 {
            #[cfg(test)]
            TIERS_COMPUTED.with(|n| n.set(n.get() + 1));
            let tier = self.tier(m.ids[k] as usize, &in_order);
            m.bounds[k] - i32::from(m.tiers[k]) * TIER + tier * TIER
        };
        let positions = (0..to_u32(m.ids.len())).zip(m.bounds.iter().copied());
        let first = top_k(positions, limit, |k| k);
        let Some(cut) = first.iter().map(|&(_, k)| exact(k)).min() else {
            return (Vec::new(), Vec::new());
        };
        let n = m.ids.len();
        let parts = par_split(n, n >= PAR_MIN, |range| {
            let (mut ids, mut totals) = (Vec::new(), Vec::new());
            for k in range {
                if m.bounds[k] >= cut {
                    ids.push(m.ids[k]);
                    totals.push(exact(k));
                }
            }
            (ids, totals)
        });
        let (mut ids, mut totals) = (Vec::new(), Vec::new());
        for (i, t) in parts {
            ids.extend_from_slice(&i);
            totals.extend_from_slice(&t);
        }
        (ids, totals)
    }

    /// The `limit` best of docs `ids` with scores `totals`, as (score, doc), best first.
    fn select(&self, ids: &[u32], totals: &[i32], limit: usize) -> Vec<(i32, usize)> {
        let matched = || ids.iter().copied().zip(totals.iter().copied());
        if let Some(rank) = self.name_rank.get() {
            // (score, name order) decides everything in one pass.
            return top_k(matched(), limit, |i| rank[i as usize]);
        }
        // By (score, insertion order) first. That is the answer unless docs tied with the
        // last one kept were left out: then the name order decides which get in.
        let mut top = top_k(matched(), limit, |i| i);
        if let Some(&(last, _)) = top.last().filter(|_| top.len() == limit) {
            let kept = top.iter().filter(|&&(s, _)| s == last).count();
            let tied = totals.iter().filter(|&&s| s == last).count();
            if tied > PARTIAL_TIE_MIN.max(self.len() / 4) {
                let rank = self.name_rank();
                return top_k(matched(), limit, |i| rank[i as usize]);
            }
            if tied > kept {
                // A small tie is cheaper to sort by name than building the name order
                // (a one-shot `ctv find` seldom needs that).
                let mut ties: Vec<(Vec<u8>, usize)> = matched()
                    .filter(|&(_, s)| s == last)
                    .map(|(i, _)| (self.name_key(i as usize), i as usize))
                    .collect();
                ties.sort_unstable();
                top.retain(|&(s, _)| s > last);
                let room = limit - top.len();
                top.extend(ties.into_iter().take(room).map(|(_, i)| (last, i)));
            }
        }
        // The final order of the few kept: score, then Vietnamese name order.
        let mut keyed: Vec<(i32, Vec<u8>, usize)> = top
            .into_iter()
            .map(|(s, i)| (s, self.name_key(i), i))
            .collect();
        keyed.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| a.1.cmp(&b.1))
                .then(a.2.cmp(&b.2))
        });
        keyed.into_iter().map(|(s, _, i)| (s, i)).collect()
    }

    fn name_key(&self, i: usize) -> Vec<u8> {
        text::vn_sort_key(self.cols[NAME].display.get(i))
    }

    /// Splits a word typed without spaces into known syllables, the last possibly unfinished
    /// ("battr" → "bat", "tr"). Pieces that only begin a syllable are allowed anywhere
    /// (initials: "nvd") but cost more; the fewest pieces win.
    fn segment(&self, word: &str) -> Option<Vec<String>> {
        let syl = |i: u32| self.vocab.arena.get(i as usize).trim_start_matches(' ');
        let sorted = self.sorted_syllables();
        let is_syllable = |p: &str| sorted.binary_search_by(|&i| syl(i).cmp(p)).is_ok();
        let starts_syllable = |p: &str| {
            let at = sorted.partition_point(|&i| syl(i) < p);
            sorted.get(at).is_some_and(|&i| syl(i).starts_with(p))
        };
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(b, _)| b)
            .chain([word.len()])
            .collect();
        if bounds.len() > 65 {
            return None;
        }
        // cost[k]: (pieces, unfinished pieces) for the first k chars; from[k]: the cut before.
        let mut cost: Vec<Option<(usize, usize)>> = vec![None; bounds.len()];
        let mut from = vec![0usize; bounds.len()];
        cost[0] = Some((0, 0));
        for end in 1..bounds.len() {
            for start in 0..end {
                let Some((pieces, partial)) = cost[start] else {
                    continue;
                };
                let piece = &word[bounds[start]..bounds[end]];
                let extra = if is_syllable(piece) {
                    0
                } else if starts_syllable(piece) {
                    1
                } else {
                    continue;
                };
                let c = (pieces + 1, partial + extra);
                if cost[end].is_none_or(|best| c < best) {
                    cost[end] = Some(c);
                    from[end] = start;
                }
            }
        }
        let last = bounds.len() - 1;
        let (pieces, _) = cost[last]?;
        if pieces < 2 {
            return None;
        }
        let mut out = Vec::with_capacity(pieces);
        let mut end = last;
        while end > 0 {
            let start = from[end];
            out.push(word[bounds[start]..bounds[end]].to_owned());
            end = start;
        }
        out.reverse();
        Some(out)
    }

    fn sorted_syllables(&self) -> &[u32] {
        self.sorted_syllables.get_or_init(|| {
            let syl = |i: u32| self.vocab.arena.get(i as usize).trim_start_matches(' ');
            let mut v: Vec<u32> = (0..to_u32(self.vocab.arena.len())).collect();
            v.sort_by(|&a, &b| syl(a).cmp(syl(b)));
            v.dedup_by(|a, b| syl(*a) == syl(*b));
            v
        })
    }

    fn name_rank(&self) -> &[u32] {
        self.name_rank.get_or_init(|| {
            let names = &self.cols[NAME].display;
            if self.pushed_in_name_order() {
                return (0..to_u32(names.len())).collect();
            }
            // Sort on the base-letter level alone (a third of the key, in one arena), then
            // settle runs of equal base letters with the full key.
            let parts = par_ranges(names.len(), |range| {
                let mut arena = Vec::new();
                let mut ends = Vec::with_capacity(range.len());
                for i in range {
                    text::push_vn_primary_key(&mut arena, names.get(i));
                    ends.push(arena.len());
                }
                (arena, ends)
            });
            let mut keys: Vec<&[u8]> = Vec::with_capacity(names.len());
            for (arena, ends) in &parts {
                let mut start = 0;
                for &end in ends {
                    keys.push(&arena[start..end]);
                    start = end;
                }
            }
            let mut order: Vec<u32> = (0..to_u32(names.len())).collect();
            order.sort_unstable_by(|&a, &b| keys[a as usize].cmp(keys[b as usize]).then(a.cmp(&b)));
            let mut start = 0;
            while start < order.len() {
                let key = keys[order[start] as usize];
                let mut end = start + 1;
                while end < order.len() && keys[order[end] as usize] == key {
                    end += 1;
                }
                if end - start > 1 {
                    order[start..end]
                        .sort_by_cached_key(|&i| (text::vn_sort_key(names.get(i as usize)), i));
                }
                start = end;
            }
            let mut rank = vec![0u32; names.len()];
            for (r, &i) in order.iter().enumerate() {
                rank[i as usize] = to_u32(r);
            }
            rank
        })
    }

    /// The store hands docs over `ORDER BY sort_key` (`vn_sort_key(name)`): then the name
    /// order is the insertion order, and checking that costs no sort and no key arena.
    fn pushed_in_name_order(&self) -> bool {
        let names = &self.cols[NAME].display;
        let sorted_range = |range: Range<usize>| {
            // Base letters decide almost every pair; the full key only settles equal ones.
            let (mut prev, mut cur) = (Vec::new(), Vec::new());
            for i in range.clone() {
                cur.clear();
                text::push_vn_primary_key(&mut cur, names.get(i));
                if i > range.start {
                    let in_order = match prev.cmp(&cur) {
                        std::cmp::Ordering::Less => true,
                        std::cmp::Ordering::Greater => false,
                        std::cmp::Ordering::Equal => {
                            text::vn_cmp(names.get(i - 1), names.get(i)).is_le()
                        }
                    };
                    if !in_order {
                        return false;
                    }
                }
                std::mem::swap(&mut prev, &mut cur);
            }
            true
        };
        // Each part also checks the pair across its start.
        par_ranges(names.len(), |r| {
            sorted_range(r.start.saturating_sub(1)..r.end)
        })
        .into_iter()
        .all(|ok| ok)
    }

    fn hit(&self, index: usize, score: i32, words: &[Arc<WordScores>]) -> Hit {
        // Report the field carrying most of the score; highlight every word that landed there.
        let mut per_field = [0i64; FIELDS];
        let best: Vec<Option<usize>> = words
            .iter()
            .map(|w| {
                let b = self.best_field(index, w);
                if let Some((s, f, _)) = b {
                    per_field[f] += i64::from(s);
                }
                b.map(|(_, f, _)| f)
            })
            .collect();
        let field_idx = (0..FIELDS)
            .filter(|f| best.contains(&Some(*f)))
            .max_by_key(|&f| (per_field[f], Reverse(f)))
            .unwrap_or(NAME);
        let field = Field::ALL[field_idx];
        let mut positions = Vec::new();
        for (w, b) in words.iter().zip(&best) {
            if *b == Some(field_idx) {
                self.positions_of(index, field_idx, w, &mut positions);
            }
        }
        let display_len = self.doc(index).field(field).chars().count();
        positions.retain(|&p| p < display_len);
        positions.sort_unstable();
        positions.dedup();
        Hit {
            index,
            score: i64::from(score),
            field,
            positions,
        }
    }

    /// Char positions of `w`'s match in doc `index`'s field `f`, found the way it was scored.
    fn positions_of(&self, index: usize, f: usize, w: &WordScores, out: &mut Vec<usize>) {
        if f >= PHONE {
            let k = f - PHONE;
            let Some(digits) = phone_pattern(&w.word) else {
                return;
            };
            let Some((_, pos)) = phone_score(self.num_digits[k].get(index), &digits) else {
                return;
            };
            // Digit k of the key is the k-th digit of the displayed number.
            let shown: Vec<usize> = self.num_display[k]
                .get(index)
                .chars()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            out.extend((pos..pos + digits.len()).filter_map(|k| shown.get(k).copied()));
            return;
        }
        let col = &self.cols[f];
        let entry = if f == NAME {
            index
        } else {
            self.refs[index][f - 1] as usize
        };
        let key = col.folded_key(entry);
        let ids = col.syls_of(entry);
        let Some(best) = ids.iter().map(|&s| w.syllables[s as usize]).max() else {
            return;
        };
        // The first syllable with the best score; ids are in `syllables(key)` order.
        let found = syllables(&key)
            .zip(ids)
            .find(|(_, &id)| best != NO_MATCH && w.syllables[id as usize] == best);
        if let Some(((char_start, _), &id)) = found {
            let flavoured = self.vocab.arena.get(id as usize);
            let shift = usize::from(flavoured.starts_with(' '));
            if let Some(pos) = self.skim.indices(flavoured, &w.word) {
                out.extend(pos.into_iter().map(|p| char_start + p - shift));
            }
        }
    }
}

/// Positions are char indices into the display text, so it must be the NFC the keys were
/// folded from.
fn as_nfc(s: &str) -> std::borrow::Cow<'_, str> {
    if text::is_nfc(s) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(text::nfc(s))
    }
}

/// Dense scores by id, dense classes by id, and how many ids matched.
type Scanned = (Vec<i16>, Vec<u8>, usize);

/// Runs `score` (score and class) over ids `0..n` (skipping those where `base` is
/// `NO_MATCH`), in parallel when large.
fn scan(
    n: usize,
    base: Option<(&[i16], usize)>,
    score: impl Fn(u32) -> (i16, u8) + Sync,
) -> Scanned {
    let mut scores = vec![NO_MATCH; n];
    let mut classes = vec![0u8; n];
    // Worth a second thread only if many ids will be scored, not merely skipped.
    let parallel = base.map_or(n, |(_, matched)| matched) >= PAR_MIN;
    let base = base.map(|(b, _)| b);
    let mut pairs: Vec<(&mut [i16], &mut [u8])> = Vec::new();
    let chunk = if parallel {
        n.div_ceil(threads()).max(1)
    } else {
        n.max(1)
    };
    for (s, c) in scores.chunks_mut(chunk).zip(classes.chunks_mut(chunk)) {
        pairs.push((s, c));
    }
    let counts = par_chunks_mut(&mut pairs, parallel, |first, part| {
        let mut count = 0;
        for (p, (s, c)) in part.iter_mut().enumerate() {
            let offset = (first + p) * chunk;
            for (k, (slot, class)) in s.iter_mut().zip(c.iter_mut()).enumerate() {
                let id = offset + k;
                if base.is_some_and(|b| b[id] == NO_MATCH) {
                    continue;
                }
                (*slot, *class) = score(to_u32(id));
                count += usize::from(*slot != NO_MATCH);
            }
        }
        count
    });
    (scores, classes, counts.into_iter().sum())
}

/// The `k` best of `(doc, score)` by score, then by `tie(doc)` ascending, as (score, doc),
/// best first.
fn top_k(
    matched: impl ExactSizeIterator<Item = (u32, i32)>,
    k: usize,
    tie: impl Fn(u32) -> u32,
) -> Vec<(i32, usize)> {
    // A min-heap on (score, Reverse(tie)): its top is the worst kept.
    let mut heap: BinaryHeap<Reverse<(i32, Reverse<u32>, u32)>> =
        BinaryHeap::with_capacity(k.min(matched.len()) + 1);
    for (i, score) in matched {
        if heap.len() == k && heap.peek().is_some_and(|worst| score < worst.0 .0) {
            continue;
        }
        let item = (score, Reverse(tie(i)), i);
        if heap.len() < k {
            heap.push(Reverse(item));
        } else if heap.peek().is_some_and(|worst| item > worst.0) {
            heap.pop();
            heap.push(Reverse(item));
        }
    }
    let mut v: Vec<(i32, Reverse<u32>, u32)> = heap.into_iter().map(|r| r.0).collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.into_iter().map(|(s, _, i)| (s, i as usize)).collect()
}

fn threads() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4)))
}

/// Runs `f(offset, chunk)` over `data` cut into one contiguous chunk per core; results in
/// chunk order.
fn par_chunks_mut<T: Send, R: Send>(
    data: &mut [T],
    parallel: bool,
    f: impl Fn(usize, &mut [T]) -> R + Sync,
) -> Vec<R> {
    let t = threads();
    if t <= 1 || !parallel || data.len() < 2 {
        return vec![f(0, data)];
    }
    let chunk = data.len().div_ceil(t);
    let f = &f;
    std::thread::scope(|scope| {
        let mut pieces = data.chunks_mut(chunk).enumerate();
        let first = pieces.next();
        let handles: Vec<_> = pieces
            .map(|(k, piece)| scope.spawn(move || f(k * chunk, piece)))
            .collect();
        let mut out = Vec::with_capacity(t);
        if let Some((_, piece)) = first {
            out.push(f(0, piece));
        }
        for h in handles {
            match h.join() {
                Ok(v) => out.push(v),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// Runs `f` over `0..n` cut into one contiguous range per core; results in range order.
fn par_ranges<T: Send>(n: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    par_split(n, n >= PAR_MIN, f)
}

/// `par_ranges`, with the caller judging whether the work is worth a second thread.
fn par_split<T: Send>(n: usize, parallel: bool, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let t = threads();
    if t <= 1 || !parallel || n < 2 {
        return vec![f(0..n)];
    }
    let chunk = n.div_ceil(t);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..t)
            .map(|k| {
                let r = (k * chunk).min(n)..((k + 1) * chunk).min(n);
                scope.spawn(move || f(r))
            })
            .collect();
        let mut out = Vec::with_capacity(t);
        out.push(f(0..chunk.min(n)));
        for h in handles {
            match h.join() {
                Ok(v) => out.push(v),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, rep: &str, products: &str, commune: &str, phone: &str) -> Doc {
        Doc {
            id: format!("id-{name}"),
            name: name.to_owned(),
            representative: rep.to_owned(),
            products: products.to_owned(),
            commune: commune.to_owned(),
            phone: phone.to_owned(),
            tax_code: String::new(),
        }
    }

    #[test]
    fn primitives() {
        assert!(is_subsequence(b"lang nghe", b"lnghe"));
        assert!(!is_subsequence(b"lang", b"gl"));
        assert!(is_subsequence(b"abc", b""));
        let m = char_mask("duc");
        assert_eq!(m & char_mask("co so duc thanh"), m);
        assert_ne!(m & char_mask("co so thanh"), m);
        let s: Vec<(usize, &str)> = syllables("co so, (duc) thanh-1").collect();
        assert_eq!(
            s,
            [(0, "co"), (3, "so"), (8, "duc"), (13, "thanh"), (19, "1")]
        );
        assert_eq!(phone_pattern("0912.345").as_deref(), Some("0912345"));
        assert_eq!(phone_pattern("a1"), None);
        assert_eq!(phone_pattern("."), None);
    }

    #[test]
    fn storage_is_shared_and_round_trips() {
        let mut idx = SearchIndex::new();
        for i in 0..10 {
            idx.push(doc(
                &format!("Cơ sở {i}"),
                "Lê Văn Bình",
                "mây tre",
                "Phú Vinh",
                "0912",
            ));
        }
        assert_eq!(idx.cols[NAME].len(), 10);
        assert_eq!(idx.cols[1].len(), 10);
        assert_eq!(idx.cols[2].len(), 1);
        assert_eq!(idx.cols[3].len(), 1);
        let d = idx.doc(3);
        assert_eq!(
            d.to_doc(),
            doc("Cơ sở 3", "Lê Văn Bình", "mây tre", "Phú Vinh", "0912")
        );
        assert!(idx.get(10).is_none());
        // "co", "so" first/inner flavours, 10 digits, "le", "van", "binh", ...
        assert!(idx.vocab.arena.len() < 30);
    }

    #[test]
    fn nfd_display_is_stored_nfc() {
        let mut idx = SearchIndex::new();
        idx.push(doc("Cơ sở \u{0110}u\u{031B}\u{0301}c", "", "", "", ""));
        assert_eq!(idx.doc(0).name, "Cơ sở Đức");
        let hits = idx.search("duc", 5);
        assert_eq!(hits[0].positions, [6, 7, 8]);
    }

    #[test]
    fn typing_gives_the_same_results_as_a_fresh_index() {
        let mut idx = SearchIndex::new();
        for i in 0..400 {
            let name = format!(
                "Cơ sở {} {} {i}",
                ["Đức", "Dung", "Hòa", "Lan", "dụng cụ"][i % 5],
                ["Nguyễn Văn", "Trần Thị", "Bát Tràng"][i % 3]
            );
            idx.push(doc(
                &name,
                "Nguyễn Văn An",
                "gốm",
                "Bát Tràng",
                &format!("0912 345 {i:03}"),
            ));
        }
        let mut typed = String::new();
        for c in "duc ngvan 3450 \x08\x08\x08\x08\x08hòa".chars() {
            if c == '\x08' {
                typed.pop();
            } else {
                typed.push(c);
            }
            let incremental = idx.search(&typed, 20);
            // Same index, empty caches: must agree exactly.
            let saved = match idx.cache.lock() {
                Ok(mut c) => std::mem::take(&mut *c),
                Err(_) => panic!("cache lock poisoned"),
            };
            assert!(!saved.entries.is_empty() && !saved.queries.is_empty());
            let fresh = idx.search(&typed, 20);
            if let Ok(mut c) = idx.cache.lock() {
                *c = saved;
            }
            assert_eq!(incremental, fresh, "{typed}");
        }
    }

    #[test]
    fn cached_numbers_narrow_only_by_substring() {
        let mut idx = SearchIndex::new();
        idx.push(doc("Cơ sở A", "", "", "", "0912 345 678"));
        idx.push(doc("Cơ sở B", "", "", "", "0915 234 567"));
        assert!(implies("09152", "0915"));
        assert!(!implies("09152", "0912"));
        assert!(!implies("0912.3", "."));
        assert_eq!(idx.search("0912", 5).len(), 1);
        assert_eq!(idx.search(".", 5).len(), 0);
        let hits = idx.search("09152", 5);
        assert_eq!(hits.len(), 1);
        assert_eq!(idx.doc(hits[0].index).name, "Cơ sở B");
        assert_eq!(idx.search("0912.3", 5).len(), 1);
    }

    #[test]
    fn punctuation_in_queries_is_ignored() {
        let words: Vec<&str> = query_words("gom, su (htx) nguyen-van 0912.345 .").collect();
        assert_eq!(words, ["gom", "su", "htx", "nguyen", "van", "0912.345"]);
        assert_eq!(query_words(&"a ".repeat(100)).count(), MAX_WORDS);
        let mut idx = SearchIndex::new();
        idx.push(doc("HTX gốm sứ Nguyễn Văn", "", "", "", "0912 345"));
        for q in ["gốm, sứ", "(HTX)", "Nguyễn-Văn", "0912.345", "“gốm”"] {
            assert_eq!(idx.search(q, 5).len(), 1, "{q}");
        }
        assert!(idx.search(", . ;", 5).is_empty());
    }

    #[test]
    fn store_order_is_detected() {
        let mut idx = SearchIndex::new();
        for name in ["An Gốm", "Ăn Gốm", "Bình Gốm", "Đạt Gốm"] {
            idx.push(doc(name, "", "", "", ""));
        }
        assert!(idx.pushed_in_name_order());
        idx.prepare();
        assert_eq!(
            idx.name_rank.get().map(Vec::as_slice),
            Some(&[0, 1, 2, 3][..])
        );
        idx.push(doc("Dũng Gốm", "", "", "", ""));
        assert!(!idx.pushed_in_name_order());
        idx.prepare();
        assert_eq!(
            idx.name_rank.get().map(Vec::as_slice),
            Some(&[0, 1, 2, 4, 3][..])
        );
    }

    #[test]
    fn phone_positions_map_to_display() {
        let mut idx = SearchIndex::new();
        idx.push(doc("Cơ sở A", "", "", "", "0912.345 678"));
        let hits = idx.search("345", 5);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].field, Field::Phone);
        assert_eq!(hits[0].positions, [5, 6, 7]);
        assert_eq!(idx.search("0912.345", 5).len(), 1);
        assert!(idx.search("1a", 5).is_empty());
    }

    #[test]
    fn boundary_ties_use_name_order() {
        let mut idx = SearchIndex::new();
        for name in [
            "Đạt Xanh",
            "Dũng Xanh",
            "Bình Xanh",
            "An Xanh",
            "Ăn Xanh",
            "an xanh",
        ] {
            idx.push(doc(name, "", "", "", ""));
        }
        let names: Vec<&str> = idx
            .search("xanh", 3)
            .iter()
            .map(|h| idx.doc(h.index).name)
            .collect();
        assert_eq!(names, ["an xanh", "An Xanh", "Ăn Xanh"]);
    }

    #[test]
    fn words_typed_without_spaces_are_split_into_syllables() {
        let mut idx = SearchIndex::new();
        idx.push(doc("Nguyễn Văn Đức", "", "", "", ""));
        idx.push(doc("Làng nghề Bát Tràng", "", "", "", ""));
        assert_eq!(
            idx.segment("nguyenvanduc").unwrap_or_default(),
            ["nguyen", "van", "duc"]
        );
        assert_eq!(idx.segment("battr").unwrap_or_default(), ["bat", "tr"]);
        assert_eq!(idx.segment("nvd").unwrap_or_default(), ["n", "v", "d"]);
        assert_eq!(idx.segment("xyz"), None);
        let hits = idx.search("nguyenvan", 5);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].positions, [0, 1, 2, 3, 4, 5, 7, 8, 9]);
        assert_eq!(idx.search("battrang", 5).len(), 1);
        assert_eq!(idx.search("nvd", 5).len(), 1);
        // A word that fits one syllable is not split.
        idx.push(doc("Cơ sở Nvd", "", "", "", ""));
        let hits = idx.search("nvd", 5);
        assert_eq!(hits.len(), 1);
        assert_eq!(idx.doc(hits[0].index).name, "Cơ sở Nvd");
    }

    #[test]
    fn skim_stale_bonus_case() {
        // Found by `skim_is_pure`: a raw SkimMatcherV2 scores this 75 after the first call,
        // 71 when fresh.
        let skim = Skim::new();
        let _ = skim.matcher.fuzzy_match(" c    a   c", "c");
        let fresh = SkimMatcherV2::default()
            .respect_case()
            .fuzzy_match("bbcab   c ", "bbc");
        assert_eq!(skim.score("bbcab   c ", "bbc"), fresh);
    }

    proptest::proptest! {
        #[test]
        fn caches_never_change_results(
            docs in proptest::collection::vec(("[abcđ ]{0,12}", "[ab ]{0,6}", "[0-9 .]{0,8}"), 1..25),
            queries in proptest::collection::vec("[abcd 1-3.]{0,6}", 1..12),
        ) {
            let mut idx = SearchIndex::new();
            for (name, rep, phone) in &docs {
                idx.push(doc(name, rep, "", "", phone));
            }
            // Typed letter by letter, then the next query, caches kept throughout.
            let typed = queries.iter().flat_map(|q| (1..=q.len()).map(move |end| &q[..end]));
            for q in typed {
                let cached = idx.search(q, 5);
                let saved = match idx.cache.lock() {
                    Ok(mut c) => std::mem::take(&mut *c),
                    Err(_) => WordCache::default(),
                };
                let fresh = idx.search(q, 5);
                if let Ok(mut c) = idx.cache.lock() {
                    *c = saved;
                }
                proptest::prop_assert_eq!(cached, fresh, "{:?}", q);
            }
        }

        /// Bounding the tier never changes which docs come first, nor their order.
        #[test]
        fn bounded_tiers_rank_as_exact_ones(
            docs in proptest::collection::vec(("[abcđ ]{0,12}", "[ab ]{0,6}", "[0-9 ]{0,6}"), 1..40),
            q in "[abcd 1-3]{1,7}",
            limit in 1usize..6,
        ) {
            let mut idx = SearchIndex::new();
            for (name, rep, phone) in &docs {
                idx.push(doc(name, rep, "", "", phone));
            }
            let got: Vec<(i64, usize)> =
                idx.search(&q, limit).iter().map(|h| (h.score, h.index)).collect();
            idx.clear_cache();
            let segmented = query_terms(&text::fold(&q))
                .iter()
                .any(|w| !idx.word_scores(w).matches_anything());
            if !segmented {
                proptest::prop_assert_eq!(got, ranked_by_exact_tier(&idx, &q, limit), "{:?}", q);
            }
        }

        #[test]
        fn skim_is_pure(
            history in proptest::collection::vec(("[ab c]{1,20}|[ab c]{1,300}", "[abc]{1,5}"), 0..8),
            choice in "[ab c]{1,20}|[ab c]{1,300}",
            pattern in "[abc]{1,5}",
        ) {
            let skim = Skim::new();
            for (c, p) in &history {
                skim.score(c, p);
                let _ = skim.matcher.fuzzy_match(c, p);
            }
            let fresh = SkimMatcherV2::default().respect_case().fuzzy_match(&choice, &pattern);
            proptest::prop_assert_eq!(skim.score(&choice, &pattern), fresh);
        }
    }

    /// The ranking of every doc by exact tier then score, as search ranked before the tiers
    /// were bounded: the reference `exact_totals` must agree with.
    fn ranked_by_exact_tier(idx: &SearchIndex, q: &str, limit: usize) -> Vec<(i64, usize)> {
        let folded = text::fold(q);
        let words: Vec<Arc<WordScores>> = query_terms(&folded)
            .iter()
            .map(|w| idx.word_scores(w))
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let in_order: Vec<&WordScores> = words.iter().map(|w| &**w).collect();
        let m = idx.doc_totals(&words, None);
        let totals: Vec<i32> = (0..m.ids.len())
            .map(|k| {
                let t = idx.tier(m.ids[k] as usize, &in_order);
                m.bounds[k] - i32::from(m.tiers[k]) * TIER + t * TIER
            })
            .collect();
        idx.select(&m.ids, &totals, limit)
            .into_iter()
            .map(|(s, i)| (i64::from(s), i))
            .collect()
    }

    #[test]
    fn tiers_are_computed_only_for_docs_that_can_reach_the_top() {
        let mut idx = SearchIndex::new();
        // 30 docs where the query is a phrase of the name; 2,970 where its words are spread
        // over other fields: every query below matches all 3,000.
        for i in 0..3000 {
            if i % 100 == 0 {
                let name = format!("Gốm sứ Bát Tràng {i}");
                idx.push(doc(&name, "Lê Văn Gốm", "sứ", "Bát Tràng", ""));
            } else {
                let name = format!("Cơ sở dệt may {i}");
                idx.push(doc(&name, "Lê Văn Gốm", "sứ", "Bát Tràng", ""));
            }
        }
        for q in ["gom su", "gom", "g", "bat trang", "gom s"] {
            TIERS_COMPUTED.with(|n| n.set(0));
            let (hits, total) = idx.search_counted(q, 20);
            let computed = TIERS_COMPUTED.with(|n| n.get());
            assert_eq!(total, 3000, "{q}");
            assert!(
                computed <= 100,
                "{q}: {computed} exact tiers computed for {total} matches"
            );
            let got: Vec<(i64, usize)> = hits.iter().map(|h| (h.score, h.index)).collect();
            idx.clear_cache();
            assert_eq!(got, ranked_by_exact_tier(&idx, q, 20), "{q}");
            assert!(idx.doc(hits[0].index).name.starts_with("Gốm sứ"), "{q}");
        }
    }

    #[test]
    fn huge_limit_is_fine() {
        let mut idx = SearchIndex::new();
        idx.push(doc("An", "", "", "", ""));
        assert_eq!(idx.search("an", usize::MAX).len(), 1);
    }
}

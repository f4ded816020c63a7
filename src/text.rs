//! Vietnamese text: normalisation at the edge (`ingest`), the search/duplicate key (`fold`),
//! safe display (`sanitize`) and Vietnamese alphabetical order (`vn_sort_key`).
//!
//! Plain Rust, no terminal imports: the store, the CLI and the TUI all share it.

use std::cmp::Ordering;
use std::sync::OnceLock;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// What `sanitize` shows in place of a control character. One code point, one cell.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Bidirectional formatting controls: they can reorder what a terminal shows
/// ("Trojan source"), so they never enter the store nor reach the screen.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// C0 (incl. ESC, BEL, TAB, LF), DEL, C1 and the bidi controls.
pub fn is_control_char(c: char) -> bool {
    // `char::is_control` is exactly general category Cc: U+0000..U+001F and U+007F..U+009F.
    c.is_control() || is_bidi_control(c)
}

/// Invisible characters that only break search and duplicate detection (a BOM from Excel,
/// a zero-width space from a web page).
fn is_invisible_junk(c: char) -> bool {
    matches!(c, '\u{FEFF}' | '\u{200B}')
}

/// Canonical composition (NFC). In NFC every Vietnamese letter is one code point and one cell.
///
/// One Vietnamese repair on top of Unicode: a tone mark typed before the vowel's shape mark
/// ("e" + tilde + circumflex, which some input methods and converters emit) is put after
/// it, so the text composes to "ễ" instead of "ẽ" + a stray circumflex. Both marks have
/// combining class 230, so canonical reordering alone would never fix it.
pub fn nfc(s: &str) -> String {
    if is_nfc_quick_yes(s) {
        s.to_owned()
    } else {
        compose_vietnamese(s)
    }
}

fn nfc_owned(s: String) -> String {
    if is_nfc_quick_yes(&s) {
        s
    } else {
        compose_vietnamese(&s)
    }
}

/// True when `s` is certainly NFC, decided cheaply. Every char below U+0300 and every
/// precomposed letter of U+1E00..U+1EFF is a starter that nothing composes with, which
/// covers Vietnamese text without a table lookup per char.
fn is_nfc_quick_yes(s: &str) -> bool {
    s.chars()
        .all(|c| (c as u32) < 0x300 || ('\u{1E00}'..='\u{1EFF}').contains(&c))
        || is_nfc_quick(s.chars()) == IsNormalized::Yes
}

/// Whether `s` is already in the form `nfc` produces.
pub fn is_nfc(s: &str) -> bool {
    is_nfc_quick_yes(s) || nfc(s) == s
}

/// Breve, circumflex, horn: they make a different letter (ă â ê ô ơ ư), tones go on top.
fn is_shape_mark(c: char) -> bool {
    matches!(c, '\u{0302}' | '\u{0306}' | '\u{031B}')
}

fn compose_vietnamese(s: &str) -> String {
    let mut chars: Vec<char> = s.nfd().collect();
    let mut i = 0;
    while i < chars.len() {
        if !is_combining_mark(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_combining_mark(chars[i]) {
            i += 1;
        }
        let vowel = start > 0
            && matches!(
                chars[start - 1],
                'a' | 'e' | 'o' | 'u' | 'A' | 'E' | 'O' | 'U'
            );
        if vowel {
            // Stable: shape marks first, everything else keeps its order.
            chars[start..i].sort_by_key(|&m| !is_shape_mark(m));
        }
    }
    chars.into_iter().nfc().collect()
}

/// Calls `emit` with every char of `s` except ESC-introduced terminal escape sequences, which
/// are dropped whole (a pasted "\x1b[2J" leaves nothing behind, not a stray "[2J").
/// Other control characters, C1 included, are still emitted for the caller to drop one by
/// one: a stray U+009B in imported data is mojibake far more often than an 8-bit CSI, and
/// parsing it as one would eat the letters after it.
fn for_each_unescaped(s: &str, mut emit: impl FnMut(char)) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1B}' => match chars.peek().copied() {
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    skip_control_string(&mut chars);
                }
                // Two-character escapes (ESC 7, ESC c, ESC =, ...).
                Some('\u{40}'..='\u{7E}') => {
                    chars.next();
                }
                _ => {}
            },
            _ => emit(c),
        }
    }
}

/// CSI: parameter and intermediate bytes, then one final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{20}'..='\u{3F}' => {
                chars.next();
            }
            '\u{40}'..='\u{7E}' => {
                chars.next();
                return;
            }
            // Malformed: stop here and let the caller see the char.
            _ => return,
        }
    }
}

/// OSC/DCS/APC/PM/SOS: everything up to BEL, ESC \ or ST (U+009C), or the end.
fn skip_control_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9C}' => return,
            '\u{1B}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// Normalises a one-line field where it enters (keyboard, paste, import): drops escape
/// sequences, control and bidi characters; tabs, newlines and other whitespace become
/// spaces; runs of whitespace collapse to one; trims; NFC.
pub fn ingest(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for_each_unescaped(s, |c| {
        if c.is_whitespace() {
            // Leading whitespace is dropped, trailing never gets flushed.
            pending_space = !out.is_empty();
        } else if !is_control_char(c) && !is_invisible_junk(c) {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    });
    nfc_owned(out)
}

/// Like `ingest` but keeps line breaks: CRLF and CR become LF, each line is collapsed and
/// loses its trailing spaces, and the whole text is trimmed.
pub fn ingest_multiline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut after_cr = false;
    for_each_unescaped(s, |c| {
        let was_cr = after_cr;
        after_cr = c == '\r';
        if c == '\n' && was_cr {
            return; // second half of CRLF
        }
        if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            pending_space = false;
            out.push('\n');
        } else if c.is_whitespace() {
            pending_space = !out.is_empty() && !out.ends_with('\n');
        } else if !is_control_char(c) && !is_invisible_junk(c) {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    });
    let trimmed = out.trim_matches('\n');
    if trimmed.len() == out.len() {
        nfc_owned(out)
    } else {
        nfc(trimmed)
    }
}

/// Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional (where most
/// Vietnamese letters live): folded once, then looked up.
const FOLD_TABLE_RANGES: [(u32, u32); 2] = [(0xC0, 0x24F), (0x1E00, 0x1EFF)];

fn fold_table() -> &'static [char] {
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        FOLD_TABLE_RANGES
            .iter()
            .flat_map(|&(lo, hi)| lo..=hi)
            .map(|cp| char::from_u32(cp).map_or(REPLACEMENT, fold_char_slow))
            .collect()
    })
}

fn table_index(c: char) -> Option<usize> {
    let cp = c as u32;
    let mut base = 0;
    for &(lo, hi) in &FOLD_TABLE_RANGES {
        if (lo..=hi).contains(&cp) {
            return Some(base + (cp - lo) as usize);
        }
        base += (hi - lo + 1) as usize;
    }
    None
}

/// Folds one char of NFC text to its search form. Always exactly one char out, so that
/// positions found in a folded key are positions in the original text.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match table_index(c) {
        Some(i) => fold_table()[i],
        None => fold_char_slow(c),
    }
}

fn fold_char_slow(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if c == 'đ' || c == 'Đ' {
        return 'd';
    }
    let mut base = None;
    let mut bases = 0;
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            bases += 1;
            if base.is_none() {
                base = Some(d);
            }
        }
    });
    // Only "letter + marks" folds to the letter; Hangul syllables and the like stay whole.
    let b = match base {
        Some(b) if bases == 1 => b,
        _ => c,
    };
    b.to_lowercase().next().unwrap_or(b)
}

/// Search and duplicate key: per char of the NFC form, drop diacritics, đ → d, lowercase.
/// `fold(s).chars().count() == nfc(s).chars().count()`, char for char.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    if is_nfc_quick_yes(s) {
        s.chars().map(fold_char).collect()
    } else {
        compose_vietnamese(s).chars().map(fold_char).collect()
    }
}

/// Safe for a terminal: every control char (C0 incl. ESC, DEL, C1, bidi, line/paragraph
/// separators) becomes U+FFFD, one char for one char so highlight positions still hold.
/// Multi-line callers split on '\n' first.
pub fn sanitize(s: &str) -> String {
    let bad = |c: char| is_control_char(c) || matches!(c, '\u{2028}' | '\u{2029}');
    if !s.chars().any(bad) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| if bad(c) { REPLACEMENT } else { c })
        .collect()
}

/// Keeps the ASCII digits (phone numbers, tax codes typed with spaces or dots).
pub fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

// ---------------------------------------------------------------------------------------
// Vietnamese collation.
//
// Key layout (memcmp-orderable, fit for a SQLite BLOB and ORDER BY):
//   primary weights of every element, 0x00,
//   secondary (tone) byte of every element, 0x00,
//   tertiary (case) byte of every element.
// Primary lead bytes are >= 0x01 and the per-element tone/case bytes are >= 0x01, so the
// 0x00 terminators make a shorter string sort first and no wide key is a proper prefix of
// another (which `vn_person_sort_key` relies on). `vn_sort_key` stores the same order in
// fewer bytes (`compact_key`).

/// Latin letters in Vietnamese order; f j w z sit where they do in the Latin alphabet.
const LETTERS: [char; 33] = [
    'a', 'ă', 'â', 'b', 'c', 'd', 'đ', 'e', 'ê', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'ô', 'ơ', 'p', 'q', 'r', 's', 't', 'u', 'ư', 'v', 'w', 'x', 'y', 'z',
];

const P_SPACE: u8 = 0x01;
const P_PUNCT: u8 = 0x02; // followed by 3 bytes of code point
const P_DIGIT: u8 = 0x10; // + digit value
const P_LETTER: u8 = 0x20; // + index in LETTERS
const P_OTHER: u8 = 0x50; // followed by 3 bytes of (lowercased) code point

const TONE_NONE: u8 = 1;
const TONE_OTHER_MARK: u8 = 7;

#[derive(Clone, Copy, PartialEq)]
enum Prim {
    Space,
    Punct(char),
    Digit(u8),
    Letter(u8),
    Other(char),
}

#[derive(Clone, Copy)]
struct Elem {
    prim: Prim,
    tone: u8,
    upper: bool,
}

fn letter_index(c: char) -> Option<u8> {
    LETTERS
        .iter()
        .position(|&l| l == c)
        .and_then(|i| u8::try_from(i).ok())
}

/// Index in `LETTERS` of each ASCII letter a..z.
const ASCII_LETTER: [u8; 26] = [
    0, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31,
    32,
];

fn base_elem(c: char) -> Option<Elem> {
    if c.is_ascii_alphabetic() {
        let lower = c.to_ascii_lowercase();
        return Some(Elem {
            prim: Prim::Letter(ASCII_LETTER[(lower as u8 - b'a') as usize]),
            tone: TONE_NONE,
            upper: c != lower,
        });
    }
    if c.is_whitespace() {
        return Some(Elem {
            prim: Prim::Space,
            tone: TONE_NONE,
            upper: false,
        });
    }
    if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
        return Some(Elem {
            prim: Prim::Digit(d as u8),
            tone: TONE_NONE,
            upper: false,
        });
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    let upper = lower != c;
    // NFD leaves đ and the basic Latin letters as single code points.
    if let Some(i) = letter_index(lower) {
        return Some(Elem {
            prim: Prim::Letter(i),
            tone: TONE_NONE,
            upper,
        });
    }
    if is_control_char(c) {
        return None;
    }
    let prim = if c.is_alphanumeric() {
        Prim::Other(lower)
    } else {
        Prim::Punct(c)
    };
    Some(Elem {
        prim,
        tone: TONE_NONE,
        upper,
    })
}

/// Applies one combining mark (from NFD) to the element it follows.
fn apply_mark(e: &mut Elem, mark: char) {
    let modified = |from: char, to: char| -> Option<u8> {
        match e.prim {
            Prim::Letter(i) if LETTERS[i as usize] == from => letter_index(to),
            _ => None,
        }
    };
    let letter = match mark {
        '\u{0306}' => modified('a', 'ă'),
        '\u{0302}' => modified('a', 'â')
            .or_else(|| modified('e', 'ê'))
            .or_else(|| modified('o', 'ô')),
        '\u{031B}' => modified('o', 'ơ').or_else(|| modified('u', 'ư')),
        _ => None,
    };
    if let Some(i) = letter {
        e.prim = Prim::Letter(i);
        return;
    }
    // Tones in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
    let tone = match mark {
        '\u{0300}' => 2,
        '\u{0309}' => 3,
        '\u{0303}' => 4,
        '\u{0301}' => 5,
        '\u{0323}' => 6,
        _ => TONE_OTHER_MARK,
    };
    if e.tone == TONE_NONE || tone != TONE_OTHER_MARK {
        e.tone = tone;
    }
}

fn push_elem(out: &mut Vec<Elem>, c: char) {
    let Some(e) = base_elem(c) else { return };
    if e.prim == Prim::Space && out.last().is_none_or(|l| l.prim == Prim::Space) {
        return; // leading or repeated whitespace
    }
    out.push(e);
}

/// The collation element of each char in the table ranges that makes exactly one.
fn elem_table() -> &'static [Option<Elem>] {
    static TABLE: OnceLock<Vec<Option<Elem>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut scratch = Vec::new();
        FOLD_TABLE_RANGES
            .iter()
            .flat_map(|&(lo, hi)| lo..=hi)
            .map(|cp| {
                let c = char::from_u32(cp)?;
                scratch.clear();
                push_char_elems(&mut scratch, c);
                match scratch.as_slice() {
                    [e] if !is_combining_mark(c) => Some(*e),
                    _ => None,
                }
            })
            .collect()
    })
}

fn push_char_elems(out: &mut Vec<Elem>, c: char) {
    if c.is_ascii() {
        push_elem(out, c);
    } else if is_combining_mark(c) {
        if let Some(last) = out.last_mut() {
            apply_mark(last, c);
        }
    } else {
        decompose_canonical(c, |d| {
            if is_combining_mark(d) {
                if let Some(last) = out.last_mut() {
                    apply_mark(last, d);
                }
            } else {
                push_elem(out, d);
            }
        });
    }
}

fn elements(s: &str, out: &mut Vec<Elem>) {
    out.clear();
    let table = elem_table();
    for c in s.chars() {
        match table_index(c).and_then(|i| table[i]) {
            Some(e) => out.push(e),
            None => push_char_elems(out, c),
        }
    }
    if out.last().is_some_and(|l| l.prim == Prim::Space) {
        out.pop();
    }
}

#[cfg(test)]
fn elements_slow(s: &str, out: &mut Vec<Elem>) {
    out.clear();
    for c in s.chars() {
        push_char_elems(out, c);
    }
    if out.last().is_some_and(|l| l.prim == Prim::Space) {
        out.pop();
    }
}

fn push_code_point(key: &mut Vec<u8>, c: char) {
    let cp = u32::from(c);
    key.extend_from_slice(&cp.to_be_bytes()[1..]);
}

fn push_primary(key: &mut Vec<u8>, elems: &[Elem]) {
    for e in elems {
        match e.prim {
            Prim::Space => key.push(P_SPACE),
            Prim::Punct(c) => {
                key.push(P_PUNCT);
                push_code_point(key, c);
            }
            Prim::Digit(d) => key.push(P_DIGIT + d),
            Prim::Letter(i) => key.push(P_LETTER + i),
            Prim::Other(c) => {
                key.push(P_OTHER);
                push_code_point(key, c);
            }
        }
    }
    key.push(0);
}

/// The wide key: a byte per level per element (the order `vn_sort_key` keeps in fewer bytes).
fn push_wide_key(key: &mut Vec<u8>, s: &str) {
    let mut elems = Vec::with_capacity(s.len());
    elements(s, &mut elems);
    push_primary(key, &elems);
    key.extend(elems.iter().map(|e| e.tone));
    key.push(0);
    key.extend(elems.iter().map(|e| if e.upper { 2 } else { 1 }));
}

/// Bits written most significant first; `finish` pads the last byte with zeros.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc = (self.acc << bits) | u64::from(value);
        self.n += bits;
        while self.n >= 8 {
            self.n -= 8;
            self.out.push((self.acc >> self.n) as u8);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push((self.acc << (8 - self.n)) as u8);
        }
        self.out
    }
}

// The compact key's primary symbols, 6 bits each, in the wide key's order: the terminator
// first, then space, punctuation, digits, letters, other characters.
const C_BITS: u32 = 6;
const C_SPACE: u32 = 1;
const C_PUNCT: u32 = 2; // followed by 21 bits of code point
const C_DIGIT: u32 = 3; // + digit value
const C_LETTER: u32 = 13; // + index in LETTERS
const C_OTHER: u32 = C_LETTER + LETTERS.len() as u32; // followed by 21 bits of code point
const _: () = assert!(C_OTHER < 1 << C_BITS);

/// The wide key's order in about a third of its bytes. Each level is an order-preserving
/// prefix code (primary 6 bits a symbol; a tone is 1 bit when there is none, else 4; case 1
/// bit), so the bit string is self-delimiting and compares as the wide key does; the
/// trailing zero bytes are dropped, which keeps that order (a dropped tail only held zeros).
fn compact_key(s: &str) -> Vec<u8> {
    let mut elems = Vec::with_capacity(s.len());
    elements(s, &mut elems);
    let mut w = BitWriter {
        out: Vec::with_capacity(elems.len() + elems.len() / 2 + 2),
        acc: 0,
        n: 0,
    };
    for e in &elems {
        match e.prim {
            Prim::Space => w.put(C_SPACE, C_BITS),
            Prim::Punct(c) => {
                w.put(C_PUNCT, C_BITS);
                w.put(u32::from(c), 21);
            }
            Prim::Digit(d) => w.put(C_DIGIT + u32::from(d), C_BITS),
            Prim::Letter(i) => w.put(C_LETTER + u32::from(i), C_BITS),
            Prim::Other(c) => {
                w.put(C_OTHER, C_BITS);
                w.put(u32::from(c), 21);
            }
        }
    }
    w.put(0, C_BITS);
    for e in &elems {
        if e.tone == TONE_NONE {
            w.put(0, 1);
        } else {
            // Tones 2..=TONE_OTHER_MARK, after "1": 0..=5 in 3 bits.
            w.put(0b1000 | u32::from(e.tone - 2), 4);
        }
    }
    for e in &elems {
        w.put(u32::from(e.upper), 1);
    }
    let mut key = w.finish();
    while key.last() == Some(&0) {
        key.pop();
    }
    key
}

/// Appends the first level of `vn_sort_key(s)` (base letters only, 0x00-terminated) to
/// `key`: the order of `vn_sort_key`'s first level, so ordering by it then by the full key is the same
/// order, and it is about a third of the size (the search index ranks names with it).
pub fn push_vn_primary_key(key: &mut Vec<u8>, s: &str) {
    let mut elems = Vec::with_capacity(s.len());
    elements(s, &mut elems);
    push_primary(key, &elems);
}

/// Byte key in Vietnamese alphabetical order (a ă â b c d đ e ê … o ô ơ … u ư …):
/// base letters of the whole string first, then tones (ngang, huyền, hỏi, ngã, sắc, nặng),
/// then case (lower first). Digits sort before letters. Compare with memcmp.
///
/// Stored (facilities, craft villages, the search table): a change to these bytes needs a
/// migration that rewrites them, as migration 018 did.
pub fn vn_sort_key(s: &str) -> Vec<u8> {
    compact_key(s)
}

/// Key for lists of people the way official lists are ordered: by given name (the last
/// word), then by the rest of the name (family and middle names).
pub fn vn_person_sort_key(full_name: &str) -> Vec<u8> {
    let trimmed = full_name.trim();
    let (rest, given) = match trimmed.rfind(char::is_whitespace) {
        Some(i) => {
            let ws_len = trimmed[i..].chars().next().map_or(1, char::len_utf8);
            (&trimmed[..i], &trimmed[i + ws_len..])
        }
        None => ("", trimmed),
    };
    let mut key = Vec::with_capacity(full_name.len() * 3 + 5);
    push_wide_key(&mut key, given);
    // Never compared unless the given names are identical: wide keys are prefix-free.
    key.push(0);
    push_wide_key(&mut key, rest);
    key
}

/// Vietnamese alphabetical comparison (see `vn_sort_key`).
pub fn vn_cmp(a: &str, b: &str) -> Ordering {
    vn_sort_key(a).cmp(&vn_sort_key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingest_strips_escape_sequences_and_controls() {
        assert_eq!(ingest("a\x1b[2Jb"), "ab");
        assert_eq!(ingest("x\x1b]52;c;aGk=\x07y"), "xy");
        assert_eq!(ingest("x\x1b]0;title\x1b\\y"), "xy");
        let s = ingest("\x1b[2J\x1b]52;c;aGk=\x07Tên\u{202E}cơ\u{9B} sở\x07\x7f\u{9B}");
        assert!(!s
            .chars()
            .any(|c| c == '\x1b' || c == '\x07' || c == '\u{202E}' || c == '\u{9B}'));
        assert_eq!(s, "Têncơ sở");
        // A lone ESC or BEL is dropped, the text around it kept.
        assert_eq!(ingest("a\x1b"), "a");
        assert_eq!(ingest("a\x07b"), "ab");
        assert_eq!(ingest("  Làng\tnghề \r\n gốm  "), "Làng nghề gốm");
        assert_eq!(ingest("\u{FEFF}An\u{00A0}\u{00A0}Phú"), "An Phú");
        assert_eq!(ingest("a\u{061C}\u{200E}\u{200F}\u{2066}\u{2069}b"), "ab");
        assert_eq!(ingest(""), "");
        assert_eq!(ingest(" \t\n "), "");
    }

    #[test]
    fn ingest_composes_nfd() {
        let nfd = "Nguye\u{0303}\u{0302}n";
        assert_eq!(ingest(nfd), "Nguyễn");
        assert_eq!(nfc(nfd), "Nguyễn");
        // Canonical NFD order composes too (dot below, ccc 220, comes before circumflex).
        assert_eq!(nfc("Vie\u{0323}\u{0302}t"), "Việt");
        assert_eq!(nfc("Nguye\u{0302}\u{0303}n"), "Nguyễn");
        // Precomposed tone letter followed by the shape mark.
        assert_eq!(nfc("Nguyẽ\u{0302}n"), "Nguyễn");
        assert_eq!(nfc("a\u{0301}\u{0306}"), "ắ");
        // Not a Vietnamese vowel: left as Unicode says.
        assert_eq!(nfc("n\u{0303}\u{0302}"), "ñ\u{0302}");
    }

    #[test]
    fn ingest_multiline_keeps_lines() {
        assert_eq!(
            ingest_multiline("  dòng 1  \r\ndòng\t 2\rdòng 3\n\n"),
            "dòng 1\ndòng 2\ndòng 3"
        );
        assert_eq!(
            ingest_multiline("\n\na\x1b[31m đỏ \x1b[0m\n\nb\n"),
            "a đỏ\n\nb"
        );
        assert_eq!(ingest_multiline("Nguye\u{0303}\u{0302}n\n"), "Nguyễn");
    }

    #[test]
    fn fold_examples() {
        assert_eq!(fold("Đức"), "duc");
        assert_eq!(fold("Hoà"), "hoa");
        assert_eq!(fold("Hòa"), "hoa");
        assert_eq!(fold("Hoa\u{0300}"), "hoa");
        assert_eq!(fold("LÀNG NGHỀ"), "lang nghe");
        assert_eq!(fold("Mây tre đan Phú Vinh"), "may tre dan phu vinh");
        assert_eq!(fold("ƯỚC ƠN Ă Â Ê Ô"), "uoc on a a e o");
        assert_eq!(fold("Nguye\u{0303}\u{0302}n"), "nguyen");
    }

    #[test]
    fn fold_is_one_char_per_nfc_char() {
        for s in [
            "x\u{0303}y",
            "각",
            "İstanbul",
            "ﬁ",
            "ẞ",
            "a\u{0301}\u{0301}",
            "\u{0301}a",
        ] {
            assert_eq!(fold(s).chars().count(), nfc(s).chars().count(), "{s:?}");
        }
    }

    #[test]
    fn sanitize_replaces_controls_one_for_one() {
        let s = "a\x1b[2Jb\u{202E}c\u{9B}d\x7f\te";
        let out = sanitize(s);
        assert_eq!(out.chars().count(), s.chars().count());
        assert!(!out.chars().any(is_control_char));
        assert_eq!(out, "a\u{FFFD}[2Jb\u{FFFD}c\u{FFFD}d\u{FFFD}\u{FFFD}e");
        assert_eq!(sanitize("Làng nghề"), "Làng nghề");
    }

    #[test]
    fn digits() {
        assert_eq!(digits_only("0912.345 678"), "0912345678");
        assert_eq!(digits_only("(+84) 912-345"), "84912345");
    }

    #[test]
    fn vietnamese_order() {
        let mut v = vec![
            "Ông", "Ân", "An", "Ăn", "Bình", "Đạt", "Dũng", "Ê", "E", "Ư", "U", "a", "à", "ả", "ã",
            "á", "ạ",
        ];
        v.sort_by(|a, b| vn_cmp(a, b));
        assert_eq!(
            v,
            [
                "a", "à", "ả", "ã", "á", "ạ", "An", "Ăn", "Ân", "Bình", "Dũng", "Đạt", "E", "Ê",
                "Ông", "U", "Ư"
            ]
        );
    }

    #[test]
    fn order_details() {
        use Ordering::*;
        // Base letters of the whole string before tones.
        assert_eq!(vn_cmp("Bính An", "Binh Bá"), Less);
        assert_eq!(vn_cmp("Binh", "Bình"), Less);
        // Case last, lower first.
        assert_eq!(vn_cmp("an", "An"), Less);
        assert_eq!(vn_cmp("An", "ăn"), Less);
        // Digits before letters, shorter first, spaces before letters.
        assert_eq!(vn_cmp("9", "a"), Less);
        assert_eq!(vn_cmp("An", "An Phú"), Less);
        assert_eq!(vn_cmp("An Phú", "Anh"), Less);
        assert_eq!(vn_cmp("  An   Phú ", "An Phú"), Equal);
        // f j w z in Latin places.
        assert_eq!(vn_cmp("e", "f"), Less);
        assert_eq!(vn_cmp("ê", "f"), Less);
        assert_eq!(vn_cmp("f", "g"), Less);
        assert_eq!(vn_cmp("y", "z"), Less);
        // NFC and NFD sort the same.
        assert_eq!(vn_cmp("Nguyễn", "Nguye\u{0303}\u{0302}n"), Equal);
        assert_eq!(vn_cmp("Nguyễn", "Nguyên"), Greater);
        assert_eq!(vn_cmp("Đ", "D"), Greater);
        assert_eq!(vn_cmp("Đ", "E"), Less);
    }

    #[test]
    fn ascii_letter_table() {
        for c in 'a'..='z' {
            assert_eq!(
                Some(ASCII_LETTER[(c as u8 - b'a') as usize]),
                letter_index(c)
            );
        }
    }

    #[test]
    fn tables_agree_with_the_slow_paths() {
        for &(lo, hi) in &FOLD_TABLE_RANGES {
            for c in (lo..=hi).filter_map(char::from_u32) {
                assert_eq!(fold_char(c), fold_char_slow(c), "{c:?}");
                let (mut fast, mut slow) = (Vec::new(), Vec::new());
                let s = format!("x{c}\u{0301}y {c}");
                elements(&s, &mut fast);
                elements_slow(&s, &mut slow);
                assert_eq!(fast.len(), slow.len(), "{c:?}");
                for (a, b) in fast.iter().zip(&slow) {
                    assert!(
                        a.prim == b.prim && a.tone == b.tone && a.upper == b.upper,
                        "{c:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn compact_key_keeps_the_wide_order() {
        let names = [
            "",
            " ",
            "a",
            "A",
            "à",
            "À",
            "ạ",
            "ă",
            "an",
            "An",
            "An Phú",
            "Anh",
            "Ân",
            "9",
            "09",
            "a-b",
            "a.b",
            "a b",
            "ñ",
            "Ñ",
            "ß",
            "Ω",
            "ω",
            "漢",
            "a\u{0302}\u{0301}",
            "x\u{0308}",
            "Nguyễn Văn Đức",
            "Nguyen Van Duc",
            "HTX nem chua Thanh Hà",
            "Hợp tác xã Bát Tràng",
            "Tổ hợp tác sơ chế mây tre Đông Hồ",
            "zzzz",
            "ZZZZ",
            "Ỵ",
            "ỵ",
            "y",
        ];
        let wide = |s: &str| {
            let mut k = Vec::new();
            push_wide_key(&mut k, s);
            k
        };
        for a in names {
            for b in names {
                assert_eq!(
                    vn_sort_key(a).cmp(&vn_sort_key(b)),
                    wide(a).cmp(&wide(b)),
                    "{a:?} vs {b:?}"
                );
            }
        }
        // A typical name in about a third of the wide key's bytes.
        let name = "Tổ hợp tác sơ chế mây tre Đông Hồ";
        assert!(vn_sort_key(name).len() * 5 <= wide(name).len() * 2);
    }

    #[test]
    fn person_order() {
        let mut v = vec!["Lê Văn Bình", "Trần Thị Bình", "Nguyễn Văn An", "An"];
        v.sort_by_key(|s| vn_person_sort_key(s));
        assert_eq!(v, ["An", "Nguyễn Văn An", "Lê Văn Bình", "Trần Thị Bình"]);
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn fold_keeps_char_count(s in "\\PC{0,40}") {
                prop_assert_eq!(fold(&s).chars().count(), nfc(&s).chars().count());
            }

            #[test]
            fn fold_keeps_char_count_vietnamese(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐƯƠ \u{0300}\u{0301}\u{0303}\u{0309}\u{0323}\u{0302}\u{0306}\u{031B}]{0,30}") {
                prop_assert_eq!(fold(&s).chars().count(), nfc(&s).chars().count());
            }

            #[test]
            fn ingest_is_idempotent_and_clean(s in "\\PC{0,40}|[\\x00-\\x1f\\x7f-\\x9f a-zà-ỹ\u{202E}]{0,40}") {
                let once = ingest(&s);
                prop_assert_eq!(ingest(&once), once.clone());
                prop_assert!(!once.chars().any(is_control_char));
            }

            #[test]
            fn compact_key_orders_as_the_wide_key(
                a in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệĐƯƠ 0-9.,\u{0300}\u{0301}\u{0308}ñΩ漢]{0,12}",
                b in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệĐƯƠ 0-9.,\u{0300}\u{0301}\u{0308}ñΩ漢]{0,12}",
            ) {
                let (mut wa, mut wb) = (Vec::new(), Vec::new());
                push_wide_key(&mut wa, &a);
                push_wide_key(&mut wb, &b);
                prop_assert_eq!(vn_sort_key(&a).cmp(&vn_sort_key(&b)), wa.cmp(&wb));
                // Shared prefixes too, where the levels and the dropped zeros matter most.
                let c = format!("{a}{b}");
                let mut wc = Vec::new();
                push_wide_key(&mut wc, &c);
                prop_assert_eq!(vn_sort_key(&a).cmp(&vn_sort_key(&c)), wa.cmp(&wc));
            }

            #[test]
            fn compact_key_orders_as_the_wide_key_on_equal_letters(
                a in "[aAàÀảáạăẮ \u{0308}]{0,10}",
                b in "[aAàÀảáạăẮ \u{0308}]{0,10}",
            ) {
                let (mut wa, mut wb) = (Vec::new(), Vec::new());
                push_wide_key(&mut wa, &a);
                push_wide_key(&mut wb, &b);
                prop_assert_eq!(vn_sort_key(&a).cmp(&vn_sort_key(&b)), wa.cmp(&wb));
            }

            #[test]
            fn sort_key_agrees_for_nfc_and_nfd(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệĐ 0-9]{0,20}") {
                let d: String = s.nfd().collect();
                prop_assert_eq!(vn_sort_key(&s), vn_sort_key(&d));
            }
        }
    }
}

//! A first pass over each JSON document of a bundle, before the typed parse: refuses a key
//! that appears twice in any object (serde's derive catches that for struct fields, but not
//! inside maps such as the manifest's `entries` or an amendment's `changes`) and any string
//! that typed text could not hold: every string must be what `text::ingest` (one line) or
//! `text::ingest_multiline` (several lines) makes of it. Received text is refused rather
//! than repaired, because repairing would change the record's revision.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::text::{ingest, ingest_multiline};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    DuplicateKey(String),
    BadText(String),
    Syntax(String),
}

/// Checks one JSON document (a line of an NDJSON entry, or the manifest).
pub(crate) fn check(doc: &str) -> Result<(), Fault> {
    let fault = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(doc);
    let walked = Walk {
        field: "",
        fault: &fault,
    }
    .deserialize(&mut de)
    .and_then(|_| de.end());
    match (walked, fault.into_inner()) {
        (_, Some(f)) => Err(f),
        (Err(e), None) => Err(Fault::Syntax(e.to_string())),
        (Ok(()), None) => Ok(()),
    }
}

/// Whether a received string is what ingesting it as typed text gives.
pub(crate) fn text_ok(s: &str) -> bool {
    if s.contains('\n') {
        return ingest_multiline(s) == s;
    }
    // Fast path, exact for one line: `ingest` keeps a string unchanged when it has no
    // control, bidi or invisible characters, no whitespace but single inner spaces, and is
    // NFC. Anything else is decided by `ingest` itself.
    let b = s.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') || s.contains("  ") {
        return false;
    }
    let plain = s.chars().all(|c| {
        if c.is_ascii() {
            (' '..='~').contains(&c)
        } else {
            !c.is_whitespace()
                && !crate::text::is_control_char(c)
                && !matches!(c, '\u{FEFF}' | '\u{200B}')
        }
    });
    if plain && (s.is_ascii() || crate::text::is_nfc(s)) {
        return true;
    }
    ingest(s) == s
}

/// An object key, borrowed from the input when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(s))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(s.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

struct Walk<'a> {
    field: &'a str,
    fault: &'a RefCell<Option<Fault>>,
}

impl<'a> Walk<'a> {
    fn fail<E: de::Error>(&self, f: Fault) -> E {
        let msg = match &f {
            Fault::DuplicateKey(k) => format!("duplicate key {k}"),
            Fault::BadText(k) => format!("bad text in {k}"),
            Fault::Syntax(s) => s.clone(),
        };
        *self.fault.borrow_mut() = Some(f);
        E::custom(msg)
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        if text_ok(s) {
            Ok(())
        } else {
            Err(self.fail(Fault::BadText(self.field.to_string())))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Walk {
                field: self.field,
                fault: self.fault,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Objects are small (≤ 40 keys): a linear scan beats hashing.
        let mut seen: Vec<Key<'de>> = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let k = key.as_str();
            if !text_ok(k) {
                return Err(self.fail(Fault::BadText(k.to_string())));
            }
            if seen.iter().any(|s| s.as_str() == k) {
                return Err(self.fail(Fault::DuplicateKey(k.to_string())));
            }
            map.next_value_seed(Walk {
                field: k,
                fault: self.fault,
            })?;
            seen.push(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_anywhere_are_found() {
        assert_eq!(check(r#"{"a":1,"b":{"c":2}}"#), Ok(()));
        assert_eq!(
            check(r#"{"a":1,"b":{"c":2,"c":3}}"#),
            Err(Fault::DuplicateKey("c".into()))
        );
        assert_eq!(
            check(r#"{"a":1,"a":1}"#),
            Err(Fault::DuplicateKey("a".into()))
        );
    }

    #[test]
    fn text_must_be_ingested() {
        assert_eq!(check(r#"{"name":"Nguyễn Văn A"}"#), Ok(()));
        assert_eq!(check(r#"{"notes":"line 1\nline 2"}"#), Ok(()));
        assert_eq!(
            check(r#"{"name":"A\u001b[31mB"}"#),
            Err(Fault::BadText("name".into()))
        );
        assert_eq!(
            check(r#"{"name":" A"}"#),
            Err(Fault::BadText("name".into()))
        );
        assert_eq!(
            check(r#"{"x":["ok","\u202e"]}"#),
            Err(Fault::BadText("x".into()))
        );
        assert!(matches!(check("{\"a\":"), Err(Fault::Syntax(_))));
        assert!(matches!(check("{} {}"), Err(Fault::Syntax(_))));
    }

    proptest::proptest! {
        /// The merge skips its own text check for a file's records (`Checker::text_checked`)
        /// because a string the reader accepts is one ingesting as several lines keeps.
        #[test]
        fn text_the_reader_accepts_is_kept_by_ingest_multiline(
            s in "[ aAzZ0à-ỹĐđ\n\r\t\u{2028}\u{200b}\u{feff}\u{1b}\u{301}\u{a0}.]{0,12}"
        ) {
            if text_ok(&s) {
                proptest::prop_assert_eq!(ingest_multiline(&s), s);
            }
        }
    }
}

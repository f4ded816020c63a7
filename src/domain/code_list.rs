//! Small code lists written once: each value's stored code, the string-table key of its name
//! and the folded words people type for it. `code`, `label_key` and `parse` all read that one
//! table, so a new value or spelling is one line.

use crate::text::fold;

/// One value of a code list.
pub struct CodeEntry<T: 'static> {
    pub value: T,
    /// The stored code.
    pub code: &'static str,
    /// The string-table key of its name.
    pub label_key: &'static str,
    /// What people type for it besides the code, folded (no marks, lowercase).
    pub spellings: &'static [&'static str],
}

pub trait CodeList: Copy + PartialEq + 'static {
    const CODES: &'static [CodeEntry<Self>];
    /// Whether typed `_` and `-` read as a space (lists whose codes are several words).
    const LOOSE_SEPARATORS: bool;

    fn code(self) -> &'static str {
        Self::CODES
            .iter()
            .find(|e| e.value == self)
            .map_or("", |e| e.code)
    }

    fn label_key(self) -> &'static str {
        Self::CODES
            .iter()
            .find(|e| e.value == self)
            .map_or("", |e| e.label_key)
    }

    /// The code (any case) or one of the spellings, with or without diacritics.
    fn parse(raw: &str) -> Option<Self> {
        let mut f = fold(raw.trim());
        if Self::LOOSE_SEPARATORS {
            f = f.replace(['_', '-'], " ");
        }
        Self::CODES
            .iter()
            .find(|e| fold(e.code).replace('_', " ") == f || e.spellings.contains(&f.as_str()))
            .map(|e| e.value)
    }
}

/// Declares an enum's code list and gives it the inherent `$code_fn` (`code` or `as_str`),
/// `label_key` and `parse`, so callers need not import [`CodeList`].
macro_rules! code_list {
    (
        $t:ident, $code_fn:ident, loose = $loose:expr;
        $( $v:ident => $code:literal, $label:literal, [$($sp:literal),* $(,)?] );+ $(;)?
    ) => {
        impl $crate::domain::code_list::CodeList for $t {
            const CODES: &'static [$crate::domain::code_list::CodeEntry<Self>] = &[
                $( $crate::domain::code_list::CodeEntry {
                    value: $t::$v,
                    code: $code,
                    label_key: $label,
                    spellings: &[$($sp),*],
                } ),+
            ];
            const LOOSE_SEPARATORS: bool = $loose;
        }

        impl $t {
            /// The stored code.
            pub fn $code_fn(self) -> &'static str {
                <Self as $crate::domain::code_list::CodeList>::code(self)
            }

            /// The string-table key of its name.
            pub fn label_key(self) -> &'static str {
                <Self as $crate::domain::code_list::CodeList>::label_key(self)
            }

            /// The code (any case) or a word people type for it, with or without diacritics.
            pub fn parse(raw: &str) -> Option<Self> {
                <Self as $crate::domain::code_list::CodeList>::parse(raw)
            }
        }
    };
}
pub(crate) use code_list;

/// Declares a field-like enum once: each variant with its key (import column, change-log field)
/// and the string-table key of its label. Gives `ALL` (in declaration order), `key`, `from_key`
/// and `label_key`.
macro_rules! keyed_enum {
    (
        $(#[$m:meta])*
        $vis:vis enum $t:ident { $( $v:ident => $key:literal, $label:literal );+ $(;)? }
    ) => {
        $(#[$m])*
        $vis enum $t {
            $( $v ),+
        }

        impl $t {
            pub const ALL: [$t; [$(stringify!($v)),+].len()] = [$($t::$v),+];

            pub fn key(self) -> &'static str {
                match self {
                    $( $t::$v => $key ),+
                }
            }

            pub fn from_key(key: &str) -> Option<$t> {
                Self::ALL.into_iter().find(|f| f.key() == key)
            }

            /// The i18n key of its label.
            pub fn label_key(self) -> &'static str {
                match self {
                    $( $t::$v => $label ),+
                }
            }
        }
    };
}
pub(crate) use keyed_enum;

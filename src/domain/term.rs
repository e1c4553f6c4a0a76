//! Closed sets of values: kinds, statuses, choices. Each is an enum whose values have a stable
//! snake_case name (stored in the database and sent in the API) and a Chinese term (shown to
//! people, and listed in the spec). `term_enum!` defines one; `http::terms` shows it in the API
//! and `db::stored` reads it back from a row, so each conversion is written once.

use std::fmt;

/// A closed set of named values.
pub trait Term: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// The name of its schema in the API, e.g. `ElectionStatus`.
    const NAME: &'static str;
    /// What it is, in the API's words, with the Chinese term.
    const ABOUT: &'static str;
    /// Every value, in order (a lifecycle's in the order of its steps).
    fn all() -> &'static [Self];
    /// The stored and transmitted name: stable snake_case.
    fn name(self) -> &'static str;
    /// The Chinese term.
    fn term(self) -> &'static str;
    /// The value of a stored or transmitted name.
    fn from_name(s: &str) -> Option<Self> {
        Self::all().iter().copied().find(|x| x.name() == s)
    }
}

/// Defines a `Term` enum: each variant with its stored name and its Chinese term. Also gives
/// the enum inherent `ALL`, `as_str`, `label` and `parse` (exact names only), so callers need
/// not import the trait.
#[macro_export]
macro_rules! term_enum {
    ($(#[$meta:meta])* $name:ident, $about:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored and transmitted name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The Chinese term.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// The value of a stored or transmitted name (exactly; no aliases).
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&s, &[$($text,)+])
                })
            }
        }

        impl $crate::domain::term::Term for $name {
            const NAME: &'static str = stringify!($name);
            const ABOUT: &'static str = $about;
            fn all() -> &'static [Self] {
                $name::ALL
            }
            fn name(self) -> &'static str {
                self.as_str()
            }
            fn term(self) -> &'static str {
                self.label()
            }
        }
    };
}

/// The value of a spreadsheet cell: its stored name, its Chinese term, or one of `aliases`
/// (other Chinese words county offices write for it).
pub fn from_sheet<T: Term>(cell: &str, aliases: &[(&str, T)]) -> Option<T> {
    let cell = cell.trim();
    T::from_name(cell)
        .or_else(|| T::all().iter().copied().find(|x| x.term() == cell))
        .or_else(|| aliases.iter().find(|(a, _)| *a == cell).map(|(_, x)| *x))
}

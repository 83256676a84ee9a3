//! Stable machine codes: error codes, reason codes and warning codes are enums whose strings are
//! part of the public API (JavaScript compares them; the TypeScript declarations list each enum
//! as a union of its strings). [`codes!`](crate::codes!) defines one such enum with its strings
//! written beside the variants.

/// Defines a code enum: `Copy`, serialized as the given strings, with `ALL`, `as_str`,
/// `Display` and comparison with `&str`.
#[macro_export]
#[doc(hidden)]
macro_rules! codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            /// Every code.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code's stable string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::codes! {
        /// A test enum.
        enum Sample {
            One = "ONE",
            TwoWords = "TWO_WORDS",
        }
    }

    #[test]
    fn strings_serialize_compare_and_list() {
        assert_eq!(Sample::ALL.len(), 2);
        assert_eq!(
            serde_json::to_string(&Sample::TwoWords).unwrap(),
            "\"TWO_WORDS\""
        );
        assert_eq!(Sample::One, "ONE");
        assert_eq!(Sample::TwoWords.to_string(), "TWO_WORDS");
    }
}

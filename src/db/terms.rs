//! Term columns: a row keeps a status or kind as the stable snake_case text it is stored as;
//! these accessors are the one place that text becomes the domain enum and back, so no caller
//! compares or assigns the text.

use crate::domain::term::Term;
use crate::error::{AppError, AppResult};

/// The enum value of a stored name. Text no value names is a corrupt row, not the caller's
/// fault: 500, with the column named in the log.
pub fn stored<T: Term>(text: &str) -> AppResult<T> {
    T::from_name(text)
        .ok_or_else(|| AppError::Internal(format!("a stored {} is `{text}`, not one of its values", T::NAME)))
}

/// `row.status()` reads the column as its enum; `row.set_status(v)` writes it.
macro_rules! term_columns {
    ($row:ty { $($field:ident, $setter:ident: $ty:ty;)+ }) => {
        impl $row {
            $(
                pub fn $field(&self) -> $crate::error::AppResult<$ty> {
                    $crate::db::terms::stored(&self.$field)
                }
                pub fn $setter(&mut self, value: $ty) {
                    self.$field = value.as_str().to_string();
                }
            )+
        }
    };
}
pub(crate) use term_columns;

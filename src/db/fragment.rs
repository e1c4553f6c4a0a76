//! SQL text with bound values that a connection may prepare once and reuse.
//!
//! Why not `diesel::dsl::sql`: diesel marks every query holding one of its literals as unsafe to
//! cache (the text could carry values), so PostgreSQL parses and plans such a query on every call
//! — on the keyset lists that cost more than running them (0.2–0.6 ms planning against 0.06–0.4
//! ms executing). A `Fragment`'s text is fixed by the code that builds it and every value is a
//! bound parameter, so diesel keys its statement cache by the text: one prepared statement per
//! shape, per connection.

use std::borrow::Cow;
use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, HasSqlType, Text};
use diesel::QueryResult;

#[derive(Clone, Debug)]
enum Piece {
    Sql(Cow<'static, str>),
    Text(String),
    BigInt(i64),
    Bool(bool),
}

/// An SQL expression of type `ST`: text pieces and bound values, in order. Build its text only
/// from the code's own strings (never from input): each distinct text is a cached statement.
#[derive(Clone, Debug)]
pub struct Fragment<ST> {
    pieces: Vec<Piece>,
    _type: PhantomData<ST>,
}

impl<ST> Fragment<ST> {
    pub fn new(sql: impl Into<Cow<'static, str>>) -> Self {
        Fragment {
            pieces: vec![Piece::Sql(sql.into())],
            _type: PhantomData,
        }
    }

    pub fn sql(mut self, sql: impl Into<Cow<'static, str>>) -> Self {
        self.pieces.push(Piece::Sql(sql.into()));
        self
    }

    pub fn text(mut self, value: impl Into<String>) -> Self {
        self.pieces.push(Piece::Text(value.into()));
        self
    }

    pub fn big_int(mut self, value: i64) -> Self {
        self.pieces.push(Piece::BigInt(value));
        self
    }

    /// ` LIMIT n` written into the text, not bound: PostgreSQL plans a prepared statement once
    /// for every call only when that one plan looks as cheap as planning each call, and with an
    /// unknown limit the one plan must expect a tenth of the estate, not a page. A limit is a
    /// page size (1–201, `http::paging`), so at most that many texts per list.
    pub fn limit(mut self, n: i64) -> Self {
        self.pieces.push(Piece::Sql(format!(" LIMIT {n}").into()));
        self
    }

    pub fn bool(mut self, value: bool) -> Self {
        self.pieces.push(Piece::Bool(value));
        self
    }
}

impl<ST: TypedExpressionType> Expression for Fragment<ST> {
    type SqlType = ST;
}

impl<ST, DB> QueryFragment<DB> for Fragment<ST>
where
    DB: Backend + HasSqlType<Text> + HasSqlType<BigInt> + HasSqlType<Bool>,
    String: ToSql<Text, DB>,
    i64: ToSql<BigInt, DB>,
    bool: ToSql<Bool, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Sql(s) => out.push_sql(s),
                Piece::Text(v) => out.push_bind_param::<Text, _>(v)?,
                Piece::BigInt(v) => out.push_bind_param::<BigInt, _>(v)?,
                Piece::Bool(v) => out.push_bind_param::<Bool, _>(v)?,
            }
        }
        Ok(())
    }
}

impl<ST> QueryId for Fragment<ST> {
    type QueryId = ();
    // The text varies with the pieces: the statement cache keys it by its SQL, not its type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, QS> SelectableExpression<QS> for Fragment<ST> where Self: Expression {}
impl<ST, QS> AppearsOnTable<QS> for Fragment<ST> where Self: Expression {}

impl<ST, GB> ValidGrouping<GB> for Fragment<ST> {
    type IsAggregate = is_aggregate::Never;
}

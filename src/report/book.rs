//! The book: what scoring one client needs to know about all the others, as of a day. RFM
//! scores are quantiles among the clients with a purchase, the loyalty–profitability quadrants
//! cut at medians, and the re-engagement play compares a client's expected value with the
//! median; the customer-base models are fitted to every client. A book is made in one pass over
//! the ledger and kept by the scorer until the ledger, the day or the models asked for change,
//! so a table, a portfolio and any number of explanations share it.

use std::sync::Arc;

use super::assess::{Assessment, Context};
use super::options::ScoreOptions;
use super::portfolio::median;
use super::score::Kind;
use super::scorer::Scorer;
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::time::day_of;
use crate::models::clients::{ClientValue, CustomerBase, CustomerBaseOptions};
use crate::scores::activity;
use crate::scores::rfm::Quantiles;

/// The thresholds that compare a client with the others.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cuts {
    pub loyal_days: f64,
    pub profitable: f64,
    /// Median expected value over the clients whose expected value is positive.
    pub median_value: f64,
}

/// What was left out of a report, for its warnings.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LeftOut {
    pub clients: u64,
    pub events: u64,
}

/// What a book was made from: when all three are the same, the book still holds.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    revision: u64,
    as_of_ms: i64,
    customer_base: Option<CustomerBaseOptions>,
    horizon: Option<u32>,
}

/// Everything about the other clients that one client's scores depend on.
#[derive(Debug)]
pub struct Book {
    key: Key,
    /// The day scored as of.
    pub as_of: i32,
    /// Ledger indexes of the clients scored (active by `as_of`), sorted by client id.
    pub order: Vec<u32>,
    pub ctx: Context,
    pub rfm: Quantiles,
    pub cuts: Cuts,
    pub base: Option<CustomerBase>,
    pub left_out: LeftOut,
}

impl Book {
    /// The customer-base models' values of ledger client `i`, when they were asked for.
    pub fn value(&self, i: usize) -> Option<ClientValue> {
        self.base.as_ref().and_then(|b| b.values[i])
    }
}

/// A client met on the pass that makes a book, assessed without sentences.
pub struct Swept<'a> {
    /// The ledger index.
    pub index: usize,
    pub a: &'a Assessment,
    pub kind: &'a Kind,
    pub value: Option<ClientValue>,
    /// The day scored as of.
    pub as_of: i32,
}

impl Scorer {
    fn key(&self, options: &ScoreOptions) -> Result<Key> {
        options.check()?;
        Ok(Key {
            horizon: options.horizon,
            revision: self.revision(),
            as_of_ms: self.resolve_as_of(&options.as_of)?,
            customer_base: options.customer_base.clone(),
        })
    }

    /// The book for `options`: the one kept, if it still holds, or a new one (then kept).
    pub fn book(&self, options: &ScoreOptions) -> Result<Arc<Book>> {
        let key = self.key(options)?;
        match self.kept_book().filter(|b| b.key == key) {
            Some(b) => Ok(b),
            None => self.sweep(options, |_| {}),
        }
    }

    /// Makes (and keeps) the book for `options` in one pass over the clients, in id order,
    /// handing each client scored to `each` on the way.
    pub fn sweep(&self, options: &ScoreOptions, each: impl FnMut(&Swept)) -> Result<Arc<Book>> {
        let book = Arc::new(self.make_book(self.key(options)?, options, each)?);
        self.keep_book(book.clone());
        Ok(book)
    }

    fn make_book(
        &self,
        key: Key,
        options: &ScoreOptions,
        mut each: impl FnMut(&Swept),
    ) -> Result<Book> {
        let as_of = day_of(key.as_of_ms);
        let base = self.customer_base(options, key.as_of_ms)?;
        let ledger = self.ledger();
        let ctx = Context::new(self, as_of, Some(key.horizon))?;
        let mut all: Vec<u32> = crate::memory::vec_with_capacity(ledger.len())?;
        all.extend(0..ledger.len() as u32);
        all.sort_unstable_by(|&a, &b| {
            ledger
                .client_id(a as usize)
                .cmp(ledger.client_id(b as usize))
        });
        let mut order = crate::memory::vec_with_capacity(all.len())?;
        let mut left_out = LeftOut::default();
        let mut rfm_values = Vec::new();
        let mut spans = Vec::new();
        let mut net_values = Vec::new();
        let mut values = Vec::new();
        for i in all {
            crate::memory::check()?;
            let rec = ledger.record(i as usize);
            let upto = activity::days_until(rec, as_of);
            left_out.events += rec.days[upto.len()..]
                .iter()
                .map(|d| d.events as u64)
                .sum::<u64>();
            let Some(a) = self.assess(i as usize, as_of, &ctx, false) else {
                left_out.clients += 1;
                continue;
            };
            order.push(i);
            rfm_values.extend(a.rfm);
            let value = base.as_ref().and_then(|b| b.values[i as usize]);
            let kind = self.kind_of(&a, value, false);
            each(&Swept {
                index: i as usize,
                a: &a,
                kind: &kind,
                value,
                as_of,
            });
            spans.push(a.facts.active_span_days as f64);
            net_values.push(a.effectiveness.net_value);
            if kind.case.expected_value > 0.0 {
                values.push(kind.case.expected_value);
            }
        }
        let r = &self.config().options.relationship;
        let cuts = Cuts {
            loyal_days: r.loyal_days.unwrap_or_else(|| median(spans)),
            profitable: r.profitable_value.unwrap_or_else(|| median(net_values)),
            median_value: median(values),
        };
        Ok(Book {
            key,
            as_of,
            order,
            rfm: Quantiles::of(&rfm_values, self.config().options.rfm.bins),
            ctx,
            cuts,
            base,
            left_out,
        })
    }

    /// The customer-base models' values of the clients, when the options ask for them.
    #[cfg(feature = "models")]
    fn customer_base(&self, options: &ScoreOptions, as_of_ms: i64) -> Result<Option<CustomerBase>> {
        options
            .customer_base
            .as_ref()
            .map(|o| crate::models::clients::value_clients(self.ledger(), as_of_ms, o))
            .transpose()
    }

    /// Without the models (the small engine build), asking for them is an error.
    #[cfg(not(feature = "models"))]
    fn customer_base(
        &self,
        options: &ScoreOptions,
        _as_of_ms: i64,
    ) -> Result<Option<CustomerBase>> {
        match options.customer_base {
            Some(_) => Err(RapportError::new(
                ErrorCode::InvalidConfig,
                "customerBase needs the customer-base models: use the package's rapportjs/full build",
            )
            .with_field("customerBase")),
            None => Ok(None),
        }
    }

    /// The ledger index of a client to explain: it must be in the ledger and active by the
    /// book's day.
    pub fn scored_index(&self, book: &Book, id: &str) -> Result<usize> {
        let unknown = |why: String| {
            Err(RapportError::new(ErrorCode::UnknownClient, why).with_field("clientId"))
        };
        let ledger = self.ledger();
        if ledger.position(id.trim()).is_none() {
            return unknown(format!("no client {id:?} in the ledger"));
        }
        match book
            .order
            .binary_search_by(|&j| ledger.client_id(j as usize).cmp(id.trim()))
        {
            Ok(k) => Ok(book.order[k] as usize),
            Err(_) => unknown(format!(
                "client {id:?} has no activity on or before {}, so it is not scored",
                crate::input::time::format_day(book.as_of)
            )),
        }
    }
}

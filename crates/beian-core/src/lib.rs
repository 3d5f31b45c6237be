//! Beian Guard core: the inventory model, identifiers, the working-day calendar and the
//! audit chain. Pure: no I/O, no clock reads (callers pass `today`), no network.

pub mod audit;
pub mod calendar;
pub mod case;
pub mod facts;
pub mod finding;
pub mod identifier;
pub mod inventory;
pub mod lifecycle;
pub mod model;
pub mod rules;

//! beian-core integration tests: one binary, one module per area.

mod calendar;
mod cases;
mod identifiers;
mod lifecycle;
mod rules;

//! Integration tests of the store: one binary, one module per concern. Scenarios that
//! matter on both backends run on SQLite always and on PostgreSQL when
//! `BEIAN_TEST_DATABASE_URL` names a server (then failing to reach it fails the test).

#[macro_use]
mod support;

mod atomicity;
mod bad_input;
mod cases;
mod concurrency;
mod counts;
mod findings;
mod large_batch;
mod scans;
mod sqlite_settings;
mod story;
mod tags;
mod tamper;
mod users;

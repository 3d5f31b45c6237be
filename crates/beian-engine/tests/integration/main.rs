//! The engine on the lab: a small inventory in a temporary SQLite store, scanned with the
//! probes pointed at the simulated internet.

mod baseline;
mod pipeline;
mod scheduler;
mod support;

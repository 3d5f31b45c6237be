//! Integration tests of beian-notify: exact bodies and signatures against local endpoints,
//! routing (dedupe, thresholds, digest, recovery), bounded delivery, configuration and the
//! redaction of secrets.

mod bodies;
mod config;
mod delivery;
mod email;
mod routing;
mod support;
mod template;

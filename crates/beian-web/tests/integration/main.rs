//! Integration tests of the web API: one binary, one module per concern. Each test builds
//! the router over a fresh SQLite store in a temporary directory and drives it with
//! `tower::ServiceExt::oneshot`, no socket needed.

mod support;

mod cases;
mod csrf_and_tokens;
mod import;
mod login;
mod metrics;
mod openapi;
mod pages;
mod routes_by_role;
mod server;
mod settings;
mod site_evidence;
mod sites_api;

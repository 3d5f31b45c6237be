//! Beian Guard probes (备案卫士 探测): evidence about domains and websites.
//!
//! This first part holds the offline parsers for registration data, shared by the network
//! clients and by `beian inspect`:
//!
//! * [`registration`] — [`RegistrationRecord`], the one stable JSON shape both sources produce;
//! * [`whois`] — a table-driven port-43 WHOIS parser (CNNIC included) with "not registered"
//!   detection and referral discovery;
//! * [`rdap`] — RDAP domain answers (RFC 9083) and the IANA bootstrap (RFC 9224);
//! * [`bench`] — a throughput measurement over the bundled fixtures.
//!
//! Every parser is total: any input gives a value or a typed error, never a panic, in time
//! linear in the input.

pub mod bench;
pub mod check;
pub mod dns;
pub mod http;
pub mod outcome;
pub mod politeness;
pub mod rdap;
pub mod registration;
pub mod registration_probe;
pub mod settings;
pub mod setup;
pub mod tls;
pub mod whois;

pub use outcome::{Outcome, ProbeFailure, Timed};
pub use rdap::{RdapBootstrap, RdapBootstrapError, RdapParseError, parse_rdap_domain};
pub use registration::{RecordSource, RegistrationRecord};
pub use settings::{Persona, PersonaKind, ProbeSettings};
pub use setup::ProbeSetupError;
pub use whois::{WhoisOutcome, WhoisParse, decode_whois_bytes, parse_whois};

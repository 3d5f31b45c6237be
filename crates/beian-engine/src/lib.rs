//! Beian Guard engine (备案卫士 引擎): the scan pipeline over the inventory —
//! probes → detection → rules → findings → cases — with everything persisted through the
//! store and its audit log (DESIGN §4).
//!
//! Per site: the home URL is checked ([`beian_probe::check::SiteChecker`]: DNS, registration,
//! every persona, TLS), the site's other registrable domains are looked up, two random paths
//! are fetched for parasite pages, and the detectors compare it all with the owner's baseline
//! (the oldest clean observation kept). The result is reduced to a
//! [`beian_core::facts::SiteObservation`], judged by the rules with the previous observation,
//! and recorded in one store transaction per site; findings that call for a filing case open
//! it (once). A scan killed half-way loses only the sites in flight: a rerun judges every site
//! again and the store's merge makes the findings come out the same, without duplicates.
//!
//! Two policies keep evidence honest: when HTTPS cannot be negotiated the home page is
//! fetched again over plain HTTP (what the name serves is the evidence), and a finding whose
//! evidence could not be gathered this time (registry silent, site down) is carried rather
//! than resolved ([`hold`]).
//!
//! The [`scheduler`] runs each check (registration, DNS, HTTP, TLS) of each site on its own
//! interval; a scan that runs only some checks carries the other facts over from the
//! latest observation and leaves their findings alone ([`checks`]).
//!
//! Not gathered yet: the registration of the domains the zone's name servers live in (the
//! "NS in a lapsed domain" takeover); the detector is given none.

pub mod cases;
pub mod checks;
pub mod documents;
mod error;
pub mod evidence;
pub mod hold;
pub mod import;
pub mod metrics;
pub mod notify;
pub mod observe;
pub mod personas;
pub mod portfolio;
pub mod probes;
pub mod scan;
pub mod scheduler;

pub use cases::OpenedCase;
pub use checks::{CheckSet, ScheduledCheck};
pub use error::EngineError;
pub use evidence::{DetectionInput, PageFingerprint, analyse};
pub use metrics::{ScanMetrics, ScanOutcome};
pub use notify::{Notifier, NotifyReport};
pub use observe::{ObservationRecord, SiteEvidence, observe};
pub use portfolio::Portfolio;
pub use probes::ScanProbes;
pub use scan::{
    FindingRef, Quiet, ScanObserver, ScanOptions, ScanResult, ScanScope, ScanSummary, Scanner,
    SiteReport,
};

//! Beian Guard documents (DESIGN §3.5–3.6): the cancellation application and declaration
//! and the per-site evidence report as PDF and DOCX, findings as XLSX, the portfolio as a
//! self-contained HTML page, and evidence bundles with a SHA-256 manifest.
//!
//! Inputs are plain structs the caller fills from the store; this crate does no database
//! access and reads no clock. The texts are built once as a [`Document`] and rendered by
//! both the PDF and the DOCX writers.
//!
//! PDFs embed a subset of a system CJK font ([`CjkFont::discover`]): install
//! `fonts-noto-cjk` or `fonts-wqy-microhei`, or point `BEIAN_PDF_FONT` at a font.

pub mod bundle;
pub mod cancellation;
pub mod document;
pub mod docx;
pub mod error;
pub mod evidence;
pub mod findings;
pub mod font;
pub mod html;
pub mod pdf;
pub mod portfolio;
pub mod text;
pub mod xlsx;

pub use bundle::{BundleWriter, Manifest, ManifestFile};
pub use cancellation::{
    CancellationDocument, CancellationKind, CancelledSite, Contact, cancellation_documents,
};
pub use document::{Block, Document, Table};
pub use docx::render_docx;
pub use error::ReportError;
pub use evidence::{
    CaseRecord, EvidenceReport, MonitoringPeriod, ObservationSummary, evidence_document,
};
pub use findings::FindingRow;
pub use font::{CjkFont, FONT_ENV};
pub use html::portfolio_html;
pub use pdf::render_pdf;
pub use portfolio::{Count, PortfolioDomain, PortfolioReport, PortfolioSite};
pub use xlsx::findings_xlsx;

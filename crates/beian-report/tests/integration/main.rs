//! Integration tests of beian-report: every format is read back with the tool a user (or
//! an authority) would use: pdftotext/pdffonts for PDF, the package XML for DOCX, calamine
//! for XLSX, `sha256sum -c` for bundles.

mod support;

mod bundle;
mod cancellation;
mod docx;
mod font;
mod html;
mod pdf;
mod xlsx;

//! Evidence bundles: a directory of files plus `manifest.json` (name, size and SHA-256 of
//! every file, and what the bundle is about) and `SHA256SUMS`, which `sha256sum -c
//! SHA256SUMS` checks without any of our software.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ReportError;

pub const MANIFEST_FILE: &str = "manifest.json";
pub const CHECKSUM_FILE: &str = "SHA256SUMS";

/// A bundle being written. Files are written as they are added; the manifest last.
#[derive(Debug)]
pub struct BundleWriter {
    dir: PathBuf,
    files: Vec<ManifestFile>,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    /// What the file holds, for the reader of the manifest.
    pub description: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub version: u32,
    /// Caller's description of the subject of the bundle (site, period, chain verdict …).
    pub about: serde_json::Value,
    pub files: Vec<ManifestFile>,
}

impl BundleWriter {
    /// Creates `dir` (and its parents); refuses a directory that already holds files, so a
    /// bundle never mixes with older evidence.
    pub fn create(dir: &Path) -> Result<BundleWriter, ReportError> {
        let write_error = |source| ReportError::Write {
            path: dir.to_owned(),
            source,
        };
        if dir.exists() {
            let mut entries = std::fs::read_dir(dir).map_err(write_error)?;
            if entries.next().is_some() {
                return Err(ReportError::BundleDirNotEmpty {
                    path: dir.to_owned(),
                });
            }
        } else {
            std::fs::create_dir_all(dir).map_err(write_error)?;
        }
        Ok(BundleWriter {
            dir: dir.to_owned(),
            files: Vec::new(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file into the bundle and records its hash.
    pub fn add(&mut self, name: &str, bytes: &[u8], description: &str) -> Result<(), ReportError> {
        let valid = !name.is_empty()
            && name != MANIFEST_FILE
            && name != CHECKSUM_FILE
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            && !self.files.iter().any(|f| f.name == name);
        if !valid {
            return Err(ReportError::BundleName {
                name: name.to_owned(),
            });
        }
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).map_err(|source| ReportError::Write { path, source })?;
        self.files.push(ManifestFile {
            name: name.to_owned(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
            description: description.to_owned(),
        });
        Ok(())
    }

    /// Writes `manifest.json` and `SHA256SUMS` (which covers the manifest too).
    pub fn finish(self, about: serde_json::Value) -> Result<Manifest, ReportError> {
        let manifest = Manifest {
            format: "beian-evidence-bundle",
            version: 1,
            about,
            files: self.files,
        };
        let mut json = serde_json::to_string_pretty(&manifest)?;
        json.push('\n');
        let write = |name: &str, text: &str| {
            let path = self.dir.join(name);
            std::fs::write(&path, text).map_err(|source| ReportError::Write { path, source })
        };
        write(MANIFEST_FILE, &json)?;
        let mut sums = String::new();
        for file in &manifest.files {
            sums.push_str(&format!("{}  {}\n", file.sha256, file.name));
        }
        sums.push_str(&format!(
            "{}  {MANIFEST_FILE}\n",
            sha256_hex(json.as_bytes())
        ));
        write(CHECKSUM_FILE, &sums)?;
        Ok(manifest)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

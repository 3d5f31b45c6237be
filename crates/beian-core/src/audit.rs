//! The audit log's entries and their hash chain (DESIGN §3.6). Pure: the store
//! persists entries, this module says what an entry's hash is and whether a
//! sequence of entries is intact.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hash of the entry before the first one.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One append-only entry: who did what to which record, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Who: e.g. `cli:alice`, `import:portfolio.xlsx`, `scheduler`.
    pub actor: String,
    /// What: `insert`, `update`, `delete`, `close`, `import`, later `scan`, `case.advance` …
    pub action: String,
    /// Which kind of thing (`subject`, `website`, … `scan`, `case`).
    pub entity: String,
    pub entity_id: Option<i64>,
    /// JSON text of the record before the change (`None` for inserts).
    pub before: Option<String>,
    /// JSON text after the change (`None` for deletes).
    pub after: Option<String>,
    /// Hash of the previous entry (`GENESIS_HASH` for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and every field above, hex.
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry must carry given its fields and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        // Length-prefix every field so that moving bytes between fields changes the hash.
        let at = self.at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let seq = self.seq.to_string();
        let entity_id = self.entity_id.map(|id| id.to_string());
        let fields: [Option<&str>; 8] = [
            Some(&self.prev_hash),
            Some(&seq),
            Some(&at),
            Some(&self.actor),
            Some(&self.action),
            Some(&self.entity),
            entity_id.as_deref(),
            self.before.as_deref(),
        ];
        for field in fields.into_iter().chain([self.after.as_deref()]) {
            match field {
                Some(text) => {
                    hasher.update((text.len() as u64).to_be_bytes());
                    hasher.update(text.as_bytes());
                }
                None => hasher.update(u64::MAX.to_be_bytes()),
            }
        }
        hex_lower(&hasher.finalize())
    }

    /// Builds the next entry of a chain and seals it with its hash.
    #[allow(clippy::too_many_arguments)]
    pub fn seal(
        prev: Option<(&str, i64)>,
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        before: Option<String>,
        after: Option<String>,
    ) -> AuditEntry {
        let (prev_hash, prev_seq) = prev.unwrap_or((GENESIS_HASH, 0));
        let mut entry = AuditEntry {
            seq: prev_seq + 1,
            // Stored with microsecond precision; truncate now so the hash survives a round trip.
            at: truncate_to_micros(at),
            actor: actor.to_owned(),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id,
            before,
            after,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }
}

fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Why the chain is broken at an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainBreak {
    /// The entry's fields do not hash to its stored hash: it was edited.
    HashMismatch,
    /// `prev_hash` is not the previous entry's hash: an entry was removed or reordered.
    PrevHashMismatch,
    /// `seq` skips or repeats: an entry was deleted or inserted.
    SeqGap,
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChainVerdict {
    Intact {
        entries: u64,
        last_hash: String,
    },
    Broken {
        entries_checked: u64,
        seq: i64,
        reason: ChainBreak,
    },
}

/// Walks entries in `seq` order, feeding them one by one (so a large log streams).
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_hash: String,
    prev_seq: i64,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev_hash: GENESIS_HASH.to_owned(),
            prev_seq: 0,
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry; `Err` names the first broken one.
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), ChainVerdict> {
        let broken = |reason| ChainVerdict::Broken {
            entries_checked: self.checked,
            seq: entry.seq,
            reason,
        };
        if entry.seq != self.prev_seq + 1 {
            return Err(broken(ChainBreak::SeqGap));
        }
        if entry.prev_hash != self.prev_hash {
            return Err(broken(ChainBreak::PrevHashMismatch));
        }
        if entry.compute_hash() != entry.hash {
            return Err(broken(ChainBreak::HashMismatch));
        }
        self.prev_hash.clone_from(&entry.hash);
        self.prev_seq = entry.seq;
        self.checked += 1;
        Ok(())
    }

    pub fn finish(self) -> ChainVerdict {
        ChainVerdict::Intact {
            entries: self.checked,
            last_hash: self.prev_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.hash.as_str(), e.seq));
            let entry = AuditEntry::seal(
                prev,
                Utc::now(),
                "test",
                "insert",
                "subject",
                Some(i as i64),
                None,
                Some(format!("{{\"n\":{i}}}")),
            );
            out.push(entry);
        }
        out
    }

    fn verify(entries: &[AuditEntry]) -> ChainVerdict {
        let mut verifier = ChainVerifier::default();
        for e in entries {
            if let Err(v) = verifier.check(e) {
                return v;
            }
        }
        verifier.finish()
    }

    #[test]
    fn intact_chain_verifies() {
        assert!(matches!(
            verify(&chain(5)),
            ChainVerdict::Intact { entries: 5, .. }
        ));
    }

    #[test]
    fn edited_entry_is_named() {
        let mut entries = chain(5);
        entries[2].after = Some("{\"n\":99}".into());
        assert_eq!(
            verify(&entries),
            ChainVerdict::Broken {
                entries_checked: 2,
                seq: 3,
                reason: ChainBreak::HashMismatch
            }
        );
    }

    #[test]
    fn removed_entry_is_named() {
        let mut entries = chain(5);
        entries.remove(1);
        assert!(matches!(
            verify(&entries),
            ChainVerdict::Broken {
                seq: 3,
                reason: ChainBreak::SeqGap,
                ..
            }
        ));
    }

    #[test]
    fn moving_bytes_between_fields_changes_the_hash() {
        let mut a = chain(1).remove(0);
        let original = a.hash.clone();
        a.actor = "tes".into();
        a.action = "tinsert".into();
        assert_ne!(a.compute_hash(), original);
    }
}

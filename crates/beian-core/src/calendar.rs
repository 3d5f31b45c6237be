//! Working-day calendar (FACTS §6).

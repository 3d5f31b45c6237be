//! Content similarity that tolerates normal dynamism: character 4-gram shingles of the
//! visible text with digits folded (dates, counters and prices change between fetches),
//! compared by Jaccard.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Shingles per text at most: the head of a page says enough and bounds the work.
const MAX_SHINGLES: usize = 8192;
const SHINGLE_CHARS: usize = 4;

/// The shingle set of a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shingles(HashSet<u64>);

impl Shingles {
    pub fn of(text: &str) -> Shingles {
        let folded: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| {
                if c.is_ascii_digit() {
                    '0'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .take(MAX_SHINGLES + SHINGLE_CHARS)
            .collect();
        let mut set = HashSet::new();
        for window in folded.windows(SHINGLE_CHARS) {
            let mut hasher = DefaultHasher::new();
            window.hash(&mut hasher);
            set.insert(hasher.finish());
        }
        Shingles(set)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// |A ∩ B| / |A ∪ B|; two empty texts are identical.
pub fn jaccard(a: &Shingles, b: &Shingles) -> f32 {
    let union = a.0.union(&b.0).count();
    if union == 0 {
        return 1.0;
    }
    let common = a.0.intersection(&b.0).count();
    common as f32 / union as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_do_not_count_as_change() {
        let a = Shingles::of("今天是 2026-11-23 10:00，欢迎访问本公司网站，我们提供优质服务。");
        let b = Shingles::of("今天是 2026-11-24 18:31，欢迎访问本公司网站，我们提供优质服务。");
        assert!(jaccard(&a, &b) > 0.95);
        let c = Shingles::of("澳门葡京赌场在线注册送彩金，真人视讯百家乐。");
        assert!(jaccard(&a, &c) < 0.1);
    }
}

//! Leftmost-longest, non-overlapping matching of the lexicon's terms in normalised text —
//! what an Aho-Corasick automaton with `MatchKind::LeftmostLongest` reports, found another
//! way because the text is CJK.
//!
//! Why not the automaton: ~1,300 terms of mostly three-byte characters make a DFA of several
//! megabytes, and walking it byte by byte over page text missed the CPU caches so often that
//! the lexicon scan was the costliest single step of page analysis (`beian bench detect`,
//! perf). Every term has at least two characters, so a match needs the pair of characters
//! where it starts to be the start of a term: each pair of adjacent characters of the text
//! is tested against a bitmap of hashed term-start pairs (8 KB, stays in cache, ~2 % false
//! positives), and only where it may be one is the pair looked up in a small hash table and
//! the few terms of that pair compared, longest first. Testing the first character alone
//! was not enough: 377 characters start a term, 在, 大, 网 and 金 among them, so a fifth of
//! ordinary Chinese text were candidates, each a mispredicted branch.

/// The terms of one character pair: `candidates[first..first + count]`, longest first.
#[derive(Debug, Clone, Copy)]
struct PairSlot {
    key: u64,
    first: u32,
    count: u32,
}

/// A slot of no pair (a real key has at most 53 bits).
const EMPTY_SLOT: PairSlot = PairSlot {
    key: u64::MAX,
    first: 0,
    count: 0,
};

/// One term of a pair: its bytes are `term_bytes[start..start + len]`.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: u32,
    len: u32,
    /// Its last byte, compared first (no load from `term_bytes` for most candidates).
    last: u8,
    term: u32,
}

/// Everything a match attempt reads sits in three flat arrays (slots, candidates, term
/// bytes) rather than behind a `Vec` per pair and a `String` per term: an attempt at each
/// marked start chased two pointers into scattered allocations.
#[derive(Debug, Clone)]
pub(crate) struct TermMatcher {
    /// The terms, as given (normalised), one after another.
    term_bytes: Vec<u8>,
    candidates: Vec<Candidate>,
    /// One bit per [`pair_bit`] of the first two characters of a term. A fixed size, so
    /// that testing a bit needs no bounds check: normalisation tests every pair of page text.
    pair_bits: Box<[u64; PAIR_WORDS]>,
    /// Open addressing over [`pair_key`]; a power-of-two length.
    pairs: Vec<PairSlot>,
}

/// One match: byte offsets in the text and the index of the term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TermMatch {
    pub start: usize,
    pub end: usize,
    pub term: usize,
}

/// Where a term may start in normalised text, as normalisation marks it: the byte offset,
/// and the [`pair_key`] of the two characters written there (so matching need not decode
/// them again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TermStart {
    pub at: usize,
    pub pair: u64,
}

/// The key of a pair of characters, given as code points.
fn pair_key(first: u32, second: u32) -> u64 {
    (u64::from(first) << 21) | u64::from(second)
}

/// Fibonacci hashing: the keys are dense code points, which a multiply spreads well.
fn spread(key: u64) -> u64 {
    key.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn slot_of(key: u64, mask: usize) -> usize {
    (spread(key) >> 32) as usize & mask
}

/// Bits of the pair bitmap: 2¹⁶, against ~1,100 term-start pairs in the bundled lexicon.
const PAIR_BITS_LOG2: u32 = 16;
const PAIR_WORDS: usize = (1 << PAIR_BITS_LOG2) / 64;

fn pair_bit(key: u64) -> usize {
    (spread(key) >> (64 - PAIR_BITS_LOG2)) as usize
}

/// The character starting at `at` (a character boundary of UTF-8 `bytes`) and its length,
/// decoded from the bytes without the checks `str::chars` makes for arbitrary input.
#[cfg(test)]
fn char_at(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let lead = *bytes.get(at)?;
    let continuation = |offset: usize| bytes.get(at + offset).map(|b| u32::from(b & 0x3F));
    let (code, len) = match lead {
        0x00..=0x7F => (u32::from(lead), 1),
        0xC0..=0xDF => ((u32::from(lead & 0x1F) << 6) | continuation(1)?, 2),
        0xE0..=0xEF => (
            (u32::from(lead & 0x0F) << 12) | (continuation(1)? << 6) | continuation(2)?,
            3,
        ),
        _ => (
            (u32::from(lead & 0x07) << 18)
                | (continuation(1)? << 12)
                | (continuation(2)? << 6)
                | continuation(3)?,
            4,
        ),
    };
    Some((char::from_u32(code)?, len))
}

impl TermMatcher {
    /// Builds the matcher; terms shorter than two characters are never matched (the lexicon
    /// refuses them when it loads).
    pub(crate) fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> TermMatcher {
        let terms: Vec<String> = terms.into_iter().map(str::to_string).collect();
        let mut pair_bits = Box::new([0_u64; PAIR_WORDS]);
        let mut by_pair: Vec<(u64, u32)> = Vec::new();
        for (index, term) in terms.iter().enumerate() {
            let mut chars = term.chars();
            let (Some(first), Some(second)) = (chars.next(), chars.next()) else {
                continue;
            };
            let key = pair_key(u32::from(first), u32::from(second));
            let bit = pair_bit(key);
            pair_bits[bit / 64] |= 1 << (bit % 64);
            // Lexicon sizes are far below u32::MAX terms.
            by_pair.push((key, index as u32));
        }
        // Grouped by pair, longest term first within a pair: the first term that matches
        // is the leftmost-longest match. Lexicon sizes are far below u32::MAX bytes.
        by_pair.sort_by_key(|&(key, index)| (key, std::cmp::Reverse(terms[index as usize].len())));
        let mut term_bytes: Vec<u8> = Vec::new();
        let mut spans: Vec<(u32, u32)> = Vec::with_capacity(terms.len());
        for term in &terms {
            spans.push((term_bytes.len() as u32, term.len() as u32));
            term_bytes.extend_from_slice(term.as_bytes());
        }
        let capacity = (by_pair.len() * 2).next_power_of_two().max(16);
        let mask = capacity - 1;
        let mut pairs = vec![EMPTY_SLOT; capacity];
        let mut candidates: Vec<Candidate> = Vec::with_capacity(by_pair.len());
        for group in by_pair.chunk_by(|a, b| a.0 == b.0) {
            let key = group[0].0;
            let mut slot = slot_of(key, mask);
            while pairs[slot].count != 0 {
                slot = (slot + 1) & mask;
            }
            pairs[slot] = PairSlot {
                key,
                first: candidates.len() as u32,
                count: group.len() as u32,
            };
            candidates.extend(group.iter().map(|&(_, index)| {
                let (start, len) = spans[index as usize];
                Candidate {
                    start,
                    len,
                    last: terms[index as usize]
                        .as_bytes()
                        .last()
                        .copied()
                        .unwrap_or(0),
                    term: index,
                }
            }));
        }
        TermMatcher {
            term_bytes,
            candidates,
            pair_bits,
            pairs,
        }
    }

    /// The key of the pair `first`, `second` (code points) when some term may start with it
    /// (false positives possible). Normalisation asks this of every pair it writes
    /// ([`super::normalise::MarkedText`]).
    #[inline]
    pub(crate) fn pair_may_start(&self, first: u32, second: u32) -> Option<u64> {
        let key = pair_key(first, second);
        let bit = pair_bit(key);
        // `bit` has PAIR_BITS_LOG2 bits, so the index is in bounds.
        (self.pair_bits[bit / 64] & (1 << (bit % 64)) != 0).then_some(key)
    }

    fn pair_terms(&self, key: u64) -> &[Candidate] {
        let mask = self.pairs.len() - 1;
        let mut slot = slot_of(key, mask);
        while let Some(entry) = self.pairs.get(slot).filter(|entry| entry.count != 0) {
            if entry.key == key {
                let first = entry.first as usize;
                return self
                    .candidates
                    .get(first..first + entry.count as usize)
                    .unwrap_or_default();
            }
            slot = (slot + 1) & mask;
        }
        &[]
    }

    /// The longest term that starts at `at`, where the characters of the pair `key` start.
    fn longest_at(&self, bytes: &[u8], at: usize, key: u64) -> Option<TermMatch> {
        let rest = &bytes[at..];
        self.pair_terms(key).iter().find_map(|candidate| {
            let len = candidate.len as usize;
            // The last byte first: most candidates differ there (the pair's characters are
            // the same), and it spares them the comparison of the whole term.
            let head = rest
                .get(..len)
                .filter(|head| head.last() == Some(&candidate.last))?;
            let start = candidate.start as usize;
            let term = self.term_bytes.get(start..start + len)?;
            (head == term).then_some(TermMatch {
                start: at,
                end: at + len,
                term: candidate.term as usize,
            })
        })
    }

    /// Leftmost-longest, non-overlapping matches in `text`, in order, tried only at
    /// `term_starts` (ascending, at character boundaries, including every offset where
    /// [`TermMatcher::pair_may_start`] holds with the key of the pair there, as normalisation
    /// marks them): the same matches as [`TermMatcher::find_iter`], without walking or
    /// decoding the text again.
    pub(crate) fn find_at<'a>(
        &'a self,
        text: &'a str,
        term_starts: &'a [TermStart],
    ) -> impl Iterator<Item = TermMatch> + 'a {
        let bytes = text.as_bytes();
        let mut resume = 0;
        term_starts.iter().filter_map(move |start| {
            if start.at < resume {
                return None;
            }
            // The whole term is compared with the text, so a start whose pair is not
            // there finds nothing.
            let found = self.longest_at(bytes, start.at, start.pair)?;
            resume = found.end;
            Some(found)
        })
    }

    /// Leftmost-longest, non-overlapping matches in `text`, in order.
    #[cfg(test)]
    pub(crate) fn find_iter<'m, 't>(&'m self, text: &'t str) -> Matches<'m, 't> {
        Matches {
            matcher: self,
            bytes: text.as_bytes(),
            at: 0,
        }
    }
}

#[cfg(test)]
pub(crate) struct Matches<'m, 't> {
    matcher: &'m TermMatcher,
    bytes: &'t [u8],
    at: usize,
}

#[cfg(test)]
impl Iterator for Matches<'_, '_> {
    type Item = TermMatch;

    fn next(&mut self) -> Option<TermMatch> {
        // Each character is decoded once: it is the second of one pair, then the first of
        // the next.
        let Some((mut first, mut first_len)) = char_at(self.bytes, self.at) else {
            self.at = self.bytes.len();
            return None;
        };
        loop {
            let second_at = self.at + first_len;
            let Some((second, second_len)) = char_at(self.bytes, second_at) else {
                self.at = self.bytes.len();
                return None;
            };
            if let Some(key) = self
                .matcher
                .pair_may_start(u32::from(first), u32::from(second))
                && let Some(found) = self.matcher.longest_at(self.bytes, self.at, key)
            {
                self.at = found.end;
                return Some(found);
            }
            self.at = second_at;
            (first, first_len) = (second, second_len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::normalise::normalise_marking_term_starts;
    use aho_corasick::{AhoCorasick, MatchKind};

    fn automaton(terms: &[&str]) -> AhoCorasick {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(terms)
            .expect("short literal terms")
    }

    fn both(terms: &[&str], text: &str) -> (Vec<TermMatch>, Vec<TermMatch>) {
        let ours = TermMatcher::new(terms.iter().copied())
            .find_iter(text)
            .collect();
        let theirs = automaton(terms)
            .find_iter(text)
            .map(|m| TermMatch {
                start: m.start(),
                end: m.end(),
                term: m.pattern().as_usize(),
            })
            .collect();
        (ours, theirs)
    }

    const TERMS: [&str; 12] = [
        "澳门",
        "澳门新葡京",
        "新葡京",
        "葡京",
        "bet365",
        "bet",
        "在线",
        "在线赌场",
        "赌场",
        "6合彩",
        "ab",
        "abc",
    ];

    #[test]
    fn leftmost_longest_like_an_automaton() {
        for text in [
            "澳门新葡京在线赌场 bet365 bet 6合彩",
            "澳门新葡",
            "新葡京京",
            "abcab abab",
            "在线在线赌场赌",
            "",
            "澳",
            "ｂｅｔ 𝒜在线",
        ] {
            let (ours, theirs) = both(&TERMS, text);
            assert_eq!(ours, theirs, "{text:?}");
        }
        let (ours, _) = both(&TERMS, "去澳门新葡京");
        assert_eq!(ours[0].term, 1, "the longest term at the leftmost start");
    }

    /// A swap rewrites the character after a marked start (线菠 → 线博): the start is marked
    /// again with the pair written there.
    #[test]
    fn a_swap_marks_the_pair_it_writes() {
        let matcher = TermMatcher::new(["线菠萝", "线博彩"]);
        let marked = normalise_marking_term_starts("在线菠菜", &matcher);
        assert_eq!(marked.text, "在线博彩");
        let found: Vec<TermMatch> = matcher.find_at(&marked.text, &marked.term_starts).collect();
        let start = "在".len();
        assert_eq!(
            found,
            [TermMatch {
                start,
                end: start + "线博彩".len(),
                term: 1
            }]
        );
    }

    #[test]
    fn astral_first_characters() {
        let terms = ["𝒜𝒝", "𝒜b", "xy"];
        let (ours, theirs) = both(&terms, "a𝒜𝒝 𝒜b xy 𝒜");
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), 3);
    }

    fn html_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("the corpus folder is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                html_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(path);
            }
        }
    }

    /// The whole bundled lexicon over the normalised text of every corpus page (markup
    /// included, so also over URLs, scripts and styles).
    #[test]
    fn the_bundled_lexicon_matches_like_an_automaton_on_the_corpus() {
        let lexicon = crate::lexicon::Lexicon::bundled();
        let terms: Vec<&str> = lexicon.terms().iter().map(|t| t.text.as_str()).collect();
        let ours = TermMatcher::new(terms.iter().copied());
        let theirs = automaton(&terms);
        let mut files = Vec::new();
        html_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
            &mut files,
        );
        assert!(files.len() >= 200, "{} corpus pages", files.len());
        let mut matches = 0;
        for file in files {
            let raw = std::fs::read(&file).expect("a readable corpus page");
            let raw = String::from_utf8_lossy(&raw);
            let text = crate::lexicon::normalise_for_lexicon(&raw);
            let expected: Vec<TermMatch> = theirs
                .find_iter(&text)
                .map(|m| TermMatch {
                    start: m.start(),
                    end: m.end(),
                    term: m.pattern().as_usize(),
                })
                .collect();
            let found: Vec<TermMatch> = ours.find_iter(&text).collect();
            assert_eq!(found, expected, "{}", file.display());
            let marked = normalise_marking_term_starts(&raw, &ours);
            assert_eq!(marked.text, text, "{}", file.display());
            let at_marks: Vec<TermMatch> = ours.find_at(&text, &marked.term_starts).collect();
            assert_eq!(at_marks, expected, "{}", file.display());
            matches += found.len();
        }
        assert!(matches > 1000, "{matches} matches over the corpus");
    }

    proptest::proptest! {
        #[test]
        fn any_text_matches_like_an_automaton(
            text in "(澳|门|新|葡|京|在|线|赌|场|6|合|彩|b|e|t|3|5|a|c| |\\PC){0,40}"
        ) {
            let (ours, theirs) = both(&TERMS, &text);
            proptest::prop_assert_eq!(ours, theirs);
        }

        /// Matching at the starts normalisation marks finds what walking the normalised
        /// text finds, through separators, swaps (菠 菜 → 博彩), numerals and full width.
        #[test]
        fn matching_at_marked_starts_is_matching_everywhere(
            text in "(澳|門|门|新|葡|京|在|线|赌|場|六|合|彩|菠|波|菜|博|ｂ|B|e|t|3|5|a|c| |★|\u{200B}|,|、|\u{FFFD}|\\PC){0,40}"
        ) {
            let terms = ["澳门新葡京", "葡京", "在线赌场", "6合彩", "博彩", "博彩导航", "线博彩", "bet365", "ab", "a c", "c 3"];
            let matcher = TermMatcher::new(terms.iter().copied());
            let normalised = crate::lexicon::normalise_for_lexicon(&text);
            let marked = normalise_marking_term_starts(&text, &matcher);
            proptest::prop_assert_eq!(&marked.text, &normalised);
            let everywhere: Vec<TermMatch> = matcher.find_iter(&normalised).collect();
            let at_marks: Vec<TermMatch> = matcher.find_at(&normalised, &marked.term_starts).collect();
            proptest::prop_assert_eq!(at_marks, everywhere);
        }
    }
}

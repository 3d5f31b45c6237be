//! Gambling, porn and fraud lexicons (`data/lexicon/*.txt`, embedded), matched
//! leftmost-longest over normalised text (`matcher`), and scored per page region:
//! a term in the title weighs four times a term in the body, because hijackers replace the
//! title and meta for spiders (FACTS §7.3 h) while the body often stays the owner's.

mod matcher;
mod normalise;

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Serialize;

use matcher::TermMatcher;

pub use normalise::normalise_for_lexicon;
use normalise::{MarkedText, normalise_parts_into, normalise_parts_marking_term_starts};

use crate::signal::{Region, clip_snippet};

/// Scratch capacity kept between calls: page text is capped at 64 KiB plus a 16 KiB tail.
const MAX_SCRATCH_BYTES: usize = 128 * 1024;

thread_local! {
    /// The buffers of [`Lexicon::with_marked`], kept for their capacity.
    static SCRATCH: RefCell<MarkedText> = RefCell::new(MarkedText::default());
}

/// What a term is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Gambling,
    Porn,
    Fraud,
    /// Words of pages that talk *about* the above (news, police, courts, film reviews):
    /// never hostile, used to dampen.
    Context,
}

impl Category {
    /// The hostile categories (not [`Category::Context`]).
    pub const ALL: [Category; 3] = [Category::Gambling, Category::Porn, Category::Fraud];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Gambling => "gambling",
            Category::Porn => "porn",
            Category::Fraud => "fraud",
            Category::Context => "context",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Weight from which a term alone is strong evidence (a brand or an unambiguous term).
pub const STRONG_WEIGHT: f32 = 4.0;
/// A single term counts at most this many times per scored text, so one repeated word
/// cannot outweigh several distinct ones.
const MAX_HITS_PER_TERM: u32 = 3;
const MAX_SNIPPETS: usize = 5;
const SNIPPET_CONTEXT_CHARS: usize = 24;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// Normalised text of the term.
    pub text: String,
    pub category: Category,
    pub weight: f32,
}

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error(
        "词库 {list} 第 {line} 行格式错误 / lexicon {list} line {line} is malformed: {content:?}（应为「词<TAB>权重」/ expected 'term<TAB>weight'）"
    )]
    Malformed {
        list: &'static str,
        line: usize,
        content: String,
    },
}

/// The compiled lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    terms: Vec<Term>,
    matcher: TermMatcher,
}

const BUNDLED: [(Category, &str); 4] = [
    (
        Category::Gambling,
        include_str!("../../../../data/lexicon/gambling.txt"),
    ),
    (
        Category::Porn,
        include_str!("../../../../data/lexicon/porn.txt"),
    ),
    (
        Category::Fraud,
        include_str!("../../../../data/lexicon/fraud.txt"),
    ),
    (
        Category::Context,
        include_str!("../../../../data/lexicon/context.txt"),
    ),
];

impl Lexicon {
    /// The lexicon shipped in `data/lexicon`.
    pub fn bundled() -> Lexicon {
        Lexicon::from_lists(&BUNDLED)
            .expect("the bundled lexicon is well formed (checked by the lexicon tests)")
    }

    /// Builds a lexicon from `term<TAB>weight` lists; `#` lines are comments. A term listed
    /// twice (also across categories) keeps its first category and its highest weight.
    pub fn from_lists(lists: &[(Category, &str)]) -> Result<Lexicon, LexiconError> {
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let mut terms: Vec<Term> = Vec::new();
        for (category, text) in lists {
            for (number, line) in text.lines().enumerate() {
                let line = line.trim_end();
                if line.trim().is_empty() || line.starts_with('#') {
                    continue;
                }
                let malformed = || LexiconError::Malformed {
                    list: category.as_str(),
                    line: number + 1,
                    content: clip_snippet(line, 60),
                };
                let (term, weight) = line.split_once('\t').ok_or_else(malformed)?;
                let weight: f32 = weight.trim().parse().map_err(|_| malformed())?;
                let normalised = normalise_for_lexicon(term.trim());
                if normalised.chars().count() < 2 || !(0.0..=10.0).contains(&weight) {
                    return Err(malformed());
                }
                match index.get(&normalised) {
                    Some(&at) => terms[at].weight = terms[at].weight.max(weight),
                    None => {
                        index.insert(normalised.clone(), terms.len());
                        terms.push(Term {
                            text: normalised,
                            category: *category,
                            weight,
                        });
                    }
                }
            }
        }
        let matcher = TermMatcher::new(terms.iter().map(|t| t.text.as_str()));
        Ok(Lexicon { terms, matcher })
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The first hostile term found in `text` (normalised here), without scoring: for link texts
    /// and hosts, where only "does it hit, and what" matters.
    pub fn first_hit(&self, text: &str) -> Option<&Term> {
        self.first_hit_in(&[text])
    }

    /// [`Lexicon::first_hit`] of the concatenation of `parts`, without building it (a link's
    /// text and host, once per distinct link of every page).
    pub fn first_hit_in(&self, parts: &[&str]) -> Option<&Term> {
        self.with_marked(parts, |marked| {
            self.matcher
                .find_at(&marked.text, &marked.term_starts)
                .map(|found| (found.start, &self.terms[found.term]))
                .find(|(start, term)| {
                    term.category != Category::Context
                        && ascii_boundary_ok(&marked.text, *start, &term.text)
                })
                .map(|(_, term)| term)
        })
    }

    /// Calls `then` with the concatenation of `parts` normalised and its term starts marked,
    /// in this thread's scratch buffers: texts are normalised ~15 times per page, and
    /// allocating and freeing two buffers each time was a visible cost.
    fn with_marked<T>(&self, parts: &[&str], then: impl FnOnce(&MarkedText) -> T) -> T {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut marked) => {
                normalise_parts_into(parts, &self.matcher, &mut marked);
                let result = then(&marked);
                // Page analysis normalises at most the capped page text; a caller that
                // scores a larger text must not leave that much memory held by the thread.
                if marked.text.capacity() > MAX_SCRATCH_BYTES {
                    *marked = MarkedText::default();
                }
                result
            }
            // Only if `then` normalised again, which it does not.
            Err(_) => then(&normalise_parts_marking_term_starts(parts, &self.matcher)),
        })
    }

    /// Normalises `text` and scores it as found in `region`.
    pub fn score(&self, text: &str, region: Region) -> LexiconScore {
        let mut score = LexiconScore::default();
        self.score_into(text, region, &mut score);
        score
    }

    /// Normalises `text` and scores it as found in `region` into `score` (several regions
    /// add up).
    pub fn score_into(&self, text: &str, region: Region, score: &mut LexiconScore) {
        self.with_marked(&[text], |marked| self.tally(marked, region, score));
    }

    /// Scores the normalised text of `marked` as found in `region` into `score`.
    fn tally(&self, marked: &MarkedText, region: Region, score: &mut LexiconScore) {
        let normalised = marked.text.as_str();
        let region_weight = region_weight(region);
        let mut per_term: BTreeMap<usize, u32> = BTreeMap::new();
        for found in self.matcher.find_at(normalised, &marked.term_starts) {
            let term = &self.terms[found.term];
            if !ascii_boundary_ok(normalised, found.start, &term.text) {
                continue;
            }
            let count = per_term.entry(found.term).or_insert(0);
            *count += 1;
            if *count > MAX_HITS_PER_TERM {
                continue;
            }
            let category = &mut score.categories[term.category.index()];
            let weighted = term.weight * region_weight;
            category.weighted += weighted;
            category.hits += 1;
            if matches!(
                region,
                Region::Title | Region::MetaKeywords | Region::MetaDescription
            ) {
                category.prominent += weighted;
            }
            // Looked up before inserting: the key is a copy of the term, made only once.
            let tally = match category.terms.get_mut(&term.text) {
                Some(tally) => tally,
                None => category
                    .terms
                    .entry(term.text.clone())
                    .or_insert(TermTally {
                        weight: term.weight,
                        hits: 0,
                        regions: Vec::new(),
                    }),
            };
            tally.hits += 1;
            if !tally.regions.contains(&region) {
                tally.regions.push(region);
            }
            if category.snippets.len() < MAX_SNIPPETS && *count == 1 {
                category.snippets.push(Snippet {
                    term: term.text.clone(),
                    region,
                    text: context(normalised, found.start, found.end),
                });
            }
        }
    }
}

/// Pure-letter ASCII terms (bwin, leyu) must start a word, so `abwin` does not match;
/// what follows is free because hosts glue brands to more letters (w88my.com).
fn ascii_boundary_ok(text: &str, start: usize, term: &str) -> bool {
    if !term.bytes().all(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// The match with up to [`SNIPPET_CONTEXT_CHARS`] characters on each side, sliced at their
/// byte offsets (no per-character copies).
fn context(text: &str, start: usize, end: usize) -> String {
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(SNIPPET_CONTEXT_CHARS - 1)
        .map_or(0, |(at, _)| at);
    let to = text[end..]
        .char_indices()
        .nth(SNIPPET_CONTEXT_CHARS)
        .map_or(text.len(), |(at, _)| end + at);
    text[from..to].to_string()
}

/// How much a hit counts in each region (DMoS and SEISE both weigh title/meta most).
pub fn region_weight(region: Region) -> f32 {
    match region {
        Region::Title => 4.0,
        Region::MetaKeywords | Region::MetaDescription => 3.0,
        Region::Link => 1.5,
        _ => 1.0,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermTally {
    pub weight: f32,
    pub hits: u32,
    pub regions: Vec<Region>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub term: String,
    pub region: Region,
    /// The term with some normalised context around it.
    pub text: String,
}

/// The lexicon evidence of one category.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CategoryScore {
    /// Σ term weight × region weight (each term counted at most 3 times per text).
    pub weighted: f32,
    /// The part of `weighted` from the title and meta.
    pub prominent: f32,
    pub hits: u32,
    /// Distinct terms found, with their tallies.
    pub terms: BTreeMap<String, TermTally>,
    pub snippets: Vec<Snippet>,
}

impl CategoryScore {
    pub fn distinct(&self) -> usize {
        self.terms.len()
    }

    /// Distinct terms that mean something alone (weight ≥ 2): ambiguous ones such as 棋牌,
    /// 彩票 or 捕鱼 appear on shops and lottery news and must not add up to a verdict.
    pub fn distinct_meaningful(&self) -> usize {
        self.terms.values().filter(|t| t.weight >= 2.0).count()
    }

    /// Distinct strong terms (brands, unambiguous terms).
    pub fn strong(&self) -> usize {
        self.terms
            .values()
            .filter(|t| t.weight >= STRONG_WEIGHT)
            .count()
    }

    /// Distinct strong terms seen in the title or meta.
    pub fn strong_prominent(&self) -> usize {
        self.terms
            .values()
            .filter(|t| {
                t.weight >= STRONG_WEIGHT
                    && t.regions.iter().any(|r| {
                        matches!(
                            r,
                            Region::Title | Region::MetaKeywords | Region::MetaDescription
                        )
                    })
            })
            .count()
    }
}

/// Lexicon evidence per category.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LexiconScore {
    categories: [CategoryScore; 4],
}

impl LexiconScore {
    pub fn category(&self, category: Category) -> &CategoryScore {
        &self.categories[category.index()]
    }

    /// No hostile term was found (context terms do not count).
    pub fn is_empty(&self) -> bool {
        Category::ALL.iter().all(|c| self.category(*c).hits == 0)
    }

    /// Adds weight to a category without a term (e.g. the extra weight of off-site link text).
    pub fn add_weight(&mut self, category: Category, weight: f32) {
        self.categories[category.index()].weighted += weight;
    }

    /// Total weighted score over all categories.
    pub fn total(&self) -> f32 {
        Category::ALL
            .iter()
            .map(|c| self.category(*c).weighted)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_the_characters_around_a_match() {
        let text = format!("{}赌场{}", "前".repeat(30), "后".repeat(30));
        let start = "前".len() * 30;
        let end = start + "赌场".len();
        let expected = format!(
            "{}赌场{}",
            "前".repeat(SNIPPET_CONTEXT_CHARS),
            "后".repeat(SNIPPET_CONTEXT_CHARS)
        );
        assert_eq!(context(&text, start, end), expected);
        assert_eq!(context("a赌场b", 1, 1 + "赌场".len()), "a赌场b");
    }

    /// Scoring a text larger than any page sample does not leave its buffers on the thread,
    /// and scoring goes on as before after it.
    #[test]
    fn a_large_text_does_not_stay_in_the_scratch() {
        let lexicon = Lexicon::bundled();
        let large = "澳门新葡京 ".repeat(MAX_SCRATCH_BYTES / 8);
        assert!(!lexicon.score(&large, Region::Body).is_empty());
        SCRATCH.with(|scratch| {
            assert!(scratch.borrow().text.capacity() <= MAX_SCRATCH_BYTES);
        });
        assert!(!lexicon.score("澳门新葡京", Region::Title).is_empty());
    }
}

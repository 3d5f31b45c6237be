//! Normalisation applied before any identifier is parsed: footers are copied from HTML,
//! spreadsheets and screenshots, so the same number arrives with full-width characters,
//! `&nbsp;`, zero-width joiners, inner spaces and a zoo of dashes.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// The normalised text and what normalisation had to change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Normalisation {
    pub text: String,
    pub changes: NormalisationChanges,
}

/// What normalisation had to change; each becomes a display warning or note.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NormalisationChanges {
    /// Whitespace (including `&nbsp;` and NBSP) inside the text, not just around it.
    pub inner_whitespace: bool,
    /// Zero-width or other invisible characters removed.
    pub invisible: bool,
    /// NFKC changed something (full-width letters and digits, `：`, `－` …).
    pub compatibility_forms: bool,
    /// A dash variant (— – ‐ −) was replaced by '-'.
    pub dash_variant: bool,
}

/// HTML spellings of the no-break space that survive copy-paste from page sources.
const NBSP_ENTITIES: [&str; 3] = ["&nbsp;", "&#160;", "&#xa0;"];

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

fn is_dash_variant(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'
            ..='\u{2015}'
                | '\u{2043}'
                | '\u{2212}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
    )
}

fn replace_nbsp_entities(input: &str) -> String {
    // Entities are case-insensitive in HTML (&NBSP; is seen in old templates). ASCII
    // lower-casing keeps byte offsets, so positions found in `lower` index `input`.
    let lower = input.to_ascii_lowercase();
    let mut out = String::with_capacity(input.len());
    let mut at = 0;
    while at < input.len() {
        match NBSP_ENTITIES.iter().find(|e| lower[at..].starts_with(**e)) {
            Some(entity) => {
                out.push(' ');
                at += entity.len();
            }
            None => {
                let next = input[at..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&input[at..at + next]);
                at += next;
            }
        }
    }
    out
}

/// Whether normalisation cannot change `input`: printable ASCII other than `&` (which
/// could start an entity) and CJK Unified Ideographs of the basic block. NFKC leaves both
/// alone (no decompositions, and nothing composes with them), and none is whitespace,
/// invisible or a dash variant. This is what nearly every footer number looks like.
fn is_already_normal(input: &str) -> bool {
    // Byte-wise, since this runs on every input: `input` is valid UTF-8, so a lead byte
    // E4–E9 starts a 3-byte character U+4000–U+9FFF, of which E4 needs a second byte
    // of at least B8 to reach U+4E00.
    let bytes = input.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        at += match b {
            b'&' => return false,
            0x21..=0x7E => 1,
            0xE5..=0xE9 => 3,
            0xE4 if bytes.get(at + 1).is_some_and(|b| *b >= 0xB8) => 3,
            _ => return false,
        };
    }
    true
}

pub(crate) fn normalise_detailed(input: &str) -> Normalisation {
    if is_already_normal(input) {
        return Normalisation {
            text: input.to_string(),
            ..Normalisation::default()
        };
    }
    normalise_general(input)
}

fn normalise_general(input: &str) -> Normalisation {
    // Without '&' there is no entity to replace and the text stays as it is.
    let entities_replaced = if input.contains('&') {
        std::borrow::Cow::Owned(replace_nbsp_entities(input))
    } else {
        std::borrow::Cow::Borrowed(input)
    };
    // The quick check answers "already NFKC" for most text without normalising it; only
    // a "no" or "maybe" needs the real NFKC and the comparison.
    let (nfkc, compatibility_forms) =
        if is_nfkc_quick(entities_replaced.chars()) == IsNormalized::Yes {
            (entities_replaced, false)
        } else {
            let nfkc: String = entities_replaced.nfkc().collect();
            // NFKC also turns U+3000 and NBSP into plain spaces; those are reported as
            // whitespace, so compare without it.
            let changed = !nfkc
                .split_whitespace()
                .flat_map(str::chars)
                .eq(entities_replaced.split_whitespace().flat_map(str::chars));
            (std::borrow::Cow::Owned(nfkc), changed)
        };
    strip_after_nfkc(&nfkc, compatibility_forms)
}

/// The last step of normalisation, after NFKC: surrounding whitespace and invisible
/// characters trimmed, inner ones removed, dash variants unified; each noted.
fn strip_after_nfkc(nfkc: &str, compatibility_forms: bool) -> Normalisation {
    let mut result = NormalisationChanges {
        compatibility_forms,
        ..NormalisationChanges::default()
    };
    let trimmed = nfkc.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    let mut text = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if is_invisible(c) {
            result.invisible = true;
        } else if c.is_whitespace() {
            result.inner_whitespace = true;
        } else if is_dash_variant(c) {
            result.dash_variant = true;
            text.push('-');
        } else {
            text.push(c);
        }
    }
    Normalisation {
        text,
        changes: result,
    }
}

/// NFKC (full-width → half-width), `&nbsp;`/NBSP/zero-width characters and all
/// whitespace removed, dash variants (－ — – ‐ −) unified to '-'. Case is kept: each
/// parser decides what case means for its identifier.
pub fn normalise(input: &str) -> String {
    normalise_detailed(input).text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The straightforward normalisation the fast paths must reproduce exactly.
    fn normalise_reference(input: &str) -> Normalisation {
        let entities_replaced = replace_nbsp_entities(input);
        let nfkc: String = entities_replaced.nfkc().collect();
        let without_whitespace = |s: &str| s.split_whitespace().collect::<String>();
        // The step after NFKC did not change; the fast paths are before it.
        strip_after_nfkc(
            &nfkc,
            without_whitespace(&nfkc) != without_whitespace(&entities_replaced),
        )
    }

    /// Pieces of real and mangled footers: ASCII, CJK, full-width forms, entities,
    /// NBSP, U+3000, zero-width characters, dashes, spaces and composing marks.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(vec![
                "京", "ICP", "icp", "备", "号", "公网安备", "-", "1", "2025", "B2", "证", ":",
                "：", "１２", "ＩＣＰ", "&nbsp;", "&NBSP;", "&#160;", "&#xa0;", "&amp;", "&",
                "\u{a0}", "\u{3000}", "\u{200b}", "\u{200d}", "\u{feff}", "—", "–", "‐",
                "−", "﹣", "－", " ", "\t", "e\u{301}", "\u{301}", "ﬁ", "㈱", "①", "\u{F900}",
                "〇", "가", "\u{1100}\u{1161}", "\u{85}", "\u{2028}",
            ])
            .prop_map(String::from),
            2 => "[ -~]{1,6}",
            2 => "[\u{4E00}-\u{9FFF}]{1,3}",
            1 => any::<char>().prop_map(String::from),
        ]
    }

    fn mixed() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..10).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn fast_paths_match_reference(input in mixed()) {
            prop_assert_eq!(normalise_detailed(&input), normalise_reference(&input));
        }

        #[test]
        fn byte_check_is_the_char_rule(input in mixed()) {
            let by_chars = input.chars().all(|c| {
                (c.is_ascii_graphic() && c != '&') || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            });
            prop_assert_eq!(is_already_normal(&input), by_chars);
        }

        #[test]
        fn already_normal_input_is_left_alone(
            input in "[!-%'-~\u{4E00}-\u{9FFF}]{0,24}"
        ) {
            prop_assert!(is_already_normal(&input));
            prop_assert_eq!(normalise_detailed(&input), normalise_reference(&input));
            prop_assert_eq!(normalise_general(&input), normalise_reference(&input));
        }
    }

    #[test]
    fn full_width_and_spaces() {
        assert_eq!(
            normalise("京ＩＣＰ备　１２０２２５５１号"),
            "京ICP备12022551号"
        );
        assert_eq!(normalise(" 京 ICP 备 09031924号 "), "京ICP备09031924号");
        assert_eq!(normalise("京ICP备&nbsp;12022551号"), "京ICP备12022551号");
        assert_eq!(normalise("京ICP备&NBSP;12022551号"), "京ICP备12022551号");
        assert_eq!(
            normalise("京ICP备\u{a0}12022551\u{200b}号"),
            "京ICP备12022551号"
        );
    }

    #[test]
    fn dashes_are_unified() {
        for dash in ["－", "—", "–", "‐", "−", "﹣"] {
            assert_eq!(
                normalise(&format!("京ICP备14016851号{dash}1")),
                "京ICP备14016851号-1"
            );
        }
    }

    #[test]
    fn records_what_changed() {
        let n = normalise_detailed("京ICP备 12022551号");
        assert!(
            n.changes.inner_whitespace && !n.changes.compatibility_forms && !n.changes.invisible
        );
        let n = normalise_detailed("  京ICP备12022551号\u{3000}");
        assert!(
            !n.changes.inner_whitespace,
            "surrounding space is not worth a warning"
        );
        let n = normalise_detailed("京ICP备１２０２２５５１号");
        assert!(n.changes.compatibility_forms);
        let n = normalise_detailed("京ICP备1202\u{200d}2551号");
        assert!(n.changes.invisible);
    }
}

//! What inline scripts put on the page without a JS engine: the markup they
//! `document.write` (hidden link farms are written this way, FACTS §7.3 f) and the titles
//! they assign to `document.title` (the TDK replacement done after load, FACTS §7.1).
//!
//! Only string literals are read (joined with `+`), after the same decoding as the
//! screening (escapes, `unescape`, `atob`, packer), so `'\u6fb3\u95e8…'` reads as 澳门….
//! Anything computed at run time is out of reach, which the screening's other signals cover.

use super::decode::string_literal;
use crate::page::ScriptFact;

/// Markup or titles kept per page, at most.
const MAX_OUTPUTS: usize = 16;
/// Bytes of one written fragment or title, at most.
const MAX_OUTPUT_BYTES: usize = 64 * 1024;
/// Literals joined into one output, at most.
const MAX_PARTS: usize = 256;

/// What the page's inline scripts write and set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptOutputs {
    /// HTML passed to `document.write` / `document.writeln` as literals.
    pub written_html: Vec<String>,
    /// Values assigned to `document.title`.
    pub titles: Vec<String>,
}

/// Reads the literal writes and title assignments of every inline script.
pub fn script_outputs(scripts: &[ScriptFact]) -> ScriptOutputs {
    let mut outputs = ScriptOutputs::default();
    for script in scripts {
        let wanted = Wanted::of(&script.text);
        if wanted.any() {
            collect(
                &super::decoded_text(&script.text).text,
                wanted,
                &mut outputs,
            );
        }
    }
    outputs
}

/// What a script's raw text says is worth reading from its decoded text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Wanted {
    writes: bool,
    titles: bool,
}

impl Wanted {
    /// Cheap prefilter on the raw text; escaped call names are left to the screening.
    pub(super) fn of(raw: &str) -> Wanted {
        // Most inline-script facts are empty (`<script src>`): no searcher for them.
        if raw.is_empty() {
            return Wanted {
                writes: false,
                titles: false,
            };
        }
        Wanted {
            writes: raw.contains("write"),
            titles: raw.contains("title"),
        }
    }

    pub(super) fn any(self) -> bool {
        self.writes || self.titles
    }
}

/// Adds the writes and titles `wanted` from one script's decoded text.
pub(super) fn collect(decoded: &str, wanted: Wanted, outputs: &mut ScriptOutputs) {
    if wanted.writes {
        collect_calls(
            decoded,
            &["document.write(", "document.writeln("],
            |value| {
                if outputs.written_html.len() < MAX_OUTPUTS && value.contains('<') {
                    outputs.written_html.push(value);
                }
            },
        );
    }
    if wanted.titles {
        for (at, _) in decoded.match_indices("document.title").take(MAX_OUTPUTS) {
            let rest = decoded[at + "document.title".len()..].trim_start();
            let Some(rest) = rest.strip_prefix('=').filter(|r| !r.starts_with('=')) else {
                continue;
            };
            if let Some(title) = concatenated_literals(rest)
                && !title.trim().is_empty()
                && outputs.titles.len() < MAX_OUTPUTS
            {
                outputs.titles.push(title);
            }
        }
    }
}

fn collect_calls(text: &str, callees: &[&str], mut found: impl FnMut(String)) {
    for callee in callees {
        for (at, _) in text.match_indices(callee).take(MAX_OUTPUTS) {
            if let Some(value) = concatenated_literals(&text[at + callee.len()..]) {
                found(value);
            }
        }
    }
}

/// `'a' + "b" + 'c'` at the start of `text` (after spaces): the joined value, when it starts
/// with a literal. Stops at the first part that is not a literal.
fn concatenated_literals(text: &str) -> Option<String> {
    let mut rest = text.trim_start();
    let mut value = String::new();
    for _ in 0..MAX_PARTS {
        let Some((part, after)) = string_literal(rest, MAX_OUTPUT_BYTES) else {
            break;
        };
        if value.len() + part.len() > MAX_OUTPUT_BYTES {
            break;
        }
        value.push_str(&part);
        match after.trim_start().strip_prefix('+') {
            Some(next) => rest = next.trim_start(),
            None => break,
        }
    }
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::js::tests::script;

    #[test]
    fn writes_and_titles_are_read_from_literals() {
        let outputs = script_outputs(&[
            script(
                r#"document.write('<div style="display:none">' + "<a href='https://x.example/'>x</a>" + '</div>');"#,
            ),
            script(
                r#"document.title="\u6fb3\u95e8"+'\u5a31\u4e50'; if (document.title == 'a') {}"#,
            ),
            script("document.write(html); document.title = name;"),
        ]);
        assert_eq!(
            outputs.written_html,
            vec![r#"<div style="display:none"><a href='https://x.example/'>x</a></div>"#]
        );
        assert_eq!(outputs.titles, vec!["澳门娱乐"]);
    }
}

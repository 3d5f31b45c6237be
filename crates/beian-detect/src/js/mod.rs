//! Static screening of page scripts (FACTS §7.3 a, c, d, e): decode first, then look for
//! the hijack catalogue — a search-referrer test that sends visitors off-site, off-site
//! `location` writes, `document.write` of scripts and overlay iframes, spider/mobile UA
//! tests and obfuscator markers.
//!
//! No single marker is a verdict: a Referer regex that sends mobile visitors to the site's own
//! `m.` host is what jb51-style sites do legitimately, and `hm.baidu.com` analytics are on
//! countless clean pages. Confidence comes from combinations, above all an off-site target.

pub mod decode;
mod features;
mod outputs;

use std::borrow::Cow;

use crate::page::ScriptFact;
use crate::page::text::clip_bytes as clip;
use crate::signal::Signal;

pub use features::{ScriptFeatures, Target};
pub use outputs::{ScriptOutputs, script_outputs};

/// Source text beyond this many bytes is not screened (D1's page facts already clip inline
/// scripts to 256 KiB; this bounds direct callers).
pub const MAX_SCRIPT_BYTES: usize = 1024 * 1024;
/// Decoding goes at most this deep (a packer inside a packer, then stop).
pub const MAX_DECODE_LEVELS: usize = 2;
/// Evidence items kept per signal when several scripts agree.
const MAX_EVIDENCE: usize = 5;

/// What screening one script found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScriptScreen {
    pub signals: Vec<Signal>,
    /// Absolute URLs the script navigates to or writes into the page, after decoding.
    pub decoded_targets: Vec<String>,
}

/// Screens one script's source; `owner_domain` is the site's registrable domain (or any of
/// its hosts) and decides what is off-site.
pub fn screen_script(source: &str, owner_domain: Option<&str>) -> ScriptScreen {
    screen_decoded(&decoded_text(source), owner_domain)
}

fn screen_decoded(text: &DecodedText, owner_domain: Option<&str>) -> ScriptScreen {
    let features = features::extract(&text.text, &text.markers, owner_domain);
    ScriptScreen {
        signals: features::signals(&features),
        decoded_targets: features.targets.iter().map(|t| t.url.clone()).collect(),
    }
}

/// Screens the inline scripts of a page and merges what they found: one signal per kind,
/// the most confident one, with evidence from up to five scripts.
pub fn screen_scripts(scripts: &[ScriptFact], owner_domain: Option<&str>) -> Vec<Signal> {
    let mut merged: Vec<Signal> = Vec::new();
    for script in scripts.iter().filter(|s| is_screened(s)) {
        merge(
            &mut merged,
            screen_script(&script.text, owner_domain).signals,
        );
    }
    merged
}

/// [`script_outputs`] and [`screen_scripts`] of the same scripts, each script decoded once
/// for both (decoding is most of what either costs).
pub fn outputs_and_signals(
    scripts: &[ScriptFact],
    owner_domain: Option<&str>,
) -> (ScriptOutputs, Vec<Signal>) {
    let mut outputs = ScriptOutputs::default();
    let mut merged: Vec<Signal> = Vec::new();
    for script in scripts {
        let wanted = outputs::Wanted::of(&script.text);
        let screened = is_screened(script);
        if !(screened || wanted.any()) {
            continue;
        }
        let text = decoded_text(&script.text);
        outputs::collect(&text.text, wanted, &mut outputs);
        if screened {
            merge(&mut merged, screen_decoded(&text, owner_domain).signals);
        }
    }
    (outputs, merged)
}

fn is_screened(script: &ScriptFact) -> bool {
    !script.text.trim().is_empty()
}

/// Adds one script's signals to the page's: one signal per kind, the most confident one,
/// with evidence from up to five scripts.
fn merge(merged: &mut Vec<Signal>, signals: Vec<Signal>) {
    for signal in signals {
        match merged.iter_mut().find(|m| m.kind == signal.kind) {
            Some(existing) => {
                let room = MAX_EVIDENCE.saturating_sub(existing.evidence.len());
                let more: Vec<_> = signal.evidence.iter().take(room).cloned().collect();
                if signal.confidence > existing.confidence {
                    let mut evidence = signal.evidence.clone();
                    evidence.append(&mut existing.evidence);
                    evidence.truncate(MAX_EVIDENCE);
                    *existing = Signal { evidence, ..signal };
                } else {
                    existing.evidence.extend(more);
                }
            }
            None => merged.push(signal),
        }
    }
}

/// Whether a signal came from script screening (so callers do not screen twice).
pub fn is_script_signal(signal: &Signal) -> bool {
    features::SIGNAL_KINDS.contains(&signal.kind.as_str())
}

/// The script with every decodable layer appended (bounded), and the obfuscation seen.
struct DecodedText {
    text: String,
    markers: features::DecodeMarkers,
}

fn decoded_text(source: &str) -> DecodedText {
    let source = clip(source, MAX_SCRIPT_BYTES);
    let mut markers = features::DecodeMarkers {
        source_bytes: source.len(),
        ..features::DecodeMarkers::default()
    };
    let mut text = String::new();
    let mut pending = Cow::Borrowed(source);
    for _ in 0..MAX_DECODE_LEVELS {
        let level = decode::decode_level(&pending);
        markers.add(&level);
        push_capped(&mut text, &level.unescaped);
        if level.fragments.is_empty() {
            pending = Cow::Borrowed("");
            break;
        }
        pending = Cow::Owned(level.fragments.join("\n"));
    }
    // The last level's fragments are read as they are (no further decoding).
    push_capped(&mut text, &pending);
    DecodedText { text, markers }
}

fn push_capped(text: &mut String, more: &str) {
    let room = decode::MAX_DECODED_BYTES.saturating_sub(text.len());
    if room == 0 || more.is_empty() {
        return;
    }
    text.push_str(clip(more, room));
    text.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An inline script fact of `text` (shared with the outputs tests).
    pub(super) fn script(text: &str) -> ScriptFact {
        ScriptFact {
            src: None,
            text: text.to_string(),
            text_bytes: text.len(),
        }
    }

    #[test]
    fn one_decode_gives_what_the_two_passes_give() {
        let scripts = [
            script(""),
            script("  \n"),
            script(
                r#"if (/baidu|sogou/.test(document.referrer)) { location.href = "https://bet.example/"; }"#,
            ),
            script(
                r#"document.write('<iframe src="https://x.example/" style="width:100%;height:100%;z-index:999999">');"#,
            ),
            script(
                r#"document.title = '\u6fb3\u95e8' + "x"; eval(unescape('%64ocument.write(1)'));"#,
            ),
        ];
        let (outputs, signals) = outputs_and_signals(&scripts, Some("owner.example"));
        assert_eq!(outputs, script_outputs(&scripts));
        assert_eq!(signals, screen_scripts(&scripts, Some("owner.example")));
        assert!(!signals.is_empty());
        assert_eq!(outputs.titles, vec!["澳门x"]);
    }
}

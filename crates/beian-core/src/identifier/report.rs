//! Building a [`Validation`]: issues with bilingual messages, parts, and the display
//! notes that normalisation produces. Every parser goes through these helpers so the
//! wording and the codes stay uniform.

use super::normalise::{Normalisation, NormalisationChanges, normalise_detailed};
use super::{IdentifierKind, Issue, IssueSeverity, Part, Validation};

/// "中文 / English": the project's convention for user-facing text.
pub(crate) fn bilingual(zh: impl AsRef<str>, en: impl AsRef<str>) -> String {
    format!("{} / {}", zh.as_ref(), en.as_ref())
}

/// Room for the parts of any identifier (USCC and PSB numbers have 8), reserved at the
/// first part so a parsed number costs one allocation for its list, not two or three.
const PARTS_CAPACITY: usize = 8;

impl Validation {
    /// A blank result for `input`: normalised, nothing recognised yet.
    pub(crate) fn begin(input: &str) -> (Validation, NormalisationChanges) {
        // The normalised text moves into the result; the changes go to
        // `report_normalisation`.
        let Normalisation { text, changes } = normalise_detailed(input);
        let validation = Validation {
            input: input.to_string(),
            normalised: text,
            kind: None,
            canonical: None,
            parts: Vec::new(),
            legacy: false,
            issues: Vec::new(),
        };
        (validation, changes)
    }

    pub(crate) fn push_issue(
        &mut self,
        severity: IssueSeverity,
        code: &'static str,
        message: String,
        hint: Option<String>,
    ) {
        self.issues.push(Issue {
            severity,
            code,
            message,
            hint,
        });
    }

    pub(crate) fn error(&mut self, code: &'static str, message: String, hint: Option<String>) {
        self.push_issue(IssueSeverity::Error, code, message, hint);
    }

    pub(crate) fn warn(&mut self, code: &'static str, message: String, hint: Option<String>) {
        self.push_issue(IssueSeverity::Warning, code, message, hint);
    }

    pub(crate) fn note(&mut self, code: &'static str, message: String) {
        self.push_issue(IssueSeverity::Info, code, message, None);
    }

    pub(crate) fn add_part(&mut self, name: &'static str, value: impl Into<String>) {
        if self.parts.capacity() == 0 {
            self.parts.reserve_exact(PARTS_CAPACITY);
        }
        self.parts.push(Part {
            name,
            value: value.into(),
        });
    }

    pub(crate) fn recognise(&mut self, kind: IdentifierKind) {
        self.kind = Some(kind);
    }

    /// True when an issue with this code was raised (any severity).
    pub fn has_issue(&self, code: &str) -> bool {
        self.issues.iter().any(|i| i.code == code)
    }

    /// The issue codes in the order they were raised.
    pub fn issue_codes(&self) -> Vec<&'static str> {
        self.issues.iter().map(|i| i.code).collect()
    }

    /// Turns what normalisation changed into display notes: inner spaces and invisible
    /// characters are warnings (they break copy-paste and search), full-width forms a note.
    pub(crate) fn report_normalisation(&mut self, n: &NormalisationChanges) {
        if n.inner_whitespace {
            self.warn(
                "whitespace",
                bilingual(
                    format!("「{}」中含有空格（已去除）", self.input.trim()),
                    "inner spaces removed",
                ),
                Some(bilingual(
                    "展示时去掉空格",
                    "show the number without spaces",
                )),
            );
        }
        if n.invisible {
            self.warn(
                "invisible_characters",
                bilingual(
                    "含有零宽或不可见字符（已去除）",
                    "zero-width/invisible characters removed",
                ),
                Some(bilingual(
                    "重新输入该号码，不要从网页复制",
                    "retype the number instead of copying it from a page",
                )),
            );
        }
        if n.compatibility_forms {
            self.note(
                "full_width",
                bilingual(
                    "全角字符已转换为半角",
                    "full-width characters converted to half-width",
                ),
            );
        }
        if n.dash_variant {
            self.note(
                "dash_variant",
                bilingual("破折号已统一为 '-'", "dash variants unified to '-'"),
            );
        }
    }
}

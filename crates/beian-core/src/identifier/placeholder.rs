//! Placeholder detection (FACTS §1.5 V4): template numbers such as 00000000, 12345678,
//! 66666666666666, 2025000001 or 2025XXXXXXXX match the grammar but are not real.

/// Why a digit string looks like a template rather than an issued number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placeholder {
    /// X, x or * where digits belong (2025XXXXXXXX, 川B2-2025XXXX).
    Masked,
    /// Every digit the same (00000000, 66666666666666, 1111111).
    Repeated,
    /// A run of consecutive digits (12345678, 1234567).
    Sequential,
    /// Zeros between the first and the last digit (1000001, 20000000).
    HollowZeros,
    /// The serial after the year is 000000 or 000001 (2025000001, 2026000000).
    EmptySerial,
    /// The serial after the year counts up from 1 (2023001234): only suspicious.
    CountingSerial,
}

impl Placeholder {
    /// Counting serials occur in real life too, so they only warn (FACTS Appendix A:
    /// "湘ICP备2023001234号-1 — looks like a placeholder: warn").
    pub(crate) fn is_certain(self) -> bool {
        !matches!(self, Placeholder::CountingSerial)
    }

    pub(crate) fn describe(self) -> (&'static str, &'static str) {
        match self {
            Placeholder::Masked => ("用 X 或 * 代替了数字", "X or * in place of digits"),
            Placeholder::Repeated => ("所有数字相同", "every digit is the same"),
            Placeholder::Sequential => ("数字是连续序列", "the digits are a consecutive run"),
            Placeholder::HollowZeros => (
                "首尾之间全是 0",
                "all zeros between the first and last digit",
            ),
            Placeholder::EmptySerial => (
                "年份后的序号为空（全 0 或 000001）",
                "empty serial after the year",
            ),
            Placeholder::CountingSerial => (
                "序号像是从 1 递增的示例",
                "serial counts up like an example",
            ),
        }
    }
}

fn is_run(digits: &[u8]) -> bool {
    let step_up = digits.windows(2).all(|w| w[1] == w[0] + 1);
    let step_down = digits.windows(2).all(|w| w[0] == w[1] + 1);
    step_up || step_down
}

/// Checks a whole digit string (the part after 备/证/公网安备 or after the licence
/// categories). Short strings are never judged: real serials can be anything.
///
/// Works on the ASCII bytes directly (no digit vector): the masking characters are
/// ASCII, so a byte test finds exactly the chars X, x and * that a char test finds, and "every byte is a
/// digit" is what "as many digits as bytes" meant. Runs and repeats compare neighbours,
/// which the `b'0'` offset does not change.
pub(crate) fn whole(text: &str) -> Option<Placeholder> {
    let bytes = text.as_bytes();
    if bytes.iter().any(|b| matches!(b, b'X' | b'x' | b'*')) {
        return Some(Placeholder::Masked);
    }
    if bytes.len() < 6 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.iter().all(|d| *d == bytes[0]) {
        return Some(Placeholder::Repeated);
    }
    if is_run(bytes) {
        return Some(Placeholder::Sequential);
    }
    if bytes[1..bytes.len() - 1].iter().all(|d| *d == b'0') {
        return Some(Placeholder::HollowZeros);
    }
    None
}

/// Checks the serial that follows a year (6 digits in ICP numbers, 6 in PSB numbers,
/// 4 in licences).
pub(crate) fn serial(text: &str) -> Option<Placeholder> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = text.trim_start_matches('0');
    if significant.is_empty() || (significant == "1" && text.len() >= 6) {
        return Some(Placeholder::EmptySerial);
    }
    // ASCII digits step exactly as their values do, so the bytes serve as digits.
    let digits = significant.as_bytes();
    if digits.len() >= 4 && digits[0] == b'1' && is_run(digits) {
        return Some(Placeholder::CountingSerial);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The allocating originals, kept to check that the byte versions answer the same.
    mod original {
        use super::super::{Placeholder, is_run};

        fn is_masking(c: char) -> bool {
            matches!(c, 'X' | 'x' | '*')
        }

        pub fn whole(text: &str) -> Option<Placeholder> {
            if text.chars().any(is_masking) {
                return Some(Placeholder::Masked);
            }
            let digits: Vec<u8> = text
                .bytes()
                .filter(u8::is_ascii_digit)
                .map(|b| b - b'0')
                .collect();
            if digits.len() < 6 || digits.len() != text.len() {
                return None;
            }
            if digits.iter().all(|d| *d == digits[0]) {
                return Some(Placeholder::Repeated);
            }
            if is_run(&digits) {
                return Some(Placeholder::Sequential);
            }
            if digits[1..digits.len() - 1].iter().all(|d| *d == 0) {
                return Some(Placeholder::HollowZeros);
            }
            None
        }

        pub fn serial(text: &str) -> Option<Placeholder> {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let significant = text.trim_start_matches('0');
            if significant.is_empty() || (significant == "1" && text.len() >= 6) {
                return Some(Placeholder::EmptySerial);
            }
            let digits: Vec<u8> = significant.bytes().map(|b| b - b'0').collect();
            if digits.len() >= 4 && digits[0] == 1 && is_run(&digits) {
                return Some(Placeholder::CountingSerial);
            }
            None
        }
    }

    /// Digit strings that hit every finding: repeats, runs both ways, hollow zeros,
    /// counting serials, with masking characters and non-digits mixed in.
    fn digitish() -> impl Strategy<Value = String> {
        prop_oneof![
            2 => "[0-9]{0,16}",
            2 => "0{0,6}1?2?3?4?5?6?7?8?9?",
            1 => "9?8?7?6?5?4?3?2?1?0?",
            1 => "[1-9]0{0,12}[0-9]",
            1 => "(0{1,14}|1{1,14}|6{1,14}|9{1,14})",
            1 => "[0-9Xx*号A京-]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn byte_versions_answer_as_the_originals(text in digitish()) {
            prop_assert_eq!(whole(&text), original::whole(&text));
            prop_assert_eq!(serial(&text), original::serial(&text));
        }
    }

    #[test]
    fn byte_versions_agree_on_every_short_digit_string() {
        // Exhaustive up to 6 digits (every 6-digit repeat, run and hollow form included).
        for len in 0..=6u32 {
            for n in 0..10u32.pow(len) {
                let text = format!("{n:0width$}", width = len as usize);
                assert_eq!(whole(&text), original::whole(&text), "{text}");
                assert_eq!(serial(&text), original::serial(&text), "{text}");
            }
        }
    }

    #[test]
    fn facts_placeholders() {
        assert_eq!(whole("00000000"), Some(Placeholder::Repeated));
        assert_eq!(whole("12345678"), Some(Placeholder::Sequential));
        assert_eq!(whole("1234567"), Some(Placeholder::Sequential));
        assert_eq!(whole("66666666666666"), Some(Placeholder::Repeated));
        assert_eq!(whole("1000001"), Some(Placeholder::HollowZeros));
        assert_eq!(whole("20000000"), Some(Placeholder::HollowZeros));
        assert_eq!(whole("2025XXXXXXXX"), Some(Placeholder::Masked));
        assert_eq!(serial("000001"), Some(Placeholder::EmptySerial));
        assert_eq!(serial("000000"), Some(Placeholder::EmptySerial));
        assert_eq!(serial("0000"), Some(Placeholder::EmptySerial));
        assert_eq!(serial("001234"), Some(Placeholder::CountingSerial));
        assert!(!Placeholder::CountingSerial.is_certain());
    }

    #[test]
    fn real_numbers_are_not_placeholders() {
        for real in [
            "09041801",
            "20006012",
            "2020003856",
            "12003586",
            "030173",
            "44030002017573",
            "04100000",
        ] {
            assert_eq!(whole(real), None, "{real}");
        }
        for real in ["003856", "006012", "0039", "000173", "026116"] {
            assert_eq!(serial(real), None, "{real}");
        }
    }
}

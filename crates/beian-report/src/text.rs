//! Escaping and formatting shared by the writers. Page titles, WHOIS fields and site names
//! come from strangers: everything that goes into XML or HTML passes through [`escape`].

use chrono::{DateTime, NaiveDate, Utc};

/// Escapes text for XML and HTML element content and quoted attribute values, and replaces
/// characters XML 1.0 cannot carry (NUL and the other C0 controls but tab and newlines,
/// lone surrogates cannot occur in `str`, U+FFFE/U+FFFF) with U+FFFD, so a hostile title can
/// neither inject markup nor make the file unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if is_xml_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// `2026-05-01`, or `-` when unknown.
pub fn date(value: Option<NaiveDate>) -> String {
    value.map_or_else(|| "-".to_owned(), |d| d.format("%Y-%m-%d").to_string())
}

/// `2026-05-01 08:30 UTC`: minutes are enough for people, the JSON keeps the rest.
pub fn timestamp(value: DateTime<Utc>) -> String {
    value.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2026年5月1日`, as Chinese forms write dates.
pub fn date_zh(value: NaiveDate) -> String {
    value.format("%Y年%-m月%-d日").to_string()
}

/// Text for a cell that may be empty: `-` keeps an empty field visibly empty.
pub fn or_dash(value: &str) -> String {
    if value.trim().is_empty() {
        "-".to_owned()
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            escape("<script>alert('x')</script>&\"\u{0}\u{7}\n"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\u{FFFD}\u{FFFD}\n"
        );
        assert_eq!(escape("京ICP备12345678号-1"), "京ICP备12345678号-1");
    }

    #[test]
    fn dates_render_in_both_styles() {
        let day = NaiveDate::from_ymd_opt(2026, 5, 1).expect("valid date");
        assert_eq!(date(Some(day)), "2026-05-01");
        assert_eq!(date(None), "-");
        assert_eq!(date_zh(day), "2026年5月1日");
    }
}

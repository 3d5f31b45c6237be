//! Line breaking: Chinese breaks between any two characters, Latin text at spaces, and a
//! run longer than the line (a URL, a 64-digit hash) between characters. Closing
//! punctuation stays with the character before it (no line starts with `，` or `）`).

/// Breaks `text` into lines no wider than `max_width` (in em, as `width` measures), honouring
/// `\n`. Always returns at least one line.
pub fn wrap(text: &str, max_width: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.replace('\t', "    ");
        wrap_paragraph(paragraph.trim_end(), max_width, width, &mut lines);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn wrap_paragraph(text: &str, max_width: f32, width: &dyn Fn(&str) -> f32, out: &mut Vec<String>) {
    let mut line = String::new();
    for segment in segments(text) {
        let candidate = format!("{line}{segment}");
        if width(candidate.trim_end()) <= max_width {
            line = candidate;
            continue;
        }
        if !line.trim().is_empty() {
            out.push(line.trim_end().to_owned());
        }
        line = String::new();
        // A segment wider than a whole line is broken between characters.
        let segment = segment.trim_start();
        if width(segment.trim_end()) <= max_width {
            line.push_str(segment);
            continue;
        }
        for c in segment.chars() {
            let candidate = format!("{line}{c}");
            if !line.is_empty() && width(candidate.trim_end()) > max_width {
                out.push(line.trim_end().to_owned());
                line = c.to_string();
            } else {
                line = candidate;
            }
        }
    }
    out.push(line.trim_end().to_owned());
}

/// Unbreakable pieces: one CJK character (with closing punctuation that follows it), or a
/// run of other characters with the spaces after it.
fn segments(text: &str) -> Vec<String> {
    let mut segments: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_is_run = false;
    for c in text.chars() {
        if is_no_break_before(c) {
            // Attach to whatever came before, CJK or Latin.
            current.push(c);
            continue;
        }
        if is_cjk(c) {
            if !current.is_empty() {
                segments.push(std::mem::take(&mut current));
            }
            current.push(c);
            current_is_run = false;
        } else if c == ' ' {
            current.push(c);
            // A space ends a run: the next character starts a new segment.
            current_is_run = false;
            segments.push(std::mem::take(&mut current));
        } else {
            if !current_is_run && !current.is_empty() {
                segments.push(std::mem::take(&mut current));
            }
            current.push(c);
            current_is_run = true;
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// Ideographs, kana, hangul, CJK punctuation and full-width forms: each may start a line.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF
        | 0x3200..=0x4DBF | 0x4E00..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Punctuation that must not begin a line.
fn is_no_break_before(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '】'
            | '》'
            | '〉'
            | '”'
            | '’'
            | '…'
            | '%'
            | ')'
            | ']'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One em per CJK character, half an em per other character.
    fn width(text: &str) -> f32 {
        text.chars()
            .map(|c| if is_cjk(c) { 1.0 } else { 0.5 })
            .sum()
    }

    #[test]
    fn chinese_breaks_anywhere_but_before_closing_punctuation() {
        let lines = wrap("申请注销网站备案，谢谢。", 4.0, &width);
        assert_eq!(
            lines,
            ["申请注销", "网站备", "案，谢", "谢。"].map(String::from)
        );
        assert!(lines.iter().all(|l| !l.starts_with('，')));
    }

    #[test]
    fn latin_breaks_at_spaces_and_long_runs_between_characters() {
        let lines = wrap("hash 0123456789abcdef end", 4.0, &width);
        assert_eq!(
            lines,
            ["hash", "01234567", "89abcdef", "end"].map(String::from)
        );
    }

    #[test]
    fn newlines_force_breaks_and_empty_text_gives_one_line() {
        assert_eq!(
            wrap("a\n\nb", 10.0, &width),
            ["a", "", "b"].map(String::from)
        );
        assert_eq!(wrap("", 10.0, &width), [String::new()]);
    }

    #[test]
    fn every_line_fits_unless_one_character_is_wider_than_the_line() {
        let text =
            "京ICP备2021034567号-1 https://www.example.com/a/very/long/path 域名 yunshan-tech.com";
        for max in [3.0_f32, 5.0, 9.0, 20.0] {
            for line in wrap(text, max, &width) {
                assert!(width(&line) <= max, "{line:?} wider than {max}");
            }
        }
    }
}

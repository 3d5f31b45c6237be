//! A tolerant scanner for `<meta …>` tags: just enough HTML to find a declared charset and a
//! meta refresh. Attacker-controlled input: linear time, no allocation beyond the attributes.

/// One `<meta>` tag's attributes, names lowercased, values as written (entity-free).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct MetaTag {
    attributes: Vec<(String, String)>,
}

impl MetaTag {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Every `<meta>` tag in `html`, in document order.
pub(crate) fn meta_tags(html: &str) -> Vec<MetaTag> {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `html` too.
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<meta") {
        let start = from + found + "<meta".len();
        let is_meta_tag = bytes
            .get(start)
            .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>');
        if !is_meta_tag {
            from = start;
            continue;
        }
        let (tag, end) = parse_attributes(html, start);
        tags.push(tag);
        from = end.max(start);
    }
    tags
}

/// Parses attributes from `start` up to the closing `>`; returns the tag and where it ended.
fn parse_attributes(html: &str, start: usize) -> (MetaTag, usize) {
    let bytes = html.as_bytes();
    let mut tag = MetaTag::default();
    let mut at = start;
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= bytes.len() || bytes[at] == b'>' {
            return (tag, at);
        }
        let name_start = at;
        while at < bytes.len()
            && !bytes[at].is_ascii_whitespace()
            && !matches!(bytes[at], b'=' | b'>' | b'/')
        {
            at += 1;
        }
        let name = html[name_start..at].to_ascii_lowercase();
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let mut value = String::new();
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            match bytes.get(at) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let value_start = at + 1;
                    let value_end = html[value_start..]
                        .find(quote as char)
                        .map_or(bytes.len(), |offset| value_start + offset);
                    value = html[value_start..value_end].to_owned();
                    at = (value_end + 1).min(bytes.len());
                }
                _ => {
                    let value_start = at;
                    while at < bytes.len() && !bytes[at].is_ascii_whitespace() && bytes[at] != b'>'
                    {
                        at += 1;
                    }
                    value = html[value_start..at].to_owned();
                }
            }
        }
        if !name.is_empty() {
            tag.attributes.push((name, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attributes_in_all_quoting_styles() {
        let html = r#"<html><head><META Charset=gbk><meta http-equiv='Refresh' content="0; url=/x">
            <metadata x=1><meta name=a content=b/></head>"#;
        let tags = meta_tags(html);
        assert_eq!(tags.len(), 3);
        assert_eq!(tags[0].get("charset"), Some("gbk"));
        assert_eq!(tags[1].get("http-equiv"), Some("Refresh"));
        assert_eq!(tags[1].get("content"), Some("0; url=/x"));
        assert_eq!(tags[2].get("content"), Some("b/"));
    }

    #[test]
    fn unterminated_tags_do_not_panic() {
        for html in [
            "<meta",
            "<meta charset=\"",
            "<meta a= ",
            "<meta \u{4e2d}=\u{6587}",
        ] {
            let _ = meta_tags(html);
        }
    }
}

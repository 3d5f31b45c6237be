//! Which character set a page is in, and its decoded text. Chinese sites still serve GBK and
//! GB18030, often declared only in a `<meta>` tag or not at all.

use encoding_rs::{Encoding, UTF_8};
use serde::{Deserialize, Serialize};

use super::html_meta::meta_tags;

/// How far into a body a `<meta charset>` is looked for (HTML sniffs 1024 bytes; real pages
/// put long comments and scripts first, so a little more).
const META_SCAN_BYTES: usize = 4 * 1024;

/// Where the charset of a decoded body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    Header,
    Bom,
    Meta,
    Detected,
    Default,
}

/// A body decoded to text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedBody {
    pub text: String,
    /// The WHATWG name of the encoding used (e.g. "GBK", "gb18030", "UTF-8").
    pub charset: &'static str,
    pub source: CharsetSource,
}

/// Decodes `body` the way a browser would: a byte-order mark first (it overrides a header, as in
/// the WHATWG encoding standard), then the Content-Type header's charset, then a `<meta>`
/// declaration, then a statistical guess (chardetng, hinted by the host's TLD).
pub fn decode_body(body: &[u8], content_type: Option<&str>, tld: Option<&str>) -> DecodedBody {
    let (encoding, source) = choose_encoding(body, content_type, tld);
    // `decode` strips a BOM that matches and replaces malformed sequences (a truncated body ends
    // mid-character) with U+FFFD; it never fails.
    let (text, _, _) = encoding.decode(body);
    DecodedBody {
        text: text.into_owned(),
        charset: encoding.name(),
        source,
    }
}

fn choose_encoding(
    body: &[u8],
    content_type: Option<&str>,
    tld: Option<&str>,
) -> (&'static Encoding, CharsetSource) {
    if let Some((encoding, _)) = Encoding::for_bom(body) {
        return (encoding, CharsetSource::Bom);
    }
    if let Some(encoding) = content_type.and_then(header_charset) {
        return (encoding, CharsetSource::Header);
    }
    if let Some(encoding) = meta_charset(&body[..body.len().min(META_SCAN_BYTES)]) {
        return (encoding, CharsetSource::Meta);
    }
    if body.is_empty() {
        return (UTF_8, CharsetSource::Default);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(body, true);
    let tld_hint = tld.map(str::as_bytes).filter(|t| t.is_ascii());
    (
        detector.guess(tld_hint, chardetng::Utf8Detection::Allow),
        CharsetSource::Detected,
    )
}

/// The encoding named by a `charset=` parameter of a Content-Type value.
pub fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let label = value.trim().trim_matches(|c| c == '"' || c == '\'');
        Encoding::for_label(label.as_bytes())
    })
}

/// The encoding declared by `<meta charset>` or `<meta http-equiv=content-type>`.
fn meta_charset(prefix: &[u8]) -> Option<&'static Encoding> {
    // The declaration itself is ASCII in every ASCII-compatible encoding.
    let text = String::from_utf8_lossy(prefix);
    let encoding = meta_tags(&text).into_iter().find_map(|tag| {
        if let Some(label) = tag.get("charset") {
            return Encoding::for_label(label.trim().as_bytes());
        }
        let is_content_type = tag
            .get("http-equiv")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("content-type"));
        if is_content_type {
            tag.get("content").and_then(header_charset)
        } else {
            None
        }
    })?;
    // A page that reached here has no UTF-16 BOM, so a UTF-16 declaration is false (HTML spec).
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        Some(UTF_8)
    } else {
        Some(encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHINESE: &str = "欢迎访问本站：工业和信息化部备案管理系统，京ICP备12345678号-1。";

    #[test]
    fn header_charset_decodes_gbk() {
        let (bytes, _, _) = encoding_rs::GBK.encode(CHINESE);
        let decoded = decode_body(&bytes, Some("text/html; charset=GBK"), None);
        assert_eq!(decoded.text, CHINESE);
        assert_eq!(decoded.source, CharsetSource::Header);
    }

    #[test]
    fn bom_wins_over_header() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(CHINESE.as_bytes());
        let decoded = decode_body(&bytes, Some("text/html; charset=gbk"), None);
        assert_eq!(decoded.text, CHINESE);
        assert_eq!(decoded.source, CharsetSource::Bom);
    }

    #[test]
    fn meta_http_equiv_charset_is_read() {
        let html = format!(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
             </head><body>{CHINESE}</body></html>"
        );
        let (bytes, _, _) = encoding_rs::GBK.encode(&html);
        let decoded = decode_body(&bytes, Some("text/html"), None);
        assert_eq!(decoded.source, CharsetSource::Meta);
        assert!(decoded.text.contains(CHINESE));
    }

    #[test]
    fn empty_body_defaults_to_utf8() {
        let decoded = decode_body(b"", None, None);
        assert_eq!(decoded.source, CharsetSource::Default);
        assert_eq!(decoded.charset, "UTF-8");
    }
}

//! Where a response sends the client next: an HTTP `Location`, a `Refresh` header, or a
//! `<meta http-equiv="refresh">` in the page. Hijacked sites use all three.

use url::Url;

use super::html_meta::meta_tags;

/// How much of a decoded page is searched for a meta refresh.
pub(crate) const META_REFRESH_SCAN_CHARS: usize = 64 * 1024;

/// The URL in a refresh instruction (`"0; url=/next"`, `"5;URL='x'"`, `"0,url=x"`), if any.
/// A refresh without a URL only reloads the page and is not a redirect.
pub(crate) fn refresh_target(content: &str) -> Option<String> {
    let rest = content.trim_start();
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix(';')
        .or_else(|| rest.strip_prefix(','))?
        .trim_start();
    let rest = match rest.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("url") => {
            let after = rest[3..].trim_start();
            after.strip_prefix('=').map_or(rest, str::trim_start)
        }
        _ => rest,
    };
    let target = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let inner = &rest[1..];
            inner.find(quote).map_or(inner, |end| &inner[..end])
        }
        _ => rest,
    };
    let target = target.trim();
    (!target.is_empty()).then(|| target.to_owned())
}

/// The target of the first `<meta http-equiv="refresh">` in the start of `page`.
pub(crate) fn meta_refresh(page: &str) -> Option<String> {
    let end = page
        .char_indices()
        .nth(META_REFRESH_SCAN_CHARS)
        .map_or(page.len(), |(index, _)| index);
    meta_tags(&page[..end]).into_iter().find_map(|tag| {
        let is_refresh = tag
            .get("http-equiv")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"));
        if is_refresh {
            tag.get("content").and_then(refresh_target)
        } else {
            None
        }
    })
}

/// Why a redirect target cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UnfollowableTarget {
    Unparsable(String),
    Scheme(String),
}

impl UnfollowableTarget {
    pub(crate) fn detail(&self, target: &str) -> String {
        match self {
            UnfollowableTarget::Unparsable(error) => format!(
                "跳转目标 {target:?} 不是有效 URL / redirect target {target:?} is not a URL: {error}"
            ),
            UnfollowableTarget::Scheme(scheme) => format!(
                "跳转目标 {target:?} 的协议 {scheme} 不是 http(s)，不跟随 / \
                 redirect target {target:?} uses {scheme}, only http and https are followed"
            ),
        }
    }
}

/// `target` resolved against `base`, if it is an http(s) URL we may follow.
pub(crate) fn resolve_target(base: &Url, target: &str) -> Result<Url, UnfollowableTarget> {
    let mut next = base
        .join(target.trim())
        .map_err(|error| UnfollowableTarget::Unparsable(error.to_string()))?;
    match next.scheme() {
        "http" | "https" => {
            // The fragment never reaches the server; dropping it makes loop detection exact.
            next.set_fragment(None);
            Ok(next)
        }
        other => Err(UnfollowableTarget::Scheme(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_contents_in_the_wild() {
        for (content, expected) in [
            ("0;url=http://a.example/", Some("http://a.example/")),
            ("0; URL='/next?x=1'", Some("/next?x=1")),
            ("3 ; url = \"b.html\" ", Some("b.html")),
            ("0,url=/c", Some("/c")),
            ("0; /d", Some("/d")),
            ("0.5;url=/e", Some("/e")),
            ("30", None),
            ("", None),
            ("0;url=", None),
        ] {
            assert_eq!(refresh_target(content).as_deref(), expected, "{content:?}");
        }
    }

    #[test]
    fn meta_refresh_is_found_in_a_page() {
        let page = "<html><head><title>跳转中</title>\
            <meta http-equiv=\"refresh\" content=\"0;url=https://bet.example/\"></head></html>";
        assert_eq!(meta_refresh(page).as_deref(), Some("https://bet.example/"));
        assert_eq!(meta_refresh("<meta name=refresh content='0;url=/x'>"), None);
    }

    #[test]
    fn targets_resolve_relative_and_refuse_other_schemes() {
        let base = Url::parse("http://a.example/dir/page#top").expect("literal");
        assert_eq!(
            resolve_target(&base, "../x#frag").map(String::from),
            Ok("http://a.example/x".to_owned())
        );
        assert!(matches!(
            resolve_target(&base, "javascript:alert(1)"),
            Err(UnfollowableTarget::Scheme(_))
        ));
    }
}

//! External scripts (`<script src>`): Baidu names third-party JS as a hijack vector
//! (FACTS §7.1), and PACTOR-style kits ship their control script as a "jquery.min.js" on
//! their own host. Two static tells, each weighed against what legitimate pages do:
//! * the script's host hits the lexicon (a gambling brand in the domain) — strong;
//! * a well-known library file served by an unknown off-site host while the page loads
//!   the same library elsewhere (its own copy or a public CDN): a second jQuery from a
//!   foreign host is not how sites are built. A library from an unknown host alone is
//!   common (a company CDN) and stays a weak, listed signal.

use crate::lexicon::Lexicon;
use crate::page::{PageFacts, Target};
use crate::signal::{Evidence, Region, Signal, Technique};

/// Public CDNs and analytics hosts that serve libraries to countless sites (registrable
/// domains).
const PUBLIC_CDNS: [&str; 24] = [
    "bootcdn.net",
    "bootcss.com",
    "staticfile.org",
    "staticfile.net",
    "jsdelivr.net",
    "cloudflare.com",
    "unpkg.com",
    "jquery.com",
    "googleapis.com",
    "aspnetcdn.com",
    "baomitu.com",
    "bdimg.com",
    "bdstatic.com",
    "baidu.com",
    "sinaapp.com",
    "elemecdn.com",
    "zhimg.com",
    "alicdn.com",
    "gtimg.cn",
    "qq.com",
    "bytecdntp.com",
    "npmmirror.com",
    "loli.net",
    "cdnjs.net",
];

/// Library file names (the start of the last path segment).
const LIBRARIES: [&str; 16] = [
    "jquery",
    "bootstrap",
    "vue",
    "react",
    "angular",
    "layui",
    "swiper",
    "echarts",
    "lodash",
    "axios",
    "zepto",
    "require",
    "sea",
    "moment",
    "popper",
    "layer",
];

/// Scripts examined per page, at most (the page pass keeps 256).
const MAX_SCRIPTS: usize = 256;

/// The library a script URL names, if any: `…/jquery-3.6.4.min.js?v=1` → `jquery`.
fn library_of(href: &str) -> Option<&'static str> {
    let path = href.split(['?', '#']).next().unwrap_or_default();
    let file = path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !file.ends_with(".js") {
        return None;
    }
    LIBRARIES.into_iter().find(|name| {
        file.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(['.', '-', '_']))
    })
}

fn is_public_cdn(target: &Target) -> bool {
    target
        .domain
        .as_deref()
        .is_some_and(|domain| PUBLIC_CDNS.contains(&domain))
}

/// The host belongs to the owner under another name (`whlanxin-cdn.com` for `whlanxin.com`):
/// the first labels contain one another.
fn looks_like_own_cdn(target: &Target, site: Option<&str>) -> bool {
    let first = |domain: &str| domain.split('.').next().unwrap_or_default().to_string();
    match (target.domain.as_deref(), site) {
        (Some(domain), Some(site)) => {
            let (theirs, ours) = (first(domain), first(site));
            ours.len() >= 3 && (theirs.contains(&ours) || ours.contains(&theirs))
        }
        _ => false,
    }
}

/// Signals about the page's external scripts; `evidence` builds an evidence item.
pub(crate) fn external_script_signals<F>(
    facts: &PageFacts,
    lexicon: &Lexicon,
    evidence: &F,
) -> Vec<Signal>
where
    F: Fn(&str, Region) -> Evidence,
{
    let sources: Vec<&Target> = facts
        .scripts
        .iter()
        .take(MAX_SCRIPTS)
        .filter_map(|script| script.src.as_ref())
        .collect();
    let mut signals = Vec::new();
    let hostile: Vec<(&Target, String)> = sources
        .iter()
        .filter(|t| t.off_site)
        .filter_map(|t| {
            let host = t.host.as_deref()?;
            lexicon.first_hit(host).map(|term| (*t, term.text.clone()))
        })
        .collect();
    if let Some((_, term)) = hostile.first() {
        signals.push(Signal {
            kind: "hostile_script_host".to_string(),
            technique: Technique::JsRedirect,
            confidence: 0.85,
            explanation: format!(
                "页面加载域名含违规词（{term}）的站外脚本 / the page loads a script from an off-site host named after '{term}'"
            ),
            evidence: hostile
                .iter()
                .take(5)
                .map(|(t, _)| evidence(&t.href, Region::Script))
                .collect(),
        });
    }
    for target in sources.iter().filter(|t| {
        t.off_site && !is_public_cdn(t) && !looks_like_own_cdn(t, facts.site_domain.as_deref())
    }) {
        let Some(library) = library_of(&target.href) else {
            continue;
        };
        if hostile.iter().any(|(t, _)| t.href == target.href) {
            continue;
        }
        let loaded_elsewhere = sources
            .iter()
            .any(|other| other.href != target.href && library_of(&other.href) == Some(library));
        let (kind, confidence, zh, en) = if loaded_elsewhere {
            (
                "impersonated_library",
                0.8,
                "页面已另行加载该库，这份来自陌生站外主机，疑为伪装的控制脚本",
                "the page loads that library elsewhere too, so this copy from an unknown host looks like a disguised control script",
            )
        } else {
            (
                "offsite_library_host",
                0.35,
                "来自非公共 CDN 的站外主机，请确认是否为本单位所用",
                "from an off-site host that is not a public CDN; confirm the owner uses it",
            )
        };
        let host = target.host.as_deref().unwrap_or("?");
        signals.push(Signal {
            kind: kind.to_string(),
            technique: Technique::JsRedirect,
            confidence,
            explanation: format!(
                "站外脚本 {library}（{host}）：{zh} / off-site script {library} ({host}): {en}"
            ),
            evidence: vec![evidence(&target.href, Region::Script)],
        });
        break;
    }
    signals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_names() {
        assert_eq!(library_of("/static/js/jquery-3.6.4.min.js"), Some("jquery"));
        assert_eq!(
            library_of("https://cdn.example.com/jquery.min.js?v=2"),
            Some("jquery")
        );
        assert_eq!(
            library_of("https://x.example/vue.global.prod.js"),
            Some("vue")
        );
        assert_eq!(library_of("/js/jquery-plugin.css"), None);
        assert_eq!(library_of("/js/jqueryui.js"), None);
        assert_eq!(library_of("/js/main.js"), None);
    }
}

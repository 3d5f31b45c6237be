//! What scripts and colours do to a page beyond the script screen: titles set by script,
//! links written with `document.write`, text in the background colour, and external
//! scripts from hostile or impersonating hosts — each with the legitimate form beside it.

use beian_detect::page::{Hiding, extract};
use beian_detect::{PageAnalysis, Technique, Verdict};
use url::Url;

use crate::analyse;

const URL: &str = "https://www.example.com.cn/";
const OWNER: &str = "example.com.cn";

fn page(head: &str, body: &str) -> String {
    format!(
        "<html><head><title>某某机械有限公司</title>{head}</head><body><p>产品中心 新闻动态</p>{body}</body></html>"
    )
}

fn has(analysis: &PageAnalysis, kind: &str) -> bool {
    analysis.signals.iter().any(|s| s.kind == kind)
}

#[test]
fn text_in_the_background_colour_hides_links_unless_they_have_their_own_colour() {
    let url = Url::parse(URL).expect("valid test URL");
    let facts = extract(
        r##"<div style="color:#FFF;background:#ffffff"><a href="https://spam.example/">x</a>
        <a style="color:#0b4f8a" href="https://gov.example/">y</a>
        <a style="color:rgb(255,255,255)" href="https://spam2.example/">z</a></div>"##,
        Some(&url),
    );
    let hidden: Vec<_> = facts.links.iter().map(|l| l.hidden).collect();
    assert_eq!(
        hidden,
        vec![Some(Hiding::SameColour), None, Some(Hiding::SameColour)]
    );
}

#[test]
fn written_hidden_gambling_links_are_hidden_links() {
    let analysis = analyse(
        &page(
            "",
            r#"<script>document.write('<div style="display:none">' + '<a href="https://www.hg8868.vip/">澳门新葡京</a><a href="https://www.bet7766.cc/">真人视讯</a>' + '</div>');</script>"#,
        ),
        URL,
        OWNER,
        None,
    );
    assert!(
        has(&analysis, "hidden_spam_links"),
        "{:#?}",
        analysis.signals
    );
    assert_eq!(analysis.verdict, Verdict::Hijacked);
}

#[test]
fn written_visible_or_on_site_links_are_not_hidden_links() {
    let analysis = analyse(
        &page(
            "",
            r#"<script>document.write('<a href="https://www.gov.cn/">中国政府网</a>');
            document.write('<div style="display:none"><a href="/sitemap.html">网站地图</a></div>');</script>"#,
        ),
        URL,
        OWNER,
        None,
    );
    assert!(
        !analysis
            .signals
            .iter()
            .any(|s| s.technique == Technique::HiddenLinks),
        "{:#?}",
        analysis.signals
    );
    assert_eq!(analysis.verdict, Verdict::Clean);
}

#[test]
fn a_gambling_title_set_by_script_counts_as_the_title() {
    let hostile = analyse(
        &page(
            r#"<script>document.title="\u6fb3\u95e8\u94f6\u6cb3\u5a31\u4e50" + '_真人百家乐';</script>"#,
            "",
        ),
        URL,
        OWNER,
        None,
    );
    assert!(
        hostile
            .signals
            .iter()
            .any(|s| s.technique == Technique::HostileContent && s.confidence >= 0.8),
        "{:#?}",
        hostile.signals
    );
    let harmless = analyse(
        &page(
            r#"<script>document.title = "\u4ea7\u54c1\u4e2d\u5fc3";</script>"#,
            "",
        ),
        URL,
        OWNER,
        None,
    );
    assert_eq!(harmless.verdict, Verdict::Clean, "{:#?}", harmless.signals);
}

#[test]
fn external_scripts_from_hostile_or_impersonating_hosts() {
    let brand = analyse(
        &page(
            "",
            r#"<script src="https://js.bet365-tj.vip/common.js"></script>"#,
        ),
        URL,
        OWNER,
        None,
    );
    assert!(has(&brand, "hostile_script_host"), "{:#?}", brand.signals);
    assert_eq!(brand.verdict, Verdict::Hijacked);

    let second_jquery = analyse(
        &page(
            r#"<script src="/static/js/jquery-3.6.4.min.js"></script>"#,
            r#"<script src="https://cdn.wbty886.com/jquery.min.js"></script>"#,
        ),
        URL,
        OWNER,
        None,
    );
    assert!(
        has(&second_jquery, "impersonated_library"),
        "{:#?}",
        second_jquery.signals
    );

    for legitimate in [
        r#"<script src="https://cdn.bootcdn.net/ajax/libs/jquery/3.6.4/jquery.min.js"></script><script src="/js/jquery.min.js"></script>"#,
        r#"<script src="https://static.example-cdn.com/js/jquery.min.js"></script><script src="/js/jquery.min.js"></script>"#,
        r#"<script src="https://static.partner.example/js/jquery.min.js"></script>"#,
        r#"<script src="https://hm.baidu.com/hm.js?abc"></script>"#,
    ] {
        let analysis = analyse(&page(legitimate, ""), URL, OWNER, None);
        assert_eq!(
            analysis.verdict,
            Verdict::Clean,
            "{legitimate}: {:#?}",
            analysis.signals
        );
    }
}

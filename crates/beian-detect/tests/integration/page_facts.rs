//! Page facts on crafted pages: hidden-link variants, iframe geometry, meta refresh,
//! entity-encoded footers, title and meta.

use beian_detect::page::{Hiding, extract};
use beian_detect::{Technique, Verdict};
use url::Url;

use crate::analyse;

fn page_url() -> Url {
    Url::parse("https://www.example.com.cn/news/1.html").expect("valid test URL")
}

#[test]
fn title_meta_robots_and_text() {
    let html = r#"<html><head><title> 公司 &amp; 新闻 </title>
        <meta name="keywords" content="机械,设备">
        <meta name="description" content="一家&#x516C;司">
        <meta name="robots" content="index, NOARCHIVE">
        <style>p{color:red}</style><script>var x = "not text";</script></head>
        <body><p>你好
           世界</p><noscript>enable js</noscript><template>tpl</template></body></html>"#;
    let facts = extract(html, Some(&page_url()));
    assert_eq!(facts.title, "公司 & 新闻");
    assert_eq!(facts.meta_keywords, "机械,设备");
    assert_eq!(facts.meta_description, "一家公司");
    assert!(facts.noarchive);
    assert!(facts.text.contains("你好 世界"), "{}", facts.text);
    assert!(!facts.text.contains("not text") && !facts.text.contains("color"));
    assert_eq!(facts.scripts.len(), 1);
    assert_eq!(facts.scripts[0].text, r#"var x = "not text";"#);
    assert_eq!(facts.site_domain.as_deref(), Some("example.com.cn"));
}

#[test]
fn every_hidden_link_variant_is_detected() {
    let variants: [(&str, Hiding); 12] = [
        (
            r#"<a style="display:none" href="https://spam.example/">x</a>"#,
            Hiding::DisplayNone,
        ),
        (
            r#"<div style="display: none !important"><p><a href="https://spam.example/">x</a></p></div>"#,
            Hiding::DisplayNone,
        ),
        (
            r#"<span style="visibility:hidden"><a href="https://spam.example/">x</a></span>"#,
            Hiding::VisibilityHidden,
        ),
        (
            r#"<div style="opacity:0"><a href="https://spam.example/">x</a></div>"#,
            Hiding::OpacityZero,
        ),
        (
            r#"<div style="position:absolute;left:-9999px;top:-9999px"><a href="https://spam.example/">x</a></div>"#,
            Hiding::OffScreen,
        ),
        (
            r#"<div style="text-indent:-999px"><a href="https://spam.example/">x</a></div>"#,
            Hiding::OffScreen,
        ),
        (
            r#"<div style="font-size:0px"><a href="https://spam.example/">x</a></div>"#,
            Hiding::FontSizeZero,
        ),
        (
            r#"<div style="height:0;overflow:hidden"><a href="https://spam.example/">x</a></div>"#,
            Hiding::ZeroSize,
        ),
        (
            r#"<div style="position:absolute;clip:rect(0 0 0 0)"><a href="https://spam.example/">x</a></div>"#,
            Hiding::Clipped,
        ),
        (
            r#"<marquee height="1" width="1"><a href="https://spam.example/">x</a></marquee>"#,
            Hiding::TinyMarquee,
        ),
        (
            r#"<style>.lk{display:none}</style><div class="box lk"><a href="https://spam.example/">x</a></div>"#,
            Hiding::DisplayNone,
        ),
        (
            r#"<style>#farm a { visibility : hidden }</style><div id="farm"><a href="https://spam.example/">x</a></div>"#,
            Hiding::VisibilityHidden,
        ),
    ];
    for (html, hiding) in variants {
        let page =
            format!("<html><body><p>正文</p>{html}<a href=\"/about\">关于</a></body></html>");
        let facts = extract(&page, Some(&page_url()));
        let spam = facts
            .links
            .iter()
            .find(|l| l.target.host.as_deref() == Some("spam.example"))
            .unwrap_or_else(|| panic!("link kept for {html}"));
        assert_eq!(spam.hidden, Some(hiding), "{html}");
        assert!(spam.target.off_site, "{html}");
        let about = facts
            .links
            .iter()
            .find(|l| l.text == "关于")
            .expect("visible link kept");
        assert_eq!(
            about.hidden, None,
            "hiding leaked past its element in {html}"
        );
        assert!(!about.target.off_site);
    }
}

#[test]
fn visible_links_are_not_hidden() {
    let html = r#"<div style="display:block;left:-10px;opacity:0.9"><a href="https://partner.example/">友情链接</a></div>
        <style>.menu{display:block}</style><div class="menu"><a href="https://weibo.com/x">微博</a></div>"#;
    let facts = extract(html, Some(&page_url()));
    assert!(facts.links.iter().all(|l| l.hidden.is_none()));
}

#[test]
fn hidden_gambling_links_make_the_page_hijacked() {
    let html = r#"<html><head><title>某某机械有限公司</title></head><body><p>产品介绍</p>
        <div style="position:absolute;top:-9999px;left:-9999px">
          <a href="https://www.w88my.com/">w88优德</a><a href="https://bet.example/">澳门新葡京</a><a href="https://x.example/">真人视讯</a>
        </div></body></html>"#;
    let analysis = analyse(html, "https://www.example.com.cn/", "example.com.cn", None);
    assert_eq!(analysis.verdict, Verdict::Hijacked);
    let signal = analysis
        .signals
        .iter()
        .find(|s| s.kind == "hidden_spam_links")
        .expect("hidden spam links reported");
    assert_eq!(signal.technique, Technique::HiddenLinks);
    assert!(signal.confidence >= 0.8);
}

#[test]
fn iframe_overlay_geometry() {
    let html = r#"<body><div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647">
        <iframe src="https://ig8.cc/" width="100%" height="100%" frameborder="0"></iframe></div>
        <iframe src="https://www.youtube.com/embed/x" width="560" height="315"></iframe>
        <iframe src="https://tracker.example/p" width="0" height="0"></iframe></body>"#;
    let facts = extract(html, Some(&page_url()));
    assert_eq!(facts.iframes.len(), 3);
    let overlay = &facts.iframes[0];
    assert!(overlay.full_screen);
    assert!(overlay.placement.positioned && overlay.placement.at_origin);
    assert_eq!(overlay.placement.z_index, Some(2_147_483_647));
    assert!(!facts.iframes[1].full_screen && !facts.iframes[1].placement.positioned);
    assert_eq!(facts.iframes[2].hidden, Some(Hiding::ZeroSize));

    let analysis = analyse(html, "https://www.example.com.cn/", "example.com.cn", None);
    assert_eq!(analysis.verdict, Verdict::Hijacked);
    let overlay = analysis
        .signals
        .iter()
        .find(|s| s.kind == "iframe_overlay")
        .expect("overlay");
    assert_eq!(overlay.technique, Technique::IframeOverlay);
    assert!(
        !analysis
            .signals
            .iter()
            .any(|s| s.evidence.iter().any(|e| e.snippet.contains("youtube")))
    );
}

#[test]
fn meta_refresh_is_parsed_and_judged() {
    let html =
        r#"<head><meta http-equiv="Refresh" content="0; URL='https://vwin.example/?c=1'"></head>"#;
    let facts = extract(html, Some(&page_url()));
    let refresh = facts.meta_refresh.as_ref().expect("refresh parsed");
    assert_eq!(refresh.delay_seconds, Some(0.0));
    assert_eq!(refresh.target.as_deref(), Some("https://vwin.example/?c=1"));
    assert_eq!(refresh.host.as_deref(), Some("vwin.example"));
    assert!(refresh.off_site);
    let analysis = analyse(html, "https://www.example.com.cn/", "example.com.cn", None);
    assert_eq!(
        analysis.verdict,
        Verdict::Hijacked,
        "{:?}",
        analysis.signals
    );

    let same_site = r#"<meta http-equiv="refresh" content="5;url=/index.html">"#;
    let analysis = analyse(
        same_site,
        "https://www.example.com.cn/",
        "example.com.cn",
        None,
    );
    assert!(
        analysis
            .signals
            .iter()
            .all(|s| s.kind != "meta_refresh_offsite")
    );
}

#[test]
fn entity_encoded_footer_is_decoded() {
    let html = "<title>首页</title><body><p>正文内容</p><div class=\"foot\">Copyright\u{a9}&#x6FB3;&#x95E8;&#x8461;&#x4EAC;&#x8D4C;&#x573A; &#20140;ICP&#22791;13027746&#21495;-1</div></body>";
    let facts = extract(html, Some(&page_url()));
    assert!(facts.text.contains("澳门葡京赌场"), "{}", facts.text);
    assert!(facts.text.contains("京ICP备13027746号-1"), "{}", facts.text);
}

#[test]
fn forms_scripts_and_relative_urls() {
    let html = r#"<base href="https://cdn.example.com.cn/"><script src="//hm.baidu.com/hm.js?x"></script>
        <script src="js/app.js"></script>
        <form action="https://collect.example/login"><input type="text"><input type="PASSWORD"></form>"#;
    let facts = extract(html, Some(&page_url()));
    let hosts: Vec<_> = facts
        .scripts
        .iter()
        .map(|s| s.src.as_ref().and_then(|t| t.host.as_deref()))
        .collect();
    assert_eq!(
        hosts,
        vec![Some("hm.baidu.com"), Some("cdn.example.com.cn")]
    );
    assert!(facts.scripts[0].src.as_ref().is_some_and(|t| t.off_site));
    assert!(!facts.scripts[1].src.as_ref().is_some_and(|t| t.off_site));
    assert_eq!(facts.forms.len(), 1);
    assert!(facts.forms[0].has_password);
    assert!(facts.forms[0].action.as_ref().is_some_and(|a| a.off_site));
}

#[test]
fn title_and_stylesheet_text_are_told_apart_from_other_raw_text() {
    let html = r#"<html><head><TITLE>公司&amp;新闻</TITLE><Style>.lk{display:none}</Style></head>
        <body><textarea>不是标题</textarea><xmp>.x{display:none}</xmp>
        <div class="lk"><a href="https://spam.example/">x</a></div>
        <div class="x"><a href="https://ok.example/">y</a></div></body></html>"#;
    let facts = extract(html, Some(&page_url()));
    assert_eq!(facts.title, "公司&新闻");
    let hidden: Vec<_> = facts.links.iter().map(|l| l.hidden).collect();
    assert_eq!(hidden, vec![Some(Hiding::DisplayNone), None]);
}

/// Attributes are read from the source bytes: upper-case names, unquoted and single-quoted
/// values, entities and valueless attributes must read as a browser's tokenizer gives them.
#[test]
fn attributes_read_from_the_source_keep_their_meaning() {
    let html = r#"<div HIDDEN><A HREF=https://spam.example/a?x=1&amp;y=2>a</A></div>
        <a href='https://b.example/' STYLE='DISPLAY:NONE'>b</a>
        <iframe SRC="https://c.example/" WIDTH=0 height='0'></iframe>
        <meta NAME="Keywords" CONTENT="机械&#x8BBE;备">"#;
    let facts = extract(html, Some(&page_url()));
    assert_eq!(facts.links[0].target.href, "https://spam.example/a?x=1&y=2");
    assert_eq!(facts.links[0].hidden, Some(Hiding::HiddenAttribute));
    assert_eq!(facts.links[1].hidden, Some(Hiding::DisplayNone));
    let iframe = &facts.iframes[0];
    assert_eq!(
        iframe.src.as_ref().and_then(|s| s.host.as_deref()),
        Some("c.example")
    );
    assert_eq!(iframe.hidden, Some(Hiding::ZeroSize));
    assert_eq!(facts.meta_keywords, "机械设备");
}

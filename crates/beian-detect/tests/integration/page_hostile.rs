//! Hostile pages (issue 4 point 5): huge, one-line, deeply nested, mis-encoded and
//! script-bomb pages are analysed in bounded time with every cap respected.
//! The 10 s bound is a sanity bound for debug builds, not a performance target; the
//! release throughput is printed by `throughput_on_a_realistic_page`.

use std::time::{Duration, Instant};

use beian_detect::PageAnalysis;
use beian_detect::page::caps;

use crate::analyse;

const SANITY_BOUND: Duration = Duration::from_secs(10);

fn analyse_bounded(name: &str, html: &str) -> PageAnalysis {
    let started = Instant::now();
    let analysis = analyse(html, "https://www.example.com.cn/", "example.com.cn", None);
    let took = started.elapsed();
    assert!(took < SANITY_BOUND, "{name}: {took:?}");
    assert_caps(name, &analysis);
    analysis
}

fn assert_caps(name: &str, analysis: &PageAnalysis) {
    let facts = &analysis.facts;
    assert!(
        facts.text.len() <= caps::TEXT_SAMPLE_BYTES + 4 * 1024,
        "{name}: text"
    );
    assert!(
        facts.text_tail.len() <= caps::TEXT_TAIL_BYTES,
        "{name}: tail"
    );
    assert!(facts.title.len() <= caps::TITLE_BYTES, "{name}: title");
    assert!(
        facts.links.len() <= caps::LINKS + caps::FILING_LINKS,
        "{name}: links"
    );
    assert!(
        facts.links.iter().all(
            |l| l.text.len() <= caps::LINK_TEXT_BYTES && l.target.href.len() <= caps::URL_BYTES
        ),
        "{name}: link sizes"
    );
    assert!(facts.scripts.len() <= caps::SCRIPTS, "{name}: scripts");
    assert!(
        facts
            .scripts
            .iter()
            .all(|s| s.text.len() <= caps::SCRIPT_BODY_BYTES),
        "{name}: script body"
    );
    assert!(
        facts.scripts.iter().map(|s| s.text.len()).sum::<usize>() <= caps::SCRIPT_TOTAL_BYTES,
        "{name}: scripts total"
    );
    assert!(
        facts.iframes.len() <= caps::IFRAMES && facts.forms.len() <= caps::FORMS,
        "{name}: iframes/forms"
    );
    assert!(analysis.footer.len() <= 32, "{name}: footer");
    assert!(
        analysis.signals.iter().all(|s| s.evidence.len() <= 8),
        "{name}: evidence"
    );
    assert!(
        analysis
            .signals
            .iter()
            .flat_map(|s| &s.evidence)
            .all(|e| e.snippet.chars().count() <= 201),
        "{name}: snippets"
    );
}

#[test]
fn fifty_megabyte_link_farm() {
    let unit = "<div><a href=\"https://farm{}.example/\">百家乐 真人视讯 澳门新葡京</a><p>正文 京ICP备13027746号-1</p><script>var a=1;</script><iframe src=\"https://x.example/\"></iframe><form></form></div>\n";
    let mut html = String::with_capacity(51 * 1024 * 1024);
    html.push_str("<html><head><title>");
    html.push_str(&"长标题".repeat(10_000));
    html.push_str("</title></head><body>");
    let mut i = 0;
    while html.len() < 50 * 1024 * 1024 {
        html.push_str(&unit.replace("{}", &i.to_string()));
        i += 1;
    }
    let analysis = analyse_bounded("50 MB", &html);
    assert!(analysis.facts.truncated);
    assert!(analysis.facts.skipped_bytes > 40 * 1024 * 1024);
    assert!(analysis.facts.counts.links > caps::LINKS && analysis.facts.counts.links < i);
    assert_eq!(analysis.footer.len(), 1, "the footer number is found once");
}

#[test]
fn one_ten_megabyte_line() {
    let html = format!(
        "<html><body><p>{}</p></body></html>",
        "赌".repeat(10 * 1024 * 1024 / 3)
    );
    analyse_bounded("10 MB line", &html);
    let attribute = format!(
        "<a href=\"https://x.example/{}\">x</a>",
        "a".repeat(10 * 1024 * 1024)
    );
    analyse_bounded("10 MB attribute", &attribute);
    // Each '<' is looked at once (a `<` not followed by a tag name is text).
    let tag_soup = "<".repeat(10 * 1024 * 1024);
    analyse_bounded("10 MB of <", &tag_soup);
}

#[test]
fn hundred_thousand_nested_divs() {
    let depth = 100_000;
    let mut html = String::new();
    for i in 0..depth {
        if i % 2 == 0 {
            html.push_str("<div style=\"display:none\">");
        } else {
            html.push_str("<div class=\"c\">");
        }
    }
    html.push_str("<a href=\"https://deep.example/\">深处</a>");
    html.push_str(&"</div>".repeat(depth));
    html.push_str("<a href=\"https://after.example/\">之后</a>");
    let analysis = analyse_bounded("nested", &html);
    let deep = analysis
        .facts
        .links
        .iter()
        .find(|l| l.text == "深处")
        .expect("deep link kept");
    assert!(deep.hidden.is_some());
    let after = analysis
        .facts
        .links
        .iter()
        .find(|l| l.text == "之后")
        .expect("link after kept");
    assert!(after.hidden.is_none(), "hiding must end with its element");
}

/// Markup that makes a tokenizer work hard: a tag that never ends, thousands of attributes,
/// stray end tags under a deep stack, namespaces nested without end, unterminated comments
/// and escaped scripts. Each must stay linear and keep the facts before it.
#[test]
fn pathological_markup() {
    let before = "<a href=\"https://before.example/\">之前</a>";
    let endless_tag = format!("{before}<a {}", "x=1 ".repeat(2 * 1024 * 1024));
    let analysis = analyse_bounded("endless tag", &endless_tag);
    assert_eq!(analysis.facts.links.len(), 1);
    let attributes = format!(
        "<a {} href=\"https://late.example/\">x</a>",
        (0..100_000)
            .map(|i| format!("a{i}=\"{i}\" "))
            .collect::<String>()
    );
    analyse_bounded("many attributes", &attributes);
    let stray_ends = format!(
        "<span style=\"display:none\">{}{}</span>{}",
        "<div>".repeat(100_000),
        (0..200_000).map(|i| format!("</x{i}>")).collect::<String>(),
        "<a href=\"https://after.example/\">之后</a>"
    );
    let analysis = analyse_bounded("stray end tags", &stray_ends);
    assert_eq!(analysis.facts.links.len(), 1);
    assert_eq!(analysis.facts.links[0].text, "之后");
    let too_deep = format!(
        "{}<a href=\"https://deep.example/\">深处</a>",
        "<svg><b>".repeat(200_000)
    );
    let analysis = analyse_bounded("too deep", &too_deep);
    assert!(analysis.facts.parse_error.is_some() && analysis.facts.truncated);
    assert_eq!(
        analysis.facts.links.len(),
        1,
        "parsing goes on past the cap"
    );
    for unterminated in [
        format!("{before}<!--{}", "<p>x</p>".repeat(500_000)),
        format!(
            "{before}<script><!--<script>{}",
            "</script>-->".repeat(500_000)
        ),
        format!("{before}<style>{}", "</styl".repeat(500_000)),
    ] {
        let analysis = analyse_bounded("unterminated", &unterminated);
        assert_eq!(analysis.facts.links.len(), 1);
    }
}

#[test]
fn invalid_utf8_and_gbk_mixture() {
    let (gbk, _, _) =
        encoding_rs::GBK.encode("<title>澳门新葡京</title><p>京ICP备13027746号-1 百家乐</p>");
    let mut bytes = Vec::new();
    for _ in 0..20_000 {
        bytes.extend_from_slice(&gbk);
        bytes.extend_from_slice("<p>正常的 UTF-8 文本</p>".as_bytes());
        bytes.extend_from_slice(&[0xFF, 0xFE, 0xC3, 0x28, 0xE2, 0x82, b'<', 0x80, b'>']);
    }
    let html = String::from_utf8_lossy(&bytes);
    let analysis = analyse_bounded("mojibake", &html);
    assert!(analysis.facts.text.contains("正常的 UTF-8 文本"));
}

#[test]
fn five_megabyte_script_of_escapes() {
    let body = "\\x3c\\u0073\\x63".repeat(5 * 1024 * 1024 / 16);
    let html = format!(
        "<html><body><script>var s=\"{body}\";eval(unescape(s));</script><p>after</p></body></html>"
    );
    let analysis = analyse_bounded("script bomb", &html);
    assert_eq!(analysis.facts.scripts.len(), 1);
    assert_eq!(
        analysis.facts.scripts[0].text.len(),
        caps::SCRIPT_BODY_BYTES
    );
    assert!(analysis.facts.scripts[0].text_bytes >= caps::ANALYSED_HEAD_BYTES / 2);
    let calls = format!(
        "<script>{}</script><p>after</p>",
        "String.fromCharCode(60,115,99,114);".repeat(100_000)
    );
    let analysis = analyse_bounded("fromCharCode bomb", &calls);
    assert_eq!(
        analysis.facts.scripts[0].text_bytes,
        "String.fromCharCode(60,115,99,114);".len() * 100_000
    );
    assert!(analysis.facts.text.contains("after"));
}

#[test]
fn many_styles_and_classes() {
    let css = (0..50_000)
        .map(|i| format!(".c{i}{{display:none}}"))
        .collect::<String>();
    let html = format!(
        "<style>{css}</style>{}",
        (0..50_000)
            .map(|i| format!("<span class=\"c{i}\"><a href=\"https://h{i}.example/\">x</a></span>"))
            .collect::<String>()
    );
    analyse_bounded("styles", &html);
}

/// Prints page-analysis throughput; run in release for a meaningful figure:
/// `cargo test --release -p beian-detect --test integration -- --nocapture throughput`.
#[test]
fn throughput_on_a_realistic_page() {
    let mut page = String::from(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>某某机械设备有限公司 - 产品中心</title>
<meta name="keywords" content="机械设备,数控机床,自动化"><meta name="description" content="某某机械设备有限公司专业生产数控机床。">
<link rel="stylesheet" href="/css/main.css"><style>.nav{display:flex}.hide{display:none}</style>
<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");hm.src="https://hm.baidu.com/hm.js?0123456789abcdef";var s=document.getElementsByTagName("script")[0];s.parentNode.insertBefore(hm,s);})();</script>
</head><body><div class="header"><ul class="nav">"#,
    );
    for i in 0..40 {
        page.push_str(&format!(
            "<li><a href=\"/products/{i}.html\" title=\"产品{i}\">数控机床 型号 {i}</a></li>"
        ));
    }
    page.push_str("</ul></div><div class=\"main\">");
    while page.len() < 95 * 1024 {
        page.push_str("<div class=\"item\"><h3>高精度数控车床</h3><p style=\"color:#333\">本公司生产的高精度数控车床采用进口导轨与伺服系统，加工精度可达 0.005mm，广泛用于汽车零部件、航空航天与精密模具行业。欢迎来电咨询 400-000-0000。</p><img src=\"/img/a.jpg\" alt=\"车床\"><a href=\"https://partner.example.com/\">合作伙伴</a></div>\n");
    }
    page.push_str(r#"</div><div class="footer">©2026 某某机械设备有限公司 <a href="https://beian.miit.gov.cn/">京ICP备13027746号-1</a>
<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143">京公网安备11010502030143号</a></div>
<script src="/js/jquery.min.js"></script></body></html>"#);
    let ctx = crate::context();
    let url = url::Url::parse("https://www.example.com.cn/products/").expect("valid URL");
    let input = beian_detect::PageInput {
        url: Some(url),
        persona: None,
        html: &page,
        owner_domain: Some("example.com.cn".to_string()),
        expected_footer: None,
    };
    let first = beian_detect::analyse_page(&input, &ctx);
    assert_eq!(
        first.verdict,
        beian_detect::Verdict::Clean,
        "{:#?}",
        first.signals
    );
    let started = Instant::now();
    let mut bytes = 0usize;
    let mut runs = 0;
    while started.elapsed() < Duration::from_millis(1500) || runs < 3 {
        std::hint::black_box(beian_detect::analyse_page(&input, &ctx));
        bytes += page.len();
        runs += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "throughput: {:.1} MB/s per core ({} runs of a {} KiB page in {seconds:.2} s)",
        bytes as f64 / seconds / 1e6,
        runs,
        page.len() / 1024
    );
}

/// Huge pages are read as head + tail; styles in the tail must still be read where they
/// stand (attribute names are compared in the source bytes, offsets counted across both).
#[test]
fn hiding_is_read_in_the_tail_of_a_huge_page() {
    let mut html = String::from("<html><body>");
    let filler = "<p class=\"x\" style=\"color:#333\">正文段落 some text</p>\n";
    while html.len() < caps::ANALYSED_HEAD_BYTES + caps::ANALYSED_TAIL_BYTES + 1024 * 1024 {
        html.push_str(filler);
    }
    html.push_str(
        r#"<div STYLE="display:none"><a href="https://spam.example/">澳门新葡京</a></div><a href="https://ok.example/">visible</a></body></html>"#,
    );
    let url = url::Url::parse("https://www.example.com.cn/").expect("valid URL");
    let facts = beian_detect::page::extract(&html, Some(&url));
    assert!(facts.skipped_bytes > 0);
    let spam = facts
        .links
        .iter()
        .find(|l| l.target.host.as_deref() == Some("spam.example"))
        .expect("the tail link is kept");
    assert_eq!(spam.hidden, Some(beian_detect::page::Hiding::DisplayNone));
    let visible = facts
        .links
        .iter()
        .find(|l| l.target.host.as_deref() == Some("ok.example"))
        .expect("the last link is kept");
    assert_eq!(visible.hidden, None);
}

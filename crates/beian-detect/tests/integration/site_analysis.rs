//! Site-level analysis: cloaking between personas, parasite random paths, baseline changes,
//! and a clean site whose pages change a little between fetches.

use beian_detect::site::{Baseline, Capture, SiteInput, analyse_site};
use beian_detect::{Signal, Technique, Verdict};
use beian_probe::{Persona, PersonaKind};

use crate::context;

const HOME: &str = "https://www.example-company.cn/";

fn company_page(stamp: &str) -> String {
    format!(
        r#"<html><head><title>示例机械有限公司 - 液压设备制造</title>
<meta name="keywords" content="液压设备,机械制造"><meta name="description" content="示例机械有限公司专业生产液压设备。">
<script src="https://hm.baidu.com/hm.js?abc"></script></head>
<body><div class="nav"><a href="/">首页</a><a href="/about.html">关于我们</a><a href="/products.html">产品中心</a><a href="/news.html">新闻动态</a></div>
<p>示例机械有限公司成立于2003年，位于江苏省苏州市，专业从事液压设备、液压站、油缸和液压系统的研发、生产和销售。公司拥有先进的加工设备和完善的检测手段，产品广泛应用于冶金、矿山、工程机械和船舶等行业。</p>
<p>新闻：公司参加2026年上海国际工程机械展览会，欢迎新老客户莅临展位参观洽谈。更新时间：{stamp}</p>
<p>联系电话：0512-12345678 地址：苏州市工业园区示例路88号</p>
<div class="footer">Copyright © 2026 示例机械有限公司</div></body></html>"#
    )
}

fn gambling_page(title: &str) -> String {
    format!(
        r#"<html><head><title>{title}</title><meta name="keywords" content="澳门葡京,百家乐,真人视讯,体育投注">
</head><body><h1>{title}</h1><p>澳门新葡京赌场官网，真人视讯百家乐，体育投注滚球，注册即送彩金，线上娱乐城24小时在线。</p>
<a href="https://w88my.com/">w88优德</a><a href="https://yb88002.com/">亚博体育</a></body></html>"#
    )
}

fn persona(kind: PersonaKind, baidu_referer: bool) -> Option<Persona> {
    Some(Persona {
        kind,
        baidu_referer,
    })
}

fn capture(persona: Option<Persona>, url: &str, status: u16, html: String) -> Capture {
    Capture {
        persona,
        requested_url: url.to_string(),
        final_url: url.to_string(),
        status,
        html,
        hops: vec![url.to_string()],
        server_header: None,
    }
}

fn site(captures: Vec<Capture>) -> SiteInput {
    SiteInput {
        host: "www.example-company.cn".to_string(),
        owner_domain: Some("example-company.cn".to_string()),
        captures,
        ..SiteInput::default()
    }
}

fn of_technique(signals: &[Signal], technique: Technique) -> f32 {
    signals
        .iter()
        .filter(|s| s.technique == technique)
        .map(|s| s.confidence)
        .fold(0.0, f32::max)
}

#[test]
fn spider_only_gambling_page_is_cloaking() {
    let input = site(vec![
        capture(
            persona(PersonaKind::DesktopBrowser, false),
            HOME,
            200,
            company_page("10:00"),
        ),
        capture(
            persona(PersonaKind::Baiduspider, false),
            HOME,
            200,
            gambling_page("澳门新葡京-百家乐-真人视讯官网"),
        ),
    ]);
    let analysis = analyse_site(&input, &context());
    assert!(
        of_technique(&analysis.signals, Technique::Cloaking) >= 0.8,
        "{:#?}",
        analysis.signals
    );
    assert_eq!(analysis.verdict, Verdict::Hijacked);
    assert_eq!(analysis.pages.len(), 2);
    assert_eq!(analysis.pages[0].verdict, Verdict::Clean);
}

#[test]
fn baidu_referred_visitor_sent_off_site_is_cloaking() {
    let mut referred = capture(
        persona(PersonaKind::DesktopBrowser, true),
        HOME,
        200,
        gambling_page("w88"),
    );
    referred.final_url = "https://w88my.com/?aff=1".to_string();
    referred.hops = vec![HOME.to_string(), referred.final_url.clone()];
    let input = site(vec![
        capture(
            persona(PersonaKind::DesktopBrowser, false),
            HOME,
            200,
            company_page("10:00"),
        ),
        referred,
    ]);
    let analysis = analyse_site(&input, &context());
    let signal = analysis
        .signals
        .iter()
        .find(|s| s.kind == "persona_redirect_offsite")
        .expect("an off-site redirect for the referred persona");
    assert!(signal.confidence >= 0.8);
    assert!(signal.explanation.contains("w88my.com"));
    assert_eq!(analysis.verdict, Verdict::Hijacked);
}

#[test]
fn spider_text_swap_without_lexicon_is_still_flagged() {
    let other = r#"<html><head><title>高价回收二手手机 上门回收</title></head><body><p>本站长期高价回收二手手机、笔记本电脑和平板，全国上门回收，当场结算，诚信经营，欢迎来电咨询合作，价格公道童叟无欺，回收流程简单快捷，支持多种品牌型号。</p></body></html>"#;
    let input = site(vec![
        capture(
            persona(PersonaKind::DesktopBrowser, false),
            HOME,
            200,
            company_page("10:00"),
        ),
        capture(
            persona(PersonaKind::Baiduspider, false),
            HOME,
            200,
            other.to_string(),
        ),
    ]);
    let analysis = analyse_site(&input, &context());
    let cloaking = of_technique(&analysis.signals, Technique::Cloaking);
    assert!((0.5..0.8).contains(&cloaking), "{:#?}", analysis.signals);
    assert!(analysis.verdict >= Verdict::Suspicious);
}

#[test]
fn random_paths_answering_gambling_pages_are_parasites() {
    let mut input = site(vec![capture(
        persona(PersonaKind::DesktopBrowser, false),
        HOME,
        200,
        company_page("10:00"),
    )]);
    input.random_path_captures = vec![
        capture(
            persona(PersonaKind::Baiduspider, false),
            "https://www.example-company.cn/q8z1x7k2.html",
            200,
            gambling_page("澳门葡京官网-百家乐"),
        ),
        capture(
            persona(PersonaKind::Baiduspider, false),
            "https://www.example-company.cn/news/93jd0a.html",
            200,
            gambling_page("真人视讯体育投注-亚博"),
        ),
    ];
    let analysis = analyse_site(&input, &context());
    assert!(
        of_technique(&analysis.signals, Technique::ParasitePages) >= 0.8,
        "{:#?}",
        analysis.signals
    );
    assert_eq!(analysis.random_pages.len(), 2);
    assert_eq!(analysis.verdict, Verdict::Hijacked);
}

#[test]
fn random_paths_answering_404_are_fine() {
    let mut input = site(vec![capture(None, HOME, 200, company_page("10:00"))]);
    input.random_path_captures = vec![
        capture(
            None,
            "https://www.example-company.cn/q8z1x7k2.html",
            404,
            "<title>404 Not Found</title>".to_string(),
        ),
        capture(
            None,
            "https://www.example-company.cn/x/1.html",
            200,
            "<title>页面不存在</title>".to_string(),
        ),
    ];
    let analysis = analyse_site(&input, &context());
    assert_eq!(
        of_technique(&analysis.signals, Technique::ParasitePages),
        0.0
    );
    assert_eq!(analysis.verdict, Verdict::Clean);
}

#[test]
fn replaced_title_and_new_script_host_against_baseline() {
    let hijacked = company_page("10:00")
        .replace(
            "示例机械有限公司 - 液压设备制造",
            "澳门新葡京娱乐城-百家乐官网",
        )
        .replace(
            "</head>",
            "<script src=\"https://js.tongji-cdn.vip/t.js\"></script></head>",
        );
    let mut input = site(vec![capture(
        persona(PersonaKind::DesktopBrowser, false),
        HOME,
        200,
        hijacked,
    )]);
    input.baseline = Some(Baseline {
        title: "示例机械有限公司 - 液压设备制造".to_string(),
        meta_keywords: "液压设备,机械制造".to_string(),
        meta_description: "示例机械有限公司专业生产液压设备。".to_string(),
        script_hosts: vec!["hm.baidu.com".to_string()],
        outbound_hosts: Vec::new(),
    });
    let analysis = analyse_site(&input, &context());
    let replaced = analysis
        .signals
        .iter()
        .find(|s| s.kind == "title_replaced")
        .expect("title_replaced");
    assert_eq!(replaced.technique, Technique::TitleReplacement);
    assert!(replaced.confidence >= 0.8);
    let script = analysis
        .signals
        .iter()
        .find(|s| s.kind == "new_script_host")
        .expect("new_script_host");
    assert!(script.explanation.contains("js.tongji-cdn.vip"));
    assert!(
        analysis
            .signals
            .iter()
            .all(|s| !s.explanation.contains("hm.baidu.com"))
    );
    assert_eq!(analysis.verdict, Verdict::Hijacked);
}

#[test]
fn clean_site_with_normal_dynamism_is_clean() {
    let mut input = site(vec![
        capture(
            persona(PersonaKind::DesktopBrowser, false),
            HOME,
            200,
            company_page("2026-11-23 10:00:01"),
        ),
        capture(
            persona(PersonaKind::DesktopBrowser, true),
            HOME,
            200,
            company_page("2026-11-23 10:00:07"),
        ),
        capture(
            persona(PersonaKind::Baiduspider, false),
            HOME,
            200,
            company_page("2026-11-23 10:00:12"),
        ),
        capture(
            persona(PersonaKind::SogouSpider, false),
            HOME,
            200,
            company_page("2026-11-24 08:31:55"),
        ),
        capture(
            persona(PersonaKind::MobileWechat, false),
            HOME,
            200,
            company_page("2026-11-24 08:32:40"),
        ),
    ]);
    input.baseline = Some(Baseline {
        title: "示例机械有限公司 - 液压设备制造".to_string(),
        script_hosts: vec!["hm.baidu.com".to_string()],
        ..Baseline::default()
    });
    input.random_path_captures = vec![capture(
        persona(PersonaKind::Baiduspider, false),
        "https://www.example-company.cn/zz9q.html",
        404,
        "<title>404</title>".to_string(),
    )];
    let analysis = analyse_site(&input, &context());
    assert!(analysis.signals.is_empty(), "{:#?}", analysis.signals);
    assert_eq!(analysis.verdict, Verdict::Clean);
}

#[test]
fn hijack_script_on_a_page_counts_for_the_site() {
    let html = company_page("10:00").replace(
        "</head>",
        "<script>var r=document.referrer;if(/(baidu|sogou|so\\.com|sm\\.cn)/i.test(r)){top.location.href='https://leyutiyu.me/?a=9';}</script></head>",
    );
    let input = site(vec![capture(
        persona(PersonaKind::DesktopBrowser, false),
        HOME,
        200,
        html,
    )]);
    let analysis = analyse_site(&input, &context());
    let signal = analysis.pages[0]
        .signals
        .iter()
        .find(|s| s.kind == "referrer_redirect")
        .expect("the page's script is screened");
    assert!(signal.explanation.contains("leyutiyu.me"));
    assert_eq!(analysis.pages[0].verdict, Verdict::Hijacked);
    assert_eq!(analysis.verdict, Verdict::Hijacked);
}

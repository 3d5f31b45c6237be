//! Hijacked-content scenarios (FACTS §7.1, §7.3): TDK replacement, spider cloaking, Baidu
//! referrer redirect, full-screen overlay, hidden links, parasite pages; and a GBK page.
//! Every page is written here from the published signatures, never copied.

use std::fmt::Write as _;

use super::catalogue::{
    Filing, aliyun, aliyun_ns, expect, filing_footer, hosted_dns, registration, tencent, xinnet,
};
use super::pages::{self, GAMBLING_HOST, HomePage};
use super::{
    Audience, Charset, DnsHint, PageRule, PathMatch, PhaseHint, RegistryBehaviour, Reply, Scenario,
    ScenarioKind, Signal, TlsKind, Web,
};

const NEWS_FILING: Filing = Filing {
    company: "深圳南山融媒科技有限公司",
    icp: "粤ICP备2022056318号-2",
    psb: "粤公网安备44030502008127号",
};
const SCHOOL_FILING: Filing = Filing {
    company: "南京启明职业培训学校",
    icp: "苏ICP备2021039264号-1",
    psb: "苏公网安备32010602010587号",
};
const REFERRER_FILING: Filing = Filing {
    company: "济南泉城机械制造有限公司",
    icp: "鲁ICP备2020047731号-1",
    psb: "鲁公网安备37010202001746号",
};
const HOTEL_FILING: Filing = Filing {
    company: "厦门鹭岛酒店管理有限公司",
    icp: "闽ICP备2023006925号-1",
    psb: "闽公网安备35020302035617号",
};
const FACTORY_FILING: Filing = Filing {
    company: "郑州中原五金制品有限公司",
    icp: "豫ICP备2022014483号-1",
    psb: "豫公网安备41010502004952号",
};
const COLLEGE_FILING: Filing = Filing {
    company: "长沙湘江职业技术学院",
    icp: "湘ICP备2021008896号-3",
    psb: "湘公网安备43010202000863号",
};
pub(crate) const GBK_FILING: Filing = Filing {
    company: "天津国货老店商贸有限公司",
    icp: "津ICP备2024017739号-1",
    psb: "津公网安备12010102000958号",
};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        gambling_hijack(),
        spider_cloaking(),
        baidu_referrer_redirect(),
        iframe_overlay(),
        hidden_link_farm(),
        parasite_pages(),
        gbk_page(),
    ]
}

/// A hijacked company: registered at Aliyun, hosted, valid certificate.
fn hijacked(
    kind: ScenarioKind,
    domain: &str,
    filing: &Filing,
    web: Web,
    signals: &[Signal],
) -> Scenario {
    Scenario {
        kind,
        domain: domain.to_owned(),
        site_label: None,
        registration: registration(
            -1100,
            250,
            &["clientTransferProhibited"],
            aliyun(),
            filing.company,
            aliyun_ns(),
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(Vec::new()),
        tls: TlsKind::Valid,
        web: Some(web),
        expect: expect(PhaseHint::Active, DnsHint::NoError, Some(200), signals),
    }
}

fn company_page<'a>(
    name: &'a str,
    filing: &Filing,
    tweak: impl FnOnce(&mut HomePage<'a>),
) -> String {
    let mut page = HomePage {
        title: name,
        keywords: "企业官网,产品,服务",
        description: "公司简介、产品与服务、联系方式。",
        main: "<p>我们专注于行业服务二十年，欢迎来电咨询。</p>",
        footer: filing_footer(filing),
        ..HomePage::default()
    };
    tweak(&mut page);
    pages::home(&page)
}

fn rule(path: &str, audience: Audience, body: String) -> PageRule {
    PageRule {
        path: PathMatch::Exact(path.to_owned()),
        audience,
        reply: Reply::html(200, body),
    }
}

/// `&#xNNNN;` for every character: how real templates hide terms in titles and footers.
fn entities(text: &str) -> String {
    text.chars().fold(String::new(), |mut out, c| {
        let _ = write!(out, "&#x{:X};", u32::from(c));
        out
    })
}

fn gambling_hijack() -> Scenario {
    let description = format!(
        "{}官方网站，真人视讯、体育投注、百家乐",
        entities("澳门新葡京")
    );
    let body = company_page(
        "澳门新葡京-真人视讯-体育投注_南山融媒",
        &NEWS_FILING,
        |page| {
            page.keywords = "澳门新葡京,真人视讯,体育投注,电子游艺";
            page.description = &description;
            page.main =
                "<p>本地新闻、政务公告。</p>\n<p>澳门新葡京 真人视讯 体育投注 注册即送彩金</p>";
        },
    );
    hijacked(
        ScenarioKind::GamblingHijack,
        "hijacked-news.com.cn",
        &NEWS_FILING,
        Web::home(body),
        &[Signal::FooterCorrect, Signal::GamblingContent],
    )
}

fn spider_cloaking() -> Scenario {
    let normal = company_page("启明职业培训 - 招生简章", &SCHOOL_FILING, |_| {});
    let cloaked = company_page(
        "澳门新葡京_真人视讯_体育投注官网",
        &SCHOOL_FILING,
        |page| {
            page.keywords = "澳门新葡京,真人视讯,体育投注";
            page.description = "澳门新葡京娱乐城真人视讯体育投注";
            page.head_extra = "<meta name=\"robots\" content=\"noarchive\">\n";
        },
    );
    let web = Web {
        rules: vec![
            rule("/", Audience::Spiders, cloaked),
            rule("/", Audience::Browsers, normal),
        ],
        fallback: Reply::html(404, pages::not_found()),
    };
    // A neglected school site: its certificate lapsed too.
    let mut scenario = hijacked(
        ScenarioKind::SpiderCloaking,
        "cloaked-school.cn",
        &SCHOOL_FILING,
        web,
        &[
            Signal::FooterCorrect,
            Signal::SpiderCloaking,
            Signal::GamblingContent,
        ],
    );
    scenario.tls = TlsKind::Expired;
    scenario
}

/// The referrer test of FACTS §7.3 (a), its strings hidden as `\xNN` escapes, the whole
/// packed by the Dean-Edwards scheme (§7.3 d).
pub(crate) fn referrer_redirect_script() -> String {
    let strings = ["referrer", "test", "location", "href"]
        .map(pages::hex_escape)
        .join("\",\"");
    let target = pages::hex_escape(&format!("https://{GAMBLING_HOST}/?agent=8848"));
    let source = format!(
        "var _0x5a1c=[\"{strings}\",\"{target}\"];(function(){{var _0x2b7e=document[_0x5a1c[0]];\
         if(/(baidu|sogou|soso|so|sm|360|haosou)\\.(com|cn)\\//i[_0x5a1c[1]](_0x2b7e))\
         {{window[_0x5a1c[2]][_0x5a1c[3]]=_0x5a1c[4]}}}})();"
    );
    pages::pack(&source)
}

fn baidu_referrer_redirect() -> Scenario {
    let normal = company_page("泉城机械 - 数控机床", &REFERRER_FILING, |_| {});
    let script = format!("<script>{}</script>\n", referrer_redirect_script());
    let injected = company_page("泉城机械 - 数控机床", &REFERRER_FILING, |page| {
        page.head_extra = &script;
    });
    let web = Web {
        rules: vec![
            rule("/", Audience::BaiduReferer, injected),
            rule("/", Audience::Anyone, normal),
        ],
        fallback: Reply::html(404, pages::not_found()),
    };
    hijacked(
        ScenarioKind::BaiduReferrerRedirect,
        "referrer-redirect.com",
        &REFERRER_FILING,
        web,
        &[
            Signal::FooterCorrect,
            Signal::ReferrerRedirect,
            Signal::ObfuscatedScript,
        ],
    )
}

fn iframe_overlay() -> Scenario {
    let overlay = format!(
        "<script>document.write('<style>html,body{{overflow:hidden}}</style>\
         <div style=\"position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647;background:#fff\">\
         <iframe src=\"https://{GAMBLING_HOST}/\" style=\"width:100%;height:100%;border:0\" frameborder=\"0\">\
         </iframe></div>');</script>\n"
    );
    let body = company_page("鹭岛酒店 - 在线预订", &HOTEL_FILING, |page| {
        page.body_extra = &overlay;
    });
    hijacked(
        ScenarioKind::IframeOverlay,
        "overlay-hotel.com",
        &HOTEL_FILING,
        Web::home(body),
        &[Signal::FooterCorrect, Signal::IframeOverlay],
    )
}

fn hidden_link_farm() -> Scenario {
    let links: String = pages::GAMBLING_TERMS
        .iter()
        .enumerate()
        .map(|(i, term)| format!("<a href=\"https://{GAMBLING_HOST}/?id={i}\">{term}</a>\n"))
        .collect();
    let farm = format!("<div style=\"display:none\">\n{links}</div>\n");
    let body = company_page(
        "中原五金 - 五金制品批发",
        &FACTORY_FILING,
        |page| {
            page.body_extra = &farm;
        },
    );
    let mut scenario = hijacked(
        ScenarioKind::HiddenLinkFarm,
        "linkfarm-factory.cn",
        &FACTORY_FILING,
        Web::home(body),
        &[
            Signal::FooterCorrect,
            Signal::HiddenLinks,
            Signal::GamblingContent,
        ],
    );
    scenario.registration = registration(
        -1300,
        120,
        &["ok"],
        xinnet(),
        FACTORY_FILING.company,
        vec!["ns1.xincache.com".to_owned(), "ns2.xincache.com".to_owned()],
    );
    scenario
}

fn parasite_pages() -> Scenario {
    let web = Web {
        rules: vec![
            rule(
                "/",
                Audience::Anyone,
                company_page("湘江职院 - 招生就业", &COLLEGE_FILING, |_| {}),
            ),
            PageRule {
                path: PathMatch::DoorwayPattern,
                audience: Audience::Anyone,
                reply: Reply::Doorway,
            },
        ],
        fallback: Reply::html(404, pages::not_found()),
    };
    hijacked(
        ScenarioKind::ParasitePages,
        "parasite-college.com.cn",
        &COLLEGE_FILING,
        web,
        &[Signal::FooterCorrect, Signal::ParasitePages],
    )
}

fn gbk_page() -> Scenario {
    let body = pages::home(&HomePage {
        title: "国货老店 - 天津百年老字号",
        keywords: "国货,老字号,天津特产",
        description: "天津国货老店，经营百年老字号商品。",
        head_extra: "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">\n",
        main: "<p>欢迎光临国货老店：狗不理包子、十八街麻花、耳朵眼炸糕，全国包邮。</p>",
        footer: filing_footer(&GBK_FILING),
        ..HomePage::default()
    })
    .replace("<meta charset=\"utf-8\">\n", "");
    let mut scenario = hijacked(
        ScenarioKind::GbkPage,
        "国货老店.中国",
        &GBK_FILING,
        Web {
            rules: vec![PageRule {
                path: PathMatch::Exact("/".to_owned()),
                audience: Audience::Anyone,
                reply: Reply::Document {
                    status: 200,
                    content_type: "text/html".to_owned(),
                    charset: Charset::Gbk,
                    headers: Vec::new(),
                    body,
                },
            }],
            fallback: Reply::html(404, pages::not_found()),
        },
        &[Signal::FooterCorrect, Signal::GbkCharset, Signal::GbkWhois],
    );
    scenario.registry = RegistryBehaviour::GbkWhois;
    scenario.registration = registration(
        -2500,
        90,
        &["ok"],
        tencent(),
        GBK_FILING.company,
        vec![
            "f1g1ns1.dnspod.net".to_owned(),
            "f1g1ns2.dnspod.net".to_owned(),
        ],
    );
    scenario
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrer_script_hides_its_strings() {
        let script = referrer_redirect_script();
        assert!(script.starts_with("eval(function(p,a,c,k,e,d)"));
        assert!(
            !script.contains(GAMBLING_HOST),
            "the landing host must be escaped"
        );
        assert!(!script.contains("\"referrer\""));
    }

    #[test]
    fn entities_encode_every_character() {
        assert_eq!(entities("澳门"), "&#x6FB3;&#x95E8;");
    }
}

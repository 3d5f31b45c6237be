//! Virtual hosts by Host header and by SNI; pages per audience.

use beian_lab::{ScenarioKind, TlsKind, hostile};

use crate::{host, http_get, https_get, site, start_lab};

const BAIDUSPIDER: &str =
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const BAIDU_REFERER: &str = "https://www.baidu.com/s?wd=%E6%B3%89%E5%9F%8E%E6%9C%BA%E6%A2%B0";

fn title(html: &str) -> String {
    html.split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title.to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn host_header_picks_the_site_on_any_address() {
    let lab = start_lab().await;
    let healthy = site(&lab, ScenarioKind::Healthy);
    let other_address = lab.endpoints().vhost_addresses[3];
    for address in [healthy.address, other_address] {
        let page = http_get(&lab, address, "healthy-shop.com", "/", &[]).await;
        assert_eq!(page.status, 200);
        assert!(page.text().contains("京ICP备2024031876号-1"));
    }
    let www = http_get(
        &lab,
        healthy.address,
        "www.healthy-shop.com:8080",
        "/about.html",
        &[],
    )
    .await;
    assert_eq!(www.status, 200);
    let missing = http_get(
        &lab,
        healthy.address,
        "healthy-shop.com",
        "/nothing.html",
        &[],
    )
    .await;
    assert_eq!(missing.status, 404);
    let unknown = http_get(&lab, healthy.address, "not-a-lab-site.com", "/", &[]).await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("no virtual host"));
}

#[tokio::test]
async fn cloaking_and_referrer_pages_depend_on_the_visitor() {
    let lab = start_lab().await;
    let cloaked = site(&lab, ScenarioKind::SpiderCloaking);
    let spider = http_get(
        &lab,
        cloaked.address,
        &host(cloaked),
        "/",
        &[("User-Agent", BAIDUSPIDER)],
    )
    .await;
    let browser = http_get(
        &lab,
        cloaked.address,
        &host(cloaked),
        "/",
        &[("User-Agent", CHROME)],
    )
    .await;
    assert!(title(&spider.text()).contains("澳门新葡京"));
    assert!(spider.text().contains("noarchive"));
    assert!(!title(&browser.text()).contains("澳门新葡京"));

    let redirect = site(&lab, ScenarioKind::BaiduReferrerRedirect);
    let from_baidu = http_get(
        &lab,
        redirect.address,
        &host(redirect),
        "/",
        &[("User-Agent", CHROME), ("Referer", BAIDU_REFERER)],
    )
    .await;
    let direct = http_get(
        &lab,
        redirect.address,
        &host(redirect),
        "/",
        &[("User-Agent", CHROME)],
    )
    .await;
    assert!(from_baidu.text().contains("eval(function(p,a,c,k,e,d)"));
    // The packed words include the hex escapes' digits: `\x72` survives as the word `x72`.
    assert!(
        from_baidu.text().contains("|x72|"),
        "hex escapes inside the packed code"
    );
    assert!(!direct.text().contains("eval("));
}

#[tokio::test]
async fn hijack_markers_are_on_the_pages() {
    let lab = start_lab().await;
    let body = |kind| {
        let site = site(&lab, kind);
        let lab = &lab;
        async move {
            http_get(lab, site.address, &host(site), "/", &[])
                .await
                .text()
        }
    };
    let overlay = body(ScenarioKind::IframeOverlay).await;
    assert!(
        overlay.contains("z-index:2147483647")
            && overlay.contains("<iframe src=\"https://pj-casino-lab.com/\"")
    );
    let farm = body(ScenarioKind::HiddenLinkFarm).await;
    assert!(farm.contains("<div style=\"display:none\">") && farm.contains(">澳门新葡京</a>"));
    let hijack = body(ScenarioKind::GamblingHijack).await;
    assert!(title(&hijack).contains("体育投注") && hijack.contains("&#x6FB3;&#x95E8;"));
    let stranger = body(ScenarioKind::ReRegistered).await;
    assert!(stranger.contains("浙ICP备2019027415号-1") && stranger.contains("真人视讯"));
    let parked = body(ScenarioKind::Parked).await;
    assert!(parked.contains("data-adblockkey") && parked.contains("This domain may be for sale"));
    let expired = body(ScenarioKind::ExpiredFilingActive).await;
    assert!(expired.contains("域名已过期"));
}

#[tokio::test]
async fn parasite_paths_answer_with_stuffed_titles() {
    let lab = start_lab().await;
    let parasite = site(&lab, ScenarioKind::ParasitePages);
    let get =
        |path: &'static str| http_get(&lab, parasite.address, "parasite-college.com.cn", path, &[]);
    let first = get("/qwe/8812.html").await;
    let again = get("/qwe/8812.html").await;
    let second = get("/zxc/1203.html").await;
    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(title(&first.text()), title(&again.text()));
    assert_ne!(title(&first.text()), title(&second.text()));
    assert_eq!(get("/about.html").await.status, 404);
}

#[tokio::test]
async fn gbk_page_and_oss_bucket() {
    let lab = start_lab().await;
    let gbk = site(&lab, ScenarioKind::GbkPage);
    let page = http_get(&lab, gbk.address, &gbk.domain_ascii, "/", &[]).await;
    assert_eq!(page.header("content-type"), Some("text/html; charset=gbk"));
    assert!(std::str::from_utf8(&page.body).is_err());
    let (text, _, errors) = encoding_rs::GBK.decode(&page.body);
    assert!(!errors && text.contains("狗不理包子"));

    let oss = site(&lab, ScenarioKind::DanglingOssCname);
    let answer = http_get(&lab, oss.address, &host(oss), "/", &[]).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.header("server"), Some("AliyunOSS"));
    assert!(answer.text().contains("<Code>NoSuchBucket</Code>"));
}

#[tokio::test]
async fn sni_picks_the_certificate_kind() {
    let lab = start_lab().await;
    for site in lab.sites() {
        let sni = host(site);
        let result = https_get(&lab, site.address, &sni, "/").await;
        match site.expected.tls {
            TlsKind::Valid => {
                let mut page = result.unwrap_or_else(|e| panic!("{sni}: {e}"));
                if let Some(path) = page.same_host_redirect().map(str::to_owned) {
                    page = https_get(&lab, site.address, &sni, &path)
                        .await
                        .unwrap_or_else(|e| panic!("{sni}{path}: {e}"));
                }
                assert_eq!(Some(page.status), site.expected.http_final_status, "{sni}");
            }
            TlsKind::Expired => assert!(
                result.as_ref().is_err_and(|e| e.contains("Expired")),
                "{sni}: {result:?}"
            ),
            TlsKind::SelfSigned => assert!(
                result.as_ref().is_err_and(|e| e.contains("UnknownIssuer")),
                "{sni}: {result:?}"
            ),
            TlsKind::WrongName => {
                let error = result.expect_err("a wrong-name certificate");
                assert!(error.contains("NotValidForName"), "{sni}: {error}");
                assert!(
                    error.contains(hostile::WRONG_CERTIFICATE_NAME),
                    "{sni}: {error}"
                );
            }
            TlsKind::None => assert!(result.is_err(), "{sni}: no HTTPS host expected"),
        }
    }
}

/// markup_injection: `/` redirects with the element in the query, the landing page's title is
/// the script, and CNNIC's record names a registrant and a registrar carrying the element —
/// all served verbatim, for the dashboard to escape.
#[tokio::test]
async fn markup_injection_serves_its_markup_verbatim() {
    let lab = start_lab().await;
    let markup = site(&lab, ScenarioKind::MarkupInjection);
    let first = http_get(&lab, markup.address, &host(markup), "/", &[]).await;
    assert_eq!(first.status, 302);
    assert_eq!(
        first.header("location"),
        Some(format!("/index.html?from={}", beian_lab::markup::IMG_ONERROR).as_str())
    );
    let landing = first.same_host_redirect().expect("a same-host redirect");
    let page = http_get(&lab, markup.address, &host(markup), landing, &[]).await;
    assert_eq!(page.status, 200);
    assert!(
        title(&page.text()).starts_with(beian_lab::markup::SCRIPT_TITLE),
        "{}",
        page.text()
    );

    let record = String::from_utf8(
        crate::whois(lab.endpoints().whois_cnnic, &markup.domain_ascii, 64 * 1024).await,
    )
    .expect("UTF-8");
    let img = beian_lab::markup::IMG_ONERROR;
    assert!(
        record.contains(&format!("Registrant: {img}武汉江城数码科技有限公司")),
        "{record}"
    );
    assert!(
        record.contains(&format!("Sponsoring Registrar: 江城域名{img}有限公司")),
        "{record}"
    );
}

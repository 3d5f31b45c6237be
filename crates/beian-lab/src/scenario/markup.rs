//! Markup where a careless dashboard would run it (DESIGN §5 security): a site whose `<title>`
//! is a script, whose registry record names a registrant and a registrar carrying an
//! `<img onerror>`, and whose home page redirects to a URL with the same markup in its query.
//! Every one of these strings reaches the dashboard as evidence; the browser test proves it is
//! shown as text and never run.

use super::catalogue::{Filing, expect, filing_footer, hosted_dns, registration};
use super::pages::{self, HomePage};
use super::{
    Audience, DnsHint, PageRule, PathMatch, PhaseHint, Registrar, RegistryBehaviour, Reply,
    Scenario, ScenarioKind, Signal, TlsKind, Web,
};

/// The script the site's title carries; a dashboard that runs it opens an alert.
pub(crate) const SCRIPT_TITLE_MARKUP: &str = "<script>alert('beian-xss')</script>";

/// The element the WHOIS fields and the redirect target carry; rendered as markup it makes an
/// `<img>` whose `onerror` runs.
pub(crate) const IMG_ONERROR_MARKUP: &str = "<img src=x onerror=alert(1)>";

pub(crate) const MARKUP_FILING: Filing = Filing {
    company: "武汉江城数码科技有限公司",
    icp: "鄂ICP备2023041527号-1",
    psb: "鄂公网安备42010602003158号",
};

/// Where `/` sends every visitor: the page's real path, with the markup in the query as a
/// tracking parameter would carry it.
const LANDING_PATH: &str = "/index.html";

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![markup_injection()]
}

/// A registrar whose names carry the element (CNNIC shows the Chinese one).
fn markup_registrar() -> Registrar {
    Registrar {
        name: format!("Jiangcheng Names {IMG_ONERROR_MARKUP} Ltd."),
        name_zh: format!("江城域名{IMG_ONERROR_MARKUP}有限公司"),
        iana_id: 3967,
        url: "http://www.jiangcheng-names.cn".to_owned(),
    }
}

/// `<`, `>`, `&` and quotes as entities, for the copy of the title the page shows as text.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn markup_injection() -> Scenario {
    let title = format!("{SCRIPT_TITLE_MARKUP}江城数码 - 官方网站");
    // The title element is raw text, so the script is its literal text; the heading shows the
    // same text escaped, so the page itself runs nothing.
    let body = pages::home(&HomePage {
        title: &title,
        keywords: "数码,电子产品,武汉",
        description: "江城数码：电子产品销售与维修。",
        main: "<p>电子产品销售、维修与以旧换新，欢迎到店咨询。</p>",
        footer: filing_footer(&MARKUP_FILING),
        ..HomePage::default()
    })
    .replace(
        &format!("<h1>{title}</h1>"),
        &format!("<h1>{}</h1>", escape_text(&title)),
    );
    let web = Web {
        rules: vec![
            PageRule {
                path: PathMatch::Exact("/".to_owned()),
                audience: Audience::Anyone,
                reply: Reply::Redirect {
                    status: 302,
                    location: format!("{LANDING_PATH}?from={IMG_ONERROR_MARKUP}"),
                },
            },
            PageRule {
                path: PathMatch::Exact(LANDING_PATH.to_owned()),
                audience: Audience::Anyone,
                reply: Reply::html(200, body),
            },
        ],
        fallback: Reply::html(404, pages::not_found()),
    };
    Scenario {
        kind: ScenarioKind::MarkupInjection,
        domain: "markup-injection.cn".to_owned(),
        site_label: None,
        registration: registration(
            -1400,
            260,
            &["ok"],
            markup_registrar(),
            &format!("{IMG_ONERROR_MARKUP}{}", MARKUP_FILING.company),
            vec!["ns1.jcdns.cn".to_owned(), "ns2.jcdns.cn".to_owned()],
        ),
        registry: RegistryBehaviour::Normal,
        dns: hosted_dns(Vec::new()),
        tls: TlsKind::Valid,
        web: Some(web),
        expect: expect(
            PhaseHint::Active,
            DnsHint::NoError,
            Some(200),
            &[Signal::FooterCorrect],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_is_the_script_and_the_heading_is_its_text() {
        let scenario = markup_injection();
        let web = scenario.web.expect("the scenario has pages");
        let page = web
            .rules
            .iter()
            .find_map(|rule| match (&rule.path, &rule.reply) {
                (PathMatch::Exact(path), Reply::Document { body, .. }) if path == LANDING_PATH => {
                    Some(body.clone())
                }
                _ => None,
            })
            .expect("the landing page");
        assert!(page.contains(&format!("<title>{SCRIPT_TITLE_MARKUP}")));
        assert_eq!(page.matches("<script>").count(), 1, "{page}");
        assert!(page.contains("<h1>&lt;script&gt;alert(&#39;beian-xss&#39;)&lt;/script&gt;"));
    }
}

//! Where a person goes to take a case's next step (FACTS §5.3: no public API files,
//! changes or cancels anything, so cases link to the consoles instead).

use serde::Serialize;

use super::CaseKind;

/// MIIT's filing system: public query, and where the SMS verification points to.
pub const MIIT_URL: &str = "https://beian.miit.gov.cn/";
/// The MPS platform (全国互联网安全管理服务平台) where PSB filings are made.
pub const MPS_URL: &str = "https://beian.mps.gov.cn/";

/// A console or page for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsoleLink {
    /// Stable: `provider_console`, `miit`, `mps`.
    pub id: &'static str,
    pub label_zh: String,
    pub label_en: String,
    /// `None` when the inventory does not know it yet (a provider without a console URL).
    pub url: Option<String>,
}

/// The consoles for a case of `kind`. ICP steps are taken in the access provider's
/// filing console (`provider_console`, from `AccessProvider.console_url`); when that is
/// unknown the link is still listed, without a URL, saying how to record it.
pub fn console_links(kind: CaseKind, provider_console: Option<&str>) -> Vec<ConsoleLink> {
    if kind.is_psb() {
        return vec![ConsoleLink {
            id: "mps",
            label_zh: "全国互联网安全管理服务平台（公安联网备案）".to_owned(),
            label_en: "MPS internet security management platform (PSB filing)".to_owned(),
            url: Some(MPS_URL.to_owned()),
        }];
    }
    let provider_console = provider_console
        .map(str::trim)
        .filter(|url| !url.is_empty());
    let provider = match provider_console {
        Some(url) => ConsoleLink {
            id: "provider_console",
            label_zh: "接入商备案控制台".to_owned(),
            label_en: "access provider's filing console".to_owned(),
            url: Some(url.to_owned()),
        },
        None => ConsoleLink {
            id: "provider_console",
            label_zh: "接入商备案控制台（网址未登记：用 `beian provider edit 接入商 --console-url 网址` 填写）"
                .to_owned(),
            label_en: "access provider's filing console (URL not recorded: run \
                       `beian provider edit PROVIDER --console-url URL`)"
                .to_owned(),
            url: None,
        },
    };
    vec![
        provider,
        ConsoleLink {
            id: "miit",
            label_zh: "工信部ICP/IP地址/域名信息备案管理系统".to_owned(),
            label_en: "MIIT ICP filing system".to_owned(),
            url: Some(MIIT_URL.to_owned()),
        },
    ]
}

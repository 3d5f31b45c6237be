//! HTML building blocks for the scenarios, written from the signatures in FACTS §7
//! (markers and shapes only; no real attack code is reproduced).

use std::fmt::Write as _;

use super::{Charset, Reply};

/// A footer's filing numbers, linked the way FACTS §1.4 and §1.5 (V9, V10) require.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Footer<'a> {
    /// `京ICP备2024031876号-1`, linked to https://beian.miit.gov.cn/.
    pub icp: Option<&'a str>,
    /// `京公网安备11010502031876号`, linked to beian.mps.gov.cn with its 14 digits.
    pub psb: Option<&'a str>,
    pub company: &'a str,
}

/// An ordinary company home page.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HomePage<'a> {
    pub title: &'a str,
    pub keywords: &'a str,
    pub description: &'a str,
    /// Extra markup at the end of `<head>` (robots meta, injected scripts).
    pub head_extra: &'a str,
    /// The visible content of `<main>`.
    pub main: &'a str,
    /// Extra markup at the end of `<body>` (injected overlays, hidden links).
    pub body_extra: &'a str,
    pub footer: Footer<'a>,
}

pub(crate) fn home(page: &HomePage<'_>) -> String {
    let mut html = String::with_capacity(1600);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<meta name=\"keywords\" content=\"{keywords}\">\n\
         <meta name=\"description\" content=\"{description}\">\n{head_extra}</head>\n<body>\n\
         <header><h1>{title}</h1><nav><a href=\"/\">首页</a> <a href=\"/about.html\">关于我们</a> \
         <a href=\"/contact.html\">联系我们</a></nav></header>\n<main>\n{main}\n</main>\n{footer}{body_extra}</body>\n</html>\n",
        title = page.title,
        keywords = page.keywords,
        description = page.description,
        head_extra = page.head_extra,
        main = page.main,
        footer = footer(&page.footer),
        body_extra = page.body_extra,
    );
    html
}

pub(crate) fn footer(footer: &Footer<'_>) -> String {
    let mut html = String::from("<footer>\n");
    let _ = writeln!(html, "<p>Copyright © {} 版权所有</p>", footer.company);
    if let Some(icp) = footer.icp {
        let _ = writeln!(
            html,
            "<a href=\"https://beian.miit.gov.cn/\" target=\"_blank\" rel=\"noreferrer\">{icp}</a>"
        );
    }
    if let Some(psb) = footer.psb {
        let code: String = psb.chars().filter(char::is_ascii_digit).collect();
        let _ = writeln!(
            html,
            "<a href=\"https://beian.mps.gov.cn/#/query/webSearch?code={code}\" target=\"_blank\" \
             rel=\"noreferrer\"><img src=\"/static/beian-icon.png\" alt=\"\" width=\"14\">{psb}</a>"
        );
    }
    html.push_str("</footer>\n");
    html
}

pub(crate) fn not_found() -> String {
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>404 Not Found</title></head>\
     <body><h1>404 Not Found</h1><p>页面不存在 / The page does not exist.</p></body></html>\n"
        .to_owned()
}

/// Gambling terms the pages carry (FACTS §7.6 brand seeds).
pub(crate) const GAMBLING_TERMS: &[&str] = &[
    "澳门新葡京",
    "真人视讯",
    "体育投注",
    "百家乐",
    "电子游艺",
    "威尼斯人",
    "太阳城",
    "滚球",
    "棋牌",
    "捕鱼",
    "开云",
    "亚博",
];

/// The lab's off-site gambling landing domain (served by the lab itself).
pub(crate) const GAMBLING_HOST: &str = "pj-casino-lab.com";

pub(crate) fn gambling_landing() -> String {
    home(&HomePage {
        title: "澳门新葡京娱乐城 - 真人视讯 体育投注 官方网站",
        keywords: "澳门新葡京,真人视讯,体育投注,百家乐,电子游艺",
        description: "澳门新葡京官方网站，提供真人视讯、体育投注、电子游艺、棋牌捕鱼。",
        main: "<p>注册即送 888 元彩金，百家乐、滚球、电子游艺 24 小时在线。</p>",
        footer: Footer {
            company: "澳门新葡京",
            ..Footer::default()
        },
        ..HomePage::default()
    })
}

/// A stuffed doorway page whose title is picked from the path (stable per path).
pub(crate) fn doorway(path: &str) -> String {
    let seed = path.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    let pick = |shift: u32| {
        let index = usize::try_from((seed >> shift) % GAMBLING_TERMS.len() as u64).unwrap_or(0);
        GAMBLING_TERMS[index]
    };
    let title = format!("{}{}_{}官网_{}", pick(0), pick(8), pick(16), seed % 100_000);
    let stuffing: String = (0..12)
        .map(|i| format!("<p>{}{}推荐</p>", pick(i * 5), pick(i * 5 + 3)))
        .collect();
    home(&HomePage {
        title: &title,
        keywords: &format!("{},{},{}", pick(24), pick(32), pick(40)),
        description: &title,
        main: &stuffing,
        ..HomePage::default()
    })
}

/// The page a Chinese registrar shows for an expired name (FACTS §7.4: registrar parking).
pub(crate) fn aliyun_expired() -> String {
    "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>域名已过期</title></head>\
     <body><div class=\"expired-notice\"><h1>该域名已过期</h1><p>您访问的域名已到期，解析已暂停。\
     如您是域名持有者，请尽快登录阿里云控制台续费，逾期将进入赎回期。</p>\
     <p>This domain name has expired. The holder can renew it in the registrar console.</p>\
     </div></body></html>\n"
        .to_owned()
}

/// A registrar parking page carrying the usual markers (FACTS §7.4 body markers).
pub(crate) fn parking(domain: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html data-adblockkey=\"MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALabKeyForTheLab\">\n\
         <head><meta charset=\"utf-8\"><title>{domain} - This domain may be for sale</title>\n\
         <script src=\"https://www.google.com/adsense/domains/caf.js\"></script>\n\
         <script>var sedoParkingUrl = \"/park?d={domain}\";</script></head>\n\
         <body><h1>{domain}</h1><p>This domain may be for sale. <a href=\"/buy\">Buy this domain</a></p>\n\
         <p>该域名正在出售中，欢迎询价。</p><div id=\"FOOTER_DOMAIN_PARKING\">Related searches</div></body></html>\n"
    )
}

/// Aliyun OSS's answer for a bucket that does not exist (FACTS §7.5).
pub(crate) fn oss_no_such_bucket() -> Reply {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchBucket</Code>\n  \
         <Message>The specified bucket does not exist.</Message>\n  <RequestId>65F0C0FFEE0000000000LAB1</RequestId>\n  \
         <HostId>{host}</HostId>\n  <BucketName>{bucket}</BucketName>\n  <EC>0015-00000101</EC>\n</Error>\n",
        host = super::infra::OSS_BUCKET_HOST,
        bucket = super::infra::OSS_BUCKET,
    );
    Reply::Document {
        status: 404,
        content_type: "application/xml".to_owned(),
        charset: Charset::Utf8,
        headers: vec![
            ("Server".to_owned(), "AliyunOSS".to_owned()),
            (
                "x-oss-request-id".to_owned(),
                "65F0C0FFEE0000000000LAB1".to_owned(),
            ),
            ("x-oss-ec".to_owned(), "0015-00000101".to_owned()),
        ],
        body,
    }
}

/// Every character of `text` as a `\xNN` escape (UTF-8 bytes; ASCII payloads only).
pub(crate) fn hex_escape(text: &str) -> String {
    text.bytes().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "\\x{byte:02x}");
        out
    })
}

/// Packs `source` the way the Dean-Edwards packer does: every word becomes a base-36 index
/// into a keyword list, unpacked at run time by the well-known `eval(function(p,a,c,k,e,d)…)`.
pub(crate) fn pack(source: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut packed = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        packed.push_str(&rest[..start].replace('\\', "\\\\").replace('\'', "\\'"));
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let word = &tail[..end];
        let index = words.iter().position(|w| *w == word).unwrap_or_else(|| {
            words.push(word);
            words.len() - 1
        });
        packed.push_str(&to_base36(index));
        rest = &tail[end..];
    }
    packed.push_str(&rest.replace('\\', "\\\\").replace('\'', "\\'"));
    format!(
        "eval(function(p,a,c,k,e,d){{e=function(c){{return c.toString(36)}};if(!''.replace(/^/,String))\
         {{while(c--){{d[c.toString(a)]=k[c]||c.toString(a)}}k=[function(e){{return d[e]}}];e=function()\
         {{return'\\\\w+'}};c=1}};while(c--){{if(k[c]){{p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}}}\
         return p}}('{packed}',36,{count},'{keywords}'.split('|'),0,{{}}))",
        count = words.len(),
        keywords = words.join("|"),
    )
}

fn to_base36(mut n: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doorway_titles_are_stable_per_path_and_differ_between_paths() {
        let title = |html: &str| {
            let start = html.find("<title>").map(|i| i + 7).unwrap_or(0);
            let end = html.find("</title>").unwrap_or(start);
            html[start..end].to_owned()
        };
        assert_eq!(
            title(&doorway("/abc/123.html")),
            title(&doorway("/abc/123.html"))
        );
        assert_ne!(
            title(&doorway("/abc/123.html")),
            title(&doorway("/xyz/987.html"))
        );
    }

    #[test]
    fn packer_keeps_every_word_in_its_keyword_list() {
        let packed = pack("var r=document.referrer;if(r){window.location.href='x'}");
        assert!(packed.starts_with("eval(function(p,a,c,k,e,d)"));
        assert!(packed.contains("referrer"));
        assert!(packed.contains("|location|"));
        assert!(!packed.contains("document.referrer"));
    }

    #[test]
    fn footer_links_the_psb_code() {
        let html = footer(&Footer {
            icp: Some("京ICP备2024031876号-1"),
            psb: Some("京公网安备11010502031876号"),
            company: "x",
        });
        assert!(html.contains("https://beian.miit.gov.cn/"));
        assert!(html.contains("webSearch?code=11010502031876\""));
    }
}

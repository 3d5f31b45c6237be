//! The identities a page is fetched as (FACTS §7.9): hijacked sites show gambling content only
//! to search spiders, or only to visitors arriving from a Baidu result, or only on phones.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use crate::settings::{Persona, PersonaKind};

/// Chrome on Windows 10, the most common desktop browser in China.
const DESKTOP_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
    (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
/// WeChat's in-app browser (XWEB) on Android.
const WECHAT_ANDROID: &str = "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) \
    AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 \
    XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F35) \
    WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
const BAIDUSPIDER: &str =
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)";
const SOGOU_SPIDER: &str =
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)";
const SPIDER_360: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
    (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36; 360Spider";

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,\
    image/avif,image/webp,image/apng,*/*;q=0.8";
const SPIDER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const ACCEPT_LANGUAGE: &str = "zh-CN,zh;q=0.9,en;q=0.8";

/// The User-Agent a persona sends.
pub fn user_agent(kind: PersonaKind) -> &'static str {
    match kind {
        PersonaKind::DesktopBrowser => DESKTOP_CHROME,
        PersonaKind::MobileWechat => WECHAT_ANDROID,
        PersonaKind::Baiduspider => BAIDUSPIDER,
        PersonaKind::SogouSpider => SOGOU_SPIDER,
        PersonaKind::Spider360 => SPIDER_360,
    }
}

/// The Accept header a persona sends.
pub fn accept(kind: PersonaKind) -> &'static str {
    match kind {
        PersonaKind::DesktopBrowser | PersonaKind::MobileWechat => BROWSER_ACCEPT,
        PersonaKind::Baiduspider | PersonaKind::SogouSpider | PersonaKind::Spider360 => {
            SPIDER_ACCEPT
        }
    }
}

/// The Accept-Language every persona sends (all of them claim to be in mainland China).
pub fn accept_language(_kind: PersonaKind) -> &'static str {
    ACCEPT_LANGUAGE
}

/// The Referer for `persona` visiting `host`: a Baidu result link when it arrives from Baidu.
/// Built per request with a fresh opaque token, as real result links are.
pub fn referer(persona: Persona, host: &str) -> Option<String> {
    persona.baidu_referer.then(|| baidu_result_link(host))
}

/// `https://www.baidu.com/link?url=<token>&wd=<host>&eqid=<hex>` — the shape of the Referer a
/// click on a Baidu result sends; cloaking scripts test for `baidu.com` in it.
pub fn baidu_result_link(host: &str) -> String {
    const TOKEN_ALPHABET: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut token = String::with_capacity(64);
    let mut eqid = String::with_capacity(32);
    // RandomState is seeded randomly per process and per instance: enough to make every link
    // distinct without a random-number dependency.
    let state = RandomState::new();
    for round in 0u64..8 {
        let mut hasher = state.build_hasher();
        hasher.write(host.as_bytes());
        hasher.write_u64(round);
        let mut bits = hasher.finish();
        for _ in 0..8 {
            token.push(char::from(TOKEN_ALPHABET[(bits & 63) as usize]));
            bits >>= 6;
        }
        if round < 2 {
            eqid.push_str(&format!("{:016x}", hasher.finish()));
        }
    }
    let wd: String = url::form_urlencoded::byte_serialize(host.as_bytes()).collect();
    format!("https://www.baidu.com/link?url={token}&wd={wd}&eqid={eqid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_persona_has_a_distinct_user_agent() {
        let agents: std::collections::BTreeSet<_> =
            PersonaKind::ALL.into_iter().map(user_agent).collect();
        assert_eq!(agents.len(), PersonaKind::ALL.len());
        assert!(user_agent(PersonaKind::MobileWechat).contains("MicroMessenger"));
        assert!(user_agent(PersonaKind::Spider360).contains("360Spider"));
        assert!(user_agent(PersonaKind::SogouSpider).contains("Sogou web spider"));
    }

    #[test]
    fn baidu_referer_is_a_result_link_and_fresh_each_time() {
        let persona = Persona {
            kind: PersonaKind::MobileWechat,
            baidu_referer: true,
        };
        let first = referer(persona, "例子.中国").expect("baidu persona has a referer");
        let second = referer(persona, "例子.中国").expect("baidu persona has a referer");
        assert!(first.starts_with("https://www.baidu.com/link?url="));
        assert!(first.contains("&wd=%E4%BE%8B"));
        assert_ne!(first, second);
        let plain = Persona {
            baidu_referer: false,
            ..persona
        };
        assert_eq!(referer(plain, "a.example"), None);
    }
}

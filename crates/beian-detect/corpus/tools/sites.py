"""Fictional owner sites and page templates for the detection corpus.

Everything here is written by us from the signatures in FACTS §7; the sites, companies and
filing numbers are invented (numbers follow the FACTS §1 grammar so the footer validator
accepts them; none is a placeholder).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Site:
    host: str
    owner: str
    name: str
    kind: str  # company | school | gov | hospital | shop | news | law | travel | culture
    icp: str
    psb: str
    nav: tuple
    articles: tuple
    about: str


SITES = [
    Site(
        "www.hzqichen-jixie.com.cn", "hzqichen-jixie.com.cn", "杭州启辰机械有限公司", "company",
        "浙ICP备2021031874号-1", "浙公网安备33010802011829号",
        ("首页", "产品中心", "解决方案", "新闻动态", "关于我们", "联系我们"),
        ("启辰机械亮相2025中国国际工业博览会", "新一代数控折弯机通过省级新产品鉴定",
         "关于2026年春节放假安排的通知", "公司荣获“浙江省专精特新中小企业”称号",
         "液压系统日常维护十大要点"),
        "杭州启辰机械有限公司成立于2008年，专注于数控折弯机、剪板机与自动化钣金生产线的研发与制造，"
        "产品销往全国二十余个省市及东南亚地区。公司拥有发明专利12项，通过ISO9001质量管理体系认证。",
    ),
    Site(
        "www.bjhaiyun-edu.cn", "bjhaiyun-edu.cn", "北京市海运职业学校", "school",
        "京ICP备13027746号-1", "京公网安备11010502030143号",
        ("学校首页", "学校概况", "招生就业", "教学科研", "学生工作", "信息公开"),
        ("我校学子在全国职业院校技能大赛中荣获一等奖", "2026年秋季招生简章",
         "关于开展校园安全隐患排查工作的通知", "航海技术专业人才培养方案研讨会顺利召开",
         "学校召开2025-2026学年第一学期期末教学工作会议"),
        "北京市海运职业学校是经北京市教育委员会批准设立的公办中等职业学校，开设航海技术、轮机工程技术、"
        "国际物流等专业，现有在校生一千二百余人。",
    ),
    Site(
        "www.szrenai-yiyuan.com", "szrenai-yiyuan.com", "深圳仁爱医院", "hospital",
        "粤ICP备2023018852号-1", "粤公网安备44030402005617号",
        ("医院首页", "医院概况", "科室导航", "专家介绍", "就医指南", "健康科普"),
        ("我院开展“世界糖尿病日”义诊活动", "门诊预约挂号须知（2026年版）",
         "冬季呼吸道疾病高发，专家提醒做好防护", "我院心血管内科成功完成首例左心耳封堵术",
         "关于调整部分科室门诊时间的公告"),
        "深圳仁爱医院是一所集医疗、预防、康复于一体的二级综合医院，开放床位三百张，设有内科、外科、"
        "妇产科、儿科、中医科等二十余个临床科室。",
    ),
    Site(
        "www.cdjinniu.gov.cn", "cdjinniu.gov.cn", "成都市金牛区人民政府", "gov",
        "蜀ICP备05008326号", "川公网安备51010602000123号",
        ("首页", "政务公开", "政务服务", "互动交流", "走进金牛", "专题专栏"),
        ("金牛区召开2026年优化营商环境工作推进会", "关于公开征求《金牛区城市更新实施办法》意见的公告",
         "区政务服务中心推出“周末不打烊”服务", "金牛区2025年国民经济和社会发展统计公报",
         "关于做好冬季安全生产工作的通知"),
        "金牛区位于成都市中心城区西北部，辖13个街道，常住人口一百二十余万人，是成都重要的商贸物流中心。",
    ),
    Site(
        "shop.hnyoupin.com", "hnyoupin.com", "湖南优品商城", "shop",
        "湘ICP备2022008765号-2", "湘公网安备43010202001186号",
        ("首页", "湘味特产", "茶叶冲饮", "粮油米面", "会员中心", "购物车"),
        ("安化黑茶 千两茶 2019年陈 礼盒装", "浏阳蒸菜 腊味合蒸 家庭装 1.5kg",
         "湘潭湘莲 去芯白莲 500g", "常德米粉 干米粉 2kg 装", "君山银针 明前特级 100g"),
        "湖南优品商城由湖南优品电子商务有限公司运营，精选湖南各地特色农产品，产地直发，支持七天无理由退货。",
    ),
    Site(
        "www.whlanxin.com", "whlanxin.com", "武汉兰心文化传媒有限公司", "culture",
        "鄂ICP备2024036893号-1", "鄂公网安备42010602000987号",
        ("首页", "影视制作", "品牌策划", "案例展示", "新闻资讯", "联系我们"),
        ("兰心传媒承制的纪录片《江城记忆》在央视播出", "2026年企业宣传片拍摄报价说明",
         "短视频营销的五个常见误区", "兰心传媒与武汉大学共建实践教学基地", "年会策划全流程指南"),
        "武汉兰心文化传媒有限公司成立于2015年，提供企业宣传片、纪录片、广告片制作及品牌整合传播服务。",
    ),
    Site(
        "www.njxianglin-tea.cn", "njxianglin-tea.cn", "南京香林茶业有限公司", "company",
        "苏ICP备2025175795号-1", "苏公网安备32010202012349号",
        ("首页", "雨花茶", "茶园基地", "门店分布", "茶文化", "联系我们"),
        ("2026年雨花茶开园采摘节即将开幕", "如何辨别正宗南京雨花茶", "香林茶业新店在新街口开业",
         "绿茶的冲泡温度与时间", "茶园基地通过绿色食品认证复审"),
        "南京香林茶业有限公司拥有自有茶园八百亩，主营南京雨花茶、金陵茶点及茶具，在南京设有十二家直营门店。",
    ),
    Site(
        "www.shtongfang-law.com", "shtongfang-law.com", "上海同方律师事务所", "law",
        "沪ICP备2025152989号-1", "沪公网安备31010602004567号",
        ("首页", "律所简介", "业务领域", "律师团队", "成功案例", "联系我们"),
        ("劳动合同解除的经济补偿如何计算", "同方律所获评2025年度上海市优秀律师事务所",
         "公司股权转让中的常见法律风险", "《民法典》婚姻家庭编要点解读", "房屋买卖合同纠纷典型案例分析"),
        "上海同方律师事务所成立于2006年，现有执业律师六十余名，业务涵盖公司商事、劳动人事、刑事辩护、"
        "知识产权与民商事诉讼。",
    ),
    Site(
        "www.xatianyu-soft.com", "xatianyu-soft.com", "西安天宇软件技术有限公司", "company",
        "陕ICP备2024026116号-1", "陕公网安备61011302000789号",
        ("首页", "产品与服务", "行业方案", "客户案例", "技术支持", "加入我们"),
        ("天宇软件发布智慧园区管理平台5.0", "2026届校园招聘启动", "天宇软件通过CMMI三级认证",
         "政务数据共享平台建设经验分享", "关于系统升级维护的公告"),
        "西安天宇软件技术有限公司是国家高新技术企业，专注于智慧园区、政务信息化与工业互联网软件的研发。",
    ),
    Site(
        "www.cqshanshui-travel.com", "cqshanshui-travel.com", "重庆山水国际旅行社", "travel",
        "渝ICP备2025052772号-1", "渝公网安备50010302001456号",
        ("首页", "国内游", "出境游", "定制旅行", "签证办理", "关于我们"),
        ("长江三峡五日游 2026春季特惠", "武隆天生三桥一日游行程介绍", "日本签证办理材料清单（2026更新）",
         "重庆洪崖洞夜景拍摄攻略", "关于规范旅游合同签订的提示"),
        "重庆山水国际旅行社有限公司持有出境旅游业务经营许可，主营三峡游轮、重庆周边游和出境定制游。",
    ),
    Site(
        "news.qdhaibin.cn", "qdhaibin.cn", "青岛海滨新闻网", "news",
        "鲁ICP备18015526号-3", "鲁公网安备37020202000321号",
        ("首页", "本地新闻", "国内", "国际", "财经", "体育", "文娱"),
        ("青岛地铁6号线二期工程全面开工", "2026青岛马拉松报名人数创新高", "崂山区推进美丽乡村建设",
         "市民政局发布冬季救助工作安排", "青岛港集装箱吞吐量同比增长7.8%"),
        "青岛海滨新闻网是经山东省互联网信息办公室批准的地方新闻网站，提供本地时政、民生、财经与文体资讯。",
    ),
    Site(
        "www.zzhuayu-food.com", "zzhuayu-food.com", "郑州华豫食品有限公司", "company",
        "豫ICP备20006012号-1", "豫公网安备41010502003358号",
        ("首页", "产品展示", "生产基地", "品质保障", "招商加盟", "联系我们"),
        ("华豫食品速冻水饺新品上市", "公司通过HACCP食品安全体系认证", "2026年经销商大会在郑州召开",
         "冬至饺子的由来", "关于假冒我司产品的严正声明"),
        "郑州华豫食品有限公司始建于1998年，主营速冻水饺、汤圆、面点，年产能五万吨，产品覆盖全国商超渠道。",
    ),
]

FOOTER_ADDRESSES = {
    "company": "地址：{city}高新技术产业开发区创业路88号　电话：0571-8697 2210",
    "school": "地址：{city}朝阳区东坝南路26号　邮编：100018　招生咨询：010-6543 2187",
    "hospital": "地址：{city}福田区莲花路1123号　急诊电话：0755-8326 1120",
    "gov": "主办：{city}金牛区人民政府办公室　地址：金府路18号　网站标识码：5101060001",
    "shop": "客服热线：400-826-7731（9:00-21:00）　经营者：湖南优品电子商务有限公司",
    "culture": "地址：{city}武昌区中北路108号　商务合作：027-8765 4410",
    "law": "地址：{city}静安区南京西路1266号恒隆广场二期32层　电话：021-6288 1350",
    "travel": "旅行社业务经营许可证：L-CQ-100238　地址：{city}渝中区民族路188号",
    "news": "违法和不良信息举报电话：0532-8288 6110　举报邮箱：jubao@qdhaibin.cn",
}

CITIES = {"浙": "杭州市", "京": "北京市", "粤": "深圳市", "蜀": "成都市", "湘": "长沙市",
          "鄂": "武汉市", "苏": "南京市", "沪": "上海市", "陕": "西安市", "渝": "重庆市",
          "鲁": "青岛市", "豫": "郑州市"}


def psb_digits(psb: str) -> str:
    return "".join(ch for ch in psb if ch.isdigit())


def footer_html(site: Site, icp=None, psb=None, icp_href="https://beian.miit.gov.cn/",
                psb_href=None, omit=False, extra="") -> str:
    """The footer as the filing rules want it, unless told otherwise."""
    icp = site.icp if icp is None else icp
    psb = site.psb if psb is None else psb
    city = CITIES.get(site.icp[0], "")
    address = FOOTER_ADDRESSES.get(site.kind, FOOTER_ADDRESSES["company"]).format(city=city)
    lines = [
        '<footer class="site-footer">',
        '  <div class="footer-links"><a href="/about.html">关于我们</a> | <a href="/sitemap.html">网站地图</a>'
        ' | <a href="/privacy.html">隐私政策</a> | <a href="/contact.html">联系我们</a></div>',
        f"  <p>Copyright © 2014-2026 {site.name} 版权所有</p>",
        f"  <p>{address}</p>",
    ]
    if not omit:
        if icp:
            if icp_href:
                lines.append(f'  <p><a href="{icp_href}" target="_blank" rel="noreferrer">{icp}</a>')
            else:
                lines.append(f"  <p><span>{icp}</span>")
        if psb:
            href = psb_href or f"https://beian.mps.gov.cn/#/query/webSearch?code={psb_digits(psb)}"
            lines.append(
                f'  <a href="{href}" target="_blank" rel="noreferrer">'
                f'<img src="/static/img/gongan.png" alt="" width="16" height="16"> {psb}</a></p>'
            )
        elif icp:
            lines.append("  </p>")
    lines.append(extra)
    lines.append("</footer>")
    return "\n".join(line for line in lines if line)


def articles_html(site: Site, rotate=0, date_seed=0) -> str:
    items = list(site.articles)
    items = items[rotate:] + items[:rotate]
    out = ['<section class="news"><h2>最新动态</h2><ul class="news-list">']
    for index, title in enumerate(items):
        day = (index * 7 + date_seed) % 27 + 1
        out.append(
            f'  <li><a href="/news/2026{(index % 9) + 1:02d}{day:02d}/{1200 + index * 17 + rotate}.html">'
            f'{title}</a><span class="date">2026-{(index % 9) + 1:02d}-{day:02d}</span></li>'
        )
    out.append("</ul></section>")
    return "\n".join(out)


STYLE = """<style>
body{margin:0;font-family:"Microsoft YaHei","PingFang SC",sans-serif;color:#333;background:#fff}
.wrap{width:1200px;margin:0 auto}.top-nav a{margin:0 12px;color:#fff}
.site-header{background:#0b4f8a;padding:12px 0}.news-list li{line-height:32px}
.site-footer{background:#f2f2f2;text-align:center;font-size:13px;color:#666;padding:20px 0}
.dropdown{display:none;position:absolute}.nav-item:hover .dropdown{display:block}
</style>"""


def page(site: Site, *, title=None, keywords=None, description=None, head_extra="", main_extra="",
         body_extra="", footer=None, rotate=0, date_seed=0, charset="utf-8", body_start="",
         main=None) -> str:
    """A realistic home page of `site`, with the injection points an attacker uses."""
    title = title if title is not None else f"{site.name} - 首页"
    keywords = keywords if keywords is not None else f"{site.name},{','.join(site.nav[1:4])}"
    description = description if description is not None else site.about[:60]
    nav = "".join(
        f'<li class="nav-item"><a href="/{"index" if i == 0 else "c" + str(i)}.html">{label}</a>'
        + (f'<ul class="dropdown"><li><a href="/c{i}/1.html">{label}概览</a></li>'
           f'<li><a href="/c{i}/2.html">{label}动态</a></li></ul>' if i else "")
        + "</li>"
        for i, label in enumerate(site.nav)
    )
    footer = footer if footer is not None else footer_html(site)
    main = main if main is not None else f"""<section class="banner"><img src="/static/img/banner-2026.jpg" alt="{site.name}"></section>
<section class="about"><h2>关于我们</h2><p>{site.about}</p><a class="more" href="/about.html">了解更多</a></section>
{articles_html(site, rotate, date_seed)}"""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta name="keywords" content="{keywords}">
<meta name="description" content="{description}">
<link rel="stylesheet" href="/static/css/main.css?v=20260112">
{STYLE}
{head_extra}
</head>
<body>
{body_start}
<header class="site-header"><div class="wrap">
<a class="logo" href="/"><img src="/static/img/logo.png" alt="{site.name}"></a>
<ul class="top-nav">{nav}</ul>
</div></header>
<main class="wrap">
{main}
{main_extra}
</main>
{footer}
<script src="/static/js/jquery-3.6.4.min.js"></script>
<script src="/static/js/main.js?v=20260112"></script>
{body_extra}
</body>
</html>
"""

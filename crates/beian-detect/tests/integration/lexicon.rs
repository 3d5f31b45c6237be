//! Lexicon normalisation, scoring and the hard negatives that must stay clean.

use beian_detect::lexicon::{Category, Lexicon, normalise_for_lexicon};
use beian_detect::{Region, Technique, Verdict};

use crate::analyse;

#[test]
fn normalisation_defeats_the_usual_tricks() {
    let cases = [
        ("ＢＥＴ３６５ 体育", "bet365体育"),
        (
            "澳\u{200B}门\u{200C}新\u{200D}葡\u{2060}京\u{FEFF}",
            "澳门新葡京",
        ),
        ("百 家 乐", "百家乐"),
        ("真-人.视*讯", "真人视讯"),
        ("六合彩", "6合彩"),
        ("一夜情", "1夜情"),
        ("澳門賭場", "澳门赌场"),
        ("菠菜导航", "博彩导航"),
        ("菠 菜 平 台", "博彩平台"),
        ("Hello   World", "hello world"),
    ];
    for (input, expected) in cases {
        assert_eq!(normalise_for_lexicon(input), expected, "{input}");
    }
}

#[test]
fn bundled_lexicon_is_small_and_categorised() {
    let lexicon = Lexicon::bundled();
    assert!(
        (1000..2000).contains(&lexicon.len()),
        "{} terms",
        lexicon.len()
    );
    for term in ["澳门新葡京", "6合彩", "bet365", "真人视讯"] {
        let found = lexicon
            .terms()
            .iter()
            .find(|t| t.text == term)
            .unwrap_or_else(|| panic!("{term}"));
        assert_eq!(found.category, Category::Gambling);
        assert!(found.weight >= 4.0, "{term}");
    }
    let weak = lexicon
        .terms()
        .iter()
        .find(|t| t.text == "彩票")
        .expect("彩票 listed");
    assert!(weak.weight <= 1.0);
    for everyday in ["美女电影", "迅雷下载", "体育彩票", "博白县"] {
        assert!(
            lexicon.terms().iter().all(|t| t.text != everyday),
            "{everyday}"
        );
    }
}

#[test]
fn scores_weigh_regions_and_tricks() {
    let lexicon = Lexicon::bundled();
    let title = lexicon.score("澳門新葡京 真 人 视 讯", Region::Title);
    let body = lexicon.score("澳門新葡京 真 人 视 讯", Region::Body);
    let g_title = title.category(Category::Gambling);
    assert_eq!(g_title.distinct(), 2);
    assert_eq!(g_title.strong_prominent(), 2);
    assert!((g_title.weighted - 4.0 * body.category(Category::Gambling).weighted).abs() < 0.01);
    assert!(
        lexicon.score("abwin xbwin", Region::Body).is_empty(),
        "ASCII brands start a word"
    );
    let repeated = lexicon.score(&"百家乐 ".repeat(100), Region::Body);
    assert_eq!(
        repeated.category(Category::Gambling).hits,
        3,
        "a repeated term is capped"
    );
}

#[test]
fn gambling_title_is_hijacked() {
    let html = "<title>澳门新葡京-真人视讯-百家乐官网</title><body><p>某某机械有限公司 产品中心</p></body>";
    let analysis = analyse(html, "https://www.example.com.cn/", "example.com.cn", None);
    assert_eq!(analysis.verdict, Verdict::Hijacked);
    let signal = analysis
        .signals
        .iter()
        .find(|s| s.kind == "gambling_terms")
        .expect("gambling");
    assert_eq!(signal.technique, Technique::HostileContent);
    assert!(!signal.evidence.is_empty());
}

#[test]
fn sports_lottery_news_is_clean() {
    let html = r#"<html><head><title>中国体育彩票 超级大乐透第25131期开奖公告</title>
        <meta name="keywords" content="体育彩票,大乐透,开奖,竞彩,彩票公益金">
        <meta name="description" content="国家体育总局体育彩票管理中心发布超级大乐透开奖公告，彩票公益金支持全民健身。"></head>
        <body><h1>超级大乐透第25131期开奖公告</h1>
        <p>本期全国销售额3.1亿元，一等奖中出2注。竞彩足球、排列三、七星彩同步开奖。理性购彩，量力而行。
        体育彩票公益金用于全民健身和奥运争光计划。未满18周岁不得购买彩票。</p>
        <a href="https://www.lottery.gov.cn/">中国体育彩票官网</a></body></html>"#;
    let analysis = analyse(
        html,
        "https://www.lottery.gov.cn/news/1.html",
        "lottery.gov.cn",
        None,
    );
    assert_eq!(analysis.verdict, Verdict::Clean, "{:#?}", analysis.signals);
}

#[test]
fn casino_film_review_is_clean() {
    let html = r#"<html><head><title>《赌城风云》影评：一部关于友情的电影</title>
        <meta name="description" content="影评：导演讲述了两个朋友的故事。"></head>
        <body><p>影片的开头，主角走进一家赌场，却在那里遇到了多年未见的老朋友。
        整部电影节奏紧凑，演员表演自然，配乐也很出色。推荐指数：四星。</p></body></html>"#;
    let analysis = analyse(
        html,
        "https://movie.example.cn/review/9",
        "example.cn",
        None,
    );
    assert_eq!(analysis.verdict, Verdict::Clean, "{:#?}", analysis.signals);
}

#[test]
fn ecommerce_page_is_clean() {
    let html = r#"<html><head><title>新鲜菠菜 500g 有机蔬菜 - 优选商城</title>
        <meta name="keywords" content="菠菜,蔬菜,生鲜,棋牌桌,彩票机"></head>
        <body><p>新鲜菠菜，当日采摘。满99元包邮，支持货到付款。登录后查看优惠券，注册会员送积分。</p>
        <p>猜你喜欢：麻将机 棋牌桌 儿童玩具 捕鱼玩具</p>
        <form action="/cart"><input type="password"></form>
        <a href="https://weibo.com/shop">官方微博</a><a href="https://beian.miit.gov.cn/">京ICP备13027746号-1</a></body></html>"#;
    let analysis = analyse(html, "https://shop.example.com/p/1", "example.com", None);
    assert_eq!(analysis.verdict, Verdict::Clean, "{:#?}", analysis.signals);
}

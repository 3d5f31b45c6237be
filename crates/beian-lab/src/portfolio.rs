//! A portfolio sheet that covers every scenario of the standard catalogue: the inventory a
//! person would keep for these sites (subjects, filings, PSB numbers, go-live dates). The
//! end-to-end scan test, `beian lab --portfolio` and the demo import it.

use std::fmt::Write as _;

use beian_core::identifier::uscc_check_character;

use crate::scenario::{bulk_domain, bulk_filing};
use crate::{Lab, LabSite, ScenarioKind};

/// One website of the portfolio: the scenario it is served by and what the inventory says.
pub struct PortfolioRow {
    pub kind: ScenarioKind,
    pub company: &'static str,
    pub site: &'static str,
    pub icp: Option<&'static str>,
    pub psb: Option<&'static str>,
    /// Go-live, days from today (the PSB deadline counts from it).
    pub go_live: Option<i64>,
    pub closed: bool,
    /// Whether the server address on record is the one the lab's DNS gives (false for
    /// sites whose name is a CNAME to someone else's host).
    pub own_address: bool,
}

const fn row(
    kind: ScenarioKind,
    company: &'static str,
    site: &'static str,
    icp: Option<&'static str>,
    psb: Option<&'static str>,
    go_live: Option<i64>,
) -> PortfolioRow {
    PortfolioRow {
        kind,
        company,
        site,
        icp,
        psb,
        go_live,
        closed: false,
        own_address: true,
    }
}

const HOSTILE: &str = "敌意测试有限公司";

/// The portfolio: every scenario of the standard catalogue, none skipped (the hostile
/// servers are websites like any other: a scan must get through them). Filing numbers are
/// the ones the scenarios' footers show; sites whose pages show none get a plausible one of
/// their subject. Go-live dates only where a PSB filing exists, except the unresolvable site,
/// which has none and is overdue.
pub fn portfolio_rows() -> Vec<PortfolioRow> {
    use ScenarioKind as K;
    let mut rows = vec![
        row(
            K::Healthy,
            "北京青禾网络科技有限公司",
            "青禾网络",
            Some("京ICP备2024031876号-1"),
            Some("京公网安备11010502031876号"),
            Some(-700),
        ),
        row(
            K::ExpiringSoon,
            "上海明远贸易有限公司",
            "明远贸易",
            Some("沪ICP备2023018472号-1"),
            Some("沪公网安备31010402009281号"),
            Some(-600),
        ),
        PortfolioRow {
            own_address: false,
            ..row(
                K::ExpiredFilingActive,
                "北京远山教育咨询有限公司",
                "远山教育",
                Some("京ICP备2019034521号-1"),
                None,
                None,
            )
        },
        row(
            K::Redemption,
            "深圳市海川电子有限公司",
            "海川电子",
            Some("粤ICP备2019045127号-1"),
            None,
            None,
        ),
        row(
            K::PendingDelete,
            "深圳市海川电子有限公司",
            "海川商城",
            Some("粤ICP备2019045127号-2"),
            None,
            None,
        ),
        // Closed, its filing never cancelled, and its domain dropped: two findings that call
        // for the same cancellation, one case.
        PortfolioRow {
            closed: true,
            ..row(
                K::Dropped,
                "深圳市海川电子有限公司",
                "海川旧站",
                Some("粤ICP备2019045127号-3"),
                None,
                None,
            )
        },
        row(
            K::ReRegistered,
            "杭州禾木文化传播有限公司",
            "禾木文化",
            Some("浙ICP备2019027415号-1"),
            Some("浙公网安备33010602011348号"),
            Some(-800),
        ),
        row(
            K::NxDomain,
            "成都云栖软件有限公司",
            "云栖软件",
            Some("蜀ICP备2020031742号-1"),
            None,
            Some(-200),
        ),
        row(
            K::Parked,
            "宁波东海贸易有限公司",
            "东海贸易",
            Some("浙ICP备2020051836号-1"),
            None,
            None,
        ),
        PortfolioRow {
            own_address: false,
            ..row(
                K::DanglingOssCname,
                "广州星河传媒有限公司",
                "星河静态资源",
                Some("粤ICP备2019062714号-2"),
                None,
                None,
            )
        },
        row(
            K::GamblingHijack,
            "深圳南山融媒科技有限公司",
            "南山融媒",
            Some("粤ICP备2022056318号-2"),
            Some("粤公网安备44030502008127号"),
            Some(-500),
        ),
        row(
            K::SpiderCloaking,
            "南京启明职业培训学校",
            "启明培训",
            Some("苏ICP备2021039264号-1"),
            Some("苏公网安备32010602010587号"),
            Some(-900),
        ),
        row(
            K::BaiduReferrerRedirect,
            "济南泉城机械制造有限公司",
            "泉城机械",
            Some("鲁ICP备2020047731号-1"),
            Some("鲁公网安备37010202001746号"),
            Some(-1000),
        ),
        row(
            K::IframeOverlay,
            "厦门鹭岛酒店管理有限公司",
            "鹭岛酒店",
            Some("闽ICP备2023006925号-1"),
            Some("闽公网安备35020302035617号"),
            Some(-400),
        ),
        row(
            K::HiddenLinkFarm,
            "郑州中原五金制品有限公司",
            "中原五金",
            Some("豫ICP备2022014483号-1"),
            Some("豫公网安备41010502004952号"),
            Some(-600),
        ),
        row(
            K::ParasitePages,
            "长沙湘江职业技术学院",
            "湘江职院",
            Some("湘ICP备2021008896号-3"),
            Some("湘公网安备43010202000863号"),
            Some(-1100),
        ),
        row(
            K::GbkPage,
            "天津国货老店商贸有限公司",
            "国货老店",
            Some("津ICP备2024017739号-1"),
            Some("津公网安备12010102000958号"),
            Some(-300),
        ),
    ];
    for (kind, site) in [
        (K::HostileHang, "敌意-挂起"),
        (K::HostileTrickle, "敌意-慢速"),
        (K::HostileHugeBody, "敌意-巨型响应"),
        (K::HostileGzipBomb, "敌意-压缩炸弹"),
        (K::HostileRedirectLoop, "敌意-重定向循环"),
        (K::HostileMalformedDns, "敌意-畸形DNS"),
        (K::HostileSilentDns, "敌意-静默DNS"),
        (K::HostileHugeWhois, "敌意-巨型WHOIS"),
        (K::HostileRateLimited, "敌意-限流"),
    ] {
        rows.push(row(kind, HOSTILE, site, None, None, None));
    }
    // The markup in its title, WHOIS and redirect is the attacker's; the inventory is in order.
    rows.push(row(
        K::MarkupInjection,
        "武汉江城数码科技有限公司",
        "江城数码",
        Some("鄂ICP备2023041527号-1"),
        Some("鄂公网安备42010602003158号"),
        Some(-400),
    ));
    rows
}

/// A company USCC with a valid check character, one per subject (distinct for the first
/// 270,000 subjects; the serial wraps at seven digits rather than grow past them).
fn uscc(index: usize) -> String {
    let serial = index.wrapping_mul(37).wrapping_add(1000) % 10_000_000;
    let first17 = format!("91110108MA{serial:07}");
    let check = uscc_check_character(&first17).expect("17 characters of the USCC alphabet");
    format!("{first17}{check}")
}

/// What one line of the sheet says about a site, whichever list it comes from.
struct SheetRow<'a> {
    company: &'a str,
    site: &'a str,
    icp: Option<&'a str>,
    psb: Option<&'a str>,
    go_live: Option<i64>,
    closed: bool,
    own_address: bool,
    /// The demo's tags: which group of the portfolio the site is in.
    tags: &'a str,
}

/// Tags of the portfolio's two groups, so the demo's tag filter and bulk actions have
/// something to work on.
const SCENARIO_TAG: &str = "演示场景";
const BULK_TAG: &str = "常规站点";

/// Go-live of the bulk sites, days from today: long enough ago that every filing is due.
const BULK_GO_LIVE: i64 = -300;

/// The portfolio sheet (English headers): one website per scenario of the lab's catalogue,
/// then one per bulk healthy site the lab serves (each its own subject with valid filings).
pub fn portfolio_csv(lab: &Lab) -> String {
    let today = lab.today();
    let date = |days: i64| {
        today
            .checked_add_signed(chrono::TimeDelta::days(days))
            .expect("a date near today")
            .format("%Y-%m-%d")
            .to_string()
    };
    let mut csv = String::from(
        "subject_name,subject_kind,subject_id_number,principal,site_name,home_url,domains,\
         server_ips,go_live_on,site_status,closed_on,icp_number,filing_status,filed_on,\
         psb_number,psb_filed_on,domain_holder,tags\n",
    );
    let mut subjects: Vec<String> = Vec::new();
    let mut write = |row: &SheetRow<'_>, site: &LabSite| {
        let index = subjects
            .iter()
            .position(|name| name == row.company)
            .unwrap_or_else(|| {
                subjects.push(row.company.to_owned());
                subjects.len() - 1
            });
        let filed = row.go_live.map_or(-900, |days| days - 20);
        let cells = [
            row.company.to_owned(),
            "企业".to_owned(),
            uscc(index),
            "张伟".to_owned(),
            row.site.to_owned(),
            site.url.to_string(),
            site.domain.clone(),
            if row.own_address {
                site.address.to_string()
            } else {
                String::new()
            },
            row.go_live.map(date).unwrap_or_default(),
            if row.closed { "closed" } else { "active" }.to_owned(),
            if row.closed { date(-60) } else { String::new() },
            row.icp.unwrap_or_default().to_owned(),
            if row.icp.is_some() { "active" } else { "" }.to_owned(),
            if row.icp.is_some() {
                date(filed)
            } else {
                String::new()
            },
            row.psb.unwrap_or_default().to_owned(),
            if row.psb.is_some() {
                date(filed + 40)
            } else {
                String::new()
            },
            row.company.to_owned(),
            row.tags.to_owned(),
        ];
        let _ = writeln!(csv, "{}", cells.join(","));
    };
    for row in portfolio_rows() {
        // A lab started with a smaller catalogue simply has fewer rows.
        let Some(site) = lab.site(row.kind) else {
            continue;
        };
        let sheet = SheetRow {
            company: row.company,
            site: row.site,
            icp: row.icp,
            psb: row.psb,
            go_live: row.go_live,
            closed: row.closed,
            own_address: row.own_address,
            tags: SCENARIO_TAG,
        };
        write(&sheet, site);
    }
    // The lab appends its bulk sites in index order after the catalogue; the domain check
    // keeps a site from ever being listed under another one's filing.
    let bulk = lab
        .sites()
        .iter()
        .filter(|site| site.scenario == ScenarioKind::BulkHealthy);
    for (index, site) in bulk.enumerate() {
        if site.domain != bulk_domain(index) {
            continue;
        }
        let filing = bulk_filing(index);
        let name = format!("样本站点{index:02}");
        let sheet = SheetRow {
            company: &filing.company,
            site: &name,
            icp: Some(&filing.icp),
            psb: Some(&filing.psb),
            go_live: Some(BULK_GO_LIVE),
            closed: false,
            own_address: true,
            tags: BULK_TAG,
        };
        write(&sheet, site);
    }
    csv
}

//! The 31 provincial-level divisions with their filing prefixes (FACTS §1.1), and the
//! GB/T 2260 division codes (NBS 2023 edition, `data/divisions`) used by PSB numbers,
//! resident ID numbers and USCCs.
//!
//! ICP (MIIT) and PSB prefixes differ for four provinces: Sichuan 蜀/川, Guizhou 黔/贵,
//! Gansu 陇/甘 (Yunnan is 滇 for both). The strict lists are what a validator accepts
//! silently; the aliases are what real footers use by mistake and earn a warning.

use std::collections::HashMap;
use std::sync::LazyLock;

/// One provincial-level division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    /// Two-digit GB/T 2260 code, e.g. "11".
    pub code: &'static str,
    /// Short name, e.g. "北京".
    pub name: &'static str,
    /// MIIT prefix of ICP filing and licence numbers (京ICP备…).
    pub icp_prefix: char,
    /// Public-security prefix of 公网安备 numbers (京公网安备…).
    pub psb_prefix: char,
}

const fn p(code: &'static str, name: &'static str, icp: char, psb: char) -> Province {
    Province {
        code,
        name,
        icp_prefix: icp,
        psb_prefix: psb,
    }
}

/// FACTS §1.1, in GB/T 2260 order.
pub const PROVINCES: [Province; 31] = [
    p("11", "北京", '京', '京'),
    p("12", "天津", '津', '津'),
    p("13", "河北", '冀', '冀'),
    p("14", "山西", '晋', '晋'),
    p("15", "内蒙古", '蒙', '蒙'),
    p("21", "辽宁", '辽', '辽'),
    p("22", "吉林", '吉', '吉'),
    p("23", "黑龙江", '黑', '黑'),
    p("31", "上海", '沪', '沪'),
    p("32", "江苏", '苏', '苏'),
    p("33", "浙江", '浙', '浙'),
    p("34", "安徽", '皖', '皖'),
    p("35", "福建", '闽', '闽'),
    p("36", "江西", '赣', '赣'),
    p("37", "山东", '鲁', '鲁'),
    p("41", "河南", '豫', '豫'),
    p("42", "湖北", '鄂', '鄂'),
    p("43", "湖南", '湘', '湘'),
    p("44", "广东", '粤', '粤'),
    p("45", "广西", '桂', '桂'),
    p("46", "海南", '琼', '琼'),
    p("50", "重庆", '渝', '渝'),
    p("51", "四川", '蜀', '川'),
    p("52", "贵州", '黔', '贵'),
    p("53", "云南", '滇', '滇'),
    p("54", "西藏", '藏', '藏'),
    p("61", "陕西", '陕', '陕'),
    p("62", "甘肃", '陇', '甘'),
    p("63", "青海", '青', '青'),
    p("64", "宁夏", '宁', '宁'),
    p("65", "新疆", '新', '新'),
];

/// Prefixes that are not MIIT's but name the province unambiguously: warn and suggest.
/// 川 is seen in five real footers (FACTS §1.1); 贵 and 甘 are the same mistake the other
/// way round (the PSB prefix used for ICP) and 云 the everyday short name — "where
/// unsure, warn" (FACTS §0.2).
const ICP_ALIASES: [(char, &str); 4] = [('川', "51"), ('贵', "52"), ('甘', "62"), ('云', "53")];
/// Prefixes for PSB numbers that are not the police's own: 云 and 黔 per FACTS §1.1, and
/// 蜀 and 陇 (the ICP prefixes of Sichuan and Gansu) by the same reasoning as 黔.
const PSB_ALIASES: [(char, &str); 4] = [('云', "53"), ('黔', "52"), ('蜀', "51"), ('陇', "62")];
/// Licence prefixes outside both strict lists that still name a province (the VAT-licence
/// regex of FACTS §1.3 accepts 云; Sichuan licences use 川B2).
const LICENCE_EXTRA: [(char, &str); 1] = [('云', "53")];

/// How a prefix character relates to a province.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixMatch {
    /// The strict, official prefix.
    Exact(&'static Province),
    /// A known variant: accept with a warning suggesting `province`'s official prefix.
    Alias(&'static Province),
}

impl PrefixMatch {
    pub fn province(self) -> &'static Province {
        match self {
            PrefixMatch::Exact(p) | PrefixMatch::Alias(p) => p,
        }
    }
}

/// The province with this two-digit code.
pub fn by_code(code: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}

fn lookup(aliases: &[(char, &str)], c: char) -> Option<&'static Province> {
    aliases
        .iter()
        .find(|(a, _)| *a == c)
        .and_then(|(_, code)| by_code(code))
}

/// Reads an ICP prefix (京ICP备, 蜀ICP备; 川 is an alias).
pub fn icp_prefix(c: char) -> Option<PrefixMatch> {
    if let Some(p) = PROVINCES.iter().find(|p| p.icp_prefix == c) {
        return Some(PrefixMatch::Exact(p));
    }
    lookup(&ICP_ALIASES, c).map(PrefixMatch::Alias)
}

/// Reads a PSB prefix (京公网安备, 川公网安备; 云 and 黔 are aliases).
pub fn psb_prefix(c: char) -> Option<PrefixMatch> {
    if let Some(p) = PROVINCES.iter().find(|p| p.psb_prefix == c) {
        return Some(PrefixMatch::Exact(p));
    }
    lookup(&PSB_ALIASES, c).map(PrefixMatch::Alias)
}

/// Reads a telecom-licence prefix (京B2-…, 川B2-…): both the ICP and the PSB
/// characters name the province, since licences follow neither list strictly.
pub fn licence_prefix(c: char) -> Option<&'static Province> {
    PROVINCES
        .iter()
        .find(|p| p.icp_prefix == c || p.psb_prefix == c)
        .or_else(|| lookup(&LICENCE_EXTRA, c))
}

/// Characters that some lax validators accept as a province (FACTS §1.1) mapped to the
/// province they mean, so that an error can name the right prefix.
pub fn historic_name(c: char) -> Option<&'static Province> {
    let code = match c {
        '申' => "31",
        '楚' => "42",
        '秦' => "61",
        _ => return None,
    };
    by_code(code)
}

/// Every 6-digit division code with its name: provinces padded `xx0000`, cities `xxxx00`,
/// counties as they are (3,348 codes). Sorted by code for a binary search that neither
/// hashes nor allocates; a later file's row wins over an earlier one with the same code.
static DIVISIONS: LazyLock<Vec<(u32, &'static str)>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    let files: [&'static str; 3] = [
        include_str!("../../../../data/divisions/provinces.csv"),
        include_str!("../../../../data/divisions/cities.csv"),
        include_str!("../../../../data/divisions/areas.csv"),
    ];
    for text in files {
        for line in text.lines().skip(1) {
            let mut fields = line.split(',');
            let (Some(code), Some(name)) = (fields.next(), fields.next()) else {
                continue;
            };
            // A code that is not 2, 4 or 6 digits cannot be asked for (lookups take six
            // ASCII digits), so it is left out rather than mangled.
            let Some(code) = code_number(&format!("{code:0<6}")) else {
                continue;
            };
            map.insert(code, name.trim_matches('"'));
        }
    }
    let mut sorted: Vec<(u32, &'static str)> = map.into_iter().collect();
    sorted.sort_unstable_by_key(|(code, _)| *code);
    sorted
});

/// Six ASCII digits as a number; anything else is no division code.
fn code_number(code6: &str) -> Option<u32> {
    let bytes: &[u8; 6] = code6.as_bytes().try_into().ok()?;
    bytes.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

fn division_by_number(code: u32) -> Option<&'static str> {
    DIVISIONS
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|at| DIVISIONS[at].1)
}

/// Name of a 6-digit GB/T 2260 division code (e.g. "110105" → "朝阳区"), if known.
pub fn division_name(code6: &str) -> Option<&'static str> {
    division_by_number(code_number(code6)?)
}

/// Full place name of a 6-digit code, e.g. "110105" → "北京市朝阳区": province, city
/// (unless a placeholder such as 市辖区) and county, as far as each is known.
pub fn division_path(code6: &str) -> Option<String> {
    let code = code_number(code6)?;
    let own = division_by_number(code)?;
    let province_code = code / 10_000 * 10_000;
    let city_code = code / 100 * 100;
    let province = division_by_number(province_code);
    let city = (city_code != province_code)
        .then(|| division_by_number(city_code))
        .flatten()
        .filter(|city| {
            !matches!(
                *city,
                "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
            )
        });
    let county = (code != city_code && code != province_code).then_some(own);
    let pieces = [province, city, county];
    // Sized up front: one allocation, no regrowing.
    let mut out = String::with_capacity(pieces.iter().flatten().map(|p| p.len()).sum());
    for piece in pieces.into_iter().flatten() {
        out.push_str(piece);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_the_four_split_provinces() {
        assert_eq!(
            by_code("51").map(|p| (p.icp_prefix, p.psb_prefix)),
            Some(('蜀', '川'))
        );
        assert_eq!(
            by_code("52").map(|p| (p.icp_prefix, p.psb_prefix)),
            Some(('黔', '贵'))
        );
        assert_eq!(
            by_code("62").map(|p| (p.icp_prefix, p.psb_prefix)),
            Some(('陇', '甘'))
        );
        assert_eq!(
            by_code("53").map(|p| (p.icp_prefix, p.psb_prefix)),
            Some(('滇', '滇'))
        );
    }

    #[test]
    fn aliases_are_not_exact() {
        assert!(matches!(icp_prefix('川'), Some(PrefixMatch::Alias(p)) if p.code == "51"));
        assert!(matches!(icp_prefix('蜀'), Some(PrefixMatch::Exact(p)) if p.code == "51"));
        assert!(matches!(psb_prefix('云'), Some(PrefixMatch::Alias(p)) if p.code == "53"));
        assert!(matches!(psb_prefix('黔'), Some(PrefixMatch::Alias(p)) if p.code == "52"));
        assert!(matches!(psb_prefix('贵'), Some(PrefixMatch::Exact(p)) if p.code == "52"));
        assert!(matches!(icp_prefix('贵'), Some(PrefixMatch::Alias(p)) if p.code == "52"));
        assert!(matches!(psb_prefix('蜀'), Some(PrefixMatch::Alias(p)) if p.code == "51"));
        assert_eq!(icp_prefix('申'), None);
        assert_eq!(historic_name('申').map(|p| p.icp_prefix), Some('沪'));
    }

    #[test]
    fn every_province_code_is_a_division() {
        for p in PROVINCES {
            assert!(
                division_name(&format!("{}0000", p.code)).is_some(),
                "{}",
                p.code
            );
        }
    }

    #[test]
    fn division_table_matches_facts_count() {
        assert_eq!(DIVISIONS.len(), 3348);
        assert_eq!(division_name("110105"), Some("朝阳区"));
        assert_eq!(division_path("110105").as_deref(), Some("北京市朝阳区"));
        assert_eq!(division_path("440300").as_deref(), Some("广东省深圳市"));
        assert_eq!(division_path("110000").as_deref(), Some("北京市"));
        for unknown in ["410197", "510190", "610190", "120190", "440491", "110301"] {
            assert_eq!(division_name(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn by_code_reads_two_digit_codes_only() {
        for p in &PROVINCES {
            assert_eq!(by_code(p.code), Some(p));
        }
        for code in ["", "1", "10", "20", "111", "1100", "66", "\u{e9}"] {
            assert_eq!(by_code(code), None, "{code}");
        }
    }

    /// The table as first written (string keys in a hash map, paths built from padded
    /// strings): the sorted numeric table must answer exactly as it did.
    #[test]
    fn numeric_table_answers_like_the_string_map() {
        let mut reference: HashMap<String, &'static str> = HashMap::new();
        for text in [
            include_str!("../../../../data/divisions/provinces.csv"),
            include_str!("../../../../data/divisions/cities.csv"),
            include_str!("../../../../data/divisions/areas.csv"),
        ] {
            for line in text.lines().skip(1) {
                let mut fields = line.split(',');
                if let (Some(code), Some(name)) = (fields.next(), fields.next()) {
                    reference.insert(format!("{code:0<6}"), name.trim_matches('"'));
                }
            }
        }
        let path = |code6: &str| -> Option<String> {
            let own = reference.get(code6).copied()?;
            let province_code = format!("{}0000", &code6[..2]);
            let city_code = format!("{}00", &code6[..4]);
            let mut out = String::new();
            if let Some(p) = reference.get(&province_code) {
                out.push_str(p);
            }
            if city_code != province_code
                && let Some(city) = reference.get(&city_code)
                && !matches!(
                    *city,
                    "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
                )
            {
                out.push_str(city);
            }
            if code6 != city_code && code6 != province_code {
                out.push_str(own);
            }
            Some(out)
        };
        assert_eq!(DIVISIONS.len(), reference.len());
        let mut probes: Vec<String> = reference.keys().cloned().collect();
        for n in (0..1_000_000).step_by(997) {
            probes.push(format!("{n:06}"));
        }
        probes.extend(
            [
                "",
                "11",
                "1101",
                "11010",
                "1101050",
                "11010X",
                "+11010",
                "１１０１０５",
            ]
            .map(String::from),
        );
        for code in &probes {
            assert_eq!(division_name(code), reference.get(code).copied(), "{code}");
            assert_eq!(division_path(code), path(code), "{code}");
        }
    }
}

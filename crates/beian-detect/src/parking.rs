//! Parking and registrar-expiry placeholders (FACTS §7.4): DNS that points at a parking
//! service or a registrar's expiry page, and the body markers of parking landers.
//!
//! For a watched site this means the domain lapsed or was never set up: the first reliable
//! takeover-risk signal, days before re-registration. Legitimate parking of an unused brand
//! domain looks the same — the rules decide with the inventory which domains should serve.
//!
//! The indicator lists are data tables below; IP ranges move (Aliyun's `overdue.aliyun.com`
//! has resolved to several addresses), so Aliyun is matched by CNAME, never by IP.

use crate::page::text::clip_bytes as clip;
use std::net::Ipv4Addr;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use beian_probe::dns::DnsEvidence;

use crate::signal::{Evidence, Region, Signal, Technique, clip_snippet};

/// A DNS name suffix that means parking or registrar expiry.
struct NameMarker {
    suffix: &'static str,
    service: &'static str,
    /// Registrar expiry pages say more than a generic parking service.
    registrar_expiry: bool,
}

/// CNAME targets (TMA 2022 parking_services.json; registrar pages).
const CNAME_MARKERS: [NameMarker; 2] = [
    NameMarker {
        suffix: "overdue.aliyun.com",
        service: "阿里云到期停靠 / Aliyun expired",
        registrar_expiry: true,
    },
    NameMarker {
        suffix: "domainparking-dnspod.cn",
        service: "DNSPod 域名停靠 / DNSPod parking",
        registrar_expiry: true,
    },
];

/// Name-server suffixes of parking services.
const NS_MARKERS: [NameMarker; 6] = [
    NameMarker {
        suffix: "sedoparking.com",
        service: "Sedo",
        registrar_expiry: false,
    },
    NameMarker {
        suffix: "afternic.com",
        service: "Afternic",
        registrar_expiry: false,
    },
    NameMarker {
        suffix: "parkingcrew.net",
        service: "ParkingCrew",
        registrar_expiry: false,
    },
    NameMarker {
        suffix: "bodis.com",
        service: "Bodis",
        registrar_expiry: false,
    },
    NameMarker {
        suffix: "above.com",
        service: "Above",
        registrar_expiry: false,
    },
    NameMarker {
        suffix: "dan.com",
        service: "Dan.com",
        registrar_expiry: false,
    },
];

/// IPv4 ranges of parking services and registrar parking pages.
const A_MARKERS: [(Ipv4Addr, u8, &str, bool); 11] = [
    (Ipv4Addr::new(91, 195, 240, 0), 23, "Sedo", false),
    (Ipv4Addr::new(64, 190, 62, 0), 23, "Sedo", false),
    (Ipv4Addr::new(199, 59, 240, 0), 22, "Bodis", false),
    (Ipv4Addr::new(185, 53, 176, 0), 22, "ParkingCrew", false),
    (
        Ipv4Addr::new(34, 102, 136, 180),
        32,
        "GoDaddy parking",
        false,
    ),
    (Ipv4Addr::new(34, 98, 99, 30), 32, "GoDaddy parking", false),
    (Ipv4Addr::new(103, 224, 182, 0), 23, "Above", false),
    (
        Ipv4Addr::new(47, 91, 170, 222),
        32,
        "阿里巴巴到期停靠 / Alibaba expired",
        true,
    ),
    (
        Ipv4Addr::new(103, 139, 0, 32),
        32,
        "西部数码停靠 / west.cn parking",
        true,
    ),
    (
        Ipv4Addr::new(119, 28, 128, 52),
        32,
        "22.cn 停靠 / 22.cn parking",
        true,
    ),
    (
        Ipv4Addr::new(43, 128, 56, 249),
        32,
        "网逛停靠 / wangguai parking",
        true,
    ),
];

/// A body marker; `with` names a second marker that must also be present.
struct BodyMarker {
    text: &'static str,
    service: &'static str,
    confidence: f32,
    with: Option<&'static str>,
}

const BODY_MARKERS: [BodyMarker; 17] = [
    BodyMarker {
        text: "window.LANDER_SYSTEM",
        service: "GoDaddy",
        confidence: 0.85,
        with: Some("parking-lander"),
    },
    BodyMarker {
        text: "adsense/domains/caf.js",
        service: "AdSense for domains",
        confidence: 0.6,
        with: None,
    },
    BodyMarker {
        text: "sedoParkingUrl",
        service: "Sedo",
        confidence: 0.8,
        with: None,
    },
    BodyMarker {
        text: "FOOTER_DOMAIN_PARKING",
        service: "Sedo",
        confidence: 0.8,
        with: None,
    },
    BodyMarker {
        text: "this domain has been parked",
        service: "parking",
        confidence: 0.7,
        with: None,
    },
    BodyMarker {
        text: "parking3.parklogic.com",
        service: "ParkLogic",
        confidence: 0.75,
        with: None,
    },
    BodyMarker {
        text: "The domain has expired",
        service: "expiry",
        confidence: 0.6,
        with: None,
    },
    BodyMarker {
        text: "This domain may be for sale",
        service: "for sale",
        confidence: 0.6,
        with: None,
    },
    BodyMarker {
        text: "buy this domain",
        service: "for sale",
        confidence: 0.5,
        with: None,
    },
    BodyMarker {
        text: "此域名已过期",
        service: "到期 / expired",
        confidence: 0.7,
        with: None,
    },
    BodyMarker {
        text: "该域名已过期",
        service: "到期 / expired",
        confidence: 0.7,
        with: None,
    },
    BodyMarker {
        text: "域名已到期",
        service: "到期 / expired",
        confidence: 0.7,
        with: None,
    },
    BodyMarker {
        text: "域名停放",
        service: "停放 / parked",
        confidence: 0.6,
        with: None,
    },
    BodyMarker {
        text: "域名停靠",
        service: "停靠 / parked",
        confidence: 0.6,
        with: None,
    },
    BodyMarker {
        text: "域名出售",
        service: "出售 / for sale",
        confidence: 0.55,
        with: None,
    },
    BodyMarker {
        text: "此域名正在出售",
        service: "出售 / for sale",
        confidence: 0.6,
        with: None,
    },
    BodyMarker {
        text: "域名正在出售",
        service: "出售 / for sale",
        confidence: 0.6,
        with: None,
    },
];

/// Parking pages are small; markers past this many bytes are not looked for.
const BODY_SCAN_BYTES: usize = 512 * 1024;

static BODY_MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let mut patterns: Vec<&str> = BODY_MARKERS.iter().map(|m| m.text).collect();
    patterns.extend(BODY_MARKERS.iter().filter_map(|m| m.with));
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .expect("the parking body markers are plain strings")
});

fn name_matches(name: &str, suffix: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == suffix || name.ends_with(&format!(".{suffix}"))
}

fn in_range(ip: Ipv4Addr, base: Ipv4Addr, prefix: u8) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(base) & mask
}

fn dns_evidence(snippet: String) -> Evidence {
    Evidence {
        snippet: clip_snippet(&snippet, 200),
        region: Some(Region::Dns),
        persona: None,
        url: None,
    }
}

fn parking_signal(
    registrar_expiry: bool,
    service: &str,
    what: &str,
    evidence: Vec<Evidence>,
) -> Signal {
    let (kind, confidence, zh, en) = if registrar_expiry {
        (
            "registrar_expiry_dns",
            0.85,
            "注册商到期停靠",
            "a registrar's expiry page",
        )
    } else {
        ("parking_dns", 0.7, "停放服务", "a parking service")
    };
    Signal {
        kind: kind.to_string(),
        technique: Technique::Parking,
        confidence,
        explanation: format!(
            "域名解析指向{zh}（{service}）：{what}，域名可能已到期或被停放 / DNS points at {en} ({service}): {what}; the domain may have lapsed or be parked"
        ),
        evidence,
    }
}

/// Parking and registrar-expiry indicators in the DNS answers.
pub fn dns_signals(dns: &DnsEvidence) -> Vec<Signal> {
    let mut signals = Vec::new();
    for link in &dns.cname_chain {
        if let Some(marker) = CNAME_MARKERS
            .iter()
            .find(|m| name_matches(&link.to, m.suffix))
        {
            signals.push(parking_signal(
                marker.registrar_expiry,
                marker.service,
                &format!("CNAME {}", link.to),
                vec![dns_evidence(format!("{} CNAME {}", link.from, link.to))],
            ));
            break;
        }
    }
    if let Some((ns, marker)) = dns.ns.iter().find_map(|ns| {
        NS_MARKERS
            .iter()
            .find(|m| name_matches(ns, m.suffix))
            .map(|m| (ns, m))
    }) {
        signals.push(parking_signal(
            marker.registrar_expiry,
            marker.service,
            &format!("NS {ns}"),
            vec![dns_evidence(format!("{} NS {ns}", dns.name))],
        ));
    }
    if let Some((ip, (_, _, service, expiry))) = dns.a.iter().find_map(|ip| {
        A_MARKERS
            .iter()
            .find(|(base, prefix, _, _)| in_range(*ip, *base, *prefix))
            .map(|m| (ip, m))
    }) {
        signals.push(parking_signal(
            *expiry,
            service,
            &format!("A {ip}"),
            vec![dns_evidence(format!("{} A {ip}", dns.name))],
        ));
    }
    signals
}

/// Parking-lander markers in a page body.
pub fn body_signals(html: &str, evidence_for: impl Fn(&str) -> Evidence) -> Vec<Signal> {
    let scan = clip(html, BODY_SCAN_BYTES);
    let mut found =
        vec![false; BODY_MARKERS.len() + BODY_MARKERS.iter().filter(|m| m.with.is_some()).count()];
    for hit in BODY_MATCHER.find_overlapping_iter(scan) {
        found[hit.pattern().as_usize()] = true;
    }
    let with_index = |text: &str| {
        BODY_MARKERS
            .iter()
            .filter_map(|m| m.with)
            .position(|w| w == text)
            .map(|i| BODY_MARKERS.len() + i)
    };
    let matched: Vec<&BodyMarker> = BODY_MARKERS
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            found[*i]
                && m.with
                    .is_none_or(|w| with_index(w).is_some_and(|j| found[j]))
        })
        .map(|(_, m)| m)
        .collect();
    let Some(strongest) = matched
        .iter()
        .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
    else {
        return Vec::new();
    };
    // Two independent markers (e.g. caf.js and "for sale") agree.
    let confidence = if matched.len() >= 2 {
        (strongest.confidence + 0.1).min(0.9)
    } else {
        strongest.confidence
    };
    let markers: Vec<&str> = matched.iter().map(|m| m.text).collect();
    vec![Signal {
        kind: "parking_page".to_string(),
        technique: Technique::Parking,
        confidence,
        explanation: format!(
            "页面是域名停放/到期/出售页（{}）：{} / the page is a parking, expiry or for-sale page ({}): {}",
            strongest.service,
            markers.join("、"),
            strongest.service,
            markers.join(", ")
        ),
        evidence: markers.iter().take(5).map(|m| evidence_for(m)).collect(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_by_prefix() {
        assert!(in_range(
            Ipv4Addr::new(91, 195, 241, 7),
            Ipv4Addr::new(91, 195, 240, 0),
            23
        ));
        assert!(!in_range(
            Ipv4Addr::new(91, 195, 242, 7),
            Ipv4Addr::new(91, 195, 240, 0),
            23
        ));
        assert!(in_range(
            Ipv4Addr::new(34, 98, 99, 30),
            Ipv4Addr::new(34, 98, 99, 30),
            32
        ));
    }

    #[test]
    fn lander_needs_both_markers() {
        let none = |m: &str| dns_evidence(m.to_string());
        assert!(body_signals("<script>window.LANDER_SYSTEM=\"PW\"</script>", none).is_empty());
        let both = body_signals(
            "<script>window.LANDER_SYSTEM=\"PW\"</script><img src=//img1.wsimg.com/parking-lander/x.png>",
            none,
        );
        assert_eq!(both.len(), 1);
        assert!(both[0].confidence >= 0.8);
    }
}

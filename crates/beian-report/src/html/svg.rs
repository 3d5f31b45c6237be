//! Inline SVG charts: no script, no external asset, every label escaped.

use std::fmt::Write as _;

use crate::text::escape;

/// One bar: its label, value, colour and an optional tooltip.
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: usize,
    pub colour: &'a str,
    pub tooltip: Option<&'a str>,
}

const FONT: &str = r#"font-family="sans-serif" font-size="11""#;

/// Vertical columns, one per bar, labels underneath (months).
pub fn column_chart(title: &str, bars: &[Bar<'_>]) -> String {
    let width = 660.0;
    let height = 220.0;
    let (left, right, top, bottom) = (30.0, 10.0, 18.0, 34.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let slot = plot_w / bars.len().max(1) as f64;
    let mut svg = open(title, width, height);
    // Axis line at zero.
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{y}" x2="{x2}" y2="{y}" stroke="#9ca3af"/>"##,
        y = top + plot_h,
        x2 = width - right
    );
    for (i, bar) in bars.iter().enumerate() {
        let h = plot_h * bar.value as f64 / max;
        let x = left + slot * i as f64 + slot * 0.15;
        let w = slot * 0.7;
        let y = top + plot_h - h;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{}"><title>{}</title></rect>"#,
            escape(bar.colour),
            escape(&format!(
                "{}: {}",
                bar.tooltip.unwrap_or(bar.label),
                bar.value
            ))
        );
        let cx = x + w / 2.0;
        let _ = write!(
            svg,
            r#"<text x="{cx:.1}" y="{ly:.1}" text-anchor="middle" {FONT}>{}</text><text x="{cx:.1}" y="{by:.1}" text-anchor="middle" {FONT}>{}</text>"#,
            bar.value,
            escape(bar.label),
            ly = (y - 4.0).max(11.0),
            by = height - bottom + 16.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one row per bar, label on the left (severities, rules).
pub fn bar_chart(title: &str, bars: &[Bar<'_>]) -> String {
    let row = 24.0;
    let label_w = 250.0;
    let width = 660.0;
    let plot_w = width - label_w - 50.0;
    let height = (bars.len().max(1) as f64) * row + 10.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let mut svg = open(title, width, height);
    if bars.is_empty() {
        let _ = write!(svg, r#"<text x="0" y="20" {FONT}>无 / none</text>"#);
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let w = plot_w * bar.value as f64 / max;
        let _ = write!(
            svg,
            r#"<text x="{tx:.1}" y="{ty:.1}" text-anchor="end" {FONT}>{label}<title>{tip}</title></text><rect x="{label_w}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{colour}"><title>{tip}</title></rect><text x="{vx:.1}" y="{ty:.1}" {FONT}>{value}</text>"#,
            tx = label_w - 8.0,
            ty = y + row * 0.55,
            label = escape(&shorten(bar.label, 40)),
            tip = escape(&format!(
                "{}: {}",
                bar.tooltip.unwrap_or(bar.label),
                bar.value
            )),
            h = row - 8.0,
            colour = escape(bar.colour),
            vx = label_w + w + 6.0,
            value = bar.value,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn open(title: &str, width: f64, height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px"><title>{}</title>"#,
        escape(title)
    )
}

/// Keeps labels inside the label column; the tooltip has the whole text.
fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max_chars - 1).collect();
        short.push('…');
        short
    }
}

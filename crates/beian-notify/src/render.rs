//! A [`Document`] in each channel's format: plain text (email, webhook `text`), markdown
//! (DingTalk, WeCom) and Feishu's `post` rich text. Robots refuse oversized messages, so a
//! renderer given a byte limit keeps whole sections while they fit and says how many it left
//! out and where to see them.

use serde_json::{Value, json};

use crate::message::{Document, Field, LINK_LABEL_ZH, Section};

/// Plain text: title, fields, link, then the English line.
pub fn plain_text(document: &Document, limit: Option<usize>) -> String {
    let head = format!("{}\n", document.title);
    let tail = format!("\n---\n{}\n", document.note_en);
    let sections: Vec<String> = document
        .sections
        .iter()
        .map(|section| {
            let mut out = String::from("\n");
            if let Some(heading) = &section.heading {
                out.push_str(heading);
                out.push('\n');
            }
            for field in &section.fields {
                out.push_str(&format!("{}：{}\n", field.label, field.value));
            }
            out.push_str(&format!("{LINK_LABEL_ZH}：{}\n", section.link));
            out
        })
        .collect();
    assemble(head, sections, tail, limit, |left_out| {
        format!("\n{}\n", more_note(left_out, document))
    })
}

/// Which markdown dialect: DingTalk needs blank lines between lines, WeCom does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkdownFlavour {
    DingTalk,
    WeCom,
}

impl MarkdownFlavour {
    fn line_break(self) -> &'static str {
        match self {
            MarkdownFlavour::DingTalk => "\n\n",
            MarkdownFlavour::WeCom => "\n",
        }
    }
}

/// Markdown with every untrusted value neutralised (see [`neutralise_markdown`]).
pub fn markdown(document: &Document, flavour: MarkdownFlavour, limit: Option<usize>) -> String {
    let br = flavour.line_break();
    let head = format!("### {}{br}", neutralise_markdown(&document.title));
    let tail = format!("> {}", neutralise_markdown(&document.note_en));
    let sections: Vec<String> = document
        .sections
        .iter()
        .map(|section| markdown_section(section, br))
        .collect();
    assemble(head, sections, tail, limit, |left_out| {
        let place = document.more_url.as_deref().unwrap_or("");
        format!("……另有 {left_out} 条未列出 / {left_out} more not listed：[查看全部]({place}){br}")
    })
}

fn markdown_section(section: &Section, br: &str) -> String {
    let mut out = String::new();
    if let Some(heading) = &section.heading {
        out.push_str(&format!("**{}**{br}", neutralise_markdown(heading)));
    }
    for field in &section.fields {
        out.push_str(&format!(
            "**{}**：{}{br}",
            field.label,
            markdown_value(field)
        ));
    }
    // Our own link: the only clickable thing in the message.
    out.push_str(&format!("[{LINK_LABEL_ZH}]({}){br}", section.link));
    out
}

fn markdown_value(field: &Field) -> String {
    if field.trusted {
        field.value.clone()
    } else {
        neutralise_markdown(&field.value)
    }
}

/// Makes untrusted text inert in markdown: the ASCII characters that start links, emphasis,
/// headings, HTML or code become their full-width look-alikes (readable, never markup), and
/// `://` is broken so a hijacker's address is not turned into a link.
pub fn neutralise_markdown(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|ch| match ch {
            '\\' => '＼',
            '`' => '｀',
            '*' => '＊',
            '_' => '＿',
            '[' => '［',
            ']' => '］',
            '(' => '（',
            ')' => '）',
            '<' => '＜',
            '>' => '＞',
            '#' => '＃',
            '!' => '！',
            '|' => '｜',
            '~' => '～',
            '&' => '＆',
            '"' => '＂',
            other => other,
        })
        .collect();
    mapped.replace("://", ":／／")
}

/// Feishu `post` content (`content.post`): one paragraph per line, the link as an `a` tag.
/// Its `text` elements are plain text, so values need no markdown neutralising.
pub fn feishu_post(document: &Document, limit: Option<usize>) -> Value {
    let text = |line: String| json!([{ "tag": "text", "text": line }]);
    let mut paragraphs: Vec<Value> = Vec::new();
    let mut used = document.title.len() + document.note_en.len();
    let mut left_out = 0;
    for (index, section) in document.sections.iter().enumerate() {
        let mut lines: Vec<Value> = Vec::new();
        if let Some(heading) = &section.heading {
            lines.push(text(heading.clone()));
        }
        for field in &section.fields {
            lines.push(text(format!("{}：{}", field.label, field.value)));
        }
        lines.push(json!([{ "tag": "a", "text": LINK_LABEL_ZH, "href": section.link }]));
        let size: usize = lines.iter().map(|line| line.to_string().len()).sum();
        if limit.is_some_and(|limit| used + size + NOTE_RESERVE > limit) && index > 0 {
            left_out = document.sections.len() - index;
            break;
        }
        used += size;
        paragraphs.extend(lines);
    }
    if left_out > 0 {
        paragraphs.push(text(more_note(left_out, document)));
    }
    paragraphs.push(text(document.note_en.clone()));
    json!({ "zh_cn": { "title": document.title, "content": paragraphs } })
}

/// Room kept for the "N more" line.
const NOTE_RESERVE: usize = 300;

fn more_note(left_out: usize, document: &Document) -> String {
    let place = document.more_url.as_deref().unwrap_or("");
    format!("……另有 {left_out} 条未列出，见 {place} / {left_out} more not listed; see {place}")
}

/// Head, as many whole sections as fit in `limit` bytes (at least one), a note on the rest,
/// then the tail.
fn assemble(
    head: String,
    sections: Vec<String>,
    tail: String,
    limit: Option<usize>,
    note: impl Fn(usize) -> String,
) -> String {
    let total = sections.len();
    let mut out = head;
    let budget = limit.map(|limit| limit.saturating_sub(tail.len() + NOTE_RESERVE));
    for (index, section) in sections.into_iter().enumerate() {
        if index > 0 && budget.is_some_and(|budget| out.len() + section.len() > budget) {
            out.push_str(&note(total - index));
            break;
        }
        out.push_str(&section);
    }
    out.push_str(&tail);
    if let Some(limit) = limit
        && out.len() > limit
    {
        // A single oversized section: cut on a character boundary rather than be refused.
        let mut cut = limit.saturating_sub(3);
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

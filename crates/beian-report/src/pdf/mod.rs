//! Documents as PDF: A4 pages, one embedded CJK font (subset), text that copies and
//! extracts as text. Each document starts on a new page; tables repeat their header on
//! every page they span, and a row taller than what is left of a page continues on the next.

mod embed;
mod layout;

use pdf_writer::types::TextRenderingMode;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::document::{Block, Document, Table};
use crate::error::ReportError;
use crate::font::CjkFont;
use embed::{FontRefs, FontUse, deflate};

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN_X: f32 = 56.0;
const MARGIN_TOP: f32 = 60.0;
const MARGIN_BOTTOM: f32 = 62.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

const TITLE_SIZE: f32 = 18.0;
const SUBTITLE_SIZE: f32 = 9.5;
const HEADING_SIZE: f32 = 12.5;
const BODY_SIZE: f32 = 10.5;
const NOTE_SIZE: f32 = 8.5;
const TABLE_SIZE: f32 = 8.5;
const FOOTER_SIZE: f32 = 8.0;
const LEADING: f32 = 1.5;
const CELL_PAD: f32 = 4.0;
const FONT_NAME: Name<'static> = Name(b"F1");

/// Renders the documents into one PDF.
pub fn render_pdf(documents: &[Document], font: &CjkFont) -> Result<Vec<u8>, ReportError> {
    let mut writer = PageWriter::new(FontUse::new(font)?);
    for document in documents {
        writer.new_page();
        writer.document(document);
    }
    writer.finish(documents.first().map_or("", |d| d.title.as_str()))
}

/// Text styles: colour and whether strokes thicken the glyphs (a cheap bold: one font).
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    grey: f32,
    bold: bool,
}

const BODY: Style = Style {
    size: BODY_SIZE,
    grey: 0.0,
    bold: false,
};

struct PageWriter<'f> {
    font: FontUse<'f>,
    pages: Vec<Content>,
    /// Top of the free space on the current page.
    y: f32,
    /// Nothing drawn on the current page yet (so a page break there would be empty).
    fresh: bool,
}

impl<'f> PageWriter<'f> {
    fn new(font: FontUse<'f>) -> PageWriter<'f> {
        PageWriter {
            font,
            pages: Vec::new(),
            y: PAGE_HEIGHT - MARGIN_TOP,
            fresh: true,
        }
    }

    fn new_page(&mut self) {
        if self.fresh && !self.pages.is_empty() {
            return;
        }
        self.pages.push(Content::new());
        self.y = PAGE_HEIGHT - MARGIN_TOP;
        self.fresh = true;
    }

    fn content(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        self.fresh = false;
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page unless `height` still fits.
    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN_BOTTOM {
            self.new_page();
        }
    }

    fn document(&mut self, document: &Document) {
        self.centred(&document.title, TITLE_SIZE, true);
        if let Some(subtitle) = &document.subtitle {
            self.centred(subtitle, SUBTITLE_SIZE, false);
        }
        self.y -= 10.0;
        for block in &document.blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading(text) => {
                self.y -= 6.0;
                // Keep a heading with at least two lines of what follows.
                self.ensure(HEADING_SIZE * LEADING + 3.0 * BODY_SIZE * LEADING);
                self.paragraph(
                    text,
                    Style {
                        size: HEADING_SIZE,
                        grey: 0.0,
                        bold: true,
                    },
                );
                self.y -= 2.0;
            }
            Block::Paragraph(text) => {
                self.paragraph(text, BODY);
                self.y -= 4.0;
            }
            Block::Note(text) => {
                self.y -= 2.0;
                self.paragraph(
                    text,
                    Style {
                        size: NOTE_SIZE,
                        grey: 0.35,
                        bold: false,
                    },
                );
                self.y -= 4.0;
            }
            Block::Fields(fields) => {
                let rows: Vec<Vec<String>> = fields
                    .iter()
                    .map(|(label, value)| vec![label.clone(), value.clone()])
                    .collect();
                self.grid(&[0.3, 0.7], None, &rows, BODY_SIZE, true);
                self.y -= 6.0;
            }
            Block::Table(table) => {
                self.table(table);
                self.y -= 6.0;
            }
            Block::Signatures(lines) => {
                self.y -= 10.0;
                for line in lines {
                    self.ensure(BODY_SIZE * 3.2);
                    self.y -= BODY_SIZE * 1.2;
                    self.paragraph(line, BODY);
                }
                self.y -= 6.0;
            }
        }
    }

    fn table(&mut self, table: &Table) {
        self.grid(
            &table.fractions(),
            Some(&table.headers),
            &table.rows,
            TABLE_SIZE,
            false,
        );
    }

    /// Wrapped text from the left margin, line by line, breaking pages as needed.
    fn paragraph(&mut self, text: &str, style: Style) {
        let leading = style.size * LEADING;
        let font = &self.font;
        let lines = layout::wrap(text, CONTENT_WIDTH / style.size, &|t| font.width(t));
        for line in lines {
            self.ensure(leading);
            let baseline = baseline(self.y, style.size, leading);
            self.text(MARGIN_X, baseline, &line, style);
            self.y -= leading;
        }
    }

    fn centred(&mut self, text: &str, size: f32, bold: bool) {
        let leading = size * LEADING;
        let font = &self.font;
        let lines = layout::wrap(text, CONTENT_WIDTH / size, &|t| font.width(t));
        for line in lines {
            self.ensure(leading);
            let x = MARGIN_X + (CONTENT_WIDTH - self.font.width(&line) * size).max(0.0) / 2.0;
            let baseline = baseline(self.y, size, leading);
            self.text(
                x,
                baseline,
                &line,
                Style {
                    size,
                    grey: 0.0,
                    bold,
                },
            );
            self.y -= leading;
        }
    }

    fn text(&mut self, x: f32, baseline: f32, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        let encoded = self.font.encode(text);
        let content = self.content();
        content.save_state();
        content.set_fill_gray(style.grey);
        if style.bold {
            content.set_stroke_gray(style.grey);
            content.set_line_width(style.size * 0.035);
        }
        content.begin_text();
        content.set_font(FONT_NAME, style.size);
        if style.bold {
            content.set_text_rendering_mode(TextRenderingMode::FillStroke);
        }
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, baseline]);
        content.show(Str(&encoded));
        content.end_text();
        content.restore_state();
    }

    /// A bordered grid; with `header`, the header row is shaded and repeated on each page;
    /// with `shade_first`, the first column is shaded (label/value forms).
    fn grid(
        &mut self,
        fractions: &[f32],
        header: Option<&[String]>,
        rows: &[Vec<String>],
        size: f32,
        shade_first: bool,
    ) {
        let widths: Vec<f32> = fractions.iter().map(|f| f * CONTENT_WIDTH).collect();
        let leading = size * 1.4;
        let wrap_row = |writer: &Self, cells: &[String]| -> Vec<Vec<String>> {
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = cells.get(i).map_or("", String::as_str);
                    let font = &writer.font;
                    layout::wrap(text, (w - 2.0 * CELL_PAD) / size, &|t| font.width(t))
                })
                .collect()
        };
        let header_lines = header.map(|h| wrap_row(self, h));
        let header_height = header_lines
            .as_ref()
            .map_or(0.0, |cells| row_height(cells, leading));
        // Start on a new page unless the header and one line of the first row fit.
        self.ensure(header_height + leading + 2.0 * CELL_PAD);
        if let Some(cells) = &header_lines {
            self.row_chunk(&widths, cells, 0, usize::MAX, size, RowShade::All, true);
        }
        for row in rows {
            let cells = wrap_row(self, row);
            let total = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut start = 0;
            while start < total {
                let room = ((self.y - MARGIN_BOTTOM - 2.0 * CELL_PAD) / leading).floor();
                let room = if room < 1.0 { 0 } else { room as usize };
                // A row that fits on a page is never split (a hash cut in two is hard to
                // compare); only a row taller than a page continues on the next one.
                let page_lines =
                    ((PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - header_height - 2.0 * CELL_PAD)
                        / leading)
                        .floor()
                        .max(1.0) as usize;
                let left = total - start;
                let wanted = if left <= page_lines { left } else { 2 };
                if room < wanted && !self.fresh {
                    self.new_page();
                    if let Some(cells) = &header_lines {
                        self.row_chunk(&widths, cells, 0, usize::MAX, size, RowShade::All, true);
                    }
                    continue;
                }
                let count = room.max(1).min(total - start);
                let shade = if shade_first {
                    RowShade::First
                } else {
                    RowShade::None
                };
                self.row_chunk(&widths, &cells, start, count, size, shade, false);
                start += count;
            }
        }
    }

    /// Draws lines `start..start + count` of every cell as one band of the row.
    #[allow(clippy::too_many_arguments)]
    fn row_chunk(
        &mut self,
        widths: &[f32],
        cells: &[Vec<String>],
        start: usize,
        count: usize,
        size: f32,
        shade: RowShade,
        bold: bool,
    ) {
        let leading = size * 1.4;
        let lines = cells
            .iter()
            .map(|c| c.len().saturating_sub(start).min(count))
            .max()
            .unwrap_or(1)
            .max(1);
        let height = lines as f32 * leading + 2.0 * CELL_PAD;
        let top = self.y;
        let bottom = top - height;
        let mut x = MARGIN_X;
        for (i, width) in widths.iter().enumerate() {
            let shaded = match shade {
                RowShade::All => true,
                RowShade::First => i == 0,
                RowShade::None => false,
            };
            let content = self.content();
            content.save_state();
            if shaded {
                content.set_fill_gray(0.92);
                content.rect(x, bottom, *width, height);
                content.fill_nonzero();
            }
            content.set_stroke_gray(0.4);
            content.set_line_width(0.5);
            content.rect(x, bottom, *width, height);
            content.stroke();
            content.restore_state();
            x += width;
        }
        let mut x = MARGIN_X;
        for (cell, width) in cells.iter().zip(widths) {
            for (n, line) in cell.iter().skip(start).take(count).enumerate() {
                let line_top = top - CELL_PAD - n as f32 * leading;
                let baseline = baseline(line_top, size, leading);
                self.text(
                    x + CELL_PAD,
                    baseline,
                    line,
                    Style {
                        size,
                        grey: 0.0,
                        bold,
                    },
                );
            }
            x += width;
        }
        self.y = bottom;
    }

    /// Adds page numbers, writes the font and assembles the file.
    fn finish(mut self, title: &str) -> Result<Vec<u8>, ReportError> {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let total = self.pages.len();
        let mut pages = std::mem::take(&mut self.pages);
        for (number, page) in pages.iter_mut().enumerate() {
            let footer = format!(
                "第 {} 页 / 共 {total} 页 · 备案卫士 Beian Guard",
                number + 1
            );
            let encoded = self.font.encode(&footer);
            let width = self.font.width(&footer) * FOOTER_SIZE;
            page.save_state();
            page.set_fill_gray(0.45);
            page.begin_text();
            page.set_font(FONT_NAME, FOOTER_SIZE);
            page.set_text_matrix([
                1.0,
                0.0,
                0.0,
                1.0,
                (PAGE_WIDTH - width) / 2.0,
                MARGIN_BOTTOM / 2.0,
            ]);
            page.show(Str(&encoded));
            page.end_text();
            page.restore_state();
        }

        let mut pdf = Pdf::new();
        let mut next = 1;
        let mut alloc = || {
            let id = Ref::new(next);
            next += 1;
            id
        };
        let catalog = alloc();
        let tree = alloc();
        let info = alloc();
        let refs = FontRefs {
            type0: alloc(),
            cid: alloc(),
            descriptor: alloc(),
            file: alloc(),
            cmap: alloc(),
        };
        let page_ids: Vec<(Ref, Ref)> = (0..total).map(|_| (alloc(), alloc())).collect();

        let mut cat = pdf.catalog(catalog);
        cat.pages(tree).lang(TextStr("zh-CN"));
        cat.viewer_preferences().display_doc_title(true);
        cat.finish();
        pdf.document_info(info)
            .title(TextStr(title))
            .creator(TextStr("备案卫士 Beian Guard"))
            .producer(TextStr("beian-report"));
        pdf.pages(tree)
            .kids(page_ids.iter().map(|(page, _)| *page))
            .count(i32::try_from(total).unwrap_or(i32::MAX));
        for (content, (page_id, content_id)) in pages.into_iter().zip(&page_ids) {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree)
                .contents(*content_id);
            page.resources().fonts().pair(FONT_NAME, refs.type0);
            page.finish();
            let data = deflate(&content.finish());
            pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
        }
        self.font.write(&mut pdf, &refs)?;
        Ok(pdf.finish())
    }
}

#[derive(Clone, Copy)]
enum RowShade {
    None,
    First,
    All,
}

fn row_height(cells: &[Vec<String>], leading: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * leading + 2.0 * CELL_PAD
}

/// The baseline of a line whose box starts at `top`: glyphs centred in the leading.
fn baseline(top: f32, size: f32, leading: f32) -> f32 {
    top - leading / 2.0 - size * 0.36
}

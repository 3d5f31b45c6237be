//! Documents as DOCX (Office Open XML), written by hand: the forms need paragraphs, tables
//! and page breaks only, which is a few hundred bytes of XML, not a dependency. The package
//! holds the five parts Word, WPS and LibreOffice require. People edit these files before
//! printing, so the text is plain runs without fields or locked content.

use std::io::{Cursor, Write as _};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::document::{Block, Document};
use crate::error::ReportError;
use crate::text::escape;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// Defaults: 10.5 pt (五号) SimSun/宋体 for Chinese, Chinese proofing language.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="80" w:line="320" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#;

/// A4 with 2 cm side margins, in twentieths of a point.
const PAGE_WIDTH_TWIPS: u32 = 11906;
const MARGIN_TWIPS: u32 = 1134;
const CONTENT_TWIPS: u32 = PAGE_WIDTH_TWIPS - 2 * MARGIN_TWIPS;

/// Renders the documents into one DOCX package, each starting on a new page.
pub fn render_docx(documents: &[Document]) -> Result<Vec<u8>, ReportError> {
    let body = document_xml(documents);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", STYLES),
        ("word/document.xml", body.as_str()),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(content.as_bytes())
            .map_err(zip::result::ZipError::Io)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// `word/document.xml` for the documents.
pub fn document_xml(documents: &[Document]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    for (index, document) in documents.iter().enumerate() {
        if index > 0 {
            xml.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#);
        }
        paragraph(&mut xml, &document.title, Run::Title, "center");
        if let Some(subtitle) = &document.subtitle {
            paragraph(&mut xml, subtitle, Run::Subtitle, "center");
        }
        for block in &document.blocks {
            match block {
                Block::Heading(text) => paragraph(&mut xml, text, Run::Heading, "left"),
                Block::Paragraph(text) => paragraph(&mut xml, text, Run::Body, "both"),
                Block::Note(text) => paragraph(&mut xml, text, Run::Note, "left"),
                Block::Fields(fields) => {
                    let rows: Vec<Vec<String>> = fields
                        .iter()
                        .map(|(label, value)| vec![label.clone(), value.clone()])
                        .collect();
                    table(&mut xml, &[0.3, 0.7], None, &rows, true);
                }
                Block::Table(t) => {
                    table(&mut xml, &t.fractions(), Some(&t.headers), &t.rows, false);
                }
                Block::Signatures(lines) => {
                    for line in lines {
                        xml.push_str(r#"<w:p><w:pPr><w:spacing w:before="240"/></w:pPr>"#);
                        runs(&mut xml, line, Run::Body);
                        xml.push_str("</w:p>");
                    }
                }
            }
        }
    }
    xml.push_str(&format!(
        r#"<w:sectPr><w:pgSz w:w="{PAGE_WIDTH_TWIPS}" w:h="16838"/><w:pgMar w:top="1134" w:right="{MARGIN_TWIPS}" w:bottom="1134" w:left="{MARGIN_TWIPS}" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    ));
    xml
}

#[derive(Clone, Copy)]
enum Run {
    Title,
    Subtitle,
    Heading,
    Body,
    Note,
    TableHeader,
    /// Data tables are set small (they are wide); label/value forms are body size.
    TableBody,
}

impl Run {
    /// Run properties: bold and size (half-points) and colour.
    fn properties(self) -> &'static str {
        match self {
            Run::Title => r#"<w:rPr><w:b/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr>"#,
            Run::Subtitle => {
                r#"<w:rPr><w:color w:val="595959"/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>"#
            }
            Run::Heading => r#"<w:rPr><w:b/><w:sz w:val="25"/><w:szCs w:val="25"/></w:rPr>"#,
            Run::Body => "",
            Run::Note => {
                r#"<w:rPr><w:color w:val="595959"/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>"#
            }
            Run::TableHeader => r#"<w:rPr><w:b/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>"#,
            Run::TableBody => r#"<w:rPr><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>"#,
        }
    }
}

fn paragraph(xml: &mut String, text: &str, run: Run, align: &str) {
    let spacing = match run {
        Run::Heading => r#"<w:spacing w:before="200" w:after="80"/><w:keepNext/>"#,
        _ => "",
    };
    xml.push_str(&format!(
        r#"<w:p><w:pPr>{spacing}<w:jc w:val="{align}"/></w:pPr>"#
    ));
    runs(xml, text, run);
    xml.push_str("</w:p>");
}

/// One run per line of `text`, separated by line breaks.
fn runs(xml: &mut String, text: &str, run: Run) {
    for (index, line) in text.split('\n').enumerate() {
        xml.push_str("<w:r>");
        xml.push_str(run.properties());
        if index > 0 {
            xml.push_str("<w:br/>");
        }
        xml.push_str(r#"<w:t xml:space="preserve">"#);
        xml.push_str(&escape(line));
        xml.push_str("</w:t></w:r>");
    }
}

fn table(
    xml: &mut String,
    fractions: &[f32],
    header: Option<&[String]>,
    rows: &[Vec<String>],
    shade_first: bool,
) {
    let widths: Vec<u32> = fractions
        .iter()
        .map(|f| (f * CONTENT_TWIPS as f32).round() as u32)
        .collect();
    xml.push_str(&format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{CONTENT_TWIPS}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders><w:top w:val="single" w:sz="4" w:color="666666"/><w:left w:val="single" w:sz="4" w:color="666666"/><w:bottom w:val="single" w:sz="4" w:color="666666"/><w:right w:val="single" w:sz="4" w:color="666666"/><w:insideH w:val="single" w:sz="4" w:color="666666"/><w:insideV w:val="single" w:sz="4" w:color="666666"/></w:tblBorders></w:tblPr><w:tblGrid>"#
    ));
    for width in &widths {
        xml.push_str(&format!(r#"<w:gridCol w:w="{width}"/>"#));
    }
    xml.push_str("</w:tblGrid>");
    let small = header.is_some();
    if let Some(header) = header {
        // The header row repeats on every page the table spans.
        xml.push_str(r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>"#);
        for (cell, width) in header.iter().zip(&widths) {
            table_cell(xml, cell, *width, true, Run::TableHeader);
        }
        xml.push_str("</w:tr>");
    }
    for row in rows {
        xml.push_str("<w:tr>");
        for (index, width) in widths.iter().enumerate() {
            let text = row.get(index).map_or("", String::as_str);
            let run = if small { Run::TableBody } else { Run::Body };
            table_cell(xml, text, *width, shade_first && index == 0, run);
        }
        xml.push_str("</w:tr>");
    }
    xml.push_str("</w:tbl>");
    // Word needs a paragraph between two tables, and it spaces the next block.
    xml.push_str("<w:p/>");
}

fn table_cell(xml: &mut String, text: &str, width: u32, shaded: bool, run: Run) {
    let shade = if shaded {
        r#"<w:shd w:val="clear" w:color="auto" w:fill="EBEBEB"/>"#
    } else {
        ""
    };
    xml.push_str(&format!(
        r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>"#
    ));
    runs(xml, text, run);
    xml.push_str("</w:p></w:tc>");
}

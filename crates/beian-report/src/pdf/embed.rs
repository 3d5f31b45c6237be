//! The one font of a PDF: text is encoded as glyph ids of a subset (two bytes each,
//! Identity-H), and the font is embedded as a CID font with a `/ToUnicode` map so that
//! copying text and `pdftotext` give back the characters.

use std::collections::BTreeMap;
use std::io::Write as _;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId, RawFace, Tag};

use crate::error::ReportError;
use crate::font::{CjkFont, Outlines};

/// Tag of the subset in the font name (PDF requires six upper-case letters).
const SUBSET_TAG: &str = "BEIANG";
const IDENTITY: SystemInfo<'static> = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// Measures and encodes text in the font, collecting the glyphs the subset needs.
pub struct FontUse<'f> {
    font: &'f CjkFont,
    face: Face<'f>,
    units_per_em: f32,
    remapper: GlyphRemapper,
    /// New glyph id → the first character drawn with it.
    to_unicode: BTreeMap<u16, char>,
}

/// The object ids the font occupies.
pub struct FontRefs {
    pub type0: Ref,
    pub cid: Ref,
    pub descriptor: Ref,
    pub file: Ref,
    pub cmap: Ref,
}

impl<'f> FontUse<'f> {
    pub fn new(font: &'f CjkFont) -> Result<FontUse<'f>, ReportError> {
        let face = font.face()?;
        let units_per_em = f32::from(face.units_per_em().max(1));
        Ok(FontUse {
            font,
            face,
            units_per_em,
            remapper: GlyphRemapper::new(),
            to_unicode: BTreeMap::new(),
        })
    }

    fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    /// Advance of a character in em (text is drawn without shaping: CJK and Latin text
    /// read fine without kerning or ligatures).
    pub fn advance(&self, c: char) -> f32 {
        if c.is_control() {
            return 0.0;
        }
        let gid = self.glyph(c);
        let units = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        f32::from(units) / self.units_per_em
    }

    /// Width of a line in em.
    pub fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }

    /// The bytes of a `Tj` operand: two-byte CIDs of the subset. Control characters are
    /// dropped; characters the font lacks draw as `.notdef`.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars().filter(|c| !c.is_control()) {
            let gid = self.glyph(c);
            let cid = self.remapper.remap(gid);
            if gid != 0 {
                self.to_unicode.entry(cid).or_insert(c);
            }
            out.extend(cid.to_be_bytes());
        }
        out
    }

    /// Writes the font objects: Type0 → CIDFont → descriptor → subset file, and ToUnicode.
    pub fn write(&self, pdf: &mut Pdf, refs: &FontRefs) -> Result<(), ReportError> {
        let subset_error = |reason: String| ReportError::Subset {
            path: self.font.path().to_owned(),
            reason,
        };
        let subset = subsetter::subset(self.font.data(), self.font.index(), &self.remapper)
            .map_err(|e| subset_error(e.to_string()))?;
        let scale = 1000.0 / self.units_per_em;
        let base_font = format!("{SUBSET_TAG}+{}", self.font.postscript_name());

        pdf.type0_font(refs.type0)
            .base_font(Name(base_font.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(refs.cid)
            .to_unicode(refs.cmap);

        let widths: Vec<f32> = self
            .remapper
            .remapped_gids()
            .map(|gid| f32::from(self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)) * scale)
            .collect();
        let mut cid = pdf.cid_font(refs.cid);
        cid.subtype(match self.font.outlines() {
            Outlines::TrueType => CidFontType::Type2,
            Outlines::Cff => CidFontType::Type0,
        })
        .base_font(Name(base_font.as_bytes()))
        .system_info(IDENTITY)
        .font_descriptor(refs.descriptor)
        .default_width(1000.0);
        cid.widths().consecutive(0, widths);
        if self.font.outlines() == Outlines::TrueType {
            cid.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        cid.finish();

        let bbox = self.face.global_bounding_box();
        let ascent = f32::from(self.face.ascender()) * scale;
        let descent = f32::from(self.face.descender()) * scale;
        let cap_height = self
            .face
            .capital_height()
            .map_or(ascent, |h| f32::from(h) * scale);
        let mut descriptor = pdf.font_descriptor(refs.descriptor);
        descriptor
            .name(Name(base_font.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * scale,
                f32::from(bbox.y_min) * scale,
                f32::from(bbox.x_max) * scale,
                f32::from(bbox.y_max) * scale,
            ))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(descent)
            .cap_height(cap_height)
            .stem_v(80.0);
        match self.font.outlines() {
            Outlines::TrueType => descriptor.font_file2(refs.file),
            Outlines::Cff => descriptor.font_file3(refs.file),
        };
        descriptor.finish();

        match self.font.outlines() {
            Outlines::TrueType => {
                let data = deflate(&subset);
                let mut stream = pdf.stream(refs.file, &data);
                stream.filter(Filter::FlateDecode);
                stream.pair(
                    Name(b"Length1"),
                    i32::try_from(subset.len()).unwrap_or(i32::MAX),
                );
            }
            Outlines::Cff => {
                // A CID-keyed CFF goes in bare (FontFile3 /CIDFontType0C), not in its
                // OpenType wrapper, which older readers do not accept.
                let raw = RawFace::parse(&subset, 0)
                    .map_err(|e| subset_error(format!("subset unreadable: {e}")))?;
                let cff = raw
                    .table(Tag::from_bytes(b"CFF "))
                    .ok_or_else(|| subset_error("subset has no CFF table".to_owned()))?;
                let data = deflate(cff);
                let mut stream = pdf.stream(refs.file, &data);
                stream.filter(Filter::FlateDecode);
                stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
            }
        }

        let mut cmap = UnicodeCmap::new(Name(b"Beian-UTF16"), IDENTITY);
        for (cid, c) in &self.to_unicode {
            cmap.pair(*cid, *c);
        }
        let cmap = deflate(&cmap.finish());
        pdf.cmap(refs.cmap, &cmap)
            .name(Name(b"Beian-UTF16"))
            .system_info(IDENTITY)
            .filter(Filter::FlateDecode);
        Ok(())
    }
}

/// zlib-compresses a stream body. Writing into a `Vec` cannot fail.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 2), Compression::default());
    // Invariant: io::Write for Vec<u8> never errors.
    encoder
        .write_all(data)
        .expect("compressing into memory cannot fail");
    encoder
        .finish()
        .expect("compressing into memory cannot fail")
}

//! A format-neutral document: what the cancellation forms and the evidence report say,
//! built once and rendered by both the PDF and the DOCX writers, so the two formats
//! cannot drift apart.

/// One printable document (a form, a declaration, a report). Several documents rendered
/// together each start on a new page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Centred at the top, large.
    pub title: String,
    /// One line under the title (e.g. the English title), smaller.
    pub subtitle: Option<String>,
    pub blocks: Vec<Block>,
}

/// The building blocks; every text may contain `\n` for a forced line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// Body text, wrapped.
    Paragraph(String),
    /// Smaller grey text: remarks, disclaimers, how a value was obtained.
    Note(String),
    /// A two-column label/value grid, as on a paper form.
    Fields(Vec<(String, String)>),
    /// A table with a header row; `widths` are relative column widths (one per header).
    Table(Table),
    /// Lines to sign, seal or date by hand, each with its blank (see [`SIGNATURE_BLANK`]),
    /// set apart with room to write.
    Signatures(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub widths: Vec<u16>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose columns have the given headers and relative widths.
    pub fn new(columns: &[(&str, u16)]) -> Table {
        Table {
            headers: columns.iter().map(|(h, _)| (*h).to_owned()).collect(),
            widths: columns.iter().map(|(_, w)| (*w).max(1)).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are empty and extra cells are dropped, so a row can
    /// never shift the columns.
    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) {
        let mut cells: Vec<String> = cells.into_iter().take(self.headers.len()).collect();
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    /// The relative widths normalised to fractions summing to 1.
    pub fn fractions(&self) -> Vec<f32> {
        let widths: Vec<u16> = (0..self.headers.len())
            .map(|i| self.widths.get(i).copied().unwrap_or(1).max(1))
            .collect();
        let total: f32 = widths.iter().map(|w| f32::from(*w)).sum();
        widths.iter().map(|w| f32::from(*w) / total).collect()
    }
}

impl Document {
    pub fn new(title: impl Into<String>, subtitle: Option<String>) -> Document {
        Document {
            title: title.into(),
            subtitle,
            blocks: Vec::new(),
        }
    }

    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    /// Every text of the document in reading order: what a test or a search expects to
    /// find in any rendering.
    pub fn plain_text(&self) -> String {
        let mut out = vec![self.title.clone()];
        out.extend(self.subtitle.clone());
        for block in &self.blocks {
            match block {
                Block::Heading(text) | Block::Paragraph(text) | Block::Note(text) => {
                    out.push(text.clone());
                }
                Block::Fields(fields) => {
                    out.extend(
                        fields
                            .iter()
                            .map(|(label, value)| format!("{label} {value}")),
                    );
                }
                Block::Table(table) => {
                    out.push(table.headers.join(" "));
                    out.extend(table.rows.iter().map(|row| row.join(" ")));
                }
                Block::Signatures(labels) => out.extend(labels.iter().cloned()),
            }
        }
        out.join("\n")
    }
}

/// The blank a signature line ends with.
pub const SIGNATURE_BLANK: &str = "____________________";
/// The blank a hand-written date takes.
pub const DATE_BLANK: &str = "______年____月____日";

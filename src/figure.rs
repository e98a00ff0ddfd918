//! figure: placeholder until the figure tagger lands.

/// A figure found in normalized text.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Start byte offset.
    pub start: usize,
    /// End byte offset, exclusive.
    pub end: usize,
    /// Normalised value.
    pub value: f64,
    /// Unit.
    pub unit: &'static str,
}

/// Compiled figure patterns.
pub struct FigureFinder {}

impl Default for FigureFinder {
    fn default() -> Self {
        Self::new()
    }
}

impl FigureFinder {
    /// Builds the patterns.
    pub fn new() -> FigureFinder {
        FigureFinder {}
    }
    /// All figures in `text`.
    pub fn find(&self, _text: &str, _year: Option<i32>) -> Vec<Figure> {
        Vec::new()
    }
}
